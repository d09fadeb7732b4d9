// The TF.js ops neurite composes in TypeScript from its other ops (ts/ops/logsumexp.ts, norm.ts,
// arithmetic.ts, all_any.ts, activation_ops.ts, unstack.ts, broadcast_to.ts, diag.ts,
// meshgrid.ts, conversions.ts; tensor5d/tensor6d in creation.ts), checked live against
// TF.js 4.22 (cpu backend, tf.grad/tf.grads) on shapes from rank 0 to rank 6, odd and empty
// sizes, negative axes, keepDims, NaN, ±Infinity, huge (1e30) and tiny (1e-30) values; then
// the documented differences from TF.js, TensorLike arguments, the Tensor methods, error
// messages, and that every op (also a failing one) leaves memory().numHandles where it was.
//
// Tolerances (|a − e| ≤ atol + rtol·|e|; both sides float32):
// - exact (0): relu6, addN (both add left to right in float32), divNoNan (one IEEE division),
//   all/any, unstack, broadcastTo, diag, meshgrid, tensor5d/6d, the conversions.
// - squaredDifference: rtol 3e-7 (neurite rounds a − b, then its square; TF.js rounds once).
// - logSumExp: rtol 2e-6, atol 2e-6 (TF.js sums in float64 and evaluates exp/log in float64;
//   neurite sums in float32 with a 2-ulp exp and log).
// - logSigmoid: rtol 1e-5, atol 1e-6 (TF.js's softplus switches to x or eˣ beyond ±13.9).
// - norm: rtol 1e-5, atol 1e-6 (float32 vs float64 sums of up to 60 values); p-norms (no TF.js
//   oracle: TF.js throws) against a float64 reference, rtol 2e-5.
// - gradients: rtol 1e-5, atol 1e-6 (2e-5 for p-norms).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's main entry leaves gradients unregistered; tf.grad needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
// The TF.js Tensor methods (x.relu6(), …), for the method comparisons.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import { expectClose, thrown } from './setup.js';
import { EXACT, expectSame, noHandleLeak, read, readTf, run, sizeOf, uniform, type Read } from './op-helpers.js';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';

await tf.setBackend('cpu');

type Axis = number | number[] | undefined;
/** Exact comparison (NaN matches NaN). */
const exact = (got: Read, want: Read, what = ''): void => expectSame(got, want, EXACT, what);

/** Shapes from rank 0 to rank 6, odd sizes and ones. */
const SHAPES: number[][] = [[], [1], [7], [3, 5], [1, 4, 1], [2, 3, 4], [2, 1, 3, 2], [2, 2, 1, 3, 2], [1, 2, 1, 2, 1, 3]];
/** Shapes with no values. */
const EMPTY: number[][] = [[0], [3, 0], [0, 2, 3], [2, 0, 1]];

/** Axis arguments worth trying for a rank: all, each axis both ways, pairs, none. */
function axesFor(rank: number): Axis[] {
  const out: Axis[] = [undefined];
  for (let d = 0; d < rank; d++) out.push(d, d - rank);
  if (rank >= 2) out.push([0, rank - 1], [-1, 0]);
  if (rank >= 3) out.push([0, 2], [1, -1], [2, 0, 1]);
  out.push([]);
  return out;
}

const reducedCount = (shape: number[], axis: Axis): number => {
  const axes = axis === undefined ? shape.map((_, i) => i) : typeof axis === 'number' ? [axis] : axis;
  return axes.reduce((n, a) => n * shape[a < 0 ? a + shape.length : a], 1);
};

describe('logSumExp vs TF.js', () => {
  it('every axis, keepDims, rank 0 to 6, values in [-50, 50] and around ±1e30', () => {
    let seed = 1;
    for (const shape of SHAPES) {
      for (const axis of axesFor(shape.length)) {
        for (const keepDims of [false, true]) {
          for (const [lo, hi] of [[-50, 50], [-1e30, 1e30], [-1e-30, 1e-30]]) {
            const x = uniform(seed++, sizeOf(shape), lo, hi);
            const want = readTf(tf.tidy(() => tf.logSumExp(tf.tensor(x, shape), axis, keepDims)));
            const got = run(() => read(nr.logSumExp(nr.tensor(x, shape), axis, keepDims)));
            expectSame(got, want, [2e-6, 2e-6], `logSumExp ${JSON.stringify(shape)} axis ${JSON.stringify(axis)} keepDims ${keepDims} in [${lo}, ${hi})`);
          }
        }
      }
    }
  });

  it('huge equal values (1e30), 88.8 (exp overflows unshifted), -1000, NaN rows: as TF.js', () => {
    const x = [[1e30, 1e30, 1e30], [88.8, 88.8, 1], [-1000, -1000, -1001], [NaN, 1, 2], [3.4e38, 3.4e38, 0], [-3.4e38, 0, 1]];
    const want = readTf(tf.tidy(() => tf.logSumExp(tf.tensor(x), -1)));
    const got = read(nr.logSumExp(nr.tensor(x), -1));
    expectSame(got, want, [2e-6, 2e-6]);
    expect(got.values[1]).toBeCloseTo(88.8 + Math.log(2), 4);
    expect(Number.isNaN(got.values[3])).toBe(true);
  });

  it('rows of -Infinity give -Infinity and rows holding +Infinity give +Infinity (TF.js 4.22: NaN)', () => {
    const x = [[-Infinity, -Infinity], [-Infinity, 2], [Infinity, 1], [Infinity, Infinity], [Infinity, -Infinity], [NaN, Infinity]];
    const got = read(nr.logSumExp(nr.tensor(x), 1));
    expectClose(got.values, [-Infinity, 2, Infinity, Infinity, Infinity, NaN]);
    // The documented difference: TF.js shifts by a non-finite maximum and gets NaN.
    const want = readTf(tf.tidy(() => tf.logSumExp(tf.tensor(x), 1)));
    expectClose(want.values, [NaN, 2, NaN, NaN, NaN, NaN]);
  });

  it('empty tensors: -Infinity over an empty axis (TF.js 4.22: NaN), empty results as TF.js', () => {
    for (const shape of EMPTY) {
      for (const axis of axesFor(shape.length)) {
        for (const keepDims of [false, true]) {
          const got = run(() => read(nr.logSumExp(nr.zeros(shape), axis, keepDims)));
          const want = readTf(tf.tidy(() => tf.logSumExp(tf.zeros(shape), axis, keepDims)));
          expect(got.shape, `${JSON.stringify(shape)} ${JSON.stringify(axis)}`).toEqual(want.shape);
          if (reducedCount(shape, axis) === 0) expect(Array.from(got.values).every((v) => v === -Infinity)).toBe(true);
          else expectSame(got, want, EXACT);
        }
      }
    }
  });

  it('gradient (the softmax over the axes) vs tf.grad, ties and keepDims included', () => {
    let seed = 100;
    for (const [shape, axis, keepDims] of [[[7], undefined, false], [[3, 5], -1, true], [[2, 3, 4], [0, 2], false], [[2, 1, 3, 2], [-1, 1], true], [[2, 2, 1, 3, 2], undefined, true], [[4, 3], 0, false]] as Array<[number[], Axis, boolean]>) {
      const x = uniform(seed++, sizeOf(shape), -8, 8);
      if (x.length > 2) x[1] = x[0]; // a tie for the maximum in some row
      const ys = nr.tidy(() => read(nr.logSumExp(nr.tensor(x, shape), axis, keepDims))).shape;
      const dy = uniform(seed++, sizeOf(ys), -2, 2);
      const want = readTf(tf.tidy(() => tf.grad((t: tf.Tensor) => tf.logSumExp(t, axis, keepDims))(tf.tensor(x, shape), tf.tensor(dy, ys))));
      const got = run(() => read(nr.grad((t) => nr.logSumExp(t, axis, keepDims))(nr.tensor(x, shape), nr.tensor(dy, ys))));
      expectSame(got, want, [1e-5, 1e-6], `grad ${JSON.stringify(shape)} ${JSON.stringify(axis)}`);
    }
  });

  it('errors name logSumExp and the argument', () => {
    const x = nr.tensor([[1, 2], [3, 4]]);
    expect(thrown(() => nr.logSumExp(x, 2))).toMatchObject({ name: 'InvalidArgumentError', message: 'logSumExp: axis 2 is out of range for a tensor of rank 2 (shape [2,2])' });
    expect(thrown(() => nr.logSumExp(x, [1, -1]))).toMatchObject({ message: 'logSumExp: axis -1 is listed twice in axes [1,-1]' });
    expect(thrown(() => nr.logSumExp(x, 0.5))).toMatchObject({ message: 'logSumExp: axis must be an integer, got 0.5' });
    expect(thrown(() => nr.logSumExp(x, '0' as never))).toMatchObject({ message: 'logSumExp: axis must be a number or an array of numbers, got the string "0"' });
    expect(thrown(() => nr.logSumExp(x, 0, 1 as never))).toMatchObject({ message: 'logSumExp: keepDims must be true or false, got 1' });
    expect(thrown(() => nr.logSumExp('x' as never))).toMatchObject({ message: 'logSumExp: x must be a Tensor, a number or an array of numbers, got the string "x"' });
    expect(thrown(() => nr.logSumExp(nr.scalar(1), 0))).toMatchObject({ message: 'logSumExp: axis 0 is out of range for a tensor of rank 0 (shape [])' });
    x.dispose();
    expect(thrown(() => nr.logSumExp(x))).toMatchObject({ name: 'DisposedError', message: 'logSumExp: x is a disposed tensor (shape [2,2])' });
  });
});

