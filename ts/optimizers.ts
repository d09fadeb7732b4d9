/**
 * Optimizers: `sgd`, `adam`, `adamw`, `rmsprop`, `adagrad`, `adamax`, `adadelta`. The update
 * rules run in the Rust core (`crates/core/src/optim/`); their formulas and defaults follow
 * TF.js where TF.js has the optimizer (`tf.train.sgd/momentum/adam/rmsprop/adagrad/adamax/
 * adadelta`) and Keras 3 otherwise (AdamW, clipping, learning-rate defaults).
 *
 * ## Where neurite follows TF.js rather than Keras 3
 * - **Adam's ε** sits inside the bias correction, `p ← p − η·m̂/(√v̂ + ε)` (TF.js, PyTorch);
 *   Keras 3 computes `p ← p − η·√(1−β₂ᵏ)/(1−β₁ᵏ)·m/(√v + ε)`, which is
 *   `p ← p − η·m̂/(√v̂ + ε/√(1−β₂ᵏ))`: an effective ε of `ε/√(1 − β₂ᵏ)` (31.6·ε at the first
 *   step, ε after a few thousand). neurite's step is larger by `(√v̂ + ε/√(1−β₂ᵏ))/(√v̂ + ε)`:
 *   0.3 % for first-step gradients of 1e-3, 16× for 1e-7 (default ε 1e-7).
 * - **Momentum under a changing learning rate**: SGD keeps `a ← μ·a + g` and steps
 *   `p ← p − η_k·a` (TF.js `MomentumOptimizer`); Keras 3 keeps the rate inside the velocity,
 *   `v ← μ·v − η_k·g`, `p ← p + v`. They are identical for a constant rate; with a schedule,
 *   TF.js (and neurite) apply today's rate to all the accumulated gradient, Keras the rate of
 *   the step each gradient came from.

 * - **Adamax's defaults** are TF.js's (`learningRate` 0.002, and TF.js's `decay`); Keras 3's
 *   rate is 0.001.
 * - **hardSigmoid** is `clip(0.2·x + 0.5, 0, 1)` (TF.js layers, Keras 2), not Keras 3's
 *   `relu6(x + 3)/6` (see `activations.hardSigmoid`).
 *
 * **Adadelta follows Keras 3 (and Zeiler's paper), not TF.js**: TF.js 4.22 divides by the
 * squared-gradient average from before the step's gradient, which keeps its two averages equal
 * and makes every step `η·g` — `tf.train.adadelta` is plain SGD. neurite runs the algorithm.
 *
 * AMSGrad (`adam({ amsgrad: true })`, also `adamw`) has no TF.js counterpart; it follows
 * Keras 3 and PyTorch (divide by the running maximum of the second moment) with the ε
 * placement above.
 *
 * `getWeights()` and `setWeights()` save and restore the state (the step count and every
 * variable's slots) in TF.js's form: `[{ name: 'iter', … }, { name: 'w/m', … }, …]`.
 *
 * `applyGradients` updates variables in place, in one call into WebAssembly per step, with
 * optional clipping (`clipValue`, per-gradient `clipNorm`, or `globalClipNorm`, at most one, as
 * Keras) and a learning rate that may be a {@link LearningRateSchedule}. Per-variable state
 * (moments, accumulators) lives in hidden tensors owned by the optimizer: call `dispose()`.
 * An optimizer compiled into a model is one optimizer for `fit` and a custom loop alike, as in
 * TF.js: `applyGradients` and `minimize` update that model's weights through the model's
 * trainer — the state, step counter and learning rate `fit` uses and continues.
 *
 * @example
 * using opt = optimizers.adam({ learningRate: 0.01, globalClipNorm: 1 });
 * opt.applyGradients([{ variable: w, grad: dw }, { variable: b, grad: db }]);
 */
import { LayerVariable, variableGradsOf, variableNamed, variableOfGradient, type TrainableVariable } from './autodiff.js';
import { call, check, outPtr, readOut, withWords, words as wordsAt, writeArgs } from './engine.js';
import { DisposedError, inOp, InvalidArgumentError, NonFiniteError, ShapeError } from './errors.js';
import { keep } from './scope.js';
import { Tensor, wrapHandle, type Scalar } from './tensor.js';
import type { NamedTensor } from './optimizer-weights.js';
import type { TrainingState } from './models/training-state.js';
import type { OptimizerAccess } from './io/optimizer-state.js';
import { storage } from './io/storage_chunk.js';
import { describe, f32String } from './ops/convert.js';
import { f32Bits, optionKeys, optionValues, readOptions, unknownOption, type OptionSpec } from './options.js';
import { LearningRateSchedule, type LearningRate, type ScheduleConfig } from './schedules.js';
import { OPTIMIZERS, type OptimizerName } from './wasm/codes.js';
import { brand } from './brand.js';
import { LateWeakRef } from './late_weak_ref.js';

export type { OptimizerName } from './wasm/codes.js';
export type { NamedTensor } from './optimizer-weights.js';
export type { LearningRate } from './schedules.js';

/** Gradient clipping, applied before the update; at most one may be set (Keras semantics). */
export interface ClipOptions {
  /** Rescale each gradient so that its L2 norm is at most this (Keras `clipnorm`). */
  clipNorm?: number | undefined;
  /** Rescale all gradients of a step together so that their global L2 norm is at most this. */
  globalClipNorm?: number | undefined;
  /** Clip each gradient value to `[−clipValue, clipValue]`. */
  clipValue?: number | undefined;
}

/** Options every optimizer takes. */
export interface BaseOptimizerOptions extends ClipOptions {
  /** A number or a schedule from `schedules.*`. Defaults: sgd and adagrad 0.01, adamax 0.002 (as TF.js), the others 0.001 (as Keras). */
  learningRate?: LearningRate | undefined;
  /**
   * Decoupled weight decay λ >= 0 (Keras 3's `weight_decay` on every optimizer; PyTorch's
   * `AdamW(weight_decay)`): before each update, every weight not excluded steps
   * `w ← w − η·λ·w` at that update's learning rate η (a schedule's current value, after
   * `model.learningRate` or `reduceLROnPlateau`), then the optimizer's own rule runs on the
   * gradient, which never sees the decay (it is not an L2 penalty: use a layer's
   * `kernelRegularizer` for that). Default 0 (`adamw`: 0.004). TF.js's optimizers have no
   * weight decay.
   */
  weightDecay?: number | undefined;
  /**
   * Weights that `weightDecay` leaves alone (Keras 3's
   * `optimizer.exclude_from_weight_decay(var_names=[...])`), matched against neurite's full
   * weight name (`layerName/weightName`, as `model.trainableWeights[i].name`, or a
   * `variable`'s name): a string is a plain part of the name, e.g. `['bias']` (every
   * `dense_1/bias`, …) or `['dense_1/', 'gamma', 'beta']`; a `RegExp` is searched in it, e.g.
   * `[/bias$/, /^dense_2\//]`. Keras 3 joins its strings into one regular expression and
   * searches the short name (`bias`): a plain word such as `'bias'` matches the same weights,
   * while Keras's `'^bias$'` is `/\/bias$/` here. An item that matches none of the weights at
   * the first step (at `compile` for a model's weights, at the first
   * `minimize`/`applyGradients` for variables) is an error that lists the weight names, as a
   * typo would otherwise decay every weight. `getConfig()` writes a RegExp as
   * `{ pattern, flags }` (its `source` and `flags`), which this option also takes.
   */
  excludeFromWeightDecay?: readonly (string | RegExp | ExcludePattern)[] | undefined;
}

/** A `RegExp` of `excludeFromWeightDecay` as `getConfig()` writes it (JSON has no regular expressions). */
export interface ExcludePattern {
  /** The RegExp's `source`. */
  pattern: string;
  /** The RegExp's `flags` (`'i'`, …). Default `''`. */
  flags?: string | undefined;
}

/** `excludeFromWeightDecay` read: each item a non-empty string or a RegExp (a copy, without `g`/`y`, which would make a search stateful). */
function readExclude(op: string, items: unknown): ReadonlyArray<string | RegExp> {
  const shape = `an array of non-empty strings (parts of weight names, e.g. ['bias']) or RegExps (e.g. [/bias$/])`;
  if (!Array.isArray(items)) throw new InvalidArgumentError(`${op}: excludeFromWeightDecay must be ${shape}, got ${describe(items)}`);
  return Object.freeze(
    items.map((k: unknown, i) => {
      if (typeof k === 'string' && k !== '') return k;
      let source: unknown, flags: unknown;
      if (k instanceof RegExp) [source, flags] = [k.source, k.flags];
      else if (k !== null && typeof k === 'object' && !Array.isArray(k) && Object.keys(k).every((key) => key === 'pattern' || key === 'flags')) [source, flags] = [(k as ExcludePattern).pattern, (k as ExcludePattern).flags ?? ''];
      if (typeof source !== 'string' || typeof flags !== 'string') throw new InvalidArgumentError(`${op}: excludeFromWeightDecay must be ${shape}, got ${describe(k)} at [${i}]`);
      try {
        return new RegExp(source, flags.replace(/[gy]/g, ''));
      } catch (err) {
        throw new InvalidArgumentError(`${op}: excludeFromWeightDecay[${i}]: { pattern: ${JSON.stringify(source)}, flags: ${JSON.stringify(flags)} } is not a regular expression (${(err as Error).message})`);
      }
    }),
  );
}

