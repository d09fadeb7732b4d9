/**
 * `masking`: masks the steps of a float sequence whose features all equal `maskValue` (TF.js's
 * and Keras 3's `Masking`). Mirrors `crates/core/src/layers/masking.rs`.
 */
import { InvalidArgumentError } from '../errors.js';
import { any } from '../ops/all_any.js';
import { notEqual } from '../ops/binary.js';
import { describe } from '../ops/convert.js';
import { tidy } from '../scope.js';
import { Tensor } from '../tensor.js';
import { checkNumber, CLASS_NAMES, Layer, type LayerArgs } from './layer.js';

/**
 * @internal The one tensor `computeMask` reads (TF.js's `getExactlyOneTensor`): `inputs` itself,
 * or the one element of a list; anything else is an {@link InvalidArgumentError} naming `layer`.
 */
export function maskInput(layer: Layer, inputs: unknown): Tensor {
  const one = Array.isArray(inputs) && inputs.length === 1 ? (inputs[0] as unknown) : inputs;
  if (one instanceof Tensor) return one;
  const item = (v: unknown) => (v instanceof Tensor ? `a tensor of shape [${v.shape.join(',')}]` : describe(v));
  const what = Array.isArray(inputs) ? `a list of ${inputs.length} value${inputs.length === 1 ? '' : 's'} (${inputs.map(item).join(', ')})` : describe(inputs);
  throw new InvalidArgumentError(`computeMask: layer ${layer.name} (${layer.kind}) takes one tensor, the layer's input (or a list of one), got ${what}`);
}

/** What `maskValue` must be, and why. */
const MASK_VALUE_RULE = 'a finite number (NaN equals no value, so it would mask nothing; with ±Infinity the model could be saved but never loaded, every loader refusing a non-finite mask_value, and fit refuses non-finite inputs anyway)';

/** Options of `layers.masking`. */
export interface MaskingArgs extends LayerArgs {
  /**
   * The padding value: a step whose features all equal it is masked. A finite number (NaN equals
   * no value, so it would mask nothing; ±Infinity would be saved as a value no loader reads back,
   * `null` in JSON, and `fit` refuses non-finite inputs anyway). Default 0.
   */
  maskValue?: number | undefined;
}

/**
 * Masks padded steps of a float sequence: a step (a row of every axis but the last, e.g. of
 * `[batch, steps, features]`) whose features all equal `maskValue` is masked, and its output is
 * 0; the other steps pass unchanged (a real step with some features equal to `maskValue` is
 * kept). The layers after it carry the mask with Keras 3's rules, as after
 * `embedding({ maskZero: true })`: the layers that support masking pass it on (dense,
 * activation, dropout and the noise layers, batchNormalization, layerNormalization,
 * normalization, prelu, rescaling, thresholdedReLU; batchNormalization takes its training
 * statistics over the real steps), `globalAveragePooling1d` averages over the real steps, and a
 * built-in loss and the metrics on a per-step output count only the real steps (TF.js 4.22's
 * losses and metrics ignore masks, so its `fit` and `evaluate` count the padding; `predict`
 * agrees). Any other layer after the mask is an error naming both. In a graph model the mask
 * runs beside each value and the merge layers combine their inputs' masks as Keras 3's (not
 * yet: through a layer used more than once or a nested model). The gradient is `dy` on the
 * kept steps and 0 on the masked ones. A masked step's output is `+0` (Keras 3's `where`; TF.js multiplies by the mask, so a
 * negative `maskValue` gives `−0` there). `maskValue` must be finite: a model masking ±Infinity
 * could be saved but not loaded (every loader refuses a non-finite `mask_value`, and JSON writes it
 * as `null`), and `fit` refuses non-finite inputs.
 *
 * @example
 * layers.masking({ maskValue: 0, inputShape: [null, 3] }) // steps of three zeros are padding
 */
export class Masking extends Layer {
  /** @internal */
  readonly kind = 'masking' as const;
  /** TF.js's class name, `'Masking'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.masking;
  /** The padding value. */
  readonly maskValue: number;
  constructor(args: MaskingArgs = {}) {
    super('masking', args, ['maskValue']);
    // Finite as a float64, as the loaders require of a saved mask_value (1e39, Infinity in
    // float32, loads, so it is kept here too).
    this.maskValue = checkNumber('masking', 'maskValue', args.maskValue ?? 0, (v) => !Number.isNaN(v), MASK_VALUE_RULE);
    if (!Number.isFinite(this.maskValue)) throw new InvalidArgumentError(`masking: maskValue must be ${MASK_VALUE_RULE}, got ${describe(this.maskValue)}`);
  }
  /**
   * The mask this layer gives its input, as TF.js's `Masking.computeMask`: 1 for each step (a
   * row over the last axis) with some feature not equal to `maskValue`, 0 for a padded one, of
   * the input's shape without its last axis (`[batch, steps, features]` → `[batch, steps]`).
   * TF.js returns a `bool` tensor; neurite's tensors are float32, so the mask holds 1 and 0, as
   * its comparisons (`notEqual`) and logical reductions (`any`) do. `mask` (the input's own
   * mask) is not read, as TF.js's: this layer makes the mask. The result is a new tensor, yours
   * to dispose. In a model the mask runs beside each value by itself (see the README's Text and
   * sequences); this is for looking at it, or for a custom loop's own masked loss.
   *
   * @example
   * layers.masking({ maskValue: 0 }).computeMask(tensor([[[1, 2], [0, 0]]])) // [[1, 0]]
   */
  computeMask(inputs: Tensor | Tensor[], mask?: Tensor | Tensor[] | null): Tensor {
    void mask;
    const x = maskInput(this, inputs);
    const maskValue = this.maskValue;
    return tidy(() => any(notEqual(x, maskValue), -1));
  }
  /** @internal The ABI layout of `MaskingLayer::from_abi`: `maskValue`. */
  abiParams(): number[] {
    return [this.maskValue];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maskValue: this.maskValue };
  }
}
