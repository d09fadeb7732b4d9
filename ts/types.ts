/**
 * TF.js's type names that ported code spells out (`tf.TensorContainer`, `tf.Rank`), so that its
 * annotations compile unchanged. neurite's own functions say what they take in their signatures.
 */
import type { Tensor } from './tensor.js';

/**
 * TF.js's `tf.Rank` (the same names and string values, `Rank.R2 === 'R2'`). neurite's `Tensor`
 * carries no rank in its type (`Tensor2D` is `Tensor`), so `Tensor<Rank.R2>` has no counterpart:
 * write `Tensor2D` (or `Tensor`) there; `t.rank` is the rank at run time.
 */
export const Rank = Object.freeze({ R0: 'R0', R1: 'R1', R2: 'R2', R3: 'R3', R4: 'R4', R5: 'R5', R6: 'R6' } as const);

/** A {@link Rank} value: `'R0'` … `'R6'`. */
export type Rank = (typeof Rank)[keyof typeof Rank];

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
