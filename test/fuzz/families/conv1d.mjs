/**
 * The 1-D layers: conv1d ('valid', 'same', 'causal'; strides or dilation) with an optional
 * max/average pooling or global pooling after it, predicted against the plain-JS 2-D
 * convolution and pooling (each sample as an image one row high; causal: zero steps prepended),
 * then one SGD step; bad options and inputs of other channels must be refused.
 */
import { compare, Mismatch } from '../checks.mjs';
import * as R from '../reference.mjs';

const ACTS = { linear: (x) => x, relu: (x) => Math.max(0, x), tanh: Math.tanh };

/** `{ shape: [n, w, c], vals }` as `[n, 1, w + pad, c]` with `pad` zero steps before. */
function asImage(x, pad) {
  const [n, w, c] = x.shape;
  const vals = [];
  for (let b = 0; b < n; b++) vals.push(...new Array(pad * c).fill(0), ...x.vals.slice(b * w * c, (b + 1) * w * c));
  return { shape: [n, 1, w + pad, c], vals };
}

export const conv1dOp = {
  name: 'conv1d',
  gen(ctx) {
    const { rng, nr } = ctx;
    const [w, c, n, f] = [rng.int(1, 9), rng.int(1, 3), rng.int(1, 3), rng.int(1, 3)];
    const k = rng.int(1, 4);
    const dil = rng.chance(0.25);
    const d = dil ? rng.int(1, 3) : 1;
    const s = dil ? 1 : rng.int(1, 3);
    const padding = rng.pick(['valid', 'same', 'causal']);
    const act = rng.pick(Object.keys(ACTS));
    const conv = { filters: f, kernelSize: k, strides: s, dilationRate: d, padding, activation: act, inputShape: [w, c], biasInitializer: 'randomNormal' };
    const pad = padding === 'causal' ? (k - 1) * d : 0;
    let valid = padding !== 'valid' || w >= (k - 1) * d + 1;
    const ow = valid ? R.windowPlace(w + pad, k, s, d, padding === 'same').out : 0;
    const pool = rng.pick([null, 'max', 'avg', 'globalMax', 'globalAvg']);
    const [pk, ps, psame] = [rng.int(1, 3), rng.int(1, 3), rng.chance(0.5)];
    if ((pool === 'max' || pool === 'avg') && !psame && ow < pk) valid = false;
    const poolCfg = { poolSize: pk, strides: ps, padding: psame ? 'same' : 'valid' };
    const badCfg = rng.chance(0.1) ? rng.pick([['kernelSize', [2, 2]], ['strides', 0], ['padding', 'full'], ['dilationRate', 1.5], ['filters', 0], ['dataFormat', 'channelsFirst']]) : null;
    if (badCfg) conv[badCfg[0]] = badCfg[1];
    const wrongInput = rng.chance(0.1);
    const x = ctx.fresh([n, w, wrongInput ? c + 1 : c]);
    const seed = rng.int(0, 1000);
    const poolLayer = { max: ['maxPooling1d', poolCfg], avg: ['averagePooling1d', poolCfg], globalMax: ['globalMaxPooling1d', {}], globalAvg: ['globalAveragePooling1d', {}] }[pool];
    const parts = [`layers.conv1d(${ctx.show(conv)})`, ...(poolLayer ? [`layers.${poolLayer[0]}(${ctx.show(poolLayer[1])})`] : [])];
    return {
      op: 'conv1d', expect: badCfg || wrongInput || !valid ? 'error' : 'ok', names: ['conv1d', 'maxPooling1d', 'averagePooling1d', 'predict', 'sequential', 'build', 'trainOnBatch'],
      line: `m = sequential({ layers: [${parts.join(', ')}], seed: ${seed} }); y = m.predict(${x.name}); m.compile({ optimizer: 'sgd', loss: 'mse' }); m.trainOnBatch(${x.name}, y); m.getWeights(); m.dispose()`,
      run: () => {
        const m = nr.sequential({ layers: [nr.layers.conv1d(conv), ...(poolLayer ? [nr.layers[poolLayer[0]](poolLayer[1])] : [])], seed });
        let y = null;
        try {
          y = m.predict(x.t);
          const read = () => { const t = m.getWeights(); const v = t.map((u) => ({ shape: u.shape.slice(), vals: Array.from(u.dataSync()) })); t.forEach((u) => u.dispose()); return v; };
          const ws = read();
          const out = { shape: y.shape.slice(), vals: y.dataSync().slice() };
          if (!x.ref.vals.every(Number.isFinite)) return { out, ws, after: ws };
          m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.01 }), loss: 'mse' });
          m.trainOnBatch(x.t, y);
          return { out, ws, after: read() };
        } finally {
          y?.dispose();
          m.dispose();
        }
      },
      check: ({ out, ws, after }) => {
        if (ws[0].shape.join() !== [k, c, f].join()) throw new Mismatch(`conv1d: kernel shape [${ws[0].shape}], TF.js's [${[k, c, f]}]`);
        const z = R.conv2d(asImage(x.ref, pad), { shape: [1, k, c, f], vals: ws[0].vals }, ws[1], { k: [1, k], s: [1, s], d: [1, d], same: padding === 'same' });
        let ref = { ...z, vals: z.vals.map(ACTS[act]) };
        if (pool === 'max' || pool === 'avg') ref = R.pool2d(ref, { k: [1, pk], s: [1, ps], same: psame, max: pool === 'max' });
        if (pool === 'globalMax' || pool === 'globalAvg') {
          const [b, , len, ch] = ref.shape;
          const vals = [];
          for (let i = 0; i < b; i++) for (let j = 0; j < ch; j++) {
            const col = Array.from({ length: len }, (_, t) => ref.vals[(i * len + t) * ch + j]);
            vals.push(pool === 'globalMax' ? (col.some(Number.isNaN) ? NaN : Math.max(...col)) : col.reduce((p, q) => p + q, 0) / len);
          }
          ref = { shape: [b, ch], vals };
        } else ref = { ...ref, shape: [ref.shape[0], ref.shape[2], ref.shape[3]] };
        compare('conv1d model predict (a plain-JS 2-D convolution and pooling on rows)', { shape: out.shape, dataSync: () => out.vals }, ref, false);
        if (out.vals.every(Number.isFinite) && after.some((v) => v.vals.some((u) => !Number.isFinite(u)))) throw new Mismatch('conv1d: a training step made a weight non-finite');
      },
    };
  },
};

