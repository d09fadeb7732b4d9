#!/usr/bin/env node
// Makes `npm run demo` / `npm test` work straight from a fresh clone: installs the pinned dev
// dependencies (`npm ci`, from package-lock.json) when they are missing. With `--test` (run by
// `npm test`) it also installs Debian's Chromium for the browser suite when /usr/bin/chromium
// is missing, on Debian as root (as scripts/build-wasm.mjs does for the Rust toolchain; set
// NO_INSTALL=1 to prevent it). Where it cannot, the browser suite skips locally and
// scripts/test-summary.mjs names it in the last line of `npm test`.
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

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (process.argv.includes('--test') && !existsSync(CHROMIUM)) {
  const canInstall = CHROMIUM === '/usr/bin/chromium' && existsSync('/etc/debian_version') && process.getuid?.() === 0 && !process.env.NO_INSTALL;
  if (canInstall) {
    log('installing chromium with apt-get (for test/browser.test.ts)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const steps = [['update', '-qq'], ['install', '-y', '-qq', 'chromium']];
    for (const args of steps) {
      const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
      if (r.status !== 0) {
        log(`apt-get ${args.join(' ')} failed (${r.status}): the Chromium suite will be skipped`);
        break;
      }
    }
  } else {
    log(`${CHROMIUM} is missing and is not installed here (that needs /usr/bin/chromium on Debian, as root, without NO_INSTALL): the Chromium suite will be skipped`);
  }
}
