// Optimizers against TF.js 4.22 `tf.train.*` (CPU backend): 20 steps on random parameters with
// random gradient sequences. AdamW, schedules and clipping (no TF.js counterpart) and Adadelta
// (TF.js's reduces to SGD) are checked against the Keras 3 formulas written out in float64 below.
import { describe, expect, it } from 'vitest';
import { expectClose, expectNoLeak } from './setup.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as nr from '../ts/index.js';
import { normals } from './rng.js';

await tf.setBackend('cpu');
const { optimizers, schedules } = nr;


const SHAPES = [[3, 4], [5]];
const STEPS = 20;
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Initial values and a gradient sequence for every variable. */
function problem(seed: number, gradScale = 1) {
  const gen = normals(seed);
  const init = SHAPES.map((s) => gen(size(s)));
  const grads = Array.from({ length: STEPS }, () => SHAPES.map((s) => gen(size(s), gradScale)));
  return { init, grads };
}

/** Runs TF.js's optimizer over the sequence and returns the final values. */
function runTf(make: () => tf.Optimizer, seed: number, before?: (opt: tf.Optimizer, k: number) => void): Float32Array[] {
  const { init, grads } = problem(seed);
  const opt = make();
  const vars = init.map((v, i) => tf.variable(tf.tensor(v, SHAPES[i]), true, `v${seed}_${i}_${Math.random()}`));
  for (const [k, step] of grads.entries()) {
    before?.(opt, k);
    tf.tidy(() => opt.applyGradients(Object.fromEntries(vars.map((v, i) => [v.name, tf.tensor(step[i], SHAPES[i])]))));
  }
  const out = vars.map((v) => Float32Array.from(v.dataSync()));
  opt.dispose();
  tf.dispose(vars);
  return out;
}

/** Runs a neurite optimizer over the same sequence (optionally with a transform of the init/grads). */
function runNr(opt: nr.Optimizer, seed: number, gradScale = 1, before?: (opt: nr.Optimizer, k: number) => void): Float32Array[] {
  const { init, grads } = problem(seed, gradScale);
  const vars = init.map((v, i) => nr.tensor(v, SHAPES[i]));
  for (const [k, step] of grads.entries()) {
    before?.(opt, k);
    nr.tidy(() => opt.applyGradients(vars.map((variable, i) => ({ variable, grad: nr.tensor(step[i], SHAPES[i]) }))));
  }
  const out = vars.map((v) => v.data());
  opt.dispose();
  vars.forEach((v) => v.dispose());
  return out;
}

function expectAllClose(a: Float32Array[], b: ArrayLike<number>[], rtol: number, atol: number): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expectClose(x, b[i], rtol, atol));
}

describe('20 steps vs tf.train', () => {
  // [name, TF.js, neurite, rtol]: SGD and momentum are bit-identical to TF.js; the adaptive
  // optimizers differ in the last bits (float32 on both sides, different operation order, β
  // powers in f64 here), which 20 steps grow to a few 1e-6.
  const cases: Array<[string, () => tf.Optimizer, () => nr.Optimizer, number?]> = [
    ['sgd', () => tf.train.sgd(0.05), () => optimizers.sgd({ learningRate: 0.05 }), 0],
    ['momentum', () => tf.train.momentum(0.05, 0.9), () => optimizers.sgd({ learningRate: 0.05, momentum: 0.9 }), 0],
    ['nesterov', () => tf.train.momentum(0.05, 0.9, true), () => optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true }), 0],
    ['adam', () => tf.train.adam(0.01, 0.9, 0.999), () => optimizers.adam({ learningRate: 0.01 })],
    ['adam β=(0.8, 0.99)', () => tf.train.adam(0.02, 0.8, 0.99), () => optimizers.adam({ learningRate: 0.02, beta1: 0.8, beta2: 0.99 })],
    ['rmsprop', () => tf.train.rmsprop(0.01), () => optimizers.rmsprop({ learningRate: 0.01 })],
    ['rmsprop momentum', () => tf.train.rmsprop(0.01, 0.8, 0.5), () => optimizers.rmsprop({ learningRate: 0.01, rho: 0.8, momentum: 0.5 })],
    // TF.js centres with √(s − ḡ² − ε), we with √(s − ḡ² + ε) (Keras): 2ε apart, which matters
    // where s − ḡ² is small (a small gradient early on), hence the looser tolerance.
    ['rmsprop centered', () => tf.train.rmsprop(0.01, 0.9, 0.3, undefined, true), () => optimizers.rmsprop({ learningRate: 0.01, momentum: 0.3, centered: true }), 1e-4],
    ['adagrad', () => tf.train.adagrad(0.1), () => optimizers.adagrad({ learningRate: 0.1 })],
    ['adagrad acc 0.5', () => tf.train.adagrad(0.1, 0.5), () => optimizers.adagrad({ learningRate: 0.1, initialAccumulatorValue: 0.5 })],
    ['adamax', () => tf.train.adamax(0.02), () => optimizers.adamax({ learningRate: 0.02 })],
    ['adamax β=(0.8, 0.95), decay 0.1', () => tf.train.adamax(0.05, 0.8, 0.95, undefined, 0.1), () => optimizers.adamax({ learningRate: 0.05, beta1: 0.8, beta2: 0.95, decay: 0.1 })],
  ];
  cases.forEach(([name, makeTf, makeNr, rtol = 1e-5], k) => {
    it(name, () => {
      const want = runTf(makeTf, 100 + k);
      const got = expectNoLeak(() => runNr(makeNr(), 100 + k));
      expectAllClose(got, want, rtol, rtol === 0 ? 0 : 1e-6);
    });
  });
});

