// matMul / dot / outerProduct through the wasm build, where the SIMD GEMM runs: random and edge
// shapes (0, 1, odd, across the kernel's cache blocks), all four transpose forms, batched with
// broadcast batch dims, against a float64 JS reference and against TF.js 4.22 on the cpu
// backend; exact results on integer data; NaN/∞ propagation; every error message; no leaks.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeak } from './setup.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// A seeded generator, so failures reproduce.
const rand = mulberry32(0x6e6d);
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1)); // inclusive
const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)];
const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const uniform = (n: number): Float32Array => Float32Array.from({ length: n }, () => rand() * 2 - 1);
const integers = (n: number): Float32Array => Float32Array.from({ length: n }, () => int(-8, 8));

/** Edge sizes for the micro-tile (4×8) and its neighbours, plus sizes across the cache blocks. */
const EDGE = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 65, 127, 129] as const;
const TRANSPOSES = [[false, false], [true, false], [false, true], [true, true]] as const;

interface Case { aShape: number[]; bShape: number[]; ta: boolean; tb: boolean }

/** Stored shapes for `op(a): [...batchA, m, k]`, `op(b): [...batchB, k, n]`. */
function makeCase(m: number, k: number, n: number, ta: boolean, tb: boolean, batchA: number[] = [], batchB: number[] = []): Case {
  return {
    aShape: [...batchA, ...(ta ? [k, m] : [m, k])],
    bShape: [...batchB, ...(tb ? [n, k] : [k, n])],
    ta,
    tb,
  };
}

/** Broadcast of two batch shapes (numpy rules), as the op documents. */
function broadcast(x: number[], y: number[]): number[] {
  const r = Math.max(x.length, y.length);
  return Array.from({ length: r }, (_, i) => {
    const a = x[i - (r - x.length)] ?? 1;
    const b = y[i - (r - y.length)] ?? 1;
    return a === 1 ? b : a;
  });
}

/**
 * Float64 reference: the product and, per element, `Σ_p |a_ip|·|b_pj|` — the scale of the
 * rounding error any summation order can make, used for the tolerance.
 */
function reference(c: Case, a: Float32Array, b: Float32Array): { shape: number[]; value: Float64Array; scale: Float64Array } {
  const ra = c.aShape.length;
  const rb = c.bShape.length;
  const [m, k] = c.ta ? [c.aShape[ra - 1], c.aShape[ra - 2]] : [c.aShape[ra - 2], c.aShape[ra - 1]];
  const n = c.tb ? c.bShape[rb - 2] : c.bShape[rb - 1];
  const batchA = c.aShape.slice(0, -2);
  const batchB = c.bShape.slice(0, -2);
  const batch = broadcast(batchA, batchB);
  const nb = sizeOf(batch);
  const value = new Float64Array(nb * m * n);
  const scale = new Float64Array(nb * m * n);
  // Offset of batch element `idx` in an operand with batch shape `bs` (size-1 dims broadcast).
  const offset = (idx: number[], bs: number[]): number => {
    let off = 0;
    const shift = idx.length - bs.length;
    bs.forEach((d, i) => { off = off * d + (d === 1 ? 0 : idx[i + shift]); });
    return off;
  };
  for (let t = 0; t < nb; t++) {
    const idx: number[] = [];
    let rest = t;
    for (let d = batch.length - 1; d >= 0; d--) {
      idx[d] = rest % batch[d];
      rest = Math.floor(rest / batch[d]);
    }
    const oa = offset(idx, batchA) * m * k;
    const ob = offset(idx, batchB) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let sc = 0;
        for (let p = 0; p < k; p++) {
          const av = a[oa + (c.ta ? p * m + i : i * k + p)];
          const bv = b[ob + (c.tb ? j * k + p : p * n + j)];
          s += av * bv;
          sc += Math.abs(av * bv);
        }
        value[(t * m + i) * n + j] = s;
        scale[(t * m + i) * n + j] = sc;
      }
    }
  }
  return { shape: [...batch, m, n], value, scale };
}

/** Asserts |got − want| ≤ rtol·√k·scale + tiny, element-wise; NaN must match NaN, ∞ must match. */
function expectWithin(got: ArrayLike<number>, want: ArrayLike<number>, scale: ArrayLike<number>, k: number, what: string, rtol = 1e-5): void {
  expect(got.length).toBe(want.length);
  const tol = rtol * Math.sqrt(Math.max(k, 1));
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    const ok = Number.isFinite(w) ? Math.abs(g - w) <= tol * scale[i] + 1e-30 : Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w));
    if (!ok) throw new Error(`${what}: element ${i}: got ${g}, want ${w} (tolerance ${tol * scale[i]})`);
  }
}

