/**
 * Random argument values: shapes (ranks 0–5, dims 0–7), data with NaN/±Infinity/−0, wrong JS
 * types, bad integers (2**32, −0, 1.5, huge), and broadcast pairs that do and do not fit.
 */

/** Values that are never valid where a tensor, number, shape or axis is expected. */
export function garbage(rng) {
  switch (rng.int(0, 16)) {
    case 0: return 'abc';
    case 1: return null;
    case 2: return undefined;
    case 3: return {};
    case 4: return { length: 2, 0: 1, 1: 2 };
    case 5: return [[1, 2], [3]]; // ragged
    case 6: return new DataView(new ArrayBuffer(8));
    case 7: return new BigInt64Array([1n, 2n]);
    case 8: return 5n;
    case 9: return true;
    case 10: return Symbol('s');
    case 11: return () => 1;
    case 12: return [1, 'a'];
    case 13: return new Date(0);
    case 14: return new Map();
    case 15: return [null];
    default: return new ArrayBuffer(8); // not a view (a typed array is a TensorLike for the element-wise ops)
  }
}

/**
 * A pool entry's values as TF.js's TensorLike, to pass instead of its tensor (the ops take them
 * as temporary tensors): nested arrays, a Float32Array for a vector now and then, a number for a
 * scalar. `null` for a shape nested arrays cannot spell (a 0 before the last axis, `[0, 3]`), or
 * for an entry that kept only its first values.
 */
export function tensorLike(rng, e) {
  const { shape, vals } = e;
  if (shape.length === 0) return vals[0];
  if (shape.slice(0, -1).includes(0)) return null;
  // A large entry keeps only its first values (driver.mjs): its array would hold undefined.
  if (vals.length !== sizeOf(shape)) return null;
  if (shape.length === 1 && rng.chance(0.3)) return Float32Array.from(vals);
  let i = 0;
  const build = (d) => (d === shape.length ? vals[i++] : Array.from({ length: shape[d] }, () => build(d + 1)));
  return build(0);
}

/** Integers that must never be read as a valid axis, index or count of a small tensor. */
export function badInt(rng) {
  return rng.pick([2 ** 32, 2 ** 32 + 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 1, 1.5, -1.5, NaN, Infinity, -Infinity, 1e300, -1e300, 2 ** 33]);
}

/** A float32 value, sometimes special. */
export function value(rng, specials = true) {
  if (specials && rng.chance(0.04)) return rng.pick([NaN, Infinity, -Infinity, -0, 0, 3.4e38, -3.4e38, 1e-40]);
  if (rng.chance(0.1)) return rng.int(-4, 4);
  return rng.uniform(-3, 3);
}

/** `n` float32 values. */
export function values(rng, n, specials = true) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = value(rng, specials);
  return out;
}

/** A random shape: rank 0–`maxRank`, dims 0–`maxDim` (zero-size now and then). */
export function shape(rng, maxRank = 5, maxDim = 7) {
  const rank = rng.int(0, maxRank);
  const out = [];
  for (let i = 0; i < rank; i++) out.push(rng.chance(0.06) ? 0 : rng.int(1, maxDim));
  // Keep tensors small: at most ~2000 elements.
  while (out.reduce((a, b) => a * b, 1) > 2000) out[rng.int(0, out.length - 1)] = rng.int(1, 2);
  return out;
}

/** The number of elements of `s`. */
export const sizeOf = (s) => s.reduce((a, b) => a * b, 1);

/** A shape that broadcasts against `s`, or (with `fit: false`) one that does not. */
export function broadcastPartner(rng, s, fit = true) {
  const rank = rng.int(0, Math.max(s.length, 1) + 1);
  const out = [];
  for (let i = 0; i < rank; i++) {
    const j = s.length - rank + i;
    if (j < 0) out.push(rng.int(1, 3));
    else out.push(rng.chance(0.35) ? 1 : s[j]);
  }
  if (!fit) {
    // Change one dim to a size that fits neither side.
    const candidates = [];
    for (let i = 0; i < out.length; i++) {
      const j = s.length - out.length + i;
      if (j >= 0 && s[j] !== 1) candidates.push(i);
    }
    if (candidates.length === 0) return null;
    const i = rng.pick(candidates);
    const j = s.length - out.length + i;
    // A 0 on the other side needs a partner of at least 2 (1 would broadcast).
    out[i] = s[j] === 0 ? rng.int(2, 3) : s[j] + rng.int(1, 3);
  }
  return out;
}

/** A valid axis of a rank-`r` tensor (negative sometimes), or null for rank 0. */
export function axis(rng, r) {
  if (r === 0) return null;
  const a = rng.int(0, r - 1);
  return rng.chance(0.3) ? a - r : a;
}

/** An invalid axis for rank `r`: out of range, non-integer, huge, or the wrong type. */
export function badAxis(rng, r) {
  switch (rng.int(0, 3)) {
    case 0: return rng.pick([r, r + 1, -r - 1, 100]);
    case 1: return badInt(rng);
    case 2: return garbage(rng);
    default: return 2 ** 32 + rng.int(0, Math.max(r - 1, 0));
  }
}

/** Normalises an axis (negative counts from the end). */
export const normAxis = (a, r) => (a < 0 ? a + r : a);