describe('optimizer.learningRate = x in a custom loop: the new rate from the next step, the state kept (vs TF.js)', () => {
  // 20 steps, the rate changed before step 11. TF.js's adam, rmsprop, adagrad and adamax read
  // their learningRate field at each step, so assigning it works there; its sgd and momentum
  // keep the rate in a tensor that only setLearningRate replaces (assigning changes getConfig
  // alone). Both ways work on every neurite optimizer.
  const cases: Array<[string, () => tf.Optimizer, () => nr.Optimizer, number, number?]> = [
    ['adam', () => tf.train.adam(0.05), () => optimizers.adam(0.05), 0.005],
    ['rmsprop (momentum 0.5)', () => tf.train.rmsprop(0.01, 0.9, 0.5), () => optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5 }), 0.03],
    ['adagrad', () => tf.train.adagrad(0.1), () => optimizers.adagrad(0.1), 0.02],
    ['adamax', () => tf.train.adamax(0.02), () => optimizers.adamax(0.02), 0.1],
    ['momentum (setLearningRate)', () => tf.train.momentum(0.05, 0.9), () => optimizers.sgd({ learningRate: 0.05, momentum: 0.9 }), 0.01, 0],
  ];
  cases.forEach(([name, makeTf, makeNr, lr2, rtol = 1e-5], k) => {
    it(name, () => {
      const viaSet = name.includes('setLearningRate');
      const want = runTf(makeTf, 300 + k, (opt, step) => {
        if (step !== 10) return;
        if (viaSet) (opt as tf.SGDOptimizer).setLearningRate(lr2);
        else (opt as unknown as { learningRate: number }).learningRate = lr2;
      });
      let iterationsAtSwitch = -1;
      const got = expectNoLeak(() =>
        runNr(makeNr(), 300 + k, 1, (opt, step) => {
          if (step !== 10) return;
          iterationsAtSwitch = opt.iterations;
          if (viaSet) opt.setLearningRate(lr2);
          else opt.learningRate = lr2;
          // The step count (a schedule's, Adam's bias correction) goes on; the config says the new rate.
          expect([opt.iterations, opt.learningRate, opt.getConfig().learningRate, opt.currentLearningRate()]).toEqual([10, lr2, lr2, lr2]);
        }),
      );
      expect(iterationsAtSwitch).toBe(10);
      expectAllClose(got, want, rtol, rtol === 0 ? 0 : 1e-6);
      // The change mattered: without it the weights end elsewhere.
      const unchanged = runNr(makeNr(), 300 + k);
      expect(Math.max(...got[0].map((v, i) => Math.abs(v - unchanged[0][i])))).toBeGreaterThan(1e-3);
    });
  });

  it('adam through minimize on a regression: 20 steps, the rate cut at step 10, matches tf.train.adam (1e-5: the gradients differ in the last bits)', () => {
    const gen = normals(77);
    const [xv, yv, wv, bv] = [gen(5 * 3), gen(5 * 4), gen(3 * 4), gen(4)];
    const tx = tf.tensor(xv, [5, 3]), ty = tf.tensor(yv, [5, 4]);
    const tw = tf.variable(tf.tensor(wv, [3, 4])), tb = tf.variable(tf.tensor(bv, [4]));
    const tOpt = tf.train.adam(0.05);
    const start = nr.memory();
    const x = nr.tensor(xv, [5, 3]), y = nr.tensor(yv, [5, 4]);
    const [w0, b0] = [nr.tensor(wv, [3, 4]), nr.tensor(bv, [4])];
    const w = nr.variable(w0), b = nr.variable(b0);
    const opt = optimizers.adam(0.05);
    const losses: number[][] = [[], []];
    for (let step = 0; step < 20; step++) {
      if (step === 10) {
        (tOpt as unknown as { learningRate: number }).learningRate = 0.005;
        opt.learningRate = 0.005;
      }
      const tc = tOpt.minimize(() => tf.losses.meanSquaredError(ty, tf.add(tf.matMul(tx, tw), tb)) as tf.Scalar, true, [tw, tb])!;
      losses[0].push(tc.dataSync()[0]);
      tc.dispose();
      const c = opt.minimize(() => nr.losses.meanSquaredError(y, x.matMul(w).add(b)), true, [w, b])!;
      losses[1].push(c.dataSync()[0]);
      c.dispose();
    }
    // The gradients come from each library's own matMul and mean (last bits apart), which Adam
    // amplifies where √v̂ is small: 4.5e-6 apart at most after 20 steps with the cut, 6.8e-6
    // with the rate kept at 0.05 all along (so the cut adds nothing); the losses 5.5e-6
    // relative. The cases above, with given gradients, match to rtol 1e-5 and atol 1e-6.
    expectClose(w.dataSync(), tw.dataSync() as Float32Array, 1e-5, 1e-5);
    expectClose(b.dataSync(), tb.dataSync() as Float32Array, 1e-5, 1e-5);
    expectClose(losses[1], losses[0], 1e-5, 0);
    expect(opt.iterations).toBe(20);
    [x, y, w, b, w0, b0].forEach((t) => t.dispose());
    opt.dispose();
    expect(nr.memory().numTensors).toBe(start.numTensors);
    tf.dispose([tx, ty, tw, tb]);
    tOpt.dispose();
  });

  it('a bad rate names the assignment and changes nothing; a disposed optimizer says so', () => {
    const opt = optimizers.adam(0.01);
    for (const bad of [-1, NaN, Infinity, '0.1', null]) {
      expect(() => ((opt as { learningRate: unknown }).learningRate = bad)).toThrow(/^optimizer\.learningRate: learningRate must be a finite number >= 0 or a schedule, got /);
    }
    expect(opt.learningRate).toBe(0.01);
    opt.learningRate = 0; // as the factories (and TF.js, Keras, PyTorch) accept
    expect(opt.currentLearningRate()).toBe(0);
    const s = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 });
    opt.learningRate = s; // a schedule counts the optimizer's steps: the next is step 1
    expect(opt.currentLearningRate()).toBeCloseTo(0.1, 7);
    expect(opt.getConfig().learningRate).toEqual(s.getConfig());
    opt.dispose();
    expect(() => (opt.learningRate = 0.1)).toThrow('optimizer.learningRate: this adam optimizer was disposed');
  });

  it("compiled into a model, the rate is the model's: assigning says to set model.learningRate (which keeps the state), and works again once the model lets it go", async () => {
    using x = nr.tensor([[1, 2], [3, 4]]);
    using y = nr.tensor([[1], [0]]);
    const opt = optimizers.adam(0.01);
    const m = nr.sequential({ name: 'net', layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: opt, loss: 'meanSquaredError' });
    await m.fit(x, y, { epochs: 2, verbose: 0 });
    expect(() => (opt.learningRate = 0.001)).toThrow(
      "optimizer.learningRate: this adam optimizer is compiled into model net, whose trainer holds its rate: set model.learningRate = 0.001 (it keeps the optimizer's state and step count, and fit, applyGradients and minimize all use it), or use callbacks.reduceLROnPlateau or a schedule (schedules.*); assigning the optimizer's rate would not reach the model (got 0.001)",
    );
    expect(() => opt.setLearningRate(0.001)).toThrow(/^optimizer\.learningRate: this adam optimizer is compiled into model net/);
    m.learningRate = 0.001;
    // The rate in effect, as Keras's model.optimizer.learning_rate (the model's trainer holds it).
    expect([opt.iterations, opt.currentLearningRate(), opt.learningRate, opt.getConfig().learningRate]).toEqual([2, 0.001, 0.001, 0.001]);
    m.dispose();
    expect(opt.learningRate).toBe(0.01); // its own once the model lets it go
    opt.learningRate = 0.002; // its own again
    expect([opt.learningRate, opt.currentLearningRate()]).toEqual([0.002, 0.002]);
    opt.dispose();
  });
});

