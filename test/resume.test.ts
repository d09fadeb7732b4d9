// Issue 11, resume: exportTrainingState / importTrainingState, and bit-identical continuation
// (train 3 epochs, export, restore into a fresh model, train epochs 3..5 = 5 epochs at once).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { expectNoLeak, thrown } from './setup.js';
import { weightBits as bits } from './fit-helpers.js';

type Opt = () => nr.Optimizer;
const sched = () => nr.schedules.stepDecay({ initialLearningRate: 0.05, drop: 0.5, every: 7, warmupSteps: 3 });
const cosine = () => nr.schedules.cosineDecay({ initialLearningRate: 0.02, decaySteps: 30, alpha: 0.1 });

/** Every optimizer and slot layout, each with a learning-rate schedule. */
const OPTIMIZERS: Record<string, Opt> = {
  sgd: () => nr.optimizers.sgd({ learningRate: sched() }),
  momentum: () => nr.optimizers.sgd({ learningRate: sched(), momentum: 0.9 }),
  nesterov: () => nr.optimizers.momentum(cosine(), 0.9, true),
  adam: () => nr.optimizers.adam({ learningRate: sched() }),
  amsgrad: () => nr.optimizers.adam({ learningRate: cosine(), amsgrad: true }),
  adamw: () => nr.optimizers.adamw({ learningRate: sched(), weightDecay: 0.01, globalClipNorm: 1 }),
  adamwAmsgrad: () => nr.optimizers.adamw({ learningRate: cosine(), amsgrad: true }),
  rmsprop: () => nr.optimizers.rmsprop({ learningRate: sched() }),
  rmspropCenteredMomentum: () => nr.optimizers.rmsprop({ learningRate: cosine(), momentum: 0.5, centered: true, clipValue: 0.5 }),
  adagrad: () => nr.optimizers.adagrad({ learningRate: sched(), initialAccumulatorValue: 0.2 }),
  adamax: () => nr.optimizers.adamax({ learningRate: cosine(), decay: 0.01 }),
  adadelta: () => nr.optimizers.adadelta({ learningRate: sched(), rho: 0.9, clipNorm: 1 }),
};

