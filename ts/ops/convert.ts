/**
 * Turning user values into tensors: shape inference from nested arrays, validation of values
 * and dimensions, and the one function that copies floats into WebAssembly memory.
 */
import { call, check, outPtr, readOut, writeArgs } from '../engine.js';
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor.js';

/** Nested arrays of numbers, any depth. */
export type NestedNumbers = number | boolean | readonly NestedNumbers[];
/** Values a tensor can be made from. */
export type TensorValues = NestedNumbers | ArrayLike<number> | Float32Array | Float64Array | Int32Array | Uint8Array;
/** Anything an op accepts where a tensor is expected: a tensor, or a number used as a scalar. */
export type TensorLike = Tensor | number;

/** Validates a shape: every dimension a non-negative integer. Returns a copy. */
export function checkShape(op: string, shape: unknown, arg = 'shape'): number[] {
  if (!Array.isArray(shape)) throw new InvalidArgumentError(`${op}: ${arg} must be an array of dimensions, got ${describe(shape)}`);
  return shape.map((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new InvalidArgumentError(`${op}: ${arg}[${i}] must be a non-negative integer, got ${describe(d)} (${arg} ${JSON.stringify(shape)})`);
    }
    if (d > 0xffffffff) throw new InvalidArgumentError(`${op}: ${arg}[${i}] = ${d} is too large`);
    return d;
  });
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + '…' : v)}`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return `${typeof v} ${String(v)}`;
}

/** Flattens nested arrays, inferring the shape and rejecting ragged arrays and non-numbers. */
export function flatten(op: string, values: TensorValues): { flat: ArrayLike<number>; shape: number[] } {
  if (typeof values === 'number' || typeof values === 'boolean') return { flat: [Number(values)], shape: [] };
  if (ArrayBuffer.isView(values)) {
    const v = values as unknown as ArrayLike<number> & { constructor: { name: string } };
    if (typeof (v as unknown as BigInt64Array)[0] === 'bigint') throw new InvalidArgumentError(`${op}: values must be numbers, got a ${v.constructor.name}`);
    return { flat: v, shape: [v.length] };
  }
  if (!Array.isArray(values)) throw new InvalidArgumentError(`${op}: values must be a number, an array or a typed array, got ${describe(values)}`);
  const shape: number[] = [];
  let probe: unknown = values;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat: number[] = [];
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v === 'number') flat.push(v);
      else if (typeof v === 'boolean') flat.push(v ? 1 : 0);
      else throw new InvalidArgumentError(`${op}: values${path} is ${describe(v)}, not a number`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new ShapeError(`${op}: values are ragged: values${path} is ${Array.isArray(v) ? `an array of length ${v.length}` : describe(v)}, expected an array of length ${shape[depth]} (inferred shape [${shape}])`);
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${path}[${i}]`);
  };
  walk(values, 0, '');
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
export function makeTensor(op: string, values: TensorValues, shape?: readonly number[]): Tensor {
  const { flat, shape: inferred } = flatten(op, values);
  if (shape === undefined) return fromFlat(op, flat, inferred);
  const s = checkShape(op, shape);
  const need = s.reduce((a, b) => a * b, 1);
  if (flat.length !== need) {
    throw new ShapeError(`${op}: ${flat.length} values do not fill shape [${s}], which needs ${need}`);
  }
  if (inferred.length > 1 && inferred.join() !== s.join()) {
    throw new ShapeError(`${op}: values have shape [${inferred}] but shape [${s}] was given`);
  }
  return fromFlat(op, flat, s);
}

/**
 * Resolves a {@link TensorLike} argument: a tensor is used as is, a number becomes a temporary
 * scalar. Returns the handle and a cleanup for the temporary.
 */
export function resolve(op: string, arg: string, x: unknown): { handle: number; temp: Tensor | null } {
  if (x instanceof Tensor) return { handle: x.handleFor(op, arg), temp: null };
  if (typeof x === 'number') {
    const t = fromFlat(op, [x], []);
    return { handle: t.handleFor(op, arg), temp: t };
  }
  throw new InvalidArgumentError(`${op}: ${arg} must be a Tensor or a number, got ${describe(x)}`);
}

/** Requires a Tensor argument. */
export function need(op: string, arg: string, x: unknown): number {
  if (x instanceof Tensor) return x.handleFor(op, arg);
  throw new InvalidArgumentError(`${op}: ${arg} must be a Tensor, got ${describe(x)}`);
}

/** Normalises an axis argument (`undefined` = all axes) to a list of integers. */
export function axesOf(op: string, x: Tensor, axis: number | readonly number[] | undefined | null): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: x.rank }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  if (!Array.isArray(list)) throw new InvalidArgumentError(`${op}: axis must be a number or an array of numbers, got ${describe(axis)}`);
  for (const a of list) {
    if (typeof a !== 'number' || !Number.isInteger(a)) throw new InvalidArgumentError(`${op}: axis must be an integer, got ${describe(a)}`);
  }
  return list.slice();
}
