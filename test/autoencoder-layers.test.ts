// Autoencoder building blocks (issue 9, "The four kinds"): saltAndPepper, klSparsity,
// variational, the sumOverFeatures loss reduction and the kl/regularization parts of fit and
// evaluate. References: TF.js 4.22 (tfjs-core, CPU backend) where it has the op — the losses
// with Reduction.NONE then summed with tf ops, and a VAE loss written by hand with tf ops and
// differentiated with tf.grads — else plain-JS formulas. Finite-difference checks of every
// gradient are in crates/core/tests/layers_gradcheck.rs.
import { describe, expect, it, vi } from 'vitest';
import { expectClose, expectNoLeak } from './setup.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';

await tf.setBackend('cpu');
const { layers, regularizers, losses, optimizers } = nr;

function throws(f: () => unknown, msg: string | RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(nr.InvalidArgumentError);
  const m = (err as Error).message;
  if (typeof msg === 'string') expect(m).toBe(msg);
  else expect(m).toMatch(msg);
}

const rand = mulberry32(9);
const data = (n: number, lo = 0, hi = 1) => Array.from({ length: n }, () => lo + (hi - lo) * rand());

describe('loss reduction sumOverFeatures', () => {
  const R = 5, C = 6;
  const p = data(R * C, 0.02, 0.98), y = data(R * C), real = data(R * C, -2, 2), tgt = data(R * C, -2, 2);

  it('matches TF.js Reduction.NONE summed over the last axis, averaged over rows (value and gradient)', () => {
    const cases: Array<[string, number[], number[], (yt: tf.Tensor, yp: tf.Tensor) => tf.Tensor]> = [
      ['meanSquaredError', tgt, real, (yt, yp) => tf.losses.meanSquaredError(yt, yp, undefined, tf.Reduction.NONE)],
      ['meanAbsoluteError', tgt, real, (yt, yp) => tf.losses.absoluteDifference(yt, yp, undefined, tf.Reduction.NONE)],
      ['huber', tgt, real, (yt, yp) => tf.losses.huberLoss(yt, yp, undefined, 1, tf.Reduction.NONE)],
      // Keras's clipped BCE, written with tf ops (TF.js's logLoss adds ε instead of clipping).
      ['binaryCrossentropy', y, p, (yt, yp) => { const c = tf.clipByValue(yp, 1e-7, 1 - 1e-7); return tf.neg(tf.add(tf.mul(yt, tf.log(c)), tf.mul(tf.sub(1, yt), tf.log(tf.sub(1, c))))); }],
    ];
    for (const [name, yt, yp, ref] of cases) {
      const f = (pp: tf.Tensor) => tf.mean(tf.sum(ref(tf.tensor(yt, [R, C]), pp), -1));
      const want = f(tf.tensor(yp, [R, C])).dataSync();
      const wantGrad = tf.grad(f)(tf.tensor(yp, [R, C])).dataSync();
      expectNoLeak(() => nr.tidy(() => {
        const [a, b] = [nr.tensor(yt, [R, C]), nr.tensor(yp, [R, C])];
        const fn = (losses as unknown as Record<string, (a: nr.Tensor, b: nr.Tensor, o: object) => nr.Tensor>)[name];
        expectClose(fn(a, b, { reduction: 'sumOverFeatures' }).dataSync(), want, 1e-5, 1e-5);
        expectClose(losses.lossGradient({ name: name as nr.losses.LossName, reduction: 'sumOverFeatures' }, a, b).dataSync(), wantGrad, 1e-4, 1e-6);
        // C times the mean reduction.
        expectClose(fn(a, b, { reduction: 'sumOverFeatures' }).dataSync(), [fn(a, b, {}).dataSync()[0] * C], 1e-5);
      }));
    }
  });

  it('equals the mean for categorical cross-entropy (already a sum over classes), and under grad', () => {
    nr.tidy(() => {
      const t = nr.tensor(y, [R, C]).div(nr.sum(nr.tensor(y, [R, C]), 1, true));
      const q = nr.softmax(nr.tensor(real, [R, C]));
      expectClose(losses.categoricalCrossentropy(t, q, { reduction: 'sumOverFeatures' }).dataSync(), losses.categoricalCrossentropy(t, q).dataSync());
      const g = nr.grad((x: nr.Tensor) => losses.meanSquaredError(nr.tensor(tgt, [R, C]), x, { reduction: 'sumOverFeatures' }))(nr.tensor(real, [R, C]));
      expectClose(g.dataSync(), real.map((v, i) => (2 * (v - tgt[i])) / R), 1e-5, 1e-6);
    });
  });

  it('sums over every axis of a sample (images [batch, h, w, c]): tensor losses, their gradients and fit, as TF.js summing over axes 1–3', () => {
    // 2 images of 3×2 with 2 channels: the per-sample value is the sum over h, w and c.
    const [B, H, W, Ch] = [2, 3, 2, 2];
    const n = B * H * W * Ch;
    const [yp, yt] = [data(n, 0.05, 0.95), data(n)];
    const bce = (a: tf.Tensor, b: tf.Tensor) => { const c = tf.clipByValue(b, 1e-7, 1 - 1e-7); return tf.neg(tf.add(tf.mul(a, tf.log(c)), tf.mul(tf.sub(1, a), tf.log(tf.sub(1, c))))); };
    const refs: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
      ['binaryCrossentropy', bce],
      ['meanSquaredError', (a, b) => tf.squaredDifference(a, b)],
      // Categorical: its per-pixel value sums the channels (the classes), then over h and w.
      ['categoricalCrossentropy', (a, b) => tf.mul(tf.neg(a), tf.log(tf.clipByValue(tf.div(b, tf.sum(b, -1, true)), 1e-7, 1 - 1e-7)))],
    ];
    for (const [name, ref] of refs) {
      const f = (pp: tf.Tensor) => tf.mean(tf.sum(ref(tf.tensor(yt, [B, H, W, Ch]), pp), [1, 2, 3]));
      const want = f(tf.tensor(yp, [B, H, W, Ch])).dataSync();
      const wantGrad = tf.grad(f)(tf.tensor(yp, [B, H, W, Ch])).dataSync();
      expectNoLeak(() => nr.tidy(() => {
        const [a, b] = [nr.tensor(yt, [B, H, W, Ch]), nr.tensor(yp, [B, H, W, Ch])];
        const fn = (losses as unknown as Record<string, (a: nr.Tensor, b: nr.Tensor, o: object) => nr.Tensor>)[name];
        expectClose(fn(a, b, { reduction: 'sumOverFeatures' }).dataSync(), want, 1e-5, 1e-5);
        expectClose(losses.lossGradient({ name: name as nr.losses.LossName, reduction: 'sumOverFeatures' }, a, b).dataSync(), wantGrad, 1e-4, 1e-6);
        expectClose(nr.grad((q: nr.Tensor) => fn(a, q, { reduction: 'sumOverFeatures' }))(b).dataSync(), wantGrad, 1e-4, 1e-6);
      }));
    }
    // fit on an image output: the loss it reports and one SGD step are the tape's (the same
    // reduction) and the reported loss is TF.js's sum over h, w, c averaged over the batch.
    const make = () => nr.sequential({ seed: 4, layers: [layers.conv2d({ inputShape: [H, W, 1], filters: Ch, kernelSize: 2, padding: 'same', activation: 'sigmoid' })] });
    const [m, twin] = [make(), make()];
    const x = nr.tensor(data(B * H * W), [B, H, W, 1]);
    const y = nr.tensor(yt, [B, H, W, Ch]);
    const loss = { name: 'binaryCrossentropy', reduction: 'sumOverFeatures' } as const;
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.05 }), loss });
    const pred = Array.from(nr.tidy(() => m.predict(x)).dataSync());
    const wantLoss = tf.tidy(() => tf.mean(tf.sum(bce(tf.tensor(yt, [B, H, W, Ch]), tf.tensor(pred, [B, H, W, Ch])), [1, 2, 3])).dataSync()[0]);
    expect(Math.abs((m.evaluate(x, y) as nr.Tensor).dataSync()[0] - wantLoss)).toBeLessThan(1e-4 * wantLoss);
    m.trainOnBatch(x, y);
    const opt = optimizers.sgd({ learningRate: 0.05 });
    opt.minimize(() => losses.binaryCrossentropy(y, twin.apply(x) as nr.Tensor, { reduction: 'sumOverFeatures' }) as nr.Scalar, false, twin.trainableWeights);
    const [wa, wb] = [m.getWeights(), twin.getWeights()];
    wa.forEach((w, i) => expectClose(w.dataSync(), wb[i].dataSync(), 1e-6, 1e-6));
    nr.dispose([...wa, ...wb, m, twin, x, y, opt]);
  });

  it('unknown reductions are InvalidArgumentErrors listing the valid ones', () => {
    nr.tidy(() => {
      const a = nr.tensor([0.5, 0.5], [1, 2]);
      throws(() => losses.meanSquaredError(a, a, { reduction: 'sum' as never }), "meanSquaredError: unknown reduction 'sum' (valid: mean, sumOverFeatures, none) — Keras's 'sum' (the losses added over the batch) is reduction 'none' and .sum()");
      const m = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 2 })] });
      throws(() => m.compile({ optimizer: 'sgd', loss: { name: 'binaryCrossentropy', reduction: 'none' as never } }), "compile: reduction 'none' gives one loss per sample, and a training loss is one number: use 'mean' or 'sumOverFeatures'");
      // Keras's default reduction by its name, and a near miss.
      throws(() => losses.meanSquaredError(a, a, { reduction: 'sum_over_batch_size' as never }), "meanSquaredError: unknown reduction 'sum_over_batch_size' (valid: mean, sumOverFeatures, none) — Keras's 'sum_over_batch_size' is 'mean' here");
      throws(() => m.compile({ optimizer: 'sgd', loss: { name: 'mse', reduction: 'sum_over_batch_size' as never } }), "compile: unknown reduction 'sum_over_batch_size' (valid: mean, sumOverFeatures) — Keras's 'sum_over_batch_size' is 'mean' here");
      throws(() => losses.meanSquaredError(a, a, { reduction: 'sumOverFeature' as never }), "meanSquaredError: unknown reduction 'sumOverFeature' (valid: mean, sumOverFeatures, none) — did you mean 'sumOverFeatures'?");
      m.dispose();
    });
  });
});

