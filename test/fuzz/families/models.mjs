/**
 * Models and training: random sequential stacks with good and bad configs, compile, fit
 * (mismatched, NaN, validationSplit, early stopping, callbacks that throw or dispose the data
 * or the model, two fits at once), predict checked against a plain-JS dense forward pass and
 * grad through predict against a plain-JS backward pass,
 * evaluate, trainOnBatch, get/setWeights of models and of single layers (getLayer), nesting,
 * dispose; init and rbfFeatures misuse; graph models (`graph.mjs`); the 1-D layers (`conv1d.mjs`, with conv1dTranspose; Keras 3's shape layers here);
 * masked models (`masked_models.mjs`).
 */
import { compare, compareShape, Mismatch } from '../checks.mjs';
import { code, names } from '../render.mjs';
import { badInt } from '../values.mjs';
import * as R from '../reference.mjs';
import { graphOp } from './graph.mjs';
import { conv1dOp, conv1dTransposeOp } from './conv1d.mjs';
import { maskedModelOp } from './masked_models.mjs';

const ACTS = { linear: (x) => x, relu: (x) => Math.max(0, x), sigmoid: (x) => 1 / (1 + Math.exp(-x)), tanh: Math.tanh };

/**
 * A plain-JS forward pass at inference. `stack` lists the layers as { kind, act }: `dense`
 * takes the next two weights (kernel, bias), `act` applies an activation, `id` (dropout,
 * gaussianNoise, flatten) passes values through.
 */
function forward(x, weights, stack) {
  let cur = { shape: x.shape, vals: Array.from(x.vals) };
  let w = 0;
  for (const layer of stack) {
    if (layer.kind === 'id') continue;
    if (layer.kind === 'act') {
      cur = { ...cur, vals: cur.vals.map(ACTS[layer.act]) };
      continue;
    }
    const W = weights[w++];
    const b = weights[w++];
    const [n, k] = cur.shape;
    const m = W.shape[1];
    const out = [];
    const mag = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let s = b.vals[j];
        let g = Math.abs(b.vals[j]);
        for (let p = 0; p < k; p++) { s += cur.vals[i * k + p] * W.vals[p * m + j]; g += Math.abs(cur.vals[i * k + p] * W.vals[p * m + j]); }
        out.push(ACTS[layer.act](s));
        mag.push(g);
      }
    }
    cur = { shape: [n, m], vals: out, mag };
  }
  return cur;
}

/** A model's weights as plain { shape, vals } (the tensors freed), for the plain-JS references. */
function plainWeights(m) {
  const w = m.getWeights();
  const ws = w.map((t) => ({ shape: t.shape.slice(), vals: Array.from(t.dataSync()) }));
  w.forEach((t) => t.dispose());
  return ws;
}

/**
 * Builds `sequential({ layers, seed })`, predicts `x` and, when `x` is finite (training refuses
 * non-finite data, checked by fit's own suites) and `train`, takes one SGD step towards that
 * prediction; returns the output and the weights before and after as plain values, the model
 * disposed.
 */
function predictAndStep(nr, layers, seed, x, train = true) {
  const m = nr.sequential({ layers, seed });
  let y = null;
  try {
    y = m.predict(x.t);
    const ws = plainWeights(m);
    const out = { shape: y.shape.slice(), vals: y.dataSync().slice() };
    if (!train || !x.ref.vals.every(Number.isFinite)) return { out, ws, after: ws };
    m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.01 }), loss: 'mse' });
    m.trainOnBatch(x.t, y);
    return { out, ws, after: plainWeights(m) };
  } finally {
    y?.dispose();
    m.dispose();
  }
}

/** `layer` alone in a model: its output for `x` as plain values, the model disposed. */
function predictOne(nr, layer, x) {
  const m = nr.sequential({ layers: [layer] });
  try {
    return nr.tidy(() => {
      const y = m.predict(x.t);
      return { shape: y.shape.slice(), vals: y.dataSync().slice() };
    });
  } finally {
    m.dispose();
  }
}

let modelCount = 0;

/**
 * Layers that may sit between dense layers: [source, make, reference kind | null (no plain-JS
 * reference: normalisation, prelu), a bad config that must be refused at construction].
 */
const EXTRA = [
  ['dropout', { rate: 0.3 }, { kind: 'id' }, { rate: 1 }],
  ['gaussianNoise', { stddev: 0.1 }, { kind: 'id' }, { stddev: -1 }],
  ['activation', { activation: 'relu' }, { kind: 'act', act: 'relu' }, { activation: 'nope' }],
  ['flatten', {}, { kind: 'id' }, null],
  ['batchNormalization', {}, null, { momentum: 2 }],
  ['layerNormalization', {}, null, { epsilon: 0 }],
  ['prelu', {}, null, { alphaInitializer: 'nope' }],
];

/** A new model spec: dense layers with other layers between; returns { name, line, make, … }. */
function makeModel(ctx, valid) {
  const { rng, nr } = ctx;
  const inDim = rng.int(1, 5);
  const depth = rng.int(1, 3);
  const units = [];
  /** [kind, config] per layer, and the reference stack (null entries: no reference). */
  const layers = [];
  const stack = [];
  for (let i = 0; i < depth; i++) {
    const u = rng.int(1, 5);
    const act = rng.pick(Object.keys(ACTS));
    units.push(u);
    layers.push(['dense', i === 0 ? { units: u, activation: act, inputShape: [inDim] } : { units: u, activation: act }]);
    stack.push({ kind: 'dense', act });
    if (rng.chance(0.3)) {
      const [kind, cfg, ref] = rng.pick(EXTRA);
      layers.push([kind, { ...cfg }]);
      stack.push(ref);
    }
  }
  if (!valid) {
    const extras = layers.filter(([k]) => k !== 'dense');
    if (extras.length && rng.chance(0.4)) {
      const target = rng.pick(extras);
      const bad = EXTRA.find(([k]) => k === target[0])[3];
      if (bad) Object.assign(target[1], bad);
      else valid = true;
    } else {
      const cfg = rng.pick(layers.filter(([k]) => k === 'dense'))[1];
      const bad = rng.pick([
        ['units', rng.pick([0, -1, 1.5, '3', 2 ** 24, NaN, null, badInt(rng)])],
        ['activation', rng.pick(['nope', 7, { name: 'relu', alpha: 2 }])],
        ['inputShape', rng.pick([[0], [-1], 'x', [1.5], [2 ** 32]])],
        ['kernelInitializer', rng.pick(['nope', { name: 'glorotUniform', seed: 'x' }, 5])],
      ]);
      cfg[bad[0]] = bad[1];
      if (bad[0] === 'inputShape' && cfg !== layers[0][1]) layers[0][1].inputShape = bad[1];
    }
  }
  const parts = layers.map(([k, cfg]) => `layers.${k}(${ctx.show(cfg)})`);
  const seed = rng.int(0, 1000);
  const name = `m${modelCount++}`;
  const line = `${name} = sequential({ layers: [${parts.join(', ')}], seed: ${seed} })`;
  return {
    name, line, inDim, outDim: units[units.length - 1], valid,
    stack: stack.every(Boolean) ? stack : null,
    make: () => nr.sequential({ layers: layers.map(([k, cfg]) => nr.layers[k](cfg)), seed }),
  };
}

const newModel = {
  name: 'sequential', weight: 2,
  gen(ctx) {
    const { rng } = ctx;
    if (ctx.models.length >= 3) return null;
    const spec = makeModel(ctx, rng.chance(0.75));
    const valid = spec.valid;
    return {
      op: 'sequential', line: spec.line.replace(/^m\d+ = /, ''), expect: valid ? 'ok' : 'error',
      names: ['sequential', ...EXTRA.map(([k]) => k), 'dense', 'initializer'],
      run: () => {
        const m = spec.make();
        names.set(m, spec.name);
        // A model made from a bad config that was accepted is not used further.
        if (valid) ctx.models.push({ m, ...spec, compiled: false });
        else m.dispose();
        return null;
      },
    };
  },
};

/** A live model, or null. */
const pickModel = (ctx, pred = () => true) => {
  const c = ctx.models.filter(pred);
  return c.length ? ctx.rng.pick(c) : null;
};