describe('logSigmoid and relu6 vs TF.js', () => {
  const specials = [0, -0, 1e-30, -1e-30, 6, -6, 5.999999, 6.000001, 13.9, -13.9, 20, -20, 88, -88, 100, -100, 1e30, -1e30, Infinity, -Infinity, NaN];

  it('logSigmoid: values (stable for large |x|) and gradient, rank 0 to 6', () => {
    let seed = 300;
    for (const shape of [...SHAPES, [specials.length]]) {
      const x = shape.length === 1 && shape[0] === specials.length ? Float32Array.from(specials) : uniform(seed++, sizeOf(shape), -30, 30);
      const want = readTf(tf.tidy(() => tf.logSigmoid(tf.tensor(x, shape))));
      const got = run(() => read(nr.logSigmoid(nr.tensor(x, shape))));
      expectSame(got, want, [1e-5, 1e-6], `logSigmoid ${JSON.stringify(shape)}`);
      expect(got.values.every((v, i) => Number.isNaN(x[i]) || v <= 0)).toBe(true);
      const dy = uniform(seed++, sizeOf(shape), -2, 2);
      const finite = x.map((v) => (Number.isFinite(v) ? v : 0));
      const wantG = readTf(tf.tidy(() => tf.grad((t: tf.Tensor) => tf.logSigmoid(t))(tf.tensor(finite, shape), tf.tensor(dy, shape))));
      const gotG = run(() => read(nr.grad((t) => nr.logSigmoid(t))(nr.tensor(finite, shape), nr.tensor(dy, shape))));
      expectSame(gotG, wantG, [1e-5, 1e-6], `logSigmoid grad ${JSON.stringify(shape)}`);
    }
    expect(Array.from(nr.tidy(() => nr.logSigmoid([-100, 100, -Infinity, Infinity]).data()))).toEqual([-100, expect.closeTo(-3.7835e-44, 47), -Infinity, -0]);
  });

  it('relu6: values and gradient (1 on (0, 6], 0 at 0 and above 6) exactly as TF.js', () => {
    let seed = 400;
    for (const shape of [...SHAPES, [specials.length], [0], [2, 0]]) {
      const x = shape.length === 1 && shape[0] === specials.length ? Float32Array.from(specials) : uniform(seed++, sizeOf(shape), -3, 9);
      exact(run(() => read(nr.relu6(nr.tensor(x, shape)))), readTf(tf.tidy(() => tf.relu6(tf.tensor(x, shape)))), `relu6 ${JSON.stringify(shape)}`);
      const dy = uniform(seed++, sizeOf(shape), -2, 2);
      const wantG = readTf(tf.tidy(() => tf.grad((t: tf.Tensor) => tf.relu6(t))(tf.tensor(x, shape), tf.tensor(dy, shape))));
      const gotG = run(() => read(nr.grad((t) => nr.relu6(t))(nr.tensor(x, shape), nr.tensor(dy, shape))));
      exact(gotG, wantG, `relu6 grad ${JSON.stringify(shape)}`);
    }
  });
});

