// A CNN written with tensor ops alone, as in TF.js's core-API tutorials: the weights are
// `variable`s, the forward pass is `conv2d` → `batchNorm4d` → `relu` → `pool` twice, then
// `matMul`; a custom loop trains it on real MNIST with `optimizer.minimize`. Batch
// normalization uses the batch's `moments` while training and moving averages (updated with
// `assign` after each step) at test time, as a Keras BatchNormalization layer does.
//
// The same network built from layers (conv2d, batchNormalization, maxPooling2d, dense) and
// trained with `fit` on the same batches is the reference: the ops network starts from its
// initial weights, so the two must follow each other epoch by epoch (a wrong gradient in any op
// of the chain, or in a fused layer, would pull them apart). Ends with the held-out confusion
// matrix (`math.confusionMatrix`).
import {
  init, tensor, variable, conv2d, batchNorm4d, moments, relu, pool, matMul,
  sequential, layers, optimizers, losses, math, tidy, keep, dispose, memory,
} from '../dist/index.js';
import { loadMnist } from './data/mnist.mjs';

await init();
const { train, test } = loadMnist({ trainSize: 8000, seed: 1 });
const x = tensor(train.x, [train.n, 28, 28, 1]), y = tensor(train.y, [train.n, 10]);
const xt = tensor(test.x, [test.n, 28, 28, 1]);
const epochs = 3, batchSize = 64, momentum = 0.9, eps = 1e-3;

// ---------- the reference: layers, trained with fit ----------
const model = sequential({ seed: 1, layers: [
  layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: 'same', useBias: false }),
  layers.batchNormalization({ momentum, epsilon: eps }),
  layers.reLU(),
  layers.maxPooling2d({ poolSize: 2 }),
  layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', useBias: false }),
  layers.batchNormalization({ momentum, epsilon: eps }),
  layers.reLU(),
  layers.maxPooling2d({ poolSize: 2 }),
  layers.flatten(),
  layers.dense({ units: 10 }),
] });
model.compile({ optimizer: optimizers.adam(1e-3), loss: { name: 'categoricalCrossentropy', fromLogits: true } });

// ---------- the same network as ops, from the same initial weights ----------
// Each layer's weights in turn (layer.getWeights(); model.getWeights() lists them in TF.js's
// order, the moving statistics last): kernel, then gamma, beta, moving_mean, moving_variance,
// per block; then the dense kernel and bias.
const w0 = model.layers.flatMap((l) => l.getWeights());
const block = (k) => ({
  filter: variable(w0[k]), gamma: variable(w0[k + 1]), beta: variable(w0[k + 2]),
  movingMean: variable(w0[k + 3], false), movingVar: variable(w0[k + 4], false),
});
const b1 = block(0), b2 = block(5);
const w = variable(w0[10]), bias = variable(w0[11]);
const trained = [b1.filter, b1.gamma, b1.beta, b2.filter, b2.gamma, b2.beta, w, bias];
for (const t of w0) t.dispose();

/**
 * conv 3×3 'same' → batch norm → relu → 2×2 max pool. Training normalizes with the batch's
 * statistics and reports them through `stats`; inference uses the moving averages.
 */
function convBlock(input, b, stats) {
  const z = conv2d(input, b.filter, 1, 'same');
  let mean = b.movingMean, variance = b.movingVar;
  if (stats) {
    ({ mean, variance } = moments(z, [0, 1, 2]));
    stats.push([b, keep(mean), keep(variance)]); // minimize frees what f made; these outlive it
  }
  return pool(relu(batchNorm4d(z, mean, variance, b.beta, b.gamma, eps)), [2, 2], 'max', 'valid', 1, 2);
}
/** Logits [n, 10] for images [n, 28, 28, 1]. */
const logits = (images, stats) => {
  const h = convBlock(convBlock(images, b1, stats), b2, stats);
  return matMul(h.reshape([h.shape[0], 7 * 7 * 32]), w).add(bias);
};

