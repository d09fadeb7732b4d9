/**
 * Convolutional layers, channels last (`[batch, height, width, channels]`, TF.js's and Keras's
 * default): `conv2d`, `conv2dTranspose`, `maxPooling2d`, `averagePooling2d`,
 * `globalMaxPooling2d`, `globalAveragePooling2d`, `upSampling2d`. Mirrors
 * `crates/core/src/layers/{conv2d,conv2d_transpose,pooling,up_sampling}.rs`.
 */
import { InvalidArgumentError } from '../errors.js';
import { layerActivationAbi, type ActivationSpec } from './activation_abi.js';
import { initializerAbi, type InitializerSpec } from './initializers.js';
import { intArg, pair, show } from '../ops/convert.js';
import { CLASS_NAMES, KernelLayer, Layer, type LayerArgs } from './layer.js';
import { normActivityAbi, regularizerAbi, type RegularizerSpec } from './regularizers.js';
import type { Padding, Size2D } from '../ops/convolution.js';
import type { ConstraintSpec } from '../constraints.js';

export type { Padding, Size2D };

/** @internal `'valid'` → 0, `'same'` → 1. */
export function paddingArg(op: string, v: unknown): 0 | 1 {
  if (v === undefined || v === 'valid') return 0;
  if (v === 'same') return 1;
  const hint = v === 'causal' ? " ('causal' is for 1-D convolutions: layers.conv1d)" : '';
  throw new InvalidArgumentError(`${op}: padding must be 'valid' or 'same', got ${show(v)}${hint}`);
}

/** @internal Only channels last; `layout` is the data's, for the message. */
export function channelsLast(op: string, v: unknown, layout = '[batch, height, width, channels]'): void {
  if (v === undefined || v === 'channelsLast') return;
  throw new InvalidArgumentError(`${op}: dataFormat must be 'channelsLast' (${layout}), the only layout neurite has; got ${show(v)}`);
}

/** Options of `layers.conv2d` and `layers.conv2dTranspose` (TF.js and Keras names and defaults). */
export interface Conv2DArgs extends LayerArgs {
  /** Output channels (positive integer). */
  filters: number;
  /** Window size, `n` or `[rows, columns]`. */
  kernelSize: Size2D;
  /** Step between windows. Default 1. */
  strides?: Size2D | undefined;
  /** Default `'valid'`. */
  padding?: Padding | undefined;
  /** Only `'channelsLast'` (the default). */
  dataFormat?: 'channelsLast' | undefined;
  /** Spacing between the window's taps. Default 1. */
  dilationRate?: Size2D | undefined;
  /** Applied to `conv2d(x, W) + b`; default `'linear'` (none). */
  activation?: ActivationSpec | undefined;
  /** Default `true`. */
  useBias?: boolean | undefined;
  /** Default `'glorotUniform'` (fans `kh·kw·in` and `kh·kw·filters`, as Keras). */
  kernelInitializer?: InitializerSpec | undefined;
  /** Default `'zeros'`. */
  biasInitializer?: InitializerSpec | undefined;
  kernelRegularizer?: RegularizerSpec | undefined;
  biasRegularizer?: RegularizerSpec | undefined;
  /**
   * A penalty on the layer's output `y` (after the activation), as dense's and Keras's:
   * `(l1·Σ|y| + l2·Σy²) / batch` is added to the training loss (`fit`, `trainOnBatch`) and
   * reported as `regularization` by `fit` and `evaluate` (a sparse convolutional autoencoder).
   * klSparsity is dense's only.
   */
  activityRegularizer?: RegularizerSpec | undefined;
  /** Projects the kernel after each optimizer update (`constraints.maxNorm()`, `'nonNeg'`, …; Keras semantics). Default none. */
  kernelConstraint?: ConstraintSpec | null | undefined;
  /** Projects the bias after each optimizer update (`constraints.maxNorm()`, `'nonNeg'`, …; Keras semantics). Default none. */
  biasConstraint?: ConstraintSpec | null | undefined;
}

