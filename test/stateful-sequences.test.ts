// Sequences of calls a random fuzzer does not make (found by a break-test of the public API):
// state that must outlive a tidy scope, and what a scope may not take from work still running.
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import './setup.js';

describe('variables and tidy', () => {
  it('a variable made inside tidy outlives the scope, as in TF.js; the scope\'s temporaries do not', () => {
    const before = nr.memory().numTensors;
    let v!: nr.Variable;
    const t = nr.tidy(() => {
      const init = nr.tensor([1, 2]).mul(2);
      v = nr.variable(init);
      return v.sum();
    });
    expect(v.isDisposed).toBe(false);
    expect(Array.from(v.dataSync())).toEqual([2, 4]);
    expect(nr.memory().numTensors).toBe(before + 2); // v and the returned sum
    // It still trains, outside any scope.
    const opt = nr.train.sgd(0.5);
    nr.tidy(() => opt.minimize(() => v.square().sum() as nr.Scalar, false, [v]));
    expect(Array.from(v.dataSync())).toEqual([0, 0]);
    for (const d of [v, t, opt]) d.dispose();
    expect(nr.memory().numTensors).toBe(before);
  });
});

/** A small compiled model and data. */
function setup(seed = 1) {
  const m = nr.sequential({ seed, layers: [nr.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })] });
  m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  const x = nr.randomNormal([16, 4], 0, 1, 'float32', 3);
  const y = nr.oneHot(nr.tensor(Array.from({ length: 16 }, (_, i) => i % 3)), 3);
  return { m, x, y };
}

/** What `p` rejects with. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('fit and the work around it', () => {
  it('fit started inside tidy keeps the tensors it makes (validation slices, class weights)', async () => {
    const { m, x, y } = setup();
    const base = nr.memory().numTensors;
    let p!: Promise<nr.History>;
    nr.tidy(() => {
      p = m.fit(x, y, { epochs: 2, verbose: 0, validationSplit: 0.25, classWeight: { 0: 1, 1: 2, 2: 1 } });
    });
    const h = await p;
    expect(h.history.val_loss).toHaveLength(2);
    expect(nr.memory().numTensors).toBe(base);
    for (const d of [m, x, y]) d.dispose();
  });

  it('x disposed on a microtask while fit runs without callbacks: a DisposedError naming x', async () => {
    const { m, x, y } = setup();
    const p = m.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
    await null;
    x.dispose();
    const e = await rejection(p);
    expect(e).toBeInstanceOf(nr.DisposedError);
    // Before the loop reads x (fit loads its training loop first: train.js), or during training.
    expect(e.message).toMatch(/^fit: x (was disposed during training|is a disposed tensor \(shape \[16,4\]\))/);
    for (const d of [m, y]) d.dispose();
  });

  it('the model disposed right after fit starts: a DisposedError naming fit and the model', async () => {
    const { m, x, y } = setup();
    const p = m.fit(x, y, { epochs: 1, verbose: 0 });
    m.dispose();
    const e = await rejection(p);
    expect(e).toBeInstanceOf(nr.DisposedError);
    expect(e.message).toMatch(/^fit: model sequential_\d+ (is|was) disposed/);
    for (const d of [x, y]) d.dispose();
  });

  it('fitDataset frees the batch it pulled when the generator disposed the model', async () => {
    const { m, x, y } = setup();
    // Tensors forgotten earlier (setup's oneHot input) may be freed by the finalizer meanwhile,
    // whenever a GC runs: they are counted in numLeaked, and added back below.
    const { numTensors: base, numLeaked: leakedBase } = nr.memory();
    let n = 0;
    const ds = nr.data.generator(function* () {
      for (;;) {
        if (n++ === 1) m.dispose();
        yield nr.tidy(() => ({ xs: nr.randomNormal([4, 4]), ys: nr.oneHot(nr.tensor([0, 1, 2, 0]), 3) }));
      }
    });
    const e = await rejection(m.fitDataset(ds, { epochs: 1, batchesPerEpoch: 3, verbose: 0 }));
    expect(e).toBeInstanceOf(nr.DisposedError);
    const after = nr.memory();
    expect(after.numTensors + (after.numLeaked - leakedBase)).toBe(base);
    for (const d of [x, y]) d.dispose();
  });

  it('one callback object in two fits at once is an error; in two fits one after another it works', async () => {
    const a = setup(1);
    const b = setup(2);
    const stop = nr.callbacks.earlyStopping({ monitor: 'loss', patience: 2 });
    const first = a.m.fit(a.x, a.y, { epochs: 2, verbose: 0, callbacks: [stop] });
    const e = await rejection(b.m.fit(b.x, b.y, { epochs: 2, verbose: 0, callbacks: [stop] }));
    expect(e).toBeInstanceOf(nr.InvalidArgumentError);
    expect(e.message).toMatch(/fit: a callback \(\w+\) is already in use by a fit that has not finished/);
    await first;
    await b.m.fit(b.x, b.y, { epochs: 2, verbose: 0, callbacks: [stop] });
    for (const d of [a.m, a.x, a.y, b.m, b.x, b.y]) d.dispose();
  });
});

describe('variableGrads', () => {
  it('f that disposes the variables is told so, not that there are none', () => {
    const v = nr.variable(nr.tensor([1, 2]), true, 'vg_disposed');
    const e = (() => {
      try {
        nr.variableGrads(() => {
          const l = v.square().sum() as nr.Scalar;
          v.dispose();
          return l;
        });
      } catch (err) {
        return err as Error;
      }
      throw new Error('expected an error');
    })();
    expect(e).toBeInstanceOf(nr.InvalidArgumentError);
    expect(e.message).toMatch(/variableGrads: f disposed the variables it was to be differentiated with respect to \(1 trainable variable was live/);
  });
});
