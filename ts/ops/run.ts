/** The common tail of an op: call the export, check the status, wrap the new handle. */
import { callOp } from '../engine.js';
import type { RawExports } from '../wasm/exports.js';
import { Tensor, wrapHandle } from '../tensor.js';

/**
 * Runs an export that writes one tensor handle to `out` and wraps the result. Temporary
 * tensors in `temps` are disposed afterwards, whatever happens.
 */
export function runOp(f: (e: RawExports, out: number) => number, temps?: ReadonlyArray<Tensor | null>): Tensor {
  try {
    return callOp(f, wrapHandle);
  } finally {
    if (temps) for (const t of temps) t?.dispose();
  }
}