/** dense(8, relu) → dropout → batchNormalization → dense(3, softmax), on 4 features. */
function mlp(seed: number, units = 8): nr.Sequential {
  return nr.sequential({
    seed,
    layers: [
      nr.layers.dense({ inputShape: [4], units, activation: 'relu' }),
      nr.layers.dropout({ rate: 0.25 }),
      nr.layers.batchNormalization(),
      nr.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}

function data(n = 40): { x: nr.Tensor; y: nr.Tensor } {
  const x = nr.tensor(Array.from({ length: n * 4 }, (_, i) => Math.sin(i * 1.7) + 0.3 * Math.cos(i * 0.3)), [n, 4]);
  const y = nr.tidy(() => nr.oneHot(nr.tensor(Array.from({ length: n }, (_, i) => (i * 7) % 3)), 3));
  return { x, y };
}

/** Halves the learning rate at the end of epoch 1 (the path reduceLROnPlateau takes). */
const halveAfterEpoch1 = (m: () => nr.Sequential): nr.CallbackHooks => ({
  onEpochEnd: (e: number) => {
    if (e === 1) m().learningRate = m().learningRate * 0.5;
  },
});

const FIT = { batchSize: 8, seed: 5, validationSplit: 0.2, verbose: 0 as const };

interface Run {
  whole: string[];
  resumed: string[];
  state: nr.TrainingState;
}

/** The same model trained 5 epochs at once (`whole`) and 3 epochs (`first`), the lr halved after epoch 1 in both. */
async function wholeAndFirst(make: (seed: number) => nr.Sequential, opt: Opt, loss: nr.CompileArgs['loss'], x: nr.Tensor, y: nr.Tensor, fitArgs: Partial<nr.FitArgs>): Promise<{ whole: nr.Sequential; first: nr.Sequential }> {
  const whole = make(11);
  whole.compile({ optimizer: opt(), loss });
  await whole.fit(x, y, { ...fitArgs, epochs: 5, callbacks: halveAfterEpoch1(() => whole) });
  const first = make(11);
  first.compile({ optimizer: opt(), loss });
  await first.fit(x, y, { ...fitArgs, epochs: 3, callbacks: halveAfterEpoch1(() => first) });
  return { whole, first };
}

/** 5 epochs at once versus 3, export, restore into a fresh model (another seed), epochs 3..5. */
async function resume(make: (seed: number) => nr.Sequential, opt: Opt, loss: nr.CompileArgs['loss'], x: nr.Tensor, y: nr.Tensor, fitArgs: Partial<nr.FitArgs> = FIT): Promise<Run> {
  const { whole, first } = await wholeAndFirst(make, opt, loss, x, y, fitArgs);
  // Through JSON and fresh arrays, as a file would carry it.
  const exported = nr.exportTrainingState(first);
  const weights = first.getWeights();
  const state: nr.TrainingState = { ...JSON.parse(JSON.stringify({ ...exported, tensors: [] })), tensors: exported.tensors.map((t) => ({ ...t, data: new Float32Array(t.data) })) };

  const fresh = make(12345);
  fresh.setWeights(weights);
  fresh.compile({ optimizer: opt(), loss });
  nr.importTrainingState(fresh, state);
  expect(fresh.learningRate).toBe(first.learningRate);
  await fresh.fit(x, y, { ...fitArgs, epochs: 5, initialEpoch: 3, callbacks: halveAfterEpoch1(() => fresh) });
  const run = { whole: bits(whole), resumed: bits(fresh), state: exported };
  for (const t of [...weights, whole, first, fresh]) t.dispose();
  return run;
}

describe('resume: export, import, continue = uninterrupted (bit-identical)', () => {
  const { x, y } = data();
  for (const [name, opt] of Object.entries(OPTIMIZERS)) {
    it(`${name}, with a schedule, an lr change, dropout, batch norm and validationSplit`, async () => {
      const before = nr.memory().numTensors;
      const r = await resume(mlp, opt, 'categoricalCrossentropy', x, y);
      expect(r.resumed).toEqual(r.whole);
      expect(r.state.step).toBe(3 * 4); // 32 training samples in batches of 8
      expect(r.state.extra.lrScale).toBe(0.5);
      expect(r.state.extra.epochsCompleted).toBe(3);
      expect(nr.memory().numTensors).toBe(before);
    });
  }

  it('a model with saltAndPepper, gaussianNoise and a variational layer (the ε draws)', async () => {
    const ae = (seed: number) =>
      nr.sequential({
        seed,
        layers: [
          nr.layers.saltAndPepper({ inputShape: [6], rate: 0.2 }),
          nr.layers.gaussianNoise({ stddev: 0.1 }),
          nr.layers.dense({ units: 4, activation: 'sigmoid' }),
          nr.layers.variational({ units: 2 }),
          nr.layers.dense({ units: 6, activation: 'sigmoid' }),
        ],
      });
    const xs = nr.tensor(Array.from({ length: 24 * 6 }, (_, i) => (Math.sin(i) + 1) / 2), [24, 6]);
    const r = await resume(ae, () => nr.optimizers.adam({ learningRate: 0.01 }), { name: 'binaryCrossentropy', reduction: 'sumOverFeatures' }, xs, xs, { batchSize: 5, seed: 3, verbose: 0 });
    expect(r.resumed).toEqual(r.whole);
    xs.dispose();
  });

  it('without shuffling, and a fit seed of 0', async () => {
    const r = await resume(mlp, OPTIMIZERS.adam, 'categoricalCrossentropy', x, y, { batchSize: 16, shuffle: false, verbose: 0 });
    expect(r.resumed).toEqual(r.whole);
  });

  it('the resumed run really depends on the state: without importing it, the bits differ', async () => {
    const whole = mlp(11);
    whole.compile({ optimizer: OPTIMIZERS.adam(), loss: 'categoricalCrossentropy' });
    await whole.fit(x, y, { ...FIT, epochs: 5 });
    const first = mlp(11);
    first.compile({ optimizer: OPTIMIZERS.adam(), loss: 'categoricalCrossentropy' });
    await first.fit(x, y, { ...FIT, epochs: 3 });
    const ws = first.getWeights();
    const fresh = mlp(11);
    fresh.setWeights(ws);
    fresh.compile({ optimizer: OPTIMIZERS.adam(), loss: 'categoricalCrossentropy' });
    await fresh.fit(x, y, { ...FIT, epochs: 5, initialEpoch: 3 });
    expect(bits(fresh)).not.toEqual(bits(whole));
    for (const t of [...ws, whole, first, fresh]) t.dispose();
  });

  it('a state exported before any training is the fresh state: importing it changes nothing', async () => {
    const a = mlp(3), b = mlp(3);
    for (const m of [a, b]) m.compile({ optimizer: OPTIMIZERS.adagrad(), loss: 'categoricalCrossentropy' });
    const st = nr.exportTrainingState(a);
    expect(st.step).toBe(0);
    expect(st.tensors.map((t) => t.name)).toEqual(a.weightNames().map((n) => `${n}/accumulator`));
    expect(st.tensors.every((t) => t.data.every((v) => v === Math.fround(0.2)))).toBe(true);
    expect(st.extra).toEqual({ formatVersion: 1, seed: 3, lrScale: 1 });
    nr.importTrainingState(b, st);
    await a.fit(x, y, { ...FIT, epochs: 2 });
    await b.fit(x, y, { ...FIT, epochs: 2 });
    expect(bits(b)).toEqual(bits(a));
    a.dispose();
    b.dispose();
  });
});

describe('exportTrainingState', () => {
  it('names slots after the weights, with the weights’ shapes, and copies them', async () => {
    const { x, y } = data(16);
    const m = mlp(1);
    m.compile({ optimizer: OPTIMIZERS.rmspropCenteredMomentum(), loss: 'categoricalCrossentropy' });
    await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const st = nr.exportTrainingState(m);
    const names = m.weightNames();
    expect(st.tensors.map((t) => t.name)).toEqual(names.flatMap((n) => ['rms', 'momentum', 'mg'].map((s) => `${n}/${s}`)));
    const ws = m.getWeights();
    st.tensors.forEach((t, i) => expect(t.shape).toEqual(ws[Math.floor(i / 3)].shape));
    expect(st.optimizer).toEqual(OPTIMIZERS.rmspropCenteredMomentum().getConfig());
    expect(st.step).toBe(2);
    const copy = Array.from(st.tensors[0].data);
    await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    expect(Array.from(st.tensors[0].data)).toEqual(copy);
    expect(copy.some((v) => v !== 0)).toBe(true);
    for (const t of [...ws, x, y, m]) t.dispose();
  });

  it('plain sgd keeps no slots; the state still carries the step, seed and scale', () => {
    const m = mlp(7);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const st = nr.exportTrainingState(m);
    expect(st).toEqual({ optimizer: { name: 'sgd', learningRate: 0.01, momentum: 0, nesterov: false, weightDecay: 0 }, step: 0, extra: { formatVersion: 1, seed: 7, lrScale: 1 }, tensors: [] });
    m.dispose();
  });

  it('needs a compiled, live model', () => {
    const m = mlp(1);
    const e = thrown(() => nr.exportTrainingState(m));
    expect(e).toBeInstanceOf(nr.InvalidArgumentError);
    expect((e as Error).message).toBe('exportTrainingState: the model must be compiled first: call model.compile({ optimizer, loss })');
    expect((thrown(() => nr.exportTrainingState({} as never)) as Error).message).toBe('exportTrainingState: model must be a sequential model (or an autoencoder), got an object (Object)');
    m.dispose();
    expect(thrown(() => nr.exportTrainingState(m))).toBeInstanceOf(nr.DisposedError);
  });
});

describe('importTrainingState rejects what does not fit, and changes nothing then', () => {
  const { x, y } = data(16);

  /** A trained adam model and its state, and a fresh compiled model of the same architecture. */
  async function setup(opt: Opt = OPTIMIZERS.adam) {
    const src = mlp(1);
    src.compile({ optimizer: opt(), loss: 'categoricalCrossentropy' });
    await src.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const state = nr.exportTrainingState(src);
    const dst = mlp(2);
    dst.compile({ optimizer: opt(), loss: 'categoricalCrossentropy' });
    await dst.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    dst.learningRate = 0.003;
    src.dispose();
    return { state, dst };
  }

  /** Asserts that importing `bad` into `dst` throws `cls` with `msg` and leaves dst's state, weights and memory as they were. */
  function rejects(dst: nr.Sequential, bad: unknown, cls: typeof nr.NeuriteError, msg: string | RegExp): void {
    const before = nr.exportTrainingState(dst);
    const w = bits(dst);
    const lr = dst.learningRate;
    const e = expectNoLeak(() => thrown(() => nr.importTrainingState(dst, bad as nr.TrainingState)));
    expect(e, String(e)).toBeInstanceOf(cls);
    if (typeof msg === 'string') expect((e as Error).message).toBe(msg);
    else expect((e as Error).message).toMatch(msg);
    expect(nr.exportTrainingState(dst)).toEqual(before);
    expect(bits(dst)).toEqual(w);
    expect(dst.learningRate).toBe(lr);
  }

  const Invalid = nr.InvalidArgumentError;

  it('another architecture', async () => {
    const { state } = await setup();
    const wide = mlp(2, 9);
    wide.compile({ optimizer: OPTIMIZERS.adam(), loss: 'categoricalCrossentropy' });
    rejects(wide, state, nr.ShapeError, /^importTrainingState: state\.tensors\[0\] \(dense_\d+\/kernel\/m\) has shape \[4, 8\] but weight dense_\d+\/kernel has shape \[4, 9\]$/);
    const shallow = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })] });
    shallow.compile({ optimizer: OPTIMIZERS.adam(), loss: 'categoricalCrossentropy' });
    rejects(shallow, state, Invalid, `importTrainingState: state.tensors has 16 tensors but model ${shallow.name} needs 4: 2 weights × 2 slots (m, v); was the state saved from another architecture or optimizer setting?`);
    // The right count and shapes in the wrong places: dense(8) → dense(4) given the first
    // dense's slots, then the batch norm's gamma and beta slots (shape [8]) as its kernel's.
    const two = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 8 }), nr.layers.dense({ units: 8 })] });
    two.compile({ optimizer: OPTIMIZERS.adam(), loss: 'categoricalCrossentropy' });
    rejects(two, { ...state, tensors: state.tensors.slice(0, 8) }, Invalid, /^importTrainingState: state\.tensors\[4\]\.name is "batchNormalization_\d+\/gamma\/m" but it must be slot 'm' of weight 2 \(dense_\d+\/kernel\), a name ending in '\/kernel\/m'$/);
    for (const m of [wide, shallow, two]) m.dispose();
  });

  it('another optimizer, or another slot layout', async () => {
    const { state, dst } = await setup();
    const sgd = mlp(3);
    sgd.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    rejects(sgd, state, Invalid, `importTrainingState: state.optimizer is "adam" but model ${sgd.name} is compiled with sgd; compile it with "adam" (optimizerFromConfig(state.optimizer) rebuilds it)`);
    const ams = mlp(3);
    ams.compile({ optimizer: nr.optimizers.adam({ amsgrad: true }), loss: 'categoricalCrossentropy' });
    rejects(ams, state, Invalid, `importTrainingState: state.tensors has 16 tensors but model ${ams.name} needs 24: 8 weights × 3 slots (m, v, vhat); was the state saved from another architecture or optimizer setting?`);
    // Other hyper-parameters of the same kind are fine (as Keras: the compiled ones are used).
    const slow = mlp(3);
    slow.compile({ optimizer: nr.optimizers.adam({ learningRate: 1e-5 }), loss: 'categoricalCrossentropy' });
    nr.importTrainingState(slow, state);
    expect(nr.exportTrainingState(slow).tensors.map((t) => t.data)).toEqual(state.tensors.map((t) => t.data));
    for (const m of [dst, sgd, ams, slow]) m.dispose();
  });

  it('malformed fields, each named', async () => {
    const { state, dst } = await setup();
    const t0 = state.tensors[0];
    const withTensor = (i: number, t: unknown) => ({ ...state, tensors: state.tensors.map((u, j) => (j === i ? t : u)) });
    const cases: Array<[unknown, typeof nr.NeuriteError, string | RegExp]> = [
      [null, Invalid, 'importTrainingState: state must be an object { optimizer, step, extra, tensors } from exportTrainingState, got null'],
      [{ ...state, steps: 1 }, Invalid, "importTrainingState: unknown field 'steps' — did you mean 'step'? (known: optimizer, step, extra, tensors)"],
      [{ ...state, extra: undefined }, Invalid, 'importTrainingState: state.extra is missing (a state has optimizer, step, extra, tensors)'],
      [{ ...state, optimizer: 'adam' }, Invalid, 'importTrainingState: state.optimizer must be an optimizer config { name, learningRate, … }, got the string "adam"'],
      [{ ...state, step: -1 }, Invalid, 'importTrainingState: state.step must be an integer in [0, 2^53), got -1'],
      [{ ...state, step: 1.5 }, Invalid, 'importTrainingState: state.step must be an integer in [0, 2^53), got 1.5'],
      [{ ...state, extra: { ...state.extra, lrScale: -0.5 } }, Invalid, 'importTrainingState: state.extra.lrScale must be a finite number >= 0, got -0.5'],
      [{ ...state, extra: { ...state.extra, lrScale: 1e39 } }, Invalid, /^importTrainingState: state\.extra\.lrScale must be a finite number >= 0, got 1e\+39/],
      [{ ...state, extra: { ...state.extra, seed: '1' } }, Invalid, 'importTrainingState: state.extra.seed must be an integer in [0, 2^53), got the string "1"'],
      [{ ...state, extra: { ...state.extra, formatVersion: 2 } }, Invalid, 'importTrainingState: state.extra.formatVersion must be 1 (this version of neurite reads only that), got 2'],
      [{ ...state, extra: { ...state.extra, sede: 1 } }, Invalid, /^importTrainingState: unknown state\.extra field 'sede' — did you mean 'seed'\?/],
      [{ ...state, extra: { ...state.extra, epochsCompleted: {} } }, Invalid, 'importTrainingState: state.extra.epochsCompleted must be a number or a string, got an object (Object)'],
      [{ ...state, tensors: {} }, Invalid, 'importTrainingState: state.tensors must be an array of { name, shape, data }, got an object (Object)'],
      [withTensor(0, 5), Invalid, 'importTrainingState: state.tensors[0] must be { name, shape, data }, got 5'],
      [withTensor(0, { ...t0, name: t0.name.replace(/m$/, 'v') }), Invalid, /^importTrainingState: state\.tensors\[0\]\.name is "dense_\d+\/kernel\/v" but it must be slot 'm' of weight 0 \(dense_\d+\/kernel\), a name ending in '\/kernel\/m'/],
      [withTensor(1, state.tensors[0]), Invalid, /^importTrainingState: state\.tensors\[1\]\.name is "dense_\d+\/kernel\/m" but it must be slot 'v' of weight 0/],
      [withTensor(0, { ...t0, shape: [8, 4] }), nr.ShapeError, /^importTrainingState: state\.tensors\[0\] \(dense_\d+\/kernel\/m\) has shape \[8, 4\] but weight dense_\d+\/kernel has shape \[4, 8\]$/],
      [withTensor(0, { ...t0, data: JSON.parse(JSON.stringify(t0.data)) }), Invalid, /^importTrainingState: state\.tensors\[0\]\.data \(dense_\d+\/kernel\/m\) must be a Float32Array or an array of numbers, got an object \(Object\) \(JSON\.stringify writes a Float32Array as an object of indices: store Array\.from\(data\) instead\)$/],
      [withTensor(0, { ...t0, data: [...Array.from(t0.data).slice(1), 'x'] }), Invalid, /^importTrainingState: state\.tensors\[0\]\.data \(dense_\d+\/kernel\/m\) must be a Float32Array or an array of numbers, got an array of length 32$/],
      [withTensor(0, { ...t0, dtype: 'float32' }), Invalid, /^importTrainingState: unknown state\.tensors\[0\] field 'dtype' \(known: name, shape, data\)$/],
      [withTensor(0, { ...t0, data: (() => { const a = new Float32Array(32); structuredClone(a, { transfer: [a.buffer] }); return a; })() }), Invalid, /^importTrainingState: state\.tensors\[0\]\.data is a Float32Array whose ArrayBuffer is detached/],
      [withTensor(0, { ...t0, data: t0.data.subarray(1) }), nr.ShapeError, /^importTrainingState: state\.tensors\[0\]\.data \(dense_\d+\/kernel\/m\) has 31 values but shape \[4, 8\] needs 32$/],
      [withTensor(0, { ...t0, data: Float32Array.from(t0.data, (v, i) => (i === 5 ? NaN : v)) }), Invalid, /^importTrainingState: state\.tensors\[0\]\.data \(dense_\d+\/kernel\/m\) holds NaN at index 5; optimizer state must be finite$/],
      // Checked by the core: a second moment below zero would make the next step NaN.
      [withTensor(1, { ...state.tensors[1], data: Float32Array.from(state.tensors[1].data, (v, i) => (i === 2 ? -1 : v)) }), Invalid, 'importTrainingState: weight 0 (`kernel`) slot `v` holds -1 at index 2; it accumulates squares and cannot be negative'],
    ];
    for (const [bad, cls, msg] of cases) rejects(dst, bad, cls, msg);
    dst.dispose();
  });

  it('needs a compiled model', async () => {
    const { state, dst } = await setup();
    const raw = mlp(1);
    expect((thrown(() => nr.importTrainingState(raw, state)) as Error).message).toBe('importTrainingState: the model must be compiled first: call model.compile({ optimizer, loss })');
    for (const m of [raw, dst]) m.dispose();
  });
});