describe('norm and euclideanNorm vs TF.js', () => {
  const VECTOR_ORDS: nr.NormOrd[] = ['euclidean', 2, 1, Infinity, -Infinity];
  const MATRIX_ORDS: nr.NormOrd[] = ['euclidean', 'fro', 1, Infinity, -Infinity];
  /** Cases TF.js computes: whole tensor, one axis (number or [a]), sorted non-negative axis pairs. */
  const CASES: Array<[number[], Axis | null, readonly nr.NormOrd[]]> = [
    [[7], null, VECTOR_ORDS], [[7], 0, VECTOR_ORDS], [[7], -1, VECTOR_ORDS], [[7], [0], VECTOR_ORDS],
    [[3, 5], null, VECTOR_ORDS], [[3, 5], 0, VECTOR_ORDS], [[3, 5], -1, VECTOR_ORDS], [[3, 5], [1], VECTOR_ORDS], [[3, 5], [0, 1], MATRIX_ORDS],
    [[2, 3, 4], null, VECTOR_ORDS], [[2, 3, 4], 1, VECTOR_ORDS], [[2, 3, 4], [0, 2], MATRIX_ORDS], [[2, 3, 4], [1, 2], MATRIX_ORDS], [[2, 3, 4], [0, 1], MATRIX_ORDS],
    [[2, 1, 3, 2, 2], 3, VECTOR_ORDS], [[2, 1, 3, 2, 2], [1, 3], MATRIX_ORDS], [[2, 1, 3, 2, 2], [2, 4], MATRIX_ORDS],
    [[1, 2, 1, 2, 1, 3], -1, VECTOR_ORDS], [[1, 2, 1, 2, 1, 3], [3, 5], MATRIX_ORDS],
  ];

  it('vector and matrix norms, with and without keepDims, rank 1 to 6', () => {
    let seed = 500;
    for (const [shape, axis, ords] of CASES) {
      for (const ord of ords) {
        for (const keepDims of [false, true]) {
          const x = uniform(seed++, sizeOf(shape), -5, 5);
          const want = readTf(tf.tidy(() => tf.norm(tf.tensor(x, shape), ord, (axis ?? undefined) as number | number[] | undefined, keepDims)));
          const got = run(() => read(nr.norm(nr.tensor(x, shape), ord, axis as number | number[] | null, keepDims)));
          expectSame(got, want, [1e-5, 1e-6], `norm ${JSON.stringify(shape)} ord ${String(ord)} axis ${JSON.stringify(axis)} keepDims ${keepDims}`);
        }
      }
    }
  });

  it('matrix axes in either order and negative, with NumPy meaning (TF.js throws or misreads them)', () => {
    let seed = 600;
    for (const [shape, axis] of [[[3, 5], [1, 0]], [[3, 5], [-2, -1]], [[3, 5], [-1, -2]], [[2, 3, 4], [2, 0]], [[2, 3, 4], [-1, 1]], [[2, 1, 3, 2, 2], [4, -4]]] as Array<[number[], number[]]>) {
      const r = shape.length;
      const [a, b] = axis.map((v) => (v < 0 ? v + r : v));
      for (const ord of MATRIX_ORDS) {
        for (const keepDims of [false, true]) {
          const x = uniform(seed++, sizeOf(shape), -5, 5);
          // The same norm in TF.js's terms: swap the two axes so rows come first, then sorted axes.
          const want = readTf(tf.tidy(() => {
            const t = tf.tensor(x, shape);
            if (a < b) return tf.norm(t, ord, [a, b], keepDims);
            const perm = shape.map((_, i) => (i === a ? b : i === b ? a : i));
            return tf.norm(tf.transpose(t, perm), ord, [b, a], keepDims);
          }));
          const got = run(() => read(nr.norm(nr.tensor(x, shape), ord, axis, keepDims)));
          expectSame(got, want, [1e-5, 1e-6], `norm ${JSON.stringify(shape)} ord ${String(ord)} axis ${JSON.stringify(axis)}`);
        }
      }
    }
    // TF.js 4.22 on the same arguments:
    expect(thrown(() => tf.norm(tf.ones([2, 3]), 1, [-2, -1]))).toBeInstanceOf(Error);
    expect(thrown(() => tf.norm(tf.ones([2, 3]), Infinity, [1, 0]))).toBeInstanceOf(Error);
    expect(Array.from(nr.tidy(() => nr.norm(nr.ones([2, 3]), Infinity, [1, 0]).data()))).toEqual([2]); // largest row sum of the transpose
  });

  it('vector p-norms for other p > 0 (TF.js documents them but throws), against a float64 reference', () => {
    let seed = 700;
    for (const p of [3, 0.5, 1.5, 4.25]) {
      for (const [shape, axis] of [[[7], null], [[3, 5], -1], [[2, 3, 4], 1], [[2, 1, 3, 2, 2], [0]]] as Array<[number[], number | number[] | null]>) {
        const x = uniform(seed++, sizeOf(shape), -3, 3);
        const got = run(() => read(nr.norm(nr.tensor(x, shape), p, axis)));
        // Reference: reduce |x|^p over the axis in float64.
        const ax = axis === null ? -1 : ((typeof axis === 'number' ? axis : axis[0]) + shape.length) % shape.length;
        const outer = ax < 0 ? 1 : sizeOf(shape.slice(0, ax));
        const n = ax < 0 ? x.length : shape[ax];
        const inner = ax < 0 ? 1 : sizeOf(shape.slice(ax + 1));
        const want: number[] = [];
        for (let o = 0; o < outer; o++) {
          for (let i = 0; i < inner; i++) {
            let s = 0;
            for (let k = 0; k < n; k++) s += Math.abs(x[(o * n + k) * inner + i]) ** p;
            want.push(s ** (1 / p));
          }
        }
        expectClose(got.values, want, 2e-5, 1e-6);
      }
    }
    expect(thrown(() => tf.norm(tf.tensor([1, 2]), 3))).toMatchObject({ message: 'Error in norm: invalid ord value: 3' });
  });

  it('rank 0 is |x| for every ord; NaN, ±Infinity, 1e30 (overflows, as TF.js), 1e-30 (underflows), empty', () => {
    const cases: Array<[number[] | number, nr.NormOrd, Axis | null, boolean]> = [
      [-3, 'euclidean', null, false], [-3, 'fro', null, true], [-3, 1, null, false], [-3, 7, null, false], [-3, Infinity, null, true],
      [[1e30, 1e30], 'euclidean', null, false], [[1e30, 1e30], 1, null, false], [[1e30, -1e30], Infinity, null, false],
      [[1e-30, 1e-30], 'euclidean', null, false], [[1e-30, 1e-30], 1, null, false],
      [[1, NaN, 3], 'euclidean', null, false], [[1, NaN, 3], 1, null, false], [[1, NaN, 3], Infinity, null, false], [[1, NaN, 3], -Infinity, null, false],
      [[1, -Infinity, 3], 'euclidean', null, false], [[1, -Infinity, 3], -Infinity, null, false], [[1, -Infinity, 3], Infinity, null, false],
    ];
    for (const [x, ord, axis, keepDims] of cases) {
      const want = readTf(tf.tidy(() => tf.norm(tf.tensor(x), ord, (axis ?? undefined) as number | number[] | undefined, keepDims)));
      const got = run(() => read(nr.norm(nr.tensor(x), ord, axis as number | null, keepDims)));
      expectSame(got, want, [1e-5, 1e-6], `norm(${JSON.stringify(x)}, ${String(ord)})`);
    }
    for (const [shape, ord, axis, keepDims] of [[[0], 'euclidean', null, false], [[0], 1, null, true], [[3, 0], 'euclidean', 1, false], [[3, 0], 1, -1, true], [[0, 3], 'fro', [0, 1], false], [[0, 3], 1, [0, 1], false], [[3, 0], Infinity, [0, 1], true], [[0, 4], Infinity, 1, false], [[0, 0], Infinity, 0, false], [[0, 0], 'euclidean', [0, 1], true], [[2, 0, 3], 1, [1, 2], false], [[2, 3, 0], Infinity, [1, 2], false]] as Array<[number[], nr.NormOrd, Axis | null, boolean]>) {
      const want = readTf(tf.tidy(() => tf.norm(tf.zeros(shape), ord, (axis ?? undefined) as number | number[] | undefined, keepDims)));
      const got = run(() => read(nr.norm(nr.zeros(shape), ord, axis as number | null, keepDims)));
      exact(got, want, `norm(zeros(${JSON.stringify(shape)}), ${String(ord)}, ${JSON.stringify(axis)})`);
    }
  });

  it('gradients vs tf.grad: 2-norm, 1-norm, ±Infinity-norms, Frobenius and matrix 1/Infinity norms', () => {
    let seed = 800;
    const cases: Array<[number[], nr.NormOrd, Axis | null, boolean]> = [
      [[7], 'euclidean', null, false], [[3, 5], 2, -1, true], [[3, 5], 1, 0, false], [[2, 3, 4], Infinity, 2, false], [[2, 3, 4], -Infinity, [1], true],
      [[2, 3, 4], 'euclidean', null, true], [[3, 5], 'fro', [0, 1], false], [[2, 3, 4], 1, [0, 2], true], [[2, 3, 4], Infinity, [1, 2], false], [[2, 1, 3, 2, 2], -Infinity, [1, 3], false],
    ];
    for (const [shape, ord, axis, keepDims] of cases) {
      const x = uniform(seed++, sizeOf(shape), -5, 5);
      const ys = nr.tidy(() => read(nr.norm(nr.tensor(x, shape), ord, axis as number | null, keepDims))).shape;
      const dy = uniform(seed++, sizeOf(ys), -2, 2);
      const want = readTf(tf.tidy(() => tf.grad((t: tf.Tensor) => tf.norm(t, ord, (axis ?? undefined) as number | number[] | undefined, keepDims))(tf.tensor(x, shape), tf.tensor(dy, ys))));
      const got = run(() => read(nr.grad((t) => nr.norm(t, ord, axis as number | null, keepDims))(nr.tensor(x, shape), nr.tensor(dy, ys))));
      expectSame(got, want, [1e-5, 1e-6], `norm grad ${JSON.stringify(shape)} ${String(ord)} ${JSON.stringify(axis)}`);
    }
    // A p-norm: d/dx (Σ|x|^p)^(1/p) = sign(x)·|x|^(p−1)·‖x‖^(1−p).
    const x = [0.5, -2, 1.25];
    const g = nr.tidy(() => nr.grad((t) => nr.norm(t, 3))(nr.tensor(x)).data());
    const n3 = Math.cbrt(x.reduce((s, v) => s + Math.abs(v) ** 3, 0));
    expectClose(g, x.map((v) => Math.sign(v) * Math.abs(v) ** 2 * n3 ** -2), 2e-5, 1e-6);
    // At 0 the 2-norm's gradient is NaN (0·∞), as TF.js's.
    expect(Number.isNaN(nr.tidy(() => nr.grad((t) => nr.norm(t))(nr.zeros([2])).data()[0]))).toBe(true);
    expect(Number.isNaN(tf.tidy(() => tf.grad((t: tf.Tensor) => tf.norm(t))(tf.zeros([2])).dataSync()[0]))).toBe(true);
  });

  it('euclideanNorm is norm with ord euclidean, as tf.euclideanNorm', () => {
    let seed = 900;
    for (const [shape, axis, keepDims] of [[[], undefined, false], [[7], 0, true], [[3, 5], undefined, true], [[2, 3, 4], [0, 2], false], [[2, 3, 4], -2, true], [[2, 2, 1, 3, 2], [4, 1], true]] as Array<[number[], Axis, boolean]>) {
      const x = uniform(seed++, sizeOf(shape), -4, 4);
      const want = readTf(tf.tidy(() => tf.euclideanNorm(tf.tensor(x, shape), axis, keepDims)));
      const got = run(() => read(nr.euclideanNorm(nr.tensor(x, shape), axis, keepDims)));
      expectSame(got, want, [1e-5, 1e-6], `euclideanNorm ${JSON.stringify(shape)} ${JSON.stringify(axis)}`);
    }
  });

  it('errors where TF.js errors, naming norm, ord and axis', () => {
    const m = nr.ones([2, 3]);
    const msg = (f: () => unknown) => (thrown(f) as Error).message;
    expect(msg(() => nr.norm(nr.tensor([1, 2]), 'fro'))).toBe("norm: ord 'fro' is a matrix norm; pass two axes [rows, columns], or use 'euclidean' for a vector norm");
    expect(msg(() => nr.norm(m, 2, [0, 1]))).toBe("norm: ord 2 is not a matrix norm; matrix norms (two axes) take 'euclidean', 'fro', 1, Infinity or -Infinity, got axes [0,1]");
    expect(msg(() => nr.norm(m, 3, [0, 1]))).toMatch(/^norm: ord 3 is not a matrix norm/);
    for (const ord of [0, -1, NaN, 'nuc', null]) {
      expect(thrown(() => nr.norm(m, ord as never))).toMatchObject({ name: 'InvalidArgumentError', message: expect.stringMatching(/^norm: ord must be 'euclidean', 'fro', Infinity, -Infinity or a number p > 0 \(1 and 2 included\), got /) });
    }
    expect(msg(() => nr.norm(m, 1, []))).toBe('norm: axis must be omitted, one axis, or a pair of axes [rows, columns], got []');
    expect(msg(() => nr.norm(nr.ones([2, 2, 2]), 1, [0, 1, 2]))).toBe('norm: axis must be omitted, one axis, or a pair of axes [rows, columns], got [0,1,2]');
    expect(msg(() => nr.norm(m, 1, 2))).toBe('norm: axis 2 is out of range for a tensor of rank 2 (shape [2,3])');
    expect(msg(() => nr.norm(m, 1, [1, -1]))).toBe('norm: axis -1 is listed twice in axes [1,-1]');
    expect(msg(() => nr.norm(nr.tensor([1, 2]), 'euclidean', [0, 1]))).toBe('norm: axis 1 is out of range for a tensor of rank 1 (shape [2])');
    expect(msg(() => nr.norm(m, 1, 0, 'yes' as never))).toBe('norm: keepDims must be true or false, got the string "yes"');
    expect(msg(() => nr.norm(nr.zeros([0]), Infinity))).toBe('norm: ord Infinity takes a maximum over the axis, which is empty (x shape [0], axes [0]); TF.js gives NaN');
    expect(msg(() => nr.norm(nr.zeros([2, 0]), -Infinity, 1))).toBe('norm: ord -Infinity takes a minimum over the axis, which is empty (x shape [2,0], axes [1]); TF.js gives NaN');
    expect(msg(() => nr.norm(nr.zeros([2, 0]), 1, [0, 1]))).toBe('norm: ord 1 takes a maximum over the columns, which is empty (x shape [2,0], axes [0,1]); TF.js gives NaN');
    expect(msg(() => nr.norm(nr.zeros([0, 2]), Infinity, [0, 1]))).toBe('norm: ord Infinity takes a maximum over the rows, which is empty (x shape [0,2], axes [0,1]); TF.js gives NaN');
    expect(msg(() => nr.norm(nr.zeros([0, 0]), -Infinity, [1, 0]))).toBe('norm: ord -Infinity takes a minimum over the rows, which is empty (x shape [0,0], axes [1,0]); TF.js gives NaN');
    expect(msg(() => nr.euclideanNorm(m, 5))).toBe('euclideanNorm: axis 5 is out of range for a tensor of rank 2 (shape [2,3])');
    expect(msg(() => nr.euclideanNorm({} as never))).toBe('euclideanNorm: x must be a Tensor, a number or an array of numbers, got an object (Object)');
    // TF.js 4.22 throws for these too.
    expect(thrown(() => tf.norm(tf.tensor([1, 2]), 'fro'))).toMatchObject({ message: 'Error in norm: invalid ord value: fro' });
    expect(thrown(() => tf.norm(tf.ones([2, 3]), 2, [0, 1]))).toMatchObject({ message: 'Error in norm: invalid ord value: 2' });
    expect(thrown(() => tf.norm(tf.ones([2, 2, 2]), 1, [0, 1, 2]))).toMatchObject({ message: 'Error in norm: invalid axis: 0,1,2' });
    m.dispose();
  });
});

