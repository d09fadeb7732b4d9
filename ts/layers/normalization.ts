/** `batchNormalization`, `layerNormalization` and `prelu` (layers with their own weights). */
import { InvalidArgumentError } from '../errors.js';
import { boolArg, show } from '../ops/convert.js';
import { initializerAbi, type InitializerSpec } from './initializers.js';
import { checkNumber, CLASS_NAMES, Layer, type LayerArgs } from './layer.js';
import { regularizerAbi, type RegularizerSpec } from './regularizers.js';
import type { ConstraintSpec } from '../constraints.js';

/**
 * @internal Checks a normalization layer's `axis`: the last axis, as `-1` (TF.js's default) or,
 * when the layer's `inputShape` gives the rank, as its positive index (the batch axis is 0);
 * with `list`, also a list of one of them (TF.js's layerNormalization saves `[axis]`).
 * `undefined` is `-1`.
 */
export function lastAxisArg(kind: string, v: unknown, inputShape: readonly number[] | undefined, list: boolean): void {
  const ok = (a: unknown) => a === -1 || (inputShape !== undefined && a === inputShape.length);
  if (v === undefined || ok(v) || (list && Array.isArray(v) && v.length === 1 && ok(v[0]))) return;
  const positive = inputShape === undefined ? ' (a positive axis only when the input shape is known, to check that it is the last)' : ` or ${inputShape.length}`;
  throw new InvalidArgumentError(`${kind}: axis must be the last axis, -1${positive}: neurite normalizes over the last axis only, got ${show(v)}`);
}

/** Options of `layers.batchNormalization` (TF.js and Keras names and defaults). */
export interface BatchNormalizationArgs extends LayerArgs {
  /**
   * The features' axis: only the last, `-1` (the default), or its positive index when
   * `inputShape` gives the rank (`3` for `inputShape: [h, w, c]`).
   */
  axis?: number | undefined;
  /**
   * Moving-average momentum, the weight of the old average (Keras's and TF.js's: `moving =
   * momentum·moving + (1 − momentum)·batch`). Default 0.99. PyTorch's `momentum=0.1` is 0.9
   * here; the moving variance takes the batch's biased variance (TF.js's; PyTorch's is unbiased).
   */
  momentum?: number | undefined;
  /** Added to the variance. Default 1e-3. */
  epsilon?: number | undefined;
  /** Learn an offset β. Default `true`. */
  center?: boolean | undefined;
  /** Learn a scale γ. Default `true`. */
  scale?: boolean | undefined;
  /** Projects the beta (the offset) after each optimizer update (`constraints.maxNorm()`, `'nonNeg'`, …; Keras semantics). Default none. */
  betaConstraint?: ConstraintSpec | null | undefined;
  /** Projects the gamma (the scale) after each optimizer update (`constraints.maxNorm()`, `'nonNeg'`, …; Keras semantics). Default none. */
  gammaConstraint?: ConstraintSpec | null | undefined;
}

/** Options of `layers.layerNormalization` (TF.js and Keras names and defaults). */
export interface LayerNormalizationArgs extends LayerArgs {
  /** The axis normalized over: only the last, `-1` (the default) or `[-1]`, or its positive index when `inputShape` gives the rank. */
  axis?: number | number[] | undefined;
  /** Added to the variance. Default 1e-3. */
  epsilon?: number | undefined;
  /** Learn an offset β. Default `true`. */
  center?: boolean | undefined;
  /** Learn a scale γ. Default `true`. */
  scale?: boolean | undefined;
}

/**
 * Normalises each feature over the batch (training) or with moving statistics (inference).
 * After a mask (`layers.masking`, `embedding({ maskZero: true })`) it passes the mask on and, in
 * training, takes the batch mean and variance over the unmasked steps only, as Keras 3's
 * BatchNormalization (`Σ m·x / (Σ m + 1e-7)`; TF.js 4.22's ignores the mask); every step, masked
 * or not, is normalized with them, and the moving statistics follow them.
 */
export class BatchNormalization extends Layer {
  /** @internal */
  readonly kind = 'batchNormalization' as const;
  /** TF.js's class name, `'BatchNormalization'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.batchNormalization;
  /** The options given (for `getConfig`). */
  readonly args: BatchNormalizationArgs;
  constructor(args: BatchNormalizationArgs = {}) {
    super('batchNormalization', args, ['axis', 'momentum', 'epsilon', 'center', 'scale', 'betaConstraint', 'gammaConstraint']);
    this.args = args;
    lastAxisArg('batchNormalization', args.axis, this.inputDims, false);
    checkNumber('batchNormalization', 'momentum', args.momentum ?? 0.99, (m) => m >= 0 && m <= 1, 'a number in [0, 1]');
    checkNumber('batchNormalization', 'epsilon', args.epsilon ?? 1e-3, (e) => e > 0 && Number.isFinite(e), 'a positive number');
    boolArg('batchNormalization', 'center', args.center, true);
    boolArg('batchNormalization', 'scale', args.scale, true);
  }
  /** @internal */
  abiParams(): number[] {
    const a = this.args;
    return [a.momentum ?? 0.99, a.epsilon ?? 1e-3, a.center === false ? 0 : 1, a.scale === false ? 0 : 1];
  }
}

