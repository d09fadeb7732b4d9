// Activations: forward values and vector-Jacobian products against TF.js 4.22 (cpu backend,
// tf.grad) for every activation TF.js has, against plain-JS references for the others;
// hand-checked extremes; error messages; no leaks.
//
// Tolerances (|a − e| ≤ atol + rtol·|e|): both sides are float32. TF.js's cpu kernels compute
// in f64 and round once; ours round a few times in f32, so rtol 1e-5 / atol 1e-6. gelu: TF.js
// evaluates erf with Abramowitz–Stegun 7.1.26 (absolute error 1.5e-7), ours is accurate to
// f32 rounding, so atol 2e-6 there.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's main entry leaves gradients unregistered; tf.grad needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expectClose, expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';
import type { ActivationSpec } from '../ts/index.js';
import { mulberry32 } from './rng.js';

await tf.setBackend('cpu');

const rng = mulberry32;

/** A random shape (rank 1–4, dims 1–5) and values in [-6, 6] with the kinks 0 and ±2.5 mixed in. */
function sample(seed: number): { shape: number[]; x: Float32Array; dy: Float32Array } {
  const r = rng(seed);
  const rank = 1 + Math.floor(r() * 4);
  const shape = Array.from({ length: rank }, () => 1 + Math.floor(r() * 5));
  const n = shape.reduce((a, b) => a * b, 1);
  const special = [0, 2.5, -2.5, 1e-3, -1e-3];
  const x = Float32Array.from({ length: n }, (_, i) => (i < special.length && r() < 0.5 ? special[i] : -6 + 12 * r()));
  const dy = Float32Array.from({ length: n }, () => -2 + 4 * r());
  return { shape, x, dy };
}

type TfFn = (x: tf.Tensor) => tf.Tensor;
const SQRT1_2 = Math.SQRT1_2;

/** Activations TF.js has, with the TF.js (or TF.js layers) definition. */
const TF_CASES: Array<{ spec: ActivationSpec; tf: TfFn; atol?: number }> = [
  { spec: 'relu', tf: (x) => tf.relu(x) },
  { spec: 'leakyRelu', tf: (x) => tf.leakyRelu(x) },
  { spec: { name: 'leakyRelu', alpha: 0.01 }, tf: (x) => tf.leakyRelu(x, 0.01) },
  // A negative slope, as TF.js takes (Keras 3 refuses it).
  { spec: { name: 'leakyRelu', alpha: -0.5 }, tf: (x) => tf.leakyRelu(x, -0.5) },
  { spec: 'elu', tf: (x) => tf.elu(x) },
  { spec: 'selu', tf: (x) => tf.selu(x) },
  { spec: 'softplus', tf: (x) => tf.softplus(x) },
  { spec: 'sigmoid', tf: (x) => tf.sigmoid(x) },
  { spec: 'tanh', tf: (x) => tf.tanh(x) },
  { spec: 'softmax', tf: (x) => tf.softmax(x) },
  { spec: 'logSoftmax', tf: (x) => tf.logSoftmax(x) },
  // TF.js layers definitions (tfjs-layers/src/activations.ts and backend/tfjs_backend.ts).
  { spec: 'gelu', tf: (x) => tf.mul(x, tf.mul(0.5, tf.add(1, tf.erf(tf.mul(x, SQRT1_2))))), atol: 2e-6 },
  { spec: 'swish', tf: (x) => tf.mul(tf.sigmoid(x), x) },
  { spec: 'silu', tf: (x) => tf.mul(tf.sigmoid(x), x) },
  { spec: 'hardSigmoid', tf: (x) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1) },
  { spec: 'softsign', tf: (x) => tf.div(x, tf.add(tf.abs(x), 1)) },
  { spec: 'relu6', tf: (x) => tf.relu6(x) },
  { spec: 'mish', tf: (x) => tf.mul(x, tf.tanh(tf.softplus(x))) },
  // TF.js layers' GeluNew.
  { spec: 'geluNew', tf: (x) => tf.mul(0.5, tf.mul(x, tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))))), atol: 2e-6 },
  { spec: 'gelu_new', tf: (x) => tf.mul(0.5, tf.mul(x, tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))))), atol: 2e-6 },
  { spec: 'linear', tf: (x) => x.clone() },
  { spec: { name: 'linear', slope: -2, intercept: 3 }, tf: (x) => tf.add(tf.mul(x, -2), 3) },
];

