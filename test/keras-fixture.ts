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
