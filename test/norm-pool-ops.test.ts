// batchNorm (and batchNorm2d/3d/4d) and pool, composed in TypeScript (ts/ops/batch_norm.ts,
// ts/ops/pool.ts), checked live against TF.js 4.22 (cpu backend; tf.grads where TF.js has the
// gradient, central differences of a float64 reference where its gradient throws) on cases
// unlike the happy path: odd shapes, parameters of rank 1 and of x's rank, with size-1 axes,
// scalars, offset/scale left out, huge and tiny values, NaN and ±Infinity, empty tensors, rank 3
// and 4 images, dilations 2 and [2, 1], 'same' and 'valid', strides; errors named precisely;
// the documented differences shown on TF.js itself; and no call, also a failing one, leaving a
// handle behind.
//
// Tolerances (both sides float32):
// - batchNorm: |a − e| ≤ 2^-21 · max(|(x − mean)·scale/√(variance + ε)|, |offset|, |e|), i.e.
//   4 float32 ulps of the largest term (neurite rounds 6 float32 operations, TF.js's CPU kernel
//   evaluates in float64 and rounds once; measured: at most 3 ulps over 290,400 elements of
//   1,200 random cases, 56 % exact, 41 % 1 ulp). Gradients: rtol 2e-6, atol 4e-6 · (the
//   gradient's largest magnitude) against tf.grads (TF.js's FusedBatchNorm gradient, float32
//   ops, sums over the batch in another order; measured at most 1.2e-6 · the largest) and
//   against float64 central differences.
// - pool: max exact (data movement and comparisons); avg rtol 1e-6, atol 1e-6 · max|x|
//   (neurite sums a window in float32, TF.js in float64; measured 1e-7 · max|x|); gradients
//   rtol 1e-6, atol 1e-6 (max: dy routed to the same elements, added in another order where
//   windows overlap).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expectClose, thrown } from './setup.js';
import * as nr from '../ts/index.js';
import { EXACT, expectSame, noHandleLeak, read, readTf, run, sizeOf, uniform, type Read } from './op-helpers.js';
import { batchNorm, batchNorm2d, batchNorm3d, batchNorm4d } from '../ts/ops/batch_norm.js';
import { pool } from '../ts/ops/pool.js';

await tf.setBackend('cpu');

/** A TF.js tensor typed as a given rank (its rank is what the test is about, not the type's). */
const ranked = <T extends tf.Tensor>(t: tf.Tensor): T => t as T;

// ---- batchNorm ------------------------------------------------------------------------------

/** The flat index into a parameter of shape `ps` (broadcast NumPy-style) for each flat index of `xs`. */
function broadcastIndex(xs: readonly number[], ps: readonly number[]): (i: number) => number {
  const q = ps.slice(Math.max(ps.length - xs.length, 0));
  const lead = xs.length - q.length;
  return (i) => {
    let rest = i;
    let j = 0;
    let stride = 1;
    for (let a = xs.length - 1; a >= lead; a--) {
      const idx = rest % xs[a];
      rest = Math.floor(rest / xs[a]);
      const d = q[a - lead];
      if (d !== 1) j += idx * stride;
      stride *= d;
    }
    return j;
  };
}

type Params = { m: ArrayLike<number>; v: ArrayLike<number>; o?: ArrayLike<number>; s?: ArrayLike<number> };

/** batchNorm in float64 with broadcasting: values and, per element, max(|term|, |offset|). */
function bnRef(x: ArrayLike<number>, xs: number[], p: Params, ps: number[], eps = 0.001): { vals: number[]; mag: number[] } {
  const at = broadcastIndex(xs, ps);
  const vals: number[] = [];
  const mag: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const j = at(i);
    const term = ((x[i] - p.m[j]) * (p.s ? p.s[j] : 1)) / Math.sqrt(p.v[j] + eps);
    const o = p.o ? p.o[j] : 0;
    vals.push(o + term);
    mag.push(Math.max(Math.abs(term), Math.abs(o)));
  }
  return { vals, mag };
}

/** Asserts `got` within 4 float32 ulps (2^-21 relative) of the largest term of each element. */
function expectUlps(got: Read, want: Read, mag: number[], what: string): void {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  for (let i = 0; i < want.values.length; i++) {
    const a = got.values[i];
    const e = want.values[i];
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      expect(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)), `${what} [${i}]: ${a}, TF.js ${e}`).toBe(true);
      continue;
    }
    const tol = 2 ** -21 * Math.max(mag[i], Math.abs(e));
    if (!(Math.abs(a - e) <= tol)) throw new Error(`${what} [${i}]: ${a}, TF.js ${e} (diff ${Math.abs(a - e)}, tolerance ${tol})`);
  }
}

/** Random parameters of shape `ps`: variance in [vlo, vhi), the others in [lo, hi) (scale in [-3, 3)). */
function params(seed: number, ps: number[], [lo, hi]: [number, number], [vlo, vhi]: [number, number]): Required<Params> & { m: Float32Array; v: Float32Array; o: Float32Array; s: Float32Array } {
  const n = sizeOf(ps);
  return { m: uniform(seed, n, lo, hi), v: uniform(seed + 1, n, vlo, vhi), o: uniform(seed + 2, n, lo, hi), s: uniform(seed + 3, n, -3, 3) };
}

/** TF.js's batchNorm (offset/scale when given), read out. */
function tfBn(x: ArrayLike<number>, xs: number[], p: Params, ps: number[], eps?: number): Read {
  return readTf(tf.tidy(() => tf.batchNorm(tf.tensor(x, xs), tf.tensor(p.m, ps), tf.tensor(p.v, ps), p.o ? tf.tensor(p.o, ps) : undefined, p.s ? tf.tensor(p.s, ps) : undefined, eps)));
}

/** neurite's batchNorm (offset/scale when given), read out. */
function nrBn(x: ArrayLike<number>, xs: number[], p: Params, ps: number[], eps?: number): Read {
  return run(() => read(batchNorm(nr.tensor(x, xs), nr.tensor(p.m, ps), nr.tensor(p.v, ps), p.o ? nr.tensor(p.o, ps) : undefined, p.s ? nr.tensor(p.s, ps) : undefined, eps)));
}

