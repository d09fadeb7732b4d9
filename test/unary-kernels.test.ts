// The standalone ops sped up in branch perf2, checked bit for bit against plain-JS references
// on the lengths that reach each path (empty, the scalar tail, whole vectors, the 16-value
// blocks of argMax's search, the 16 Ki chunks of the thread pool) and on special values:
// log1p and softplus (logSigmoid) on the simd128 log1p kernel, cosh and rsqrt in float64
// lanes, argMax/argMin as max then first match, oneHot written once, multinomial's guide
// table and searchSorted's search. Branch perf (s50): pow's route for whole and half exponents
// (float64, two lanes at a time) against a plain-JS float64 reference.
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { asDenseActivation, bits, expectSameBitsForThreads, rng, viaNr } from './oracle.js';
import { expm1NegRef, expRef, fromBits, lnRef, toBits } from './kernel-refs.js';

const f = Math.fround;
const rand = rng(11);
const LENGTHS = [0, 1, 3, 4, 5, 15, 16, 17, 33, 1023, 4099];
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-40, 1.4e-45, 3e38, -3e38, -1, -0.99999994, 1e-8, -1e-8, 16.6, 17, 88.7, 89.5, 90, -104];

/** Values in [-8, 8), ±e^[-60, 60) and a special value in every 5th slot (every lane sees one). */
function values(n: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rand();
    v[i] = i % 5 === 2 ? SPECIAL[(i / 5) % SPECIAL.length | 0] : i % 3 === 0 ? (r < 0.5 ? -1 : 1) * Math.exp((rand() - 0.5) * 120) : (r - 0.5) * 16;
  }
  return v;
}

/** `log1p_one`: `ln u + (x − (u − 1)) / u` with `u = 1 + x`; `x` itself where `u = 1`. */
function log1pRef(x: number): number {
  const u = f(1 + x);
  let c = f(f(x - f(u - 1)) / u);
  if (Number.isNaN(c)) c = 0;
  return u === 1 ? x : f(lnRef(u) + c);
}

/** `softplus_one`: `max(x, 0) + log1p(e^−|x|)`. */
const softplusRef = (x: number): number => f((x > 0 ? x : 0) + log1pRef(expRef(-Math.abs(x))));

/** The ulps of `a` from the float64 `want`, in units of the float32 spacing at `want`. */
function ulps(a: number, want: number): number {
  const w = f(want);
  if (a === w || (Number.isNaN(a) && Number.isNaN(want))) return 0;
  const e = w === 0 ? -149 : Math.max(-149, Math.floor(Math.log2(Math.abs(w))) - 23);
  return Math.abs(a - want) / 2 ** e;
}

describe('log1p and softplus on the simd128 log1p kernel', () => {
  it('log1p, softplus and logSigmoid: the kernel bits on every length, within 2 ulp of float64', () => {
    for (const n of LENGTHS) {
      const x = values(n);
      for (let i = 0; i < n; i += 4) if (x[i] < -1) x[i] = f(-x[i] * 1e-3); // more of log1p's domain
      const lp = viaNr((t) => nr.log1p(t as nr.Tensor), [{ shape: [n], values: x }]).values;
      expect(bits(lp), `log1p n=${n}`).toEqual(bits(Array.from(x, log1pRef)));
      const sp = viaNr((t) => nr.softplus(t as nr.Tensor), [{ shape: [n], values: x }]).values;
      expect(bits(sp), `softplus n=${n}`).toEqual(bits(Array.from(x, softplusRef)));
      const ls = viaNr((t) => nr.logSigmoid(t as nr.Tensor), [{ shape: [n], values: x }]).values;
      expect(bits(ls), `logSigmoid n=${n}`).toEqual(bits(Array.from(x, (v) => -softplusRef(-v))));
      for (let i = 0; i < n; i++) {
        if (x[i] >= -1) expect(ulps(lp[i], Math.log1p(x[i])), `log1p(${x[i]})`).toBeLessThanOrEqual(2);
        const want = Math.max(x[i], 0) + Math.log1p(Math.exp(-Math.abs(x[i])));
        expect(ulps(sp[i], want), `softplus(${x[i]})`).toBeLessThanOrEqual(2);
      }
    }
    const edge = viaNr((t) => nr.log1p(t as nr.Tensor), [{ shape: [8], values: Float32Array.from([0, -0, -1, Infinity, -Infinity, NaN, -1.5, 1e-30]) }]).values;
    expect(Array.from(edge)).toEqual([0, -0, -Infinity, Infinity, NaN, NaN, NaN, f(1e-30)]);
    expect(Object.is(edge[1], -0)).toBe(true);
  });

  it('softplus gives the same bits on 1, 2 and 3 threads, as an op and as a dense layer\'s activation', async () => {
    const x = Float32Array.from({ length: 2 * 16384 + 5 }, (_, i) => Math.sin(i * 0.37) * 30 - 3);
    await expectSameBitsForThreads(async () => {
      const t = nr.tensor(x, [x.length]);
      const outs = [nr.softplus(t), nr.logSigmoid(t), nr.log1p(nr.abs(t)), nr.cosh(t), nr.rsqrt(nr.abs(t)), nr.sigmoid(t), nr.relu(t)];
      const y = asDenseActivation(t, 'softplus');
      expect(bits(y.data())).toEqual(bits(outs[0].data()));
      expect(bits(outs[0].data())).toEqual(bits(Array.from(x, softplusRef)));
      outs.push(y);
      t.dispose();
      const r = outs.map((o) => bits(o.data()));
      nr.dispose(outs);
      return r;
    });
  });
});

