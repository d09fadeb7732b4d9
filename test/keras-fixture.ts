// What the tests against committed Keras 3 fixtures (bench/keras/*.py → test/fixtures/*.json)
// share: the fixture's value types, the comparison at Keras's tolerance, and a model's weights
// against the fixture's by layer name.
import { expect } from 'vitest';
import * as nr from '../ts/index.js';

/** A nested array of numbers, as the fixtures write tensors. */
export type Nested = number | Nested[];
/** Weights by layer name, each layer's list in `getWeights()` order. */
export type Weights = Record<string, Nested[]>;
/** A log of metric values by Keras's names. */
export type Logs = Record<string, number>;
/** A fit's history and the weights after it. */
export interface Fit { history: Record<string, number[]>; weights: Weights }

/** Keras's float32 against ours: relative and absolute tolerance. */
export const RTOL = 1e-5, ATOL = 1e-6;

export const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);

/** Throws naming `what` unless `got` is within `rtol`·|want| + ATOL of Keras's `want`. */
export const close = (got: number, want: number, what: string, rtol = RTOL): void => {
  if (!(Math.abs(got - want) <= rtol * Math.abs(want) + ATOL)) throw new Error(`${what}: ${got} vs Keras's ${want}`);
};

/** {@link close} element by element, after the lengths agree. */
export const closeAll = (got: ArrayLike<number>, want: Nested, what: string, rtol = RTOL): void => {
  const w = flat(want);
  expect(got.length, what).toBe(w.length);
  w.forEach((v, i) => close(got[i], v, `${what}[${i}]`, rtol));
};

/** A tensor of a fixture's nested values. */
export const T = (v: Nested): nr.Tensor => nr.tensor(v as never);

/** `m`'s weights against `want`, layer by layer (by name), each within {@link close}. */
export function expectWeights(m: nr.Sequential, want: Weights, what: string, rtol = RTOL): void {
  for (const [name, vs] of Object.entries(want)) {
    m.getLayer(name).getWeights().forEach((t, i) => {
      const g = t.dataSync();
      t.dispose();
      closeAll(g, vs[i], `${what}: ${name} weight ${i}`, rtol);
    });
  }
}

/** Keras's metric name as neurite's history and `returnDict` spell it (`accuracy` → `acc`). */
export const ours = (k: string): string => k.replace('accuracy', 'acc');

/** A fixture case's inputs: one tensor, or a list for a model with several. */
export const inputsOf = (c: { xs: Nested[] }): nr.Tensor | nr.Tensor[] => (c.xs.length === 1 ? T(c.xs[0]) : c.xs.map(T));

/** Disposes what {@link inputsOf} made. */
export const disposeInputs = (x: nr.Tensor | nr.Tensor[]): void => (Array.isArray(x) ? x : [x]).forEach((t) => t.dispose());

/** Gives each layer named in `weights` the fixture's values (Keras's weights copied in). */
export function setLayerWeights(m: nr.Sequential, weights: Weights): void {
  for (const [name, vs] of Object.entries(weights)) {
    const ts = vs.map((v) => T(v));
    m.getLayer(name).setWeights(ts);
    for (const t of ts) t.dispose();
  }
}

/** `m`'s predict and evaluate (batches of 3) on `x`, `y` against the fixture's, within {@link close}. */
export function expectPredictEvaluate(m: nr.Sequential, x: nr.Tensor | nr.Tensor[], y: nr.Tensor, want: { predict: Nested; evaluate: Logs }, what = ''): void {
  closeAll((m.predict(x) as nr.Tensor).dataSync(), want.predict, `${what}predict`);
  const r = m.evaluate(x, y, { batchSize: 3, returnDict: true });
  for (const [k, v] of Object.entries(want.evaluate)) close(r[ours(k)], v, `${what}evaluate ${k}`);
}

/** The fixture was written by Keras 3 on JAX, with the cases `names` in that order. */
export function expectKeras3Fixture(f: { keras: string; backend: string; cases: Array<{ name: string }> }, names: string[]): void {
  expect(f.keras.startsWith('3.')).toBe(true);
  expect(f.backend).toBe('jax');
  expect(f.cases.map((c) => c.name)).toEqual(names);
}

/** A case of a layer fixture (conv1d_transpose.py, shape1d.py): an input, Keras's gradients of sum(y·g), its training. */
export interface TrainedCase {
  name: string;
  x: Nested;
  g: Nested;
  dx: Nested;
  dWeights: Nested[];
  y: Nested;
  trainOnBatch: { loss: number; weights: Weights };
  fit: Fit;
}

/**
 * Checks `m`'s gradients of sum(predict(x)·g) in x and in every trainable weight (the tape through
 * predict) against Keras's (JAX's), the weights in `m.trainableWeights` order; returns their names.
 */
export function expectKerasGradients(m: nr.Sequential, c: TrainedCase): string[] {
  return nr.tidy(() => {
    const [x, g] = [T(c.x), T(c.g)];
    const dx = nr.grad((xt: nr.Tensor) => m.predict(xt).mul(g).sum())(x);
    closeAll(dx.dataSync(), c.dx, `${c.name}: dL/dx`);
    const { grads } = nr.variableGrads(() => m.predict(x).mul(g).sum(), m.trainableWeights);
    const names = m.trainableWeights.map((w) => w.name);
    expect(names.length, c.name).toBe(c.dWeights.length);
    names.forEach((n, i) => closeAll(grads[n].dataSync(), c.dWeights[i], `${c.name}: dL/d${n}`));
    return names;
  });
}

/** One trainOnBatch and two epochs of fit (batches of 3 in order) on fresh models from `modelOf`, against Keras's loss and weights. */
export async function expectTrainsAsKeras<C extends TrainedCase>(c: C, modelOf: (c: C) => nr.Sequential): Promise<void> {
  const [x, y] = [T(c.x), T(c.y)];
  try {
    {
      using m = modelOf(c);
      close(m.trainOnBatch(x, y) as number, c.trainOnBatch.loss, `${c.name}: trainOnBatch loss`);
      expectWeights(m, c.trainOnBatch.weights, `${c.name}: trainOnBatch`);
    }
    using m = modelOf(c);
    const h = await m.fit(x, y, { epochs: 2, batchSize: 3, shuffle: false, verbose: 0 });
    h.history.loss.forEach((v, i) => close(v as number, c.fit.history.loss[i], `${c.name}: fit loss ${i}`));
    expectWeights(m, c.fit.weights, `${c.name}: fit`);
  } finally {
    nr.dispose([x, y]);
  }
}
