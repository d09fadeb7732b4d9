// Gradients through a model's inference: `grad(x => f(model.predict(x)))` (and an
// autoencoder's `encode`/`decode`) is the gradient of the inference function — no dropout or
// noise, moving statistics, a variational layer's mean — taken with the layers' own backward
// rules, the ones `fit` uses. Checked against TF.js's tf.grad through the same model with the
// same weights, and against central finite differences for the layers TF.js lacks.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { expectNoLeak, thrown } from './setup.js';
import { close, copyLayerWeights, rng, uniform } from './oracle.js';

await tf.setBackend('cpu');

/** Copies neurite's weights into TF.js, after giving batch norm non-trivial gamma, beta and moving statistics. */
function copy(n: nr.Sequential, t: tfl.Sequential, r: () => number): void {
  for (const l of n.layers) {
    if (!(l instanceof nr.Layer) || l.kind !== 'batchNormalization') continue;
    const c = l.countParams() / 4;
    nr.tidy(() => l.setWeights([uniform(r, c, 0.5, 2), uniform(r, c, -0.5, 0.5), uniform(r, c, -1, 1), uniform(r, c, 0.2, 3)].map((v) => nr.tensor(v, [c]))));
  }
  copyLayerWeights(n, t);
}


/** Central differences of the scalar `f` at `x` (float64 steps on float32 values). */
function finiteDiff(f: (x: Float32Array) => number, x: Float32Array, h = 1e-2): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const a = x.slice(), b = x.slice();
    a[i] += h;
    b[i] -= h;
    g[i] = (f(a) - f(b)) / (a[i] - b[i]);
  }
  return g;
}

