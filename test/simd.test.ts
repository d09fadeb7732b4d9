// The simd128 kernels (crates/core/src/kernels/simd128_*.rs) only run in the wasm build, so
// native `cargo test` cannot reach them. This suite checks them bit for bit against plain-JS
// references: every run form (full, scalar-broadcast), the lengths 0, 1, 3, 4, 5, 15, 16,
// 17, 1023 (empty, tail only, one vector, vector + tail, many vectors), broadcast patterns
// that take the per-run and the blocked short-run paths, special values in every lane, and
// the documented summation order of the reductions.
import { expectNoLeak } from './setup.js';
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { asDenseActivation, bits, expectSameBitsForThreads, rng, sizeOf, type Input, viaNr } from './oracle.js';
import { expm1NegRef, expRef, fromBits, lnRef, toBits } from './kernel-refs.js';

const LENGTHS = [0, 1, 3, 4, 5, 15, 16, 17, 1023];
const f = Math.fround;
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -3e38];
const rand = rng(7);

/** Random values in [-4, 4) with a special value in every 7th slot (so it visits every lane). */
function values(n: number, positive = false): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = i % 7 === 3 ? SPECIAL[(i / 7) % SPECIAL.length | 0] : (rand() - (positive ? 0 : 0.5)) * 8;
  return v;
}
const inp = (shape: number[], positive = false): Input => ({ shape, values: values(sizeOf(shape), positive) });

/** Rounds half to even like wasm `f32.nearest` (keeps the sign of zero). */
function nearest(a: number): number {
  if (!Number.isFinite(a)) return a;
  const fl = Math.floor(a);
  const d = a - fl;
  const r = d < 0.5 ? fl : d > 0.5 ? fl + 1 : fl % 2 === 0 ? fl : fl + 1;
  return r === 0 && (a < 0 || Object.is(a, -0)) ? -0 : r;
}

const BINARY: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => f(a + b),
  sub: (a, b) => f(a - b),
  mul: (a, b) => f(a * b),
  div: (a, b) => f(a / b),
  maximum: Math.max,
  minimum: Math.min,
  equal: (a, b) => +(a === b),
  notEqual: (a, b) => +(a !== b),
  greater: (a, b) => +(a > b),
  greaterEqual: (a, b) => +(a >= b),
  less: (a, b) => +(a < b),
  lessEqual: (a, b) => +(a <= b),
};

const UNARY: Record<string, (a: number) => number> = {
  neg: (a) => -a,
  abs: Math.abs,
  square: (a) => f(a * a),
  sqrt: (a) => f(Math.sqrt(a)),
  floor: Math.floor,
  ceil: Math.ceil,
  round: nearest,
  reciprocal: (a) => f(1 / a),
};

type Fn = (...xs: Array<nr.Tensor | number>) => nr.Tensor;
const op = (name: string): Fn => (nr as unknown as Record<string, Fn>)[name];

/** The reference for `ref(a, b)` broadcast to `shape` (NumPy rules), row-major. */
function broadcastRef(a: Input, b: Input, shape: number[], ref: (x: number, y: number) => number): number[] {
  const at = (t: Input, idx: number[]): number => {
    let off = 0;
    for (let d = 0; d < t.shape.length; d++) {
      const i = idx[idx.length - t.shape.length + d];
      off = off * t.shape[d] + (t.shape[d] === 1 ? 0 : i);
    }
    return t.values[off];
  };
  const out: number[] = [];
  const idx = shape.map(() => 0);
  for (let k = 0; k < sizeOf(shape); k++) {
    out.push(ref(at(a, idx), at(b, idx)));
    for (let d = shape.length - 1; d >= 0 && ++idx[d] === shape[d]; d--) idx[d] = 0;
  }
  return out;
}

