/**
 * The public API shared by both entries (`neurite` with the wasm inlined, `neurite/url` which
 * fetches `core.wasm`). Everything exported here is documented and stable.
 */
export { Tensor, type NestedArray } from './tensor.js';
export { tidy, keep, memory, setDebug, type MemoryInfo } from './scope.js';
export {
  NeuriteError,
  InvalidArgumentError,
  ShapeError,
  DisposedError,
  OutOfMemoryError,
  WasmPanicError,
  type ErrorCode,
} from './errors.js';
export type { TensorLike, TensorValues } from './ops/convert.js';
export type { WasmSource } from './wasm/load.js';
export { tensor, scalar, zeros, ones, fill, zerosLike, onesLike, clone, eye, range, linspace } from './ops/creation.js';
export {
  add, sub, mul, div, pow, maximum, minimum,
  equal, notEqual, greater, greaterEqual, less, lessEqual,
} from './ops/binary.js';
export { neg, abs, exp, log, sqrt, square, sign, floor, ceil, round, reciprocal, log1p, expm1, sin, cos } from './ops/unary.js';
export { sum, mean, max, min, prod, variance, moments, argMax, argMin } from './ops/reduce.js';
export { matMul, dot, outerProduct } from './ops/matmul.js';
export { reshape, transpose } from './ops/shape.js';
