/**
 * Merge layers (TF.js `tf.layers.add`, `subtract`, `multiply`, `average`, `maximum`,
 * `minimum`, `concatenate`): several inputs, one output, no weights. Apply one to a list of
 * symbolic tensors to build a graph model (`model({ inputs, outputs })`). Mirrors
 * `crates/core/src/layers/merge.rs`.
 */
import { intArg } from '../ops/convert.js';
import { Layer, type LayerArgs } from './layer.js';

/** The merge layer kinds. */
export type MergeKind = 'add' | 'subtract' | 'multiply' | 'average' | 'maximum' | 'minimum' | 'concatenate';

/**
 * An element-wise merge: TF.js's fold `op(…op(op(x₀, x₁), x₂)…)` (`average` then multiplies
 * by `1/n`), its bits. Inputs have the same per-sample shape, or 1 where they differ
 * (broadcast); `subtract` takes exactly two.
 */
export class Merge extends Layer {
  readonly kind: Exclude<MergeKind, 'concatenate'>;
  constructor(kind: Exclude<MergeKind, 'concatenate'>, args: LayerArgs = {}) {
    super(kind, args);
    this.kind = kind;
  }
  abiParams(): number[] {
    return [];
  }
}

/** Options of {@link Concatenate}. */
export interface ConcatenateArgs extends LayerArgs {
  /** The axis to join along, counting the batch axis (as TF.js); `-1` (default) is the last. */
  axis?: number | undefined;
}

/** Joins its inputs along `axis` (the batch axis excluded); they match on every other axis. */
export class Concatenate extends Layer {
  readonly kind = 'concatenate' as const;
  /** The axis joined along (negative counts from the end; default -1). */
  readonly axis: number;
  constructor(args: ConcatenateArgs = {}) {
    super('concatenate', args, ['axis']);
    this.axis = args.axis === undefined ? -1 : intArg('concatenate', 'axis', args.axis, -32, 32);
  }
  abiParams(): number[] {
    return [this.axis];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}
