/**
 * Weight and activity regularizers: `l1`, `l2`, `l1l2` (Keras names and defaults 0.01).
 * Penalty `l1·Σ|w| + l2·Σw²` (divided by the batch size as an activity regularizer in
 * `fit`/`evaluate`; `apply` is the undivided sum). The activity regularizer `klSparsity` is for
 * sparse autoencoders. Mirrors `crates/core/src/regularizers.rs`.
 */
import { InvalidArgumentError } from '../errors.js';
import { add, mul } from '../ops/binary.js';
import { describe, show, withTensors, type TensorLike } from '../ops/convert.js';
import { scalar } from '../ops/creation.js';
import { sum } from '../ops/reduce.js';
import { abs, square } from '../ops/unary.js';
import { readOptions, optionKeys } from '../options.js';
import { runOp } from '../ops/run.js';
import { tidy } from '../scope.js';
import type { Scalar } from '../tensor.js';

/** A weight regularizer's coefficients: the penalty `l1·Σ|w| + l2·Σw²` (made by `regularizers.l1`, `l2`, `l1l2`). */
export interface Regularizer {
  /** The L1 coefficient (of `Σ|w|`), >= 0. */
  readonly l1: number;
  /** The L2 coefficient (of `Σw²`), >= 0. */
  readonly l2: number;
}
/**
 * A regularizer made by `regularizers.l1`, `l2` or `l1l2`: its coefficients, and TF.js's
 * methods (its `L1L2` class), so a custom loop adds a penalty as in TF.js:
 * `loss = add(loss, regularizers.l2({ l2: 1e-4 }).apply(table))`.
 */
export class L1L2 implements Regularizer {
  /** TF.js's and Keras's class name. */
  static readonly className = 'L1L2';
  /** @internal Use the factories (`regularizers.l1l2({ l1, l2 })`), which check the coefficients. */
  constructor(
    /** The L1 coefficient (of `Σ|w|`), >= 0. */
    readonly l1: number,
    /** The L2 coefficient (of `Σw²`), >= 0. */
    readonly l2: number,
  ) {}

  /**
   * The penalty of `x`, `Σ l1·|x| + Σ l2·x²`, a scalar on the tape (TF.js's
   * `regularizer.apply(x)`, its sums in its order; a zero coefficient's term left out). This is
   * the undivided sum: as a layer's `activityRegularizer`, `fit`, `evaluate` and the validation
   * divide it by the batch size (the first axis), as Keras 3 (`divide_no_nan(loss, batch_size)`)
   * and TF.js, so `regularization` there is `apply(y) / y.shape[0]` for the layer's output `y`.
   * @example const loss = add(dataLoss, regularizers.l2({ l2: 1e-4 }).apply(userTable));
   */
  apply(x: TensorLike): Scalar {
    return tidy(() => {
      let penalty = scalar(0);
      if (this.l1 !== 0) penalty = add(penalty, sum(mul(scalar(this.l1), abs(x))));
      if (this.l2 !== 0) penalty = add(penalty, sum(mul(scalar(this.l2), square(x))));
      return penalty as Scalar;
    });
  }

  /** `{ l1, l2 }`, TF.js's config. */
  getConfig(): { l1: number; l2: number } {
    return { l1: this.l1, l2: this.l2 };
  }

  /** `'L1L2'`, as TF.js. */
  getClassName(): string {
    return L1L2.className;
  }
}

/** What `kernelRegularizer` and the other regularizer options accept: a {@link Regularizer}, or a name for Keras's default 0.01. */
export type RegularizerSpec = Regularizer | 'l1' | 'l2' | 'l1l2';

/** The KL sparsity activity regularizer (see {@link regularizers}.klSparsity). */
export interface KlSparsityRegularizer {
  readonly kind: 'klSparsity';
  /** The target mean activation ρ, in (0, 1). */
  readonly target: number;
  /** The weight β, >= 0. */
  readonly weight: number;
}

/** What `activityRegularizer` accepts. */
export type ActivityRegularizerSpec = RegularizerSpec | KlSparsityRegularizer;

