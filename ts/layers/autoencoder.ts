/**
 * Layers for autoencoders: `saltAndPepper` (masking noise for denoising autoencoders) and
 * `variational` (the sampling layer of a VAE). Mirror `crates/core/src/layers/salt_and_pepper.rs`
 * and `variational.rs`.
 */
import { call, check, outPtr, readOut, writeArgs } from '../engine.js';
import type { RawExports } from '../wasm/exports.js';
import { InvalidArgumentError } from '../errors.js';
import { intArg, need } from '../ops/convert.js';
import { wrapHandle, type Tensor } from '../tensor.js';
import { checkNumber, CLASS_NAMES, fixedOption, Layer, locate, MAX_UNITS, type LayerArgs } from './layer.js';

/** Options of {@link SaltAndPepper}. */
export interface SaltAndPepperArgs extends LayerArgs {
  /** Fraction of the inputs replaced during training, in [0, 1]. */
  rate: number;
  /** The "pepper" value. Default 0. */
  low?: number | undefined;
  /** The "salt" value. Default 1. */
  high?: number | undefined;
}

/**
 * Salt-and-pepper noise: during training each input is replaced, with probability `rate`, by
 * `low` or `high` (half each); the rest pass unchanged. Identity at inference. The mask is
 * drawn per step from the model seed, so training is reproducible. The gradient flows only
 * through the inputs that were kept (a replaced input is a constant).
 *
 * @example
 * // A denoising autoencoder: corrupt 20% of the pixels, reconstruct the clean image.
 * sequential({ layers: [layers.saltAndPepper({ inputShape: [784], rate: 0.2 }), layers.dense({ units: 32, activation: 'relu' }), layers.dense({ units: 784, activation: 'sigmoid' })] })
 */
export class SaltAndPepper extends Layer {
  /** @internal */
  readonly kind = 'saltAndPepper' as const;
  /** TF.js's class name, `'SaltAndPepper'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.saltAndPepper;
  /** The probability of replacing an input in training, in [0, 1]. */
  readonly rate: number;
  /** The "pepper" value (default 0). */
  readonly low: number;
  /** The "salt" value (default 1). */
  readonly high: number;
  constructor(args: SaltAndPepperArgs) {
    super('saltAndPepper', args, ['rate', 'low', 'high']);
    this.rate = checkNumber('saltAndPepper', 'rate', args?.rate, (r) => r >= 0 && r <= 1, 'a number in [0, 1]');
    fixedOption('saltAndPepper', this, 'rate');
    const finite = (f: string, v: unknown, def: number) => (v === undefined ? def : checkNumber('saltAndPepper', f, v, (x) => Number.isFinite(Math.fround(x)), 'a finite number'));
    this.low = finite('low', args.low, 0);
    this.high = finite('high', args.high, 1);
    if (this.low > this.high) throw new InvalidArgumentError(`saltAndPepper: low (${this.low}) must not exceed high (${this.high})`);
  }
  /** @internal */
  abiParams(): number[] {
    return [this.rate, this.low, this.high];
  }
}

/** Options of {@link Variational}. */
export interface VariationalArgs extends LayerArgs {
  /** Size of the latent code (positive integer). */
  units: number;
  /** Weight β of the KL term added to the loss (>= 0). Default 1 (the ELBO). Settable later: {@link Variational.klWeight}. */
  klWeight?: number | undefined;
}

/** The mean and log-variance of a variational layer's Gaussian. */
export interface Distribution {
  mean: Tensor;
  logVar: Tensor;
}

