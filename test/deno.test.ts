// The built bundles in Deno (node_modules/.bin/deno, from the `deno` dev dependency):
// the inline entry with no permissions at all, the url entry with --allow-read. Both run
// test/runtimes/smoke.mjs through test/runtimes/run.mjs and must produce Node's random bits.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSmoke, CI, nodeReference, requireDist, requireRuntime, ROOT, runtimeAvailable, type SmokeReport } from './runtimes/expect.js';

const DENO = process.env.DENO_PATH ?? join(ROOT, 'node_modules/.bin/deno');
const run = promisify(execFile);

/** Runs the smoke in Deno with `flags` and parses the JSON report it prints. */
async function deno(entry: 'inline' | 'url', flags: string[]): Promise<SmokeReport> {
  const args = ['run', '--no-prompt', '--no-config', '--no-lock', ...flags, join(ROOT, 'test/runtimes/run.mjs'), entry];
  const { stdout, stderr } = await run(DENO, args, {
    cwd: ROOT,
    timeout: 15_000,
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
  }).catch((e: Error & { stdout?: string; stderr?: string }) => {
    const hint = /Uncaught \(in promise\)/.test(e.stderr ?? '')
      ? 'a rejection escaped although the smoke script awaits and catches every call (an unhandled promise inside neurite?)\n'
      : '';
    throw new Error(`deno ${args.join(' ')} failed: ${hint}${e.message}\n${e.stderr ?? ''}`);
  });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as SmokeReport;
  } catch {
    throw new Error(`deno printed no JSON report.\nstdout: ${stdout}\nstderr: ${stderr}`);
  }
}

describe.skipIf(!runtimeAvailable(DENO))(`Deno (${CI ? 'required on CI' : 'skipped locally when missing'})`, () => {
  beforeAll(() => {
    requireDist();
    requireRuntime('deno', DENO);
  });

  it('inline entry runs with no permissions', async () => {
    const [r, ref] = await Promise.all([deno('inline', []), nodeReference()]);
    checkSmoke(r, { runtime: 'deno', entry: 'inline', randomHex: ref.randomHex, trainHex: ref.trainHex, sources: [] });
    expect(r.readPermission).not.toBe('granted');
    console.log(`deno ${r.version} inline: init ${r.initMs} ms`);
  });

  it('url entry reads core.wasm with --allow-read; bytes, URL, Module and Response sources work', async () => {
    const [r, ref] = await Promise.all([deno('url', ['--allow-read']), nodeReference()]);
    checkSmoke(r, { runtime: 'deno', entry: 'url', randomHex: ref.randomHex, trainHex: ref.trainHex, sources: ['bytes', 'url', 'module', 'response'] });
    expect(r.readPermission).toBe('granted');
  });

  it('url entry without --allow-read fails with a permission error, not a hang', async () => {
    const r = await deno('url', []);
    expect(r.steps).toEqual(['init']);
    expect(r.error).toMatch(/NotCapable|read access|PermissionDenied/);
  });
});
