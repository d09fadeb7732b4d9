/**
 * Several inputs and outputs of a graph model as the core sees them: one tensor whose row `i`
 * holds sample `i`'s values of every input (output, target), flattened, one after the other —
 * `[batch, Σ sizes]` (`crates/core/src/model/graph.rs`, `Wiring::set_io`). Packing is a
 * `reshape` and a `concat`, unpacking a `slice` and a `reshape`: tensor ops, so `predict` of
 * such a model stays differentiable on the tape, and batching, shuffling, validation splits
 * and the one-call training step work on the packed rows unchanged.
 *
 * Packing copies: `fit`, `evaluate` and `trainOnBatch` pack all of `x` (and `y`), so their
 * out-of-memory error says so ({@link join}); `predict` packs a chunk of whole batches at a
 * time (`Sequential`'s `#packedPredict`). Errors the core finds in a packed tensor are said of the
 * tensor the caller gave ({@link placePacked}).
 */
import { InvalidArgumentError, OutOfMemoryError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { describe, postedTensor } from '../ops/convert.js';
import { didYouMean } from '../options.js';
import { concat } from '../ops/joining.js';
import { reshape } from '../ops/shape.js';
import { slice } from '../ops/slicing.js';
import { tidy } from '../scope.js';
import { call, check, writeArgs } from '../engine.js';
import { FIT_DATASET_KEYS, FIT_KEYS, NOT_IN_FIT } from './fit.js';
import { EVALUATE_KEYS } from './sequential.js';

/** One input, output or target of a model with several: its name and per-sample shape. */
export interface Part {
  /** How messages name it, e.g. `input_2` or `dense_3`. */
  name: string;
  shape: number[];
  /**
   * Targets only: also accept this per-sample shape (class indices `[]` for `[1]` and back;
   * Keras's rule that a trailing axis of size 1 may be added or dropped).
   */
  loose?: boolean;
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const show = (s: readonly (number | string)[]): string => `[${s.map((d) => (d === 0 ? 'null' : d)).join(',')}]`;
const strip = (s: readonly number[]): readonly number[] => (s.at(-1) === 1 ? s.slice(0, -1) : s);
/** Whether shape `got` is `want`, where a 0 in `want` (an unknown, null, size) takes any size from 1. */
const fits = (got: readonly number[], want: readonly number[]): boolean => got.length === want.length && got.every((d, i) => (want[i] === 0 ? d >= 1 : d === want[i]));
/** Whether two shapes fit once a trailing axis of size 1 is dropped from either (as the core's loss check). */
const sameUpToTrailingOne = (a: readonly number[], b: readonly number[]): boolean => fits(a, b) || fits(strip(a), b) || fits(a, strip(b));

/**
 * Whether an input of per-sample shape `dims` takes a 1-D `x` as its `n` samples, `[n, 1]`: a
 * shape of one feature, `[1]` (TF.js's `standardizeInputData` reads a 1-D `x` so).
 */
export const oneFeature = (dims: readonly number[] | undefined): boolean => dims?.length === 1 && dims[0] === 1;

/**
 * The tensors `v` for `parts` (a list, one per part in order; a lone tensor for one part),
 * checked, as `[n, Σ sizes]`. `arg` names them in messages (`x`, `y`, `validationData[0]`).
 * The result is a new tensor the caller owns.
 */
export function pack(op: string, arg: string, v: unknown, parts: readonly Part[]): Tensor {
  return join(op, arg, checkList(op, arg, v, parts), parts);
}

/**
 * The tensors `v` for `parts` (see {@link pack}) checked: a list of one tensor per part, of its
 * per-sample shape, every one with the same number of samples. Nothing is copied.
 */
export function checkList(op: string, arg: string, v: unknown, parts: readonly Part[]): Tensor[] {
  const list = Array.isArray(v) ? v : [v];
  const what = (i: number): string => `${arg}[${i}] (${parts[i].name})`;
  if (list.length !== parts.length || (!Array.isArray(v) && parts.length > 1)) {
    const names = parts.map((p) => p.name).join(', ');
    throw new InvalidArgumentError(`${op}: ${arg} must be a list of ${parts.length} tensors, one for each of ${names}, got ${Array.isArray(v) ? `a list of ${v.length}` : v instanceof Tensor ? `one Tensor (shape [${v.shape}])` : describe(v)}`);
  }
  list.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new InvalidArgumentError(`${op}: ${what(i)} must be a Tensor, got ${describe(t)}`);
    t.handleFor(op, what(i));
  });
  const ts = list as Tensor[];
  const n = ts[0].rank === 0 ? 0 : ts[0].shape[0];
  ts.forEach((t, i) => {
    const want = parts[i].shape;
    const got = t.shape.slice(1);
    const ok = t.rank >= 1 && (fits(got, want) || (parts[i].loose === true ? sameUpToTrailingOne(got, want) : t.rank === 1 && oneFeature(want)));
    // A tensor's own shape as it is (a 0 there is 0); `show` writes the model's 0 as null.
    if (!ok) throw new ShapeError(`${op}: ${what(i)} must have shape ${show(['batch', ...want])} (the first dimension is the batch${want.includes(0) ? '; null: any size from 1' : ''}), got [${t.shape}]`);
    if (t.shape[0] !== n) throw new ShapeError(`${op}: ${what(0)} has ${n} samples but ${what(i)} has ${t.shape[0]} (shape [${t.shape}]); every ${arg} needs the same number of samples`);
  });
  return ts;
}

