/**
 * The indexing ops composed in TypeScript (ts/ops/gather_nd.ts, strided_slice.ts, unique.ts,
 * bincount.ts, search_sorted.ts, masking.ts): gatherND, stridedSlice, unique, bincount,
 * denseBincount, searchSorted, lowerBound, upperBound, booleanMaskAsync, whereAsync and
 * setdiff1dAsync, with valid and invalid indices, slice specs, masks and shapes. Each
 * reference below is plain JS written from the ops' definitions (stridedSlice's as Python
 * slicing, not as TF's dense spec); it returns null when the call must throw.
 */
import { compare, Mismatch } from '../checks.mjs';
import { badAxis, badInt, garbage } from '../values.mjs';

const f32 = Math.fround;
const sizeOf = (s) => s.reduce((a, b) => a * b, 1);
const stridesOf = (s) => s.map((_, d) => sizeOf(s.slice(d + 1)));

/** `n` values drawn from `pool` (so that values and slices repeat). */
const fromPool = (rng, n, pool) => Array.from({ length: n }, () => rng.pick(pool));

/** A small random shape of rank in [lo, hi], dims 0–`maxDim` (0 now and then). */
function smallShape(rng, lo, hi, maxDim = 5) {
  return Array.from({ length: rng.int(lo, hi) }, () => (rng.chance(0.06) ? 0 : rng.int(1, maxDim)));
}

// --- gatherND ---------------------------------------------------------------------------------

function refGatherND(x, idx) {
  const is = idx.shape;
  if (is.length === 0) return null;
  const k = is[is.length - 1];
  if (k > x.shape.length) return null;
  const n = sizeOf(is.slice(0, -1));
  const rest = x.shape.slice(k);
  const rs = sizeOf(rest);
  const st = stridesOf(x.shape);
  const vals = [];
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let j = 0; j < k; j++) {
      const v = idx.vals[i * k + j];
      if (!Number.isInteger(v) || v < 0 || v >= x.shape[j]) return null;
      off += v * st[j];
    }
    for (let q = 0; q < rs; q++) vals.push(x.vals[off + q]);
  }
  return { shape: [...is.slice(0, -1), ...rest], vals };
}

const gatherNDOp = {
  name: 'gatherND', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any();
    const r = e.shape.length;
    const k = rng.chance(0.05) ? r + 1 : rng.int(0, r);
    const batch = smallShape(rng, rng.chance(0.05) ? 0 : 1, 2, 4);
    const ishape = rng.chance(0.04) ? [] : [...batch, k];
    const vals = Array.from({ length: sizeOf(ishape) }, (_, p) => {
      const d = e.shape[p % Math.max(k, 1)] ?? 1;
      return rng.chance(0.04) ? rng.pick([d, -1, 0.5, NaN, 2 ** 31]) : rng.int(0, Math.max(d - 1, 0));
    });
    if (rng.chance(0.1)) {
      const bad = rng.chance(0.5) ? ctx.disposed() : garbage(rng);
      return { args: [e.t, bad], expect: 'error', run: () => nr.gatherND(e.t, bad) };
    }
    const asTensor = rng.chance(0.5) || ishape.slice(0, -1).includes(0) || ishape.length === 0;
    const indices = asTensor ? ctx.fresh(ishape, vals).t : nest(vals, ishape);
    const want = refGatherND(e.ref, { shape: ishape, vals });
    return {
      args: [e.t, indices], expect: want ? 'ok' : 'error', run: () => nr.gatherND(e.t, indices),
      check: (t) => compare('gatherND', t, want, true),
    };
  },
};

/** Flat values as nested arrays of `shape` (a number for rank 0). */
function nest(vals, shape) {
  let i = 0;
  const build = (d) => (d === shape.length ? vals[i++] : Array.from({ length: shape[d] }, () => build(d + 1)));
  return build(0);
}

// --- stridedSlice -----------------------------------------------------------------------------

