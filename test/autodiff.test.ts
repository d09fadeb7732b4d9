// Reverse-mode autodiff (grad, grads, valueAndGrad(s), variableGrads, variable,
// optimizer.minimize) against TF.js 4.22 tf.grads on the same functions, built from every op
// family the tape records. Tolerance: rtol 1e-4, atol 1e-5 (float32 on both sides, different
// summation orders in matMul/reductions).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import { expectClose, thrown } from './setup.js';
import { mulberry32 } from './rng.js';
import * as nr from '../ts/index.js';

await tf.setBackend('cpu');

function vals(seed: number, n: number, lo = -1, hi = 1): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

// Either library: the functions below are written once against the API both share.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lib = any;
interface Case {
  name: string;
  shapes: number[][];
  /** Input range, e.g. positive for log/sqrt. */
  range?: [number, number];
  f: (L: Lib, xs: any[]) => any;
}

// Each function is written once against the common subset of both APIs (both libraries
// spell these ops the same way); `L` is neurite or TF.js.
const cases: Case[] = [
  { name: 'unary chain', shapes: [[2, 3]], range: [0.2, 2], f: (L, [x]) => L.sum(L.add(L.mul(L.exp(L.neg(x)), L.log(x)), L.add(L.sqrt(x), L.square(L.sin(x))))) },
  { name: 'abs, reciprocal, log1p, expm1, cos', shapes: [[5]], range: [0.1, 1.5], f: (L, [x]) => L.sum(L.add(L.add(L.abs(L.sub(x, 0.8)), L.reciprocal(x)), L.add(L.log1p(x), L.mul(L.expm1(x), L.cos(x))))) },
  { name: 'broadcast add/sub/mul/div', shapes: [[3, 4], [4], [3, 1]], range: [0.5, 2], f: (L, [a, b, c]) => L.sum(L.div(L.mul(L.add(a, b), L.sub(a, c)), L.add(b, 1))) },
  { name: 'pow', shapes: [[2, 3], [3]], range: [0.5, 1.5], f: (L, [a, b]) => L.sum(L.pow(a, b)) },
  { name: 'maximum/minimum', shapes: [[4, 3], [4, 3]], f: (L, [a, b]) => L.sum(L.add(L.maximum(a, b), L.mul(L.minimum(a, b), 2))) },
  { name: 'reductions with axes', shapes: [[2, 3, 4]], range: [0.5, 1.5], f: (L, [x]) => L.add(L.add(L.sum(L.mean(x, [0, 2])), L.sum(L.max(x, 1))), L.add(L.sum(L.min(x, -1, true)), L.sum(L.prod(x, 2)))) },
  { name: 'matMul all transposes, batched', shapes: [[2, 3, 4], [2, 4, 5], [2, 3, 5]], f: (L, [a, b, c]) => L.sum(L.add(L.sum(L.matMul(a, b)), L.sum(L.square(L.matMul(L.matMul(a, b, false, false), c, false, true))))) },
  { name: 'matMul transposeA', shapes: [[4, 3], [4, 2]], f: (L, [a, b]) => L.sum(L.square(L.matMul(a, b, true, false))) },
  { name: 'matMul both transposed', shapes: [[4, 3], [2, 4]], f: (L, [a, b]) => L.sum(L.square(L.matMul(a, b, true, true))) },
  { name: 'reshape, transpose', shapes: [[2, 3, 4]], f: (L, [x]) => L.sum(L.mul(L.transpose(L.reshape(x, [6, 4]), [1, 0]), L.reshape(L.transpose(x, [2, 0, 1]), [4, 6]))) },
  { name: 'slice, concat, stack', shapes: [[3, 4], [3, 2]], f: (L, [a, b]) => L.sum(L.square(L.concat([L.slice(a, [1, 1], [2, 2]), L.slice(b, [0, 0], [2, -1])], 1))) },
  { name: 'stack', shapes: [[2, 3], [2, 3]], f: (L, [a, b]) => L.sum(L.mul(L.stack([a, b], 1), L.stack([b, a], 1))) },
  { name: 'gather with repeats, tile', shapes: [[4, 3]], f: (L, [x]) => L.sum(L.square(L.tile(L.gather(x, (L as unknown) === tf ? (L as typeof tf).tensor1d([2, 0, 2], 'int32') : [2, 0, 2], 0), [2, 1]))) },
  { name: 'squeeze, expandDims', shapes: [[3, 1, 2]], f: (L, [x]) => L.sum(L.square(L.expandDims(L.squeeze(x, [1]), 0))) },
  { name: 'clipByValue', shapes: [[10]], range: [-2, 2], f: (L, [x]) => L.sum(L.square(L.clipByValue(x, -1, 0.5))) },
  { name: 'activations', shapes: [[3, 4]], f: (L, [x]) => L.sum(L.add(L.add(L.relu(L.sub(x, 0.1)), L.sigmoid(x)), L.add(L.tanh(x), L.mul(L.softmax(x), L.elu(x))))) },
  { name: 'tan, atan, sinh, cosh, asinh, erf', shapes: [[7]], range: [-1.3, 1.3], f: (L, [x]) => L.sum(L.add(L.add(L.mul(L.tan(x), L.atan(L.mul(x, 3))), L.sub(L.sinh(x), L.cosh(x))), L.mul(L.asinh(L.mul(x, 5)), L.erf(x)))) },
  { name: 'asin, acos, atanh', shapes: [[7]], range: [-0.9, 0.9], f: (L, [x]) => L.sum(L.add(L.mul(L.asin(x), L.acos(L.mul(x, 0.5))), L.atanh(x))) },
  { name: 'acosh, rsqrt', shapes: [[7]], range: [1.1, 4], f: (L, [x]) => L.sum(L.mul(L.acosh(x), L.rsqrt(x))) },
  // TF.js differentiates floorDiv as div; mod as a − ⌊a/b⌋·b.
  { name: 'atan2, mod, floorDiv, broadcast', shapes: [[3, 4], [4]], range: [0.3, 3], f: (L, [a, b]) => L.sum(L.add(L.mul(L.atan2(a, L.neg(b)), L.mod(a, b)), L.floorDiv(L.mul(a, 3), b))) },
  { name: 'logSoftmax on axis 0', shapes: [[3, 4]], f: (L, [x]) => L.sum(L.mul(L.logSoftmax(L.transpose(x)), L.transpose(x))) },
];