/**
 * The checked tensors `ts` ({@link checkList}) side by side, `[n, Σ sizes]`: a new tensor the
 * caller owns, a copy of all of them. Running out of memory for it is said as that copy, with
 * what to do instead.
 */
export function join(op: string, arg: string, ts: readonly Tensor[], parts: readonly Part[], whole?: readonly Tensor[]): Tensor {
  const n = ts[0].rank === 0 ? 0 : ts[0].shape[0];
  let packed: Tensor;
  try {
    packed = tidy(() => concat(ts.map((t) => reshape(t, [n, size(t.shape.slice(1))])), 1));
  } catch (err) {
    // `ts` slices of `whole` (predict's chunks): said as so many rows of the tensors given.
    throw whole ? packingOutOfMemory(op, arg, whole, parts, err, n) : packingOutOfMemory(op, arg, ts, parts, err);
  }
  layouts.set(packed, { arg, names: parts.map((p) => p.name), shapes: ts.map((t) => t.shape.slice()) });
  // Unknown (null) sizes: the core learns this call's sizes from the packed tensor itself.
  if (parts.some((p) => p.shape.includes(0))) {
    const words = [ts.length, ...ts.flatMap((t, i) => (t.rank === 1 && !parts[i].loose ? [1, 1] : [t.rank - 1, ...t.shape.slice(1)]))];
    try {
      call((e) => check(e.nr_tensor_set_parts(packed.handleFor(op, arg), writeArgs(op, words), words.length)));
    } catch (err) {
      packed.dispose();
      throw err;
    }
  }
  return packed;
}

/**
 * `err` from packing `ts` into one tensor: when out of memory, said as the copy that packing
 * makes (how many bytes, of which tensors) and what avoids it; anything else as it is.
 */
export function packingOutOfMemory(op: string, arg: string, ts: readonly Tensor[], parts: readonly Part[], err: unknown, rows?: number): unknown {
  if (!(err instanceof OutOfMemoryError) || Object.isFrozen(err)) return err;
  const n = rows ?? ts[0].shape[0];
  const width = ts.reduce((a, t) => a + size(t.shape.slice(1)), 0);
  const bytes = n * width * 4;
  const kind = /^(y|ys|validationData\[1\])$/.test(arg) ? 'outputs' : 'inputs';
  const given = ts.map((t, i) => `${parts[i].name} [${t.shape}]`).join(', ');
  const instead: Record<string, string> = {
    fit: 'train from a dataset instead, fitDataset (it packs one batch at a time), or call fit on chunks of the rows in turn',
    evaluate: 'evaluate from a dataset instead, evaluateDataset (it packs one batch at a time), or evaluate chunks of the rows and weight their results by their sizes',
    trainOnBatch: 'pass fewer rows',
    predictOnBatch: 'use predict, which packs its rows a chunk at a time',
    predict: 'pass a smaller batchSize (predict packs whole batches of about 16 MiB of input at a time, at least one batch), or predict chunks of the rows in turn',
  };
  const fix = instead[op] ?? 'pass fewer rows per call';
  const of = rows === undefined ? arg : `${rows} rows of ${arg} at a time`;
  err.message = `${op}: out of memory: a model with ${ts.length} ${kind} packs ${of} (${given}) side by side into one [${n},${width}] tensor of ${bytes} bytes (${(bytes / 2 ** 20).toFixed(1)} MiB), a copy beside the tensors given, before it runs; ${fix} (${err.message})`;
  return err;
}

/** What a packed tensor was made from: how the call named it, and the given tensors' names and shapes. */
interface Layout {
  arg: string;
  names: string[];
  shapes: number[][];
}

/** The layouts of the tensors {@link pack} made (a weak key: gone with the tensor). */
const layouts = new WeakMap<Tensor, Layout>();

/**
 * `err` (the core's check of a packed `x`: `x contains NaN at flat index 6282 (shape
 * [5,2352])`) said of the tensor the caller gave, `x[2] (neg) contains NaN at [2,10] (shape
 * [5,784])`, when `x` is one {@link pack} made; anything else as it is. Run before
 * `placeBadValue`, which then finds nothing of the packed form left to place.
 */
