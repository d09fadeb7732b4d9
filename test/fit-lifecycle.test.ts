// The life of a `fit` call (issue 7, items 5, 18 and 20): every way out — success, an error,
// a stop — frees what fit and its callbacks made; disposing the model or the data from a
// callback, or resetting the instance, stops training with an error that says so instead of
// training something else; mismatched sample counts are reported before anything is sliced.
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { data, model, rejection } from './fit-helpers.js';
import { failTestsThatLeak } from './setup.js';

// A forgotten tensor here is freed by the finalizer at some later GC, which then changes the
// live counts another test compares (the CI of 7d8fb6d failed so).
failTestsThatLeak();

/** Live objects now: tensors and all handles (models included). */
const live = () => {
  const m = nr.memory();
  return { numTensors: m.numTensors, numHandles: m.numHandles };
};

describe('item 20: x and y sample counts are checked before anything is made', () => {
  it('fewer y than x with validationSplit: a ShapeError naming fit, x, y and both counts, and no leak', async () => {
    const m = model();
    const { x, y } = data(10, 8);
    const before = live();
    const err = await rejection(m.fit(x, y, { validationSplit: 0.2, verbose: 0 }));
    expect(err).toBeInstanceOf(nr.ShapeError);
    // Before: "slice: ..." from slicing y, and the training slice of x leaked.
    expect(err.message).toBe('fit: x has 10 samples (shape [10,3]) but y has 8 (shape [8,2]); the first dimension of both is the batch');
    expect(live()).toEqual(before);
    x.dispose(); y.dispose(); m.dispose();
  });

  it('any failure after the validation slices exist frees them (bad targets, bad validation data)', async () => {
    const m = model();
    const { x, y: unused } = data(10);
    unused.dispose();
    const wide = nr.zeros([10, 5]); // the model predicts 2 values per sample
    const before = live();
    const err = await rejection(m.fit(x, wide, { validationSplit: 0.3, verbose: 0 }));
    expect(err).toBeInstanceOf(nr.ShapeError);
    expect(err.message).toMatch(/^fit: meanSquaredError on y: /);
    expect(live()).toEqual(before);
    const { x: vx, y: vy } = data(4);
    vy.dispose();
    const vyBad = nr.zeros([3, 2]);
    const y = nr.zeros([10, 2]);
    const before2 = live();
    const err2 = await rejection(m.fit(x, y, { validationData: [vx, vyBad], verbose: 0 }));
    expect(err2.message).toBe('fit: validationData: x has 4 samples (shape [4,3]) but y has 3 (shape [3,2]); the first dimension of both is the batch');
    expect(live()).toEqual(before2);
    for (const t of [x, wide, vx, vyBad, y]) t.dispose();
    m.dispose();
  });
});

describe('validation options', () => {
  it('validationSplit 0 and validationData null mean none (the TF.js and Keras defaults); out-of-range splits are errors', async () => {
    const m = model();
    const { x, y } = data(10);
    const before = live();
    for (const args of [{ validationSplit: 0 }, { validationSplit: null as never }, { validationData: null }]) {
      const h = await m.fit(x, y, { ...args, verbose: 0 });
      expect(Object.keys(h.history)).toEqual(['loss']);
    }
    for (const s of [-0.1, 1, NaN, '0.2']) {
      const err = await rejection(m.fit(x, y, { validationSplit: s as never, verbose: 0 }));
      expect(err.message).toMatch(/^fit: validationSplit must be a number in \[0, 1\), got /);
    }
    expect(live()).toEqual(before);
    x.dispose(); y.dispose(); m.dispose();
  });
});

