// tf.data and fitDataset/evaluateDataset under the conditions a first program meets: an endless
// dataset where one pass is expected (an error naming the option, not a hang), long passes (the
// event loop keeps running), a pipeline that fails midway or is left early (no tensor left
// behind: what was handed out is the caller's, what the pass still held is freed), `zip`'s types,
// `[features, label]` arrays that batch() stacks (as TF.js), and the op named once in messages.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import './setup.js';
import { model as smallModel, rejection } from './fit-helpers.js';
import * as nr from '../ts/index.js';
import * as data from '../ts/data/index.js';

const live = (): number => nr.memory().numTensors;
const sin = (n: number, k: number, phase = 0): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: k }, (_, j) => Math.sin(1 + i * k + j + phase)));
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** `await f()` and expect the number of live tensors to be what it was. */
async function noLeak<T>(f: () => Promise<T>): Promise<T> {
  const before = live();
  const r = await f();
  expect(live(), 'live tensors').toBe(before);
  return r;
}

/** The neurite dataset of `x`/`y` rows zipped as { xs, ys } and batched. */
const rowsDataset = (x: number[][], y: number[][], batch: number) => data.zip({ xs: data.array(x), ys: data.array(y) }).batch(batch);

/** Busy for `ms` milliseconds (a synchronous stage doing real work). */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** How many times a 1 ms interval timer fired while `f` ran (0: the event loop was starved). */
async function timerTicks(f: () => Promise<unknown>): Promise<number> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    await f();
  } finally {
    clearInterval(timer);
  }
  return ticks;
}

/** A dataset that claims to be endless (size Infinity) but is one pass of `ds`: a mistake shows as a wrong result, not a hang. */
function claimsEndless<T>(ds: data.Dataset<T>): data.Dataset<T> {
  return new data.Dataset<T>(() => ds.iterator(), Infinity);
}

describe('an endless dataset where one pass is expected', () => {
  const [x, y] = [sin(8, 3), sin(8, 2, 5)];

  it('evaluateDataset without batches is an InvalidArgumentError naming batches; with batches it reads that many', async () => {
    const m = smallModel(21);
    try {
      await noLeak(async () => {
        for (const ds of [claimsEndless(rowsDataset(x, y, 4)), rowsDataset(x, y, 4).repeat()]) {
          const err = await rejection(m.evaluateDataset(ds));
          expect(err).toBeInstanceOf(nr.InvalidArgumentError);
          expect(err.message).toMatch(/^evaluateDataset: the dataset is endless \(size Infinity, e\.g\. after repeat\(\)\), so the evaluation would never end; pass batches/);
        }
        // batches: 3 of the repeated pass (2 batches a pass) = batches 0, 1, 0: the mean weighted by samples.
        const got = await m.evaluateDataset(rowsDataset(x, y, 4).repeat(), { batches: 3, returnDict: true });
        const want = await m.evaluateDataset(rowsDataset([...x, ...x.slice(0, 4)], [...y, ...y.slice(0, 4)], 4), { returnDict: true });
        expect(got.loss).toBeCloseTo(want.loss, 6);
      });
    } finally {
      m.dispose();
    }
  });

  it('fitDataset with an endless validationData and no validationBatches is an InvalidArgumentError naming validationBatches; with it, val_loss is over those batches', async () => {
    const m = smallModel(22);
    try {
      await noLeak(async () => {
        for (const val of [claimsEndless(rowsDataset(x, y, 4)), rowsDataset(x, y, 4).repeat()]) {
          const err = await rejection(m.fitDataset(rowsDataset(x, y, 4), { epochs: 1, verbose: 0, validationData: val }));
          expect(err).toBeInstanceOf(nr.InvalidArgumentError);
          expect(err.message).toMatch(/^fitDataset: validationData is an endless dataset \(size Infinity, e\.g\. after repeat\(\)\), so each validation would never end; pass validationBatches/);
        }
        const h = await m.fitDataset(rowsDataset(x, y, 4), { epochs: 2, verbose: 0, validationData: rowsDataset(x, y, 4).repeat(), validationBatches: 3 });
        expect(h.history.val_loss).toHaveLength(2);
        const want = await m.evaluateDataset(rowsDataset([...x, ...x.slice(0, 4)], [...y, ...y.slice(0, 4)], 4), { returnDict: true });
        expect(h.history.val_loss[1]).toBeCloseTo(want.loss, 6);
      });
    } finally {
      m.dispose();
    }
  });
});