describe('state carried as JSON, fit in a loop, custom loops', () => {
  it('a state whose slots went through JSON as arrays (Array.from) imports and resumes bit-identically', async () => {
    const { x, y } = data();
    const { whole, first } = await wholeAndFirst(mlp, OPTIMIZERS.adam, 'categoricalCrossentropy', x, y, FIT);
    const exported = nr.exportTrainingState(first);
    const json = JSON.parse(JSON.stringify({ ...exported, tensors: exported.tensors.map((t) => ({ ...t, data: Array.from(t.data) })) })) as nr.TrainingState;
    const ws = first.getWeights();
    const fresh = mlp(99);
    fresh.setWeights(ws);
    fresh.compile({ optimizer: OPTIMIZERS.adam(), loss: 'categoricalCrossentropy' });
    nr.importTrainingState(fresh, json);
    await fresh.fit(x, y, { ...FIT, epochs: 5, initialEpoch: 3, callbacks: halveAfterEpoch1(() => fresh) });
    expect(bits(fresh)).toEqual(bits(whole));
    for (const t of [...ws, whole, first, fresh, x, y]) t.dispose();
  });

  it('fit({ epochs: 1 }) in a loop shuffles anew each call (as TF.js and Keras) and equals one fit of as many epochs; the count is in the state', async () => {
    const { x, y } = data();
    const make = (loss: nr.CompileArgs['loss']) => {
      const m = mlp(4);
      m.compile({ optimizer: OPTIMIZERS.adam(), loss });
      return m;
    };
    // The core's training step, and the step of a model compiled with a loss function.
    const fnLoss = (t: nr.Tensor, p: nr.Tensor) => nr.losses.meanSquaredError(t, p);
    for (const loss of ['categoricalCrossentropy', fnLoss] as nr.CompileArgs['loss'][]) {
      const once = make(loss);
      await once.fit(x, y, { batchSize: 8, seed: 2, verbose: 0, epochs: 4 });
      const loop = make(loss);
      for (let i = 0; i < 4; i++) await loop.fit(x, y, { batchSize: 8, seed: 2, verbose: 0, epochs: 1 });
      // (Before, each call drew epoch 0's order again: the bits differed from once's.)
      expect(bits(loop)).toEqual(bits(once));
      expect(nr.exportTrainingState(loop).extra.epochsCompleted).toBe(4);
      // Compiling with the same optimizer keeps the count (the training state); a new one restarts it.
      loop.compile({ optimizer: loop.optimizer!, loss });
      expect(nr.exportTrainingState(loop).extra.epochsCompleted).toBe(4);
      loop.compile({ optimizer: OPTIMIZERS.adam(), loss });
      expect(nr.exportTrainingState(loop).extra.epochsCompleted).toBeUndefined();
      // The resumed form (initialEpoch = the epochs completed) numbers its epochs the same.
      const resumed = make(loss);
      for (let e = 0; e < 4; e++) await resumed.fit(x, y, { batchSize: 8, seed: 2, verbose: 0, epochs: e + 1, initialEpoch: e });
      expect(bits(resumed)).toEqual(bits(once));
      for (const m of [once, loop, resumed]) m.dispose();
    }
    x.dispose();
    y.dispose();
  });

  it("a custom loop's apply(x, { training: true }) resumes with its dropout draws (the count of such calls is in the state)", async () => {
    const { x, y } = data(16);
    const steps = async (m: nr.Sequential, opt: nr.Optimizer, n: number) => {
      for (let i = 0; i < n; i++) opt.minimize(() => nr.losses.meanSquaredError(y, m.apply(x, { training: true }) as nr.Tensor), false, m.trainableWeights);
    };
    const make = () => {
      const m = mlp(6);
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      return m;
    };
    const whole = make();
    await steps(whole, nr.optimizers.sgd({ learningRate: 0.1 }), 6);
    const first = make();
    await steps(first, nr.optimizers.sgd({ learningRate: 0.1 }), 3);
    const state = nr.exportTrainingState(first);
    expect(state.extra.applySteps).toBe(3);
    const ws = first.getWeights();
    const run = async (withState: boolean) => {
      const fresh = make();
      fresh.setWeights(ws);
      if (withState) nr.importTrainingState(fresh, JSON.parse(JSON.stringify({ ...state, tensors: [] })) as nr.TrainingState);
      await steps(fresh, nr.optimizers.sgd({ learningRate: 0.1 }), 3);
      const b = bits(fresh);
      fresh.dispose();
      return b;
    };
    expect(await run(true)).toEqual(bits(whole));
    expect(await run(false)).not.toEqual(bits(whole)); // the draws of steps 1-3 again
    expect(thrown(() => nr.importTrainingState(first, { ...state, extra: { ...state.extra, applySteps: -1 } }))).toHaveProperty('message', 'importTrainingState: state.extra.applySteps must be an integer in [0, 2^53), got -1');
    for (const t of [...ws, whole, first, x, y]) t.dispose();
  });
});

