/** `buffer` and `TensorBuffer`: TF.js's mutable array of values with a shape, turned into a tensor at the end. */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { Rank } from '../types.js';
import { attachedArg, checkShape, describe, dtypeArg, f32Value, fromFlat, isNumberArray, show } from './convert.js';

/** TF.js's row-major strides: one per axis but the last (`[]` below rank 2). */
function stridesOf(shape: readonly number[]): number[] {
  const r = shape.length;
  if (r < 2) return [];
  const s = new Array<number>(r - 1);
  s[r - 2] = shape[r - 1];
  for (let i = r - 3; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** The values a buffer starts with: a Float32Array is kept as is (shared, as TF.js), other number arrays are copied. */
function initialValues(op: string, values: unknown, size: number, shape: readonly number[]): Float32Array {
  if (values === undefined || values === null) return new Float32Array(size);
  if (!Array.isArray(values) && !isNumberArray(values)) {
    throw new InvalidArgumentError(`${op}: values must be a Float32Array (or another typed array or a flat array of numbers), got ${describe(values)}`);
  }
  if (!Array.isArray(values)) attachedArg(op, 'values', values as unknown as ArrayBufferView);
  const v = values as ArrayLike<unknown>;
  if (v.length !== size) throw new ShapeError(`${op}: ${v.length} values do not fill shape [${shape}], which needs ${size}`);
  const kind = Object.prototype.toString.call(values);
  if (kind === '[object Float32Array]') return values as Float32Array;
  if (Array.isArray(values) || kind === '[object Float64Array]') {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x !== 'number') throw new InvalidArgumentError(`${op}: values[${i}] is ${describe(x)}, not a number`);
      f32Value(op, `values[${i}]`, x);
    }
  }
  return Float32Array.from(v as ArrayLike<number>);
}

/**
 * A mutable float32 array with a shape, as TF.js's `tf.TensorBuffer`: fill it with
 * {@link TensorBuffer.set} (or by writing `values` directly), read it with
 * {@link TensorBuffer.get}, then make a tensor of it with {@link TensorBuffer.toTensor}. It lives
 * in JavaScript memory (nothing to dispose). Made by {@link buffer}, `t.bufferSync()` or
 * `await t.buffer()`.
 *
 * `R` is the rank when the type checker knows it, as TF.js's `TensorBuffer<R>`:
 * `buffer<Rank.R2>([2, 3]).toTensor()` is a `Tensor2D`, and so is `x2d.bufferSync().toTensor()`.
 * `D` is the dtype, always `'float32'` (for TF.js's `TensorBuffer<R, 'float32'>`).
 *
 * Differences from TF.js 4.22: every location is checked — one integer per axis (none for a
 * scalar), each in `[0, shape[i])` — and a bad one is an {@link InvalidArgumentError} naming it
 * and the shape (TF.js's `set` and `locToIndex` write or index anywhere, and its `get` checks
 * only the indices given, reading a flat index when given fewer: `get(1)` of a `[2, 3]` buffer
 * is `values[1]`); `set(v)` works on a scalar buffer (TF.js's throws) and `v` must be a number.
 * `values` is always a Float32Array (TF.js keeps the array it is given, of any type).
 *
 * @example
 * const b = new TensorBuffer([2, 2]);
 * b.set(3, 0, 1);
 * b.toTensor().print();   // [[0, 3], [0, 0]]
 */
export class TensorBuffer<R extends Rank = Rank, D extends 'float32' = 'float32'> {
  /** The dimensions, outermost first. */
  readonly shape: number[];
  /** The number of values. */
  readonly size: number;
  /** TF.js's strides: how far apart (in values) consecutive entries of each axis but the last are. */
  readonly strides: number[];
  /** The values, row-major; writing them changes the buffer. */
  readonly values: Float32Array;
  /** The element type: always `'float32'`. */
  readonly dtype: D = 'float32' as D;

  /**
   * A buffer of `shape` holding `values` (a Float32Array of `size` values is used as is, not
   * copied; zeros when omitted). `dtype` must be `'float32'` (or omitted).
   *
   * @throws {@link InvalidArgumentError} for a bad shape, a dtype other than `'float32'`, or
   *   values that are not numbers; {@link ShapeError} when `values` has the wrong length.
   */
  constructor(shape: readonly number[], dtype?: D, values?: Float32Array | ArrayLike<number>) {
    const op = 'TensorBuffer';
    this.shape = checkShape(op, shape);
    dtypeArg(op, dtype === null ? undefined : dtype);
    this.size = this.shape.reduce((a, b) => a * b, 1);
    this.values = initialValues(op, values, this.size, this.shape);
    this.strides = stridesOf(this.shape);
  }

