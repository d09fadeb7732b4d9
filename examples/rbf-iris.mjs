// Iris (3 species, 4 features): a radial-basis-function network against an MLP of the same
// size (83 weights each), on a seeded, stratified 105/45 train/test split; and Rosenblatt's
// perceptron on setosa vs. versicolor, which are linearly separable.
//
// - RBF network: 10 gaussian units; k-means++ centers, nearest-center widths, output layer by
//   regularized least squares on one-hot targets (closed form, no gradient descent); the
//   class is the largest output.
// - MLP: 4-10-3, tanh + softmax, Adam, categorical cross-entropy, trained from a tf.data-style
//   pipeline (`data.zip` of the rows and one-hot labels, seeded shuffle, batches of 16, `fitDataset`).
// - Perceptron: setosa vs. versicolor on all four features, perceptron rule.
// Draws the RBF network's and the MLP's decision regions over petal length × petal width
// (the other features at their mean) to examples/out/rbf-iris.png.
// Bar (exits non-zero if missed): RBF and MLP test accuracy ≥ 90%; the perceptron converges
// to 100% training accuracy on setosa vs. versicolor.
import { init, tensor, sequential, layers, optimizers, rbfNetwork, perceptron, argMax, tidy, data, memory } from '../dist/index.js';
import { loadIris, oneHotRows, SPECIES } from './data/iris.mjs';
import { COLORS, outDir, panelGrid, tint } from './lib/plot.mjs';
import { join } from 'node:path';

const BAR = 0.9;
await init();
const { train, test } = loadIris({ trainPerClass: 35, seed: 1 });
const xTrain = tensor(train.x);
const yTrain = tensor(oneHotRows(train.labels));
const xTest = tensor(test.x);
const accuracy = (pred, labels) => tidy(() => {
  const cls = argMax(pred, 1).data();
  return labels.filter((l, i) => cls[i] === l).length / labels.length;
});

// ---- RBF network ----------------------------------------------------------------------------
const net = rbfNetwork({ centers: 10, kernel: 'gaussian', seed: 1 });
const fit = await net.fit(xTrain, yTrain);
const rbfTrain = tidy(() => accuracy(net.predict(xTrain), train.labels));
const rbfTest = tidy(() => accuracy(net.predict(xTest), test.labels));
console.log(`RBF network (10 gaussian units, two-stage fit): k-means ${fit.kmeansIterations} iterations; train accuracy ${(100 * rbfTrain).toFixed(1)}%, test accuracy ${(100 * rbfTest).toFixed(1)}%`);

// ---- MLP of the same size ---------------------------------------------------------------------
const mlp = sequential({
  seed: 1,
  layers: [layers.dense({ inputShape: [4], units: 10, activation: 'tanh' }), layers.dense({ units: 3, activation: 'softmax' })],
});
mlp.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const rows = data.zip({ xs: data.array(train.x), ys: data.array(oneHotRows(train.labels)) }).shuffle(train.x.length, 1).batch(16);
const live = memory().numTensors;
await mlp.fitDataset(rows, { epochs: 200, verbose: 0 });
if (memory().numTensors !== live) throw new Error(`fitDataset left ${memory().numTensors - live} tensors behind`);
const mlpTrain = tidy(() => accuracy(mlp.predict(xTrain), train.labels));
const mlpTest = tidy(() => accuracy(mlp.predict(xTest), test.labels));
console.log(`MLP 4-10-3 (tanh, softmax), 200 epochs of fitDataset: train accuracy ${(100 * mlpTrain).toFixed(1)}%, test accuracy ${(100 * mlpTest).toFixed(1)}%`);

// ---- perceptron: setosa vs. versicolor -------------------------------------------------------
const two = train.labels.map((l, i) => [l, i]).filter(([l]) => l < 2);
const p = perceptron({ inputs: 4, output: 'binary', seed: 1 });
const pr = p.fit(two.map(([, i]) => train.x[i]), two.map(([l]) => l), { maxEpochs: 100 });
const twoTest = test.labels.map((l, i) => [l, i]).filter(([l]) => l < 2);
const pTest = tidy(() => {
  const yhat = p.predict(twoTest.map(([, i]) => test.x[i])).data();
  return twoTest.filter(([l], k) => yhat[k] === l).length / twoTest.length;
});
console.log(`perceptron, setosa vs. versicolor: converged ${pr.converged} in ${pr.epochs} epochs (mistakes per epoch ${pr.errorsPerEpoch.join(', ')}); train accuracy ${(100 * (1 - pr.errors / two.length)).toFixed(1)}%, test accuracy ${(100 * pTest).toFixed(1)}%`);

// ---- decision regions over petal length × petal width (features 2, 3) ------------------------
const NX = 160;
const { canvas, panel } = panelGrid(1, 2, { cellWidth: 340, cellHeight: 300, header: 36, title: 'IRIS: PETAL LENGTH X PETAL WIDTH (STANDARDISED)' });
const ranges = { x: [-2, 2.2], y: [-2, 2.2] };
const panels = [
  [panel(0, 0, { ...ranges, title: `RBF NETWORK, TEST ${(100 * rbfTest).toFixed(0)}%` }), (t) => net.predict(t)],
  [panel(0, 1, { ...ranges, title: `MLP 4-10-3, TEST ${(100 * mlpTest).toFixed(0)}%` }), (t) => mlp.predict(t)],
];
const palette = [COLORS.blue, COLORS.orange, COLORS.green];
for (const [pnl, predict] of panels) {
  const g = pnl.gridPoints(NX, NX);
  const cls = tidy(() => {
    // Sepal features at their (standardised) mean 0; petal length, width from the grid.
    const rows = [];
    for (let k = 0; k < NX * NX; k++) rows.push([0, 0, g[2 * k], g[2 * k + 1]]);
    return argMax(predict(tensor(rows)), 1).data();
  });
  pnl.fillGrid(cls, NX, NX, (c) => tint(palette[c], 0.65));
  pnl.axes({ zero: false });
  test.x.forEach((r, i) => pnl.points([r[2]], [r[3]], palette[test.labels[i]], 4, COLORS.black));
}
panels[0][0].legend(SPECIES.map((s, i) => [s, palette[i]]), { corner: 'top-left' });
const file = canvas.save(join(outDir(), 'rbf-iris.png'));
console.log(`wrote ${file} (test samples drawn)`);

for (const t of [xTrain, yTrain, xTest]) t.dispose();
net.dispose();
mlp.dispose();
p.dispose();
const failures = [];
if (rbfTest < BAR) failures.push(`RBF test accuracy ${rbfTest} is below ${BAR}`);
if (mlpTest < BAR) failures.push(`MLP test accuracy ${mlpTest} is below ${BAR}`);
if (!pr.converged || pr.errors !== 0) failures.push('the perceptron did not separate setosa from versicolor');
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log(`ok: RBF and MLP reach the ${BAR * 100}% bar; the perceptron separates setosa from versicolor`);
