// Unknown (null) sizes in graph models with several inputs or outputs: two text inputs of
// independent lengths, one sequence input with a per-step and a pooled output, inputs that an
// `add` ties to one length. Against TF.js Layers with copied weights (by layer name): predict at
// lengths 1, 3, 7 and 20 per input, three trainOnBatch steps at alternating lengths, ≤ 1e-5.
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { close, copyWeights, rng, tf, tfArtifacts, tokenIds, uniform } from './oracle.js';
import * as nr from '../ts/index.js';

type Sym = nr.SymbolicTensor;
type TSym = tfl.SymbolicTensor;

/** Every weight of `n` against `t`'s of the same layer, after training. */
function sameWeights(what: string, n: nr.Sequential, t: tfl.LayersModel): void {
  for (const l of n.layers) {
    const ws = l.getWeights();
    const wt = t.getLayer(l.name).getWeights();
    expect(ws.length, `${what}: ${l.name}`).toBe(wt.length);
    ws.forEach((w, i) => close(w.dataSync(), wt[i].dataSync(), 1e-5, `${what}: ${l.name} weight ${i} after training`));
    nr.dispose(ws);
  }
}

const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe('unknown (null) sizes in models with several inputs or outputs', () => {
  it('two text inputs of independent lengths (shared embedding, pooled, concatenated): predict at lengths 1, 3, 7, 20 per input and trainOnBatch at alternating lengths as TF.js', async () => {
    const build = <S>(lib: { input: (a: { shape: Array<number | null>; name: string }) => S; emb: () => { apply: (x: S) => unknown }; gap: (name: string) => { apply: (x: S) => unknown }; cat: () => { apply: (x: S[]) => unknown }; dense: () => { apply: (x: S) => unknown } }): { a: S; b: S; y: S } => {
      const a = lib.input({ shape: [null], name: 'question' });
      const b = lib.input({ shape: [null], name: 'answer' });
      const emb = lib.emb();
      const pa = lib.gap('pool_q').apply(emb.apply(a) as S) as S;
      const pb = lib.gap('pool_a').apply(emb.apply(b) as S) as S;
      return { a, b, y: lib.dense().apply(lib.cat().apply([pa, pb]) as S) as S };
    };
    const ng = build<Sym>({
      input: (a) => nr.input(a),
      emb: () => nr.layers.embedding({ inputDim: 11, outputDim: 4, name: 'emb' }),
      gap: (name) => nr.layers.globalAveragePooling1d({ name }),
      cat: () => nr.layers.concatenate({ name: 'cat' }),
      dense: () => nr.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
    });
    const tg = build<TSym>({
      input: (a) => tfl.input(a),
      emb: () => tfl.layers.embedding({ inputDim: 11, outputDim: 4, name: 'emb' }),
      gap: (name) => tfl.layers.globalAveragePooling1d({ name }),
      cat: () => tfl.layers.concatenate({ name: 'cat' }),
      dense: () => tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
    });
    const n = nr.model({ inputs: [ng.a, ng.b], outputs: ng.y, seed: 4 });
    const t = tfl.model({ inputs: [tg.a, tg.b], outputs: tg.y });
    expect(n.inputs.map((x) => x.shape)).toEqual(t.inputs.map((x) => x.shape));
    expect(n.outputs[0].shape).toEqual(t.outputs[0].shape);
    expect(n.summary(null)).toMatch(/emb \(Embedding\) +\[null,null,4\]/);
    copyWeights(n, t);
    const r = rng(5);
    for (const [la, lb] of [[1, 3], [3, 7], [7, 20], [20, 1], [3, 3]]) {
      const [xa, xb] = [tokenIds(r, 3, la, 11), tokenIds(r, 3, lb, 11)];
      const got = nr.tidy(() => (n.predict([nr.tensor(xa, [3, la]), nr.tensor(xb, [3, lb])]) as nr.Tensor).data());
      const want = tf.tidy(() => (t.predict([tf.tensor(xa, [3, la]), tf.tensor(xb, [3, lb])]) as tf.Tensor).dataSync());
      close(got, want, 1e-5, `predict at lengths ${la}, ${lb}`);
    }
    n.compile({ optimizer: nr.train.sgd(0.5), loss: 'sparseCategoricalCrossentropy' });
    t.compile({ optimizer: tf.train.sgd(0.5), loss: 'sparseCategoricalCrossentropy' });
    for (const [step, [la, lb]] of [[7, 1], [1, 20], [20, 3]].entries()) {
      const [xa, xb, y] = [tokenIds(r, 5, la, 11), tokenIds(r, 5, lb, 11), tokenIds(r, 5, 1, 3)];
      const xs = [nr.tensor(xa, [5, la]), nr.tensor(xb, [5, lb])];
      const yn = nr.tensor(y, [5, 1]);
      const got = n.trainOnBatch(xs, yn) as number;
      nr.dispose([...xs, yn]);
      const ts = [tf.tensor(xa, [5, la]), tf.tensor(xb, [5, lb]), tf.tensor(y, [5, 1])];
      const want = (await t.trainOnBatch(ts.slice(0, 2), ts[2])) as number;
      tf.dispose(ts);
      expect(Math.abs(got - want), `loss at step ${step} (lengths ${la}, ${lb}): ${got} vs ${want}`).toBeLessThan(1e-5);
    }
    sameWeights('two text inputs', n, t);
    // evaluate and fit (batches, validation data of other lengths, inputs by name) at any lengths.
    const [xa, xb, y, va, vb, vy] = [nr.tensor(tokenIds(r, 6, 4, 11), [6, 4]), nr.tensor(tokenIds(r, 6, 9, 11), [6, 9]), nr.tensor(tokenIds(r, 6, 1, 3), [6, 1]), nr.tensor(tokenIds(r, 2, 2, 11), [2, 2]), nr.tensor(tokenIds(r, 2, 13, 11), [2, 13]), nr.tensor(tokenIds(r, 2, 1, 3), [2, 1])];
    const h = await n.fit({ question: xa, answer: xb }, y, { epochs: 2, batchSize: 4, validationData: [[va, vb], vy], verbose: 0 });
    expect(h.history.val_loss.length).toBe(2);
    const split = await n.fit([xa, xb], y, { epochs: 1, batchSize: 4, validationSplit: 0.5, verbose: 0 });
    expect(Number.isFinite(split.history.val_loss[0] as number)).toBe(true);
    const ev = n.evaluate([va, vb], vy) as nr.Tensor;
    const tev = t.evaluate([tf.tensor(va.dataSync(), [2, 2]), tf.tensor(vb.dataSync(), [2, 13])], tf.tensor(vy.dataSync(), [2, 1])) as tf.Scalar;
    expect(Number.isFinite(ev.dataSync()[0])).toBe(true);
    tf.dispose(tev);
    // A known axis still must match, and a length 0 is not a length, named by input.
    const bad = nr.ones([2, 3, 1]);
    expect(() => n.predict([xa, bad])).toThrow(/predict: x\[1\] \(answer\) must have shape \[batch,null\] \(the first dimension is the batch; null: any size from 1\), got \[2,3,1\]/);
    const empty = nr.zeros([2, 0]);
    expect(() => n.predict([xa.slice([0, 0], [2, 4]), empty])).toThrow(/predict: x\[1\] \(answer\) must have shape \[batch,null\]/);
    nr.dispose([xa, xb, y, va, vb, vy, ev, bad, empty]);
    n.dispose();
    t.dispose();
  });

  it('one input, two outputs: a per-step [null, 2] output (same conv1d) and a pooled class output, predict and trainOnBatch as TF.js', async () => {
    const x = nr.input({ shape: [null, 2], name: 'signal' });
    const h = nr.layers.conv1d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', name: 'conv' }).apply(x) as Sym;
    const steps = nr.layers.conv1d({ filters: 2, kernelSize: 1, name: 'steps' }).apply(h) as Sym;
    const cls = nr.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(nr.layers.globalMaxPooling1d({ name: 'gmp' }).apply(h) as Sym) as Sym;
    const n = nr.model({ inputs: x, outputs: [steps, cls], seed: 6 });
    const tx = tfl.input({ shape: [null, 2], name: 'signal' });
    const th = tfl.layers.conv1d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', name: 'conv' }).apply(tx) as TSym;
    const tsteps = tfl.layers.conv1d({ filters: 2, kernelSize: 1, name: 'steps' }).apply(th) as TSym;
    const tcls = tfl.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(tfl.layers.globalMaxPooling1d({ name: 'gmp' }).apply(th)) as TSym;
    const t = tfl.model({ inputs: tx, outputs: [tsteps, tcls] });
    expect(n.outputs.map((o) => o.shape)).toEqual(t.outputs.map((o) => o.shape));
    expect(n.outputs[0].shape).toEqual([null, null, 2]);
    expect(n.summary(null)).toMatch(/steps \(Conv1D\) +\[null,null,2\]/);
    copyWeights(n, t);
    const r = rng(8);
    for (const len of [1, 3, 7, 20]) {
      const xv = uniform(r, 3 * len * 2, -2, 2);
      const got = nr.tidy(() => asList(n.predict(nr.tensor(xv, [3, len, 2]))).map((o) => ({ shape: o.shape.slice(), data: o.dataSync() })));
      const want = tf.tidy(() => (t.predict(tf.tensor(xv, [3, len, 2])) as tf.Tensor[]).map((o) => ({ shape: o.shape.slice(), data: o.dataSync() })));
      expect(got.map((o) => o.shape)).toEqual(want.map((o) => o.shape));
      got.forEach((o, q) => close(o.data, want[q].data, 1e-5, `output ${q} at length ${len}`));
    }
    // TF.js 4.22's trainOnBatch cannot train it: it adds the outputs' unreduced losses ([4, len]
    // and [4]: "Operands could not be broadcast", checked below). The reference is its forward and tf.variableGrads
    // of Keras's loss (each output's mean), stepped by SGD.
    n.compile({ optimizer: nr.train.sgd(0.2), loss: ['meanSquaredError', 'sparseCategoricalCrossentropy'] });
    t.compile({ optimizer: tf.train.sgd(0.2), loss: ['meanSquaredError', 'sparseCategoricalCrossentropy'] });
    const vars = t.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
    for (const [step, len] of [7, 1, 20].entries()) {
      const [xv, ys, yc] = [uniform(r, 4 * len * 2, -2, 2), uniform(r, 4 * len * 2, -1, 1), tokenIds(r, 4, 1, 3)];
      const ns = [nr.tensor(xv, [4, len, 2]), nr.tensor(ys, [4, len, 2]), nr.tensor(yc, [4, 1])];
      const got = n.trainOnBatch(ns[0], [ns[1], ns[2]]) as number[];
      nr.dispose(ns);
      // (At length 1, or the batch size, TF.js broadcasts them instead and trains on a wrong loss.)
      if (len !== 1) await expect(t.trainOnBatch(tf.ones([4, len, 2]), [tf.ones([4, len, 2]), tf.zeros([4, 1])])).rejects.toThrow(/could not be broadcast together with shapes 4,\d+ and 4/);
      const want = tf.tidy(() => {
        const [tx2, tys, tyc] = [tf.tensor(xv, [4, len, 2]), tf.tensor(ys, [4, len, 2]), tf.tensor1d(yc, 'int32')];
        const parts: number[] = [];
        const { value, grads } = tf.variableGrads(() => {
          const [ps, pc] = t.apply(tx2, { training: true }) as tf.Tensor[];
          const mse = tf.mean(tf.square(tf.sub(ps, tys)));
          const ce = tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(tyc, 3), tf.log(tf.clipByValue(pc, 1e-7, 1 - 1e-7))), -1)));
          parts.push(mse.dataSync()[0], ce.dataSync()[0]);
          return tf.add(mse, ce) as tf.Scalar;
        }, vars);
        for (const v of vars) v.assign(tf.sub(v, tf.mul(0.2, grads[v.name])));
        return [value.dataSync()[0], ...parts];
      });
      close(got, want, 1e-5, `losses (total, per-step, class) at step ${step} (length ${len})`);
    }
    sameWeights('per-step and class outputs', n, t);
    // A per-step target of another length than x is named.
    const [xb, yb, yc] = [nr.ones([2, 5, 2]), nr.ones([2, 4, 2]), nr.zeros([2, 1])];
    expect(() => n.trainOnBatch(xb, [yb, yc])).toThrow(/trainOnBatch: .*\[2,4,2\]|trainOnBatch: y must hold/);
    nr.dispose([xb, yb, yc]);
    n.dispose();
    t.dispose();
  });

  it('inputs that an add ties to one length take any length together, and a call with two lengths names both inputs and shapes', () => {
    const a = nr.input({ shape: [null, 2], name: 'left' });
    const b = nr.input({ shape: [null, 2], name: 'right' });
    const sum = nr.layers.add({ name: 'sum' }).apply([a, b]) as Sym;
    const y = nr.layers.dense({ units: 2, name: 'head' }).apply(nr.layers.globalAveragePooling1d({ name: 'gap' }).apply(nr.layers.conv1d({ filters: 3, kernelSize: 2, padding: 'same', name: 'conv' }).apply(sum) as Sym) as Sym) as Sym;
    const n = nr.model({ inputs: [a, b], outputs: y, seed: 1 });
    const [ta, tb] = [tfl.input({ shape: [null, 2], name: 'left' }), tfl.input({ shape: [null, 2], name: 'right' })];
    const ty = tfl.layers.dense({ units: 2, name: 'head' }).apply(tfl.layers.globalAveragePooling1d({ name: 'gap' }).apply(tfl.layers.conv1d({ filters: 3, kernelSize: 2, padding: 'same', name: 'conv' }).apply(tfl.layers.add({ name: 'sum' }).apply([ta, tb])))) as TSym;
    const t = tfl.model({ inputs: [ta, tb], outputs: ty });
    copyWeights(n, t);
    const r = rng(3);
    for (const len of [1, 3, 7, 20]) {
      const [va, vb] = [uniform(r, 2 * len * 2, -1, 1), uniform(r, 2 * len * 2, -1, 1)];
      const got = nr.tidy(() => (n.predict([nr.tensor(va, [2, len, 2]), nr.tensor(vb, [2, len, 2])]) as nr.Tensor).data());
      const want = tf.tidy(() => (t.predict([tf.tensor(va, [2, len, 2]), tf.tensor(vb, [2, len, 2])]) as tf.Tensor).dataSync());
      close(got, want, 1e-5, `add at length ${len}`);
    }
    const [x3, x5] = [nr.ones([2, 3, 2]), nr.ones([2, 5, 2])];
    expect(() => n.predict([x3, x5])).toThrow(/^predict: x \(inputs left \[2,3,2\], right \[2,5,2\]\) does not fit the model: layer 'sum' \(add\): inputs must have the same per-sample shape/);
    // TF.js refuses them too (its add cannot broadcast 3 against 5).
    expect(() => tf.tidy(() => t.predict([tf.ones([2, 3, 2]), tf.ones([2, 5, 2])]))).toThrow();
    // After the refused call the model still runs at one length.
    expect(nr.tidy(() => (n.predict([x5, x5]) as nr.Tensor).shape)).toEqual([2, 2]);
    // Inputs by name, as fit and evaluate take them (and Keras's predict).
    const byList = nr.tidy(() => (n.predict([x3, x5.slice([0, 0, 0], [2, 3, 2])]) as nr.Tensor).dataSync());
    const byName = nr.tidy(() => (n.predict({ right: x5.slice([0, 0, 0], [2, 3, 2]), left: x3 }) as nr.Tensor).dataSync());
    expect(Array.from(byName)).toEqual(Array.from(byList));
    expect(Array.from(nr.tidy(() => (n.predictOnBatch({ left: x3, right: x3 }) as nr.Tensor).dataSync()))).toEqual(Array.from(nr.tidy(() => (n.predict([x3, x3]) as nr.Tensor).dataSync())));
    expect(() => n.predict({ left: x3, rigth: x3 })).toThrow("predict: x has a key 'rigth' that is not an input of the model — did you mean 'right'? (its inputs: left, right)");
    // An empty sequence is named with its own shape (it said "got [2,null,2]").
    const x0 = nr.zeros([2, 0, 2]);
    expect(() => n.predict([x0, x5])).toThrow("predict: x[0] (left) must have shape [batch,null,2] (the first dimension is the batch; null: any size from 1), got [2,0,2]");
    x0.dispose();
    nr.dispose([x3, x5]);
    n.dispose();
    t.dispose();
  });

  it('a model with a null size nested in a sequential model and applied in a graph model predicts at any length as TF.js; two null inputs save and load both ways', async () => {
    const inner = nr.sequential({ layers: [nr.layers.embedding({ inputDim: 9, outputDim: 3, inputShape: [null] }), nr.layers.globalAveragePooling1d()] });
    const outer = nr.sequential({ layers: [inner, nr.layers.dense({ units: 2 })] });
    const x = nr.input({ shape: [null] });
    const g = nr.model({ inputs: x, outputs: nr.layers.dense({ units: 1 }).apply(inner.apply(x) as Sym) as Sym });
    const tinner = tfl.sequential({ layers: [tfl.layers.embedding({ inputDim: 9, outputDim: 3, inputShape: [null] }), tfl.layers.globalAveragePooling1d()] });
    const touter = tfl.sequential({ layers: [tinner, tfl.layers.dense({ units: 2 })] });
    const tx = tfl.input({ shape: [null] });
    const tg = tfl.model({ inputs: tx, outputs: tfl.layers.dense({ units: 1 }).apply(tinner.apply(tx)) as TSym });
    expect(outer.inputShape).toEqual([null, null]);
    expect(outer.outputShape).toEqual(touter.outputShape);
    expect(outer.inputShape).toEqual(touter.inputs[0].shape);
    for (const [nm, tm] of [[outer, touter], [g, tg]] as const) {
      const ws = nm.getWeights();
      tm.setWeights(ws.map((w) => tf.tensor(w.dataSync(), w.shape.slice())));
      nr.dispose(ws);
    }
    const r = rng(12);
    for (const len of [1, 3, 7, 20]) {
      const v = tokenIds(r, 2, len, 9);
      close(nr.tidy(() => (outer.predict(nr.tensor(v, [2, len])) as nr.Tensor).data()), tf.tidy(() => (touter.predict(tf.tensor(v, [2, len])) as tf.Tensor).dataSync()), 1e-5, `nested sequential at length ${len}`);
      close(nr.tidy(() => (g.predict(nr.tensor(v, [2, len])) as nr.Tensor).data()), tf.tidy(() => (tg.predict(tf.tensor(v, [2, len])) as tf.Tensor).dataSync()), 1e-5, `nested in a graph at length ${len}`);
    }
    outer.dispose();
    g.dispose();
    inner.dispose();
    // Two null inputs saved: TF.js loads neurite's file and neurite TF.js's, predicting alike.
    const [a, b] = [nr.input({ shape: [null], name: 'q' }), nr.input({ shape: [null], name: 'ans' })];
    const emb = nr.layers.embedding({ inputDim: 5, outputDim: 2, name: 'emb' });
    const pool = (v: Sym, name: string) => nr.layers.globalAveragePooling1d({ name }).apply(emb.apply(v) as Sym) as Sym;
    const m = nr.model({ inputs: [a, b], outputs: nr.layers.dense({ units: 2, name: 'd' }).apply(nr.layers.concatenate({ name: 'cat' }).apply([pool(a, 'pa'), pool(b, 'pb')]) as Sym) as Sym });
    const art = await m.toArtifacts();
    expect((art.modelTopology as { config: { layers: Array<{ config: { batch_input_shape?: unknown } }> } }).config.layers.slice(0, 2).map((l) => l.config.batch_input_shape)).toEqual([[null, null], [null, null]]);
    const t = await tfl.loadLayersModel(tf.io.fromMemory(art as tf.io.ModelArtifacts));
    const back = (await nr.loadModel((await tfArtifacts(t)) as nr.ModelArtifacts)) as nr.Sequential;
    for (const [la, lb] of [[1, 6], [4, 2]]) {
      const [va, vb] = [tokenIds(r, 2, la, 5), tokenIds(r, 2, lb, 5)];
      const want = tf.tidy(() => (t.predict([tf.tensor(va, [2, la]), tf.tensor(vb, [2, lb])]) as tf.Tensor).dataSync());
      close(nr.tidy(() => (m.predict([nr.tensor(va, [2, la]), nr.tensor(vb, [2, lb])]) as nr.Tensor).data()), want, 1e-5, `TF.js loads neurite's file (lengths ${la}, ${lb})`);
      close(nr.tidy(() => (back.predict([nr.tensor(va, [2, la]), nr.tensor(vb, [2, lb])]) as nr.Tensor).data()), want, 1e-5, `neurite loads TF.js's file (lengths ${la}, ${lb})`);
    }
    m.dispose();
    back.dispose();
    t.dispose();
  });
});
