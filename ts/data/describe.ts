/**
 * Looking at dataset elements without walking them: whether a value is a plain object (a
 * structure elements recurse into, as typed arrays: `isTypedArray` in ops/convert.ts) and a
 * short description of one for messages. The argument checks of the synchronous API (`data.array`, `zip`, the stages,
 * `fitDataset`'s options) use them, so they stay in the main bundle; the walkers that find,
 * clone and free an element's tensors are `tree.ts`, in the dataset chunk (see `lazy.ts`).
 */
import { Tensor } from '../tensor.js';
import { describe, isTypedArray } from '../ops/convert.js';

/** Whether `v` is a plain object (`{...}` or `Object.create(null)`), into which elements recurse. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** A short description of an element for messages: `a Tensor of shape [2,3]`, `an object with keys xs, ys`, … */
export function describeElement(v: unknown): string {
  if (v instanceof Tensor) return v.isDisposed ? 'a disposed Tensor' : `a Tensor of shape [${v.shape}]`;
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `an array of length ${v.length}${v.length > 0 && v.length <= 4 ? ` (${v.map(describeElement).join(', ')})` : ''}`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v);
    return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.join(', ')}`;
  }
  if (isTypedArray(v)) return `a ${v.constructor.name} of length ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `the ${typeof v} ${String(v)}`;
  if (typeof v === 'function') return 'a function';
  // Any other object: `an object (Name)`, or what a TF.js tensor or another copy's is.
  return describe(v);
}
