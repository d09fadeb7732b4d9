// What a Keras port's training code ran into (the s60 testers' repros in /tmp/s60/keras/repro
// and /tmp/s60/rl): a default save that lost a learning-rate schedule's position, a compiled
// optimizer's learningRate that did not follow the rate in effect, …
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as nr from '../ts/index.js';
import './setup.js';

afterEach(() => vi.restoreAllMocks());

const data = () => ({ x: nr.randomNormal([64, 4], { seed: 1 }), y: nr.randomNormal([64, 1], { seed: 2 }) });
const weightsOf = (m: nr.Sequential): number[] => m.getWeights().flatMap((w) => {
  const d = Array.from(w.dataSync());
  w.dispose();
  return d;
});
/** A callback that logs a constant `c`, so that reduceLROnPlateau on it fires after `patience` epochs. */
const flat = (): nr.CustomCallbackArgs => ({ onEpochEnd: (_e: number, l?: nr.Logs) => void (l!.c = 1) });

describe('a default save keeps a learning-rate schedule where it is (sched_save.mjs)', () => {
  const mk = (opt: () => nr.Optimizer) => {
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [4], units: 1 })] });
    m.compile({ optimizer: opt(), loss: 'mse' });
    return m;
  };
  const decay = () => nr.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 4, decayRate: 0.5 });

  it('sgd with exponentialDecay and reduceLROnPlateau: the loaded copy continues bit for bit', async () => {
    const { x, y } = data();
    const a = mk(() => nr.optimizers.sgd({ learningRate: decay() }));
    await a.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, callbacks: [flat(), nr.callbacks.reduceLROnPlateau({ monitor: 'c', mode: 'min', patience: 1, factor: 0.1 })] });
    const b = await nr.loadLayersModel(await a.toArtifacts());
    // It restarted at 0.1 and step 0, without the plateau's factor.
    expect(b.optimizer!.iterations).toBe(12);
    expect(b.learningRate).toBe(a.learningRate);
    await a.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, shuffle: false });
    await b.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, shuffle: false });
    expect(weightsOf(b)).toEqual(weightsOf(a));
    expect(b.learningRate).toBe(a.learningRate);
    a.dispose(); b.dispose(); x.dispose(); y.dispose();
  });

  it('adam with a schedule: the plateau factor is kept, the step restarts with a warning that names includeOptimizer', async () => {
    const { x, y } = data();
    const a = mk(() => nr.optimizers.adam({ learningRate: decay() }));
    await a.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, callbacks: [flat(), nr.callbacks.reduceLROnPlateau({ monitor: 'c', mode: 'min', patience: 1, factor: 0.1 })] });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const art = await a.toArtifacts();
    await a.toArtifacts();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/at step 12; saved without the optimizer state, the loaded model starts the schedule again at step 0 .*includeOptimizer: true/);
    const b = await nr.loadLayersModel(art);
    expect(b.optimizer!.iterations).toBe(0);
    // The schedule's first rate (0.1) × the plateau's factor.
    const scale = nr.exportTrainingState(a).extra.lrScale as number;
    expect(scale).toBeCloseTo(0.01, 8);
    expect(b.learningRate).toBeCloseTo(0.1 * scale, 8);
    a.dispose(); b.dispose(); x.dispose(); y.dispose();
  });
});

describe("a compiled optimizer's learningRate is the rate in effect (optimizer_lr_stale.mjs, lr_saved.mjs)", () => {
  it('after learningRateScheduler sets 0.5: optimizer.learningRate, getConfig() and the saved config agree', async () => {
    const { x, y } = data();
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [4], units: 1 })] });
    const opt = nr.train.sgd(0.1);
    m.compile({ optimizer: opt, loss: 'mse' });
    const seen: unknown[] = [];
    await m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [nr.callbacks.learningRateScheduler(() => 0.5), { onEpochEnd: () => void seen.push(m.optimizer!.learningRate) }] });
    expect(seen).toEqual([0.5, 0.5]);
    expect(opt.learningRate).toBe(0.5);
    expect(opt.getConfig().learningRate).toBe(0.5);
    const art = await m.toArtifacts();
    expect((art.trainingConfig as unknown as { optimizer_config: { config: { learningRate: number } } }).optimizer_config.config.learningRate).toBe(0.5);
    const r = await nr.loadLayersModel(art);
    expect(r.optimizer!.learningRate).toBe(0.5);
    // The training state keeps the compiled rate and the factor on it.
    const st = nr.exportTrainingState(m);
    expect((st.optimizer as { learningRate: number }).learningRate).toBe(0.1);
    expect(st.extra.lrScale).toBeCloseTo(5, 6);
    m.dispose(); r.dispose(); x.dispose(); y.dispose();
  });
});

