/**
 * The ops composed in TypeScript from the others (ts/ops/logsumexp.ts, norm.ts, arithmetic.ts,
 * all_any.ts, activation_ops.ts, unstack.ts, broadcast_to.ts): logSumExp, all, any, norm,
 * squaredDifference, divNoNan, addN, unstack, broadcastTo, relu6 and logSigmoid, with good and
 * bad axes, shapes that do and do not fit, and the values' NaN/±Infinity/huge specials.
 */
import { compare } from '../checks.mjs';
import * as R from '../reference.mjs';
import { badAxis, broadcastPartner, garbage } from '../values.mjs';

const f32 = Math.fround;
const norm = (a, r) => (a < 0 ? a + r : a);
const map = (x, f) => ({ shape: x.shape.slice(), vals: Array.from(x.vals, f) });

/** Random valid axes for rank `r` (undefined: all; one axis; a list of distinct axes), or a bad one. */
function axesArg(rng, r) {
  if (rng.chance(0.1)) {
    const bad = r > 0 && rng.chance(0.3) ? [0, 0] : badAxis(rng, r);
    return bad === undefined || bad === null ? { axis: undefined, list: [...Array(r).keys()], valid: true } : { axis: bad, valid: false };
  }
  if (r === 0 || rng.chance(0.3)) return { axis: undefined, list: [...Array(r).keys()], valid: true };
  const picked = rng.shuffle([...Array(r).keys()]).slice(0, rng.int(1, r));
  const signed = picked.map((a) => (rng.chance(0.3) ? a - r : a));
  return rng.chance(0.5) ? { axis: signed[0], list: [picked[0]], valid: true } : { axis: signed, list: picked, valid: true };
}

/** logSumExp as neurite defines it: shifted by the maximum where that is finite, by 0 elsewhere. */
function logSumExp(x, axes, keepDims) {
  const count = axes.reduce((a, i) => a * x.shape[i], 1);
  const out = R.reduce('sum', x, axes, keepDims).shape;
  if (count === 0) return { shape: out, vals: new Array(R.sizeOf(out)).fill(-Infinity) };
  const m = R.reduce('max', x, axes, true);
  const shift = map(m, (v) => (Number.isFinite(v) ? v : 0));
  const e = map(R.binary('sub', x, shift), (v) => Math.exp(f32(v)));
  const s = R.reduce('sum', e, axes, true);
  // The values in order are the same with or without keepDims.
  return { shape: out, vals: s.vals.map((v, i) => Math.log(v) + shift.vals[i]) };
}

const reduceOp = {
  name: 'logSumExp/all/any', weight: 3,
  gen(ctx) {
    const { rng, nr } = ctx;
    const op = rng.pick(['logSumExp', 'all', 'any']);
    const e = ctx.any();
    const r = e.shape.length;
    const { axis, list, valid } = axesArg(rng, r);
    const keepDims = rng.chance(0.3);
    const method = rng.chance(0.3);
    const ref = () => {
      if (op === 'logSumExp') return logSumExp(e.ref, list, keepDims);
      const truth = map(e.ref, (v) => (v !== 0 ? 1 : 0));
      const red = R.reduce(op === 'all' ? 'prod' : 'sum', truth, list, keepDims);
      return { shape: red.shape, vals: red.vals.map((v) => (v !== 0 ? 1 : 0)) };
    };
    return {
      op, args: method ? [] : [e.t, axis, keepDims], line: method ? `${ctx.nameOf(e.t)}.${op}(${ctx.show(axis)}, ${keepDims})` : undefined,
      expect: valid ? 'ok' : 'error',
      run: () => (method ? e.t[op](axis, keepDims) : nr[op](e.t, axis, keepDims)),
      check: (t) => compare(op, t, ref(), op !== 'logSumExp'),
    };
  },
};

