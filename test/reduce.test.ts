// Reductions checked against TensorFlow.js 4.22 (`cpu` backend): sum, mean, max, min, prod,
// argMax, argMin, variance and moments, over every axis (negative too), axis lists and all
// axes, with and without keepDims, on shapes from rank 0 to rank 4 (incl. empty and 1000×37);
// then NaN handling, the documented differences from TF.js, and the exact error messages.
import { expectClose, expectNoLeak } from './setup.js';
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { bits, rng, SHAPES, sizeOf, tf, uniform, viaNr, viaTf, type Input } from './oracle.js';
// TF.js's prod gradient calls the Tensor method reshape.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';

type Axis = number | number[] | undefined;
const rand = rng(99);

/** Every axis argument worth trying for a rank: all, each axis both ways, lists, none. */
function axesFor(rank: number): Axis[] {
  const out: Axis[] = [undefined];
  for (let d = 0; d < rank; d++) out.push(d, d - rank);
  if (rank >= 2) out.push([0, rank - 1], [-1, 0]);
  if (rank >= 3) out.push([0, 2], [1, -1]);
  if (rank === 4) out.push([1, 2, 3], [0, 1, 2, 3]);
  if (rank >= 1) out.push([]);
  return out;
}

/** The reduced element count for an axis argument. */
function reducedCount(shape: number[], axis: Axis): number {
  const axes = axis === undefined ? shape.map((_, i) => i) : typeof axis === 'number' ? [axis] : axis;
  return axes.reduce((n, a) => n * shape[a < 0 ? a + shape.length : a], 1);
}

// Tolerances. TF.js accumulates sums and products in float64 and rounds once; neurite
// accumulates in float32 (16 partial sums along a row, one running sum down leading axes), so
// the error grows like √r·ulp with the reduced count r. Inputs are in [-4, 4) (sums, means,
// variances) or [0.9, 1.1) (products), so the bounds below are about 10× the expected error.
// max, min, argMax, argMin and prod (float64 products, as TF.js's) are exact.
const tol = {
  sum: (r: number) => ({ rtol: 1e-5, atol: 4e-6 * Math.sqrt(r) }),
  mean: (r: number) => ({ rtol: 1e-5, atol: 4e-6 / Math.sqrt(Math.max(r, 1)) }),
  prod: (r: number) => ({ rtol: 1e-6 * (1 + 3 * Math.sqrt(r)), atol: 1e-30 }),
  variance: (r: number) => ({ rtol: 2e-5, atol: 4e-6 * Math.sqrt(r) }),
};

const tfReduce: Record<string, (x: tf.Tensor, axis: Axis, keep: boolean) => tf.Tensor> = {
  sum: (x, a, k) => tf.sum(x, a, k),
  mean: (x, a, k) => tf.mean(x, a, k),
  max: (x, a, k) => tf.max(x, a, k),
  min: (x, a, k) => tf.min(x, a, k),
  prod: (x, a, k) => tf.prod(x, a, k),
  variance: (x, a, k) => tf.moments(x, a, k).variance,
};
const nrReduce: Record<string, (x: nr.Tensor, axis: Axis, keep: boolean) => nr.Tensor> = {
  sum: (x, a, k) => nr.sum(x, a, k),
  mean: (x, a, k) => x.mean(a, k),
  max: (x, a, k) => nr.max(x, a, k),
  min: (x, a, k) => x.min(a, k),
  prod: (x, a, k) => nr.prod(x, a, k),
  variance: (x, a, k) => x.variance(a, k),
};

