/**
 * Internal: reading option objects and encoding loss, optimizer and schedule options as the
 * `f32` lists the core's `from_abi` functions take. Not part of the public API.
 */
import { InvalidArgumentError } from './errors.js';
import { describe } from './ops/convert.js';
import type { LossConfig, LossOptions } from './losses.js';
import { LOSSES, type LossName } from './wasm/codes.js';

/** @internal The bit patterns of `values` as float32, for passing `f32` lists to the core. */
export function f32Bits(values: readonly number[]): number[] {
  return Array.from(new Uint32Array(new Float32Array(values).buffer));
}

/** @internal Option defaults: a number or boolean, or `null` for a required number. */
export type OptionSpec = Record<string, number | boolean | null>;

/**
 * @internal Reads an options object against `spec`: rejects unknown keys, non-finite or
 * out-of-float32-range numbers, non-booleans where a boolean is expected, and missing
 * required options. Returns the options merged over the defaults.
 */
export function readOptions(op: string, options: unknown, spec: OptionSpec): Record<string, number | boolean> {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new InvalidArgumentError(`${op}: options must be an object, got ${describe(options)}`);
  }
  const given = (options ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(given)) {
    if (!(k in spec)) {
      const known = Object.keys(spec);
      throw new InvalidArgumentError(`${op}: unknown option '${k}' (${known.length ? `known: ${known.join(', ')}` : 'it takes no options'})`);
    }
  }
  const out: Record<string, number | boolean> = {};
  for (const [k, def] of Object.entries(spec)) {
    const v = given[k];
    if (v === undefined) {
      if (def === null) throw new InvalidArgumentError(`${op}: option '${k}' is required`);
      out[k] = def;
    } else if (typeof def === 'boolean') {
      if (typeof v !== 'boolean') throw new InvalidArgumentError(`${op}: ${k} must be a boolean, got ${describe(v)}`);
      out[k] = v;
    } else {
      if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) {
        throw new InvalidArgumentError(`${op}: ${k} must be a finite number within float32 range, got ${describe(v)}`);
      }
      out[k] = v;
    }
  }
  return out;
}

/** Short names accepted wherever a loss name is (Keras's aliases). */
const ALIASES: Record<string, LossName> = { mse: 'meanSquaredError', mae: 'meanAbsoluteError', kld: 'kullbackLeiblerDivergence' };

/** @internal The options each loss takes, in ABI order, with defaults (Rust `Loss::PARAMS`, checked by test/codes.test.ts). */
export const OPTIONS: Partial<Record<LossName, Array<[keyof LossOptions, number | boolean]>>> = {
  huber: [['delta', 1]],
  binaryCrossentropy: [['fromLogits', false], ['labelSmoothing', 0]],
  categoricalCrossentropy: [['fromLogits', false], ['labelSmoothing', 0]],
  sparseCategoricalCrossentropy: [['fromLogits', false]],
};

/**
 * Loss reductions, by ABI id (Rust `Reduction::NAMES`, checked by test/codes.test.ts):
 * - `'mean'` (default, as TF.js and Keras): per-sample loss over the last axis (a mean for
 *   MSE, MAE, Huber, binary cross-entropy and hinge; a sum for the categorical
 *   cross-entropies and KL divergence), averaged over the samples;
 * - `'sumOverFeatures'`: the per-sample *sum* over the last axis, averaged over the samples —
 *   a VAE's reconstruction term in nats (for the losses that already sum it equals `'mean'`).
 */
export const REDUCTIONS = ['mean', 'sumOverFeatures'] as const;
export type LossReduction = (typeof REDUCTIONS)[number];

/** @internal The ABI id of a reduction option, or an error listing the valid names. */
export function reductionId(op: string, r: unknown): number {
  if (r === undefined) return 0;
  const id = REDUCTIONS.indexOf(r as LossReduction);
  if (id < 0) throw new InvalidArgumentError(`${op}: unknown reduction ${typeof r === 'string' ? `'${r}'` : describe(r)} (valid: ${REDUCTIONS.join(', ')})`);
  return id;
}

/**
 * @internal Resolves a loss name (or alias) or config plus options to its ABI id, `f32`
 * parameters and reduction id, rejecting unknown names and options.
 */
export function lossAbi(op: string, loss: LossName | LossConfig | string, options?: LossOptions): { name: LossName; kind: number; params: number[]; reduction: number } {
  let name: unknown = loss;
  let opts: object | undefined = options;
  if (loss !== null && typeof loss === 'object') {
    const { name: n, ...rest } = loss as LossConfig;
    name = n;
    opts = { ...rest, ...(options ?? {}) };
  }
  const canonical = typeof name === 'string' ? (ALIASES[name] ?? name) : name;
  const kind = LOSSES.indexOf(canonical as LossName);
  if (kind < 0) {
    throw new InvalidArgumentError(`${op}: unknown loss ${typeof name === 'string' ? `'${name}'` : describe(name)} (known: ${LOSSES.join(', ')}, ${Object.keys(ALIASES).join(', ')})`);
  }
  const spec = OPTIONS[canonical as LossName] ?? [];
  let reduction = 0;
  if (opts !== null && typeof opts === 'object' && !Array.isArray(opts) && 'reduction' in opts) {
    const { reduction: r, ...rest } = opts as { reduction?: unknown };
    reduction = reductionId(op, r);
    opts = rest;
  }
  const values = readOptions(op, opts, Object.fromEntries(spec));
  const params = spec.map(([k]) => Number(values[k]));
  return { name: canonical as LossName, kind, params, reduction };
}

