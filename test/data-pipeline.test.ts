// A data engineer's findings on the dataset pipeline, compared with TF.js 4.22's tf.data
// (@tensorflow/tfjs-data) where the behaviour is TF.js's: repeat(count) over passes that give
// nothing, mapAsync under prefetch, a zip of an array of datasets batched (always position by
// position, and typed so), tensors a map returns that the user keeps, and where an error in the
// batch stage during fitDataset happened.
import { createRequire } from 'node:module';
import { describe, expect, expectTypeOf, it } from 'vitest';
import './setup.js';
import { rejection } from './fit-helpers.js';
import * as nr from '../ts/index.js';
import * as data from '../ts/data/index.js';

const live = (): number => nr.memory().numTensors;

/** `await f()` and expect the number of live tensors to be what it was. */
async function noLeak<T>(f: () => Promise<T>): Promise<T> {
  const before = live();
  const r = await f();
  expect(live(), 'live tensors').toBe(before);
  return r;
}

interface TfdDataset {
  repeat(n?: number): TfdDataset;
  take(n: number): TfdDataset;
  batch(n: number): TfdDataset;
  mapAsync(f: (v: unknown) => Promise<unknown>): TfdDataset;
  prefetch(n: number): TfdDataset;
  toArray(): Promise<unknown[]>;
}
const require = createRequire(import.meta.url);
require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfd = require('@tensorflow/tfjs-data') as { generator(f: () => Iterator<unknown>): TfdDataset; array(a: unknown[]): TfdDataset; zip(d: unknown): TfdDataset };

/** A generator function that yields `[10p, 10p + 1]` on even passes p and nothing on odd ones (its pass counter in `state`). */
const alternating = (state = { pass: 0 }) => function* (): Generator<number> {
  const p = state.pass++;
  if (p % 2 === 0) {
    yield p * 10;
    yield p * 10 + 1;
  }
};

describe('repeat over passes that give nothing', () => {
  it('repeat(count) runs every pass, an empty one between others included, as TF.js', async () => {
    const got = await data.generator(alternating()).repeat(4).toArray();
    expect(got).toEqual([0, 1, 20, 21]);
    expect(got).toEqual(await tfd.generator(alternating()).repeat(4).toArray());
    const endless = await data.generator(alternating()).repeat().take(6).toArray();
    expect(endless).toEqual([0, 1, 20, 21, 40, 41]);
    expect(endless).toEqual(await tfd.generator(alternating()).repeat().take(6).toArray());
    // A dataset that yields on one pass in 10 goes on.
    let pass = 0;
    const rare = data.generator(function* () {
      if (pass++ % 10 === 0) yield pass;
    });
    expect(await rare.repeat().take(3).toArray()).toEqual([1, 11, 21]);
  });

  it('an endless repeat ends after 16 empty passes in a row (TF.js 4.22 spins); a finite one runs its count', async () => {
    let passes = 0;
    const empty = data.generator(function* () {
      passes++;
    });
    expect(await empty.repeat().take(5).toArray()).toEqual([]);
    expect(passes).toBe(16);
    passes = 0;
    expect(await empty.repeat(40).toArray()).toEqual([]);
    expect(passes).toBe(40);
    expect(await data.array<number>([]).repeat().toArray()).toEqual([]);
  });
});

