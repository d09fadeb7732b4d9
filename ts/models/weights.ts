/**
 * Reading and writing weights through the ABI, for a model or for one layer inside it
 * (`model.getWeights()`, `layer.getWeights()`, their `setWeights`, `summary`, `weightNames`).
 * A layer is addressed by a live model holding it and the child-index path to it (through
 * nested models); the path of the model itself is `[]`.
 */
import { call, check, outPtr, readOut, readString, writeArgs } from '../engine.js';
import { InvalidArgumentError } from '../errors.js';
import { wrapHandle, type Tensor } from '../tensor.js';
import { describe, need, show } from '../ops/convert.js';

/** @internal A model handle and the child-index path of the model or layer inside it. */
export interface WeightsAt {
  handle: number;
  path: readonly number[];
}

/** @internal One weight as the core reports it. */
export interface WeightInfo {
  /** A copy of the values (the caller owns it). */
  value: Tensor;
  /** The weight's name, as TF.js's (`kernel`, `moving_mean`, ...). */
  name: string;
  /** For a model: the top-level child the weight belongs to; 0 for a layer. */
  layer: number;
  /** For a model: whether training updates it; for a layer: the weight's own flag (moving statistics are not trainable). */
  trainable: boolean;
}

/** @internal The number of weights at `at`. */
export function numWeights(op: string, at: WeightsAt): number {
  return call((e) => {
    check(e.nr_model_num_weights(at.handle, writeArgs(op, at.path), at.path.length, outPtr(0)));
    return readOut(0);
  });
}

/** @internal Weight `i` at `at`. */
export function readWeight(op: string, at: WeightsAt, i: number): WeightInfo {
  return call((e) => {
    check(e.nr_model_get_weight(at.handle, writeArgs(op, at.path), at.path.length, i, outPtr(0), outPtr(1)));
    const [t, layer, trainable] = [readOut(0), readOut(1), readOut(2)];
    const name = readString(e.nr_last_error_ptr(), e.nr_last_error_len());
    return { value: wrapHandle(t), name, layer, trainable: trainable !== 0 };
  });
}

/** @internal A copy of weight `i` at `at`: {@link readWeight}'s value alone (its name is not decoded). */
export function readWeightValue(op: string, at: WeightsAt, i: number): Tensor {
  return call((e) => {
    check(e.nr_model_get_weight(at.handle, writeArgs(op, at.path), at.path.length, i, outPtr(0), outPtr(1)));
    return wrapHandle(readOut(0));
  });
}

/**
 * @internal Copies of the weights at `at`, in order: every one, or those `keep` accepts (the
 * others are freed at once).
 */
export function readWeights(op: string, at: WeightsAt, keep: (w: WeightInfo) => boolean = () => true): Tensor[] {
  const n = numWeights(op, at);
  const out: Tensor[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const w = readWeight(op, at, i);
      if (keep(w)) out.push(w.value);
      else w.value.dispose();
    }
  } catch (err) {
    for (const t of out) t.dispose();
    throw err;
  }
  return out;
}

/** @internal What the weights at `at` are (name, shape, owner, trainable), without keeping their values. */
export function weightSpecs(op: string, at: WeightsAt): Array<Omit<WeightInfo, 'value'> & { shape: number[]; size: number }> {
  const specs: Array<Omit<WeightInfo, 'value'> & { shape: number[]; size: number }> = [];
  readWeights(op, at, ({ value, ...w }) => {
    specs.push({ ...w, shape: value.shape.slice(), size: value.size });
    return false;
  });
  return specs;
}

/**
 * @internal Overwrites every weight at `at` (`owner` names it in errors, e.g. `layer dense_1`;
 * a layer's error lists its weights). `weights` are in the core's order, or with `order` in that
 * order: `weights[j]` goes to the core's weight `order[j]` (a model's `setWeights` takes TF.js's
 * order, see `weight-order.ts`), and messages number the weights as `weights` does.
 * Every value is checked (count, shapes, finiteness unless `allowNonFinite`) before any is
 * set, so a failed call changes nothing.
 */
export function writeWeights(op: string, at: WeightsAt, owner: string, weights: unknown, allowNonFinite: boolean, order?: readonly number[]): void {
  const n = numWeights(op, at);
  if (!Array.isArray(weights) || weights.length !== n) {
    // The shapes on both sides, when there are few (a layer's weights are also named).
    const few = (k: number) => k > 0 && k <= 8;
    const specs = few(n) ? weightSpecs(op, at) : [];
    const expected = (order && specs.length > 0 ? order.map((i) => specs[i]) : specs).map((w) => (at.path.length ? `${w.name} ${show(w.shape)}` : show(w.shape)));
    const shapeOf = (w: unknown): string => (w !== null && typeof w === 'object' && Array.isArray((w as { shape?: unknown }).shape) ? show((w as { shape: number[] }).shape) : describe(w));
    const got = Array.isArray(weights) ? `${weights.length} tensor${weights.length === 1 ? '' : 's'}${few(weights.length) ? ` (${weights.map(shapeOf).join(', ')})` : ''}` : describe(weights);
    throw new InvalidArgumentError(`${op}: ${owner} has ${n} weight${n === 1 ? '' : 's'}${expected.length ? ` (${expected.join(', ')})` : ''}, got ${got}`);
  }
  const handles = weights.map((w, i) => need(op, `weights[${i}]`, w));
  // Position j of `weights` for the core's weight i.
  const pos = order ? inverse(order) : handles.map((_, i) => i);
  const allow = allowNonFinite ? 1 : 0;
  // Check all, then set all (the values were checked on the first pass).
  for (const checkOnly of [1, 0]) {
    for (let i = 0; i < n; i++) {
      try {
        call((e) => check(e.nr_model_set_weight(at.handle, writeArgs(op, at.path), at.path.length, i, handles[pos[i]], checkOnly, checkOnly ? allow : 1)));
      } catch (err) {
        // The core numbers weights in its order: say which of the given ones it means.
        if (err instanceof Error && pos[i] !== i) err.message = err.message.replace(`${op}: weight ${i} (`, `${op}: weight ${pos[i]} (`);
        throw err;
      }
    }
  }
}

/** The inverse of the permutation `order` (`order[j] = i` ⇔ result`[i] = j`). */
function inverse(order: readonly number[]): number[] {
  const out = new Array<number>(order.length);
  order.forEach((i, j) => (out[i] = j));
  return out;
}
