// file:// (and localstorage://) in Deno through the built bundle (test/runtimes/io-files.mjs):
// a round trip with --allow-read/--allow-write scoped to a tmp folder, a folder written by Node
// loading in Deno byte-exact, and without a permission the error naming the flag to pass.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CI, requireDist, requireRuntime, ROOT, runtimeAvailable } from './runtimes/expect.js';
import { getSaveHandler } from '../ts/io/router.js';

const DENO = process.env.DENO_PATH ?? join(ROOT, 'node_modules/.bin/deno');
const run = promisify(execFile);

type Step = { ok?: unknown; error?: string };
type Report = { expected: string; save: Step; loadSaved: Step; loadPre: Step; truncated: Step; http: Step; localStorage: Step; localStorageQuota: Step; manage: Step };

describe.skipIf(!runtimeAvailable(DENO))(`Deno file:// (${CI ? 'required on CI' : 'skipped locally when missing'})`, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'neurite-deno-io-'));
  let n = 0;

  /** A fresh folder with `pre` (saved by Node, same weights as the script's) and `truncated`. */
  async function setup(): Promise<string> {
    const dir = join(tmp, `run-${n++}`);
    await getSaveHandler(`file://${dir}/pre`, 'save').save!({
      modelTopology: { class_name: 'Sequential', config: { layers: [] } },
      weightSpecs: [{ name: 'w', shape: [2, 3], dtype: 'float32' }],
      weightData: new Float32Array([0.5, -1.25, 3e-8, 7, -0, 1 / 3]).buffer,
    });
    mkdirSync(join(dir, 'truncated'));
    writeFileSync(join(dir, 'truncated/model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'w', shape: [2, 3], dtype: 'float32' }] }] }));
    writeFileSync(join(dir, 'truncated/weights.bin'), new Uint8Array(20));
    return dir;
  }

  /** Runs the script on `dir` with `flags`; DENO_DIR in tmp keeps localStorage out of the user's cache. */
  async function deno(dir: string, flags: string[]): Promise<Report> {
    const args = ['run', '--no-prompt', '--no-config', '--no-lock', ...flags, join(ROOT, 'test/runtimes/io-files.mjs'), dir];
    const { stdout } = await run(DENO, args, {
      cwd: ROOT,
      timeout: 30_000,
      env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_DIR: join(tmp, 'deno-dir') },
    }).catch((e: Error & { stderr?: string }) => { throw new Error(`deno ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}`); });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as Report;
  }

  beforeAll(() => {
    requireDist();
    requireRuntime('deno', DENO);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('with --allow-read and --allow-write on the folder: save, load back byte-exact, load a folder Node wrote; localstorage:// works too, and io.listModels/copyModel/moveModel/removeModel over it', async () => {
    const dir = await setup();
    const r = await deno(dir, [`--allow-read=${dir}`, `--allow-write=${dir}`]);
    expect(r.save).toEqual({ ok: 24 });
    expect(r.loadSaved).toEqual({ ok: r.expected });
    expect(r.loadPre).toEqual({ ok: r.expected });
    expect(r.localStorage).toEqual({ ok: r.expected });
    expect(r.localStorageQuota.error).toMatch(/^IOError: save: 'localstorage:\/\/deno-big': localStorage refused the model \(its quota, typically 10 MB in Deno, exceeded\?\): .*use file:\/\/ for larger models \[/);
    expect(r.manage).toEqual({ ok: { before: ['localstorage://deno-test'], moved: r.expected, removed: 24, after: ['localstorage://deno-moved'] } });
    expect(r.truncated.error).toBe(
      `InvalidArgumentError: loadModel: file://${dir}/truncated/model.json: weightsManifest[0].weights need 24 bytes but weightsManifest[0].paths hold 20 (weights.bin: 20 bytes): the weights file is truncated`,
    );
  });

  it('without --allow-write, saving says which flag to pass; loading still works', async () => {
    const dir = await setup();
    const r = await deno(dir, [`--allow-read=${dir}`]);
    expect(r.save.error).toMatch(new RegExp(`^InvalidArgumentError: save: Deno denied write access to ${dir}/saved: run with --allow-write=${dir}/saved \\(or --allow-write\\) \\[(NotCapable|PermissionDenied)`));
    expect(r.loadPre).toEqual({ ok: r.expected });
  });

  it('without --allow-read, loading says which flag to pass; saving still works', async () => {
    const dir = await setup();
    const r = await deno(dir, [`--allow-write=${dir}`]);
    expect(r.save).toEqual({ ok: 24 });
    expect(r.loadPre.error).toMatch(new RegExp(`^InvalidArgumentError: loadModel: Deno denied read access to ${dir}/pre: run with --allow-read=${dir}/pre \\(or --allow-read\\) \\[(NotCapable|PermissionDenied)`));
    expect(r.loadSaved.error).toMatch(/Deno denied read access to .*\/saved\/model\.json: run with --allow-read=/);
  });

  it.runIf(existsSync('/usr/bin/script'))('with --allow-write alone, in a terminal: a save asks for nothing (a rename asked Deno for read access, naming a temporary file, and the program waited)', async () => {
    const dir = await setup();
    const cmd = [DENO, 'run', '--no-config', '--no-lock', `--allow-write=${dir}`, join(ROOT, 'test/runtimes/deno-save-prompt.mjs'), dir].map((a) => `'${a}'`).join(' ');
    // script(1) runs it in a pseudo-terminal, where Deno prompts (its input is empty: a prompt is refused, or waits).
    const { stdout } = await run('/usr/bin/script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, timeout: 30_000, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_DIR: join(tmp, 'deno-dir') } }).catch((e: Error & { stdout?: string }) => ({ stdout: `${e.message}\n${e.stdout ?? ''}` }));
    expect(stdout).not.toMatch(/requests read access|⚠/);
    expect(stdout).toMatch(/saved twice/);
    expect(readdirSync(join(dir, 'saved')).sort()).toEqual(['model.json', 'weights.bin']);
  });

  it('without --allow-net, loading from http:// is an InvalidArgumentError naming the flag (not an IOError, the class worth a retry)', async () => {
    const dir = await setup();
    const r = await deno(dir, [`--allow-read=${dir}`]);
    expect(r.http.error).toMatch(/^InvalidArgumentError: loadModel: fetching .* from http:\/\/127\.0\.0\.1:4\/m\/model\.json: Deno denied net access to 127\.0\.0\.1:4: run with --allow-net=127\.0\.0\.1:4 \(or --allow-net\) \[(NotCapable|PermissionDenied)/);
  });
});
