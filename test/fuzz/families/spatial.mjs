/**
 * The spatial, normalization, random and einsum ops composed in TypeScript (ts/ops/
 * depth_to_space.ts, space_to_batch.ts, local_response_normalization.ts, dropout_op.ts,
 * random_extra.ts, moving_average.ts, einsum.ts, batch_norm.ts, pool.ts): depthToSpace,
 * spaceToBatchND, batchToSpaceND, localResponseNormalization, dropout, randomStandardNormal,
 * randomUniformInt, multinomial, movingAverage, einsum, batchNorm (and batchNorm2d/3d/4d) and
 * pool, with valid arguments (checked against plain-JS references: exact for the data movement,
 * max pooling and the random ops, whose uniform and normal draws are read back from
 * `randomUniform`/`randomNormal` with the same seed) and invalid ones (bad block sizes,
 * paddings, crops, radii, rates, seeds, equations, parameter ranks and shapes, pooling types,
 * numeric pads, dilations with strides).
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

/**
 * batchNorm's reference in float64 (parameters broadcast NumPy-style against x, extra leading
 * 1s dropped): ((x − mean) / √(variance + ε)) · scale + offset, with `variance + ε` rounded to
 * float32 as neurite adds them (so −ε is a zero there, not a tiny negative). `mag` holds the
 * largest term, and flags (Infinity) elements whose float32 intermediates overflow where float64
 * does not (x − mean or the normalised value beyond 3.4e38).
 */
function batchNormRef(x, p, eps) {
  const xs = x.shape;
  const idx = (ps) => {
    const q = ps.slice(Math.max(ps.length - xs.length, 0));
    const lead = xs.length - q.length;
    return (i) => {
      let rest = i;
      let j = 0;
      let stride = 1;
      for (let a = xs.length - 1; a >= lead; a--) {
        const at = rest % xs[a];
        rest = Math.floor(rest / xs[a]);
        if (q[a - lead] !== 1) j += at * stride;
        stride *= q[a - lead];
      }
      return j;
    };
  };
  const at = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v && { vals: v.vals, i: idx(v.shape) }]));
  const get = (k, i, def) => (at[k] ? at[k].vals[at[k].i(i)] : def);
  const vals = [];
  const mag = [];
  for (let i = 0; i < x.vals.length; i++) {
    const d = x.vals[i] - get('mean', i);
    const normed = d / Math.sqrt(f32(get('variance', i) + f32(eps)));
    const term = normed * get('scale', i, 1);
    const o = get('offset', i, 0);
    vals.push(term + o);
    mag.push(Math.abs(d) > 3.4e38 || Math.abs(normed) > 3.4e38 ? Infinity : Math.max(Math.abs(term), Math.abs(o)));
  }
  return { shape: xs.slice(), vals, mag };
}

const batchNormOp = {
  name: 'batchNorm', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    let x = ctx.any();
    const xs = x.shape;
    const r = xs.length;
    // A rank form now and then (x of rank 2, 3 or 4: parameters of rank 1 or x's rank).
    const op = r >= 2 && r <= 4 && rng.chance(0.3) ? `batchNorm${r}d` : 'batchNorm';
    // The parameters' one rank: x's last axis, x's rank, a scalar, or extra leading 1s.
    const form = op !== 'batchNorm' ? rng.pick(['last', 'full']) : rng.pick(['last', 'full', 'full', 'scalar', 'lead']);
    const shapeOf = () => {
      if (form === 'scalar' || r === 0) return form === 'lead' ? [1, 1] : [];
      const own = form === 'last' ? [xs[r - 1]] : xs.map((d) => (rng.chance(0.3) ? 1 : d));
      return form === 'lead' ? [1, ...own] : own;
    };
    const names = ['mean', 'variance', 'offset', 'scale'];
    const given = { mean: true, variance: true, offset: rng.chance(0.7), scale: rng.chance(0.7) };
    const pe = Object.fromEntries(names.map((k) => [k, given[k] ? ctx.tensorOf(shapeOf()) : null]));
    let eps = rng.pick([undefined, null, 0.001, 0, 1e-5, 0.5, rng.uniform(0, 1)]);
    const args = Object.fromEntries(names.map((k) => [k, pe[k] ? pe[k].t : rng.pick([undefined, null])]));
    let expect = 'ok';
    if (rng.chance(0.2)) {
      expect = 'error';
      const k = rng.pick(names.filter((n) => given[n]));
      switch (rng.int(0, 4)) {
        case 0: eps = rng.pick([NaN, Infinity, '0.1', {}, [0.1]]); break;
        // A parameter of another rank than mean's (TF.js's rule; also a wrong rank for a rank form).
        case 1: args[k === 'mean' ? 'variance' : k] = ctx.tensorOf([...pe.mean.shape, 1]).t; break;
        // A last axis that is neither 1 nor x's.
        case 2: {
          const sh = pe[k].shape.slice();
          if (sh.length > 0 && r > 0 && xs[r - 1] > 0) {
            sh[sh.length - 1] = xs[r - 1] + 1;
            args[k] = ctx.tensorOf(sh).t;
          } else expect = 'ok';
          break;
        }
        case 3: args[k] = rng.chance(0.5) ? ctx.disposed() : garbage(rng); if (args[k] === undefined || args[k] === null) expect = k === 'mean' || k === 'variance' ? 'error' : 'ok'; break;
        default: if (op !== 'batchNorm') x = ctx.tensorOf(r === 4 ? [2, 3] : [...xs, 1]); else expect = 'ok';
      }
    }
    const rest = [args.mean, args.variance];
    if (args.offset !== undefined || args.scale !== undefined || eps !== undefined) rest.push(args.offset, args.scale, eps);
    const c = callOf(ctx, op, x.t, rest);
    const p = Object.fromEntries(names.map((k) => [k, pe[k] && args[k] === pe[k].t ? pe[k].ref : null]));
    return { op, ...c, expect, check: (t) => compare(op, t, batchNormRef(x.ref, p, eps ?? 0.001), false) };
  },
};