const normOp = {
  name: 'norm', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any();
    const r = e.shape.length;
    const ord = rng.pick(['euclidean', 2, 1, Infinity, -Infinity, 3, 'fro', 0, 'nuc']);
    const byAxis = r > 0 && rng.chance(0.6);
    const axis = byAxis ? (rng.chance(0.9) ? rng.int(-r, r - 1) : badAxis(rng, r)) : undefined;
    const keepDims = rng.chance(0.3);
    const whole = axis === undefined || axis === null;
    const axisOk = whole || (Number.isInteger(axis) && axis >= -r && axis < r);
    const list = whole ? [...Array(r).keys()] : axisOk ? [norm(axis, r)] : [];
    const ordOk = ord === 'euclidean' || ord === 2 || ord === 1 || ord === 3 || ord === Infinity || ord === -Infinity || (ord === 'fro' && r === 0);
    const count = list.reduce((a, i) => a * e.shape[i], 1);
    const outSize = e.shape.reduce((a, d, i) => (list.includes(i) ? a : a * d), 1);
    // ±Infinity over an empty axis (with values to give) is an error, as max/min's.
    const emptyExtremum = (ord === Infinity || ord === -Infinity) && count === 0 && outSize > 0 && r > 0;
    const ref = () => {
      if (r === 0) return map(e.ref, (v) => f32(Math.abs(v)));
      // norm(x) with no axis is the vector norm of all values; its keepDims shape keeps every axis.
      const x = whole ? { shape: [e.size], vals: e.ref.vals } : e.ref;
      const axes = whole ? [0] : list;
      const shapeOf = (red) => (whole ? (keepDims ? e.shape.map(() => 1) : []) : red.shape);
      const abs = map(x, (v) => f32(Math.abs(v)));
      let red;
      if (ord === 1) red = R.reduce('sum', abs, axes, keepDims);
      else if (ord === Infinity || ord === -Infinity) red = R.reduce(ord === Infinity ? 'max' : 'min', abs, axes, keepDims);
      else {
        const p = ord === 3 ? 3 : 2;
        const s = R.reduce('sum', map(abs, (v) => f32(v ** p)), axes, keepDims);
        // An overflowed sum (mag > 1e38) is skipped by compare: its float32 value depends on the order.
        red = { shape: s.shape, vals: s.vals.map((v) => v ** (1 / p)), mag: s.mag.map((m) => (m > 1e38 ? m : 0)) };
      }
      return { shape: shapeOf(red), vals: red.vals, mag: red.mag };
    };
    const args = [e.t, ord, axis, keepDims];
    return {
      op: 'norm', args, expect: axisOk && ordOk && !emptyExtremum ? 'ok' : 'error',
      run: () => nr.norm(...args),
      check: (t) => compare('norm', t, ref(), false),
    };
  },
};

const binaryOp = {
  name: 'squaredDifference/divNoNan', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const op = rng.pick(['squaredDifference', 'divNoNan']);
    const a = ctx.any();
    const mode = rng.int(0, 9);
    let b;
    let expect = 'ok';
    if (mode <= 6) b = ctx.tensorOf(broadcastPartner(rng, a.shape, true));
    else if (mode === 7) {
      const s = broadcastPartner(rng, a.shape, false);
      if (!s) return null;
      b = ctx.tensorOf(s);
      expect = 'error';
    } else {
      b = { t: rng.chance(0.5) ? ctx.disposed() : garbage(rng) };
      expect = 'error';
    }
    const f = op === 'squaredDifference' ? (x, y) => f32(x - y) ** 2 : (x, y) => (y === 0 ? 0 : x / y);
    const ref = () => {
      // a and b broadcast to the result's shape (x + 0 keeps every value but −0, which compare equates with +0).
      const pa = R.binary('add', a.ref, map(b.ref, () => 0));
      const pb = R.binary('add', map(a.ref, () => 0), b.ref);
      return { shape: pa.shape, vals: pa.vals.map((v, i) => f(v, pb.vals[i])) };
    };
    const method = rng.chance(0.3);
    return {
      op, args: method ? [] : [a.t, b.t], line: method ? `${ctx.nameOf(a.t)}.${op}(${ctx.show(b.t)})` : undefined,
      expect, run: () => (method ? a.t[op](b.t) : nr[op](a.t, b.t)),
      check: (t) => compare(op, t, ref(), true),
    };
  },
};

