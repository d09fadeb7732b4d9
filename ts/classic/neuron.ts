/**
 * `neuron`: one artificial neuron, `y = f(w·x + b)` — the weighted sum of its inputs plus the
 * bias, through any activation. Mirrors `crates/core/src/classic/neuron.rs`.
 */
import { call, check, outPtr, readOut, writeArgs } from '../engine.js';
import { InvalidArgumentError } from '../errors.js';
import { activationAbi } from '../layers/activation_abi.js';
import { describe, fromFlat } from '../ops/convert.js';
import { f32Bits } from '../options.js';
import { wrapHandle, type Tensor } from '../tensor.js';
import type { ActivationSpec } from '../wasm/codes.js';
import { checkKeys, listOption, numberOption, tensorArg } from './common.js';

/** Options of {@link neuron}: its weights, bias and activation. */
export interface NeuronArgs {
  /** One weight per input (at least one, all finite): numbers, or a 1-D tensor (its values are copied). */
  weights: ArrayLike<number> | Tensor;
  /** Added to the weighted sum. Default 0. */
  bias?: number | undefined;
  /** Any activation (`'unitStep'`, `'sign'`, `'sigmoid'`, `{ name: 'leakyRelu', alpha }`, …). Default `'linear'`. */
  activation?: ActivationSpec | undefined;
}

/** A single neuron with fixed weights. It holds no WebAssembly memory and needs no `dispose`. */
export class Neuron {
  /** One weight per input. */
  readonly weights: readonly number[];
  /** Added to the weighted sum. */
  readonly bias: number;
  /** The activation `f` of `f(w·x + b)`. */
  readonly activation: ActivationSpec;
  readonly #act: number[];

  constructor(args: NeuronArgs) {
    const a = checkKeys('neuron', args, ['weights', 'bias', 'activation'], true);
    const ws = listOption('neuron', 'weights', a.weights, [1])?.values;
    if (ws === undefined) throw new InvalidArgumentError(`neuron: weights must be an array of numbers or a 1-D tensor, got ${describe(a.weights)}`);
    if (ws.length === 0) throw new InvalidArgumentError('neuron: weights must hold at least one value, got none');
    ws.forEach((v, i) => numberOption('neuron', `weights[${i}]`, v, () => true, 'a finite number'));
    this.weights = Object.freeze(ws as number[]);
    this.bias = numberOption('neuron', 'bias', a.bias ?? 0, () => true, 'a finite number');
    this.activation = (a.activation ?? 'linear') as ActivationSpec;
    this.#act = activationAbi('neuron', this.activation);
    // A softmax over one value is the constant 1 (logSoftmax: 0): no neuron computes that on purpose.
    const name = typeof this.activation === 'string' ? this.activation : this.activation.name;
    if (name === 'softmax' || name === 'logSoftmax') {
      throw new InvalidArgumentError(
        `neuron: activation '${name}' normalizes over a layer's units, and a neuron is one unit, so it would output ${name === 'softmax' ? '1' : '0'} for every input; ` +
          "use 'sigmoid' for a probability (softmax over two units is a sigmoid of their difference), or a dense layer with one unit per class and 'softmax'",
      );
    }
  }

  /** The number of inputs. */
  get inputs(): number {
    return this.weights.length;
  }

  /**
   * `f(w·x + b)`. One input vector given as numbers gives a number; a batch `[n, inputs]`
   * (numbers or a tensor) gives a tensor `[n]`; a 1-d tensor gives a 0-d tensor. An input of
   * the wrong length is an error naming both lengths.
   */
  forward(x: ArrayLike<number>): number;
  /** `f(w·x + b)` for a batch `[n, inputs]` (numbers or a tensor): a tensor `[n]` (a 0-d tensor for a 1-d tensor). */
  forward(x: ArrayLike<number>[] | Tensor): Tensor;
  forward(x: ArrayLike<number> | ArrayLike<number>[] | Tensor): number | Tensor {
    const { t, temp } = tensorArg('neuron', 'x', x);
    const w = fromFlat('neuron', this.weights, [this.weights.length]);
    try {
      const y = call((e) => {
        const hx = t.handleFor('neuron', 'x');
        const hw = w.handleFor('neuron', 'weights');
        check(e.nr_neuron_forward(hw, this.bias, writeArgs('neuron', f32Bits(this.#act)), this.#act.length, hx, outPtr(0)));
        return wrapHandle(readOut(0));
      });
      if (!temp || y.rank !== 0) return y;
      const v = y.item();
      y.dispose();
      return v;
    } finally {
      w.dispose();
      if (temp) t.dispose();
    }
  }
}

/**
 * Creates a single artificial neuron.
 *
 * @example
 * const and = neuron({ weights: [1, 1], bias: -1.5, activation: 'unitStep' });
 * and.forward([1, 1]); // 1
 */
export function neuron(args: NeuronArgs): Neuron {
  return new Neuron(args);
}
