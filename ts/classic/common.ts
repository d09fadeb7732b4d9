/**
 * Internal helpers shared by the classic networks and PCA: argument checks, temporaries, and
 * the handle of an object that WebAssembly owns.
 */
import { assertLive, call, check, instanceId } from '../engine.js';
import { DisposedError, InvalidArgumentError } from '../errors.js';
import { checkArgs } from '../options.js';
import { describe, makeTensor, type TensorValues } from '../ops/convert.js';
import { track, untrack, type Disposable, type Tracked } from '../scope.js';
import { Tensor } from '../tensor.js';
import type { RawExports } from '../wasm/exports.js';

/** @internal A seed as the `(lo, hi)` u32 words the ABI takes. */
export function seedWords(op: string, seed: unknown): [number, number] {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) {
    throw new InvalidArgumentError(`${op}: seed must be an integer between 0 and 2^53 - 1, got ${describe(seed)}`);
  }
  return [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
}

/** @internal An integer option in `[min, max]`. */
export function intOption(op: string, name: string, v: unknown, min: number, max = 2 ** 31 - 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`${op}: ${name} must be an integer in [${min}, ${max}], got ${describe(v)}`);
  }
  return v;
}

/** @internal A finite number option satisfying `ok`. */
export function numberOption(op: string, name: string, v: unknown, ok: (x: number) => boolean, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new InvalidArgumentError(`${op}: ${name} must be ${what}, got ${describe(v)}`);
  // The core computes in float32: a number beyond its range would arrive as ±Infinity.
  if (!Number.isFinite(Math.fround(v))) throw new InvalidArgumentError(`${op}: ${name} is ${describe(v)}, beyond float32's range (|x| <= 3.4028234663852886e38, what neurite computes in)`);
  return v;
}

/** @internal A boolean option. */
export function boolOption(op: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new InvalidArgumentError(`${op}: ${name} must be a boolean, got ${describe(v)}`);
  return v;
}

/**
 * @internal The values of a list option given as numbers (any array-like) or as a `Tensor` of
 * one of `ranks` (read once, a copy: changing or disposing the tensor later does not reach
 * the option), and the tensor's shape (`null` for an array); `null` when `v` is neither, for
 * the caller's own error. The values are not checked.
 */
export function listOption(op: string, name: string, v: unknown, ranks: readonly number[]): { values: unknown[]; shape: number[] | null } | null {
  if (v instanceof Tensor) {
    if (!ranks.includes(v.rank)) {
      const want = ranks.map((r) => `${r}-D`).join(' or ');
      throw new InvalidArgumentError(`${op}: ${name} must be a ${want} tensor or an array of numbers, got a tensor of shape [${v.shape.join(',')}]`);
    }
    return { values: Array.from(v.dataSync()), shape: [...v.shape] };
  }
  if (v === null || typeof v !== 'object' || typeof (v as ArrayLike<unknown>).length !== 'number') return null;
  return { values: Array.from(v as ArrayLike<unknown>), shape: null };
}

/** @internal Rejects an options value that is not a plain object, and unknown keys (`checkArgs`). */
export const checkKeys = checkArgs;

/**
 * @internal A tensor argument given as a `Tensor` (used as is) or as numbers (copied into a
 * temporary tensor the caller disposes).
 */
export function tensorArg(op: string, arg: string, x: unknown): { t: Tensor; temp: boolean } {
  if (x instanceof Tensor) return { t: x, temp: false };
  if (typeof x === 'object' && x !== null && typeof (x as ArrayLike<unknown>).length === 'number') {
    try {
      return { t: makeTensor(op, x as TensorValues), temp: true };
    } catch (err) {
      // The converter names its argument `values` ("values are ragged: values[1] is …"): say
      // `x is ragged: x[1] is …`.
      if (err instanceof Error && err.message.startsWith(`${op}: values`)) {
        err.message = `${op}: ${arg}` + err.message.slice(`${op}: values`.length).replace(/^ are /, ' is ').replaceAll('values[', `${arg}[`);
      }
      throw err;
    }
  }
  throw new InvalidArgumentError(`${op}: ${arg} must be a Tensor or an array of numbers, got ${describe(x)}`);
}

/**
 * @internal The handle of an object that WebAssembly owns (a perceptron, a PCA) and the
 * instance it was made in. Registers the object with the finalizer (unscoped, like a model),
 * checks that it is still usable, and frees it once.
 */
export class OwnedHandle {
  #handle: number;
  readonly #owner: number;
  readonly #obj: Disposable;
  readonly #tracked: Tracked;
  readonly #what: string;
  readonly #free: (e: RawExports, h: number) => number;

  /** `what` names the object in messages ("the PCA"); `free` is its `nr_*_free` export. */
  constructor(obj: Disposable, handle: number, kind: string, what: string, free: (e: RawExports, h: number) => number) {
    this.#handle = handle;
    this.#owner = instanceId();
    this.#obj = obj;
    this.#what = what;
    this.#free = free;
    this.#tracked = track(obj, handle, kind, false);
  }

  /** The handle; a `DisposedError` naming `op` if the object was disposed or its instance reset. */
  live(op: string): number {
    if (this.#handle === 0) throw new DisposedError(`${op}: ${this.#what} is disposed`);
    assertLive(this.#owner, `${op}: ${this.#what}`);
    return this.#handle;
  }

  /** Whether {@link dispose} was called. */
  get isDisposed(): boolean {
    return this.#handle === 0;
  }

  /** Untracks the object and frees it in WebAssembly unless its instance was reset. Idempotent. */
  dispose(): void {
    if (this.#handle === 0) return;
    const h = this.#handle;
    this.#handle = 0;
    untrack(this.#obj, this.#tracked);
    if (this.#owner === instanceId()) call((e) => check(this.#free(e, h)));
  }
}
