// cumprod, unsortedSegmentSum (two wasm ops with their backward rules) and the scatters made of
// them (scatterND, tensorScatterUpdate, sparseToDense in ts/ops/scatter.ts), against TF.js 4.22
// (cpu backend) live, and their gradients against tf.grad where TF.js has one, else against a
// float64 reference from the definition.
//
// Tolerances:
// - cumprod, scatterND, tensorScatterUpdate, sparseToDense: exact (float32 products in TF.js's
//   order; scatters add or copy each value once into zeros).
// - unsortedSegmentSum: rtol 1e-6·rows (TF.js sums every row, times a 0/1 mask, in float64;
//   neurite adds the members in float32 in row order).
// - cumprod's gradient (no TF.js rule): rtol 1e-5 against the float64 sum over the definition.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { thrown } from './setup.js';
import * as nr from '../ts/index.js';
import { cumprod } from '../ts/ops/scan.js';
import { unsortedSegmentSum } from '../ts/ops/segment.js';
import { scatterND, sparseToDense, tensorScatterUpdate } from '../ts/ops/scatter.js';
import { mulberry32 } from './rng.js';
import { expectSame, read, readTf, sizeOf, uniform, type Read } from './op-helpers.js';

await tf.setBackend('cpu');

const same = (got: Read, want: Read, rtol = 0, atol = 0, what = ''): void => expectSame(got, want, [rtol, atol], what);
const values = uniform;
/** Leaves no handle behind, also when it throws; returns what it threw. */
function noLeak(f: () => unknown): unknown {
  const before = nr.memory().numHandles;
  const err = thrown(() => nr.tidy(() => void f()));
  expect(nr.memory().numHandles, 'numHandles').toBe(before);
  return err;
}
const int32 = (v: ArrayLike<number>, shape: number[]): tf.Tensor => tf.tensor(Array.from(v), shape, 'int32');