/** Keras 3 AdamW in float64: decay p by lr·wd, then the Adam step (TF.js ε placement). */
function adamwRef(seed: number, lr: number, wd: number, b1 = 0.9, b2 = 0.999, eps = 1e-7): number[][] {
  const { init, grads } = problem(seed);
  const p = init.map((v) => Array.from(v));
  const m = p.map((v) => v.map(() => 0));
  const v2 = p.map((v) => v.map(() => 0));
  grads.forEach((step, k) => {
    const t = k + 1;
    p.forEach((pv, i) =>
      pv.forEach((_, j) => {
        const g = step[i][j];
        pv[j] -= lr * wd * pv[j];
        m[i][j] = b1 * m[i][j] + (1 - b1) * g;
        v2[i][j] = b2 * v2[i][j] + (1 - b2) * g * g;
        pv[j] -= (lr * (m[i][j] / (1 - b1 ** t))) / (Math.sqrt(v2[i][j] / (1 - b2 ** t)) + eps);
      }),
    );
  });
  return p;
}

/** Keras 3 Adadelta in float64: a ← ρa + (1−ρ)g², Δ = √(d+ε)/√(a+ε)·g, d ← ρd + (1−ρ)Δ², p ← p − ηΔ. */
function adadeltaRef(seed: number, lr: number, rho: number, eps: number): number[][] {
  const { init, grads } = problem(seed);
  const p = init.map((v) => Array.from(v));
  const a = p.map((v) => v.map(() => 0));
  const d = p.map((v) => v.map(() => 0));
  for (const step of grads) {
    p.forEach((pv, i) =>
      pv.forEach((_, j) => {
        const g = step[i][j];
        a[i][j] = rho * a[i][j] + (1 - rho) * g * g;
        const delta = (Math.sqrt(d[i][j] + eps) / Math.sqrt(a[i][j] + eps)) * g;
        d[i][j] = rho * d[i][j] + (1 - rho) * delta * delta;
        pv[j] -= lr * delta;
      }),
    );
  }
  return p;
}

describe('adadelta', () => {
  it('20 steps match the Keras 3 formula (two settings)', () => {
    expectAllClose(expectNoLeak(() => runNr(optimizers.adadelta({ learningRate: 1, rho: 0.9 }), 8)), adadeltaRef(8, 1, 0.9, 1e-7), 1e-5, 1e-6);
    expectAllClose(expectNoLeak(() => runNr(optimizers.adadelta({ learningRate: 0.5, epsilon: 1e-3 }), 9)), adadeltaRef(9, 0.5, 0.95, 1e-3), 1e-5, 1e-6);
  });

  it("TF.js's tf.train.adadelta is plain SGD (why neurite follows Keras here): its trajectory is tf.train.sgd's, neurite's is not", () => {
    const tfAdadelta = runTf(() => tf.train.adadelta(0.05, 0.9), 12);
    const tfSgd = runTf(() => tf.train.sgd(0.05), 12);
    expectAllClose(tfAdadelta, tfSgd, 1e-6, 1e-7);
    const ours = runNr(optimizers.adadelta({ learningRate: 0.05, rho: 0.9 }), 12);
    const gap = Math.max(...ours.flatMap((w, i) => Array.from(w, (v, j) => Math.abs(v - tfSgd[i][j]))));
    expect(gap).toBeGreaterThan(0.1);
  });
});