const excludes = (k: string | RegExp, name: string): boolean => (typeof k === 'string' ? name.includes(k) : k.test(name));
const showExclude = (k: string | RegExp): string => (typeof k === 'string' ? `'${k}'` : String(k));

/**
 * `sgd`: `p ← p − η·g`, or with momentum `a ← μ·a + g`, `p ← p − η·a` (Nesterov:
 * `p ← p − η·(g + μ·a)`), as TF.js. With a learning-rate schedule the current rate scales the
 * whole accumulation (TF.js); Keras 3 folds each step's rate into its velocity instead.
 */
export interface SgdOptions extends BaseOptimizerOptions {
  /** In [0, 1]. Default 0. */
  momentum?: number | undefined;
  /** Nesterov momentum. Default false. */
  nesterov?: boolean | undefined;
}

/**
 * `adam` (TF.js form): bias-corrected moments, `p ← p − η·m̂/(√v̂ + ε)` — ε inside the bias
 * correction as TF.js and PyTorch; Keras 3 adds ε to the uncorrected `√v` (an effective
 * `ε/√(1 − β₂ᵏ)` in this form: its first steps are smaller, by 0.3 % for gradients of 1e-3 and
 * 16× for 1e-7; see the module docs).
 */
export interface AdamOptions extends BaseOptimizerOptions {
  /** In [0, 1). Default 0.9. */
  beta1?: number | undefined;
  /** In [0, 1). Default 0.999. */
  beta2?: number | undefined;
  /** Default 1e-7 (TF.js's float32 backend epsilon). */
  epsilon?: number | undefined;
  /**
   * AMSGrad (Reddi et al. 2018; Keras 3 and PyTorch `amsgrad`): keep `v_max = max(v_max, v)`
   * and step `p ← p − η·m̂/(√(v_max/(1 − β₂ᵏ)) + ε)`. One more state value per weight.
   * TF.js has no AMSGrad. Default false.
   */
  amsgrad?: boolean | undefined;
}

/** `adamw`: decoupled weight decay `p ← p − η·λ·p`, then the Adam step (Adam with a default `weightDecay`). */
export interface AdamWOptions extends AdamOptions {
  /** λ >= 0 (see {@link BaseOptimizerOptions.weightDecay}). Default 0.004 (Keras). */
  weightDecay?: number | undefined;
}

/** `rmsprop`: `s ← ρs + (1−ρ)g²`, `p ← p − η·g/√(s + ε)` (centered: `√(s − ḡ² + ε)`), with optional momentum. */
export interface RmsPropOptions extends BaseOptimizerOptions {
  /** Decay of the mean square, in [0, 1) (TF.js calls it `decay`). Default 0.9. */
  rho?: number | undefined;
  /** In [0, 1]. Default 0. */
  momentum?: number | undefined;
  /** > 0. Default 1e-7. */
  epsilon?: number | undefined;
  /** Divide by an estimate of the variance rather than the second moment. Default false. */
  centered?: boolean | undefined;
}

/** `adagrad`: `s ← s + g²`, `p ← p − η·g/√(s + ε)`. */
export interface AdagradOptions extends BaseOptimizerOptions {
  /** Starting value of `s`, >= 0. Default 0.1. */
  initialAccumulatorValue?: number | undefined;
  /** Default 1e-7. */
  epsilon?: number | undefined;
}

/**
 * `adamax` (TF.js form): Adam with the infinity norm, `m ← β₁m + (1−β₁)g`,
 * `u ← max(β₂u, |g|)`, `p ← p − η_k/(1 − β₁ᵏ)·m/(u + ε)` with TF.js's time decay
 * `η_k = η/(1 + decay·(k − 1))`.
 */
export interface AdamaxOptions extends BaseOptimizerOptions {
  /** In [0, 1). Default 0.9. */
  beta1?: number | undefined;
  /** In [0, 1). Default 0.999. */
  beta2?: number | undefined;
  /** > 0. Default 1e-7. */
  epsilon?: number | undefined;
  /** TF.js's learning-rate decay per step, >= 0 (a schedule does the same). Default 0. */
  decay?: number | undefined;
}

/**
 * `adadelta` (Keras 3 and the paper): `a ← ρa + (1−ρ)g²`, `Δ = √(d + ε)/√(a + ε)·g`,
 * `d ← ρd + (1−ρ)Δ²`, `p ← p − η·Δ`. TF.js's `tf.train.adadelta` differs: it reduces to SGD
 * (see the module notes).
 */
export interface AdadeltaOptions extends BaseOptimizerOptions {
  /** Decay of both averages, in [0, 1). Default 0.95. */
  rho?: number | undefined;
  /** > 0. Default 1e-7. */
  epsilon?: number | undefined;
}

/** A variable (or a model's weight, `model.trainableWeights`) and its gradient, for {@link Optimizer.applyGradients}. */
export interface GradientPair {
  variable: Tensor | LayerVariable;
  grad: Tensor;
}

/**
 * TF.js's forms of the gradients for {@link Optimizer.applyGradients}, by variable name:
 * `{ [name]: grad }` (what `variableGrads` returns) or `[{ name, tensor }]`.
 */
export type NamedGradients = Readonly<Record<string, Tensor>> | ReadonlyArray<{ name: string; tensor: Tensor }>;

/**
 * The `{ variable, grad }` pairs of `given`, resolving TF.js's names to live variables: a
 * gradient `variableGrads` returned is for the variable it was computed for (whatever else
 * shares its name), and one `f` reached only through ops without a gradient (stopGradient, …)
 * is left out, as `minimize` leaves it (Keras and PyTorch skip such variables; AdamW's decay
 * would otherwise shrink a target network's weights).
 */
function gradientPairs(op: string, given: unknown): unknown[] {
  const byName = (name: unknown, grad: unknown, where: string, gradWhere: string): GradientPair | null => {
    if (typeof name !== 'string') throw new InvalidArgumentError(`${op}: ${where} must be a variable's name, got ${describe(name)}`);
    if (!(grad instanceof Tensor)) throw new InvalidArgumentError(`${op}: ${gradWhere} must be a Tensor, got ${describe(grad)}`);
    const of = variableOfGradient(grad);
    if (of !== undefined && of.variable.name === name) return of.constant ? null : { variable: of.variable, grad };
    const variable = variableNamed(op, name);
    if (variable === undefined) throw new InvalidArgumentError(`${op}: no live variable or trainable model weight is named '${name}' (${where})`);
    return { variable, grad };
  };
  const kept = (pairs: Array<GradientPair | null | unknown>): unknown[] => {
    const out = pairs.filter((p) => p !== null);
    if (out.length === 0 && pairs.length > 0) {
      throw new InvalidArgumentError(`${op}: every gradient given is of a variable f() reached only through ops with no gradient (stopGradient, round, …), so none is stepped, as minimize would step none; keep a differentiable path from a variable to the loss`);
    }
    return out;
  };
  if (Array.isArray(given)) {
    return kept(given.map((p: unknown, i) => {
      const named = p !== null && typeof p === 'object' && !('variable' in p) && 'name' in p;
      return named ? byName((p as { name: unknown }).name, (p as { tensor?: unknown }).tensor, `grads[${i}].name`, `grads[${i}].tensor`) : p;
    }));
  }
  if (given !== null && typeof given === 'object' && !(given instanceof Tensor)) {
    return kept(Object.entries(given).map(([name, grad]) => byName(name, grad, 'the key of a gradient', `the gradient of '${name}'`)));
  }
  throw new InvalidArgumentError(`${op}: expected an array of { variable, grad } pairs, or TF.js's { [variableName]: grad } or [{ name, tensor }], got ${describe(given)}`);
}

/** The serialisable form of an optimizer: name, learning rate and every option. */
export interface OptimizerConfig {
  name: OptimizerName;
  learningRate: number | ScheduleConfig;
  /** The weights `weightDecay` leaves alone (only when some are): strings, and each RegExp as `{ pattern, flags }`. */
  excludeFromWeightDecay?: ReadonlyArray<string | ExcludePattern> | undefined;
  [option: string]: number | boolean | string | ScheduleConfig | ReadonlyArray<string | ExcludePattern> | undefined;
}

