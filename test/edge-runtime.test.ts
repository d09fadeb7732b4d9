// Edge runtimes (Cloudflare Workers, Vercel Edge Functions) compile no WebAssembly from bytes:
// the platform compiles each imported `.wasm` at deploy time and hands the code a
// `WebAssembly.Module`. test/edge/sandbox.mjs builds such a runtime from Node's `vm` (a context
// with `codeGeneration: { wasm: false }`, the package's ES modules linked into it without
// `import.meta.url`, as workerd gives none, and `neurite/core.wasm` imported as a module the
// host compiled, so from another realm) and runs the built dist/ there: the README's `js edge`
// block as a handler answering a request, and each way an edge developer would first try.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, ROOT } from './runtimes/expect.js';
import { codeBlocks } from './runtimes/packed.js';

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'neurite-edge-'));
let n = 0;

type Outcome = { ok: true; value: unknown } | { ok: false; name: string; message: string };

/** Runs `code` as a module in the sandbox; with `request`, as a handler sent one POST of it. */
async function sandbox(code: string, request?: unknown, env: Record<string, string> = {}): Promise<Outcome> {
  const file = join(tmp, `m${n++}.mjs`);
  writeFileSync(file, code);
  const args = ['--experimental-vm-modules', '--no-warnings', join(ROOT, 'test/edge/sandbox.mjs'), file, ...(request === undefined ? [] : [JSON.stringify(request)])];
  const { stdout } = await run(process.execPath, args, { cwd: ROOT, timeout: 60_000, env: { ...process.env, ...env } });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Outcome;
}

const EDGE_ADVICE = "import wasm from 'neurite/core.wasm'; await init(wasm) (see the README's Edge and serverless runtimes)";

describe('an edge runtime that compiles no WebAssembly from bytes', () => {
  beforeAll(() => requireDist());
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("the README's edge handler answers a request, and a client's bad rows with a 400 naming the shapes", async () => {
    const blocks = codeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8')).filter((b) => b.lang === 'js' && b.tag === 'edge');
    expect(blocks.length).toBe(1);
    // The dense layer's kernel is ones and its bias zero: each row's sum.
    expect(await sandbox(blocks[0].code, { rows: [[1, 2], [3, -4.5]] })).toEqual({ ok: true, value: { status: 200, body: JSON.stringify({ y: [[3], [-1.5]] }) } });
    const bad = (await sandbox(blocks[0].code, { rows: [[1, 2, 3]] })) as { ok: true; value: { status: number; body: string } };
    expect(bad.value.status).toBe(400);
    expect(JSON.parse(bad.value.body).error).toMatch(/\[1,3\]|\[1, 3\]/);
  });

  it("neurite/url runs from the platform's module (compiled in another realm) on one thread", async () => {
    const code = `import { init, matMul, tensor, tidy, threads } from 'neurite/url';
      import wasm from 'neurite/core.wasm';
      await init(wasm);
      export const result = { y: tidy(() => Array.from(matMul(tensor([[1, 2]]), tensor([[3], [4]])).dataSync())), threads: threads().count, module: wasm instanceof WebAssembly.Module };`;
    expect(await sandbox(code)).toEqual({ ok: true, value: { y: [11], threads: 1, module: false } });
  });

  // A handler that calls init(wasm) in every request and keeps a trained model across them (the
  // obvious pattern where init needs the platform's module): every request after the first
  // found the model's instance replaced. Without WeakRef (Workers before the 2025-05-05
  // compatibility date), a model kept past its request threw a ReferenceError in a later task.
  const perRequest = `import { init, layers, sequential, tensor, memory } from 'neurite/url';
    import wasm from 'neurite/core.wasm';
    let model;
    async function handle(row) {
      await init(wasm);
      if (!model) {
        model = sequential({ seed: 1, layers: [layers.dense({ units: 1, inputShape: [2] })] });
        model.compile({ loss: 'mse', optimizer: 'sgd' });
        const [x, y] = [tensor([[1, 2], [3, 4]]), tensor([[3], [7]])];
        await model.fit(x, y, { epochs: 2, verbose: 0 });
        x.dispose(); y.dispose();
      }
      const x = tensor([row]);
      const p = model.predict(x);
      const out = Array.from(p.dataSync());
      x.dispose(); p.dispose();
      return out;
    }
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(await handle([i, 1]));
      await new Promise((r) => setTimeout(r, 5)); // requests come in later tasks
    }
    export const result = { answers: answers.length, same: answers[0].length === 1 && Number.isFinite(answers[2][0]), weakRef: typeof WeakRef, live: memory().numTensors };`;
  for (const weak of [true, false]) {
    it(`a handler may call init(wasm) in every request; its model lives on${weak ? '' : ' (no WeakRef nor FinalizationRegistry, as in Workers before 2025-05-05)'}`, async () => {
      const r = await sandbox(perRequest, undefined, weak ? {} : { EDGE_NO_WEAKREF: '1' });
      expect(r).toEqual({ ok: true, value: { answers: 3, same: true, weakRef: weak ? 'function' : 'undefined', live: 0 } });
    });
  }

  it("the default entry's init() says this runtime compiles no wasm from bytes and what to do instead (was: blame a Content-Security-Policy or a damaged bundle)", async () => {
    const r = await sandbox(`import { init } from 'neurite'; await init(); export const result = 'ran';`);
    expect(r).toMatchObject({ ok: false, name: 'NeuriteError' });
    expect((r as { message: string }).message).toBe(
      "init: this runtime does not compile WebAssembly from bytes (Cloudflare Workers and other edge runtimes compile it only when the code is deployed), so neurite's inline wasm cannot be used: " +
        `import 'neurite/url' and pass init() the module the platform compiles at deploy time: ${EDGE_ADVICE} [CompileError: WebAssembly.compile(): Wasm code generation disallowed by embedder]`,
    );
  });

  it('neurite/url without a module (no import.meta.url there) and with bytes: each error points at the module, not at the inline entry first', async () => {
    const none = await sandbox(`import { init } from 'neurite/url'; await init(); export const result = 'ran';`);
    expect(none).toMatchObject({ ok: false, name: 'InvalidArgumentError' });
    expect((none as { message: string }).message).toBe(
      'init: neurite/url finds core.wasm next to its module through import.meta.url, which this module does not have (a CommonJS bundle, or an edge runtime such as Cloudflare Workers): ' +
        `on an edge runtime, pass init() the module the platform compiles at deploy time: ${EDGE_ADVICE}; with a CommonJS bundle, import 'neurite' instead (the wasm inline), or bundle as ESM and copy core.wasm and worker.js next to the bundle; or pass the wasm to init({ source })`,
    );
    const bytes = await sandbox(`import { init } from 'neurite/url'; await init(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); export const result = 'ran';`);
    expect(bytes).toMatchObject({ ok: false, name: 'NeuriteError' });
    expect((bytes as { message: string }).message).toMatch(/^init: this runtime does not compile WebAssembly from bytes .*, so the bytes given cannot be used: import 'neurite\/url' and pass init\(\) the module/);
  });
});
