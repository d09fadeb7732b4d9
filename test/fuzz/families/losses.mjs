/**
 * TF.js's `tf.losses` forms (ts/weighted_losses.ts, and `losses.meanSquaredError`'s TF.js form)
 * and `math.confusionMatrix` (ts/ops/confusion_matrix.ts): every loss on shapes of rank 0–3
 * (sizes 0–6) with values in and out of its domain (NaN, ±Infinity, huge, subnormal, −0), weights
 * of every form (omitted, null, a number, a tensor, nested arrays, a Float32Array; shapes that
 * broadcast to the losses and shapes that do not), every reduction and bad ones, bad `delta`,
 * `epsilon`, `labelSmoothing` and `axis`; `computeWeightedLoss` with all-zero weights and empty
 * losses; confusionMatrix against a JS count (exact); and `grad` of a loss w.r.t. the predictions
 * against central finite differences of a float64 definition.
 *
 * The reference repeats the losses' arithmetic in float64, rounding to float32 after every
 * element-wise op as neurite does (so overflow, Infinity·0 and the like come out as neurite's),
 * and tracks with each value an error scale `m`: 0 for a value the IEEE ops give exactly, the
 * magnitudes that ulp-accurate exp/log/log1p/logSoftmax and float32 sums may be off by relative
 * to, or Infinity where the result depends on rounding neurite is free to do differently (a
 * partial sum that may overflow, a divisor that cancels to about 0). `compare` gets `m` as its
 * `mag` (tolerance 1e-5 + 1e-4·|e| + 1e-4·m); an unreliable value is skipped (mag Infinity).
 * The value-with-error-scale helpers live in ../error_scale.mjs (keras_losses.mjs uses them too).
 */
import { compare, Mismatch } from '../checks.mjs';
import { broadcastShape, strides } from '../reference.mjs';
import { garbage, tensorLike } from '../values.mjs';
import { f32, V, U, ONE, TWO, HALF, add, sub, mul, div, minimum, maximum, neg, abs, relu, square, log, exp, log1p, rsum, toRef } from '../error_scale.mjs';

const sizeOf = (s) => s.reduce((a, b) => a * b, 1);

/** The flat index into `shape` (broadcast to `out`) of every element of `out`, in order. */
function bcIndices(shape, out) {
  const st = strides(shape);
  const off = out.length - shape.length;
  const n = sizeOf(out);
  const idx = new Array(out.length).fill(0);
  const res = new Array(n);
  for (let k = 0; k < n; k++) {
    let j = 0;
    for (let d = 0; d < shape.length; d++) if (shape[d] !== 1) j += idx[d + off] * st[d];
    res[k] = j;
    for (let d = out.length - 1; d >= 0; d--) {
      if (++idx[d] < out[d]) break;
      idx[d] = 0;
    }
  }
  return res;
}

/** Whether weights of shape `ws` broadcast *to* `ls` (each axis 1 or the losses' size; extra leading axes 1). */
function weightsFit(ws, ls) {
  for (let i = 1; i <= ws.length; i++) {
    const d = ws[ws.length - i];
    const l = i <= ls.length ? ls[ls.length - i] : 1;
    if (d !== 1 && d !== l) return false;
  }
  return true;
}

/**
 * TF.js's computeWeightedLoss, op for op: `L` the losses ({ shape, vals: V[] }), `W` the weights
 * ({ shape, vals: float32 numbers }) or null, `r` the reduction (0–3).
 */
