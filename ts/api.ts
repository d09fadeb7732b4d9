/**
 * The public API shared by both entries (`neurite` with the wasm inlined, `neurite/url` which
 * fetches `core.wasm`). Everything exported here is documented and stable.
 */
export { Tensor, type NestedArray, type Scalar, type Tensor1D, type Tensor2D, type Tensor3D, type Tensor4D, type Tensor5D, type Tensor6D } from './tensor.js';
export { tidy, keep, dispose, memory, setDebug, type MemoryInfo } from './scope.js';
export {
  NeuriteError,
  InvalidArgumentError,
  ShapeError,
  DisposedError,
  OutOfMemoryError,
  WasmPanicError,
  IOError,
  NonFiniteError,
  type ErrorCode,
} from './errors.js';
export { MAX_ELEMENTS, type TensorLike, type TensorValues } from './ops/convert.js';
export { Rank, type ArrayMap, type ShapeMap, type TensorContainer, type TensorContainerObject, type TensorContainerArray } from './types.js';
export type { WasmSource } from './wasm/load.js';
export type { InitOptions } from './init.js';
export { threads, threadsReady, shutdown, type ThreadsInfo } from './threads/api.js';
export { tensor, tensor1d, tensor2d, tensor3d, tensor4d, scalar, zeros, ones, fill, zerosLike, onesLike, clone, stopGradient, cast, eye, range, linspace } from './ops/creation.js';
export {
  add, sub, mul, div, pow, maximum, minimum,
  equal, notEqual, greater, greaterEqual, less, lessEqual, atan2, mod, floorDiv,
} from './ops/binary.js';
export { neg, abs, exp, log, sqrt, square, sign, floor, ceil, round, reciprocal, log1p, expm1, sin, cos,
  tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh, erf, rsqrt } from './ops/unary.js';
