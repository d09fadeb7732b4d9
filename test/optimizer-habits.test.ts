// What PyTorch and Keras 3 users expect of optimizers and gradients:
// 1. `weightDecay` (and `excludeFromWeightDecay`) on every optimizer, against Keras 3:
//    test/fixtures/keras3-optimizer-habits.json, written by bench/keras/optimizer_habits.py
//    (Keras 3.15 on JAX): a dense 5 → 3 (tanh) → 2 model, MSE, 4 full-batch steps of 7 samples
//    under ExponentialDecay(0.05, 2, 0.5), for sgd, adam, rmsprop, adagrad (weight_decay 0.1)
//    and adamw (0.2), each with and without exclude_from_weight_decay(var_names=['bias']).
//    neurite reaches Keras's weights through fit, trainOnBatch, minimize on the model's
//    weights, and minimize on plain variables, to within 2e-6 absolute + 2e-5 relative on every
//    weight (Keras's Adam puts ε on the uncorrected √v: Adam and AdamW run with ε = 1e-12 on
//    both sides, where that does not show; with 1e-7 a weight with a tiny gradient was 7e-6 off).
// 2. `model.learningRate = 0` freezes the weights (bit for bit) while steps count and Adam's
//    moments move; raising it again trains on from that state (checked against a run whose
//    frozen steps had gradients of zero effect: the moments are the same, so the weights are).
// 3. `stopGradient`: a distillation loop leaves the teacher bit-identical, and the tape's
//    gradient of x + stopGradient(x²) is 1 (central differences would give 1 + 2x).
// 4. `callbacks.learningRateScheduler`: Keras 3's LearningRateScheduler halving SGD's rate each
//    epoch after the first (fit with batch size 3 over 7 samples, 3 epochs, no shuffle): the
//    history's loss and learning_rate, and the weights, to 1e-5 relative (+ 1e-6 absolute).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failTestsThatLeak } from './setup.js';
import * as nr from '../ts/index.js';

type Nested = number | Nested[];
type Weights = Record<string, Nested[]>;
interface DecayCase { optimizer: 'sgd' | 'adam' | 'rmsprop' | 'adagrad' | 'adamw'; epsilon?: number; weightDecay: number; exclude: string[]; weights: Weights }
interface Fixture {
  x: number[][];
  y: number[][];
  start: Weights;
  schedule: { initialLearningRate: number; decaySteps: number; decayRate: number };
  decay: DecayCase[];
  scheduler: { history: { loss: number[]; learning_rate: number[] }; weights: Weights };
}
const fx = JSON.parse(readFileSync(new URL('./fixtures/keras3-optimizer-habits.json', import.meta.url), 'utf8')) as Fixture;
const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
const shapeOf = (v: Nested): number[] => (Array.isArray(v) ? [v.length, ...shapeOf(v[0])] : []);
const toTensor = (v: Nested) => nr.tensor(flat(v), shapeOf(v));

failTestsThatLeak();

function model(): nr.Sequential {
  const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [5], units: 3, activation: 'tanh', name: 'd1' }), nr.layers.dense({ units: 2, name: 'd2' })] });
  m.build();
  for (const name of ['d1', 'd2']) {
    const ws = fx.start[name].map(toTensor);
    m.getLayer(name).setWeights(ws);
    nr.dispose(ws);
  }
  return m;
}

function optimizer(c: DecayCase): nr.Optimizer {
  const learningRate = nr.schedules.exponentialDecay(fx.schedule);
  const extra = { learningRate, weightDecay: c.weightDecay, ...(c.optimizer !== 'sgd' && c.epsilon !== undefined ? { epsilon: c.epsilon } : {}), ...(c.exclude.length ? { excludeFromWeightDecay: c.exclude } : {}) };
  return (nr.optimizers[c.optimizer] as (o: object) => nr.Optimizer)(extra);
}

/** Every weight of `got` (by layer name) within 2e-6 + 2e-5·|want| of Keras's. */
function expectWeights(got: Record<string, number[][]>, want: Weights, tol = { abs: 2e-6, rel: 2e-5 }): number {
  let worst = 0;
  for (const [layer, ws] of Object.entries(want)) {
    ws.forEach((w, k) => {
      const a = got[layer][k];
      const b = flat(w);
      expect(a.length).toBe(b.length);
      b.forEach((v, i) => {
        const d = Math.abs(a[i] - v);
        worst = Math.max(worst, d / (tol.abs + tol.rel * Math.abs(v)));
        expect(d, `${layer}[${k}][${i}]: ${a[i]} vs Keras ${v}`).toBeLessThanOrEqual(tol.abs + tol.rel * Math.abs(v));
      });
    });
  }
  return worst;
}

