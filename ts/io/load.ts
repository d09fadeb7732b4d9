/**
 * `loadModel`: a model from TF.js-format artifacts, a storage handler or a URL. A Sequential
 * file is checked whole — topology, manifest, sizes, every weight's name and shape, the compile
 * config — before anything is allocated; then the weights are copied into WebAssembly and
 * checked for non-finite values there (a SIMD search, where a loop in JS was a fifth of the
 * load), and only then is the model built (without running the initializers: every weight
 * is set next), its weights set and recompiled. If a step fails, everything made so far is
 * freed. In the storage chunk (`lazy.ts`).
 */
import { InvalidArgumentError, NeuriteError } from '../errors.js';
import { Perceptron } from '../classic/perceptron.js';
import { RBFNetwork } from '../classic/rbf.js';
import type { Layer } from '../layers/layer.js';
import { makeAutoencoderOrSequential, type Autoencoder } from '../models/autoencoder.js';
import { encodeCompile, type CompileArgs } from '../models/compile.js';
import { Sequential } from '../models/sequential.js';
import { exportTrainingState, importTrainingState, type TrainingState } from '../models/training-state.js';
import { call, check, withWords, words } from '../engine.js';
import { describe, show } from '../ops/convert.js';
import { drawSeed, drawsFrom } from '../ops/random.js';
import { checkUserDefinedMetadata, decodeWeights, nonFiniteWeight, readWeightSpecs, type IOHandler, type ModelArtifacts, type WeightSlot } from './artifacts.js';
import { binaryKind, originOf, withOrigin } from './handlers/manifest.js';
import { HTTPRequest } from './handlers/http.js';
import { bad, CUSTOM, isObject, kerasObject, objectAt } from './keras.js';
import type { LoadOptions } from './model.js';
import { getLoadHandler, urlString, type HttpOptions } from './router.js';
import { isResponseLike } from '../wasm/load.js';
import { expectedWeights, specInputShape, type ModelSpec, type WeightSpec } from './spec.js';
import { valueLayer } from '../models/weight-order.js';
import { fromKeras3 } from './keras3.js';
import { makeModel, setKeras3Reader, specFromKeras } from './topology.js';
import { checkArgs } from '../options.js';
import { compileFromRecord, compileFromTrainingConfig, fileFingerprint, schedulePositionFrom, tfOptimizerStateFrom, trainingStateFrom, withTfOptimizerState, type TfOptimizerState } from './training.js';
import type { WebURL } from '../web-types.js';

/**
 * What {@link loadModel} returns, by the file's `modelTopology.class_name`: a `Sequential`, an
 * `Autoencoder` (a `Sequential` saved from `autoencoder(…)`), a `Perceptron` or an
 * `RBFNetwork`. Narrow with `instanceof` before using what one class has:
 * `if (m instanceof Autoencoder) m.encode(x)`.
 */
export type LoadedModel = Sequential | Autoencoder | Perceptron | RBFNetwork;

// Keras 3 configs are read with this chunk's code (see keras3.ts): from here on, fromConfig too.
setKeras3Reader(fromKeras3);

/** The model classes {@link loadModel} reads. */
const MODEL_CLASSES = ['Sequential', 'Model', 'Functional', `${CUSTOM}Perceptron`, `${CUSTOM}RBFNetwork`];


/** What TF.js's `modelFromJSON` reads besides a bare topology: a model.json's fields (`pathPrefix` is where its weight files are). */
const MODEL_JSON_KEYS = ['modelTopology', 'weightsManifest', 'pathPrefix', 'format', 'generatedBy', 'convertedBy', 'trainingConfig', 'userDefinedMetadata', 'neuriteWeightsChecksum'];

/**
 * @internal `models.modelFromJSON` (public in `lazy.ts`): TF.js's `modelFromJSON`, a model from
 * a topology alone (fresh weights) or from a model.json's fields whose `weightsManifest` names
 * weight files under `pathPrefix` (fetched as TF.js: `pathPrefix/<path>`). Not compiled (TF.js
 * ignores `trainingConfig` there too); the weights must be exactly the model's. A `file://`
 * `pathPrefix` is refused: the JSON would choose which local files become weights (and the
 * errors would tell their sizes); `loadModel('file://…')` reads a saved folder.
 */
