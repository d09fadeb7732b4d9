// Broadcasts against short rows and leading-axis reductions of short rows, on the wasm build:
// `[n,k] ⊕ [n,1]`, `[n,1] ⊕ [n,k]`, `[n,k] ⊕ [k]`, `[n,1] ⊕ [1,k]` (kernels/broadcast_rows.rs,
// walked in periods of lcm(4, k) values) bit for bit against a float32 reference element by
// element; `sum/mean/max/min/variance(x, 0)` of `[r, k]` with k < 16 (kernels/reduce_columns.rs,
// four leaves of the pairwise tree side by side) bit for bit against a reference written to the
// documented order (ops/reduce.rs: leaves of ≤ 32 rows added in order, joined by halves);
// values against TF.js; gradients of the broadcast ops against TF.js.
import { expectClose, expectNoLeak } from './setup.js';
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { bits, rng, tf, uniform } from './oracle.js';

const f = Math.fround;
const max32 = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a === b ? (Object.is(a, -0) ? b : a) : Math.max(a, b));
const min32 = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a === b ? (Object.is(a, 0) ? b : a) : Math.min(a, b));
const b01 = (c: boolean) => (c ? 1 : 0);

/** Each op on two float32 values, rounded once (exact for + − × ÷ of float32 through float64). */
const OPS: Record<string, { nr: (a: nr.Tensor, b: nr.Tensor) => nr.Tensor; tf: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor; ref: (a: number, b: number) => number }> = {
  add: { nr: nr.add, tf: tf.add, ref: (a, b) => f(a + b) },
  sub: { nr: nr.sub, tf: tf.sub, ref: (a, b) => f(a - b) },
  mul: { nr: nr.mul, tf: tf.mul, ref: (a, b) => f(a * b) },
  div: { nr: nr.div, tf: tf.div, ref: (a, b) => f(a / b) },
  maximum: { nr: nr.maximum, tf: tf.maximum, ref: max32 },
  minimum: { nr: nr.minimum, tf: tf.minimum, ref: min32 },
  equal: { nr: nr.equal, tf: tf.equal, ref: (a, b) => b01(a === b) },
  notEqual: { nr: nr.notEqual, tf: tf.notEqual, ref: (a, b) => b01(a !== b) },
  greater: { nr: nr.greater, tf: tf.greater, ref: (a, b) => b01(a > b) },
  greaterEqual: { nr: nr.greaterEqual, tf: tf.greaterEqual, ref: (a, b) => b01(a >= b) },
  less: { nr: nr.less, tf: tf.less, ref: (a, b) => b01(a < b) },
  lessEqual: { nr: nr.lessEqual, tf: tf.lessEqual, ref: (a, b) => b01(a <= b) },
};
/** Not on SIMD lanes (libm's powf): the walk's other path, checked against the same-shape op. */
const POW = { nr: nr.pow, tf: tf.pow };

/** Values in [-4, 4) with NaN, ±0, ±Infinity, huge, tiny and subnormal ones and ties sprinkled in. */
function values(n: number, seed: number, special: boolean): Float32Array {
  const v = uniform(rng(seed), n, -4, 4, 0.25);
  const odd = [NaN, 0, -0, Infinity, -Infinity, 3e38, -3e38, 1e-40, -1e-45, 2, 2, 1e30];
  if (special) for (let i = seed % 5; i < n; i += 7) v[i] = odd[(i + seed) % odd.length];
  return v;
}

/** The layouts of a 2-D broadcast `[n, k]`: each input's shape and its value at (i, j). */
const LAYOUTS: Array<{ name: string; a: (n: number, k: number) => number[]; b: (n: number, k: number) => number[] }> = [
  { name: '[n,k] ⊕ [n,1]', a: (n, k) => [n, k], b: (n) => [n, 1] },
  { name: '[n,1] ⊕ [n,k]', a: (n) => [n, 1], b: (n, k) => [n, k] },
  { name: '[n,k] ⊕ [k]', a: (n, k) => [n, k], b: (_, k) => [k] },
  { name: '[1,k] ⊕ [n,k]', a: (_, k) => [1, k], b: (n, k) => [n, k] },
  { name: '[n,1] ⊕ [1,k]', a: (n) => [n, 1], b: (_, k) => [1, k] },
  { name: '[k] ⊕ [n,1]', a: (_, k) => [k], b: (n) => [n, 1] },
];

