/**
 * Plain-JS references in float64 for the ops whose results the fuzzer checks. A value is
 * `{ shape, vals }` with `vals` a plain array; each op also returns `mag`, a per-element bound
 * on the magnitude of the terms summed (for a tolerance that scales with cancellation).
 */

export const sizeOf = (s) => s.reduce((a, b) => a * b, 1);

/** The most elements one tensor can hold (the library's `MAX_ELEMENTS`, 2^29 − 1). */
export const MAX_ELEMENTS = 2 ** 29 - 1;

/**
 * Whether the core accepts `shape`: every dim at most 2^32 − 1 and the product of its
 * non-zero dims at most {@link MAX_ELEMENTS} — also for an empty tensor (a zero dim does not
 * make `[0, 2^32 − 2]` valid). A non-empty shape over the limit is an OutOfMemoryError, an
 * empty one an InvalidArgumentError; both are errors.
 */
export function shapeFits(shape) {
  return shape.every((d) => d <= 0xffffffff) && shape.reduce((a, d) => a * Math.max(d, 1), 1) <= MAX_ELEMENTS;
}

/** Row-major strides of shape `s`. */
export function strides(s) {
  const st = new Array(s.length);
  let acc = 1;
  for (let i = s.length - 1; i >= 0; i--) {
    st[i] = acc;
    acc *= s[i];
  }
  return st;
}

/** Calls `f(index, multiIndex)` for every element of shape `s`, in row-major order. */
function each(s, f) {
  const n = sizeOf(s);
  const idx = new Array(s.length).fill(0);
  for (let k = 0; k < n; k++) {
    f(k, idx);
    for (let d = s.length - 1; d >= 0; d--) {
      if (++idx[d] < s[d]) break;
      idx[d] = 0;
    }
  }
}

/** NumPy/TF.js broadcasting of two shapes, or null when they do not fit. */
export function broadcastShape(a, b) {
  const r = Math.max(a.length, b.length);
  const out = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Reads element `idx` (of the broadcast shape `out`) from `x`. */
function bcIndex(x, out, idx) {
  const st = strides(x.shape);
  let k = 0;
  const off = out.length - x.shape.length;
  for (let d = 0; d < x.shape.length; d++) if (x.shape[d] !== 1) k += idx[d + off] * st[d];
  return k;
}

/** Round half to even (the core's `round`, as TF.js). */
function roundEven(v) {
  if (!Number.isFinite(v)) return v;
  const f = Math.floor(v);
  const d = v - f;
  const r = d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
  return r === 0 && (v < 0 || Object.is(v, -0)) ? -0 : r;
}

export const UNARY = {
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  square: (x) => x * x,
  sign: (x) => (Number.isNaN(x) ? NaN : x === 0 ? x : Math.sign(x)),
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundEven,
  reciprocal: (x) => 1 / x,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  erf,
  rsqrt: (x) => 1 / Math.sqrt(x),
  relu: (x) => (Number.isNaN(x) ? NaN : Math.max(0, x)),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  softsign: (x) => (Number.isFinite(x) ? x / (1 + Math.abs(x)) : Number.isNaN(x) ? NaN : Math.sign(x)),
  relu6: (x) => (Number.isNaN(x) ? NaN : Math.min(Math.max(0, x), 6)),
  // x·tanh(softplus(x)), with softplus as max(x, 0) + log1p(e^−|x|) and −0 where the tanh is 0.
  mish: (x) => {
    const t = Math.tanh(Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))));
    return t === 0 && !Number.isNaN(x) ? -0 : x * t;
  },
};

/** erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7). */
function erf(x) {
  if (Number.isNaN(x)) return x;
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return Math.sign(x) * y;
}

/** Unary ops whose float32 result may differ from float64 by more than rounding. */
export const UNARY_LOOSE = new Set(['exp', 'log', 'sqrt', 'log1p', 'expm1', 'sin', 'cos', 'sigmoid', 'tanh', 'reciprocal', 'softsign', 'mish']);