export async function modelFromJSON(config: unknown, customObjects?: unknown): Promise<Sequential> {
  const op = 'models.modelFromJSON';
  if (customObjects !== undefined) throw new InvalidArgumentError(`${op}: customObjects is not supported: neurite has no registry of custom classes (every layer is one of its own), got ${describe(customObjects)}`);
  if (typeof config === 'string') {
    // Keras's model.to_json() and neurite's model.toJSON() give text; TF.js 4.22 takes the parsed object only (a string fails there with a TypeError).
    throw new InvalidArgumentError(`${op}: modelAndWeightsConfig is a string (JSON text, as Keras's model.to_json() or model.toJSON() give); parse it first, as TF.js's modelFromJSON needs too: models.modelFromJSON(JSON.parse(text))`);
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new InvalidArgumentError(`${op}: modelAndWeightsConfig must be a model topology (JSON.parse(model.toJSON())) or { modelTopology, weightsManifest, pathPrefix }, got ${describe(config)}`);
  const c = config as Record<string, unknown>;
  let artifacts: ModelArtifacts = { modelTopology: c };
  let draws: number | undefined;
  if ('modelTopology' in c) {
    checkArgs(op, c, MODEL_JSON_KEYS);
    artifacts = { modelTopology: c.modelTopology as object, ...(c.userDefinedMetadata != null ? { userDefinedMetadata: c.userDefinedMetadata as Record<string, unknown> } : {}) };
    if (c.weightsManifest != null) {
      const prefix = c.pathPrefix;
      if (typeof prefix !== 'string' || prefix === '') throw new InvalidArgumentError(`${op}: pathPrefix must be the URL of the folder holding the weight files weightsManifest names, got ${describe(prefix)}`);
      // Fetched as TF.js fetches it. Never a local folder: JSON from elsewhere would read the
      // files it names (any of them, as float32 weights).
      if (/^file:/i.test(prefix)) throw new InvalidArgumentError(`${op}: pathPrefix ${JSON.stringify(prefix.slice(0, 200))} is a file:// URL, and modelFromJSON does not read local files (the JSON would choose which files become weights); load a saved folder with loadModel('file://…'), or pass { modelTopology } alone for fresh weights`);
      if (typeof fetch !== 'function') throw new InvalidArgumentError(`${op}: this runtime has no fetch to read the weight files with; load the model.json with loadLayersModel(url) or io.http(url, { fetchFunc })`);
      draws = drawSeed(op); // before the read, as loadModel's
      const { specs, fields, data } = await new HTTPRequest(prefix, {}, op).loadWeights(c.weightsManifest, prefix.endsWith('/') ? prefix : `${prefix}/`, '');
      artifacts = withOrigin({ ...artifacts, weightSpecs: specs, weightData: data }, prefix, fields);
    }
  }
  let m: LoadedModel;
  const origin = originOf(artifacts);
  try {
    const from = draws ?? drawSeed(op);
    m = drawsFrom(from, () => fromArtifacts(origin ? `${op}: ${origin.where}` : op, artifacts, { compile: false }, origin?.fields, false));
  } catch (err) {
    if (err instanceof NeuriteError) throw err;
    throw new InvalidArgumentError(`${op}: the topology is malformed (${err instanceof Error ? err.message : String(err)})`);
  }
  if (m instanceof Sequential) return m;
  m.dispose();
  throw new InvalidArgumentError(`${op}: the topology is a neurite ${m instanceof Perceptron ? 'Perceptron' : 'RBFNetwork'}, not a layers model; load it with loadModel`);
}

/** The options of {@link loadModel}; the last four say how a URL is read (see `router.ts`). */
const LOAD_KEYS = ['compile', 'allowNonFinite', 'strict', 'onProgress', 'requestInit', 'fetchFunc', 'weightPathPrefix'] as const;

/** @internal {@link loadModel} (public in `lazy.ts`), once the storage chunk is loaded; `OP` names the caller (`loadLayersModel`). */
export async function loadModel(source: string | WebURL | IOHandler | ModelArtifacts, options: LoadOptions = {}, OP = 'loadModel'): Promise<LoadedModel> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InvalidArgumentError(`${OP}: options must be an object like { compile: false }, got ${describe(options)}`);
  checkArgs(OP, options, LOAD_KEYS);
  for (const k of ['compile', 'allowNonFinite', 'strict'] as const) {
    if (options[k] !== undefined && typeof options[k] !== 'boolean') throw new InvalidArgumentError(`${OP}: ${k} must be true or false, got ${describe(options[k])}`);
  }
  const read: HttpOptions = Object.fromEntries((['onProgress', 'requestInit', 'fetchFunc', 'weightPathPrefix'] as const).filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
  let artifacts: unknown = source;
  // { load: 5 } was read as artifacts ("modelTopology must be an object, got undefined").
  if (source !== null && typeof source === 'object' && 'load' in source && typeof source.load !== 'function' && !('modelTopology' in source)) {
    throw new InvalidArgumentError(`${OP}: source.load must be a function (an IOHandler's load, returning the artifacts), got ${describe(source.load)}`);
  }
  // A URL object is read as its href (pathToFileURL(path), new URL('https://…')), as model.save reads it.
  const url = urlString(source);
  // { } or { hello: 'world' } was read as artifacts ("modelTopology must be an object, got undefined").
  if (url !== null && typeof url === 'object' && !Array.isArray(url) && !('load' in url) && !isArtifactsLike(url) && !ArrayBuffer.isView(url) && !(url instanceof ArrayBuffer) && !isResponseLike(url)) {
    throw new InvalidArgumentError(`${OP}: got ${withKeys(url)}, which is neither model artifacts (it has no modelTopology) nor an IOHandler (it has no load()); ${SOURCES}`);
  }
  const handler = typeof url === 'string' || (url !== null && typeof url === 'object' && typeof (url as IOHandler).load === 'function') ? getLoadHandler(url as string | IOHandler, OP, read) : null;
  if (!handler && Object.keys(read).length > 0) {
    const k = Object.keys(read)[0];
    throw new InvalidArgumentError(`${OP}: ${k} applies when ${OP} reads a URL (${k === 'onProgress' ? 'http(s):// or file://' : 'http(s)://'}); the artifacts given are in memory already`);
  }
  // One draw when called, whatever the file holds: the model's draws (the seeds of unseeded
  // models in it) come from it, so loads awaited together get the same seeds whichever read
  // finishes first.
  const draws = drawSeed(OP);
  if (handler) artifacts = await handler.load!();
  // A handler of the caller's whose load() gave nothing a model is read from (null: "expected
  // model artifacts …, a handler with load(), or a URL", though it was a handler).
  if (handler && typeof url !== 'string' && (artifacts === null || typeof artifacts !== 'object' || Array.isArray(artifacts) || !isArtifactsLike(artifacts))) {
    throw new InvalidArgumentError(`${OP}: the handler's load() returned ${withKeys(artifacts)}; expected model artifacts { modelTopology, weightSpecs, weightData } (what model.toArtifacts() gives, and TF.js's handlers' load() returns)`);
  }
  // After the handler (which names the file it read), messages name the file too.
  const origin = originOf(artifacts);
  const op = origin ? `${OP}: ${origin.where}` : OP;
  try {
    return drawsFrom(draws, () => fromArtifacts(op, artifacts, options, origin?.fields, true));
  } catch (err) {
    // Anything but a NeuriteError here is a bug in the checks: report it as bad input, never as a TypeError.
    if (err instanceof NeuriteError) throw err;
    // The checks recurse through nested models and graph paths: a JS stack overflow means a
    // topology far deeper than any real model.
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      throw new InvalidArgumentError(`${op}: modelTopology is nested or chained too deeply to load (${err.message}); real models have at most a few hundred levels`);
    }
    throw new InvalidArgumentError(`${op}: the artifacts are malformed (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** What {@link loadModel} reads a model from, for the messages that refuse something else. */
const SOURCES = "pass model artifacts { modelTopology, weightSpecs, weightData } (model.toArtifacts() gives them), an IOHandler with load() returning them, or a URL ('file://…', 'https://…')";

/** Keys of TF.js's `ModelArtifacts` (and a model.json's): an object with one is read as artifacts, whose errors name the field. */
const ARTIFACT_KEYS = ['modelTopology', 'weightSpecs', 'weightData', 'weightsManifest', 'format', 'generatedBy', 'convertedBy', 'trainingConfig', 'userDefinedMetadata', 'modelInitializer', 'signature'];

/** Whether `v` (an object) has a key of model artifacts. */
function isArtifactsLike(v: object): boolean {
  return ARTIFACT_KEYS.some((k) => k in v);
}

/** {@link describe}, with the first keys of a plain object (which describes as "an object (Object)" alone). */
function withKeys(v: unknown): string {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return describe(v);
  let keys: string[] = [];
  try {
    keys = Object.keys(v);
  } catch {
    // A revoked proxy: its description alone.
  }
  const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', …' : '');
  return `${describe(v)} ${keys.length === 0 ? 'with no keys' : `with the key${keys.length === 1 ? '' : 's'} ${shown}`}`;
}

/**
 * The model in `a` (synchronous: everything is in memory); `op` starts every message, and
 * `fields` name the weight specs where they were in a file. `weightsFollow`: loadModel, whose
 * weights make kept initializers harmless (see `specFromKeras`).
 */
function fromArtifacts(op: string, v: unknown, options: LoadOptions, fields: readonly string[] | undefined, weightsFollow: boolean): LoadedModel {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InvalidArgumentError(`${op}: expected model artifacts { modelTopology, weightSpecs, weightData }, a handler with load(), or a URL, got ${describe(v)}`);
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
    const bytes = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    throw new InvalidArgumentError(`${op}: expected model artifacts { modelTopology, weightSpecs, weightData }, a handler with load(), or a URL, got ${bytes.length} bytes (${v.constructor.name})${binaryKind(bytes) ? `: ${binaryKind(bytes)}` : ": pass the model.json's URL ('file://…', 'https://…') instead"}`);
  }
  // A fetch's Response (init takes one): its model.json names weight files it cannot fetch.
  if (isResponseLike(v)) {
    const u = (v as { url?: unknown }).url;
    const url = typeof u === 'string' ? u : '';
    throw new InvalidArgumentError(
      `${op}: got a Response${url ? ` (of ${url})` : ''}, which loadModel does not read (init takes one; a model.json names weight files beside it that a Response cannot fetch): ` +
        `pass the model.json's URL (loadModel(${url ? JSON.stringify(url) : "'https://…/model.json'"}), with fetchFunc or requestInit in the options if the request needs them), or artifacts { modelTopology, weightSpecs, weightData }`,
    );
  }
  const { a, at, trainingAt } = unwrapConverted(v as ModelArtifacts);
  if (a.format !== undefined && a.format !== 'layers-model') {
    bad(op, 'format', `must be 'layers-model', got ${show(a.format)}${a.format === 'graph-model' ? ' (TF.js graph models are not supported: save the Keras model in the Layers format)' : ''}`);
  }
  if (a.modelTopology instanceof ArrayBuffer) bad(op, 'modelTopology', 'is binary (a TF.js graph model, GraphDef); neurite reads Keras (Layers) model topologies');
  // A parsed model.json (io.fromMemory(json)): its weights are in the files its manifest names.
  if (a.weightsManifest != null && a.weightSpecs == null && a.weightData == null) {
    const paths = Array.isArray(a.weightsManifest) ? a.weightsManifest.flatMap((g: unknown) => (Array.isArray((g as { paths?: unknown })?.paths) ? (g as { paths: unknown[] }).paths : [])) : [];
    bad(op, 'weightsManifest', `is a model.json's: its weights are in the files it names (${paths.map((p) => show(p)).join(', ') || 'none'}), which artifacts in memory do not hold; load the model.json by its URL (loadModel('https://…/model.json'), 'file://…') or with io.browserFiles([json, ...weightFiles]), or give artifacts with weightSpecs and weightData`);
  }
  // A model.json spread into artifacts with its weights ({ ...json, weightData }): the specs are still in the manifest.
  if (a.weightsManifest != null && a.weightSpecs == null && a.weightData != null) {
    bad(op, 'weightSpecs', "is missing: a model.json keeps the weights' specs in weightsManifest[i].weights, which loadModel does not read from artifacts in memory; pass weightSpecs: json.weightsManifest.flatMap((g) => g.weights) beside weightData");
  }
  const topo = objectAt(op, at, a.modelTopology);
  const cls = kerasObject(op, at, topo).class_name;
  // Every size is checked against weightData before anything is allocated.
  const { slots, bytes } = readWeightSpecs(op, a.weightSpecs, a.weightData, fields);
  if (cls === 'Sequential' || cls === 'Model' || cls === 'Functional') {
    const spec = specFromKeras(op, at, topo, weightsFollow);
    const checked = checkSequential(op, a, spec, options, slots, bytes, trainingAt);
    return buildChecked(op, checked, makeAutoencoderOrSequential);
  }
  if (cls === `${CUSTOM}Perceptron`) return loadPerceptron(op, topo, slots, bytes, options);
  if (cls === `${CUSTOM}RBFNetwork`) return loadRbfNetwork(op, a, topo, options, weightsFollow);
  return bad(op, 'modelTopology.class_name', `'${cls}' is a model class neurite does not support; supported: ${MODEL_CLASSES.join(', ')}`);
}

