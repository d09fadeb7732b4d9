// A model's weights in TF.js's order (tfjs-layers 4.22: `Container.weights` is
// `trainableWeights.concat(nonTrainableWeights)`, built recursively over the layers in TF.js's
// layer order; see ts/models/weight-order.ts): `getWeights`, `setWeights`, `weights`,
// `nonTrainableWeights`, `weightNames` and saved files list them as TF.js does, so
// `nrModel.setWeights(tfModel.getWeights())` ports as is. The oracle is TF.js itself: the same
// architecture, its weight names and its predictions after its weights go into neurite.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { expectClose, expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';
import { normals } from './rng.js';
import { tfWeightOrder, tfLayerOrder } from '../ts/models/weight-order.js';

await tf.setBackend('cpu');

/** TF.js's weight names in `getWeights()` order (the names neurite writes: no model prefix). */
const tfNames = (m: tfl.LayersModel, which: 'weights' | 'trainableWeights' | 'nonTrainableWeights' = 'weights'): string[] => m[which].map((w) => w.originalName);

/**
 * Random values for every TF.js weight (moving variances positive), so that a misplaced one
 * shows; written variable by variable (a TF.js Sequential whose first layer is a model sets
 * weights in another order than it lists them).
 */
function randomize(m: tfl.LayersModel, seed: number): void {
  const next = normals(seed);
  for (const w of m.weights) {
    const shape = w.shape as number[];
    const v = next(shape.reduce((a, b) => a * b, 1)).map((x) => (w.originalName.endsWith('moving_variance') ? 0.5 + Math.abs(x) : x));
    tf.tidy(() => void w.write(tf.tensor(v, shape)));
  }
}

/** TF.js's weights, as neurite tensors (the caller disposes them). */
const fromTf = (m: tfl.LayersModel): nr.Tensor[] => m.getWeights().map((w) => nr.tensor(w.dataSync() as Float32Array, w.shape.slice()));

/**
 * Checks neurite's model `n` against TF.js's `t` of the same architecture and names: the weight
 * lists by name, then TF.js's `getWeights()` into `n.setWeights`, the same predictions, and
 * `n.getWeights()` giving TF.js's values back.
 */
function sameAsTf(n: nr.Sequential, t: tfl.LayersModel, inputs: number[][]): void {
  expect(n.weightNames()).toEqual(tfNames(t));
  expect(n.weights.map((v) => v.name)).toEqual(tfNames(t));
  expect(n.trainableWeights.map((v) => v.name)).toEqual(tfNames(t, 'trainableWeights'));
  expect(n.nonTrainableWeights.map((v) => v.name)).toEqual(tfNames(t, 'nonTrainableWeights'));
  randomize(t, 3);
  const ws = fromTf(t);
  expectNoLeak(() => n.setWeights(ws));
  for (const w of ws) w.dispose();
  const seeds = inputs.map((shape, i) => normals(10 + i)(shape.reduce((a, b) => a * b, 1)));
  const want = tf.tidy(() => {
    const out = t.predict(inputs.map((s, i) => tf.tensor(seeds[i], s)));
    return (Array.isArray(out) ? out : [out]).map((o) => Array.from(o.dataSync()));
  });
  expectNoLeak(() => nr.tidy(() => {
    const xs = inputs.map((s, i) => nr.tensor(seeds[i], s));
    const out = n.predict(xs.length === 1 ? xs[0] : xs);
    (Array.isArray(out) ? out : [out]).forEach((o, i) => expectClose(o.dataSync(), want[i], 1e-5, 1e-6));
    const back = n.getWeights();
    const theirs = t.getWeights();
    back.forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(theirs[i].dataSync())));
  }));
}

