/**
 * `autoencoder({ encoder, decoder })`: a model that squeezes its input into a code (the
 * encoder) and rebuilds it from that code (the decoder), trained to reproduce its input.
 *
 * The encoder and decoder are shared, not copied (see "Shared layers" in `sequential.ts`):
 * training the autoencoder trains them, and `encoder.predict(x)` gives the same codes as
 * `ae.encode(x)`. Each keeps working on its own, and disposing one while the autoencoder is
 * alive does not break the autoencoder (its weights live while a model holds them).
 */
import { nextName } from '../names.js';
import { checkArgs, unknownOption, optionKeys } from '../options.js';
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { describe, show } from '../ops/convert.js';
import { Tensor } from '../tensor.js';
import { Layer } from '../layers/layer.js';
import type { FitArgs, History, SampleWeight } from './fit.js';
import type { Verbose } from './progress.js';
import { extraArguments, ownNested, Sequential, setModelMaker, type DisposeResult, type EvaluateOptions } from './sequential.js';
import { layerSpec, makeModel, modelSpec, specFromKeras, type ModelConfig } from '../io/topology.js';
import { inferWeights, type ModelSpec } from '../io/spec.js';

/**
 * Options of {@link autoencoder}: the encoder and decoder (shared, not copied), and the name
 * and seed of the model made of them. Their types become the autoencoder's `encoder` and
 * `decoder` types, so a sequential encoder keeps `predict` without a cast.
 *
 * @example
 * const encoder = sequential({ layers: [layers.dense({ inputShape: [784], units: 32, activation: 'relu' })] });
 * const ae = autoencoder({ encoder, decoder: layers.dense({ units: 784, activation: 'sigmoid' }) });
 * ae.encoder.predict(x); // ae: Autoencoder<Sequential, Dense>
 */
export interface AutoencoderArgs<E extends Sequential | Layer = Sequential | Layer, D extends Sequential | Layer = Sequential | Layer> {
  /** Maps an input to its code: a sequential model or a single layer. */
  encoder: E;
  /** Maps a code back to an input: a sequential model or a single layer. */
  decoder: D;
  /** The model's name; `autoencoder_1`, … if omitted. */
  name?: string | undefined;
  /**
   * Seed for the initialisation of parts not built yet, dropout and noise masks and shuffling.
   * Default: drawn from the global generator when the autoencoder is made (see `setSeed` and
   * `SequentialArgs.seed`).
   */
  seed?: number | undefined;
  /**
   * `true`: the autoencoder owns the encoder and decoder given, so `ae.dispose()` frees model
   * parts too (use `ae.encoder` only while `ae` is live), as it does for the parts of an
   * autoencoder made by `fromConfig` or `loadModel`. For parts made only for this autoencoder,
   * typically written inline. Default `false`: a model part stays its maker's and keeps working
   * after `ae.dispose()` (see {@link Autoencoder.dispose}).
   *
   * @example
   * const ae = autoencoder({ encoder: sequential({ layers: [...] }), decoder: sequential({ layers: [...] }), ownsParts: true });
   * ae.dispose(); // frees the encoder and decoder too
   */
  ownsParts?: boolean | undefined;
}

const OPTIONS = ['encoder', 'decoder', 'name', 'seed', 'ownsParts'];

const fmt = (s: number[] | undefined): string => (s ? `[${s.join(',')}]` : 'unknown');


/** Options of `encode`, `decode` and `reconstruct`. */
export interface AutoencoderPredictArgs {
  /** Samples per batch. Default 32. */
  batchSize?: number | undefined;
}

/**
 * Options of an autoencoder's `fit`: those of `Sequential.fit`, except that `validationData`
 * may also be a single tensor, which is then its own target (as `x` is in `fit(x, options)`).
 */
export type AutoencoderFitArgs = Omit<FitArgs, 'validationData'> & { validationData?: Tensor | FitArgs['validationData'] | undefined };

type EvaluateArgs = EvaluateOptions & { returnDict?: boolean | undefined };