describe('addN, squaredDifference, divNoNan vs TF.js', () => {
  it('addN: ranks 0 to 6, empty, 1 to 9 tensors, NaN/±Infinity/1e30, exactly as TF.js; gradient dy for each', () => {
    let seed = 1000;
    for (const shape of [...SHAPES, [0], [2, 0]]) {
      for (const n of [1, 2, 3, 9]) {
        const xs = Array.from({ length: n }, (_, i) => {
          const v = uniform(seed++, sizeOf(shape), -1e3, 1e3);
          if (v.length > 0 && i === 1) v[0] = [NaN, Infinity, 1e30][seed % 3];
          return v;
        });
        const want = readTf(tf.tidy(() => tf.addN(xs.map((v) => tf.tensor(v, shape)))));
        exact(run(() => read(nr.addN(xs.map((v) => nr.tensor(v, shape))))), want, `addN ${n} × ${JSON.stringify(shape)}`);
        const dy = uniform(seed++, sizeOf(shape), -2, 2);
        const wantG = tf.tidy(() => tf.grads((...ts: tf.Tensor[]) => tf.addN(ts))(xs.map((v) => tf.tensor(v, shape)), tf.tensor(dy, shape)).map((g) => Array.from(g.dataSync())));
        const gotG = run(() => nr.grads((...ts) => nr.addN(ts))(xs.map((v) => nr.tensor(v, shape)), nr.tensor(dy, shape)).map((g) => Array.from(read(g).values)));
        expect(gotG).toEqual(wantG);
      }
    }
    exact(read(nr.addN([[1, 2], nr.tensor([3, 4]), new Float32Array([5, 6])])), { shape: [2], values: Float32Array.from([9, 12]) });
  });

  it('addN errors name the index and both shapes', () => {
    const a = nr.ones([2, 3]);
    const msg = (f: () => unknown) => (thrown(f) as Error).message;
    expect(thrown(() => nr.addN([a, nr.ones([3, 2])]))).toMatchObject({ name: 'ShapeError', message: 'addN: tensors[1] has shape [3,2] but tensors[0] has shape [2,3]; addN needs equal shapes (no broadcasting)' });
    expect(msg(() => nr.addN([a, a, nr.ones([3])]))).toBe('addN: tensors[2] has shape [3] but tensors[0] has shape [2,3]; addN needs equal shapes (no broadcasting)');
    expect(msg(() => nr.addN([a, 1]))).toBe('addN: tensors[1] has shape [] but tensors[0] has shape [2,3]; addN needs equal shapes (no broadcasting)');
    expect(msg(() => nr.addN([]))).toBe('addN: tensors must hold at least one tensor, got an empty array');
    expect(msg(() => nr.addN(a as never))).toBe('addN: tensors must be an array of Tensors, got an object (Tensor)');
    expect(msg(() => nr.addN([a, 'b' as never]))).toBe('addN: tensors[1] must be a Tensor, a number or an array of numbers, got the string "b"');
    expect(msg(() => nr.addN([[1, 2], [[1], [2, 3]] as never]))).toMatch(/^addN: tensors\[1\]: values are ragged/);
    const d = nr.ones([2, 3]);
    d.dispose();
    expect(thrown(() => nr.addN([a, d]))).toMatchObject({ name: 'DisposedError', message: 'addN: tensors[1] is a disposed tensor (shape [2,3])' });
    a.dispose();
  });

  /** Pairs of shapes that broadcast, empty included. */
  const PAIRS: Array<[number[], number[]]> = [[[], []], [[7], []], [[], [3, 5]], [[3, 5], [5]], [[3, 1], [1, 5]], [[2, 1, 3, 2], [1, 4, 1, 1]], [[2, 2, 1, 3, 2], [3, 1]], [[0], [1]], [[3, 0], [3, 1]]];
  const SPECIAL_A = [0, -0, 1, NaN, Infinity, -Infinity, 1e30, -1e30, 1e-30, 3.4e38, 2.5];
  const SPECIAL_B = [0, 0, -0, 1, Infinity, -Infinity, -1e30, 1e30, 0, -3.4e38, 1e-30];

  it('squaredDifference: broadcasting, specials; gradients for both arguments', () => {
    let seed = 1100;
    for (const [sa, sb] of [...PAIRS, [[SPECIAL_A.length], [SPECIAL_B.length]]] as Array<[number[], number[]]>) {
      const special = sa[0] === SPECIAL_A.length;
      const a = special ? Float32Array.from(SPECIAL_A) : uniform(seed++, sizeOf(sa), -100, 100);
      const b = special ? Float32Array.from(SPECIAL_B) : uniform(seed++, sizeOf(sb), -100, 100);
      const want = readTf(tf.tidy(() => tf.squaredDifference(tf.tensor(a, sa), tf.tensor(b, sb))));
      if (!special && sa.join() !== sb.join()) expect(thrown(() => tf.tidy(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.squaredDifference(x, y))([tf.tensor(a, sa), tf.tensor(b, sb)])))).toBeInstanceOf(Error);
      const got = run(() => read(nr.squaredDifference(nr.tensor(a, sa), nr.tensor(b, sb))));
      expectSame(got, want, [3e-7, 0], `squaredDifference ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
      if (special) continue;
      const dy = uniform(seed++, sizeOf(want.shape), -2, 2);
      if (dy.length === 0) {
        // Empty results: zero gradients of the inputs' shapes (TF.js's Sub gradient fails to reshape them).
        const g = run(() => nr.grads((x, y) => nr.squaredDifference(x, y))([nr.tensor(a, sa), nr.tensor(b, sb)], nr.tensor(dy, want.shape)).map(read));
        expect(g.map((r) => r.shape)).toEqual([sa, sb]);
        expect(g.every((r) => r.values.every((v) => v === 0))).toBe(true);
        continue;
      }
      // TF.js 4.22's SquaredDifference gradient does not sum over broadcast axes (it throws
      // "gradient of input 'b' has shape '7', which does not match"); square(a − b) stands in.
      const broadcast = sa.join() !== sb.join();
      const tfF = (x: tf.Tensor, y: tf.Tensor) => (broadcast ? tf.square(tf.sub(x, y)) : tf.squaredDifference(x, y));
      const wantG = tf.tidy(() => tf.grads(tfF)([tf.tensor(a, sa), tf.tensor(b, sb)], tf.tensor(dy, want.shape)).map(readTf));
      const gotG = run(() => nr.grads((x, y) => nr.squaredDifference(x, y))([nr.tensor(a, sa), nr.tensor(b, sb)], nr.tensor(dy, want.shape)).map(read));
      gotG.forEach((g, i) => expectSame(g, wantG[i], [1e-5, 1e-6], `squaredDifference grad ${i} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`));
    }
  });

  it('divNoNan: 0 where b is 0 (NaN and ±Infinity numerators too), broadcasting, exactly as TF.js', () => {
    let seed = 1200;
    for (const [sa, sb] of [...PAIRS, [[SPECIAL_A.length], [SPECIAL_B.length]]] as Array<[number[], number[]]>) {
      const special = sa[0] === SPECIAL_A.length;
      const a = special ? Float32Array.from(SPECIAL_A) : uniform(seed++, sizeOf(sa), -100, 100);
      const b = special ? Float32Array.from(SPECIAL_B) : uniform(seed++, sizeOf(sb), -3, 3).map((v) => (Math.abs(v) < 1 ? 0 : v));
      const want = readTf(tf.tidy(() => tf.divNoNan(tf.tensor(a, sa), tf.tensor(b, sb))));
      exact(run(() => read(nr.divNoNan(nr.tensor(a, sa), nr.tensor(b, sb)))), want, `divNoNan ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
    }
  });

  it('divNoNan gradients: those of div where b ≠ 0, 0 where b = 0 (TF.js 4.22 cannot differentiate divNoNan)', () => {
    let seed = 1300;
    for (const [sa, sb] of PAIRS) {
      const a = uniform(seed++, sizeOf(sa), -10, 10);
      const b = uniform(seed++, sizeOf(sb), 0.5, 3).map((v, i) => (i % 2 ? -v : v));
      const shape = readTf(tf.tidy(() => tf.add(tf.zeros(sa), tf.zeros(sb)))).shape;
      const dy = uniform(seed++, sizeOf(shape), -2, 2);
      // TF.js 4.22 cannot differentiate divNoNan at all (its `equal(b, zerosLike(a / b))` has
      // no gradient: "gradient function not found for Equal"); with b ≠ 0 it is div, whose
      // gradients are the oracle.
      const gotG = run(() => nr.grads((x, y) => nr.divNoNan(x, y))([nr.tensor(a, sa), nr.tensor(b, sb)], nr.tensor(dy, shape)).map(read));
      if (dy.length === 0) {
        // Empty results: zero gradients of the inputs' shapes (TF.js's div gradient fails to reshape them).
        expect(gotG.map((r) => r.shape)).toEqual([sa, sb]);
        expect(gotG.every((r) => r.values.every((v) => v === 0))).toBe(true);
        continue;
      }
      const wantG = tf.tidy(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.div(x, y))([tf.tensor(a, sa), tf.tensor(b, sb)], tf.tensor(dy, shape)).map(readTf));
      gotG.forEach((g, i) => expectSame(g, wantG[i], [1e-5, 1e-6], `divNoNan grad ${i} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`));
    }
    const [ga, gb] = run(() => nr.grads((x, y) => nr.divNoNan(x, y))([nr.tensor([1, 2, 3]), nr.tensor([0, 2, 0])]).map((g) => Array.from(read(g).values)));
    expect(ga).toEqual([0, 0.5, 0]);
    expect(gb).toEqual([0, -0.5, 0]);
    expect(thrown(() => tf.tidy(() => tf.grad((x: tf.Tensor) => tf.divNoNan(x, tf.tensor([0, 2, 0])))(tf.tensor([1, 2, 3]))))).toMatchObject({ message: expect.stringMatching(/gradient function not found for Equal/) });
  });

  it('errors name the op: shapes that do not broadcast, bad arguments', () => {
    const msg = (f: () => unknown) => thrown(f) as Error;
    expect(msg(() => nr.squaredDifference(nr.ones([2]), nr.ones([3])))).toMatchObject({ name: 'ShapeError', message: 'squaredDifference: shapes [2] and [3] cannot be broadcast together' });
    expect(msg(() => nr.divNoNan([1, 2], [1, 2, 3]))).toMatchObject({ name: 'ShapeError', message: 'divNoNan: shapes [2] and [3] cannot be broadcast together' });
    expect(msg(() => nr.squaredDifference(nr.ones([2]), null as never))).toMatchObject({ message: 'squaredDifference: b must be a Tensor, a number or an array of numbers, got null' });
    expect(msg(() => nr.divNoNan('1' as never, 1))).toMatchObject({ message: 'divNoNan: a must be a Tensor, a number or an array of numbers, got the string "1"' });
  });
});

