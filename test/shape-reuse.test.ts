// One layer object at several input shapes, as TF.js reuses a layer wherever its weights fit:
// a convolution on images of two sizes, an embedding + dense + pooling text encoder on
// sequences of two lengths (dense on [t, d] at two t), weightless layers (pooling,
// activation, dropout) at any shape, in one graph model and shared by sequential models. Against
// TF.js built from the same code with neurite's weights copied in: predict, gradients, fit
// (losses and every weight), TF.js's functional format both ways; and the errors for the axes
// the weights do depend on (a dense layer's features, a convolution's channels).
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { close, copyWeights, rng, tf, tfArtifacts, uniform, nrGraphLib, TF_GRAPH, type GraphLib as Lib } from './oracle.js';
import { expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const NR = nrGraphLib(4);
const TF = TF_GRAPH;

/** A conv feature extractor on 8×8 and 10×6 images (two channels), shared pooling, one head. */
function twoSizes(L: Lib): any {
  const a = L.input({ shape: [8, 8, 2], name: 'small' });
  const b = L.input({ shape: [10, 6, 2], name: 'tall' });
  const conv = L.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'tanh', name: 'features', biasInitializer: 'randomNormal' });
  const conv2 = L.layers.conv2d({ filters: 2, kernelSize: 2, strides: 2, padding: 'same', name: 'more' });
  const pool = L.layers.globalAveragePooling2d({ name: 'pool' });
  const act = L.layers.activation({ activation: 'relu', name: 'act' });
  const enc = (x: any): any => pool.apply(conv2.apply(act.apply(conv.apply(x))));
  return L.model({ inputs: [a, b], outputs: L.layers.dense({ units: 2, name: 'head' }).apply(L.layers.concatenate({ name: 'cat' }).apply([enc(a), enc(b)])) });
}

/** A text encoder (embedding, dense on [t, 4], average over t) on sequences of 5 and 9 tokens. */
function twoLengths(L: Lib): any {
  const a = L.input({ shape: [5], name: 'short' });
  const b = L.input({ shape: [9], name: 'long' });
  const emb = L.layers.embedding({ inputDim: 11, outputDim: 4, name: 'emb' });
  const proj = L.layers.dense({ units: 3, activation: 'tanh', name: 'proj' });
  const avg = L.layers.globalAveragePooling1d({ name: 'avg' });
  const enc = (x: any): any => avg.apply(proj.apply(emb.apply(x)));
  const d = L.layers.concatenate({ name: 'both' }).apply([enc(a), enc(b)]);
  return L.model({ inputs: [a, b], outputs: L.layers.dense({ units: 1, activation: 'sigmoid', name: 'same' }).apply(d) });
}

const tokens = (r: () => number, n: number): Float32Array => Float32Array.from({ length: n }, () => Math.floor(r() * 11));

/** Every weight of `n` against the TF.js layer of the same name, within `tol`. */
function sameWeights(n: nr.Sequential, t: tfl.LayersModel, tol: number, what: string): void {
  for (const l of n.layers) {
    const ws = l.getWeights();
    const tws = t.getLayer(l.name).getWeights();
    expect(ws.length).toBe(tws.length);
    ws.forEach((w, i) => close(w.dataSync(), tws[i].dataSync(), tol, `${what}: ${l.name} weight ${i}`));
    nr.dispose(ws);
  }
}