describe('reductions match TF.js', () => {
  for (const name of Object.keys(nrReduce)) {
    it(`${name} over every axis set, with and without keepDims`, () => {
      expectNoLeak(() => {
        for (const shape of SHAPES) {
          const [lo, hi] = name === 'prod' ? [0.9, 1.1] : [-4, 4];
          const x: Input = { shape, values: uniform(rand, sizeOf(shape), lo, hi) };
          for (const axis of axesFor(shape.length)) {
            const r = reducedCount(shape, axis);
            // NOTE: over an empty axis, max/min throw in neurite (TF.js returns NaN from undefined)
            // and mean/variance are NaN as in NumPy (0/0; TF.js returns 0). Tested below.
            if (r === 0 && name !== 'sum' && name !== 'prod') continue;
            for (const keep of [false, true]) {
              const what = `${name}([${shape}], ${JSON.stringify(axis)}, ${keep})`;
              const want = viaTf((t) => tfReduce[name](t as tf.Tensor, axis, keep), [x]);
              const got = viaNr((t) => nrReduce[name](t as nr.Tensor, axis, keep), [x]);
              expect(got.shape, what).toEqual(want.shape);
              // prod multiplies left to right in float64 and rounds once, as TF.js's kernel.
              if (name === 'max' || name === 'min' || name === 'prod') {
                expect(bits(got.values), what).toEqual(bits(want.values));
              } else {
                const { rtol, atol } = tol[name as keyof typeof tol](r);
                try {
                  expectClose(got.values, want.values, rtol, atol);
                } catch (e) {
                  throw new Error(`${what}: ${(e as Error).message}`);
                }
              }
            }
          }
        }
      });
    });
  }

  it('argMax and argMin along every axis, both ways', () => {
    expectNoLeak(() => {
      for (const shape of SHAPES.filter((s) => s.length > 0 && !s.includes(0))) {
        const x: Input = { shape, values: uniform(rand, sizeOf(shape), -4, 4) };
        for (let d = -shape.length; d < shape.length; d++) {
          for (const name of ['argMax', 'argMin'] as const) {
            const want = viaTf((t) => tf[name](t as tf.Tensor, d), [x]);
            const got = viaNr((t) => (t as nr.Tensor)[name](d), [x]);
            expect(got.shape, `${name}([${shape}], ${d})`).toEqual(want.shape);
            expect(Array.from(got.values), `${name}([${shape}], ${d})`).toEqual(Array.from(want.values));
          }
        }
      }
      // The default axis is 0, as TF.js; ties go to the first index.
      const t: Input = { shape: [3, 2], values: Float32Array.from([1, 9, 5, 9, 5, 0]) };
      expect(Array.from(viaNr((x) => nr.argMax(x as nr.Tensor), [t]).values)).toEqual([1, 0]);
      expect(Array.from(viaNr((x) => nr.argMin(x as nr.Tensor), [t]).values)).toEqual([0, 2]);
    });
  });

  it('moments returns TF.js mean and variance together', () => {
    expectNoLeak(() => {
      const x: Input = { shape: [6, 5, 4], values: uniform(rand, 120, -4, 4) };
      for (const [axis, keep] of [[[0, 1], false], [-1, true], [undefined, false]] as Array<[Axis, boolean]>) {
        const want = tf.tidy(() => {
          const m = tf.moments(tf.tensor(x.values, x.shape), axis, keep);
          return { mean: m.mean.dataSync().slice(), variance: m.variance.dataSync().slice(), shape: m.mean.shape };
        });
        nr.tidy(() => {
          const m = nr.moments(nr.tensor(x.values, x.shape), axis, keep);
          expect([...m.mean.shape]).toEqual(want.shape);
          expect([...m.variance.shape]).toEqual(want.shape);
          expectClose(m.mean.data(), want.mean, 1e-5, 1e-6);
          expectClose(m.variance.data(), want.variance, 2e-5, 1e-5);
        });
      }
    });
  });
});