/** Element (i, j) of an input of `shape` broadcast to [n, k]. */
const at = (v: Float32Array, shape: number[], i: number, j: number) => {
  const [rows, cols] = shape.length === 1 ? [1, shape[0]] : shape;
  return v[(rows === 1 ? 0 : i) * cols + (cols === 1 ? 0 : j)];
};

describe('broadcasts against short rows (one value per row, one row for all rows)', () => {
  it('every op and layout at k = 1…17, 31, 63, 64, 65 and n = 0, 1, 3, primes: the float32 reference bit for bit, with NaN, ±0, ±∞, huge and subnormal values', () => {
    expectNoLeak(() => {
      for (const k of [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 15, 16, 17, 31, 63, 64, 65]) {
        for (const n of [0, 1, 2, 3, 5, 13, 131]) {
          for (const lay of LAYOUTS) {
            const [sa, sb] = [lay.a(n, k), lay.b(n, k)];
            for (const special of [false, true]) {
              const va = values(sa.reduce((p, d) => p * d, 1), n * 31 + k, special);
              const vb = values(sb.reduce((p, d) => p * d, 1), n * 17 + k + 1, special);
              nr.tidy(() => {
                const [a, b] = [nr.tensor(va, sa), nr.tensor(vb, sb)];
                for (const [name, op] of Object.entries(OPS)) {
                  const y = op.nr(a, b);
                  expect(y.shape).toEqual([n, k]);
                  const got = bits(y.data());
                  const want = bits(Array.from({ length: n * k }, (_, e) => op.ref(at(va, sa, Math.floor(e / k), e % k), at(vb, sb, Math.floor(e / k), e % k))));
                  for (let e = 0; e < n * k; e++) {
                    if (got[e] !== want[e]) expect(`${name} ${lay.name} n=${n} k=${k} special=${special} at ${e}: ${y.data()[e]}`).toBe(`want ${want[e].toString(16)}`);
                  }
                }
                const [fa, fb] = [nr.broadcastTo(a, [n, k]), nr.broadcastTo(b, [n, k])];
                expect(bits(POW.nr(a, b).data())).toEqual(bits(POW.nr(fa, fb).data()));
              });
            }
          }
        }
      }
    });
  });

  it('large inputs split over chunks of rows (2^18 values at k = 3, 5, 8) and squaredDifference against a per-row mean: the reference bit for bit; TF.js within 1e-6', () => {
    expectNoLeak(() => {
      for (const k of [3, 5, 8]) {
        const n = Math.floor(2 ** 18 / k) + 1;
        const v = values(n * k, k, false);
        const c = values(n, k + 100, false);
        nr.tidy(() => {
          const x = nr.tensor(v, [n, k]);
          const col = nr.tensor(c, [n, 1]);
          const got = bits(nr.sub(x, col).data());
          const want = bits(Array.from({ length: n * k }, (_, e) => f(v[e] - c[Math.floor(e / k)])));
          expect(got).toEqual(want);
          const sq = nr.squaredDifference(x, nr.mean(x, -1, true));
          const t = tf.tidy(() => {
            const tx = tf.tensor(v, [n, k]);
            return tf.squaredDifference(tx, tf.mean(tx, -1, true)).dataSync();
          });
          expectClose(sq.data(), t, 1e-6);
        });
      }
    });
  });

  it('values agree with TF.js for every op and layout (NaN where TF.js has NaN)', () => {
    expectNoLeak(() => {
      for (const k of [2, 3, 4, 7, 16]) {
        const n = 37;
        for (const lay of LAYOUTS) {
          const [sa, sb] = [lay.a(n, k), lay.b(n, k)];
          const va = values(sa.reduce((p, d) => p * d, 1), k, false);
          const vb = values(sb.reduce((p, d) => p * d, 1), k + 9, false);
          for (const [name, op] of [...Object.entries(OPS), ['pow', POW] as const]) {
            const got = nr.tidy(() => op.nr(nr.tensor(va, sa), nr.tensor(vb, sb)).data());
            const want = tf.tidy(() => op.tf(tf.tensor(va, sa), tf.tensor(vb, sb)).dataSync());
            expectClose(got, Float32Array.from(want), name === 'pow' ? 1e-5 : 0, 0);
          }
        }
      }
    });
  });

  it('gradients of add, sub, mul, div, maximum, minimum and squaredDifference through [n,k] ⊕ [n,1] and [n,k] ⊕ [k] agree with TF.js', () => {
    // TF.js's maximum and minimum gradients fail on a broadcast input ("the gradient of input 'b'
    // has shape '61,2'"), so TF.js broadcasts b first (broadcastTo's gradient sums it back).
    expectNoLeak(() => {
      const cases: Array<[string, (a: nr.Tensor, b: nr.Tensor) => nr.Tensor, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
        ['add', nr.add, tf.add],
        ['sub', nr.sub, tf.sub],
        ['mul', nr.mul, tf.mul],
        ['div', nr.div, tf.div],
        ['maximum', nr.maximum, tf.maximum],
        ['minimum', nr.minimum, tf.minimum],
        ['squaredDifference', nr.squaredDifference, tf.squaredDifference],
      ];
      for (const k of [2, 3, 5, 16]) {
        for (const [n, sb] of [[61, [61, 1]], [61, [k]], [1, [1, 1]], [130, [1, k]]] as Array<[number, number[]]>) {
          const va = uniform(rng(n + k), n * k, 0.5, 3);
          const vb = uniform(rng(n - k), sb.reduce((p, d) => p * d, 1), 0.5, 3);
          const w = uniform(rng(7 * k), n * k, -1, 1);
          for (const [name, fn, tfn] of cases) {
            const got = nr.tidy(() => nr.grads((a, b) => fn(a, b).mul(nr.tensor(w, [n, k])).sum())([nr.tensor(va, [n, k]), nr.tensor(vb, sb)]).map((g) => g.data()));
            const want = tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tfn(a, tf.broadcastTo(b, [n, k])), tf.tensor(w, [n, k]))))([tf.tensor(va, [n, k]), tf.tensor(vb, sb)]).map((g) => g.dataSync()));
            for (const i of [0, 1]) {
              try {
                expectClose(got[i], want[i], 2e-5);
              } catch (e) {
                throw new Error(`${name} d${'ab'[i]} [${n},${k}] ⊕ [${sb}]: ${(e as Error).message}`);
              }
            }
          }
        }
      }
    });
  });
});