  /** The number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /**
   * Writes `value` at the location `locs` (one index per axis, none for a scalar).
   * @example b.set(5, 1, 0)   // b[1][0] = 5
   * @throws {@link InvalidArgumentError} when `value` is not a number, is a finite number beyond
   *   float32's range, or the location is bad.
   */
  set(value: number, ...locs: number[]): void {
    if (typeof value !== 'number') throw new InvalidArgumentError(`TensorBuffer.set: value must be a number, got ${describe(value)}`);
    f32Value('TensorBuffer.set', 'value', value);
    this.values[this.indexOf('TensorBuffer.set', locs)] = value;
  }

  /**
   * The value at the location `locs` (one index per axis, none for a scalar).
   * @example b.get(1, 0)
   * @throws {@link InvalidArgumentError} when the location is bad.
   */
  get(...locs: number[]): number {
    return this.values[this.indexOf('TensorBuffer.get', locs)];
  }

  /**
   * The flat (row-major) index of the location `locs`.
   * @example new TensorBuffer([2, 3]).locToIndex([1, 2])   // 5
   * @throws {@link InvalidArgumentError} when the location is bad.
   */
  locToIndex(locs: number[]): number {
    if (!Array.isArray(locs)) throw new InvalidArgumentError(`TensorBuffer.locToIndex: locs must be an array of indices, got ${describe(locs)}`);
    return this.indexOf('TensorBuffer.locToIndex', locs);
  }

  /**
   * The location of the flat (row-major) index `index`.
   * @example new TensorBuffer([2, 3]).indexToLoc(5)   // [1, 2]
   * @throws {@link InvalidArgumentError} unless `index` is an integer in `[0, size)`.
   */
  indexToLoc(index: number): number[] {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new InvalidArgumentError(`TensorBuffer.indexToLoc: index must be an integer in [0, ${this.size}) for shape [${this.shape}], got ${describe(index)}`);
    }
    const r = this.rank;
    if (r === 0) return [];
    if (r === 1) return [index];
    const locs = new Array<number>(r);
    let rest = index;
    for (let i = 0; i < r - 1; i++) {
      locs[i] = Math.floor(rest / this.strides[i]);
      rest -= locs[i] * this.strides[i];
    }
    locs[r - 1] = rest;
    return locs;
  }

  /**
   * A new tensor holding a copy of the values (later writes to the buffer do not change it).
   * @example const t = b.toTensor();
   */
  toTensor(): Tensor<R> {
    return fromFlat('TensorBuffer.toTensor', this.values, this.shape);
  }

  /** Checks `locs` (one integer per axis, each in range) and returns its flat index. */
  private indexOf(op: string, locs: readonly unknown[]): number {
    const r = this.shape.length;
    if (locs.length !== r) {
      throw new InvalidArgumentError(`${op}: location ${show(locs)} has ${locs.length} ${locs.length === 1 ? 'index' : 'indices'}, but the buffer has rank ${r} (shape [${this.shape}]): give one per axis${r === 0 ? ' (none for a scalar)' : ''}`);
    }
    let index = 0;
    for (let i = 0; i < r; i++) {
      const l = locs[i];
      if (typeof l !== 'number' || !Number.isInteger(l) || l < 0 || l >= this.shape[i]) {
        const inRange = typeof l === 'number' && Number.isInteger(l);
        const why = inRange ? `is out of bounds for shape [${this.shape}]: index ${i} (${l}) is not in [0, ${this.shape[i]})` : `is invalid for shape [${this.shape}]: index ${i} is ${describe(l)}, not an integer`;
        throw new InvalidArgumentError(`${op}: location ${show(locs)} ${why}`);
      }
      index += i < r - 1 ? this.strides[i] * l : l;
    }
    return index;
  }
}

/**
 * A {@link TensorBuffer} of `shape` to fill with `set` (or by writing its `values`), then turn
 * into a tensor with `toTensor()`, as TF.js `tf.buffer`. `values` (a Float32Array of the
 * buffer's size, used as is; other number arrays are copied) gives the initial values, zeros
 * by default. `dtype` is accepted for TF.js code and must be `'float32'`: float32 is the only
 * dtype neurite has (TF.js's `'int32'` and `'bool'` buffers are an error here, as for `zeros`).
 *
 * @example
 * const b = buffer([2, 2]);
 * b.set(3, 0, 0);
 * b.set(5, 1, 0);
 * b.toTensor().print();   // [[3, 0], [5, 0]]
 * @throws {@link InvalidArgumentError} for a bad shape, a dtype other than `'float32'`, or
 *   values that are not numbers; {@link ShapeError} when `values` does not have the buffer's size.
 */
export function buffer<R extends Rank = Rank, D extends 'float32' = 'float32'>(shape: readonly number[], dtype?: D, values?: Float32Array | ArrayLike<number>): TensorBuffer<R, D> {
  try {
    return new TensorBuffer<R, D>(shape, dtype, values);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('TensorBuffer: ')) err.message = `buffer: ${err.message.slice(14)}`;
    throw err;
  }
}
