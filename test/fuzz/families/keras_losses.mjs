/**
 * neurite's Keras-form losses on the Rust kernels (ts/losses.ts, crates/core/src/losses/):
 * `losses.{meanSquaredError, meanAbsoluteError, huber, binaryCrossentropy,
 * categoricalCrossentropy, sparseCategoricalCrossentropy, kullbackLeiblerDivergence,
 * hinge, meanAbsolutePercentageError, meanSquaredLogarithmicError, logcosh, poisson,
 * squaredHinge, categoricalHinge, cosineProximity}(yTrue, yPred, options?)` and `losses.lossGradient(loss, yTrue, yPred, options?)`, on
 * predictions of rank 0–3 (sizes 0–7) with values in and out of each loss's domain (NaN,
 * ±Infinity, huge, subnormal, −0, probabilities outside [0, 1], targets that do not sum to 1,
 * all-zero rows, logits far out), targets of the prediction's shape up to a trailing axis of 1
 * (sparse: class indices, the shape without the last axis), every reduction (`'mean'`,
 * `'sumOverFeatures'`, `'none'`), and bad arguments that must be errors: shapes that do not
 * match, empty predictions, non-finite targets, targets out of [0, 1], mixed hinge conventions,
 * bad class indices, bad `delta`/`fromLogits`/`labelSmoothing`/`reduction`, unknown option keys,
 * options that are not an object, bad loss names and configs for lossGradient.
 *
 * The reference repeats each kernel's documented formula (the doc comments of
 * crates/core/src/losses/*.rs: the clips to [ε, 1 − ε] with ε = 1e-7 in float32, the hinges' 0/1 →
 * ±1 rule decided by the whole batch, MAPE's max(|t|, ε), MSLE's max(x, ε), poisson's
 * unclipped ln(p + ε), cosine proximity's sqrt(max(Σx², ε)), KL divergence as Σ t·ln(clip(t)/clip(p)), categorical
 * cross-entropy renormalising probabilities) with the values-with-an-error-scale of
 * ../error_scale.mjs (families/losses.mjs explains them), in float32 where the kernels round
 * and in float64 where they accumulate; `compare` at tolerance 1e-5 + 1e-4·|e| + 1e-4·m.
 *
 * `grads` of each loss (every reduction, `dy` given now and then) w.r.t. the targets and the
 * predictions, and `lossGradient`, are checked against central differences of the float64
 * definitions (tolerance 2e-5·scale + 1e-3·|d|), skipping an element whose ±h steps change a
 * branch (a clip, |e| = δ, a hinge margin, the sign of p − t); sparse class indices have no
 * gradient: grads gives zeros for them.
 */
import { compare, compareShape, Mismatch } from '../checks.mjs';
import { garbage } from '../values.mjs';
import { names, render } from '../render.mjs';
import { f32, V, ONE, HALF, add, sub, mul, mul64, div, neg, abs, relu, log, exp, log1p, rsum, toRef, op1 } from '../error_scale.mjs';
import { SPECIALS, tensorArg, trim } from './losses.mjs';

const sizeOf = (s) => s.reduce((a, b) => a * b, 1);

/** Keras's `epsilon()` and the upper clip `1 − ε`, both as the float32 the kernels use. */
const EPS = f32(1e-7);
const HI = f32(1 - EPS);

/**
 * Each loss: its targets' and predictions' value kinds, its options, whether it sums over the
 * last axis (the categorical ones and KL) rather than averaging, and sparse targets.
 */
const LOSSES = {
  meanSquaredError: { t: 'real', p: 'real', keys: [] },
  meanAbsoluteError: { t: 'real', p: 'real', keys: [] },
  huber: { t: 'real', p: 'real', keys: ['delta'] },
  binaryCrossentropy: { t: 'prob', p: 'prob', keys: ['fromLogits', 'labelSmoothing'] },
  categoricalCrossentropy: { t: 'dist', p: 'prob', keys: ['fromLogits', 'labelSmoothing'], sums: true },
  sparseCategoricalCrossentropy: { t: 'class', p: 'prob', keys: ['fromLogits'], sums: true, sparse: true },
  kullbackLeiblerDivergence: { t: 'dist', p: 'prob', keys: [], sums: true },
  hinge: { t: 'sign', p: 'real', keys: [] },
  meanAbsolutePercentageError: { t: 'real', p: 'real', keys: [] },
  meanSquaredLogarithmicError: { t: 'real', p: 'real', keys: [] },
  logcosh: { t: 'real', p: 'real', keys: [] },
  poisson: { t: 'real', p: 'rate', keys: [] },
  squaredHinge: { t: 'sign', p: 'real', keys: [] },
  categoricalHinge: { t: 'real', p: 'real', keys: [], sums: true },
  cosineProximity: { t: 'real', p: 'real', keys: [], sums: true },
};
/**
 * The losses this family leaves out, and why: test/fuzz.test.ts checks that these and
 * {@link LOSSES} together are every loss the core has, so a new loss is added to one of them.
 */
