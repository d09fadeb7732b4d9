/**
 * The `layers` namespace: factories with TF.js Layers / Keras names.
 *
 * @example
 * layers.dense({ inputShape: [784], units: 128, activation: 'relu' })
 */
import { Activation, Dense, Dropout, Flatten, GaussianNoise, InputLayer, Reshape, type DenseArgs, type DropoutArgs, type FlattenArgs } from './core.js';
import type { ActivationSpec } from './activation_abi.js';
import type { Layer, LayerArgs } from './layer.js';
import { isObject, isSerialized } from '../io/keras.js';
import { InvalidArgumentError } from '../errors.js';
import { show } from '../ops/convert.js';
import { layerFromConfig } from '../io/topology.js';
import { BatchNormalization, LayerNormalization, PReLU, type BatchNormalizationArgs, type LayerNormalizationArgs, type PReLUArgs } from './normalization.js';
import { input, type InputArgs } from '../models/functional.js';
import type { SymbolicTensor } from '../models/symbolic.js';
import { RBF, type RBFArgs } from './rbf.js';
import { SaltAndPepper, Variational, type SaltAndPepperArgs, type VariationalArgs } from './autoencoder.js';
import { Concatenate, Dot, mergeLayer, type ConcatenateArgs, type DotArgs } from './merge.js';
import { AlphaDropout, GaussianDropout, SpatialDropout1D, type AlphaDropoutArgs, type NoiseRateArgs, type SpatialDropout1DArgs } from './noise.js';
import { ThresholdedReLU, type ThresholdedReLUArgs } from './thresholded_relu.js';
import { Masking, type MaskingArgs } from './masking.js';
import { ELU, LeakyReLU, ReLU, Softmax, type ELUArgs, type LeakyReLUArgs, type ReLUArgs, type SoftmaxArgs } from './activation_layers.js';
import { AveragePooling1D, Conv1D, Conv1DTranspose, Cropping1D, GlobalAveragePooling1D, GlobalMaxPooling1D, MaxPooling1D, UpSampling1D, ZeroPadding1D, type Conv1DArgs, type Conv1DTransposeArgs, type Cropping1DArgs, type Pooling1DArgs, type UpSampling1DArgs, type ZeroPadding1DArgs } from './convolutional1d.js';
import { DepthwiseConv2D, SeparableConv2D, type DepthwiseConv2DArgs, type SeparableConv2DArgs } from './depthwise.js';
import { Embedding, type EmbeddingArgs } from './embedding.js';
import { Permute, RepeatVector, type PermuteArgs, type RepeatVectorArgs } from './rearrange.js';
import { Rescaling, type RescalingArgs } from './rescaling.js';
import { Normalization, type NormalizationArgs } from './feature_normalization.js';
import { AveragePooling2D, Conv2D, Conv2DTranspose, Cropping2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D, UpSampling2D, ZeroPadding2D, type Conv2DArgs, type Conv2DTransposeArgs, type Cropping2DArgs, type Pooling2DArgs, type UpSampling2DArgs, type ZeroPadding2DArgs } from './convolutional.js';

/**
 * A layer from `args`, or, when `args` holds TF.js's serialized form of an initializer,
 * regularizer or constraint (`{ className, config }`, as `layer.getConfig()` returns them and
 * TF.js's factories accept them: `kernelInitializer: { className: 'GlorotUniform', config: {
 * seed: 1 } }`), from `args` read as a layer config of Keras class `className`
 * ({@link layerFromConfig}; the name may be left out). The two forms cannot be confused:
 * neurite's own options never hold a `{ className, config }`.
 */