const compileOp = {
  name: 'compile', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const md = pickModel(ctx);
    if (!md) return null;
    const optKind = rng.int(0, 9);
    const optSrc = ['"sgd"', '"adam"', 'optimizers.sgd({ learningRate: 0.05 })', 'optimizers.adam({ amsgrad: true })', '"adadelta"', 'optimizers.adamax({ decay: 0.1 })',
      'optimizers.sgd({ learningRate: NaN })', '"nope"', 'optimizers.rmsprop({ bogus: 1 })', 'optimizers.adadelta({ epsilon: 0 })'][optKind];
    const lossName = rng.pick(['mse', 'meanSquaredError', 'meanAbsoluteError', 'binaryCrossentropy', 'nope', 42]);
    const metrics = rng.pick([undefined, ['mse'], 'mae', ['nope']]);
    const expectOpt = optKind <= 5 ? 'ok' : 'error';
    const expectLoss = typeof lossName === 'string' && lossName !== 'nope' ? 'ok' : 'error';
    const expectMetric = Array.isArray(metrics) && metrics[0] === 'nope' ? 'error' : 'ok';
    const expect = expectOpt === 'ok' && expectLoss === 'ok' && expectMetric === 'ok' ? 'ok' : 'error';
    const args = { optimizer: code(optSrc), loss: lossName, ...(metrics === undefined ? {} : { metrics }) };
    return {
      op: 'compile', line: `${md.name}.compile(${ctx.show(args)})`, expect,
      names: ['compile', 'sgd', 'adam', 'rmsprop', 'adadelta', 'optimizer', 'loss', 'metric'],
      run: () => {
        const opt = [() => 'sgd', () => 'adam', () => nr.optimizers.sgd({ learningRate: 0.05 }), () => nr.optimizers.adam({ amsgrad: true }), () => 'adadelta', () => nr.optimizers.adamax({ decay: 0.1 }),
          () => nr.optimizers.sgd({ learningRate: NaN }), () => 'nope', () => nr.optimizers.rmsprop({ bogus: 1 }), () => nr.optimizers.adadelta({ epsilon: 0 })][optKind]();
        md.m.compile({ optimizer: opt, loss: lossName, ...(metrics === undefined ? {} : { metrics }) });
        md.compiled = true;
        return null;
      },
    };
  },
};

/** Training data for `md`: x [n, inDim], y [n', outDim'] with optional mismatches and NaN. */
function data(ctx, md, mismatch) {
  const { rng } = ctx;
  const n = rng.int(1, 12);
  let ny = n;
  let xd = md.inDim;
  let yd = md.outDim;
  if (mismatch) {
    const what = rng.int(0, 2);
    if (what === 0) ny = n + rng.pick([-1, 1, 2]);
    else if (what === 1) xd += 1;
    else yd += 1;
    if (ny < 0) ny = n + 1;
  }
  const x = ctx.fresh([n, xd], Array.from({ length: n * xd }, () => rng.uniform(-1, 1)));
  const y = ctx.fresh([ny, yd], Array.from({ length: ny * yd }, () => rng.uniform(0, 1)));
  return { x, y, n };
}

const fitOp = {
  name: 'fit', weight: 3,
  gen(ctx) {
    const { rng, nr } = ctx;
    const md = pickModel(ctx);
    if (!md) return null;
    const mismatch = rng.chance(0.2);
    const { x, y, n } = data(ctx, md, mismatch);
    const opts = { epochs: rng.int(1, 2), batchSize: rng.int(1, 8), verbose: 0, yieldEveryMs: 0 };
    let expect = md.compiled && !mismatch ? 'ok' : 'error';
    const r = rng.int(0, 9);
    let passThrough;
    const sentinel = new Error('fuzz: callback threw on purpose');
    let extra = '';
    let disposes;
    if (r === 0) {
      opts.batchSize = rng.pick([0, -1, 1.5, '4', badInt(rng)]);
      // A batch larger than the data is one batch (as TF.js); huge ones may also be refused.
      expect = Number.isInteger(opts.batchSize) && opts.batchSize > 0 ? (expect === 'ok' ? 'either' : expect) : 'error';
    }
    else if (r === 1) { opts.epochs = rng.pick([-1, 1.5, 'x', NaN]); expect = 'error'; }
    else if (r === 2) {
      opts.validationSplit = rng.pick([0.1, 0.25, 0.3, 0.5, 0, 1, -0.1, NaN]);
      const s = opts.validationSplit;
      const nVal = n - Math.floor(n * (1 - s));
      // 0 holds out nothing (TF.js/Keras): a plain fit. Otherwise both parts need a sample.
      if (s !== 0 && (!(s > 0 && s < 1) || nVal < 1 || nVal >= n)) expect = 'error';
      if (s > 0 && s < 1 && expect === 'ok' && (Math.floor(n * s) < 1 || Math.floor(n * s) >= n)) expect = 'either';
    } else if (r === 3) {
      opts.callbacks = [nr.callbacks.earlyStopping({ monitor: 'loss', restoreBestWeights: true, patience: 5 }), { onEpochEnd: (e) => { if (e >= 1) throw sentinel; } }];
      opts.epochs = 3;
      extra = 'callbacks: [callbacks.earlyStopping({ monitor: "loss", restoreBestWeights: true, patience: 5 }), { onEpochEnd: (e) => { if (e >= 1) throw new Error("fuzz") } }]';
      if (expect === 'ok') { expect = 'error'; passThrough = sentinel; }
    } else if (r === 4) {
      opts.callbacks = { onBatchEnd: () => { throw sentinel; } };
      extra = 'callbacks: { onBatchEnd: () => { throw new Error("fuzz") } }';
      if (expect === 'ok') { expect = 'error'; passThrough = sentinel; }
    } else if (r === 5 && rng.chance(0.3)) {
      // Disposing the model itself from a callback, or replacing the instance (shutdown, then
      // init with bytes; init alone is refused while a fit runs): fit must stop with an error
      // that says so, not go on with stale handles.
      const reset = ctx.driver.reinit && rng.chance(0.5);
      if (expect !== 'ok' || n < 2) return null;
      opts.epochs = 2;
      opts.batchSize = 1;
      if (reset) {
        opts.callbacks = { onBatchEnd: async (b) => { if (b === 0) { ctx.nr.shutdown(); await ctx.driver.reinit(); } } };
        const call = fitCall(ctx, md, x, y, opts, 'callbacks: { onBatchEnd: async (b) => { if (b === 0) { shutdown(); await init(coreWasmBytes); } } }', 'error');
        call.names = ['fit'];
        call.resets = true;
        ctx.models.splice(ctx.models.indexOf(md), 1);
        return call;
      }
      opts.callbacks = { onBatchEnd: (b) => { if (b === 0) md.m.dispose(); } };
      ctx.models.splice(ctx.models.indexOf(md), 1);
      const call = fitCall(ctx, md, x, y, opts, `callbacks: { onBatchEnd: (b) => { if (b === 0) ${md.name}.dispose(); } }`, 'error');
      call.names = ['fit'];
      return call;
    } else if (r === 5) {
      // Disposing the training data from a callback: fit must stop with an error that says so.
      const which = rng.pick(['x', 'y']);
      const t = which === 'x' ? x : y;
      opts.callbacks = { onBatchBegin: (b) => { if (b === 0) t.t.dispose(); } };
      opts.epochs = 2;
      opts.batchSize = 1;
      extra = `callbacks: { onBatchBegin: (b) => { if (b === 0) ${t.name}.dispose(); } }`;
      disposes = [t];
      if (expect === 'ok') expect = n > 1 ? 'error' : 'either';
    } else if (r === 6) {
      const i = y.vals.length ? rng.int(0, y.vals.length - 1) : 0;
      if (y.vals.length) {
        const vals = Array.from(y.vals);
        vals[i] = NaN;
        const yn = ctx.fresh(y.shape, vals);
        return fitCall(ctx, md, x, yn, opts, '', expect === 'ok' ? 'either' : expect);
      }
    } else if (r === 7) {
      // Two fits at once on one model.
      if (expect !== 'ok') return null;
      return {
        op: 'fit', line: `Promise.all([${md.name}.fit(${x.name}, ${y.name}, ${ctx.show(opts)}), ${md.name}.fit(${x.name}, ${y.name}, ${ctx.show(opts)})])`, expect: 'either',
        run: async () => {
          const res = await Promise.allSettled([md.m.fit(x.t, y.t, opts), md.m.fit(x.t, y.t, opts)]);
          const bad = res.find((p) => p.status === 'rejected');
          if (bad) throw bad.reason;
          return null;
        },
      };
    }
    const call = fitCall(ctx, md, x, y, opts, extra, expect);
    call.passThrough = passThrough;
    call.disposes = disposes;
    return call;
  },
};

function fitCall(ctx, md, x, y, opts, extra, expect) {
  const shown = ctx.show(Object.fromEntries(Object.entries(opts).filter(([k]) => k !== 'callbacks')));
  const optsLine = extra ? shown.replace(/ }$/, `, ${extra} }`) : shown;
  return {
    op: 'fit', line: `await ${md.name}.fit(${x.name}, ${y.name}, ${optsLine})`, expect,
    names: ['fit', 'compile', 'validationSplit', 'batchSize', 'epochs', 'earlyStopping'],
    run: async () => {
      const h = await md.m.fit(x.t, y.t, opts);
      return h && typeof h === 'object' ? null : h;
    },
  };
}

/** An input for `md`: its data, or (with probability `p`) one feature too wide. */
function inputFor(ctx, md, p) {
  const mismatch = ctx.rng.chance(p);
  const { x } = data(ctx, md, false);
  return { xx: mismatch ? ctx.fresh([x.shape[0], md.inDim + 1]) : x, mismatch };
}