describe('all and any vs TF.js (on cast(x, "bool"))', () => {
  it('every axis, keepDims, rank 0 to 6; non-zero and NaN are true', () => {
    let seed = 1400;
    for (const shape of SHAPES) {
      for (const axis of axesFor(shape.length)) {
        for (const keepDims of [false, true]) {
          const r = mulberry32(seed++);
          // Mostly true entries for `all`, mostly false for `any`, so both outcomes appear.
          const pick = (pTrue: number) => Float32Array.from({ length: sizeOf(shape) }, () => (r() < pTrue ? [1, -2.5, NaN, 1e-30, Infinity][Math.floor(r() * 5)] : [0, -0][Math.floor(r() * 2)]));
          for (const [op, p] of [['all', 0.9], ['any', 0.1]] as const) {
            const x = pick(p);
            const want = readTf(tf.tidy(() => tf.cast(tf[op](tf.cast(tf.tensor(x, shape), 'bool'), axis, keepDims), 'float32')));
            const got = run(() => read(nr[op](nr.tensor(x, shape), axis, keepDims)));
            exact(got, want, `${op} ${JSON.stringify(shape)} axis ${JSON.stringify(axis)} keepDims ${keepDims}`);
          }
        }
      }
    }
  });

  it('empty axes: all gives 1 (TF.js 4.22: 0; NumPy and TensorFlow: true), any gives 0', () => {
    for (const shape of EMPTY) {
      for (const axis of axesFor(shape.length)) {
        const gotAll = run(() => read(nr.all(nr.zeros(shape), axis, true)));
        const gotAny = run(() => read(nr.any(nr.zeros(shape), axis)));
        const wantAny = readTf(tf.tidy(() => tf.cast(tf.any(tf.zeros(shape, 'bool'), axis), 'float32')));
        exact(gotAny, wantAny, `any ${JSON.stringify(shape)} ${JSON.stringify(axis)}`);
        const wantAll = readTf(tf.tidy(() => tf.all(tf.zeros(shape, 'bool'), axis, true)));
        expect(gotAll.shape).toEqual(wantAll.shape);
        const empty = reducedCount(shape, axis) === 0;
        expect(Array.from(gotAll.values).every((v) => v === (empty ? 1 : 0))).toBe(true);
      }
    }
    expect(tf.tidy(() => tf.all(tf.zeros([0], 'bool')).dataSync()[0])).toBe(0); // the TF.js difference
  });

  it('are constants under grad (zeros), and name themselves in errors', () => {
    const g = run(() => read(nr.grad((t) => nr.mul(nr.all(t, 0), nr.sum(t)))(nr.tensor([1, 2]))));
    expect(Array.from(g.values)).toEqual([1, 1]);
    expect(thrown(() => nr.all(nr.ones([2]), 1))).toMatchObject({ message: 'all: axis 1 is out of range for a tensor of rank 1 (shape [2])' });
    expect(thrown(() => nr.any(nr.ones([2, 2]), [0, -2]))).toMatchObject({ message: 'any: axis -2 is listed twice in axes [0,-2]' });
    expect(thrown(() => nr.any([1, 0], 0, 'no' as never))).toMatchObject({ message: 'any: keepDims must be true or false, got the string "no"' });
  });
});

