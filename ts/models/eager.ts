/**
 * A layer's `apply` on a tensor (TF.js's and Keras's eager call, `dense.apply(x)`): the layer
 * runs in a hidden model that holds it after an input layer of `x`'s per-sample shape, so it is
 * built, initialized, shared and differentiated as in any model (the same bits as in a model of
 * its own, `grad`/`variableGrads` through it). The hidden model stays with the layer, as its
 * weights live in a model, until `layer.dispose()`; a call at another per-sample shape replaces
 * it by one for that shape (made first: the weights carry over).
 */
import { DisposedError, InvalidArgumentError, ShapeError } from '../errors.js';
import { show } from '../ops/convert.js';
import { Tensor } from '../tensor.js';
import { InputLayer } from '../layers/core.js';
import { Concatenate, Dot, Merge } from '../layers/merge.js';
import { locate, type Layer } from '../layers/layer.js';
import { drawnSoFar, rewindTo } from '../ops/random.js';
import { Sequential } from './sequential.js';

/**
 * The kinds that draw noise without weights (each takes a `seed`): their hidden model keeps the
 * seed it drew from the global generator; another weightless layer gives it back.
 */
const NOISE_KINDS: ReadonlySet<string> = new Set(['dropout', 'gaussianNoise', 'gaussianDropout', 'alphaDropout', 'spatialDropout1d', 'saltAndPepper', 'variational']);

/** The hidden model each layer applied to a tensor runs in. */
const holderOf = new WeakMap<Layer, Sequential>();
/** The layers whose hidden model `layer.dispose()` freed: applied again, an error unless a model holds them. */
const disposed = new WeakMap<Layer, string>();

/** @internal The hidden models, which `layer.output` and the like do not count as a user's. */
export const eagerHolders = new WeakSet<Sequential>();

/** @internal Whether `v` is a tensor (or a list of them) that {@link applyEager} takes. */
export function isEagerInput(v: unknown): boolean {
  return v instanceof Tensor || (Array.isArray(v) && v.length > 0 && v.every((t) => t instanceof Tensor));
}

/**
 * Makes the hidden graph model of a merge layer on inputs of per-sample shapes `samples` (set
 * by functional.ts, which sequential.ts's import of this module must not reach).
 */
let mergeHolder: ((layer: Layer, samples: number[][], name: string) => Sequential) | null = null;

/** @internal Sets the maker of a merge layer's hidden graph model (functional.ts). */
export function setMergeHolder(f: (layer: Layer, samples: number[][], name: string) => Sequential): void {
  mergeHolder = f;
}

/** @internal `layer.apply(x, kwargs)` on a tensor: see the module's comment. */
export function applyEager(layer: Layer, x: Tensor | Tensor[], kwargs: unknown): Tensor {
  const op = 'apply';
  const merge = layer instanceof Merge || layer instanceof Concatenate || layer instanceof Dot;
  if (merge && Array.isArray(x)) return applyMerge(op, layer, x, kwargs);
  if (Array.isArray(x) || merge) {
    const got = Array.isArray(x) ? `a list of ${x.length} tensors` : 'a tensor';
    throw new InvalidArgumentError(`${op}: layer ${layer.name} (${layer.kind}) got ${got}; ${merge ? 'a merge layer takes a list of tensors, apply([a, b])' : 'a layer runs on one tensor at a time (merge layers on a list: add, concatenate, …)'}`);
  }
  if (layer.kind === 'input') throw new InvalidArgumentError(`${op}: layer ${layer.name} is an input layer, which computes nothing: apply the next layer to the tensor`);
  x.handleFor(op, 'x');
  const shape = x.shape;
  if (shape.length === 0) throw new InvalidArgumentError(`${op}: layer ${layer.name} (${layer.kind}) takes a tensor [batch, ...], got a scalar; add the batch axis with expandDims(x, 0)`);
  const sample = shape.slice(1);
  return runHeld(op, layer, show(sample), () => hold(op, layer, sample), x, kwargs, ', and its weights with it');
}

/** The per-sample shape (or shapes, a merge layer's) each hidden model was made for, as `show` writes them. */
const heldFor = new WeakMap<Sequential, string>();

/**
 * Runs `x` through `layer`'s hidden model for the per-sample shapes `key`: the one it has, or
 * one `make` makes (which replaces the old one, freed). A layer `dispose()` freed is an error
 * unless a model of the user's holds it (`gone` says what went with it).
 */
function runHeld(op: string, layer: Layer, key: string, make: () => Sequential, x: Tensor | Tensor[], kwargs: unknown, gone: string): Tensor {
  if (disposed.has(layer) && locate(layer) === null) {
    throw new DisposedError(`${op}: layer ${layer.name} (${layer.kind}) was disposed (${disposed.get(layer)})${gone}: make a new layer`);
  }
  let holder = holderOf.get(layer);
  if (holder === undefined || holder.isDisposed || heldFor.get(holder) !== key) {
    const next = make();
    heldFor.set(next, key);
    holder?.dispose();
    holderOf.set(layer, next);
    holder = next;
  }
  try {
    return holder.apply(x as Tensor, kwargs as { training?: boolean | undefined } | undefined);
  } catch (e) {
    throw renamed(e, holder, layer);
  }
}

