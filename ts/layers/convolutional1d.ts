/**
 * 1-D layers over sequences, channels last (`[batch, steps, channels]`, TF.js's layout):
 * `conv1d` (with TF.js's `'causal'` padding), `conv1dTranspose` (Keras 3's; TF.js has none),
 * `maxPooling1d`, `averagePooling1d`, `globalMaxPooling1d`, `globalAveragePooling1d`, and Keras 3's
 * shape layers `upSampling1d`, `zeroPadding1d`, `cropping1d` (TF.js has none of them). Each runs
 * the 2-D layer on every sample as an image one row high (`crates/core/src/layers/one_d.rs`);
 * conv1d's kernel is TF.js's `[kernelSize, inChannels, filters]`, conv1dTranspose's Keras's
 * `[kernelSize, filters, inChannels]`.
 */
import { InvalidArgumentError } from '../errors.js';
import type { ActivationSpec } from './activation_abi.js';
import { intArg, show } from '../ops/convert.js';
import { CLASS_NAMES, KernelLayer, Layer, type LayerArgs } from './layer.js';
import { channelsLast, convAbi, transposeAbi, transposeArgs, type Conv2DArgs } from './convolutional.js';

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
  /** @internal */
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
  /** @internal */
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
  /** @internal */
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
    this.outputPadding = transposeArgs(op, args.outputPadding, [this.strides], [this.dilationRate])?.[0] ?? null;
    channelsLast(op, args.dataFormat, STEPS);
    this.abiParams();
  }
  /** @internal */
  abiParams(): number[] {
    // conv2dTranspose's layout on [1, steps]: the output padding [0, op].
    return transposeAbi(this.outputPadding === null ? null : [0, this.outputPadding], this.windowAbi('conv1dTranspose', this.padding === 'same'));
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
  /** @internal */
  abiParams(): number[] {
    return [1, this.poolSize, 1, this.strides, 1, 1, this.padding === 'same' ? 1 : 0];
  }
}

