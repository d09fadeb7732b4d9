/** `batchNormalization`, `layerNormalization` and `prelu` (layers with their own weights). */
import { boolArg } from '../ops/convert.js';
import { initializerAbi, type InitializerSpec } from './initializers.js';
import { checkNumber, Layer, type LayerArgs } from './layer.js';
import { regularizerAbi, type RegularizerSpec } from './regularizers.js';

/** Options of `layers.batchNormalization` (TF.js and Keras names and defaults). */
export interface BatchNormalizationArgs extends LayerArgs {
  /** Moving-average momentum. Default 0.99. */
  momentum?: number;
  /** Added to the variance. Default 1e-3. */
  epsilon?: number;
  /** Learn an offset β. Default `true`. */
  center?: boolean;
  /** Learn a scale γ. Default `true`. */
  scale?: boolean;
}

/** Normalises each feature over the batch (training) or with moving statistics (inference). */
export class BatchNormalization extends Layer {
  readonly kind = 'batchNormalization' as const;
  /** The options given (for `getConfig`). */
  readonly args: BatchNormalizationArgs;
  constructor(args: BatchNormalizationArgs = {}) {
    super('batchNormalization', args, ['momentum', 'epsilon', 'center', 'scale']);
    this.args = args;
    checkNumber('batchNormalization', 'momentum', args.momentum ?? 0.99, (m) => m >= 0 && m <= 1, 'a number in [0, 1]');
    checkNumber('batchNormalization', 'epsilon', args.epsilon ?? 1e-3, (e) => e > 0 && Number.isFinite(e), 'a positive number');
    boolArg('batchNormalization', 'center', args.center, true);
    boolArg('batchNormalization', 'scale', args.scale, true);
  }
  abiParams(): number[] {
    const a = this.args;
    return [a.momentum ?? 0.99, a.epsilon ?? 1e-3, a.center === false ? 0 : 1, a.scale === false ? 0 : 1];
  }
}

/** Normalises each sample over its last axis. */
export class LayerNormalization extends Layer {
  readonly kind = 'layerNormalization' as const;
  /** The options given (for `getConfig`). */
  readonly args: Omit<BatchNormalizationArgs, 'momentum'>;
  constructor(args: Omit<BatchNormalizationArgs, 'momentum'> = {}) {
    super('layerNormalization', args, ['epsilon', 'center', 'scale']);
    this.args = args;
    checkNumber('layerNormalization', 'epsilon', args.epsilon ?? 1e-3, (e) => e > 0 && Number.isFinite(e), 'a positive number');
    boolArg('layerNormalization', 'center', args.center, true);
    boolArg('layerNormalization', 'scale', args.scale, true);
  }
  abiParams(): number[] {
    const a = this.args;
    return [a.epsilon ?? 1e-3, a.center === false ? 0 : 1, a.scale === false ? 0 : 1];
  }
}

/** Options of `layers.prelu` (TF.js and Keras names and defaults). */
export interface PReLUArgs extends LayerArgs {
  /** Initial slope for negative inputs. Default `initializers.constant({ value: 0.25 })`. */
  alphaInitializer?: InitializerSpec;
  alphaRegularizer?: RegularizerSpec;
}

/** Parametric ReLU: `x` for x > 0, `α·x` otherwise, with a learnable α per unit. */
export class PReLU extends Layer {
  readonly kind = 'prelu' as const;
  /** The options given (for `getConfig`). */
  readonly args: PReLUArgs;
  constructor(args: PReLUArgs = {}) {
    super('prelu', args, ['alphaInitializer', 'alphaRegularizer']);
    this.args = args;
    this.abiParams();
  }
  abiParams(): number[] {
    return [
      ...initializerAbi('prelu', 'alphaInitializer', this.args.alphaInitializer ?? { name: 'constant', params: [0.25, 0] }),
      ...regularizerAbi('prelu', this.args.alphaRegularizer, 'alphaRegularizer'),
    ];
  }
}
