// layer.apply on a tensor (TF.js's and Keras's eager call, `dense.apply(x)`): the layer is
// built for x and runs in a hidden model holding it (ts/models/eager.ts). Against TF.js's eager
// apply with the same weights (values and gradients), bit for bit against the layer in a model of
// its own, and what it must leave alone: names, `layer.output`, memory after `dispose()`.
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { close, rng, tf, uniform } from './oracle.js';
import * as nr from '../ts/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** The layer pairs (same options in both libraries) and a per-sample input shape. */
const CASES: Array<[string, () => [nr.Layer, any], number[]]> = [
  ['dense (relu) on [n, 7]', () => [nr.layers.dense({ units: 5, activation: 'relu' }), tfl.layers.dense({ units: 5, activation: 'relu' })], [7]],
  ['dense on [n, 3, 4] (the last axis)', () => [nr.layers.dense({ units: 2 }), tfl.layers.dense({ units: 2 })], [3, 4]],
  ['conv2d (5×5×3, 3×3, strides 2, same, tanh)', () => [nr.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' }), tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' })], [5, 5, 3]],
  ['batchNormalization (inference)', () => [nr.layers.batchNormalization(), tfl.layers.batchNormalization()], [6]],
];

describe('layer.apply(tensor)', () => {
  for (const [name, make, sample] of CASES) {
    it(`${name}: TF.js's eager apply with the same weights, values and gradients`, () => {
      const [layer, tfLayer] = make();
      const rand = rng(sample.length * 31 + 7);
      const shape = [3, ...sample];
      const n = shape.reduce((a, b) => a * b, 1);
      const xs = uniform(rand, n, -2, 2);
      const x = nr.tensor(xs, shape);
      const y = layer.apply(x);
      const tx = tf.tensor(xs, shape);
      const ty = tfLayer.apply(tx) as tf.Tensor;
      const weights = layer.getWeights();
      // Non-trivial statistics for batch normalization (its initial ones are 0 and 1).
      const ws = name.startsWith('batch') ? weights.map((w, i) => nr.tensor(uniform(rand, w.size, i === 3 ? 0.5 : -1, 1.5), w.shape)) : weights;
      layer.setWeights(ws);
      tfLayer.setWeights(ws.map((w) => tf.tensor(w.dataSync(), w.shape)));
      expect(y.shape).toEqual(ty.shape);
      close(layer.apply(x).dataSync(), (tfLayer.apply(tx) as tf.Tensor).dataSync(), 2e-6, `${name} values`);
      // Gradients to x and to the weights, of Σ y·c (c fixed, not all ones).
      const c = uniform(rand, ty.size, -1, 1);
      const f = (v: nr.Tensor) => nr.sum(nr.mul(layer.apply(v), nr.tensor(c, ty.shape)));
      const gx = nr.grad(f)(x);
      const tgx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tfLayer.apply(v) as tf.Tensor, tf.tensor(c, ty.shape))))(tx);
      close(gx.dataSync(), tgx.dataSync(), 2e-5, `${name} dx`);
      const vars = layer.trainableWeights;
      const { grads } = nr.variableGrads(() => f(x), vars);
      const tfVars = tfLayer.trainableWeights.map((w: any) => w.read());
      const tg = tf.variableGrads(() => tf.sum(tf.mul(tfLayer.apply(tx) as tf.Tensor, tf.tensor(c, ty.shape))) as tf.Scalar, tfVars);
      expect(vars.length).toBe(tfVars.length);
      vars.forEach((v, i) => close(grads[v.name].dataSync(), tg.grads[tfVars[i].name].dataSync(), 2e-5, `${name} d${v.name}`));
      layer.dispose();
    });
  }

  it('gives the bits of the layer in a model of its own, keeps its weights when added to a model, and moves no name counter', () => {
    const x = nr.tensor(uniform(rng(3), 4 * 9, -1, 1), [4, 9]);
    const d = nr.layers.dense({ units: 6, activation: 'sigmoid', name: 'eager_d' });
    const before = [nr.layers.dense({ units: 1 }).name, nr.sequential().name, nr.input({ shape: [2] }).name];
    const y = d.apply(x);
    // Nor do eager calls at several shapes (a hidden model each), and named layers count none.
    const f = nr.layers.flatten({ name: 'eager_f' });
    for (let i = 1; i < 4; i++) f.apply(nr.ones([1, i, 2])).dispose();
    f.dispose();
    const after = [nr.layers.dense({ units: 1 }).name, nr.sequential().name, nr.input({ shape: [2] }).name];
    // One more of each since `before`: the eager apply made none of its own.
    const next = (s: string) => s.replace(/\d+$/, (k) => String(Number(k) + 1));
    expect(after).toEqual(before.map(next));
    const m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [9] }), d] });
    expect(Array.from(m.predict(x).dataSync())).toEqual(Array.from(y.dataSync()));
    // The model shares the weights: a change through it shows in the eager call.
    m.setWeights(d.getWeights().map((w) => nr.mul(w, 2)));
    expect(Array.from(d.apply(x).dataSync())).toEqual(Array.from(m.predict(x).dataSync()));
    // The layer's symbolic output is the one user model's (the hidden model is not counted).
    expect(d.output.shape).toEqual([null, 6]);
    // Freed with dispose(): the weights live on in the model, and are gone with it.
    d.dispose();
    expect(m.predict(x).shape).toEqual([4, 6]);
    m.dispose();
    expect(() => d.getWeights()).toThrow(/every model holding it was disposed/);
  });

  it('trains in a custom loop (optimizer.minimize over the layer), dropout and batch normalization with training: true', () => {
    const rand = rng(5);
    const x = nr.tensor(uniform(rand, 16 * 3, -1, 1), [16, 3]);
    const y = nr.matMul(x, nr.tensor([[1], [-2], [0.5]]));
    const d = nr.layers.dense({ units: 1 });
    const opt = nr.optimizers.sgd(0.1);
    // As TF.js: an unbuilt layer has no weights, so the first call builds it.
    expect(d.trainableWeights).toEqual([]);
    d.apply(x).dispose();
    const losses: number[] = [];
    for (let i = 0; i < 200; i++) {
      const l = opt.minimize(() => nr.losses.meanSquaredError(y, d.apply(x)) as nr.Scalar, true, d.trainableWeights)!;
      losses.push(l.dataSync()[0]);
      l.dispose();
    }
    expect(losses[199]).toBeLessThan(losses[0] / 1000);
    close(d.getWeights()[0].dataSync(), [1, -2, 0.5], 0.01, 'learned kernel');
    d.dispose();
    const drop = nr.layers.dropout({ rate: 0.5, seed: 4 });
    expect(Array.from(drop.apply(nr.ones([1, 64])).dataSync())).toEqual(new Array(64).fill(1));
    const kept = Array.from(drop.apply(nr.ones([1, 64]), { training: true }).dataSync());
    expect(new Set(kept)).toEqual(new Set([0, 2]));
    drop.dispose();
    const bn = nr.layers.batchNormalization({ momentum: 0.5 });
    bn.apply(nr.tensor([[0], [4]]), { training: true });
    close(bn.getWeights()[2].dataSync(), [1], 1e-6, 'moving mean after one update (0.5·0 + 0.5·2)');
    bn.dispose();
  });

  it('draws from the global generator only where it initializes weights or draws noise, as TF.js', () => {
    // The next unseeded random values after the calls, from setSeed(11).
    const next = (calls: () => void): number[] =>
      nr.tidy(() => {
        nr.setSeed(11);
        calls();
        return Array.from(nr.randomNormal([4]).dataSync());
      });
    const plain = next(() => {});
    const x = nr.tensor(uniform(rng(3), 2 * 4 * 4 * 2, -1, 1), [2, 4, 4, 2]);
    const weightless = [nr.layers.reLU(), nr.layers.flatten(), nr.layers.maxPooling2d({ poolSize: 2 }), nr.layers.activation({ activation: 'sigmoid' }), nr.layers.zeroPadding2d({ padding: 1 })];
    expect(next(() => weightless.forEach((l) => l.apply(x)))).toEqual(plain);
    const dense = nr.layers.dense({ units: 3 });
    expect(next(() => dense.apply(x)), "a dense layer's initial weights draw a seed").not.toEqual(plain);
    // Built already: applied again at another shape, its weights carry over and nothing is drawn.
    expect(next(() => dense.apply(nr.ones([3, 2])))).toEqual(plain);
    const drop = nr.layers.dropout({ rate: 0.5 });
    expect(next(() => drop.apply(x)), 'a noise layer keeps its seed').not.toEqual(plain);
    // A call that fails makes nothing and draws nothing (a built dense at another width, pooling on rank 2).
    const pool = nr.layers.maxPooling2d({ poolSize: 2 });
    expect(next(() => {
      expect(() => dense.apply(nr.ones([3, 5]))).toThrow(/apply/);
      expect(() => pool.apply(nr.ones([3, 5]))).toThrow(/apply/);
    })).toEqual(plain);
    pool.dispose();
    nr.dispose([x, ...weightless, dense, drop]);
  });

  // TF.js's tf.layers.add().apply([a, b]) on tensors (it was refused: merge layers only in graph models).
  it('merge layers on a list of tensors: values and gradients as TF.js, the hidden model made once per shapes, freed by dispose()', () => {
    const r = rng(31);
    const a = uniform(r, 3 * 4, -2, 2);
    const b = uniform(r, 3 * 4, -2, 2);
    const c = uniform(r, 3 * 2, -2, 2);
    const merges: Array<[string, () => [nr.Layer, any], number[][]]> = [
      ['add', () => [nr.layers.add(), tfl.layers.add()], [[4], [4]]],
      ['subtract', () => [nr.layers.subtract(), (tfl.layers as any).subtract?.() ?? null], [[4], [4]]],
      ['multiply', () => [nr.layers.multiply(), tfl.layers.multiply()], [[4], [4]]],
      ['average', () => [nr.layers.average(), tfl.layers.average()], [[4], [4]]],
      ['maximum', () => [nr.layers.maximum(), tfl.layers.maximum()], [[4], [4]]],
      ['minimum', () => [nr.layers.minimum(), tfl.layers.minimum()], [[4], [4]]],
      ['concatenate (three inputs)', () => [nr.layers.concatenate(), tfl.layers.concatenate()], [[4], [4], [2]]],
      ['dot (axes 1, normalize)', () => [nr.layers.dot({ axes: 1, normalize: true }), tfl.layers.dot({ axes: 1, normalize: true })], [[4], [4]]],
    ];
    const values = [a, b, c];
    for (const [name, make, shapes] of merges) {
      const [nl, tl] = make();
      const xs = shapes.map((s, i) => nr.tensor(values[i].slice(0, 3 * s[0]), [3, s[0]]));
      const got = nr.tidy(() => (nl.apply(xs) as nr.Tensor).data());
      // d/dx0 of sum(merge(x0, x1, …) ⊙ w) for a fixed w: the gradient flows through the hidden model.
      const w = uniform(r, got.length, -1, 1);
      const g = nr.tidy(() => nr.grad((x0: nr.Tensor) => (nl.apply([x0, ...xs.slice(1)]) as nr.Tensor).mul(nr.tensor(w, [3, got.length / 3])).sum())(xs[0]).data());
      if (tl !== null) {
        const ts = shapes.map((s, i) => tf.tensor(values[i].slice(0, 3 * s[0]), [3, s[0]]));
        close(got, tf.tidy(() => (tl.apply(ts) as tf.Tensor).dataSync()), 1e-6, `${name}: values`);
        const tg = tf.tidy(() => tf.grad((x0: tf.Tensor) => tf.sum(tf.mul(tl.apply([x0, ...ts.slice(1)]) as tf.Tensor, tf.tensor(w, [3, got.length / 3]))))(ts[0]).dataSync());
        close(g, tg, 1e-5, `${name}: gradient`);
        tf.dispose(ts);
      } else {
        close(got, Array.from(got, (_, i) => a[i] - b[i]), 1e-6, `${name}: values`);
      }
      nr.dispose(xs);
      nl.dispose();
    }
    // The eager call is no use of the layer's (TF.js's makes no node): its output is the graph's.
    const plus = nr.layers.add({ name: 'eager_plus' });
    nr.tidy(() => void plus.apply([nr.ones([1, 2]), nr.ones([1, 2])]));
    const [p, q] = [nr.input({ shape: [2] }), nr.input({ shape: [2] })];
    const sym = plus.apply([p, q]);
    expect(plus.output).toBe(sym);
    expect(sym.name).toBe('eager_plus/eager_plus');
    plus.dispose();
    // One hidden model per set of shapes: calls at the same shapes make nothing, dispose frees it.
    const m0 = nr.memory();
    const add = nr.layers.add();
    for (let i = 0; i < 10; i++) nr.tidy(() => void add.apply([nr.ones([2, 3]), nr.ones([2, 3])]));
    const m1 = nr.memory();
    expect(m1.numModels - m0.numModels).toBe(1);
    nr.tidy(() => void add.apply([nr.ones([2, 5]), nr.ones([2, 5])]));
    expect(nr.memory().numModels).toBe(m1.numModels);
    expect(nr.memory().numTensors).toBe(m1.numTensors);
    add.dispose();
    expect(nr.memory().numModels).toBe(m0.numModels);
    expect(nr.memory().modelBytes).toBe(m0.modelBytes);
    // `using` frees it too (layers had dispose() but no Symbol.dispose: a TypeError at run time).
    const dense = nr.layers.dense({ units: 2 });
    nr.tidy(() => void dense.apply(nr.ones([1, 3])));
    expect(nr.memory().numModels).toBe(m0.numModels + 1);
    dense[Symbol.dispose]();
    expect(nr.memory().numModels).toBe(m0.numModels);
  });

  it('memory: the hidden model counts until dispose(), a second call at the same shape makes nothing, another shape replaces it', () => {
    const m0 = nr.memory();
    const d = nr.layers.dense({ units: 3 });
    nr.tidy(() => void d.apply(nr.ones([2, 4])));
    const m1 = nr.memory();
    expect(m1.numModels - m0.numModels).toBe(1);
    for (let i = 0; i < 20; i++) nr.tidy(() => void d.apply(nr.ones([2, 4])));
    for (let i = 0; i < 5; i++) nr.tidy(() => void d.apply(nr.ones([2, i + 1, 4])));
    expect(nr.memory().numModels).toBe(m1.numModels);
    expect(nr.memory().numTensors).toBe(m1.numTensors);
    d.dispose();
    expect(nr.memory().numModels).toBe(m0.numModels);
    expect(nr.memory().modelBytes).toBe(m0.modelBytes);
    d.dispose(); // twice: nothing to free
  });

  it('says what is wrong', () => {
    const d = nr.layers.dense({ units: 2, name: 'eager_e' });
    d.apply(nr.ones([1, 3]));
    expect(() => d.apply(nr.ones([1, 5]))).toThrow(/^apply: layer eager_e \(dense\) was built for per-sample input shape \[3\], but here it receives \[5\]: its weights fit 3 on the last axis, not 5/);
    expect(() => d.apply(nr.scalar(1))).toThrow(/^apply: layer eager_e \(dense\) takes a tensor \[batch, \.\.\.\], got a scalar; add the batch axis with expandDims\(x, 0\)$/);
    expect(() => d.apply([1, 2] as never)).toThrow(/^apply: layer eager_e takes a tensor \[batch, \.\.\.\] \(run at once\) or symbolic tensors .*, got an array of length 2$/);
    const c = nr.layers.conv2d({ filters: 1, kernelSize: 3, name: 'eager_c' });
    expect(() => c.apply(nr.ones([2, 3]))).toThrow(/^apply: layer eager_c \(conv2d\) on x of per-sample shape \[3\]: expects per-sample inputs of shape \[height, width, channels\] \(channels last\), got per-sample shape \[3\]$/);
    expect(() => nr.layers.add({ name: 'eager_a' }).apply(nr.ones([1, 2]))).toThrow(/^apply: layer eager_a \(add\) got a tensor; a merge layer takes a list of tensors, apply\(\[a, b\]\)$/);
    expect(() => nr.layers.add({ name: 'eager_a2' }).apply([nr.ones([1, 2]), nr.ones([1, 3])])).toThrow(/^apply: layer eager_a2 \(add\) on x of per-sample shapes \[2\], \[3\]: /);
    expect(() => nr.layers.add({ name: 'eager_a3' }).apply([nr.ones([1, 2])])).toThrow(/^apply: layer eager_a3 \(add\) merges a list of at least 2 tensors, got 1$/);
    expect(() => nr.layers.add({ name: 'eager_a4' }).apply([nr.ones([2, 3]), nr.ones([3, 3])])).toThrow(/^apply: layer eager_a4 \(add\): x\[0\] has 2 samples \(shape \[2,3\]\) but x\[1\] has 3 \(shape \[3,3\]\); every tensor needs the same number of samples$/);
    expect(() => d.apply([nr.ones([1, 3]), nr.ones([1, 3])])).toThrow(/^apply: layer eager_e \(dense\) got a list of 2 tensors; a layer runs on one tensor at a time/);
    expect(() => nr.layers.inputLayer({ inputShape: [2] }).apply(nr.ones([1, 2]))).toThrow(/is an input layer, which computes nothing/);
    // The hidden model's name never shows: the core names a layer by its place in it.
    expect(() => nr.layers.conv1d({ filters: 2, kernelSize: 3, name: 'eager_k' }).apply(nr.ones([2, 2, 1]))).toThrow(/^apply: layer eager_k \(conv1d\) on x of per-sample shape \[2,1\]: kernelSize 3 needs sequences of at least 3 steps/);
    expect(() => nr.layers.embedding({ inputDim: 5, outputDim: 2, name: 'eager_m' }).apply(nr.tensor([[1, 7]]))).toThrow(/^apply: layer eager_m \(embedding\): x\[0,1\] = 7 is out of range \[0, 5\)/);
    for (const f of [() => nr.layers.conv1d({ filters: 2, kernelSize: 3, name: 'eager_k2' }).apply(nr.ones([2, 2, 1])), () => nr.layers.reshape({ targetShape: [2, 2], name: 'eager_r' }).apply(nr.ones([1, 3]))]) {
      expect(f).toThrow(expect.objectContaining({ message: expect.not.stringMatching(/\.apply\b/) }));
    }
    // After dispose(), a layer no model holds is gone (as TF.js's disposed layer).
    const gone = nr.layers.dense({ units: 2, name: 'eager_g' });
    gone.apply(nr.ones([1, 3]));
    gone.dispose();
    expect(() => gone.apply(nr.ones([1, 3]))).toThrow(/^apply: layer eager_g \(dense\) was disposed \(layer\.dispose\(\)\), and its weights with it: make a new layer$/);
    const t = nr.ones([1, 3]);
    t.dispose();
    expect(() => d.apply(t)).toThrow(/^apply: x is disposed|disposed/);
    d.dispose();
  });
});

