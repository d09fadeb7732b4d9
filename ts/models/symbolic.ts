/**
 * Symbolic tensors: the values of a graph model before it exists. `input({ shape })` makes
 * one; `layer.apply(x)` (or `layer.apply([a, b])` for a merge layer) makes another, recording
 * the layer and what it reads; `model({ inputs, outputs })` turns the recorded graph into a
 * model. They hold no data and no WebAssembly memory (nothing to dispose).
 */
import { InvalidArgumentError } from '../errors.js';
import { checkArgs } from '../options.js';
import { boolArg } from '../ops/convert.js';
import { brand } from '../brand.js';
import { LateWeakRef } from '../late_weak_ref.js';

let count = 0;

/** A value of a graph model being assembled (TF.js `SymbolicTensor`): its shape, no data. */
export class SymbolicTensor {
  static {
    brand(this);
  }

  /** The shape, `null` for the batch dimension (and for a per-sample axis of unknown size: `[null, null]` for sequences of any length): `[null, ...perSample]`. */
  readonly shape: Array<number | null>;
  /** Always `'float32'`, the only dtype. */
  readonly dtype = 'float32' as const;
  /**
   * TF.js's name: an input's is its input layer's (`'x'` for `input({ shape, name: 'x' })`), a
   * layer's output is `<layer>/<layer>` (`'dense_1/dense_1'`), its further uses
   * `<layer>/<layer>_1`, `_2`, … (TF.js numbers them so; it also numbers a name that another
   * layer of the same name made before, which neurite does not).
   */
  readonly name: string;
  /** A number unique to this symbolic tensor. */
  readonly id: number;
  /**
   * The layer (or model) that computes it; an `InputLayer` for an {@link input}. Typed as the
   * layer interface's name and kind to keep this module free of the layer classes.
   */
  readonly sourceLayer: { readonly name: string };
  /** The symbolic tensors its layer reads (none for an input). */
  readonly inputs: readonly SymbolicTensor[];
  /** `false` when made by `apply(x, { training: false })` (the use runs with inference behaviour), else `undefined`. */
  readonly training: false | undefined;

  /** @internal Made by `input()` and `layer.apply()`; recorded as a use of `sourceLayer`. */
  constructor(sourceLayer: { readonly name: string }, inputs: readonly SymbolicTensor[], perSample: readonly number[], training?: false) {
    if (sourceLayer === null || typeof sourceLayer !== 'object' || !Array.isArray(inputs)) throw new InvalidArgumentError('SymbolicTensor: symbolic tensors are made by input({ shape }) and layer.apply(x), not with new');
    this.id = ++count;
    this.sourceLayer = sourceLayer;
    this.inputs = inputs;
    this.training = training;
    // An unknown per-sample size (0 inside, see sampleShape) is null, as TF.js shows it.
    this.shape = [null, ...perSample.map((d) => (d === 0 ? null : d))];
    const list = uses.get(sourceLayer);
    const n = sourceLayer.name;
    const nth = list && list.length > 0 ? `_${list.length}` : '';
    this.name = inputs.length === 0 ? `${n}${nth}` : `${n}/${n}${nth}`;
    if (list) list.push(this);
    else uses.set(sourceLayer, [this]);
    // TF.js's outbound nodes: once per input read (twice for `add([x, x])`).
    for (const x of inputs) {
      const r = readers.get(x.sourceLayer);
      if (r) r.push(this);
      else readers.set(x.sourceLayer, [this]);
    }
  }

  /** The rank, batch included. */
  get rank(): number {
    return this.shape.length;
  }

  /** @internal The per-sample shape. */
  get sampleShape(): number[] {
    return this.shape.slice(1).map((d) => d ?? 0);
  }

  /** `SymbolicTensor <name> [null,…shape]`, for logs and error messages. */
  toString(): string {
    return `SymbolicTensor ${this.name} [${this.shape.map((d) => (d === null ? 'null' : d)).join(',')}]`;
  }
}

/**
 * Every symbolic use of each layer or model, in order (TF.js's "inbound nodes"): the symbolic
 * tensors it computed (each with what it read). Held weakly by the layer.
 */
const uses = new WeakMap<object, SymbolicTensor[]>();

/**
 * The uses of other layers that read each layer's or model's outputs (TF.js's "outbound
 * nodes"), once per input read, in order. Held weakly by the layer read.
 */
const readers = new WeakMap<object, SymbolicTensor[]>();

/**
 * @internal Forgets use `t` (a hidden model's: a merge layer applied to tensors), so that the
 * layer's `output`, `inboundNodes` and the names of its later uses are as if it never was.
 */
export function forgetUse(t: SymbolicTensor): void {
  const drop = (map: WeakMap<object, SymbolicTensor[]>, key: object) => {
    const list = map.get(key);
    const i = list?.lastIndexOf(t) ?? -1;
    if (i >= 0) list!.splice(i, 1);
  };
  drop(uses, t.sourceLayer);
  for (const x of t.inputs) drop(readers, x.sourceLayer);
}

/**
 * @internal The symbolic uses that read an output of `node` (after connecting it through the
 * one model holding it, as {@link usesOf}), for TF.js's `layer.outboundNodes`.
 */
export function readersOf(node: { readonly name: string }): readonly SymbolicTensor[] {
  usesOf(node);
  return readers.get(node) ?? [];
}

