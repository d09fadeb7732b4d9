/**
 * `loadModel`: a model from TF.js-format artifacts, a storage handler or a URL.
 */
import { InvalidArgumentError, NeuriteError } from '../errors.js';
import { Perceptron } from '../classic/perceptron.js';
import { RBFNetwork } from '../classic/rbf.js';
import { makeAutoencoderOrSequential } from '../models/autoencoder.js';
import { Sequential } from '../models/sequential.js';
import { describe, show } from '../ops/convert.js';
import { decodeWeights, readWeightSpecs, type IOHandler, type ModelArtifacts, type WeightSlot } from './artifacts.js';
import { bad, CUSTOM, kerasObject, objectAt } from './keras.js';
import { buildChecked, checkSequential, type LoadOptions } from './model.js';
import { getLoadHandler } from './router.js';
import { specFromKeras } from './topology.js';

/** What {@link loadModel} returns, by the file's `modelTopology.class_name`. */
export type LoadedModel = Sequential | Perceptron | RBFNetwork;

/** The model classes {@link loadModel} reads. */
const MODEL_CLASSES = ['Sequential', `${CUSTOM}Perceptron`, `${CUSTOM}RBFNetwork`];

const OP = 'loadModel';

/** @internal {@link loadModel} (public in `lazy.ts`), once the storage chunk is loaded. */
export async function loadModel(source: string | IOHandler | ModelArtifacts, options: LoadOptions = {}): Promise<LoadedModel> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InvalidArgumentError(`${OP}: options must be an object like { compile: false }, got ${describe(options)}`);
  for (const k of Object.keys(options)) if (k !== 'compile' && k !== 'allowNonFinite') throw new InvalidArgumentError(`${OP}: unknown option '${k}' (known: compile, allowNonFinite)`);
  for (const k of ['compile', 'allowNonFinite'] as const) {
    if (options[k] !== undefined && typeof options[k] !== 'boolean') throw new InvalidArgumentError(`${OP}: ${k} must be true or false, got ${describe(options[k])}`);
  }
  let artifacts: unknown = source;
  if (typeof source === 'string' || (source !== null && typeof source === 'object' && typeof (source as IOHandler).load === 'function')) {
    const h = getLoadHandler(source as string | IOHandler, OP);
    artifacts = await h.load!();
  }
  try {
    return fromArtifacts(artifacts, options);
  } catch (err) {
    // Anything but a NeuriteError here is a bug in the checks: report it as bad input, never as a TypeError.
    if (err instanceof NeuriteError) throw err;
    throw new InvalidArgumentError(`${OP}: the artifacts are malformed (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** The model in `a` (synchronous: everything is in memory). */
function fromArtifacts(v: unknown, options: LoadOptions): LoadedModel {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InvalidArgumentError(`${OP}: expected model artifacts { modelTopology, weightSpecs, weightData }, a handler with load(), or a URL, got ${describe(v)}`);
  const a = v as ModelArtifacts;
  if (a.format !== undefined && a.format !== 'layers-model') {
    bad(OP, 'format', `must be 'layers-model', got ${show(a.format)}${a.format === 'graph-model' ? ' (TF.js graph models are not supported: save the Keras model in the Layers format)' : ''}`);
  }
  if (a.modelTopology instanceof ArrayBuffer) bad(OP, 'modelTopology', 'is binary (a TF.js graph model, GraphDef); neurite reads Keras (Layers) model topologies');
  const topo = objectAt(OP, 'modelTopology', a.modelTopology);
  const cls = kerasObject(OP, 'modelTopology', topo).class_name;
  // Every size is checked against weightData before anything is allocated.
  const { slots, bytes } = readWeightSpecs(OP, a.weightSpecs, a.weightData);
  if (cls === 'Sequential') {
    const spec = specFromKeras(OP, 'modelTopology', topo);
    const checked = checkSequential(OP, a, spec, options, slots, bytes);
    return buildChecked(OP, checked, makeAutoencoderOrSequential);
  }
  if (cls === `${CUSTOM}Perceptron`) return loadPerceptron(topo, slots, bytes, options);
  if (cls === `${CUSTOM}RBFNetwork`) return loadRbfNetwork(a, topo, options);
  return bad(OP, 'modelTopology.class_name', `'${cls}' is a model class neurite does not support; supported: ${MODEL_CLASSES.join(', ')}`);
}

function loadPerceptron(topo: Record<string, unknown>, slots: WeightSlot[], bytes: Uint8Array, options: LoadOptions): Perceptron {
  const c = objectAt(OP, 'modelTopology.config', topo.config);
  const want: Array<[string, number[]]> = [['perceptron/weights', [c.inputs as number]], ['perceptron/bias', []]];
  if (slots.length !== 2) bad(OP, 'weightSpecs', `of a perceptron must be exactly perceptron/weights and perceptron/bias, got ${show(slots.map((s) => s.name))}`);
  const [w, b] = want.map(([name, shape]) => {
    const s = slots.find((x) => x.name === name);
    if (!s) bad(OP, 'weightSpecs', `has no weight '${name}'`);
    if (s.shape.join() !== shape.join()) bad(OP, `${s.where}.shape`, `of '${name}' is ${show(s.shape)}, but modelTopology.config.inputs needs ${show(shape)}`);
    return decodeWeights(OP, bytes, s, options.allowNonFinite === true);
  });
  try {
    return new Perceptron({ inputs: c.inputs as number, output: c.output as never, learningRate: c.learning_rate as number, threshold: c.threshold as number, seed: c.seed as number, weights: w, bias: b[0] });
  } catch (err) {
    if (err instanceof InvalidArgumentError) err.message = `${OP}: modelTopology.config: ${err.message}`;
    throw err;
  }
}

function loadRbfNetwork(a: ModelArtifacts, topo: Record<string, unknown>, options: LoadOptions): RBFNetwork {
  const c = objectAt(OP, 'modelTopology.config', topo.config);
  let net: RBFNetwork;
  try {
    net = new RBFNetwork({ centers: c.centers as number, kernel: c.kernel as never, seed: c.seed as number, neighbors: c.neighbors as number, widthScale: c.width_scale as number, l2: c.l2 as number, maxIterations: c.max_iterations as number });
  } catch (err) {
    if (err instanceof InvalidArgumentError) err.message = `${OP}: modelTopology.config: ${err.message}`;
    throw err;
  }
  if (c.model === null || c.model === undefined) {
    if (Array.isArray(a.weightSpecs) && a.weightSpecs.length > 0) bad(OP, 'weightSpecs', 'must be empty for an RBF network that was not fitted (modelTopology.config.model is null)');
    return net;
  }
  const inner = { ...a, modelTopology: c.model } as ModelArtifacts;
  const { slots, bytes } = readWeightSpecs(OP, inner.weightSpecs, inner.weightData);
  const spec = specFromKeras(OP, 'modelTopology.config.model', c.model);
  const kinds = spec.layers.map((l) => (l.type === 'layer' ? l.kind : 'sequential'));
  if (kinds.join() !== 'rbf,dense') bad(OP, 'modelTopology.config.model.config.layers', `of an RBF network must be [neurite>RBF, Dense], got [${kinds.join(', ')}]`);
  const checked = checkSequential(OP, inner, spec, options, slots, bytes);
  net.adoptModel(buildChecked(OP, checked, (s, layers) => new Sequential({ name: s.name, seed: s.seed, layers })));
  return net;
}
