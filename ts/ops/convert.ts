/**
 * Turning user values into tensors: shape inference from nested arrays, validation of values
 * and dimensions, and the one function that copies floats into WebAssembly memory.
 */
import { call, check, MAX_ELEMENTS, outPtr, readOut, writeArgs } from '../engine.js';
import { InvalidArgumentError, NeuriteError, OutOfMemoryError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { otherCopy } from '../brand.js';
import { SymbolicTensor } from '../models/symbolic.js';

/** A typed array of numbers (a row of nested values may be one, as in TF.js). */
export type NumberArray = Float32Array | Float64Array | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array;
/** Nested arrays of numbers, any depth; the innermost rows may be typed arrays (`[Float32Array, …]`). */
export type NestedNumbers = number | boolean | NumberArray | readonly NestedNumbers[];
/** Values a tensor can be made from. */
export type TensorValues = NestedNumbers | ArrayLike<number> | Float32Array | Float64Array | Int32Array | Uint8Array;
/**
 * What the element-wise ops (`add`, `mul`, `where`, the comparisons, …) accept where a tensor
 * is expected, as TF.js's `TensorLike`: a tensor, a number (a scalar), or nested arrays or a
 * typed array of numbers (a temporary tensor, freed after the op).
 */
export type TensorLike = Tensor | number | NumberArray | readonly NestedNumbers[];

export { MAX_ELEMENTS };

/**
 * @internal 2^24: every integer up to it is a float32, so an index, position or count stored in
 * a float32 tensor (neurite's only dtype) is exact up to it and no further.
 */
export const EXACT_INT = 2 ** 24;

/**
 * @internal Throws an {@link InvalidArgumentError} when the integer `v` (an index, position or
 * count; `what` in the message, `context` after the value) is past 2^24 in magnitude, where
 * float32 no longer holds every integer: one message for every op that turns integers into
 * float32 values or returns them as float32 (`gather: indices[0] is 16777217, past 2^24: …`).
 * NaN and ±Infinity pass (the callers' own checks name them).
 */
export function exactInt(op: string, what: string, v: number, context = ''): void {
  if ((v > EXACT_INT || v < -EXACT_INT) && v !== Infinity && v !== -Infinity) {
    const stored = Math.fround(v);
    const note = stored !== v ? ` (${v} would be stored as ${f32String(stored)})` : '';
    throw new InvalidArgumentError(`${op}: ${what} is ${v}${context ? ` (${context})` : ''}, past 2^24: float32, neurite's only dtype, holds integers exactly only up to 2^24 = ${EXACT_INT}${note}`);
  }
}

/**
 * @internal {@link exactInt} on every value of an index argument (`arg`) before it becomes
 * float32: a number, nested arrays or a typed array (`[16777217]` is refused, not read as
 * 16777216), read as {@link flatten} reads them (values it refuses are left to the conversion
 * to report). A Tensor holds float32 values already and is skipped, unless `tensor` is set: then
 * its values are read and checked, which callers do only where a value past 2^24 could be in
 * range. Errors name the position: `indices[1,0]`.
 */
export function exactInts(op: string, arg: string, values: unknown, tensor = false): void {
  let flat: ArrayLike<number>;
  let shape: readonly number[];
  if (values instanceof Tensor) {
    if (!tensor) return;
    flat = values.size > 0 ? values.data() : new Float32Array(0);
    shape = values.shape;
  } else if (values instanceof Int32Array || values instanceof Uint32Array) {
    // Read as they are: flatten refuses their values past 2^24 only where float32 would round
    // them, and in tensor creation's words; an index argument's message is this one's.
    flat = values;
    shape = [values.length];
  } else {
    try {
      ({ flat, shape } = flatten(op, values as TensorValues));
    } catch {
      return;
    }
  }
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (v > EXACT_INT || v < -EXACT_INT) exactInt(op, `${arg}${position(i, shape)}`, v);
  }
}

/** @internal `[i,j,…]`: the position of the flat index `p` in a tensor of `shape` (row-major; `` for a scalar). */
export function position(p: number, shape: readonly number[]): string {
  if (shape.length === 0) return '';
  const at = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    at[d] = shape[d] > 0 ? p % shape[d] : 0;
    p = shape[d] > 0 ? Math.floor(p / shape[d]) : 0;
  }
  return `[${at}]`;
}

/** @internal Throws an {@link OutOfMemoryError} naming `op` when `n` elements exceed {@link MAX_ELEMENTS}. */
export function checkSize(op: string, what: string, n: number): number {
  if (!(n <= MAX_ELEMENTS)) {
    throw new OutOfMemoryError(`${op}: out of memory allocating ${Number.isSafeInteger(n * 4) ? n * 4 : 'more than 2^53'} bytes: ${what} has ${Number.isSafeInteger(n) ? n : 'more than 2^53'} elements, more than the ${MAX_ELEMENTS} (2^29 - 1) one tensor can hold`);
  }
  return n;
}

