/**
 * Weight constraints, as `tf.constraints`: `maxNorm`, `minMaxNorm`, `nonNeg`, `unitNorm`.
 * Mirrors `crates/core/src/constraints.rs`, which holds the math (TF.js's, with norms summed
 * in float64) and applies it.
 *
 * A layer's `kernelConstraint` (`biasConstraint`, `depthwiseConstraint`, …) projects that
 * weight right after every optimizer update of it — in `fit`, `trainOnBatch`, `fitDataset`,
 * `optimizer.minimize` and `applyGradients` on the model's weights, in every model holding the
 * layer — as Keras 3 does. TF.js 4.22 accepts the option but never applies it while training
 * (tensorflow/tfjs#3345, #3979). Neither initialization nor `setWeights`/`write`/loading
 * applies it (Keras; TF.js's `setWeights` does).
 */
import { call, check, outPtr, readOut, writeArgs } from './engine.js';
import { inOp, InvalidArgumentError } from './errors.js';
import { describe, need, show } from './ops/convert.js';
import { checkArgs, didYouMean, f32Bits } from './options.js';
import { wrapHandle, type Tensor } from './tensor.js';
import { brand } from './brand.js';

/** Constraint kind ids of the C ABI: Rust `Constraint::KIND_NAMES`, compared by `test/codes.test.ts`. */
export const CONSTRAINTS = ['maxNorm', 'minMaxNorm', 'nonNeg', 'unitNorm'] as const;
/** A constraint's name (TF.js's identifier). */
export type ConstraintName = (typeof CONSTRAINTS)[number];

/** @internal The scalar options of each kind with their TF.js defaults, in ABI order (Rust `Constraint::PARAMS`); the norm constraints then take `axis` (default 0). */
export const CONSTRAINT_PARAMS: Readonly<Record<ConstraintName, ReadonlyArray<readonly [string, number]>>> = {
  maxNorm: [['maxValue', 2]],
  minMaxNorm: [['minValue', 0], ['maxValue', 1], ['rate', 1]],
  nonNeg: [],
  unitNorm: [],
};

/** @internal The layer options that take a constraint, by ABI id (Rust `Constraint::OPTIONS`). */
export const CONSTRAINT_OPTIONS = ['kernelConstraint', 'biasConstraint', 'depthwiseConstraint', 'pointwiseConstraint', 'alphaConstraint', 'betaConstraint', 'gammaConstraint'] as const;
/** @internal */
export type ConstraintOption = (typeof CONSTRAINT_OPTIONS)[number];

/** TF.js's (and Keras's) class name of each kind. */
const CLASS_OF: Readonly<Record<ConstraintName, string>> = { maxNorm: 'MaxNorm', minMaxNorm: 'MinMaxNorm', nonNeg: 'NonNeg', unitNorm: 'UnitNorm' };

/** Options of {@link constraints}.maxNorm (TF.js `MaxNormArgs`). */
export interface MaxNormArgs {
  /** The largest L2 norm a slice may have (finite, >= 0). Default 2. */
  maxValue?: number | undefined;
  /** The axis (or axes) the norms are taken over; default 0 (a dense kernel's columns: each unit's incoming weights). For a convolution kernel `[kh, kw, cin, cout]`, `[0, 1, 2]` constrains each filter. */
  axis?: number | number[] | undefined;
}
/** Options of {@link constraints}.minMaxNorm (TF.js `MinMaxNormArgs`). */
export interface MinMaxNormArgs {
  /** The smallest norm (finite, >= 0). Default 0. */
  minValue?: number | undefined;
  /** The largest norm (finite, >= minValue). Default 1. */
  maxValue?: number | undefined;
  /** How far each projection moves toward the interval, in [0, 1] (1: all the way). Default 1. */
  rate?: number | undefined;
  /** As {@link MaxNormArgs.axis}. Default 0. */
  axis?: number | number[] | undefined;
}
/** Options of {@link constraints}.unitNorm (TF.js `UnitNormArgs`). */
export interface UnitNormArgs {
  /** As {@link MaxNormArgs.axis}. Default 0. */
  axis?: number | number[] | undefined;
}

