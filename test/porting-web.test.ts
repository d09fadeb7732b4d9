// Porting a TF.js browser app (issue: rough edges a new user reported): tf.util (ts/util.ts)
// against TF.js 4.22's own tf.util where they agree, and seeded where they differ by design;
// Tensor.toInt/toBool/toFloat (ts/tensor.ts, ts/ops/conversions.ts); fit's and fitDataset's
// yieldEvery (ts/models/fit.ts), counted in macrotask turns between batches; the storage
// schemes' messages in a Web Worker and a page without localStorage, faked in Node as
// test/io-manage.test.ts fakes localStorage (ts/io/router.ts); and io.browserFiles with the
// files in either order, without binary bytes in its messages (ts/io/handlers/). data.csv and
// a server's HTML fallback page are in test/data-csv.test.ts (its HTTP server).
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's chained ops (t.toInt(), …) are registered by this import, as @tensorflow/tfjs does.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as nr from '../ts/index.js';
import { getSaveHandler, noFiles } from '../ts/io/router.js';
import { readLoopArgs as loopArgs } from '../ts/models/fit.js';
import { failTestsThatLeak, invalidMessage, thrown } from './setup.js';
import { model, data, rejection } from './fit-helpers.js';
import { f32, folder, fresh, load, save, spec } from './io-helpers.js';

const { util } = nr;
const Invalid = nr.InvalidArgumentError;

failTestsThatLeak();
const invalid = invalidMessage;