describe('adamw', () => {
  it('20 steps match the Keras 3 decoupled-decay formula', () => {
    const got = expectNoLeak(() => runNr(optimizers.adamw({ learningRate: 0.01, weightDecay: 0.1 }), 7));
    expectAllClose(got, adamwRef(7, 0.01, 0.1), 1e-5, 1e-5);
  });
  it('with weightDecay 0 equals adam exactly', () => {
    const a = runNr(optimizers.adamw({ learningRate: 0.01, weightDecay: 0 }), 8);
    const b = runNr(optimizers.adam({ learningRate: 0.01 }), 8);
    expectAllClose(a, b, 0, 0);
  });
});

/**
 * Keras 3 `Adam(amsgrad=True)` in float64 (TF.js has no AMSGrad): Keras's moments, the running
 * maximum of the raw second moment, and TF.js's ε placement (`m̂/(√(v_max/(1−β₂ᵏ)) + ε)`, which
 * is PyTorch's AMSGrad). With `wd`, AdamW's decoupled decay first; gradient `k` (0-based) is
 * scaled by `shrink^k`.
 */
function amsgradRef(seed: number, lr: number, b1: number, b2: number, wd = 0, shrink = 1): number[][] {
  const { init, grads } = problem(seed);
  const eps = 1e-7;
  const p = init.map((v) => Array.from(v));
  const m = p.map((v) => v.map(() => 0));
  const v2 = p.map((v) => v.map(() => 0));
  const vmax = p.map((v) => v.map(() => 0));
  grads.forEach((step, k) => {
    const t = k + 1;
    p.forEach((pv, i) =>
      pv.forEach((_, j) => {
        const g = Math.fround(step[i][j] * shrink ** k);
        pv[j] -= lr * wd * pv[j];
        m[i][j] += (g - m[i][j]) * (1 - b1);
        v2[i][j] += (g * g - v2[i][j]) * (1 - b2);
        vmax[i][j] = Math.max(vmax[i][j], v2[i][j]);
        pv[j] -= (lr * (m[i][j] / (1 - b1 ** t))) / (Math.sqrt(vmax[i][j] / (1 - b2 ** t)) + eps);
      }),
    );
  });
  return p;
}

describe('adam({ amsgrad: true })', () => {
  // Gradients that shrink over the 20 steps make v fall below its maximum, where AMSGrad and
  // Adam part ways (checked below, so the reference comparison cannot pass by being Adam).
  function runShrinking(opt: nr.Optimizer, seed: number): Float32Array[] {
    const { init, grads } = problem(seed);
    const vars = init.map((v, i) => nr.tensor(v, SHAPES[i]));
    grads.forEach((step, k) => {
      nr.tidy(() => opt.applyGradients(vars.map((variable, i) => ({ variable, grad: nr.tensor(step[i].map((g) => g * 0.8 ** k), SHAPES[i]) }))));
    });
    const out = vars.map((v) => v.data());
    opt.dispose();
    vars.forEach((v) => v.dispose());
    return out;
  }
  it('20 steps match the Keras 3 / PyTorch AMSGrad formula (random gradients)', () => {
    const got = expectNoLeak(() => runNr(optimizers.adam({ learningRate: 0.01, amsgrad: true }), 31));
    expectAllClose(got, amsgradRef(31, 0.01, 0.9, 0.999), 1e-5, 1e-5);
    const got2 = runNr(optimizers.adam({ learningRate: 0.02, beta1: 0.8, beta2: 0.5, amsgrad: true }), 32);
    expectAllClose(got2, amsgradRef(32, 0.02, 0.8, 0.5), 1e-5, 1e-5);
  });

  it('20 steps on shrinking gradients: matches the reference and differs from plain Adam', () => {
    const got = expectNoLeak(() => runShrinking(optimizers.adam({ learningRate: 0.05, beta2: 0.9, amsgrad: true }), 33));
    expectAllClose(got, amsgradRef(33, 0.05, 0.9, 0.9, 0, 0.8), 1e-5, 1e-5);
    const plain = runShrinking(optimizers.adam({ learningRate: 0.05, beta2: 0.9 }), 33);
    const gap = Math.max(...got.flatMap((g, i) => Array.from(g, (v, j) => Math.abs(v - plain[i][j]))));
    expect(gap).toBeGreaterThan(1e-2);
  });

  it('adamw takes amsgrad too', () => {
    const got = runNr(optimizers.adamw({ learningRate: 0.01, weightDecay: 0.1, amsgrad: true }), 34);
    expectAllClose(got, amsgradRef(34, 0.01, 0.9, 0.999, 0.1), 1e-5, 1e-5);
  });

  it('trains a model through compile/fit (the spec crosses the ABI with the extra state slot)', async () => {
    using m = nr.sequential({ seed: 2, layers: [nr.layers.dense({ inputShape: [3], units: 2 })] });
    m.compile({ optimizer: optimizers.adam({ learningRate: 0.05, amsgrad: true }), loss: 'meanSquaredError' });
    using x = nr.tensor([[1, 2, 3], [0, -1, 2], [1, 1, 1], [-2, 0, 1]]);
    using y = nr.tensor([[1, 0], [0, 1], [1, 1], [0, 0]]);
    const h = await m.fit(x, y, { epochs: 30, batchSize: 4, verbose: 0 });
    expect(h.history.loss[29]).toBeLessThan(h.history.loss[0] / 2);
  });
});