describe('long passes keep the event loop running', () => {
  it('toArray, forEachAsync and evaluateDataset let timers fire (they yield at most every 16 ms, as fit)', async () => {
    const slow = () => data.array(range(40)).map((i) => (spin(2), i));
    const got: number[] = [];
    expect(await timerTicks(async () => got.push(...(await slow().toArray())))).toBeGreaterThan(0);
    expect(got).toEqual(range(40));
    expect(await timerTicks(() => slow().forEachAsync(() => {}))).toBeGreaterThan(0);
    expect(await timerTicks(() => data.array(range(40)).forEachAsync(() => spin(2)))).toBeGreaterThan(0);
    const m = smallModel(23);
    try {
      const [x, y] = [sin(80, 3), sin(80, 2, 5)];
      const ds = rowsDataset(x, y, 2).map((b) => (spin(2), b));
      await noLeak(async () => expect(await timerTicks(() => m.evaluateDataset(ds, { returnDict: true }))).toBeGreaterThan(0));
    } finally {
      m.dispose();
    }
  });

  it('fitDataset\'s validation on a dataset yields too (training yields disabled, so only validation can)', async () => {
    const m = smallModel(24);
    const [x, y] = [sin(8, 3), sin(8, 2, 5)];
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      const during: number[] = [];
      try {
        await m.fitDataset(rowsDataset(x, y, 8), {
          epochs: 1, verbose: 0, yieldEveryMs: 1e9,
          validationData: rowsDataset(sin(40, 3), sin(40, 2, 5), 1).map((b) => (spin(2), b)),
          callbacks: { onBatchEnd: () => void during.push(ticks), onEpochEnd: () => void during.push(ticks) },
        });
      } finally {
        clearInterval(timer);
      }
      expect(during[1] - during[0], 'timer ticks during validation').toBeGreaterThan(0);
    } finally {
      m.dispose();
    }
  });

  it('results do not depend on the yields: a slow shuffled pass gives the same order as a fast one', async () => {
    const fast = await data.array(range(60)).shuffle(60, 5).toArray();
    const slow = await data.array(range(60)).shuffle(60, 5).map((i) => (spin(1), i)).toArray();
    expect(slow).toEqual(fast);
  });
});