/** Hyper-parameters of each optimizer, in ABI order, with defaults. */
const SPECS: Record<OptimizerName, OptionSpec> = {
  sgd: { momentum: 0, nesterov: false, weightDecay: 0 },
  adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weightDecay: 0 },
  adamw: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004, amsgrad: false },
  rmsprop: { rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false, weightDecay: 0 },
  adagrad: { initialAccumulatorValue: 0.1, epsilon: 1e-7, weightDecay: 0 },
  adamax: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, decay: 0, weightDecay: 0 },
  adadelta: { rho: 0.95, epsilon: 1e-7, weightDecay: 0 },
};
// TF.js's compile-by-name defaults where it has the optimizer: adamax 0.002 and adagrad 0.01
// (Keras 3: 0.001 for both). adadelta keeps Keras 3's 0.001: TF.js's 1.0 goes with its
// tf.train.adadelta, a different update (see above).
const DEFAULT_LR: Record<OptimizerName, number> = { sgd: 0.01, adam: 0.001, adamw: 0.001, rmsprop: 0.001, adagrad: 0.01, adamax: 0.002, adadelta: 0.001 };
/** TF.js's (and Keras's) class names of the optimizers other than sgd (see `getClassName`). */
const CLASS_NAMES: Record<Exclude<OptimizerName, 'sgd'>, string> = { adam: 'Adam', adamw: 'AdamW', rmsprop: 'RMSProp', adagrad: 'Adagrad', adamax: 'Adamax', adadelta: 'Adadelta' };
/** @internal Clipping modes by ABI id minus 1 (0 is none); Rust `Clip::MODE_NAMES`. */
export const CLIP_MODES = ['clipValue', 'clipNorm', 'globalClipNorm'] as const;
/** @internal The ABI parameter order of each optimizer; Rust `Optimizer::PARAMS`. */
export const OPTIMIZER_PARAMS: Readonly<Record<OptimizerName, readonly string[]>> = Object.fromEntries(Object.entries(SPECS).map(([k, v]) => [k, Object.keys(v)])) as Record<OptimizerName, string[]>;

/** The ABI form of a learning rate; a number must be finite and >= 0. */
function learningRateAbi(op: string, lr: unknown): { kind: number; params: number[] } {
  if (lr instanceof LearningRateSchedule) return lr.abi();
  if (typeof lr !== 'number' || !Number.isFinite(Math.fround(lr)) || lr < 0) {
    throw new InvalidArgumentError(`${op}: learningRate must be a finite number >= 0 or a schedule, got ${describe(lr)}`);
  }
  return { kind: 0, params: [lr, 0] };
}

/** What an optimizer reads of the model it is compiled into (a `Sequential`; no import cycle). */
/** @internal A model this optimizer is compiled into, as the optimizer reaches it. */
export interface CompiledModel {
  readonly name: string;
  readonly isDisposed: boolean;
  readonly optimizer: Optimizer | undefined;
  readonly learningRate: number;
  /** @internal The optimizer steps the model's trainer has taken. */
  trainingStep(): number;
  /** @internal The live handle. */
  handle(op: string): number;
  /** @internal Every weight as a variable in the core's order: item `i` is the trainer's parameter `i`. */
  coreVariables(op: string): LayerVariable[];
  /** @internal `err` naming the layer of a weight whose gradient is not finite. */
  nameLayerIn(err: unknown): unknown;
  /** @internal The training call running (`fit` or `fitDataset`), or null. */
  readonly trainingCall: string | null;
  /** @internal The trainer's state (`exportTrainingState`): every weight's slots, weight-major, in TF.js's weight order. */
  trainingState(): TrainingState;
  /** @internal Sets the trainer's state (`importTrainingState`). */
  setTrainingState(state: TrainingState): void;
}

/** A checked `{ variable, grad }` pair of an `applyGradients` call and its index in the call. */
interface Pair {
  i: number;
  variable: Tensor | LayerVariable;
  grad: Tensor;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, k) => d === b[k]);

