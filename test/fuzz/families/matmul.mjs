/** Matrix products: matMul (batched, broadcast, transposes, option objects), dot, outerProduct. */
import { compare, Mismatch } from '../checks.mjs';
import * as R from '../reference.mjs';
import { garbage, tensorLike } from '../values.mjs';

/** The transposition flag a value means: booleans as is, `{ transposeA/B }` objects by field. */
const flag = (v, field) => (typeof v === 'boolean' ? v : v && typeof v === 'object' ? Boolean(v[field]) : undefined);

const matMulOp = {
  name: 'matMul', weight: 4,
  gen(ctx) {
    const { rng, nr } = ctx;
    const ta = rng.chance(0.3);
    const tb = rng.chance(0.3);
    const m = rng.int(0, 6);
    const k = rng.int(0, 6);
    const n = rng.int(0, 6);
    const batchRank = rng.int(0, 2);
    const batch = Array.from({ length: batchRank }, () => rng.int(1, 3));
    const bBatch = batch.map((d) => (rng.chance(0.3) ? 1 : d)).slice(rng.int(0, batchRank));
    const aShape = [...batch, ...(ta ? [k, m] : [m, k])];
    let bShape = [...bBatch, ...(tb ? [n, k] : [k, n])];
    let expect = 'ok';
    const bad = rng.chance(0.2);
    if (bad) {
      bShape = bShape.slice();
      bShape[bShape.length - (tb ? 1 : 2)] = k + rng.int(1, 2);
      expect = 'error';
    }
    const a = ctx.tensorOf(aShape);
    const b = ctx.tensorOf(bShape);
    // The flags: positional booleans (TF.js), an options object, or nonsense.
    const form = rng.int(0, 9);
    let args;
    let fa = ta;
    let fb = tb;
    if (form <= 4) args = ta || tb ? [a.t, b.t, ta, tb] : [a.t, b.t];
    else if (form <= 6) args = [a.t, b.t, { transposeA: ta, transposeB: tb }];
    else if (form === 7) {
      // { transposeA: false } must not transpose a. An options object takes no fourth argument
      // (a boolean there is an error); a lone `undefined` fourth argument is the same as none.
      const fourth = rng.chance(0.5) ? tb : undefined;
      args = [a.t, b.t, { transposeA: ta }, fourth];
      fb = false;
      if (fourth !== undefined) expect = 'error';
    } else {
      args = [a.t, b.t, rng.pick(['yes', 1, null, [true], 0]), tb];
      fa = undefined;
    }
    if (form >= 5 && form <= 6) { fa = flag(args[2], 'transposeA'); fb = flag(args[2], 'transposeB'); }
    if (form === 7) fa = flag(args[2], 'transposeA');
    const ref = fa === undefined ? null : R.matMul(a.ref, b.ref, fa, fb);
    if (expect === 'ok' && !ref && fa !== undefined) expect = 'error';
    // { transposeA } with a lone undefined reads b untransposed, whatever tb the shapes were
    // made for: valid exactly when the reference product exists under that reading.
    if (form === 7 && args[3] === undefined) expect = ref ? 'ok' : 'error';
    if (fa === undefined) {
      // 0 and null may be read as false; any other non-boolean must be rejected.
      const v = args[2];
      expect = v === 0 || v === null ? 'either' : 'error';
    }
    const method = rng.chance(0.3) && form <= 4;
    // TF.js's TensorLike: a or b as nested arrays (a temporary tensor, freed after the call).
    if (!method && rng.chance(0.15)) {
      const i = rng.int(0, 1);
      const v = tensorLike(rng, i === 0 ? a : b);
      if (v !== null) args[i] = v;
    }
    return {
      args, expect, run: () => (method ? a.t.matMul(b.t, ta, tb) : nr.matMul(...args)),
      // The options-object-plus-fourth-argument error is checked by its message.
      names: form === 7 && args[3] !== undefined ? ['matMul: with an options object as the third argument, there is no fourth argument'] : undefined,
      check: (t) => {
        if (fa === undefined) {
          const r0 = R.matMul(a.ref, b.ref, false, tb);
          if (!r0) throw new Mismatch(`matMul accepted transposeA = ${JSON.stringify(args[2])} with shapes that fit under no reading`);
          return compare('matMul', t, r0, false);
        }
        compare('matMul', t, ref, false);
      },
    };
  },
};

const dotOp = {
  name: 'dot',
  gen(ctx) {
    const { rng, nr } = ctx;
    const op = rng.pick(['dot', 'outerProduct']);
    const ra = rng.int(1, 2);
    const rb = op === 'outerProduct' ? 1 : rng.int(1, 2);
    const k = rng.int(0, 5);
    const aShape = ra === 1 ? [op === 'outerProduct' ? rng.int(0, 5) : k] : [rng.int(0, 4), k];
    const bShape = rb === 1 ? [op === 'outerProduct' ? rng.int(0, 5) : k] : [k, rng.int(0, 4)];
    const bad = rng.chance(0.15);
    if (bad && op === 'dot') bShape[0] += 1;
    const a = ctx.tensorOf(op === 'outerProduct' ? [aShape[aShape.length - 1]] : aShape);
    const b = bad && op === 'outerProduct' ? ctx.fresh([2, 2]) : ctx.tensorOf(bShape);
    const mk = (e, asRow) => (e.shape.length === 1 ? { shape: asRow ? [1, e.shape[0]] : [e.shape[0], 1], vals: e.vals } : e.ref);
    let ref;
    if (op === 'outerProduct') ref = R.matMul(mk(a, false), mk(b, true), false, false);
    else if (!bad) {
      const full = R.matMul(mk(a, true), mk(b, false), false, false);
      const shape = [...(a.shape.length === 2 ? [a.shape[0]] : []), ...(b.shape.length === 2 ? [b.shape[1]] : [])];
      ref = full && { ...full, shape };
    }
    const g = rng.chance(0.08) ? garbage(rng) : undefined;
    if (g !== undefined) return { op, args: [a.t, g], expect: 'error', run: () => nr[op](a.t, g) };
    const args = [a.t, b.t];
    if (rng.chance(0.15)) {
      const i = rng.int(0, 1);
      const v = tensorLike(rng, i === 0 ? a : b);
      if (v !== null) args[i] = v;
    }
    return {
      op, args, expect: bad ? 'error' : 'ok', run: () => nr[op](...args),
      check: (t) => compare(op, t, ref, false),
    };
  },
};

export default { name: 'matmul', weight: 2, ops: [matMulOp, dotOp] };