const predictOp = {
  name: 'predict', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const md = pickModel(ctx);
    if (!md) return null;
    const { xx, mismatch } = inputFor(ctx, md, 0.2);
    // Sometimes predictOnBatch (TF.js's: all of x as one batch, no batchSize).
    const onBatch = rng.chance(0.2);
    const bs = rng.chance(0.15) ? rng.pick([0, -1, 1.5, 'x', 2 ** 32]) : rng.int(1, 16);
    const expect = mismatch || (!onBatch && (typeof bs !== 'number' || !(bs >= 1) || !Number.isInteger(bs) || bs > 2 ** 31)) ? 'error' : 'ok';
    return {
      op: onBatch ? 'predictOnBatch' : 'predict',
      line: onBatch ? `${md.name}.predictOnBatch(${xx.name})` : `${md.name}.predict(${xx.name}, { batchSize: ${ctx.show(bs)} })`,
      expect,
      names: onBatch ? ['predictOnBatch'] : ['predict', 'batchSize'],
      run: () => {
        const p = onBatch ? md.m.predictOnBatch(xx.t) : md.m.predict(xx.t, { batchSize: bs });
        const ws = plainWeights(md.m);
        return { p, ws };
      },
      check: ({ p, ws }) => {
        compareShape('predict', p, [xx.shape[0], md.outDim]);
        if (md.stack) compare('predict (a plain-JS forward pass with getWeights())', p, forward(xx.ref, ws, md.stack), false);
      },
    };
  },
};

/** Layers whose training behaviour differs from inference (random draws, batch statistics). */
const NOISY = new Set(['dropout', 'gaussianNoise', 'saltAndPepper', 'batchNormalization', 'variational']);

/**
 * `m.apply(x, { training })`: inference as `predict`; with training, the same values for a
 * stack without noisy layers (otherwise only the shape is checked), and a bad option is an error.
 */
const applyOp = {
  name: 'apply',
  gen(ctx) {
    const { rng } = ctx;
    const md = pickModel(ctx);
    if (!md) return null;
    const { xx, mismatch } = inputFor(ctx, md, 0.2);
    const training = rng.chance(0.1) ? rng.pick([1, 'yes', null]) : rng.chance(0.5);
    const expect = mismatch || typeof training !== 'boolean' ? 'error' : 'ok';
    return {
      op: 'apply', line: `${md.name}.apply(${xx.name}, { training: ${ctx.show(training)} })`, expect, names: ['apply', 'training'],
      run: () => ({ p: md.m.apply(xx.t, { training }), ws: plainWeights(md.m) }),
      check: ({ p, ws }) => {
        compareShape('apply', p, [xx.shape[0], md.outDim]);
        const plainStack = md.stack && md.m.layers.every((l) => !NOISY.has(l.kind));
        if (plainStack) compare('apply (a plain-JS forward pass with getWeights())', p, forward(xx.ref, ws, md.stack), false);
      },
    };
  },
};

const DERIV = { linear: () => 1, relu: (z) => (z > 0 ? 1 : 0), sigmoid: (z) => { const s = 1 / (1 + Math.exp(-z)); return s * (1 - s); }, tanh: (z) => 1 - Math.tanh(z) ** 2 };

/**
 * The plain-JS gradient of `sum(predict(x))` with respect to `x` (float64) for a `forward`
 * stack, with the magnitudes of its terms, and in `weights` those with respect to each dense
 * kernel and bias (in `getWeights()` order); `null` when a relu input is within rounding of its
 * kink (float32 and float64 may then take different sides) or a value is not finite.
 */
function gradOfSum(x, weights, stack) {
  const [n] = x.shape;
  let k = x.shape[1];
  let cur = Array.from(x.vals);
  let curMag = cur.map(Math.abs);
  const steps = [];
  let w = 0;
  for (const layer of stack) {
    if (layer.kind === 'id') continue;
    const kink = (z, m) => layer.act === 'relu' && Math.abs(z) <= 1e-5 * m;
    if (layer.kind === 'act') {
      if (cur.some((z, i) => kink(z, curMag[i]))) return null;
      steps.push({ act: layer.act, z: cur });
      cur = cur.map(ACTS[layer.act]);
      curMag = cur.map(Math.abs);
      continue;
    }
    const W = weights[w++];
    const b = weights[w++];
    const m = W.shape[1];
    const z = new Array(n * m);
    const zMag = new Array(n * m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let s = b.vals[j];
        let g = Math.abs(b.vals[j]);
        for (let p = 0; p < k; p++) { s += cur[i * k + p] * W.vals[p * m + j]; g += Math.abs(cur[i * k + p] * W.vals[p * m + j]); }
        z[i * m + j] = s;
        zMag[i * m + j] = g;
      }
    }
    if (z.some((v, i) => kink(v, zMag[i]))) return null;
    steps.push({ act: layer.act, z, W, k, m, x: cur, xMag: curMag });
    cur = z.map(ACTS[layer.act]);
    curMag = cur.map(Math.abs);
    k = m;
  }
  let d = new Array(n * k).fill(1);
  let mag = new Array(n * k).fill(1);
  const dWeights = [];
  for (const s of steps.reverse()) {
    d = d.map((v, i) => v * DERIV[s.act](s.z[i]));
    mag = mag.map((v, i) => v * Math.abs(DERIV[s.act](s.z[i])));
    if (!s.W) continue;
    // dW = xᵀ·d, db = Σ d over the batch.
    const dW = { shape: [s.k, s.m], vals: new Array(s.k * s.m).fill(0), mag: new Array(s.k * s.m).fill(0) };
    const db = { shape: [s.m], vals: new Array(s.m).fill(0), mag: new Array(s.m).fill(0) };
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < s.m; j++) {
        db.vals[j] += d[i * s.m + j];
        db.mag[j] += mag[i * s.m + j];
        for (let p = 0; p < s.k; p++) {
          dW.vals[p * s.m + j] += s.x[i * s.k + p] * d[i * s.m + j];
          dW.mag[p * s.m + j] += s.xMag[i * s.k + p] * mag[i * s.m + j];
        }
      }
    }
    dWeights.unshift(dW, db);
    const dx = new Array(n * s.k).fill(0);
    const mx = new Array(n * s.k).fill(0);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < s.k; p++) {
        for (let j = 0; j < s.m; j++) {
          dx[i * s.k + p] += d[i * s.m + j] * s.W.vals[p * s.m + j];
          mx[i * s.k + p] += mag[i * s.m + j] * Math.abs(s.W.vals[p * s.m + j]);
        }
      }
    }
    d = dx;
    mag = mx;
  }
  const finite = (t) => t.vals.every(Number.isFinite) && t.mag.every((v) => v <= 1e30);
  if (!d.every(Number.isFinite) || !mag.every((v) => v <= 1e30) || !dWeights.every(finite)) return null;
  return { shape: x.shape.slice(), vals: d, mag, weights: dWeights };
}

/**
 * `grad(x => m.predict(x).sum())`, or `variableGrads` of it over `m.trainableWeights`: the
 * gradient of the inference function with respect to the input or to the model's weights
 * (the layers' own backward rules on a traced forward), against a plain-JS backward pass; a
 * model that is not built or an input of the wrong width is an error.
 */
