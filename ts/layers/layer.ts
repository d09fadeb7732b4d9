/**
 * The base of every layer. A layer here is a configuration: its weights live in the model's
 * WebAssembly memory once the model is built. Mirrors `crates/core/src/layers/`.
 */
import { InvalidArgumentError } from '../errors.js';

/** Options every layer accepts (Keras/TF.js names). */
export interface LayerArgs {
  /** A unique name; generated (`dense_1`, ...) if omitted. */
  name?: string;
  /** `false` freezes the layer's weights during training. Default `true`. */
  trainable?: boolean;
  /** Per-sample input shape (without the batch dimension); only needed on the first layer. */
  inputShape?: number[];
  /** Input shape with the batch dimension first (`null` or any number for the batch). */
  batchInputShape?: Array<number | null>;
}

const counters = new Map<string, number>();

/** Layer kind ids of the C ABI: Rust `neurite_core::layers::LAYER_KINDS`, compared name by name by `test/codes.test.ts`. */
export const LAYER_KINDS = [
  'dense', 'activation', 'prelu', 'dropout', 'gaussianNoise',
  'batchNormalization', 'layerNormalization', 'flatten', 'reshape', 'rbf',
  'saltAndPepper', 'variational',
] as const;
export type LayerKind = (typeof LAYER_KINDS)[number];

export abstract class Layer {
  /** The layer type (`dense`, `dropout`, ...). */
  abstract readonly kind: LayerKind | 'input';
  readonly name: string;
  /** Whether training updates this layer's weights. Set before `compile`/`fit`. */
  trainable: boolean;
  /** The per-sample input shape, if given. */
  readonly inputShape?: number[];

  protected constructor(kind: string, args: LayerArgs = {}) {
    if (args === null || typeof args !== 'object' || Array.isArray(args)) {
      throw new InvalidArgumentError(`${kind}: expected an options object, got ${args === null ? 'null' : Array.isArray(args) ? 'an array' : typeof args}`);
    }
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    this.name = args.name ?? `${kind}_${n}`;
    this.trainable = args.trainable ?? true;
    const shape = args.inputShape ?? (args.batchInputShape ? (args.batchInputShape.slice(1) as number[]) : undefined);
    if (shape !== undefined) {
      if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
        throw new InvalidArgumentError(`${kind}: inputShape must be an array of positive integers (without the batch dimension), got ${JSON.stringify(shape)}`);
      }
      this.inputShape = shape.slice();
    }
  }

  /** @internal The flat parameter list `crates/core` reads with `from_abi`. */
  abstract abiParams(): number[];

  /** A plain-object description (for `summary` and serialisation). */
  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable, ...(this.inputShape ? { inputShape: this.inputShape } : {}) };
  }
}

/** Throws unless `v` is a number satisfying `ok`. */
export function checkNumber(op: string, field: string, v: unknown, ok: (x: number) => boolean, what: string): number {
  if (typeof v !== 'number' || !ok(v)) {
    throw new InvalidArgumentError(`${op}: ${field} must be ${what}, got ${typeof v === 'number' ? v : JSON.stringify(v)}`);
  }
  return v;
}