function weightsOf(m: nr.Sequential): Record<string, number[][]> {
  const out: Record<string, number[][]> = {};
  for (const name of ['d1', 'd2']) {
    const ws = m.getLayer(name).getWeights();
    out[name] = ws.map((w) => Array.from(w.data()));
    nr.dispose(ws);
  }
  return out;
}

const mse = (y: nr.Tensor, p: nr.Tensor) => nr.mean(nr.square(nr.sub(p, y)));

describe('weightDecay on every optimizer, against Keras 3 (a schedule, biases excluded and not)', () => {
  const cases = fx.decay.filter((c) => c.weightDecay > 0);
  it('the fixture covers every optimizer with and without the exclusion, and the decay matters', () => {
    expect(cases.map((c) => `${c.optimizer}${c.exclude.length ? '-bias' : ''}`)).toEqual(['sgd', 'sgd-bias', 'adam', 'adam-bias', 'rmsprop', 'rmsprop-bias', 'adagrad', 'adagrad-bias', 'adamw', 'adamw-bias']);
    const control = fx.decay.find((c) => c.weightDecay === 0) as DecayCase;
    const d = Math.max(...flat(cases[0].weights.d1[0]).map((v, i) => Math.abs(v - flat(control.weights.d1[0])[i])));
    expect(d).toBeGreaterThan(1e-3);
  });
  for (const c of cases) {
    const label = `${c.optimizer} weightDecay ${c.weightDecay}${c.exclude.length ? ", excludeFromWeightDecay ['bias']" : ''}`;
    it(`${label}: fit, trainOnBatch and minimize (model weights and plain variables) give Keras's weights`, async () => {
      const x = nr.tensor(fx.x);
      const y = nr.tensor(fx.y);
      // fit: 4 full-batch steps.
      const a = model();
      a.compile({ optimizer: optimizer(c), loss: 'meanSquaredError' });
      await a.fit(x, y, { batchSize: 7, epochs: 4, shuffle: false, verbose: 0 });
      expectWeights(weightsOf(a), c.weights);
      // trainOnBatch: the same steps, bit for bit.
      const b = model();
      b.compile({ optimizer: optimizer(c), loss: 'meanSquaredError' });
      for (let k = 0; k < 4; k++) await b.trainOnBatch(x, y);
      expect(weightsOf(b)).toEqual(weightsOf(a));
      // minimize on the compiled model's weights: the trainer's step (the same decay mask).
      const m = model();
      const opt = optimizer(c);
      m.compile({ optimizer: opt, loss: 'meanSquaredError' });
      for (let k = 0; k < 4; k++) opt.minimize(() => mse(y, m.predict(x)), false, m.trainableWeights);
      expectWeights(weightsOf(m), c.weights);
      // minimize on plain variables named as the layers' weights (the optimizer in no model).
      const vars = ['d1/kernel', 'd1/bias', 'd2/kernel', 'd2/bias'].map((n, i) => {
        const t = toTensor(fx.start[n.slice(0, 2)][i % 2]);
        const v = nr.variable(t, true, n);
        t.dispose();
        return v;
      });
      const free = optimizer(c);
      for (let k = 0; k < 4; k++) free.minimize(() => nr.tidy(() => mse(y, nr.add(nr.matMul(nr.tanh(nr.add(nr.matMul(x, vars[0]), vars[1])), vars[2]), vars[3]))), false, vars);
      expectWeights({ d1: [vars[0], vars[1]].map((v) => Array.from(v.data())), d2: [vars[2], vars[3]].map((v) => Array.from(v.data())) }, c.weights);
      for (const v of vars) v.dispose();
      free.dispose();
      for (const t of [a, b, m, x, y]) t.dispose();
    });
  }
  it('weightDecay 0 changes nothing, bit for bit (the control run)', async () => {
    const c = fx.decay.find((d) => d.weightDecay === 0) as DecayCase;
    const x = nr.tensor(fx.x);
    const y = nr.tensor(fx.y);
    const [a, b] = [model(), model()];
    a.compile({ optimizer: nr.optimizers.sgd({ learningRate: nr.schedules.exponentialDecay(fx.schedule) }), loss: 'mse' });
    b.compile({ optimizer: nr.optimizers.sgd({ learningRate: nr.schedules.exponentialDecay(fx.schedule), weightDecay: 0, excludeFromWeightDecay: ['bias'] }), loss: 'mse' });
    await a.fit(x, y, { batchSize: 7, epochs: 4, shuffle: false, verbose: 0 });
    await b.fit(x, y, { batchSize: 7, epochs: 4, shuffle: false, verbose: 0 });
    expect(weightsOf(b)).toEqual(weightsOf(a));
    expectWeights(weightsOf(a), c.weights);
    for (const t of [a, b, x, y]) t.dispose();
  });

  it('survives getConfig/fromConfig and a saved compile config, and TF.js trainingConfig is left out', async () => {
    const opt = nr.optimizers.rmsprop({ learningRate: 0.01, weightDecay: 0.05, excludeFromWeightDecay: ['bias', 'd2/'] });
    const cfg = opt.getConfig();
    expect(cfg).toMatchObject({ name: 'rmsprop', learningRate: 0.01, weightDecay: 0.05, excludeFromWeightDecay: ['bias', 'd2/'] });
    const copy = nr.optimizerFromConfig(cfg);
    expect(copy.getConfig()).toEqual(cfg);
    const adam = nr.optimizers.adam({ learningRate: nr.schedules.exponentialDecay(fx.schedule), weightDecay: 0.1 });
    const adamCopy = nr.optimizerFromConfig(adam.getConfig());
    expect(adamCopy.getConfig()).toMatchObject({ weightDecay: 0.1, learningRate: { name: 'exponentialDecay', decayRate: 0.5 } });
    adam.dispose();
    adamCopy.dispose();
    const m = model();
    m.compile({ optimizer: copy, loss: 'mse' });
    const art = await m.toArtifacts({ includeOptimizer: true });
    expect(art.trainingConfig).toBeUndefined(); // TF.js's optimizers have no weight decay
    const loaded = (await nr.loadModel(art)) as nr.Sequential;
    expect(loaded.optimizer?.getConfig()).toEqual(cfg);
    // The loaded model's trainer excludes the same weights: one step of both gives the same bits.
    const x = nr.tensor(fx.x);
    const y = nr.tensor(fx.y);
    await m.trainOnBatch(x, y);
    await loaded.trainOnBatch(x, y);
    expect(weightsOf(loaded)).toEqual(weightsOf(m));
    for (const t of [m, loaded, x, y, opt, copy]) t.dispose();
  });

  it('bad weightDecay and excludeFromWeightDecay are refused, naming the option', () => {
    expect(() => nr.optimizers.sgd({ weightDecay: -0.1 })).toThrow(/weightDecay must be a finite number >= 0, got -0\.1/);
    expect(() => nr.optimizers.adam({ weightDecay: NaN })).toThrow(/^optimizers\.adam: weightDecay must be a finite number within float32 range, got NaN/);
    expect(() => nr.optimizers.adagrad({ weightDecay: '0.1' as unknown as number })).toThrow(/^optimizers\.adagrad: weightDecay must be a finite number within float32 range, got the string "0\.1"/);
    expect(() => nr.optimizers.adamw({ weightDecay: Infinity })).toThrow(/^optimizers\.adamw: weightDecay must be a finite number/);
    expect(() => nr.optimizers.sgd({ weightDecy: 0.1 } as never)).toThrow(/unknown option 'weightDecy'.*did you mean 'weightDecay'/);
    expect(() => nr.optimizers.sgd({ excludeFromWeightDecay: 'bias' as never })).toThrow("optimizers.sgd: excludeFromWeightDecay must be an array of non-empty strings (parts of weight names, e.g. ['bias']) or RegExps (e.g. [/bias$/]), got the string \"bias\"");
    expect(() => nr.optimizers.sgd({ excludeFromWeightDecay: ['bias', 3 as never] })).toThrow("optimizers.sgd: excludeFromWeightDecay must be an array of non-empty strings (parts of weight names, e.g. ['bias']) or RegExps (e.g. [/bias$/]), got 3 at [1]");
    expect(() => nr.optimizers.sgd({ excludeFromWeightDecay: [{ pattern: '(bias' }] })).toThrow(/^optimizers\.sgd: excludeFromWeightDecay\[0\]: \{ pattern: "\(bias", flags: "" \} is not a regular expression \(Invalid regular expression/);
    expect(() => nr.optimizers.sgd({ excludeFromWeightDecay: [{ pattern: 'bias', flag: 'i' } as never] })).toThrow(/excludeFromWeightDecay must be an array of non-empty strings .* at \[0\]/);
    expect(() => nr.optimizers.sgd({ excludeFromWeightDecay: [''] })).toThrow(/excludeFromWeightDecay must be an array of non-empty strings/);
    expect(() => nr.optimizerFromConfig({ name: 'sgd', weightDecay: -1 })).toThrow(/^optimizerFromConfig: .*weightDecay must be a finite number >= 0, got -1/);
  });
});

describe('excludeFromWeightDecay: RegExps, and items that match no weight', () => {
  // Keras 3 (base_optimizer.py, exclude_from_weight_decay/_use_weight_decay) joins var_names into
  // one regex and re.search-es each variable's short name ('kernel', 'bias'); neurite searches a
  // RegExp in the full name ('d1/bias'), so /bias$/ excludes what Keras's 'bias$' (and 'bias')
  // excludes: the fixture's 'bias' cases are the reference.
  const c = fx.decay.find((d) => d.optimizer === 'adamw' && d.exclude.length > 0) as DecayCase;
  const withExclude = (exclude: unknown, weightDecay = c.weightDecay) =>
    nr.optimizers.adamw({ learningRate: nr.schedules.exponentialDecay(fx.schedule), weightDecay, epsilon: c.epsilon, excludeFromWeightDecay: exclude as string[] });

  it("a RegExp gives Keras's weights through fit, trainOnBatch and minimize (model weights and plain variables); g and y flags do not make it stateful", async () => {
    const x = nr.tensor(fx.x);
    const y = nr.tensor(fx.y);
    for (const exclude of [[/bias$/], [/BIAS/gi], [/d1\/bias/, 'd2/bias'], [{ pattern: 'bias$', flags: '' }]]) {
      const a = model();
      a.compile({ optimizer: withExclude(exclude), loss: 'meanSquaredError' });
      await a.fit(x, y, { batchSize: 7, epochs: 4, shuffle: false, verbose: 0 });
      expectWeights(weightsOf(a), c.weights);
      const b = model();
      b.compile({ optimizer: withExclude(exclude), loss: 'meanSquaredError' });
      for (let k = 0; k < 4; k++) await b.trainOnBatch(x, y);
      expect(weightsOf(b)).toEqual(weightsOf(a));
      const m = model();
      const opt = withExclude(exclude);
      m.compile({ optimizer: opt, loss: 'meanSquaredError' });
      for (let k = 0; k < 4; k++) opt.minimize(() => mse(y, m.predict(x)), false, m.trainableWeights);
      expect(weightsOf(m)).toEqual(weightsOf(a));
      const vars = ['d1/kernel', 'd1/bias', 'd2/kernel', 'd2/bias'].map((n, i) => {
        const t = toTensor(fx.start[n.slice(0, 2)][i % 2]);
        const v = nr.variable(t, true, n);
        t.dispose();
        return v;
      });
      const free = withExclude(exclude);
      for (let k = 0; k < 4; k++) free.minimize(() => nr.tidy(() => mse(y, nr.add(nr.matMul(nr.tanh(nr.add(nr.matMul(x, vars[0]), vars[1])), vars[2]), vars[3]))), false, vars);
      expectWeights({ d1: [vars[0], vars[1]].map((v) => Array.from(v.data())), d2: [vars[2], vars[3]].map((v) => Array.from(v.data())) }, c.weights);
      nr.dispose([...vars, free, a, b, m]);
    }
    nr.dispose([x, y]);
  });

  it('an item that matches no weight is an error at compile (fit, trainOnBatch) or the first minimize, listing the weight names; nothing changes', async () => {
    const names = 'd1/kernel, d1/bias, d2/kernel, d2/bias';
    const m = model();
    const before = weightsOf(m);
    // Keras's regex spelling as a string: the hint is the RegExp, and what it matches.
    expect(() => m.compile({ optimizer: withExclude(['bias$']), loss: 'mse' })).toThrow(
      `compile: the adamw optimizer's excludeFromWeightDecay item 'bias$' matches no weight of model ${m.name} (its weights are ${names}); 'bias$' looks like a regular expression (Keras 3 reads its strings as one): pass a RegExp, /bias$/, which matches d1/bias, d2/bias. Without a match the item would exclude nothing and every weight would decay`,
    );
    // Keras's anchored short name: as a RegExp it matches nothing either, so the hint says how names look.
    expect(() => m.compile({ optimizer: withExclude(['^bias$']), loss: 'mse' })).toThrow(
      "'^bias$' looks like a regular expression (Keras 3 reads its strings as one): pass a RegExp, searched in the full name (such as /\\/bias$/ for Keras's '^bias$')",
    );
    expect(() => m.compile({ optimizer: withExclude(['bias', /^bias$/]), loss: 'mse' })).toThrow(
      `compile: the adamw optimizer's excludeFromWeightDecay item /^bias$/ matches no weight of model ${m.name} (its weights are ${names}); a RegExp is searched in the full name (layerName/weightName; Keras 3 searches the short name, such as bias)`,
    );
    expect(() => m.compile({ optimizer: withExclude(['bias', 'gama']), loss: 'mse' })).toThrow(`item 'gama' matches no weight of model ${m.name} (its weights are ${names}); a string is a plain part of the full name (layerName/weightName)`);
    // The model was left as it was: not compiled, so fit and trainOnBatch say so, weights unchanged.
    expect(m.optimizer).toBeUndefined();
    const x = nr.tensor(fx.x);
    const y = nr.tensor(fx.y);
    await expect(m.fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow(/must be compiled first/);
    await expect((async () => m.trainOnBatch(x, y))()).rejects.toThrow(/must be compiled first/);
    expect(weightsOf(m)).toEqual(before);
    // Without a decay the list excludes nothing anyway: no error.
    m.compile({ optimizer: withExclude(['bias$'], 0), loss: 'mse' });
    // Plain variables: at the first minimize, before any step.
    const [w, bias] = nr.tidy(() => [nr.variable(nr.tensor([1, 2], [2]), true, 'w'), nr.variable(nr.tensor([3], [1]), true, 'b/bias')]);
    const opt = withExclude(['bias$']);
    expect(() => opt.minimize(() => nr.add(nr.sum(nr.square(w)), nr.sum(bias)), false, [w, bias])).toThrow(
      "minimize: the adamw optimizer's excludeFromWeightDecay item 'bias$' matches no weight of the variables of this minimize (its weights are w, b/bias); 'bias$' looks like a regular expression (Keras 3 reads its strings as one): pass a RegExp, /bias$/, which matches b/bias.",
    );
    expect([Array.from(w.data()), Array.from(bias.data()), opt.iterations]).toEqual([[1, 2], [3], 0]);
    nr.dispose([m, x, y, w, bias, opt]);
  });

  it('getConfig writes a RegExp as { pattern, flags }; optimizerFromConfig, JSON and a saved model keep it', async () => {
    const opt = nr.optimizers.adamw({ learningRate: 0.01, excludeFromWeightDecay: ['d2/', /BIAS$/gi] });
    const cfg = opt.getConfig();
    expect(cfg.excludeFromWeightDecay).toEqual(['d2/', { pattern: 'BIAS$', flags: 'i' }]);
    const copy = nr.optimizerFromConfig(JSON.parse(JSON.stringify(cfg)));
    expect(copy.getConfig()).toEqual(cfg);
    const m = model();
    m.compile({ optimizer: copy, loss: 'mse' });
    const loaded = (await nr.loadModel(await m.toArtifacts({ includeOptimizer: true }))) as nr.Sequential;
    expect(loaded.optimizer?.getConfig()).toEqual(cfg);
    // The same weights are excluded after the load (d1/bias by the RegExp, d2's by the string):
    // steps of both give the same bits, and differ from a run that excludes only d2.
    const only = model();
    only.compile({ optimizer: nr.optimizers.adamw({ learningRate: 0.01, excludeFromWeightDecay: ['d2/'] }), loss: 'mse' });
    const x = nr.tensor(fx.x);
    const y = nr.tensor(fx.y);
    for (const t of [m, loaded, only]) for (let k = 0; k < 3; k++) await t.trainOnBatch(x, y);
    expect(weightsOf(loaded)).toEqual(weightsOf(m));
    expect(weightsOf(only).d1[1]).not.toEqual(weightsOf(m).d1[1]);
    expect(weightsOf(only).d1[0]).not.toEqual(weightsOf(m).d1[0]); // the kernel decays in both, but its update sees another bias
    nr.dispose([opt, copy, m, loaded, only, x, y]);
  });
});

describe('model.learningRate = 0', () => {
  it('freezes the weights bit for bit, keeps counting steps and moving Adam’s moments, and trains on when raised', async () => {
    const x = nr.tensor(fx.x);
    const y = nr.tensor(fx.y);
    const m = model();
    m.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.01 }), loss: 'mse' });
    await m.fit(x, y, { batchSize: 7, epochs: 2, shuffle: false, verbose: 0 });
    m.learningRate = 0;
    expect(m.learningRate).toBe(0);
    const before = weightsOf(m);
    const stateBefore = nr.exportTrainingState(m);
    const firstM = (st: nr.TrainingState) => Array.from(st.tensors[0].data);
    await m.fit(x, y, { batchSize: 7, epochs: 3, shuffle: false, verbose: 0 });
    opt(m).minimize(() => mse(y, m.predict(x)), false, m.trainableWeights);
    expect(weightsOf(m)).toEqual(before);
    const state = nr.exportTrainingState(m);
    expect(state.step).toBe(6); // 2 + 3 + 1: the frozen steps counted
    expect(state.extra.lrScale).toBe(0);
    // Adam's first moment moved with the frozen steps' gradients.
    expect(state.tensors[0].name).toBe('d1/kernel/m');
    expect(firstM(state)).not.toEqual(firstM(stateBefore));
    // A saved state with the rate 0 restores (lrScale 0 is accepted).
    const other = model();
    const ws = m.getWeights();
    other.setWeights(ws);
    nr.dispose(ws);
    other.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.01 }), loss: 'mse' });
    nr.importTrainingState(other, state);
    expect(other.learningRate).toBe(0);
    // Raised again: training goes on from the kept state (equal to a run that never froze:
    // its trainer at the same step with the same moments gives the same bits).
    m.learningRate = 0.01;
    other.learningRate = 0.01;
    expect(m.learningRate).toBeCloseTo(0.01, 8);
    await m.fit(x, y, { batchSize: 7, epochs: 1, shuffle: false, verbose: 0 });
    await other.fit(x, y, { batchSize: 7, epochs: 1, shuffle: false, verbose: 0 });
    expect(weightsOf(m)).not.toEqual(before);
    expect(weightsOf(other)).toEqual(weightsOf(m));
    // Negative and NaN stay errors; optimizers made with 0 and schedules down to 0 are accepted.
    expect(() => (m.learningRate = -0.1)).toThrow('learningRate: must be a finite number >= 0, got -0.1');
    expect(() => (m.learningRate = NaN)).toThrow('learningRate: must be a finite number >= 0, got NaN');
    const frozen = nr.optimizers.sgd({ learningRate: 0 });
    const v = nr.tidy(() => nr.variable(nr.tensor([1, 2])));
    frozen.minimize(() => nr.sum(nr.square(v)), false, [v]);
    expect(Array.from(v.data())).toEqual([1, 2]);
    frozen.learningRate = 0.5;
    frozen.minimize(() => nr.sum(nr.square(v)), false, [v]);
    expect(Array.from(v.data())).toEqual([0, 0]);
    expect(() => (frozen.learningRate = -1)).toThrow(/learningRate must be a finite number >= 0/);
    for (const t of [m, other, x, y, v, frozen]) t.dispose();
  });

  it('reduceLROnPlateau with minLr 0 and a cosine schedule decaying to 0 run without error', async () => {
    const x = nr.tensor(fx.x);
    const y = nr.tensor(fx.y);
    const m = model();
    m.compile({ optimizer: nr.optimizers.sgd({ learningRate: nr.schedules.cosineDecay({ initialLearningRate: 0.05, decaySteps: 3 }) }), loss: 'mse' });
    const h = await m.fit(x, y, { batchSize: 7, epochs: 6, shuffle: false, verbose: 0, callbacks: [nr.callbacks.reduceLROnPlateau({ monitor: 'loss', patience: 1, factor: 0.5, minLr: 0 })] });
    expect(h.history.learning_rate.at(-1)).toBe(0); // the schedule reached 0 after 3 steps
    const frozenAt = weightsOf(m);
    await m.fit(x, y, { batchSize: 7, epochs: 2, shuffle: false, verbose: 0 });
    expect(weightsOf(m)).toEqual(frozenAt);
    for (const t of [m, x, y]) t.dispose();
  });
});

