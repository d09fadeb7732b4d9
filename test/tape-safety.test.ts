// Hardening of the tape and the ABI (issue 7, items 1, 3–7, 13, 17, 19, 21): long source
// lists, handle identity, ownership of what the caller passes, cleanup on every error path,
// handles across instances, and a failed nested `add` that must leave the table as it was.
import { describe, expect, it } from 'vitest';
import { expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';
import { call, check, outPtr, raw, readOut } from '../ts/engine.js';

/** The exact bits of a tensor's values. */
const bits = (t: nr.Tensor) => Array.from(new Uint32Array(t.data().buffer));

describe('grads with many sources (items 1, 13)', () => {
  it('gives the right gradients for 600, 800, 1000 and 5000 sources and corrupts nothing', () => {
    // A canary made first, with values whose bits any stray write would change.
    const canary = nr.tensor([Math.PI, -0, 1e-30, -123.456, Number.NaN, 7]);
    const canaryBits = bits(canary);
    const before = nr.memory();
    for (const n of [600, 800, 1000, 5000]) {
      const xs = Array.from({ length: n }, (_, i) => nr.scalar((i % 17) - 8));
      // f = Σ xᵢ² · (i mod 3 + 1), so ∂f/∂xᵢ = 2·xᵢ·(i mod 3 + 1).
      const f = (...a: nr.Tensor[]) => nr.tidy(() => nr.stack(a.map((x, i) => x.square().mul((i % 3) + 1))).sum());
      const g = nr.grads(f)(xs);
      expect(g).toHaveLength(n);
      for (let i = 0; i < n; i++) expect(g[i].item()).toBe(2 * ((i % 17) - 8) * ((i % 3) + 1));
      g.forEach((t) => t.dispose());
      xs.forEach((t) => t.dispose());
      expect(bits(canary)).toEqual(canaryBits);
      // A fixed computation after the call still gives the right values (gelu(1) ≈ 0.8412).
      const z = nr.tidy(() => nr.tensor([1]).gelu());
      expect(z.item()).toBeCloseTo(0.8412, 3);
      z.dispose();
    }
    expect(nr.memory().numTensors).toBe(before.numTensors);
    canary.dispose();
  });

  it('valueAndGrads and variableGrads take long lists too', () => {
    const xs = Array.from({ length: 1500 }, (_, i) => nr.scalar(i));
    const { value, grads } = nr.valueAndGrads((...a: nr.Tensor[]) => nr.stack(a).sum())(xs);
    expect(value.item()).toBe((1499 * 1500) / 2);
    expect(grads.every((g) => g.item() === 1)).toBe(true);
    [value, ...grads, ...xs].forEach((t) => t.dispose());
  });
});

describe('tape identity (items 4, 17)', () => {
  it('a handle value never comes back inside a taped function, and the gradient stays right', () => {
    // Crafted case: on a table with LIFO reuse and 12-bit generations, the 4096th tensor made
    // after `a` is freed gets `a`'s handle, and a tape keyed by handles sent b's gradient into
    // a's producer (here x·3), giving [4, 7, 10] instead of [1, 1, 1].
    const x = nr.tensor([1, 2, 3]);
    let reused = false;
    const g = nr.grad((x) => {
      const a = x.mul(3);
      const ha = a.handleFor('test');
      a.dispose();
      let b = nr.tensor([1, 1, 1]);
      for (let i = 0; i < 10_000 && !reused; i++) {
        if (b.handleFor('test') === ha) reused = true;
        else {
          b.dispose();
          b = nr.tensor([1, 1, 1]);
        }
      }
      return x.mul(b).sum();
    })(x);
    expect(reused).toBe(false);
    expect(Array.from(g.data())).toEqual([1, 1, 1]);
    g.dispose();
    x.dispose();
  });

  it('10 000 allocate/free cycles never repeat a handle value', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const t = nr.scalar(i);
      const h = t.handleFor('test');
      expect(seen.has(h)).toBe(false);
      seen.add(h);
      t.dispose();
    }
  });
});

