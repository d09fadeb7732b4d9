// The built bundles in Deno (node_modules/.bin/deno, from the `deno` dev dependency):
// the inline entry with no permissions at all, the url entry with --allow-read. Both run
// test/runtimes/smoke.mjs through test/runtimes/run.mjs and must produce Node's random bits.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSmoke, CI, nodeReference, requireDist, requireRuntime, ROOT, runtimeAvailable, type SmokeReport } from './runtimes/expect.js';
import { packAndInstall, type Packed } from './runtimes/packed.js';

const DENO = process.env.DENO_PATH ?? join(ROOT, 'node_modules/.bin/deno');
const run = promisify(execFile);

/** Runs the smoke in Deno with `flags` and parses the JSON report it prints. */
async function deno(entry: 'inline' | 'url', flags: string[], extra: string[] = []): Promise<SmokeReport> {
  const args = ['run', '--no-prompt', '--no-config', '--no-lock', ...flags, join(ROOT, 'test/runtimes/run.mjs'), entry, ...extra];
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

/**
 * Runs `code` (ESM importing the built bundle, printing one JSON line last) as main.mjs in a fresh
 * folder, with `flags`, once per call of `go`; `check` gets `go` and the folder, which goes after.
 */
async function program<T>(code: string, check: (go: (flags?: string[]) => Promise<T>, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'neurite-deno-program-'));
  try {
    writeFileSync(join(dir, 'main.mjs'), code.replaceAll('NEURITE', JSON.stringify(join(ROOT, 'dist/index.js'))));
    const go = async (flags: string[] = []) => {
      const { stdout } = await run(DENO, ['run', '--no-prompt', '--no-config', '--no-lock', ...flags, join(dir, 'main.mjs')], { cwd: dir, timeout: 120_000, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });
      return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T;
    };
    await check(go, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
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

  it('url entry reads core.wasm with --allow-read; bytes, URL, Module and Response sources work; resume through file://', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neurite-deno-resume-'));
    try {
      const [r, ref] = await Promise.all([deno('url', ['--allow-read', `--allow-write=${dir}`], [dir]), nodeReference()]);
      checkSmoke(r, { runtime: 'deno', entry: 'url', randomHex: ref.randomHex, trainHex: ref.trainHex, sources: ['bytes', 'url', 'module', 'response'], resumeVia: 'file' });
      expect(readdirSync(join(dir, 'resume')).sort()).toEqual(['model.json', 'weights.bin']);
      expect(r.readPermission).toBe('granted');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('url entry without --allow-read fails with a permission error, not a hang', async () => {
    const r = await deno('url', []);
    expect(r.steps).toEqual(['init']);
    expect(r.error).toMatch(/NotCapable|read access|PermissionDenied/);
  });

  // A user's reports: console.log(model) printed [object Object] (Deno's hook must return a
  // string), and a fit in the thread of Deno.serve answered no request until it ended (Deno
  // polls network I/O in a timer's turn only, not setImmediate's). A Worker asks every 20 ms;
  // the server counts the answers given while fit still runs.
  it('console.log(model) shows the model, and Deno.serve answers requests while fit runs in its thread', async () => {
    // The client as a data: URL (a worker's file would need --allow-read).
    const client = `self.onmessage = async (e) => { for (;;) { try { await (await fetch(e.data)).text(); } catch {} await new Promise((r) => setTimeout(r, 20)); } };`;
    await program<{ shown: string; during: number; batches: number; ms: number }>(`
import { init, sequential, layers, randomUniform } from NEURITE;
await init({ threads: 1 });
const m = sequential({ seed: 1, layers: [layers.dense({ inputShape: [64], units: 64, activation: 'relu' }), layers.dense({ units: 1 })] });
const shown = Deno.inspect(m);
let training = false, during = 0, batches = 0;
const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen() {} }, () => { if (training) during++; return new Response('ok'); });
const worker = new Worker(${JSON.stringify(`data:text/javascript,${encodeURIComponent(client)}`)}, { type: 'module' });
worker.postMessage('http://127.0.0.1:' + server.addr.port + '/');
await new Promise((r) => setTimeout(r, 300));
m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
const x = randomUniform([8192, 64], { seed: 1 }), y = randomUniform([8192, 1], { seed: 2 });
training = true;
const t0 = performance.now();
await m.fit(x, y, { epochs: 16, batchSize: 32, verbose: 0, callbacks: [{ onBatchEnd() { batches++; } }] });
const ms = performance.now() - t0;
training = false;
worker.terminate();
await server.shutdown();
console.log(JSON.stringify({ shown, during, batches, ms }));
`, async (go) => {
      const r = await go(['--allow-net=127.0.0.1']);
      expect(r.shown).toMatch(/^Sequential \{[\s\S]*layers: \[/);
      expect(r.shown).not.toContain('[object Object]');
      // A fit of hundreds of ms: with a timer turn at least every 40 ms, several answers.
      expect(r.batches).toBe(16 * 256);
      expect(r.during, `answers during a fit of ${Math.round(r.ms)} ms`).toBeGreaterThanOrEqual(Math.min(3, Math.floor(r.ms / 200)));
    });
  });

  // Deno leaves workers parked in Atomics.wait running past the program's end: each
  // `deno run --watch` restart kept two threads and ~14 MB. The unload event stops them.
  it('the unload event stops the workers (deno run --watch restarts leaked them)', async () => {
    await program<{ before: number; after: number }>(`
import { init, threads, threadsReady } from NEURITE;
await init({ threads: 2 });
const before = (await threadsReady()).count;
dispatchEvent(new Event('unload'));
console.log(JSON.stringify({ before, after: threads().count }));
`, async (go) => {
      // (Deno keeps a stopped worker's OS thread for reuse, so the process's task count is no measure.)
      expect(Object.values(await go())).toEqual([2, 1]);
    });
  });

  // A user's report: a templated checkpoint path's denial named this epoch's folder, whose flag
  // failed the next epoch.
  it("modelCheckpoint's Deno denial names the folder every checkpoint goes in, and that flag works", async () => {
    await program<{ ok?: boolean; error?: string }>(`
import { init, sequential, layers, tensor, callbacks } from NEURITE;
await init({ threads: 1 });
const m = sequential({ seed: 1, layers: [layers.dense({ inputShape: [2], units: 1 })] });
m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
try { await m.fit(tensor([[1, 2]]), tensor([[1]]), { epochs: 2, verbose: 0, callbacks: [callbacks.modelCheckpoint('file://./ckpt/e{epoch}', { monitor: 'loss' })] }); console.log(JSON.stringify({ ok: true })); }
catch (e) { console.log(JSON.stringify({ error: e.message })); }
`, async (go, dir) => {
      expect((await go()).error).toMatch(/^modelCheckpoint: epoch 1's checkpoint: Deno denied write access to \.\/ckpt\/e1: run with --allow-write=\.\/ckpt\/ \(the folder the checkpoints of 'file:\/\/\.\/ckpt\/e\{epoch\}' go in; or --allow-write\) \[/);
      expect(await go(['--allow-write=./ckpt/'])).toEqual({ ok: true });
      expect(readdirSync(join(dir, 'ckpt')).sort()).toEqual(['e1', 'e2']);
    });
  });

  // A user's report: in a terminal, `deno run main.ts` stopped at "Deno requests env access"
  // (the workers copied process.env). With --no-prompt, or without a terminal, Deno denies in
  // silence, so the check needs a terminal: util-linux's `script` gives it one.
  it.skipIf(!existsSync('/usr/bin/script'))('init() with threads asks for no permission in a terminal (no env prompt)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neurite-deno-tty-'));
    try {
      const file = join(dir, 'main.mjs');
      writeFileSync(file, `import { init, threads } from ${JSON.stringify(join(ROOT, 'dist/index.js'))};\nawait init({ threads: 2 });\nconsole.log(JSON.stringify({ count: threads().count }));\n`);
      const cmd = `${DENO} run --no-config --no-lock ${file}`;
      const { stdout } = await run('/usr/bin/script', ['-qec', cmd, '/dev/null'], { timeout: 20_000, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } }).catch((e: Error & { stdout?: string }) => {
        throw new Error(`deno in a terminal did not finish (a permission prompt?): ${e.message}\n${e.stdout ?? ''}`);
      });
      expect(stdout).not.toMatch(/requests \S* ?env access|Allow\?/);
      expect(stdout).toMatch(/\{"count":2\}/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// As a Deno user writes it: TypeScript importing the installed package by name (types from
// package.json) and by path from a copy of its dist/ (types from the `@ts-self-types` comment of
// each bundle), type-checked with `deno check`, then run with the permissions the README gives.
// (Deno does not analyse files imported by path from inside node_modules: import by name there.)
describe.skipIf(!runtimeAvailable(DENO))(`Deno user program (${CI ? 'required on CI' : 'skipped locally when missing'})`, () => {
  let packed: Packed;
  const denoIn = async (args: string[]) =>
    run(DENO, args, { cwd: packed.dir, timeout: 60_000, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } })
      .catch((e: Error & { stdout?: string; stderr?: string }) => {
        throw Object.assign(new Error(`deno ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`), { stderr: e.stderr ?? '' });
      });

  beforeAll(async () => {
    requireRuntime('deno', DENO);
    packed = await packAndInstall('neurite-deno-');
    const program = (spec: string) => `
      import { init, tensor, type Tensor } from '${spec}';
      await init();
      const t: Tensor = tensor([[1, 2], [3, 4]]);
      const s: number = t.matMul(t).sum().item();
      console.log(JSON.stringify({ s }));
    `;
    writeFileSync(join(packed.dir, 'by-name.ts'), program('neurite'));
    cpSync(join(packed.pkg, 'dist'), join(packed.dir, 'vendor/neurite'), { recursive: true });
    writeFileSync(join(packed.dir, 'by-path.ts'), program('./vendor/neurite/index.js'));
    writeFileSync(join(packed.dir, 'url-by-name.ts'), program('neurite/url'));
    writeFileSync(join(packed.dir, 'url-by-path.ts'), program('./vendor/neurite/url/index.js'));
    // A type error must be caught, by name and by path: proves the types are really found.
    for (const [f, spec] of [['bad-by-name.ts', 'neurite'], ['bad-by-path.ts', './vendor/neurite/index.js'], ['bad-url-by-path.ts', './vendor/neurite/url/index.js']]) {
      writeFileSync(join(packed.dir, f), `import { tensor } from '${spec}';\nconst s: string = tensor([1]).sum().item();\nconsole.log(s);\n`);
    }
  });
  afterAll(() => packed?.cleanup());

  it('deno check finds the types by package name and by path, for both entries', async () => {
    await denoIn(['check', '--quiet', 'by-name.ts', 'by-path.ts', 'url-by-name.ts', 'url-by-path.ts']);
    for (const f of ['bad-by-name.ts', 'bad-by-path.ts', 'bad-url-by-path.ts']) {
      const err = await denoIn(['check', '--quiet', f]).then(() => null, (e: { stderr: string }) => e.stderr);
      expect(err, `${f} must fail to type-check`).toMatch(/TS2322/);
    }
  });

  it('the inline entry runs with no permission, by name and by path', async () => {
    for (const f of ['by-name.ts', 'by-path.ts']) {
      const { stdout } = await denoIn(['run', '--no-prompt', f]);
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ s: 54 });
    }
  });

  it('the url entry runs with --allow-read scoped to core.wasm, and without it says which flag to pass', async () => {
    for (const [f, wasm] of [['url-by-name.ts', 'node_modules/neurite/dist/url/core.wasm'], ['url-by-path.ts', 'vendor/neurite/url/core.wasm']]) {
      const { stdout } = await denoIn(['run', '--no-prompt', `--allow-read=${wasm}`, f]);
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ s: 54 });
    }
    const err = await denoIn(['run', '--no-prompt', 'url-by-name.ts']).then(() => null, (e: { stderr: string }) => e.stderr);
    expect(err).toMatch(/init: Deno denied read access to \S*core\.wasm: run with --allow-read=\S*core\.wasm/);
    expect(err).toMatch(/import 'neurite'/);
  });

  // A user's report: with the README's --allow-read for core.wasm, init({ relaxedSimd: true })
  // threw "Deno denied read access to …/core-relaxed.wasm … or import 'neurite'" (which has no
  // relaxed module). A refused relaxed module is like an unsupported one: the plain module runs
  // and relaxedReason names the file and the flag.
  it('the url entry with relaxedSimd and --allow-read for core.wasm only runs the plain module, and relaxedReason names the flag for core-relaxed.wasm', async () => {
    writeFileSync(join(packed.dir, 'url-relaxed.ts'), `
      import { init, tensor, threads } from 'neurite/url';
      await init({ relaxedSimd: true, threads: 1 });
      const { relaxedSimd, relaxedReason } = threads();
      console.log(JSON.stringify({ s: tensor([[1, 2], [3, 4]]).sum().item(), relaxedSimd, relaxedReason }));
    `);
    const { stdout, stderr } = await denoIn(['run', '--no-prompt', '--allow-read=node_modules/neurite/dist/url/core.wasm', 'url-relaxed.ts']);
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(r).toMatchObject({ s: 10, relaxedSimd: false });
    expect(r.relaxedReason).toMatch(/^Deno denied read access to \S*core-relaxed\.wasm: run with --allow-read=\S*core-relaxed\.wasm \(or --allow-read\) to use it$/);
    expect(r.relaxedReason).not.toMatch(/import 'neurite'/);
    expect(stdout + stderr).toMatch(/relaxedSimd: using the plain SIMD module: Deno denied read access/);
    // Both files allowed: the relaxed module runs.
    const both = await denoIn(['run', '--no-prompt', '--allow-read=node_modules/neurite/dist/url/core.wasm,node_modules/neurite/dist/url/core-relaxed.wasm', 'url-relaxed.ts']);
    expect(JSON.parse(both.stdout.trim().split('\n').at(-1)!)).toEqual({ s: 10, relaxedSimd: true, relaxedReason: null });
  });

  // neurite/url imported from a server: its core.wasm is fetched from there, which Deno allows
  // with --allow-net (and the import itself with --allow-import for a host not on its list).
  it('the url entry imported over http runs with --allow-net, and without it says which flag to pass', async () => {
    const server = createServer((req, res) => {
      const file = join(packed.dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      if (!file.startsWith(join(packed.dir, 'vendor')) || !existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' }).end(readFileSync(file));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      writeFileSync(join(packed.dir, 'url-by-http.js'), `
        import { init, tensor } from 'http://${host}/vendor/neurite/url/index.js';
        await init();
        console.log(JSON.stringify({ s: tensor([[1, 2], [3, 4]]).matMul(tensor([[1, 2], [3, 4]])).sum().item() }));
      `);
      const { stdout } = await denoIn(['run', '--no-prompt', `--allow-import=${host}`, `--allow-net=${host}`, 'url-by-http.js']);
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ s: 54 });
      const err = await denoIn(['run', '--no-prompt', `--allow-import=${host}`, 'url-by-http.js']).then(() => null, (e: { stderr: string }) => e.stderr);
      expect(err).toContain(`init: Deno denied net access to ${host}: run with --allow-net=${host} (or --allow-net)`);
      expect(err).toMatch(/import 'neurite'/);
    } finally {
      server.close();
    }
  });

  // A tester's esbuild bundle: core.wasm and worker.js copied as the README said, not
  // core-relaxed.wasm, and init({ relaxedSimd: true }) rejected with the 404. A relaxed module
  // that cannot be loaded is like an unsupported one: the plain module runs, and relaxedReason
  // names the file to copy.
  it('the url entry with relaxedSimd where the server has no core-relaxed.wasm runs the plain module, and relaxedReason says to copy it', async () => {
    const server = createServer((req, res) => {
      const file = join(packed.dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      if (!file.startsWith(join(packed.dir, 'vendor')) || !existsSync(file) || file.endsWith('core-relaxed.wasm')) return void res.writeHead(404).end('not found');
      res.writeHead(200, { 'content-type': file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' }).end(readFileSync(file));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      writeFileSync(join(packed.dir, 'url-relaxed-404.js'), `
        import { init, tensor, threads } from 'http://${host}/vendor/neurite/url/index.js';
        await init({ relaxedSimd: true, threads: 1 });
        const { relaxedSimd, relaxedReason } = threads();
        console.log(JSON.stringify({ s: tensor([[1, 2], [3, 4]]).sum().item(), relaxedSimd, relaxedReason }));
      `);
      const { stdout, stderr } = await denoIn(['run', '--no-prompt', `--allow-import=${host}`, `--allow-net=${host}`, 'url-relaxed-404.js']);
      const r = JSON.parse(stdout.trim().split('\n').at(-1)!);
      expect(r).toMatchObject({ s: 10, relaxedSimd: false });
      expect(r.relaxedReason).toMatch(/^core-relaxed\.wasm could not be loaded \(fetching the neurite wasm from \S*core-relaxed\.wasm failed: HTTP 404.*\): to use it, copy node_modules\/neurite\/dist\/url\/core-relaxed\.wasm next to core\.wasm$/);
      expect(stdout + stderr).toMatch(/relaxedSimd: using the plain SIMD module: core-relaxed\.wasm could not be loaded/);
    } finally {
      server.close();
    }
  });
});
