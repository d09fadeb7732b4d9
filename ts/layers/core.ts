/**
 * Core layers: `dense`, `activation`, `dropout`, `gaussianNoise`, `flatten`, `reshape`,
 * `inputLayer`. Each mirrors a file in `crates/core/src/layers/`.
 */
import { InvalidArgumentError } from '../errors.js';
import { encodeActivation } from '../activations.js';
import { layerActivationAbi, type ActivationSpec } from './activation_abi.js';
import { initializerAbi, seedArg, type InitializerSpec } from './initializers.js';
import { boolArg, intArg, MAX_ELEMENTS, show } from '../ops/convert.js';
import { checkNumber, CLASS_NAMES, fixedOption, KernelLayer, Layer, MAX_UNITS, sampleShape, type LayerArgs } from './layer.js';
import { channelsLast } from './convolutional.js';
import { activityRegularizerAbi, regularizerAbi, type ActivityRegularizerSpec, type RegularizerSpec } from './regularizers.js';
import type { ConstraintSpec } from '../constraints.js';

/** Options of `layers.dense` (TF.js and Keras names and defaults). */
export interface DenseArgs extends LayerArgs {
  /** Output size (positive integer). */
  units: number;
  /** TF.js's shorthand for `inputShape: [inputDim]` (the input size of a first layer). */
  inputDim?: number | undefined;
  /** Activation applied to `x·W + b`; default `'linear'` (none). */
  activation?: ActivationSpec | undefined;
  /** Whether to add a bias. Default `true`. */
  useBias?: boolean | undefined;
  /** Default `'glorotUniform'` (Keras). */
  kernelInitializer?: InitializerSpec | undefined;
  /** Default `'zeros'`. */
  biasInitializer?: InitializerSpec | undefined;
  /** A penalty on the kernel added to the training loss (`regularizers.l2({ l2: 0.01 })`, `'l2'`, …), as TF.js's. Default none. */
  kernelRegularizer?: RegularizerSpec | undefined;
  /** A penalty on the bias added to the training loss, as `kernelRegularizer`. Default none. */
  biasRegularizer?: RegularizerSpec | undefined;
  /**
   * Penalty on the layer's output (e.g. `regularizers.l1()` or `regularizers.klSparsity()`
   * for sparse autoencoders; klSparsity needs a sigmoid, hardSigmoid or softmax activation).
   */
  activityRegularizer?: ActivityRegularizerSpec | undefined;
  /** Projects the kernel after each optimizer update (`constraints.maxNorm()`, `'nonNeg'`, …; Keras semantics). Default none. */
  kernelConstraint?: ConstraintSpec | null | undefined;
  /** Projects the bias after each optimizer update (`constraints.maxNorm()`, `'nonNeg'`, …; Keras semantics). Default none. */
  biasConstraint?: ConstraintSpec | null | undefined;
}

/**
 * `args` with TF.js's `inputDim` turned into `inputShape: [inputDim]`: an integer in
 * `[1, MAX_ELEMENTS]`, which must agree with `inputShape` or `batchInputShape` when one is given
 * too (TF.js would ignore it).
 */
function withInputDim(args: DenseArgs): DenseArgs {
  if (args === null || typeof args !== 'object' || args.inputDim === undefined) return args;
  const n = intArg('dense', 'inputDim', args.inputDim, 1, MAX_ELEMENTS);
  const given = args.inputShape ?? (Array.isArray(args.batchInputShape) ? args.batchInputShape.slice(1) : undefined);
  if (given === undefined || given === null) return { ...args, inputShape: [n] };
  const shape = sampleShape('dense', args.inputShape ? 'inputShape' : 'batchInputShape', given, args.inputShape ? 0 : 1);
  if (shape.length !== 1 || shape[0] !== n) throw new InvalidArgumentError(`dense: inputDim ${n} and ${args.inputShape ? 'inputShape' : 'batchInputShape'} ${show(args.inputShape ?? args.batchInputShape)} disagree; give one (inputDim: n is inputShape: [n])`);
  return args;
}