describe('ownership and cleanup (items 6, 19, 21)', () => {
  it('grad(x => x)(t) and friends never dispose what the caller passed', () => {
    const t = nr.tensor([1, 2]);
    const outside = nr.tensor([5, 6]);
    expectNoLeak(() => {
      nr.grad((x) => x)(t).dispose();
      expect(t.isDisposed).toBe(false);
      // An argument f ignores is an error (as TF.js), which disposes nothing the caller passed.
      expect(() => nr.grads((a, _b) => a)([t, outside])).toThrow(/^grads: the result of f does not depend on args\[1\] \(shape \[2\]\)/);
      expect(t.isDisposed || outside.isDisposed).toBe(false);
      // f returns a tensor made outside f.
      expect(() => nr.grad(() => outside)(t)).toThrow(/^grad: the result of f does not depend on x/);
      expect(outside.isDisposed).toBe(false);
      expect(() => nr.grads(() => outside)([t])).toThrow(/does not depend on args\[0\]/);
      expect(outside.isDisposed).toBe(false);
      const { value, grad } = nr.valueAndGrad((x) => x)(t);
      expect(value).toBe(t);
      grad.dispose();
      const dy = nr.tensor([3, 4]);
      const g = nr.grad((x) => x.mul(2))(t, dy);
      expect(Array.from(g.data())).toEqual([6, 8]);
      expect(dy.isDisposed).toBe(false);
      [g, dy].forEach((u) => u.dispose());
    });
    expect(Array.from(t.data())).toEqual([1, 2]);
    t.dispose();
    outside.dispose();
  });

  it('a dy of the wrong shape throws and leaks nothing', () => {
    const x = nr.tensor([1, 2, 3]);
    const dy = nr.tensor([1, 1]);
    expectNoLeak(() => {
      expect(() => nr.grad((x) => x.mul(2))(x, dy)).toThrow(/dy has shape \[2\] but the result has shape \[3\]/);
      expect(() => nr.valueAndGrad((x) => x.square())(x, dy)).toThrow(nr.ShapeError);
      expect(() => nr.grads((a) => a.exp())([x], dy)).toThrow(nr.ShapeError);
    });
    expect(x.isDisposed || dy.isDisposed).toBe(false);
    x.dispose();
    dy.dispose();
  });

  it('f disposing a source is a clear error, with nothing left behind', () => {
    const x = nr.tensor([1, 2]);
    const before = nr.memory().numTensors;
    expect(() => nr.grad((x) => { const y = x.square(); x.dispose(); return y; })(x)).toThrow(/grad: x is a disposed tensor/);
    // Named as written: grad(f)(x), grads(f)([a, b]).
    expect(() => nr.grad((t) => t)([1, 2] as never)).toThrow(/^grad: x must be a Tensor, got an array of length 2; make one with tensor\(values\)$/);
    const live = nr.tensor([1]);
    expect(() => nr.grads((a) => a)([live, 3 as never])).toThrow(/^grads: args\[1\] must be a Tensor, got 3; make one with scalar\(3\)$/);
    live.dispose();
    expect(nr.memory().numTensors).toBe(before - 1);
  });

  it('variable() with a taken name throws before copying anything', () => {
    const init = nr.tensor([1, 2]);
    const v = nr.variable(init, true, 'hardening-dup');
    expectNoLeak(() => {
      expect(() => nr.variable(init, true, 'hardening-dup')).toThrow(/already named 'hardening-dup'/);
    });
    v.dispose();
    // Once disposed, the name is free again.
    nr.variable(init, true, 'hardening-dup').dispose();
    init.dispose();
  });
});

describe('gradients never silently zero (item 3)', () => {
  it('split and clone pass gradients', () => {
    const x = nr.tensor([1, 2, 3, 4]);
    const gs = nr.grad((x) => nr.split(x, 2)[1].mul(nr.tensor([10, 20])).sum())(x);
    expect(Array.from(gs.data())).toEqual([0, 0, 10, 20]);
    const gsz = nr.grad((x) => { const [a, b, c] = nr.split(x, [1, -1, 1]); return a.mul(1).add(b.sum().mul(2)).add(c.mul(3)).sum(); })(x);
    expect(Array.from(gsz.data())).toEqual([1, 2, 2, 3]);
    const gc = nr.grad((x) => nr.clone(x).square().sum())(x);
    expect(Array.from(gc.data())).toEqual([2, 4, 6, 8]);
    [x, gs, gsz, gc].forEach((t) => t.dispose());
  });

  it('an op without a gradient rule on the path is an error naming it', () => {
    const x = nr.tensor([[0.5, -0.2]]);
    expectNoLeak(() => {
      expect(() => nr.grad((x) => nr.activationGrad(x, nr.onesLike(x), 'relu').sum())(x)).toThrow(/activationGrad has no gradient rule/);
      // The same op on values that do not depend on x is fine (a constant).
      const c = nr.tensor([[1, 2]]);
      const g = nr.grad((x) => x.mul(nr.activationGrad(c, nr.onesLike(c), 'relu')).sum())(x);
      expect(Array.from(g.data())).toEqual([1, 1]);
      g.dispose();
      c.dispose();
    });
    // A model's predict and encodeDistribution have one (test/model-grad.test.ts,
    // test/model-variables.test.ts).
    const m = nr.sequential({ layers: [nr.layers.dense({ units: 2, inputShape: [2], kernelInitializer: 'ones' }), nr.layers.variational({ units: 1 })] });
    m.compile({ loss: 'meanSquaredError', optimizer: 'sgd' });
    expectNoLeak(() => nr.tidy(() => {
      expect(Array.from(nr.grad((x) => m.predict(x).sum())(x).dataSync()).every(Number.isFinite)).toBe(true);
      expect(Array.from(nr.grad((x) => m.encodeDistribution(x).logVar.sum())(x).dataSync()).every(Number.isFinite)).toBe(true);
      // evaluate's results are numbers made into tensors: an error, not a zero gradient.
      expect(() => nr.grad((x) => m.evaluate(x, nr.zeros([1, 1])) as nr.Tensor)(x)).toThrow(/evaluate: cannot be differentiated/);
    }));
    m.dispose();
    x.dispose();
  });
});

