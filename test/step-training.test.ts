// Step-like activations in training (ts/models/zero_gradient.ts) and the step ops'
// straightThrough option (ts/activations.ts, ts/ops/unary.ts).
//
// fit, trainOnBatch and fitDataset refuse, before any step, a model whose trainable weights
// reach its output only through unitStep, heaviside, stairStep or sign without straightThrough:
// their gradient is 0, so training used to run with a constant loss and bit-identical weights.
// A model with a trainable path around or after the step trains as before. The reference is the
// definition (a zero gradient leaves the weights as they are: checked bit for bit) and the
// straight-through estimator's `dx = dy`, compared with the activation layer's backward pass
// (through predict under grad) and with activationGrad.
import { describe, expect, it, vi } from 'vitest';
import { expectNoLeak, thrown } from './setup.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';

await tf.setBackend('cpu');

const { layers } = nr;
const STEPS = ['unitStep', 'heaviside', 'stairStep', 'sign'] as const;

/** AND on 4 points: the classic perceptron data. */
const X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const Y = [[0], [0], [0], [1]];

function compiled(m: nr.Sequential): nr.Sequential {
  m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
  return m;
}

/** The weights' bits, to tell "unchanged" from "changed a little". */
function bits(m: nr.Sequential): number[][] {
  return m.getWeights().map((t) => {
    const v = Array.from(new Uint32Array(t.data().buffer));
    t.dispose();
    return v;
  });
}

type Entry = 'fit' | 'trainOnBatch' | 'fitDataset';

/** Trains `m` once through `entry`; the error it threw, or undefined. */
async function train(m: nr.Sequential, entry: Entry): Promise<unknown> {
  const x = nr.tensor(X);
  const y = nr.tensor(Y);
  try {
    if (entry === 'fit') await m.fit(x, y, { epochs: 2, verbose: 0 });
    else if (entry === 'trainOnBatch') m.trainOnBatch(x, y);
    else await m.fitDataset(nr.data.zip({ xs: nr.data.array(X), ys: nr.data.array(Y) }).batch(4), { epochs: 2, verbose: 0 });
    return undefined;
  } catch (e) {
    return e;
  } finally {
    x.dispose();
    y.dispose();
  }
}

/** Expects training through every entry point to fail with `message` (a RegExp for `${op}: …`) and to leave every weight and tensor count as it was. */
async function refuses(m: nr.Sequential, message: (op: Entry) => string | RegExp): Promise<void> {
  for (const entry of ['fit', 'trainOnBatch', 'fitDataset'] as const) {
    const before = bits(m);
    const live = nr.memory().numTensors;
    const err = await train(m, entry);
    expect(err, entry).toBeInstanceOf(nr.InvalidArgumentError);
    const want = message(entry);
    if (typeof want === 'string') expect((err as Error).message).toBe(want);
    else expect((err as Error).message).toMatch(want);
    expect(bits(m), `${entry} left the weights as they were`).toEqual(before);
    expect(nr.memory().numTensors).toBe(live);
  }
}

/** Training through every entry point works and changes the weights. */
async function learns(m: nr.Sequential): Promise<void> {
  for (const entry of ['fit', 'trainOnBatch', 'fitDataset'] as const) {
    const before = bits(m);
    expect(await train(m, entry), entry).toBeUndefined();
    expect(bits(m), `${entry} changed the weights`).not.toEqual(before);
  }
}

