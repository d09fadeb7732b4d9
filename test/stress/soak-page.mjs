// The browser side of test/stress/soak-browser.mjs: one "nightly retrain" cycle of
// test/stress/soak.mjs on synthetic MNIST-shaped data (the page cannot read the `mnist`
// package), saved and loaded through indexeddb:// and the in-memory handlers instead of file://.
import * as nr from '../../dist/index.js';
import { retrain, saveAndLoadVia } from './soak-cycle.mjs';
import { mulberry32 as rng } from '../../examples/data/rng.mjs';

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

async function cycle(c) {
  const d = data(1000 + c, TRAIN);
  const t = data(1, 500);
  const x = nr.tensor(d.x, [TRAIN, 784]);
  const y = nr.tensor(d.y, [TRAIN, 10]);
  const xt = nr.tensor(t.x, [500, 784]);
  const labels = nr.tidy(() => nr.tensor(t.y, [500, 10]).argMax(-1));
  const { acc } = await retrain(nr, c, { x, y, xt, labels }, (model, tag) => saveAndLoadVia(nr, `indexeddb://soak-${tag}`, model));
  for (const o of [x, y, xt, labels]) o.dispose();
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
