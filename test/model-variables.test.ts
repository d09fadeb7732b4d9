// A model's weights as variables (TF.js's LayerVariable): `model.weights`,
// `trainableWeights`, `nonTrainableWeights` (also per layer), and custom training loops —
// `variableGrads` and `optimizer.minimize` reach the weights through `model.predict` (and an
// autoencoder's `encode`/`decode`) and train them. Checked against TF.js running the same loop
// on the same weights, and against neurite's own `trainOnBatch`.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { expectNoLeak, thrown } from './setup.js';
import { close, copyLayerWeights, rng, uniform } from './oracle.js';

await tf.setBackend('cpu');


/** TF.js's name for a neurite weight name (the same unless the layer name has capitals). */
const tfName = (n: string): string => n.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** A TF.js variable's name without the suffix that keeps it unique (`act/alpha_1` → `act/alpha`). */
const plain = (n: string): string => n.replace(/_\d+$/, '');

/** The values of a `{ [name]: grad }` map (neurite's or TF.js's), keyed by `key(name)`. */
const arrays = (grads: Record<string, { dataSync(): ArrayLike<number> }>, key: (n: string) => string): Record<string, number[]> =>
  Object.fromEntries(Object.entries(grads).map(([k, g]) => [key(k), Array.from(g.dataSync())]));

/** The same model in both libraries: dense relu, batch norm, PReLU, dense sigmoid (named layers). */
function pair(seed: number): { n: nr.Sequential; t: tfl.Sequential } {
  const n = nr.sequential({ seed, layers: [
    nr.layers.dense({ name: 'hidden', inputShape: [5], units: 7, activation: 'relu' }),
    nr.layers.batchNormalization({ name: 'bn' }),
    nr.layers.prelu({ name: 'act', alphaInitializer: 'glorotUniform' }),
    nr.layers.dense({ name: 'out', units: 3, activation: 'sigmoid' }),
  ] });
  const t = tfl.sequential({ layers: [
    tfl.layers.dense({ name: 'hidden', inputShape: [5], units: 7, activation: 'relu' }),
    tfl.layers.batchNormalization({ name: 'bn' }),
    tfl.layers.prelu({ name: 'act', alphaInitializer: 'glorotUniform' }),
    tfl.layers.dense({ name: 'out', units: 3, activation: 'sigmoid' }),
  ] });
  n.build();
  // Batch norm with non-trivial statistics, so that its inference slope is not 1.
  const r = rng(seed);
  nr.tidy(() => n.getLayer('bn').setWeights([uniform(r, 7, 0.5, 2), uniform(r, 7, -0.5, 0.5), uniform(r, 7, -1, 1), uniform(r, 7, 0.2, 3)].map((v) => nr.tensor(v, [7]))));
  copyLayerWeights(n, t);
  return { n, t };
}

describe('model and layer weights as variables', () => {
  it('list the weights TF.js lists, with its names, shapes and trainable split', () => {
    const { n, t } = pair(1);
    const names = (vs: Array<{ name: string; shape: ReadonlyArray<number | null> }>) => vs.map((v) => `${tfName(v.name)} [${v.shape}]`).sort();
    expect(names(n.weights)).toEqual(names(t.weights));
    expect(names(n.trainableWeights)).toEqual(names(t.trainableWeights));
    expect(names(n.nonTrainableWeights)).toEqual(names(t.nonTrainableWeights));
    // Freezing a layer moves its weights to the non-trainable list, as in TF.js.
    n.getLayer('act').trainable = false;
    t.getLayer('act').trainable = false;
    expect(names(n.trainableWeights)).toEqual(names(t.trainableWeights));
    expect(names(n.nonTrainableWeights)).toEqual(names(t.nonTrainableWeights));
    // Per layer, in getWeights() order; the same objects each time; read() is a copy.
    const hidden = n.getLayer('hidden') as nr.Layer;
    expect(hidden.weights.map((v) => v.name)).toEqual(['hidden/kernel', 'hidden/bias']);
    expect(hidden.weights[0]).toBe(n.weights[0]);
    expect(n.getLayer('bn').nonTrainableWeights.map((v) => v.name)).toEqual(['bn/moving_mean', 'bn/moving_variance']);
    expectNoLeak(() => nr.tidy(() => {
      const [k] = hidden.getWeights();
      expect(Array.from(hidden.weights[0].read().dataSync())).toEqual(Array.from(k.dataSync()));
    }));
    // write takes values as tensor() does; flat values of the weight's size in row-major order
    // (a gene array, as setWeights takes them): it took tensors only.
    expectNoLeak(() => nr.tidy(() => {
      const kernel = hidden.weights[0];
      const size = kernel.shape.reduce((a, b) => a * b, 1);
      const genes = Float32Array.from({ length: size + 3 }, (_, i) => i / 8);
      kernel.write(genes.subarray(0, size));
      expect(Array.from(kernel.read().dataSync())).toEqual(Array.from(genes.subarray(0, size)));
      kernel.write(nr.zeros(kernel.shape).arraySync() as number[][]);
      expect(kernel.read().sum().item()).toBe(0);
      expect(() => kernel.write(genes)).toThrow(new RegExp(`^write: variable hidden/kernel has shape \\[${kernel.shape}\\]`));
      expect(() => kernel.write([1, 'a'] as never)).toThrow(/^write: value/);
    }));
    // TF.js's guides do w.val.assign(t): val says what to use (it was "reading 'assign' of undefined").
    expect(() => hidden.weights[0].val).toThrow(new nr.InvalidArgumentError("val: variable hidden/kernel has no tensor of its own (its value lives in the model): read a copy with read(), and set it with write(t) (TF.js's val.assign(t))"));
    n.dispose();
    t.dispose();
  });

  it('a model without an input shape and its layers have none; with one, asking builds it (as TF.js); a disposed model says so', () => {
    const free = nr.layers.dense({ units: 2 });
    const shapeless = nr.sequential({ layers: [free] });
    expect(shapeless.weights).toEqual([]);
    expect(free.trainableWeights).toEqual([]);
    expect(free.getWeights()).toEqual([]);
    shapeless.dispose();
    const d = nr.layers.dense({ units: 2, inputShape: [3] });
    const m = nr.sequential({ layers: [d] });
    // TF.js builds a model whose first layer has an input shape when it is made: the weights exist.
    expect(d.getWeights().map((w) => { const s = w.shape; w.dispose(); return s; })).toEqual([[3, 2], [2]]);
    expect(d.trainableWeights.map((v) => v.shape)).toEqual([[3, 2], [2]]);
    const [kernel] = m.trainableWeights;
    expect(kernel.shape).toEqual([3, 2]);
    // write() checks the shape, finiteness and its options, as setWeights.
    expectNoLeak(() => nr.tidy(() => {
      // Named as the call made and the variable (the core says setWeights and the weight's index).
      expect(thrown(() => kernel.write(nr.zeros([2, 3])))).toMatchObject({ name: 'ShapeError', message: `write: variable ${kernel.name} has shape [3,2] but the value has shape [2,3]` });
      expect(thrown(() => kernel.write(nr.fill([3, 2], NaN)))).toMatchObject({
        name: 'InvalidArgumentError',
        message: `write: variable ${kernel.name} holds NaN at flat index 0; weights must be finite (pass { allowNonFinite: true } to set it anyway)`,
      });
      expect(String(thrown(() => kernel.write(nr.zeros([3, 2]), { allowNonFinte: true } as never)))).toMatch(/did you mean 'allowNonFinite'/);
      kernel.write(nr.fill([3, 2], 0.5));
      expect(Array.from(kernel.read().dataSync())).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
      kernel.write(nr.fill([3, 2], Infinity), { allowNonFinite: true });
      expect(kernel.read().dataSync()[0]).toBe(Infinity);
    }));
    m.dispose();
    expect(kernel.isDisposed).toBe(true);
    expect(String(thrown(() => kernel.read()))).toMatch(/variable dense_\d+\/kernel has no value: every model holding layer dense_\d+ was disposed/);
    expect(String(thrown(() => m.weights))).toMatch(/model sequential_\d+ is disposed/);
    expect(String(thrown(() => nr.variableGrads(() => nr.scalar(1), [kernel])))).toMatch(/variableGrads: variable dense_\d+\/kernel has no value/);
  });
});