/**
 * A plain autoencoder: `encoder` then `decoder` as one trainable model. `fit(x, options)`,
 * `evaluate(x, options)`, `trainOnBatch(x)` and `fit`'s `validationData: xVal` use the input as
 * the target; `fit(x, y, options)` (and `evaluate(x, y)`, `trainOnBatch(x, y)`) take explicit
 * targets (e.g. clean images for a denoising autoencoder fed noisy ones). `fitDataset` and
 * `evaluateDataset` take datasets whose batches are the inputs alone (a tensor, or `{ xs }`:
 * `data.csv(…).map(…).batch(64)`), their own targets, as well as `{ xs, ys }`. Named
 * `autoencoder_N` unless given a `name`.
 *
 * `E` and `D` are the types of the encoder and decoder, inferred by {@link autoencoder} from
 * what it is given (`Autoencoder<Sequential, Dense>`, …); an autoencoder made by
 * {@link Autoencoder.fromConfig} or `loadModel` has the default, `Sequential | Layer` each
 * (`instanceof Sequential` narrows).
 *
 * @example
 * const ae = autoencoder({ encoder, decoder });
 * ae.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
 * await ae.fit(x, { epochs: 50, batchSize: 256 });
 * const codes = ae.encode(x);
 */
export class Autoencoder<E extends Sequential | Layer = Sequential | Layer, D extends Sequential | Layer = Sequential | Layer> extends Sequential {
  /** The encoder given to {@link autoencoder} (the same object, not a copy): input → code. */
  readonly encoder: E;
  /** The decoder given to {@link autoencoder} (the same object, not a copy): code → input. */
  readonly decoder: D;

  /** @internal A dataset element of inputs alone (a tensor, or `{ xs }`) is its own target in `fitDataset` and `evaluateDataset`. */
  override get inputsAreTargets(): boolean {
    return true;
  }

  constructor(args: AutoencoderArgs<E, D>) {
    if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new InvalidArgumentError(`autoencoder: expected { encoder, decoder }, got ${describe(args)}`);
    for (const k of optionKeys('autoencoder', args)) {
      if (!OPTIONS.includes(k)) throw unknownOption('autoencoder', k, OPTIONS);
    }
    for (const part of ['encoder', 'decoder'] as const) {
      const v = args[part];
      if (!(v instanceof Sequential) && !(v instanceof Layer)) throw new InvalidArgumentError(`autoencoder: ${part} must be a sequential model or a layer, got ${describe(v)}`);
    }
    const { encoder, decoder } = args;
    if (args.name !== undefined && typeof args.name !== 'string') throw new InvalidArgumentError(`autoencoder: name must be a string, got ${describe(args.name)}`);
    if (args.ownsParts !== undefined && typeof args.ownsParts !== 'boolean') throw new InvalidArgumentError(`autoencoder: ownsParts must be a boolean, got ${describe(args.ownsParts)}`);
    const out = outputShapeOf(encoder);
    const inp = decoder.inputDims;
    if (out && inp && !sameShape(out, inp)) {
      throw new InvalidArgumentError(`autoencoder: encoder ${encoder.name} outputs per-sample shape ${fmt(out)} but decoder ${decoder.name} expects ${fmt(inp)}`);
    }
    super({ layers: [encoder, decoder], name: args.name ?? nextName('autoencoder'), seed: args.seed });
    this.encoder = encoder;
    this.decoder = decoder;
    // Freed with this model (after its own handle), as the parts fromConfig and loadModel make.
    if (args.ownsParts) ownNested(this, [encoder as Sequential | Layer, decoder].filter((p): p is Sequential => p instanceof Sequential));
  }

  /**
   * An error: an autoencoder's layers are its encoder and its decoder (add the layer to one of
   * them before the autoencoder is built, or make a new autoencoder).
   */
  override add(layer: Layer | Sequential): void {
    // The constructor adds the two parts (before `encoder` is set).
    if (this.encoder !== undefined) throw new InvalidArgumentError(`add: autoencoder ${this.name}'s layers are its encoder and its decoder; add the layer to one of them before the autoencoder is built, or make a new autoencoder`);
    super.add(layer);
  }