const label = (s: ActivationSpec): string => (typeof s === 'string' ? s : JSON.stringify(s));

describe('activations vs TF.js (forward and tf.grad)', () => {
  for (const c of TF_CASES) {
    it(label(c.spec), () => {
      for (let seed = 1; seed <= 8; seed++) {
        const { shape, x, dy } = sample(seed * 7919 + label(c.spec).length);
        const [wantY, wantDx] = tf.tidy(() => {
          const tx = tf.tensor(x, shape);
          const g = tf.grad((t: tf.Tensor) => c.tf(t))(tx, tf.tensor(dy, shape));
          return [c.tf(tx).dataSync().slice(), g.dataSync().slice()];
        });
        const [y, dx] = expectNoLeak(() =>
          nr.tidy(() => {
            const t = nr.tensor(x, shape);
            return [nr.activation(t, c.spec).data(), nr.activationGrad(t, nr.tensor(dy, shape), c.spec).data()];
          }),
        );
        expectClose(y, wantY, 1e-5, c.atol ?? 1e-6);
        expectClose(dx, wantDx, 1e-5, c.atol ?? 1e-6);
      }
    });
  }

  it('prelu with per-unit and shared alpha, and its gradients', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const { shape, x, dy } = sample(seed * 31);
      const units = shape[shape.length - 1];
      const alpha = Float32Array.from({ length: units }, (_, i) => 0.05 + 0.1 * i);
      const [wy, wdx, wda] = tf.tidy(() => {
        const [tx, ta, tdy] = [tf.tensor(x, shape), tf.tensor(alpha), tf.tensor(dy, shape)];
        const [gx, ga] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.prelu(a, b))([tx, ta], tdy);
        return [tf.prelu(tx, ta).dataSync().slice(), gx.dataSync().slice(), ga.dataSync().slice()];
      });
      const [y, dx, da] = expectNoLeak(() =>
        nr.tidy(() => {
          const [t, a, g] = [nr.tensor(x, shape), nr.tensor(alpha), nr.tensor(dy, shape)];
          const r = nr.preluGrad(t, a, g);
          return [nr.prelu(t, a).data(), r.dx.data(), r.dAlpha.data()];
        }),
      );
      expectClose(y, wy);
      expectClose(dx, wdx);
      expectClose(da, wda, 1e-5, 1e-5);
    }
    expectNoLeak(() => nr.tidy(() => {
      const t = nr.tensor([[-1, 2], [-3, 4]]);
      expect(Array.from(nr.prelu(t, 0.5).data())).toEqual([-0.5, 2, -1.5, 4]);
      const { dAlpha } = nr.preluGrad(t, 0.5, nr.onesLike(t));
      expect(dAlpha.shape).toEqual([]);
      expect(dAlpha.item()).toBe(-4);
    }));
  });

  it("prelu with a NaN or infinite alpha passes x >= 0 through, as TF.js's select; a finite alpha keeps its bits", () => {
    const x = [0, -0, 2, -2, NaN];
    for (const a of [NaN, Infinity, -Infinity, 0.25, -0.5, 0]) {
      const want = tf.tidy(() => Array.from(tf.prelu(tf.tensor(x), tf.scalar(a)).dataSync()));
      const got = expectNoLeak(() => nr.tidy(() => Array.from(nr.prelu(x, a).data())));
      if (Number.isFinite(a)) {
        // α·x at ±0 (a signed zero, TF.js passes x); every other value TF.js's bits.
        expect(got.map((v, i) => Object.is(v, Math.fround(a) * x[i]) || (x[i] > 0 && v === x[i]) || (Number.isNaN(v) && Number.isNaN(x[i]))), `alpha ${a}`).toEqual(x.map(() => true));
        expect(got.slice(2).map((v) => v + 0), `alpha ${a}`).toEqual(want.slice(2).map((v) => v + 0));
      } else {
        expect(got.map((v) => (Object.is(v, -0) ? '-0' : v)), `alpha ${a}`).toEqual(want.map((v) => (Object.is(v, -0) ? '-0' : v)));
      }
    }
    expect(expectNoLeak(() => nr.tidy(() => Array.from(nr.prelu([0, -0, 2, -2], NaN).data())))).toEqual([0, -0, 2, NaN]);
    expect(Object.is(nr.tidy(() => nr.prelu([-0], NaN).item()), -0)).toBe(true);
  });

  it('prelu with alpha broadcast over other axes, as tf.prelu, and its gradients (also through grad)', () => {
    const shape = [2, 3, 4];
    const x = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.7) * 3);
    const dy = Float32Array.from({ length: 24 }, (_, i) => Math.cos(i * 0.9));
    for (const ashape of [[3, 1], [2, 1, 1], [2, 3, 4], [1, 3, 4], [4], [1]]) {
      const n = ashape.reduce((a, b) => a * b, 1);
      const alpha = Float32Array.from({ length: n }, (_, i) => 0.05 + 0.07 * i);
      const [wy, wdx, wda] = tf.tidy(() => {
        const [tx, ta, tdy] = [tf.tensor(x, shape), tf.tensor(alpha, ashape), tf.tensor(dy, shape)];
        const [gx, ga] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.prelu(a, b))([tx, ta], tdy);
        return [tf.prelu(tx, ta).dataSync().slice(), gx.dataSync().slice(), ga.dataSync().slice()];
      });
      const [y, dx, da, ga] = expectNoLeak(() =>
        nr.tidy(() => {
          const [t, a, g] = [nr.tensor(x, shape), nr.tensor(alpha, ashape), nr.tensor(dy, shape)];
          const r = nr.preluGrad(t, a, g);
          expect(r.dAlpha.shape).toEqual(ashape);
          const [, viaTape] = nr.grads((p: nr.Tensor, q: nr.Tensor) => nr.prelu(p, q).mul(g).sum())([t, a]);
          return [nr.prelu(t, a).data(), r.dx.data(), r.dAlpha.data(), viaTape.data()];
        }),
      );
      expectClose(y, wy);
      expectClose(dx, wdx);
      expectClose(da, wda, 1e-5, 1e-5);
      expectClose(ga, wda, 1e-5, 1e-5);
    }
  });

  it('softmax and logSoftmax along a non-last axis (TF.js via transposes)', () => {
    const { x } = sample(99);
    const shape = [3, 4, 5];
    const vals = Float32Array.from({ length: 60 }, (_, i) => x[i % x.length] + Math.sin(i));
    for (const [name, f] of [['softmax', tf.softmax], ['logSoftmax', tf.logSoftmax]] as const) {
      for (const axis of [0, 1, -2]) {
        const ax = (axis + 3) % 3;
        const perm = [0, 1, 2].filter((d) => d !== ax).concat(ax);
        const inv = perm.map((_, i) => perm.indexOf(i));
        const want = tf.tidy(() => tf.transpose(f(tf.transpose(tf.tensor(vals, shape), perm)), inv).dataSync().slice());
        const got = expectNoLeak(() => nr.tidy(() => nr.activation(nr.tensor(vals, shape), name, { axis }).data()));
        expectClose(got, want);
        const method = expectNoLeak(() => nr.tidy(() => nr.tensor(vals, shape)[name]({ axis }).data()));
        expectClose(method, want);
      }
    }
  });
});

