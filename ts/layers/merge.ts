/**
 * Merge layers (TF.js `tf.layers.add`, `subtract`, `multiply`, `average`, `maximum`,
 * `minimum`, `concatenate`, `dot`): several inputs, one output, no weights. Apply one to a list of
 * symbolic tensors to build a graph model (`model({ inputs, outputs })`). Mirrors
 * `crates/core/src/layers/merge.rs`.
 */
import { InvalidArgumentError } from '../errors.js';
import { boolArg, intArg, show } from '../ops/convert.js';
import { CLASS_NAMES, Layer, type LayerArgs } from './layer.js';

/** The merge layer kinds. */
export type MergeKind = 'add' | 'subtract' | 'multiply' | 'average' | 'maximum' | 'minimum' | 'concatenate' | 'dot';

/**
 * An element-wise merge: TF.js's fold `op(…op(op(x₀, x₁), x₂)…)` (`average` then multiplies
 * by `1/n`), its bits. Inputs have the same per-sample shape, or 1 where they differ
 * (broadcast); an input of a lower rank gets axes of 1 after the batch axis first, as TF.js's
 * and Keras's (`[batch, 4]` times `[batch, 1, 4]` is `[batch, 1, 4]`; `[batch, 4]` plus
 * `[batch, 3, 4]` adds the vector to each of the 3 rows). `subtract` takes exactly two.
 *
 * @example
 * const latent = input({ shape: [4] }), cls = input({ shape: [1] });
 * const emb = layers.embedding({ inputDim: 10, outputDim: 4 }).apply(cls); // [null, 1, 4]
 * const h = layers.multiply().apply([latent, emb]);                        // [null, 1, 4]
 */
export class Merge extends Layer {
  /** @internal */
  readonly kind: Exclude<MergeKind, 'concatenate' | 'dot'>;
  constructor(kind: Exclude<MergeKind, 'concatenate' | 'dot'>, args: LayerArgs = {}) {
    super(kind, args);
    this.kind = kind;
  }
  /** @internal */
  abiParams(): number[] {
    return [];
  }
}