/**
 * The sampling layer of a variational autoencoder (Kingma & Welling 2014). Two dense heads map
 * the input to a mean `μ` and a log-variance `log σ²` (`units` each). In training the output
 * is `z = μ + exp(½·log σ²)·ε` with `ε ~ N(0, I)` drawn per step from the model seed; at
 * inference it is `μ`. The layer adds `klWeight · KL(N(μ, σ²) ‖ N(0, I))`, with
 * `KL = −½ Σ_units (1 + log σ² − μ² − σ²)` per sample averaged over the batch, to the loss;
 * `fit`'s logs and history report that weighted term, `klWeight · KL`, as `kl` and `val_kl`
 * (`evaluate` gives the loss, which includes it). Divide by `klWeight` for the KL itself, e.g.
 * in a β-VAE; at `klWeight` 0 (where annealing starts) compute it from `encodeDistribution`'s
 * `μ` and `log σ²` with the formula above. Gradients flow through the sample
 * (reparameterisation) and the KL. Weights: `mean_kernel`, `mean_bias`, `log_var_kernel`,
 * `log_var_bias` (Glorot-uniform kernels, zero biases).
 *
 * @example
 * const encoder = sequential({ layers: [layers.dense({ inputShape: [784], units: 400, activation: 'relu' }), layers.variational({ units: 20 })] });
 */
export class Variational extends Layer {
  /** @internal */
  readonly kind = 'variational' as const;
  /** TF.js's class name, `'Variational'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.variational;
  /** The code size (the mean, the log-variance and the sample each have `units` values). */
  readonly units: number;
  /**
   * The weight β of the KL term added to the loss (default 1: the ELBO), a finite number >= 0.
   * Assigning it changes β for every model holding the layer from the next training step on
   * (also from a callback during `fit`: KL annealing, a β-VAE warm-up, as a `keras.Variable`
   * assigned in `on_epoch_begin`); `getConfig()` and saving write the current value. The `kl`
   * that `fit` reports is the weighted term, so it is 0 while β is 0.
   *
   * @example
   * // Warm-up (Bowman et al. 2016, https://arxiv.org/abs/1511.06349): β from 0 to 1 over 10 epochs.
   * const sampler = layers.variational({ units: 20, klWeight: 0 });
   * await vae.fit(x, { epochs: 30, callbacks: { onEpochBegin: (epoch) => { sampler.klWeight = Math.min(1, epoch / 10); } } });
   */
  get klWeight(): number {
    return this.#klWeight;
  }
  set klWeight(w: number) {
    const v = checkKlWeight(`klWeight of layer ${this.name}`, w);
    const at = locate(this);
    if (at) call((e) => check(e.nr_model_set_kl_weight(at.handle, writeArgs('klWeight', at.path), at.path.length, v)));
    this.#klWeight = v;
  }
  #klWeight: number;
  constructor(args: VariationalArgs) {
    super('variational', args, ['units', 'klWeight']);
    if (!args || typeof args !== 'object') throw new InvalidArgumentError('variational: expected an options object like { units: 2 }');
    this.units = intArg('variational', 'units', args.units, 1, MAX_UNITS);
    this.#klWeight = checkKlWeight('klWeight', args.klWeight ?? 1);
  }
  /** @internal */
  abiParams(): number[] {
    return [this.units, this.klWeight];
  }

  /**
   * The mean and log-variance of the code for `x`, the input of this layer
   * (`[batch, ..., inputFeatures]`), with the layer's weights (shared by every model holding
   * it). For a model's own input use `model.encodeDistribution(x)`. The caller owns both tensors.
   */
  encodeDistribution(x: Tensor): Distribution {
    const at = locate(this);
    if (!at) throw new InvalidArgumentError(`encodeDistribution: layer ${this.name} has no weights yet (or no live model holds it); add it to a model and build it (compile, fit or predict) first`);
    const hx = need('encodeDistribution', 'x', x);
    return distribution((e) => e.nr_model_layer_distribution(at.handle, writeArgs('encodeDistribution', at.path), at.path.length, hx, outPtr(0)));
  }
}

/** `w` when it is a finite number >= 0 in float32, else an error naming `field` and `w`. */
function checkKlWeight(field: string, w: unknown): number {
  return checkNumber('variational', field, w, (x) => Number.isFinite(Math.fround(x)) && x >= 0, 'a finite number >= 0');
}

/** @internal Runs an export that writes two tensor handles to out-slots 0 and 1. */
export function distribution(f: (e: RawExports) => number): Distribution {
  return call((e) => {
    check(f(e));
    return { mean: wrapHandle(readOut(0)), logVar: wrapHandle(readOut(1)) };
  });
}