/**
 * stridedSlice as Python indexing: each entry is `...`, `newaxis`, an index (shrink) or a slice
 * `b:e:s` (a masked bound left out); no ellipsis means one at the end.
 */
function refStridedSlice(x, begin, end, strides, [bm, em, elm, nm, sm]) {
  const bit = (m, i) => i < 31 && ((m >>> i) & 1) === 1;
  const items = begin.map((_, i) => {
    if (bit(elm, i)) return { kind: 'ellipsis' };
    if (bit(nm, i)) return { kind: 'new' };
    if (bit(sm, i)) return { kind: 'index', at: begin[i], stride: strides[i] };
    return { kind: 'slice', b: bit(bm, i) ? null : begin[i], e: bit(em, i) ? null : end[i], s: strides[i] };
  });
  if (!items.some((it) => it.kind === 'ellipsis')) items.push({ kind: 'ellipsis' });
  const real = items.filter((it) => it.kind === 'index' || it.kind === 'slice').length;
  const rank = x.shape.length;
  if (real > rank) return null;
  const expanded = items.flatMap((it) => (it.kind === 'ellipsis' ? Array.from({ length: rank - real }, () => ({ kind: 'slice', b: null, e: null, s: 1 })) : [it]));
  const picks = []; // per axis of x: the indices taken
  const shape = [];
  let axis = 0;
  for (const it of expanded) {
    if (it.kind === 'new') {
      shape.push(1);
      continue;
    }
    const d = x.shape[axis++];
    if (it.kind === 'index') {
      const at = it.at < 0 ? it.at + d : it.at;
      if (it.stride <= 0 || at < 0 || at >= d) return null;
      picks.push([at]);
      continue;
    }
    const { s } = it;
    if (s === 0) return null;
    // Python's slice.indices(d).
    const clampB = (v, lo, hi) => (v < 0 ? Math.max(v + d, lo) : Math.min(v, hi));
    const start = it.b === null ? (s > 0 ? 0 : d - 1) : clampB(it.b, s > 0 ? 0 : -1, s > 0 ? d : d - 1);
    const stop = it.e === null ? (s > 0 ? d : -1) : clampB(it.e, s > 0 ? 0 : -1, s > 0 ? d : d - 1);
    const list = [];
    for (let i = start; s > 0 ? i < stop : i > stop; i += s) list.push(i);
    picks.push(list);
    shape.push(list.length);
  }
  if (shape.length > 32) return null;
  const st = stridesOf(x.shape);
  const vals = [];
  const walk = (a, off) => {
    if (a === picks.length) {
      vals.push(x.vals[off]);
      return;
    }
    for (const i of picks[a]) walk(a + 1, off + i * st[a]);
  };
  walk(0, 0);
  return { shape, vals };
}

const stridedSliceOp = {
  name: 'stridedSlice', weight: 3,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any();
    const r = e.shape.length;
    const len = rng.int(0, r + 1);
    const dim = (i) => e.shape[Math.min(i, r - 1)] ?? 1;
    const strides = Array.from({ length: len }, () => rng.pick([1, 1, 2, 3, -1, -1, -2, rng.chance(0.05) ? 0 : 1]));
    const begin = Array.from({ length: len }, (_, i) => rng.int(-dim(i) - 1, dim(i) + 1));
    const end = Array.from({ length: len }, (_, i) => rng.int(-dim(i) - 1, dim(i) + 1));
    const mask = (p) => Array.from({ length: len + 1 }, (_, i) => (rng.chance(p) ? 1 << i : 0)).reduce((a, b) => a | b, 0);
    const masks = [mask(0.25), mask(0.25), len > 0 && rng.chance(0.2) ? 1 << rng.int(0, len - 1) : 0, mask(0.1), mask(0.1)];
    let args = [e.t, begin, end, rng.chance(0.15) && strides.every((s) => s === 1) ? undefined : strides, ...masks];
    let want = () => refStridedSlice(e.ref, begin, end, strides, masks);
    if (rng.chance(0.12)) {
      // A bad spec: two ellipses, a negative mask, a non-integer, lengths that differ, garbage.
      const k = rng.int(0, 4);
      if (k === 0) args[6] = 3;
      else if (k === 1) args[4] = -1;
      else if (k === 2 && len > 0) args[1] = begin.map((b, i) => (i === 0 ? badInt(rng) : b));
      else if (k === 3) args[2] = [...end, 0];
      else {
        const at = rng.int(1, 3);
        args[at] = garbage(rng);
        // Omitted strides are the default, not an error.
        if (at === 3 && (args[3] === undefined || args[3] === null)) return null;
      }
      want = () => null;
    }
    const expected = want();
    return {
      args, expect: expected ? 'ok' : 'error', run: () => nr.stridedSlice(...args),
      check: (t) => compare('stridedSlice', t, expected, true),
    };
  },
};

