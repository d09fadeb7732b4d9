/**
 * `optimizer.getWeights()` / `setWeights()` (TF.js 4.22's names and list form: `iter`, then
 * `<variableName>/<slot>` slot-major):
 * - the slot names of every optimizer setting equal the core's (`exportTrainingState` of a
 *   compiled model names them from `Optimizer::slot_names`);
 * - N steps, getWeights, a fresh optimizer with setWeights, M steps give the bits of N + M
 *   uninterrupted steps, for every optimizer and option that changes the state (plain
 *   variables; a compiled model's weights, whose state the trainer holds, and `fit` after it);
 * - against TF.js (`tf.train.*`, the cpu backend) where the update rules agree (not adadelta,
 *   whose TF.js rule differs, nor AMSGrad/AdamW, which TF.js lacks): the same names in the same
 *   order and values to 2e-6 relative after 4 `minimize` steps on the same variables; and
 *   TF.js's list into neurite's setWeights continues as TF.js does;
 * - refused lists (unknown name, shape, NaN, negative squares, disposed tensor, missing or
 *   doubled slot, no `iter`) name the item and change nothing; memory: getWeights' copies are
 *   the caller's, setWeights copies what it is given.
 */
import { describe, expect, it } from 'vitest';
import './setup.js';
import * as nr from '../ts/index.js';
import { OPTIMIZER_SETTINGS } from './optimizer-cases.js';
import { tf } from './oracle.js';

const CASES: Array<readonly [string, () => nr.Optimizer]> = [
  ...OPTIMIZER_SETTINGS,
  ['rmsprop momentum', () => nr.optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5 })],
  ['adam schedule', () => nr.optimizers.adam({ learningRate: nr.schedules.exponentialDecay({ initialLearningRate: 0.05, decaySteps: 1, decayRate: 0.8 }) })],
];

const X = [[0.5, -1, 2], [1.5, 0.25, -0.75], [-2, 1, 0.5], [0.1, 0.2, 0.3]];
const Y = [[1, 0], [0, 1], [0.5, 0.5], [-1, 2]];
const W0 = [[0.1, -0.2], [0.3, 0.05], [-0.4, 0.2]];
const B0 = [0.01, -0.02];

/** float32 values as base64 of their bytes: equal strings are equal bits. */
const bits = (t: nr.Tensor | nr.LayerVariable): string => {
  const d = t instanceof nr.LayerVariable ? nr.tidy(() => t.read().dataSync()) : t.dataSync();
  return Buffer.from(Float32Array.from(d).buffer).toString('base64');
};
const disposeAll = (ws: nr.NamedTensor[]): void => ws.forEach((w) => w.tensor.dispose());

/** Variables `w` and `b` (named) and a mean-squared-error loss of x·w + b. */
function problem(prefix = '') {
  const w = nr.tidy(() => nr.variable(nr.tensor(W0), true, `${prefix}w`));
  const b = nr.tidy(() => nr.variable(nr.tensor(B0), true, `${prefix}b`));
  const x = nr.tensor(X), y = nr.tensor(Y);
  const loss = () => nr.losses.meanSquaredError(y, x.matMul(w).add(b));
  return { w, b, loss, dispose: () => nr.dispose([w, b, x, y]) };
}