  /** An error, as {@link Autoencoder.add}: an autoencoder's layers are its encoder and its decoder. */
  override pop(): void {
    throw new InvalidArgumentError(`pop: autoencoder ${this.name}'s layers are its encoder and its decoder; pop a layer of one of them before the autoencoder is built, or make a new autoencoder`);
  }

  /** Builds the autoencoder; a shape conflict between encoder and decoder names both shapes. */
  override build(inputShape?: number[] | [null, ...Array<number | null>]): void {
    try {
      super.build(inputShape);
    } catch (err) {
      if (!(err instanceof ShapeError)) throw err;
      const out = this.encoder instanceof Sequential ? this.encoder.outputDims : undefined;
      const inp = this.decoder.inputDims;
      throw new InvalidArgumentError(`autoencoder: encoder ${this.encoder.name} outputs per-sample shape ${fmt(out)} but decoder ${this.decoder.name} expects ${fmt(inp)} (${err.message})`);
    }
  }

  /**
   * A new, unbuilt autoencoder from a Keras config saved from one (`getConfig()`; its two
   * layers are the encoder and the decoder). Use {@link loadModel} for one with its weights.
   * Whether each part is a model or a layer is known only from the config, so `encoder` and
   * `decoder` are typed `Sequential | Layer`: `if (ae.encoder instanceof Sequential)` narrows.
   */
  static override fromConfig(config: ModelConfig | Record<string, unknown>): Autoencoder {
    const spec = specFromKeras('fromConfig', 'config', config);
    if (spec.layers.length !== 2) throw new InvalidArgumentError(`fromConfig: config.layers of an autoencoder must be [encoder, decoder], got ${spec.layers.length} entries`);
    return makeModel('fromConfig', { ...spec, autoencoder: true }, makeAutoencoderOrSequential) as Autoencoder;
  }

  /**
   * The codes of `x` (`[batch, ...inputShape]`): the encoder's output. Unknown option keys are
   * errors ("did you mean 'batchSize'?"), as in `predict`.
   */
  encode(x: Tensor, args: AutoencoderPredictArgs = {}): Tensor {
    checkArgs('encode', args, ['batchSize']);
    return this.predictRange('encode', x, 0, 1, args.batchSize);
  }

  /** Inputs rebuilt from codes `z` (`[batch, ...codeShape]`): the decoder's output. */
  decode(z: Tensor, args: AutoencoderPredictArgs = {}): Tensor {
    checkArgs('decode', args, ['batchSize']);
    return this.predictRange('decode', z, 1, 2, args.batchSize);
  }

  /** `decode(encode(x))` in one pass; takes `predict`'s options (`batchSize`, `verbose`). */
  reconstruct(x: Tensor, args: AutoencoderPredictArgs & { verbose?: Verbose | undefined } = {}): Tensor {
    return this.predictAs('reconstruct', x, args);
  }

  /**
   * Trains the autoencoder to reproduce `x` (`fit(x, options)`, or `fit(x, undefined, options)`), or to map `x` to `y`
   * (`fit(x, y, options)`, e.g. noisy inputs to clean targets). `validationData` may be a
   * single tensor, its own target (`fit(x, { validationData: xTest })`), or `[x, y]`; with
   * explicit targets `y` it must be `[x, y]` (a single tensor is an error).
   */
  override fit(x: Tensor | Tensor[], y?: Tensor | Tensor[] | AutoencoderFitArgs, args?: AutoencoderFitArgs): Promise<History> {
    try {
      extraArguments('fit', arguments.length, 3);
    } catch (err) {
      return Promise.reject(err);
    }
    if (y instanceof Tensor || Array.isArray(y)) {
      // With explicit targets (noisy → clean), a lone validation tensor as its own target would
      // validate another task (the identity) without a word: ask for the pair.
      if (args !== null && typeof args === 'object' && args.validationData instanceof Tensor) {
        return Promise.reject(new InvalidArgumentError(`fit: validationData is a single tensor (shape ${show(args.validationData.shape)}), which an autoencoder uses as its own target, but fit was given targets y: pass validationData: [xVal, yVal] with the validation targets (e.g. the clean images), as Keras asks`));
      }
      return super.fit(x, y, fitArgs(args ?? {}));
    }
    // fit(x, undefined, options) (Keras's fit(x, None, …)): x is the target, as fit(x, options).
    const none = y === undefined || y === null;
    if (args !== undefined && !none) return Promise.reject(new InvalidArgumentError(`fit: the second argument must be the targets y (a tensor), or undefined for x itself, when options come third, got ${describe(y)}`));
    try {
      this.#selfTarget('fit');
    } catch (err) {
      return Promise.reject(err);
    }
    return super.fit(x, x, fitArgs((none ? args : y) ?? {}));
  }

