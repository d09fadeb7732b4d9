/** Shape ops: reshape, transpose, squeeze, expandDims, slice, split, gather, oneHot, concat, stack, tile, reverse, linalg.bandPart, pad, mirrorPad, cumsum, cumprod, topk. */
import { compare, compareShape, Mismatch } from '../checks.mjs';
import * as R from '../reference.mjs';
import { badAxis, badInt, garbage, tensorLike } from '../values.mjs';

const size = (s) => s.reduce((a, b) => a * b, 1);
const norm = (a, r) => (a < 0 ? a + r : a);

const reshapeOp = {
  name: 'reshape',
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any();
    const n = e.size;
    let s;
    let expect = 'ok';
    if (rng.chance(0.7)) {
      // Factor n into a random shape, maybe with one -1.
      s = [];
      let rest = n;
      while (rest > 1 && s.length < 4) {
        const divs = [...Array(rest).keys()].map((i) => i + 1).filter((d) => rest % d === 0 && d <= 7);
        const d = rng.pick(divs);
        s.push(d);
        rest /= d;
        if (d === 1 && rng.chance(0.5)) break;
      }
      if (rest !== 1) s.push(rest);
      if (n === 0) s = [0, rng.int(1, 3)];
      if (rng.chance(0.3) && n > 0) s[rng.int(0, s.length - 1)] = -1;
    } else {
      expect = 'error';
      s = rng.pick([[n + 1], [-1, -1], [badInt(rng)], [garbage(rng)], 'abc', [2 ** 32 + n], [-2, -n]]);
      if (n === 0 && Array.isArray(s) && s.length === 2 && s[0] === -1) expect = 'either';
    }
    return {
      args: [e.t, s], expect, run: () => nr.reshape(e.t, s),
      check: (t) => {
        const known = s.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        const want = s.map((d) => (d === -1 ? n / known : d));
        compare('reshape', t, { shape: want, vals: Array.from(e.vals) }, true);
      },
    };
  },
};

/** Whether `perm` is a permutation of rank `r` ('ok'), not one ('error'), or uses negative axes ('either'). */
function permExpect(perm, r) {
  if (perm === undefined || perm === null) return 'either';
  if (!Array.isArray(perm) || perm.length !== r) return 'error';
  if (perm.some((x) => typeof x !== 'number' || !Number.isInteger(x) || x >= r || x < -r)) return 'error';
  const norm = perm.map((x) => (x < 0 ? x + r : x));
  if (new Set(norm).size !== r) return 'error';
  return perm.some((x) => x < 0) ? 'either' : 'ok';
}

const transposeOp = {
  name: 'transpose', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any();
    const r = e.shape.length;
    const mode = rng.int(0, 5);
    let perm;
    let expect = 'ok';
    if (mode === 0) perm = undefined;
    else if (mode <= 3) perm = rng.shuffle([...Array(r).keys()]);
    else {
      const p = rng.shuffle([...Array(r).keys()]);
      perm = rng.pick([
        p.map((x) => x + 2 ** 32), // 2**32 + k read as k by `>>> 0`
        [...p, r], p.slice(1), p.map(() => 0), [1.5], garbage(rng), p.map((x) => -x - 1),
      ]);
      expect = permExpect(perm, r);
    }
    const p0 = perm ?? [...Array(r).keys()].reverse();
    const p = Array.isArray(p0) ? p0.map((x) => (x < 0 ? x + r : x)) : p0;
    return {
      args: perm === undefined ? [e.t] : [e.t, perm], expect, run: () => nr.transpose(e.t, perm),
      check: (t) => {
        if (!Array.isArray(p) || p.length !== r) throw new Mismatch(`transpose accepted perm ${ctx.show(perm)} for rank ${r}`);
        compare('transpose', t, R.transpose(e.ref, p), true);
      },
    };
  },
};