describe('optimizer.getWeights / setWeights', () => {
  it("names the core's slots for every optimizer setting (iter first, then slot-major)", async () => {
    for (const [name, make] of CASES) {
      const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ units: 2, inputShape: [3], name: 'd' })] });
      m.compile({ optimizer: make(), loss: 'mse' });
      const core = nr.exportTrainingState(m).tensors.map((t) => t.name);
      const p = problem();
      const opt = make();
      opt.minimize(p.loss, false, [p.w, p.b]);
      const ws = await opt.getWeights();
      const slots = core.filter((n) => n.startsWith('d/kernel/')).map((n) => n.slice('d/kernel/'.length));
      expect(ws.map((w) => w.name), name).toEqual(['iter', ...slots.flatMap((s) => [`w/${s}`, `b/${s}`])]);
      // The compiled optimizer lists the model's weights with the same slots.
      const mw = await m.optimizer!.getWeights();
      expect(mw.map((w) => w.name), name).toEqual(['iter', ...slots.flatMap((s) => [`d/kernel/${s}`, `d/bias/${s}`])]);
      expect(ws[0].tensor.shape).toEqual([]);
      expect(ws[0].tensor.dataSync()[0]).toBe(1);
      disposeAll(ws);
      disposeAll(mw);
      opt.dispose();
      m.optimizer!.dispose();
      m.dispose();
      p.dispose();
    }
  });

  for (const [name, make] of CASES) {
    it(`${name}: 3 steps, getWeights, a fresh optimizer's setWeights, 4 steps == 7 steps, bit for bit (plain variables)`, async () => {
      const p = problem();
      const before = nr.memory().numTensors;
      const a = make();
      for (let i = 0; i < 3; i++) nr.tidy(() => a.minimize(p.loss, false, [p.w, p.b]));
      const saved = await a.getWeights();
      const at3 = [nr.clone(p.w), nr.clone(p.b)];
      for (let i = 0; i < 4; i++) nr.tidy(() => a.minimize(p.loss, false, [p.w, p.b]));
      const want = [bits(p.w), bits(p.b)];
      p.w.assign(at3[0]);
      p.b.assign(at3[1]);
      const fresh = make();
      await fresh.setWeights(saved);
      expect(fresh.iterations).toBe(3);
      for (let i = 0; i < 4; i++) nr.tidy(() => fresh.minimize(p.loss, false, [p.w, p.b]));
      expect([bits(p.w), bits(p.b)]).toEqual(want);
      // The restored optimizer's state is the uninterrupted one's.
      const [wa, wf] = [await a.getWeights(), await fresh.getWeights()];
      expect(wf.map((w) => [w.name, bits(w.tensor)])).toEqual(wa.map((w) => [w.name, bits(w.tensor)]));
      [saved, wa, wf].forEach(disposeAll);
      nr.dispose([...at3, a, fresh]);
      expect(nr.memory().numTensors).toBe(before);
      p.dispose();
    });
  }

  it("a compiled model's weights: the trainer's state round-trips (minimize, then fit), bit for bit", async () => {
    for (const [name, make] of CASES.filter(([n]) => ['adam', 'momentum', 'rmsprop centered momentum', 'adagrad'].includes(n))) {
      const x = nr.tensor(X), y = nr.tensor(Y);
      const build = () => {
        const m = nr.sequential({ seed: 5, layers: [nr.layers.dense({ units: 4, inputShape: [3], activation: 'tanh', name: 'h' }), nr.layers.dense({ units: 2, name: 'o' })] });
        m.compile({ optimizer: make(), loss: 'mse' });
        return m;
      };
      const step = (m: nr.Sequential) => nr.tidy(() => m.optimizer!.minimize(() => nr.losses.meanSquaredError(y, m.predict(x)), false, m.trainableWeights));
      const a = build();
      for (let i = 0; i < 3; i++) step(a);
      const saved = await a.optimizer!.getWeights();
      expect(saved[0].tensor.dataSync()[0]).toBe(3);
      const weights = a.getWeights();
      for (let i = 0; i < 2; i++) step(a);
      await a.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
      const want = a.trainableWeights.map(bits);
      a.dispose();
      const b = build(); // the same layer names: the saved names are its weights'
      b.setWeights(weights);
      await b.optimizer!.setWeights(saved);
      expect(b.optimizer!.iterations).toBe(3);
      for (let i = 0; i < 2; i++) step(b);
      await b.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
      expect(b.trainableWeights.map(bits), name).toEqual(want);
      disposeAll(saved);
      nr.dispose([...weights, x, y]);
      b.optimizer!.dispose();
      b.dispose();
    }
  });

  it("a compiled model's weights and a plain variable in one applyGradients: both listed (the model's first) and restored, bit for bit; a disposed variable's state is left out", async () => {
    const x = nr.tensor(X), y = nr.tensor(Y);
    const build = () => {
      const m = nr.sequential({ seed: 7, layers: [nr.layers.dense({ units: 2, inputShape: [3], name: 'lin' })] });
      m.compile({ optimizer: nr.optimizers.adam(0.02), loss: 'mse' });
      return m;
    };
    const s = nr.tidy(() => nr.variable(nr.tensor([0.5, -0.5]), true, 'scale'));
    const step = (m: nr.Sequential) => nr.tidy(() => {
      const { grads } = nr.variableGrads(() => nr.losses.meanSquaredError(y, m.predict(x).mul(s)), [...m.trainableWeights, s]);
      m.optimizer!.applyGradients(grads);
    });
    const a = build();
    for (let i = 0; i < 2; i++) step(a);
    const saved = await a.optimizer!.getWeights();
    expect(saved.map((w) => w.name)).toEqual(['iter', 'lin/kernel/m', 'lin/bias/m', 'scale/m', 'lin/kernel/v', 'lin/bias/v', 'scale/v']);
    const [weights, s2] = [a.getWeights(), nr.clone(s)];
    for (let i = 0; i < 3; i++) step(a);
    const want = [...a.trainableWeights.map(bits), bits(s)];
    a.optimizer!.dispose();
    a.dispose();
    const b = build();
    b.setWeights(weights);
    s.assign(s2);
    await b.optimizer!.setWeights(saved);
    for (let i = 0; i < 3; i++) step(b);
    expect([...b.trainableWeights.map(bits), bits(s)]).toEqual(want);
    // A variable disposed since its last step: no longer listed.
    s.dispose();
    const left = await b.optimizer!.getWeights();
    expect(left.map((w) => w.name)).toEqual(['iter', 'lin/kernel/m', 'lin/bias/m', 'lin/kernel/v', 'lin/bias/v']);
    // A compiled plain sgd: iter only, which sets the trainer's step.
    const c = nr.sequential({ seed: 7, layers: [nr.layers.dense({ units: 2, inputShape: [3], name: 'lin2' })] });
    c.compile({ optimizer: nr.optimizers.sgd(0.1), loss: 'mse' });
    const iter = nr.scalar(5);
    await c.optimizer!.setWeights([{ name: 'iter', tensor: iter }]);
    expect(c.optimizer!.iterations).toBe(5);
    [saved, left].forEach(disposeAll);
    nr.dispose([...weights, s2, x, y, iter, c, b]);
    b.optimizer!.dispose();
    c.optimizer!.dispose();
  });

  it('getWeights returns copies the caller owns (tidy does not take them); setWeights copies and replaces the whole state', async () => {
    const p = problem();
    const opt = nr.optimizers.adam(0.01);
    nr.tidy(() => opt.minimize(p.loss, false, [p.w, p.b]));
    const before = nr.memory().numTensors;
    let pending: Promise<nr.NamedTensor[]> | undefined;
    nr.tidy(() => void (pending = opt.getWeights())); // made inside a scope, kept out of it
    const ws = await pending!;
    expect(ws).toHaveLength(5);
    expect(nr.memory().numTensors).toBe(before + 5);
    // A copy: further steps do not change it.
    const m0 = bits(ws[1].tensor);
    nr.tidy(() => opt.minimize(p.loss, false, [p.w, p.b]));
    expect(bits(ws[1].tensor)).toBe(m0);
    await opt.setWeights(ws); // replaces 2 states with 2
    expect(nr.memory().numTensors).toBe(before + 5);
    disposeAll(ws);
    expect(nr.memory().numTensors).toBe(before);
    // Only b's slots (and iter): w starts afresh (as TF.js, the list replaces the whole state).
    const bOnly = await opt.getWeights();
    await opt.setWeights(bOnly.filter((w) => !w.name.startsWith('w/')));
    const after = await opt.getWeights();
    expect(after.map((w) => w.name)).toEqual(['iter', 'b/m', 'b/v']);
    [bOnly, after].forEach(disposeAll);
    expect(nr.memory().numTensors).toBe(before - 1); // b's state only
    opt.dispose();
    p.dispose();
  });

  it('plain sgd lists only iter; sgd takes it back and refuses slots', async () => {
    const p = problem();
    const opt = nr.optimizers.sgd(0.1);
    for (let i = 0; i < 2; i++) nr.tidy(() => opt.minimize(p.loss, false, [p.w, p.b]));
    const ws = await opt.getWeights();
    expect(ws.map((w) => w.name)).toEqual(['iter']);
    const fresh = nr.optimizers.sgd(0.1);
    await fresh.setWeights(ws);
    expect(fresh.iterations).toBe(2);
    const stray = nr.zeros([3, 2]);
    await expect(fresh.setWeights([...ws, { name: 'w/momentum', tensor: stray }])).rejects.toThrow(
      "optimizer.setWeights: weightValues[1] is named 'w/momentum', which is no slot of this sgd optimizer (this sgd optimizer keeps no state per variable, so the list is only 'iter')",
    );
    nr.dispose([stray, opt, fresh, ...ws.map((w) => w.tensor)]);
    p.dispose();
  });

  it('refuses a bad list with an error naming the item and the values, and changes nothing', async () => {
    const p = problem();
    const opt = nr.optimizers.adam(0.01);
    nr.tidy(() => opt.minimize(p.loss, false, [p.w, p.b]));
    const good = await opt.getWeights();
    const snapshot = good.map((w) => [w.name, bits(w.tensor)]);
    const extra: nr.Tensor[] = [];
    const t = (v: nr.Tensor) => (extra.push(v), v);
    const withItem = (i: number, item: nr.NamedTensor) => good.map((w, j) => (j === i ? item : w));
    const cases: Array<[unknown, string | RegExp]> = [
      [null, /^optimizer\.setWeights: weightValues must be an array of \{ name, tensor \} \(from optimizer\.getWeights\(\)\), got null/],
      [[], "optimizer.setWeights: weightValues is empty; it must start with { name: 'iter', tensor: scalar(steps) }, as optimizer.getWeights() gives it"],
      [good.slice(1), "optimizer.setWeights: weightValues[0] must be the step count { name: 'iter', tensor: scalar(steps) } (as TF.js's getWeights() lists it first), got the name 'w/m'"],
      [withItem(0, { name: 'iter', tensor: t(nr.scalar(2.5)) }), "optimizer.setWeights: weightValues[0] ('iter') must be an integer step count in [0, 2^24], got 2.5"],
      [withItem(1, { name: 'w/q', tensor: good[1].tensor }), "optimizer.setWeights: weightValues[1] is named 'w/q', which is no slot of this adam optimizer (names are <variableName>/<slot> with a slot of this adam optimizer: m, v)"],
      [good.map((w) => ({ name: w.name.replace(/^w\//, 'nope/'), tensor: w.tensor })), /^optimizer\.setWeights: weightValues\[1\] \('nope\/m'\) is for 'nope', but no live variable or model weight has that name \(live ones: .*\bw, b\b.*\); make the variables \(variable\(t, true, 'nope'\)\) or build the model before setWeights$/],
      [withItem(1, { name: 'w/m', tensor: t(nr.zeros([2, 3])) }), "optimizer.setWeights: weightValues[1] ('w/m') has shape [2,3] but variable 'w' has shape [3,2]"],
      [withItem(3, { name: 'w/v', tensor: t(nr.tensor([[0, 1], [NaN, 0], [0, 0]])) }), "optimizer.setWeights: weightValues[3] ('w/v') holds NaN at index 2; optimizer state must be finite"],
      [withItem(3, { name: 'w/v', tensor: t(nr.tensor([[0, 1], [-1, 0], [0, 0]])) }), "optimizer.setWeights: weightValues[3] ('w/v') holds -1 at index 2, but slot 'v' holds squares and must be >= 0 (the next update would take the square root of a negative number)"],
      [good.filter((w) => w.name !== 'b/v'), "optimizer.setWeights: weightValues has 'b/m' but not 'b/v': this adam optimizer needs every slot of a variable (m, v)"],
      [[...good, good[1]], "optimizer.setWeights: weightValues[5] and weightValues[1] are both named 'w/m'; each variable's slot may be given once"],
      [withItem(2, { name: 'b/m' } as never), /^optimizer\.setWeights: weightValues\[2\] must be \{ name: string, tensor: Tensor \}, got /],
    ];
    for (const [list, msg] of cases) {
      const err = await opt.setWeights(list as never).catch((e: unknown) => e);
      expect(err, String(msg)).toBeInstanceOf(Error);
      if (typeof msg === 'string') expect((err as Error).message).toBe(msg);
      else expect((err as Error).message).toMatch(msg);
    }
    expect((await opt.setWeights(withItem(1, { name: 'w/m', tensor: t(nr.zeros([2, 3])) })).catch((e: unknown) => e))).toBeInstanceOf(nr.ShapeError);
    // TF.js's tensors: how to convert them.
    const tfm = tf.zeros([3, 2]);
    await expect(opt.setWeights(withItem(1, { name: 'w/m', tensor: tfm as never }))).rejects.toThrow(/^optimizer\.setWeights: weightValues\[1\] must be \{ name: string, tensor: Tensor \}, got .* \(a TF\.js tensor\? pass tensor\(t\.dataSync\(\), t\.shape\) for each\)$/);
    tfm.dispose();
    const gone = nr.zeros([3, 2]);
    gone.dispose();
    const err = await opt.setWeights(withItem(1, { name: 'w/m', tensor: gone })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(nr.DisposedError);
    expect((err as Error).message).toMatch(/^optimizer\.setWeights: .*weightValues\[1\]\.tensor/);
    // Nothing changed.
    const now = await opt.getWeights();
    expect(now.map((w) => [w.name, bits(w.tensor)])).toEqual(snapshot);
    [good, now].forEach(disposeAll);
    nr.dispose(extra);
    opt.dispose();
    await expect(opt.getWeights()).rejects.toThrow('optimizer.getWeights: this adam optimizer was disposed');
    await expect(opt.setWeights([])).rejects.toThrow('optimizer.setWeights: this adam optimizer was disposed');
    p.dispose();
  });

  it('getWeights refuses two variables with state of one name (two uncompiled models with layers of the same name)', async () => {
    const mk = (seed: number) => {
      const m = nr.sequential({ seed, layers: [nr.layers.dense({ units: 1, inputShape: [2], name: 'hidden' })] });
      m.build();
      return m;
    };
    const [a, b] = [mk(1), mk(2)];
    const opt = nr.optimizers.adam(0.01);
    nr.tidy(() => opt.applyGradients([...a.trainableWeights, ...b.trainableWeights].map((v) => ({ variable: v, grad: nr.ones(v.shape) }))));
    await expect(opt.getWeights()).rejects.toThrow(
      "optimizer.getWeights: two variables this adam optimizer keeps state for are named 'hidden/kernel' (layers of the same name in two models), so their slots would have one name; give the layers unique names (layers.dense({ name: … }))",
    );
    nr.dispose([a, b, opt]);
  });

  it("with a copy of the model alive (an EMA or target network: fromConfig keeps the names), setWeights restores into the optimizer that stepped the weights; a fresh one says to dispose the copy (it refused both, suggesting fixes that do not work)", async () => {
    const g = nr.sequential({ seed: 1, layers: [nr.layers.dense({ units: 2, inputShape: [3], name: 'gen' })] });
    g.build();
    const ema = nr.sequential.fromConfig(g.getConfig()) as nr.Sequential;
    ema.build();
    const x = nr.ones([4, 3]);
    const opt = nr.optimizers.adam({ learningRate: 0.01 });
    const step = (o: nr.Optimizer) => o.minimize(() => nr.tidy(() => g.predict(x).square().mean()), false, g.trainableWeights);
    for (let i = 0; i < 3; i++) step(opt);
    const saved = await opt.getWeights();
    step(opt);
    // Back to the state after 3 steps, on the optimizer that stepped these weights.
    await opt.setWeights(saved);
    const fresh = nr.optimizers.adam({ learningRate: 0.01 });
    await expect(fresh.setWeights(saved)).rejects.toThrow(/^optimizer\.setWeights: weightValues\[1\] is for 'gen\/kernel', and 2 live models have a weight named 'gen\/kernel', none of which this optimizer has stepped, .*dispose the other models first/);
    ema.dispose();
    await fresh.setWeights(saved); // with the copy gone, the name is one weight's
    nr.dispose([x, opt, fresh, g, ...saved.map((w) => w.tensor)]);
  });

  it("compiled into a model, a state whose items all name another model's weights is refused (the copy's auto-named layers got none of it, silently, at the given step count)", async () => {
    const make = () => {
      const m = nr.sequential({ seed: 2, layers: [nr.layers.dense({ units: 3, inputShape: [2] }), nr.layers.dense({ units: 1 })] });
      m.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.05 }), loss: 'mse' });
      return m;
    };
    const [a, b] = [make(), make()];
    const [x, y] = [nr.ones([4, 2]), nr.zeros([4, 1])];
    await a.fit(x, y, { epochs: 2, verbose: 0 });
    const saved = await a.optimizer!.getWeights();
    const names = b.trainableWeights.map((w) => w.name.split('/')[0]);
    await expect(b.optimizer!.setWeights(saved)).rejects.toThrow(
      new RegExp(`^optimizer\\.setWeights: this optimizer is compiled into model ${b.name}, but weightValues names none of its weights \\(${names[0]}/kernel, .*\\): it names ${a.trainableWeights[0].name}, .*weights of another live model, so ${b.name} would start afresh at step 2\\. .*sequential\\.fromConfig`),
    );
    expect(b.optimizer!.iterations).toBe(0); // nothing changed
    // A copy made from the config keeps the names, and takes the state.
    const c = nr.sequential.fromConfig(a.getConfig()) as nr.Sequential;
    c.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.05 }), loss: 'mse' });
    a.dispose();
    await c.optimizer!.setWeights(saved);
    expect(c.optimizer!.iterations).toBe(2);
    nr.dispose([x, y, b, c, ...saved.map((w) => w.tensor)]);
  });

  it('rmsprop without momentum takes and ignores TF.js’s momentum slot', async () => {
    const p = problem();
    const opt = nr.optimizers.rmsprop(0.01);
    nr.tidy(() => opt.minimize(p.loss, false, [p.w, p.b]));
    const ws = await opt.getWeights();
    const mom = [nr.zeros([3, 2]), nr.zeros([2])];
    const fresh = nr.optimizers.rmsprop(0.01);
    await fresh.setWeights([...ws, { name: 'w/momentum', tensor: mom[0] }, { name: 'b/momentum', tensor: mom[1] }]);
    const back = await fresh.getWeights();
    expect(back.map((w) => [w.name, bits(w.tensor)])).toEqual(ws.map((w) => [w.name, bits(w.tensor)]));
    [ws, back].forEach(disposeAll);
    nr.dispose([...mom, opt, fresh]);
    p.dispose();
  });
});