const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('util (tf.util)', () => {
  it('shuffle: in place, a permutation, the same order for the same seed (number or string), others for others', () => {
    const a = iota(50);
    const back = util.shuffle(a, 42);
    expect(back).toBe(a);
    expect([...a].sort((x, y) => x - y)).toEqual(iota(50));
    expect(a).not.toEqual(iota(50));
    expect(util.shuffle(iota(50), 42)).toEqual(a);
    expect(util.shuffle(iota(50), 43)).not.toEqual(a);
    expect(util.shuffle(iota(50), 'forty-two')).toEqual(util.shuffle(iota(50), 'forty-two'));
    expect(util.shuffle(iota(50), 'forty-two')).not.toEqual(a);
    // Any element type and any typed array, reordered the same way by the same seed.
    const words = iota(50).map((i) => `w${i}`);
    util.shuffle(words, 42);
    expect(words).toEqual(a.map((i) => `w${i}`));
    for (const T of [Float32Array, Int32Array, Uint32Array, Uint8Array, Float64Array]) {
      const t = util.shuffle(T.from(iota(50)), 42);
      expect(Array.from(t), T.name).toEqual(a);
    }
    // Lengths 0 and 1 are left as they are.
    expect(util.shuffle([], 1)).toEqual([]);
    expect(util.shuffle(['only'], 1)).toEqual(['only']);
  });

  it('shuffle is uniform: each of the 6 orders of 3 items about equally often over 6,000 seeds', () => {
    const counts = new Map<string, number>();
    for (let seed = 0; seed < 6000; seed++) {
      const k = util.shuffle(['a', 'b', 'c'], seed).join('');
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    // Binomial(6000, 1/6): sd ≈ 29; 5 sd either side.
    for (const [k, c] of counts) expect(Math.abs(c - 1000), k).toBeLessThan(145);
    // The last place too (an off-by-one Fisher–Yates never moves the last item or never leaves it).
    const last = iota(4).map(() => 0);
    for (let seed = 0; seed < 4000; seed++) last[util.shuffle(iota(4), seed)[3]]++;
    for (const c of last) expect(Math.abs(c - 1000)).toBeLessThan(140);
  });

  it('shuffle without a seed: each call a new order, the same sequence of orders after the same setSeed (as the random ops)', () => {
    nr.setSeed(1234);
    const first = [util.shuffle(iota(20)), util.shuffle(iota(20)), Array.from(util.createShuffledIndices(20))];
    expect(first[0]).not.toEqual(first[1]);
    nr.setSeed(1234);
    expect([util.shuffle(iota(20)), util.shuffle(iota(20)), Array.from(util.createShuffledIndices(20))]).toEqual(first);
    // An explicit seed does not depend on the global generator.
    nr.setSeed(99);
    const seeded = util.shuffle(iota(20), 5);
    nr.setSeed(1234);
    expect(util.shuffle(iota(20), 5)).toEqual(seeded);
  });

  it('shuffleCombo keeps pairs together (the permutation shuffle gives with the same seed); lengths must match', () => {
    const xs = iota(30);
    const ys = new Float32Array(iota(30).map((i) => i * 10));
    util.shuffleCombo(xs, ys, 7);
    expect(xs).toEqual(util.shuffle(iota(30), 7));
    expect(Array.from(ys)).toEqual(xs.map((i) => i * 10));
    // As TF.js: pairs stay together there too (its order is random).
    const a = iota(30), b = iota(30).map((i) => -i);
    tf.util.shuffleCombo(a, b);
    expect(b).toEqual(a.map((i) => -i));
    expect(invalid(() => util.shuffleCombo([1, 2, 3], [1, 2]))).toBe('util.shuffleCombo: array has 3 elements but array2 has 2; the two are shuffled together, so they need the same length');
    expect(() => tf.util.shuffleCombo([1, 2, 3], [1, 2])).toThrow(/Array sizes must match/);
  });

  it('createShuffledIndices: a Uint32Array permutation of 0 … n−1, as TF.js\'s; seeded', () => {
    const tfIdx = tf.util.createShuffledIndices(100);
    const idx = util.createShuffledIndices(100, 3);
    expect(idx).toBeInstanceOf(Uint32Array);
    expect(idx.constructor).toBe(tfIdx.constructor);
    expect(Array.from(idx).sort((x, y) => x - y)).toEqual(Array.from(tfIdx).sort((x, y) => x - y));
    expect(Array.from(idx)).toEqual(util.shuffle(iota(100), 3));
    expect(Array.from(util.createShuffledIndices(100, 3))).toEqual(Array.from(idx));
    expect(util.createShuffledIndices(0).length).toBe(0);
  });

  it('sizeFromShape, arraysEqual and flatten give what TF.js\'s give', () => {
    for (const s of [[], [0], [5], [2, 3], [2, 0, 4], [1, 1, 1, 7]]) expect(util.sizeFromShape(s), `[${s}]`).toBe(tf.util.sizeFromShape(s));
    const pairs: Array<[ArrayLike<unknown> | null, ArrayLike<unknown> | null]> = [
      [[1, 2], [1, 2]], [[1, 2], [2, 1]], [[1], [1, 2]], [[], []], [[NaN], [NaN]], [new Float32Array([1, 2]), [1, 2]],
      [new Int32Array([3]), new Float64Array([3])], [['a', 'b'], ['a', 'b']], [[[1]], [[1]]], [null, null], [null, [1]], [[1], null],
    ];
    for (const [a, b] of pairs) expect(util.arraysEqual(a, b), JSON.stringify([a, b])).toBe(tf.util.arraysEqual(a as never, b as never));
    const same = [1];
    expect(util.arraysEqual(same, same)).toBe(true);
    const nests: unknown[] = [[1, [2, [3, [4]]]], [[1, 2], new Float32Array([3, 4])], [['a', [true, null]], [undefined, 5]], [], [[[]], [[], [7]]]];
    for (const n of nests) {
      expect(util.flatten(n as never), JSON.stringify(n)).toEqual(tf.util.flatten(n as never));
      expect(util.flatten(n as never, [], true)).toEqual(tf.util.flatten(n as never, [], true));
    }
    const into = [0];
    expect(util.flatten([[1], [2]], into)).toBe(into);
    expect(into).toEqual(tf.util.flatten([[1], [2]], [0]));
    const typed = new Int32Array([8, 9]);
    expect(util.flatten([1, typed], [], true)[1]).toBe(typed);
  });

  it('flatten: deep nesting works (TF.js recurses), an array that contains itself is an error (TF.js overflows the stack)', () => {
    let deep: unknown[] = [1];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(util.flatten(deep)).toEqual([1]);
    const loop: unknown[] = [1, [2]];
    (loop[1] as unknown[]).push(loop);
    expect(invalid(() => util.flatten(loop))).toBe('util.flatten: nested[1][1] is nested again (an array that contains itself cannot be flattened)');
    // A shared (not cyclic) sub-array is fine.
    const shared = [1, 2];
    expect(util.flatten([shared, [shared]])).toEqual([1, 2, 1, 2]);
  });

  it('now: milliseconds on performance.now()\'s clock (TF.js\'s in browsers; in Node TF.js counts from another origin)', () => {
    const a = util.now();
    const p = performance.now();
    const b = util.now();
    expect(a).toBeLessThanOrEqual(p);
    expect(p).toBeLessThanOrEqual(b);
    // Milliseconds, as TF.js's: 20 ms of waiting is about 20 on both clocks.
    const [t0, n0] = [tf.util.now(), util.now()];
    const until = Date.now() + 20;
    while (Date.now() < until) { /* wait */ }
    expect(Math.abs(util.now() - n0 - (tf.util.now() - t0))).toBeLessThan(5);
  });

  it('assert: nothing when the condition holds (the message is not built), else the message unchanged in an InvalidArgumentError', () => {
    let built = 0;
    util.assert(1 + 1 === 2, () => `${++built}`);
    util.assert('truthy', 'unused');
    expect(built).toBe(0);
    expect(invalid(() => util.assert(false, () => 'expected a matrix, got rank 3'))).toBe('expected a matrix, got rank 3');
    expect(invalid(() => util.assert(0, 'a string message'))).toBe('a string message');
    expect(() => tf.util.assert(false, () => 'expected a matrix, got rank 3')).toThrow('expected a matrix, got rank 3');
    // An InvalidArgumentError is an Error: code that catches TF.js's Error catches it.
    expect(thrown(() => util.assert(false, () => 'x'))).toBeInstanceOf(Error);
    expect(invalid(() => util.assert(true, 5 as never))).toBe('util.assert: message must be a function returning the message (or a string), got 5');
  });

  it('bad arguments are InvalidArgumentErrors naming the function and the argument, never TypeErrors', () => {
    expect(invalid(() => util.shuffle(5 as never))).toBe('util.shuffle: array must be an array or a typed array (it is shuffled in place), got 5; for the indices 0 … 4 in random order use util.createShuffledIndices(5)');
    expect(invalid(() => util.shuffle('abc' as never))).toBe('util.shuffle: array must be an array or a typed array (it is shuffled in place), got the string "abc"');
    expect(invalid(() => util.shuffle(null as never))).toMatch(/^util\.shuffle: array must be an array .*got null$/);
    expect(invalid(() => util.shuffle([1, 2], -1))).toBe('util.shuffle: seed must be an integer between 0 and 2^53, or a string, got -1');
    expect(invalid(() => util.shuffle([1, 2], 1.5))).toMatch(/^util\.shuffle: seed must be/);
    expect(invalid(() => util.shuffleCombo([1], 'x' as never))).toMatch(/^util\.shuffleCombo: array2 must be an array or a typed array/);
    expect(invalid(() => util.createShuffledIndices(2.5))).toBe('util.createShuffledIndices: n must be an integer in [0, 2^32 − 1] (how many indices), got 2.5');
    expect(invalid(() => util.createShuffledIndices(-1))).toMatch(/got -1$/);
    expect(invalid(() => util.createShuffledIndices('10' as never))).toMatch(/got the string "10"$/);
    expect(invalid(() => util.sizeFromShape([2, -1]))).toBe('util.sizeFromShape: shape[1] must be a non-negative integer, got -1');
    expect(invalid(() => util.sizeFromShape(6 as never))).toBe('util.sizeFromShape: shape must be an array of dimensions such as [2, 3], got 6');
    expect(invalid(() => util.arraysEqual('ab' as never, ['a', 'b']))).toBe('util.arraysEqual: a must be an array or a typed array (or null), got the string "ab"');
    expect(invalid(() => util.flatten(7 as never))).toBe('util.flatten: nested must be an array or a typed array, got 7');
  });
});

describe('Tensor.toInt, toBool, toFloat (TF.js 4.22 has all three)', () => {
  it('TF.js 4.22 has them as chained ops', () => {
    for (const k of ['toInt', 'toBool', 'toFloat', 'asType']) expect(typeof (tf.Tensor.prototype as unknown as Record<string, unknown>)[k], k).toBe('function');
    const dtypes = tf.tidy(() => {
      const t = tf.tensor([1.5, 2]);
      return [t.toInt().dtype, t.toBool().dtype, t.toFloat().dtype];
    });
    expect(dtypes).toEqual(['int32', 'bool', 'float32']);
  });

  it('toFloat is a copy, as asType(\'float32\'): a new tensor with the same values, owned by the caller', () => {
    const t = nr.tensor([[1.5, -2], [0, 3]]);
    const f = t.toFloat();
    expect(f).not.toBe(t);
    expect(f.shape).toEqual([2, 2]);
    t.dispose();
    expect(Array.from(f.data())).toEqual([1.5, -2, 0, 3]);
    f.dispose();
  });

  it('toInt and toBool are the InvalidArgumentError cast(t, dtype) gives, with what to do instead', () => {
    const t = nr.tensor([0.2, 0.9]);
    const castError = thrown(() => nr.cast(t, 'int32' as never)) as nr.NeuriteError;
    const before = nr.memory().numTensors;
    const int = thrown(() => t.toInt()) as nr.NeuriteError;
    const bool = thrown(() => t.toBool()) as nr.NeuriteError;
    expect(nr.memory().numTensors).toBe(before);
    for (const e of [int, bool]) {
      expect(e).toBeInstanceOf(Invalid);
      expect(e.constructor).toBe(castError.constructor);
      expect(e.code).toBe(castError.code);
    }
    expect(castError.message).toMatch(/float32 is the only dtype neurite supports today; ints and booleans are stored as float32 values/);
    expect(int.message).toBe(
      "toInt: int32 is not a neurite dtype, as cast(t, 'int32') says: float32 is the only dtype neurite supports today; ints and booleans are stored as float32 values. " +
        'For browser.toPixels(t.toInt(), canvas) pass values in [0, 1] instead: browser.toPixels(t.div(255), canvas); labels and indices stay float32 tensors of whole numbers (oneHot, gather and the losses take them as they are; t.round() or t.floor() makes whole numbers)',
    );
    expect(bool.message).toMatch(/^toBool: bool is not a neurite dtype, as cast\(t, 'bool'\) says: .*Masks are float32 tensors of 0 and 1/);
    t.dispose();
    expect(thrown(() => t.toInt())).toBeInstanceOf(nr.DisposedError);
  });

  it('what the message suggests works: toPixels takes t.div(255) of 0–255 values; a float32 label tensor works with oneHot', async () => {
    const px = nr.tensor([[[255, 0, 128]]]);
    const scaled = px.div(255);
    expect(Array.from(await nr.browser.toPixels(scaled))).toEqual([255, 0, 128, 255]);
    nr.dispose([px, scaled]);
    const labels = nr.tensor([2, 0]);
    const hot = nr.oneHot(labels, 3);
    expect(Array.from(hot.data())).toEqual([0, 0, 1, 1, 0, 0]);
    nr.dispose([labels, hot]);
  });
});

/** Counts turns of the event loop (a `setImmediate` chain), to see when fit yields. */
function turns(): { readonly count: number; stop(): void } {
  let count = 0;
  let on = true;
  const tick = () => {
    count++;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  return { get count() { return count; }, stop() { on = false; } };
}

/**
 * The event-loop turns seen at each onBatchEnd (by epoch) and each onYield while `run` trains
 * with the callbacks given; each batch takes at least `batchMs` (a busy wait in onBatchBegin).
 */
async function yieldsOf(run: (callbacks: nr.CallbackHooks) => Promise<unknown>, batchMs = 0): Promise<{ batches: number[][]; yields: Array<[number, number, number]>; during: number }> {
  const t = turns();
  const batches: number[][] = [];
  const yields: Array<[number, number, number]> = [];
  let begin = 0;
  let epoch = 0;
  try {
    await run({
      onTrainBegin: () => { begin = t.count; },
      onEpochBegin: (e) => { epoch = e; batches[e] = []; },
      onBatchBegin: () => {
        const until = performance.now() + batchMs;
        while (performance.now() < until) { /* a slow batch */ }
      },
      onBatchEnd: () => { batches[epoch].push(t.count); },
      onYield: (e, b) => { yields.push([e, b, t.count]); },
    });
  } finally {
    t.stop();
  }
  const last = batches.at(-1)!.at(-1)!;
  return { batches, yields, during: last - begin };
}

const diffs = (xs: number[]): number[] => xs.slice(1).map((x, i) => x - xs[i]);

describe('fit and fitDataset: yieldEvery (TF.js\'s option)', () => {
  // 20 samples in batches of 4: 5 batches per epoch, 3 epochs.
  const fitWith = (args: nr.FitArgs) => async (callbacks: nr.CallbackHooks) => {
    const m = model();
    const { x, y } = data(20);
    try {
      return await m.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, ...args, callbacks: args.yieldEvery === 'never' ? { ...callbacks, onYield: undefined } : callbacks });
    } finally {
      nr.dispose([m, x, y]);
    }
  };
  const fitDatasetWith = (args: nr.FitDatasetArgs) => async (callbacks: nr.CallbackHooks) => {
    const m = model();
    const { x, y } = data(20);
    // Batches made ahead: a batch() stage yields on its own when filling one batch takes over
    // 16 ms (a GC pause or a loaded machine), which is not fitDataset's yieldEvery (its tests
    // failed under load so).
    const batches = [0, 4, 8, 12, 16].map((s) => ({ xs: nr.slice(x, [s], [4]), ys: nr.slice(y, [s], [4]) }));
    const ds = nr.data.array(batches);
    try {
      return await m.fitDataset(ds, { epochs: 3, verbose: 0, ...args, callbacks: args.yieldEvery === 'never' ? { ...callbacks, onYield: undefined } : callbacks });
    } finally {
      nr.dispose([m, x, y, ...batches.flatMap((b) => [b.xs, b.ys])]);
    }
  };

  for (const [what, run] of [['fit', fitWith], ['fitDataset', fitDatasetWith]] as const) {
    it(`${what}: 'batch' yields after every batch (onYield after each), as yieldEveryMs: 0 and yieldEvery: 0`, async () => {
      for (const args of [{ yieldEvery: 'batch' }, { yieldEveryMs: 0 }, { yieldEvery: 0 }] as const) {
        const r = await yieldsOf(run(args));
        const ends = r.batches.flat();
        expect(ends.length).toBe(15);
        for (const d of diffs(ends)) expect(d, JSON.stringify(args)).toBeGreaterThanOrEqual(1);
        expect(r.yields.map(([e, b]) => [e, b])).toEqual([0, 1, 2].flatMap((e) => iota(5).map((b) => [e, b])));
      }
    });

    it(`${what}: 'never' does not yield at all (no event-loop turn from the first batch to the last), where 'auto' does`, async () => {
      // 15 batches of 3 ms: 'auto' (16 ms) yields a few times.
      const auto = await yieldsOf(run({ yieldEvery: 'auto' }), 3);
      expect(auto.during).toBeGreaterThanOrEqual(1);
      expect(auto.yields.length).toBeGreaterThanOrEqual(1);
      const r = await yieldsOf(run({ yieldEvery: 'never' }), 3);
      expect(r.batches.flat().length).toBe(15);
      expect(r.during).toBe(0);
      expect(r.yields).toEqual([]);
    });

    it(`${what}: 'epoch' yields once per epoch, after onEpochEnd, never between batches`, async () => {
      const r = await yieldsOf(run({ yieldEvery: 'epoch' }));
      for (const e of r.batches) expect(diffs(e)).toEqual([0, 0, 0, 0]);
      for (let e = 1; e < 3; e++) expect(r.batches[e][0] - r.batches[e - 1][4]).toBeGreaterThanOrEqual(1);
      expect(r.yields.map(([e, b]) => [e, b])).toEqual([[0, 4], [1, 4], [2, 4]]);
    });

    it(`${what}: a number of ms is yieldEveryMs (a huge one never yields between batches)`, async () => {
      const r = await yieldsOf(run({ yieldEvery: 1e9 }));
      expect(r.during).toBe(0);
      expect(r.yields).toEqual([]);
    });
  }

  it("'auto' is the default (neurite's 16 ms; TF.js's is 125 ms), a number is yieldEveryMs", () => {
    const plain = loopArgs('fit', {});
    expect(loopArgs('fit', { yieldEvery: 'auto' })).toEqual(plain);
    // null is not given (TF.js: `yieldEvery || 'auto'`), also beside yieldEveryMs.
    expect(loopArgs('fit', { yieldEvery: null as never })).toEqual(plain);
    expect(loopArgs('fit', { yieldEvery: null as never, yieldEveryMs: 40 })).toEqual(loopArgs('fit', { yieldEveryMs: 40 }));
    expect(plain.yieldEvery).toBe(16);
    expect(loopArgs('fit', { yieldEvery: 40 })).toEqual(loopArgs('fit', { yieldEveryMs: 40 }));
    expect(loopArgs('fit', { yieldEvery: 'batch' })).toEqual(loopArgs('fit', { yieldEveryMs: 0 }));
  });

  it('errors: both options, a value that is none of the modes, an onYield hook with \'never\' (as TF.js)', async () => {
    const m = model();
    const { x, y } = data(8);
    const [xs, ys] = [nr.unstack(x), nr.unstack(y)];
    const ds = nr.data.zip({ xs: nr.data.array(xs), ys: nr.data.array(ys) }).batch(4);
    const fit = async (args: nr.FitArgs) => (await rejection(m.fit(x, y, { verbose: 0, ...args }))).message;
    expect(await fit({ yieldEvery: 'batch', yieldEveryMs: 5 })).toBe("fit: yieldEvery (the string \"batch\") and yieldEveryMs (5) are both given; they set the same thing, so pass one: yieldEvery ('auto', 'batch', 'epoch', 'never' or ms, as TF.js) or yieldEveryMs (ms)");
    expect(await fit({ yieldEvery: 'frame' as never })).toBe("fit: yieldEvery must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds >= 0, got the string \"frame\"");
    expect(await fit({ yieldEvery: -1 })).toMatch(/^fit: yieldEvery must be .* got -1$/);
    expect(await fit({ yieldEvery: NaN })).toMatch(/^fit: yieldEvery must be .* got NaN$/);
    expect(await fit({ yieldEvery: 'never', callbacks: [{}, { onYield: () => {} }] })).toBe(
      "fit: yieldEvery is 'never' but callbacks[1] has an onYield hook, which would never run; remove the hook, or yield ('auto', 'batch', 'epoch' or a number of ms)",
    );
    expect((await rejection(m.fitDataset(ds, { yieldEvery: 'epoch', yieldEveryMs: 0 }))).message).toMatch(/^fitDataset: yieldEvery \(the string "epoch"\) and yieldEveryMs \(0\) are both given/);
    expect((await rejection(m.fitDataset(ds, { yieldEvery: true as never }))).message).toMatch(/^fitDataset: yieldEvery must be 'auto'/);
    nr.dispose([m, x, y, xs, ys]);
  });
});