const squeezeExpand = {
  name: 'squeeze',
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any();
    const r = e.shape.length;
    if (rng.chance(0.5)) {
      const valid = rng.chance(0.75);
      const axis = valid ? rng.int(-r - 1, r) : badAxis(rng, r + 1);
      if (axis === undefined || axis === null) return null;
      const a = valid ? (axis < 0 ? axis + r + 1 : axis) : 0;
      const shape = [...e.shape.slice(0, a), 1, ...e.shape.slice(a)];
      return {
        op: 'expandDims', args: [e.t, axis], expect: valid ? 'ok' : 'error', run: () => nr.expandDims(e.t, axis),
        check: (t) => compare('expandDims', t, { shape, vals: Array.from(e.vals) }, true),
      };
    }
    const ones = e.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
    const mode = rng.int(0, 3);
    let axis;
    let expect = 'ok';
    if (mode === 0) axis = undefined;
    else if (mode === 1 && ones.length) axis = rng.pick(ones);
    else if (mode === 2 && ones.length) axis = ones.map((a) => (rng.chance(0.5) ? a - r : a));
    else {
      axis = rng.pick([2 ** 32 + (ones[0] ?? 0), r, badInt(rng), e.shape.findIndex((d) => d !== 1)]);
      expect = axis === -1 ? 'either' : 'error';
    }
    const list = axis === undefined ? ones : (Array.isArray(axis) ? axis : [axis]).map((a) => norm(a, r));
    const shape = e.shape.filter((_, i) => !list.includes(i));
    return {
      args: axis === undefined ? [e.t] : [e.t, axis], expect, run: () => nr.squeeze(e.t, axis),
      check: (t) => compare('squeeze', t, { shape, vals: Array.from(e.vals) }, true),
    };
  },
};

const sliceOp = {
  name: 'slice', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any();
    const r = e.shape.length;
    const begin = e.shape.map((d) => rng.int(0, d));
    const size = e.shape.map((d, i) => (rng.chance(0.2) ? -1 : rng.int(0, d - begin[i])));
    let b = begin;
    let s = size;
    let expect = 'ok';
    if (rng.chance(0.25) && r > 0) {
      expect = 'error';
      const i = rng.int(0, r - 1);
      b = begin.slice();
      s = size.slice();
      switch (rng.int(0, 4)) {
        case 0: b[i] = e.shape[i] + 1; break;
        case 1: s[i] = e.shape[i] - begin[i] + 1; break;
        case 2: b[i] = badInt(rng); break;
        case 3: s[i] = rng.pick([-2, 2 ** 32, 1.5]); break;
        default: b = [...begin, 0]; break;
      }
    }
    const realSize = e.shape.map((d, i) => (size[i] === -1 ? d - begin[i] : size[i]));
    const x = rng.chance(0.1) ? tensorLike(rng, e) ?? e.t : e.t;
    return {
      args: [x, b, s], expect, run: () => nr.slice(x, b, s),
      check: (t) => compare('slice', t, R.slice(e.ref, begin, realSize), true),
    };
  },
};

const splitOp = {
  name: 'split',
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any();
    const r = e.shape.length;
    if (r === 0) return { args: [e.t, 1], expect: 'error', run: () => nr.split(e.t, 1) };
    const axis = rng.int(-r, r - 1);
    const a = norm(axis, r);
    const d = e.shape[a];
    let arg;
    let sizes;
    let expect = 'ok';
    if (rng.chance(0.5)) {
      const divs = [...Array(Math.max(d, 1)).keys()].map((i) => i + 1).filter((k) => d % k === 0);
      const k = rng.pick(divs);
      arg = k;
      sizes = Array(k).fill(d / k);
      if (rng.chance(0.15)) { arg = rng.pick([0, d + 1, 2 ** 32 + k, -1, 1.5]); expect = arg === 1 ? 'ok' : 'error'; sizes = [d]; }
    } else {
      sizes = [];
      let rest = d;
      while (rest > 0) { const s = rng.int(0, rest); sizes.push(s); rest -= s; if (sizes.length > 4) { sizes.push(rest); rest = 0; } }
      if (sizes.length === 0) sizes = [0];
      arg = sizes.slice();
      if (rng.chance(0.3)) arg[rng.int(0, arg.length - 1)] = -1;
      if (rng.chance(0.15)) { arg = [...sizes, 1]; expect = 'error'; }
    }
    const method = rng.chance(0.2);
    return {
      args: [e.t, arg, axis], expect, run: () => (method ? e.t.split(arg, axis) : nr.split(e.t, arg, axis)),
      check: (pieces) => {
        if (!Array.isArray(pieces) || pieces.length !== sizes.length) throw new Mismatch(`split: ${pieces?.length} pieces, expected ${sizes.length}`);
        let off = 0;
        pieces.forEach((t, i) => {
          const begin = e.shape.map((_, k) => (k === a ? off : 0));
          const sz = e.shape.map((dd, k) => (k === a ? sizes[i] : dd));
          compare(`split piece ${i}`, t, R.slice(e.ref, begin, sz), true);
          off += sizes[i];
        });
      },
    };
  },
};

