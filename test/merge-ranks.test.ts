// The element-wise merge layers (add, subtract, multiply, average, maximum, minimum) on inputs
// of different ranks, against TF.js 4.22 live. TF.js's Merge (tfjs-layers src/layers/merge.ts)
// gives each lower-rank input axes of 1 at axis 1 (after the batch) until the ranks match, in
// `call`, and meets the shapes at their last axes in `computeElementwiseOpOutputShape`; Keras 3's
// Merge does the same. Same weights into both libraries; output shapes (symbolic, layer,
// summary), values, gradients through predict w.r.t. the inputs and the weights (the tape),
// fit and minimize (same weights after), TF.js's saves loaded and neurite's loaded by TF.js,
// and an error where TF.js errors.
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { bits, close, copyWeights, rng, tf, tfArtifacts, uniform, nrGraphLib, TF_GRAPH, type GraphLib as Lib } from './oracle.js';
import { expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const NR = nrGraphLib(5);
const TF = TF_GRAPH;

/** TF.js's official mnist-acgan generator's input: a class embedding [1, 4] times the latent [4]. */
function acgan(L: Lib): any {
  const latent = L.input({ shape: [4], name: 'latent' });
  const cls = L.input({ shape: [1], name: 'cls' });
  const emb = L.layers.embedding({ inputDim: 10, outputDim: 4, name: 'emb' }).apply(cls);
  const h = L.layers.multiply({ name: 'h' }).apply([latent, emb]);
  const f = L.layers.flatten({ name: 'f' }).apply(h);
  return L.model({ inputs: [latent, cls], outputs: L.layers.dense({ units: 3, activation: 'tanh', name: 'o' }).apply(f) });
}

/**
 * A per-sample vector [5] (from dense layers) added to, and multiplied with, each of the 3 rows
 * of a [3, 5] input (not maximum: TF.js 4.22 has no gradient for broadcast maximum or minimum).
 */
function rowwise(L: Lib): any {
  const v = L.input({ shape: [2], name: 'v' });
  const seq = L.input({ shape: [3, 5], name: 'seq' });
  const d = L.layers.dense({ units: 5, name: 'd' }).apply(v);
  const s = L.layers.add({ name: 's' }).apply([d, seq]);
  const e = L.layers.dense({ units: 5, activation: 'relu', name: 'e' }).apply(seq);
  const m = L.layers.multiply({ name: 'm' }).apply([e, L.layers.dense({ units: 5, name: 'g' }).apply(v)]);
  const a = L.layers.average({ name: 'a' }).apply([s, m, d]);
  return L.model({ inputs: [v, seq], outputs: L.layers.dense({ units: 2, name: 'o' }).apply(L.layers.flatten({ name: 'f' }).apply(a)) });
}

const ids = (r: () => number, n: number): Float32Array => Float32Array.from({ length: n }, () => Math.floor(r() * 10));
const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);