describe('grads against TF.js', () => {
  for (const c of cases) {
    it(c.name, () => {
      const [lo, hi] = c.range ?? [-1, 1];
      const data = c.shapes.map((s, i) => vals(17 + i * 31, size(s), lo, hi));
      const ours = nr.tidy(() => {
        const xs = data.map((d, i) => nr.tensor(d, c.shapes[i]));
        const g = nr.grads((...args: nr.Tensor[]) => c.f(nr, args))(xs);
        return g.map((t) => t.data());
      });
      const theirs = tf.tidy(() => {
        const xs = data.map((d, i) => tf.tensor(d, c.shapes[i]));
        return tf.grads((...args: tf.Tensor[]) => c.f(tf, args))(xs).map((t) => t.dataSync() as Float32Array);
      });
      ours.forEach((g, i) => expectClose(g, theirs[i], 1e-4, 1e-5));
    });
  }

  it('matMul with a broadcast batch dimension sums the gradient over the batch', () => {
    // TF.js 4.22's BatchMatMul gradient does not reduce broadcast batch dims, so its side
    // stacks b explicitly (stack's gradient sums the copies).
    const a = vals(3, 2 * 3 * 4);
    const b = vals(4, 4 * 5);
    const ours = nr.tidy(() => nr.grads((x: nr.Tensor, y: nr.Tensor) => nr.square(nr.matMul(x, y)).sum())([nr.tensor(a, [2, 3, 4]), nr.tensor(b, [4, 5])]).map((t) => t.data()));
    const theirs = tf.tidy(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x as tf.Tensor3D, tf.stack([y, y]) as tf.Tensor3D))))([tf.tensor(a, [2, 3, 4]), tf.tensor(b, [4, 5])]).map((t) => t.dataSync() as Float32Array));
    ours.forEach((g, i) => expectClose(g, theirs[i], 1e-4, 1e-5));
  });

  it('where and losses', () => {
    const x = vals(5, 12, -2, 2);
    const y = Float32Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const ours = nr.tidy(() => {
      const xt = nr.tensor(x, [4, 3]);
      const yt = nr.tensor(y, [4, 3]);
      const cond = nr.greater(xt, 0);
      return nr.grad((t) => nr.add(nr.losses.categoricalCrossentropy(yt, nr.softmax(t)), nr.sum(nr.where(cond, t, nr.mul(t, -0.5)))))(xt).data();
    });
    const theirs = tf.tidy(() => {
      const xt = tf.tensor(x, [4, 3]);
      const yt = tf.tensor(y, [4, 3]);
      const cond = tf.greater(xt, 0);
      const f = (t: tf.Tensor) => tf.add(tf.mean(tf.sum(tf.mul(tf.neg(yt), tf.log(tf.softmax(t))), -1)), tf.sum(tf.where(cond, t, tf.mul(t, -0.5))));
      return tf.grad(f)(xt).dataSync() as Float32Array;
    });
    expectClose(ours, theirs, 1e-4, 1e-5);
  });
});

