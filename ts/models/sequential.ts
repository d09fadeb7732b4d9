/**
 * `sequential`: a stack of layers with a Keras/TF.js-style API — `compile`, `fit`,
 * `predict`, `evaluate`, `trainOnBatch`, `summary`, `getWeights`/`setWeights`, `dispose`.
 *
 * The model lives in WebAssembly memory behind one handle: its optimizer state, the training
 * loop's sample order, and a shared reference to its layers. A training step — gather the
 * batch, forward, loss, backward, optimizer update — is a single call into WebAssembly. `fit`
 * yields to the event loop between batches so that a page stays responsive.
 *
 * # Shared layers (Keras semantics)
 * A layer or a model placed in several models is one object with one set of weights: training
 * any of them trains it everywhere, and `getWeights`/`setWeights` agree. A nested model stays
 * usable on its own (its own `compile`, `fit`, `predict`). Weights live while a model that
 * holds them is alive: `dispose()` frees a model's own state and drops its references, and a
 * layer's weights go with the last model holding them (a layer object used in a new model after
 * that is a DisposedError, as TF.js's disposed LayerVariable). Each model you build has its own handle: dispose each one. A
 * sequential model holds a layer once (its forward cache is per layer); a graph model may
 * apply one several times, its uses run as one batch (`crates/core/src/model/graph.rs`).
 *
 * A graph model (`model({ inputs, outputs })`, `functional.ts`) is a `Sequential` whose layers
 * read the values its wiring names instead of the previous layer's output.
 */
import { nextId, nextName, sawName } from '../names.js';
import { argPtr, assertLive, call, check, instanceId, outPtr, readArgs, readOut, training, withWords, words, writeArgs } from '../engine.js';
import { checkArgs as readKeys, didYouMean, f32Bits } from '../options.js';
import { DisposedError, inOp, InvalidArgumentError, NonFiniteError, placeBadValue, ShapeError } from '../errors.js';
import { track, untrack, type Tracked } from '../scope.js';
import { Tensor } from '../tensor.js';
import { boolArg, checkShape, describe, f32String, need, show } from '../ops/convert.js';
import { runOp } from '../ops/run.js';
import { drawSeed } from '../ops/random.js';
import { mixSeed } from '../data/random.js';
import { zoneTask } from '../runtime.js';
import { reshape } from '../ops/shape.js';
import { slice } from '../ops/slicing.js';
import { concat } from '../ops/joining.js';
import { InputLayer } from '../layers/core.js';
import { checkBoundInputs, checkNotCustom, Layer, LAYER_KINDS, refuseRename, setEagerRunner, setLocator, showShape, trainableArg, type Shape } from '../layers/layer.js';
import { applyEager, disposeEager, eagerHolders, isEagerInput } from './eager.js';
import { adapting, Normalization } from '../layers/feature_normalization.js';
import { printLine, readVerbose, type Verbose } from './progress.js';
import { formatLog } from '../format.js';
import { encodeCompile, metricLogName, targetHint, type CompileArgs, type CompiledInfo } from './compile.js';
import { customEvaluate, customStep, type MetricStates } from './custom-loss.js';
import type { Optimizer } from '../optimizers.js';
import { kerasAliases, trainChunk, readSampleWeights, rowCounts, setEpochsCompleted, weightTensor, type FitArgs, type History, type SampleWeight, type WeightTargets } from './fit.js';
import type { DatasetLike, EvaluateDatasetArgs, FitDatasetArgs } from './fit-dataset.js';
import { dataChunk } from '../data/lazy.js';
import { summaryText, type SummaryOptions, type SummaryRow } from './summary.js';
import { assertCanLearn } from './zero_gradient.js';
import { distribution, type Distribution } from '../layers/autoencoder.js';
import { numWeights, readWeights, weightSpecs, writeWeights, type WeightValues } from './weights.js';
import { tfLayerOrder, tfWeightOrder, type WeightTree } from './weight-order.js';
import type { LayerVariable } from '../layers/variable.js';
import { setModelVariables, tapeRecording } from '../autodiff.js';
import { checkUserDefinedMetadata, type IOHandler, type ModelArtifacts, type SaveResult } from '../io/artifacts.js';
import { saveWith, sequentialToArtifacts, type SaveOptions } from '../io/model.js';
import { exportTrainingState, importTrainingState, trainingStep, type TrainingState } from './training-state.js';
import { layerSpec, makeModel, modelConfig, modelSpec, specFromKeras, type ModelConfig } from '../io/topology.js';
import { expectedWeights, inferWeights, type ModelSpec } from '../io/spec.js';
import { applySymbolic, forgetInputOwner, isSymbolic, makingChain, setConnector, setInputOwner, SymbolicTensor, usesOf } from './symbolic.js';
import { byName, checkList, join, oneFeature, pack, packingOutOfMemory, placePacked, unpack, type Part } from './packing.js';
import type { IteratorLike } from '../data/iterator.js';
import { brand } from '../brand.js';
import { CONSTRAINT_OPTIONS } from '../constraints.js';
import { LateWeakRef } from '../late_weak_ref.js';
import type { WebURL } from '../web-types.js';

/**
 * What {@link Sequential.dispose} returns: TF.js's `DisposeResult`, with the same fields and
 * meaning as far as neurite's sharing maps onto TF.js's reference counts.
 */
export interface DisposeResult {
  /**
   * How many live models still hold this one, nested in them (its weights stay, with them);
   * 0 for a model nothing holds. TF.js counts the model's uses: for a model nested in a live
   * one TF.js says 0 and disposes its weights anyway (the outer model then fails), neurite
   * keeps them.
   */
  refCountAfterDispose: number;
  /**
   * How many weights (kernels, biases, moving statistics: TF.js's variables) were freed: those
   * of layers no other live model holds. A layer shared with a live model keeps its weights,
   * counted when its last model is disposed, as TF.js counts them. TF.js also counts the
   * tensors of an optimizer the model made (compiled with a name: `'adam'` adds 2 per weight and
   * 2); neurite frees the model's optimizer state too but does not count it.
   */
  numDisposedVariables: number;
}

/**
 * A graph model's wiring (see `functional.ts`): per layer after the inputs, the values it
 * reads — value `j` is `layers[j]`'s output, the inputs first — and the values it outputs.
 */
interface Graph {
  wiring: number[][];
  /**
   * Further uses of layers (a shared encoder on two inputs): the layer's index after the
   * inputs, the values it reads and the per-sample shape of its output (its own: a layer takes
   * other shapes where its weights fit them); value `layers.length + j` is the `j`-th.
   */
  extraUses: Array<{ layer: number; inputs: number[]; shape: number[] }>;
  /** The layers (indices after the inputs) applied with `training: false`: every use runs with inference behaviour. */
  held: number[];
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  outputNodes: number[];
}

let makeGraph: (args: SequentialArgs, graph: Graph) => Sequential;
let adopt: (m: Sequential, nested: Sequential[]) => void;

/**
 * @internal `m` owns `nested` (models it holds that the library made for it: the nested models
 * of a loaded or `fromConfig` model, which the user never built): `m.dispose()` disposes them too.
 */
export function ownNested(m: Sequential, nested: Sequential[]): void {
  adopt(m, nested);
}

/** @internal A graph model (the functional API's `model()`): a model whose layers read the values `graph.wiring` names. */
export function graphModel(args: SequentialArgs, graph: Graph): Sequential {
  return makeGraph(args, graph);
}

/** Rejects an options value that is not a plain object, and unknown keys (suggesting the nearest). */
const checkArgs = (op: string, args: unknown, known: readonly string[]): void => void readKeys(op, args, known, true);

(Symbol as { dispose?: symbol }).dispose ??= Symbol.for('Symbol.dispose');

/** Options of {@link sequential} (TF.js `tf.sequential`): the layers, the name and the seed. */
export interface SequentialArgs {
  /**
   * Layers (or models) in order; more can be added with `add` before the model is built. A
   * layer or model that is also in other models is shared with them (one set of weights).
   */
  layers?: Array<Layer | Sequential> | undefined;
  name?: string | undefined;
  /**
   * Seed of the model's random draws: its initial weights, its dropout and noise masks, and
   * `fit`'s shuffles (with `fit`'s own `seed`). An integer in [0, 2⁵³ − 1]; the same seed
   * gives the same bits in every runtime and for any thread count. A layer's initial weights
   * come from the seed and the layer's position in the model, layers without weights (dropout)
   * counted: inserting a layer before it changes them, appending or renaming layers does not.
   * For runs that must start from the same weights whatever the architecture around them (an
   * ablation with and without dropout), seed the initializers
   * (`kernelInitializer: initializers.glorotUniform({ seed: 1 })`): their draws depend on
   * their seed alone.
   *
   * Default: drawn from the global generator (see {@link setSeed}) when the model is made
   * (`sequential(…)`, `model(…)`, `fromConfig`; `loadModel` takes one draw when called, before
   * it reads, and the models in the file draw from that, so loads awaited together get the same
   * seeds whichever read finishes first), once; `model.seed` tells it. So
   * two unseeded models start from different weights (as TF.js and Keras), and `setSeed(n)`
   * before the same program gives them the same bits again (as Keras 3's
   * `set_random_seed`). A layer's weights are drawn once, by the first model that builds it;
   * a model sharing the layer later keeps them. The model's config records the seed only when
   * one was given, so a model made from the config of an unseeded one (or loaded from its
   * file) draws its own.
   */
  seed?: number | undefined;
}

type ModelMaker = (s: ModelSpec, layers: Array<Layer | Sequential>) => Sequential;
/** How `fromConfig` makes each model of a spec; `autoencoder.ts` installs one that makes autoencoders too. */
let modelMaker: ModelMaker = (s, layers) => new Sequential({ name: s.name, seed: s.seed, layers });

/** @internal Sets how {@link Sequential.fromConfig} makes models (an Autoencoder for a config that marks one). */
export function setModelMaker(make: ModelMaker): void {
  modelMaker = make;
}

/**
 * The models built in this instance, held weakly (for `variableGrads`' default list). A model
 * leaves it when disposed; the entries of models collected without `dispose()` are swept
 * when the set has doubled since the last sweep, so a service that builds a model per
 * request keeps no JS memory per model.
 */
const liveModels = new Set<LateWeakRef<Sequential>>();
let sweepAt = 64;

/** The undisposed models each layer or model was added to (built or not), for `layer.output`. */
const holders = new WeakMap<Layer | Sequential, Set<Sequential>>();

/**
 * The built, undisposed models each layer or model sits in directly (see `Sequential.#locate`).
 * A model leaves its children's sets when disposed, and a child without one leaves the map:
 * entries left to the collector kept V8's table growing (~80 bytes per model built), which is
 * also why a layer records that it was built in itself (`builtOnce`), not in a weak set.
 */
const parentsOf = new WeakMap<Layer | Sequential, Set<Sequential>>();

/** {@link nestedSeed}'s domain of {@link mixSeed} (not the global generator's, 0). */
const NESTED_DOMAIN = 1;

/**
 * The seed of the unseeded model nested at child `index` of a model seeded `seed`, built with
 * it (see `Sequential.#create`): stream `index` of the seed in a domain of its own.
 */
function nestedSeed(seed: number, index: number): number {
  return mixSeed(seed, index, NESTED_DOMAIN);
}

/** Which `getWeights()` call made a tensor, and its position there (see `Sequential.#orderOf`). */
const gotFrom = new WeakMap<Tensor, { from: { order: number[]; shapes: string[] }; p: number }>();

/** The methods of a Keras (or TF.js) model subclass that neurite never calls. */
const MODEL_HOOKS = ['call', 'trainStep', 'train_step', 'testStep', 'test_step', 'predictStep', 'predict_step', 'computeLoss', 'compute_loss'] as const;

/**
 * Refuses a model subclass that defines one of {@link MODEL_HOOKS} (Keras's subclassed model
 * with `call()`, a `train_step` override): the model would run its layers and never the method,
 * a silent wrong model (the layer subclasses are refused the same way).
 */
function refuseModelHooks(cls: { readonly name: string; readonly prototype: object }): void {
  for (let p: object | null = cls.prototype; p !== null && p !== Sequential.prototype; p = Object.getPrototypeOf(p) as object | null) {
    const m = MODEL_HOOKS.find((k) => Object.hasOwn(p!, k));
    if (m === undefined) continue;
    throw new InvalidArgumentError(
      `new ${cls.name || 'Sequential'}(): the class overrides ${m}(), which neurite never calls: a model runs its layers in the WebAssembly core (Keras's subclassed call() and train_step are not ported). ` +
        'Build the model from layers (sequential({ layers }) or model({ inputs, outputs })), and write a training step of your own as a loop: optimizer.minimize(() => loss(y, model.apply(x, { training: true }))), or variableGrads and applyGradients',
    );
  }
}

/**
 * Keras's `model.fit(dataset)`: a `Dataset` where `fit`, `evaluate` and `predict` take tensors
 * (TF.js's rule) is said as such, with the dataset method to use (the message was about `y`).
 */
function notADataset(op: 'fit' | 'evaluate' | 'predict', x: unknown): void {
  if (x === null || typeof x !== 'object' || typeof (x as { iterator?: unknown }).iterator !== 'function' || typeof (x as { batch?: unknown }).batch !== 'function') return;
  const use = {
    fit: 'train on its { xs, ys } batches with model.fitDataset(dataset, { epochs: 5 })',
    evaluate: 'evaluate its { xs, ys } batches with model.evaluateDataset(dataset)',
    predict: 'predict each batch\'s tensors (for await (const b of dataset) model.predict(b.xs))',
  }[op];
  throw new InvalidArgumentError(`${op}: x is a Dataset, and ${op} takes tensors (as TF.js's; Keras's ${op}(dataset) is not ported): ${use}`);
}

/**
 * @internal Refuses arguments past the `n` a method takes, which JS would drop silently (as
 * TF.js does): Keras's `train_on_batch(x, y, sample_weight)` ported as `trainOnBatch(x, y, w)`
 * would train without the weights, `fit(x, y, options, callbacks)` would never run the
 * callbacks, `predict(x, batchSize)`-style positional options would be lost.
 */
export function extraArguments(op: string, given: number, n: number): void {
  if (given <= n) return;
  const takes = `${op}: takes ${n} arguments`;
  switch (op) {
    case 'fit':
      throw new InvalidArgumentError(`${takes} (x, y, options), got ${given}; everything else goes in the options object, callbacks too: fit(x, y, { epochs: 10, callbacks: [...] }) (an argument after the options is never read, so its callbacks would never run)`);
    case 'evaluate':
      throw new InvalidArgumentError(`${takes} (x, y, options), got ${given}; options go in one object: evaluate(x, y, { batchSize: 32 }) (evaluate takes no callbacks; for callbacks during training pass fit(x, y, { callbacks }))`);
    case 'predict':
      throw new InvalidArgumentError(`${takes} (x, options), got ${given}; options go in one object: predict(x, { batchSize: 32 }) (predict takes no callbacks; for callbacks during training pass fit(x, y, { callbacks }))`);
    default:
      throw new InvalidArgumentError(`${takes} (x, y, sampleWeight), got ${given}; trainOnBatch takes no options (Keras's class_weight is fit's classWeight: fit(x, y, { classWeight, batchSize: n, epochs: 1 }) is one step)`);
  }
}

/**
 * The name a core error under `evaluate` carries, renamed to `op` (none under `fit`): the
 * weighted loss shared with training names itself `fit`.
 */
function evaluateCoreOp(op: string, err: unknown): string | undefined {
  if (op === 'fit') return undefined;
  return err instanceof Error && err.message.startsWith('fit: ') ? 'fit' : 'evaluate';
}

/** @internal The options `evaluate` takes. */
export const EVALUATE_KEYS = ['batchSize', 'returnDict', 'sampleWeight', 'verbose'] as const;

/** The options of {@link Sequential.evaluate}. */
export interface EvaluateOptions {
  /** Samples per batch (default 32); the results do not depend on it beyond rounding. */
  batchSize?: number | undefined;
  /**
   * A weight per sample, as Keras's `sample_weight` (TF.js's evaluate takes none): the loss is
   * weighted as `fit` weights it (Keras 3's `sum(w·loss) / n`); metrics are not. The forms of
   * {@link FitArgs.sampleWeight}: `[n]`, a weight per step (`[n, T]`), per output.
   */
  sampleWeight?: SampleWeight | undefined;
  /**
   * Keras's `verbose`: 1, 2, `true` or `'auto'` print one line with the results when done, as
   * Keras 3's last progress line (`4/4 - 0s - 2ms/step - loss: 0.0125 - mae: 0.0893`: batches,
   * time, time per batch, the loss and metrics under `fit`'s log names; no bar, the batches run
   * in one call into the core). 0 or `false` prints nothing. Default 0, as TF.js (whose
   * evaluate prints nothing, and throws for a verbose above 0); Keras's default is `'auto'`
   * (1). Where it goes as `fit`'s progress: stdout in Node and Deno; in a browser
   * `console.log`, except for `'auto'`, which prints nothing there.
   */
  verbose?: Verbose | undefined;
}

/**
 * TF.js's input shape of an embedding given none (no `inputShape`, `batchInputShape` or
 * `inputLength`): `[null]`, sequences of any length (its `batchInputShape` is `[null, null]`);
 * `undefined` for any other first layer (a model nested first: its own first layer's).
 */
function anyLength(first: Layer | Sequential | undefined): number[] | undefined {
  if (first instanceof Sequential) return first.inputDims ?? anyLength(first.coreLayers[0]);
  return first?.kind === 'embedding' && first.inputDims === undefined ? [0] : undefined;
}

/** How much input a model of several inputs packs at a time in {@link Sequential.predict} (see `#packedPredict`). */
let PREDICT_CHUNK_BYTES = 16 * 2 ** 20;

/** @internal Sets {@link PREDICT_CHUNK_BYTES} (tests: chunks of a few rows); returns the previous value. */
export function setPredictChunkBytes(bytes: number): number {
  const was = PREDICT_CHUNK_BYTES;
  PREDICT_CHUNK_BYTES = bytes;
  return was;
}

/** A stack of layers trained as one model (Keras/TF.js `Sequential`); make one with {@link sequential}. */
export class Sequential {
  static {
    brand(this);
    // console.log of a model (Node, Deno): its public fields and its layers, which are a
    // getter (a frozen copy) and would not show. Node shows the object returned; Deno wants a
    // string and passes its inspect first (it printed [object Object]).
    const view = (self: Sequential): object => {
      const name = self.constructor.name;
      const v = new ({ [name]: class {} } as Record<string, new () => object>)[name]();
      // A disposed model says so (it printed as one with no layers).
      return Object.assign(v, self.isDisposed ? { name: self.name, disposed: true } : { ...self, name: self.name, layers: self.layers });
    };
    const hooks: Array<[string, (this: Sequential, ...a: unknown[]) => unknown]> = [
      ['nodejs.util.inspect.custom', function (this: Sequential) {
        return view(this);
      }],
      ['Deno.customInspect', function (this: Sequential, inspect: unknown, options: unknown) {
        return typeof inspect === 'function' ? (inspect as (v: unknown, o: unknown) => string)(view(this), options) : String(view(this));
      }],
    ];
    for (const [key, value] of hooks) Object.defineProperty(this.prototype, Symbol.for(key), { value, writable: true, configurable: true });
  }

  /**
   * TF.js's class name, `'Sequential'` (`model.constructor.className`, as `getClassName()`);
   * a graph model's class, {@link LayersModel}, has `'Model'`.
   */
  static readonly className: string = 'Sequential';

