/**
 * `normalization`: Keras 3's `keras.layers.Normalization` (TF.js 4.22 has none), feature
 * standardization carried in the model: `(x − mean) / max(√variance, 1e-7)` per index of the
 * kept axes. The statistics come from `adapt(data)` (float64 here, batches combined with Chan's
 * rule) or the `mean`/`variance` options, and live in the model as non-trainable weights
 * (`mean`, `variance`); the core runs the layer (`crates/core/src/layers/normalization.rs`).
 */
import { InvalidArgumentError } from '../errors.js';
import { pairLike, stackedPairs } from '../data/stacked.js';
import { Pace } from '../pace.js';
import { boolArg, describe, makeTensor, show } from '../ops/convert.js';
import { tensor } from '../ops/creation.js';
import { add, div, maximum, mul, sub } from '../ops/binary.js';
import { sqrt } from '../ops/unary.js';
import { reshape } from '../ops/shape.js';
import { tidy } from '../scope.js';
import { Tensor } from '../tensor.js';
import { writeWeights, weightSpecs } from '../models/weights.js';
import type { SymbolicTensor } from '../models/symbolic.js';
import { builtInOverrides, CLASS_NAMES, Layer, locate, type LayerArgs } from './layer.js';

/** Keras's `backend.epsilon()`, the floor of `√variance` (`crates/core/src/layers/normalization.rs`). */
const EPSILON = Math.fround(1e-7);

/** A number or nested arrays of numbers (a mean or variance given as Keras takes them). */
export type NestedNumbers = number | NestedNumbers[];

/** Options of `layers.normalization` (Keras 3's names and defaults). */
export interface NormalizationArgs extends LayerArgs {
  /**
   * The axis or axes that keep a mean and variance per index, numbered as Keras does with the
   * batch axis 0 (which may not be kept here): `-1` (the default) one per feature of the last
   * axis; `[1, 2]` one per pixel of `[h, w]` images; `null` (or `[]`) one scalar pair for
   * everything.
   */
  axis?: number | number[] | null | undefined;
  /**
   * The means, instead of `adapt`: a number or nested arrays that broadcast to the kept axes'
   * shape (aligned from the right, as Keras). Give `variance` with it.
   */
  mean?: NestedNumbers | null | undefined;
  /** The variances (each >= 0), with `mean` and of its shape. */
  variance?: NestedNumbers | null | undefined;
  /** Apply the inverse, `mean + x·max(√variance, 1e-7)`: turn standardized values back. Default `false`. */
  invert?: boolean | undefined;
}

/** What `adapt` accepts besides tensors and arrays: a dataset of batches (`data.Dataset` or any async iterable). */
export type AdaptDataset = AsyncIterable<unknown>;

/** A flat value list and its shape. */
interface Flat {
  values: number[];
  shape: number[];
}

/** A number or rectangular nested arrays, flattened; an error naming `field` otherwise. */
function flatten(op: string, field: string, v: unknown): Flat {
  const shape: number[] = [];
  for (let c: unknown = v; Array.isArray(c); c = c[0]) shape.push(c.length);
  const values: number[] = [];
  const walk = (c: unknown, d: number, at: string): void => {
    if (d === shape.length) {
      if (typeof c !== 'number' || !Number.isFinite(c)) throw new InvalidArgumentError(`${op}: ${field}${at} must be a finite number, got ${describe(c)}`);
      values.push(c);
      return;
    }
    if (!Array.isArray(c) || c.length !== shape[d]) throw new InvalidArgumentError(`${op}: ${field} must be a number or rectangular nested arrays of numbers; ${field}${at} is ${describe(c)}, expected an array of ${shape[d]}`);
    c.forEach((e, i) => walk(e, d + 1, `${at}[${i}]`));
  };
  walk(v, 0, '');
  return { values, shape };
}

/** The element of a dataset that `adapt` reads: Keras's `x` of `(x, y)`, `xs` of `{ xs, ys }`. */
function inputOf(el: unknown): unknown {
  if (Array.isArray(el) && el[0] instanceof Tensor) return el[0];
  if (el !== null && typeof el === 'object' && !(el instanceof Tensor) && 'xs' in el) return (el as { xs: unknown }).xs;
  return el;
}

