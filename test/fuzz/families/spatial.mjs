/**
 * The spatial, normalization, random and einsum ops composed in TypeScript (ts/ops/
 * depth_to_space.ts, space_to_batch.ts, local_response_normalization.ts, dropout_op.ts,
 * random_extra.ts, moving_average.ts, einsum.ts): depthToSpace, spaceToBatchND,
 * batchToSpaceND, localResponseNormalization, dropout, randomStandardNormal,
 * randomUniformInt, multinomial, movingAverage and einsum, with valid arguments (checked
 * against plain-JS references: exact for the data movement and for the random ops, whose
 * uniform and normal draws are read back from `randomUniform`/`randomNormal` with the same
 * seed) and invalid ones (bad block sizes, paddings, crops, radii, rates, seeds, equations).
 * The ops are looked up on the library by name; a Tensor method is called when it exists.
 */
import { compare, compareShape, Mismatch } from '../checks.mjs';
import * as R from '../reference.mjs';
import { badInt, garbage } from '../values.mjs';

const f32 = Math.fround;
const size = (s) => s.reduce((a, b) => a * b, 1);

/** Calls `op` as a function, or as a method of `x` now and then (when the library has it). */
function callOf(ctx, op, x, rest) {
  const method = x instanceof ctx.nr.Tensor && typeof x[op] === 'function' && ctx.rng.chance(0.3);
  return {
    args: method ? [] : [x, ...rest],
    line: method ? `${ctx.nameOf(x)}.${op}(${rest.map((a) => ctx.show(a)).join(', ')})` : undefined,
    run: () => (method ? x[op](...rest) : ctx.nr[op](x, ...rest)),
  };
}

/** depthToSpace's reference: out[n, h·b + i, w·b + j, d] = x[n, h, w, (i·b + j)·(c/b²) + d]. */
function depthToSpaceRef(x, b) {
  const [n, h, w, c] = x.shape;
  const d = c / (b * b);
  const shape = [n, h * b, w * b, d];
  const vals = new Array(size(shape));
  let k = 0;
  for (let s = 0; s < n; s++) {
    for (let oh = 0; oh < h * b; oh++) {
      for (let ow = 0; ow < w * b; ow++) {
        for (let ch = 0; ch < d; ch++) {
          const src = ((s * h + Math.floor(oh / b)) * w + Math.floor(ow / b)) * c + ((oh % b) * b + (ow % b)) * d + ch;
          vals[k++] = x.vals[src];
        }
      }
    }
  }
  return { shape, vals };
}

const depthToSpaceOp = {
  name: 'depthToSpace',
  gen(ctx) {
    const { rng } = ctx;
    const b = rng.int(2, 3);
    const shape = [rng.int(0, 2), rng.int(1, 3), rng.int(1, 3), b * b * rng.int(0, 2)];
    let x = ctx.tensorOf(shape);
    let blockSize = b;
    let format = rng.chance(0.5) ? 'NHWC' : undefined;
    let expect = 'ok';
    switch (rng.chance(0.2) ? rng.int(0, 4) : -1) {
      case 0: blockSize = rng.pick([1, 0, -2, 1.5, NaN, '2', badInt(rng)]); expect = 'error'; break;
      case 1: format = rng.pick(['NCHW', 'nhwc', garbage(rng)]); expect = format === undefined ? 'ok' : 'error'; break;
      case 2: x = ctx.tensorOf([...shape.slice(0, 3), shape[3] + 1]); expect = 'error'; break;
      case 3: x = ctx.tensorOf(shape.slice(1)); expect = 'error'; break;
      case 4: x = { t: rng.chance(0.5) ? ctx.disposed() : garbage(rng) }; expect = 'error'; break;
    }
    const c = callOf(ctx, 'depthToSpace', x.t, format === undefined ? [blockSize] : [blockSize, format]);
    return { op: 'depthToSpace', ...c, expect, check: (t) => compare('depthToSpace', t, depthToSpaceRef(x.ref, b), true) };
  },
};

