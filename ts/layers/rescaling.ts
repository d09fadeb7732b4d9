/**
 * `rescaling`: `x·scale + offset` (TF.js 4.x's and Keras 3's `Rescaling`, a preprocessing
 * layer: pixels 0–255 to [0, 1] or [−1, 1]). The core runs it as the `linear` activation of
 * slope `scale` and intercept `offset` (`crates/core/src/layers/activation.rs`).
 */
import { InvalidArgumentError } from '../errors.js';
import { checkNumber, CLASS_NAMES, Layer, type LayerArgs } from './layer.js';

/** Options of `layers.rescaling`. */
export interface RescalingArgs extends LayerArgs {
  /** The factor (a finite number). */
  scale: number;
  /** Added after scaling. Default 0. */
  offset?: number | undefined;
}

/**
 * Scales and shifts every value, `y = x·scale + offset` (shape kept), in float32 as TF.js
 * (a multiply, then an add). Its gradient is `scale·dy`.
 *
 * @example
 * layers.rescaling({ scale: 1 / 127.5, offset: -1, inputShape: [28, 28, 1] }) // pixels to [−1, 1]
 */
export class Rescaling extends Layer {
  /** @internal */
  readonly kind = 'rescaling' as const;
  /** TF.js's class name, `'Rescaling'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.rescaling;
  /** The factor. */
  readonly scale: number;
  /** The shift added after scaling. */
  readonly offset: number;
  constructor(args: RescalingArgs) {
    super('rescaling', args, ['scale', 'offset']);
    if (args.scale === undefined) throw new InvalidArgumentError('rescaling: scale is required, e.g. rescaling({ scale: 1 / 255 })');
    const finite = (v: number) => Number.isFinite(v);
    this.scale = checkNumber('rescaling', 'scale', args.scale, finite, 'a finite number');
    this.offset = checkNumber('rescaling', 'offset', args.offset ?? 0, finite, 'a finite number');
  }
  /** @internal The ABI layout of `ActivationLayer::rescaling`. */
  abiParams(): number[] {
    return [this.scale, this.offset];
  }
}
