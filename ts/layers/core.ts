/**
 * Core layers: `dense`, `activation`, `dropout`, `gaussianNoise`, `flatten`, `reshape`,
 * `inputLayer`. Each mirrors a file in `crates/core/src/layers/`.
 */
import { InvalidArgumentError } from '../errors.js';
import { activationAbi, type ActivationSpec } from './activation_abi.js';
import { initializerAbi, type InitializerSpec } from './initializers.js';
import { boolArg, intArg, MAX_ELEMENTS, show } from '../ops/convert.js';
import { checkNumber, Layer, MAX_UNITS, type LayerArgs } from './layer.js';
import { activityRegularizerAbi, regularizerAbi, type ActivityRegularizerSpec, type RegularizerSpec } from './regularizers.js';

/** Options of `layers.dense` (TF.js and Keras names and defaults). */
export interface DenseArgs extends LayerArgs {
  /** Output size (positive integer). */
  units: number;
  /** Activation applied to `x·W + b`; default `'linear'` (none). */
  activation?: ActivationSpec;
  /** Whether to add a bias. Default `true`. */
  useBias?: boolean;
  /** Default `'glorotUniform'` (Keras). */
  kernelInitializer?: InitializerSpec;
  /** Default `'zeros'`. */
  biasInitializer?: InitializerSpec;
  kernelRegularizer?: RegularizerSpec;
  biasRegularizer?: RegularizerSpec;
  /**
   * Penalty on the layer's output (e.g. `regularizers.l1()` or `regularizers.klSparsity()`
   * for sparse autoencoders; klSparsity needs a sigmoid, hardSigmoid or softmax activation).
   */
  activityRegularizer?: ActivityRegularizerSpec;
}

/** A fully connected layer: `y = activation(x·W + b)` over the last axis. */
export class Dense extends Layer {
  readonly kind = 'dense' as const;
  /** The output size. */
  readonly units: number;
  /** The activation applied to `x·W + b` (`'linear'` when none was given). */
  readonly activation: ActivationSpec;
  /** The options given (for `getConfig`). */
  readonly args: DenseArgs;
  constructor(args: DenseArgs) {
    super('dense', args, ['units', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer', 'activityRegularizer']);
    if (!args || typeof args !== 'object') throw new InvalidArgumentError('dense: expected an options object like { units: 10 }');
    this.units = intArg('dense', 'units', args.units, 1, MAX_UNITS);
    boolArg('dense', 'useBias', args.useBias, true);
    this.activation = args.activation ?? 'linear';
    this.args = args;
    this.abiParams(); // validate eagerly: errors point at the layer definition
  }
  abiParams(): number[] {
    const a = this.args;
    return [
      this.units, a.useBias === false ? 0 : 1,
      ...activationAbi('dense', this.activation),
      ...initializerAbi('dense', 'kernelInitializer', a.kernelInitializer ?? 'glorotUniform'),
      ...initializerAbi('dense', 'biasInitializer', a.biasInitializer ?? 'zeros'),
      ...regularizerAbi('dense', a.kernelRegularizer, 'kernelRegularizer'),
      ...regularizerAbi('dense', a.biasRegularizer, 'biasRegularizer'),
      ...activityRegularizerAbi('dense', a.activityRegularizer),
    ];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.units, activation: this.activation };
  }
}

/** Applies an activation function on its own. */
export class Activation extends Layer {
  readonly kind = 'activation' as const;
  /** The activation applied. */
  readonly activation: ActivationSpec;
  constructor(args: LayerArgs & { activation: ActivationSpec }) {
    super('activation', args, ['activation']);
    if (args?.activation === undefined) throw new InvalidArgumentError("activation: the activation option is required, e.g. layers.activation({ activation: 'relu' })");
    this.activation = args.activation;
    this.abiParams();
  }
  abiParams(): number[] {
    return activationAbi('activation', this.activation);
  }
}

/** Zeroes inputs with probability `rate` during training (scaling the rest by 1/(1−rate)). */
export class Dropout extends Layer {
  readonly kind = 'dropout' as const;
  /** The probability of zeroing an input in training, in [0, 1). */
  readonly rate: number;
  constructor(args: LayerArgs & { rate: number }) {
    super('dropout', args, ['rate']);
    this.rate = checkNumber('dropout', 'rate', args?.rate, (r) => r >= 0 && r < 1, 'a number in [0, 1)');
  }
  abiParams(): number[] {
    return [this.rate];
  }
}

/** Adds N(0, stddev²) noise during training; identity at inference. */
export class GaussianNoise extends Layer {
  readonly kind = 'gaussianNoise' as const;
  /** The noise's standard deviation. */
  readonly stddev: number;
  constructor(args: LayerArgs & { stddev: number }) {
    super('gaussianNoise', args, ['stddev']);
    this.stddev = checkNumber('gaussianNoise', 'stddev', args?.stddev, (s) => Number.isFinite(s) && s >= 0, 'a finite number >= 0');
  }
  abiParams(): number[] {
    return [this.stddev];
  }
}

/** Flattens each sample to one dimension. */
export class Flatten extends Layer {
  readonly kind = 'flatten' as const;
  constructor(args: LayerArgs = {}) {
    super('flatten', args);
  }
  abiParams(): number[] {
    return [];
  }
}

/** Reshapes each sample to `targetShape` (one entry may be -1). */
export class Reshape extends Layer {
  readonly kind = 'reshape' as const;
  /** The per-sample output shape (one entry may be -1: inferred). */
  readonly targetShape: number[];
  constructor(args: LayerArgs & { targetShape: number[] }) {
    super('reshape', args, ['targetShape']);
    const t: unknown = args.targetShape;
    if (!Array.isArray(t) || t.length > 31) {
      throw new InvalidArgumentError(`reshape: targetShape must be an array of non-negative integers or -1, got ${show(t)}`);
    }
    this.targetShape = t.map((d, i) => intArg('reshape', `targetShape[${i}]`, d, -1, MAX_ELEMENTS));
    if (this.targetShape.filter((d) => d === -1).length > 1) {
      throw new InvalidArgumentError(`reshape: targetShape may have at most one -1, got ${show(t)}`);
    }
  }
  abiParams(): number[] {
    return [this.targetShape.length, ...this.targetShape];
  }
}

/** Declares the model's per-sample input shape; it adds no computation. */
export class InputLayer extends Layer {
  readonly kind = 'input' as const;
  constructor(args: LayerArgs) {
    super('input', args);
    if (!this.inputShape) throw new InvalidArgumentError('inputLayer: inputShape (or batchInputShape) is required');
  }
  abiParams(): number[] {
    return [];
  }
}