/** Runs one case through neurite and checks it against the float64 reference. */
function checkCase(c: Case, fill: (n: number) => Float32Array = uniform): void {
  const av = fill(sizeOf(c.aShape));
  const bv = fill(sizeOf(c.bShape));
  const ref = reference(c, av, bv);
  const k = c.ta ? c.aShape[c.aShape.length - 2] : c.aShape[c.aShape.length - 1];
  const what = `matMul a=[${c.aShape}]${c.ta ? 'ᵀ' : ''} b=[${c.bShape}]${c.tb ? 'ᵀ' : ''}`;
  expectNoLeak(() => {
    using a = nr.tensor(av, c.aShape);
    using b = nr.tensor(bv, c.bShape);
    using out = nr.matMul(a, b, c.ta, c.tb);
    expect(out.shape, what).toEqual(ref.shape);
    expectWithin(out.data(), ref.value, ref.scale, k, what);
  });
}

describe('matMul against a float64 reference', () => {
  it('edge sizes × all four transpose forms', () => {
    for (const m of EDGE) {
      for (const n of EDGE) {
        const k = pick([0, 1, 2, 3, 5, 8, 17, 65, 129]);
        const [ta, tb] = pick(TRANSPOSES);
        checkCase(makeCase(m, k, n, ta, tb));
      }
    }
  });

  it('random shapes, every transpose form', () => {
    for (let i = 0; i < 60; i++) {
      const [m, k, n] = [int(0, 70), int(0, 300), int(0, 70)];
      for (const [ta, tb] of TRANSPOSES) checkCase(makeCase(m, k, n, ta, tb));
    }
  });

  it('large shapes that cross every cache block (m > 128, k > 256, n > 1024)', () => {
    for (const [ta, tb] of TRANSPOSES) checkCase(makeCase(131, 521, 1030, ta, tb));
  });

  it('few rows (the batch-1 inference path) with long k and odd n', () => {
    for (const m of [1, 2, 3, 4, 5]) {
      for (const [ta, tb] of TRANSPOSES) checkCase(makeCase(m, pick([300, 784, 1000]), pick([10, 128, 131, 1030]), ta, tb));
    }
  });

  it('the paths that skip packing: few columns (A in place), up to 8 rows (B in place), narrow last panels', () => {
    // n ≤ 16 reads A in place (both layouts); m ≤ 8 with plain B reads B in place; a last
    // panel of ≤ 4 columns runs one vector wide. k crosses the 256-deep cache block.
    for (const m of [3, 5, 8, 9, 17]) {
      for (const n of [1, 4, 7, 10, 16, 17]) {
        const k = pick([255, 257, 784]);
        for (const [ta, tb] of TRANSPOSES) checkCase(makeCase(m, k, n, ta, tb));
      }
    }
  });

  it('batched, with broadcast batch dims', () => {
    const batches: [number[], number[]][] = [
      [[2], [2]],
      [[3], []],
      [[], [4]],
      [[2, 1], [3]],
      [[1, 3], [2, 1]],
      [[2, 1, 2], [1, 3, 1]],
      [[0], [1]],
    ];
    for (const [ba, bb] of batches) {
      const [ta, tb] = pick(TRANSPOSES);
      checkCase(makeCase(int(1, 20), int(1, 40), int(1, 20), ta, tb, ba, bb));
    }
  });

  it('is exact on small integers, whatever the summation order', () => {
    for (let i = 0; i < 20; i++) {
      const [ta, tb] = pick(TRANSPOSES);
      const c = makeCase(int(1, 140), int(1, 600), int(1, 140), ta, tb);
      const av = integers(sizeOf(c.aShape));
      const bv = integers(sizeOf(c.bShape));
      const want = reference(c, av, bv).value;
      expectNoLeak(() => {
        using out = nr.tidy(() => nr.matMul(nr.tensor(av, c.aShape), nr.tensor(bv, c.bShape), ta, tb));
        expect(Array.from(out.data())).toEqual(Array.from(want));
      });
    }
  });

  it('gives bit-identical results for the four transpose forms of the same product', () => {
    for (const [m, k, n] of [[1, 784, 128], [7, 33, 9], [130, 300, 70]]) {
      const av = uniform(m * k);
      const bv = uniform(k * n);
      const results = expectNoLeak(() =>
        nr.tidy(() => {
          const a = nr.tensor(av, [m, k]);
          const b = nr.tensor(bv, [k, n]);
          const at = nr.transpose(a);
          const bt = nr.transpose(b);
          return [nr.matMul(a, b), nr.matMul(at, b, true), nr.matMul(a, bt, false, true), nr.matMul(at, bt, true, true)].map((t) => t.data());
        }),
      );
      for (const r of results.slice(1)) expect(Array.from(r)).toEqual(Array.from(results[0]));
    }
  });

  it('propagates NaN and ∞ as IEEE arithmetic does (∞·0 = NaN)', () => {
    const av = uniform(5 * 9);
    const bv = uniform(9 * 11);
    av[2 * 9 + 3] = NaN;
    av[4 * 9 + 1] = Infinity;
    bv[1 * 11 + 5] = 0;
    bv[1 * 11 + 6] = -2;
    for (const [ta, tb] of TRANSPOSES) {
      const c = makeCase(5, 9, 11, false, false);
      // Store the same logical matrices in the transposed layout when asked.
      const a = ta ? transposed(av, 5, 9) : av;
      const b = tb ? transposed(bv, 9, 11) : bv;
      const ref = reference(c, av, bv);
      expectNoLeak(() => {
        using out = nr.tidy(() => nr.matMul(nr.tensor(a, ta ? [9, 5] : [5, 9]), nr.tensor(b, tb ? [11, 9] : [9, 11]), ta, tb));
        const got = out.data();
        expect(Number.isNaN(got[2 * 11 + 0])).toBe(true);
        expect(Number.isNaN(got[4 * 11 + 5])).toBe(true);
        expect(got[4 * 11 + 6]).toBe(-Infinity);
        expectWithin(got, ref.value, ref.scale, 9, `NaN/∞ ta=${ta} tb=${tb}`);
      });
    }
  });
});

