/**
 * The `layers` namespace: factories with TF.js Layers / Keras names.
 *
 * @example
 * layers.dense({ inputShape: [784], units: 128, activation: 'relu' })
 */
import { Activation, Dense, Dropout, Flatten, GaussianNoise, InputLayer, Reshape, type DenseArgs } from './core.js';
import type { ActivationSpec } from './activation_abi.js';
import type { LayerArgs } from './layer.js';
import { BatchNormalization, LayerNormalization, PReLU, type BatchNormalizationArgs, type PReLUArgs } from './normalization.js';
import { RBF, type RBFArgs } from './rbf.js';
import { SaltAndPepper, Variational, type SaltAndPepperArgs, type VariationalArgs } from './autoencoder.js';

export { Layer, type LayerArgs } from './layer.js';
export { Activation, Dense, Dropout, Flatten, GaussianNoise, InputLayer, Reshape, type DenseArgs } from './core.js';
export { BatchNormalization, LayerNormalization, PReLU, type BatchNormalizationArgs, type PReLUArgs } from './normalization.js';
export { RBF, RBF_KERNELS, type RBFArgs, type RbfKernelName } from './rbf.js';
export { SaltAndPepper, Variational, type SaltAndPepperArgs, type VariationalArgs, type Distribution } from './autoencoder.js';

/** Layer factories, as `tf.layers`. @example layers.dense({ units: 10, activation: 'relu', inputShape: [784] }) */
export const layers = {
  /** Fully connected: `activation(x·W + b)`. */
  dense: (args: DenseArgs) => new Dense(args),
  /** An activation on its own. */
  activation: (args: LayerArgs & { activation: ActivationSpec }) => new Activation(args),
  /** Parametric ReLU with a learnable slope per unit (initial 0.25). */
  prelu: (args: PReLUArgs = {}) => new PReLU(args),
  /** Inverted dropout with probability `rate` during training. */
  dropout: (args: LayerArgs & { rate: number }) => new Dropout(args),
  /** Additive Gaussian noise during training. */
  gaussianNoise: (args: LayerArgs & { stddev: number }) => new GaussianNoise(args),
  /** Batch normalization over the last axis. */
  batchNormalization: (args: BatchNormalizationArgs = {}) => new BatchNormalization(args),
  /** Layer normalization over the last axis. */
  layerNormalization: (args: Omit<BatchNormalizationArgs, 'momentum'> = {}) => new LayerNormalization(args),
  /** Flattens each sample. */
  flatten: (args: LayerArgs = {}) => new Flatten(args),
  /** Reshapes each sample. */
  reshape: (args: LayerArgs & { targetShape: number[] }) => new Reshape(args),
  /** Declares the input shape. */
  inputLayer: (args: LayerArgs) => new InputLayer(args),
  /** Radial basis functions `φ(‖x − cᵢ‖ / σᵢ)` with learnable centers and widths. */
  rbf: (args: RBFArgs) => new RBF(args),
  /** Salt-and-pepper noise during training: a fraction `rate` of the inputs set to `low` or `high`. */
  saltAndPepper: (args: SaltAndPepperArgs) => new SaltAndPepper(args),
  /** A VAE's sampling layer: mean and log-variance heads, `z = μ + σ·ε` in training, KL added to the loss. */
  variational: (args: VariationalArgs) => new Variational(args),
};