/**
 * Keras 3's Conv1DTranspose in plain JS: the output length and the scatter `y[i·s + j·d − before]
 * += x[i]·W[j]` (JAX's padding: `before` 0 with 'valid', `max(⌊(k_eff − k_eff mod 2 − op) / 2⌋, 0)`
 * with 'same' and an output padding, `max(⌊(k_eff − s) / 2⌋, 0)` without), plus the bias.
 */
function conv1dTransposeRef(x, kernel, bias, { k, s, d, same, op }) {
  const [n, w, c] = x.shape;
  const f = kernel.shape[1];
  const ke = (k - 1) * d + 1;
  const len = op === null ? (same ? w * s : w * s + Math.max(ke - s, 0)) : (w - 1) * s + (same ? ke % 2 : ke) + op;
  const before = !same ? 0 : Math.max(Math.floor((op === null ? ke - s : ke - (ke % 2) - op) / 2), 0);
  const vals = new Array(n * len * f).fill(0);
  for (let b = 0; b < n; b++) for (let i = 0; i < w; i++) for (let j = 0; j < k; j++) {
    const t = i * s + j * d - before;
    if (t < 0 || t >= len) continue;
    for (let o = 0; o < f; o++) for (let ch = 0; ch < c; ch++) vals[(b * len + t) * f + o] += x.vals[(b * w + i) * c + ch] * kernel.vals[(j * f + o) * c + ch];
  }
  if (bias) for (let p = 0; p < n * len; p++) for (let o = 0; o < f; o++) vals[p * f + o] += bias.vals[o];
  return { shape: [n, len, f], vals };
}