/** spaceToBatchND's reference: pad, then the reshape/transpose of TF's definition. */
function spaceToBatchRef(x, block, pads) {
  const m = block.length;
  const full = x.shape.map((_, i) => (i >= 1 && i <= m ? pads[i - 1] : [0, 0]));
  const p = R.pad(x, full, 0);
  const rest = x.shape.slice(1 + m);
  const split = [x.shape[0], ...block.flatMap((b, i) => [p.shape[i + 1] / b, b]), ...rest];
  const perm = [...block.map((_, i) => 2 + 2 * i), 0, ...block.map((_, i) => 1 + 2 * i), ...rest.map((_, i) => 1 + 2 * m + i)];
  const out = [x.shape[0] * size(block), ...block.map((b, i) => p.shape[i + 1] / b), ...rest];
  return { shape: out, vals: R.transpose({ shape: split, vals: p.vals }, perm).vals };
}

/** batchToSpaceND's reference: the inverse reshape/transpose, then the crop. */
function batchToSpaceRef(x, block, crops) {
  const m = block.length;
  const n = x.shape[0] / size(block);
  const rest = x.shape.slice(1 + m);
  const split = [...block, n, ...x.shape.slice(1)];
  const perm = [m, ...block.flatMap((_, i) => [m + 1 + i, i]), ...rest.map((_, i) => 2 * m + 1 + i)];
  const joined = [n, ...block.map((b, i) => x.shape[i + 1] * b), ...rest];
  const t = { shape: joined, vals: R.transpose({ shape: split, vals: x.vals }, perm).vals };
  const begin = joined.map((_, i) => (i >= 1 && i <= m ? crops[i - 1][0] : 0));
  const sz = joined.map((d, i) => (i >= 1 && i <= m ? d - crops[i - 1][0] - crops[i - 1][1] : d));
  return R.slice(t, begin, sz);
}

const spaceBatchOp = {
  name: 'spaceToBatchND/batchToSpaceND', weight: 2,
  gen(ctx) {
    const { rng } = ctx;
    const toBatch = rng.chance(0.5);
    const op = toBatch ? 'spaceToBatchND' : 'batchToSpaceND';
    const m = rng.int(0, 2);
    const block = Array.from({ length: m }, () => rng.int(1, 3));
    const rest = Array.from({ length: rng.int(0, 1) }, () => rng.int(1, 3));
    let shape;
    let pairs;
    if (toBatch) {
      // Padded sizes that divide by the blocks; the paddings come out of them.
      pairs = [];
      const spatial = block.map((b) => {
        const padded = b * rng.int(1, 3);
        const p0 = rng.int(0, Math.min(2, padded));
        const p1 = rng.int(0, Math.min(2, padded - p0));
        pairs.push([p0, p1]);
        return padded - p0 - p1;
      });
      shape = [rng.int(0, 2), ...spatial, ...rest];
    } else {
      const spatial = block.map(() => rng.int(1, 3));
      pairs = block.map((b, i) => {
        const full = b * spatial[i];
        const c = rng.int(0, full);
        return [c, rng.int(0, full - c)];
      });
      shape = [size(block) * rng.int(0, 2), ...spatial, ...rest];
    }
    let blockArg = block;
    let pairArg = pairs;
    let expect = 'ok';
    if (rng.chance(0.2)) {
      expect = 'error';
      const kind = rng.int(0, 5);
      if (kind === 0) blockArg = m > 0 ? block.map((b, i) => (i === 0 ? rng.pick([0, -1, 1.5, NaN, badInt(rng)]) : b)) : garbage(rng);
      else if (kind === 1) pairArg = m > 0 ? pairs.map((p, i) => (i === 0 ? [-1, p[1]] : p)) : [[0, 0]];
      else if (kind === 2) pairArg = [...pairs, [0, 0]];
      else if (kind === 3 && m > 0 && toBatch && block[0] > 1) pairArg = pairs.map((p, i) => (i === 0 ? [p[0] + 1, p[1]] : p));
      else if (kind === 3 && m > 0 && !toBatch) pairArg = pairs.map((p, i) => (i === 0 ? [p[0] + 1, block[0] * shape[1] - p[0]] : p));
      else if (kind === 4 && m > 0) shape = shape.slice(0, m);
      else if (kind === 5 && !toBatch && size(block) > 1) shape = [shape[0] + 1, ...shape.slice(1)];
      else expect = 'ok';
    }
    const x = ctx.tensorOf(shape);
    const c = callOf(ctx, op, x.t, [blockArg, pairArg]);
    const ref = () => (toBatch ? spaceToBatchRef(x.ref, block, pairs) : batchToSpaceRef(x.ref, block, pairs));
    return { op, ...c, expect, check: (t) => compare(op, t, ref(), true) };
  },
};

