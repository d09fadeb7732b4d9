/**
 * @internal The check `fit`, `trainOnBatch` and `fitDataset` run before training: a model whose
 * outputs reach none of its trainable weights except through step-like activations (`unitStep`,
 * `heaviside`, `stairStep`, `sign`) without `straightThrough` cannot learn. Those activations'
 * derivative is 0 wherever it exists, so every weight behind them gets a zero gradient: the loss
 * stays where it is and the weights keep their bits. That is the right gradient, but training it
 * is never what was meant, so it is an error before the first step rather than a silent no-op.
 *
 * The check follows the structure only (no data): a value carries a gradient when some
 * trainable weight reaches it through layers that pass gradients; a layer whose activation is a
 * step without `straightThrough` passes none (its own weights included). Sequential stacks,
 * graph models (their wiring, a layer's every use) and nested models (frozen ones contribute no
 * trainable weights) are followed. A model with an output that still carries a gradient trains,
 * whatever else is blocked: its other layers learn, and one warning per compile names the
 * layers that pass no gradient. Penalty terms (weight and activity
 * regularizers, a variational layer's KL term) and decoupled weight decay reach the weights
 * without the outputs, but they only pull the weights towards their prior: they do not count.
 */
import { encodeActivation } from '../activations.js';
import { InvalidArgumentError } from '../errors.js';
import { Layer } from '../layers/layer.js';
import { ACTIVATION_PARAMS, type ActivationName } from '../wasm/codes.js';
import type { Sequential } from './sequential.js';
import { valueLayer } from './weight-order.js';
import { weightSpecs } from './weights.js';

/** Losses over the distribution of an output's values: over one value they are 0 whatever it is. */
const OVER_CLASSES: ReadonlySet<string> = new Set(['categoricalCrossentropy', 'sparseCategoricalCrossentropy']);

/**
 * Throws when a loss compares distributions over an output that has one value per sample: the
 * one value is the whole distribution, so the loss is 0 and no step changes a weight.
 */
function assertLossCanLearn(model: Sequential, op: string): void {
  const info = model.compiledInfo(op);
  const heads = info.heads ?? [{ name: model.outputNames[0] ?? 'output', loss: info.loss }];
  const widths = info.heads ? model.outputs.map((t) => t.shape.at(-1)) : [model.outputDims?.at(-1)];
  heads.forEach((h, i) => {
    if (!OVER_CLASSES.has(h.loss) || widths[i] !== 1) return;
    throw new InvalidArgumentError(
      `${op}: ${h.loss} on output ${h.name}, which has one value per sample, is always 0 (a distribution over one class is certain), so no training step changes a weight; ` +
        `for two classes use binaryCrossentropy with a 1-unit 'sigmoid' output, or give the output one unit per class (with 'softmax')`,
    );
  });
}

/** The activations with a `straightThrough` flag (the step-like ones), and the flag's index. */
const STEP_FLAG: ReadonlyMap<string, number> = new Map(
  Object.entries(ACTIVATION_PARAMS as Partial<Record<ActivationName, ReadonlyArray<readonly [string, number]>>>)
    .map(([name, params]) => [name, (params ?? []).findIndex(([k]) => k === 'straightThrough')] as const)
    .filter(([, i]) => i >= 0),
);

/**
 * A layer that stopped a gradient coming from a trainable weight, its activation, and whether
 * that is a softmax over one value (constant 1; `logSoftmax`: 0) rather than a step.
 */
interface Blocked {
  layer: string;
  activation: string;
  single: boolean;
}

/** What the walk over a model found: the layers that stop a gradient, and whether any layer has a trainable weight. */
interface Walk {
  blocked: Blocked[];
  trainable: boolean;
}

/**
 * The activation that ends `layer` and passes no gradient: a step-like one without
 * `straightThrough`, or softmax/logSoftmax over a layer of one unit (or filter); else `null`.
 */
function zeroGradientActivation(layer: Layer): { activation: string; single: boolean } | null {
  const spec = (layer as { activation?: unknown }).activation;
  if (spec === undefined) return null;
  const a = encodeActivation(layer.name, spec);
  const flag = STEP_FLAG.get(a.name);
  if (flag !== undefined && a.params[flag] === 0) return { activation: a.name, single: false };
  const { units, filters } = layer as { units?: unknown; filters?: unknown };
  const width = typeof units === 'number' ? units : filters;
  return (a.name === 'softmax' || a.name === 'logSoftmax') && width === 1 ? { activation: a.name, single: true } : null;
}

/**
 * Whether the output of `node` (a layer, or a nested model) carries a gradient to some
 * trainable weight, given which of its inputs do. `frozen`: inside a model with
 * `trainable = false`. Layers that stop such a gradient are added to `walk.blocked`, and a
 * layer with a trainable weight sets `walk.trainable`.
 */