/**
 * `a` without the wrapper `tensorflowjs_converter` (Keras `--input_format keras`) puts around
 * the Keras config: `modelTopology: { keras_version, backend, model_config, training_config }`.
 * As in TF.js, the topology is `model_config`. Its `training_config` (Keras's compile, in the
 * snake_case form of TF.js's `trainingConfig`, read the same way) compiles the model when the
 * file has no `trainingConfig` of its own; TF.js 4.22 ignores it (its model loads uncompiled).
 * `at` and `trainingAt` say where the two are in the file, for the messages.
 */
function unwrapConverted(a: ModelArtifacts): { a: ModelArtifacts; at: string; trainingAt: string } {
  const t = a.modelTopology as Record<string, unknown> | undefined;
  if (!isObject(t) || t instanceof ArrayBuffer || t.model_config == null) return { a, at: 'modelTopology', trainingAt: 'trainingConfig' };
  const own = a.trainingConfig != null;
  const trainingConfig = own ? a.trainingConfig : (t.training_config ?? undefined);
  // The Keras version is the wrapper's: it tells tf.keras 2.13+'s `module` keys from Keras 3's (isKeras3).
  const m = t.model_config;
  const topology = isObject(m) && m.keras_version === undefined && t.keras_version !== undefined ? { ...m, keras_version: t.keras_version } : m;
  return {
    a: { ...a, modelTopology: topology as object, trainingConfig: trainingConfig as ModelArtifacts['trainingConfig'] },
    at: 'modelTopology.model_config',
    trainingAt: own ? 'trainingConfig' : 'modelTopology.training_config',
  };
}