describe('cumprod vs TF.js', () => {
  it('is TF.js bit for bit on every axis and mode, with zeros, negatives, overflow and NaN', () => {
    let seed = 1;
    for (const shape of [[1], [7], [3, 5], [2, 3, 4], [2, 1, 3, 2], [0], [3, 0]]) {
      const n = sizeOf(shape);
      const v = values(seed++, n, -2.5, 2.5);
      if (n > 4) [v[1], v[3]] = [0, NaN];
      if (n > 6) v[5] = 1e30;
      for (let axis = -shape.length; axis < shape.length; axis++) {
        for (const exclusive of [false, true]) {
          for (const reverse of [false, true]) {
            // TF.js 4.22's cumprod mishandles a negative axis (shape [undefined], no values):
            // it gets the axis counted from the start.
            const want = readTf(tf.cumprod(tf.tensor(v, shape), axis < 0 ? axis + shape.length : axis, exclusive, reverse));
            same(read(cumprod(nr.tensor(v, shape), axis, exclusive, reverse)), want, 0, 0, `[${shape}] axis ${axis} ex ${exclusive} rev ${reverse}`);
          }
        }
      }
    }
  });

  it('takes TensorLike and the defaults, and names bad arguments', () => {
    same(read(cumprod([1, 2, 3, 4])), { shape: [4], values: Float32Array.of(1, 2, 6, 24) });
    same(read(cumprod([[1, 2], [3, 4]], 1, false, true)), { shape: [2, 2], values: Float32Array.of(2, 2, 12, 4) });
    expect(String(noLeak(() => cumprod(nr.scalar(3))))).toBe(
      'InvalidArgumentError: cumprod: x is a scalar (shape []); cumprod runs along an axis of a tensor of rank >= 1 (reshape it to [1] first)',
    );
    expect(String(noLeak(() => cumprod([1, 2], 1)))).toBe('InvalidArgumentError: cumprod: axis 1 is out of range for a tensor of rank 1 (shape [2])');
    expect(String(noLeak(() => cumprod([1, 2], 0, 1 as unknown as boolean)))).toMatch(/^InvalidArgumentError: cumprod: exclusive must be/);
  });

  it('has the exact gradient (TF.js has none), also at zeros', () => {
    /** dx_j = Σ_k dy_k ∂y_k/∂x_j along one lane in scan order, in float64. */
    const direct = (x: number[], dy: number[], exclusive: boolean): number[] =>
      x.map((_, j) => {
        let s = 0;
        for (let k = 0; k < x.length; k++) {
          const last = exclusive ? k : k + 1;
          if (j >= last) continue;
          let p = dy[k];
          for (let m = 0; m < last; m++) if (m !== j) p *= x[m];
          s += p;
        }
        return s;
      });
    const lanes = [[1.5, -2, 0.5, 3, -0.75, 1.25], [2, 0, 3, 0, 4, 1], [0, 1.5, 2, -1, 0.5, 2], [0.3, 0.7, -1.1, 0.9, 1.3, -0.6]];
    const dyv = [0.3, -1.1, 0.7, 2, -0.4, 0.9];
    // Lanes along axis 1 of a [4, 6] tensor; dy as the weights of a weighted sum.
    const x = nr.tensor(lanes.flat(), [4, 6]);
    const w = nr.tensor(lanes.map(() => dyv).flat(), [4, 6]);
    for (const exclusive of [false, true]) {
      for (const reverse of [false, true]) {
        const g = nr.grad((a: nr.Tensor) => nr.sum(nr.mul(cumprod(a, 1, exclusive, reverse), w)))(x);
        const got = g.data();
        g.dispose();
        lanes.forEach((lane, r) => {
          const order = reverse ? [5, 4, 3, 2, 1, 0] : [0, 1, 2, 3, 4, 5];
          const want = direct(order.map((i) => lane[i]), order.map((i) => dyv[i]), exclusive);
          order.forEach((i, n) => expect(Math.abs(got[r * 6 + i] - want[n]), `lane ${r} ex ${exclusive} rev ${reverse} at ${i}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[n]))));
        });
      }
    }
    x.dispose();
    w.dispose();
  });
});

describe('unsortedSegmentSum vs TF.js', () => {
  it('sums rows by id, drops negative ids (as TensorFlow and TF.js), on odd and empty shapes', () => {
    let seed = 100;
    for (const [shape, numSegments] of [[[5], 3], [[7, 3], 4], [[6, 2, 3], 2], [[4, 0], 3], [[0, 3], 2], [[9], 1]] as Array<[number[], number]>) {
      const n = shape[0];
      const x = values(seed++, sizeOf(shape), -10, 10);
      const r = mulberry32(seed++);
      // Ids from -2 to numSegments - 1: the negative ones are dropped.
      const ids = Array.from({ length: n }, () => Math.floor(r() * (numSegments + 2)) - 2);
      const want = readTf(tf.unsortedSegmentSum(tf.tensor(x, shape), int32(ids, [n]) as tf.Tensor1D, numSegments));
      same(read(unsortedSegmentSum(nr.tensor(x, shape), nr.tensor(ids, [n]), numSegments)), want, 1e-6 * Math.max(n, 1), 1e-6, `[${shape}] ${numSegments}`);
    }
  });

  it('makes zero segments (TF.js 4.22 throws in its kernel)', () => {
    same(read(unsortedSegmentSum([[1, 2], [3, 4], [5, 6]], [-1, -1, -3], 0)), { shape: [0, 2], values: new Float32Array(0) });
  });

  it('refuses an id at or past numSegments, naming it, its position and numSegments (TensorFlow raises; TF.js 4.22 drops the row)', () => {
    expect(String(noLeak(() => unsortedSegmentSum([10, 20, 30, 40], [0, 1, 5, 1], 2)))).toBe(
      'InvalidArgumentError: unsortedSegmentSum: segmentIds[2] = 5 is out of range: numSegments is 2, so ids must be below 2 (segmentIds has shape [4]; a negative id drops its row, as in TensorFlow)',
    );
    // TF.js drops the row (30 lost): the data loss the error prevents.
    expect(tf.tidy(() => Array.from(tf.unsortedSegmentSum(tf.tensor([10, 20, 30, 40]), int32([0, 1, 5, 1], [4]) as tf.Tensor1D, 2).dataSync()))).toEqual([10, 60]);
    expect(String(noLeak(() => unsortedSegmentSum([[1, 2], [3, 4]], [[0, 1], [2, 1]], 2)))).toMatch(/^InvalidArgumentError: unsortedSegmentSum: segmentIds\[1,0\] = 2 is out of range: numSegments is 2/);
    expect(String(noLeak(() => unsortedSegmentSum([1, 2], [0, 0], 0)))).toMatch(/segmentIds\[0\] = 0 is out of range: numSegments is 0/);
    // A negative id is dropped with its row; the others are summed.
    same(read(unsortedSegmentSum([10, 20, 30, 40], [0, -1, 1, 1], 2)), { shape: [2], values: Float32Array.of(10, 70) });
  });

  it('keeps ±Infinity in its own segment (TF.js masks with 0·x, so an Infinity makes every other segment NaN)', () => {
    const got = read(unsortedSegmentSum([[1, Infinity], [2, 3]], [0, 1], 2));
    expect(Array.from(got.values)).toEqual([1, Infinity, 2, 3]);
  });

  it('takes ids covering several leading axes (TensorFlow), and its gradient is TF.js', () => {
    same(read(unsortedSegmentSum([[1, 2], [3, 4]], [[0, 1], [1, 1]], 2)), { shape: [2], values: Float32Array.of(1, 9) });
    const x = values(7, 12, -1, 1);
    // TF.js's gradient drops negative ids only (it fails on ids >= numSegments).
    const ids = [2, 0, -1, 2, -3, 1];
    const dyw = values(8, 12, -1, 1);
    const want = readTf(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.unsortedSegmentSum(a, int32(ids, [6]) as tf.Tensor1D, 3), tf.tensor(dyw.slice(0, 6), [3, 2]))))(tf.tensor(x, [6, 2])));
    const g = nr.grad((a: nr.Tensor) => nr.sum(nr.mul(unsortedSegmentSum(a, ids, 3), nr.tensor(dyw.slice(0, 6), [3, 2]))))(nr.tensor(x, [6, 2]));
    same(read(g), want, 0, 0, 'gradient');
  });

  it('names bad arguments and leaks nothing', () => {
    expect(String(noLeak(() => unsortedSegmentSum([[1, 2], [3, 4], [5, 6]], [0, 1], 2)))).toBe(
      "InvalidArgumentError: unsortedSegmentSum: segmentIds has shape [2] but must have the shape of x's leading axes (x has shape [3,2]; TF.js takes segmentIds of shape [3])",
    );
    expect(String(noLeak(() => unsortedSegmentSum([1, 2, 3], [0, 0.5, 1], 2)))).toBe(
      'InvalidArgumentError: unsortedSegmentSum: segmentIds[1] = 0.5 is not an integer (segmentIds has shape [3])',
    );
    expect(String(noLeak(() => unsortedSegmentSum([1, 2], [0, NaN], 2)))).toMatch(/segmentIds\[1\] = NaN is not an integer/);
    expect(String(noLeak(() => unsortedSegmentSum([1, 2], [0, 1], -1)))).toMatch(/^InvalidArgumentError: unsortedSegmentSum: numSegments must be an integer in \[0, 536870911\], got -1/);
    expect(String(noLeak(() => unsortedSegmentSum([1, 2], [0, 1], 2 ** 29)))).toMatch(/numSegments must be an integer/);
    expect(String(noLeak(() => unsortedSegmentSum([1, 2], 'a' as unknown as number[], 2)))).toMatch(/^InvalidArgumentError: unsortedSegmentSum: segmentIds must be a Tensor, a number or an array of numbers/);
  });
});

describe('scatterND, tensorScatterUpdate, sparseToDense vs TF.js', () => {
  it('scatterND: tuples of every length, repeats add up, rank-1 indices, empty lists', () => {
    const cases: Array<{ idx: number[]; ishape: number[]; ushape: number[]; shape: number[] }> = [
      { idx: [0, 2, 0], ishape: [3, 1], ushape: [3, 2], shape: [4, 2] },
      { idx: [0, 2, 3], ishape: [3], ushape: [3], shape: [5] },
      { idx: [1, 1, 0, 2, 1, 1], ishape: [3, 2], ushape: [3], shape: [2, 3] },
      { idx: [1, 0, 2, 0, 1, 1, 0, 0], ishape: [2, 2, 2], ushape: [2, 2, 3], shape: [3, 2, 3] },
      { idx: [], ishape: [0, 1], ushape: [0, 2], shape: [3, 2] },
      { idx: [4], ishape: [1, 1], ushape: [1, 3, 1], shape: [5, 3, 1] },
    ];
    let seed = 200;
    for (const c of cases) {
      const u = values(seed++, sizeOf(c.ushape), -5, 5);
      const want = readTf(tf.scatterND(int32(c.idx, c.ishape), tf.tensor(u, c.ushape), c.shape));
      same(read(scatterND(nr.tensor(c.idx, c.ishape), nr.tensor(u, c.ushape), c.shape)), want, 1e-6, 0, JSON.stringify(c));
      // The gradient w.r.t. updates gathers dy at the indices (TF.js 4.22 has no scatterND
      // gradient): TF.js's gatherND of dy.
      const w = values(seed++, sizeOf(c.shape), -1, 1);
      // (TF.js's gatherND reads rank-1 indices as one tuple, scatterND as single indices.)
      const gIdx = c.ishape.length === 1 ? int32(c.idx, [...c.ishape, 1]) : int32(c.idx, c.ishape);
      const gw = readTf(tf.gatherND(tf.tensor(w, c.shape), gIdx));
      const g = nr.grad((a: nr.Tensor) => nr.sum(nr.mul(scatterND(c.idx.length ? nr.tensor(c.idx, c.ishape) : nr.zeros(c.ishape), a, c.shape), nr.tensor(w, c.shape))))(nr.tensor(u, c.ushape));
      same(read(g), gw, 0, 0, `grad ${JSON.stringify(c)}`);
    }
  });

  it('tensorScatterUpdate: the last of repeated indices wins; gradients flow to both inputs', () => {
    const base = values(300, 8, -3, 3);
    const idx = [0, 2, 0, 3];
    const upd = values(301, 8, -3, 3);
    const want = readTf(tf.tensorScatterUpdate(tf.tensor(base, [4, 2]), int32(idx, [4, 1]), tf.tensor(upd, [4, 2])));
    same(read(tensorScatterUpdate(nr.tensor(base, [4, 2]), nr.tensor(idx, [4, 1]), nr.tensor(upd, [4, 2]))), want, 0, 0, 'values');
    const w = nr.tensor(values(302, 8, -1, 1), [4, 2]);
    const [gb, gu] = nr.grads((b: nr.Tensor, u: nr.Tensor) => nr.sum(nr.mul(tensorScatterUpdate(b, nr.tensor(idx, [4, 1]), u), w)))([nr.tensor(base, [4, 2]), nr.tensor(upd, [4, 2])]);
    const wv = w.data();
    // Rows 0, 2 and 3 are replaced: base's gradient is w on row 1 only; the updates' is w at
    // their row for the kept ones (1, 2 and 3) and 0 for the overwritten first.
    expect(Array.from(read(gb).values)).toEqual([0, 0, wv[2], wv[3], 0, 0, 0, 0]);
    expect(Array.from(read(gu).values)).toEqual([0, 0, wv[4], wv[5], wv[0], wv[1], wv[6], wv[7]]);
    w.dispose();
  });

  it('sparseToDense: 0-, 1- and 2-D indices, scalar values, repeats, the default', () => {
    const cases: Array<[number[], number[], number[], number[], number[], number]> = [
      [[0, 2], [2], [5, 6], [2], [4], 9],
      [[2, 0, 2], [3], [5, 6, 7], [3], [4], -1],
      [[0, 1, 1, 0], [2, 2], [5, 6], [2], [2, 2], 9],
      [[1], [], [5], [], [4], 0],
      [[0, 3], [2], [7], [], [4], 0.5],
      [[1, 2, 0, 0, 0, 1], [3, 2], [1, 2, 3], [3], [2, 3], 0],
    ];
    for (const [iv, is, vv, vs, out, def] of cases) {
      const want = readTf(tf.sparseToDense(int32(iv, is), tf.tensor(vv, vs), out, tf.scalar(def)));
      same(read(sparseToDense(nr.tensor(iv, is), nr.tensor(vv, vs), out, def)), want, 0, 0, JSON.stringify([iv, is, vv, out, def]));
    }
    // Differentiable w.r.t. the values and the default.
    const [gv, gd] = nr.grads((v: nr.Tensor, d: nr.Tensor) => nr.sum(nr.mul(sparseToDense([0, 2], v, [4], d), nr.tensor([1, 2, 3, 4]))))([nr.tensor([5, 6]), nr.scalar(9)]);
    expect(Array.from(read(gv).values)).toEqual([1, 3]);
    expect(Array.from(read(gd).values)).toEqual([6]);
  });

  it('names what is wrong and leaks nothing', () => {
    const msg = (f: () => unknown): string => String(noLeak(f));
    expect(msg(() => scatterND([[0], [7]], [[1, 2], [3, 4]], [4, 2]))).toBe(
      'InvalidArgumentError: scatterND: indices[1,0] is 7, out of range for axis 0 of the output (size 4); the output shape [4,2], indices shape [2,1]',
    );
    expect(msg(() => scatterND([[0, 1], [1, -1]], [1, 2], [2, 2]))).toBe(
      'InvalidArgumentError: scatterND: indices[1,1] is -1, out of range for axis 1 of the output (size 2); the output shape [2,2], indices shape [2,2]',
    );
    expect(msg(() => scatterND([[0.5]], [[1, 2]], [4, 2]))).toBe('InvalidArgumentError: scatterND: indices[0,0] is 0.5, not an integer; the output shape [4,2], indices shape [1,1]');
    expect(msg(() => scatterND([[0], [1]], [1, 2], [2, 2]))).toBe(
      'InvalidArgumentError: scatterND: updates has shape [2] but must have shape [2,2] (indices.shape without its last axis, then shape[1:]) for indices of shape [2,1] and shape [2,2]',
    );
    expect(msg(() => scatterND([[0, 1, 0]], [5], [2, 2]))).toBe(
      'InvalidArgumentError: scatterND: the index tuples (the last axis of indices) have 3 entries, more than the rank 2 of the output; the output shape [2,2], indices shape [1,3]',
    );
    expect(msg(() => scatterND([[2 ** 24 + 2]], [1], [2 ** 25]))).toMatch(/^InvalidArgumentError: scatterND: indices\[0,0\] is 16777218, past 2\^24: float32/);
    expect(msg(() => scatterND([[4000, 4000]], [1], [5000, 5000]))).toMatch(/^InvalidArgumentError: scatterND: the row that indices\[0\] names in the output's first 2 axes flattened is 20004000 \(the output shape \[5000,5000\], indices shape \[1,2\]\), past 2\^24: float32/);
    expect(msg(() => scatterND([[0]], [1], [-1]))).toMatch(/^InvalidArgumentError: scatterND: shape\[0\] must be a non-negative integer, got -1/);
    expect(msg(() => tensorScatterUpdate([1, 1, 1], [[5]], [5]))).toBe('InvalidArgumentError: tensorScatterUpdate: indices[0,0] is 5, out of range for axis 0 of tensor (size 3); tensor shape [3], indices shape [1,1]');
    expect(msg(() => sparseToDense([0, 5], [5, 6], [4], 9))).toBe('InvalidArgumentError: sparseToDense: sparseIndices[1] is 5, out of range for axis 0 of the output (size 4); the output shape [4], sparseIndices shape [2]');
    expect(msg(() => sparseToDense([0, 1], [5, 6, 7], [4], 9))).toBe(
      'InvalidArgumentError: sparseToDense: sparseValues has shape [3] but must be a scalar or have shape [2] (one value per index of sparseIndices, shape [2])',
    );
    expect(msg(() => sparseToDense([[1, 0]], [5], [4], 9))).toBe(
      'InvalidArgumentError: sparseToDense: sparseIndices has shape [1,2]: its indices have 2 entries but outputShape [4] has 1 axes',
    );
    expect(msg(() => sparseToDense([1], [5], [4], [9, 9]))).toBe('InvalidArgumentError: sparseToDense: defaultValue must be a scalar, got shape [2]');
    expect(msg(() => sparseToDense([[[1]]], [5], [4]))).toBe('InvalidArgumentError: sparseToDense: sparseIndices must have rank 0, 1 or 2, got shape [1,1,1]');
  });
});

describe('gradients TF.js 4.22 lacks, which would otherwise be silent zeros', () => {
  it("unique's values are its first occurrences gathered from x: their gradient reaches those entries", () => {
    const x = nr.tensor([3, 1, 3, 2, 1, 5]);
    const w = nr.tensor([10, 20, 30, 40]); // one weight per distinct value: 3, 1, 2, 5
    const g = nr.grad((a: nr.Tensor) => nr.sum(nr.mul(nr.unique(a).values, w)))(x);
    expect(Array.from(read(g).values)).toEqual([10, 20, 0, 30, 0, 40]);
    // Along an axis: the first of two equal columns gets the gradient.
    const m = nr.tensor([[1, 2, 1], [3, 4, 3]]);
    const gm = nr.grad((a: nr.Tensor) => nr.sum(nr.mul(nr.unique(a, 1).values, nr.tensor([[1, 2], [3, 4]]))))(m);
    expect(Array.from(read(gm).values)).toEqual([1, 2, 0, 3, 4, 0]);
    for (const t of [x, w, m]) t.dispose();
  });

  it("bincount's and denseBincount's sums are linear in the weights: dweights[p] = dy[x[p]] (0 past size)", () => {
    const x = nr.tensor([1, 1, 2, 5, 0]);
    const dy = nr.tensor([7, 8, 9]);
    const g = nr.grad((wt: nr.Tensor) => nr.sum(nr.mul(nr.bincount(x, wt, 3), dy)))(nr.tensor([0.5, 2, 1, 4, 3]));
    expect(Array.from(read(g).values)).toEqual([8, 8, 9, 0, 7]);
    const x2 = nr.tensor([[1, 1, 3], [0, 3, 3]]);
    const dy2 = nr.tensor([[1, 2, 3, 4], [5, 6, 7, 8]]);
    const g2 = nr.grad((wt: nr.Tensor) => nr.sum(nr.mul(nr.denseBincount(x2, wt, 4), dy2)))(nr.tensor([[1, 1, 1], [1, 1, 1]]));
    expect(Array.from(read(g2).values)).toEqual([2, 2, 4, 5, 8, 8]);
    // The weighted sums are TF.js's, bit for bit (float32, in x's order).
    const wv = values(400, 5, -3, 3);
    same(read(nr.bincount(x, nr.tensor(wv), 3)), readTf(tf.bincount(int32([1, 1, 2, 5, 0], [5]) as tf.Tensor1D, tf.tensor1d(wv), 3)));
    for (const t of [x, dy, x2, dy2]) t.dispose();
  });
});
