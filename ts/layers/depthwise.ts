/**
 * Depthwise and separable convolution layers, channels last: `depthwiseConv2d` filters each
 * input channel on its own; `separableConv2d` follows that with a 1×1 convolution that mixes
 * the channels (MobileNet's building block: far fewer weights than a conv2d). Mirrors
 * `crates/core/src/layers/depthwise_conv2d.rs`.
 */
import { InvalidArgumentError } from '../errors.js';
import { layerActivationAbi, type ActivationSpec } from './activation_abi.js';
import { initializerAbi, type InitializerSpec } from './initializers.js';
import { intArg, pair } from '../ops/convert.js';
import { CLASS_NAMES, Layer, type LayerArgs } from './layer.js';
import type { LayerVariable } from './variable.js';
import { regularizerAbi, type RegularizerSpec } from './regularizers.js';
import { channelsLast, paddingArg, type Padding, type Size2D } from './convolutional.js';
import type { ConstraintSpec } from '../constraints.js';

/** Options of `layers.depthwiseConv2d` (TF.js and Keras names and defaults). */
export interface DepthwiseConv2DArgs extends LayerArgs {
  /** Window size, `n` or `[rows, columns]`. */
  kernelSize: Size2D;
  /** Filters per input channel: the output has `channels · depthMultiplier` channels. Default 1. */
  depthMultiplier?: number | undefined;
  /** Step between windows. Default 1. */
  strides?: Size2D | undefined;
  /** Default `'valid'`. */
  padding?: Padding | undefined;
  /** Only `'channelsLast'` (the default). */
  dataFormat?: 'channelsLast' | undefined;
  /** Spacing between the window's taps. Default 1. (TF.js 4.22's layer ignores it; Keras 3 and neurite apply it.) */
  dilationRate?: Size2D | undefined;
  /** Applied last; default `'linear'` (none). */
  activation?: ActivationSpec | undefined;
  /** Default `true`. */
  useBias?: boolean | undefined;
  /** The depthwise kernel's; default `'glorotUniform'` (fans `kh·kw·in` and `kh·kw·depthMultiplier`, as Keras). */
  depthwiseInitializer?: InitializerSpec | undefined;
  /** Default `'zeros'`. */
  biasInitializer?: InitializerSpec | undefined;
  depthwiseRegularizer?: RegularizerSpec | undefined;
  biasRegularizer?: RegularizerSpec | undefined;
  /** Projects the depthwise kernel after each optimizer update (`constraints.maxNorm()`, `'nonNeg'`, …; Keras semantics). Default none. */
  depthwiseConstraint?: ConstraintSpec | null | undefined;
  /** Projects the bias after each optimizer update (`constraints.maxNorm()`, `'nonNeg'`, …; Keras semantics). Default none. */
  biasConstraint?: ConstraintSpec | null | undefined;
}

/** Options of `layers.separableConv2d`: the depthwise stage's, plus the pointwise stage's (TF.js and Keras names and defaults). */
export interface SeparableConv2DArgs extends DepthwiseConv2DArgs {
  /** Output channels of the pointwise (1×1) stage (positive integer). */
  filters: number;
  /** The pointwise kernel's; default `'glorotUniform'` (fans `in·depthMultiplier` and `filters`). */
  pointwiseInitializer?: InitializerSpec | undefined;
  pointwiseRegularizer?: RegularizerSpec | undefined;
  /** Projects the pointwise kernel after each optimizer update (`constraints.maxNorm()`, `'nonNeg'`, …; Keras semantics). Default none. */
  pointwiseConstraint?: ConstraintSpec | null | undefined;
}

const DEPTHWISE_KEYS = ['kernelSize', 'depthMultiplier', 'strides', 'padding', 'dataFormat', 'dilationRate', 'activation', 'useBias', 'depthwiseInitializer', 'biasInitializer', 'depthwiseRegularizer', 'biasRegularizer', 'depthwiseConstraint', 'biasConstraint'];

