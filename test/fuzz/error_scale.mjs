/**
 * Reference values with an error scale, shared by the loss families (families/losses.mjs,
 * families/keras_losses.mjs): a value `{ v, m }` is the float64 (or float32) result of the
 * reference's arithmetic and `m` the scale of the error neurite may have relative to it — 0 for
 * a value the IEEE ops give exactly, the magnitudes that ulp-accurate exp/log/log1p and float32
 * sums may be off by relative to, or Infinity (`U`) where the result depends on rounding neurite
 * is free to do differently (a partial sum that may overflow, a divisor that cancels to about 0).
 * `toRef` turns them into `compare`'s `{ shape, vals, mag }` (tolerance 1e-5 + 1e-4·|e| + 1e-4·m;
 * an unreliable value is skipped).
 *
 * The element-wise ops round to float32 after every op (as neurite's tensor ops do); the `*64`
 * ops keep float64 (for kernels that compute in float64, so that an intermediate float32
 * overflow of the reference does not predict one neurite does not make).
 */

export const f32 = Math.fround;
export const fin = (x) => (Number.isFinite(x) ? Math.abs(x) : 0);
const id = (x) => x;

/** A reference value: `v` (a float32 value, or a float64 one for sums), `m` its error scale. */
export const V = (v, m = 0) => ({ v, m });
/** A value whose float32 result depends on rounding: not checked. */
export const U = Object.freeze({ v: 0, m: Infinity });
export const ONE = V(1);
export const TWO = V(2);
export const HALF = V(0.5);
/** NaN that neurite must give too (reliable NaN propagates through every op used here). */
export const isNaNr = (a) => Number.isNaN(a.v) && a.m !== Infinity;
/** A value with an error whose sign (or being 0) is in doubt. */
export const nearZero = (a) => a.m > 0 && Math.abs(a.v) <= 1e-3 * a.m;

export function op2(a, b, f, mf, guard, round = f32) {
  if (isNaNr(a) || isNaNr(b)) return V(NaN);
  if (a.m === Infinity || b.m === Infinity) return U;
  if (guard && guard(a, b)) return U;
  const v = round(f(a.v, b.v));
  const m = mf(a, b);
  if (!(m < Infinity)) return U;
  // An overflow out of finite inputs that carry an error may or may not happen in neurite.
  if (m > 0 && !Number.isFinite(v) && Number.isFinite(a.v) && Number.isFinite(b.v)) return U;
  return V(v, m);
}
export function op1(a, f, mf, guard, round = f32) {
  if (isNaNr(a)) return V(NaN);
  if (a.m === Infinity || (guard && guard(a))) return U;
  const v = round(f(a.v));
  const m = mf(a, v);
  if (!(m < Infinity)) return U;
  if (m > 0 && !Number.isFinite(v) && Number.isFinite(a.v)) return U;
  return V(v, m);
}
const addM = (a, b) => a.m + b.m;
export const add = (a, b) => op2(a, b, (x, y) => x + y, addM);
export const sub = (a, b) => op2(a, b, (x, y) => x - y, addM);
// Infinity times a value that may be 0 or of either sign: NaN or ±Infinity.
const mulM = (x, y) => x.m * fin(y.v) + fin(x.v) * y.m;
const mulGuard = (x, y) => (!Number.isFinite(x.v) && nearZero(y)) || (!Number.isFinite(y.v) && nearZero(x));
export const mul = (a, b) => op2(a, b, (x, y) => x * y, mulM, mulGuard);
/** A product in float64 (not rounded): a kernel that multiplies in float64 does not overflow where float32 would. */
export const mul64 = (a, b) => op2(a, b, (x, y) => x * y, mulM, mulGuard, id);
export const div = (a, b) => op2(a, b, (x, y) => x / y,
  (x, y) => (y.v === 0 ? (x.m > 0 ? Infinity : 0) : x.m / fin(y.v || 1) + (Number.isFinite(y.v) ? (fin(x.v) * y.m) / (y.v * y.v) : 0)),
  // A divisor that may be 0 or change sign; a nonzero value over a zero whose sign is the sum's order.
  (x, y) => nearZero(y) || (y.v === 0 && x.v !== 0));
const nanMin = (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y));
const nanMax = (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y));
export const minimum = (a, b) => op2(a, b, nanMin, (x, y) => Math.max(x.m, y.m));
export const maximum = (a, b) => op2(a, b, nanMax, (x, y) => Math.max(x.m, y.m));
const same = (x) => x.m;
export const neg = (a) => op1(a, (x) => -x, same);
export const abs = (a) => op1(a, Math.abs, same);
export const relu = (a) => op1(a, (x) => (Number.isNaN(x) ? NaN : Math.max(0, x)), same);
export const square = (a) => mul(a, a);
// exp/log/log1p: neurite's are within a few ulp; the input's error carries through the derivative.
export const log = (a) => op1(a, Math.log, (x, v) => fin(v) + (x.v !== 0 && Number.isFinite(x.v) ? x.m / Math.abs(x.v) : 0), nearZero);
export const exp = (a) => op1(a, Math.exp, (x, v) => fin(v) * (1 + x.m));
export const log1p = (a) => op1(a, Math.log1p, (x, v) => fin(v) + (Number.isFinite(x.v) ? x.m / Math.abs(1 + x.v) : 0), (x) => x.m > 0 && Math.abs(1 + x.v) <= 1e-3 * x.m);

/**
 * A float32 sum (neurite's `sum`, in whatever order): the float64 sum with error scale Σ|v| + Σm;
 * unreliable when its terms could overflow float32 in some order.
 */
export function rsum(list) {
  if (list.some(isNaNr)) return V(NaN);
  if (list.some((a) => a.m === Infinity)) return U;
  let v = 0;
  let m = 0;
  for (const a of list) {
    v += a.v;
    m += a.m + fin(a.v);
  }
  if (m > 1e38) return U;
  return Number.isNaN(v) ? V(NaN) : V(v, m);
}

/** `{ shape, vals: V[] }` as compare's reference `{ shape, vals, mag }`. */
export function toRef(x) {
  return {
    shape: x.shape,
    vals: x.vals.map((a) => (a.m === Infinity ? 0 : a.v)),
    mag: x.vals.map((a) => a.m),
  };
}