  /**
   * With `x` as the target, the output must have the input's shape, or, with the loss
   * `sparseCategoricalCrossentropy`, that shape and one more axis (x holds the class ids of
   * each output position: a text autoencoder, ids `[n, T]` → probabilities `[n, T, vocab]`):
   * say so (a loss's shape error would speak of a `y` the caller never gave).
   */
  #selfTarget(op: string): void {
    if (this.isDisposed) return;
    const inp = this.inputDims;
    const out = inp ? outputShapeOf(this) : undefined;
    if (!inp || !out || sameShape(inp, out)) return;
    const ids = out.length === inp.length + 1 && sameShape(inp, out.slice(0, -1));
    if (ids && this.optimizer !== undefined && this.compiledInfo(op).loss === 'sparseCategoricalCrossentropy') return;
    const sparse = ids ? ", or compile with loss 'sparseCategoricalCrossentropy' if x holds the class ids of each output position" : '';
    throw new InvalidArgumentError(`${op}: autoencoder ${this.name} takes per-sample shape ${fmt(inp)} but its decoder ${this.decoder.name} outputs ${fmt(out)}; ${op}(x) uses x as the target, so the output must have the input's shape (or pass targets: ${op}(x, y)${sparse})`);
  }

  /**
   * Frees the autoencoder and what it owns; what it was given stays its owner's. Who made a
   * part owns it:
   * - an encoder or decoder passed to {@link autoencoder} is the caller's (unless
   *   {@link AutoencoderArgs.ownsParts} is `true`: then `ae.dispose()` frees it), also when written
   *   inline (`autoencoder({ encoder: sequential({ … }), … })`): a model part keeps working
   *   after `ae.dispose()` (it may be in use elsewhere) and is freed by its own `dispose()`
   *   (`ae.encoder.dispose()`); a layer part has no state of its own, so its weights go with
   *   the last model holding it (this one, unless the layer is in another live model). TF.js
   *   4.22 differs: disposing a model disposes the layers of the models nested in it, so a
   *   user's encoder fails afterwards (`Layer '…' is already disposed`);
   * - the parts of an autoencoder made by {@link Autoencoder.fromConfig}, `loadModel` or
   *   `loadLayersModel` were made by the library for it, so `ae.dispose()` frees them too (use
   *   `ae.encoder` only while `ae` is live).
   *
   * @example
   * const ae = autoencoder({ encoder: sequential({ layers: [layers.dense({ inputShape: [784], units: 32 })] }), decoder: layers.dense({ units: 784 }) });
   * ae.compile({ optimizer: 'adam', loss: 'mse' });
   * try { await ae.fit(x, { epochs: 5 }); } finally { ae.dispose(); ae.encoder.dispose(); }
   * // or: autoencoder({ encoder: sequential({ … }), decoder, ownsParts: true }) and ae.dispose() alone
   */
  override dispose(): DisposeResult {
    return super.dispose();
  }

  /**
   * Loss and metrics on `x` with `x` itself as the target (`evaluate(x, options)`, as `fit(x,
   * options)`), or on explicit targets (`evaluate(x, y, options)`); see `Sequential.evaluate`.
   *
   * @example const { loss } = ae.evaluate(xTest, { returnDict: true });
   */
  override evaluate(x: Tensor, y: Tensor, args?: EvaluateOptions & { returnDict?: false | undefined }): Tensor | Tensor[];
  /** With explicit targets, `returnDict: true`: the loss and metrics by name (`{ loss, … }`). */
  override evaluate(x: Tensor, y: Tensor, args: EvaluateOptions & { returnDict: true }): Record<string, number>;
  /** On `x` with `x` itself as the target: the loss (and metrics) as scalar tensors, yours to dispose. */
  override evaluate(x: Tensor, args?: EvaluateOptions & { returnDict?: false | undefined }): Tensor | Tensor[];
  /** On `x` with `x` itself as the target, `returnDict: true`: the loss and metrics by name (`{ loss, … }`). @example const { loss } = ae.evaluate(xTest, { returnDict: true }); */
  override evaluate(x: Tensor, args: EvaluateOptions & { returnDict: true }): Record<string, number>;
  override evaluate(x: Tensor, y?: Tensor | EvaluateArgs, args?: EvaluateArgs): Tensor | Tensor[] | Record<string, number> {
    extraArguments('evaluate', arguments.length, 3);
    if (y instanceof Tensor) return super.evaluate(x, y, args as never);
    // evaluate(x, undefined, options), as fit's: x is the target.
    const none = y === undefined || y === null;
    if (args !== undefined && !none) throw new InvalidArgumentError(`evaluate: the second argument must be the targets y (a tensor), or undefined for x itself, when options come third, got ${describe(y)}`);
    this.#selfTarget('evaluate');
    return super.evaluate(x, x, ((none ? args : y) ?? {}) as never);
  }

  /**
   * One training step on the whole of `x`, with `x` as the target (`trainOnBatch(x)`), or on
   * `x`/`y`; returns `[loss, ...metrics]` (or the loss). `sampleWeight` as `Sequential`'s
   * (`trainOnBatch(x, undefined, w)` with `x` as the target).
   */
  override trainOnBatch(x: Tensor | Tensor[] | Record<string, Tensor>, y?: Tensor | Tensor[] | Record<string, Tensor>, sampleWeight?: SampleWeight | null): number | number[] {
    extraArguments('trainOnBatch', arguments.length, 3);
    if (y !== undefined) return super.trainOnBatch(x, y, sampleWeight);
    this.#selfTarget('trainOnBatch');
    return super.trainOnBatch(x, x, sampleWeight);
  }
}