/** The options and ABI layout conv2d and conv2dTranspose share (`Conv2dConfig` in Rust). */
abstract class BaseConv2D extends KernelLayer {
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly dilationRate: [number, number];
  readonly padding: Padding;
  readonly activation: ActivationSpec;
  readonly args: Conv2DArgs;
  readonly #op: 'conv2d' | 'conv2dTranspose';
  protected constructor(op: 'conv2d' | 'conv2dTranspose', args: Conv2DArgs, more: readonly string[] = []) {
    super(op, args, ['filters', 'kernelSize', 'strides', 'padding', ...more, 'dataFormat', 'dilationRate', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint']);
    this.#op = op;
    this.filters = intArg(op, 'filters', args.filters, 1, 2 ** 24 - 1);
    if (args.kernelSize === undefined) throw new InvalidArgumentError(`${op}: kernelSize is required, e.g. ${op}({ filters: 8, kernelSize: 3 })`);
    this.kernelSize = pair(op, 'kernelSize', args.kernelSize);
    this.strides = pair(op, 'strides', args.strides, [1, 1]);
    this.dilationRate = pair(op, 'dilationRate', args.dilationRate, [1, 1]);
    this.padding = paddingArg(op, args.padding) ? 'same' : 'valid';
    channelsLast(op, args.dataFormat);
    this.activation = args.activation ?? 'linear';
    this.args = args;
  }
  /** @internal */
  abiParams(): number[] {
    return convAbi(this.#op, this.args, this.filters, this.kernelSize, this.strides, this.dilationRate, this.padding === 'same', this.activation);
  }
}

/**
 * @internal Keras 3's `output_padding` of a transposed convolution (`null`, `n`, or one per
 * axis), each a non-negative integer below its axis's stride, and Keras's other rule of
 * `BaseConvTranspose`: no stride above 1 together with a dilation above 1. conv1dTranspose's
 * and conv2dTranspose's checks.
 */
export function transposeArgs(op: string, v: unknown, strides: readonly number[], dilation: readonly number[]): number[] | null {
  const n = strides.length;
  // One axis prints as a number, two as lists.
  const say = (a: readonly number[]) => (n === 1 ? String(a[0]) : show(a));
  if (strides.some((s) => s > 1) && dilation.some((d) => d > 1)) {
    throw new InvalidArgumentError(`${op}: strides > 1 is not supported together with dilationRate > 1 (as Keras 3), got strides ${say(strides)} and dilationRate ${say(dilation)}`);
  }
  if (v === undefined || v === null) return null;
  if (Array.isArray(v) && v.length !== n) throw new InvalidArgumentError(`${op}: outputPadding must be a non-negative integer or ${n === 1 ? 'a list of one' : 'a pair [rows, columns] of them'}, got ${show(v)}`);
  const o = Array.isArray(v) ? Array.from(v as unknown[], (x, i) => intArg(op, n === 1 ? 'outputPadding' : `outputPadding[${i}]`, x, 0, 65535)) : new Array<number>(n).fill(intArg(op, 'outputPadding', v, 0, 65535));
  if (o.some((x, i) => x >= strides[i])) {
    throw new InvalidArgumentError(`${op}: outputPadding must be less than strides (Keras 3's rule: the extra ${n === 1 ? 'steps are' : 'rows and columns are each'} fewer than one stride), got outputPadding ${say(o)} with strides ${say(strides)}`);
  }
  return o;
}

/**
 * @internal The core's layout of a transposed convolution (`Conv2d::transpose_from_abi`):
 * `hasOutputPadding, outputPadding(2)`, then conv2d's ([`convAbi`]).
 */
export function transposeAbi(outputPadding: readonly number[] | null, conv: number[]): number[] {
  return [outputPadding === null ? 0 : 1, ...(outputPadding ?? [0, 0]), ...conv];
}

/**
 * @internal The core's `Conv2dConfig` layout (`crates/core/src/layers/conv2d.rs`): filters, the
 * window, bias, activation, initializers and regularizers — conv2d's and conv2dTranspose's
 * whole ABI, and the 1-D layers' after their own first values.
 */
export function convAbi(
  op: string,
  a: Pick<Conv2DArgs, 'useBias' | 'kernelInitializer' | 'biasInitializer' | 'kernelRegularizer' | 'biasRegularizer' | 'activityRegularizer'>,
  filters: number,
  kernel: readonly number[],
  strides: readonly number[],
  dilation: readonly number[],
  same: boolean,
  activation: ActivationSpec,
): number[] {
  return [
    filters, ...kernel, ...strides, ...dilation, same ? 1 : 0, a.useBias === false ? 0 : 1,
    ...layerActivationAbi(op, activation),
    ...initializerAbi(op, 'kernelInitializer', a.kernelInitializer ?? 'glorotUniform'),
    ...initializerAbi(op, 'biasInitializer', a.biasInitializer ?? 'zeros'),
    ...regularizerAbi(op, a.kernelRegularizer, 'kernelRegularizer'),
    ...regularizerAbi(op, a.biasRegularizer, 'biasRegularizer'),
    ...normActivityAbi(op, a.activityRegularizer),
  ];
}

/**
 * A 2-D convolution: `activation(conv2d(x, W) + b)` with a kernel `W` of shape
 * `[kh, kw, in, filters]`; inputs `[batch, height, width, channels]`.
 *
 * @example
 * layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' })
 */
export class Conv2D extends BaseConv2D {
  /** @internal */
  readonly kind = 'conv2d' as const;
  /** TF.js's class name, `'Conv2D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.conv2d;
  constructor(args: Conv2DArgs) {
    super('conv2d', args);
    this.abiParams();
  }
}

/** conv2dTranspose's options: conv2d's, with Keras 3's `outputPadding`. */
export interface Conv2DTransposeArgs extends Conv2DArgs {
  /**
   * Keras 3's `output_padding` (TF.js's layer has none): rows and columns added at the end of
   * the output, `n` or `[rows, columns]`, each a non-negative integer below its stride. The
   * output then has `(h − 1)·strides + k_eff − 2·pad + outputPadding` rows (`pad` is
   * `⌊k_eff / 2⌋` with `'same'`, 0 with `'valid'`; `k_eff = (kernelSize − 1)·dilationRate + 1`),
   * and the same for the columns: 7 → 13 → 25 (`kernelSize: 3, strides: 2, padding: 'same'`,
   * `outputPadding: 0`) where TF.js's sizes give 14 and 26. Default `null`: TF.js's sizes,
   * which are Keras's without it.
   */
  outputPadding?: Size2D | null | undefined;
}

/**
 * A transposed 2-D convolution ("deconvolution"): `activation(conv2dTranspose(x, W) + b)`, the
 * adjoint of a conv2d with the same kernel, strides, dilation and padding — a convolutional
 * decoder's way back up. Inputs `[batch, h, w, in]` give `[batch, h·s, w·s, filters]` with
 * `'same'` padding and `[batch, h·s + max(k_eff − s, 0), …]` with `'valid'` (TF.js's sizes), or
 * Keras 3's with {@link Conv2DTransposeArgs.outputPadding}; the kernel has shape
 * `[kh, kw, filters, in]` (TF.js's and Keras's layout; initializer fans `kh·kw·filters` and
 * `kh·kw·in`). `outputPadding` and `dilationRate` are Keras 3's (TF.js's layer has no output
 * padding and ignores its dilationRate): as Keras, `outputPadding` must be below `strides`, and
 * `strides` and `dilationRate` cannot both exceed 1.
 *
 * @example
 * layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }) // [b, 7, 7, c] → [b, 14, 14, 8]
 * layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', outputPadding: 0 }) // [b, 13, 13, c] → [b, 25, 25, 1]
 */
export class Conv2DTranspose extends BaseConv2D {
  /** @internal */
  readonly kind = 'conv2dTranspose' as const;
  /** TF.js's class name, `'Conv2DTranspose'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.conv2dTranspose;
  /** Keras 3's output padding `[rows, columns]`, or `null` (TF.js's sizes). */
  readonly outputPadding: [number, number] | null;
  /** The options given (for `getConfig`). */
  declare readonly args: Conv2DTransposeArgs;
  constructor(args: Conv2DTransposeArgs) {
    super('conv2dTranspose', args, ['outputPadding']);
    this.outputPadding = transposeArgs('conv2dTranspose', args.outputPadding, this.strides, this.dilationRate) as [number, number] | null;
    this.abiParams();
  }
  /** @internal */
  override abiParams(): number[] {
    return transposeAbi(this.outputPadding, super.abiParams());
  }
}

/** Options of `layers.maxPooling2d` and `layers.averagePooling2d` (TF.js names and defaults). */
export interface Pooling2DArgs extends LayerArgs {
  /** Window size. Default `[2, 2]`. */
  poolSize?: Size2D | undefined;
  /** Step between windows. Default: the pool size. */
  strides?: Size2D | undefined;
  /** Default `'valid'`. */
  padding?: Padding | undefined;
  /** Only `'channelsLast'` (the default). */
  dataFormat?: 'channelsLast' | undefined;
}

/** Max or average pooling over windows of each channel. */
abstract class Pooling2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  constructor(kind: 'maxPooling2d' | 'averagePooling2d', args: Pooling2DArgs = {}) {
    super(kind, args, ['poolSize', 'strides', 'padding', 'dataFormat']);
    this.poolSize = pair(kind, 'poolSize', args.poolSize, [2, 2]);
    this.strides = pair(kind, 'strides', args.strides, this.poolSize);
    this.padding = paddingArg(kind, args.padding) ? 'same' : 'valid';
    channelsLast(kind, args.dataFormat);
  }
  /** @internal */
  abiParams(): number[] {
    return [...this.poolSize, ...this.strides, 1, 1, this.padding === 'same' ? 1 : 0];
  }
}

/**
 * The largest value of each window, per channel (NaN when the window holds one).
 *
 * @example
 * layers.maxPooling2d({ poolSize: 2 }) // [batch, 28, 28, c] → [batch, 14, 14, c]
 */
export class MaxPooling2D extends Pooling2D {
  /** @internal */
  readonly kind = 'maxPooling2d' as const;
  /** TF.js's class name, `'MaxPooling2D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.maxPooling2d;
  constructor(args: Pooling2DArgs = {}) {
    super('maxPooling2d', args);
  }
}

/** The mean of each window, per channel (with `'same'` padding, over the positions inside the input). */
export class AveragePooling2D extends Pooling2D {
  /** @internal */
  readonly kind = 'averagePooling2d' as const;
  /** TF.js's class name, `'AveragePooling2D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.averagePooling2d;
  constructor(args: Pooling2DArgs = {}) {
    super('averagePooling2d', args);
  }
}

/** Max or average of each channel over the whole image. */
abstract class GlobalPooling2D extends Layer {
  constructor(kind: 'globalMaxPooling2d' | 'globalAveragePooling2d', args: LayerArgs & { dataFormat?: 'channelsLast' | undefined } = {}) {
    super(kind, args, ['dataFormat']);
    channelsLast(kind, args.dataFormat);
  }
  /** @internal */
  abiParams(): number[] {
    return [];
  }
}

/** The largest value of each channel over the whole image: `[batch, h, w, c]` → `[batch, c]`. */
export class GlobalMaxPooling2D extends GlobalPooling2D {
  /** @internal */
  readonly kind = 'globalMaxPooling2d' as const;
  /** TF.js's class name, `'GlobalMaxPooling2D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.globalMaxPooling2d;
  constructor(args: LayerArgs & { dataFormat?: 'channelsLast' | undefined } = {}) {
    super('globalMaxPooling2d', args);
  }
}

/** The mean of each channel over the whole image: `[batch, h, w, c]` → `[batch, c]`. */
export class GlobalAveragePooling2D extends GlobalPooling2D {
  /** @internal */
  readonly kind = 'globalAveragePooling2d' as const;
  /** TF.js's class name, `'GlobalAveragePooling2D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.globalAveragePooling2d;
  constructor(args: LayerArgs & { dataFormat?: 'channelsLast' | undefined } = {}) {
    super('globalAveragePooling2d', args);
  }
}

/** Options of `layers.upSampling2d` (TF.js names and defaults). */
export interface UpSampling2DArgs extends LayerArgs {
  /** Copies per row and column. Default `[2, 2]`. */
  size?: Size2D | undefined;
  /** Only `'channelsLast'` (the default). */
  dataFormat?: 'channelsLast' | undefined;
  /**
   * `'nearest'` (the default) repeats each row and column; `'bilinear'` interpolates between
   * neighbours as TF.js's `resizeBilinear` (no corner alignment, no half-pixel centres).
   */
  interpolation?: 'nearest' | 'bilinear' | undefined;
}

/**
 * Upsamples each image (`[batch, h, w, c]` → `[batch, h·size[0], w·size[1], c]`), repeating
 * rows and columns or interpolating between them: a convolutional decoder's way back up.
 */
export class UpSampling2D extends Layer {
  /** @internal */
  readonly kind = 'upSampling2d' as const;
  /** TF.js's class name, `'UpSampling2D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.upSampling2d;
  /** Copies per row and per column. */
  readonly size: [number, number];
  /** `'nearest'` repeats rows and columns, `'bilinear'` interpolates between them. */
  readonly interpolation: 'nearest' | 'bilinear';
  constructor(args: UpSampling2DArgs = {}) {
    super('upSampling2d', args, ['size', 'dataFormat', 'interpolation']);
    this.size = pair('upSampling2d', 'size', args.size, [2, 2]);
    channelsLast('upSampling2d', args.dataFormat);
    if (args.interpolation !== undefined && args.interpolation !== 'nearest' && args.interpolation !== 'bilinear') {
      throw new InvalidArgumentError(`upSampling2d: interpolation must be 'nearest' or 'bilinear', got ${show(args.interpolation)}`);
    }
    this.interpolation = args.interpolation ?? 'nearest';
  }
  /** @internal */
  abiParams(): number[] {
    return [...this.size, this.interpolation === 'bilinear' ? 1 : 0];
  }
}

/**
 * Rows and columns added or cut at each border: `n` (all four), `[rows, columns]` (both sides of
 * each axis), or `[[top, bottom], [left, right]]` — TF.js's forms.
 */
export type Border2D = number | [number, number] | [[number, number], [number, number]];

/** @internal A {@link Border2D} as `[[top, bottom], [left, right]]` (integers from 0 to 65536). */
export function border(op: string, arg: string, v: unknown): [[number, number], [number, number]] {
  const n = (x: unknown, at: string) => intArg(op, at, x, 0, 65536);
  if (typeof v === 'number') return [[n(v, arg), n(v, arg)], [n(v, arg), n(v, arg)]];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) {
    return [[n(v[0], `${arg}[0]`), n(v[0], `${arg}[0]`)], [n(v[1], `${arg}[1]`), n(v[1], `${arg}[1]`)]];
  }
  if (Array.isArray(v) && v.length === 2 && v.every((x) => Array.isArray(x) && x.length === 2)) {
    const [[t, b], [l, r]] = v as unknown[][];
    return [[n(t, `${arg}[0][0]`), n(b, `${arg}[0][1]`)], [n(l, `${arg}[1][0]`), n(r, `${arg}[1][1]`)]];
  }
  throw new InvalidArgumentError(`${op}: ${arg} must be an integer, a pair [rows, columns] or [[top, bottom], [left, right]], got ${show(v)}`);
}

/** Zeros, or cuts, at the borders of each image. */
abstract class Border2DLayer extends Layer {
  /** `[[top, bottom], [left, right]]`. */
  readonly amounts: [[number, number], [number, number]];
  constructor(kind: 'zeroPadding2d' | 'cropping2d', arg: 'padding' | 'cropping', args: LayerArgs & { dataFormat?: 'channelsLast' | undefined }, value: unknown) {
    super(kind, args, [arg, 'dataFormat']);
    this.amounts = border(kind, arg, value);
    channelsLast(kind, args.dataFormat);
  }
  /** @internal */
  abiParams(): number[] {
    return this.amounts.flat();
  }
}

/** Options of `layers.zeroPadding2d` (TF.js names and defaults). */
export interface ZeroPadding2DArgs extends LayerArgs {
  /** Zeros at each border (see {@link Border2D}). Default 1. */
  padding?: Border2D | undefined;
  /** Only `'channelsLast'` (the default). */
  dataFormat?: 'channelsLast' | undefined;
}

/**
 * Zeros around each image: `[batch, h, w, c]` → `[batch, h + top + bottom, w + left + right, c]`
 * (e.g. 28 × 28 digits to 32 × 32, so that three poolings divide them).
 *
 * @example
 * layers.zeroPadding2d({ padding: 2 }) // [b, 28, 28, 1] → [b, 32, 32, 1]
 */
export class ZeroPadding2D extends Border2DLayer {
  /** @internal */
  readonly kind = 'zeroPadding2d' as const;
  /** TF.js's class name, `'ZeroPadding2D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.zeroPadding2d;
  constructor(args: ZeroPadding2DArgs = {}) {
    super('zeroPadding2d', 'padding', args, args.padding ?? 1);
  }
}

/** Options of `layers.cropping2d` (TF.js names). */
export interface Cropping2DArgs extends LayerArgs {
  /** Rows and columns cut at each border (see {@link Border2D}); required, as in TF.js. */
  cropping: Border2D;
  /** Only `'channelsLast'` (the default). */
  dataFormat?: 'channelsLast' | undefined;
}

/**
 * Cuts rows and columns at the borders of each image: `[batch, h, w, c]` →
 * `[batch, h − top − bottom, w − left − right, c]` (a decoder's 32 × 32 back to 28 × 28).
 *
 * @example
 * layers.cropping2d({ cropping: 2 }) // [b, 32, 32, 1] → [b, 28, 28, 1]
 */
export class Cropping2D extends Border2DLayer {
  /** @internal */
  readonly kind = 'cropping2d' as const;
  /** TF.js's class name, `'Cropping2D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.cropping2d;
  constructor(args: Cropping2DArgs) {
    if (args?.cropping === undefined && args !== null && typeof args === 'object' && !Array.isArray(args)) {
      throw new InvalidArgumentError('cropping2d: cropping is required, e.g. cropping2d({ cropping: 2 }) or cropping2d({ cropping: [[top, bottom], [left, right]] })');
    }
    super('cropping2d', 'cropping', args, args?.cropping);
  }
}
