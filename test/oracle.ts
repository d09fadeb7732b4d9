/**
 * Test helpers for comparing neurite with TensorFlow.js (the `cpu` backend, a dev dependency)
 * and with plain-JS references: deterministic random values, running a TF.js op on the same
 * inputs, and reading float32 bit patterns.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import * as nr from '../ts/index.js';
import { expectNoLeak } from './setup.js';

await tf.setBackend('cpu');
export { tf };

/* eslint-disable @typescript-eslint/no-explicit-any */
/** The functional API of neurite and of TF.js behind one face: one builder makes the same graph in both. */
export interface GraphLib {
  input(a: { shape: number[]; name?: string }): any;
  layers: any;
  model(a: { inputs: any; outputs: any }): any;
  sequential(a: { layers: any[]; name?: string }): any;
}
/* eslint-enable @typescript-eslint/no-explicit-any */
/** neurite's, its models seeded with `seed`. */
export const nrGraphLib = (seed: number): GraphLib => ({ input: nr.input, layers: nr.layers, model: (a) => nr.model({ ...a, seed }), sequential: (a) => nr.sequential({ ...a, seed }) });
/** TF.js's. */
export const TF_GRAPH: GraphLib = { input: tfl.input, layers: tfl.layers, model: tfl.model, sequential: tfl.sequential };

/**
 * Copies a neurite model's weights into a TF.js model of the same layers, layer by layer
 * (TF.js's model-level order puts every non-trainable weight last; a layer's own order agrees).
 */
export function copyLayerWeights(n: nr.Sequential, t: { layers: Array<{ setWeights(ws: tf.Tensor[]): void }> }): void {
  n.layers.forEach((l, i) => {
    const ws = l.getWeights();
    tf.tidy(() => t.layers[i].setWeights(ws.map((w) => tf.tensor(w.dataSync(), w.shape.slice()))));
    for (const w of ws) w.dispose();
  });
}

/** A deterministic uniform [0, 1) generator (32-bit LCG). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** `n` float32 values uniform in `[lo, hi)`; with `quantum`, rounded to multiples of it (to make ties). */
export function uniform(rand: () => number, n: number, lo: number, hi: number, quantum = 0): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = lo + (hi - lo) * rand();
    v[i] = quantum ? Math.round(x / quantum) * quantum : x;
  }
  return v;
}

/** An input given to both libraries: values and shape. */
export interface Input {
  values: Float32Array;
  shape: number[];
}

/** A result read back as plain numbers. */
export interface Out {
  shape: number[];
  values: Float32Array;
}

/** Runs `f` on TF.js tensors made from `inputs` (numbers are passed as numbers). */
export function viaTf(f: (...xs: Array<tf.Tensor | number>) => tf.Tensor, inputs: Array<Input | number>): Out {
  return tf.tidy(() => {
    const xs = inputs.map((i) => (typeof i === 'number' ? i : tf.tensor(i.values, i.shape, 'float32')));
    const y = f(...xs);
    return { shape: y.shape.slice(), values: Float32Array.from(y.dataSync() as ArrayLike<number>) };
  });
}

/** Runs `f` on neurite tensors made from `inputs`, disposing everything. */
export function viaNr(f: (...xs: Array<nr.Tensor | number>) => nr.Tensor, inputs: Array<Input | number>): Out {
  return nr.tidy(() => {
    const xs = inputs.map((i) => (typeof i === 'number' ? i : nr.tensor(i.values, i.shape)));
    const y = f(...xs);
    return { shape: [...y.shape], values: y.data() };
  });
}

/** The float32 bit pattern of each value, with every NaN mapped to one canonical pattern. */
export function bits(v: ArrayLike<number>): number[] {
  const f = Float32Array.from(v);
  const u = new Uint32Array(f.buffer);
  return Array.from(u, (b, i) => (Number.isNaN(f[i]) ? 0x7fc00000 : b));
}

/** Shapes that cover rank 0, one element, odd sizes, rank 4, an empty tensor and a large one. */
export const SHAPES: number[][] = [[], [1], [7], [4, 5], [3, 1, 17], [2, 3, 4, 5], [0, 3], [1000, 37]];

/** Expects `got` to equal `want` within `tol`, relative to 1 + |want| (the worst element decides). */
export function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  expect(worst, what).toBeLessThan(tol);
}