const gradPredictOp = {
  name: 'gradPredict',
  gen(ctx) {
    const { rng, nr } = ctx;
    const md = pickModel(ctx);
    if (!md) return null;
    const { xx, mismatch } = inputFor(ctx, md, 0.15);
    // Over the weights only when there are some (an empty varList is an error, as in TF.js).
    const overWeights = rng.chance(0.5) && md.m.trainableWeights.length > 0;
    // Sometimes the model runs twice in the function, the second time on x/2: its forward
    // replaces the first call's caches, so the first call's gradient must run the layers again
    // at x (f = Σ predict(x) + Σ predict(x/2); x/2 is exact in float32).
    const twice = rng.chance(0.3);
    const f = (t) => {
      const y = md.m.predict(t).sum();
      return twice ? nr.tidy(() => y.add(md.m.predict(t.mul(0.5)).sum())) : y;
    };
    const call = twice ? `predict(x).sum().add(${md.name}.predict(x.mul(0.5)).sum())` : 'predict(x).sum()';
    const line = overWeights ? `variableGrads(() => ${md.name}.${call.replaceAll('(x', `(${xx.name}`)}, ${md.name}.trainableWeights)` : `grad((x) => ${md.name}.${call})(${xx.name})`;
    return {
      op: overWeights ? 'variableGrads' : 'grad', line, expect: mismatch ? 'error' : 'ok', names: ['predict', overWeights ? 'variableGrads' : 'grad'],
      run: () => {
        if (!overWeights) return { g: nr.grad(f)(xx.t), ws: plainWeights(md.m) };
        const vars = md.m.trainableWeights;
        const { value, grads } = nr.variableGrads(() => f(xx.t), vars);
        value.dispose();
        return { dw: vars.map((v) => grads[v.name]), ws: plainWeights(md.m) };
      },
      check: ({ g, dw, ws }) => {
        const ref = md.stack && gradOfSum(xx.ref, ws, md.stack);
        const half = twice && ref && gradOfSum({ shape: xx.ref.shape, vals: Array.from(xx.ref.vals, (v) => Math.fround(v * 0.5)) }, ws, md.stack);
        if (twice && ref && !half) return; // x/2 sits on a kink of relu: no reference there
        if (half) {
          // d/dx Σ predict(x/2) = ½·(the gradient at x/2); the weights' gradients add up.
          ref.vals = ref.vals.map((v, i) => v + 0.5 * half.vals[i]);
          ref.mag = ref.mag.map((v, i) => v + 0.5 * half.mag[i]);
          ref.weights = ref.weights.map((w, i) => ({ shape: w.shape, vals: w.vals.map((v, j) => v + half.weights[i].vals[j]), mag: w.mag.map((v, j) => v + half.weights[i].mag[j]) }));
        }
        if (!overWeights) {
          compareShape('grad of predict', g, xx.shape);
          if (ref) compare('grad of predict (a plain-JS backward pass with getWeights())', g, ref, false);
          return;
        }
        if (!ref) return;
        if (dw.length !== ref.weights.length) throw new Error(`variableGrads over trainableWeights: ${dw.length} gradients for ${ref.weights.length} weights`);
        dw.forEach((t, i) => compare(`variableGrads of predict, weight ${i} (a plain-JS backward pass)`, t, ref.weights[i], false));
      },
    };
  },
};

const evaluateOp = {
  name: 'evaluate',
  gen(ctx) {
    const { rng } = ctx;
    const md = pickModel(ctx);
    if (!md) return null;
    const mismatch = rng.chance(0.25);
    const { x, y } = data(ctx, md, mismatch);
    const op = rng.pick(['evaluate', 'trainOnBatch']);
    return {
      op, line: `${md.name}.${op}(${x.name}, ${y.name})`, expect: md.compiled && !mismatch ? 'ok' : 'error',
      names: [op, 'compile'],
      run: () => (op === 'evaluate' ? md.m.evaluate(x.t, y.t) : md.m.trainOnBatch(x.t, y.t)),
    };
  },
};

const weightsOp = {
  name: 'setWeights',
  gen(ctx) {
    const { rng } = ctx;
    const md = pickModel(ctx);
    if (!md) return null;
    const wrong = rng.chance(0.4);
    return {
      op: 'setWeights', line: `${md.name}.setWeights(${md.name}.getWeights()${wrong ? '.slice(1) /* or a wrong shape */' : '.map(w => w.mul(0.5))'})`,
      expect: wrong ? 'error' : 'ok', names: ['setWeights', 'getWeights'],
      run: () => {
        const w = md.m.getWeights();
        try {
          let nw;
          if (!wrong) nw = w.map((t) => t.mul(0.5));
          else nw = rng.chance(0.5) ? w.slice(1).map((t) => t.mul(1)) : w.map((t, i) => (i === 0 ? ctx.nr.zeros([t.shape[0] + 1, ...t.shape.slice(1)]) : t.mul(1)));
          try {
            md.m.setWeights(nw);
          } finally {
            nw.forEach((t) => t.dispose());
          }
          const after = md.m.getWeights();
          const ok = after.every((t, i) => t.dataSync().every((v, k) => Object.is(v, Math.fround(w[i].dataSync()[k] * 0.5)) || (Number.isNaN(v) && Number.isNaN(w[i].dataSync()[k]))));
          after.forEach((t) => t.dispose());
          return { ok };
        } finally {
          w.forEach((t) => t.dispose());
        }
      },
      check: ({ ok }) => { if (!ok) throw new Mismatch('setWeights: getWeights() after setWeights(w.map(x => x * 0.5)) differs'); },
    };
  },
};

/**
 * A layer's own weights: every layer's `getWeights()` is the model's `getWeights()` entries of
 * the same names (`weightNames()`; the model lists them in TF.js's order) bit for bit; `getLayer(name | index)` with bad keys is an error; `layer.setWeights` with one
 * weight short (or one too many) is an error, and with `w * 0.5` reads back exactly.
 */
const layerWeightsOp = {
  name: 'layerWeights',
  gen(ctx) {
    const { rng, nr } = ctx;
    const md = pickModel(ctx);
    if (!md) return null;
    const ls = md.m.layers;
    const n = ls.length;
    const key = rng.chance(0.15) ? rng.pick([n, -1, 1.5, 'no_such_layer', null, 2 ** 32])
      : rng.chance(0.5) ? rng.int(0, n - 1) : ls[rng.int(0, n - 1)].name;
    const good = (typeof key === 'string' && ls.some((l) => l.name === key)) || (Number.isInteger(key) && key >= 0 && key < n);
    const wrong = good && rng.chance(0.3);
    return {
      op: 'getLayer', line: `${md.name}.getLayer(${ctx.show(key)}).setWeights(${wrong ? 'one weight short or one too many' : 'getWeights().map(w => w.mul(0.5))'})`,
      expect: good && !wrong ? 'ok' : 'error', names: ['getLayer', 'setWeights', 'getWeights', 'layer', 'weight'],
      run: () => {
        const all = md.m.getWeights(); // builds the model
        try {
          const byName = new Map(md.m.weightNames().map((w, i) => [w, all[i]]));
          const perNames = ls.flatMap((l) => l.weights.map((v) => v.name));
          const per = ls.flatMap((l) => l.getWeights());
          const same = per.length === all.length && per.every((t, i) => byName.has(perNames[i]) && t.dataSync().every((v, k) => Object.is(v, byName.get(perNames[i]).dataSync()[k])));
          per.forEach((t) => t.dispose());
          if (!same) return { same, ok: true };
          const layer = md.m.getLayer(key);
          const w = layer.getWeights();
          try {
            const nw = wrong ? (w.length && rng.chance(0.5) ? w.slice(1).map((t) => t.mul(1)) : [...w.map((t) => t.mul(1)), nr.zeros([1])]) : w.map((t) => t.mul(0.5));
            try {
              layer.setWeights(nw);
            } finally {
              nw.forEach((t) => t.dispose());
            }
            const after = layer.getWeights();
            const ok = after.length === w.length && after.every((t, i) => t.dataSync().every((v, k) => Object.is(v, Math.fround(w[i].dataSync()[k] * 0.5))));
            after.forEach((t) => t.dispose());
            return { same, ok };
          } finally {
            w.forEach((t) => t.dispose());
          }
        } finally {
          all.forEach((t) => t.dispose());
        }
      },
      check: ({ same, ok }) => {
        if (!same) throw new Mismatch("getWeights: the layers' getWeights() differ from the model's getWeights() of the same names");
        if (!ok) throw new Mismatch('setWeights: layer.getWeights() after layer.setWeights(w.map(x => x * 0.5)) differs');
      },
    };
  },
};

const disposeModel = {
  name: 'disposeModel',
  gen(ctx) {
    const { rng } = ctx;
    const md = pickModel(ctx);
    if (!md) return null;
    const use = rng.pick(['predict', 'compile', 'fit', 'dispose']);
    return {
      op: 'dispose', line: `${md.name}.dispose(); ${md.name}.${use}(…)  /* must throw DisposedError (dispose twice: no-op) */`,
      expect: use === 'dispose' ? 'ok' : 'error', names: [use, 'dispose', 'disposed'],
      run: () => {
        ctx.models.splice(ctx.models.indexOf(md), 1);
        md.m.dispose();
        const x = ctx.nr.zeros([1, md.inDim]);
        try {
          if (use === 'predict') return md.m.predict(x);
          if (use === 'compile') return md.m.compile({ optimizer: 'sgd', loss: 'mse' });
          if (use === 'fit') return md.m.fit(x, x);
          md.m.dispose();
          return null;
        } finally {
          x.dispose();
        }
      },
    };
  },
};

const nestedOp = {
  name: 'nested',
  gen(ctx) {
    // Nesting a model whose layers do not fit: the failed build must leave no handle behind.
    const { rng, nr } = ctx;
    const fits = rng.chance(0.4);
    const k = rng.int(2, 4);
    const line = `outer = sequential({ layers: [layers.dense({ units: 3, inputShape: [2] })] }); inner = sequential({ layers: [layers.dense({ units: 2, inputShape: [${fits ? 3 : k + 3}] })] }); outer.add(inner); outer.predict(zeros([1, 2])); outer.dispose(); inner.dispose()`;
    return {
      op: 'model.add', line, expect: 'either', names: ['add', 'build', 'predict', 'dense'], handlesNeutral: true,
      run: () => {
        const outer = nr.sequential({ layers: [nr.layers.dense({ units: 3, inputShape: [2] })] });
        const inner = nr.sequential({ layers: [nr.layers.dense({ units: 2, inputShape: [fits ? 3 : k + 3] })] });
        const x = nr.zeros([1, 2]);
        try {
          outer.add(inner);
          outer.predict(x).dispose();
        } finally {
          x.dispose();
          outer.dispose();
          inner.dispose();
        }
        return null;
      },
    };
  },
};

const initOp = {
  name: 'init',
  weight: 0.3,
  gen(ctx) {
    const { rng, nr } = ctx;
    // `{}` is valid since init took options (issue 12); bad options are not.
    const arg = rng.pick([{ threads: 0 }, { thread: 2 }, { wasm: 1 }, 42, true, []]);
    return { op: 'init', args: [arg], expect: 'error', run: () => nr.init(arg) };
  },
};

/**
 * One SGD step (trainOnBatch, learning rate 0.5) of a dense softmax + categorical cross-entropy
 * or sigmoid + binary cross-entropy layer, checked against the gradient in plain JS:
 * dL/dz = (p·Σy − y)/n for softmax + CCE (any targets: multi-hot, all-zero rows), and
 * (p − y)/(n·k) for sigmoid + BCE; plus the reported loss.
 */
const trainStep = {
  name: 'trainStep',
  gen(ctx) {
    const { rng, nr } = ctx;
    const kind = rng.pick(['softmax', 'sigmoid']);
    const inDim = rng.int(1, 3);
    const k = rng.int(2, 4);
    const n = rng.int(1, 3);
    const x = Array.from({ length: n * inDim }, () => rng.uniform(-1, 1));
    const targets = rng.pick(['oneHot', 'multiHot', 'zeros', 'soft']);
    const y = [];
    for (let i = 0; i < n; i++) {
      const hot = rng.int(0, k - 1);
      for (let j = 0; j < k; j++) {
        if (targets === 'oneHot') y.push(j === hot ? 1 : 0);
        else if (targets === 'multiHot') y.push(j === hot || rng.chance(0.5) ? 1 : 0);
        else if (targets === 'zeros') y.push(0);
        else y.push(rng.uniform(0, 1));
      }
    }
    const loss = kind === 'softmax' ? 'categoricalCrossentropy' : 'binaryCrossentropy';
    const seed = rng.int(0, 1000);
    const line = `m = sequential({ layers: [layers.dense({ units: ${k}, activation: "${kind}", inputShape: [${inDim}] })], seed: ${seed} }); m.compile({ optimizer: optimizers.sgd({ learningRate: 0.5 }), loss: "${loss}" }); w0 = m.getWeights(); m.trainOnBatch(tensor(${ctx.show(x)}, [${n}, ${inDim}]), tensor(${ctx.show(y)}, [${n}, ${k}])); /* ${targets} targets */ m.getWeights(); m.dispose()`;
    return {
      op: 'trainOnBatch', line, expect: 'ok', names: ['trainOnBatch', 'compile', 'dense'], handlesNeutral: true,
      run: () => {
        const m = nr.sequential({ layers: [nr.layers.dense({ units: k, activation: kind, inputShape: [inDim] })], seed });
        const xt = nr.tensor(x, [n, inDim]);
        const yt = nr.tensor(y, [n, k]);
        try {
          m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.5 }), loss });
          const read = () => { const w = m.getWeights(); const v = w.map((t) => Array.from(t.dataSync())); w.forEach((t) => t.dispose()); return v; };
          const [W0, b0] = read();
          const reported = m.trainOnBatch(xt, yt);
          const [W1, b1] = read();
          return { W0, b0, W1, b1, reported: Array.isArray(reported) ? reported[0] : reported };
        } finally {
          xt.dispose();
          yt.dispose();
          m.dispose();
        }
      },
      check: ({ W0, b0, W1, b1, reported }) => {
        const dW = new Array(inDim * k).fill(0);
        const db = new Array(k).fill(0);
        let L = 0;
        for (let i = 0; i < n; i++) {
          const z = [];
          for (let j = 0; j < k; j++) {
            let s = b0[j];
            for (let p = 0; p < inDim; p++) s += x[i * inDim + p] * W0[p * k + j];
            z.push(s);
          }
          let p;
          let dz;
          const yi = y.slice(i * k, i * k + k);
          if (kind === 'softmax') {
            const mx = Math.max(...z);
            const e = z.map((v) => Math.exp(v - mx));
            const s = e.reduce((a, b) => a + b, 0);
            p = e.map((v) => v / s);
            const sy = yi.reduce((a, b) => a + b, 0);
            dz = p.map((pj, j) => (pj * sy - yi[j]) / n);
            L += -yi.reduce((a, yj, j) => a + yj * Math.log(p[j]), 0) / n;
          } else {
            p = z.map((v) => 1 / (1 + Math.exp(-v)));
            dz = p.map((pj, j) => (pj - yi[j]) / (n * k));
            L += -yi.reduce((a, yj, j) => a + yj * Math.log(p[j]) + (1 - yj) * Math.log(1 - p[j]), 0) / (n * k);
          }
          for (let j = 0; j < k; j++) {
            db[j] += dz[j];
            for (let q = 0; q < inDim; q++) dW[q * k + j] += x[i * inDim + q] * dz[j];
          }
        }
        const want = [...W0.map((w, i) => w - 0.5 * dW[i]), ...b0.map((b, j) => b - 0.5 * db[j])];
        const got = [...W1, ...b1];
        for (let i = 0; i < want.length; i++) {
          if (!(Math.abs(got[i] - want[i]) <= 1e-4 + 1e-4 * Math.abs(want[i]))) {
            throw new Mismatch(`trainOnBatch (${kind} + ${loss}, ${targets} targets): weight ${i} after one SGD step is ${got[i]}, the plain-JS gradient gives ${want[i]} (before: ${[...W0, ...b0][i]})`);
          }
        }
        if (!(Math.abs(reported - L) <= 1e-4 + 1e-4 * Math.abs(L))) throw new Mismatch(`trainOnBatch (${kind} + ${loss}, ${targets} targets): reported loss ${reported}, plain JS ${L}`);
      },
    };
  },
};

