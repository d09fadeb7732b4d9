// Issue 12, the JS side of the thread pool in Node (the ts/ sources; the built bundles run in
// child processes): bit-identical results for 1, 2, 3 and 8 threads, every kernel split at odd
// sizes (min_work forced to 1) against one thread, worker crash recovery, no leaked workers
// after repeated init/shutdown, init options, relaxed SIMD, and processes that exit by themselves.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as nr from '../ts/index.js';
import { availableParallelism } from 'node:os';
import { call, instantiate, raw } from '../ts/engine.js';
import { liveWorkers, type Spawner } from '../ts/threads/pool.js';
// @ts-expect-error: plain .mjs scripts without declarations (they also run in Deno and browsers)
import { mlpTraining, threadsReport } from './runtimes/threads.mjs';
// @ts-expect-error: as above
import { hexBits, seededTraining } from './runtimes/smoke.mjs';
import { checkRelaxed, nodeReference, requireDist, ROOT, type RelaxedReport } from './runtimes/expect.js';

/**
 * A digest of the exact bits of `f32`: its length and two 32-bit hashes of its words. Each step
 * of each hash is a bijection of the state for a given word, so arrays that differ in one word
 * always digest differently (and two differing words cancel with odds of about 2^-64).
 */
function bits(f32: Float32Array): string {
  const u = new Uint32Array(f32.buffer, f32.byteOffset, f32.length);
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < u.length; i++) {
    h1 = Math.imul(h1 ^ u[i], 0x01000193);
    h2 = Math.imul(h2 + u[i], 0x2c1b3c6d);
    h2 ^= h2 >>> 15;
  }
  return `${u.length}:${(h1 >>> 0).toString(16)}:${(h2 >>> 0).toString(16)}`;
}

const run = promisify(execFile);

const tx = () => raw();

/** OS threads of this process (Linux): worker_threads are threads, so a leak shows here. */
function osThreads(): number {
  const m = /^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : -1;
}

/** Waits until `f()` holds (polling), failing after `ms`. */
async function until(f: () => boolean, ms = 20_000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterAll(() => nr.shutdown());

describe('init options', () => {
  it('threads and relaxedSimd are checked; unknown keys suggest the nearest', async () => {
    const bad = async (arg: unknown, msg: RegExp) => {
      const err = await nr.init(arg as never).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(nr.InvalidArgumentError);
      expect((err as Error).message).toMatch(msg);
    };
    await bad({ thread: 2 }, /^init: unknown option 'thread' — did you mean 'threads'\? \(known: threads, relaxedSimd, source/);
    await bad({ relaxedSIMD: true }, /did you mean 'relaxedSimd'/);
    await bad({ threads: 0 }, /^init: threads must be an integer from 1 to 65, got 0$/);
    await bad({ threads: 2.5 }, /got 2\.5$/);
    await bad({ threads: '2' }, /^init: threads must be an integer/);
    await bad({ relaxedSimd: 1 }, /^init: relaxedSimd must be true or false/);
    await bad({ relaxedSimd: true, source: new Uint8Array(8) }, /^init: pass either source or relaxedSimd: true, not both/);
  });

  it('threads: 1 is one thread; the default is the reported cores (at most 8); memory() reports it', async () => {
    await nr.init({ threads: 1 });
    expect(nr.threads()).toMatchObject({ count: 1, requested: 1, reason: null, relaxedSimd: false });
    expect(nr.memory().threads).toBe(1);
    // Without options a later init keeps what runs; after shutdown() it starts with the defaults.
    await nr.init({});
    expect(nr.threads().count).toBe(1);
    nr.shutdown();
    await nr.init({});
    const { availableParallelism } = await import('node:os');
    const want = Math.min(availableParallelism(), 8);
    // The default starts no workers (issue 12: a cold start that never runs a large call does
    // not pay for them; see 'workers of the default init' below); threadsReady() starts them.
    expect(nr.threads()).toMatchObject({ count: 1, requested: want });
    expect(await nr.threadsReady()).toMatchObject({ count: want, requested: want, reason: null });
    expect(nr.memory().threads).toBe(want);
    // The same options again keep the instance (tensors stay valid); another thread count too:
    // the running instance takes it in place (a library calling init({ threads: 1 }) must not
    // invalidate another's models); another source replaces it.
    const t = nr.tensor([1, 2, 3]);
    await nr.init();
    await nr.init({ threads: want });
    expect(Array.from(t.data())).toEqual([1, 2, 3]);
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [3], units: 2 })] });
    const before = Array.from(nr.tidy(() => m.predict(nr.ones([1, 3]))).dataSync());
    for (const threads of [3, 1, 2]) {
      await nr.init({ threads });
      expect(nr.threads()).toMatchObject({ count: threads, requested: threads, reason: null });
      expect(Array.from(t.data())).toEqual([1, 2, 3]);
      expect(Array.from(nr.tidy(() => m.predict(nr.ones([1, 3]))).dataSync())).toEqual(before);
    }
    // Work is split over the new pool: a large matMul gives the one-thread bits.
    const a = nr.randomUniform([300, 200], { seed: 3 });
    await nr.init({ threads: 3 });
    const three = nr.tidy(() => nr.matMul(a, a, false, true).dataSync());
    await nr.init({ threads: 1 });
    expect(nr.tidy(() => nr.matMul(a, a, false, true).dataSync())).toEqual(three);
    nr.dispose([t, m, a]);
    // The old workers' stacks (1 MiB each) go to the new ones: switching back and forth does not
    // grow the memory (it grew ~7 MiB per 1 ↔ 8 cycle, to OutOfMemory at ~580 cycles).
    await nr.init({ threads: 3 });
    const before2 = nr.memory().wasmBytes;
    for (let i = 0; i < 20; i++) {
      await nr.init({ threads: 1 });
      await nr.init({ threads: 3 });
    }
    expect(nr.memory().wasmBytes - before2).toBeLessThanOrEqual(2 ** 20);
    expect(nr.threads().count).toBe(3);
    // relaxedSimd where it would load the module already running (the default entry has no
    // relaxed module) keeps the instance and the thread count not given.
    const kept = nr.tensor([4]);
    await nr.init({ relaxedSimd: true });
    expect(nr.threads()).toMatchObject({ count: 3, relaxedSimd: false, relaxedReason: "the default entry does not carry the relaxed-SIMD module: import 'neurite/url' for it" });
    expect(Array.from(kept.data())).toEqual([4]);
    kept.dispose();
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const t2 = nr.tensor([1]);
    await nr.init({ source: readFileSync(join(import.meta.dirname, '../build/core.wasm')) });
    expect(() => t2.data()).toThrow(nr.DisposedError);
  });
});

