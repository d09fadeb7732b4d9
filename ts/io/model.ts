/**
 * Sequential models (and autoencoders) to artifacts and back. Saving walks the model into a
 * spec, writes its Keras config and its weights in TF.js's order (`model.getWeights()`: the
 * trainable weights in layer order, then the rest such as batch-norm moving statistics).
 * Loading checks the whole file — topology, manifest, sizes, every weight's name and shape,
 * non-finite values, the compile config — before it allocates anything, then builds the model,
 * sets the weights and recompiles; if a step fails, everything made so far is freed.
 */
import { InvalidArgumentError, NeuriteError } from '../errors.js';
import { fromFlat, show } from '../ops/convert.js';
import type { Layer } from '../layers/layer.js';
import { Sequential } from '../models/sequential.js';
import { encodeCompile, type CompileArgs } from '../models/compile.js';
import type { Tensor } from '../tensor.js';
import { artifactsInfo, decodeWeights, encodeWeights, type IOHandler, type ModelArtifacts, type NamedWeight, type SaveResult, type WeightSlot } from './artifacts.js';
import { bad, objectAt } from './keras.js';
import { getSaveHandler } from './router.js';
import { checkUniqueNames, expectedWeights, specInputShape, type ModelSpec, type WeightSpec } from './spec.js';
import { makeModel, modelConfig, modelSpec, NEURITE_VERSION } from './topology.js';
import { compileFromRecord, compileFromTrainingConfig, tfTrainingConfig, trainingStateFrom, trainingStateParts, type CompileRecord } from './training.js';
import { exportTrainingState, importTrainingState, type TrainingState } from '../models/training-state.js';

/** Options of `model.save` and `model.toArtifacts`. */
export interface SaveOptions {
  /**
   * Also save the optimizer state (slots, step, schedule position, the fit RNG position), so
   * that training resumes where it stopped. Default `false` (as TF.js).
   */
  includeOptimizer?: boolean;
}

/** Options of {@link loadModel}. */
export interface LoadOptions {
  /** Recompile the model with the saved compile config when there is one. Default `true`. */
  compile?: boolean;
  /**
   * Load weights that are NaN or ±Infinity (with a console warning) instead of failing.
   * Default `false`: a non-finite weight is an InvalidArgumentError naming it.
   */
  allowNonFinite?: boolean;
}

/** @internal `generatedBy` of neurite's files. */
export const GENERATED_BY = `neurite ${NEURITE_VERSION}`;

function readSaveOptions(op: string, options: unknown): boolean {
  if (options === undefined) return false;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InvalidArgumentError(`${op}: options must be an object like { includeOptimizer: true }, got ${show(options)}`);
  for (const k of Object.keys(options)) if (k !== 'includeOptimizer') throw new InvalidArgumentError(`${op}: unknown option '${k}' (known: includeOptimizer)`);
  const v = (options as SaveOptions).includeOptimizer;
  if (v !== undefined && typeof v !== 'boolean') throw new InvalidArgumentError(`${op}: includeOptimizer must be true or false, got ${show(v)}`);
  return v === true;
}

/** The weights of a built model by its spec, named and ordered as TF.js writes them. */
function namedWeights(op: string, model: Sequential, spec: ModelSpec): NamedWeight[] {
  const tensors = model.getWeights();
  try {
    const { weights } = expectedWeights(op, spec, model.inputShape ?? []);
    if (weights.length !== tensors.length || weights.some((w, i) => w.shape.join() !== tensors[i].shape.join())) {
      throw new InvalidArgumentError(`${op}: internal: model ${model.name} has weights ${show(tensors.map((t) => t.shape))}, its layers describe ${show(weights.map((w) => w.shape))}`);
    }
    const named = weights.map((w, i) => ({ w, data: tensors[i].data() }));
    return [...named.filter((n) => n.w.trainable), ...named.filter((n) => !n.w.trainable)].map(({ w, data }) => ({ name: w.name, shape: w.fileShape, data }));
  } finally {
    for (const t of tensors) t.dispose();
  }
}