/**
 * Central differences of a scalar function of float32 values: for each i,
 * `(loss(x + h·eᵢ) − loss(x − h·eᵢ))` over the step as the two float32 inputs hold it.
 */
export function centralDiff(loss: (v: Float32Array) => number, x: Float32Array, h = 1e-2): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const a = x.slice();
    const b = x.slice();
    a[i] += h;
    b[i] -= h;
    g[i] = (loss(a) - loss(b)) / (a[i] - b[i]);
  }
  return g;
}

/** An op's value and its gradients of `L = Σ c ⊙ y` with respect to each input. */
export interface WeightedRun {
  y: Float32Array;
  shape: number[];
  grads: Float32Array[];
}

/**
 * `f` on neurite tensors made from `inputs`: its value and, when `c` is given, the gradients of
 * `Σ c ⊙ f(...)` (so that every output counts with its own weight); with `c` null, only the
 * value (to learn the output's shape). Leaks nothing.
 */
export function weightedRun(f: (...xs: nr.Tensor[]) => nr.Tensor, inputs: Input[], c: Float32Array | null): WeightedRun {
  return expectNoLeak(() => nr.tidy(() => {
    const xs = inputs.map((i) => nr.tensor(i.values, i.shape));
    const y = f(...xs);
    if (!c) return { y: y.data(), shape: [...y.shape], grads: [] };
    const gs = nr.grads((...a: nr.Tensor[]) => f(...a).mul(nr.tensor(c, [...y.shape])).sum())(xs);
    return { y: y.data(), shape: [...y.shape], grads: gs.map((g) => g.data()) };
  }));
}

/** {@link weightedRun} in TF.js (gradients only when `c` is given and `withGrads`). */
export function weightedRunTf(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Input[], c: Float32Array | null, withGrads = true): WeightedRun {
  let out!: WeightedRun;
  tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(i.values, i.shape, 'float32'));
    const y = f(...xs);
    const gs = c && withGrads ? tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), tf.tensor(c, y.shape))))(xs) : [];
    out = { y: y.dataSync() as Float32Array, shape: y.shape.slice(), grads: gs.map((g) => g.dataSync() as Float32Array) };
  });
  return out;
}

/** Central differences of `L(x) = Σ c ⊙ f(x)` (summed in float64 over float32 outputs). */
export function weightedDiff(f: (x: nr.Tensor) => nr.Tensor, x: Input, c: Float32Array): Float64Array {
  return centralDiff((v) => nr.tidy(() => {
    const y = f(nr.tensor(v, x.shape)).data();
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * c[i];
    return s;
  }), x.values);
}

/** The artifacts TF.js's `save` hands to its handler (with the optimizer's state when asked). */
export async function tfArtifacts(m: tfl.LayersModel, includeOptimizer = false): Promise<tf.io.ModelArtifacts> {
  let got: tf.io.ModelArtifacts | undefined;
  await m.save(tf.io.withSaveHandler(async (a) => {
    got = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }), { includeOptimizer });
  return got!;
}

/**
 * Builds a neurite and a TF.js Sequential of the same layers (`pairs`, neurite's seeded with
 * `seed`), copies neurite's weights into TF.js (so the kernels' layouts must agree), and checks
 * on inputs uniform in [−2, 2) that the output shapes agree, that `predict` agrees within `tol`
 * (default 1e-5), and that dL/dx of Σ w·predict(x) (w uniform in [−1, 1)) agrees with TF.js's
 * `tf.grad` within 1e-5 — or, with `oracle: 'fd'` where TF.js's gradient is wrong, with central
 * differences of neurite's forward within 2e-3 — is not all zeros, and leaks no tensor.
 */