/** The model's optimizer. */
const opt = (m: nr.Sequential): nr.Optimizer => m.optimizer as nr.Optimizer;

describe('stopGradient', () => {
  it('is the identity forward and passes no gradient: d/dx (x + stopGradient(x²)) = 1, where central differences give 1 + 2x', () => {
    const x = nr.tensor([-1.5, 0, 0.25, 3, 1e-20, -1e20]);
    const f = (t: nr.Tensor) => nr.add(t, nr.stopGradient(nr.square(t)));
    const g = nr.grad(f)(x);
    expect(Array.from(g.data())).toEqual([1, 1, 1, 1, 1, 1]);
    // The forward is x + x², and central differences of it see the x² term (what the tape,
    // by definition, does not): at x = 3 they give 7, not 1.
    const at = (v: number) => nr.tidy(() => f(nr.tensor([v])).data()[0]);
    const h = 1e-2;
    expect((at(3 + h) - at(3 - h)) / (2 * h)).toBeCloseTo(7, 2);
    const y = nr.stopGradient(x);
    expect(Array.from(y.data())).toEqual(Array.from(x.data()));
    const s = x.stopGradient();
    expect(s.shape).toEqual([6]);
    // Zero rows and a scalar.
    nr.tidy(() => {
      expect(nr.stopGradient(nr.zeros([0, 3])).shape).toEqual([0, 3]);
      // d/dt (stopGradient(t)·t) = stopGradient(t) = 2 at t = 2 (the product rule's other half is cut).
      expect(nr.grad((t: nr.Tensor) => nr.mul(nr.stopGradient(t), t))(nr.scalar(2)).data()[0]).toBe(2);
      expect(Array.from(nr.stopGradient([1, 2] as never).data())).toEqual([1, 2]);
    });
    expect(() => nr.stopGradient(null as never)).toThrow(/^stopGradient: x must be/);
    nr.dispose([x, g, y, s]);
  });

  it("distillation: minimize(() => loss(student(x), stopGradient(teacher(x)))) trains the student and leaves the teacher's weights bit-identical", () => {
    const x = nr.tensor(fx.x);
    const teacher = model();
    const student = nr.sequential({ layers: [nr.layers.dense({ inputShape: [5], units: 2, name: 's1' })], seed: 3 });
    student.build();
    const bits = (m: nr.Sequential) => m.getWeights().map((w) => { const b = Array.from(new Uint32Array(w.data().buffer)); w.dispose(); return b; });
    const [t0, s0] = [bits(teacher), bits(student)];
    const adam = nr.optimizers.adam({ learningRate: 0.05, weightDecay: 0.1 });
    // No varList: every live model's weights, the teacher's too (TF.js's default list).
    for (let k = 0; k < 3; k++) adam.minimize(() => nr.losses.meanSquaredError(nr.stopGradient(teacher.predict(x)), student.predict(x)));
    expect(bits(teacher)).toEqual(t0);
    expect(bits(student)).not.toEqual(s0);
    // Without stopGradient the teacher moves.
    adam.minimize(() => nr.losses.meanSquaredError(teacher.predict(x), student.predict(x)));
    expect(bits(teacher)).not.toEqual(t0);
    for (const t of [x, teacher, student, adam]) t.dispose();
  });

  it("a DQN target network (the README's fromConfig copy, same weight names) behind stopGradient: minimize and applyGradients(variableGrads(f).grads) train q alone, and AdamW's decay leaves the target (a gradient tester's finding)", () => {
    const s = nr.tensor([[1, 2], [0.5, -1]]);
    const q = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [2], units: 2 })] });
    q.build();
    const target = nr.sequential.fromConfig(q.getConfig());
    nr.tidy(() => target.setWeights(q.getWeights()));
    expect(target.trainableWeights.map((w) => w.name)).toEqual(q.trainableWeights.map((w) => w.name));
    const bits = (m: nr.Sequential) => nr.tidy(() => m.getWeights().flatMap((w) => Array.from(new Uint32Array(w.dataSync().buffer))));
    const t0 = bits(target);
    const q0 = bits(q);
    const loss = () => q.predict(s).sub(nr.stopGradient(target.predict(s).mul(0.9))).square().sum();
    const wd = nr.optimizers.adamw({ learningRate: 0.05, weightDecay: 0.5 });
    // No varList (every live model's weights): the copy's, reached only through stopGradient, yield to q's names.
    wd.minimize(loss);
    const { value, grads } = nr.variableGrads(loss);
    expect(Object.keys(grads).sort()).toEqual(q.trainableWeights.map((w) => w.name).sort());
    wd.applyGradients(grads); // for q's weights, not the copy's of the same name
    nr.dispose([value, ...Object.values(grads)]);
    expect(bits(target)).toEqual(t0);
    expect(bits(q)).not.toEqual(q0);
    // With its own names, the target's weights are left out (Keras's None; they had zeros, which
    // applyGradients skipped), so a merge of two results keeps each one's real gradients.
    const other = nr.sequential({ seed: 2, layers: [nr.layers.dense({ inputShape: [2], units: 2, name: 'tgt' })] });
    other.build();
    const o0 = bits(other);
    const r = nr.variableGrads(() => q.predict(s).sub(nr.stopGradient(other.predict(s))).square().sum());
    expect(Object.keys(r.grads).sort()).toEqual(q.trainableWeights.map((w) => w.name).sort());
    wd.applyGradients(r.grads);
    expect(bits(other)).toEqual(o0);
    expect(() => nr.variableGrads(() => nr.stopGradient(other.predict(s)).sum().add(q.predict(s).sum().mul(0)), other.trainableWeights)).toThrow(/^variableGrads: f\(\) depends on the variables only through ops with no gradient/);
    nr.dispose([s, r.value, ...Object.values(r.grads), q, target, other, wd]);
  });

  it("an actor reading its critic through stopGradient: applyGradients({ ...criticGrads, ...actorGrads }) trains the critic too (the actor's result held zeros for the critic's weights, which replaced its real gradients: the critic never moved; an RL tester's finding)", () => {
    const s = nr.tensor([[1, 2], [0.5, -1], [0, 3]]);
    const target = nr.tensor([[1], [0], [2]]);
    const actor = nr.sequential({ seed: 3, layers: [nr.layers.dense({ inputShape: [2], units: 2, name: 'a1' })] });
    const critic = nr.sequential({ seed: 4, layers: [nr.layers.dense({ inputShape: [2], units: 1, name: 'c1' })] });
    actor.build();
    critic.build();
    const bits = (m: nr.Sequential) => nr.tidy(() => m.getWeights().flatMap((w) => Array.from(w.dataSync())));
    const c0 = bits(critic);
    const a0 = bits(actor);
    const opt = nr.optimizers.adam({ learningRate: 0.1 });
    const cg = nr.variableGrads(() => nr.losses.meanSquaredError(target, critic.predict(s)));
    // The advantage comes from the critic, detached: no critic weight in the actor's result.
    const ag = nr.variableGrads(() => nr.mean(nr.mul(nr.logSoftmax(actor.predict(s)).sum(-1, true), nr.stopGradient(critic.predict(s)))));
    expect(Object.keys(ag.grads).sort()).toEqual(['a1/bias', 'a1/kernel']);
    // A clip of every gradient (no zero to become a plain tensor and be stepped by Adam).
    const clipped = Object.fromEntries(Object.entries({ ...cg.grads, ...ag.grads }).map(([k, g]) => [k, nr.clipByValue(g, -1, 1)]));
    opt.applyGradients(clipped);
    expect(bits(critic)).not.toEqual(c0);
    expect(bits(actor)).not.toEqual(a0);
    nr.dispose([s, target, cg.value, ag.value, ...Object.values(cg.grads), ...Object.values(ag.grads), ...Object.values(clipped), actor, critic, opt]);
  });
});

