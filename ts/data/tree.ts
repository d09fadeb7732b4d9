/**
 * Walking dataset elements: an element is a tensor, a number, a typed array, or arrays and plain
 * objects of them, nested (TF.js's `TensorContainer`). These helpers find the tensors in one,
 * clone one, and free what a stage no longer passes on — the bookkeeping behind the ownership
 * rules of `Dataset` (see `dataset.ts`). They run only while a pass runs, so they live in the
 * dataset chunk (see `lazy.ts`); describing an element for a message is `describe.ts`.
 */
import { InvalidArgumentError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { clone } from '../ops/creation.js';
import { isPlainObject } from './describe.js';

/** Nesting deeper than this is refused (a cycle, or not data). */
const MAX_DEPTH = 64;

/**
 * The arrays `zip` builds from an array of datasets: tuples, which `batch` joins position by
 * position whatever they hold (never one stacked tensor, as equal-length rows of numbers from
 * `data.array` would be). A `map` that returns a new array drops the mark.
 */
export const zipTuples = new WeakSet<readonly unknown[]>();

/** Every tensor in `v` (inside arrays and plain objects, nested), each once. */
export function tensorsIn(v: unknown, into: Set<Tensor> = new Set(), depth = 0): Set<Tensor> {
  if (v instanceof Tensor) into.add(v);
  else if (depth < MAX_DEPTH && Array.isArray(v)) for (const x of v) tensorsIn(x, into, depth + 1);
  else if (depth < MAX_DEPTH && isPlainObject(v)) for (const x of Object.values(v)) tensorsIn(x, into, depth + 1);
  return into;
}

/** Disposes every tensor in `v` (an element a stage dropped). */
export function disposeAll(v: unknown): void {
  for (const t of tensorsIn(v)) t.dispose();
}

/** Disposes the tensors of `input` that `output` does not contain (what a map or batch consumed). */
export function disposeConsumed(input: Set<Tensor>, output: unknown): void {
  if (input.size === 0) return;
  const kept = tensorsIn(output);
  for (const t of input) if (!kept.has(t)) t.dispose();
}

/**
 * A copy of `v` whose tensors are clones (numbers and strings as they are), so that whoever
 * pulls it from `data.array` owns what it gets and the items stay the caller's. `op` and `what`
 * name the item in messages.
 */
export function deepClone(v: unknown, op: string, what: string, depth = 0): unknown {
  if (v instanceof Tensor) {
    if (v.isDisposed) throw new InvalidArgumentError(`${op}: ${what} is a disposed Tensor; the dataset clones its items on every pass, so keep them alive while the dataset is used`);
    return clone(v);
  }
  if (depth >= MAX_DEPTH) throw new InvalidArgumentError(`${op}: ${what} is nested more than ${MAX_DEPTH} levels deep (a cycle?)`);
  if (Array.isArray(v)) return v.map((x, i) => deepClone(x, op, `${what}[${i}]`, depth + 1));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = deepClone(x, op, `${what}.${k}`, depth + 1);
    return out;
  }
  return v;
}
