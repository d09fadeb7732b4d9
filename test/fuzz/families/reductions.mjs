/** Reductions: sum, mean, max, min, prod, variance, argMax, argMin, moments, with good and bad axes. */
import { compare } from '../checks.mjs';
import * as R from '../reference.mjs';
import { badAxis } from '../values.mjs';

const OPS = ['sum', 'mean', 'max', 'min', 'prod', 'variance'];

/** Random valid axes for rank `r`: undefined (all), one axis, or a list of distinct axes. */
function validAxes(rng, r) {
  const k = rng.int(0, 2);
  if (k === 0 || r === 0) return rng.chance(0.3) && r === 0 ? [] : undefined;
  const picked = rng.shuffle([...Array(r).keys()]).slice(0, rng.int(1, r));
  const signed = picked.map((a) => (rng.chance(0.3) ? a - r : a));
  return k === 1 ? signed[0] : signed;
}

const norm = (a, r) => (a < 0 ? a + r : a);

const reduceOp = {
  name: 'reduce', weight: 4,
  gen(ctx) {
    const { rng, nr } = ctx;
    const op = rng.pick(OPS);
    const e = ctx.any();
    const r = e.shape.length;
    const keepDims = rng.chance(0.3);
    const mode = rng.int(0, 9);
    let axis;
    let expect = 'ok';
    if (mode < 7) axis = validAxes(rng, r);
    else if (mode === 7) {
      axis = rng.chance(0.5) ? badAxis(rng, r) : [0, badAxis(rng, r)];
      expect = 'error';
      if (axis === undefined || axis === null || (Array.isArray(axis) && (axis[1] === undefined || axis[1] === null))) return null;
    } else if (mode === 8 && r > 0) {
      axis = [0, 0];
      expect = 'error';
    } else {
      axis = rng.pick([-0, [-0]]);
      if (r === 0) expect = 'error';
    }
    const method = rng.chance(0.3);
    const list = axis === undefined ? [...Array(r).keys()] : typeof axis === 'number' ? [axis] : axis;
    const ref = expect === 'ok' ? R.reduce(op, e.ref, list.map((a) => norm(a, r)), keepDims) : null;
    if (expect === 'ok' && !ref) expect = 'error'; // max/min over an empty axis
    // max/min over an empty axis with an empty output: an error or an empty result are both fine.
    const reducedEmpty = expect === 'ok' && list.some((a) => e.shape[norm(a, r)] === 0);
    if (expect === 'ok' && reducedEmpty && (op === 'max' || op === 'min')) expect = 'either';
    const args = keepDims ? [e.t, axis, keepDims] : axis === undefined ? [e.t] : [e.t, axis];
    return {
      op, args, expect,
      run: () => (method ? e.t[op](axis, keepDims) : nr[op](e.t, axis, keepDims)),
      check: (t) => compare(op, t, ref, op === 'max' || op === 'min'),
    };
  },
};

const argOp = {
  name: 'argMax',
  gen(ctx) {
    const { rng, nr } = ctx;
    const op = rng.pick(['argMax', 'argMin']);
    const e = ctx.any();
    const r = e.shape.length;
    if (r === 0) return null;
    const valid = rng.chance(0.75);
    const axis = valid ? rng.int(-r, r - 1) : rng.pick([badAxis(rng, r), [0], 2 ** 32, 2 ** 32 + r - 1]);
    if (axis === undefined) return null;
    const ref = valid ? R.reduce(op, e.ref, [norm(axis, r)], false) : null;
    // An empty axis: an error, or an empty result when the output is empty too.
    const emptyAxis = valid && e.shape[norm(axis, r)] === 0;
    return {
      op, args: [e.t, axis], expect: valid ? (emptyAxis ? 'either' : ref ? 'ok' : 'error') : 'error',
      run: () => nr[op](e.t, axis),
      check: (t) => compare(op, t, ref, true),
    };
  },
};

const keepDimsTrap = {
  name: 'reduceKeepDims',
  gen(ctx) {
    // keepDims given as an object or a string: must be a boolean (or rejected), never read as truthy.
    const { rng, nr } = ctx;
    const e = ctx.any();
    const op = rng.pick(OPS);
    const kd = rng.pick([{ keepDims: false }, 'false', 0, 1, null]);
    if (e.size === 0 && (op === 'max' || op === 'min')) return null;
    const ref = R.reduce(op, e.ref, [...Array(e.shape.length).keys()], kd === 1);
    return {
      op, args: [e.t, undefined, kd], expect: 'either', run: () => nr[op](e.t, undefined, kd),
      check: (t) => compare(op, t, ref, op === 'max' || op === 'min'),
    };
  },
};

const momentsOp = {
  name: 'moments',
  gen(ctx) {
    const { rng, nr } = ctx;
    const e = ctx.any();
    const r = e.shape.length;
    const axis = r === 0 ? undefined : rng.chance(0.8) ? rng.int(-r, r - 1) : badAxis(rng, r);
    const valid = axis === undefined || axis === null || (Number.isInteger(axis) && axis >= -r && axis < r);
    const list = axis === undefined || axis === null ? [...Array(r).keys()] : valid ? [norm(axis, r)] : [];
    return {
      args: [e.t, axis], expect: valid ? 'ok' : axis === null ? 'either' : 'error', run: () => nr.moments(e.t, axis),
      names: ['moments', 'mean', 'variance'],
      check: (res) => {
        compare('moments.mean', res.mean, R.reduce('mean', e.ref, list, false), false);
        compare('moments.variance', res.variance, R.reduce('variance', e.ref, list, false), false);
      },
    };
  },
};

export default {
  name: 'reductions',
  weight: 3,
  ops: [reduceOp, argOp, keepDimsTrap, momentsOp],
};