/** `sigmoid_one`: `1 / (1 + e)` or `e / (1 + e)` with `e = e^−|x|`. */
function sigmoidRef(x: number): number {
  const e = expRef(-Math.abs(x));
  const d = f(1 + e);
  return x >= 0 ? f(1 / d) : f(e / d);
}

/** `tanh_one`: `−t / (2 + t)` with `t = e^(−2|x|) − 1`, the sign of x put back. */
function tanhRef(x: number): number {
  const t = expm1NegRef(f(-2 * Math.abs(x)));
  return fromBits(toBits(f(-t / f(2 + t))) | (toBits(x) & 0x80000000));
}

/** mish (activations/mish.rs): `x·t`, `t = tanh(softplus(x))`, and its slope `t + x·(1 − t²)·σ(x)`. */
const mishRef = (x: number): number => { const t = tanhRef(softplusRef(x)); return t === 0 && !Number.isNaN(x) ? -0 : f(x * t); };
function mishGradRef(x: number): number {
  const [t, s] = [tanhRef(softplusRef(x)), sigmoidRef(x)];
  const q = f(1 - f(t * t));
  return f(t + (s === 0 || q === 0 ? 0 : f(f(x * q) * s)));
}

/** geluNew (activations/gelu_new.rs): `x·σ(v)`, `v = 2√(2/π)·(x + 0.044715·x³)` in float64 rounded once. */
const GELU_K = 2 * Math.sqrt(2 / Math.PI);
const geluV = (x: number) => f(GELU_K * (x + 0.044715 * x * x * x));
const geluNewRef = (x: number): number => { const s = sigmoidRef(geluV(x)); return s === 0 && !Number.isNaN(x) ? -0 : f(x * s); };
function geluNewGradRef(x: number): number {
  const v = geluV(x);
  const q = f(sigmoidRef(v) * sigmoidRef(-v));
  return f(sigmoidRef(v) + (q === 0 ? 0 : f(f(x * q) * f(GELU_K * (1 + 3 * 0.044715 * x * x)))));
}

describe('mish, geluNew and logSoftmax on the simd128 transcendental kernels', () => {
  const run = (spec: nr.ActivationSpec, x: Float32Array) => nr.tidy(() => nr.activation(nr.tensor(x), spec).data());
  const grad = (spec: nr.ActivationSpec, x: Float32Array) => nr.tidy(() => { const t = nr.tensor(x); return nr.activationGrad(t, nr.onesLike(t), spec).data(); });

  it('mish and geluNew and their slopes: the bits of the scalar references on every length (pieces of 256 too)', () => {
    for (const n of [...LENGTHS, 257, 600]) {
      const x = values(n);
      for (const [spec, fwd, bwd] of [['mish', mishRef, mishGradRef], ['geluNew', geluNewRef, geluNewGradRef]] as const) {
        expect(bits(run(spec, x)), `${spec} n=${n}`).toEqual(bits(Array.from(x, fwd)));
        expect(bits(grad(spec, x)), `${spec} slope n=${n}`).toEqual(bits(Array.from(x, bwd)));
      }
    }
  });

  it('logSoftmax: exp on the kernel, the sum in float64; a row gives the same bits alone as in a batch, close to float64', () => {
    for (const cols of [1, 3, 4, 7, 16, 17, 1000]) {
      const x = values(5 * cols).map((v) => (Number.isFinite(v) ? v : 0.5) % 60);
      const got = nr.tidy(() => nr.logSoftmax(nr.tensor(x, [5, cols])).data());
      const g = nr.tidy(() => { const t = nr.tensor(x, [5, cols]); return nr.activationGrad(t, nr.onesLike(t).mul(nr.range(0, 5 * cols).reshape([5, cols]).mod(3)), 'logSoftmax').data(); });
      for (let r = 0; r < 5; r++) {
        const row = x.subarray(r * cols, (r + 1) * cols);
        expect(bits(nr.tidy(() => nr.logSoftmax(nr.tensor(row, [1, cols])).data())), `row ${r} of ${cols}`).toEqual(bits(got.subarray(r * cols, (r + 1) * cols)));
        const m = Math.max(...row);
        const lse = Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
        row.forEach((v, j) => expect(Math.abs(got[r * cols + j] - (v - m - lse)), `${cols}: ${v}`).toBeLessThanOrEqual(4e-7 * Math.max(1, Math.abs(v - m - lse))));
        // dx = dy − softmax·Σdy, with dy = (index mod 3).
        const dy = Array.from(row, (_, j) => (r * cols + j) % 3);
        const total = dy.reduce((a, b) => a + b, 0);
        row.forEach((v, j) => expect(Math.abs(g[r * cols + j] - (dy[j] - Math.exp(v - m - lse) * total))).toBeLessThanOrEqual(2e-6 * Math.max(1, total)));
      }
    }
  });
});

