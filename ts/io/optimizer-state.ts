/**
 * `optimizer.getWeights()` and `setWeights()` (TF.js's form: `iter`, then `<variableName>/<slot>`
 * slot-major; see `optimizer-weights.ts` for the slots and the checks of a list), in the storage
 * chunk (`io.js`, loaded on first use): the `Optimizer` hands over what they read and replace
 * ({@link OptimizerAccess}). The methods' documentation is on `Optimizer`.
 */
import { defaultVariables, variableNamed } from '../autodiff.js';
import { InvalidArgumentError } from '../errors.js';
import { LayerVariable } from '../layers/variable.js';
import { scalar, tensor } from '../ops/creation.js';
import { MAX_ITER, readWeightList, slotNames, slotValues, type NamedTensor } from '../optimizer-weights.js';
import type { CompiledModel, OptimizerName } from '../optimizers.js';
import type { TrainingState } from '../models/training-state.js';
import { keep } from '../scope.js';
import type { Tensor } from '../tensor.js';

/** @internal An optimizer's state as its `getWeights` and `setWeights` reach it. */
export interface OptimizerAccess {
  readonly name: OptimizerName;
  readonly options: Readonly<Record<string, number | boolean>>;
  /** Its step count (the compiled model's trainer's, when compiled). */
  readonly iterations: number;
  /** Each variable's slots stepped by `minimize`/`applyGradients`, slot-major in one tensor (the optimizer's own map). */
  readonly states: Map<Tensor | LayerVariable, Tensor>;
  /** The model it is compiled into (the last), or null. */
  readonly compiled: CompiledModel | null;
  setIterations(n: number): void;
}

/**
 * The weights in a trainer's state (weight-major: `slots.length` tensors per weight, named
 * `<weight>/<slot>`): each one's name, the index of its first slot and its shape.
 */
function weightsIn(state: TrainingState, slots: readonly string[]): Array<{ name: string; j: number; shape: number[] }> {
  const out: Array<{ name: string; j: number; shape: number[] }> = [];
  for (let j = 0; j < state.tensors.length; j += slots.length) out.push({ name: state.tensors[j].name.slice(0, -(slots[0].length + 1)), j, shape: state.tensors[j].shape });
  return out;
}

/** @internal `optimizer.getWeights()`: copies the caller owns. */
export function optimizerWeights(op: string, a: OptimizerAccess): NamedTensor[] {
  const slots = slotNames(a.name, a.options);
  const iter = a.iterations;
  if (iter > MAX_ITER) throw new InvalidArgumentError(`${op}: ${iter} steps do not fit the float32 'iter' exactly (up to 2^24 = ${MAX_ITER}); save the model's state with exportTrainingState instead`);
  const held: Array<{ name: string; shape: number[]; data: Float32Array[] }> = [];
  const m = a.compiled;
  if (m && slots.length > 0) {
    const own = new Set(m.coreVariables(op).filter((v) => v.ownTrainable).map((v) => v.name));
    const state = m.trainingState();
    for (const { name, j, shape } of weightsIn(state, slots)) {
      if (own.has(name)) held.push({ name, shape, data: slots.map((_, k) => state.tensors[j + k].data) });
    }
  }
  for (const [v, st] of slots.length > 0 ? a.states : []) {
    if (v.isDisposed) continue;
    const name = (v as { name?: unknown }).name;
    if (typeof name !== 'string' || name === '') {
      throw new InvalidArgumentError(`${op}: a tensor of shape [${v.shape}] that applyGradients stepped has state but no name (it is not a variable()), so its slots cannot be named; step variable(t, true, name)s`);
    }
    const all = st.data();
    const n = all.length / Math.max(slots.length, 1);
    held.push({ name, shape: v.shape, data: slots.map((_, k) => all.slice(k * n, (k + 1) * n)) });
  }
  const names = held.map((h) => h.name);
  const twice = names.find((x, i) => names.indexOf(x) !== i);
  if (twice !== undefined) {
    throw new InvalidArgumentError(`${op}: two variables this ${a.name} optimizer keeps state for are named '${twice}' (layers of the same name in two models), so their slots would have one name; give the layers unique names (layers.dense({ name: … }))`);
  }
  const out: NamedTensor[] = [];
  try {
    out.push({ name: 'iter', tensor: keep(scalar(iter)) });
    slots.forEach((slot, k) => {
      for (const h of held) out.push({ name: `${h.name}/${slot}`, tensor: keep(tensor(h.data[k], h.shape)) });
    });
  } catch (err) {
    for (const w of out) w.tensor.dispose();
    throw err;
  }
  return out;
}

