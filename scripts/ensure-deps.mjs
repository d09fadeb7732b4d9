#!/usr/bin/env node
// Makes `npm run demo` / `npm test` work straight from a fresh clone: installs the pinned dev
// dependencies (`npm ci`, from package-lock.json) when they are missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const needed = ['rollup', 'tsc', 'vitest'].map((b) => join(root, 'node_modules', '.bin', b));
if (needed.every((p) => existsSync(p))) process.exit(0);
console.error('[ensure-deps] node_modules is missing or incomplete: running npm ci');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
