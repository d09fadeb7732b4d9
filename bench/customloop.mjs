// A custom training loop on the MNIST MLP (784-128-64-10, relu/softmax, Adam 1e-3): one
// `optimizer.minimize(() => crossEntropy(y, model.predict(x)))` per batch of 128, over the
// model's trainable weights, in neurite and in TF.js `wasm` (SIMD, one thread), same process,
// same real digits, batches in a fixed order; and the same with a dropout layer (rate 0.2)
// after the first dense layer, called as `model.apply(x, { training: true })` (how a loop
// trains a model with dropout, a VAE, a GAN). neurite's `fit` on the same epoch is shown as
// the fast path. Samples/s of one epoch, median (min–max) of several after a warm-up epoch.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../dist/index.js';
import { loadMnist } from '../examples/data/mnist.mjs';
import { initTfWasm } from './tfjs.mjs';
import { mnistMlp, timeEpochs } from './lib.mjs';

export async function run(ctx) {
  await nr.init({ threads: 1 });
  const tfWasm = await initTfWasm();
  const { train } = loadMnist({ trainSize: 8000, seed: 1 });
  const N = ctx.quick ? 2048 : 8000;
  const reps = ctx.quick ? 2 : 5;
  const batch = 128;
  const starts = Array.from({ length: Math.ceil(N / batch) }, (_, i) => i * batch);
  const res = {};

  ctx.log('custom loop: neurite …');
  {
    const m = mnistMlp(nr);
    const md = nr.sequential({ seed: 1, layers: [
      nr.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
      nr.layers.dropout({ rate: 0.2 }),
      nr.layers.dense({ units: 64, activation: 'relu' }),
      nr.layers.dense({ units: 10, activation: 'softmax' }),
    ] });
    md.build();
    const x = nr.tensor(train.x.subarray(0, N * 784), [N, 784]);
    const y = nr.tensor(train.y.subarray(0, N * 10), [N, 10]);
    const bx = starts.map((s) => x.slice([s, 0], [Math.min(batch, N - s), 784]));
    const by = starts.map((s) => y.slice([s, 0], [Math.min(batch, N - s), 10]));
    const opt = nr.optimizers.adam(1e-3);
    const vars = m.trainableWeights;
    res.neurite = await timeEpochs(() => {
      for (let i = 0; i < bx.length; i++) nr.tidy(() => opt.minimize(() => nr.losses.categoricalCrossentropy(by[i], m.predict(bx[i])), false, vars));
      return N;
    }, reps);
    const optD = nr.optimizers.adam(1e-3);
    const varsD = md.trainableWeights;
    res.neuriteApply = await timeEpochs(() => {
      for (let i = 0; i < bx.length; i++) nr.tidy(() => optD.minimize(() => nr.losses.categoricalCrossentropy(by[i], md.apply(bx[i], { training: true })), false, varsD));
      return N;
    }, reps);
    res.fit = await timeEpochs(async () => (await m.fit(x, y, { epochs: 1, batchSize: batch, verbose: 0 }), N), reps);
    [...bx, ...by, x, y, opt, optD, m, md].forEach((t) => t.dispose());
  }

  ctx.log('custom loop: TF.js wasm …');
  {
    await tf.setBackend('wasm');
    const m = tfl.sequential({ layers: [
      tfl.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
      tfl.layers.dense({ units: 64, activation: 'relu' }),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ] });
    const md = tfl.sequential({ layers: [
      tfl.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
      tfl.layers.dropout({ rate: 0.2 }),
      tfl.layers.dense({ units: 64, activation: 'relu' }),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ] });
    const x = tf.tensor2d(train.x.subarray(0, N * 784), [N, 784]);
    const y = tf.tensor2d(train.y.subarray(0, N * 10), [N, 10]);
    const bx = starts.map((s) => tf.slice(x, [s, 0], [Math.min(batch, N - s), 784]));
    const by = starts.map((s) => tf.slice(y, [s, 0], [Math.min(batch, N - s), 10]));
    const opt = tf.train.adam(1e-3);
    const vars = m.trainableWeights.map((w) => w.read());
    // Keras's categorical cross-entropy on probabilities: −Σ y·log(clip(p)), mean over rows.
    const cce = (yb, p) => tf.mean(tf.neg(tf.sum(tf.mul(yb, tf.log(tf.clipByValue(p, 1e-7, 1 - 1e-7))), -1)));
    res.tfjs = await timeEpochs(() => {
      for (let i = 0; i < bx.length; i++) tf.tidy(() => opt.minimize(() => cce(by[i], m.predict(bx[i])), false, vars));
      return N;
    }, reps);
    const optD = tf.train.adam(1e-3);
    const varsD = md.trainableWeights.map((w) => w.read());
    res.tfjsApply = await timeEpochs(() => {
      for (let i = 0; i < bx.length; i++) tf.tidy(() => optD.minimize(() => cce(by[i], md.apply(bx[i], { training: true })), false, varsD));
      return N;
    }, reps);
    tf.dispose([...bx, ...by, x, y]);
    opt.dispose();
    optD.dispose();
    m.dispose();
    md.dispose();
  }

  const cell = (r) => `${Math.round(r.median).toLocaleString('en-US')} (${Math.round(r.min).toLocaleString('en-US')}–${Math.round(r.max).toLocaleString('en-US')})`;
  return {
    tables: [{
      title: `A custom training loop (minimize over predict) on the MNIST MLP 784-128-64-10, batch ${batch}: samples/s`,
      columns: ['loop', 'neurite', 'TF.js wasm', 'neurite ÷ wasm'],
      rows: [
        ['optimizer.minimize(() => crossEntropy(y, model.predict(x)))', cell(res.neurite), cell(res.tfjs), `**${(res.neurite.median / res.tfjs.median).toFixed(1)}×**`],
        ['the same with dropout, model.apply(x, { training: true })', cell(res.neuriteApply), cell(res.tfjsApply), `**${(res.neuriteApply.median / res.tfjsApply.median).toFixed(1)}×**`],
        ['model.fit (neurite\'s fast path, for reference)', cell(res.fit), '', ''],
      ],
      notes: [
        `one epoch over ${N} real MNIST digits in ${starts.length} batches (fixed order), Adam 1e-3, categorical cross-entropy on the softmax output; median of ${reps} epochs after a warm-up`,
        `TF.js ${tf.version_core} (wasm: ${tfWasm.binary}, ${tfWasm.threads} thread); neurite on one thread`,
      ],
    }],
    data: res,
  };
}