/** TF.js's LRN in float64 over float32 squares; `mag` flags sums that overflow float32. */
function lrnRef(x, r, bias, alpha, beta) {
  const c = x.shape[x.shape.length - 1];
  const vals = new Array(x.vals.length);
  const mag = new Array(x.vals.length);
  for (let i = 0; i < x.vals.length; i++) {
    const d = i % c;
    let s = 0;
    for (let k = Math.max(0, d - r); k <= Math.min(c - 1, d + r); k++) s += f32(x.vals[i - d + k] * x.vals[i - d + k]);
    mag[i] = s > 1e38 || alpha * s > 1e38 ? Infinity : 0;
    vals[i] = x.vals[i] * Math.pow(bias + alpha * s, -beta);
  }
  return { shape: x.shape.slice(), vals, mag };
}

const lrnOp = {
  name: 'localResponseNormalization',
  gen(ctx) {
    const { rng } = ctx;
    const shape = rng.chance(0.5) ? [rng.int(0, 2), rng.int(1, 3), rng.int(1, 3), rng.int(0, 9)] : [rng.int(1, 3), rng.int(1, 3), rng.int(0, 9)];
    let x = ctx.tensorOf(shape);
    const args = [rng.int(0, 6), rng.uniform(0.5, 2), rng.uniform(1e-4, 1), rng.pick([0.5, 0.75, 1, rng.uniform(0.1, 1.5)])];
    let n = rng.int(0, 4);
    let expect = 'ok';
    if (rng.chance(0.2)) {
      expect = 'error';
      const i = rng.int(0, 4);
      if (i === 4) x = ctx.tensorOf(rng.pick([[3], [2, 3], [1, 1, 1, 1, 2]]));
      else {
        args[i] = i === 0 ? rng.pick([-1, 1.5, NaN, badInt(rng), '2']) : rng.pick([NaN, Infinity, -Infinity, '1', garbage(rng)]);
        n = Math.max(n, i + 1);
        // An undefined argument is the default.
        if (args[i] === undefined) expect = 'ok';
      }
    }
    const passed = args.slice(0, n);
    const used = [5, 1, 1, 0.5].map((d, i) => (i < n && args[i] !== undefined ? args[i] : d));
    const c = callOf(ctx, 'localResponseNormalization', x.t, passed);
    return { op: 'localResponseNormalization', ...c, expect, check: (t) => compare('localResponseNormalization', t, lrnRef(x.ref, ...used), false) };
  },
};

