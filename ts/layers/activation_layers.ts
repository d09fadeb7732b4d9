/**
 * TF.js's dedicated activation layers, `LeakyReLU`, `ELU`, `ReLU` and `Softmax`: each an
 * {@link Activation} layer (kind `'activation'`, the core's `Activation` layer computing the
 * activation it names) with TF.js's class, options, `getConfig()` and saved form.
 */
import { InvalidArgumentError } from '../errors.js';
import { describe } from '../ops/convert.js';
import { checkArgs } from '../options.js';
import type { ActivationSpec } from './activation_abi.js';
import { Activation } from './core.js';
import { LAYER_ARG_KEYS, type LayerArgs } from './layer.js';

/** Options of `layers.leakyReLU` (TF.js's). */
export interface LeakyReLUArgs extends LayerArgs {
  /** The slope for `x <= 0`, any finite number. Default 0.3 (TF.js's and Keras's layer default). */
  alpha?: number | undefined;
}

/** Options of `layers.elu` (TF.js's). */
export interface ELUArgs extends LayerArgs {
  /** The scale of `eˣ − 1` for `x <= 0`, a finite number >= 0. Default 1. */
  alpha?: number | undefined;
}

/** Options of `layers.reLU` (TF.js's). */
export interface ReLUArgs extends LayerArgs {
  /** The cap: `null` (none, default) or a finite number >= 0 (6 is `relu6`). */
  maxValue?: number | null | undefined;
}

/** Options of `layers.softmax` (TF.js's). */
export interface SoftmaxArgs extends LayerArgs {
  /** The axis normalised: only -1, the last (the only one TF.js's softmax op supports too). Default -1. */
  axis?: number | undefined;
}

/** `args` without `keys`, checked for unknown keys first (suggesting the nearest). */
function layerArgs(op: string, args: unknown, keys: readonly string[]): { given: Record<string, unknown>; rest: LayerArgs } {
  const given = checkArgs(op, args, [...keys, ...LAYER_ARG_KEYS]);
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(given)) if (!keys.includes(k)) rest[k] = v;
  return { given, rest: rest as LayerArgs };
}

/** Option `k` of `op`: `fallback` when not given, else a number `ok` accepts (`ok` says what it must be, or `null`). */
function numberOption(op: string, given: Record<string, unknown>, k: string, fallback: number, ok: (v: number) => string | null): number {
  const v = given[k];
  if (v === undefined) return fallback;
  const why = typeof v === 'number' ? ok(v) : 'a number';
  if (why !== null) throw new InvalidArgumentError(`${op}: ${k} must be ${why}, got ${describe(v)}`);
  return v as number;
}

const finite = (v: number): string | null => (Number.isFinite(Math.fround(v)) ? null : 'a finite number');
const finiteAtLeast0 = (v: number): string | null => (Number.isFinite(Math.fround(v)) && v >= 0 ? null : 'a finite number >= 0');

/**
 * TF.js's `LeakyReLU` layer: `x` for `x > 0`, `alpha·x` otherwise (the `leakyRelu` activation).
 * Any finite `alpha`, negative too, as TF.js (Keras 3 refuses a negative slope, so such a saved
 * model loads in TF.js, not in Keras 3).
 *
 * @example layers.leakyReLU({ alpha: 0.1 }).getConfig() // { alpha: 0.1, name: 'leakyReLU_1', trainable: true }
 */
export class LeakyReLU extends Activation {
  /** TF.js's class name, `'LeakyReLU'`. */
  static override readonly className: string = 'LeakyReLU';
  /** @internal Default names are `leakyReLU_1`, `leakyReLU_2`, … (as the factory's name; not `activation_N`). */
  static readonly namePrefix = 'leakyReLU';
  /** The slope for `x <= 0`. */
  readonly alpha: number;
  constructor(args: LeakyReLUArgs = {}) {
    const { given, rest } = layerArgs('leakyReLU', args, ['alpha']);
    const alpha = numberOption('leakyReLU', given, 'alpha', 0.3, finite);
    super({ ...rest, activation: { name: 'leakyRelu', alpha } });
    this.alpha = alpha;
  }
  override getClassName(): string {
    return LeakyReLU.className;
  }
}

/**
 * TF.js's `ELU` layer: `x` for `x > 0`, `alpha·(eˣ − 1)` otherwise (the `elu` activation). TF.js
 * 4.22's layer takes only `alpha` 1 (a file with another loads in neurite and Keras, not in TF.js).
 *
 * @example layers.elu().getConfig() // { alpha: 1, name: 'elu_1', trainable: true }
 */
