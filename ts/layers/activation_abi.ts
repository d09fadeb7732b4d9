/** How a layer's `activation` option crosses the ABI: `[kind, n, params…]`. */
import { encodeActivation } from '../activations.js';

export type { ActivationSpec } from '../wasm/codes.js';

/** @internal Validates `spec` (a name or `{ name, ...params }`) and encodes it. */
export function activationAbi(op: string, spec: unknown): number[] {
  const a = encodeActivation(op, spec);
  return [a.kind, a.params.length, ...a.params];
}