describe('the learning rate after an import', () => {
  it('learningRate reads and rescales from the restored scale', async () => {
    const { x, y } = data(16);
    const a = mlp(1);
    a.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: 'categoricalCrossentropy' });
    a.learningRate = 0.025;
    const b = mlp(1);
    b.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: 'categoricalCrossentropy' });
    nr.importTrainingState(b, nr.exportTrainingState(a));
    expect(b.learningRate).toBe(0.025);
    // Setting it is relative to the schedule, not to a stale copy of the scale.
    b.learningRate = 0.05;
    expect(b.learningRate).toBe(0.05);
    expect(nr.exportTrainingState(b).extra.lrScale).toBe(Math.fround(0.5));
    for (const t of [a, b, x, y]) t.dispose();
  });
});

describe('optimizerFromConfig', () => {
  it('rebuilds every optimizer from its config', () => {
    for (const [name, opt] of Object.entries(OPTIMIZERS)) {
      const o = opt();
      const cfg = JSON.parse(JSON.stringify(o.getConfig()));
      const back = nr.optimizerFromConfig(cfg);
      expect(back.getConfig(), name).toEqual(o.getConfig());
      expect(back.abi(), name).toEqual(o.abi());
    }
  });

  it('names what is wrong', () => {
    const msg = (c: unknown) => (thrown(() => nr.optimizerFromConfig(c)) as Error).message;
    expect(msg('adam')).toBe('optimizerFromConfig: config must be an optimizer config { name, learningRate, … } (optimizer.getConfig()), got the string "adam"');
    expect(msg({ name: 'adma' })).toBe('optimizerFromConfig: unknown optimizer "adma" — did you mean \'adam\'? (known: sgd, adam, adamw, rmsprop, adagrad, adamax, adadelta)');
    expect(msg({ name: 'adam', learningRate: { name: 'cosine' } })).toMatch(/^optimizerFromConfig: learningRate\.name must be one of constant, exponentialDecay, stepDecay, cosineDecay, got the string "cosine"/);
    expect(msg({ name: 'adam', beta3: 1 })).toMatch(/^optimizerFromConfig: optimizers\.adam: unknown option 'beta3'/);
    expect(msg({ name: 'sgd', momentum: 2 })).toMatch(/^optimizerFromConfig: .*momentum/);
  });
});