describe('a pipeline that fails or stops early leaves no tensor behind', () => {
  /** A generator of tensors [0], [1], … that throws at `at`. */
  const failing = (at = 7, n = 20) => data.generator(function* () {
    for (let i = 0; i < n; i++) {
      if (i === at) throw new Error('bad record');
      yield nr.tensor([i]);
    }
  });

  it('toArray, forEachAsync and for await over a failing generator (with shuffle, prefetch, batch, map, zip): the error, and 0 tensors left', async () => {
    const runs: Array<[string, () => Promise<unknown>]> = [
      ['toArray', () => failing().toArray()],
      ['shuffle().forEachAsync', () => failing().shuffle(10).forEachAsync(() => {})],
      ['for await over shuffle', async () => {
        for await (const t of failing().shuffle(10)) t.dispose();
      }],
      ['prefetch().toArray', () => failing().prefetch(4).toArray()],
      ['batch().toArray (one batch collected, one partial)', () => failing().batch(5).toArray()],
      ['map, shuffle, prefetch, batch', () => failing().map((t) => t.mul(2)).shuffle(5).prefetch(2).batch(2).toArray()],
      ['zip with a shuffled failing side', () => data.zip({ a: failing().shuffle(4), b: data.array(range(20)).map((i) => nr.scalar(i)) }).toArray()],
      ['iterator().toArray after some next()', async () => {
        const it = await failing().shuffle(3).iterator();
        ((await it.next()).value as nr.Tensor).dispose();
        return it.toArray();
      }],
    ];
    for (const [name, run] of runs) {
      const before = live();
      const err = await rejection(run());
      expect(err.message, name).toBe('bad record');
      expect(live(), `${name}: live tensors`).toBe(before);
    }
    const before = live();
    const mapErr = await rejection(data.array([1, 2, 3]).map((v) => {
      if (v === 3) throw new Error('map failed');
      return nr.tensor([v]);
    }).toArray());
    expect(mapErr.message).toBe('map failed');
    expect(live(), 'a map that throws in toArray').toBe(before);
    // take(2) closes its source after the 2nd element: a source whose return() throws left that
    // element nobody's (one tensor per pass).
    const closing = data.generator(() => {
      let i = 0;
      return { next: () => ({ value: nr.tensor([i++]), done: false }), return(): never { throw new Error('return failed'); } };
    });
    for (let k = 0; k < 20; k++) {
      const err = await rejection((async () => {
        for await (const e of closing.take(2)) e.dispose();
      })());
      expect(err.message).toBe('return failed');
    }
    expect(live(), 'take over a source whose return() throws').toBe(before);
  });

  it('forEachAsync whose callback throws (sync or async) disposes the element and the shuffle buffer', async () => {
    const tensors = () => data.array(range(30)).map((i) => nr.tensor([i])).shuffle(10, 2);
    await noLeak(async () => {
      expect((await rejection(tensors().forEachAsync((t) => {
        if (t.data()[0] >= 0) throw new Error('sync');
      }))).message).toBe('sync');
      expect((await rejection(tensors().forEachAsync(async () => {
        await new Promise((r) => setTimeout(r, 1));
        throw new Error('async');
      }))).message).toBe('async');
    });
  });

  it('elements handed out stay the caller\'s; a failed pass is over (next() gives done) and its generator closed', async () => {
    let finished = 0;
    const ds = data.generator(function* () {
      try {
        for (let i = 0; i < 20; i++) {
          if (i === 7) throw new Error('bad record');
          yield nr.tensor([i]);
        }
      } finally {
        finished++;
      }
    }).shuffle(4, 1);
    await noLeak(async () => {
      const it = await ds.iterator();
      const mine: nr.Tensor[] = [];
      let err: Error | null = null;
      for (;;) {
        try {
          const r = await it.next();
          if (r.done) break;
          mine.push(r.value);
        } catch (e) {
          err = e as Error;
          break;
        }
      }
      expect(err?.message).toBe('bad record');
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((t) => !t.isDisposed), 'what was handed out is not disposed').toBe(true);
      expect(await it.next()).toEqual({ value: null, done: true });
      expect(finished).toBe(1);
      nr.dispose(mine);
    });
  });

  it('break out of for await over shuffle, prefetch and batch frees what the pass held', async () => {
    await noLeak(async () => {
      for await (const b of data.array(range(50)).map((i) => nr.tensor([i])).shuffle(20).prefetch(3).batch(4)) {
        b.dispose();
        break;
      }
    });
  });

  it('evaluateDataset and fitDataset\'s validation over a failing dataset: the error, nothing leaked', async () => {
    const m = smallModel(25);
    const rows = (at: number) => data.generator(function* () {
      for (let i = 0; i < 8; i++) {
        if (i === at) throw new Error('bad record');
        yield { xs: nr.tensor(sin(1, 3, i)[0]), ys: nr.tensor(sin(1, 2, i)[0]) };
      }
    }).shuffle(4).batch(2);
    try {
      await noLeak(async () => {
        expect((await rejection(m.evaluateDataset(rows(5)))).message).toBe('bad record');
        const val = await rejection(m.fitDataset(rowsDataset(sin(4, 3), sin(4, 2), 2), { epochs: 1, verbose: 0, validationData: rows(3) }));
        expect(val.message).toBe('bad record');
      });
    } finally {
      m.dispose();
    }
  });
});