// --- unique -------------------------------------------------------------------------------------

function refUnique(x, axis) {
  const r = x.shape.length;
  const a = axis < 0 ? axis + r : axis;
  const n = x.shape[a];
  const outer = sizeOf(x.shape.slice(0, a));
  const inner = sizeOf(x.shape.slice(a + 1));
  const keys = new Map();
  const first = [];
  const indices = [];
  for (let i = 0; i < n; i++) {
    const parts = [];
    for (let o = 0; o < outer; o++) for (let k = 0; k < inner; k++) parts.push(String(x.vals[(o * n + i) * inner + k]));
    const key = parts.join(',');
    if (!keys.has(key)) {
      keys.set(key, first.length);
      first.push(i);
    }
    indices.push(keys.get(key));
  }
  const vals = [];
  for (let o = 0; o < outer; o++) for (const i of first) for (let k = 0; k < inner; k++) vals.push(x.vals[(o * n + i) * inner + k]);
  const shape = x.shape.slice();
  shape[a] = first.length;
  return { values: { shape, vals }, indices: { shape: [n], vals: indices } };
}

const uniqueOp = {
  name: 'unique', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const s = rng.chance(0.3) ? smallShape(rng, 0, 4, 4) : null;
    const e = s ? ctx.fresh(s, fromPool(rng, sizeOf(s), rng.pick([[0, 1], [NaN, -0, 0, 1, 2.5]]))) : ctx.any();
    const r = e.shape.length;
    const valid = r > 0 && rng.chance(0.9);
    const axis = valid ? rng.int(-r, r - 1) : r === 0 ? rng.int(-1, 0) : badAxis(rng, r);
    if (!valid && r > 0 && (axis === undefined || axis === null)) return null;
    return {
      args: [e.t, axis], expect: valid ? 'ok' : 'error', run: () => nr.unique(e.t, axis),
      check: (res) => {
        const want = refUnique(e.ref, axis);
        compare('unique values', res.values, want.values, true);
        compare('unique indices', res.indices, want.indices, true);
      },
    };
  },
};

// --- bincount, denseBincount ----------------------------------------------------------------------

function refBincount(x, w, size, rows, binary) {
  if (!(Number.isInteger(size) && size >= 0)) return null;
  if (w.length !== 0 && w.length !== x.length) return null;
  const cols = rows === 0 ? 0 : x.length / rows;
  const out = new Array(rows * size).fill(0);
  for (let p = 0; p < x.length; p++) {
    const v = x[p];
    if (!(Number.isInteger(v) && v >= 0)) return null;
    if (v >= size) continue;
    const k = Math.floor(p / cols) * size + v;
    out[k] = binary ? 1 : f32(out[k] + (w.length ? w[p] : 1));
  }
  return out;
}