/** Validates a shape: every dimension a non-negative integer, the element count within {@link MAX_ELEMENTS}. Returns a copy. */
export function checkShape(op: string, shape: unknown, arg = 'shape'): number[] {
  const dims = shapeDims(op, shape, arg);
  checkSize(op, `${arg} [${dims}]`, dims.reduce((a, b) => a * b, 1));
  return dims;
}

/**
 * @internal {@link checkShape} without the size check, for a shape that values must fill
 * (`tensor(values, shape)`): 4 values for shape [65536, 65536] are a mismatch to report, not
 * an allocation to refuse.
 */
export function shapeDims(op: string, shape: unknown, arg = 'shape'): number[] {
  if (!Array.isArray(shape)) throw new InvalidArgumentError(`${op}: ${arg} must be an array of dimensions, got ${describe(shape)}`);
  if (shape.length > 32) throw new InvalidArgumentError(`${op}: ${arg} has rank ${shape.length}, which exceeds the maximum rank 32`);
  // Array.from, not map: a hole ([2, , 3]) is read as undefined and refused (map skips it).
  const dims = Array.from(shape as unknown[], (d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new InvalidArgumentError(`${op}: ${arg}[${i}] must be a non-negative integer, got ${describe(d)} (${arg} ${show(shape)})`);
    }
    if (d > 0xffffffff) throw new InvalidArgumentError(`${op}: ${arg}[${i}] = ${d} is too large`);
    return d;
  });
  return dims;
}

/**
 * @internal A boolean argument. `undefined` gives `def`; anything but `true`/`false` throws
 * (so an options object or `1` in a boolean position is never read as `true`).
 */
export function boolArg(op: string, arg: string, v: unknown, def = false): boolean {
  if (v === undefined) return def;
  if (typeof v !== 'boolean') throw new InvalidArgumentError(`${op}: ${arg} must be true or false, got ${describe(v)}`);
  return v;
}

/**
 * Refuses arguments past the `params` an op takes. Ops whose NumPy namesakes take more
 * positional arguments (`var(x, axis, dtype, out, ddof)`, `linspace(…, endpoint)`, `sum(x, axis,
 * dtype)`) check this, so that such a habit is an error instead of silently dropped; `hint` says
 * what to write instead.
 */
export function extraArgs(op: string, given: number, params: readonly string[], hint?: string): void {
  if (given > params.length) throw new InvalidArgumentError(`${op}: takes ${params.length} argument${params.length === 1 ? '' : 's'} (${params.join(', ')}), got ${given}${hint ? `; ${hint}` : ''}`);
}

/**
 * @internal The one checked conversion for integers that cross the ABI: an integer that fits
 * an i32 (`[min, max]` if given). Nothing outside it is ever written (no `>>> 0` wrap-around).
 */
export function intArg(op: string, arg: string, v: unknown, min = -0x80000000, max = 0x7fffffff): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    // The default bounds are said too when the value is an integer beyond them (2^32 was
    // "must be an integer").
    const beyond = typeof v === 'number' && Number.isInteger(v);
    const range = min === -0x80000000 && max === 0x7fffffff && !beyond ? '' : ` in [${min}, ${max}]`;
    throw new InvalidArgumentError(`${op}: ${arg} must be an integer${range}, got ${describe(v)}`);
  }
  return v;
}

/**
 * @internal `[rows, columns]` from a number or a pair, each an integer in 1..65536 (TF.js's
 * `kernelSize`, `strides`, `poolSize`, `dilations`, …); `def` when `v` is undefined.
 */
export function pair(op: string, arg: string, v: unknown, def?: [number, number]): [number, number] {
  if (v === undefined && def) return def;
  if (typeof v === 'number') {
    const n = intArg(op, arg, v, 1, 65536);
    return [n, n];
  }
  if (Array.isArray(v) && v.length === 2) return [intArg(op, `${arg}[0]`, v[0], 1, 65536), intArg(op, `${arg}[1]`, v[1], 1, 65536)];
  throw new InvalidArgumentError(`${op}: ${arg} must be a positive integer or a pair [rows, columns] of them, got ${show(v)}`);
}

/**
 * @internal `[before, after]` pairs of non-negative integers (pad's and mirrorPad's `paddings`,
 * spaceToBatchND's `paddings` and batchToSpaceND's `crops`); `count` says how many there must
 * be (`one per axis`), for the message.
 */
export function pairList(op: string, arg: string, v: unknown, count: string): Array<[number, number]> {
  if (!Array.isArray(v)) throw new InvalidArgumentError(`${op}: ${arg} must be an array of [before, after] pairs, ${count}, got ${describe(v)}`);
  return Array.from(v as unknown[], (p: unknown, i): [number, number] => {
    if (!Array.isArray(p) || p.length !== 2) throw new InvalidArgumentError(`${op}: ${arg}[${i}] must be a pair [before, after], got ${describe(p)}`);
    return [intArg(op, `${arg}[${i}][0]`, p[0], 0), intArg(op, `${arg}[${i}][1]`, p[1], 0)];
  });
}

