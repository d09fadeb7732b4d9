// Training and inference of the MNIST MLP (784-128-64-10, relu/softmax, categorical
// cross-entropy, Adam 1e-3) in neurite, TF.js `wasm` (SIMD), TF.js `cpu` and brain.js, in the
// same process, on the same real digits (examples/data/mnist.mjs).
//
// Training: samples/s of one `fit` epoch (shuffled batches, the library's own loop), for batch
// 64 and 128; the median of several epochs after a warm-up epoch, contenders interleaved.
// brain.js has no batching (one sample per update) and trains on fewer samples.
// Inference: µs per sample at batch 1 (predict + read back), samples/s at batch 256.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRequire } from 'node:module';
import * as nr from '../dist/index.js';
import { loadMnist } from '../examples/data/mnist.mjs';
import { initTfWasm } from './tfjs.mjs';
import { mnistMlp, timeEpochs, timeSync } from './lib.mjs';

const require = createRequire(import.meta.url);
const brain = require('brain.js');

const neuriteModel = () => mnistMlp(nr, { metrics: ['accuracy'] });

function tfModel() {
  const m = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
      tfl.layers.dense({ units: 64, activation: 'relu' }),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

export async function run(ctx) {
  await nr.init({ threads: 1 }); // single-thread tables; bench/threads.mjs compares thread counts
  const tfWasm = await initTfWasm();
  const { train } = loadMnist({ trainSize: 8000, seed: 1 });
  const N = ctx.quick ? 2048 : 8000;
  const reps = ctx.quick ? 2 : 5;
  const xs = train.x.subarray(0, N * 784);
  const ys = train.y.subarray(0, N * 10);
  const rows = [];
  const data = {};

  for (const batchSize of [64, 128]) {
    ctx.log(`training, batch ${batchSize} …`);
    const res = {};
    // neurite
    {
      const x = nr.tensor(xs, [N, 784]);
      const y = nr.tensor(ys, [N, 10]);
      const m = neuriteModel();
      res.neurite = await timeEpochs(async () => (await m.fit(x, y, { epochs: 1, batchSize, verbose: 0 }), N), reps);
      m.dispose();
      x.dispose();
      y.dispose();
    }
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      const x = tf.tensor2d(xs, [N, 784]);
      const y = tf.tensor2d(ys, [N, 10]);
      const m = tfModel();
      const n = backend === 'cpu' ? Math.min(N, 2048) : N;
      const xb = backend === 'cpu' ? tf.slice(x, [0, 0], [n, 784]) : x;
      const yb = backend === 'cpu' ? tf.slice(y, [0, 0], [n, 10]) : y;
      res[`tfjs-${backend}`] = await timeEpochs(async () => (await m.fit(xb, yb, { epochs: 1, batchSize, verbose: 0, shuffle: true }), n), backend === 'cpu' ? Math.min(reps, 3) : reps);
      tf.dispose([x, y, xb, yb]);
      m.dispose();
    }
    // brain.js: plain JS, one sample per update; its own loop over `iterations: 1`.
    {
      const n = ctx.quick ? 256 : 1000;
      const set = Array.from({ length: n }, (_, i) => ({ input: Array.from(xs.subarray(i * 784, (i + 1) * 784)), output: Array.from(ys.subarray(i * 10, (i + 1) * 10)) }));
      const net = new brain.NeuralNetwork({ hiddenLayers: [128, 64], activation: 'relu', learningRate: 1e-3 });
      net.train(set.slice(0, 8), { iterations: 1 });
      res['brain.js'] = await timeEpochs(async () => (net.train(set, { iterations: 1, errorThresh: 1e-9 }), n), ctx.quick ? 1 : 2);
    }
    const cell = (r) => `${Math.round(r.median).toLocaleString('en-US')} (${Math.round(r.min).toLocaleString('en-US')}–${Math.round(r.max).toLocaleString('en-US')})`;
    rows.push([`train, batch ${batchSize}`, cell(res.neurite), cell(res['tfjs-wasm']), cell(res['tfjs-cpu']), cell(res['brain.js']), `**${(res.neurite.median / res['tfjs-wasm'].median).toFixed(1)}×**`]);
    data[`train${batchSize}`] = res;
  }

  // Inference.
  ctx.log('inference …');
  const inf = {};
  const m = neuriteModel();
  await tf.setBackend('wasm');
  const tm = tfModel();
  const x1 = nr.tensor(xs.subarray(0, 784), [1, 784]);
  const x256 = nr.tensor(xs.subarray(0, 256 * 784), [256, 784]);
  inf.neurite1 = timeSync(() => { const p = m.predict(x1); p.data(); p.dispose(); }, 2000, 7) * 1000;
  inf.neurite256 = 256 / (timeSync(() => { const p = m.predict(x256, { batchSize: 256 }); p.data(); p.dispose(); }, 50, 7) / 1000);
  const t1 = tf.tensor2d(xs.subarray(0, 784), [1, 784]);
  const t256 = tf.tensor2d(xs.subarray(0, 256 * 784), [256, 784]);
  inf.tfwasm1 = timeSync(() => { const p = tm.predict(t1); p.dataSync(); p.dispose(); }, 500, 7) * 1000;
  inf.tfwasm256 = 256 / (timeSync(() => { const p = tm.predict(t256, { batchSize: 256 }); p.dataSync(); p.dispose(); }, 20, 7) / 1000);
  tf.dispose([t1, t256]);
  tm.dispose();
  m.dispose();
  x1.dispose();
  x256.dispose();
  rows.push(['predict, batch 1 (µs/sample)', inf.neurite1.toFixed(1), inf.tfwasm1.toFixed(1), '', '', `**${(inf.tfwasm1 / inf.neurite1).toFixed(1)}×**`]);
  rows.push(['predict, batch 256 (samples/s)', Math.round(inf.neurite256).toLocaleString('en-US'), Math.round(inf.tfwasm256).toLocaleString('en-US'), '', '', `**${(inf.neurite256 / inf.tfwasm256).toFixed(1)}×**`]);
  data.inference = inf;

  return {
    tables: [
      {
        title: 'MNIST MLP 784-128-64-10: training samples/s (median, min–max) and inference',
        columns: ['case', 'neurite', 'TF.js wasm', 'TF.js cpu', 'brain.js', 'neurite ÷ wasm'],
        rows,
        notes: [
          `training: one \`fit\` epoch over ${N} real MNIST digits (TF.js cpu: 2,048; brain.js: ${ctx.quick ? 256 : 1000}, no batching), Adam 1e-3, categorical cross-entropy, accuracy metric; median of ${reps} epochs after a warm-up`,
          `TF.js ${tf.version_core} (wasm: ${tfWasm.binary}, ${tfWasm.threads} thread); brain.js 1.6.1 (relu, learningRate 1e-3)`,
          'inference: predict + read the result back into JS',
        ],
      },
    ],
    data,
  };
}