describe('accuracy at the edges of float32', () => {
  /** The float64 two-pass variance of float32 values (the reference; TF.js agrees with it). */
  const variance64 = (v: Float32Array) => {
    const m = v.reduce((a, x) => a + x, 0) / v.length;
    return v.reduce((a, x) => a + (x - m) ** 2, 0) / v.length;
  };

  it('variance and moments where the spread is near float32 resolution of the mean (it was 25 % high)', () => {
    expectNoLeak(() => {
      for (const [n, base, step] of [[1000, 1e4, 1e-3], [999, -3e5, 0.03125], [7, 1e4, 1e-3], [20000, 1e4, 1e-3], [3, 1e6, 0.0625]]) {
        const v = Float32Array.from({ length: n }, (_, i) => base + (i % 7) * step);
        const want = variance64(v);
        const tfv = tf.tidy(() => tf.moments(tf.tensor(v)).variance.dataSync()[0]);
        // Rows, columns (a leading axis) and moments.
        const cols = new Float32Array(3 * n);
        v.forEach((x, i) => cols.set([x, 1, x], 3 * i));
        nr.tidy(() => {
          const got = [nr.variance(nr.tensor(v)).item(), nr.moments(nr.tensor(v)).variance.item(), ...nr.variance(nr.tensor(cols, [n, 3]), 0).data()];
          for (const g of [got[0], got[1], got[2], got[4]]) expect(Math.abs(g / want - 1), `n ${n} base ${base}: ${g} vs ${want}`).toBeLessThan(1e-4);
          expect(got[3]).toBe(0);
          expect(Math.abs(tfv / want - 1)).toBeLessThan(1e-4);
        });
      }
    });
  });

  it('prod: partial products past float32 range do not overflow or underflow (float64, TF.js bit for bit)', () => {
    expectNoLeak(() => {
      const cases: Array<[number[], number[], number | undefined]> = [
        [[1e30, 1e30, 1e-30], [3], undefined],
        [[1e-30, 1e-30, 1e30, 1e30], [4], undefined],
        [[1e20, 1e20, 1e-20, 1e-20], [4], undefined],
        [[1e30, 1e-30, 1e30, 1e-30, 1e-30, 1e30], [3, 2], 0],
        [[1e30, 1e-30, 1e30, 1e-30, 1e-30, 1e30], [3, 2], 1],
        [[3e38, 2, 0.25], [3], undefined],
        [[3e38, 3e38], [2], undefined],
        [[1e-30, 1e-30, 0, 1e30], [4], undefined],
      ];
      for (const [values, shape, axis] of cases) {
        const x: Input = { shape, values: Float32Array.from(values) };
        const want = viaTf((t) => tf.prod(t as tf.Tensor, axis), [x]);
        const got = viaNr((t) => nr.prod(t as nr.Tensor, axis), [x]);
        expect(bits(got.values), `${values} axis ${axis}`).toEqual(bits(want.values));
      }
      expect(nr.tidy(() => nr.prod([1e30, 1e30, 1e-30]).item())).toBe(Math.fround(1e30));
      expect(nr.tidy(() => nr.prod([3e38, 3e38]).item())).toBe(Infinity);
    });
  });
});