/** @internal A number or an array of numbers as an integer list (named `arg[i]` in errors). */
export function intList(op: string, arg: string, v: unknown): number[] {
  if (typeof v === 'number') return [intArg(op, arg, v)];
  if (!Array.isArray(v)) throw new InvalidArgumentError(`${op}: ${arg} must be a number or an array of integers, got ${describe(v)}`);
  // Array.from, not map: a hole ([1, , 2]) is read as undefined and refused (map skips it).
  return Array.from(v as unknown[], (x, i) => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < -0x80000000 || x > 0x7fffffff) {
      const range = typeof x === 'number' && Number.isInteger(x) ? ' in [-2147483648, 2147483647]' : '';
      throw new InvalidArgumentError(`${op}: ${arg}[${i}] must be an integer${range}, got ${describe(x)} (${arg} ${show(v)})`);
    }
    return x;
  });
}

/**
 * @internal A number argument (`typeof` number, so `'1'`, `null` or an object never pass).
 * `finite` also rejects NaN and ±Infinity.
 */
export function numberArg(op: string, arg: string, v: unknown, finite = false): number {
  if (typeof v !== 'number' || (finite && !Number.isFinite(v))) {
    throw new InvalidArgumentError(`${op}: ${arg} must be a ${finite ? 'finite ' : ''}number, got ${describe(v)}`);
  }
  return v;
}

/**
 * @internal An axis of a tensor with shape `shape`: an integer in `[-rank, rank)` (negative
 * counts from the end), checked here with the message the core gives.
 */
export function axisArg(op: string, arg: string, v: unknown, shape: readonly number[]): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new InvalidArgumentError(`${op}: ${arg} must be an integer, got ${describe(v)}`);
  const r = shape.length;
  if (v < -r || v >= r) throw new InvalidArgumentError(`${op}: ${arg} ${v} is out of range for a tensor of rank ${r} (shape [${shape}])`);
  return v;
}

/** @internal Why a dtype other than float32 is refused, in every such message (`dtypeArg`, `toInt`, `toBool`). */
export const ONLY_FLOAT32 = 'float32 is the only dtype neurite supports today; ints and booleans are stored as float32 values';

/**
 * @internal The `dtype` argument TF.js code passes to creation functions: only `'float32'`
 * (the one element type) or `undefined` is accepted, so `zeros(s, 'int32')` is an error, not
 * a silently different tensor.
 */
export function dtypeArg(op: string, v: unknown): void {
  if (v !== undefined && v !== 'float32') {
    // TF.js's randomUniform(shape, 0, 10, 'int32') draws whole numbers: neurite's own op for that.
    // TF.js code passes 'int32' for indices (oneHot, gather need them there): here a float32
    // tensor of whole numbers is what those take, so the fix is to leave the dtype out.
    const hint = op === 'randomUniform' && v === 'int32' ? '; for random whole numbers use randomUniformInt(shape, minval, maxval, { seed })' : (v === 'int32' || v === 'bool') && /^(?:tensor[1-6]?d?|scalar)$/.test(op) ? `; leave the dtype out: indices and labels are float32 tensors of whole numbers here (oneHot, gather and the sparse losses take them so)` : '';
    throw new InvalidArgumentError(`${op}: dtype must be 'float32' (${ONLY_FLOAT32}), got ${describe(v)}${hint}`);
  }
}

/**
 * @internal A float32 value (read from a tensor) as the shortest decimal that reads back as
 * the same float32, for messages: `254.99` rather than the double `254.99000549316406`.
 */
