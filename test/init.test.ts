// What `init()` accepts (issue 7, item 11): every source it documents — bytes, a URL or URL
// string, a Response, a WebAssembly.Module, a Promise of those — and nothing else: an options
// object used to be fetched as a URL ("fetching the neurite wasm failed: 404").
import { inspect } from 'node:util';
import vm from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import * as nr from '../ts/index.js';
import { unpackInline } from '../ts/wasm/inline.js';
import { compileError } from '../ts/wasm/load.js';
import { WASM_BYTES, WASM_LZMA } from '../ts/wasm/inline.generated.js';
import './setup.js';

const bytes = unpackInline(WASM_LZMA, WASM_BYTES);

/** After an init, the instance works. */
function works(): void {
  const t = nr.tensor([1, 2]).add(1);
  expect(Array.from(t.data())).toEqual([2, 3]);
  t.dispose();
}

async function rejects(p: Promise<unknown>, msg: string | RegExp, cls: abstract new (...a: never[]) => Error = nr.InvalidArgumentError): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(cls);
  if (typeof msg === 'string') expect((err as Error).message).toBe(msg);
  else expect((err as Error).message).toMatch(msg);
}

describe('init sources', () => {
  it('an object that is not a source is read as options (unknown keys rejected with a suggestion), never fetched', async () => {
    const fetched: unknown[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = ((u: unknown) => (fetched.push(u), realFetch(u as string))) as typeof fetch;
    try {
      // Issue 12: init takes { threads, relaxedSimd, source }; other keys are errors.
      await rejects(nr.init({ locateFile: () => 'x.wasm' } as never),
        "init: unknown option 'locateFile' (known: threads, relaxedSimd, source; or pass the source itself)");
      await rejects(nr.init({ sorce: bytes } as never), /^init: unknown option 'sorce' — did you mean 'source'\?/);
      await rejects(nr.init(42 as never), /^init: source must be .*, got number 42$/);
      await rejects(nr.init(null as never), /^init: source must be .*, got null$/);
      await rejects(nr.init([bytes] as never), /^init: source must be .* \(or an options object with threads, relaxedSimd, source\), got an array$/);
      await rejects(nr.init({ source: 42 } as never), /^init: source must be .*, got number 42$/);
      await rejects(nr.init(Promise.resolve({ url: 'x' }) as never), 'init: the promise passed as the source resolved to an object with keys ["url"]; expected a Response (e.g. fetch(url)), bytes or a WebAssembly.Module');
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(fetched).toEqual([]);
    // The failed calls left the current instance alone.
    works();
  });

  it('a source that yields no module is an InvalidArgumentError naming init and the URL or status (an HTTP failure was a plain Error)', async () => {
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (u: unknown) => {
      if (String(u).endsWith('/down.wasm')) throw new TypeError('fetch failed');
      return new Response('not found', { status: 404, statusText: 'Not Found' });
    }) as typeof fetch;
    try {
      // The server's or the network's failures are IOErrors.
      await rejects(nr.init('https://cdn.example/missing.wasm'), 'init: fetching the neurite wasm from https://cdn.example/missing.wasm failed: HTTP 404 Not Found: "not found"', nr.IOError);
      await rejects(nr.init(new URL('https://cdn.example/down.wasm')), 'init: fetching the neurite wasm from https://cdn.example/down.wasm failed: fetch failed', nr.IOError);
      await rejects(nr.init(new Response('x', { status: 503 })), 'init: fetching the neurite wasm from the Response given failed: HTTP 503: "x"', nr.IOError);
      // The user's own fetch, rejected (the network down): an IOError too, not the raw TypeError.
      await rejects(nr.init(globalThis.fetch('https://cdn.example/down.wasm')), 'init: the promise passed as the source (a fetch of the wasm?) rejected [TypeError: fetch failed]', nr.IOError);
      await rejects(nr.init({ source: Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') })) }), 'init: the promise passed as the source (a fetch of the wasm?) rejected [TypeError: fetch failed: connect ECONNREFUSED 127.0.0.1:1]', nr.IOError);
      // Deno's refusal is the caller's to fix (never worth a retry): the flag is named.
      const denied = Object.assign(new Error('Requires net access to "cdn.example:443"'), { name: 'NotCapable' });
      await rejects(nr.init(Promise.reject(denied)), /^init: the promise passed as the source was refused by Deno's permissions: run with --allow-net \(or --allow-read for a file\) \[NotCapable: Requires net access/);
    } finally {
      globalThis.fetch = realFetch;
    }
    await rejects(nr.init(new Uint8Array([1, 2, 3, 4])), /^init: cannot compile the bytes given as WebAssembly: /);
    await rejects(nr.init(new Response(new Uint8Array([0, 0x61, 0x73, 0x6d, 9, 9, 9, 9]))), /^init: cannot compile the Response given as WebAssembly: /);
    await rejects(nr.init(new URL('file:///nonexistent/neurite-core.wasm')), /^init: reading the neurite wasm from file:\/\/\/nonexistent\/neurite-core.wasm failed: /);
    // A single-page app's server answers a missing core.wasm with its index.html (status 200):
    // said as such, not as a magic-word mismatch.
    const page = new Response('\n<!DOCTYPE html><html><head><title>app</title></head></html>', { headers: { 'content-type': 'text/html; charset=utf-8' } });
    await rejects(nr.init(page), 'init: the Response given is an HTML page, not WebAssembly (the server sent text/html; charset=utf-8, starting "<!DOCTYPE html><html><he"): a web app\'s server often answers a file it does not have with its index.html');
    // The failed calls left the current instance alone.
    works();
  });

  it("a valid WebAssembly module that is not neurite's is refused before anything changes: tensors, threads and workers stay (was a TypeError, one thread, and every tensor reset)", async () => {
    await nr.init({ threads: 2 });
    const before = nr.threads();
    const a = nr.tensor([1, 2, 3]);
    const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    await rejects(nr.init(empty), /^init: the WebAssembly module given is not neurite's core \(it has no nr_init export\); give init neurite's core\.wasm/);
    await rejects(nr.init({ source: empty, threads: 1 }), /not neurite's core/);
    expect(nr.threads()).toEqual(before);
    expect(a.arraySync()).toEqual([1, 2, 3]);
    // A later init with other threads still re-threads the same instance in place.
    await nr.init({ threads: 1 });
    expect(a.arraySync()).toEqual([1, 2, 3]);
    a.dispose();
    works();
  });

  it('a string that is no URL (a relative path in Node, a bare word) is an InvalidArgumentError saying what source may be, not a bare TypeError', async () => {
    const url = /^init: source "(\.\/core\.wasm|wasm|x)" is not a URL \(there is no page to resolve a relative URL against\): a string source is the URL of the \.wasm file, .*new URL\('\.\/core\.wasm', import\.meta\.url\), or its bytes \(fs\.readFileSync\(path\)\)\. source may be a WebAssembly\.Module, bytes \(an ArrayBuffer or a typed array\), a URL or URL string, a Response, or a Promise of a Response; init\(\) with no source uses the module this entry carries$/;
    await rejects(nr.init('./core.wasm'), url);
    await rejects(nr.init('wasm'), url);
    await rejects(nr.init({ source: 'x' }), url);
    works();
  });

  it('bytes, a Module, a Response and promises of them still work', async () => {
    await nr.init(bytes);
    works();
    await nr.init(bytes.buffer);
    works();
    const mod = await WebAssembly.compile(bytes);
    await nr.init(mod);
    works();
    await nr.init(new Response(bytes, { headers: { 'Content-Type': 'application/wasm' } }));
    works();
    await nr.init(Promise.resolve(new Response(bytes)));
    works();
    await nr.init(Promise.resolve(bytes) as never);
    works();
    // A module compiled in another realm (an edge sandbox's host, a vm context): instanceof
    // does not see it, every engine instantiates it (test/edge-runtime.test.ts runs the other way round).
    const foreign = vm.runInContext('new WebAssembly.Module(bytes)', vm.createContext({ bytes })) as WebAssembly.Module;
    expect(foreign instanceof WebAssembly.Module).toBe(false);
    await nr.init(foreign);
    works();
    await nr.init(Promise.resolve(foreign));
    works();
    // A Response from a fetch polyfill or another realm: duck-typed by `ok` and `arrayBuffer()`.
    await nr.init({ ok: true, status: 200, arrayBuffer: async () => bytes.buffer } as never);
    works();
  });
});

describe("init with the running instance's source", () => {
  // A Cloudflare Worker imports core.wasm as a WebAssembly.Module and calls init(wasm) in each
  // request: every request after the first ended the instance with the model kept across them.
  it('keeps the instance (and its tensors) for the same Module, bytes object or URL; another object replaces it', async () => {
    const mod = await WebAssembly.compile(bytes);
    await nr.init(mod);
    const t = nr.tensor([1, 2]);
    await nr.init(mod);
    await nr.init({ source: mod });
    await Promise.all([nr.init(mod), nr.init({ source: mod, threads: 1 })]);
    expect(Array.from(t.data())).toEqual([1, 2]);
    // Bytes: the same object keeps it, equal bytes in another object replace it.
    await nr.init(bytes);
    expect(() => t.data()).toThrow(new nr.DisposedError('data: tensor belongs to a neurite instance that was replaced by a new init(); it is no longer valid'));
    const u = nr.tensor([3]);
    await nr.init(bytes);
    expect(Array.from(u.data())).toEqual([3]);
    await nr.init(new Uint8Array(bytes));
    expect(() => u.data()).toThrow(nr.DisposedError);
    // A URL string and a URL object with the same text are the same source.
    const file = new URL('../build/core.wasm', import.meta.url);
    await nr.init(file.href);
    const v = nr.tensor([4]);
    await nr.init(new URL(file.href));
    await nr.init({ source: file.href, threads: 1 });
    expect(Array.from(v.data())).toEqual([4]);
    v.dispose();
    works();
  });
});

describe('init() during a fit', () => {
  it('refuses a new instance (another source) while a fit runs, and the fit and its model carry on; threads change in place', async () => {
    const m = nr.sequential({ seed: 3, layers: [nr.layers.dense({ inputShape: [8], units: 16, activation: 'relu' }), nr.layers.dense({ units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const [x, y] = [nr.randomNormal([512, 8], { seed: 1 }), nr.randomNormal([512, 1], { seed: 2 })];
    let during: Promise<void> | undefined;
    const fit = m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, yieldEvery: 'batch', callbacks: { onBatchEnd: (b: number) => void (b === 3 && (during ??= nr.init({ source: bytes }))) } });
    await expect(fit.then(() => during)).rejects.toThrow(new nr.InvalidArgumentError(`init: another wasm source needs a new neurite instance, which would end the running one and its models while model ${m.name} trains (its fit has not finished): await the fit first (init({ threads }) alone changes threads in place, also during a fit)`));
    const h = await fit;
    expect(h.history.loss).toHaveLength(3);
    const p = m.predict(nr.ones([1, 8])) as nr.Tensor;
    expect(p.shape).toEqual([1, 1]);
    // After the fit, the same call makes its new instance.
    await nr.init({ source: bytes });
    expect(() => m.predict(x)).toThrow(nr.DisposedError);
    nr.dispose([p]);
    works();
  });
});

describe('the inline module', () => {
  it('unpacks to the module build/core.wasm holds, byte for byte', async () => {
    const { readFileSync } = await import('node:fs');
    const built = readFileSync(new URL('../build/core.wasm', import.meta.url));
    expect(bytes.length).toBe(WASM_BYTES);
    expect(Buffer.compare(Buffer.from(bytes), built)).toBe(0);
  });

  it("basE91: the build's encoder and init's decoder agree on every length and refuse other characters", async () => {
    const { encodeBase91, ALPHABET } = await import('../scripts/base91.mjs');
    const { decodeBase91 } = await import('../ts/wasm/base91.js');
    expect(ALPHABET).toMatch(/^[^'`\\\s]{91}$/);
    // Every byte value, runs of 0x00 and 0xff (the 13- and 14-bit cases), lengths 0..40, random bytes.
    const cases = [new Uint8Array(0), Uint8Array.from({ length: 256 }, (_, i) => i), new Uint8Array(33).fill(255), new Uint8Array(29)];
    let s = 7;
    const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
    for (let n = 1; n <= 40; n++) cases.push(Uint8Array.from({ length: n }, next));
    cases.push(Uint8Array.from({ length: 100_000 }, next));
    for (const b of cases) {
      const text = encodeBase91(b);
      expect(text.length).toBeLessThanOrEqual(Math.ceil(b.length * 16 / 13) + 2);
      expect(Buffer.compare(Buffer.from(decodeBase91(text)), Buffer.from(b)), `${b.length} bytes`).toBe(0);
    }
    expect(encodeBase91(cases.at(-1)!).length / 100_000).toBeLessThan(1.235);
    expect(() => decodeBase91("ab'de")).toThrow(`base91: character 2 ("'") is not in the alphabet`);
    expect(() => decodeBase91('ab\u00e9de')).toThrow('base91: character 2 ("\u00e9") is not in the alphabet');
  });

  it('a damaged copy is a NeuriteError saying so, never a module of the wrong length', () => {
    expect(() => unpackInline(WASM_LZMA, WASM_BYTES + 1)).toThrow(`init: the inline wasm does not unpack (a damaged bundle?): the stream ends after ${WASM_BYTES} of ${WASM_BYTES + 1} bytes`);
    expect(() => unpackInline(WASM_LZMA.slice(0, 1000), WASM_BYTES)).toThrow(/^init: the inline wasm does not unpack \(a damaged bundle\?\): the stream ends early$/);
    expect(() => unpackInline(`${WASM_LZMA.slice(0, 10)}'${WASM_LZMA.slice(11)}`, WASM_BYTES)).toThrow(`init: the inline wasm does not unpack (a damaged bundle?): base91: character 10 ("'") is not in the alphabet`);
  });
});

// A user's report: a page whose Content-Security-Policy lacks 'wasm-unsafe-eval' got "init:
// cannot compile the bytes given as WebAssembly" from the default entry, which was given no
// bytes. The message names neurite's inline wasm and the directive to add.
describe('a Content-Security-Policy that forbids WebAssembly', () => {
  const refusals = {
    chromium: "WebAssembly.compile(): Refused to compile or instantiate WebAssembly module because 'unsafe-eval' is not an allowed source of script in the following Content Security Policy directive: \"script-src 'self' 'unsafe-inline'\".",
    webkit: "Refused to create a WebAssembly object because 'unsafe-eval' or 'wasm-unsafe-eval' is not an allowed source of script in the following Content Security Policy directive: \"script-src 'self'\".",
    firefox: 'call to WebAssembly.compile() blocked by CSP',
  };

  it('is named as such, with the directive to add, for every engine\'s wording and any source', () => {
    for (const [engine, message] of Object.entries(refusals)) {
      for (const [where, ours] of [["neurite's inline wasm", true], ['https://cdn.example/core.wasm', false], ['the bytes given', false]] as const) {
        const err = compileError(where, new WebAssembly.CompileError(message), ours);
        expect(err, engine).toBeInstanceOf(nr.NeuriteError);
        expect(err, engine).not.toBeInstanceOf(nr.InvalidArgumentError);
        expect(err.message).toContain(`init: this page's Content-Security-Policy does not allow WebAssembly, so ${where} cannot be compiled or instantiated: add 'wasm-unsafe-eval' to its script-src directive, keeping the sources it has (script-src 'self' … 'wasm-unsafe-eval': an inline import map still needs its hash)`);
        expect(err.message).toContain(message);
      }
    }
  });

  it("neurite's own module that does not compile for another reason names both causes; the user's bytes stay an InvalidArgumentError", () => {
    const ours = compileError("neurite's inline wasm", new WebAssembly.CompileError('expected magic word'), true);
    expect(ours).not.toBeInstanceOf(nr.InvalidArgumentError);
    expect(ours.message).toMatch(/^init: cannot compile neurite's inline wasm as WebAssembly \(a Content-Security-Policy whose script-src lacks 'wasm-unsafe-eval' blocks it; otherwise the bundle is damaged\)/);
    const user = compileError('the bytes given', new WebAssembly.CompileError('expected magic word'), false);
    expect(user).toBeInstanceOf(nr.InvalidArgumentError);
    expect(user.message).toBe('init: cannot compile the bytes given as WebAssembly: expected magic word');
  });

  it("init() of the default entry under such a policy names neurite's inline wasm (never 'the bytes given')", async () => {
    await nr.init({ threads: 1 });
    // Another thread count keeps the running instance; after shutdown() init compiles again.
    nr.shutdown();
    const spy = vi.spyOn(WebAssembly, 'compile').mockRejectedValueOnce(new WebAssembly.CompileError(refusals.chromium));
    let err: unknown;
    try {
      await nr.init({ threads: 2 });
    } catch (e) {
      err = e;
    } finally {
      spy.mockRestore();
    }
    expect(err).toBeInstanceOf(nr.NeuriteError);
    expect((err as Error).message).toMatch(/^init: this page's Content-Security-Policy does not allow WebAssembly, so neurite's inline wasm cannot be compiled or instantiated: add 'wasm-unsafe-eval' to its script-src directive/);
    await nr.init({ threads: 1 });
    works();
  });
});

describe('console.log of a tensor whose instance ended (a REPL echoing an old variable)', () => {
  it('shows its shape and why its values cannot be read, and never throws', async () => {
    await nr.init({ threads: 1 });
    const t = nr.tensor([[1, 2], [3, 4]]);
    expect(inspect(t)).toBe(t.toString(true));
    nr.shutdown();
    const ended = 'Tensor(shape=[2,2], dtype=float32) <values unreadable: ';
    // Before the next init too: "call init() first" would not bring it back (it said so).
    expect(inspect(t)).toBe(`${ended}DisposedError: data: tensor belongs to a neurite instance that was shut down (shutdown() was called); it is no longer valid>`);
    expect(() => t.dataSync()).toThrow(nr.DisposedError);
    expect(inspect({ t, note: 'mine' })).toContain(ended);
    await nr.init({ threads: 1 });
    expect(inspect(t)).toBe(`${ended}DisposedError: data: tensor belongs to a neurite instance that was shut down (shutdown() was called); it is no longer valid>`);
    // A log line never throws for what it prints (`${t}` threw where a REPL's echo did not).
    expect(t.toString()).toBe(`${ended}DisposedError: data: tensor belongs to a neurite instance that was shut down (shutdown() was called); it is no longer valid>`);
    expect(`${t}`).toBe(t.toString());
    expect(() => t.dataSync()).toThrow(nr.DisposedError); // reading its values still says why
    works();
  });
});


describe('init() and shutdown() called while an init runs', () => {
  it('an init() called after shutdown() starts neurite again; the init the shutdown cancelled still rejects (it was handed that one, and neurite stayed down)', async () => {
    nr.shutdown();
    const a = nr.init();
    nr.shutdown();
    const b = nr.init();
    const c = nr.init(); // joins b: no shutdown since b began
    await rejects(a, 'init: shutdown() was called while this init was running, so neurite stays shut down; call init() again to start it', nr.DisposedError);
    await b;
    await c;
    works();
    // A shutdown after both: each pending init gives up, and the next starts it again.
    const d = nr.init({ threads: 1 });
    const e = nr.init();
    nr.shutdown();
    for (const p of [d, e]) await rejects(p, /^init: shutdown\(\) was called while this init was running/, nr.DisposedError);
    await nr.init();
    works();
  });

  it("an init() without options made while another source fails to load gets no error while an instance runs (it rejected with that source's error)", async () => {
    await nr.init();
    const t = nr.tensor([1, 2, 3]);
    const bad = nr.init(new Uint8Array([1, 2, 3]));
    const joined = [nr.init(), nr.init()];
    await expect(bad).rejects.toThrow(/^init: /);
    const settled = await Promise.allSettled(joined);
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3]);
    t.dispose();
    // With no instance, the failure is every joined call's: neurite is not there.
    nr.shutdown();
    const bad2 = nr.init(new Uint8Array([1, 2, 3]));
    const joined2 = nr.init();
    await expect(bad2).rejects.toThrow(/^init: /);
    await expect(joined2).rejects.toThrow(/^init: /);
    await nr.init();
    works();
  });

  it('a call after shutdown() says neurite was shut down (a loadModel reading its files, adapt on a dataset, threadsReady()), not that it was never initialised', async () => {
    const later = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const shut = /^neurite was shut down \(shutdown\(\) was called\); call `await init\(\)` again to start it$/;
    await nr.init();
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    const artifacts = await m.toArtifacts();
    m.dispose();
    const loading = nr.loadModel({ load: async () => (await later(10), artifacts) });
    nr.shutdown();
    await rejects(loading, /^loadModel: building modelTopology: neurite was shut down \(shutdown\(\) was called\); call `await init\(\)` again to start it$/, nr.NeuriteError);
    await nr.init();
    const norm = nr.layers.normalization();
    // Was a ShapeError: "batch: the elements' arrays do not make one tensor: neurite is not initialised …".
    const adapting = norm.adapt(nr.data.array([[1, 2], [3, 4], [5, 6]]).mapAsync(async (r) => (await later(5), r)).batch(1));
    setTimeout(() => nr.shutdown(), 7);
    await rejects(adapting, shut, nr.NeuriteError);
    await expect(nr.threadsReady()).rejects.toThrow(shut);
    expect(() => nr.ones([2])).toThrow(shut);
    // An init() after the shutdown that failed: a call names that failure (it said only "was
    // shut down"); a successful init clears it, and so does the next shutdown().
    const missing = new URL('file:///nonexistent/neurite-core.wasm');
    await rejects(nr.init(missing), /^init: reading the neurite wasm from file:\/\/\/nonexistent/);
    expect(() => nr.ones([2])).toThrow(/^neurite was shut down \(shutdown\(\) was called\), and the init\(\) after that failed \(init: reading the neurite wasm from file:\/\/\/nonexistent\/neurite-core\.wasm failed: .*\); call `await init\(\)` again to start it$/);
    await nr.init();
    works();
    // A failed init() while an instance runs leaves it running: nothing to say.
    await rejects(nr.init(missing), /^init: reading/);
    works();
    nr.shutdown();
    expect(() => nr.ones([2])).toThrow(shut);
    await nr.init();
    works();
  });
});

describe('variables of an ended instance', () => {
  it('are not live any more: minimize() without a varList trains the new ones (it failed on the old ones until they were disposed)', async () => {
    await nr.init({ threads: 1 });
    const old = nr.variable(nr.scalar(5), true, 'old_w');
    nr.shutdown();
    await nr.init({ threads: 1 });
    const w = nr.variable(nr.scalar(3), true, 'old_w'); // the name is free again
    const cost = nr.optimizers.sgd(0.25).minimize(() => w.square(), true);
    expect(cost!.dataSync()[0]).toBe(9);
    expect(w.dataSync()[0]).toBe(1.5); // w − 0.25 · 2w
    cost!.dispose();
    w.dispose();
    expect(old.isDisposed).toBe(false);
    expect(() => old.dataSync()).toThrow(nr.DisposedError);
    works();
  });
});

describe("neurite/url without its core.wasm (a bundler that did not emit it)", () => {
  it('says where the file belongs and what else works, in Node', async () => {
    const { mkdtempSync, copyFileSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { execFileSync } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'neurite-nowasm-'));
    try {
      for (const f of ['index.js', 'neurite.js', 'worker.js', 'io.js', 'data.js', 'train.js']) copyFileSync(join('dist/url', f), join(dir, f));
      writeFileSync(join(dir, 'main.mjs'), "import { init } from './index.js';\ntry { await init(); } catch (e) { console.log(e.constructor.name + ': ' + e.message); }\n");
      const out = execFileSync(process.execPath, [join(dir, 'main.mjs')], { encoding: 'utf8' }).trim();
      expect(out).toMatch(/^InvalidArgumentError: init: reading the neurite wasm from file:\/\/.*\/core\.wasm failed: ENOENT.*; neurite\/url loads core\.wasm from next to its own module: copy node_modules\/neurite\/dist\/url\/core\.wasm \(and worker\.js\) next to the bundle \(Vite, webpack 5, and Rollup with @web\/rollup-plugin-import-meta-assets emit them from new URL\(…, import\.meta\.url\); esbuild does not\), pass the wasm to init\(\), or import 'neurite', whose wasm is inline$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fake timers (Jest\'s useFakeTimers, Sinon): installed before neurite loads', () => {
  it('init(), a thread pool, fit and the end-of-job flushes settle: neurite waits on the runtime\'s own timers (init never settled, nor the test file)', async () => {
    const { execFileSync } = await import('node:child_process');
    const { join } = await import('node:path');
    // Fakes that never fire, on every global Jest's modern timers replace, before the import
    // (Jest's fakeTimers: { enableGlobally: true }); the clock frozen as theirs.
    const code = `
      const never = () => 0;
      for (const k of ['setTimeout', 'setImmediate', 'setInterval', 'queueMicrotask']) globalThis[k] = never;
      Date.now = () => 0;
      performance.now = () => 0;
      const nr = await import(${JSON.stringify(join(process.cwd(), 'dist/index.js'))});
      await nr.init({ threads: 2 });
      await nr.threadsReady();
      const a = nr.randomUniform([300, 300], { seed: 1 });
      const s = nr.tidy(() => nr.matMul(a, a).sum().dataSync()[0]);
      const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
      m.compile({ optimizer: 'sgd', loss: 'mse' });
      const h = await m.fit(nr.ones([4, 2]), nr.ones([4, 1]), { epochs: 2, verbose: 0 });
      console.log(JSON.stringify({ finite: Number.isFinite(s), epochs: h.history.loss.length, threads: nr.threads().count }));
      nr.shutdown();
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 }).trim();
    expect(JSON.parse(out)).toEqual({ finite: true, epochs: 2, threads: 2 });
    // Sinon 19+ (@sinonjs/fake-timers 13+) installed after the import also patches Node's
    // timers module: the functions neurite bound when it loaded are the real ones.
    const after = code
      .replace("for (const k of ['setTimeout', 'setImmediate', 'setInterval', 'queueMicrotask']) globalThis[k] = never;", '')
      .replace('await nr.init({ threads: 2 });', "const timers = process.getBuiltinModule('node:timers'); for (const k of ['setTimeout', 'setImmediate', 'setInterval', 'queueMicrotask']) { globalThis[k] = never; if (k in timers) timers[k] = never; }\n      await nr.init({ threads: 2 });");
    expect(after).not.toBe(code);
    const out2 = execFileSync(process.execPath, ['--input-type=module', '-e', after], { encoding: 'utf8', timeout: 60_000 }).trim();
    expect(JSON.parse(out2)).toEqual({ finite: true, epochs: 2, threads: 2 });
  });
});

describe("neurite/url's own wasm URL made relative by a bundler (Next.js sets webpack's javascript.url: 'relative')", () => {
  /** webpack's RelativeURL: a URL whose href and string are the path alone. */
  function relativeUrl(path: string): URL {
    const u = Object.create(URL.prototype) as URL;
    for (const k of ['href', 'toString', 'toJSON'] as const) Object.defineProperty(u, k, { value: k === 'href' ? path : () => path });
    return u;
  }

  it('resolves against the page where there is one, and on a server says what the bundler did and the fixes (it blamed a string source never given)', async () => {
    const { compileFrom } = await import('../ts/wasm/load.js');
    const own = { name: "neurite/url's core.wasm", own: true };
    await expect(compileFrom(relativeUrl('/_next/static/media/core.a2a3f291.wasm'), undefined, own)).rejects.toThrow(
      /^init: neurite\/url's own core\.wasm URL is "\/_next\/static\/media\/core\.a2a3f291\.wasm", relative, with no page to resolve it against: a bundler rewrote .*serverExternalPackages: \['neurite'\].*import 'neurite'/,
    );
    // With a page (a browser), the path is fetched from the page's origin.
    await expect(compileFrom(relativeUrl('/_next/static/media/core.a2a3f291.wasm'), 'http://127.0.0.1:9/app/page', own)).rejects.toThrow(/http:\/\/127\.0\.0\.1:9\/_next\/static\/media\/core\.a2a3f291\.wasm/);
  });
});

describe("an edge sandbox whose setImmediate and MessageChannel throw (Next.js's next dev / next start)", () => {
  it('tidy, dispose and loadModel work: neurite does not call them where EdgeRuntime is set (they threw "A Node.js API is used")', async () => {
    const { execFileSync } = await import('node:child_process');
    const { join } = await import('node:path');
    const code = `
      const stub = (name) => Object.defineProperty(globalThis, name, { configurable: true, get() { return function () { throw new Error('A Node.js API is used (' + name + ') which is not supported in the Edge Runtime.'); }; } });
      stub('setImmediate');
      stub('MessageChannel');
      globalThis.EdgeRuntime = 'edge-runtime';
      process.getBuiltinModule = undefined; // as there: no Node timers module to fall back on
      const nr = await import(${JSON.stringify(join(process.cwd(), 'dist/index.js'))});
      await nr.init();
      const m = nr.sequential({ layers: [nr.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones' })] });
      const y = nr.tidy(() => m.predict(nr.tensor([[1, 2]])).arraySync());
      const back = await nr.loadModel(nr.io.fromMemory(await m.toArtifacts()));
      const t = nr.tensor([1, 2]); t.dispose();
      await new Promise((r) => setTimeout(r, 5));
      console.log(JSON.stringify({ y, loaded: back.layers.length, tensors: nr.memory().numTensors }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 }).trim();
    expect(JSON.parse(out)).toEqual({ y: [[3]], loaded: 1, tensors: 0 });
  });
});

describe("Cloudflare Workers' global scope, where timers are refused", () => {
  it('init() (the default entry unpacking its wasm), building, compiling and a predict work without one (they failed with "Disallowed operation called within global scope", or hung)', async () => {
    const { execFileSync } = await import('node:child_process');
    const { join } = await import('node:path');
    const code = `
      const refuse = () => { throw new Error('Disallowed operation called within global scope.'); };
      const real = globalThis.setTimeout;
      for (const k of ['setTimeout', 'setImmediate', 'setInterval']) globalThis[k] = refuse;
      Object.defineProperty(globalThis, 'navigator', { configurable: true, value: { userAgent: 'Cloudflare-Workers' } });
      process.getBuiltinModule = undefined;
      const nr = await import(${JSON.stringify(join(process.cwd(), 'dist/index.js'))});
      await nr.init();
      const m = nr.sequential({ layers: [nr.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones' })] });
      m.compile({ optimizer: 'sgd', loss: 'mse' });
      m.build();
      const v = nr.variable(nr.tensor([1, 2]));
      const y = nr.tidy(() => m.predict(nr.tensor([[1, 2]])).arraySync());
      const back = await nr.loadModel(nr.io.fromMemory(await m.toArtifacts()));
      globalThis.setTimeout = real;
      console.log(JSON.stringify({ y, loaded: back.layers.length, v: Array.from(v.dataSync()) }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 }).trim();
    expect(JSON.parse(out)).toEqual({ y: [[3]], loaded: 1, v: [1, 2] });
  });
});