  /**
   * A unique name, given or generated (`sequential_1`, `model_1`, …); `getLayer` in an outer
   * model finds it by this. Fixed when the model is made (assigning one is an error): copies of
   * one loaded model side by side in a graph ensemble take names, theirs and their layers' (a
   * saved ensemble's layer names are unique), as they are made, from the config:
   * `const c = m.getConfig()`, then
   * `sequential.fromConfig({ ...c, config: { ...c.config, name: 'm2', layers: c.config.layers.map((l) => ({ ...l, config: { ...l.config, name: 'm2_' + l.config.name } })) } })`
   * (a sequential model's config; its weights keep their order), then
   * `tidy(() => copy.setWeights(m.getWeights()))`.
   */
  get name(): string {
    return this.#name;
  }
  #name: string;
  /**
   * The layers (nested models appear as one entry), as a frozen list: the model's own list
   * cannot be edited through it (`model.layers.pop()` throws a TypeError). Add layers with
   * {@link Sequential.add}. Keras returns a copy; TF.js returns its own list, whose edits
   * desynchronise the model. A graph model's are in TF.js's and Keras's order: by depth from
   * the outputs, deepest first (so `model.layers[i]` is the same layer in all three), which is
   * also the order of `getLayer(index)`, `summary()`'s rows and `getWeights()`.
   */
  get layers(): ReadonlyArray<Layer | Sequential> {
    return (this.#layersView ??= Object.freeze(this.#graph ? this.#tfOrder().map((j) => this.#layers[j]) : this.#layers.slice()));
  }

  /**
   * @internal The layers in the order the core holds them (a graph model's input layers first,
   * then each layer after those it reads): the indices of `graphWiring` and `graphIo` are into
   * this list. {@link Sequential.layers} lists a graph model's in TF.js's order.
   */
  get coreLayers(): ReadonlyArray<Layer | Sequential> {
    return this.#layers;
  }

  /**
   * A graph model's layers in TF.js's and Keras's order, as indices into `#layers`: by depth
   * from the outputs, deepest first (see `tfLayerOrder`); a layer no output reaches comes last.
   */
  #tfOrder(): number[] {
    const g = this.#graph!;
    const order = tfLayerOrder(g.inputs.length, g.wiring, g.extraUses, g.outputNodes);
    const listed = new Set(order);
    for (let j = 0; j < this.#layers.length; j++) if (!listed.has(j)) order.push(j);
    return order;
  }
  #layers: Array<Layer | Sequential> = [];
  /** {@link Sequential.layers}' frozen copy of `#layers`, made on first read after a change. */
  #layersView: ReadonlyArray<Layer | Sequential> | undefined;
  /** The names of `#layers` (unique in a model). */
  #names = new Set<string>();
  /**
   * A number no other layer or model of this program has (TF.js's \`layer.id\`). An own
   * property, as TF.js's: two models are never deep-equal (\`toEqual\`, \`assert.deepStrictEqual\`)
   * unless they are one object (every model was deep-equal to every other).
   */
  readonly id: number = nextId();

  /**
   * Set to `true` (from a callback, a timer, a button's handler) to end `fit` or `fitDataset`
   * after the current batch, with that epoch's `onEpochEnd`. As TF.js, training clears it after
   * `onTrainBegin`: a flag left from before, or set in `onTrainBegin`, stops nothing.
   */
  stopTraining = false;
  /**
   * `false` freezes every layer of this model: inside another model its weights do not train,
   * its `trainableWeights` is empty, and its own `fit`/`fitDataset`/`trainOnBatch` throw (as
   * TF.js: nothing could change). As TF.js, it freezes the variables of its own layers
   * everywhere: in `variableGrads`/`minimize` lists (a GAN's generator step over
   * `gan.weights` leaves the discriminator alone) and in other models sharing those layers;
   * a model nested in it is frozen while this one trains, but keeps its variables trainable
   * elsewhere (freeze it too if it should not train). Layers can also be frozen one by one; a
   * frozen layer is frozen in every model that uses it. Read at each `fit`/`trainOnBatch` (a GAN
   * loop sets the discriminator's to `true` for its own step and to `false` for the combined
   * model's); a change during `fit` (in a callback) takes effect at the next one, with a warning.
   * `true` or `false`: anything else is an error.
   */
  get trainable(): boolean {
    return this.#trainable;
  }
  set trainable(on: boolean) {
    this.#trainable = trainableArg('model', this.name, on);
  }
  #trainable = true;
  #handle = 0;
  #owner = 0;
  /** The finalizer record, once built (see `track`). */
  #tracked: Tracked | undefined;
  /** This model's entry in `liveModels` while it is built and not disposed. */
  #ref: LateWeakRef<Sequential> | undefined;
  #seed: number;
  /** Whether the seed was given (saved in the config) rather than drawn. */
  #seedGiven: boolean;
  #compiled: CompiledInfo | null = null;
  #disposed = false;
  /** Per-sample output shape of each layer once built. */
  #shapes: number[][] = [];
  #paramCounts: number[] = [];
  /** Set while {@link Sequential.buildWithWeights} builds: the core skips the initializers. */
  #skipInit = false;
  /** Set for a graph model (`model({ inputs, outputs })`). */
  #graph: Graph | null = null;
  /** Set while a graph model's layers are added (its input layers first). */
  #assembling = false;
  /** Nested models this one made and disposes with itself (see {@link ownNested}). */
  #owned: Sequential[] = [];

  constructor(args: SequentialArgs = {}) {
    refuseModelHooks(new.target);
    if (Array.isArray(args)) {
      // Keras's Sequential([...]) habit.
      throw new InvalidArgumentError(`sequential: options must be an object, got an array of length ${(args as unknown[]).length}; pass the layers as its layers option, sequential({ layers: [...] }) (TF.js's form of Keras's Sequential([...]))`);
    }
    checkArgs('sequential', args, ['layers', 'name', 'seed']);
    if (args.name !== undefined && typeof args.name !== 'string') throw new InvalidArgumentError(`sequential: name must be a string, got ${describe(args.name)}`);
    if (args.name !== undefined) sawName(args.name);
    this.#name = args.name ?? nextName('sequential');
    const seed = args.seed;
    if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(`sequential: seed must be an integer between 0 and 2^53 - 1, got ${describe(seed)}`);
    if (args.layers !== undefined && !Array.isArray(args.layers)) throw new InvalidArgumentError(`sequential: layers must be an array of layers, got ${describe(args.layers)}`);
    // Drawn once the options are checked: a bad option leaves the global generator as it was.
    this.#seedGiven = seed !== undefined;
    this.#seed = seed ?? drawSeed('sequential');
    if (args.layers !== undefined && !Array.isArray(args.layers)) throw new InvalidArgumentError(`sequential: layers must be an array of layers, got ${describe(args.layers)}`);
    for (const l of args.layers ?? []) this.add(l);
  }

  /**
   * Appends a layer or a model. Either may also sit in other models (built or not): it is
   * shared, with one set of weights. The same object twice in one model, and a model inside
   * itself, are errors.
   *
   * On a built model (TF.js and Keras add to one too) the new layer is built for the model's
   * output and initialized, and the other layers keep their weights. A compiled model must then
   * be compiled again before it trains: its optimizer state, loss and metrics were made for the
   * layers it had (TF.js would keep training the old list of weights and leave the new layer
   * as initialized). A model nested in a built model (sequential, or graph model applying it)
   * cannot change (it would change that one): make a new model from its layers instead.
   *
   * @example
   * // Transfer learning: a new head on a trained trunk (TF.js's model.pop(); model.add(…)).
   * model.pop();
   * model.add(layers.dense({ units: 3, activation: 'softmax' }));
   * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
   */
  add(layer: Layer | Sequential): void {
    if (this.#disposed) throw new DisposedError(`add: model ${this.name} is disposed`);
    if (this.#graph) throw new InvalidArgumentError(`add: model ${this.name} is a graph model (made by model({ inputs, outputs })); apply the layer to its output and make a new model instead`);
    const built = this.#handle !== 0;
    if (built) this.#canChange('add');
    // Keras 3's Sequential([keras.Input(shape), …]): an input() as the first layer gives the
    // model its input shape, as an inputLayer would.
    if (layer instanceof SymbolicTensor && layer.sourceLayer instanceof InputLayer) {
      if (this.layers.length > 0) throw new InvalidArgumentError(`add: input() (Keras 3's keras.Input) gives a sequential model its input shape, so it must come first; model ${this.name} has ${this.layers.length} layer${this.layers.length === 1 ? '' : 's'} already`);
      layer = new InputLayer({ batchInputShape: layer.shape });
    }
    if (!(layer instanceof Layer) && !(layer instanceof Sequential)) {
      throw new InvalidArgumentError(`add: expected a layer (e.g. layers.dense({...})) or a sequential model, got ${describe(layer)}`);
    }
    if (layer instanceof Layer) checkNotCustom('add', layer);
    if (layer instanceof Sequential) {
      if (layer === this || layer.#contains(this)) throw new InvalidArgumentError(`add: a model cannot contain itself (${layer === this ? `model ${this.name}` : `model ${layer.name} contains model ${this.name}`})`);
      if (layer.#disposed) throw new DisposedError(`add: model ${layer.name} is disposed`);
      if (layer.isPacked) throw new InvalidArgumentError(`add: model ${layer.name} has ${layer.inputs.length} inputs and ${layer.outputs.length} outputs; a model with several inputs or outputs cannot be nested in another model yet`);
    }
    const inside = layer instanceof Sequential ? [layer, ...layer.#nodes()] : [layer];
    const mine = (this.#nodeSet ??= new Set(this.#nodes()));
    const twice = inside.find((n) => mine.has(n));
    if (twice) {
      throw new InvalidArgumentError(`add: ${twice instanceof Sequential ? 'model' : 'layer'} ${twice.name} is already in model ${this.name} (directly or inside a nested model); a layer can be used once per model for now`);
    }
    // As Keras (TF.js refuses them only when it saves): names find layers (getLayer) and key saved weights.
    if (this.#names.has(layer.name)) {
      const i = this.#layers.findIndex((l) => l.name === layer.name);
      throw new InvalidArgumentError(`add: model ${this.name} already has a layer named '${layer.name}' (layers[${i}]); layer names must be unique in a model: give the new ${layer instanceof Sequential ? 'model' : 'layer'} another name`);
    }
    // A graph model's input layers (one per input) come first.
    if (layer instanceof InputLayer && this.#layers.length > 0 && !(this.#assembling && this.#layers.every((l) => l instanceof InputLayer))) throw new InvalidArgumentError('add: an inputLayer must come first');
    this.#layers.push(layer);
    this.#layersView = this.#indexOf = undefined;
    let held = holders.get(layer);
    if (!held) holders.set(layer, (held = new Set()));
    const fresh = !held.has(this);
    held.add(this);
    // As TF.js and Keras: once the input shape is known, a layer that does not fit what comes
    // before it is an error here, not at the first fit or predict (and is not added).
    const x = this.#assembling ? undefined : this.inputDims;
    if (x !== undefined) {
      try {
        // The new layer on the shape before it; the layers before it again when that is not at
        // hand (the first check, or after a nested model changed).
        const i = this.#layers.length - 1;
        let tail = this.#tailShape(i);
        if (tail === undefined) {
          const s = modelSpec(this, this.name);
          tail = inferWeights('add', { ...s, layers: s.layers.slice(0, i) }, x, []);
        }
        const where = `${this.name}.layers[${i}]`;
        // A layer or model built elsewhere keeps the input shape it was built for; a nested
        // model that declares its input shape is built for it (as Keras and TF.js build it).
        if (layer instanceof Layer) {
          Sequential.#adding = this;
          try {
            checkBoundInputs('add', layer, [tail]);
          } finally {
            Sequential.#adding = null;
          }
          // A later layer's own inputShape that is not what it receives (a new head added with
          // the old one's inputShape after pop()): it would report and save a shape it does not
          // use (TF.js refuses it too: "does not match the expectation of layer").
          if (i > 0 && layer.inputDims !== undefined && show(layer.inputDims) !== show(tail)) {
            throw new InvalidArgumentError(`add: layer ${layer.name} (${layer.kind}) declares per-sample input shape ${show(showShape(layer.inputDims))}, but here it receives ${show(showShape(tail))} from the layer before it; leave out its inputShape (only a model's first layer needs one)`);
          }
        }
        else if (layer.inputDims !== undefined && show(layer.inputDims) !== show(tail)) {
          const built = layer.#handle !== 0;
          throw new InvalidArgumentError(
            `add: model ${layer.name} ${built ? 'was built for' : 'declares'} per-sample input shape ${show(showShape(layer.inputDims))}, but here it receives ${show(tail)}; ` +
              `a model keeps the input shape its weights are made for (also when it is nested in other models): ${built ? 'use a new model here' : "leave out its first layer's inputShape, or use a new model here"}`,
          );
        }
        const shape = inferWeights('add', layer instanceof Sequential ? modelSpec(layer, `${where}.config`) : layerSpec(layer, where), tail, []);
        this.#tail = { n: i + 1, last: layer, shape };
      } catch (e) {
        this.#layers.pop();
        this.#layersView = this.#indexOf = undefined;
        if (fresh) held.delete(this);
        throw e;
      }
    }
    this.#names.add(layer.name);
    for (const n of inside) mine.add(n);
    Sequential.#changed(this);
    if (built) {
      try {
        this.#rebuild('add');
      } catch (e) {
        this.#dropLast();
        throw e;
      }
    }
    // TF.js's add updates the model's symbolic output, once made.
    const chain = this.#chain;
    if (chain) chain.outputs = [makingChain(() => applySymbolic(layer, chain.outputs[0]))];
  }

  /**
   * Removes the last layer (TF.js and Keras `model.pop()`), as {@link Sequential.add} adds one:
   * a built model keeps the weights of the layers it keeps, and must be compiled again before
   * it trains. The removed layer's weights are freed unless another live model holds the layer.
   * An error when the model has no layers, is a graph model, is training, or is nested in a
   * built model, sequential or graph (changing it would change that one).
   *
   * @example
   * model.pop(); // drop the classifier head; model.outputShape is the layer before's
   */
  pop(): void {
    if (this.#disposed) throw new DisposedError(`pop: model ${this.name} is disposed`);
    if (this.#graph) throw new InvalidArgumentError(`pop: model ${this.name} is a graph model (made by model({ inputs, outputs })); make a new model whose outputs are an earlier layer's output instead`);
    const last = this.#layers.at(-1);
    if (last === undefined || last instanceof InputLayer) throw new InvalidArgumentError(`pop: model ${this.name} has no layers`);
    this.#canChange('pop');
    const built = this.#handle !== 0;
    const [chain, layersView] = [this.#chain, this.#layersView];
    this.#dropLast();
    if (built) {
      try {
        this.#rebuild('pop');
      } catch (e) {
        // As it was: the layer back in its place.
        this.#layers.push(last);
        this.#names.add(last.name);
        let held = holders.get(last);
        if (!held) holders.set(last, (held = new Set()));
        held.add(this);
        parentsOf.get(last)?.add(this);
        this.#layersView = layersView;
        Sequential.#changed(this);
        throw e;
      }
    }
    // Its weights went with this model's old Rust model unless a live built model holds it:
    // the layer's own calls say so (they would blame a dispose).
    if (built && last instanceof Layer && ![...(holders.get(last) ?? [])].some((m) => !m.#disposed && m.#handle !== 0)) last.poppedFrom = this.name;
    if (chain) {
      // The popped layer's input is the output now (none when no layer is left).
      const before = chain.outputs[0].inputs[0];
      if (this.#children().length > 0) chain.outputs = [before];
      else {
        for (const x of chain.inputs) forgetInputOwner(x, this);
        this.#chain = null;
      }
    }
  }

  /** Takes the last layer out of the model's lists (not out of the Rust model: see {@link Sequential.#rebuild}). */
  #dropLast(): void {
    const layer = this.#layers.pop()!;
    this.#layersView = this.#indexOf = this.#nodeSet = this.#tail = undefined;
    this.#names.delete(layer.name);
    holders.get(layer)?.delete(this);
    parentsOf.get(layer)?.delete(this);
    Sequential.#changed(this);
  }

  /**
   * Whether `op` (add to a built model, pop) may change this model's layers: not while it
   * trains, nor while a built model (sequential or graph) holds it: its Rust model keeps this
   * one's layers.
   */
  #canChange(op: string): void {
    this.#notFitting(op);
    if (this.#handle !== 0) assertLive(this.#owner, `${op}: model ${this.name}`);
    const by = [...(holders.get(this) ?? [])].find((m) => !m.#disposed && m.#handle !== 0);
    const fix = `make a new model from its layers instead, which shares their weights (sequential({ layers: ${this.name}.layers.slice(0, -1) }) for pop, sequential({ layers: [...${this.name}.layers, layer] }) for add)`;
    if (by) throw new InvalidArgumentError(`${op}: model ${this.name} is nested in model ${by.name}, which is built, so its layers cannot change (${by.name}'s would); ${fix}`);
  }

  /**
   * Makes the Rust model again for the layers `add` or `pop` left, sharing their weights, and
   * frees the old one (with the weights of a popped layer no other live model holds). The new
   * model is uncompiled: its optimizer state, loss and metrics were the old one's.
   */
  #rebuild(op: string): void {
    const old = this.#handle;
    const [tracked, ref] = [this.#tracked, this.#ref];
    this.#handle = 0;
    this.#tracked = this.#ref = undefined;
    Sequential.#moving = { model: this, handle: old };
    try {
      // In TF.js's batch form, where an unknown size (0 for the core) is null.
      if (this.#children().length > 0) this.build([null, ...(this.#builtInput ?? []).map((d) => d || null)]);
      else this.#shapes = this.#paramCounts = [];
    } catch (e) {
      [this.#handle, this.#tracked, this.#ref] = [old, tracked, ref];
      throw e;
    } finally {
      Sequential.#moving = null;
    }
    untrack(this, tracked);
    if (ref) {
      liveModels.delete(ref);
      ref.clear();
    }
    call((e) => check(e.nr_model_free(old, 0)));
    if (this.#compiled) {
      this.#compiled.optimizer.forget(this);
      this.#compiled = null;
      this.#changedBy = op;
      this.#trainingSeed = undefined;
      setEpochsCompleted(this, undefined);
    }
  }
  /** Set while {@link Sequential.#rebuild} makes a model's Rust model again: its old handle holds its layers. */
  static #moving: { model: Sequential; handle: number } | null = null;
  /** The change (`'add'`, `'pop'`) that uncompiled the model, for `fit`'s message; cleared by compile. */
  #changedBy: string | undefined;
  /** Every layer and model inside this one (`#nodes`), kept by add; forgotten when a nested model changes. */
  #nodeSet: Set<Layer | Sequential> | undefined;
  /**
   * The per-sample output of the first `n` layers (the last of them `last`), as add last checked
   * it: the next add checks its layer alone against it. Forgotten when a nested model changes.
   */
  #tail: { n: number; last: Layer | Sequential; shape: number[] } | undefined;

  /** The output shape of the first `n` layers as add kept it, if it still holds for them. */
  #tailShape(n: number): number[] | undefined {
    const t = this.#tail;
    return t !== undefined && t.n === n && this.#layers[n - 1] === t.last ? t.shape : undefined;
  }

  /** Forgets the shape add keeps in every model holding `m` (directly or further up): `m` changed. */
  static #changed(m: Sequential): void {
    for (const h of holders.get(m) ?? []) {
      h.#tail = undefined;
      h.#nodeSet = undefined;
      Sequential.#changed(h);
    }
  }

  /** Every layer and model inside this one, depth-first. */
  #nodes(out: Array<Layer | Sequential> = []): Array<Layer | Sequential> {
    for (const l of this.#layers) {
      out.push(l);
      if (l instanceof Sequential) l.#nodes(out);
    }
    return out;
  }

  #contains(m: Sequential): boolean {
    return this.#nodes().includes(m);
  }

  /** The layers that run (without the input layer). */
  #children(): Array<Layer | Sequential> {
    return this.#layers.filter((l) => !(l instanceof InputLayer));
  }

  /** `#children().indexOf(node)` (every weight's lookup asks it): from a map made once per change of the layers. */
  #childIndex(node: Layer | Sequential): number {
    if (!this.#indexOf) {
      this.#indexOf = new Map();
      for (const l of this.#layers) if (!(l instanceof InputLayer)) this.#indexOf.set(l, this.#indexOf.size);
    }
    return this.#indexOf.get(node) ?? -1;
  }
  /** {@link Sequential.#childIndex}'s map, made on first use after a change of the layers. */
  #indexOf: Map<Layer | Sequential, number> | undefined;

  /** Whether the Rust model behind this object is alive in the current instance. */
  #live(): boolean {
    return !this.#disposed && this.#handle !== 0 && this.#owner === instanceId();
  }

  /**
   * Where the Rust object of `node` lives: a live model and the path of child indices to it
   * (through nested models whose own handles may be gone). `null` when no live model holds it.
   */
  static {
    makeGraph = (args, graph) => {
      const { layers = [], ...rest } = args;
      const m = new LayersModel(rest);
      m.#assembling = true;
      try {
        for (const l of layers) m.add(l);
      } finally {
        m.#assembling = false;
      }
      m.#graph = graph;
      for (const x of graph.inputs) setInputOwner(x, m);
      return m;
    };
    adopt = (m, nested) => {
      m.#owned.push(...nested);
    };
    // layer.output for a layer never applied: through the one live sequential model holding it
    // that knows its input shape (its symbolic chain applies the layer).
    setConnector((node) => {
      const ms = [...(holders.get(node as Layer | Sequential) ?? [])].filter((m) => !m.#disposed && !m.#graph && !m.#chain && m.inputDims !== undefined && !eagerHolders.has(m));
      if (ms.length === 1) ms[0].#ends('output');
    });
    // layer.apply(tensor) runs the layer in a hidden model holding it (models/eager.ts).
    setEagerRunner({ takes: isEagerInput, apply: (l, x, kwargs) => applyEager(l, x as Tensor | Tensor[], kwargs), dispose: disposeEager });
    // layer.encodeDistribution finds the weights of a (shared) variational layer this way.
    setLocator({
      at: (l) => Sequential.#locate(l),
      built: (l) => l.builtOnce,
      inputs: (l) => Sequential.#builtInputs(l) ?? Sequential.#pendingInputs(l),
      frozenBy: (l) => Sequential.#frozenBy(l),
      refits: (l, was, shapes) => {
        // A merge given another number of inputs has no weights to fit (apply checks the list).
        if (was.length !== shapes.length) return null;
        try {
          layerShape(l, shapes, was);
          return null;
        } catch (e) {
          // The core's message after its own "<kind> was built for …, but here it receives …: ".
          return e instanceof Error ? e.message.replace(/^build: \S+ was built for per-sample input shape .*?, but here it receives [^:]*: /, '') : String(e);
        }
      },
      buildHolder: (l) => {
        // In several such models it gets the same input shape in each (add refuses another), so
        // building the first gives its weights, which the others share when they are built.
        const ms = [...(holders.get(l) ?? [])].filter((m) => !m.#disposed && m.#handle === 0 && m.inputDims !== undefined);
        if (ms.length > 0) ms[0].build();
      },
    });
    // variableGrads' and minimize's default list: the trainable weights of every live model.
    setModelVariables(() => {
      const out = new Set<LayerVariable>();
      for (const ref of liveModels) {
        const m = ref.deref();
        if (m === undefined || !m.#live()) liveModels.delete(ref);
        else for (const v of m.trainableWeights) out.add(v);
      }
      return [...out];
    });
  }

  /**
   * A frozen model holding `layer` directly (built or not, undisposed). TF.js's
   * `model.trainable = false` freezes the variables of the model's own layers, so they are
   * frozen in every model sharing them; a model nested in it keeps its layers' variables
   * (frozen only while the frozen model trains), as in TF.js.
   */
  static #frozenBy(layer: Layer): Sequential | null {
    for (const h of holders.get(layer) ?? []) if (!h.#disposed && h.trainable === false) return h;
    return null;
  }

  /** The per-sample input shapes `layer` was built for, from a live model holding it directly. */
  static #builtInputs(layer: Layer): { shapes: number[][]; model: string; output: number[] } | null {
    for (const p of parentsOf.get(layer) ?? []) {
      const i = p.#childIndex(layer);
      if (i < 0 || !p.#live()) continue;
      const g = p.#graph;
      const shapes = g ? g.wiring[i].map((j) => p.#valueShape(j)) : [i === 0 ? p.#builtInput : p.#shapes[i - 1]];
      if (shapes.every((x) => x !== undefined)) return { shapes: shapes as number[][], model: p.name, output: p.#shapes[i] };
    }
    return null;
  }

  /** The model whose `add` is checking its new layer (that model's own use of it is the one checked). */
  static #adding: Sequential | null = null;

  /**
   * The per-sample input shape `layer` has in an unbuilt sequential model holding it whose input
   * shape is known: TF.js builds such a model when it is made, so its layers are bound to it.
   */
  static #pendingInputs(layer: Layer): { shapes: number[][]; model: string; pending: true } | null {
    for (const m of holders.get(layer) ?? []) {
      const i = m.#layers.indexOf(layer);
      const x = m === Sequential.#adding || m.#disposed || m.#handle !== 0 || m.#graph || i < 0 ? undefined : m.inputDims;
      if (x === undefined) continue;
      let shape = i === 0 ? x : m.#tailShape(i);
      if (shape === undefined) {
        try {
          const s = modelSpec(m, m.name);
          shape = inferWeights('add', { ...s, layers: s.layers.slice(0, i) }, x, []);
        } catch {
          continue; // layers before it that no longer fit (edited by hand): fit or predict says why
        }
      }
      return { shapes: [shape], model: m.name, pending: true };
    }
    return null;
  }

  static #locate(node: Layer | Sequential): { handle: number; path: number[] } | null {
    const ps = parentsOf.get(node);
    if (!ps) return null;
    for (const p of ps) {
      const i = p.#childIndex(node);
      if (i < 0) continue;
      if (p.#live()) return { handle: p.#handle, path: [i] };
      if (p === Sequential.#moving?.model) return { handle: Sequential.#moving.handle, path: [i] };
      const up = Sequential.#locate(p);
      if (up) return { handle: up.handle, path: [...up.path, i] };
      ps.delete(p); // no live model holds `p` any more
    }
    return null;
  }

  /**
   * The input shape, batch dimension first as TF.js shows shapes (`[null, 4]`; `null` also for
   * a size not known in advance): the built one, else the first layer's, if known (Keras's
   * `model.input_shape`; TF.js 4.22 has none, see `model.inputs[0].shape`). A list of shapes
   * for a graph model with several inputs; `undefined` while the input shape is unknown.
   *
   * @example sequential({ layers: [layers.dense({ units: 2, inputShape: [4] })] }).inputShape // [null, 4]
   */
  get inputShape(): Shape | Shape[] | undefined {
    if (this.#graph && this.#graph.inputs.length > 1) return this.#graph.inputs.map((t) => t.shape.slice());
    const x = this.inputDims;
    return x && [null, ...showShape(x)];
  }

  /** @internal {@link inputShape} with 0 for an unknown (null) size, as the core takes it. */
  get inputDims(): number[] | undefined {
    if (this.#graph && this.#graph.inputs.length > 1) return undefined;
    if (this.#builtInput) return this.#builtInput.slice();
    const first = this.#layers[0];
    // An adapted normalization knows its data's sample shape (Keras 3 builds it in adapt).
    return first instanceof Sequential ? first.inputDims : (first?.inputDims ?? (first as { adaptedSampleShape?: number[] } | undefined)?.adaptedSampleShape);
  }
  #builtInput: number[] | undefined;

  /**
   * The output shape, batch dimension first (TF.js `model.outputShape`: `[null, 10]`), known
   * once the input shape is (built or not). A list of shapes for a graph model with several
   * outputs (`[[null, 1], [null, 2]]`, as TF.js); `undefined` while the input shape is unknown.
   *
   * @example sequential({ layers: [layers.dense({ units: 2, inputShape: [4] })] }).outputShape // [null, 2]
   */
  get outputShape(): Shape | Shape[] | undefined {
    if (this.#graph && this.#graph.outputs.length > 1) return this.#graph.outputs.map((t) => t.shape.slice());
    const y = this.outputDims;
    return y && [null, ...showShape(y)];
  }

  /**
   * Whether the model is built (TF.js `model.built`): its weights exist. Asking builds a
   * model that knows its input shape (TF.js builds it when it is made); `false` while the
   * input shape is unknown, and once disposed.
   */
  get built(): boolean {
    if (this.#disposed) return false;
    if (this.#handle === 0 && this.inputDims !== undefined && this.#children().length > 0) this.handle('built');
    return this.#handle !== 0;
  }

  /** @internal {@link outputShape} with 0 for an unknown (null) size. */
  get outputDims(): number[] | undefined {
    if (this.#graph && this.#graph.outputs.length > 1) return undefined;
    if (this.#shapes.length > 0) return this.#shapes.at(-1)!.slice();
    const x = this.inputDims;
    if (x === undefined || this.#disposed) return undefined;
    const checked = this.#tailShape(this.#layers.length); // what add checked
    if (checked !== undefined) return checked.slice();
    try {
      return inferWeights('outputShape', modelSpec(this, this.name), x, []);
    } catch {
      return undefined; // a nested model's layers that no longer fit: build says why
    }
  }

  /** @internal Whether a dataset element of inputs alone (a tensor, or `{ xs }`) trains with its inputs as targets: an autoencoder's. */
  get inputsAreTargets(): boolean {
    return false;
  }

  /** @internal Whether this is a graph model with several inputs or outputs (packed for the core, see `packing.ts`). */
  get isPacked(): boolean {
    return this.#graph !== null && (this.#graph.inputs.length > 1 || this.#graph.outputs.length > 1);
  }

  /** @internal Whether the core's x (y) is packed from several inputs (outputs), for messages that place a value in it. */
  get packedParts(): { x: boolean; y: boolean } {
    const g = this.#graph;
    return { x: g !== null && g.inputs.length > 1, y: g !== null && g.outputs.length > 1 };
  }

  /** The inputs of a packed model (names and per-sample shapes). */
  #inParts(): Part[] {
    return this.#ends('inputs').inputs.map((t) => ({ name: t.sourceLayer.name, shape: t.sampleShape }));
  }

  /** The outputs of a packed model. */
  #outParts(): Part[] {
    return this.#ends('outputs').outputs.map((t) => ({ name: t.sourceLayer.name, shape: t.sampleShape }));
  }

  /** The targets of a packed model: per output, what its loss compares with it (class indices for a sparse loss). */
  #targetParts(info: CompiledInfo): Part[] {
    return this.#outParts().map((p, i) => ({ ...p, shape: info.heads?.[i].loss === 'sparseCategoricalCrossentropy' ? p.shape.slice(0, -1) : p.shape, loose: true }));
  }

  /**
   * @internal `x` (and `y`) as the core takes them: a packed model's lists joined into one
   * tensor each (new tensors, in `owned`), a lone tensor as it is (a list of one accepted); an
   * object by input (output) name is the list in the model's order, as TF.js takes it.
   */
  coreData(op: string, givenX: unknown, givenY: unknown, owned: Tensor[], names: [string, string] = ['x', 'y']): [Tensor, Tensor] {
    const x = byName(op, names[0], givenX, this.inputNames, 'input');
    const y = byName(op, names[1], givenY, this.outputNames, 'output');
    const cx = this.#coreX(op, x, owned, names[0]);
    const cy = this.#coreY(op, y, owned, names[1]);
    // Joined lists (several inputs or outputs): say which of the given tensors disagree, not the joined shapes.
    const [xs, ys] = [Array.isArray(x) && x.length > 1, Array.isArray(y) && y.length > 1];
    if ((xs || ys) && cx instanceof Tensor && cy instanceof Tensor && cx.rank > 0 && cy.rank > 0 && cx.shape[0] !== cy.shape[0]) {
      const [x0, y0] = [(xs ? (x as unknown[])[0] : cx) as Tensor, (ys ? (y as unknown[])[0] : cy) as Tensor];
      const name = (arg: string, many: boolean, list: readonly string[]): string => (many ? `${arg}[0] (${list[0]})` : arg);
      throw new ShapeError(`${op}: ${name(names[0], xs, this.inputNames)} has ${cx.shape[0]} samples (shape [${x0.shape}]) but ${name(names[1], ys, this.outputNames)} has ${cy.shape[0]} (shape [${y0.shape}]); the first dimension of both is the batch`);
    }
    return [cx, cy];
  }

  /**
   * @internal What sample weights for `n` samples are checked against: the output names of a
   * model with several, each output's per-sample shape without its last axis.
   */
  weightTargets(n: number): WeightTargets {
    const many = this.isPacked && this.outputs.length > 1;
    return { n, names: many ? this.outputNames : null, rows: many ? this.#outParts().map((p) => p.shape.slice(0, -1)) : [this.outputDims?.slice(0, -1)] };
  }

  /**
   * @internal `sampleWeight` for the core's `x` as the core's weight tensor (in `owned`), or
   * null; `what` names it in messages.
   */
  sampleWeightTensor(op: string, given: unknown, x: Tensor, owned: Tensor[], what = 'sampleWeight'): Tensor | null {
    if (given === undefined || given === null) return null;
    need(op, 'x', x);
    const t = this.weightTargets(x.rank > 0 ? x.shape[0] : 0);
    const ws = readSampleWeights(op, given, t, what);
    const w = weightTensor(op, [], null, t.names, t.n, 'y', ws, rowCounts(t));
    if (w) owned.push(w);
    return w;
  }

  /**
   * `x` given as an object by input name (`{ text, num }`, as `fit` and `evaluate` take it and
   * Keras's `predict`): the list in the model's input order (its one tensor for one input);
   * anything else as it is.
   */
  #named(op: string, x: unknown): Tensor | Tensor[] {
    const v = byName(op, 'x', x, this.inputNames, 'input');
    return (v !== x && Array.isArray(v) && v.length === 1 ? v[0] : v) as Tensor | Tensor[];
  }

  /** The tensor of a model with one input (output): `v`, or the one tensor of a list of one (TF.js accepts both). */
  #lone(op: string, arg: string, v: unknown, kind: 'input' | 'output'): Tensor {
    if (Array.isArray(v) && v.length !== 1 && v.every((t) => t instanceof Tensor)) {
      const name = this.#graph ? ` (${this.#graph[`${kind}s`][0].sourceLayer.name})` : '';
      throw new InvalidArgumentError(`${op}: the model has one ${kind}${name}, so ${arg} must be a Tensor (or a list of one), got a list of ${v.length}`);
    }
    return (Array.isArray(v) && v.length === 1 && v[0] instanceof Tensor ? v[0] : v) as Tensor;
  }

  /**
   * A 1-D `x` of a model of one feature as the `n` samples of it, `[n, 1]`, as TF.js's
   * `standardizeInputData` reads it (`fit(tensor1d(xs), …)` in its curve-fitting tutorials): a
   * reshape (so a tape sees it) in `owned`, freed with the call's other temporaries. `start`:
   * the layer `x` enters (an autoencoder's `decode` gives its decoder's codes).
   */
  #column(op: string, arg: string, t: Tensor, owned: Tensor[], start = 0): Tensor {
    // The rank first: on predict's path the usual x costs one comparison.
    if (!(t instanceof Tensor) || t.rank !== 1) return t;
    if (!oneFeature(start === 0 ? this.inputDims : this.#shapes[start - 1])) return t;
    t.handleFor(op, arg); // a disposed x named as the caller's argument, not reshape's
    const r = reshape(t, [t.shape[0], 1]);
    owned.push(r);
    return r;
  }

  #coreX(op: string, x: unknown, owned: Tensor[], arg = 'x'): Tensor {
    if (!this.#graph || this.#graph.inputs.length === 1) return this.#column(op, arg, this.#lone(op, arg, x, 'input'), owned);
    const t = pack(op, arg, x, this.#inParts());
    owned.push(t);
    return t;
  }

  #coreY(op: string, y: unknown, owned: Tensor[], arg = 'y'): Tensor {
    if (!this.#graph || this.#graph.outputs.length === 1) return this.#lone(op, arg, y, 'output');
    const t = pack(op, arg, y, this.#targetParts(this.compiledInfo(op)));
    owned.push(t);
    return t;
  }

  /** Runs `f` on the core's `x`, then splits a packed model's output (and disposes the packed ones). */
  #packedRun(op: string, x: unknown, f: (x: Tensor) => Tensor): Tensor | Tensor[] {
    const owned: Tensor[] = [];
    try {
      const out = f(this.#coreX(op, x, owned));
      const parts = this.outputParts();
      return parts ? unpack(out, parts) : out;
    } finally {
      for (const t of owned) t.dispose();
    }
  }

  /**
   * @internal The output parts of a model with several outputs (names and per-sample shapes), or
   * null. An unknown (null) size is the one of the core's call before (what its output packs).
   */
  outputParts(): Part[] | null {
    if (!this.#graph || this.#graph.outputs.length === 1) return null;
    const parts = this.#outParts();
    if (!parts.some((p) => p.shape.includes(0))) return parts;
    const h = this.#handle;
    return parts.map((p, q) => {
      call((e) => check(e.nr_model_output_dims(h, q, argPtr())));
      const w = readArgs(1 + p.shape.length);
      return { ...p, shape: Array.from(w.subarray(1, 1 + w[0])) };
    });
  }

  /** @internal The target parts of a model with several outputs (what `fit` packs `y` by), or null. */
  targetParts(op: string): Part[] | null {
    return this.#graph && this.#graph.outputs.length > 1 ? this.#targetParts(this.compiledInfo(op)) : null;
  }

  /**
   * @internal The model on the core's (packed) `x`, one tensor per output: `apply` with training
   * behaviour (`train`, differentiated when a tape records), or `predict` in batches of `batchSize`.
   */
  coreForward(op: string, x: Tensor, train: boolean, batchSize: number): Tensor[] {
    const h = this.handle(op);
    const hx = need(op, 'x', x);
    let out: Tensor;
    try {
      out = train ? runOp((e, o) => e.nr_model_apply(h, hx, 1, o)) : runOp((e, o) => e.nr_model_predict(h, hx, batchSize, o));
    } catch (err) {
      throw inOp(op, err, train ? 'apply' : 'predict');
    }
    const parts = this.outputParts();
    return parts ? unpack(out, parts) : [out];
  }

  /** @internal The live handle; builds on first use. */
  handle(op: string): number {
    if (this.#disposed) throw new DisposedError(`${op}: model ${this.name} is disposed`);
    if (adapting.size > 0) this.#checkAdapting(op);
    if (this.#handle === 0) {
      // A missing input shape is said as the call that needed the weights (setWeights, predict),
      // not a build() never called; through build() itself, which a subclass may override.
      this.#buildFor = op;
      try {
        this.build();
      } finally {
        this.#buildFor = 'build';
      }
    }
    assertLive(this.#owner, `${op}: model ${this.name}`);
    return this.#handle;
  }

  /** The call {@link Sequential.build} runs for, named in its missing-input-shape error (see {@link Sequential.handle}). */
  #buildFor = 'build';

  /** Refuses a use while `adapt` of a dataset runs on a normalization layer of this model (a forgotten `await`). */
  #checkAdapting(op: string): void {
    const holds = (m: Sequential, l: Layer): boolean => m.#layers.some((x) => x === l || (x instanceof Sequential && holds(x, l)));
    for (const l of adapting) {
      if (holds(this, l)) throw new InvalidArgumentError(`${op}: layer ${l.name} of model ${this.name} is still reading its statistics: adapt(dataset) returns a promise (Keras's adapt is synchronous); await layer.adapt(dataset) before ${op}`);
    }
  }

  /**
   * Creates the weights. Called automatically by compile/fit/predict; needs an input shape:
   * the per-sample shape (`build([784])`), or TF.js's batch shape with a `null` batch
   * dimension (`build([null, 784])`); in that form a further `null` is a size not known in
   * advance (`build([null, null])`: sequences of any length).
   */
  build(batchOrSampleShape?: number[] | [null, ...Array<number | null>]): void {
    if (this.#disposed) throw new DisposedError(`build: model ${this.name} is disposed`);
    if (this.#handle !== 0) return;
    const b = batchOrSampleShape;
    const batched = Array.isArray(b) && b[0] === null;
    const given = batched ? (b.slice(1) as Array<number | null>) : (b as number[] | undefined);
    // null sizes only in TF.js's batch form ([null, null]); a per-sample shape has every size.
    if (given !== undefined) checkShape('build', batched ? given.map((d) => d ?? 1) : given, 'inputShape');
    // An unknown size (null) is 0 for the core (see sampleShape).
    const inputShape = given?.map((d) => d ?? 0);
    const shape = inputShape ?? (this.#graph && this.#graph.inputs.length > 1 ? [this.#graph.inputs.reduce((a, t) => a + t.sampleShape.reduce((p, d) => p * d, 1), 0)] : (this.inputDims ?? anyLength(this.#layers[0])));
    if (!shape) {
      const first = this.#layers.find((l) => !(l instanceof InputLayer));
      const kind = first && !(first instanceof Sequential) ? first.kind : 'dense';
      // An example of the first layer's kind: images for 2-D windows, sequences for 1-D and
      // permute (any length: null), a grid to flatten, else features.
      const seq = /1d$/i.test(kind) || kind === 'permute';
      // A normalization's given statistics say how many features it takes.
      const stats = first instanceof Normalization ? first.statisticsShape : undefined;
      const example = stats?.length ? show(stats) : stats ? '[number of features]' : /2d$/i.test(kind) ? '[28, 28, 1]' : seq ? '[100, 8]' : kind === 'flatten' ? '[28, 28]' : '[784]';
      const any = seq ? ', or inputShape: [null, 8] for sequences of any length' : '';
      throw new InvalidArgumentError(`${this.#buildFor}: model ${this.name} does not know its input shape; give the first layer an inputShape, e.g. layers.${kind}({ inputShape: ${example}, … })${any} (TF.js also asks for it; Keras 3 builds on the first batch)`);
    }
    if (this.#layers.filter((l) => !(l instanceof InputLayer)).length === 0) throw new InvalidArgumentError(`build: model ${this.name} has no layers`);
    const created: Array<{ model: Sequential; handle: number }> = [];
    try {
      const h = this.#create(created);
      const skip = this.#skipInit ? 1 : 0;
      call((e) => check(e.nr_model_build(h, writeArgs('build', shape), shape.length, skip)));
    } catch (err) {
      // Free what this build made (a nested model built on its own keeps its handle).
      for (const c of created.reverse()) call((e) => e.nr_model_free(c.handle, 0));
      throw err;
    }
    for (const { model: m, handle: mh } of created) {
      m.#handle = mh;
      m.#owner = instanceId();
      m.#tracked = track(m, mh, 'model', false);
      m.#ref = new LateWeakRef(m);
      liveModels.add(m.#ref);
      if (liveModels.size >= sweepAt) {
        for (const ref of liveModels) if (ref.deref() === undefined) liveModels.delete(ref);
        sweepAt = Math.max(64, 2 * liveModels.size);
      }
      m.#readShapes();
      // Each child now lives in `m`: models built later find it there and share it.
      for (const ch of m.#children()) {
        let ps = parentsOf.get(ch);
        if (!ps) parentsOf.set(ch, (ps = new Set()));
        ps.add(m);
        if (ch instanceof Layer) [ch.builtOnce, ch.poppedFrom] = [true, null];
      }
    }
    this.#setInputs(shape);
    // Weights a layer fills itself (a normalization's given or adapted statistics).
    for (const { model: m } of created) for (const ch of m.#children()) if (ch instanceof Layer) ch.afterBuild();
  }

  /**
   * @internal Builds the model for `inputShape` and sets every weight to `weights`, in the
   * core's order (each layer's weights in turn, as the spec lists them; not `setWeights`'s
   * TF.js order), without running the initializers first: the core leaves the
   * new weights zero instead of drawing values that `weights` overwrite (the draws were most of
   * `loadModel`'s time). Skipping them shifts no random stream (each initializer draws from a
   * Philox stream of its own), so the model then behaves bit for bit as one built normally and
   * given `weights`. The count and every shape are checked before any is set, so a
   * missing weight is an error, never a zero left in place; on an error the model is left built
   * with zero weights and the caller must dispose it (with the models nested in it).
   *
   * `weights` may instead be a function that writes them itself into the model `handle`
   * (loading, which writes each weight in place): it must write every one, as the count of
   * `expected` weights is checked first.
   */
  buildWithWeights(inputShape: number[], weights: Tensor[] | ((handle: number) => void), options?: { allowNonFinite?: boolean | undefined }, expected?: number): void {
    this.#skipInit = true;
    try {
      this.build(inputShape);
    } finally {
      this.#skipInit = false;
    }
    const allow = boolArg('setWeights', 'allowNonFinite', options?.allowNonFinite, false);
    const at = { handle: this.handle('setWeights'), path: [] };
    if (typeof weights !== 'function') return writeWeights('setWeights', at, `model ${this.name}`, weights, allow);
    const n = numWeights('setWeights', at);
    if (expected !== n) throw new InvalidArgumentError(`setWeights: model ${this.name} has ${n} weight${n === 1 ? '' : 's'}, got ${expected}`);
    weights(at.handle);
  }

  /**
   * Creates the Rust model and adds every layer: a layer or model that a live model already
   * holds is shared (same Rust object); a nested model that is not built yet gets its own
   * handle too (pushed to `created`), built together with this one, unless it declares its
   * input shape, in which case it is built on its own first (as Keras builds a model whose
   * first layer has an input shape).
   */
  #create(created: Array<{ model: Sequential; handle: number }>): number {
    const seed = this.#seed;
    const h = call((e) => {
      check(e.nr_model_new(seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0, outPtr(0)));
      return readOut(0);
    });
    created.push({ model: this, handle: h });
    for (const [index, l] of this.#children().entries()) {
      if (l instanceof Sequential) {
        if (l.#disposed) throw new DisposedError(`build: model ${l.name} (nested in ${this.name}) is disposed`);
        // A part built here without a seed of its own takes one from this model's and its place,
        // as a layer's weights come from the seed and its position: the same seed gives the same
        // whole (an autoencoder's sequential decoder drew from the global generator instead).
        if (l.#handle === 0 && !l.#seedGiven) l.#seed = nestedSeed(seed, index);
        if (l.#handle === 0 && (l.inputDims ?? anyLength(l.#layers[0])) !== undefined) {
          l.#skipInit = this.#skipInit;
          try {
            l.build();
          } finally {
            l.#skipInit = false;
          }
        }
        if (l.#handle !== 0) {
          assertLive(l.#owner, `build: model ${l.name}`);
          const inner = l.#handle;
          call((e) => check(e.nr_model_add_model(h, inner)));
        } else {
          const inner = l.#create(created);
          call((e) => check(e.nr_model_add_model(h, inner)));
        }
      } else {
        const at = Sequential.#locate(l);
        if (at) {
          call((e) => check(e.nr_model_add_shared(h, at.handle, writeArgs('add', at.path), at.path.length)));
        } else {
          // Its weights went with the last model holding it: building it again would give it
          // new random weights in silence (TF.js: "LayerVariable … is already disposed").
          if (l.builtOnce) {
            const how = l.poppedFrom === null ? 'with the last model that held it (disposed)' : `when model ${l.poppedFrom}'s pop() took it out (the last model holding it)`;
            throw new DisposedError(
              `build: layer ${l.name}'s weights were freed ${how}, so ${this.name} cannot use them; ` +
                'keep a model holding the layer alive while other models use it, or make a new layer (with fresh weights, or setWeights from a saved copy)',
            );
          }
          const kind = LAYER_KINDS.indexOf(l.kind as (typeof LAYER_KINDS)[number]);
          const p = l.abiParams();
          call((e) => check(e.nr_model_add(h, kind, writeF32(p), p.length)));
          // Its weight constraints, on the core's layer (child `index`): every model sharing it applies them.
          for (const [option, c] of l.constraintList) {
            const [ck, ...cp] = c.abi();
            call((e) => {
              const base = writeArgs('build', [index, ...f32Bits(cp)]);
              check(e.nr_model_constrain(h, base, 1, CONSTRAINT_OPTIONS.indexOf(option), ck, base + 4, cp.length));
            });
          }
        }
      }
    }
    const g = this.#graph;
    if (g) {
      const shapes = [g.inputs.length, ...g.inputs.flatMap((t) => [t.sampleShape.length, ...t.sampleShape])];
      call((e) => {
        const base = writeArgs('model', [...shapes, ...g.outputNodes]);
        check(e.nr_model_wire_io(h, base, shapes.length, base + 4 * shapes.length, g.outputNodes.length));
      });
    }
    // A held layer's index carries bit 31 (nr_model_wire: its uses run with inference behaviour).
    g?.wiring.forEach((ins, i) => call((e) => check(e.nr_model_wire(h, g.held.includes(i) ? (i | 0x80000000) >>> 0 : i, writeArgs('model', ins), ins.length))));
    g?.extraUses.forEach((u) => call((e) => check(e.nr_model_wire_use(h, u.layer, writeArgs('model', u.inputs), u.inputs.length))));
    // The names the core's messages give the layers, then the inputs (it knows indices only).
    const names = [...this.#children().map((l) => l.name), ...(g ? g.inputs.map((t) => t.sourceLayer.name) : [])];
    const points = names.flatMap((n) => [...Array.from(n, (c) => c.codePointAt(0) ?? 0xfffd), 0]);
    call((e) =>
      withWords('build', points.length, (ptr) => {
        words(ptr, points.length).set(points);
        check(e.nr_model_names(h, ptr, points.length));
      }),
    );
    return h;
  }

  /** Records the per-sample input shape of this model and of nested models built with it. */
  #setInputs(shape: number[]): void {
    this.#builtInput ??= shape.slice();
    this.#children().forEach((c, i) => {
      if (c instanceof Sequential && c.#handle !== 0) c.#setInputs(this.#graph ? this.#valueShape(this.#graph.wiring[i][0]) : i === 0 ? shape : this.#shapes[i - 1]);
    });
  }

  /** The per-sample shape of value `j` of a built graph model (numbered as its wiring's). */
  #valueShape(j: number): number[] {
    const g = this.#graph as Graph;
    const [k, n] = [g.inputs.length, g.wiring.length];
    return j < k ? g.inputs[j].sampleShape : j < k + n ? this.#shapes[j - k] : g.extraUses[j - k - n].shape;
  }

  #readShapes(): void {
    const h = this.#handle;
    const n = this.#layers.filter((l) => !(l instanceof InputLayer)).length;
    this.#shapes = [];
    this.#paramCounts = [];
    for (let i = 0; i < n; i++) {
      call((e) => check(e.nr_model_layer_info(h, i, argPtr())));
      const w = readArgs(34);
      this.#shapes.push(Array.from(w.subarray(1, 1 + w[0])));
      this.#paramCounts.push(w[1 + w[0]]);
    }
  }

  /**
   * Configures training: optimizer, loss and metrics (as TF.js `compile`). Losses and metrics
   * are names, `{ name, ...options }`, or functions `(yTrue, yPred) => Tensor` (a loss function
   * trains with `fit`'s own step around its gradient with respect to the output, penalties and
   * KL terms included; see {@link CompileArgs}).
   *
   * As in TF.js, where an optimizer object owns its state, compiling again with the optimizer
   * object the model is compiled with (the same instance, e.g. `model.optimizer`, to add a
   * metric) keeps the training state: the optimizer's slots (Adam's moments, …), its step (a
   * schedule's position), the learning-rate scale `reduceLROnPlateau` set and the count of
   * epochs `fit` completed (which keys its shuffles). Any other optimizer, or a name such as
   * `'adam'` (a new optimizer, as TF.js makes), starts afresh — but for the state an optimizer
   * object kept of this model's weights from a custom loop before (`minimize`, `applyGradients`):
   * that becomes the model's training state, with the optimizer's step count (as in TF.js, where
   * compiling does not touch the optimizer's state).
   *
   * The optimizer object then trains this model in a custom loop too: its `applyGradients` and
   * `minimize` on this model's weights step this model's training state, the one `fit` uses.
   * Compiling another model with the same optimizer object gives that model a training state
   * of its own (TF.js shares one across models); the optimizer's `iterations` then reports the
   * model compiled last.
   */
  compile(args: CompileArgs): void {
    this.#notFitting('compile');
    // A hook given as a class field (`call = (x) => …`), which the constructor could not see.
    const field = MODEL_HOOKS.find((k) => Object.hasOwn(this, k));
    if (field !== undefined) throw new InvalidArgumentError(`compile: model ${this.name} has its own ${field}, which neurite never calls: a model runs its layers in the WebAssembly core; write a training step of your own as a loop (optimizer.minimize over model.apply(x, { training: true }))`);
    const h = this.handle('compile');
    const outs = this.#graph?.outputs.map((t) => t.sourceLayer.name);
    const { params, info } = encodeCompile(args, outs);
    // An excludeFromWeightDecay item that names none of the weights is an error before anything changes.
    info.optimizer.checkExcludedNames('compile', this.coreVariables('compile').map((v) => v.name), `model ${this.name}`);
    // The same optimizer object: its state is read before the trainer is rebuilt and written back after.
    const kept = this.#compiled !== null && info.optimizer === this.#compiled.optimizer ? exportTrainingState(this) : null;
    call((e) => check(e.nr_model_compile(h, writeF32(params), params.length)));
    this.#compiled = info;
    this.#changedBy = undefined;
    this.#warnKlBalance(info);
    this.#warnLogitMetrics(info);
    info.optimizer.compiledInto(this);
    // The weights the optimizer's excludeFromWeightDecay names (by the core's weight index).
    const skip = info.optimizer.excludedFromDecay(this.coreVariables('compile').map((v) => v.name));
    if (skip.length > 0) call((e) => check(e.nr_model_exclude_from_decay(h, writeArgs('compile', skip), skip.length)));
    // A fresh training state counts fit's epochs from 0 again (the kept one restores its count).
    if (kept !== null) importTrainingState(this, kept);
    else {
      this.#trainingSeed = undefined;
      setEpochsCompleted(this, undefined);
      this.#carryOptimizerState(info.optimizer);
    }
    this.#syncTrainable();
  }

  /**
   * A VAE compiled with a reconstruction loss averaged over each sample's values (the default
   * `'mean'`): its KL term, summed over the code's units per sample, then weighs as many times
   * more than in the ELBO as a sample has values, and the codes collapse to the prior with no
   * error (Keras's add_loss does the same). Said once per compile call.
   */
  #warnKlBalance(info: CompiledInfo): void {
    const spec: unknown = info.lossSpec;
    const named = typeof spec === 'string' || (spec !== null && typeof spec === 'object' && !Array.isArray(spec) && typeof (spec as { name?: unknown }).name === 'string');
    const reduction = named && typeof spec === 'object' ? (spec as { reduction?: unknown }).reduction : undefined;
    if (info.heads || !named || (reduction !== undefined && reduction !== 'mean')) return;
    const n = (this.outputDims ?? []).reduce((a, b) => a * b, 1);
    // The largest klWeight: a layer made with klWeight 1/n (or annealed from 0) is balanced.
    const beta = Math.max(0, ...this.#nodes().filter((l) => l instanceof Layer && l.kind === 'variational').map((l) => (l as unknown as { klWeight: number }).klWeight));
    if (n <= 1 || beta * n <= 1) return;
    const weighted = beta === 1 ? '' : ` (times its klWeight ${beta})`;
    console.warn(
      `compile: model ${this.name} has a variational layer, whose KL term${weighted} is summed over its units for each sample, while the loss ${info.loss} with reduction 'mean' averages over the ${n} values of each sample: ` +
        `the KL weighs ${+(beta * n).toPrecision(4)}× more than in the ELBO, and the codes may collapse to the prior; for the ELBO, compile with { name: '${info.loss}', reduction: 'sumOverFeatures' } (or set the layer's klWeight to 1/${n})`,
    );
  }

  /**
   * A loss that reads the output as logits (`binaryCrossentropy` with `fromLogits: true`, as
   * PyTorch's BCEWithLogitsLoss) beside metrics that read it as probabilities: they threshold a
   * logit at 0.5 (a probability of 0.62) and gave wrong values in silence (auc refused it,
   * advising a sigmoid). `'accuracy'` reads logits there. Said once per compile call.
   */
  #warnLogitMetrics(info: CompiledInfo): void {
    const spec = info.lossSpec as unknown;
    const o = spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? (spec as { name?: unknown; fromLogits?: unknown }) : null;
    if (!o || o.fromLogits !== true || (o.name !== 'binaryCrossentropy' && o.name !== 'bce')) return;
    const READ_PROBABILITIES = ['binaryAccuracy', 'precision', 'recall', 'f1Score', 'auc', 'binaryCrossentropy'];
    const names = info.heads ? info.heads.flatMap((h) => h.metricNames) : info.metricNames;
    // An auc given { fromLogits: true } reads logits.
    const logitAuc = (m: unknown): boolean =>
      Array.isArray(m) ? m.some(logitAuc) : m !== null && typeof m === 'object' && ((m as { fromLogits?: unknown }).fromLogits === true || Object.values(m).some((v) => typeof v === 'object' && logitAuc(v)));
    const hit = READ_PROBABILITIES.filter((m) => names.some((n) => n === m || n.toLowerCase() === m.toLowerCase() || n.endsWith(`_${m}`)) && !(m === 'auc' && logitAuc(info.metricsSpec)));
    if (hit.length === 0) return;
    const list = hit.map((m) => `'${m}'`).join(', ');
    console.warn(
      `compile: model ${this.name}'s loss reads its output as logits (binaryCrossentropy with fromLogits: true), but the metric${hit.length === 1 ? '' : 's'} ${list} read${hit.length === 1 ? 's' : ''} it as probabilities: a logit above 0.5 (a probability of 0.62) counts as positive${hit.includes('auc') ? ', and auc refuses values outside [0, 1]' : ''}. ` +
        `'accuracy' reads logits here, and so does { name: 'auc', fromLogits: true }; for the others give the output a 'sigmoid' activation and compile the loss without fromLogits`,
    );
  }

  /**
   * The state `opt` kept of its own for this model's weights (a custom loop's `minimize` before
   * this compile) becomes the model's training state, with its step count, as TF.js's optimizer
   * keeps its state (it was dropped: the next steps started Adam's moments and bias correction
   * afresh).
   */
  #carryOptimizerState(opt: Optimizer): void {
    const vars = this.coreVariables('compile');
    const carried = opt.takeState(vars);
    if (carried === null) return;
    const state = exportTrainingState(this);
    const { order } = this.tfWeightOrder('compile');
    const per = order.length > 0 ? state.tensors.length / order.length : 0;
    order.forEach((i, j) => {
      const all = carried.slots.get(vars[i]);
      if (all === undefined) return;
      for (let k = 0; k < per; k++) {
        const t = state.tensors[j * per + k];
        t.data = all.slice(k * t.data.length, (k + 1) * t.data.length);
      }
    });
    importTrainingState(this, { ...state, step: carried.step });
  }

  /**
   * @internal The `trainable` switch of every layer, depth-first (each nested model, then its
   * layers), with its name: what training reads when it starts (fit warns when one changes).
   */
  trainableFlags(): Array<[string, boolean]> {
    return this.#layers.filter((l) => !(l instanceof InputLayer)).flatMap((l): Array<[string, boolean]> =>
      // A layer a frozen model elsewhere shares is frozen here too (as TF.js's variables).
      l instanceof Sequential ? [[l.name, l.trainable], ...l.trainableFlags()] : [[l.name, l.trainable && Sequential.#frozenBy(l) === null]],
    );
  }

  #syncTrainable(): void {
    const h = this.#handle;
    this.trainableFlags().forEach(([, on], i) => call((e) => check(e.nr_model_set_trainable(h, i, on ? 1 : 0))));
  }

  /** @internal */
  compiledInfo(op: string): CompiledInfo {
    if (this.#disposed) throw new DisposedError(`${op}: model ${this.name} is disposed`);
    if (!this.#compiled) {
      const changed = this.#changedBy && ` again: its layers changed (${this.#changedBy}()) since it was compiled, and its optimizer state, loss and metrics were made for the layers it had`;
      throw new InvalidArgumentError(`${op}: the model must be compiled${changed || ' first'}: call model.compile({ optimizer, loss })`);
    }
    return this.#compiled;
  }

  /**
   * Trains for `epochs` passes over `x`/`y`, in seeded, shuffled batches. Returns the history
   * of the loss and metrics per epoch. One `fit` at a time per model (as TF.js): a second call
   * before the first has settled is an {@link InvalidArgumentError}, since both would share the
   * model's sample order. A graph model with several inputs (outputs) takes `x` (`y`) as a
   * list, one tensor per input (output) in order, or as TF.js an object by input (output) name
   * ({@link Sequential.inputNames}, {@link Sequential.outputNames}); its history has each
   * output's loss as `<output>_loss` and metrics as `<output>_<metric>` beside the total `loss`
   * (TF.js's names).
   */
  fit(x: Tensor | Tensor[] | Record<string, Tensor>, y: Tensor | Tensor[] | Record<string, Tensor>, args: FitArgs = {}): Promise<History> {
    const n = arguments.length;
    // One zone.js macrotask for the whole call (Angular's whenStable() waits for it).
    return zoneTask('neurite.fit', () => this.#fit(n, x, y, args));
  }

  async #fit(n: number, x: Tensor | Tensor[] | Record<string, Tensor>, y: Tensor | Tensor[] | Record<string, Tensor>, args: FitArgs): Promise<History> {
    extraArguments('fit', n, 3);
    notADataset('fit', x);
    if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new InvalidArgumentError(`fit: options must be an object like { epochs: 10, batchSize: 32 }, got ${args === null ? 'null' : describe(args)}`);
    this.compiledInfo('fit');
    // A model of a reset instance: said as every other method says it, before any core call.
    this.handle('fit');
    if (this.#fitting) throw new InvalidArgumentError(`fit: model ${this.name} is already training (${this.#fitting === 'fit' ? 'another fit() call' : `a ${this.#fitting}() call`} has not finished); await it first, or, if its promise was lost (Ctrl-C on await model.fit(…) in a REPL), set model.stopTraining = true to end it after its current batch`);
    this.#syncTrainable();
    assertCanLearn(this, 'fit');
    this.#fitting = 'fit';
    training.add(this);
    try {
      const { fitLoop } = await trainChunk('fit');
      return await fitLoop(this, x, y, args);
    } catch (err) {
      throw inOp('fit', err);
    } finally {
      this.#fitting = null;
      training.delete(this);
    }
  }
  /** The training call running (`fit` or `fitDataset`), or null. */
  #fitting: 'fit' | 'fitDataset' | null = null;
  /** @internal {@link Sequential.#fitting}, for an optimizer's custom-loop step. */
  get trainingCall(): 'fit' | 'fitDataset' | null {
    return this.#fitting;
  }

  /** `op` (compile, trainOnBatch) would change the optimizer or weights under a running fit. */
  #notFitting(op: string): void {
    if (this.#fitting) throw new InvalidArgumentError(`${op}: model ${this.name} is training (a ${this.#fitting}() call has not finished); call ${op} before ${this.#fitting} or after it (a callback may evaluate or predict)`);
  }

  /**
   * Trains on a dataset whose elements are batches (TF.js's `fitDataset`): each element is
   * `{ xs, ys }` or `[xs, ys]` — tensors, or for a graph model with several inputs (outputs)
   * lists or objects by input (output) name — and is one training step, the step of
   * `trainOnBatch`. An element may carry sample weights (Keras's `(x, y, sample_weight)`; TF.js
   * takes none): `{ xs, ys, sampleWeight }` or `[xs, ys, sampleWeight]`, in the forms of
   * {@link FitArgs.sampleWeight}. An epoch is one pass over the dataset, or `batchesPerEpoch` batches of one
   * pass running through every epoch (as TF.js). Callbacks, logs, the progress bar and
   * `History` are `fit`'s: each epoch's `loss` and metrics are the means of the batch values
   * weighted by batch size (as TF.js's logs), with `val_*` from `validationData` (a dataset,
   * `[x, y]` or `[x, y, sampleWeight]`). The batch's tensors are disposed after its step (as TF.js); a pass that ends
   * early is closed, freeing what it buffered. One training call at a time per model: during
   * a `fit` or `fitDataset` this is an {@link InvalidArgumentError}.
   *
   * @example
   * const ds = data.zip({ xs: data.array(xs), ys: data.array(ys) }).shuffle(100).batch(32);
   * const history = await model.fitDataset(ds, { epochs: 5, validationData: valDs });
   */
  fitDataset<T>(dataset: DatasetLike<T>, args: FitDatasetArgs = {}): Promise<History> {
    // One zone.js macrotask for the whole call, as fit's.
    return zoneTask('neurite.fitDataset', () => this.#fitDataset(dataset, args));
  }

  async #fitDataset<T>(dataset: DatasetLike<T>, args: FitDatasetArgs): Promise<History> {
    const op = 'fitDataset';
    if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new InvalidArgumentError(`${op}: options must be an object like { epochs: 10 }, got ${args === null ? 'null' : describe(args)}`);
    this.compiledInfo(op);
    this.handle(op); // a model of a reset instance says so before anything touches its handle
    if (this.#fitting) throw new InvalidArgumentError(`${op}: model ${this.name} is already training (${this.#fitting === op ? 'another fitDataset() call' : `a ${this.#fitting}() call`} has not finished); await it first, or, if its promise was lost (Ctrl-C on await model.fit(…) in a REPL), set model.stopTraining = true to end it after its current batch`);
    this.#syncTrainable();
    assertCanLearn(this, op);
    this.#fitting = op;
    training.add(this);
    try {
      return await (await dataChunk(op)).fitDatasetLoop(this, dataset, args);
    } catch (err) {
      throw inOp(op, err);
    } finally {
      this.#fitting = null;
      training.delete(this);
    }
  }

  /**
   * Loss and metrics over a dataset of `{ xs, ys }` (or `[xs, ys]`) batches (TF.js's
   * `evaluateDataset`), an element's `sampleWeight` (`{ xs, ys, sampleWeight }`, `[xs, ys, w]`)
   * weighting its loss as `evaluate`'s does: the mean of each batch's values weighted by its samples, so the same
   * numbers as {@link Sequential.evaluate} on the same data. `batches` limits the batches (the
   * dataset must give that many). Results as `evaluate`'s: scalar tensors, or numbers by name
   * with `returnDict: true`. Each batch's tensors are disposed after use. `dataset` may also be
   * an iterator (TF.js's `LazyIterator`), read from where it stands and left open.
   *
   * @example const [loss, acc] = (await model.evaluateDataset(testDs)) as Tensor[];
   * @example const { loss } = await model.evaluateDataset(testDs, { returnDict: true });
   */
  evaluateDataset<T>(dataset: DatasetLike<T> | IteratorLike<T>, args?: EvaluateDatasetArgs & { returnDict?: false | undefined }): Promise<Tensor | Tensor[]>;
  /**
   * {@link Sequential.evaluateDataset} with `returnDict: true`: the loss and metrics as numbers
   * by name (nothing to dispose).
   *
   * @example const { loss, acc } = await model.evaluateDataset(testDs, { returnDict: true });
   */
  evaluateDataset<T>(dataset: DatasetLike<T> | IteratorLike<T>, args: EvaluateDatasetArgs & { returnDict: true }): Promise<Record<string, number>>;
  /** {@link Sequential.evaluateDataset} with `returnDict` a `boolean` known at run time only (a helper passing its own `EvaluateDatasetArgs` on): either result. */
  evaluateDataset<T>(dataset: DatasetLike<T> | IteratorLike<T>, args?: EvaluateDatasetArgs): Promise<Tensor | Tensor[] | Record<string, number>>;
  async evaluateDataset<T>(dataset: DatasetLike<T> | IteratorLike<T>, args: EvaluateDatasetArgs = {}): Promise<Tensor | Tensor[] | Record<string, number>> {
    try {
      const { values, returnDict } = await (await dataChunk('evaluateDataset')).evaluateDatasetLoop(this, dataset, args);
      return this.#evaluateResult(values, returnDict);
    } catch (err) {
      throw inOp('evaluateDataset', err);
    }
  }

  /**
   * @internal Prints `evaluate`'s results `vals` over `batches` batches (`null`: not known) that
   * took `ms` as Keras 3's last progress line of `evaluate(verbose=2)`:
   * `4/4 - 0s - 2ms/step - loss: 0.0125 - mae: 0.0893`.
   */
  printResults(verbose: 1 | 2 | 'auto', vals: readonly number[], batches: number | null, ms: number): void {
    const logs = this.logColumns().map(([k, i]) => `${k}: ${formatLog(vals[i])}`);
    const steps = batches === null ? [] : [`${batches}/${batches}`];
    const per = batches === null ? [] : [`${Math.round(ms / batches)}ms/step`];
    printLine(verbose, [...steps, `${Math.round(ms / 1000)}s`, ...per, ...logs].join(' - '));
  }

  /** What `evaluate` returns for the core's results `vals`: scalars in TF.js's order, or numbers by name. */
  #evaluateResult(vals: readonly number[], returnDict: boolean): Tensor | Tensor[] | Record<string, number> {
    if (returnDict) {
      const logs: Record<string, number> = Object.fromEntries(this.logColumns().map(([k, i]) => [k, vals[i]]));
      kerasAliases(logs);
      return logs;
    }
    const ts = this.#resultColumns().map((i) => scalarOf(vals[i]));
    return ts.length === 1 ? ts[0] : ts;
  }

  /**
   * Runs the model on `x` (`[batch, ...inputShape]`) in batches (default 32), at inference
   * (no dropout or noise; batch norm uses its moving statistics). Inside `grad`/`valueAndGrad`
   * it is differentiated with respect to `x` (as TF.js's `tf.grad` through `predict`), and
   * inside `variableGrads`/`optimizer.minimize` with respect to the model's weights
   * ({@link Sequential.trainableWeights}), so custom training loops work as in TF.js. There it
   * runs all rows as one batch and keeps what backward needs, so the gradient does not run
   * the layers again (the values are the same as outside). `verbose` (TF.js's boolean, or
   * Keras's 0, 1, 2, `'auto'`) is accepted and, as in TF.js, prints nothing (Keras 3 draws a
   * progress bar over the batches; here the batches run in one call into the core).
   *
   * A graph model with several inputs takes a list of tensors, one per input in `inputs`
   * order, or an object by input name (`{ text, num }`, as `fit` and Keras's `predict`), and
   * one with several outputs returns a list (as TF.js; the type parameter says
   * which: `model.predict<Tensor[]>([a, b])`, `model.predict<Tensor>([a, b])` for one output).
   *
   * @example
   * const saliency = grad((x) => model.predict(x).sum())(images);
   */
  predict(x: Tensor, args?: { batchSize?: number | undefined; verbose?: Verbose | undefined }): Tensor;
  /**
   * {@link Sequential.predict} for a graph model with several inputs (a list, one per input)
   * or outputs (a list back); the type parameter says which, as TF.js's cast would.
   *
   * @example const [mask, score] = model.predict<Tensor[]>([image, meta]);
   */
  predict<T extends Tensor | Tensor[] = Tensor | Tensor[]>(x: Tensor | Tensor[] | Record<string, Tensor>, args?: { batchSize?: number | undefined; verbose?: Verbose | undefined }): T;
  predict(given: Tensor | Tensor[] | Record<string, Tensor>, args: { batchSize?: number | undefined; verbose?: Verbose | undefined } = {}): Tensor | Tensor[] {
    extraArguments('predict', arguments.length, 2);
    notADataset('predict', given);
    const x = this.#named('predict', given);
    if (!this.isPacked) return this.predictAs('predict', x as Tensor, args);
    return this.#packedPredict(x, args);
  }

  /**
   * {@link predict} of a model with several inputs or outputs. Several inputs are packed a
   * chunk of whole batches at a time (about {@link PREDICT_CHUNK_BYTES} of input, at least one
   * batch: the slices of each input side by side, that chunk predicted, its outputs kept), so
   * the extra memory is one chunk, not a packed copy of all of `x`; the outputs are joined at
   * the end. The core's predict runs the same batches, so the values are the same bits. On the
   * tape (all rows as one batch, see {@link predict}), one input, or rows that fit in one
   * chunk: packed whole.
   */
  #packedPredict(x: Tensor | Tensor[], args: { batchSize?: number | undefined; verbose?: Verbose | undefined }): Tensor | Tensor[] {
    const op = 'predict';
    checkArgs(op, args, ['batchSize', 'verbose']);
    const bs = batchSizeOf(op, args.batchSize ?? 32);
    const inParts = this.#graph && this.#graph.inputs.length > 1 ? this.#inParts() : null;
    const ts = inParts ? checkList(op, 'x', x, inParts) : null;
    if (!inParts || !ts || ts[0].rank === 0 || ts[0].shape[0] <= bs || tapeRecording()) return this.#packedRun(op, x, (px) => this.predictAs(op, px, args));
    const n = ts[0].shape[0];
    // Chunks of whole batches of about PREDICT_CHUNK_BYTES of input (at least one batch): the
    // extra memory is one chunk, the core's batches are those of the whole call (the same
    // bits), and a few chunks keep the JS per chunk (slices, joins, outputs held) small.
    const rowBytes = 4 * ts.reduce((a, t) => a + t.size / Math.max(n, 1), 0);
    const chunk = bs * Math.max(1, Math.floor(PREDICT_CHUNK_BYTES / Math.max(rowBytes * bs, 1)));
    if (n <= chunk) return this.#packedRun(op, x, (px) => this.predictAs(op, px, args));
    const chunks: Tensor[][] = [];
    try {
      for (let start = 0; start < n; start += chunk) {
        const count = Math.min(chunk, n - start);
        const rows: Tensor[] = [];
        let packed: Tensor;
        try {
          for (const t of ts) rows.push(slice(t, [start], [count]));
          packed = join(op, 'x', rows, inParts, ts);
        } catch (err) {
          // A slice that did not fit (join says its own).
          throw rows.length < ts.length ? packingOutOfMemory(op, 'x', ts, inParts, err, count) : err;
        } finally {
          for (const t of rows) t.dispose();
        }
        let out: Tensor;
        try {
          out = this.predictAs(op, packed, args);
        } finally {
          packed.dispose();
        }
        const outParts = this.outputParts();
        chunks.push(outParts ? unpack(out, outParts) : [out]);
      }
      const joined: Tensor[] = [];
      try {
        for (let q = 0; q < chunks[0].length; q++) joined.push(concat(chunks.map((b) => b[q]), 0));
      } catch (err) {
        for (const t of joined) t.dispose();
        throw err;
      }
      return this.#graph!.outputs.length === 1 ? joined[0] : joined;
    } finally {
      for (const b of chunks) for (const t of b) t.dispose();
    }
  }

  /**
   * {@link predict} on all of `x` as one batch (TF.js `model.predictOnBatch`): the same values
   * as `predict(x, { batchSize: x.shape[0] })`. A graph model with several inputs takes a list.
   *
   * @example
   * const probs = model.predictOnBatch(images);
   */
  predictOnBatch(x: Tensor): Tensor;
  /**
   * {@link Sequential.predictOnBatch} for a graph model with several inputs or outputs (lists,
   * as {@link Sequential.predict}).
   *
   * @example const [a, b] = model.predictOnBatch<Tensor[]>([x1, x2]);
   */
  predictOnBatch<T extends Tensor | Tensor[] = Tensor | Tensor[]>(x: Tensor | Tensor[] | Record<string, Tensor>): T;
  predictOnBatch(given: Tensor | Tensor[] | Record<string, Tensor>): Tensor | Tensor[] {
    const x = this.#named('predictOnBatch', given);
    const first = Array.isArray(x) ? x[0] : x;
    // The rows of the (first) input; anything else is left for predict's own checks.
    const rows = first instanceof Tensor && !first.isDisposed && first.rank > 0 ? first.shape[0] : 1;
    const args = { batchSize: Math.max(rows, 1) };
    if (!this.isPacked) return this.predictAs('predictOnBatch', x as Tensor, args);
    return this.#packedRun('predictOnBatch', x, (px) => this.predictAs('predictOnBatch', px, args));
  }

  /** @internal {@link predict} for the public method `op` (e.g. an autoencoder's `reconstruct`), named in every error. */
  predictAs(op: string, x: Tensor, args: { batchSize?: number | undefined; verbose?: Verbose | undefined }): Tensor {
    checkArgs(op, args, ['batchSize', 'verbose']);
    // Keras's and TF.js's verbose: checked, and, as TF.js does, it prints nothing (Keras
    // draws a bar over the batches; here predict is one call into the core).
    readVerbose(op, args.verbose, 0);
    const h = this.handle(op);
    const owned: Tensor[] = [];
    const hx = need(op, 'x', this.#column(op, 'x', this.#lone(op, 'x', x, 'input'), owned));
    try {
      const bs = batchSizeOf(op, args.batchSize ?? 32);
      return runOp((e, out) => e.nr_model_predict(h, hx, bs, out));
    } catch (err) {
      throw inOp(op, err, 'predict');
    } finally {
      for (const t of owned) t.dispose();
    }
  }

  /**
   * Runs the model on `x` in one batch, as TF.js's `model.apply(x, { training })` on a tensor.
   * `training: false` (the default) is inference, as `predict`. `training: true` behaves as in
   * `fit`: dropout and noise are active (drawn from the model's seed and the number of such
   * calls so far: the same seed gives the same draws), batch normalization normalizes with the
   * batch's statistics and updates its moving ones, a variational layer samples. Inside
   * `variableGrads`/`optimizer.minimize`/`grad` the call is differentiated as it ran (the same
   * draws), so a custom loop trains a model with dropout, batch norm or a variational layer as
   * TF.js's loops with `apply(x, { training: true })` do. Loss terms of layers (activity
   * penalties, a variational layer's KL) are not part of the output: add them to the loss.
   *
   * @example
   * opt.minimize(() => losses.meanSquaredError(y, model.apply(x, { training: true })));
   */
  apply(x: Tensor, kwargs?: { training?: boolean | undefined }): Tensor;
  /** A graph model with several inputs takes a list, and one with several outputs returns one (see {@link Sequential.predict}). */
  apply<T extends Tensor | Tensor[] = Tensor | Tensor[]>(x: Tensor | Tensor[], kwargs?: { training?: boolean | undefined }): T;
  /**
   * On a symbolic tensor (from `input()` or a layer's `apply`), places this model in a graph
   * model being assembled, as a layer: see {@link Layer.apply}. `{ training: false }` (Keras's
   * `base(inputs, training=False)` for transfer learning) runs every layer inside it with
   * inference behaviour in the new model's `fit` too (batch normalization on its moving
   * statistics, left as they are, while `trainable` weights still learn).
   *
   * @example
   * const inp = input({ shape: [4] });
   * const feat = base.apply(inp, { training: false });
   * const head = model({ inputs: inp, outputs: layers.dense({ units: 2 }).apply(feat) });
   */
  apply(x: SymbolicTensor, kwargs?: { training?: boolean | undefined }): SymbolicTensor;
  apply(x: Tensor | Tensor[] | SymbolicTensor, kwargs: { training?: boolean | undefined } = {}): Tensor | Tensor[] | SymbolicTensor {
    if (isSymbolic(x)) return applySymbolic(this, x, kwargs);
    const op = 'apply';
    checkArgs(op, kwargs, ['training']);
    const training = boolArg(op, 'training', kwargs.training, false);
    const h = this.handle(op);
    return this.#packedRun(op, x, (px) => {
      const hx = need(op, 'x', px);
      try {
        return runOp((e, out) => e.nr_model_apply(h, hx, training ? 1 : 0, out));
      } catch (err) {
        throw inOp(op, err);
      }
    });
  }

  /**
   * Loss and metrics on `x`/`y` as scalars: `[loss, ...metrics]` (just the loss if no metrics;
   * with several outputs, TF.js's `[loss, ...outputLosses, ...metrics]`, `x` and `y` as in `fit`).
   * With `returnDict: true` (Keras's `return_dict`), plain numbers by name instead: `loss`, the
   * metrics, and the parts of the loss as `fit` reports them — `kl` (variational layers;
   * computed from their mean and log-variance, as the output is the mean at inference) and
   * `regularization` (weight and activity penalties), each present when the model has one.
   * As TF.js's, the loss evaluated is the data loss (plus `kl`), without the penalties that
   * training adds (Keras 3 adds them): `regularization` reports them beside it. With
   * `sampleWeight` (Keras's `sample_weight`; TF.js's evaluate has none) the loss is weighted as
   * in `fit`: `Σ w·loss / n` over all samples (Keras 3's), the metrics are not.
   *
   * The type follows `returnDict`: without it the result is a scalar `Tensor` when `compile` had
   * no metrics and a `Tensor[]` when it had some (as TF.js; the compiled metrics are not part of
   * the model's type, so TypeScript sees `Tensor | Tensor[]`); with it, `Record<string, number>`,
   * which needs no narrowing and nothing to dispose.
   *
   * @example const { loss, accuracy } = model.evaluate(x, y, { returnDict: true });
   * @example const [loss, acc] = model.evaluate(x, y) as Tensor[]; // compiled with metrics
   */
  evaluate(x: Tensor | Tensor[] | Record<string, Tensor>, y: Tensor | Tensor[] | Record<string, Tensor>, args?: EvaluateOptions & { returnDict?: false | undefined }): Tensor | Tensor[];
  /**
   * {@link Sequential.evaluate} with `returnDict: true`: the loss, metrics and loss parts as
   * numbers by name (nothing to dispose), under `fit`'s log names (TF.js's `acc`; Keras's
   * `accuracy` reads the same value, as in `fit`'s history, without being listed as a key).
   *
   * @example const { loss, accuracy } = model.evaluate(x, y, { returnDict: true });
   */
  evaluate(x: Tensor | Tensor[] | Record<string, Tensor>, y: Tensor | Tensor[] | Record<string, Tensor>, args: EvaluateOptions & { returnDict: true }): Record<string, number>;
  /** {@link Sequential.evaluate} with `returnDict` a `boolean` known at run time only: either result. */
  evaluate(x: Tensor | Tensor[] | Record<string, Tensor>, y: Tensor | Tensor[] | Record<string, Tensor>, args?: EvaluateOptions & { returnDict?: boolean | undefined }): Tensor | Tensor[] | Record<string, number>;
  evaluate(x: Tensor | Tensor[] | Record<string, Tensor>, y: Tensor | Tensor[] | Record<string, Tensor>, args: EvaluateOptions & { returnDict?: boolean | undefined } = {}): Tensor | Tensor[] | Record<string, number> {
    extraArguments('evaluate', arguments.length, 3);
    notADataset('evaluate', x);
    checkArgs('evaluate', args, EVALUATE_KEYS);
    const returnDict = boolArg('evaluate', 'returnDict', args.returnDict);
    const verbose = readVerbose('evaluate', args.verbose, 0);
    const t0 = performance.now();
    if (tapeRecording() && !returnDict) {
      // Its values come back as numbers: the tape would see constants, and the gradient be zero.
      throw new InvalidArgumentError('evaluate: cannot be differentiated (its results are numbers made into tensors); inside grad/variableGrads compute the loss with losses.* on model.predict(x) or model.apply(x)');
    }
    const owned: Tensor[] = [];
    let vals: number[];
    try {
      const [cx, cy] = this.coreData('evaluate', x, y, owned);
      const w = this.sampleWeightTensor('evaluate', args.sampleWeight, cx, owned);
      vals = this.evaluateValues(cx, cy, args.batchSize ?? 32, 'evaluate', y, w);
      if (verbose !== 0) this.printResults(verbose, vals, Math.max(Math.ceil(cx.shape[0] / (args.batchSize ?? 32)), 1), performance.now() - t0);
    } finally {
      for (const t of owned) t.dispose();
    }
    return this.#evaluateResult(vals, returnDict);
  }

  /**
   * The positions in the core's results of what `evaluate` and `trainOnBatch` return, in
   * TF.js's order: the loss, each output's loss (several outputs), then the metrics.
   */
  #resultColumns(): number[] {
    return this.#results().map(([, i]) => i);
  }

  #results(): Array<[string, number, number?]> {
    return this.logColumns().filter(([k]) => k !== 'kl' && k !== 'regularization');
  }

  /**
   * The names of what `evaluate` and `trainOnBatch` return, in their order (TF.js's
   * `metricsNames`): `'loss'`, each output's `<output>_loss` (several outputs), then the metrics
   * as `fit` logs them (`'accuracy'` as `'acc'`, `<output>_acc` with several outputs, a metric
   * function by its name). `undefined` before `compile` (and after a change of layers that needs
   * another). These are the history's keys less `kl` and `regularization`, which `fit` logs
   * beside them (neurite's; TF.js has neither). Outputs of one name (one layer used twice, both
   * uses outputs) are told apart as TF.js's fit logs them, `head_loss_0` and `head_loss_1` (its
   * `metricsNames` keeps `head_loss` twice).
   *
   * @example
   * model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
   * model.metricsNames; // ['loss', 'acc']
   */
  get metricsNames(): string[] | undefined {
    return this.#compiled && !this.#disposed ? this.#results().map(([k]) => k) : undefined;
  }

  /**
   * @internal The log names and their positions in the core's `[loss, ...metrics, kl,
   * regularization, ...outputLosses, ...weightedMetrics, ...weightSums]` results: `kl` and
   * `regularization` only when the model has such a term; a weighted metric has a third entry,
   * the position of its output's `Σ w` (batches combine as `Σ value·Σw / Σ Σw`).
   */
  logColumns(): Array<[string, number, number?]> {
    const info = this.compiledInfo('logs');
    const h = this.handle('logs');
    const [kl, reg] = call((e) => {
      check(e.nr_model_loss_terms(h, outPtr(0)));
      return [readOut(0), readOut(1)];
    });
    // Several outputs (TF.js's names): `<output>_loss` each, then `<output>_<metric>`.
    const heads = info.heads ?? [];
    const names = heads.length > 0 ? heads.flatMap((o) => o.metricNames.map((k) => `${o.name}_${metricLogName(k)}`)) : info.metricNames.map(metricLogName);
    const m = names.length;
    const cols: Array<[string, number, number?]> = [['loss', 0], ...heads.map((o, i): [string, number] => [`${o.name}_loss`, 3 + m + i]), ...names.map((k, i): [string, number] => [k, 1 + i])];
    // Weighted metrics (Keras 3's order: after the plain ones), each with its output's Σw.
    const groups = heads.length > 0 ? heads.map((o) => o.weightedNames ?? []) : [info.weightedNames ?? []];
    const base = 3 + m + heads.length;
    const count = groups.reduce((a, g) => a + g.length, 0);
    let j = 0;
    groups.filter((g) => g.length > 0).forEach((g, at) => {
      for (const k of g) cols.push([k, base + j++, base + count + at]);
    });
    if (kl) cols.push(['kl', 1 + m]);
    if (reg) cols.push(['regularization', 2 + m]);
    // Outputs of one name (one layer used twice, both uses outputs) log as TF.js's fit does
    // (getDedupedMetricsNames): `head_loss_0`, `head_loss_1`; one key would keep only the last.
    const seen = new Map<string, number>();
    return cols.map(([k, ...at]): [string, number, number?] => {
      if (cols.filter(([c]) => c === k).length === 1) return [k, ...at];
      const i = seen.get(k) ?? 0;
      seen.set(k, i + 1);
      return [`${k}_${i}`, ...at];
    });
  }

  /**
   * The mean and log-variance of the code for `x` (`[batch, ...inputShape]`): runs the layers
   * up to and including the model's first variational layer (looking into nested models) at
   * inference. An {@link InvalidArgumentError} if the model has no variational layer, or has
   * several inputs (then call the variational layer's own `encodeDistribution` on what it
   * reads, from a model of the graph up to it). The caller owns both tensors.
   *
   * @example
   * const { mean, logVar } = encoder.encodeDistribution(x);
   */
  encodeDistribution(x: Tensor): Distribution {
    const op = 'encodeDistribution';
    const h = this.handle(op);
    const ins = this.#graph?.inputs ?? [];
    if (ins.length > 1) {
      const v = this.#layers.find((l): l is Layer => l instanceof Layer && l.kind === 'variational');
      const names = ins.map((i) => i.sourceLayer.name).join(', ');
      const how = v ? `: make the model of what its variational layer ${v.name} reads and call the layer's own, ${v.name}.encodeDistribution(model({ inputs: ${this.name}.inputs, outputs: ${this.name}.getLayer('${v.name}').input }).predict(xs)), xs a tensor per input (${names})` : ', and it has no variational layer of its own';
      throw new InvalidArgumentError(`${op}: model ${this.name} has ${ins.length} inputs (${names}), and encodeDistribution runs a model of one input${how}; got ${describe(x)}`);
    }
    const owned: Tensor[] = [];
    try {
      const hx = need(op, 'x', this.#coreX(op, x, owned));
      return distribution((e) => e.nr_model_encode_distribution(h, hx, outPtr(0)));
    } finally {
      for (const t of owned) t.dispose();
    }
  }

  /**
   * @internal `[loss, ...metrics, kl, regularization]` as numbers; `op` is the public method
   * core errors name (a core error under `evaluate` is renamed to it, except under `fit`).
   * `states`: the accumulated metrics' states when an evaluation spans several calls (a
   * dataset's batches); by default each call starts from zero.
   */
  evaluateValues(x: Tensor, y: Tensor, batchSize: number, op = 'evaluate', given: unknown = y, weights: Tensor | null = null, states?: MetricStates): number[] {
    const info = this.compiledInfo('evaluate');
    const width = resultWidth(info);
    const h = this.handle('evaluate');
    const hx = need('evaluate', 'x', x);
    const hy = need('evaluate', 'y', y);
    const hw = weights ? weights.handleFor(op, 'sampleWeight') : 0;
    const bs = batchSizeOf('evaluate', batchSize);
    if (info.custom) {
      try {
        return customEvaluate(op, this, info, x, y, bs, weights, states);
      } catch (err) {
        throw inOp(op, given instanceof Tensor ? targetHint(err, info, given, this.outputDims?.at(-1)) : err, evaluateCoreOp(op, err));
      }
    }
    try {
      return call((e) => {
        check(e.nr_model_check_data(h, hx, hy, 1));
        check(e.nr_model_evaluate(h, hx, hy, hw, bs, argPtr()));
        return Array.from(new Float32Array(e.memory.buffer, argPtr(), width));
      });
    } catch (err) {
      placeBadValue(placePacked(err, x), x, y, this.packedParts);
      throw inOp(op, given instanceof Tensor ? targetHint(err, info, given, this.outputDims?.at(-1)) : err, evaluateCoreOp(op, err));
    }
  }

  /**
   * One training step on the whole of `x`/`y`; returns `[loss, ...metrics]` (or the loss; with
   * several outputs `[loss, ...outputLosses, ...metrics]`, as TF.js). `sampleWeight` (Keras's
   * `train_on_batch(x, y, sample_weight)`; TF.js's trainOnBatch takes none) weights each
   * sample's loss as `fit`'s does, in the same forms (see {@link FitArgs.sampleWeight}).
   *
   * @example const loss = model.trainOnBatch(x, y, [1, 0.5, 2]);
   */
  trainOnBatch(x: Tensor | Tensor[] | Record<string, Tensor>, y: Tensor | Tensor[] | Record<string, Tensor>, sampleWeight?: SampleWeight | null): number | number[] {
    extraArguments('trainOnBatch', arguments.length, 3);
    this.#notFitting('trainOnBatch');
    const info = this.compiledInfo('trainOnBatch');
    const h = this.handle('trainOnBatch');
    assertCanLearn(this, 'trainOnBatch');
    const owned: Tensor[] = [];
    let v: number[];
    let cx: Tensor | null = null, cy: Tensor | null = null;
    try {
      [cx, cy] = this.coreData('trainOnBatch', x, y, owned);
      const hx = need('trainOnBatch', 'x', cx);
      const hy = need('trainOnBatch', 'y', cy);
      const w = this.sampleWeightTensor('trainOnBatch', sampleWeight, cx, owned);
      const hw = w ? w.handleFor('trainOnBatch', 'sampleWeight') : 0;
      this.#syncTrainable();
      const cols = this.#resultColumns();
      const width = resultWidth(info);
      if (info.custom) {
        const out = new Float32Array(width);
        if (!info.custom.tape) call((e) => check(e.nr_model_check_data(h, hx, hy, 2)));
        customStep('trainOnBatch', this, info, cx, cy, w, out);
        v = cols.map((i) => out[i]);
        return v.length === 1 ? v[0] : v;
      }
      v = call((e) => {
        check(e.nr_model_check_data(h, hx, hy, 2));
        check(e.nr_model_train_on_batch(h, hx, hy, hw, argPtr()));
        const all = new Float32Array(e.memory.buffer, argPtr(), width);
        return cols.map((i) => all[i]);
      });
    } catch (err) {
      // The core's update, shared with fit, names itself fit (a gradient that is not finite).
      this.nameLayerIn(err);
      placeBadValue(placePacked(err, cx), cx, cy, this.packedParts);
      throw inOp('trainOnBatch', y instanceof Tensor ? targetHint(err, info, y, this.outputDims?.at(-1)) : err, 'fit');
    } finally {
      for (const t of owned) t.dispose();
    }
    return v.length === 1 ? v[0] : v;
  }

  /**
   * Every weight as a variable (TF.js `model.weights`), in `getWeights()` order (TF.js's:
   * {@link Sequential.trainableWeights}, then {@link Sequential.nonTrainableWeights}). Asking
   * builds a model that knows its input shape (TF.js builds it when it is made); `[]` while the
   * input shape is not known.
   */
  get weights(): LayerVariable[] {
    return this.#inTfOrder('weights', 'all');
  }

  /**
   * The weights training updates (TF.js `model.trainableWeights`): none when the model is
   * frozen, none of a frozen layer or nested model, no moving statistics. What
   * `variableGrads` and `optimizer.minimize` train by default (with every other live model's).
   *
   * @example
   * const opt = train.adam(0.01);
   * for (let i = 0; i < 100; i++) tidy(() => opt.minimize(() => losses.meanSquaredError(y, model.predict(x)), false, model.trainableWeights));
   */
  get trainableWeights(): LayerVariable[] {
    return this.#inTfOrder('trainableWeights', 'trainable');
  }

  /**
   * The weights training leaves alone (TF.js `model.nonTrainableWeights`): moving statistics and
   * the weights of frozen layers or models, in TF.js's order (see {@link Sequential.getWeights}).
   */
  get nonTrainableWeights(): LayerVariable[] {
    return this.#inTfOrder('nonTrainableWeights', 'nonTrainable');
  }

  /**
   * The variables of `which` weights in TF.js's order; while the model cannot be built (no input
   * shape), those its layers already have (held by other models), in layer order.
   */
  #inTfOrder(op: string, which: 'all' | 'trainable' | 'nonTrainable'): LayerVariable[] {
    const vs = this.#variables(op, false);
    if (vs.length === 0 || (this.#handle === 0 && this.inputDims === undefined)) {
      const trained = new Set(this.#variables(op, true));
      return which === 'all' ? vs : vs.filter((v) => trained.has(v) === (which === 'trainable'));
    }
    const { order, trainable } = this.tfWeightOrder(op);
    return (which === 'all' ? order : which === 'trainable' ? order.slice(0, trainable) : order.slice(trainable)).map((i) => vs[i]);
  }

  /** The variables of every layer in the core's order (each layer's in turn, nested models expanded). */
  #variables(op: string, trainableOnly: boolean): LayerVariable[] {
    if (this.#disposed) throw new DisposedError(`${op}: model ${this.name} is disposed`);
    if (trainableOnly && !this.trainable) return [];
    return this.#children().flatMap((l) => (l instanceof Sequential ? l.#variables(op, trainableOnly) : trainableOnly ? l.trainableWeights : l.weights));
  }

  /**
   * @internal Where the core's weights go in TF.js's order (`weight-order.ts`): the core's
   * indices in that order, and how many of them, first, are trainable. Builds the model.
   */
  tfWeightOrder(op: string): { order: number[]; trainable: number } {
    this.handle(op);
    let next = 0;
    // The core's order is depth-first over the layers; a graph model's layers are then put in
    // TF.js's order. Each layer's variables are cached by the layer (no weight is copied).
    const tree = (m: Sequential): WeightTree => {
      const kids = m.#children().map((c): WeightTree => {
        if (c instanceof Sequential) return tree(c);
        const weights = c.weights.map((v) => ({ index: next++, own: v.ownTrainable }));
        return { trainable: c.trainable !== false && Sequential.#frozenBy(c) === null, weights };
      });
      const g = m.#graph;
      const k = g?.inputs.length ?? 0;
      const children = g ? tfLayerOrder(k, g.wiring, g.extraUses, g.outputNodes).filter((j) => j >= k).map((j) => kids[j - k]) : kids;
      return { trainable: m.trainable !== false, children };
    };
    return tfWeightOrder(tree(this));
  }

  /**
   * @internal `err` with the core's refusal of a non-finite gradient naming the layer as the
   * user sees it: `of layer 2 (weight 5)` (the core's index of the top-level layer and of the
   * weight) becomes `of layer 'dense_Dense3'`, in a nested model `of layer 'dense_Dense3' in
   * model 'encoder'`. Runs on the error path only.
   */
  nameLayerIn(err: unknown): unknown {
    if (err instanceof NonFiniteError && !this.#disposed) {
      err.message = err.message.replace(/ of layer \d+ \(weight (\d+)\)/, (all, i: string) => {
        let left = Number(i);
        // The core's order: each layer's weights in turn, nested models expanded.
        const find = (m: Sequential, path: string): string | null => {
          for (const c of m.#children()) {
            if (c instanceof Sequential) {
              const r = find(c, ` in model '${c.name}'${path}`);
              if (r !== null) return r;
              continue;
            }
            const n = c.weights.length;
            if (left < n) return `'${c.name}'${path}`;
            left -= n;
          }
          return null;
        };
        const at = find(this, '');
        return at === null ? all : ` of layer ${at}`;
      });
    }
    return err;
  }

  /**
   * @internal Every weight as a variable in the core's order (item `i` is weight `i` of the
   * core, whose optimizer state the trainer keeps by that index; {@link
   * Sequential.tfWeightOrder} maps it to TF.js's order): how an optimizer compiled into this
   * model finds the trainer's index of a weight it is given. Builds the model.
   */
  coreVariables(op: string): LayerVariable[] {
    this.handle(op);
    return this.#variables(op, false);
  }

  /**
   * TF.js's class name: `'Sequential'`, or `'Model'` for a graph model (`model({ inputs,
   * outputs })`), as `summary()` shows a nested model.
   *
   * @example sequential().getClassName() // 'Sequential'
   */
  getClassName(): string {
    return (this.constructor as typeof Sequential).className;
  }

  /**
   * Copies of every weight, in TF.js's order (`model.getWeights()`): the trainable weights (layer
   * by layer), then the rest — batch normalization's moving statistics, frozen layers' weights —
   * so `[dense, batchNormalization, prelu]` gives `kernel, bias, gamma, beta, alpha,
   * moving_mean, moving_variance`, and the weights of a TF.js model of the same architecture
   * (`tfModel.getWeights()`) fit `setWeights` as they are. A layer's own
   * {@link Layer.getWeights} keeps its order (`gamma, beta, moving_mean, moving_variance`).
   * {@link Sequential.weightNames} names them. Not Keras's `get_weights()` order (layer by
   * layer): it depends on what is frozen, so plain arrays (`dataSync()` copies) taken from a
   * model of the same layers frozen otherwise go to other weights wherever the shapes agree,
   * silently (see {@link Sequential.setWeights}); copy with both unfrozen, or layer by layer.
   *
   * `trainableOnly` (TF.js's) keeps the first part, those of {@link Sequential.trainableWeights}
   * (none when the model is frozen): for averaging what training moves, say.
   *
   * The tensors are yours to dispose: copy weights inside `tidy`, which frees them once
   * `setWeights` has written them.
   *
   * @example tidy(() => copy.setWeights(model.getWeights())); // copy = sequential.fromConfig(model.getConfig())
   * @example tidy(() => nrModel.setWeights(tfModel.getWeights().map((w) => tensor(w.dataSync(), w.shape))));
   */
  getWeights(trainableOnly = false): Tensor[] {
    const op = 'getWeights';
    const only = boolArg(op, 'trainableOnly', trainableOnly, false);
    const h = this.handle(op);
    const { order, trainable } = this.tfWeightOrder(op);
    const core = readWeights(op, { handle: h, path: [] });
    // The weights' shapes in the core's order, kept with the copies: the model they came from
    // may be disposed before they are written (a hot swap, a replaced generation).
    const from = { order, shapes: core.map((t) => t.shape.join(',')) };
    const all = order.map((i, p) => {
      gotFrom.set(core[i], { from, p });
      return core[i];
    });
    if (!only) return all;
    for (const t of all.slice(trainable)) t.dispose();
    return all.slice(0, trainable);
  }

  /**
   * The order `weights` are in when they are one `getWeights()` call's copies, whole and in
   * place, of another model of this one's layout (the same weight shapes in the core's order):
   * that model's. A model frozen otherwise lists its weights in another order (frozen ones
   * last, TF.js's order), so the copies go by the weight they were (a DQN's online network into
   * its frozen target, which TF.js scrambles: tfjs#1807). Otherwise `mine`.
   */
  #orderOf(weights: readonly unknown[], mine: number[]): number[] {
    const first = weights[0] instanceof Tensor ? gotFrom.get(weights[0])?.from : undefined;
    // The same model too: a checkpoint taken, a layer frozen (its weights now listed last), the
    // checkpoint restored (a PyTorch habit) went by position and scrambled them.
    if (!first || first.order.length !== weights.length || first.order.every((o, i) => o === mine[i])) return mine;
    if (!weights.every((w, p) => w instanceof Tensor && gotFrom.get(w)?.from === first && gotFrom.get(w)?.p === p)) return mine;
    // (It went by position once the model the copies came from was disposed: layers scrambled.)
    const b = weightSpecs('setWeights', { handle: this.handle('setWeights'), path: [] }).map((w) => w.shape.join(','));
    const a = first.shapes;
    return a.length === b.length && a.every((s, i) => s === b[i]) ? first.order : mine;
  }

  /**
   * Names of the weights, as `layerName/kernel` (the layer inside a nested model, not the
   * nested model), in `getWeights()` order, with TF.js's weight names (`moving_mean`, as in
   * saved files).
   */
  weightNames(): string[] {
    const names = this.coreWeightNames('weightNames');
    return this.tfWeightOrder('weightNames').order.map((i) => names[i]);
  }

  /** @internal {@link Sequential.weightNames} in the core's order (each layer's in turn, nested models expanded). */
  coreWeightNames(op: string): string[] {
    const specs = weightSpecs(op, { handle: this.handle(op), path: [] });
    const owners = expectedWeights(op, modelSpec(this), this.inputDims ?? []).weights.map((w) => w.layer);
    const flat = this.#layers.filter((l) => !(l instanceof InputLayer));
    return specs.map((w, i) => `${owners.length === specs.length ? owners[i] : (flat[w.layer]?.name ?? w.layer)}/${w.name}`);
  }

  /**
   * Overwrites every weight; `weights` must match `getWeights()` in count, order (TF.js's) and
   * shapes, and hold finite values unless `allowNonFinite` (as `loadModel`'s option). Every
   * weight is checked before any is set, so a failed call leaves the model as it was.
   *
   * Each weight may also be given as its values alone, a `Float32Array` (or a `Float64Array`,
   * or an array of numbers) in row-major order with as many values as the weight has (Keras's
   * `set_weights` takes arrays too; TF.js only tensors): they are copied straight into the
   * weight, with no tensor made, which is the cheap way to write genomes into a pool of models.
   * A wrong length is a `ShapeError` naming the weight, its shape and both lengths. Nested
   * arrays of the weight's shape (`[[…], […]]` for a kernel, as Keras's nested lists) work too.
   *
   * Weights are matched by position in `getWeights()` order, except for one `getWeights()`
   * call's copies, whole and in order, from a model of the same layout frozen otherwise (a DQN's
   * online network into its frozen target), or from this model before a layer was frozen or
   * unfrozen (a checkpoint restored): frozen weights are listed last, so those copies go to the
   * weights they were taken from (TF.js writes them by position, scrambling them).
   * Plain arrays always go by position.
   *
   * @example
   * tidy(() => copy.setWeights(model.getWeights())); // tidy frees getWeights' copies
   * @example
   * // A 5-8-2 network's genome: kernel 5·8, bias 8, kernel 8·2, bias 2, one Float32Array.
   * let o = 0;
   * brain.setWeights([40, 8, 16, 2].map((n) => genes.subarray(o, (o += n))));
   */
  setWeights(weights: readonly WeightValues[], options?: { allowNonFinite?: boolean | undefined }): void {
    const h = this.handle('setWeights');
    const o = readKeys('setWeights', options, ['allowNonFinite']);
    const allow = boolArg('setWeights', 'allowNonFinite', o.allowNonFinite, false);
    const { order, trainable } = this.tfWeightOrder('setWeights');
    try {
      writeWeights('setWeights', { handle: h, path: [] }, `model ${this.name}`, weights, allow, Array.isArray(weights) ? this.#orderOf(weights, order) : order);
    } catch (err) {
      // Non-trainable weights come after the trainable ones (TF.js's order): weights from a model
      // frozen otherwise (a DQN's online network into its frozen target), or in Keras's order
      // (each layer's in turn, moving statistics beside gamma and beta), arrive in another order.
      if (err instanceof ShapeError && trainable < order.length && this.#reordered(h, weights)) {
        const frozen = !this.trainable || this.#children().some((l) => !l.trainable);
        err.message += frozen
          ? `; model ${this.name} has frozen weights, which getWeights and setWeights list after the trainable ones (TF.js's order), so weights from a model frozen otherwise come in another order: unfreeze it while copying (target.trainable = true; tidy(() => target.setWeights(online.getWeights())); target.trainable = false)`
          : `; model ${this.name} has non-trainable weights (moving statistics), which getWeights and setWeights list after the trainable ones (TF.js's order), while Keras's get_weights() lists each layer's in turn: pass Keras's model.trainable_weights + model.non_trainable_weights, or set layer by layer (getLayer(name).setWeights(…))`;
      }
      throw err;
    }
  }

  /** Whether `given` holds values of this model's weights' sizes in another order (what setWeights' hint is about). */
  #reordered(h: number, given: readonly WeightValues[]): boolean {
    const size = (w: unknown): number => (w instanceof Tensor ? w.size : Array.isArray(w) ? w.flat(Infinity).length : ArrayBuffer.isView(w) ? (w as Float32Array).length : -1);
    const want = weightSpecs('setWeights', { handle: h, path: [] }).map((s) => s.shape.reduce((a, b) => a * b, 1)).sort((a, b) => a - b);
    const got = Array.from(given, size).sort((a, b) => a - b);
    return want.length === got.length && want.every((n, i) => n === got[i]);
  }

  /**
   * A layer (or nested model) of this model, by name or by index in `layers`, as TF.js's
   * `getLayer`; with both, the index chooses and the name must match it.
   *
   * @example
   * const hidden = model.getLayer('hidden');
   * const first = model.getLayer(0);
   */
  getLayer(name: string): Layer | Sequential;
  /**
   * The layer (or nested model) at `index` in `layers` (TF.js `getLayer(index)`).
   *
   * @example const first = model.getLayer(0);
   */
  getLayer(index: number): Layer | Sequential;
  /**
   * TF.js's `getLayer(name, index)`: the index chooses, and a name given must match the layer
   * there.
   *
   * @example const first = model.getLayer(undefined, 0);
   */
  getLayer(name: string | undefined, index: number): Layer | Sequential;
  getLayer(nameOrIndex?: string | number, index?: number): Layer | Sequential {
    const op = 'getLayer';
    const list = this.layers;
    const names = list.map((l) => l.name);
    const at = (i: unknown): Layer | Sequential => {
      if (typeof i !== 'number' || !Number.isInteger(i) || i < 0) throw new InvalidArgumentError(`${op}: index must be a non-negative integer, got ${describe(i)}`);
      if (i >= list.length) throw new InvalidArgumentError(`${op}: index ${i} is out of range: model ${this.name} has ${list.length} layer${list.length === 1 ? '' : 's'} (${names.join(', ') || 'none'})`);
      return list[i];
    };
    if (index !== undefined && index !== null) {
      const l = at(index);
      if (nameOrIndex !== undefined && nameOrIndex !== null && nameOrIndex !== l.name) throw new InvalidArgumentError(`${op}: layer ${index} of model ${this.name} is ${l.name}, not ${describe(nameOrIndex)}; pass the name or the index`);
      return l;
    }
    if (typeof nameOrIndex === 'number') return at(nameOrIndex);
    if (typeof nameOrIndex !== 'string') throw new InvalidArgumentError(`${op}: expected a layer name or index, got ${describe(nameOrIndex)}`);
    const l = this.#layers.find((x) => x.name === nameOrIndex);
    if (l) return l;
    const inside = this.#nodes().find((x) => x.name === nameOrIndex);
    const hint = inside ? this.#nestedHint(inside) : didYouMean(nameOrIndex, names);
    throw new InvalidArgumentError(`${op}: model ${this.name} has no layer named '${nameOrIndex}' (its layers: ${names.join(', ') || 'none'})${hint}`);
  }

  /**
   * Where `node` (somewhere inside a model nested in this one) is, for `getLayer`'s error: the
   * `getLayer` calls that reach it, and how to make a model that outputs it. That model must
   * start from the inputs of the model holding `node` directly: this model's own `inputs`
   * reach a nested model as one step, never the layers inside it (a model built from them is
   * disconnected).
   */
  #nestedHint(node: Layer | Sequential): string {
    const walk = (m: Sequential, expr: string): { path: string; parent: Sequential; parentPath: string } | null => {
      for (const l of m.#layers) {
        const e = `${expr}.getLayer('${l.name}')`;
        if (l === node) return { path: e, parent: m, parentPath: expr };
        if (l instanceof Sequential) {
          const r = walk(l, e);
          if (r) return r;
        }
      }
      return null;
    };
    const at = walk(this, 'model');
    if (!at) return '';
    const p = at.parent.name;
    return `; it is inside the nested model ${p}: ${at.path}. To make a model that outputs it, build it from ${p}'s own inputs (not ${this.name}'s): model({ inputs: ${p}.inputs, outputs: ${p}.getLayer('${node.name}').output }), where ${p} is ${at.parentPath}`;
  }

  /**
   * The learning rate the next step will use (after schedules), the float32 value the optimizer
   * holds in its shortest decimal form (`0.01` after `'adam'`). Settable to a finite rate >= 0:
   * it rescales the schedule (a factor the trainer keeps, saved with the training state) and
   * keeps everything else — the compiled optimizer's state (Adam's moments …) and step count —
   * for `fit` and for a custom loop's `optimizer.minimize`/`applyGradients` on this model's
   * weights alike (PyTorch's `g['lr'] = x` mid-training; TF.js's `model.optimizer.learningRate
   * = x`, which here must go through the model). 0 freezes the weights by rate (as TF.js, Keras
   * and PyTorch; steps still count and Adam's moments still move with the gradients) until a
   * rate > 0 is set again. A rate > 0 needs a compiled rate that is not 0 at this step (the
   * factor rescales it). The rate set is read back exactly as float32 holds it
   * (`m.learningRate = 1e-5` reads `0.00001`), at this step; later steps of a schedule are
   * the schedule's rates times the same factor.
   */
  get learningRate(): number {
    // The float32 rate in its shortest decimal form: 0.01, not 0.009999999776482582.
    return Number(f32String(this.learningRateF32));
  }

  /** @internal The rate's exact float32 value, which callbacks compute with (as Keras 3's). */
  get learningRateF32(): number {
    const h = this.handle('learningRate');
    return call((e) => {
      // A negative factor reads only.
      check(e.nr_model_lr(h, -1, argPtr()));
      return new Float32Array(e.memory.buffer, argPtr(), 2)[0];
    });
  }

  /** @internal The optimizer steps taken (the compiled optimizer's `iterations`). */
  trainingStep(): number {
    return trainingStep(this.handle('iterations'), 'iterations');
  }

  /** @internal The trainer's state, for the compiled optimizer's `getWeights` (`exportTrainingState`). */
  trainingState(): TrainingState {
    return exportTrainingState(this);
  }

  /** @internal Sets the trainer's state, for the compiled optimizer's `setWeights` (`importTrainingState`). */
  setTrainingState(state: TrainingState): void {
    importTrainingState(this, state);
  }

  set learningRate(lr: number) {
    if (typeof lr !== 'number' || !(lr >= 0) || !Number.isFinite(lr)) throw new InvalidArgumentError(`learningRate: must be a finite number >= 0, got ${describe(lr)}`);
    const h = this.handle('learningRate');
    if (lr === 0) {
      call((e) => check(e.nr_model_lr(h, 0, argPtr())));
      return;
    }
    // [rate, steps, factor, the schedule's rate before the factor] at the next step.
    const cur = call((e) => {
      check(e.nr_model_lr(h, -1, argPtr()));
      return new Float32Array(e.memory.buffer, argPtr(), 4).slice();
    });
    // lr_now = schedule · scale; keep the schedule's shape and rescale it.
    if (cur[3] === 0) throw new InvalidArgumentError(`learningRate: the compiled learning rate is 0 at step ${cur[1] + 1}, so ${lr} cannot be reached by rescaling it; compile with a non-zero learningRate (a schedule's warm-up or decay to 0 can be rescaled where it is not 0)`);
    // A rate so far from the compiled one that the factor leaves float32's range is refused
    // (the core ignores a factor that is not finite and >= 0: it only reads then).
    const scale = Math.fround(lr / cur[3]);
    if (!(scale > 0) || !Number.isFinite(scale)) {
      throw new InvalidArgumentError(`learningRate: ${lr} is too ${scale > 0 ? 'large' : 'small'} beside the compiled rate ${f32String(cur[3])}: its factor on the compiled rate, ${lr / cur[3]}, is ${scale > 0 ? 'Infinity' : '0'} in float32 (set 0 to freeze the weights by rate)`);
    }
    // The core keeps the factor as a float64 and rounds scheduled · factor once to float32:
    // with the factor fround(lr) / scheduled, that product is within a float64 ulp of
    // fround(lr), a float32 far from any rounding midpoint, so the rate is exactly fround(lr)
    // (an f32 factor landed an ulp off: minLr 1e-5 read back 0.000010000001).
    call((e) => check(e.nr_model_lr(h, Math.fround(lr) / cur[3], argPtr())));
  }

  /**
   * A Keras-style table of layers, output shapes and parameter counts.
   * - `model.summary()` prints it with `console.log` and returns nothing (as TF.js and Keras),
   *   so `console.log(model.summary())` shows the table once (then `undefined`);
   * - `model.summary(null)` returns the text without printing it;
   * - `model.summary(print)` hands the text to `print` (e.g. a logger) and also returns it;
   * - TF.js's `model.summary(lineLength?, positions?, printFn?)` calls `printFn` (default
   *   `console.log`) once per line, as TF.js does; the columns fit their contents, so
   *   `lineLength` (a positive integer) and `positions` (numbers) are checked but not used.
   *
   * @example const text = model.summary(null); // no output
   * @example model.summary(undefined, undefined, (line) => lines.push(line)); // TF.js form
   */
  summary(): void;
  /**
   * The summary table as text: `summary(null)` returns it without printing, `summary(print)`
   * also hands it to `print` (e.g. a logger).
   *
   * @example const text = model.summary(null);
   */
  summary(print: ((text: string) => void) | null): string;
  /**
   * TF.js's `summary(lineLength?, positions?, printFn?)`: `printFn` (default `console.log`)
   * gets each line; `lineLength` and `positions` are checked but not used (the columns fit).
   *
   * @example model.summary(undefined, undefined, (line) => lines.push(line));
   */
  summary(lineLength: number | undefined, positions?: number[], printFn?: (line: string) => void): void;
  /**
   * Keras 3's keywords as options, returning the text when `print` is given (a function, or
   * `null` to only return it): `expandNested` lists the layers of each nested model (a model
   * used as a layer, an autoencoder's encoder and decoder) under its row, indented `   └ ` per
   * level, as Keras 3's `expand_nested=True` (TF.js has none; a nested graph model's rows
   * include its input layers, as Keras 3's do).
   *
   * @example const text = ae.summary({ expandNested: true, print: null });
   */
  summary(options: SummaryOptions & { print: ((text: string) => void) | null }): string;
  /**
   * Keras 3's keywords as options: `summary({ expandNested: true })` prints the table with the
   * layers of each nested model under its row (Keras 3's `expand_nested=True`; TF.js has
   * none), with `console.log` or each line to `printFn`.
   *
   * @example model.summary({ expandNested: true });
   */
  summary(options: SummaryOptions): void;
  summary(print?: ((text: string) => void) | number | null | SummaryOptions, positions?: number[], printFn?: (line: string) => void): string | void {
    const checkPrint = (p: unknown): void => {
      if (p !== undefined && p !== null && typeof p !== 'function') throw new InvalidArgumentError(`summary: print must be a function such as console.log, or null to only return the text, got ${describe(p)}`);
    };
    const checkPrintFn = (f: unknown): void => {
      if (f !== undefined && typeof f !== 'function') throw new InvalidArgumentError(`summary: printFn must be a function such as console.log, got ${describe(f)}`);
    };
    let expand = false;
    let showTrainable = false;
    /** Prints the text line by line (TF.js's printFn), instead of `print`. */
    let lines: ((line: string) => void) | undefined;
    if (arguments.length === 1 && print !== null && typeof print === 'object') {
      const o = readKeys('summary', print, ['expandNested', 'showTrainable', 'print', 'printFn']);
      expand = boolArg('summary', 'expandNested', o.expandNested, false);
      showTrainable = boolArg('summary', 'showTrainable', o.showTrainable, false);
      checkPrint(o.print);
      checkPrintFn(o.printFn);
      if (o.printFn !== undefined && o.print !== undefined) throw new InvalidArgumentError('summary: pass print (the whole text) or printFn (each line), not both');
      lines = o.printFn as ((line: string) => void) | undefined;
      print = o.print as ((text: string) => void) | null | undefined;
    } else if (arguments.length > 1 || typeof print === 'number') {
      // TF.js's form.
      if (print !== undefined && (typeof print !== 'number' || !Number.isInteger(print) || print < 1)) throw new InvalidArgumentError(`summary: lineLength (TF.js's first argument) must be a positive integer or undefined, got ${describe(print)}`);
      if (positions !== undefined && (!Array.isArray(positions) || positions.some((p) => typeof p !== 'number' || !Number.isFinite(p)))) throw new InvalidArgumentError(`summary: positions must be an array of numbers or undefined, got ${describe(positions)}`);
      checkPrintFn(printFn);
      lines = printFn ?? console.log;
    } else {
      checkPrint(print);
    }
    const text = this.#summary(expand, showTrainable);
    if (lines !== undefined) {
      for (const line of text.split('\n')) lines(line);
      return;
    }
    if (print === undefined) {
      console.log(text);
      return;
    }
    (print as ((text: string) => void) | null)?.(text);
    return text;
  }

  /** The text of `summary`, with the layers of nested models under their rows when `expand`, and a "Trainable" column when `showTrainable`. */
  #summary(expand: boolean, showTrainable: boolean): string {
    const h = this.handle('summary');
    this.#syncTrainable();
    const flat = this.#children();
    // Trainable parameters per layer: what training updates (moving statistics and frozen
    // layers, nested ones included, are non-trainable, as Keras counts them; so is everything
    // of a model with trainable = false).
    const trainable = flat.map(() => 0);
    for (const w of weightSpecs('summary', { handle: h, path: [] })) if (w.trainable && this.trainable) trainable[w.layer] += w.size;
    return summaryText(this.name, this.#summaryRows(expand, 0, this.#graph !== null, trainable, this.trainable), showTrainable);
  }

  /**
   * The summary's rows of this model's layers (a graph model's in TF.js's order), `level`
   * deep in the model summarized, whose table has a "Connected to" column when `connected`;
   * with `expand`, each nested model's rows follow its own (Keras 3's `expand_nested`).
   * `trainable` holds the trainable parameters per layer (counted at level 0 only); `on`:
   * whether this model trains (not frozen, nor any model it is expanded in).
   */
  #summaryRows(expand: boolean, level: number, connected: boolean, trainable: number[], on: boolean): SummaryRow[] {
    const flat = this.#children();
    const g = this.#graph;
    // A value's name: its layer's (a further use as name[2], name[3], …, as TF.js numbers calls).
    const valueName = (j: number): string => {
      if (!g || j < this.#layers.length) return this.#layers[j]?.name ?? 'input';
      const e = j - this.#layers.length;
      const u = g.extraUses[e];
      return `${this.#layers[g.inputs.length + u.layer].name}[${1 + g.extraUses.slice(0, e).filter((v) => v.layer === u.layer).length}]`;
    };
    // A nested model's layers read values of that model, not of the table's: Keras 3 leaves
    // their "Connected to" empty.
    const reads = (i: number): string | undefined => (level > 0 ? (connected ? '' : undefined) : g ? [g.wiring[i], ...g.extraUses.filter((u) => u.layer === i).map((u) => u.inputs)].map((ins) => ins.map(valueName).join(', ')).join('; ') : undefined);
    // Each layer's rows, in the core's order: a graph model's input layers, then its other layers.
    const rows: SummaryRow[][] = g ? g.inputs.map((x) => [{ name: x.sourceLayer.name, kind: 'InputLayer', shape: (x.sourceLayer as Layer).inputDims, params: 0, trainableParams: 0, connected: connected ? '' : undefined, level }]) : [];
    flat.forEach((l, i) => {
      // Keras 3's show_trainable: whether training updates it (frozen also by a model holding it).
      const trains = on && l.trainable && (l instanceof Sequential || Sequential.#frozenBy(l) === null);
      const own: SummaryRow[] = [{ name: l.name, kind: l.getClassName(), shape: this.#shapes[i], params: this.#paramCounts[i], trainableParams: level > 0 ? 0 : trainable[i], connected: reads(i), level, trains }];
      if (expand && l instanceof Sequential) own.push(...l.#summaryRows(true, level + 1, connected, [], trains));
      rows.push(own);
    });
    // A graph model's in TF.js's and Keras's order (row i is `model.layers[i]`).
    return (g ? this.#tfOrder().map((j) => rows[j]) : rows).flat();
  }

  /** The number of weights (parameters and layer state such as moving statistics), nested models included. */
  countParams(): number {
    this.handle('countParams');
    return this.#paramCounts.reduce((a, b) => a + b, 0);
  }

  /** @internal Inference through layers `start..end` only (e.g. one half of an autoencoder), for the public method `op`, named in every error. */
  predictRange(op: string, x: Tensor, start: number, end: number, batchSize = 32): Tensor {
    const h = this.handle(op);
    const bs = batchSizeOf(op, batchSize);
    const owned: Tensor[] = [];
    const hx = need(op, 'x', this.#column(op, 'x', x, owned, start));
    try {
      return runOp((e, out) => e.nr_model_predict_range(h, hx, start, end, bs, out));
    } catch (err) {
      throw inOp(op, err, 'predict');
    } finally {
      for (const t of owned) t.dispose();
    }
  }

  /** @internal A graph model's wiring (per layer after the inputs, the `layers` indices it reads), or `null`. */
  get graphWiring(): number[][] | null {
    return this.#graph ? this.#graph.wiring.map((w) => w.slice()) : null;
  }

  /** @internal A graph model's number of inputs (its first `layers`), the values it outputs and its further uses of layers, or `null`. */
  get graphIo(): { inputs: number; outputs: number[]; extraUses: Array<{ layer: number; inputs: number[] }>; held: number[] } | null {
    const g = this.#graph;
    return g ? { inputs: g.inputs.length, outputs: g.outputNodes.slice(), extraUses: g.extraUses.map((u) => ({ layer: u.layer, inputs: u.inputs.slice() })), held: g.held.slice() } : null;
  }

  /**
   * The model's symbolic inputs (TF.js `model.inputs`), in a list: for a graph model what
   * `model({ inputs })` got; for a sequential model whose input shape is known, the input of
   * its symbolic chain (an input applied to each layer in turn, made on first use), so that
   * `model({ inputs: m.inputs, outputs: m.getLayer('code').output })` makes a model of its
   * first layers, sharing their weights. The chain runs a nested model as one step: for a
   * layer inside one (an autoencoder's encoder), start from that model's own inputs,
   * `model({ inputs: encoder.inputs, outputs: encoder.getLayer('code').output })`. An error
   * when the input shape is not known yet.
   */
  get inputs(): SymbolicTensor[] {
    return this.#ends('inputs').inputs.slice();
  }

  /** The model's symbolic outputs (TF.js `model.outputs`), as {@link Sequential.inputs}. */
  get outputs(): SymbolicTensor[] {
    return this.#ends('outputs').outputs.slice();
  }

  /** The model's symbolic input (TF.js and Keras `model.input`): `inputs[0]`, or the list when there are several. */
  get input(): SymbolicTensor | SymbolicTensor[] {
    const xs = this.#ends('input').inputs;
    return xs.length === 1 ? xs[0] : xs.slice();
  }

  /** The model's symbolic output (TF.js and Keras `model.output`): `outputs[0]`, or the list when there are several. */
  get output(): SymbolicTensor | SymbolicTensor[] {
    const ys = this.#ends('output').outputs;
    return ys.length === 1 ? ys[0] : ys.slice();
  }

  /**
   * The output at node `nodeIndex` (TF.js `getOutputAt`): node 0 is the model's own
   * ({@link Sequential.output}), node `i ≥ 1` its `i`-th application to symbolic tensors
   * (`m.apply(x)` in a graph, or its step in the symbolic chain of a sequential model holding
   * it: an autoencoder's encoder, once the autoencoder's `inputs` or `output` is made). A list
   * for a model with several outputs; an error naming the index when there is no such node.
   *
   * @example
   * const ae = autoencoder({ encoder, decoder });
   * const codes = model({ inputs: ae.inputs, outputs: encoder.getOutputAt(1) }); // the encoder's step in ae
   */
  getOutputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] {
    if (this.#nodeIndex('getOutputAt', nodeIndex) === 0) return this.#singleOrList(this.#ends('getOutputAt').outputs);
    return usesOf(this)[nodeIndex - 1];
  }

  /** What the model reads at node `nodeIndex` (TF.js `getInputAt`); nodes as {@link Sequential.getOutputAt}. */
  getInputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] {
    if (this.#nodeIndex('getInputAt', nodeIndex) === 0) return this.#singleOrList(this.#ends('getInputAt').inputs);
    return this.#singleOrList(usesOf(this)[nodeIndex - 1].inputs);
  }

  #singleOrList(ts: readonly SymbolicTensor[]): SymbolicTensor | SymbolicTensor[] {
    return ts.length === 1 ? ts[0] : ts.slice();
  }

  /** Checks a node index of {@link Sequential.getOutputAt} (0, or one of the model's uses). */
  #nodeIndex(op: string, index: unknown): number {
    if (index === 0) return 0;
    const n = 1 + usesOf(this).length;
    if (typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < n) return index;
    const applied = n === 2 ? '1: its application' : `1..${n - 1}: its applications`;
    const nodes = n === 1
      ? 'only node 0, its own inputs and outputs (it was never applied to a symbolic tensor: by model.apply(x), or as a step of another model whose symbolic inputs were made)'
      : `${n} nodes (0: its own inputs and outputs; ${applied} to symbolic tensors, by model.apply(x) or as a step of another model)`;
    throw new InvalidArgumentError(`${op}: model ${this.name} has ${nodes}, so the index must be ${n === 1 ? '0' : `an integer in 0..${n - 1}`}, got ${describe(index)}`);
  }

  #ends(op: string): { inputs: SymbolicTensor[]; outputs: SymbolicTensor[] } {
    if (this.#graph) return this.#graph;
    if (this.#chain) return this.#chain;
    if (this.#disposed) throw new DisposedError(`${op}: model ${this.name} is disposed`);
    const shape = this.inputDims;
    if (!shape) throw new InvalidArgumentError(`${op}: model ${this.name} does not know its input shape yet, so it has no symbolic ${op}; give its first layer an inputShape, or build it (model.build(inputShape))`);
    if (this.#children().length === 0) throw new InvalidArgumentError(`${op}: model ${this.name} has no layers`);
    // TF.js's name for the input a sequential model makes, as inputNames says (`dense_1_input`).
    const first = this.#layers[0] instanceof InputLayer ? this.#layers[0] : new InputLayer({ inputShape: showShape(shape), name: this.inputNames[0] });
    const x = new SymbolicTensor(first, [], shape);
    setInputOwner(x, this);
    const h = makingChain(() => this.#children().reduce((v, l) => applySymbolic(l, v), x));
    this.#chain = { inputs: [x], outputs: [h] };
    return this.#chain;
  }
  /** A sequential model's symbolic chain, once asked for (see {@link Sequential.inputs}). */
  #chain: { inputs: SymbolicTensor[]; outputs: SymbolicTensor[] } | null = null;

  /**
   * The names of the model's inputs (TF.js `model.inputNames`), the keys of `fit`'s and
   * `evaluate`'s `x` given as an object: a graph model's input layers; for a sequential model its
   * input layer's name, or TF.js's name for the input it makes, `<first layer>_input` (a nested
   * first model's own input name). TF.js lists them once the model is built; these are known before.
   */
  get inputNames(): string[] {
    if (this.#graph) return this.#graph.inputs.map((t) => t.sourceLayer.name);
    const first = this.#layers[0];
    if (first === undefined) return [];
    if (first instanceof InputLayer) return [first.name];
    return first instanceof Sequential ? first.inputNames : [`${first.name}_input`];
  }

  /**
   * The names of the model's outputs (TF.js `model.outputNames`): the layers (or nested models)
   * that make them; the keys of `y` given as an object, of `compile`'s losses and metrics by
   * output, and the prefixes of each output's logs (`<output>_loss`).
   */
  get outputNames(): string[] {
    if (this.#graph) return this.#graph.outputs.map((t) => t.sourceLayer.name);
    const last = this.#children().at(-1);
    return last === undefined ? [] : [last.name];
  }

  /**
   * The optimizer `compile` was given (TF.js `model.optimizer`; the one it made for a name such
   * as `'adam'`, or the one a loaded file's compile config made), `undefined` before `compile`.
   * TF.js's `getClassName()` (`'Adam'`) and `getConfig()` (neurite's option names) work on it;
   * change it by compiling again.
   */
  get optimizer(): Optimizer | undefined {
    return this.#compiled?.optimizer;
  }

  /**
   * The model's topology as TF.js's `model.toJSON(unused, returnString)` gives it: the JSON text
   * of {@link Sequential.getConfig} (`{ class_name, config, keras_version, backend }`), or with
   * `returnString` false the object itself. The first argument is unused, as in TF.js.
   * It holds no weights (unlike brain.js's `toJSON`): a model rebuilt from it starts from fresh
   * weights. To keep the trained weights, save the model (`model.save('file://…')`,
   * `'indexeddb://…'`, `toArtifacts()`), or copy them with `tidy(() => copy.setWeights(model.getWeights()))`.
   *
   * @example const fresh = await models.modelFromJSON(JSON.parse(model.toJSON())); // same layers, new weights
   */
  toJSON(unused?: unknown, returnString?: true): string;
  /**
   * {@link Sequential.toJSON} with `returnString` false: the config object (what
   * {@link Sequential.getConfig} returns).
   *
   * @example const config = model.toJSON(null, false);
   */
  toJSON(unused: unknown, returnString: false): ModelConfig;
  /** {@link Sequential.toJSON} with `returnString` a `boolean` known at run time only: either result. */
  toJSON(unused: unknown, returnString: boolean): string | ModelConfig;
  toJSON(_unused?: unknown, returnString: boolean = true): string | ModelConfig {
    const asString = boolArg('toJSON', 'returnString', returnString, true);
    const config = this.getConfig();
    return asString ? JSON.stringify(config) : config;
  }

  /**
   * Sets free-form data saved with the model (TF.js's `setUserDefinedMetadata`): a plain JSON
   * object (objects, arrays, strings, finite numbers, booleans and `null`, nested), kept by
   * reference and written to the file's `userDefinedMetadata` by `save`/`toArtifacts` (with a
   * console warning past 1 MiB as JSON, here and when saving; TF.js warns at save only). What JSON cannot hold
   * — NaN, ±Infinity, `undefined`, functions, BigInts, cycles — is an
   * {@link InvalidArgumentError} naming where it is (TF.js takes NaN and saves `null`).
   * `loadModel` restores it. The key `neurite` is
   * neurite's own there (the exact compile call and optimizer state, beside your keys): it is an
   * {@link InvalidArgumentError} here, never silently replaced. `undefined` clears it.
   *
   * @example model.setUserDefinedMetadata({ labels: ['cat', 'dog'], trainedOn: '2024-05-01' });
   */
  setUserDefinedMetadata(metadata: Record<string, unknown> | undefined): void {
    if (metadata !== undefined) checkUserDefinedMetadata('setUserDefinedMetadata', metadata, this.name, true);
    this.#userMetadata = metadata;
  }

  /**
   * The data {@link Sequential.setUserDefinedMetadata} set, or that `loadModel` read from the
   * file's `userDefinedMetadata` (without neurite's own `neurite` key); `undefined` when none,
   * as TF.js's `getUserDefinedMetadata`.
   */
  getUserDefinedMetadata(): Record<string, unknown> | undefined {
    return this.#userMetadata;
  }
  #userMetadata: Record<string, unknown> | undefined;

  /** Whether `dispose()` was called. */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /**
   * The seed of the model's random draws (weights, dropout and noise masks, shuffling): the
   * one given at construction, or the one drawn then from the global generator (see
   * {@link SequentialArgs.seed}). Once a training state is imported (`importTrainingState`,
   * or `loadModel` of a checkpoint saved with its optimizer), the state's seed, which drives
   * training from then on (a `compile` with another optimizer starts from the model's own
   * seed again).
   */
  get seed(): number {
    return this.#trainingSeed ?? this.#seed;
  }

  /** The seed of an imported training state (see {@link Sequential.seed}); `undefined` after a fresh `compile`. */
  #trainingSeed: number | undefined;

  /** @internal Records the seed of an imported training state, or forgets it (`undefined`). */
  setTrainingSeed(seed: number | undefined): void {
    this.#trainingSeed = seed;
  }

  /** @internal The seed given at construction, `undefined` when it was drawn (the config records only a given one). */
  get givenSeed(): number | undefined {
    return this.#seedGiven ? this.#seed : undefined;
  }

  /**
   * The Keras config of the model, as TF.js's `model.toJSON(null, false)` writes it:
   * `{ class_name: 'Sequential', config: { name, layers: [{ class_name: 'Dense', config: {
   * units, activation, use_bias, kernel_initializer, … } }] }, keras_version, backend }`.
   * neurite adds `seed` to the model's config when one was given (and `neurite_class: 'Autoencoder'` for an
   * autoencoder); TF.js ignores both. Layers TF.js does not have are `neurite>…` classes. The
   * first layer of the model and of each nested model gets `batch_input_shape` when the shape
   * is known (given, or from building). Does not build the model.
   */
  getConfig(): ModelConfig {
    if (this.#disposed) throw new DisposedError(`getConfig: model ${this.name} is disposed`);
    return modelConfig(modelSpec(this), this.inputDims);
  }

  /**
   * A new, unbuilt model from a Keras config (what {@link Sequential.getConfig} returns, TF.js's
   * `model.toJSON()` or a `model.json`'s `modelTopology`; the bare `{ name, layers }` form too).
   * Fresh layers, no weights: use {@link loadModel} for a model with its weights. A config saved
   * from an autoencoder (marked `neurite_class: 'Autoencoder'`) gives an {@link Autoencoder},
   * with `encode`/`decode` (`instanceof Autoencoder` tells), as `loadModel` does.
   *
   * @example const copy = Sequential.fromConfig(model.getConfig());
   */
  static fromConfig(config: ModelConfig | Record<string, unknown>): Sequential {
    const spec = specFromKeras('fromConfig', 'config', config);
    return makeModel('fromConfig', spec, modelMaker);
  }

  /**
   * The model as TF.js-format artifacts: `{ modelTopology, format: 'layers-model',
   * generatedBy, convertedBy, weightSpecs, weightData, trainingConfig?, userDefinedMetadata? }`.
   * Weights are float32 little endian, named `layerName/kernel` and ordered as TF.js's
   * `model.getWeights()`. Builds the model if needed. With `includeOptimizer: true` the
   * optimizer state is included (the model must be compiled).
   */
  toArtifacts(options?: SaveOptions): Promise<ModelArtifacts> {
    return sequentialToArtifacts(this, options);
  }

  /**
   * Saves the model (as {@link Sequential.toArtifacts}) through a storage handler: a URL such as
   * `file://path`, `indexeddb://name` (a string, or a `URL` object such as
   * `url.pathToFileURL(path)`, whose `href` is read), or an object with `save(artifacts)`. Resolves to TF.js's
   * `SaveResult` (`{ modelArtifactsInfo: { dateSaved, modelTopologyType: 'JSON', … } }`).
   *
   * @example await model.save({ save: async (a) => { stored = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; } });
   */
  save(target: string | WebURL | IOHandler, options?: SaveOptions): Promise<SaveResult> {
    return saveWith('save', target, () => sequentialToArtifacts(this, options, 'save'));
  }

  /**
   * Frees the model's own state (optimizer state, sample order) and drops its references to
   * its layers. Weights are freed with the last model holding them: disposing a model nested
   * in a live model (or a model sharing layers with one) leaves those weights to the other
   * model. A model made by `loadModel`, `loadLayersModel` or `fromConfig` also disposes the
   * models nested in it (the library made them, so nobody else would): keep using one of them
   * (`ae.encoder`) only while the loaded model is live.
   *
   * Returns TF.js's `DisposeResult` ({@link DisposeResult}): how many live models still hold
   * this one, and how many weights this call freed. Idempotent: a second call frees nothing and
   * returns `{ refCountAfterDispose: 0, numDisposedVariables: 0 }` (TF.js throws).
   *
   * @example
   * const { numDisposedVariables } = model.dispose(); // 4 for a dense 5-8-2 network
   */
  dispose(): DisposeResult {
    if (this.#disposed) return { refCountAfterDispose: 0, numDisposedVariables: 0 };
    this.#disposed = true;
    const h = this.#handle;
    this.#handle = 0;
    untrack(this, this.#tracked);
    if (this.#ref) {
      liveModels.delete(this.#ref);
      this.#ref.clear();
    }
    this.#ref = undefined;
    this.#compiled?.optimizer.forget(this);
    for (const x of [...(this.#graph?.inputs ?? []), ...(this.#chain?.inputs ?? [])]) forgetInputOwner(x, this);
    // A disposed model nested in a live one still leads its layers to their weights there;
    // otherwise it leaves its children's sets.
    if (Sequential.#locate(this) === null) this.#prune();
    const result: DisposeResult = { refCountAfterDispose: 0, numDisposedVariables: 0 };
    if (h !== 0 && this.#owner === instanceId()) {
      call((e) => check(e.nr_model_free(h, outPtr(0))));
      result.numDisposedVariables = readOut(0);
      result.refCountAfterDispose = readOut(1);
    }
    const owned = this.#owned;
    this.#owned = [];
    // Their weights were not freed above (their own handles held them): they go now.
    for (const m of owned) result.numDisposedVariables += m.dispose().numDisposedVariables;
    // A layer of this model applied to a tensor (its feature maps looked at) runs in a hidden
    // model that holds its weights too: with no other model of the user's holding the layer,
    // that goes with this one, as the layer's weights would in TF.js (it was left to the GC).
    if (!eagerHolders.has(this)) {
      for (const l of this.#layers) {
        if (!(l instanceof Layer)) continue;
        const others = [...(holders.get(l) ?? [])].some((m) => m !== this && !m.#disposed && !eagerHolders.has(m));
        if (!others) disposeEager(l, `with its model ${this.name}: model.dispose()`);
      }
    }
    return result;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * Takes this disposed model, which no live model holds, out of its children's holder and
   * parent sets (a child left in none leaves the maps), and so on down through nested models
   * that were disposed while this one held them.
   */
  #prune(): void {
    for (const ch of this.#children()) {
      for (const map of [parentsOf, holders]) {
        const set = map.get(ch);
        if (set?.delete(this) && set.size === 0) map.delete(ch);
      }
      if (ch instanceof Sequential && ch.#disposed && !parentsOf.has(ch)) ch.#prune();
    }
  }
}

/**
 * How many values the core writes for a training step or an evaluation: `[loss, ...metrics,
 * kl, regularization, ...outputLosses]` (`nr_model_train_batch`).
 */
function resultWidth(info: CompiledInfo): number {
  const weighted = (info.heads ?? [info]).map((o) => o.weightedNames?.length ?? 0).filter((n) => n > 0);
  return 3 + info.metricNames.length + (info.heads ?? []).reduce((a, o) => a + 1 + o.metricNames.length, 0) + weighted.reduce((a, n) => a + n + 1, 0);
}

function scalarOf(v: number): Tensor {
  return call((e) => {
    check(e.nr_tensor_new(argPtr(), 0, outPtr(0), outPtr(1)));
    const t = new Tensor(readOut(0), []);
    new Float32Array(e.memory.buffer, readOut(1), 1)[0] = v;
    return t;
  });
}

/** Writes f32 values into the scratch argument area. */
export function writeF32(values: readonly number[]): number {
  return writeArgs('params', f32Bits(values));
}

/** @internal */
export function batchSizeOf(op: string, bs: unknown): number {
  if (typeof bs !== 'number' || !Number.isInteger(bs) || bs < 1 || bs > 2 ** 31) {
    throw new InvalidArgumentError(`${op}: batchSize must be a positive integer, got ${describe(bs)}`);
  }
  return bs;
}

refuseRename(Sequential.prototype, 'model', "give it when making the model (sequential({ name: 'm2', layers })), or copy it under new names, its own and its layers', from its config (the recipe is in model.name's documentation)");

/**
 * The class of a graph model (`model({ inputs, outputs })`, or one loaded or made from a
 * `class_name: 'Model'` config), as TF.js's `tf.LayersModel`: its `className` is `'Model'` (what
 * `getClassName()` gives and the saved `class_name`). Every model is an instance of it
 * (`sequential() instanceof LayersModel`, as TF.js's `Sequential` extends `LayersModel`); unlike
 * TF.js, a graph model is also a {@link Sequential} (the class holding neurite's model API).
 *
 * @example model({ inputs: x, outputs: y }).constructor.className // 'Model'
 */
export class LayersModel extends Sequential {
  /** TF.js's class name of a graph model, `'Model'` (TF.js's `LayersModel.className`). */
  static override readonly className: string = 'Model';
  /** Every model is a `LayersModel`, as in TF.js (where `Sequential` extends it). */
  static override [Symbol.hasInstance](v: unknown): boolean {
    return v instanceof Sequential;
  }
}

/** Creates a sequential model (as `tf.sequential`). */
export function sequential(args: SequentialArgs = {}): Sequential {
  return new Sequential(args);
}

/**
 * A new, unbuilt model from a Keras config: {@link Sequential.fromConfig}.
 *
 * @example const copy = sequential.fromConfig(model.getConfig());
 */
sequential.fromConfig = (config: ModelConfig | Record<string, unknown>): Sequential => Sequential.fromConfig(config);


/**
 * @internal The per-sample output shape of a new layer of `layer`'s configuration given inputs
 * of per-sample `shapes` (`nr_layer_output_shape`: the shape checks of its build); with `was`,
 * of one built for inputs `was` first (`nr_layer_refit_shape`: the core's error when its
 * weights do not fit `shapes`).
 */
export function layerShape(layer: Layer, shapes: readonly (readonly number[])[], was?: readonly (readonly number[])[]): number[] {
  const kind = LAYER_KINDS.indexOf(layer.kind as (typeof LAYER_KINDS)[number]);
  const p = f32Bits(layer.abiParams());
  const words = [...(was ?? []), ...shapes].flatMap((x) => [x.length, ...x]);
  return call((e) => {
    const base = argPtr();
    writeArgs('apply', [...p, ...words]);
    const shape = was === undefined ? e.nr_layer_output_shape : e.nr_layer_refit_shape;
    check(shape(kind, base, p.length, shapes.length, base + 4 * p.length, words.length, base));
    const w = readArgs(33);
    return Array.from(w.subarray(1, 1 + w[0]));
  });
}
