/**
 * A layer's weight as a variable (TF.js's `LayerVariable`): what `layer.weights`,
 * `layer.trainableWeights`, `model.trainableWeights` … list. It names one weight of a layer
 * (`dense_1/kernel`); the values stay in the model(s) holding the layer, in WebAssembly memory.
 *
 * `variableGrads` and `optimizer.minimize` take these beside `variable`s: by default both
 * include the trainable weights of every live model, as TF.js does, so a custom training loop
 * is `opt.minimize(() => losses.meanSquaredError(y, model.predict(x)))`. The gradient flows
 * through `model.predict` (and an autoencoder's `encode`/`decode`) with the layers' own
 * backward rules, the ones `fit` uses.
 */
import { call, check, outPtr, readOut, writeArgs } from '../engine.js';
import { DisposedError, inOp, InvalidArgumentError } from '../errors.js';
import { boolArg, need, withTensors, type TensorLike } from '../ops/convert.js';
import { checkArgs } from '../options.js';
import { Tensor } from '../tensor.js';
import { reshape } from '../ops/shape.js';
import { readWeightValue, type WeightsAt } from '../models/weights.js';
import { displayAs } from '../display.js';

/** @internal What a {@link LayerVariable} needs of its layer. */
export interface VariableOwner {
  readonly name: string;
  readonly trainable: boolean;
  /** Where the layer's weights live now, `null` if nowhere (see `locate`). */
  where(op: string): WeightsAt | null;
}

/**
 * One weight of a layer, as a variable (TF.js `LayerVariable`): get them from `model.weights`,
 * `model.trainableWeights` or `layer.weights`. It names the weight; the value lives in the
 * model(s) holding the layer. `read()` copies it out, `write(t)` sets it; inside
 * `variableGrads`/`minimize` it is a source like a `variable`, through `predict`/`apply`.
 *
 * @example
 * const [kernel] = model.getLayer('hidden').trainableWeights;
 * const { grads } = variableGrads(() => losses.meanSquaredError(y, model.predict(x)), [kernel]);
 * grads['hidden/kernel'].print();
 */
export class LayerVariable {
  // Keras 3's repr (`<KerasVariable shape=(2, 1), dtype=float32, path=dense/kernel>`), not the private fields.
  static {
    displayAs(this, (v) => `<LayerVariable ${v.name} shape=[${v.#shape}] dtype=float32${v.isDisposed ? ' disposed' : ` trainable=${v.trainable}`}>`);
  }

  /** `layerName/weightName` (`dense_1/kernel`): the key in `variableGrads(...).grads`. */
  readonly name: string;
  /** Always `float32`. */
  readonly dtype = 'float32' as const;
  readonly #owner: VariableOwner;
  readonly #index: number;
  readonly #shape: readonly number[];
  readonly #own: boolean;

  /** @internal Made by the layer (`layer.weights`). */
  constructor(owner: VariableOwner, index: number, weightName: string, shape: readonly number[], ownTrainable: boolean) {
    if (owner === null || typeof owner !== 'object' || typeof weightName !== 'string') throw new InvalidArgumentError("LayerVariable: a layer's weights are made by the layer (layer.weights, model.weights), not with new");
    this.#owner = owner;
    this.#index = index;
    this.name = `${owner.name}/${weightName}`;
    this.#shape = Object.freeze(shape.slice());
    this.#own = ownTrainable;
  }

  /** The weight's shape. */
  get shape(): number[] {
    return this.#shape.slice();
  }

  /**
   * Whether training updates it: the layer is trainable, no model holding the layer directly
   * is frozen (TF.js's `model.trainable = false` freezes the variables of the model's own
   * layers, in every model sharing them), and the weight is not a statistic (batch
   * normalization's moving mean and variance never are).
   */
  get trainable(): boolean {
    return this.#own && this.#owner.trainable;
  }

  /** @internal Whether the weight is trainable by nature (not a moving statistic), whatever its layer's `trainable`. */
  get ownTrainable(): boolean {
    return this.#own;
  }

  /** Whether no live model holds the layer any more (its weights went with the last one). */
  get isDisposed(): boolean {
    return this.#owner.where('isDisposed') === null;
  }

  /** @internal Throws a {@link DisposedError} naming this variable when its weights are gone (no call into WebAssembly). */
  assertLive(op: string): void {
    this.#at(op);
  }