export function f32String(v: number): string {
  if (!Number.isFinite(v) || Object.is(v, -0)) return Object.is(v, -0) ? '-0' : String(v);
  for (let p = 1; p < 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(v);
}

/**
 * @internal A value written out for an error message, JSON-like (`[1,-2]`, `{"units":3}`),
 * but safe for anything a caller may pass: BigInts (`5n`), symbols, functions, NaN and ±Infinity,
 * `undefined`, cyclic and deeply nested structures, long arrays (cut after 16 items), and
 * objects whose getters throw. Never throws.
 */
export function show(v: unknown): string {
  try {
    return showIn(v, 0, new Set());
  } catch {
    return describe(v);
  }
}

function showIn(v: unknown, depth: number, seen: Set<object>): string {
  switch (typeof v) {
    case 'string': return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
    case 'number': return Object.is(v, -0) ? '-0' : String(v);
    case 'bigint': return `${v}n`;
    case 'symbol': return v.toString();
    case 'function': return 'a function';
    case 'boolean': return String(v);
    case 'undefined': return 'undefined';
  }
  if (v === null) return 'null';
  const o = v as object;
  if (seen.has(o)) return '[circular]';
  if (ArrayBuffer.isView(o)) return `${Object.prototype.toString.call(o).slice(8, -1)}(${(o as ArrayBufferView).byteLength} bytes)`;
  if (depth >= 4) return Array.isArray(o) ? '[…]' : '{…}';
  seen.add(o);
  try {
    if (Array.isArray(o)) {
      const items = o.slice(0, 16).map((x) => showIn(x, depth + 1, seen));
      return `[${items.join(',')}${o.length > 16 ? `,… ${o.length - 16} more` : ''}]`;
    }
    const keys = Object.keys(o);
    const items = keys.slice(0, 8).map((k) => `${JSON.stringify(k)}:${showIn((o as Record<string, unknown>)[k], depth + 1, seen)}`);
    const name = o.constructor?.name;
    const prefix = name && name !== 'Object' ? `${name} ` : '';
    return `${prefix}{${items.join(',')}${keys.length > 8 ? ',…' : ''}}`;
  } finally {
    seen.delete(o);
  }
}

/** What a tensor that went through `postMessage` or `structuredClone` is, and what to post instead. */
export const POSTED = '(a tensor posted to or from a worker, or structuredClone()d, arrives as a plain object: post t.dataSync() and t.shape instead, and make it again with tensor(data, shape))';

/**
 * @internal Whether `v` is what a tensor becomes through `postMessage` or `structuredClone`:
 * a plain object holding only its own `id` (and a variable's `name` and `trainable`; its private
 * fields are not cloned).
 */
export function postedTensor(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return false;
  // A variable's own name and trainable flag come along; a model weight (LayerVariable) has no
  // id and arrives as its name and dtype.
  const keys = Object.keys(v);
  const o = v as { id?: unknown; name?: unknown; dtype?: unknown };
  if (keys.length === 2 && typeof o.name === 'string' && o.dtype === 'float32') return true;
  return keys.includes('id') && keys.every((k) => k === 'id' || k === 'name' || k === 'trainable') && typeof o.id === 'number';
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + '…' : v)}`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `the bigint ${v}n`;
  if (typeof v === 'symbol') return `a symbol (${v.description ?? ''})`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'object') {
    if (v instanceof SymbolicTensor) return symbolicValue(v);
    const tf = tfjsTensor(v) ?? foreignTensor(v) ?? otherCopy(v) ?? layerVariable(v);
    if (tf) return tf;
    if (postedTensor(v)) return `an object (Object) ${POSTED}`;
    let name = 'Object';
    try { name = (v as object).constructor?.name ?? 'Object'; } catch { /* a throwing getter or a revoked proxy */ }
    // A Proxy of a typed array reads its target's constructor but is no typed array itself.
    if (/^(Big)?(Int|Uint|Float)(8|16|32|64)(Clamped)?Array$/.test(name) && !ArrayBuffer.isView(v)) return `an object (${name}) that is not a real ${name} (a Proxy of one?): pass the typed array itself`;
    return `an object (${name})`;
  }
  return `${typeof v} ${String(v)}`;
}

/**
 * A symbolic tensor where a tensor goes (Keras's habit of calling ops on a functional model's
 * values, `add(zMean, mul(exp(mul(zLogVar, 0.5)), eps))`): it has no values, and what to use.
 */
function symbolicValue(v: SymbolicTensor): string {
  return `a SymbolicTensor (${v.name}, shape [${v.shape.map((d) => (d === null ? 'null' : d)).join(',')}]), a value of a functional model being built, with no data: ops cannot run on symbolic tensors (TF.js refuses them too; Keras 3 would wrap the op in a layer). Build the graph from layers — for a VAE's sampling step layers.variational (it outputs z and adds the KL term), to combine branches the merge layers (layers.add, layers.subtract, layers.multiply, layers.average, layers.concatenate, …), a function of one value layers.activation or layers.rescaling — or run ops on model.apply(x) in a custom training loop (the README's Porting table, Keras's Lambda)`;
}

/**
 * A model's weight (`model.trainableWeights[i]`, a `LayerVariable`) where a tensor goes: TF.js's
 * LayerVariable is read with `.read()` too. Recognised by its class name and methods (an import
 * of the class would be a cycle). `undefined` otherwise.
 */
function layerVariable(v: object): string | undefined {
  try {
    const w = v as { name?: unknown; read?: unknown; write?: unknown; constructor?: { name?: unknown } };
    if (w.constructor?.name !== 'LayerVariable' || typeof w.read !== 'function' || typeof w.write !== 'function') return undefined;
    return `a LayerVariable (the model weight ${String(w.name)}), not a tensor: use its value with .read() (inside variableGrads/minimize the gradient still reaches the weight); for a gradient with respect to the weight use variableGrads(f, [weight]) (grad differentiates with respect to the tensors passed to f, and a model reads its own weights, not a copy)`;
  } catch {
    return undefined;
  }
}

/**
 * A TF.js tensor (it has TF.js's `dataId` and `rankType`), described with how to bring it
 * over: a ported program often passes one where a neurite tensor goes. `undefined` otherwise.
 */
function tfjsTensor(v: object): string | undefined {
  try {
    const t = v as { dataId?: unknown; rankType?: unknown; shape?: unknown; dtype?: unknown; dataSync?: unknown };
    if (t.dataId === undefined || t.rankType === undefined || !Array.isArray(t.shape) || typeof t.dataSync !== 'function') return undefined;
    return `a TF.js tensor (shape [${t.shape.join(',')}], dtype ${String(t.dtype)}), which lives in TF.js's memory, not neurite's: convert it with tensor(t.arraySync()) or tensor(t.dataSync(), t.shape)`;
  } catch {
    return undefined;
  }
}