/** A variable's name (a model's `dense_1/kernel`, a custom loop's own name), or `undefined` for a plain tensor. */
function nameOf(variable: Tensor | LayerVariable): string | undefined {
  const name = (variable as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** `, of variable 'name'` for a named variable, else nothing: which one a gradient error is about. */
function ofVariable(variable: Tensor | LayerVariable): string {
  const name = nameOf(variable);
  return name !== undefined ? `, of variable '${name}'` : '';
}

/**
 * Checks the shapes of the gradients of `pairs`, and with `finite` that their values are
 * finite, with the messages of `nr_optimizer_apply` by the index of the pair in the call: a
 * call of several steps (each all-or-nothing) checks the gradients of every step but the
 * first before the first runs, so that a later one cannot refuse after an earlier one updated.
 */
function checkGradients(op: string, pairs: readonly Pair[], finite: boolean): void {
  for (const { i, variable, grad } of pairs) {
    if (!sameShape(grad.shape, variable.shape)) {
      // The variable named when it has a name (a model's weight), as the non-finite message does.
      const name = nameOf(variable);
      throw new ShapeError(`${op}: gradient ${i} has shape [${grad.shape}] but its variable${name !== undefined ? ` '${name}'` : ''} has shape [${variable.shape}]`);
    }
    if (!finite) continue;
    const h = grad.handleFor(op, `pairs[${i}].grad`);
    const at = call((e) => {
      check(e.nr_tensor_first_non_finite(h, outPtr(0)));
      return readOut(0) === 1 ? readOut(1) : -1;
    });
    if (at >= 0) throw new NonFiniteError(`${op}: gradient ${i} (shape [${grad.shape}]${ofVariable(variable)}) holds ${grad.data()[at]} at index ${at}; gradients must be finite`);
  }
}

/** The base class of every optimizer. Make one with `optimizers.sgd(...)`, `optimizers.adam(...)` etc. */
export class Optimizer {
  static {
    brand(this);
  }

  /** Which optimizer this is. */
  readonly name: OptimizerName;
  #learningRate: LearningRate;
  /** The models this optimizer was compiled into, the last one last (each trainer holds a step and a rate). */
  #models: Array<LateWeakRef<CompiledModel>> = [];
  readonly #options: Readonly<Record<string, number | boolean>>;
  readonly #clip: { mode: number; value: number };
  readonly #states = new Map<Tensor | LayerVariable, Tensor>();
  #iterations = 0;
  #disposed = false;

  /** @internal Use the factories. */
  constructor(name: OptimizerName, options: unknown) {
    if (typeof name !== 'string' || !Object.hasOwn(SPECS, name)) throw new InvalidArgumentError('Optimizer: optimizers are made by their factories (optimizers.sgd(…), optimizers.adam(…), …, or train.*), not with new');
    const op = `optimizers.${name}`;
    if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
      throw new InvalidArgumentError(`${op}: options must be an object, got ${describe(options)}`);
    }
    const known = ['learningRate', ...Object.keys(SPECS[name]), 'clipValue', 'clipNorm', 'globalClipNorm', 'excludeFromWeightDecay'];
    // The options' own keys only (a plain object's, checked here): an option nobody passed is
    // never read from a modified Object.prototype.
    if (options !== undefined) for (const k of optionKeys(op, options)) if (!known.includes(k)) throw unknownOption(op, k, known);
    const { learningRate = DEFAULT_LR[name], excludeFromWeightDecay = [], ...rest } = (options === undefined ? Object.create(null) : optionValues(options, known)) as BaseOptimizerOptions & Record<string, unknown>;
    learningRateAbi(op, learningRate);
    this.#noDecay = readExclude(op, excludeFromWeightDecay);
    const clipSpec = { clipValue: 0, clipNorm: 0, globalClipNorm: 0 };
    const read = readOptions(op, rest, { learningRate: 0, ...SPECS[name], ...clipSpec }); // learningRate is read above
    const given = CLIP_MODES.filter((k) => Object.hasOwn(rest, k) && rest[k] !== undefined);
    if (given.length > 1) throw new InvalidArgumentError(`${op}: only one of clipValue, clipNorm and globalClipNorm can be set, got ${given.join(' and ')}`);
    this.name = name;
    this.#learningRate = learningRate;
    this.#clip = given.length ? { mode: CLIP_MODES.indexOf(given[0]) + 1, value: read[given[0]] as number } : { mode: 0, value: 0 };
    this.#options = Object.freeze(Object.fromEntries(Object.keys(SPECS[name]).map((k) => [k, read[k]])));
    const params = this.#params();
    try {
      call((e) => check(e.nr_optimizer_check(OPTIMIZERS.indexOf(name), writeArgs(op, f32Bits(params)), params.length, this.#clip.mode, this.#clip.value)));
    } catch (err) {
      // The core names the optimizer (`adam: beta1 …`) or, for clipping, `optimizer:`: name the factory.
      throw inOp(op, err, err instanceof Error && err.message.startsWith('optimizer: ') ? 'optimizer' : name);
    }
  }

  /** The parts of weight names and the RegExps excluded from weight decay (see {@link BaseOptimizerOptions.excludeFromWeightDecay}). */
  readonly #noDecay: ReadonlyArray<string | RegExp>;
  /** Whether the first `minimize`/`applyGradients` on variables has checked `excludeFromWeightDecay` against their names. */
  #noDecayChecked = false;

  /**
   * @internal The indices in `names` of the weights excluded from weight decay (a name
   * containing one of the strings of `excludeFromWeightDecay`, or matched by one of its
   * RegExps); none without a decay.
   */
  excludedFromDecay(names: ReadonlyArray<string | undefined>): number[] {
    if (this.#noDecay.length === 0 || !(Number(this.#options.weightDecay) > 0)) return [];
    return names.flatMap((n, i) => (n !== undefined && this.#noDecay.some((k) => excludes(k, n)) ? [i] : []));
  }

  /**
   * @internal With a weight decay: an InvalidArgumentError naming `op` when an item of
   * `excludeFromWeightDecay` matches none of `names` (the weights of `whose`), listing them;
   * a string that looks like a regular expression gets the hint to pass a RegExp.
   */
  checkExcludedNames(op: string, names: ReadonlyArray<string | undefined>, whose: string): void {
    if (this.#noDecay.length === 0 || !(Number(this.#options.weightDecay) > 0)) return;
    const named = names.filter((n): n is string => n !== undefined);
    const k = this.#noDecay.find((item) => !named.some((n) => excludes(item, n)));
    if (k === undefined) return;
    const list = named.length === 0 ? 'it has no named weights' : `its weights are ${named.slice(0, 24).join(', ')}${named.length > 24 ? `, … (${named.length} in all)` : ''}`;
    let hint = typeof k === 'string' ? 'a string is a plain part of the full name (layerName/weightName)' : 'a RegExp is searched in the full name (layerName/weightName; Keras 3 searches the short name, such as bias)';
    if (typeof k === 'string' && /[\\^$*+?()[\]{}|]/.test(k)) {
      let re: RegExp | null = null;
      try {
        re = new RegExp(k);
      } catch {}
      const hits = re === null ? [] : named.filter((n) => re.test(n));
      hint = `'${k}' looks like a regular expression (Keras 3 reads its strings as one): pass a RegExp, ${hits.length > 0 ? `/${k}/, which matches ${hits.join(', ')}` : `searched in the full name (such as /\\/bias$/ for Keras's '^bias$')`}`;
    }
    throw new InvalidArgumentError(`${op}: the ${this.name} optimizer's excludeFromWeightDecay item ${showExclude(k)} matches no weight of ${whose} (${list}); ${hint}. Without a match the item would exclude nothing and every weight would decay`);
  }
  /** {@link #params}' list, made once: the options are frozen when the optimizer is made. */
  #paramList: readonly number[] | null = null;

  /** The options as the core's list (SPECS' order); a copy. */
  #params(): number[] {
    this.#paramList ??= Object.keys(SPECS[this.name]).map((k) => Number(this.#options[k]));
    return this.#paramList.slice();
  }

  /**
   * The optimizer's learning rate: a number or a schedule, the one it was made with or last
   * assigned; compiled into a model with a number, the rate in effect there
   * (`model.learningRate`: after a `learningRateScheduler` callback, `reduceLROnPlateau` or an
   * assignment to `model.learningRate`), as Keras's `model.optimizer.learning_rate`.
   * `getConfig()` and a saved compile config hold that same rate. A schedule is reported as
   * the schedule; the rate the next update uses is {@link Optimizer.currentLearningRate}.
   *
   * Assignable while the optimizer is not compiled into a live model, as TF.js's
   * `optimizer.learningRate = x` (PyTorch's `g['lr'] = x`): a custom loop's `minimize` and
   * `applyGradients` use the new rate from the next step on and keep everything else —
   * Adam's moments and the other state, the step count ({@link Optimizer.iterations}, which a
   * schedule counts from). A number must be finite and >= 0, as in the factories.
   *
   * Compiled into a model, the rate belongs to the model's trainer: set `model.learningRate =
   * x` there (it keeps the state too, and `fit`, `applyGradients` and `minimize` all use it);
   * assigning it here throws an error that says so, since the model would not see it.
   *
   * @example
   * const opt = optimizers.adam(0.01);
   * for (let step = 0; step < 100; step++) {
   *   if (step === 50) opt.learningRate = 0.001; // the moments are kept
   *   opt.minimize(() => loss(w), false, [w]);
   * }
   */
  get learningRate(): LearningRate {
    const lr = this.#learningRate;
    // Compiled with a number: the model's trainer holds the rate in effect (a scheduler
    // callback, reduceLROnPlateau or model.learningRate = … changes it there), as Keras's
    // `model.optimizer.learning_rate` reads it.
    const m = typeof lr === 'number' ? this.#compiled() : null;
    return m ? m.learningRate : lr;
  }

  set learningRate(lr: LearningRate) {
    const op = 'optimizer.learningRate';
    const [m] = this.#compiledModels();
    if (m) {
      const x = typeof lr === 'number' && lr > 0 ? lr : 'x';
      throw new InvalidArgumentError(
        `${op}: this ${this.name} optimizer is compiled into model ${m.name}, whose trainer holds its rate: set model.learningRate = ${x} ` +
          "(it keeps the optimizer's state and step count, and fit, applyGradients and minimize all use it), or use callbacks.reduceLROnPlateau or a schedule (schedules.*); " +
          `assigning the optimizer's rate would not reach the model (got ${describe(lr)})`,
      );
    }
    if (this.#disposed) throw new DisposedError(`${op}: this ${this.name} optimizer was disposed`);
    learningRateAbi(op, lr);
    this.#learningRate = lr;
  }

  /**
   * `optimizer.learningRate = lr`, under TF.js's name (its `SGDOptimizer.setLearningRate`:
   * in TF.js, SGD and momentum take a new rate only this way; here both ways work for every
   * optimizer). See {@link Optimizer.learningRate}.
   */
  setLearningRate(lr: LearningRate): void {
    this.learningRate = lr;
  }

  /** The live models compiled with this optimizer (not disposed, not recompiled with another), the last compiled first. */
  #compiledModels(): CompiledModel[] {
    this.#models = this.#models.filter((r) => {
      const m = r.deref();
      return m !== undefined && !m.isDisposed && m.optimizer === this;
    });
    return this.#models.map((r) => r.deref() as CompiledModel).reverse();
  }

  /** The model this optimizer is compiled into (the last one compiled, while it is), whose trainer counts its steps. */
  #compiled(): CompiledModel | null {
    return this.#compiledModels()[0] ?? null;
  }

  /**
   * @internal `model.compile` tells the optimizer which model it trains: its {@link
   * Optimizer.iterations} and {@link Optimizer.currentLearningRate} then report that model's
   * training (the last model compiled with it), and `applyGradients` updates that model's
   * weights (and those of any other live model compiled with it) through its trainer.
   */
  compiledInto(model: CompiledModel): void {
    this.forget(model);
    this.#models.push(new LateWeakRef(model));
  }

  /**
   * @internal The state this optimizer kept of its own for `vars` (weights of a model being
   * compiled with it, stepped before by `minimize` or `applyGradients` in a custom loop): each
   * variable's slots and this optimizer's step count, handed to the model's training state
   * (as TF.js's optimizer keeps its state when compiled) and forgotten here; null when it holds
   * none of them.
   */
  takeState(vars: readonly LayerVariable[]): { step: number; slots: Map<LayerVariable, Float32Array> } | null {
    const slots = new Map<LayerVariable, Float32Array>();
    for (const v of vars) {
      const st = this.#states.get(v);
      if (st === undefined) continue;
      slots.set(v, st.data());
      st.dispose();
      this.#states.delete(v);
    }
    return slots.size === 0 ? null : { step: this.#iterations, slots };
  }

  /** @internal `model` was disposed or compiled with another optimizer: this one lets it go at once (see {@link LateWeakRef}). */
  forget(model: CompiledModel): void {
    this.#models = this.#models.filter((r) => {
      if (r.deref() !== model) return true;
      r.clear();
      return false;
    });
  }

  /**
   * Updates applied so far (the next update is number `iterations + 1`). While this optimizer
   * is compiled into a model, that model's step counter (as TF.js's
   * `model.optimizer.iterations`): one per step of `fit`, `fitDataset` and `trainOnBatch`,
   * and one per `applyGradients` or `minimize` call, whatever it updates — fit and a custom
   * loop share the optimizer's state and this counter, as in TF.js and Keras. Otherwise the
   * `applyGradients` and `minimize` calls made while it was not compiled.
   *
   * Compiled into several models (TF.js shares one state across them), each model's trainer
   * keeps its own state and step: `iterations` and {@link Optimizer.currentLearningRate}
   * report the model compiled last, and `applyGradients` on another one's weights steps that
   * model's trainer.
   */
  get iterations(): number {
    return this.#compiled()?.trainingStep() ?? this.#iterations;
  }

  /** Whether `dispose()` has been called. */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /**
   * The learning rate the next update will use, as float32 in its shortest decimal form (`0.01`):
   * the schedule's value at the next step (Adamax's with its `decay` applied), and for
   * an optimizer compiled into a model, the model's (`model.learningRate`: after
   * `reduceLROnPlateau` or an assignment to it), which `fit`, `applyGradients` and `minimize`
   * all use.
   */
  currentLearningRate(): number {
    const m = this.#compiled();
    const lr = this.#learningRate;
    // The float32 rate the step uses, in its shortest decimal form (as model.learningRate).
    let rate = m ? m.learningRate : Math.fround(lr instanceof LearningRateSchedule ? lr.at(this.#iterations + 1) : lr);
    // Adamax's TF.js decay, η / (1 + decay·(k − 1)) at step k, in float32 as the core takes it
    // (crates/core/src/optim/adamax.rs): it reported the undecayed rate.
    const decay = this.name === 'adamax' ? Number(this.#options.decay ?? 0) : 0;
    if (decay > 0) {
      const k = (m ? m.trainingStep() : this.#iterations) + 1;
      rate = Math.fround(Math.fround(rate) / Math.fround(1 + Math.fround(decay * Math.fround(k - 1))));
    }
    return m && decay === 0 ? rate : Number(f32String(Math.fround(rate)));
  }

  /**
   * One optimizer step: updates every `variable` in place from its `grad` (same shape). Each
   * variable may appear once; gradients are not modified. If anything is invalid (a shape, a
   * NaN gradient, a disposed tensor) the call throws and no variable changes. TF.js's forms
   * by variable name work too ({@link NamedGradients}).
   *
   * While this optimizer is compiled into a model, that model's weights (`model.weights`,
   * `trainableWeights`) are updated through the model's trainer, as one step of `fit`: the
   * same per-weight state (momentum, Adam's moments …), step counter ({@link
   * Optimizer.iterations}, +1 per call), learning rate (schedule, `reduceLROnPlateau`,
   * `model.learningRate`) and clipping — so `fit`, `minimize` and `fit` again continue one
   * optimizer, as in TF.js. Unlike `fit`, the layers' weight regularizers add nothing (as
   * TF.js's `minimize`, which never adds `model.losses`: a custom loss adds its own terms).
   * Other variables (plain `variable`s, weights of models not compiled with it) keep state in
   * this optimizer, stepped at the same step number and learning rate; a call with both
   * kinds is one step of each (one count of `iterations`). `globalClipNorm` takes the norm of
   * every gradient of the call, whichever kind (as Keras).
   *
   * @example const { value, grads } = variableGrads(loss); opt.applyGradients(grads); // as TF.js
   */
  applyGradients(grads: readonly GradientPair[] | NamedGradients): void {
    this.#step('applyGradients', grads);
  }

  /** One step over `grads` (see {@link Optimizer.applyGradients}); errors name `op`. */
  #step(op: string, grads: unknown): void {
    if (this.#disposed) throw new DisposedError(`${op}: this ${this.name} optimizer was disposed`);
    const given = gradientPairs(op, grads);
    const pairs: Pair[] = [];
    const seen = new Set<Tensor | LayerVariable>();
    given.forEach((pair, i) => {
      const { variable, grad } = (pair ?? {}) as Partial<GradientPair>;
      if (!(variable instanceof Tensor || variable instanceof LayerVariable) || !(grad instanceof Tensor)) {
        throw new InvalidArgumentError(`${op}: pairs[${i}] must be { variable: Tensor | LayerVariable, grad: Tensor }, got ${describe(pair)}`);
      }
      if (seen.has(variable)) throw new InvalidArgumentError(`${op}: pairs[${i}].variable appears twice; each variable may be updated once per step`);
      seen.add(variable);
      grad.handleFor(op, `pairs[${i}].grad`);
      if (variable instanceof LayerVariable) variable.assertLive(op);
      else variable.handleFor(op, `pairs[${i}].variable`);
      pairs.push({ i, variable, grad });
    });
    const models = this.#compiledModels();
    if (models.length === 0) {
      this.#checkVariableNames(op, pairs);
      this.#apply(op, pairs, this.#iterations + 1, learningRateAbi(op, this.#learningRate));
      this.#iterations += 1;
      return;
    }
    // Each weight of a model compiled with this optimizer (the last compiled first, for a
    // layer several hold) goes to that model's trainer, by the core's index of the weight.
    // Moving statistics stay here: the trainer never updates them, and writing one checks it.
    const groups = models.map((m) => ({ m, index: new Map(m.coreVariables(op).map((v, k) => [v, k])), pairs: [] as Array<[number, Pair]> }));
    const rest: Pair[] = [];
    for (const p of pairs) {
      const v = p.variable;
      const g = v instanceof LayerVariable && v.ownTrainable ? groups.find((x) => x.index.has(v)) : undefined;
      if (g) g.pairs.push([g.index.get(v as LayerVariable) as number, p]);
      else rest.push(p);
    }
    // A model's weights were checked by its compile; variables beside them are checked here.
    if (rest.length > 0) this.#checkVariableNames(op, pairs);
    // A fit running on a model whose trainer this call would step (as trainOnBatch refuses).
    const busy = groups.find((x) => x.pairs.length > 0 && x.m.trainingCall !== null);
    if (busy) throw new InvalidArgumentError(`${op}: model ${busy.m.name} is training (a ${busy.m.trainingCall}() call has not finished), and this step would change its optimizer state and weights under it; step after it ends (a callback may evaluate or predict)`);
    // The model compiled last counts every call (its trainer steps even with none of its
    // weights); the other variables take its step number and rate. The steps run in turn,
    // this optimizer's last: every gradient of a step that is not the first to run is
    // checked before the first runs, so a refused call changes nothing.
    const [first, ...others] = groups;
    const steps = [...others.filter((x) => x.pairs.length > 0), first];
    checkGradients(op, pairs, false);
    const later = [...steps.slice(1).flatMap((x) => x.pairs.map(([, p]) => p)), ...rest].sort((a, b) => a.i - b.i);
    checkGradients(op, later, true);
    const at = rest.length > 0 ? { step: first.m.trainingStep() + 1, lr: first.m.learningRate } : null;
    const scaled = this.#globalClip(pairs, steps.filter((x) => x.pairs.length > 0).length + (rest.length > 0 ? 1 : 0));
    try {
      this.#stepGroups(op, steps, rest, at);
    } finally {
      for (const t of scaled) t.dispose();
    }
  }

  /**
   * `globalClipNorm` over a call whose gradients go to several trainers (a compiled model's
   * weights beside plain variables, or two models'): each trainer clips by the norm of its own
   * gradients, so the gradients are first scaled here by `clip / max(norm, clip)` of the norm
   * of all of them, as Keras's and TF.js's global clipping (then no trainer's part exceeds the
   * clip). Replaces each pair's gradient by a scaled copy and returns the copies to dispose.
   */
  #globalClip(pairs: Pair[], parts: number): Tensor[] {
    if (CLIP_MODES[this.#clip.mode - 1] !== 'globalClipNorm' || parts < 2) return [];
    let ss = 0;
    for (const p of pairs) for (const v of p.grad.data()) ss += v * v;
    const norm = Math.sqrt(ss);
    if (!(norm > this.#clip.value)) return [];
    const f = this.#clip.value / norm;
    return pairs.map((p) => (p.grad = p.grad.mul(f)));
  }

  /** At the first step on variables (not a compiled model's weights), {@link Optimizer.checkExcludedNames} on the names of the call's variables. */
  #checkVariableNames(op: string, pairs: readonly Pair[]): void {
    if (this.#noDecayChecked) return;
    this.checkExcludedNames(op, pairs.map((p) => (p.variable as { name?: string }).name), `the variables of this ${op}`);
    this.#noDecayChecked = true;
  }

  /** The trainers' steps of {@link Optimizer.applyGradients} (see `#step`), this optimizer's own last. */
  #stepGroups(op: string, steps: ReadonlyArray<{ m: CompiledModel; pairs: Array<[number, Pair]> }>, rest: Pair[], at: { step: number; lr: number } | null): void {
    for (const x of steps) {
      const h = x.m.handle(op);
      const ws = x.pairs.flatMap(([k, p]) => [k, p.grad.handleFor(op, `pairs[${p.i}].grad`)]);
      try {
        call((e) =>
          withWords(op, ws.length, (ptr) => {
            wordsAt(ptr, ws.length).set(ws);
            check(e.nr_model_apply_gradients(h, ptr, x.pairs.length));
          }),
        );
      } catch (err) {
        throw inOp(op, x.m.nameLayerIn(err), 'applyGradients');
      }
    }
    if (at) this.#apply(op, rest, at.step, { kind: 0, params: [at.lr, 0] });
  }

  /**
   * One step of this optimizer's own state over `pairs`, as update number `step` at the rate
   * of `sched` (the ABI form of a schedule), in one call into WebAssembly. A model's weight
   * is updated in place where the model holds it (its constraint applied after, as `fit`).
   */
  #apply(op: string, pairs: readonly Pair[], step: number, sched: { kind: number; params: number[] }): void {
    // The states of variables gone since: those of this call are live (checked by `#step`).
    const inCall = new Set<Tensor | LayerVariable>();
    for (const p of pairs) inCall.add(p.variable);
    for (const [v, st] of this.#states) {
      if (!inCall.has(v) && v.isDisposed) {
        st.dispose();
        this.#states.delete(v);
      }
    }
    if (step > 0xffffffff) throw new InvalidArgumentError(`${op}: more than 2^32 - 1 steps`);
    const kind = OPTIMIZERS.indexOf(this.name);
    const params = this.#params();
    const words = f32Bits(params);
    // `(variable, gradient, state)` handles per pair, the state keyed by the variable; a
    // model's weight is variable handle 0 and a reference in `refs`.
    const vars: number[] = [];
    const refs: number[] = [];
    // The empty states of an optimizer without slots (plain sgd), made for this call only.
    const temps: Tensor[] = [];
    try {
      for (const { i, variable, grad } of pairs) {
        const hg = grad.handleFor(op, `pairs[${i}].grad`);
        if (variable instanceof LayerVariable) {
          vars.push(0, hg, this.#stateFor(op, variable, kind, params, temps).handleFor(op, 'optimizer state'));
          refs.push(...variable.weightRef(op));
        } else {
          const vh = variable.handleFor(op, `pairs[${i}].variable`);
          vars.push(vh, hg, this.#stateFor(op, variable, kind, params, temps).handleFor(op, 'optimizer state'));
        }
      }
      const skip = this.excludedFromDecay(pairs.map((p) => (p.variable as { name?: string }).name));
      const all = [...words, ...f32Bits(sched.params), ...vars, ...refs, ...skip];
      try {
        call((e) =>
          // The scratch area when the list fits, else a block from nr_alloc (engine.withWords).
          withWords(op, all.length, (ptr) => {
            wordsAt(ptr, all.length).set(all);
            const schedPtr = ptr + 4 * words.length;
            const varsPtr = schedPtr + 4 * sched.params.length;
            const refsPtr = varsPtr + 4 * vars.length;
            check(e.nr_optimizer_apply(kind, ptr, params.length, sched.kind, schedPtr, sched.params.length, step, this.#clip.mode, this.#clip.value, varsPtr, pairs.length, refsPtr, refs.length, refsPtr + 4 * refs.length, skip.length));
          }),
        );
      } catch (err) {
        // A weight's update that would leave its domain names the variable (`variable 1 (`widths`)`).
        if (err instanceof Error) {
          err.message = err.message
            .replace(/variable (\d+) \(`[^`]*`\)/, (m, k: string) => (pairs[Number(k)] ? `variable ${(pairs[Number(k)].variable as { name?: string }).name ?? k}` : m))
            .replace(/gradient (\d+) \(shape ([^)]*)\) holds/, (m, k: string, shape: string) => (pairs[Number(k)] ? `gradient ${k} (shape ${shape}${ofVariable(pairs[Number(k)].variable)}) holds` : m));
        }
        throw inOp(op, err, 'applyGradients');
      }
    } finally {
      for (const t of temps) t.dispose();
    }
  }

  /**
   * One step of minimising `f()` (a scalar loss built from variables): computes the
   * gradients as `variableGrads` does and applies them, each to its own variable — names need
   * not be unique, so the weights of two models whose layers share a name (`hidden/kernel`)
   * both train, as in TF.js (which names the second `hidden/kernel_1`). Returns the loss when `returnCost` is
   * true (dispose it; typed as a `Tensor` then), else `null`. The forward pass belongs inside `f`: as TF.js, a loss that
   * depends on none of the variables (computed before the call) throws an
   * {@link InvalidArgumentError} naming `minimize`, rather than train nothing.
   *
   * The step is {@link Optimizer.applyGradients}'s: on the weights of the model this optimizer
   * is compiled into, it continues `fit`'s optimizer state, step count (`iterations`, +1 per
   * call) and learning rate, and a later `fit` continues from it. As in TF.js, the layers'
   * weight regularizers are not added (`fit` adds them): put such terms in `f`. A gradient
   * that is not finite is refused with a {@link NonFiniteError} naming `minimize`, and nothing
   * changes. A variable `f` reaches only through ops without a gradient (`stopGradient`, a
   * distillation teacher's `stopGradient(teacher.predict(x))`; `round`, comparisons …) is not
   * stepped at all — no momentum, no `weightDecay` — as Keras (its gradient is `None`) and
   * PyTorch (`.detach()`); TF.js would step it with zeros (`variableGrads` gives those zeros).
   */
  minimize(f: () => Tensor, returnCost: true, varList?: TrainableVariable[]): Scalar;
  /** One step of minimising `f()`, returning nothing (see the first form). */
  minimize(f: () => Tensor, returnCost?: false, varList?: TrainableVariable[]): null;
  /** One step of minimising `f()`: the cost when `returnCost` is true, else `null` (see the first form). */
  minimize(f: () => Tensor, returnCost?: boolean, varList?: TrainableVariable[]): Scalar | null;
  minimize(f: () => Tensor, returnCost = false, varList?: TrainableVariable[]): Tensor | null {
    // Each variable with its own gradient (no names: two models' layers of one name both train).
    const { value, pairs, vars } = variableGradsOf('minimize', f, varList);
    try {
      this.#step('minimize', pairs);
    } catch (err) {
      // The cost is not returned: freed (unless f returned a variable itself).
      if (!(vars as unknown[]).includes(value)) value.dispose();
      throw err;
    } finally {
      for (const p of pairs) p.grad.dispose();
    }
    if (returnCost) return value;
    value.dispose();
    return null;
  }

  /**
   * TF.js's `optimizer.computeGradients(f, varList)`: the value of `f()` and its gradients by
   * variable name, exactly {@link variableGrads} (this optimizer is not used); apply them with
   * {@link Optimizer.applyGradients}. Dispose `value` and the gradients.
   *
   * @example const { value, grads } = opt.computeGradients(loss); opt.applyGradients(grads);
   */
  computeGradients(f: () => Tensor, varList?: TrainableVariable[]): { value: Scalar; grads: Record<string, Tensor> } {
    const { value, grads } = variableGradsOf('computeGradients', f, varList);
    return { value, grads };
  }

  /**
   * The state tensor of `variable`, created (and kept out of tidy scopes) on first use, sized
   * by its value (a model's weight is read once for that). An optimizer without slots (plain
   * sgd) keeps none: its empty state is made for the call (added to `temps`, which the caller
   * disposes), so that it holds no tensor per variable (a fresh `train.sgd(lr)` per step left
   * one live tensor per variable per step until dispose or GC).
   */
  #stateFor(op: string, variable: Tensor | LayerVariable, kind: number, params: number[], temps: Tensor[]): Tensor {
    let st = this.#states.get(variable);
    if (!st) {
      const copy = variable instanceof LayerVariable ? variable.read() : null;
      try {
        const vh = (copy ?? (variable as Tensor)).handleFor(op, 'variable');
        st = call((e) => {
          check(e.nr_optimizer_state(kind, writeArgs('optimizer', f32Bits(params)), params.length, vh, outPtr(0)));
          return keep(wrapHandle(readOut(0)));
        });
      } finally {
        copy?.dispose();
      }
      if (st.size === 0 && variable.shape.every((d) => d > 0)) temps.push(st);
      else this.#states.set(variable, st);
    }
    return st;
  }

  /**
   * This optimizer's state as TF.js's `optimizer.getWeights()` lists it: first
   * `{ name: 'iter', tensor: scalar(iterations) }`, then the slots of every variable it keeps
   * state for, slot-major (every variable's first slot, then every second …: TF.js's order),
   * each named `<variableName>/<slot>` and of its variable's shape. The slots are TF.js's: sgd
   * with momentum `momentum` (plain sgd has none: only `iter`); adam `m`, `v`; rmsprop `rms`,
   * then `momentum` (with momentum) and `mg` (centered); adagrad `accumulator`; adamax `m`, `v`;
   * adadelta `accum_grad`, `accum_var`; and Keras 3's `vhat` with AMSGrad (adam, adamw).
   *
   * The variables are, first, the weights of the model this optimizer is compiled into (the
   * one compiled last, whose trainer `iterations` reports; every weight but moving statistics,
   * in `model.getWeights()` order — trainable ones first, then a frozen layer's — each with the
   * state `fit` and the custom loop's steps share, fresh zeros for a weight not stepped yet),
   * then the variables (`variable()`s,
   * weights of models not compiled with it) that `minimize` or `applyGradients` stepped, in
   * the order of their first step. `iter` is float32 (neurite's only dtype; TF.js's is int32):
   * exact up to 2^24 steps, beyond which this throws.
   *
   * The tensors are copies the caller owns (dispose them: `dispose(ws.map((w) => w.tensor))`),
   * not the live state TF.js returns, and tidy scopes do not take them. Restore them with
   * {@link Optimizer.setWeights} on an optimizer of the same kind and slot options.
   *
   * @throws {@link DisposedError} for a disposed optimizer; {@link InvalidArgumentError} when
   * two variables with state share a name (two uncompiled models with layers of the same name:
   * their slots could not be told apart), or a tensor stepped with `applyGradients` has no name
   * (not a `variable()`).
   *
   * @example
   * const saved = await opt.getWeights();          // [{ name: 'iter', … }, { name: 'w/m', … }, …]
   * const fresh = optimizers.adam(0.01);
   * await fresh.setWeights(saved);                  // continues where opt stopped
   * dispose(saved.map((w) => w.tensor));
   */
  async getWeights(): Promise<NamedTensor[]> {
    const op = 'optimizer.getWeights';
    this.#live(op);
    const code = await storage(op); // the storage chunk (io.js): loaded on first use
    this.#live(op);
    return code.optimizerWeights(op, this.#access());
  }


  /**
   * Restores a state from {@link Optimizer.getWeights} (this optimizer's, another neurite
   * optimizer's of the same kind, or TF.js's list of the same form), as TF.js's
   * `optimizer.setWeights(weightValues)`: `iter` (first) becomes {@link Optimizer.iterations}
   * (the step count of Adam's bias correction, of a schedule, of Adamax's decay), and each
   * `<variableName>/<slot>` item becomes that slot of the variable so named — a live
   * `variable()`, or a weight of a live model (`model.trainableWeights[i].name`). The next
   * `minimize` or `applyGradients` then continues exactly as the optimizer that was saved:
   * N steps, `getWeights`, a fresh optimizer with `setWeights`, M steps give the bits of N + M
   * steps.
   *
   * As TF.js, the list replaces the whole state: a variable it does not name starts afresh at
   * its next step (zeros; adagrad's `initialAccumulatorValue`). Compiled into a model, this
   * optimizer sets the state of that model's trainer (the model compiled last, as
   * {@link Optimizer.iterations}): its step count and its weights' slots, which `fit` then
   * continues too; its seed and learning-rate factor are kept. Items are matched by name, in
   * any order. The tensors are copied: the caller still owns (and disposes) them. An RMSProp
   * without momentum takes and ignores TF.js's `<name>/momentum` items (TF.js keeps that slot
   * always; with momentum 0 it does not change the next step).
   *
   * Everything is checked before anything changes; a refused list leaves the optimizer as it
   * was.
   *
   * @throws {@link InvalidArgumentError} when the list does not start with an integer `iter`,
   * an item is not `{ name, tensor }`, a name has no slot of this optimizer or names no live
   * variable, a variable lacks one of its slots or has one twice, or a value is not finite
   * (or negative in a slot of squares: `v`, `vhat`, `rms`, `accumulator`, adadelta's);
   * {@link ShapeError} when a slot's shape is not its variable's; {@link DisposedError} for a
   * disposed tensor or optimizer.
   */
  async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const op = 'optimizer.setWeights';
    this.#live(op);
    const code = await storage(op);
    this.#live(op);
    code.setOptimizerWeights(op, this.#access(), weightValues);
  }

  /** Throws the {@link DisposedError} of a disposed optimizer for `op`. */
  #live(op: string): void {
    if (this.#disposed) throw new DisposedError(`${op}: this ${this.name} optimizer was disposed`);
  }

  /** What `getWeights` and `setWeights` (in the storage chunk, `io/optimizer-state.ts`) read and replace. */
  #access(): OptimizerAccess {
    return {
      name: this.name,
      options: this.#options,
      iterations: this.iterations,
      states: this.#states,
      compiled: this.#compiled(),
      setIterations: (n) => void (this.#iterations = n),
    };
  }


  /**
   * Name, learning rate (a number or a schedule's config) and every option, including clipping.
   * The learning rate is {@link Optimizer.learningRate}'s: compiled into a model with a number,
   * the rate in effect there.
   */
  getConfig(): OptimizerConfig {
    return this.#config(this.learningRate);
  }

  /**
   * @internal The config with the learning rate this optimizer was made with (or last
   * assigned), not the compiled model's: what a training state holds beside its `lrScale`.
   */
  compiledConfig(): OptimizerConfig {
    return this.#config(this.#learningRate);
  }

  #config(lr: LearningRate): OptimizerConfig {
    const cfg: OptimizerConfig = { name: this.name, learningRate: lr instanceof LearningRateSchedule ? lr.getConfig() : lr, ...this.#options };
    if (this.#clip.mode > 0) cfg[CLIP_MODES[this.#clip.mode - 1]] = this.#clip.value;
    if (this.#noDecay.length > 0) cfg.excludeFromWeightDecay = this.#noDecay.map((k) => (typeof k === 'string' ? k : { pattern: k.source, flags: k.flags }));
    return cfg;
  }

  /**
   * TF.js's class name of this optimizer (`optimizer.getClassName()`, what TF.js's saved
   * `optimizer_config.class_name` holds): `'SGD'` (`'Momentum'` with momentum or Nesterov),
   * `'Adam'`, `'RMSProp'`, `'Adagrad'`, `'Adamax'`, `'Adadelta'`; `'AdamW'` (Keras's name: TF.js
   * has none).
   */
  getClassName(): string {
    const o = this.#options;
    return this.name === 'sgd' ? (o.momentum === 0 && !o.nesterov ? 'SGD' : 'Momentum') : CLASS_NAMES[this.name];
  }

  /**
   * @internal What the core needs to rebuild this optimizer: `Optimizer::from_abi(kind,
   * params)`, `LrSchedule::from_abi(schedule.kind, schedule.params)` and
   * `Clip::from_abi(clip.mode, clip.value)`.
   */
  abi(): { kind: number; params: number[]; schedule: { kind: number; params: number[] }; clip: { mode: number; value: number } } {
    return { kind: OPTIMIZERS.indexOf(this.name), params: this.#params(), schedule: learningRateAbi(this.name, this.#learningRate), clip: { ...this.#clip } };
  }

  /** Frees the optimizer's state tensors. Idempotent. Variables are not touched. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const st of this.#states.values()) st.dispose();
    this.#states.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Stochastic gradient descent, optionally with (Nesterov) momentum. */
export class SgdOptimizer extends Optimizer {
  constructor(options?: SgdOptions) { super('sgd', options); }
}
/** Adam (Kingma & Ba). */
export class AdamOptimizer extends Optimizer {
  constructor(options?: AdamOptions) { super('adam', options); }
}
/** AdamW: Adam with decoupled weight decay (Loshchilov & Hutter). */
export class AdamWOptimizer extends Optimizer {
  constructor(options?: AdamWOptions) { super('adamw', options); }
}
/** RMSProp, optionally centered and with momentum. */
export class RmsPropOptimizer extends Optimizer {
  constructor(options?: RmsPropOptions) { super('rmsprop', options); }
}
/** Adagrad. */
export class AdagradOptimizer extends Optimizer {
  constructor(options?: AdagradOptions) { super('adagrad', options); }
}
/** Adamax: Adam with the infinity norm (Kingma & Ba). */
export class AdamaxOptimizer extends Optimizer {
  constructor(options?: AdamaxOptions) { super('adamax', options); }
}
/** Adadelta (Zeiler). */
export class AdadeltaOptimizer extends Optimizer {
  constructor(options?: AdadeltaOptions) { super('adadelta', options); }
}

/**
 * @internal Reads a factory's arguments: an options object (or nothing), or the TF.js
 * positional form `(learningRate, ...keys)` (`null`/`undefined` keep a default, as TF.js's
 * `epsilon = null`). Anything else is an error naming the factory.
 */
function factoryArgs(name: string, args: readonly unknown[], keys: readonly string[]): unknown {
  const op = `optimizers.${name}`;
  const [first, ...rest] = args;
  if (typeof first !== 'number' && !(first instanceof LearningRateSchedule)) {
    if (args.length > 1) {
      throw new InvalidArgumentError(`${op}: expected an options object or (learningRate${keys.map((k) => `, ${k}`).join('')}), got ${describe(first)} followed by ${args.length - 1} more argument(s)`);
    }
    // Neither options nor a learning rate: say what the first argument may be (a string or a
    // bigint is most likely a learning rate of the wrong type).
    if (first !== undefined && (first === null || typeof first !== 'object' || Array.isArray(first))) {
      throw new InvalidArgumentError(`${op}: the first argument must be the learning rate (a number or a schedule) or an options object, got ${describe(first)}`);
    }
    return first;
  }
  if (rest.length > keys.length) {
    throw new InvalidArgumentError(`${op}: too many arguments (${args.length}); the positional form is (learningRate${keys.map((k) => `, ${k}`).join('')})`);
  }
  const o: Record<string, unknown> = { learningRate: first };
  rest.forEach((v, i) => {
    if (v !== undefined && v !== null) o[keys[i]] = v;
  });
  return o;
}

/**
 * SGD (`learningRate` default 0.01, `momentum` 0, `nesterov` false). `sgd(0.1)` is
 * `sgd({ learningRate: 0.1 })` (TF.js `tf.train.sgd`).
 */
export function sgd(options?: SgdOptions): SgdOptimizer;
/**
 * SGD with learning rate `learningRate` (a number or a schedule), TF.js's `tf.train.sgd(learningRate)`.
 *
 * @example optimizers.sgd(0.1) // sgd({ learningRate: 0.1 })
 */
export function sgd(learningRate: LearningRate): SgdOptimizer;
export function sgd(...args: unknown[]): SgdOptimizer {
  return new SgdOptimizer(factoryArgs('sgd', args, []) as SgdOptions);
}

/**
 * SGD with momentum, TF.js's `tf.train.momentum(learningRate, momentum, useNesterov)`:
 * `sgd({ learningRate, momentum, nesterov })`.
 */
export function momentum(learningRate: LearningRate, momentum: number, useNesterov = false): SgdOptimizer {
  const op = 'optimizers.momentum';
  if (typeof learningRate !== 'number' && !(learningRate instanceof LearningRateSchedule)) {
    throw new InvalidArgumentError(`${op}: learningRate must be a number or a schedule, got ${describe(learningRate)} (for options use optimizers.sgd({ learningRate, momentum }))`);
  }
  if (typeof useNesterov !== 'boolean') throw new InvalidArgumentError(`${op}: useNesterov must be a boolean, got ${describe(useNesterov)}`);
  // TF.js's momentum is required: left out, this was plain SGD that called itself Momentum.
  if (momentum === undefined) throw new InvalidArgumentError(`${op}: momentum is required (TF.js's train.momentum(learningRate, momentum)), got undefined; e.g. momentum(${typeof learningRate === 'number' ? learningRate : 'learningRate'}, 0.9)`);
  try {
    return new SgdOptimizer({ learningRate, momentum, nesterov: useNesterov });
  } catch (err) {
    // Named as the factory called (sgd's errors say optimizers.sgd).
    if (err instanceof Error && err.message.startsWith('optimizers.sgd: ')) err.message = `${op}: ${err.message.slice(16)}`;
    throw err;
  }
}

/**
 * Adam (`learningRate` 0.001, `beta1` 0.9, `beta2` 0.999, `epsilon` 1e-7, `amsgrad` false).
 * TF.js's positional form `adam(learningRate, beta1, beta2, epsilon)` is accepted too.
 *
 * @example optimizers.adam({ learningRate: 0.01 })
 * @example optimizers.adam(0.01) // the same, TF.js style
 */
export function adam(options?: AdamOptions): AdamOptimizer;
/**
 * Adam, TF.js's positional form `tf.train.adam(learningRate, beta1, beta2, epsilon)`; an
 * omitted (or `null`) argument takes its default (0.9, 0.999, 1e-7).
 *
 * @example optimizers.adam(0.01) // adam({ learningRate: 0.01 })
 */
export function adam(learningRate: LearningRate, beta1?: number, beta2?: number, epsilon?: number | null): AdamOptimizer;
export function adam(...args: unknown[]): AdamOptimizer {
  return new AdamOptimizer(factoryArgs('adam', args, ['beta1', 'beta2', 'epsilon']) as AdamOptions);
}

/**
 * AdamW (Adam's defaults, `amsgrad` included, and `weightDecay` 0.004). Positionally (Keras
 * order): `adamw(learningRate, weightDecay, beta1, beta2, epsilon)`.
 */
export function adamw(options?: AdamWOptions): AdamWOptimizer;
/**
 * AdamW positionally, in Keras's order `adamw(learningRate, weightDecay, beta1, beta2, epsilon)`;
 * an omitted (or `null`) argument takes its default.
 *
 * @example optimizers.adamw(0.001, 0.01) // adamw({ learningRate: 0.001, weightDecay: 0.01 })
 */
export function adamw(learningRate: LearningRate, weightDecay?: number, beta1?: number, beta2?: number, epsilon?: number | null): AdamWOptimizer;
export function adamw(...args: unknown[]): AdamWOptimizer {
  return new AdamWOptimizer(factoryArgs('adamw', args, ['weightDecay', 'beta1', 'beta2', 'epsilon']) as AdamWOptions);
}

/**
 * RMSProp (`learningRate` 0.001, `rho` 0.9, `momentum` 0, `epsilon` 1e-7, `centered` false).
 * TF.js's positional form `rmsprop(learningRate, decay, momentum, epsilon, centered)` is
 * accepted too (TF.js's `decay` is `rho`).
 */
export function rmsprop(options?: RmsPropOptions): RmsPropOptimizer;
/**
 * RMSProp, TF.js's positional form `tf.train.rmsprop(learningRate, decay, momentum, epsilon,
 * centered)` (TF.js's `decay` is `rho`); an omitted (or `null`) argument takes its default.
 *
 * @example optimizers.rmsprop(0.001, 0.9) // rmsprop({ learningRate: 0.001, rho: 0.9 })
 */
export function rmsprop(learningRate: LearningRate, decay?: number, momentum?: number, epsilon?: number | null, centered?: boolean): RmsPropOptimizer;
export function rmsprop(...args: unknown[]): RmsPropOptimizer {
  return new RmsPropOptimizer(factoryArgs('rmsprop', args, ['rho', 'momentum', 'epsilon', 'centered']) as RmsPropOptions);
}

/**
 * Adagrad (`learningRate` 0.01 as TF.js, `initialAccumulatorValue` 0.1, `epsilon` 1e-7). TF.js's
 * positional form `adagrad(learningRate, initialAccumulatorValue)` is accepted too.
 */
export function adagrad(options?: AdagradOptions): AdagradOptimizer;
/**
 * Adagrad, TF.js's positional form `tf.train.adagrad(learningRate, initialAccumulatorValue)`.
 *
 * @example optimizers.adagrad(0.01) // adagrad({ learningRate: 0.01 })
 */
export function adagrad(learningRate: LearningRate, initialAccumulatorValue?: number): AdagradOptimizer;
export function adagrad(...args: unknown[]): AdagradOptimizer {
  return new AdagradOptimizer(factoryArgs('adagrad', args, ['initialAccumulatorValue']) as AdagradOptions);
}

/**
 * Adamax (`learningRate` 0.002 as TF.js, `beta1` 0.9, `beta2` 0.999, `epsilon` 1e-7, `decay`
 * 0). TF.js's positional form `adamax(learningRate, beta1, beta2, epsilon, decay)` is accepted
 * too. Keras 3's default rate is 0.001.
 */
export function adamax(options?: AdamaxOptions): AdamaxOptimizer;
/**
 * Adamax, TF.js's positional form `tf.train.adamax(learningRate, beta1, beta2, epsilon,
 * decay)`; an omitted (or `null`) argument takes its default.
 *
 * @example optimizers.adamax(0.002) // adamax({ learningRate: 0.002 })
 */
export function adamax(learningRate: LearningRate, beta1?: number, beta2?: number, epsilon?: number | null, decay?: number): AdamaxOptimizer;
export function adamax(...args: unknown[]): AdamaxOptimizer {
  return new AdamaxOptimizer(factoryArgs('adamax', args, ['beta1', 'beta2', 'epsilon', 'decay']) as AdamaxOptions);
}

/**
 * Adadelta (`learningRate` 0.001, `rho` 0.95, `epsilon` 1e-7, as Keras 3 and TF.js; Zeiler's
 * paper has no rate, i.e. 1), Keras 3's rule: TF.js's reduces to SGD (see the module notes).
 * TF.js's positional form `adadelta(learningRate, rho, epsilon)` is accepted too.
 */
export function adadelta(options?: AdadeltaOptions): AdadeltaOptimizer;
/**
 * Adadelta, TF.js's positional form `tf.train.adadelta(learningRate, rho, epsilon)`; an
 * omitted (or `null`) argument takes its default.
 *
 * @example optimizers.adadelta(1.0, 0.95) // adadelta({ learningRate: 1, rho: 0.95 })
 */
export function adadelta(learningRate: LearningRate, rho?: number, epsilon?: number | null): AdadeltaOptimizer;
export function adadelta(...args: unknown[]): AdadeltaOptimizer {
  return new AdadeltaOptimizer(factoryArgs('adadelta', args, ['rho', 'epsilon']) as AdadeltaOptions);
}
