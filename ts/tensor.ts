/**
 * The `Tensor` class: a handle to a dense float32 tensor in WebAssembly memory.
 *
 * Free a tensor with `dispose()`, a `tidy()` scope or `using t = ...`. Methods are chainable
 * and mirror the functions of the same name (`a.add(b)` is `add(a, b)`).
 */
import { argPtr, assertLive, call, check, instanceId, lastResultShape, outPtr, raw, readArgs, readOut } from './engine.js';
import { DisposedError, InvalidArgumentError } from './errors.js';
import { track, untrack } from './scope.js';
import { formatTensor } from './format.js';
import * as binary from './ops/binary.js';
import * as unary from './ops/unary.js';
import * as reduce from './ops/reduce.js';
import * as clip from './ops/clip.js';
import * as select from './ops/select.js';
import * as matmul from './ops/matmul.js';
import * as shapeOps from './ops/shape.js';
import * as act from './activations.js';
import * as slicing from './ops/slicing.js';
import * as joining from './ops/joining.js';
import type { TensorLike } from './ops/convert.js';

/** Nested arrays of numbers, as returned by `array()`. */
export type NestedArray = number | NestedArray[];

(Symbol as { dispose?: symbol }).dispose ??= Symbol.for('Symbol.dispose');

export class Tensor {
  #handle: number;
  readonly #owner: number;
  /** The dimensions, outermost first (`[]` for a scalar). */
  readonly shape: readonly number[];
  /** The element type. Only `'float32'` exists today. */
  readonly dtype = 'float32' as const;

  /** @internal Use {@link wrapHandle}; tensors are made by ops, not by `new`. */
  constructor(handle: number, shape: readonly number[]) {
    this.#handle = handle;
    this.#owner = instanceId();
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze(shape);
    track(this, handle, 'tensor');
  }

  /** The number of dimensions (0 for a scalar). */
  get rank(): number {
    return this.shape.length;
  }

  /** The number of elements. */
  get size(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }

  /** Whether `dispose()` has been called. */
  get isDisposed(): boolean {
    return this.#handle === 0;
  }

