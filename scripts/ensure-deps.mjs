#!/usr/bin/env node
// Makes `npm run demo` / `npm test` work straight from a fresh clone: installs the pinned dev
// dependencies (`npm ci`, from package-lock.json) when they are missing. With `--test` (run by
// `npm test`) it also installs Debian's Chromium and Firefox ESR for the browser suites when
// /usr/bin/chromium or /usr/bin/firefox-esr is missing, on Debian as root (as
// scripts/build-wasm.mjs does for the Rust toolchain; set NO_INSTALL=1 to prevent it). Where it
// cannot, those suites skip locally and scripts/test-summary.mjs names them in the last line of
// `npm test`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (m) => console.error(`[ensure-deps] ${m}`);
const needed = [
  ...['rollup', 'tsc', 'vitest'].map((b) => join(root, 'node_modules', '.bin', b)),
  join(root, 'node_modules', '@rollup', 'plugin-terser'),
];
if (!needed.every((p) => existsSync(p))) {
  log('node_modules is missing or incomplete: running npm ci');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// The browsers of the browser suites: Debian package, default path, env override, suites.
const BROWSERS = [
  { name: 'Chromium', pkg: 'chromium', fallback: '/usr/bin/chromium', path: process.env.CHROMIUM_PATH, suites: 'test/browser.test.ts, test/browser-io.test.ts, test/threads-runtimes.test.ts' },
  { name: 'Firefox', pkg: 'firefox-esr', fallback: '/usr/bin/firefox-esr', path: process.env.FIREFOX_PATH, suites: 'the Firefox parts of test/browser.test.ts and test/threads-runtimes.test.ts' },
];
const missing = process.argv.includes('--test') ? BROWSERS.filter((b) => !existsSync(b.path ?? b.fallback)) : [];
const installable = missing.filter((b) => b.path === undefined || b.path === b.fallback);
const canInstall = existsSync('/etc/debian_version') && process.getuid?.() === 0 && !process.env.NO_INSTALL;
if (canInstall && installable.length > 0) {
  log(`installing ${installable.map((b) => b.pkg).join(' ')} with apt-get (for ${installable.map((b) => b.suites).join('; ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...installable.map((b) => b.pkg)]]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      log(`apt-get ${args.join(' ')} failed (${r.status}): the ${installable.map((b) => b.name).join(' and ')} suites will be skipped`);
      break;
    }
  }
}
for (const b of missing.filter((b) => !existsSync(b.path ?? b.fallback))) {
  log(`${b.path ?? b.fallback} is missing and is not installed here (that needs ${b.fallback} on Debian, as root, without NO_INSTALL): the ${b.name} suites will be skipped`);
}