function carries(node: Layer | Sequential, inputs: boolean[], frozen: boolean, walk: Walk): boolean {
  const fromInputs = inputs.some((c) => c);
  if (!(node instanceof Layer)) return modelCarries(node, fromInputs, frozen || !node.trainable, walk);
  if (node.kind === 'input') return false;
  const own = !frozen && node.trainableWeights.length > 0;
  walk.trainable ||= own;
  const stop = zeroGradientActivation(node);
  if (stop === null) return fromInputs || own;
  if (fromInputs || own) walk.blocked.push({ layer: node.name, ...stop });
  return false;
}

/** {@link carries} for a model: along its stack, or through its graph wiring to its outputs. */
function modelCarries(m: Sequential, fromInput: boolean, frozen: boolean, walk: Walk): boolean {
  const wiring = m.graphWiring;
  const io = m.graphIo;
  if (wiring === null || io === null) {
    let c = fromInput;
    for (const l of m.coreLayers) if (!(l instanceof Layer && l.kind === 'input')) c = carries(l, [c], frozen, walk);
    return c;
  }
  // Values as graph.rs numbers them: the inputs, each layer's first use, then the further uses.
  const k = io.inputs;
  const values: boolean[] = new Array<boolean>(k).fill(fromInput);
  wiring.forEach((reads, i) => (values[k + i] = carries(m.coreLayers[k + i], reads.map((j) => values[j]), frozen, walk)));
  io.extraUses.forEach((u) => values.push(carries(m.coreLayers[k + u.layer], u.inputs.map((j) => values[j]), frozen, walk)));
  return io.outputs.some((j) => values[j]);
}

/**
 * Throws when `model` has no trainable weight, as TF.js 4.22 does ("none of the 0 variables is
 * trainable", also for a model of an activation layer only): the model frozen (`model.trainable = false`), every layer frozen, or no weights
 * at all (`anyTrainable`: what the walk found). Training it would compute the loss and change
 * nothing (Keras 3 does so in silence).
 */
function assertHasTrainableWeights(model: Sequential, op: string, anyTrainable: boolean): void {
  if (!model.trainable) {
    throw new InvalidArgumentError(
      `${op}: model ${model.name} has trainable = false, so ${op} would change no weight (TF.js refuses it too); ` +
        `a model's trainable = false freezes it, also inside other models: set ${model.name}.trainable = true before training it on its own ` +
        '(a GAN loop sets the discriminator\'s trainable to true for its own step and to false for the combined model\'s step)',
    );
  }
  if (anyTrainable) return;
  // Counted for the message only (a nested model that was disposed is no obstacle here).
  const n = weightSpecs(op, { handle: model.handle(op), path: [] }).length;
  throw new InvalidArgumentError(
    n === 0
      ? `${op}: model ${model.name} has no weights, so there is nothing to train (TF.js refuses it too); use predict or evaluate`
      : `${op}: model ${model.name} has no trainable weights (its ${n} weight${n === 1 ? ' is' : 's are'} frozen: every layer has trainable = false, sits in a model with trainable = false (also one sharing it), or is a statistic), so ${op} would change no weight (TF.js refuses it too); ` +
          'unfreeze a layer (layer.trainable = true) or the model holding it, or use evaluate for the loss',
  );
}

/** The cross-entropies on probabilities, and the activation that makes an output's probabilities for each. */
const PROBABILITY_LOSSES: ReadonlyMap<string, string> = new Map([
  ['categoricalCrossentropy', 'softmax'],
  ['sparseCategoricalCrossentropy', 'softmax'],
  ['binaryCrossentropy', 'sigmoid'],
]);

/** The layer whose output is `m`'s one output (through nested models; an input layer when an input is the output), or `null` (several outputs). */
function outputLayer(m: Sequential): Layer | null {
  const wiring = m.graphWiring;
  const io = m.graphIo;
  let last: Layer | Sequential | undefined;
  if (wiring === null || io === null) last = m.coreLayers.at(-1);
  else if (io.outputs.length === 1) last = m.coreLayers[valueLayer(io.inputs, wiring.length, io.extraUses, io.outputs[0])];
  if (last === undefined) return null;
  return last instanceof Layer ? last : outputLayer(last);
}

/** The compiled models already checked for a mismatch between loss, metrics and output (once per compile). */
const warnedLogits = new WeakSet<object>();

/**
 * Warns once per compile (a `console.warn`, as Keras's warning for the second case) when the
 * compile and the output's last activation disagree:
 * a `'linear'` output (logits, as after PyTorch's `nn.Linear`) under a cross-entropy that
 * reads probabilities trains on a wrong loss without a word (measured: MNIST stays at chance),
 * and `fromLogits: true` after a `'softmax'`/`'sigmoid'` applies it twice.
 * Only a single-output model whose output layer has an `activation`, or is a `dot` layer (a
 * score, never probabilities), is checked; a loss function is not.
 */