describe('fit refuses a model that can learn nothing through its step activations', () => {
  it('the lecturer\'s model: dense({ units: 1, activation: \'unitStep\' }), with the message in full', async () => {
    using m = compiled(nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 1, activation: 'unitStep', name: 'step_unit' })] }));
    await refuses(m, (op) => `${op}: model ${m.name} cannot learn: its trainable weights reach the output only through step-like activations, whose gradient is 0 (step_unit's 'unitStep'), so no training step can fit them to the data; to train through a step, use the straight-through estimator, activation: { name: 'unitStep', straightThrough: true } (its backward pass is the identity's), or for a single step unit perceptron({ inputs: 2 }), which learns by the perceptron rule`);
  });

  for (const name of STEPS) {
    it(`${name}: as a dense layer's activation, with its parameters, or as an activation layer`, async () => {
      const spec = name === 'stairStep' ? { name, step: 0.5 } : name === 'heaviside' ? { name, atZero: 1 } : name;
      using a = compiled(nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 3, activation: spec as nr.ActivationSpec, name: `a_${name}` })] }));
      await refuses(a, (op) => new RegExp(`^${op}: model ${a.name} cannot learn: .*\\(a_${name}'s '${name}'\\).*activation: \\{ name: '${name}', straightThrough: true \\}`));
      using b = compiled(nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 3 }), layers.dense({ units: 2, activation: 'tanh' }), layers.activation({ activation: name, name: `b_${name}` })] }));
      await refuses(b, () => new RegExp(`\\(b_${name}'s '${name}'\\)`));
    });
  }

  it('a convolution with a step activation (any layer with an activation option)', async () => {
    using m = compiled(nr.sequential({ layers: [layers.conv2d({ inputShape: [3, 3, 1], filters: 1, kernelSize: 3, activation: 'heaviside', name: 'conv' }), layers.flatten()] }));
    const x = nr.ones([2, 3, 3, 1]);
    const y = nr.ones([2, 1]);
    expect(thrown(() => m.trainOnBatch(x, y))).toMatchObject({ message: expect.stringMatching(/^trainOnBatch: model .* cannot learn: .*\(conv's 'heaviside'\).*perceptron\(\{ inputs: … \}\)/) });
    x.dispose();
    y.dispose();
  });

  it('graph models: every branch blocked names every step layer; a branch around the step trains', async () => {
    const x = nr.input({ shape: [2] });
    const s1 = layers.dense({ units: 2, activation: 'sign', name: 's1' }).apply(x);
    const s2 = layers.dense({ units: 2, activation: 'unitStep', name: 's2' }).apply(x);
    using blocked = compiled(nr.model({ inputs: x, outputs: layers.dense({ units: 1, activation: 'stairStep', name: 'out' }).apply(layers.add().apply([s1, s2])) }));
    await refuses(blocked, () => /\(s1's 'sign', s2's 'unitStep', out's 'stairStep'\)/);

    const x2 = nr.input({ shape: [2] });
    const step = layers.dense({ units: 2, activation: 'unitStep', name: 'gate' }).apply(x2);
    const smooth = layers.dense({ units: 2, activation: 'tanh' }).apply(x2);
    using around = compiled(nr.model({ inputs: x2, outputs: layers.dense({ units: 1 }).apply(layers.concatenate().apply([step, smooth])) }));
    await learns(around);
  });

  it('a layer applied twice in a graph model: each use is followed', async () => {
    const a = nr.input({ shape: [2] });
    const b = nr.input({ shape: [2] });
    const shared = layers.dense({ units: 2, activation: 'heaviside', name: 'shared' });
    using m = compiled(nr.model({ inputs: [a, b], outputs: layers.add().apply([shared.apply(a), shared.apply(b)]) }));
    const xs = [nr.tensor(X), nr.tensor(X)];
    const y = nr.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    expect(thrown(() => m.trainOnBatch(xs, y))).toMatchObject({ message: expect.stringMatching(/\(shared's 'heaviside', shared's 'heaviside'\)/) });
    [...xs, y].forEach((t) => t.dispose());
  });

  it('nested models: a step inside a nested model blocks what comes before it; a frozen model adds no trainable weight', async () => {
    const inner = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 2, activation: 'unitStep', name: 'inner_step' })] });
    using outer = compiled(nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 2, activation: 'relu', name: 'before' }), inner] }));
    await refuses(outer, () => /\(inner_step's 'unitStep'\)/);
    // The nested model frozen: only `before` trains, and it is behind the step.
    inner.trainable = false;
    await refuses(outer, () => /\(inner_step's 'unitStep'\)/);
    inner.dispose();

    // A frozen model before a trainable layer: the output carries the trainable layer's gradient.
    const frozen = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 2, activation: 'sign' })] });
    frozen.trainable = false;
    using m = compiled(nr.sequential({ layers: [frozen, layers.dense({ units: 1 })] }));
    await learns(m);
    frozen.dispose();
  });

  it('frozen layers: a trainable step followed by a frozen layer is refused; a frozen step followed by a trainable layer trains', async () => {
    using m = compiled(nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 2, activation: 'unitStep', name: 'st' }), layers.dense({ units: 1, trainable: false })] }));
    await refuses(m, () => /\(st's 'unitStep'\)/);
    using n = compiled(nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 2, activation: 'unitStep', trainable: false }), layers.dense({ units: 1 })] }));
    await learns(n);
  });

  it('later layers still train: dense(unitStep) → dense trains the second layer; the first keeps its bits (its true gradient is 0), and one warning says so', async () => {
    using m = compiled(nr.sequential({ seed: 3, layers: [layers.dense({ inputShape: [2], units: 4, activation: 'unitStep', biasInitializer: 'ones', name: 'hidden_step' }), layers.dense({ units: 1 })] }));
    const [w0] = bits(m);
    const x = nr.tensor(X);
    const y = nr.tensor(Y);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    let h: nr.History;
    try {
      h = await m.fit(x, y, { epochs: 20, verbose: 0 });
      await m.fit(x, y, { epochs: 1, verbose: 0 }); // once per compile
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
        `fit: model ${m.name} trains, but hidden_step's 'unitStep' passes no gradient (a derivative of 0), so layer hidden_step's own weights are never changed by fit, and the weights before it learn only through other paths to the output; to train through a step, use activation: { name: 'unitStep', straightThrough: true }`,
      ]);
    } finally {
      warn.mockRestore();
    }
    const loss = h.history.loss as number[];
    expect(loss[19]).toBeLessThan(loss[0]);
    expect(bits(m)[0]).toEqual(w0);
    x.dispose();
    y.dispose();
  });

  for (const name of STEPS) {
    it(`${name} with straightThrough: true trains (the loss moves, the weights change)`, async () => {
      using m = compiled(nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [2], units: 1, activation: { name, straightThrough: true } as nr.ActivationSpec })] }));
      await learns(m);
    });
  }

  it('an autoencoder whose decoder ends in a step is refused by its own fit', async () => {
    using ae = nr.autoencoder({ encoder: layers.dense({ inputShape: [4], units: 2, activation: 'sigmoid' }), decoder: layers.dense({ units: 4, activation: 'unitStep', name: 'dec' }) });
    ae.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = nr.ones([3, 4]);
    await expect(ae.fit(x, { epochs: 1, verbose: 0 })).rejects.toThrow(/^fit: model .* cannot learn: .*\(dec's 'unitStep'\)/);
    x.dispose();
  });

  it('penalties do not count as learning: a weight regularizer on the step layer, adamw\'s decay', async () => {
    using m = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 1, activation: 'unitStep', kernelRegularizer: nr.regularizers.l2({ l2: 0.1 }), name: 'reg' })] });
    m.compile({ optimizer: nr.optimizers.adamw({ learningRate: 0.1, weightDecay: 0.1 }), loss: 'meanSquaredError' });
    expect(String(await train(m, 'fit'))).toMatch(/^InvalidArgumentError: fit: model .* cannot learn: .*\(reg's 'unitStep'\), so no training step can fit them to the data/);
  });

  it('a model with no trainable weight at all is refused for that, before the step check (as TF.js)', async () => {
    using m = compiled(nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 1, activation: 'unitStep', trainable: false })] }));
    expect(String(await train(m, 'fit'))).toMatch(/has no trainable weights \(its 2 weights are frozen/);
  });
});