describe('schedules', () => {
  it('give the documented rates at known steps', () => {
    const e = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    expectClose([e.at(1), e.at(6), e.at(21)], [0.1, 0.1 * Math.SQRT1_2, 0.025]);
    const s = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
    expectClose([s.at(10), s.at(11), s.at(25)], [0.1, 0.05, 0.025]);
    const st = schedules.stepDecay({ initialLearningRate: 1, drop: 0.1, every: 3 });
    expectClose([st.at(3), st.at(4), st.at(7)], [1, 0.1, 0.01]);
    const c = schedules.cosineDecay({ initialLearningRate: 0.2, decaySteps: 100, alpha: 0.1 });
    expectClose([c.at(1), c.at(51), c.at(101), c.at(5000)], [0.2, 0.2 * (0.9 * 0.5 + 0.1), 0.02, 0.02]);
    const w = schedules.stepDecay({ initialLearningRate: 1, drop: 0.5, every: 2, warmupSteps: 4 });
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((k) => w.at(k))).toEqual([0.25, 0.5, 0.75, 1, 1, 1, 0.5, 0.5]);
    expect(schedules.constant({ learningRate: 0.3, warmupSteps: 3 }).at(2)).toBeCloseTo(0.2, 7);
    expect(w.getConfig()).toEqual({ name: 'stepDecay', initialLearningRate: 1, drop: 0.5, every: 2, warmupSteps: 4 });
  });

  it('drive the optimizer: sgd with exponential decay and warm-up, step by step', () => {
    const lr = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 3, decayRate: 0.7, warmupSteps: 2 });
    const opt = optimizers.sgd({ learningRate: lr });
    const x = nr.tensor([1, -1]);
    const g = nr.tensor([0.5, 2]);
    const want = [1, -1];
    for (let k = 1; k <= 8; k++) {
      const rate = k <= 2 ? (0.1 * k) / 2 : 0.1 * 0.7 ** ((k - 3) / 3);
      expect(opt.currentLearningRate()).toBeCloseTo(rate, 7);
      opt.applyGradients([{ variable: x, grad: g }]);
      want[0] -= rate * 0.5;
      want[1] -= rate * 2;
      expectClose(x.data(), want, 1e-6, 1e-7);
    }
    expect(opt.iterations).toBe(8);
    expect(opt.getConfig().learningRate).toEqual({ name: 'exponentialDecay', initialLearningRate: 0.1, decaySteps: 3, decayRate: 0.7, staircase: false, warmupSteps: 2 });
    opt.dispose();
    x.dispose();
    g.dispose();
  });

  it('reject bad options with the option named', () => {
    expect(() => schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 })).toThrow('exponentialDecay: decaySteps must be an integer in [1, 2^24), got 0');
    expect(() => schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, alpha: 2 })).toThrow('cosineDecay: alpha must be in [0, 1], got 2');
    expect(() => schedules.stepDecay({ initialLearningRate: 0.1, drop: 0.5 } as never)).toThrow("schedules.stepDecay: option 'every' is required");
    expect(() => schedules.constant({ learningRate: 0.1, warmup: 3 } as never)).toThrow("schedules.constant: unknown option 'warmup' — did you mean 'warmupSteps'? (known: learningRate, warmupSteps)");
    expect(() => schedules.constant({ learningRate: 0.1 }).at(0)).toThrow('schedules.constant: step must be an integer in [1, 2^32), got 0');
  });
});