/** `validationData: xVal` (a single tensor) as `[xVal, xVal]`. */
function fitArgs(args: AutoencoderFitArgs): FitArgs {
  if (args !== null && typeof args === 'object' && args.validationData instanceof Tensor) return { ...args, validationData: [args.validationData, args.validationData] };
  return args as FitArgs;
}

/**
 * The per-sample output shape of an encoder, if known without building it: the built shape,
 * else inferred from its layers' configs and declared input shape (no WebAssembly is touched).
 * `undefined` if unknown (or if the layers do not fit together, which build reports).
 */
function outputShapeOf(encoder: Sequential | Layer): number[] | undefined {
  if (encoder instanceof Sequential && encoder.outputDims) return encoder.outputDims;
  const inp = encoder.inputDims;
  if (!inp) return undefined;
  try {
    return inferWeights('autoencoder', encoder instanceof Sequential ? modelSpec(encoder) : layerSpec(encoder, 'encoder'), inp, []);
  } catch {
    return undefined;
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

// `Sequential.fromConfig` gives an Autoencoder for a config that marks one.
setModelMaker(makeAutoencoderOrSequential);

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Creates an {@link Autoencoder} from an encoder and a decoder (shared, not copied); its
 * `encoder` and `decoder` keep the types given (a `Sequential` encoder has `predict`).
 *
 * @example
 * const ae = autoencoder({ encoder, decoder });
 * const codes = ae.encoder.predict(x); // same as ae.encode(x)
 */
export function autoencoder<E extends Sequential | Layer, D extends Sequential | Layer>(args: AutoencoderArgs<E, D>): Autoencoder<E, D> {
  return new Autoencoder(args);
}

/**
 * A new, unbuilt autoencoder from a config saved from one: {@link Autoencoder.fromConfig}.
 *
 * @example const copy = autoencoder.fromConfig(ae.getConfig());
 */
autoencoder.fromConfig = (config: ModelConfig | Record<string, unknown>): Autoencoder => Autoencoder.fromConfig(config);