describe('simd128 binary kernels, bit for bit', () => {
  for (const [name, ref] of Object.entries(BINARY)) {
    it(`${name}: full, scalar-left and scalar-right runs on every length`, () => {
      expectNoLeak(() => {
        for (const n of LENGTHS) {
          const [a, b, s] = [inp([n]), inp([n]), inp([])];
          const cases: Array<[Input, Input]> = [[a, b], [a, s], [s, b], [a, a]];
          for (const [x, y] of cases) {
            const shape = x.shape.length ? x.shape : y.shape;
            expect(bits(viaNr(op(name), [x, y]).values), `${name} n=${n}`).toEqual(bits(broadcastRef(x, y, shape, ref)));
          }
        }
      });
    });
    it(`${name}: row, column and outer broadcasts (per-run and blocked paths)`, () => {
      expectNoLeak(() => {
        const pairs: Array<[number[], number[]]> = [];
        for (const k of LENGTHS.filter((k) => k > 0)) {
          for (const m of [1, 3, 7]) pairs.push([[m, k], [k]], [[k], [m, k]], [[m, k], [m, 1]], [[m, 1], [1, k]]);
        }
        pairs.push([[700, 3], [3]], [[700, 3], [700, 1]], [[700, 1], [1, 5]], [[1100, 1], [1100, 1]], [[2, 3, 5], [3, 1]]);
        for (const [sa, sb] of pairs) {
          const [a, b] = [inp(sa), inp(sb)];
          const got = viaNr(op(name), [a, b]);
          const shape = got.shape;
          expect(bits(got.values), `${name} [${sa}] ⊕ [${sb}]`).toEqual(bits(broadcastRef(a, b, shape, ref)));
        }
      });
    });
  }
});

describe('simd128 unary kernels, bit for bit', () => {
  for (const [name, ref] of Object.entries(UNARY)) {
    it(`${name} on every length`, () => {
      expectNoLeak(() => {
        for (const n of LENGTHS) {
          const x = inp([n]);
          x.values[Math.min(2, n - 1)] = n > 0 ? -0.5 : 0; // a tie for round, a negative for sqrt
          const got = viaNr(op(name), [x]).values;
          expect(bits(got), `${name} n=${n}`).toEqual(bits(Array.from(x.values, ref)));
        }
      });
    });
  }

  it('exp and log: the polynomial kernels, within 2 ulp of float64, the same bits alone as in a vector', () => {
    /** |a − b| in units in the last place of the float32 `b`. */
    const ulps = (a: number, b: number) => {
      const e = b === 0 ? -149 : Math.max(-149, Math.floor(Math.log2(Math.abs(b))) - 23);
      return Math.abs(a - b) / 2 ** e;
    };
    const specials = [0, -0, 1, -1, 0.5, 2, 10, -10, 88.7, 88.8, 89, 100, -87, -88, -103, -103.9, -104, -200, 1e-40, 1e-30, 1e30, 3.4e38, Infinity, -Infinity, NaN];
    const cases: Array<[string, (x: number) => number]> = [['exp', Math.exp], ['log', Math.log]];
    for (const [name, ref] of cases) {
      for (const n of [...LENGTHS, specials.length]) {
        const v = n === specials.length ? Float32Array.from(specials) : Float32Array.from({ length: n }, () => f((rand() - 0.3) * 60));
        if (name === 'log') for (let i = 0; i < v.length; i++) if (i % 3 === 1) v[i] = f(Math.abs(v[i]) * 1e-3);
        const got = viaNr(op(name), [{ shape: [n], values: v }]).values;
        for (let i = 0; i < n; i++) {
          const want = f(ref(v[i]));
          if (!Number.isFinite(want) || want === 0) expect(Object.is(got[i], want) || (Number.isNaN(want) && Number.isNaN(got[i])), `${name}(${v[i]}) = ${got[i]}, want ${want}`).toBe(true);
          else expect(ulps(got[i], want), `${name}(${v[i]}) = ${got[i]}, want ${want}`).toBeLessThanOrEqual(2);
          // One value alone (the scalar tail) gives the bits it got as a vector lane.
          expect(bits(viaNr(op(name), [{ shape: [1], values: Float32Array.of(v[i]) }]).values)).toEqual(bits([got[i]]));
        }
      }
    }
  });

  it('clipByValue and where on every length and run form', () => {
    expectNoLeak(() => {
      for (const n of LENGTHS) {
        const x = inp([n]);
        const clipRef = (v: number) => { const t = v < -1.5 ? -1.5 : v; return 2 < t ? 2 : t; };
        expect(bits(viaNr((t) => (t as nr.Tensor).clipByValue(-1.5, 2), [x]).values)).toEqual(bits(Array.from(x.values, clipRef)));
        const c: Input = { shape: [n], values: Float32Array.from(x.values, (v, i) => (i % 3 === 0 ? 0 : v)) };
        const [a, b] = [inp([n]), inp([n])];
        const pick = (i: number, av: number, bv: number) => (c.values[i] !== 0 ? av : bv);
        const w = (ins: Array<Input | number>) => viaNr(op('where'), ins).values;
        expect(bits(w([c, a, b]))).toEqual(bits(Array.from(a.values, (_, i) => pick(i, a.values[i], b.values[i]))));
        expect(bits(w([c, a, 9]))).toEqual(bits(Array.from(a.values, (_, i) => pick(i, a.values[i], 9))));
        expect(bits(w([c, -9, b]))).toEqual(bits(Array.from(b.values, (_, i) => pick(i, -9, b.values[i]))));
        expect(bits(w([c, -9, 9]))).toEqual(bits(Array.from(b.values, (_, i) => pick(i, -9, 9))));
      }
    });
  });
});

