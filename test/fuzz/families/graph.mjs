/**
 * Graph models (the functional API): a random graph over one or two inputs of dense layers and
 * merges — branches, residual sums, concatenations, values read more than once, layers no
 * output depends on, dense layers applied again (one set of weights), one or two outputs (one
 * may also feed later layers) — predicted and
 * differentiated (grads of Σ cₖ·yₖ through predict, for every input) against a plain-JS
 * forward and backward pass with the layers' own weights, and saved and loaded (TF.js's
 * functional format) to the same output bits; a merge that reads inputs alone is also applied
 * to the input tensors at once (its eager call) against the same plain-JS values; a merge of mismatched shapes must be refused
 * when it is applied, and an input no output depends on, or a layer's use reading its own
 * output, when the model is made.
 */
import { compare } from '../checks.mjs';

const ACTS = { linear: (z) => z, relu: (z) => Math.max(0, z), sigmoid: (z) => 1 / (1 + Math.exp(-z)), tanh: Math.tanh };
const DERIV = { linear: () => 1, relu: (z) => (z > 0 ? 1 : 0), sigmoid: (z) => { const s = 1 / (1 + Math.exp(-z)); return s * (1 - s); }, tanh: (z) => 1 - Math.tanh(z) ** 2 };
const MERGES = ['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum', 'concatenate'];

/** The index of the input a maximum (or minimum) takes: TF.js's left fold, ties to the earlier. */
function pick(vals, max) {
  let at = 0;
  for (let k = 1; k < vals.length; k++) if (max ? !(vals[at] >= vals[k]) : !(vals[at] <= vals[k])) at = k;
  return at;
}

/**
 * The graph's values (per node, `n` rows of `dim`) and, given `c` (dL/dy), dL/dx, in plain JS:
 * dense `act(x·W + b)`, the merges element-wise, concatenate row by row.
 */
function reference(nodes, weights, xs, n, outs, cs) {
  const k = xs.length;
  const vals = [...xs];
  const pre = xs.map(() => null);
  for (let i = k; i < nodes.length; i++) {
    const nd = nodes[i];
    const ins = nd.ins.map((j) => vals[j]);
    if (nd.kind === 'dense' && weights[i].length === 0) {
      // Not in the model (the output does not depend on it): no weights; nothing reads it.
      pre.push(null);
      vals.push(new Array(n * nd.dim).fill(NaN));
    } else if (nd.kind === 'dense') {
      const [W, b] = weights[i];
      const k = nodes[nd.ins[0]].dim;
      const z = [];
      for (let r = 0; r < n; r++) for (let j = 0; j < nd.dim; j++) {
        let s = b[j];
        for (let p = 0; p < k; p++) s += ins[0][r * k + p] * W[p * nd.dim + j];
        z.push(s);
      }
      pre.push(z);
      vals.push(z.map(ACTS[nd.act]));
    } else if (nd.op === 'concatenate') {
      const out = [];
      for (let r = 0; r < n; r++) nd.ins.forEach((j, q) => out.push(...ins[q].slice(r * nodes[j].dim, (r + 1) * nodes[j].dim)));
      pre.push(null);
      vals.push(out);
    } else {
      const out = ins[0].map((_, e) => {
        const v = ins.map((t) => t[e]);
        switch (nd.op) {
          case 'add': return v.reduce((a, b) => a + b, 0);
          case 'subtract': return v[0] - v[1];
          case 'multiply': return v.reduce((a, b) => a * b, 1);
          case 'average': return v.reduce((a, b) => a + b, 0) / v.length;
          default: return v[pick(v, nd.op === 'maximum')];
        }
      });
      pre.push(null);
      vals.push(out);
    }
  }
  // Backward over the model's nodes (those the output depends on): each node's gradient is
  // the sum over its readers.
  const live = new Set();
  const mark = (i) => { if (!live.has(i)) { live.add(i); for (const j of nodes[i].ins ?? []) mark(j); } };
  outs.forEach((o) => mark(o));
  const grads = nodes.map((nd) => new Array(n * nd.dim).fill(0));
  outs.forEach((o, q) => cs[q].forEach((v, e) => (grads[o][e] += v)));
  for (let i = nodes.length - 1; i >= k; i--) {
    if (!live.has(i)) continue;
    const nd = nodes[i];
    const g = grads[i];
    if (nd.kind === 'dense') {
      const [W] = weights[i];
      const src = nd.ins[0];
      const k = nodes[src].dim;
      for (let r = 0; r < n; r++) for (let j = 0; j < nd.dim; j++) {
        const dz = g[r * nd.dim + j] * DERIV[nd.act](pre[i][r * nd.dim + j]);
        for (let p = 0; p < k; p++) grads[src][r * k + p] += dz * W[p * nd.dim + j];
      }
    } else if (nd.op === 'concatenate') {
      let off = 0;
      for (const j of nd.ins) {
        const d = nodes[j].dim;
        for (let r = 0; r < n; r++) for (let e = 0; e < d; e++) grads[j][r * d + e] += g[r * nd.dim + off + e];
        off += d;
      }
    } else {
      for (let e = 0; e < g.length; e++) {
        const v = nd.ins.map((j) => vals[j][e]);
        nd.ins.forEach((j, q) => {
          let d;
          switch (nd.op) {
            case 'add': d = 1; break;
            case 'subtract': d = q === 0 ? 1 : -1; break;
            case 'multiply': d = v.reduce((a, b, t) => (t === q ? a : a * b), 1); break;
            case 'average': d = 1 / v.length; break;
            default: d = pick(v, nd.op === 'maximum') === q ? 1 : 0;
          }
          grads[j][e] += g[e] * d;
        });
      }
    }
  }
  return { ys: outs.map((o) => vals[o]), dxs: grads.slice(0, k), live, vals };
}