/** Row-major transpose of an `r × c` matrix. */
function transposed(x: Float32Array, r: number, c: number): Float32Array {
  const y = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) y[j * r + i] = x[i * c + j];
  return y;
}

describe('matMul against TF.js (cpu backend)', () => {
  it('agrees on random shapes, transposes and broadcast batches', () => {
    for (let i = 0; i < 40; i++) {
      const [ta, tb] = pick(TRANSPOSES);
      // Rank-1 batches only: TF.js 4.22 cpu gets multi-dim broadcasts wrong ([2,1,3,4]·[3,4,5]
      // returns 45 values for shape [2,3,3,5]); the float64 reference covers those above.
      const batch = pick<[number[], number[]]>([[[], []], [[2], [2]], [[3], []], [[], [2]], [[1], [3]]]);
      const c = makeCase(int(1, 90), int(1, 300), int(1, 90), ta, tb, ...batch);
      const av = uniform(sizeOf(c.aShape));
      const bv = uniform(sizeOf(c.bShape));
      const k = c.ta ? c.aShape[c.aShape.length - 2] : c.aShape[c.aShape.length - 1];
      const want = tf.tidy(() => tf.matMul(tf.tensor(av, c.aShape), tf.tensor(bv, c.bShape), ta, tb));
      const { scale } = reference(c, av, bv);
      expectNoLeak(() => {
        using out = nr.tidy(() => nr.tensor(av, c.aShape).matMul(nr.tensor(bv, c.bShape), ta, tb));
        expect(out.shape).toEqual(want.shape);
        expectWithin(out.data(), want.dataSync(), scale, k, `vs TF.js a=[${c.aShape}] b=[${c.bShape}] ta=${ta} tb=${tb}`, 2e-5);
      });
      want.dispose();
    }
  });
});

describe('dot and outerProduct', () => {
  it('dot matches TF.js for vector·vector, vector·matrix, matrix·vector and matrix·matrix', () => {
    const shapes: [number[], number[]][] = [[[7], [7]], [[5], [5, 3]], [[4, 5], [5]], [[4, 5], [5, 6]], [[1], [1, 9]], [[0], [0]]];
    for (const [sa, sb] of shapes) {
      const av = uniform(sizeOf(sa));
      const bv = uniform(sizeOf(sb));
      const want = tf.tidy(() => tf.dot(tf.tensor(av, sa), tf.tensor(bv, sb)));
      expectNoLeak(() => {
        using out = nr.tidy(() => nr.dot(nr.tensor(av, sa), nr.tensor(bv, sb)));
        expect(out.shape).toEqual(want.shape);
        const scale = Array.from(want.dataSync(), () => sa[sa.length - 1] || 1);
        expectWithin(out.data(), want.dataSync(), scale, sa[sa.length - 1], `dot [${sa}]·[${sb}]`);
      });
      want.dispose();
    }
  });

  it('outerProduct too large for one tensor is named as outerProduct (it said matMul)', () => {
    using a = nr.zeros([100000]);
    expect(() => nr.outerProduct(a, a)).toThrow(/^outerProduct: out of memory/);
  });

  it('outerProduct matches TF.js and is exact', () => {
    for (const [m, n] of [[3, 4], [1, 1], [17, 9], [0, 5]]) {
      const av = uniform(m);
      const bv = uniform(n);
      const want = tf.tidy(() => tf.outerProduct(tf.tensor1d(av), tf.tensor1d(bv)));
      expectNoLeak(() => {
        using out = nr.tidy(() => nr.outerProduct(nr.tensor(av), nr.tensor(bv)));
        expect(out.shape).toEqual([m, n]);
        expect(Array.from(out.data())).toEqual(Array.from(want.dataSync()));
      });
      want.dispose();
    }
  });
});