/** A VAE `variational(units 2) → dense(4, sigmoid)` on 4 features, one SGD step against TF.js. */
describe('variational', () => {
  const N = 3, F = 4, U = 2;
  const xs = data(N * F);

  it('one training step (summed BCE + KL) matches TF.js computing the VAE loss by hand', async () => {
    const m = nr.sequential({ seed: 3, layers: [layers.variational({ inputShape: [F], units: U, klWeight: 0.8 }), layers.dense({ units: F, activation: 'sigmoid' })] });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: { name: 'binaryCrossentropy', reduction: 'sumOverFeatures' } });
    // log σ² ≈ −30 makes σ·ε ≈ 3e-7: z is μ to f32 precision, whatever ε is, so TF.js can use
    // ε = 0; the gradient through ε (dz·ε·½σ) is checked by finite differences in Rust.
    const w0 = m.getWeights();
    const init = w0.map((t) => Array.from(t.dataSync()));
    w0.forEach((t) => t.dispose());
    init[2] = init[2].map((v) => 0.01 * v);
    init[3] = init[3].map(() => -30);
    nr.tidy(() => m.setWeights(init.map((v, i) => nr.tensor(v, i === 1 || i === 3 || i === 5 ? [v.length] : [v.length / (i === 4 ? F : U) , i === 4 ? F : U]))));
    const shapes = [[F, U], [U], [F, U], [U], [U, F], [F]];
    const vars = init.map((v, i) => tf.tensor(v, shapes[i]));
    const x = tf.tensor(xs, [N, F]);
    const vaeLoss = (wm: tf.Tensor, bm: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor, wd: tf.Tensor, bd: tf.Tensor) => {
      const mu = tf.add(tf.matMul(x as tf.Tensor2D, wm as tf.Tensor2D), bm);
      const lv = tf.add(tf.matMul(x as tf.Tensor2D, wv as tf.Tensor2D), bv);
      const p = tf.sigmoid(tf.add(tf.matMul(mu as tf.Tensor2D, wd as tf.Tensor2D), bd));
      const c = tf.clipByValue(p, 1e-7, 1 - 1e-7);
      const bce = tf.neg(tf.add(tf.mul(x, tf.log(c)), tf.mul(tf.sub(1, x), tf.log(tf.sub(1, c)))));
      const recon = tf.mean(tf.sum(bce, -1));
      const kl = tf.mean(tf.sum(tf.mul(-0.5, tf.sub(tf.sub(tf.add(1, lv), tf.square(mu)), tf.exp(lv))), -1));
      return tf.add(recon, tf.mul(0.8, kl)) as tf.Scalar;
    };
    const lossTf = vaeLoss(...(vars as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor])).dataSync()[0];
    const grads = tf.grads(vaeLoss as (...a: tf.Tensor[]) => tf.Scalar)(vars);
    const xn = nr.tensor(xs, [N, F]);
    const ev = m.evaluate(xn, xn, { returnDict: true });
    expect(Object.keys(ev)).toEqual(['loss', 'kl']);
    expect(ev.loss).toBeCloseTo(lossTf, 4);
    const loss = m.trainOnBatch(xn, xn) as number;
    expect(loss).toBeCloseTo(lossTf, 4);
    const after = m.getWeights();
    after.forEach((t, i) => expectClose(t.dataSync(), init[i].map((v, j) => v - 0.1 * grads[i].dataSync()[j]), 1e-4, 2e-5));
    after.forEach((t) => t.dispose());
    xn.dispose();
    m.dispose();
  });

  it('encodeDistribution on the layer, the encoder and the whole VAE; inference outputs the mean', async () => {
    const v = layers.variational({ units: U });
    const encoder = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [F], units: 3, activation: 'tanh' }), v] });
    throws(() => v.encodeDistribution(nr.tensor(xs, [N, F])), /^encodeDistribution: layer variational_\d+ has no weights yet/);
    const x = nr.tensor(xs, [N, F]);
    const { mean, logVar } = encoder.encodeDistribution(x);
    expect(mean.shape).toEqual([N, U]);
    expect(logVar.shape).toEqual([N, U]);
    expectClose(encoder.predict(x).dataSync(), mean.dataSync());
    // The layer on its own input (the dense output).
    const w = encoder.getWeights();
    const h = nr.tidy(() => nr.tanh(nr.add(nr.matMul(x, w[0]), w[1])));
    const d = v.encodeDistribution(h);
    expectClose(d.mean.dataSync(), mean.dataSync(), 1e-5, 1e-6);
    expectClose(d.logVar.dataSync(), logVar.dataSync(), 1e-5, 1e-6);
    // No variational layer: a clear error.
    const plain = nr.sequential({ layers: [layers.dense({ inputShape: [F], units: 2 })] });
    throws(() => plain.encodeDistribution(x), 'encodeDistribution: the model has no variational layer (its layers: dense); add layers.variational({ units }) to the encoder');
    for (const t of [x, mean, logVar, h, d.mean, d.logVar, ...w]) t.dispose();
    plain.dispose();
    encoder.dispose();
  });

  it('a VAE as autoencoder({ encoder: sequential([dense, variational]), decoder }) trains, reports kl, and shares encodeDistribution with its encoder', async () => {
    const v = layers.variational({ units: U });
    const encoder = nr.sequential({ seed: 3, layers: [layers.dense({ inputShape: [F], units: 6, activation: 'relu' }), v] });
    const decoder = nr.sequential({ seed: 4, layers: [layers.dense({ inputShape: [U], units: F, activation: 'sigmoid' })] });
    const ae = nr.autoencoder({ encoder, decoder, seed: 5 });
    ae.compile({ optimizer: 'adam', loss: { name: 'binaryCrossentropy', reduction: 'sumOverFeatures' } });
    const x = nr.tensor(data(N * F).map((u) => (u > 0.5 ? 1 : 0)), [N, F]);
    const before = ae.encodeDistribution(x);
    const h = await ae.fit(x, { epochs: 5, batchSize: 4, seed: 1 });
    expect(Object.keys(h.history).sort()).toEqual(['kl', 'loss']);
    h.history.kl.forEach((k, i) => {
      expect(k).toBeGreaterThan(0);
      expect(h.history.loss[i]).toBeGreaterThan(k);
    });
    // Training the autoencoder trained the shared encoder: its distribution moved, and the
    // encoder's own handle, the autoencoder and the layer agree on it.
    const a = ae.encodeDistribution(x);
    const e = encoder.encodeDistribution(x);
    expect(Array.from(a.mean.dataSync())).not.toEqual(Array.from(before.mean.dataSync()));
    expect(Array.from(e.mean.dataSync())).toEqual(Array.from(a.mean.dataSync()));
    expect(Array.from(e.logVar.dataSync())).toEqual(Array.from(a.logVar.dataSync()));
    const codes = ae.encode(x);
    expectClose(codes.dataSync(), a.mean.dataSync());
    codes.dispose();
    const w = encoder.getWeights();
    const hid = nr.tidy(() => nr.relu(nr.add(nr.matMul(x, w[0]), w[1])));
    // The layer finds its weights through a live holder, also once the encoder's handle is gone.
    encoder.dispose();
    const l = v.encodeDistribution(hid);
    expectClose(l.mean.dataSync(), a.mean.dataSync(), 1e-5, 1e-6);
    expectClose(l.logVar.dataSync(), a.logVar.dataSync(), 1e-5, 1e-6);
    const r = ae.evaluate(x, x, { returnDict: true });
    expect(Object.keys(r).sort()).toEqual(['kl', 'loss']);
    ae.dispose();
    decoder.dispose();
    throws(() => v.encodeDistribution(hid), /^encodeDistribution: layer variational_\d+ has no weights yet \(or no live model holds it\)/);
    for (const t of [x, hid, ...w, before.mean, before.logVar, a.mean, a.logVar, e.mean, e.logVar, l.mean, l.logVar]) t.dispose();
  });

  it('bad options are InvalidArgumentErrors', () => {
    throws(() => layers.variational({ units: 0 }), 'variational: units must be an integer in [1, 16777215], got 0');
    throws(() => layers.variational({ units: 2, klWeight: -1 }), 'variational: klWeight must be a finite number >= 0, got -1');
  });

  it('fit reports kl and val_kl next to the total loss, deterministically by seed, with flat memory', async () => {
    const run = async () => {
      const m = nr.sequential({ seed: 5, layers: [layers.dense({ inputShape: [F], units: 8, activation: 'relu' }), layers.variational({ units: U }), layers.dense({ units: F, activation: 'sigmoid' })] });
      m.compile({ optimizer: 'adam', loss: { name: 'binaryCrossentropy', reduction: 'sumOverFeatures' } });
      const x = nr.tensor(data(40, 0, 1).map((v) => (v > 0.5 ? 1 : 0)), [10, F]);
      const before = nr.memory();
      const h = await m.fit(x, x, { epochs: 3, batchSize: 4, validationSplit: 0.2, seed: 2 });
      const h2 = await m.fit(x, x, { epochs: 3, batchSize: 4, seed: 2 });
      expect(nr.memory().numTensors).toBe(before.numTensors);
      expect(nr.memory().numBytes).toBe(before.numBytes);
      expect(Object.keys(h2.history).sort()).toEqual(['kl', 'loss']);
      const w = m.getWeights().map((t) => { const v = Array.from(t.dataSync()); t.dispose(); return v; });
      x.dispose();
      m.dispose();
      return { h, w };
    };
    const a = await run();
    expect(a.w.length).toBe(8);
    expect(Object.keys(a.h.history).sort()).toEqual(['kl', 'loss', 'val_kl', 'val_loss']);
    a.h.history.kl.forEach((k, i) => {
      expect(k).toBeGreaterThan(0);
      expect(a.h.history.loss[i]).toBeGreaterThan(k);
    });
  });
});