describe('clipping', () => {
  const run = (opts: nr.optimizers.SgdOptions, grads: number[][]) =>
    nr.tidy(() => {
      const vars = [nr.tensor([0, 0]), nr.tensor([0])];
      const gs = grads.map((g) => nr.tensor(g));
      optimizers.sgd({ learningRate: 1, ...opts }).applyGradients(vars.map((variable, i) => ({ variable, grad: gs[i] })));
      expect(Array.from(gs[0].data())).toEqual(grads[0]); // the caller's gradients are untouched
      return vars.map((v) => Array.from(v.data()).map((x) => -x)); // with lr 1 and SGD: the applied gradient
    });

  it('clipValue clips each value', () => {
    expect(run({ clipValue: 0.5 }, [[3, -0.25], [-4]])).toEqual([[0.5, -0.25], [-0.5]]);
  });
  it('clipNorm rescales each gradient to its own norm (Keras clipnorm)', () => {
    const [a, b] = run({ clipNorm: 1 }, [[3, 4], [-0.5]]);
    expectClose(a, [0.6, 0.8]);
    expectClose(b, [-0.5]);
  });
  it('globalClipNorm rescales all gradients together', () => {
    // Global norm of [3, 4] and [12] is 13.
    const [a, b] = run({ globalClipNorm: 6.5 }, [[3, 4], [12]]);
    expectClose(a, [1.5, 2]);
    expectClose(b, [6]);
    const [c] = run({ globalClipNorm: 100 }, [[3, 4], [12]]);
    expectClose(c, [3, 4]);
  });
  it('a norm beyond float32 (finite gradients near 1e38, the explosion clipping is for) is still clipped', () => {
    // ‖[2.55e38, 2.55e38]‖ = 3.6e38 > 3.4e38: in float32 the norm was Infinity and the
    // gradients passed unclipped (a tester's sgd step of -2.5e37 from 2.5e38; Adam's v became
    // Infinity for good). The values are float32's (3·2^126, 1.75·2^127).
    for (const opts of [{ clipNorm: 1 }, { globalClipNorm: 1 }]) {
      const [a, b] = run(opts, [[3 * 2 ** 126, 3 * 2 ** 126], [0]]);
      expectClose(a, [Math.SQRT1_2, Math.SQRT1_2]);
      expect(b).toEqual([-0]);
    }
    const [a, b] = run({ globalClipNorm: 2 }, [[1.75 * 2 ** 127, 0], [-1.75 * 2 ** 127]]);
    expectClose(a, [Math.SQRT2, 0]);
    expectClose(b, [-Math.SQRT2]);
    // Adam after such a step keeps moving (its moments stay finite).
    const w = nr.variable(nr.tensor([1, 2]));
    const opt = optimizers.adam({ learningRate: 0.1, globalClipNorm: 1 });
    nr.tidy(() => opt.applyGradients([{ variable: w, grad: nr.tensor([2.5e38, 2.5e38]) }]));
    for (let i = 0; i < 20; i++) opt.minimize(() => w.square().sum(), false, [w]);
    expect(Array.from(w.data()).every((v) => Math.abs(v) < 1)).toBe(true);
    opt.dispose();
    w.dispose();
  });
  it('allows one mode at a time', () => {
    expect(() => optimizers.adam({ clipNorm: 1, clipValue: 1 })).toThrow('optimizers.adam: only one of clipValue, clipNorm and globalClipNorm can be set, got clipValue and clipNorm');
    expect(() => optimizers.adam({ clipNorm: 0 })).toThrow(new nr.InvalidArgumentError('optimizers.adam: clipNorm must be a finite number > 0, got 0'));
  });
});