const rbfOp = {
  name: 'rbfFeatures',
  gen(ctx) {
    const { rng, nr } = ctx;
    const n = rng.int(0, 4);
    const d = rng.int(1, 3);
    const units = rng.int(0, 3);
    const kernel = rng.pick(['gaussian', 'multiquadric', 'inverseMultiquadric']);
    const x = ctx.fresh([n, d]);
    const c = ctx.fresh([units, d]);
    const w = ctx.fresh([units], Array.from({ length: units }, () => rng.uniform(0.5, 2)));
    return {
      args: [x.t, c.t, w.t, { kernel }], expect: units === 0 ? 'either' : 'ok', run: () => nr.rbfFeatures(x.t, c.t, w.t, { kernel }),
      check: (t) => compareShape('rbfFeatures', t, [n, units]),
    };
  },
};

/**
 * A random small CNN (conv2d with random kernel, strides, dilation and padding, then max or
 * average pooling or none), sometimes with a configuration or an input that does not fit:
 * predict against the plain-JS references above, one training step that must keep the weights
 * finite, the model disposed within the call.
 */
const convOp = {
  name: 'conv2d',
  gen(ctx) {
    const { rng, nr } = ctx;
    const [h, w, c] = [rng.int(1, 7), rng.int(1, 7), rng.int(1, 3)];
    const n = rng.int(1, 3);
    const k = [rng.int(1, 4), rng.int(1, 4)];
    const dil = rng.chance(0.2);
    const d = dil ? [rng.int(1, 2), rng.int(1, 2)] : [1, 1];
    const s = dil ? [1, 1] : [rng.int(1, 3), rng.int(1, 3)];
    const same = rng.chance(0.5);
    const act = rng.pick(Object.keys(ACTS));
    const f = rng.int(1, 3);
    const conv = { filters: f, kernelSize: k, strides: s, dilationRate: d, padding: same ? 'same' : 'valid', activation: act, inputShape: [h, w, c], biasInitializer: 'randomNormal' };
    // An activity penalty now and then (training only: predict is unchanged).
    if (rng.chance(0.2)) conv.activityRegularizer = rng.pick(['l1', 'l2', 'l1l2']);
    const fits = (len, a) => same || len >= (k[a] - 1) * d[a] + 1;
    let valid = fits(h, 0) && fits(w, 1);
    const oh = valid ? R.windowPlace(h, k[0], s[0], d[0], same).out : 0, ow = valid ? R.windowPlace(w, k[1], s[1], d[1], same).out : 0;
    const pool = rng.pick([null, 'max', 'avg']);
    const pk = [rng.int(1, 3), rng.int(1, 3)];
    const ps = [rng.int(1, 3), rng.int(1, 3)];
    const psame = rng.chance(0.5);
    if (pool && !psame && (oh < pk[0] || ow < pk[1])) valid = false;
    const poolCfg = { poolSize: pk, strides: ps, padding: psame ? 'same' : 'valid' };
    // A bad option now and then, or an input with other channels.
    const badCfg = rng.chance(0.1) ? rng.pick([['kernelSize', [0, 2]], ['strides', -1], ['padding', 'full'], ['dilationRate', [1.5, 1]], ['filters', 0], ['dataFormat', 'channelsFirst'], ['activityRegularizer', 'l3']]) : null;
    if (badCfg) conv[badCfg[0]] = badCfg[1];
    const wrongInput = rng.chance(0.1);
    const x = ctx.fresh([n, h, w, wrongInput ? c + 1 : c]);
    const seed = rng.int(0, 1000);
    const layerParts = [`layers.conv2d(${ctx.show(conv)})`, ...(pool ? [`layers.${pool === 'max' ? 'maxPooling2d' : 'averagePooling2d'}(${ctx.show(poolCfg)})`] : [])];
    const expect = badCfg || wrongInput || !valid ? 'error' : 'ok';
    return {
      op: 'conv2d', expect, names: ['conv2d', 'maxPooling2d', 'averagePooling2d', 'predict', 'sequential', 'build', 'trainOnBatch'],
      line: `m = sequential({ layers: [${layerParts.join(', ')}], seed: ${seed} }); y = m.predict(${x.name}); m.compile({ optimizer: 'sgd', loss: 'mse' }); m.trainOnBatch(${x.name}, y); m.getWeights(); m.dispose()`,
      run: () => {
        const ls = [nr.layers.conv2d(conv)];
        if (pool) ls.push(pool === 'max' ? nr.layers.maxPooling2d(poolCfg) : nr.layers.averagePooling2d(poolCfg));
        return predictAndStep(nr, ls, seed, x);
      },
      check: ({ out, ws, after }) => {
        const z = R.conv2d(x.ref, ws[0], ws[1], { k, s, d, same });
        let ref = { ...z, vals: z.vals.map(ACTS[act]) };
        if (pool) ref = R.pool2d(ref, { k: pk, s: ps, same: psame, max: pool === 'max' });
        compare('conv2d model predict (a plain-JS convolution and pooling)', { shape: out.shape, dataSync: () => out.vals }, ref, false);
        if (out.vals.every(Number.isFinite) && after.some((w) => w.vals.some((v) => !Number.isFinite(v)))) throw new Mismatch('conv2d: a training step made a weight non-finite');
      },
    };
  },
};

