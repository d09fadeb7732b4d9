/** Creating tensors: tensor, scalar, zeros/ones/fill, eye, range, linspace, *Like, clone. */
import { compare } from '../checks.mjs';
import { badInt, garbage } from '../values.mjs';

const size = (s) => s.reduce((a, b) => a * b, 1);
const ref = (shape, vals) => ({ shape, vals: Array.from(vals) });

/** Nested arrays of `flat` in `shape`. */
function nest(flat, shape, off = 0) {
  if (shape.length === 0) return flat[off];
  const inner = size(shape.slice(1));
  return Array.from({ length: shape[0] }, (_, i) => nest(flat, shape.slice(1), off + i * inner));
}

/** Shapes the library must refuse: wrong types, bad dims, or more elements than memory holds. */
function badShape(rng) {
  switch (rng.int(0, 5)) {
    case 0: return garbage(rng);
    case 1: return [2, rng.pick([-1, 1.5, NaN, Infinity, '3', null, 2 ** 32, -0.5])];
    case 2: return rng.pick([[2 ** 16, 2 ** 16], [2 ** 31, 2], [2 ** 32 - 1, 2 ** 32 - 1], [2 ** 30, 4], [3, 2 ** 31, 2 ** 31]]);
    case 3: return [2 ** 32];
    case 4: return [[2]];
    default: return [2 ** 53 + 1];
  }
}

const tensorValid = {
  name: 'tensor', weight: 3,
  gen(ctx) {
    const { rng, nr } = ctx;
    const s = ctx.driver.shape(5);
    const flat = ctx.driver.values(size(s));
    const form = rng.int(0, 6);
    let args;
    if (form === 0 && s.length > 0 && s.every((d) => d > 0)) args = [nest(Array.from(flat), s)];
    else if (form === 6 && s.length > 1 && s.every((d) => d > 0)) {
      // As TF.js: the innermost axis of the nesting spread over the shape's last axes.
      const k = rng.int(1, s.length - 1);
      args = [nest(Array.from(flat), [...s.slice(0, k), size(s.slice(k))]), s];
    }
    else if (form === 1) args = [Array.from(flat), s];
    else if (form === 2) args = [Float64Array.from(flat), s];
    else if (form === 3) {
      const ints = Int32Array.from(flat, (v) => (Number.isFinite(v) ? Math.trunc(v) : 0));
      args = [ints, s];
      flat.set(ints);
    } else if (form === 4) {
      const u8 = Uint8Array.from(flat, (v) => (Number.isFinite(v) ? Math.abs(Math.trunc(v)) : 0));
      args = [u8, s];
      flat.set(u8);
    } else args = [flat, s];
    const want = args.length === 1 ? s : s;
    return { args, expect: 'ok', run: () => nr.tensor(...args), check: (t) => compare('tensor', t, ref(want, flat), true) };
  },
};

const tensorInvalid = {
  name: 'tensor', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    let args;
    switch (rng.int(0, 6)) {
      case 0: args = [garbage(rng)]; break;
      case 1: args = [new DataView(new ArrayBuffer(rng.pick([0, 4, 8, 12]))), ...(rng.chance(0.5) ? [[rng.int(0, 3)]] : [])]; break;
      case 2: args = [new BigInt64Array([1n, 2n]), rng.chance(0.5) ? [2] : undefined]; break;
      case 3: args = [[1, 2, 3, 4, 5, 6], rng.pick([[4, 2], [7], [2, 2], [6, 0]])]; break;
      case 4: args = [[1, 2], badShape(rng)]; break;
      case 5: args = [rng.pick([[[1, 2], [3]], [[1], 2], [1, [2]], [[[1]], [[2, 3]]], [1, 'x'], [1, null], [1, undefined], [1, 2n], [{}]])]; break;
      default: args = [[[1, 2], [3, 4]], rng.pick([[4], [1, 4], [1, 2, 2], [4, 1]])]; break;
    }
    // A nested [[1,2],[3,4]] whose outer axes the shape does not keep is rejected, as TF.js
    // rejects it ([2, 2, 1] is valid: the innermost axis spreads over the last ones).
    if (args[0] === undefined) return null;
    if (args.length === 2 && args[1] === undefined) return null;
    // A null shape means "infer it from the values", as TF.js: valid.
    if (args.length === 2 && args[1] === null && Array.isArray(args[0]) && args[0].every((v) => typeof v === 'number')) {
      const vals = args[0];
      return { args, expect: 'ok', run: () => nr.tensor(...args), check: (t) => compare('tensor', t, ref([vals.length], vals), true) };
    }
    const isGarbage = typeof args[0] === 'boolean' || args[0] instanceof Uint8ClampedArray;
    return { args, expect: isGarbage ? 'either' : 'error', run: () => nr.tensor(...args) };
  },
};

const scalarOp = {
  name: 'scalar',
  gen(ctx) {
    const { rng, nr } = ctx;
    if (rng.chance(0.6)) {
      const v = ctx.driver.values(1)[0];
      return { args: [v], expect: 'ok', run: () => nr.scalar(v), check: (t) => compare('scalar', t, ref([], [v]), true) };
    }
    const g = garbage(rng);
    return { args: [g], expect: typeof g === 'boolean' ? 'either' : 'error', run: () => nr.scalar(g) };
  },
};