describe('activations TF.js lacks (plain-JS references)', () => {
  const cases: Array<{ spec: ActivationSpec; f: (v: number) => number; straightThrough?: boolean }> = [
    { spec: 'stairStep', f: Math.floor },
    { spec: { name: 'stairStep', step: 0.5, straightThrough: true }, f: (v) => Math.floor(v / 0.5) * 0.5, straightThrough: true },
    { spec: 'unitStep', f: (v) => (v >= 0 ? 1 : 0) },
    { spec: { name: 'unitStep', threshold: 1.5 }, f: (v) => (v >= 1.5 ? 1 : 0) },
    { spec: 'heaviside', f: (v) => (v > 0 ? 1 : v < 0 ? 0 : 0.5) },
    { spec: { name: 'heaviside', atZero: 1, straightThrough: true }, f: (v) => (v >= 0 ? 1 : 0), straightThrough: true },
    { spec: 'sign', f: (v) => (v >= 0 ? 1 : -1) },
    { spec: { name: 'sign', straightThrough: true }, f: (v) => (v >= 0 ? 1 : -1), straightThrough: true },
  ];
  for (const c of cases) {
    it(label(c.spec), () => {
      for (let seed = 1; seed <= 4; seed++) {
        const { shape, x, dy } = sample(seed * 101);
        const [y, dx] = expectNoLeak(() =>
          nr.tidy(() => {
            const t = nr.tensor(x, shape);
            return [nr.activation(t, c.spec).data(), nr.activationGrad(t, nr.tensor(dy, shape), c.spec).data()];
          }),
        );
        expectClose(y, Array.from(x, c.f), 0, 0);
        // The true derivative is 0; the straight-through estimator passes dy unchanged.
        expectClose(dx, c.straightThrough ? dy : new Float32Array(x.length), 0, 0);
      }
    });
  }

  it('the convenience functions match activation()', () => {
    expectNoLeak(() => nr.tidy(() => {
      const t = nr.tensor([-1.25, -0.5, 0, 0.5, 1.75]);
      expect(Array.from(nr.stairStep(t, { step: 0.5 }).data())).toEqual([-1.5, -0.5, 0, 0.5, 1.5]);
      expect(Array.from(nr.unitStep(t, { threshold: 0.5 }).data())).toEqual([0, 0, 0, 1, 1]);
      expect(Array.from(nr.heaviside(t).data())).toEqual([0, 0, 0.5, 1, 1]);
      expect(Array.from(nr.linear(t, { slope: 2, intercept: 1 }).data())).toEqual([-1.5, 0, 1, 2, 4.5]);
      expect(Array.from(nr.silu(t).data())).toEqual(Array.from(nr.swish(t).data()));
      expect(Array.from(t.relu().data())).toEqual([0, 0, 0, 0.5, 1.75]);
      expect(Array.from(t.leakyRelu({ alpha: 0.1 }).data())).toEqual(Array.from(nr.leakyRelu(t, { alpha: 0.1 }).data()));
    }));
  });
});