describe('special values and documented differences', () => {
  const red = (name: string, values: number[], shape = [values.length], axis?: Axis) =>
    Array.from(viaNr((t) => (t as nr.Tensor)[name as 'sum'](axis as number), [{ shape, values: Float32Array.from(values) }]).values);

  it('NaN propagates through sum, mean, max, min, prod and variance', () => {
    expectNoLeak(() => {
      for (const name of ['sum', 'mean', 'max', 'min', 'prod', 'variance']) {
        for (const at of [0, 5, 16]) {
          const v = Array.from({ length: 17 }, (_, i) => (i === at ? NaN : i + 1));
          expect(red(name, v)[0], `${name} NaN at ${at}`).toBeNaN();
        }
      }
      expect(red('sum', [Infinity, 1, -Infinity])[0]).toBeNaN();
      expect(red('max', [-Infinity, -Infinity])[0]).toBe(-Infinity);
    });
  });

  it('argMax/argMin pick the first NaN (NumPy); TF.js never picks a NaN', () => {
    expectNoLeak(() => {
      expect(red('argMax', [1, NaN, 9, NaN])).toEqual([1]);
      expect(red('argMin', [1, 0, NaN])).toEqual([2]);
      // TF.js skips NaN unless it is first: argMax([1, NaN, 9]) is 2 there.
      expect(tf.tidy(() => tf.argMax(tf.tensor([1, NaN, 9])).dataSync()[0])).toBe(2);
    });
  });

  it('empty axes: sums are 0, products 1, means and variances NaN; max/min throw', () => {
    expectNoLeak(() => {
      const e = (name: string, axis: Axis) => red(name, [], [0, 3], axis);
      expect(e('sum', 0)).toEqual([0, 0, 0]);
      expect(e('prod', 0)).toEqual([1, 1, 1]);
      expect(e('mean', 0)).toEqual([NaN, NaN, NaN]);
      expect(e('variance', undefined)).toEqual([NaN]);
      expect(e('max', 1)).toEqual([]);
      const x = nr.zeros([0, 3]);
      expect(() => x.max(0)).toThrow(new nr.InvalidArgumentError('max: cannot reduce over an empty axis: x has shape [0,3] and axes [0]'));
      expect(() => nr.argMin(x, 0)).toThrow('argMin: cannot reduce over an empty axis: x has shape [0,3] and axes [0]');
      x.dispose();
    });
  });

  it('a scalar reduces to itself; argMax of a scalar is 0 (TF.js throws)', () => {
    expectNoLeak(() =>
      nr.tidy(() => {
        const s = nr.scalar(-2.5);
        for (const name of ['sum', 'mean', 'max', 'min', 'prod'] as const) {
          const y = s[name]();
          expect([y.rank, y.item()]).toEqual([0, -2.5]);
        }
        expect(s.variance().item()).toBe(0);
        expect(s.argMax().item()).toBe(0);
        expect(() => s.sum(0)).toThrow('sum: axis 0 is out of range for a tensor of rank 0 (shape [])');
      }),
    );
  });
});

describe("prod's gradient", () => {
  /** d(sum(w · prod(x, axis)))/dx from neurite and TF.js (w non-uniform). */
  const grads = (v: Float32Array, shape: number[], axis: number | number[]) => {
    const w = (n: number) => Float32Array.from({ length: n }, (_, i) => 0.5 + (i % 3) - i / 64);
    const want = tf.tidy(() => {
      const x = tf.tensor(v, shape);
      const y = tf.prod(x, axis);
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.prod(t, axis), tf.tensor(w(y.size), y.shape))))(x).dataSync().slice();
    });
    const got = nr.tidy(() => {
      const x = nr.tensor(v, shape);
      const y = nr.prod(x, axis);
      return nr.grad((t: nr.Tensor) => nr.sum(nr.mul(nr.prod(t, axis), nr.tensor(w(y.size), y.shape))))(x).data();
    });
    return { got, want };
  };

  it("is the product of the others (before × after, in index order), bit for bit with TF.js: odd and long groups, one and two zeros, negative values, axis lists (TF.js's fails on a negative axis)", () => {
    for (const [shape, axis] of [[[7], 0], [[3, 1001], 1], [[1001, 3], 0], [[5, 4, 3], [0, 2]], [[2, 3, 5], 2], [[1], 0]] as Array<[number[], number | number[]]>) {
      for (const zeros of [0, 1, 2]) {
        const v = uniform(rand, sizeOf(shape), 0.8, 1.2).map((x, i) => (i % 3 === 1 ? -x : x));
        // One zero in the first group, two (the gradient is then zero everywhere but at them).
        if (zeros >= 1) v[0] = 0;
        if (zeros >= 2) v[Array.isArray(axis) ? 1 : axis === 0 && shape.length > 1 ? 2 * shape[1] : 2] = 0;
        const { got, want } = grads(v, shape, axis);
        expect(bits(got), `${JSON.stringify(shape)} ${JSON.stringify(axis)} zeros ${zeros}`).toEqual(bits(want));
      }
    }
  });

  it("keeps TF.js's float32 partial products where they leave float32's range (the forward is float64): ∂/∂x₃ of [1e30, 1e30, 1e-30, 1e-30] is Infinity in both", () => {
    for (const v of [[1e30, 1e30, 1e-30, 1e-30], [1e-30, 1e-30, 1e30, 3], [3e38, 2, 0.5]]) {
      const { got, want } = grads(Float32Array.from(v), [v.length], 0);
      expect(bits(got), JSON.stringify(v)).toEqual(bits(want));
    }
    expect(grads(Float32Array.of(1e30, 1e30, 1e-30, 1e-30), [4], 0).got[3]).toBe(Infinity);
  });

  it('a long group is exact against float64 within its rounding bound', () => {
    const n = 4001;
    const v = uniform(rand, n, 0.99, 1.01).map((x, i) => (i % 5 === 0 ? -x : x));
    const { got } = grads(v, [n], 0);
    const w = 0.5;
    for (const i of [0, 1, 2000, n - 2, n - 1]) {
      let p = w;
      for (let j = 0; j < n; j++) if (j !== i) p *= v[j];
      expect(Math.abs(got[i] - p), `[${i}]`).toBeLessThanOrEqual(Math.abs(p) * n * 1.2e-7);
    }
  });
});