export const UNCOVERED = {
  dice: "one value over the whole batch (Keras 3's axis=None), not a per-row loss: no reference here yet; tested against Keras 3 in test/keras-hard-silu-dice.test.ts",
};
/** The losses with hinge's 0/1 → ±1 convention. */
const HINGES = ['hinge', 'squaredHinge'];
export const NAMES = Object.keys(LOSSES);
const ALIASES = {
  mse: 'meanSquaredError', mae: 'meanAbsoluteError', kld: 'kullbackLeiblerDivergence', mape: 'meanAbsolutePercentageError', MAPE: 'meanAbsolutePercentageError',
  msle: 'meanSquaredLogarithmicError', MSLE: 'meanSquaredLogarithmicError', cosineSimilarity: 'cosineProximity', logCosh: 'logcosh',
};
const REDUCTIONS = ['mean', 'sumOverFeatures', 'none'];

// ---------------------------------------------------------------------------------------------
// Shapes and what the core accepts (crates/core/src/losses/check.rs).

/**
 * `(rows, cols)` of a prediction shape: cols the last axis (1 for a scalar), rows the rest; and
 * `perSample`, the rows of one sample (the axes between the batch and the last: `sumOverFeatures`
 * sums over all of a sample's values).
 */
function rowsCols(ps) {
  const cols = ps.length ? ps[ps.length - 1] : 1;
  return { rows: cols ? sizeOf(ps) / cols : 0, cols, perSample: ps.length >= 2 ? Math.max(1, sizeOf(ps.slice(1, -1))) : 1 };
}
const eq = (a, b) => a.length === b.length && a.every((d, i) => d === b[i]);
const strip1 = (s) => (s.length && s[s.length - 1] === 1 ? s.slice(0, -1) : s);
/** Equal once a trailing axis of 1 is dropped from either (Keras's squeeze_or_expand_to_same_rank). */
const sameUpTo1 = (a, b) => eq(a, b) || eq(strip1(a), b) || eq(a, strip1(b));

/** Whether targets of shape `ts` fit predictions of shape `ps` (non-empty predictions). */
function shapeOk(fn, ps, ts) {
  const { rows, cols } = rowsCols(ps);
  if (rows === 0 || cols === 0) return false;
  if (LOSSES[fn].sparse) return sameUpTo1(ts, ps.slice(0, -1)) && sizeOf(ts) === rows;
  return sameUpTo1(ts, ps);
}

/** Whether the target values are valid: finite; probabilities in [0, 1]; one hinge convention; class indices. */
function targetsOk(fn, tv, cols) {
  if (!tv.every(Number.isFinite)) return false;
  switch (LOSSES[fn].t) {
    case 'prob':
    case 'dist': return tv.every((v) => v >= 0 && v <= 1);
    case 'sign': return tv.every((v) => v === 1 || v === -1) || tv.every((v) => v === 0 || v === 1);
    case 'class': return tv.every((v) => v >= 0 && Number.isInteger(v) && v < cols);
    default: return true;
  }
}

/** Hinge converts targets that are all 0 or 1 to ±1 (the batch's convention, also per row). */
/** The hinges' 0/1 convention: every target 0 or 1 and one of them 0 (targets all 1 are ±1 labels, as TF.js reads them). */
const zeroOne = (tv) => tv.every((v) => v === 0 || v === 1) && tv.some((v) => v === 0);

// ---------------------------------------------------------------------------------------------
// The reference: per-row terms with an error scale.

const clipP = (a) => op1(a, (x) => (x < EPS ? EPS : x > HI ? HI : x), (x) => x.m);
const clipKL = (a) => op1(a, (x) => (x < EPS ? EPS : x > 1 ? 1 : x), (x) => x.m);

/** log Σ e^z of a row as the kernel computes it (max shift; NaN anywhere → NaN; ±Infinity max → it). */
function lse(z) {
  if (z.some(Number.isNaN)) return V(NaN);
  const mx = Math.max(...z);
  if (!Number.isFinite(mx)) return V(mx);
  const s = z.reduce((a, v) => a + Math.exp(f32(v - mx)), 0);
  const l = Math.log(s);
  return V(mx + l, Math.abs(l) + 0.1);
}

/**
 * The terms of one row (`p` its predictions, `t` its targets: `cols` values, or one class index),
 * whose sum is the row's loss times its divisor (cols for the averaging losses, 1 for the summing
 * ones). `o` the resolved options, `conv` hinge's 0/1 convention.
 */