describe('determinism of the noise layers and the VAE by seed', () => {
  it('two models with the same seed train to the same weights; another seed differs', async () => {
    const xs2 = data(64);
    const train = async (seed: number) => {
      const m = nr.sequential({ seed, layers: [layers.saltAndPepper({ inputShape: [8], rate: 0.3 }), layers.dense({ units: 4, activation: 'sigmoid', activityRegularizer: regularizers.klSparsity({ target: 0.1, weight: 0.5 }) }), layers.variational({ units: 2 }), layers.dense({ units: 8, activation: 'sigmoid' })] });
      m.compile({ optimizer: 'adam', loss: { name: 'binaryCrossentropy', reduction: 'sumOverFeatures' } });
      const x = nr.tensor(xs2, [8, 8]);
      const h = await m.fit(x, x, { epochs: 2, batchSize: 4 });
      const w = m.getWeights().map((t) => { const v = Array.from(t.dataSync()); t.dispose(); return v; });
      x.dispose();
      m.dispose();
      return { h: h.history, w };
    };
    const [a, b, c] = [await train(1), await train(1), await train(2)];
    expect(a.w).toEqual(b.w);
    expect(a.h).toEqual(b.h);
    expect(a.w).not.toEqual(c.w);
    expect(Object.keys(a.h).sort()).toEqual(['kl', 'loss', 'regularization']);
  });
});

