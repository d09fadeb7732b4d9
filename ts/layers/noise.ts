/**
 * Training-time noise layers beyond `dropout` and `gaussianNoise`: `gaussianDropout`,
 * `alphaDropout` and `spatialDropout1d` (TF.js's and Keras's `GaussianDropout`, `AlphaDropout`
 * and `SpatialDropout1D`). Each is the identity at inference; in training its noise comes from
 * the model's seed, the step and the layer's position, so the same seed gives the same bits.
 * Mirror `crates/core/src/layers/gaussian_dropout.rs`, `alpha_dropout.rs` and `spatial_dropout.rs`.
 */
import { InvalidArgumentError } from '../errors.js';
import { show } from '../ops/convert.js';
import { checkNumber, CLASS_NAMES, fixedOption, Layer, showShape, type LayerArgs } from './layer.js';
import { seedArg } from './initializers.js';

/** Options of `layers.gaussianDropout` and `layers.alphaDropout`. */
export interface NoiseRateArgs extends LayerArgs {
  /** The drop probability, in [0, 1) (0: the identity). */
  rate: number;
}

const rateOf = (kind: string, r: unknown): number => checkNumber(kind, 'rate', r, (v) => v >= 0 && v < 1, 'a number in [0, 1)');

/**
 * Multiplies each value by noise from `N(1, rate / (1 − rate))` during training (multiplicative
 * Gaussian noise with the variance of dropout's; Srivastava et al. 2014); the identity at
 * inference. Its gradient is `dy` times the same noise.
 *
 * @example
 * layers.gaussianDropout({ rate: 0.2 })
 */
export class GaussianDropout extends Layer {
  /** @internal */
  readonly kind = 'gaussianDropout' as const;
  /** TF.js's class name, `'GaussianDropout'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.gaussianDropout;
  /** The rate: the noise's variance is `rate / (1 − rate)`. */
  readonly rate: number;
  constructor(args: NoiseRateArgs) {
    super('gaussianDropout', args, ['rate']);
    this.rate = rateOf('gaussianDropout', args.rate);
    fixedOption('gaussianDropout', this, 'rate');
  }
  /** @internal The ABI layout: `rate`. */
  abiParams(): number[] {
    return [this.rate];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate };
  }
}

/** Options of `layers.alphaDropout`. */
export interface AlphaDropoutArgs extends NoiseRateArgs {
  /** Only `null` (TF.js's default, which TF.js does not save): each value is dropped on its own. */
  noiseShape?: null | undefined;
}

/**
 * Dropout for self-normalizing (SELU) networks (Klambauer et al. 2017): in training each value
 * is kept with probability `1 − rate` or set to SELU's saturation `α' ≈ −1.7581`, then scaled
 * and shifted (`a·x + b`) so that a standardized input (mean 0, variance 1) keeps its mean and
 * variance. The identity at inference. Keras's formula; TF.js 4.22 sets the dropped values to
 * `+1.7581` instead (a sign slip), which shifts the mean (see the README's Porting table).
 *
 * @example
 * layers.alphaDropout({ rate: 0.1 }) // after dense layers with activation 'selu'
 */
export class AlphaDropout extends Layer {
  /** @internal */
  readonly kind = 'alphaDropout' as const;
  /** TF.js's class name, `'AlphaDropout'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.alphaDropout;
  /** The drop probability. */
  readonly rate: number;
  constructor(args: AlphaDropoutArgs) {
    super('alphaDropout', args, ['rate', 'noiseShape']);
    this.rate = rateOf('alphaDropout', args.rate);
    fixedOption('alphaDropout', this, 'rate');
  }
  /** @internal The ABI layout: `rate`. */
  abiParams(): number[] {
    return [this.rate];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate };
  }
}

/** Options of `layers.spatialDropout1d` (TF.js's `SpatialDropout1DLayerConfig`). */
export interface SpatialDropout1DArgs extends NoiseRateArgs {
  /**
   * Only `null` (what `getConfig()` writes, TF.js's default): the noise shape is always
   * `[batch, 1, channels]`, one draw per (sample, channel).
   */
  noiseShape?: null | undefined;
  /**
   * TF.js's per-layer seed, kept and saved with the layer so that files round-trip; it does not
   * choose the masks, which are drawn from the model's seed (`sequential({ seed, layers })`).
   */
  seed?: number | undefined;
}

/**
 * Dropout of whole channels of a sequence `[batch, steps, channels]` (Tompson et al. 2015): in
 * training each (sample, channel) is zeroed with probability `rate` at every step and the rest
 * scaled by `1/(1 − rate)`, TF.js's dropout with the noise shape `[batch, 1, channels]`; the
 * identity at inference. For sequences whose neighbouring steps are correlated (after an
 * embedding or a conv1d), where dropping single values regularizes little.
 *
 * @example
 * layers.spatialDropout1d({ rate: 0.2 }) // [b, steps, c] → [b, steps, c]
 */
export class SpatialDropout1D extends Layer {
  /** @internal */
  readonly kind = 'spatialDropout1d' as const;
  /** TF.js's class name, `'SpatialDropout1D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.spatialDropout1d;
  /** The probability of dropping a channel. */
  readonly rate: number;
  /** The seed given (TF.js's option, saved with the layer; the masks come from the model's seed). */
  readonly seed?: number;
  constructor(args: SpatialDropout1DArgs) {
    super('spatialDropout1d', args, ['rate', 'noiseShape', 'seed']);
    // Its input shape known here: the rank checked now, as a sequential model checks a conv1d's.
    if (this.inputDims !== undefined && this.inputDims.length !== 2) {
      throw new InvalidArgumentError(`spatialDropout1d: expects per-sample inputs of shape [steps, channels] (a batch [batch, steps, channels], as TF.js's SpatialDropout1D), got per-sample shape ${show(showShape(this.inputDims))} (its ${args.inputShape != null ? 'inputShape' : 'batchInputShape'})`);
    }
    this.rate = rateOf('spatialDropout1d', args.rate);
    fixedOption('spatialDropout1d', this, 'rate');
    const seed = seedArg('spatialDropout1d', args.seed);
    if (seed !== undefined) this.seed = seed;
  }
  /** @internal The ABI layout: `rate`. */
  abiParams(): number[] {
    return [this.rate];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, ...(this.seed !== undefined ? { seed: this.seed } : {}) };
  }
}
