// Graph models with several inputs and/or several outputs (model({ inputs: [a, b], outputs:
// [p, q] })), against TF.js's tf.model built from the same code with neurite's initial weights
// copied in: predict, gradients through predict, fit (per-output losses, metrics, validation),
// evaluate and trainOnBatch, loss weights (which TF.js 4.22 lacks: checked against TF.js with
// losses scaled by hand), save/load both ways, errors, memory and determinism.
//
// TF.js 4.22 facts this file relies on (asserted in the last describe block):
// - history/metric names: `loss`, `<output>_loss` per output, `<output>_<metric>` ('accuracy'
//   logs as `acc`), output names being the output layers' names; `val_` twins.
// - `evaluate` with several outputs returns one value too many: its test function pushes the
//   running total after each output's loss ([L1, L1+L2, L1, L2, metrics…] for two outputs), so
//   the correct `[loss, out1_loss, out2_loss, metrics…]` is its result without the first
//   (outputs − 1) values. `fit`'s `val_` logs read the same list by name and are shifted (val_loss
//   is the first output's loss only). The `val_` oracle here is therefore TF.js's evaluate on the
//   validation data at each epoch end, unshifted.
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { bits, close, copyWeights, rng, tf, tfArtifacts, uniform, nrGraphLib, TF_GRAPH, type GraphLib as Lib } from './oracle.js';
import { expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** What a graph needs from a library: TF.js and neurite spell it the same way. */
const nrLib = nrGraphLib;
const NR = nrGraphLib(11);
const TF = TF_GRAPH;

type Model = ReturnType<typeof nr.model>;

/** Two inputs of ranks 1 and 2, a shared trunk (flatten + concatenate), a linear regression head and a softmax classifier. */
function twoByTwo(L: Lib): any {
  const a = L.input({ shape: [5], name: 'ia' });
  const b = L.input({ shape: [2, 3], name: 'ib' });
  const fa = L.layers.dense({ units: 4, activation: 'tanh', name: 'da' }).apply(a);
  const fb = L.layers.flatten({ name: 'fb' }).apply(b);
  const c = L.layers.concatenate({ name: 'cat' }).apply([fa, fb]);
  const t = L.layers.dense({ units: 6, activation: 'tanh', name: 'trunk' }).apply(c);
  const p = L.layers.dense({ units: 2, name: 'reg' }).apply(t);
  const q = L.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(t);
  return L.model({ inputs: [a, b], outputs: [p, q] });
}

/** One input, two outputs: a regression head of one unit read from the input and the trunk, and a classifier. */
function oneInTwoOut(L: Lib): any {
  const x = L.input({ shape: [4], name: 'x1' });
  const h = L.layers.dense({ units: 5, activation: 'tanh', name: 'h1' }).apply(x);
  const r = L.layers.dense({ units: 1, name: 'r1' }).apply(L.layers.concatenate({ name: 'skip1' }).apply([h, x]));
  const k = L.layers.dense({ units: 3, activation: 'softmax', name: 'k1' }).apply(h);
  return L.model({ inputs: x, outputs: [r, k] });
}

/** Two inputs (listed in the opposite order to their creation), a dense on each then add, one output. */
function twoInOneOut(L: Lib): any {
  const j1 = L.input({ shape: [5], name: 'j1' });
  const j2 = L.input({ shape: [2, 3], name: 'j2' });
  const d1 = L.layers.dense({ units: 4, activation: 'tanh', name: 'e1' }).apply(j1);
  const d2 = L.layers.dense({ units: 4, name: 'e2' }).apply(L.layers.flatten({ name: 'f2' }).apply(j2));
  const s = L.layers.add({ name: 's2' }).apply([d1, d2]);
  return L.model({ inputs: [j2, j1], outputs: L.layers.dense({ units: 2, name: 'o2' }).apply(s) });
}

/** Values and a shape given to both libraries. */
interface Arr {
  v: Float32Array;
  s: number[];
}
const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const arr = (r: () => number, s: number[], lo = -2, hi = 2): Arr => ({ v: uniform(r, sizeOf(s), lo, hi), s });
/** Class indices 0..k-1 as floats, shape [n, 1]. */
const labels = (r: () => number, n: number, k: number): Arr => ({ v: Float32Array.from({ length: n }, () => Math.floor(r() * k)), s: [n, 1] });
const rows = (a: Arr, from: number, to: number): Arr => {
  const per = sizeOf(a.s.slice(1));
  return { v: a.v.slice(from * per, to * per), s: [to - from, ...a.s.slice(1)] };
};
const nrT = (a: Arr): nr.Tensor => nr.tensor(a.v, a.s);
const tfT = (a: Arr): tf.Tensor => tf.tensor(a.v, a.s);
/** A lone tensor for one input or output, a list for several (as TF.js and neurite take them). */
const one = <T>(l: T[]): T | T[] => (l.length === 1 ? l[0] : l);

/** Every weight of every neurite layer against TF.js's layer of the same name, within `tol`. */
function expectWeightsAsTfjs(n: Model, t: tfl.LayersModel, tol: number, what: string): void {
  let count = 0;
  for (const l of n.layers) {
    const ws = l.getWeights();
    const want = t.getLayer(l.name).getWeights();
    expect(ws.length, `${what}: ${l.name} weight count`).toBe(want.length);
    ws.forEach((w, i) => close(w.data(), want[i].dataSync(), tol, `${what}: ${l.name} weight ${i}`));
    count += ws.length;
    nr.dispose(ws);
  }
  expect(count, `${what}: weights compared`).toBe(t.getWeights().length);
}

/** The bit patterns of every weight, by layer name. */
function layerBits(n: Model): Record<string, number[][]> {
  const out: Record<string, number[][]> = {};
  for (const l of n.layers) {
    const ws = l.getWeights();
    out[l.name] = ws.map((w) => bits(w.data()));
    nr.dispose(ws);
  }
  return out;
}

/** TF.js's predict as plain values. */
function tfPredict(t: tfl.LayersModel, xs: Arr[]): Array<{ shape: number[]; v: Float32Array }> {
  return tf.tidy(() => {
    const ys = t.predict(one(xs.map(tfT)) as tf.Tensor | tf.Tensor[]);
    return (Array.isArray(ys) ? ys : [ys]).map((y) => ({ shape: y.shape.slice(), v: y.dataSync() as Float32Array }));
  });
}

/** TF.js's evaluate as numbers in its metricsNames order, its multi-output shift undone. */
function tfEvaluate(t: tfl.LayersModel, xs: Arr[], ys: Arr[], batchSize = 32): number[] {
  return tf.tidy(() => {
    const r = t.evaluate(one(xs.map(tfT)), one(ys.map(tfT)), { batchSize });
    const vals = (Array.isArray(r) ? r : [r]).map((s) => s.dataSync()[0]);
    expect(vals.length, 'TF.js evaluate: one extra running total per extra output').toBe(t.metricsNames.length + t.outputs.length - 1);
    return vals.slice(t.outputs.length - 1);
  });
}

/** A training run made the same way in both libraries. */
interface FitRun {
  what: string;
  build: (L: Lib) => any;
  x: Arr[];
  y: Arr[];
  loss: unknown;
  metrics?: unknown;
  opt: () => [nr.Optimizer, tf.Optimizer];
  epochs: number;
  batchSize: number;
  /** Validation data, or a validationSplit fraction. */
  validation?: { x: Arr[]; y: Arr[] } | number;
}

/**
 * Builds both models (neurite's weights copied into TF.js), compiles and fits both without
 * shuffling, and checks: the same history keys, every training log within 1e-5 of TF.js's,
 * every `val_` log within 1e-5 of TF.js's (corrected) evaluate on the validation data at the
 * epoch's end, that training moved the weights, and every weight within 1e-5 of TF.js's.
 * Returns neurite's history.
 */
async function fitAsTfjs(o: FitRun): Promise<Record<string, number[]>> {
  const n = o.build(NR) as Model;
  const t = o.build(TF) as tfl.LayersModel;
  const made: nr.Tensor[] = [];
  const nrs = (as: Arr[]): nr.Tensor | nr.Tensor[] => {
    const ts = as.map(nrT);
    made.push(...ts);
    return one(ts);
  };
  try {
    copyWeights(n, t);
    const before = layerBits(n);
    const [no, to] = o.opt();
    const m = o.metrics === undefined ? {} : { metrics: o.metrics };
    n.compile({ optimizer: no, loss: o.loss, ...m } as nr.CompileArgs);
    t.compile({ optimizer: to, loss: o.loss, ...m } as tfl.ModelCompileArgs);
    const count = o.x[0].s[0];
    let val: { x: Arr[]; y: Arr[] } | undefined;
    if (typeof o.validation === 'number') {
      const cut = Math.floor(count * (1 - o.validation));
      val = { x: o.x.map((a) => rows(a, cut, count)), y: o.y.map((a) => rows(a, cut, count)) };
    } else val = o.validation;
    const base = { epochs: o.epochs, batchSize: o.batchSize, shuffle: false, verbose: 0 } as const;
    const nVal = typeof o.validation === 'number' ? { validationSplit: o.validation } : val ? { validationData: [nrs(val.x), nrs(val.y)] } : {};
    const h = await n.fit(nrs(o.x), nrs(o.y), { ...base, ...nVal } as nr.FitArgs);
    const tfVal: Record<string, number[]> = {};
    const tx = o.x.map(tfT);
    const ty = o.y.map(tfT);
    const tv = val && typeof o.validation !== 'number' ? [one(val.x.map(tfT)), one(val.y.map(tfT))] : null;
    const th = await t.fit(one(tx), one(ty), {
      ...base,
      ...(typeof o.validation === 'number' ? { validationSplit: o.validation } : tv ? { validationData: tv as [tf.Tensor, tf.Tensor] } : {}),
      callbacks: {
        onEpochEnd: async () => {
          if (!val) return;
          tfEvaluate(t, val.x, val.y, o.batchSize).forEach((v, i) => (tfVal[`val_${t.metricsNames[i]}`] ??= []).push(v));
        },
      },
    }).finally(() => tf.dispose([...tx, ...ty, ...(tv ? tv.flat() : [])]));
    const keys = Object.keys(h.history).sort();
    expect(keys, `${o.what}: history keys`).toEqual(Object.keys(th.history).sort());
    for (const k of keys) {
      const want = k.startsWith('val_') ? tfVal[k] : (th.history[k] as number[]);
      expect(h.history[k].length, `${o.what}: ${k} per epoch`).toBe(o.epochs);
      close(h.history[k], want, 1e-5, `${o.what}: ${k}`);
    }
    const after = layerBits(n);
    expect(Object.keys(after).some((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k])), `${o.what}: training moved the weights`).toBe(true);
    expectWeightsAsTfjs(n, t, 1e-5, o.what);
    return h.history;
  } finally {
    nr.dispose(made);
    n.dispose();
    t.dispose();
  }
}

