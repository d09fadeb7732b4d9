/**
 * The base of every layer. A layer here is a configuration: its weights live in the model's
 * WebAssembly memory once the model is built. Mirrors `crates/core/src/layers/`.
 */
import { nextId, nextName, sawName } from '../names.js';
import { DisposedError, inOp, InvalidArgumentError } from '../errors.js';
import { boolArg, describe, dtypeArg, intArg, MAX_ELEMENTS, show } from '../ops/convert.js';
import { checkArgs, optionKeys, unknownOption } from '../options.js';
import type { Tensor } from '../tensor.js';
import { numWeights, readWeights, weightSpecs, writeWeights, type WeightsAt, type WeightValues } from '../models/weights.js';
import { LayerVariable, type VariableOwner } from './variable.js';
import { applySymbolic, isSymbolic, readersOf, useOf, usesOf, usesSoFar, type SymbolicTensor } from '../models/symbolic.js';
import { brand } from '../brand.js';
import { displayAs } from '../display.js';
import { CONSTRAINT_OPTIONS, constraintOf, type Constraint, type ConstraintOption } from '../constraints.js';

(Symbol as { dispose?: symbol }).dispose ??= Symbol.for('Symbol.dispose');

/**
 * The layout of each constrained weight whose rank the layer's options fix (`[rank, layout]`),
 * to check a constraint's axis when the layer is made; PReLU's alpha (its rank is the input's)
 * is checked when the layer is built, by the core.
 */
const WEIGHT_LAYOUT: Readonly<Record<string, readonly [number, string]>> = {
  'dense.kernelConstraint': [2, '[inputSize, units]'],
  'conv2d.kernelConstraint': [4, '[kernelHeight, kernelWidth, inChannels, filters]'],
  'conv2dTranspose.kernelConstraint': [4, '[kernelHeight, kernelWidth, filters, inChannels]'],
  'conv1d.kernelConstraint': [3, '[kernelSize, inChannels, filters]'],
  'conv1dTranspose.kernelConstraint': [3, '[kernelSize, filters, inChannels]'],
  'depthwiseConv2d.depthwiseConstraint': [4, '[kernelHeight, kernelWidth, inChannels, depthMultiplier]'],
  'separableConv2d.depthwiseConstraint': [4, '[kernelHeight, kernelWidth, inChannels, depthMultiplier]'],
  'separableConv2d.pointwiseConstraint': [4, '[1, 1, inChannels·depthMultiplier, filters]'],
};

/** The option that removes the weight a constraint option names (`useBias: false` has no bias). */
const WEIGHT_SWITCH: Readonly<Partial<Record<ConstraintOption, string>>> = { biasConstraint: 'useBias', betaConstraint: 'center', gammaConstraint: 'scale' };

/** @internal The keys of {@link LayerArgs}: the options every layer reads. */
export const LAYER_ARG_KEYS = ['name', 'trainable', 'inputShape', 'batchInputShape', 'dtype'] as const;

/**
 * TF.js options neurite does not implement, each with the reason: a layer that lists one among
 * its keys accepts it as `null` or `undefined` (TF.js's defaults) and refuses anything else.
 */
const NOT_IMPLEMENTED: Readonly<Record<string, string>> = {
  embeddingsConstraint: 'an embedding layer takes no constraint yet (the other layers\' *Constraint options do)',
  noiseShape: 'neurite drops each value independently (no mask shared along an axis)',
};

/** Options every layer accepts (Keras/TF.js names). */
export interface LayerArgs {
  /** A unique name; generated (`dense_1`, ...) if omitted. */
  name?: string | undefined;
  /** `false` freezes the layer's weights during training. Default `true`. */
  trainable?: boolean | undefined;
  /**
   * Per-sample input shape (without the batch dimension); only needed on the first layer. `null` is a size not known in advance: `[null]` for sequences of ids of any length, `[null, 8]` for sequences of 8 channels; each call then takes its own length.
   * Given with `batchInputShape`, the two must agree (`inputShape: [3]` with `batchInputShape:
   * [8, 3]` is a batch of 8); when they disagree it is an error naming both (TF.js and Keras
   * silently use `batchInputShape`).
   */
  inputShape?: Array<number | null> | undefined;
  /** Input shape with the batch dimension first (`null` or any number for the batch). Given with `inputShape`, it must agree with it (see there). */
  batchInputShape?: Array<number | null> | undefined;
  /** Only `'float32'`, the one dtype (TF.js's option; anything else is an error). */
  dtype?: 'float32' | undefined;
}

/** The most units a dense or rbf layer may have: 2^24 − 1. */
export const MAX_UNITS = 2 ** 24 - 1;

/**
 * @internal How a layer finds its weights, set by `Sequential` (which knows the models holding
 * each layer): `at` gives a live model holding the layer and the child-index path to it, or
 * `null`; `built` says whether a model holding it was ever built.
 */
export interface Locator {
  at(layer: Layer): WeightsAt | null;
  built(layer: Layer): boolean;
  /** A frozen model (`trainable = false`) holding `layer` directly, or `null`. */
  frozenBy(layer: Layer): { readonly name: string } | null;
  /**
   * Why `layer`, once built for per-sample inputs `was`, cannot take `shapes` (its weights do not
   * fit them: the core's rule, asked of a new layer of the same configuration), or `null`.
   */
  refits(layer: Layer, was: readonly (readonly number[])[], shapes: readonly (readonly number[])[]): string | null;
  /** The per-sample input shapes `layer` was built for in a live model (a merge layer's list) and that model's name, or `null`. */
  inputs(layer: Layer): { shapes: number[][]; model: string; pending?: true; output?: number[] } | null;
  /** Builds the one unbuilt model holding `layer` whose input shape is known (as TF.js builds a model whose first layer has an input shape when it is made). */
  buildHolder(layer: Layer): void;
}
let locator: Locator = { at: () => null, built: () => false, frozenBy: () => null, refits: () => null, inputs: () => null, buildHolder: () => {} };

/** @internal Set by `Sequential`. */
export function setLocator(l: Locator): void {
  locator = l;
}

/**
 * @internal A layer's `apply` on a tensor and its `dispose`, set by `Sequential`
 * (`models/eager.ts`: the layer runs in a hidden model holding it).
 */
export interface EagerRunner {
  /** Whether `v` is a tensor (or a list of them): `apply` then runs the layer on it. */
  takes(v: unknown): boolean;
  apply(layer: Layer, x: unknown, kwargs: unknown): Tensor;
  dispose(layer: Layer): void;
}
let eager: EagerRunner | null = null;

/** @internal Set by `Sequential`. */
export function setEagerRunner(r: EagerRunner): void {
  eager = r;
}

/** What `layer.getConfig()` returns, given the per-sample input shape the layer was built for (if any). */
type ConfigWriter = (layer: Layer, input: number[] | undefined) => Record<string, unknown>;
let configWriter: ConfigWriter | null = null;

