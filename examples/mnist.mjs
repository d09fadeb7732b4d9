// The main demo (`npm run demo`): an MLP (784-128-64-10) trained on real MNIST digits with
// Adam, a progress bar and a seeded 8,000/2,000 split; prints test accuracy, training
// throughput and time. Exits non-zero if the accuracy goal (95%) is missed, so CI checks it.
import { init, tensor, sequential, layers, optimizers, memory } from '../dist/index.js';
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
    layers.dense({ units: 64, activation: 'relu' }),
    layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
model.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
model.summary();

const epochs = 12;
const t0 = performance.now();
const history = await model.fit(xTrain, yTrain, { epochs, batchSize: 64, seed: 1, shuffle: true, validationSplit: 0.1, verbose: 1 });
const secs = (performance.now() - t0) / 1000;
const [loss, acc] = model.evaluate(xTest, yTest, { batchSize: 256 });
const testAcc = acc.item();
const trained = Math.floor(train.n * 0.9) * epochs;
console.log(`\ntest loss ${loss.item().toFixed(4)}, test accuracy ${(testAcc * 100).toFixed(2)}% on ${test.n} held-out digits`);
console.log(`trained ${trained} samples in ${secs.toFixed(2)} s (${Math.round(trained / secs)} samples/s, including validation and callbacks)`);
console.log(`final val accuracy ${(history.history.val_accuracy.at(-1) * 100).toFixed(2)}%`);
for (const t of [xTrain, yTrain, xTest, yTest, loss, acc]) t.dispose();
model.dispose();
console.log('memory after dispose:', memory());
if (testAcc < GOAL) {
  console.error(`test accuracy ${(testAcc * 100).toFixed(2)}% is below the ${GOAL * 100}% goal`);
  process.exit(1);
}