function rowTerms(fn, p, t, o, conv) {
  const P = p.map((x) => V(x));
  const T = t.map((x) => V(x));
  const s = f32(o.labelSmoothing);
  switch (fn) {
    case 'meanSquaredError': return P.map((x, j) => {
      const d = sub(x, T[j]);
      return mul64(d, d);
    });
    case 'meanAbsoluteError': return P.map((x, j) => abs(sub(x, T[j])));
    case 'huber': {
      const D = V(f32(o.delta));
      return P.map((x, j) => {
        const e = abs(sub(x, T[j]));
        if (e.m === Infinity || Number.isNaN(e.v)) return e;
        return e.v <= D.v ? mul64(HALF, mul64(e, e)) : rsum([mul64(D, e), V(-0.5 * D.v * D.v)]);
      });
    }
    case 'binaryCrossentropy': return P.map((x, j) => {
      const y = add(mul(T[j], V(f32(1 - s))), V(f32(0.5 * s)));
      if (o.fromLogits) {
        const sp = add(relu(x), log1p(exp(neg(abs(x)))));
        return rsum([sp, neg(mul64(x, y))]);
      }
      const c = clipP(x);
      return neg(rsum([mul64(y, log(c)), mul64(V(1 - y.v), log(sub(ONE, c)))]));
    });
    case 'categoricalCrossentropy': {
      const k = p.length;
      const Y = T.map((y) => add(mul(y, V(f32(1 - s))), V(f32(s / k))));
      if (o.fromLogits) {
        const l = lse(p);
        return P.map((z, j) => mul64(Y[j], rsum([l, neg(z)])));
      }
      // An infinite probability makes its own q = ±∞/±∞ (or the sum NaN): the row is NaN.
      if (p.some((x) => x === Infinity || x === -Infinity)) return [V(NaN)];
      const S = rsum(P);
      return P.map((x, j) => neg(mul64(Y[j], log(clipP(div(x, S))))));
    }
    case 'sparseCategoricalCrossentropy': {
      const y = t[0];
      if (o.fromLogits) return [rsum([lse(p), neg(P[y])])];
      const C = P.map(clipP);
      return [rsum([log(rsum(C)), neg(log(C[y]))])];
    }
    case 'kullbackLeiblerDivergence': return P.map((x, j) => mul64(T[j], log(div(clipKL(T[j]), clipKL(x)))));
    // The kernels below compute in float64 from float32 inputs (a float32 step where noted);
    // mirrored in float64 with an error scale of their intermediates' size.
    case 'meanAbsolutePercentageError': return p.map((x, j) => {
      const c = Math.abs(t[j]) < EPS ? EPS : Math.abs(t[j]);
      const v = (100 * Math.abs(f32(t[j] - x))) / c;
      return V64(v, v);
    });
    case 'meanSquaredLogarithmicError': return p.map((x, j) => {
      const d = Math.log1p(x < EPS ? EPS : x) - Math.log1p(t[j] < EPS ? EPS : t[j]);
      return V64(d * d, Math.abs(d) * (Math.abs(Math.log1p(Math.abs(x))) + Math.abs(Math.log1p(Math.abs(t[j]))) + 1));
    });
    case 'logcosh': return p.map((x, j) => {
      const a = Math.abs(f32(x - t[j]));
      return V64(a + Math.log1p(Math.exp(-2 * a)) - Math.LN2, a + 1);
    });
    case 'poisson': return p.map((x, j) => {
      const l = Math.log(f32(x + EPS));
      return V64(x - t[j] * l, Math.abs(x) + Math.abs(t[j] * l));
    });
    case 'squaredHinge': return p.map((x, j) => {
      const y = conv ? f32(2 * t[j] - 1) : t[j];
      const m = f32(1 - f32(y * x));
      const r = m > 0 || Number.isNaN(m) ? m : 0;
      return V64(r * r, r * r);
    });
    case 'categoricalHinge': {
      let pos = 0;
      let neg = -Infinity;
      for (let j = 0; j < p.length; j++) {
        pos += t[j] * p[j];
        const n = f32(f32(1 - t[j]) * p[j]);
        if (!Number.isNaN(neg) && (n > neg || Number.isNaN(n))) neg = n;
      }
      const z = 1 + neg - pos;
      return [V64(z > 0 || Number.isNaN(z) ? z : 0, 1 + Math.abs(neg) + p.reduce((a, x, j) => a + Math.abs(t[j] * x), 0))];
    }
    case 'cosineProximity': {
      const norm = (v) => Math.sqrt(Math.max(v.reduce((a, x) => a + x * x, 0), EPS));
      let d = 0;
      for (let j = 0; j < p.length; j++) d += t[j] * p[j];
      const n = norm(p) * norm(t);
      return [V64(-d / n, 1 + p.reduce((a, x, j) => a + Math.abs(t[j] * x), 0) / n)];
    }
    default: return P.map((x, j) => {
      const y = conv ? V(f32(2 * t[j] - 1)) : T[j];
      return relu(sub(ONE, mul(y, x)));
    });
  }
}

/** A float64 result of a float64 kernel: NaN and ±Infinity exact (reliable), else with error scale `m`. */
function V64(v, m) {
  if (Number.isNaN(v)) return V(NaN);
  return Number.isFinite(v) ? V(v, Number.isFinite(m) ? m : Infinity) : V(v);
}

/** The Rust kernel's loss on predictions `pv` (shape `ps`) and targets `tv`: `{ shape, vals: V[] }`. */
function reference(fn, ps, pv, tv, o) {
  const { rows, cols, perSample } = rowsCols(ps);
  const sums = LOSSES[fn].sums;
  const tc = LOSSES[fn].sparse ? 1 : cols;
  const conv = HINGES.includes(fn) && zeroOne(tv);
  const perRow = [];
  for (let r = 0; r < rows; r++) perRow.push(rowTerms(fn, pv.slice(r * cols, (r + 1) * cols), tv.slice(r * tc, (r + 1) * tc), o, conv));
  const den = sums ? 1 : cols;
  if (o.reduction === 'none') return { shape: ps.slice(0, -1), vals: perRow.map((terms) => div(rsum(terms), V(den))) };
  let whole = div(rsum(perRow.flat()), V(rows * den));
  if (o.reduction === 'sumOverFeatures') whole = mul(whole, V((sums ? 1 : cols) * perSample));
  return { shape: [], vals: [whole] };
}

// ---------------------------------------------------------------------------------------------
// The float64 definitions for central differences, with the branch each element takes.