describe('custom training loops, against TF.js', () => {
  it('variableGrads through predict gives TF.js gradients for every trainable weight', () => {
    const { n, t } = pair(2);
    const r = rng(5);
    const x = uniform(r, 6 * 5, -2, 2), y = uniform(r, 6 * 3, 0, 1);
    const got = expectNoLeak(() => nr.tidy(() => {
      const { value, grads } = nr.variableGrads(() => nr.losses.meanSquaredError(nr.tensor(y, [6, 3]), n.predict(nr.tensor(x, [6, 5]))), n.trainableWeights);
      return { loss: value.dataSync()[0], grads: arrays(grads, tfName) };
    }));
    const want = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(tf.tensor(y, [6, 3]), t.predict(tf.tensor(x, [6, 5])) as tf.Tensor) as tf.Scalar);
      return { loss: value.dataSync()[0], grads: arrays(grads, plain) };
    });
    expect(got.loss).toBeCloseTo(want.loss, 6);
    expect(Object.keys(got.grads).sort()).toEqual(t.trainableWeights.map((w) => plain(w.name)).sort());
    for (const k of Object.keys(want.grads).filter((k) => k in got.grads)) close(got.grads[k], want.grads[k], 1e-5, k);
    expect(Object.values(got.grads).every((g) => g.some((v) => v !== 0))).toBe(true);
    n.dispose();
    t.dispose();
  });

  it('a loss term on w.read() (weight decay) reaches the weight, as in TF.js', () => {
    const { n, t } = pair(4);
    const r = rng(12);
    const x = uniform(r, 4 * 5, -2, 2), y = uniform(r, 4 * 3, 0, 1);
    const nk = n.getLayer('hidden').weights[0], tk = t.trainableWeights.find((w) => plain(w.name) === 'hidden/kernel')!;
    const got = expectNoLeak(() => nr.tidy(() => {
      const { grads } = nr.variableGrads(() => nr.losses.meanSquaredError(nr.tensor(y, [4, 3]), n.predict(nr.tensor(x, [4, 5]))).add(nk.read().square().sum().mul(0.05)), n.trainableWeights);
      return Array.from(grads['hidden/kernel'].dataSync());
    }));
    const want = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.add(tf.losses.meanSquaredError(tf.tensor(y, [4, 3]), t.predict(tf.tensor(x, [4, 5])) as tf.Tensor), tf.mul(0.05, tf.sum(tf.square(tk.read())))) as tf.Scalar);
      return Array.from(Object.entries(grads).find(([k]) => plain(k) === 'hidden/kernel')![1].dataSync());
    });
    close(got, want, 1e-5, 'hidden/kernel with weight decay');
    // The decay term alone: 0.1·w (a read of a model's weights is the weight, also through getWeights()).
    const w = nr.tidy(() => Array.from(nk.read().dataSync()));
    const alone = nr.tidy(() => Array.from(nr.variableGrads(() => n.getLayer('hidden').getWeights()[0].square().sum().mul(0.05), [nk]).grads['hidden/kernel'].dataSync()));
    close(alone, w.map((v) => 0.1 * v), 1e-6, 'decay alone');
    n.dispose();
    t.dispose();
  });

  it('optimizer.minimize over predict trains the model as TF.js does (Adam, 20 steps)', () => {
    const { n, t } = pair(3);
    const r = rng(8);
    const x = uniform(r, 9 * 5, -2, 2), y = uniform(r, 9 * 3, 0, 1);
    const [nx, ny] = [nr.tensor(x, [9, 5]), nr.tensor(y, [9, 3])];
    const [tx, ty] = [tf.tensor(x, [9, 5]), tf.tensor(y, [9, 3])];
    const nOpt = nr.train.adam(0.01);
    const tOpt = tf.train.adam(0.01);
    const losses: Array<[number, number]> = [];
    const step = () => {
      // The default list: every live model's trainable weights (TF.js: every trainable variable).
      const a = nOpt.minimize(() => nr.losses.meanSquaredError(ny, n.predict(nx)), true) as nr.Tensor;
      const b = tOpt.minimize(() => tf.losses.meanSquaredError(ty, t.predict(tx) as tf.Tensor) as tf.Scalar, true) as tf.Scalar;
      losses.push([a.dataSync()[0], b.dataSync()[0]]);
      a.dispose();
      b.dispose();
    };
    step(); // makes the optimizer's state (kept until it is disposed)
    expectNoLeak(() => {
      for (let i = 1; i < 20; i++) step();
    });
    for (const [a, b] of losses) expect(a).toBeCloseTo(b, 5);
    expect(losses[19][0]).toBeLessThan(losses[0][0]);
    const tw = Object.fromEntries(t.weights.map((w) => [plain(w.name), Array.from(w.read().dataSync())]));
    for (const v of n.weights) nr.tidy(() => close(v.read().dataSync(), tw[tfName(v.name)], 1e-4, v.name));
    // A frozen layer is left out of the default list (its weights stay as they are).
    n.getLayer('hidden').trainable = false;
    const before = nr.tidy(() => Array.from(n.getLayer('hidden').getWeights()[0].dataSync()));
    nOpt.minimize(() => nr.losses.meanSquaredError(ny, n.predict(nx)));
    expect(nr.tidy(() => Array.from(n.getLayer('hidden').getWeights()[0].dataSync()))).toEqual(before);
    [nx, ny, tx, ty].forEach((v) => v.dispose());
    nOpt.dispose();
    n.dispose();
    t.dispose();
  });
});

