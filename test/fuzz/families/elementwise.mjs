/** Element-wise ops: binary (with broadcasting), unary, clipByValue, where, activations. */
import { compare, compareShape } from '../checks.mjs';
import * as R from '../reference.mjs';
import { broadcastPartner, garbage, tensorLike } from '../values.mjs';

const BIN = Object.keys(R.BINARY);
const UN = ['neg', 'abs', 'exp', 'log', 'sqrt', 'square', 'sign', 'floor', 'ceil', 'round', 'reciprocal', 'log1p', 'expm1', 'sin', 'cos',
  'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'asinh', 'acosh', 'atanh', 'erf', 'rsqrt'];
const EXACT_BIN = new Set(['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual', 'mod', 'floorDiv']);
const EXACT_UN = new Set(['neg', 'abs', 'square', 'sign', 'floor', 'ceil', 'round', 'relu', 'relu6']);

/** `x` as a reference operand: a pool entry or a number (a scalar). */
const operand = (x) => (typeof x === 'number' ? { shape: [], vals: [Math.fround(x)] } : x.ref);
const arg = (x) => (typeof x === 'number' ? x : x.t);

const binaryOp = {
  name: 'binary', weight: 5,
  gen(ctx) {
    const { rng, nr } = ctx;
    const op = rng.pick(BIN);
    const method = rng.chance(0.3);
    const a = ctx.any();
    const mode = rng.int(0, 9);
    let b;
    let expect = 'ok';
    if (mode <= 5) {
      const s = broadcastPartner(rng, a.shape, true);
      b = ctx.tensorOf(s);
    } else if (mode === 6) {
      b = ctx.driver.values(1)[0];
    } else if (mode === 7) {
      const s = broadcastPartner(rng, a.shape, false);
      if (!s) return null;
      b = ctx.tensorOf(s);
      expect = 'error';
    } else {
      b = rng.chance(0.5) ? ctx.disposed() : garbage(rng);
      expect = 'error';
    }
    const swap = rng.chance(0.3);
    const [x, y] = swap ? [b, a] : [a, b];
    const vx = x?.t ?? x;
    const vy = y?.t ?? y;
    const isEntry = (v) => v && typeof v === 'object' && 'ref' in v;
    const refOf = () => R.binary(op, isEntry(x) || typeof x === 'number' ? operand(x) : null, isEntry(y) || typeof y === 'number' ? operand(y) : null);
    if (method && !(vx instanceof nr.Tensor)) return null;
    const check = (t) => compare(op, t, refOf(), EXACT_BIN.has(op));
    return {
      op, args: method ? [] : [vx, vy], line: method ? `${ctx.nameOf(vx)}.${op}(${ctx.show(vy)})` : undefined,
      expect, run: () => (method ? vx[op](vy) : nr[op](vx, vy)), check,
    };
  },
};

const unaryOp = {
  name: 'unary', weight: 4,
  gen(ctx) {
    const { rng, nr } = ctx;
    const op = rng.pick([...UN, 'relu', 'sigmoid', 'tanh', 'softsign', 'relu6', 'mish']);
    if (rng.chance(0.12)) {
      const x = rng.chance(0.5) ? ctx.disposed() : garbage(rng);
      return { op, args: [x], expect: 'error', run: () => nr[op](x) };
    }
    const e = ctx.any();
    const check = (t) => {
      const ref = R.unary(op, e.ref);
      // Range reduction for huge arguments differs between implementations.
      if (op === 'sin' || op === 'cos' || op === 'tan') e.vals.forEach((v, i) => { if (Math.abs(v) > 1e4) ref.vals[i] = t.dataSync()[i]; });
      compare(op, t, ref, EXACT_UN.has(op));
    };
    return { op, args: [e.t], expect: 'ok', run: () => nr[op](e.t), check };
  },
};

const clipOp = {
  name: 'clipByValue',
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any();
    let lo = ctx.driver.values(1)[0];
    let hi = ctx.driver.values(1)[0];
    if (rng.chance(0.7) && lo > hi) [lo, hi] = [hi, lo];
    const bad = rng.chance(0.15);
    const args = bad ? [e.t, garbage(rng), 1] : [e.t, lo, hi];
    const valid = !bad && lo <= hi;
    return {
      args, expect: valid ? 'ok' : bad ? 'error' : 'either', run: () => nr.clipByValue(...args),
      check: (t) => compare('clipByValue', t, R.clip(e.ref, lo, hi), true),
    };
  },
};

const whereOp = {
  name: 'where',
  gen(ctx) {
    const { rng, nr } = ctx;
    const a = ctx.any();
    const c = ctx.tensorOf(broadcastPartner(rng, a.shape, true).map((d) => d));
    const fit = rng.chance(0.8);
    const bs = broadcastPartner(rng, a.shape, fit);
    if (!bs) return null;
    const b = ctx.tensorOf(bs);
    const ref = R.where(c.ref, a.ref, b.ref);
    return {
      args: [c.t, a.t, b.t], expect: ref ? 'ok' : 'error', run: () => nr.where(c.t, a.t, b.t),
      check: (t) => compare('where', t, ref, true),
    };
  },
};

const softmaxOp = {
  name: 'softmax',
  gen(ctx) {
    const { rng, nr } = ctx;
    const op = rng.pick(['softmax', 'logSoftmax']);
    const e = ctx.any();
    const r = e.shape.length;
    const valid = rng.chance(0.7);
    let axis;
    let opts;
    if (valid) {
      axis = r === 0 ? undefined : rng.int(-r, r - 1);
      opts = axis === undefined ? undefined : rng.chance(0.3) && axis === r - 1 ? undefined : { axis };
    } else opts = rng.pick([{ axis: 2 ** 32 - 1 }, { axis: r + 1 }, { axis: 1.5 }, { axis: 'x' }, 'x', { axis: NaN }]);
    const finite = e.vals.every(Number.isFinite);
    const x = rng.chance(0.1) ? tensorLike(rng, e) ?? e.t : e.t; // TF.js's TensorLike now and then
    return {
      op, args: opts === undefined ? [x] : [x, opts],
      expect: valid ? (r === 0 ? 'either' : 'ok') : 'error',
      run: () => nr[op](x, opts),
      check: (t) => {
        if (r === 0 || !finite || e.size === 0) return;
        const ax = opts?.axis ?? -1;
        compare(op, t, R.softmax(e.ref, ax < 0 ? ax + r : ax, op === 'logSoftmax'), false);
      },
    };
  },
};

const activationOp = {
  name: 'activation',
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any();
    const spec = rng.pick(['relu', 'elu', 'selu', 'gelu', 'swish', 'hardSigmoid', 'softplus', 'linear', 'stairStep', 'nope', { name: 'leakyRelu', alpha: 0.1 }, { name: 'leakyRelu', alpha: 'x' }, { name: 'relu', bogus: 1 }, 7, null]);
    const ok = typeof spec === 'string' ? spec !== 'nope' : spec && typeof spec === 'object' && spec.alpha === 0.1;
    return { args: [e.t, spec], expect: ok ? 'ok' : 'error', run: () => nr.activation(e.t, spec), check: (t) => compareShape('activation', t, e.shape) };
  },
};

export default {
  name: 'elementwise',
  weight: 5,
  ops: [binaryOp, unaryOp, clipOp, whereOp, softmaxOp, activationOp],
};