/**
 * A merge layer's `apply([a, b, …])` on tensors (TF.js's eager call): it runs in a hidden graph
 * model of one input per tensor, made for their per-sample shapes (and made again for others).
 * A merge layer has no weights and draws nothing, so making one moves no random stream.
 */
function applyMerge(op: string, layer: Layer, xs: Tensor[], kwargs: unknown): Tensor {
  const who = `${op}: layer ${layer.name} (${layer.kind})`;
  if (xs.length < 2) throw new InvalidArgumentError(`${who} merges a list of at least 2 tensors, got ${xs.length}`);
  xs.forEach((t, i) => {
    t.handleFor(op, `x[${i}]`);
    if (t.rank === 0) throw new InvalidArgumentError(`${who} takes tensors [batch, ...]; x[${i}] is a scalar: add the batch axis with expandDims(x, 0)`);
    if (t.shape[0] !== xs[0].shape[0]) throw new ShapeError(`${who}: x[0] has ${xs[0].shape[0]} samples (shape [${xs[0].shape}]) but x[${i}] has ${t.shape[0]} (shape [${t.shape}]); every tensor needs the same number of samples`);
  });
  const samples = xs.map((t) => t.shape.slice(1));
  const make = (): Sequential => {
    const drawn = drawnSoFar();
    try {
      const m = mergeHolder!(layer, samples, `${layer.name}.apply`);
      eagerHolders.add(m);
      return m;
    } catch (e) {
      throw renamed(e, undefined, layer, `${op}: layer ${layer.name} (${layer.kind}) on x of per-sample shapes ${samples.map((d) => show(d)).join(', ')}`);
    } finally {
      rewindTo(drawn);
    }
  };
  return runHeld(op, layer, show(samples), make, xs, kwargs, '');
}

/**
 * @internal `layer.dispose()`: frees the hidden model of its `apply` on tensors, if any; `how`
 * says what disposed it, for a later `apply`'s error (`model.dispose()` of a model holding it).
 */
export function disposeEager(layer: Layer, how = 'layer.dispose()'): void {
  const holder = holderOf.get(layer);
  if (holder === undefined) return;
  holder.dispose();
  holderOf.delete(layer);
  disposed.set(layer, how);
}

/** A built hidden model of `layer` for per-sample inputs `sample`. */
function hold(op: string, layer: Layer, sample: number[]): Sequential {
  // Named, so that making one moves no counter of the names of the user's models and layers.
  const name = `${layer.name}.apply`;
  let m: Sequential | undefined;
  const drawn = drawnSoFar();
  const hadWeights = layer.builtOnce;
  try {
    m = new Sequential({ name, layers: [new InputLayer({ batchInputShape: [null, ...sample], name: `${name}.input` })] });
    eagerHolders.add(m);
    m.add(layer);
    m.build();
    // A layer without noise whose weights this did not initialize (none, as relu's, flatten's
    // or pooling's, or made before: built in a model, or at another shape) uses no randomness:
    // its model's seed is given back, so the random ops after it draw what they would without
    // the call (TF.js's eager call of such a layer draws nothing either).
    if (!NOISE_KINDS.has(layer.kind) && (hadWeights || layer.countParams() === 0)) rewindTo(drawn);
    return m;
  } catch (e) {
    m?.dispose();
    rewindTo(drawn); // nothing was made: the call draws nothing, as TF.js's failing one
    throw renamed(e, m, layer, `${op}: layer ${layer.name} (${layer.kind}) on x of per-sample shape ${show(sample)}`);
  }
}

/** `e` with the hidden model's name and the `add`/`build` op it came from replaced by what the user called. */
function renamed(e: unknown, holder: Sequential | undefined, layer: Layer, prefix = `apply: layer ${layer.name} (${layer.kind})`): unknown {
  if (!(e instanceof Error)) return e;
  let m = e.message.replace(/^(?:add|build|apply|predict): /, '');
  if (holder !== undefined) {
    // The core names the layer by its place in the hidden model: `<model>.layers[1] (dense d): …`.
    const place = `${holder.name}.layers[1] (${layer.kind} ${layer.name})`;
    m = m.split(`${place}: `).join('').split(`${place} `).join('').split(` (in model ${holder.name})`).join('').split(`model ${holder.name}`).join(`layer ${layer.name}`);
  }
  // A message about the layer itself keeps its own subject; another gets the layer as prefix once.
  if (m.startsWith(`layer ${layer.name} (${layer.kind}) `)) m = `apply: ${m}`;
  else {
    for (const own of [`layer '${layer.name}' (${layer.kind}): `, `layer ${layer.name} (${layer.kind}): `, `layer ${layer.name}: `]) if (m.startsWith(own)) m = m.slice(own.length);
    m = `${prefix}: ${m}`;
  }
  try {
    e.message = m;
  } catch {
    return new InvalidArgumentError(m);
  }
  return e;
}
