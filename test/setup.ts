/** Shared test helpers: init once per file, a leak check, what a call threw, closeness. */
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { init, InvalidArgumentError, memory } from '../ts/index.js';
import { holdFinalizer } from '../ts/scope.js';

await init();
// What a test forgets is freed by the finalizer at some later GC, which may run between two
// awaits of another test and move the live counts it compares (the CI of 7d8fb6d failed so).
// Held here, forgotten objects stay counted until the file ends; the files that test the
// finalizer itself turn this off (holdFinalizer(false)).
holdFinalizer(true);

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

/** A `Type` array whose buffer has been transferred (detached): it reads as empty, as after `postMessage(m, [buffer])`. */
export function detached<T>(Type: new (b: ArrayBuffer) => T, bytes = 128): T {
  const buffer = new ArrayBuffer(bytes);
  const view = new Type(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return view;
}

/** What `f` threw, checked to be an InvalidArgumentError; its message. */
export function invalidMessage(f: () => unknown): string {
  const e = thrown(f);
  expect(e, 'expected an InvalidArgumentError').toBeInstanceOf(InvalidArgumentError);
  return (e as Error).message;
}

/** Makes every test of the calling file fail when it leaves tensors alive. */
export function failTestsThatLeak(): void {
  let before = 0;
  beforeEach(() => {
    before = memory().numTensors;
  });
  afterEach(() => {
    expect(memory().numTensors, 'tensors left alive by the test').toBe(before);
  });
}

/** What `f` threw, as `Name: message`, checking it left no tensor alive (`'undefined'` if it did not throw). */
export function errorText(f: () => unknown): string {
  const before = memory().numTensors;
  const e = thrown(f);
  expect(memory().numTensors, 'tensors left by a failing call').toBe(before);
  return String(e);
}

/**
 * What the Promise `p()` rejected with, as `Name: message`, checking it left no tensor alive;
 * `'resolved'` if it did not reject, and a synchronous throw is reported as such.
 */
export async function rejectionText(p: () => Promise<unknown>): Promise<string> {
  const before = memory().numTensors;
  let promise: Promise<unknown>;
  try {
    promise = p();
  } catch (e) {
    return `threw synchronously: ${String(e)}`;
  }
  try {
    await promise;
  } catch (e) {
    expect(memory().numTensors, 'tensors left by a failing call').toBe(before);
    return String(e);
  }
  return 'resolved';
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

/** What `f` wrote to `process.stdout` (a progress bar, a summary) while it ran; nothing reaches the terminal. */
export async function captureStdout(f: () => unknown): Promise<string> {
  let text = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    text += String(s);
    return true;
  });
  try {
    await f();
  } finally {
    spy.mockRestore();
  }
  return text;
}
