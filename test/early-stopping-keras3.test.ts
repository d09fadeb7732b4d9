// earlyStopping({ startFromEpoch }) against Keras 3's EarlyStopping(start_from_epoch) (TF.js has
// no start_from_epoch; nor restore_best_weights): test/fixtures/keras3-early-stopping.json, written by
// bench/keras/early_stopping.py (Keras 3 on JAX), holds real Keras fits whose epoch logs carry a
// scripted `score`: the epochs that ran, stopped_epoch, and with restore_best_weights the best
// epoch and value. The same scripts are fed here, in the same order of callbacks.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { failTestsThatLeak } from './setup.js';
import * as nr from '../ts/index.js';

await tf.setBackend('cpu');

interface Case {
  script: string;
  initialEpoch?: number;
  args: nr.EarlyStoppingArgs;
  epochs: number[];
  stoppedEpoch: number;
  bestEpoch?: number;
  best?: number | null;
}
const F: { keras: string; scripts: Record<string, number[]>; cases: Case[] } = JSON.parse(readFileSync(new URL('./fixtures/keras3-early-stopping.json', import.meta.url), 'utf8'));

failTestsThatLeak();

/** The weights as plain arrays (the tensors disposed). */
function weights(m: nr.Sequential): Float32Array[] {
  const ws = m.getWeights();
  const out = ws.map((t) => t.data() as Float32Array);
  ws.forEach((t) => t.dispose());
  return out;
}

