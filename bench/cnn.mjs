// Training and inference of a small MNIST CNN (conv 3×3×16 relu → max pool 2 → conv 3×3×32
// relu → max pool 2 → flatten → dense 10 softmax, Adam 1e-3, categorical cross-entropy) in
// neurite (one thread), TF.js `wasm` (SIMD, XNNPACK convolutions) and TF.js `cpu`, in the same
// process, on the same real digits. TF.js 4.22's `wasm` backend cannot train a CNN (it has no
// `Conv2DBackpropFilter` kernel; the run checks that it still fails), so training is compared
// with TF.js `cpu`, inference with `wasm`.
//
// Training: samples/s of one `fit` epoch, batch 64; the median of several epochs after a
// warm-up epoch. Inference: samples/s at batch 256 (predict + read back).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../dist/index.js';
import { loadMnist } from '../examples/data/mnist.mjs';
import { initTfWasm } from './tfjs.mjs';
import { timeEpochs, timeSync } from './lib.mjs';

/** The same architecture in either library (`L` is `nr.layers` or `tfl.layers`). */
export const cnnLayers = (L) => [
  L.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu' }),
  L.maxPooling2d({ poolSize: 2 }),
  L.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
  L.maxPooling2d({ poolSize: 2 }),
  L.flatten(),
  L.dense({ units: 10, activation: 'softmax' }),
];

export async function run(ctx) {
  await nr.init({ threads: 1 });
  const tfWasm = await initTfWasm();
  const { train } = loadMnist({ trainSize: 8000, seed: 1 });
  const N = ctx.quick ? 512 : 2048;
  const reps = ctx.quick ? 2 : 4;
  const batchSize = 64;
  const xs = train.x.subarray(0, N * 28 * 28);
  const ys = train.y.subarray(0, N * 10);
  const res = {};
  ctx.log('cnn: training …');
  {
    const x = nr.tensor(xs, [N, 28, 28, 1]);
    const y = nr.tensor(ys, [N, 10]);
    const m = nr.sequential({ seed: 1, layers: cnnLayers(nr.layers) });
    m.compile({ optimizer: nr.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy' });
    res.neurite = await timeEpochs(async () => (await m.fit(x, y, { epochs: 1, batchSize, verbose: 0 }), N), reps);
    m.dispose();
    x.dispose();
    y.dispose();
  }
  let wasmTrains = 'no: ';
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend);
    const n = backend === 'cpu' ? Math.min(N, 128) : N;
    const x = tf.tensor4d(xs.subarray(0, n * 784), [n, 28, 28, 1]);
    const y = tf.tensor2d(ys.subarray(0, n * 10), [n, 10]);
    const m = tfl.sequential({ layers: cnnLayers(tfl.layers) });
    m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    try {
      res[`tfjs-${backend}`] = await timeEpochs(async () => (await m.fit(x, y, { epochs: 1, batchSize, verbose: 0, shuffle: true }), n), backend === 'cpu' ? 1 : reps);
      if (backend === 'wasm') wasmTrains = 'yes';
    } catch (e) {
      if (backend !== 'wasm') throw e;
      wasmTrains += e.message;
    }
    tf.dispose([x, y]);
    m.dispose();
  }

  ctx.log('cnn: inference …');
  const inf = {};
  {
    const m = nr.sequential({ seed: 1, layers: cnnLayers(nr.layers) });
    const x = nr.tensor(xs.subarray(0, 256 * 784), [256, 28, 28, 1]);
    inf.neurite = 256 / (timeSync(() => { const p = m.predict(x, { batchSize: 256 }); p.data(); p.dispose(); }, 10, 5) / 1000);
    m.dispose();
    x.dispose();
    await tf.setBackend('wasm');
    const tm = tfl.sequential({ layers: cnnLayers(tfl.layers) });
    const t = tf.tensor4d(xs.subarray(0, 256 * 784), [256, 28, 28, 1]);
    inf['tfjs-wasm'] = 256 / (timeSync(() => { const p = tm.predict(t, { batchSize: 256 }); p.dataSync(); p.dispose(); }, 10, 5) / 1000);
    tf.dispose(t);
    tm.dispose();
  }
  const cell = (r) => `${Math.round(r.median).toLocaleString('en-US')} (${Math.round(r.min).toLocaleString('en-US')}–${Math.round(r.max).toLocaleString('en-US')})`;
  const rows = [
    ['train, batch 64 (samples/s)', cell(res.neurite), res['tfjs-wasm'] ? cell(res['tfjs-wasm']) : 'cannot train¹', cell(res['tfjs-cpu']), `**${(res.neurite.median / res['tfjs-cpu'].median).toFixed(1)}×** cpu`],
    ['predict, batch 256 (samples/s)', Math.round(inf.neurite).toLocaleString('en-US'), Math.round(inf['tfjs-wasm']).toLocaleString('en-US'), '', `**${(inf.neurite / inf['tfjs-wasm']).toFixed(1)}×** wasm`],
  ];
  return {
    tables: [
      {
        title: 'MNIST CNN (conv 3×3×16 → pool → conv 3×3×32 → pool → dense 10): samples/s (median, min–max)',
        columns: ['case', 'neurite', 'TF.js wasm', 'TF.js cpu', 'neurite ÷ TF.js'],
        rows,
        notes: [
          `training: one \`fit\` epoch over ${N} real MNIST digits (TF.js cpu: ${Math.min(N, 128)}), batch ${batchSize}, Adam 1e-3; median of ${reps} epochs after a warm-up; neurite on one thread`,
          `TF.js ${tf.version_core} (wasm: ${tfWasm.binary}, ${tfWasm.threads} thread)`,
          `¹ TF.js wasm trains: ${wasmTrains}`,
        ],
      },
    ],
    data: { train: res, inference: inf, wasmTrains },
  };
}