const b01 = (c) => (c ? 1 : 0);
export const BINARY = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  // IEEE pow (C, Rust): pow(1, NaN) = 1 and pow(-1, ±Infinity) = 1, unlike Math.pow.
  pow: (a, b) => (a === 1 || b === 0 || (a === -1 && (b === Infinity || b === -Infinity)) ? 1 : Math.pow(a, b)),
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  equal: (a, b) => b01(a === b),
  notEqual: (a, b) => b01(a !== b),
  greater: (a, b) => b01(a > b),
  greaterEqual: (a, b) => b01(a >= b),
  less: (a, b) => b01(a < b),
  lessEqual: (a, b) => b01(a <= b),
  atan2: Math.atan2,
  // TF.js's floor modulo: the remainder takes the divisor's sign.
  mod: (a, b) => { const r = a % b; return (a < 0 && b < 0) || (a >= 0 && b >= 0) ? r : (r + b) % b; },
  floorDiv: (a, b) => Math.floor(a / b),
};

export function unary(op, x) {
  const f = UNARY[op];
  return { shape: x.shape.slice(), vals: Array.from(x.vals, (v) => f(v)) };
}

export function binary(op, a, b) {
  const shape = broadcastShape(a.shape, b.shape);
  if (!shape) return null;
  const f = BINARY[op];
  const vals = new Array(sizeOf(shape));
  each(shape, (k, idx) => {
    vals[k] = f(a.vals[bcIndex(a, shape, idx)], b.vals[bcIndex(b, shape, idx)]);
  });
  return { shape, vals };
}

export function where(c, a, b) {
  const s1 = broadcastShape(c.shape, a.shape);
  const shape = s1 && broadcastShape(s1, b.shape);
  if (!shape) return null;
  const vals = new Array(sizeOf(shape));
  each(shape, (k, idx) => {
    const cv = c.vals[bcIndex(c, shape, idx)];
    vals[k] = cv !== 0 ? a.vals[bcIndex(a, shape, idx)] : b.vals[bcIndex(b, shape, idx)];
  });
  return { shape, vals };
}

export function clip(x, lo, hi) {
  return { shape: x.shape.slice(), vals: Array.from(x.vals, (v) => (Number.isNaN(v) ? NaN : Math.min(hi, Math.max(lo, v)))) };
}

/**
 * A reduction over `axes` (already normalised and unique). Returns null for max/min/argMax/
 * argMin over an empty axis (an error in neurite).
 */
export function reduce(op, x, axes, keepDims) {
  const r = x.shape.length;
  const red = new Set(axes);
  const outFull = x.shape.map((d, i) => (red.has(i) ? 1 : d));
  const shape = keepDims ? outFull : x.shape.filter((_, i) => !red.has(i));
  const count = axes.reduce((a, i) => a * x.shape[i], 1);
  if (count === 0 && ['max', 'min', 'argMax', 'argMin'].includes(op) && sizeOf(outFull) > 0) return null;
  const groups = Array.from({ length: sizeOf(outFull) }, () => []);
  const st = strides(outFull);
  each(x.shape, (k, idx) => {
    let o = 0;
    for (let d = 0; d < r; d++) if (!red.has(d)) o += idx[d] * st[d];
    groups[o].push(x.vals[k]);
  });
  const vals = [];
  const mag = [];
  for (const g of groups) {
    const absSum = g.reduce((a, v) => a + Math.abs(v), 0);
    const sum = g.reduce((a, v) => a + v, 0);
    switch (op) {
      case 'sum': vals.push(sum); mag.push(absSum); break;
      case 'mean': vals.push(sum / g.length); mag.push(absSum / g.length); break;
      // The magnitude bounds every partial product in any order (Π max(1, |v|)): past float32's
      // range a product with a zero in it may be 0 or (Infinity·0) NaN depending on the order.
      case 'prod': vals.push(g.reduce((a, v) => a * v, 1)); mag.push(g.reduce((a, v) => a * Math.max(1, Math.abs(v)), 1)); break;
      case 'max': vals.push(g.some(Number.isNaN) ? NaN : Math.max(...g)); mag.push(0); break;
      case 'min': vals.push(g.some(Number.isNaN) ? NaN : Math.min(...g)); mag.push(0); break;
      case 'variance': {
        const m = sum / g.length;
        vals.push(g.reduce((a, v) => a + (v - m) * (v - m), 0) / g.length);
        mag.push(g.reduce((a, v) => a + v * v, 0) / g.length);
        break;
      }
      case 'argMax':
      case 'argMin': {
        let best = 0;
        for (let i = 0; i < g.length; i++) {
          if (Number.isNaN(g[best])) break;
          if (Number.isNaN(g[i]) || (op === 'argMax' ? g[i] > g[best] : g[i] < g[best])) best = i;
        }
        vals.push(best);
        mag.push(0);
        break;
      }
    }
  }
  return { shape, vals, mag };
}