/**
 * A neurite tensor made by another copy of the library (the `neurite` and `neurite/url`
 * entries are two copies, as are two installs): it has a Tensor's methods but is no instance of
 * this copy's Tensor, and its handle means nothing to this copy's WebAssembly instance.
 * Recognised by neurite's own `handleFor` (TF.js tensors have none). `undefined` otherwise.
 */
function foreignTensor(v: object): string | undefined {
  try {
    const t = v as { handleFor?: unknown; isDisposed?: unknown; shape?: unknown; dtype?: unknown };
    if (v instanceof Tensor || typeof t.handleFor !== 'function' || typeof t.isDisposed !== 'boolean' || !Array.isArray(t.shape) || typeof t.dtype !== 'string') return undefined;
    return "a Tensor from another copy of neurite (e.g. 'neurite' and 'neurite/url' both imported, or two installs): a tensor belongs to the copy that made it; import everything from one entry";
  } catch {
    return undefined;
  }
}

/**
 * The typed arrays a tensor can be made from: those whose elements are JS numbers. Matched by
 * their `toStringTag`, so arrays from another realm (a worker, an iframe, `vm`) work too.
 */
const NUMBER_ARRAYS: ReadonlySet<string> = new Set([
  'Float32Array', 'Float64Array', 'Float16Array', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
]);

/** The typed arrays (any but a `DataView`). */
export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array;

/**
 * @internal Whether `v` is a typed array of any element type (from any realm: the tag, not
 * `instanceof`), not a `DataView`. Values must still pass {@link isNumberArray}.
 */
export function isTypedArray(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && Object.prototype.toString.call(v) !== '[object DataView]';
}

/** @internal Whether `v` is a typed array of numbers (from any realm). */
export function isNumberArray(v: unknown): v is ArrayLike<number> {
  return ArrayBuffer.isView(v) && NUMBER_ARRAYS.has(Object.prototype.toString.call(v).slice(8, -1));
}

/**
 * @internal Throws an {@link InvalidArgumentError} when the typed array `v` (`arg` in the
 * message) is a view on a detached buffer: one transferred away (`postMessage(m, [buffer])`,
 * `structuredClone(v, { transfer })`), which reads as an empty array. `ArrayBuffer.prototype.detached`
 * where there is one; else (Node 20) a zero-length view is detached when a new view on its
 * buffer cannot be made. Only zero-length views are looked at, so the check costs nothing on data.
 */
export function attachedArg(op: string, arg: string, v: ArrayBufferView): void {
  if (v.byteLength !== 0) return;
  const b = v.buffer as ArrayBufferLike & { detached?: unknown };
  let detached: boolean;
  if (typeof b.detached === 'boolean') detached = b.detached;
  else {
    try {
      new Uint8Array(b);
      detached = false;
    } catch {
      detached = true;
    }
  }
  if (detached) {
    const kind = Object.prototype.toString.call(v).slice(8, -1);
    throw new InvalidArgumentError(`${op}: ${arg} is a ${kind} whose ArrayBuffer is detached (transferred, e.g. by postMessage(message, [buffer]) or structuredClone(value, { transfer })), so it holds no values any more; pass a copy (array.slice()) or use the array before transferring its buffer`);
  }
}

/**
 * The smallest magnitude that float32 rounds to ±Infinity: 2^128 − 2^103, halfway between the
 * largest float32 (3.4028234663852886e38) and 2^128.
 */
const F32_OVERFLOW = 2 ** 128 - 2 ** 103;

/**
 * @internal Throws an {@link InvalidArgumentError} when `v` (`what` in the message) is a finite
 * number that float32 cannot hold (it would be stored as ±Infinity, as TF.js stores it).
 * Infinity itself, NaN and the values float32 rounds to 0 pass.
 */
export function f32Value(op: string, what: string, v: number): void {
  if ((v >= F32_OVERFLOW || v <= -F32_OVERFLOW) && v !== Infinity && v !== -Infinity) {
    throw new InvalidArgumentError(`${op}: ${what} is ${v}, beyond float32's range (|x| <= 3.4028234663852886e38, what neurite stores): it would become ${v > 0 ? '' : '-'}Infinity; pass Infinity if that is what you mean`);
  }
}

/** The index of the first value of `v` that float32 would store as ±Infinity though it is finite, or −1. */
function beyondF32(v: Float64Array): number {
  // The largest magnitude first, four at a time (NaN is skipped: no comparison holds for it).
  let a = 0, b = 0, c = 0, d = 0;
  const n = v.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const w = Math.abs(v[i]), x = Math.abs(v[i + 1]), y = Math.abs(v[i + 2]), z = Math.abs(v[i + 3]);
    if (w > a) a = w;
    if (x > b) b = x;
    if (y > c) c = y;
    if (z > d) d = z;
  }
  for (; i < n; i++) if (Math.abs(v[i]) > a) a = Math.abs(v[i]);
  if (Math.max(a, b, c, d) < F32_OVERFLOW) return -1;
  return v.findIndex((x) => Math.abs(x) >= F32_OVERFLOW && Math.abs(x) !== Infinity);
}

