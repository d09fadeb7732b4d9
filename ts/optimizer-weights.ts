/**
 * An optimizer's state as TF.js's `optimizer.getWeights()` / `setWeights()` list it: first
 * `{ name: 'iter', tensor: scalar(iterations) }`, then every slot of every variable, slot-major
 * (all the first slots, then all the second …), each named `<variableName>/<slot>` — TF.js's
 * order ("for Python compatibility") and names. This file holds the slot names of each
 * optimizer (the core's `Optimizer::slot_names`, compared with it by
 * `test/optimizer-weights.test.ts`) and the checks of a list given to `setWeights`; the
 * `Optimizer` class reads and writes the state.
 */
import { InvalidArgumentError, ShapeError } from './errors.js';
import { describe, firstNonFinite } from './ops/convert.js';
import { Tensor } from './tensor.js';
import type { OptimizerName } from './wasm/codes.js';

/** A tensor and its name: an item of `optimizer.getWeights()` and `setWeights()` (TF.js's `NamedTensor`). */
export interface NamedTensor {
  /** `'iter'`, or `<variableName>/<slot>` (`w/m`, `dense_1/kernel/v`). */
  name: string;
  /** Its value: for `iter` a scalar (the step count), for a slot a tensor of its variable's shape. */
  tensor: Tensor;
}

/** Float32 holds every integer up to 2^24: the largest step count `iter` carries exactly. */
export const MAX_ITER = 2 ** 24;

/**
 * The slots the optimizer `name` with `options` keeps per variable, in the core's order (its
 * state is slot-major in that order): TF.js's names where TF.js has the optimizer, Keras 3's
 * `vhat` for AMSGrad.
 */
export function slotNames(name: OptimizerName, options: Readonly<Record<string, number | boolean>>): string[] {
  switch (name) {
    case 'sgd':
      return Number(options.momentum) > 0 ? ['momentum'] : [];
    case 'adam':
    case 'adamw':
      return options.amsgrad ? ['m', 'v', 'vhat'] : ['m', 'v'];
    case 'rmsprop':
      return ['rms', ...(Number(options.momentum) > 0 ? ['momentum'] : []), ...(options.centered ? ['mg'] : [])];
    case 'adagrad':
      return ['accumulator'];
    case 'adamax':
      return ['m', 'v'];
    case 'adadelta':
      return ['accum_grad', 'accum_var'];
  }
}

/** Slots that hold squares (or their sums or maxima): a negative value there would make the next update's `√` NaN (the core's `slot_is_nonneg`). */
const NONNEG_SLOTS = new Set(['v', 'vhat', 'rms', 'accumulator', 'accum_grad', 'accum_var']);

/** One variable's slots as `setWeights` was given them: per slot, the index in the list and the tensor. */
export interface GivenSlots {
  /** The variable's name (the item names without `/<slot>`). */
  variable: string;
  /** Per slot of the optimizer, in its order. */
  items: Array<{ at: number; tensor: Tensor }>;
}

/**
 * Reads a `setWeights` list: `iter` first (an integer step count), then `<variable>/<slot>`
 * items, each slot of `slots` once per variable (TF.js's order is not required: items are
 * matched by name). `ignored` are slot names TF.js keeps and this optimizer does not (RMSProp
 * without momentum: TF.js's `momentum` slot), skipped. Everything but the variables (their
 * existence and shapes, see {@link slotValues}) is checked here.
 */