const dropoutOp = {
  name: 'dropout',
  gen(ctx) {
    const { rng, nr } = ctx;
    const x = ctx.any();
    const xs = x.shape;
    let rate = rng.pick([0, 0.1, 0.5, 0.9, rng.uniform(0, 1)]);
    let noise;
    if (rng.chance(0.4)) {
      const r = rng.int(0, xs.length);
      noise = xs.slice(xs.length - r).map((d) => (rng.chance(0.5) ? 1 : d));
      if (r === xs.length && r > 0 && rng.chance(0.3)) noise[0] = null;
    }
    let seed = rng.chance(0.8) ? rng.int(0, 1000) : undefined;
    let expect = 'ok';
    if (rng.chance(0.2)) {
      expect = 'error';
      switch (rng.int(0, 2)) {
        case 0: rate = rng.pick([1, -0.1, NaN, Infinity, '0.5', garbage(rng)]); break;
        case 1: noise = [...xs.map((d) => d + 1), 2]; break;
        case 2: seed = rng.pick([-1, 1.5, 2 ** 54, 'abc', NaN]); break;
      }
    }
    const ns = noise ? noise.map((d, i) => (d === null ? xs[i] : d)) : xs;
    const c = callOf(ctx, 'dropout', x.t, seed === undefined ? [rate, noise] : [rate, noise, seed]);
    return {
      op: 'dropout', ...c, expect,
      check: (t) => {
        if (rate === 0) return compare('dropout', t, x.ref, true);
        const keep = f32(1 - rate);
        const kept = f32(1 / keep);
        if (seed === undefined) {
          // An unseeded mask: each value is x·0 or x·(1 / (1 − rate)).
          compareShape('dropout', t, xs);
          const v = t.dataSync();
          v.forEach((y, i) => {
            const a = f32(x.vals[i] * kept);
            const z = x.vals[i] * 0;
            if (!(Object.is(y, a) || y === z || (Number.isNaN(y) && (Number.isNaN(a) || Number.isNaN(z))))) throw new Mismatch(`dropout: element ${i} is ${y}, neither ${a} nor ${z}`);
          });
          return;
        }
        const u = nr.randomUniform(ns, { seed });
        const uv = u.dataSync();
        u.dispose();
        const mask = { shape: ns, vals: Array.from(uv, (v) => f32(Math.floor(f32(v + keep)) / keep)) };
        compare('dropout', t, R.binary('mul', x.ref, mask), true);
      },
    };
  },
};

const randomOp = {
  name: 'randomStandardNormal/randomUniformInt',
  gen(ctx) {
    const { rng, nr } = ctx;
    const shape = ctx.driver.shape();
    const seed = rng.chance(0.8) ? rng.int(0, 2 ** 20) : undefined;
    if (rng.chance(0.5)) {
      let dtype = rng.pick([undefined, 'float32']);
      let s = shape;
      let expect = 'ok';
      if (rng.chance(0.15)) {
        expect = 'error';
        if (rng.chance(0.5)) dtype = rng.pick(['int32', 'bool', garbage(rng)]);
        else s = rng.pick([[-1], [1.5], 'abc', [2 ** 20, 2 ** 20]]);
        if (dtype === undefined && s === shape) expect = 'ok';
      }
      const args = [s, dtype, seed];
      return {
        op: 'randomStandardNormal', args, expect, run: () => nr.randomStandardNormal(...args),
        check: (t) => {
          if (seed === undefined) return compareShape('randomStandardNormal', t, shape);
          const z = nr.randomNormal(shape, { seed });
          const ref = { shape, vals: Array.from(z.dataSync()) };
          z.dispose();
          compare('randomStandardNormal', t, ref, true);
        },
      };
    }
    let lo = rng.int(-20, 20);
    let hi = lo + rng.int(1, 40);
    let expect = 'ok';
    if (rng.chance(0.15)) {
      expect = 'error';
      [lo, hi] = rng.pick([[3, 3], [5, 2], [0.5, 3], [0, 2 ** 25], [NaN, 1], [0, '3']]);
    }
    const args = [shape, lo, hi, seed];
    return {
      op: 'randomUniformInt', args, expect, run: () => nr.randomUniformInt(...args),
      check: (t) => {
        if (seed === undefined) {
          compareShape('randomUniformInt', t, shape);
          for (const v of t.dataSync()) if (!(Number.isInteger(v) && v >= lo && v < hi)) throw new Mismatch(`randomUniformInt: ${v} is not an integer in [${lo}, ${hi})`);
          return;
        }
        const u = nr.randomUniform(shape, { seed });
        const ref = { shape, vals: Array.from(u.dataSync(), (v) => lo + Math.floor((hi - lo) * v)) };
        u.dispose();
        compare('randomUniformInt', t, ref, true);
      },
    };
  },
};