function sigmoidRef(x: number): number {
  const e = expRef(-Math.abs(x));
  const d = f(1 + e);
  return x >= 0 ? f(1 / d) : f(e / d);
}

/** tanh: `−t / (2 + t)` with `t = e^(−2|x|) − 1`, the sign of x put back (transcendental.rs). */
function tanhRef(x: number): number {
  const t = expm1NegRef(f(-2 * Math.abs(x)));
  const y = f(-t / f(2 + t));
  return fromBits(toBits(y) | (toBits(x) & 0x80000000));
}

/** elu (`pos` 1, `neg` α) and selu (`pos` λ, `neg` λα): `pos·x` for x > 0, else `neg·(e^x − 1)`. */
const eluRef = (pos: number, neg: number) => (x: number) => (x > 0 ? f(pos * x) : f(neg * expm1NegRef(x)));

describe('simd128 exp / ln kernels (kernels/transcendental.rs), bit for bit', () => {
  /** Values over the whole range: [-4, 4) with specials, and ±e^[-150, 150) around the saturation points. */
  const wide = (n: number): Input => {
    const x = inp([n]);
    for (let i = 0; i < n; i += 2) x.values[i] = (i % 4 === 0 ? 1 : -1) * Math.exp((rand() - 0.5) * 10) * (i % 8 < 4 ? 20 : 1);
    return x;
  };

  it('sigmoid on every length, with saturation and subnormal outputs', () => {
    expectNoLeak(() => {
      for (const n of [...LENGTHS, 4099]) {
        for (const x of [inp([n]), wide(n)]) {
          const got = viaNr(op('sigmoid'), [x]).values;
          expect(bits(got), `sigmoid n=${n}`).toEqual(bits(Array.from(x.values, sigmoidRef)));
        }
      }
      const edge: Input = { shape: [12], values: Float32Array.from([-104, -103.9, -100, -87.3, -17, -16.6, 16.6, 17, 88.8, 89, -Infinity, Infinity]) };
      const got = viaNr(op('sigmoid'), [edge]).values;
      expect(bits(got)).toEqual(bits(Array.from(edge.values, sigmoidRef)));
      expect([got[0], got[11]]).toEqual([0, 1]);
      expect(got[2]).toBeGreaterThan(0);
    });
  });

  it('softmax rows of every length: max, exponentials summed in reduce::sum\'s 16-lane order as they are stored, then scaled', () => {
    /** `reduce::sum`'s order: 16 lanes, partials per group of 32 blocks, lanes folded, tail in order. */
    const sum16 = (v: ArrayLike<number>): number => {
      const whole = v.length - (v.length % 16);
      const acc = new Array(16).fill(0);
      for (let g = 0; g < whole; g += 16 * 32) {
        const part = new Array(16).fill(0);
        for (let i = g; i < Math.min(whole, g + 16 * 32); i++) part[i % 16] = f(part[i % 16] + v[i]);
        for (let k = 0; k < 16; k++) acc[k] = f(acc[k] + part[k]);
      }
      const l = [0, 1, 2, 3].map((i) => f(f(acc[i] + acc[4 + i]) + f(acc[8 + i] + acc[12 + i])));
      let s = f(f(l[0] + l[1]) + f(l[2] + l[3]));
      for (let i = whole; i < v.length; i++) s = f(s + v[i]);
      return s;
    };
    const softmaxRef = (row: Float32Array): number[] => {
      const m = row.reduce((a, b) => Math.max(a, b), -Infinity);
      const e = Array.from(row, (v) => expRef(f(v - m)));
      const inv = f(1 / sum16(e));
      return e.map((v) => f(v * inv));
    };
    expectNoLeak(() => {
      // Rows of 16 and more take the fused kernel (shorter ones a blocked path); 513 and 1029
      // cross a group of 32 blocks, the odd lengths end in whole vectors and a padded tail.
      for (const cols of [16, 17, 19, 31, 64, 100, 513, 1029, 4099]) {
        const x: Input = { shape: [3, cols], values: Float32Array.from({ length: 3 * cols }, () => (rand() - 0.5) * 40) };
        x.values[5] = -Infinity;
        const got = viaNr((t) => nr.softmax(t as nr.Tensor), [x]).values;
        const want = [0, 1, 2].flatMap((r) => softmaxRef(x.values.subarray(r * cols, (r + 1) * cols)));
        expect(bits(got), `softmax cols=${cols}`).toEqual(bits(want));
      }
    });
  });

  it('tanh on every length (the kernel and its scalar tail), with tiny, saturating and special inputs, within 3 ulp of Math.tanh', () => {
    expectNoLeak(() => {
      for (const n of [...LENGTHS, 4099]) {
        for (const x of [inp([n]), wide(n)]) {
          const got = viaNr(op('tanh'), [x]).values;
          expect(bits(got), `tanh n=${n}`).toEqual(bits(Array.from(x.values, tanhRef)));
        }
      }
      const edge: Input = { shape: [14], values: Float32Array.from([-13, -12.9, -9, -0.55, -1e-4, -1e-8, -1e-40, -0, 0, 1e-30, 0.3, 8.7, Infinity, -Infinity]) };
      const got = viaNr(op('tanh'), [edge]).values;
      expect(bits(got)).toEqual(bits(Array.from(edge.values, tanhRef)));
      expect([got[0], got[12], got[13], got[9]]).toEqual([-1, 1, -1, f(1e-30)]);
      expect([Object.is(got[7], -0), Object.is(got[8], 0)]).toEqual([true, true]);
      const ulp = (v: number) => Math.abs(fromBits(toBits(Math.abs(v)) + 1) - Math.abs(v));
      for (let i = 0; i < edge.values.length; i++) expect(Math.abs(got[i] - Math.tanh(edge.values[i])) / ulp(Math.fround(Math.tanh(edge.values[i])) || 1e-45)).toBeLessThanOrEqual(3);
    });
  });

  it('elu and selu on every length (the kernel and its scalar tail), with tiny, saturating and special inputs', () => {
    const [SCALE, ALPHA] = [f(1.0507009873554805), f(1.6732632423543772)];
    const cases: Array<[string, nr.Tensor | null, (x: nr.Tensor) => nr.Tensor, (x: number) => number]> = [
      ['elu', null, (x) => nr.elu(x), eluRef(1, 1)],
      ['elu 0.5', null, (x) => nr.elu(x, { alpha: 0.5 }), eluRef(1, 0.5)],
      ['selu', null, (x) => nr.selu(x), eluRef(SCALE, f(SCALE * ALPHA))],
    ];
    expectNoLeak(() => {
      for (const [name, , run, ref] of cases) {
        for (const n of [...LENGTHS, 4099]) {
          for (const x of [inp([n]), wide(n)]) {
            const got = viaNr((t) => run(t as nr.Tensor), [x]).values;
            expect(bits(got), `${name} n=${n}`).toEqual(bits(Array.from(x.values, ref)));
          }
        }
        const edge: Input = { shape: [13], values: Float32Array.from([-26, -25.9, -17, -16.6, -0.3466, -0.3467, -1e-8, -1e-40, -0, 0, -Infinity, Infinity, -1e30]) };
        const got = viaNr((t) => run(t as nr.Tensor), [edge]).values;
        expect(bits(got), name).toEqual(bits(Array.from(edge.values, ref)));
      }
      // expm1, not e^x − 1: a tiny negative input keeps its value; −0 stays −0.
      const got = viaNr((t) => nr.elu(t as nr.Tensor), [{ shape: [2], values: Float32Array.from([-1e-8, -0]) }]).values;
      expect(got[0]).toBe(f(-1e-8));
      expect(Object.is(got[1], -0)).toBe(true);
    });
  });

  it('elu and selu give the same bits on 1, 2 and 3 threads, as an op and as a dense layer\'s activation', async () => {
    const x = Float32Array.from({ length: 300_001 }, (_, i) => Math.sin(i * 0.37) * 6 - 1);
    await expectSameBitsForThreads(async () => {
      const t = nr.tensor(x, [300_001]);
      const outs = [nr.elu(t), nr.selu(t), nr.elu(t, { alpha: 0.3 })];
      // A dense layer with weight 1 and bias 0 passes x exactly to its elu: the op's bits.
      const y = asDenseActivation(t, 'elu');
      expect(bits(y.data())).toEqual(bits(outs[0].data()));
      outs.push(y);
      t.dispose();
      const r = outs.map((o) => bits(o.data()));
      nr.dispose(outs);
      return r;
    });
  });

  it('binaryCrossentropy on probabilities uses the ln kernel on every length', () => {
    expectNoLeak(() => {
      for (const n of [...LENGTHS.filter((k) => k > 0), 600]) {
        const p: Input = { shape: [1, n], values: Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? [0, 1, 1e-9, 0.9999999][i % 4] : rand())) };
        const t: Input = { shape: [1, n], values: Float32Array.from({ length: n }, () => (rand() < 0.5 ? 0 : rand())) };
        let sum = 0;
        for (let i = 0; i < n; i++) {
          const c = Math.min(Math.max(p.values[i], f(1e-7)), f(1 - f(1e-7)));
          const y = t.values[i];
          sum -= y * lnRef(c) + (1 - y) * lnRef(f(1 - c));
        }
        const got = viaNr((a, b) => nr.losses.binaryCrossentropy(a as nr.Tensor, b as nr.Tensor), [t, p]).values;
        expect(bits(got), `bce n=${n}`).toEqual(bits([sum / n]));
      }
    });
  });
});