function loadPerceptron(op: string, topo: Record<string, unknown>, slots: WeightSlot[], bytes: Uint8Array, options: LoadOptions): Perceptron {
  const c = objectAt(op, 'modelTopology.config', topo.config);
  const want: Array<[string, number[]]> = [['perceptron/weights', [c.inputs as number]], ['perceptron/bias', []]];
  if (slots.length !== 2) bad(op, 'weightSpecs', `of a perceptron must be exactly perceptron/weights and perceptron/bias, got ${show(slots.map((s) => s.name))}`);
  const [w, b] = want.map(([name, shape]) => {
    const s = slots.find((x) => x.name === name);
    if (!s) bad(op, 'weightSpecs', `has no weight '${name}'`);
    if (s.shape.join() !== shape.join()) bad(op, `${s.where}.shape`, `of '${name}' is ${show(s.shape)}, but modelTopology.config.inputs needs ${show(shape)}`);
    return decodeWeights(op, bytes, s, options.allowNonFinite === true);
  });
  try {
    return new Perceptron({ inputs: c.inputs as number, output: c.output as never, learningRate: c.learning_rate as number, threshold: c.threshold as number, seed: c.seed as number, weights: w, bias: b[0] });
  } catch (err) {
    if (err instanceof InvalidArgumentError) err.message = `${op}: modelTopology.config: ${err.message}`;
    throw err;
  }
}

