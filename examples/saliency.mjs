// Gradients through a trained model: `grad` through `model.predict` on MNIST. Trains the demo's
// MLP briefly, then takes d(loss)/d(input) for all 2,000 held-out digits in one call, and uses
// it twice:
//   - saliency maps: which pixels the loss is most sensitive to;
//   - the fast gradient sign method (Goodfellow, Shlens & Szegedy 2015): x + ε·sign(∇x loss),
//     clipped to [0, 1], which a plain MLP misclassifies far more often than a perturbation of
//     the same size in a random direction. A wrong gradient would not fool it: the bars below
//     (the attack halves the accuracy, the random control barely moves it) check the gradient
//     on a real task, beside the TF.js comparison in test/model-grad.test.ts.
// Writes examples/out/saliency.png (digits, saliency, adversarial digits with their new label).
import { init, tensor, sequential, layers, optimizers, losses, grad, randomUniform, tidy, memory } from '../dist/index.js';
import { loadMnist } from './data/mnist.mjs';
import { Canvas, COLORS, outDir, join } from './lib/plot.mjs';

await init();
const { train, test } = loadMnist({ trainSize: 8000, seed: 1 });
const model = sequential({ seed: 1, layers: [
  layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
  layers.dense({ units: 64, activation: 'relu' }),
  layers.dense({ units: 10, activation: 'softmax' }),
] });
model.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy' });
const x = tensor(train.x, [train.n, 784]), y = tensor(train.y, [train.n, 10]);
await model.fit(x, y, { epochs: 5, batchSize: 64, verbose: 0 });

const xt = tensor(test.x, [test.n, 784]), yt = tensor(test.y, [test.n, 10]);
/** Predicted classes and the accuracy on `images` (the 2,000 held-out digits, perturbed or not). */
const classify = (images) => tidy(() => {
  const p = Array.from(model.predict(images).argMax(1).dataSync());
  return { p, acc: p.filter((c, i) => c === test.ids[i]).length / test.n };
});

// One call: the gradient of the mean loss with respect to every pixel of every held-out digit.
const t0 = performance.now();
const g = grad((images) => losses.categoricalCrossentropy(yt, model.predict(images)))(xt);
const gradMs = performance.now() - t0;

const clean = classify(xt);
const rows = [];
let attacked01;
for (const eps of [0.05, 0.1, 0.2]) {
  const adv = tidy(() => xt.add(g.sign().mul(eps)).clipByValue(0, 1));
  const control = tidy(() => xt.add(randomUniform([test.n, 784], { seed: 7 }).sub(0.5).sign().mul(eps)).clipByValue(0, 1));
  const a = classify(adv), r = classify(control);
  rows.push({ eps, attacked: a.acc, random: r.acc });
  if (eps === 0.1) attacked01 = { images: adv.dataSync().slice(), p: a.p };
  adv.dispose();
  control.dispose();
}
const pct = (v) => `${(100 * v).toFixed(1)} %`;
console.log(`held-out accuracy ${pct(clean.acc)} on ${test.n} digits; d(loss)/d(input) for all of them in ${gradMs.toFixed(0)} ms`);
console.log('  ε     | FGSM (gradient sign) | same ε, random sign');
for (const r of rows) console.log(`  ${r.eps.toFixed(2)}  | ${pct(r.attacked).padStart(20)} | ${pct(r.random).padStart(19)}`);

// The picture: one held-out digit of each class, its saliency |∂loss/∂x| (per image scaled to
// its maximum), and the ε = 0.1 adversarial digit labelled with what the model now says.
const out = outDir();
const pick = Array.from({ length: 10 }, (_, d) => test.ids.indexOf(d));
const s = 2, cell = 28 * s + 8, left = 96;
const c = new Canvas(left + 10 * cell, 34 + 3 * (cell + 12));
c.text(8, 8, `gradients through the trained MLP: saliency and FGSM (eps 0.1), held-out accuracy ${pct(clean.acc)} -> ${pct(rows[1].attacked)}`, COLORS.black);
const gv = g.dataSync();
const draw = (img, off, col, row, scale = (v) => v) => {
  for (let j = 0; j < 28; j++) for (let i = 0; i < 28; i++) {
    const v = Math.round(255 * (1 - Math.min(1, Math.max(0, scale(img[off + j * 28 + i])))));
    c.fillRect(left + col * cell + i * s, 30 + row * (cell + 12) + j * s, s, s, [v, v, v]);
  }
};
['digit', 'saliency', 'adversarial'].forEach((name, r) => c.text(6, 30 + r * (cell + 12) + 24, name, COLORS.black));
pick.forEach((k, col) => {
  draw(test.x, k * 784, col, 0);
  let m = 0;
  for (let i = 0; i < 784; i++) m = Math.max(m, Math.abs(gv[k * 784 + i]));
  draw(gv, k * 784, col, 1, (v) => Math.abs(v) / (m || 1));
  draw(attacked01.images, k * 784, col, 2);
  const said = attacked01.p[k];
  c.text(left + col * cell + 20, 30 + 3 * (cell + 12) - 10, `-> ${said}`, said === test.ids[k] ? COLORS.black : COLORS.red);
});
console.log(`wrote ${c.save(join(out, 'saliency.png'))}`);

for (const t of [x, y, xt, yt, g]) t.dispose();
model.dispose();
console.log(`memory after dispose: ${memory().numTensors} tensors`);

// Bars: a trained model; the gradient's direction fools it (accuracy at ε = 0.1 at most half the
// clean one) where a random direction of the same size does not (within 5 points); nothing leaked.
const at = rows[1];
const failures = [];
if (!(clean.acc >= 0.9)) failures.push(`held-out accuracy ${pct(clean.acc)} < 90 %`);
if (!(at.attacked <= clean.acc / 2)) failures.push(`FGSM at ε = 0.1 leaves ${pct(at.attacked)}, more than half of ${pct(clean.acc)}`);
if (!(at.random >= clean.acc - 0.05)) failures.push(`a random perturbation at ε = 0.1 drops accuracy to ${pct(at.random)}`);
if (memory().numTensors !== 0) failures.push(`${memory().numTensors} tensors left`);
if (failures.length) {
  console.error(`FAILED: ${failures.join('; ')}`);
  process.exit(1);
}
