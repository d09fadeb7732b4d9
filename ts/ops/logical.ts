/**
 * Logical ops on float32 tensors (TF.js `logicalAnd`, `logicalOr`, `logicalXor`,
 * `logicalNot`, `isNaN`, `isInf`, `isFinite`). TF.js takes and returns `bool` tensors; every
 * neurite tensor is float32, so an entry is true when it is not 0 (NaN is true, as in C and
 * NumPy's `astype(bool)`) and the results are 0 and 1. The inputs broadcast (NumPy rules). The
 * results are constants under `grad` (step functions), as comparisons are.
 */
import { mul, notEqual, equal, add, sub } from './binary.js';
import { abs } from './unary.js';
import { NeuriteError } from '../errors.js';
import { tidy } from '../scope.js';
import type { Tensor } from '../tensor.js';
import { withTensors, type TensorLike } from './convert.js';

/**
 * Runs `f` (made of other ops) in a scope; an error is reported as `op`'s (the ops it is made
 * of name their own arguments `a`, `b` as these do).
 */
function as(op: string, f: () => Tensor): Tensor {
  try {
    return tidy(f);
  } catch (e) {
    if (e instanceof NeuriteError) e.message = e.message.replace(/^[A-Za-z]+: /, `${op}: `);
    throw e;
  }
}

/** 1 where both `a` and `b` are non-zero, else 0. @example logicalAnd(tensor([1, 0, 2]), tensor([1, 1, 0])) // [1, 0, 0] */
export function logicalAnd<T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T {
  return as('logicalAnd', () => mul(notEqual(a, 0), notEqual(b, 0))) as T;
}

/** 1 where `a` or `b` is non-zero, else 0. */
export function logicalOr<T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T {
  return as('logicalOr', () => notEqual(add(notEqual(a, 0), notEqual(b, 0)), 0)) as T;
}

/** 1 where exactly one of `a` and `b` is non-zero, else 0. */
export function logicalXor<T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T {
  return as('logicalXor', () => notEqual(notEqual(a, 0), notEqual(b, 0))) as T;
}

/** 1 where `x` is 0, else 0. `x` may be any TensorLike, as in the ops below. */
export function logicalNot<T extends Tensor = Tensor>(x: TensorLike): T {
  return withTensors('logicalNot', { x }, ({ x }) => equal(x, 0)) as T;
}

/** 1 where `x` is NaN, else 0. */
export function isNaN<T extends Tensor = Tensor>(x: T | TensorLike): T {
  return withTensors('isNaN', { x }, ({ x }) => notEqual(x, x)) as T;
}

/** 1 where `x` is +∞ or −∞, else 0. */
export function isInf<T extends Tensor = Tensor>(x: T | TensorLike): T {
  return withTensors('isInf', { x }, ({ x }) => tidy(() => equal(abs(x), Infinity))) as T;
}

/** 1 where `x` is a finite number (not NaN, not ±∞), else 0. */
export function isFinite<T extends Tensor = Tensor>(x: T | TensorLike): T {
  // x − x is 0 for a finite x and NaN for NaN and ±∞.
  return withTensors('isFinite', { x }, ({ x }) => tidy(() => equal(sub(x, x), 0))) as T;
}
