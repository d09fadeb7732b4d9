/**
 * Sequential models (and autoencoders) to artifacts. Saving walks the model into a spec, writes
 * its Keras config and its weights in TF.js's order (`model.getWeights()`'s, see
 * `models/weight-order.ts`). What the file holds is read synchronously, at the call (the
 * artifacts are those of the call); the storage code (`write.ts`, loaded on first use) makes
 * the artifacts of it. Reading them back is `load.ts`.
 */
import { call, check, outPtr, readOut } from '../engine.js';
import { InvalidArgumentError, OutOfMemoryError } from '../errors.js';
import { show } from '../ops/convert.js';
import type { Tensor } from '../tensor.js';
import { checkArgs } from '../options.js';
import type { Sequential } from '../models/sequential.js';
import { artifactsInfo, checkUserDefinedMetadata, type IOHandler, type ModelArtifacts, type NamedInts, type NamedWeight, type SaveResult } from './artifacts.js';
import { getSaveHandler } from './router.js';
import { checkUniqueNames, expectedWeights, type ModelSpec, type WeightSpec } from './spec.js';
import { modelConfig, modelSpec, NEURITE_VERSION } from './topology.js';
import { STEP_COUNTING, type CompileRecord } from './training.js';
import { exportTrainingState, trainingPosition, type TrainingState } from '../models/training-state.js';
import type { CompiledInfo } from '../models/compile.js';
import type { OptimizerConfig } from '../optimizers.js';
import { storage } from './storage_chunk.js';
import { readWeights } from '../models/weights.js';
import type { WebRequestInit, WebResponse, WebURL } from '../web-types.js';

/** Options of `model.save` and `model.toArtifacts`. */
export interface SaveOptions {
  /**
   * Also save the optimizer state (slots, step, schedule position, the fit RNG position), so
   * that training resumes where it stopped. Default `false` (as TF.js).
   */
  includeOptimizer?: boolean | undefined;
}

/** Options of {@link loadModel}. */
export interface LoadOptions {
  /**
   * Recompile the model with the saved compile config when there is one, and restore the
   * optimizer state saved with `includeOptimizer` (by neurite, or by TF.js: its step and
   * slots go into the recompiled optimizer). Default `true`; `false` loads the model
   * uncompiled and skips any saved optimizer state (as Keras's `load_model(compile=False)`).
   */
  compile?: boolean | undefined;
  /**
   * Load weights that are NaN or ±Infinity (with a console warning) instead of failing.
   * Default `false`: a non-finite weight is an InvalidArgumentError naming it.
   */
  allowNonFinite?: boolean | undefined;
  /**
   * As TF.js's `strict`: `true` (the default) requires the file's weights to be exactly the
   * model's; `false` ignores weights of the file the model does not have and leaves those the
   * file lacks as the initializers draw them. A weight of the wrong shape is an error either way.
   * (Artifacts with a topology and no weights at all load with fresh weights, as in TF.js.)
   */
  strict?: boolean | undefined;
  /**
   * Called with the fraction loaded, as TF.js's `onProgress`: for an `http(s)://` URL after each
   * weight file's response (0 to 0.5) and after each one is read (0.5 to 1); for `file://` after
   * each weight file is read. Other sources read the model in one step: there it is an error.
   */
  onProgress?: ((fraction: number) => void) | undefined;
  /** `http(s)://` only, as TF.js: passed to every `fetch` (headers, credentials); no `body`. */
  requestInit?: WebRequestInit | undefined;
  /** `http(s)://` only, as TF.js: used instead of the global `fetch`. */
  fetchFunc?: ((input: string, init?: WebRequestInit) => Promise<WebResponse>) | undefined;
  /**
   * `http(s)://` only, as TF.js: what the weight files' paths are appended to instead of the
   * model.json's folder (as is: end it with `/`); the model.json URL's query string is kept.
   */
  weightPathPrefix?: string | undefined;
}

/** @internal `generatedBy` of neurite's files. */
export const GENERATED_BY = `neurite ${NEURITE_VERSION}`;