describe('getWeights/setWeights in TF.js order', () => {
  it('dense, batchNormalization, PReLU: the moving statistics come last (TF.js getWeights → setWeights predicts the same)', () => {
    const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 6, name: 'd' }), tfl.layers.batchNormalization({ name: 'bn' }), tfl.layers.prelu({ name: 'p' }), tfl.layers.dense({ units: 3, name: 'out' })] });
    const n = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 6, name: 'd' }), nr.layers.batchNormalization({ name: 'bn' }), nr.layers.prelu({ name: 'p' }), nr.layers.dense({ units: 3, name: 'out' })] });
    expect(n.weightNames()).toEqual(['d/kernel', 'd/bias', 'bn/gamma', 'bn/beta', 'p/alpha', 'out/kernel', 'out/bias', 'bn/moving_mean', 'bn/moving_variance']);
    sameAsTf(n, t, [[5, 4]]);
    // A layer keeps its own order, as TF.js's layer.getWeights().
    const bn = n.getLayer('bn').getWeights();
    expect(bn.map((w) => w.shape)).toEqual([[6], [6], [6], [6]]);
    expect(Array.from(bn[2].dataSync())).toEqual(Array.from(t.getLayer('bn').getWeights()[2].dataSync()));
    for (const w of bn) w.dispose();
    n.dispose();
    t.dispose();
  });

  it('a frozen layer: its weights come after every trainable one', () => {
    const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 4, name: 'fa', trainable: false }), tfl.layers.batchNormalization({ name: 'fbn' }), tfl.layers.prelu({ name: 'fp' }), tfl.layers.dense({ units: 2, name: 'fb' })] });
    const n = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 4, name: 'fa', trainable: false }), nr.layers.batchNormalization({ name: 'fbn' }), nr.layers.prelu({ name: 'fp' }), nr.layers.dense({ units: 2, name: 'fb' })] });
    expect(n.weightNames()).toEqual(['fbn/gamma', 'fbn/beta', 'fp/alpha', 'fb/kernel', 'fb/bias', 'fa/kernel', 'fa/bias', 'fbn/moving_mean', 'fbn/moving_variance']);
    sameAsTf(n, t, [[4, 3]]);
    n.dispose();
    t.dispose();
  });

  it('a frozen nested model with two batch normalizations: each layer\'s weights together, after the trainable ones', () => {
    const tInner = tfl.sequential({ name: 'inner', layers: [tfl.layers.batchNormalization({ inputShape: [3], name: 'bn1' }), tfl.layers.batchNormalization({ name: 'bn2' })] });
    tInner.trainable = false;
    const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 3, name: 'd1' }), tInner, tfl.layers.dense({ units: 2, name: 'd2' })] });
    const nInner = nr.sequential({ name: 'inner', layers: [nr.layers.batchNormalization({ inputShape: [3], name: 'bn1' }), nr.layers.batchNormalization({ name: 'bn2' })] });
    nInner.trainable = false;
    const n = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 3, name: 'd1' }), nInner, nr.layers.dense({ units: 2, name: 'd2' })] });
    expect(n.weightNames()).toEqual(['d1/kernel', 'd1/bias', 'd2/kernel', 'd2/bias', 'bn1/gamma', 'bn1/beta', 'bn1/moving_mean', 'bn1/moving_variance', 'bn2/gamma', 'bn2/beta', 'bn2/moving_mean', 'bn2/moving_variance']);
    sameAsTf(n, t, [[4, 3]]);
    n.dispose();
    nInner.dispose();
    t.dispose();
  });

  it('a frozen model holding a model: the inner model\'s trainable weights lead the frozen model\'s list', () => {
    // (Not first in the outer model: a TF.js Sequential whose first layer is a model flattens it
    // when built, and lists its weights in another order before and after.)
    const tDeep = tfl.sequential({ name: 'deep', layers: [tfl.layers.batchNormalization({ inputShape: [3], name: 'bnD' })] });
    const tInner = tfl.sequential({ name: 'inner2', layers: [tfl.layers.batchNormalization({ inputShape: [3], name: 'bnA' }), tDeep, tfl.layers.batchNormalization({ name: 'bnB' })] });
    tInner.trainable = false;
    const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 3, name: 'd0' }), tInner, tfl.layers.dense({ units: 2, name: 'dd' })] });
    const nDeep = nr.sequential({ name: 'deep', layers: [nr.layers.batchNormalization({ inputShape: [3], name: 'bnD' })] });
    const nInner = nr.sequential({ name: 'inner2', layers: [nr.layers.batchNormalization({ inputShape: [3], name: 'bnA' }), nDeep, nr.layers.batchNormalization({ name: 'bnB' })] });
    nInner.trainable = false;
    const n = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 3, name: 'd0' }), nInner, nr.layers.dense({ units: 2, name: 'dd' })] });
    expect(tfNames(t).slice(0, 8)).toEqual(['d0/kernel', 'd0/bias', 'dd/kernel', 'dd/bias', 'bnD/gamma', 'bnD/beta', 'bnA/gamma', 'bnA/beta']);
    sameAsTf(n, t, [[4, 3]]);
    for (const m of [n, nInner, nDeep]) m.dispose();
    t.dispose();
  });

  it('a functional model with a shared layer, whose layers TF.js orders by depth, as neurite lists them', () => {
    const tx = tfl.input({ shape: [3], name: 'x' });
    const tShared = tfl.layers.dense({ units: 3, name: 'shared' });
    const [t1, t2, t3] = ['g1', 'g2', 'g3'].map((name) => tfl.layers.dense({ units: 3, name }));
    const tbn = tfl.layers.batchNormalization({ name: 'gbn' });
    const on = (l: tfl.layers.Layer, x: tfl.SymbolicTensor) => l.apply(x) as tfl.SymbolicTensor;
    const ty = tfl.layers.add({ name: 'gadd' }).apply([on(t3, tx), on(t2, on(t1, on(tShared, tx))), on(tShared, on(tbn, tx))]) as tfl.SymbolicTensor;
    const t = tfl.model({ inputs: tx, outputs: ty });
    const nx = nr.input({ shape: [3], name: 'x' });
    const nShared = nr.layers.dense({ units: 3, name: 'shared' });
    const [n1, n2, n3] = ['g1', 'g2', 'g3'].map((name) => nr.layers.dense({ units: 3, name }));
    const nbn = nr.layers.batchNormalization({ name: 'gbn' });
    const ny = nr.layers.add({ name: 'gadd' }).apply([n3.apply(nx), n2.apply(n1.apply(nShared.apply(nx))), nShared.apply(nbn.apply(nx))] as nr.SymbolicTensor[]) as nr.SymbolicTensor;
    const n = nr.model({ inputs: nx, outputs: ny });
    // By depth (g3 before g2 here), in both.
    expect(n.layers.map((l) => l.name)).toEqual(t.layers.map((l) => l.name));
    sameAsTf(n, t, [[5, 3]]);
    n.dispose();
    t.dispose();
  });

  it('TF.js\'s layer order of graphs with several inputs, outputs and further uses (tfLayerOrder)', () => {
    const a = tfl.input({ shape: [2], name: 'a' });
    const b = tfl.input({ shape: [2], name: 'b' });
    const [p, q, r] = ['p', 'q', 'r'].map((name) => tfl.layers.dense({ units: 2, name }));
    const pa = p.apply(a) as tfl.SymbolicTensor;
    const qb = q.apply(b) as tfl.SymbolicTensor;
    const o1 = r.apply(tfl.layers.concatenate({ name: 'c' }).apply([qb, pa]) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const o2 = p.apply(q.apply(pa) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const t = tfl.model({ inputs: [a, b], outputs: [o2, o1] });
    // neurite's numbering: layers [a, b, p, q, c, r] (values 0..5), further uses q(pa) = 6, p(q(pa)) = 7.
    const order = tfLayerOrder(2, [[0], [1], [3, 2], [4]], [{ layer: 1, inputs: [2] }, { layer: 0, inputs: [6] }], [7, 5]);
    expect(order.map((i) => ['a', 'b', 'p', 'q', 'c', 'r'][i])).toEqual(t.layers.map((l) => l.name));
    t.dispose();
  });

  it('the rule on a tree (tfWeightOrder): a frozen model\'s own layers are frozen with it', () => {
    const leaf = (trainable: boolean, first: number, own: boolean[]) => ({ trainable, weights: own.map((o, i) => ({ index: first + i, own: o })) });
    // [dense(0,1), frozen model [bn(2..5), model [bn(6..9)], bn(10..13)]]
    const bn = [true, true, false, false];
    const tree = { trainable: true, children: [leaf(true, 0, [true, true]), { trainable: false, children: [leaf(true, 2, bn), { trainable: true, children: [leaf(true, 6, bn)] }, leaf(true, 10, bn)] }] };
    expect(tfWeightOrder(tree)).toEqual({ order: [0, 1, 6, 7, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13], trainable: 2 });
  });

  it('setWeights names a bad tensor by its position in the list given', () => {
    const n = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 2, name: 'sd' }), nr.layers.batchNormalization({ name: 'sbn' })] });
    const ws = n.getWeights();
    expect(n.weightNames()).toEqual(['sd/kernel', 'sd/bias', 'sbn/gamma', 'sbn/beta', 'sbn/moving_mean', 'sbn/moving_variance']);
    const bad = nr.tensor([1, Infinity]);
    expect(() => n.setWeights([...ws.slice(0, 4), bad, ws[5]])).toThrow('setWeights: weight 4 (`moving_mean` of layer 1) holds Infinity at flat index 1; weights must be finite (pass { allowNonFinite: true } to set it anyway)');
    expect(() => n.setWeights([...ws.slice(0, 2), ws[4], ws[3], ws[2], nr.zeros([3])])).toThrow('setWeights: weight 5 (`moving_variance` of layer 1) has shape [2] but the value has shape [3]');
    for (const w of [...ws, bad]) w.dispose();
    n.dispose();
  });

  it('earlyStopping with restoreBestWeights restores a model with batch normalization', async () => {
    const n = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [3], units: 4 }), nr.layers.batchNormalization(), nr.layers.dense({ units: 1 })] });
    n.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.5 }), loss: 'mse' });
    const x = nr.tensor(normals(4)(24), [8, 3]);
    const y = nr.tensor(normals(5)(8), [8, 1]);
    let best: number[][] = [];
    let bestLoss = Infinity;
    const es = nr.callbacks.earlyStopping({ monitor: 'loss', patience: 2, restoreBestWeights: true });
    await n.fit(x, y, {
      epochs: 30, batchSize: 8, verbose: 0, shuffle: false,
      callbacks: [{ onEpochEnd: (_e, logs) => {
        if (logs!.loss < bestLoss) {
          bestLoss = logs!.loss;
          best = nr.tidy(() => n.getWeights().map((w) => Array.from(w.dataSync())));
        }
      } }, es],
    });
    expect(es.stoppedEpoch).toBeGreaterThan(0);
    expect(nr.tidy(() => n.getWeights().map((w) => Array.from(w.dataSync())))).toEqual(best);
    for (const t of [x, y]) t.dispose();
    n.dispose();
  });

  it('saved files list the weights in TF.js\'s order, and TF.js loads them as its own', async () => {
    const n = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 4, name: 'sv' }), nr.layers.batchNormalization({ name: 'svbn' }), nr.layers.dense({ units: 2, name: 'svo', trainable: false })] });
    const a = await n.toArtifacts();
    expect(a.weightSpecs!.map((w) => w.name)).toEqual(n.weightNames());
    const t = await tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
    expect(tfNames(t)).toEqual(n.weightNames());
    const mine = n.getWeights();
    t.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(mine[i].dataSync())));
    for (const w of mine) w.dispose();
    const back = await nr.loadLayersModel(a);
    expect(back.weightNames()).toEqual(n.weightNames());
    for (const m of [n, back]) m.dispose();
    t.dispose();
  });
});
