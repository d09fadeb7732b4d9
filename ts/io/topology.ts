/**
 * Keras model configs ⇄ neurite layers and models. A live model becomes a spec (`spec.ts`) and
 * then a Keras config exactly as TF.js's `model.toJSON()` writes it (snake_case, TF.js class
 * names, `batch_input_shape` on the first layer); a config becomes a spec (every field checked,
 * each error naming its path, e.g. `config.layers[2].config.units`) and then live objects.
 *
 * Every field of a layer's config is implemented, kept, or refused with an error saying why.
 * Kept: a value neurite reads as something it would write otherwise (a seed it does not draw
 * from, `'truncated_normal'`, Python Keras's class names, `target_shape` -1, a positive axis) is
 * written back verbatim when the layer is saved (`kept`); so is one it cannot implement but
 * which the weights make harmless (an initializer it cannot draw), which only loading the
 * weights with the config accepts (`specFromKeras`).
 *
 * Layers TF.js does not have are custom classes: `neurite>RBF`, `neurite>SaltAndPepper`,
 * `neurite>Variational` (TF.js fails on them with "Unknown layer: neurite>RBF"). TF.js's
 * `LeakyReLU`, `ELU`, `ReLU` and `Softmax` layers are activation layers of those classes
 * (`ts/layers/activation_layers.ts`), written and read as TF.js's; an `activation` layer with a
 * leaky ReLU is written as a `LeakyReLU` layer too (TF.js has no such activation).
 *
 * Graph models (the functional API) are TF.js's `class_name: 'Model'` configs: each layer with
 * its `inbound_nodes`, and `input_layers`/`output_layers`; their spec carries the wiring.
 *
 * Keras 3 configs (`model.to_json()`: `batch_shape`, `DTypePolicy`, `{ args, kwargs }` inbound
 * nodes, `module`/`registered_name`) are told apart by {@link isKeras3} and read as the Keras 2
 * config they correspond to by `keras3.ts`, which is in the storage chunk: `load.ts` hands it
 * over with {@link setKeras3Reader} when that chunk loads.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Constraint } from '../constraints.js';
import { Activation, Dense, Dropout, Flatten, GaussianNoise, InputLayer, Reshape } from '../layers/core.js';
import { initializerOf, type Initializer } from '../layers/initializers.js';
import { CLASS_NAMES, Layer, LAYER_KINDS, setConfigWriter, showShape, type LayerKind } from '../layers/layer.js';
import { BatchNormalization, lastAxisArg, LayerNormalization, PReLU, sharedAxesArg } from '../layers/normalization.js';
import { RBF, RBF_KERNELS } from '../layers/rbf.js';
import { SaltAndPepper, Variational } from '../layers/autoencoder.js';
import { AveragePooling2D, border, Conv2D, Conv2DTranspose, Cropping2D, ZeroPadding2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPooling2D, UpSampling2D } from '../layers/convolutional.js';
import { activityRegularizerAbi, regularizerAbi, type ActivityRegularizerSpec, type Regularizer } from '../layers/regularizers.js';
import { describe, show } from '../ops/convert.js';
import { nearest } from '../options.js';
import { Concatenate, Dot, Merge, mergeLayer } from '../layers/merge.js';
import { AlphaDropout, GaussianDropout, SpatialDropout1D } from '../layers/noise.js';
import { ThresholdedReLU } from '../layers/thresholded_relu.js';
import { Masking } from '../layers/masking.js';
import { activationLayerOf, type ActivationLayerClass } from '../layers/activation_layers.js';
import type { ActivationSpec } from '../layers/activation_abi.js';
import { DepthwiseConv2D, SeparableConv2D } from '../layers/depthwise.js';
import { Embedding } from '../layers/embedding.js';
import { Permute, RepeatVector } from '../layers/rearrange.js';
import { Rescaling } from '../layers/rescaling.js';
import { Normalization } from '../layers/feature_normalization.js';
import { AveragePooling1D, Conv1D, Conv1DTranspose, Cropping1D, GlobalAveragePooling1D, GlobalMaxPooling1D, MaxPooling1D, UpSampling1D, ZeroPadding1D } from '../layers/convolutional1d.js';
import { Sequential, ownNested } from '../models/sequential.js';
import {
  activationFromKeras, activationToKeras, activityToKeras, bad, camel, constraintFromKeras, constraintToKeras, CUSTOM, initializerFromKeras, initializerToKeras,
  isInt, isObject, kerasObject, normalizeActivation, objectAt, pythonicConfig, regularizerFromKeras, regularizerToKeras, sameConfig, tsConfig, type KerasObject,
} from './keras.js';
import { checkUniqueNames, graphShapes, inferWeights, mergeOutput, MERGE_KINDS, specInputShape, type LeafSpec, type ModelSpec, type NodeSpec } from './spec.js';

/** The version neurite writes into `keras_version` and `generatedBy`. */
export const NEURITE_VERSION = '0.1.0';

/** A Keras model config as `model.getConfig()` returns it (TF.js `model.toJSON(null, false)`). */
export interface ModelConfig {
  class_name: string;
  config: Record<string, unknown>;
  keras_version?: string;
  backend?: string;
}

/** Keras class names by neurite kind: TF.js's, and `neurite>…` for the layers only neurite has. */
const CLASS_OF = Object.fromEntries(Object.entries(CLASS_NAMES).map(([k, c]) => [k, ['rbf', 'saltAndPepper', 'variational'].includes(k) ? `${CUSTOM}${c}` : c])) as Record<LayerKind | 'input', string>;
/** Every layer class neurite reads (TF.js's `ReLU`, `ELU`, `Softmax`, `LeakyReLU` are activation layers of those classes). */
export const SUPPORTED_CLASSES = [...Object.values(CLASS_OF), 'LeakyReLU', 'ReLU', 'ELU', 'Softmax', 'MaxPool2D', 'AvgPool2D', 'MaxPool1D', 'AvgPool1D', 'Sequential'];

// ---------------------------------------------------------------------------------------------
// live objects → spec

const reg = (op: string, r: unknown, field: string): Regularizer | undefined => {
  const [l1, l2] = regularizerAbi(op, r as never, field);
  return l1 === 0 && l2 === 0 ? undefined : { l1, l2 };
};
const init = (op: string, field: string, spec: unknown): Initializer => initializerOf(op, field, spec as never);

/**
 * The config values each loaded layer keeps verbatim (snake_case key → the file's value): what
 * neurite reads as something it would write otherwise (a seed it does not draw from, Python
 * Keras's class names, `'truncated_normal'`, a positive axis) or keeps without implementing
 * (see {@link specFromKeras}), written back unchanged when the layer is saved.
 */
const kept = new WeakMap<Layer, Record<string, unknown>>();

/** @internal The spec of a live layer (its options normalized, defaults resolved). */
export function layerSpec(l: Layer, where: string): LeafSpec {
  const keep = kept.get(l);
  const base = { type: 'layer' as const, kind: l.kind, name: l.name, trainable: l.trainable, where, ...(l.inputDims ? { inputShape: l.inputDims.slice() } : {}), ...(keep ? { keep } : {}) };
  const op = 'getConfig';
  let args: Record<string, unknown> = {};
  if (l instanceof Dense) {
    const a = l.args;
    const act = activityRegularizerAbi(op, a.activityRegularizer);
    const activity: ActivityRegularizerSpec | undefined = act.length === 4 ? { kind: 'klSparsity', target: act[2], weight: act[3] } : act[0] || act[1] ? { l1: act[0], l2: act[1] } : undefined;
    args = {
      units: l.units, activation: normalizeActivation(op, l.activation), useBias: a.useBias !== false,
      kernelInitializer: init(op, 'kernelInitializer', a.kernelInitializer ?? 'glorotUniform'), biasInitializer: init(op, 'biasInitializer', a.biasInitializer ?? 'zeros'),
      kernelRegularizer: reg(op, a.kernelRegularizer, 'kernelRegularizer'), biasRegularizer: reg(op, a.biasRegularizer, 'biasRegularizer'), activityRegularizer: activity,
    };
  } else if (l instanceof Activation) {
    // TF.js's LeakyReLU, ELU, ReLU and Softmax layers keep their class (`layerClass`).
    const cls = l.getClassName();
    args = { activation: normalizeActivation(op, l.activation), ...(cls !== 'Activation' ? { layerClass: cls } : {}) };
  }
  else if (l instanceof Dropout) args = { rate: l.rate, ...(l.seed !== undefined ? { seed: l.seed } : {}) };
  else if (l instanceof GaussianNoise) args = { stddev: l.stddev };
  else if (l instanceof BatchNormalization) args = { axis: l.args.axis ?? -1, momentum: l.args.momentum ?? 0.99, epsilon: l.args.epsilon ?? 1e-3, center: l.args.center !== false, scale: l.args.scale !== false };
  else if (l instanceof LayerNormalization) args = { axis: l.args.axis ?? -1, epsilon: l.args.epsilon ?? 1e-3, center: l.args.center !== false, scale: l.args.scale !== false };
  else if (l instanceof PReLU) args = { alphaInitializer: init(op, 'alphaInitializer', l.args.alphaInitializer ?? 'zeros'), alphaRegularizer: reg(op, l.args.alphaRegularizer, 'alphaRegularizer'), sharedAxes: l.sharedAxes };
  else if (l instanceof Reshape) args = { targetShape: l.targetShape.slice() };
  else if (l instanceof Flatten) args = l.dataFormat !== undefined ? { dataFormat: l.dataFormat } : {};
  else if (l instanceof Conv2D || l instanceof Conv2DTranspose || l instanceof Conv1D || l instanceof Conv1DTranspose) {
    const a = l.args;
    const list = (v: number | number[]) => (typeof v === 'number' ? v : v.slice());
    args = {
      filters: l.filters, kernelSize: list(l.kernelSize), strides: list(l.strides), padding: l.padding, dilationRate: list(l.dilationRate),
      // TF.js's Conv2DTranspose has no outputPadding: it is there only when set.
      ...(l instanceof Conv1DTranspose || (l instanceof Conv2DTranspose && l.outputPadding !== null) ? { outputPadding: l.outputPadding } : {}),
      activation: normalizeActivation(op, l.activation), useBias: a.useBias !== false,
      kernelInitializer: init(op, 'kernelInitializer', a.kernelInitializer ?? 'glorotUniform'), biasInitializer: init(op, 'biasInitializer', a.biasInitializer ?? 'zeros'),
      kernelRegularizer: reg(op, a.kernelRegularizer, 'kernelRegularizer'), biasRegularizer: reg(op, a.biasRegularizer, 'biasRegularizer'),
      activityRegularizer: reg(op, a.activityRegularizer, 'activityRegularizer'),
    };
  } else if (l instanceof DepthwiseConv2D || l instanceof SeparableConv2D) {
    const a = l.args;
    const separable = l instanceof SeparableConv2D;
    args = {
      ...(separable ? { filters: l.filters } : {}),
      kernelSize: l.kernelSize.slice(), depthMultiplier: l.depthMultiplier, strides: l.strides.slice(), padding: l.padding, dilationRate: l.dilationRate.slice(),
      activation: normalizeActivation(op, l.activation), useBias: a.useBias !== false,
      depthwiseInitializer: init(op, 'depthwiseInitializer', a.depthwiseInitializer ?? 'glorotUniform'),
      ...(separable ? { pointwiseInitializer: init(op, 'pointwiseInitializer', a.pointwiseInitializer ?? 'glorotUniform') } : {}),
      biasInitializer: init(op, 'biasInitializer', a.biasInitializer ?? 'zeros'),
      depthwiseRegularizer: reg(op, a.depthwiseRegularizer, 'depthwiseRegularizer'),
      ...(separable ? { pointwiseRegularizer: reg(op, a.pointwiseRegularizer, 'pointwiseRegularizer') } : {}),
      biasRegularizer: reg(op, a.biasRegularizer, 'biasRegularizer'),
    };
  } else if (l instanceof MaxPooling2D || l instanceof AveragePooling2D) args = { poolSize: l.poolSize.slice(), strides: l.strides.slice(), padding: l.padding };
  else if (l instanceof MaxPooling1D || l instanceof AveragePooling1D) args = { poolSize: l.poolSize, strides: l.strides, padding: l.padding };
  else if (l instanceof UpSampling2D) args = { size: l.size.slice(), interpolation: l.interpolation };
  else if (l instanceof ZeroPadding2D) args = { padding: l.amounts.map((a) => a.slice()) };
  else if (l instanceof Cropping2D) args = { cropping: l.amounts.map((a) => a.slice()) };
  else if (l instanceof UpSampling1D) args = { size: l.size };
  else if (l instanceof ZeroPadding1D) args = { padding: l.amounts.slice() };
  else if (l instanceof Cropping1D) args = { cropping: l.amounts.slice() };
  else if (l instanceof SaltAndPepper) args = { rate: l.rate, low: l.low, high: l.high };
  else if (l instanceof Variational) args = { units: l.units, klWeight: l.klWeight };
  else if (l instanceof RBF) {
    // The ABI layout is the one complete record of an rbf layer's options (RbfConfig::from_abi).
    const p = l.abiParams();
    const nc = p[2];
    const centers = p.slice(3, 3 + nc);
    const nw = p[3 + nc];
    const widths = p.slice(4 + nc, 4 + nc + nw);
    args = { units: l.units, kernel: l.kernel, ...(nc > 0 ? { centers } : {}), widths: widths.length === 1 ? widths[0] : widths, centersInitializer: init(op, 'centersInitializer', l.centersInitializer) };
  } else if (l instanceof Concatenate) args = { axis: l.axis };
  else if (l instanceof Embedding) {
    const a = l.args;
    args = {
      inputDim: l.inputDim, outputDim: l.outputDim, embeddingsInitializer: init(op, 'embeddingsInitializer', a.embeddingsInitializer ?? 'randomUniform'),
      embeddingsRegularizer: reg(op, a.embeddingsRegularizer, 'embeddingsRegularizer'), ...(l.inputLength !== undefined ? { inputLength: l.inputLength } : {}),
      ...(l.maskZero ? { maskZero: true } : {}),
    };
  } else if (l instanceof RepeatVector) args = { n: l.n };
  else if (l instanceof Permute) args = { dims: l.dims.slice() };
  else if (l instanceof Rescaling) args = { scale: l.scale, offset: l.offset };
  else if (l instanceof Normalization) args = { axis: l.axis.slice(), invert: l.invert, mean: l.args.mean ?? null, variance: l.args.variance ?? null };
  else if (l instanceof Dot) args = { axes: typeof l.axes === 'number' ? l.axes : [...l.axes], normalize: l.normalize };
  else if (l instanceof ThresholdedReLU) args = { theta: l.theta };
  else if (l instanceof Masking) args = { maskValue: l.maskValue };
  else if (l instanceof GaussianDropout || l instanceof AlphaDropout) args = { rate: l.rate };
  else if (l instanceof SpatialDropout1D) args = { rate: l.rate, ...(l.seed !== undefined ? { seed: l.seed } : {}) };
  else if (!(l instanceof InputLayer) && !(l instanceof GlobalMaxPooling2D) && !(l instanceof GlobalAveragePooling2D) && !(l instanceof Merge) && !(l instanceof GlobalMaxPooling1D) && !(l instanceof GlobalAveragePooling1D)) {
    throw new InvalidArgumentError(`${op}: layer ${l.name} of kind '${l.kind}' cannot be serialized`);
  }
  // Weight constraints, for every layer that takes them (`kernelConstraint`, …).
  for (const [k, c] of l.constraintList) args[k] = c;
  return { ...base, args };
}