/** One row's loss in float64 (a mean or a sum over the row, as the loss defines), pushing each branch taken onto `reg`. */
function row64(fn, p, t, o, conv, reg) {
  const k = p.length;
  const s = f32(o.labelSmoothing);
  const clip = (x, lo, hi) => {
    // Within float32's rounding of a limit (the kernel computes x, p/Σp, in float32) either
    // branch may be taken: not compared (seed 2071158442: p/Σp = 1 − 1.1e-7 beside 1 − ε).
    if (Math.abs(x - lo) <= 1e-6 * Math.abs(lo) || Math.abs(x - hi) <= 1e-6 * Math.abs(hi)) reg.push(NaN);
    reg.push(x < lo ? 'l' : x > hi ? 'h' : 'i');
    return Math.min(Math.max(x, lo), hi);
  };
  const lse64 = (z) => {
    const m = Math.max(...z);
    return m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
  };
  const mean = (f) => p.reduce((a, x, j) => a + f(x, t[j]), 0) / k;
  switch (fn) {
    case 'meanSquaredError': return mean((x, y) => (x - y) ** 2);
    case 'meanAbsoluteError': return mean((x, y) => (reg.push(Math.sign(x - y)), Math.abs(x - y)));
    case 'huber': {
      const d = f32(o.delta);
      return mean((x, y) => {
        const e = Math.abs(x - y);
        reg.push(e <= d, Math.sign(x - y));
        return e <= d ? 0.5 * e * e : d * e - 0.5 * d * d;
      });
    }
    case 'binaryCrossentropy': return mean((x, t0) => {
      const y = t0 * (1 - s) + 0.5 * s;
      if (o.fromLogits) return Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
      const c = clip(x, EPS, HI);
      return -(y * Math.log(c) + (1 - y) * Math.log(1 - c));
    });
    case 'categoricalCrossentropy': {
      const y = t.map((v) => v * (1 - s) + s / k);
      if (o.fromLogits) {
        const l = lse64(p);
        return y.reduce((a, v, j) => a + v * (l - p[j]), 0);
      }
      const S = p.reduce((a, v) => a + v, 0);
      // Ill-conditioned (the row sums to about 0): float32's Σp is off relatively; not compared.
      if (Math.abs(S) <= 0.1 * p.reduce((a, v) => a + Math.abs(v), 0)) reg.push(NaN);
      return -y.reduce((a, v, j) => a + v * Math.log(clip(p[j] / S, EPS, HI)), 0);
    }
    case 'sparseCategoricalCrossentropy': {
      const y = t[0];
      if (o.fromLogits) return lse64(p) - p[y];
      const c = p.map((v) => clip(v, EPS, HI));
      return Math.log(c.reduce((a, v) => a + v, 0)) - Math.log(c[y]);
    }
    case 'kullbackLeiblerDivergence': return p.reduce((a, x, j) => a + t[j] * Math.log(clip(t[j], EPS, 1) / clip(x, EPS, 1)), 0);
    case 'meanAbsolutePercentageError': return mean((x, y) => (reg.push(Math.sign(y - x), Math.abs(y) < EPS), (100 * Math.abs(y - x)) / Math.max(Math.abs(y), EPS)));
    case 'meanSquaredLogarithmicError': return mean((x, y) => (reg.push(x < EPS, y < EPS), (Math.log1p(Math.max(x, EPS)) - Math.log1p(Math.max(y, EPS))) ** 2));
    case 'logcosh': return mean((x, y) => Math.log(Math.cosh(x - y)));
    case 'poisson': return mean((x, y) => x - y * Math.log(x + EPS));
    case 'squaredHinge': return mean((x, t0) => {
      const y = conv ? 2 * t0 - 1 : t0;
      reg.push(1 - y * x > 0);
      return Math.max(0, 1 - y * x) ** 2;
    });
    case 'categoricalHinge': {
      const n = p.map((x, j) => (1 - t[j]) * x);
      const neg = Math.max(...n);
      const z = 1 + neg - p.reduce((a, x, j) => a + t[j] * x, 0);
      // The class attaining the max (a tie is a kink), and the side of max(0, z).
      reg.push(n.indexOf(neg), n.filter((v) => v === neg).length, z > 0);
      return Math.max(0, z);
    }
    case 'cosineProximity': {
      const st = t.reduce((a, x) => a + x * x, 0);
      const sp = p.reduce((a, x) => a + x * x, 0);
      reg.push(st < EPS, sp < EPS);
      return -p.reduce((a, x, j) => a + t[j] * x, 0) / (Math.sqrt(Math.max(st, EPS)) * Math.sqrt(Math.max(sp, EPS)));
    }
    default: return mean((x, t0) => {
      const y = conv ? 2 * t0 - 1 : t0;
      reg.push(1 - y * x > 0);
      return Math.max(0, 1 - y * x);
    });
  }
}

/**
 * The float64 loss of predictions `pv` and targets `tv` under `o.reduction`, seeded with `dy`
 * (`'none'`: Σ dy_r·loss_r; else dy[0]·loss; ones if null), and the branches taken (a string),
 * with hinge's convention `conv` held fixed.
 */
