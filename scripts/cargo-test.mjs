#!/usr/bin/env node
// Runs the native Rust tests (`cargo test --workspace`). Uses the rustup cargo on PATH when
// there is one, else Debian's /usr/bin/cargo (with its own rustc and rustdoc, so doc-tests
// are compiled by the same compiler).
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const has = (cmd) => { try { execFileSync(cmd, ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } };
let cargo = 'cargo';
const env = { ...process.env };
if (!has('cargo') && existsSync('/usr/bin/cargo')) {
  cargo = '/usr/bin/cargo';
  Object.assign(env, { RUSTC: '/usr/bin/rustc', RUSTDOC: '/usr/bin/rustdoc' });
}
const r = spawnSync(cargo, ['test', '--workspace', ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