describe('a layer at several input shapes in one graph model', () => {
  it('a convolution on 8×8 and 10×6 images: predict, dL/dx and dL/dw as TF.js (1e-5)', () => {
    const n = twoSizes(NR) as nr.Sequential;
    const t = twoSizes(TF) as tfl.LayersModel;
    try {
      expect(n.getLayer('features').countParams()).toBe(3 * 3 * 2 * 3 + 3);
      copyWeights(n, t);
      const r = rng(11);
      const [xa, xb] = [uniform(r, 7 * 128, -2, 2), uniform(r, 7 * 120, -2, 2)];
      const nx = (): nr.Tensor[] => [nr.tensor(xa, [7, 8, 8, 2]), nr.tensor(xb, [7, 10, 6, 2])];
      const tx = (): tf.Tensor[] => [tf.tensor(xa, [7, 8, 8, 2]), tf.tensor(xb, [7, 10, 6, 2])];
      const want = tf.tidy(() => (t.predict(tx()) as tf.Tensor).dataSync());
      for (const batchSize of [32, 3, 1]) close(nr.tidy(() => n.predict<nr.Tensor>(nx(), { batchSize }).data()), want, 1e-5, `predict, batchSize ${batchSize}`);
      // Zero rows: an empty output of the right shape.
      expect(nr.tidy(() => n.predict<nr.Tensor>([nr.zeros([0, 8, 8, 2]), nr.zeros([0, 10, 6, 2])]).shape)).toEqual([0, 2]);
      const w = uniform(r, 14, -1, 1);
      const got = expectNoLeak(() => nr.tidy(() => nr.grads((p, q) => n.predict<nr.Tensor>([p, q]).mul(nr.tensor(w, [7, 2])).sum())(nx()).map((g) => g.data())));
      const wantG = tf.tidy(() => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(t.predict([p, q]) as tf.Tensor, tf.tensor(w, [7, 2]))))(tx()).map((g) => g.dataSync()));
      got.forEach((g, i) => close(g, wantG[i], 1e-5, `dL/dx[${i}]`));
      const { grads } = nr.variableGrads(() => nr.tidy(() => n.predict<nr.Tensor>(nx()).mul(nr.tensor(w, [7, 2])).sum()), n.trainableWeights);
      const tg = tf.variableGrads(() => tf.sum(tf.mul(t.predict(tx()) as tf.Tensor, tf.tensor(w, [7, 2]))) as tf.Scalar);
      for (const v of n.trainableWeights) {
        const [layer, weight] = v.name.split('/');
        const key = Object.keys(tg.grads).find((k) => k.startsWith(`${layer}/`) && k.endsWith(weight));
        close(grads[v.name].dataSync(), tg.grads[key!].dataSync(), 1e-5, `dL/d${v.name}`);
      }
      nr.dispose(Object.values(grads));
      tf.dispose([tg.value, ...Object.values(tg.grads)]);
    } finally {
      n.dispose();
      t.dispose();
    }
  });

  it('trains as TF.js: losses and every weight 1e-5 (conv at two sizes, Adam; text encoder at two lengths, SGD)', async () => {
    const r = rng(5);
    const cases: Array<{ make: (L: Lib) => any; shapes: number[][]; y: Float32Array; adam: boolean; lr: number; loss: 'meanSquaredError' | 'binaryCrossentropy' }> = [
      { make: twoSizes, shapes: [[8, 8, 2], [10, 6, 2]], y: uniform(r, 22, -1, 1), adam: true, lr: 0.02, loss: 'meanSquaredError' },
      { make: twoLengths, shapes: [[5], [9]], y: Float32Array.from({ length: 11 }, () => (r() < 0.5 ? 0 : 1)), adam: false, lr: 0.5, loss: 'binaryCrossentropy' },
    ];
    for (const { make, shapes, y, adam, lr, loss } of cases) {
      const n = make(NR) as nr.Sequential;
      const t = make(TF) as tfl.LayersModel;
      try {
        copyWeights(n, t);
        const xs = shapes.map((s) => (s.length === 1 ? tokens(r, 11 * s[0]) : uniform(r, 11 * s.reduce((p, q) => p * q), -2, 2)));
        n.compile({ optimizer: adam ? nr.optimizers.adam({ learningRate: lr }) : nr.optimizers.sgd({ learningRate: lr }), loss });
        t.compile({ optimizer: adam ? tf.train.adam(lr) : tf.train.sgd(lr), loss });
        const ys = [11, y.length / 11];
        const h = await n.fit(xs.map((v, i) => nr.tensor(v, [11, ...shapes[i]])), nr.tensor(y, ys), { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
        const th = await t.fit(xs.map((v, i) => tf.tensor(v, [11, ...shapes[i]])), tf.tensor(y, ys), { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
        close(Float32Array.from(h.history.loss), Float32Array.from(th.history.loss as number[]), 1e-5, `${n.name} losses`);
        sameWeights(n, t, 1e-5, `${n.name} after 3 epochs`);
        // Same seed, same bits (the uses at the first shape run again in backward).
        const runs = [];
        for (let i = 0; i < 2; i++) {
          const m = make(NR) as nr.Sequential;
          m.compile({ optimizer: 'adam', loss });
          await m.fit(xs.map((v, j) => nr.tensor(v, [11, ...shapes[j]])), nr.tensor(y, ys), { epochs: 2, batchSize: 4, verbose: 0 });
          runs.push(m.getWeights().map((w) => Array.from(w.dataSync())));
          m.dispose();
        }
        expect(runs[1]).toEqual(runs[0]);
      } finally {
        n.dispose();
        t.dispose();
      }
    }
  });

  it('saves and loads in TF.js\'s format both ways (one inbound node per call, at its own shape)', async () => {
    const r = rng(9);
    const [xa, xb] = [tokens(r, 3 * 5), tokens(r, 3 * 9)];
    const n = twoLengths(NR) as nr.Sequential;
    try {
      const a = await n.toArtifacts();
      const layers = (a.modelTopology as any).config.layers as Array<{ name: string; inbound_nodes: unknown[][] }>;
      expect(layers.find((l) => l.name === 'proj')!.inbound_nodes).toEqual([[['emb', 0, 0, {}]], [['emb', 1, 0, {}]]]);
      const want = nr.tidy(() => n.predict<nr.Tensor>([nr.tensor(xa, [3, 5]), nr.tensor(xb, [3, 9])]).data());
      const back = (await nr.loadModel(a)) as nr.Sequential;
      expect(nr.tidy(() => back.predict<nr.Tensor>([nr.tensor(xa, [3, 5]), nr.tensor(xb, [3, 9])]).data())).toEqual(want);
      back.dispose();
      const tm = await tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
      try {
        close(tf.tidy(() => (tm.predict([tf.tensor(xa, [3, 5]), tf.tensor(xb, [3, 9])]) as tf.Tensor).dataSync()), want, 1e-6, 'TF.js predicts neurite\'s file');
        const fromTf = (await nr.loadModel((await tfArtifacts(tm)) as nr.ModelArtifacts)) as nr.Sequential;
        expect(nr.tidy(() => fromTf.predict<nr.Tensor>([nr.tensor(xa, [3, 5]), nr.tensor(xb, [3, 9])]).data())).toEqual(want);
        fromTf.dispose();
      } finally {
        tm.dispose();
      }
    } finally {
      n.dispose();
    }
    // A TF.js-built model with a convolution at two sizes.
    const tm = twoSizes(TF) as tfl.LayersModel;
    try {
      const [xa2, xb2] = [uniform(r, 2 * 128, -2, 2), uniform(r, 2 * 120, -2, 2)];
      const want = tf.tidy(() => (tm.predict([tf.tensor(xa2, [2, 8, 8, 2]), tf.tensor(xb2, [2, 10, 6, 2])]) as tf.Tensor).dataSync());
      const m = (await nr.loadModel((await tfArtifacts(tm)) as nr.ModelArtifacts)) as nr.Sequential;
      close(nr.tidy(() => m.predict<nr.Tensor>([nr.tensor(xa2, [2, 8, 8, 2]), nr.tensor(xb2, [2, 10, 6, 2])]).data()), want, 1e-5, 'TF.js file → neurite');
      m.dispose();
    } finally {
      tm.dispose();
    }
  });
});

describe('a layer shared by sequential models at other shapes', () => {
  it('a conv, a dropout and a dense on [t, d] in two models at two sizes: predict and fit as TF.js (1e-5), one set of weights', async () => {
    const make = (L: Lib): any[] => {
      const conv = L.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu', name: 'conv', biasInitializer: 'randomNormal' });
      // (Rate 0: TF.js draws other masks; the layer still runs at two shapes.)
      const drop = L.layers.dropout({ rate: 0, name: 'drop' });
      const dense = L.layers.dense({ units: 2, name: 'dense' });
      const small = L.sequential({ name: 'small', layers: [L.layers.inputLayer({ inputShape: [6, 6, 1], name: 'in_small' }), conv, drop, L.layers.reshape({ targetShape: [16, 2], name: 'rs_small' }), dense, L.layers.flatten({ name: 'fl_small' })] });
      const big = L.sequential({ name: 'big', layers: [L.layers.inputLayer({ inputShape: [7, 9, 1], name: 'in_big' }), conv, drop, L.layers.reshape({ targetShape: [35, 2], name: 'rs_big' }), dense, L.layers.globalAveragePooling1d({ name: 'avg' })] });
      return [small, big];
    };
    const [ns, nb] = make(NR) as nr.Sequential[];
    const [ts, tb] = make(TF) as tfl.Sequential[];
    try {
      // One set of weights: the conv's 3·3·1·2 + 2 and the dense layer's 2·2 + 2.
      expect(nb.countParams()).toBe(ns.countParams());
      copyWeights(ns, ts);
      const r = rng(3);
      const [xs, xb] = [uniform(r, 9 * 36, -1, 1), uniform(r, 9 * 63, -1, 1)];
      const [ys, yb] = [uniform(r, 9 * 32, -1, 1), uniform(r, 9 * 2, -1, 1)];
      close(nr.tidy(() => nb.predict<nr.Tensor>(nr.tensor(xb, [9, 7, 9, 1])).data()), tf.tidy(() => (tb.predict(tf.tensor(xb, [9, 7, 9, 1])) as tf.Tensor).dataSync()), 1e-5, 'big predicts');
      close(nr.tidy(() => ns.predict<nr.Tensor>(nr.tensor(xs, [9, 6, 6, 1])).data()), tf.tidy(() => (ts.predict(tf.tensor(xs, [9, 6, 6, 1])) as tf.Tensor).dataSync()), 1e-5, 'small predicts');
      // Each model's steps move the shared weights.
      for (const m of [ns, nb]) m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
      for (const m of [ts, tb]) m.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
      for (let round = 0; round < 2; round++) {
        const h1 = await ns.fit(nr.tensor(xs, [9, 6, 6, 1]), nr.tensor(ys, [9, 32]), { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
        const t1 = await ts.fit(tf.tensor(xs, [9, 6, 6, 1]), tf.tensor(ys, [9, 32]), { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
        const h2 = await nb.fit(nr.tensor(xb, [9, 7, 9, 1]), nr.tensor(yb, [9, 2]), { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
        const t2 = await tb.fit(tf.tensor(xb, [9, 7, 9, 1]), tf.tensor(yb, [9, 2]), { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
        close(Float32Array.from([...h1.history.loss, ...h2.history.loss]), Float32Array.from([...(t1.history.loss as number[]), ...(t2.history.loss as number[])]), 1e-5, `losses, round ${round}`);
      }
      sameWeights(ns, ts, 1e-5, 'small after training both');
      sameWeights(nb, tb, 1e-5, 'big after training both');
      const text = nb.summary(null);
      expect(text).toMatch(/conv \(Conv2D\)\s+\[null,5,7,2\]\s+20/);
      expect(ns.summary(null)).toMatch(/conv \(Conv2D\)\s+\[null,4,4,2\]\s+20/);
    } finally {
      for (const m of [ns, nb]) m.dispose();
      for (const m of [ts, tb]) m.dispose();
    }
  });

  it('the weightless layers dot brought (thresholdedReLU, the three dropouts) at two shapes: inference as the closed form, training runs both uses', async () => {
    const a = nr.input({ shape: [3], name: 'a' });
    const b = nr.input({ shape: [4, 2], name: 'b' });
    const t = nr.layers.thresholdedReLU({ theta: 0.5, name: 't' });
    const g = nr.layers.gaussianDropout({ rate: 0.3, name: 'g' });
    const al = nr.layers.alphaDropout({ rate: 0.2, name: 'al' });
    const sp = nr.layers.spatialDropout1d({ rate: 0.4, name: 'sp' });
    const m = nr.model({ inputs: [a, b], outputs: [g.apply(al.apply(t.apply(a))), nr.layers.flatten({ name: 'f' }).apply(sp.apply(g.apply(al.apply(t.apply(b)))))], seed: 3 });
    const xa = nr.tensor([[0.2, 0.7, -1], [1, 0.5, 0.6]]);
    const xb = nr.tensor([[[0.1, 2], [0.9, -3], [0.6, 0.4], [5, 0.51]]]);
    nr.tidy(() => {
      const [ya, yb] = m.predict([xa, xb.tile([2, 1, 1])]) as nr.Tensor[];
      expect(Array.from(ya.dataSync(), (v) => v + 0)).toEqual([0, Math.fround(0.7), 0, 1, 0, Math.fround(0.6)]);
      expect(Array.from(yb.dataSync(), (v) => v + 0).slice(0, 8)).toEqual([0, 2, Math.fround(0.9), 0, Math.fround(0.6), 0, 5, Math.fround(0.51)]);
    });
    // Training: the same layer objects in a second model, with a dense head per branch.
    const ha = nr.layers.dense({ units: 1, name: 'ha' }).apply(g.apply(al.apply(t.apply(a))));
    const hb = nr.layers.dense({ units: 1, name: 'hb' }).apply(nr.layers.flatten({ name: 'f2' }).apply(sp.apply(g.apply(al.apply(t.apply(b))))));
    const trained = nr.model({ inputs: [a, b], outputs: [ha, hb], seed: 3 });
    trained.compile({ optimizer: 'sgd', loss: 'mse' });
    const data = [xb.tile([2, 1, 1]), nr.ones([2, 1]), nr.ones([2, 1])];
    const h = await trained.fit([xa, data[0]], [data[1], data[2]], { epochs: 3, verbose: 0 });
    expect(h.history.loss.every((v) => Number.isFinite(v as number))).toBe(true);
    expect(h.history.loss[2]).toBeLessThan(h.history.loss[0] as number);
    nr.dispose([xa, xb, ...data]);
    trained.dispose();
    m.dispose();
  });

  it('refuses the axes the weights depend on, naming both shapes', () => {
    expectNoLeak(() => {
      const d = nr.layers.dense({ units: 2, name: 'd8' });
      const a = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 8, name: 'to8' }), d] });
      a.build();
      expect(() => nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 9, name: 'to9' }), d] })).toThrow(
        /^add: layer d8 \(dense\) was built \(in model sequential_\d+\) for per-sample input shape \[8\], but here it receives \[9\]: its weights fit 8 on the last axis, not 9; a layer keeps its weights wherever it is used/,
      );
      const x = nr.input({ shape: [5, 8] });
      const y = nr.input({ shape: [5, 9] });
      const e = nr.layers.dense({ units: 2, name: 'enc' });
      expect(e.apply(x).shape).toEqual([null, 5, 2]);
      expect(e.apply(nr.input({ shape: [7, 8] })).shape).toEqual([null, 7, 2]);
      expect(() => e.apply(y)).toThrow(nr.InvalidArgumentError);
      expect(() => e.apply(y)).toThrow(/^apply: layer enc \(dense\) was first applied to per-sample input shape \[5,8\], but here it receives \[5,9\]: its weights fit 8 on the last axis, not 9/);
      const c = nr.layers.conv2d({ filters: 2, kernelSize: 3, name: 'c3' });
      c.apply(nr.input({ shape: [8, 8, 3] }));
      expect(() => c.apply(nr.input({ shape: [8, 8, 1] }))).toThrow(/^apply: layer c3 \(conv2d\) was first applied to per-sample input shape \[8,8,3\], but here it receives \[8,8,1\]: its weights fit 3 on the channels \(last axis\), not 1/);
      expect(() => c.apply(nr.input({ shape: [2, 8, 3] }))).toThrow(/^apply: layer c3 \(conv2d\) was first applied to per-sample input shape \[8,8,3\], but here it receives \[2,8,3\]: the rows window \(3\) does not fit the input's height of 2/);
      const emb = nr.layers.embedding({ inputDim: 4, outputDim: 2, name: 'emb' });
      emb.apply(nr.input({ shape: [3] }));
      expect(emb.apply(nr.input({ shape: [2, 6] })).shape).toEqual([null, 2, 6, 2]);
      // A merge at other shapes and another number of inputs.
      const cat = nr.layers.concatenate({ name: 'cat' });
      cat.apply([nr.input({ shape: [2] }), nr.input({ shape: [3] })]);
      expect(cat.apply([nr.input({ shape: [2, 4] }), nr.input({ shape: [2, 1] }), nr.input({ shape: [2, 2] })]).shape).toEqual([null, 2, 7]);
      a.dispose();
    });
  });
});