describe('item 18: every way out of fit runs the same cleanup', () => {
  /** A callback recording its hooks, including cleanup. */
  const recorder = () => {
    const calls: string[] = [];
    return {
      calls,
      onTrainEnd: () => void calls.push('onTrainEnd'),
      cleanup: () => void calls.push('cleanup'),
    };
  };

  it('earlyStopping with restoreBestWeights frees its weight copies when fit fails part-way', async () => {
    const m = model();
    const { x, y } = data(10);
    const before = live();
    const es = nr.callbacks.earlyStopping({ monitor: 'loss', patience: 10, restoreBestWeights: true });
    const rec = recorder();
    const boom = { onEpochEnd: (epoch: number) => { if (epoch === 2) throw new Error('boom at epoch 2'); } };
    const err = await rejection(m.fit(x, y, { epochs: 5, verbose: 0, callbacks: [es, boom, rec] }));
    expect(err.message).toBe('boom at epoch 2');
    // Before: the 4 weight copies (2 kernels, 2 biases) stayed alive, unreachable.
    expect(live()).toEqual(before);
    // onTrainEnd is not called on an error (as Keras and TF.js), but cleanup is.
    expect(rec.calls).toEqual(['cleanup']);
    x.dispose(); y.dispose(); m.dispose();
  });

  it('the same on success and on an early stop, and cleanup runs once per fit', async () => {
    const m = model();
    const { x, y } = data(10);
    const before = live();
    const rec = recorder();
    const es = nr.callbacks.earlyStopping({ monitor: 'loss', restoreBestWeights: true, patience: 1 });
    await m.fit(x, y, { epochs: 3, verbose: 0, callbacks: [es, rec] });
    expect(live()).toEqual(before);
    expect(rec.calls).toEqual(['onTrainEnd', 'cleanup']);
    // A stop: a monitor that never improves (mode max on a falling loss).
    const stopper = nr.callbacks.earlyStopping({ monitor: 'loss', mode: 'max', restoreBestWeights: true, patience: 1 });
    const rec2 = recorder();
    const h = await m.fit(x, y, { epochs: 20, verbose: 0, callbacks: [stopper, rec2] });
    expect(h.epoch.length).toBe(2);
    expect(stopper.stoppedEpoch).toBe(1);
    expect(live()).toEqual(before);
    expect(rec2.calls).toEqual(['onTrainEnd', 'cleanup']);
    x.dispose(); y.dispose(); m.dispose();
  });

  it('an error in one cleanup does not skip the others, nor hide the error that ended training', async () => {
    const m = model();
    const { x, y } = data(10);
    const before = live();
    const es = nr.callbacks.earlyStopping({ monitor: 'loss', patience: 10, restoreBestWeights: true });
    const bad = { cleanup: () => { throw new Error('cleanup failed'); } };
    const boom = { onEpochEnd: () => { throw new Error('boom'); } };
    const err = await rejection(m.fit(x, y, { epochs: 3, verbose: 0, callbacks: [bad, es, boom] }));
    // Training's error, told of the cleanup's (its message and its cause), not replaced by it.
    expect(err.message).toBe("boom; then a callback's cleanup failed too: cleanup failed");
    expect((err.cause as Error).message).toBe('cleanup failed');
    expect(live()).toEqual(before);
    // Without another error, the cleanup error is reported.
    expect((await rejection(m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [bad, es] }))).message).toBe('cleanup failed');
    expect(live()).toEqual(before);
    x.dispose(); y.dispose(); m.dispose();
  });

  it('an async cleanup is awaited in fit and fitDataset: it has finished before fit settles, and its rejection is fit\'s (was an unhandled rejection after fit resolved)', async () => {
    const m = model();
    const { x, y } = data(10);
    const before = live();
    const later = () => new Promise((r) => setTimeout(r, 10));
    const events: string[] = [];
    class Logger extends nr.Callback {
      override async cleanup(): Promise<void> {
        await later();
        events.push('log closed');
      }
    }
    const ds = () => nr.data.zip({ xs: nr.data.array([[1, 2, 3], [4, 5, 6]]), ys: nr.data.array([[1, 0], [0, 1]]) }).batch(2);
    const closing = { cleanup: async () => { await later(); throw new Error('could not close log file'); } };
    for (const op of ['fit', 'fitDataset'] as const) {
      const train = (callbacks: nr.CallbackHooks[]) => (op === 'fit' ? m.fit(x, y, { epochs: 1, verbose: 0, callbacks }) : m.fitDataset(ds(), { epochs: 1, verbose: 0, callbacks }));
      events.length = 0;
      await train([new Logger()]);
      events.push(`${op} resolved`);
      expect(events).toEqual(['log closed', `${op} resolved`]);
      // A rejection: the other cleanups run, and fit rejects with it.
      events.length = 0;
      expect((await rejection(train([closing, new Logger()]))).message).toBe('could not close log file');
      expect(events).toEqual(['log closed']);
      // Training failed too: its error (class kept, for instanceof checks) told of both cleanups'.
      const fail = { onEpochEnd: () => { throw new nr.InvalidArgumentError('bad epoch'); } };
      const second = { cleanup: () => { throw new Error('second'); } };
      const err = await rejection(train([closing, fail, second]));
      expect(err).toBeInstanceOf(nr.InvalidArgumentError);
      expect(err.message).toBe('bad epoch; then 2 cleanups failed too: could not close log file; second');
      expect((err.cause as Error).message).toBe('could not close log file');
      // A thrown value that is not an Error cannot carry them: an AggregateError of all three.
      const agg = await rejection(train([closing, { onEpochEnd: () => { throw 'bad epoch'; } }]));
      expect(agg).toBeInstanceOf(AggregateError);
      expect(agg.message).toBe(`${op}: bad epoch; then a callback's cleanup failed too: could not close log file`);
      expect((agg as AggregateError).errors.map(String)).toEqual(['bad epoch', 'Error: could not close log file']);
    }
    expect(live()).toEqual(before);
    x.dispose(); y.dispose(); m.dispose();
  });

  it('hooks that are not functions are rejected before training', async () => {
    const m = model();
    const { x, y } = data(4);
    const err = await rejection(m.fit(x, y, { verbose: 0, callbacks: [{ onEpochEnd: 5 } as never] }));
    expect(err).toBeInstanceOf(nr.InvalidArgumentError);
    expect(err.message).toBe('fit: callbacks[0].onEpochEnd must be a function, got 5');
    x.dispose(); y.dispose(); m.dispose();
  });

  it("a function named like a hook that is not one is an error, not a hook that never runs ('did you mean')", async () => {
    const m = model();
    const { x, y } = data(4);
    const ran: number[] = [];
    const err = await rejection(m.fit(x, y, { verbose: 0, callbacks: [{ onEpochEnds: (e: number) => ran.push(e) } as never] }));
    expect(err).toBeInstanceOf(nr.InvalidArgumentError);
    expect(err.message).toBe("fit: callbacks[0] has an unknown hook 'onEpochEnds' — did you mean 'onEpochEnd'? (hooks: onTrainBegin, onTrainEnd, onEpochBegin, onEpochEnd, onBatchBegin, onBatchEnd, onYield, cleanup)");
    expect(ran).toEqual([]);
    class Typo extends nr.Callback { onEpochEnds(): void {} }
    expect((await rejection(m.fit(x, y, { verbose: 0, callbacks: [{}, new Typo()] }))).message).toMatch(/^fit: callbacks\[1\] has an unknown hook 'onEpochEnds' — did you mean 'onEpochEnd'\?/);
    // Other fields and methods are the callback's own: a plain object with state, a subclass with helpers.
    const counter = { n: 0, onEpoch: 5, bump(): void { this.n++; }, onEpochEnd(): void { this.bump(); } };
    class Counter extends nr.Callback { n = 0; helper(): void { this.n++; } override onEpochEnd(): void { this.helper(); } }
    const c = new Counter();
    await m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [c, counter] });
    expect([c.n, counter.n]).toEqual([2, 2]);
    x.dispose(); y.dispose(); m.dispose();
  });

  it("TF.js's onYield(epoch, batch, logs) runs each time fit yields to the event loop (it was ignored)", async () => {
    const m = model();
    const { x, y } = data(8);
    const yields: Array<[number, number, string[]]> = [];
    await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, yieldEveryMs: 0, callbacks: { onYield: (epoch, batch, logs) => void yields.push([epoch, batch, Object.keys(logs ?? {})]) } });
    expect(yields.map(([e, b]) => [e, b])).toEqual([[0, 0], [0, 1], [1, 0], [1, 1]]);
    expect(yields[0][2]).toContain('loss');
    x.dispose(); y.dispose(); m.dispose();
  });
});