  #at(op: string): WeightsAt {
    const at = this.#owner.where(op);
    if (!at) throw new DisposedError(`${op}: variable ${this.name} has no value: every model holding layer ${this.#owner.name} was disposed (or its neurite instance ended: shutdown(), a new init())`);
    return at;
  }

  /**
   * Not here: TF.js's `variable.val` is the weight's own `tf.Variable`, while neurite's weight
   * lives in the model. Throws an error that says what to use instead: `read()` for a copy,
   * `write(t)` for TF.js's `val.assign(t)`.
   */
  get val(): never {
    throw new InvalidArgumentError(`val: variable ${this.name} has no tensor of its own (its value lives in the model): read a copy with read(), and set it with write(t) (TF.js's val.assign(t))`);
  }

  /**
   * A copy of the current value (the caller owns it: dispose it, or read it inside `tidy`).
   * TF.js returns the variable itself; here the weight lives in the model. Inside
   * `variableGrads`/`minimize` the copy stands for the weight: a loss term on it (weight
   * decay) reaches this variable's gradient.
   *
   * @example
   * opt.minimize(() => loss().add(kernel.read().square().sum().mul(1e-4)));
   */
  read(): Tensor {
    return readWeightValue('read', this.#at('read'), this.#index);
  }

  /**
   * Sets the value (same shape, finite values unless `allowNonFinite`) in every model holding
   * the layer. Returns this variable. `value` is a tensor, or values as `tensor()` takes them;
   * a flat `Float32Array` (or array) of the weight's size is read in row-major order, as
   * `setWeights` reads it (a neuroevolution gene). The layer's weight constraint, if any, is not
   * applied (Keras; TF.js's `write` applies it): constraints act after optimizer updates.
   *
   * @example kernel.write(genes.subarray(0, 128)) // an [8, 16] kernel from a flat gene array
   */
  write(value: TensorLike, options?: { allowNonFinite?: boolean | undefined }): this {
    const op = 'write';
    const o = checkArgs(op, options, ['allowNonFinite']);
    const allow = boolArg(op, 'allowNonFinite', o.allowNonFinite, false);
    withTensors(op, { value }, ({ value: t }) => {
      // Flat values of the weight's size: its shape (a temporary view, freed here).
      const size = this.#shape.reduce((a, b) => a * b, 1);
      const flat = !(value instanceof Tensor) && t.rank === 1 && this.#shape.length !== 1 && t.size === size;
      const v = flat ? reshape(t, this.#shape) : t;
      try {
        this.#set(op, need(op, 'value', v), allow ? 1 : 0);
      } finally {
        if (v !== t) v.dispose();
      }
    });
    return this;
  }

  #set(op: string, h: number, allow: number): void {
    const at = this.#at(op);
    try {
      call((e) => check(e.nr_model_set_weight(at.handle, writeArgs(op, at.path), at.path.length, this.#index, h, 0, allow)));
    } catch (err) {
      // The core names the call setWeights and the weight by its index in the layer: name the
      // call made and this variable (`write: variable dense_1/kernel has shape …`).
      inOp(op, err, 'setWeights');
      if (err instanceof Error && err.message.startsWith(`${op}: weight `)) err.message = err.message.replace(/^([^:]+): weight \d+ \(`[^`]*`( of layer \d+)?\) /, `$1: variable ${this.name} `);
      throw err;
    }
  }

  /**
   * @internal Where the weight lives, as `nr_optimizer_apply` takes it: `[model handle, path
   * length, path…, weight index]` (an optimizer updates it there, in place).
   */
  weightRef(op: string): number[] {
    const at = this.#at(op);
    return [at.handle, at.path.length, ...at.path, this.#index];
  }

  /** The last {@link sourceId} and where it was asked (a model handle and a layer path). */
  #id: { handle: number; path: readonly number[]; id: [number, number] } | null = null;

  /**
   * @internal The gradient tape's id of this weight, as two u32 words (`nr_model_weight_id`).
   * The id is the layer's node address and the weight's index, fixed while the model handle
   * it was asked through lives (handles are never reissued, and a model's layer at a path never
   * changes): asked again there, it is the one kept (a call into WebAssembly per weight and
   * gradient saved).
   */
  sourceId(op: string): [number, number] {
    const at = this.#at(op);
    const kept = this.#id;
    if (kept && kept.handle === at.handle && kept.path.length === at.path.length && kept.path.every((k, j) => k === at.path[j])) return kept.id;
    const id = call((e): [number, number] => {
      check(e.nr_model_weight_id(at.handle, writeArgs(op, at.path), at.path.length, this.#index, outPtr(0)));
      return [readOut(0), readOut(1)];
    });
    this.#id = { handle: at.handle, path: at.path.slice(), id };
    return id;
  }

  /** @internal Whether this names weight `index` of the same layer (the layer's cache is current). */
  is(owner: VariableOwner, index: number, shape: readonly number[]): boolean {
    return this.#owner === owner && this.#index === index && this.#shape.length === shape.length && this.#shape.every((d, i) => d === shape[i]);
  }
}
