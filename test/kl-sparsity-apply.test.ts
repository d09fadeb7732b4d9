// klSparsity as TF.js's regularizer classes (apply, getConfig, getClassName), its float32
// target check, the value it shares with the core (evaluate's `regularization`) and its
// gradient: the core's rule at the *unclamped* ρ̂, which pulls a dead sigmoid unit back (it
// used to be clamped to [1e-6, 1 − 1e-6] with no gradient, so a dead unit never revived).
//
// The last describe ("the core's gradient …") needs the wasm built from
// crates/core/src/regularizers.rs with that rule; the others run on the TypeScript alone (the
// penalty's value did not change).
import { describe, expect, it } from 'vitest';
import { expectNoLeak, invalidMessage } from './setup.js';
import * as nr from '../ts/index.js';

const { layers, regularizers } = nr;

/** The KL divergence of Bernoulli ρ from Bernoulli q, in float64. */
const kl = (p: number, q: number) => p * Math.log(p / q) + (1 - p) * Math.log((1 - p) / (1 - q));
/** The core's penalty in float64: ρ̂ the mean over every axis but the last, clamped. */
function penalty64(v: ArrayLike<number>, units: number, rho: number, beta: number, clamp = true): number {
  const rows = v.length / units;
  let tot = 0;
  for (let j = 0; j < units; j++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += v[i * units + j];
    const q = s / rows;
    tot += kl(rho, clamp ? Math.min(Math.max(q, 1e-6), 1 - 1e-6) : q);
  }
  return beta * tot;
}
/** The core's gradient rule in float64: β·(−ρ/ρ̂ + (1 − ρ)/(1 − ρ̂))/rows, ρ̂ unclamped (floored at 1e-30). */
function grad64(v: ArrayLike<number>, units: number, rho: number, beta: number): number[] {
  const rows = v.length / units;
  const g: number[] = [];
  for (let j = 0; j < units; j++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += v[i * units + j];
    const q = s / rows;
    g.push((beta * (-rho / Math.max(q, 1e-30) + (1 - rho) / Math.max(1 - q, 1e-30))) / rows);
  }
  return Array.from({ length: v.length }, (_, i) => g[i % units]);
}
/** Deterministic values in [lo, hi). */
function data(n: number, lo = 0, hi = 1, seed = 7): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return lo + ((hi - lo) * s) / 2147483648;
  });
}
const sigmoid64 = (z: number) => 1 / (1 + Math.exp(-z));
const close = (got: number, want: number, rel: number, abs = 0) => expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(rel * Math.abs(want) + abs);

describe('regularizers.klSparsity: the options', () => {
  it('a target in (0, 1) as a float64 but 0 or 1 in float32 is refused when made (it failed only at compile, "got 1")', () => {
    expect(invalidMessage(() => regularizers.klSparsity({ target: 0.99999999 }))).toBe(
      'regularizers.klSparsity: target must be a number in (0, 1), got 0.99999999, which rounds to 1 in float32 (neurite computes in float32)',
    );
    expect(invalidMessage(() => regularizers.klSparsity({ target: 1e-46 }))).toBe(
      'regularizers.klSparsity: target must be a number in (0, 1), got 1e-46, which rounds to 0 in float32 (neurite computes in float32)',
    );
    expect(invalidMessage(() => regularizers.klSparsity({ target: 1 }))).toBe('regularizers.klSparsity: target must be a number in (0, 1), got 1');
    // As a layer option (a hand-made spec) the same check.
    expect(invalidMessage(() => layers.dense({ units: 2, activation: 'sigmoid', activityRegularizer: { kind: 'klSparsity', target: 1 - 1e-9, weight: 1 } }))).toMatch(/target must be a number in \(0, 1\), got 0\.999999999, which rounds to 1 in float32/);
    // The float32 neighbours of 1 and 0 are fine.
    for (const target of [Math.fround(1 - 2 ** -24), 1e-45]) expect(regularizers.klSparsity({ target }).target).toBe(target);
  });

  it('defaults target 0.05 and weight 3; getConfig and getClassName as saved files; the keys stay kind, target, weight', () => {
    const r = regularizers.klSparsity();
    expect([r.target, r.weight]).toEqual([0.05, 3]);
    expect(Object.keys(r)).toEqual(['kind', 'target', 'weight']);
    expect(r.getConfig()).toEqual({ target: 0.05, weight: 3 });
    expect(r.getClassName()).toBe('neurite>KlSparsity');
    // A spread (a plain spec) is the same layer option as the object itself.
    const a = layers.dense({ units: 2, activation: 'sigmoid', activityRegularizer: r });
    const b = layers.dense({ units: 2, activation: 'sigmoid', activityRegularizer: { ...r } });
    expect(a.getConfig().activityRegularizer).toEqual(b.getConfig().activityRegularizer);
    expect(a.getConfig().activityRegularizer).toEqual({ className: r.getClassName(), config: r.getConfig() });
  });
});