describe('grad through model.predict, against TF.js', () => {
  const cases: Array<[string, () => Array<[nr.Layer, tfl.layers.Layer]>, number[]]> = [
    ['dense relu → dense softmax', () => [
      [nr.layers.dense({ inputShape: [6], units: 9, activation: 'relu' }), tfl.layers.dense({ inputShape: [6], units: 9, activation: 'relu' })],
      [nr.layers.dense({ units: 4, activation: 'softmax' }), tfl.layers.dense({ units: 4, activation: 'softmax' })],
    ], [5, 6]],
    ['dropout, batch norm (inference: moving statistics), PReLU, layer norm, tanh', () => [
      [nr.layers.dense({ inputShape: [5], units: 7 }), tfl.layers.dense({ inputShape: [5], units: 7 })],
      [nr.layers.dropout({ rate: 0.5 }), tfl.layers.dropout({ rate: 0.5 })],
      [nr.layers.batchNormalization(), tfl.layers.batchNormalization()],
      [nr.layers.prelu({ alphaInitializer: 'glorotUniform' }), tfl.layers.prelu({ alphaInitializer: 'glorotUniform' })],
      [nr.layers.layerNormalization(), tfl.layers.layerNormalization()],
      [nr.layers.dense({ units: 3, activation: 'tanh' }), tfl.layers.dense({ units: 3, activation: 'tanh' })],
    ], [4, 5]],
    ['gaussian noise, reshape, flatten, elu, sigmoid; one row', () => [
      [nr.layers.dense({ inputShape: [3], units: 8, activation: 'elu' }), tfl.layers.dense({ inputShape: [3], units: 8, activation: 'elu' })],
      [nr.layers.gaussianNoise({ stddev: 1 }), tfl.layers.gaussianNoise({ stddev: 1 })],
      [nr.layers.reshape({ targetShape: [2, 4] }), tfl.layers.reshape({ targetShape: [2, 4] })],
      [nr.layers.dense({ units: 3, activation: 'sigmoid' }), tfl.layers.dense({ units: 3, activation: 'sigmoid' })],
      [nr.layers.flatten(), tfl.layers.flatten()],
    ], [1, 3]],
    // Regularizers are terms of the training loss, not of the output: the gradient of predict
    // leaves them out (a traced dense layer once added its activity penalty's gradient). TF.js
    // refuses activity regularizers in a Sequential, so its layers go without them.
    ['kernel, bias and activity regularizers (not part of the output)', () => [
      [nr.layers.dense({ inputShape: [4], units: 6, activation: 'tanh', kernelRegularizer: nr.regularizers.l2({ l2: 3 }), activityRegularizer: nr.regularizers.l1l2({ l1: 2, l2: 5 }) }),
        tfl.layers.dense({ inputShape: [4], units: 6, activation: 'tanh', kernelRegularizer: tfl.regularizers.l2({ l2: 3 }) })],
      [nr.layers.dense({ units: 5, activation: 'relu', biasRegularizer: nr.regularizers.l1({ l1: 4 }), activityRegularizer: nr.regularizers.l2({ l2: 7 }) }),
        tfl.layers.dense({ units: 5, activation: 'relu', biasRegularizer: tfl.regularizers.l1({ l1: 4 }) })],
      // klSparsity (neurite's sparse-autoencoder penalty) is an activity penalty too.
      [nr.layers.dense({ units: 2, activation: 'sigmoid', activityRegularizer: nr.regularizers.klSparsity({ target: 0.05, weight: 3 }) }),
        tfl.layers.dense({ units: 2, activation: 'sigmoid' })],
    ], [3, 4]],
  ];
  for (const [name, make, xShape] of cases) {
    it(name, () => {
      const pairs = make();
      const n = nr.sequential({ seed: 9, layers: pairs.map((p) => p[0]) });
      const t = tfl.sequential({ layers: pairs.map((p) => p[1]) });
      n.build();
      const r = rng(name.length);
      copy(n, t, r);
      const size = xShape[0] * xShape[1];
      const x = uniform(r, size, -2, 2);
      const outCols = (t.outputs[0].shape.at(-1) as number);
      const w = uniform(r, outCols, -1, 1); // a weighted sum, so softmax's rows do not cancel
      const got = expectNoLeak(() => nr.tidy(() => Array.from(nr.grad((xt) => n.predict(xt).mul(nr.tensor(w)).sum())(nr.tensor(x, xShape)).dataSync())));
      const want = tf.tidy(() => Array.from(tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(t.predict(xt) as tf.Tensor, tf.tensor(w))))(tf.tensor(x, xShape)).dataSync()));
      close(got, want, 1e-5, name);
      expect(got.some((v) => v !== 0), 'a gradient that is not all zeros').toBe(true);
      n.dispose();
      t.dispose();
    });
  }

  it('composes with ops before and after, and with valueAndGrad and grads', () => {
    const n = nr.sequential({ seed: 4, layers: [nr.layers.dense({ inputShape: [4], units: 6, activation: 'tanh' }), nr.layers.dense({ units: 1 })] });
    const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 6, activation: 'tanh' }), tfl.layers.dense({ units: 1 })] });
    n.build();
    const r = rng(3);
    copy(n, t, r);
    const [x, s] = [uniform(r, 12, -1, 1), uniform(r, 12, 0.5, 1.5)];
    expectNoLeak(() => nr.tidy(() => {
      // d/dx and d/ds of sum(predict(x * s)^2): the product rule through the model.
      const [gx, gs] = nr.grads((a, b) => n.predict(a.mul(b)).square().sum())([nr.tensor(x, [3, 4]), nr.tensor(s, [3, 4])]);
      const [tx, ts] = tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(t.predict(tf.mul(a, b)) as tf.Tensor)))([tf.tensor(x, [3, 4]), tf.tensor(s, [3, 4])]).map((g) => Array.from(g.dataSync())));
      close(gx.dataSync(), tx, 1e-5, 'dx');
      close(gs.dataSync(), ts, 1e-5, 'ds');
      const { value, grad } = nr.valueAndGrad((a) => n.predict(a).sum())(nr.tensor(x, [3, 4]));
      expect(value.dataSync()[0]).toBeCloseTo(tf.tidy(() => tf.sum(t.predict(tf.tensor(x, [3, 4])) as tf.Tensor).dataSync()[0]), 5);
      expect(grad.shape).toEqual([3, 4]);
    }));
    n.dispose();
    t.dispose();
  });
});