/** The message of what `f` threw (an Error), failing if it returned. */
function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return (e as Error).message;
  }
  throw new Error('expected a thrown error, but the call returned');
}

/** A regex for a shape's trailing dims as messages print them: `[2,3]`, `[batch,2,3]`, `[null, 2, 3]`. */
const dims = (d: number[]): RegExp => new RegExp(`${d.join(',\\s?')}\\]`);

const sgd = (lr: number) => (): [nr.Optimizer, tf.Optimizer] => [nr.optimizers.sgd({ learningRate: lr }), tf.train.sgd(lr)];
const adam = (lr: number) => (): [nr.Optimizer, tf.Optimizer] => [nr.optimizers.adam({ learningRate: lr }), tf.train.adam(lr)];

describe('model({ inputs: [...], outputs: [...] }) against tf.model', () => {
  it('predicts as TF.js (1e-6): inputs of ranks 1 and 2, a linear and a softmax output, batches 1 and 7, batchSize below the batch', () => {
    // Tolerance 1e-6 relative to 1 + |want| on every output value; also the symbolic lists,
    // the input layers first (in `inputs` order), apply at inference = predict's bits, and
    // predict leaving no tensor behind (checked without tidy).
    const n = twoByTwo(NR) as Model;
    const t = twoByTwo(TF) as tfl.LayersModel;
    try {
      copyWeights(n, t);
      expect(n.inputs.map((s) => s.shape)).toEqual([[null, 5], [null, 2, 3]]);
      expect(n.outputs.map((s) => s.shape)).toEqual([[null, 2], [null, 3]]);
      expect(n.layers.slice(0, 2).map((l) => l.name)).toEqual(['ia', 'ib']);
      expect(n.layers.map((l) => l.name).sort()).toEqual(t.layers.map((l) => l.name).sort());
      for (const [batch, batchSize] of [[1, 32], [7, 32], [7, 3], [7, 1]]) {
        const r = rng(batch * 100 + batchSize);
        const xs = [arr(r, [batch, 5]), arr(r, [batch, 2, 3])];
        const want = tfPredict(t, xs);
        const got = expectNoLeak(() => {
          const ins = xs.map(nrT);
          const ys = n.predict<nr.Tensor[]>(ins, { batchSize });
          expect(Array.isArray(ys), 'several outputs: a list').toBe(true);
          const out = ys.map((y) => ({ shape: [...y.shape], v: y.data() }));
          nr.dispose([...ins, ...ys]);
          return out;
        });
        expect(got.map((g) => g.shape)).toEqual([[batch, 2], [batch, 3]]);
        got.forEach((g, i) => close(g.v, want[i].v, 1e-6, `batch ${batch}, batchSize ${batchSize}: output ${i}`));
        if (batch === 7) {
          const applied = nr.tidy(() => (n.apply(xs.map(nrT) as never) as unknown as nr.Tensor[]).map((y) => bits(y.data())));
          expect(applied, 'apply at inference = predict').toEqual(got.map((g) => bits(g.v)));
          const training = nr.tidy(() => (n.apply(xs.map(nrT) as never, { training: true }) as unknown as nr.Tensor[]).map((y) => y.data()));
          training.forEach((v, i) => close(v, want[i].v, 1e-6, `apply({ training: true }) output ${i} (no dropout or batch norm)`));
        }
      }
    } finally {
      n.dispose();
      t.dispose();
    }
  });

  it('differentiates predict as tf.grads does (1e-5): grads and valueAndGrads w.r.t. both inputs, and minimize w.r.t. the weights', () => {
    // L = Σ p + Σ q ⊙ c (c uniform in [−1, 1)): dL/dxa and dL/dxb within 1e-5 of tf.grads,
    // the value within 1e-6, gradients not all zero; then one SGD minimize step of
    // mean((p − ya)²) + mean(q ⊙ c) over the model's weights: every weight within 1e-5 of TF.js's.
    const n = twoByTwo(NR) as Model;
    const t = twoByTwo(TF) as tfl.LayersModel;
    try {
      copyWeights(n, t);
      const r = rng(2);
      const xs = [arr(r, [7, 5]), arr(r, [7, 2, 3])];
      const c = arr(r, [7, 3], -1, 1);
      const ya = arr(r, [7, 2]);
      const nf = (a: nr.Tensor, b: nr.Tensor): nr.Tensor => {
        const [p, q] = n.predict<nr.Tensor[]>([a, b]);
        return p.sum().add(q.mul(nrT(c)).sum());
      };
      const tfF = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => {
        const [p, q] = t.predict([a, b]) as tf.Tensor[];
        return tf.add(tf.sum(p), tf.sum(tf.mul(q, tfT(c))));
      };
      const want = tf.tidy(() => tf.grads(tfF as (...a: tf.Tensor[]) => tf.Tensor)(xs.map(tfT)).map((g) => ({ shape: g.shape.slice(), v: g.dataSync() as Float32Array })));
      const wantValue = tf.tidy(() => tfF(tfT(xs[0]), tfT(xs[1])).dataSync()[0]);
      const got = expectNoLeak(() => nr.tidy(() => nr.grads(nf as (...a: nr.Tensor[]) => nr.Tensor)(xs.map(nrT)).map((g) => ({ shape: [...g.shape], v: g.data() }))));
      expect(got.map((g) => g.shape)).toEqual([[7, 5], [7, 2, 3]]);
      got.forEach((g, i) => {
        close(g.v, want[i].v, 1e-5, `dL/dx[${i}]`);
        expect(g.v.some((v) => v !== 0), `dL/dx[${i}] not all zero`).toBe(true);
      });
      const vg = expectNoLeak(() => nr.tidy(() => {
        const { value, grads } = nr.valueAndGrads(nf as (...a: nr.Tensor[]) => nr.Tensor)(xs.map(nrT));
        return { value: value.data()[0], grads: grads.map((g) => g.data()) };
      }));
      close([vg.value], [wantValue], 1e-6, 'valueAndGrads value');
      vg.grads.forEach((g, i) => expect(bits(g), `valueAndGrads grad ${i} = grads'`).toEqual(bits(got[i].v)));
      // One SGD step through predict, w.r.t. the weights.
      nr.tidy(() => nr.optimizers.sgd({ learningRate: 0.5 }).minimize(() => {
        const [p, q] = n.predict<nr.Tensor[]>(xs.map(nrT));
        return p.sub(nrT(ya)).square().mean().add(q.mul(nrT(c)).mean());
      }, false, n.trainableWeights));
      tf.tidy(() => {
        tf.train.sgd(0.5).minimize(() => {
          const [p, q] = t.predict(xs.map(tfT)) as tf.Tensor[];
          return tf.add(tf.mean(tf.square(tf.sub(p, tfT(ya)))), tf.mean(tf.mul(q, tfT(c)))) as tf.Scalar;
        }, false, t.trainableWeights.map((w) => w.read() as tf.Variable));
      });
      expectWeightsAsTfjs(n, t, 1e-5, 'after minimize');
    } finally {
      n.dispose();
      t.dispose();
    }
  });

  it('a gradient of one output gives the weights only the other output reads none, as TF.js: variableGrads leaves them out, AdamW does not decay them', () => {
    // L = Σ p ⊙ c reads the regression head only: the classifier's weights ('cls') are not
    // connected to it. TF.js's variableGrads lists the others only (within 1e-5 of neurite's);
    // Keras's None gradients: an AdamW step leaves 'cls' bit for bit (it decayed them before).
    const n = twoByTwo(NR) as Model;
    const t = twoByTwo(TF) as tfl.LayersModel;
    try {
      copyWeights(n, t);
      const r = rng(3);
      const xs = [arr(r, [6, 5]), arr(r, [6, 2, 3])];
      const c = arr(r, [6, 2], -1, 1);
      const nf = (): nr.Tensor => n.predict<nr.Tensor[]>(xs.map(nrT))[0].mul(nrT(c)).sum();
      const want = tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul((t.predict(xs.map(tfT)) as tf.Tensor[])[0], tfT(c))) as tf.Scalar, t.trainableWeights.map((w) => w.read() as tf.Variable));
        // TF.js's variable names carry a suffix making them unique (trunk/kernel_2).
        return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k.replace(/_\d+$/, ''), g.dataSync() as Float32Array]));
      });
      const got = expectNoLeak(() => nr.tidy(() => {
        const { grads } = nr.variableGrads(nf, n.trainableWeights);
        return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.data()]));
      }));
      expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
      expect(Object.keys(got).some((k) => k.startsWith('cls'))).toBe(false);
      for (const k of Object.keys(want)) close(got[k], want[k], 1e-5, k);
      // Through model.apply too (the training-mode call).
      const applied = nr.tidy(() => Object.keys(nr.variableGrads(() => (n.apply(xs.map(nrT)) as nr.Tensor[])[0].mul(nrT(c)).sum(), n.trainableWeights).grads).sort());
      expect(applied).toEqual(Object.keys(want).sort());
      // Both outputs read: every weight has a gradient again.
      const both = nr.tidy(() => Object.keys(nr.variableGrads(() => { const [p, q] = n.predict<nr.Tensor[]>(xs.map(nrT)); return p.sum().add(q.sum()); }, n.trainableWeights).grads).length);
      expect(both).toBe(n.trainableWeights.length);
      const cls = (): Float32Array[] => nr.tidy(() => n.getLayer('cls').getWeights().map((w) => w.data()));
      const before = cls();
      const trunk = nr.tidy(() => n.getLayer('trunk').getWeights()[0].data());
      const opt = nr.optimizers.adamw({ learningRate: 0.1, weightDecay: 0.5 });
      for (let i = 0; i < 3; i++) nr.tidy(() => opt.minimize(nf, false, n.trainableWeights));
      cls().forEach((w, i) => expect(bits(w), `cls weight ${i}`).toEqual(bits(before[i])));
      expect(bits(nr.tidy(() => n.getLayer('trunk').getWeights()[0].data()))).not.toEqual(bits(trunk));
      opt.dispose();
    } finally {
      n.dispose();
      t.dispose();
    }
  });

  it('fit with per-output losses (a list) trains as TF.js (1e-5): SGD with validationData, Adam with a metrics list and validationSplit', async () => {
    // mse + categoricalCrossentropy with targets whose rows do not sum to 1, 3 epochs, no
    // shuffling, n = 10 with batchSize 4 (and 7 training rows with batchSize 3): every history
    // key TF.js reports (same names), each within 1e-5 (val_ against TF.js's corrected
    // evaluate), and every weight within 1e-5.
    const r = rng(3);
    const x = [arr(r, [10, 5]), arr(r, [10, 2, 3])];
    const y = [arr(r, [10, 2]), arr(r, [10, 3], 0, 1)];
    const vx = [arr(r, [5, 5]), arr(r, [5, 2, 3])];
    const vy = [arr(r, [5, 2]), arr(r, [5, 3], 0, 1)];
    const h = await fitAsTfjs({ what: 'sgd', build: twoByTwo, x, y, loss: ['meanSquaredError', 'categoricalCrossentropy'], opt: sgd(0.1), epochs: 3, batchSize: 4, validation: { x: vx, y: vy } });
    expect(Object.keys(h).sort()).toEqual(['cls_loss', 'loss', 'reg_loss', 'val_cls_loss', 'val_loss', 'val_reg_loss']);
    const h2 = await fitAsTfjs({ what: 'adam', build: twoByTwo, x, y, loss: ['meanSquaredError', 'categoricalCrossentropy'], metrics: ['mae'], opt: adam(0.01), epochs: 3, batchSize: 3, validation: 0.3 });
    expect(Object.keys(h2).sort()).toEqual(['cls_loss', 'cls_mae', 'loss', 'reg_loss', 'reg_mae', 'val_cls_loss', 'val_cls_mae', 'val_loss', 'val_reg_loss', 'val_reg_mae']);
  });

  it('fit with sparseCategoricalCrossentropy, accuracy on the classifier and mae on the regression head trains as TF.js (1e-5)', async () => {
    // Labels [n, 1]; metrics by output name ({ reg: 'mae', cls: 'accuracy' }): keys reg_mae,
    // cls_acc (and val_ twins); Adam, 3 epochs, batchSize 4 of 11; logs and weights within 1e-5.
    const r = rng(4);
    const x = [arr(r, [11, 5]), arr(r, [11, 2, 3])];
    const y = [arr(r, [11, 2]), labels(r, 11, 3)];
    const val = { x: [arr(r, [4, 5]), arr(r, [4, 2, 3])], y: [arr(r, [4, 2]), labels(r, 4, 3)] };
    const h = await fitAsTfjs({ what: 'sparse', build: twoByTwo, x, y, loss: ['meanSquaredError', 'sparseCategoricalCrossentropy'], metrics: { reg: 'mae', cls: 'accuracy' }, opt: adam(0.02), epochs: 3, batchSize: 4, validation: val });
    expect(Object.keys(h).sort()).toEqual(['cls_acc', 'cls_loss', 'loss', 'reg_loss', 'reg_mae', 'val_cls_acc', 'val_cls_loss', 'val_loss', 'val_reg_loss', 'val_reg_mae']);
  });

  it('fit with a loss object keyed by output names (not in outputs order) and metrics for one output trains as TF.js (1e-5)', async () => {
    // loss { cls: categoricalCrossentropy, reg: meanAbsoluteError }, metrics { cls: ['accuracy',
    // 'mae'] } (none for reg); SGD, 3 epochs, batchSize 4 of 9; logs and weights within 1e-5.
    const r = rng(5);
    const x = [arr(r, [9, 5]), arr(r, [9, 2, 3])];
    const y = [arr(r, [9, 2]), arr(r, [9, 3], 0, 1)];
    const h = await fitAsTfjs({ what: 'loss object', build: twoByTwo, x, y, loss: { cls: 'categoricalCrossentropy', reg: 'meanAbsoluteError' }, metrics: { cls: ['accuracy', 'mae'] }, opt: sgd(0.2), epochs: 3, batchSize: 4 });
    expect(Object.keys(h).sort()).toEqual(['cls_acc', 'cls_loss', 'cls_mae', 'loss', 'reg_loss']);
  });

  it('lossWeights: loss = Σ wᵢ·lossᵢ (1e-6 relative), and training equals TF.js with each loss scaled by its weight (1e-5)', async () => {
    // TF.js 4.22 has no lossWeights: its oracle compiles losses (yt, yp) => wᵢ·lossᵢ(yt, yp), so
    // its `loss` and weights must match neurite's (1e-5), and its `<out>_loss` is wᵢ times
    // neurite's (neurite logs each output's loss unweighted, as Keras). The list and the object
    // form give the same bits (weights and history).
    const r = rng(6);
    const x = [arr(r, [10, 5]), arr(r, [10, 2, 3])];
    const y = [arr(r, [10, 2]), arr(r, [10, 3], 0, 1)];
    const w = [0.3, 2];
    const fit = { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 } as const;
    const runNr = async (lossWeights: number[] | Record<string, number>): Promise<{ h: Record<string, number[]>; ws: Record<string, number[][]>; n: Model }> => {
      const n = twoByTwo(NR) as Model;
      n.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: ['meanSquaredError', 'categoricalCrossentropy'], lossWeights });
      const ts = [...x, ...y].map(nrT);
      const h = await n.fit(ts.slice(0, 2), ts.slice(2), fit).finally(() => nr.dispose(ts));
      return { h: h.history, ws: layerBits(n), n };
    };
    const a = await runNr(w);
    const b = await runNr({ reg: 0.3, cls: 2 });
    const t = twoByTwo(TF) as tfl.LayersModel;
    try {
      expect(b.ws, 'object form = list form: weights').toEqual(a.ws);
      expect(b.h, 'object form = list form: history').toEqual(a.h);
      a.h.loss.forEach((l, e) => close([l], [w[0] * a.h.reg_loss[e] + w[1] * a.h.cls_loss[e]], 1e-6, `epoch ${e}: loss = Σ wᵢ·lossᵢ`));
      // The oracle: fresh neurite weights (seed 11, as a's initial ones) into TF.js.
      const fresh = twoByTwo(NR) as Model;
      copyWeights(fresh, t);
      fresh.dispose();
      t.compile({
        optimizer: tf.train.sgd(0.1),
        loss: [
          (yt: tf.Tensor, yp: tf.Tensor) => tf.mul(tfl.metrics.meanSquaredError(yt, yp), w[0]),
          (yt: tf.Tensor, yp: tf.Tensor) => tf.mul(tfl.metrics.categoricalCrossentropy(yt, yp), w[1]),
        ],
      });
      const [tx, ty] = [x.map(tfT), y.map(tfT)];
      const th = await t.fit(tx, ty, fit).finally(() => tf.dispose([...tx, ...ty]));
      close(a.h.loss, th.history.loss as number[], 1e-5, 'loss against TF.js');
      close(a.h.reg_loss.map((v) => v * w[0]), th.history.reg_loss as number[], 1e-5, 'reg_loss × 0.3 against TF.js');
      close(a.h.cls_loss.map((v) => v * w[1]), th.history.cls_loss as number[], 1e-5, 'cls_loss × 2 against TF.js');
      expectWeightsAsTfjs(a.n, t, 1e-5, 'lossWeights [0.3, 2]');
      // evaluate's total is the weighted sum too.
      const ev = nr.tidy(() => (a.n.evaluate(x.map(nrT), y.map(nrT)) as nr.Tensor[]).map((s) => s.data()[0]));
      close([ev[0]], [w[0] * ev[1] + w[1] * ev[2]], 1e-6, 'evaluate: loss = Σ wᵢ·lossᵢ');
    } finally {
      a.n.dispose();
      b.n.dispose();
      t.dispose();
    }
  });

  it('lossWeights 0 for an output leaves the layer feeding only that output bit-identical after an SGD step; weight 1 moves it', () => {
    // reg feeds only output 1, cls only output 2, trunk both. One trainOnBatch (SGD 0.1) from
    // the same initial weights: [0, 1] keeps reg's bits, [1, 0] keeps cls's, [1, 1] moves both;
    // trunk moves in every case; with [0, 1] the returned total is exactly cls_loss.
    const r = rng(7);
    const xs = [arr(r, [6, 5]), arr(r, [6, 2, 3])];
    const ys = [arr(r, [6, 2]), arr(r, [6, 3], 0, 1)];
    const step = (lossWeights: number[]): { before: Record<string, number[][]>; after: Record<string, number[][]>; out: number[] } => {
      const n = twoByTwo(NR) as Model;
      try {
        n.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: ['meanSquaredError', 'categoricalCrossentropy'], lossWeights });
        const before = layerBits(n);
        const out = nr.tidy(() => n.trainOnBatch(xs.map(nrT), ys.map(nrT)) as number[]);
        return { before, after: layerBits(n), out };
      } finally {
        n.dispose();
      }
    };
    const noReg = step([0, 1]);
    expect(noReg.after.reg, '[0, 1]: reg unchanged').toEqual(noReg.before.reg);
    expect(noReg.after.cls, '[0, 1]: cls moved').not.toEqual(noReg.before.cls);
    expect(noReg.after.trunk, '[0, 1]: trunk moved').not.toEqual(noReg.before.trunk);
    expect(noReg.out.length).toBe(3);
    expect(bits([noReg.out[0]]), '[0, 1]: loss = cls_loss').toEqual(bits([noReg.out[2]]));
    const noCls = step([1, 0]);
    expect(noCls.after.cls, '[1, 0]: cls unchanged').toEqual(noCls.before.cls);
    expect(noCls.after.reg, '[1, 0]: reg moved').not.toEqual(noCls.before.reg);
    expect(noCls.after.trunk, '[1, 0]: trunk moved').not.toEqual(noCls.before.trunk);
    const both = step([1, 1]);
    expect(both.after.reg, '[1, 1]: reg moved').not.toEqual(both.before.reg);
    expect(both.after.cls, '[1, 1]: cls moved').not.toEqual(both.before.cls);
    // The default is 1 each.
    const n = twoByTwo(NR) as Model;
    try {
      n.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: ['meanSquaredError', 'categoricalCrossentropy'] });
      nr.tidy(() => n.trainOnBatch(xs.map(nrT), ys.map(nrT)));
      expect(layerBits(n), 'no lossWeights = [1, 1]').toEqual(both.after);
    } finally {
      n.dispose();
    }
  });

  it('classWeight per output (by output name, and as a list with null) trains as TF.js\'s (losses and weights 1e-5)', async () => {
    const r = rng(31);
    const [xa, xb, ya] = [arr(r, [9, 5]), arr(r, [9, 2, 3]), arr(r, [9, 2])];
    const yb = labels(r, 9, 3);
    for (const classWeight of [{ cls: { 0: 1, 1: 3, 2: 0.5 } }, [null, { 0: 2, 1: 0.25, 2: 1 }]]) {
      const n = twoByTwo(NR) as Model;
      const t = twoByTwo(TF) as tfl.LayersModel;
      try {
        copyWeights(n, t);
        n.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: ['meanSquaredError', 'sparseCategoricalCrossentropy'] });
        t.compile({ optimizer: tf.train.sgd(0.1), loss: ['meanSquaredError', 'sparseCategoricalCrossentropy'] });
        const args = { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 } as const;
        const h = await n.fit([nrT(xa), nrT(xb)], [nrT(ya), nrT(yb)], { ...args, classWeight: classWeight as never });
        const tcw = Array.isArray(classWeight) ? { cls: classWeight[1] as Record<number, number> } : classWeight;
        const th = await t.fit([tfT(xa), tfT(xb)], [tfT(ya), tfT(yb)], { ...args, classWeight: tcw });
        for (const k of ['loss', 'reg_loss', 'cls_loss']) close(h.history[k], th.history[k] as number[], 1e-5, `${JSON.stringify(classWeight)}: ${k}`);
        expectWeightsAsTfjs(n, t, 1e-5, `classWeight ${JSON.stringify(classWeight)}`);
      } finally {
        n.dispose();
        t.dispose();
      }
    }
  });

  it('resumes after save and load with the optimizer, the losses by name, metrics by output and lossWeights (the same bits as not stopping); TF.js loads it compiled', async () => {
    const r = rng(41);
    const [xa, xb, ya] = [arr(r, [9, 5]), arr(r, [9, 2, 3]), arr(r, [9, 2])];
    const yb = labels(r, 9, 3);
    const compile: nr.CompileArgs = { optimizer: 'adam', loss: { cls: 'sparseCategoricalCrossentropy', reg: 'meanAbsoluteError' }, metrics: { cls: 'accuracy' }, lossWeights: { reg: 0.25 } };
    const data = (): [nr.Tensor[], nr.Tensor[]] => [[nrT(xa), nrT(xb)], [nrT(ya), nrT(yb)]];
    const fit = { epochs: 2, batchSize: 4, seed: 3, verbose: 0 } as const;
    const a = twoByTwo(NR) as Model;
    const b = twoByTwo(NR) as Model;
    const made: nr.Tensor[] = [];
    try {
      for (const m of [a, b]) m.compile(compile);
      const [x, y] = data();
      made.push(...x, ...y);
      await a.fit(x, y, fit);
      await b.fit(x, y, fit);
      const saved = await b.toArtifacts({ includeOptimizer: true });
      // With lossWeights TF.js cannot compile it the same: the file keeps neurite's record only.
      expect(saved.trainingConfig ?? null).toBeNull();
      const c = (await nr.loadModel(saved)) as Model;
      try {
        const h = await a.fit(x, y, { ...fit, epochs: 4, initialEpoch: 2 });
        const hc = await c.fit(x, y, { ...fit, epochs: 4, initialEpoch: 2 });
        expect(Object.keys(hc.history).sort()).toEqual(['cls_acc', 'cls_loss', 'loss', 'reg_loss']);
        expect(hc.history).toEqual(h.history);
        const w = (m: Model) => nr.tidy(() => m.getWeights().flatMap((t) => bits(t.data())));
        expect(w(c)).toEqual(w(a));
      } finally {
        c.dispose();
      }
      // Without lossWeights TF.js's trainingConfig is written, and TF.js loads the model compiled.
      b.compile({ optimizer: 'adam', loss: ['meanSquaredError', 'sparseCategoricalCrossentropy'], metrics: { cls: 'accuracy' } });
      const plain = await b.toArtifacts();
      expect(plain.trainingConfig).toMatchObject({ loss: ['mean_squared_error', 'sparse_categorical_crossentropy'], metrics: { reg: [], cls: ['accuracy'] } });
      const t = await tfl.loadLayersModel(tf.io.fromMemory(plain as tf.io.ModelArtifacts));
      try {
        const th = await t.fit([tfT(xa), tfT(xb)], [tfT(ya), tfT(yb)], { epochs: 1, batchSize: 9, verbose: 0 });
        expect(Object.keys(th.history).sort()).toEqual(['cls_acc', 'cls_loss', 'loss', 'reg_loss']);
      } finally {
        t.dispose();
      }
    } finally {
      nr.dispose(made);
      a.dispose();
      b.dispose();
    }
  });

  it('evaluate and trainOnBatch give TF.js\'s values in TF.js\'s order (1e-5); returnDict by TF.js\'s names', async () => {
    // Order [loss, reg_loss, cls_loss, reg_mae, reg_mse, cls_acc] (TF.js's metricsNames);
    // evaluate at batchSize 4 of 9 against TF.js's evaluate (its extra running total removed);
    // two trainOnBatch steps (Adam) against TF.js's, then every weight within 1e-5.
    const n = twoByTwo(NR) as Model;
    const t = twoByTwo(TF) as tfl.LayersModel;
    const r = rng(8);
    const xs = [arr(r, [9, 5]), arr(r, [9, 2, 3])];
    const ys = [arr(r, [9, 2]), arr(r, [9, 3], 0, 1)];
    try {
      copyWeights(n, t);
      const compile = { loss: ['meanSquaredError', 'categoricalCrossentropy'], metrics: { reg: ['mae', 'mse'], cls: 'accuracy' } };
      n.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.01 }), ...compile } as nr.CompileArgs);
      t.compile({ optimizer: tf.train.adam(0.01), ...compile } as unknown as tfl.ModelCompileArgs); // TF.js's types omit lists in a metrics object; it accepts them
      const names = ['loss', 'reg_loss', 'cls_loss', 'reg_mae', 'reg_mse', 'cls_acc'];
      expect(t.metricsNames).toEqual(names);
      expect(n.metricsNames, "neurite's metricsNames").toEqual(names);
      const want = tfEvaluate(t, xs, ys, 4);
      const got = expectNoLeak(() => {
        const ins = [...xs, ...ys].map(nrT);
        const ev = n.evaluate(ins.slice(0, 2), ins.slice(2), { batchSize: 4 }) as nr.Tensor[];
        expect(Array.isArray(ev)).toBe(true);
        expect(ev.map((s) => s.shape)).toEqual(names.map(() => []));
        const out = ev.map((s) => s.data()[0]);
        nr.dispose([...ins, ...ev]);
        return out;
      });
      close(got, want, 1e-5, 'evaluate');
      const dict = nr.tidy(() => n.evaluate(xs.map(nrT), ys.map(nrT), { batchSize: 4, returnDict: true }));
      expect(Object.keys(dict).sort()).toEqual([...names].sort());
      expect(names.map((k) => dict[k]), 'returnDict = the list').toEqual(got);
      for (let step = 0; step < 2; step++) {
        const g = nr.tidy(() => n.trainOnBatch(xs.map(nrT), ys.map(nrT)) as number[]);
        const [tx, ty] = [xs.map(tfT), ys.map(tfT)];
        const tw = (await t.trainOnBatch(tx, ty)) as number[];
        tf.dispose([...tx, ...ty]);
        expect(tw.length).toBe(names.length);
        expect(g.length).toBe(names.length);
        close(g, tw, 1e-5, `trainOnBatch step ${step}`);
        close([g[0]], [g[1] + g[2]], 1e-6, `trainOnBatch step ${step}: loss = reg_loss + cls_loss`);
      }
      expectWeightsAsTfjs(n, t, 1e-5, 'after trainOnBatch');
    } finally {
      n.dispose();
      t.dispose();
    }
  });

  it('one input with two outputs, and two inputs (listed out of creation order) with one output, predict and fit as TF.js', async () => {
    // One input: predict takes a Tensor, returns a list of 2 (1e-6); fit(x, [y1, y2]) as TF.js
    // (1e-5, loss list). Two inputs, one output: layers start [j2, j1] (inputs order, as TF.js);
    // predict takes a list and returns one Tensor (1e-6); fit([x2, x1], y) with metrics ['mae']
    // logs loss and mae (no prefix, as TF.js) within 1e-5; evaluate gives [loss, mae] (1e-5).
    const r = rng(9);
    {
      const n = oneInTwoOut(NR) as Model;
      const t = oneInTwoOut(TF) as tfl.LayersModel;
      try {
        copyWeights(n, t);
        const x = arr(r, [7, 4]);
        const want = tfPredict(t, [x]);
        const got = nr.tidy(() => {
          const ys = n.predict<nr.Tensor[]>(nrT(x), { batchSize: 3 });
          expect(Array.isArray(ys) && ys.length).toBe(2);
          return ys.map((y) => ({ shape: [...y.shape], v: y.data() }));
        });
        expect(got.map((g) => g.shape)).toEqual([[7, 1], [7, 3]]);
        got.forEach((g, i) => close(g.v, want[i].v, 1e-6, `one input: output ${i}`));
      } finally {
        n.dispose();
        t.dispose();
      }
      const h = await fitAsTfjs({ what: 'one input, two outputs', build: oneInTwoOut, x: [arr(r, [10, 4])], y: [arr(r, [10, 1]), arr(r, [10, 3], 0, 1)], loss: ['meanSquaredError', 'categoricalCrossentropy'], opt: adam(0.01), epochs: 2, batchSize: 4, validation: 0.2 });
      expect(Object.keys(h).sort()).toEqual(['k1_loss', 'loss', 'r1_loss', 'val_k1_loss', 'val_loss', 'val_r1_loss']);
    }
    {
      const n = twoInOneOut(NR) as Model;
      const t = twoInOneOut(TF) as tfl.LayersModel;
      try {
        copyWeights(n, t);
        expect(n.layers.slice(0, 2).map((l) => l.name)).toEqual(['j2', 'j1']);
        expect(t.layers.slice(0, 2).map((l) => l.name)).toEqual(['j2', 'j1']);
        expect(n.inputs.map((s) => s.shape)).toEqual([[null, 2, 3], [null, 5]]);
        const xs = [arr(r, [7, 2, 3]), arr(r, [7, 5])];
        const want = tfPredict(t, xs);
        const got = nr.tidy(() => {
          const y = n.predict<nr.Tensor>(xs.map(nrT));
          expect(Array.isArray(y), 'one output: a Tensor').toBe(false);
          return { shape: [...y.shape], v: y.data() };
        });
        expect(got.shape).toEqual([7, 2]);
        close(got.v, want[0].v, 1e-6, 'two inputs: predict');
        n.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mae'] });
        t.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mae'] });
        const ys = [arr(r, [7, 2])];
        close(nr.tidy(() => (n.evaluate(xs.map(nrT), nrT(ys[0])) as nr.Tensor[]).map((s) => s.data()[0])), tfEvaluate(t, xs, ys), 1e-5, 'two inputs: evaluate');
      } finally {
        n.dispose();
        t.dispose();
      }
      const h = await fitAsTfjs({ what: 'two inputs, one output', build: twoInOneOut, x: [arr(r, [9, 2, 3]), arr(r, [9, 5])], y: [arr(r, [9, 2])], loss: 'meanSquaredError', metrics: ['mae'], opt: sgd(0.1), epochs: 3, batchSize: 4, validation: { x: [arr(r, [3, 2, 3]), arr(r, [3, 5])], y: [arr(r, [3, 2])] } });
      expect(Object.keys(h).sort()).toEqual(['loss', 'mae', 'val_loss', 'val_mae']);
    }
  });

  it('saves and loads in TF.js\'s functional format both ways: input_layers/output_layers lists, predict 1e-6 across libraries, bit-identical within neurite', async () => {
    // neurite → TF.js: the config lists both inputs and outputs, TF.js's input/output names
    // follow them, TF.js's predict within 1e-6 of neurite's, TF.js's re-save has the same
    // weight names, shapes and bytes (by name), and neurite loads that re-save to the same
    // output bits. neurite → neurite: bit-identical outputs, the same lists. TF.js → neurite
    // (TF.js's own initial weights; both shapes of model): within 1e-6 of TF.js's predict.
    const n = twoByTwo(NR) as Model;
    const x = [arr(rng(10), [6, 5]), arr(rng(11), [6, 2, 3])];
    const predictBits = (m: Model): number[][] => nr.tidy(() => m.predict<nr.Tensor[]>(x.map(nrT)).map((y) => bits(y.data())));
    try {
      const mine = predictBits(n);
      const a = await n.toArtifacts();
      const topo = a.modelTopology as { class_name: string; config: { input_layers: unknown; output_layers: unknown; layers: Array<{ class_name: string; name: string }> } };
      expect(topo.class_name).toBe('Model');
      expect(topo.config.input_layers).toEqual([['ia', 0, 0], ['ib', 0, 0]]);
      expect(topo.config.output_layers).toEqual([['reg', 0, 0], ['cls', 0, 0]]);
      expect(topo.config.layers.filter((l) => l.class_name === 'InputLayer').map((l) => l.name)).toEqual(['ia', 'ib']);
      const tm = await tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
      let back: tf.io.ModelArtifacts;
      try {
        expect(tm.inputNames).toEqual(['ia', 'ib']);
        expect(tm.outputNames).toEqual(['reg', 'cls']);
        const want = tfPredict(tm, x);
        mine.forEach((b, i) => close(new Float32Array(new Uint32Array(b).buffer), want[i].v, 1e-6, `TF.js predict of neurite's file: output ${i}`));
        back = await tfArtifacts(tm);
      } finally {
        tm.dispose();
      }
      const byName = (art: tf.io.ModelArtifacts | nr.ModelArtifacts): Record<string, [number[], number[]]> => {
        const out: Record<string, [number[], number[]]> = {};
        let at = 0;
        for (const s of art.weightSpecs!) {
          const len = sizeOf(s.shape);
          out[s.name] = [s.shape.slice(), Array.from(new Uint32Array((art.weightData as ArrayBuffer).slice(at, at + 4 * len)))];
          at += 4 * len;
        }
        return out;
      };
      expect(byName(back), 'TF.js re-saves the same weights').toEqual(byName(a));
      const fromTf = (await nr.loadModel(back as nr.ModelArtifacts)) as Model;
      try {
        expect(predictBits(fromTf), 'neurite loads TF.js\'s re-save to the same bits').toEqual(mine);
      } finally {
        fromTf.dispose();
      }
      const again = (await nr.loadModel(a)) as Model;
      try {
        expect(predictBits(again), 'neurite → neurite: the same bits').toEqual(mine);
        expect(again.inputs.map((s) => s.shape)).toEqual([[null, 5], [null, 2, 3]]);
        expect(again.outputs.map((s) => s.shape)).toEqual([[null, 2], [null, 3]]);
        expect(again.layers.map((l) => l.name)).toEqual(n.layers.map((l) => l.name));
      } finally {
        again.dispose();
      }
    } finally {
      n.dispose();
    }
    for (const [build, xs] of [[twoByTwo, x], [oneInTwoOut, [arr(rng(12), [6, 4])]], [twoInOneOut, [arr(rng(13), [6, 2, 3]), arr(rng(14), [6, 5])]]] as const) {
      const t = build(TF) as tfl.LayersModel;
      try {
        const m = (await nr.loadModel((await tfArtifacts(t)) as nr.ModelArtifacts)) as Model;
        try {
          expect(m.inputs.length, `${build.name}: inputs`).toBe(t.inputs.length);
          expect(m.outputs.length, `${build.name}: outputs`).toBe(t.outputs.length);
          const want = tfPredict(t, [...xs]);
          const got = nr.tidy(() => {
            const ys = m.predict<nr.Tensor | nr.Tensor[]>(one(xs.map(nrT)));
            return (Array.isArray(ys) ? ys : [ys]).map((y) => y.data());
          });
          expect(got.length).toBe(want.length);
          got.forEach((g, i) => close(g, want[i].v, 1e-6, `${build.name}: TF.js's file, output ${i}`));
        } finally {
          m.dispose();
        }
      } finally {
        t.dispose();
      }
    }
  });

  it('says what is wrong (naming x[i], y[i], the output and the shapes), refuses nesting and bad classWeight, and leaks nothing on errors', async () => {
    const n = twoByTwo(NR) as Model;
    const r = rng(15);
    const [xa, xb, xb6, xbT, ya, yb, yb4, ya6, yb6] = [[7, 5], [7, 2, 3], [6, 2, 3], [7, 3, 2], [7, 2], [7, 3], [7, 4], [6, 2], [6, 3]].map((s) => nrT(arr(r, s)));
    try {
      n.compile({ optimizer: 'sgd', loss: ['meanSquaredError', 'categoricalCrossentropy'] });
      expectNoLeak(() => {
        // Wrong number of inputs (and a lone tensor for two inputs).
        const count = message(() => n.predict([xa]));
        expect(count).toMatch(/\b2\b/);
        expect(count).toMatch(/\b1\b/);
        expect(() => n.predict(xa)).toThrow(/x/);
        // A wrong per-sample shape for input 1.
        const shape = message(() => n.predict([xa, xbT]));
        expect(shape).toMatch(/x\[1\]/);
        expect(shape).toMatch(dims([2, 3]));
        expect(shape).toMatch(dims([7, 3, 2]));
        // Mismatched batch sizes between inputs, and between inputs and targets.
        const batch = message(() => n.predict([xa, xb6]));
        expect(batch).toMatch(/\b7\b/);
        expect(batch).toMatch(/\b6\b/);
        const xy = message(() => n.evaluate([xa, xb], [ya6, yb6]));
        expect(xy).toMatch(/\b7\b/);
        expect(xy).toMatch(/\b6\b/);
        // The shapes the caller gave (y[0] is [6,2]), not the [6,5] of y[0] and y[1] joined.
        expect(xy).toMatch(/y\[0\]|y\[1\]|\[6,\s?2\]|\[6,\s?3\]/);
        // Targets of the wrong size for output 1 (cls), and too few targets.
        const target = message(() => n.evaluate([xa, xb], [ya, yb4]));
        expect(target).toMatch(/y\[1\]|cls/);
        expect(target).toMatch(dims([7, 4]));
        expect(target).toMatch(dims([3]));
        expect(message(() => n.trainOnBatch([xa, xb], [ya]))).toMatch(/y/);
        expect(() => n.trainOnBatch([xa, xb], [ya, yb4])).toThrow(/y\[1\]|cls/);
        // compile: a loss object naming an unknown output, a losses list of the wrong length.
        const unknown = message(() => n.compile({ optimizer: 'sgd', loss: { reg: 'meanSquaredError', bogus: 'meanSquaredError' } }));
        expect(unknown).toMatch(/bogus/);
        expect(unknown).toMatch(/reg/);
        expect(unknown).toMatch(/cls/);
        const length = message(() => n.compile({ optimizer: 'sgd', loss: ['meanSquaredError', 'meanSquaredError', 'meanSquaredError'] }));
        expect(length).toMatch(/loss/);
        expect(length).toMatch(/\b3\b/);
        expect(length).toMatch(/\b2\b/);
        expect(() => n.compile({ optimizer: 'sgd', loss: 'meanSquaredError', lossWeights: [1, 2, 3] })).toThrow(/lossWeights/);
        // Keras 3's None loss for an output (was "unknown loss null"): what to do instead.
        for (const loss of [['meanSquaredError', null], { reg: 'meanSquaredError', cls: null }]) {
          expect(() => n.compile({ optimizer: 'sgd', loss } as never)).toThrow(/^compile: the loss of output 'cls' is null: every output of a compiled model has a loss here \(Keras 3 takes None .*compile and fit a model of those \(model\(\{ inputs, outputs: \[\.\.\.\] \}\) shares the layers and weights\)/);
        }
      });
      // A model with several inputs or outputs cannot be nested: the message says so (given the
      // list of inputs it takes, or one symbolic tensor).
      expect(() => n.apply([nr.input({ shape: [5] }), nr.input({ shape: [2, 3] })] as never)).toThrow(/cannot be nested/);
      expect(() => n.apply(nr.input({ shape: [5] }) as never)).toThrow(/cannot be nested/);
      const single = oneInTwoOut(NR) as Model;
      expect(() => single.apply(nr.input({ shape: [4] }) as never)).toThrow(/cannot be nested/);
      single.dispose();
      n.compile({ optimizer: 'sgd', loss: ['meanSquaredError', 'categoricalCrossentropy'] });
      // classWeight for several outputs: by output name or one per output; targets that are not classes are named.
      const hot = nr.oneHot(nr.tensor([0, 1, 2, 0, 1, 2, 0]), 3);
      await expect(n.fit([xa, xb], [ya, hot], { epochs: 1, verbose: 0, classWeight: [{ 5: 1 }, { 0: 1, 1: 2, 2: 1 }] })).rejects.toThrow(/classWeight for reg reads y\[0\] \(reg\) of shape \[7,\d+\] as one-hot \(or probability\) rows \[n, classes\], but row 0 holds -?[\d.]+ \(\[.*\]\); classWeight is for class targets; weigh other samples with sampleWeight of shape \[n\]$/);
      hot.dispose();
      await expect(n.fit([xa, xb], [ya, yb], { epochs: 1, verbose: 0, classWeight: { 0: 1, 1: 2, 2: 1 } })).rejects.toThrow(/classWeight names '0', which is not an output of the model/);
      await expect(n.fit([xa, xb], [ya, yb], { epochs: 1, verbose: 0, classWeight: [{ 0: 1 }] })).rejects.toThrow(/classWeight lists 1 objects but the model has 2 outputs/);
      await expect(n.fit([xa, xb], [ya], { epochs: 1, verbose: 0 })).rejects.toThrow(/y/);
      await expect(n.fit([xa, xb], [ya, yb], { epochs: 1, verbose: 0, validationData: [[xa, xb], [ya, yb4]] })).rejects.toThrow(dims([7, 4]));
      // After all that, the model still works.
      const ok = nr.tidy(() => n.predict<nr.Tensor[]>([xa, xb]).map((y) => y.shape));
      expect(ok).toEqual([[7, 2], [7, 3]]);
    } finally {
      n.dispose();
      nr.dispose([xa, xb, xb6, xbT, ya, yb, yb4, ya6, yb6]);
    }
  });

  it('leaks nothing: building, compiling, fitting (with validation), predicting, evaluating, trainOnBatch and disposing, many times', async () => {
    // numTensors and numBytes equal before and after 3 rounds (after one warm-up round).
    const r = rng(16);
    const data = [[10, 5], [10, 2, 3], [10, 2], [10, 3]].map((s) => nrT(arr(r, s, 0, 1)));
    const round = async (): Promise<void> => {
      const m = twoByTwo(NR) as Model;
      m.compile({ optimizer: 'adam', loss: ['meanSquaredError', 'categoricalCrossentropy'], metrics: ['mae'], lossWeights: [1, 0.5] });
      await m.fit(data.slice(0, 2), data.slice(2), { epochs: 2, batchSize: 3, validationSplit: 0.2, verbose: 0 });
      nr.dispose(m.predict<nr.Tensor[]>(data.slice(0, 2), { batchSize: 4 }));
      nr.dispose(m.evaluate(data.slice(0, 2), data.slice(2)) as nr.Tensor[]);
      m.evaluate(data.slice(0, 2), data.slice(2), { returnDict: true });
      m.trainOnBatch(data.slice(0, 2), data.slice(2));
      await m.toArtifacts();
      m.dispose();
    };
    try {
      await round();
      const before = nr.memory();
      for (let i = 0; i < 3; i++) await round();
      const after = nr.memory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numBytes).toBe(before.numBytes);
    } finally {
      nr.dispose(data);
    }
  });

  it('is deterministic: the same seed gives bit-identical weights and history after a shuffled fit; another seed does not', async () => {
    const r = rng(17);
    const data = [[12, 5], [12, 2, 3], [12, 2], [12, 3]].map((s) => nrT(arr(r, s, 0, 1)));
    const run = async (seed: number): Promise<{ ws: Record<string, number[][]>; h: Record<string, number[]> }> => {
      const m = twoByTwo(nrLib(seed)) as Model;
      try {
        m.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.01 }), loss: ['meanSquaredError', 'categoricalCrossentropy'], metrics: { cls: 'accuracy' } });
        const h = await m.fit(data.slice(0, 2), data.slice(2), { epochs: 3, batchSize: 5, verbose: 0 });
        return { ws: layerBits(m), h: h.history };
      } finally {
        m.dispose();
      }
    };
    try {
      const a = await run(5);
      const b = await run(5);
      expect(b.ws).toEqual(a.ws);
      expect(b.h).toEqual(a.h);
      const c = await run(6);
      expect(c.ws).not.toEqual(a.ws);
    } finally {
      nr.dispose(data);
    }
  });

  it("takes Keras's list of lists for metrics (one list per output) as the object by output name; a nested list for one output is named", async () => {
    const r = rng(19);
    const data = [[12, 5], [12, 2, 3], [12, 2], [12, 3]].map((s) => nrT(arr(r, s, 0, 1)));
    const run = async (metrics: nr.CompileArgs['metrics']): Promise<Record<string, number[]>> => {
      const m = twoByTwo(nrLib(3)) as Model;
      try {
        m.compile({ optimizer: 'sgd', loss: ['meanSquaredError', 'categoricalCrossentropy'], metrics });
        return (await m.fit(data.slice(0, 2), data.slice(2), { epochs: 2, batchSize: 4, verbose: 0 })).history;
      } finally {
        m.dispose();
      }
    };
    try {
      const byName = await run({ reg: ['mae'], cls: ['accuracy', 'mse'] });
      expect(Object.keys(byName)).toEqual(expect.arrayContaining(['reg_mae', 'cls_acc', 'cls_mse']));
      expect(await run([['mae'], ['accuracy', 'mse']])).toEqual(byName);
      await expect(run([['mae']])).rejects.toThrow(/compile: metrics lists 1 values but the model has 2 outputs/);
      const one = nr.sequential({ layers: [nr.layers.dense({ units: 1, inputShape: [2] })] });
      expect(() => one.compile({ optimizer: 'sgd', loss: 'mse', metrics: [['mae']] as never })).toThrow("compile: metrics[0] is a list (an array of length 1): a list of lists gives one list per output of a model with several outputs (Keras's form); for this model give one list of names or functions, e.g. ['accuracy']");
      one.dispose();
    } finally {
      nr.dispose(data);
    }
  });
});

