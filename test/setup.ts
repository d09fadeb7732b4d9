/** Shared test helpers: init once per file, a leak check, what a call threw, closeness. */
import { expect } from 'vitest';
import { init, memory } from '../ts/index.js';

await init();

/** Runs `fn` and asserts that it leaves no live tensors behind. */
export function expectNoLeak<T>(fn: () => T): T {
  const before = memory().numTensors;
  const r = fn();
  expect(memory().numTensors).toBe(before);
  return r;
}

/** What `f` threw (`undefined` if it returned). */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** Asserts `actual` ≈ `expected` element-wise with |a-e| <= atol + rtol·|e| (NaN matches NaN). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) throw new Error(`index ${i}: expected NaN, got ${a}`);
      continue;
    }
    if (!Number.isFinite(e)) {
      if (a !== e) throw new Error(`index ${i}: expected ${e}, got ${a}`);
      continue;
    }
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`index ${i}: expected ${e}, got ${a} (diff ${Math.abs(a - e)}, tol ${atol + rtol * Math.abs(e)})`);
    }
  }
}
