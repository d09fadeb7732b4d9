#!/usr/bin/env node
// Makes `npm run demo` / `npm test` work straight from a fresh clone: installs the pinned dev
// dependencies (`npm ci`, from package-lock.json) when they are missing. With `--test` (run by
// `npm test`) it also installs the browsers of the browser suites (scripts/browsers.mjs:
// Chromium, Firefox ESR, WebKitGTK with Xvfb) from Debian's packages when they are missing, on
// Debian as root (as scripts/build-wasm.mjs does for the Rust toolchain; set NO_INSTALL=1 to
// prevent it). Where it cannot, those suites skip locally and scripts/test-summary.mjs names
// them in the last line of `npm test`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSERS, missingPaths } from './browsers.mjs';

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

if (process.argv.includes('--test')) {
  const missing = Object.values(BROWSERS).filter((b) => missingPaths(b).length > 0);
  const installable = missing.filter((b) => !b.overridden);
  const canInstall = existsSync('/etc/debian_version') && process.getuid?.() === 0 && !process.env.NO_INSTALL;
  if (canInstall && installable.length > 0) {
    const pkgs = installable.flatMap((b) => b.packages);
    log(`installing ${pkgs.join(' ')} with apt-get (for the ${installable.map((b) => b.name).join(', ')} suites)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...pkgs]]) {
      const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
      if (r.status !== 0) {
        log(`apt-get ${args.join(' ')} failed (${r.status})`);
        break;
      }
    }
  }
  for (const b of missing) {
    const still = missingPaths(b);
    if (still.length > 0) log(`${still.join(', ')} missing (${b.overridden ? 'set by an environment variable' : `apt-get install ${b.packages.join(' ')}, on Debian as root, without NO_INSTALL`}): the ${b.name} suites will be skipped (${b.suites})`);
  }
}
