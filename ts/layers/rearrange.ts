/**
 * Layers that move values without computing: `repeatVector` and `permute` (TF.js's and
 * Keras's `RepeatVector` and `Permute`). Mirror `crates/core/src/layers/repeat_vector.rs` and
 * `permute.rs`.
 */
import { InvalidArgumentError } from '../errors.js';
import { intArg, show } from '../ops/convert.js';
import { CLASS_NAMES, Layer, type LayerArgs } from './layer.js';

/** Options of `layers.repeatVector`. */
export interface RepeatVectorArgs extends LayerArgs {
  /** How many times to repeat each vector (a positive integer). */
  n: number;
}

/**
 * Repeats each sample's vector `n` times: `[batch, features]` → `[batch, n, features]` (an
 * encoder's code given to every step of a sequence decoder). Its gradient sums the copies.
 *
 * @example
 * layers.repeatVector({ n: 3 }) // [b, 8] → [b, 3, 8]
 */
export class RepeatVector extends Layer {
  /** @internal */
  readonly kind = 'repeatVector' as const;
  /** TF.js's class name, `'RepeatVector'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.repeatVector;
  /** The number of copies. */
  readonly n: number;
  constructor(args: RepeatVectorArgs) {
    super('repeatVector', args, ['n']);
    if (args.n === undefined) throw new InvalidArgumentError('repeatVector: n is required, e.g. repeatVector({ n: 3 })');
    this.n = intArg('repeatVector', 'n', args.n, 1, 2 ** 24 - 1);
  }
  /** @internal The ABI layout of `RepeatVector::from_abi`. */
  abiParams(): number[] {
    return [this.n];
  }
}

/** Options of `layers.permute`. */
export interface PermuteArgs extends LayerArgs {
  /**
   * A permutation of `1..rank` (the non-batch axes, counted from 1): output axis `i` is input
   * axis `dims[i − 1]`; `[2, 1]` swaps the two axes of `[batch, steps, features]`.
   */
  dims: number[];
}

/**
 * Reorders the non-batch axes of each sample: `dims` is a permutation of `1..rank` (the batch
 * axis stays first), so `permute({ dims: [2, 1] })` makes `[batch, a, b]` into `[batch, b, a]`.
 * Its gradient is `dy` moved back by the inverse permutation.
 *
 * @example
 * layers.permute({ dims: [2, 1], inputShape: [10, 64] }) // [b, 10, 64] → [b, 64, 10]
 */
export class Permute extends Layer {
  /** @internal */
  readonly kind = 'permute' as const;
  /** TF.js's class name, `'Permute'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.permute;
  /** The permutation of the non-batch axes, from 1. */
  readonly dims: number[];
  constructor(args: PermuteArgs) {
    super('permute', args, ['dims']);
    const d: unknown = args.dims;
    if (d === undefined || d === null) throw new InvalidArgumentError('permute: dims is required, e.g. permute({ dims: [2, 1] })');
    if (!Array.isArray(d) || d.length === 0 || d.length > 31) throw new InvalidArgumentError(`permute: dims must be an array of 1 to 31 axes (a permutation of 1..rank), got ${show(d)}`);
    this.dims = Array.from(d as unknown[], (v, i) => intArg('permute', `dims[${i}]`, v, 1, d.length));
    // TF.js compares a lexically sorted copy, which refuses every valid dims of 10 or more axes.
    if (new Set(this.dims).size !== this.dims.length) throw new InvalidArgumentError(`permute: dims ${show(d)} must be a permutation of 1..${d.length} (the non-batch axes, counted from 1): each axis once`);
  }
  /** @internal The ABI layout of `Permute::from_abi`. */
  abiParams(): number[] {
    return [this.dims.length, ...this.dims];
  }
}