describe('klSparsity.apply: the value is the core\'s (evaluate\'s regularization)', () => {
  for (const act of ['sigmoid', 'hardSigmoid', 'softmax'] as const) {
    for (const shape of [[6, 3], [3, 4, 2]]) {
      it(`${act}, input [${shape}]: apply(layer output) equals evaluate's regularization (not divided by the batch size)`, () => {
        const reg = regularizers.klSparsity({ target: 0.2, weight: 1.5 });
        const m = nr.sequential({ seed: 5, layers: [layers.dense({ inputShape: shape.slice(1), units: 4, activation: act, activityRegularizer: reg })] });
        m.compile({ optimizer: 'sgd', loss: 'mse' });
        const n = shape.reduce((a, b) => a * b, 1);
        const x = nr.tensor(data(n, -2, 2, n), shape);
        const outShape = [...shape.slice(0, -1), 4];
        const y = nr.zeros(outShape);
        const z = m.layers[0].apply(x) as nr.Tensor;
        const got = expectNoLeak(() => nr.tidy(() => reg.apply(z).dataSync()[0]));
        const ev = m.evaluate(x, y, { batchSize: shape[0], returnDict: true }) as Record<string, number>;
        close(got, ev.regularization, 1e-6);
        // ρ̂ over every axis but the last (n·T rows for [n, T, units]), in float64.
        close(got, penalty64(z.dataSync(), 4, Math.fround(0.2), 1.5), 1e-6);
        for (const t of [x, y, z]) t.dispose();
        m.dispose();
      });
    }
  }

  it('depends on the batch: evaluate at batch size 1 reports the mean of per-row penalties, which apply gives row by row', () => {
    const reg = regularizers.klSparsity({ target: 0.1, weight: 1 });
    const m = nr.sequential({ seed: 2, layers: [layers.dense({ inputShape: [3], units: 2, activation: 'sigmoid', activityRegularizer: reg })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = nr.tensor(data(12, -1, 1, 3), [4, 3]);
    const y = nr.zeros([4, 2]);
    const z = m.layers[0].apply(x) as nr.Tensor;
    const whole = nr.tidy(() => reg.apply(z).dataSync()[0]);
    const rows = [0, 1, 2, 3].map((i) => nr.tidy(() => reg.apply(z.slice([i, 0], [1, 2])).dataSync()[0]));
    const ev1 = (m.evaluate(x, y, { batchSize: 1, returnDict: true }) as Record<string, number>).regularization;
    const ev4 = (m.evaluate(x, y, { batchSize: 4, returnDict: true }) as Record<string, number>).regularization;
    close(ev4, whole, 1e-6);
    close(ev1, rows.reduce((a, b) => a + b) / 4, 1e-5);
    expect(ev1).toBeGreaterThan(ev4); // KL is convex in ρ̂: noisier means, a larger mean penalty
    for (const t of [x, y, z]) t.dispose();
    m.dispose();
  });

  it("l1's apply is the undivided sum: evaluate's regularization is apply(output) / batch size (Keras 3's divide_no_nan(loss, batch_size))", () => {
    const reg = regularizers.l1({ l1: 0.01 });
    const m = nr.sequential({ seed: 4, layers: [layers.dense({ inputShape: [5], units: 8, activation: 'relu', activityRegularizer: reg })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = nr.randomNormal([32, 5], { seed: 4 });
    const z = m.layers[0].apply(x) as nr.Tensor;
    const y = nr.zeros([32, 8]);
    const applied = nr.tidy(() => reg.apply(z).dataSync()[0]);
    const ev = (m.evaluate(x, y, { batchSize: 32, returnDict: true }) as Record<string, number>).regularization;
    close(ev, applied / 32, 1e-5);
    for (const t of [x, y, z]) t.dispose();
    m.dispose();
  });

  it('bad inputs and a zero weight', () => {
    const reg = regularizers.klSparsity();
    expect(invalidMessage(() => reg.apply(nr.scalar(0.5)))).toBe('klSparsity.apply: x must have a last axis of units ([..., units]), got a scalar');
    expect(invalidMessage(() => reg.apply(nr.zeros([0, 3])))).toBe('klSparsity.apply: x must have at least one row and one unit (ρ̂ is a mean over the rows), got shape [0,3]');
    // A TensorLike; a rank-1 x is one row.
    close(reg.apply([[0.1, 0.2], [0.3, 0.05]]).dataSync()[0], penalty64([0.1, 0.2, 0.3, 0.05], 2, Math.fround(0.05), 3), 1e-6);
    close(reg.apply([0.1, 0.2]).dataSync()[0], penalty64([0.1, 0.2], 2, Math.fround(0.05), 3), 1e-6);
    const none = regularizers.klSparsity({ weight: 0 });
    expect(none.apply([[0.1, 0.2]]).dataSync()[0]).toBe(0);
    expect(() => nr.grad((x: nr.Tensor) => none.apply(x))(nr.tensor([[0.1, 0.2]]))).toThrow(/^grad: the result of f does not depend on x/);
  });
});

describe('klSparsity.apply: the gradient (the core\'s rule at the unclamped ρ̂)', () => {
  it('inside the clamp: the float64 closed form and central differences of the value, [n, T, units]', () => {
    const reg = regularizers.klSparsity({ target: 0.15, weight: 2.5 });
    const v = data(3 * 4 * 5, 0.02, 0.9, 11);
    const rho = Math.fround(0.15);
    const g = expectNoLeak(() => nr.tidy(() => Array.from(nr.grad((x: nr.Tensor) => reg.apply(x))(nr.tensor(v, [3, 4, 5])).dataSync())));
    const want = grad64(v, 5, rho, 2.5);
    g.forEach((gi, i) => close(gi, want[i], 1e-6));
    const h = 1e-6;
    for (const i of [0, 7, 33, 59]) {
      const up = v.slice(), down = v.slice();
      up[i] += h;
      down[i] -= h;
      close(g[i], (penalty64(up, 5, rho, 2.5) - penalty64(down, 5, rho, 2.5)) / (2 * h), 1e-4);
    }
  });

  it('below the clamp (a dead unit, ρ̂ ≈ 1e-9): the unclamped KL\'s derivative, where differences of the clamped value are 0', () => {
    const reg = regularizers.klSparsity({ target: 0.05, weight: 3 });
    const v = [1e-9, 0.3, 3e-9, 0.1, 2e-9, 0.2, 2e-9, 0.05];
    const rho = Math.fround(0.05);
    const g = nr.tidy(() => Array.from(nr.grad((x: nr.Tensor) => reg.apply(x))(nr.tensor(v, [4, 2])).dataSync()));
    const f32 = Array.from(Float32Array.from(v));
    const want = grad64(f32, 2, rho, 3);
    g.forEach((gi, i) => close(gi, want[i], 1e-6));
    // Central differences of the unclamped KL agree; of the clamped value, 0 (what the old rule gave).
    const h = 1e-12;
    const up = f32.slice(), down = f32.slice();
    up[0] += h;
    down[0] -= h;
    close(g[0], (penalty64(up, 2, rho, 3, false) - penalty64(down, 2, rho, 3, false)) / (2 * h), 1e-4);
    expect(penalty64(up, 2, rho, 3) - penalty64(down, 2, rho, 3)).toBe(0);
  });

  it('a custom loop revives a dead sigmoid unit: the bias gradient is about −weight·ρ (the tester\'s biases −30 and −12)', () => {
    const reg = regularizers.klSparsity({ target: 0.05, weight: 3 });
    const X = [[1, 0], [0, 1], [-1, 0], [0, -1]];
    const W = [[0.5, 0.5], [0.5, -0.5]];
    const b0 = [-30, -12];
    const x = nr.tensor(X), w = nr.tensor(W);
    const db = nr.tidy(() => Array.from(nr.grad((b: nr.Tensor) => reg.apply(nr.sigmoid(nr.add(nr.matMul(x, w), b))))(nr.tensor(b0)).dataSync()));
    for (let j = 0; j < 2; j++) {
      const s = X.map((r) => sigmoid64(b0[j] + r[0] * W[0][j] + r[1] * W[1][j]));
      const q = s.reduce((a, c) => a + c) / 4;
      const want = (3 * (-0.05 / q + 0.95 / (1 - q)) * s.reduce((a, c) => a + c * (1 - c), 0)) / 4;
      close(db[j], want, 1e-4);
    }
    close(-db[0], 0.15, 1e-5);
    close(-db[1], 0.149979, 0, 2e-6);
    nr.dispose([x, w]);
  });

  it('ρ̂ = 0 or 1 exactly: a finite value and gradient, and 0 (not NaN) through a saturated sigmoid', () => {
    for (const weight of [3, 1e30]) {
      const reg = regularizers.klSparsity({ target: 0.05, weight });
      for (const v of [0, 1]) {
        const value = reg.apply(nr.fill([3, 2], v)).dataSync()[0];
        if (weight === 3) close(value, penalty64([v, v, v, v, v, v], 2, Math.fround(0.05), 3), 1e-6);
        const g = nr.tidy(() => Array.from(nr.grad((x: nr.Tensor) => reg.apply(x))(nr.fill([3, 2], v)).dataSync()));
        expect(g.every((d) => Number.isFinite(d) && (v === 0 ? d < 0 : d > 0)), String(g)).toBe(true);
        const dz = nr.tidy(() => Array.from(nr.grad((z: nr.Tensor) => reg.apply(nr.sigmoid(z)))(nr.fill([3, 2], v === 0 ? -200 : 200)).dataSync()));
        expect(dz.every((d) => d === 0), String(dz)).toBe(true); // 0 or −0
      }
    }
  });
});

describe("the core's gradient at the unclamped ρ̂ (needs the rebuilt wasm)", () => {
  it('trainOnBatch revives a dead sigmoid unit: the bias steps are +0.150000 and +0.149979, as apply\'s gradient says', () => {
    const reg = regularizers.klSparsity({ target: 0.05, weight: 3 });
    const m = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 2, activation: 'sigmoid', activityRegularizer: reg }), layers.dense({ units: 2, kernelInitializer: 'zeros' })] });
    m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 1 }), loss: 'mse' });
    const W = nr.tensor([[0.5, 0.5], [0.5, -0.5]]), b = nr.tensor([-30, -12]);
    m.layers[0].setWeights([W, b]);
    const x = nr.tensor([[1, 0], [0, 1], [-1, 0], [0, -1]]);
    const y = nr.zeros([4, 2]);
    // The same gradient by the tape: apply on the layer's output as a function of the bias.
    const db = nr.tidy(() => Array.from(nr.grad((bb: nr.Tensor) => reg.apply(nr.sigmoid(nr.add(nr.matMul(x, W), bb))))(b).dataSync()));
    m.trainOnBatch(x, y);
    const after = m.layers[0].getWeights()[1];
    const step = Array.from(after.dataSync()).map((v, j) => v - [-30, -12][j]);
    close(step[0], 0.15, 0, 2e-6); // was exactly 0: ρ̂ ≈ 1e-13 was clamped, with no gradient
    close(step[1], 0.149979, 0, 2e-6);
    // The bias steps are float32 differences near −30 and −12 (an ulp is 2e-6 and 1e-6 there).
    close(step[0], -db[0], 0, 4e-6);
    close(step[1], -db[1], 0, 2e-6);
    nr.dispose([W, b, x, y, after]);
    m.dispose();
  });

  it('the layer output gradient the core adds equals apply\'s, below and inside the clamp (weights after one SGD step)', () => {
    const reg = regularizers.klSparsity({ target: 0.1, weight: 2 });
    const m = nr.sequential({ layers: [layers.dense({ inputShape: [3], units: 3, activation: 'sigmoid', activityRegularizer: reg }), layers.dense({ units: 1, kernelInitializer: 'zeros' })] });
    m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 1 }), loss: 'mse' });
    const W = nr.tensor(data(9, -0.5, 0.5, 5), [3, 3]), b = nr.tensor([-25, -2, 1]);
    m.layers[0].setWeights([W, b]);
    const x = nr.tensor(data(15, -1, 1, 6), [5, 3]);
    const y = nr.zeros([5, 1]);
    const [dW, db] = nr.tidy(() => {
      const g = nr.grads((ww: nr.Tensor, bb: nr.Tensor) => reg.apply(nr.sigmoid(nr.add(nr.matMul(x, ww), bb))))([W, b]);
      return g.map((t) => Array.from(t.dataSync()));
    });
    m.trainOnBatch(x, y);
    const [W1, b1] = m.layers[0].getWeights();
    Array.from(W1.dataSync()).forEach((v, i) => close(W.dataSync()[i] - v, dW[i], 1e-4, 1e-7));
    Array.from(b1.dataSync()).forEach((v, i) => close(b.dataSync()[i] - v, db[i], 1e-4, 4e-6));
    expect(-db[0]).toBeGreaterThan(0.1); // the dead unit (bias −25) is pulled up
    nr.dispose([W, b, x, y, W1, b1]);
    m.dispose();
  });

  it('fit revives a unit whose mean activation is below 1e-6 (it stayed dead), and units at exactly 0 or 1 give no NaN', async () => {
    const x = nr.randomNormal([256, 8], { seed: 1 });
    const m = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [8], units: 4, activation: 'sigmoid', activityRegularizer: regularizers.klSparsity({ target: 0.1, weight: 1 }) }), layers.dense({ units: 8 })] });
    m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.5 }), loss: 'mse' });
    const [W] = m.layers[0].getWeights();
    const W01 = W.mul(0.1);
    const b = nr.tensor([-16, -12, 0, 0]);
    m.layers[0].setWeights([W01, b]);
    const meanOf0 = () => nr.tidy(() => (m.layers[0].apply(x) as nr.Tensor).mean(0).dataSync()[0]);
    const before = meanOf0();
    expect(before).toBeLessThan(1e-6);
    await m.fit(x, x, { epochs: 50, batchSize: 256, verbose: 0 });
    const bias = m.layers[0].getWeights()[1];
    // The bias rises by about lr·β·ρ = 0.05 per step (it stayed at −16 when clamped), and the
    // mean activation with it, by about e^2.5.
    expect(bias.dataSync()[0]).toBeGreaterThan(-16 + 50 * 0.5 * 0.1 * 0.9);
    expect(meanOf0()).toBeGreaterThan(5 * before);
    nr.dispose([W, W01, b, bias]);
    // Sigmoid units at exactly 0 and 1 in float32 (biases ∓200), and a hardSigmoid one on its flat part.
    for (const act of ['sigmoid', 'hardSigmoid'] as const) {
      const m2 = nr.sequential({ layers: [layers.dense({ inputShape: [8], units: 3, activation: act, activityRegularizer: regularizers.klSparsity({ target: 0.05, weight: 3 }) }), layers.dense({ units: 8 })] });
      m2.compile({ optimizer: 'sgd', loss: 'mse' });
      const [W2] = m2.layers[0].getWeights();
      const W2s = W2.mul(0.01);
      const bb = nr.tensor([-200, 200, 0]);
      m2.layers[0].setWeights([W2s, bb]);
      const h = await m2.fit(x, x, { epochs: 2, batchSize: 64, verbose: 0 });
      expect(h.history.loss.every(Number.isFinite)).toBe(true);
      const ws = m2.layers[0].getWeights();
      expect(ws.every((t) => t.isFinite().all().dataSync()[0] === 1)).toBe(true);
      nr.dispose([W2, W2s, bb, ...ws]);
      m2.dispose();
    }
    x.dispose();
    m.dispose();
  });
});
