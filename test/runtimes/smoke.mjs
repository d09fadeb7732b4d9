// The one smoke script every runtime runs against the BUILT bundles (Node, Deno, Chromium).
// Plain ESM with no dependencies: it must load unchanged in a browser and in Deno.
//
// `smoke(nr, env)` returns a JSON-able report; test/runtimes/expect.ts checks it. It never
// throws: a failure is recorded as `error` (with the step that failed) so the test can print it.
//
//   env = { runtime, entry, sources?: { bytes?, url?, module?, response? }, saveTarget? }
//   each source is an async function returning what init() should receive.

/** Hex of the Uint32 view of a Float32Array: the exact bits, 8 hex digits per value. */
export function hexBits(f32) {
  return Array.from(new Uint32Array(f32.buffer, f32.byteOffset, f32.length), (u) => u.toString(16).padStart(8, '0')).join('');
}

/**
 * Trains a small seeded MLP (dense + dropout + softmax, Adam, shuffled batches) and returns the
 * bits of every weight afterwards: the same seed must give the same bits in every runtime.
 */
export async function seededTraining(nr) {
  const x = nr.randomUniform([64, 8], { seed: 1 });
  const u = nr.randomUniform([64], { seed: 2 });
  const labels = nr.floor(nr.mul(u, 3));
  const y = nr.oneHot(labels, 3);
  const model = nr.sequential({
    seed: 7,
    layers: [
      nr.layers.dense({ inputShape: [8], units: 16, activation: 'relu' }),
      nr.layers.dropout({ rate: 0.25 }),
      nr.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
  const h = await model.fit(x, y, { epochs: 3, batchSize: 16, seed: 5, verbose: 0 });
  const ws = model.getWeights();
  const hex = ws.map((w) => hexBits(w.data())).join('');
  for (const t of [x, u, labels, y, ...ws]) t.dispose();
  model.dispose();
  return { hex, loss: h.history.loss.at(-1) };
}

/**
 * Resume: the run of `seededTraining` stopped after 2 of its 3 epochs, saved with its optimizer
 * (`model.save(target, { includeOptimizer: true })`) and loaded (`loadModel(target)`), then
 * `fit({ epochs: 3, initialEpoch: 2 })`. `target` is a URL (`indexeddb://…` in Chromium,
 * `file://…` in Deno with write permission) or, by default, an in-memory handler object.
 * Returns the bits of the exported state (`stateHex`: JSON of the numbers, then the slot
 * tensors), of the final weights (`hex`, which must equal `seededTraining`'s) and the scheme
 * used (`via`).
 */
export async function seededResume(nr, target) {
  const x = nr.randomUniform([64, 8], { seed: 1 });
  const u = nr.randomUniform([64], { seed: 2 });
  const labels = nr.floor(nr.mul(u, 3));
  const y = nr.oneHot(labels, 3);
  const make = (seed, optimizer = nr.optimizers.adam({ learningRate: 0.01 })) => {
    const m = nr.sequential({
      seed,
      layers: [
        nr.layers.dense({ inputShape: [8], units: 16, activation: 'relu' }),
        nr.layers.dropout({ rate: 0.25 }),
        nr.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    m.compile({ optimizer, loss: 'categoricalCrossentropy' });
    return m;
  };
  const first = make(7);
  await first.fit(x, y, { epochs: 2, batchSize: 16, seed: 5, verbose: 0 });
  const { tensors, ...numbers } = nr.exportTrainingState(first);
  const json = JSON.stringify(numbers);
  const stateHex = hexBits(new Float32Array(Array.from(json, (c) => c.charCodeAt(0)))) + tensors.map((t) => hexBits(t.data)).join('');
  let saved = null;
  const memory = { save: async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }), load: async () => saved };
  await first.save(target ?? memory, { includeOptimizer: true });
  first.dispose();
  const fresh = await nr.loadModel(target ?? memory);
  await fresh.fit(x, y, { epochs: 3, initialEpoch: 2, batchSize: 16, seed: 5, verbose: 0 });
  const ws = fresh.getWeights();
  const hex = ws.map((w) => hexBits(w.data())).join('');
  for (const t of ws) t.dispose();
  fresh.dispose();
  // Every optimizer kind, each with a learning-rate schedule: 3 epochs at once against 2, a
  // save with the optimizer, a load and the third epoch. Names whose bits differ are listed.
  const schedule = () => nr.schedules.stepDecay({ initialLearningRate: 0.02, drop: 0.5, every: 5, warmupSteps: 2 });
  const optimizers = {
    sgdMomentum: () => nr.optimizers.sgd({ learningRate: schedule(), momentum: 0.9, nesterov: true }),
    adamAmsgrad: () => nr.optimizers.adam({ learningRate: schedule(), amsgrad: true }),
    adamw: () => nr.optimizers.adamw({ learningRate: schedule(), weightDecay: 0.01 }),
    rmspropCentered: () => nr.optimizers.rmsprop({ learningRate: schedule(), momentum: 0.5, centered: true }),
    adagrad: () => nr.optimizers.adagrad({ learningRate: schedule() }),
  };
  const mismatches = [];
  for (const [name, opt] of Object.entries(optimizers)) {
    const build = () => make(7, opt());
    const whole = build();
    await whole.fit(x, y, { epochs: 3, batchSize: 16, seed: 5, verbose: 0 });
    const part = build();
    await part.fit(x, y, { epochs: 2, batchSize: 16, seed: 5, verbose: 0 });
    await part.save(target ?? memory, { includeOptimizer: true });
    const back = await nr.loadModel(target ?? memory);
    await back.fit(x, y, { epochs: 3, initialEpoch: 2, batchSize: 16, seed: 5, verbose: 0 });
    const [a, b] = [whole, back].map((m) => {
      const w = m.getWeights();
      const h = w.map((t) => hexBits(t.data())).join('');
      for (const t of w) t.dispose();
      return h;
    });
    if (a !== b) mismatches.push(name);
    for (const m of [whole, part, back]) m.dispose();
  }
  for (const t of [x, u, labels, y]) t.dispose();
  return { hex, stateHex, mismatches, via: typeof target === 'string' ? target.slice(0, target.indexOf('://')) : 'memory' };
}

/**
 * Trains a small seeded autoencoder with every autoencoder building block (saltAndPepper
 * noise, a klSparsity code, a variational layer, BCE summed over features) and returns the
 * bits of its weights and last losses: the same in every runtime.
 */
export async function seededAutoencoder(nr) {
  const x = nr.randomUniform([32, 12], { seed: 3 });
  const model = nr.sequential({
    seed: 11,
    layers: [
      nr.layers.saltAndPepper({ inputShape: [12], rate: 0.2 }),
      nr.layers.dense({ units: 6, activation: 'sigmoid', activityRegularizer: nr.regularizers.klSparsity({ target: 0.1, weight: 0.5 }) }),
      nr.layers.variational({ units: 2 }),
      nr.layers.dense({ units: 12, activation: 'sigmoid' }),
    ],
  });
  model.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.01 }), loss: { name: 'binaryCrossentropy', reduction: 'sumOverFeatures' } });
  const h = await model.fit(x, x, { epochs: 2, batchSize: 8, seed: 1, verbose: 0 });
  const ws = model.getWeights();
  const hex = ws.map((w) => hexBits(w.data())).join('') + hexBits(Float32Array.of(h.history.loss.at(-1), h.history.kl.at(-1), h.history.regularization.at(-1)));
  for (const t of [x, ...ws]) t.dispose();
  model.dispose();
  return hex;
}