/** The options both layers share, read and checked once; `abiParams` lays them out for the core. */
abstract class BaseDepthwise extends Layer {
  readonly kernelSize: [number, number];
  readonly depthMultiplier: number;
  readonly strides: [number, number];
  readonly dilationRate: [number, number];
  readonly padding: Padding;
  readonly activation: ActivationSpec;
  readonly args: SeparableConv2DArgs;
  readonly #op: 'depthwiseConv2d' | 'separableConv2d';
  /** The depthwise kernel as a variable (TF.js's `depthwiseKernel`, `weights[0]`), `null` until built. */
  get depthwiseKernel(): LayerVariable | null {
    return this.weights[0] ?? null;
  }
  /** The bias as a variable (TF.js's `bias`, the last weight), `null` with `useBias: false` or until built. */
  get bias(): LayerVariable | null {
    const w = this.weights;
    return this.args.useBias === false || w.length === 0 ? null : w[w.length - 1];
  }
  protected constructor(op: 'depthwiseConv2d' | 'separableConv2d', args: DepthwiseConv2DArgs, keys: readonly string[]) {
    // kernelInitializer and kernelRegularizer are known here only to say what to use instead.
    super(op, args, [...keys, 'kernelInitializer', 'kernelRegularizer']);
    this.#op = op;
    if (args.kernelSize === undefined) throw new InvalidArgumentError(`${op}: kernelSize is required, e.g. ${op}({ kernelSize: 3${op === 'separableConv2d' ? ', filters: 16' : ''} })`);
    const kernelKey = (['kernelInitializer', 'kernelRegularizer'] as const).find((k) => (args as unknown as Record<string, unknown>)[k] !== undefined);
    if (kernelKey !== undefined) {
      const pointwise = op === 'separableConv2d' ? ` or ${kernelKey.replace('kernel', 'pointwise')}` : '';
      throw new InvalidArgumentError(`${op}: there is no ${kernelKey}; use ${kernelKey.replace('kernel', 'depthwise')}${pointwise}`);
    }
    this.kernelSize = pair(op, 'kernelSize', args.kernelSize);
    this.depthMultiplier = intArg(op, 'depthMultiplier', args.depthMultiplier ?? 1, 1, 2 ** 24 - 1);
    this.strides = pair(op, 'strides', args.strides, [1, 1]);
    this.dilationRate = pair(op, 'dilationRate', args.dilationRate, [1, 1]);
    this.padding = paddingArg(op, args.padding) ? 'same' : 'valid';
    channelsLast(op, args.dataFormat);
    this.activation = args.activation ?? 'linear';
    this.args = args as SeparableConv2DArgs;
  }
  /** @internal The ABI layout of `DepthwiseConv2dConfig::from_abi`. */
  abiParams(): number[] {
    const [a, op] = [this.args, this.#op];
    const separable = op === 'separableConv2d';
    return [
      ...(separable ? [a.filters] : []),
      this.depthMultiplier, ...this.kernelSize, ...this.strides, ...this.dilationRate, this.padding === 'same' ? 1 : 0, a.useBias === false ? 0 : 1,
      ...layerActivationAbi(op, this.activation),
      ...initializerAbi(op, 'depthwiseInitializer', a.depthwiseInitializer ?? 'glorotUniform'),
      ...(separable ? initializerAbi(op, 'pointwiseInitializer', a.pointwiseInitializer ?? 'glorotUniform') : []),
      ...initializerAbi(op, 'biasInitializer', a.biasInitializer ?? 'zeros'),
      ...regularizerAbi(op, a.depthwiseRegularizer, 'depthwiseRegularizer'),
      ...(separable ? regularizerAbi(op, a.pointwiseRegularizer, 'pointwiseRegularizer') : []),
      ...regularizerAbi(op, a.biasRegularizer, 'biasRegularizer'),
    ];
  }
}

/**
 * A depthwise 2-D convolution: each input channel convolved with its own `depthMultiplier`
 * filters, `activation(depthwiseConv2d(x, D) + b)`, with a kernel `D` of shape
 * `[kh, kw, in, depthMultiplier]`; `[batch, h, w, in]` → `[batch, oh, ow, in·depthMultiplier]`.
 * The weights are `depthwise_kernel` and `bias`, as TF.js's and Keras's.
 *
 * @example
 * layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu' }) // [b, 28, 28, 16] → [b, 28, 28, 16]
 */
export class DepthwiseConv2D extends BaseDepthwise {
  /** @internal */
  readonly kind = 'depthwiseConv2d' as const;
  /** TF.js's class name, `'DepthwiseConv2D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.depthwiseConv2d;
  constructor(args: DepthwiseConv2DArgs) {
    super('depthwiseConv2d', args, DEPTHWISE_KEYS);
    this.abiParams();
  }
}

/**
 * A depthwise-separable 2-D convolution: the depthwise stage of {@link DepthwiseConv2D}, then a
 * pointwise (1×1) convolution to `filters` channels, `activation(depthwiseConv2d(x, D)·P + b)`.
 * Kernels `D: [kh, kw, in, depthMultiplier]` and `P: [1, 1, in·depthMultiplier, filters]`
 * (weights `depthwise_kernel`, `pointwise_kernel`, `bias`, as TF.js's and Keras's).
 *
 * @example
 * layers.separableConv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' })
 */
export class SeparableConv2D extends BaseDepthwise {
  /** @internal */
  readonly kind = 'separableConv2d' as const;
  /** TF.js's class name, `'SeparableConv2D'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.separableConv2d;
  /** Output channels of the pointwise (1×1) stage. */
  readonly filters: number;
  constructor(args: SeparableConv2DArgs) {
    super('separableConv2d', args, [...DEPTHWISE_KEYS, 'filters', 'pointwiseInitializer', 'pointwiseRegularizer', 'pointwiseConstraint']);
    if (args.filters === undefined) throw new InvalidArgumentError(`separableConv2d: filters is required, e.g. separableConv2d({ filters: 16, kernelSize: 3 })`);
    this.filters = intArg('separableConv2d', 'filters', args.filters, 1, 2 ** 24 - 1);
    this.abiParams();
  }
  /** The pointwise (1×1) kernel as a variable (TF.js's `pointwiseKernel`, `weights[1]`), `null` until built. */
  get pointwiseKernel(): LayerVariable | null {
    return this.weights[1] ?? null;
  }
}