const gatherOp = {
  name: 'gather', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any();
    const r = e.shape.length;
    if (r === 0) return null;
    const axis = rng.int(-r, r - 1);
    const a = norm(axis, r);
    const d = e.shape[a];
    const n = rng.int(0, 5);
    const idx = Array.from({ length: n }, () => rng.int(0, Math.max(d - 1, 0)));
    let indices = idx;
    let expect = d === 0 && n > 0 ? 'error' : 'ok';
    const form = rng.int(0, 5);
    if (form === 0) indices = ctx.fresh([n], idx).t;
    else if (form === 1 && n > 0) indices = idx[0];
    else if (form >= 4) {
      expect = 'error';
      indices = rng.pick([[d], [-1], [0.5], [NaN], [2 ** 32], garbage(rng), [Infinity]]);
      if (indices === null || indices === undefined || typeof indices === 'boolean') expect = 'either';
    }
    const ishape = typeof indices === 'number' ? [] : [n];
    const list = typeof indices === 'number' ? [indices] : idx;
    const badAx = rng.chance(0.1) ? badAxis(rng, r) : null;
    if (badAx !== null && badAx !== undefined) {
      return { args: [e.t, indices, badAx], expect: 'error', run: () => nr.gather(e.t, indices, badAx) };
    }
    return {
      args: [e.t, indices, axis], expect, run: () => nr.gather(e.t, indices, axis),
      check: (t) => compare('gather', t, R.gather(e.ref, list, ishape, a), true),
    };
  },
};

const oneHotOp = {
  name: 'oneHot',
  gen(ctx) {
    const { rng, nr } = ctx;
    const depth = rng.int(0, 6);
    const n = rng.int(0, 5);
    const idx = Array.from({ length: n }, () => rng.int(-1, depth + 1));
    const on = rng.chance(0.8) ? 1 : 5;
    const off = rng.chance(0.8) ? 0 : -2;
    if (rng.chance(0.2)) {
      const args = rng.pick([[idx, -1], [idx, 1.5], [idx, 2 ** 32], [[0.5], 3], [[NaN], 3], [idx, depth, 'a'], [garbage(rng), 3]]);
      return { args, expect: args[0] === null || args[0] === undefined || typeof args[0] === 'boolean' ? 'either' : 'error', run: () => nr.oneHot(...args) };
    }
    return {
      args: [idx, depth, on, off], expect: 'ok', run: () => nr.oneHot(idx, depth, on, off),
      check: (t) => compare('oneHot', t, R.oneHot(idx, [n], depth, on, off), true),
    };
  },
};

const concatOp = {
  name: 'concat', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const op = rng.pick(['concat', 'stack']);
    const e = ctx.any();
    const r = e.shape.length;
    const k = rng.int(1, 4);
    const stack = op === 'stack';
    if (!stack && r === 0) return { op, args: [[e.t]], expect: 'error', run: () => nr.concat([e.t]) };
    const axis = stack ? rng.int(-r - 1, r) : rng.int(-r, r - 1);
    const a = stack ? (axis < 0 ? axis + r + 1 : axis) : norm(axis, r);
    const list = [e];
    for (let i = 1; i < k; i++) {
      const s = e.shape.slice();
      if (!stack) s[a] = rng.int(0, 4);
      list.push(ctx.tensorOf(s));
    }
    let expect = 'ok';
    // Now and then an entry as nested arrays (TF.js's TensorLike, a temporary tensor).
    const ts = list.map((x) => (rng.chance(0.1) ? tensorLike(rng, x) ?? x.t : x.t));
    let ax = axis;
    if (rng.chance(0.25)) {
      expect = 'error';
      switch (rng.int(0, 3)) {
        case 0: ax = rng.pick([r + 1, 2 ** 32 + Math.max(a, 0), badInt(rng)]); break;
        case 1: ts.push(ctx.fresh([...e.shape, 2]).t); break;
        case 2: ts.push(rng.chance(0.5) ? ctx.disposed() : garbage(rng)); break;
        default: if (r > 0) { const s = e.shape.slice(); s[(a + 1) % r] += 1; if (s.some((x) => !Number.isInteger(x))) return null; if (stack || r > 1) ts.push(ctx.fresh(s).t); else expect = 'ok'; } else expect = stack ? 'ok' : 'error'; break;
      }
    }
    return {
      op, args: [ts, ax], expect, run: () => nr[op](ts, ax),
      check: (t) => compare(op, t, stack ? R.stack(list.map((x) => x.ref), a) : R.concat(list.map((x) => x.ref), a), true),
    };
  },
};