/** @internal Set by `io/topology.ts`, which writes a saved model's layer configs. */
export function setConfigWriter(w: ConfigWriter): void {
  configWriter = w;
}

/** @internal Where `layer`'s weights live, or `null` when no live model holds it. */
export function locate(layer: Layer): WeightsAt | null {
  return locator.at(layer);
}

/**
 * @internal Refuses to give `layer` per-sample inputs `shapes` (one, or a merge layer's list)
 * that its weights do not fit: those are made for the shapes it was built for in a live model,
 * else those of its first `apply`. As TF.js, a layer takes any other shape where its weights
 * fit (a convolution other image sizes, a dense layer `[t, d]` at another `t`, an embedding
 * other lengths, a weightless layer anything), so a dense layer built for `[3]` and added where
 * `[7]` arrives fails here, as in TF.js, not at the first `predict`.
 */
export function checkBoundInputs(op: string, layer: Layer, shapes: readonly (readonly number[])[], declared = false): void {
  const built = locator.inputs(layer);
  const use = built ? undefined : usesSoFar(layer)[0];
  // `declared`: a layer neither built nor applied yet gets its weights for its inputShape (in a
  // sequential model) or for this input (Keras 3 ignores input_shape outside one): either fits.
  const shape = declared && !use ? layer.inputDims : undefined;
  const was = built ? built.shapes : use ? use.inputs.map((x) => x.sampleShape) : shape && [shape];
  if (was === undefined || show(was) === show(shapes)) return;
  const why = locator.refits(layer, was, shapes);
  if (why === null) return;
  const one = was.length === 1 && shapes.length === 1;
  const s = one ? '' : 's';
  const where = built === null ? (use ? 'was first applied to' : 'was declared (inputShape) with') : built.pending ? `is in model ${built.model}, where it gets` : `was built (in model ${built.model}) for`;
  const how = `${where} per-sample input shape${s} ${show(one ? was[0] : was)}`;
  throw new InvalidArgumentError(`${op}: layer ${layer.name} (${layer.kind}) ${how}, but here it receives ${show(one ? shapes[0] : shapes)}: ${why}`);
}

/** Layer kind ids of the C ABI: Rust `neurite_core::layers::LAYER_KINDS`, compared name by name by `test/codes.test.ts`. */
export const LAYER_KINDS = [
  'dense', 'activation', 'prelu', 'dropout', 'gaussianNoise',
  'batchNormalization', 'layerNormalization', 'flatten', 'reshape', 'rbf',
  'saltAndPepper', 'variational', 'conv2d', 'maxPooling2d', 'averagePooling2d',
  'globalMaxPooling2d', 'globalAveragePooling2d', 'upSampling2d', 'conv2dTranspose',
  'zeroPadding2d', 'cropping2d', 'add', 'subtract', 'multiply', 'average', 'maximum',
  'minimum', 'concatenate', 'conv1d', 'maxPooling1d', 'averagePooling1d', 'globalMaxPooling1d',
  'globalAveragePooling1d', 'depthwiseConv2d', 'separableConv2d', 'embedding', 'repeatVector',
  'permute', 'rescaling', 'dot', 'thresholdedReLU', 'gaussianDropout', 'alphaDropout',
  'spatialDropout1d', 'normalization', 'masking', 'conv1dTranspose', 'upSampling1d', 'zeroPadding1d',
  'cropping1d',
] as const;
export type LayerKind = (typeof LAYER_KINDS)[number];

/**
 * @internal TF.js's class name of each layer kind (`getClassName()`, `summary()`'s type column,
 * and the saved `class_name`, where the layers only neurite has get the `neurite>` prefix).
 */
export const CLASS_NAMES: Readonly<Record<LayerKind | 'input', string>> = {
  dense: 'Dense', activation: 'Activation', prelu: 'PReLU', dropout: 'Dropout', gaussianNoise: 'GaussianNoise',
  batchNormalization: 'BatchNormalization', layerNormalization: 'LayerNormalization', flatten: 'Flatten', reshape: 'Reshape',
  rbf: 'RBF', saltAndPepper: 'SaltAndPepper', variational: 'Variational', input: 'InputLayer',
  conv2d: 'Conv2D', maxPooling2d: 'MaxPooling2D', averagePooling2d: 'AveragePooling2D', globalMaxPooling2d: 'GlobalMaxPooling2D',
  globalAveragePooling2d: 'GlobalAveragePooling2D', upSampling2d: 'UpSampling2D', conv2dTranspose: 'Conv2DTranspose',
  zeroPadding2d: 'ZeroPadding2D', cropping2d: 'Cropping2D', depthwiseConv2d: 'DepthwiseConv2D', separableConv2d: 'SeparableConv2D',
  conv1d: 'Conv1D', maxPooling1d: 'MaxPooling1D', averagePooling1d: 'AveragePooling1D', globalMaxPooling1d: 'GlobalMaxPooling1D', globalAveragePooling1d: 'GlobalAveragePooling1D',
  embedding: 'Embedding', repeatVector: 'RepeatVector', permute: 'Permute', rescaling: 'Rescaling',
  thresholdedReLU: 'ThresholdedReLU', gaussianDropout: 'GaussianDropout', alphaDropout: 'AlphaDropout', spatialDropout1d: 'SpatialDropout1D', dot: 'Dot', normalization: 'Normalization', masking: 'Masking',
  conv1dTranspose: 'Conv1DTranspose', upSampling1d: 'UpSampling1D', zeroPadding1d: 'ZeroPadding1D', cropping1d: 'Cropping1D',
  add: 'Add', subtract: 'Subtract', multiply: 'Multiply', average: 'Average', maximum: 'Maximum', minimum: 'Minimum', concatenate: 'Concatenate',
};

/** The option that Keras's positional first argument of a layer sets (`Dense(4)` → `units`). */
const POSITIONAL: Readonly<Partial<Record<LayerKind, string>>> = {
  dense: 'units', conv1d: 'filters', conv2d: 'filters', conv1dTranspose: 'filters', conv2dTranspose: 'filters', separableConv2d: 'filters',
  dropout: 'rate', spatialDropout1d: 'rate', gaussianDropout: 'rate', alphaDropout: 'rate', gaussianNoise: 'stddev',
  activation: 'activation', reshape: 'targetShape', permute: 'dims', repeatVector: 'n', embedding: 'inputDim',
};

/**
 * The base of every layer (TF.js `tf.layers.Layer`): a name, a kind and options; its weights
 * live in the models holding it (a layer may sit in several: one set of weights). Make layers
 * with the `layers.*` factories, put them in models with {@link sequential} or `apply` them
 * for {@link model}.
 */
