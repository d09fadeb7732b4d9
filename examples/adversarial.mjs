// A custom training loop on MNIST: adversarial training (Goodfellow, Shlens & Szegedy 2015),
// which `fit` cannot express. Each step makes fast-gradient-sign digits from the batch with
// `grad` through `predict`, then takes one Adam step on the mean of the clean and the
// adversarial loss with `optimizer.minimize`, which trains the model's weights
// (`model.trainableWeights`) through `predict` as TF.js's `minimize` does.
//
// The same MLP trained with `fit` on clean digits only is the baseline: FGSM at ε = 0.1 takes it
// to about 10 % (see examples/saliency.mjs); the adversarially trained one keeps most of its
// accuracy. A wrong weight gradient would train neither to the bars below.
import { init, tensor, sequential, layers, optimizers, losses, grad, tidy, memory } from '../dist/index.js';
import { loadMnist } from './data/mnist.mjs';

await init();
const { train, test } = loadMnist({ trainSize: 8000, seed: 1 });
const mlp = () => sequential({ seed: 1, layers: [
  layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
  layers.dense({ units: 64, activation: 'relu' }),
  layers.dense({ units: 10, activation: 'softmax' }),
] });
const eps = 0.1, epochs = 5, batchSize = 64;
const x = tensor(train.x, [train.n, 784]), y = tensor(train.y, [train.n, 10]);
const xt = tensor(test.x, [test.n, 784]), yt = tensor(test.y, [test.n, 10]);

/** Fast-gradient-sign digits for `model`: x + ε·sign(∇x loss), clipped to [0, 1]. */
const fgsm = (model, images, labels) => tidy(() => {
  const g = grad((v) => losses.categoricalCrossentropy(labels, model.predict(v)))(images);
  return images.add(g.sign().mul(eps)).clipByValue(0, 1);
});
/** Held-out accuracy on clean digits and on FGSM digits made against the model itself. */
const accuracy = (model) => tidy(() => {
  const acc = (images) => {
    const p = model.predict(images).argMax(1).dataSync();
    return p.filter((c, i) => c === test.ids[i]).length / test.n;
  };
  return { clean: acc(xt), attacked: acc(fgsm(model, xt, yt)) };
});

// The baseline: fit on clean digits.
const plain = mlp();
plain.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy' });
let t0 = performance.now();
await plain.fit(x, y, { epochs, batchSize, verbose: 0, seed: 1 });
const plainSecs = (performance.now() - t0) / 1000;

// Adversarial training in a custom loop (the batches in a fixed order: a plain loop).
const robust = mlp();
robust.build();
const opt = optimizers.adam(1e-3);
const live = memory().numTensors;
let grew = 0;
t0 = performance.now();
for (let epoch = 0; epoch < epochs; epoch++) {
  let total = 0;
  for (let start = 0; start < train.n; start += batchSize) {
    const n = Math.min(batchSize, train.n - start);
    const loss = tidy(() => {
      const xb = x.slice([start, 0], [n, 784]), yb = y.slice([start, 0], [n, 10]);
      const adv = fgsm(robust, xb, yb);
      const l = opt.minimize(() => losses.categoricalCrossentropy(yb, robust.predict(xb)).add(losses.categoricalCrossentropy(yb, robust.predict(adv))).mul(0.5), true, robust.trainableWeights);
      return l.dataSync()[0] * n;
    });
    total += loss;
  }
  // The optimizer's state is made on the first step; after that nothing may accumulate.
  if (epoch === 0) grew = memory().numTensors - live;
  else if (memory().numTensors !== live + grew) grew = -1;
  console.log(`epoch ${epoch + 1}: mean loss (clean + adversarial) / 2 = ${(total / train.n).toFixed(4)}`);
}
const robustSecs = (performance.now() - t0) / 1000;

const a = accuracy(plain), b = accuracy(robust);
const pct = (v) => `${(100 * v).toFixed(1)} %`;
console.log(`held-out accuracy (${test.n} digits)       clean    FGSM ε = ${eps}`);
console.log(`  fit on clean digits (${plainSecs.toFixed(1)} s)      ${pct(a.clean).padStart(7)}  ${pct(a.attacked).padStart(8)}`);
console.log(`  adversarial custom loop (${robustSecs.toFixed(1)} s)  ${pct(b.clean).padStart(7)}  ${pct(b.attacked).padStart(8)}`);

for (const t of [x, y, xt, yt]) t.dispose();
plain.dispose();
robust.dispose();
opt.dispose();
console.log(`memory after dispose: ${memory().numTensors} tensors`);

// Bars: both models learn; FGSM fools the plain one (at most half its clean accuracy) and not
// the adversarially trained one (at least 60 %, and 3× the plain one's); the loop's memory is
// flat after the first step; nothing leaked.
const failures = [];
if (!(a.clean >= 0.9 && b.clean >= 0.9)) failures.push(`clean accuracy ${pct(a.clean)} / ${pct(b.clean)} < 90 %`);
if (!(a.attacked <= a.clean / 2)) failures.push(`FGSM leaves the plain model ${pct(a.attacked)}`);
if (!(b.attacked >= 0.6 && b.attacked >= 3 * a.attacked)) failures.push(`FGSM leaves the adversarially trained model only ${pct(b.attacked)} (plain: ${pct(a.attacked)})`);
if (grew < 0) failures.push('tensors accumulated during the custom loop');
if (memory().numTensors !== 0) failures.push(`${memory().numTensors} tensors left`);
if (failures.length) {
  console.error(`FAILED: ${failures.join('; ')}`);
  process.exit(1);
}
