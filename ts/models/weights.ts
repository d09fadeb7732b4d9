/**
 * Reading and writing weights through the ABI, for a model or for one layer inside it
 * (`model.getWeights()`, `layer.getWeights()`, their `setWeights`, `summary`, `weightNames`).
 * A layer is addressed by a live model holding it and the child-index path to it (through
 * nested models); the path of the model itself is `[]`.
 */
import { argPtr, call, check, outPtr, readOut, readString, withWords, words, writeArgs } from '../engine.js';
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { Tensor, wrapHandle } from '../tensor.js';
import { attachedArg, describe, f32Value, flatten, need, show, type TensorValues } from '../ops/convert.js';

/** The smallest magnitude float32 rounds to ±Infinity (as `ops/convert.ts`'s `f32Value` reads it). */
const F32_OVERFLOW = 2 ** 128 - 2 ** 103;

/**
 * One weight's new values for `setWeights`: a {@link Tensor} of the weight's shape, or the
 * values alone in row-major order (as `getWeights()[i].dataSync()` gives them), as many as the
 * weight has, which go straight into the weight's memory (one copy, no tensor): the way to
 * write a genome into a pooled model. Keras's `set_weights` takes arrays too; TF.js takes
 * tensors only. Float64 values and numbers are rounded to float32, as `tensor()` rounds them.
 * Nested arrays of the weight's shape (a kernel's rows, as Keras's nested lists) are read in
 * row-major order too; another shape of the same count is a `ShapeError`.
 */
export type WeightValues = Tensor | Float32Array | Float64Array | readonly number[] | ReadonlyArray<ReadonlyArray<number | readonly unknown[]>>;

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

/**
 * Copies of weights `from .. from + count` at `at` (the caller owns them), with what the core
 * says of each: one call (a call per weight walked the whole model each time: quadratic in its
 * layers).
 */
function getWeights(op: string, at: WeightsAt, from: number, count: number): WeightInfo[] {
  const got = call((e) =>
    // The path goes to the argument area; the results after it there, or to a block of their own.
    withWords(op, at.path.length + 4 * count, (ptr, cap) => {
      const inArgs = ptr === argPtr();
      const out = inArgs ? ptr + 4 * at.path.length : ptr;
      check(e.nr_model_get_weights(at.handle, writeArgs(op, at.path), at.path.length, from, count, out, inArgs ? cap - at.path.length : cap));
      return { w: words(out, 4 * count).slice(), names: readString(e.nr_last_error_ptr(), e.nr_last_error_len()).split('\n') };
    }),
  );
  return Array.from({ length: count }, (_, k) => ({ value: wrapHandle(got.w[4 * k]), name: got.names[got.w[4 * k + 3]], layer: got.w[4 * k + 1], trainable: got.w[4 * k + 2] !== 0 }));
}

/** @internal Weight `i` at `at`. */
export function readWeight(op: string, at: WeightsAt, i: number): WeightInfo {
  return getWeights(op, at, i, 1)[0];
}

/** @internal A copy of weight `i` at `at`: {@link readWeight}'s value alone. */
export function readWeightValue(op: string, at: WeightsAt, i: number): Tensor {
  return readWeight(op, at, i).value;
}

/**
 * @internal Copies of the weights at `at`, in order: every one, or those `keep` accepts (the
 * others are freed at once).
 */
