// MonitorCallback (Keras 3's keras.callbacks.MonitorCallback): the base of earlyStopping,
// reduceLROnPlateau and modelCheckpoint, and a class users subclass for a monitor of their own.
// The reference is Keras 3.15's rule, written out in plain JS: with mode 'min' a value improves
// when `v - (-|minDelta|) < best`, with 'max' when `v - |minDelta| > best`; no best yet (Keras's
// None, neurite's NaN) always improves.
import { describe, expect, it, vi } from 'vitest';
import * as nr from '../ts/index.js';
import './setup.js';

const { layers, optimizers, MonitorCallback } = nr;

function model(): nr.Sequential {
  const m = nr.sequential({ seed: 3, layers: [layers.dense({ inputShape: [3], units: 5, activation: 'tanh' }), layers.dense({ units: 1 })] });
  m.compile({ optimizer: optimizers.sgd({ learningRate: 0.05 }), loss: 'meanSquaredError', metrics: ['mae'] });
  return m;
}

/** Keras 3's MonitorCallback._is_improvement after _set_monitor_op, as plain JS. */
function kerasImproves(direction: 'min' | 'max', minDelta: number, v: number, best: number | null): boolean {
  if (best === null) return true;
  const d = direction === 'min' ? -Math.abs(minDelta) : Math.abs(minDelta);
  return direction === 'min' ? v - d < best : v - d > best;
}

/** A user's monitor: records the epochs at which `monitor` improved, as a Keras subclass would. */
class Improvements extends MonitorCallback {
  epochs: number[] = [];
  begun = 0;
  override onTrainBegin(): void {
    super.onTrainBegin();
    this.begun++;
    this.epochs = [];
  }
  override onEpochEnd(epoch: number, logs: nr.Logs = {}): void {
    const v = this.monitorValue(logs);
    if (this.isImprovement(v)) {
      this.best = v;
      this.epochs.push(epoch);
    }
  }
}