describe('cosh and rsqrt in float64 lanes', () => {
  it('cosh is float64 cosh rounded once, rsqrt is float64 1/√x rounded once, on every length', () => {
    for (const n of LENGTHS) {
      const x = values(n);
      const c = viaNr((t) => nr.cosh(t as nr.Tensor), [{ shape: [n], values: x }]).values;
      expect(bits(c), `cosh n=${n}`).toEqual(bits(Array.from(x, (v) => f(Math.cosh(v)))));
      const r = viaNr((t) => nr.rsqrt(t as nr.Tensor), [{ shape: [n], values: x }]).values;
      expect(bits(r), `rsqrt n=${n}`).toEqual(bits(Array.from(x, (v) => f(1 / Math.sqrt(v)))));
    }
    // A dense grid where cosh is neither 1 nor +∞.
    const g = Float32Array.from({ length: 20001 }, (_, i) => (i - 10000) * 0.00894);
    const c = viaNr((t) => nr.cosh(t as nr.Tensor), [{ shape: [g.length], values: g }]).values;
    expect(bits(c)).toEqual(bits(Array.from(g, (v) => f(Math.cosh(v)))));
  });
});

/** The first largest (smallest) value's index; the first NaN wins. */
function argRef(row: ArrayLike<number>, max: boolean): number {
  let at = 0;
  for (let i = 1; i < row.length; i++) {
    if (Number.isNaN(row[at])) break;
    if (Number.isNaN(row[i]) || (max ? row[i] > row[at] : row[i] < row[at])) at = i;
  }
  return at;
}

describe('argMax and argMin: the maximum, then its first position', () => {
  it('rows of every length with ties, signed zeros, infinities and NaN in every position', () => {
    const kinds = ['random', 'ties', 'zeros', 'nan', 'ninf'] as const;
    for (const n of [1, 2, 3, 4, 5, 15, 16, 17, 31, 32, 33, 64, 1023, 16385]) {
      for (const kind of kinds) {
        const rows = 3;
        const v = new Float32Array(rows * n);
        for (let i = 0; i < v.length; i++) {
          const r = rand();
          v[i] = kind === 'ties' ? Math.floor(r * 4) : kind === 'zeros' ? (r < 0.5 ? -0 : 0) - (r < 0.1 ? 1 : 0) : kind === 'ninf' ? -Infinity : (r - 0.5) * 8;
        }
        if (kind === 'nan') for (let k = 0; k < rows; k++) v[k * n + Math.floor(rand() * n)] = NaN;
        if (kind === 'nan' && n > 3) v[n + n - 1] = NaN;
        for (const max of [true, false]) {
          const got = viaNr((t) => (max ? (t as nr.Tensor).argMax(-1) : (t as nr.Tensor).argMin(-1)), [{ shape: [rows, n], values: v }]).values;
          const want = Array.from({ length: rows }, (_, k) => argRef(v.subarray(k * n, (k + 1) * n), max));
          expect(Array.from(got), `${max ? 'argMax' : 'argMin'} ${kind} n=${n}`).toEqual(want);
        }
      }
    }
  });

  it('3-D and 4-D along the last axis, and 1-D', () => {
    const v = values(2 * 3 * 4 * 37);
    for (const shape of [[2, 3, 148], [2, 3, 4, 37], [v.length]]) {
      const n = shape[shape.length - 1];
      const got = viaNr((t) => (t as nr.Tensor).argMax(-1), [{ shape, values: v }]).values;
      expect(Array.from(got), `[${shape}]`).toEqual(Array.from({ length: v.length / n }, (_, k) => argRef(v.subarray(k * n, (k + 1) * n), true)));
    }
  });
});