/** Batched matMul with broadcasting batch dims, as `[..., m, k] · [..., k, n]`. */
export function matMul(a, b, ta, tb) {
  if (a.shape.length < 2 || b.shape.length < 2) return null;
  const [am, ak] = a.shape.slice(-2);
  const [bk, bn] = b.shape.slice(-2);
  const m = ta ? ak : am;
  const k = ta ? am : ak;
  const k2 = tb ? bn : bk;
  const n = tb ? bk : bn;
  if (k !== k2) return null;
  const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (!batch) return null;
  const shape = [...batch, m, n];
  const vals = new Array(sizeOf(shape));
  const mag = new Array(sizeOf(shape));
  const aBatch = { shape: a.shape.slice(0, -2) };
  const bBatch = { shape: b.shape.slice(0, -2) };
  let o = 0;
  each(batch, (_, idx) => {
    const ao = bcIndex(aBatch, batch, idx) * am * ak;
    const bo = bcIndex(bBatch, batch, idx) * bk * bn;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let g = 0;
        for (let p = 0; p < k; p++) {
          const av = a.vals[ao + (ta ? p * ak + i : i * ak + p)];
          const bv = b.vals[bo + (tb ? j * bn + p : p * bn + j)];
          s += av * bv;
          g += Math.abs(av * bv);
        }
        vals[o] = s;
        mag[o++] = g;
      }
    }
  });
  return { shape, vals, mag };
}

export function transpose(x, perm) {
  const shape = perm.map((p) => x.shape[p]);
  const st = strides(x.shape);
  const vals = new Array(sizeOf(shape));
  each(shape, (k, idx) => {
    let src = 0;
    for (let d = 0; d < perm.length; d++) src += idx[d] * st[perm[d]];
    vals[k] = x.vals[src];
  });
  return { shape, vals };
}

export function slice(x, begin, size) {
  const st = strides(x.shape);
  const vals = new Array(sizeOf(size));
  each(size, (k, idx) => {
    let src = 0;
    for (let d = 0; d < size.length; d++) src += (idx[d] + begin[d]) * st[d];
    vals[k] = x.vals[src];
  });
  return { shape: size.slice(), vals };
}

export function concat(list, axis) {
  const shape = list[0].shape.slice();
  shape[axis] = list.reduce((a, t) => a + t.shape[axis], 0);
  const vals = new Array(sizeOf(shape));
  const outer = sizeOf(shape.slice(0, axis));
  let o = 0;
  for (let i = 0; i < outer; i++) {
    for (const t of list) {
      const inner = sizeOf(t.shape.slice(axis));
      for (let j = 0; j < inner; j++) vals[o++] = t.vals[i * inner + j];
    }
  }
  return { shape, vals };
}

