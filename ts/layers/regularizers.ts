/**
 * Weight and activity regularizers: `l1`, `l2`, `l1l2` (Keras names and defaults 0.01).
 * Penalty `l1·Σ|w| + l2·Σw²`. Mirrors `crates/core/src/regularizers.rs`.
 */
import { InvalidArgumentError } from '../errors.js';
import { describe, show } from '../ops/convert.js';
import { readOptions } from '../options.js';

export interface Regularizer {
  readonly l1: number;
  readonly l2: number;
}
export type RegularizerSpec = Regularizer | 'l1' | 'l2' | 'l1l2';

function make(op: string, l1: unknown, l2: unknown): Regularizer {
  for (const [k, v] of [['l1', l1], ['l2', l2]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(Math.fround(v)) || v < 0) throw new InvalidArgumentError(`${op}: ${k} must be a finite number >= 0, got ${describe(v)}`);
  }
  return { l1: l1 as number, l2: l2 as number };
}

/**
 * Regularizer factories, as `tf.regularizers`. The options are checked here: an options object
 * (or nothing) with finite numbers >= 0; unknown options, `null` or a non-object throw an error
 * naming the factory.
 */
export const regularizers = {
  l1: (options?: { l1?: number }) => make('regularizers.l1', readOptions('regularizers.l1', options, { l1: 0.01 }).l1, 0),
  l2: (options?: { l2?: number }) => make('regularizers.l2', 0, readOptions('regularizers.l2', options, { l2: 0.01 }).l2),
  l1l2: (options?: { l1?: number; l2?: number }) => {
    const o = readOptions('regularizers.l1l2', options, { l1: 0.01, l2: 0.01 });
    return make('regularizers.l1l2', o.l1, o.l2);
  },
};

/** @internal `[l1, l2]` for the ABI (zeros when absent); `field` names the option in errors. */
export function regularizerAbi(op: string, spec: RegularizerSpec | undefined | null, field = 'regularizer'): number[] {
  if (spec == null) return [0, 0];
  if (spec === 'l1') return [0.01, 0];
  if (spec === 'l2') return [0, 0.01];
  if (spec === 'l1l2') return [0.01, 0.01];
  if (typeof spec !== 'object' || Array.isArray(spec) || typeof spec.l1 !== 'number' || typeof spec.l2 !== 'number') {
    throw new InvalidArgumentError(`${op}: ${field} must be 'l1', 'l2', 'l1l2' or regularizers.l1l2({...}), got ${show(spec)}`);
  }
  for (const k of Object.keys(spec)) {
    if (k !== 'l1' && k !== 'l2') throw new InvalidArgumentError(`${op}: ${field} has an unknown key '${k}' (a regularizer is { l1, l2 }), got ${show(spec)}`);
  }
  const r = make(`${op}: ${field}`, spec.l1, spec.l2);
  return [r.l1, r.l2];
}
