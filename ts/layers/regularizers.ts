/**
 * Weight and activity regularizers: `l1`, `l2`, `l1l2` (Keras names and defaults 0.01).
 * Penalty `l1·Σ|w| + l2·Σw²`. The activity regularizer `klSparsity` is for sparse
 * autoencoders. Mirrors `crates/core/src/regularizers.rs`.
 */
import { InvalidArgumentError } from '../errors.js';
import { add, mul } from '../ops/binary.js';
import { describe, show, type TensorLike } from '../ops/convert.js';
import { scalar } from '../ops/creation.js';
import { sum } from '../ops/reduce.js';
import { abs, square } from '../ops/unary.js';
import { readOptions, optionKeys } from '../options.js';
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
   * `regularizer.apply(x)`, its sums in its order; a zero coefficient's term left out).
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
  if (typeof weight !== 'number' || !Number.isFinite(Math.fround(weight)) || weight < 0) throw new InvalidArgumentError(`${op}: weight must be a finite number >= 0, got ${describe(weight)}`);
  return { kind: 'klSparsity', target, weight };
}

function klSparsity(options?: { target?: number | undefined; weight?: number | undefined }): KlSparsityRegularizer {
  const o = readOptions('regularizers.klSparsity', options, { target: 0.05, weight: 3 });
  return klChecked('regularizers.klSparsity', o.target, o.weight);
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
 */
export const regularizers = {
  /** The penalty `l1·Σ|w|` (default `l1` 0.01). @example regularizers.l1({ l1: 1e-4 }) */
  l1: (options?: { l1?: number | undefined }) => make('regularizers.l1', readOptions('regularizers.l1', keras('l1', options), { l1: 0.01 }).l1, 0),
  /** The penalty `l2·Σw²` (default `l2` 0.01). @example regularizers.l2({ l2: 1e-4 }) */
  l2: (options?: { l2?: number | undefined }) => make('regularizers.l2', 0, readOptions('regularizers.l2', keras('l2', options), { l2: 0.01 }).l2),
  /** The penalty `l1·Σ|w| + l2·Σw²` (defaults 0.01 each). */
  l1l2: (options?: { l1?: number | undefined; l2?: number | undefined }) => {
    const o = readOptions('regularizers.l1l2', keras('l1l2', options), { l1: 0.01, l2: 0.01 });
    return make('regularizers.l1l2', o.l1, o.l2);
  },
  /**
   * Sparsity for autoencoder codes, as an `activityRegularizer`: adds
   * `weight · Σ_j KL(ρ ‖ ρ̂_j)` to the loss, where `ρ = target`, `ρ̂_j` is the mean activation
   * of unit `j` over the batch and `KL(ρ ‖ ρ̂) = ρ·ln(ρ/ρ̂) + (1 − ρ)·ln((1 − ρ)/(1 − ρ̂))`
   * (Ng, "Sparse autoencoder", CS294A notes). Already a mean over the batch, so it is not
   * divided by the batch size. Needs activations in (0, 1): the layer's activation must be
   * `'sigmoid'`, `'hardSigmoid'` or `'softmax'` (anything else is an InvalidArgumentError when
   * the model is built); `ρ̂` is clamped to [1e-6, 1 − 1e-6] so a dead unit stays finite.
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