export abstract class Layer {
  static {
    brand(this);
    // Keras 3's repr (`<Dense name=dense, built=True>`), not the private fields.
    displayAs(this, (l) => `<${l.getClassName()} name=${l.name} trainable=${l.trainable}>`);
  }

  /**
   * A number no other layer or model of this program has (TF.js's \`layer.id\`). An own
   * property, as TF.js's: two layers are never deep-equal (\`toEqual\`, \`assert.deepStrictEqual\`)
   * unless they are one object (every model was deep-equal to every other).
   */
  readonly id: number = nextId();

  /** @internal The layer type (`dense`, `dropout`, ...). */
  abstract readonly kind: LayerKind | 'input';
  /**
   * A unique name, given or generated (`dense_1`, ...); `model.getLayer(name)` finds it. Fixed
   * when the layer is made: its weights are named by it and models check it when they take the
   * layer, so assigning one is an error (TF.js's field takes it and leaves both behind).
   */
  get name(): string {
    return this.#name;
  }
  #name: string;
  /**
   * Whether training updates this layer's weights: `true` or `false` (anything else is an
   * error). Read when `fit`, `trainOnBatch` or a gradient starts; a change during `fit` (in a
   * callback) takes effect at the next one, with a warning.
   */
  get trainable(): boolean {
    return this.#trainable;
  }
  set trainable(on: boolean) {
    this.#trainable = trainableArg('layer', this.name, on);
  }
  #trainable = true;
  /** @internal The per-sample input shape, if given, with 0 for an unknown (`null`) size. */
  readonly inputDims?: number[];
  /** The batch size `batchInputShape` gave (`null` when not given). */
  readonly #batch: number | null = null;
  /** Always `'float32'`, the only dtype. */
  readonly dtype = 'float32' as const;

  /**
   * The input shape declared with the `inputShape` or `batchInputShape` option, batch
   * dimension first (TF.js `layer.batchInputShape`): `[null, 4]` for `inputShape: [4]`,
   * `[8, 4]` for `batchInputShape: [8, 4]`; `undefined` when neither was given.
   *
   * @example layers.dense({ units: 2, inputShape: [4] }).batchInputShape // [null, 4]
   */
  get batchInputShape(): Shape | undefined {
    return this.inputDims && [this.#batch, ...showShape(this.inputDims)];
  }

  /**
   * The input shape, batch dimension first as TF.js shows shapes (`[null, 4]`; `null` also
   * for a size not known in advance, `[null, null]` for sequences of any length) — Keras's
   * `layer.input_shape`. TF.js 4.22 has no `layer.inputShape` (it is `undefined` there; its
   * `batchInputShape` is {@link Layer.batchInputShape}). The declared shape if the layer has
   * one (`batchInputShape`), else the shape it reads where it is connected: in a graph, or in
   * a sequential model whose input shape is known. A merge layer gives a list of shapes
   * (`[[null, 2], [null, 3]]`). `undefined` while the layer is not connected; an error naming
   * the shapes when it was applied to inputs of different shapes (use `getInputAt(i)`).
   *
   * @example
   * const m = sequential({ layers: [layers.dense({ units: 3, inputShape: [4] }), layers.dense({ units: 2 })] });
   * m.layers[1].inputShape // [null, 3]
   */
  get inputShape(): Shape | Shape[] | undefined {
    const declared = this.batchInputShape;
    // Unless it was also applied to inputs of another shape (a pretrained trunk on larger images).
    if (declared && usesSoFar(this).every((u) => u.inputs.length !== 1 || show(u.inputs[0].sampleShape) === show(this.inputDims))) return declared;
    const nodes = this.#nodeShapes();
    if (nodes.length === 0) return undefined;
    const shapes = distinct('inputShape', this, 'input', nodes.map((n) => n.inputShapes), 'getInputAt');
    return shapes.length === 1 ? shapes[0] : shapes;
  }

  /**
   * The output shape, batch dimension first (TF.js `layer.outputShape`: `[null, 3]`), from
   * where the layer is connected: in a graph (`apply`), or in a sequential model whose input
   * shape is known. A layer applied several times gives the one shape its uses share. An
   * error naming the layer when it is not connected yet (TF.js: "has never been called"), or
   * when its uses have different output shapes (use `getOutputAt(i).shape`).
   *
   * @example
   * const m = sequential({ layers: [layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 })] });
   * m.layers[0].outputShape // [null, 6, 6, 2]
   */
  get outputShape(): Shape {
    const nodes = this.#nodeShapes();
    if (nodes.length === 0) {
      throw new InvalidArgumentError(`outputShape: layer ${this.name} (${this.kind}) is not connected yet, so it has no output shape: apply it to a symbolic tensor (layer.apply(x)), or put it in a model whose input shape is known`);
    }
    return distinct('outputShape', this, 'output', nodes.map((n) => n.outputShapes[0]), 'getOutputAt');
  }

  /**
   * Each time the layer was connected (TF.js `layer.inboundNodes`): in a graph, or in a
   * sequential model whose input shape is known (connecting it there, as `layer.output` does).
   * Each node lists the layers it reads (`inboundLayers`), the symbolic tensors read and made
   * (`inputTensors`, `outputTensors`) and their shapes (`inputShapes`, `outputShapes`: lists
   * of shapes, batch dimension first). An input layer has one node, reading nothing. `[]`
   * while the layer is not connected.
   */
  get inboundNodes(): LayerNode[] {
    return this.#nodeShapes();
  }

  /**
   * Each time another layer (or model) read this layer's output (TF.js `layer.outboundNodes`):
   * that layer's node, as its {@link Layer.inboundNodes} lists it, once per input that reads
   * this layer (twice for `add([x, x])`), in the order they were applied. A layer in a
   * sequential model whose input shape is known is connected there, as for `inboundNodes`;
   * `[]` when nothing reads it (a model's output layer) or while it is not connected.
   */
  get outboundNodes(): LayerNode[] {
    return readersOf(this).map(nodeOf);
  }

  /**
   * Whether the layer's weights exist (TF.js `layer.built`): once a model holding it is
   * built. Asking builds the model that holds it if that model knows its input shape (TF.js
   * builds such a model when it is made), as {@link Layer.weights} does. An input layer is
   * always built.
   */
  get built(): boolean {
    if (this.kind === 'input' || this.builtOnce) return true;
    locator.buildHolder(this);
    return this.builtOnce;
  }

  /** The nodes of {@link Layer.inboundNodes}: the symbolic uses, else the live model the layer was built in. */
  #nodeShapes(): LayerNode[] {
    const uses = usesOf(this);
    if (uses.length > 0) return uses.map(nodeOf);
    // Not connected symbolically (e.g. in several sequential models): where it was built, or
    // in the first model holding it that knows its input shape, built now (as `weights` does).
    if (this.kind === 'input') return [];
    let built = locator.inputs(this);
    if (!built?.output) {
      locator.buildHolder(this);
      built = locator.inputs(this);
    }
    if (!built?.output) return [];
    const batch = (x: readonly number[]): Shape => [null, ...showShape(x)];
    return [{ inboundLayers: [], inputTensors: [], outputTensors: [], inputShapes: built.shapes.map(batch), outputShapes: [batch(built.output)] }];
  }
  /** @internal Whether a model holding this layer was ever built (set by `Sequential`). */
  builtOnce = false;
  /** @internal The model whose `pop()` freed this layer's weights, holding it last (set by `Sequential`), or null. */
  poppedFrom: string | null = null;