/** @internal `model.toArtifacts(options)`. */
export async function sequentialToArtifacts(model: Sequential, options?: SaveOptions, op = 'toArtifacts'): Promise<ModelArtifacts> {
  const includeOptimizer = readSaveOptions(op, options);
  const spec = modelSpec(model);
  checkUniqueNames(op, spec);
  model.handle(op); // builds the model (an error if it has no input shape)
  const weights = namedWeights(op, model, spec);
  const neurite: Record<string, unknown> = {};
  const a: ModelArtifacts = { modelTopology: modelConfig(spec, model.inputShape), format: 'layers-model', generatedBy: GENERATED_BY, convertedBy: null };
  const compiled = compiledRecord(model);
  if (compiled) {
    neurite.compile = compiled.record;
    // NOTE: not with includeOptimizer: TF.js would hand neurite's optimizer slots to its own
    // optimizer's setWeights (another layout); without a trainingConfig it loads the model
    // uncompiled and leaves the optimizer entries alone.
    if (compiled.tf && !includeOptimizer) a.trainingConfig = compiled.tf;
  }
  if (includeOptimizer) {
    if (!compiled) throw new InvalidArgumentError(`${op}: includeOptimizer needs a compiled model; model ${model.name} has no optimizer (call compile first, or save without includeOptimizer)`);
    const parts = trainingStateParts(exportTrainingState(model));
    neurite.training = parts.json;
    weights.push(...parts.weights);
  }
  const { specs, data } = encodeWeights(weights);
  a.weightSpecs = specs;
  a.weightData = data;
  if (Object.keys(neurite).length > 0) a.userDefinedMetadata = { neurite };
  return a;
}

/** The compile call of `model` as neurite's record and as TF.js's trainingConfig (when possible); `null` if not compiled. */
function compiledRecord(model: Sequential): { record: CompileRecord; tf: ReturnType<typeof tfTrainingConfig> } | null {
  let info;
  try {
    info = model.compiledInfo('toArtifacts');
  } catch {
    return null;
  }
  const record: CompileRecord = { optimizer: info.optimizer.getConfig(), loss: info.lossSpec, metrics: info.metricNames.slice() };
  return { record, tf: tfTrainingConfig(info.loss, info.lossSpec, info.metricNames, info.optimizer) };
}

/** @internal `model.save(target, options)`: the artifacts, handed to the target's handler. */
export async function saveWith(op: string, target: string | IOHandler, artifacts: () => Promise<ModelArtifacts>): Promise<SaveResult> {
  const h = getSaveHandler(target, op);
  const a = await artifacts();
  const r = await h.save!(a);
  return r ?? { modelArtifactsInfo: artifactsInfo(a) };
}

/** A file checked and decoded, ready to build (nothing allocated yet). */
export interface CheckedModel {
  spec: ModelSpec;
  inputShape: number[] | undefined;
  /** Weight values in the core's order, in the core's shapes. */
  values: Array<{ w: WeightSpec; data: Float32Array }>;
  compile: CompileArgs | null;
  state: TrainingState | null;
}

/**
 * @internal Checks a Sequential model file completely (see the module doc) and decodes its
 * weights; `topology` is `a.modelTopology` already parsed into `spec`. Allocates nothing.
 */