/** Disposes every tensor in a dataset element (whoever pulls an element owns it). */
function disposeAll(el: unknown): void {
  if (el instanceof Tensor) el.dispose();
  else if (Array.isArray(el)) el.forEach(disposeAll);
  else if (el !== null && typeof el === 'object') Object.values(el).forEach(disposeAll);
}

/** Running count, mean and sum of squared deviations per statistic, combined batch by batch. */
class Moments {
  count = 0;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  /** The batches' sample shape: a size in which they differ (sequence lengths) is 0, unknown. */
  sample: number[] | null = null;
  constructor(
    readonly keep: number[],
    readonly dims: number[],
  ) {
    const k = dims.reduce((a, b) => a * b, 1);
    this.mean = new Float64Array(k);
    this.m2 = new Float64Array(k);
  }
  /**
   * Adds a batch of shape `shape` (values `x`): its own mean and squared deviations in two
   * passes in float64, then Chan et al.'s combination with the running ones (sound for values
   * at 1e6 ± 1, where one pass of sums of squares loses every digit).
   */
  add(op: string, x: Float32Array, shape: readonly number[]): void {
    const k = this.mean.length;
    this.sample = shape.slice(1).map((d, a) => (this.sample === null || this.sample[a] === d ? d : 0));
    const rows = x.length / k;
    if (rows === 0) return;
    const idx = statIndex(shape, this.keep);
    const mean = new Float64Array(k);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (!Number.isFinite(v)) {
        const f = idx[i];
        const at = this.dims.length === 0 ? '' : ` of feature ${show(unflat(f, this.dims))}`;
        throw new InvalidArgumentError(`${op}: the data hold ${v} (flat index ${this.count > 0 ? `${i} of a later batch` : i})${at}: the mean and variance need finite values; drop or impute the missing ones first`);
      }
      mean[idx[i]] += v;
    }
    for (let j = 0; j < k; j++) mean[j] /= rows;
    const m2 = new Float64Array(k);
    for (let i = 0; i < x.length; i++) {
      const d = x[i] - mean[idx[i]];
      m2[idx[i]] += d * d;
    }
    const n = this.count + rows;
    for (let j = 0; j < k; j++) {
      const delta = mean[j] - this.mean[j];
      this.m2[j] += m2[j] + ((delta * delta * this.count) / n) * rows;
      this.mean[j] += (delta * rows) / n;
    }
    this.count = n;
  }
}

/** A flat index as a multi-index of `dims`. */
function unflat(f: number, dims: readonly number[]): number[] {
  const out = dims.map(() => 0);
  for (let a = dims.length - 1; a >= 0; a--) {
    out[a] = f % dims[a];
    f = Math.floor(f / dims[a]);
  }
  return out;
}

/** For each value of an array of shape `shape`, the flat index of its statistic over the `keep` axes. */
function statIndex(shape: readonly number[], keep: readonly number[]): Uint32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const idx = new Uint32Array(size);
  if (keep.length === 0) return idx;
  // Strides of each axis in the statistics (0 for a reduced axis).
  const strides = shape.map(() => 0);
  let s = 1;
  for (let j = keep.length - 1; j >= 0; j--) {
    strides[keep[j]] = s;
    s *= shape[keep[j]];
  }
  const pos = shape.map(() => 0);
  let cur = 0;
  for (let i = 0; i < size; i++) {
    idx[i] = cur;
    for (let a = shape.length - 1; a >= 0; a--) {
      pos[a]++;
      cur += strides[a];
      if (pos[a] < shape[a]) break;
      cur -= strides[a] * pos[a];
      pos[a] = 0;
    }
  }
  return idx;
}

/**
 * @internal The normalization layers whose `adapt` of a dataset is running: a model holding one
 * says so when it is used (a forgotten `await`; Keras's `adapt` is synchronous).
 */
export const adapting = new Set<Normalization>();