export function expectLayersAsTfjs(name: string, pairs: Array<[nr.Layer, tfl.layers.Layer]>, xShape: number[], opts: { seed: number; oracle?: 'tf' | 'fd'; tol?: number }): void {
  const n = nr.sequential({ seed: opts.seed, layers: pairs.map((p) => p[0]) });
  const t = tfl.sequential({ layers: pairs.map((p) => p[1]) });
  try {
    n.build();
    copyLayerWeights(n, t);
    const r = rng(name.length);
    const x = uniform(r, sizeOf(xShape), -2, 2);
    const outShape = t.outputs[0].shape.slice(1) as number[];
    expect(n.outputShape).toEqual(t.outputShape);
    const want = tf.tidy(() => (t.predict(tf.tensor(x, xShape)) as tf.Tensor).dataSync());
    close(nr.tidy(() => n.predict(nr.tensor(x, xShape)).data()), want, opts.tol ?? 1e-5, `${name}: predict`);
    const w = uniform(r, sizeOf(outShape), -1, 1);
    const got = expectNoLeak(() => nr.tidy(() => nr.grad((xt) => n.predict(xt).mul(nr.tensor(w, outShape)).sum())(nr.tensor(x, xShape)).data()));
    if ((opts.oracle ?? 'tf') === 'tf') {
      const wantG = tf.tidy(() => tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(t.predict(xt) as tf.Tensor, tf.tensor(w, outShape))))(tf.tensor(x, xShape)).dataSync());
      close(got, wantG, 1e-5, `${name}: dL/dx`);
    } else {
      const fd = centralDiff((v) => nr.tidy(() => n.predict(nr.tensor(v, xShape)).mul(nr.tensor(w, outShape)).sum().data()[0]), x);
      for (let i = 0; i < x.length; i++) expect(Math.abs(got[i] - fd[i]), `${name}: dx[${i}]`).toBeLessThan(2e-3);
    }
    expect(got.some((v) => v !== 0)).toBe(true);
  } finally {
    n.dispose();
    t.dispose();
  }
}

/** What {@link expectFitAsTfjs} trains on and how. */
export interface FitAsTfjs {
  /** neurite's model seed (its initial weights, copied into TF.js). */
  seed: number;
  x: Float32Array;
  xShape: number[];
  /** The targets (default: `x`, an autoencoder). */
  y?: Float32Array;
  yShape?: number[];
  loss: string;
  /** The same optimizer in both libraries (fresh ones per call). */
  optimizer: [() => nr.Optimizer, () => tf.Optimizer];
  epochs: number;
  batchSize: number;
  /** The per-sample output shape both models must have. */
  outputShape?: number[];
  /** Tolerance on the losses and weights (default 1e-5). */
  tol?: number;
}

/**
 * Builds a neurite and a TF.js Sequential of the same layers (`pairs`) with neurite's seeded
 * initial weights in both, fits both (same optimizer, loss and batches, no shuffling) and checks
 * that the per-epoch losses and every weight after training agree within `tol`, that the weight
 * shapes agree, and that training moved the weights (so the weights compared are not the
 * initial ones). Returns neurite's losses.
 */
export async function expectFitAsTfjs(what: string, pairs: Array<[nr.Layer, tfl.layers.Layer]>, o: FitAsTfjs): Promise<number[]> {
  const n = nr.sequential({ seed: o.seed, layers: pairs.map((p) => p[0]) });
  const t = tfl.sequential({ layers: pairs.map((p) => p[1]) });
  const [y, yShape] = [o.y ?? o.x, o.yShape ?? o.xShape];
  const got = [] as nr.Tensor[];
  try {
    n.build();
    if (o.outputShape) expect(n.outputShape, `${what}: output shape`).toEqual([null, ...o.outputShape]);
    expect(n.outputShape, `${what}: output shape`).toEqual(t.outputShape);
    copyLayerWeights(n, t);
    const before = nr.tidy(() => n.getWeights().map((w) => w.data()));
    n.compile({ optimizer: o.optimizer[0](), loss: o.loss as nr.LossName });
    t.compile({ optimizer: o.optimizer[1](), loss: o.loss });
    const fit = { epochs: o.epochs, batchSize: o.batchSize, shuffle: false, verbose: 0 } as const;
    const [nx, ny, tx, ty] = [nr.tensor(o.x, o.xShape), nr.tensor(y, yShape), tf.tensor(o.x, o.xShape), tf.tensor(y, yShape)];
    const h = await n.fit(nx, ny, fit).finally(() => nr.dispose([nx, ny]));
    const th = await t.fit(tx, ty, fit).finally(() => tf.dispose([tx, ty]));
    const tol = o.tol ?? 1e-5;
    close(h.history.loss, th.history.loss as number[], tol, `${what}: losses`);
    got.push(...n.getWeights());
    expect(got.some((g, i) => g.data().some((v, k) => v !== before[i][k])), `${what}: training moved the weights`).toBe(true);
    const want = t.getWeights();
    expect(got.map((g) => g.shape), `${what}: weight shapes`).toEqual(want.map((w) => w.shape));
    got.forEach((g, i) => close(g.data(), want[i].dataSync(), tol, `${what}: weight ${i} after training`));
    return h.history.loss;
  } finally {
    got.forEach((g) => g.dispose());
    n.dispose();
    t.dispose();
  }
}

