// A graph model with two inputs and two outputs on real MNIST: one network reads a noisy digit
// and how noisy it is, and gives back both the clean digit and its class.
//
// Each digit gets its own noise level σ ∈ [0, 0.6], drawn anew (seeded) each epoch for the
// training digits, so the model cannot learn the noise by heart. The model reads the noisy
// pixels and σ (two inputs), codes them into 64 values, and from that code gives the digit's
// class (softmax) and the clean image (sigmoid): two outputs, each with its own loss, trained
// together in one `fit` (`compile` takes a loss per output, and Keras's `lossWeights`). The
// classifier alone, with the same layers and seed, is trained beside it; with the image
// loss's weight set to 0 the two-output model must train the classifier to the same values.
// Exits non-zero if a bar is missed, so CI checks it.
import { init, input, model, layers, optimizers, tensor, tidy, loadModel } from '../dist/index.js';
import { loadMnist, mulberry32 } from './data/mnist.mjs';
import { normals, psnrDb } from './lib/noise.mjs';

const EPOCHS = 15;
const MAX_SIGMA = 0.6;
// Bars (the run is seeded, so the results are the same bits every time; these sit below them).
const ACCURACY_GOAL = 0.9; // on noisy held-out digits
const PSNR_GAIN_GOAL = 3.5; // dB of the denoised digits over the noisy ones

await init();
const { train, test } = loadMnist({ trainSize: 8000, seed: 1 });

/** Each digit with its own noise level: clip(x + σᵢ·N(0, 1), 0, 1), and the levels. */
function corrupt(x, n, seed) {
  const rand = mulberry32(seed);
  const sigma = Float32Array.from({ length: n }, () => rand() * MAX_SIGMA);
  const z = normals(x.length, rand);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.min(1, Math.max(0, x[i] + sigma[Math.floor(i / 784)] * z[i]));
  return { noisy: out, sigma };
}

/** The network: `outputs` is 'both' (class and image) or 'digit' (the classifier alone). */
function network(outputs, seed) {
  const noisy = input({ shape: [784], name: 'noisy' });
  const level = input({ shape: [1], name: 'level' });
  const h = layers.dense({ units: 256, activation: 'relu', name: 'hidden' }).apply(layers.concatenate().apply([noisy, level]));
  const code = layers.dense({ units: 64, activation: 'relu', name: 'code' }).apply(h);
  const digit = layers.dense({ units: 10, activation: 'softmax', name: 'digit' }).apply(code);
  if (outputs === 'digit') return model({ inputs: [noisy, level], outputs: digit, seed });
  const up = layers.dense({ units: 256, activation: 'relu' }).apply(code);
  const clean = layers.dense({ units: 784, activation: 'sigmoid', name: 'clean' }).apply(up);
  return model({ inputs: [noisy, level], outputs: [digit, clean], seed });
}

const te = corrupt(test.x, test.n, 12);
const xTest = [tensor(te.noisy, [test.n, 784]), tensor(te.sigma, [test.n, 1])];
/** The training inputs of epoch `e`: the digits with that epoch's noise, and its levels. */
const inputsOf = (e) => {
  const tr = corrupt(train.x, train.n, 100 + e);
  return [tensor(tr.noisy, [train.n, 784]), tensor(tr.sigma, [train.n, 1])];
};
const labels = tensor(Float32Array.from(train.ids), [train.n]);
const clean = tensor(train.x, [train.n, 784]);
const adam = () => optimizers.adam({ learningRate: 1e-3 });
/** Trains `m` on targets `y`, epoch by epoch with fresh noise; the history's losses. */
async function fitFresh(m, y) {
  const losses = [];
  for (let e = 0; e < EPOCHS; e++) {
    const x = inputsOf(e);
    const h = await m.fit(x, y, { epochs: e + 1, initialEpoch: e, batchSize: 64, seed: 2, verbose: 0 });
    x.forEach((t) => t.dispose());
    losses.push(h.history);
  }
  return Object.fromEntries(Object.keys(losses[0]).map((k) => [k, losses.map((l) => l[k][0])]));
}

const accuracy = (probs) => {
  let hits = 0;
  for (let r = 0; r < test.n; r++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (probs[r * 10 + c] > probs[r * 10 + best]) best = c;
    if (best === test.ids[r]) hits++;
  }
  return hits / test.n;
};
let failed = false;
const fail = (msg) => {
  console.log(`FAILED: ${msg}`);
  failed = true;
};

