/**
 * 1-D layers over sequences, channels last (`[batch, steps, channels]`, TF.js's layout):
 * `conv1d` (with TF.js's `'causal'` padding), `conv1dTranspose` (Keras 3's; TF.js has none),
 * `maxPooling1d`, `averagePooling1d`, `globalMaxPooling1d`, `globalAveragePooling1d`. Each runs
 * the 2-D layer on every sample as an image one row high (`crates/core/src/layers/one_d.rs`);
 * conv1d's kernel is TF.js's `[kernelSize, inChannels, filters]`, conv1dTranspose's Keras's
 * `[kernelSize, filters, inChannels]`.
 */
import { InvalidArgumentError } from '../errors.js';
import type { ActivationSpec } from './activation_abi.js';
import { intArg, show } from '../ops/convert.js';
import { CLASS_NAMES, KernelLayer, Layer, type LayerArgs } from './layer.js';
import { channelsLast, convAbi, type Conv2DArgs } from './convolutional.js';

/** The layout of sequences, for messages. */
const STEPS = '[batch, steps, channels]';

/** `n` or `[n]` (TF.js takes both), a positive integer up to 65536. */
function single(op: string, arg: string, v: unknown, def?: number): number {
  if (v === undefined && def !== undefined) return def;
  const n = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (Array.isArray(v) && v.length !== 1) throw new InvalidArgumentError(`${op}: ${arg} must be a positive integer or a list of one, got ${show(v)}`);
  return intArg(op, arg, n, 1, 65536);
}


/** The options and window conv1d and conv1dTranspose share (the core's `Conv2dConfig`, one row high). */
abstract class BaseConv1D extends KernelLayer {
  /** Output channels. */
  readonly filters: number;
  /** The window length. */
  readonly kernelSize: number;
  /** The step between windows (conv1dTranspose: of the convolution it is the adjoint of, the upsampling factor). */
  readonly strides: number;
  /** The spacing of the window's taps (1: contiguous). */
  readonly dilationRate: number;
  /** The activation applied to the convolution plus bias. */
  readonly activation: ActivationSpec;
  /** The options given (for `getConfig`). */
  readonly args: Conv1DArgs | Conv1DTransposeArgs;
  /** `example`: a call that works, for the message when `kernelSize` is missing. */
  protected constructor(op: 'conv1d' | 'conv1dTranspose', args: Conv1DArgs | Conv1DTransposeArgs, keys: string[], example: string) {
    super(op, args, keys);
    this.filters = intArg(op, 'filters', args.filters, 1, 2 ** 24 - 1);
    if (args.kernelSize === undefined) throw new InvalidArgumentError(`${op}: kernelSize is required, e.g. ${example}`);
    this.kernelSize = single(op, 'kernelSize', args.kernelSize);
    this.strides = single(op, 'strides', args.strides, 1);
    this.dilationRate = single(op, 'dilationRate', args.dilationRate, 1);
    this.activation = args.activation ?? 'linear';
    this.args = args;
  }
  /** The `Conv2dConfig` of the window `[1, kernelSize]` (after each layer's own first values). */
  protected windowAbi(op: string, same: boolean): number[] {
    return convAbi(op, this.args, this.filters, [1, this.kernelSize], [1, this.strides], [1, this.dilationRate], same, this.activation);
  }
}

/** conv1d's options: conv2d's weight options, with one number per option where conv2d takes a pair. */
export interface Conv1DArgs extends Omit<Conv2DArgs, 'kernelSize' | 'strides' | 'padding' | 'dataFormat' | 'dilationRate'> {
  /** Window length, `n` or `[n]`. */
  kernelSize: number | [number];
  /** Step between windows. Default 1. */
  strides?: number | [number] | undefined;
  /** `'valid'` (default), `'same'`, or `'causal'`: `(kernelSize − 1)·dilationRate` zero steps before the first, so step t sees inputs up to t only. */
  padding?: 'valid' | 'same' | 'causal' | undefined;
  /** Only `'channelsLast'` (the default). */
  dataFormat?: 'channelsLast' | undefined;
  /** Spacing between the window's taps. Default 1. */
  dilationRate?: number | [number] | undefined;
}

/**
 * A 1-D convolution: `[batch, steps, in]` → `[batch, outSteps, filters]`.
 *
 * @example
 * layers.conv1d({ inputShape: [100, 1], filters: 8, kernelSize: 5, padding: 'causal', activation: 'relu' })
 */
