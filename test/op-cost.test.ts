// The shortcuts of a small op's call (bench/opcost.mjs measures them): tidy's result returned
// alone, an activation's encoding reused when it has no options, f32 parameters written as bit
// patterns without typed-array copies, and fit's one index tensor per batch with a loss
// function. Each must behave exactly as the general path it skips.
import { describe, expect, it } from 'vitest';
import './setup.js';
import * as nr from '../ts/index.js';
import { epochOrder } from '../ts/models/custom-loss.js';

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

describe('fit with a loss function, one index tensor per batch', () => {
  it('trains on the rows of each epoch\'s seeded order, as trainOnBatch on those rows does, and leaves no tensor behind', async () => {
    const n = 37; // batches of 8 and a last one of 5
    const x = nr.tensor(Array.from({ length: n * 3 }, (_, i) => Math.sin(i)), [n, 3]);
    const y = nr.tensor(Array.from({ length: n * 2 }, (_, i) => Math.cos(i)), [n, 2]);
    const mse = (t: nr.Tensor, p: nr.Tensor): nr.Tensor => nr.mean(nr.square(nr.sub(p, t)), -1);
    const make = () => {
      const m = nr.sequential({ seed: 3, layers: [nr.layers.dense({ units: 4, activation: 'tanh', inputShape: [3] }), nr.layers.dense({ units: 2 })] });
      m.compile({ optimizer: nr.optimizers.sgd(0.1), loss: mse });
      return m;
    };
    const [fitted, looped] = [make(), make()];
    try {
      const before = nr.memory().numTensors;
      const h = await fitted.fit(x, y, { epochs: 3, batchSize: 8, shuffle: true, seed: 5, verbose: 0 });
      expect(nr.memory().numTensors).toBe(before);
      for (let e = 0; e < 3; e++) {
        const order = epochOrder(n, looped.seed, 5, e, true);
        expect(order).not.toEqual(Array.from({ length: n }, (_, i) => i));
        let sum = 0;
        for (let s = 0; s < n; s += 8) {
          const rows = order.slice(s, s + 8);
          const [xb, yb] = [nr.gather(x, rows), nr.gather(y, rows)];
          sum += (looped.trainOnBatch(xb, yb) as number) * rows.length;
          nr.dispose([xb, yb]);
        }
        expect(h.history.loss[e]).toBeCloseTo(sum / n, 5);
      }
      const [wa, wb] = [fitted.getWeights(), looped.getWeights()];
      wa.forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(wb[i].dataSync())));
      nr.dispose([wa, wb]);
    } finally {
      nr.dispose([x, y, fitted, looped]);
    }
  });
});