function loadRbfNetwork(op: string, a: ModelArtifacts, topo: Record<string, unknown>, options: LoadOptions, weightsFollow: boolean): RBFNetwork {
  const c = objectAt(op, 'modelTopology.config', topo.config);
  let net: RBFNetwork;
  try {
    net = new RBFNetwork({ centers: c.centers as number, kernel: c.kernel as never, seed: c.seed as number, neighbors: c.neighbors as number, widthScale: c.width_scale as number, l2: c.l2 as number, maxIterations: c.max_iterations as number });
  } catch (err) {
    if (err instanceof InvalidArgumentError) err.message = `${op}: modelTopology.config: ${err.message}`;
    throw err;
  }
  if (c.model === null || c.model === undefined) {
    if (Array.isArray(a.weightSpecs) && a.weightSpecs.length > 0) bad(op, 'weightSpecs', 'must be empty for an RBF network that was not fitted (modelTopology.config.model is null)');
    return net;
  }
  const inner = { ...a, modelTopology: c.model } as ModelArtifacts;
  const { slots, bytes } = readWeightSpecs(op, inner.weightSpecs, inner.weightData);
  const spec = specFromKeras(op, 'modelTopology.config.model', c.model, weightsFollow);
  const kinds = spec.layers.map((l) => (l.type === 'layer' ? l.kind : 'sequential'));
  if (kinds.join() !== 'rbf,dense') bad(op, 'modelTopology.config.model.config.layers', `of an RBF network must be [neurite>RBF, Dense], got [${kinds.join(', ')}]`);
  // The network's own config says what its model is: the two must agree.
  const rbf = spec.layers[0] as { args: Record<string, unknown> };
  const where = 'modelTopology.config.model.config.layers[0].config';
  if (rbf.args.units !== net.units) bad(op, `${where}.units`, `is ${show(rbf.args.units)} but modelTopology.config.centers is ${net.units}: the network's model must have one radial unit per center`);
  if ((rbf.args.kernel ?? 'gaussian') !== net.kernel) bad(op, `${where}.kernel`, `is ${show(rbf.args.kernel ?? 'gaussian')} but modelTopology.config.kernel is ${show(net.kernel)}`);
  const checked = checkSequential(op, inner, spec, options, slots, bytes);
  net.adoptModel(buildChecked(op, checked, (s, layers) => new Sequential({ name: s.name, seed: s.seed, layers })));
  return net;
}