function orConfig<L extends Layer>(op: string, className: string, args: unknown, make: () => L): L {
  const serialized = isObject(args) && Object.values(args).some(isSerialized);
  if (!serialized) return make();
  try {
    return layerFromConfig(op, className, args, true) as L;
  } catch (e) {
    // A serialized initializer beside objects of the factories (regularizers.l2(…), an
    // activation spec): the config reader's message names a `class_name` never written.
    const entries = Object.entries(args as Record<string, unknown>);
    const from = entries.find(([, v]) => isSerialized(v))?.[0];
    const live = entries.filter(([, v]) => isObject(v) && !isSerialized(v)).map(([k]) => k);
    if (e instanceof InvalidArgumentError && from !== undefined && live.length > 0) {
      e.message += `; ${from} is TF.js's serialized form ({ className, config }), which makes ${op} read all its options as a saved layer config, where ${live.join(', ')} ${live.length === 1 ? 'is' : 'are'} not in that form: give ${from} as a factory's object (initializers.varianceScaling({ … }), initializers.glorotUniform({ seed }), …), or every option in the serialized form`;
    }
    throw e;
  }
}

/**
 * `layers.activation`'s options, also in the form its `getConfig()` has for a leaky ReLU: such a
 * layer is saved as TF.js's `LeakyReLU` (TF.js has no `'leakyRelu'` activation name), whose config
 * is `{ alpha, name, … }`, so `{ alpha }` without `activation` is `activation: { name:
 * 'leakyRelu', alpha }` (the saved JSON is unchanged, and `layers.activation(layer.getConfig())`
 * makes the same layer).
 */
function activationArgs(args: unknown): unknown {
  if (!isObject(args) || !Object.hasOwn(args, 'alpha')) return args;
  const { alpha, ...rest } = args as Record<string, unknown>;
  if (rest.activation !== undefined) {
    throw new InvalidArgumentError(`activation: alpha is the option of a leaky ReLU's config (getConfig()'s form of an activation layer computing leakyRelu: { alpha, name, … }), but activation is given too (${show(rest.activation)}); give the slope in the spec instead: activation: { name: 'leakyRelu', alpha: ${show(alpha)} }`);
  }
  return { ...rest, activation: alpha === undefined ? 'leakyRelu' : { name: 'leakyRelu', alpha } };
}

export { KernelLayer, Layer, type LayerArgs } from './layer.js';
export { Activation, Dense, Dropout, Flatten, GaussianNoise, InputLayer, Reshape, type DenseArgs, type DropoutArgs, type FlattenArgs } from './core.js';
export { BatchNormalization, LayerNormalization, PReLU, type BatchNormalizationArgs, type LayerNormalizationArgs, type PReLUArgs } from './normalization.js';
export { RBF, RBF_KERNELS, type RBFArgs, type RbfKernelName } from './rbf.js';
export { SaltAndPepper, Variational, type SaltAndPepperArgs, type VariationalArgs, type Distribution } from './autoencoder.js';
export { Add, Average, Concatenate, Dot, Maximum, Merge, Minimum, Multiply, Subtract, type ConcatenateArgs, type DotArgs, type MergeKind } from './merge.js';
export { AlphaDropout, GaussianDropout, SpatialDropout1D, type AlphaDropoutArgs, type NoiseRateArgs, type SpatialDropout1DArgs } from './noise.js';
export { ThresholdedReLU, type ThresholdedReLUArgs } from './thresholded_relu.js';
export { Masking, type MaskingArgs } from './masking.js';
export { ELU, LeakyReLU, ReLU, Softmax, type ELUArgs, type LeakyReLUArgs, type ReLUArgs, type SoftmaxArgs } from './activation_layers.js';
export { AveragePooling1D, Conv1D, Conv1DTranspose, Cropping1D, GlobalAveragePooling1D, GlobalMaxPooling1D, MaxPooling1D, UpSampling1D, ZeroPadding1D, type Border1D, type Conv1DArgs, type Conv1DTransposeArgs, type Cropping1DArgs, type Pooling1DArgs, type UpSampling1DArgs, type ZeroPadding1DArgs } from './convolutional1d.js';
export { DepthwiseConv2D, SeparableConv2D, type DepthwiseConv2DArgs, type SeparableConv2DArgs } from './depthwise.js';
export { Embedding, type EmbeddingArgs } from './embedding.js';
export { Permute, RepeatVector, type PermuteArgs, type RepeatVectorArgs } from './rearrange.js';
export { Rescaling, type RescalingArgs } from './rescaling.js';
export { Normalization, type NormalizationArgs, type NestedNumbers, type AdaptDataset } from './feature_normalization.js';
export { AveragePooling2D, Conv2D, Conv2DTranspose, Cropping2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D, UpSampling2D, ZeroPadding2D, type Border2D, type Conv2DArgs, type Conv2DTransposeArgs, type Cropping2DArgs, type Padding, type Pooling2DArgs, type Size2D, type UpSampling2DArgs, type ZeroPadding2DArgs } from './convolutional.js';