describe('gradients where an output cancels, and at NaN', () => {
  /** d(sum(dy · f(x)))/dx in neurite, with dy = 1. */
  const nrGrad = (f: (t: nr.Tensor) => nr.Tensor, x: number[]) => nr.tidy(() => Array.from(nr.grad((t: nr.Tensor) => nr.sum(f(t)))(nr.tensor(x)).data()));
  const tfGrad = (f: (t: tf.Tensor) => tf.Tensor, x: number[]) => tf.tidy(() => Array.from(tf.grad((t: tf.Tensor) => tf.sum(f(t)))(tf.tensor(x)).dataSync()));
  /** Within `ulps` float32 ulps of the float64 value (subnormals: of the smallest spacing). */
  const near = (got: number[], want: number[], ulps: number, what: string) =>
    got.forEach((g, i) => expect(Math.abs(g - want[i]), `${what} at [${i}]: ${g} vs ${want[i]}`).toBeLessThanOrEqual(ulps * Math.max(Math.abs(want[i]) * 2 ** -23, 2 ** -149)));

  it("expm1's gradient is e^x (it was expm1(x) + 1 in float32: 44 % high at -17, 0 at -20), as TF.js", () => {
    const x = [-4, -8, -12, -16, -17, -20, -30, -87, -100, -1e-8, 0, 1e-8, 3, 80];
    const got = nrGrad((t) => nr.expm1(t), x);
    near(got, x.map(Math.exp), 0.5, 'expm1');
    expect(got).toEqual(tfGrad((t) => tf.expm1(t), x));
  });

  it('log1p, softplus, logSigmoid, elu and selu: within 2 ulp of float64 at the extremes', () => {
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const [alpha, lambda] = [1.6732632423543772, 1.0507009873554805];
    const neg = [-1e-8, -1, -8, -17, -20, -30, -60, -87];
    const cases: Array<[string, (t: nr.Tensor) => nr.Tensor, number[], (v: number) => number]> = [
      ['log1p', (t) => nr.log1p(t), [-0.9999999, -0.5, -1e-8, 1e-8, 1, 1e3, 1e30], (v) => 1 / (1 + Math.fround(v))],
      ['softplus', (t) => nr.softplus(t), [-80, -30, -17, -1, 0, 1, 17, 30, 80], sig],
      ['logSigmoid', (t) => nr.logSigmoid(t), [-80, -30, -17, -1, 0, 1, 17, 30, 80], (v) => sig(-v)],
      ['elu', (t) => nr.elu(t), neg, Math.exp],
      ['selu', (t) => nr.selu(t), neg, (v) => lambda * alpha * Math.exp(v)],
    ];
    for (const [name, f, x, d] of cases) near(nrGrad(f, x), x.map((v) => d(Math.fround(v))), 2, name);
    // TF.js's elu and selu gradients read the output (y + 1), and lose e^x there: neurite's do not.
    expect(tfGrad((t) => tf.elu(t), [-20])[0]).not.toBeCloseTo(Math.exp(-20), 12);
  });

  it('the gradient of abs is NaN at NaN, as those of relu and sqrt, and TF.js; 0 at ±0', () => {
    const got = nrGrad((t) => nr.abs(t), [NaN, -2, 3, 0, -0]);
    expect(got).toEqual([NaN, -1, 1, 0, 0]);
    expect(tfGrad((t) => tf.abs(t), [NaN, -2, 3])).toEqual([NaN, -1, 1]);
    expect([nrGrad((t) => nr.relu(t), [NaN])[0], nrGrad((t) => nr.sqrt(t), [NaN])[0]]).toEqual([NaN, NaN]);
  });
});