const bincountOp = {
  name: 'bincount', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const dense = rng.chance(0.5);
    const op = dense ? 'denseBincount' : 'bincount';
    const xs = smallShape(rng, dense ? (rng.chance(0.05) ? 3 : 1) : 0, dense ? 2 : 3, 6);
    const size = rng.chance(0.05) ? rng.pick([-1, 1.5, NaN, 2 ** 40]) : rng.int(0, 7);
    const xv = Array.from({ length: sizeOf(xs) }, () => (rng.chance(0.03) ? rng.pick([-1, 0.5, NaN, Infinity]) : rng.int(0, 8)));
    const ws = rng.chance(0.5) ? [0] : rng.chance(0.95) ? xs : [sizeOf(xs) + 1];
    const x = ctx.fresh(xs, xv);
    const w = ctx.fresh(ws);
    const binary = dense && rng.chance(0.3);
    const rows = !dense || xs.length === 1 ? 1 : xs[0];
    const rankOk = !dense || xs.length === 1 || xs.length === 2;
    const big = Number.isInteger(size) && (size > 2 ** 29 - 1 || size * rows > 2 ** 29 - 1);
    const out = rankOk && !big ? refBincount(xv, Array.from(w.vals), size, rows, binary) : null;
    const shape = dense && xs.length === 2 ? [rows, size] : [size];
    return {
      op, args: dense ? [x.t, w.t, size, binary] : [x.t, w.t, size], expect: out ? 'ok' : 'error',
      run: () => (dense ? nr.denseBincount(x.t, w.t, size, binary) : nr.bincount(x.t, w.t, size)),
      check: (t) => compare(op, t, { shape, vals: out }, true),
    };
  },
};

// --- searchSorted, lowerBound, upperBound -------------------------------------------------------

const searchSortedOp = {
  name: 'searchSorted', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const op = rng.pick(['searchSorted', 'lowerBound', 'upperBound']);
    const side = op === 'lowerBound' ? 'left' : op === 'upperBound' ? 'right' : rng.pick(['left', 'right', undefined, rng.chance(0.2) ? 'middle' : 'left']);
    const lead = smallShape(rng, 0, 2, 3);
    const n = rng.chance(0.05) ? 0 : rng.int(1, 8);
    const m = rng.chance(0.05) ? 0 : rng.int(1, 5);
    const rows = sizeOf(lead);
    const seq = [];
    for (let i = 0; i < rows; i++) seq.push(...fromPool(rng, n, [-Infinity, -2, -1, -0.5, 0, 0, 1, 2, 2, 3, Infinity]).sort((a, b) => a - b));
    const ss = [...lead, n];
    let vs = [...lead, m];
    let ok = side === 'left' || side === 'right' || side === undefined;
    if (rng.chance(0.08)) {
      vs = rng.chance(0.5) ? [] : [rows + 1, m];
      ok = false;
    }
    const s = ctx.fresh(ss, seq);
    const v = ctx.fresh(vs);
    const right = side === 'right';
    const vals = Array.from(v.vals, (x, i) => {
      const r = Math.floor(i / Math.max(m, 1));
      return seq.slice(r * n, (r + 1) * n).filter((e) => (right ? e <= x : e < x)).length;
    });
    const args = op === 'searchSorted' ? [s.t, v.t, side] : [s.t, v.t];
    return {
      op, args, expect: ok ? 'ok' : 'error', run: () => nr[op](...args),
      check: (t) => compare(op, t, { shape: vs, vals }, true),
    };
  },
};

// --- booleanMaskAsync, whereAsync, setdiff1dAsync -----------------------------------------------