/** A file checked and decoded, ready to build (nothing allocated yet). */
interface CheckedModel {
  spec: ModelSpec;
  inputShape: number[] | undefined;
  /**
   * Weight values in the core's order, in the core's shapes, with where each is in the file and
   * its index in the core's order (all of them, unless `complete` is false).
   */
  values: Array<{ w: WeightSpec; slot: WeightSlot; data: Float32Array; index: number }>;
  /** Whether `values` holds every weight; if not (`strict: false`, or no weights in the file), the initializers draw the rest. */
  complete: boolean;
  /** The file's `userDefinedMetadata` without neurite's own key, for `getUserDefinedMetadata()`. */
  userMetadata: Record<string, unknown> | undefined;
  /** Whether non-finite weight values are an error (checked in WebAssembly by `buildChecked`). */
  finiteOnly: boolean;
  compile: CompileArgs | null;
  state: TrainingState | null;
  /**
   * Optimizer slots in TF.js's form (`iter`, `<weight>/<slot>`: a file TF.js wrote with
   * `includeOptimizer`, or neurite's when TF.js has the optimizer), put into the compiled model's.
   */
  tfState: TfOptimizerState | null;
  /** A schedule's position saved without the training state (neurite's compile record), put into the compiled model's trainer. */
  schedulePosition?: { step?: number; lrScale: number } | undefined;
}

/**
 * Checks a Sequential model file completely (see the module doc) and decodes its weights;
 * `topology` is `a.modelTopology` already parsed into `spec`. Allocates nothing.
 */