export function checkSequential(op: string, a: ModelArtifacts, spec: ModelSpec, options: LoadOptions, slots: WeightSlot[], bytes: Uint8Array): CheckedModel {
  const inputShape = specInputShape(spec);
  const modelSlots = slots.filter((s) => s.group !== 'optimizer');
  let values: CheckedModel['values'] = [];
  if (inputShape === undefined) {
    if (modelSlots.length > 0) bad(op, 'modelTopology', 'has no input shape: the first layer needs batch_input_shape to give its weights a shape');
  } else {
    const { weights } = expectedWeights(op, spec, inputShape);
    const byName = new Map(modelSlots.map((s) => [s.name, s]));
    values = weights.map((w) => {
      const s = byName.get(w.name);
      if (!s) bad(op, 'weightSpecs', `has no weight '${w.name}' (${w.param} of the layer at ${w.where}, shape ${show(w.fileShape)})`);
      if (s.shape.join() !== w.fileShape.join()) bad(op, `${s.where}.shape`, `of '${w.name}' is ${show(s.shape)}, but the topology needs ${show(w.fileShape)}`);
      byName.delete(w.name);
      return { w, data: decodeWeights(op, bytes, s, options.allowNonFinite === true) };
    });
    const extra = [...byName.values()][0];
    if (extra) bad(op, `${extra.where}.name`, `'${extra.name}' is not a weight of this model (its weights: ${weights.map((w) => w.name).join(', ') || 'none'})`);
  }
  if (options.allowNonFinite) {
    const nonFinite = values.filter((v) => v.data.some((x) => !Number.isFinite(x))).map((v) => v.w.name);
    if (nonFinite.length > 0) console.warn(`${op}: weights with NaN or infinite values: ${nonFinite.join(', ')}`);
  }
  const meta = a.userDefinedMetadata === undefined ? {} : objectAt(op, 'userDefinedMetadata', a.userDefinedMetadata);
  const neurite = meta.neurite === undefined ? {} : objectAt(op, 'userDefinedMetadata.neurite', meta.neurite);
  let compile: CompileArgs | null = null;
  if (options.compile !== false) {
    if (neurite.compile !== undefined) compile = compileFromRecord(op, 'userDefinedMetadata.neurite.compile', neurite.compile);
    else if (a.trainingConfig !== undefined && a.trainingConfig !== null) compile = compileFromTrainingConfig(op, 'trainingConfig', a.trainingConfig);
  }
  if (compile) {
    // The loss, metrics and optimizer are checked now, before the model is built.
    const where = neurite.compile !== undefined ? 'userDefinedMetadata.neurite.compile' : 'trainingConfig';
    try {
      encodeCompile(compile);
    } catch (err) {
      if (err instanceof InvalidArgumentError) err.message = `${op}: ${where}: ${err.message}`;
      throw err;
    }
  }
  let state: TrainingState | null = null;
  if (neurite.training !== undefined) {
    if (!compile) bad(op, 'userDefinedMetadata.neurite.training', 'is present but the model is not compiled (no compile config, or { compile: false }); the optimizer state needs the optimizer');
    state = trainingStateFrom(op, 'userDefinedMetadata.neurite.training', neurite.training, slots, bytes);
  }
  return { spec, inputShape, values, compile, state };
}

/** Every model in `m`'s tree (itself and nested models), for cleanup. */
function modelsIn(m: Sequential): Sequential[] {
  return [m, ...m.layers.flatMap((l) => (l instanceof Sequential ? modelsIn(l) : []))];
}

/** @internal Disposes `m` and every model nested in it. */
export function disposeTree(m: Sequential): void {
  for (const x of modelsIn(m).reverse()) x.dispose();
}

/**
 * @internal Builds the model of a checked file: layers, weights, compile, optimizer state. On
 * any error everything made here is freed and the error is rethrown.
 */
export function buildChecked(op: string, c: CheckedModel, make: (s: ModelSpec, layers: Array<Layer | Sequential>) => Sequential): Sequential {
  const model = makeModel(op, c.spec, make);
  const tensors: Tensor[] = [];
  try {
    if (c.inputShape !== undefined) {
      model.build(c.inputShape);
      for (const { w, data } of c.values) tensors.push(fromFlat(op, data, w.shape));
      if (tensors.length > 0) model.setWeights(tensors);
    }
    if (c.compile) model.compile(c.compile);
    if (c.state) importTrainingState(model, c.state);
    return model;
  } catch (err) {
    disposeTree(model);
    // The core's own checks (e.g. rbf centers against the input width) name the layer; say where it came from.
    if (err instanceof NeuriteError && !err.message.startsWith(`${op}:`)) err.message = `${op}: building modelTopology: ${err.message}`;
    throw err;
  } finally {
    for (const t of tensors) t.dispose();
  }
}