export function placePacked(err: unknown, x: Tensor | null): unknown {
  const layout = x === null ? undefined : layouts.get(x);
  if (!(err instanceof Error) || layout === undefined || Object.isFrozen(err)) return err;
  const width = layout.shapes.reduce((a, s) => a + size(s.slice(1)), 0);
  err.message = err.message.replace(/\b(?:validationData: )?x contains (\S+) at flat index (\d+) \(shape \[[\d,]*\]\)/, (all: string, v: string, flat: string) => {
    if (width <= 0) return all;
    const sample = Math.floor(Number(flat) / width);
    let r = Number(flat) % width;
    const i = layout.shapes.findIndex((s) => {
      const k = size(s.slice(1));
      if (r < k) return true;
      r -= k;
      return false;
    });
    if (i < 0) return all;
    const inner = layout.shapes[i].slice(1);
    const idx = inner.map((_, k) => {
      const below = size(inner.slice(k + 1));
      const j = Math.floor(r / below);
      r %= below;
      return j;
    });
    return `${layout.arg}[${i}] (${layout.names[i]}) contains ${v} at [${[sample, ...idx].join(',')}] (shape [${layout.shapes[i]}])`;
  });
  return err;
}

/**
 * `v` as a list in the model's order when it is an object by input (output) name, as TF.js's
 * `fit`, `evaluate` and `fitDataset` take it: `names` are the model's `inputNames` (`outputNames`),
 * `kind` says which, `arg` names `v` in messages. Anything else is returned as it is.
 */
export function byName(op: string, arg: string, v: unknown, names: readonly string[], kind: 'input' | 'output'): unknown {
  if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return v;
  // A posted tensor ({ id }) is no object by name: said as what it is, not as an unknown input 'id'.
  if (postedTensor(v)) throw new InvalidArgumentError(`${op}: ${arg} must be a Tensor, got ${describe(v)}`);
  const o = v as Record<string, unknown>;
  if (kind === 'output' && arg === 'y') optionsAsY(op, Object.keys(o), names);
  for (const k of Object.keys(o)) {
    if (!names.includes(k)) throw new InvalidArgumentError(`${op}: ${arg} has a key '${k}' that is not an ${kind} of the model${didYouMean(k, names)} (its ${kind}s: ${names.join(', ')})`);
    // One layer giving several outputs (used twice, both uses outputs): the name is not one output's.
    const at = names.flatMap((n, i) => (n === k ? [i] : []));
    if (at.length > 1) throw new InvalidArgumentError(`${op}: ${arg} has a key '${k}', which names ${kind}s ${at.join(' and ')} of the model (one layer gives them all): give ${arg} as an array in ${kind} order`);
  }
  return names.map((n) => {
    if (!Object.hasOwn(o, n)) throw new InvalidArgumentError(`${op}: ${arg} has no key '${n}' for the model's ${kind} ${n} (its ${kind}s: ${names.join(', ')})`);
    return o[n];
  });
}

/**
 * The options of `fit`, `fitDataset` and `evaluate`, and TF.js's that `fit` refuses or that its
 * `evaluate` takes (`steps`), for {@link optionsAsY}: from the lists those methods check, read
 * on the error path only (those modules import this one).
 */
const knownOptionKeys = (): ReadonlySet<string> => new Set([...FIT_KEYS, ...FIT_DATASET_KEYS, ...EVALUATE_KEYS, ...Object.keys(NOT_IN_FIT), 'steps']);

/**
 * `fit(x, { epochs: 5 })`, `evaluate(x, { batchSize: 32 })`: y forgotten, the options in its
 * place (an autoencoder's `fit(x, options)` habit). Said as such, rather than as a key that is
 * not an output, when `keys` name no output and some are options.
 */
function optionsAsY(op: string, keys: readonly string[], outputs: readonly string[]): void {
  if (op !== 'fit' && op !== 'evaluate') return;
  if (keys.some((k) => outputs.includes(k))) return;
  const known = knownOptionKeys();
  const options = keys.filter((k) => known.has(k));
  if (options.length === 0) return;
  const example = op === 'fit' ? '{ epochs: 5 }' : '{ batchSize: 32 }';
  throw new InvalidArgumentError(
    `${op}(x, y, options): y is missing — the second argument looks like ${op}'s options (${options.map((k) => `'${k}'`).join(', ')}); ` +
      `pass the targets second, model.${op}(x, y, ${example}); for an autoencoder, which learns to reproduce x, use ae.${op}(x, options)`,
  );
}

/** The outputs in `packed` (`[n, Σ sizes]`), one `[n, ...shape]` tensor per part; disposes `packed`. */
export function unpack(packed: Tensor, parts: readonly Part[]): Tensor[] {
  const n = packed.shape[0];
  let at = 0;
  try {
    return tidy(() => parts.map((p) => {
      const s = size(p.shape);
      const t = reshape(slice(packed, [0, at], [n, s]), [n, ...p.shape]);
      at += s;
      return t;
    }));
  } finally {
    packed.dispose();
  }
}