/**
 * Refuses the first value of `v`, when it is an `Int32Array` or a `Uint32Array` (other arrays
 * pass), that float32 would round (past ±2^24, odd parts), naming it `at(i)`: rounded, an index
 * or a count would change in silence (TF.js keeps them exact in an int32 tensor).
 */
function exactIntegers(op: string, v: ArrayLike<number>, at: (i: number) => string): void {
  const kind = Object.prototype.toString.call(v).slice(8, -1);
  if (kind !== 'Int32Array' && kind !== 'Uint32Array') return;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if ((x > EXACT_INT || x < -EXACT_INT) && Math.fround(x) !== x) {
      throw new InvalidArgumentError(`${op}: ${at(i)} is ${x} (of ${kind === 'Int32Array' ? 'an' : 'a'} ${kind}), which float32, neurite's only dtype, cannot hold exactly: integers past 2^24 = ${EXACT_INT} round (this one to ${Math.fround(x)}); keep integers within ±2^24 (indices and counts), or pass Float32Array.from(values) to round them knowingly`);
    }
  }
}

/** Flattens nested arrays, inferring the shape and rejecting ragged arrays, non-numbers, detached typed arrays and finite numbers beyond float32's range. */
export function flatten(op: string, values: TensorValues): { flat: ArrayLike<number>; shape: number[] } {
  if (typeof values === 'number' || typeof values === 'boolean') {
    if (typeof values === 'number') f32Value(op, 'values', values);
    return { flat: [Number(values)], shape: [] };
  }
  if (ArrayBuffer.isView(values)) {
    // NOTE: a DataView or a BigInt64Array also passes `isView`; only number arrays are values.
    const kind = Object.prototype.toString.call(values).slice(8, -1);
    if (!NUMBER_ARRAYS.has(kind)) {
      throw new InvalidArgumentError(`${op}: values must be a number array or a typed array of numbers (Float32Array, Int32Array, Uint8Array, …), got ${describe(values)}`);
    }
    attachedArg(op, 'values', values);
    const v = values as unknown as ArrayLike<number>;
    checkSize(op, 'values', v.length);
    // Only float64 values can lie beyond float32's range (every integer array's fit).
    if (kind === 'Float64Array') {
      const i = beyondF32(values as Float64Array);
      if (i >= 0) f32Value(op, `values[${i}]`, v[i]);
    }
    exactIntegers(op, v, (i) => `values[${i}]`);
    return { flat: v, shape: [v.length] };
  }
  if (!Array.isArray(values)) {
    // A tensor that went through postMessage or structuredClone arrives as a plain object.
    // (Its private fields are not cloned: only its `id` is left, which describe() tells; an
    // empty object, or TF.js's with a shape, get the same hint.)
    const keys = values !== null && typeof values === 'object' && Object.getPrototypeOf(values) === Object.prototype ? Object.keys(values) : null;
    const cloned = keys !== null && !postedTensor(values) && (keys.length === 0 || keys.includes('shape'));
    const hint = cloned ? ` ${POSTED}` : '';
    throw new InvalidArgumentError(`${op}: values must be a number, an array or a typed array, got ${describe(values)}${hint}`);
  }
  const shape: number[] = [];
  let probe: unknown = values;
  while (Array.isArray(probe)) {
    // A self-containing array would nest forever; the core's maximum rank bounds the depth.
    if (shape.length === 32) throw new InvalidArgumentError(`${op}: values are nested more than 32 deep (the maximum rank is 32)`);
    shape.push(probe.length);
    probe = probe[0];
  }
  // Rows that are typed arrays (TF.js takes [Float32Array, …]): one more axis, the innermost.
  const typedRows = isNumberArray(probe) && shape.length < 32;
  if (typedRows) {
    attachedArg(op, `values${'[0]'.repeat(shape.length)}`, probe as unknown as ArrayBufferView);
    shape.push((probe as ArrayLike<number>).length);
  }
  const size = checkSize(op, `values of shape [${shape}]`, shape.reduce((a, b) => a * b, 1));
  // Filled in place (`push` onto an array took most of the time); float64, so that callers
  // such as `exactInts` see the values as given. A ragged array fills less and is refused.
  const flat = new Float64Array(size);
  let k = 0;
  // The indices of the array being read, one per axis: a message names a value's position from
  // them (`values[1][0]`), so no position string is built per value (which took 10× the time).
  const at: number[] = [];
  const path = (depth: number, i?: number): string => at.slice(0, depth).map((k) => `[${k}]`).join('') + (i === undefined ? '' : `[${i}]`);
  const leaf = (v: unknown, depth: number, i: number): void => {
    if (typeof v === 'number') {
      if (v >= F32_OVERFLOW || v <= -F32_OVERFLOW) f32Value(op, `values${path(depth, i)}`, v);
      flat[k++] = v;
    } else if (typeof v === 'boolean') flat[k++] = v ? 1 : 0;
    else throw new InvalidArgumentError(`${op}: values${path(depth, i)} is ${describe(v)}, not a number`);
  };
  const walk = (v: unknown, depth: number): void => {
    // Any innermost row may be a typed array, after plain rows too (TF.js takes every order).
    if (depth === shape.length - 1 && isNumberArray(v)) {
      attachedArg(op, `values${path(depth)}`, v as unknown as ArrayBufferView);
      if (v.length === shape[depth]) {
        exactIntegers(op, v, (i) => `values${path(depth, i)}`);
        for (let i = 0; i < v.length; i++) {
          const x = v[i];
          if (x >= F32_OVERFLOW || x <= -F32_OVERFLOW) f32Value(op, `values${path(depth, i)}`, x);
          flat[k++] = x;
        }
        return;
      }
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      const what = Array.isArray(v) || isNumberArray(v) ? `an array of length ${(v as ArrayLike<number>).length}` : describe(v);
      throw new ShapeError(`${op}: values are ragged: values${path(depth)} is ${what}, expected an array of length ${shape[depth]} (inferred shape [${shape}])`);
    }
    if (depth === shape.length - 1) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        // The common case inline: a finite float32-range number.
        if (typeof x === 'number' && x < F32_OVERFLOW && x > -F32_OVERFLOW) flat[k++] = x;
        else leaf(x, depth, i);
      }
      return;
    }
    for (let i = 0; i < v.length; i++) {
      at[depth] = i;
      walk(v[i], depth + 1);
    }
  };
  walk(values, 0);
  return { flat, shape };
}