describe('instances and the handle table (items 5, 7)', () => {
  it('a tensor from an old instance is rejected before reaching wasm, also inside grad', () => {
    const old = nr.tensor([1, 2]);
    const hOld = old.handleFor('test');
    expect(() => call((e) => e.nr_debug_panic(9))).toThrow(nr.WasmPanicError);
    expect(() => nr.grad((x) => x.square().sum())(old)).toThrow(/belongs to a neurite instance that was replaced after a panic \(a WasmPanicError\); it is no longer valid/);
    expect(() => nr.grads((x) => x.sum())([old])).toThrow(/belongs to a neurite instance that was replaced after a panic \(a WasmPanicError\); it is no longer valid/);
    // Its raw handle number does not name a tensor of the new instance either (the handles
    // are salted with the instance id), even once the new table has a slot at its index.
    const fresh = Array.from({ length: (hOld & 0xfffff) + 2 }, (_, i) => nr.scalar(i));
    expect(fresh.map((t) => t.handleFor('test'))).not.toContain(hOld);
    expect(raw().nr_tensor_free(hOld)).not.toBe(0);
    expect(fresh.map((t) => t.item())).toEqual(fresh.map((_, i) => i));
    fresh.forEach((t) => t.dispose());
  });

  it('a failed nested add leaves both models in the table, freeable', () => {
    const before = nr.memory().numHandles;
    const t = nr.scalar(1);
    call((e) => {
      check(e.nr_model_new(1, 0, outPtr(0)));
      const inner = readOut(0);
      expect(e.nr_model_add_model(0x0fff_fff0, inner)).not.toBe(0); // a stale outer
      expect(e.nr_model_add_model(t.handleFor('test'), inner)).not.toBe(0); // a tensor as outer
      expect(nr.memory().numHandles).toBe(before + 2);
      check(e.nr_model_free(inner, 0)); // still in its slot, so it can be freed
    });
    t.dispose();
    expect(nr.memory().numHandles).toBe(before);
  });
});

describe('raw pointer arguments (item 1)', () => {
  it('a list that overruns the scratch area is an error, not a write past it', () => {
    const canary = nr.tensor([1, 2, 3]);
    const x = nr.scalar(2);
    const y = nr.grad((x) => x.square())(x);
    const e = raw();
    // The scratch argument area starts 16 words in and holds 1008 words.
    const args = outPtr(16);
    expect(() => check(e.nr_tape_gradient(0, 0, args, 2000, args, 2000, outPtr(0)))).toThrow(/overrun|not live/);
    expect(() => check(e.nr_tape_gradient(0, 0, args, 10, args, 5, outPtr(0)))).toThrow(/room for 5/);
    expect(() => check(e.nr_reduce(0, canary.handleFor('t'), args, 5000, 0, outPtr(0)))).toThrow(/overrun the 4096-byte argument area/);
    expect(() => check(e.nr_tensor_shape(canary.handleFor('t'), 8))).toThrow(/neither in the scratch area nor in a live nr_alloc block/);
    expect(Array.from(canary.data())).toEqual([1, 2, 3]);
    [canary, x, y].forEach((t) => t.dispose());
  });

  it("customGrad's exports refuse to run out of turn or on lists past the scratch area", () => {
    const x = nr.tensor([1, 2, 3]);
    const e = raw();
    const args = outPtr(16);
    const hx = x.handleFor('t');
    expect(() => check(e.nr_tape_custom(1, args, 0, hx, outPtr(0)))).toThrow(/customGrad: no gradient tape is recording/);
    expect(() => check(e.nr_tape_custom_give(args, 1, args, 2, outPtr(0)))).toThrow(/customGrad: no gradient is waiting for a customGrad function/);
    check(e.nr_tape_begin());
    try {
      expect(() => check(e.nr_tape_custom(1, args, 5000, hx, outPtr(0)))).toThrow(/overrun/);
      expect(() => check(e.nr_tape_custom_give(args, 5000, args, 2, outPtr(0)))).toThrow(/no gradient is waiting/);
    } finally {
      check(e.nr_tape_end());
    }
    expect(Array.from(x.data())).toEqual([1, 2, 3]);
    x.dispose();
  });
});