describe('TF.js 4.22\'s multi-output behaviour this file relies on (asserted)', () => {
  it('names outputs by their layers, logs <output>_loss and <output>_acc, and its evaluate/val_ logs carry running totals', async () => {
    const t = twoByTwo(TF) as tfl.LayersModel;
    const r = rng(18);
    const [xs, ys] = [[arr(r, [6, 5]), arr(r, [6, 2, 3])], [arr(r, [6, 2]), arr(r, [6, 3], 0, 1)]];
    try {
      expect(t.inputNames).toEqual(['ia', 'ib']);
      expect(t.outputNames).toEqual(['reg', 'cls']);
      t.compile({ optimizer: 'sgd', loss: ['meanSquaredError', 'categoricalCrossentropy'], metrics: ['accuracy', 'mae'] });
      expect(t.metricsNames).toEqual(['loss', 'reg_loss', 'cls_loss', 'reg_acc', 'reg_mae', 'cls_acc', 'cls_mae']);
      const raw = tf.tidy(() => (t.evaluate(xs.map(tfT), ys.map(tfT)) as tf.Scalar[]).map((s) => s.dataSync()[0]));
      // [reg_loss, reg_loss + cls_loss, reg_loss, cls_loss, metrics…]: one value more than names.
      expect(raw.length).toBe(8);
      expect(raw[0]).toBe(raw[2]);
      close([raw[1]], [raw[2] + raw[3]], 1e-6, 'the second value is the total');
      const [tx, ty] = [xs.map(tfT), ys.map(tfT)];
      const h = await t.fit(tx, ty, { epochs: 1, verbose: 0, validationData: [tx, ty] });
      const ev = tfEvaluate(t, xs, ys);
      tf.dispose([...tx, ...ty]);
      // val_loss is the first output's loss alone; val_reg_loss is the total.
      close(h.history.val_loss as number[], [ev[1]], 1e-6, 'TF.js val_loss = reg_loss');
      close(h.history.val_reg_loss as number[], [ev[0]], 1e-6, 'TF.js val_reg_loss = loss');
    } finally {
      t.dispose();
    }
  });
});

