#!/usr/bin/env node
// The last line of `npm test`: which runtime suites ran and which were skipped (and why), so a
// green run without a browser or Deno does not pass for a full one. The rule is the suites' own
// (test/runtimes/expect.ts: a missing runtime skips locally, fails on CI).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSERS, missingPaths } from './browsers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const deno = process.env.DENO_PATH ?? join(root, 'node_modules/.bin/deno');
const suites = [
  ...Object.values(BROWSERS).map((b) => ({ name: `${b.name} (${b.suites})`, missing: missingPaths(b), fix: `apt-get install ${b.packages.join(' ')}` })),
  { name: 'Deno (test/deno.test.ts and the ts blocks of test/readme.test.ts)', missing: existsSync(deno) ? [] : [deno], fix: 'npm ci' },
];
const skipped = process.env.CI ? [] : suites.filter((s) => s.missing.length > 0);
if (skipped.length === 0) {
  console.log(`npm test: every suite ran (Rust, Node, ${Object.values(BROWSERS).map((b) => b.name).join(', ')}, Deno, examples); skipped: none`);
} else {
  console.log(`npm test: SKIPPED ${skipped.map((s) => `${s.name}: ${s.missing.join(', ')} missing (${s.fix})`).join('; ')}`);
}