export function readWeights(op: string, at: WeightsAt, keep: (w: WeightInfo) => boolean = () => true): Tensor[] {
  const all = getWeights(op, at, 0, numWeights(op, at));
  const out: Tensor[] = [];
  try {
    for (const w of all) {
      if (keep(w)) out.push(w.value);
      else w.value.dispose();
    }
  } catch (err) {
    for (const w of all) if (!w.value.isDisposed) w.value.dispose();
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
    const shapeOf = (w: unknown): string =>
      w !== null && typeof w === 'object' && Array.isArray((w as { shape?: unknown }).shape) ? show((w as { shape: number[] }).shape) : isValues(w) ? `${w.length} values` : describe(w);
    const noun = Array.isArray(weights) && weights.some(isValues) ? 'weight' : 'tensor';
    const got = Array.isArray(weights) ? `${weights.length} ${noun}${weights.length === 1 ? '' : 's'}${few(weights.length) ? ` (${weights.map(shapeOf).join(', ')})` : ''}` : describe(weights);
    // One array of every weight's values (a genome): say how to split it.
    let hint = '';
    const one = Array.isArray(weights) && weights.length === 1 && isValues(weights[0]) ? weights[0].length : -1;
    if (n > 1 && one > 0) {
      const all = specs.length > 0 ? specs : weightSpecs(op, at);
      const sizes = (order ? order.map((i) => all[i]) : all).map((w) => w.size);
      if (sizes.reduce((a, b) => a + b, 0) === one) hint = `; that is every weight's values in one array: give one array per weight, e.g. its subarrays of ${sizes.join(', ')} values in turn`;
    }
    throw new InvalidArgumentError(`${op}: ${owner} has ${n} weight${n === 1 ? '' : 's'}${expected.length ? ` (${expected.join(', ')})` : ''}, got ${got}${hint}`);
  }
  // Position j of `weights` for the core's weight i.
  const pos = order ? inverse(order) : weights.map((_, i) => i);
  const allow = allowNonFinite ? 1 : 0;
  if (weights.some((w) => !(w instanceof Tensor))) return writeValues(op, at, owner, weights, pos, allowNonFinite);
  const handles = weights.map((w, i) => need(op, `weights[${i}]`, w));
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

/**
 * A weight's values given as an array: a Float32Array or a Float64Array (of any realm: by the
 * tag), or an array (of numbers, checked when written).
 */
function isValues(w: unknown): w is Float32Array | Float64Array | readonly number[] {
  if (Array.isArray(w)) return true;
  if (!ArrayBuffer.isView(w)) return false;
  const tag = Object.prototype.toString.call(w);
  return tag === '[object Float32Array]' || tag === '[object Float64Array]';
}

/**
 * {@link writeWeights} when some values are arrays ({@link WeightValues}). The tensors are
 * checked by the core (`nr_model_set_weight`), the arrays' lengths (and, for a Float64Array or
 * an array of numbers, their types and float32 range) here against the core's list of weight
 * lengths (`nr_model_weight_spans`); then every weight gets a fresh buffer (the same call with
 * stage 1), each array is copied into its weight's buffer (one copy, no tensor), and
 * `nr_model_weight_commit` checks what was written as it checks a tensor (finite unless
 * allowed, the weight's domain: SIMD, where a scan here cost 2.4 ns a value) and keeps it, or
 * puts every old value back; the tensors are set last. `pos[i]` is the position in `weights`
 * of the core's weight `i`. Messages read as the core's for a tensor (a layer's begin with
 * `owner`, as `Layer.setWeights` prefixes the core's).
 */
function writeValues(op: string, at: WeightsAt, owner: string, given: readonly unknown[], pos: readonly number[], allowNonFinite: boolean): void {
  const n = given.length;
  /** Weight `j` as the core's messages name it (a layer's begin with `owner`). */
  const label = (j: number, w: { name: string; layer: unknown }): string => `${at.path.length === 0 ? '' : `${owner}: `}weight ${j} (\`${w.name}\`${at.path.length === 0 ? ` of layer ${w.layer}` : ''})`;
  const handles = new Array<number>(n).fill(0);
  // Nested arrays (Keras's set_weights takes nested lists): flat, once their shape is the weight's.
  const nested = given.some((w) => Array.isArray(w) && w.some(Array.isArray));
  const specs = nested ? weightSpecs(op, at) : [];
  const weights = given.map((w, j) => {
    if (nested && isValues(w) && !w.some(Array.isArray)) {
      // A flat array among nested ones: its length now, so that the first misfit named is the first given.
      const i = pos.indexOf(j);
      const want = specs[i]?.shape;
      const size = want?.reduce((a, b) => a * b, 1);
      if (want && w.length !== size) {
        throw new ShapeError(`${op}: ${label(j, specs[i])} has shape ${show(want)} (${size} values), but weights[${j}] has ${w.length} values`);
      }
    }
    if (!Array.isArray(w) || !w.some(Array.isArray)) return w;
    const { flat, shape } = flatten(`${op}: weights[${j}]`, w as TensorValues);
    const i = pos.indexOf(j);
    const want = specs[i]?.shape;
    if (want && show(shape) !== show(want)) {
      throw new ShapeError(`${op}: ${label(j, specs[i])} has shape ${show(want)}, but weights[${j}] is a nested array of shape ${show(shape)}`);
    }
    return flat;
  });
  for (let j = 0; j < n; j++) {
    const w = weights[j];
    if (w instanceof Tensor) handles[j] = need(op, `weights[${j}]`, w);
    else if (!isValues(w)) {
      throw new InvalidArgumentError(`${op}: weights[${j}] must be a Tensor, a Float32Array, a Float64Array or an array of numbers (the weight's values in row-major order), got ${describe(w)}`);
    } else if (!Array.isArray(w)) attachedArg(op, `weights[${j}]`, w as Float32Array);
  }
  call((e) => {
    /** The core's `[address, length]` per weight (stage 1: fresh buffers to write). */
    const spans = (stage: number): Uint32Array =>
      // The path goes to the argument area; the spans after it there, or to a block of their own.
      withWords(op, at.path.length + 2 * n, (ptr, cap) => {
        const inArgs = ptr === argPtr();
        const out = inArgs ? ptr + 4 * at.path.length : ptr;
        check(e.nr_model_weight_spans(at.handle, writeArgs(op, at.path), at.path.length, stage, out, inArgs ? cap - at.path.length : cap));
        return words(out, 2 * n).slice();
      });
    const lengths = spans(0);
    const listed: number[] = [];
    for (let i = 0; i < n; i++) {
      const j = pos[i];
      const w = weights[j];
      if (w instanceof Tensor) {
        try {
          check(e.nr_model_set_weight(at.handle, writeArgs(op, at.path), at.path.length, i, handles[j], 1, allowNonFinite ? 1 : 0));
        } catch (err) {
          if (err instanceof Error && j !== i) err.message = err.message.replace(`${op}: weight ${i} (`, `${op}: weight ${j} (`);
          throw err;
        }
        continue;
      }
      listed.push(i);
      const v = w as Float32Array | Float64Array | readonly number[];
      const len = lengths[2 * i + 1];
      if (v.length !== len) {
        const info = readWeight(op, at, i);
        const shape = show(info.value.shape);
        info.value.dispose();
        const name = label(j, info);
        throw new ShapeError(`${op}: ${name} has shape ${shape} (${len} values), but weights[${j}] has ${v.length} values`);
      }
      if (!Array.isArray(v) && (v as Float32Array).BYTES_PER_ELEMENT === 4) continue;
      // Float64 values and numbers: numbers only, and none that float32 turns into ±Infinity
      // (refused as tensor() refuses it); their finiteness and domain are checked as stored.
      const plain = Array.isArray(v);
      for (let k = 0; k < len; k++) {
        const x: unknown = v[k];
        if (plain && typeof x !== 'number') throw new InvalidArgumentError(`${op}: weights[${j}][${k}] must be a number (the values flat, in row-major order), got ${describe(x)}`);
        if ((x as number) >= F32_OVERFLOW || (x as number) <= -F32_OVERFLOW) f32Value(op, `weights[${j}][${k}]`, x as number);
      }
    }
    // Every length and type checked: write the arrays into fresh buffers, then let the core
    // check and keep them (or put the old values back).
    const staged = spans(1);
    let kept = false;
    try {
      const f32 = new Float32Array(e.memory.buffer);
      for (const i of listed) f32.set(weights[pos[i]] as ArrayLike<number>, staged[2 * i] >>> 2);
      // The path, then the indices checked, in the argument area.
      const args = writeArgs(op, [...at.path, ...listed]);
      try {
        check(e.nr_model_weight_commit(at.handle, args, at.path.length, args + 4 * at.path.length, listed.length, allowNonFinite ? 1 : 0, 1));
      } catch (err) {
        // The core numbers weights in its order: say which of the given ones it means.
        const m = err instanceof Error ? new RegExp(`^${op}: weight (\\d+) \\(`).exec(err.message) : null;
        if (m && pos[+m[1]] !== +m[1]) (err as Error).message = (err as Error).message.replace(`${op}: weight ${m[1]} (`, `${op}: weight ${pos[+m[1]]} (`);
        throw err;
      } finally {
        kept = true;
      }
    } finally {
      if (!kept) check(e.nr_model_weight_commit(at.handle, writeArgs(op, at.path), at.path.length, 0, 0, 0, 0));
    }
    for (let i = 0; i < n; i++) if (handles[pos[i]] !== 0) check(e.nr_model_set_weight(at.handle, writeArgs(op, at.path), at.path.length, i, handles[pos[i]], 0, 1));
  });
}

/** The inverse of the permutation `order` (`order[j] = i` ⇔ result`[i] = j`). */
function inverse(order: readonly number[]): number[] {
  const out = new Array<number>(order.length);
  order.forEach((i, j) => (out[i] = j));
  return out;
}