/** Checks klSparsity's target and weight; `op` names the factory or the layer option. */
function klChecked(op: string, target: unknown, weight: unknown): KlSparsityRegularizer {
  if (typeof target !== 'number' || !(target > 0 && target < 1)) throw new InvalidArgumentError(`${op}: target must be a number in (0, 1), got ${describe(target)}`);
  // The core holds it in float32: 0.99999999 would become 1 (and 1e-46 0) there, refused only
  // at compile ("klSparsity: target must be in (0, 1), got 1").
  const t32 = Math.fround(target);
  if (!(t32 > 0 && t32 < 1)) throw new InvalidArgumentError(`${op}: target must be a number in (0, 1), got ${describe(target)}, which rounds to ${t32} in float32 (neurite computes in float32)`);
  if (typeof weight !== 'number' || !Number.isFinite(Math.fround(weight)) || weight < 0) throw new InvalidArgumentError(`${op}: weight must be a finite number >= 0, got ${describe(weight)}`);
  return { kind: 'klSparsity', target, weight };
}

/** klSparsity's spec with TF.js's regularizer methods (its keys stay `kind`, `target`, `weight`). */
class KlSparsity implements KlSparsityRegularizer {
  static readonly className = 'neurite>KlSparsity';
  // Declared in this order, so the own keys read as a hand-made spec's: kind, target, weight.
  readonly kind: 'klSparsity';
  readonly target: number;
  readonly weight: number;
  constructor(target: number, weight: number) {
    this.kind = 'klSparsity';
    this.target = target;
    this.weight = weight;
  }

  apply(x: TensorLike): Scalar {
    const op = 'klSparsity.apply';
    // The core's penalty and its backward rule, those of `fit` (crates/core/src/regularizers.rs).
    return withTensors(op, { x }, ({ x: t }) => {
      const h = t.handleFor(op, 'x');
      return runOp((e, out) => e.nr_kl_sparsity(this.target, this.weight, h, out)) as Scalar;
    });
  }

  getConfig(): { target: number; weight: number } {
    return { target: this.target, weight: this.weight };
  }

  getClassName(): string {
    return KlSparsity.className;
  }
}

/**
 * What `regularizers.klSparsity` returns: the spec (`{ kind, target, weight }`, its own keys,
 * so a spread or a hand-made object is the same option) and, as TF.js's regularizer classes,
 * `apply(x)`, `getConfig()` and `getClassName()` (written out here, not named, so that a
 * library's declarations can name it).
 */
function klSparsity(options?: { target?: number | undefined; weight?: number | undefined }): KlSparsityRegularizer & {
  /**
   * The penalty the core adds for a layer output `x` (`[..., units]`), a scalar on the tape:
   * `weight · Σ_j KL(ρ ‖ ρ̂_j)` with `ρ̂_j` the mean of unit `j` over every axis but the last
   * (`n·T` rows for `[n, T, units]`) and clamped to [1e-6, 1 − 1e-6], as `evaluate`'s
   * `regularization` for that batch (klSparsity is a mean already: `fit` and `evaluate` do not
   * divide it by the batch size, unlike l1/l2): the core computes it (in float64 from the
   * float32 values, `target` and `weight` taken in float32) and records it on the tape with
   * the backward rule `fit` uses: `∂/∂x_ij = weight·(−ρ/ρ̂_j + (1 − ρ)/(1 − ρ̂_j)) / rows` at
   * the *unclamped* ρ̂ (floored at 1e-30 only, so a dead unit, ρ̂ < 1e-6, is still pulled
   * back; kept within float32's range). So the gradient is *not* that of the clamped value:
   * central differences of `apply` give 0 for a unit outside the clamp, where this gives the
   * unclamped KL's derivative. A unit whose mean lies outside [0, 1] (a tanh or linear
   * output) is an error: KL sparsity is for activations in [0, 1]. A weight of 0 gives a
   * constant 0, as TF.js's `l1l2({ l1: 0, l2: 0 }).apply`.
   * @example const loss = add(reconLoss, regularizers.klSparsity({ target: 0.05, weight: 3 }).apply(codes));
   */
  apply(x: TensorLike): Scalar;
  /** `{ target, weight }`, the config saved files hold. */
  getConfig(): { target: number; weight: number };
  /** `'neurite>KlSparsity'`, the class name saved files hold (TF.js does not know it). */
  getClassName(): string;
} {
  const o = readOptions('regularizers.klSparsity', options, { target: 0.05, weight: 3 });
  const r = klChecked('regularizers.klSparsity', o.target, o.weight);
  return new KlSparsity(r.target, r.weight);
}

