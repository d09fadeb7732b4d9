/**
 * `thresholdedReLU`: `x` where `x > theta`, else 0 (TF.js's and Keras 2's `ThresholdedReLU`).
 * Mirrors `crates/core/src/layers/thresholded_relu.rs`.
 */
import { checkNumber, CLASS_NAMES, Layer, type LayerArgs } from './layer.js';

/** Options of `layers.thresholdedReLU`. */
export interface ThresholdedReLUArgs extends LayerArgs {
  /** The threshold, a finite number >= 0. Default 1. */
  theta?: number | undefined;
}

/**
 * `y = x` where `x > theta`, else 0 (shape kept), computed as TF.js's `x · (x > theta)` with its
 * bits (a negative value gives −0, `−Infinity` gives NaN). Its gradient is `dy` where
 * `x > theta`, else 0.
 *
 * @example
 * layers.thresholdedReLU({ theta: 0.5 })
 */
export class ThresholdedReLU extends Layer {
  /** @internal */
  readonly kind = 'thresholdedReLU' as const;
  /** TF.js's class name, `'ThresholdedReLU'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.thresholdedReLU;
  /** The threshold. */
  readonly theta: number;
  constructor(args: ThresholdedReLUArgs = {}) {
    super('thresholdedReLU', args, ['theta']);
    this.theta = checkNumber('thresholdedReLU', 'theta', args.theta ?? 1, (t) => Number.isFinite(t) && t >= 0, 'a finite number >= 0');
  }
  /** @internal The ABI layout of `ThresholdedRelu::from_abi`: `theta`. */
  abiParams(): number[] {
    return [this.theta];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), theta: this.theta };
  }
}