/**
 * A seeded graph model with two inputs, two outputs and one encoder applied to both inputs
 * (a siamese pair), trained with a loss per output and loss weights: its weights, the last
 * epoch's losses and its predictions, as hex.
 */
export async function seededGraph(nr) {
  const a = nr.input({ shape: [6] });
  const b = nr.input({ shape: [6] });
  const encoder = nr.layers.dense({ units: 5, activation: 'tanh' });
  const [ea, eb] = [encoder.apply(a), encoder.apply(b)];
  const same = nr.layers.dense({ units: 1, activation: 'sigmoid' }).apply(nr.layers.multiply().apply([ea, eb]));
  const kind = nr.layers.dense({ units: 3, activation: 'softmax' }).apply(nr.layers.concatenate().apply([ea, eb]));
  const model = nr.model({ inputs: [a, b], outputs: [same, kind], seed: 13 });
  model.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.02 }), loss: ['binaryCrossentropy', 'sparseCategoricalCrossentropy'], lossWeights: [1, 0.5] });
  const xs = [nr.randomUniform([32, 6], { seed: 5 }), nr.randomUniform([32, 6], { seed: 6 })];
  const u = nr.randomUniform([32, 1], { seed: 7 });
  const ys = [nr.round(u), nr.floor(nr.mul(u, 3))];
  const h = await model.fit(xs, ys, { epochs: 3, batchSize: 8, seed: 2, verbose: 0 });
  const ws = model.getWeights();
  const out = model.predict(xs);
  const hex = ws.map((w) => hexBits(w.data())).join('') + hexBits(Float32Array.of(h.history.loss.at(-1), h.history[`${model.outputs[1].sourceLayer.name}_loss`].at(-1))) + out.map((t) => hexBits(t.data())).join('');
  for (const t of [...xs, u, ...ys, ...ws, ...out]) t.dispose();
  model.dispose();
  return hex;
}