// ---------- the custom training loop ----------
const opt = optimizers.adam(1e-3);
const live = memory().numTensors;
let grew = 0;
const opsLoss = [];
let t0 = performance.now();
for (let epoch = 0; epoch < epochs; epoch++) {
  let total = 0;
  for (let start = 0; start < train.n; start += batchSize) {
    const n = Math.min(batchSize, train.n - start);
    total += tidy(() => {
      const xb = x.slice([start, 0, 0, 0], [n, 28, 28, 1]), yb = y.slice([start, 0], [n, 10]);
      const stats = [];
      const cost = opt.minimize(() => losses.softmaxCrossEntropy(yb, logits(xb, stats)), true, trained);
      // The moving averages follow the batch statistics of the step just taken.
      for (const [b, mean, variance] of stats) {
        b.movingMean.assign(b.movingMean.mul(momentum).add(mean.mul(1 - momentum)));
        b.movingVar.assign(b.movingVar.mul(momentum).add(variance.mul(1 - momentum)));
        dispose([mean, variance]);
      }
      return cost.dataSync()[0] * n;
    });
  }
  if (epoch === 0) grew = memory().numTensors - live; // Adam's slots, made on the first step
  else if (memory().numTensors !== live + grew) grew = -1;
  opsLoss.push(total / train.n);
}
const opsSecs = (performance.now() - t0) / 1000;
const predicted = tidy(() => logits(xt).argMax(1));
const ids = predicted.dataSync();
const accOps = ids.filter((c, i) => c === test.ids[i]).length / test.n;

t0 = performance.now();
const fitLoss = (await model.fit(x, y, { epochs, batchSize, verbose: 0, shuffle: false })).history.loss;
const fitSecs = (performance.now() - t0) / 1000;
console.log('mean training loss   ops + custom loop   layers + fit');
opsLoss.forEach((l, e) => console.log(`  epoch ${e + 1}            ${l.toFixed(5).padStart(10)}   ${fitLoss[e].toFixed(5).padStart(12)}`));
const accLayers = tidy(() => {
  const p = model.predict(xt).argMax(1).dataSync();
  return p.filter((c, i) => c === test.ids[i]).length / test.n;
});

const pct = (v) => `${(100 * v).toFixed(1)} %`;
console.log(`held-out accuracy (${test.n} digits, ${epochs} epochs of Adam)`);
console.log(`  ops + custom loop  ${pct(accOps).padStart(7)}  (${(epochs * train.n / opsSecs).toFixed(0)} samples/s)`);
console.log(`  layers + fit       ${pct(accLayers).padStart(7)}  (${(epochs * train.n / fitSecs).toFixed(0)} samples/s)`);

// Rows: the true digit; columns: the ops network's answer.
const labels = tensor(Float32Array.from(test.ids));
const cm = math.confusionMatrix(labels, predicted, 10);
const rows = cm.arraySync();
console.log('confusion matrix (rows: true digit, columns: predicted)');
console.log(`     ${[...Array(10).keys()].map((d) => String(d).padStart(4)).join('')}`);
rows.forEach((r, d) => console.log(`  ${d}: ${r.map((v) => String(v).padStart(4)).join('')}`));
const diagonal = rows.reduce((s, r, d) => s + r[d], 0);

for (const t of [x, y, xt, labels, predicted, cm, ...trained, b1.movingMean, b1.movingVar, b2.movingMean, b2.movingVar]) t.dispose();
model.dispose();
opt.dispose();
console.log(`memory after dispose: ${memory().numTensors} tensors`);

// Bars: both learn (≥ 94 %); from the same weights on the same batches the two follow each
// other (each epoch's mean loss within 1 %, accuracy within 1 point: only float rounding
// differs, and it grows slowly over the steps); the confusion matrix agrees with the accuracy;
// the loop's memory is flat after the first step; nothing leaked.
const failures = [];
if (!(accOps >= 0.94 && accLayers >= 0.94)) failures.push(`accuracy ${pct(accOps)} (ops) / ${pct(accLayers)} (layers) < 94 %`);
if (!(Math.abs(accOps - accLayers) <= 0.01)) failures.push(`ops and layers accuracy differ by more than 1 point`);
opsLoss.forEach((l, e) => {
  if (!(Math.abs(l - fitLoss[e]) <= 0.01 * fitLoss[e])) failures.push(`epoch ${e + 1} loss ${l} (ops) vs ${fitLoss[e]} (layers)`);
});
if (diagonal !== Math.round(accOps * test.n)) failures.push(`confusion matrix diagonal ${diagonal} vs ${Math.round(accOps * test.n)} correct`);
if (grew < 0) failures.push('tensors accumulated during the custom loop');
if (memory().numTensors !== 0) failures.push(`${memory().numTensors} tensors left`);
if (failures.length) {
  console.error(`FAILED: ${failures.join('; ')}`);
  process.exit(1);
}