function readSaveOptions(op: string, options: unknown): boolean {
  if (options === undefined) return false;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InvalidArgumentError(`${op}: options must be an object like { includeOptimizer: true }, got ${show(options)}`);
  checkArgs(op, options, ['includeOptimizer']);
  const v = (options as SaveOptions).includeOptimizer;
  if (v !== undefined && typeof v !== 'boolean') throw new InvalidArgumentError(`${op}: includeOptimizer must be true or false, got ${show(v)}`);
  return v === true;
}

/** Copies the values of `t` from WebAssembly memory into `out` (no copy in between). */
function copyInto(op: string, t: Tensor, out: Float32Array): void {
  const h = t.handleFor(op, 'weight');
  call((e) => {
    check(e.nr_tensor_data(h, outPtr(0)));
    out.set(new Float32Array(e.memory.buffer, readOut(0), out.length));
  });
}

/**
 * The weights of a built model as TF.js writes them (`model.getWeights()` order, see
 * `models/weight-order.ts`): `weights` are their specs and `tensors` their values, both in the
 * core's order (the caller disposes the tensors), put in TF.js's order by `order`; the values
 * are copied from the tensors when they are encoded.
 */
function namedWeights(op: string, model: Sequential, spec: ModelSpec, weights: WeightSpec[], tensors: Tensor[], order: readonly number[]): NamedWeight[] {
  if (weights.length !== tensors.length || order.length !== tensors.length || weights.some((w, i) => w.shape.join() !== tensors[i].shape.join())) {
    throw new InvalidArgumentError(`${op}: internal: model ${model.name} has weights ${show(tensors.map((t) => t.shape))}, its layers describe ${show(weights.map((w) => w.shape))}, its weight order lists ${order.length}`);
  }
  const norms = normalizationLayers(spec);
  const warned = new Set<string>();
  return order.map((i) => ({
    name: weights[i].name,
    shape: weights[i].shape,
    data: (out: Float32Array) => {
      copyInto(op, tensors[i], out);
      // A normalization layer never adapted (nor given statistics) holds NaN, the core's mark
      // that a forward is an error. Saved, it has Keras 3's initial statistics instead (its
      // build's zeros and ones), as Keras saves an un-adapted layer: the file is finite.
      const w = weights[i];
      if (norms.has(w.layer) && out.length > 0 && out.every(Number.isNaN)) {
        out.fill(w.name.endsWith('/variance') ? 1 : 0);
        if (!warned.has(w.layer)) {
          warned.add(w.layer);
          console.warn(`${op}: layer ${w.layer} (normalization) was never adapted: saved with Keras 3's initial statistics, mean 0 and variance 1, so the loaded layer passes its input through unchanged (as Keras's); call adapt(data) before saving to keep the data's statistics`);
        }
      }
    },
  }));
}

/** The names of the normalization layers of `spec` (nested models included). */
function normalizationLayers(spec: ModelSpec): Set<string> {
  const out = new Set<string>();
  const walk = (m: ModelSpec): void => {
    for (const l of m.layers) {
      if (l.type === 'model') walk(l);
      else if (l.type === 'layer' && l.kind === 'normalization') out.add(l.name);
    }
  };
  walk(spec);
  return out;
}

/**
 * @internal What a model's artifacts are made of, read at the call (the weights saved are those
 * of the call): the storage code (`write.ts`, loaded on first use) makes the artifacts of it.
 */
export interface ArtifactsSnapshot {
  op: string;
  topology: ModelArtifacts['modelTopology'];
  /** The weights in TF.js's order; their values are copied from tensors the caller holds. */
  weights: Array<NamedWeight | NamedInts>;
  /** The weights' specs in `getWeights()` order. */
  inOrder: WeightSpec[];
  /** The compile call: neurite's record, and what TF.js's trainingConfig is made of. */
  compiled: { record: CompileRecord; tf: TrainingConfigParts } | null;
  /** The training state (`includeOptimizer`), else null. */
  state: TrainingState | null;
  /** The user's metadata (checked). */
  user: Record<string, unknown> | undefined;
}