describe('element-wise merges of inputs of different ranks, as TF.js 4.22', () => {
  it('the mnist-acgan case: shapes, summary, values and dL/dlatent as TF.js', () => {
    const n = acgan(NR) as nr.Sequential;
    const t = acgan(TF) as tfl.LayersModel;
    try {
      copyWeights(n, t);
      expect(n.getLayer('h').outputShape).toEqual([null, 1, 4]);
      expect(t.getLayer('h').outputShape).toEqual([null, 1, 4]);
      expect(n.outputShape).toEqual(t.outputShape);
      expect(n.summary(null)).toMatch(/h \(Multiply\)\s+\[null,1,4\]\s+0\s+latent, emb/);
      const r = rng(1);
      const x = uniform(r, 6 * 4, -2, 2), c = ids(r, 6);
      const want = tf.tidy(() => (t.predict([tf.tensor(x, [6, 4]), tf.tensor(c, [6, 1])]) as tf.Tensor).dataSync());
      close(nr.tidy(() => n.predict<nr.Tensor>([nr.tensor(x, [6, 4]), nr.tensor(c, [6, 1])]).data()), want, 1e-6, 'predict');
      const w = uniform(r, 6 * 3, -1, 1);
      const got = expectNoLeak(() => nr.tidy(() => nr.grad((a) => n.predict<nr.Tensor>([a, nr.tensor(c, [6, 1])]).mul(nr.tensor(w, [6, 3])).sum())(nr.tensor(x, [6, 4])).data()));
      const wantG = tf.tidy(() => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(t.predict([a, tf.tensor(c, [6, 1])]) as tf.Tensor, tf.tensor(w, [6, 3]))))(tf.tensor(x, [6, 4])).dataSync());
      close(got, wantG, 1e-5, 'dL/dlatent');
      expect(got.some((v) => v !== 0)).toBe(true);
    } finally {
      n.dispose();
      t.dispose();
    }
  });

  it('each merge on [4] and [3, 4], and average of ranks 1, 2, 3 (odd sizes): shapes, bits and gradients as TF.js', () => {
    // The layers alone on the model's inputs: values exact in both (bits); dL/dx of each input
    // (the expanded input's gradient summed back to its shape) within 1e-6. TF.js has no
    // subtract layer (Keras 3 has): its oracle is tf.sub of the first input expanded at axis 1.
    // TF.js 4.22's maximum and minimum have no gradient for broadcast inputs ("Error in
    // gradient for op Maximum. The gradient of input 'a' has shape '3,3,4', which does not
    // match the shape of the input '3,1,4'"): their gradients' oracle is the op on the inputs
    // expanded at axis 1 and broadcast to the output's shape (tf.broadcastTo sums them back).
    const cases: Array<[string, number[][]]> = [
      ...['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum'].map((op): [string, number[][]] => [op, [[4], [3, 4]]]),
      ...['add', 'multiply', 'maximum'].map((op): [string, number[][]] => [op, [[3, 4], [4]]]),
      ['average', [[7], [3, 1], [5, 3, 7]]],
      ['minimum', [[5, 1, 7], [7], [1, 7]]],
      ['multiply', [[1], [2, 3]]],
    ];
    for (const [op, shapes] of cases) {
      const what = `${op} of ${JSON.stringify(shapes)}`;
      const b = 3;
      const r = rng(shapes.flat().length * 7 + op.length);
      const xs = shapes.map((s) => uniform(r, b * size(s), -2, 2));
      const ni = shapes.map((s) => nr.input({ shape: s }));
      const ny = (nr.layers as any)[op]().apply(ni) as nr.SymbolicTensor;
      const n = nr.model({ inputs: ni, outputs: ny });
      let t: tfl.LayersModel | null = null;
      let run: (ts: tf.Tensor[]) => tf.Tensor;
      if (op === 'subtract') {
        run = ([p, q]) => tf.sub(tf.expandDims(p, 1), q);
      } else {
        const ti = shapes.map((s) => tfl.input({ shape: s }));
        const ty = (tfl.layers as any)[op]().apply(ti) as tfl.SymbolicTensor;
        expect(ny.shape, `${what}: output shape`).toEqual(ty.shape);
        t = tfl.model({ inputs: ti, outputs: ty });
        run = (ts) => t!.predict(ts) as tf.Tensor;
      }
      try {
        const outShape = [b, ...(ny.shape.slice(1) as number[])];
        const want = tf.tidy(() => {
          const y = run(xs.map((x, i) => tf.tensor(x, [b, ...shapes[i]])));
          expect(y.shape, `${what}: TF.js's output`).toEqual(outShape);
          return y.dataSync();
        });
        const got = nr.tidy(() => {
          const y = n.predict<nr.Tensor>(xs.map((x, i) => nr.tensor(x, [b, ...shapes[i]])));
          expect([...y.shape], `${what}: output`).toEqual(outShape);
          return y.data();
        });
        expect(bits(got), `${what}: bits`).toEqual(bits(want));
        const w = uniform(r, size(outShape), -1, 1);
        const spread = (ts: tf.Tensor[]): tf.Tensor => {
          const f = op === 'maximum' ? tf.maximum : tf.minimum;
          return ts.map((x) => tf.broadcastTo(tf.reshape(x, [b, ...Array(outShape.length - x.rank).fill(1), ...x.shape.slice(1)]), outShape)).reduce((p, q) => f(p, q));
        };
        const runG = op === 'maximum' || op === 'minimum' ? spread : run;
        if (runG === spread) expect(bits(tf.tidy(() => spread(xs.map((x, i) => tf.tensor(x, [b, ...shapes[i]]))).dataSync())), `${what}: the oracle's values`).toEqual(bits(want));
        const wantG = tf.tidy(() => tf.grads((...ts: tf.Tensor[]) => tf.sum(tf.mul(runG(ts), tf.tensor(w, outShape))))(xs.map((x, i) => tf.tensor(x, [b, ...shapes[i]]))).map((g) => g.dataSync()));
        const gotG = expectNoLeak(() => nr.tidy(() => nr.grads((...ts: nr.Tensor[]) => n.predict<nr.Tensor>(ts).mul(nr.tensor(w, outShape)).sum())(xs.map((x, i) => nr.tensor(x, [b, ...shapes[i]]))).map((g) => {
          return { shape: [...g.shape], v: g.data() };
        })));
        gotG.forEach((g, i) => {
          expect(g.shape, `${what}: dL/dx${i} shape`).toEqual([b, ...shapes[i]]);
          close(g.v, wantG[i], 1e-6, `${what}: dL/dx${i}`);
        });
      } finally {
        n.dispose();
        t?.dispose();
      }
    }
  });

  it('fit, and minimize through predict (the tape), train as TF.js: same losses and weights (1e-5)', async () => {
    for (const build of [acgan, rowwise]) {
      const r = rng(build === acgan ? 11 : 12);
      const nb = 10;
      const xs = build === acgan ? [uniform(r, nb * 4, -2, 2), ids(r, nb)] : [uniform(r, nb * 2, -2, 2), uniform(r, nb * 15, -2, 2)];
      const xShapes = build === acgan ? [[nb, 4], [nb, 1]] : [[nb, 2], [nb, 3, 5]];
      const outUnits = build === acgan ? 3 : 2;
      const y = uniform(r, nb * outUnits, -1, 1);
      for (const path of ['fit', 'minimize'] as const) {
        const what = `${build.name} ${path}`;
        const n = build(NR) as nr.Sequential;
        const t = build(TF) as tfl.LayersModel;
        try {
          copyWeights(n, t);
          const before = nr.tidy(() => n.getWeights().map((v) => v.data()));
          if (path === 'fit') {
            n.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.05 }), loss: 'meanSquaredError' });
            t.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
            const fit = { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 } as const;
            const nx = xs.map((x, i) => nr.tensor(x, xShapes[i])), ny = nr.tensor(y, [nb, outUnits]);
            const h = await n.fit(nx, ny, fit).finally(() => nr.dispose([...nx, ny]));
            const tx = xs.map((x, i) => tf.tensor(x, xShapes[i])), ty = tf.tensor(y, [nb, outUnits]);
            const th = await t.fit(tx, ty, fit).finally(() => tf.dispose([...tx, ty]));
            close(h.history.loss, th.history.loss as number[], 1e-5, `${what}: losses`);
          } else {
            const opt = nr.optimizers.sgd({ learningRate: 0.3 }), topt = tf.train.sgd(0.3);
            for (let step = 0; step < 3; step++) {
              nr.tidy(() => opt.minimize(() => n.predict<nr.Tensor>(xs.map((x, i) => nr.tensor(x, xShapes[i]))).sub(nr.tensor(y, [nb, outUnits])).square().mean(), false, n.trainableWeights));
              tf.tidy(() => { topt.minimize(() => tf.mean(tf.square(tf.sub(t.predict(xs.map((x, i) => tf.tensor(x, xShapes[i]))) as tf.Tensor, tf.tensor(y, [nb, outUnits])))) as tf.Scalar, false, t.trainableWeights.map((v) => v.read() as tf.Variable)); });
            }
            opt.dispose();
            topt.dispose();
          }
          const after = nr.tidy(() => n.getWeights().map((v) => v.data()));
          expect(after.every((a, i) => a.some((v, k) => v !== before[i][k])), `${what}: every weight moved`).toBe(true);
          for (const l of n.layers) {
            const ws = l.getWeights();
            const want = t.getLayer(l.name).getWeights();
            expect(ws.length, `${what}: ${l.name}`).toBe(want.length);
            ws.forEach((v, i) => close(v.data(), want[i].dataSync(), 1e-5, `${what}: ${l.name} weight ${i}`));
            nr.dispose(ws);
          }
        } finally {
          n.dispose();
          t.dispose();
        }
      }
    }
  });

  it('saves the same configs: TF.js loads neurite\'s model and neurite TF.js\'s, predicting alike', async () => {
    const n = rowwise(NR) as nr.Sequential;
    const t = rowwise(TF) as tfl.LayersModel;
    try {
      copyWeights(n, t);
      const r = rng(4);
      const x = [uniform(r, 5 * 2, -2, 2), uniform(r, 5 * 15, -2, 2)];
      const shapes = [[5, 2], [5, 3, 5]];
      const want = nr.tidy(() => n.predict<nr.Tensor>(x.map((v, i) => nr.tensor(v, shapes[i]))).data());
      const a = await n.toArtifacts();
      const fromNr = await tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
      close(tf.tidy(() => (fromNr.predict(x.map((v, i) => tf.tensor(v, shapes[i]))) as tf.Tensor).dataSync()), want, 1e-6, 'TF.js predicts neurite\'s save');
      // The merge layers' configs are TF.js's (no new keys).
      const cfg = (m: any, name: string) => m.modelTopology.config.layers.find((l: any) => l.name === name).config;
      const tfSaved = await tfArtifacts(t);
      for (const name of ['s', 'm', 'a']) expect(cfg(a, name), name).toEqual(cfg(tfSaved, name));
      const fromTf = (await nr.loadModel(tfSaved as nr.ModelArtifacts)) as nr.Sequential;
      expect(fromTf.getLayer('s').outputShape).toEqual([null, 3, 5]);
      close(nr.tidy(() => fromTf.predict<nr.Tensor>(x.map((v, i) => nr.tensor(v, shapes[i]))).data()), want, 1e-6, 'neurite predicts TF.js\'s save');
      fromTf.dispose();
      fromNr.dispose();
    } finally {
      n.dispose();
      t.dispose();
    }
    // A file (TF.js's save, edited) whose shapes do not meet is refused before anything is allocated.
    const [p, q] = [tfl.input({ shape: [4], name: 'p' }), tfl.input({ shape: [3, 4], name: 'q' })];
    const small = tfl.model({ inputs: [p, q], outputs: tfl.layers.add({ name: 'sum' }).apply([p, q]) as tfl.SymbolicTensor });
    const saved = await tfArtifacts(small);
    small.dispose();
    const ok = (await nr.loadModel(saved as nr.ModelArtifacts)) as nr.Sequential;
    expect(ok.outputShape).toEqual([null, 3, 4]);
    ok.dispose();
    const bad = JSON.parse(JSON.stringify(saved.modelTopology));
    bad.config.layers.find((l: any) => l.name === 'q').config.batch_input_shape = [null, 3, 5];
    await expect(nr.loadModel({ ...saved, modelTopology: bad } as nr.ModelArtifacts)).rejects.toThrow(/\(add sum\): inputs must have the same per-sample shape \(or 1 where they differ; shapes of other ranks meet at their last axes\), got per-sample shapes \[4\], \[3,5\]/);
  });

  it('errors where TF.js errors: shapes that do not meet at their last axes; concatenate of other ranks', () => {
    const cases: Array<[string, number[][], RegExp]> = [
      ['add', [[3], [2, 4]], /^apply: layer \w+: add: inputs must have the same per-sample shape \(or 1 where they differ; shapes of other ranks meet at their last axes\), got \[3\], \[2,4\]$/],
      ['multiply', [[4, 1], [2, 3, 4]], /multiply: inputs must have the same per-sample shape .* got \[4,1\], \[2,3,4\]/],
      ['average', [[3], [3], [3, 2]], /average: inputs must have the same per-sample shape .* got \[3\], \[3\], \[3,2\]/],
      ['concatenate', [[4], [3, 4]], /concatenate: inputs must have the same rank, got per-sample shapes \[4\], \[3,4\]/],
    ];
    for (const [op, shapes, message] of cases) {
      expect(() => (tfl.layers as any)[op]().apply(shapes.map((s) => tfl.input({ shape: s }))), `TF.js ${op}`).toThrow();
      expect(() => (nr.layers as any)[op]().apply(shapes.map((s) => nr.input({ shape: s }))), `neurite ${op}`).toThrow(message);
    }
  });
});
