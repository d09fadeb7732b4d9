/**
 * `compile` with a loss function and metric functions (TF.js's `compile({ loss: fn, metrics:
 * [fn, 'precision'] })`): against TF.js Layers trained from the same weights on the same data
 * (SGD and Adam, a partial last batch), the losses computed in closed form, the error paths,
 * memory, saving.
 */
import { describe, expect, it } from 'vitest';
import { tf, copyLayerWeights, rng } from './oracle.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { expectClose } from './setup.js';
import * as nr from '../ts/index.js';

const N = 23; // batches of 8: 8, 8, 7
const IN = 5;
const OUT = 3;

function data(seed: number, n = N, out = OUT): { x: Float32Array; y: Float32Array } {
  const r = rng(seed);
  return { x: Float32Array.from({ length: n * IN }, () => r() * 2 - 1), y: Float32Array.from({ length: n * out }, () => r() * 2 - 1) };
}

/** A neurite model and a TF.js model with the same weights (dense 8 tanh, dense OUT linear). */
function pair(out = OUT, act: 'linear' | 'sigmoid' = 'linear') {
  const n = nr.sequential({ seed: 7, layers: [nr.layers.dense({ units: 8, activation: 'tanh', inputShape: [IN] }), nr.layers.dense({ units: out, activation: act })] });
  n.build();
  const t = tfl.sequential({ layers: [tfl.layers.dense({ units: 8, activation: 'tanh', inputShape: [IN] }), tfl.layers.dense({ units: out, activation: act })] });
  copyLayerWeights(n, t);
  return { n, t };
}

// The same expressions in both libraries.
const nrWeightedMse = function weightedMse(yTrue: nr.Tensor, yPred: nr.Tensor): nr.Tensor {
  return nr.mean(nr.mul(nr.square(nr.sub(yPred, yTrue)), nr.tensor([1, 2, 0.5])), -1);
};
const tfWeightedMse = function weightedMse(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.mean(tf.mul(tf.square(tf.sub(yPred, yTrue)), tf.tensor([1, 2, 0.5])), -1);
};
// Huber-like (pseudo-Huber, delta 0.5), summed over axis 1.
const nrPseudoHuber = function pseudoHuber(yTrue: nr.Tensor, yPred: nr.Tensor): nr.Tensor {
  const d = nr.div(nr.sub(yPred, yTrue), 0.5);
  return nr.sum(nr.mul(0.25, nr.sub(nr.sqrt(nr.add(1, nr.square(d))), 1)), 1);
};
const tfPseudoHuber = function pseudoHuber(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  const d = tf.div(tf.sub(yPred, yTrue), 0.5);
  return tf.sum(tf.mul(0.25, tf.sub(tf.sqrt(tf.add(1, tf.square(d))), 1)), 1);
};
const nrMaxErr = function maxErr(yTrue: nr.Tensor, yPred: nr.Tensor): nr.Tensor {
  return nr.max(nr.abs(nr.sub(yPred, yTrue)), -1);
};
const tfMaxErr = function maxErr(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.max(tf.abs(tf.sub(yPred, yTrue)), -1);
};

async function against(opts: { nrOpt: () => nr.Optimizer; tfOpt: () => tf.Optimizer; nrLoss: nr.LossFunction; tfLoss: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor; epochs: number }) {
  const { n, t } = pair();
  const { x, y } = data(3);
  const v = data(4, 9);
  n.compile({ optimizer: opts.nrOpt(), loss: opts.nrLoss, metrics: [nrMaxErr, 'mae'] });
  t.compile({ optimizer: opts.tfOpt(), loss: opts.tfLoss, metrics: [tfMaxErr, 'mae'] });
  const [nx, ny, nvx, nvy] = [nr.tensor(x, [N, IN]), nr.tensor(y, [N, OUT]), nr.tensor(v.x, [9, IN]), nr.tensor(v.y, [9, OUT])];
  const [tx, ty, tvx, tvy] = [tf.tensor(x, [N, IN]), tf.tensor(y, [N, OUT]), tf.tensor(v.x, [9, IN]), tf.tensor(v.y, [9, OUT])];
  const ours = await n.fit(nx, ny, { epochs: opts.epochs, batchSize: 8, shuffle: false, validationData: [nvx, nvy], verbose: 0 });
  const theirs = await t.fit(tx, ty, { epochs: opts.epochs, batchSize: 8, shuffle: false, validationData: [tvx, tvy], verbose: 0 });
  const w = n.getWeights();
  const tw = t.getWeights();
  w.forEach((a, i) => expectClose(a.data(), tw[i].dataSync(), 2e-5));
  expect(Object.keys(ours.history).sort()).toEqual(Object.keys(theirs.history).sort());
  for (const k of Object.keys(theirs.history)) expectClose(ours.history[k], theirs.history[k] as number[], 2e-5);
  nr.dispose([...w, nx, ny, nvx, nvy, n]);
  tf.dispose([tx, ty, tvx, tvy]);
  t.dispose();
}

describe('compile({ loss: fn }) against TF.js', () => {
  it('weighted MSE, SGD: weights and history (loss, a metric function, mae, val_*) after 4 epochs', () =>
    against({ nrOpt: () => nr.optimizers.sgd(0.1), tfOpt: () => tf.train.sgd(0.1), nrLoss: nrWeightedMse, tfLoss: tfWeightedMse, epochs: 4 }));
  it('pseudo-Huber summed over axis 1, Adam', () =>
    against({ nrOpt: () => nr.optimizers.adam(0.01), tfOpt: () => tf.train.adam(0.01), nrLoss: nrPseudoHuber, tfLoss: tfPseudoHuber, epochs: 3 }));
});