export function stack(list, axis) {
  const expanded = list.map((t) => ({ shape: [...t.shape.slice(0, axis), 1, ...t.shape.slice(axis)], vals: t.vals }));
  return concat(expanded, axis);
}

export function tile(x, reps) {
  const shape = x.shape.map((d, i) => d * reps[i]);
  const st = strides(x.shape);
  const vals = new Array(sizeOf(shape));
  each(shape, (k, idx) => {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += (idx[d] % x.shape[d]) * st[d];
    vals[k] = x.vals[src];
  });
  return { shape, vals };
}

export function reverse(x, axes) {
  const st = strides(x.shape);
  const vals = new Array(sizeOf(x.shape));
  each(x.shape, (k, idx) => {
    let src = 0;
    for (let d = 0; d < x.shape.length; d++) src += (axes.includes(d) ? x.shape[d] - 1 - idx[d] : idx[d]) * st[d];
    vals[k] = x.vals[src];
  });
  return { shape: x.shape.slice(), vals };
}

/** `linalg.bandPart`: each innermost [M, N] matrix with the entries outside the band zeroed (negative: the whole triangle). */
export function bandPart(x, lo, up) {
  const [m, n] = x.shape.slice(-2);
  const vals = x.vals.map((v, k) => {
    const d = Math.floor(k / n) % m - (k % n);
    return (lo < 0 || d <= lo) && (up < 0 || -d <= up) ? v : 0;
  });
  return { shape: x.shape.slice(), vals };
}

/**
 * The entries of `x` padded by `paddings`: axis d of the output reads x at `src(d, j)` for `j`
 * its index minus `before` (null: the entry is `fill`).
 */
function remap(x, paddings, src, fill) {
  const shape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
  const st = strides(x.shape);
  const vals = new Array(sizeOf(shape));
  each(shape, (k, idx) => {
    let at = 0;
    for (let d = 0; d < shape.length; d++) {
      const i = src(d, idx[d] - paddings[d][0]);
      if (i === null) { at = -1; break; }
      at += i * st[d];
    }
    vals[k] = at < 0 ? fill : x.vals[at];
  });
  return { shape, vals };
}

/** TF.js's pad: `value` outside x. */
export function pad(x, paddings, value) {
  return remap(x, paddings, (d, i) => (i < 0 || i >= x.shape[d] ? null : i), Math.fround(value));
}

/** TF.js's mirrorPad: outside [0, n) axis d reads −j or 2(n − 1) − j (reflect), −j − 1 or 2n − 1 − j (symmetric). */
export function mirrorPad(x, paddings, mode) {
  const r = mode === 'reflect' ? 1 : 0;
  return remap(x, paddings, (d, j) => {
    const n = x.shape[d];
    return j < 0 ? -j - 1 + r : j >= n ? 2 * n - 1 - r - j : j;
  });
}

/** Running float32 sums along `axis`, one rounded addition per step (TF.js's order). */
export function cumsum(x, axis, exclusive, reverse) {
  return scan(x, axis, exclusive, reverse, 0, (a, b) => Math.fround(a + b));
}

/** Running float32 products along `axis`, one rounded multiplication per step (TF.js's order). */
export function cumprod(x, axis, exclusive, reverse) {
  return scan(x, axis, exclusive, reverse, 1, (a, b) => Math.fround(a * b));
}

/** A running fold along `axis` from `init` with `f`, each entry getting the fold up to it (before it when `exclusive`). */
function scan(x, axis, exclusive, reverse, init, f) {
  const d = x.shape[axis];
  const inner = sizeOf(x.shape.slice(axis + 1));
  const outer = sizeOf(x.shape.slice(0, axis));
  const vals = x.vals.slice();
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = init;
      for (let j = 0; j < d; j++) {
        const at = (o * d + (reverse ? d - 1 - j : j)) * inner + i;
        const v = x.vals[at];
        if (exclusive) { vals[at] = acc; acc = f(acc, v); } else { acc = f(acc, v); vals[at] = acc; }
      }
    }
  }
  return { shape: x.shape.slice(), vals };
}