// 1. The two-output model.
const both = network('both', 3);
both.summary();
both.compile({ optimizer: adam(), loss: { digit: 'sparseCategoricalCrossentropy', clean: 'binaryCrossentropy' }, metrics: { digit: 'accuracy' }, lossWeights: { digit: 0.2 } });
let t0 = performance.now();
const h = { history: await fitFresh(both, [labels, clean]) };
const secs = (performance.now() - t0) / 1000;
const last = (k) => h.history[k].at(-1).toFixed(4);
console.log(`two outputs: ${EPOCHS} epochs over ${train.n} digits in ${secs.toFixed(1)} s; last epoch loss ${last('loss')} = 0.2 × digit_loss ${last('digit_loss')} + clean_loss ${last('clean_loss')}, digit_acc ${last('digit_acc')}`);
const [probs, images] = tidy(() => both.predict(xTest, { batchSize: 256 }).map((t) => t.dataSync()));
const accBoth = accuracy(probs);
const [pNoisy, pClean] = [psnrDb(test.x, te.noisy), psnrDb(test.x, images)];
console.log(`  ${test.n} held-out noisy digits (σ up to ${MAX_SIGMA}): accuracy ${(100 * accBoth).toFixed(2)} %, PSNR ${pNoisy.toFixed(2)} dB noisy → ${pClean.toFixed(2)} dB denoised`);
if (accBoth < ACCURACY_GOAL) fail(`accuracy ${accBoth} is below ${ACCURACY_GOAL}`);
if (pClean - pNoisy < PSNR_GAIN_GOAL) fail(`the denoised digits gain ${(pClean - pNoisy).toFixed(2)} dB, below ${PSNR_GAIN_GOAL} dB`);

// Saved in TF.js's functional format and loaded back: both outputs the same, bit for bit.
const again = await loadModel(await both.toArtifacts());
const probe = xTest.map((t) => t.slice([0], [16]));
const same = tidy(() => {
  const [a, b] = [both.predict(probe), again.predict(probe)];
  return a.every((t, i) => t.dataSync().every((v, j) => Object.is(v, b[i].dataSync()[j])));
});
if (!same) fail('the loaded model predicts other values');
again.dispose();
probe.forEach((t) => t.dispose());

// 2. The classifier alone, and 3. the two-output model with the image loss weighted 0: the
// image head then sends nothing back, so the classifier trains to the same values.
const alone = network('digit', 3);
alone.compile({ optimizer: adam(), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
t0 = performance.now();
const hAlone = { history: await fitFresh(alone, labels) };
const accAlone = tidy(() => accuracy(alone.predict(xTest, { batchSize: 256 }).dataSync()));
console.log(`classifier alone (${((performance.now() - t0) / 1000).toFixed(1)} s): accuracy ${(100 * accAlone).toFixed(2)} % on the same held-out digits (two outputs: ${(100 * accBoth).toFixed(2)} %)`);
const zero = network('both', 3);
zero.compile({ optimizer: adam(), loss: { digit: 'sparseCategoricalCrossentropy', clean: 'binaryCrossentropy' }, lossWeights: { clean: 0 } });
const hZero = { history: await fitFresh(zero, [labels, clean]) };
// The classifier's weights, by layer name (a graph's layers are listed by depth, as in TF.js, so
// the image head's first layer comes before the digit head in the two-output model).
const weights = (m) => tidy(() => ['hidden', 'code', 'digit'].flatMap((n) => m.getLayer(n).getWeights()).map((w) => Array.from(w.dataSync())));
const [wa, wz] = [weights(alone), weights(zero)];
const equal = wa.every((w, i) => w.every((v, j) => v === wz[i][j])) && hAlone.history.loss.every((v, i) => v === hZero.history.loss[i]);
console.log(`image loss weighted 0: the classifier's weights and losses ${equal ? 'equal' : 'DIFFER from'} the classifier trained alone`);
if (!equal) fail('lossWeights { clean: 0 } did not train the classifier as the classifier alone');

for (const t of [...xTest, labels, clean, both, alone, zero]) t.dispose();
if (failed) process.exit(1);
console.log('ok');