describe('errors', () => {
  const cases: [string, () => unknown, RegExp | string, new (...a: never[]) => Error][] = [
    ['inner dims', () => nr.matMul(nr.zeros([2, 3]), nr.zeros([4, 5])), 'matMul: inner dimensions differ: a is [2,3], b is [4,5]', nr.ShapeError],
    ['inner dims, transposed', () => nr.matMul(nr.zeros([2, 3]), nr.zeros([2, 3]), true, true), 'matMul: inner dimensions differ: a is [2,3] (transposed), b is [2,3] (transposed)', nr.ShapeError],
    ['rank 1', () => nr.matMul(nr.zeros([3]), nr.zeros([3, 2])), 'matMul: both operands need rank >= 2: a is [3], b is [3,2]', nr.InvalidArgumentError],
    ['scalar', () => nr.matMul(nr.zeros([2, 2]), nr.scalar(1)), 'matMul: both operands need rank >= 2: a is [2,2], b is []', nr.InvalidArgumentError],
    ['batch broadcast', () => nr.matMul(nr.zeros([2, 2, 3]), nr.zeros([3, 3, 2])), 'matMul: batch dimensions cannot be broadcast: a is [2,2,3], b is [3,3,2]', nr.ShapeError],
    // Arrays are TF.js's TensorLike (temporary tensors, checked as such); other values are not.
    ['array a, rank 1', () => nr.matMul([1], nr.zeros([1, 1])), 'matMul: both operands need rank >= 2: a is [1], b is [1,1]', nr.InvalidArgumentError],
    ['non-tensor a', () => nr.matMul('a' as unknown as nr.Tensor, nr.zeros([1, 1])), 'matMul: a must be a Tensor, a number or an array of numbers, got the string "a"', nr.InvalidArgumentError],
    ['non-tensor b', () => nr.matMul(nr.zeros([1, 1]), null as unknown as nr.Tensor), 'matMul: b must be a Tensor, a number or an array of numbers, got null', nr.InvalidArgumentError],
    ['dot rank 3', () => nr.dot(nr.zeros([1, 2, 3]), nr.zeros([3])), 'dot: needs vectors or matrices: a is [1,2,3], b is [3]', nr.InvalidArgumentError],
    ['dot inner dims', () => nr.dot(nr.zeros([2, 3]), nr.zeros([4])), 'dot: inner dimensions differ: a is [2,3], b is [4]', nr.ShapeError],
    ['dot scalar', () => nr.dot(nr.zeros([2]), 3), 'dot: needs vectors or matrices: a is [2], b is []', nr.InvalidArgumentError],
    ['dot non-tensor', () => nr.dot(nr.zeros([2]), {} as unknown as nr.Tensor), 'dot: b must be a Tensor, a number or an array of numbers, got an object (Object)', nr.InvalidArgumentError],
    ['outerProduct matrix', () => nr.outerProduct(nr.zeros([2, 2]), nr.zeros([2])), 'outerProduct: needs two vectors: a is [2,2], b is [2]', nr.InvalidArgumentError],
  ];
  for (const [name, fn, message, type] of cases) {
    it(`${name}: ${message}`, () => {
      expectNoLeak(() => nr.tidy(() => {
        let err: unknown;
        try { fn(); } catch (e) { err = e; }
        expect(err).toBeInstanceOf(type);
        expect((err as Error).message).toBe(message);
      }));
    });
  }

  it('disposed operands are rejected before the call', () => {
    const a = nr.zeros([2, 2]);
    a.dispose();
    expectNoLeak(() => nr.tidy(() => {
      expect(() => nr.matMul(a, nr.zeros([2, 2]))).toThrow(nr.DisposedError);
      expect(() => nr.dot(nr.zeros([2]), a)).toThrow(/dot: b is a disposed tensor/);
    }));
  });
});