function loss64(fn, ps, pv, tv, o, conv, dy) {
  const { rows, cols, perSample } = rowsCols(ps);
  const tc = LOSSES[fn].sparse ? 1 : cols;
  const reg = [];
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const l = row64(fn, pv.slice(r * cols, (r + 1) * cols), tv.slice(r * tc, (r + 1) * tc), o, conv, reg);
    total += o.reduction === 'none' ? (dy ? dy[r] : 1) * l : l / rows;
  }
  if (o.reduction === 'sumOverFeatures') total *= (LOSSES[fn].sums ? 1 : cols) * perSample;
  if (o.reduction !== 'none' && dy) total *= dy[0];
  return { v: total, reg: reg.join() };
}

/**
 * Checks `got` (d/d`which`) against central differences of `loss64` in `which` ('p' or 't'),
 * skipping elements whose steps change a branch; `dy` the seed (see loss64).
 */
function checkFD(what, got, shape, fn, ps, pv, tv, o, dy, which) {
  compareShape(what, got, shape);
  const g = got.dataSync();
  const conv = HINGES.includes(fn) && zeroOne(tv);
  const base = loss64(fn, ps, pv, tv, o, conv, dy);
  const x = which === 'p' ? pv : tv;
  const at = (i, v) => {
    const q = x.slice();
    q[i] = v;
    return which === 'p' ? loss64(fn, ps, q, tv, o, conv, dy) : loss64(fn, ps, pv, q, o, conv, dy);
  };
  // A step small beside the value too: a probability of 2e-6 with a step of 1e-6 put ln's
  // central difference 10 % off (binaryCrossentropy, seed 29).
  const step = (v) => (v !== 0 && Math.abs(v) < 1e-3 ? 1e-3 * Math.abs(v) : 1e-6 * Math.max(1, Math.abs(v)));
  const want = x.map((v, i) => {
    const h = step(v);
    const up = at(i, v + h);
    const dn = at(i, v - h);
    if (up.reg !== base.reg || dn.reg !== base.reg || base.reg.includes('NaN')) return null;
    const d = (up.v - dn.v) / (2 * h);
    return Number.isFinite(d) ? d : null;
  });
  const { cols, perSample } = rowsCols(ps);
  const scale = Math.max(1, ...(dy ?? []).map(Math.abs)) * (o.reduction === 'sumOverFeatures' ? cols * perSample : 1);
  const big = Math.max(0, ...want.map((w) => Math.abs(w ?? 0)));
  for (let i = 0; i < x.length; i++) {
    if (want[i] === null) continue;
    // Plus the float64 rounding of the loss itself over the step (a zero target makes MAPE's 1e9).
    const tol = 2e-5 * scale + 1e-3 * Math.abs(want[i]) + 1e-5 * big + (4e-16 * Math.abs(base.v)) / step(x[i]);
    if (!(Math.abs(g[i] - want[i]) <= tol)) {
      throw new Mismatch(`${what} w.r.t. the ${which === 'p' ? 'predictions' : 'targets'}: element ${i} is ${g[i]}, central differences ${want[i]} (tolerance ${tol.toExponential(1)})`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Generators.

/** Predictions of rank 0–3 (rank 0 now and then), sizes 0–7 (a few hundred now and then), and targets that fit (or now and then do not). */
function shapes(rng, fn, tame = false) {
  const rank = !tame && rng.chance(0.05) ? 0 : rng.int(1, tame ? 2 : 3);
  let ps = Array.from({ length: rank }, () => (!tame && rng.chance(0.06) ? 0 : rng.int(1, tame ? 4 : 7)));
  // Now and then more than the 256-value blocks binary cross-entropy's ln kernel works in (rows of them too).
  if (!tame && rng.chance(0.03)) ps = rng.pick([[rng.int(250, 700)], [rng.int(1, 3), rng.int(250, 520)], [rng.int(40, 90), rng.int(3, 7)]]);
  const sparse = LOSSES[fn].sparse;
  let ts = sparse ? ps.slice(0, -1) : ps.slice();
  // The trailing axis of 1 added or dropped (accepted either way).
  if (rng.chance(0.12)) ts = ts.length && ts[ts.length - 1] === 1 ? ts.slice(0, -1) : [...ts, 1];
  if (!tame && rng.chance(0.08)) {
    switch (rng.int(0, 3)) {
      case 0: ts = [...ts, rng.int(2, 3)]; break;
      case 1: ts = [rng.int(2, 3), ...ts]; break;
      case 2: ts = ts.slice(1); break;
      default: ts = sparse ? ps.slice() : ts.map((d, i) => (i === ts.length - 1 ? d + 1 : d));
    }
  }
  return { ps, ts };
}

/** One prediction value of a kind: 'real', 'prob' (in and out of [0, 1], the clip limits), 'logit'. */
function predValue(rng, kind) {
  switch (kind) {
    case 'prob':
      if (rng.chance(0.12)) return rng.pick([0, 1, -0, EPS, HI, 1e-8, 1 - 1e-8, 0.5, 2e-7, 1e-40]);
      return rng.chance(0.85) ? rng.uniform(0, 1) : rng.uniform(-0.5, 1.5);
    case 'logit':
      if (rng.chance(0.1)) return rng.pick([20, -20, 50, -50, 88, -88, 100, -100, 1e4, -1e4]);
      return rng.uniform(-6, 6);
    case 'rate':
      // Poisson rates: ≥ 0 mostly; at −ε (ln 0) and below (NaN) now and then.
      if (rng.chance(0.1)) return rng.pick([0, EPS, -EPS, 1e-8, -0.5, 30, 1e4]);
      return rng.uniform(0, 5);
    default: return rng.chance(0.1) ? rng.int(-4, 4) : rng.uniform(-3, 3);
  }
}

/** `n` target values of a kind (rows of `cols`, or class indices below `cols`); `wild`: out of the domain now and then. */
function targetValues(rng, kind, cols, n, wild) {
  const out = [];
  switch (kind) {
    case 'class':
      for (let i = 0; i < n; i++) out.push(rng.chance(0.03) ? -0 : rng.int(0, Math.max(cols - 1, 0)));
      break;
    case 'sign': {
      const pm = rng.chance(0.5);
      for (let i = 0; i < n; i++) out.push(pm ? rng.pick([-1, 1]) : rng.pick([0, 1, 1, rng.chance(0.1) ? -0 : 0]));
      break;
    }
    case 'prob':
      for (let i = 0; i < n; i++) out.push(rng.chance(0.4) ? rng.int(0, 1) : rng.chance(0.1) ? rng.pick([EPS, 1e-40, -0, HI]) : rng.uniform(0, 1));
      break;
    case 'dist': {
      // Rows: one-hot, soft and normalised, soft and not summing to 1, all zeros.
      for (let r = 0; out.length < n; r++) {
        const k = Math.min(cols || 1, n - out.length);
        const form = rng.weighted({ onehot: 4, soft: 3, loose: 2, zeros: 1 });
        const row = new Array(k).fill(0);
        if (form === 'onehot') row[rng.int(0, k - 1)] = 1;
        else if (form !== 'zeros') {
          for (let j = 0; j < k; j++) row[j] = rng.chance(0.2) ? 0 : rng.uniform(0, 1);
          const t = row.reduce((a, b) => a + b, 0);
          if (form === 'soft' && t > 0) for (let j = 0; j < k; j++) row[j] = f32(row[j] / t);
        }
        out.push(...row);
      }
      break;
    }
    default:
      for (let i = 0; i < n; i++) out.push(wild && rng.chance(0.05) ? rng.pick([3.4e38, -3.4e38, 1e30, 1e-40, -0, 1e-30]) : predValue(rng, 'real'));
  }
  // Now and then one value out of the domain: non-finite, out of [0, 1], off the hinge grid, not a class.
  if (wild && n > 0 && rng.chance(0.08)) {
    const bad = { class: [cols, cols + 1, -1, 0.5, NaN, Infinity, 1e-40, 2 ** 31], sign: [0.5, -0.5, 2, 0, -1], prob: [-0.1, 1.5, 2, -1e-40, 1.0000001], dist: [-0.1, 1.5, -1e-40, 1.0000001], real: [NaN, Infinity, -Infinity] }[kind];
    out[rng.int(0, n - 1)] = rng.pick(bad);
  }
  if (wild && n > 0 && rng.chance(0.02)) out[rng.int(0, n - 1)] = rng.pick([NaN, Infinity, -Infinity]);
  return out.map(f32);
}

/** Prediction values; in `wild` mode 20% of tensors get specials. */
function predValues(rng, kind, n, wild) {
  const sp = wild && rng.chance(0.2) ? 0.12 : 0;
  return Array.from({ length: n }, () => f32(rng.chance(sp) ? rng.pick(SPECIALS) : predValue(rng, kind)));
}

/** A good or bad value for option `key`: `{ v, ok }`. */
function optionValue(rng, key) {
  const bad = rng.chance(0.1);
  switch (key) {
    case 'fromLogits':
      return bad ? { v: rng.pick([1, 0, 'true', null, 'yes']), ok: false } : { v: rng.pick([true, false, undefined]), ok: true };
    case 'labelSmoothing':
      if (bad) return { v: rng.pick([-0.1, 1.5, 2, NaN, Infinity, '0.1', null, 1e39, 1.0000002]), ok: false };
      return { v: rng.pick([undefined, 0, 0.1, 0.2, 1, -0, 1e-45, 1.00000001, f32(rng.uniform(0, 1))]), ok: true };
    case 'delta':
      if (bad) return { v: rng.pick([0, -0, -1, NaN, Infinity, -Infinity, '1', null, 1e39, 1e-46]), ok: false };
      return { v: rng.pick([undefined, 1, 0.5, 2, 0.1, 1e-3, 100, 1e-40, f32(rng.uniform(0.05, 3))]), ok: true };
    default: {
      if (bad) return { v: rng.pick(['sum', 'MEAN', 'Mean', 'sum_over_batch_size', 'auto', 0, 1, 2, 3, null, true]), ok: false };
      return { v: rng.pick([undefined, 'mean', 'mean', 'sumOverFeatures', 'none', 'none']), ok: true };
    }
  }
}

/**
 * An options argument of `fn`: `{ arg, o, ok, proto? }`, `o` the resolved options. `perSample`:
 * whether reduction 'none' is valid. Keys of other losses, typos, non-object options and options
 * that inherit a key (`proto`, as ts/options.ts's optionKeys rejects them) are errors.
 */
function optionsArg(rng, fn, perSample) {
  const o = { delta: 1, fromLogits: false, labelSmoothing: 0, reduction: 'mean' };
  if (rng.chance(0.12)) return { arg: undefined, o, ok: true };
  if (rng.chance(0.03)) {
    // Not an options object (meanSquaredError reads numbers, arrays and null as TF.js's weights).
    const mse = fn === 'meanSquaredError';
    return { arg: rng.pick(mse ? ['mean', true, () => 1, 5n] : ['mean', true, () => 1, 5n, 0, 0.5, null, [], [0.5], Float32Array.of(1)]), o, ok: false };
  }
  const arg = {};
  let ok = true;
  for (const key of [...LOSSES[fn].keys, 'reduction']) {
    if (!rng.chance(key === 'reduction' ? 0.75 : 0.6)) continue;
    const { v, ok: good } = optionValue(rng, key);
    arg[key] = v;
    ok &&= good && !(key === 'reduction' && v === 'none' && !perSample);
    if (good && v !== undefined) o[key] = v;
  }
  if (rng.chance(0.05)) {
    // A key this loss does not take (another loss's, Keras's spelling, a typo).
    const stray = rng.pick(['delta', 'fromLogits', 'labelSmoothing', 'from_logits', 'label_smoothing', 'axis', 'weights', 'reductions', 'epsilon', 'name', 'constructor', 'toString'].filter((k) => !LOSSES[fn].keys.includes(k)));
    arg[stray] = rng.pick([undefined, 1, true]);
    ok = false;
  }
  const free = [...LOSSES[fn].keys, 'reduction'].filter((k) => !(k in arg));
  if (free.length && rng.chance(0.02)) {
    // A key inherited (not shadowed by an own one).
    const key = rng.pick(free);
    const proto = { [key]: optionValue(rng, key).v ?? 'mean' };
    return { arg: inheriting(proto, arg), o, ok: false, proto };
  }
  return { arg, o, ok };
}

/** `own`'s keys on an object whose prototype is `proto`, named as that expression in the call log. */
function inheriting(proto, own) {
  const o = Object.assign(Object.create(proto), own);
  names.set(o, `Object.assign(Object.create(${render(proto)}), ${render(own)})`);
  return o;
}

/** A yTrue/yPred argument: a tensor or TensorLike, now and then garbage or a disposed tensor. */
function tensorOrBad(ctx, shape, values) {
  const { rng } = ctx;
  if (rng.chance(0.03)) return { arg: rng.chance(0.5) ? garbage(rng) : ctx.disposed(), bad: true };
  return { ...tensorArg(ctx, shape, values), bad: false };
}

/** A random problem for `fn`: shapes, values, whether they are valid. */
function problem(ctx, fn, o, tame) {
  const { rng } = ctx;
  const { ps, ts } = shapes(rng, fn, tame);
  const { cols } = rowsCols(ps);
  const spec = LOSSES[fn];
  const pk = spec.p === 'prob' && o.fromLogits ? 'logit' : spec.p;
  const tv = targetValues(rng, spec.t, cols, sizeOf(ts), !tame);
  const pv = predValues(rng, pk, sizeOf(ps), !tame);
  // Empty predictions (no rows, or rows of no values) give what the formula gives (NaN for a
  // mean of nothing, as TF.js; the values are pinned by test/losses.test.ts and the core's
  // tests): accepted, with the targets checked as for values.
  const { rows } = rowsCols(ps);
  const empty = (rows === 0 || cols === 0) && (spec.sparse ? sameUpTo1(ts, ps.slice(0, -1)) : sameUpTo1(ts, ps)) && targetsOk(fn, tv, cols);
  return { ps, ts, pv, tv, ok: shapeOk(fn, ps, ts) && targetsOk(fn, tv, cols), empty };
}

/** The Keras-form losses, every option and reduction, against the float32/float64 reference. */
const lossOp = {
  name: 'losses (Keras form)', weight: 10,
  gen(ctx) {
    const { rng, nr } = ctx;
    const fn = rng.pick(NAMES);
    const opt = optionsArg(rng, fn, true);
    const pr = problem(ctx, fn, opt.o, false);
    const T = tensorOrBad(ctx, pr.ts, pr.tv);
    const P = tensorOrBad(ctx, pr.ps, pr.pv);
    const args = trim([T.arg, P.arg, opt.arg], 2);
    return {
      op: `losses.${fn}`, args, names: [fn], expect: opt.ok && !T.bad && !P.bad ? (pr.ok || pr.empty ? 'ok' : 'error') : 'error',
      run: () => nr.losses[fn](...args),
      check: pr.empty ? undefined : (t) => compare(`losses.${fn}`, t, toRef(reference(fn, pr.ps, pr.pv, pr.tv, opt.o)), false),
    };
  },
};

/** `lossGradient(loss, yTrue, yPred, options)`: the loss by name, alias or config; against central differences. */
const lossGradientOp = {
  name: 'losses.lossGradient', weight: 4,
  gen(ctx) {
    const { rng, nr } = ctx;
    const fn = rng.pick(NAMES);
    const opt = optionsArg(rng, fn, false);
    let loss = fn;
    let ok = opt.ok;
    let o = opt.o;
    let options = opt.arg;
    const form = rng.weighted({ name: 4, alias: 1, config: 3, badName: 0.5, badConfig: 0.5 });
    if (form === 'alias') {
      const a = Object.keys(ALIASES).find((k) => ALIASES[k] === fn);
      if (a) loss = a;
    } else if (form === 'config' && opt.arg !== null && typeof opt.arg === 'object' && !Array.isArray(opt.arg) && !ArrayBuffer.isView(opt.arg)) {
      // Some options in the config, the rest (which override it) as options.
      const cfg = { name: rng.chance(0.2) ? (Object.keys(ALIASES).find((k) => ALIASES[k] === fn) ?? fn) : fn };
      options = {};
      for (const [k, v] of Object.entries(opt.arg)) (rng.chance(0.5) ? cfg : options)[k] = v;
      if (opt.proto) options = inheriting(opt.proto, options);
      else if (rng.chance(0.3) && Object.keys(options).length === 0) options = rng.pick([undefined, {}]);
      if (rng.chance(0.04)) {
        // Options that are not an object, after a config: as invalid as after a name.
        options = rng.pick([true, null, () => 1, 5n, 'mean', 0]);
        ok = false;
      }
      loss = cfg;
    } else if (form === 'badName') {
      loss = rng.pick(['MSE', 'meanSquaredErrors', 'crossentropy', '', 'binary_crossentropy', 'constructor', 'toString', '__proto__', 7, null, undefined, () => 1, ['mse']]);
      ok = false;
    } else if (form === 'badConfig') {
      // Configs without a name, with unknown keys or 'none', and ones that inherit keys (their own must be the whole config).
      loss = rng.pick([{}, { delta: 1 }, { Name: fn }, { name: 'nope' }, { name: fn, reduction: 'none' }, { name: fn, bogus: 1 },
        inheriting({ name: fn }, {}), inheriting({ reduction: 'sumOverFeatures' }, { name: fn })]);
      ok = false;
    }
    const tame = rng.chance(0.6);
    const pr = problem(ctx, fn, o, tame);
    const T = tensorOrBad(ctx, pr.ts, pr.tv);
    const P = tensorOrBad(ctx, pr.ps, pr.pv);
    const args = trim([loss, T.arg, P.arg, options], 3);
    return {
      op: 'losses.lossGradient', args, names: ['lossGradient', fn], expect: ok && !T.bad && !P.bad ? (pr.ok || pr.empty ? 'ok' : 'error') : 'error',
      run: () => nr.losses.lossGradient(...args),
      check: pr.empty ? (g) => compareShape('losses.lossGradient', g, pr.ps) : (g) => {
        const what = `losses.lossGradient(${fn})`;
        if (tame) return checkFD(what, g, pr.ps, fn, pr.ps, pr.pv, pr.tv, o, null, 'p');
        compareShape(what, g, pr.ps);
        // A NaN prediction gives a NaN gradient at that value (crates/core/src/losses/mod.rs).
        const d = g.dataSync();
        pr.pv.forEach((v, i) => {
          if (Number.isNaN(v) && !Number.isNaN(d[i])) throw new Mismatch(`${what}: element ${i} is ${d[i]} at a NaN prediction, expected NaN`);
        });
      },
    };
  },
};

/** `grads` of a loss w.r.t. its targets and predictions (every reduction; dy now and then). */
const gradOp = {
  name: 'grads of a Keras-form loss', weight: 4,
  gen(ctx) {
    const { rng, nr } = ctx;
    const fn = rng.pick(NAMES);
    const o = { delta: 1, fromLogits: false, labelSmoothing: 0, reduction: rng.pick(REDUCTIONS) };
    const options = { reduction: o.reduction };
    if (fn === 'huber') options.delta = o.delta = f32(rng.uniform(0.3, 2));
    if (LOSSES[fn].keys.includes('fromLogits')) options.fromLogits = o.fromLogits = rng.chance(0.5);
    if (LOSSES[fn].keys.includes('labelSmoothing')) options.labelSmoothing = o.labelSmoothing = rng.pick([0, 0.1, f32(rng.uniform(0, 0.5))]);
    const pr = problem(ctx, fn, o, true);
    if (!pr.ok) return null;
    const T = ctx.fresh(pr.ts, pr.tv);
    const P = ctx.fresh(pr.ps, pr.pv);
    const outShape = o.reduction === 'none' ? pr.ps.slice(0, -1) : [];
    const dyv = rng.chance(0.4) ? Array.from({ length: sizeOf(outShape) }, () => f32(rng.uniform(-2, 2))) : null;
    const dy = dyv ? ctx.fresh(outShape, dyv) : null;
    const f = (t, p) => nr.losses[fn](t, p, options);
    return {
      op: 'grads', line: `grads((t, p) => losses.${fn}(t, p, ${ctx.show(options)}))([${T.name}, ${P.name}]${dy ? `, ${dy.name}` : ''})`,
      names: ['grads', fn], expect: 'ok',
      run: () => nr.grads(f)([T.t, P.t], dy?.t),
      check: (gs) => {
        if (!Array.isArray(gs) || gs.length !== 2 || !gs.every((g) => g instanceof nr.Tensor)) throw new Mismatch('grads: not two gradient tensors');
        const what = `grads of losses.${fn}`;
        if (LOSSES[fn].sparse) {
          // Class indices have no gradient: zeros of the targets' shape.
          compare(`${what} w.r.t. the class indices`, gs[0], { shape: pr.ts, vals: new Array(sizeOf(pr.ts)).fill(0) }, true);
        } else checkFD(what, gs[0], pr.ts, fn, pr.ps, pr.pv, pr.tv, o, dyv, 't');
        checkFD(what, gs[1], pr.ps, fn, pr.ps, pr.pv, pr.tv, o, dyv, 'p');
      },
    };
  },
};

export default {
  name: 'kerasLosses',
  weight: 2,
  ops: [lossOp, lossGradientOp, gradOp],
};