/** A stand-in for a browser's WorkerGlobalScope: `globalThis instanceof WorkerGlobalScope` is true. */
class FakeWorkerScope {
  static [Symbol.hasInstance](o: unknown): boolean {
    return o === globalThis;
  }
}

describe('storage schemes in a Web Worker and in a page without localStorage (faked in Node)', () => {
  const g = globalThis as { WorkerGlobalScope?: unknown; document?: unknown; indexedDB?: unknown };
  afterEach(() => {
    delete g.WorkerGlobalScope;
    delete g.document;
    delete g.indexedDB;
  });
  const saveError = async (url: string) => {
    const m = nr.sequential({ layers: [nr.layers.dense({ units: 1, inputShape: [1] })] });
    try {
      return (await rejection(m.save(url))).message;
    } finally {
      m.dispose();
    }
  };

  it('in a worker, localstorage:// and downloads:// suggest indexeddb:// (which workers have), not file://', async () => {
    g.WorkerGlobalScope = FakeWorkerScope;
    expect(await saveError('localstorage://my-model')).toBe(
      "save: 'localstorage://my-model': localstorage:// needs localStorage (a page's; Web Workers have none); in a worker use indexeddb:// (IndexedDB works in workers, and the page can load what the worker saves there)",
    );
    expect(await saveError('downloads://my-model')).toBe(
      "save: 'downloads://my-model': downloads:// needs a browser page (a Web Worker has no document to start a download from); in a worker save to indexeddb:// (IndexedDB works in workers) and load or download the model from the page, or send the artifacts to the page with io.withSaveHandler",
    );
    expect(noFiles('save', 'file:///tmp/m').message).toBe(
      "save: 'file:///tmp/m': file:// needs Node or Deno (this runtime has no file system); in a Web Worker use indexeddb:// (the page can load what the worker saves there; localstorage:// and downloads:// need the page)",
    );
    // What the messages suggest is there: with IndexedDB (as a worker has), indexeddb:// is accepted.
    g.indexedDB = {};
    expect(typeof getSaveHandler('indexeddb://my-model').save).toBe('function');
    delete g.indexedDB;
    expect(await saveError('indexeddb://my-model')).toBe(
      "save: 'indexeddb://my-model': indexeddb:// needs IndexedDB, which this worker cannot use (a private window or blocked site data can hide it); send the artifacts to the page (io.withSaveHandler) and save them there",
    );
  });

  it('in a page without localStorage (storage blocked), localstorage:// says so and suggests indexeddb://', async () => {
    g.document = {};
    expect(await saveError('localstorage://m')).toBe(
      "save: 'localstorage://m': localstorage:// needs localStorage (this page cannot use it: storage disabled or blocked, e.g. by privacy settings or a sandboxed iframe); use indexeddb:// or downloads://",
    );
    expect(await saveError('indexeddb://m')).toMatch(/^save: 'indexeddb:\/\/m': indexeddb:\/\/ needs IndexedDB, which this page cannot use .*; use localstorage:\/\/ or downloads:\/\/$/);
    expect(noFiles('save', 'file:///m').message).toMatch(/in a browser use indexeddb:\/\/, localstorage:\/\/ or downloads:\/\/$/);
  });

  it('in Node, the messages still say file://', async () => {
    expect(await saveError('localstorage://m')).toMatch(/; in Node use file:\/\/$/);
    expect(await saveError('downloads://m')).toMatch(/\(this runtime has no document\); in Node and Deno use file:\/\/$/);
    expect(await saveError('indexeddb://m')).toMatch(/; in Node and Deno use file:\/\/$/);
  });
});