/**
 * Saves neurite model `m`, loads the artifacts with TF.js's `tf.loadLayersModel`, and checks
 * TF.js's layer classes, that TF.js predicts `x` as neurite does (1e-6), that TF.js saves the
 * same weight names, shapes and bytes, and that neurite loads TF.js's save back to the same
 * output bits. Returns TF.js's artifacts (for tests that edit them) and neurite's output.
 */
export async function expectTfjsRoundTrip(m: nr.Sequential, x: Float32Array, xShape: number[], classes: string[]): Promise<{ back: tf.io.ModelArtifacts; want: Float32Array }> {
  const a = await m.toArtifacts();
  const tm = await tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
  try {
    expect(tm.layers.map((l) => l.getClassName())).toEqual(classes);
    const want = nr.tidy(() => m.predict(nr.tensor(x, xShape)).data());
    close(tf.tidy(() => (tm.predict(tf.tensor(x, xShape)) as tf.Tensor).dataSync()), want, 1e-6, 'TF.js predict');
    const back = await tfArtifacts(tm);
    expect(back.weightSpecs!.map((w) => [w.name, w.shape])).toEqual(a.weightSpecs!.map((w) => [w.name, w.shape]));
    expect(new Uint8Array(back.weightData as ArrayBuffer)).toEqual(new Uint8Array(a.weightData as ArrayBuffer));
    const again = (await nr.loadModel(back as nr.ModelArtifacts)) as nr.Sequential;
    expect(nr.tidy(() => again.predict(nr.tensor(x, xShape)).data())).toEqual(want);
    again.dispose();
    return { back, want };
  } finally {
    tm.dispose();
  }
}

/** The float32 bit patterns of `ts` (each then disposed), for bit-identity checks. */
export function bitsAndDispose(ts: nr.Tensor[]): number[][] {
  return ts.map((t) => {
    const d = Array.from(new Uint32Array(t.data().buffer.slice(0)));
    t.dispose();
    return d;
  });
}

/**
 * Runs `run` (a seeded training that returns bit patterns) with 1, 2 and 3 threads and expects
 * the same bits from each; leaves neurite initialised with its default threads.
 */
export async function expectSameBitsForThreads(run: () => Promise<number[][]>): Promise<void> {
  await nr.init({ threads: 1 });
  const one = await run();
  for (const threads of [2, 3]) {
    await nr.init({ threads });
    expect(await run(), `${threads} threads`).toEqual(one);
  }
  await nr.init();
}

/**
 * `activation` applied to the values of `t` (rank 1) as a dense layer's activation: one unit
 * with weight 1 and bias 0 passes each x exactly to it, so the result (`[n, 1]`) has the op's
 * bits when fit's and predict's path shares the op's kernel.
 */
export function asDenseActivation(t: nr.Tensor, activation: nr.ActivationSpec): nr.Tensor {
  const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [1], units: 1, activation, kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
  const xs = nr.reshape(t, [t.size, 1]);
  const y = m.predict(xs) as nr.Tensor;
  xs.dispose();
  m.dispose();
  return y;
}

/** `n` sequences of `len` integer ids in [0, vocab) (text-model inputs). */
export function tokenIds(r: () => number, n: number, len: number, vocab: number): number[] {
  return Array.from({ length: n * len }, () => Math.floor(r() * vocab));
}

/** neurite's weights into TF.js, layer by layer by name (the layers of a graph or sequential model). */
export function copyWeights(n: nr.Sequential, t: tfl.LayersModel): void {
  for (const l of n.layers) {
    const ws = l.getWeights();
    if (ws.length) tf.tidy(() => t.getLayer(l.name).setWeights(ws.map((w) => tf.tensor(w.data(), [...w.shape]))));
    nr.dispose(ws);
  }
}
