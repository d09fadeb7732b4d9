/**
 * `embedding`: a learned vector per integer index (TF.js's and Keras's `Embedding`), the first
 * layer of a text model. Mirrors `crates/core/src/layers/embedding.rs`.
 */
import { InvalidArgumentError } from '../errors.js';
import { notEqual } from '../ops/binary.js';
import { describe, intArg, MAX_ELEMENTS, show } from '../ops/convert.js';
import type { Tensor } from '../tensor.js';
import { initializerAbi, type InitializerSpec } from './initializers.js';
import { CLASS_NAMES, Layer, sampleShape, type LayerArgs } from './layer.js';
import { maskInput } from './masking.js';
import { regularizerAbi, type RegularizerSpec } from './regularizers.js';

/** Options of `layers.embedding` (TF.js's names and defaults). */
export interface EmbeddingArgs extends LayerArgs {
  /** The number of indices: inputs are integers in `[0, inputDim)` (the vocabulary size). */
  inputDim: number;
  /** The length of each embedding vector. */
  outputDim: number;
  /** Default `'randomUniform'` (in [−0.05, 0.05], TF.js's and Keras's). */
  embeddingsInitializer?: InitializerSpec | undefined;
  /** A penalty on the embeddings (`'l1'`, `'l2'`, `regularizers.l2({ l2 })`, …). */
  embeddingsRegularizer?: RegularizerSpec | undefined;
  /** Only `null` (TF.js's default): an embedding layer takes no constraint yet (the other layers' *Constraint options do). */
  embeddingsConstraint?: null | undefined;
  /** Only `null` (TF.js's default): an embedding has no activity regularizer in neurite. */
  activityRegularizer?: null | undefined;
  /**
   * Keras's `mask_zero`: index 0 is padding, and the steps that hold it are masked (Keras 3's
   * rules; TF.js uses masks only in RNNs). The layers after it that support masking pass the
   * mask on (dense, activation, dropout and the noise layers, batchNormalization (its training
   * statistics over the unmasked steps), layerNormalization, normalization, prelu, rescaling,
   * thresholdedReLU); `globalAveragePooling1d` averages over the unmasked steps (0 for
   * a row with none: Keras 3 gives NaN); a loss and the metrics on a per-step output count only
   * the unmasked steps (the mean divides by their number; sample weights multiply them). Any
   * other layer after it is an error naming both (Keras 3 drops the mask there with a warning).
   * In a graph model the mask runs beside each value and the merge layers combine their
   * inputs' masks as Keras 3's (see the README's Text and sequences); a layer used more than
   * once (one embedding shared by two inputs) sees each call's own mask, and a nested model
   * carries the mask through its layers by the same rules.
   * Index 0 still has its row (the masked steps' outputs are computed; `predict` returns them).
   * Default `false`.
   */
  maskZero?: boolean | undefined;
  /**
   * The number of indices per sample, TF.js's shorthand for `inputShape: [inputLength]` (a list
   * for inputs of higher rank: `[steps, words]`).
   */
  inputLength?: number | number[] | undefined;
}

const MAX_DIM = 2 ** 24 - 1;

/**
 * A lookup table of `inputDim` learned vectors of length `outputDim`: each index of the input
 * is replaced by its row, `[batch, ...]` → `[batch, ..., outputDim]`. Indices are float32
 * tensors holding integers in `[0, inputDim)`; anything else is an error naming its position
 * and value (in `predict`, `fit`, `evaluate` and under `grad`), where TF.js truncates 1.7 to 1
 * and its CPU and WASM backends refuse an index out of range without its position. The weight
 * is `embeddings`, of shape `[inputDim, outputDim]`; its gradient adds each output row's
 * gradient into the row its index picked (a repeated index receives the sum). The indices have
 * no gradient (zeros; TF.js 4.22's `grad` throws there).
 *
 * @example
 * layers.embedding({ inputDim: 1000, outputDim: 16, inputLength: 20 }) // [b, 20] → [b, 20, 16]
 */