/** topk along the last axis: larger first, NaN above all, +0 above −0, ties by index. */
export function topk(x, k) {
  const n = x.shape[x.shape.length - 1];
  const rows = n === 0 ? 0 : x.vals.length / n;
  const rank = (v) => (Number.isNaN(v) ? [2, 0] : [1, v]);
  const values = [];
  const indices = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: n }, (_, i) => i);
    row.sort((a, b) => {
      const [ka, va] = rank(x.vals[r * n + a]);
      const [kb, vb] = rank(x.vals[r * n + b]);
      if (ka !== kb) return kb - ka;
      if (va !== vb) return vb - va;
      if (Object.is(va, 0) && Object.is(vb, -0)) return -1;
      if (Object.is(va, -0) && Object.is(vb, 0)) return 1;
      return a - b;
    });
    for (const i of row.slice(0, k)) { values.push(x.vals[r * n + i]); indices.push(i); }
  }
  const shape = [...x.shape.slice(0, -1), k];
  return { values: { shape, vals: values }, indices: { shape, vals: indices } };
}

export function gather(x, indices, ishape, axis) {
  const shape = [...x.shape.slice(0, axis), ...ishape, ...x.shape.slice(axis + 1)];
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const vals = [];
  for (let i = 0; i < outer; i++) {
    for (const ix of indices) {
      for (let j = 0; j < inner; j++) vals.push(x.vals[(i * x.shape[axis] + ix) * inner + j]);
    }
  }
  return { shape, vals };
}

export function oneHot(indices, ishape, depth, on, off) {
  const vals = [];
  for (const ix of indices) for (let d = 0; d < depth; d++) vals.push(d === ix ? on : off);
  return { shape: [...ishape, depth], vals };
}

/** softmax over `axis` of a tensor. */
export function softmax(x, axis, log = false) {
  const r = x.shape.length;
  const perm = [...Array(r).keys()].filter((d) => d !== axis).concat([axis]);
  const t = transpose(x, perm);
  const n = x.shape[axis];
  const out = new Array(t.vals.length);
  for (let o = 0; o < t.vals.length; o += n) {
    const row = t.vals.slice(o, o + n);
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, v) => a + v, 0);
    for (let i = 0; i < n; i++) out[o + i] = log ? row[i] - m - Math.log(s) : e[i] / s;
  }
  const inv = new Array(r);
  perm.forEach((p, i) => (inv[p] = i));
  return transpose({ shape: t.shape, vals: out }, inv);
}

/**
 * A sliding window of `k` taps `d` apart, stride `s`, on `len` positions: TensorFlow's output
 * size and padding before (`valid`: ⌊(len − k_eff)/s⌋ + 1, no padding; `same`: ⌈len/s⌉).
 */
export function windowPlace(len, k, s, d, same) {
  const ke = (k - 1) * d + 1;
  const out = same ? Math.ceil(len / s) : Math.floor((len - ke) / s) + 1;
  return { out, pad: same ? Math.floor(Math.max((out - 1) * s + ke - len, 0) / 2) : 0 };
}

/**
 * A plain-JS conv2d over `x` ({ shape: [n, h, w, c], vals }) with `W` ({ shape: [kh, kw, c, f],
 * vals }) and an optional bias `b`, TensorFlow's padding, strides and dilation, in float64
 * with the magnitudes of its terms.
 */