describe('optimizer API', () => {
  it('getConfig and abi carry every option', () => {
    const opt = optimizers.rmsprop({ learningRate: 0.02, centered: true, globalClipNorm: 2 });
    expect(opt).toBeInstanceOf(nr.Optimizer);
    expect(opt).toBeInstanceOf(optimizers.RmsPropOptimizer);
    expect(opt.getConfig()).toEqual({ name: 'rmsprop', learningRate: 0.02, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: true, weightDecay: 0, globalClipNorm: 2 });
    const abi = opt.abi();
    expect(abi.kind).toBe(3);
    expectClose(abi.params, [0.9, 0, 1e-7, 1, 0]);
    expect(abi.clip).toEqual({ mode: 3, value: 2 });
    expect(abi.schedule.kind).toBe(0);
    expect(optimizers.sgd().getConfig()).toEqual({ name: 'sgd', learningRate: 0.01, momentum: 0, nesterov: false, weightDecay: 0 });
    expect(optimizers.adamw().getConfig()).toEqual({ name: 'adamw', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004, amsgrad: false });
    expect(optimizers.adam({ amsgrad: true }).getConfig()).toEqual({ name: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: true, weightDecay: 0 });
    expect(optimizers.adagrad().getConfig()).toEqual({ name: 'adagrad', learningRate: 0.01, initialAccumulatorValue: 0.1, epsilon: 1e-7, weightDecay: 0 });
    expect(optimizers.adamax().getConfig()).toEqual({ name: 'adamax', learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, decay: 0, weightDecay: 0 });
    expect(optimizers.adadelta().getConfig()).toEqual({ name: 'adadelta', learningRate: 0.001, rho: 0.95, epsilon: 1e-7, weightDecay: 0 });
    // TF.js's defaults, as its getConfig reports them.
    const tfConfig = (o: tf.Optimizer) => o.getConfig();
    expect(tfConfig(tf.train.adamax())).toMatchObject({ learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, decay: 0 });
    expect(tfConfig(tf.train.adadelta())).toMatchObject({ learningRate: 0.001, rho: 0.95, epsilon: 1e-7 });
  });

  it('keeps state out of tidy scopes and frees it on dispose', () => {
    const before = nr.memory().numTensors;
    const x = nr.tensor([1, 2, 3]);
    const opt = optimizers.adam({ learningRate: 0.1 });
    nr.tidy(() => opt.applyGradients([{ variable: x, grad: nr.tensor([1, 1, 1]) }]));
    expect(nr.memory().numTensors).toBe(before + 2); // x and one state tensor (m and v)
    nr.tidy(() => opt.applyGradients([{ variable: x, grad: nr.tensor([1, 1, 1]) }]));
    expect(nr.memory().numTensors).toBe(before + 2);
    opt.dispose();
    opt.dispose();
    expect(nr.memory().numTensors).toBe(before + 1);
    expect(() => opt.applyGradients([])).toThrow(nr.DisposedError);
    x.dispose();
  });

  it('handles more variables than fit in the scratch area', () => {
    expectNoLeak(() => {
      const vars = Array.from({ length: 400 }, (_, i) => nr.tensor([i]));
      const grads = vars.map(() => nr.tensor([1]));
      const opt = optimizers.sgd({ learningRate: 0.5, momentum: 0.5 });
      opt.applyGradients(vars.map((variable, i) => ({ variable, grad: grads[i] })));
      expect(vars[399].item()).toBe(398.5);
      opt.dispose();
      [...vars, ...grads].forEach((t) => t.dispose());
    });
  });

  it("takes TF.js's forms: variableGrads' { [name]: grad } map and [{ name, tensor }] (they were rejected)", () => {
    expectNoLeak(() => {
      const [w, b] = nr.tidy(() => [nr.variable(nr.tensor([1, -2]), true, 'w'), nr.variable(nr.tensor([0.5]), true, 'b')]);
      const loss = () => nr.add(w.square().sum(), b.mul(3).sum());
      const byPairs = optimizers.adam({ learningRate: 0.1 });
      const byMap = optimizers.adam({ learningRate: 0.1 });
      const byList = optimizers.adam({ learningRate: 0.1 });
      const start = [Array.from(w.data()), Array.from(b.data())];
      const run = (apply: (grads: Record<string, nr.Tensor>) => void): number[][] => {
        nr.tidy(() => {
          w.assign(nr.tensor(start[0]));
          b.assign(nr.tensor(start[1]));
        });
        for (let k = 0; k < 3; k++) {
          const { value, grads } = nr.variableGrads(loss);
          apply(grads);
          nr.dispose([value, grads]);
        }
        return [Array.from(w.data()), Array.from(b.data())];
      };
      const want = run((g) => byPairs.applyGradients([{ variable: w, grad: g.w }, { variable: b, grad: g.b }]));
      expect(run((g) => byMap.applyGradients(g))).toEqual(want); // TF.js: optimizer.applyGradients(grads)
      expect(run((g) => byList.applyGradients([{ name: 'w', tensor: g.w }, { name: 'b', tensor: g.b }]))).toEqual(want);
      expect(byMap.iterations).toBe(3);
      const g = nr.tensor([1]);
      expect(() => byMap.applyGradients({ nope: g })).toThrow(new nr.InvalidArgumentError("applyGradients: no live variable or trainable model weight is named 'nope' (the key of a gradient)"));
      expect(() => byMap.applyGradients([{ name: 'nope', tensor: g }])).toThrow(new nr.InvalidArgumentError("applyGradients: no live variable or trainable model weight is named 'nope' (grads[0].name)"));
      expect(() => byMap.applyGradients({ b: 'x' } as never)).toThrow(new nr.InvalidArgumentError("applyGradients: the gradient of 'b' must be a Tensor, got the string \"x\""));
      [w, b, g].forEach((t) => t.dispose());
      [byPairs, byMap, byList].forEach((o) => o.dispose());
    });
  });

  it('rejects bad calls without changing anything', () => {
    nr.tidy(() => {
      const x = nr.tensor([1, 2]);
      const y = nr.tensor([[3]]);
      const opt = optimizers.sgd({ learningRate: 1 });
      expect(() => opt.applyGradients([{ variable: x, grad: nr.tensor([1, 1]) }, { variable: y, grad: nr.tensor([1]) }])).toThrow(
        'applyGradients: gradient 1 has shape [1] but its variable has shape [1,1]',
      );
      expect(() => opt.applyGradients([{ variable: x, grad: nr.tensor([1, 1]) }, { variable: y, grad: nr.tensor([[NaN]]) }])).toThrow(
        'applyGradients: gradient 1 (shape [1,1]) holds NaN at index 0; gradients must be finite',
      );
      expect(() => opt.applyGradients([{ variable: x, grad: nr.tensor([1, 1]) }, { variable: y, grad: nr.tensor([[Infinity]]) }])).toThrow(nr.NonFiniteError);
      expect(Array.from(x.data())).toEqual([1, 2]);
      expect(opt.iterations).toBe(0);
      expect(() => opt.applyGradients([{ variable: x, grad: x }, { variable: x, grad: x }])).toThrow('applyGradients: pairs[1].variable appears twice');
      expect(() => opt.applyGradients([{ variable: x }] as never)).toThrow('applyGradients: pairs[0] must be { variable: Tensor | LayerVariable, grad: Tensor }, got an object (Object)');
    });
  });

  it('rejects bad options with the option named', () => {
    expect(() => optimizers.adam({ beta1: 1 })).toThrow(new nr.InvalidArgumentError('optimizers.adam: beta1 must be in [0, 1), got 1'));
    expect(() => optimizers.sgd({ momentum: -0.1 })).toThrow(new nr.InvalidArgumentError('optimizers.sgd: momentum must be in [0, 1], got -0.1'));
    expect(() => optimizers.sgd({ learningRate: -1 })).toThrow('optimizers.sgd: learningRate must be a finite number >= 0 or a schedule, got -1');
    expect(() => optimizers.adam({ lr: 0.1 } as never)).toThrow("optimizers.adam: unknown option 'lr' — did you mean 'learningRate'? (known: learningRate, beta1, beta2, epsilon, amsgrad, weightDecay, clipValue, clipNorm, globalClipNorm, excludeFromWeightDecay)");
    expect(() => optimizers.adam({ amsgrad: 1 } as never)).toThrow('optimizers.adam: amsgrad must be a boolean, got 1');
    expect(() => optimizers.rmsprop({ centered: 'yes' } as never)).toThrow('optimizers.rmsprop: centered must be a boolean, got the string "yes"');
    expect(() => optimizers.adamw({ weightDecay: -1 })).toThrow(new nr.InvalidArgumentError('optimizers.adamw: weightDecay must be a finite number >= 0, got -1'));
    expect(() => optimizers.adagrad({ initialAccumulatorValue: 0, epsilon: 0 })).toThrow(new nr.InvalidArgumentError('optimizers.adagrad: initialAccumulatorValue and epsilon cannot both be 0 (the first update would divide by zero)'));
    expect(() => optimizers.adamax({ epsilon: 0 })).toThrow(new nr.InvalidArgumentError('optimizers.adamax: epsilon must be > 0 (m / (u + ε) would be 0 / 0 at a zero gradient), got 0'));
    // TF.js and Keras take it and write NaN into a weight whose gradient is 0 (the next fit
    // blamed the gradient): refused as adamax's is, in every form.
    for (const make of [() => optimizers.adam({ epsilon: 0 }), () => optimizers.adam(0.1, 0.9, 0.999, 0), () => optimizers.adam({ epsilon: 0, amsgrad: true }), () => optimizers.adamw({ epsilon: 0 })]) {
      expect(make).toThrow(/^optimizers\.(adam|adamw): epsilon must be > 0 \(m̂ \/ \(√v̂ \+ ε\) would be 0 \/ 0 at a zero gradient\), got 0$/);
    }
    expect(() => optimizers.adamax({ decay: -0.5 })).toThrow(new nr.InvalidArgumentError('optimizers.adamax: decay must be a finite number >= 0, got -0.5'));
    expect(() => optimizers.adadelta({ rho: 1 })).toThrow(new nr.InvalidArgumentError('optimizers.adadelta: rho must be in [0, 1), got 1'));
    expect(() => optimizers.adadelta({ epsilon: 0 })).toThrow(new nr.InvalidArgumentError('optimizers.adadelta: epsilon must be > 0 (√(d + ε) / √(a + ε) would be 0 / 0 at a zero gradient), got 0'));
    // Every argument error names the factory called, the clipping options (checked by the core) and momentum's too.
    for (const f of ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'adamax', 'adadelta'] as const) {
      expect(() => (optimizers[f] as (o: object) => unknown)({ clipValue: -1 })).toThrow(new nr.InvalidArgumentError(`optimizers.${f}: clipValue must be a finite number > 0, got -1`));
      expect(() => (optimizers[f] as (o: object) => unknown)({ globalClipNorm: 0 })).toThrow(new nr.InvalidArgumentError(`optimizers.${f}: globalClipNorm must be a finite number > 0, got 0`));
    }
    expect(() => optimizers.rmsprop(0.1, 2)).toThrow(new nr.InvalidArgumentError('optimizers.rmsprop: rho must be in [0, 1), got 2'));
    expect(() => optimizers.momentum(0.1, 2)).toThrow(new nr.InvalidArgumentError('optimizers.momentum: momentum must be in [0, 1], got 2'));
    expect(() => optimizers.momentum(-0.1, 0.9)).toThrow(new nr.InvalidArgumentError('optimizers.momentum: learningRate must be a finite number >= 0 or a schedule, got -0.1'));
    expect(() => optimizers.momentum(0.1, 0.9, 1 as never)).toThrow(new nr.InvalidArgumentError('optimizers.momentum: useNesterov must be a boolean, got 1'));
    expect(() => nr.train.adam(0.1, 1)).toThrow(new nr.InvalidArgumentError('optimizers.adam: beta1 must be in [0, 1), got 1')); // train.* are the same factories
    expect(() => optimizers.adadelta({ beta1: 0.9 } as never)).toThrow("optimizers.adadelta: unknown option 'beta1' (known: learningRate, rho, epsilon, weightDecay, clipValue, clipNorm, globalClipNorm, excludeFromWeightDecay)");
  });
});