/**
 * Standardizes features with statistics carried in the model (Keras 3's `Normalization`):
 * `y = (x − mean) / max(√variance, 1e-7)` per index of the kept axes (`axis`, default `-1`:
 * per feature), or the inverse with `invert`. Give the statistics with `mean`/`variance`, or
 * learn them with {@link Normalization.adapt} before `fit` or `predict` (a layer with neither is
 * an error when used). They are non-trainable weights named `mean` and `variance` (saved with
 * the model, left alone by `fit`); gradients flow through to the input.
 *
 * @example
 * const norm = layers.normalization();
 * norm.adapt(xTrain); // per-feature mean and variance of the training data
 * const model = sequential({ layers: [layers.inputLayer({ inputShape: [8] }), norm, layers.dense({ units: 1 })] });
 */
export class Normalization extends Layer {
  static {
    // Its apply also takes a tensor (Keras's adapted layer called on data).
    builtInOverrides(this);
  }
  /** @internal */
  readonly kind = 'normalization' as const;
  /** Keras 3's class name, `'Normalization'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.normalization;
  /** The options given (for `getConfig`). */
  readonly args: NormalizationArgs;
  /** The kept axes as given (Keras's numbering, batch axis 0); `[]` for `axis: null`. */
  readonly axis: number[];
  /** Whether the layer applies the inverse transformation. */
  readonly invert: boolean;
  /** The `mean` option, flattened with its shape (`null` when not given). */
  readonly #givenMean: Flat | null;
  /** The `variance` option, flattened with its shape (`null` when not given). */
  readonly #givenVariance: Flat | null;
  /** The statistics `adapt` computed (float64), their kept axes' shape, the data's sample shape; `null` before. */
  #adapted: { mean: Float64Array; variance: Float64Array; dims: number[]; sample: number[] | null } | null = null;

