// A layer applied more than once in one graph model (a siamese encoder: one set of weights on
// two inputs), against TF.js's tf.model built from the same code with neurite's weights copied
// in: predict, gradients through predict, training, TF.js's functional format both ways (a
// layer's inbound_nodes holding one node per call, references [layer, call, 0]), and errors.
// neurite runs a layer's uses as one batch (stacked along the batch axis): exact for layers
// that treat each sample on its own, so batch normalization, variational layers and activity
// regularizers are refused on a layer used twice.
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { close, copyWeights, rng, tf, tfArtifacts, uniform, nrGraphLib, TF_GRAPH, type GraphLib as Lib } from './oracle.js';
import { expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const NR = nrGraphLib(21);
const TF = TF_GRAPH;

/** A siamese pair: a two-layer encoder applied to a and to b, symmetric merges (max, product), a sigmoid head. */
function siamese(L: Lib): any {
  const a = L.input({ shape: [4], name: 'a' });
  const b = L.input({ shape: [4], name: 'b' });
  const d1 = L.layers.dense({ units: 5, activation: 'tanh', name: 'enc1' });
  const d2 = L.layers.dense({ units: 3, name: 'enc2' });
  const ea = d2.apply(d1.apply(a));
  const eb = d2.apply(d1.apply(b));
  const both = L.layers.concatenate({ name: 'both' }).apply([L.layers.maximum({ name: 'mx' }).apply([ea, eb]), L.layers.multiply({ name: 'prod' }).apply([ea, eb])]);
  return L.model({ inputs: [a, b], outputs: L.layers.dense({ units: 1, activation: 'sigmoid', name: 'same' }).apply(both) });
}

/** One input; an encoder used three times (on x, on its own first result's sibling branch, and again), two outputs, one of them a further use. */
function thrice(L: Lib): any {
  const x = L.input({ shape: [3], name: 'x' });
  const pre = L.layers.dense({ units: 3, activation: 'relu', name: 'pre' }).apply(x);
  const enc = L.layers.dense({ units: 3, activation: 'tanh', name: 'shared' });
  const u1 = enc.apply(x);
  const u2 = enc.apply(pre);
  const u3 = enc.apply(L.layers.add({ name: 'sum' }).apply([x, pre]));
  const head = L.layers.dense({ units: 2, name: 'head' }).apply(L.layers.concatenate({ name: 'cat' }).apply([u1, u3]));
  return L.model({ inputs: x, outputs: [head, u2] });
}

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe('a layer applied more than once in a graph model (siamese)', () => {
  it('predicts and differentiates as TF.js (1e-6, 1e-5): a two-layer encoder on two inputs', () => {
    const n = siamese(NR) as nr.Sequential;
    const t = siamese(TF) as tfl.LayersModel;
    try {
      copyWeights(n, t);
      const r = rng(3);
      const [xa, xb] = [uniform(r, 28, -2, 2), uniform(r, 28, -2, 2)];
      const want = tf.tidy(() => (t.predict([tf.tensor(xa, [7, 4]), tf.tensor(xb, [7, 4])]) as tf.Tensor).dataSync());
      for (const batchSize of [32, 3]) {
        close(nr.tidy(() => n.predict<nr.Tensor>([nr.tensor(xa, [7, 4]), nr.tensor(xb, [7, 4])], { batchSize }).data()), want, 1e-6, `predict, batchSize ${batchSize}`);
      }
      // Swapping the inputs gives the same output (the merges are symmetric): one set of weights.
      close(nr.tidy(() => n.predict<nr.Tensor>([nr.tensor(xb, [7, 4]), nr.tensor(xa, [7, 4])]).data()), want, 1e-6, 'predict with the inputs swapped');
      const w = uniform(r, 7, -1, 1);
      const got = expectNoLeak(() => nr.tidy(() => nr.grads((p, q) => n.predict<nr.Tensor>([p, q]).mul(nr.tensor(w, [7, 1])).sum())([nr.tensor(xa, [7, 4]), nr.tensor(xb, [7, 4])]).map((g) => g.data())));
      const wantG = tf.tidy(() => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(t.predict([p, q]) as tf.Tensor, tf.tensor(w, [7, 1]))))([tf.tensor(xa, [7, 4]), tf.tensor(xb, [7, 4])]).map((g) => g.dataSync()));
      got.forEach((g, i) => close(g, wantG[i], 1e-5, `dL/dx[${i}]`));
      // The weights' gradient adds both uses: against TF.js's variableGrads.
      const f = (): nr.Tensor => n.predict<nr.Tensor>([nr.tensor(xa, [7, 4]), nr.tensor(xb, [7, 4])]).mul(nr.tensor(w, [7, 1])).sum();
      const { grads } = nr.variableGrads(f, n.trainableWeights);
      const tg = tf.variableGrads(() => tf.sum(tf.mul(t.predict([tf.tensor(xa, [7, 4]), tf.tensor(xb, [7, 4])]) as tf.Tensor, tf.tensor(w, [7, 1]))) as tf.Scalar);
      for (const v of n.trainableWeights) {
        const tv = Object.keys(tg.grads).find((k) => k.startsWith(`${v.name.split('/')[0]}/`) && k.endsWith(v.name.split('/')[1]));
        close(grads[v.name].dataSync(), tg.grads[tv!].dataSync(), 1e-5, `dL/d${v.name}`);
      }
      nr.dispose(Object.values(grads));
      tf.dispose([tg.value, ...Object.values(tg.grads)]);
    } finally {
      n.dispose();
      t.dispose();
    }
  });

  it('trains as TF.js (losses and every weight 1e-5 after 3 epochs, Adam, shuffled batches not dividing n)', async () => {
    const n = siamese(NR) as nr.Sequential;
    const t = siamese(TF) as tfl.LayersModel;
    try {
      copyWeights(n, t);
      const r = rng(5);
      const [xa, xb] = [uniform(r, 44, -2, 2), uniform(r, 44, -2, 2)];
      const y = Float32Array.from({ length: 11 }, () => (r() < 0.5 ? 0 : 1));
      n.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      t.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      const h = await n.fit([nr.tensor(xa, [11, 4]), nr.tensor(xb, [11, 4])], nr.tensor(y, [11, 1]), { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
      const th = await t.fit([tf.tensor(xa, [11, 4]), tf.tensor(xb, [11, 4])], tf.tensor(y, [11, 1]), { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
      close(Float32Array.from(h.history.loss), Float32Array.from(th.history.loss as number[]), 1e-5, 'losses');
      for (const l of n.layers) {
        const ws = l.getWeights();
        const tws = t.getLayer(l.name).getWeights();
        ws.forEach((w, i) => close(w.dataSync(), tws[i].dataSync(), 1e-5, `${l.name} weight ${i}`));
        nr.dispose(ws);
      }
      // Same seed, same bits.
      const again = siamese(NR) as nr.Sequential;
      again.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy' });
      n.setWeights(again.getWeights());
      const runs = [];
      for (const m of [n, again]) {
        m.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy' });
        await m.fit([nr.tensor(xa, [11, 4]), nr.tensor(xb, [11, 4])], nr.tensor(y, [11, 1]), { epochs: 2, batchSize: 4, verbose: 0 });
        runs.push(m.getWeights().map((w) => Array.from(w.dataSync())));
      }
      expect(runs[1]).toEqual(runs[0]);
      again.dispose();
    } finally {
      n.dispose();
      t.dispose();
    }
  });

  it('three uses, one of them an output: predict as TF.js (1e-6), and the summary lists every use', () => {
    const n = thrice(NR) as nr.Sequential;
    const t = thrice(TF) as tfl.LayersModel;
    try {
      copyWeights(n, t);
      const x = uniform(rng(7), 15, -2, 2);
      const want = tf.tidy(() => (t.predict(tf.tensor(x, [5, 3])) as tf.Tensor[]).map((o) => o.dataSync()));
      const got = nr.tidy(() => n.predict<nr.Tensor[]>(nr.tensor(x, [5, 3])).map((o) => o.data()));
      got.forEach((g, i) => close(g, want[i], 1e-6, `output ${i}`));
      const text = n.summary(null);
      expect(text).toMatch(/shared \(Dense\)\s+\[null,3\]\s+12\s+x; pre; sum/);
      expect(text).toMatch(/cat \(Concatenate\)\s+\[null,6\]\s+0\s+shared, shared\[2\]/);
    } finally {
      n.dispose();
      t.dispose();
    }
  });

  it('saves and loads in TF.js\'s format both ways: one inbound node per call, [layer, call, 0] references', async () => {
    const r = rng(9);
    const [xa, xb] = [uniform(r, 20, -2, 2), uniform(r, 20, -2, 2)];
    const n = siamese(NR) as nr.Sequential;
    try {
      const a = await n.toArtifacts();
      const layers = (a.modelTopology as any).config.layers as Array<{ name: string; inbound_nodes: unknown[][] }>;
      const enc2 = layers.find((l) => l.name === 'enc2')!;
      expect(enc2.inbound_nodes).toEqual([[['enc1', 0, 0, {}]], [['enc1', 1, 0, {}]]]);
      expect(layers.find((l) => l.name === 'mx')!.inbound_nodes).toEqual([[['enc2', 0, 0, {}], ['enc2', 1, 0, {}]]]);
      const want = nr.tidy(() => n.predict<nr.Tensor>([nr.tensor(xa, [5, 4]), nr.tensor(xb, [5, 4])]).data());
      // neurite → neurite: the same bits.
      const back = (await nr.loadModel(a)) as nr.Sequential;
      expect(nr.tidy(() => back.predict<nr.Tensor>([nr.tensor(xa, [5, 4]), nr.tensor(xb, [5, 4])]).data())).toEqual(want);
      expect(back.graphIo?.extraUses).toEqual(n.graphIo?.extraUses);
      back.dispose();
      // neurite → TF.js → neurite.
      const tm = await tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
      try {
        close(tf.tidy(() => (tm.predict([tf.tensor(xa, [5, 4]), tf.tensor(xb, [5, 4])]) as tf.Tensor).dataSync()), want, 1e-6, 'TF.js predicts neurite\'s file');
        const fromTf = (await nr.loadModel((await tfArtifacts(tm)) as nr.ModelArtifacts)) as nr.Sequential;
        expect(nr.tidy(() => fromTf.predict<nr.Tensor>([nr.tensor(xa, [5, 4]), nr.tensor(xb, [5, 4])]).data())).toEqual(want);
        fromTf.dispose();
      } finally {
        tm.dispose();
      }
    } finally {
      n.dispose();
    }
    // A TF.js-built model: three uses, one an output; a nested sequential encoder used twice
    // (TF.js numbers a nested model's calls 1 and 2).
    const seqEnc = (L: Lib, lib: any): any => lib.sequential({ name: 'senc', layers: [L.layers.dense({ inputShape: [4], units: 3, activation: 'tanh', name: 'sd' })] });
    const nested = (L: Lib, lib: any): any => {
      const a = L.input({ shape: [4], name: 'na' });
      const b = L.input({ shape: [4], name: 'nb' });
      const enc = seqEnc(L, lib);
      return L.model({ inputs: [a, b], outputs: L.layers.add({ name: 'nadd' }).apply([enc.apply(a), enc.apply(b)]) });
    };
    for (const [make, xs] of [[() => thrice(TF), [[5, 3]]], [() => nested(TF, tfl), [[5, 4], [5, 4]]]] as const) {
      const tm = make() as tfl.LayersModel;
      try {
        const inputs = xs.map((s) => uniform(r, s[0] * s[1], -2, 2));
        const want = tf.tidy(() => list(tm.predict(inputs.map((v, i) => tf.tensor(v, [...xs[i]]))) as tf.Tensor | tf.Tensor[]).map((o) => o.dataSync()));
        const art = await tfArtifacts(tm);
        if (tm.name.startsWith('model')) {
          const cfg = JSON.stringify(art.modelTopology);
          if (cfg.includes('"senc"')) expect(cfg).toContain('["senc",2,0,{}]');
        }
        const m = (await nr.loadModel(art as nr.ModelArtifacts)) as nr.Sequential;
        try {
          const got = nr.tidy(() => list(m.predict<nr.Tensor | nr.Tensor[]>(inputs.length === 1 ? nr.tensor(inputs[0], [...xs[0]]) : inputs.map((v, i) => nr.tensor(v, [...xs[i]])))).map((o) => o.data()));
          got.forEach((g, i) => close(g, want[i], 1e-6, `${tm.name}: output ${i} after loading`));
          // And back to TF.js with the same predictions.
          const t2 = await tfl.loadLayersModel(tf.io.fromMemory((await m.toArtifacts()) as tf.io.ModelArtifacts));
          const again = tf.tidy(() => list(t2.predict(inputs.map((v, i) => tf.tensor(v, [...xs[i]]))) as tf.Tensor | tf.Tensor[]).map((o) => o.dataSync()));
          again.forEach((g, i) => close(g, want[i], 1e-6, `${tm.name}: TF.js after neurite saved it, output ${i}`));
          t2.dispose();
        } finally {
          for (const l of m.layers) if (l instanceof nr.Sequential) l.dispose();
          m.dispose();
        }
      } finally {
        tm.dispose();
      }
    }
  });

  // A tester's shared-encoder model: loadModel read a further use's value id as a layer index
  // and failed on the compile record ("Cannot read properties of undefined (reading 'name')").
  it('compiled, with outputs that are further uses of a layer (one layer on two inputs): loads compiled, evaluates the same, and TF.js loads it', async () => {
    const r = rng(12);
    const x = nr.tensor(uniform(r, 15, -2, 2), [5, 3]);
    const y = nr.tensor(uniform(r, 10, -2, 2), [5, 2]);
    const d = nr.layers.dense({ units: 2, name: 'head' });
    const [a, b] = [nr.input({ shape: [3] }), nr.input({ shape: [3] })];
    const m = nr.model({ inputs: [a, b], outputs: [d.apply(a), d.apply(b)] as nr.SymbolicTensor[] });
    try {
      m.compile({ optimizer: 'adam', loss: ['mse', 'mae'], metrics: [['mae'], ['mse']] });
      // Two outputs of one name: logged apart as TF.js's fit logs them (getDedupedMetricsNames);
      // one key kept only the second output's values. A y keyed by that name is refused.
      const h = await m.fit([x, x], [y, y], { epochs: 1, verbose: 0 });
      expect(m.metricsNames).toEqual(['loss', 'head_loss_0', 'head_loss_1', 'head_mae', 'head_mse']);
      expect(Object.keys(h.history)).toEqual(m.metricsNames);
      await expect(m.fit([x, x], { head: y }, { verbose: 0 })).rejects.toThrow("fit: y has a key 'head', which names outputs 0 and 1 of the model (one layer gives them all): give y as an array in output order");
      const want = nr.tidy(() => (m.evaluate([x, x], [y, y]) as nr.Tensor[]).map((t) => t.item()));
      const dict = nr.tidy(() => m.evaluate([x, x], [y, y], { returnDict: true }));
      expect(Object.values(dict)).toEqual(want);
      // neurite's own record: the same compile. TF.js's trainingConfig alone (as a file TF.js
      // re-saved) keys metrics by output name, so both heads take the last one's (as in TF.js).
      for (const [art, metrics] of [[await m.toArtifacts(), m.metricsNames], [{ ...(await m.toArtifacts()), userDefinedMetadata: undefined }, ['loss', 'head_loss_0', 'head_loss_1', 'head_mse_0', 'head_mse_1']]] as const) {
        const back = (await nr.loadModel(art)) as nr.Sequential;
        try {
          expect(back.metricsNames).toEqual(metrics);
          const got = nr.tidy(() => (back.evaluate([x, x], [y, y]) as nr.Tensor[]).map((t) => t.item()));
          expect(got.slice(0, 3)).toEqual(want.slice(0, 3));
          if (art.userDefinedMetadata) expect(got).toEqual(want);
        } finally {
          back.dispose();
        }
      }
      const tm = await tfl.loadLayersModel(tf.io.fromMemory((await m.toArtifacts()) as tf.io.ModelArtifacts));
      expect(tm.outputNames).toEqual(['head', 'head']);
      tm.dispose();
    } finally {
      m.dispose();
      x.dispose();
      y.dispose();
    }
  });

  it('says what is wrong: a use reading its own output, other input shapes, batch statistics; leaks nothing', () => {
    expectNoLeak(() => {
      const x = nr.input({ shape: [3] });
      const d = nr.layers.dense({ units: 3, name: 'loop' });
      expect(() => nr.model({ inputs: x, outputs: d.apply(d.apply(x)) })).toThrow(/layer loop is applied to loop\/loop, which is computed from its own output/);
      const wide = nr.input({ shape: [4] });
      const e = nr.layers.dense({ units: 2, name: 'enc' });
      // At the second apply, as TF.js (the first built the layer for [3]).
      const first = e.apply(x);
      expect(() => e.apply(wide)).toThrow(nr.InvalidArgumentError);
      expect(() => e.apply(wide)).toThrow(/^apply: layer enc \(dense\) was first applied to per-sample input shape \[3\], but here it receives \[4\]: its weights fit 3 on the last axis, not 4/);
      expect(first.shape).toEqual([null, 2]);
      const bn = nr.layers.batchNormalization({ name: 'bn' });
      const y = nr.input({ shape: [3] });
      expect(() => nr.model({ inputs: [x, y], outputs: nr.layers.add().apply([bn.apply(x), bn.apply(y)]) })).toThrow(/layer bn is used more than once but it is \(or holds\) a batchNormalization layer/);
      const reg = nr.layers.dense({ units: 3, name: 'reg', activityRegularizer: nr.regularizers.l1() });
      expect(() => nr.model({ inputs: [x, y], outputs: nr.layers.add().apply([reg.apply(x), reg.apply(y)]) })).toThrow(/layer reg is used more than once but it is \(or holds\) a dense layer with an activity regularizer/);
      // Used directly and inside a nested model: said of model(), with what works (it was "add:
      // layer shared is already in model …", a call the user never made).
      const shared = nr.layers.dense({ units: 3, name: 'shared' });
      const si = nr.input({ shape: [3] });
      const sub = nr.model({ inputs: si, outputs: nr.layers.dense({ units: 3, name: 'subd' }).apply(shared.apply(si)) as nr.SymbolicTensor, name: 'sub' });
      expect(() => nr.model({ inputs: x, outputs: nr.layers.concatenate().apply([sub.apply(x) as nr.SymbolicTensor, shared.apply(x) as nr.SymbolicTensor]) as nr.SymbolicTensor })).toThrow(
        'model: layer shared is used inside nested model sub and directly; a layer can be used at one level of a model for now (several times there, as in a siamese graph): apply the layers of sub directly in this graph instead of nesting it');
      sub.dispose();
    });
    // Many builds, fits and disposals of a siamese model leave nothing behind.
    const before = nr.memory();
    for (let i = 0; i < 3; i++) {
      const m = siamese(NR) as nr.Sequential;
      m.compile({ optimizer: 'sgd', loss: 'mse' });
      nr.tidy(() => m.trainOnBatch([nr.ones([2, 4]), nr.zeros([2, 4])], nr.ones([2, 1])));
      m.dispose();
    }
    const after = nr.memory();
    expect([after.numTensors, after.numBytes]).toEqual([before.numTensors, before.numBytes]);
  });
});

describe('a noise layer used at two input shapes draws a mask per shape', () => {
  /** Pearson correlation of the first `n` values of `a` and `b`. */
  const corr = (a: Float32Array, b: Float32Array, n: number): number => {
    let [ma, mb] = [0, 0];
    for (let i = 0; i < n; i++) [ma, mb] = [ma + a[i] / n, mb + b[i] / n];
    let [c, va, vb] = [0, 0, 0];
    for (let i = 0; i < n; i++) [c, va, vb] = [c + (a[i] - ma) * (b[i] - mb), va + (a[i] - ma) ** 2, vb + (b[i] - mb) ** 2];
    return c / Math.sqrt(va * vb);
  };
  const noises: Array<[string, () => nr.Layer]> = [
    ['dropout', () => nr.layers.dropout({ rate: 0.5 })],
    ['gaussianNoise', () => nr.layers.gaussianNoise({ stddev: 1 })],
    ['gaussianDropout', () => nr.layers.gaussianDropout({ rate: 0.5 })],
    ['alphaDropout', () => nr.layers.alphaDropout({ rate: 0.5 })],
    ['saltAndPepper', () => nr.layers.saltAndPepper({ rate: 0.5 })],
  ];
  for (const [name, make] of noises) {
    it(`${name}: the uses at [64] and [48] are uncorrelated (they were one stream: correlation 1); the [64] use draws what the layer used once draws`, () => {
      expectNoLeak(() => {
        const l = make();
        const a = nr.input({ shape: [64] }), b = nr.input({ shape: [48] });
        const m = nr.model({ inputs: [a, b], outputs: [l.apply(a) as nr.SymbolicTensor, l.apply(b) as nr.SymbolicTensor], seed: 3 });
        const [ya, yb] = nr.tidy(() => (m.apply([nr.ones([32, 64]), nr.ones([32, 48])], { training: true }) as nr.Tensor[]).map((t) => t.data()));
        // The second use's noise against the first values of the first's (what one stream gave),
        // and sample by sample: independent draws, |r| of 1536 pairs has sd 0.026 (6 sd).
        expect(Math.abs(corr(ya, yb, yb.length)), 'streams').toBeLessThan(0.15);
        const byFeature = (y: Float32Array, w: number) => Float32Array.from({ length: 32 * 48 }, (_, i) => y[Math.floor(i / 48) * w + (i % 48)]);
        expect(Math.abs(corr(byFeature(ya, 64), byFeature(yb, 48), 32 * 48)), 'samples').toBeLessThan(0.15);
        // The first shape's batch keeps the step's seed: a model using the layer once draws the same.
        const l1 = make();
        const one = nr.model({ inputs: a, outputs: l1.apply(a) as nr.SymbolicTensor, seed: 3 });
        const y1 = nr.tidy(() => (one.apply(nr.ones([32, 64]), { training: true }) as nr.Tensor).data());
        // (Each layer draws its own stream: the layer index in both models is the same, 0 after the inputs.)
        expect(Array.from(y1)).toEqual(Array.from(ya));
        m.dispose();
        one.dispose();
      });
    });
  }
});