describe('grad API', () => {
  it('grad, valueAndGrad, dy seeds, and finite differences', () => {
    const x = nr.tensor([0.5, -1.5, 2]);
    const f = (t: nr.Tensor) => t.mul(t).mul(t).sum(); // Σx³ → 3x²
    const g = nr.grad(f)(x);
    expectClose(g.data(), [0.75, 6.75, 12], 1e-6);
    const { value, grad } = nr.valueAndGrad(f)(x);
    expect(value.item()).toBeCloseTo(0.125 - 3.375 + 8, 5);
    expectClose(grad.data(), g.data());
    const dy = nr.tensor([1, 2, 3]);
    const gy = nr.grad((t) => t.square())(x, dy); // 2x·dy
    expectClose(gy.data(), [1, -6, 12], 1e-6);
    for (const t of [x, g, value, grad, dy, gy]) t.dispose();
  });

  it('unused inputs get zeros; constants pass no gradient', () => {
    const [ga, gb] = nr.grads((a, b) => a.sum().add(nr.floor(b).sum()))([nr.ones([2]), nr.ones([3])]);
    expect(Array.from(ga.data())).toEqual([1, 1]);
    expect(Array.from(gb.data())).toEqual([0, 0, 0]);
    ga.dispose();
    gb.dispose();
  });

  it('does not leak: the tape frees its references', () => {
    const x = nr.tensor([1, 2, 3]);
    nr.grad((t) => t.exp().sum())(x).dispose();
    const before = nr.memory();
    for (let i = 0; i < 50; i++) nr.grad((t) => t.exp().mul(t).sum())(x).dispose();
    const after = nr.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    x.dispose();
  });

  it('errors: nesting, non-tensor results, non-scalar variableGrads', () => {
    const x = nr.tensor([1, 2]);
    expect(() => nr.grad((t) => nr.grad((u) => u.sum())(t))(x)).toThrow(/cannot be nested, so higher-order gradients \(a gradient of a gradient, such as a gradient penalty\) are not supported yet; a derivative with respect to the inputs inside a loss \(a physics-informed network's u' or u''\) can be carried forward through the layers by hand beside the values, and that loss differentiated as usual \(see grad's documentation\)$/);
    expect(() => nr.grad(() => 3 as unknown as nr.Tensor)(x)).toThrow(/f must return a Tensor, got 3/);
    expect(() => nr.grad(42 as never)).toThrow(/f must be a function/);
    // An empty list names itself (it said there were no trainable variables; helper-326).
    expect(() => nr.grads((a) => a.sum())([])).toThrow('grads: args is an empty list; give the tensors to differentiate with respect to (grads(f)([x, y]) for f(x, y))');
    expect(() => nr.valueAndGrads((a) => a.sum())([])).toThrow(/^valueAndGrads: args is an empty list/);
    expect(() => nr.variableGrads(() => x.sum(), [])).toThrow(/^variableGrads: varList is empty/);
    // A tensor f made and did not return is freed when f returns: said as grad's f, not a tidy() never written.
    let inner: nr.Tensor | null = null;
    nr.grad((t) => { inner = t.mul(2); return inner.sum(); })(x).dispose();
    expect(() => inner!.data()).toThrow("data: tensor is a disposed tensor (shape [2]) (freed at the end of grad's f, which runs in a tidy() as TF.js's: keep() a tensor inside f to read it after grad returns)");
    let kept: nr.Tensor | null = null;
    nr.grad((t) => { kept = nr.keep(t.mul(2)); return kept.sum(); })(x).dispose();
    expect(Array.from(kept!.data())).toEqual([2, 4]);
    kept!.dispose();
    const v = nr.variable(nr.tensor([1, 2]), true, 'v_err');
    expect(() => nr.variableGrads(() => v.mul(2))).toThrow(/must return a scalar, got shape \[2\]/);
    // After an error the tape is closed again: the next grad works.
    nr.grad((t) => t.sum())(x).dispose();
    v.dispose();
    x.dispose();
  });

  it('variable names itself and its argument: a disposed initial value, a non-boolean trainable', () => {
    const d = nr.tensor([1, 2, 3]);
    d.dispose();
    const before = nr.memory().numTensors;
    expect(() => nr.variable(d)).toThrow(nr.DisposedError);
    expect(() => nr.variable(d)).toThrow(/^variable: initial is a disposed tensor \(shape \[3\]\)$/); // was "clone: x is a disposed tensor"
    const x = nr.tensor([1]);
    expect(() => nr.variable(x, 1 as never)).toThrow(/^variable: trainable must be true or false, got 1$/);
    expect(nr.memory().numTensors).toBe(before + 1);
    x.dispose();
  });
});

describe('variables and minimize', () => {
  it('linear regression with optimizer.minimize converges to the true weights', () => {
    // y = 3x − 2 + noise-free; fit w, b with SGD.
    const xs = nr.tensor(Array.from({ length: 32 }, (_, i) => i / 16 - 1), [32, 1]);
    const ys = nr.tidy(() => xs.mul(3).sub(2));
    const w = nr.variable(nr.zeros([1, 1]), true, 'w_lr');
    const b = nr.variable(nr.zeros([1]), true, 'b_lr');
    const opt = nr.optimizers.sgd({ learningRate: 0.3 });
    opt.minimize(() => nr.losses.meanSquaredError(ys, xs.matMul(w).add(b)), false, [w, b]); // creates the optimizer state
    const before = nr.memory().numTensors;
    for (let i = 0; i < 200; i++) opt.minimize(() => nr.losses.meanSquaredError(ys, xs.matMul(w).add(b)), false, [w, b]);
    expect(nr.memory().numTensors).toBe(before);
    expect(w.item()).toBeCloseTo(3, 3);
    expect(b.item()).toBeCloseTo(-2, 3);
    const cost = opt.minimize(() => nr.losses.meanSquaredError(ys, xs.matMul(w).add(b)), true, [w, b])!;
    expect(cost.item()).toBeLessThan(1e-6);
    for (const t of [xs, ys, w, b, cost]) t.dispose();
    opt.dispose();
  });

  it('variableGrads keys by name; assign replaces values', () => {
    const a = nr.variable(nr.tensor([1, 2]), true, 'a_vg');
    const frozen = nr.variable(nr.tensor([5]), false, 'frozen_vg');
    const { value, grads } = nr.variableGrads(() => a.square().sum().add(frozen.sum()));
    expect(Object.keys(grads)).toContain('a_vg');
    expect(Object.keys(grads)).not.toContain('frozen_vg');
    expect(Array.from(grads.a_vg.data())).toEqual([2, 4]);
    a.assign(nr.tensor([7, 8]));
    expect(Array.from(a.data())).toEqual([7, 8]);
    expect(() => a.assign(nr.tensor([1]))).toThrow(/assign: the new value has shape \[1\] but the variable has shape \[2\]/);
    expect(() => nr.variable(nr.tensor([0]), true, 'a_vg')).toThrow(/already named 'a_vg'/);
    for (const t of [a, frozen, value, ...Object.values(grads)]) t.dispose();
  });

  it("optimizer.computeGradients is TF.js's: variableGrads' value and gradients, the optimizer untouched", () => {
    const a = nr.variable(nr.tensor([1, -2, 3]), true, 'a_cg');
    const ta = tf.variable(tf.tensor([1, -2, 3]), true, 'a_cg_tf');
    const opt = nr.train.adam(0.1);
    const topt = tf.train.adam(0.1);
    const { value, grads } = opt.computeGradients(() => a.square().mul(a.sin()).sum() as nr.Scalar, [a]);
    const t = topt.computeGradients(() => ta.square().mul(ta.sin()).sum() as tf.Scalar, [ta]);
    expectClose(value.data(), t.value.dataSync(), 1e-5, 1e-6);
    expectClose(grads.a_cg!.data(), t.grads.a_cg_tf!.dataSync(), 1e-5, 1e-6);
    expect(opt.iterations).toBe(0);
    expect(Array.from(a.data())).toEqual([1, -2, 3]);
    expect(() => opt.computeGradients(() => nr.scalar(1), [a])).toThrow(/^computeGradients: /);
    opt.applyGradients(grads);
    expect(opt.iterations).toBe(1);
    for (const x of [a, value, ...Object.values(grads), opt]) x.dispose();
    tf.dispose([ta, t.value, ...Object.values(t.grads)]);
    topt.dispose();
  });

  it('a variable made inside f is a new leaf, as in TF.js: no gradient flows through it to its initial value (it did, even after assign replaced that value)', () => {
    const x = nr.tensor([1, 2, 3]);
    // Lazily made running state, set to 10 before use: d/dv Σ(v − 10)² = 2(v − 10).
    const g = nr.grad((v) => {
      const s = nr.variable(v.mean().reshape([1]), false, 'state_nr');
      s.assign(nr.tensor([10]));
      return v.sub(s).square().sum();
    })(x);
    const tx = tf.tensor([1, 2, 3]);
    const tg = tf.grad((v) => {
      const s = tf.variable(v.mean().reshape([1]), false, 'state_tf');
      s.assign(tf.tensor([10]));
      return v.sub(s).square().sum();
    })(tx);
    expect(Array.from(g.dataSync())).toEqual([-18, -16, -14]);
    expect(Array.from(tg.dataSync())).toEqual([-18, -16, -14]);
    // f depending on x only through a variable made from it: zeros, as through stopGradient
    // (it gave 2s; TF.js throws, finding no connection).
    const z = nr.grad((v) => nr.variable(v.mul(2), true, 'leaf_nr').sum())(x);
    expect(Array.from(z.dataSync())).toEqual([0, 0, 0]);
    z.dispose();
    expect(() => tf.grad((v) => tf.variable(v.mul(2), true, 'leaf_tf').sum())(tx)).toThrow(/Cannot compute gradient/);
    nr.disposeVariables();
    tf.disposeVariables();
    nr.dispose([x, g]);
    tf.dispose([tx, tg]);
  });
});

// A loss that does not depend on the variables (the forward pass run before the call, outside
// f) trains nothing: TF.js's variableGrads (and so minimize) throws, and neurite too, naming the
// call. Each case runs through TF.js 4.22 here as well.
describe('a loss not connected to the variables, as TF.js', () => {
  const TF_NONE = 'Cannot find a connection between any variable and the result of the loss function y=f(x). Please make sure the operations that use variables are inside the function f passed to minimize().';
  const FIX = '(no gradient); run the forward pass inside f, e.g. () => losses.meanSquaredError(y, model.predict(x)), not before the call';

  /** Runs `fn`, asserting that it leaves no tensor and no byte behind. */
  function noLeak(fn: () => void): void {
    const before = nr.memory();
    fn();
    const after = nr.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  }

  it('variableGrads with a varList: an InvalidArgumentError saying how many variables are given; nothing leaked', () => {
    const [a, b, c] = [nr.variable(nr.tensor([1, 2]), true, 'nc_a'), nr.variable(nr.tensor([3]), true, 'nc_b'), nr.variable(nr.zeros([2]), true, 'nc_c')];
    const [ta, tb, tc] = [tf.variable(tf.tensor([1, 2]), true, 'nc_a'), tf.variable(tf.tensor([3]), true, 'nc_b'), tf.variable(tf.zeros([2]), true, 'nc_c')];
    const outside = b.square().sum();
    const tOutside = tf.sum(tf.square(tb));
    // f returns a tensor made before the call, or makes one from tensors other than the variables.
    expect(() => tf.variableGrads(() => tOutside as tf.Scalar, [ta])).toThrow(TF_NONE);
    expect(() => tf.variableGrads(() => tf.add(tf.sum(tb), 1) as tf.Scalar, [ta])).toThrow(TF_NONE);
    expect(() => tf.variableGrads(() => tf.mul(tOutside, 2) as tf.Scalar, [ta, tc])).toThrow(TF_NONE);
    noLeak(() => {
      const e = thrown(() => nr.variableGrads(() => outside, [a]));
      expect(e).toBeInstanceOf(nr.InvalidArgumentError);
      expect((e as Error).message).toBe(`variableGrads: the 1 variable in varList is not connected to the result of f(), which does not depend on it ${FIX}`);
      expect(() => nr.variableGrads(() => b.sum().add(1), [a])).toThrow(nr.InvalidArgumentError);
      expect(() => nr.variableGrads(() => outside.mul(2), [a, c])).toThrow(`variableGrads: none of the 2 variables in varList is connected to the result of f(), which depends on none of them ${FIX}`);
    });
    expect(outside.isDisposed).toBe(false);
    // Checked before the rank, as TF.js: an unconnected non-scalar result names the connection.
    expect(() => tf.variableGrads(() => tf.ones([2]) as tf.Scalar, [ta])).toThrow(TF_NONE);
    noLeak(() => expect(() => nr.variableGrads(() => nr.ones([2]), [a])).toThrow(/^variableGrads: the 1 variable in varList is not connected/));
    for (const t of [a, b, c, outside]) t.dispose();
    for (const t of [ta, tb, tc, tOutside]) t.dispose();
  });

  it('variableGrads with the default list, and minimize: the same error naming the call; no step taken', () => {
    const w = nr.variable(nr.tensor([[1], [2]]), true, 'nc_w');
    const tw = tf.variable(tf.tensor([[1], [2]]), true, 'nc_w');
    const x = nr.tensor([[1, 1], [2, 0]]), y = nr.tensor([[1], [2]]);
    const tx = tf.tensor([[1, 1], [2, 0]]), ty = tf.tensor([[1], [2]]);
    // The trial's repro: the forward pass hoisted out of the loss.
    const pred = x.matMul(w);
    const tPred = tf.matMul(tx, tw);
    const opt = nr.optimizers.sgd({ learningRate: 0.1 });
    const tOpt = tf.train.sgd(0.1);
    expect(() => tOpt.minimize(() => tf.losses.meanSquaredError(ty, tPred) as tf.Scalar)).toThrow(TF_NONE);
    expect(() => tOpt.minimize(() => tf.losses.meanSquaredError(ty, tPred) as tf.Scalar, true, [tw])).toThrow(TF_NONE);
    expect(() => tf.variableGrads(() => tf.losses.meanSquaredError(ty, tPred) as tf.Scalar)).toThrow(TF_NONE);
    noLeak(() => {
      for (const returnCost of [false, true]) {
        const e = thrown(() => opt.minimize(() => nr.losses.meanSquaredError(y, pred), returnCost, [w]));
        expect(e).toBeInstanceOf(nr.InvalidArgumentError);
        expect((e as Error).message).toBe(`minimize: the 1 variable in varList is not connected to the result of f(), which does not depend on it ${FIX}`);
      }
      // The default list: every live trainable variable (other tests' too) and model weight.
      const dflt = /^(minimize|variableGrads): (the 1 trainable variable|none of the \d+ trainable variables) \(varList left out: every live variable and model weight\) is (not )?connected to the result of f\(\)/;
      expect(() => opt.minimize(() => nr.losses.meanSquaredError(y, pred))).toThrow(dflt);
      expect(() => nr.variableGrads(() => nr.losses.meanSquaredError(y, pred))).toThrow(dflt);
      expect(String(thrown(() => opt.minimize(() => nr.losses.meanSquaredError(y, pred))))).toMatch(/^InvalidArgumentError: minimize: /);
    });
    expect(Array.from(w.dataSync())).toEqual([1, 2]); // no step
    expect(Array.from(tw.dataSync())).toEqual([1, 2]);
    // Inside f, the same loss trains w (both libraries, the same step).
    nr.tidy(() => opt.minimize(() => nr.losses.meanSquaredError(y, x.matMul(w)), false, [w]));
    tf.tidy(() => {
      tOpt.minimize(() => tf.losses.meanSquaredError(ty, tf.matMul(tx, tw)) as tf.Scalar, false, [tw]);
    });
    expectClose(w.dataSync(), tw.dataSync() as Float32Array, 1e-6);
    for (const t of [w, x, y, pred]) t.dispose();
    for (const t of [tw, tx, ty, tPred]) t.dispose();
    opt.dispose();
    tOpt.dispose();
  });

  it('connected only through ops with no gradient (round, argMax …): minimize and variableGrads refuse (TF.js gives and steps zeros in silence); grad gives the zeros, as TF.js', () => {
    const w = nr.variable(nr.tensor([[0.5], [-1.5]]), true, 'rz_w');
    const opt = nr.optimizers.sgd({ learningRate: 0.1 });
    using x = nr.tensor([[1, 2], [3, 4]]);
    using y = nr.tensor([[1], [0]]);
    const want = /^minimize: f\(\) depends on the variables only through ops with no gradient \(stopGradient, round, floor, ceil, sign, comparisons, argMax\/argMin, oneHot, …\), so no variable has a gradient and none is stepped \(Keras and PyTorch give such variables none too; /;
    noLeak(() => {
      expect(() => opt.minimize(() => nr.losses.meanSquaredError(y, x.matMul(w).round()), false, [w])).toThrow(want);
      expect(() => opt.minimize(() => nr.argMax(x.matMul(w), 0).sum(), false, [w])).toThrow(want);
      expect(() => nr.variableGrads(() => nr.argMax(x.matMul(w), 0).sum(), [w])).toThrow(/^variableGrads: f\(\) depends on the variables only through ops with no gradient \(.*\), so no variable has a gradient \(Keras and PyTorch give such variables none too; TF\.js gives zeros/);
    });
    expect(Array.from(w.dataSync())).toEqual([0.5, -1.5]);
    // One differentiable path is enough: the rounded term adds 0, the other trains.
    nr.tidy(() => opt.minimize(() => nr.losses.meanSquaredError(y, x.matMul(w)).add(x.matMul(w).round().sum()), false, [w]));
    expect(Array.from(w.dataSync())).not.toEqual([0.5, -1.5]);
    // grad itself is TF.js's: zeros through round.
    using g = nr.tidy(() => nr.grad((t: nr.Tensor) => t.round().sum())(nr.tensor([0.3, 2.6])));
    expect(Array.from(g.dataSync())).toEqual([0, 0]);
    w.dispose();
    opt.dispose();
  });

  it('some variables connected: gradients for those only (no zeros), as TF.js; minimize steps those only', () => {
    const [a, b] = [nr.variable(nr.tensor([1, 2]), true, 'pc_a'), nr.variable(nr.tensor([3]), true, 'pc_b')];
    const [ta, tb] = [tf.variable(tf.tensor([1, 2]), true, 'pc_a'), tf.variable(tf.tensor([3]), true, 'pc_b')];
    const ours = nr.tidy(() => Object.fromEntries(Object.entries(nr.variableGrads(() => a.square().sum(), [a, b]).grads).map(([k, g]) => [k, Array.from(g.dataSync())])));
    const theirs = tf.tidy(() => Object.fromEntries(Object.entries(tf.variableGrads(() => tf.sum(tf.square(ta)) as tf.Scalar, [ta, tb]).grads).map(([k, g]) => [k, Array.from(g.dataSync())])));
    expect(theirs).toEqual({ pc_a: [2, 4] });
    expect(ours).toEqual(theirs);
    // f returning a variable itself is connected to it (TF.js: a gradient of ones).
    const s = nr.variable(nr.scalar(2), true, 'pc_s');
    const ts = tf.variable(tf.scalar(2), true, 'pc_s');
    expect(nr.tidy(() => Array.from(nr.variableGrads(() => s, [s]).grads.pc_s.dataSync()))).toEqual([1]);
    expect(tf.tidy(() => Array.from(tf.variableGrads(() => ts, [ts]).grads.pc_s!.dataSync()))).toEqual([1]);
    const opt = nr.optimizers.sgd({ learningRate: 0.5 });
    const tOpt = tf.train.sgd(0.5);
    nr.tidy(() => opt.minimize(() => a.square().sum(), false, [a, b]));
    tf.tidy(() => {
      tOpt.minimize(() => tf.sum(tf.square(ta)) as tf.Scalar, false, [ta, tb]);
    });
    expect([Array.from(a.dataSync()), Array.from(b.dataSync())]).toEqual([Array.from(ta.dataSync()), Array.from(tb.dataSync())]);
    expect(Array.from(b.dataSync())).toEqual([3]);
    for (const t of [a, b, s]) t.dispose();
    for (const t of [ta, tb, ts]) t.dispose();
    opt.dispose();
    tOpt.dispose();
  });

  it('grad, grads, valueAndGrad(s) of an f that ignores x throw, as TF.js; through constants (floor, round, oneHot) they give zeros, as TF.js', () => {
    const TF_X = /^Cannot compute gradient of y=f\(x\) with respect to x\. Make sure that\s+the f you passed encloses all operations that lead from x to y\.$/;
    const tx = tf.tensor([1, 2]), tyy = tf.tensor([3, 4]), tc = tf.scalar(5);
    expect(() => tf.grad(() => tc)(tx)).toThrow(TF_X);
    expect(() => tf.grads((a: tf.Tensor) => tf.sum(a))([tx, tyy])).toThrow(TF_X);
    expect(() => tf.valueAndGrad(() => tc)(tx)).toThrow(TF_X);
    expect(() => tf.valueAndGrads(() => tc)([tx, tyy])).toThrow(TF_X);
    expect(Array.from(tf.grad((a: tf.Tensor) => tf.sum(tf.floor(a)))(tx).dataSync())).toEqual([0, 0]);
    expect(Array.from(tf.grad((a: tf.Tensor) => tf.sum(tf.round(a).mul(a.sign())))(tx).dataSync())).toEqual([0, 0]);
    const x = nr.tensor([1, 2]), y = nr.tensor([3, 4]), c = nr.scalar(5);
    const NR_X = (op: string, name: string) => new RegExp(`^${op}: the result of f does not depend on ${name.replace(/[[\]]/g, '\\$&')} \\(shape \\[2\\]\\): no operation leads from it to the result, so it has no gradient \\(TF\\.js: "Cannot compute gradient of y=f\\(x\\) with respect to x"\\); compute the result from it inside f, or leave it out$`);
    noLeak(() => {
      expect(() => nr.grad(() => c)(x)).toThrow(NR_X('grad', 'x'));
      expect(() => nr.grads((a: nr.Tensor) => a.sum())([x, y])).toThrow(NR_X('grads', 'args[1]'));
      expect(() => nr.valueAndGrad(() => c)(x)).toThrow(NR_X('valueAndGrad', 'x'));
      expect(() => nr.valueAndGrads(() => c)([x, y])).toThrow(NR_X('valueAndGrads', 'args[0]'));
      nr.tidy(() => {
        expect(Array.from(nr.grad((a: nr.Tensor) => nr.floor(a).sum())(x).dataSync())).toEqual([0, 0]);
        expect(Array.from(nr.grad((a: nr.Tensor) => nr.round(a).mul(a.sign()).sum())(x).dataSync())).toEqual([0, 0]);
      });
    });
    // variableGrads: a variable reached only through a constant is left out (Keras's None; TF.js
    // gives zeros), as one not reached; none reached is the "not connected" error.
    const v = nr.variable(nr.tensor([0.5, 1.5]), true, 'const_v'), w = nr.variable(nr.tensor([1, 1]), true, 'unused_w');
    const tv = tf.variable(tf.tensor([0.5, 1.5]), true, 'const_tv'), tw = tf.variable(tf.tensor([1, 1]), true, 'unused_tw');
    const tfr = tf.variableGrads(() => tf.sum(tf.floor(tv)).add(tf.sum(tx)), [tv, tw]);
    expect(Object.keys(tfr.grads)).toEqual(['const_tv']);
    expect(Array.from(tfr.grads.const_tv.dataSync())).toEqual([0, 0]);
    noLeak(() => nr.tidy(() => {
      // Only through floor: no gradient at all, said (TF.js: zeros for const_tv, as above).
      expect(() => nr.variableGrads(() => nr.floor(v).sum().add(x.sum()), [v, w])).toThrow(/^variableGrads: f\(\) depends on the variables only through ops with no gradient \(stopGradient, round, floor, .*\), so no variable has a gradient \(Keras/);
      // Beside a variable with a gradient: left out.
      const r = nr.variableGrads(() => nr.floor(v).sum().add(w.sum()), [v, w]);
      expect(Object.keys(r.grads)).toEqual(['unused_w']);
      expect(Array.from(r.grads.unused_w.dataSync())).toEqual([1, 1]);
    }));
    for (const t of [x, y, c, v, w]) t.dispose();
    for (const t of [tx, tyy, tc, tv, tw, tfr.value, ...Object.values(tfr.grads)]) t.dispose();
  });

  it('grad of a model weight says to use variableGrads (its advice, .read(), led to a second error: a copy the model never reads)', () => {
    using m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.build();
    using x = nr.tensor([[1, 2]]);
    const kernel = m.trainableWeights[0];
    const e = String(thrown(() => nr.grad(() => nr.tidy(() => m.predict(x).sum()))(kernel as never)));
    expect(e).toMatch(/a LayerVariable \(the model weight .*kernel.*\), not a tensor: .*for a gradient with respect to the weight use variableGrads\(f, \[weight\]\)/);
    const { value, grads } = nr.variableGrads(() => m.predict(x).sum(), [kernel]);
    expect(Array.from(grads[kernel.name].dataSync())).toEqual([1, 2]);
    nr.dispose([value, ...Object.values(grads)]);
  });

  it('errors the tape raises name the call made, not grad', () => {
    const v = nr.variable(nr.tensor([0.5, -1]), true, 'tape_v');
    const x = nr.tensor([1, 2]);
    noLeak(() => {
      const relu = (t: nr.Tensor) => nr.activationGrad(t, nr.onesLike(t), 'relu').sum();
      expect(thrown(() => nr.variableGrads(() => relu(v), [v]))).toMatchObject({
        name: 'InvalidArgumentError',
        message: 'variableGrads: activationGrad has no gradient rule, and the result depends on it through a tensor being differentiated; compute activationGrad outside variableGrads, or on values that do not depend on the sources',
      });
      expect(String(thrown(() => nr.optimizers.sgd(0.1).minimize(() => relu(v), false, [v])))).toMatch(/^InvalidArgumentError: minimize: activationGrad has no gradient rule, .*compute activationGrad outside minimize,/);
      expect(String(thrown(() => nr.grads((t: nr.Tensor) => relu(t))([x])))).toMatch(/^InvalidArgumentError: grads: activationGrad has no gradient rule/);
      expect(String(thrown(() => nr.grad((t: nr.Tensor) => relu(t))(x)))).toMatch(/^InvalidArgumentError: grad: activationGrad has no gradient rule, .*compute activationGrad outside grad,/);
      // Nested: the inner call is named (it is the one refused).
      expect(String(thrown(() => nr.grad((t) => nr.variableGrads(() => t.sum().add(v.sum()), [v]).value)(x)))).toMatch(/^InvalidArgumentError: variableGrads: a gradient tape is already recording/);
      expect(String(thrown(() => nr.variableGrads(() => nr.grad((t) => t.sum())(x).sum().add(v.sum()), [v])))).toMatch(/^InvalidArgumentError: grad: a gradient tape is already recording/);
    });
    v.dispose();
    x.dispose();
  });
});