describe('a tower built twice by one function (nested models whose layers share names)', () => {
  // A tester's Keras habit: it builds and trains, and save refused it without saying what to do.
  it('save names the clash and the fix; with the names the fix gives, it saves and loads with the same predictions', async () => {
    const xs = [nr.tensor([[1, 2, 3, 4]]), nr.tensor([[4, 3, 2, 1]])];
    for (const prefixed of [false, true]) {
      const tower = (name: string) => {
        const i = nr.input({ shape: [4] });
        const h = nr.layers.dense({ units: 8, activation: 'relu', name: prefixed ? `${name}_hidden` : 'hidden' }).apply(i) as nr.SymbolicTensor;
        return nr.model({ inputs: i, outputs: nr.layers.dense({ units: 2, name: prefixed ? `${name}_proj` : 'proj' }).apply(h) as nr.SymbolicTensor, name });
      };
      const [ta, tb] = [tower('tower_a'), tower('tower_b')];
      const [a, b] = [nr.input({ shape: [4], name: 'a' }), nr.input({ shape: [4], name: 'b' })];
      const out = nr.layers.dense({ units: 1, name: 'out' }).apply(nr.layers.concatenate().apply([ta.apply(a) as nr.SymbolicTensor, tb.apply(b) as nr.SymbolicTensor])) as nr.SymbolicTensor;
      const m = nr.model({ inputs: [a, b], outputs: out, seed: 1 });
      try {
        if (!prefixed) {
          await expect(m.toArtifacts()).rejects.toThrow(/the name 'hidden' is used twice \(.*\); every layer and nested model of a saved model needs its own name \(its weights are saved under it, as TF\.js's\): give the layers names when a function builds them \(layers\.dense\(\{ units, name: `\$\{prefix\}_hidden` \}\)\)$/);
          continue;
        }
        const back = (await nr.loadModel(await m.toArtifacts())) as nr.Sequential;
        const [want, got] = [m.predict(xs) as nr.Tensor, back.predict(xs) as nr.Tensor];
        expect(bits(got.data())).toEqual(bits(want.data()));
        nr.dispose([want, got, back]);
      } finally {
        nr.dispose([m, ta, tb]);
      }
    }
    nr.dispose(xs);
  });
});