export const graphOp = {
  name: 'graph',
  gen(ctx) {
    const { rng, nr } = ctx;
    const n = rng.int(1, 3);
    const k = rng.chance(0.35) ? 2 : 1;
    const nodes = Array.from({ length: k }, () => ({ kind: 'input', dim: rng.int(1, 4) }));
    let bad = false;
    const steps = rng.int(1, 5);
    for (let s = 0; s < steps && !bad; s++) {
      // The first layer reads the last input, so that a second input is usually used.
      const any = () => (s === 0 && rng.chance(0.8) ? k - 1 : rng.int(0, nodes.length - 1));
      // A dense layer used again (one set of weights) on a value of its input width.
      const denses = nodes.map((nd, i) => i).filter((i) => nodes[i].kind === 'dense' && nodes[i].layer === i);
      if (denses.length > 0 && rng.chance(0.2)) {
        const first = nodes[rng.pick(denses)];
        const fits = nodes.map((_, i) => i).filter((i) => nodes[i].dim === nodes[first.ins[0]].dim);
        nodes.push({ ...first, ins: [rng.pick(fits)] });
        continue;
      }
      if (rng.chance(0.45)) {
        const units = rng.int(1, 4);
        nodes.push({ kind: 'dense', ins: [any()], dim: units, act: rng.pick(Object.keys(ACTS)), layer: nodes.length });
        continue;
      }
      const op = rng.pick(MERGES);
      const count = op === 'subtract' ? 2 : rng.int(2, 3);
      const first = any();
      const ins = [first];
      if (op === 'concatenate') {
        for (let k = 1; k < count; k++) ins.push(any());
        nodes.push({ kind: 'merge', op, ins, dim: ins.reduce((a, j) => a + nodes[j].dim, 0) });
        continue;
      }
      const same = nodes.map((_, i) => i).filter((i) => nodes[i].dim === nodes[first].dim);
      for (let k = 1; k < count; k++) ins.push(rng.pick(same));
      const other = nodes.findIndex((nd) => nd.dim !== nodes[first].dim && nd.dim !== 1 && nodes[first].dim !== 1);
      if (other >= 0 && rng.chance(0.1)) {
        ins[count - 1] = other;
        bad = true;
      }
      nodes.push({ kind: 'merge', op, ins, dim: nodes[first].dim });
    }
    const last = nodes.length - 1;
    // The outputs: the last value (a layer's, when there is one), sometimes with another layer's.
    const outs = last >= k ? [last] : [];
    if (last > k && rng.chance(0.4)) outs.unshift(rng.int(k, last - 1));
    // A model needs a layer, and every input some output depends on.
    const live = new Set();
    const mark = (i) => { if (!live.has(i)) { live.add(i); for (const j of nodes[i].ins ?? []) mark(j); } };
    outs.forEach(mark);
    if (outs.length === 0 || nodes.slice(0, k).some((_, j) => !live.has(j))) bad = true;
    // A use of a layer reading a value computed from another use of it is refused (the uses
    // of a layer run together).
    const reads = (i, layer) => (nodes[i].ins ?? []).some((j) => nodes[j].layer === layer || reads(j, layer));
    if ([...live].some((i) => nodes[i].layer !== undefined && reads(i, nodes[i].layer))) bad = true;
    const seed = rng.int(0, 1000);
    const xs = nodes.slice(0, k).map((nd) => Array.from({ length: n * nd.dim }, () => rng.uniform(-2, 2)));
    const cs = outs.map((o) => Array.from({ length: n * nodes[o].dim }, () => rng.uniform(-1, 1)));
    const reload = rng.chance(0.3);
    const v = (j) => `v${j}`;
    const list = (js) => (js.length === 1 ? v(js[0]) : `[${js.map(v).join(', ')}]`);
    const text = nodes.slice(k).map((nd, i) => {
      const src = nd.ins.map(v);
      const reuse = nd.kind === 'dense' && nd.layer !== k + i;
      const layer = reuse ? `layerOf(v${nd.layer})` : nd.kind === 'dense' ? `layers.dense({ units: ${nd.dim}, activation: "${nd.act}" })` : `layers.${nd.op}()`;
      return `v${k + i} = ${layer}.apply(${nd.kind === 'dense' ? src[0] : `[${src.join(', ')}]`})`;
    });
    const ins = nodes.slice(0, k).map((nd, j) => `v${j} = input({ shape: [${nd.dim}] })`);
    const xText = xs.map((x, j) => `tensor(${ctx.show(x)}, [${n}, ${nodes[j].dim}])`);
    // The merges that read inputs alone also run on the input tensors at once (a merge
    // layer's eager apply, as TF.js's), against the same plain-JS values.
    const eager = bad ? [] : nodes.map((nd, i) => i).filter((i) => nodes[i].kind === 'merge' && nodes[i].ins.every((j) => j < k));
    const eagerText = eager.map((i) => `; layers.${nodes[i].op}().apply([${nodes[i].ins.map((j) => `x${j}`).join(', ')}])`).join('');
    const line = `${ins.join('; ')}; ${text.join('; ')}${eagerText}; m = model({ inputs: ${list([...Array(k).keys()])}, outputs: ${list(outs)}, seed: ${seed} }); m.predict(${k === 1 ? xText[0] : `[${xText.join(', ')}]`}); grads((...x) => Σ m.predict(x)[q].mul(c[q]).sum());${reload ? ' again = await loadModel(await m.toArtifacts()); again.predict(x); again.dispose();' : ''} m.dispose()`;
    return {
      op: 'model', line, expect: bad ? 'error' : 'ok', names: ['apply', 'model', ...MERGES], handlesNeutral: true,
      run: async () => {
        const syms = nodes.slice(0, k).map((nd) => nr.input({ shape: [nd.dim] }));
        const made = syms.map(() => null);
        for (const [i, nd] of nodes.slice(k).entries()) {
          const reuse = nd.kind === 'dense' && nd.layer !== k + i;
          const layer = reuse ? made[nd.layer] : nd.kind === 'dense' ? nr.layers.dense({ units: nd.dim, activation: nd.act }) : nr.layers[nd.op]();
          made.push(layer);
          syms.push(layer.apply(nd.kind === 'dense' ? syms[nd.ins[0]] : nd.ins.map((j) => syms[j])));
        }
        const m = nr.model({ inputs: k === 1 ? syms[0] : syms.slice(0, k), outputs: outs.length === 1 ? syms[outs[0]] : outs.map((o) => syms[o]), seed });
        const xts = xs.map((x, j) => nr.tensor(x, [n, nodes[j].dim]));
        const cts = cs.map((c, q) => nr.tensor(c, [n, nodes[outs[q]].dim]));
        const listed = (ys) => (Array.isArray(ys) ? ys : [ys]);
        const arg = (ts) => (k === 1 ? ts[0] : ts);
        try {
          const got = listed(m.predict(arg(xts))).map((y) => {
            const r = { shape: y.shape.slice(), vals: y.dataSync().slice() };
            y.dispose();
            return r;
          });
          const gs = nr.grads((...xx) => nr.tidy(() => listed(m.predict(arg(xx))).map((y, q) => y.mul(cts[q]).sum()).reduce((a, b) => a.add(b))))(xts);
          const dxs = gs.map((g) => g.dataSync().slice());
          gs.forEach((g) => g.dispose());
          const weights = made.map((l) => {
            if (!l) return null;
            const ws = l.getWeights();
            const v = ws.map((w) => Array.from(w.dataSync()));
            ws.forEach((w) => w.dispose());
            return v;
          });
          let again = null;
          if (reload) {
            const m2 = await nr.loadModel(await m.toArtifacts());
            again = listed(m2.predict(arg(xts))).map((y) => {
              const vals = y.dataSync().slice();
              y.dispose();
              return vals;
            });
            m2.dispose();
          }
          const eagerVals = eager.map((i) => {
            const layer = nr.layers[nodes[i].op]();
            try {
              const y = layer.apply(nodes[i].ins.map((j) => xts[j]));
              const r = { i, shape: y.shape.slice(), vals: y.dataSync().slice() };
              y.dispose();
              return r;
            } finally {
              layer.dispose();
            }
          });
          return { got, dxs, weights, again, eagerVals };
        } finally {
          [...xts, ...cts].forEach((t) => t.dispose());
          m.dispose();
        }
      },
      check: ({ got, dxs, weights, again, eagerVals }) => {
        const ref = reference(nodes, weights, xs, n, outs, cs);
        for (const e of eagerVals) compare(`${nodes[e.i].op}.apply on the input tensors (a merge layer's eager call; plain JS)`, { shape: e.shape, dataSync: () => e.vals }, { shape: [n, nodes[e.i].dim], vals: ref.vals[e.i] }, false);
        got.forEach((g, q) => {
          if (again) compare(`output ${q} of a graph model saved and loaded predicts the same bits`, { shape: g.shape, dataSync: () => again[q] }, { shape: g.shape, vals: Array.from(g.vals) }, true);
          compare(`output ${q} of a graph model's predict (a plain-JS forward pass)`, { shape: g.shape, dataSync: () => g.vals }, { shape: [n, nodes[outs[q]].dim], vals: ref.ys[q] }, false);
        });
        if (got.length !== outs.length) throw new Error(`predict gave ${got.length} outputs for ${outs.length}`);
        dxs.forEach((dx, j) => compare(`grad for input ${j} through a graph model's predict (a plain-JS backward pass)`, { shape: [n, nodes[j].dim], dataSync: () => dx }, { shape: [n, nodes[j].dim], vals: ref.dxs[j] }, false));
      },
    };
  },
};