/**
 * The model whose own symbolic inputs each input is (a sequential model's chain, or the first
 * graph model made from it), held weakly: for the hint of `model`'s "disconnected" error.
 */
const ownerOfInput = new WeakMap<SymbolicTensor, LateWeakRef<{ readonly name: string }>>();

/** @internal Records `model` as the model whose own input `x` is (the first one recorded stays). */
export function setInputOwner(x: SymbolicTensor, model: { readonly name: string }): void {
  if (!ownerOfInput.get(x)?.deref()) ownerOfInput.set(x, new LateWeakRef(model));
}

/** @internal `model` was disposed: it is no longer the owner of its input `x`. */
export function forgetInputOwner(x: SymbolicTensor, model: { readonly name: string }): void {
  const r = ownerOfInput.get(x);
  if (r?.deref() !== model) return;
  r.clear();
  ownerOfInput.delete(x);
}

/** @internal The model whose own input `x` is (see {@link setInputOwner}), if any. */
export function inputOwner(x: SymbolicTensor): { readonly name: string } | undefined {
  return ownerOfInput.get(x)?.deref();
}

/** @internal The symbolic uses of `node` so far (its `apply`s), without connecting it through a model. */
export function usesSoFar(node: object): readonly SymbolicTensor[] {
  return uses.get(node) ?? [];
}

/**
 * @internal Every symbolic use of `node` so far (after connecting a layer with none through
 * the one model holding it), for a model's `getOutputAt(i)`.
 */
export function usesOf(node: { readonly name: string }): readonly SymbolicTensor[] {
  if (!uses.has(node) && !chaining) makingChain(() => connect(node));
  return uses.get(node) ?? [];
}

/** Whether a model's symbolic chain is being made (see {@link makingChain}). */
let chaining = false;

/**
 * @internal Runs `f`, which makes a model's symbolic chain: the layers it applies are not
 * connected through that model (or another) again on the way.
 */
export function makingChain<T>(f: () => T): T {
  const was = chaining;
  chaining = true;
  try {
    return f();
  } finally {
    chaining = was;
  }
}

/** Connects a layer with no use yet through the one model holding it (set by `sequential.ts`). */
let connect: (node: object) => void = () => {};

/** @internal Set by `sequential.ts`: builds the symbolic chain of the model holding a layer. */
export function setConnector(c: (node: object) => void): void {
  connect = c;
}

/**
 * @internal Use `index` (or the only use) of a layer or model, for TF.js's `layer.input`,
 * `layer.output`, `getInputAt(i)` and `getOutputAt(i)`: an error naming `op` when there is no
 * use, or several and no index.
 */
export function useOf(op: string, node: { readonly name: string }, index?: unknown): SymbolicTensor {
  const list = usesOf(node);
  const what = `layer ${node.name}`;
  if (index === undefined) {
    if (list.length === 0) {
      throw new InvalidArgumentError(`${op}: ${what} is not connected yet, so it has no symbolic ${op}: apply it to a symbolic tensor (layer.apply(x)), or put it in a model whose input shape is known (then model.getLayer('${node.name}').${op} is defined)`);
    }
    if (list.length > 1) {
      const at = op === 'input' ? 'getInputAt' : 'getOutputAt';
      throw new InvalidArgumentError(`${op}: ${what} has been applied ${list.length} times (in graph models, or in models sharing it), so its ${op} is ambiguous; use ${at}(i) with i in 0..${list.length - 1}`);
    }
    return list[0];
  }
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= list.length) {
    throw new InvalidArgumentError(`${op}: ${what} has ${list.length} use${list.length === 1 ? '' : 's'} (applications to symbolic tensors), so the index must be an integer in 0..${list.length - 1}, got ${String(index)}`);
  }
  return list[index];
}

type Applier = (node: object, inputs: unknown, training: false | undefined) => SymbolicTensor;
let applier: Applier | null = null;

/** @internal Set by `functional.ts`, which knows the layer and model classes. */
export function setApplier(a: Applier): void {
  applier = a;
}

/** @internal `node.apply(inputs)` on symbolic inputs. */
export function applySymbolic(node: object, inputs: unknown, kwargs?: unknown): SymbolicTensor {
  if (!applier) throw new InvalidArgumentError('apply: the functional API is not loaded');
  // Keras's base(inputs, training=False): the use runs with inference behaviour in fit too
  // (TF.js takes the option and ignores it). training=True (Monte Carlo dropout in predict) is
  // refused: its draws would need a seed and a count per predict call the core does not keep.
  const k = checkArgs('apply', kwargs, ['training']);
  const training = k.training === undefined ? undefined : boolArg('apply', 'training', k.training);
  if (training) {
    throw new InvalidArgumentError(
      "apply: training: true on a symbolic tensor (Keras's Dropout(rate)(x, training=True), dropout in predict) is not supported: " +
        'a use runs with training behaviour in fit and inference behaviour in predict and evaluate (the default), or with inference behaviour always (training: false); ' +
        'for Monte Carlo dropout, call model.apply(x, { training: true }) on a tensor',
    );
  }
  return applier(node, inputs, training);
}

/** Whether `x` is a symbolic tensor or a list holding one. */
export function isSymbolic(x: unknown): boolean {
  return x instanceof SymbolicTensor || (Array.isArray(x) && x.some((v) => v instanceof SymbolicTensor));
}