const maskingOp = {
  name: 'booleanMaskAsync/whereAsync/setdiff1dAsync', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const op = rng.pick(['booleanMaskAsync', 'whereAsync', 'setdiff1dAsync']);
    const truth = (v) => v !== 0; // NaN is true
    if (op === 'whereAsync') {
      const s = smallShape(rng, 0, 4, 4);
      const c = ctx.fresh(s, fromPool(rng, sizeOf(s), [0, 0, 1, -0, NaN, 0.5]));
      const st = stridesOf(s);
      const vals = [];
      let count = 0;
      c.vals.forEach((v, i) => {
        if (!truth(v)) return;
        count++;
        for (let d = 0; d < s.length; d++) vals.push(Math.floor(i / st[d]) % s[d]);
      });
      return { op, args: [c.t], expect: 'ok', run: () => nr.whereAsync(c.t), check: (t) => compare(op, t, { shape: [count, s.length], vals }, true) };
    }
    if (op === 'setdiff1dAsync') {
      const pool = [NaN, -0, 0, 1, -1, 2.5, 3];
      const nx = rng.int(0, 8);
      const ny = rng.int(0, 4);
      const x = ctx.fresh([nx], fromPool(rng, nx, pool));
      const y = rng.chance(0.9) ? ctx.fresh([ny], fromPool(rng, ny, pool)) : ctx.any();
      const ok = y.shape.length === 1;
      const drop = new Set(y.vals);
      const keep = [...x.vals.keys()].filter((i) => !drop.has(x.vals[i]));
      return {
        op, args: [x.t, y.t], expect: ok ? 'ok' : 'error', run: () => nr.setdiff1dAsync(x.t, y.t),
        check: ([o, idx]) => {
          if (!(o instanceof nr.Tensor) || !(idx instanceof nr.Tensor)) throw new Mismatch('setdiff1dAsync: did not resolve to [out, indices]');
          compare('setdiff1dAsync out', o, { shape: [keep.length], vals: keep.map((i) => x.vals[i]) }, true);
          compare('setdiff1dAsync indices', idx, { shape: [keep.length], vals: keep }, true);
        },
      };
    }
    const e = ctx.any();
    const r = e.shape.length;
    const a = r > 0 ? rng.int(0, r - 1) : 0;
    const k = r > 0 ? rng.int(1, r - a) : 1;
    let ms = e.shape.slice(a, a + k);
    let ok = r > 0;
    if (rng.chance(0.1) && ms.length > 0) {
      ms = ms.map((d, i) => (i === 0 ? d + 1 : d));
      ok = false;
    }
    const axis = r > 0 && rng.chance(0.3) ? a - r : a;
    const m = ctx.fresh(ms, fromPool(rng, sizeOf(ms), [0, 1, 1, NaN]));
    const picked = [...m.vals.keys()].filter((i) => truth(m.vals[i]));
    const lead = sizeOf(ms);
    const pre = sizeOf(e.shape.slice(0, a));
    const post = sizeOf(e.shape.slice(a + k));
    const vals = [];
    for (let p = 0; p < pre; p++) for (const i of picked) for (let q = 0; q < post; q++) vals.push(e.vals[(p * lead + i) * post + q]);
    return {
      op, args: [e.t, m.t, axis], expect: ok ? 'ok' : 'error', run: () => nr.booleanMaskAsync(e.t, m.t, axis),
      check: (t) => compare(op, t, { shape: [...e.shape.slice(0, a), picked.length, ...e.shape.slice(a + k)], vals }, true),
    };
  },
};

// --- scatters: unsortedSegmentSum, scatterND, tensorScatterUpdate, sparseToDense ------------

/** Tuples for a tensor of `shape`: `[n, k]` of integers in range, now and then one that is not. */
function tuples(rng, shape, k, n) {
  let bad = false;
  const vals = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      if (rng.chance(0.03)) {
        vals.push(rng.pick([shape[j], -1, 0.5, NaN]));
        bad = true;
      } else vals.push(shape[j] === 0 ? 0 : rng.int(0, shape[j] - 1));
      if (shape[j] === 0) bad = true;
    }
  }
  return { vals, bad };
}

/** The scatter of `updates` rows (`rowSize` values each) to `rows`: added, or the last kept. */
function refScatter(base, rows, updates, rowSize, add) {
  const out = base.slice();
  const seen = new Set();
  rows.forEach((r, i) => {
    for (let q = 0; q < rowSize; q++) {
      const at = r * rowSize + q;
      out[at] = add ? f32((seen.has(r) ? out[at] : 0) + updates[i * rowSize + q]) : updates[i * rowSize + q];
    }
    seen.add(r);
  });
  return out;
}