describe('errors', () => {
  it('bad, repeated and non-integer axes name the op, the axes and the shape', () => {
    const x = nr.zeros([2, 3]);
    expectNoLeak(() => {
      expect(() => x.sum(2)).toThrow(new nr.InvalidArgumentError('sum: axis 2 is out of range for a tensor of rank 2 (shape [2,3])'));
      expect(() => nr.max(x, [0, -3])).toThrow('max: axis -3 is out of range for a tensor of rank 2 (shape [2,3])');
      expect(() => x.mean([1, -1])).toThrow(new nr.InvalidArgumentError('mean: axis -1 is listed twice in axes [1,-1]'));
      expect(() => nr.prod(x, [0, 0], true)).toThrow('prod: axis 0 is listed twice in axes [0,0]');
      expect(() => x.min(1.5)).toThrow('min: axis must be an integer, got 1.5');
      expect(() => x.variance('0' as unknown as number)).toThrow('variance: axis must be a number or an array of numbers, got the string "0"');
      expect(() => nr.moments(x, 7)).toThrow('moments: axis 7 is out of range for a tensor of rank 2 (shape [2,3])');
    });
    x.dispose();
  });

  it('argMax/argMin take one integer axis', () => {
    const x = nr.zeros([2, 3]);
    expectNoLeak(() => {
      expect(() => nr.argMax(x, [0, 1] as unknown as number)).toThrow(new nr.InvalidArgumentError('argMax: axis must be a single integer, got [0,1]'));
      expect(() => x.argMin([1] as unknown as number)).toThrow('argMin: axis must be a single integer, got [1]');
      expect(() => x.argMax(2)).toThrow('argMax: axis 2 is out of range for a tensor of rank 2 (shape [2,3])');
      expect(() => x.argMin(-3)).toThrow('argMin: axis -3 is out of range for a tensor of rank 2 (shape [2,3])');
    });
    x.dispose();
  });

  it('non-tensor and disposed inputs name the op and the argument', () => {
    expectNoLeak(() => {
      expect(() => nr.sum('x' as never)).toThrow(new nr.InvalidArgumentError('sum: x must be a Tensor, a number or an array of numbers, got the string "x"'));
      // TF.js's TensorLike: nested arrays are a temporary tensor (freed).
      expect(nr.tidy(() => Array.from(nr.sum([[1, 2], [3, 4]], 1).dataSync()))).toEqual([3, 7]);
      expect(nr.tidy(() => nr.max([1, 5, 2]).item())).toBe(5);
      expect(nr.tidy(() => nr.argMax(5).item())).toBe(0);
      expect(nr.tidy(() => nr.argMax([1, 5, 2]).item())).toBe(1);
      expect(() => nr.argMax('x' as never)).toThrow('argMax: x must be a Tensor, a number or an array of numbers, got the string "x"');
      expect(() => nr.moments({} as nr.Tensor)).toThrow('moments: x must be a Tensor, a number or an array of numbers, got an object (Object)');
      const d = nr.ones([4]);
      d.dispose();
      expect(() => d.mean()).toThrow(new nr.DisposedError('mean: x is a disposed tensor (shape [4])'));
    });
  });
});

