#!/usr/bin/env node
// The last line of `npm test`: which runtime suites ran and which were skipped (and why), so a
// green run without Chromium, Firefox or Deno does not pass for a full one. The rule is the
// suites' own (test/runtimes/expect.ts: a missing runtime skips locally, fails on CI).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const suites = [
  { name: 'Chromium (test/browser.test.ts)', path: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', fix: 'apt-get install chromium' },
  { name: 'Firefox (test/browser.test.ts, test/threads-runtimes.test.ts)', path: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr', fix: 'apt-get install firefox-esr' },
  { name: 'Deno (test/deno.test.ts and the ts blocks of test/readme.test.ts)', path: process.env.DENO_PATH ?? join(root, 'node_modules/.bin/deno'), fix: 'npm ci' },
];
const skipped = process.env.CI ? [] : suites.filter((s) => !existsSync(s.path));
if (skipped.length === 0) {
  console.log('npm test: every suite ran (Rust, Node, Chromium, Firefox, Deno, examples); skipped: none');
} else {
  console.log(`npm test: SKIPPED ${skipped.map((s) => `${s.name}: ${s.path} missing (${s.fix})`).join('; ')}`);
}