const filled = {
  name: 'fill', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const op = rng.pick(['zeros', 'ones', 'fill']);
    const valid = rng.chance(0.6);
    const s = valid ? ctx.driver.shape(5) : badShape(rng);
    const v = op === 'fill' ? (valid ? ctx.driver.values(1)[0] : rng.chance(0.5) ? garbage(rng) : 1) : op === 'ones' ? 1 : 0;
    const args = op === 'fill' ? [s, v] : [s];
    const valueBad = op === 'fill' && typeof v !== 'number';
    const expect = valid && !valueBad ? 'ok' : 'error';
    return {
      op, args, expect,
      run: () => nr[op](...args),
      check: (t) => compare(op, t, ref(s, new Array(size(s)).fill(v)), true),
    };
  },
};

const eyeOp = {
  name: 'eye',
  gen(ctx) {
    const { rng, nr } = ctx;
    if (rng.chance(0.6)) {
      const r = rng.int(0, 7);
      const c = rng.chance(0.5) ? undefined : rng.int(0, 7);
      const cols = c ?? r;
      const vals = [];
      for (let i = 0; i < r; i++) for (let j = 0; j < cols; j++) vals.push(i === j ? 1 : 0);
      const args = c === undefined ? [r] : [r, c];
      return { args, expect: 'ok', run: () => nr.eye(...args), check: (t) => compare('eye', t, ref([r, cols], vals), true) };
    }
    const args = rng.pick([[badInt(rng)], [3, badInt(rng)], [garbage(rng)], [2 ** 16, 2 ** 16], [-1], [2 ** 31, 2 ** 31]]);
    return { args, expect: args[0] === undefined ? 'either' : 'error', run: () => nr.eye(...args) };
  },
};

const rangeOp = {
  name: 'range',
  gen(ctx) {
    const { rng, nr } = ctx;
    if (rng.chance(0.55)) {
      const start = rng.int(-5, 5) + (rng.chance(0.3) ? 0.5 : 0);
      const stop = rng.int(-8, 8);
      const given = rng.pick([1, 2, -1, 0.5, -0.25, 3]);
      // TF.js's rule: a step of 1 counts down when stop < start.
      const step = stop < start && given === 1 ? -1 : given;
      const n = Math.max(0, Math.ceil((stop - start) / step));
      const vals = Array.from({ length: n }, (_, i) => start + i * step);
      const args = [start, stop, given];
      return { args, expect: 'ok', run: () => nr.range(...args), check: (t) => compare('range', t, ref([n], vals), false) };
    }
    const huge = ctx.driver.heavy ? [2 ** 30 - 1] : [];
    const args = rng.pick([
      [0, 5, 0], [0, NaN], [NaN], [0, Infinity], [0, 1, garbage(rng)], [garbage(rng)], [0, 2 ** 31], [0, 2 ** 53 + 1], [0, 1e300], [0, 1, 1e-300], [0, 2 ** 40, 1],
      ...huge.map((n) => [0, n]),
    ]);
    return { args, expect: args.includes(undefined) ? 'either' : 'error', run: () => nr.range(...args) };
  },
};

const linspaceOp = {
  name: 'linspace',
  gen(ctx) {
    const { rng, nr } = ctx;
    if (rng.chance(0.55)) {
      const a = ctx.driver.values(2);
      const [start, stop] = [Number.isFinite(a[0]) ? a[0] : 0, Number.isFinite(a[1]) ? a[1] : 1];
      const num = rng.int(0, 9);
      const step = num > 1 ? (stop - start) / (num - 1) : 0;
      const vals = Array.from({ length: num }, (_, i) => (i === num - 1 && num > 1 ? stop : start + i * step));
      return { args: [start, stop, num], expect: 'ok', run: () => nr.linspace(start, stop, num), check: (t) => compare('linspace', t, ref([num], vals), false) };
    }
    // Never 2**26..2**32 here: the unfixed library would write that many floats in JS first.
    const heavy = ctx.driver.heavy ? [2 ** 30] : [];
    const num = rng.pick([-1, 1.5, NaN, Infinity, 2 ** 53 + 1, 2 ** 53, 2 ** 32 + 1, 2 ** 33, 1e300, '5', null, ...heavy]);
    const args = rng.chance(0.2) ? [NaN, 1, 3] : rng.chance(0.1) ? [0, garbage(rng), 3] : [0, 1, num];
    return { args, expect: 'error', run: () => nr.linspace(...args) };
  },
};

const likeOp = {
  name: 'zerosLike', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const op = rng.pick(['zerosLike', 'onesLike', 'clone']);
    const r = rng.int(0, 9);
    if (r < 7) {
      const e = ctx.any();
      const vals = op === 'clone' ? e.vals : new Array(e.size).fill(op === 'zerosLike' ? 0 : 1);
      return { op, args: [e.t], expect: 'ok', run: () => nr[op](e.t), check: (t) => compare(op, t, ref(e.shape, vals), true) };
    }
    const x = r === 7 ? ctx.disposed() : garbage(rng);
    return { op, args: [x], expect: 'error', run: () => nr[op](x) };
  },
};

export default {
  name: 'creation',
  weight: 3,
  ops: [tensorValid, tensorInvalid, scalarOp, filled, eyeOp, rangeOp, linspaceOp, likeOp],
};