/** Keras's positional `l2(0.002)`: said with the options form to use (it was "options must be an object"). */
function keras<T>(name: 'l1' | 'l2' | 'l1l2', options: T): T {
  if (typeof options !== 'number') return options;
  const key = name === 'l2' ? 'l2' : 'l1';
  throw new InvalidArgumentError(`regularizers.${name}: options must be an object, got ${options}; Keras's first argument is the ${key} option here: regularizers.${name}({ ${key}: ${options} })`);
}

function make(op: string, l1: unknown, l2: unknown): L1L2 {
  for (const [k, v] of [['l1', l1], ['l2', l2]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(Math.fround(v)) || v < 0) throw new InvalidArgumentError(`${op}: ${k} must be a finite number >= 0, got ${describe(v)}`);
  }
  return new L1L2(l1 as number, l2 as number);
}

/**
 * Regularizer factories, as `tf.regularizers`. The options are checked here: an options object
 * (or nothing) with finite numbers >= 0; unknown options, `null` or a non-object throw an error
 * naming the factory.
 *
 * As a weight regularizer (`kernelRegularizer`, `biasRegularizer`) `l1`/`l2`/`l1l2` add their
 * penalty as is. As an `activityRegularizer` they penalize the layer's output `y` and `fit`,
 * `evaluate` and the validation divide that penalty by the batch size (`y`'s first axis), as
 * Keras 3 (`divide_no_nan(loss, batch_size)`) and TF.js; `reg.apply(y)` is the undivided sum.
 * `klSparsity` is a mean over the rows already and is not divided.
 */
export const regularizers = {
  /**
   * The penalty `l1·Σ|w|` (default `l1` 0.01). As an `activityRegularizer`, divided by the batch
   * size in `fit`/`evaluate`; `.apply(x)` is the undivided sum.
   * @example regularizers.l1({ l1: 1e-4 })
   */
  l1: (options?: { l1?: number | undefined }) => make('regularizers.l1', readOptions('regularizers.l1', keras('l1', options), { l1: 0.01 }).l1, 0),
  /**
   * The penalty `l2·Σw²` (default `l2` 0.01). As an `activityRegularizer`, divided by the batch
   * size in `fit`/`evaluate`; `.apply(x)` is the undivided sum.
   * @example regularizers.l2({ l2: 1e-4 })
   */
  l2: (options?: { l2?: number | undefined }) => make('regularizers.l2', 0, readOptions('regularizers.l2', keras('l2', options), { l2: 0.01 }).l2),
  /**
   * The penalty `l1·Σ|w| + l2·Σw²` (defaults 0.01 each). As an `activityRegularizer`, divided by
   * the batch size in `fit`/`evaluate`; `.apply(x)` is the undivided sum.
   */
  l1l2: (options?: { l1?: number | undefined; l2?: number | undefined }) => {
    const o = readOptions('regularizers.l1l2', keras('l1l2', options), { l1: 0.01, l2: 0.01 });
    return make('regularizers.l1l2', o.l1, o.l2);
  },
  /**
   * Sparsity for autoencoder codes, as an `activityRegularizer`: adds
   * `weight · Σ_j KL(ρ ‖ ρ̂_j)` to the loss, where `ρ = target` (default 0.05), `weight` β
   * (default 3), `ρ̂_j` is the mean activation of unit `j` over every axis of the output but the
   * last (the batch; for a dense layer on sequences `[n, T, units]`, all `n·T` rows) and
   * `KL(ρ ‖ ρ̂) = ρ·ln(ρ/ρ̂) + (1 − ρ)·ln((1 − ρ)/(1 − ρ̂))` (Ng, "Sparse autoencoder", CS294A
   * notes). Already a mean over the batch, so it is not divided by the batch size (unlike
   * l1/l2); being a function of a batch mean, its value depends on the batches it is computed
   * on: `fit` logs the mean over its batches, `evaluate` over batches of its own `batchSize`
   * (default 32) and the validation over batches of `fit`'s, so the same weights give another
   * `regularization` at another batch size (larger with smaller batches, whose means are
   * noisier). Needs activations in (0, 1):
   * the layer's activation must be `'sigmoid'`, `'hardSigmoid'` or `'softmax'` (anything else
   * is an InvalidArgumentError when the model is built). The value clamps `ρ̂` to
   * [1e-6, 1 − 1e-6] so a dead unit stays finite; the gradient is taken at the unclamped `ρ̂`
   * (floored at 1e-30), so a dead sigmoid unit is still pulled back (its bias by about
   * `weight·ρ·learningRate` per SGD step). `target` must be in (0, 1) in float32 too
   * (0.99999999 rounds to 1 and is refused). `.apply(x)` gives the same penalty for an output
   * `x`, on the tape, for a custom loop.
   *
   * @example layers.dense({ units: 32, activation: 'sigmoid', activityRegularizer: regularizers.klSparsity({ target: 0.05, weight: 3 }) })
   */
  klSparsity,
};