/**
 * TF.js's pool in float64: undilated, its maxPool/avgPool (the 'same' padding left out of the
 * window); dilated (stride 1), its spaceToBatchND composition, every tap counted and those in
 * the 'same' padding zeros. Max takes NaN as neurite's maxPool does; `mag` is the window's
 * largest magnitude (an avg whose float32 sum may overflow is skipped).
 */
function poolRef(x, { k, d, s, same, max }) {
  const [n, h, w, c] = x.shape;
  const dilated = d[0] > 1 || d[1] > 1;
  const [py, px] = [R.windowPlace(h, k[0], s[0], d[0], same), R.windowPlace(w, k[1], s[1], d[1], same)];
  const vals = [];
  const mag = [];
  for (let b = 0; b < n; b++) for (let oy = 0; oy < py.out; oy++) for (let ox = 0; ox < px.out; ox++) for (let ch = 0; ch < c; ch++) {
    let acc = max ? -Infinity : 0;
    let cnt = 0;
    let g = 0;
    for (let a = 0; a < k[0]; a++) for (let e = 0; e < k[1]; e++) {
      const iy = oy * s[0] + a * d[0] - py.pad;
      const ix = ox * s[1] + e * d[1] - px.pad;
      const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
      if (!inside && !dilated) continue;
      const v = inside ? x.vals[((b * h + iy) * w + ix) * c + ch] : 0;
      acc = max ? (Number.isNaN(acc) || !(Number.isNaN(v) || v > acc) ? acc : v) : acc + v;
      g = Math.max(g, Math.abs(v));
      cnt++;
    }
    vals.push(max ? acc : acc / cnt);
    mag.push(g);
  }
  return { shape: [n, py.out, px.out, c], vals, mag };
}

const poolOp = {
  name: 'pool', weight: 2,
  gen(ctx) {
    const { rng } = ctx;
    const rank3 = rng.chance(0.3);
    const size = () => (rng.chance(0.05) ? 0 : rng.int(1, 7));
    const dims = [rank3 ? 1 : rng.pick([0, 1, 2]), size(), size(), rng.chance(0.05) ? 0 : rng.int(1, 3)];
    const [, h, w] = dims;
    const k = [rng.int(1, 3), rng.int(1, 3)];
    const dilated = rng.chance(0.6);
    const d = dilated ? [rng.int(1, 3), rng.int(1, 3)] : [1, 1];
    const s = d[0] > 1 || d[1] > 1 ? [1, 1] : [rng.int(1, 3), rng.int(1, 3)];
    const same = rng.chance(0.5);
    const max = rng.chance(0.5);
    const pair = (v) => (v[0] === v[1] && rng.chance(0.5) ? v[0] : v);
    let xShape = rank3 ? dims.slice(1) : dims;
    let type = max ? 'max' : 'avg';
    let pad = same ? 'same' : rng.pick(['valid', 'valid', 0]);
    let dArg = d[0] === 1 && d[1] === 1 ? rng.pick([undefined, null, 1, [1, 1]]) : pair(d);
    let sArg = s[0] === 1 && s[1] === 1 ? rng.pick([undefined, null, 1]) : pair(s);
    const rest = () => (sArg !== undefined ? [dArg, sArg] : dArg !== undefined ? [dArg] : []);
    const fits = same || ((k[0] - 1) * d[0] + 1 <= h && (k[1] - 1) * d[1] + 1 <= w);
    let expect = fits ? 'ok' : 'error';
    let extra = [];
    if (rng.chance(0.2)) {
      expect = 'error';
      switch (rng.int(0, 5)) {
        case 0: type = rng.pick(['MAX', 'mean', null, garbage(rng)]); break;
        case 1: pad = rng.pick([1, 'full', 'explicit', [[0, 0], [1, 1], [1, 1], [0, 0]], null]); break;
        case 2: dArg = [2, rng.int(1, 2)]; sArg = [rng.int(1, 2), 2]; break;
        case 3: dArg = rng.pick([0, -1, 1.5, [1, 2, 3], 'x']); break;
        case 4: extra = [rng.pick(['floor', 'ceil', 'round'])]; if (sArg === undefined) sArg = null; if (dArg === undefined) dArg = null; break;
        default: xShape = rng.pick([[h * w], [1, 1, h, w, 1]]);
      }
    }
    const x = ctx.tensorOf(xShape);
    const c = callOf(ctx, 'pool', x.t, [pair(k), type, pad, ...rest(), ...extra]);
    return {
      op: 'pool', ...c, expect,
      check: (t) => {
        const ref = poolRef({ shape: dims, vals: x.ref.vals }, { k, d, s, same, max });
        compare('pool (a plain-JS pooling)', t, rank3 ? { ...ref, shape: ref.shape.slice(1) } : ref, max);
      },
    };
  },
};

export default {
  name: 'spatial',
  weight: 2,
  ops: [depthToSpaceOp, spaceBatchOp, lrnOp, dropoutOp, randomOp, multinomialOp, movingAverageOp, einsumOp, batchNormOp, poolOp],
};