describe('a forward pass outside the loss, and errors naming the call made', () => {
  it('minimize over a reconstruction made before the call throws naming minimize (TF.js throws too); nothing leaks, nothing trains', () => {
    // The new-user trial: `const recon = ae.reconstruct(x)` hoisted out of the loss.
    const encoder = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [6], units: 2, activation: 'tanh' })] });
    const decoder = nr.sequential({ seed: 2, layers: [nr.layers.dense({ inputShape: [2], units: 6 })] });
    const ae = nr.autoencoder({ encoder, decoder, seed: 3 });
    const x = nr.tensor(uniform(rng(4), 4 * 6, 0, 1), [4, 6]);
    const recon = ae.reconstruct(x);
    const opt = nr.optimizers.adam({ learningRate: 0.01 });
    const weightsNow = () => nr.tidy(() => ae.getWeights().map((w) => Array.from(w.dataSync())));
    const start = weightsNow();
    const before = nr.memory();
    for (const vars of [undefined, ae.trainableWeights]) {
      const e = thrown(() => nr.tidy(() => opt.minimize(() => nr.losses.meanSquaredError(x, recon), false, vars)));
      expect(e).toBeInstanceOf(nr.InvalidArgumentError);
      expect((e as Error).message).toMatch(
        vars === undefined
          ? /^minimize: none of the \d+ trainable variables \(varList left out: every live variable and model weight\) is connected to the result of f\(\), which depends on none of them \(no gradient\); run the forward pass inside f, e\.g\. \(\) => losses\.meanSquaredError\(y, model\.predict\(x\)\), not before the call$/
          : /^minimize: none of the 4 variables in varList is connected to the result of f\(\)/,
      );
    }
    expect(String(thrown(() => nr.variableGrads(() => nr.losses.meanSquaredError(x, recon), ae.trainableWeights)))).toMatch(/^InvalidArgumentError: variableGrads: none of the 4 variables in varList is connected/);
    expect(nr.memory().numTensors).toBe(before.numTensors);
    expect(nr.memory().numBytes).toBe(before.numBytes);
    expect(weightsNow()).toEqual(start);
    // TF.js: the same mistake with the same layers throws its own message.
    const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [6], units: 2, activation: 'tanh' }), tfl.layers.dense({ units: 6 })] });
    const tx = tf.tensor(x.dataSync(), [4, 6]);
    const tRecon = t.predict(tx) as tf.Tensor;
    expect(() => tf.train.adam(0.01).minimize(() => tf.losses.meanSquaredError(tx, tRecon) as tf.Scalar)).toThrow(/^Cannot find a connection between any variable and the result of the loss function/);
    // Inside f, the same loss trains.
    const first = nr.tidy(() => opt.minimize(() => nr.losses.meanSquaredError(x, ae.reconstruct(x)), true)!.dataSync()[0]);
    for (let i = 0; i < 5; i++) nr.tidy(() => opt.minimize(() => nr.losses.meanSquaredError(x, ae.reconstruct(x))));
    expect(nr.tidy(() => nr.losses.meanSquaredError(x, ae.reconstruct(x)).dataSync()[0])).toBeLessThan(first);
    [x, recon, ae, encoder, decoder, opt, tx, tRecon, t].forEach((v) => v.dispose());
  });

  it('a weight changed inside f names variableGrads or minimize, not grad', () => {
    const m = nr.sequential({ seed: 5, layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = nr.tensor([[1, 2]]), y = nr.tensor([[3]]);
    const [kernel] = m.trainableWeights;
    const f = () => {
      const p = m.predict(x);
      nr.tidy(() => kernel.write(nr.zeros([2, 1])));
      return nr.losses.meanSquaredError(y, p);
    };
    const opt = nr.optimizers.sgd(0.1);
    expectNoLeak(() => {
      for (const [op, run] of [['variableGrads', () => nr.variableGrads(f)], ['minimize', () => opt.minimize(f)]] as const) {
        const e = thrown(run);
        expect(e).toBeInstanceOf(nr.InvalidArgumentError);
        expect((e as Error).message).toMatch(new RegExp(`^${op}: the model's weights changed between predict and the gradient .*: change them outside ${op}$`));
      }
    });
    [m, x, y, opt].forEach((v) => v.dispose());
  });
});