describe('workers of the default init (issue 12: cold starts)', () => {
  const want = Math.min(availableParallelism(), 8);
  /** The core's wanted word (1 once a call large enough to split ran without workers). */
  const wanted = () => new Uint32Array(raw().memory.buffer)[raw().nr_threads_wanted_ptr() >>> 2];
  /** A 784-128-10 model's first predict of one row: 200 Kflop, below the split threshold. */
  const smallWork = () => {
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }), nr.layers.dense({ units: 10, activation: 'softmax' })] });
    const y = nr.tidy(() => hexBits(m.predict(nr.ones([1, 784])).data()) + hexBits(nr.randomNormal([7, 9], { seed: 2 }).matMul(nr.ones([9, 5])).exp().sum().data()));
    m.dispose();
    return y;
  };
  const bigWork = () => nr.tidy(() => {
    const a = nr.randomUniform([300, 200], { seed: 3 });
    return hexBits(nr.matMul(a, a, false, true).relu().data());
  });

  it.skipIf(want < 2)('start none until a call is large enough to split, then start (that call on one thread) with the same bits', async () => {
    await nr.init({ threads: 1 });
    const [small1, big1] = [smallWork(), bigWork()];
    const ref = await mlpTraining(nr);
    nr.shutdown();
    const said: string[] = [];
    // Node's notices go to console.warn (stderr), browsers' to console.info.
    const warn = console.warn;
    console.warn = (m: unknown) => void said.push(String(m));
    try {
      await nr.init();
      const start = nr.memory();
      expect(nr.threads()).toMatchObject({ count: 1, requested: want, reason: 'the workers start at the first call large enough to split (none has run yet); await threadsReady() to start them now' });
      expect(said).toEqual([]); // nothing fell back: no notice
      expect(smallWork()).toBe(small1);
      expect(liveWorkers()).toBe(0);
      expect(wanted()).toBe(0);
      expect(nr.memory()).toMatchObject({ numTensors: start.numTensors, numBytes: start.numBytes, threads: 1 });
      // The first large call runs on the calling thread and starts the pool.
      expect(bigWork()).toBe(big1);
      expect(liveWorkers()).toBe(want - 1);
      expect(wanted()).toBe(1);
      expect(nr.threads().requested).toBe(want);
      expect(await nr.threadsReady()).toMatchObject({ count: want, requested: want, reason: null });
      expect(bigWork()).toBe(big1);
      // A repeated init() keeps the pool; init with the same count given keeps it too.
      await nr.init();
      await nr.init({ threads: want });
      expect(nr.threads()).toMatchObject({ count: want, reason: null });
      expect(liveWorkers()).toBe(want - 1);
      // Training from a fresh default instance: the first steps on one thread, the rest split
      // as the workers join; the same bits as one thread.
      nr.shutdown();
      await nr.init();
      expect((await mlpTraining(nr)).hex).toBe(ref.hex);
      expect(liveWorkers()).toBe(want - 1);
      expect(said).toEqual([]);
    } finally {
      console.warn = warn;
    }
  });

  it.skipIf(want < 2)('init({ threads }) given where the default waits starts the workers and waits; another count re-threads; threadsReady() waits for an init in progress', async () => {
    nr.shutdown();
    await expect(nr.threadsReady()).rejects.toMatchObject({ code: 'NotInitialized' });
    await nr.init();
    const t = nr.tensor([1, 2, 3]);
    await nr.init({ threads: want });
    expect(nr.threads()).toMatchObject({ count: want, requested: want, reason: null });
    expect(Array.from(t.data())).toEqual([1, 2, 3]);
    nr.shutdown();
    await nr.init();
    await nr.init({ threads: 3 });
    expect(nr.threads()).toMatchObject({ count: 3, requested: 3, reason: null });
    await nr.init({ threads: 1 });
    expect(liveWorkers()).toBe(0);
    nr.shutdown();
    const pending = nr.init();
    const ready = nr.threadsReady();
    await pending;
    expect(await ready).toMatchObject({ count: want, reason: null });
  });

  it.skipIf(want < 2)('threadsReady() waits for the pool of an init({ threads }) made meanwhile (it resolved with 1 of 3); shutdown() during an init wins (the init made a new instance after it)', async () => {
    nr.shutdown();
    await nr.init();
    const ready = nr.threadsReady();
    const more = nr.init({ threads: 3 });
    expect(await ready).toMatchObject({ count: 3, requested: 3, reason: null });
    await more;
    await nr.init({ threads: 1 });
    const t = nr.tensor([1, 2, 3]);
    for (const opts of [{ threads: 2 }, { threads: 3, relaxedSimd: false }]) {
      const pending = nr.init(opts);
      nr.shutdown();
      await expect(pending).rejects.toThrow(/^init: shutdown\(\) was called while this init was running, so neurite stays shut down; call init\(\) again to start it$/);
      expect(nr.threads().count).toBe(0);
      expect(liveWorkers()).toBe(0);
      await nr.init({ threads: 1 });
    }
    expect(() => t.data()).toThrow(nr.DisposedError);
    expect(nr.threads().count).toBe(1);
  });

  it.skipIf(want < 2)('changing the thread count again and again does not grow memory: a leaving worker frees its kernels\' buffers (each pool lost ~0.4 MB)', async () => {
    await nr.init({ threads: 1 });
    const a = nr.randomNormal([300, 300], { seed: 1 });
    const x = nr.randomNormal([4, 32, 32, 8], { seed: 2 });
    const f = nr.randomNormal([3, 3, 8, 16], { seed: 3 });
    const step = async (n: number): Promise<void> => {
      await nr.init({ threads: n });
      nr.tidy(() => void [a.matMul(a), nr.conv2d(x, f, 1, 'same')]);
    };
    for (let i = 0; i < 4; i++) await step(i % 2 ? 1 : 2);
    const before = nr.memory().wasmBytes;
    for (let i = 0; i < 40; i++) await step(i % 2 ? 1 : 2);
    expect(nr.memory().wasmBytes - before).toBeLessThan(1 << 20);
    nr.dispose([a, x, f]);
  });

  it.skipIf(want < 2)('a worker that fails to start at the first large call leaves one thread, says why (once), and the call and the next give the right bits', async () => {
    await nr.init({ threads: 1 });
    const big1 = bigWork();
    const mod = new WebAssembly.Module(readFileSync(join(ROOT, 'build/core.wasm')));
    const fallbacks: string[] = [];
    const cfg = (spawner: Spawner) => ({ threads: 2, spawner, reason: null, relaxedSimd: false, relaxedReason: null, defer: true, onFallback: () => void fallbacks.push(nr.threads().reason!) });
    // A worker that cannot even be constructed, and one that fails to load (reported later).
    const throwing: Spawner = () => {
      throw new Error('refused by a policy');
    };
    const failing: Spawner = () => ({ post() {}, listen: (_r, onError) => void setTimeout(() => onError('the worker script failed to load'), 5), terminate() {} });
    const cases = [[throwing, 'the workers failed to start: refused by a policy'], [failing, 'the workers failed to start: worker 0 failed: the worker script failed to load']] as const;
    for (const [spawner, reason] of cases) {
      fallbacks.length = 0;
      await instantiate(mod, cfg(spawner));
      expect(nr.threads()).toMatchObject({ count: 1, requested: 2 });
      expect(bigWork()).toBe(big1);
      expect(await nr.threadsReady()).toMatchObject({ count: 1, requested: 2, reason });
      expect(fallbacks).toEqual([nr.threads().reason]);
      expect(liveWorkers()).toBe(0);
      expect(bigWork()).toBe(big1);
      expect(liveWorkers()).toBe(0); // no retry at every large call
    }
    nr.shutdown();
  });
});

