/**
 * A loss function's result of any shape (TF.js's `fit` and `evaluate` take the mean of what it
 * returns: tfjs-layers 4.22 `engine/training.js`, `tfc.mean(lossFunction(targets[i], outputs[i]))`,
 * and `computeWeightedLoss`, `mul(losses, sampleWeights)`, with weights), compared live with
 * TF.js from the same weights; a loss function whose own gradient is not finite (sqrt at 0)
 * named as such; trainOnBatch's errors from the update begin with trainOnBatch alone.
 */
import { describe, expect, it } from 'vitest';
import { tf, copyLayerWeights, rng } from './oracle.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { expectClose } from './setup.js';
import * as nr from '../ts/index.js';

const N = 23; // batches of 8: 8, 8, 7
const IN = 5;
const OUT = 3;

function data(seed: number, n = N): { x: Float32Array; y: Float32Array } {
  const r = rng(seed);
  return { x: Float32Array.from({ length: n * IN }, () => r() * 2 - 1), y: Float32Array.from({ length: n * OUT }, () => r() * 2 - 1) };
}

function pair() {
  const n = nr.sequential({ seed: 7, layers: [nr.layers.dense({ units: 8, activation: 'tanh', inputShape: [IN] }), nr.layers.dense({ units: OUT })] });
  n.build();
  const t = tfl.sequential({ layers: [tfl.layers.dense({ units: 8, activation: 'tanh', inputShape: [IN] }), tfl.layers.dense({ units: OUT })] });
  copyLayerWeights(n, t);
  return { n, t };
}

// Two values per sample, stacked along the batch axis: [2n] for a batch of n (an NT-Xent's
// per-row losses of both views have this shape).
const nrTwoRows = function twoRows(yTrue: nr.Tensor, yPred: nr.Tensor): nr.Tensor {
  const d = nr.sub(yPred, yTrue);
  return nr.concat([nr.mean(nr.square(d), -1), nr.mean(nr.abs(d), -1)], 0);
};
const tfTwoRows = function twoRows(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  const d = tf.sub(yPred, yTrue);
  return tf.concat([tf.mean(tf.square(d), -1), tf.mean(tf.abs(d), -1)], 0);
};
// A metric of shape [2n] too (TF.js: mean(metric(yTrue, yPred))).
const nrTwoRowsMetric = function spread(yTrue: nr.Tensor, yPred: nr.Tensor): nr.Tensor {
  return nr.concat([nr.max(nr.abs(nr.sub(yPred, yTrue)), -1), nr.min(yPred, -1)], 0);
};
const tfTwoRowsMetric = function spread(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.concat([tf.max(tf.abs(tf.sub(yPred, yTrue)), -1), tf.min(yPred, -1)], 0);
};

describe('a loss function of another shape than one value per sample', () => {
  it('[2n] per batch of n: fit and evaluate take its mean, as TF.js (weights, history, val_*, evaluate)', async () => {
    const { n, t } = pair();
    const { x, y } = data(3);
    const v = data(4, 9);
    n.compile({ optimizer: nr.optimizers.adam(0.01), loss: nrTwoRows, metrics: [nrTwoRowsMetric] });
    t.compile({ optimizer: tf.train.adam(0.01), loss: tfTwoRows, metrics: [tfTwoRowsMetric] });
    const [nx, ny, nvx, nvy] = [nr.tensor(x, [N, IN]), nr.tensor(y, [N, OUT]), nr.tensor(v.x, [9, IN]), nr.tensor(v.y, [9, OUT])];
    const [tx, ty, tvx, tvy] = [tf.tensor(x, [N, IN]), tf.tensor(y, [N, OUT]), tf.tensor(v.x, [9, IN]), tf.tensor(v.y, [9, OUT])];
    const ours = await n.fit(nx, ny, { epochs: 3, batchSize: 8, shuffle: false, validationData: [nvx, nvy], verbose: 0 });
    const theirs = await t.fit(tx, ty, { epochs: 3, batchSize: 8, shuffle: false, validationData: [tvx, tvy], verbose: 0 });
    const w = n.getWeights();
    const tw = t.getWeights();
    w.forEach((a, i) => expectClose(a.data(), tw[i].dataSync(), 2e-5));
    expect(Object.keys(ours.history).sort()).toEqual(Object.keys(theirs.history).sort());
    for (const k of Object.keys(theirs.history)) expectClose(ours.history[k], theirs.history[k] as number[], 2e-5);
    const e = n.evaluate(nvx, nvy, { batchSize: 4 }) as nr.Tensor[];
    const te = t.evaluate(tvx, tvy, { batchSize: 4 }) as tf.Tensor[];
    e.forEach((s, i) => expectClose([s.item()], [te[i].dataSync()[0]], 2e-5));
    nr.dispose([...w, ...e, nx, ny, nvx, nvy, n]);
    tf.dispose([tx, ty, tvx, tvy, ...te]);
    t.dispose();
  });

  it('with sampleWeight or classWeight it still needs one value per sample, and says why', async () => {
    const { n, t } = pair();
    t.dispose();
    const { x, y } = data(5);
    const [nx, ny] = [nr.tensor(x, [N, IN]), nr.tensor(y, [N, OUT])];
    n.compile({ optimizer: 'sgd', loss: nrTwoRows });
    const tensors = nr.memory().numTensors;
    await expect(n.fit(nx, ny, { batchSize: 8, verbose: 0, sampleWeight: Array.from({ length: N }, () => 1) })).rejects.toThrow(
      /^fit: the loss function 'twoRows' returned a tensor of shape \[16\] for a batch of 8 samples \(yTrue \[8,3\], yPred \[8,3\]\); with sampleWeight or classWeight it must return one value per sample \(shape \[8\] or \[8, …\]\) or a scalar, for each sample's weight to multiply its values \(without weights a result of any shape is averaged\)$/,
    );
    expect(nr.memory().numTensors).toBe(tensors);
    nr.dispose([nx, ny, n]);
  });
});