/**
 * Models made without a seed after `setSeed(11)`: three sequential models with dropout (their
 * seeds drawn from the global generator when made), one trained on shuffled batches, and an
 * unseeded shuffle. Returns the hex of the seeds, every weight and the order, which must be
 * the same in every runtime; `distinct` is how many different first kernels the three had.
 * Restores the global generator to seed 0 afterwards.
 */
export async function unseededModels(nr) {
  nr.setSeed(11);
  const make = () => nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 6, activation: 'relu' }), nr.layers.dropout({ rate: 0.3 }), nr.layers.dense({ units: 2 })] });
  const models = [make(), make(), make()];
  const x = nr.randomUniform([20, 4], { seed: 1 });
  const y = nr.randomUniform([20, 2], { seed: 2 });
  models[2].compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  await models[2].fit(x, y, { epochs: 2, batchSize: 5, verbose: 0 });
  const order = await nr.data.array([0, 1, 2, 3, 4, 5, 6, 7]).shuffle(8).toArray();
  const ws = models.flatMap((m) => m.getWeights());
  const kernels = new Set(models.map((m, i) => hexBits(ws[i * 4].data())));
  const seeds = models.map((m) => m.seed.toString(16)).join(',');
  // Initializers with their own seeds (an integer above 2^32 and a fraction, as float64 bits):
  // the weights come from those seeds alone, the same bits in every runtime.
  const own = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 5, kernelInitializer: nr.initializers.heNormal({ seed: 2 ** 40 + 3 }), biasInitializer: nr.initializers.randomUniform({ seed: 0.5 }) })] });
  const ownWs = own.getWeights();
  const hex = `${seeds};${order.join(',')};${ws.map((w) => hexBits(w.data())).join('')};${ownWs.map((w) => hexBits(w.data())).join('')}`;
  for (const t of [x, y, ...ws, ...ownWs]) t.dispose();
  for (const m of [...models, own]) m.dispose();
  nr.setSeed(0);
  return { hex, distinct: kernels.size };
}

/** Runs `f` and returns `{ name, code, message }` of what it throws (or `null`). */
function caught(f) {
  try {
    f();
    return null;
  } catch (e) {
    return { name: e?.name, code: e?.code, message: e?.message };
  }
}

/**
 * browser.fromPixels / toPixels: RGBA bytes in every runtime; where a 2-D canvas exists, the
 * bytes drawn on a canvas by toPixels and read back by fromPixels from the canvas and from an
 * ImageBitmap of it. Counts the values that differ from the bytes (opaque, so that the canvas
 * keeps them exactly). In a page, the errors for an <img> without pixels.
 */
async function pixelsRoundTrip(nr) {
  const [w, h] = [5, 3];
  const data = Uint8ClampedArray.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 37 + 11) % 256));
  const diff = (values, channels) => {
    let n = 0;
    for (let p = 0; p < w * h; p++) for (let c = 0; c < channels; c++) if (values[p * channels + c] !== data[p * 4 + c]) n++;
    return n;
  };
  const x = nr.browser.fromPixels({ data, width: w, height: h }, 4);
  // A canvas with a 2-D context (Deno has OffscreenCanvas without one).
  const canvas = typeof document !== 'undefined' ? document.createElement('canvas') : typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : null;
  const out = { bytes: diff(x.data(), 4), canvas: canvas?.getContext('2d') != null };
  if (out.canvas) {
    const unit = x.div(255);
    out.toPixels = diff(await nr.browser.toPixels(unit, canvas), 4);
    unit.dispose();
    const back = nr.browser.fromPixels(canvas, 4);
    out.fromCanvas = diff(back.data(), 4);
    back.dispose();
    if (typeof createImageBitmap === 'function') {
      const bmp = nr.browser.fromPixels(await createImageBitmap(canvas), 3);
      out.fromImageBitmap = diff(bmp.data(), 3);
      bmp.dispose();
    }
  }
  if (typeof document !== 'undefined') {
    // An <img> without pixels (no src, or one that failed to load) is an error, as TF.js's.
    const broken = document.createElement('img');
    const failed = new Promise((resolve) => { broken.onerror = resolve; });
    broken.src = 'data:image/png;base64,AAAA';
    await failed;
    out.images = [document.createElement('img'), broken].map((img) => {
      try { nr.browser.fromPixels(img).dispose(); return 'no error'; } catch (e) { return `${e.name}: ${e.message}`; }
    });
  }
  x.dispose();
  return out;
}