describe('mapAsync under prefetch(n) runs up to n transforms at once, as TF.js', () => {
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  /** A 20 ms async transform counting how many run at once. */
  const slow = () => {
    const seen = { now: 0, max: 0 };
    const f = async (i: unknown): Promise<number> => {
      seen.max = Math.max(seen.max, ++seen.now);
      await sleep(20);
      seen.now--;
      return i as number;
    };
    return { seen, f };
  };

  it('16 transforms of 20 ms under prefetch(8): 8 at once, in order, the same elements and concurrency as TF.js', async () => {
    const items = [...Array(16).keys()];
    const n = slow();
    const t0 = performance.now();
    const got = await data.array(items).mapAsync(n.f).prefetch(8).toArray();
    const ms = performance.now() - t0;
    expect(got).toEqual(items);
    expect(n.seen.max).toBe(8);
    expect(ms).toBeLessThan(200); // one at a time takes 320 ms or more
    const t = slow();
    expect(await tfd.array(items).mapAsync(t.f).prefetch(8).toArray()).toEqual(got);
    expect(t.seen.max).toBe(n.seen.max);
    // Without prefetch, or prefetch(1), one at a time; prefetch(100) beyond the dataset: all 16.
    for (const [size, max] of [[0, 1], [1, 1], [3, 3], [100, 16]]) {
      const s = slow();
      const ds = size === 0 ? data.array(items).mapAsync(s.f) : data.array(items).mapAsync(s.f).prefetch(size);
      expect(await ds.toArray(), `prefetch(${size})`).toEqual(items);
      expect(s.seen.max, `prefetch(${size})`).toBe(max);
    }
  });

  it('results in order whatever the transforms\' times (deterministic); the first error in order is the one thrown; nothing leaked', async () => {
    const delays = [30, 5, 20, 1, 15, 8, 2, 25, 3, 12];
    await noLeak(async () => {
      const ds = data.array(delays).mapAsync(async (ms) => {
        await sleep(ms);
        return nr.tensor([ms]);
      }).prefetch(4);
      const out = await ds.toArray();
      expect(out.map((t) => t.dataSync()[0])).toEqual(delays);
      nr.dispose(out);
      // Elements 3 and 6 fail (3 later than 6): element 3's error, after elements 0-2; what was in flight is disposed.
      const failing = data.array(delays).mapAsync(async (ms) => {
        const t = nr.tensor([ms]);
        await sleep(ms);
        if (ms === 1 || ms === 2) {
          t.dispose();
          throw new Error(`failed at ${ms}`);
        }
        return t;
      }).prefetch(5);
      const seen: number[] = [];
      const err = await rejection(failing.forEachAsync((t) => void seen.push(t.dataSync()[0])));
      expect(err.message).toBe('failed at 1');
      expect(seen).toEqual([30, 5, 20]);
    });
  });

  it('a pass stopped early (take, break) waits for the transforms in flight and disposes what they gave', async () => {
    await noLeak(async () => {
      const ds = data.array([...Array(20).keys()]).mapAsync(async (i) => {
        await sleep(5);
        return nr.tensor([i]);
      }).prefetch(6);
      const first = await ds.take(3).toArray();
      expect(first.map((t) => t.dataSync()[0])).toEqual([0, 1, 2]);
      nr.dispose(first);
      for await (const t of ds) {
        t.dispose();
        break;
      }
    });
  });
});

describe('a zip of an array of datasets batches position by position, whatever the widths', () => {
  it('[features, labels] of equal widths stay two tensors (TF.js stacks them into one); types say so', async () => {
    await noLeak(async () => {
      for (const [fw, lw] of [[2, 1], [1, 1], [3, 3]]) {
        const xs = data.array([Array(fw).fill(1), Array(fw).fill(2)]);
        const ys = data.array([Array(lw).fill(0), Array(lw).fill(1)]);
        const [b] = await data.zip([xs, ys]).batch(2).toArray();
        expect(Array.isArray(b), `${fw}/${lw}`).toBe(true);
        expect(b.map((t) => t.shape)).toEqual([[2, fw], [2, lw]]);
        nr.dispose(b);
      }
      // TF.js stacks equal widths into one [2, 2, 3] tensor, which its fitDataset cannot use.
      const [tb] = await tfd.zip([tfd.array([[1, 1, 1], [2, 2, 2]]), tfd.array([[0, 0, 0], [1, 1, 1]])]).batch(2).toArray() as Array<{ shape: number[]; dispose(): void }>;
      expect(tb.shape).toEqual([2, 2, 3]);
      tb.dispose();
      // Nested, in an object, and through shuffle and take: still tuples.
      const [o] = await data.zip({ xs: [data.array([[1], [2]]), data.array([[3], [4]])], ys: data.array([5, 6]) }).shuffle(2, 1).take(2).batch(2).toArray();
      expect(o.xs.map((t) => t.shape)).toEqual([[2, 1], [2, 1]]);
      nr.dispose([...o.xs, o.ys]);
      // A map returning a new array makes a plain array again: TF.js's rule (one tensor).
      const [plain] = await data.zip([data.array([[1], [2]]), data.array([[3], [4]])]).map(([a, b]) => [a, b]).batch(2).toArray();
      expect((plain as unknown as nr.Tensor).shape).toEqual([2, 2, 1]);
      nr.dispose(plain as unknown as nr.Tensor);
    });
    const zb = data.zip([data.array([1, 2]), data.array([[1, 2], [3, 4]])]).batch(2);
    expectTypeOf(zb).toEqualTypeOf<data.Dataset<[nr.Tensor, nr.Tensor]>>();
    expectTypeOf<data.Batched<data.Zipped<[data.Dataset<number>, data.Dataset<number[]>]>>>().toEqualTypeOf<[nr.Tensor, nr.Tensor]>();
    // A tuple from elsewhere is TF.js's: one tensor, at runtime and in the type.
    expectTypeOf<data.Batched<[number, number[]]>>().toEqualTypeOf<nr.Tensor>();
    expectTypeOf(data.zip({ xs: [data.array([[1]]), data.array([2])], ys: data.array([3]) }).batch(1)).toEqualTypeOf<data.Dataset<{ xs: [nr.Tensor, nr.Tensor]; ys: nr.Tensor }>>();
  });

  it('fitDataset trains on data.zip([xs, ys]) of equal widths', async () => {
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [1], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    try {
      const rows = [[0], [1], [2], [3]];
      const h = await noLeak(() => m.fitDataset(data.zip([data.array(rows), data.array(rows)]).batch(2), { epochs: 2, verbose: 0 }));
      expect(h.history.loss).toHaveLength(2);
    } finally {
      m.dispose();
    }
  });
});

