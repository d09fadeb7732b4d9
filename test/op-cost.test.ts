// The shortcuts of a small op's call (bench/opcost.mjs measures them): tidy's result returned
// alone, an activation's encoding reused when it has no options, f32 parameters written as bit
// patterns without typed-array copies, and fit's one index tensor per batch with a loss
// function. Each must behave exactly as the general path it skips.
import { describe, expect, it } from 'vitest';
import './setup.js';
import * as nr from '../ts/index.js';

describe('tidy with a result returned alone', () => {
  it('keeps a tensor made inside (through nested scopes), leaves an outside tensor as it was, and frees everything for a number or a function', () => {
    const before = nr.memory().numTensors;
    const x = nr.ones([2]);
    // An outside tensor returned: only the temporary goes.
    expect(nr.tidy(() => (x.add(1), x))).toBe(x);
    expect(x.isDisposed).toBe(false);
    expect(nr.memory().numTensors).toBe(before + 1);
    // Made in the inner scope, returned by both: alive after both, its temporaries freed.
    const y = nr.tidy(() => nr.tidy(() => x.mul(2).add(1)));
    expect(y.isDisposed).toBe(false);
    expect(Array.from(y.data())).toEqual([3, 3]);
    expect(nr.memory().numTensors).toBe(before + 2);
    // Returned from an inner scope and not from the outer: freed by the outer.
    let inner: nr.Tensor | null = null;
    nr.tidy(() => {
      inner = nr.tidy(() => x.mul(3));
      expect(inner.isDisposed).toBe(false);
    });
    expect(inner!.isDisposed).toBe(true);
    // A number, a function (its tensor is not looked for), a tensor disposed inside.
    expect(nr.tidy(() => nr.ones([3]).sum().item())).toBe(3);
    const f = nr.tidy(() => {
      const t = nr.ones([2]);
      return () => t;
    });
    expect(f().isDisposed).toBe(true);
    const d = nr.tidy(() => {
      const t = nr.zeros([2]);
      t.dispose();
      return t;
    });
    expect(d.isDisposed).toBe(true);
    expect(nr.memory().numTensors).toBe(before + 2);
    nr.dispose([x, y]);
    expect(nr.memory().numTensors).toBe(before);
  });

  it('keeps a model made inside, whose weights stay usable', () => {
    const before = nr.memory().numHandles;
    const m = nr.tidy(() => nr.sequential({ layers: [nr.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones' })] }));
    expect(m.isDisposed).toBe(false);
    const p = m.predict(nr.tensor([[1, 2]])) as nr.Tensor;
    expect(p.item()).toBe(3);
    nr.dispose([p, m]);
    expect(nr.memory().numHandles).toBeLessThanOrEqual(before + 1); // the input tensor above
  });
});

describe('activations called without options', () => {
  it('use the defaults whatever options earlier calls gave (the reused encoding is not shared with them)', () => {
    const x = nr.tensor([-1, 2]);
    try {
      expect(Array.from(nr.leakyRelu(x, 0.5).data())).toEqual([-0.5, 2]);
      expect(Array.from(nr.elu(x, { alpha: 2 }).data())).toEqual([Math.fround(2 * Math.expm1(-1)), 2]);
      // TF.js's defaults: leakyRelu alpha 0.2, elu alpha 1.
      expect(Array.from(nr.leakyRelu(x).data())).toEqual([Math.fround(-0.2), 2]);
      expect(Array.from(nr.elu(x).data())).toEqual([Math.fround(Math.expm1(-1)), 2]);
      expect(Array.from(nr.elu(x, { alpha: 3 }).data())).toEqual([Math.fround(3 * Math.fround(Math.expm1(-1))), 2]);
      expect(Array.from(nr.relu(x).data())).toEqual([0, 2]);
      // The checks still run: an unknown option key is an error after a call without options.
      expect(() => nr.elu(x, { alpah: 1 } as never)).toThrow(/alpah/);
    } finally {
      x.dispose();
    }
  });

  it('pass f32 parameters bit for bit (a value float32 rounds, a negative, a subnormal)', () => {
    const x = nr.tensor([-3]);
    try {
      for (const alpha of [0.1, 1 / 3, -0.7, 1e-40]) {
        expect(nr.leakyRelu(x, alpha).dataSync()[0]).toBe(Math.fround(-3 * Math.fround(alpha)));
      }
    } finally {
      x.dispose();
    }
  });
});

describe('fit with a loss or metric function, one index tensor per batch', () => {
  it("trains on the batches the core's step would: a metric function changes no weight (bit for bit), a loss function trains as the named loss, and no tensor is left behind", async () => {
    const n = 37; // batches of 8 and a last one of 5
    const x = nr.tensor(Array.from({ length: n * 3 }, (_, i) => Math.sin(i)), [n, 3]);
    const y = nr.tensor(Array.from({ length: n * 2 }, (_, i) => Math.cos(i)), [n, 2]);
    const mse = (t: nr.Tensor, p: nr.Tensor): nr.Tensor => nr.mean(nr.square(nr.sub(p, t)), -1);
    const spread = (t: nr.Tensor, p: nr.Tensor): nr.Tensor => nr.abs(nr.sub(p, t));
    const make = (loss: nr.CompileArgs['loss'], metrics: nr.MetricSpec) => {
      const m = nr.sequential({ seed: 3, layers: [nr.layers.dense({ units: 4, activation: 'tanh', inputShape: [3] }), nr.layers.dense({ units: 2 })] });
      m.compile({ optimizer: nr.optimizers.sgd(0.1), loss, metrics });
      return m;
    };
    // The core's step; the step run here for a metric function, and for a loss function.
    const models = [make('meanSquaredError', []), make('meanSquaredError', [spread]), make(mse, [])];
    try {
      const before = nr.memory().numTensors;
      const hs: nr.History[] = [];
      for (const m of models) hs.push(await m.fit(x, y, { epochs: 3, batchSize: 8, shuffle: true, seed: 5, verbose: 0 }));
      expect(nr.memory().numTensors).toBe(before);
      const [core, metric, loss] = models.map((m) => nr.tidy(() => m.getWeights().flatMap((w) => Array.from(w.dataSync()))));
      expect(metric).toEqual(core);
      expect(hs[1].history.loss).toEqual(hs[0].history.loss);
      // The same batches: equal up to the rounding of the tape's gradient against the core's.
      loss.forEach((v, i) => expect(v).toBeCloseTo(core[i], 5));
      hs[2].history.loss.forEach((v, e) => expect(v).toBeCloseTo(hs[0].history.loss[e], 5));
    } finally {
      nr.dispose([x, y, ...models]);
    }
  });
});

describe("an optimizer's step on a model's weights, in place (not compiled into the model)", () => {
  const model = (seed: number) => nr.sequential({ seed, layers: [nr.layers.rbf({ units: 3, inputShape: [2], widths: 1 }), nr.layers.dense({ units: 2 })] });
  const values = (m: nr.Sequential): number[][] => {
    const ws = m.getWeights();
    const out = ws.map((w) => Array.from(w.dataSync()));
    nr.dispose(ws);
    return out;
  };

  it('refuses a step that would leave a weight\'s domain (an RBF width of 0) before changing any weight or state', () => {
    const m = model(1);
    const opt = nr.optimizers.sgd({ learningRate: 1, momentum: 0.5 });
    const [centers, widths, kernel, bias] = m.trainableWeights;
    const g = (v: nr.LayerVariable, x: number) => nr.fill(v.shape, x);
    const before = values(m);
    // The kernel comes first: before, it was written back before the widths were refused.
    const pairs = [
      { variable: kernel, grad: g(kernel, 0.5) },
      { variable: widths, grad: g(widths, 1) }, // 1 − 1·1 = 0 (a negative width is a width: it enters squared)
      { variable: bias, grad: g(bias, 0.5) },
    ];
    try {
      expect(() => opt.applyGradients(pairs)).toThrow(/^applyGradients: the update of variable rbf_\w+\/widths gives 0 at flat index 0; it must be != 0 \(a width enters squared\)$/);
      expect(values(m)).toEqual(before);
      expect(opt.iterations).toBe(0);
      // The momentum state did not move either: the same step with a valid gradient gives the
      // values of a fresh optimizer's first step.
      pairs[1].grad.dispose();
      pairs[1].grad = g(widths, 0.25);
      opt.applyGradients(pairs);
      const stepped = values(m);
      const m2 = model(1);
      const fresh = nr.optimizers.sgd({ learningRate: 1, momentum: 0.5 });
      const w2 = m2.trainableWeights;
      fresh.applyGradients(pairs.map((p) => ({ variable: w2[m.trainableWeights.indexOf(p.variable)], grad: p.grad })));
      expect(stepped).toEqual(values(m2));
      expect(stepped[1]).toEqual([0.75, 0.75, 0.75]);
      expect(stepped[0]).toEqual(before[0]); // centers: not in the call
      nr.dispose([m2, fresh]);
    } finally {
      nr.dispose([...pairs.map((p) => p.grad), m, opt]);
    }
    expect(centers.isDisposed).toBe(true);
  });

  it('leaves a copy read before the step as it was, reaches every model sharing the layer, and allocates nothing that stays over many steps', () => {
    const shared = nr.layers.dense({ units: 3, inputShape: [4], kernelConstraint: nr.constraints.maxNorm({ maxValue: 0.3 }) });
    const a = nr.sequential({ seed: 2, layers: [shared, nr.layers.dense({ units: 1 })] });
    const b = nr.sequential({ seed: 3, layers: [shared] });
    const x = nr.tensor(Array.from({ length: 20 }, (_, i) => Math.sin(i)), [5, 4]);
    const y = nr.zeros([5, 1]);
    const opt = nr.optimizers.adam(0.05);
    try {
      const [kernel] = shared.trainableWeights;
      const old = kernel.read();
      const oldValues = Array.from(old.dataSync());
      opt.minimize(() => nr.losses.meanSquaredError(y, a.predict(x) as nr.Tensor), false, a.trainableWeights);
      expect(Array.from(old.dataSync())).toEqual(oldValues);
      const now = kernel.read();
      expect(Array.from(now.dataSync())).not.toEqual(oldValues);
      // b holds the same layer: its weights are the stepped ones (and kept within the constraint).
      const [bk] = b.getWeights();
      expect(Array.from(bk.dataSync())).toEqual(Array.from(now.dataSync()));
      for (let c = 0; c < 3; c++) {
        let ss = 0;
        for (let r = 0; r < 4; r++) ss += now.dataSync()[r * 3 + c] ** 2;
        expect(Math.sqrt(ss)).toBeLessThanOrEqual(0.3 + 1e-6);
      }
      nr.dispose([old, now, bk]);
      const step = () => opt.minimize(() => nr.losses.meanSquaredError(y, a.predict(x) as nr.Tensor), false, a.trainableWeights);
      for (let s = 0; s < 5; s++) step();
      const mem = nr.memory();
      for (let s = 0; s < 200; s++) step();
      const after = nr.memory();
      expect([after.numTensors, after.numBytes, after.modelBytes]).toEqual([mem.numTensors, mem.numBytes, mem.modelBytes]);
    } finally {
      nr.dispose([a, b, x, y, opt]);
    }
  });
});

describe("an optimizer's state sweep skips the variables of the call", () => {
  it("still frees the state of a variable disposed since (and keeps those of the call's)", () => {
    const before = nr.memory().numTensors;
    const a = nr.tidy(() => nr.variable(nr.ones([3]), true, 'sweep_a'));
    const b = nr.tidy(() => nr.variable(nr.ones([2]), true, 'sweep_b'));
    const opt = nr.optimizers.adam(0.1);
    const g3 = nr.ones([3]);
    const g2 = nr.ones([2]);
    try {
      opt.applyGradients([{ variable: a, grad: g3 }, { variable: b, grad: g2 }]);
      expect(nr.memory().numTensors).toBe(before + 6); // a, b, two gradients, two states
      a.dispose();
      opt.applyGradients([{ variable: b, grad: g2 }]);
      expect(nr.memory().numTensors).toBe(before + 4); // b, its state and the two gradients
      const was = Array.from(b.dataSync());
      opt.applyGradients([{ variable: b, grad: g2 }]);
      expect(Array.from(b.dataSync())).not.toEqual(was);
      expect(nr.memory().numTensors).toBe(before + 4);
    } finally {
      nr.dispose([b, g3, g2, opt]);
    }
    expect(nr.memory().numTensors).toBe(before);
  });
});