const scatterOp = {
  name: 'scatterND/tensorScatterUpdate/sparseToDense/unsortedSegmentSum', weight: 3,
  gen(ctx) {
    const { rng, nr } = ctx;
    const op = rng.pick(['scatterND', 'tensorScatterUpdate', 'sparseToDense', 'unsortedSegmentSum']);
    const shape = smallShape(rng, 1, 3, 4);
    const k = op === 'sparseToDense' ? shape.length : rng.int(1, shape.length);
    const n = rng.int(0, 5);
    const { vals, bad } = tuples(rng, shape, k, n);
    const rowSize = sizeOf(shape.slice(k));
    const strides = shape.slice(0, k).map((_, j) => sizeOf(shape.slice(j + 1, k)));
    const rows = [];
    for (let i = 0; i < n && !bad; i++) rows.push(vals.slice(i * k, i * k + k).reduce((a, v, j) => a + v * strides[j], 0));
    const uShape = op === 'sparseToDense' ? [n] : [n, ...shape.slice(k)];
    const updates = fromPool(rng, sizeOf(uShape), [1, -2, 0.5, 3, -0, 1e30]).map(f32);
    const u = ctx.fresh(uShape, updates).t;
    const idx = ctx.fresh([n, k], vals).t;
    let expect = bad ? 'error' : 'ok';
    let run;
    let ref = null;
    if (op === 'scatterND') {
      run = () => nr.scatterND(idx, u, shape);
      if (!bad) ref = { shape, vals: refScatter(new Array(sizeOf(shape)).fill(0), rows, updates, rowSize, true) };
    } else if (op === 'tensorScatterUpdate') {
      const base = fromPool(rng, sizeOf(shape), [7, -1, 2.5]);
      const b = ctx.fresh(shape, base).t;
      run = () => nr.tensorScatterUpdate(b, idx, u);
      if (!bad) ref = { shape, vals: refScatter(base, rows, updates, rowSize, false) };
    } else if (op === 'sparseToDense') {
      const def = rng.pick([0, 9, -1.5]);
      run = () => nr.sparseToDense(idx, u, shape, def);
      if (!bad) ref = { shape, vals: refScatter(new Array(sizeOf(shape)).fill(def), rows, updates, 1, false) };
    } else {
      // Segment ids on axis 0 of x: some negative (dropped), some at numSegments or a fraction
      // now and then (an error: TensorFlow refuses an id past the last segment).
      const segs = rng.int(0, 4);
      const x = u;
      const idsV = Array.from({ length: n }, () => (rng.chance(0.03) ? 0.5 : rng.chance(0.1) ? segs : rng.int(-2, segs - 1)));
      expect = idsV.some((v) => v === 0.5 || v >= segs) ? 'error' : 'ok';
      const ids = ctx.fresh([n], idsV).t;
      run = () => nr.unsortedSegmentSum(x, ids, segs);
      const rs = sizeOf(uShape.slice(1));
      if (expect === 'ok') {
        const out = new Array(segs * rs).fill(0);
        idsV.forEach((s, i) => {
          if (s >= 0 && s < segs) for (let q = 0; q < rs; q++) out[s * rs + q] = f32(out[s * rs + q] + updates[i * rs + q]);
        });
        ref = { shape: [segs, ...uShape.slice(1)], vals: out };
      }
    }
    if (rng.chance(0.05)) {
      expect = 'error';
      const g = garbage(rng);
      run = op === 'unsortedSegmentSum' ? () => nr.unsortedSegmentSum(u, g, 2) : op === 'scatterND' ? () => nr.scatterND(g, u, shape) : op === 'sparseToDense' ? () => nr.sparseToDense(idx, u, g) : () => nr.tensorScatterUpdate(g, idx, u);
      ref = null;
    }
    return { op, args: [op, shape, n, k], expect, run, check: ref ? (t) => compare(op, t, ref, true) : undefined };
  },
};

export default {
  name: 'indexing',
  weight: 2,
  ops: [gatherNDOp, stridedSliceOp, uniqueOp, bincountOp, searchSortedOp, maskingOp, scatterOp],
};