/** @internal The arguments of `tfTrainingConfig`, read at the call; `learningRate` replaces the optimizer's when set. */
export interface TrainingConfigParts {
  loss: string;
  lossSpec: unknown;
  metrics: string[];
  optimizer: OptimizerConfig;
  many: Pick<CompiledInfo, 'heads' | 'lossWeightsSpec'>;
  learningRate?: number | undefined;
}

/** @internal `model.toArtifacts(options)`. */
export async function sequentialToArtifacts(model: Sequential, options?: SaveOptions, op = 'toArtifacts'): Promise<ModelArtifacts> {
  const includeOptimizer = readSaveOptions(op, options);
  const spec = modelSpec(model);
  checkUniqueNames(op, spec);
  const h = model.handle(op); // builds the model (an error if it has no input shape)
  const tensors = readWeights(op, { handle: h, path: [] });
  try {
    const { weights } = expectedWeights(op, spec, model.inputDims ?? []);
    const { order } = model.tfWeightOrder(op);
    const named = namedWeights(op, model, spec, weights, tensors, order);
    const snapshot: ArtifactsSnapshot = {
      op,
      topology: modelConfig(spec, model.inputDims),
      weights: named,
      inOrder: order.map((i) => weights[i]),
      compiled: compiledRecord(model, includeOptimizer),
      state: null,
      user: model.getUserDefinedMetadata(),
    };
    if (snapshot.user !== undefined) checkUserDefinedMetadata(op, snapshot.user, model.name, true);
    if (includeOptimizer) {
      if (compiledWithLossFunction(model)) {
        throw new InvalidArgumentError(`${op}: model ${model.name} is compiled with a loss function, which cannot be saved (TF.js's save with includeOptimizer throws "Serialization of non-string loss is not supported" too); save without includeOptimizer (the topology and weights), and keep the training state with exportTrainingState()`);
      }
      if (!snapshot.compiled) throw new InvalidArgumentError(`${op}: includeOptimizer needs a compiled model; model ${model.name} has no optimizer (call compile first, or save without includeOptimizer)`);
      try {
        snapshot.state = exportTrainingState(model);
      } catch (err) {
        // The state is copied out of WebAssembly memory beside the weights' copies: for Adam twice
        // the weights more, so a model that trains may not checkpoint with it (1.4 GB refused at 720 MB of weights).
        if (err instanceof OutOfMemoryError) {
          err.message += `; saving with the optimizer state (includeOptimizer, modelCheckpoint's default) copies that state out of WebAssembly memory beside the weights' copies (Adam: twice the weights more): save with includeOptimizer: false (modelCheckpoint({ …, includeOptimizer: false })) to keep the weights alone`;
        }
        throw err;
      }
    }
    // Everything is read: the weights' values are in `tensors`, copies held until the end. No
    // turn is waited once the storage code is loaded (a load begun after this save waits for it).
    return (storage.loaded ?? (await storage(op))).artifactsOf(snapshot);
  } finally {
    for (const t of tensors) t.dispose();
  }
}

/**
 * The compile call of `model` as neurite's record and what TF.js's trainingConfig is made of;
 * `null` if not compiled. A constant learning rate that `reduceLROnPlateau`, a scheduler
 * callback or `model.learningRate = …` changed is saved as it is now (as Keras and TF.js save
 * their optimizer's current rate) in trainingConfig, and in the record unless the training
 * state goes with it (`withState`: the record keeps the compiled rate, the state its factor).
 */