/**
 * A random conv2dTranspose layer (kernel, strides above and below it, padding; Keras 3's
 * outputPadding below the strides, or dilation with stride 1), sometimes with an option Keras's
 * rules refuse or an input with other channels: predict against the plain-JS transposed
 * convolution (TF.js's sizes, or Keras 3's with JAX's padding) plus bias and activation, then
 * one training step that must keep the weights finite.
 */
const convTransposeOp = {
  name: 'conv2dTranspose',
  gen(ctx) {
    const { rng, nr } = ctx;
    const [h, w, c] = [rng.int(1, 5), rng.int(1, 5), rng.int(1, 3)];
    const n = rng.int(1, 3);
    const k = [rng.int(1, 4), rng.int(1, 4)];
    const dil = rng.chance(0.2);
    const d = dil ? [rng.int(1, 3), rng.int(1, 3)] : [1, 1];
    const s = dil ? [1, 1] : [rng.int(1, 3), rng.int(1, 3)];
    const same = rng.chance(0.5);
    const op = rng.chance(0.5) ? [rng.int(0, s[0] - 1), rng.int(0, s[1] - 1)] : null;
    const act = rng.pick(Object.keys(ACTS));
    const f = rng.int(1, 3);
    const cfg = { filters: f, kernelSize: k, strides: s, dilationRate: d, padding: same ? 'same' : 'valid', outputPadding: op, activation: act, inputShape: [h, w, c], biasInitializer: 'randomNormal' };
    const badCfg = rng.chance(0.1) ? rng.pick([['kernelSize', [0, 2]], ['strides', 0], ['padding', 'full'], ['dilationRate', [2, 1], 'strides', [1, 2]], ['filters', 1.5], ['outputPadding', s], ['outputPadding', -1], ['outputPadding', [1, 1, 1]]]) : null;
    if (badCfg) for (let i = 0; i < badCfg.length; i += 2) cfg[badCfg[i]] = badCfg[i + 1];
    const wrongInput = rng.chance(0.1);
    const x = ctx.fresh([n, h, w, wrongInput ? c + 1 : c]);
    const seed = rng.int(0, 1000);
    // TF.js's deconvLength, or Keras 3's length and JAX's padding with an output padding.
    const ke = (a) => (k[a] - 1) * d[a] + 1;
    const len = (m, a) => (op === null ? m * s[a] + (same ? 0 : Math.max(ke(a) - s[a], 0)) : (m - 1) * s[a] + (same ? ke(a) % 2 : ke(a)) + op[a]);
    const before = op && [0, 1].map((a) => (same ? Math.floor(Math.max(ke(a) - (ke(a) % 2) - op[a], 0) / 2) : 0));
    const out = [n, len(h, 0), len(w, 1), f];
    // An even kernel with 'same' and outputPadding 0 on one row has no output rows: nothing to train on.
    const empty = out.includes(0);
    return {
      op: 'conv2dTranspose', expect: badCfg || wrongInput ? 'error' : 'ok', names: ['conv2dTranspose', 'predict', 'sequential', 'build', 'trainOnBatch'],
      line: `m = sequential({ layers: [layers.conv2dTranspose(${ctx.show(cfg)})], seed: ${seed} }); y = m.predict(${x.name}); ${empty ? '' : `m.compile({ optimizer: 'sgd', loss: 'mse' }); m.trainOnBatch(${x.name}, y); `}m.getWeights(); m.dispose()`,
      run: () => predictAndStep(nr, [nr.layers.conv2dTranspose(cfg)], seed, x, !empty),
      check: ({ out: res, ws, after }) => {
        const z = R.conv2dTranspose(x.ref, ws[0], out, { s, same, d, before });
        const vals = z.vals.map((v, i) => ACTS[act](v + ws[1].vals[i % f]));
        const mag = z.mag.map((v, i) => v + Math.abs(ws[1].vals[i % f]));
        compare('conv2dTranspose predict (a plain-JS transposed convolution)', { shape: res.shape, dataSync: () => res.vals }, { shape: out, vals, mag }, false);
        if (res.vals.every(Number.isFinite) && after.some((w) => w.vals.some((v) => !Number.isFinite(v)))) throw new Mismatch('conv2dTranspose: a training step made a weight non-finite');
      },
    };
  },
};

/**
 * A random depthwiseConv2d or separableConv2d layer (kernel, depth multiplier, strides or
 * dilation, padding), sometimes with a bad option or an input with other channels: predict
 * against the plain-JS depthwise convolution (then the 1×1 pointwise one) plus bias and
 * activation, then one training step that must keep the weights finite.
 */
const depthwiseLayerOp = {
  name: 'depthwiseConv2d',
  gen(ctx) {
    const { rng, nr } = ctx;
    const separable = rng.chance(0.5);
    const kind = separable ? 'separableConv2d' : 'depthwiseConv2d';
    const [h, w, c] = [rng.int(1, 6), rng.int(1, 6), rng.int(1, 4)];
    const n = rng.int(1, 3);
    const k = [rng.int(1, 3), rng.int(1, 3)];
    const m = rng.int(1, 3);
    const dil = rng.chance(0.2);
    const d = dil ? [rng.int(1, 2), rng.int(1, 2)] : [1, 1];
    const s = dil ? [1, 1] : [rng.int(1, 3), rng.int(1, 3)];
    const same = rng.chance(0.5);
    const act = rng.pick(Object.keys(ACTS));
    const f = rng.int(1, 3);
    const cfg = { kernelSize: k, depthMultiplier: m, strides: s, dilationRate: d, padding: same ? 'same' : 'valid', activation: act, inputShape: [h, w, c], biasInitializer: 'randomNormal', ...(separable ? { filters: f } : {}) };
    const fits = (len, a) => same || len >= (k[a] - 1) * d[a] + 1;
    const badCfg = rng.chance(0.1) ? rng.pick([['kernelSize', [0, 2]], ['depthMultiplier', 0], ['depthMultiplier', 1.5], ['padding', 'causal'], ['kernelInitializer', 'zeros'], ['dataFormat', 'channelsFirst'], ...(separable ? [['filters', 0]] : [['filters', 2]])]) : null;
    if (badCfg) cfg[badCfg[0]] = badCfg[1];
    const wrongInput = rng.chance(0.1);
    const x = ctx.fresh([n, h, w, wrongInput ? c + 1 : c]);
    const seed = rng.int(0, 1000);
    const expect = badCfg || wrongInput || !(fits(h, 0) && fits(w, 1)) ? 'error' : 'ok';
    const units = separable ? f : c * m;
    return {
      op: kind, expect, names: [kind, 'predict', 'sequential', 'build', 'trainOnBatch'],
      line: `m = sequential({ layers: [layers.${kind}(${ctx.show(cfg)})], seed: ${seed} }); y = m.predict(${x.name}); m.compile({ optimizer: 'sgd', loss: 'mse' }); m.trainOnBatch(${x.name}, y); m.getWeights(); m.dispose()`,
      run: () => predictAndStep(nr, [nr.layers[kind](cfg)], seed, x),
      check: ({ out, ws, after }) => {
        const opts = { k, s, d, same };
        let z = R.depthwiseConv2d(x.ref, ws[0], separable ? null : ws[1], opts);
        if (separable) {
          const dm = z.mag;
          z = R.conv2d(z, ws[1], ws[2], { k: [1, 1], s: [1, 1], d: [1, 1], same: false });
          // The pointwise sum's magnitude bound, through the depthwise stage's.
          const mag = z.mag.map(() => 0);
          const cm = c * m;
          for (let p = 0; p < mag.length; p++) {
            const [pix, o] = [Math.floor(p / units), p % units];
            let g = Math.abs(ws[2].vals[o]);
            for (let q = 0; q < cm; q++) g += dm[pix * cm + q] * Math.abs(ws[1].vals[q * units + o]);
            mag[p] = g;
          }
          z = { ...z, mag };
        }
        const ref = { ...z, vals: z.vals.map(ACTS[act]) };
        compare(`${kind} predict (a plain-JS depthwise convolution${separable ? ', then the pointwise one' : ''})`, { shape: out.shape, dataSync: () => out.vals }, ref, false);
        if (out.vals.every(Number.isFinite) && after.some((v) => v.vals.some((e) => !Number.isFinite(e)))) throw new Mismatch(`${kind}: a training step made a weight non-finite`);
      },
    };
  },
};