export function readWeightList(op: string, given: unknown, slots: readonly string[], ignored: readonly string[], what: string): { iter: number; vars: GivenSlots[] } {
  if (!Array.isArray(given)) throw new InvalidArgumentError(`${op}: weightValues must be an array of { name, tensor } (from optimizer.getWeights()), got ${describe(given)}`);
  const item = (i: number): { name: string; tensor: Tensor } => {
    const v = given[i] as unknown;
    if (v === null || typeof v !== 'object' || typeof (v as { name?: unknown }).name !== 'string' || !((v as { tensor?: unknown }).tensor instanceof Tensor)) {
      const t = v !== null && typeof v === 'object' ? (v as { tensor?: unknown }).tensor : undefined;
      // TF.js's list (its tensors are not neurite's): say how to convert it.
      const hint = t !== null && typeof t === 'object' && typeof (t as { dataSync?: unknown }).dataSync === 'function' ? ' (a TF.js tensor? pass tensor(t.dataSync(), t.shape) for each)' : '';
      throw new InvalidArgumentError(`${op}: weightValues[${i}] must be { name: string, tensor: Tensor }, got ${describe(v)}${hint}`);
    }
    const t = (v as NamedTensor).tensor;
    t.handleFor(op, `weightValues[${i}].tensor`); // disposed: a DisposedError naming the item
    return v as NamedTensor;
  };
  if (given.length === 0) throw new InvalidArgumentError(`${op}: weightValues is empty; it must start with { name: 'iter', tensor: scalar(steps) }, as optimizer.getWeights() gives it`);
  const first = item(0);
  if (first.name !== 'iter') throw new InvalidArgumentError(`${op}: weightValues[0] must be the step count { name: 'iter', tensor: scalar(steps) } (as TF.js's getWeights() lists it first), got the name '${first.name}'`);
  if (first.tensor.size !== 1) throw new ShapeError(`${op}: weightValues[0] ('iter') must hold one value (the step count), got shape [${first.tensor.shape}]`);
  const iter = first.tensor.data()[0];
  if (!Number.isInteger(iter) || iter < 0 || iter > MAX_ITER) throw new InvalidArgumentError(`${op}: weightValues[0] ('iter') must be an integer step count in [0, 2^24], got ${iter}`);
  const byName = new Map<string, GivenSlots>();
  for (let i = 1; i < given.length; i++) {
    const { name, tensor } = item(i);
    const cut = name.lastIndexOf('/');
    const slot = name.slice(cut + 1);
    if (cut <= 0 || !(slots.includes(slot) || ignored.includes(slot))) {
      const shape = slots.length === 0 ? `${what} keeps no state per variable, so the list is only 'iter'` : `names are <variableName>/<slot> with a slot of ${what}: ${slots.join(', ')}`;
      throw new InvalidArgumentError(`${op}: weightValues[${i}] is named '${name}', which is no slot of ${what} (${shape})`);
    }
    if (ignored.includes(slot)) continue;
    const variable = name.slice(0, cut);
    let entry = byName.get(variable);
    if (entry === undefined) byName.set(variable, (entry = { variable, items: [] }));
    const k = slots.indexOf(slot);
    const before = entry.items[k];
    if (before !== undefined) throw new InvalidArgumentError(`${op}: weightValues[${i}] and weightValues[${before.at}] are both named '${name}'; each variable's slot may be given once`);
    entry.items[k] = { at: i, tensor };
  }
  for (const entry of byName.values()) {
    const missing = slots.filter((_, k) => entry.items[k] === undefined);
    if (missing.length > 0) {
      const has = slots.filter((_, k) => entry.items[k] !== undefined).map((s) => `'${entry.variable}/${s}'`).join(', ');
      throw new InvalidArgumentError(`${op}: weightValues has ${has} but not ${missing.map((s) => `'${entry.variable}/${s}'`).join(', ')}: ${what} needs every slot of a variable (${slots.join(', ')})`);
    }
  }
  return { iter, vars: [...byName.values()] };
}

/**
 * The slots of `given` for a variable of shape `shape`, slot-major in one array (the core's
 * layout): each of the variable's shape, finite, and not negative where the slot holds squares.
 */
export function slotValues(op: string, given: GivenSlots, slots: readonly string[], shape: readonly number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(slots.length * n);
  given.items.forEach(({ at, tensor }, k) => {
    const name = `${given.variable}/${slots[k]}`;
    if (tensor.shape.length !== shape.length || tensor.shape.some((d, j) => d !== shape[j])) {
      throw new ShapeError(`${op}: weightValues[${at}] ('${name}') has shape [${tensor.shape}] but variable '${given.variable}' has shape [${shape}]`);
    }
    const data = tensor.data();
    const bad = firstNonFinite(data);
    if (bad >= 0) throw new InvalidArgumentError(`${op}: weightValues[${at}] ('${name}') holds ${data[bad]} at index ${bad}; optimizer state must be finite`);
    if (NONNEG_SLOTS.has(slots[k])) {
      const neg = data.findIndex((x) => x < 0);
      if (neg >= 0) throw new InvalidArgumentError(`${op}: weightValues[${at}] ('${name}') holds ${data[neg]} at index ${neg}, but slot '${slots[k]}' holds squares and must be >= 0 (the next update would take the square root of a negative number)`);
    }
    out.set(data, k * n);
  });
  return out;
}
