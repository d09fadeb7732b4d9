/**
 * The `Tensor` class: a handle to a dense float32 tensor in WebAssembly memory.
 *
 * Free a tensor with `dispose()`, a `tidy()` scope or `using t = ...`. Methods are chainable
 * and mirror the functions of the same name (`a.add(b)` is `add(a, b)`).
 */
import { argPtr, assertLive, call, check, instanceId, lastResultShape, outPtr, raw, readArgDims, readOut } from './engine.js';
import { DisposedError, InvalidArgumentError } from './errors.js';
import { freedNote, track, untrack, type Tracked } from './scope.js';
import { formatTensor } from './format.js';
import { displayAs } from './display.js';
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
import * as scan from './ops/scan.js';
import * as segment from './ops/segment.js';
import * as strided from './ops/strided_slice.js';
import * as uniqueOps from './ops/unique.js';
import * as d2s from './ops/depth_to_space.js';
import * as s2b from './ops/space_to_batch.js';
import * as lrn from './ops/local_response_normalization.js';
import * as bn from './ops/batch_norm.js';
import * as poolOps from './ops/pool.js';
import * as dw from './ops/depthwise_conv.js';
import * as topkOps from './ops/topk.js';
import * as conv from './ops/convolution.js';
import * as resize from './image/resize.js';
import * as creation from './ops/creation.js';
import * as logical from './ops/logical.js';
import * as lse from './ops/logsumexp.js';
import * as normOps from './ops/norm.js';
import * as arith from './ops/arithmetic.js';
import * as allAny from './ops/all_any.js';
import * as actOps from './ops/activation_ops.js';
import * as unstackOps from './ops/unstack.js';
import * as bcast from './ops/broadcast_to.js';
import * as conversions from './ops/conversions.js';
import { TensorBuffer } from './ops/buffer.js';
import { describe, extraArgs, ONLY_FLOAT32, show, type TensorLike } from './ops/convert.js';
import type { ArrayMap, Rank } from './types.js';

/** Nested arrays of numbers: what `array()` gives at any rank (`ArrayMap[R]` is one of them). */
export type NestedArray = number | NestedArray[];

(Symbol as { dispose?: symbol }).dispose ??= Symbol.for('Symbol.dispose');

/** The last {@link Tensor.id} given. */
let lastTensorId = 0;

/** A tensor's values, read for `op` (the method called, which a disposed tensor's message names). */
function readValues(t: Tensor, op: string): Float32Array {
  const h = t.handleFor(op);
  return call((e) => {
    check(e.nr_tensor_data(h, outPtr(0)));
    const ptr = readOut(0);
    return new Float32Array(e.memory.buffer, ptr, t.size).slice();
  });
}

/** A tensor's values as nested arrays (`array()`), read for `op`. */
function nested<A>(t: Tensor, op: string): A {
  const d = readValues(t, op);
  const shape = t.shape;
  const rank = shape.length;
  if (rank === 0) return d[0] as A;
  const strides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  const last = shape[rank - 1];
  // Arrays of their final length filled by index, and no call per element (2-3x faster than both).
  const build = (dim: number, off: number): NestedArray[] => {
    const n = shape[dim];
    const out: NestedArray[] = new Array(n);
    if (dim === rank - 1) {
      for (let i = 0; i < last; i++) out[i] = d[off + i];
    } else {
      for (let i = 0, s = strides[dim]; i < n; i++) out[i] = build(dim + 1, off + i * s);
    }
    return out;
  };
  return build(0, 0) as A;
}

/**
 * A dense float32 tensor in WebAssembly memory. Made by ops (`tensor`, `zeros`, …), never with
 * `new`; free it with `dispose()`, `tidy()` or `using`.
 *
 * `R` is the rank when it is known to the type checker, as TF.js's `Tensor<R>`: `tensor2d(…)`
 * is a {@link Tensor2D} (`Tensor<'R2'>`), whose `arraySync()` is a `number[][]`; a `Tensor` is
 * `Tensor<Rank>`, of any rank. The rank only types `array()`/`arraySync()` (and what keeps it:
 * `relu()`, `clone()`, …): tensors of every rank are assignable to each other, as before the
 * rank was typed (`const h: Tensor2D = x.matMul(w)` compiles, as TF.js's generic returns let
 * it); the check that matters is at run time (`t.rank`, `tensor2d` refuses other ranks). The
 * ops TF.js declares with a generic result `T` (binary ops, reductions, `matMul`, `concat`,
 * `where`, `gather`, convolutions and pooling, `topk`, …) take it the same way: named
 * (`x.sum<Scalar>()`, `matMul<Tensor2D>(a, b)`, `x.conv2d<Tensor4D>(f, 1, 'same')`), inferred
 * from the argument where TF.js's is (`relu(x2d)` and `conv2d(x4d, f, 1, 'same')` keep the
 * rank) or from the use, `Tensor` otherwise; an unchecked cast, as TF.js's. The methods that
 * keep the rank (`abs`, `relu`, `transpose`, …) take no type argument (TF.js's take one:
 * `x.relu<Tensor2D>()` is an error here; `x.relu()` already has `x`'s type).
 *
 * @example
 * const t = tensor([[1, 2], [3, 4]]);
 * t.matMul(t).sum().item(); // 54
 * t.dispose();
 */
export class Tensor<R extends Rank = Rank> {
  #handle: number;
  readonly #owner: number;
  readonly #tracked: Tracked;
  readonly #shape: readonly number[];

  /**
   * A number no other tensor of this program has (TF.js's `tensor.id`). An own property, as
   * TF.js's: two tensors are never deep-equal (`expect(a).toEqual(b)`, `assert.deepStrictEqual`,
   * `util.isDeepStrictEqual`) unless they are one tensor — compare their values instead
   * (`expect(a.arraySync()).toEqual(b.arraySync())`). Without it every tensor was deep-equal to
   * every other: the comparison saw no properties.
   */
  readonly id: number = ++lastTensorId;

  // How `console.log` shows a tensor: toString(true), TF.js's verbose text with the dtype, rank
  // and shape (TF.js shows its internal fields). One whose instance ended (shutdown(), a panic,
  // another init) says so instead of throwing: a REPL echoing a variable, or an object holding
  // one, must not fail.
  static {
    displayAs(this, (t) => {
      try {
        return t.toString(true);
      } catch (e) {
        return `Tensor(shape=[${t.shape}], dtype=${t.dtype}) <values unreadable: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}>`;
      }
    });
  }

