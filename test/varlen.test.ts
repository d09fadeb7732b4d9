// Unknown (null) per-sample sizes: `inputShape: [null]` for an embedding, `[null, c]` for conv1d
// and pooling, `input({ shape: [null] })`, Keras's `batch_input_shape: [null, null]`. Each call
// takes its own length; against TF.js Layers with copied weights (predict at lengths 1, 3, 7
// and 20, fits alternating lengths), and the refusals TF.js makes, named.
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { close, copyLayerWeights, rng, tf, tfArtifacts, tokenIds, uniform } from './oracle.js';
import * as nr from '../ts/index.js';

const LENGTHS = [1, 3, 7, 20];

/** Predictions of both at every length, and 3 epochs of fit alternating lengths (losses and weights). */
async function expectAsTfjs(name: string, n: nr.Sequential, t: tfl.LayersModel, sample: (r: () => number, rows: number, len: number) => { x: number[]; shape: number[] }, classes: number): Promise<void> {
  copyLayerWeights(n, t);
  const r = rng(7);
  for (const len of LENGTHS) {
    const { x, shape } = sample(r, 3, len);
    const got = nr.tidy(() => n.predict(nr.tensor(x, shape)).data());
    const want = tf.tidy(() => (t.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync());
    close(got, want, 1e-5, `${name}: predict at length ${len}`);
  }
  n.compile({ optimizer: nr.train.sgd(0.1), loss: 'sparseCategoricalCrossentropy' });
  t.compile({ optimizer: tf.train.sgd(0.1), loss: 'sparseCategoricalCrossentropy' });
  for (const [epoch, len] of [7, 1, 20].entries()) {
    const { x, shape } = sample(r, 5, len);
    const y = Array.from({ length: 5 }, () => Math.floor(r() * classes));
    const [xn, yn] = [nr.tensor(x, shape), nr.tensor(y, [5, 1])];
    const got = n.trainOnBatch(xn, yn) as number;
    nr.dispose([xn, yn]);
    const [tx, ty] = [tf.tensor(x, shape), tf.tensor(y, [5, 1])];
    const want = (await t.trainOnBatch(tx, ty)) as number;
    tf.dispose([tx, ty]);
    expect(Math.abs(got - want), `${name}: loss at step ${epoch} (length ${len}): ${got} vs ${want}`).toBeLessThan(1e-5);
  }
  const ws = n.getWeights();
  const wt = t.getWeights();
  ws.forEach((w, i) => close(w.dataSync(), wt[i].dataSync(), 1e-5, `${name}: weight ${i} after training`));
  nr.dispose(ws);
}

describe('unknown (null) sequence lengths', () => {
  it('an embedding + globalAveragePooling1d + dense text classifier: predict at lengths 1, 3, 7, 20 and training at alternating lengths as TF.js', async () => {
    const n = nr.sequential({ seed: 3, layers: [nr.layers.embedding({ inputDim: 10, outputDim: 4, inputShape: [null] }), nr.layers.globalAveragePooling1d(), nr.layers.dense({ units: 3, activation: 'softmax' })] });
    const t = tfl.sequential({ layers: [tfl.layers.embedding({ inputDim: 10, outputDim: 4, inputShape: [null] }), tfl.layers.globalAveragePooling1d(), tfl.layers.dense({ units: 3, activation: 'softmax' })] });
    expect(n.inputShape).toEqual([null, null]);
    // The layer's own inputShape too (it was [0], the core's stand-in for null), batch first.
    expect(n.layers[0].inputShape).toEqual([null, null]);
    expect(nr.layers.conv1d({ inputShape: [null, 2], filters: 1, kernelSize: 1 }).inputShape).toEqual([null, null, 2]);
    expect(nr.layers.dense({ batchInputShape: [null, 3], units: 1 }).inputShape).toEqual([null, 3]);
    expect(n.outputShape).toEqual(t.outputShape);
    expect(n.layers.map((l) => l.outputShape)).toEqual(t.layers.map((l) => l.outputShape));
    // TF.js's summary row of the embedding: output [null,null,4].
    expect(t.layers[0].outputShape).toEqual([null, null, 4]);
    expect(n.summary(null)).toMatch(/embedding.*\[null,null,4\]/);
    expect(n.summary(null)).toMatch(/globalAveragePooling1d_\d+ \(GlobalAveragePooling1D\) *\[null,4\]/);
    await expectAsTfjs('embedding text classifier', n, t, (r, rows, len) => ({ x: tokenIds(r, rows, len, 10), shape: [rows, len] }), 3);
    // Predict after training at another length still works, and fit (epochs, batches) too.
    const h = nr.tidy(() => n.predict(nr.tensor(tokenIds(rng(1), 2, 11, 10), [2, 11])).shape);
    expect(h).toEqual([2, 3]);
    n.dispose();
    t.dispose();
  });

  it('a causal conv1d + globalMaxPooling1d model on [null, 2] inputs: predict as TF.js ops, a same-padded one fits as TF.js Layers', async () => {
    const n = nr.sequential({ seed: 5, layers: [nr.layers.conv1d({ inputShape: [null, 2], filters: 4, kernelSize: 3, padding: 'causal', activation: 'relu' }), nr.layers.globalMaxPooling1d()] });
    expect(n.summary(null)).toMatch(/conv1d.*\[null,null,4\]/);
    const [W, b] = n.getWeights().map((w) => tf.tensor(w.dataSync(), [...w.shape]));
    const r = rng(11);
    for (const len of LENGTHS) {
      const x = uniform(r, 3 * len * 2, -2, 2);
      const got = nr.tidy(() => n.predict(nr.tensor(x, [3, len, 2])).data());
      const want = tf.tidy(() => tf.max(tf.relu(tf.add(tf.conv1d(tf.pad(tf.tensor3d(x, [3, len, 2]), [[0, 0], [2, 0], [0, 0]]), W as tf.Tensor3D, 1, 'valid'), b)), 1).dataSync());
      close(got, want, 1e-5, `causal conv1d at length ${len}`);
    }
    tf.dispose([W, b]);
    n.dispose();
    const m = nr.sequential({ seed: 6, layers: [nr.layers.conv1d({ inputShape: [null, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh' }), nr.layers.globalMaxPooling1d(), nr.layers.dense({ units: 2, activation: 'softmax' })] });
    const t = tfl.sequential({ layers: [tfl.layers.conv1d({ inputShape: [null, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh' }), tfl.layers.globalMaxPooling1d({}), tfl.layers.dense({ units: 2, activation: 'softmax' })] });
    await expectAsTfjs('conv1d + globalMaxPooling1d', m, t, (rr, rows, len) => ({ x: Array.from(uniform(rr, rows * len * 2, -2, 2)), shape: [rows, len, 2] }), 2);
    m.dispose();
    t.dispose();
  });

  it('a graph model with a null input (input({ shape: [null] })) predicts and fits as TF.js', async () => {
    const x = nr.input({ shape: [null] });
    expect(x.shape).toEqual([null, null]);
    const e = nr.layers.embedding({ inputDim: 12, outputDim: 3 }).apply(x) as nr.SymbolicTensor;
    expect(e.shape).toEqual([null, null, 3]);
    const y = nr.layers.dense({ units: 2, activation: 'softmax' }).apply(nr.layers.globalMaxPooling1d().apply(e) as nr.SymbolicTensor) as nr.SymbolicTensor;
    const n = nr.model({ inputs: x, outputs: y, seed: 2 });
    const tx = tfl.input({ shape: [null] });
    const ty = tfl.layers.dense({ units: 2, activation: 'softmax' }).apply(tfl.layers.globalMaxPooling1d({}).apply(tfl.layers.embedding({ inputDim: 12, outputDim: 3 }).apply(tx))) as tfl.SymbolicTensor;
    const t = tfl.model({ inputs: tx, outputs: ty });
    // TF.js's layers list starts with the input layer; neurite's too.
    expect(n.layers.length).toBe(t.layers.length);
    await expectAsTfjs('graph model', n, t, (r, rows, len) => ({ x: tokenIds(r, rows, len, 12), shape: [rows, len] }), 2);
    n.dispose();
    t.dispose();
  });

  it("a sequential model's symbolic chain has null sizes: model({ inputs: net.inputs, outputs: net.getLayer(name).output }) makes an encoder of any length, as TF.js", async () => {
    const n = nr.sequential({ layers: [
      nr.layers.embedding({ inputDim: 30, outputDim: 4, inputShape: [null], name: 'emb' }),
      nr.layers.conv1d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }),
      nr.layers.globalAveragePooling1d({ name: 'sent' }),
      nr.layers.dense({ units: 2, activation: 'softmax', name: 'out' }),
    ] });
    const t = tfl.sequential({ layers: [
      tfl.layers.embedding({ inputDim: 30, outputDim: 4, inputShape: [null], name: 'emb' }),
      tfl.layers.conv1d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }),
      tfl.layers.globalAveragePooling1d({ name: 'sent' }),
      tfl.layers.dense({ units: 2, activation: 'softmax', name: 'out' }),
    ] });
    copyLayerWeights(n, t);
    expect(n.inputs[0].shape).toEqual(t.inputs[0].shape);
    expect(n.outputs[0].shape).toEqual(t.outputs[0].shape);
    expect(n.getLayer('conv').output).toBeDefined();
    expect((n.getLayer('conv').output as nr.SymbolicTensor).shape).toEqual((t.getLayer('conv').output as tfl.SymbolicTensor).shape);
    const e = nr.model({ inputs: n.inputs, outputs: n.getLayer('sent').output as nr.SymbolicTensor });
    const te = tfl.model({ inputs: t.inputs, outputs: t.getLayer('sent').output as tfl.SymbolicTensor });
    const r = rng(3);
    for (const len of LENGTHS) {
      const x = tokenIds(r, 2, len, 30);
      const got = nr.tidy(() => e.predict(nr.tensor(x, [2, len])).data());
      const want = tf.tidy(() => (te.predict(tf.tensor(x, [2, len])) as tf.Tensor).dataSync());
      close(got, want, 1e-6, `encoder at length ${len}`);
    }
    e.dispose();
    n.dispose();
    t.dispose();
  });

  it('a fully convolutional conv2d net on [null, null, 1] images predicts at other sizes as TF.js', () => {
    const n = nr.sequential({ seed: 8, layers: [nr.layers.conv2d({ inputShape: [null, null, 1], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }), nr.layers.maxPooling2d({ poolSize: 2 }), nr.layers.globalAveragePooling2d(), nr.layers.dense({ units: 2 })] });
    const t = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [null, null, 1], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }), tfl.layers.maxPooling2d({ poolSize: 2 }), tfl.layers.globalAveragePooling2d({}), tfl.layers.dense({ units: 2 })] });
    expect(n.summary(null)).toMatch(/\[null,null,null,3\]/);
    copyLayerWeights(n, t);
    const r = rng(9);
    for (const [h, w] of [[2, 2], [5, 7], [9, 4]]) {
      const x = uniform(r, 2 * h * w, -2, 2);
      close(nr.tidy(() => n.predict(nr.tensor(x, [2, h, w, 1])).data()), tf.tidy(() => (t.predict(tf.tensor(x, [2, h, w, 1])) as tf.Tensor).dataSync()), 1e-5, `conv2d at ${h}x${w}`);
    }
    n.dispose();
    t.dispose();
  });

  it('fit and evaluate take any length per call; validation data may have another length', async () => {
    const n = nr.sequential({ seed: 1, layers: [nr.layers.embedding({ inputDim: 5, outputDim: 2, inputShape: [null] }), nr.layers.globalAveragePooling1d(), nr.layers.dense({ units: 1 })] });
    n.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const [x, y, vx, vy] = [nr.tensor(tokenIds(rng(2), 6, 4, 5), [6, 4]), nr.ones([6, 1]), nr.tensor(tokenIds(rng(3), 2, 9, 5), [2, 9]), nr.ones([2, 1])];
    const h = await n.fit(x, y, { epochs: 2, batchSize: 4, validationData: [vx, vy], verbose: 0 });
    expect(h.history.val_loss.length).toBe(2);
    const ev = n.evaluate(vx, vy) as nr.Tensor;
    expect(Number.isFinite(ev.dataSync()[0])).toBe(true);
    nr.dispose([x, y, vx, vy, ev]);
    // TF.js's build([null, null]): the batch, then an unknown length.
    const b = nr.sequential({ layers: [nr.layers.embedding({ inputDim: 5, outputDim: 2 }), nr.layers.globalMaxPooling1d()] });
    b.build([null, null]);
    expect([b.inputShape, b.outputShape]).toEqual([[null, null], [null, 2]]);
    b.dispose();
    // The known axes still must match; the unknown one takes any size from 1.
    const bad = nr.ones([2, 3, 1]);
    expect(() => n.predict(bad)).toThrow(/predict: expected input of shape \[batch,null\] \(the first dimension is the batch; null: any size from 1\), got \[2,3,1\]/);
    bad.dispose();
    n.dispose();
  });

  it('refuses a flatten of an unknown axis (as TF.js), a dense layer on one (TF.js: "Tensor must have a shape comprised of positive integers"), a sequence too short for a valid convolution (TF.js: NaN)', () => {
    const flat = () => nr.sequential({ layers: [nr.layers.embedding({ inputDim: 10, outputDim: 4, inputShape: [null] }), nr.layers.flatten(), nr.layers.dense({ units: 1 })] });
    expect(flat).toThrow(/The shape of the input to "Flatten" is not fully defined \(got \[null,4\]\)/);
    // A reshape with -1 takes the unknown axis there (TF.js: output [null, null]).
    const reshape = nr.sequential({ layers: [nr.layers.conv1d({ inputShape: [null, 2], filters: 2, kernelSize: 1 }), nr.layers.reshape({ targetShape: [-1] })] });
    expect(reshape.outputShape).toEqual([null, null]);
    const r5 = nr.ones([2, 5, 2]);
    expect(reshape.predict(r5).shape).toEqual([2, 10]);
    r5.dispose();
    reshape.dispose();
    const dense = () => nr.sequential({ layers: [nr.layers.embedding({ inputDim: 3, outputDim: 2, inputShape: [null] }), nr.layers.permute({ dims: [2, 1] }), nr.layers.dense({ units: 2 })] });
    expect(dense).toThrow(/add: sequential_\d+\.layers\[2\] \(dense dense_\d+\) cannot take per-sample input shape \[2,null\]: its weights depend on the size of the unknown \(null\) axis/);
    const x = nr.input({ shape: [null] });
    expect(() => nr.layers.flatten().apply(nr.layers.embedding({ inputDim: 3, outputDim: 2 }).apply(x) as nr.SymbolicTensor)).toThrow(/The shape of the input to "Flatten" is not fully defined \(got \[null,2\]\)/);
    const conv = nr.sequential({ layers: [nr.layers.conv1d({ inputShape: [null, 1], filters: 1, kernelSize: 3 }), nr.layers.globalMaxPooling1d()] });
    const short = nr.ones([1, 2, 1]);
    expect(() => conv.predict(short)).toThrow(/predict: x of shape \[1,2,1\] \(per-sample \[2,1\], input shape \[null,1\]\) does not fit the model: layer 'conv1d_\d+' \(conv1d, per-sample input shape \[null, 1\]\) cannot take \[2, 1\]: kernelSize 3 needs sequences of at least 3 steps with padding 'valid', got 2 \(per-sample input \[2, 1\]\); use padding 'same' or 'causal', a smaller kernelSize or longer sequences$/);
    const ok = nr.ones([1, 3, 1]);
    expect(conv.predict(ok).shape).toEqual([1, 1]);
    nr.dispose([short, ok]);
    conv.dispose();
  });

  it('saves null, and TF.js\'s batch_input_shape [null, null] loads and runs (Keras 3\'s: keras3-json.test.ts)', async () => {
    const t = tfl.sequential({ layers: [tfl.layers.embedding({ inputDim: 10, outputDim: 4, inputShape: [null] }), tfl.layers.globalAveragePooling1d(), tfl.layers.dense({ units: 2 })] });
    const a = await tfArtifacts(t);
    const layers = (a.modelTopology as { config: { layers: Array<{ config: { batch_input_shape?: unknown } }> } }).config.layers;
    expect(layers[0].config.batch_input_shape).toEqual([null, null]);
    const n = (await nr.loadModel(a as nr.ModelArtifacts)) as nr.Sequential;
    expect(n.inputShape).toEqual([null, null]);
    const r = rng(4);
    for (const len of [1, 6]) {
      const x = tokenIds(r, 2, len, 10);
      close(nr.tidy(() => n.predict(nr.tensor(x, [2, len])).data()), tf.tidy(() => (t.predict(tf.tensor(x, [2, len])) as tf.Tensor).dataSync()), 1e-5, `loaded at length ${len}`);
    }
    const back = await n.toArtifacts();
    const first = (back.modelTopology as { config: { layers: Array<{ config: { batch_input_shape?: unknown } }> } }).config.layers[0].config;
    expect(first.batch_input_shape).toEqual([null, null]);
    const t2 = await tfl.loadLayersModel(tf.io.fromMemory(back as tf.io.ModelArtifacts));
    const x = tokenIds(r, 2, 5, 10);
    close(nr.tidy(() => n.predict(nr.tensor(x, [2, 5])).data()), tf.tidy(() => (t2.predict(tf.tensor(x, [2, 5])) as tf.Tensor).dataSync()), 1e-5, 'TF.js loads neurite\'s file');
    n.dispose();
    t.dispose();
    t2.dispose();
  });
});
