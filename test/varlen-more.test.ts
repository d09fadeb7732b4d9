// Unknown (null) sequence lengths, continued: merge layers on one input of any length (a
// residual conv1d block, dot-product self-attention), an embedding given no input shape (TF.js's
// batchInputShape [null, null]), a sequence too short for a named 'valid' window, the halves of
// an autoencoder of any length (encode, decode, encodeDistribution) and a text autoencoder's
// fit(x) with sparse targets. Against TF.js Layers with copied weights (by layer name): predict
// at lengths 1, 3, 7 and 20, trainOnBatch at alternating lengths, losses and weights ≤ 1e-5.
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { close, copyWeights, rng, tf, tfArtifacts, tokenIds, uniform } from './oracle.js';
import * as nr from '../ts/index.js';

const LENGTHS = [1, 3, 7, 20];

/**
 * Predictions of both at every length, then three trainOnBatch steps at lengths 7, 1, 20
 * (sparse class targets): each loss, and every weight after them, by layer name.
 */
async function expectAsTfjs(name: string, n: nr.Sequential, t: tfl.LayersModel, vocab: number, classes: number): Promise<void> {
  copyWeights(n, t);
  const r = rng(7);
  for (const len of LENGTHS) {
    const x = tokenIds(r, 3, len, vocab);
    const got = nr.tidy(() => (n.predict(nr.tensor(x, [3, len])) as nr.Tensor).data());
    const want = tf.tidy(() => (t.predict(tf.tensor(x, [3, len])) as tf.Tensor).dataSync());
    close(got, want, 1e-5, `${name}: predict at length ${len}`);
  }
  n.compile({ optimizer: nr.train.sgd(0.3), loss: 'sparseCategoricalCrossentropy' });
  t.compile({ optimizer: tf.train.sgd(0.3), loss: 'sparseCategoricalCrossentropy' });
  for (const [step, len] of [7, 1, 20].entries()) {
    const x = tokenIds(r, 5, len, vocab);
    const y = tokenIds(r, 5, 1, classes);
    const [xn, yn] = [nr.tensor(x, [5, len]), nr.tensor(y, [5, 1])];
    const got = n.trainOnBatch(xn, yn) as number;
    nr.dispose([xn, yn]);
    const [tx, ty] = [tf.tensor(x, [5, len]), tf.tensor(y, [5, 1])];
    const want = (await t.trainOnBatch(tx, ty)) as number;
    tf.dispose([tx, ty]);
    expect(Math.abs(got - want), `${name}: loss at step ${step} (length ${len}): ${got} vs ${want}`).toBeLessThan(1e-5);
  }
  for (const l of n.layers.filter((k) => k.countParams() > 0)) {
    const ws = l.getWeights();
    const wt = t.getLayer(l.name).getWeights();
    expect(ws.length, `${name}: ${l.name}`).toBe(wt.length);
    ws.forEach((w, i) => close(w.dataSync(), wt[i].dataSync(), 1e-5, `${name}: ${l.name} weight ${i} after training`));
    nr.dispose(ws);
  }
}

// The layer factories both libraries share, typed loosely for one builder of both graphs.
type Lib = { input: (a: { shape: Array<number | null> }) => unknown; layers: Record<string, (a: Record<string, unknown>) => { apply: (x: unknown) => unknown }> };
const NR = nr as unknown as Lib;
const TF = tfl as unknown as Lib;