/** Creates a tensor of `shape` holding `flat` (whose length the caller has checked). */
export function fromFlat(op: string, flat: ArrayLike<number>, shape: readonly number[]): Tensor {
  return call((e) => {
    try {
      check(e.nr_tensor_new(writeArgs(op, shape), shape.length, outPtr(0), outPtr(1)));
    } catch (err) {
      // The core names its constructor `tensor`; say which public function failed.
      if (err instanceof Error && op !== 'tensor') err.message = err.message.replace(/^tensor:/, `${op}:`);
      throw err;
    }
    const h = readOut(0);
    const ptr = readOut(1);
    const t = new Tensor(h, shape);
    if (flat.length > 0) new Float32Array(e.memory.buffer, ptr, flat.length).set(flat);
    return t;
  });
}

/** `tensor(values, shape?)`, the public constructor; see the docs in `creation.ts`. */
export function makeTensor(op: string, values: TensorValues, shape?: readonly number[] | null): Tensor {
  // The shape first: a bad shape is reported before any value is read. Its size is checked
  // against the values (which flatten bounds by MAX_ELEMENTS), so a shape too large for them is
  // a mismatch, not an allocation refused.
  const s = shape === undefined || shape === null ? null : shapeDims(op, shape);
  const { flat, shape: inferred } = flatten(op, values);
  if (s === null) return fromFlat(op, flat, inferred);
  const need = s.reduce((a, b) => a * b, 1);
  if (flat.length !== need) {
    throw new ShapeError(`${op}: ${flat.length} values do not fill shape [${s}], which needs ${Number.isSafeInteger(need) ? need : 'more than 2^53'}`);
  }
  // As TF.js: the nesting's axes must be the shape's, but the innermost may be flattened over
  // the shape's last axes (tensor([[1, 2], [3, 4]], [2, 2, 1]): windows as [n, W, 1]).
  if (inferred.length > 1 && inferred.slice(0, -1).some((d, i) => d !== s[i])) {
    throw new ShapeError(`${op}: values have shape [${inferred}] but shape [${s}] was given (only the innermost axis may spread over the shape's last axes, as TF.js)`);
  }
  return fromFlat(op, flat, s);
}

/**
 * Resolves a {@link TensorLike} argument: a tensor is used as is, a number becomes a temporary
 * scalar, nested arrays or a typed array a temporary tensor of their shape. Returns the handle
 * and the temporary (the caller frees it).
 */
export function resolve(op: string, arg: string, x: unknown): { handle: number; temp: Tensor | null } {
  if (x instanceof Tensor) return { handle: x.handleFor(op, arg), temp: null };
  let t: Tensor;
  if (typeof x === 'number') {
    f32Value(op, arg, x);
    t = fromFlat(op, [x], []);
  } else if (Array.isArray(x) || isTypedArray(x)) {
    try {
      t = makeTensor(op, x as TensorValues);
    } catch (err) {
      if (err instanceof NeuriteError && !err.message.startsWith(`${op}: ${arg}`)) err.message = err.message.replace(new RegExp(`^${op}: `), `${op}: ${arg}: `);
      throw err;
    }
  } else throw new InvalidArgumentError(`${op}: ${arg} must be a Tensor, a number or an array of numbers, got ${describe(x)}`);
  return { handle: t.handleFor(op, arg), temp: t };
}

