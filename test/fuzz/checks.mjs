/**
 * What the driver checks after every call: result values against the plain-JS reference,
 * thrown errors (a NeuriteError naming the operation, nothing else), and the canary and the
 * fixed computation that show memory was not corrupted.
 */

/** A disagreement with the reference; the driver reports it as a `wrong-result` failure. */
export class Mismatch extends Error {}

const f32 = Math.fround;

function fmt(v) {
  return Object.is(v, -0) ? '-0' : String(v);
}

/**
 * Compares `actual` (a tensor's data) with the reference `ref` ({ shape, vals, mag? }).
 * `exact`: the op is correctly rounded (element-wise IEEE ops, data movement), so the result
 * must be the float32 rounding of the float64 reference (−0 and +0 count as equal).
 * Otherwise the tolerance is 1e-5 + 1e-4·|e| + 1e-4·mag, where `mag` is the sum of the
 * magnitudes of the terms (so cancellation in a sum is allowed for). Elements whose terms
 * could overflow float32 (mag > 1e38) are skipped: their value depends on the order of
 * summation.
 * Throws a {@link Mismatch} naming the first differing element.
 */
export function compare(what, tensor, ref, exact) {
  const shape = tensor.shape;
  if (shape.length !== ref.shape.length || shape.some((d, i) => d !== ref.shape[i])) {
    throw new Mismatch(`${what}: shape [${shape}], reference [${ref.shape}]`);
  }
  const actual = tensor.dataSync();
  if (actual.length !== ref.vals.length) throw new Mismatch(`${what}: ${actual.length} values, reference ${ref.vals.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = f32(ref.vals[i]);
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) throw new Mismatch(`${what}: element ${i} is ${fmt(a)}, reference NaN`);
      continue;
    }
    const mag = ref.mag?.[i] ?? 0;
    if (!(mag <= 1e38)) continue;
    if (exact || !Number.isFinite(e)) {
      if (a !== e && !(Number.isNaN(a) && Number.isNaN(e))) throw new Mismatch(`${what}: element ${i} is ${fmt(a)}, reference ${fmt(e)}`);
      continue;
    }
    const tol = 1e-5 + 1e-4 * Math.abs(e) + 1e-4 * mag;
    if (!(Math.abs(a - e) <= tol)) throw new Mismatch(`${what}: element ${i} is ${fmt(a)}, reference ${fmt(ref.vals[i])} (tolerance ${tol.toExponential(1)})`);
  }
}

/** Checks only the shape of a result. */
export function compareShape(what, tensor, shape) {
  if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
    throw new Mismatch(`${what}: shape [${tensor.shape}], expected [${shape}]`);
  }
}

/**
 * Classifies a thrown error: `null` when it is acceptable (a NeuriteError whose message names
 * one of `names`, or the caller's own error passed through), else a failure class.
 */
export function classifyError(nr, err, names, passThrough) {
  if (passThrough !== undefined && (err === passThrough || err?.cause === passThrough)) return null;
  if (err instanceof nr.WasmPanicError) return 'trap';
  if (typeof WebAssembly !== 'undefined' && err instanceof WebAssembly.RuntimeError) return 'trap';
  if (!(err instanceof nr.NeuriteError)) return `raw ${err?.constructor?.name ?? typeof err}`;
  if (err.code === 'Internal') return 'internal-error';
  const msg = String(err.message);
  if (!names.some((n) => msg.includes(n))) return 'op-not-named';
  return null;
}

/** The bits of a Float32Array, for exact comparisons (NaN payloads and −0 included). */
export function bits(f32array) {
  return Array.from(new Uint32Array(f32array.buffer, f32array.byteOffset, f32array.length));
}

/** Canary values: specials, a subnormal, a large value; checked bit for bit after every call. */
export const CANARY = [1.5, -0, NaN, Infinity, -Infinity, 1e-40, 123456.789, -3.4e38, 0.1, 7];

/**
 * The fixed computation re-run after every call: a small matMul, a broadcast add, a sum and a
 * gelu, whose results at the start are checked against hand values and then must not change.
 */
export function fixedComputation(nr, inputs) {
  const [a, b, x] = inputs;
  return nr.tidy(() => {
    const m = nr.matMul(a, b).dataSync();
    const s = nr.add(a, nr.tensor([10, 20])).sum(1).dataSync();
    const g = nr.gelu(x).dataSync();
    return [...m, ...s, ...g];
  });
}

/** Makes the inputs of {@link fixedComputation}; the expected head is [17, 39, 33, 37]. */
export function fixedInputs(nr) {
  return [nr.tensor([[1, 2], [3, 4]]), nr.tensor([[5], [6]]), nr.tensor([-2, -0.5, 0, 0.5, 2])];
}
export const FIXED_HEAD = [17, 39, 33, 37];