describe('item 5: disposing what fit uses, from a callback, stops it with an error that says so', () => {
  const cases: Array<[string, (k: { m: nr.Sequential; x: nr.Tensor; y: nr.Tensor; vx: nr.Tensor; vy: nr.Tensor }) => void, RegExp]> = [
    ['the model', (k) => k.m.dispose(), /^fit: model sequential_\d+ was disposed during training \(epoch 2\/\d+, batch 3\); fit stopped$/],
    ['x', (k) => k.x.dispose(), /^fit: x was disposed during training \(epoch 2\/\d+, batch 3\); fit stopped$/],
    ['y', (k) => k.y.dispose(), /^fit: y was disposed during training \(epoch 2\/\d+, batch 3\); fit stopped$/],
    ['validation x', (k) => k.vx.dispose(), /^fit: validationData\[0\] was disposed during training \(epoch 2\/\d+, batch 3\); fit stopped$/],
    ['validation y', (k) => k.vy.dispose(), /^fit: validationData\[1\] was disposed during training \(epoch 2\/\d+, batch 3\); fit stopped$/],
  ];
  for (const [what, kill, msg] of cases) {
    it(`${what}, in onBatchEnd`, async () => {
      const m = model();
      const { x, y } = data(10);
      const { x: vx, y: vy } = data(4);
      const before = live();
      const es = nr.callbacks.earlyStopping({ monitor: 'loss', patience: 10, restoreBestWeights: true });
      let batchesAfter = 0;
      let killed = false;
      const cb = {
        onBatchEnd: (b: number) => {
          if (killed) batchesAfter++;
          if (b === 2 && !killed && es.stoppedEpoch === 0 && seenEpochs === 1) {
            killed = true;
            kill({ m, x, y, vx, vy });
          }
        },
        onEpochEnd: () => void seenEpochs++,
      };
      let seenEpochs = 0;
      const err = await rejection(m.fit(x, y, { epochs: 3, batchSize: 2, verbose: 0, validationData: [vx, vy], callbacks: [es, cb] }));
      expect(err).toBeInstanceOf(nr.DisposedError);
      expect(err.message).toMatch(msg);
      expect(batchesAfter).toBe(0);
      // Everything fit and earlyStopping made is freed; only what the test disposed is gone.
      const after = live();
      const gone = what === 'the model' ? { numTensors: 0, numHandles: 1 } : { numTensors: 1, numHandles: 1 };
      expect(after).toEqual({ numTensors: before.numTensors - gone.numTensors, numHandles: before.numHandles - gone.numHandles });
      for (const t of [x, y, vx, vy]) t.dispose();
      m.dispose();
    });
  }

  it('with validationSplit, disposing the caller\'s x still stops fit (and frees the slices)', async () => {
    const m = model();
    const { x, y } = data(10);
    const before = live();
    const err = await rejection(m.fit(x, y, { epochs: 2, validationSplit: 0.3, verbose: 0, callbacks: { onEpochEnd: () => x.dispose() } }));
    expect(err.message).toBe('fit: x was disposed during training (end of epoch 1/2); fit stopped');
    expect(live()).toEqual({ numTensors: before.numTensors - 1, numHandles: before.numHandles - 1 });
    y.dispose(); m.dispose();
  });

  it("the model disposed in an onTrainEnd before earlyStopping's (a search freeing each trial): fit resolves, restoring into nothing (was: 'setWeights: model … is disposed')", async () => {
    const m = model();
    const { x, y } = data(10);
    const before = live();
    const es = nr.callbacks.earlyStopping({ monitor: 'loss', restoreBestWeights: true });
    const h = await m.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [{ onTrainEnd: () => void m.dispose() }, es] });
    expect(h.history.loss).toHaveLength(3);
    expect(m.isDisposed).toBe(true);
    // The best weights' copies are freed with the model's weights.
    expect(live()).toEqual({ numTensors: before.numTensors, numHandles: before.numHandles - 1 });
    x.dispose(); y.dispose();
  });
});

