// apply(symbolic, { training: false }) in graph models (Keras's base(inputs, training=False)):
// the node runs with inference behaviour in fit, trainOnBatch and the tape, gradients still flow.
// TF.js ignores the option, so the reference is a hand-written TF.js forward of the same weights
// (batch normalization in inference form, γ·(x − moving μ)/√(moving σ² + ε) + β), its gradients
// from tf.variableGrads and one SGD step by hand; plus bit-level checks (moving statistics
// unchanged, dropout held = no dropout layer), save/load and errors.
import { describe, expect, it } from 'vitest';
import { bits, close, rng, tf, uniform } from './oracle.js';
import * as nr from '../ts/index.js';

const LR = 0.1;
const SHAPES = [[3, 4], [4], [4], [4], [4, 2], [2], [4], [4]];
const EPS = 1e-3;

/** Every weight of `m` as flat arrays, in getWeights order. */
const weightsOf = (m: nr.Sequential): Float32Array[] => m.getWeights().map((w) => { const v = w.dataSync() as Float32Array; w.dispose(); return Float32Array.from(v); });

interface Net {
  m: nr.Sequential;
  /** [W1, b1, γ, β, W2, b2, moving μ, moving σ²]: getWeights's order (trainable first, as TF.js) */
  w: Float32Array[];
}

/**
 * x[3] → dense(4, tanh) → batchNormalization → dense(2): the first two inside a sequential base
 * applied with training: false (`nested`), or the batch norm alone applied with it. Every weight
 * set from `seed` (moving statistics away from 0 and 1).
 */
function net(nested: boolean, seed = 1): Net {
  const r = rng(seed);
  const w = SHAPES.map((s, i) => uniform(r, s.reduce((a, b) => a * b, 1), i === 7 ? 0.5 : -1, i === 7 ? 2 : 1));
  const inp = nr.input({ shape: [3] });
  const d1 = nr.layers.dense({ units: 4, activation: 'tanh', name: 'd1' });
  const bn = nr.layers.batchNormalization({ name: 'bn' });
  let feat: nr.SymbolicTensor;
  if (nested) {
    const base = nr.sequential({ layers: [nr.layers.dense({ units: 4, activation: 'tanh', inputShape: [3], name: 'd1' }), nr.layers.batchNormalization({ name: 'bn' })], name: 'base', seed: 3 });
    feat = base.apply(inp, { training: false });
  } else {
    feat = bn.apply(d1.apply(inp), { training: false });
  }
  const out = nr.layers.dense({ units: 2, name: 'd2' }).apply(feat);
  const m = nr.model({ inputs: inp, outputs: out, seed: 5 });
  m.setWeights(w.map((v, i) => nr.tensor(v, SHAPES[i])));
  m.compile({ optimizer: nr.optimizers.sgd(LR), loss: 'meanSquaredError' });
  return { m, w };
}

/** The TF.js reference: the loss and its gradients for [W1, b1, γ, β, W2, b2] with BN in inference form. */
function reference(w: Float32Array[], x: Float32Array, y: Float32Array, n: number): { loss: number; grads: Float32Array[]; out: Float32Array } {
  return tf.tidy(() => {
    const t = w.map((v, i) => tf.tensor(v, SHAPES[i]));
    const vars = t.slice(0, 6).map((v) => tf.variable(v));
    const [mm, mv] = [t[6], t[7]];
    const forward = (): tf.Tensor => {
      const [w1, b1, g, b, w2, b2] = vars;
      const h = tf.tanh(tf.add(tf.matMul(tf.tensor(x, [n, 3]), w1), b1));
      const bn = tf.add(tf.div(tf.mul(g, tf.sub(h, mm)), tf.sqrt(tf.add(mv, EPS))), b);
      return tf.add(tf.matMul(bn, w2), b2);
    };
    const out = forward().dataSync() as Float32Array;
    const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(tf.tensor(y, [n, 2]), forward()) as tf.Scalar, vars);
    const gs = vars.map((v) => grads[v.name].dataSync() as Float32Array);
    const loss = value.dataSync()[0];
    vars.forEach((v) => v.dispose());
    return { loss, grads: gs.map((g) => Float32Array.from(g)), out: Float32Array.from(out) };
  });
}

/** `w` after one SGD step with `grads` of the trainable weights (moving statistics unchanged). */
function stepped(w: Float32Array[], grads: Float32Array[]): Float32Array[] {
  return w.map((v, i) => (i < 6 ? v.map((a, j) => a - LR * grads[i][j]) : v));
}

const N = 6;
const X = uniform(rng(9), N * 3, -2, 2);
const Y = uniform(rng(10), N * 2, -1, 1);