describe('custom training loops, against neurite', () => {
  it('a model first built inside the loss is in the default list (its first predict builds it)', () => {
    const m = nr.sequential({ seed: 3, layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    const x = nr.tensor([[1, 2], [3, 4]]), y = nr.tensor([[1], [2]]);
    const opt = nr.optimizers.sgd(0.01);
    const first = nr.tidy(() => opt.minimize(() => nr.losses.meanSquaredError(y, m.predict(x)), true)!.dataSync()[0]);
    const second = nr.tidy(() => nr.losses.meanSquaredError(y, m.predict(x)).dataSync()[0]);
    expect(second).toBeLessThan(first);
    expect(String(thrown(() => nr.variableGrads(() => nr.scalar(1), [])))).toMatch(/variableGrads: varList is empty/);
    [m, x, y, opt].forEach((v) => v.dispose());
  });

  it('one SGD step of minimize(mse of predict) is one trainOnBatch step', () => {
    const make = () => nr.sequential({ seed: 11, layers: [nr.layers.dense({ inputShape: [4], units: 6, activation: 'tanh' }), nr.layers.dense({ units: 2 })] });
    const [a, b] = [make(), make()];
    a.compile({ loss: 'meanSquaredError', optimizer: nr.optimizers.sgd(0.1) });
    b.build();
    const r = rng(9);
    const [x, y] = [nr.tensor(uniform(r, 32, -1, 1), [8, 4]), nr.tensor(uniform(r, 16, -1, 1), [8, 2])];
    a.trainOnBatch(x, y);
    const opt = nr.optimizers.sgd(0.1);
    opt.minimize(() => nr.losses.meanSquaredError(y, b.predict(x)), false, b.trainableWeights);
    nr.tidy(() => a.getWeights().forEach((w, i) => close(b.getWeights()[i].dataSync(), w.dataSync(), 1e-6, `weight ${i}`)));
    [a, b, x, y, opt].forEach((v) => v.dispose());
  });

  // fit's step fuses softmax/sigmoid with their cross-entropy ((p·Σy − y)/n, p − onehot, (p − y)/n);
  // the tape runs the chain rule through the loss and the activation. One rule each, the same
  // maths: one SGD step each way gives the same weights (targets that do not sum to 1, label
  // smoothing, a saturated row where the loss's clip is active).
  const fused: Array<[string, nr.ActivationSpec, () => nr.Tensor, (y: nr.Tensor, p: nr.Tensor) => nr.Tensor, string | Record<string, unknown>]> = [
    ['softmax + categoricalCrossentropy, soft targets not summing to 1', 'softmax', () => nr.tensor([[0.2, 0.3, 0.1], [1, 0, 0], [0, 0.5, 0.6], [0.1, 0.1, 0.1]]), (y, p) => nr.losses.categoricalCrossentropy(y, p), 'categoricalCrossentropy'],
    ['softmax + categoricalCrossentropy, label smoothing', 'softmax', () => nr.tensor([[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]]), (y, p) => nr.losses.categoricalCrossentropy(y, p, { labelSmoothing: 0.2 }), { name: 'categoricalCrossentropy', labelSmoothing: 0.2 }],
    ['softmax + sparseCategoricalCrossentropy', 'softmax', () => nr.tensor([[2], [0], [1], [2]]), (y, p) => nr.losses.sparseCategoricalCrossentropy(y, p), 'sparseCategoricalCrossentropy'],
    ['sigmoid + binaryCrossentropy, soft targets', 'sigmoid', () => nr.tensor([[0.2, 1, 0], [0.9, 0.5, 0.1], [1, 1, 0], [0, 0.3, 0.7]]), (y, p) => nr.losses.binaryCrossentropy(y, p), 'binaryCrossentropy'],
  ];
  for (const [name, activation, target, loss, compiled] of fused) {
    it(`one SGD step of minimize equals one trainOnBatch step: ${name}`, () => {
      const units = 3;
      const make = () => nr.sequential({ seed: 21, layers: [nr.layers.dense({ inputShape: [4], units: 5, activation: 'tanh' }), nr.layers.dense({ units, activation })] });
      const [a, b] = [make(), make()];
      a.compile({ loss: compiled as never, optimizer: nr.optimizers.sgd(0.5) });
      b.build();
      // Row 1 saturates the output (large inputs): the clip of the loss is active there.
      const x = nr.tensor([[0.3, -0.2, 0.5, 0.1], [40, -35, 30, 45], [-0.4, 0.8, 0.2, -0.6], [0.05, 0.1, -0.9, 0.7]]);
      const y = target();
      a.trainOnBatch(x, y);
      const opt = nr.optimizers.sgd(0.5);
      opt.minimize(() => loss(y, b.predict(x)), false, b.trainableWeights);
      nr.tidy(() => a.getWeights().forEach((w, i) => close(b.getWeights()[i].dataSync(), w.dataSync(), 2e-5, `${name}: weight ${i}`)));
      [a, b, x, y, opt].forEach((v) => v.dispose());
    });
  }

  it('a layer shared by two models is one variable: its gradients from both models add up', () => {
    const shared = nr.layers.dense({ name: 'shared', inputShape: [3], units: 2, activation: 'tanh' });
    const a = nr.sequential({ seed: 1, layers: [shared, nr.layers.dense({ units: 1 })] });
    const b = nr.sequential({ seed: 2, layers: [shared, nr.layers.dense({ units: 2, activation: 'sigmoid' })] });
    a.build();
    b.build();
    expect(a.trainableWeights[0]).toBe(b.trainableWeights[0]);
    const x = nr.tensor(uniform(rng(6), 12, -1, 1), [4, 3]);
    expectNoLeak(() => nr.tidy(() => {
      const vars = shared.trainableWeights;
      const g = (f: () => nr.Tensor) => vars.map((v) => Array.from(nr.variableGrads(f, vars).grads[v.name].dataSync()));
      const [ga, gb, both] = [g(() => a.predict(x).sum()), g(() => b.predict(x).square().sum()), g(() => a.predict(x).sum().add(b.predict(x).square().sum()))];
      both.forEach((gv, k) => close(gv, gv.map((_, j) => ga[k][j] + gb[k][j]), 1e-6, vars[k].name));
    }));
    [a, b, x].forEach((v) => v.dispose());
  });

  it('an autoencoder: decode trains the decoder only; a long loop does not grow memory', () => {
    const ae = nr.autoencoder({
      encoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [6], units: 2, activation: 'tanh' })] }),
      decoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 6, activation: 'sigmoid' })] }),
      seed: 3,
    });
    ae.build();
    const r = rng(4);
    const [z, target] = [nr.tensor(uniform(r, 10, -1, 1), [5, 2]), nr.tensor(uniform(r, 30, 0, 1), [5, 6])];
    const opt = nr.optimizers.adam(0.05);
    const encoderBefore = nr.tidy(() => ae.encoder.getWeights().map((w) => Array.from(w.dataSync())));
    const loss = () => nr.losses.meanSquaredError(target, ae.decode(z));
    const first = nr.tidy(() => loss().dataSync()[0]);
    nr.tidy(() => opt.minimize(loss)); // makes the optimizer's state
    const live = nr.memory();
    for (let i = 1; i < 200; i++) nr.tidy(() => opt.minimize(loss));
    expect(nr.memory().numTensors).toBe(live.numTensors);
    expect(nr.memory().numBytes).toBe(live.numBytes);
    expect(nr.tidy(() => loss().dataSync()[0])).toBeLessThan(first * 0.75);
    expect(nr.tidy(() => ae.encoder.getWeights().map((w) => Array.from(w.dataSync())))).toEqual(encoderBefore);
    [z, target, opt, ae].forEach((v) => v.dispose());
  });

  it('applyGradients takes TF.js\'s { [name]: grad } map for model weights, and names clashes', () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ name: 'only', inputShape: [2], units: 1 })] });
    m.build();
    const x = nr.tensor([[1, 2]]);
    const opt = nr.optimizers.sgd(1);
    nr.tidy(() => opt.applyGradients(m.trainableWeights.map((v) => ({ variable: v, grad: nr.zeros(v.shape) })))); // makes the state
    expectNoLeak(() => nr.tidy(() => {
      const before = m.getWeights().map((w) => Array.from(w.dataSync()));
      const { grads } = nr.variableGrads(() => m.predict(x).sum(), m.trainableWeights);
      expect(Object.keys(grads)).toEqual(['only/kernel', 'only/bias']);
      opt.applyGradients(grads);
      // d(sum(x·W + b))/dW = xᵀ, /db = 1: a step of 1 subtracts them.
      const after = m.getWeights().map((w) => Array.from(w.dataSync()));
      close(after[0], [before[0][0] - 1, before[0][1] - 2], 1e-6, 'kernel');
      close(after[1], [before[1][0] - 1], 1e-6, 'bias');
    }));
    // A second live model with a layer of the same name: both have gradients → an error, not a
    // silent overwrite; the name map cannot choose between them.
    const twin = nr.sequential({ layers: [nr.layers.dense({ name: 'only', inputShape: [2], units: 1 })] });
    twin.build();
    expectNoLeak(() => {
      expect(String(thrown(() => nr.variableGrads(() => m.predict(x).add(twin.predict(x)).sum())))).toMatch(/two variables with gradients are named 'only\/kernel'/);
      expect(String(thrown(() => nr.tidy(() => opt.applyGradients({ 'only/bias': nr.scalar(1).reshape([1]) }))))).toMatch(/2 live models have a weight named 'only\/bias'/);
    });
    expect(String(thrown(() => nr.variableGrads(() => nr.scalar(1), [5 as never])))).toMatch(/varList\[0\] must be a variable or a layer weight/);
    [m, twin, x, opt].forEach((v) => v.dispose());
  });
});

