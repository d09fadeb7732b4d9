/**
 * The base of every layer. A layer here is a configuration: its weights live in the model's
 * WebAssembly memory once the model is built. Mirrors `crates/core/src/layers/`.
 */
import { InvalidArgumentError } from '../errors.js';
import { boolArg, describe, intArg, MAX_ELEMENTS, show } from '../ops/convert.js';
import { unknownOption } from '../options.js';

/** @internal The keys of {@link LayerArgs}: the options every layer reads. */
export const LAYER_ARG_KEYS = ['name', 'trainable', 'inputShape', 'batchInputShape'] as const;

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

/** The most units a dense or rbf layer may have: 2^24 − 1. */
export const MAX_UNITS = 2 ** 24 - 1;

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

  /**
   * @param keys the options this layer reads beyond {@link LayerArgs}; any other key is an
   *   error suggesting the nearest known one (`activaton` → "did you mean 'activation'?").
   */
  protected constructor(kind: string, args: LayerArgs = {}, keys: readonly string[] = []) {
    if (args === null || typeof args !== 'object' || Array.isArray(args)) {
      throw new InvalidArgumentError(`${kind}: expected an options object, got ${describe(args)}`);
    }
    const known = [...keys, ...LAYER_ARG_KEYS];
    for (const k of Object.keys(args)) {
      // TF.js seeds random layers one by one (dropout({ rate, seed })); here the model does.
      if (k === 'seed' && !known.includes(k)) throw new InvalidArgumentError(`${kind}: there is no per-layer seed; a model's random draws (initial weights, dropout and noise masks) all come from its seed: sequential({ seed, layers })`);
      if (!known.includes(k)) throw unknownOption(kind, k, known);
    }
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name === '')) {
      throw new InvalidArgumentError(`${kind}: name must be a non-empty string, got ${describe(args.name)}`);
    }
    const trainable = boolArg(kind, 'trainable', args.trainable, true);
    let shape: number[] | undefined;
    if (args.inputShape !== undefined && args.inputShape !== null) {
      shape = sampleShape(kind, 'inputShape', args.inputShape);
    } else if (args.batchInputShape !== undefined && args.batchInputShape !== null) {
      const b = args.batchInputShape as unknown;
      if (!Array.isArray(b) || b.length < 1) {
        throw new InvalidArgumentError(`${kind}: batchInputShape must be an array [batch, ...inputShape] (batch null or a positive integer), got ${show(b)}`);
      }
      if (b[0] !== null) intArg(kind, 'batchInputShape[0]', b[0], 1, MAX_ELEMENTS);
      shape = sampleShape(kind, 'batchInputShape', b.slice(1), 1);
    }
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    this.name = args.name ?? `${kind}_${n}`;
    this.trainable = trainable;
    if (shape !== undefined) this.inputShape = shape;
  }

  /** @internal The flat parameter list `crates/core` reads with `from_abi`. */
  abstract abiParams(): number[];

  /** A plain-object description (for `summary` and serialisation). */
  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable, ...(this.inputShape ? { inputShape: this.inputShape } : {}) };
  }
}

/**
 * @internal A per-sample shape (`inputShape`, without the batch dimension): an array of
 * integers in `[1, MAX_ELEMENTS]` whose product is at most {@link MAX_ELEMENTS} (one sample must
 * fit in a tensor). `offset` shifts the index named in errors (for `batchInputShape`).
 */
export function sampleShape(kind: string, arg: string, v: unknown, offset = 0): number[] {
  if (!Array.isArray(v) || v.length > 31) {
    throw new InvalidArgumentError(`${kind}: ${arg} must be an array of positive integers (without the batch dimension), got ${show(v)}`);
  }
  const dims = v.map((d, i) => intArg(kind, `${arg}[${i + offset}]`, d, 1, MAX_ELEMENTS));
  const size = dims.reduce((a, b) => a * b, 1);
  if (size > MAX_ELEMENTS) {
    throw new InvalidArgumentError(`${kind}: ${arg} ${show(v)} has ${size} elements per sample, more than the ${MAX_ELEMENTS} one tensor can hold`);
  }
  return dims;
}

/** Throws unless `v` is a number satisfying `ok`. */
export function checkNumber(op: string, field: string, v: unknown, ok: (x: number) => boolean, what: string): number {
  if (typeof v !== 'number' || !ok(v)) {
    throw new InvalidArgumentError(`${op}: ${field} must be ${what}, got ${describe(v)}`);
  }
  return v;
}