/** @internal The spec of a live model; `where` is its path in the config. */
export function modelSpec(m: Sequential, where = 'config'): ModelSpec {
  const ae = 'encoder' in m && 'decoder' in m && typeof (m as { encode?: unknown }).encode === 'function';
  return {
    type: 'model', name: m.name, seed: m.givenSeed, trainable: m.trainable, autoencoder: ae, where,
    layers: m.coreLayers.map((l, i) => {
      const w = `${where}.layers[${i}]`;
      return l instanceof Sequential ? modelSpec(l, `${w}.config`) : layerSpec(l, w);
    }),
    ...(m.graphWiring ? { wiring: m.graphWiring } : {}),
    ...(m.graphIo ? { io: { inputs: m.graphIo.inputs, outputs: m.graphIo.outputs } } : {}),
    ...(m.graphIo?.extraUses.length ? { extraUses: m.graphIo.extraUses } : {}),
    ...(m.graphIo?.held.length ? { held: m.graphIo.held } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// spec → Keras config

/** @internal The Keras config of `s`, its input being per-sample shape `x` (undefined if unknown). */
export function specToKeras(s: NodeSpec, x: number[] | undefined): KerasObject {
  if (s.type === 'model' && s.wiring) return graphToKeras(s, s.wiring, x);
  if (s.type === 'model') {
    let cur = x;
    const layers = s.layers.map((l, i) => {
      // A model's first layer carries the input shape when it is known (TF.js needs it on the
      // first layer of every Sequential, nested ones included, and loading needs it for the weights).
      const given = i === 0 && l.type === 'layer' && l.kind !== 'input' && !l.inputShape && cur ? { ...l, inputShape: cur } : l;
      const k = specToKeras(given, cur);
      cur = cur === undefined ? undefined : inferWeights('getConfig', l, cur, []);
      return k;
    });
    // neurite's seed, when one was given (TF.js writes none and ignores it).
    const config: Record<string, unknown> = { name: s.name, layers, ...(s.seed !== undefined ? { seed: s.seed } : {}) };
    if (!s.trainable) config.trainable = false;
    if (s.autoencoder) config.neurite_class = 'Autoencoder';
    return { class_name: 'Sequential', config };
  }
  const a = s.args;
  let cls = CLASS_OF[s.kind];
  let c: Record<string, unknown> = {};
  switch (s.kind) {
    case 'dense':
      c = {
        units: a.units, activation: activationToKeras('getConfig', a.activation), use_bias: a.useBias,
        kernel_initializer: initializerToKeras(a.kernelInitializer as Initializer), bias_initializer: initializerToKeras(a.biasInitializer as Initializer),
        kernel_regularizer: regularizerToKeras((a.kernelRegularizer as Regularizer) ?? null), bias_regularizer: regularizerToKeras((a.biasRegularizer as Regularizer) ?? null),
        activity_regularizer: activityToKeras((a.activityRegularizer as ActivityRegularizerSpec) ?? null), kernel_constraint: null, bias_constraint: null,
      };
      break;
    case 'activation': {
      // TF.js's config of each class: LeakyReLU and ELU { alpha }, ReLU { max_value } (null
      // when uncapped), Softmax { axis }.
      const act = a.activation;
      const alpha = typeof act === 'object' ? (act as { alpha: number }).alpha : undefined;
      const layerClass = a.layerClass as ActivationLayerClass | undefined;
      if (layerClass === 'LeakyReLU' || (typeof act === 'object' && (act as { name: string }).name === 'leakyRelu')) {
        cls = 'LeakyReLU';
        c = { alpha };
      } else if (layerClass === 'ELU') [cls, c] = ['ELU', { alpha }];
      else if (layerClass === 'ReLU') [cls, c] = ['ReLU', { max_value: act === 'relu6' ? 6 : typeof act === 'object' ? (act as { maxValue: number }).maxValue : null }];
      else if (layerClass === 'Softmax') [cls, c] = ['Softmax', { axis: -1 }];
      else c = { activation: activationToKeras('getConfig', act) };
      break;
    }
    case 'dropout': c = { rate: a.rate, noise_shape: null, seed: a.seed ?? null }; break;
    case 'gaussianNoise': c = { stddev: a.stddev }; break;
    case 'batchNormalization':
    case 'layerNormalization': {
      const zeros = initializerToKeras({ name: 'zeros', params: [0, 0] });
      const ones = initializerToKeras({ name: 'ones', params: [0, 0] });
      c = s.kind === 'batchNormalization'
        ? { axis: a.axis ?? -1, momentum: a.momentum, epsilon: a.epsilon, center: a.center, scale: a.scale, beta_initializer: zeros, gamma_initializer: ones, moving_mean_initializer: zeros, moving_variance_initializer: ones, beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null }
        : { axis: a.axis ?? -1, epsilon: a.epsilon, center: a.center, scale: a.scale, beta_initializer: zeros, gamma_initializer: ones, beta_regularizer: null, gamma_regularizer: null };
      break;
    }
    case 'prelu':
      c = { alpha_initializer: initializerToKeras(a.alphaInitializer as Initializer), alpha_regularizer: regularizerToKeras((a.alphaRegularizer as Regularizer) ?? null), alpha_constraint: null, shared_axes: (a.sharedAxes as number[] | null | undefined)?.slice() ?? null };
      break;
    // An inferred dimension as TF.js writes it: null (TF.js reads -1 too).
    case 'reshape': c = { target_shape: (a.targetShape as number[]).map((d) => (d === -1 ? null : d)) }; break;
    case 'flatten': if (a.dataFormat !== undefined) c = { data_format: 'channels_last' }; break;
    case 'rbf': c = { units: a.units, kernel: a.kernel, ...(a.centers ? { centers: a.centers } : {}), widths: a.widths, centers_initializer: initializerToKeras(a.centersInitializer as Initializer) }; break;
    case 'saltAndPepper': c = { rate: a.rate, low: a.low, high: a.high }; break;
    case 'variational': c = { units: a.units, kl_weight: a.klWeight }; break;
    case 'conv2d':
    case 'conv2dTranspose':
      c = {
        filters: a.filters, kernel_initializer: initializerToKeras(a.kernelInitializer as Initializer), kernel_regularizer: regularizerToKeras((a.kernelRegularizer as Regularizer) ?? null), kernel_constraint: null,
        kernel_size: a.kernelSize, strides: a.strides, padding: a.padding, data_format: 'channels_last',
        // TF.js's Conv2DTranspose config has no dilation_rate and no output_padding (its layer
        // ignores a dilationRate and has no output padding: it would build its own sizes), so
        // they are written only when set, as Keras 3's keys.
        ...(s.kind === 'conv2d' || (a.dilationRate as number[]).some((d) => d !== 1) ? { dilation_rate: a.dilationRate } : {}),
        ...(a.outputPadding != null ? { output_padding: a.outputPadding } : {}),
        activation: activationToKeras('getConfig', a.activation), use_bias: a.useBias, bias_initializer: initializerToKeras(a.biasInitializer as Initializer),
        bias_regularizer: regularizerToKeras((a.biasRegularizer as Regularizer) ?? null), activity_regularizer: regularizerToKeras((a.activityRegularizer as Regularizer) ?? null), bias_constraint: null,
      };
      break;
    case 'depthwiseConv2d':
    case 'separableConv2d': {
      const sep = s.kind === 'separableConv2d';
      c = {
        ...(sep ? { filters: a.filters } : {}),
        kernel_size: a.kernelSize, strides: a.strides, padding: a.padding, data_format: 'channels_last', dilation_rate: a.dilationRate, depth_multiplier: a.depthMultiplier,
        activation: activationToKeras('getConfig', a.activation), use_bias: a.useBias,
        depthwise_initializer: initializerToKeras(a.depthwiseInitializer as Initializer), depthwise_regularizer: regularizerToKeras((a.depthwiseRegularizer as Regularizer) ?? null), depthwise_constraint: null,
        ...(sep ? { pointwise_initializer: initializerToKeras(a.pointwiseInitializer as Initializer), pointwise_regularizer: regularizerToKeras((a.pointwiseRegularizer as Regularizer) ?? null), pointwise_constraint: null } : {}),
        bias_initializer: initializerToKeras(a.biasInitializer as Initializer), bias_regularizer: regularizerToKeras((a.biasRegularizer as Regularizer) ?? null), bias_constraint: null, activity_regularizer: null,
      };
      break;
    }
    case 'maxPooling2d':
    case 'averagePooling2d': c = { pool_size: a.poolSize, padding: a.padding, strides: a.strides, data_format: 'channels_last' }; break;
    case 'globalMaxPooling2d':
    case 'globalAveragePooling2d': c = { data_format: 'channels_last' }; break;
    case 'upSampling2d': c = { size: a.size, data_format: 'channels_last', interpolation: a.interpolation ?? 'nearest' }; break;
    case 'zeroPadding2d': c = { padding: a.padding, data_format: 'channels_last' }; break;
    case 'cropping2d': c = { cropping: a.cropping, data_format: 'channels_last' }; break;
    // Keras 3's configs (TF.js has none of these layers).
    case 'upSampling1d': c = { size: a.size }; break;
    case 'zeroPadding1d': c = { padding: a.padding, data_format: 'channels_last' }; break;
    case 'cropping1d': c = { cropping: a.cropping }; break;
    case 'concatenate': c = { axis: a.axis ?? -1 }; break;
    case 'conv1d':
      c = {
        filters: a.filters, kernel_initializer: initializerToKeras(a.kernelInitializer as Initializer), kernel_regularizer: regularizerToKeras((a.kernelRegularizer as Regularizer) ?? null), kernel_constraint: null,
        kernel_size: [a.kernelSize], strides: [a.strides], padding: a.padding, dilation_rate: [a.dilationRate],
        activation: activationToKeras('getConfig', a.activation), use_bias: a.useBias, bias_initializer: initializerToKeras(a.biasInitializer as Initializer),
        bias_regularizer: regularizerToKeras((a.biasRegularizer as Regularizer) ?? null), activity_regularizer: regularizerToKeras((a.activityRegularizer as Regularizer) ?? null), bias_constraint: null,
      };
      break;
    // Keras 3's Conv1DTranspose config (TF.js has no such layer).
    case 'conv1dTranspose':
      c = {
        filters: a.filters, kernel_size: [a.kernelSize], strides: [a.strides], padding: a.padding, output_padding: a.outputPadding === null ? null : [a.outputPadding],
        data_format: 'channels_last', dilation_rate: [a.dilationRate], activation: activationToKeras('getConfig', a.activation), use_bias: a.useBias,
        kernel_initializer: initializerToKeras(a.kernelInitializer as Initializer), bias_initializer: initializerToKeras(a.biasInitializer as Initializer),
        kernel_regularizer: regularizerToKeras((a.kernelRegularizer as Regularizer) ?? null), bias_regularizer: regularizerToKeras((a.biasRegularizer as Regularizer) ?? null),
        activity_regularizer: regularizerToKeras((a.activityRegularizer as Regularizer) ?? null), kernel_constraint: null, bias_constraint: null,
      };
      break;
    case 'maxPooling1d':
    case 'averagePooling1d': c = { pool_size: [a.poolSize], padding: a.padding, strides: [a.strides] }; break;
    case 'globalMaxPooling1d':
    case 'globalAveragePooling1d': c = {}; break;
    case 'embedding':
      c = {
        input_dim: a.inputDim, output_dim: a.outputDim, embeddings_initializer: initializerToKeras(a.embeddingsInitializer as Initializer),
        embeddings_regularizer: regularizerToKeras((a.embeddingsRegularizer as Regularizer) ?? null), activity_regularizer: null, embeddings_constraint: null,
        mask_zero: a.maskZero ?? null, input_length: a.inputLength ?? null,
      };
      break;
    case 'repeatVector': c = { n: a.n }; break;
    case 'permute': c = { dims: a.dims }; break;
    case 'rescaling': c = { scale: a.scale, offset: a.offset }; break;
    // Keras 3's keys; the statistics themselves are the weights (mean, variance).
    case 'normalization': c = { axis: a.axis, invert: a.invert, mean: a.mean ?? null, variance: a.variance ?? null }; break;
    case 'dot': c = { axes: a.axes, normalize: a.normalize }; break;
    case 'thresholdedReLU': c = { theta: a.theta }; break;
    case 'masking': c = { mask_value: a.maskValue }; break;
    case 'gaussianDropout':
    case 'alphaDropout': c = { rate: a.rate }; break;
    case 'spatialDropout1d': c = { rate: a.rate, noise_shape: null, seed: a.seed ?? null }; break;
    default: break;
  }
  // Every `*_constraint` field the layer's config has, from its constraint options (TF.js's `serializeConstraint`).
  for (const k of Object.keys(c)) if (k.endsWith('_constraint')) c[k] = constraintToKeras(a[camel(k)] as Constraint | undefined);
  const config: Record<string, unknown> = { ...c, name: s.name, trainable: s.trainable };
  if (s.inputShape) {
    config.batch_input_shape = [null, ...showShape(s.inputShape)];
    config.dtype = 'float32';
  }
  if (s.kind === 'input') {
    delete config.trainable;
    config.sparse = false;
  }
  // What the file said, for the keys neurite would write otherwise.
  for (const [k, v] of Object.entries(s.keep ?? {})) if (Object.hasOwn(config, k)) config[k] = v;
  return { class_name: cls, config };
}

/**
 * @internal `layer.getConfig()`: the layer's config as TF.js's `getConfig()` returns it, every
 * option included (camelCase keys; initializers, regularizers and constraints as `{ className,
 * config }`; `batchInputShape` and `dtype` when the layer has an input shape): the config a
 * saved model holds for it ({@link specToKeras}) in TF.js's other form ({@link tsConfig}).
 * `input` is the per-sample input shape the layer was built for, if any (a nested model's first
 * layer carries it).
 */
export function layerConfig(l: Layer, input: number[] | undefined): Record<string, unknown> {
  const s = layerSpec(l, `layer ${l.name}`);
  const k = specToKeras(s, s.inputShape ?? input);
  // TF.js gives every Embedding a batchInputShape: [null, inputLength] without an input shape.
  if (s.kind === 'embedding' && !s.inputShape) k.config.batch_input_shape = [null, null];
  return tsConfig(k.config) as Record<string, unknown>;
}
setConfigWriter(layerConfig);

/**
 * @internal A new layer of Keras class `className` from `config`, a layer's config in either of
 * TF.js's forms (`getConfig()`'s camelCase, or the snake_case of a saved model's layer), read as
 * {@link Sequential.fromConfig} reads a layer of a model: every field checked, each error naming
 * its path. The layer's weights are drawn fresh when a model holding it is built. With
 * `options` (a layer factory's TF.js options holding a serialized initializer, regularizer or
 * constraint) the name may be left out, and the layer names itself.
 */
export function layerFromConfig(op: string, className: string, config: unknown, options = false): Layer {
  const where = 'config';
  let c = pythonicConfig(objectAt(op, where, config)) as Record<string, unknown>;
  // TF.js's [null, null] (an Embedding without inputLength): no input shape.
  const bis = c.batch_input_shape;
  if (className === 'Embedding' && Array.isArray(bis) && bis.slice(1).some((d) => d === null)) {
    const { batch_input_shape: _, ...rest } = c;
    c = rest;
  }
  const ctx: Ctx = { op, shape: undefined, options };
  try {
    const spec = nodeFromKeras(ctx, where, { class_name: className, config: c });
    if (spec.type !== 'layer') bad(op, where, `is a ${className} config: a model, not a layer; use sequential.fromConfig`);
    const u = ctx.unbacked?.[0];
    if (u) bad(op, u.where, `is ${show(tsConfig(u.value))}, which neurite keeps for saving but cannot start from (${u.why}); give the layer an initializer neurite has`);
    if (ctx.made) {
      if (spec.keep) kept.set(ctx.made, spec.keep);
      return ctx.made;
    }
    return makeLayer(op, spec);
  } catch (err) {
    // The reader's paths (`config.config.use_bias`) as the caller wrote them (`config.useBias`).
    if (err instanceof InvalidArgumentError) err.message = err.message.replace(/config\.config(\.[a-z0-9_]+)?/g, (_, k?: string) => (k ? `config.${camel(k.slice(1))}` : 'config'));
    throw err;
  }
}

/**
 * A graph model's config as TF.js's `model.toJSON()` writes it: `{ class_name: 'Model', config:
 * { name, layers: [{ name, class_name, config, inbound_nodes: [[[source, 0, 0, {}], …]] }],
 * input_layers, output_layers } }` (plus neurite's `seed`).
 */
function graphToKeras(s: ModelSpec, wiring: number[][], x: number[] | undefined): KerasObject {
  const k = s.io?.inputs ?? 1;
  const extra = s.extraUses ?? [];
  // The per-sample input of each layer, for the configs that carry it (a nested model's first layer).
  const shapes = x === undefined && k === 1 ? undefined : graphShapes('getConfig', s, wiring, x ?? [], []);
  const inputs = [...s.layers.slice(0, k).map((l) => (k === 1 ? x : specInputShape(l))), ...wiring.map((ins) => shapes?.[ins[0]])];
  /** A value as TF.js references it: [layer, call, 0] (a nested model's calls count from 1). */
  const ref = (j: number): [string, number, number] => {
    if (j < s.layers.length) return [s.layers[j].name, j >= k && s.layers[j].type === 'model' ? 1 : 0, 0];
    const e = j - s.layers.length;
    const l = s.layers[k + extra[e].layer];
    const call = 1 + extra.slice(0, e).filter((u) => u.layer === extra[e].layer).length;
    return [l.name, call + (l.type === 'model' ? 1 : 0), 0];
  };
  // A call's kwargs ride on each value it reads: { training: false } for a held layer's.
  const kwargs = (i: number): Record<string, boolean> => (s.held?.includes(i) ? { training: false } : {});
  const layers = s.layers.map((l, j) => {
    const kc = specToKeras(l, inputs[j]);
    const calls = j < k ? [] : [wiring[j - k], ...extra.filter((u) => u.layer === j - k).map((u) => u.inputs)];
    return { name: l.name, class_name: kc.class_name, config: kc.config, inbound_nodes: calls.map((ins) => ins.map((v) => [...ref(v), kwargs(j - k)])) };
  });
  const outs = s.io?.outputs ?? [s.layers.length - 1];
  const config: Record<string, unknown> = { name: s.name, layers, input_layers: s.layers.slice(0, k).map((l) => [l.name, 0, 0]), output_layers: outs.map(ref), ...(s.seed !== undefined ? { seed: s.seed } : {}) };
  if (!s.trainable) config.trainable = false;
  return { class_name: 'Model', config };
}

/** @internal `model.getConfig()`: the Keras config with `keras_version` and `backend`, as `model.toJSON()`. */
export function modelConfig(s: ModelSpec, inputShape = specInputShape(s)): ModelConfig {
  checkUniqueNames('getConfig', s);
  const k = specToKeras(s, inputShape);
  return { class_name: k.class_name, config: k.config, keras_version: `neurite ${NEURITE_VERSION}`, backend: 'neurite' };
}

// ---------------------------------------------------------------------------------------------
// Keras config → spec

/**
 * Reading context: the operation named in errors, the per-sample input shape so far, and the
 * config values neurite keeps without implementing them (`where`: why), which only the weights
 * coming with the config make harmless (see {@link specFromKeras}).
 */
interface Ctx {
  op: string;
  shape: number[] | undefined;
  unbacked?: Array<{ where: string; value: unknown; why: string }>;
  /** The config was written by Keras 3 (and is read as the Keras 2 config `keras3.ts` makes of it). */
  keras3?: boolean;
  /** A layer factory's options in TF.js's serialized form: the name may be left out (then the layer names itself). */
  options?: boolean;
  /** With `options`: the layer made while reading. */
  made?: Layer;
}

function field<T>(ctx: Ctx, where: string, c: Record<string, unknown>, key: string, check: (v: unknown) => v is T, what: string, def?: T): T {
  const v = c[key];
  if (v === undefined && def !== undefined) return def;
  if (!check(v)) bad(ctx.op, `${where}.${key}`, `must be ${what}, got ${describe(v)}`);
  return v;
}
/** neurite's model `seed`: absent (the model draws one when made) or a non-negative safe integer. */
const seedField = (ctx: Ctx, where: string, c: Record<string, unknown>): number | undefined =>
  c.seed === undefined ? undefined : field(ctx, where, c, 'seed', (x): x is number => isInt(x, 0) && x <= Number.MAX_SAFE_INTEGER, 'a non-negative integer');
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const mustBeNull = (ctx: Ctx, where: string, c: Record<string, unknown>, keys: string[], why: string): void => {
  for (const k of keys) if (c[k] !== undefined && c[k] !== null) bad(ctx.op, `${where}.${k}`, `must be null: ${why}, got ${show(c[k])}`);
};

/** The per-sample input shape from `batch_input_shape` (or `input_shape`), if given. */
function inputShapeOf(ctx: Ctx, where: string, c: Record<string, unknown>): number[] | undefined {
  const bis = c.batch_input_shape ?? (c.input_shape !== undefined && c.input_shape !== null ? [null, ...(Array.isArray(c.input_shape) ? c.input_shape : [c.input_shape])] : undefined);
  if (bis === undefined || bis === null) return undefined;
  // [batch] alone: one value per sample (an embedding's rank-1 indices, TF.js's inputShape: []).
  if (!Array.isArray(bis) || bis.length < 1 || bis.length > 32) bad(ctx.op, `${where}.batch_input_shape`, `must be [batch, ...inputShape], got ${show(bis)}`);
  if (bis[0] !== null && !isInt(bis[0], 1)) bad(ctx.op, `${where}.batch_input_shape[0]`, `must be null or a positive integer, got ${describe(bis[0])}`);
  return bis.slice(1).map((d: unknown, i: number) => {
    // null: an unknown size (TF.js's Embedding without inputLength is [null, null]), 0 inside.
    if (d === null) return 0;
    if (!isInt(d, 1)) bad(ctx.op, `${where}.batch_input_shape[${i + 1}]`, `must be a positive integer or null (a size not known, as a sequence's), got ${describe(d)}`);
    return d;
  });
}

/**
 * @internal The spec of a Keras layer or nested model config at `where` (e.g.
 * `config.layers[0]`). A layer's config may hold keys neurite does not read (newer Keras
 * versions add some, and TF.js ignores what it does not know), but a key one or two letters from
 * a key that is read and missing is a typo or a damaged file (`"actiration"` would load as a
 * linear layer): an error naming both.
 */
export function nodeFromKeras(ctx: Ctx, where: string, v: unknown): NodeSpec {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return nodeFromKerasAsRead(ctx, where, v);
  const raw = v as Record<string, unknown>;
  const config = raw.config;
  if (config === null || typeof config !== 'object' || Array.isArray(config) || raw.class_name === 'Sequential' || raw.class_name === 'Model' || raw.class_name === 'Functional') return nodeFromKerasAsRead(ctx, where, v);
  const before = ctx.shape;
  const read = new Set<string>();
  const seen = new Proxy(config as Record<string, unknown>, {
    get: (t, k, r) => {
      if (typeof k === 'string') read.add(k);
      return Reflect.get(t, k, r);
    },
    has: (t, k) => {
      if (typeof k === 'string') read.add(k);
      return Reflect.has(t, k);
    },
  });
  const spec = nodeFromKerasAsRead(ctx, where, { ...raw, config: seen });
  const c = config as Record<string, unknown>;
  const missing = [...read].filter((k) => c[k] === undefined);
  for (const k of Object.keys(c)) {
    if (read.has(k)) continue;
    const near = nearest(k, missing);
    if (near !== undefined) bad(ctx.op, `${where}.config.${k}`, `is not a key of a ${String(raw.class_name)} config, and '${near}' is missing: a misspelt or damaged '${near}'? (it would load with its default)`);
  }
  if (spec.type === 'layer') {
    // Every value neurite would write otherwise is kept, to be written back unchanged.
    const written = specToKeras(spec, spec.inputShape ?? before).config;
    const keep: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(c)) if (Object.hasOwn(written, k) && !sameConfig(written[k], x)) keep[k] = x;
    if (Object.keys(keep).length > 0) spec.keep = keep;
  }
  return spec;
}

function nodeFromKerasAsRead(ctx: Ctx, where: string, v: unknown): NodeSpec {
  const o = kerasObject(ctx.op, where, v);
  if (o.class_name === 'Sequential') return modelFromKeras(ctx, `${where}.config`, o.config);
  if (o.class_name === 'Model' || o.class_name === 'Functional') return nestedGraphFromKeras(ctx, where, o.config);
  const cw = `${where}.config`;
  const c = o.config;
  // A factory's options may leave the name out (makeLayer then leaves it to the layer).
  const name = ctx.options && c.name === undefined ? (undefined as unknown as string) : field(ctx, cw, c, 'name', (x): x is string => typeof x === 'string' && x !== '', 'a non-empty string');
  const trainable = field(ctx, cw, c, 'trainable', isBool, 'true or false', true);
  // An input of token ids is int32 in TF.js and Keras models: its ids are read as float32 (exact
  // up to 2^24), as neurite reads every id; other dtypes, and int32 elsewhere, are refused.
  const ids = o.class_name === 'InputLayer' && c.dtype === 'int32';
  if (c.dtype !== undefined && c.dtype !== null && c.dtype !== 'float32' && !ids) bad(ctx.op, `${cw}.dtype`, `must be 'float32' (neurite computes in float32)${o.class_name === 'InputLayer' ? " or, for an input of ids, 'int32'" : ''}, got ${show(c.dtype)}`);
  // TF.js gives every Embedding a batch_input_shape, [null, null] without input_length: after
  // another layer (in a graph, or not first) the shape comes from that layer.
  const sized = (b: unknown) => Array.isArray(b) && b.slice(1).every((d) => d !== null);
  const inputShape = o.class_name === 'Embedding' && ctx.shape !== undefined && !sized(c.batch_input_shape) ? undefined : inputShapeOf(ctx, cw, c);
  // The first input shape met starts the shape tracking; later ones are checked when building.
  if (inputShape && ctx.shape === undefined) ctx.shape = inputShape;
  const rank = ctx.shape?.length;
  const op = ctx.op;
  const num = (k: string, def?: number) => field(ctx, cw, c, k, isNum, 'a finite number', def);
  const int = (k: string) => field(ctx, cw, c, k, (x): x is number => isInt(x, 1), 'a positive integer');
  const bool = (k: string, def: boolean) => field(ctx, cw, c, k, isBool, 'true or false', def);
  const lastAxis = (list: boolean): void => lastAxisArg(`${op}: ${cw}`, c.axis, ctx.shape, list);
  /** Notes a value neurite keeps without implementing it (harmless only when the weights come with the config). */
  const unbacked = (k: string, why: string): void => {
    (ctx.unbacked ??= []).push({ where: `${cw}.${k}`, value: c[k], why });
  };
  /** An initializer: the file's, or `def` when absent or one neurite cannot draw (then kept, see `unbacked`). */
  const initOf = (k: string, field: string, def: unknown): Initializer => {
    const got = c[k] == null ? null : initializerFromKeras(op, `${cw}.${k}`, c[k]);
    if (c[k] != null && got === null) unbacked(k, 'an initializer neurite cannot draw');
    return got ?? init(op, field, def);
  };
  const sizes = (k: string, def?: [number, number], min = 1): [number, number] => {
    const v = c[k] ?? def;
    const ok = (d: unknown) => isInt(d, min) && d <= 65536;
    if (ok(v)) return [v as number, v as number];
    if (Array.isArray(v) && v.length === 2 && v.every(ok)) return v as [number, number];
    return bad(op, `${cw}.${k}`, `must be a ${min === 1 ? 'positive' : 'non-negative'} integer or a pair of them, got ${show(v)}`);
  };
  const one = (k: string, def?: number): number => {
    const v = c[k] ?? def;
    const n = Array.isArray(v) && v.length === 1 ? v[0] : v;
    if (!(isInt(n, 1) && n <= 65536)) bad(op, `${cw}.${k}`, `must be a positive integer or a list of one, got ${show(v)}`);
    return n as number;
  };
  /**
   * The constraint options of `keys` (`kernel_constraint` → `kernelConstraint`), each checked.
   * A bias, beta or gamma constraint of a layer without that weight (`use_bias`, `center` or
   * `scale` false) is dropped, as TF.js ignores it (and writes it all the same).
   */
  const constraintsOf = (keys: string[]): Record<string, Constraint> => {
    const out: Record<string, Constraint> = {};
    const off: Record<string, string> = { bias_constraint: 'use_bias', beta_constraint: 'center', gamma_constraint: 'scale' };
    for (const k of keys) {
      if (off[k] !== undefined && c[off[k]] === false) continue;
      const got = constraintFromKeras(op, `${cw}.${k}`, c[k]);
      if (got) out[camel(k)] = got;
    }
    return out;
  };
  /** A convolution's activation, bias, initializers and regularizers (Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose). */
  const convWeights = () => ({
    activation: activationFromKeras(op, `${cw}.activation`, c.activation), useBias: bool('use_bias', true),
    kernelInitializer: initOf('kernel_initializer', 'kernelInitializer', 'glorotUniform'),
    biasInitializer: initOf('bias_initializer', 'biasInitializer', 'zeros'),
    kernelRegularizer: regularizerFromKeras(op, `${cw}.kernel_regularizer`, c.kernel_regularizer),
    biasRegularizer: regularizerFromKeras(op, `${cw}.bias_regularizer`, c.bias_regularizer),
    activityRegularizer: regularizerFromKeras(op, `${cw}.activity_regularizer`, c.activity_regularizer),
  });
  const padding = (): string => {
    const p = c.padding ?? 'valid';
    if (p !== 'valid' && p !== 'same') bad(op, `${cw}.padding`, `must be 'valid' or 'same', got ${show(p)}`);
    return p as string;
  };
  /** Refuses a `data_format` other than channels last; `layout` names it for the layer's rank. */
  const channelsLast = (layout = '[batch, height, width, channels]'): void => {
    const f = c.data_format;
    if (f !== undefined && f !== null && f !== 'channels_last') bad(op, `${cw}.data_format`, `must be 'channels_last' (${layout}), the only layout neurite has, got ${show(f)}`);
  };
  /** Refuses a grouped convolution (tf.keras 2's and Keras 3's `groups`): its kernel is [..., in / groups, filters]. */
  const ungrouped = (): void => {
    if (c.groups != null && c.groups !== 1) bad(op, `${cw}.groups`, `must be 1: neurite's convolutions are not grouped, got ${show(c.groups)}`);
  };
  /** Refuses `keepdims: true` on a global pooling (TF.js writes none, Keras writes false). */
  const noKeepdims = (): void => {
    if (c.keepdims !== undefined && c.keepdims !== null && c.keepdims !== false) bad(op, `${cw}.keepdims`, `must be false: neurite's global pooling outputs [batch, channels], got ${show(c.keepdims)}`);
  };
  let kind: LayerKind | 'input';
  let args: Record<string, unknown> = {};
  switch (o.class_name) {
    case 'Dense':
      kind = 'dense';
      args = {
        ...constraintsOf(['kernel_constraint', 'bias_constraint']),
        units: int('units'), activation: activationFromKeras(op, `${cw}.activation`, c.activation), useBias: bool('use_bias', true),
        kernelInitializer: initOf('kernel_initializer', 'kernelInitializer', 'glorotUniform'),
        biasInitializer: initOf('bias_initializer', 'biasInitializer', 'zeros'),
        kernelRegularizer: regularizerFromKeras(op, `${cw}.kernel_regularizer`, c.kernel_regularizer),
        biasRegularizer: regularizerFromKeras(op, `${cw}.bias_regularizer`, c.bias_regularizer),
        activityRegularizer: regularizerFromKeras(op, `${cw}.activity_regularizer`, c.activity_regularizer, true),
      };
      break;
    case 'Activation': kind = 'activation'; args = { activation: activationFromKeras(op, `${cw}.activation`, c.activation) }; break;
    // Keras 3 names the slope negative_slope (TF.js and Keras 2: alpha).
    case 'LeakyReLU': kind = 'activation'; args = { activation: normalizeActivation(op, { name: 'leakyRelu', alpha: c.alpha === undefined && c.negative_slope !== undefined ? num('negative_slope') : num('alpha', 0.3) }), layerClass: 'LeakyReLU' }; break;
    case 'ELU': kind = 'activation'; args = { activation: normalizeActivation(op, { name: 'elu', alpha: num('alpha', 1) }), layerClass: 'ELU' }; break;
    case 'ReLU':
      kind = 'activation';
      // TF.js's ReLU({ maxValue }) exactly (values and gradients): relu6 for 6, cappedRelu for another cap.
      if (c.max_value != null && !(typeof c.max_value === 'number' && Number.isFinite(Math.fround(c.max_value)) && c.max_value >= 0)) bad(op, `${cw}.max_value`, `must be null or a finite number >= 0, got ${show(c.max_value)}`);
      if ((c.negative_slope ?? 0) !== 0 || (c.threshold ?? 0) !== 0) bad(op, cw, `is a ReLU with negative_slope/threshold, which neurite does not have: ${show(c)}`);
      args = { activation: c.max_value == null ? 'relu' : c.max_value === 6 ? 'relu6' : normalizeActivation(op, { name: 'cappedRelu', maxValue: c.max_value }), layerClass: 'ReLU' };
      break;
    case 'Softmax': kind = 'activation'; lastAxis(false); args = { activation: 'softmax', layerClass: 'Softmax' }; break;
    case 'Dropout':
      kind = 'dropout';
      mustBeNull(ctx, cw, c, ['noise_shape'], 'neurite drops each value independently (no mask shared along an axis)');
      args = { rate: num('rate'), ...(c.seed != null ? { seed: num('seed') } : {}) };
      break;
    case 'GaussianNoise': kind = 'gaussianNoise'; args = { stddev: num('stddev') }; break;
    case 'BatchNormalization':
    case 'LayerNormalization': {
      const bn = o.class_name === 'BatchNormalization';
      kind = bn ? 'batchNormalization' : 'layerNormalization';
      // A positive axis (or a list of one: tf.keras 2 writes BatchNormalization's as [3]) is checked here against the rank; the layer is made with -1 (its file value is kept).
      lastAxis(true);
      mustBeNull(ctx, cw, c, ['beta_regularizer', 'gamma_regularizer'], `neurite's ${kind} has no regularizers`);
      if (!bn) mustBeNull(ctx, cw, c, ['beta_constraint', 'gamma_constraint'], `neurite's ${kind} has no constraints (TF.js's neither)`);
      // The core always starts from γ = 1, β = 0 and the moving statistics at 0 and 1.
      for (const [k, want] of [['beta_initializer', 0], ['gamma_initializer', 1], ...(bn ? [['moving_mean_initializer', 0], ['moving_variance_initializer', 1]] : [])] as Array<[string, 0 | 1]>) {
        const got = c[k] == null ? null : initializerFromKeras(op, `${cw}.${k}`, c[k]);
        const same = got !== null && (got.name === (want === 1 ? 'ones' : 'zeros') || (got.name === 'constant' && got.params[0] === want));
        if (c[k] != null && !same) unbacked(k, `neurite's ${kind} starts ${k.replace('_initializer', '')} at ${want}`);
      }
      args = { ...(bn ? { momentum: num('momentum', 0.99), ...constraintsOf(['beta_constraint', 'gamma_constraint']) } : {}), epsilon: num('epsilon', 1e-3), center: bool('center', true), scale: bool('scale', true) };
      break;
    }
    case 'PReLU': {
      kind = 'prelu';
      const sa = c.shared_axes;
      let sharedAxes: number[] | null;
      try {
        sharedAxes = sharedAxesArg(op, sa);
      } catch {
        bad(op, `${cw}.shared_axes`, `must be null, an axis or a list of axes from 1 (the batch is axis 0), got ${show(sa)}`);
      }
      if (rank !== undefined && sharedAxes !== null && sharedAxes.some((ax) => ax > rank)) bad(op, `${cw}.shared_axes`, `has an axis beyond the per-sample input ${show(ctx.shape)} (axes 1 to ${rank}), got ${show(sa)}`);
      args = { alphaInitializer: initOf('alpha_initializer', 'alphaInitializer', 'zeros'), alphaRegularizer: regularizerFromKeras(op, `${cw}.alpha_regularizer`, c.alpha_regularizer), ...constraintsOf(['alpha_constraint']), sharedAxes };
      break;
    }
    case 'Flatten': {
      kind = 'flatten';
      // TF.js's channels_first moves the channels last before flattening: other values in another order.
      const f = c.data_format;
      if (f !== undefined && f !== null && f !== 'channels_last') bad(op, `${cw}.data_format`, `must be 'channels_last' (the values flattened in their order), the only layout neurite has, got ${show(f)}`);
      args = f === 'channels_last' ? { dataFormat: 'channelsLast' } : {};
      break;
    }
    case 'Reshape': {
      kind = 'reshape';
      // TF.js writes an inferred dimension as null, and reads -1 as one.
      const t = c.target_shape;
      if (!Array.isArray(t) || t.length > 31 || t.some((d) => !(d === -1 || d === null || isInt(d, 0)))) bad(op, `${cw}.target_shape`, `must be an array of non-negative integers, with at most one null or -1 (inferred), got ${show(t)}`);
      args = { targetShape: t.map((d: number | null) => (d === null ? -1 : d)) };
      break;
    }
    case 'Add':
    case 'Subtract':
    case 'Multiply':
    case 'Average':
    case 'Maximum':
    case 'Minimum':
      kind = o.class_name.toLowerCase() as LayerKind;
      break;
    case 'Concatenate': {
      kind = 'concatenate';
      const ax = c.axis ?? -1;
      if (!(typeof ax === 'number' && Number.isInteger(ax) && Math.abs(ax) <= 32)) bad(op, `${cw}.axis`, `must be an integer, got ${show(ax)}`);
      args = { axis: ax };
      break;
    }
    case 'InputLayer':
      kind = 'input';
      if (!inputShape) bad(op, `${cw}.batch_input_shape`, 'is required for an InputLayer');
      break;
    case `${CUSTOM}RBF`: {
      kind = 'rbf';
      const k = c.kernel ?? 'gaussian';
      if (!RBF_KERNELS.includes(k as never)) bad(op, `${cw}.kernel`, `must be one of ${RBF_KERNELS.join(', ')}, got ${show(k)}`);
      args = { units: int('units'), kernel: k, ...(c.centers != null ? { centers: c.centers } : {}), widths: c.widths ?? 1, centersInitializer: initOf('centers_initializer', 'centersInitializer', { name: 'randomUniform', params: [-1, 1] }) };
      break;
    }
    case `${CUSTOM}SaltAndPepper`: kind = 'saltAndPepper'; args = { rate: num('rate'), low: num('low', 0), high: num('high', 1) }; break;
    case `${CUSTOM}Variational`: kind = 'variational'; args = { units: int('units'), klWeight: num('kl_weight', 1) }; break;
    case 'Conv2D':
    case 'Conv2DTranspose':
      kind = o.class_name === 'Conv2D' ? 'conv2d' : 'conv2dTranspose';
      channelsLast();
      if (kind === 'conv2d') ungrouped();
      args = {
        filters: int('filters'), kernelSize: sizes('kernel_size'), strides: sizes('strides', [1, 1]), padding: padding(), dilationRate: sizes('dilation_rate', [1, 1]),
        // Keras 3's Conv2DTranspose fixes the output size with output_padding (TF.js's has none).
        ...(kind === 'conv2dTranspose' ? { outputPadding: c.output_padding == null ? null : sizes('output_padding', undefined, 0) } : {}),
        ...convWeights(),
        ...constraintsOf(['kernel_constraint', 'bias_constraint']),
      };
      break;
    case 'DepthwiseConv2D':
    case 'SeparableConv2D': {
      const sep = o.class_name === 'SeparableConv2D';
      kind = sep ? 'separableConv2d' : 'depthwiseConv2d';
      channelsLast();
      // TF.js 4.22's DepthwiseConv2D writes its depthwise regularizer as depthwise_constraint too.
      const echo = !sep && c.depthwise_constraint != null && JSON.stringify(c.depthwise_constraint) === JSON.stringify(c.depthwise_regularizer);
      mustBeNull(ctx, cw, c, ['activity_regularizer'], `neurite's ${kind} has no activity regularizer`);
      args = {
        ...(sep ? { filters: int('filters') } : {}),
        kernelSize: sizes('kernel_size'), depthMultiplier: c.depth_multiplier == null ? 1 : int('depth_multiplier'), strides: sizes('strides', [1, 1]), padding: padding(), dilationRate: sizes('dilation_rate', [1, 1]),
        activation: activationFromKeras(op, `${cw}.activation`, c.activation), useBias: bool('use_bias', true),
        depthwiseInitializer: initOf('depthwise_initializer', 'depthwiseInitializer', 'glorotUniform'),
        ...(sep ? { pointwiseInitializer: initOf('pointwise_initializer', 'pointwiseInitializer', 'glorotUniform') } : {}),
        biasInitializer: initOf('bias_initializer', 'biasInitializer', 'zeros'),
        depthwiseRegularizer: regularizerFromKeras(op, `${cw}.depthwise_regularizer`, c.depthwise_regularizer),
        ...(sep ? { pointwiseRegularizer: regularizerFromKeras(op, `${cw}.pointwise_regularizer`, c.pointwise_regularizer) } : {}),
        biasRegularizer: regularizerFromKeras(op, `${cw}.bias_regularizer`, c.bias_regularizer),
        ...constraintsOf([...(echo ? [] : ['depthwise_constraint']), ...(sep ? ['pointwise_constraint'] : []), 'bias_constraint']),
      };
      break;
    }
    case 'Conv1D': {
      kind = 'conv1d';
      const f = c.data_format;
      if (f !== undefined && f !== null && f !== 'channelsLast' && f !== 'channels_last') bad(op, `${cw}.data_format`, `must be 'channels_last' ([batch, steps, channels]), the only layout neurite has, got ${show(f)}`);
      const p = c.padding ?? 'valid';
      if (p !== 'valid' && p !== 'same' && p !== 'causal') bad(op, `${cw}.padding`, `must be 'valid', 'same' or 'causal', got ${show(p)}`);
      ungrouped();
      args = {
        filters: int('filters'), kernelSize: one('kernel_size'), strides: one('strides', 1), padding: p, dilationRate: one('dilation_rate', 1),
        ...convWeights(),
        ...constraintsOf(['kernel_constraint', 'bias_constraint']),
      };
      break;
    }
    case 'Conv1DTranspose': {
      kind = 'conv1dTranspose';
      channelsLast('[batch, steps, channels]');
      const o = c.output_padding;
      const n = Array.isArray(o) && o.length === 1 ? o[0] : o;
      if (n !== undefined && n !== null && !isInt(n, 0)) bad(op, `${cw}.output_padding`, `must be null, a non-negative integer or a list of one, got ${show(o)}`);
      args = {
        filters: int('filters'), kernelSize: one('kernel_size'), strides: one('strides', 1), padding: padding(), dilationRate: one('dilation_rate', 1),
        outputPadding: n ?? null,
        ...convWeights(),
        ...constraintsOf(['kernel_constraint', 'bias_constraint']),
      };
      break;
    }
    case 'MaxPooling1D':
    case 'MaxPool1D':
    case 'AveragePooling1D':
    case 'AvgPool1D': {
      kind = o.class_name.startsWith('Max') ? 'maxPooling1d' : 'averagePooling1d';
      channelsLast('[batch, steps, channels]');
      const poolSize = one('pool_size', 2);
      args = { poolSize, strides: c.strides === null ? poolSize : one('strides', poolSize), padding: padding() };
      break;
    }
    case 'GlobalMaxPooling1D':
    case 'GlobalAveragePooling1D':
      kind = o.class_name === 'GlobalMaxPooling1D' ? 'globalMaxPooling1d' : 'globalAveragePooling1d';
      channelsLast('[batch, steps, channels]');
      noKeepdims();
      break;
    case 'UpSampling1D':
      kind = 'upSampling1d';
      args = { size: one('size', 2) };
      break;
    case 'ZeroPadding1D':
    case 'Cropping1D': {
      // Keras 3 writes [start, end]; a number is both.
      const crop = o.class_name === 'Cropping1D';
      kind = crop ? 'cropping1d' : 'zeroPadding1d';
      channelsLast('[batch, steps, channels]');
      const key = crop ? 'cropping' : 'padding';
      const v = c[key] ?? 1;
      const ok = (d: unknown) => isInt(d, 0) && d <= 65536;
      if (!ok(v) && !(Array.isArray(v) && v.length === 2 && v.every(ok))) bad(op, `${cw}.${key}`, `must be an integer or a pair [start, end] of integers from 0 to 65536, got ${show(v)}`);
      args = { [key]: ok(v) ? [v, v] : (v as number[]).slice() };
      break;
    }
    case 'MaxPooling2D':
    case 'MaxPool2D':
    case 'AveragePooling2D':
    case 'AvgPool2D': {
      kind = o.class_name.startsWith('Max') ? 'maxPooling2d' : 'averagePooling2d';
      channelsLast();
      const poolSize = sizes('pool_size', [2, 2]);
      args = { poolSize, strides: c.strides === null ? poolSize : sizes('strides', poolSize), padding: padding() };
      break;
    }
    case 'GlobalMaxPooling2D':
    case 'GlobalAveragePooling2D':
      kind = o.class_name === 'GlobalMaxPooling2D' ? 'globalMaxPooling2d' : 'globalAveragePooling2d';
      channelsLast();
      noKeepdims();
      break;
    case 'UpSampling2D':
      kind = 'upSampling2d';
      channelsLast();
      if (c.interpolation != null && c.interpolation !== 'nearest' && c.interpolation !== 'bilinear') bad(op, `${cw}.interpolation`, `must be 'nearest' or 'bilinear', got ${show(c.interpolation)}`);
      args = { size: sizes('size', [2, 2]), interpolation: c.interpolation ?? 'nearest' };
      break;
    case 'ZeroPadding2D':
    case 'Cropping2D': {
      // [[top, bottom], [left, right]] (TF.js's and Keras's saved form), or a number or pair.
      const crop = o.class_name === 'Cropping2D';
      kind = crop ? 'cropping2d' : 'zeroPadding2d';
      channelsLast();
      const key = crop ? 'cropping' : 'padding';
      args = { [key]: border(op, `${cw}.${key}`, c[key] ?? (crop ? 0 : 1)) };
      break;
    }
    case 'Embedding': {
      kind = 'embedding';
      mustBeNull(ctx, cw, c, ['embeddings_constraint'], 'an embedding layer takes no constraint yet');
      mustBeNull(ctx, cw, c, ['activity_regularizer'], "neurite's embedding has no activity regularizer");
      if (c.mask_zero != null && typeof c.mask_zero !== 'boolean') bad(op, `${cw}.mask_zero`, `must be a boolean or null, got ${show(c.mask_zero)}`);
      const len = c.input_length;
      if (len != null && !isInt(len, 1) && !(Array.isArray(len) && len.length > 0 && len.every((d) => isInt(d, 1)))) bad(op, `${cw}.input_length`, `must be null, a positive integer or a list of them, got ${show(len)}`);
      args = {
        inputDim: int('input_dim'), outputDim: int('output_dim'),
        embeddingsInitializer: initOf('embeddings_initializer', 'embeddingsInitializer', 'randomUniform'),
        embeddingsRegularizer: regularizerFromKeras(op, `${cw}.embeddings_regularizer`, c.embeddings_regularizer),
        ...(len != null ? { inputLength: len } : {}),
        ...(c.mask_zero === true ? { maskZero: true } : {}),
      };
      break;
    }
    case 'RepeatVector': kind = 'repeatVector'; args = { n: int('n') }; break;
    case 'Permute': {
      kind = 'permute';
      const d = c.dims;
      if (!Array.isArray(d) || d.length === 0 || d.length > 31 || !d.every((v) => isInt(v, 1))) bad(op, `${cw}.dims`, `must be a permutation of 1..rank (positive integers), got ${show(d)}`);
      args = { dims: (d as number[]).slice() };
      break;
    }
    case 'Rescaling': kind = 'rescaling'; args = { scale: num('scale'), offset: num('offset', 0) }; break;
    case 'Normalization': {
      kind = 'normalization';
      const ax = c.axis === undefined ? -1 : c.axis;
      if (!(ax === null || typeof ax === 'number' || Array.isArray(ax))) bad(op, `${cw}.axis`, `must be an integer, a list of integers or null, got ${show(ax)}`);
      // The layer's constructor checks the values (Keras 3 writes mean and variance null after adapt: the weights carry them).
      args = { axis: ax, invert: bool('invert', false), mean: c.mean ?? null, variance: c.variance ?? null };
      break;
    }
    case 'Dot': {
      kind = 'dot';
      const ax = c.axes;
      const isAxis = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 3;
      if (!(isAxis(ax) || (Array.isArray(ax) && ax.length === 2 && ax.every(isAxis)))) bad(op, `${cw}.axes`, `must be an integer or a pair of integers (the axis of each input, batch axis counted), got ${show(ax)}`);
      if (c.normalize != null && typeof c.normalize !== 'boolean') bad(op, `${cw}.normalize`, `must be true or false, got ${show(c.normalize)}`);
      args = { axes: Array.isArray(ax) ? ax.slice() : ax, normalize: c.normalize === true };
      break;
    }
    case 'ThresholdedReLU': kind = 'thresholdedReLU'; args = { theta: num('theta', 1) }; break;
    case 'Masking': kind = 'masking'; args = { maskValue: num('mask_value', 0) }; break;
    case 'GaussianDropout': kind = 'gaussianDropout'; args = { rate: num('rate') }; break;
    case 'AlphaDropout':
      kind = 'alphaDropout';
      mustBeNull(ctx, cw, c, ['noise_shape'], 'neurite drops each value independently (no mask shared along an axis)');
      args = { rate: num('rate') };
      break;
    case 'SpatialDropout1D':
      kind = 'spatialDropout1d';
      // The noise shape is the layer's own ([batch, 1, channels]); TF.js saves null.
      mustBeNull(ctx, cw, c, ['noise_shape'], 'a SpatialDropout1D drops whole channels, its own noise shape');
      args = { rate: num('rate'), ...(c.seed != null ? { seed: num('seed') } : {}) };
      break;
    default:
      return bad(op, `${where}.class_name`, `'${o.class_name}' is a ${ctx.keras3 ? 'Keras 3 layer' : 'layer class'} neurite does not support; supported: ${SUPPORTED_CLASSES.join(', ')}`);
  }
  const spec: LeafSpec = { type: 'layer', kind, name, trainable, where, args, ...(inputShape ? { inputShape } : {}) };
  // Validate the options with the layer's own checks now (no WebAssembly is touched). For a
  // factory's options this is the layer (a second one would take a second auto name).
  const made = makeLayer(op, spec);
  if (ctx.options) ctx.made = made;
  if (ctx.shape) ctx.shape = inferWeights(op, spec, ctx.shape, []);
  return spec;
}

/** @internal The spec of a Sequential config object (`{ name, layers, ... }`) at `where`. */
export function modelFromKeras(ctx: Ctx, where: string, v: unknown): ModelSpec {
  // Keras ≤ 2.2 wrote a Sequential's config as the list of its layers (TF.js reads it so too).
  const list = Array.isArray(v);
  const c = list ? { layers: v } : objectAt(ctx.op, where, v);
  const at = list ? where : `${where}.layers`;
  const name = field(ctx, where, c, 'name', (x): x is string => typeof x === 'string', 'a string', `sequential_loaded`);
  const seed = seedField(ctx, where, c);
  const trainable = field(ctx, where, c, 'trainable', isBool, 'true or false', true);
  const nc = c.neurite_class;
  if (nc !== undefined && nc !== 'Autoencoder') bad(ctx.op, `${where}.neurite_class`, `must be 'Autoencoder' when present, got ${show(nc)}`);
  if (!Array.isArray(c.layers)) bad(ctx.op, at, `must be an array of layer configs, got ${describe(c.layers)}`);
  const layers = (c.layers as unknown[]).map((l, i) => nodeFromKeras(ctx, `${at}[${i}]`, l));
  if (nc === 'Autoencoder' && layers.length !== 2) bad(ctx.op, at, `of an autoencoder must be [encoder, decoder], got ${layers.length} entries`);
  return { type: 'model', name, seed, trainable, autoencoder: nc === 'Autoencoder', layers, where };
}

/**
 * A functional model nested in another model (`config` at `where`): one input and one output,
 * as neurite nests them; the shape tracking continues with its output.
 */
function nestedGraphFromKeras(ctx: Ctx, where: string, config: unknown): ModelSpec {
  const outer = ctx.shape;
  const spec = graphFromKeras(ctx, `${where}.config`, config);
  if (spec.io && (spec.io.inputs > 1 || spec.io.outputs.length > 1)) bad(ctx.op, `${where}.config`, `is a functional model with ${spec.io.inputs} inputs and ${spec.io.outputs.length} outputs nested in another model; a nested model needs one input and one output`);
  const inner = specInputShape(spec);
  if (outer && inner && show(outer) !== show(inner)) bad(ctx.op, `${where}.config`, `takes per-sample shape ${show(inner)}, but the layer before it gives ${show(outer)}`);
  const x = inner ?? outer;
  ctx.shape = x ? inferWeights(ctx.op, spec, x, []) : undefined;
  return spec;
}

/** A reference to a value in a functional config: a layer's call (`node`) output 0. */
interface Ref {
  name: string;
  node: number;
  where: string;
}

/** `[[name, node, 0], …]`: a graph's input or output values, each named once. */
function endsOf(op: string, where: string, v: unknown): Ref[] {
  if (!Array.isArray(v) || v.length === 0) bad(op, where, `must list the layers as [[name, 0, 0], …], got ${show(v)}`);
  return v.map((e, i) => {
    if (!Array.isArray(e) || typeof e[0] !== 'string' || !isInt(e[1], 0) || e[2] !== 0) bad(op, `${where}[${i}]`, `must be [layerName, nodeIndex, 0] (the output of one call of a layer), got ${show(e)}`);
    if (v.findIndex((f) => f[0] === e[0] && f[1] === e[1]) < i) bad(op, `${where}[${i}]`, `names '${e[0]}' again`);
    return { name: e[0] as string, node: e[1] as number, where: `${where}[${i}]` };
  });
}

/** TF.js numbers a nested model's calls from 1 (its node 0 is its own input's), a layer's from 0. */
const firstCall = (cls: string): number => (['Sequential', 'Model', 'Functional'].includes(cls) ? 1 : 0);

/**
 * @internal The spec of a functional model's config (`{ name, layers: [{ name, class_name,
 * config, inbound_nodes }], input_layers, output_layers }`, as TF.js's `model.toJSON()` writes
 * it) at `where`: the layers the outputs depend on, each after the layers its calls read; a
 * layer called more than once (a shared encoder) gives further uses.
 */
function graphFromKeras(ctx: Ctx, where: string, v: unknown): ModelSpec {
  const op = ctx.op;
  const c = objectAt(op, where, v);
  const name = field(ctx, where, c, 'name', (x): x is string => typeof x === 'string', 'a string', 'model_loaded');
  const seed = seedField(ctx, where, c);
  const trainable = field(ctx, where, c, 'trainable', isBool, 'true or false', true);
  if (!Array.isArray(c.layers)) bad(op, `${where}.layers`, `must be an array of layer configs, got ${describe(c.layers)}`);
  const raw = (c.layers as unknown[]).map((l, i) => {
    const w = `${where}.layers[${i}]`;
    const o = objectAt(op, w, l);
    const k = kerasObject(op, w, o);
    const n = o.name ?? k.config.name;
    if (typeof n !== 'string' || n === '') bad(op, `${w}.name`, `must be a non-empty string, got ${show(n)}`);
    // One inbound node per call, each a list of [source, node, 0, kwargs].
    const nodes = o.inbound_nodes ?? [];
    let calls: Ref[][] = [];
    // Per call, whether its kwargs say training: false (every value it reads carries them).
    const held: boolean[] = [];
    if (k.class_name === 'InputLayer') {
      if (!Array.isArray(nodes) || nodes.length !== 0) bad(op, `${w}.inbound_nodes`, `must be [] for an InputLayer, got ${show(nodes)}`);
    } else {
      if (!Array.isArray(nodes) || nodes.length === 0) bad(op, `${w}.inbound_nodes`, `must hold a node per call of the layer, got ${show(nodes)}`);
      calls = (nodes as unknown[]).map((node, u) => {
        if (!Array.isArray(node) || node.length === 0) bad(op, `${w}.inbound_nodes[${u}]`, `must list what the call reads as [[layerName, nodeIndex, 0, {}], …], got ${show(node)}`);
        return node.map((e, j) => {
          const at = `${w}.inbound_nodes[${u}][${j}]`;
          if (!Array.isArray(e) || typeof e[0] !== 'string' || !isInt(e[1], 0) || !isInt(e[2], 0)) bad(op, at, `must be [layerName, nodeIndex, 0, {}] (the output of one call of a layer), got ${show(e)}`);
          if (e[2] !== 0) bad(op, `${at}[2]`, `reads output ${e[2]} of '${e[0]}', but neurite's layers and nested models have one output`);
          const kw = e[3] as Record<string, unknown> | undefined;
          const training = kw !== null && typeof kw === 'object' && Object.keys(kw).join() === 'training' && kw.training === false;
          if (kw !== undefined && !training && (kw === null || typeof kw !== 'object' || Object.keys(kw).length > 0)) bad(op, `${at}[3]`, `must be {} or { training: false } (other call arguments, such as training: true or mask, are not supported), got ${show(kw)}`);
          if (j > 0 && training !== held[u]) bad(op, `${at}[3]`, `is ${show(kw ?? {})}, but the call's first input has ${held[u] ? '{ training: false }' : '{}'}: a call has one set of arguments`);
          held[u] = training;
          return { name: e[0] as string, node: e[1] as number, where: at };
        });
      });
    }
    if (held.some((h) => h !== held[0])) bad(op, `${w}.inbound_nodes`, `calls '${n}' with training: false ${held.filter((h) => h).length} times and without it ${held.filter((h) => !h).length} times; the calls of a layer run as one batch, in one mode`);
    return { v: l, where: w, name: n as string, cls: k.class_name, calls, held: held[0] === true };
  });
  type Raw = (typeof raw)[number];
  const byName = new Map<string, Raw>();
  for (const r of raw) {
    if (byName.has(r.name)) bad(op, `${r.where}.name`, `'${r.name}' is used by two layers`);
    byName.set(r.name, r);
  }
  const inRefs = endsOf(op, `${where}.input_layers`, c.input_layers);
  const outRefs = endsOf(op, `${where}.output_layers`, c.output_layers);
  const inputs = inRefs.map((ref) => {
    const r = byName.get(ref.name);
    if (!r || r.cls !== 'InputLayer' || ref.node !== 0) bad(op, ref.where, `names '${ref.name}'${ref.node !== 0 ? ` (node ${ref.node})` : ''}, which is not an InputLayer of layers`);
    return r;
  });
  /** The layer and call a reference names (checked: it exists). */
  const resolve = (ref: Ref): { r: Raw; call: number } => {
    const r = byName.get(ref.name);
    if (!r) bad(op, ref.where, `names '${ref.name}', which is not in layers`);
    if (r.cls === 'InputLayer') {
      if (ref.node !== 0) bad(op, `${ref.where}[1]`, `must be 0 for InputLayer '${ref.name}', got ${ref.node}`);
      return { r, call: 0 };
    }
    const base = firstCall(r.cls);
    if (ref.node < base || ref.node >= base + r.calls.length) {
      bad(op, `${ref.where}[1]`, `must be ${r.calls.length === 1 ? base : `${base}…${base + r.calls.length - 1}`} for ${r.cls} '${ref.name}' (${r.calls.length === 1 ? (base === 1 ? "a nested model's first call" : 'a layer applied once') : `its ${r.calls.length} calls`}), got ${ref.node}`);
    }
    return { r, call: ref.node - base };
  };
  outRefs.forEach((ref) => {
    if (inputs.includes(resolve(ref).r)) bad(op, ref.where, `names the input layer '${ref.name}': every output must be computed by a layer`);
  });
  // Depth-first from each output in turn: each layer after the layers its calls read (on a
  // stack of its own: recursion overflowed the call stack on a chain of thousands of layers).
  const order: Raw[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (root: Raw, rootVia: Ref): void => {
    const path: Array<{ r: Raw; reads: Ref[]; next: number }> = [];
    const enter = (r: Raw, via: Ref): void => {
      if (inputs.includes(r) || state.get(r.name) === 'done') return;
      if (state.get(r.name) === 'visiting') bad(op, via.where, `makes a cycle through '${r.name}' (the calls of a layer run together, so none can read a value computed from its own output)`);
      if (r.cls === 'InputLayer') bad(op, r.where, `is an InputLayer ('${r.name}') that an output depends on but input_layers does not name`);
      state.set(r.name, 'visiting');
      path.push({ r, reads: r.calls.flat(), next: 0 });
    };
    enter(root, rootVia);
    while (path.length > 0) {
      const top = path[path.length - 1];
      if (top.next < top.reads.length) {
        const src = top.reads[top.next++];
        enter(resolve(src).r, src);
      } else {
        path.pop();
        state.set(top.r.name, 'done');
        order.push(top.r);
      }
    }
  };
  for (const ref of outRefs) visit(resolve(ref).r, ref);
  // Values: the inputs, each layer's first call, then the further calls in layer order.
  const k = inputs.length;
  const n = order.length;
  const index = new Map(order.map((r, i) => [r, i]));
  // The value of each layer's second call (its further calls follow it).
  const second: number[] = [];
  order.reduce((j, r) => (second.push(j), j + r.calls.length - 1), k + n);
  const id = (ref: Ref): number => {
    const { r, call } = resolve(ref);
    const at = inputs.indexOf(r);
    if (at >= 0) return at;
    const i = index.get(r) as number;
    return call === 0 ? k + i : second[i] + call - 1;
  };
  const wiring = order.map((r) => r.calls[0].map(id));
  const extraUses = order.flatMap((r, i) => r.calls.slice(1).map((call) => ({ layer: i, inputs: call.map(id) })));
  const held = order.flatMap((r, i) => (r.held ? [i] : []));
  // Each layer read with its input's shape known (for the checks that depend on the rank).
  const shapes: number[][] = [];
  const layers: NodeSpec[] = inputs.map((r) => {
    ctx.shape = undefined;
    const spec = nodeFromKeras(ctx, r.where, r.v);
    shapes.push(ctx.shape ?? []);
    return spec;
  });
  // A further call's value has its own shape (a layer takes other shapes its weights fit).
  const further: number[][] = [];
  const shapeOf = (j: number): number[] => (j < k + n ? shapes[j] : further[j - k - n]);
  order.forEach((r, i) => {
    const xs = wiring[i].map(shapeOf);
    ctx.shape = xs[0];
    const spec = nodeFromKeras(ctx, r.where, r.v);
    const merge = spec.type === 'layer' && MERGE_KINDS.includes(spec.kind);
    if (merge) shapes.push(mergeOutput(op, spec, xs));
    else {
      if (xs.length !== 1) bad(op, `${r.where}.inbound_nodes`, `gives ${r.cls} '${r.name}' ${xs.length} inputs; only merge layers (Add, Concatenate, …) take several`);
      shapes.push(ctx.shape ?? []);
    }
    // Its further calls: extraUses[second[i] - k - n …] in order.
    for (let j = second[i] - k - n; j < second[i] - k - n + r.calls.length - 1; j++) {
      const ys = extraUses[j].inputs.map(shapeOf);
      further[j] = merge ? mergeOutput(op, spec, ys) : show(ys[0]) === show(xs[0]) ? shapes[k + i] : inferWeights(op, spec, ys[0], []);
    }
    layers.push(spec);
  });
  const outputs = outRefs.map(id);
  const io = k > 1 || outputs.length > 1 || outputs[0] !== k + n - 1 ? { io: { inputs: k, outputs } } : {};
  return { type: 'model', name, seed, trainable, autoencoder: false, layers, where, wiring, ...io, ...(extraUses.length > 0 ? { extraUses } : {}), ...(held.length > 0 ? { held } : {}) };
}

/** Reads a Keras 3 config as the Keras 2 config it corresponds to (`keras3.ts`). */
type Keras3Reader = (op: string, where: string, v: Record<string, unknown>) => Record<string, unknown>;
let keras3Reader: Keras3Reader | undefined;

/** @internal Called by `load.ts` when the storage chunk (which holds `keras3.ts`) loads. */
export function setKeras3Reader(read: Keras3Reader): void {
  keras3Reader = read;
}

/**
 * @internal Whether the model config `v` was written by Keras 3: `model.to_json()`'s top-level
 * `module`, or a `DTypePolicy`, a `batch_shape` or a Keras 3 inbound node (`{ args, kwargs }`)
 * in its layers, nested models included. tf.keras 2.13+ writes `module` too, with
 * `keras_version: '2.…'`: read as Keras 2.
 */
export function isKeras3(v: unknown): boolean {
  if (!isObject(v) || (typeof v.keras_version === 'string' && !v.keras_version.startsWith('3.'))) return false;
  const policy = (d: unknown) => isObject(d) && String(d.class_name).endsWith('DTypePolicy');
  const marked = (m: Record<string, unknown>): boolean => {
    const c = isObject(m.config) ? m.config : m;
    return policy(c.dtype) || (Array.isArray(c.layers) && c.layers.some((l) => isObject(l) && (
      (isObject(l.config) && ('batch_shape' in l.config || policy(l.config.dtype) || (Array.isArray(l.config.layers) && marked(l)))) ||
      (Array.isArray(l.inbound_nodes) && l.inbound_nodes.some((n) => isObject(n) && 'args' in n)))));
  };
  return 'module' in v || marked(v);
}

/**
 * @internal The spec of a whole Keras model config: `{ class_name: 'Sequential', config }`
 * (with or without `keras_version`/`backend`), or the bare `{ name, layers }` config.
 * `weightsFollow`: the caller sets the weights from the file (`loadModel`), so values neurite
 * keeps without implementing (an initializer it cannot draw) are harmless when the input shape
 * is known; otherwise (`fromConfig`, `modelFromJSON`) they are an error. A Keras 3 config is
 * read through `keras3.ts` (an error saying to use `models.modelFromJSON` until the storage
 * chunk that holds it is loaded).
 */
export function specFromKeras(op: string, where: string, v: unknown, weightsFollow = false): ModelSpec {
  // TF.js's static form, Sequential.fromConfig(Sequential, config): a class where the config goes.
  if (typeof v === 'function' && op === 'fromConfig') {
    bad(op, where, `is a class (${(v as { name?: string }).name || 'a function'}): TF.js's static form fromConfig(cls, config) is fromConfig(config) here (Sequential.fromConfig(config), sequential.fromConfig(config))`);
  }
  const given = objectAt(op, where, v);
  // A Keras 3 config (model.to_json()) is read as the Keras 2 config it corresponds to.
  const keras3 = isKeras3(given);
  if (keras3 && !keras3Reader) bad(op, where, 'is a Keras 3 model config (model.to_json()), which neurite reads with its storage code, not loaded yet: read it with await models.modelFromJSON(config) (or loadModel), which loads that code first');
  const o = keras3 ? keras3Reader!(op, where, given) : given;
  const ctx: Ctx = { op, shape: undefined, ...(keras3 ? { keras3 } : {}) };
  let s: ModelSpec;
  if (o.class_name === undefined && Array.isArray(o.layers)) s = modelFromKeras(ctx, where, o);
  else {
    const k = kerasObject(op, where, o);
    const graph = k.class_name === 'Model' || k.class_name === 'Functional';
    if (k.class_name !== 'Sequential' && !graph) bad(op, `${where}.class_name`, `must be 'Sequential' or 'Model' (functional) for a model, got ${show(k.class_name)}`);
    s = (graph ? graphFromKeras : modelFromKeras)(ctx, `${where}.config`, k.config);
    checkUniqueNames(op, s);
  }
  // Kept values neurite does not implement (an initializer it cannot draw) cannot matter when
  // every weight comes with the config: loadModel of a model whose input shape is known.
  const u = ctx.unbacked?.[0];
  if (u && !(weightsFollow && specInputShape(s) !== undefined)) {
    bad(op, u.where, `is ${show(u.value)}, which neurite keeps for saving but cannot start from (${u.why}): a model made from this config alone would start from other weights. It loads with its weights (loadModel of a model with an input shape), which make it harmless`);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// spec → live objects

type GraphMaker = (s: ModelSpec, wiring: number[][], layers: Array<Layer | Sequential>, io: ModelSpec['io'], extraUses: ModelSpec['extraUses']) => Sequential;
let graphMaker: GraphMaker = () => {
  throw new InvalidArgumentError('the functional API is not loaded');
};

/** @internal Set by `functional.ts`: how {@link makeModel} makes a graph model (it builds it). */
export function setGraphMaker(make: GraphMaker): void {
  graphMaker = make;
}

/** The class of each layer kind (`Layer.kind`) a spec can name. */
const LAYER_CLASSES: Partial<Record<string, new (args: never) => Layer>> = {
  dense: Dense, activation: Activation, dropout: Dropout, gaussianNoise: GaussianNoise, batchNormalization: BatchNormalization,
  layerNormalization: LayerNormalization, prelu: PReLU, flatten: Flatten, reshape: Reshape, input: InputLayer, rbf: RBF,
  saltAndPepper: SaltAndPepper, variational: Variational, conv2d: Conv2D, conv2dTranspose: Conv2DTranspose, zeroPadding2d: ZeroPadding2D, cropping2d: Cropping2D, maxPooling2d: MaxPooling2D, averagePooling2d: AveragePooling2D,
  globalMaxPooling2d: GlobalMaxPooling2D, globalAveragePooling2d: GlobalAveragePooling2D, upSampling2d: UpSampling2D,
  conv1d: Conv1D, conv1dTranspose: Conv1DTranspose, upSampling1d: UpSampling1D, zeroPadding1d: ZeroPadding1D, cropping1d: Cropping1D, maxPooling1d: MaxPooling1D, averagePooling1d: AveragePooling1D, globalMaxPooling1d: GlobalMaxPooling1D, globalAveragePooling1d: GlobalAveragePooling1D,
  depthwiseConv2d: DepthwiseConv2D, separableConv2d: SeparableConv2D,
  embedding: Embedding, repeatVector: RepeatVector, permute: Permute, rescaling: Rescaling, normalization: Normalization,
  dot: Dot, thresholdedReLU: ThresholdedReLU, masking: Masking, gaussianDropout: GaussianDropout, alphaDropout: AlphaDropout, spatialDropout1d: SpatialDropout1D,
};

/** @internal A new layer from its spec; constructor errors are prefixed with the config path. */
export function makeLayer(op: string, s: LeafSpec): Layer {
  // The defined options only, copied into a fresh object (`delete` would turn it into a slow
  // dictionary-mode object: makeLayer was the top JS item of loadModel's profile).
  const a: Record<string, unknown> = {};
  const put = (k: string, v: unknown): void => {
    if (v !== undefined) a[k] = v;
  };
  for (const [k, v] of Object.entries(s.args)) put(k, v);
  put('name', s.name);
  put('trainable', s.trainable);
  put('inputShape', s.inputShape && showShape(s.inputShape));
  try {
    if (s.kind === 'activation' && a.layerClass !== undefined) {
      const { layerClass, activation, ...rest } = a;
      const layer = activationLayerOf(layerClass as ActivationLayerClass, activation as ActivationSpec, rest);
      if (s.keep) kept.set(layer, s.keep);
      return layer;
    }
    const make = s.kind === 'concatenate' ? Concatenate : s.kind === 'dot' ? Dot : MERGE_KINDS.includes(s.kind) ? null : LAYER_CLASSES[s.kind];
    if (make === undefined) throw new InvalidArgumentError(`${op}: ${s.where}: unknown layer kind ${show(s.kind)} (known: ${LAYER_KINDS.join(', ')})`);
    const layer = make === null ? mergeLayer(s.kind as 'add', a) : new make(a as never);
    if (s.keep) kept.set(layer, s.keep);
    return layer;
  } catch (err) {
    if (err instanceof InvalidArgumentError && !err.message.startsWith(`${op}: ${s.where}`)) err.message = `${op}: ${s.where}: ${err.message}`;
    throw err;
  }
}

/** @internal Fresh layers and models for a spec (nothing is built: no WebAssembly memory is used). */
export function makeModel(op: string, s: ModelSpec, make: (s: ModelSpec, layers: Array<Layer | Sequential>) => Sequential): Sequential {
  const layers: Array<Layer | Sequential> = [];
  try {
    for (const l of s.layers) layers.push(l.type === 'model' ? makeModel(op, l, make) : makeLayer(op, l));
    const m = s.wiring ? graphMaker(s, s.wiring, layers, s.io, s.extraUses) : make(s, layers);
    m.trainable = s.trainable;
    // The nested models were made here for `m`: they go when it goes.
    ownNested(m, layers.filter((l): l is Sequential => l instanceof Sequential));
    return m;
  } catch (err) {
    // `m` will not be (its wiring refused, say): the nested models made for it go now (each
    // takes the models nested in it), not to the finalizer.
    for (const l of layers) if (l instanceof Sequential) l.dispose();
    throw err;
  }
}
