/** How a layer's `activation` option crosses the ABI: `[kind, n, params…]`. */
import { checkActivationParams, encodeActivation } from '../activations.js';

export type { ActivationSpec } from '../wasm/codes.js';

/** @internal Validates `spec` (a name or `{ name, ...params }`) and encodes it. */
export function activationAbi(op: string, spec: unknown): number[] {
  const a = encodeActivation(op, spec);
  return [a.kind, a.params.length, ...a.params];
}

/**
 * @internal {@link activationAbi} for a layer's `activation` option: the parameters' ranges are
 * checked too (the core's rules), so that a bad one is refused when the layer is made, naming
 * the layer and the option (`dense: activation: cappedRelu: maxValue must be …`), not at compile.
 */
export function layerActivationAbi(op: string, spec: unknown): number[] {
  const a = encodeActivation(op, spec);
  checkActivationParams(op, a);
  return [a.kind, a.params.length, ...a.params];
}