/** conv1dTranspose (Keras 3's rules: output padding below the stride, no stride and dilation both above 1) against {@link conv1dTransposeRef}, then one SGD step; bad options and inputs of other channels are refused. */
export const conv1dTransposeOp = {
  name: 'conv1dTranspose',
  gen(ctx) {
    const { rng, nr } = ctx;
    const [w, c, n, f] = [rng.int(1, 7), rng.int(1, 3), rng.int(1, 3), rng.int(1, 3)];
    const k = rng.int(1, 5);
    const dil = rng.chance(0.25);
    const d = dil ? rng.int(1, 3) : 1;
    const s = dil ? 1 : rng.int(1, 3);
    const same = rng.chance(0.5);
    const op = rng.chance(0.5) ? rng.int(0, s - 1) : null;
    const act = rng.pick(Object.keys(ACTS));
    const useBias = rng.chance(0.8);
    const cfg = { filters: f, kernelSize: k, strides: s, dilationRate: d, padding: same ? 'same' : 'valid', outputPadding: op, activation: act, useBias, inputShape: [w, c], biasInitializer: 'randomNormal' };
    const badCfg = rng.chance(0.1) ? rng.pick([['outputPadding', s], ['padding', 'causal'], ['strides', 0], ['kernelSize', [2, 2]], ['filters', 0], ['outputPadding', -1], ['dilationRate', 2, 'strides', 2]]) : null;
    if (badCfg) for (let i = 0; i < badCfg.length; i += 2) cfg[badCfg[i]] = badCfg[i + 1];
    const wrongInput = rng.chance(0.1);
    const x = ctx.fresh([n, w, wrongInput ? c + 1 : c]);
    const seed = rng.int(0, 1000);
    // An even dilated kernel with 'same' and outputPadding 0 on one step has no output steps: nothing to train on.
    const ke = (k - 1) * d + 1;
    const train = op === null || w > 1 || !same || ke % 2 === 1 || op > 0;
    return {
      op: 'conv1dTranspose', expect: badCfg || wrongInput ? 'error' : 'ok', names: ['conv1dTranspose', 'predict', 'sequential', 'trainOnBatch'],
      line: `m = sequential({ layers: [layers.conv1dTranspose(${ctx.show(cfg)})], seed: ${seed} }); y = m.predict(${x.name}); ${train ? `m.compile({ optimizer: 'sgd', loss: 'mse' }); m.trainOnBatch(${x.name}, y); ` : ''}m.getWeights(); m.dispose()`,
      run: () => {
        const m = nr.sequential({ layers: [nr.layers.conv1dTranspose(cfg)], seed });
        let y = null;
        try {
          y = m.predict(x.t);
          const read = () => { const t = m.getWeights(); const v = t.map((u) => ({ shape: u.shape.slice(), vals: Array.from(u.dataSync()) })); t.forEach((u) => u.dispose()); return v; };
          const ws = read();
          const out = { shape: y.shape.slice(), vals: y.dataSync().slice() };
          if (!x.ref.vals.every(Number.isFinite) || !train) return { out, ws, after: ws };
          m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.01 }), loss: 'mse' });
          m.trainOnBatch(x.t, y);
          return { out, ws, after: read() };
        } finally {
          y?.dispose();
          m.dispose();
        }
      },
      check: ({ out, ws, after }) => {
        if (ws[0].shape.join() !== [k, f, c].join()) throw new Mismatch(`conv1dTranspose: kernel shape [${ws[0].shape}], Keras's [${[k, f, c]}]`);
        const z = conv1dTransposeRef(x.ref, ws[0], useBias ? ws[1] : null, { k, s, d, same, op });
        compare('conv1dTranspose model predict (a plain-JS scatter with Keras 3\'s lengths)', { shape: out.shape, dataSync: () => out.vals }, { ...z, vals: z.vals.map(ACTS[act]) }, false);
        if (out.vals.every(Number.isFinite) && after.some((v) => v.vals.some((u) => !Number.isFinite(u)))) throw new Mismatch('conv1dTranspose: a training step made a weight non-finite');
      },
    };
  },
};