describe('saltAndPepper', () => {
  it('is the identity at inference and has no weights', async () => {
    const m = nr.sequential({ seed: 2, layers: [layers.saltAndPepper({ inputShape: [50], rate: 0.5, low: -1, high: 2 })] });
    const x = nr.tensor(Array(200).fill(0.25), [4, 50]);
    const y = m.predict(x);
    expectClose(y.dataSync(), x.dataSync());
    expect(m.getWeights()).toEqual([]);
    for (const t of [x, y]) t.dispose();
    m.dispose();
  });

  it('bad options are InvalidArgumentErrors', () => {
    throws(() => layers.saltAndPepper({ rate: -0.1 }), 'saltAndPepper: rate must be a number in [0, 1], got -0.1');
    throws(() => layers.saltAndPepper({ rate: 1.5 }), 'saltAndPepper: rate must be a number in [0, 1], got 1.5');
    throws(() => layers.saltAndPepper({ rate: 0.1, low: 1, high: 0 }), 'saltAndPepper: low (1) must not exceed high (0)');
  });
});

describe('klSparsity', () => {
  it('evaluate reports the penalty as regularization: weight·Σ KL(ρ‖ρ̂) from the mean activations', () => {
    const m = nr.sequential({ seed: 4, layers: [layers.dense({ inputShape: [3], units: 4, activation: 'sigmoid', activityRegularizer: regularizers.klSparsity({ target: 0.2, weight: 1.5 }) })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = nr.tensor(data(15, -1, 1), [5, 3]);
    const y = nr.tensor(data(20), [5, 4]);
    const p = m.predict(x).arraySync() as number[][];
    const kl = (a: number, b: number) => a * Math.log(a / b) + (1 - a) * Math.log((1 - a) / (1 - b));
    let want = 0;
    for (let j = 0; j < 4; j++) want += kl(0.2, p.reduce((s, r) => s + r[j], 0) / 5);
    const ev = m.evaluate(x, y, { returnDict: true });
    expect(Object.keys(ev)).toEqual(['loss', 'regularization']);
    expect(ev.regularization).toBeCloseTo(1.5 * want, 5);
    const mse = p.flat().reduce((s, v, i) => s + (v - y.dataSync()[i]) ** 2, 0) / 20;
    expect(ev.loss).toBeCloseTo(mse, 5); // the penalty is reported, not added (TF.js's evaluate)
    for (const t of [x, y]) t.dispose();
    m.dispose();
  });

  it('needs an activation in (0, 1), a target in (0, 1) and a weight >= 0', () => {
    const m = nr.sequential({ layers: [layers.dense({ inputShape: [3], units: 4, activation: 'relu', activityRegularizer: regularizers.klSparsity() })] });
    throws(() => m.build(), "dense: activityRegularizer klSparsity needs activations in (0, 1), but the activation is relu; use 'sigmoid', 'hardSigmoid' or 'softmax'");
    m.dispose();
    throws(() => regularizers.klSparsity({ weight: -1 }), 'regularizers.klSparsity: weight must be a finite number >= 0, got -1');
    throws(() => regularizers.klSparsity({ target: 1 }), 'regularizers.klSparsity: target must be a number in (0, 1), got 1');
    throws(() => layers.dense({ units: 2, kernelRegularizer: regularizers.klSparsity() as never }), 'dense: kernelRegularizer: klSparsity is an activity regularizer; pass it as activityRegularizer, not as a weight regularizer');
  });
});

// A variational layer's klWeight is settable (KL annealing): test/kl-annealing.test.ts.
describe("noise layers' options are fixed once made", () => {
  it('an assignment from plain JS throws, naming the option, and the model trains, saves and reloads with the value it was made with', async () => {
    const v = nr.layers.variational({ units: 2, klWeight: 0.5 });
    const noise = nr.layers.gaussianNoise({ stddev: 0.2 });
    const fix = (op: string, k: string) => `${op}: ${k} is fixed when the layer is made (the models built with it use that value); make a new layer with another ${k}`;
    expect(() => ((noise as { stddev: number }).stddev = 0)).toThrow(new nr.InvalidArgumentError(fix('gaussianNoise', 'stddev')));
    for (const [l, op] of [[nr.layers.dropout({ rate: 0.1 }), 'dropout'], [nr.layers.gaussianDropout({ rate: 0.1 }), 'gaussianDropout'], [nr.layers.alphaDropout({ rate: 0.1 }), 'alphaDropout'], [nr.layers.spatialDropout1d({ rate: 0.1 }), 'spatialDropout1d'], [nr.layers.saltAndPepper({ rate: 0.1 }), 'saltAndPepper']] as const) {
      expect(() => ((l as unknown as { rate: number }).rate = 0.5)).toThrow(new nr.InvalidArgumentError(fix(op, 'rate')));
      expect((l as unknown as { rate: number }).rate).toBe(0.1);
    }
    expect([v.klWeight, noise.stddev]).toEqual([0.5, 0.2]);
    const ae = nr.autoencoder({ encoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 3 }), v] }), decoder: nr.sequential({ layers: [nr.layers.dense({ units: 4 })] }), seed: 1 });
    const saved = await ae.toArtifacts();
    expect(JSON.stringify(saved.modelTopology)).toContain('"kl_weight":0.5');
    ae.dispose();
  });
});