export class ELU extends Activation {
  /** TF.js's class name, `'ELU'`. */
  static override readonly className: string = 'ELU';
  /** @internal Default names are `elu_1`, `elu_2`, … (as the factory's name; not `activation_N`). */
  static readonly namePrefix = 'elu';
  /** The scale of `eˣ − 1` for `x <= 0`. */
  readonly alpha: number;
  constructor(args: ELUArgs = {}) {
    const { given, rest } = layerArgs('elu', args, ['alpha']);
    const alpha = numberOption('elu', given, 'alpha', 1, finiteAtLeast0);
    super({ ...rest, activation: { name: 'elu', alpha } });
    this.alpha = alpha;
  }
  override getClassName(): string {
    return ELU.className;
  }
}

/**
 * TF.js's `ReLU` layer: `max(x, 0)`, capped at `maxValue` when given: the `relu` activation,
 * `relu6` for 6 and `{ name: 'cappedRelu', maxValue }` for another cap, with TF.js's values and
 * gradients (1 on `(0, maxValue]`: 0 at 0, 1 at the cap).
 *
 * @example layers.reLU({ maxValue: 6 }).getConfig() // { maxValue: 6, name: 'reLU_1', trainable: true }
 */
export class ReLU extends Activation {
  /** TF.js's class name, `'ReLU'`. */
  static override readonly className: string = 'ReLU';
  /** @internal Default names are `reLU_1`, `reLU_2`, … (as the factory's name; not `activation_N`). */
  static readonly namePrefix = 'reLU';
  /** The cap, or `null` for none. */
  readonly maxValue: number | null;
  constructor(args: ReLUArgs = {}) {
    const { given, rest } = layerArgs('reLU', args, ['maxValue']);
    const maxValue = given.maxValue === null || given.maxValue === undefined ? null : numberOption('reLU', given, 'maxValue', 0, (v) => (finiteAtLeast0(v) === null ? null : 'null (no cap) or a finite number >= 0'));
    super({ ...rest, activation: maxValue === null ? 'relu' : maxValue === 6 ? 'relu6' : { name: 'cappedRelu', maxValue } });
    this.maxValue = maxValue;
  }
  override getClassName(): string {
    return ReLU.className;
  }
}

/**
 * TF.js's `Softmax` layer, over the last axis. TF.js's default `axis` is 1, which its softmax op
 * accepts only where it is the last axis (2-D inputs); neurite's is -1, the same axis there and
 * the last one at any rank (saved as `axis: -1`, which TF.js loads).
 *
 * @example layers.softmax().getConfig() // { axis: -1, name: 'softmax_1', trainable: true }
 */
export class Softmax extends Activation {
  /** TF.js's class name, `'Softmax'`. */
  static override readonly className: string = 'Softmax';
  /** @internal Default names are `softmax_1`, `softmax_2`, … (as the factory's name; not `activation_N`). */
  static readonly namePrefix = 'softmax';
  /** The axis normalised: -1, the last. */
  readonly axis: number;
  constructor(args: SoftmaxArgs = {}) {
    const { given, rest } = layerArgs('softmax', args, ['axis']);
    const axis = numberOption('softmax', given, 'axis', -1, (v) => (v === -1 ? null : '-1 (softmax layers normalise over the last axis)'));
    super({ ...rest, activation: 'softmax' });
    this.axis = axis;
  }
  override getClassName(): string {
    return Softmax.className;
  }
}

/** The class names of these layers, as a saved model's `class_name`. */
export type ActivationLayerClass = 'LeakyReLU' | 'ELU' | 'ReLU' | 'Softmax';

/**
 * @internal The layer of class `cls` computing `activation` (as a saved config or a spec reads
 * it: `{ name: 'leakyRelu', alpha }`, `{ name: 'elu', alpha }`, `'relu'`/`'relu6'`/`{ name:
 * 'cappedRelu', maxValue }`, `'softmax'`),
 * with the layer options `rest`.
 */
export function activationLayerOf(cls: ActivationLayerClass, activation: ActivationSpec, rest: LayerArgs): Activation {
  const alpha = typeof activation === 'object' && activation !== null ? (activation as { alpha?: number }).alpha : undefined;
  const maxValue = typeof activation === 'object' && activation !== null ? (activation as { maxValue?: number }).maxValue : undefined;
  switch (cls) {
    case 'LeakyReLU': return new LeakyReLU({ ...rest, alpha });
    case 'ELU': return new ELU({ ...rest, alpha });
    case 'ReLU': return new ReLU({ ...rest, maxValue: activation === 'relu6' ? 6 : (maxValue ?? null) });
    case 'Softmax': return new Softmax(rest);
  }
}