export class Conv1D extends BaseConv1D {
  readonly kind = 'conv1d' as const;
  /** TF.js's class name, `'Conv1D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.conv1d;
  /** `'valid'` (no padding), `'same'` (output length `ceil(n / strides)`) or `'causal'` (left padding only). */
  readonly padding: 'valid' | 'same' | 'causal';
  /** The options given (for `getConfig`). */
  declare readonly args: Conv1DArgs;
  constructor(args: Conv1DArgs) {
    const op = 'conv1d';
    super(op, args, ['filters', 'kernelSize', 'strides', 'padding', 'dataFormat', 'dilationRate', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint'], 'conv1d({ filters: 8, kernelSize: 3 })');
    const p = args.padding ?? 'valid';
    if (p !== 'valid' && p !== 'same' && p !== 'causal') throw new InvalidArgumentError(`${op}: padding must be 'valid', 'same' or 'causal', got ${show(p)}`);
    this.padding = p;
    channelsLast(op, args.dataFormat, STEPS);
    this.abiParams();
  }
  abiParams(): number[] {
    return [this.padding === 'causal' ? 1 : 0, ...this.windowAbi('conv1d', this.padding === 'same')];
  }
}

/** conv1dTranspose's options: conv1d's (without `'causal'` padding), with Keras 3's `outputPadding`. */
export interface Conv1DTransposeArgs extends Omit<Conv1DArgs, 'padding'> {
  /** `'valid'` (default) or `'same'`. */
  padding?: 'valid' | 'same' | undefined;
  /**
   * Keras 3's `output_padding`: steps added at the end of the output, a non-negative integer
   * below `strides` (`n` or `[n]`); the output then has `(n − 1)·strides + k_eff − 2·pad +
   * outputPadding` steps (`pad` is `⌊k_eff / 2⌋` with `'same'`, 0 with `'valid'`; `k_eff =
   * (kernelSize − 1)·dilationRate + 1`). Default `null`: `n·strides` steps with `'same'`,
   * `n·strides + max(k_eff − strides, 0)` with `'valid'`.
   */
  outputPadding?: number | [number] | null | undefined;
}

/**
 * A transposed 1-D convolution ("deconvolution", Keras 3's `Conv1DTranspose`; TF.js has no such
 * layer): `activation(conv1dTranspose(x, W) + b)`, the adjoint of a conv1d with the same kernel,
 * strides, dilation and padding: the decoder half of a 1-D convolutional autoencoder, growing a
 * sequence back. `[batch, steps, in]` → `[batch, outSteps, filters]` with Keras 3's lengths
 * (see {@link Conv1DTransposeArgs.outputPadding}), any number of steps (`inputShape: [null, c]`);
 * the kernel has Keras's shape `[kernelSize, filters, in]` (initializer fans `kernelSize·filters`
 * and `kernelSize·in`). As Keras, `outputPadding` must be below `strides`, and `strides` and
 * `dilationRate` cannot both exceed 1. Saved with Keras 3's class name `Conv1DTranspose`
 * (TF.js cannot load it).
 *
 * @example
 * layers.conv1dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }) // [b, 50, c] → [b, 100, 8]
 */
export class Conv1DTranspose extends BaseConv1D {
  readonly kind = 'conv1dTranspose' as const;
  /** Keras 3's class name, `'Conv1DTranspose'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.conv1dTranspose;
  /** `'valid'` or `'same'`. */
  readonly padding: 'valid' | 'same';
  /** Keras 3's output padding, or `null` (its default lengths). */
  readonly outputPadding: number | null;
  /** The options given (for `getConfig`). */
  declare readonly args: Conv1DTransposeArgs;
  constructor(args: Conv1DTransposeArgs) {
    const op = 'conv1dTranspose';
    super(op, args, ['filters', 'kernelSize', 'strides', 'padding', 'outputPadding', 'dataFormat', 'dilationRate', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint'], 'conv1dTranspose({ filters: 8, kernelSize: 3, strides: 2 })');
    const p = args.padding ?? 'valid';
    if (p !== 'valid' && p !== 'same') {
      const hint = (p as unknown) === 'causal' ? " ('causal' is conv1d's only: Keras's Conv1DTranspose has none)" : '';
      throw new InvalidArgumentError(`${op}: padding must be 'valid' or 'same', got ${show(p)}${hint}`);
    }
    this.padding = p;
    const o = args.outputPadding;
    if (o === undefined || o === null) this.outputPadding = null;
    else {
      if (Array.isArray(o) && o.length !== 1) throw new InvalidArgumentError(`${op}: outputPadding must be a non-negative integer or a list of one, got ${show(o)}`);
      this.outputPadding = intArg(op, 'outputPadding', Array.isArray(o) ? o[0] : o, 0, 65535);
      if (this.outputPadding >= this.strides) {
        throw new InvalidArgumentError(`${op}: outputPadding must be less than strides (Keras 3's rule: the extra steps are fewer than one stride), got outputPadding ${this.outputPadding} with strides ${this.strides}`);
      }
    }
    if (this.strides > 1 && this.dilationRate > 1) {
      throw new InvalidArgumentError(`${op}: strides > 1 is not supported together with dilationRate > 1 (as Keras 3), got strides ${this.strides} and dilationRate ${this.dilationRate}`);
    }
    channelsLast(op, args.dataFormat, STEPS);
    this.abiParams();
  }
  abiParams(): number[] {
    return [this.outputPadding === null ? 0 : 1, this.outputPadding ?? 0, ...this.windowAbi('conv1dTranspose', this.padding === 'same')];
  }
}

/** Options of `layers.maxPooling1d` and `layers.averagePooling1d` (TF.js names and defaults). */
export interface Pooling1DArgs extends LayerArgs {
  /** Window length. Default 2. */
  poolSize?: number | [number] | undefined;
  /** Step between windows. Default: the pool size. */
  strides?: number | [number] | undefined;
  /** Default `'valid'`. */
  padding?: 'valid' | 'same' | undefined;
  /** Only `'channelsLast'` (the default). */
  dataFormat?: 'channelsLast' | undefined;
}

/** Max or average pooling over windows of steps, per channel. */
abstract class Pooling1D extends Layer {
  readonly poolSize: number;
  readonly strides: number;
  readonly padding: 'valid' | 'same';
  constructor(kind: 'maxPooling1d' | 'averagePooling1d', args: Pooling1DArgs = {}) {
    super(kind, args, ['poolSize', 'strides', 'padding', 'dataFormat']);
    this.poolSize = single(kind, 'poolSize', args.poolSize, 2);
    this.strides = single(kind, 'strides', args.strides ?? undefined, this.poolSize);
    const p = args.padding ?? 'valid';
    if (p !== 'valid' && p !== 'same') throw new InvalidArgumentError(`${kind}: padding must be 'valid' or 'same', got ${show(p)}`);
    this.padding = p;
    channelsLast(kind, args.dataFormat, STEPS);
  }
  abiParams(): number[] {
    return [1, this.poolSize, 1, this.strides, 1, 1, this.padding === 'same' ? 1 : 0];
  }
}

/** The largest value of each window of steps, per channel: `[b, steps, c]` → `[b, outSteps, c]`. */
export class MaxPooling1D extends Pooling1D {
  readonly kind = 'maxPooling1d' as const;
  /** TF.js's class name, `'MaxPooling1D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.maxPooling1d;
  constructor(args: Pooling1DArgs = {}) {
    super('maxPooling1d', args);
  }
}

/** The mean of each window of steps, per channel. */
export class AveragePooling1D extends Pooling1D {
  readonly kind = 'averagePooling1d' as const;
  /** TF.js's class name, `'AveragePooling1D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.averagePooling1d;
  constructor(args: Pooling1DArgs = {}) {
    super('averagePooling1d', args);
  }
}

/** Max or mean of each channel over all steps: `[b, steps, c]` → `[b, c]`. */
abstract class GlobalPooling1D extends Layer {
  constructor(kind: 'globalMaxPooling1d' | 'globalAveragePooling1d', args: LayerArgs & { dataFormat?: 'channelsLast' | undefined } = {}) {
    super(kind, args, ['dataFormat']);
    channelsLast(kind, args.dataFormat, STEPS);
  }
  abiParams(): number[] {
    return [];
  }
}

/** The largest value of each channel over all steps: `[b, steps, c]` → `[b, c]`. */
export class GlobalMaxPooling1D extends GlobalPooling1D {
  readonly kind = 'globalMaxPooling1d' as const;
  /** TF.js's class name, `'GlobalMaxPooling1D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.globalMaxPooling1d;
  constructor(args: LayerArgs & { dataFormat?: 'channelsLast' | undefined } = {}) {
    super('globalMaxPooling1d', args);
  }
}

/** The mean of each channel over all steps: `[b, steps, c]` → `[b, c]`. */
export class GlobalAveragePooling1D extends GlobalPooling1D {
  readonly kind = 'globalAveragePooling1d' as const;
  /** TF.js's class name, `'GlobalAveragePooling1D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.globalAveragePooling1d;
  constructor(args: LayerArgs & { dataFormat?: 'channelsLast' | undefined } = {}) {
    super('globalAveragePooling1d', args);
  }
}