describe('tensors a map returns that the caller keeps', () => {
  it('the second pass says batch() disposed them and how to fix it; clones work on every pass', async () => {
    const table = [0, 1, 2, 3].map((i) => nr.tensor([i, i]));
    try {
      const ds = data.array([0, 1, 2, 3]).map((i) => ({ xs: table[i], ys: table[i] })).batch(2);
      nr.dispose(await ds.toArray());
      const err = await rejection(ds.toArray());
      expect(err).toBeInstanceOf(nr.DisposedError);
      expect(err.message).toBe("batch: element 0 of the batch at xs is a disposed Tensor; batch() disposes the elements' tensors once stacked, so a map or generator that returns tensors it keeps (a lookup table) gives them once only: return clones (t.clone()), or use data.array(tensors), which clones its items on every pass");
    } finally {
      nr.dispose(table);
    }
    const kept = [0, 1].map((i) => nr.tensor([i]));
    try {
      await noLeak(async () => {
        const ds = data.array([0, 1]).map((i) => ({ xs: kept[i].clone(), ys: kept[i].clone() })).batch(2);
        for (let pass = 0; pass < 2; pass++) nr.dispose(Object.values((await ds.toArray())[0]));
      });
      expect(kept.every((t) => !t.isDisposed)).toBe(true);
    } finally {
      nr.dispose(kept);
    }
  });

  it('in fitDataset, an error of the batch stage says where: (epoch E, batch B), as the other errors do', async () => {
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const table = [0, 1, 2, 3].map((i) => nr.tensor([i, i]));
    try {
      const ds = data.array([0, 1, 2, 3]).map((i) => ({ xs: table[i], ys: nr.tensor([i]) })).batch(2);
      const err = await rejection(m.fitDataset(ds, { epochs: 2, verbose: 0 }));
      expect(err.message).toMatch(/^batch: element 0 of the batch at xs is a disposed Tensor; .* \(epoch 2\/\d+, batch 1\)$/);
      // A row of the wrong length in the second batch of the first epoch; evaluateDataset says
      // its batch too, counted from 1 as fit's.
      const ragged = data.array([{ xs: [1, 2], ys: [1] }, { xs: [1, 2], ys: [1] }, { xs: [1, 2], ys: [1] }, { xs: [1, 2, 3], ys: [1] }]).batch(2);
      const e2 = await noLeak(() => rejection(m.fitDataset(ragged, { verbose: 0 })));
      expect(e2.message).toMatch(/^batch: the elements' arrays at xs do not make one tensor: .* \(epoch 1\/\d+, batch 2\)$/);
      const e3 = await noLeak(() => rejection(m.evaluateDataset(ragged)));
      expect(e3.message).toMatch(/^batch: the elements' arrays at xs do not make one tensor: .* \(batch 2\)$/);
    } finally {
      nr.dispose(table);
      m.dispose();
    }
  });
});