/** Normalises each sample over its last axis. */
export class LayerNormalization extends Layer {
  /** @internal */
  readonly kind = 'layerNormalization' as const;
  /** TF.js's class name, `'LayerNormalization'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.layerNormalization;
  /** The options given (for `getConfig`). */
  readonly args: LayerNormalizationArgs;
  constructor(args: LayerNormalizationArgs = {}) {
    super('layerNormalization', args, ['axis', 'epsilon', 'center', 'scale']);
    this.args = args;
    lastAxisArg('layerNormalization', args.axis, this.inputDims, true);
    checkNumber('layerNormalization', 'epsilon', args.epsilon ?? 1e-3, (e) => e > 0 && Number.isFinite(e), 'a positive number');
    boolArg('layerNormalization', 'center', args.center, true);
    boolArg('layerNormalization', 'scale', args.scale, true);
  }
  /** @internal */
  abiParams(): number[] {
    const a = this.args;
    return [a.epsilon ?? 1e-3, a.center === false ? 0 : 1, a.scale === false ? 0 : 1];
  }
}

/** Options of `layers.prelu` (TF.js and Keras names and defaults). */
export interface PReLUArgs extends LayerArgs {
  /** Initial slope for negative inputs. Default `'zeros'` (TF.js's and Keras's: the layer starts as a ReLU). */
  alphaInitializer?: InitializerSpec | undefined;
  alphaRegularizer?: RegularizerSpec | undefined;
  /** Projects the alpha after each optimizer update (`constraints.maxNorm()`, `'nonNeg'`, …; Keras semantics). Default none. */
  alphaConstraint?: ConstraintSpec | null | undefined;
  /**
   * The axes along which one slope is shared, counted as TF.js and Keras count them (the batch
   * is axis 0, so a sample's first axis is 1). Default none: one slope per value of a sample
   * (`[units]` after a dense layer; `[h, w, channels]` after a 2-D convolution). `[1, 2]` after a
   * convolution is one slope per channel; `[1]` on `[steps, channels]` one per channel for
   * sequences of any length.
   */
  sharedAxes?: number | number[] | null | undefined;
}

/**
 * Parametric ReLU: `x` for x > 0, `α·x` otherwise, with learnable slopes α shaped like a sample
 * with a 1 on each of `sharedAxes` (TF.js's and Keras's `PReLU`).
 *
 * @example
 * layers.prelu()                        // after dense(16): 16 slopes
 * layers.prelu({ sharedAxes: [1, 2] })  // after conv2d(…, filters 8): 8 slopes, one per channel
 */
export class PReLU extends Layer {
  /** @internal */
  readonly kind = 'prelu' as const;
  /** TF.js's class name, `'PReLU'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.prelu;
  /** The options given (for `getConfig`). */
  readonly args: PReLUArgs;
  /** The shared axes (1-based, sorted, each once), `null` for none. */
  readonly sharedAxes: number[] | null;
  constructor(args: PReLUArgs = {}) {
    super('prelu', args, ['alphaInitializer', 'alphaRegularizer', 'alphaConstraint', 'sharedAxes']);
    this.args = args;
    this.sharedAxes = sharedAxesArg('prelu', args.sharedAxes);
    this.abiParams();
  }
  /** @internal */
  abiParams(): number[] {
    const shared = this.sharedAxes ?? [];
    return [
      ...initializerAbi('prelu', 'alphaInitializer', this.args.alphaInitializer ?? 'zeros'),
      ...regularizerAbi('prelu', this.args.alphaRegularizer, 'alphaRegularizer'),
      shared.length,
      ...shared,
    ];
  }
}

/**
 * @internal A PReLU's `sharedAxes` (TF.js's and Keras's: an axis or a list of axes from 1):
 * sorted, each once, or `null` for none.
 */
export function sharedAxesArg(op: string, v: unknown): number[] | null {
  if (v === undefined || v === null) return null;
  const list = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(list) || !list.every((a) => Number.isInteger(a) && a >= 1 && a < 64)) {
    throw new InvalidArgumentError(`${op}: sharedAxes must be an axis or an array of axes, integers from 1 (axis 0 is the batch, which is always shared), got ${show(v)}`);
  }
  return list.length === 0 ? null : [...new Set(list as number[])].sort((a, b) => a - b);
}