  /** @internal The live handle; throws if disposed or from a reset instance. */
  handleFor(op: string, arg = 'tensor'): number {
    if (this.#handle === 0) throw new DisposedError(`${op}: ${arg} is a disposed tensor (shape [${this.shape}])`);
    assertLive(this.#owner, `${op}: ${arg}`);
    return this.#handle;
  }

  /** Frees the tensor's memory. Idempotent. */
  dispose(): void {
    if (this.#handle === 0) return;
    const h = this.#handle;
    this.#handle = 0;
    untrack(this);
    if (this.#owner === instanceId()) call((e) => check(e.nr_tensor_free(h)));
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** A copy of the values as a `Float32Array` (row-major). Also works with `await`. */
  data(): Float32Array {
    const h = this.handleFor('data');
    return call((e) => {
      check(e.nr_tensor_data(h, outPtr(0)));
      const ptr = readOut(0);
      return new Float32Array(e.memory.buffer, ptr, this.size).slice();
    });
  }

  /** Same as {@link data} (TF.js name). */
  dataSync(): Float32Array {
    return this.data();
  }

  /** The values as nested arrays (a number for a scalar). Also works with `await`. */
  array(): NestedArray {
    const d = this.data();
    const build = (dim: number, off: number): NestedArray => {
      if (dim === this.rank) return d[off];
      const n = this.shape[dim];
      let stride = 1;
      for (let i = dim + 1; i < this.rank; i++) stride *= this.shape[i];
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = build(dim + 1, off + i * stride);
      return out;
    };
    return build(0, 0);
  }

  /** Same as {@link array} (TF.js name). */
  arraySync(): NestedArray {
    return this.array();
  }

  /** The single value of a tensor with one element. */
  item(): number {
    if (this.size !== 1) {
      throw new InvalidArgumentError(`item: tensor has ${this.size} elements (shape [${this.shape}]); item() needs exactly 1`);
    }
    return this.data()[0];
  }

  /** Prints like NumPy: `tensor([[1, 2], [3, 4]])` with aligned columns. */
  toString(): string {
    if (this.isDisposed) return `Tensor(disposed, shape=[${this.shape}])`;
    return formatTensor(this.data(), this.shape);
  }

  /** Logs `toString()`. */
  print(): void {
    console.log(this.toString());
  }

  // ---- element-wise ------------------------------------------------------------------------
  add(b: TensorLike): Tensor { return binary.add(this, b); }
  sub(b: TensorLike): Tensor { return binary.sub(this, b); }
  mul(b: TensorLike): Tensor { return binary.mul(this, b); }
  div(b: TensorLike): Tensor { return binary.div(this, b); }
  pow(b: TensorLike): Tensor { return binary.pow(this, b); }
  maximum(b: TensorLike): Tensor { return binary.maximum(this, b); }
  minimum(b: TensorLike): Tensor { return binary.minimum(this, b); }
  equal(b: TensorLike): Tensor { return binary.equal(this, b); }
  notEqual(b: TensorLike): Tensor { return binary.notEqual(this, b); }
  greater(b: TensorLike): Tensor { return binary.greater(this, b); }
  greaterEqual(b: TensorLike): Tensor { return binary.greaterEqual(this, b); }
  less(b: TensorLike): Tensor { return binary.less(this, b); }
  lessEqual(b: TensorLike): Tensor { return binary.lessEqual(this, b); }
  neg(): Tensor { return unary.neg(this); }
  abs(): Tensor { return unary.abs(this); }
  exp(): Tensor { return unary.exp(this); }
  log(): Tensor { return unary.log(this); }
  sqrt(): Tensor { return unary.sqrt(this); }
  square(): Tensor { return unary.square(this); }
  sign(): Tensor { return unary.sign(this); }
  floor(): Tensor { return unary.floor(this); }
  ceil(): Tensor { return unary.ceil(this); }
  round(): Tensor { return unary.round(this); }
  reciprocal(): Tensor { return unary.reciprocal(this); }
  log1p(): Tensor { return unary.log1p(this); }
  expm1(): Tensor { return unary.expm1(this); }
  sin(): Tensor { return unary.sin(this); }
  cos(): Tensor { return unary.cos(this); }
  /** `clipByValue(this, min, max)`: values limited to `[min, max]`, NaN kept. */
  clipByValue(min: number, max: number): Tensor { return clip.clipByValue(this, min, max); }
  /** `where(condition, this, b)` (the TF.js chained form): `this` where `condition`, else `b`. */
  where(condition: TensorLike, b: TensorLike): Tensor { return select.where(condition, this, b); }

  // ---- reductions ----------------------------------------------------------------------------
  sum(axis?: number | number[], keepDims?: boolean): Tensor { return reduce.sum(this, axis, keepDims); }
  mean(axis?: number | number[], keepDims?: boolean): Tensor { return reduce.mean(this, axis, keepDims); }
  max(axis?: number | number[], keepDims?: boolean): Tensor { return reduce.max(this, axis, keepDims); }
  min(axis?: number | number[], keepDims?: boolean): Tensor { return reduce.min(this, axis, keepDims); }
  prod(axis?: number | number[], keepDims?: boolean): Tensor { return reduce.prod(this, axis, keepDims); }
  variance(axis?: number | number[], keepDims?: boolean): Tensor { return reduce.variance(this, axis, keepDims); }
  argMax(axis = 0): Tensor { return reduce.argMax(this, axis); }
  argMin(axis = 0): Tensor { return reduce.argMin(this, axis); }

  // ---- matrices and shapes ----------------------------------------------------------------
  /** `matMul(this, b, transposeA, transposeB)`; the transposes may also be one options object. */
  matMul(b: Tensor, transposeA?: boolean | matmul.MatMulOptions, transposeB?: boolean): Tensor {
    return (matmul.matMul as (a: Tensor, b: Tensor, ta?: unknown, tb?: unknown) => Tensor)(this, b, transposeA, transposeB);
  }
  dot(b: Tensor): Tensor { return matmul.dot(this, b); }
  transpose(perm?: number[]): Tensor { return shapeOps.transpose(this, perm); }
  reshape(shape: number[]): Tensor { return shapeOps.reshape(this, shape); }
  squeeze(axis?: number | number[]): Tensor { return shapeOps.squeeze(this, axis); }
  expandDims(axis = 0): Tensor { return shapeOps.expandDims(this, axis); }

  // ---- slicing and joining (see ops/slicing.ts, ops/joining.ts) ----------------------------
  slice(begin: number | number[], size?: number | number[]): Tensor { return slicing.slice(this, begin, size); }
  split(numOrSizeSplits: number | number[], axis = 0): Tensor[] { return slicing.split(this, numOrSizeSplits, axis); }
  gather(indices: slicing.Indices, axis = 0): Tensor { return slicing.gather(this, indices, axis); }
  oneHot(depth: number, onValue = 1, offValue = 0): Tensor { return slicing.oneHot(this, depth, onValue, offValue); }
  tile(reps: number[]): Tensor { return joining.tile(this, reps); }
  /** `concat([this, ...others], axis)`. */
  concat(others: Tensor | Tensor[], axis = 0): Tensor { return joining.concat([this, ...(Array.isArray(others) ? others : [others])], axis); }
  /** `stack([this, ...others], axis)`. */
  stack(others: Tensor | Tensor[], axis = 0): Tensor { return joining.stack([this, ...(Array.isArray(others) ? others : [others])], axis); }

  // ---- activations (see activations.ts) -----------------------------------------------------
  relu(): Tensor { return act.relu(this); }
  leakyRelu(options?: { alpha?: number }): Tensor { return act.leakyRelu(this, options); }
  prelu(alpha: Tensor | number): Tensor { return act.prelu(this, alpha); }
  elu(options?: { alpha?: number }): Tensor { return act.elu(this, options); }
  selu(): Tensor { return act.selu(this); }
  gelu(): Tensor { return act.gelu(this); }
  swish(): Tensor { return act.swish(this); }
  silu(): Tensor { return act.swish(this); }
  sigmoid(): Tensor { return act.sigmoid(this); }
  hardSigmoid(): Tensor { return act.hardSigmoid(this); }
  tanh(): Tensor { return act.tanh(this); }
  softplus(): Tensor { return act.softplus(this); }
  softsign(): Tensor { return act.softsign(this); }
  softmax(options?: act.AxisOptions): Tensor { return act.softmax(this, options); }
  logSoftmax(options?: act.AxisOptions): Tensor { return act.logSoftmax(this, options); }
}

/** @internal Wraps a fresh handle from the live instance, reading its shape once. */
export function wrapHandle(h: number): Tensor {
  const known = lastResultShape(h);
  if (known) return new Tensor(h, known);
  check(raw().nr_tensor_shape(h, argPtr()));
  const words = readArgs(33);
  return new Tensor(h, Array.from(words.subarray(1, 1 + words[0])));
}
