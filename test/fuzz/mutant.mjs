/**
 * The built library with planted defects, one per failure class the fuzzer must catch. The
 * self-test in test/fuzz.test.ts runs the fuzzer against it and expects every class reported,
 * so the fuzzer itself is tested even once the real library has no known defect.
 */
import * as real from '../../dist/index.js';

export * from '../../dist/index.js';

/** wrong-result: a silent error in the last element when both inputs have more than 8 elements. */
export function sub(a, b) {
  const r = real.sub(a, b);
  if (!(a instanceof real.Tensor && b instanceof real.Tensor) || r.size <= 8) return r;
  const v = r.dataSync();
  v[v.length - 1] += 1;
  r.dispose();
  return real.tensor(v, r.shape);
}

/** leak: an intermediate that is never disposed. */
export function neg(x) {
  real.abs(x);
  return real.neg(x);
}

/** raw error: a TypeError for rank-3 inputs. */
export function transpose(x, perm) {
  if (x?.rank === 3) return null.shape;
  return real.transpose(x, perm);
}

/** disposed-input: disposes the caller's tensor. */
export function expandDims(x, axis) {
  const r = real.expandDims(x, axis);
  if (x instanceof real.Tensor) x.dispose();
  return r;
}

/** accepted-invalid: an out-of-range axis is wrapped instead of rejected. */
export function argMin(x, axis = 0) {
  return typeof axis === 'number' && x?.rank > 0 && (axis >= x.rank || axis < -x.rank) ? real.argMin(x, 0) : real.argMin(x, axis);
}

/** op-not-named: an error (for rank-2 inputs) whose message names another op. */
export function floor(x) {
  if (x?.rank === 2) throw new real.InvalidArgumentError(`something: x has shape [${x.shape}]`);
  return real.floor(x);
}

let memoryCalls = 0;
/** hang: with NEURITE_FUZZ_MUTANT_HANG set in the worker, memory() blocks forever after 60 calls. */
export function memory() {
  if (globalThis.process?.env?.NEURITE_FUZZ_MUTANT_HANG && ++memoryCalls > 60) for (;;);
  return real.memory();
}