export function conv2d(x, W, b, { k, s, d, same }) {
  const [n, h, w, c] = x.shape;
  const f = W.shape[3];
  const [py, px] = [windowPlace(h, k[0], s[0], d[0], same), windowPlace(w, k[1], s[1], d[1], same)];
  const vals = [];
  const mag = [];
  for (let i = 0; i < n; i++) for (let oy = 0; oy < py.out; oy++) for (let ox = 0; ox < px.out; ox++) for (let o = 0; o < f; o++) {
    let sum = b ? b.vals[o] : 0;
    let g = Math.abs(sum);
    for (let a = 0; a < k[0]; a++) for (let e = 0; e < k[1]; e++) {
      const iy = oy * s[0] + a * d[0] - py.pad;
      const ix = ox * s[1] + e * d[1] - px.pad;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
      for (let ci = 0; ci < c; ci++) {
        const t = x.vals[((i * h + iy) * w + ix) * c + ci] * W.vals[((a * k[1] + e) * c + ci) * f + o];
        sum += t;
        g += Math.abs(t);
      }
    }
    vals.push(sum);
    mag.push(g);
  }
  return { shape: [n, py.out, px.out, f], vals, mag };
}

/**
 * A plain-JS depthwiseConv2d over `x` ({ shape: [n, h, w, c], vals }) with `W` ({ shape:
 * [kh, kw, c, m], vals }) and an optional bias `b` of c·m: output channel `ch·m + j` is input
 * channel `ch` convolved with filter `j`; TensorFlow's padding, strides and dilation, in float64
 * with the magnitudes of its terms.
 */
export function depthwiseConv2d(x, W, b, { k, s, d, same }) {
  const [n, h, w, c] = x.shape;
  const m = W.shape[3];
  const [py, px] = [windowPlace(h, k[0], s[0], d[0], same), windowPlace(w, k[1], s[1], d[1], same)];
  const vals = [];
  const mag = [];
  for (let i = 0; i < n; i++) for (let oy = 0; oy < py.out; oy++) for (let ox = 0; ox < px.out; ox++) for (let ch = 0; ch < c; ch++) for (let j = 0; j < m; j++) {
    let sum = b ? b.vals[ch * m + j] : 0;
    let g = Math.abs(sum);
    for (let a = 0; a < k[0]; a++) for (let e = 0; e < k[1]; e++) {
      const iy = oy * s[0] + a * d[0] - py.pad;
      const ix = ox * s[1] + e * d[1] - px.pad;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
      const t = x.vals[((i * h + iy) * w + ix) * c + ch] * W.vals[((a * k[1] + e) * c + ch) * m + j];
      sum += t;
      g += Math.abs(t);
    }
    vals.push(sum);
    mag.push(g);
  }
  return { shape: [n, py.out, px.out, c * m], vals, mag };
}

/**
 * TF.js's resizeBilinear / resizeNearestNeighbor of `x` `[n, h, w, c]` to `size` = [oh, ow] (its
 * CPU kernel's sources and f64 blend, so bit for bit): the scale is in/out, or (in − 1)/(out − 1)
 * with alignCorners when out > 1; bilinear reads at scale·o (scale·(o + ½) − ½ with
 * halfPixelCenters) between max(⌊·⌋, 0) and min(⌈·⌉, in − 1); nearest at min(⌊scale·o⌋, in − 1)
 * (round with alignCorners, at scale·(o + ½) with halfPixelCenters).
 */