describe("a VAE's loss reduction", () => {
  it("warns at compile when a per-value mean reconstruction loss would outweigh the KL term's sum over units (codes collapse), not with sumOverFeatures", () => {
    const vae = () => nr.autoencoder({ encoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [12], units: 6 }), nr.layers.variational({ units: 2 })] }), decoder: nr.sequential({ layers: [nr.layers.dense({ units: 12, activation: 'sigmoid' })] }), seed: 2 });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const a = vae();
      a.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
      expect(warn.mock.calls.map((c) => c[0])).toEqual([
        `compile: model ${a.name} has a variational layer, whose KL term is summed over its units for each sample, while the loss binaryCrossentropy with reduction 'mean' averages over the 12 values of each sample: the KL weighs 12× more than in the ELBO, and the codes may collapse to the prior; for the ELBO, compile with { name: 'binaryCrossentropy', reduction: 'sumOverFeatures' } (or set the layer's klWeight to 1/12)`,
      ]);
      warn.mockClear();
      // The layer's klWeight counts: 1/12 or less (an annealing start at 0) is balanced, 0.25 is 3× (it said 12× whatever klWeight was).
      const vaeAt = (klWeight: number) => nr.autoencoder({ encoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [12], units: 6 }), nr.layers.variational({ units: 2, klWeight })] }), decoder: nr.sequential({ layers: [nr.layers.dense({ units: 12, activation: 'sigmoid' })] }), seed: 2 });
      for (const w of [1 / 12, 0.001, 0]) {
        using m = vaeAt(w);
        m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
      }
      expect(warn).not.toHaveBeenCalled();
      using q = vaeAt(0.25);
      q.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
      expect(warn.mock.calls.map((c) => c[0])).toEqual([expect.stringContaining("whose KL term (times its klWeight 0.25) is summed over its units for each sample, while the loss binaryCrossentropy with reduction 'mean' averages over the 12 values of each sample: the KL weighs 3× more than in the ELBO")]);
      warn.mockClear();
      const b = vae();
      b.compile({ optimizer: 'adam', loss: { name: 'binaryCrossentropy', reduction: 'sumOverFeatures' } });
      // A plain autoencoder has no KL term to outweigh.
      const c = nr.autoencoder({ encoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [12], units: 2 })] }), decoder: nr.sequential({ layers: [nr.layers.dense({ units: 12 })] }) });
      c.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      expect(warn).not.toHaveBeenCalled();
      for (const m of [a, b, c]) m.dispose();
    } finally {
      warn.mockRestore();
    }
  });
});