/**
 * A weight constraint (TF.js `tf.constraints.Constraint`): a projection applied to a weight
 * after each optimizer update. Make one with {@link constraints}; pass it as a layer's
 * `kernelConstraint` (and the like), or apply it to a tensor.
 */
export class Constraint {
  static {
    brand(this);
  }
  /** The kind (`'maxNorm'`, …). */
  readonly name: ConstraintName;
  /** The options, defaults resolved (`{ maxValue: 2, axis: 0 }`; nonNeg's is empty). */
  readonly config: Readonly<Record<string, number | number[]>>;

  /** @internal Made by the {@link constraints} factories (options already checked). */
  constructor(name: ConstraintName, config: Record<string, number | number[]>) {
    if (typeof name !== 'string' || config === null || typeof config !== 'object') throw new InvalidArgumentError('Constraint: constraints are made by their factories (constraints.maxNorm(…), constraints.nonNeg(), …), not with new');
    this.name = name;
    this.config = Object.freeze(config);
  }

  /** TF.js's class name: `'MaxNorm'`, `'MinMaxNorm'`, `'NonNeg'`, `'UnitNorm'`. */
  getClassName(): string {
    return CLASS_OF[this.name];
  }

  /** The options as TF.js's `getConfig()` returns them (`{ maxValue, axis }`, …). */
  getConfig(): Record<string, number | number[]> {
    const c: Record<string, number | number[]> = {};
    for (const [k, v] of Object.entries(this.config)) c[k] = Array.isArray(v) ? v.slice() : v;
    return c;
  }

  /** @internal `[kind id, params…, axes…]` for the ABI. */
  abi(): number[] {
    const axis = this.config.axis;
    return [CONSTRAINTS.indexOf(this.name), ...CONSTRAINT_PARAMS[this.name].map(([k]) => this.config[k] as number), ...(axis === undefined ? [] : typeof axis === 'number' ? [axis] : axis)];
  }

  /**
   * The projection of `w` (a new tensor; TF.js `constraint.apply(w)`): the rule a layer
   * applies to its weight after each update. An axis out of range for `w`'s rank is an
   * {@link InvalidArgumentError}. No gradient flows through it.
   *
   * @example constraints.maxNorm({ maxValue: 1 }).apply(tensor2d([[3, 0.3], [4, 0.4]])) // [[0.6, 0.3], [0.8, 0.4]]
   */
  apply(w: Tensor): Tensor {
    const op = `${this.name}.apply`;
    const h = need(op, 'w', w);
    const [kind, ...p] = this.abi();
    try {
      return wrapHandle(call((e) => {
        const ptr = writeArgs(op, f32Bits(p));
        check(e.nr_constraint_apply(kind, ptr, p.length, h, outPtr(0)));
        return readOut(0);
      }));
    } catch (err) {
      throw inOp(op, err, 'apply');
    }
  }
}

/** What a constraint option accepts: a {@link Constraint}, or a name for the defaults (TF.js's `'maxNorm'`, …). */
export type ConstraintSpec = Constraint | ConstraintName;

/** A finite number >= 0 (float32 range), or the error naming `op` and `k`. */
function nonNeg(op: string, k: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(Math.fround(v)) || v < 0) throw new InvalidArgumentError(`${op}: ${k} must be a finite number >= 0, got ${describe(v)}`);
  return v;
}

/** An axis option: an integer or a non-empty list of distinct integers. */
function axisArg(op: string, v: unknown): number | number[] {
  const int = (a: unknown) => typeof a === 'number' && Number.isInteger(a) && Math.abs(a) <= 64;
  if (int(v)) return v as number;
  if (Array.isArray(v) && v.length > 0 && v.every(int) && new Set(v).size === v.length) return v.slice() as number[];
  throw new InvalidArgumentError(`${op}: axis must be an integer or a non-empty list of distinct integers (the axes the norms are taken over), got ${show(v)}`);
}

