/**
 * `autoencoder({ encoder, decoder })`: a model that squeezes its input into a code (the
 * encoder) and rebuilds it from that code (the decoder), trained to reproduce its input.
 *
 * The encoder and decoder are shared, not copied (see "Shared layers" in `sequential.ts`):
 * training the autoencoder trains them, and `encoder.predict(x)` gives the same codes as
 * `ae.encode(x)`. Each keeps working on its own, and disposing one while the autoencoder is
 * alive does not break the autoencoder (its weights live while a model holds them).
 */
import { unknownOption } from '../options.js';
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { describe } from '../ops/convert.js';
import { Tensor } from '../tensor.js';
import { Layer } from '../layers/layer.js';
import type { FitArgs, History } from './fit.js';
import { Sequential } from './sequential.js';
import { makeModel, specFromKeras, type ModelConfig } from '../io/topology.js';
import type { ModelSpec } from '../io/spec.js';

export interface AutoencoderArgs {
  /** Maps an input to its code: a sequential model or a single layer. */
  encoder: Sequential | Layer;
  /** Maps a code back to an input: a sequential model or a single layer. */
  decoder: Sequential | Layer;
  name?: string;
  /** Seed for the initialisation of parts not built yet, dropout masks and shuffling. Default 0. */
  seed?: number;
}

const fmt = (s: number[] | undefined): string => (s ? `[${s.join(',')}]` : 'unknown');

/**
 * A plain autoencoder: `encoder` then `decoder` as one trainable model. `fit(x, options)` uses
 * the input as the target; `fit(x, y, options)` takes explicit targets (e.g. clean images for
 * a denoising autoencoder fed noisy ones).
 *
 * @example
 * const ae = autoencoder({ encoder, decoder });
 * ae.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
 * await ae.fit(x, { epochs: 50, batchSize: 256 });
 * const codes = ae.encode(x);
 */
export class Autoencoder extends Sequential {
  readonly encoder: Sequential | Layer;
  readonly decoder: Sequential | Layer;

  constructor(args: AutoencoderArgs) {
    if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new InvalidArgumentError(`autoencoder: expected { encoder, decoder }, got ${describe(args)}`);
    for (const k of Object.keys(args)) {
      if (!['encoder', 'decoder', 'name', 'seed'].includes(k)) throw unknownOption('autoencoder', k, ['encoder', 'decoder', 'name', 'seed']);
    }
    for (const part of ['encoder', 'decoder'] as const) {
      const v = args[part];
      if (!(v instanceof Sequential) && !(v instanceof Layer)) throw new InvalidArgumentError(`autoencoder: ${part} must be a sequential model or a layer, got ${describe(v)}`);
    }
    const { encoder, decoder } = args;
    const out = encoder instanceof Sequential ? encoder.outputShape : undefined;
    const inp = decoder.inputShape;
    if (out && inp && !sameShape(out, inp)) {
      throw new InvalidArgumentError(`autoencoder: encoder ${encoder.name} outputs per-sample shape ${fmt(out)} but decoder ${decoder.name} expects ${fmt(inp)}`);
    }
    super({ layers: [encoder, decoder], name: args.name, seed: args.seed });
    this.encoder = encoder;
    this.decoder = decoder;
  }

  /** Builds the autoencoder; a shape conflict between encoder and decoder names both shapes. */
  override build(inputShape?: number[]): void {
    try {
      super.build(inputShape);
    } catch (err) {
      if (!(err instanceof ShapeError)) throw err;
      const out = this.encoder instanceof Sequential ? this.encoder.outputShape : undefined;
      const inp = this.decoder.inputShape;
      throw new InvalidArgumentError(`autoencoder: encoder ${this.encoder.name} outputs per-sample shape ${fmt(out)} but decoder ${this.decoder.name} expects ${fmt(inp)} (${err.message})`);
    }
  }

  /**
   * A new, unbuilt autoencoder from a Keras config saved from one (`getConfig()`; its two
   * layers are the encoder and the decoder). Use {@link loadModel} for one with its weights.
   */
  static override fromConfig(config: ModelConfig | Record<string, unknown>): Autoencoder {
    const spec = specFromKeras('fromConfig', 'config', config);
    if (spec.layers.length !== 2) throw new InvalidArgumentError(`fromConfig: config.layers of an autoencoder must be [encoder, decoder], got ${spec.layers.length} entries`);
    return makeModel('fromConfig', { ...spec, autoencoder: true }, makeAutoencoderOrSequential) as Autoencoder;
  }

  /** The codes of `x` (`[batch, ...inputShape]`): the encoder's output. */
  encode(x: Tensor, args: { batchSize?: number } = {}): Tensor {
    return this.predictRange('encode', x, 0, 1, args.batchSize);
  }

  /** Inputs rebuilt from codes `z` (`[batch, ...codeShape]`): the decoder's output. */
  decode(z: Tensor, args: { batchSize?: number } = {}): Tensor {
    return this.predictRange('decode', z, 1, 2, args.batchSize);
  }

  /** `decode(encode(x))` in one pass. */
  reconstruct(x: Tensor, args: { batchSize?: number } = {}): Tensor {
    return this.predict(x, args);
  }

  /**
   * Trains the autoencoder to reproduce `x` (`fit(x, options)`), or to map `x` to `y`
   * (`fit(x, y, options)`, e.g. noisy inputs to clean targets).
   */
  override fit(x: Tensor, y?: Tensor | FitArgs, args?: FitArgs): Promise<History> {
    if (y instanceof Tensor) return super.fit(x, y, args ?? {});
    if (args !== undefined) throw new InvalidArgumentError(`fit: the second argument must be the targets y (a tensor) when options come third, got ${describe(y)}`);
    return super.fit(x, x, y ?? {});
  }
}

/**
 * @internal The model for a spec: an {@link Autoencoder} for a spec read from an autoencoder's
 * config (its two layers are the encoder and the decoder), else a Sequential.
 */
export function makeAutoencoderOrSequential(s: ModelSpec, layers: Array<Layer | Sequential>): Sequential {
  if (s.autoencoder && layers.length === 2) return new Autoencoder({ encoder: layers[0], decoder: layers[1], name: s.name, seed: s.seed });
  return new Sequential({ name: s.name, seed: s.seed, layers });
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Creates an {@link Autoencoder} from an encoder and a decoder (shared, not copied). */
export function autoencoder(args: AutoencoderArgs): Autoencoder {
  return new Autoencoder(args);
}