/** The gradient of broadcastTo(x: `from`, `to`) for `dy`: dy summed over the repeats (float64, rounded once). */
function sumRepeats(dy: Float32Array, to: number[], from: number[]): Float32Array {
  const padded = [...Array(to.length - from.length).fill(1), ...from];
  const out = new Float64Array(sizeOf(from));
  for (let i = 0; i < dy.length; i++) {
    let rest = i;
    let src = 0;
    for (let d = 0; d < to.length; d++) {
      const stride = sizeOf(to.slice(d + 1));
      const c = Math.floor(rest / stride);
      rest %= stride;
      src = src * padded[d] + (padded[d] === 1 ? 0 : c);
    }
    out[src] += dy[i];
  }
  return Float32Array.from(out);
}

describe('unstack, broadcastTo, diag, meshgrid, tensor5d/tensor6d vs TF.js', () => {
  it('unstack: every axis of rank 1 to 6, empty axes; the gradient puts each slice back', () => {
    let seed = 1500;
    for (const shape of [...SHAPES.slice(1), [0], [2, 0], [0, 3], [3, 0, 2]]) {
      for (let axis = -shape.length; axis < shape.length; axis++) {
        const x = uniform(seed++, sizeOf(shape), -5, 5);
        const want = tf.tidy(() => tf.unstack(tf.tensor(x, shape), axis).map(readTf));
        const got = run(() => nr.unstack(nr.tensor(x, shape), axis).map(read));
        expect(got.length, `unstack ${JSON.stringify(shape)} axis ${axis}`).toBe(want.length);
        got.forEach((g, i) => exact(g, want[i], `unstack ${JSON.stringify(shape)} axis ${axis} [${i}]`));
      }
    }
    const x = [[1, 2, 3], [4, 5, 6]];
    const w = [[10, 20], [30, 40], [50, 60]];
    const f = (t: nr.Tensor) => nr.addN(nr.unstack(t, 1).map((s, i) => nr.mul(s, w[i])));
    const tfF = (t: tf.Tensor) => tf.addN(tf.unstack(t, 1).map((s, i) => tf.mul(s, w[i])));
    exact(run(() => read(nr.grad(f)(nr.tensor(x)))), readTf(tf.tidy(() => tf.grad(tfF)(tf.tensor(x)))), 'unstack grad');
    expect(thrown(() => nr.unstack(nr.scalar(1)))).toMatchObject({ message: 'unstack: axis 0 is out of range for a tensor of rank 0 (shape [])' });
    expect(thrown(() => nr.unstack(nr.ones([2, 3]), 2))).toMatchObject({ message: 'unstack: axis 2 is out of range for a tensor of rank 2 (shape [2,3])' });
    expect(thrown(() => nr.unstack(nr.ones([2, 3]), 1.5))).toMatchObject({ message: 'unstack: axis must be an integer, got 1.5' });
  });

  it('broadcastTo: new leading axes, size-1 axes, 1 → 0; gradient sums the repeats; errors', () => {
    let seed = 1600;
    const cases: Array<[number[], number[]]> = [[[], []], [[], [3]], [[], [2, 1, 3]], [[2], [3, 2]], [[1], [5]], [[3, 1], [3, 4]], [[1, 2, 1], [2, 4, 2, 3]], [[2, 1, 3, 1, 2], [2, 2, 3, 3, 2]], [[1, 2], [0, 2]], [[0], [2, 0]], [[2, 3], [2, 3]], [[1, 1, 1, 1, 1, 1], [2, 1, 2, 1, 2, 1]]];
    for (const [from, to] of cases) {
      const x = uniform(seed++, sizeOf(from), -5, 5);
      const what = `broadcastTo ${JSON.stringify(from)} → ${JSON.stringify(to)}`;
      const got = run(() => read(nr.broadcastTo(nr.tensor(x, from), to)));
      const want = readTf(tf.tidy(() => tf.broadcastTo(tf.tensor(x, from), to)));
      const toZero = sizeOf(to) === 0 && sizeOf(from) > 0;
      // TF.js 4.22 returns x unchanged when a size-1 axis is broadcast to 0 (it tiles only reps > 1).
      if (toZero) expect(want.shape).toEqual(from);
      else exact(got, want, what);
      expect(got.shape).toEqual(to);
      const dy = uniform(seed++, sizeOf(to), -2, 2);
      const gotG = run(() => read(nr.grad((t) => nr.broadcastTo(t, to))(nr.tensor(x, from), nr.tensor(dy, to))));
      expectSame(gotG, { shape: from, values: sumRepeats(dy, to, from) }, [1e-6, 1e-6], `${what} grad`);
      // TF.js's Tile gradient stops at rank 4.
      if (to.length <= 4 && !toZero) expectSame(gotG, readTf(tf.tidy(() => tf.grad((t: tf.Tensor) => tf.broadcastTo(t, to))(tf.tensor(x, from), tf.tensor(dy, to)))), [1e-6, 1e-6], `${what} grad vs TF.js`);
    }
    const t = nr.tensor([1, 2]);
    const b = nr.broadcastTo(t, [2]);
    expect(b).not.toBe(t); // always a new tensor
    b.dispose();
    expect(thrown(() => nr.broadcastTo(t, [2, 3]))).toMatchObject({ name: 'ShapeError', message: 'broadcastTo: x of shape [2] cannot be broadcast to [2,3]: axis 1 has size 2, which is neither 3 nor 1' });
    expect(thrown(() => nr.broadcastTo(nr.ones([1, 2]), [2]))).toMatchObject({ name: 'ShapeError', message: "broadcastTo: shape [2] has 1 axes, fewer than x's 2 (x shape [1,2])" });
    expect(thrown(() => nr.broadcastTo(nr.zeros([0]), [1]))).toMatchObject({ message: 'broadcastTo: x of shape [0] cannot be broadcast to [1]: axis 0 has size 0, which is neither 1 nor 1' });
    expect(thrown(() => nr.broadcastTo(t, [-1]))).toMatchObject({ name: 'InvalidArgumentError', message: 'broadcastTo: shape[0] must be a non-negative integer, got -1 (shape [-1])' });
    expect(thrown(() => nr.broadcastTo(t, 2 as never))).toMatchObject({ message: 'broadcastTo: shape must be an array of dimensions, got 2' });
    expect(thrown(() => nr.broadcastTo(t, [2 ** 20, 2 ** 20]))).toMatchObject({ name: 'OutOfMemoryError' });
    t.dispose();
  });

  it('diag: rank 0 to 3, NaN/±Infinity stay on the diagonal with exact zeros around, empty; gradient', () => {
    let seed = 1700;
    for (const shape of [[], [1], [4], [2, 3], [2, 1, 2], [0], [2, 0]]) {
      const x = uniform(seed++, sizeOf(shape), -5, 5);
      if (x.length >= 3) [x[0], x[1], x[2]] = [NaN, Infinity, -Infinity];
      exact(run(() => read(nr.diag(nr.tensor(x, shape)))), readTf(tf.tidy(() => tf.diag(tf.tensor(x, shape)))), `diag ${JSON.stringify(shape)}`);
    }
    const dy = uniform(1, 36, -2, 2);
    const x = uniform(2, 6, -3, 3);
    const got = run(() => read(nr.grad((t) => nr.diag(t))(nr.tensor(x, [2, 3]), nr.tensor(dy, [2, 3, 2, 3]))));
    // d/dx[i] Σ dy·diag(x) = dy at [i…, i…] (tf.grad has no Diag gradient to compare with).
    expect(Array.from(got.values)).toEqual([0, 1, 2, 3, 4, 5].map((i) => dy[i * 6 + i]));
    expect(thrown(() => nr.diag(nr.ones(Array(17).fill(1))))).toMatchObject({ message: 'diag: x has rank 17 (shape [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]); the result would have rank 34, more than 32' });
    expect(thrown(() => nr.diag(nr.zeros([30000])))).toMatchObject({ name: 'OutOfMemoryError', message: expect.stringMatching(/^diag: out of memory allocating 3600000000 bytes: the result \[30000,30000\]/) });
  });

  it("meshgrid: 'xy' and 'ij', inputs read flat, one or no input; errors", () => {
    for (const [x, y] of [[[1, 2, 3], [4, 5]], [[[1, 2], [3, 4]], [7]], [[NaN, Infinity], [-Infinity, 1e30, -0]], [[5], [6]], [[], [1, 2]]] as Array<[number[], number[]]>) {
      for (const indexing of ['xy', 'ij'] as const) {
        const want = tf.tidy(() => tf.meshgrid(tf.tensor(x), tf.tensor(y), { indexing }).map(readTf));
        const got = run(() => nr.meshgrid(x, y, { indexing }).map(read));
        got.forEach((g, i) => exact(g, want[i], `meshgrid ${JSON.stringify(x)} ${JSON.stringify(y)} ${indexing} [${i}]`));
      }
    }
    const def = run(() => nr.meshgrid(nr.tensor([1, 2]), [3, 4, 5]).map(read));
    expect(def.map((d) => d.shape)).toEqual([[3, 2], [3, 2]]);
    expect(nr.meshgrid()).toEqual([]);
    const x = nr.tensor([1, 2]);
    const [only] = nr.meshgrid(x);
    expect(only).not.toBe(x);
    expect(Array.from(only.data())).toEqual([1, 2]);
    only.dispose();
    const dy = [[1, 2], [3, 4], [5, 6]];
    const [gx, gy] = run(() => nr.grads((a, b) => nr.add(nr.meshgrid(a, b)[0], nr.mul(nr.meshgrid(a, b)[1], 10)))([nr.tensor([1, 2]), nr.tensor([3, 4, 5])], nr.tensor(dy)).map((g) => Array.from(read(g).values)));
    expect(gx).toEqual([9, 12]);
    expect(gy).toEqual([30, 70, 110]);
    expect(thrown(() => nr.meshgrid(x, x, { indexing: 'yx' as never }))).toMatchObject({ message: 'meshgrid: indexing must be \'xy\' or \'ij\', got "yx"' });
    expect(thrown(() => nr.meshgrid(x, x, { index: 'ij' } as never))).toMatchObject({ message: expect.stringMatching(/^meshgrid: unknown option 'index' — did you mean 'indexing'\?/) });
    expect(thrown(() => nr.meshgrid(x, x, 'ij' as never))).toMatchObject({ message: 'meshgrid: options must be an object { indexing }, got the string "ij"' });
    x.dispose();
  });

  it('tensor5d and tensor6d as TF.js, with their rank checked', () => {
    const v5 = Array.from({ length: 2 * 1 * 3 * 1 * 2 }, (_, i) => i - 5.5);
    exact(read(nr.tensor5d(v5, [2, 1, 3, 1, 2])), readTf(tf.tensor5d(v5, [2, 1, 3, 1, 2])));
    exact(read(nr.tensor5d([[[[[1, 2]]]]])), readTf(tf.tensor5d([[[[[1, 2]]]]])));
    exact(read(nr.tensor6d(v5, [1, 2, 1, 3, 1, 2])), readTf(tf.tensor6d(v5, [1, 2, 1, 3, 1, 2])));
    exact(read(nr.tensor6d([[[[[[3]]]]]])), readTf(tf.tensor6d([[[[[[3]]]]]])));
    exact(read(nr.tensor5d([], [0, 1, 1, 1, 1])), readTf(tf.tensor5d([], [0, 1, 1, 1, 1])));
    expect(thrown(() => nr.tensor5d([1, 2]))).toMatchObject({ message: 'tensor5d: values have rank 1 (shape [2]), expected rank 5; for flat values pass the shape' });
    expect(thrown(() => nr.tensor6d([1, 2], [2, 1, 1, 1, 1] as never))).toMatchObject({ message: 'tensor6d: shape must have 6 dimension(s), got [2,1,1,1,1]' });
    expect(thrown(() => nr.tensor5d([1], [1, 1, 1, 1, 1], 'int32' as never))).toMatchObject({ message: expect.stringMatching(/^tensor5d: dtype must be 'float32'/) });
  });
});