  constructor(args: NormalizationArgs = {}) {
    super('normalization', args, ['axis', 'mean', 'variance', 'invert']);
    this.args = args;
    const op = 'normalization';
    const ax = args.axis === undefined ? -1 : args.axis;
    const list = ax === null ? [] : typeof ax === 'number' ? [ax] : Array.isArray(ax) ? ax.slice() : null;
    if (list === null || list.some((a) => !Number.isInteger(a) || Math.abs(a) > 32)) throw new InvalidArgumentError(`${op}: axis must be an integer, a list of integers or null, got ${show(args.axis)}`);
    if (new Set(list.map((a) => a)).size !== list.length) throw new InvalidArgumentError(`${op}: axis lists an axis twice: ${show(args.axis)}`);
    if (list.includes(0)) throw new InvalidArgumentError(`${op}: axis 0 is the batch axis: neurite keeps statistics per feature, not per sample; use the feature axes (e.g. -1) or axis null for one mean and variance`);
    this.axis = list;
    this.invert = boolArg(op, 'invert', args.invert, false);
    const m = args.mean ?? null;
    const v = args.variance ?? null;
    if ((m === null) !== (v === null)) throw new InvalidArgumentError(`${op}: give mean and variance together (or neither, and call adapt), got mean ${show(m)} and variance ${show(v)}`);
    this.#givenMean = m === null ? null : flatten(op, 'mean', m);
    this.#givenVariance = v === null ? null : flatten(op, 'variance', v);
    if (this.#givenMean && this.#givenVariance) {
      if (show(this.#givenMean.shape) !== show(this.#givenVariance.shape)) throw new InvalidArgumentError(`${op}: mean and variance must have the same shape, got ${show(this.#givenMean.shape)} and ${show(this.#givenVariance.shape)}`);
      if (this.#givenMean.shape.length > list.length) throw new InvalidArgumentError(`${op}: mean has rank ${this.#givenMean.shape.length}, more than the ${list.length} kept ax${list.length === 1 ? 'is' : 'es'} (axis ${show(ax)})`);
      const neg = this.#givenVariance.values.findIndex((x) => x < 0);
      if (neg >= 0) throw new InvalidArgumentError(`${op}: variance must be >= 0, got ${this.#givenVariance.values[neg]} at flat index ${neg}`);
    }
  }

  /** @internal The ABI layout of `Normalization::from_abi`: `invert, n, axes`. */
  abiParams(): number[] {
    return [this.invert ? 1 : 0, this.axis.length, ...this.axis];
  }

  /**
   * @internal The sample shape of the data `adapt` read (0 for a size its batches differ in), so
   * that a model whose first layer this is knows its input shape without an `inputShape`, as
   * Keras 3's adapted layer is built; `undefined` before `adapt`.
   */
  get adaptedSampleShape(): number[] | undefined {
    const sample = this.#adapted?.sample;
    return sample?.length ? sample : undefined;
  }

  /** Whether the layer has statistics (given, adapted or loaded into a model holding it). */
  get isAdapted(): boolean {
    return this.#givenMean !== null || this.#adapted !== null;
  }

  /**
   * Computes the mean and variance of `data` over every axis but the kept ones (Keras 3's
   * `adapt`): a tensor or nested array `[samples, ...]`, or a dataset of such batches (a
   * `data.Dataset`, whose elements may also be `[xs, ys]` or `{ xs, ys }`: `xs` is read; each
   * element is disposed). In float64, batches combined exactly (Chan et al.), so values at
   * 1e6 ± 1 keep their spread; the variance is the population one (`np.var`, Keras's). A
   * non-finite value is an error naming its feature. Sets the layer's weights in every model
   * holding it, or keeps them for the model that builds it. Returns a promise for a dataset.
   *
   * @example
   * const norm = layers.normalization();
   * norm.adapt(xTrain);
   */
  adapt(data: Tensor | NestedNumbers[]): void;
  /** Adapts to a dataset of batches (`data.Dataset`): resolves once every batch is read. */
  adapt(data: AdaptDataset): Promise<void>;
  adapt(data: Tensor | NestedNumbers[] | AdaptDataset): void | Promise<void> {
    const op = 'normalization.adapt';
    if (data !== null && typeof data === 'object' && !(data instanceof Tensor) && !Array.isArray(data) && Symbol.asyncIterator in data) {
      return this.#adaptDataset(op, data);
    }
    if (!(data instanceof Tensor) && !Array.isArray(data)) throw new InvalidArgumentError(`${op}: data must be a tensor, nested arrays of numbers or a dataset of batches, got ${describe(data)}`);
    let moments: Moments | null = null;
    this.#batch(op, data, (m) => (moments = m), null);
    this.#finish(op, moments);
  }

  async #adaptDataset(op: string, ds: AdaptDataset): Promise<void> {
    if ((ds as { size?: unknown }).size === Infinity) {
      throw new InvalidArgumentError(`${op}: the dataset is endless (size Infinity, e.g. after repeat()), so adapt would never end; adapt to ds.take(n) (Keras's adapt takes steps for this)`);
    }
    // Elements that are arrays of 2 or 3 arrays are read as inputs (a batch, or the tensor
    // batch() stacked of them): [features, label] pairs would put the labels in the statistics.
    let warned = false;
    const pairs = (k: number, read: string): void => {
      if (warned) return;
      warned = true;
      console.warn(`${op}: the dataset's elements are arrays of ${k} arrays, read as inputs (${read}); if they are [features, label] pairs, the labels are in the statistics: give the elements as { xs, ys } objects, data.array(pairs.map(([xs, ys]) => ({ xs, ys }))), or zip two datasets, data.zip({ xs, ys })`);
    };
    // The loop yields a macrotask every ~16 ms, as the dataset stages do: an adapt over many
    // in-memory batches leaves timers and I/O running (it held the event loop for the whole call).
    // The clock is looked at each batch, as each is a batch's work.
    const pace = new Pace(1);
    let moments: Moments | null = null;
    const set = (m: Moments): void => void (moments = m);
    // Elements that are one sample each (an array of numbers: a dataset not batched, as a CSV's
    // rows mapped to arrays) are read 128 at a time, as Keras 3 batches an unbatched dataset.
    let samples: number[][] = [];
    const flush = (): void => {
      if (samples.length > 0) this.#batch(op, samples, set, moments);
      samples = [];
    };
    adapting.add(this);
    try {
      for await (const el of ds) {
        const wait = pace.tick();
        if (wait) await wait;
        try {
          const x = inputOf(el);
          if (x instanceof Tensor && stackedPairs.has(x)) pairs(x.shape[1], `batch() stacks them into one tensor, here [${x.shape}], as TF.js`);
          else if (pairLike(x)) pairs((x as unknown[]).length, `each a batch of ${(x as unknown[]).length} samples`);
          if (Array.isArray(x) && x.length > 0 && x.every((v) => typeof v === 'number')) {
            samples.push(x as number[]);
            if (samples.length === 128) flush();
            continue;
          }
          flush();
          if (!(x instanceof Tensor) && !Array.isArray(x)) throw new InvalidArgumentError(`${op}: each dataset element must be a batch (a tensor or nested arrays [samples, ...]), one sample (an array of numbers), or [xs, ys] or { xs, ys } of those; got ${describe(el)}`);
          this.#batch(op, x as Tensor | NestedNumbers[], set, moments);
        } finally {
          disposeAll(el);
        }
      }
      flush();
    } finally {
      adapting.delete(this);
    }
    this.#finish(op, moments);
  }

  /** @internal The shape of the statistics given (`mean`) or adapted, on the kept axes; `undefined` with neither. */
  get statisticsShape(): number[] | undefined {
    return this.#adapted?.dims ?? this.#givenMean?.shape;
  }

  /** Adds one batch to `moments` (made from the first batch's shape when `null`). */
  #batch(op: string, data: Tensor | NestedNumbers[], set: (m: Moments) => void, moments: Moments | null): void {
    const t = data instanceof Tensor ? data : makeTensor(op, data as number[]);
    try {
      const shape = t.shape;
      const ndim = shape.length;
      if (ndim < 1) throw new InvalidArgumentError(`${op}: data must be [samples, ...], got a scalar`);
      const keep = [...new Set(this.axis.map((a) => (a < 0 ? a + ndim : a)))].sort((a, b) => a - b);
      const bad = this.axis.find((a) => a < -ndim || a >= ndim || (a < 0 ? a + ndim : a) === 0);
      if (bad !== undefined) throw new InvalidArgumentError(`${op}: axis ${bad} ${bad < -ndim || bad >= ndim ? `is out of range for data of shape ${show(shape)} (axes ${-ndim} to ${ndim - 1})` : `is the batch axis for data of shape ${show(shape)}, whose first axis is the samples`}`);
      const dims = keep.map((k) => shape[k]);
      if (moments === null) {
        moments = new Moments(keep, dims);
        set(moments);
      } else if (show(moments.dims) !== show(dims) || moments.keep.length !== keep.length) {
        throw new InvalidArgumentError(`${op}: a batch of shape ${show(shape)} has ${show(dims)} on the kept axes, an earlier one ${show(moments.dims)}`);
      }
      moments.add(op, t.dataSync(), shape);
    } finally {
      if (t !== data) t.dispose();
    }
  }

  /** Stores the statistics and writes them into a model holding the layer. */
  #finish(op: string, moments: Moments | null): void {
    if (moments === null || moments.count === 0) throw new InvalidArgumentError(`${op}: the data hold no samples, so there is no mean or variance`);
    const m = moments;
    const variance = m.m2.map((s) => s / m.count);
    const at = locate(this);
    if (at) {
      const want = weightSpecs(op, at)[0].shape;
      if (show(want) !== show(m.dims)) throw new InvalidArgumentError(`${op}: layer ${this.name} was built with statistics of shape ${show(want)} on its kept axes, but the data have ${show(m.dims)} there`);
    } else {
      // Not built yet, but its input shape known (its inputShape, or a model's input before it):
      // data of another width would replace good statistics and fail only at the build.
      const want = this.#keptDims();
      if (want && (want.length !== m.dims.length || want.some((d, i) => d !== null && d !== m.dims[i]))) {
        const shape = this.inputShape as Array<number | null>;
        throw new InvalidArgumentError(
          `${op}: layer ${this.name} takes inputs of shape ${show(shape)}${this.batchInputShape ? ' (its inputShape)' : ' (where it is in a model)'}, ` +
            `${show(want)} on its kept axes (axis ${show(this.args.axis === undefined ? -1 : this.args.axis)}), but the data have ${show(m.dims)} there; adapt to data with the model's features`,
        );
      }
    }
    this.#adapted = { mean: m.mean, variance, dims: m.dims, sample: m.sample };
    if (at) this.#install(op);
  }

