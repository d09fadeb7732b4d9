/**
 * Learning-rate schedules for the optimizers, evaluated by the Rust core
 * (`crates/core/src/optim/schedule.rs`), with an optional linear warm-up.
 *
 * Steps are 1-based: step `k` is the `k`-th update, and the first update uses the initial
 * rate. With `t = k − 1` updates already applied:
 * - `constant`: `learningRate`;
 * - `exponentialDecay`: `initial · decayRate^(t / decaySteps)` (exponent floored when
 *   `staircase`), as Keras `ExponentialDecay`;
 * - `stepDecay`: `initial · drop^⌊t / every⌋`;
 * - `cosineDecay`: `initial · ((1 − α)·½(1 + cos(π·min(t, decaySteps)/decaySteps)) + α)`, as
 *   Keras `CosineDecay`.
 *
 * With `warmupSteps = W > 0`, update `t < W` uses `initial · (t + 1)/W`; afterwards the schedule
 * runs on `t − W` (its decay starts when the warm-up ends).
 *
 * @example
 * const lr = schedules.cosineDecay({ initialLearningRate: 0.01, decaySteps: 1000, warmupSteps: 100 });
 * const opt = optimizers.adam({ learningRate: lr });
 */
import { call, check, outPtr, writeArgs } from './engine.js';
import { InvalidArgumentError } from './errors.js';
import { describe } from './ops/convert.js';
import { f32Bits, readOptions, type OptionSpec } from './options.js';
import { SCHEDULES, type ScheduleName } from './wasm/codes.js';
import { brand } from './brand.js';

/** @internal The options of each schedule, in ABI order (`warmupSteps` last), with defaults (Rust `LrSchedule::PARAMS`, checked by test/codes.test.ts). */
export const SPECS: Record<ScheduleName, OptionSpec> = {
  constant: { learningRate: null, warmupSteps: 0 },
  exponentialDecay: { initialLearningRate: null, decaySteps: null, decayRate: null, staircase: false, warmupSteps: 0 },
  stepDecay: { initialLearningRate: null, drop: null, every: null, warmupSteps: 0 },
  cosineDecay: { initialLearningRate: null, decaySteps: null, alpha: 0, warmupSteps: 0 },
};

/** The serialisable form of a schedule: its name and options. */
export interface ScheduleConfig {
  name: ScheduleName;
  [option: string]: number | boolean | string;
}

/** A learning-rate schedule; pass it as an optimizer's `learningRate`. Immutable. */
export class LearningRateSchedule {
  static {
    brand(this);
  }

  /** Which schedule this is. */
  readonly name: ScheduleName;
  readonly #options: Readonly<Record<string, number | boolean>>;

  /** @internal Use the factories (`schedules.exponentialDecay(...)` etc.). */
  constructor(name: ScheduleName, options: unknown) {
    if (typeof name !== 'string' || !Object.hasOwn(SPECS, name)) throw new InvalidArgumentError('LearningRateSchedule: schedules are made by their factories (schedules.exponentialDecay(…), schedules.cosineDecay(…), …), not with new');
    this.name = name;
    this.#options = Object.freeze(readOptions(`schedules.${name}`, options, SPECS[name]));
    this.at(1); // the core validates the ranges (e.g. decaySteps >= 1) now, not at the first update
  }

  /** The rate of update number `step` (1-based). */
  at(step: number): number {
    if (!Number.isInteger(step) || step < 1 || step > 0xffffffff) {
      throw new InvalidArgumentError(`schedules.${this.name}: step must be an integer in [1, 2^32), got ${describe(step)}`);
    }
    const { kind, params } = this.abi();
    return call((e) => {
      check(e.nr_schedule_lr(kind, writeArgs('learningRate', f32Bits(params)), params.length, step, outPtr(0)));
      return new Float32Array(e.memory.buffer, outPtr(0), 1)[0];
    });
  }

  /** The name and options, e.g. `{ name: 'stepDecay', initialLearningRate: 0.1, drop: 0.5, every: 10, warmupSteps: 0 }`. */
  getConfig(): ScheduleConfig {
    return { name: this.name, ...this.#options };
  }

  /** @internal ABI id and `f32` parameters for `LrSchedule::from_abi`. */
  abi(): { kind: number; params: number[] } {
    return { kind: SCHEDULES.indexOf(this.name), params: Object.keys(SPECS[this.name]).map((k) => Number(this.#options[k])) };
  }
}

/** A learning rate: a number (constant) or a schedule. */
export type LearningRate = number | LearningRateSchedule;

/** Options of {@link constant}. */
export interface ConstantOptions {
  learningRate: number;
  /** Linear warm-up over this many updates. Default 0. */
  warmupSteps?: number | undefined;
}

/** Options of {@link exponentialDecay}. */
export interface ExponentialDecayOptions {
  initialLearningRate: number;
  /** Updates per decay period, an integer >= 1. */
  decaySteps: number;
  /** Factor per period, > 0. */
  decayRate: number;
  /** Decay in whole periods (a step function). Default false. */
  staircase?: boolean | undefined;
  warmupSteps?: number | undefined;
}

/** Options of {@link stepDecay}. */
export interface StepDecayOptions {
  initialLearningRate: number;
  /** Factor applied every `every` updates, > 0. */
  drop: number;
  /** Updates between drops, an integer >= 1. */
  every: number;
  warmupSteps?: number | undefined;
}

/** Options of {@link cosineDecay}. */
export interface CosineDecayOptions {
  initialLearningRate: number;
  /** Updates over which the rate falls to `alpha · initial`, an integer >= 1. */
  decaySteps: number;
  /** The final fraction of the initial rate, in [0, 1]. Default 0. */
  alpha?: number | undefined;
  warmupSteps?: number | undefined;
}

/** A constant rate, with an optional warm-up. */
export function constant(options: ConstantOptions): LearningRateSchedule {
  return new LearningRateSchedule('constant', options);
}

/** `initial · decayRate^(t / decaySteps)` (Keras `ExponentialDecay`). */
export function exponentialDecay(options: ExponentialDecayOptions): LearningRateSchedule {
  return new LearningRateSchedule('exponentialDecay', options);
}

/** `initial · drop^⌊t / every⌋`. */
export function stepDecay(options: StepDecayOptions): LearningRateSchedule {
  return new LearningRateSchedule('stepDecay', options);
}

/** Cosine decay from `initial` to `alpha · initial` over `decaySteps` (Keras `CosineDecay`). */
export function cosineDecay(options: CosineDecayOptions): LearningRateSchedule {
  return new LearningRateSchedule('cosineDecay', options);
}