function checkSequential(op: string, a: ModelArtifacts, spec: ModelSpec, options: LoadOptions, slots: WeightSlot[], bytes: Uint8Array, trainingAt = 'trainingConfig'): CheckedModel {
  const inputShape = specInputShape(spec);
  const modelSlots = slots.filter((s) => s.group !== 'optimizer');
  // A topology without weights (no weightSpecs, no weightData) loads with fresh weights, as in TF.js.
  const given = a.weightSpecs != null || a.weightData != null;
  // TF.js's strict: false ignores the file's extra weights and leaves missing ones as drawn.
  const strict = options.strict !== false;
  let values: CheckedModel['values'] = [];
  let complete = true;
  if (inputShape === undefined) {
    if (modelSlots.length > 0) bad(op, 'modelTopology', 'has no input shape: the first layer needs batch_input_shape to give its weights a shape');
  } else if (!given) {
    complete = false;
  } else {
    const { weights } = expectedWeights(op, spec, inputShape);
    const byName = new Map(modelSlots.map((s) => [s.name, s]));
    weights.forEach((w, index) => {
      const s = byName.get(w.name);
      if (!s) {
        if (!strict) {
          complete = false;
          return;
        }
        // Keras 3's variable paths carry the model's name first (`sequential/dense/kernel`).
        const prefixed = modelSlots.find((x) => x.name.endsWith(`/${w.name}`));
        const path = prefixed ? `; it has '${prefixed.name}', a Keras 3 variable path: name the weights '<layer>/<weight>' as TF.js does ('${w.name}')` : '';
        const file = modelSlots.length === 0 ? `has no weights (${slots.length > 0 ? 'only optimizer state' : 'an empty list'}), but the model has ${weights.length}, starting with '${w.name}'` : `has no weight '${w.name}'${path}`;
        bad(op, 'weightSpecs', `${file} (the layer at ${w.where} needs it, shape ${show(w.shape)}); pass { strict: false } to load the weights the file has and draw the others`);
      }
      if (s.shape.join() !== w.shape.join()) bad(op, `${s.where}.shape`, `of '${w.name}' is ${show(s.shape)}, but the topology needs ${show(w.shape)}`);
      byName.delete(w.name);
      // Non-finite values are looked for once the values are in WebAssembly (buildChecked).
      values.push({ w, slot: s, data: decodeWeights(op, bytes, s, true), index });
    });
    const extra = [...byName.values()][0];
    if (extra && strict) bad(op, `${extra.where}.name`, `'${extra.name}' is not a weight of this model (its weights: ${weights.map((w) => w.name).join(', ') || 'none'}); pass { strict: false } to ignore it`);
  }
  if (options.allowNonFinite) {
    const nonFinite = values.filter((v) => v.data.some((x) => !Number.isFinite(x))).map((v) => v.w.name);
    if (nonFinite.length > 0) console.warn(`${op}: weights with NaN or infinite values: ${nonFinite.join(', ')}`);
  }
  const meta = a.userDefinedMetadata == null ? {} : objectAt(op, 'userDefinedMetadata', a.userDefinedMetadata);
  let neurite = meta.neurite === undefined ? {} : objectAt(op, 'userDefinedMetadata.neurite', meta.neurite);
  if (options.compile !== false && neurite.wrote !== fingerprintOf(a, slots, bytes) && (neurite.compile !== undefined || neurite.training !== undefined)) {
    // Another tool (TF.js) re-saved the file and carried neurite's record through: the file's
    // trainingConfig and optimizer weights say how it is compiled now.
    console.warn(`${op}: userDefinedMetadata.neurite (neurite's compile and training record) ${neurite.wrote === undefined ? 'has no fingerprint (an older neurite wrote it)' : 'does not match the file'}: another tool re-saved it, so the record is set aside and the file loads as TF.js would load it (${a.trainingConfig == null ? 'uncompiled: it has no trainingConfig' : "compiled from its trainingConfig, with TF.js's optimizer state if it has one"})`);
    neurite = {};
  }
  // The user's part (TF.js's setUserDefinedMetadata checks it is plain JSON): all but neurite's own key.
  const { neurite: _own, ...user } = meta;
  const userMetadata = a.userDefinedMetadata == null || (Object.keys(user).length === 0 && _own !== undefined) ? undefined : user;
  if (userMetadata) checkUserDefinedMetadata(op, userMetadata, spec.name);
  let compile: CompileArgs | null = null;
  let schedulePosition: CheckedModel['schedulePosition'];
  if (options.compile !== false) {
    if (neurite.compile !== undefined) {
      compile = compileFromRecord(op, 'userDefinedMetadata.neurite.compile', neurite.compile);
      schedulePosition = schedulePositionFrom(op, 'userDefinedMetadata.neurite.compile', neurite.compile);
    }
    else if (a.trainingConfig !== undefined && a.trainingConfig !== null) compile = compileFromTrainingConfig(op, trainingAt, a.trainingConfig);
  }
  if (compile) {
    // The loss, metrics and optimizer are checked now, before the model is built.
    const where = neurite.compile !== undefined ? 'userDefinedMetadata.neurite.compile' : trainingAt;
    try {
      // An output may be a further use of a layer (a shared layer's second call): its layer's name.
      const io = spec.io;
      encodeCompile(compile, io?.outputs.map((j) => spec.layers[valueLayer(io.inputs, spec.layers.length - io.inputs, spec.extraUses ?? [], j)].name));
    } catch (err) {
      if (err instanceof InvalidArgumentError) err.message = `${op}: ${where}: ${err.message}`;
      throw err;
    }
  }
  // { compile: false } loads the model alone, as Keras's load_model(compile=False): a saved
  // optimizer state (and its slots) is skipped. So is TF.js's when it has no trainingConfig
  // (TF.js then loads the model uncompiled too).
  let state: TrainingState | null = null;
  let tfState: TfOptimizerState | null = null;
  const shapes = () => new Map(values.map((v) => [v.w.name, v.w.shape]));
  if (neurite.training !== undefined && options.compile !== false) {
    const where = 'userDefinedMetadata.neurite.training';
    if (!compile) bad(op, where, 'is present but the file has no compile config: the optimizer state needs the optimizer (load with { compile: false } to skip the state)');
    // Its slots are in TF.js's form (`iter`, `<weight>/<slot>`) when TF.js has the optimizer.
    const tfForm = slots.some((s) => s.group === 'optimizer' && s.name === 'iter');
    try {
      state = trainingStateFrom(op, where, neurite.training, tfForm ? [] : slots, bytes);
      if (tfForm) {
        tfState = tfOptimizerStateFrom(op, slots, bytes, shapes())!;
        if (tfState.step !== state.step) bad(op, `${where}.step`, `is ${state.step} but the optimizer's step counter 'iter' is ${tfState.step}`);
      }
    } catch (err) {
      throw orWeightsAlone(err);
    }
  } else if (compile && neurite.compile === undefined) {
    tfState = tfOptimizerStateFrom(op, slots, bytes, shapes());
  }
  return { spec, inputShape, values, complete, userMetadata, finiteOnly: options.allowNonFinite !== true, compile, state, tfState, schedulePosition };
}

/** An error about a saved optimizer state, ending with the way to load the weights alone (once). */
function orWeightsAlone(err: unknown): unknown {
  if (err instanceof NeuriteError && !err.message.includes('{ compile: false }')) err.message += ' (load with { compile: false } to load the weights alone)';
  return err;
}