/** @internal `[l1, l2]` for the ABI (zeros when absent); `field` names the option in errors. */
export function regularizerAbi(op: string, spec: RegularizerSpec | undefined | null, field = 'regularizer'): number[] {
  if (spec == null) return [0, 0];
  if (spec === 'l1') return [0.01, 0];
  if (spec === 'l2') return [0, 0.01];
  if (spec === 'l1l2') return [0.01, 0.01];
  if (typeof spec === 'object' && !Array.isArray(spec) && (spec as { kind?: unknown }).kind === 'klSparsity') {
    throw new InvalidArgumentError(`${op}: ${field}: klSparsity is an activity regularizer; pass it as activityRegularizer, not as a weight regularizer`);
  }
  if (typeof spec !== 'object' || Array.isArray(spec) || typeof spec.l1 !== 'number' || typeof spec.l2 !== 'number') {
    throw new InvalidArgumentError(`${op}: ${field} must be 'l1', 'l2', 'l1l2' or regularizers.l1l2({...}), got ${show(spec)}`);
  }
  for (const k of optionKeys(op, spec)) {
    if (k !== 'l1' && k !== 'l2') throw new InvalidArgumentError(`${op}: ${field} has an unknown key '${k}' (a regularizer is { l1, l2 }), got ${show(spec)}`);
  }
  const r = make(`${op}: ${field}`, spec.l1, spec.l2);
  return [r.l1, r.l2];
}

/**
 * @internal A norm activity regularizer for the ABI, `[l1, l2]` (the convolutions': klSparsity,
 * a per-unit mean activation, is dense's only).
 */
export function normActivityAbi(op: string, spec: RegularizerSpec | undefined | null): number[] {
  if (spec != null && typeof spec === 'object' && !Array.isArray(spec) && (spec as { kind?: unknown }).kind === 'klSparsity') {
    throw new InvalidArgumentError(`${op}: activityRegularizer: klSparsity is for dense layers only; a convolution takes 'l1', 'l2', 'l1l2' or regularizers.l1l2({...})`);
  }
  return regularizerAbi(op, spec, 'activityRegularizer');
}

/**
 * @internal An activity regularizer for the ABI: `[l1, l2]` for a norm penalty, or
 * `[0, 0, target, weight]` for klSparsity (the core reads the trailing pair when present).
 */
export function activityRegularizerAbi(op: string, spec: ActivityRegularizerSpec | undefined | null, field = 'activityRegularizer'): number[] {
  if (spec != null && typeof spec === 'object' && !Array.isArray(spec) && (spec as { kind?: unknown }).kind === 'klSparsity') {
    const k = spec as KlSparsityRegularizer;
    for (const key of Object.keys(k)) {
      if (key !== 'kind' && key !== 'target' && key !== 'weight') throw new InvalidArgumentError(`${op}: ${field} has an unknown key '${key}' (klSparsity is { kind, target, weight }), got ${show(spec)}`);
    }
    const r = klChecked(`${op}: ${field}`, k.target, k.weight);
    return [0, 0, r.target, r.weight];
  }
  return regularizerAbi(op, spec as RegularizerSpec | undefined | null, field);
}