describe('MonitorCallback', () => {
  it('a user subclass follows Keras 3\'s rule on a scripted log (min and max, minDelta of either sign, a baseline, ties)', async () => {
    using x = nr.tensor(Array.from({ length: 21 }, (_, i) => Math.sin(i)), [7, 3]);
    using y = nr.tensor(Array.from({ length: 7 }, (_, i) => Math.cos(i)), [7, 1]);
    using m = model();
    const script = [0.5, 0.5, 0.49995, 0.4, 0.41, 0.4, 0.399, 1e30, -1e-30, -1e-30, 1e-38];
    const cases: { mode: 'min' | 'max'; minDelta: number; baseline?: number }[] = [
      { mode: 'min', minDelta: 0 }, { mode: 'min', minDelta: 1e-3 }, { mode: 'min', minDelta: -1e-3 }, { mode: 'min', minDelta: 0, baseline: 0.45 },
      { mode: 'max', minDelta: 0 }, { mode: 'max', minDelta: 0.05 }, { mode: 'max', minDelta: 0, baseline: 2e30 },
    ];
    for (const c of cases) {
      const cb = new Improvements({ monitor: 'score', ...c });
      const feed = { onEpochEnd: (e: number, logs?: nr.Logs) => void (logs!.score = script[e]) };
      await m.fit(x, y, { epochs: script.length, batchSize: 4, verbose: 0, callbacks: [feed, cb] });
      let best: number | null = c.baseline ?? null;
      const want: number[] = [];
      script.forEach((v, e) => {
        if (kerasImproves(c.mode, c.minDelta, v, best)) {
          best = v;
          want.push(e);
        }
      });
      expect([c, cb.epochs], JSON.stringify(c)).toEqual([c, want]);
      expect(cb.best).toBe(best ?? NaN);
      expect(cb.minDelta).toBe(Math.abs(c.minDelta));
      expect(cb.direction).toBe(c.mode);
    }
  });

  it("reads the direction from the name with mode 'auto', resets best at each fit, and reaches TF.js's acc through Keras's accuracy", async () => {
    using x = nr.tensor(Array.from({ length: 30 }, (_, i) => Math.sin(i * 0.7)), [10, 3]);
    using y = nr.tensor(Array.from({ length: 10 }, (_, i) => Math.cos(i)), [10, 1]);
    using m = model();
    const loss = new Improvements({ monitor: 'loss' });
    const mae = new Improvements({ monitor: 'val_mae', baseline: 0 });
    const h = await m.fit(x, y, { epochs: 6, verbose: 0, validationData: [x, y], callbacks: [loss, mae] });
    expect([loss.direction, mae.direction]).toEqual(['min', 'min']);
    const want: number[] = [];
    let best = Infinity;
    h.history.loss.forEach((v, e) => v < best && (want.push(e), (best = v)));
    expect(loss.epochs).toEqual(want);
    expect(loss.best).toBe(best);
    expect(mae.epochs).toEqual([]); // nothing beats a baseline of 0 mae
    expect(mae.best).toBe(0);
    await m.fit(x, y, { epochs: 1, verbose: 0, validationData: [x, y], callbacks: [loss, mae] });
    expect([loss.begun, loss.epochs]).toEqual([2, [0]]); // best was reset to NaN: the first epoch improves
    const acc = new Improvements({ monitor: 'accuracy', mode: 'auto' });
    expect(acc.direction).toBe('max');
    expect(acc.monitorValue({ loss: 1, acc: 0.75 })).toBe(0.75);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(new Improvements({ monitor: 'myScore' }).direction).toBe('min');
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/^Improvements: mode 'auto' cannot tell whether 'myScore' should rise or fall/);
    } finally {
      warn.mockRestore();
    }
  });

  it('errors name the subclass (or the name it passes), the argument and the value', async () => {
    expect(() => new Improvements({ monitor: '' })).toThrow("Improvements: monitor must be the name of a log such as 'val_loss', got the string \"\"");
    expect(() => new Improvements({ mode: 'up' as never })).toThrow("Improvements: mode must be 'min', 'max' or 'auto', got the string \"up\"");
    expect(() => new Improvements({ minDelta: Infinity })).toThrow('Improvements: minDelta must be a finite number, got Infinity');
    expect(() => new Improvements({ baseline: NaN }, 'myMonitor')).toThrow('myMonitor: baseline must be a finite number, got NaN');
    expect(() => new Improvements(null as never)).toThrow(/^Improvements: args must be an object/);
    expect(() => new Improvements({}).monitorValue({ loss: 1 })).toThrow("Improvements: monitor 'val_loss' is not in the logs (loss); pass validation data for val_* monitors");
    using x = nr.tensor([1, 2, 3], [1, 3]);
    using y = nr.tensor([1], [1, 1]);
    using m = model();
    const before = nr.memory().numTensors;
    await expect(m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [new Improvements()] })).rejects.toThrow("Improvements: monitor 'val_loss' needs validation data, but this fit has none");
    expect(nr.memory().numTensors).toBe(before);
  });

  it('earlyStopping, reduceLROnPlateau and modelCheckpoint are MonitorCallbacks with their own minDelta rule', () => {
    const es = nr.callbacks.earlyStopping({ minDelta: -0.1 });
    const lr = nr.callbacks.reduceLROnPlateau({ minDelta: -0.1, mode: 'min' });
    const ck = nr.callbacks.modelCheckpoint({ filepath: 'file:///tmp/never', mode: 'max', initialValueThreshold: 3 });
    for (const cb of [es, lr, ck]) expect(cb).toBeInstanceOf(MonitorCallback);
    // earlyStopping: |minDelta| (TF.js and Keras): 0.95 does not beat 1 by 0.1.
    expect(es.isImprovement(0.95, 1)).toBe(false);
    // reduceLROnPlateau keeps its minDelta as given: a value 0.05 worse still counts.
    lr.setModel({ learningRate: 0.1 } as never);
    lr.onTrainBegin();
    lr.onEpochEnd(0, { val_loss: 1 });
    lr.onEpochEnd(1, { val_loss: 1.05 });
    expect([lr.best, lr.minDelta, lr.args.minDelta]).toEqual([1.05, 0.1, -0.1]);
    // modelCheckpoint: no minDelta, initialValueThreshold is the baseline.
    expect([ck.minDelta, ck.baseline, ck.isImprovement(3.0000001, 3), ck.isImprovement(3, 3)]).toEqual([0, 3, true, false]);
  });

  it("modelCheckpoint takes Keras's positional form (filepath, options) too", () => {
    const a = nr.callbacks.modelCheckpoint('file:///tmp/never-{epoch}', { saveBestOnly: true, monitor: 'loss' });
    const b = nr.callbacks.modelCheckpoint({ filepath: 'file:///tmp/never-{epoch}', saveBestOnly: true, monitor: 'loss' });
    expect(a.args).toEqual(b.args);
    expect(nr.callbacks.modelCheckpoint('file:///tmp/never').args.filepath).toBe('file:///tmp/never');
    expect(() => nr.callbacks.modelCheckpoint('file:///tmp/x', { filepath: 'file:///tmp/y' } as never)).toThrow('modelCheckpoint: filepath is given twice, as argument 1 and in the options');
    expect(() => nr.callbacks.modelCheckpoint('file:///tmp/x', 3 as never)).toThrow('modelCheckpoint: options (argument 2) must be an object like { saveBestOnly: true }, got 3');
    expect(() => (nr.callbacks.modelCheckpoint as (a: unknown, b: unknown) => unknown)({ filepath: 'file:///tmp/x' }, { saveBestOnly: true })).toThrow(/^modelCheckpoint: a second argument goes with a filepath first/);
    expect(() => nr.callbacks.modelCheckpoint('x-{epoch}')).toThrow(nr.InvalidArgumentError);
  });
});