const tileOp = {
  name: 'tile', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any(300);
    const r = e.shape.length;
    let reps = e.shape.map(() => rng.int(0, 3));
    let expect = 'ok';
    if (rng.chance(0.3)) {
      expect = 'error';
      switch (rng.int(0, 3)) {
        case 0: reps = [...reps, 1]; break;
        case 1: if (r === 0) return null; reps[0] = rng.pick([-1, 1.5, 2 ** 32, NaN]); break;
        case 2: reps = garbage(rng); break;
        default: {
          // Huge repeats: the result must satisfy the core's shape invariant (every dim within
          // u32, the product of the non-zero dims within MAX_ELEMENTS), also when it is empty.
          if (r === 0) return null;
          reps = e.shape.map(() => rng.pick([2 ** 31 - 1, 2 ** 31 - 1, 65536, 1, 2 ** 14, 2 ** 15]));
          const dims = e.shape.map((d, i) => d * reps[i]);
          if (R.shapeFits(dims)) {
            if (size(dims) <= 2 ** 20) expect = 'ok';
            else return null; // a valid allocation of 4 MB–2 GB: not a fuzz target
          }
        }
      }
    }
    const shape = Array.isArray(reps) ? e.shape.map((d, i) => d * reps[i]) : [];
    return {
      args: [e.t, reps], expect, run: () => nr.tile(e.t, reps),
      check: (t) => {
        if (size(shape) > 100000) return compareShape('tile', t, shape);
        compare('tile', t, R.tile(e.ref, reps), true);
      },
    };
  },
};

const reverseOp = {
  name: 'reverse', weight: 1,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any(300);
    const r = e.shape.length;
    let axis = rng.chance(0.2) ? undefined : [...Array(r).keys()].filter(() => rng.chance(0.5)).map((a) => (rng.chance(0.3) ? a - r : a));
    if (axis !== undefined && axis.length === 1 && rng.chance(0.5)) axis = axis[0];
    let expect = 'ok';
    if (rng.chance(0.25)) {
      expect = 'error';
      switch (rng.int(0, 2)) {
        case 0: axis = [...(Array.isArray(axis) ? axis : []), badAxis(rng, r)]; break;
        case 1: if (r === 0) return null; axis = [0, -r]; break;
        default: axis = garbage(rng); if (axis === undefined || axis === null || typeof axis === 'number') return null;
      }
    }
    const axes = expect === 'error' ? [] : axis === undefined ? [...Array(r).keys()] : (Array.isArray(axis) ? axis : [axis]).map((a) => norm(a, r));
    return {
      args: [e.t, axis], expect, run: () => nr.reverse(e.t, axis),
      check: (t) => compare('reverse', t, R.reverse(e.ref, axes), true),
    };
  },
};

const bandPartOp = {
  name: 'linalg.bandPart', weight: 1,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any(300);
    const r = e.shape.length;
    const [m, n] = r >= 2 ? e.shape.slice(-2) : [0, 0];
    let lo = rng.int(-1, m);
    let up = rng.int(-1, n);
    let expect = r >= 2 ? 'ok' : 'error';
    if (rng.chance(0.25)) {
      expect = 'error';
      if (rng.chance(0.5)) lo = rng.pick([m + 1, 1.5, NaN, garbage(rng)]);
      else up = rng.pick([n + 1, -0.5, 2 ** 32, garbage(rng)]);
      if (typeof lo === 'number' && typeof up === 'number' && Number.isInteger(lo) && Number.isInteger(up) && lo <= m && up <= n && r >= 2) return null;
    }
    return {
      args: [e.t, lo, up], expect, run: () => nr.linalg.bandPart(e.t, lo, up),
      check: (t) => compare('linalg.bandPart', t, R.bandPart(e.ref, lo, up), true),
    };
  },
};

