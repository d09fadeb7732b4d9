// The browser side of test/stress/soak-browser.mjs: one "nightly retrain" cycle of
// test/stress/soak.mjs on synthetic MNIST-shaped data (the page cannot read the `mnist`
// package), saved and loaded through indexeddb:// and the in-memory handlers instead of file://.
import * as nr from '../../dist/index.js';

/** mulberry32, as examples/data/mnist.mjs. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRAIN = 2048;

/** Digit-like data: each class a fixed random blob pattern, plus noise, values in [0, 1]. */
function data(seed, n) {
  const proto = rng(7);
  const protos = Array.from({ length: 10 }, () => Float32Array.from({ length: 784 }, () => (proto() < 0.2 ? 1 : 0)));
  const rand = rng(seed);
  const x = new Float32Array(n * 784);
  const y = new Float32Array(n * 10);
  for (let r = 0; r < n; r++) {
    const k = Math.floor(rand() * 10);
    for (let j = 0; j < 784; j++) x[r * 784 + j] = Math.min(1, Math.max(0, protos[k][j] + (rand() - 0.5) * 0.6));
    y[r * 10 + k] = 1;
  }
  return { x, y };
}

async function saveAndLoad(model, tag) {
  const url = `indexeddb://soak-${tag}`;
  await model.save(url);
  let saved = null;
  await model.save(nr.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const arts = await model.toArtifacts();
  return [await nr.loadModel(url), await nr.loadModel(nr.io.fromMemory(saved)), await nr.loadModel(arts)];
}

async function cycle(c) {
  const d = data(1000 + c, TRAIN);
  const t = data(1, 500);
  const x = nr.tensor(d.x, [TRAIN, 784]);
  const y = nr.tensor(d.y, [TRAIN, 10]);
  const xt = nr.tensor(t.x, [500, 784]);
  const yt = nr.tensor(t.y, [500, 10]);
  const hidden = 64 + 32 * (c % 5);
  const mlp = nr.sequential({ seed: c, layers: [
    nr.layers.dense({ inputShape: [784], units: hidden, activation: 'relu' }),
    nr.layers.dropout({ rate: 0.1 }),
    nr.layers.dense({ units: 64, activation: 'relu' }),
    nr.layers.dense({ units: 10, activation: 'softmax' }) ] });
  mlp.compile({ optimizer: nr.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await mlp.fit(x, y, { epochs: 2, batchSize: 64, validationSplit: 0.1, verbose: 0,
    callbacks: [nr.callbacks.earlyStopping({ monitor: 'val_loss', patience: 2 })] });
  const loaded = await saveAndLoad(mlp, 'mlp');
  let acc = 0;
  for (const m of loaded) acc = nr.tidy(() => m.predict(xt).argMax(-1).equal(yt.argMax(-1)).mean().dataSync()[0]);
  const code = 16 + 8 * (c % 3);
  const ae = nr.autoencoder({
    encoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [784], units: code, activation: 'relu' })] }),
    decoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [code], units: 784, activation: 'sigmoid' })] }),
  });
  ae.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  await ae.fit(x, { epochs: 1, batchSize: 128, verbose: 0 });
  const aeLoaded = await saveAndLoad(ae, 'ae');
  for (const m of aeLoaded) nr.tidy(() => m.reconstruct(xt).mean().dataSync());
  for (const o of [x, y, xt, yt, mlp, ...loaded, ae, ae.encoder, ae.decoder, ...aeLoaded]) o.dispose();
  const m = nr.memory();
  return { acc, wasmBytes: m.wasmBytes, numTensors: m.numTensors, numModels: m.numModels, numHandles: m.numHandles, numLeaked: m.numLeaked, threads: m.threads };
}

globalThis.soak = {
  async init(threads) {
    await nr.init({ threads });
    await nr.threadsReady?.();
    return nr.threads();
  },
  cycle,
};
globalThis.soakReady = true;