describe('prefetch with a bufferSize beyond the dataset', () => {
  /** A dataset look-alike over `items` that counts its iterator's next() calls. */
  const counted = (items: number[]) => {
    const calls = { n: 0 };
    const ds = {
      iterator: () => {
        let i = 0;
        return { next: () => (calls.n++, i < items.length ? { value: items[i++], done: false } : { value: null, done: true }) };
      },
    };
    return { calls, ds: data.zip([ds as unknown as data.Dataset<number>]).map(([v]) => v) };
  };

  it('asks upstream only until it ends: prefetch(1e12) over 2 elements is 3 next() calls (was a heap OOM), the elements as TF.js\'s', async () => {
    const { calls, ds } = counted([1, 2]);
    const t0 = performance.now();
    expect(await ds.prefetch(1e12).toArray()).toEqual([1, 2]);
    expect(await data.array([1, 2]).prefetch(1e6).toArray()).toEqual([1, 2]);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(calls.n).toBe(3);
    // TF.js (tfjs-data) gives the same elements (it allocates its ring buffer whole: 1e12 is a RangeError there).
    const tfd = createRequire(import.meta.url)('@tensorflow/tfjs-data') as { array(a: number[]): { prefetch(n: number): { toArray(): Promise<unknown[]> } } };
    expect(await data.array([1, 2, 3]).prefetch(1000).toArray()).toEqual(await tfd.array([1, 2, 3]).prefetch(1000).toArray());
  });

  it('keeps at most bufferSize requests ahead of an endless dataset, and leaves nothing behind when the pass ends early', async () => {
    const { calls, ds } = counted(range(1000));
    const it = await ds.prefetch(5).iterator();
    expect((await it.next()).value).toBe(0);
    await new Promise((r) => setTimeout(r, 5));
    expect(calls.n).toBe(5); // the one answered and 4 ahead (TF.js's ring buffer of 5)
    await it.return();
    await noLeak(async () => {
      for await (const t of data.generator(function* () {
        for (let i = 0; ; i++) yield nr.tensor([i]);
      }).prefetch(1e9)) {
        t.dispose();
        break;
      }
    });
  });

  it('bufferSize stays an integer >= 0', () => {
    for (const bad of [-1, 1.5, NaN, Infinity, '4']) expect(() => data.array([1]).prefetch(bad as number)).toThrow(/prefetch: bufferSize must be an integer >= 0/);
  });
});

describe('zip types', () => {
  it('an array of datasets gives tuples, an object of datasets objects', async () => {
    const ab = data.zip([data.array([{ a: 1 }]), data.array([{ b: 4 }])]);
    expectTypeOf(ab).toEqualTypeOf<data.Dataset<data.ZipTuple<[{ a: number }, { b: number }]>>>();
    const merged = ab.map((x) => ({ a: x[0].a, b: x[1].b }));
    expectTypeOf(merged).toEqualTypeOf<data.Dataset<{ a: number; b: number }>>();
    expect(await merged.toArray()).toEqual([{ a: 1, b: 4 }]);
    const destructured = ab.map(([p, q]) => p.a + q.b);
    expectTypeOf(destructured).toEqualTypeOf<data.Dataset<number>>();
    expect(await destructured.toArray()).toEqual([5]);

    const nested = data.zip({ xs: [data.array([[1, 2]]), data.array(['s'])], ys: data.array([3]) });
    expectTypeOf(nested).toEqualTypeOf<data.Dataset<{ xs: data.ZipTuple<[number[], string]>; ys: number }>>();
    expect(await nested.toArray()).toEqual([{ xs: [[1, 2], 's'], ys: 3 }]);
    const list: data.Dataset<number>[] = [data.array([1]), data.array([2])];
    expectTypeOf(data.zip(list)).toEqualTypeOf<data.Dataset<data.ZipTuple<number[]>>>();
    const obj: Record<string, data.Dataset<number>> = { a: data.array([1]) };
    expectTypeOf(data.zip(obj)).toEqualTypeOf<data.Dataset<Record<string, number>>>();

    // @ts-expect-error: the leaves must be datasets
    expect(() => data.zip({ a: [1, 2] })).toThrow(/data\.zip: datasets\.a\[0\] is the number 1; the leaves of the structure must be datasets/);
  });

  it('a wrong argument is one plain type error (TS2345), not "excessively deep" (TS2589) besides', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const file = join(root, 'test', '__zip_wrong_argument__.ts');
    const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    if (!config) throw new Error('tsconfig.json did not parse');
    const host = ts.createCompilerHost(config.options);
    const text = "import * as data from '../ts/data/index.js';\ndata.zip({ a: [1, 2] });\ndata.zip([data.array([1]), 3]);\n";
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, text, lang) : getSourceFile.call(host, name, lang, ...rest));
    host.fileExists = (name) => name === file || fileExists.call(host, name);
    host.readFile = (name) => (name === file ? text : readFile.call(host, name));
    const program = ts.createProgram([file], config.options, host);
    const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(file));
    expect(diagnostics.map((d) => `line ${d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: TS${d.code}`)).toEqual(['line 2: TS2345', 'line 3: TS2322']);
  });
});