describe('step (TF.js tf.step)', () => {
  it('matches tf.step for alpha 0 and others, NaN included, and has a zero gradient (NaN at NaN)', () => {
    const v = [-3, -1e-30, -0, 0, 1e-30, 0.5, 7, NaN, -Infinity, Infinity];
    for (const alpha of [undefined, 0, 0.5, -2, 1.25]) {
      const want = Array.from(tf.step(tf.tensor(v), alpha).dataSync());
      const [got, g] = expectNoLeak(() => nr.tidy(() => {
        const t = nr.tensor(v);
        return [Array.from(nr.step(t, alpha).data()), Array.from(nr.grad((x) => nr.step(x, alpha).sum())(t).data())];
      }));
      expect(got, `alpha ${alpha}`).toEqual(want);
      // Zero where x is a number (TF.js: zero everywhere; neurite's activations give NaN for NaN).
      expect(g.map(Math.abs), `alpha ${alpha}`).toEqual(v.map((e) => (Number.isNaN(e) ? NaN : 0)));
    }
    // The activation that 'step''s error points to has tf.step's values (0 at ±0); 'unitStep' differs at 0.
    const asActivation = (spec: ActivationSpec) => nr.tidy(() => Array.from(nr.activation(v, spec).dataSync()));
    expect(asActivation({ name: 'heaviside', atZero: 0 })).toEqual(Array.from(tf.step(tf.tensor(v)).dataSync()));
    expect(asActivation('unitStep').slice(2, 4)).toEqual([1, 1]);
    const t = nr.tensor([-1, 0, 2]);
    const s = expectNoLeak(() => { const r = t.step(0.25); const d = Array.from(r.data()); r.dispose(); return d; }); // no temporaries left
    expect(s).toEqual([0.25, 0.25, 1]);
    t.dispose();
  });

  it('rejects an alpha that is not a float32 number, naming it', () => {
    const t = nr.tensor([1]);
    expect(() => nr.step(t, '0.5' as never)).toThrow(new nr.InvalidArgumentError('step: alpha must be a number, got the string "0.5"'));
    expect(() => nr.step(t, 1e39)).toThrow(new nr.InvalidArgumentError('step: alpha = 1e+39 is outside the float32 range'));
    t.dispose();
    expect(() => nr.step(t)).toThrow(nr.DisposedError);
  });
});

