/**
 * TF.js's type names that ported code spells out (`tf.TensorContainer`, `tf.Rank`), so that its
 * annotations compile unchanged. neurite's own functions say what they take in their signatures.
 */
import type { Tensor } from './tensor.js';

/**
 * TF.js's `tf.Rank` (the same names and string values, `Rank.R2 === 'R2'`). It is also a type
 * namespace, so `Tensor<Rank.R2>`, `tensor<Rank.R2>(…)` and `reshape<Rank.R2>(…)` in ported code
 * compile as they are; `Tensor<Rank.R2>` is {@link Tensor2D}. `t.rank` is the rank at run time.
 */
export const Rank = Object.freeze({ R0: 'R0', R1: 'R1', R2: 'R2', R3: 'R3', R4: 'R4', R5: 'R5', R6: 'R6' } as const);

/** A {@link Rank} value: `'R0'` … `'R6'`. */
export type Rank = (typeof Rank)[keyof typeof Rank];

/** Each rank as a type (`Rank.R2` is `'R2'`), as TF.js's enum members are. */
export declare namespace Rank {
  /** A scalar's rank. */
  type R0 = 'R0';
  /** A vector's rank. */
  type R1 = 'R1';
  /** A matrix's rank. */
  type R2 = 'R2';
  /** Rank 3. */
  type R3 = 'R3';
  /** Rank 4. */
  type R4 = 'R4';
  /** Rank 5. */
  type R5 = 'R5';
  /** Rank 6. */
  type R6 = 'R6';
}

/**
 * What `array()` and `arraySync()` of a tensor of each rank return (TF.js's `ArrayMap`):
 * `Tensor2D`'s is `number[][]`; a `Tensor` of unknown rank gives the union of them all.
 */
export interface ArrayMap {
  R0: number;
  R1: number[];
  R2: number[][];
  R3: number[][][];
  R4: number[][][][];
  R5: number[][][][][];
  R6: number[][][][][][];
}

/**
 * The shape of a tensor of each rank as a tuple (TF.js's `ShapeMap`, for ported annotations;
 * `R0` is `number[]` there and here). neurite's functions take any `readonly number[]` as a shape.
 */
export interface ShapeMap {
  R0: number[];
  R1: [number];
  R2: [number, number];
  R3: [number, number, number];
  R4: [number, number, number, number];
  R5: [number, number, number, number, number];
  R6: [number, number, number, number, number, number];
}

/**
 * TF.js's `TensorContainer`: a tensor, a string, a number, a boolean, a typed array, nothing, or
 * arrays and plain objects of them, nested — what `tidy` may return (the tensors inside are
 * kept) and `dispose` takes.
 */
export type TensorContainer = void | Tensor | string | number | boolean | TensorContainerObject | TensorContainerArray | Float32Array | Int32Array | Uint8Array;

/** A plain object of {@link TensorContainer}s (TF.js's `TensorContainerObject`). */
export interface TensorContainerObject {
  [x: string]: TensorContainer;
}

/** An array of {@link TensorContainer}s (TF.js's `TensorContainerArray`). */
export interface TensorContainerArray extends Array<TensorContainer> {}