describe('callbacks.learningRateScheduler', () => {
  it("halving the rate each epoch gives Keras 3's losses, logged rates and weights", async () => {
    const x = nr.tensor(fx.x);
    const y = nr.tensor(fx.y);
    const m = model();
    m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
    const seen: Array<[number, number]> = [];
    const h = await m.fit(x, y, {
      batchSize: 3,
      epochs: 3,
      shuffle: false,
      verbose: 0,
      callbacks: [nr.callbacks.learningRateScheduler((epoch, lr) => (seen.push([epoch, lr]), epoch > 0 ? lr * 0.5 : lr))],
    });
    const want = fx.scheduler.history;
    h.history.loss.forEach((v, i) => expect(Math.abs(v - want.loss[i])).toBeLessThanOrEqual(1e-6 + 1e-5 * want.loss[i]));
    expect(h.history.learning_rate.map(Math.fround)).toEqual(want.learning_rate.map(Math.fround));
    expect(seen.map(([e]) => e)).toEqual([0, 1, 2]);
    expectWeights(weightsOf(m), fx.scheduler.weights, { abs: 1e-6, rel: 1e-5 });
    m.dispose();
    // A bad return stops fit with an error naming the epoch and the value.
    const n = model();
    n.compile({ optimizer: 'sgd', loss: 'mse' });
    for (const [bad, text] of [[NaN, 'NaN'], [-0.1, '-0.1'], [Infinity, 'Infinity'], ['0.1', 'the string "0.1"']] as const) {
      await expect(n.fit(x, y, { epochs: 3, verbose: 0, callbacks: [nr.callbacks.learningRateScheduler((e, lr) => (e === 1 ? (bad as number) : lr))] })).rejects.toThrow(
        new RegExp(`learningRateScheduler: schedule\\(1, [0-9.e-]+\\) returned ${text.replace(/[.()]/g, '\\$&')} at epoch 2 \\(the schedule gets epochs from 0, as Keras's\\); the learning rate must be a finite number >= 0`),
      );
    }
    expect(() => nr.callbacks.learningRateScheduler(0.1 as never)).toThrow('learningRateScheduler: schedule must be a function (epoch, lr) => newLr, got 0.1');
    for (const t of [n, x, y]) t.dispose();
  });
});