describe('apply(x, { training: true }) in custom loops', () => {
  it('batch statistics, moving-statistics update and gradients as TF.js (x and weights)', () => {
    const { n, t } = pair(6);
    const r = rng(13);
    const x = uniform(r, 8 * 5, -2, 2), y = uniform(r, 8 * 3, 0, 1);
    const got = expectNoLeak(() => nr.tidy(() => {
      const out = Array.from(n.apply(nr.tensor(x, [8, 5]), { training: true }).dataSync());
      const moving = n.getLayer('bn').getWeights().slice(2).map((w) => Array.from(w.dataSync()));
      const dx = Array.from(nr.grad((v) => n.apply(v, { training: true }).square().sum())(nr.tensor(x, [8, 5])).dataSync());
      const { grads } = nr.variableGrads(() => nr.losses.meanSquaredError(nr.tensor(y, [8, 3]), n.apply(nr.tensor(x, [8, 5]), { training: true })), n.trainableWeights);
      // Three calls updated the statistics three times (the gradients' replays leave them alone).
      const after = n.getLayer('bn').getWeights().slice(2).map((w) => Array.from(w.dataSync()));
      return { out, moving, after, dx, grads: arrays(grads, tfName) };
    }));
    const want = tf.tidy(() => {
      const out = Array.from((t.apply(tf.tensor(x, [8, 5]), { training: true }) as tf.Tensor).dataSync());
      const moving = t.getLayer('bn').getWeights().slice(2).map((w) => Array.from(w.dataSync()));
      const dx = Array.from(tf.grad((v: tf.Tensor) => tf.sum(tf.square(t.apply(v, { training: true }) as tf.Tensor)))(tf.tensor(x, [8, 5])).dataSync());
      const { grads } = tf.variableGrads(() => tf.losses.meanSquaredError(tf.tensor(y, [8, 3]), t.apply(tf.tensor(x, [8, 5]), { training: true }) as tf.Tensor) as tf.Scalar);
      const after = t.getLayer('bn').getWeights().slice(2).map((w) => Array.from(w.dataSync()));
      return { out, moving, after, dx, grads: arrays(grads, plain) };
    });
    close(got.out, want.out, 1e-5, 'output');
    got.moving.forEach((m, i) => close(m, want.moving[i], 1e-5, `moving statistic ${i} after one call`));
    got.after.forEach((m, i) => close(m, want.after[i], 1e-5, `moving statistic ${i} after three calls`));
    close(got.dx, want.dx, 1e-4, 'd/dx');
    for (const k of Object.keys(want.grads)) close(got.grads[k], want.grads[k], 1e-4, k);
    // Inference (the default) is predict.
    nr.tidy(() => {
      expect(Array.from(n.apply(nr.tensor(x, [8, 5])).dataSync())).toEqual(Array.from(n.predict(nr.tensor(x, [8, 5])).dataSync()));
    });
    n.dispose();
    t.dispose();
  });

  it('two training calls in one loss (a discriminator on real and fake batches), as TF.js', () => {
    const { n, t } = pair(7);
    const r = rng(14);
    const [a, b] = [uniform(r, 6 * 5, -2, 2), uniform(r, 6 * 5, -1, 3)];
    const got = expectNoLeak(() => nr.tidy(() => {
      // Each call updates the moving statistics: the first call's gradient is still taken
      // (with batch statistics, it does not read them).
      const { value, grads } = nr.variableGrads(() => n.apply(nr.tensor(a, [6, 5]), { training: true }).mean().sub(n.apply(nr.tensor(b, [6, 5]), { training: true }).square().mean()), n.trainableWeights);
      return { loss: value.dataSync()[0], grads: arrays(grads, tfName) };
    }));
    const want = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.sub(tf.mean(t.apply(tf.tensor(a, [6, 5]), { training: true }) as tf.Tensor), tf.mean(tf.square(t.apply(tf.tensor(b, [6, 5]), { training: true }) as tf.Tensor))) as tf.Scalar);
      return { loss: value.dataSync()[0], grads: arrays(grads, plain) };
    });
    expect(got.loss).toBeCloseTo(want.loss, 5);
    for (const k of Object.keys(want.grads)) close(got.grads[k], want.grads[k], 1e-4, k);
    // Inference reads the moving statistics: a training call after predict in the same loss
    // changes what predict ran with, and that is an error rather than a gradient at other values.
    expect(String(thrown(() => nr.tidy(() => nr.variableGrads(() => n.predict(nr.tensor(a, [6, 5])).sum().add(n.apply(nr.tensor(b, [6, 5]), { training: true }).sum()), n.trainableWeights))))).toMatch(/weights changed between predict and the gradient/);
    n.dispose();
    t.dispose();
  });

  it('dropout: the gradient is taken with the mask the call drew (Euler: f(x) = x·∇f for a linear model)', () => {
    const make = () => nr.sequential({ seed: 5, layers: [
      nr.layers.dense({ inputShape: [6], units: 40, useBias: false }),
      nr.layers.dropout({ rate: 0.5 }),
      nr.layers.dense({ units: 3, useBias: false }),
    ] });
    const m = make();
    m.build();
    const x = nr.tensor(uniform(rng(2), 24, -1, 1), [4, 6]);
    expectNoLeak(() => nr.tidy(() => {
      for (let i = 0; i < 3; i++) {
        const { value, grad } = nr.valueAndGrad((v) => m.apply(v, { training: true }).sum())(x);
        const euler = nr.sum(grad.mul(x)).dataSync()[0];
        expect(euler, `call ${i}`).toBeCloseTo(value.dataSync()[0], 4);
      }
      // Each call draws a new mask; inference has none.
      const [a, b] = [m.apply(x, { training: true }).dataSync(), m.apply(x, { training: true }).dataSync()];
      expect(Array.from(a)).not.toEqual(Array.from(b));
    }));
    // The same seed draws the same masks, call after call.
    const twin = make();
    twin.build();
    twin.setWeights(m.getWeights());
    const m2 = make();
    m2.build();
    m2.setWeights(m.getWeights());
    nr.tidy(() => {
      for (let i = 0; i < 3; i++) expect(Array.from(twin.apply(x, { training: true }).dataSync())).toEqual(Array.from(m2.apply(x, { training: true }).dataSync()));
    });
    expect(String(thrown(() => m.apply(x, { training: 1 as never })))).toMatch(/apply: training must be true or false/);
    expect(String(thrown(() => m.apply(x, { trainng: true } as never)))).toMatch(/did you mean 'training'/);
    [m, twin, m2, x].forEach((v) => v.dispose());
  });
});