describe('getWeights against TF.js 4.22 (the cpu backend)', () => {
  // [name, neurite, TF.js]: the optimizers whose update rules agree (adadelta's differs; TF.js has no AMSGrad or AdamW).
  const ORACLE: Array<[string, () => nr.Optimizer, () => tf.Optimizer]> = [
    ['momentum', () => nr.optimizers.momentum(0.05, 0.9), () => tf.train.momentum(0.05, 0.9)],
    ['nesterov', () => nr.optimizers.momentum(0.05, 0.9, true), () => tf.train.momentum(0.05, 0.9, true)],
    ['adam', () => nr.optimizers.adam(0.01, 0.9, 0.999, 1e-7), () => tf.train.adam(0.01, 0.9, 0.999, 1e-7)],
    ['rmsprop', () => nr.optimizers.rmsprop(0.01, 0.9, 0, 1e-7), () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7)],
    ['rmsprop momentum', () => nr.optimizers.rmsprop(0.01, 0.9, 0.5, 1e-7), () => tf.train.rmsprop(0.01, 0.9, 0.5, 1e-7)],
    ['rmsprop centered momentum', () => nr.optimizers.rmsprop(0.01, 0.9, 0.5, 1e-7, true), () => tf.train.rmsprop(0.01, 0.9, 0.5, 1e-7, true)],
    ['adagrad', () => nr.optimizers.adagrad(0.1, 0.1), () => tf.train.adagrad(0.1, 0.1)],
    ['adamax', () => nr.optimizers.adamax(0.02, 0.9, 0.999, 1e-7, 0.1), () => tf.train.adamax(0.02, 0.9, 0.999, 1e-7, 0.1)],
  ];
  const STEPS = 4;

  /** TF.js's list; Adamax's getWeights throws "not implemented" in 4.22, so its slots are read where TF.js keeps them. */
  async function tfWeights(opt: tf.Optimizer): Promise<Array<{ name: string; tensor: tf.Tensor }>> {
    if (opt.getClassName() !== 'Adamax') return opt.getWeights();
    const o = opt as unknown as { iterations: number; accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable }>; accumulatedWeightedInfNorm: Array<{ originalName: string; variable: tf.Variable }> };
    return [{ name: 'iter', tensor: tf.scalar(o.iterations) }, ...[...o.accumulatedFirstMoment, ...o.accumulatedWeightedInfNorm].map((v) => ({ name: v.originalName, tensor: v.variable }))];
  }

  for (const [name, makeNr, makeTf] of ORACLE) {
    it(`${name}: the names, order and values of getWeights after ${STEPS} minimize steps; TF.js's list restored continues as TF.js`, async () => {
      const p = problem('o_');
      const tw = tf.variable(tf.tensor(W0), true, `o_w`), tb = tf.variable(tf.tensor(B0), true, `o_b`);
      const tx = tf.tensor(X), ty = tf.tensor(Y);
      const tLoss = () => tf.losses.meanSquaredError(ty, tf.add(tf.matMul(tx, tw), tb)) as tf.Scalar;
      const [no, to] = [makeNr(), makeTf()];
      for (let i = 0; i < STEPS; i++) {
        nr.tidy(() => no.minimize(p.loss, false, [p.w, p.b]));
        tf.tidy(() => void to.minimize(tLoss, false, [tw, tb]));
      }
      const got = await no.getWeights();
      const want = await tfWeights(to);
      // TF.js's RMSProp keeps a momentum slot even without momentum (the last update); neurite keeps none.
      const comparable = want.filter((w) => !(name === 'rmsprop' && w.name.endsWith('/momentum')));
      expect(got.map((w) => w.name)).toEqual(comparable.map((w) => w.name));
      got.forEach((g, i) => {
        const [a, b] = [g.tensor.dataSync(), comparable[i].tensor.dataSync()];
        expect(g.tensor.shape, g.name).toEqual(comparable[i].tensor.shape);
        a.forEach((v, j) => expect(Math.abs(v - b[j]), `${g.name}[${j}]: ${v} vs ${b[j]}`).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(b[j]))));
      });
      // TF.js's list (as plain tensors) into a fresh neurite optimizer: both continue alike.
      if (name !== 'adamax') {
        const given = want.map((w) => ({ name: w.name, tensor: nr.tensor(w.tensor.dataSync(), w.tensor.shape) }));
        const fresh = makeNr();
        await fresh.setWeights(given);
        expect(fresh.iterations).toBe(STEPS);
        for (let i = 0; i < 3; i++) {
          nr.tidy(() => fresh.minimize(p.loss, false, [p.w, p.b]));
          tf.tidy(() => void to.minimize(tLoss, false, [tw, tb]));
        }
        const [nw, tws] = [p.w.dataSync(), tw.dataSync()];
        nw.forEach((v, j) => expect(Math.abs(v - tws[j])).toBeLessThanOrEqual(1e-5));
        disposeAll(given);
        fresh.dispose();
      }
      disposeAll(got);
      if (name === 'adamax') want[0].tensor.dispose();
      no.dispose();
      to.dispose();
      tf.dispose([tw, tb, tx, ty]);
      p.dispose();
    });
  }
});
