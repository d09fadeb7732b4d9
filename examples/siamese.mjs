// A siamese network on real MNIST: "are these two digits the same number?", with one encoder
// applied to both images (one set of weights), against the same network with two separate
// encoders.
//
// The encoder (784 → 128 → 32) turns each digit into 32 values; the head reads the squared
// difference of the two codes and says how likely the two digits show the same number. Pairs
// are drawn half same-class, half not, of the digits 0–6 from 8,000 training digits; held-out
// pairs come from the other 2,000, of the same digits and of the digits 7–9 that training never
// saw. The shared encoder is applied twice in one graph model (`encoder.apply(a)`,
// `encoder.apply(b)`), and neurite runs both uses as one batch. Since the head is symmetric, a
// pair and its swap must get the same answer, bit for bit, which two separate encoders do not
// promise. Exits non-zero if a bar is missed, so CI checks it.
import { init, input, model, layers, optimizers, tensor, tidy } from '../dist/index.js';
import { loadMnist, mulberry32 } from './data/mnist.mjs';

const EPOCHS = 6;
const PAIRS = 32000;
// Bars (the run is seeded, so the results are the same bits every time; these sit below them).
const ACCURACY_GOAL = 0.9; // on held-out pairs of the digits trained on

await init();
const { train, test } = loadMnist({ trainSize: 8000, seed: 1 });

/** `n` pairs of digits of `classes` from `set`, half of the same class (label 1), half not (label 0). */
function pairs(set, n, seed, classes) {
  const rand = mulberry32(seed);
  const byClass = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < set.n; i++) byClass[set.ids[i]].push(i);
  const a = new Float32Array(n * 784), b = new Float32Array(n * 784), y = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const same = p % 2 === 0;
    const c = classes[Math.floor(rand() * classes.length)];
    let d = c;
    while (!same && d === c) d = classes[Math.floor(rand() * classes.length)];
    const pick = (k) => byClass[k][Math.floor(rand() * byClass[k].length)];
    const i = pick(c), j = pick(d);
    a.set(set.x.subarray(i * 784, (i + 1) * 784), p * 784);
    b.set(set.x.subarray(j * 784, (j + 1) * 784), p * 784);
    y[p] = same ? 1 : 0;
  }
  return { a: tensor(a, [n, 784]), b: tensor(b, [n, 784]), y: tensor(y, [n, 1]), n };
}

/** The network: one encoder for both digits (`shared`), or one per digit. */
function network(shared, seed) {
  const encoder = () => {
    const d1 = layers.dense({ units: 128, activation: 'relu' });
    const d2 = layers.dense({ units: 32 });
    return (x) => d2.apply(d1.apply(x));
  };
  const a = input({ shape: [784], name: 'a' });
  const b = input({ shape: [784], name: 'b' });
  const encA = encoder();
  const encB = shared ? encA : encoder();
  const diff = layers.subtract().apply([encA(a), encB(b)]);
  const sq = layers.multiply().apply([diff, diff]);
  const same = layers.dense({ units: 1, activation: 'sigmoid', name: 'same' }).apply(sq);
  return model({ inputs: [a, b], outputs: same, seed, name: shared ? 'shared' : 'separate' });
}

const SEEN = [0, 1, 2, 3, 4, 5, 6], UNSEEN = [7, 8, 9];
const tr = pairs(train, PAIRS, 11, SEEN);
const te = pairs(test, 4000, 12, SEEN);
const un = pairs(test, 4000, 13, UNSEEN);
const accuracy = (p, y) => p.reduce((hits, v, i) => hits + ((v > 0.5) === (y[i] > 0.5) ? 1 : 0), 0) / p.length;
/** The exact ROC AUC: the chance that a positive pair scores above a negative one (ties half). */
function rankAuc(p, y) {
  const order = [...p.keys()].sort((i, j) => p[i] - p[j]);
  let negatives = 0, above = 0, positives = 0;
  for (let k = 0; k < order.length; ) {
    let end = k;
    while (end < order.length && p[order[end]] === p[order[k]]) end++;
    const pos = order.slice(k, end).filter((i) => y[i] > 0.5).length;
    above += pos * (negatives + (end - k - pos) / 2);
    positives += pos;
    negatives += end - k - pos;
    k = end;
  }
  return above / (positives * negatives);
}
const yTest = te.y.dataSync();
let failed = false;
const results = {};
for (const shared of [true, false]) {
  const m = network(shared, 3);
  // 'auc' is Keras 3's AUC(): a ranking over every pair of the set, accumulated over its batches.
  m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'binaryCrossentropy', metrics: ['accuracy', 'auc'] });
  const t0 = performance.now();
  await m.fit([tr.a, tr.b], tr.y, { epochs: EPOCHS, batchSize: 64, seed: 2, verbose: 0 });
  const secs = (performance.now() - t0) / 1000;
  const [p, swapped, pu] = tidy(() => [m.predict([te.a, te.b], { batchSize: 256 }).dataSync(), m.predict([te.b, te.a], { batchSize: 256 }).dataSync(), m.predict([un.a, un.b], { batchSize: 256 }).dataSync()]);
  const acc = accuracy(p, yTest);
  const accU = accuracy(pu, un.y.dataSync());
  const symmetric = p.every((v, i) => Object.is(v, swapped[i]));
  const [, , aucU] = tidy(() => m.evaluate([un.a, un.b], un.y, { batchSize: 256 }).map((t) => t.dataSync()[0]));
  const exact = rankAuc(pu, un.y.dataSync());
  results[m.name] = acc;
  // Keras's AUC sums over 200 thresholds: within a hundredth of the exact one.
  if (Math.abs(aucU - exact) > 0.01) {
    console.log(`FAILED: the 'auc' metric ${aucU} is not the exact ROC AUC ${exact} of the predictions`);
    failed = true;
  }
  console.log(`${m.name.padEnd(8)} (${m.countParams()} weights, ${EPOCHS} epochs over ${PAIRS} pairs in ${secs.toFixed(1)} s): ${(100 * acc).toFixed(2)} % of ${te.n} held-out pairs right, ${(100 * accU).toFixed(2)} % of pairs of digits never trained on (7, 8, 9), AUC ${aucU.toFixed(3)} there (exact ${exact.toFixed(3)}); swapped pairs give ${symmetric ? 'the same bits' : `other answers (${p.filter((v, i) => (v > 0.5) !== (swapped[i] > 0.5)).length} flip)`}`);
  if (shared && !symmetric) {
    console.log('FAILED: the shared encoder answers a swapped pair differently');
    failed = true;
  }
  m.dispose();
}
if (results.shared < ACCURACY_GOAL) {
  console.log(`FAILED: the shared encoder's accuracy ${results.shared} is below ${ACCURACY_GOAL}`);
  failed = true;
}
for (const t of [tr.a, tr.b, tr.y, te.a, te.b, te.y, un.a, un.b, un.y]) t.dispose();
if (failed) process.exit(1);
console.log('ok');
