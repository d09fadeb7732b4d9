/**
 * Weight and activity regularizers: `l1`, `l2`, `l1l2` (Keras names and defaults 0.01).
 * Penalty `l1·Σ|w| + l2·Σw²`. Mirrors `crates/core/src/regularizers.rs`.
 */
import { InvalidArgumentError } from '../errors.js';

export interface Regularizer {
  readonly l1: number;
  readonly l2: number;
}
export type RegularizerSpec = Regularizer | 'l1' | 'l2' | 'l1l2';

function make(l1: number, l2: number): Regularizer {
  for (const [k, v] of [['l1', l1], ['l2', l2]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InvalidArgumentError(`regularizer: ${k} must be a finite number >= 0, got ${v}`);
  }
  return { l1, l2 };
}

/** Regularizer factories, as `tf.regularizers`. */
export const regularizers = {
  l1: ({ l1 = 0.01 }: { l1?: number } = {}) => make(l1, 0),
  l2: ({ l2 = 0.01 }: { l2?: number } = {}) => make(0, l2),
  l1l2: ({ l1 = 0.01, l2 = 0.01 }: { l1?: number; l2?: number } = {}) => make(l1, l2),
};

/** @internal `[l1, l2]` for the ABI (zeros when absent). */
export function regularizerAbi(op: string, spec: RegularizerSpec | undefined | null): number[] {
  if (spec == null) return [0, 0];
  if (spec === 'l1') return [0.01, 0];
  if (spec === 'l2') return [0, 0.01];
  if (spec === 'l1l2') return [0.01, 0.01];
  if (typeof spec !== 'object' || typeof spec.l1 !== 'number' || typeof spec.l2 !== 'number') {
    throw new InvalidArgumentError(`${op}: a regularizer must be 'l1', 'l2', 'l1l2' or regularizers.l1l2({...}), got ${JSON.stringify(spec)}`);
  }
  const r = make(spec.l1, spec.l2);
  return [r.l1, r.l2];
}