const addNOp = {
  name: 'addN',
  gen(ctx) {
    const { rng, nr } = ctx;
    const first = ctx.any();
    const n = rng.int(0, 4);
    const list = [first];
    for (let i = 1; i < n; i++) list.push(ctx.tensorOf(first.shape));
    let expect = n === 0 ? 'error' : 'ok';
    if (n > 1 && rng.chance(0.15)) {
      const s = broadcastPartner(rng, first.shape, true);
      if (s.join() !== first.shape.join() || s.length !== first.shape.length) {
        list[rng.int(1, n - 1)] = ctx.tensorOf(s);
        expect = 'error';
      }
    }
    const ts = n === 0 ? [] : list.map((e) => e.t);
    const ref = () => {
      const vals = Array.from(first.ref.vals, () => 0);
      list.forEach((e, k) => e.ref.vals.forEach((v, i) => { vals[i] = k === 0 ? v : f32(vals[i] + v); }));
      return { shape: first.shape.slice(), vals };
    };
    return { op: 'addN', args: [ts], expect, run: () => nr.addN(ts), check: (t) => compare('addN', t, ref(), true) };
  },
};

const unstackOp = {
  name: 'unstack',
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any();
    const r = e.shape.length;
    const valid = r > 0 && rng.chance(0.9);
    const axis = valid ? rng.int(-r, r - 1) : r === 0 ? rng.pick([0, -1, undefined]) : badAxis(rng, r);
    if (!valid && (axis === undefined || axis === null) && r > 0) return null;
    const ax = valid ? norm(axis, r) : 0;
    return {
      op: 'unstack', args: [e.t, axis], expect: valid ? 'ok' : 'error',
      run: () => nr.unstack(e.t, axis),
      check: (parts) => {
        if (parts.length !== e.shape[ax]) throw new Error(`unstack: ${parts.length} parts, expected ${e.shape[ax]}`);
        parts.forEach((p, i) => {
          const begin = e.shape.map((_, d) => (d === ax ? i : 0));
          const size = e.shape.map((s, d) => (d === ax ? 1 : s));
          const sl = R.slice(e.ref, begin, size);
          compare(`unstack[${i}]`, p, { shape: e.shape.filter((_, d) => d !== ax), vals: sl.vals }, true);
        });
      },
    };
  },
};

const broadcastToOp = {
  name: 'broadcastTo',
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any();
    const lead = Array.from({ length: rng.int(0, 2) }, () => rng.int(0, 3));
    let target = [...lead, ...e.shape.map((d) => (d === 1 && rng.chance(0.5) ? rng.int(0, 4) : d))];
    let expect = 'ok';
    if (rng.chance(0.15)) {
      const i = e.shape.findIndex((d) => d > 1);
      if (i >= 0) {
        target = target.slice();
        target[lead.length + i] = e.shape[i] + 1;
        expect = 'error';
      } else if (e.shape.length > 0) {
        target = target.slice(1 + lead.length);
        expect = 'error';
      }
    }
    if (R.sizeOf(target) > 20000) return null;
    const ref = () => R.where({ shape: target, vals: new Array(R.sizeOf(target)).fill(1) }, e.ref, e.ref);
    const method = rng.chance(0.3);
    return {
      op: 'broadcastTo', args: method ? [] : [e.t, target], line: method ? `${ctx.nameOf(e.t)}.broadcastTo(${ctx.show(target)})` : undefined,
      expect, run: () => (method ? e.t.broadcastTo(target) : nr.broadcastTo(e.t, target)),
      check: (t) => compare('broadcastTo', t, ref(), true),
    };
  },
};

const activationOp = {
  name: 'relu6/logSigmoid',
  gen(ctx) {
    const { rng, nr } = ctx;
    const op = rng.pick(['relu6', 'logSigmoid']);
    if (rng.chance(0.1)) {
      const x = rng.chance(0.5) ? ctx.disposed() : garbage(rng);
      return { op, args: [x], expect: 'error', run: () => nr[op](x) };
    }
    const e = ctx.any();
    const f = op === 'relu6'
      ? (v) => (Number.isNaN(v) ? NaN : Math.min(6, Math.max(0, v)))
      : (v) => (Number.isNaN(v) ? NaN : v >= 0 ? -Math.log1p(Math.exp(-v)) : v - Math.log1p(Math.exp(v)));
    return { op, args: [e.t], expect: 'ok', run: () => nr[op](e.t), check: (t) => compare(op, t, map(e.ref, f), op === 'relu6') };
  },
};

export default {
  name: 'composite',
  weight: 2,
  ops: [reduceOp, normOp, binaryOp, addNOp, unstackOp, broadcastToOp, activationOp],
};