describe('oneHot written once', () => {
  it('rows of on/off with out-of-range indices, any depth, and the non-integer error', () => {
    for (const [n, depth] of [[0, 3], [1, 1], [7, 5], [1000, 37], [3, 0]] as const) {
      const idx = Float32Array.from({ length: n }, (_, i) => (i % 9 === 4 ? -1 : i % 11 === 5 ? depth : Math.floor(rand() * depth)));
      const got = viaNr((t) => nr.oneHot(t as nr.Tensor, depth, 2.5, -0), [{ shape: [n], values: idx }]);
      expect(got.shape).toEqual([n, depth]);
      const want = Array.from({ length: n * depth }, (_, k) => (idx[Math.floor(k / depth)] === k % depth ? 2.5 : -0));
      expect(bits(got.values), `n=${n} depth=${depth}`).toEqual(bits(want));
    }
    const t = nr.tensor([0, 1, 2.5, NaN]);
    expect(() => nr.oneHot(t, 3)).toThrow('oneHot: indices[2] = 2.5 is not an integer (indices has shape [4])');
    t.dispose();
  });
});

describe('multinomial and searchSorted', () => {
  /** TF.js's sampling: the first outcome whose float32 running sum exceeds u, over the whole cdf. */
  function sampleRef(probs: Float32Array, u: Float32Array, rows: number, outcomes: number, n: number, normalized = true): number[] {
    const out: number[] = [];
    const cdf = new Float32Array(outcomes - 1);
    for (let b = 0; b < rows; b++) {
      if (!normalized) {
        // From logits: float64 running shares of the whole, scanned in order.
        const row = Array.from(probs.subarray(b * outcomes, (b + 1) * outcomes));
        const total = row.reduce((a, p) => a + p, 0);
        for (let j = 0; j < n; j++) {
          let run = 0;
          let e = 0;
          for (; e < outcomes - 1; e++) if (u[b * n + j] < (run += row[e]) / total) break;
          out.push(e);
        }
        continue;
      }
      cdf[0] = probs[b * outcomes];
      for (let e = 1; e < cdf.length; e++) cdf[e] = cdf[e - 1] + probs[b * outcomes + e];
      for (let j = 0; j < n; j++) {
        let lo = 0;
        let hi = cdf.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (u[b * n + j] < cdf[mid]) hi = mid;
          else lo = mid + 1;
        }
        out.push(lo);
      }
    }
    return out;
  }

  it('the guide table picks the outcomes of the search over the whole cdf (probabilities); logits pick by float64 shares', () => {
    const skewed = Float32Array.from({ length: 1000 }, (_, i) => (i === 500 ? 0.999 : 1e-6));
    const cases: Array<[string, Float32Array, number, boolean]> = [
      ['uniform logits', Float32Array.from({ length: 4 * 1000 }, () => rand()), 1000, false],
      ['wide logits and -Infinity', Float32Array.from({ length: 3 * 17 }, (_, i) => (i % 4 === 1 ? -Infinity : (rand() - 0.5) * 40)), 17, false],
      ['two outcomes', Float32Array.of(0.3, 0.7, 1, 0), 2, true],
      ['skewed probabilities', skewed, 1000, true],
      ['probabilities summing to 0.5', Float32Array.from({ length: 2 * 10 }, () => 0.05), 10, true],
    ];
    for (const [name, v, outcomes, normalized] of cases) {
      const rows = v.length / outcomes;
      const n = 5003;
      nr.tidy(() => {
        const logits = nr.tensor(v, [rows, outcomes]);
        const got = nr.multinomial(logits, n, 42, normalized).data();
        const probs = normalized ? v : nr.softmax(logits, -1).data();
        const u = nr.randomUniform([rows, n], { seed: 42 }).data();
        expect(Array.from(got), name).toEqual(sampleRef(probs, u, rows, outcomes, n, normalized));
      });
    }
  });

  /** TF.js's loop: the first index whose entry is not below x (`<` left, `<=` right). */
  function searchRef(seq: Float32Array, v: Float32Array, rows: number, side: 'left' | 'right'): number[] {
    const [n, m] = [seq.length / rows, v.length / rows];
    const out: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < m; i++) {
        const x = v[r * m + i];
        let [lo, hi] = [0, n];
        while (lo < hi) {
          const mid = Math.floor((lo + hi) / 2);
          if (side === 'left' ? seq[r * n + mid] < x : seq[r * n + mid] <= x) lo = mid + 1;
          else hi = mid;
        }
        out.push(hi);
      }
    }
    return out;
  }

  it('searchSorted finds TF.js\'s indices on sorted, tied and unsorted rows, with NaN values', () => {
    for (const [rows, n, m] of [[1, 0, 5], [1, 1, 9], [2, 7, 13], [3, 1000, 257]]) {
      const sorted = Float32Array.from({ length: rows * n }, (_, i) => Math.floor((i % n) / 3));
      const unsorted = Float32Array.from({ length: rows * n }, () => Math.floor(rand() * 10));
      const v = Float32Array.from({ length: rows * m }, (_, i) => (i % 7 === 3 ? NaN : i % 11 === 4 ? -Infinity : Math.floor(rand() * (n / 3 + 2) * 2) / 2 - 0.5));
      for (const seq of [sorted, unsorted]) {
        for (const side of ['left', 'right'] as const) {
          const got = viaNr((s, x) => nr.searchSorted(s as nr.Tensor, x as nr.Tensor, side), [{ shape: [rows, n], values: seq }, { shape: [rows, m], values: v }]).values;
          expect(Array.from(got), `${side} rows=${rows} n=${n}`).toEqual(searchRef(seq, v, rows, side));
        }
      }
    }
  });
});