describe('metrics.precision and metrics.recall on probabilities (precision_fn.mjs)', () => {
  it('give TF.js 4.22\'s 0, with one warning that says to threshold', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    const tfl = await import('@tensorflow/tfjs-layers');
    await tf.setBackend('cpu');
    const y = [[1], [0], [1], [1]], p = [[0.9], [0.2], [0.8], [0.3]];
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const f of ['precision', 'recall'] as const) {
      const ours = nr.metrics[f](y, p);
      const theirs = tfl.metrics[f](tf.tensor(y), tf.tensor(p));
      expect(ours.item()).toBe(theirs.dataSync()[0]);
      expect(ours.item()).toBe(0);
      ours.dispose(); theirs.dispose();
      nr.metrics[f](y, p).dispose();
    }
    const ours = warn.mock.calls.map((c) => String(c[0])).filter((c) => c.startsWith('metrics.'));
    expect(ours).toHaveLength(2);
    expect(ours[0]).toMatch(/^metrics\.precision: yPred holds 4 values other than 0 and 1 .*yPred\.greater\(0\.5\).*compile\(\{ metrics: \['precision'\] \}\)/);
    expect(ours[1]).toMatch(/^metrics\.recall: /);
    // Thresholded, no warning and the thresholded answer (compile's): tp 2, fp 0, fn 1.
    const t = nr.tensor(p).greater(0.5);
    expect(nr.metrics.precision(y, t).item()).toBe(1);
    expect(nr.metrics.recall(y, t).item()).toBeCloseTo(2 / 3, 6);
    t.dispose();
  });
});

describe('math.confusionMatrix weights (cm.mjs)', () => {
  it("takes TensorFlow's weights argument, and points rank-2 predictions to argMax(-1)", () => {
    const cm = nr.math.confusionMatrix([0, 1, 1], [0, 1, 0], 2, [1, 2, 3]);
    // tf.math.confusion_matrix([0, 1, 1], [0, 1, 0], 2, weights=[1, 2, 3]) in TensorFlow.
    expect(cm.arraySync()).toEqual([[1, 0], [3, 2]]);
    cm.dispose();
    expect(() => nr.math.confusionMatrix([0, 1], [[0.9, 0.1], [0.2, 0.8]], 2)).toThrow(/predictions must be 1-D, got rank 2 .*predictions\.argMax\(-1\)/);
    expect(() => nr.math.confusionMatrix([0, 1], [0, 1], 2, [1])).toThrow(/weights must have one entry per example, got 1 weights for 2 labels/);
    expect(() => (nr.math.confusionMatrix as (...a: unknown[]) => unknown)([0, 1], [0, 1], 2, [1, 1], 'x')).toThrow(/takes \(labels, predictions, numClasses, weights\?\), got 5 arguments/);
  });
});