describe('short rows (the last axis shorter than 16, several rows on SIMD lanes)', () => {
  const f = Math.fround;
  /** The run kernels' sum of one row: 16 lanes over whole 16-blocks (0 + part), folded in a fixed tree, then the tail in order; for a row shorter than 16, left to right from 0. */
  const sum32 = (v: ArrayLike<number>) => {
    const whole = v.length - (v.length % 16);
    const acc = new Array<number>(16).fill(0);
    for (let i = 0; i < whole; i++) acc[i % 16] = f(acc[i % 16] + v[i]); // rows ≤ 512: one block group
    const l = [0, 1, 2, 3].map((i) => f(f(acc[i] + acc[4 + i]) + f(acc[8 + i] + acc[12 + i])));
    let s = f(f(l[0] + l[1]) + f(l[2] + l[3]));
    for (let i = whole; i < v.length; i++) s = f(s + v[i]);
    return s;
  };
  const max32 = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a === b ? (Object.is(a, -0) ? b : a) : Math.max(a, b));
  const min32 = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a === b ? (Object.is(a, 0) ? b : a) : Math.min(a, b));
  /** The first best index; the first NaN wins. */
  const arg = (v: ArrayLike<number>, max: boolean) => {
    let [b, at] = [v[0], 0];
    for (let j = 1; j < v.length; j++) {
      const x = v[j];
      if (!Number.isNaN(b) && (Number.isNaN(x) || (max ? x > b : x < b))) [b, at] = [x, j];
    }
    return at;
  };
  /** The two-pass variance with the correction term, every operation rounded to float32. */
  const var32 = (v: ArrayLike<number>) => {
    const n = v.length;
    const m = f(sum32(v) / n);
    const d = Array.from(v, (x) => f(x - m));
    const s2 = sum32(d.map((x) => f(x * x)));
    const s1 = sum32(d);
    const r = f(f(s2 - f(s1 * f(s1 / n))) / n);
    return r < 0 ? 0 : r;
  };
  /** A sum, mean or variance that came out ±Infinity or NaN although every value is finite is redone in float64 (a partial sum left float32's range). */
  const wide = (g: (v: ArrayLike<number>) => number, f64: (v: number[], m: number) => number) => (v: ArrayLike<number>) => {
    const r = g(v);
    const a = Array.from(v);
    if (Number.isFinite(r) || !a.every(Number.isFinite)) return r;
    return f(f64(a, a.reduce((s, x) => s + x, 0)));
  };
  const REFS: Record<string, (v: ArrayLike<number>) => number> = {
    sum: wide(sum32, (_, s) => s),
    mean: wide((v) => f(sum32(v) / v.length), (a, s) => s / a.length),
    variance: wide(var32, (a, s) => a.reduce((t, x) => t + (x - s / a.length) ** 2, 0) / a.length),
    max: (v) => Array.from(v).reduce((a, x) => max32(a, x), -Infinity),
    min: (v) => Array.from(v).reduce((a, x) => min32(a, x), Infinity),
    argMax: (v) => arg(v, true),
    argMin: (v) => arg(v, false),
  };
  const run = (op: string, x: nr.Tensor) => (op === 'argMax' || op === 'argMin' ? (nr[op] as (t: nr.Tensor, a: number) => nr.Tensor)(x, -1) : (nr[op as 'sum'] as (t: nr.Tensor, a: number) => nr.Tensor)(x, -1));
  /** Values in [-4, 4) with NaN, ±0, ±Infinity, ties and huge and tiny ones sprinkled in. */
  const values = (n: number, special: boolean) => {
    const v = uniform(rng(n + 7), n, -4, 4, special ? 0.25 : 0);
    const odd = [NaN, 0, -0, Infinity, -Infinity, 3e38, -3e38, 1e-40, 2, 2];
    if (special) for (let i = 0; i < n; i += 11) v[i] = odd[(i / 11) % odd.length];
    return v;
  };

  it('sum, mean, max, min, argMax, argMin and variance over inner 1–17 and outer 0, 1, primes and 4·prime ± 1: the run kernels\' bits row by row', () => {
    expectNoLeak(() => {
      for (const r of [1, 2, 3, 4, 5, 7, 8, 15, 16, 17]) {
        for (const n of [0, 1, 2, 3, 5, 7, 13, 31, 127, 4 * 257 - 1, 4 * 257 + 1, 4099]) {
          for (const special of [false, true]) {
            const v = values(n * r, special);
            nr.tidy(() => {
              const x = nr.tensor(v, [n, r]);
              for (const [op, ref] of Object.entries(REFS)) {
                const want = Array.from({ length: n }, (_, i) => ref(v.subarray(i * r, (i + 1) * r)));
                const got = run(op, x).data();
                const b = bits(got);
                const w = bits(want);
                for (let i = 0; i < n; i++) if (b[i] !== w[i]) expect(`${op} r=${r} n=${n} special=${special} row ${i}: ${got[i]}`).toBe(`${want[i]}`);
              }
            });
          }
        }
      }
    });
  });

  it('sums of short rows are within the recursive-summation bound (r − 1)·u·Σ|x| of the float64 sum; partial sums past float32 range are redone in float64', () => {
    expectNoLeak(() => {
      const u = 2 ** -24;
      for (const r of [2, 3, 7, 15]) {
        const n = 1001;
        const v = uniform(rng(r), n * r, -1e4, 1e4);
        const got = nr.tidy(() => nr.sum(nr.tensor(v, [n, r]), -1).data());
        for (let i = 0; i < n; i++) {
          const row = v.subarray(i * r, (i + 1) * r);
          const exact = row.reduce((a, x) => a + x, 0);
          const abs = row.reduce((a, x) => a + Math.abs(x), 0);
          expect(Math.abs(got[i] - exact)).toBeLessThanOrEqual((r - 1) * u * abs * (1 + 1e-6));
        }
      }
      // [3e38, 3e38, -3e38]: the float32 partial sum overflows; the float64 sum fits.
      const big = nr.tidy(() => [...nr.sum(nr.tensor([3e38, 3e38, -3e38, 1, 2, 3], [2, 3]), -1).data(), ...nr.mean(nr.tensor([3e38, 3e38, -3e38, 1, 2, 3], [2, 3]), -1).data()]);
      expect(big).toEqual([f(3e38), 6, f(1e38), 2]);
    });
  });

  it('softmax over short rows: exp(x − max) · (1 / sum) by the separate ops, bit for bit; TF.js within 1e-6', () => {
    expectNoLeak(() => {
      for (const r of [1, 2, 3, 4, 7, 15, 16]) {
        for (const n of [0, 1, 5, 61, 257]) {
          const v = uniform(rng(n * r + 3), n * r, -20, 20);
          nr.tidy(() => {
            const x = nr.tensor(v, [n, r]);
            const e = nr.exp(nr.sub(x, nr.max(x, -1, true)));
            const want = nr.mul(e, nr.div(1, nr.sum(e, -1, true)));
            expect(bits(nr.softmax(x).data())).toEqual(bits(want.data()));
            const t = tf.tidy(() => tf.softmax(tf.tensor(v, [n, r])).dataSync());
            expectClose(nr.softmax(x).data(), t, 1e-6);
          });
        }
      }
      // A row with +Infinity or NaN is NaN; a row of −Infinity is NaN (as TF.js).
      const s = nr.tidy(() => nr.softmax(nr.tensor([Infinity, 0, NaN, 1, -Infinity, -Infinity, 1, 1], [4, 2])).data());
      expect(Array.from(s.subarray(0, 6), Number.isNaN)).toEqual([true, true, true, true, true, true]);
      expect(Array.from(s.subarray(6))).toEqual([0.5, 0.5]);
    });
  });
});