describe('bit-identical results for any thread count', () => {
  it('seeded MLP training (784-64-10, 256 samples, 2 epochs) and the smoke model: 1, 2, 3 and 8 threads', async () => {
    const report = (await threadsReport(nr, [1, 2, 3, 8])) as { runs: Array<{ threads: number; count: number; mlpHex: string; predictHex: string; trainHex: string; memoryThreads: number }>; error?: string };
    expect(report.error).toBeUndefined();
    expect(report.runs.map((r) => r.count)).toEqual([1, 2, 3, 8]);
    expect(report.runs.map((r) => r.memoryThreads)).toEqual([1, 2, 3, 8]);
    for (const r of report.runs.slice(1)) {
      expect(r.mlpHex === report.runs[0].mlpHex, `MLP weights with ${r.threads} threads`).toBe(true);
      expect(r.predictHex === report.runs[0].predictHex, `MLP predictions with ${r.threads} threads`).toBe(true);
      expect(r.trainHex, `smoke model with ${r.threads} threads`).toBe(report.runs[0].trainHex);
    }
    // The same bits as the built bundle's reference run in this process.
    requireDist();
    expect(report.runs[0].trainHex).toBe((await nodeReference()).trainHex);
  });

  /**
   * Every kernel family at `sizes`, as bit digests (`bits`): at the split threshold's sizes that
   * is ~84 million values per call, which as hex strings took ~20 s of the test's JS alone
   * (and > 240 s when the machine was shared).
   */
  function kernels(sizes: number[]): Record<string, string> {
    const out: Record<string, string> = {};
    let seed = 100;
    const rnd = (shape: number[]) => nr.randomNormal(shape, { seed: seed++ });
    nr.tidy(() => {
      for (const m of sizes) {
        for (const n of [1, 5, 17]) {
          const k = (m % 7) + 3;
          const a = rnd([m, k]);
          const b = rnd([k, n]);
          out[`matMul ${m}x${k}x${n}`] = bits(a.matMul(b).data());
          out[`matMul tA ${m}`] = bits(nr.matMul(rnd([k, m]), b, { transposeA: true }).data());
          out[`matMul tB ${m}`] = bits(nr.matMul(a, rnd([n, k]), { transposeB: true }).data());
        }
        const x = rnd([m, 3]);
        const y = rnd([m, 3]);
        out[`add ${m}`] = bits(x.add(y).data());
        out[`mul ${m}`] = bits(x.mul(y).data());
        out[`exp ${m}`] = bits(x.exp().data());
        out[`relu ${m}`] = bits(nr.relu(x).data());
        out[`tanh ${m}`] = bits(nr.tanh(x).data());
        out[`softmax ${m}`] = bits(nr.softmax(x).data());
        out[`sum ${m}`] = bits(x.sum().data());
        out[`sum0 ${m}`] = bits(x.sum(0).data());
        out[`mean1 ${m}`] = bits(nr.mean(x, 1).data());
        out[`max ${m}`] = bits(nr.max(x).data());
        out[`variance ${m}`] = bits(nr.variance(x).data());
        // The 1-D DCT: whole rows of 17 per task, about 16 Ki values each.
        out[`dct1d ${m}`] = bits(nr.compression.dct.forward1d(rnd([m, 17])).data());
        // Short rows, several on SIMD lanes (reduce_rows), in blocks of rows per thread.
        for (const r of [2, 5, 15]) {
          const s = rnd([m, r]);
          out[`short rows ${r} ${m}`] = [nr.sum(s, -1), nr.max(s, -1), nr.argMin(s, -1), nr.variance(s, -1), nr.softmax(s)].map((t) => bits(t.data())).join();
          // Broadcasts against short rows (kernels/broadcast_rows, chunks of whole periods of
          // rows) and leading-axis reductions of short rows (kernels/reduce_columns).
          const col = rnd([m, 1]);
          const row = rnd([r]);
          out[`short broadcasts ${r} ${m}`] = [nr.sub(s, col), nr.div(col, s), nr.maximum(s, row), nr.less(row, s), nr.mul(col, row.reshape([1, r]))].map((t) => bits(t.data())).join();
          out[`short columns ${r} ${m}`] = [nr.sum(s, 0), nr.mean(s, 0), nr.max(s, 0), nr.min(s, 0), nr.variance(s, 0)].map((t) => bits(t.data())).join();
        }
        // Convolutions: the patches are gathered and scattered back by groups of samples, and
        // a dense layer's bias and activation run on the GEMM's bands (at the odd sizes only:
        // the split threshold's sizes would be ~20,000 images).
        if (m > 2000) continue;
        const img = rnd([m, 5, 4, 2]);
        const filt = rnd([3, 3, 2, 3]);
        out[`conv2d ${m}`] = bits(nr.conv2d(img, filt, 1, 'same').data());
        const [gImg, gFilt] = nr.grads((a, f) => nr.conv2d(a, f, [2, 1], 'same').square().sum())([img, filt]);
        out[`conv2d grads ${m}`] = bits(gImg.data()) + bits(gFilt.data());
        out[`maxPool ${m}`] = bits(nr.maxPool(img, 2, 1, 'same').data());
        // Depthwise: forward lines, dx by input-row bands (the scatter: multiplier 2, stride
        // 2) or as the rotated forward (multiplier 1, stride 1), dfilter in fixed blocks.
        const dw2 = rnd([3, 2, 2, 2]);
        const dw1 = rnd([2, 3, 2, 1]);
        out[`depthwiseConv2d ${m}`] = bits(nr.depthwiseConv2d(img, dw2, [2, 1], 'same').data());
        for (const [name, f, s] of [['scatter', dw2, 2], ['rotated', dw1, 1]] as const) {
          const [gI, gF] = nr.grads((a, w) => nr.depthwiseConv2d(a, w, s, 'same').square().sum())([img, f]);
          out[`depthwiseConv2d grads ${name} ${m}`] = bits(gI.data()) + bits(gF.data());
        }
        // The forward's splatted walk (multiplier 4) and grouped walk (multiplier 1 on 2
        // channels, stride 1).
        out[`depthwiseConv2d splat ${m}`] = bits(nr.depthwiseConv2d(img, rnd([3, 3, 2, 4]), 1, 'same').data());
        out[`depthwiseConv2d grouped ${m}`] = bits(nr.depthwiseConv2d(img, dw1, 1, 'same').data());
        // Bilinear resizing: blocks of output rows, each blending its own input rows.
        out[`resizeBilinear ${m}`] = bits(nr.image.resizeBilinear(img, [11, 9]).data());
        // Batch normalization's row passes, forward and backward.
        const bn = nr.sequential({ layers: [nr.layers.batchNormalization({ inputShape: [5, 4, 2] })] });
        out[`batchNormalization ${m}`] = bits((bn.apply(img, { training: true }) as nr.Tensor).data());
        out[`batchNormalization dx ${m}`] = bits(nr.grad((a: nr.Tensor) => (bn.apply(a, { training: true }) as nr.Tensor).square().sum())(img).data());
        bn.dispose();
        const dense = nr.sequential({ seed: 5, layers: [nr.layers.dense({ inputShape: [3], units: 7, activation: 'softmax', biasInitializer: 'ones' })] });
        out[`dense softmax ${m}`] = bits(dense.predict(x).data());
        dense.dispose();
      }
    });
    return out;
  }

  const ODD = [1, 2, 3, 7, 13, 31, 61, 127, 257, 1031];

  it('with min_work forced to 1, matMul (plain and transposed), element-wise ops and reductions at odd sizes equal one thread bit for bit', async () => {
    await nr.init({ threads: 1 });
    const one = kernels(ODD);
    for (const threads of [2, 3, 8]) {
      await nr.init({ threads });
      expect(nr.threads().count).toBe(threads);
      const before = tx().nr_threads_min_work();
      tx().nr_threads_set_min_work(1);
      const got = kernels(ODD);
      tx().nr_threads_set_min_work(before);
      for (const [name, hex] of Object.entries(one)) expect(got[name] === hex, `${name} with ${threads} threads`).toBe(true);
    }
  });

  it('sizes just below, at and above the default split threshold equal one thread', async () => {
    await nr.init({ threads: 1 });
    await nr.init({ threads: 3 });
    const minWork = tx().nr_threads_min_work();
    expect(minWork).toBeGreaterThan(1);
    // Element-wise work is elements; matMul work is about m·k·n.
    const around = [minWork - 1, minWork, minWork + 1].map((w) => Math.ceil(w / 3));
    const three = kernels(around);
    await nr.init({ threads: 1 });
    const one = kernels(around);
    for (const [name, hex] of Object.entries(one)) expect(three[name] === hex, name).toBe(true);
    // 4 s here at load 4 (it was 44–51 s with hex strings of the bits: the test's own JS, not
    // the pool; three threads on two cores ran these sizes as fast as one, also at load 8).
  }, 240_000);
});