describe('hand-checked values at extremes', () => {
  const run = (spec: ActivationSpec, v: number[]): Float32Array =>
    expectNoLeak(() => nr.tidy(() => nr.activation(nr.tensor(v), spec).data()));
  const grad = (spec: ActivationSpec, v: number[]): Float32Array =>
    expectNoLeak(() => nr.tidy(() => { const t = nr.tensor(v); return nr.activationGrad(t, nr.onesLike(t), spec).data(); }));

  it('sigmoid, tanh, softplus, softsign saturate without NaN', () => {
    const x = [-100, 100, -1e30, 1e30, 0, NaN];
    const s = run('sigmoid', x);
    expect(s[0]).toBeGreaterThan(0); // e^-100 is a subnormal float32, not 0
    expectClose(s.slice(1), [1, 0, 1, 0.5, NaN], 0, 0);
    expectClose(run('tanh', x), [-1, 1, -1, 1, 0, NaN], 0, 0);
    expectClose(run('softplus', x).slice(1), [100, 0, 1e30, Math.fround(Math.LN2), NaN], 1e-7, 0);
    expectClose(run('softsign', [...x, Infinity, -Infinity]), [-100 / 101, 100 / 101, -1, 1, 0, NaN, 1, -1], 1e-7, 0);
    expectClose(grad('sigmoid', x), [Math.fround(Math.exp(-100)), 0, 0, 0, 0.25, NaN], 0.1, 0);
    // mish: x·tanh(softplus(x)) is −0 where the tanh underflows (never −∞·0), and its slope
    // tends to 0 and 1 at the two ends.
    expectClose(run('mish', [...x, Infinity, -Infinity]), [-0, 100, -0, 1e30, 0, NaN, Infinity, -0], 1e-7, 1e-40);
    expectClose(grad('mish', [...x, Infinity, -Infinity]), [0, 1, 0, 1, 0.6, NaN, 1, 0], 1e-6, 1e-30);
  });

  it('relu family at the kink and at the extremes', () => {
    const x = [-1e30, -100, 0, 100, 1e30, NaN];
    const big = Math.fround(1e30);
    expectClose(run('relu', x), [0, 0, 0, 100, big, NaN], 0, 0);
    expectClose(grad('relu', x), [0, 0, 0, 1, 1, NaN], 0, 0);
    expectClose(grad('leakyRelu', x), [0.2, 0.2, 0.2, 1, 1, NaN], 1e-7, 0);
    expectClose(run('elu', x), [-1, -1, 0, 100, big, NaN], 0, 0);
    expectClose(run('selu', [-1e30, 0, 1]), [-1.7580993408473766, 0, 1.0507009873554805], 1e-6, 0);
  });

  it('softmax and logSoftmax stay finite for huge logits', () => {
    expectClose(run('softmax', [1000, 0, -1000]), [1, 0, 0], 0, 0);
    expectClose(run('softmax', [1e30, 1e30]), [0.5, 0.5], 0, 0);
    expectClose(run('logSoftmax', [0, -1000]), [0, -1000], 0, 0);
    expectClose(run('logSoftmax', [1e30, 0]), [0, -Math.fround(1e30)], 0, 0);
  });

  it('gelu is accurate in the far tail where TF.js cancels to 0', () => {
    // x·Φ(x) from mpmath: gelu(-10) = -7.619853024160526e-23, gelu(-5) = -1.4332578593959696e-6.
    expectClose(run('gelu', [-10, -5, 0, 100, -1e30]), [-7.619853024160526e-23, -1.4332578593959696e-6, 0, 100, 0], 2e-7, 0);
    expectClose(grad('gelu', [-10, 0, 1]), [-7.618400096464814e-22, 0.5, 1.0833154705876863], 2e-7, 0);
  });
});

