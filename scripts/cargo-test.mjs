#!/usr/bin/env node
// Runs the native Rust tests (`cargo test --workspace`), then the property tests of
// crates/proptests (a separate workspace with its own Cargo.lock, because it depends on
// proptest from crates.io and the workspace must keep zero crates.io dependencies). Uses the
// rustup cargo on PATH when there is one, else Debian's /usr/bin/cargo (with its own rustc and
// rustdoc, so doc-tests are compiled by the same compiler). Extra arguments go to both runs.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const has = (cmd) => { try { execFileSync(cmd, ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } };
let cargo = 'cargo';
const env = { ...process.env };
if (!has('cargo') && existsSync('/usr/bin/cargo')) {
  cargo = '/usr/bin/cargo';
  Object.assign(env, { RUSTC: '/usr/bin/rustc', RUSTDOC: '/usr/bin/rustdoc' });
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const r = spawnSync(cargo, ['test', '--workspace', ...args], { stdio: 'inherit', env, cwd: root });
if (r.status !== 0) process.exit(r.status ?? 1);
// The property tests build in the workspace's (ignored) target directory; --locked keeps
// proptest at the version pinned in crates/proptests/Cargo.lock.
const p = spawnSync(cargo, ['test', '--locked', '--manifest-path', join(root, 'crates/proptests/Cargo.toml'), ...args], {
  stdio: 'inherit',
  env: { CARGO_TARGET_DIR: join(root, 'target/proptests'), ...env },
  cwd: root,
});
process.exit(p.status ?? 1);