describe('shared memory', () => {
  it('memory that grows while workers run is read through fresh views, with the same bits as one thread', async () => {
    const run = () => nr.tidy(() => {
      const before = nr.memory().wasmBytes;
      const big = nr.randomNormal([2048, 1024], { seed: 9 }); // 8 MiB: memory grows
      const w = nr.randomNormal([1024, 33], { seed: 10 });
      const y = big.matMul(w).relu().sum(0);
      expect(nr.memory().wasmBytes).toBeGreaterThan(before);
      return hexBits(y.data()) + hexBits(big.slice([2047, 0], [1, 1024]).data());
    });
    // Fresh instances (shutdown first): their memory starts small, so the 8 MiB tensor grows it.
    nr.shutdown();
    await nr.init({ threads: 1 });
    const one = run();
    nr.shutdown();
    await nr.init({ threads: 3 });
    expect(run() === one).toBe(true);
  });
});

describe('faults and lifecycle', () => {
  it('a task that panics on a worker is a WasmPanicError; the pool is rebuilt and the next call works', async () => {
    await nr.init({ threads: 2 });
    const ref = await mlpTraining(nr);
    for (let round = 0; round < 2; round++) {
      const t = nr.tensor([1, 2, 3]);
      let err: unknown;
      const t0 = Date.now();
      try {
        call((e) => e.nr_debug_panic_in_worker(64));
      } catch (e) {
        err = e;
      }
      expect(Date.now() - t0).toBeLessThan(20_000);
      expect(err).toBeInstanceOf(nr.WasmPanicError);
      expect((err as Error).message).toMatch(/worker/);
      expect(() => t.data()).toThrow(nr.DisposedError);
      // The old workers are terminated, the new ones join.
      expect(liveWorkers()).toBe(1);
      await until(() => nr.threads().count === 2, 20_000, 'the rebuilt pool to join');
      expect((await mlpTraining(nr)).hex).toBe(ref.hex);
    }
  });

  it.skipIf(availableParallelism() < 2)('a worker that exits on its own between calls (terminated from outside) is replaced, and the console says so once; the tensors stay valid (threads() kept saying 2, on one thread)', async () => {
    nr.shutdown();
    const mod = new WebAssembly.Module(readFileSync(join(ROOT, 'build/core.wasm')));
    const { Worker } = await import('node:worker_threads');
    const started: InstanceType<typeof Worker>[] = [];
    // The real spawner, keeping each worker so that the test can end one.
    class Kept extends Worker {
      constructor(...args: ConstructorParameters<typeof Worker>) {
        super(...args);
        started.push(this);
      }
    }
    const { workerMain } = await import('../ts/threads/worker.js');
    const spawner = (await import('../ts/threads/pool.js')).nodeSpawner(Kept as never, `(${String(workerMain)})()`);
    await instantiate(mod, { threads: 2, spawner, reason: null, relaxedSimd: false, relaxedReason: null });
    await until(() => nr.threads().count === 2, 20_000, 'the pool to join');
    const ref = await mlpTraining(nr);
    const kept = nr.tensor([1, 2, 3]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await started[0].terminate();
      await until(() => started.length === 2 && nr.threads().count === 2, 20_000, 'a new worker to join');
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual(['neurite: worker 0 failed: exited (code 1); its pool was replaced by new workers (threads() counts them once they joined)']);
    } finally {
      warn.mockRestore();
    }
    expect(liveWorkers()).toBe(1);
    expect(Array.from(kept.data())).toEqual([1, 2, 3]);
    expect((await mlpTraining(nr)).hex).toBe(ref.hex);
    kept.dispose();
  });

  it.skipIf(availableParallelism() < 2)("the worker's source text runs as esbuild's keepNames leaves it (tsx, CDK's keepNames: a __name call inside); a bundler's other helper is named in threads().reason", async () => {
    const mod = new WebAssembly.Module(readFileSync(join(ROOT, 'build/core.wasm')));
    const { Worker } = await import('node:worker_threads');
    const { workerMain, workerText } = await import('../ts/threads/worker.js');
    const { nodeSpawner } = await import('../ts/threads/pool.js');
    // What esbuild --keep-names makes of a function with a named inner function.
    const kept = (helper: string) => String(workerMain).replace('{', `{${helper}(function inner() {}, 'inner');`);
    nr.shutdown();
    await instantiate(mod, { threads: 2, spawner: nodeSpawner(Worker as never, workerText(kept('__name'))), reason: null, relaxedSimd: false, relaxedReason: null });
    await until(() => nr.threads().count === 2, 20_000, 'the pool to join');
    expect(nr.threads().reason).toBeNull();
    nr.shutdown();
    // Before: "worker 0 failed: __name is not defined", with nothing to act on.
    await instantiate(mod, { threads: 2, spawner: nodeSpawner(Worker as never, workerText(kept('__publicField'))), reason: null, relaxedSimd: false, relaxedReason: null });
    await until(() => nr.threads().reason !== null, 20_000, 'the pool to fail');
    expect(nr.threads().count).toBe(1);
    expect(nr.threads().reason).toMatch(/^the workers failed to start: worker 0 failed: __publicField is not defined \(__publicField is a helper that a bundler or loader added to neurite's worker code, which runs on its own: esbuild's keepNames/);
    nr.shutdown();
    await nr.init({ threads: 2 });
  });

  it('5 × init/shutdown and 5 × init with other options leak no workers (pool registry and OS threads)', async () => {
    nr.shutdown();
    await until(() => liveWorkers() === 0, 5000, 'no live pool');
    const base = osThreads();
    for (let i = 0; i < 5; i++) {
      await nr.init({ threads: 3 });
      expect(liveWorkers()).toBe(2);
      nr.tensor([1]).add(1).dispose();
      nr.shutdown();
      expect(liveWorkers()).toBe(0);
      expect(nr.threads().count).toBe(0);
    }
    for (let i = 0; i < 5; i++) await nr.init({ threads: 3 - (i % 2) });
    expect(liveWorkers()).toBe(2); // the last init: 3 threads
    nr.shutdown();
    // Terminated worker threads end asynchronously. A slack of 2 for threads the runtime may
    // start lazily (libuv's pool); the 15 workers started above would leave 15 or more.
    await until(() => osThreads() <= base + 2, 20_000, `OS threads back to ${base} (now ${osThreads()})`);
  });

  it('concurrent init calls with different options run one after another and end on the last call\'s options', async () => {
    for (let i = 0; i < 4; i++) {
      await Promise.all([nr.init({ threads: 1 }), nr.init({ threads: 3 })]);
      expect(nr.threads()).toMatchObject({ count: 3, requested: 3, reason: null });
      await Promise.all([nr.init({ threads: 3 }), nr.init({ threads: 1 }), nr.init()]);
      expect(nr.threads()).toMatchObject({ count: 1, requested: 1 });
      await nr.init({ threads: 3 });
      expect(nr.threads().count).toBe(3);
    }
    expect(liveWorkers()).toBe(2);
    nr.tensor([1]).add(1).dispose();
  });

  it('a trap on the calling thread with workers running is a WasmPanicError too, and threads come back', async () => {
    await nr.init({ threads: 2 });
    expect(() => call((e) => e.nr_debug_panic(5))).toThrow(nr.WasmPanicError);
    expect(liveWorkers()).toBe(1);
    await until(() => nr.threads().count === 2, 20_000, 'the rebuilt pool to join');
    expect(Array.from(nr.tensor([1, 2]).mul(2).data())).toEqual([2, 4]);
  });
});

describe('processes exit by themselves (built bundles)', () => {
  for (const entry of ['inline', 'url'] as const) {
    for (const mode of ['idle', 'busy']) {
      it(`node, ${entry} entry, workers ${mode} when the script ends`, async () => {
        requireDist();
        const { stdout } = await run(process.execPath, [join(ROOT, 'test/runtimes/threads.mjs'), entry, '1,2', mode], { cwd: ROOT, timeout: 60_000, maxBuffer: 1 << 26 });
        const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as { runs: Array<{ count: number; mlpHex: string }>; error?: string };
        expect(r.error).toBeUndefined();
        expect(r.runs.map((x) => x.count)).toEqual([1, 2]);
        expect(r.runs[1].mlpHex).toBe(r.runs[0].mlpHex);
      });
    }
  }
});

describe('processes with the default init exit by themselves (built bundles)', () => {
  for (const entry of ['inline', 'url'] as const) {
    it(`node, ${entry} entry: no large call (no workers), and workers starting at the last call`, async () => {
      requireDist();
      const file = join(ROOT, entry === 'url' ? 'dist/url/index.js' : 'dist/index.js');
      const script = `
        const nr = await import(${JSON.stringify(file)});
        await nr.init();
        const small = nr.tensor([[1, 2]]).matMul(nr.tensor([[3], [4]])).dataSync()[0];
        const before = nr.threads().count;
        // Large enough to split: the pool starts after it, as the script ends.
        const a = nr.randomNormal([300, 300], { seed: 1 });
        const big = a.matMul(a).sum().dataSync()[0];
        console.log(JSON.stringify({ small, before, big: Number.isFinite(big), requested: nr.threads().requested }));`;
      for (const last of [false, true]) {
        const t0 = Date.now();
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', last ? script : script.replace(/const a = [^]*?dataSync\(\)\[0\];/, 'const big = 0;')], { cwd: ROOT, timeout: 60_000 });
        expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ small: 11, before: 1, big: true, requested: Math.min(availableParallelism(), 8) });
        expect(Date.now() - t0).toBeLessThan(20_000);
      }
    });
  }
});