  /** @internal Called by `Sequential` once a model that made this layer's weights is built (normalization writes its statistics). */
  afterBuild(): void {}

  /**
   * @param keys the options this layer reads beyond {@link LayerArgs}; any other key is an
   *   error suggesting the nearest known one (`activaton` → "did you mean 'activation'?").
   */
  protected constructor(kind: string, args: LayerArgs = {}, keys: readonly string[] = []) {
    refuseCustomClass(new.target, kind);
    if (args === null || typeof args !== 'object' || Array.isArray(args)) {
      // Keras's positional first argument (Dense(4), Dropout(0.5)) is an option in TF.js's form.
      const first = POSITIONAL[kind as LayerKind];
      const fits = Array.isArray(args) ? first === 'targetShape' || first === 'dims' : args !== null && typeof args !== 'function';
      const value = typeof args === 'string' || Array.isArray(args) ? JSON.stringify(args) : String(args);
      const hint = first !== undefined && fits ? `; Keras's first argument is the ${first} option here: layers.${kind}({ ${first}: ${value} })` : '';
      throw new InvalidArgumentError(`${kind}: expected an options object, got ${describe(args)}${hint}`);
    }
    const known = [...keys, ...LAYER_ARG_KEYS];
    // optionKeys: a plain object's own keys (an inherited one, from a modified Object.prototype,
    // is an error rather than an option nobody passed).
    for (const k of optionKeys(kind, args)) {
      const v = (args as Record<string, unknown>)[k];
      // TF.js seeds random layers one by one; here the model does (dropout keeps TF.js's seed for saving).
      if (k === 'seed' && !known.includes(k)) throw new InvalidArgumentError(`${kind}: there is no per-layer seed; a model's random draws (initial weights, dropout and noise masks) come from its seed: sequential({ seed, layers }), or an initializer's own (initializers.glorotUniform({ seed }))`);
      if (!known.includes(k)) throw unknownOption(kind, k, known);
      if (Object.hasOwn(NOT_IMPLEMENTED, k) && v !== undefined && v !== null) {
        const why = kind === 'spatialDropout1d' && k === 'noiseShape' ? 'its noise shape is always [batch, 1, channels] (one draw per sample and channel, shared by the steps)' : NOT_IMPLEMENTED[k];
        throw new InvalidArgumentError(`${kind}: ${k} must be null or absent: ${why}, got ${show(v)}`);
      }
    }
    if (args.dtype !== undefined) dtypeArg(kind, args.dtype);
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name === '')) {
      throw new InvalidArgumentError(`${kind}: name must be a non-empty string, got ${describe(args.name)}`);
    }
    const trainable = boolArg(kind, 'trainable', args.trainable, true);
    let shape: number[] | undefined;
    if (args.inputShape !== undefined && args.inputShape !== null) {
      shape = sampleShape(kind, 'inputShape', args.inputShape);
    }
    if (args.batchInputShape !== undefined && args.batchInputShape !== null) {
      const b = args.batchInputShape as unknown;
      if (!Array.isArray(b) || b.length < 1) {
        throw new InvalidArgumentError(`${kind}: batchInputShape must be an array [batch, ...inputShape] (batch null or a positive integer), got ${show(b)}`);
      }
      if (b[0] !== null) intArg(kind, 'batchInputShape[0]', b[0], 1, MAX_ELEMENTS);
      const dims = sampleShape(kind, 'batchInputShape', b.slice(1), 1);
      // Both given: they must say the same (TF.js and Keras silently take batchInputShape, so
      // `{ ...layer.getConfig(), inputShape }` kept the old shape there).
      if (shape !== undefined && show(shape) !== show(dims)) {
        throw new InvalidArgumentError(`${kind}: inputShape ${show(args.inputShape)} and batchInputShape ${show(b)} disagree (batchInputShape is [batch, ...inputShape]); give one of them (TF.js would silently use batchInputShape)`);
      }
      shape = dims;
      this.#batch = b[0] as number | null;
    }
    // A layer class of its own on a shared kind (leakyReLU on activation) names by its own prefix.
    const prefix = (new.target as unknown as { namePrefix?: string }).namePrefix ?? kind;
    // Only a layer without a given name takes a number; a given name of the generated form
    // (a loaded model's) moves its counter past it (see sawName).
    if (args.name !== undefined && args.name !== null) sawName(this.#name = args.name);
    else this.#name = nextName(prefix);
    this.#trainable = trainable;
    if (shape !== undefined) this.inputDims = shape;
    for (const k of CONSTRAINT_OPTIONS) {
      const c = keys.includes(k) ? constraintOf(`${kind} ${this.name}`, k, (args as Record<string, unknown>)[k]) : null;
      if (c === null) continue;
      const off = WEIGHT_SWITCH[k];
      if (off !== undefined && (args as Record<string, unknown>)[off] === false) {
        throw new InvalidArgumentError(`${kind} ${this.name}: ${k} is set but ${off} is false, so the layer has no ${k.replace('Constraint', '')} weight to constrain (TF.js ignores it); remove one of the two`);
      }
      const layout = WEIGHT_LAYOUT[`${kind}.${k}`] ?? (off !== undefined ? ([1, 'one value per unit or channel'] as const) : undefined);
      const axis = c.config.axis;
      if (layout && axis !== undefined) {
        const [rank, form] = layout;
        const bad = (typeof axis === 'number' ? [axis] : axis).find((a) => a < -rank || a >= rank);
        if (bad !== undefined) throw new InvalidArgumentError(`${kind} ${this.name}: ${k} (${c.name}): axis ${bad} is out of range for the ${k.replace('Constraint', '')} weight, of rank ${rank} (${form}): axes ${-rank} to ${rank - 1}`);
      }
      this.#constraints.push([k, c]);
    }
    const layer = this;
    this.#owner = {
      name: this.name,
      // As TF.js and Keras, where freezing a model freezes its layers' variables: a layer in a
      // frozen model is frozen in every model that shares it, and in variableGrads' lists.
      get trainable() {
        return layer.trainable && locator.frozenBy(layer) === null;
      },
      where: () => locate(layer),
    };
  }

  /**
   * On a tensor `[batch, ...]` (TF.js's and Keras's eager call): runs the layer on it and
   * returns the output, as `dense.apply(x)` does in TF.js. The first call builds the layer for
   * `x`'s per-sample shape (initialized from its initializers, seeded as a model's layer is)
   * in a hidden model that holds it, where its weights live (`getWeights()`, `weights` and
   * `setWeights` then work); the same bits as the layer in a model of its own, and
   * differentiable: inside `grad`, `variableGrads` or `optimizer.minimize` the gradients reach
   * `x` and the layer's weights (which `layer.weights` lists). The layer stays shareable: put
   * in a model later it keeps its weights (and the input shape they were made for). Another
   * per-sample shape works where the weights fit it (a dense layer's last axis). `{ training:
   * true }` runs dropout, noise and batch normalization as in `fit`. `layer.dispose()` frees
   * the hidden model (it counts in `memory().numModels` until then). A merge layer takes a
   * list of tensors, `layers.add().apply([a, b])`, as in TF.js (a hidden graph model of one
   * input per tensor, made again for other per-sample shapes).
   *
   * On symbolic tensors (from {@link input} or other layers' `apply`): places the layer in a
   * graph model (`model({ inputs, outputs })`): a merge layer takes a list (`add.apply([a, b])`),
   * every other layer one. Checks the shapes as the layer's build does and returns the output
   * as a symbolic tensor.
   *
   * `{ training: false }` (Keras's `layer(x, training=False)`; TF.js ignores it) runs this use
   * with inference behaviour everywhere, `fit`, `trainOnBatch` and a custom loop's
   * `model.apply(x, { training: true })` included: no dropout or noise, batch normalization
   * with its moving statistics (left as they are), a variational layer's mean; gradients
   * still flow through it to its input and its trainable weights. As in Keras, loss terms
   * still count in `fit`: an activity regularizer's penalty and a variational layer's KL (of
   * its mean and log-variance) are added to the loss with their gradients. A layer's uses in
   * one model run as one batch, so they must all give the same `training`. `training: true`
   * (training behaviour in `predict`) is refused: see `model.apply(x, { training: true })`.
   *
   * @example
   * const dense = layers.dense({ units: 2 });
   * const y = dense.apply(tensor2d([[1, 2, 3]])); // [1, 2]; dense.getWeights() now has its kernel [3, 2] and bias
   * @example
   * const x = input({ shape: [8] });
   * const h = layers.dense({ units: 8, activation: 'relu' }).apply(x);
   * const y = layers.add().apply([x, h]); // a residual connection
   * const z = layers.dropout({ rate: 0.5 }).apply(y, { training: false }); // never active
   */
  apply(inputs: Tensor, kwargs?: { training?: boolean | undefined }): Tensor;
  /** A merge layer on a list of tensors (`layers.concatenate().apply([a, b])`): its output, run at once (see above). */
  apply(inputs: Tensor[], kwargs?: { training?: boolean | undefined }): Tensor;
  /** On symbolic tensors: the layer's node in a graph model, its output a symbolic tensor (see above). */
  apply(inputs: SymbolicTensor | SymbolicTensor[], kwargs?: { training?: boolean | undefined }): SymbolicTensor;
  /** On either, known at run time only (a block helper `(x: Tensor | SymbolicTensor) => …`, as TF.js's `apply` takes): the matching result. */
  apply(inputs: Tensor | SymbolicTensor | Tensor[] | SymbolicTensor[], kwargs?: { training?: boolean | undefined }): Tensor | SymbolicTensor;
  apply(inputs: SymbolicTensor | SymbolicTensor[] | Tensor | Tensor[], kwargs?: { training?: boolean | undefined }): SymbolicTensor | Tensor {
    checkNotCustom('apply', this);
    if (!isSymbolic(inputs) && eager?.takes(inputs)) return eager.apply(this, inputs, kwargs);
    if (!isSymbolic(inputs)) {
      throw new InvalidArgumentError(`apply: layer ${this.name} takes a tensor [batch, ...] (run at once) or symbolic tensors (from input({ shape }) or another layer's apply, to build a graph model), got ${describe(inputs)}`);
    }
    return applySymbolic(this, inputs, kwargs);
  }

  /**
   * Frees what {@link Layer.apply} on tensors made: the hidden model holding the layer, and
   * with it the layer's weights unless a model of yours holds the layer too (they live on
   * there, and so does `apply` on a tensor). Applied to a tensor again while no model holds it,
   * the layer is a `DisposedError`. Does nothing for a layer never applied to a tensor. A
   * model's layers are freed with the model: `model.dispose()` also frees the hidden model of a
   * layer of it applied to a tensor, unless another model holds the layer.
   */
  dispose(): void {
    eager?.dispose(this);
  }

  /** Same as {@link Layer.dispose}, so that `using layer = layers.dense(…)` frees what its eager `apply` made at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * The symbolic tensor this layer computes in a graph (TF.js and Keras `layer.output`), to
   * make a model of part of another one, `net` (a sequential or graph model holding the layer
   * itself): `model({ inputs: net.inputs, outputs: net.getLayer('code').output })` — the new
   * model shares the layers and their weights. For a layer inside a nested model (the encoder
   * of an `autoencoder()`), start from that model's own inputs:
   * `model({ inputs: encoder.inputs, outputs: encoder.getLayer('code').output })`. Defined once
   * the layer has been applied to a symbolic tensor (a graph model's layers are), or when it
   * sits in one sequential model whose input shape is known (its symbolic chain is made on
   * first use). An error when the layer was never applied, or was applied several times: then
   * use {@link Layer.getOutputAt}.
   *
   * @example
   * const net = sequential({ layers: [layers.dense({ inputShape: [784], units: 32, name: 'code' }), layers.dense({ units: 784 })] });
   * const encoder = model({ inputs: net.inputs, outputs: net.getLayer('code').output });
   */
  get output(): SymbolicTensor {
    return useOf('output', this);
  }

  /**
   * What this layer reads in a graph (TF.js `layer.input`): a symbolic tensor, or a list for
   * a merge layer; an input layer's is its own output. Defined as {@link Layer.output}.
   */
  get input(): SymbolicTensor | SymbolicTensor[] {
    return inputsOf(useOf('input', this));
  }

  /** The output of this layer's `i`-th application to symbolic tensors (TF.js `getOutputAt`). */
  getOutputAt(nodeIndex: number): SymbolicTensor {
    return useOf('getOutputAt', this, nodeIndex);
  }

  /** What this layer read in its `i`-th application (TF.js `getInputAt`). */
  getInputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] {
    return inputsOf(useOf('getInputAt', this, nodeIndex));
  }

  /** @internal The flat parameter list `crates/core` reads with `from_abi`. */
  abstract abiParams(): number[];

  readonly #constraints: Array<[ConstraintOption, Constraint]> = [];

  /** @internal The weight constraints given (option, constraint), set on the core's layer when a model is built. */
  get constraintList(): ReadonlyArray<readonly [ConstraintOption, Constraint]> {
    return this.#constraints;
  }

  /**
   * TF.js's class name of this layer (`'Dense'`, `'BatchNormalization'`, …), as `summary()`
   * shows it and as a saved model names it (the layers only neurite has, `'RBF'`,
   * `'SaltAndPepper'` and `'Variational'`, are saved as `neurite>RBF`, …).
   *
   * @example layers.dense({ units: 2 }).getClassName() // 'Dense'
   */
  getClassName(): string {
    return CLASS_NAMES[this.kind];
  }

  /**
   * Every option of the layer, as TF.js's `layer.getConfig()` returns it: camelCase keys,
   * defaults filled in, initializers, regularizers and constraints serialized as `{ className,
   * config }` (`{ className: 'VarianceScaling', config: { scale: 1, mode: 'fanAvg', … } }`),
   * `name`, `trainable`, and `batchInputShape` and `dtype` when the layer has an input shape. It
   * is the layer's entry of `model.getConfig()` (in that form, snake_case). The layer's factory
   * takes it back: `layers.dense(d.getConfig())` makes a layer with the same options (and, after
   * `tidy(() => copy.setWeights(d.getWeights()))` in a model, the same outputs); the type is
   * every layer's, so TypeScript takes it as one layer's options with a cast:
   * `layers.dense(d.getConfig() as unknown as DenseArgs)` (TF.js's `ConfigDict` needs one too). Where TF.js leaves an option
   * `undefined` (an embedding's `maskZero`, `inputLength`), it is `null` here.
   *
   * @example layers.dense({ units: 2, useBias: false }).getConfig() // { units: 2, activation: 'linear', useBias: false, kernelInitializer: { className: 'VarianceScaling', … }, … }
   */
  getConfig(): Record<string, unknown> {
    if (configWriter === null) throw new InvalidArgumentError(`getConfig: layer ${this.name}: the model code is not loaded`);
    const built = this.kind === 'input' ? null : locator.inputs(this);
    return configWriter(this, built?.shapes.length === 1 ? built.shapes[0] : this.inputDims);
  }

  /**
   * Where this layer's weights live, or `null` before any model holding it is built (as in
   * TF.js, an unbuilt layer has no weights); an error when every model holding it is disposed.
   */
  #weights(op: string): WeightsAt | null {
    if (this.kind === 'input') return null;
    let at = locator.at(this);
    if (!at && locator.built(this)) {
      const popped = this.poppedFrom;
      if (popped !== null) throw new DisposedError(`${op}: layer ${this.name} has no weights: model ${popped}'s pop() took it out, and as the last model holding it freed its weights with it (weights live in the models holding a layer); to keep them, copy them before pop() (layer.getWeights()) or keep another model holding the layer`);
      throw new DisposedError(`${op}: layer ${this.name} has no weights: every model holding it was disposed, and its weights with the last one`);
    }
    if (!at) {
      // In a model that knows its input shape, the weights can exist: TF.js would have made them.
      locator.buildHolder(this);
      at = locator.at(this);
    }
    return at;
  }

  /**
   * Copies of this layer's weights, in its order (a dense layer: `kernel`, `bias`; batch
   * normalization: `gamma`, `beta`, `moving_mean`, `moving_variance`), from the model(s) holding
   * it (a shared layer has one set). `trainableOnly` keeps the weights training updates, those of
   * {@link Layer.trainableWeights} (none when the layer or a model holding it is frozen; no
   * moving statistics). A layer in a model that knows its input
   * shape builds that model first (TF.js builds it when it is made); a layer in no such model
   * has none: `[]`, as in TF.js. The caller owns the tensors.
   *
   * @example
   * const [kernel, bias] = model.getLayer('hidden').getWeights();
   */
  getWeights(trainableOnly = false): Tensor[] {
    const op = 'getWeights';
    const only = boolArg(op, 'trainableOnly', trainableOnly, false);
    const at = this.#weights(op);
    // Frozen by itself or by a model holding it (its variables' owner says which): TF.js lists nothing.
    if (!at || (only && !this.#owner.trainable)) return [];
    return readWeights(op, at, (w) => !only || w.trainable);
  }

  /**
   * Overwrites this layer's weights (in every model that holds it); `weights` must match
   * `getWeights()` in count and shapes, and hold finite values unless `allowNonFinite`. Every
   * weight is checked before any is set, so a failed call changes nothing. The layer must be
   * built (in a model that was compiled, fitted, used or built). A weight may also be given as
   * its values alone in row-major order (a `Float32Array`, a `Float64Array` or an array of
   * numbers, as many as the weight has), copied straight into it, as a model's `setWeights` takes them.
   *
   * @example
   * layer.setWeights([tensor2d([[1, 0], [0, 1]]), tensor1d([0, 0])]);
   * @example
   * layer.setWeights([new Float32Array([1, 0, 0, 1]), new Float32Array([0, 0])]);
   */
  setWeights(weights: readonly WeightValues[], options?: { allowNonFinite?: boolean | undefined }): void {
    const op = 'setWeights';
    const o = checkArgs(op, options, ['allowNonFinite']);
    const allow = boolArg(op, 'allowNonFinite', o.allowNonFinite, false);
    const at = this.#weights(op);
    if (!at) {
      // As TF.js: an input layer takes its (empty) list of weights back.
      if (this.kind === 'input' && Array.isArray(weights) && weights.length === 0) return;
      if (this.kind === 'input') throw new InvalidArgumentError(`${op}: layer ${this.name} is an input layer, which has no weights, got ${describe(weights)}`);
      throw new InvalidArgumentError(`${op}: layer ${this.name} is not built yet, so it has no weights to set; build a model that holds it first (compile, fit, predict or build)`);
    }
    try {
      writeWeights(op, at, `layer ${this.name}`, weights, allow);
    } catch (err) {
      throw inOp(`${op}: layer ${this.name}`, err, op);
    }
  }

  /** The variables of {@link Layer.weights}, kept so that each weight is one object (an optimizer keys its state by it). */
  #variables: { handle: number; list: LayerVariable[] } | null = null;
  /** What this layer's variables ask of it. */
  readonly #owner: VariableOwner;

  /**
   * The layer's weights as variables (TF.js `layer.weights`), in `getWeights()` order; `[]`
   * while no model holding the layer is built or knows its input shape (asking builds such a
   * model, as {@link Layer.getWeights} does). The same objects each time: give them to
   * `variableGrads`, `optimizer.minimize` or `applyGradients` to train the layer in a custom
   * loop. Moving statistics are listed but not trainable.
   *
   * @example
   * const [kernel, bias] = model.getLayer('hidden').weights; // kernel.name === 'hidden/kernel'
   */
  get weights(): LayerVariable[] {
    const at = this.#weights('weights');
    if (!at) return [];
    const cached = this.#variables;
    // Weights keep their shapes while some model holds them: a new count or holder re-reads.
    if (cached && cached.handle === at.handle && cached.list.length === numWeights('weights', at)) return cached.list.slice();
    const owner = this.#owner;
    const list = weightSpecs('weights', at).map((w, i) => {
      const old = cached?.list[i];
      return old?.is(owner, i, w.shape) ? old : new LayerVariable(owner, i, w.name, w.shape, w.trainable);
    });
    this.#variables = { handle: at.handle, list };
    return list.slice();
  }

  /** The weights training updates: none when the layer is frozen, no moving statistics (TF.js `trainableWeights`). */
  get trainableWeights(): LayerVariable[] {
    return this.weights.filter((v) => v.trainable);
  }

  /** The weights training leaves alone: moving statistics, and every weight of a frozen layer. */
  get nonTrainableWeights(): LayerVariable[] {
    return this.weights.filter((v) => !v.trainable);
  }

  /** The number of values in this layer's weights (moving statistics included, as TF.js counts them). The layer must be built. */
  countParams(): number {
    const op = 'countParams';
    const at = this.#weights(op);
    if (!at) {
      if (this.kind === 'input') return 0;
      throw new InvalidArgumentError(`${op}: layer ${this.name} is not built yet; build a model that holds it first (compile, fit, predict or build)`);
    }
    return weightSpecs(op, at).reduce((total, w) => total + w.size, 0);
  }
}
refuseRename(Layer.prototype, 'layer', "give it when making the layer (layers.dense({ units: 4, name: 'head' })), or make another of its options under a new name (layers.dense({ ...layer.getConfig(), name: 'head2' }), new weights)");

/**
 * The methods through which Keras and TF.js run a layer (`call`, `apply`, `build`,
 * `computeOutputShape`): here the WebAssembly core runs every layer, so a subclass's own
 * version would never be called (a silent wrong result) and is refused.
 */
const RUN_METHODS = ['call', 'apply', 'build', 'computeOutputShape'] as const;

/** What to do instead of a custom layer, for the messages that refuse one. */
const CUSTOM_LAYER_HELP = 'custom layer code does not run in neurite: its layers run in the WebAssembly core, which never calls a method of a JavaScript subclass. Use the built-in layers (the README\'s API overview lists them: layers.*): for a VAE\'s sampling layer layers.variational, to combine branches the merge layers (layers.add, layers.multiply, layers.subtract, layers.concatenate, …), a fixed scale layers.rescaling, a function layers.activation; or write the computation with tensor ops in a custom training loop (variableGrads or optimizer.minimize over model.apply(x, { training: true }), customGrad for a gradient of your own). A subclass that only adds fields or methods of its own is allowed (it is saved and loaded as its built-in class)';

/** The prototypes of neurite's own layer classes that define one of {@link RUN_METHODS} (normalization's `apply`). */
const OWN_OVERRIDES = new WeakSet<object>();

/** @internal Marks a layer class of neurite's own whose {@link RUN_METHODS} are its own (call it in the class's static block). */
export function builtInOverrides(cls: { readonly prototype: object }): void {
  OWN_OVERRIDES.add(cls.prototype);
}

/** The first of {@link RUN_METHODS} that `o` (a prototype or an instance) holds as its own property, or `undefined`. */
function ownRunMethod(o: object): string | undefined {
  return RUN_METHODS.find((m) => Object.hasOwn(o, m));
}

/**
 * Refuses a layer class that is not neurite's: a subclass (of `Layer` or a built-in layer)
 * whose prototype chain defines one of {@link RUN_METHODS} (`Layer`'s own `apply` aside), or a
 * `kind` that is not a layer kind (`class Scale extends Layer {}` called as `new Scale({})`).
 */
/**
 * @internal Makes assigning `name` (JS; TypeScript refuses it, the property being read-only)
 * an error that says why and what to do, on `proto` (Layer's, Sequential's): it took the name
 * and left the weights' names and the models' name checks behind.
 */
export function refuseRename(proto: object, what: 'layer' | 'model', fix: string): void {
  const d = Object.getOwnPropertyDescriptor(proto, 'name');
  Object.defineProperty(proto, 'name', {
    get: d?.get,
    set(this: { readonly name: string }, v: unknown) {
      throw new InvalidArgumentError(`name: a ${what}'s name is fixed when it is made (its weights are named by it, and models check the names of what they hold when they take it), so ${what} ${this.name} cannot be renamed to ${describe(v)}; ${fix}`);
    },
    enumerable: false,
    configurable: true,
  });
}

function refuseCustomClass(cls: { readonly name: string; readonly prototype: object }, kind: unknown): void {
  refuseRunOverrides(`new ${cls.name || 'Layer'}()`, cls);
  if (kind !== 'input' && !(LAYER_KINDS as readonly unknown[]).includes(kind)) {
    throw new InvalidArgumentError(`new ${cls.name || 'Layer'}(): the Layer constructor's first argument must be one of neurite's layer kinds (${LAYER_KINDS.join(', ')}), got ${describe(kind)}; a subclass of Layer is not a layer neurite can run: ${CUSTOM_LAYER_HELP}`);
  }
  // A subclass of Layer itself given a real kind (super('dense', args, ['units'])) is none of
  // neurite's layers (their classes implement abiParams): it was made, printed as
  // '<undefined …>' and failed in predict with a TypeError.
  if (typeof (cls.prototype as { abiParams?: unknown }).abiParams !== 'function') {
    throw new InvalidArgumentError(`new ${cls.name || 'Layer'}(): a subclass of Layer itself is not a layer neurite can run (whatever kind it passes to super, here '${String(kind)}'): ${CUSTOM_LAYER_HELP}`);
  }
}

/**
 * @internal Refuses a subclass (of `Layer` or a built-in layer) whose prototype chain defines
 * one of {@link RUN_METHODS} (neurite's own classes aside); `where` starts the message.
 */
export function refuseRunOverrides(where: string, cls: { readonly name: string; readonly prototype: object }): void {
  for (let p: object | null = cls.prototype; p !== null && p !== Layer.prototype; p = Object.getPrototypeOf(p) as object | null) {
    const m = OWN_OVERRIDES.has(p) ? undefined : ownRunMethod(p);
    if (m !== undefined) {
      const owner = (p as { constructor?: { name?: string } }).constructor?.name || 'the subclass';
      throw new InvalidArgumentError(`${where}: ${owner === cls.name ? 'the class' : `its base class ${owner}`} overrides ${m}(), but ${CUSTOM_LAYER_HELP}`);
    }
  }
}

/**
 * @internal Refuses a layer given one of {@link RUN_METHODS} as its own property (a class
 * field `call = (x) => …`, or an assignment after construction), which the constructor could
 * not see: checked where a layer enters a model (`add`, `apply`).
 */
export function checkNotCustom(op: string, layer: Layer): void {
  const m = ownRunMethod(layer);
  if (m !== undefined) throw new InvalidArgumentError(`${op}: layer ${layer.name} has its own ${m}, but ${CUSTOM_LAYER_HELP}`);
}

/** A layer with a kernel and an optional bias, its first weights (dense and convolution layers). */
export abstract class KernelLayer extends Layer {
  /** The options given; `useBias: false` leaves out the bias. */
  abstract readonly args: { useBias?: boolean | undefined };
  /**
   * The kernel as a variable (TF.js's `layer.kernel`, `weights[0]`), `null` until a model
   * holding the layer is built (asking builds one that knows its input shape, as `weights`).
   */
  get kernel(): LayerVariable | null {
    return this.weights[0] ?? null;
  }
  /** The bias as a variable (TF.js's `layer.bias`, `weights[1]`), `null` with `useBias: false` or until built. */
  get bias(): LayerVariable | null {
    return this.args.useBias === false ? null : (this.weights[1] ?? null);
  }
}

/**
 * @internal A per-sample shape (`inputShape`, without the batch dimension): an array of
 * integers in `[1, MAX_ELEMENTS]` whose product is at most {@link MAX_ELEMENTS} (one sample must
 * fit in a tensor). `offset` shifts the index named in errors (for `batchInputShape`). With
 * `nulls`, `null` is an unknown size (any sequence length), 0 in the result (see {@link showShape}).
 */
export function sampleShape(kind: string, arg: string, v: unknown, offset = 0, nulls = true): number[] {
  if (!Array.isArray(v) || v.length > 31) {
    throw new InvalidArgumentError(`${kind}: ${arg} must be an array of positive integers (without the batch dimension), got ${show(v)}`);
  }
  // Array.from, not map: a hole ([2, , 3]) is read as undefined and refused (map skips it).
  // null is an unknown size (a sequence of any length, TF.js's [null]): 0 here and in the core.
  const dims = Array.from(v as unknown[], (d, i) => (d === null && nulls ? 0 : intArg(kind, `${arg}[${i + offset}]`, d, 1, MAX_ELEMENTS)));
  const size = dims.reduce((a, b) => a * Math.max(b, 1), 1);
  if (size > MAX_ELEMENTS) {
    throw new InvalidArgumentError(`${kind}: ${arg} ${show(v)} has ${size} elements per sample, more than the ${MAX_ELEMENTS} one tensor can hold`);
  }
  return dims;
}

/** @internal A per-sample shape for users: an unknown size (0 inside, see {@link sampleShape}) is `null`. */
export function showShape(dims: readonly number[]): Array<number | null> {
  return dims.map((d) => (d === 0 ? null : d));
}

/** A shape as TF.js shows it: batch dimension first, `null` for a size not known in advance. */
export type Shape = Array<number | null>;

/** @internal A `trainable` assignment to a layer or model, `true` or `false` (`0`, `'false'` are errors). */
export function trainableArg(what: string, name: string, on: unknown): boolean {
  if (typeof on !== 'boolean') throw new InvalidArgumentError(`trainable: ${what} ${name} takes true or false, got ${describe(on)}`);
  return on;
}

/** One connection of a layer (TF.js's `Node`, as {@link Layer.inboundNodes} lists them). */
export interface LayerNode {
  /** The layers (or models) whose outputs it reads; empty for an input layer. */
  inboundLayers: Array<{ readonly name: string }>;
  /** The symbolic tensors it reads (an input layer's node: its own). */
  inputTensors: SymbolicTensor[];
  /** The symbolic tensors it makes. */
  outputTensors: SymbolicTensor[];
  /** The shapes of `inputTensors`, batch dimension first. */
  inputShapes: Shape[];
  /** The shapes of `outputTensors`, batch dimension first. */
  outputShapes: Shape[];
}

/** The node of one symbolic use `u` (what it read and made, with their shapes). */
function nodeOf(u: SymbolicTensor): LayerNode {
  const ins = u.inputs.length === 0 ? [u] : [...u.inputs];
  return { inboundLayers: u.inputs.map((x) => x.sourceLayer), inputTensors: ins, outputTensors: [u], inputShapes: ins.map((x) => x.shape.slice()), outputShapes: [u.shape.slice()] };
}

/**
 * The one value several uses of `layer` share (`op` of TF.js's: `inputShape`, `outputShape`),
 * or an error naming each use's, pointing to `at` (`getInputAt`, `getOutputAt`).
 */
function distinct<T>(op: string, layer: Layer, what: string, values: T[], at: string): T {
  const seen = [...new Set(values.map((v) => JSON.stringify(v)))];
  if (seen.length > 1) {
    const each = values.map((v, i) => `${i}: ${JSON.stringify(v)}`).join(', ');
    throw new InvalidArgumentError(`${op}: layer ${layer.name} (${layer.kind}) has been applied ${values.length} times with different ${what} shapes (${each}), so its ${op} is ambiguous; use ${at}(i).shape`);
  }
  return values[0];
}

/**
 * @internal Makes the option `key` of `layer` (kind `op`) read-only at run time too: `readonly`
 * binds TypeScript only, and a plain-JS assignment was kept by the layer (and written into its
 * saved config) while the core, which took the value when the model was built, went on with the
 * old one. Now it throws, naming the option.
 */
export function fixedOption<T extends object>(op: string, layer: T, key: keyof T & string): void {
  const value = layer[key];
  Object.defineProperty(layer, key, {
    get: () => value,
    set: () => {
      throw new InvalidArgumentError(`${op}: ${key} is fixed when the layer is made (the models built with it use that value); make a new layer with another ${key}`);
    },
    enumerable: true,
    configurable: false,
  });
}

/** Throws unless `v` is a number satisfying `ok`, also as the float32 the core receives. */
export function checkNumber(op: string, field: string, v: unknown, ok: (x: number) => boolean, what: string): number {
  if (typeof v !== 'number' || !ok(v)) {
    throw new InvalidArgumentError(`${op}: ${field} must be ${what}, got ${describe(v)}`);
  }
  // The core computes with float32: 0.99999999 is 1 there and 1e-50 is 0.
  const f = Math.fround(v);
  if (!ok(f)) throw new InvalidArgumentError(`${op}: ${field} must be ${what} in float32, which the layer computes with; got ${v}, which is ${f} in float32`);
  return v;
}

/** What a use read: one symbolic tensor, a list for a merge layer, and an input's own value. */
function inputsOf(use: SymbolicTensor): SymbolicTensor | SymbolicTensor[] {
  if (use.inputs.length === 0) return use;
  return use.inputs.length === 1 ? use.inputs[0] : [...use.inputs];
}