// A tester's training service stopped a fit mid-epoch (an HTTP /stop, terminateOnNaN, a dataset
// that ran out): that epoch is not validated (as TF.js 4.22), and every callback watching a
// val_* log threw "pass validation data for val_* monitors", so fit rejected and lost its
// history and restoreBestWeights. Now the epoch is not counted, with a warning, as TF.js.
describe('an epoch a stop cut short (not validated) with callbacks watching val_*', () => {
  it('fit resolves with its history; earlyStopping restores its best epoch, reduceLROnPlateau and a {val_loss} checkpoint skip the epoch', async () => {
    const m = model();
    m.compile({ optimizer: optimizers.sgd(0.05), loss: 'meanSquaredError' });
    const x = nr.randomNormal([40, 3], 0, 1, 'float32', 3);
    const y = nr.tidy(() => x.sum(1, true));
    const saved: string[] = [];
    const handler = { save: async (a: nr.ModelArtifacts) => (saved.push(String(a.modelTopology !== undefined)), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' as const } }) };
    const early = nr.callbacks.earlyStopping({ monitor: 'val_loss', patience: 10, restoreBestWeights: true });
    const plateau = nr.callbacks.reduceLROnPlateau({ monitor: 'val_loss', patience: 10 });
    const checkpoint = nr.callbacks.modelCheckpoint({ filepath: 'file:///nonexistent-neurite/ckpt-{epoch:02d}-{val_loss:.4f}' });
    const named = nr.callbacks.modelCheckpoint({ filepath: handler as never });
    // Stops in epoch 2's second batch (of 4).
    const stop = { onBatchEnd: () => void (seen++ === 9 && (m.stopTraining = true)) };
    let seen = 0;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const h = await m.fit(x, y, { epochs: 5, batchSize: 8, validationSplit: 0.2, shuffle: false, verbose: 0, callbacks: [stop, early, plateau, named] });
      expect(h.epoch).toEqual([0, 1, 2]);
      expect(h.history.val_loss).toHaveLength(2);
      const said = warn.mock.calls.map((c) => String(c[0]));
      expect(said).toEqual(expect.arrayContaining([
        'earlyStopping: epoch 3 was cut short by a stop and not validated (as TF.js), so it has no val_loss: that epoch is not counted',
        'reduceLROnPlateau: epoch 3 was cut short by a stop and not validated (as TF.js), so it has no val_loss: that epoch is not counted',
      ]));
      // The best epoch's weights are back (restoreBestWeights as the epochs ended).
      expect(early.bestEpoch).toBe(h.history.val_loss.indexOf(Math.min(...h.history.val_loss)));
      expect(saved).toHaveLength(3); // the handler's checkpoint needs no log: every epoch
      // The template names val_loss: the unvalidated epoch is not saved (and nothing throws).
      warn.mockClear();
      seen = 0;
      m.stopTraining = false;
      const h2 = await m.fit(x, y, { epochs: 3, batchSize: 8, validationSplit: 0.2, shuffle: false, verbose: 0, callbacks: [{ onBatchEnd: () => void (seen++ === 1 && (m.stopTraining = true)) }, checkpoint] });
      expect(h2.epoch).toEqual([0]);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual(["modelCheckpoint: epoch 1 was cut short by a stop and not validated (as TF.js), so filepath 'file:///nonexistent-neurite/ckpt-{epoch:02d}-{val_loss:.4f}' cannot be named from its logs: that epoch is not saved"]);
    } finally {
      warn.mockRestore();
      nr.dispose([x, y, m]);
    }
  });
});