function compiledRecord(model: Sequential, withState: boolean): ArtifactsSnapshot['compiled'] {
  let info;
  try {
    info = model.compiledInfo('toArtifacts');
  } catch {
    return null;
  }
  // A loss function cannot be saved (as TF.js): the model saves uncompiled, and loads so. Metric
  // functions are left out; the names beside them are kept.
  if (info.custom?.tape) return null;
  const user = new Set(info.custom?.heads.flatMap((h) => h.metrics.filter((m) => m.user).map((m) => m.name)) ?? []);
  const names = info.metricNames.filter((k) => !user.has(k));
  const heads = info.heads?.map((h) => ({ ...h, metricNames: h.metricNames.filter((k) => !user.has(k)) }));
  // One read of the optimizer's config serves both (neither is changed after; a new rate below
  // makes a copy): the rate as compiled, compared below with the rate in effect.
  const optimizer = info.optimizer.compiledConfig();
  // Several outputs, or a metric with options ({ name: 'auc', curve: 'PR' }): the metrics as given.
  const configs = hasMetricConfig(info.metricsSpec);
  const record: CompileRecord = { optimizer, loss: info.lossSpec, metrics: info.heads || configs ? structuredClone(withoutFunctions(info.metricsSpec ?? [])) : names };
  if (info.lossWeightsSpec !== undefined) record.lossWeights = structuredClone(info.lossWeightsSpec);
  if (info.weightedMetricsSpec !== undefined) record.weightedMetrics = structuredClone(info.weightedMetricsSpec);
  // The compiled specs are not changed after compile (compile makes new ones).
  const tf: TrainingConfigParts = { loss: info.loss, lossSpec: info.lossSpec, metrics: names, optimizer, many: { heads, lossWeightsSpec: info.lossWeightsSpec } };
  const compiledLr = record.optimizer.learningRate;
  if (typeof compiledLr === 'number' && model.learningRateF32 !== Math.fround(compiledLr)) {
    const now = model.learningRate;
    tf.learningRate = now;
    if (!withState) record.optimizer = { ...record.optimizer, learningRate: now };
  }
  // A schedule: its position (the step and the factor on it), which the training state would
  // otherwise carry, so that the loaded model continues the schedule where it is.
  if (!withState && typeof compiledLr === 'object' && compiledLr !== null) {
    const { step, lrScale } = trainingPosition(model.handle('toArtifacts'), 'toArtifacts');
    if (STEP_COUNTING.has(optimizer.name)) {
      if (lrScale !== 1) record.schedulePosition = { lrScale };
      if (step > 0 && !warnedSchedule.has(model)) {
        warnedSchedule.add(model);
        console.warn(
          `toArtifacts: model ${model.name}'s ${optimizer.name} optimizer follows a learning-rate schedule at step ${step}; saved without the optimizer state, the loaded model starts the schedule again at step 0 ` +
            `(${optimizer.name}'s bias correction counts the same steps, and its moments are not saved); save with { includeOptimizer: true } to continue training where it stopped (said once per model)`,
        );
      }
    } else if (step > 0 || lrScale !== 1) record.schedulePosition = { step, lrScale };
  }
  return { record, tf };
}

/** The models already warned about a schedule's position a save without the optimizer state loses. */
const warnedSchedule = new WeakSet<Sequential>();

/** Whether `model` is compiled with a loss function (which cannot be saved). */
function compiledWithLossFunction(model: Sequential): boolean {
  try {
    return model.compiledInfo('toArtifacts').custom?.tape === true;
  } catch {
    return false;
  }
}

/** A metrics spec without its functions (which cannot be saved). */
/** Whether a metrics spec holds a metric with options (`{ name, ...options }`), in a list or by output. */
function hasMetricConfig(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasMetricConfig);
  return v !== null && typeof v === 'object' && (typeof (v as { name?: unknown }).name === 'string' || Object.values(v).some(hasMetricConfig));
}

function withoutFunctions(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => typeof x !== 'function').map(withoutFunctions);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x !== 'function').map(([k, x]) => [k, withoutFunctions(x)]));
  return v;
}

/** @internal `model.save(target, options)`: the artifacts, handed to the target's handler. */
export async function saveWith(op: string, target: string | WebURL | IOHandler, artifacts: () => Promise<ModelArtifacts>): Promise<SaveResult> {
  const h = getSaveHandler(target, op);
  const a = await artifacts();
  const r = await h.save!(a);
  return r ?? { modelArtifactsInfo: artifactsInfo(a) };
}
