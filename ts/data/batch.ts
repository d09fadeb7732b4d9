/**
 * `Dataset.batch`'s column-major join (TF.js's `deepBatchConcat`): a list of elements of the
 * same structure becomes one element of that structure whose leaves are tensors with a new
 * first axis, the batch.
 *
 * - tensors are stacked (`stack(rows, 0)`): every row needs the same shape;
 * - numbers and booleans become a 1-D tensor (booleans as 0 and 1: neurite tensors are float32;
 *   a finite number beyond float32's range is an error, as in `tensor()`);
 * - arrays of numbers (nested, rectangular) and typed arrays are taken as tensors, so the batch
 *   has one more dimension (rows `[1, 2]` give `[n, 2]`, rows `[[1], [2]]` give `[n, 2, 1]`),
 *   as TF.js — a `[features, label]` pair of equal-length arrays included, which becomes one
 *   tensor (`fitDataset` says so when it gets one; `{ xs, ys }` objects keep them apart);
 * - plain objects are joined key by key, recursively;
 * - arrays that hold tensors or objects (`[xs, ys]` pairs, a `zip` of an array of datasets),
 *   and arrays of rows of different lengths (`[[a1, a2, a3], [b1, b2]]`, a zip of two datasets
 *   of rows), are joined position by position, recursively. TF.js makes a malformed tensor of
 *   such an array (its shape read from the first row only); neurite recurses, so `[xs, ys]`
 *   elements batch into `[xs, ys]` batches and a model with several inputs can take lists of
 *   rows. Equal-length rows stay one tensor, so TF.js programs batch the same — except the
 *   tuples of a `zip` of an array of datasets, which are always joined position by position
 *   (`zip([xs, ys])` with rows of 3 features and 3 labels gives `[Tensor [n, 3], Tensor [n, 3]]`,
 *   where TF.js stacks one `[n, 2, 3]` tensor): the structure never depends on the widths.
 */