describe("model.dispose() and its layers' eager apply", () => {
  it("frees the hidden model of a layer of it applied to a tensor (a look at the feature maps left its weights to the GC, 200 loops 512 kB); a layer another model holds keeps working", () => {
    const before = nr.memory();
    for (let i = 0; i < 20; i++) {
      const m = nr.sequential({ seed: i, layers: [nr.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same' }), nr.layers.conv2dTranspose({ filters: 1, kernelSize: 3, padding: 'same' })] });
      m.build();
      const x = nr.ones([1, 8, 8, 1]);
      const maps = (m.layers[0] as nr.Layer).apply(x) as nr.Tensor;
      expect(maps.shape).toEqual([1, 8, 8, 4]);
      nr.dispose([x, maps]);
      m.dispose();
      // Applied again, it says what freed it (it blamed a layer.dispose() never called).
      if (i === 0) expect(() => nr.tidy(() => (m.layers[0] as nr.Layer).apply(nr.ones([1, 8, 8, 1])))).toThrow(/^apply: layer \S+ \(conv2d\) was disposed \(with its model sequential_\d+: model\.dispose\(\)\).*: make a new layer$/);
    }
    expect(nr.memory()).toMatchObject({ numModels: before.numModels, modelBytes: before.modelBytes, numTensors: before.numTensors });
    // Shared with a live model: its eager apply goes on, on that model's weights.
    const shared = nr.layers.dense({ units: 2, kernelInitializer: 'ones' });
    const a = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 3 }), shared] });
    const b = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [3] }), shared] });
    a.build();
    b.build();
    const y0 = nr.tidy(() => Array.from((shared.apply(nr.ones([1, 3])) as nr.Tensor).dataSync()));
    a.dispose();
    expect(nr.tidy(() => Array.from((shared.apply(nr.ones([1, 3])) as nr.Tensor).dataSync()))).toEqual(y0);
    b.dispose();
    shared.dispose();
    expect(nr.memory()).toMatchObject({ numModels: before.numModels, modelBytes: before.modelBytes });
  });
});