/** The fingerprint of `a` that neurite's record must carry to be used (see `fileFingerprint`). */
function fingerprintOf(a: ModelArtifacts, slots: WeightSlot[], bytes: Uint8Array): string {
  const opt = slots.filter((s) => s.group === 'optimizer');
  const iter = opt.find((s) => s.name === 'iter' && s.size === 1);
  return fileFingerprint(a.trainingConfig, opt, iter && new DataView(bytes.buffer, bytes.byteOffset + iter.offset * 4, 4).getInt32(0, true));
}

/**
 * Writes the file's values of the weights `values` (each at its core index `v.index`) straight
 * into the built model's weights, in WebAssembly memory, then checks them there, in `values`'
 * order: each one's domain (the core's error), and finiteness when `finiteOnly` (named after
 * the file's weight). One call into the core for each step (a call per weight walked the whole
 * model each time: quadratic in its layers).
 */
function fillWeights(op: string, handle: number, values: CheckedModel['values'], finiteOnly: boolean): void {
  const n = values.length;
  if (n === 0) return;
  call((e) =>
    // The list of weights, then room for their [address, length].
    withWords(op, 3 * n, (ptr) => {
      words(ptr, n).set(values.map((v) => v.index));
      check(e.nr_model_fill_weights(handle, ptr, n, 0, ptr + 4 * n));
      const spans = words(ptr + 4 * n, 2 * n).slice();
      values.forEach((v, k) => {
        if (spans[2 * k + 1] !== v.data.length) throw new InvalidArgumentError(`${op}: ${v.slot.where} ('${v.slot.name}') has ${v.data.length} values but the model's weight ${v.index} has ${spans[2 * k + 1]}`);
      });
      const f32 = new Float32Array(e.memory.buffer);
      values.forEach((v, k) => f32.set(v.data, spans[2 * k] >>> 2));
      check(e.nr_model_fill_weights(handle, ptr, n, finiteOnly ? 1 : 2, ptr + 4 * n));
      const [k, bad] = words(ptr + 4 * n, 2);
      if (k !== 0xffffffff) throw nonFiniteWeight(op, values[k].slot, values[k].data[bad], bad);
    }),
  );
}

/**
 * Builds the model of a checked file: layers, weights, compile, optimizer state. On any error
 * everything made here is freed and the error is rethrown.
 *
 * NOTE: the weights go from the file's bytes straight into the built model's own buffers
 * (`fillWeights`), with no tensor in between, so loading grows WebAssembly memory by the weights
 * once (it made every weight a tensor first, then the model's zero weights beside them).
 */
function buildChecked(op: string, c: CheckedModel, make: (s: ModelSpec, layers: Array<Layer | Sequential>) => Sequential): Sequential {
  let model: Sequential | undefined;
  try {
    model = makeModel(op, c.spec, make);
    if (c.inputShape !== undefined) {
      // The file gives every weight (checkSequential), so the initializers are skipped and the
      // count is checked again; otherwise (strict: false, a topology alone) they draw the rest.
      const fill = (handle: number): void => fillWeights(op, handle, c.values, c.finiteOnly);
      if (c.complete) model.buildWithWeights(c.inputShape, fill, undefined, c.values.length);
      else {
        model.build(c.inputShape);
        fill(model.handle(op));
      }
    }
    model.setUserDefinedMetadata(c.userMetadata);
    if (c.compile) model.compile(c.compile);
    try {
      if (c.tfState) {
        // TF.js's slots into the fresh state; a neurite file's JSON gives the rest (seed, schedule position, …).
        const merged = withTfOptimizerState(exportTrainingState(model), c.tfState, model.weightNames());
        importTrainingState(model, c.state ? { ...merged, optimizer: c.state.optimizer, step: c.state.step, extra: c.state.extra } : merged);
      } else if (c.state) importTrainingState(model, c.state);
      else if (c.compile && c.schedulePosition) {
        // The fresh state (slots, seed) with the schedule's step and factor.
        const fresh = exportTrainingState(model);
        importTrainingState(model, { ...fresh, step: c.schedulePosition.step ?? 0, extra: { ...fresh.extra, lrScale: c.schedulePosition.lrScale } });
      }
    } catch (err) {
      // The optimizer state (userDefinedMetadata.neurite.training, or TF.js's optimizer weights).
      if (err instanceof NeuriteError && !err.message.startsWith(`${op}:`)) err.message = `${op}: restoring the optimizer state: ${err.message}`;
      throw orWeightsAlone(err);
    }
    return model;
  } catch (err) {
    model?.dispose(); // and the models nested in it (makeModel made them for it)
    // The core's own checks (e.g. rbf centers against the input width) name the layer; say where it came from.
    if (err instanceof NeuriteError && !err.message.startsWith(`${op}:`)) err.message = `${op}: building modelTopology: ${err.message}`;
    throw err;
  }
}