describe('optimizers without slots keep no tensors (optgc.mjs)', () => {
  it('a fresh train.sgd(lr) per step leaves no live tensor', () => {
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [4], units: 16, activation: 'relu' }), nr.layers.dense({ units: 2 })] });
    m.build();
    const x = nr.ones([1, 4]);
    const before = nr.memory().numTensors;
    for (let i = 0; i < 20; i++) nr.tidy(() => nr.train.sgd(0.01 / (1 + i)).applyGradients(nr.variableGrads(() => m.predict(x).sum(), m.trainableWeights).grads));
    expect(nr.memory().numTensors).toBe(before);
    // Momentum keeps its slots (one per variable) until dispose.
    const mom = nr.train.momentum(0.01, 0.9);
    nr.tidy(() => mom.applyGradients(nr.variableGrads(() => m.predict(x).sum(), m.trainableWeights).grads));
    expect(nr.memory().numTensors).toBe(before + 4);
    mom.dispose();
    expect(nr.memory().numTensors).toBe(before);
    m.dispose(); x.dispose();
  });

  it('plain sgd on plain variables steps as before (the same bits as by hand)', () => {
    const w = nr.variable(nr.tensor([1, 2, 3]), true, 'w_sgd_slots');
    const opt = nr.train.sgd(0.5);
    for (let i = 0; i < 3; i++) opt.minimize(() => w.square().sum());
    // w ← w − 0.5·2w = 0 after one step; stays 0.
    expect(Array.from(w.dataSync())).toEqual([0, 0, 0]);
    expect(opt.iterations).toBe(3);
    opt.dispose(); w.dispose();
  });
});

describe('a negative sample weight (sw.mjs)', () => {
  it('is named as given and points to a loss for signed weights', () => {
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [4], units: 2, activation: 'softmax' })] });
    m.compile({ optimizer: nr.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const x = nr.randomNormal([3, 4], { seed: 2 }), y = nr.oneHot([0, 1, 1], 2), sw = nr.tensor([1.5, -0.7, 0.3]);
    expect(() => m.trainOnBatch(x, y, sw)).toThrow(/sampleWeight\[1\] must be a finite number >= 0, got -0\.7; for signed weights .*reduction: 'none'.*advantages/);
    m.dispose(); x.dispose(); y.dispose(); sw.dispose();
  });
});

describe('multinomial on probabilities (RL sampling)', () => {
  it('samples softmax(p) as TF.js, and warns once naming normalized', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const logits = nr.tensor([[0.5, 1.5, -1], [2, 0, 0]]);
    nr.multinomial(logits, 2, 1).dispose();
    expect(warn).not.toHaveBeenCalled();
    const p = nr.tensor([[0.1, 0.9], [0.5, 0.5]]);
    nr.multinomial(p, 2, 1).dispose();
    nr.multinomial(p, 2, 1).dispose();
    nr.multinomial(p, 2, 1, true).dispose();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/^multinomial: every row of logits lies in \[0, 1\] and sums to 1.*normalized = true, multinomial\(probs, 2, seed, true\)/);
    logits.dispose(); p.dispose();
  });
});

describe('small Keras habits', () => {
  it("modelCheckpoint's first improvement is from inf (min) or -inf (max), as Keras 3", async () => {
    const { x, y } = data();
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [4], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const logs: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: unknown) => void logs.push(String(s)));
    const handler = (): nr.io.IOHandler => ({ save: async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }) });
    await m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [nr.callbacks.modelCheckpoint({ filepath: handler(), saveBestOnly: true, monitor: 'loss', verbose: 1 })] });
    await m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [{ onEpochEnd: (_e: number, l?: nr.Logs) => void (l!.neg = 1) }, nr.callbacks.modelCheckpoint({ filepath: handler(), saveBestOnly: true, monitor: 'neg', mode: 'max', verbose: 1 })] });
    expect(logs.find((l) => /improved/.test(l))).toMatch(/^Epoch 1: loss improved from inf to /);
    expect(logs.filter((l) => /improved/.test(l))[1]).toMatch(/^Epoch 1: neg improved from -inf to 1/);
    m.dispose(); x.dispose(); y.dispose();
  });

  it("fit's validationFreq (Keras; TF.js 4.22 has none) is refused with what to do instead", async () => {
    const { x, y } = data();
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(m.fit(x, y, { epochs: 1, validationFreq: 2 } as never)).rejects.toThrow(/^fit: validationFreq is not supported: Keras's validation_freq, which TF\.js 4\.22's fit does not have either.*model\.evaluate/);
    m.dispose(); x.dispose(); y.dispose();
  });

  it("models.modelFromJSON refuses JSON text (as TF.js) and says to parse it", async () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    await expect(nr.models.modelFromJSON(m.toJSON() as never)).rejects.toThrow(/is a string .*models\.modelFromJSON\(JSON\.parse\(text\)\)/);
    m.dispose();
  });
});
