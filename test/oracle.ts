/**
 * Test helpers for comparing neurite with TensorFlow.js (the `cpu` backend, a dev dependency)
 * and with plain-JS references: deterministic random values, running a TF.js op on the same
 * inputs, and reading float32 bit patterns.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import * as nr from '../ts/index.js';

await tf.setBackend('cpu');
export { tf };

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

/** The artifacts TF.js's `save` hands to its handler (with the optimizer's state when asked). */
export async function tfArtifacts(m: tfl.LayersModel, includeOptimizer = false): Promise<tf.io.ModelArtifacts> {
  let got: tf.io.ModelArtifacts | undefined;
  await m.save(tf.io.withSaveHandler(async (a) => {
    got = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }), { includeOptimizer });
  return got!;
}