describe('a VAE in a custom loop: encodeDistribution on the tape', () => {
  /** −½·Σ(1 + log σ² − μ² − σ²) per sample, averaged over the batch (the variational layer's KL). */
  const kl = (d: nr.Distribution) => d.logVar.add(1).sub(d.mean.square()).sub(d.logVar.exp()).sum().mul(-0.5 / d.mean.shape[0]);
  const make = () => {
    const encoder = nr.sequential({ layers: [nr.layers.dense({ inputShape: [5], units: 4, activation: 'tanh' }), nr.layers.variational({ units: 2 })] });
    const decoder = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 5, activation: 'sigmoid' })] });
    const ae = nr.autoencoder({ encoder, decoder, seed: 8 });
    ae.build();
    return ae;
  };

  it('the KL of encodeDistribution: gradients for the input and every encoder weight match differences', () => {
    const ae = make();
    const r = rng(17);
    const xv = uniform(r, 3 * 5, 0, 1);
    const x = nr.tensor(xv, [3, 5]);
    const at = <T>(f: () => T): T => nr.tidy(f as () => never) as T;
    const encoder = ae.encoder as nr.Sequential;
    expectNoLeak(() => nr.tidy(() => {
      const vars = encoder.trainableWeights;
      const { value, grads } = nr.variableGrads(() => kl(ae.encodeDistribution(x)), vars);
      // The layer's own encodeDistribution at its input, the dense layer written out with
      // tensor ops on its weights (read on the tape), agrees with the model's.
      const [k, b] = encoder.getLayer(0).weights;
      const viaLayer = nr.variableGrads(() => kl((encoder.getLayer(1) as nr.Variational).encodeDistribution(x.matMul(k.read()).add(b.read()).tanh())), vars);
      for (const v of vars) close(viaLayer.grads[v.name].dataSync(), grads[v.name].dataSync(), 1e-5, `layer vs model: ${v.name}`);
      for (const v of vars) {
        const g = grads[v.name].dataSync();
        const w0 = at(() => Array.from(v.read().dataSync()));
        for (let j = 0; j < w0.length; j++) {
          const klAt = (d: number) => at(() => {
            v.write(nr.tensor(w0.map((w, k) => (k === j ? w + d : w)), v.shape));
            return kl(ae.encodeDistribution(x)).dataSync()[0];
          });
          const fd = (klAt(1e-2) - klAt(-1e-2)) / 2e-2;
          expect(Math.abs(g[j] - fd), `${v.name}[${j}]: ${g[j]} vs ${fd}`).toBeLessThan(2e-3 * (1 + Math.abs(fd)));
        }
        v.write(nr.tensor(w0, v.shape));
      }
      expect(value.dataSync()[0]).toBeGreaterThan(0);
      const dx = nr.grad((t) => kl(ae.encodeDistribution(t)))(x).dataSync();
      for (let i = 0; i < xv.length; i++) {
        const f = (d: number) => at(() => kl(ae.encodeDistribution(nr.tensor(xv.map((v, k) => (k === i ? v + d : v)), [3, 5]))).dataSync()[0]);
        const fd = (f(1e-2) - f(-1e-2)) / 2e-2;
        expect(Math.abs(dx[i] - fd), `x[${i}]`).toBeLessThan(2e-3 * (1 + Math.abs(fd)));
      }
    }));
    [x, ae].forEach((v) => v.dispose());
  });

  it('trains with a custom loss: reconstruction of a training-mode sample + KL', () => {
    const ae = make();
    const x = nr.tensor(uniform(rng(3), 16 * 5, 0, 1).map((v) => (v > 0.5 ? 1 : 0)), [16, 5]);
    const opt = nr.optimizers.adam(0.02);
    const [enc, dec] = [ae.encoder as nr.Sequential, ae.decoder as nr.Sequential];
    const loss = () => nr.losses.binaryCrossentropy(x, dec.predict(enc.apply(x, { training: true }))).add(kl(ae.encodeDistribution(x)));
    const first = nr.tidy(() => loss().dataSync()[0]);
    nr.tidy(() => opt.minimize(loss)); // the optimizer's state
    const live = nr.memory().numTensors;
    for (let i = 1; i < 150; i++) nr.tidy(() => opt.minimize(loss));
    expect(nr.memory().numTensors).toBe(live);
    expect(nr.tidy(() => loss().dataSync()[0])).toBeLessThan(first * 0.9);
    [x, opt, ae].forEach((v) => v.dispose());
  });
});