function weigh(L, W, r) {
  const n = sizeOf(L.shape);
  let shape = L.shape;
  let weighted = L.vals;
  if (W) {
    shape = broadcastShape(L.shape, W.shape);
    const li = bcIndices(L.shape, shape);
    const wi = bcIndices(W.shape, shape);
    weighted = li.map((i, k) => mul(L.vals[i], V(W.vals[wi[k]])));
  }
  const scalar = (a) => ({ shape: [], vals: [a] });
  switch (r) {
    case 0:
      return { shape, vals: weighted };
    case 2:
      return scalar(rsum(weighted));
    case 1: {
      if (!W) return scalar(rsum(weighted.map((a) => div(a, V(n)))));
      let res = div(rsum(weighted), rsum(W.vals.map((w) => V(w))));
      const factor = n / sizeOf(W.shape);
      if (factor > 1) res = div(res, V(f32(factor)));
      return scalar(res);
    }
    default: {
      if (!W) return scalar(div(rsum(weighted), V(n)));
      // notEqual(w, 0) counts NaN weights and not −0 ones; times size / w.size (NaN for 0 / 0).
      const nz = W.vals.filter((w) => w !== 0).length;
      return scalar(div(rsum(weighted), V(f32(nz * f32(n / sizeOf(W.shape))))));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The losses, element-wise (or per example), as ts/weighted_losses.ts composes them.

/** Element-wise losses `f(label, prediction, param)` over V values. */
const ELEMENT = {
  absoluteDifference: (l, p) => abs(sub(l, p)),
  meanSquaredError: (l, p) => square(sub(l, p)),
  hingeLoss: (l, p) => relu(sub(ONE, mul(sub(mul(TWO, l), ONE), p))),
  huberLoss: (l, p, delta) => {
    const d = V(f32(delta));
    const error = abs(sub(p, l));
    const quadratic = minimum(error, d);
    const linear = sub(error, quadratic);
    return add(mul(HALF, square(quadratic)), mul(d, linear));
  },
  logLoss: (l, p, epsilon) => {
    const eps = V(f32(epsilon));
    const l1 = neg(mul(l, log(add(p, eps))));
    const l2 = mul(sub(ONE, l), log(add(sub(ONE, p), eps)));
    return sub(l1, l2);
  },
  sigmoidCrossEntropy: (l, x, s) => {
    const z = s > 0 ? add(mul(l, V(f32(1 - f32(s)))), V(f32(0.5 * f32(s)))) : l;
    const absX = maximum(neg(x), x);
    return add(sub(relu(x), mul(x, z)), log1p(exp(neg(absX))));
  },
};

/** The defaults of each loss's extra parameter. */
const PARAM = {
  // Checked as the float32 the ops use (1e39 is Infinity there, 1e-46 is 0).
  huberLoss: { name: 'delta', def: 1, ok: (v) => typeof v === 'number' && Number.isFinite(f32(v)) && f32(v) > 0 },
  logLoss: { name: 'epsilon', def: 1e-7, ok: (v) => typeof v === 'number' && Number.isFinite(f32(v)) && f32(v) >= 0 },
  sigmoidCrossEntropy: { name: 'labelSmoothing', def: 0, ok: (v) => typeof v === 'number' && Number.isFinite(f32(v)) && f32(v) >= 0 && f32(v) <= 1 },
  softmaxCrossEntropy: { name: 'labelSmoothing', def: 0, ok: (v) => typeof v === 'number' && Number.isFinite(f32(v)) && f32(v) >= 0 && f32(v) <= 1 },
};

/** logSoftmax of one row (numbers), with the specials of reference.mjs's softmax (neurite's). */
function logSoftmaxRow(xs) {
  const m = xs.some(Number.isNaN) ? NaN : Math.max(...xs);
  const s = xs.reduce((a, x) => a + Math.exp(x - m), 0);
  const lse = Math.log(s);
  return xs.map((x) => {
    const v = x - m - lse;
    if (Number.isNaN(v)) return V(NaN);
    if (!Number.isFinite(v)) return x === -Infinity ? V(-Infinity) : U;
    const r = f32(v);
    // Rounding x − max − log Σ: relative to |x − max| and |lse|, plus the sum's absolute error.
    return Number.isFinite(r) ? V(r, Math.abs(x - m) + Math.abs(lse) + 0.1) : U;
  });
}

/** Per-example softmax cross-entropy over the last axis. */
function softmaxLosses(lab, x, s) {
  const shape = lab.shape.slice(0, -1);
  const k = lab.shape[lab.shape.length - 1];
  const rows = sizeOf(shape);
  const a = V(f32(1 - f32(s)));
  const b = V(f32(f32(s) / k));
  const vals = [];
  for (let r = 0; r < rows; r++) {
    const xs = Array.from(x.slice(r * k, (r + 1) * k));
    const ls = logSoftmaxRow(xs);
    const terms = ls.map((lv, j) => {
      const y0 = V(lab.vals[r * k + j]);
      const y = s > 0 ? add(mul(y0, a), b) : y0;
      return neg(mul(lv, y));
    });
    vals.push(rsum(terms));
  }
  return { shape, vals };
}

/** Per-position cosine distance `1 − Σ l·p` along `axis` (kept as 1). */
function cosineLosses(shape, l, p, axis) {
  const out = shape.map((d, i) => (i === axis ? 1 : d));
  const groups = Array.from({ length: sizeOf(out) }, () => []);
  const ost = strides(out);
  const idx = new Array(shape.length).fill(0);
  for (let k = 0; k < sizeOf(shape); k++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) if (d !== axis) o += idx[d] * ost[d];
    groups[o].push(mul(V(l[k]), V(p[k])));
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return { shape: out, vals: groups.map((g) => sub(ONE, rsum(g))) };
}

// ---------------------------------------------------------------------------------------------
// Generators.

/** A shape of rank 0–3, sizes 0–6 (0 now and then). */
function lossShape(rng, minRank = 0) {
  const rank = rng.int(minRank, 3);
  return Array.from({ length: rank }, () => (rng.chance(0.07) ? 0 : rng.int(1, 6)));
}

export const SPECIALS = [NaN, Infinity, -Infinity, -0, 0, 3.4e38, -3.4e38, 1e-40, -1e-40, 1e30, -1e30, 1e-30];

/** One value of a loss's domain: `real`, `bit` (0/1 labels), `prob`, `logit`. */
function one(rng, kind) {
  switch (kind) {
    case 'bit': return rng.chance(0.8) ? rng.int(0, 1) : rng.chance(0.5) ? rng.uniform(0, 1) : rng.pick([-1, 2]);
    case 'prob': return rng.chance(0.1) ? rng.pick([0, 1, 1e-7, 1 - 1e-7]) : rng.chance(0.9) ? rng.uniform(0, 1) : rng.uniform(-0.5, 1.5);
    case 'logit': return rng.chance(0.1) ? rng.pick([20, -20, 50, -50, 88, -88, 100, -100, 1e4, -1e4]) : rng.uniform(-6, 6);
    default: return rng.chance(0.1) ? rng.int(-4, 4) : rng.uniform(-3, 3);
  }
}

/** `n` float32 values of `kind`; now and then (20% of tensors) specials among them. */
function vals(rng, n, kind) {
  const sp = rng.chance(0.2) ? 0.12 : 0;
  return Array.from({ length: n }, () => f32(rng.chance(sp) ? rng.pick(SPECIALS) : one(rng, kind)));
}

/** A tensor argument: a fresh tensor (pool), a pool tensor of the shape, or TensorLike now and then. */
export function tensorArg(ctx, shape, values) {
  const { rng } = ctx;
  const e = ctx.fresh(shape, values);
  if (rng.chance(0.12)) {
    const like = tensorLike(rng, e);
    if (like !== null) return { arg: like, vals: e.vals };
  }
  return { arg: e.t, vals: e.vals };
}

/** Weights values: positive with zeros, any values, all zeros, or one value repeated. */
function weightVals(rng, n) {
  switch (rng.weighted({ pos: 4, any: 2, zeros: 1, ones: 1 })) {
    case 'pos': return Array.from({ length: n }, () => (rng.chance(0.3) ? 0 : f32(rng.uniform(0, 2))));
    case 'any': return vals(rng, n, 'real');
    case 'zeros': return Array.from({ length: n }, () => (rng.chance(0.2) ? -0 : 0));
    default: return new Array(n).fill(1);
  }
}

/** A weights shape that broadcasts to `ls` (extra leading 1s, trailing axes 1 or the losses' size). */
function fitShape(rng, ls) {
  const extra = rng.chance(0.12) ? rng.int(1, 2) : 0;
  const r = rng.int(0, ls.length);
  return [...new Array(extra).fill(1), ...ls.slice(ls.length - r).map((d) => (rng.chance(0.35) ? 1 : d))];
}

/** A weights shape that (usually) does not: a leading axis > 1, an axis too big, a whole other shape. */
function misfitShape(rng, ls) {
  const s = fitShape(rng, ls);
  switch (rng.int(0, 2)) {
    case 0: return [rng.int(2, 3), ...s];
    case 1: {
      if (s.length === 0) return [rng.int(2, 4)];
      const i = rng.int(0, s.length - 1);
      const out = s.slice();
      out[i] = out[i] === 0 ? 2 : out[i] + rng.int(1, 2);
      return out;
    }
    default: return lossShape(rng, 1);
  }
}

/**
 * A weights argument for losses of shape `ls`: `{ arg, W, ok, omit }`, `W` the reference's
 * weights (null for none), `ok` whether it is valid, `omit` to leave the argument out.
 */
function weightsArg(ctx, ls) {
  const { rng } = ctx;
  const kind = rng.weighted({ omit: 3, null: 2, number: 3, tensor: 7, nested: 2, misfit: 2, garbage: 1, disposed: 0.5 });
  switch (kind) {
    case 'omit': return { arg: undefined, W: null, ok: true, omit: true };
    case 'null': return { arg: null, W: null, ok: true };
    case 'number': {
      const w = rng.chance(0.15) ? rng.pick([0, -0, NaN, Infinity, 3.4e38, 1e-40, -1]) : rng.chance(0.5) ? rng.int(0, 3) : rng.uniform(0, 3);
      return { arg: w, W: { shape: [], vals: [f32(w)] }, ok: true };
    }
    case 'tensor':
    case 'nested':
    case 'misfit': {
      const ws = kind === 'misfit' ? misfitShape(rng, ls) : fitShape(rng, ls);
      const n = sizeOf(ws);
      if (n > 2000) return { arg: undefined, W: null, ok: true, omit: true };
      const wv = weightVals(rng, n);
      const e = ctx.fresh(ws, wv);
      let arg = e.t;
      if (kind === 'nested' || (kind === 'misfit' && rng.chance(0.3))) {
        const like = tensorLike(rng, e);
        if (like !== null) arg = like;
      }
      return { arg, W: { shape: ws, vals: Array.from(e.vals) }, ok: weightsFit(ws, ls) };
    }
    case 'garbage': {
      const g = garbage(rng);
      // meanSquaredError reads a non-weights third argument as its options (the kernel form) when
      // no reduction is given: its caller gives one.
      return { arg: g, W: null, ok: g === null || g === undefined, garbage: true, omit: g === undefined };
    }
    default: return { arg: ctx.disposed(), W: null, ok: false };
  }
}

const GOOD_REDUCTIONS = [undefined, 0, 1, 2, 3, -0];
const BAD_REDUCTIONS = [4, 5, -1, 'mean', 'MEAN', 'sum', 1.5, null, NaN, '1', true, Infinity];

/** `{ arg, r, ok }`: a reduction (undefined: the default) or a bad one. */
function reductionArg(rng) {
  if (rng.chance(0.08)) return { arg: rng.pick(BAD_REDUCTIONS), r: 3, ok: false };
  const arg = rng.pick(GOOD_REDUCTIONS);
  return { arg, r: arg === undefined ? 3 : arg === 0 ? 0 : arg, ok: true };
}

/** An extra parameter (delta, epsilon, labelSmoothing): good values (undefined: the default) and bad ones. */
function paramArg(rng, fn) {
  const bad = {
    huberLoss: [0, -0, -1, NaN, Infinity, -Infinity, '1', null, 1e39, 1e-46],
    logLoss: [-1e-7, -1, NaN, Infinity, '0', null, 1e39],
    sigmoidCrossEntropy: [-0.1, 1.5, 2, NaN, Infinity, '0.1', null],
    softmaxCrossEntropy: [-0.1, 1.0000001, 2, NaN, -Infinity, '0.1', null],
  }[fn];
  if (rng.chance(0.08)) return rng.pick(bad);
  switch (fn) {
    case 'huberLoss': return rng.pick([undefined, 1, 0.5, 2, 0.1, 1e-3, 100, f32(rng.uniform(0.05, 3))]);
    case 'logLoss': return rng.pick([undefined, 1e-7, 0, 1e-3, 0.5, 1e-12]);
    default: return rng.pick([undefined, 0, 0, 0.1, 0.5, 1, -0, f32(rng.uniform(0, 1))]);
  }
}

/** Drops trailing `undefined` arguments the call leaves out (the same call, shorter to read). */
export function trim(args, keep) {
  const out = args.slice();
  while (out.length > keep && out[out.length - 1] === undefined) out.pop();
  return out;
}

/** Labels and predictions (or logits) of a loss: their value kinds. */
const KINDS = {
  absoluteDifference: ['real', 'real'],
  meanSquaredError: ['real', 'real'],
  hingeLoss: ['bit', 'real'],
  huberLoss: ['real', 'real'],
  logLoss: ['prob', 'prob'],
  sigmoidCrossEntropy: ['prob', 'logit'],
  softmaxCrossEntropy: ['prob', 'logit'],
  cosineDistance: ['real', 'real'],
};

/** Labels and predictions of shape `s` (predictions of another shape now and then); a garbage or disposed one. */
function inputs(ctx, fn, s) {
  const { rng } = ctx;
  const [lk, pk] = KINDS[fn];
  const fault = rng.chance(0.1) ? rng.pick(['shape', 'shape', 'garbage', 'disposed']) : null;
  let ps = s;
  if (fault === 'shape') {
    ps = rng.chance(0.5) && s.length > 0 ? s.slice(1) : [...s, rng.int(1, 3)];
    if (rng.chance(0.3) && s.length > 0) {
      ps = s.slice();
      ps[rng.int(0, s.length - 1)] += 1;
    }
  }
  let lv = vals(rng, sizeOf(s), lk);
  if (fn === 'softmaxCrossEntropy' && s.length > 0 && rng.chance(0.6)) {
    // One-hot rows (labels that sum to 1), as softmaxCrossEntropy expects.
    const k = s[s.length - 1];
    lv = lv.map(() => 0);
    for (let i = 0; i + k <= lv.length && k > 0; i += k) lv[i + rng.int(0, k - 1)] = 1;
  }
  const L = tensorArg(ctx, s, lv);
  const P = tensorArg(ctx, ps, vals(rng, sizeOf(ps), pk));
  let ok = ps.length === s.length && ps.every((d, i) => d === s[i]);
  if (fault === 'garbage' || fault === 'disposed') {
    const bad = fault === 'garbage' ? garbage(rng) : ctx.disposed();
    if (rng.chance(0.5)) L.arg = bad;
    else P.arg = bad;
    ok = false;
  }
  return { L, P, ok };
}

/** TF.js-form losses with labels and predictions of one shape: absoluteDifference, meanSquaredError, hingeLoss, huberLoss, logLoss, sigmoidCrossEntropy. */
const elementwiseOp = {
  name: 'losses (element-wise)', weight: 8,
  gen(ctx) {
    const { rng, nr } = ctx;
    const fn = rng.pick(['absoluteDifference', 'meanSquaredError', 'hingeLoss', 'huberLoss', 'logLoss', 'sigmoidCrossEntropy']);
    const s = lossShape(rng);
    const { L, P, ok: inOk } = inputs(ctx, fn, s);
    const mse = fn === 'meanSquaredError';
    const w = weightsArg(ctx, s);
    let red = reductionArg(rng);
    // meanSquaredError's TF.js form: weights (a tensor, number, array or null) or a reduction given.
    if (mse && (w.omit || w.garbage) && red.arg === undefined) {
      const r = rng.pick([0, 1, 2, 3]);
      red = { arg: r, r, ok: true };
    }
    const param = PARAM[fn];
    const pv = param ? paramArg(rng, fn) : undefined;
    const pOk = !param || pv === undefined || param.ok(pv);
    const args = param ? [L.arg, P.arg, w.arg, pv, red.arg] : [L.arg, P.arg, w.arg, red.arg];
    const ok = inOk && w.ok && red.ok && pOk;
    const call = trim(args, 2);
    return {
      op: `losses.${fn}`, args: call, names: [fn], expect: ok ? 'ok' : 'error',
      run: () => nr.losses[fn](...call),
      check: (t) => {
        const pval = param ? (pv === undefined ? param.def : pv) : undefined;
        const losses = { shape: s, vals: Array.from(L.vals, (l, i) => ELEMENT[fn](V(l), V(P.vals[i]), pval)) };
        compare(`losses.${fn}`, t, toRef(weigh(losses, w.W, red.r)), false);
      },
    };
  },
};

const cosineOp = {
  name: 'losses.cosineDistance', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    // Rank 0 (no axis is valid) now and then.
    const s = lossShape(rng, rng.chance(0.05) ? 0 : 1);
    const { L, P, ok: inOk } = inputs(ctx, 'cosineDistance', s);
    const r = s.length;
    const axisOk = r > 0 && rng.chance(0.9);
    const axis = axisOk ? rng.int(-r, r - 1) : rng.pick([r, r + 1, -r - 1, 0.5, 1.5, NaN, Infinity, undefined, null, '0']);
    const k = axisOk ? (axis < 0 ? axis + r : axis) : 0;
    const ls = axisOk ? s.map((d, i) => (i === k ? 1 : d)) : s;
    const w = weightsArg(ctx, ls);
    const red = reductionArg(rng);
    const args = trim([L.arg, P.arg, axis, w.arg, red.arg], 3);
    return {
      op: 'losses.cosineDistance', args, names: ['cosineDistance'], expect: inOk && axisOk && w.ok && red.ok ? 'ok' : 'error',
      run: () => nr.losses.cosineDistance(...args),
      check: (t) => compare('losses.cosineDistance', t, toRef(weigh(cosineLosses(s, L.vals, P.vals, k), w.W, red.r)), false),
    };
  },
};

const softmaxOp = {
  name: 'losses.softmaxCrossEntropy', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const s = lossShape(rng, rng.chance(0.05) ? 0 : 1);
    const { L, P, ok: inOk } = inputs(ctx, 'softmaxCrossEntropy', s);
    const ls = s.slice(0, -1);
    const w = weightsArg(ctx, ls);
    const red = reductionArg(rng);
    const sm = paramArg(rng, 'softmaxCrossEntropy');
    const smOk = sm === undefined || PARAM.softmaxCrossEntropy.ok(sm);
    const args = trim([L.arg, P.arg, w.arg, sm, red.arg], 2);
    return {
      op: 'losses.softmaxCrossEntropy', args, names: ['softmaxCrossEntropy'],
      expect: inOk && s.length > 0 && w.ok && red.ok && smOk ? 'ok' : 'error',
      run: () => nr.losses.softmaxCrossEntropy(...args),
      check: (t) => {
        const losses = softmaxLosses({ shape: s, vals: L.vals }, P.vals, sm ?? 0);
        compare('losses.softmaxCrossEntropy', t, toRef(weigh(losses, w.W, red.r)), false);
      },
    };
  },
};

const weightedOp = {
  name: 'losses.computeWeightedLoss', weight: 3,
  gen(ctx) {
    const { rng, nr } = ctx;
    const s = rng.chance(0.1) ? rng.pick([[0], [0, 3], [2, 0]]) : lossShape(rng);
    let lossesOk = true;
    let L;
    if (rng.chance(0.05)) {
      L = { arg: rng.chance(0.5) ? garbage(rng) : ctx.disposed(), vals: [] };
      lossesOk = false;
    } else {
      L = tensorArg(ctx, s, vals(rng, sizeOf(s), rng.chance(0.7) ? 'real' : 'prob'));
    }
    let w = weightsArg(ctx, s);
    if (rng.chance(0.1)) {
      // All-zero weights of the losses' shape: MEAN and SUM_BY_NONZERO_WEIGHTS are 0 / 0.
      const e = ctx.fresh(s, new Array(sizeOf(s)).fill(0));
      w = { arg: e.t, W: { shape: s, vals: Array.from(e.vals) }, ok: true };
    }
    const red = reductionArg(rng);
    const args = trim([L.arg, w.arg, red.arg], 1);
    const lossesT = L.arg;
    return {
      op: 'losses.computeWeightedLoss', args, names: ['computeWeightedLoss'], expect: lossesOk && w.ok && red.ok ? 'ok' : 'error',
      run: () => nr.losses.computeWeightedLoss(...args),
      check: (t) => {
        if (t === lossesT) throw new Mismatch('losses.computeWeightedLoss: returned its losses argument itself (the caller would own it twice)');
        const losses = { shape: s, vals: Array.from(L.vals, (v) => V(v)) };
        compare('losses.computeWeightedLoss', t, toRef(weigh(losses, w.W, red.r)), false);
      },
    };
  },
};

const confusionOp = {
  name: 'math.confusionMatrix', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const n = rng.chance(0.05) ? rng.int(9, 40) : rng.int(1, 6);
    const len = rng.chance(0.1) ? 0 : rng.int(1, 30);
    const cls = () => (rng.chance(0.05) ? -0 : rng.int(0, n - 1));
    const labels = Array.from({ length: len }, cls);
    let preds = Array.from({ length: len }, cls);
    let numClasses = n;
    const fault = rng.chance(0.3) ? rng.pick(['value', 'value', 'value', 'length', 'rank', 'numClasses', 'garbage']) : null;
    let la = labels;
    let pa = preds;
    if (fault === 'value' && len > 0) {
      const bad = rng.pick([0.5, 1.5, -1, n, n + 1, NaN, Infinity, -Infinity, 1e-40, n - 0.5, 2 ** 31, -0.5]);
      const arr = rng.chance(0.5) ? labels : preds;
      arr[rng.int(0, len - 1)] = bad;
    } else if (fault === 'length') {
      pa = preds = len > 0 && rng.chance(0.5) ? preds.slice(1) : [...preds, 0];
    } else if (fault === 'rank') {
      if (rng.chance(0.5)) la = len > 0 ? [labels] : 0;
      else pa = len > 0 ? labels.map((v) => [v]) : 1;
    } else if (fault === 'numClasses') {
      numClasses = rng.pick([0, -1, 2.5, NaN, Infinity, '3', undefined, null, 1e5, 2 ** 32]);
    } else if (fault === 'garbage') {
      if (rng.chance(0.5)) la = garbage(rng);
      else pa = rng.chance(0.5) ? garbage(rng) : ctx.disposed();
    }
    // Tensors now and then (1-D arrays otherwise; a Float32Array for predictions sometimes).
    const asArg = (a) => {
      if (!Array.isArray(a) || a.some(Array.isArray)) return a;
      if (rng.chance(0.4)) return ctx.fresh([a.length], a).t;
      return rng.chance(0.2) ? Float32Array.from(a) : a;
    };
    // Not garbage: an array of garbage ([null], [1, 'a']) would become a valid tensor ([0]).
    if (fault !== 'garbage') {
      la = asArg(la);
      pa = asArg(pa);
    }
    // Valid: numClasses a positive integer, both 1-D of one length, every float32 value an integer in [0, n).
    const isCls = (v) => Number.isInteger(f32(v)) && f32(v) >= 0 && f32(v) < numClasses;
    const ok = typeof numClasses === 'number' && Number.isInteger(numClasses) && numClasses >= 1 && numClasses * numClasses < 2 ** 29
      && fault !== 'rank' && fault !== 'garbage' && labels.length === preds.length && labels.every(isCls) && preds.every(isCls);
    const args = [la, pa, numClasses];
    return {
      op: 'math.confusionMatrix', args, names: ['confusionMatrix'], expect: ok ? 'ok' : 'error',
      run: () => nr.math.confusionMatrix(la, pa, numClasses),
      check: (t) => {
        const counts = new Array(n * n).fill(0);
        labels.forEach((l, i) => counts[f32(l) * n + f32(preds[i])]++);
        compare('math.confusionMatrix', t, { shape: [n, n], vals: counts }, true);
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------
// grad w.r.t. the predictions against central differences of the float64 definitions.

/** The losses in float64, as TF.js defines them (no float32 rounding). */
const F64 = {
  absoluteDifference: (l, p) => Math.abs(l - p),
  meanSquaredError: (l, p) => (l - p) ** 2,
  hingeLoss: (l, p) => Math.max(0, 1 - (2 * l - 1) * p),
  huberLoss: (l, p, d) => {
    const e = Math.abs(p - l);
    return e <= d ? 0.5 * e * e : d * (e - 0.5 * d);
  },
  logLoss: (l, p, eps) => -l * Math.log(p + eps) - (1 - l) * Math.log(1 - p + eps),
  sigmoidCrossEntropy: (l, x, s) => {
    const z = l * f32(1 - f32(s)) + f32(0.5 * f32(s));
    return Math.max(x, 0) - x * z + Math.log1p(Math.exp(-Math.abs(x)));
  },
};

/** Whether a loss is at least `gap` away from its kinks at (l, p). */
const SMOOTH = {
  absoluteDifference: (l, p) => Math.abs(l - p) > 0.1,
  hingeLoss: (l, p) => Math.abs(1 - (2 * l - 1) * p) > 0.1,
  huberLoss: (l, p, d) => Math.abs(Math.abs(p - l) - d) > 0.1,
};

/** `Σ_i w_i·loss_i` reduced (scalar reductions only), weights broadcast to the losses, in float64. */
function reduce64(losses, w, r) {
  const n = losses.length;
  const bw = w ?? new Array(n).fill(1);
  const s = losses.reduce((a, l, i) => a + l * bw[i], 0);
  if (r === 2) return s;
  if (r === 1) return w ? s / bw.reduce((a, v) => a + v, 0) : s / n;
  return w ? s / bw.filter((v) => v !== 0).length : s / n;
}

const gradOp = {
  name: 'grad of a loss', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const fn = rng.pick(['absoluteDifference', 'meanSquaredError', 'hingeLoss', 'huberLoss', 'logLoss', 'sigmoidCrossEntropy', 'softmaxCrossEntropy', 'cosineDistance']);
    const rank = rng.int(1, 2);
    const s = Array.from({ length: rank }, () => rng.int(1, 4));
    const n = sizeOf(s);
    let param;
    if (fn === 'huberLoss') param = f32(rng.uniform(0.3, 2));
    else if (fn === 'logLoss') param = rng.pick([1e-7, 1e-3, 0]);
    else if (fn === 'sigmoidCrossEntropy' || fn === 'softmaxCrossEntropy') param = rng.pick([0, 0.1, f32(rng.uniform(0, 0.5))]);
    const k = s[s.length - 1];
    let lv;
    if (fn === 'hingeLoss') lv = Array.from({ length: n }, () => rng.int(0, 1));
    else if (fn === 'logLoss' || fn === 'sigmoidCrossEntropy') lv = Array.from({ length: n }, () => f32(rng.uniform(0, 1)));
    else if (fn === 'softmaxCrossEntropy') {
      // Rows that sum to 1 (one-hot or normalised): where neurite's (TF.js's) gradient softmax − y is the derivative.
      lv = [];
      for (let r = 0; r < n / k; r++) {
        if (rng.chance(0.5)) {
          const row = new Array(k).fill(0);
          row[rng.int(0, k - 1)] = 1;
          lv.push(...row);
        } else {
          const row = Array.from({ length: k }, () => rng.uniform(0.1, 1));
          const t = row.reduce((a, b) => a + b, 0);
          lv.push(...row.map((v) => f32(v / t)));
        }
      }
    } else lv = Array.from({ length: n }, () => f32(rng.uniform(-2, 2)));
    const pv = [];
    for (let i = 0; i < n; i++) {
      let p;
      for (let tries = 0; ; tries++) {
        if (tries > 20) return null;
        p = fn === 'logLoss' ? f32(rng.uniform(0.05, 0.95)) : fn.endsWith('CrossEntropy') ? f32(rng.uniform(-4, 4)) : f32(rng.uniform(-2.5, 2.5));
        if (!SMOOTH[fn] || SMOOTH[fn](lv[i], p, param)) break;
      }
      pv.push(p);
    }
    const axis = fn === 'cosineDistance' ? rng.int(-rank, rank - 1) : undefined;
    const ax = axis !== undefined && axis < 0 ? axis + rank : axis;
    const ls = fn === 'softmaxCrossEntropy' ? s.slice(0, -1) : fn === 'cosineDistance' ? s.map((d, i) => (i === ax ? 1 : d)) : s;
    const r = rng.pick([undefined, 1, 2, 3]);
    // Weights: none, a positive number, or a tensor of the losses' shape (or one that broadcasts) with some zeros.
    const wk = rng.pick(['none', 'number', 'tensor']);
    let wArg = null;
    let W = null;
    if (wk === 'number') {
      const w = f32(rng.uniform(0.5, 2));
      wArg = w;
      W = { shape: [], vals: [w] };
    } else if (wk === 'tensor') {
      const ws = fitShape(rng, ls);
      const wv = Array.from({ length: sizeOf(ws) }, () => (rng.chance(0.2) ? 0 : f32(rng.uniform(0.5, 2))));
      if (wv.every((v) => v === 0)) wv[0] = 1;
      const e = ctx.fresh(ws, wv);
      wArg = e.t;
      W = { shape: ws, vals: Array.from(e.vals) };
    }
    const L = ctx.fresh(s, lv);
    const P = ctx.fresh(s, pv);
    const rest = fn === 'cosineDistance' ? [axis, wArg, r] : param !== undefined ? [wArg, param, r] : [wArg, r];
    const restSrc = rest.map((a) => ctx.show(a)).join(', ');
    const f = fn === 'cosineDistance' ? (p) => nr.losses.cosineDistance(L.t, p, ...rest) : (p) => nr.losses[fn](L.t, p, ...rest);
    // The reference: the float64 loss of predictions q, weights broadcast to the losses' shape.
    const bw = W ? bcIndices(W.shape, ls).map((i) => W.vals[i]) : null;
    const lossesOf = (q) => {
      if (fn === 'softmaxCrossEntropy') {
        const out = [];
        for (let row = 0; row < n / k; row++) {
          const x = q.slice(row * k, (row + 1) * k);
          const m = Math.max(...x);
          const lse = m + Math.log(x.reduce((a, v) => a + Math.exp(v - m), 0));
          const a = f32(1 - f32(param));
          const b = f32(f32(param) / k);
          out.push(-x.reduce((acc, v, j) => acc + (lv[row * k + j] * a + b) * (v - lse), 0));
        }
        return out;
      }
      if (fn === 'cosineDistance') {
        const st = strides(s);
        const out = new Array(sizeOf(ls)).fill(1);
        const ost = strides(ls);
        for (let i = 0; i < n; i++) {
          let o = 0;
          for (let d = 0; d < rank; d++) if (d !== ax) o += (Math.floor(i / st[d]) % s[d]) * ost[d];
          out[o] -= lv[i] * q[i];
        }
        return out;
      }
      return q.map((p, i) => F64[fn](lv[i], p, param));
    };
    const F = (q) => reduce64(lossesOf(q), bw, r ?? 3);
    return {
      op: 'grad', line: `grad(p => losses.${fn}(${L.name}, p, ${restSrc}))(${P.name})`, names: ['grad', fn], expect: 'ok',
      run: () => nr.grad(f)(P.t),
      check: (g) => {
        if (!(g instanceof nr.Tensor)) throw new Mismatch('grad: no gradient tensor returned');
        const want = pv.map((p, i) => {
          const h = 1e-6 * Math.max(1, Math.abs(p));
          const up = pv.slice();
          const dn = pv.slice();
          up[i] = p + h;
          dn[i] = p - h;
          return (F(up) - F(dn)) / (2 * h);
        });
        if (g.shape.join() !== s.join()) throw new Mismatch(`grad of losses.${fn}: shape [${g.shape}], expected [${s}]`);
        const got = g.dataSync();
        const scale = W ? Math.max(1, ...W.vals) : 1;
        for (let i = 0; i < n; i++) {
          const tol = 2e-5 * scale + 1e-3 * Math.abs(want[i]);
          if (!(Math.abs(got[i] - want[i]) <= tol)) {
            throw new Mismatch(`grad of losses.${fn} w.r.t. the predictions: element ${i} is ${got[i]}, central differences ${want[i]} (tolerance ${tol.toExponential(1)})`);
          }
        }
      },
    };
  },
};

export default {
  name: 'losses',
  weight: 2,
  ops: [elementwiseOp, cosineOp, softmaxOp, weightedOp, confusionOp, gradOp],
};
