// Training a graph model (the functional API) in neurite and TF.js `wasm` (SIMD), in the same
// process, on the same real MNIST digits: a siamese pair — one encoder (784 → 128 → 32) applied
// to both digits of a pair, the product of the codes, a sigmoid head ("same number?") — plus a
// second output, the first digit's class from its code (softmax), so the step has two inputs,
// two outputs and a layer used twice.
//
// Pairs/s of one `fit` epoch (shuffled batches of 64, each library's own loop), the median of
// several epochs after a warm-up epoch; neurite on one thread. TF.js computes the same model
// (the same layers, losses and Adam 1e-3).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../dist/index.js';
import { loadMnist, mulberry32 } from '../examples/data/mnist.mjs';
import { initTfWasm } from './tfjs.mjs';
import { timeEpochs } from './lib.mjs';

/** The model in either library (`L` is neurite or TF.js Layers: the functional API is spelled the same). */
function pairModel(L, seed) {
  const a = L.input({ shape: [784] });
  const b = L.input({ shape: [784] });
  const d1 = L.layers.dense({ units: 128, activation: 'relu' });
  const d2 = L.layers.dense({ units: 32 });
  const [ea, eb] = [d2.apply(d1.apply(a)), d2.apply(d1.apply(b))];
  const same = L.layers.dense({ units: 1, activation: 'sigmoid', name: 'same' }).apply(L.layers.multiply().apply([ea, eb]));
  const kind = L.layers.dense({ units: 10, activation: 'softmax', name: 'kind' }).apply(ea);
  const args = { inputs: [a, b], outputs: [same, kind] };
  const m = L === nr ? nr.model({ ...args, seed }) : tfl.model(args);
  const opt = L === nr ? nr.optimizers.adam({ learningRate: 1e-3 }) : tf.train.adam(1e-3);
  m.compile({ optimizer: opt, loss: ['binaryCrossentropy', 'sparseCategoricalCrossentropy'] });
  return m;
}

/** `n` pairs of digits (half the same class) with the labels of both outputs. */
function pairs(set, n, seed) {
  const rand = mulberry32(seed);
  const a = new Float32Array(n * 784), b = new Float32Array(n * 784), same = new Float32Array(n), kind = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const i = Math.floor(rand() * set.n);
    let j = Math.floor(rand() * set.n);
    if (p % 2 === 0) while (set.ids[j] !== set.ids[i]) j = Math.floor(rand() * set.n);
    a.set(set.x.subarray(i * 784, (i + 1) * 784), p * 784);
    b.set(set.x.subarray(j * 784, (j + 1) * 784), p * 784);
    same[p] = set.ids[i] === set.ids[j] ? 1 : 0;
    kind[p] = set.ids[i];
  }
  return { a, b, same, kind };
}

export async function run(ctx) {
  await nr.init({ threads: 1 });
  const tfWasm = await initTfWasm();
  const { train } = loadMnist({ trainSize: 8000, seed: 1 });
  const N = ctx.quick ? 1024 : 4096;
  const reps = ctx.quick ? 2 : 5;
  const batchSize = 64;
  const d = pairs(train, N, 3);
  const res = {};
  ctx.log(`graph model training (two inputs, two outputs, a shared encoder), batch ${batchSize} …`);
  {
    const xs = [nr.tensor(d.a, [N, 784]), nr.tensor(d.b, [N, 784])];
    const ys = [nr.tensor(d.same, [N, 1]), nr.tensor(d.kind, [N, 1])];
    const m = pairModel(nr, 1);
    res.neurite = await timeEpochs(async () => (await m.fit(xs, ys, { epochs: 1, batchSize, verbose: 0 }), N), reps);
    m.dispose();
    nr.dispose([...xs, ...ys]);
  }
  {
    await tf.setBackend('wasm');
    const xs = [tf.tensor2d(d.a, [N, 784]), tf.tensor2d(d.b, [N, 784])];
    const ys = [tf.tensor2d(d.same, [N, 1]), tf.tensor2d(d.kind, [N, 1])];
    const m = pairModel(tfl, 1);
    res['tfjs-wasm'] = await timeEpochs(async () => (await m.fit(xs, ys, { epochs: 1, batchSize, verbose: 0, shuffle: true }), N), reps);
    m.dispose();
    tf.dispose([...xs, ...ys]);
  }
  const cell = (r) => `${Math.round(r.median).toLocaleString('en-US')} (${Math.round(r.min).toLocaleString('en-US')}–${Math.round(r.max).toLocaleString('en-US')})`;
  return {
    tables: [
      {
        title: 'A graph model (two inputs, two outputs, one encoder applied to both inputs): training pairs/s (median, min–max)',
        columns: ['case', 'neurite', 'TF.js wasm', 'neurite ÷ wasm'],
        rows: [[`train, batch ${batchSize}`, cell(res.neurite), cell(res['tfjs-wasm']), `**${(res.neurite.median / res['tfjs-wasm'].median).toFixed(1)}×**`]],
        notes: [
          `one \`fit\` epoch over ${N} pairs of real MNIST digits; encoder 784-128-32 on both digits, ea·eb → sigmoid, and ea → softmax over 10 classes; binary + sparse categorical cross-entropy, Adam 1e-3; median of ${reps} epochs after a warm-up; neurite on one thread`,
          `TF.js ${tf.version_core} (wasm: ${tfWasm.binary}, ${tfWasm.threads} thread)`,
        ],
      },
    ],
    data: res,
  };
}