/** `layers.add`: the sum of its inputs. */
export class Add extends Merge {
  /** TF.js's class name, `'Add'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.add;
  constructor(args: LayerArgs = {}) {
    super('add', args);
  }
}
/** `layers.subtract`: its first input minus its second. */
export class Subtract extends Merge {
  /** TF.js's class name, `'Subtract'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.subtract;
  constructor(args: LayerArgs = {}) {
    super('subtract', args);
  }
}
/** `layers.multiply`: the element-wise product of its inputs. */
export class Multiply extends Merge {
  /** TF.js's class name, `'Multiply'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.multiply;
  constructor(args: LayerArgs = {}) {
    super('multiply', args);
  }
}
/** `layers.average`: the mean of its inputs. */
export class Average extends Merge {
  /** TF.js's class name, `'Average'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.average;
  constructor(args: LayerArgs = {}) {
    super('average', args);
  }
}
/** `layers.maximum`: the element-wise maximum of its inputs. */
export class Maximum extends Merge {
  /** TF.js's class name, `'Maximum'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.maximum;
  constructor(args: LayerArgs = {}) {
    super('maximum', args);
  }
}
/** `layers.minimum`: the element-wise minimum of its inputs. */
export class Minimum extends Merge {
  /** TF.js's class name, `'Minimum'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.minimum;
  constructor(args: LayerArgs = {}) {
    super('minimum', args);
  }
}

/** @internal The element-wise merge layer of `kind`, of its own class (`Add`, `Multiply`, …). */
export function mergeLayer(kind: Exclude<MergeKind, 'concatenate' | 'dot'>, args: LayerArgs = {}): Merge {
  const C = { add: Add, subtract: Subtract, multiply: Multiply, average: Average, maximum: Maximum, minimum: Minimum }[kind];
  if (C === undefined) throw new InvalidArgumentError(`merge: unknown kind ${show(kind)}; valid: add, subtract, multiply, average, maximum, minimum`);
  return new C(args);
}

/** Options of {@link Concatenate}. */
export interface ConcatenateArgs extends LayerArgs {
  /** The axis to join along, counting the batch axis (as TF.js); `-1` (default) is the last. */
  axis?: number | undefined;
}

/** Joins its inputs along `axis` (the batch axis excluded); they match on every other axis. */
export class Concatenate extends Layer {
  /** @internal */
  readonly kind = 'concatenate' as const;
  /** TF.js's class name, `'Concatenate'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.concatenate;
  /** The axis joined along (negative counts from the end; default -1). */
  readonly axis: number;
  constructor(args: ConcatenateArgs = {}) {
    super('concatenate', args, ['axis']);
    this.axis = args.axis === undefined ? -1 : intArg('concatenate', 'axis', args.axis, -32, 32);
  }
  /** @internal */
  abiParams(): number[] {
    return [this.axis];
  }
}

/** Options of {@link Dot} (TF.js's `DotLayerArgs`). */
export interface DotArgs extends LayerArgs {
  /**
   * The axis to take the dot product along, counting the batch axis as TF.js's does (`1` is the
   * first axis of a sample; a negative axis counts from the end, `-1` the last): one for both
   * inputs, or `[axisOfInput0, axisOfInput1]`. Required.
   */
  axes: number | [number, number];
  /** L2-normalize each input along its axis first, so the output is the cosine similarity. Default `false`. */
  normalize?: boolean | undefined;
}

/**
 * The dot product of two inputs along an axis of each (TF.js's `Dot`): `[batch, d]` · `[batch, d]`
 * gives `[batch, 1]` (a recommender's user·item score); `[batch, n, d]` · `[batch, m, d]` with
 * `axes: 2` gives `[batch, n, m]` (every pair of rows); a `[batch, n, d]` and a `[batch, d]` give
 * `[batch, n]`. With `normalize: true` each input is divided by its L2 norm along its axis
 * first (`x / sqrt(max(Σx², 1e-7))`, TF.js's), giving the cosine similarity. Inputs of rank 2
 * or 3 (batch included), as TF.js's. Its gradient is the matrix product's (and the
 * normalization's). Mirrors `crates/core/src/layers/dot.rs`.
 *
 * @example
 * const user = input({ shape: [8] }), item = input({ shape: [8] });
 * const score = layers.dot({ axes: 1 }).apply([user, item]); // [batch, 1]
 */
export class Dot extends Layer {
  /** @internal */
  readonly kind = 'dot' as const;
  /** TF.js's class name, `'Dot'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.dot;
  /** The axes as given: one for both inputs, or a pair (saved as given, as TF.js). */
  readonly axes: number | [number, number];
  /** Whether the inputs are L2-normalized along their axes first. */
  readonly normalize: boolean;
  constructor(args: DotArgs) {
    super('dot', args, ['axes', 'normalize']);
    const a: unknown = args.axes;
    if (a === undefined || a === null) throw new InvalidArgumentError('dot: axes is required (the axis of each input to take the dot product along, batch axis counted: 1 or -1 for [batch, d] inputs), e.g. dot({ axes: 1 })');
    if (Array.isArray(a)) {
      if (a.length !== 2) throw new InvalidArgumentError(`dot: axes must be an integer or a pair of integers [axisOfInput0, axisOfInput1], got ${show(a)}`);
      this.axes = [intArg('dot', 'axes[0]', a[0], -3, 3), intArg('dot', 'axes[1]', a[1], -3, 3)];
    } else this.axes = intArg('dot', 'axes', a, -3, 3);
    this.normalize = boolArg('dot', 'normalize', args.normalize, false);
  }
  /** @internal The ABI layout of `DotConfig::from_abi`: both axes, then normalize. */
  abiParams(): number[] {
    const [a, b] = typeof this.axes === 'number' ? [this.axes, this.axes] : this.axes;
    return [a, b, this.normalize ? 1 : 0];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axes: typeof this.axes === 'number' ? this.axes : [...this.axes], normalize: this.normalize };
  }
}