describe("a loss function whose own gradient is not finite (sqrt at 0) is named, not a layer's weight", () => {
  const E = 4;
  // The Euclidean distance between two embeddings: sqrt(0) has no finite derivative, so
  // equal embeddings give a NaN gradient with respect to yPred though the loss is 0.
  const dist = function dist(_t: nr.Tensor, p: nr.Tensor): nr.Tensor {
    return nr.sqrt(nr.sum(nr.square(nr.sub(nr.slice(p, [0, 0], [-1, E]), nr.slice(p, [0, E], [-1, E]))), -1));
  };
  function siamese() {
    const a = nr.input({ shape: [6], name: 'anchor' }), b = nr.input({ shape: [6], name: 'positive' });
    const d = nr.layers.dense({ units: E, name: 'enc' });
    const m = nr.model({ inputs: [a, b], outputs: nr.layers.concatenate().apply([d.apply(a), d.apply(b)]), seed: 1 });
    m.compile({ optimizer: nr.optimizers.sgd(0.1), loss: dist });
    return m;
  }
  const said = /^(fit|trainOnBatch): the gradient of the loss function 'dist' with respect to yPred is NaN at sample 0, position \[0\] of yPred \[8,8\], though its value is finite \(the loss itself is 0\); nothing was updated\. An op in the function has no finite derivative there, most often sqrt or a norm at 0 .*sqrt\(add\(sumOfSquares, 1e-12\)\)/;

  it("fit and trainOnBatch say so, keep the weights, leak nothing; trainOnBatch's cause is the core's error", async () => {
    const m = siamese();
    const x = nr.randomUniform([8, 6], { seed: 1 });
    const y = nr.zeros([8, 1]);
    const before = m.getWeights().map((w) => w.data());
    const tensors = nr.memory().numTensors;
    const e = await m.fit([x, x], y, { epochs: 1, batchSize: 8, verbose: 0 }).then(() => null, (err: Error) => err);
    expect(e).toBeInstanceOf(nr.NonFiniteError);
    expect(e!.message).toMatch(said);
    expect(e!.message.startsWith('fit: ')).toBe(true);
    let t: Error | null = null;
    try {
      m.trainOnBatch([x, x], y);
    } catch (err) {
      t = err as Error;
    }
    expect(t?.message).toMatch(said);
    expect(t!.message.startsWith('trainOnBatch: ')).toBe(true);
    expect((t!.cause as Error).message).toMatch(/^trainOnBatch: a gradient of `kernel` of layer 'enc' is not finite/);
    expect(nr.memory().numTensors).toBe(tensors);
    const after = m.getWeights().map((w) => w.data());
    before.forEach((w, i) => expect(Array.from(after[i])).toEqual(Array.from(w)));
    nr.dispose([x, y, m]);
  });

  it("a weight's gradient not finite with a finite dL/dyPred is still the core's message, once prefixed with trainOnBatch", () => {
    // dL/dyPred = 3e38 · cos(yPred) / n: finite; the kernel's, Σ x · dL/dyPred with x = 100, overflows.
    const big = function big(_t: nr.Tensor, p: nr.Tensor): nr.Tensor {
      return nr.mul(nr.mean(nr.sin(p)), 3e38);
    };
    const m = nr.sequential({ seed: 3, layers: [nr.layers.dense({ units: 1, inputShape: [1], name: 'lin' })] });
    m.compile({ optimizer: 'sgd', loss: big });
    const x = nr.fill([4, 1], 100);
    const y = nr.zeros([4, 1]);
    expect(() => m.trainOnBatch(x, y)).toThrow(/^trainOnBatch: a gradient of `kernel` of layer .*is not finite/);
    nr.dispose([x, y, m]);
  });
});