/** A fully connected layer: `y = activation(x·W + b)` over the last axis. */
export class Dense extends KernelLayer {
  /** @internal */
  readonly kind = 'dense' as const;
  /** TF.js's class name, `'Dense'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.dense;
  /** The output size. */
  readonly units: number;
  /** The activation applied to `x·W + b` (`'linear'` when none was given). */
  readonly activation: ActivationSpec;
  /** The options given (for `getConfig`). */
  readonly args: DenseArgs;
  constructor(args: DenseArgs) {
    super('dense', withInputDim(args), ['units', 'inputDim', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint']);
    if (!args || typeof args !== 'object') throw new InvalidArgumentError('dense: expected an options object like { units: 10 }');
    this.units = intArg('dense', 'units', args.units, 1, MAX_UNITS);
    boolArg('dense', 'useBias', args.useBias, true);
    this.activation = args.activation ?? 'linear';
    this.args = args;
    this.abiParams(); // validate eagerly: errors point at the layer definition
  }
  /** @internal */
  abiParams(): number[] {
    const a = this.args;
    return [
      this.units, a.useBias === false ? 0 : 1,
      ...layerActivationAbi('dense', this.activation),
      ...initializerAbi('dense', 'kernelInitializer', a.kernelInitializer ?? 'glorotUniform'),
      ...initializerAbi('dense', 'biasInitializer', a.biasInitializer ?? 'zeros'),
      ...regularizerAbi('dense', a.kernelRegularizer, 'kernelRegularizer'),
      ...regularizerAbi('dense', a.biasRegularizer, 'biasRegularizer'),
      ...activityRegularizerAbi('dense', a.activityRegularizer),
    ];
  }
}

/** Applies an activation function on its own. */
export class Activation extends Layer {
  /** @internal */
  readonly kind = 'activation' as const;
  /** TF.js's class name, `'Activation'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.activation;
  /** The activation applied. */
  readonly activation: ActivationSpec;
  constructor(args: LayerArgs & { activation: ActivationSpec }) {
    super('activation', args, ['activation']);
    if (args?.activation === undefined) throw new InvalidArgumentError("activation: the activation option is required, e.g. layers.activation({ activation: 'relu' })");
    this.activation = args.activation;
    this.abiParams();
  }
  /** @internal */
  abiParams(): number[] {
    return layerActivationAbi('activation', this.activation);
  }
  /** `'Activation'`, or `'LeakyReLU'` for a leaky ReLU (TF.js's layer, as it is saved). */
  override getClassName(): string {
    return encodeActivation('getClassName', this.activation).name === 'leakyRelu' ? 'LeakyReLU' : 'Activation';
  }
}

/** Options of `layers.dropout` (TF.js names and defaults). */
export interface DropoutArgs extends LayerArgs {
  /** The probability of zeroing an input in training, in [0, 1). */
  rate: number;
  /** Only `null` (TF.js's default): each value is dropped on its own, no mask is shared along an axis. */
  noiseShape?: null | undefined;
  /**
   * TF.js's per-layer seed, kept and saved with the layer so that files round-trip; it does not
   * choose the masks, which are drawn from the model's seed (`sequential({ seed, layers })`).
   */
  seed?: number | undefined;
}

/** Zeroes inputs with probability `rate` during training (scaling the rest by 1/(1−rate)). */
export class Dropout extends Layer {
  /** @internal */
  readonly kind = 'dropout' as const;
  /** TF.js's class name, `'Dropout'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.dropout;
  /** The probability of zeroing an input in training, in [0, 1). */
  readonly rate: number;
  /** The seed given (TF.js's option, saved with the layer; the masks come from the model's seed). */
  readonly seed?: number;
  constructor(args: DropoutArgs) {
    super('dropout', args, ['rate', 'noiseShape', 'seed']);
    this.rate = checkNumber('dropout', 'rate', args?.rate, (r) => r >= 0 && r < 1, 'a number in [0, 1)');
    fixedOption('dropout', this, 'rate');
    const seed = seedArg('dropout', args.seed);
    if (seed !== undefined) this.seed = seed;
  }
  /** @internal */
  abiParams(): number[] {
    return [this.rate];
  }
}

/** Adds N(0, stddev²) noise during training; identity at inference. */
export class GaussianNoise extends Layer {
  /** @internal */
  readonly kind = 'gaussianNoise' as const;
  /** TF.js's class name, `'GaussianNoise'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.gaussianNoise;
  /** The noise's standard deviation. */
  readonly stddev: number;
  constructor(args: LayerArgs & { stddev: number }) {
    super('gaussianNoise', args, ['stddev']);
    this.stddev = checkNumber('gaussianNoise', 'stddev', args?.stddev, (s) => Number.isFinite(s) && s >= 0, 'a finite number >= 0');
    fixedOption('gaussianNoise', this, 'stddev');
  }
  /** @internal */
  abiParams(): number[] {
    return [this.stddev];
  }
}

/** Options of `layers.flatten` (TF.js names). */
export interface FlattenArgs extends LayerArgs {
  /**
   * Only `'channelsLast'` (TF.js's default): the values keep their order. (TF.js's
   * `'channelsFirst'` moves the channels last before flattening, which neurite does not do.)
   */
  dataFormat?: 'channelsLast' | undefined;
}

/** Flattens each sample to one dimension. */
export class Flatten extends Layer {
  /** @internal */
  readonly kind = 'flatten' as const;
  /** TF.js's class name, `'Flatten'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.flatten;
  /** The `dataFormat` given (TF.js saves it only when given), else `undefined`. */
  readonly dataFormat?: 'channelsLast';
  constructor(args: FlattenArgs = {}) {
    super('flatten', args, ['dataFormat']);
    channelsLast('flatten', args.dataFormat, '[batch, ..., channels]: the values keep their order');
    if (args.dataFormat !== undefined) this.dataFormat = args.dataFormat;
  }
  /** @internal */
  abiParams(): number[] {
    return [];
  }
}

/** Reshapes each sample to `targetShape` (one entry may be -1 or `null`: inferred). */
export class Reshape extends Layer {
  /** @internal */
  readonly kind = 'reshape' as const;
  /** TF.js's class name, `'Reshape'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.reshape;
  /** The per-sample output shape (one entry may be -1: inferred; a `null` given is -1 here). */
  readonly targetShape: number[];
  constructor(args: LayerArgs & { targetShape: Array<number | null> }) {
    super('reshape', args, ['targetShape']);
    const t: unknown = args.targetShape;
    if (!Array.isArray(t) || t.length > 31) {
      throw new InvalidArgumentError(`reshape: targetShape must be an array of non-negative integers, with at most one -1 or null (inferred), got ${show(t)}`);
    }
    // TF.js writes an inferred dimension as null (and reads -1 as null).
    this.targetShape = Array.from(t as unknown[], (d, i) => (d === null ? -1 : intArg('reshape', `targetShape[${i}]`, d, -1, MAX_ELEMENTS)));
    if (this.targetShape.filter((d) => d === -1).length > 1) {
      throw new InvalidArgumentError(`reshape: targetShape may have at most one -1 or null (inferred), got ${show(t)}`);
    }
  }
  /** @internal */
  abiParams(): number[] {
    return [this.targetShape.length, ...this.targetShape];
  }
}

/** Declares the model's per-sample input shape; it adds no computation. */
export class InputLayer extends Layer {
  /** @internal */
  readonly kind = 'input' as const;
  /** TF.js's class name, `'InputLayer'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.input;
  /** @param args also TF.js's `sparse`, which must be `false` (what `getConfig()` writes): neurite's tensors are dense. */
  constructor(args: LayerArgs & { sparse?: false | undefined }) {
    super('input', args, ['sparse']);
    if (args.sparse != null && args.sparse !== false) throw new InvalidArgumentError(`inputLayer: sparse must be false: neurite's tensors are dense, got ${show(args.sparse)}`);
    if (!this.inputDims) throw new InvalidArgumentError('inputLayer: inputShape (or batchInputShape) is required');
    // As TF.js: an input layer has nothing to train.
    this.trainable = false;
  }
  /** @internal */
  abiParams(): number[] {
    return [];
  }
}