describe("currentLearningRate with Adamax's decay, and train.momentum's required momentum", () => {
  it('adamax({ decay }) reports η / (1 + decay·(k − 1)) for the next step k, the rate its steps take (it reported η), plain and compiled', async () => {
    const opt = nr.optimizers.adamax({ learningRate: 0.1, decay: 1 });
    const v = nr.variable(nr.tensor([1]));
    const seen: number[] = [];
    for (let k = 1; k <= 4; k++) {
      seen.push(opt.currentLearningRate());
      // One step of gradient 1 on a fresh Adamax moves by the rate (m̂ = u = 1).
      nr.tidy(() => opt.minimize(() => nr.sum(v), false, [v]));
    }
    expect(seen).toEqual([0.1, 0.05, 0.033333335, 0.025]);
    nr.dispose([v, opt]);
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [1], units: 1 })] });
    m.compile({ optimizer: nr.optimizers.adamax({ learningRate: 0.1, decay: 1 }), loss: 'mse' });
    await m.fit(nr.ones([2, 1]), nr.ones([2, 1]), { epochs: 3, batchSize: 2, verbose: 0 });
    expect(m.optimizer!.currentLearningRate()).toBe(0.025);
    nr.dispose(m);
  });

  it('train.momentum(lr) without its momentum is an error (it was plain SGD calling itself Momentum)', () => {
    expect(() => (nr.train.momentum as (lr: number) => unknown)(0.1)).toThrow(/^optimizers\.momentum: momentum is required \(TF\.js's train\.momentum\(learningRate, momentum\)\), got undefined; e\.g\. momentum\(0\.1, 0\.9\)$/);
    expect(nr.train.momentum(0.1, 0.9).getClassName()).toBe('Momentum');
  });
});