const multinomialOp = {
  name: 'multinomial',
  gen(ctx) {
    const { rng, nr } = ctx;
    const outcomes = rng.int(2, 6);
    const batched = rng.chance(0.5);
    const rows = batched ? rng.int(0, 3) : 1;
    const normalized = rng.chance(0.4);
    const vals = Array.from({ length: rows * outcomes }, () => (normalized ? rng.pick([0, rng.uniform(0, 1)]) : rng.chance(0.1) ? -Infinity : rng.uniform(-3, 3)));
    // Every row keeps an outcome above probability 0.
    for (let b = 0; b < rows; b++) vals[b * outcomes] = normalized ? vals[b * outcomes] : rng.uniform(-3, 3);
    let logits = ctx.fresh(batched ? [rows, outcomes] : [outcomes], vals).t;
    let n = rng.int(0, 20);
    let seed = rng.chance(0.8) ? rng.int(0, 1000) : undefined;
    let expect = 'ok';
    if (rng.chance(0.2)) {
      expect = 'error';
      switch (rng.int(0, 3)) {
        case 0: n = rng.pick([-1, 1.5, NaN, badInt(rng), '3']); break;
        case 1: logits = ctx.fresh(rng.pick([[1], [2, 1], [1, 2, 2], []]), undefined).t; break;
        case 2: logits = ctx.fresh([outcomes], Array.from({ length: outcomes }, (_, i) => (i === 0 ? rng.pick([NaN, Infinity, normalized ? -0.5 : NaN]) : 0.1))).t; break;
        case 3: seed = rng.pick([-1, 0.5, 'x']); break;
      }
    }
    const args = [logits, n, seed, normalized];
    const shape = batched && logits.rank === 2 ? [rows, n] : [n];
    return {
      op: 'multinomial', args, expect, run: () => nr.multinomial(...args),
      check: (t) => {
        compareShape('multinomial', t, shape);
        const got = t.dataSync();
        if (!normalized || seed === undefined) {
          got.forEach((v, i) => {
            const row = Math.floor(i / Math.max(n, 1));
            if (!(Number.isInteger(v) && v >= 0 && v < outcomes) || (!normalized && vals[row * outcomes + v] === -Infinity)) throw new Mismatch(`multinomial: element ${i} is ${v}, not a possible outcome`);
          });
          return;
        }
        // Normalized: TF.js's float32 running sums over the row and the uniform draw of the same seed.
        const u = nr.randomUniform([rows, n], { seed });
        const uv = u.dataSync();
        u.dispose();
        const ref = [];
        for (let b = 0; b < rows; b++) {
          const cdf = new Float32Array(outcomes - 1);
          cdf[0] = vals[b * outcomes];
          for (let e = 1; e < outcomes - 1; e++) cdf[e] = cdf[e - 1] + f32(vals[b * outcomes + e]);
          for (let j = 0; j < n; j++) {
            const k = cdf.findIndex((c) => uv[b * n + j] < c);
            ref.push(k < 0 ? outcomes - 1 : k);
          }
        }
        compare('multinomial', t, { shape, vals: ref }, true);
      },
    };
  },
};

const movingAverageOp = {
  name: 'movingAverage',
  gen(ctx) {
    const { rng } = ctx;
    const v = ctx.any();
    const x = ctx.tensorOf(v.shape);
    let decay = rng.pick([0, 0.5, 0.9, 0.99, rng.uniform(0, 1)]);
    let step = rng.pick([1, 2, 10, rng.uniform(0.5, 100)]);
    const debias = rng.pick([true, false, undefined]);
    let other = x;
    let expect = 'ok';
    if (rng.chance(0.2)) {
      expect = 'error';
      const kind = rng.int(0, 3);
      if (kind === 0) decay = rng.pick([1.5, -0.1, NaN, '0.9', [0.9]]);
      else if (kind === 1 && debias !== false) step = rng.pick([0, -1, NaN, Infinity, null]);
      else if (kind === 2) other = ctx.tensorOf([...v.shape, 2]);
      else if (kind === 3 && debias !== false) decay = 1;
      else expect = 'ok';
    }
    const c = callOf(ctx, 'movingAverage', v.t, debias === undefined ? [other.t, decay, step] : [other.t, decay, step, debias]);
    const ref = () => {
      const d = f32(decay);
      const oneMinus = f32(1 - d);
      const denom = f32(1 - f32(Math.pow(d, f32(step))));
      const vals = v.vals.map((a, i) => {
        let u = f32(f32(x.vals[i] - a) * oneMinus);
        if (debias !== false) u = f32(u / denom);
        return a + u;
      });
      return { shape: v.shape.slice(), vals };
    };
    return { op: 'movingAverage', ...c, expect, check: (t) => compare('movingAverage', t, ref(), false) };
  },
};