export { sum, mean, max, min, prod, variance, moments, argMax, argMin } from './ops/reduce.js';
export { clipByValue } from './ops/clip.js';
export { where } from './ops/select.js';
export { matMul, dot, outerProduct, type MatMulOptions } from './ops/matmul.js';
export { reshape, transpose, squeeze, expandDims } from './ops/shape.js';
export { slice, split, gather, oneHot, reverse, type Indices } from './ops/slicing.js';
export { concat, stack, tile, pad, mirrorPad } from './ops/joining.js';
export { cumsum, cumprod } from './ops/scan.js';
export { unsortedSegmentSum } from './ops/segment.js';
export { avgPool, conv1d, conv1dTranspose, conv2d, conv2dTranspose, maxPool } from './ops/convolution.js';
export { depthwiseConv2d, separableConv2d } from './ops/depthwise_conv.js';
export { topk } from './ops/topk.js';
export { scatterND, tensorScatterUpdate, sparseToDense } from './ops/scatter.js';
export { gatherND } from './ops/gather_nd.js';
export { stridedSlice } from './ops/strided_slice.js';
export { unique } from './ops/unique.js';
export { bincount, denseBincount } from './ops/bincount.js';
export { searchSorted, lowerBound, upperBound, type SearchSide } from './ops/search_sorted.js';
export { booleanMaskAsync, whereAsync, setdiff1dAsync } from './ops/masking.js';
export { depthToSpace } from './ops/depth_to_space.js';
export { spaceToBatchND, batchToSpaceND } from './ops/space_to_batch.js';
export { localResponseNormalization } from './ops/local_response_normalization.js';
export { batchNorm, batchNorm2d, batchNorm3d, batchNorm4d } from './ops/batch_norm.js';
export { pool, type PoolingType } from './ops/pool.js';
export { dropout } from './ops/dropout_op.js';
export { randomStandardNormal, randomUniformInt, multinomial } from './ops/random_extra.js';
export { movingAverage } from './ops/moving_average.js';
export { einsum } from './ops/einsum.js';
export { slice1d, slice2d, slice3d, slice4d, reverse1d, reverse2d, reverse3d, reverse4d, pad1d, pad2d, pad3d, pad4d, concat1d, concat2d, concat3d, concat4d } from './ops/ranked.js';
// TF.js ops composed in TypeScript from the ones above (no kernel or backward rule of their own); tensor5d/6d.
export { tensor5d, tensor6d } from './ops/creation.js';
export { logSumExp } from './ops/logsumexp.js';
export { logSigmoid } from './ops/activation_ops.js';
export { norm, euclideanNorm, type NormOrd } from './ops/norm.js';
export { addN, squaredDifference, divNoNan } from './ops/arithmetic.js';
export { all, any } from './ops/all_any.js';
export { unstack } from './ops/unstack.js';
export { broadcastTo } from './ops/broadcast_to.js';
export { diag } from './ops/diag.js';
export { meshgrid } from './ops/meshgrid.js';
export { logicalAnd, logicalOr, logicalXor, logicalNot, isNaN, isInf, isFinite } from './ops/logical.js';
export { randomUniform, randomNormal, truncatedNormal, setSeed, type RandomUniformOptions, type RandomNormalOptions } from './ops/random.js';
// TF.js's top-level utilities that ported code uses, composed in TypeScript.
export { buffer, TensorBuffer } from './ops/buffer.js';
export { time, profile, nextFrame, type TimingInfo, type ProfileInfo, type KernelInfo } from './performance.js';
export { enclosingPowerOfTwo } from './ops/enclosing_power_of_two.js';
export { ensureShape } from './ops/ensure_shape.js';
export { rand } from './ops/rand.js';
export { inTopKAsync } from './ops/in_top_k.js';
export { maxPoolWithArgmax } from './ops/max_pool_with_argmax.js';
export * as signal from './signal.js';
export * as util from './util.js';
export * as serialization from './serialization.js';
export {
  activation, activationGrad, relu, leakyRelu, prelu, preluGrad, softplus, sigmoid, tanh, softmax, logSoftmax,
  elu, selu, gelu, geluNew, swish, silu, hardSigmoid, hardSilu, softsign, relu6, cappedRelu, mish, linear, stairStep, unitStep, heaviside, step, type AxisOptions, type StraightThroughOptions,
} from './activations.js';
export type { ActivationSpec, ActivationName } from './wasm/codes.js';
export * as losses from './losses.js';
export { Reduction } from './weighted_losses.js';
export * as math from './math.js';
export * as data from './data/index.js';
export type { FitDatasetArgs, EvaluateDatasetArgs, DatasetLike, FitDatasetElement } from './models/fit-dataset.js';
export * as metrics from './metrics.js';
export * as optimizers from './optimizers.js';
export * as train from './train.js';
export * as schedules from './schedules.js';
export { Optimizer, type GradientPair, type NamedGradients, type NamedTensor, type OptimizerConfig } from './optimizers.js';
export { LearningRateSchedule, type LearningRate } from './schedules.js';
export { sequential, Sequential, LayersModel, type DisposeResult, type EvaluateOptions, type SequentialArgs } from './models/sequential.js';
export { autoencoder, Autoencoder, type AutoencoderArgs } from './models/autoencoder.js';
export { input, model, SymbolicTensor, type InputArgs, type ModelArgs } from './models/functional.js';
export { type Shape, type LayerNode } from './layers/layer.js';
export { loadLayersModel, loadModel, models } from './io/lazy.js';
export type { LoadedModel } from './io/load.js';
export type { ModelArtifacts, ModelArtifactsInfo, WeightsManifestEntry, SaveResult, IOHandler, TrainingConfig } from './io/artifacts.js';
export type { SaveOptions, LoadOptions } from './io/model.js';
export type { ModelConfig } from './io/topology.js';
export type { WeightValues } from './models/weights.js';
export { Layer, KernelLayer, Dense, Activation, Dropout, GaussianNoise, Flatten, Reshape, InputLayer, BatchNormalization, LayerNormalization, PReLU, Conv2D, Conv2DTranspose, type Conv2DTransposeArgs, DepthwiseConv2D, SeparableConv2D, type DepthwiseConv2DArgs, type SeparableConv2DArgs, Embedding, RepeatVector, Permute, Rescaling, Normalization, type NormalizationArgs, type NestedNumbers, type AdaptDataset, type EmbeddingArgs, type RepeatVectorArgs, type PermuteArgs, type RescalingArgs, ZeroPadding2D, Cropping2D, MaxPooling2D, AveragePooling2D, GlobalMaxPooling2D, GlobalAveragePooling2D, UpSampling2D, Merge, Concatenate, Dot, ThresholdedReLU, Masking, type MaskingArgs, LeakyReLU, ELU, ReLU, Softmax, type LeakyReLUArgs, type ELUArgs, type ReLUArgs, type SoftmaxArgs, GaussianDropout, AlphaDropout, SpatialDropout1D, type DotArgs, type ThresholdedReLUArgs, type NoiseRateArgs, type AlphaDropoutArgs, type SpatialDropout1DArgs, Conv1D, Conv1DTranspose, type Conv1DTransposeArgs, UpSampling1D, ZeroPadding1D, Cropping1D, type UpSampling1DArgs, type ZeroPadding1DArgs, type Cropping1DArgs, type Border1D, MaxPooling1D, AveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling1D, type Conv1DArgs, type Pooling1DArgs, type ConcatenateArgs, type MergeKind, type LayerArgs, type DenseArgs, type BatchNormalizationArgs, type LayerNormalizationArgs, type DropoutArgs, type FlattenArgs, type PReLUArgs, type Conv2DArgs, type Pooling2DArgs, type UpSampling2DArgs, type ZeroPadding2DArgs, type Cropping2DArgs, type Border2D, type Size2D, type Padding } from './layers/index.js';
import { layers as layerFactories, Layer as LayerClass } from './layers/index.js';