/** Layer factories, as `tf.layers`. @example layers.dense({ units: 10, activation: 'relu', inputShape: [784] }) */
export const layers = {
  /** Fully connected: `activation(x·W + b)`. */
  dense: (args: DenseArgs) => orConfig('dense', 'Dense', args, () => new Dense(args)),
  /**
   * An activation on its own. Also takes what its `getConfig()` returns for a leaky ReLU, TF.js's
   * `LeakyReLU` config `{ alpha, … }` (the class it is saved as): `{ alpha }` without `activation`
   * is `activation: { name: 'leakyRelu', alpha }`.
   */
  activation: (args: (LayerArgs & { activation: ActivationSpec }) | (LayerArgs & { alpha: number; activation?: undefined })) =>
    orConfig('activation', 'Activation', args, () => new Activation(activationArgs(args) as LayerArgs & { activation: ActivationSpec })),
  /** TF.js's `LeakyReLU` layer: `x` for `x > 0`, `alpha·x` otherwise; default `alpha` 0.3 (the layer's default in TF.js and Keras; the `leakyRelu` op's is 0.2). A {@link LeakyReLU}. */
  leakyReLU: (args: LeakyReLUArgs = {}) => new LeakyReLU(args),
  /** TF.js's `ReLU` layer: `max(x, 0)`, capped at `maxValue` (any finite number >= 0) when given. A {@link ReLU}. */
  reLU: (args: ReLUArgs = {}) => new ReLU(args),
  /** TF.js's `ELU` layer: `x` for `x > 0`, `alpha·(eˣ − 1)` otherwise; default `alpha` 1. An {@link ELU}. */
  elu: (args: ELUArgs = {}) => new ELU(args),
  /** TF.js's `Softmax` layer, over the last axis (`axis` may only be -1). A {@link Softmax}. */
  softmax: (args: SoftmaxArgs = {}) => new Softmax(args),
  /** Parametric ReLU with a learnable slope per value of a sample (every axis but the batch; `sharedAxes: [1, 2]` shares one per channel of an image), initially 0 (TF.js's default `'zeros'`). */
  prelu: (args: PReLUArgs = {}) => orConfig('prelu', 'PReLU', args, () => new PReLU(args)),
  /** Inverted dropout with probability `rate` during training. */
  dropout: (args: DropoutArgs) => new Dropout(args),
  /** Additive Gaussian noise during training. */
  gaussianNoise: (args: LayerArgs & { stddev: number }) => new GaussianNoise(args),
  /** Batch normalization over the last axis. */
  batchNormalization: (args: BatchNormalizationArgs = {}) => orConfig('batchNormalization', 'BatchNormalization', args, () => new BatchNormalization(args)),
  /** Layer normalization over the last axis. */
  layerNormalization: (args: LayerNormalizationArgs = {}) => orConfig('layerNormalization', 'LayerNormalization', args, () => new LayerNormalization(args)),
  /** Flattens each sample. */
  flatten: (args: FlattenArgs = {}) => new Flatten(args),
  /** Reshapes each sample (one dimension of `targetShape` may be -1 or `null`: inferred). */
  reshape: (args: LayerArgs & { targetShape: Array<number | null> }) => new Reshape(args),
  /** Declares the input shape. */
  inputLayer: (args: LayerArgs & { sparse?: false | undefined }) => new InputLayer(args),
  /** TF.js's alias of {@link input} (`tf.layers.input`): a graph model's symbolic input. */
  input: (args: InputArgs): SymbolicTensor => input(args),
  /** Radial basis functions `φ(‖x − cᵢ‖ / σᵢ)` with learnable centers and widths. */
  rbf: (args: RBFArgs) => orConfig('rbf', 'neurite>RBF', args, () => new RBF(args)),
  /** Salt-and-pepper noise during training: a fraction `rate` of the inputs set to `low` or `high`. */
  saltAndPepper: (args: SaltAndPepperArgs) => new SaltAndPepper(args),
  /** 2-D convolution over `[batch, height, width, channels]`: `activation(conv2d(x, W) + b)`. */
  conv2d: (args: Conv2DArgs) => orConfig('conv2d', 'Conv2D', args, () => new Conv2D(args)),
  /**
   * Transposed 2-D convolution (the adjoint of conv2d; a decoder's upsampling):
   * `activation(conv2dTranspose(x, W) + b)`, `[batch, h, w, in]` → `[batch, h·s, w·s, filters]`
   * with `'same'` padding; Keras 3's `outputPadding` sets the size exactly (`[b, 7, 7, c]` →
   * `[b, 13, 13, filters]` with `kernelSize: 3, strides: 2, padding: 'same', outputPadding: 0`).
   */
  conv2dTranspose: (args: Conv2DTransposeArgs) => orConfig('conv2dTranspose', 'Conv2DTranspose', args, () => new Conv2DTranspose(args)),
  /** Depthwise 2-D convolution: each channel filtered on its own, `[batch, h, w, in]` → `[batch, oh, ow, in·depthMultiplier]`. */
  depthwiseConv2d: (args: DepthwiseConv2DArgs) => orConfig('depthwiseConv2d', 'DepthwiseConv2D', args, () => new DepthwiseConv2D(args)),
  /** Depthwise-separable 2-D convolution: a depthwise stage, then a 1×1 convolution to `filters` channels. */
  separableConv2d: (args: SeparableConv2DArgs) => orConfig('separableConv2d', 'SeparableConv2D', args, () => new SeparableConv2D(args)),
  /** Zeros around each image, `[batch, h, w, c]` → `[batch, h + top + bottom, w + left + right, c]` (default 1 at each border). */
  zeroPadding2d: (args: ZeroPadding2DArgs = {}) => new ZeroPadding2D(args),
  /** Rows and columns cut at the borders of each image, `[batch, h, w, c]` → `[batch, h − top − bottom, w − left − right, c]`. */
  cropping2d: (args: Cropping2DArgs) => new Cropping2D(args),
  /** TF.js's spelling of {@link layers.cropping2d}. */
  cropping2D: (args: Cropping2DArgs) => new Cropping2D(args),
  /** Max pooling over windows of each channel (default 2×2, stride = pool size). */
  maxPooling2d: (args: Pooling2DArgs = {}) => new MaxPooling2D(args),
  /** TF.js's alias of {@link layers.maxPooling2d}. */
  maxPool2d: (args: Pooling2DArgs = {}) => new MaxPooling2D(args),
  /** Average pooling over windows of each channel (default 2×2, stride = pool size). */
  averagePooling2d: (args: Pooling2DArgs = {}) => new AveragePooling2D(args),
  /** TF.js's alias of {@link layers.averagePooling2d}. */
  avgPool2d: (args: Pooling2DArgs = {}) => new AveragePooling2D(args),
  /** TF.js's other alias of {@link layers.averagePooling2d}. */
  avgPooling2d: (args: Pooling2DArgs = {}) => new AveragePooling2D(args),
  /** The largest value of each channel over the image: `[batch, h, w, c]` → `[batch, c]`. */
  globalMaxPooling2d: (args: LayerArgs & { dataFormat?: 'channelsLast' | undefined } = {}) => new GlobalMaxPooling2D(args),
  /** TF.js's alias of {@link layers.globalMaxPooling2d}. */
  globalMaxPool2d: (args: LayerArgs & { dataFormat?: 'channelsLast' | undefined } = {}) => new GlobalMaxPooling2D(args),
  /** The mean of each channel over the image: `[batch, h, w, c]` → `[batch, c]`. */
  globalAveragePooling2d: (args: LayerArgs & { dataFormat?: 'channelsLast' | undefined } = {}) => new GlobalAveragePooling2D(args),
  /** Nearest-neighbour up-sampling: each row and column repeated `size` times (default 2). */
  upSampling2d: (args: UpSampling2DArgs = {}) => new UpSampling2D(args),
  /** A VAE's sampling layer: mean and log-variance heads, `z = μ + σ·ε` in training, KL added to the loss. */
  variational: (args: VariationalArgs) => new Variational(args),
  /** Element-wise sum of its inputs (a residual connection): `add.apply([a, b])` in a graph model. */
  add: (args: LayerArgs = {}) => mergeLayer('add', args),
  /** `a − b` of its two inputs. */
  subtract: (args: LayerArgs = {}) => mergeLayer('subtract', args),
  /** Element-wise product of its inputs. */
  multiply: (args: LayerArgs = {}) => mergeLayer('multiply', args),
  /** Element-wise mean of its inputs. */
  average: (args: LayerArgs = {}) => mergeLayer('average', args),
  /** Element-wise maximum of its inputs. */
  maximum: (args: LayerArgs = {}) => mergeLayer('maximum', args),
  /** Element-wise minimum of its inputs. */
  minimum: (args: LayerArgs = {}) => mergeLayer('minimum', args),
  /** Joins its inputs along `axis` (default −1, the last): a skip connection in a U-Net. */
  concatenate: (args: ConcatenateArgs = {}) => new Concatenate(args),
  /** A 1-D convolution over `[batch, steps, channels]` (`padding: 'causal'` for time series). */
  conv1d: (args: Conv1DArgs) => orConfig('conv1d', 'Conv1D', args, () => new Conv1D(args)),
  /** A transposed 1-D convolution (Keras 3's Conv1DTranspose): a 1-D decoder's learned upsampling, `[b, n, c]` → `[b, n·strides, filters]` with `'same'`. */
  conv1dTranspose: (args: Conv1DTransposeArgs) => orConfig('conv1dTranspose', 'Conv1DTranspose', args, () => new Conv1DTranspose(args)),
  /** Each step repeated `size` times (Keras 3's UpSampling1D, default 2): `[b, n, c]` → `[b, n·size, c]`, a 1-D decoder's way back up. */
  upSampling1d: (args: UpSampling1DArgs = {}) => new UpSampling1D(args),
  /** Zero steps at both ends of each sequence (Keras 3's ZeroPadding1D, default 1 each): `[b, n, c]` → `[b, start + n + end, c]`. */
  zeroPadding1d: (args: ZeroPadding1DArgs = {}) => new ZeroPadding1D(args),
  /** Steps cut at both ends of each sequence (Keras 3's Cropping1D, default 1 each): `[b, n, c]` → `[b, n − start − end, c]`. */
  cropping1d: (args: Cropping1DArgs = {}) => new Cropping1D(args),
  /** Max pooling over windows of steps (default 2). */
  maxPooling1d: (args: Pooling1DArgs = {}) => new MaxPooling1D(args),
  /** TF.js's alias of {@link layers.maxPooling1d}. */
  maxPool1d: (args: Pooling1DArgs = {}) => new MaxPooling1D(args),
  /** Average pooling over windows of steps (default 2). */
  averagePooling1d: (args: Pooling1DArgs = {}) => new AveragePooling1D(args),
  /** TF.js's alias of {@link layers.averagePooling1d}. */
  avgPool1d: (args: Pooling1DArgs = {}) => new AveragePooling1D(args),
  /** TF.js's other alias of {@link layers.averagePooling1d}. */
  avgPooling1d: (args: Pooling1DArgs = {}) => new AveragePooling1D(args),
  /** The largest value of each channel over all steps: `[batch, steps, c]` → `[batch, c]`. */
  globalMaxPooling1d: (args: LayerArgs & { dataFormat?: 'channelsLast' | undefined } = {}) => new GlobalMaxPooling1D(args),
  /** TF.js's alias of {@link layers.globalMaxPooling1d}. */
  globalMaxPool1d: (args: LayerArgs & { dataFormat?: 'channelsLast' | undefined } = {}) => new GlobalMaxPooling1D(args),
  /** The mean of each channel over all steps: `[batch, steps, c]` → `[batch, c]`. */
  globalAveragePooling1d: (args: LayerArgs & { dataFormat?: 'channelsLast' | undefined } = {}) => new GlobalAveragePooling1D(args),
  /** A learned vector per integer index, `[batch, ...]` → `[batch, ..., outputDim]` (indices in `[0, inputDim)`). */
  embedding: (args: EmbeddingArgs) => orConfig('embedding', 'Embedding', args, () => new Embedding(args)),
  /** Each sample's vector repeated `n` times: `[batch, features]` → `[batch, n, features]`. */
  repeatVector: (args: RepeatVectorArgs) => new RepeatVector(args),
  /** Reorders the non-batch axes by `dims`, a permutation of `1..rank` (`[2, 1]`: `[batch, a, b]` → `[batch, b, a]`). */
  permute: (args: PermuteArgs) => new Permute(args),
  /** `x·scale + offset` (TF.js 4.x's and Keras 3's preprocessing layer; default offset 0). */
  rescaling: (args: RescalingArgs) => new Rescaling(args),
  /**
   * Keras 3's `Normalization`: `(x − mean) / max(√variance, 1e-7)` per feature (the kept `axis`,
   * default `-1`), with statistics from `layer.adapt(xTrain)` or the `mean`/`variance` options,
   * carried in the model as non-trainable weights; `invert` undoes it. TF.js has none.
   */
  normalization: (args: NormalizationArgs = {}) => orConfig('normalization', 'Normalization', args, () => new Normalization(args)),
  /** The dot product of two inputs along an axis of each (`axes`, batch axis counted), optionally of their L2-normalized values (cosine similarity): `[b, d]`·`[b, d]` → `[b, 1]`. A merge layer: `dot({ axes: 1 }).apply([a, b])`. */
  dot: (args: DotArgs) => new Dot(args),
  /** `x` where `x > theta`, else 0 (default `theta` 1). */
  thresholdedReLU: (args: ThresholdedReLUArgs = {}) => new ThresholdedReLU(args),
  /**
   * Masks the steps whose features all equal `maskValue` (default 0): their output is 0 and the
   * layers after it carry the mask (Keras 3's rules, as after `embedding({ maskZero: true })`).
   */
  masking: (args: MaskingArgs = {}) => new Masking(args),
  /** Multiplies each value by `N(1, rate/(1−rate))` noise during training; identity at inference. */
  gaussianDropout: (args: NoiseRateArgs) => new GaussianDropout(args),
  /** Dropout for SELU networks: keeps a standardized input's mean and variance (Keras's formula). */
  alphaDropout: (args: AlphaDropoutArgs) => new AlphaDropout(args),
  /** Drops whole channels of `[batch, steps, channels]` during training (scaling the rest by 1/(1−rate)). */
  spatialDropout1d: (args: SpatialDropout1DArgs) => new SpatialDropout1D(args),
};