describe('one fit at a time per model', () => {
  it('a second fit before the first settles is an error (the two would share the sample order); afterwards fit works again', async () => {
    const m = model();
    const { x, y } = data(10);
    const { x: x2, y: y2 } = data(6);
    let inner: Error | null = null;
    const cb = {
      onEpochEnd: async () => {
        if (!inner) inner = await rejection(m.fit(x2, y2, { verbose: 0 }));
      },
    };
    const first = m.fit(x, y, { epochs: 2, verbose: 0, callbacks: cb });
    const second = await rejection(m.fit(x2, y2, { verbose: 0 }));
    expect(second).toBeInstanceOf(nr.InvalidArgumentError);
    expect(second.message).toMatch(/^fit: model sequential_\d+ is already training \(another fit\(\) call has not finished\); await it first, or, if its promise was lost \(Ctrl-C on await model.fit\(…\) in a REPL\), set model.stopTraining = true to end it after its current batch$/);
    expect((await first).epoch).toEqual([0, 1]);
    expect((inner as Error | null)?.message).toMatch(/is already training/);
    await m.fit(x2, y2, { verbose: 0 });
    for (const t of [x, y, x2, y2]) t.dispose();
    m.dispose();
  });

  it('compile and trainOnBatch inside a running fit are errors (they switched the loss or interleaved steps); evaluate and predict are fine', async () => {
    const m = model();
    const { x, y } = data(10);
    const seen: string[] = [];
    const cb = {
      onEpochEnd: () => {
        for (const [name, f] of [['compile', () => m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' })], ['trainOnBatch', () => m.trainOnBatch(x, y)]] as const) {
          try {
            f();
            seen.push(`${name}: ran`);
          } catch (e) {
            seen.push((e as Error).message.replace(/sequential_\d+/, 'M'));
          }
        }
        m.predict(x).dispose();
        m.evaluate(x, y, { returnDict: true });
      },
    };
    await m.fit(x, y, { epochs: 1, verbose: 0, callbacks: cb });
    expect(seen).toEqual([
      'compile: model M is training (a fit() call has not finished); call compile before fit or after it (a callback may evaluate or predict)',
      'trainOnBatch: model M is training (a fit() call has not finished); call trainOnBatch before fit or after it (a callback may evaluate or predict)',
    ]);
    expect(typeof m.trainOnBatch(x, y)).toBe('number');
    for (const t of [x, y]) t.dispose();
    m.dispose();
  });
});