describe('frozen weights in an explicit varList get no gradient (as TF.js)', () => {
  it('minimize(f, false, model.weights) with a frozen layer trains only the rest; variable(t, false) stays; none trainable throws', () => {
    const x = nr.tensor([[1, 2], [3, -1], [0.5, 0.5]]);
    const y = nr.tensor([[1], [0], [2]]);
    const m = nr.sequential({ seed: 3, layers: [nr.layers.dense({ inputShape: [2], units: 3, name: 'frozen_d' }), nr.layers.dense({ units: 1, name: 'live_d' })] });
    m.build();
    m.getLayer('frozen_d').trainable = false;
    const c = nr.variable(nr.scalar(3), false, 'const_c');
    const opt = nr.optimizers.sgd({ learningRate: 0.1 });
    const vals = () => nr.tidy(() => m.getWeights().map((w) => Array.from(w.data())));
    const before = vals();
    const { value, grads } = nr.variableGrads(() => nr.losses.meanSquaredError(y, m.predict(x)).mul(c), [...m.weights, c]);
    expect(Object.keys(grads).sort()).toEqual(['live_d/bias', 'live_d/kernel']);
    nr.dispose([value, ...Object.values(grads)]);
    opt.minimize(() => nr.losses.meanSquaredError(y, m.predict(x)).mul(c), false, [...m.weights, c]);
    const after = vals();
    // getWeights(): trainable first (live_d), then the frozen layer's.
    expect(after[0]).not.toEqual(before[0]);
    expect(after.slice(2)).toEqual(before.slice(2));
    expect(c.dataSync()[0]).toBe(3);
    const frozenOnly = m.getLayer('frozen_d').weights;
    expect(() => opt.minimize(() => nr.losses.meanSquaredError(y, m.predict(x)), false, frozenOnly)).toThrow(
      /^minimize: none of the 2 variables in varList is trainable \(frozen_d\/kernel, frozen_d\/bias\): frozen layers and models, variable\(t, false\) and moving statistics get no gradient, as in TF\.js/,
    );
    nr.dispose([x, y, m, c, opt]);
  });

  it("a model's trainable = false freezes its layers' variables everywhere, as TF.js: in varLists, in a GAN's generator step and in a model sharing its layers", () => {
    const x = nr.tensor([[1, 2], [0, -1]]);
    const y = nr.tensor([[1], [0]]);
    const d = nr.sequential({ seed: 2, layers: [nr.layers.dense({ inputShape: [2], units: 3, activation: 'tanh', name: 'fd1' }), nr.layers.dense({ units: 1, name: 'fd2' })] });
    const g = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [2], units: 2, name: 'fg1' })] });
    const gan = nr.sequential({ layers: [g, d] });
    const feat = nr.model({ inputs: d.inputs, outputs: d.getLayer('fd1').output }); // feature matching
    const td = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 3, activation: 'tanh' }), tfl.layers.dense({ units: 1 })] });
    const tfeat = tfl.model({ inputs: td.inputs, outputs: td.layers[0].output as tfl.SymbolicTensor });
    d.trainable = false;
    td.trainable = false;
    // TF.js: the variables are frozen, the feature model sharing the layer has none trainable.
    expect(d.weights.map((w) => w.trainable)).toEqual(td.weights.map((w) => w.trainable));
    expect(d.weights.every((w) => !w.trainable)).toBe(true);
    expect(feat.trainableWeights.length).toBe(tfeat.trainableWeights.length);
    expect(feat.trainableWeights).toEqual([]);
    const f = () => nr.losses.meanSquaredError(y, d.predict(x));
    // Were given gradients and moved (by 0.29).
    expect(() => nr.variableGrads(f, d.weights)).toThrow(/^variableGrads: none of the 4 variables in varList is trainable \(fd1\/kernel, fd1\/bias, fd2\/kernel, fd2\/bias\)/);
    feat.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
    // Trained fd1 (by 0.05) though the model holding it was frozen.
    expect(() => feat.trainOnBatch(nr.tensor([[1, 2]]), nr.tensor([[0, 0, 0]]))).toThrow(/^trainOnBatch: model model_\d+ has no trainable weights \(its 2 weights are frozen: every layer has trainable = false, sits in a model with trainable = false \(also one sharing it\)/);
    // The generator step over every weight of the GAN moves the generator only.
    const vals = (m: nr.Sequential) => nr.tidy(() => m.getWeights().map((w) => Array.from(w.data())));
    const [g0, d0] = [vals(g), vals(d)];
    const opt = nr.train.sgd(0.1);
    opt.minimize(() => nr.losses.meanSquaredError(y, gan.predict(x)), false, gan.weights);
    expect(vals(g)).not.toEqual(g0);
    expect(vals(d)).toEqual(d0);
    // Unfrozen, they train again everywhere.
    d.trainable = true;
    expect(d.weights.every((w) => w.trainable)).toBe(true);
    expect(feat.trainableWeights.map((w) => w.name)).toEqual(['fd1/kernel', 'fd1/bias']);
    feat.trainOnBatch(nr.tensor([[1, 2]]), nr.tensor([[0, 0, 0]]));
    expect(vals(d)[0]).not.toEqual(d0[0]);
    // As TF.js: a frozen model freezes the variables of its own layers, not those of a model
    // nested in it (those are frozen while it trains); once disposed, it freezes nothing.
    const outer = nr.sequential({ layers: [d] });
    outer.trainable = false;
    expect(d.weights.every((w) => w.trainable)).toBe(true);
    const holder = nr.sequential({ layers: [d.getLayer('fd2') as nr.layers.Layer] });
    holder.trainable = false;
    expect(d.weights.map((w) => w.trainable)).toEqual([true, true, false, false]);
    holder.dispose();
    expect(d.weights.every((w) => w.trainable)).toBe(true);
    outer.dispose();
    nr.dispose([x, y, g, d, gan, feat, opt]);
    td.dispose();
  });
});

