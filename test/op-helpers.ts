/**
 * Shared helpers of the op tests that compare with TF.js live (composite-ops, spatial-random-ops,
 * scatter-ops): reading results out, comparing them, and checking that nothing leaks.
 */
import { expect } from 'vitest';
import type * as tf from '@tensorflow/tfjs-core';
import { expectClose } from './setup.js';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';

/** A result read out: its shape and values. */
export type Read = { shape: number[]; values: Float32Array };

/** Tolerances `[rtol, atol]` for an exact comparison. */
export const EXACT: [number, number] = [0, 0];

/** Asserts that `fn` (run to completion or to its throw) leaves every handle count as it found it; returns what it threw. */
export function noHandleLeak(fn: () => unknown): unknown {
  const before = nr.memory();
  let err: unknown;
  try {
    nr.tidy(() => {
      fn();
    });
  } catch (e) {
    err = e;
  }
  const after = nr.memory();
  expect(after.numHandles, 'numHandles').toBe(before.numHandles);
  expect(after.numTensors, 'numTensors').toBe(before.numTensors);
  return err;
}

/** Runs `f` (which reads its results out) in a tidy scope and asserts it leaves no handle behind. */
export function run<T>(f: () => T): T {
  const before = nr.memory().numHandles;
  const r = nr.tidy(f);
  expect(nr.memory().numHandles).toBe(before);
  return r;
}

/** Shape and values of a neurite result, the result disposed. */
export function read(t: nr.Tensor): Read {
  const r = { shape: [...t.shape], values: t.data() };
  t.dispose();
  return r;
}

/** Shape and values of a TF.js result, the result disposed. */
export function readTf(t: tf.Tensor): Read {
  const r = { shape: t.shape.slice(), values: Float32Array.from(t.dataSync() as ArrayLike<number>) };
  t.dispose();
  return r;
}

/** Asserts equal shapes and values within `|a − e| ≤ atol + rtol·|e|` (NaN matches NaN). */
export function expectSame(got: Read, want: Read, [rtol, atol]: [number, number], what = ''): void {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  try {
    expectClose(got.values, want.values, rtol, atol);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
}

/** `n` float32 values: uniform in [lo, hi). */
export function uniform(seed: number, n: number, lo: number, hi: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** The number of values of a shape. */
export const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