// Inside a gradient, predict runs the layers once, keeping what backward needs, and the
// gradient uses that forward while it is still the layers' own; a later call of the model runs
// them again over other rows, and the earlier call's gradient then re-runs its own.
describe('predict inside a gradient: one forward, the same values, any order of calls', () => {
  it("returns predict's bits (more rows than predict's batch) and differentiates two calls of one model", () => {
    const n = nr.sequential({ seed: 5, layers: [nr.layers.dense({ inputShape: [6], units: 9, activation: 'relu' }), nr.layers.batchNormalization(), nr.layers.dense({ units: 4, activation: 'softmax' })] });
    const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [6], units: 9, activation: 'relu' }), tfl.layers.batchNormalization(), tfl.layers.dense({ units: 4, activation: 'softmax' })] });
    n.build();
    const r = rng(21);
    copy(n, t, r);
    const [a, b, w] = [uniform(r, 41 * 6, -2, 2), uniform(r, 7 * 6, -2, 2), uniform(r, 4, -1, 1)];
    expectNoLeak(() => nr.tidy(() => {
      const outside = n.predict(nr.tensor(a, [41, 6])).dataSync();
      let inside: Float32Array | undefined;
      nr.grad((x) => {
        const y = n.predict(x);
        inside = y.dataSync();
        return y.sum();
      })(nr.tensor(a, [41, 6]));
      expect(Array.from(inside!)).toEqual(Array.from(outside));
      // The second call runs the layers over b after the first ran them over a; backward
      // meets b's call first (its caches), then a's (run again).
      const f = (x1: nr.Tensor, x2: nr.Tensor) => n.predict(x1).mul(nr.tensor(w)).sum().add(n.predict(x2).square().sum());
      const [ga, gb] = nr.grads(f)([nr.tensor(a, [41, 6]), nr.tensor(b, [7, 6])]);
      const [ta, tb] = tf.tidy(() => tf.grads((x1: tf.Tensor, x2: tf.Tensor) => tf.add(tf.sum(tf.mul(t.predict(x1) as tf.Tensor, tf.tensor(w))), tf.sum(tf.square(t.predict(x2) as tf.Tensor))))([tf.tensor(a, [41, 6]), tf.tensor(b, [7, 6])]).map((g) => Array.from(g.dataSync())));
      close(ga.dataSync(), ta, 1e-5, 'd/da');
      close(gb.dataSync(), tb, 1e-5, 'd/db');
      // And each alone: the same gradients, bit for bit, as in the two-call function.
      const ga1 = nr.grad((x) => n.predict(x).mul(nr.tensor(w)).sum())(nr.tensor(a, [41, 6]));
      const gb1 = nr.grad((x) => n.predict(x).square().sum())(nr.tensor(b, [7, 6]));
      expect(Array.from(ga1.dataSync())).toEqual(Array.from(ga.dataSync()));
      expect(Array.from(gb1.dataSync())).toEqual(Array.from(gb.dataSync()));
    }));
    n.dispose();
    t.dispose();
  });
});

describe('predict and apply inside a gradient compute what they compute outside, bit for bit', () => {
  it('with every layer kind, more rows than one predict batch', () => {
    const { layers: L } = nr;
    const m = nr.sequential({ seed: 8, layers: [
      L.dense({ inputShape: [6], units: 8, activation: 'elu' }), L.dropout({ rate: 0.3 }), L.gaussianNoise({ stddev: 0.5 }),
      L.saltAndPepper({ rate: 0.2 }), L.batchNormalization(), L.layerNormalization(), L.prelu(), L.reshape({ targetShape: [2, 4] }),
      L.activation({ activation: 'softplus' }), L.flatten(), L.rbf({ units: 5 }), L.variational({ units: 3 }), L.dense({ units: 2, activation: 'tanh' }),
    ] });
    m.build();
    const x = uniform(rng(31), 45 * 6, -2, 2);
    expectNoLeak(() => nr.tidy(() => {
      for (const call of [(t: nr.Tensor) => m.predict(t), (t: nr.Tensor) => m.predict(t, { batchSize: 7 }), (t: nr.Tensor) => m.apply(t)]) {
        const outside = Array.from(call(nr.tensor(x, [45, 6])).dataSync());
        let inside: number[] = [];
        nr.grad((t) => {
          const y = call(t);
          inside = Array.from(y.dataSync());
          return y.sum();
        })(nr.tensor(x, [45, 6]));
        expect(inside).toEqual(outside);
      }
    }));
    m.dispose();
  });
});