describe('earlyStopping({ startFromEpoch }) against Keras 3', () => {
  it('the fixture is Keras 3 and covers warm-ups shorter than, equal to and past the run', () => {
    expect(F.keras.startsWith('3.')).toBe(true);
    expect(F.cases.length).toBeGreaterThan(60);
    expect(F.cases.filter((c) => c.stoppedEpoch === 0).length).toBeGreaterThan(10); // warm-ups that outlast the run
    expect(F.cases.filter((c) => c.stoppedEpoch > 0).length).toBeGreaterThan(30);
  });

  it('stops at the epoch Keras 3 stops, runs the epochs it runs, and restores its best epoch', async () => {
    using x = nr.tensor([1, 1, 1, 1, 1, 1, 1, 1], [4, 2]);
    using y = nr.zeros([4, 1]);
    using m = nr.sequential({ seed: 3, layers: [nr.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.01 }), loss: 'meanSquaredError' });
    let differsFromNoWarmup = 0;
    let tfjsNotKeras = 0;
    let restoredBelowBaseline = 0;
    for (const c of F.cases) {
      const script = F.scripts[c.script]!;
      const label = `${c.script} from ${c.initialEpoch ?? 0} ${JSON.stringify(c.args)}`;
      const saved = new Map<number, Float32Array[]>();
      const feed = { onEpochEnd: (e: number, logs?: nr.Logs) => void ((logs!.score = script[e]!), saved.set(e, weights(m))) };
      const es = nr.callbacks.earlyStopping({ monitor: 'score', ...c.args });
      const h = await m.fit(x, y, { epochs: script.length, initialEpoch: c.initialEpoch ?? 0, batchSize: 4, verbose: 0, callbacks: [feed, es] });
      if (c.args.baseline === undefined) {
        expect(h.epoch, label).toEqual(c.epochs);
        expect(es.stoppedEpoch, label).toBe(c.stoppedEpoch);
      } else {
        // With a baseline, Keras 3 and TF.js differ (Keras 3 does not stop while a value improves
        // on the best so far without beating the baseline; TF.js starts its best at the
        // baseline), and neurite follows TF.js: its callback fed only the monitored epochs.
        const t = tfl.callbacks.earlyStopping({ monitor: 'score', ...c.args, startFromEpoch: undefined, restoreBestWeights: undefined } as never) as unknown as { model: unknown; onTrainBegin(): Promise<void>; onEpochEnd(e: number, l: object): Promise<void> };
        const model = { stopTraining: false };
        t.model = model;
        await t.onTrainBegin();
        let stop = 0;
        for (let e = c.args.startFromEpoch ?? 0; e < script.length && !model.stopTraining; e++) {
          await t.onEpochEnd(e, { score: script[e] });
          if (model.stopTraining) stop = e;
        }
        expect(es.stoppedEpoch, label).toBe(stop);
        expect(h.epoch.at(-1), label).toBe(stop || script.length - 1);
        if (stop !== c.stoppedEpoch) tfjsNotKeras++;
      }
      if (c.bestEpoch !== undefined && c.best !== null) {
        // The epoch put back is Keras 3's, also when no epoch beat a baseline; `best` is
        // TF.js's (it starts at the baseline), so it is Keras's only without one.
        expect(es.bestEpoch, label).toBe(c.bestEpoch);
        if (c.args.baseline === undefined) expect(es.best, label).toBe(c.best);
        else if (c.args.mode === 'max' ? c.best! < c.args.baseline : c.best! > c.args.baseline) {
          expect(es.best, label).toBe(c.args.baseline);
          restoredBelowBaseline++;
        }
        expect(weights(m), label).toEqual(saved.get(c.bestEpoch));
      }
      // The same run without the warm-up: the option must change something in most cases.
      if ((c.args.startFromEpoch ?? 0) > 0 && (c.initialEpoch ?? 0) === 0) {
        const plain = nr.callbacks.earlyStopping({ monitor: 'score', ...c.args, startFromEpoch: 0 });
        const h0 = await m.fit(x, y, { epochs: script.length, batchSize: 4, verbose: 0, callbacks: [{ onEpochEnd: (e: number, logs?: nr.Logs) => void (logs!.score = script[e]!) }, plain] });
        if (h0.epoch.length !== h.epoch.length) differsFromNoWarmup++;
      }
    }
    expect(differsFromNoWarmup).toBeGreaterThan(30);
    expect(tfjsNotKeras).toBe(1); // the baseline case where the two differ: Keras 3 runs to epoch 3, TF.js stops at 1
    expect(restoredBelowBaseline).toBe(3); // restoreBestWeights with a baseline no epoch beat
  });

  it("with baseline and minDelta, restores Keras 3's best epoch and says which (it said 'best 0.8800; restored the best weights' and put back 0.86; helper-333)", async () => {
    using x = nr.tensor([1, 1, 1, 1, 1, 1, 1, 1], [4, 2]);
    using y = nr.zeros([4, 1]);
    using m = nr.sequential({ seed: 3, layers: [nr.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.01 }), loss: 'meanSquaredError' });
    const script = [0.83, 0.84, 0.86, 0.88, 0.87, 0.88, 0.86, 0.87];
    const saved = new Map<number, Float32Array[]>();
    const feed = { onEpochEnd: (e: number, logs?: nr.Logs) => void ((logs!.score = script[e]!), saved.set(e, weights(m))) };
    const es = nr.callbacks.earlyStopping({ monitor: 'score', mode: 'max', patience: 4, minDelta: 0.02, baseline: 0.85, restoreBestWeights: true });
    await m.fit(x, y, { epochs: 25, batchSize: 4, verbose: 0, callbacks: [feed, es] });
    // Keras 3: 0.84 does not beat 0.83 by 0.02, 0.86 does, 0.88 does not beat 0.86 by 0.02.
    expect(es.bestEpoch).toBe(2);
    expect(es.best).toBeCloseTo(0.88, 6);
    expect(weights(m)).toEqual(saved.get(2));
    expect(es.stoppedEpoch).toBe(7);
    expect(es.stopReason).toBe('early stopping: score did not improve for 4 epochs (patience 4; best 0.8800); restored the weights of epoch 3 (score 0.8600: Keras 3\'s best, which needs minDelta over the best so far)');
    // No epoch beat the baseline: the best that ran comes back, named (helper-338).
    const es2 = nr.callbacks.earlyStopping({ monitor: 'score', mode: 'max', patience: 3, minDelta: 0.05, baseline: 0.95, restoreBestWeights: true });
    await m.fit(x, y, { epochs: 25, batchSize: 4, verbose: 0, callbacks: [feed, es2] });
    expect(es2.stopReason).toBe('early stopping: score did not improve for 3 epochs (patience 3; baseline 0.9500); restored the weights of epoch 1 (score 0.8300, the best seen: none beat the baseline)');
    expect(weights(m)).toEqual(saved.get(0));
    // Plain patience: the restored epoch is the best reported.
    const es3 = nr.callbacks.earlyStopping({ monitor: 'score', mode: 'max', patience: 2, restoreBestWeights: true });
    await m.fit(x, y, { epochs: 25, batchSize: 4, verbose: 0, callbacks: [feed, es3] });
    expect(es3.stopReason).toBe('early stopping: score did not improve for 2 epochs (patience 2; best 0.8800); restored the weights of epoch 4 (score 0.8800)');
  });

  it('epochs in the warm-up still need the monitor in their logs, and startFromEpoch must be a non-negative integer', async () => {
    using x = nr.tensor([1, 2], [1, 2]);
    using y = nr.zeros([1, 1]);
    using m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await expect(m.fit(x, y, { epochs: 3, verbose: 0, callbacks: [nr.callbacks.earlyStopping({ monitor: 'score', mode: 'min', startFromEpoch: 5 })] })).rejects.toThrow(
      "earlyStopping: monitor 'score' is not in the logs (loss)",
    );
    // A typo of a log fit writes is refused before the first epoch trains (it came after one).
    const before = nr.tidy(() => m.getWeights().map((w) => Array.from(w.dataSync())));
    using x2 = nr.tensor([[1, 2], [3, 4]]);
    using y2 = nr.zeros([2, 1]);
    await expect(m.fit(x2, y2, { epochs: 3, verbose: 0, validationSplit: 0.5, callbacks: [nr.callbacks.earlyStopping({ monitor: 'val_los' })] })).rejects.toThrow(
      "earlyStopping: monitor 'val_los' is not a log of this fit (its logs will be loss, val_loss) — did you mean 'val_loss'?",
    );
    expect(nr.tidy(() => m.getWeights().map((w) => Array.from(w.dataSync())))).toEqual(before);
    for (const bad of [-1, 1.5, NaN, '2', Infinity]) {
      expect(() => nr.callbacks.earlyStopping({ startFromEpoch: bad as number }), String(bad)).toThrow(/^earlyStopping: startFromEpoch must be a non-negative integer \(the epochs of warm-up before monitoring starts\), got /);
    }
    expect(() => nr.callbacks.earlyStopping({ startFromEpooch: 2 } as never)).toThrow(/startFromEpoch/);
    expect(nr.callbacks.earlyStopping({ startFromEpoch: undefined }).args.startFromEpoch).toBe(0);
  });

  it("a log a callback of the user's writes before it may be monitored even a letter from fit's own (compile's AUC advice: 'val_auc' beside 'val_acc')", async () => {
    using x = nr.tensor([[0, 1], [1, 0], [1, 1], [0, 0]]);
    using y = nr.tensor([[1], [0], [1], [0]]);
    using m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid' })] });
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['acc'] });
    const scores = [0.5, 0.7, 0.6, 0.65, 0.9];
    const auc = { onEpochEnd: (epoch: number, logs?: nr.Logs) => void (logs!.val_auc = scores[epoch]) };
    const stop = nr.callbacks.earlyStopping({ monitor: 'val_auc', mode: 'max', patience: 1 });
    const plateau = nr.callbacks.reduceLROnPlateau({ monitor: 'val_auc', mode: 'max', patience: 1, verbose: 0 });
    const h = await m.fit(x, y, { epochs: 5, verbose: 0, validationSplit: 0.5, callbacks: [auc, plateau, stop] });
    // Before: "monitor 'val_auc' is not a log of this fit … — did you mean 'val_acc'?" at the start.
    expect(h.history.val_auc).toEqual([0.5, 0.7, 0.6]);
    expect(h.epoch).toEqual([0, 1, 2]);
    // A writer that starts at epoch 2: epochs 0 and 1 are not counted, with one warning (was:
    // "monitor 'val_auc' is not in the logs … — did you mean 'val_acc'?" at epoch 0).
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const late = { onEpochEnd: (epoch: number, logs?: nr.Logs) => void (epoch >= 2 && (logs!.val_auc = scores[epoch])) };
      const h2 = await m.fit(x, y, { epochs: 5, verbose: 0, validationSplit: 0.5, callbacks: [late, nr.callbacks.earlyStopping({ monitor: 'val_auc', mode: 'max', patience: 1 })] });
      // Counted from epoch 2: 0.6, 0.65 (better), 0.9 (better): no stop.
      expect(h2.epoch).toEqual([0, 1, 2, 3, 4]);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual(["earlyStopping: monitor 'val_auc' is not in the logs of epoch 1 (loss, acc, val_loss, val_acc), so that epoch is not counted (as Keras 3); a callback listed before earlyStopping writes it from a later epoch? (said once per fit)"]);
    } finally {
      warn.mockRestore();
    }
    // Listed after earlyStopping, the writer has not written the log when earlyStopping reads it.    // Listed after earlyStopping, the writer has not written the log when earlyStopping reads it.
    await expect(m.fit(x, y, { epochs: 2, verbose: 0, validationSplit: 0.5, callbacks: [nr.callbacks.earlyStopping({ monitor: 'val_auc', mode: 'max' }), { onEpochEnd: auc.onEpochEnd }] })).rejects.toThrow(
      "earlyStopping: monitor 'val_auc' is not a log of this fit (its logs will be loss, acc, val_loss, val_acc) — did you mean 'val_acc'?; a callback that writes logs.val_auc must come before earlyStopping in the callbacks list",
    );
  });
});