describe('TensorLike arguments, as TF.js', () => {
  it('nested arrays and numbers give what tensors give', () => {
    const x = [[1, -2, 3], [0.5, 0, -4]];
    const same = (a: () => nr.Tensor | nr.Tensor[], b: () => nr.Tensor | nr.Tensor[]) => {
      const ra = run(() => [a()].flat().map(read));
      const rb = run(() => [b()].flat().map(read));
      ra.forEach((r, i) => exact(r, rb[i]));
    };
    same(() => nr.logSumExp(x, 1), () => nr.logSumExp(nr.tensor(x), 1));
    same(() => nr.logSigmoid(x), () => nr.logSigmoid(nr.tensor(x)));
    same(() => nr.relu6(7), () => nr.relu6(nr.scalar(7)));
    same(() => nr.norm(x, 1, [0, 1]), () => nr.norm(nr.tensor(x), 1, [0, 1]));
    same(() => nr.euclideanNorm(x), () => nr.euclideanNorm(nr.tensor(x)));
    same(() => nr.squaredDifference(x, 2), () => nr.squaredDifference(nr.tensor(x), nr.scalar(2)));
    same(() => nr.divNoNan(1, x), () => nr.divNoNan(nr.scalar(1), nr.tensor(x)));
    same(() => nr.all(x), () => nr.all(nr.tensor(x)));
    same(() => nr.any(new Float32Array([0, 0, 1])), () => nr.any(nr.tensor([0, 0, 1])));
    same(() => nr.unstack(x, 1), () => nr.unstack(nr.tensor(x), 1));
    same(() => nr.broadcastTo([1, 2], [3, 2]), () => nr.broadcastTo(nr.tensor([1, 2]), [3, 2]));
    same(() => nr.diag([1, 2]), () => nr.diag(nr.tensor([1, 2])));
  });
});