describe('names of the classic literature', () => {
  it("'identity' is linear (and is saved as linear); the 'sign' activation is +1 at 0, the sign op 0", () => {
    const x = nr.tensor([-2, -0.5, 0, 0.5, 2]);
    expect(Array.from(nr.activation(x, 'identity').dataSync())).toEqual(Array.from(x.dataSync()));
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [1], units: 1, activation: 'identity' })] });
    expect((m.getLayer(0).getConfig() as Record<string, unknown>).activation).toBe('linear');
    expect(Array.from(nr.activation(x, 'sign').dataSync())).toEqual([-1, -1, 1, 1, 1]);
    expect(Array.from(nr.sign(x).dataSync())).toEqual([-1, -1, 0, 1, 1]);
    m.dispose();
    x.dispose();
  });
});

describe('errors', () => {
  const x = () => nr.tensor([[1, 2, 3], [4, 5, 6]]);
  const throws = (f: (t: nr.Tensor) => unknown, cls: typeof nr.NeuriteError, msg: string | RegExp): void => {
    expectNoLeak(() => nr.tidy(() => { const t = x(); expect(() => f(t)).toThrow(cls); expect(() => f(t)).toThrow(msg); }));
  };

  it('unknown names list the valid ones', () => {
    throws((t) => nr.activation(t, 'foo' as ActivationSpec), nr.InvalidArgumentError,
      "activation: unknown activation 'foo'; valid names: linear, stairStep, unitStep, heaviside, sign, relu, leakyRelu, softplus, sigmoid, tanh, softmax, logSoftmax, elu, selu, gelu, swish, hardSigmoid, softsign, relu6, mish, geluNew, hardSilu, cappedRelu, silu, gelu_new, hardSwish, identity, hard_silu, hard_swish, log_softmax, hard_sigmoid");
    // 'sin' (a CPPN's units) is an op, not a misspelt 'sign'.
    // prelu is a layer (its alpha is learned), not a misspelt relu (it said "did you mean 'relu'?").
    for (const name of ['prelu', 'PReLU']) {
      expect(() => nr.layers.dense({ units: 2, activation: name as never })).toThrow(new RegExp(`^dense: unknown activation '${name}' \\(PReLU learns its alpha, so it is a layer, as in TF\\.js and Keras: add layers\\.prelu\\(\\) after this layer\\); valid names: linear,`));
    }
    expect(() => nr.layers.dense({ units: 2, activation: 'sin' as never })).toThrow(/^dense: unknown activation 'sin' \(sin is an element-wise op, not a layer activation in TF\.js or Keras: apply it with the op, e\.g\. sin\(matMul\(x, w\)\) in a custom model or loop\); valid names: linear,/);
    expect(() => nr.layers.dense({ units: 2, activation: 'sgin' as never })).toThrow(/did you mean 'sign'\?/);
    // TF.js's tf.step is an op: the message names the activations with its values (said without a hint before).
    for (const name of ['step', 'Step']) {
      expect(() => nr.neuron({ weights: [1], activation: name as never })).toThrow(new RegExp(`^neuron: unknown activation '${name}' \\(step is TF\\.js's tf\\.step op \\(1 for x > 0, alpha, default 0, for x <= 0\\), not an activation: as an activation, \\{ name: 'heaviside', atZero: 0 \\} is tf\\.step\\(x\\) \\(0 at 0\\), and 'unitStep' is 1 from 0 up\\); valid names: linear,`));
    }
    // An object without a name (a String object, one with a toString) said "unknown activation undefined".
    expect(() => nr.layers.dense({ units: 2, activation: new String('relu') as never })).toThrow("dense: activation must be an activation name (a string) or an object { name, ...parameters }, got an object (String), which has no name");
    throws((t) => nr.activationGrad(t, t, 7 as unknown as ActivationSpec), nr.InvalidArgumentError,
      'activationGrad: activation must be an activation name or an object { name, ...parameters }, got 7');
    throws((t) => nr.activation(t, { name: 'leakyRelu', beta: 1 } as unknown as ActivationSpec), nr.InvalidArgumentError,
      "activation: leakyRelu has no parameter 'beta' (its parameters are: alpha)");
    throws((t) => nr.activation(t, { name: 'relu', alpha: 1 } as unknown as ActivationSpec), nr.InvalidArgumentError,
      "activation: relu has no parameter 'alpha' (it takes no parameters)");
  });

  it('bad parameter values name the activation, the parameter and the value', () => {
    throws((t) => nr.leakyRelu(t, { alpha: NaN }), nr.InvalidArgumentError, 'leakyRelu: alpha must be a finite number, got NaN');
    throws((t) => nr.stairStep(t, { step: 0 }), nr.InvalidArgumentError, 'stairStep: step must be a finite number > 0, got 0');
    throws((t) => nr.heaviside(t, { atZero: 2 }), nr.InvalidArgumentError, 'heaviside: atZero must be a finite number in [0, 1], got 2');
    throws((t) => nr.elu(t, { alpha: NaN }), nr.InvalidArgumentError, 'elu: alpha must be a finite number >= 0, got NaN');
    throws((t) => nr.leakyRelu(t, { alpha: 1e40 }), nr.InvalidArgumentError, 'leakyRelu: alpha = 1e+40 is outside the float32 range');
    throws((t) => nr.linear(t, { slope: '2' as unknown as number }), nr.InvalidArgumentError, 'linear: slope must be a number, got the string "2"');
    throws((t) => nr.activation(t, { name: 'sign', straightThrough: 1 as unknown as boolean }), nr.InvalidArgumentError,
      'activation: sign.straightThrough must be a boolean, got 1');
    throws((t) => nr.leakyRelu(t, { straightThrough: true } as never), nr.InvalidArgumentError, "leakyRelu: unknown option 'straightThrough' (known: alpha)");
  });

  it('axes, shapes and arguments', () => {
    throws((t) => nr.softmax(t, { axis: 2 }), nr.InvalidArgumentError, 'softmax: axis 2 is out of range for a tensor of rank 2 (shape [2,3])');
    throws((t) => nr.logSoftmax(t, { axis: 1.5 }), nr.InvalidArgumentError, 'logSoftmax: axis must be an integer, got 1.5');
    throws(() => nr.softmax(nr.scalar(1)), nr.InvalidArgumentError, 'softmax: x must have at least one dimension to normalise over, got a scalar (shape [])');
    throws((t) => nr.activationGrad(t, nr.zeros([3, 2]), 'relu'), nr.ShapeError, 'relu: dy has shape [3,2] but x has shape [2,3]; they must be equal');
    // A number is TF.js's TensorLike (relu(5) is a scalar 5); a string is not.
    throws(() => nr.relu('5' as never), nr.InvalidArgumentError, 'relu: x must be a Tensor, a number or an array of numbers, got the string "5"');
    throws((t) => nr.prelu(t, nr.tensor([0.1, 0.2])), nr.ShapeError,
      "prelu: alpha has shape [2] but x has shape [2,3]: alpha must broadcast to x's shape (a single value, one slope per unit of the last axis [3], or any shape whose axes are 1 or x's)");
    throws((t) => nr.preluGrad(t, 0.1, nr.zeros([6])), nr.ShapeError, 'preluGrad: dy has shape [6] but x has shape [2,3]; they must be equal');
  });
});