  /**
   * The kept axes' sizes of the input shape the layer is known to take before it is built
   * (`null` for an unknown size), or `null` when that shape is not known (or not one shape).
   */
  #keptDims(): Array<number | null> | null {
    let shape: unknown;
    try {
      shape = this.inputShape;
    } catch {
      return null;
    }
    if (!Array.isArray(shape) || shape.some((d) => d !== null && typeof d !== 'number')) return null;
    const ndim = shape.length;
    if (this.axis.some((a) => a < -ndim || a >= ndim || (a < 0 ? a + ndim : a) === 0)) return null;
    const keep = [...new Set(this.axis.map((a) => (a < 0 ? a + ndim : a)))].sort((a, b) => a - b);
    return keep.map((k) => shape[k] as number | null);
  }

  /**
   * Copies of the statistics, `[mean, variance]` (the caller owns them): from the model(s)
   * holding the layer once built, and otherwise, after {@link Normalization.adapt}, the adapted
   * ones in float32 with the kept axes' shape, as Keras 3's adapted layer (built by `adapt`)
   * returns them (without Keras's `count`, always 0). `[]` for a layer given `mean`/`variance`
   * and in no built model (Keras's has no weights), for one never adapted, and with
   * `trainableOnly` (the statistics are not trainable).
   */
  override getWeights(trainableOnly = false): Tensor[] {
    const held = super.getWeights(trainableOnly);
    const a = this.#adapted;
    if (held.length > 0 || trainableOnly || a === null) return held;
    return [tensor(Float32Array.from(a.mean), a.dims), tensor(Float32Array.from(a.variance), a.dims)];
  }

  /**
   * On symbolic tensors, as every layer: a graph model's node. On a tensor `[batch, ...]`
   * (Keras's eager `norm(x)`): the standardized (or, with `invert`, restored) tensor, the same
   * float32 operations as the layer in a model and so the same bits, with gradients to `x`
   * (`grad` sees the statistics as constants). The statistics are those of the model holding
   * the layer, else the adapted or given ones (given ones broadcast to `x`'s kept axes). A
   * layer with neither, or `x` whose kept axes differ from the statistics', is an error.
   *
   * @example
   * const norm = layers.normalization();
   * norm.adapt(xTrain);
   * const z = norm.apply(xTest); // (xTest − mean) / max(√variance, 1e-7)
   */
  override apply(inputs: SymbolicTensor | SymbolicTensor[], kwargs?: { training?: boolean | undefined }): SymbolicTensor;
  override apply(inputs: Tensor): Tensor;
  /** (A list of tensors is for merge layers: an error here, as the base class says.) */
  override apply(inputs: Tensor[]): Tensor;
  override apply(inputs: SymbolicTensor | SymbolicTensor[] | Tensor | Tensor[], kwargs?: { training?: boolean | undefined }): SymbolicTensor | Tensor {
    if (!(inputs instanceof Tensor)) return super.apply(inputs as SymbolicTensor[], kwargs);
    const op = 'normalization.apply';
    const x = inputs;
    x.handleFor(op, 'x');
    // A forgotten `await` on adapt(dataset): say so, not that the layer was never adapted.
    if (adapting.has(this)) throw new InvalidArgumentError(`${op}: layer ${this.name} is still reading its statistics: adapt(dataset) returns a promise (Keras's adapt is synchronous); await layer.adapt(dataset) before apply`);
    const shape = x.shape;
    const ndim = shape.length;
    if (ndim < 1) throw new InvalidArgumentError(`${op}: layer ${this.name}: x must be [batch, ...], got a scalar`);
    const bad = this.axis.find((a) => a < -ndim || a >= ndim || (a < 0 ? a + ndim : a) === 0);
    if (bad !== undefined) throw new InvalidArgumentError(`${op}: layer ${this.name}: axis ${bad} ${bad < -ndim || bad >= ndim ? `is out of range for x of shape ${show(shape)} (axes ${-ndim} to ${ndim - 1})` : `is the batch axis for x of shape ${show(shape)}`}`);
    const keep = [...new Set(this.axis.map((a) => (a < 0 ? a + ndim : a)))].sort((a, b) => a - b);
    const dims = keep.map((k) => shape[k]);
    const size = dims.reduce((p, q) => p * q, 1);
    // The model's statistics while one holding the layer lives, else the adapted or given ones.
    let stats = locate(this) ? super.getWeights() : [];
    const a = this.#adapted;
    if (stats.length === 0 && a !== null) stats = [tensor(Float32Array.from(a.mean), a.dims), tensor(Float32Array.from(a.variance), a.dims)];
    if (stats.length === 0 && this.#givenMean && this.#givenVariance) {
      stats = [tensor(Float32Array.from(broadcast(op, 'mean', this.#givenMean, dims, size)), dims), tensor(Float32Array.from(broadcast(op, 'variance', this.#givenVariance, dims, size)), dims)];
    }
    try {
      if (stats.length !== 2) throw new InvalidArgumentError(`${op}: layer ${this.name} has no mean and variance yet: call layer.adapt(data) on the training data (or give mean and variance when making it) first`);
      const [mean, variance] = stats;
      if (show(mean.shape) !== show(dims)) throw new InvalidArgumentError(`${op}: layer ${this.name}: x has shape ${show(shape)}, ${show(dims)} on the kept axes (axis ${show(this.axis)}), but the statistics have shape ${show(mean.shape)}`);
      if (mean.dataSync().some(Number.isNaN) || variance.dataSync().some(Number.isNaN)) {
        throw new InvalidArgumentError(`${op}: layer ${this.name} has no mean and variance yet: call layer.adapt(data) on the training data (or give mean and variance when making it) first`);
      }
      // The statistics broadcast over the reduced axes: [1, d1, 1, …] with the kept sizes.
      const at = shape.map((d, k) => (keep.includes(k) ? d : 1));
      return tidy(() => {
        const m = reshape(mean, at);
        const s = maximum(sqrt(reshape(variance, at)), EPSILON);
        // As the core: m + x·s inverted, (x − m) / s otherwise, each operation rounded to float32.
        return this.invert ? add(m, mul(x, s)) : div(sub(x, m), s);
      });
    } finally {
      stats.forEach((t) => t.dispose());
    }
  }

  /** @internal The statistics to write once a model holding the layer is built. */
  override afterBuild(): void {
    if (this.isAdapted) this.#install('build');
  }

  /** Writes the adapted or given statistics into the weights, broadcast to their shape. */
  #install(op: string): void {
    const at = locate(this);
    if (!at) return;
    const dims = weightSpecs(op, at)[0].shape;
    const size = dims.reduce((a, b) => a * b, 1);
    let mean: ArrayLike<number>;
    let variance: ArrayLike<number>;
    const a = this.#adapted;
    if (a) {
      if (show(a.dims) !== show(dims)) throw new InvalidArgumentError(`${op}: layer ${this.name} was adapted to data with ${show(a.dims)} on its kept axes, but is built for ${show(dims)} there`);
      [mean, variance] = [a.mean, a.variance];
    } else {
      const gm = this.#givenMean as Flat;
      mean = broadcast(op, 'mean', gm, dims, size);
      variance = broadcast(op, 'variance', this.#givenVariance as Flat, dims, size);
    }
    const ts = [tensor(Float32Array.from(mean), dims), tensor(Float32Array.from(variance), dims)];
    try {
      writeWeights(op, at, `layer ${this.name}`, ts, false);
    } finally {
      ts.forEach((t) => t.dispose());
    }
  }
}

/** Keras's broadcast of a given mean or variance to the kept axes' `dims`, aligned from the right. */
function broadcast(op: string, field: string, g: Flat, dims: readonly number[], size: number): Float64Array {
  const r = g.shape.length;
  const off = dims.length - r;
  for (let i = 0; i < r; i++) {
    if (g.shape[i] !== 1 && g.shape[i] !== dims[off + i]) {
      throw new InvalidArgumentError(`${op}: ${field} of shape ${show(g.shape)} does not broadcast to the kept axes' shape ${show(dims)} (aligned from the right)`);
    }
  }
  const out = new Float64Array(size);
  for (let f = 0; f < size; f++) {
    const pos = unflat(f, dims);
    let j = 0;
    for (let i = 0; i < r; i++) j = j * g.shape[i] + (g.shape[i] === 1 ? 0 : pos[off + i]);
    out[f] = g.values[j];
  }
  return out;
}