describe('leading-axis reductions of short rows (x: [r, k], k < 16, over axis 0)', () => {
  const LEAF = 32;
  /** Column j's sum in ops/reduce.rs's order: leaves of ≤ 32 rows (from the first row's g, or from 0), joined by halves. */
  const tree = (v: ArrayLike<number>, r: number, k: number, j: number, g: (x: number) => number, fromFirst: boolean) => {
    const leaf = (a: number, len: number) => {
      let s = fromFirst ? g(v[a * k + j]) : 0;
      for (let t = fromFirst ? 1 : 0; t < len; t++) s = f(s + g(v[(a + t) * k + j]));
      return s;
    };
    const node = (a: number, len: number): number => (len <= LEAF ? leaf(a, len) : f(node(a, len >> 1) + node(a + (len >> 1), len - (len >> 1))));
    // r = 1: a size-1 axis, so each value is a row of its own, summed from 0 (−0 becomes +0).
    return r === 1 ? f(0 + g(v[j])) : node(0, r);
  };
  /** A sum, mean or variance that came out ±Infinity or NaN although every value is finite is redone in float64. */
  const wide = (got: number, col: number[], kind: 'sum' | 'mean' | 'variance') => {
    if (Number.isFinite(got) || !col.every(Number.isFinite)) return got;
    const s = col.reduce((a, x) => a + x, 0);
    const m = s / col.length;
    return f(kind === 'sum' ? s : kind === 'mean' ? m : col.reduce((a, x) => a + (x - m) ** 2, 0) / col.length);
  };
  const REFS: Record<string, (v: ArrayLike<number>, r: number, k: number, j: number) => number> = {
    sum: (v, r, k, j) => tree(v, r, k, j, (x) => x, true),
    mean: (v, r, k, j) => f(tree(v, r, k, j, (x) => x, true) / r),
    variance: (v, r, k, j) => {
      const m = f(tree(v, r, k, j, (x) => x, true) / r);
      const s1 = tree(v, r, k, j, (x) => f(x - m), false);
      const s2 = tree(v, r, k, j, (x) => f(f(x - m) * f(x - m)), false);
      const out = f(f(s2 - f(s1 * f(s1 / r))) / r);
      return out < 0 ? 0 : out;
    },
    max: (v, r, k, j) => Array.from({ length: r }, (_, t) => v[t * k + j]).reduce(max32, -Infinity),
    min: (v, r, k, j) => Array.from({ length: r }, (_, t) => v[t * k + j]).reduce(min32, Infinity),
  };
  const run: Record<string, (x: nr.Tensor) => nr.Tensor> = {
    sum: (x) => nr.sum(x, 0),
    mean: (x) => nr.mean(x, 0),
    variance: (x) => nr.variance(x, 0),
    max: (x) => nr.max(x, 0),
    min: (x) => nr.min(x, 0),
  };

  it('sum, mean, variance, max and min at k = 2…15 (and 16, 17 on the row-by-row path) and r = 1 … 4099 around the leaves (32, 64, 65, 66, 128, 129): the documented order bit for bit, with NaN, ±0, ±∞, huge and subnormal values', () => {
    expectNoLeak(() => {
      // (k = 1 is a row: the row kernels' order, tested in reduce.test.ts.)
      for (const k of [2, 3, 4, 5, 7, 8, 11, 15, 16, 17]) {
        for (const r of [1, 2, 3, 31, 32, 33, 63, 64, 65, 66, 97, 128, 129, 130, 257, 1031, 4099]) {
          for (const special of [false, true]) {
            const v = values(r * k, r + k, special);
            nr.tidy(() => {
              const x = nr.tensor(v, [r, k]);
              for (const [op, ref] of Object.entries(REFS)) {
                const got = run[op](x).data();
                const want = Array.from({ length: k }, (_, j) => {
                  const w = ref(v, r, k, j);
                  return op === 'max' || op === 'min' ? w : wide(w, Array.from({ length: r }, (_, t) => v[t * k + j]), op as 'sum');
                });
                const [b, w] = [bits(got), bits(want)];
                for (let j = 0; j < k; j++) if (b[j] !== w[j]) expect(`${op} r=${r} k=${k} special=${special} column ${j}: ${got[j]}`).toBe(`${want[j]}`);
              }
            });
          }
        }
      }
    });
  });

  it('a leading axis before the reduced one ([3, r, k] over axis 1) and moments over axis 0 agree with the same reference; values agree with TF.js', () => {
    expectNoLeak(() => {
      for (const k of [2, 5, 12]) {
        const r = 1000;
        const v = values(3 * r * k, k, false);
        nr.tidy(() => {
          const x = nr.tensor(v, [3, r, k]);
          const got = nr.sum(x, 1).data();
          for (let o = 0; o < 3; o++) {
            const part = v.subarray(o * r * k, (o + 1) * r * k);
            for (let j = 0; j < k; j++) expect(bits([got[o * k + j]])).toEqual(bits([REFS.sum(part, r, k, j)]));
          }
          const m = nr.moments(nr.tensor(v.subarray(0, r * k), [r, k]), 0);
          expect(bits(m.variance.data())).toEqual(bits(Array.from({ length: k }, (_, j) => REFS.variance(v, r, k, j))));
          for (const [op, t] of [['sum', tf.sum], ['mean', tf.mean], ['max', tf.max], ['min', tf.min]] as const) {
            const want = tf.tidy(() => t(tf.tensor(v, [3, r, k]), 1).dataSync());
            expectClose(run[op](nr.transpose(x, [1, 0, 2]).reshape([r, 3 * k])).data(), want, 1e-5);
          }
          const tv = tf.tidy(() => tf.moments(tf.tensor(v.subarray(0, r * k), [r, k]), 0).variance.dataSync());
          expectClose(m.variance.data(), tv, 1e-5);
        });
      }
    });
  });
});