const padOp = {
  name: 'pad', weight: 1,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any(300);
    const r = e.shape.length;
    let paddings = e.shape.map(() => [rng.int(0, 2), rng.int(0, 2)]);
    const value = rng.pick([0, 0, -1, 2.5, NaN, -0, 1e30]);
    let expect = 'ok';
    if (rng.chance(0.3)) {
      expect = 'error';
      switch (rng.int(0, 3)) {
        case 0: paddings = [...paddings, [0, 0]]; break;
        case 1: if (r === 0) return null; paddings[0] = [rng.pick([-1, 1.5, 2 ** 32, NaN]), 0]; break;
        case 2: if (r === 0) return null; paddings[0] = rng.pick([[1], [1, 2, 3], 5, 'ab']); break;
        default: paddings = garbage(rng); if (Array.isArray(paddings) && r === 0 && paddings.length === 0) return null;
      }
    }
    return {
      args: [e.t, paddings, value], expect, run: () => nr.pad(e.t, paddings, value),
      check: (t) => compare('pad', t, R.pad(e.ref, paddings, value), true),
    };
  },
};

/**
 * mirrorPad in both modes up to the largest paddings each allows, against TF.js's kernel in
 * plain JS; now and then a padding past the limit, a wrong count, a bad mode, a scalar.
 */
const mirrorPadOp = {
  name: 'mirrorPad', weight: 1,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any(300);
    const r = e.shape.length;
    const mode = rng.pick(['reflect', 'symmetric']);
    const max = (d) => (mode === 'reflect' ? d - 1 : d);
    let paddings = e.shape.map((d) => [rng.int(0, Math.max(0, max(d))), rng.int(0, Math.max(0, max(d)))]);
    let m = mode;
    // Scalars and reflected empty axes have no valid padding (TF.js's limits).
    let expect = r === 0 || e.shape.some((d) => max(d) < 0) ? 'error' : 'ok';
    if (rng.chance(0.25)) {
      expect = 'error';
      switch (rng.int(0, 3)) {
        case 0: paddings = [...paddings, [0, 0]]; break;
        case 1: if (r === 0) return null; paddings[0] = [max(e.shape[0]) + 1, 0]; break;
        case 2: if (r === 0) return null; paddings[0] = [rng.pick([-1, 1.5, NaN]), 0]; break;
        default: m = rng.pick(['REFLECT', 'constant', 1, null]);
      }
    }
    return {
      args: [e.t, paddings, m], expect, run: () => nr.mirrorPad(e.t, paddings, m),
      check: (t) => compare('mirrorPad', t, R.mirrorPad(e.ref, paddings, mode), true),
    };
  },
};

/** cumsum or cumprod (the same arguments, the same fold). */
const scanOp = (name) => ({
  name, weight: 1,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any(300);
    const r = e.shape.length;
    let axis = r === 0 ? 0 : rng.int(-r, r - 1);
    let exclusive = rng.chance(0.5);
    let reverse = rng.chance(0.5);
    let expect = r === 0 ? 'error' : 'ok';
    if (rng.chance(0.2)) {
      expect = 'error';
      switch (rng.int(0, 2)) {
        case 0: axis = badAxis(rng, r); if (axis === undefined) return null; break; // undefined is the default axis
        case 1: exclusive = rng.pick([1, 'yes', {}, null]); break;
        default: reverse = rng.pick([0, 'no', []]);
      }
    }
    return {
      args: [e.t, axis, exclusive, reverse], expect, run: () => nr[name](e.t, axis, exclusive, reverse),
      check: (t) => compare(name, t, R[name](e.ref, norm(axis, r), exclusive, reverse), true),
    };
  },
});

const topkOp = {
  name: 'topk', weight: 1,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any(300);
    const r = e.shape.length;
    const n = r === 0 ? 0 : e.shape[r - 1];
    let k = rng.int(0, n);
    let expect = r === 0 ? 'error' : 'ok';
    if (rng.chance(0.2)) {
      expect = 'error';
      k = rng.pick([n + 1, -1, 1.5, NaN, 2 ** 32, 'two', null]);
      if (k === null || (typeof k === 'number' && k <= n && k >= 0 && Number.isInteger(k))) return null;
    }
    return {
      args: [e.t, k], expect, run: () => { const { values, indices } = nr.topk(e.t, k); indices.dispose(); return values; },
      check: (t) => compare('topk', t, R.topk(e.ref, k).values, true),
    };
  },
};

export default {
  name: 'shape',
  weight: 4,
  ops: [reshapeOp, transposeOp, squeezeExpand, sliceOp, splitOp, gatherOp, oneHotOp, concatOp, tileOp, reverseOp, bandPartOp, padOp, mirrorPadOp, scanOp('cumsum'), scanOp('cumprod'), topkOp],
};