/**
 * `Σ v` in the documented 16-lane order of kernels/reduce.rs, in float32: each lane adds its
 * elements of 32 consecutive 16-blocks (512 values) to its running sum at a time.
 */
function sum16(v: ArrayLike<number>, g: (x: number) => number = (x) => x): number {
  const whole = Math.floor(v.length / 16) * 16;
  const acc = new Array<number>(16).fill(0);
  const part = new Array<number>(16).fill(0);
  for (let i = 0; i < whole; i++) {
    part[i % 16] = f(part[i % 16] + g(v[i]));
    if ((i + 1) % 512 === 0 || i + 1 === whole) {
      for (let k = 0; k < 16; k++) {
        acc[k] = f(acc[k] + part[k]);
        part[k] = 0;
      }
    }
  }
  const l = [0, 1, 2, 3].map((i) => f(f(acc[i] + acc[4 + i]) + f(acc[8 + i] + acc[12 + i])));
  let s = f(f(l[0] + l[1]) + f(l[2] + l[3]));
  for (let i = whole; i < v.length; i++) s = f(s + g(v[i]));
  return s;
}

describe('simd128 reductions, bit for bit', () => {
  const finite = (n: number) => Float32Array.from({ length: n }, () => (rand() - 0.5) * 8);

  it('sum, mean, max, min and variance of a run follow the documented order', () => {
    expectNoLeak(() => {
      for (const n of [...LENGTHS, 31, 32, 33, 511, 512, 513, 528, 4099]) {
        const x: Input = { shape: [n], values: finite(n) };
        const red = (name: string) => viaNr((t) => (t as nr.Tensor)[name as 'sum'](), [x]).values[0];
        expect(bits([red('sum')]), `sum n=${n}`).toEqual(bits([sum16(x.values)]));
        if (n === 0) continue;
        const m = f(sum16(x.values) / n);
        expect(bits([red('mean')])).toEqual(bits([m]));
        expect(bits([red('max')])).toEqual(bits([Math.max(...x.values)]));
        expect(bits([red('min')])).toEqual(bits([Math.min(...x.values)]));
        const v = f(sum16(x.values, (e) => { const d = f(e - m); return f(d * d); }) / n);
        expect(bits([red('variance')]), `variance n=${n}`).toEqual(bits([v]));
      }
    });
  });

  it('max and min propagate NaN from any lane and order -0 < +0', () => {
    expectNoLeak(() => {
      for (const n of [1, 5, 17, 1023]) {
        for (const at of [0, n >> 1, n - 1]) {
          const x: Input = { shape: [n], values: finite(n) };
          x.values[at] = NaN;
          expect(viaNr((t) => (t as nr.Tensor).max(), [x]).values[0]).toBeNaN();
          expect(viaNr((t) => (t as nr.Tensor).min(), [x]).values[0]).toBeNaN();
        }
      }
      const z: Input = { shape: [9], values: Float32Array.from([-0, -0, 0, -0, -0, -0, -0, -0, -0]) };
      expect(Object.is(viaNr((t) => (t as nr.Tensor).max(), [z]).values[0], 0)).toBe(true);
      expect(Object.is(viaNr((t) => (t as nr.Tensor).min(), [z]).values[0], -0)).toBe(true);
    });
  });

  it('leading axes are summed in row order in leaves of 32 rows, the leaves pairwise (no transpose)', () => {
    expectNoLeak(() => {
      for (const [m, k] of [[1, 5], [3, 4], [32, 3], [33, 3], [1000, 37], [17, 1023]]) {
        const x: Input = { shape: [m, k], values: finite(m * k) };
        // Rows lo..lo+n of column j: in order up to 32, else the two halves (the first ⌊n/2⌋) added.
        const col = (j: number, g: (e: number) => number, lo = 0, n = m): number => {
          if (n > 32) {
            const left = Math.floor(n / 2);
            return f(col(j, g, lo, left) + col(j, g, lo + left, n - left));
          }
          let s = g(x.values[lo * k + j]);
          for (let i = lo + 1; i < lo + n; i++) s = f(s + g(x.values[i * k + j]));
          return s;
        };
        const sums = Array.from({ length: k }, (_, j) => col(j, (e) => e));
        const means = sums.map((s) => f(s / m));
        const vars = means.map((mu, j) => f(col(j, (e) => { const d = f(e - mu); return f(d * d); }) / m));
        const red = (name: string) => viaNr((t) => (t as nr.Tensor)[name as 'sum'](0), [x]).values;
        expect(bits(red('sum')), `sum [${m},${k}]`).toEqual(bits(sums));
        expect(bits(red('mean'))).toEqual(bits(means));
        expect(bits(red('variance')), `variance [${m},${k}]`).toEqual(bits(vars));
        expect(bits(red('max'))).toEqual(bits(Array.from({ length: k }, (_, j) => Math.max(...Array.from({ length: m }, (_, i) => x.values[i * k + j])))));
      }
    });
  });
});