export function resize(x, { size: [oh, ow], bilinear, alignCorners = false, halfPixelCenters = false }) {
  const [n, h, w, c] = x.shape;
  const src = (o, len, outLen) => {
    const aligned = alignCorners && outLen > 1;
    const scale = (aligned ? len - 1 : len) / (aligned ? outLen - 1 : outLen);
    if (!bilinear) {
      const f = halfPixelCenters ? scale * (o + 0.5) : scale * o;
      const i = Math.max(0, Math.min(len - 1, alignCorners ? Math.round(f) : Math.floor(f)));
      return [i, i, 0];
    }
    const f = halfPixelCenters ? scale * (o + 0.5) - 0.5 : scale * o;
    const lo = Math.max(0, Math.floor(f));
    return [lo, Math.min(len - 1, Math.ceil(f)), f - lo];
  };
  const at = (s, i, j, k) => x.vals[((s * h + i) * w + j) * c + k];
  const vals = [];
  for (let s = 0; s < n; s++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let k = 0; k < c; k++) {
    const [y0, y1, fy] = src(i, h, oh);
    const [x0, x1, fx] = src(j, w, ow);
    if (!bilinear) {
      vals.push(at(s, y0, x0, k));
      continue;
    }
    const top = at(s, y0, x0, k) + (at(s, y0, x1, k) - at(s, y0, x0, k)) * fx;
    const bottom = at(s, y1, x0, k) + (at(s, y1, x1, k) - at(s, y1, x0, k)) * fx;
    vals.push(top + (bottom - top) * fy);
  }
  return { shape: [n, oh, ow, c], vals };
}

/** Plain-JS max or average pooling (average over the positions inside the input). */
export function pool2d(x, { k, s, same, max }) {
  const [n, h, w, c] = x.shape;
  const [py, px] = [windowPlace(h, k[0], s[0], 1, same), windowPlace(w, k[1], s[1], 1, same)];
  const vals = [];
  const mag = [];
  for (let i = 0; i < n; i++) for (let oy = 0; oy < py.out; oy++) for (let ox = 0; ox < px.out; ox++) for (let ci = 0; ci < c; ci++) {
    let acc = max ? -Infinity : 0;
    let cnt = 0;
    let g = 0;
    for (let a = 0; a < k[0]; a++) for (let e = 0; e < k[1]; e++) {
      const iy = oy * s[0] + a - py.pad;
      const ix = ox * s[1] + e - px.pad;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
      const v = x.vals[((i * h + iy) * w + ix) * c + ci];
      acc = max ? (v > acc || Number.isNaN(v) ? v : acc) : acc + v;
      g = Math.max(g, Math.abs(v));
      cnt++;
    }
    vals.push(max ? acc : acc / cnt);
    mag.push(g);
  }
  return { shape: [n, py.out, px.out, c], vals, mag };
}

/**
 * A plain-JS conv2dTranspose: every input value `x[n, iy, ix, ci]` times `W[a, e, co, ci]` added
 * to output `[n, iy·s + a·d − pad, ix·s + e·d − pad, co]` when inside `out` ([n, oh, ow, co]),
 * with the padding of the conv2d of the output image, or `before` (`[rows, columns]`: Keras 3's
 * with an output padding, JAX's); float64 with the magnitudes of the terms.
 */
export function conv2dTranspose(x, W, out, { s, same, d = [1, 1], before }) {
  const [n, h, w, ci] = x.shape;
  const [kh, kw, co] = W.shape;
  const [, oh, ow] = out;
  const [pt, pl] = before ?? [windowPlace(oh, kh, s[0], d[0], same).pad, windowPlace(ow, kw, s[1], d[1], same).pad];
  const size = n * oh * ow * co;
  const vals = new Array(size).fill(0);
  const mag = new Array(size).fill(0);
  for (let b = 0; b < n; b++) for (let iy = 0; iy < h; iy++) for (let ix = 0; ix < w; ix++) for (let a = 0; a < kh; a++) for (let e = 0; e < kw; e++) {
    const [ty, tx] = [iy * s[0] + a * d[0] - pt, ix * s[1] + e * d[1] - pl];
    if (ty < 0 || ty >= oh || tx < 0 || tx >= ow) continue;
    for (let o = 0; o < co; o++) for (let c = 0; c < ci; c++) {
      const t = x.vals[((b * h + iy) * w + ix) * ci + c] * W.vals[((a * kw + e) * co + o) * ci + c];
      const at = ((b * oh + ty) * ow + tx) * co + o;
      vals[at] += t;
      mag[at] += Math.abs(t);
    }
  }
  return { shape: out, vals, mag };
}