// The resume path end to end: `model.save('file://…', { includeOptimizer: true })`,
// `loadModel('file://…')`, `fit({ initialEpoch: 3 })` — for every optimizer, each with a
// learning-rate schedule and a halved rate, equal to 5 epochs at once bit for bit.
describe('resume through model.save(file://) and loadModel', () => {
  it('a training state loadModel cannot restore says so (not "building modelTopology")', async () => {
    const m = mlp(2);
    m.compile({ optimizer: OPTIMIZERS.amsgrad(), loss: 'categoricalCrossentropy' });
    m.build();
    const a = await m.toArtifacts({ includeOptimizer: true });
    const meta = a.userDefinedMetadata as { neurite: { training: { extra: { formatVersion: number } } } };
    meta.neurite.training.extra.formatVersion = 2;
    const e = (await nr.loadModel(a).catch((err: unknown) => err)) as Error;
    expect(e).toBeInstanceOf(nr.InvalidArgumentError);
    expect(e.message).toMatch(/^loadModel: restoring the optimizer state: importTrainingState: state\.extra\.formatVersion must be 1 \(this version of neurite reads only that\), got 2 \(load with \{ compile: false \} to load the weights alone\)$/);
    m.dispose();
  });

  for (const [name, opt] of Object.entries(OPTIMIZERS)) {
    it(name, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'neurite-resume-'));
      const { x, y } = data();
      try {
        const { whole, first } = await wholeAndFirst(mlp, opt, 'categoricalCrossentropy', x, y, FIT);
        await first.save(`file://${dir}/ckpt`, { includeOptimizer: true });
        expect(readdirSync(join(dir, 'ckpt')).sort()).toEqual(['model.json', 'weights.bin']);
        const loaded = (await nr.loadModel(`file://${dir}/ckpt`)) as nr.Sequential;
        expect(loaded.learningRate).toBe(first.learningRate);
        await loaded.fit(x, y, { ...FIT, epochs: 5, initialEpoch: 3 });
        expect(bits(loaded)).toEqual(bits(whole));
        for (const m of [whole, first, loaded]) m.dispose();
      } finally {
        x.dispose();
        y.dispose();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('fitDataset on a shuffled dataset (the README recipe)', () => {
  it("resumes bit-identically when the new dataset first starts initialEpoch passes (pass k has order k); without them it does not", async () => {
    const X = nr.tidy(() => nr.randomUniform([40, 5], { seed: 1 }).arraySync() as number[][]);
    const Y = nr.tidy(() => nr.randomUniform([40, 2], { seed: 2 }).arraySync() as number[][]);
    const make = () => {
      const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [5], units: 6, activation: 'relu' }), nr.layers.dense({ units: 2 })] });
      m.compile({ optimizer: 'adam', loss: 'mse' });
      return m;
    };
    const ds = () => nr.data.zip({ xs: nr.data.array(X), ys: nr.data.array(Y) }).shuffle(40, 9).batch(8);
    const hex = (m: nr.Sequential) => m.getWeights().map((w) => { const h = Buffer.from(w.data().buffer).toString('hex'); w.dispose(); return h; }).join('');
    const whole = make();
    await whole.fitDataset(ds(), { epochs: 4, verbose: 0 });
    const first = make();
    await first.fitDataset(ds(), { epochs: 2, verbose: 0 });
    const a = await first.toArtifacts({ includeOptimizer: true });
    const naive = (await nr.loadModel(a)) as nr.Sequential;
    await naive.fitDataset(ds(), { epochs: 4, initialEpoch: 2, verbose: 0 });
    const resumed = (await nr.loadModel(a)) as nr.Sequential;
    const d = ds();
    for (let e = 0; e < 2; e++) await d.iterator();
    await resumed.fitDataset(d, { epochs: 4, initialEpoch: 2, verbose: 0 });
    expect(hex(resumed)).toBe(hex(whole));
    expect(hex(naive)).not.toBe(hex(whole));
    [whole, first, naive, resumed].forEach((m) => m.dispose());
  });
});
