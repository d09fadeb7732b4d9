// `version` is the package's version: one source (package.json), checked here, in the sources
// and in both built entries.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import * as nr from '../ts/index.js';

it("version is package.json's version, in the sources and in both built entries", async () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(nr.version).toBe(pkg.version);
  for (const entry of ['../dist/index.js', '../dist/url/index.js']) {
    const built = (await import(new URL(entry, import.meta.url).href)) as { version?: string };
    expect(built.version, entry).toBe(pkg.version);
  }
});