/**
 * einsum's reference: the sum over every label assignment of the product of the entries, in
 * float64, as TF.js defines it (products, then the sum). neurite sums a label found in one
 * input only (and not in the output) before the product when the other input is finite, so
 * where such a sum meets huge factors (float32 overflow in a different order) the two may
 * differ: those elements are skipped (mag Infinity), as are those whose terms overflow
 * float32 (mag > 1e38).
 */
function einsumRef(inputs, output, refs, sizes) {
  const labels = [...new Set([...output, ...inputs.flat()])];
  const ownSummed = inputs.length === 2 && labels.some((l) => !output.includes(l) && inputs.filter((t) => t.includes(l)).length === 1);
  const shape = output.map((l) => sizes[l]);
  const vals = new Array(size(shape)).fill(0);
  const mag = new Array(size(shape)).fill(0);
  const at = {};
  const offset = (ls, s) => ls.reduce((o, l, i) => o * s[i] + at[l], 0);
  const walk = (k) => {
    if (k === labels.length) {
      const factors = inputs.map((ls, i) => refs[i].vals[offset(ls, refs[i].shape)]);
      const p = factors.reduce((a, f) => a * f, 1);
      const o = offset(output, shape);
      vals[o] += p;
      if (ownSummed && factors.some((f) => Math.abs(f) > 1e18 && Number.isFinite(f))) mag[o] = Infinity;
      else if (Number.isFinite(p)) mag[o] += Math.abs(p);
      return;
    }
    for (at[labels[k]] = 0; at[labels[k]] < sizes[labels[k]]; at[labels[k]]++) walk(k + 1);
  };
  walk(0);
  // compare checks a NaN reference before it looks at mag: skipped elements get a finite one.
  mag.forEach((m, o) => { if (m === Infinity) vals[o] = 0; });
  return { shape, vals, mag };
}

const einsumOp = {
  name: 'einsum', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const pool = rng.shuffle(['i', 'j', 'k', 'l', 'b']).slice(0, rng.int(1, 4));
    const sizes = Object.fromEntries(pool.map((l) => [l, rng.chance(0.05) ? 0 : rng.int(1, 4)]));
    const nIn = rng.int(1, 2);
    const inputs = Array.from({ length: nIn }, () => rng.shuffle(pool).slice(0, rng.int(0, Math.min(3, pool.length))));
    const present = [...new Set(inputs.flat())];
    const output = rng.shuffle(present).slice(0, rng.int(0, present.length));
    let eq = `${inputs.map((t) => t.join('')).join(',')}->${output.join('')}`;
    const es = inputs.map((ls) => ctx.tensorOf(ls.map((l) => sizes[l])));
    let ts = es.map((e) => e.t);
    let expect = 'ok';
    if (rng.chance(0.2)) {
      expect = 'error';
      switch (rng.int(0, 5)) {
        case 0: eq = eq.replace('->', rng.pick(['', '-->', '->->'])); break;
        case 1: {
          // A label twice in the first input.
          const dup = inputs[0].length > 0 ? [...inputs[0], inputs[0][0]] : ['q', 'q'];
          eq = `${[dup, ...inputs.slice(1)].map((t) => t.join('')).join(',')}->${output.join('')}`;
          break;
        }
        case 2: eq = `${eq}z`; break;
        case 3: ts = [...ts, ts[0]]; break;
        case 4: ts = [ctx.tensorOf([...es[0].shape, 2]).t, ...ts.slice(1)]; break;
        case 5: eq = rng.pick(['...i->i', 'i,i,i->i', 'i1->i', garbage(rng)]); break;
      }
    }
    return {
      op: 'einsum', args: [eq, ...ts], expect, run: () => nr.einsum(eq, ...ts),
      check: (t) => compare('einsum', t, einsumRef(inputs, output, es.map((e) => e.ref), sizes), false),
    };
  },
};

export default {
  name: 'spatial',
  weight: 2,
  ops: [depthToSpaceOp, spaceBatchOp, lrnOp, dropoutOp, randomOp, multinomialOp, movingAverageOp, einsumOp],
};
