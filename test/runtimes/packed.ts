// The package as a user gets it: `npm pack` of the built tree, installed offline into an empty
// project in a temporary folder (the tarball has no dependencies). Shared by the README, types
// and Deno suites.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireDist, ROOT } from './expect.js';

const run = promisify(execFile);

export interface Packed {
  /** The scratch project: package.json (type module) and node_modules/neurite. */
  dir: string;
  /** node_modules/neurite inside it. */
  pkg: string;
  /** Removes the scratch project. */
  cleanup(): void;
}

/** Packs the repository and installs the tarball into a fresh project. */
export async function packAndInstall(prefix = 'neurite-packed-'): Promise<Packed> {
  requireDist();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const opts = { cwd: dir, timeout: 120_000, env: { ...process.env, npm_config_update_notifier: 'false' } };
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, ROOT], opts);
    const tgz = readdirSync(dir).find((f) => /^neurite-.*\.tgz$/.test(f));
    if (!tgz) throw new Error(`npm pack wrote no neurite-*.tgz into ${dir}`);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', `./${tgz}`], opts).catch((e: Error & { stderr?: string }) => {
      throw new Error(`npm install ./${tgz} failed: ${e.message}\n${e.stderr ?? ''}`);
    });
    return { dir, pkg: join(dir, 'node_modules', 'neurite'), cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

/** The fenced code blocks of a Markdown text, with their language and first line number. */
export function codeBlocks(markdown: string): Array<{ lang: string; tag: string; code: string; line: number }> {
  const out: Array<{ lang: string; tag: string; code: string; line: number }> = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    // The info string's first word is the language; a second one tags where the block runs
    // (```js edge: in the edge sandbox of test/edge-runtime.test.ts, not in Node).
    const open = /^```(\S*)(?:[ \t]+(\S+))?\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    out.push({ lang: open[1], tag: open[2] ?? '', code: body.join('\n'), line: start + 1 });
  }
  return out;
}