import { DisposedError, InvalidArgumentError, NeuriteError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { stack } from '../ops/joining.js';
import { tensor } from '../ops/creation.js';
import { tidy } from '../scope.js';
import { describeElement, isPlainObject } from './describe.js';
import { f32Value, isTypedArray } from '../ops/convert.js';
import { zipTuples } from './tree.js';

/** Where a leaf sits in the element, for messages: `''` (the element), `xs`, `[1]`, `xs.a`. */
const at = (path: string): string => (path === '' ? '' : ` at ${path}`);
const join = (path: string, key: string | number): string => (typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`);

/** Whether an array holds (at any depth) something other than numbers, booleans and typed arrays. */
function holdsStructure(v: readonly unknown[], depth = 0): boolean {
  if (depth > 32) return true;
  return v.some((x) => x instanceof Tensor || isPlainObject(x) || (Array.isArray(x) && holdsStructure(x, depth + 1)));
}

/**
 * The shape of a nest of numbers (arrays of equal shapes down to numbers or typed arrays), or
 * null when it is ragged or holds something else (`[[x1, x2, x3], [y1, y2]]`, a zip of two
 * datasets of rows: no one tensor, so it is batched position by position).
 */
function nestShape(v: unknown, depth = 0): number[] | null {
  if (typeof v === 'number' || typeof v === 'boolean') return [];
  if (isTypedArray(v)) return [v.length];
  if (!Array.isArray(v) || depth > 32) return null;
  if (v.length === 0) return [0];
  const s0 = nestShape(v[0], depth + 1);
  if (s0 === null) return null;
  for (let i = 1; i < v.length; i++) {
    const s = nestShape(v[i], depth + 1);
    if (s === null || s.length !== s0.length || s.some((d, j) => d !== s0[j])) return null;
  }
  return [v.length, ...s0];
}

/** The hint for an `undefined` value: data.csv reads an empty field without a default so (as TF.js). */
const EMPTY_CSV_FIELD = '; an empty field of data.csv is undefined (as in TF.js): give its column a default in columnConfigs ({ default: 0 }), or required: true to refuse such rows';

/**
 * The batch of `rows` (same-structure elements, at least one): new tensors the caller owns. The
 * rows are left as they are (the caller disposes what it consumed). On an error nothing is left
 * allocated.
 */
export function batchRows(rows: readonly unknown[]): unknown {
  return tidy(() => join1(rows, ''));
}

function join1(rows: readonly unknown[], path: string): unknown {
  const first = rows[0];
  const kind = (v: unknown): string =>
    v instanceof Tensor ? 'tensor' : typeof v === 'number' || typeof v === 'boolean' ? 'number' : isTypedArray(v) ? 'typed' : Array.isArray(v) ? 'array' : isPlainObject(v) ? 'object' : 'other';
  const k0 = kind(first);
  rows.forEach((r, i) => {
    const k = kind(r);
    const same = k === k0 || (k0 === 'typed' && k === 'array') || (k0 === 'array' && k === 'typed');
    if (!same) {
      const empty = r === undefined || first === undefined ? EMPTY_CSV_FIELD : '';
      throw new InvalidArgumentError(`batch: element ${i} of the batch is ${describeElement(r)}${at(path)} but element 0 is ${describeElement(first)}; every element needs the same structure${empty}`);
    }
  });
  switch (k0) {
    case 'tensor': {
      const ts = rows as Tensor[];
      ts.forEach((t, i) => {
        if (t.isDisposed) throw new DisposedError(`batch: element ${i} of the batch${at(path)} is a disposed Tensor; batch() disposes the elements' tensors once stacked, so a map or generator that returns tensors it keeps (a lookup table) gives them once only: return clones (t.clone()), or use data.array(tensors), which clones its items on every pass`);
        if (t.shape.length !== ts[0].shape.length || t.shape.some((d, j) => d !== ts[0].shape[j])) {
          throw new ShapeError(`batch: element ${i} of the batch${at(path)} has shape [${t.shape}] but element 0 has shape [${ts[0].shape}]; every element needs the same shape (pad or resize them in map() first)`);
        }
      });
      return stack(ts, 0);
    }
    case 'number':
      // Checked as tensor() checks a number (Float32Array.from would store 1e40 as Infinity).
      rows.forEach((r, i) => typeof r === 'number' && f32Value('batch', `element ${i} of the batch${at(path)}`, r));
      return tensor(Float32Array.from(rows as Array<number | boolean>, Number), [rows.length]);
    case 'typed':
    case 'array': {
      if (k0 === 'array' && (zipTuples.has(first as unknown[]) || holdsStructure(first as unknown[]) || nestShape(first) === null)) {
        const n = (first as unknown[]).length;
        rows.forEach((r, i) => {
          if ((r as unknown[]).length !== n) throw new InvalidArgumentError(`batch: element ${i} of the batch${at(path)} is an array of length ${(r as unknown[]).length} but element 0's has length ${n}; every element needs the same structure`);
        });
        return Array.from({ length: n }, (_, j) => join1(rows.map((r) => (r as unknown[])[j]), join(path, j)));
      }
      try {
        return tensor(rows as Array<number[]>);
      } catch (err) {
        // No instance (shut down while a pipeline awaited): that, not the elements, is the error.
        if (err instanceof NeuriteError && err.code === 'NotInitialized') throw err;
        // A value tensor() refuses (not a number, a detached array, beyond float32) is that, not a shape.
        // tensor()'s values[i][j] is element i of the batch, and [j] within it.
        const m = err instanceof NeuriteError ? err.message.replace(/^tensor: /, '').replace(/\bvalues\[(\d+)\]((?:\[\d+\])*)/g, (_, i: string, rest: string) => `element ${i} of the batch${path !== '' || rest !== '' ? ` (its ${path}${rest})` : ''}`) : '';
        if (err instanceof InvalidArgumentError) throw new InvalidArgumentError(`batch: the elements' arrays${at(path)} do not make one tensor: ${m}${/ is undefined, not a number/.test(err.message) ? EMPTY_CSV_FIELD : ''}`);
        if (err instanceof NeuriteError) throw new ShapeError(`batch: the elements' arrays${at(path)} do not make one tensor: ${m}; every element needs the same shape`);
        throw err;
      }
    }
    case 'object': {
      const keys = Object.keys(first as object);
      rows.forEach((r, i) => {
        const ks = Object.keys(r as object);
        const missing = keys.find((key) => !Object.hasOwn(r as object, key));
        const extra = ks.find((key) => !keys.includes(key));
        if (missing !== undefined || extra !== undefined) {
          const what = missing !== undefined ? `has no key '${missing}'` : `has a key '${extra}' that element 0 has not`;
          throw new InvalidArgumentError(`batch: element ${i} of the batch${at(path)} ${what} (element 0 has keys ${keys.join(', ') || 'none'}); every element needs the same keys`);
        }
      });
      const out: Record<string, unknown> = {};
      for (const key of keys) out[key] = join1(rows.map((r) => (r as Record<string, unknown>)[key]), join(path, key));
      return out;
    }
    default: {
      const hint = typeof first === 'string' ? ' (neurite tensors hold numbers: map strings to numbers before batch())' : '';
      throw new InvalidArgumentError(`batch: cannot batch ${describeElement(first)}${at(path)}${hint}; elements must be tensors, numbers, arrays of numbers, or arrays and objects of these`);
    }
  }
}
