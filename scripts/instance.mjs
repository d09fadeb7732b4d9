// A separate instance of neurite/url in this process, for benchmarks that run two builds or two
// configurations side by side: a copy of dist/url in a temporary folder, imported from there.
// (A query string on the entry's URL is not enough: dist/url/index.js re-exports
// dist/url/neurite.js, which every copy of the entry would share.) The copies are removed when
// the process exits.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'url');
const copies = [];
process.on('exit', () => copies.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Imports a fresh copy of neurite/url (its own wasm instance, pool and handle table). */
export function importInstance() {
  const dir = mkdtempSync(join(tmpdir(), 'neurite-instance-'));
  copies.push(dir);
  cpSync(dist, dir, { recursive: true });
  return import(pathToFileURL(join(dir, 'index.js')).href);
}