/** kernels/pow.rs's route for `y = k/2`, `|y| ≤ 64`: `x^n` by binary powering in float64, times `√|x|` for a half, `1/p` for `y < 0`, rounded once. */
function powRouteRef(x: number, y: number): number {
  const k = Math.abs(2 * y);
  const half = k % 2 === 1;
  const a = half ? Math.abs(x) : x;
  let [p, b, m] = [1, a, k >> 1];
  while (m !== 0) {
    if (m & 1) p *= b;
    m >>= 1;
    if (m !== 0) b *= b;
  }
  if (half) p *= Math.sqrt(a);
  if (y < 0) p = 1 / p;
  return half && x < 0 && x !== -Infinity ? NaN : f(p);
}

describe('pow with a whole or half exponent', () => {
  const EXPONENTS = [3, 0.5, -1, 2.5, -0.5, 2, 1.5, 7, -3, 13, 64, -64, 31.5, -7.5, 1, 0, -0];

  it('pow(x, k/2): the float64 route\'s bits on every length, as a scalar exponent and a full one, within 0.5 + 2^-20 ulp', () => {
    for (const n of LENGTHS) {
      const x = values(n);
      for (const y of EXPONENTS) {
        const got = viaNr((t) => nr.pow(t as nr.Tensor, y), [{ shape: [n], values: x }]).values;
        expect(bits(got), `pow n=${n} y=${y}`).toEqual(bits(Array.from(x, (v) => powRouteRef(v, y))));
        const full = nr.tidy(() => nr.pow(nr.tensor(x, [n]), nr.fill([n], y)).data());
        expect(bits(full), `pow n=${n} y=[${y}]`).toEqual(bits(got));
        for (let i = 0; i < n; i++) {
          const want = Math.pow(x[i], y);
          if (Number.isFinite(want) && Math.abs(want) < 3.4e38) expect(ulps(got[i], want), `${x[i]}^${y}`).toBeLessThanOrEqual(0.5 + 2 ** -20);
        }
      }
    }
    // IEEE pow's special values on the route (JS Math.pow agrees on these).
    const sp = Float32Array.from([0, -0, Infinity, -Infinity, NaN, -2, 1, -1]);
    for (const y of [3, -3, 2, -2, 0.5, -0.5, 2.5, 0]) {
      const got = Array.from(viaNr((t) => nr.pow(t as nr.Tensor, y), [{ shape: [8], values: sp }]).values);
      expect(got, `y=${y}`).toEqual(Array.from(sp, (v) => f(Math.pow(v, y))));
    }
  });

  it('pow\'s other exponents still go through powf; its gradient uses the route for y − 1', () => {
    const x = Float32Array.from([0.5, 2, 3, 10]);
    const got = Array.from(viaNr((t) => nr.pow(t as nr.Tensor, 0.3), [{ shape: [4], values: x }]).values);
    got.forEach((v, i) => expect(Math.abs(v - Math.pow(x[i], 0.3)) / Math.pow(x[i], 0.3)).toBeLessThan(1e-6));
    const g = nr.tidy(() => nr.grad((t: nr.Tensor) => nr.pow(t, 2.5).sum())(nr.tensor(x)).data());
    expect(bits(g)).toEqual(bits(Array.from(x, (v) => f(2.5 * powRouteRef(v, 1.5)))));
  });
});