describe('apply(symbolic, { training: false })', () => {
  for (const nested of [true, false]) {
    const what = nested ? 'a nested base' : 'a batchNormalization layer';
    it(`${what}: fit, trainOnBatch and the tape run it in inference mode (TF.js hand-written reference)`, async () => {
      const ref = reference(net(nested).w, X, Y, N);
      const want = stepped(net(nested).w, ref.grads);
      const x = nr.tensor(X, [N, 3]);
      const y = nr.tensor(Y, [N, 2]);
      // predict and evaluate: inference, as always.
      const a = net(nested);
      close(a.m.predict(x).dataSync(), ref.out, 1e-5, 'predict');
      close([(a.m.evaluate(x, y) as nr.Scalar).dataSync()[0]], [ref.loss], 1e-5, 'evaluate');
      // fit: one step of the whole batch.
      const h = await a.m.fit(x, y, { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });
      close([h.history.loss[0]], [ref.loss], 1e-5, 'fit loss');
      const got = weightsOf(a.m);
      got.forEach((v, i) => close(v, want[i], 1e-5, `fit weight ${i}`));
      // The moving statistics, bit for bit.
      expect(bits(got[6])).toEqual(bits(a.w[6]));
      expect(bits(got[7])).toEqual(bits(a.w[7]));
      // trainOnBatch: the same step.
      const b = net(nested);
      const loss = b.m.trainOnBatch(x, y) as number;
      close([loss], [ref.loss], 1e-5, 'trainOnBatch loss');
      expect(weightsOf(b.m).map(bits)).toEqual(got.map(bits));
      // The tape through apply(x, { training: true }): the held node is still inference.
      const c = net(nested);
      const { value, grads } = nr.variableGrads(() => nr.losses.meanSquaredError(y, c.m.apply(x, { training: true }) as nr.Tensor), c.m.trainableWeights);
      close([value.dataSync()[0]], [ref.loss], 1e-5, 'tape loss');
      c.m.trainableWeights.forEach((v, i) => close(grads[v.name].dataSync(), ref.grads[i], 1e-5, `tape grad ${v.name}`));
      const after = weightsOf(c.m);
      expect(bits(after[6])).toEqual(bits(c.w[6]));
      expect(bits(after[7])).toEqual(bits(c.w[7]));
      // Without the option the same model trains the batch norm on batch statistics (and moves them).
      for (const m of [a.m, b.m, c.m]) m.dispose();
    });
  }

  it('a base whose batch norm is not held updates its moving statistics (the contrast)', async () => {
    const inp = nr.input({ shape: [3] });
    const base = nr.sequential({ layers: [nr.layers.batchNormalization({ inputShape: [3] })], seed: 2 });
    const m = nr.model({ inputs: inp, outputs: nr.layers.dense({ units: 2 }).apply(base.apply(inp)), seed: 2 });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = weightsOf(m);
    await m.fit(nr.tensor(X, [N, 3]), nr.tensor(Y, [N, 2]), { epochs: 1, verbose: 0 });
    expect(bits(weightsOf(m)[2])).not.toEqual(bits(before[2]));
    m.dispose();
  });

  it('dropout held in fit gives the weights of the model without it, bit for bit; determinism', async () => {
    const r = rng(4);
    const w = [uniform(r, 12, -1, 1), uniform(r, 4, -1, 1), uniform(r, 4, -1, 1), uniform(r, 1, -1, 1)];
    const make = (dropout: boolean): nr.Sequential => {
      const inp = nr.input({ shape: [3] });
      let h = nr.layers.dense({ units: 4, activation: 'relu' }).apply(inp);
      if (dropout) h = nr.layers.dropout({ rate: 0.5 }).apply(h, { training: false });
      const m = nr.model({ inputs: inp, outputs: nr.layers.dense({ units: 1 }).apply(h), seed: 7 });
      m.setWeights(w.map((v, i) => nr.tensor(v, [[3, 4], [4], [4, 1], [1]][i])));
      m.compile({ optimizer: nr.optimizers.adam(0.05), loss: 'meanSquaredError' });
      return m;
    };
    const x = nr.tensor(uniform(rng(5), 40 * 3, -1, 1), [40, 3]);
    const y = nr.tensor(uniform(rng(6), 40, -1, 1), [40, 1]);
    const run = async (dropout: boolean): Promise<number[][]> => {
      const m = make(dropout);
      await m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
      const out = weightsOf(m).map(bits);
      m.dispose();
      return out;
    };
    const held = await run(true);
    expect(held).toEqual(await run(false));
    expect(held).toEqual(await run(true));
  });

  it('activity regularizers still add their loss; a variational layer outputs its mean and adds its KL (as Keras)', async () => {
    // A dense layer behaves alike in both modes: held, its activity penalty is trained on as without.
    const fitDense = async (held: boolean): Promise<number[][]> => {
      const inp = nr.input({ shape: [3] });
      const d = nr.layers.dense({ units: 2, activityRegularizer: nr.regularizers.l2({ l2: 0.3 }), kernelInitializer: 'ones' });
      const m = nr.model({ inputs: inp, outputs: d.apply(inp, held ? { training: false } : {}), seed: 1 });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      await m.fit(nr.tensor(X, [N, 3]), nr.tensor(Y, [N, 2]), { epochs: 2, batchSize: 3, verbose: 0 });
      const out = weightsOf(m).map(bits);
      m.dispose();
      return out;
    };
    expect(await fitDense(true)).toEqual(await fitDense(false));
    // A held variational layer: z = μ, loss = mse(z, y) + klWeight·mean_batch Σ ½(μ² + σ² − 1 − log σ²).
    const r = rng(8);
    const w = [uniform(r, 6, -1, 1), uniform(r, 2, -0.5, 0.5), uniform(r, 6, -1, 1), uniform(r, 2, -0.5, 0.5)];
    const shapes = [[3, 2], [2], [3, 2], [2]];
    const inp = nr.input({ shape: [3] });
    const m = nr.model({ inputs: inp, outputs: nr.layers.variational({ units: 2, klWeight: 0.5 }).apply(inp, { training: false }), seed: 3 });
    m.setWeights(w.map((v, i) => nr.tensor(v, shapes[i])));
    m.compile({ optimizer: nr.optimizers.sgd(LR), loss: 'meanSquaredError' });
    const want = tf.tidy(() => {
      const vars = w.map((v, i) => tf.variable(tf.tensor(v, shapes[i])));
      const xt = tf.tensor(X, [N, 3]);
      const { value, grads } = tf.variableGrads(() => {
        const mu = tf.add(tf.matMul(xt, vars[0]), vars[1]);
        const lv = tf.add(tf.matMul(xt, vars[2]), vars[3]);
        const kl = tf.div(tf.sum(tf.mul(0.5, tf.sub(tf.sub(tf.add(tf.square(mu), tf.exp(lv)), 1), lv))), N);
        return tf.add(tf.losses.meanSquaredError(tf.tensor(Y, [N, 2]), mu), tf.mul(0.5, kl)) as tf.Scalar;
      }, vars);
      const out = { loss: value.dataSync()[0], w: vars.map((v, i) => w[i].map((a, j) => a - LR * grads[v.name].dataSync()[j])) };
      vars.forEach((v) => v.dispose());
      return out;
    });
    const h = await m.fit(nr.tensor(X, [N, 3]), nr.tensor(Y, [N, 2]), { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });
    close([h.history.loss[0]], [want.loss], 1e-5, 'variational loss');
    weightsOf(m).forEach((v, i) => close(v, want.w[i], 1e-5, `variational weight ${i}`));
    m.dispose();
  });

  it('getConfig shows it, save/load and modelFromJSON keep it (the calls\' kwargs)', async () => {
    const a = net(true);
    const cfg = a.m.getConfig() as unknown as { config: { layers: Array<{ name: string; inbound_nodes: unknown[][][] }> } };
    const baseCfg = cfg.config.layers.find((l) => l.name === 'base');
    expect(baseCfg?.inbound_nodes[0][0][3]).toEqual({ training: false });
    expect(cfg.config.layers.find((l) => l.name === 'd2')?.inbound_nodes[0][0][3]).toEqual({});
    const loaded = (await nr.loadModel(await a.m.toArtifacts())) as nr.Sequential;
    const fromJson = await nr.models.modelFromJSON(JSON.parse(a.m.toJSON()) as Record<string, unknown>);
    fromJson.setWeights(a.m.getWeights());
    expect((loaded.getConfig() as unknown as typeof cfg).config.layers.find((l) => l.name === 'base')?.inbound_nodes[0][0][3]).toEqual({ training: false });
    const x = nr.tensor(X, [N, 3]);
    const y = nr.tensor(Y, [N, 2]);
    const after: number[][][] = [];
    for (const m of [a.m, loaded, fromJson]) {
      m.compile({ optimizer: nr.optimizers.sgd(LR), loss: 'meanSquaredError' });
      await m.fit(x, y, { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });
      after.push(weightsOf(m).map(bits));
    }
    expect(after[1]).toEqual(after[0]);
    expect(after[2]).toEqual(after[0]);
    expect(after[0][6]).toEqual(bits(a.w[6]));
    for (const m of [a.m, loaded, fromJson]) m.dispose();
  });

  it('errors name the argument and the layer', () => {
    const x = nr.input({ shape: [3] });
    const d = nr.layers.dense({ units: 3, name: 'shared_d' });
    expect(() => d.apply(x, { training: 1 as never })).toThrow(/^apply: training must be true or false, got 1/);
    expect(() => d.apply(x, { training: 'no' as never })).toThrow(nr.InvalidArgumentError);
    expect(() => d.apply(x, { training: true })).toThrow(/^apply: training: true on a symbolic tensor .*not supported.*model\.apply\(x, \{ training: true \}\) on a tensor/);
    const x2 = nr.input({ shape: [3] });
    const both = (a: nr.SymbolicTensor, b: nr.SymbolicTensor): nr.SymbolicTensor => nr.layers.concatenate().apply([a, b]);
    const mixed = both(d.apply(x, { training: false }), d.apply(x2));
    expect(() => nr.model({ inputs: [x, x2], outputs: mixed })).toThrow(/^model: layer shared_d is applied with training: false \(shared_d\/shared_d\) and without it \(shared_d\/shared_d_1\); the uses of a layer in a model run as one batch/);
    // Every use held: fine.
    nr.model({ inputs: [x, x2], outputs: both(d.apply(x, { training: false }), d.apply(x2, { training: false })) }).dispose();
  });
});