/** A checked constraint of kind `name` from `options` (unknown keys refused); `op` names the call in errors. */
function make(op: string, name: ConstraintName, options: unknown): Constraint {
  const params = CONSTRAINT_PARAMS[name];
  const keys = [...params.map(([k]) => k), ...(name === 'nonNeg' ? [] : ['axis'])];
  const o = checkArgs(op, options, keys);
  const config: Record<string, number | number[]> = {};
  for (const [k, def] of params) config[k] = nonNeg(op, k, o[k] ?? def);
  if (name === 'minMaxNorm') {
    if ((config.minValue as number) > (config.maxValue as number)) throw new InvalidArgumentError(`${op}: minValue (${config.minValue}) must not exceed maxValue (${config.maxValue})`);
    if ((config.rate as number) > 1) throw new InvalidArgumentError(`${op}: rate must be in [0, 1], got ${config.rate}`);
  }
  if (name !== 'nonNeg') config.axis = o.axis === undefined || o.axis === null ? 0 : axisArg(op, o.axis);
  return new Constraint(name, config);
}

/**
 * Constraint factories, as `tf.constraints` (TF.js's options and defaults). Each checks its
 * options: unknown keys, negative or non-finite values, `minValue > maxValue`, `rate` outside
 * [0, 1] or a non-integer axis throw an {@link InvalidArgumentError} naming the factory.
 *
 * @example layers.dense({ units: 64, kernelConstraint: constraints.maxNorm({ maxValue: 3 }) })
 */
export const constraints = {
  /** Scales each slice along `axis` down to an L2 norm of at most `maxValue` (default 2): `w · clip(n, 0, maxValue) / (ε + n)`. @example constraints.maxNorm({ maxValue: 2, axis: 0 }) */
  maxNorm: (args?: MaxNormArgs): Constraint => make('constraints.maxNorm', 'maxNorm', args),
  /** Moves each slice's norm toward [minValue, maxValue] (defaults 0, 1) by `rate` (default 1): `w · (rate · clip(n, min, max) + (1 − rate) · n) / (ε + n)`. @example constraints.minMaxNorm({ minValue: 0.5, maxValue: 1 }) */
  minMaxNorm: (args?: MinMaxNormArgs): Constraint => make('constraints.minMaxNorm', 'minMaxNorm', args),
  /** Sets negative values to 0. @example layers.dense({ units: 4, kernelConstraint: constraints.nonNeg() }) */
  nonNeg: (): Constraint => make('constraints.nonNeg', 'nonNeg', undefined),
  /** Scales each slice along `axis` (default 0) to unit L2 norm: `w / (ε + n)`. @example constraints.unitNorm({ axis: 0 }) */
  unitNorm: (args?: UnitNormArgs): Constraint => make('constraints.unitNorm', 'unitNorm', args),
};

/**
 * @internal The kind a constraint name stands for: TF.js's identifiers (`'maxNorm'`), the class
 * names (`'MaxNorm'`) and Keras's snake_case names (`'max_norm'`, and its `'maxnorm'` aliases),
 * or `undefined`.
 */
export function constraintKind(s: string): ConstraintName | undefined {
  const flat = s.replace(/_/g, '').toLowerCase();
  return CONSTRAINTS.find((n) => n.toLowerCase() === flat);
}

/** @internal A layer option's constraint: `null`/`undefined` for none, a {@link Constraint}, or a name (the defaults). */
export function constraintOf(op: string, field: string, spec: unknown): Constraint | null {
  if (spec === undefined || spec === null) return null;
  if (spec instanceof Constraint) return spec;
  if (typeof spec === 'string') {
    const kind = constraintKind(spec);
    if (kind) return make(`${op}: ${field}`, kind, undefined);
    throw new InvalidArgumentError(`${op}: ${field} must be one of ${CONSTRAINTS.map((n) => `'${n}'`).join(', ')} or a constraints.* object, got ${show(spec)}${didYouMean(spec, [...CONSTRAINTS])}`);
  }
  throw new InvalidArgumentError(`${op}: ${field} must be a constraint (constraints.maxNorm(), …) or one of ${CONSTRAINTS.map((n) => `'${n}'`).join(', ')}, got ${show(spec)}`);
}

/** @internal A constraint from its kind and config (camelCase keys; loading), checked as the factories check. */
export function constraintFrom(op: string, name: ConstraintName, config: Record<string, unknown>): Constraint {
  return make(op, name, config);
}