describe('fit refuses a one-value softmax and a cross-entropy over one value (a beginner\'s two silent no-ops)', () => {
  it("dense({ units: 1, activation: 'softmax' }) is always 1: refused, with what to use instead", async () => {
    using m = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 4, activation: 'relu' }), layers.dense({ units: 1, activation: 'softmax', name: 'out' })] });
    m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: 'binaryCrossentropy' });
    await refuses(m, (op) => `${op}: model ${m.name} cannot learn: layer out has one unit and 'softmax', which over one value is constant (1), so its gradient is 0 and no training step changes a weight; for one output use 'sigmoid' (with binaryCrossentropy), or give the layer one unit per class`);
  });

  it('categoricalCrossentropy (and the sparse one) on a 1-unit output is always 0: refused; 2 units train', async () => {
    for (const loss of ['categoricalCrossentropy', 'sparseCategoricalCrossentropy'] as const) {
      using m = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 1, activation: 'sigmoid', name: 'out' })] });
      m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss });
      await refuses(m, (op) => `${op}: ${loss} on output out, which has one value per sample, is always 0 (a distribution over one class is certain), so no training step changes a weight; for two classes use binaryCrossentropy with a 1-unit 'sigmoid' output, or give the output one unit per class (with 'softmax')`);
    }
    using two = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 2, activation: 'softmax' })] });
    two.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: 'categoricalCrossentropy' });
    using x = nr.tensor(X);
    using y = nr.tensor(Y.map(([v]) => [1 - v, v]));
    const before = bits(two);
    await two.fit(x, y, { epochs: 1, verbose: 0 });
    expect(bits(two)).not.toEqual(before);
  });

  it('a graph model: the check is per output (the one-value head is named)', async () => {
    const inp = nr.input({ shape: [2] });
    const h = layers.dense({ units: 3, activation: 'relu' }).apply(inp) as nr.SymbolicTensor;
    const a = layers.dense({ units: 1, activation: 'sigmoid', name: 'flag' }).apply(h) as nr.SymbolicTensor;
    const b = layers.dense({ units: 3, activation: 'softmax', name: 'kind' }).apply(h) as nr.SymbolicTensor;
    using m = nr.model({ inputs: inp, outputs: [a, b] });
    m.compile({ optimizer: 'sgd', loss: ['categoricalCrossentropy', 'categoricalCrossentropy'] });
    using x = nr.tensor(X);
    using ya = nr.tensor(Y);
    using yb = nr.tensor(Y.map(() => [1, 0, 0]));
    await expect(m.fit(x, [ya, yb], { epochs: 1, verbose: 0 })).rejects.toThrow(/^fit: categoricalCrossentropy on output flag, which has one value per sample, is always 0/);
  });

  it("a lecturer's −1/1 labels through oneHot are rows of zeros under categoricalCrossentropy: one warning per compile", async () => {
    using m = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 2, activation: 'softmax' })] });
    m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.5 }), loss: 'categoricalCrossentropy' });
    using x = nr.tensor(X);
    using labels = nr.tensor([-1, 1, 1, -1]);
    using y = nr.oneHot(labels, 2);
    expect(y.arraySync()).toEqual([[0, 0], [0, 1], [0, 1], [0, 0]]); // TF.js's oneHot: an index out of range is a row of zeros
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      await m.fit(x, y, { epochs: 2, verbose: 0 });
      await m.fit(x, y, { epochs: 1, verbose: 0 });
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
        'fit: 2 of 4 rows of y are all zeros, so categoricalCrossentropy gives them no loss and those samples do not train (oneHot of a label outside 0…1, such as a −1 of −1/1 labels, makes such a row; TF.js and Keras accept it in silence); map the labels to 0…classes − 1 first (−1/1 labels: y.add(1).div(2))',
      ]);
      // Proper one-hot rows (and soft labels that do not sum to 1) say nothing.
      warn.mockClear();
      m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.5 }), loss: 'categoricalCrossentropy' });
      using soft = nr.tensor([[0.3, 0.3], [0, 1], [0.2, 0.9], [1, 0]]);
      await m.fit(x, soft, { epochs: 1, verbose: 0 });
      expect(warn).not.toHaveBeenCalled();
      // Label smoothing makes a row of zeros s/K per class: it has a loss and trains, unsaid (helper-325).
      m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.5 }), loss: { name: 'categoricalCrossentropy', labelSmoothing: 0.3 } });
      await m.fit(x, y, { epochs: 1, verbose: 0 });
      expect(warn).not.toHaveBeenCalled();
      using zeroRowOnly = nr.tensor([[0, 0]]);
      using x0 = nr.tensor([X[0]!]);
      const loss = m.evaluate(x0, zeroRowOnly) as nr.Tensor;
      expect(loss.item()).toBeGreaterThan(0.1);
      loss.dispose();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('the step ops take straightThrough, with the activation layer\'s gradient', () => {
  const xs = [-2.5, -1, -0.25, 0, -0, 0.25, 0.5, 1, 3.75, NaN];
  const w = xs.map((_, i) => 0.5 + i);
  type Op = (x: nr.Tensor, o?: { straightThrough?: boolean }) => nr.Tensor;
  const OPS: Array<[(typeof STEPS)[number], Op, nr.ActivationSpec, nr.ActivationSpec]> = [
    ['unitStep', (x, o) => nr.unitStep(x, { threshold: 0.25, ...o }), { name: 'unitStep', threshold: 0.25 }, { name: 'unitStep', threshold: 0.25, straightThrough: true }],
    ['heaviside', (x, o) => nr.heaviside(x, { atZero: 1, ...o }), { name: 'heaviside', atZero: 1 }, { name: 'heaviside', atZero: 1, straightThrough: true }],
    ['stairStep', (x, o) => nr.stairStep(x, { step: 0.5, ...o }), { name: 'stairStep', step: 0.5 }, { name: 'stairStep', step: 0.5, straightThrough: true }],
  ];
  const same = (a: ArrayLike<number>, b: ArrayLike<number>): void => expect(Array.from(a).map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual(Array.from(b).map((v) => (Object.is(v, -0) ? '-0' : v)));

  /** dL/dx of L = Σ w·f(x), by the tape. */
  const gradOf = (f: (x: nr.Tensor) => nr.Tensor): Float32Array =>
    nr.tidy(() => nr.grad((x) => nr.sum(nr.mul(f(x), nr.tensor(w))))(nr.tensor(xs)).data());

  for (const [name, op, plain, st] of OPS) {
    it(`${name}: same values, gradient dy (NaN at NaN) as activation() and the activation layer give; 0 without the flag`, () => {
      expectNoLeak(() => {
        same(nr.tidy(() => op(nr.tensor(xs), { straightThrough: true }).data()), nr.tidy(() => op(nr.tensor(xs)).data()));
        same(nr.tidy(() => op(nr.tensor(xs), { straightThrough: true }).data()), nr.tidy(() => nr.activation(nr.tensor(xs), plain).data()));
        const g = gradOf((x) => op(x, { straightThrough: true }));
        same(g, w.map((v, i) => (Number.isNaN(xs[i]) ? NaN : v)));
        same(g, gradOf((x) => nr.activation(x, st)));
        same(g, nr.tidy(() => nr.activationGrad(nr.tensor(xs), nr.tensor(w), st).data()));
        same(gradOf((x) => op(x, { straightThrough: false })), gradOf((x) => op(x)));
        same(gradOf((x) => op(x)), xs.map((v) => (Number.isNaN(v) ? NaN : 0)));
      });
      // The layer's backward pass (what fit uses), through predict.
      using m = nr.sequential({ layers: [layers.activation({ inputShape: [xs.length], activation: st })] });
      const viaLayer = nr.tidy(() => nr.grad((x) => nr.sum(nr.mul(m.predict(x) as nr.Tensor, nr.tensor([w]))))(nr.tensor([xs])).data());
      same(viaLayer, gradOf((x) => op(x, { straightThrough: true })));
    });
  }

  it("sign: the op's values (±0 kept, NaN stays NaN) with the straight-through gradient of the 'sign' activation", () => {
    expectNoLeak(() => {
      const want = [-1, -1, -1, 0, -0, 1, 1, 1, 1, NaN];
      same(nr.tidy(() => nr.sign(nr.tensor(xs), { straightThrough: true }).data()), want);
      same(nr.tidy(() => nr.sign(nr.tensor(xs), {}).data()), want);
      // Under grad the values are the op's too (the straight-through path is composed there).
      same(nr.tidy(() => nr.valueAndGrad((x) => nr.sign(x, { straightThrough: true }))(nr.tensor(xs)).value.data()), want);
      const g = gradOf((x) => nr.sign(x, { straightThrough: true }));
      same(g, gradOf((x) => nr.activation(x, { name: 'sign', straightThrough: true })));
      same(g, w.map((v, i) => (Number.isNaN(xs[i]) ? NaN : v)));
      same(gradOf((x) => nr.sign(x)), new Array(xs.length).fill(0));
      // TensorLike input, as every op.
      same(nr.tidy(() => nr.grad((x) => nr.sum(nr.mul(nr.sign(x, { straightThrough: true }), 3)))(nr.tensor([0.5, -2])).data()), [3, 3]);
    });
  });

  it('bad options name the op and the option', () => {
    const x = nr.tensor([1, -1]);
    const err = (f: () => unknown) => expectNoLeak(() => { const e = thrown(f) as Error; return `${e.constructor.name}: ${e.message}`; });
    expect(err(() => nr.unitStep(x, { straightThrough: 1 as never }))).toBe('InvalidArgumentError: unitStep: straightThrough must be a boolean, got 1');
    expect(err(() => nr.stairStep(x, { straightTrough: true } as never))).toBe("InvalidArgumentError: stairStep: unknown option 'straightTrough' — did you mean 'straightThrough'? (known: step, straightThrough)");
    expect(err(() => nr.sign(x, { straightThrough: 'yes' as never }))).toBe('InvalidArgumentError: sign: straightThrough must be true or false, got the string "yes"');
    expect(err(() => nr.sign(x, { threshold: 0 } as never))).toBe("InvalidArgumentError: sign: unknown option 'threshold' (known: straightThrough)");
    expect(err(() => nr.sign(x, 2 as never))).toBe('InvalidArgumentError: sign: options must be an object, got 2');
    expect(err(() => nr.leakyRelu(x, { straightThrough: true } as never))).toBe("InvalidArgumentError: leakyRelu: unknown option 'straightThrough' (known: alpha)");
    x.dispose();
  });
});

describe('a model that cannot change a weight is refused, as TF.js refuses it', () => {
  const x = () => nr.ones([4, 2]);
  const y = () => nr.ones([4, 1]);
  it('model.trainable = false: fit, trainOnBatch and fitDataset throw naming the model; summary counts nothing trainable', async () => {
    using m = nr.sequential({ name: 'disc', layers: [layers.dense({ inputShape: [2], units: 3 }), layers.dense({ units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    m.trainable = false;
    const [xs, ys] = [x(), y()];
    const before = nr.tidy(() => m.getWeights().map((w) => Array.from(w.data())));
    const msg = /^fit: model disc has trainable = false, so fit would change no weight \(TF\.js refuses it too\); .*set disc\.trainable = true/;
    await expect(m.fit(xs, ys, { epochs: 1, verbose: 0 })).rejects.toThrow(msg);
    expect(() => m.trainOnBatch(xs, ys)).toThrow(/^trainOnBatch: model disc has trainable = false/);
    const ds = nr.data.zip({ xs: nr.data.array([[1, 1]]), ys: nr.data.array([[1]]) }).batch(1);
    await expect(m.fitDataset(ds, { epochs: 1, verbose: 0 })).rejects.toThrow(/^fitDataset: model disc has trainable = false/);
    expect(nr.tidy(() => m.getWeights().map((w) => Array.from(w.data())))).toEqual(before);
    expect(m.summary(null)).toMatch(/Trainable params: 0\n/);
    // Unfrozen, it trains again (the flag is read at each call).
    m.trainable = true;
    await m.fit(xs, ys, { epochs: 1, verbose: 0 });
    expect(nr.tidy(() => m.getWeights().map((w) => Array.from(w.data())))).not.toEqual(before);
    nr.dispose([xs, ys]);
  });
  it('every layer frozen, or no weights at all: the same refusal, as TF.js 4.22', async () => {
    // TF.js's fit of a model of an activation layer only, or of frozen weights, throws too.
    for (const frozen of [false, true]) {
      const t = tfl.sequential({ layers: [frozen ? tfl.layers.dense({ units: 1, inputShape: [2], trainable: false }) : tfl.layers.activation({ activation: 'relu', inputShape: [2] })] });
      t.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const [tx, ty] = [tf.ones([2, 2]), tf.ones([2, frozen ? 1 : 2])];
      await expect(t.fit(tx, ty, { verbose: 0 })).rejects.toThrow(/none of the 0 variables is trainable/);
      tf.dispose([tx, ty]);
      t.dispose();
    }
    using m = nr.sequential({ name: 'all_frozen', layers: [layers.dense({ inputShape: [2], units: 1, trainable: false })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    using n = nr.sequential({ name: 'weightless', layers: [layers.activation({ inputShape: [1], activation: 'relu' })] });
    n.compile({ optimizer: 'sgd', loss: 'mse' });
    const [xs, ys] = [x(), y()];
    await expect(m.fit(xs, ys, { verbose: 0 })).rejects.toThrow(/^fit: model all_frozen has no trainable weights \(its 2 weights are frozen: every layer has trainable = false, sits in a model with trainable = false \(also one sharing it\), or is a statistic\), so fit would change no weight \(TF\.js refuses it too\); unfreeze a layer/);
    await expect(n.fit(ys, ys, { verbose: 0 })).rejects.toThrow(/^fit: model weightless has no weights, so there is nothing to train \(TF\.js refuses it too\); use predict or evaluate$/);
    nr.dispose([xs, ys]);
  });
});