/**
 * Layer factories, as `tf.layers` (`layers.dense({ units: 10, activation: 'relu', inputShape:
 * [784] })`), and `layers.Layer`, the base class of every layer, as TF.js's `tf.layers.Layer`:
 * for `instanceof` and, in types, `layers.Layer` (the class {@link Layer}). A plain object, as
 * TF.js's: a layer neurite does not have (`layers.lstm`) is `undefined`, so feature detection
 * (`typeof layers.lstm === 'function'`, `'lstm' in layers`, `layers.lstm?.(…)`) works.
 */
// Typed as the factories' object, so that editors show each factory's own TSDoc (an inferred
// object type is written out member by member in the .d.ts, without it).
export const layers: typeof layerFactories & {
  /** The base class of every layer (TF.js's `tf.layers.Layer`): {@link Layer}. */
  Layer: typeof LayerClass;
} = {
  ...layerFactories,
  /** The base class of every layer (TF.js's `tf.layers.Layer`): {@link Layer}. */
  Layer: LayerClass,
};

/** `layers.Layer` as a type, as TF.js's `tf.layers.Layer`. */
export declare namespace layers {
  /** The base class of every layer (TF.js's `tf.layers.Layer`): {@link Layer}. */
  type Layer = LayerClass;
}
export { initializers, type Initializer, type InitializerSpec } from './layers/initializers.js';
export { constraints, Constraint, type ConstraintSpec, type ConstraintName, type MaxNormArgs, type MinMaxNormArgs, type UnitNormArgs } from './constraints.js';
export { regularizers, type Regularizer, type RegularizerSpec, type KlSparsityRegularizer, type ActivityRegularizerSpec } from './layers/regularizers.js';
export { type SummaryOptions } from './models/summary.js';
export { callbacks, Callback, CustomCallback, MonitorCallback, EarlyStopping, TerminateOnNaN, ReduceLROnPlateau, ModelCheckpoint, LearningRateScheduler, type CallbackHooks, type CallbackParams, type CustomCallbackArgs, type EarlyStoppingArgs, type Logs, type ModelCheckpointArgs, type MonitorCallbackArgs, type ReduceLROnPlateauArgs, type TrainingModel } from './models/callbacks.js';
export { progressBar, type ProgressBarArgs, type ProgressOut, type ProgressReporter } from './models/progress.js';
export type { FitArgs, History, HistoryLogs, SampleWeight, YieldEvery } from './models/fit.js';
export { exportTrainingState, importTrainingState, optimizerFromConfig, type TrainingState } from './models/training-state.js';
export type { LossReduction, LossAlias } from './options.js';
export type { LossName, LossConfig, LossOptions, LossWeights } from './losses.js';
export type { OptimizerName } from './wasm/codes.js';
export type { InitializerName, InitializerAlias, FanMode, VarianceDistribution } from './layers/initializers.js';
export type { CompileArgs, OptimizerClassName, MetricName, MetricAlias, LossFunction, MetricFunction, LossSpec, MetricSpec, FromPredictName, AccumulatedMetricName, MetricConfig } from './models/compile.js';
export type { AucOptions, F1Options } from './metric-state.js';
export { grad, grads, valueAndGrad, valueAndGrads, variableGrads, customGrad, variable, disposeVariables, LayerVariable, type Variable, type TrainableVariable, type CustomGradientFunc, type CustomGradientResult, type GradSaveFunc } from './autodiff.js';
export { RBF, RBF_KERNELS, type RBFArgs, type RbfKernelName } from './layers/index.js';
export { SaltAndPepper, Variational, type SaltAndPepperArgs, type VariationalArgs, type Distribution } from './layers/index.js';
export {
  neuron, Neuron, perceptron, Perceptron, kmeans, leastSquares, rbfNetwork, RBFNetwork, rbfFeatures, rbfWidths, collapseLinear,
  type NeuronArgs, type PerceptronArgs, type PerceptronFitArgs, type PerceptronFitResult, type PerceptronOutput,
  type KMeansArgs, type KMeansResult, type LeastSquaresArgs, type RBFNetworkArgs, type RBFNetworkFitArgs, type RBFNetworkFitResult, type RbfWidthsArgs,
} from './classic/index.js';
export { pca, PCA, type PCAArgs } from './decomposition/pca.js';
export { psnr, type PsnrArgs } from './image/psnr.js';
export { ssim, type SsimArgs } from './image/ssim.js';
export * as image from './image/index.js';
export * as linalg from './ops/linalg.js';
export * as browser from './browser/pixels.js';
export type { PixelData, PixelSource, DrawableImage, CanvasLike } from './browser/pixels.js';
export { ready, getBackend, setBackend, enableProdMode, enableDebugMode, print } from './backend.js';
export { env, type Environment, type FlagValue } from './env.js';
export { version } from './version.js';
export * as compression from './compression/index.js';
export * as codecs from './compression/codecs/index.js';
export * as io from './io/handlers/index.js';
// Types that public signatures use, exported so that a library built on neurite can name them
// (its `tsc --declaration` otherwise fails with TS2742, or writes `import("…/dist/types/…")`
// paths), from both entries; test/declaration-emit.test.ts keeps it so. Type-only: nothing at run time. `L1L2` is
// the class `regularizers.l1/l2/l1l2()` return (its constructor is internal: the factories check
// the coefficients; TF.js exports neither it nor `Regularizer`).
export type { L1L2 } from './layers/regularizers.js';
export type { Disposable } from './scope.js';
export type { AutoencoderFitArgs, AutoencoderPredictArgs } from './models/autoencoder.js';
export type { Verbose } from './models/progress.js';
export type { OpPadding } from './ops/convolution.js';
export type { NestedNumbers as NestedValues } from './ops/convert.js';
export type { WasmModule } from './wasm/load.js';
export type { WebURL, WebResponse, WebRequestInit } from './web-types.js';