describe('custom-loop mistakes name their cause', () => {
  it('copies from getWeights(), a variable disposed inside f, a LayerVariable in an op, two models with the same layer names', () => {
    const x = nr.tensor([[1, 2], [3, -1]]);
    const y = nr.tensor([[1], [0]]);
    const m = nr.sequential({ seed: 3, layers: [nr.layers.dense({ inputShape: [2], units: 1, name: 'same_name' })] });
    m.build();
    const opt = nr.optimizers.sgd({ learningRate: 0.1 });
    const copies = m.getWeights();
    expect(() => opt.minimize(() => nr.losses.meanSquaredError(y, m.predict(x)), false, copies as never)).toThrow(
      /^minimize: varList\[0\] is a tensor \(shape \[2,1\]\), not a variable: varList takes variables, which minimize updates in place; make your parameters with variable\(t\), and pass a model's weights as model\.trainableWeights \(model\.getWeights\(\) returns copies\)$/,
    );
    // A plain tensor in varList (a forgotten variable()): minimize computed its gradient and updated nothing.
    const w = nr.randomNormal([2, 1], 0, 1, 'float32', 1);
    expect(() => opt.minimize(() => x.matMul(w).sum(), false, [w as never])).toThrow(/^minimize: varList\[0\] is a tensor \(shape \[2,1\]\), not a variable/);
    expect(() => nr.variableGrads(() => x.matMul(w).sum(), [w as never])).toThrow(/^variableGrads: varList\[0\] is a tensor \(shape \[2,1\]\), not a variable: varList takes variables, which the gradients are keyed by/);
    w.dispose();
    const v = nr.variable(nr.scalar(2), true, 'doomed');
    expect(() => nr.variableGrads(() => { const l = v.square().sum(); v.dispose(); return l; })).toThrow(/^variableGrads: f disposed the variable doomed, so it has no gradient; dispose variables after the call/);
    const [kernel] = m.trainableWeights;
    expect(() => nr.matMul(x, kernel as never)).toThrow(/a LayerVariable \(the model weight same_name\/kernel\), not a tensor: use its value with \.read\(\)/);
    const twin = nr.sequential({ seed: 4, layers: [nr.layers.dense({ inputShape: [2], units: 1, name: 'same_name' })] });
    expect(() => nr.variableGrads(() => nr.losses.meanSquaredError(y, m.predict(x).add(twin.predict(x))))).toThrow(
      /^variableGrads: two variables with gradients are named 'same_name\/kernel' \(layers of two models with the same name\? a copy made by fromConfig keeps them\); gradients are keyed by name, so pass a varList with only one model's weights \(model\.trainableWeights\), freeze the other \(a DQN's target network: target\.trainable = false\), or give the layers unique names/,
    );
    // One weight twice (was blamed on two models of the same name): listed twice, or through a
    // model and a model holding it (a GAN's generator and the GAN give the same variables).
    const [k0] = m.trainableWeights;
    expect(() => opt.minimize(() => nr.losses.meanSquaredError(y, m.predict(x)), false, [k0, k0] as never)).toThrow("minimize: varList lists variable 'same_name/kernel' twice (at 0 and 1): list each variable once");
    const gan = nr.sequential({ layers: [m] });
    expect(() => opt.minimize(() => nr.losses.meanSquaredError(y, gan.predict(x)), false, [...m.trainableWeights, ...gan.trainableWeights] as never)).toThrow("minimize: varList lists variable 'same_name/kernel' twice (at 0 and 2): list each variable once");
    gan.dispose();
    nr.dispose([x, y, m, twin, opt, ...copies]);
  });

  it("a frozen DQN target's setWeights(online.getWeights()) copies each weight to its own (frozen weights are listed last: TF.js scrambles them, tfjs#1807); plain values in the other order get a shape error that says why", () => {
    // dense → batchNorm → prelu → batchNorm: frozen, the target lists its weights in layer order,
    // the online network trainable ones first; some shapes coincide (a silent scramble before).
    const online = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [4], units: 8 }), nr.layers.batchNormalization(), nr.layers.prelu(), nr.layers.batchNormalization(), nr.layers.dense({ units: 2 })] });
    nr.tidy(() => online.apply(nr.randomNormal([16, 4], { seed: 2 }), { training: true })); // moving statistics away from 0 and 1
    const target = nr.sequential.fromConfig(online.getConfig());
    target.trainable = false;
    nr.tidy(() => target.setWeights(online.getWeights()));
    const [a, b] = nr.tidy(() => [online.predict(nr.ones([2, 4])).dataSync(), target.predict(nr.ones([2, 4])).dataSync()]);
    expect(Array.from(b)).toEqual(Array.from(a));
    // The same values as plain arrays carry no names: by position, as TF.js, and where a shape
    // differs the error says the order is the cause and how to copy.
    const dense = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [4], units: 8 }), nr.layers.batchNormalization(), nr.layers.dense({ units: 2 })] });
    const frozen = nr.sequential.fromConfig(dense.getConfig());
    frozen.trainable = false;
    expect(() => nr.tidy(() => frozen.setWeights(dense.getWeights().map((t) => t.dataSync())))).toThrow(/; model \S+ has frozen weights, which getWeights and setWeights list after the trainable ones \(TF\.js's order\).*target\.trainable = true; tidy\(\(\) => target\.setWeights\(online\.getWeights\(\)\)\); target\.trainable = false\)$/);
    nr.dispose([online, target, dense, frozen]);
  });

  it('a checkpoint of a model restored after one of its layers was frozen goes back to the weights it was taken from (it went by position, scrambling them in silence where the shapes agree)', () => {
    // A PyTorch habit: state_dict, freeze (requires_grad = False), load_state_dict. 4-4-4: the
    // kernels and biases of both layers have the same shapes.
    const m = nr.sequential({ seed: 3, layers: [nr.layers.dense({ inputShape: [4], units: 4 }), nr.layers.dense({ units: 4 })] });
    const x = nr.tensor([[1, -2, 3, 0.5]]);
    const before = nr.tidy(() => Array.from(m.predict(x).dataSync()));
    const best = m.getWeights();
    nr.tidy(() => m.setWeights(m.getWeights().map((w) => nr.zerosLike(w)))); // training moved them
    m.getLayer(m.layers[0].name).trainable = false;
    m.setWeights(best);
    expect(nr.tidy(() => Array.from(m.predict(x).dataSync()))).toEqual(before);
    // And the other way: taken while frozen, restored after unfreezing.
    const frozenBest = m.getWeights();
    m.getLayer(m.layers[0].name).trainable = true;
    nr.tidy(() => m.setWeights(m.getWeights().map((w) => nr.zerosLike(w))));
    m.setWeights(frozenBest);
    expect(nr.tidy(() => Array.from(m.predict(x).dataSync()))).toEqual(before);
    nr.dispose([m, x, ...best, ...frozenBest]);
  });

  it('copies from a model since disposed still go to their own weights (they went by position once the source was gone)', () => {
    // A game's generation replaced: a partly frozen network's weights kept, the network
    // disposed, the weights written into an unfrozen copy (8→8→8→8: every layer's shapes agree).
    const make = () => nr.sequential({ seed: 5, layers: [nr.layers.dense({ inputShape: [8], units: 8 }), nr.layers.dense({ units: 8 }), nr.layers.dense({ units: 8 })] });
    const a = make();
    a.getLayer(a.layers[0].name).trainable = false;
    const x = nr.randomNormal([2, 8], { seed: 1 });
    const want = nr.tidy(() => Array.from(a.predict(x).dataSync()));
    const ws = a.getWeights();
    a.dispose();
    const b = nr.sequential({ seed: 9, layers: [nr.layers.dense({ inputShape: [8], units: 8 }), nr.layers.dense({ units: 8 }), nr.layers.dense({ units: 8 })] });
    b.setWeights(ws);
    expect(nr.tidy(() => Array.from(b.predict(x).dataSync()))).toEqual(want);
    nr.dispose([b, x, ...ws]);
  });

  it("weights in Keras's order (moving statistics beside gamma and beta) name the first misfit and Keras's fix, not frozen weights (an input layer is no frozen layer)", () => {
    // As a Keras 3 Sequential loads: an input layer first.
    const m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [4] }), nr.layers.dense({ units: 8, name: 'd1' }), nr.layers.batchNormalization({ name: 'bn' }), nr.layers.dense({ units: 2, name: 'd2' })] });
    const nest = (flat: Float32Array, shape: readonly number[]) => (shape.length === 1 ? Array.from(flat) : Array.from({ length: shape[0] }, (_, r) => Array.from(flat.subarray(r * shape[1], (r + 1) * shape[1]))));
    // Keras's get_weights(): d1 kernel, bias; bn gamma, beta, moving mean, variance; d2 kernel, bias.
    const ws = nr.tidy(() => ['d1', 'bn', 'd2'].flatMap((n) => m.getLayer(n).getWeights().map((t) => nest(t.dataSync() as Float32Array, t.shape))));
    const e = thrown(() => m.setWeights(ws as never)) as Error;
    expect(e).toBeInstanceOf(nr.ShapeError);
    expect(e.message).toBe(`setWeights: weight 4 (\`kernel\` of layer 2) has shape [8,2] (16 values), but weights[4] has 8 values; model ${m.name} has non-trainable weights (moving statistics), which getWeights and setWeights list after the trainable ones (TF.js's order), while Keras's get_weights() lists each layer's in turn: pass Keras's model.trainable_weights + model.non_trainable_weights, or set layer by layer (getLayer(name).setWeights(…))`);
    m.dispose();
  });
});
