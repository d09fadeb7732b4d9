// callbacks.modelCheckpoint (Keras 3's ModelCheckpoint; TF.js has none), from a Kaggle user's
// report: k-fold training wants the best epoch of each fold on disk. The checks: the best
// checkpoint holds the epoch with the lowest val_loss (its evaluate equals that log), Keras's
// file names ({epoch:02d}, {val_loss:.4f}), a resume from a checkpoint equals training
// straight through bit for bit, a handler object, and the errors.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as nr from '../ts/index.js';
import { rejection, weightBits as bits } from './fit-helpers.js';
import './setup.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'neurite-ckpt-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function model(seed = 1): nr.Sequential {
  const m = nr.sequential({ seed, layers: [nr.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }), nr.layers.dropout({ rate: 0.2 }), nr.layers.dense({ units: 3, activation: 'softmax' })] });
  m.compile({ optimizer: nr.optimizers.adam(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

function data(n: number, shift: number): { x: nr.Tensor; y: nr.Tensor } {
  const x = nr.tensor(Array.from({ length: n * 4 }, (_, i) => Math.sin(i * 1.3 + shift) + 0.2 * Math.cos(i * 0.7)), [n, 4]);
  const y = nr.tidy(() => nr.oneHot(nr.tensor(Array.from({ length: n }, (_, i) => (i * 5 + shift) % 3)), 3));
  return { x, y };
}

describe('callbacks.modelCheckpoint', () => {
  it('saveBestOnly keeps the epoch with the lowest val_loss: the loaded checkpoint evaluates to exactly that log', async () => {
    const train = data(45, 0);
    const val = data(17, 1); // noisy labels: val_loss falls, then rises as the model overfits
    const m = model();
    const best = nr.callbacks.modelCheckpoint({ filepath: `file://${dir}/best`, saveBestOnly: true });
    const saves: number[] = [];
    const spy = { onEpochEnd: (e: number) => void (best.lastSaved !== null && saves.push(e)) };
    const h = await m.fit(train.x, train.y, { epochs: 30, batchSize: 8, seed: 3, validationData: [val.x, val.y], callbacks: [best, spy], verbose: 0 });
    const losses = h.history.val_loss as number[];
    const min = Math.min(...losses);
    expect(losses.indexOf(min)).toBeLessThan(29); // the run went past its best epoch, so "best" is not "last"
    expect(best.best).toBe(min);
    expect(best.lastSaved).toBe(`file://${dir}/best`);
    const loaded = (await nr.loadModel(`file://${dir}/best`)) as nr.Sequential;
    const ev = loaded.evaluate(val.x, val.y, { batchSize: 17, returnDict: true });
    expect(ev.loss).toBeCloseTo(min, 6);
    expect(bits(loaded)).not.toEqual(bits(m));
    // The optimizer state came along (Keras saves it): the loaded model is compiled.
    expect(loaded.optimizer?.name).toBe('adam');
    for (const t of [train.x, train.y, val.x, val.y, m, loaded]) t.dispose();
  });

  it("fills Keras's file names: {epoch:02d} from 1, {val_loss:.4f}, {loss:.2e} with Python's two exponent digits, and any log", async () => {
    const train = data(20, 0);
    const m = model();
    const ckpt = nr.callbacks.modelCheckpoint({ filepath: `file://${dir}/m-{epoch:02d}-{val_loss:.4f}-{loss:.2e}-{acc}`, includeOptimizer: false });
    const h = await m.fit(train.x, train.y, { epochs: 3, batchSize: 10, seed: 1, validationSplit: 0.25, callbacks: [ckpt], verbose: 0 });
    const want = [0, 1, 2].map((e) => {
      const exp = (h.history.loss[e] as number).toExponential(2).replace(/e([+-])(\d)$/, 'e$10$2');
      return `m-${String(e + 1).padStart(2, '0')}-${(h.history.val_loss[e] as number).toFixed(4)}-${exp}-${h.history.acc[e]}`;
    });
    expect(readdirSync(dir).sort()).toEqual(want.sort());
    expect(want[0]).toMatch(/^m-01-\d\.\d{4}-\d\.\d\de[+-]\d\d-/);
    expect(ckpt.lastSaved).toBe(`file://${dir}/${want[2]}`);
    for (const t of [train.x, train.y, m]) t.dispose();
  });

  it('a checkpoint of every epoch resumes with fit({ initialEpoch }) bit-identical to training straight through', async () => {
    const { x, y } = data(30, 2);
    const args = { batchSize: 7, seed: 9, validationSplit: 0.2, verbose: 0 as const };
    const whole = model(4);
    await whole.fit(x, y, { ...args, epochs: 5 });
    const first = model(4);
    await first.fit(x, y, { ...args, epochs: 5, callbacks: [nr.callbacks.modelCheckpoint({ filepath: `file://${dir}/e{epoch}` })] });
    expect(readdirSync(dir).sort()).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    const resumed = (await nr.loadModel(`file://${dir}/e3`)) as nr.Sequential;
    await resumed.fit(x, y, { ...args, epochs: 5, initialEpoch: 3 });
    expect(bits(resumed)).toEqual(bits(whole));
    for (const t of [x, y, whole, first, resumed]) t.dispose();
  });

  it("mode 'auto' maximizes val_acc; initialValueThreshold holds saves back until beaten; a handler object gets each save; verbose prints Keras's lines", async () => {
    const train = data(24, 0);
    const m = model();
    const saved: nr.ModelArtifacts[] = [];
    const handler = { save: async (a: nr.ModelArtifacts) => (saved.push(a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' as const } }) };
    const script = [0.5, 0.7, 0.6, 0.9, 0.8];
    const feed = { onEpochEnd: (e: number, logs?: nr.Logs) => void (logs!.val_acc = script[e]) };
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const ckpt = nr.callbacks.modelCheckpoint({ filepath: handler, monitor: 'val_acc', saveBestOnly: true, initialValueThreshold: 0.6, verbose: 1 });
    await m.fit(train.x, train.y, { epochs: 5, batchSize: 8, validationSplit: 0.25, callbacks: [feed, ckpt], verbose: 0 });
    const lines = log.mock.calls.map((c) => String(c[0]));
    log.mockRestore();
    expect(saved).toHaveLength(2); // epochs 2 (0.7 beats 0.6) and 4 (0.9)
    expect(ckpt.best).toBe(0.9);
    expect(ckpt.lastSaved).toBeNull(); // a handler has no path
    expect(lines).toEqual([
      'Epoch 1: val_acc did not improve from 0.6000',
      'Epoch 2: val_acc improved from 0.6000 to 0.7000, saving model to the handler',
      'Epoch 3: val_acc did not improve from 0.7000',
      'Epoch 4: val_acc improved from 0.7000 to 0.9000, saving model to the handler',
      'Epoch 5: val_acc did not improve from 0.9000',
    ]);
    for (const t of [train.x, train.y, m]) t.dispose();
  });

  it("the best value carries over from one fit to the next, as Keras 3's (each fit reset it, so a diverging later fit overwrote the best checkpoint)", async () => {
    const train = data(24, 0);
    const m = model();
    const saved: number[] = [];
    const handler = { save: async () => (saved.push(epochNow), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' as const } }) };
    let epochNow = 0;
    const script = [0.3, 0.1, 7e8, 0.05];
    const feed = { onEpochEnd: (e: number, logs?: nr.Logs) => void ((epochNow = e), (logs!.val_loss = script[e])) };
    const ckpt = nr.callbacks.modelCheckpoint({ filepath: handler, saveBestOnly: true });
    // One fit per epoch (fresh augmentation each time), the same callback.
    for (let e = 0; e < 4; e++) await m.fit(train.x, train.y, { epochs: e + 1, initialEpoch: e, batchSize: 8, validationSplit: 0.25, callbacks: [feed, ckpt], verbose: 0 });
    expect(saved).toEqual([0, 1, 3]); // not epoch 2's 7e8
    expect(ckpt.best).toBe(0.05);
    // A new callback starts from none.
    expect(nr.callbacks.modelCheckpoint({ filepath: handler, saveBestOnly: true }).best).toBeNaN();
    for (const t of [train.x, train.y, m]) t.dispose();
  });

  it('a model compiled with a loss function: refused before the first epoch unless includeOptimizer: false (it failed at the end of epoch 1 naming save)', async () => {
    const m = model();
    m.compile({ optimizer: 'rmsprop', loss: (t: nr.Tensor, p: nr.Tensor) => nr.mean(nr.square(nr.sub(t, p)), -1) });
    const { x, y } = data(12, 0);
    const before = bits(m);
    const epochs: number[] = [];
    const err = await rejection(m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [nr.callbacks.modelCheckpoint({ filepath: `file://${dir}/m-{epoch}` }), { onEpochEnd: (e: number) => void epochs.push(e) }] }));
    expect(err.message).toMatch(/^modelCheckpoint: model sequential_\d+ is compiled with a loss function, which cannot be saved with the optimizer \(includeOptimizer, this callback's default\); pass modelCheckpoint\(\{ …, includeOptimizer: false \}\)/);
    expect(epochs).toEqual([]);
    expect(bits(m)).toEqual(before);
    await m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [nr.callbacks.modelCheckpoint({ filepath: `file://${dir}/m-{epoch}`, includeOptimizer: false })] });
    expect(readdirSync(dir).sort()).toEqual(['m-1', 'm-2']);
    nr.dispose([m, x, y]);
  });

  it('bad options and file names are errors that name them, and leave the model as it was', async () => {
    const cb = nr.callbacks as unknown as { modelCheckpoint: (a: unknown) => unknown };
    expect(() => cb.modelCheckpoint({ filepath: 'file://x', save_best_only: true })).toThrow(/modelCheckpoint: unknown option 'save_best_only'.*saveBestOnly/);
    expect(() => cb.modelCheckpoint({})).toThrow("modelCheckpoint: filepath must be where model.save saves, such as 'file://./ckpt/model-{epoch}' or a handler with save(artifacts), got undefined");
    expect(() => cb.modelCheckpoint(undefined)).toThrow(/modelCheckpoint: args must be an object like \{ filepath/);
    expect(() => cb.modelCheckpoint({ filepath: 'file://x', verbose: 2 })).toThrow("modelCheckpoint: verbose must be 0, 1 or a boolean (Keras's values; true is 1), got 2");
    expect(() => cb.modelCheckpoint({ filepath: 'file://x', mode: 'maximum' })).toThrow("modelCheckpoint: mode must be 'min', 'max' or 'auto', got the string \"maximum\"");
    expect(() => cb.modelCheckpoint({ filepath: 'file://x', initialValueThreshold: NaN })).toThrow('modelCheckpoint: initialValueThreshold must be a finite number, got NaN');
    // The target is checked as model.save checks it, when the callback is made (it was at the end of epoch 1).
    expect(() => cb.modelCheckpoint({ filepath: 'model-{epoch}' })).toThrow(/^modelCheckpoint: filepath 'model-\{epoch\}' has no URL scheme; use one of file:\/\/, indexeddb:\/\//);
    expect(() => cb.modelCheckpoint({ filepath: 'fil://ckpt-{epoch}' })).toThrow(/^modelCheckpoint: unknown URL scheme 'fil:\/\/' in filepath 'fil:\/\/ckpt-\{epoch\}'.*file:\/\//);
    expect(() => cb.modelCheckpoint({ filepath: 'indexeddb://best' })).toThrow(/^modelCheckpoint: .*indexeddb:\/\/best/); // Node has no IndexedDB
    expect(() => cb.modelCheckpoint({ filepath: 'file://~/ckpt-{epoch}' })).toThrow(/^modelCheckpoint: 'file:\/\/~\/ckpt-\{epoch\}': ~ is not expanded/);
    const train = data(12, 0);
    const m = model();
    const before = bits(m);
    const unknownKey = nr.callbacks.modelCheckpoint({ filepath: `file://${dir}/m-{val_los}` });
    expect((await rejection(m.fit(train.x, train.y, { epochs: 1, validationSplit: 0.25, callbacks: [unknownKey], verbose: 0 }))).message).toBe(
      `modelCheckpoint: filepath 'file://${dir}/m-{val_los}' names {val_los}, which is not in this epoch's logs (epoch, loss, acc, val_loss, val_acc)`,
    );
    const badSpec = nr.callbacks.modelCheckpoint({ filepath: `file://${dir}/m-{loss:>8}` });
    expect((await rejection(m.fit(train.x, train.y, { epochs: 1, callbacks: [badSpec], verbose: 0 }))).message).toBe(`modelCheckpoint: filepath 'file://${dir}/m-{loss:>8}': the format {loss:>8} is not one neurite reads; use d (02d), f (.4f) or e (.2e)`);
    const noVal = nr.callbacks.modelCheckpoint({ filepath: `file://${dir}/best`, saveBestOnly: true });
    expect((await rejection(m.fit(train.x, train.y, { epochs: 1, callbacks: [noVal], verbose: 0 }))).message).toMatch(/^modelCheckpoint: monitor 'val_loss' needs validation data, but this fit has none/);
    expect(existsSync(join(dir, 'best'))).toBe(false);
    // The first two trained one epoch before their save failed; the weights are the model's own (not disposed, readable).
    expect(bits(m)).toHaveLength(before.length);
    for (const t of [train.x, train.y, m]) t.dispose();
  });
});