export class Embedding extends Layer {
  /** @internal */
  readonly kind = 'embedding' as const;
  /** TF.js's class name, `'Embedding'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.embedding;
  /** The number of indices (rows of the table). */
  readonly inputDim: number;
  /** The length of each vector. */
  readonly outputDim: number;
  /** Whether index 0 masks its step (`maskZero`, Keras's `mask_zero`). */
  readonly maskZero: boolean;
  /** `inputLength` as given (TF.js saves it), else `undefined`. */
  readonly inputLength?: number | number[];
  /** The options given (for saving). */
  readonly args: EmbeddingArgs;
  constructor(args: EmbeddingArgs) {
    super('embedding', withInputLength(args), ['inputDim', 'outputDim', 'embeddingsInitializer', 'embeddingsRegularizer', 'embeddingsConstraint', 'activityRegularizer', 'maskZero', 'inputLength']);
    if (args.inputDim === undefined || args.outputDim === undefined) throw new InvalidArgumentError(`embedding: inputDim and outputDim are required, e.g. embedding({ inputDim: 1000, outputDim: 16 }), got ${show(args)}`);
    this.inputDim = intArg('embedding', 'inputDim', args.inputDim, 1, MAX_DIM);
    this.outputDim = intArg('embedding', 'outputDim', args.outputDim, 1, MAX_DIM);
    if (this.inputDim * this.outputDim > MAX_ELEMENTS) throw new InvalidArgumentError(`embedding: the embeddings [${this.inputDim}, ${this.outputDim}] would have ${this.inputDim * this.outputDim} values, more than the ${MAX_ELEMENTS} one tensor can hold`);
    if (args.maskZero != null && typeof args.maskZero !== 'boolean') throw new InvalidArgumentError(`embedding: maskZero must be a boolean, got ${describe(args.maskZero)}`);
    this.maskZero = args.maskZero === true;
    if (args.activityRegularizer != null) throw new InvalidArgumentError(`embedding: activityRegularizer must be null: neurite's embedding has no activity regularizer, got ${show(args.activityRegularizer)}`);
    if (args.inputLength != null) this.inputLength = Array.isArray(args.inputLength) ? args.inputLength.slice() : args.inputLength;
    this.args = args;
    this.abiParams();
  }
  /**
   * The mask this layer gives its input of indices, as TF.js's `Embedding.computeMask`: with
   * `maskZero`, 1 where the index is not 0 and 0 where it is (the padding), of the input's shape
   * (`[batch, steps]` → `[batch, steps]`); without it, `null` (the layer makes no mask). TF.js
   * returns a `bool` tensor; neurite's tensors are float32, so the mask holds 1 and 0, as its
   * comparisons (`notEqual`) do. `mask` (the input's own mask) is not read, as TF.js's. The
   * result is a new tensor, yours to dispose. In a model the mask runs beside each value by
   * itself (see the README's Text and sequences); this is for looking at it, or for a custom
   * loop's own masked loss.
   *
   * @example
   * layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true }).computeMask(tensor([[1, 0]])) // [[1, 0]]
   */
  computeMask(inputs: Tensor | Tensor[], mask?: Tensor | Tensor[] | null): Tensor | null {
    void mask;
    const x = maskInput(this, inputs);
    return this.maskZero ? notEqual(x, 0) : null;
  }
  /** @internal The ABI layout of `Embedding::from_abi`. */
  abiParams(): number[] {
    const a = this.args;
    return [
      this.inputDim, this.outputDim,
      ...initializerAbi('embedding', 'embeddingsInitializer', a.embeddingsInitializer ?? 'randomUniform'),
      ...regularizerAbi('embedding', a.embeddingsRegularizer, 'embeddingsRegularizer'),
      ...(this.maskZero ? [1] : []),
    ];
  }
}

/**
 * `args` with `inputLength` as `inputShape` (TF.js's rule: it gives the shape when neither
 * `inputShape` nor `batchInputShape` does); given with one of them, the two must agree.
 */
function withInputLength(args: EmbeddingArgs): EmbeddingArgs {
  if (args === null || typeof args !== 'object' || args.inputLength == null) return args;
  const len = args.inputLength as unknown;
  const shape = sampleShape('embedding', 'inputLength', typeof len === 'number' ? [len] : len);
  const given = args.inputShape ?? (Array.isArray(args.batchInputShape) ? args.batchInputShape.slice(1) : undefined);
  if (given === undefined || given === null) return { ...args, inputShape: shape };
  if (show(given) !== show(shape)) throw new InvalidArgumentError(`embedding: inputLength ${show(len)} and ${args.inputShape ? 'inputShape' : 'batchInputShape'} ${show(args.inputShape ?? args.batchInputShape)} disagree; give one (inputLength: n is inputShape: [n])`);
  return args;
}