describe('grad through layers TF.js does not have, against finite differences', () => {
  it('rbf and a variational encoder (its mean), through ae.encode, ae.decode and predict', () => {
    const encoder = nr.sequential({ layers: [nr.layers.dense({ inputShape: [5], units: 6, activation: 'relu' }), nr.layers.saltAndPepper({ rate: 0.5 }), nr.layers.variational({ units: 2 })] });
    const decoder = nr.sequential({ layers: [nr.layers.rbf({ inputShape: [2], units: 4 }), nr.layers.dense({ units: 5, activation: 'sigmoid' })] });
    const ae = nr.autoencoder({ encoder, decoder, seed: 12 });
    ae.build();
    const r = rng(21);
    const x = uniform(r, 15, 0, 1), z = uniform(r, 6, -1, 1);
    const at = (f: (t: nr.Tensor) => nr.Tensor, v: Float32Array, shape: number[]) => nr.tidy(() => f(nr.tensor(v, shape)).dataSync()[0]);
    const loss = (y: nr.Tensor) => y.mul(nr.tensor(uniform(rng(5), y.shape.at(-1) as number, -1, 1))).sum();
    expectNoLeak(() => {
      for (const [what, f, v, shape] of [
        ['encode', (t: nr.Tensor) => loss(ae.encode(t)), x, [3, 5]],
        ['decode', (t: nr.Tensor) => loss(ae.decode(t)), z, [3, 2]],
        ['predict', (t: nr.Tensor) => loss(ae.predict(t)), x, [3, 5]],
      ] as Array<[string, (t: nr.Tensor) => nr.Tensor, Float32Array, number[]]>) {
        const got = nr.tidy(() => Array.from(nr.grad(f)(nr.tensor(v, shape)).dataSync()));
        close(got, finiteDiff((u) => at(f, u, shape), v), 2e-3, what);
        expect(got.some((g) => g !== 0), what).toBe(true);
      }
    });
    ae.dispose();
    encoder.dispose();
    decoder.dispose();
  });

  it('optimizes an input: a code whose decoding matches a target (latent search)', () => {
    const decoder = nr.sequential({ seed: 2, layers: [nr.layers.dense({ inputShape: [2], units: 8, activation: 'tanh' }), nr.layers.dense({ units: 4 })] });
    const target = nr.tidy(() => decoder.predict(nr.tensor([[0.3, -0.7]])));
    const z = nr.variable(nr.zeros([1, 2]), true, 'code');
    const opt = nr.optimizers.adam({ learningRate: 0.05 });
    const lossAt = () => nr.tidy(() => nr.losses.meanSquaredError(target, decoder.predict(z)).dataSync()[0]);
    const before = lossAt();
    for (let i = 0; i < 200; i++) opt.minimize(() => nr.losses.meanSquaredError(target, decoder.predict(z)), false, [z]);
    expect(lossAt()).toBeLessThan(before * 1e-3);
    for (const d of [target, z, decoder]) d.dispose();
    opt.dispose?.();
  });
});

describe('grad through predict: what it refuses', () => {
  it('weights changed between predict and the gradient are an error, not a gradient at other weights', () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = nr.tensor([[1, 2]]);
    expectNoLeak(() => {
      const e = thrown(() => nr.grad((a) => {
        const y = m.predict(a);
        m.trainOnBatch(nr.tensor([[1, 1]]), nr.tensor([[3]]));
        return y.sum();
      })(x));
      expect(e).toBeInstanceOf(nr.InvalidArgumentError);
      expect((e as Error).message).toMatch(/^grad: the model's weights changed between predict and the gradient/);
    });
    x.dispose();
    m.dispose();
  });

  it('the model itself can be disposed inside the function: the record holds its layers', () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1, kernelInitializer: 'ones' })] });
    const x = nr.tensor([[1, 2]]);
    const g = nr.grad((a) => {
      const y = m.predict(a);
      m.dispose();
      return y.sum();
    })(x);
    expect(Array.from(g.dataSync())).toEqual([1, 1]);
    g.dispose();
    x.dispose();
  });
});