/** The largest value of each window of steps, per channel: `[b, steps, c]` → `[b, outSteps, c]`. */
export class MaxPooling1D extends Pooling1D {
  /** @internal */
  readonly kind = 'maxPooling1d' as const;
  /** TF.js's class name, `'MaxPooling1D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.maxPooling1d;
  constructor(args: Pooling1DArgs = {}) {
    super('maxPooling1d', args);
  }
}

/** The mean of each window of steps, per channel. */
export class AveragePooling1D extends Pooling1D {
  /** @internal */
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
  /** @internal */
  abiParams(): number[] {
    return [];
  }
}

/** The largest value of each channel over all steps: `[b, steps, c]` → `[b, c]`. */
export class GlobalMaxPooling1D extends GlobalPooling1D {
  /** @internal */
  readonly kind = 'globalMaxPooling1d' as const;
  /** TF.js's class name, `'GlobalMaxPooling1D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.globalMaxPooling1d;
  constructor(args: LayerArgs & { dataFormat?: 'channelsLast' | undefined } = {}) {
    super('globalMaxPooling1d', args);
  }
}

/** The mean of each channel over all steps: `[b, steps, c]` → `[b, c]`. */
export class GlobalAveragePooling1D extends GlobalPooling1D {
  /** @internal */
  readonly kind = 'globalAveragePooling1d' as const;
  /** TF.js's class name, `'GlobalAveragePooling1D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.globalAveragePooling1d;
  constructor(args: LayerArgs & { dataFormat?: 'channelsLast' | undefined } = {}) {
    super('globalAveragePooling1d', args);
  }
}

/** Options of `layers.upSampling1d` (Keras 3's `UpSampling1D`; TF.js has none). */
export interface UpSampling1DArgs extends LayerArgs {
  /** Copies of each step, a positive integer up to 65536 (`n` or `[n]`). Default 2. */
  size?: number | [number] | undefined;
}

/**
 * Repeats each step `size` times (Keras 3's `UpSampling1D`; TF.js has none): `[batch, steps,
 * channels]` → `[batch, steps·size, channels]`, output step `t` is input step `⌊t / size⌋`;
 * the gradient of an input step is the sum over its copies. A 1-D decoder's way back up after
 * `maxPooling1d`. Any number of steps (`inputShape: [null, c]`). As Keras 3, it does not
 * support masking: a mask reaching it (after `masking` or an embedding's `maskZero`) is an
 * error naming it when the model is built, at its first use (Keras 3 drops the mask with a
 * warning). Saved with Keras 3's class name `UpSampling1D` (TF.js cannot load it).
 *
 * @example
 * layers.upSampling1d({ size: 2 }) // [b, 16, 8] → [b, 32, 8]
 */
export class UpSampling1D extends Layer {
  /** @internal */
  readonly kind = 'upSampling1d' as const;
  /** Keras 3's class name, `'UpSampling1D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.upSampling1d;
  /** Copies of each step. */
  readonly size: number;
  constructor(args: UpSampling1DArgs = {}) {
    super('upSampling1d', args, ['size']);
    this.size = single('upSampling1d', 'size', args.size, 2);
  }
  /** @internal */
  abiParams(): number[] {
    return [this.size];
  }
}

/**
 * `n` (both ends) or `[start, end]` steps, integers from 0 to 65536 (Keras 3's forms of
 * `ZeroPadding1D`'s `padding` and `Cropping1D`'s `cropping`).
 */
export type Border1D = number | [number, number];

/** A {@link Border1D} as `[start, end]`. */
function border1d(op: string, arg: string, v: unknown): [number, number] {
  if (typeof v === 'number') return [intArg(op, arg, v, 0, 65536), intArg(op, arg, v, 0, 65536)];
  if (Array.isArray(v) && v.length === 2) return [intArg(op, `${arg}[0]`, v[0], 0, 65536), intArg(op, `${arg}[1]`, v[1], 0, 65536)];
  throw new InvalidArgumentError(`${op}: ${arg} must be an integer or a pair [start, end] of integers from 0 to 65536, got ${show(v)}`);
}

/** Zero steps added, or steps cut, at both ends of each sequence. */
abstract class Border1DLayer extends Layer {
  /** `[start, end]`: steps added (zeroPadding1d) or cut (cropping1d) before the first and after the last. */
  readonly amounts: [number, number];
  constructor(kind: 'zeroPadding1d' | 'cropping1d', arg: 'padding' | 'cropping', args: LayerArgs, keys: string[], value: unknown) {
    super(kind, args, keys);
    this.amounts = border1d(kind, arg, value);
  }
  /** @internal */
  abiParams(): number[] {
    return this.amounts.slice();
  }
}

/** Options of `layers.zeroPadding1d` (Keras 3's `ZeroPadding1D`; TF.js has none). */
export interface ZeroPadding1DArgs extends LayerArgs {
  /** Zero steps before the first and after the last (see {@link Border1D}). Default 1. */
  padding?: Border1D | undefined;
  /** Only `'channelsLast'` (the default, `[batch, steps, channels]`). */
  dataFormat?: 'channelsLast' | undefined;
}

/**
 * Zero steps at both ends of each sequence (Keras 3's `ZeroPadding1D`; TF.js has none):
 * `[batch, steps, channels]` → `[batch, start + steps + end, channels]`, e.g. an odd length made
 * even before a `maxPooling1d`. The gradient is `dy` without its added steps. As Keras 3, it
 * does not support masking (a mask reaching it is an error when the model is built). Saved
 * with Keras 3's class name `ZeroPadding1D` (TF.js cannot load it).
 *
 * @example
 * layers.zeroPadding1d({ padding: [0, 1] }) // [b, 7, 3] → [b, 8, 3]
 */
export class ZeroPadding1D extends Border1DLayer {
  /** @internal */
  readonly kind = 'zeroPadding1d' as const;
  /** Keras 3's class name, `'ZeroPadding1D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.zeroPadding1d;
  constructor(args: ZeroPadding1DArgs = {}) {
    super('zeroPadding1d', 'padding', args, ['padding', 'dataFormat'], args.padding ?? 1);
    channelsLast('zeroPadding1d', args.dataFormat, STEPS);
  }
}

/** Options of `layers.cropping1d` (Keras 3's `Cropping1D`; TF.js has none). */
export interface Cropping1DArgs extends LayerArgs {
  /** Steps cut before the first and after the last (see {@link Border1D}). Default 1, Keras 3's `(1, 1)`. */
  cropping?: Border1D | undefined;
}

/**
 * Cuts steps at both ends of each sequence (Keras 3's `Cropping1D`; TF.js has none): `[batch,
 * steps, channels]` → `[batch, steps − start − end, channels]`, e.g. a decoder's 8 steps back
 * to 7. At least one step must remain (an error naming the cropping and the input shape
 * otherwise). The gradient is `dy` placed in zeros. As Keras 3, it does not support masking
 * (a mask reaching it is an error when the model is built). Saved with Keras 3's class name
 * `Cropping1D` (TF.js cannot load it).
 *
 * @example
 * layers.cropping1d({ cropping: [0, 1] }) // [b, 8, 3] → [b, 7, 3]
 */
export class Cropping1D extends Border1DLayer {
  /** @internal */
  readonly kind = 'cropping1d' as const;
  /** Keras 3's class name, `'Cropping1D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.cropping1d;
  constructor(args: Cropping1DArgs = {}) {
    super('cropping1d', 'cropping', args, ['cropping'], args.cropping ?? 1);
  }
}