function warnLogitsMismatch(model: Sequential, op: string): void {
  const info = model.compiledInfo(op);
  if (info.heads || warnedLogits.has(info)) return;
  warnedLogits.add(info);
  const wants = typeof info.lossSpec === 'function' ? undefined : PROBABILITY_LOSSES.get(info.loss);
  const layer = wants === undefined ? null : outputLayer(model);
  const fromLogits = typeof info.lossSpec === 'object' && info.lossSpec !== null && (info.lossSpec as { fromLogits?: unknown }).fromLogits === true;
  // A dot layer's output (matrix factorisation's user·item score) is a sum of products: no
  // probability (a cosine with normalize: true is in [-1, 1]), and it has no activation.
  if (layer !== null && wants !== undefined && !fromLogits && (layer.constructor as { className?: unknown }).className === 'Dot') {
    console.warn(
      `${op}: model ${model.name}'s output comes from layer ${layer.name}, a dot product (a score such as matrix factorisation's user·item, not a probability), but ${info.loss} reads its predictions as probabilities, ` +
        `so it trains on a wrong, clipped loss; compile with loss: { name: '${info.loss}', fromLogits: true }, or add an activation layer ('${wants}') after ${layer.name}`,
    );
    return;
  }
  const spec = layer === null ? undefined : (layer as { activation?: unknown }).activation;
  if (layer === null || spec === undefined) return;
  const act = encodeActivation(layer.name, spec).name;
  if (wants !== undefined && !fromLogits && act === 'linear') {
    console.warn(
      `${op}: model ${model.name}'s output comes from layer ${layer.name} with a 'linear' activation (logits, as after PyTorch's nn.Linear), but ${info.loss} reads its predictions as probabilities, ` +
        `so it trains on a wrong loss (often staying at chance); give ${layer.name} activation: '${wants}', or compile with loss: { name: '${info.loss}', fromLogits: true } (PyTorch's CrossEntropyLoss)`,
    );
  } else if (wants !== undefined && fromLogits && (act === 'softmax' || act === 'sigmoid')) {
    console.warn(
      `${op}: ${info.loss} was compiled with fromLogits: true, but model ${model.name}'s output comes from layer ${layer.name}'s '${act}', so it is not logits and the loss applies ${act} twice; ` +
        `drop fromLogits (the output is already probabilities), or make ${layer.name}'s activation 'linear'`,
    );
  }
}

/** The compiled models already warned about layers that pass no gradient (once per compile). */
const warnedBlocked = new WeakSet<object>();

/**
 * Warns once per compile when some layers of a model that can learn pass no gradient (a hidden
 * step layer without `straightThrough`, a one-unit softmax): their own weights never change,
 * and the weights before them learn only through other paths — silently, in TF.js and Keras.
 */
function warnBlocked(model: Sequential, op: string, blocked: Blocked[]): void {
  const info = model.compiledInfo(op);
  if (warnedBlocked.has(info)) return;
  warnedBlocked.add(info);
  const names = [...new Set(blocked.map((b) => `${b.layer}'s '${b.activation}'${b.single ? ' over one unit' : ''}`))];
  const step = blocked.find((b) => !b.single);
  console.warn(
    `${op}: model ${model.name} trains, but ${names.join(', ')} pass${names.length === 1 ? 'es' : ''} no gradient (a derivative of 0), ` +
      `so ${blocked.length === 1 ? `layer ${blocked[0].layer}'s own weights are` : 'those layers\' own weights are'} never changed by ${op}, and the weights before ${blocked.length === 1 ? 'it' : 'them'} learn only through other paths to the output` +
      (step ? `; to train through a step, use activation: { name: '${step.activation}', straightThrough: true }` : '; a softmax over one unit is the constant 1: use \'sigmoid\''),
  );
}

/**
 * Throws an {@link InvalidArgumentError} naming `op` when training `model` could change no
 * weight because every path from its trainable weights to its outputs passes through a
 * step-like activation without `straightThrough` (see the module comment). The model is built.
 */
export function assertCanLearn(model: Sequential, op: string): void {
  const walk: Walk = { blocked: [], trainable: false };
  const carried = modelCarries(model, false, false, walk);
  assertHasTrainableWeights(model, op, walk.trainable);
  assertLossCanLearn(model, op);
  warnLogitsMismatch(model, op);
  const { blocked } = walk;
  if (blocked.length === 0) return;
  if (carried) {
    warnBlocked(model, op, blocked);
    return;
  }
  const single = blocked.find((b) => b.single);
  if (single) {
    throw new InvalidArgumentError(
      `${op}: model ${model.name} cannot learn: layer ${single.layer} has one unit and '${single.activation}', which over one value is constant ` +
        `(${single.activation === 'softmax' ? '1' : '0'}), so its gradient is 0 and no training step changes a weight; for one output use 'sigmoid' ` +
        `(with binaryCrossentropy), or give the layer one unit per class`,
    );
  }
  const where = blocked.map((b) => `${b.layer}'s '${b.activation}'`).join(', ');
  const inputs = model.inputDims?.length === 1 ? (model.inputDims[0] || null) : '…';
  throw new InvalidArgumentError(
    `${op}: model ${model.name} cannot learn: its trainable weights reach the output only through step-like activations, whose gradient is 0 ` +
      `(${where}), so no training step can fit them to the data; to train through a step, use the ` +
      `straight-through estimator, activation: { name: '${blocked[0].activation}', straightThrough: true } (its backward pass is the identity's), ` +
      `or for a single step unit perceptron({ inputs: ${inputs} }), which learns by the perceptron rule`,
  );
}