describe('a cold init compiles only neurite (built bundles)', () => {
  // init({ threads: 1 }) read the global Response (to tell options from a source), which in
  // Node loads its fetch, undici, whose own wasm compile cost 20–50 ms of a cold start.
  for (const entry of ['inline', 'url'] as const) {
    it(`node, ${entry} entry: init(), init({}) and init({ threads: 1 }) compile one module`, async () => {
      requireDist();
      const file = join(ROOT, entry === 'url' ? 'dist/url/index.js' : 'dist/index.js');
      for (const arg of ['', '{}', '{ threads: 1 }']) {
        const script = `
          let compiles = 0;
          const compile = WebAssembly.compile;
          WebAssembly.compile = (...a) => (compiles++, compile(...a));
          const nr = await import(${JSON.stringify(file)});
          await nr.init(${arg});
          console.log(JSON.stringify({ compiles }));`;
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, timeout: 60_000 });
        expect(JSON.parse(stdout.trim().split('\n').at(-1)!), `init(${arg})`).toEqual({ compiles: 1 });
      }
    });
  }
});

describe('relaxed SIMD (neurite/url, built)', () => {
  // test/runtimes/threads.mjs's relaxedReport, as the browser suites run it.
  const script = `
    const nr = await import(${JSON.stringify(join(ROOT, 'dist/url/index.js'))});
    const { relaxedReport } = await import(${JSON.stringify(join(ROOT, 'test/runtimes/threads.mjs'))});
    const info = [];
    console.warn = (m) => info.push(String(m));
    const out = await relaxedReport(nr);
    out.notices = info;
    console.log(JSON.stringify(out));`;

  async function runRelaxed(flags: string[]) {
    requireDist();
    const { stdout } = await run(process.execPath, [...flags, '--input-type=module', '-e', script], { cwd: ROOT, timeout: 60_000, maxBuffer: 1 << 26 });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as RelaxedReport & { notices: string[] };
  }

  it('without runtime support (Node 20 without the flag) it falls back to the plain module and says so once', async () => {
    const r = await runRelaxed([]);
    checkRelaxed(r, false);
    expect(r.notices.filter((m) => /relaxedSimd/.test(m))).toHaveLength(1);
  });

  it('core-relaxed.wasm holds relaxed-SIMD code (Node 20 without the flag rejects it) and core.wasm none', () => {
    requireDist();
    const flagged = process.execArgv.some((a) => a.includes('relaxed-simd'));
    expect(WebAssembly.validate(readFileSync(join(ROOT, 'dist/url/core-relaxed.wasm')))).toBe(flagged);
    expect(WebAssembly.validate(readFileSync(join(ROOT, 'dist/url/core.wasm')))).toBe(true);
  });

  it('with --experimental-wasm-relaxed-simd it loads core-relaxed.wasm; results agree within a tolerance', async () => {
    checkRelaxed(await runRelaxed(['--experimental-wasm-relaxed-simd']), true);
  });
});

describe('the inline default entry has no relaxed module', () => {
  it('relaxedSimd: true falls back with a reason', async () => {
    await nr.init({ threads: 1, relaxedSimd: true });
    expect(nr.threads()).toMatchObject({ relaxedSimd: false, relaxedReason: expect.stringMatching(/neurite\/url/) });
    // seededTraining still runs (the plain module)
    expect((await seededTraining(nr)).hex.length).toBeGreaterThan(0);
  });
});

// Browsers refuse TextDecoder.decode on a view of a SharedArrayBuffer ("must not be shared"),
// and with threads the wasm memory is shared; Node accepts it, so only the Chromium suite would
// notice. Strings come out of wasm memory through engine.readString, which copies first.
describe('no TextDecoder reads shared wasm memory directly', () => {
  it('every decode of wasm memory in ts/ goes through engine.readString', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(join(ROOT, 'ts'));
    const offenders = files.flatMap((f) =>
      readFileSync(f, 'utf8').split('\n').flatMap((line, i) => (/\.decode\([^;]*memory\.buffer/.test(line) && !/\.slice\(\)/.test(line) ? [`${relative(ROOT, f)}:${i + 1}`] : [])),
    );
    expect(offenders).toEqual([]);
  });
});