  /**
   * The dimensions, outermost first (`[]` for a scalar). Typed `number[]` as TF.js's, so that
   * ported code passes it where a `number[]` is asked for (`tensor(w.dataSync(), w.shape)`, a
   * helper of its own); it is the tensor's own array, frozen: read or copy it
   * (`[...t.shape]`), never change it (`t.shape.push(1)` or `t.shape[0] = 2` throws a
   * `TypeError`; TF.js's would silently misdescribe the values). A getter (with a setter that
   * throws): a field would take `t.shape = [3, 1]` and then describe the values wrongly.
   *
   * @example const [rows, cols] = x.shape;
   */
  get shape(): number[] {
    // The array is frozen (the constructor): the type is TF.js's, the value cannot change.
    return this.#shape as number[];
  }
  /**
   * The element type. Only `'float32'` exists today. A getter (on the prototype, with a setter
   * that throws): a field would take `t.dtype = 'int32'` and then misreport the values.
   */
  get dtype(): 'float32' {
    return 'float32';
  }

  /** @internal Use {@link wrapHandle}; tensors are made by ops, not by `new`. */
  constructor(handle: number, shape: readonly number[]) {
    // A JS caller's `new Tensor()` (its types hide the constructor) failed later with a TypeError.
    if (typeof handle !== 'number' || !Array.isArray(shape)) throw new InvalidArgumentError('Tensor: tensors are made by ops (tensor(), zeros(), randomNormal(), …), not with new Tensor()');
    this.#handle = handle;
    this.#owner = instanceId();
    this.#shape = Object.isFrozen(shape) ? shape : Object.freeze(shape);
    this.#tracked = track(this, handle, 'tensor');
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

  /**
   * @internal Whether this tensor, not disposed, belongs to a neurite instance that has ended
   * (`shutdown()`, a new module's `init()`, a panic or an interrupted call that could not be
   * recovered): it can never be read again.
   */
  get fromEndedInstance(): boolean {
    return this.#handle !== 0 && this.#owner !== instanceId();
  }

  /** @internal The live handle; throws if disposed or from a reset instance. */
  handleFor(op: string, arg = 'tensor'): number {
    // A Proxy of a tensor or Object.create(tensor) passes instanceof but has no fields of its
    // own (reading one was a TypeError about a private member).
    if (!(#handle in this)) throw new InvalidArgumentError(`${op}: ${arg} is an object made from a Tensor (a Proxy of it, or Object.create(tensor)), not a Tensor: pass the tensor itself`);
    if (this.#handle === 0) throw new DisposedError(`${op}: ${arg} is a disposed tensor (shape [${this.shape}])${freedNote(this.#tracked)}`);
    // The message is built only when the check fails (instanceId() is 0 before init).
    if (this.#owner !== instanceId()) assertLive(this.#owner, `${op}: ${arg}`);
    return this.#handle;
  }

  /** Frees the tensor's memory. Idempotent. */
  dispose(): void {
    if (this.#handle === 0) return;
    const h = this.#handle;
    this.#handle = 0;
    untrack(this, this.#tracked);
    if (this.#owner === instanceId()) call((e) => check(e.nr_tensor_free(h)));
  }

  /** Same as {@link dispose}, so that `using t = tensor(...)` frees `t` at the end of its block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** A copy of the values as a `Float32Array` (row-major). Also works with `await`. */
  data(): Float32Array {
    return readValues(this, 'data');
  }

  /** Same as {@link data} (TF.js name). */
  dataSync(): Float32Array {
    return readValues(this, 'dataSync');
  }

  /** A {@link TensorBuffer} holding a copy of the values (TF.js's `bufferSync()`), of this tensor's rank. @example x.bufferSync().get(0, 1) */
  bufferSync(): TensorBuffer<R> {
    return new TensorBuffer<R>(this.shape, 'float32', readValues(this, 'bufferSync'));
  }

  /** {@link bufferSync} through a Promise, as TF.js's `await t.buffer()` (it rejects for a disposed tensor). */
  async buffer(): Promise<TensorBuffer<R>> {
    return new TensorBuffer<R>(this.shape, 'float32', readValues(this, 'buffer'));
  }

  /**
   * The values as nested arrays (a number for a scalar). Also works with `await`. Typed by the
   * rank, as TF.js's (`ArrayMap[R]`: a {@link Tensor2D}'s is `number[][]`, so
   * `x.arraySync()[0]` is a row); a `Tensor` of unknown rank gives the union of every rank's,
   * or the one its use names (`const rows: number[][] = t.arraySync()`), unchecked as a cast.
   *
   * @example const rows: number[][] = tensor2d([[1, 2], [3, 4]]).array();
   */
  array<A extends ArrayMap[R] = ArrayMap[R]>(): A {
    return nested<A>(this, 'array');
  }

  /** Same as {@link array} (TF.js name), typed the same way. */
  arraySync<A extends ArrayMap[R] = ArrayMap[R]>(): A {
    return nested<A>(this, 'arraySync');
  }

  /** The single value of a tensor with one element. */
  item(): number {
    this.handleFor('item'); // a disposed tensor is said as such before its size
    if (this.size !== 1) {
      throw new InvalidArgumentError(`item: tensor has ${this.size} elements (shape [${this.shape}]); item() needs exactly 1`);
    }
    return readValues(this, 'item')[0];
  }

  /**
   * The values as TF.js 4.22's `tensor.toString(verbose)` writes them, character for character:
   * a `Tensor` line, with `verbose` the dtype, rank and shape lines, then the values (7 decimals
   * at most, columns padded to their widest, an axis longer than 20 shown as its first and last
   * 3 around `...`). A disposed tensor gives `Tensor(disposed, shape=[…])` (TF.js throws), and
   * one of an instance that has ended (`shutdown()`, another `init`) its shape and why its
   * values cannot be read: a log line (`${t}`, `print()`) never throws for what it prints.
   * @example tensor([[1, 2.5], [-3, 4]]).toString() // 'Tensor\n    [[1 , 2.5],\n     [-3, 4  ]]'
   */
  toString(verbose = false): string {
    if (typeof verbose !== 'boolean') throw new InvalidArgumentError(`toString: verbose must be true or false, got ${describe(verbose)}`);
    if (this.isDisposed) return `Tensor(disposed, shape=[${this.shape}])`;
    if (this.fromEndedInstance) {
      try {
        this.handleFor('data');
      } catch (e) {
        return `Tensor(shape=[${this.shape}], dtype=${this.dtype}) <values unreadable: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}>`;
      }
    }
    return formatTensor(this.data(), this.shape, verbose);
  }

  /**
   * What JS makes of a tensor where it wants a primitive. As a string (`${t}`, `String(t)`)
   * it is {@link toString}. As a number (`t * 2`, `t > 0`, `Math.max(t, 0)`) or with `+`/`==`
   * (`total += loss`, `loss + 0`), JS would compute with that string or with NaN and give a
   * wrong answer without a word, so that is an {@link InvalidArgumentError} saying what to use.
   */
  [Symbol.toPrimitive](hint: string): string {
    if (hint === 'string') return this.toString();
    throw new InvalidArgumentError(
      `a Tensor (shape [${this.shape}]) was used as a ${hint === 'number' ? 'number' : 'primitive value'} (e.g. t * 2, t > 0, Math.max(t, 0), total += t or t + 1): ` +
        'JS operators do not work on tensors. Read the value with t.item() (a tensor of one element, e.g. a loss) or t.dataSync()[0], ' +
        'or compute with tensor ops: t.add(b), t.mul(2), t.greater(0); to print one, use `${t}`, String(t) or t.print() (`\'text\' + t` is the operator +)',
    );
  }

  /**
   * Logs {@link toString}`(verbose)`, as TF.js's `print`.
   * @example tensor([[1, 2], [3, 4]]).print(true) // Tensor\n  dtype: float32\n  rank: 2\n  shape: [2,2]\n  values:\n    [[1, 2],\n     [3, 4]]
   */
  print(verbose = false): void {
    if (typeof verbose !== 'boolean') throw new InvalidArgumentError(`print: verbose must be true or false, got ${describe(verbose)}`);
    console.log(this.toString(verbose));
  }

  // ---- element-wise ------------------------------------------------------------------------
  /** `this + b`, element-wise with broadcasting. @example tensor([1, 2]).add(1) // [2, 3] */
  add<T extends Tensor = Tensor>(b: TensorLike): T { return binary.add(this, b); }
  /** `this − b`, element-wise with broadcasting. */
  sub<T extends Tensor = Tensor>(b: TensorLike): T { return binary.sub(this, b); }
  /** `this · b`, element-wise with broadcasting (not a matrix product: see {@link matMul}). */
  mul<T extends Tensor = Tensor>(b: TensorLike): T { return binary.mul(this, b); }
  /** `this / b`, element-wise with broadcasting. */
  div<T extends Tensor = Tensor>(b: TensorLike): T { return binary.div(this, b); }
  /** `this ** b`, element-wise with broadcasting. @example x.pow(2) */
  pow<T extends Tensor = Tensor>(b: TensorLike): T { return binary.pow(this, b); }
  /** The element-wise larger of `this` and `b` (broadcasting). */
  maximum<T extends Tensor = Tensor>(b: TensorLike): T { return binary.maximum(this, b); }
  /** The element-wise smaller of `this` and `b` (broadcasting). */
  minimum<T extends Tensor = Tensor>(b: TensorLike): T { return binary.minimum(this, b); }
  /** 1 where `this == b`, else 0 (broadcasting). */
  equal<T extends Tensor = Tensor>(b: TensorLike): T { return binary.equal(this, b); }
  /** 1 where `this != b`, else 0 (broadcasting). */
  notEqual<T extends Tensor = Tensor>(b: TensorLike): T { return binary.notEqual(this, b); }
  /** 1 where `this > b`, else 0 (broadcasting). */
  greater<T extends Tensor = Tensor>(b: TensorLike): T { return binary.greater(this, b); }
  /** 1 where `this >= b`, else 0 (broadcasting). */
  greaterEqual<T extends Tensor = Tensor>(b: TensorLike): T { return binary.greaterEqual(this, b); }
  /** 1 where `this < b`, else 0 (broadcasting). */
  less<T extends Tensor = Tensor>(b: TensorLike): T { return binary.less(this, b); }
  /** 1 where `this <= b`, else 0 (broadcasting). */
  lessEqual<T extends Tensor = Tensor>(b: TensorLike): T { return binary.lessEqual(this, b); }
  /** `atan2(this, b)`, broadcast. */
  atan2<T extends Tensor = Tensor>(b: TensorLike): T { return binary.atan2(this, b); }
  /** `mod(this, b)`: the remainder with the sign of `b`, broadcast. */
  mod<T extends Tensor = Tensor>(b: TensorLike): T { return binary.mod(this, b); }
  /** `floorDiv(this, b)`: `⌊this / b⌋`, broadcast. */
  floorDiv<T extends Tensor = Tensor>(b: TensorLike): T { return binary.floorDiv(this, b); }
  /** `−this`, element-wise. */
  neg(): Tensor<R> { return unary.neg(this); }
  /** `|this|`, element-wise. */
  abs(): Tensor<R> { return unary.abs(this); }
  /** `eˣ`, element-wise. */
  exp(): Tensor<R> { return unary.exp(this); }
  /** The natural logarithm, element-wise (`-Infinity` at 0, NaN below). */
  log(): Tensor<R> { return unary.log(this); }
  /** The square root, element-wise (NaN below 0). */
  sqrt(): Tensor<R> { return unary.sqrt(this); }
  /** `x²`, element-wise. */
  square(): Tensor<R> { return unary.square(this); }
  /** −1, 0 or 1 by the sign of each element. */
  sign(): Tensor<R> { return unary.sign(this); }
  /** Rounds each element down. */
  floor(): Tensor<R> { return unary.floor(this); }
  /** Rounds each element up. */
  ceil(): Tensor<R> { return unary.ceil(this); }
  /** Rounds each element to the nearest integer, halves to even (as TF.js). */
  round(): Tensor<R> { return unary.round(this); }
  /** `1 / x`, element-wise. */
  reciprocal(): Tensor<R> { return unary.reciprocal(this); }
  /** `ln(1 + x)`, accurate near 0. */
  log1p(): Tensor<R> { return unary.log1p(this); }
  /** `eˣ − 1`, accurate near 0. */
  expm1(): Tensor<R> { return unary.expm1(this); }
  /** The sine, element-wise (radians). */
  sin(): Tensor<R> { return unary.sin(this); }
  /** The cosine, element-wise (radians). */
  cos(): Tensor<R> { return unary.cos(this); }
  /** The tangent, element-wise (radians). */
  tan(): Tensor<R> { return unary.tan(this); }
  /** The arcsine, element-wise. */
  asin(): Tensor<R> { return unary.asin(this); }
  /** The arccosine, element-wise. */
  acos(): Tensor<R> { return unary.acos(this); }
  /** The arctangent, element-wise. */
  atan(): Tensor<R> { return unary.atan(this); }
  /** The hyperbolic sine, element-wise. */
  sinh(): Tensor<R> { return unary.sinh(this); }
  /** The hyperbolic cosine, element-wise. */
  cosh(): Tensor<R> { return unary.cosh(this); }
  /** The inverse hyperbolic sine, element-wise. */
  asinh(): Tensor<R> { return unary.asinh(this); }
  /** The inverse hyperbolic cosine, element-wise. */
  acosh(): Tensor<R> { return unary.acosh(this); }
  /** The inverse hyperbolic tangent, element-wise. */
  atanh(): Tensor<R> { return unary.atanh(this); }
  /** The error function, element-wise. */
  erf(): Tensor<R> { return unary.erf(this); }
  /** `1 / √x`, element-wise. */
  rsqrt(): Tensor<R> { return unary.rsqrt(this); }
  /** `clipByValue(this, min, max)`: values limited to `[min, max]`, NaN kept. */
  clipByValue(min: number, max: number): Tensor<R> { return clip.clipByValue(this, min, max); }
  /** `where(condition, this, b)` (the TF.js chained form): `this` where `condition`, else `b`. */
  where<T extends Tensor = Tensor>(condition: TensorLike, b: TensorLike): T { return select.where<T>(condition, this, b); }

  // ---- reductions ----------------------------------------------------------------------------
  /** The sum over `axis` (all axes by default), keeping reduced axes as 1 with `keepDims`. @example x.sum(1) */
  sum<T extends Tensor = Tensor>(axis?: number | number[], keepDims?: boolean): T { return reduce.reduceMethod('sum', this, arguments.length, axis, keepDims); }
  /** The mean over `axis` (all axes by default). @example x.mean(0, true) */
  mean<T extends Tensor = Tensor>(axis?: number | number[], keepDims?: boolean): T { return reduce.reduceMethod('mean', this, arguments.length, axis, keepDims); }
  /** The maximum over `axis` (all axes by default). */
  max<T extends Tensor = Tensor>(axis?: number | number[], keepDims?: boolean): T { return reduce.reduceMethod('max', this, arguments.length, axis, keepDims); }
  /** The minimum over `axis` (all axes by default). */
  min<T extends Tensor = Tensor>(axis?: number | number[], keepDims?: boolean): T { return reduce.reduceMethod('min', this, arguments.length, axis, keepDims); }
  /** The product over `axis` (all axes by default). */
  prod<T extends Tensor = Tensor>(axis?: number | number[], keepDims?: boolean): T { return reduce.reduceMethod('prod', this, arguments.length, axis, keepDims); }
  /** The population variance over `axis` (all axes by default). */
  variance<T extends Tensor = Tensor>(axis?: number | number[], keepDims?: boolean): T { return reduce.reduceMethod('variance', this, arguments.length, axis, keepDims); }
  /** The index of the maximum along `axis` (default 0), as float32 values. @example logits.argMax(-1) */
  argMax<T extends Tensor = Tensor>(axis = 0): T {
    extraArgs('argMax', arguments.length, ['axis'], reduce.KEEP_ARG);
    return reduce.argMax(this, axis);
  }
  /** The index of the minimum along `axis` (default 0), as float32 values. */
  argMin<T extends Tensor = Tensor>(axis = 0): T {
    extraArgs('argMin', arguments.length, ['axis'], reduce.KEEP_ARG);
    return reduce.argMin(this, axis);
  }

  // ---- matrices and shapes ----------------------------------------------------------------
  /**
   * `matMul(this, b, transposeA, transposeB)`; the transposes may also be one options object.
   * `T` is the result's type, as `matMul<T>(a, b)`'s (`a.matMul<Tensor2D>(b)`; TF.js's method
   * takes `T` but returns a `Tensor` of unknown rank).
   */
  matMul<T extends Tensor = Tensor>(b: Tensor, transposeA?: boolean | matmul.MatMulOptions, transposeB?: boolean): T {
    return (matmul.matMul as (a: Tensor, b: Tensor, ta?: unknown, tb?: unknown) => T)(this, b, transposeA, transposeB);
  }
  /** The dot product of vectors, or a matrix–vector / matrix–matrix product (as TF.js `dot`). */
  dot<T extends Tensor = Tensor>(b: TensorLike): T { return matmul.dot(this, b) as T; }
  /** Permutes the axes (reverses them by default). @example x.transpose() // [m, n] → [n, m] */
  transpose(perm?: number[]): Tensor<R> { return shapeOps.transpose(this, perm); }
  /** The same values with another shape; one dimension may be -1 (inferred). @example x.reshape([-1, 784]) */
  reshape<T extends Tensor = Tensor>(shape: readonly number[]): T { return shapeOps.reshape(this, shape) as T; }
  /** A copy (the identity under `grad`), as TF.js's `t.clone()`. */
  clone(): Tensor<R> { return creation.clone(this); }
  /** The same values with no gradient through them (`stopGradient(t)`; PyTorch's `t.detach()`). */
  stopGradient(): Tensor<R> { return creation.stopGradient(this); }
  /** TF.js's `cast`: `'float32'` (the only dtype) gives a copy; see {@link creation.cast}. */
  cast(dtype: 'float32'): Tensor<R> { return creation.cast(this, dtype); }
  /** Removes axes of size 1 (all of them, or those in `axis`). */
  squeeze<T extends Tensor = Tensor>(axis?: number | readonly number[]): T { return shapeOps.squeeze(this, axis) as T; }
  /** Inserts an axis of size 1 at `axis` (default 0). */
  expandDims<T extends Tensor = Tensor>(axis = 0): T { return shapeOps.expandDims(this, axis) as T; }

  // ---- slicing and joining (see ops/slicing.ts, ops/joining.ts) ----------------------------
  /** The block starting at `begin` with `size` (-1: to the end). @example x.slice([0, 1], [2, -1]) */
  slice<T extends Tensor = Tensor<R>>(begin: number | number[], size?: number | number[]): T { return slicing.slice<R, T>(this, begin, size); }
  /** Splits along `axis` into equal parts or parts of the given sizes. */
  split<T extends Tensor = Tensor>(numOrSizeSplits: number | number[], axis = 0): T[] { return slicing.split(this, numOrSizeSplits, axis); }
  /** The slices at `indices` along `axis` (default 0). @example x.gather([2, 0]) */
  gather<T extends Tensor = Tensor<R>>(indices: slicing.Indices, axis = 0, batchDims = 0): T { return slicing.gather<T>(this, indices, axis, batchDims); }
  /** One-hot encodes integer class indices: shape `[...this.shape, depth]`. @example tensor([0, 2]).oneHot(3) */
  oneHot(depth: number, onValue = 1, offValue = 0): Tensor { return slicing.oneHot(this, depth, onValue, offValue); }
  /** Repeats the tensor `reps[i]` times along each axis. */
  tile(reps: number[]): Tensor<R> { return joining.tile(this, reps); }
  /** Reversed along `axis` (one or a list; every axis if omitted). @example x.reverse(1) */
  reverse(axis?: number | number[]): Tensor<R> { return slicing.reverse(this, axis); }
  /** Padded with `constantValue` (default 0): `paddings[i] = [before, after]` per axis. @example x.pad([[1, 1]]) */
  pad(paddings: Array<[number, number]>, constantValue = 0): Tensor<R> { return joining.pad(this, paddings, constantValue); }
  /** Padded with its mirror image (`'reflect'` or `'symmetric'`), as TF.js `mirrorPad`. @example x.mirrorPad([[2, 1]], 'reflect') */
  mirrorPad(paddings: Array<[number, number]>, mode: 'reflect' | 'symmetric'): Tensor<R> { return joining.mirrorPad(this, paddings, mode); }
  /** Running sums along `axis` (default 0), optionally `exclusive` and/or `reverse`. @example tensor([1, 2, 3]).cumsum() // [1, 3, 6] */
  cumsum(axis?: number, exclusive?: boolean, reverse?: boolean): Tensor<R>;
  /** {@link cumsum} with the result's rank named, as TF.js's `x.cumsum<Rank.R2>()`. */
  cumsum<R2 extends Rank>(axis?: number, exclusive?: boolean, reverse?: boolean): Tensor<R2>;
  cumsum(axis = 0, exclusive = false, reverse = false): Tensor<R> {
    extraArgs('cumsum', arguments.length, ['axis', 'exclusive', 'reverse'], scan.NOT_NUMPY_SCAN);
    return scan.cumsum(this, axis, exclusive, reverse);
  }
  /** Running products along `axis` (default 0), optionally `exclusive` and/or `reverse`. @example tensor([1, 2, 3]).cumprod() // [1, 2, 6] */
  cumprod(axis?: number, exclusive?: boolean, reverse?: boolean): Tensor<R>;
  /** {@link cumprod} with the result's rank named, as TF.js's `x.cumprod<Rank.R2>()`. */
  cumprod<R2 extends Rank>(axis?: number, exclusive?: boolean, reverse?: boolean): Tensor<R2>;
  cumprod(axis = 0, exclusive = false, reverse = false): Tensor<R> {
    extraArgs('cumprod', arguments.length, ['axis', 'exclusive', 'reverse'], scan.NOT_NUMPY_SCAN);
    return scan.cumprod(this, axis, exclusive, reverse);
  }
  /** Sums of this tensor's rows by segment id into `numSegments` rows. @example tensor([1, 2, 3]).unsortedSegmentSum([0, 1, 0], 2) // [4, 2] */
  unsortedSegmentSum<T extends Tensor = Tensor<R>>(segmentIds: TensorLike, numSegments: number): T { return segment.unsortedSegmentSum<T>(this, segmentIds, numSegments); }
  /** The strided slice `begin:end:strides` with TF.js's masks (see {@link stridedSlice}). @example tensor([1, 2, 3, 4]).stridedSlice([0], [4], [2]) // [1, 3] */
  stridedSlice<T extends Tensor = Tensor>(begin: readonly number[], end: readonly number[], strides?: readonly number[] | null, beginMask = 0, endMask = 0, ellipsisMask = 0, newAxisMask = 0, shrinkAxisMask = 0): T {
    return strided.stridedSlice(this, begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask) as T;
  }
  /** The distinct values (slices along `axis`) in order of first appearance, and where each entry went. @example tensor([2, 1, 2]).unique() // values [2, 1], indices [0, 1, 0] */
  unique<T extends Tensor = Tensor<R>>(axis = 0): { values: T; indices: Tensor1D } { return uniqueOps.unique<T>(this, axis); }
  /** Depthwise 2-D convolution: each channel with its own filters (see {@link depthwiseConv2d}). */
  depthwiseConv2d<T extends Tensor = Tensor<R>>(filter: TensorLike, strides: conv.Size2D, pad: conv.OpPadding, dataFormat: 'NHWC' = 'NHWC', dilations: conv.Size2D = 1): T { return dw.depthwiseConv2d<T>(this, filter, strides, pad, dataFormat, dilations); }
  /** Depthwise separable 2-D convolution: depthwise, then a 1×1 convolution (see {@link separableConv2d}). */
  separableConv2d<T extends Tensor = Tensor<R>>(depthwiseFilter: TensorLike, pointwiseFilter: TensorLike, strides: conv.Size2D, pad: conv.OpPadding, dilation: conv.Size2D = 1, dataFormat: 'NHWC' = 'NHWC'): T {
    return dw.separableConv2d<T>(this, depthwiseFilter, pointwiseFilter, strides, pad, dilation, dataFormat);
  }
  /** Moves blocks of depth into space: `[b, h, w, c]` → `[b, h·s, w·s, c/s²]`. @example x.depthToSpace(2) */
  depthToSpace<T extends Tensor4D = Tensor4D>(blockSize: number, dataFormat: 'NHWC' = 'NHWC'): T { return d2s.depthToSpace(this, blockSize, dataFormat) as T; }
  /** Pads the spatial axes and moves blocks of them into the batch (see {@link spaceToBatchND}). */
  spaceToBatchND<R2 extends Rank = R>(blockShape: readonly number[], paddings: ReadonlyArray<readonly number[]>): Tensor<R2> { return s2b.spaceToBatchND(this, blockShape, paddings); }
  /** Moves blocks of the batch back into the spatial axes and crops them (see {@link batchToSpaceND}). */
  batchToSpaceND<R2 extends Rank = R>(blockShape: readonly number[], crops: ReadonlyArray<readonly number[]>): Tensor<R2> { return s2b.batchToSpaceND(this, blockShape, crops); }
  /** Local response normalization over the depth (last) axis (see {@link localResponseNormalization}). */
  localResponseNormalization(depthRadius?: number, bias?: number, alpha?: number, beta?: number): Tensor<R>;
  /** {@link localResponseNormalization} with the result's type named, as TF.js's `x.localResponseNormalization<Tensor4D>()`. */
  localResponseNormalization<T extends Tensor>(depthRadius?: number, bias?: number, alpha?: number, beta?: number): T;
  localResponseNormalization(depthRadius = 5, bias = 1, alpha = 1, beta = 0.5): Tensor<R> { return lrn.localResponseNormalization(this, depthRadius, bias, alpha, beta); }
  /** Batch normalization with given moments (see {@link batchNorm}). @example x.batchNorm(mean, variance, offset, scale) */
  batchNorm<T extends Tensor = Tensor<R>>(mean: TensorLike, variance: TensorLike, offset?: TensorLike | null, scale?: TensorLike | null, varianceEpsilon?: number | null): T { return bn.batchNorm(this, mean, variance, offset, scale, varianceEpsilon) as T; }
  /** The `k` largest entries of each row (last axis) and their indices. @example x.topk(3).indices */
  topk<T extends Tensor = Tensor<R>>(k = 1, sorted = true): { values: T; indices: T } { return topkOps.topk<T>(this, k, sorted); }
  /** `conv2d(this, filter, strides, pad, dataFormat, dilations)`: this is `[batch, h, w, in]` or `[h, w, in]`. @example images.conv2d(filter, 1, 'same') */
  conv2d<T extends Tensor = Tensor<R>>(filter: TensorLike, strides: conv.Size2D, pad: conv.OpPadding, dataFormat: 'NHWC' = 'NHWC', dilations: conv.Size2D = 1, dimRoundingMode?: never): T { return conv.conv2d<T>(this, filter, strides, pad, dataFormat, dilations, dimRoundingMode); }
  /** `conv1d(this, filter, stride, pad, dataFormat, dilation)`: this is `[batch, width, in]` or `[width, in]`. @example signal.conv1d(filter, 1, 'same') */
  conv1d<T extends Tensor = Tensor<R>>(filter: TensorLike, stride: number, pad: conv.OpPadding, dataFormat: 'NWC' = 'NWC', dilation = 1, dimRoundingMode?: never): T { return conv.conv1d<T>(this, filter, stride, pad, dataFormat, dilation, dimRoundingMode); }
  /** `conv1dTranspose(this, filter, outputShape, stride, pad)`: this is `[batch, width, in]` or `[width, in]`, filter `[filterWidth, out, in]`. @example codes.conv1dTranspose(filter, [n, 100, 1], 2, 'same') */
  conv1dTranspose<T extends Tensor = Tensor<R>>(filter: TensorLike, outputShape: number[], stride: number, pad: conv.OpPadding): T { return conv.conv1dTranspose<T>(this, filter, outputShape, stride, pad); }
  /** `conv2dTranspose(this, filter, outputShape, strides, pad)`: the transpose of conv2d (a learned upsampling). @example codes.conv2dTranspose(filter, [n, 14, 14, 1], 2, 'same') */
  conv2dTranspose<T extends Tensor = Tensor<R>>(filter: TensorLike, outputShape: number[], strides: conv.Size2D, pad: conv.OpPadding, dimRoundingMode?: never): T { return conv.conv2dTranspose<T>(this, filter, outputShape, strides, pad, dimRoundingMode); }
  /** `maxPool(this, filterSize, strides, pad)`. @example images.maxPool(2, 2, 'valid') */
  maxPool<T extends Tensor = Tensor<R>>(filterSize: conv.Size2D, strides: conv.Size2D, pad: conv.OpPadding, dimRoundingMode?: never): T { return conv.maxPool<T>(this, filterSize, strides, pad, dimRoundingMode); }
  /** `avgPool(this, filterSize, strides, pad)`. @example images.avgPool(2, 2, 'same') */
  avgPool<T extends Tensor = Tensor<R>>(filterSize: conv.Size2D, strides: conv.Size2D, pad: conv.OpPadding, dimRoundingMode?: never): T { return conv.avgPool<T>(this, filterSize, strides, pad, dimRoundingMode); }
  /** `pool(this, windowShape, poolingType, pad, dilations, strides)`: max or average pooling, optionally dilated (see {@link pool}). @example images.pool(3, 'max', 'same', 2) */
  pool<T extends Tensor = Tensor<R>>(windowShape: conv.Size2D, poolingType: poolOps.PoolingType, pad: conv.OpPadding, dilations?: conv.Size2D | null, strides?: conv.Size2D | null, dimRoundingMode?: never): T { return poolOps.pool<T>(this, windowShape, poolingType, pad, dilations, strides, dimRoundingMode); }
  /** `image.resizeBilinear(this, size, alignCorners, halfPixelCenters)`: this is `[batch, h, w, c]` or `[h, w, c]`. @example images.resizeBilinear([14, 14]) */
  resizeBilinear<T extends Tensor = Tensor<R>>(size: [number, number], alignCorners = false, halfPixelCenters = false): T { return resize.resizeBilinear<T>(this, size, alignCorners, halfPixelCenters); }
  /** `image.resizeNearestNeighbor(this, size, alignCorners, halfPixelCenters)`. @example mask.resizeNearestNeighbor([56, 56]) */
  resizeNearestNeighbor<T extends Tensor = Tensor<R>>(size: [number, number], alignCorners = false, halfPixelCenters = false): T { return resize.resizeNearestNeighbor<T>(this, size, alignCorners, halfPixelCenters); }
  /** `concat([this, ...others], axis)`. */
  concat<T extends Tensor = Tensor>(others: T | T[], axis = 0): T { return joining.concat<T>([this, ...(Array.isArray(others) ? others : [others])], axis); }
  /** `stack([this, ...others], axis)`. */
  stack<T extends Tensor = Tensor>(others: Tensor | Tensor[], axis = 0): T { return joining.stack([this, ...(Array.isArray(others) ? others : [others])], axis) as T; }

  // ---- activations (see activations.ts) -----------------------------------------------------
  /** `max(x, 0)`. */
  relu(): Tensor<R> { return act.relu(this); }
  /** `x` for `x > 0`, `alpha·x` otherwise (default 0.2). @example x.leakyRelu(0.1) // or x.leakyRelu({ alpha: 0.1 }) */
  leakyRelu(alpha?: number | { alpha?: number | undefined }): Tensor<R> { return act.leakyRelu(this, alpha); }
  /** Parametric ReLU: `x` for `x > 0`, `alpha·x` otherwise; see {@link prelu}. */
  prelu<T extends Tensor = Tensor>(alpha: T | number): T { return act.prelu<T>(this, alpha); }
  /** `x` for `x > 0`, `alpha·(eˣ − 1)` otherwise (default `alpha` 1). */
  elu(options?: { alpha?: number | undefined }): Tensor<R> { return act.elu(this, options); }
  /** Scaled ELU (Klambauer et al. 2017). */
  selu(): Tensor<R> { return act.selu(this); }
  /** Gaussian error linear unit. */
  gelu(): Tensor<R> { return act.gelu(this); }
  /** `x · sigmoid(x)`. */
  swish(): Tensor<R> { return act.swish(this); }
  /** Same as {@link swish}. */
  silu(): Tensor<R> { return act.swish(this); }
  /** The logistic function `1 / (1 + e⁻ˣ)`. */
  sigmoid(): Tensor<R> { return act.sigmoid(this); }
  /** `clip(0.2·x + 0.5, 0, 1)`. */
  hardSigmoid(): Tensor<R> { return act.hardSigmoid(this); }
  /** The hyperbolic tangent. */
  tanh(): Tensor<R> { return act.tanh(this); }
  /** `ln(1 + eˣ)`, without overflow. */
  softplus(): Tensor<R> { return act.softplus(this); }
  /** `x / (1 + |x|)`. */
  softsign(): Tensor<R> { return act.softsign(this); }
  /** TF.js's `step`: 1 for `x > 0`, `alpha` (default 0) otherwise. @example x.step(0.5) */
  step(alpha?: number): Tensor<R> { return act.step(this, alpha); }
  /** Softmax along `axis` (default -1), as `{ axis }` or a number (TF.js `softmax(dim)`). @example logits.softmax() */
  softmax(axis?: act.AxisOptions | number): Tensor<R> { return act.softmax(this, axis); }
  /** `log(softmax(x))` along `axis` (default -1), as `{ axis }` or a number. */
  logSoftmax(axis?: act.AxisOptions | number): Tensor<R> { return act.logSoftmax(this, axis); }

  // ---- TF.js's other chained ops (composed ops: ops/logsumexp.ts, ops/norm.ts, …) -----------
  /** `max(x, 0)` clipped at 6, as TF.js `relu6`. */
  relu6(): Tensor<R> { return act.relu6(this); }
  /** `log(sigmoid(x))`, stable for large `|x|`. */
  logSigmoid(): Tensor<R> { return actOps.logSigmoid(this); }
  /** `log(Σ exp(x))` over `axis` (all axes by default), without overflow. @example logits.logSumExp(-1, true) */
  logSumExp<T extends Tensor = Tensor<R>>(axis?: number | number[] | null, keepDims?: boolean): T { return lse.logSumExp(this, axis, keepDims); }
  /** The norm (`'euclidean'` by default, `'fro'`, 1, 2, ±Infinity, p) over `axis`; see {@link normOps.norm}. @example x.norm(1, -1) */
  norm<T extends Tensor = Tensor>(ord?: normOps.NormOrd, axis?: number | number[] | null, keepDims?: boolean): T {
    extraArgs('norm', arguments.length, ['ord', 'axis', 'keepDims']);
    return normOps.norm(this, ord, axis, keepDims) as T;
  }
  /** The Euclidean norm over `axis` (all axes by default). */
  euclideanNorm<T extends Tensor = Tensor<R>>(axis?: number | number[] | null, keepDims?: boolean): T { return normOps.euclideanNorm(this, axis, keepDims) as T; }
  /** 1 where every entry over `axis` is non-zero, else 0 (TF.js `all`). */
  all<T extends Tensor = Tensor>(axis?: number | number[] | null, keepDims?: boolean): T { return allAny.all(this, axis, keepDims); }
  /** 1 where some entry over `axis` is non-zero, else 0 (TF.js `any`). */
  any<T extends Tensor = Tensor>(axis?: number | number[] | null, keepDims?: boolean): T { return allAny.any(this, axis, keepDims); }
  /** `(this − b)²`, element-wise with broadcasting. */
  squaredDifference<T extends Tensor = Tensor>(b: TensorLike): T { return arith.squaredDifference(this, b); }
  /** `this / b`, but 0 where `b` is 0 (broadcasting). */
  divNoNan<T extends Tensor = Tensor>(b: TensorLike): T { return arith.divNoNan(this, b); }
  /** 1 where both `this` and `b` are non-zero, else 0 (broadcasting). */
  logicalAnd<T extends Tensor = Tensor>(b: TensorLike): T { return logical.logicalAnd(this, b); }
  /** 1 where `this` or `b` is non-zero, else 0 (broadcasting). */
  logicalOr<T extends Tensor = Tensor>(b: TensorLike): T { return logical.logicalOr(this, b); }
  /** 1 where exactly one of `this` and `b` is non-zero, else 0 (broadcasting). */
  logicalXor<T extends Tensor = Tensor>(b: TensorLike): T { return logical.logicalXor(this, b); }
  /** 1 where `this` is 0, else 0. */
  logicalNot(): Tensor<R> { return logical.logicalNot(this); }
  /** 1 where NaN, else 0. */
  isNaN(): Tensor<R> { return logical.isNaN(this); }
  /** 1 where ±Infinity, else 0. */
  isInf(): Tensor<R> { return logical.isInf(this); }
  /** 1 where finite, else 0. */
  isFinite(): Tensor<R> { return logical.isFinite(this); }
  /** The slices along `axis` (default 0), each without that axis. @example x.unstack() */
  unstack<T extends Tensor = Tensor>(axis = 0): T[] { return unstackOps.unstack(this, axis) as T[]; }
  /** Repeated along size-1 and new leading axes to `shape` (NumPy broadcasting). @example bias.broadcastTo([n, units]) */
  broadcastTo<R2 extends Rank = Rank>(shape: number[]): Tensor<R2> { return bcast.broadcastTo(this, shape) as Tensor<R2>; }
  /** Zeros with this shape. */
  zerosLike(): Tensor<R> { return creation.zerosLike(this); }
  /** Ones with this shape. */
  onesLike(): Tensor<R> { return creation.onesLike(this); }
  /** The values as a 1-D tensor (TF.js `flatten`; as `as1D`). */
  flatten(): Tensor1D { return conversions.asRank('flatten', this, [this.size]); }
  /** The values as a 1-D tensor. */
  as1D(): Tensor1D { return conversions.asRank('as1D', this, [this.size]); }
  /** The values with shape `[rows, columns]`. */
  as2D(rows: number, columns: number): Tensor2D { return conversions.asRank('as2D', this, [rows, columns]); }
  /** The values with shape `[rows, columns, depth]`. */
  as3D(rows: number, columns: number, depth: number): Tensor3D { return conversions.asRank('as3D', this, [rows, columns, depth]); }
  /** The values with shape `[rows, columns, depth, depth2]`. */
  as4D(rows: number, columns: number, depth: number, depth2: number): Tensor4D { return conversions.asRank('as4D', this, [rows, columns, depth, depth2]); }
  /** The values with shape `[rows, columns, depth, depth2, depth3]`. */
  as5D(rows: number, columns: number, depth: number, depth2: number, depth3: number): Tensor5D { return conversions.asRank('as5D', this, [rows, columns, depth, depth2, depth3]); }
  /** The single value as a rank-0 tensor (it must hold exactly one). */
  asScalar(): Scalar { return conversions.asScalar(this); }
  /** The values with the shape of `x` (the same element count). */
  reshapeAs<T extends Tensor>(x: T): T { return conversions.reshapeAs(this, x) as T; }
  /** TF.js's `asType`: `'float32'` (the only dtype) gives a copy; any other dtype is an error, as {@link cast}. */
  asType(dtype: 'float32'): Tensor<R> { return creation.cast(this, dtype); }
  /**
   * TF.js's `toFloat`: every tensor is float32 already, so a copy, as `asType('float32')` (the
   * identity under `grad`). The caller owns (and disposes) the copy.
   *
   * @example const f = labels.toFloat();
   */
  toFloat(): Tensor<R> { return creation.cast(this, 'float32'); }
  /**
   * TF.js's `toInt` (`cast(t, 'int32')`): always an {@link InvalidArgumentError}, as
   * `cast(t, 'int32')` — float32 is the only dtype. Integers are float32 values here: labels and
   * indices work as they are (`oneHot`, `gather` and the losses take them), and
   * `t.round()`/`t.floor()` make whole numbers. For `browser.toPixels(t.toInt(), canvas)` (0–255
   * values) pass values in [0, 1] instead: `browser.toPixels(t.div(255), canvas)`.
   */
  toInt(): never { return conversions.dtypeMethod(this, 'toInt', 'int32'); }
  /**
   * TF.js's `toBool` (`cast(t, 'bool')`): always an {@link InvalidArgumentError}, as
   * `cast(t, 'bool')` — float32 is the only dtype. Masks are float32 0/1 values here: comparisons
   * (`greater`, `equal`, …) and `logicalAnd`/`logicalNot` give them, and `notEqual(t, 0)` turns
   * any tensor into one.
   */
  toBool(): never { return conversions.dtypeMethod(this, 'toBool', 'bool'); }
}

/**
 * Gives getter `name` of Tensor a setter that throws `message(t, v)`: assigning is an error, not
 * a silent no-op (a getter alone throws a bare TypeError in strict code and does nothing in
 * sloppy code). Added here so that TypeScript keeps seeing the property as read-only.
 */
function readOnly(name: 'dtype' | 'shape', message: (t: Tensor, v: unknown) => string): void {
  Object.defineProperty(Tensor.prototype, name, {
    ...Object.getOwnPropertyDescriptor(Tensor.prototype, name),
    set(this: Tensor, v: unknown): void {
      throw new InvalidArgumentError(message(this, v));
    },
  });
}

readOnly('dtype', (_, v) =>
  `dtype: a tensor's dtype is read-only (${ONLY_FLOAT32}); assigning ${describe(v)} would change nothing. To change values, make a new tensor: ` +
    't.round() or t.floor() for whole numbers, t.cast(\'float32\') for a copy',
);
// The values keep their shape (reshape makes a new tensor).
readOnly('shape', (t, v) =>
  `shape: a tensor's shape is read-only (shape [${t.shape}]); assigning ${show(v)} would change nothing. ` +
    'For the same values in another shape make a new tensor: t.reshape(newShape)',
);

/**
 * A rank-0 tensor (TF.js's `Scalar`, `Tensor<Rank.R0>`): its `arraySync()` is a `number`. The
 * rank-typed names let typed TF.js code (`const xs: tf.Tensor2D = …`) port as is; see
 * {@link Tensor} for what the rank types and what it does not.
 */
export type Scalar = Tensor<'R0'>;
/** A rank-1 tensor (TF.js's `Tensor1D`): `arraySync()` is a `number[]`. See {@link Scalar}. */
export type Tensor1D = Tensor<'R1'>;
/** A rank-2 tensor (TF.js's `Tensor2D`): `arraySync()` is a `number[][]`. See {@link Scalar}. */
export type Tensor2D = Tensor<'R2'>;
/** A rank-3 tensor (TF.js's `Tensor3D`): `arraySync()` is a `number[][][]`. See {@link Scalar}. */
export type Tensor3D = Tensor<'R3'>;
/** A rank-4 tensor (TF.js's `Tensor4D`), e.g. a batch of images `[n, h, w, c]`. See {@link Scalar}. */
export type Tensor4D = Tensor<'R4'>;
/** A rank-5 tensor (TF.js's `Tensor5D`). See {@link Scalar}. */
export type Tensor5D = Tensor<'R5'>;
/** A rank-6 tensor (TF.js's `Tensor6D`). See {@link Scalar}. */
export type Tensor6D = Tensor<'R6'>;

/** @internal Wraps a fresh handle from the live instance, reading its shape once. */
export function wrapHandle(h: number): Tensor {
  const known = lastResultShape(h);
  if (known) return new Tensor(h, known);
  check(raw().nr_tensor_shape(h, argPtr()));
  return new Tensor(h, readArgDims());
}