/**
 * A random zeroPadding2d or cropping2d layer (every form of its amounts), sometimes with a bad
 * amount, a crop that leaves nothing or an input with other channels: predict against the
 * index mapping in plain JS.
 */
const borderOp = {
  name: 'border2d',
  gen(ctx) {
    const { rng, nr } = ctx;
    const crop = rng.chance(0.5);
    const [h, w, c] = [rng.int(1, 6), rng.int(1, 6), rng.int(1, 2)];
    const n = rng.int(0, 2);
    const a = [[rng.int(0, 3), rng.int(0, 3)], [rng.int(0, 3), rng.int(0, 3)]];
    const form = rng.pick(['number', 'pair', 'full']);
    const value = form === 'number' ? a[0][0] : form === 'pair' ? [a[0][0], a[1][0]] : a;
    const [[t, b], [l, r]] = form === 'number' ? [[a[0][0], a[0][0]], [a[0][0], a[0][0]]] : form === 'pair' ? [[a[0][0], a[0][0]], [a[1][0], a[1][0]]] : a;
    const bad = rng.chance(0.1) ? rng.pick([-1, 1.5, [1, 2, 3], 'two']) : undefined;
    const key = crop ? 'cropping' : 'padding';
    const cfg = { inputShape: [h, w, c], [key]: bad ?? value };
    const wrongInput = rng.chance(0.1);
    const x = ctx.fresh([n, h, w, wrongInput ? c + 1 : c]);
    const [oh, ow] = crop ? [h - t - b, w - l - r] : [h + t + b, w + l + r];
    const fits = oh > 0 && ow > 0;
    const kind = crop ? 'cropping2d' : 'zeroPadding2d';
    return {
      op: kind, expect: bad !== undefined || wrongInput || !fits ? 'error' : 'ok', names: [kind, 'predict', 'sequential', 'build'],
      line: `m = sequential({ layers: [layers.${kind}(${ctx.show(cfg)})] }); y = m.predict(${x.name}); m.dispose()`,
      run: () => predictOne(nr, nr.layers[kind](cfg), x),
      check: (out) => {
        const shape = [n, oh, ow, c];
        const vals = new Array(n * oh * ow * c).fill(0);
        for (let s = 0; s < n; s++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let k = 0; k < c; k++) {
          const [si, sj] = crop ? [i + t, j + l] : [i - t, j - l];
          if (si >= 0 && si < h && sj >= 0 && sj < w) vals[((s * oh + i) * ow + j) * c + k] = x.ref.vals[((s * h + si) * w + sj) * c + k];
        }
        compare(`${kind} predict (a plain-JS index mapping)`, { shape: out.shape, dataSync: () => out.vals }, { shape, vals }, true);
      },
    };
  },
};

/**
 * A random upSampling2d layer (nearest or bilinear, odd factors), sometimes with a bad size or
 * interpolation or an input with other channels: predict against TF.js's resize formulas in
 * plain JS (bilinear in float64 as TF.js's CPU kernel, so bit for bit).
 */
const upSamplingOp = {
  name: 'upSampling2d',
  gen(ctx) {
    const { rng, nr } = ctx;
    const [h, w, c] = [rng.int(1, 5), rng.int(1, 5), rng.int(1, 2)];
    const n = rng.int(0, 2);
    const size = [rng.int(1, 3), rng.int(1, 3)];
    const interpolation = rng.pick(['nearest', 'bilinear']);
    const bad = rng.chance(0.1) ? rng.pick([['size', [0, 2]], ['size', 1.5], ['interpolation', 'bicubic']]) : null;
    const cfg = { inputShape: [h, w, c], size, interpolation };
    if (bad) cfg[bad[0]] = bad[1];
    const wrongInput = rng.chance(0.1);
    const x = ctx.fresh([n, h, w, wrongInput ? c + 1 : c]);
    return {
      op: 'upSampling2d', expect: bad || wrongInput ? 'error' : 'ok', names: ['upSampling2d', 'predict', 'sequential', 'build'],
      line: `m = sequential({ layers: [layers.upSampling2d(${ctx.show(cfg)})] }); y = m.predict(${x.name}); m.dispose()`,
      run: () => predictOne(nr, nr.layers.upSampling2d(cfg), x),
      check: (out) => {
        const ref = R.resize({ shape: [n, h, w, c], vals: x.ref.vals }, { size: [h * size[0], w * size[1]], bilinear: interpolation === 'bilinear' });
        compare(`upSampling2d ${interpolation} predict (TF.js's resize in plain JS)`, { shape: out.shape, dataSync: () => out.vals }, ref, true);
      },
    };
  },
};

/**
 * A random 1-D shape layer (Keras 3's upSampling1d, zeroPadding1d or cropping1d; every form of
 * its amounts, odd lengths, zero rows), sometimes with a bad amount, a crop that leaves no
 * steps or an input with other channels: predict against the step mapping in plain JS.
 */
const shape1dOp = {
  name: 'shape1d',
  gen(ctx) {
    const { rng, nr } = ctx;
    const kind = rng.pick(['upSampling1d', 'zeroPadding1d', 'cropping1d']);
    const [steps, c] = [rng.int(1, 7), rng.int(1, 3)];
    const n = rng.int(0, 2);
    const [s, e] = [rng.int(0, 3), rng.int(0, 3)];
    const size = rng.int(1, 4);
    const pair = rng.chance(0.5);
    const key = { upSampling1d: 'size', zeroPadding1d: 'padding', cropping1d: 'cropping' }[kind];
    const value = kind === 'upSampling1d' ? size : pair ? [s, e] : s;
    const [start, end] = pair ? [s, e] : [s, s];
    const bad = rng.chance(0.1) ? rng.pick(kind === 'upSampling1d' ? [0, 1.5, [2, 2], 'two'] : [-1, 1.5, [1, 2, 3], 'two']) : undefined;
    const cfg = { inputShape: [steps, c], [key]: bad ?? value };
    const wrongInput = rng.chance(0.1);
    const x = ctx.fresh([n, steps, wrongInput ? c + 1 : c]);
    const m = kind === 'upSampling1d' ? steps * size : kind === 'zeroPadding1d' ? start + steps + end : steps - start - end;
    // Output step t reads input step src(t), or is 0.
    const src = (t) => (kind === 'upSampling1d' ? Math.floor(t / size) : kind === 'cropping1d' ? t + start : t >= start && t < start + steps ? t - start : -1);
    return {
      op: kind, expect: bad !== undefined || wrongInput || m < 1 ? 'error' : 'ok', names: [kind, 'predict', 'sequential', 'build'],
      line: `m = sequential({ layers: [layers.${kind}(${ctx.show(cfg)})] }); y = m.predict(${x.name}); m.dispose()`,
      run: () => predictOne(nr, nr.layers[kind](cfg), x),
      check: (out) => {
        const vals = new Array(n * m * c).fill(0);
        for (let b = 0; b < n; b++) for (let t = 0; t < m; t++) for (let k = 0; k < c; k++) {
          if (src(t) >= 0) vals[(b * m + t) * c + k] = x.ref.vals[(b * steps + src(t)) * c + k];
        }
        compare(`${kind} predict (a plain-JS step mapping)`, { shape: out.shape, dataSync: () => out.vals }, { shape: [n, m, c], vals }, true);
      },
    };
  },
};

/**
 * A random embedding (odd sizes, index tensors of rank 1 to 3, repeats, the first and last
 * row), sometimes with an index out of range, fractional or NaN, or a bad inputDim: predict
 * against the table looked up in plain JS (bit for bit), and the error's position and value.
 */
const embeddingOp = {
  name: 'embedding',
  gen(ctx) {
    const { rng, nr } = ctx;
    const [inputDim, outputDim] = [rng.int(1, 9), rng.int(1, 5)];
    const shape = [rng.int(0, 3), ...Array.from({ length: rng.int(0, 2) }, () => rng.int(1, 4))];
    const size = shape.reduce((a, b) => a * b, 1);
    const idx = Array.from({ length: size }, () => rng.int(0, inputDim - 1));
    if (size > 1) [idx[0], idx[size - 1]] = [0, inputDim - 1];
    const badAt = size > 0 && rng.chance(0.15) ? rng.int(0, size - 1) : -1;
    if (badAt >= 0) idx[badAt] = rng.pick([inputDim, -1, 0.5, NaN, 1e9]);
    const badDim = rng.chance(0.05);
    const cfg = { inputShape: shape.slice(1), inputDim: badDim ? rng.pick([0, 2.5, -3]) : inputDim, outputDim };
    const seed = rng.int(0, 99);
    return {
      op: 'embedding', expect: badAt >= 0 || badDim ? 'error' : 'ok', names: ['embedding', 'predict', 'sequential', 'build'],
      line: `m = sequential({ layers: [layers.embedding(${ctx.show(cfg)})] }); y = m.predict(tensor(${ctx.show(idx)}, ${ctx.show(shape)})); m.dispose()`,
      run: () => {
        const m = nr.sequential({ seed, layers: [nr.layers.embedding(cfg)] });
        try {
          return nr.tidy(() => {
            const y = m.predict(nr.tensor(idx, shape));
            return { shape: y.shape.slice(), vals: y.dataSync().slice(), table: m.getWeights()[0].dataSync().slice() };
          });
        } finally {
          m.dispose();
        }
      },
      check: (out) => {
        const vals = idx.flatMap((i) => Array.from(out.table.slice(i * outputDim, (i + 1) * outputDim)));
        compare('embedding predict (the table looked up in plain JS)', { shape: out.shape, dataSync: () => out.vals }, { shape: [...shape, outputDim], vals }, true);
      },
    };
  },
};