export async function smoke(nr, env) {
  const report = { runtime: env.runtime, entry: env.entry, steps: [] };
  const step = (name) => report.steps.push(name);
  try {
    step('init');
    const t0 = performance.now();
    await nr.init();
    report.initMs = Math.round((performance.now() - t0) * 10) / 10;
    const before = nr.memory().numTensors;

    step('ops');
    const a = nr.tensor([[1, 2], [3, 4]]);
    const b = nr.tensor([[5, 6], [7, 8]]);
    const row = nr.tensor([10, 20]);
    const c = nr.matMul(a, b);
    const d = nr.add(a, row); // [2,2] + [2] broadcasts over rows
    const s = nr.sum(c);
    const s1 = nr.sum(d, 1);
    report.matMul = c.array();
    report.broadcastAdd = d.array();
    report.sum = s.item();
    report.sumAxis1 = Array.from(s1.data());
    report.tidy = nr.tidy(() => a.mul(2).add(1).sum().item());
    report.liveDuring = nr.memory().numTensors - before;

    step('errors');
    const wide = nr.tensor([[1, 2, 3]]);
    report.shapeError = caught(() => nr.matMul(a, wide));
    report.shapeErrorIsShapeError = report.shapeError !== null && (() => {
      try { nr.matMul(a, wide); } catch (e) { return e instanceof nr.ShapeError && e instanceof nr.NeuriteError; }
      return false;
    })();
    const gone = nr.tensor([1, 2, 3]);
    gone.dispose();
    report.disposedError = caught(() => gone.add(1));
    report.disposedErrorIsDisposedError = (() => {
      try { nr.sum(gone); } catch (e) { return e instanceof nr.DisposedError; }
      return false;
    })();
    for (const t of [a, b, row, c, d, s, s1, wide]) t.dispose();
    report.liveAfter = nr.memory().numTensors - before;

    step('random');
    const r = nr.randomNormal([64], { seed: 42 });
    report.randomHex = hexBits(r.data());
    r.dispose();

    step('train');
    const trained = await seededTraining(nr);
    report.trainHex = trained.hex;
    report.trainLoss = trained.loss;
    step('autoencoder');
    report.autoencoderHex = await seededAutoencoder(nr);
    step('graph');
    report.graphHex = await seededGraph(nr);
    step('unseeded');
    const unseeded = await unseededModels(nr);
    report.unseededHex = unseeded.hex;
    report.unseededDistinct = unseeded.distinct;
    step('resume');
    const resumed = await seededResume(nr, env.saveTarget);
    report.resumeHex = resumed.hex;
    report.resumeStateHex = resumed.stateHex;
    report.resumeVia = resumed.via;
    report.resumeMismatches = resumed.mismatches;

    step('pixels');
    report.pixels = await pixelsRoundTrip(nr);

    step('sources');
    report.sources = {};
    for (const [name, get] of Object.entries(env.sources ?? {})) {
      step(`init(${name})`);
      const old = nr.tensor([1]);
      await nr.init(await get());
      const t = nr.tensor([1, 2, 3]);
      const sum = nr.sum(t);
      const r2 = nr.randomNormal([64], { seed: 42 });
      report.sources[name] = {
        sum: sum.item(),
        randomHex: hexBits(r2.data()),
        staleTensor: caught(() => old.add(1))?.name ?? null,
        live: nr.memory().numTensors - 3,
      };
      for (const x of [t, sum, r2]) x.dispose();
    }
    step('done');
  } catch (e) {
    report.error = `${e?.name}: ${e?.message}\n${e?.stack ?? ''}`;
  }
  return report;
}