/** @internal `optimizer.setWeights(weightValues)`: everything checked before anything changes. */
export function setOptimizerWeights(op: string, a: OptimizerAccess, weightValues: unknown): void {
  const slots = slotNames(a.name, a.options);
  const ignored = a.name === 'rmsprop' && !slots.includes('momentum') ? ['momentum'] : [];
  const what = `this ${a.name} optimizer${ignored.length > 0 ? ' (without momentum)' : ''}`;
  const { iter, vars } = readWeightList(op, weightValues, slots, ignored, what);
  const m = a.compiled;
  const state = m && slots.length > 0 ? m.trainingState() : null;
  // The model's weights by name: the index of their first slot in the trainer's list.
  const inModel = new Map(state ? weightsIn(state, slots).map((w) => [w.name, w] as const) : []);
  const toModel = new Map<number, Float32Array>();
  const own = new Map<Tensor | LayerVariable, Float32Array>();
  for (const g of vars) {
    const w = inModel.get(g.variable);
    if (w) {
      toModel.set(w.j, slotValues(op, g, slots, w.shape));
      continue;
    }
    // A variable this optimizer already keeps state for (it stepped it) first: another live model
    // with a weight of that name (an EMA or target copy made by fromConfig keeps the names)
    // made a round trip on the same optimizer fail.
    const mine = [...a.states.keys()].filter((x) => (x as { name?: unknown }).name === g.variable);
    let v: Tensor | LayerVariable | undefined = mine.length === 1 ? mine[0] : undefined;
    if (v === undefined) {
      try {
        v = variableNamed(op, g.variable);
      } catch (err) {
        if (!(err instanceof InvalidArgumentError)) throw err;
        throw new InvalidArgumentError(
          `${op}: weightValues[${g.items[0].at}] is for '${g.variable}', and ${err.message.replace(`${op}: `, '').replace(/; give their layers.*$/, '')}, none of which this optimizer has stepped, so it cannot tell which the state is for (TF.js matches by position): ` +
            'dispose the other models first (an EMA or target copy made with fromConfig keeps the layer names), or restore into the optimizer that stepped them',
        );
      }
    }
    if (v === undefined) {
      const known = [...inModel.keys(), ...defaultVariables().map((x) => x.name)];
      const list = known.length === 0 ? 'there are none' : `live ones: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}`;
      throw new InvalidArgumentError(`${op}: weightValues[${g.items[0].at}] ('${g.variable}/${slots[0]}') is for '${g.variable}', but no live variable or model weight has that name (${list}); make the variables (variable(t, true, '${g.variable}')) or build the model before setWeights`);
    }
    own.set(v, slotValues(op, g, slots, v.shape));
  }
  // Compiled into a model, and every item names a weight of other models: the state of another
  // model (its layers auto-named otherwise: dense_1 for this one's dense_3), which this
  // model's weights would not get — they would start afresh at the step count given, which for
  // Adam is worse than a fresh optimizer. TF.js matches by position and takes it.
  if (m && inModel.size > 0 && toModel.size === 0 && own.size > 0 && [...own.keys()].every((v) => v instanceof LayerVariable)) {
    const theirs = [...new Set(vars.map((g) => g.variable))];
    throw new InvalidArgumentError(
      `${op}: this optimizer is compiled into model ${m.name}, but weightValues names none of its weights (${[...inModel.keys()].slice(0, 6).join(', ')}${inModel.size > 6 ? ', …' : ''}): it names ${theirs.slice(0, 6).join(', ')}${theirs.length > 6 ? ', …' : ''}, weights of another live model, so ${m.name} would start afresh at step ${iter}. ` +
        'Items are matched by weight name (TF.js matches by position): make the copy from the original\'s config (sequential.fromConfig(original.getConfig())), whose weights keep its names, or restore into the optimizer compiled into the model the state is for',
    );
  }
  // Checked: the new states are made, then the trainer's is set (it checks again: a refusal changes nothing), then they replace the old.
  const made: Array<[Tensor | LayerVariable, Tensor]> = [];
  try {
    for (const [v, data] of own) made.push([v, keep(tensor(data, [data.length]))]);
    if (m) {
      const init = a.name === 'adagrad' ? Number(a.options.initialAccumulatorValue) : 0;
      const now = state ?? m.trainingState();
      const tensors = now.tensors.map((t, i) => {
        const k = i % slots.length;
        const given = toModel.get(i - k);
        const n = t.data.length;
        return { ...t, data: given ? given.slice(k * n, (k + 1) * n) : new Float32Array(n).fill(init) };
      });
      m.setTrainingState({ ...now, step: iter, tensors });
    }
  } catch (err) {
    for (const [, t] of made) t.dispose();
    throw err;
  }
  for (const st of a.states.values()) st.dispose();
  a.states.clear();
  for (const [v, t] of made) a.states.set(v, t);
  a.setIterations(iter);
}