/**
 * A random normalization (Keras 3's): per-sample rank 1 or 2, odd sizes, an axis the rank
 * allows (-1, null, a list) or a bad one (the batch axis, out of range), adapted on data at a
 * random offset (up to 1e6) with sometimes a constant feature or a NaN; predict against
 * Keras's formula on float64 statistics in plain JS, and the errors.
 */
const normalizationOp = {
  name: 'normalization',
  gen(ctx) {
    const { rng, nr } = ctx;
    const sample = Array.from({ length: rng.int(1, 2) }, () => rng.int(1, 4));
    const rank = sample.length;
    const n = rng.int(1, 6);
    const axes = rank === 1 ? [-1, [1], null] : [-1, 1, [1, 2], [-2, -1], null, 2];
    const badAxis = rng.chance(0.08) ? rng.pick([0, rank + 1, -(rank + 2)]) : undefined;
    const axis = badAxis ?? rng.pick(axes);
    const offset = rng.pick([0, 5, -300, 1e6]);
    const scale = rng.pick([1, 1e-3, 50]);
    const size = n * sample.reduce((a, b) => a * b, 1);
    const vals = Array.from({ length: size }, () => Math.fround(offset + scale * rng.uniform(-1, 1)));
    if (rng.chance(0.2)) for (let i = 0; i < size; i += sample.at(-1)) vals[i] = 3; // a constant feature (with axis -1)
    const nan = rng.chance(0.08);
    if (nan) vals[rng.int(0, size - 1)] = NaN;
    const shape = [n, ...sample];
    const test = Array.from({ length: size }, () => Math.fround(offset + scale * rng.uniform(-2, 2)));
    const cfg = { inputShape: sample, axis };
    return {
      op: 'normalization', expect: badAxis !== undefined || nan ? 'error' : 'ok', names: ['normalization', 'adapt', 'predict', 'sequential', 'build'],
      line: `l = layers.normalization(${ctx.show(cfg)}); l.adapt(tensor(${ctx.show(vals)}, ${ctx.show(shape)})); m = sequential({ layers: [l] }); y = m.predict(tensor(${ctx.show(test)}, ${ctx.show(shape)})); m.dispose()`,
      run: () => {
        const l = nr.layers.normalization(cfg);
        nr.tidy(() => l.adapt(nr.tensor(vals, shape)));
        const m = nr.sequential({ layers: [l] });
        try {
          return nr.tidy(() => {
            const y = m.predict(nr.tensor(test, shape));
            return { shape: y.shape.slice(), vals: y.dataSync().slice() };
          });
        } finally {
          m.dispose();
        }
      },
      check: (out) => {
        // The kept axes of [n, ...sample] (Keras's numbering), each value's statistic, float64 moments.
        const ndim = rank + 1;
        const keep = axis === null ? [] : [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + ndim : a)))].sort();
        const strides = shape.map(() => 0);
        let k = 1;
        for (let j = keep.length - 1; j >= 0; j--) {
          strides[keep[j]] = k;
          k *= shape[keep[j]];
        }
        const stat = (i) => {
          let s = 0;
          for (let a = shape.length - 1, r = i; a >= 0; a--) {
            s += (r % shape[a]) * strides[a];
            r = Math.floor(r / shape[a]);
          }
          return s;
        };
        const sum = new Float64Array(k);
        const cnt = new Float64Array(k);
        vals.forEach((v, i) => { sum[stat(i)] += v; cnt[stat(i)]++; });
        const mean = Array.from(sum, (v, j) => v / cnt[j]);
        const m2 = new Float64Array(k);
        vals.forEach((v, i) => { m2[stat(i)] += (v - mean[stat(i)]) ** 2; });
        const f = Math.fround;
        const sd = (j) => f(Math.max(f(Math.sqrt(f(m2[j] / cnt[j]))), f(1e-7)));
        const ref = test.map((v, i) => f(f(v - f(mean[stat(i)])) / sd(stat(i))));
        // A mean rounded to float32 one ulp apart (two float64 sums' last bits) moves an output
        // by |mean|·6e-8/σ: the tolerance allows 16 such ulps.
        const mag = test.map((_, i) => (Math.abs(mean[stat(i)]) / sd(stat(i))) * 1e-2);
        compare('normalization predict (Keras 3\'s formula on float64 statistics, in plain JS)', { shape: out.shape, dataSync: () => out.vals }, { shape, vals: ref, mag }, false);
      },
    };
  },
};

/**
 * A random masking layer (TF.js's and Keras 3's Masking) on [n, ...sample] (n from 0, per-sample
 * rank 1 or 2, odd sizes), values drawn from a few that include maskValue so that whole rows,
 * and single features of kept rows, equal it; sometimes maskValue NaN (an error): predict
 * against the rule in plain JS (bit for bit: a row whose features all equal maskValue is +0),
 * and evaluate's masked mean squared error against zeros (the mean over the rows that count; 0
 * when none does).
 */
const maskingOp = {
  name: 'masking',
  gen(ctx) {
    const { rng, nr } = ctx;
    const sample = Array.from({ length: rng.int(1, 2) }, () => rng.int(1, 4));
    const n = rng.int(0, 4);
    const mv = rng.pick([0, -1, 2.5, 1e30]);
    const bad = rng.chance(0.08);
    const cfg = { inputShape: sample, maskValue: bad ? NaN : mv };
    const c = sample.at(-1);
    const shape = [n, ...sample];
    const size = shape.reduce((a, b) => a * b, 1);
    const vals = Array.from({ length: size }, () => rng.pick([mv, mv, 0, 1.5, -3, mv + 1]));
    for (let i = 0; i + c <= size; i += c) if (rng.chance(0.3)) vals.fill(mv, i, i + c);
    return {
      op: 'masking', expect: bad ? 'error' : 'ok', names: ['masking', 'predict', 'evaluate', 'sequential', 'build'],
      line: `m = sequential({ layers: [layers.masking(${ctx.show(cfg)})] }); m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' }); x = tensor(${ctx.show(vals)}, ${ctx.show(shape)}); y = m.predict(x); m.evaluate(x, zerosLike(x)); m.dispose()`,
      run: () => {
        const m = nr.sequential({ layers: [nr.layers.masking(cfg)] });
        try {
          m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
          return nr.tidy(() => {
            const x = nr.tensor(vals, shape);
            const y = m.predict(x);
            // (1e30's squares overflow float32: that value is for predict.)
            const loss = n === 0 || mv === 1e30 ? 0 : m.evaluate(x, nr.zerosLike(x), { returnDict: true }).loss;
            return { shape: y.shape.slice(), vals: y.dataSync().slice(), loss };
          });
        } finally {
          m.dispose();
        }
      },
      check: (out) => {
        const rows = [];
        for (let i = 0; i < size; i += c) rows.push(vals.slice(i, i + c));
        const keep = rows.map((r) => r.some((v) => Math.fround(v) !== Math.fround(mv)));
        const ref = rows.flatMap((r, i) => (keep[i] ? r : r.map(() => 0)));
        compare('masking predict (a row of maskValue is 0, in plain JS)', { shape: out.shape, dataSync: () => out.vals }, { shape, vals: ref }, true);
        const per = rows.map((r) => r.reduce((a, v) => a + Math.fround(v) ** 2, 0) / c).filter((_, i) => keep[i]);
        const want = per.length === 0 ? 0 : per.reduce((a, b) => a + b, 0) / per.length;
        if (n > 0 && mv !== 1e30 && !(Math.abs(out.loss - want) <= 1e-5 * Math.abs(want) + 1e-6)) throw new Mismatch(`masking evaluate: loss ${out.loss}, the masked mean in plain JS ${want}`);
      },
    };
  },
};

export default {
  name: 'models',
  weight: 2,
  ops: [newModel, compileOp, fitOp, predictOp, applyOp, gradPredictOp, evaluateOp, weightsOp, layerWeightsOp, disposeModel, nestedOp, initOp, rbfOp, trainStep, convOp, convTransposeOp, depthwiseLayerOp, borderOp, upSamplingOp, shape1dOp, graphOp, conv1dOp, conv1dTransposeOp, embeddingOp, normalizationOp, maskingOp, maskedModelOp],
};