// [x shape, parameter shape]: rank-1 parameters of the last axis, parameters of x's rank (the
// same shape, or with size-1 axes), scalars, extra leading size-1 axes, ranks 0 to 5, odd sizes.
const BN_CASES: Array<[number[], number[]]> = [
  [[2, 3, 4, 5], [5]], [[7, 3], [3]], [[3, 4, 6], [3, 4, 6]], [[2, 5, 1, 3], [1, 1, 1, 3]], [[9], [9]], [[4, 3], [4, 3]],
  [[1, 1, 1, 1], [1]], [[3, 1, 7], [7]], [[2, 3], []], [[], []], [[5], [1]], [[3, 4], [1, 1, 1, 4]], [[2, 1, 2, 3, 2], [2]], [[2, 3, 2, 2, 3], [2, 3, 2, 2, 3]],
];

describe('batchNorm vs TF.js', () => {
  it('values: parameters of rank 1 and of x\'s rank, size-1 axes, scalars, ranks 0 to 5; normal, huge and tiny values; epsilons', () => {
    let seed = 1;
    const ranges: Array<[[number, number], [number, number]]> = [[[-5, 5], [0, 3]], [[-1e15, 1e15], [0, 1e20]], [[-1e-3, 1e-3], [0, 1e-6]], [[-1e30, 1e30], [1e30, 1e38]], [[-1e-30, 1e-30], [0, 1e-30]]];
    for (const [xs, ps] of BN_CASES) {
      for (const [range, vrange] of ranges) {
        for (const eps of [undefined, 0.001, 1e-5, 0.5, 0]) {
          const x = uniform(seed++, sizeOf(xs), ...range);
          const p = params((seed += 4), ps, range, vrange);
          const what = `x ${JSON.stringify(xs)} params ${JSON.stringify(ps)} in [${range}] variance in [${vrange}] eps ${eps}`;
          const want = tfBn(x, xs, p, ps, eps);
          expectUlps(nrBn(x, xs, p, ps, eps), want, bnRef(x, xs, p, ps, eps ?? 0.001).mag, what);
        }
      }
    }
  });

  it('offset and scale left out (undefined or null), TensorLike arguments, the Tensor method, the default epsilon', () => {
    let seed = 200;
    for (const [xs, ps] of BN_CASES) {
      const x = uniform(seed++, sizeOf(xs), -4, 4);
      const p = params((seed += 4), ps, [-2, 2], [0.1, 3]);
      for (const [o, s] of [[p.o, undefined], [undefined, p.s], [undefined, undefined]] as Array<[Float32Array | undefined, Float32Array | undefined]>) {
        const q = { m: p.m, v: p.v, o, s };
        const what = `x ${JSON.stringify(xs)} params ${JSON.stringify(ps)} offset ${o ? 'given' : 'left out'} scale ${s ? 'given' : 'left out'}`;
        const want = tfBn(x, xs, q, ps);
        const mag = bnRef(x, xs, q, ps).mag;
        expectUlps(nrBn(x, xs, q, ps), want, mag, what);
        // null for a left-out parameter and for the epsilon (TF.js's `== null`), and the method.
        const got = run(() => read(nr.tensor(x, xs).batchNorm(nr.tensor(p.m, ps), nr.tensor(p.v, ps), o ? nr.tensor(o, ps) : null, s ? nr.tensor(s, ps) : null, null)));
        expectUlps(got, want, mag, `${what} (method, nulls)`);
      }
    }
    // TensorLike: nested arrays and numbers (scalar parameters), as TF.js takes them.
    const want = readTf(tf.tidy(() => tf.batchNorm([[1, 2], [3, 4]], [2, 3], [1, 4], [0, 10], [1, 2], 0)));
    expectSame(want, { shape: [2, 2], values: Float32Array.from([-1, 9, 1, 11]) }, EXACT, 'TF.js');
    expectSame(run(() => read(batchNorm([[1, 2], [3, 4]], [2, 3], [1, 4], [0, 10], [1, 2], 0))), want, EXACT, 'nested arrays');
    expectSame(run(() => read(batchNorm([1, 2, 3], 2, 4, 1, 2, 0))), readTf(tf.tidy(() => tf.batchNorm([1, 2, 3], 2, 4, 1, 2, 0))), EXACT, 'numbers');
    expectSame(run(() => read(batchNorm(new Float32Array([1, 5]), [1, 1], [3, 3]))), readTf(tf.tidy(() => tf.batchNorm(new Float32Array([1, 5]), [1, 1], [3, 3]))), [2 ** -22, 0], 'typed array, default epsilon');
  });

  it('NaN, ±Infinity, zero variance with zero epsilon, negative variance (NaN), zero scale: as TF.js', () => {
    const x = Float32Array.from([NaN, Infinity, -Infinity, 1, 2, 3, 4, 3e38, -3e38, 0, 1e-40, 5]);
    const cases: Array<[number[], Params]> = [
      [[3], { m: [0, 1, 2], v: [1, 2, 3], o: [1, 1, 1], s: [2, 2, 2] }],
      [[3], { m: [1, 2, 3], v: [0, 0, 0] }],
      [[3], { m: [0, 3, 0], v: [-1, 0, 1], s: [0, 1, Infinity] }],
      [[3], { m: [Infinity, NaN, -Infinity], v: [Infinity, 1, 1], o: [-Infinity, 1, NaN] }],
      // Full-shape parameters; x − mean stays within float32 (see the documented difference below).
      [[4, 3], { m: Float32Array.from(x, (v) => v / 2), v: Float32Array.from(x, (v) => Math.abs(v)), s: Float32Array.from(x, () => 1e-30) }],
    ];
    for (const [ps, p] of cases) {
      for (const eps of [0, 1e-3]) {
        const want = tfBn(x, [4, 3], p, ps, eps);
        expectUlps(nrBn(x, [4, 3], p, ps, eps), want, bnRef(x, [4, 3], p, ps, eps).mag, `${JSON.stringify(p)} eps ${eps}`);
      }
    }
  });

  it('empty x (no rows, no columns, an empty spatial axis) and empty parameters', () => {
    for (const [xs, ps] of [[[0, 3], [3]], [[2, 0], [0]], [[2, 3, 0, 4], [4]], [[0, 1, 1, 2], [0, 1, 1, 2]], [[3, 0], [1, 1]]] as Array<[number[], number[]]>) {
      const p = params(300, ps, [-1, 1], [0, 1]);
      expectSame(nrBn(new Float32Array(sizeOf(xs)), xs, p, ps), tfBn(new Float32Array(sizeOf(xs)), xs, p, ps), EXACT, `x ${JSON.stringify(xs)} params ${JSON.stringify(ps)}`);
    }
  });

  it('documented differences: TF.js\'s kernel cycles through parameters that do not broadcast; x − mean overflows float32', () => {
    const x = [[1, 2, 3], [4, 5, 6]];
    // mean [2, 1] broadcasts along rows in neurite; TF.js's CPU kernel reads its values in turn (10, 20, 10, …).
    expectSame(run(() => read(batchNorm(x, [[10], [20]], [[1], [1]], null, null, 0))), { shape: [2, 3], values: Float32Array.from([-9, -8, -7, -16, -15, -14]) }, EXACT, 'neurite');
    expectSame(readTf(tf.tidy(() => tf.batchNorm(tf.tensor2d(x), tf.tensor2d([[10], [20]]), tf.ones([2, 1]), undefined, undefined, 0))), { shape: [2, 3], values: Float32Array.from([-9, -18, -7, -16, -5, -14]) }, EXACT, 'TF.js');
    // mean of length 2 against a last axis of 4: an error in neurite, values repeated in TF.js.
    expect(thrown(() => batchNorm(nr.ones([2, 4]), [10, 20], [1, 1]))).toMatchObject({ name: 'ShapeError', message: "batchNorm: mean of shape [2] does not broadcast to x's shape [2,4]: its axis 0 has size 2, which is neither 1 nor x's 4; usually mean is [4] (x's last axis)" });
    expectSame(readTf(tf.tidy(() => tf.batchNorm(tf.ones([2, 4]), tf.tensor1d([10, 20]), tf.ones([2]), undefined, undefined, 0))), { shape: [2, 4], values: Float32Array.from([-9, -19, -9, -19, -9, -19, -9, -19]) }, EXACT, 'TF.js cycles');
    // 3e38 − (−3e38) is Infinity in float32; TF.js's float64 gives 6e38 / 10.
    expectClose(run(() => read(batchNorm([3e38, 1], [-3e38, 0], [100, 1]))).values, [Infinity, 1 / Math.sqrt(1.001)], 1e-6, 0);
    expectClose(readTf(tf.tidy(() => tf.batchNorm([3e38, 1], [-3e38, 0], [100, 1]))).values, [6e38 / Math.sqrt(100.001), 1 / Math.sqrt(1.001)], 1e-6, 0);
    // The normalised value comes first: a tiny scale with a huge variance does not underflow (as in TF.js).
    const p = { m: [-1e20, 0], v: [1e38, 1e-30], s: [1e-30, 1e30] };
    expectUlps(nrBn([1e20, 1e-20], [2], p, [2], 0), tfBn([1e20, 1e-20], [2], p, [2], 0), bnRef([1e20, 1e-20], [2], p, [2], 0).mag, 'tiny scale, huge variance');
  });

  /** Rank-1 parameters up to rank-4 x, parameters of x's shape, scalars: where TF.js 4.22 has the gradient (all five given). */
  const GRAD_CASES: Array<[number[], number[]]> = [[[2, 3, 4, 5], [5]], [[7, 3], [3]], [[3, 4, 6], [3, 4, 6]], [[9], [9]], [[2, 3], [2, 3]], [[2, 2, 3, 2], [2, 2, 3, 2]], [[3, 1, 4], [4]], [[], []], [[0, 3], [3]]];

  it('gradients w.r.t. x, mean, variance, offset and scale vs tf.grads', () => {
    let seed = 400;
    for (const [xs, ps] of GRAD_CASES) {
      for (const eps of [0.001, 0.3]) {
        const x = uniform(seed++, sizeOf(xs), -3, 3);
        const p = params((seed += 4), ps, [-2, 2], [0.05, 2]);
        const dy = uniform(seed++, sizeOf(xs), -2, 2);
        const inputs = [[x, xs], [p.m, ps], [p.v, ps], [p.o, ps], [p.s, ps]] as Array<[Float32Array, number[]]>;
        const want = tf.tidy(() => tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) => tf.batchNorm(a, m, v, o, s, eps))(inputs.map(([d, s]) => tf.tensor(d, s)), tf.tensor(dy, xs)).map(readTf));
        const got = run(() => nr.grads((a, m, v, o, s) => batchNorm(a, m, v, o, s, eps))(inputs.map(([d, s]) => nr.tensor(d, s)), nr.tensor(dy, xs)).map(read));
        got.forEach((g, i) => {
          const big = Math.max(0, ...Array.from(want[i].values, Math.abs));
          expectSame(g, want[i], [2e-6, 4e-6 * big], `grad ${['x', 'mean', 'variance', 'offset', 'scale'][i]} x ${JSON.stringify(xs)} params ${JSON.stringify(ps)} eps ${eps}`);
        });
      }
    }
  });

  it('gradients where TF.js 4.22\'s throws (offset or scale left out, size-1 axes, rank-5 x): float64 central differences', () => {
    // TF.js's gradient fails there.
    expect(() => tf.tidy(() => tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor) => tf.batchNorm(a, m, v))([tf.ones([2, 3]), tf.zeros([3]), tf.ones([3])]))).toThrow(/Cannot read properties of undefined/);
    expect(() => tf.tidy(() => tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) => tf.batchNorm(a, m, v, o, s))([tf.ones([2, 3]), tf.zeros([1, 3]), tf.ones([1, 3]), tf.zeros([1, 3]), tf.ones([1, 3])]))).toThrow(/Size\(6\) must match the product of shape 1,3/);
    expect(() => tf.tidy(() => tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) => tf.batchNorm(a, m, v, o, s))([tf.ones([2, 1, 2, 3, 2]), tf.zeros([2]), tf.ones([2]), tf.zeros([2]), tf.ones([2])]))).toThrow(/rank of input 4 must match length of reps/);
    let seed = 500;
    const cases: Array<[number[], number[], boolean, boolean]> = [[[2, 3], [3], false, false], [[2, 3], [3], true, false], [[4, 2], [2], false, true], [[2, 3], [1, 3], true, true], [[2, 5, 1, 3], [1, 5, 1, 1], true, true], [[2, 1, 2, 3, 2], [2], true, true], [[3, 2], [3, 1], false, true], [[3, 4], [1, 1, 1, 4], true, true], [[2, 3], [], true, true]];
    for (const [xs, ps, withOffset, withScale] of cases) {
      const x = uniform(seed++, sizeOf(xs), -3, 3);
      const p = params((seed += 4), ps, [-2, 2], [0.05, 2]);
      const dy = uniform(seed++, sizeOf(xs), -2, 2);
      const inputs: Array<[Float32Array, number[]]> = [[x, xs], [p.m, ps], [p.v, ps], ...(withOffset ? [[p.o, ps] as [Float32Array, number[]]] : []), ...(withScale ? [[p.s, ps] as [Float32Array, number[]]] : [])];
      const f = (...t: nr.Tensor[]) => batchNorm(t[0], t[1], t[2], withOffset ? t[3] : undefined, withScale ? t[withOffset ? 4 : 3] : undefined);
      const got = run(() => nr.grads(f)(inputs.map(([d, s]) => nr.tensor(d, s)), nr.tensor(dy, xs)).map(read));
      // Σ dy · bnRef in float64, differentiated by central differences (h = 1e-4).
      const objective = (vs: Float64Array[]): number => {
        const q: Params = { m: vs[1], v: vs[2], o: withOffset ? vs[3] : undefined, s: withScale ? vs[withOffset ? 4 : 3] : undefined };
        return bnRef(vs[0], xs, q, ps).vals.reduce((acc, y, i) => acc + y * dy[i], 0);
      };
      inputs.forEach(([d], k) => {
        const num = Array.from(d, (_, i) => {
          const at = (h: number) => objective(inputs.map(([u], j) => { const c = Float64Array.from(u); if (j === k) c[i] += h; return c; }));
          return (at(1e-4) - at(-1e-4)) / 2e-4;
        });
        const big = Math.max(0, ...num.map(Math.abs));
        expectSame(got[k], { shape: inputs[k][1], values: Float32Array.from(num) }, [2e-6, 4e-6 * big], `grad ${k} x ${JSON.stringify(xs)} params ${JSON.stringify(ps)} offset ${withOffset} scale ${withScale}`);
      });
    }
  });

  it('batchNorm2d/3d/4d: the values of batchNorm (TF.js\'s rank forms), rank-1 and full-rank parameters', () => {
    let seed = 600;
    const forms: Array<[typeof batchNorm2d, (...a: never[]) => tf.Tensor, number[]]> = [
      [batchNorm2d, tf.batchNorm2d as never, [5, 3]],
      [batchNorm3d, tf.batchNorm3d as never, [2, 4, 3]],
      [batchNorm4d, tf.batchNorm4d as never, [2, 3, 1, 5]],
    ];
    for (const [f, tff, xs] of forms) {
      for (const ps of [[xs[xs.length - 1]], xs]) {
        const x = uniform(seed++, sizeOf(xs), -3, 3);
        const p = params((seed += 4), ps, [-2, 2], [0.05, 2]);
        const t = (d: ArrayLike<number>, s: number[]) => tf.tensor(d, s) as never;
        const want = readTf(tf.tidy(() => tff(t(x, xs), t(p.m, ps), t(p.v, ps), t(p.o, ps), t(p.s, ps), 0.01 as never)));
        const got = run(() => read(f(nr.tensor(x, xs), nr.tensor(p.m, ps), nr.tensor(p.v, ps), nr.tensor(p.o, ps), nr.tensor(p.s, ps), 0.01)));
        expectUlps(got, want, bnRef(x, xs, p, ps, 0.01).mag, `${f.name} params ${JSON.stringify(ps)}`);
        const bare = readTf(tf.tidy(() => tff(t(x, xs), t(p.m, ps), t(p.v, ps))));
        expectUlps(run(() => read(f(nr.tensor(x, xs), nr.tensor(p.m, ps), nr.tensor(p.v, ps)))), bare, bnRef(x, xs, { m: p.m, v: p.v }, ps).mag, `${f.name} bare`);
      }
    }
  });

  it('errors: ranks (as TF.js checks them), broadcasting, varianceEpsilon, bad and disposed tensors; no leaks', () => {
    const x = nr.ones([2, 3]);
    const err = (f: () => unknown) => noHandleLeak(f);
    expect(err(() => batchNorm(x, [1, 2, 3], [[1, 2, 3]]))).toMatchObject({ name: 'InvalidArgumentError', message: 'batchNorm: variance must have the rank of mean (as TF.js requires), got variance shape [1,3] and mean shape [3]' });
    expect(() => tf.batchNorm(tf.ones([2, 3]), tf.zeros([3]), tf.ones([1, 3]))).toThrow('Batch normalization gradient requires mean and variance to have equal ranks.');
    expect(err(() => batchNorm(x, [1, 2, 3], [1, 2, 3], 0.5))).toMatchObject({ message: 'batchNorm: offset must have the rank of mean (as TF.js requires), got offset shape [] and mean shape [3]' });
    expect(err(() => batchNorm(x, [1, 2, 3], [1, 2, 3], null, [[2]]))).toMatchObject({ message: 'batchNorm: scale must have the rank of mean (as TF.js requires), got scale shape [1,1] and mean shape [3]' });
    expect(err(() => batchNorm(x, [[1, 2, 3], [1, 2, 3]], [1, 1, 1]))).toMatchObject({ message: 'batchNorm: variance must have the rank of mean (as TF.js requires), got variance shape [3] and mean shape [2,3]' });
    expect(err(() => batchNorm(x, [1, 2], [1, 1]))).toMatchObject({ name: 'ShapeError', message: "batchNorm: mean of shape [2] does not broadcast to x's shape [2,3]: its axis 0 has size 2, which is neither 1 nor x's 3; usually mean is [3] (x's last axis)" });
    expect(err(() => batchNorm(x, [[1], [2]], [[1, 1, 1], [1, 2, 3], [4, 5, 6]]))).toMatchObject({ name: 'ShapeError', message: "batchNorm: variance of shape [3,3] does not broadcast to x's shape [2,3]: its axis 0 has size 3, which is neither 1 nor x's 2; usually variance is [3] (x's last axis)" });
    expect(err(() => batchNorm(x, nr.zeros([2, 1, 3]), nr.ones([2, 1, 3])))).toMatchObject({ name: 'ShapeError', message: "batchNorm: mean of shape [2,1,3] has more axes than x (shape [2,3]) and its extra leading axis is not 1; it must broadcast to x's shape" });
    expect(err(() => batchNorm(x, [1, 2, 3], [1, 2, 3], null, null, NaN))).toMatchObject({ name: 'InvalidArgumentError', message: 'batchNorm: varianceEpsilon must be a finite number, got NaN' });
    expect(err(() => batchNorm(x, [1, 2, 3], [1, 2, 3], null, null, '0.1' as never))).toMatchObject({ message: 'batchNorm: varianceEpsilon must be a finite number, got the string "0.1"' });
    expect(err(() => batchNorm(x, 'm' as never, [1, 2, 3]))).toMatchObject({ message: 'batchNorm: mean must be a Tensor, a number or an array of numbers, got the string "m"' });
    expect(err(() => batchNorm(x, [1, 2, 3], [1, 2, 3], [[1], [2, 3]]))).toMatchObject({ name: 'ShapeError', message: expect.stringMatching(/^batchNorm: offset: values are ragged/) });
    // The rank forms: x's rank, then each parameter rank N or 1 (TF.js's checks and order: x, mean, variance, scale, offset).
    expect(err(() => batchNorm2d(nr.ones([2, 3, 1]), [1], [1]))).toMatchObject({ name: 'InvalidArgumentError', message: 'batchNorm2d: x must have rank 2, got shape [2,3,1]' });
    expect(() => tf.batchNorm2d(ranked<tf.Tensor2D>(tf.ones([2, 3, 1])), tf.zeros([3]) as tf.Tensor1D, tf.ones([3]) as tf.Tensor1D)).toThrow('Error in batchNorm2D: x must be rank 2 but got rank 3.');
    expect(err(() => batchNorm3d(nr.ones([2, 3, 1]), [[[1]]], 1))).toMatchObject({ message: 'batchNorm3d: variance must have rank 3 or rank 1, got shape []' });
    expect(err(() => batchNorm4d(nr.ones([1, 2, 3, 1]), [1], [1], [[1]], 1))).toMatchObject({ message: 'batchNorm4d: scale must have rank 4 or rank 1, got shape []' });
    expect(() => tf.batchNorm4d(tf.ones([1, 2, 3, 1]) as tf.Tensor4D, tf.zeros([1]) as tf.Tensor1D, tf.ones([1]) as tf.Tensor1D, ranked<tf.Tensor1D>(tf.zeros([1, 1])), tf.scalar(1) as never)).toThrow('Error in batchNorm4D: scale must be rank 4 or rank 1 but got rank 0.');
    expect(err(() => batchNorm4d(nr.ones([1, 2, 3, 1]), [1], [1], [[1]]))).toMatchObject({ message: 'batchNorm4d: offset must have rank 4 or rank 1, got shape [1,1]' });
    expect(err(() => batchNorm3d(nr.ones([2, 3, 2]), [1, 2, 3], [1]))).toMatchObject({ name: 'ShapeError', message: expect.stringMatching(/^batchNorm3d: mean of shape \[3\] does not broadcast to x's shape \[2,3,2\]/) });
    const dead = nr.ones([3]);
    dead.dispose();
    expect(err(() => batchNorm(x, dead, [1, 2, 3]))).toMatchObject({ name: 'DisposedError', message: expect.stringMatching(/^batchNorm: mean/) });
    expect(err(() => x.batchNorm([1, 2, 3], [1, 2, 3], undefined, undefined, Infinity))).toMatchObject({ message: 'batchNorm: varianceEpsilon must be a finite number, got Infinity' });
    // A successful call leaves nothing behind either.
    expect(err(() => batchNorm(x, [1, 2, 3], [1, 2, 3], [0, 0, 0], [1, 1, 1]).dispose())).toBeUndefined();
    x.dispose();
  });
});

// ---- pool -----------------------------------------------------------------------------------

type Size = number | [number, number];

/** TF.js's pool, read out. */
function tfPool(x: Float32Array, xs: number[], k: Size, type: 'max' | 'avg', pad: 'same' | 'valid', d?: Size, s?: Size): Read {
  return readTf(tf.tidy(() => tf.pool(ranked<tf.Tensor4D>(tf.tensor(x, xs)), k, type, pad, d, s)));
}

/** Whether a 'valid' window of `k` taps `d` apart fits `xs`'s height and width. */
function fits(xs: number[], k: Size, d: Size = 1): boolean {
  const [h, w] = xs.length === 4 ? xs.slice(1, 3) : xs.slice(0, 2);
  const [kh, kw] = typeof k === 'number' ? [k, k] : k;
  const [dh, dw] = typeof d === 'number' ? [d, d] : d;
  return (kh - 1) * dh + 1 <= h && (kw - 1) * dw + 1 <= w;
}

/**
 * pool in float64 as TF.js defines it: undilated, TF.js's maxPool/avgPool ('same' padding left
 * out of the max and the mean); dilated (stride 1), every tap of the window counted, those in
 * the 'same' padding as zeros (TF.js's spaceToBatchND composition).
 */
function poolRef(x: ArrayLike<number>, xs: number[], k: Size, type: 'max' | 'avg', pad: 'same' | 'valid', d: Size = 1, s: Size = 1): number[] {
  const [n, h, w, c] = xs.length === 4 ? xs : [1, ...xs];
  const [kh, kw] = typeof k === 'number' ? [k, k] : k;
  const [dh, dw] = typeof d === 'number' ? [d, d] : d;
  const [sh, sw] = typeof s === 'number' ? [s, s] : s;
  const dilated = dh > 1 || dw > 1;
  const place = (len: number, kk: number, st: number, dd: number) => {
    const e = (kk - 1) * dd + 1;
    const out = pad === 'same' ? Math.ceil(len / st) : Math.floor((len - e) / st) + 1;
    return { out, before: pad === 'same' ? Math.floor(Math.max((out - 1) * st + e - len, 0) / 2) : 0 };
  };
  const [py, px] = [place(h, kh, sh, dh), place(w, kw, sw, dw)];
  const vals: number[] = [];
  for (let b = 0; b < n; b++) for (let oy = 0; oy < py.out; oy++) for (let ox = 0; ox < px.out; ox++) for (let ch = 0; ch < c; ch++) {
    let acc = type === 'max' ? -Infinity : 0;
    let count = 0;
    for (let a = 0; a < kh; a++) for (let e = 0; e < kw; e++) {
      const [iy, ix] = [oy * sh + a * dh - py.before, ox * sw + e * dw - px.before];
      const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
      if (!inside && !dilated) continue;
      const v = inside ? x[((b * h + iy) * w + ix) * c + ch] : 0;
      acc = type === 'max' ? Math.max(acc, v) : acc + v;
      count++;
    }
    vals.push(type === 'max' ? acc : acc / count);
  }
  return vals;
}

/** Values in [-5, 5) with ±Infinity and huge values spread over them (never NaN: see the NaN test). */
function poolValues(seed: number, n: number, huge: boolean): Float32Array {
  const v = uniform(seed, n, huge ? -1e36 : -5, huge ? 1e36 : 5);
  if (n > 11) [v[3], v[11]] = [Infinity, -Infinity];
  return v;
}

// [x shape, window, dilations, strides]
const POOL_CASES: Array<[number[], Size, Size | undefined, Size | undefined]> = [
  [[1, 7, 6, 2], 2, 2, undefined], [[2, 5, 5, 3], 3, 2, 1], [[3, 4, 5], 2, [2, 1], undefined], [[1, 9, 4, 1], [3, 2], [1, 3], undefined],
  [[2, 8, 7, 1], [2, 3], 3, [1, 1]], [[1, 6, 6, 2], 1, 2, undefined], [[2, 5, 6, 2], 3, 1, 2], [[4, 7, 3], [2, 1], 1, [2, 1]],
  [[1, 5, 9, 1], [3, 3], [1, 1], [1, 3]], [[2, 1, 1, 2], 1, 2, undefined], [[1, 3, 3, 1], 2, 2, undefined], [[1, 2, 7, 3], [1, 3], [1, 2], undefined],
  [[1, 4, 4, 1], 4, 1, 4], [[2, 10, 3, 1], [4, 1], [3, 1], undefined],
];

describe('pool vs TF.js', () => {
  it("values: max (exact) and avg, dilations 1, 2, 3, [2, 1], [1, 3]; 'same' and 'valid'; strides; rank 3 and 4; odd sizes; ±Infinity and huge values", () => {
    let seed = 700;
    let compared = 0;
    for (const [xs, k, d, s] of POOL_CASES) {
      for (const pad of ['same', 'valid'] as const) {
        if (pad === 'valid' && !fits(xs, k, d)) continue;
        for (const type of ['max', 'avg'] as const) {
          for (const huge of [false, true]) {
            const x = poolValues(seed++, sizeOf(xs), huge);
            const what = `${type} x ${JSON.stringify(xs)} window ${JSON.stringify(k)} dilations ${JSON.stringify(d)} strides ${JSON.stringify(s)} ${pad}${huge ? ' huge' : ''}`;
            const want = tfPool(x, xs, k, type, pad, d, s);
            const got = run(() => read(pool(nr.tensor(x, xs), k, type, pad, d, s)));
            const big = Math.max(...Array.from(x).filter(Number.isFinite).map(Math.abs));
            expectSame(got, want, type === 'max' ? EXACT : [1e-6, 1e-6 * big], what);
            // The float64 definition the gradients below are differentiated from is TF.js's pool.
            expectSame({ shape: want.shape, values: Float32Array.from(poolRef(x, xs, k, type, pad, d, s)) }, want, type === 'max' ? EXACT : [1e-6, 1e-6 * big], `reference ${what}`);
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(112);
  });

  it("'same' with dilations pools the zeros of the padding, as TF.js (and TensorFlow) do; undilated 'same' leaves them out", () => {
    const x = Float32Array.from({ length: 9 }, (_, i) => -(i + 1));
    for (const [d, type] of [[2, 'max'], [2, 'avg'], [1, 'max'], [1, 'avg'], [[2, 1], 'max'], [[1, 2], 'avg']] as Array<[Size, 'max' | 'avg']>) {
      const want = tfPool(x, [1, 3, 3, 1], 2, type, 'same', d);
      expectSame(run(() => read(pool(nr.tensor(x, [1, 3, 3, 1]), 2, type, 'same', d))), want, EXACT, `${type} dilations ${JSON.stringify(d)}`);
    }
    expect(Array.from(run(() => read(pool(nr.tensor(x, [3, 3, 1]), 2, 'max', 'same', 2))).values)).toEqual([0, 0, 0, 0, -1, 0, 0, 0, 0]);
    expect(Array.from(run(() => read(pool(nr.tensor(x, [3, 3, 1]), 2, 'avg', 'same', 2))).values)).toEqual([-1.25, -2.5, -1.25, -2.5, -5, -2.5, -1.25, -2.5, -1.25]);
  });

  it('empty inputs: no images, no channels, an empty height or width (same and valid, dilated and not)', () => {
    for (const [xs, d, pad] of [[[0, 4, 4, 2], 2, 'same'], [[0, 5, 5, 1], 2, 'valid'], [[1, 4, 5, 0], [2, 1], 'same'], [[1, 6, 6, 0], 2, 'valid'], [[1, 0, 3, 1], 2, 'same'], [[1, 3, 0, 1], [1, 2], 'same'], [[2, 0, 3], 2, 'same'], [[0, 2, 2], 1, 'same'], [[1, 0, 4, 2], 1, 'same']] as Array<[number[], Size, 'same' | 'valid']>) {
      for (const type of ['max', 'avg'] as const) {
        const x = new Float32Array(sizeOf(xs));
        expectSame(run(() => read(pool(nr.tensor(x, xs), 2, type, pad, d))), tfPool(x, xs, 2, type, pad, d), EXACT, `${type} ${JSON.stringify(xs)} dilations ${JSON.stringify(d)} ${pad}`);
      }
    }
  });

  it('TensorLike input, the Tensor method, null dilations and strides, pad 0 (TF.js reads it as valid)', () => {
    const x = uniform(750, 2 * 5 * 5 * 3, -2, 2);
    const want = tfPool(x, [2, 5, 5, 3], 2, 'max', 'valid', 2);
    expectSame(run(() => read(nr.tensor(x, [2, 5, 5, 3]).pool(2, 'max', 'valid', 2))), want, EXACT, 'method');
    expectSame(run(() => read(nr.tensor(x, [2, 5, 5, 3]).pool(2, 'max', 0, 2, null))), want, EXACT, 'pad 0');
    expectSame(readTf(tf.tidy(() => tf.pool(tf.tensor4d(x, [2, 5, 5, 3]), 2, 'max', 0 as never, 2))), want, EXACT, 'TF.js pad 0');
    expectSame(run(() => read(pool(nr.tensor(x, [2, 5, 5, 3]), [3, 2], 'avg', 'same', null, null))), tfPool(x, [2, 5, 5, 3], [3, 2], 'avg', 'same'), [1e-6, 1e-6], 'nulls');
    expectSame(run(() => read(pool([[[1], [2]], [[3], [4]]], 2, 'avg', 'valid'))), { shape: [1, 1, 1], values: Float32Array.from([2.5]) }, EXACT, 'nested arrays');
  });

  it('gradients vs tf.grads: max and avg, dilated and not, same and valid, strides, rank 3 and 4', () => {
    let seed = 800;
    for (const [xs, k, d, s] of POOL_CASES) {
      for (const pad of ['same', 'valid'] as const) {
        if (pad === 'valid' && !fits(xs, k, d)) continue;
        for (const type of ['max', 'avg'] as const) {
          // No zeros in x: a tie with a padding zero would route dy by the order of the window's taps.
          const x = uniform(seed++, sizeOf(xs), -3, 3).map((v) => (Math.abs(v) < 0.01 ? 0.5 : v));
          const ys = tfPool(x, xs, k, type, pad, d, s).shape;
          const dy = uniform(seed++, sizeOf(ys), -2, 2);
          const what = `${type} grad x ${JSON.stringify(xs)} window ${JSON.stringify(k)} dilations ${JSON.stringify(d)} strides ${JSON.stringify(s)} ${pad}`;
          const got = run(() => read(nr.grad((t) => pool(t, k, type, pad, d, s))(nr.tensor(x, xs), nr.tensor(dy, ys))));
          // TF.js's AvgPoolGrad divides by the whole window also where 'same' padding cut it
          // (test/conv-ops.test.ts): there, central differences of the float64 definition (exact,
          // avg being linear). Its undilated 'same' forward is right, and pool's dilated 'same' is a
          // 'valid' avgPool, where TF.js's gradient is right too.
          const undilated = d === undefined || (Array.isArray(d) ? d[0] === 1 && d[1] === 1 : d === 1);
          if (type === 'avg' && pad === 'same' && undilated) {
            const objective = (v: Float64Array) => poolRef(v, xs, k, type, pad, d, s).reduce((acc, y, i) => acc + y * dy[i], 0);
            const num = Array.from(x, (_, i) => {
              const at = (h: number) => { const c = Float64Array.from(x); c[i] += h; return objective(c); };
              return (at(0.5) - at(-0.5)) / 1;
            });
            expectSame(got, { shape: xs, values: Float32Array.from(num) }, [1e-6, 1e-6], `${what} (central differences)`);
          } else {
            const want = readTf(tf.tidy(() => tf.grad((t: tf.Tensor) => tf.pool(t as tf.Tensor4D, k, type, pad, d, s))(tf.tensor(x, xs), tf.tensor(dy, ys))));
            expectSame(got, want, [1e-6, 1e-6], what);
          }
        }
      }
    }
  });

  it('documented differences: any other poolingType max-pools in TF.js; a window that does not fit is empty there; NaN (as maxPool)', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    expect(Array.from(tf.tidy(() => tf.pool(x, 2, 'mean' as 'max', 'valid').dataSync()))).toEqual([5, 6, 8, 9]);
    expect(noHandleLeak(() => pool(nr.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]), 2, 'mean' as 'max', 'valid'))).toMatchObject({ name: 'InvalidArgumentError', message: 'pool: poolingType must be \'avg\' or \'max\', got "mean"' });
    expect(tf.tidy(() => tf.pool(x, 2, 'max', 'valid', 3).shape)).toEqual([1, 0, 0, 1]);
    expect(noHandleLeak(() => pool(nr.ones([1, 3, 3, 1]), 2, 'max', 'valid', 3))).toMatchObject({ name: 'InvalidArgumentError', message: "pool: the window [2,2] dilated by [3,3] (spanning [4,4]) does not fit the input's height and width [3,3] with pad 'valid' (input shape [1,3,3,1]); use pad 'same' or a smaller window" });
    // A window holding NaN gives NaN (neurite's maxPool); TF.js's CPU kernel skips NaN.
    const v = Float32Array.from([NaN, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(run(() => read(pool(nr.tensor(v, [3, 3, 1]), 2, 'max', 'valid', 2))).values)).toEqual([NaN]);
    expect(Array.from(tfPool(v, [3, 3, 1], 2, 'max', 'valid', 2).values)).toEqual([8]);
    x.dispose();
  });

  it('errors: ranks, window, poolingType, pad (numeric, explicit), dilations with strides, dimRoundingMode, bad and disposed input; no leaks', () => {
    const x = nr.ones([1, 4, 4, 2]);
    const err = (f: () => unknown) => noHandleLeak(f);
    expect(err(() => pool(nr.ones([4, 4]), 2, 'max', 'same'))).toMatchObject({ name: 'InvalidArgumentError', message: 'pool: input must have rank 4 [batch, height, width, channels] or rank 3 [height, width, channels], got shape [4,4]' });
    expect(err(() => pool(nr.ones([1, 1, 4, 4, 1]), 2, 'avg', 'same'))).toMatchObject({ message: 'pool: input must have rank 4 [batch, height, width, channels] or rank 3 [height, width, channels], got shape [1,1,4,4,1]' });
    expect(() => tf.pool(ranked<tf.Tensor4D>(tf.ones([1, 1, 4, 4, 1])), 2, 'max', 'same')).toThrow('Error in maxPool: input must be rank 4 but got rank 5.');
    expect(err(() => pool(x, 0, 'max', 'same'))).toMatchObject({ message: 'pool: windowShape must be an integer in [1, 65536], got 0' });
    expect(err(() => pool(x, [2, 1.5] as never, 'max', 'same'))).toMatchObject({ message: 'pool: windowShape[1] must be an integer in [1, 65536], got 1.5' });
    expect(err(() => pool(x, 2, 'MAX' as never, 'same'))).toMatchObject({ message: 'pool: poolingType must be \'avg\' or \'max\', got "MAX"' });
    expect(err(() => pool(x, 2, 'max', 1 as never))).toMatchObject({ name: 'InvalidArgumentError', message: "pool: pad must be 'valid', 'same' or 0, got 1 (numeric paddings other than 0, which is 'valid', and explicit paddings are not supported: pad x with pad() first, then use 'valid')" });
    expect(err(() => pool(x, 2, 'avg', [[0, 0], [1, 1], [1, 1], [0, 0]] as never))).toMatchObject({ message: "pool: pad must be 'valid', 'same' or 0, got [[0,0],[1,1],[1,1],[0,0]] (numeric paddings other than 0, which is 'valid', and explicit paddings are not supported: pad x with pad() first, then use 'valid')" });
    expect(err(() => pool(x, 2, 'avg', 'explicit' as never))).toMatchObject({ message: 'pool: pad must be \'valid\', \'same\' or 0, got "explicit"' });
    expect(err(() => pool(x, 2, 'max', 'same', 2, 2))).toMatchObject({ name: 'InvalidArgumentError', message: 'pool: either strides or dilations must be 1, got strides [2,2] and dilations [2,2] (a dilated pooling has stride 1, as in TF.js)' });
    expect(() => tf.pool(tf.ones([1, 4, 4, 2]) as tf.Tensor4D, 2, 'max', 'same', 2, 2)).toThrow(/Error in pool: Either strides or dilations must be 1/);
    expect(err(() => pool(x, 2, 'max', 'same', [2, 1], [1, 2]))).toMatchObject({ message: 'pool: either strides or dilations must be 1, got strides [1,2] and dilations [2,1] (a dilated pooling has stride 1, as in TF.js)' });
    expect(() => tf.pool(tf.ones([1, 4, 4, 2]) as tf.Tensor4D, 2, 'max', 'same', [2, 1], [1, 2])).toThrow(/Error in pool: Either strides or dilations must be 1/);
    expect(err(() => pool(x, 2, 'max', 'same', 0))).toMatchObject({ message: 'pool: dilations must be an integer in [1, 65536], got 0' });
    expect(err(() => pool(x, 2, 'max', 'same', 1, [1, 2, 3] as never))).toMatchObject({ message: 'pool: strides must be a positive integer or a pair [rows, columns] of them, got [1,2,3]' });
    expect(err(() => pool(x, 2, 'max', 'same', 1, 1, 'floor' as never))).toMatchObject({ message: 'pool: dimRoundingMode applies to a numeric pad, which neurite does not support; leave it out (got "floor")' });
    expect(err(() => pool(x, 5, 'avg', 'valid'))).toMatchObject({ message: "pool: the window [5,5] does not fit the input's height and width [4,4] with pad 'valid' (input shape [1,4,4,2]); use pad 'same' or a smaller window" });
    expect(err(() => pool(nr.ones([3, 7, 2]), [2, 3], 'avg', 'valid', [3, 1]))).toMatchObject({ message: "pool: the window [2,3] dilated by [3,1] (spanning [4,3]) does not fit the input's height and width [3,7] with pad 'valid' (input shape [3,7,2]); use pad 'same' or a smaller window" });
    expect(err(() => pool(x, 2 ** 15, 'max', 'same', 2))).toMatchObject({ name: 'OutOfMemoryError', message: expect.stringMatching(/^pool: out of memory/) });
    expect(err(() => pool('x' as never, 2, 'max', 'same'))).toMatchObject({ message: 'pool: input must be a Tensor, a number or an array of numbers, got the string "x"' });
    const dead = nr.ones([1, 2, 2, 1]);
    dead.dispose();
    expect(err(() => pool(dead, 2, 'max', 'same', 2))).toMatchObject({ name: 'DisposedError', message: expect.stringMatching(/^pool: input/) });
    expect(err(() => x.pool(2, 'max', 'same', 2, 1, 'ceil' as never))).toMatchObject({ message: expect.stringMatching(/^pool: dimRoundingMode/) });
    // A successful call leaves nothing behind either.
    expect(err(() => pool(x, 3, 'avg', 'same', [2, 1]).dispose())).toBeUndefined();
    x.dispose();
  });
});