/**
 * Runs `f` with {@link TensorLike} arguments as tensors, for the ops that read a tensor's shape
 * or call other ops: a tensor is passed as is (checked live), a number or nested arrays become a
 * temporary tensor that is disposed when `f` returns or throws. The keys of `args` name the
 * arguments in errors (`matMul: b must be a Tensor, a number or an array of numbers, got …`,
 * `concat: tensors[1]: values are ragged: …`).
 *
 * Under `grad` a temporary is a constant (it is no source, and no source flows into it), and
 * disposing it after the op is safe: the tape keeps the values of the inputs it recorded under
 * the tensor's id (the core's data is reference-counted), not under the freed handle.
 *
 * @example
 * return withTensors('dot', { a, b }, ({ a, b }) => dotOf(a, b));
 */
export function withTensors<A extends Record<string, unknown>, R>(op: string, args: A, f: (t: { [K in keyof A]: Tensor }) => R): R {
  // The usual case, every argument a tensor: checked live, with no temporaries to track.
  let tensors = true;
  for (const k in args) {
    const v = args[k];
    if (v instanceof Tensor) v.handleFor(op, k);
    else tensors = false;
  }
  if (tensors) return f(args as { [K in keyof A]: Tensor });
  const names = Object.keys(args);
  return scoped(op, names, names.map((k) => args[k]), (ts) => {
    const t = {} as Record<string, Tensor>;
    names.forEach((k, i) => (t[k] = ts[i]));
    return f(t as { [K in keyof A]: Tensor });
  });
}

/**
 * {@link withTensors} for a list of {@link TensorLike} values (`concat`, `stack`), named
 * `arg[i]` in errors.
 */
export function withTensorList<R>(op: string, arg: string, list: readonly unknown[], f: (ts: Tensor[]) => R): R {
  // Array.from, not map: a hole's name (`tensors[1]`) is there for its error.
  return scoped(op, Array.from(list, (_, i) => `${arg}[${i}]`), list, f);
}

function scoped<R>(op: string, names: readonly string[], values: readonly unknown[], f: (ts: Tensor[]) => R): R {
  const ts: Tensor[] = [];
  let temps: Tensor[] | null = null;
  let result: R | undefined;
  try {
    for (let i = 0; i < values.length; i++) {
      const r = resolve(op, names[i], values[i]);
      if (r.temp) (temps ??= []).push(r.temp);
      ts.push(r.temp ?? (values[i] as Tensor));
    }
    result = f(ts);
    return result;
  } finally {
    // A temporary the op returned as is would be the caller's now (no op here does that).
    if (temps) for (const t of temps) if ((t as unknown) !== result) t.dispose();
  }
}

/** Requires a Tensor argument. */
export function need(op: string, arg: string, x: unknown): number {
  if (x instanceof Tensor) return x.handleFor(op, arg);
  // A list holding a posted tensor ({ id }): the element is the mistake, not the list.
  const posted = Array.isArray(x) ? x.findIndex(postedTensor) : -1;
  if (posted >= 0) throw new InvalidArgumentError(`${op}: ${arg}[${posted}] must be a Tensor, got ${describe((x as unknown[])[posted])}`);
  const hint = Array.isArray(x) || ArrayBuffer.isView(x) ? `; make one from the values with tensor(${arg.replace(/\W.*/, '') || 'values'}) (nested arrays give the shape, e.g. tensor([[0, 1], [1, 0]]) is [2, 2]), and dispose it when done` : '';
  throw new InvalidArgumentError(`${op}: ${arg} must be a Tensor, got ${describe(x)}${hint}`);
}

/** Normalises an axis argument (`undefined` = all axes) to a list of integers. */
export function axesOf(op: string, x: Tensor, axis: number | readonly number[] | undefined | null): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: x.rank }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  if (!Array.isArray(list)) throw new InvalidArgumentError(`${op}: axis must be a number or an array of numbers, got ${describe(axis)}`);
  if (list.length > 32) throw new InvalidArgumentError(`${op}: axis lists ${list.length} axes; a tensor has at most 32`);
  // Array.from, not map: a hole ([1, , 2]) is read as undefined and refused (map skips it).
  return Array.from(list as unknown[], (a) => axisArg(op, 'axis', a, x.shape));
}

/** @internal The index of the first NaN or ±Infinity in `v`, or −1. */
export function firstNonFinite(v: Float32Array): number {
  // x·0 is ±0 for every finite x and NaN for NaN and ±Infinity, so one sum says whether there
  // is one to find: four sums, unrolled, run about twice as fast as a Number.isFinite per value
  // (`findIndex` with a callback, several times slower again, was a third of a loadModel with
  // optimizer state).
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 4 <= v.length; i += 4) {
    a += v[i] * 0;
    b += v[i + 1] * 0;
    c += v[i + 2] * 0;
    d += v[i + 3] * 0;
  }
  for (; i < v.length; i++) a += v[i] * 0;
  return a + b + c + d === 0 ? -1 : v.findIndex((x) => !Number.isFinite(x));
}