describe('callbacks.learningRateScheduler on an optimizer whose rate is a schedule', () => {
  // Keras 3 raises (TypeError: "This optimizer was created with a `LearningRateSchedule` object
  // as its `learning_rate` constructor argument, hence its learning rate is not settable"): the
  // two would otherwise combine silently. Here fit refuses before the first step, and the
  // weights, the step count and the rate are untouched.
  it('is an error at the start of fit naming both, with nothing trained', async () => {
    const x = nr.tensor(fx.x);
    const y = nr.tensor(fx.y);
    for (const [schedule, name] of [[nr.schedules.exponentialDecay(fx.schedule), 'exponentialDecay'], [nr.schedules.cosineDecay({ initialLearningRate: 0.05, decaySteps: 3 }), 'cosineDecay']] as const) {
      for (const opt of [nr.optimizers.sgd({ learningRate: schedule }), nr.optimizers.adam({ learningRate: schedule })]) {
        const m = model();
        m.compile({ optimizer: opt, loss: 'mse' });
        const before = weightsOf(m);
        const lr = m.learningRate;
        const seen: number[] = [];
        const scheduler = nr.callbacks.learningRateScheduler((epoch, rate) => (seen.push(epoch), rate));
        await expect(m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [scheduler] })).rejects.toThrow(
          `learningRateScheduler: the model's ${opt.name} optimizer takes its learning rate from a schedule (schedules.${name}), and the two would combine (each epoch's rate would rescale the schedule); use one: compile with a number as the optimizer's learningRate to drive it with learningRateScheduler, or leave the callback out (Keras 3 refuses this too)`,
        );
        expect(seen).toEqual([]);
        expect(weightsOf(m)).toEqual(before);
        expect([m.optimizer!.iterations, m.learningRate]).toEqual([0, lr]);
        m.dispose();
      }
    }
    // A number as the rate (the usual case) is driven as before; a model loaded or recompiled
    // with a number is too.
    const m = model();
    m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
    const h = await m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [nr.callbacks.learningRateScheduler((_e, rate) => rate / 2)] });
    expect(h.history.learning_rate.map(Math.fround)).toEqual([0.05, 0.025].map(Math.fround));
    for (const t of [m, x, y]) t.dispose();
  });
});