describe('unknown (null) sequence lengths: merges, no input shape, errors, autoencoders', () => {
  it('a residual conv1d block (add) on one input of any length: shapes, predict at lengths 1, 3, 7, 20 and trainOnBatch at alternating lengths as TF.js', async () => {
    const build = (L: Lib): { x: unknown; y: unknown } => {
      const x = L.input({ shape: [null] });
      const h = L.layers.embedding({ inputDim: 13, outputDim: 6, name: 'emb' }).apply(x);
      const c = L.layers.conv1d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }).apply(h);
      const s = L.layers.add({ name: 'res' }).apply([h, c]);
      const m = L.layers.multiply({ name: 'gate' }).apply([s, h]);
      const cat = L.layers.concatenate({ axis: 1, name: 'cat' }).apply([s, m]); // [2t, 6]: along the unknown axis
      const p = L.layers.globalMaxPooling1d({ name: 'pool' }).apply(cat);
      return { x, y: L.layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(p) };
    };
    const a = build(NR);
    const b = build(TF);
    const n = nr.model({ inputs: a.x as nr.SymbolicTensor, outputs: a.y as nr.SymbolicTensor, seed: 3 });
    const t = tfl.model({ inputs: b.x as tfl.SymbolicTensor, outputs: b.y as tfl.SymbolicTensor });
    for (const name of ['res', 'gate', 'cat']) expect(n.getLayer(name).outputShape, name).toEqual(t.getLayer(name).outputShape);
    expect(n.getLayer('cat').outputShape).toEqual([null, null, 6]);
    await expectAsTfjs('residual conv1d block', n, t, 13, 3);
    n.dispose();
    t.dispose();
  });

  it('dot-product self-attention on one input of any length (dot axes 2 → [null, null, null], softmax, dot [2, 1]): predict and trainOnBatch as TF.js', async () => {
    const build = (L: Lib): { x: unknown; y: unknown } => {
      const x = L.input({ shape: [null] });
      const h = L.layers.embedding({ inputDim: 11, outputDim: 4, name: 'emb' }).apply(x);
      const q = L.layers.dense({ units: 4, name: 'q' }).apply(h);
      const scores = L.layers.dot({ axes: 2, name: 'scores' }).apply([q, h]); // [t, t]
      const attn = L.layers.activation({ activation: 'softmax', name: 'attn' }).apply(scores);
      const ctx = L.layers.dot({ axes: [2, 1], name: 'ctx' }).apply([attn, h]); // [t, 4]
      const p = L.layers.globalAveragePooling1d({ name: 'pool' }).apply(ctx);
      return { x, y: L.layers.dense({ units: 2, activation: 'softmax', name: 'out' }).apply(p) };
    };
    const a = build(NR);
    const b = build(TF);
    const n = nr.model({ inputs: a.x as nr.SymbolicTensor, outputs: a.y as nr.SymbolicTensor, seed: 4 });
    const t = tfl.model({ inputs: b.x as tfl.SymbolicTensor, outputs: b.y as tfl.SymbolicTensor });
    // Keras 3 builds Dot(axes=2) on (None, None, 8) as (None, None, None); TF.js too.
    expect(n.getLayer('scores').outputShape).toEqual([null, null, null]);
    expect(n.getLayer('scores').outputShape).toEqual(t.getLayer('scores').outputShape);
    expect(n.getLayer('ctx').outputShape).toEqual(t.getLayer('ctx').outputShape);
    await expectAsTfjs('self-attention', n, t, 11, 2);
    n.dispose();
    t.dispose();
  });

  it('an embedding given no input shape takes sequences of any length, as TF.js (its batchInputShape is [null, null]); other first layers without one are asked for inputShape, [null, c] for sequences', async () => {
    const t0 = tfl.layers.embedding({ inputDim: 9, outputDim: 4 });
    expect(t0.batchInputShape).toEqual([null, null]);
    // Named as TF.js's generated name, for copyByName.
    const n = nr.sequential({ seed: 8, layers: [nr.layers.embedding({ inputDim: 9, outputDim: 4, name: t0.name }), nr.layers.conv1d({ filters: 3, kernelSize: 2, name: 'conv' }), nr.layers.globalMaxPooling1d({ name: 'pool' }), nr.layers.dense({ units: 2, activation: 'softmax', name: 'out' })] });
    const t = tfl.sequential({ layers: [t0, tfl.layers.conv1d({ filters: 3, kernelSize: 2, name: 'conv' }), tfl.layers.globalMaxPooling1d({ name: 'pool' }), tfl.layers.dense({ units: 2, activation: 'softmax', name: 'out' })] });
    expect(n.predict(nr.zeros([1, 4])).shape).toEqual([1, 2]); // builds on the first call
    expect(n.inputShape).toEqual(t.inputs[0].shape);
    expect(n.outputShape).toEqual(t.outputShape);
    // The length 1 is too short for the valid kernel of 2 in both; the rest as TF.js.
    for (const len of [2, 3, 7, 20]) {
      const x = tokenIds(rng(len), 3, len, 9);
      copyWeights(n, t);
      const got = nr.tidy(() => n.predict(nr.tensor(x, [3, len])).data());
      const want = tf.tidy(() => (t.predict(tf.tensor(x, [3, len])) as tf.Tensor).dataSync());
      close(got, want, 1e-5, `no input shape: predict at length ${len}`);
    }
    n.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const h = await n.fit(nr.tensor(tokenIds(rng(2), 4, 6, 9), [4, 6]), nr.tensor([0, 1, 1, 0], [4, 1]), { epochs: 1, verbose: 0 });
    expect(h.history.loss[0]).toBeGreaterThan(0);
    n.dispose();
    t.dispose();
    // An autoencoder-like nesting: the model nested first has no input shape either.
    const inner = nr.sequential({ layers: [nr.layers.embedding({ inputDim: 9, outputDim: 4 }), nr.layers.globalAveragePooling1d()] });
    const outer = nr.sequential({ layers: [inner, nr.layers.dense({ units: 1 })] });
    expect(outer.predict(nr.zeros([2, 5])).shape).toEqual([2, 1]);
    expect(outer.predict(nr.zeros([2, 1])).shape).toEqual([2, 1]);
    expect(outer.inputShape).toEqual([null, null]);
    outer.dispose();
    // Still built for a length given.
    const fixed = nr.sequential({ layers: [nr.layers.embedding({ inputDim: 9, outputDim: 4, inputLength: 5 }), nr.layers.flatten()] });
    expect(fixed.outputShape).toEqual([null, 20]);
    fixed.dispose();
    // TF.js refuses a first layer without one when it is added; neurite when it must build.
    expect(() => tfl.sequential({ layers: [tfl.layers.conv1d({ filters: 2, kernelSize: 2 })] })).toThrow(/must get an `inputShape`/);
    const c = nr.sequential({ layers: [nr.layers.conv1d({ filters: 2, kernelSize: 2 })] });
    expect(() => c.predict(nr.zeros([1, 5, 3]))).toThrow(/^predict: model sequential_\d+ does not know its input shape; give the first layer an inputShape, e.g. layers\.conv1d\(\{ inputShape: \[100, 8\], … \}\), or inputShape: \[null, 8\] for sequences of any length/);
    c.dispose();
    const d = nr.sequential({ layers: [nr.layers.dense({ units: 2 })] });
    expect(() => d.predict(nr.zeros([1, 5]))).toThrow(/give the first layer an inputShape, e.g. layers\.dense\(\{ inputShape: \[784\], … \}\) \(TF\.js/);
    d.dispose();
  });

  it("a sequence too short for a 'valid' conv1d or pooling names the layer and says the length its window needs", () => {
    const net = nr.sequential({ layers: [
      nr.layers.embedding({ inputDim: 28, outputDim: 8, inputShape: [null], name: 'chars' }),
      nr.layers.conv1d({ filters: 8, kernelSize: 3, padding: 'same', name: 'conv_a' }),
      nr.layers.conv1d({ filters: 8, kernelSize: 3, padding: 'valid', name: 'conv_b' }),
      nr.layers.conv1d({ filters: 8, kernelSize: 3, dilationRate: 2, name: 'conv_c' }),
      nr.layers.maxPooling1d({ poolSize: 4, name: 'pool_d' }),
      nr.layers.globalMaxPooling1d(),
    ] });
    // 7 steps: conv_b leaves 5, conv_c (a window of 5) 1, pool_d needs 4.
    for (const [len, layer, rule] of [
      [3, "layer 'conv_c' (conv1d, per-sample input shape [null, 8]) cannot take [1, 8]", 'kernelSize 3 at dilationRate 2 needs sequences of at least 5 steps with padding \'valid\', got 1'],
      [7, "layer 'pool_d' (maxPooling1d, per-sample input shape [null, 8]) cannot take [1, 8]", "poolSize 4 needs sequences of at least 4 steps with padding 'valid', got 1 (per-sample input [1, 8]); use padding 'same', a smaller poolSize or longer sequences"],
      [2, "layer 'conv_b' (conv1d, per-sample input shape [null, 8]) cannot take [2, 8]", "kernelSize 3 needs sequences of at least 3 steps with padding 'valid', got 2 (per-sample input [2, 8]); use padding 'same' or 'causal', a smaller kernelSize or longer sequences"],
    ] as const) {
      const x = nr.zeros([1, len]);
      expect(() => net.predict(x), `length ${len}`).toThrow(`predict: x of shape [1,${len}] (per-sample [${len}], input shape [null]) does not fit the model: ${layer}: ${rule}`);
      x.dispose();
    }
    expect(net.predict(nr.zeros([1, 10])).shape).toEqual([1, 8]);
    net.dispose();
  });

  it('an autoencoder of unknown length (conv1d encoder and decoder): encode, decode, predict, trainOnBatch, fit and evaluate at lengths 4, 9, 20 as the same computation in TF.js', async () => {
    const encoder = nr.sequential({ layers: [nr.layers.conv1d({ inputShape: [null, 1], filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', name: 'enc' })] });
    const decoder = nr.sequential({ layers: [nr.layers.conv1d({ inputShape: [null, 3], filters: 1, kernelSize: 3, padding: 'same', name: 'dec' })] });
    const ae = nr.autoencoder({ encoder, decoder, seed: 2 });
    expect(ae.inputShape).toEqual([null, null, 1]);
    const te = tfl.sequential({ layers: [tfl.layers.conv1d({ inputShape: [null, 1], filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', name: 'enc' })] });
    const td = tfl.sequential({ layers: [tfl.layers.conv1d({ inputShape: [null, 3], filters: 1, kernelSize: 3, padding: 'same', name: 'dec' })] });
    const t = tfl.sequential({ layers: [te, td] });
    const sync = (): void => {
      copyWeights(encoder, te);
      copyWeights(decoder, td);
    };
    ae.build();
    sync();
    const r = rng(3);
    const series = (rows: number, len: number): number[] => Array.from(uniform(r, rows * len, -1, 1));
    for (const len of [4, 9, 20, 1]) {
      const x = series(2, len);
      const [xn, tx] = [nr.tensor(x, [2, len, 1]), tf.tensor(x, [2, len, 1])];
      const code = ae.encode(xn);
      expect(code.shape).toEqual([2, len, 3]);
      close(code.dataSync(), tf.tidy(() => (te.predict(tx) as tf.Tensor).dataSync()), 1e-5, `encode at length ${len}`);
      const back = ae.decode(code);
      close(back.dataSync(), tf.tidy(() => (t.predict(tx) as tf.Tensor).dataSync()), 1e-5, `decode at length ${len}`);
      close(nr.tidy(() => ae.predict(xn).data()), back.dataSync(), 1e-7, `predict at length ${len}`);
      close(nr.tidy(() => ae.reconstruct(xn).data()), back.dataSync(), 1e-7, `reconstruct at length ${len}`);
      // The encoder and decoder on their own, at the same length.
      close(nr.tidy(() => encoder.predict(xn).data()), code.dataSync(), 1e-7, `encoder.predict at length ${len}`);
      nr.dispose([xn, code, back]);
      tx.dispose();
    }
    // A code of another length than the last input's decodes at its own length.
    const z = nr.tensor(Array.from(uniform(r, 2 * 6 * 3, -1, 1)), [2, 6, 3]);
    close(nr.tidy(() => ae.decode(z).data()), tf.tidy(() => (td.predict(tf.tensor(z.dataSync(), [2, 6, 3])) as tf.Tensor).dataSync()), 1e-5, 'decode of a code of length 6');
    z.dispose();
    ae.compile({ optimizer: nr.train.sgd(0.2), loss: 'meanSquaredError' });
    t.compile({ optimizer: tf.train.sgd(0.2), loss: 'meanSquaredError' });
    for (const len of [9, 4, 20]) {
      const x = series(3, len);
      const [xn, tx] = [nr.tensor(x, [3, len, 1]), tf.tensor(x, [3, len, 1])];
      const want = (await t.trainOnBatch(tx, tx)) as number;
      const got = ae.trainOnBatch(xn) as number;
      expect(Math.abs(got - want), `trainOnBatch(x) at length ${len}: ${got} vs ${want}`).toBeLessThan(1e-5);
      nr.dispose(xn);
      tx.dispose();
    }
    const x = series(4, 7);
    const [xn, tx] = [nr.tensor(x, [4, 7, 1]), tf.tensor(x, [4, 7, 1])];
    const ev = ae.evaluate(xn) as nr.Tensor;
    const tev = t.evaluate(tx, tx) as tf.Scalar;
    expect(Math.abs(ev.dataSync()[0] - tev.dataSync()[0])).toBeLessThan(1e-5);
    ev.dispose();
    const h = await ae.fit(xn, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
    const th = await t.fit(tx, tx, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
    expect(Math.abs(h.history.loss[0] - (th.history.loss[0] as number))).toBeLessThan(1e-5);
    for (const [nm, tm] of [[encoder, te], [decoder, td]] as const) {
      const ws = nm.getWeights();
      ws.forEach((w, i) => close(w.dataSync(), tm.getWeights()[i].dataSync(), 1e-5, `${nm.name} weight ${i} after training`));
      nr.dispose(ws);
    }
    nr.dispose(xn);
    tx.dispose();
    // A code that does not fit the decoder: its channels, named.
    const bad = nr.zeros([1, 5, 2]);
    expect(() => ae.decode(bad)).toThrow('decode: expected input of shape [batch,null,3] (the first dimension is the batch; null: any size from 1), got [1,5,2]');
    bad.dispose();
    ae.dispose();
    t.dispose();
  });

  it('encodeDistribution of a variational autoencoder of unknown length: the same mean and log-variance as the model built at that length', () => {
    const make = (shape: Array<number | null>) => nr.sequential({ seed: 5, layers: [nr.layers.conv1d({ inputShape: shape, filters: 3, kernelSize: 2, activation: 'tanh' }), nr.layers.globalAveragePooling1d(), nr.layers.variational({ units: 2 })] });
    const free = make([null, 1]);
    const dec = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    const vae = nr.autoencoder({ encoder: free, decoder: dec });
    vae.build();
    const r = rng(9);
    for (const len of [2, 5, 20]) {
      const fixed = make([len, 1]);
      fixed.build();
      const ws = free.getWeights();
      fixed.setWeights(ws);
      nr.dispose(ws);
      const x = nr.tensor(Array.from(uniform(r, 3 * len, -1, 1)), [3, len, 1]);
      const got = vae.encodeDistribution(x);
      const want = fixed.encodeDistribution(x);
      expect(got.mean.shape).toEqual([3, 2]);
      close(got.mean.dataSync(), want.mean.dataSync(), 1e-7, `mean at length ${len}`);
      close(got.logVar.dataSync(), want.logVar.dataSync(), 1e-7, `logVar at length ${len}`);
      nr.dispose([x, got.mean, got.logVar, want.mean, want.logVar]);
      fixed.dispose();
    }
    vae.dispose();
  });

  it("a text autoencoder's fit(x) and evaluate(x) with sparseCategoricalCrossentropy take the ids x as the targets of the [n, T, vocab] output, as fit(x, x)", async () => {
    const T = 6;
    const V = 10;
    const make = () => nr.autoencoder({
      seed: 1,
      encoder: nr.sequential({ seed: 1, layers: [nr.layers.embedding({ inputDim: V, outputDim: 8, inputLength: T }), nr.layers.globalAveragePooling1d()] }),
      decoder: nr.sequential({ seed: 2, layers: [nr.layers.repeatVector({ inputShape: [8], n: T }), nr.layers.dense({ units: V, activation: 'softmax' })] }),
    });
    const [a, b] = [make(), make()];
    const x = nr.tensor(tokenIds(rng(4), 4, T, V), [4, T]);
    // Not compiled yet, or compiled with another loss: the shapes differ, and the sparse loss is named.
    expect(() => a.trainOnBatch(x)).toThrow(/^trainOnBatch: autoencoder autoencoder_\d+ takes per-sample shape \[6\] but its decoder sequential_\d+ outputs \[6,10\]; .*or compile with loss 'sparseCategoricalCrossentropy' if x holds the class ids of each output position\)$/);
    for (const m of [a, b]) m.compile({ optimizer: nr.train.adam(0.05), loss: 'sparseCategoricalCrossentropy' });
    const ha = await a.fit(x, { epochs: 3, verbose: 0, shuffle: false });
    const hb = await b.fit(x, x, { epochs: 3, verbose: 0, shuffle: false });
    expect(ha.history.loss).toEqual(hb.history.loss);
    expect(ha.history.loss[2]).toBeLessThan(ha.history.loss[0]);
    const [ea, eb] = [a.evaluate(x) as nr.Tensor, b.evaluate(x, x) as nr.Tensor];
    expect(ea.dataSync()[0]).toBe(eb.dataSync()[0]);
    expect(a.trainOnBatch(x)).toBe(b.trainOnBatch(x, x));
    // Ids of another shape are still refused, naming both shapes.
    const short = nr.tensor(tokenIds(rng(5), 2, 5, V), [2, 5]);
    await expect(a.fit(short, { epochs: 1, verbose: 0 })).rejects.toThrow(/expected input of shape \[batch,6\]|\[2,5\]/);
    nr.dispose([x, short, ea, eb]);
    a.dispose();
    b.dispose();
  });

  it("a TF.js model whose input of token ids is int32 (tf.input({ shape: [null], dtype: 'int32' })) loads and predicts as TF.js; another int32 layer is refused", async () => {
    const tx = tfl.input({ shape: [null], dtype: 'int32', name: 'ids' });
    const ty = tfl.layers.dense({ units: 2, activation: 'softmax' }).apply(tfl.layers.globalAveragePooling1d({}).apply(tfl.layers.embedding({ inputDim: 12, outputDim: 3 }).apply(tx))) as tfl.SymbolicTensor;
    const t = tfl.model({ inputs: tx, outputs: ty });
    const a = await tfArtifacts(t);
    const n = (await nr.loadModel(a as nr.ModelArtifacts)) as nr.Sequential;
    expect(n.inputShape).toEqual([null, null]);
    const r = rng(5);
    for (const len of [1, 4, 9]) {
      const x = tokenIds(r, 3, len, 12);
      const want = tf.tidy(() => (t.predict(tf.tensor(x, [3, len], 'int32')) as tf.Tensor).dataSync());
      close(nr.tidy(() => n.predict(nr.tensor(x, [3, len])).data()), want, 1e-6, `int32 ids at length ${len}`);
    }
    const topo = JSON.parse(JSON.stringify(a.modelTopology)) as { config: { layers: Array<{ class_name: string; config: { dtype?: string } }> } };
    topo.config.layers.find((l) => l.class_name === 'Dense')!.config.dtype = 'int32';
    await expect(nr.loadModel({ ...a, modelTopology: topo } as nr.ModelArtifacts)).rejects.toThrow(/\.dtype must be 'float32' \(neurite computes in float32\), got "int32"/);
    n.dispose();
    t.dispose();
  });
});