describe('io.browserFiles: the model.json in any place', () => {
  const good = { modelTopology: { class_name: 'Sequential' }, weightsManifest: [{ paths: ['w.bin'], weights: [spec('k', [2, 3])] }] };
  const w = () => new File([f32(6)], 'w.bin');
  const json = (name = 'model.json') => new File([JSON.stringify(good)], name);

  it('[weights, json] loads as [json, weights] (the one file named *.json is the model.json, as a picker may order them)', async () => {
    const want = await nr.io.browserFiles([json(), w()]).load!();
    for (const files of [[w(), json()], [w(), json('my-model.JSON')]]) {
      const got = await nr.io.browserFiles(files).load!();
      expect(new Uint8Array(got.weightData as ArrayBuffer)).toEqual(new Uint8Array(want.weightData as ArrayBuffer));
      expect({ ...got, weightData: null }).toEqual({ ...want, weightData: null });
    }
    // Three shards in any order around the json.
    const manifest = [{ paths: ['a.bin', 'b.bin', 'c.bin'], weights: [spec('k', [3, 3])] }];
    const dir = folder({ modelTopology: {}, weightsManifest: manifest }, { 'a.bin': f32(3, 1), 'b.bin': f32(3, 2), 'c.bin': f32(3, 3) });
    const real = ['c.bin', 'a.bin', 'model.json', 'b.bin'].map((n) => new File([readFileSync(`${dir}/${n}`)], n));
    expect(new Uint8Array((await nr.io.browserFiles(real).load!()).weightData as ArrayBuffer)).toEqual(new Uint8Array((await load(`file://${dir}`)).weightData as ArrayBuffer));
  });

  it('errors name the file by its place in the list', async () => {
    const fail = async (files: File[]) => (await rejection(nr.io.browserFiles(files).load!())).message;
    expect(await fail([w(), json(), new File([f32(6)], 'dir/w.bin')])).toBe("browserFiles: files[0] and files[2] are both named 'w.bin'; each weight file may be given once");
    expect(await fail([w(), new File(['{"modelTopology":{}}'], 'model.json')])).toBe("browserFiles: files[1] 'model.json' has no weightsManifest, but 1 weight file(s) were given (w.bin); is files[1] the model.json?");
  });

  it('with no file (or two) named *.json, files[0] is read as TF.js reads it; binary bytes never reach the message', async () => {
    const fail = async (files: File[]) => (await rejection(nr.io.browserFiles(files).load!())).message;
    const bin = new File([new Uint8Array([0, 0, 128, 63, 0xff, 0xfe, 1, 2, 3, 4])], 'w.bin');
    const noJson = await fail([bin, json('model')]);
    expect(noJson).toBe("browserFiles: files[0] 'w.bin': is not JSON but binary data (10 bytes, starting 00 00 80 3f ff fe 01 02 …): a weights file or another file, not the model.json?");
    const twoJson = await fail([bin, json('a.json'), json('b.json')]);
    expect(twoJson).toMatch(/^browserFiles: files\[0\] 'w\.bin': is not JSON but binary data \(10 bytes, starting 00 00 80 3f/);
    for (const m of [noJson, twoJson]) expect(m).not.toMatch(/[\u0000-\u0008\u000b\u000e-\u001f\u007f\ufffd]/);
    // A Keras 3 .keras (zip) or .h5 (HDF5) file: said what it is and the way that works; its bytes given to loadModel too.
    const zip = new File([new Uint8Array([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 8, 0])], 'model.keras');
    expect(await fail([zip])).toMatch(/^browserFiles: files\[0\] 'model\.keras': is not JSON but binary data \(10 bytes, starting 50 4b 03 04 14 00 00 00 …\): a zip archive \(a Keras 3 \.keras file\?\), which neurite does not read: load its topology with models\.modelFromJSON\(JSON\.parse\(model\.to_json\(\)\)\)/);
    const h5 = new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    expect(await fail([new File([h5], 'model.h5')])).toMatch(/: an HDF5 file \(a Keras \.h5 model or \.weights\.h5\?\), which neurite does not read/);
    expect((await rejection(nr.loadModel(h5 as never))).message).toMatch(/^loadModel: expected model artifacts \{ modelTopology, weightSpecs, weightData \}, a handler with load\(\), or a URL, got 10 bytes \(Uint8Array\): an HDF5 file/);
    expect((await rejection(nr.loadModel(new ArrayBuffer(3) as never))).message).toBe("loadModel: expected model artifacts { modelTopology, weightSpecs, weightData }, a handler with load(), or a URL, got 3 bytes (ArrayBuffer): pass the model.json's URL ('file://…', 'https://…') instead");
    // A float32 weights file (what the user picked first) the same way.
    expect(await fail([w(), json('model.txt')])).toMatch(/^browserFiles: files\[0\] 'w\.bin': is not JSON but binary data \(24 bytes, starting [0-9a-f]{2}( [0-9a-f]{2}){7} …\)/);
  });

  it('every loader shares it: file:// with a binary model.json gives its size and first bytes; text that is not JSON keeps JSON.parse\'s reason, escaped', async () => {
    const dir = fresh();
    await save(`file://${dir}`);
    writeFileSync(`${dir}/model.json`, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    const e = await rejection(load(`file://${dir}`));
    expect(e.message).toBe(`loadModel: file://${dir}/model.json: is not JSON but binary data (12 bytes, starting 89 50 4e 47 0d 0a 1a 0a …): a weights file or another file, not the model.json?`);
    const text = await rejection(nr.io.browserFiles([new File(['{ "modelTopology": nope }'], 'model.json')]).load!());
    expect(text.message).toMatch(/^browserFiles: files\[0\] 'model\.json': is not JSON \(Unexpected token/);
  });
});