describe('[features, label] arrays and batch()', () => {
  it('equal-length arrays stack into one tensor (as TF.js); ragged ones batch position by position; { xs, ys } objects stay apart', async () => {
    await noLeak(async () => {
      const [one] = await data.array([[[1], [3]]]).batch(1).toArray();
      expect(one).toBeInstanceOf(nr.Tensor);
      expect((one as unknown as nr.Tensor).shape).toEqual([1, 2, 1]);
      nr.dispose(one as unknown as nr.Tensor);
      const [pair] = await data.array([[[1, 2], [3]]]).batch(1).toArray();
      expect(Array.isArray(pair)).toBe(true);
      expect((pair as unknown as nr.Tensor[]).map((t) => t.shape)).toEqual([[1, 2], [1, 1]]);
      nr.dispose(pair as unknown as nr.Tensor[]);
      const [xy] = await data.array([{ xs: [1], ys: [3] }, { xs: [2], ys: [4] }]).batch(2).toArray();
      expect([xy.xs.shape, xy.ys.shape]).toEqual([[2, 1], [2, 1]]);
      nr.dispose([xy.xs, xy.ys]);
    });
  });

  it('fitDataset given such a stacked tensor says so and points to { xs, ys } objects', async () => {
    const m = nr.sequential({ seed: 3, layers: [nr.layers.dense({ inputShape: [1], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    try {
      await noLeak(async () => {
        const pairs = [[[1], [3]], [[2], [4]]];
        const err = await rejection(m.fitDataset(data.array(pairs).batch(2), { verbose: 0 }));
        expect(err).toBeInstanceOf(nr.InvalidArgumentError);
        expect(err.message).toMatch(/^fitDataset: each element of the dataset must be \{ xs, ys \} or \[xs, ys\] .*got a Tensor of shape \[2,2,1\]; batch\(\) makes one tensor of an element that is an array of numbers or of equal-length arrays of numbers .*stacked into one tensor, as in TF\.js\); give them as \{ xs, ys \} objects instead/);
        const h = await m.fitDataset(data.array(pairs.map(([xs, ys]) => ({ xs, ys }))).batch(2), { verbose: 0 });
        expect(h.history.loss).toHaveLength(1);
      });
    } finally {
      m.dispose();
    }
  });
});

describe('batch: numbers beyond float32, as tensor() refuses them', () => {
  it('plain numbers (data.array, data.csv\'s fields, in objects) are an InvalidArgumentError naming the element, its key and the value (were Infinity); Infinity itself and float32\'s largest pass', async () => {
    expect(() => nr.tensor([1e40, 1])).toThrow(/beyond float32's range/);
    const cases: Array<[string, () => Promise<unknown>, RegExp]> = [
      ['data.array', () => data.array([1e40, 1]).batch(2).toArray(), /^batch: element 0 of the batch is 1e\+40, beyond float32's range/],
      ['negative', () => data.array([1, -1e39]).batch(2).toArray(), /^batch: element 1 of the batch is -1e\+39, beyond float32's range .* -Infinity/],
      ['data.csv', () => data.csv(new Response('a,b\n1e40,2\n1,2\n')).batch(2).toArray(), /^batch: element 0 of the batch at a is 1e\+40, beyond float32's range/],
      ['{ xs, ys }', () => data.array([{ xs: [1], ys: 1 }, { xs: [2], ys: 4e38 }]).batch(2).toArray(), /^batch: element 1 of the batch at ys is 4e\+38, beyond/],
      ['an array element (already checked)', () => data.array([[1e40, 1]]).batch(1).toArray(), /^batch: the elements' arrays do not make one tensor: element 0 of the batch \(its \[0\]\) is 1e\+40, beyond float32's range/],
      ['at a key, the element named (tensor()\'s values[1] is the element, not a row)', () => data.array([{ xs: [1, 2] }, { xs: [3, 1e40] }]).batch(2).toArray(), /^batch: the elements' arrays at xs do not make one tensor: element 1 of the batch \(its xs\[1\]\) is 1e\+40/],
    ];
    for (const [name, run, message] of cases) {
      const err = await noLeak(() => rejection(run()));
      expect(err, name).toBeInstanceOf(nr.InvalidArgumentError);
      expect(err.message, name).toMatch(message);
    }
    const [b] = await data.array([Infinity, -3.4028234663852886e38, true]).batch(3).toArray();
    expect(Array.from(b.dataSync())).toEqual([Infinity, -3.4028234663852886e38, 1]);
    b.dispose();
  });
});

describe('messages name the op once', () => {
  it("a NaN in a batch's xs or ys says its sample and feature, as fit's does (it gave the flat index alone)", async () => {
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [3], units: 2 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const rows = (bad: 'xs' | 'ys') => Array.from({ length: 8 }, (_, i) => ({ xs: [i, i, i === 6 && bad === 'xs' ? NaN : i], ys: [1, i === 5 && bad === 'ys' ? NaN : 2] }));
    try {
      const e1 = await rejection(m.fitDataset(data.array(rows('xs')).batch(4), { epochs: 1, verbose: 0 }));
      expect(e1.message).toMatch(/^fitDataset: xs contains NaN at flat index 8 \(shape \[4,3\]\) \(sample 2, feature 2\); clean the data first \(epoch 1\/\d+, batch 2\)$/);
      const e2 = await rejection(m.fitDataset(data.array(rows('ys')).batch(4), { epochs: 1, verbose: 0 }));
      expect(e2.message).toMatch(/\(sample 1, output 1\)/);
    } finally {
      m.dispose();
    }
  });

  it('a gradient that is not finite: "fitDataset: a gradient …" (not "fitDataset: fit: …"); fit\'s own stays "fit: …"', async () => {
    const make = () => {
      const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [1], units: 1 })] });
      m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 1e30 }), loss: 'mse' });
      return m;
    };
    const [x, y] = [[[1e6], [2e6]], [[1], [2]]];
    const a = make(), b = make();
    try {
      const ds = data.zip({ xs: data.array(x), ys: data.array(y) }).batch(1).repeat(5);
      const viaDataset = await rejection(a.fitDataset(ds, { verbose: 0 }));
      expect(viaDataset.message).toMatch(/^fitDataset: a gradient of `kernel` of layer \S+ is not finite \(NaN or Infinity\) at step \d+; .*\(epoch 1\/\d+, batch \d+\)\. The epochs completed before it \(0\) are in this error's `history`; [^(]*callbacks\.terminateOnNaN\(\)[^(]*$/);
      expect(viaDataset.message).not.toContain('fit: ');
      expect([viaDataset.name, (viaDataset as nr.NeuriteError).code]).toEqual(['NonFiniteError', 'NonFinite']);
      const [tx, ty] = [nr.tensor(x), nr.tensor(y)];
      try {
        const viaFit = await rejection(b.fit(tx, ty, { epochs: 5, batchSize: 1, shuffle: false, verbose: 0 }));
        expect(viaFit.message).toMatch(/^fit: a gradient of `kernel` of layer \S+ is not finite/);
        expect(viaFit).toBeInstanceOf(nr.NonFiniteError);
        // trainOnBatch runs the same update: "trainOnBatch: a gradient …", not "trainOnBatch: fit: …".
        const c = make();
        try {
          let err: Error | undefined;
          for (let i = 0; i < 5 && !err; i++) {
            try {
              nr.tidy(() => void c.trainOnBatch(tx.slice([i % 2, 0], [1, 1]), ty.slice([i % 2, 0], [1, 1])));
            } catch (e) {
              err = e as Error;
            }
          }
          expect(err?.message).toMatch(/^trainOnBatch: a gradient of `kernel` of layer \S+ is not finite/);
          expect(err).toBeInstanceOf(nr.NonFiniteError);
        } finally {
          c.dispose();
        }
      } finally {
        nr.dispose([tx, ty]);
      }
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