describe('Tensor methods', () => {
  it('every method TF.js has that makes sense for float32 exists; the rest are listed with the reason', () => {
    const tfNames = new Set(Object.getOwnPropertyNames(tf.Tensor.prototype));
    // Chained ops are set on the prototype when tfjs-core loads; the list below is TF.js 4.22's.
    const SKIPPED: Record<string, string> = {
      bytes: 'string tensors', dataToGPU: 'no GPU backend',
      throwIfDisposed: 'internal (ops throw DisposedError)',
      variable: 'use variable(t)',
      dilation2d: 'no op yet',
      fft: 'complex tensors', ifft: 'complex tensors', rfft: 'complex tensors', irfft: 'complex tensors',
    };
    const missing = [...tfNames].filter((k) => k !== 'constructor' && !(k in nr.Tensor.prototype) && !(k in SKIPPED));
    expect(missing).toEqual([]);
    for (const k of ['all', 'any', 'as1D', 'as2D', 'as3D', 'as4D', 'as5D', 'asScalar', 'asType', 'broadcastTo', 'divNoNan', 'euclideanNorm', 'flatten', 'isFinite', 'isInf', 'isNaN', 'logSigmoid', 'logSumExp', 'logicalAnd', 'logicalNot', 'logicalOr', 'logicalXor', 'norm', 'onesLike', 'relu6', 'reshapeAs', 'squaredDifference', 'toFloat', 'unstack', 'zerosLike']) {
      expect(tfNames.has(k), k).toBe(true);
      expect(typeof (nr.Tensor.prototype as unknown as Record<string, unknown>)[k], k).toBe('function');
    }
  });

  it('each method equals its TF.js method', () => {
    const x = [[1, -2, 0, 3.5], [NaN, 0, 6.5, -Infinity], [1e30, -1e-30, 2, 7]];
    const bx = [[0.5, -1, 2, 3]];
    const pairs: Array<[string, (t: nr.Tensor) => nr.Tensor | nr.Tensor[], (t: tf.Tensor) => tf.Tensor | tf.Tensor[], [number, number]?]> = [
      ['relu6', (t) => t.relu6(), (t) => t.relu6()],
      ['logSigmoid', (t) => t.logSigmoid(), (t) => t.logSigmoid(), [1e-5, 1e-6]],
      ['logSumExp', (t) => t.logSumExp(0, true), (t) => t.logSumExp(0, true), [2e-6, 2e-6]],
      ['norm', (t) => t.norm(1, -1, true), (t) => t.norm(1, -1, true), [1e-5, 1e-6]],
      ['euclideanNorm', (t) => t.euclideanNorm(0), (t) => t.euclideanNorm(0), [1e-5, 1e-6]],
      ['squaredDifference', (t) => t.squaredDifference(bx), (t) => t.squaredDifference(tf.tensor(bx)), [3e-7, 0]],
      ['divNoNan', (t) => t.divNoNan([[0, 2, 0, -1]]), (t) => t.divNoNan(tf.tensor([[0, 2, 0, -1]]))],
      ['logicalAnd', (t) => t.logicalAnd(bx), (t) => tf.cast(tf.cast(t, 'bool').logicalAnd(tf.cast(tf.tensor(bx), 'bool')), 'float32')],
      ['logicalOr', (t) => t.logicalOr(0), (t) => tf.cast(tf.cast(t, 'bool').logicalOr(tf.scalar(0, 'bool')), 'float32')],
      ['logicalXor', (t) => t.logicalXor(bx), (t) => tf.cast(tf.cast(t, 'bool').logicalXor(tf.cast(tf.tensor(bx), 'bool')), 'float32')],
      ['logicalNot', (t) => t.logicalNot(), (t) => tf.cast(tf.cast(t, 'bool').logicalNot(), 'float32')],
      ['isNaN', (t) => t.isNaN(), (t) => tf.cast(t.isNaN(), 'float32')],
      ['isInf', (t) => t.isInf(), (t) => tf.cast(t.isInf(), 'float32')],
      ['isFinite', (t) => t.isFinite(), (t) => tf.cast(t.isFinite(), 'float32')],
      ['all', (t) => t.all(1), (t) => tf.cast(tf.cast(t, 'bool').all(1), 'float32')],
      ['any', (t) => t.any(undefined, true), (t) => tf.cast(tf.cast(t, 'bool').any(undefined, true), 'float32')],
      ['unstack', (t) => t.unstack(-1), (t) => t.unstack(-1)],
      ['broadcastTo', (t) => t.broadcastTo([2, 3, 4]), (t) => t.broadcastTo([2, 3, 4])],
      ['zerosLike', (t) => t.zerosLike(), (t) => t.zerosLike()],
      ['onesLike', (t) => t.onesLike(), (t) => t.onesLike()],
      ['flatten', (t) => t.flatten(), (t) => t.flatten()],
      ['as1D', (t) => t.as1D(), (t) => t.as1D()],
      ['as2D', (t) => t.as2D(4, 3), (t) => t.as2D(4, 3)],
      ['as3D', (t) => t.as3D(2, 3, 2), (t) => t.as3D(2, 3, 2)],
      ['as4D', (t) => t.as4D(1, 2, 3, 2), (t) => t.as4D(1, 2, 3, 2)],
      ['as5D', (t) => t.as5D(1, 2, 1, 3, 2), (t) => t.as5D(1, 2, 1, 3, 2)],
      ['reshapeAs', (t) => t.reshapeAs(nr.zeros([6, 2])), (t) => t.reshapeAs(tf.zeros([6, 2]))],
      ['asType', (t) => t.asType('float32'), (t) => t.asType('float32')],
      ['toFloat', (t) => t.toFloat(), (t) => t.toFloat()],
    ];
    for (const [name, f, g, tol] of pairs) {
      const got = run(() => [f(nr.tensor(x))].flat().map(read));
      const want = tf.tidy(() => [g(tf.tensor(x))].flat().map(readTf));
      expect(got.length, name).toBe(want.length);
      got.forEach((r, i) => expectSame(r, want[i], tol ?? EXACT, name));
    }
    exact(run(() => read(nr.tensor([[[5]]]).asScalar())), readTf(tf.tensor([[[5]]]).asScalar()));
  });

  it('conversion methods pass gradients through unchanged (reshape and copy)', () => {
    const x = uniform(5, 6, -3, 3);
    const convs: Array<[string, (t: nr.Tensor) => nr.Tensor]> = [
      ['flatten', (t) => t.flatten()], ['as1D', (t) => t.as1D()], ['as2D', (t) => t.as2D(3, 2)], ['as3D', (t) => t.as3D(1, 3, 2)],
      ['as4D', (t) => t.as4D(3, 1, 2, 1)], ['as5D', (t) => t.as5D(1, 1, 3, 2, 1)], ['reshapeAs', (t) => t.reshapeAs(nr.zeros([6, 1]))],
      ['asType', (t) => t.asType('float32')], ['toFloat', (t) => t.toFloat()],
    ];
    for (const [name, f] of convs) {
      const ys = run(() => read(f(nr.tensor(x, [2, 3])))).shape;
      const dy = uniform(6, 6, -2, 2);
      const g = run(() => read(nr.grad(f)(nr.tensor(x, [2, 3]), nr.tensor(dy, ys))));
      exact(g, { shape: [2, 3], values: dy }, name);
    }
    exact(run(() => read(nr.grad((t) => t.asScalar())(nr.tensor([[2]]), nr.scalar(3)))), { shape: [1, 1], values: Float32Array.from([3]) }, 'asScalar');
  });

  it('conversion methods name themselves in errors', () => {
    const t = nr.tensor([1, 2, 3, 4]);
    expect(thrown(() => t.asScalar())).toMatchObject({ message: 'asScalar: tensor has 4 elements (shape [4]); asScalar needs exactly 1' });
    expect(thrown(() => t.as2D(3, 2))).toMatchObject({ message: expect.stringMatching(/^as2D: /) });
    expect(thrown(() => t.as3D(2, 2, 1.5))).toMatchObject({ message: 'as3D: depth must be an integer in [-1, 4294967295], got 1.5' });
    expect(thrown(() => t.reshapeAs(nr.zeros([3])))).toMatchObject({ message: 'reshapeAs: x has shape [3] (3 elements) but this tensor has shape [4] (4 elements)' });
    expect(thrown(() => t.reshapeAs([2, 2] as never))).toMatchObject({ message: 'reshapeAs: x must be a Tensor, got an array of length 2' });
    expect(thrown(() => t.asType('int32' as never))).toMatchObject({ message: expect.stringMatching(/^cast: dtype must be 'float32'/) });
    t.dispose();
    expect(thrown(() => t.flatten())).toMatchObject({ name: 'DisposedError', message: 'flatten: tensor is a disposed tensor (shape [4])' });
  });
});

describe('memory: every op, and every failing op, leaves numHandles where it was', () => {
  it('successes and failures, outside and inside grad', () => {
    const x = nr.tensor([[1, 2, 3], [4, 5, 6]]);
    const calls: Array<[string, () => unknown, boolean]> = [
      ['logSumExp', () => nr.logSumExp(x, 1), false],
      ['logSumExp empty', () => nr.logSumExp(nr.zeros([2, 0]), 1), false],
      ['logSumExp bad axis (TensorLike temp)', () => nr.logSumExp([[1, 2]], 3), true],
      ['logSigmoid', () => nr.logSigmoid([1, 2]), false],
      ['relu6', () => nr.relu6(x), false],
      ['norm', () => nr.norm(x, Infinity, [0, 1], true), false],
      ['norm p', () => nr.norm(x, 3, 1), false],
      ['norm bad ord', () => nr.norm([1, 2], 'fro'), true],
      ['norm empty max', () => nr.norm(nr.zeros([0]), -Infinity), true],
      ['euclideanNorm', () => nr.euclideanNorm(x, -1), false],
      ['addN', () => nr.addN([x, x, [[1, 1, 1], [1, 1, 1]]]), false],
      ['addN shape', () => nr.addN([[1, 2], x]), true],
      ['addN ragged after a temp', () => nr.addN([[1, 2], [1, [2]] as never]), true],
      ['squaredDifference', () => nr.squaredDifference(x, [1, 2, 3]), false],
      ['squaredDifference broadcast', () => nr.squaredDifference(x, [1, 2]), true],
      ['divNoNan', () => nr.divNoNan(x, [0, 1, 2]), false],
      ['divNoNan broadcast (fails after equal)', () => nr.divNoNan([1, 2, 3], [[1, 0]]), true],
      ['all', () => nr.all(x, 0, true), false],
      ['any bad', () => nr.any([1, 2], 1), true],
      ['unstack', () => nr.unstack(x, 1), false],
      ['unstack bad', () => nr.unstack(3), true],
      ['broadcastTo', () => nr.broadcastTo(x, [2, 2, 3]), false],
      ['broadcastTo bad', () => nr.broadcastTo([1, 2], [3]), true],
      ['diag', () => nr.diag(x), false],
      ['diag too big', () => nr.diag(nr.zeros([40000])), true],
      ['meshgrid', () => nr.meshgrid(x, [1, 2]), false],
      ['meshgrid too big', () => nr.meshgrid(nr.zeros([30000]), nr.zeros([30000])), true],
      ['tensor5d', () => nr.tensor5d([[[[[1]]]]]), false],
      ['tensor6d bad', () => nr.tensor6d([1, 2]), true],
      ['as2D bad', () => x.as2D(4, 4), true],
      ['grad logSumExp', () => nr.grad((t) => nr.logSumExp(t))(x), false],
      ['grad norm', () => nr.grad((t) => nr.norm(t, 1, [0, 1]))(x), false],
      ['grads squaredDifference/divNoNan', () => nr.grads((a, b) => nr.addN([nr.squaredDifference(a, b), nr.divNoNan(a, b)]))([x, nr.tensor([1, 0, 2])]), false],
      ['grad throwing inside', () => nr.grad((t) => nr.addN([t, nr.ones([3])]))(x), true],
    ];
    for (const [name, f, throws] of calls) {
      const err = noHandleLeak(f);
      if (throws) expect(err, name).toBeInstanceOf(nr.NeuriteError);
      else expect(err, name).toBeUndefined();
    }
    x.dispose();
  });
});
