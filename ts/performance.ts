/**
 * TF.js's performance utilities, for code ported from TF.js: `time(f)` (how long `f` takes),
 * `profile(f)` (the tensors and bytes `f` leaves) and `nextFrame()` (yield to the browser).
 * neurite runs every op synchronously on its WebAssembly core, so there is no GPU queue to wait
 * for and no per-kernel record: the numbers come from the clock and from {@link memory}.
 */
import { InvalidArgumentError } from './errors.js';
import { describe } from './ops/convert.js';
import { memory } from './scope.js';
import { isEdge, isThenable } from './runtime.js';

/** What {@link time} resolves with (TF.js's `TimingInfo` on its CPU backend). */
export interface TimingInfo {
  /** Milliseconds from calling `f` until it (and the Promise it returned, if any) finished. */
  wallMs: number;
  /** The same as `wallMs`: neurite's kernels run synchronously inside `f`, with no transfer to wait for. */
  kernelMs: number;
}

/** One kernel's record in TF.js's `ProfileInfo.kernels` (the type only: neurite's list is empty). */
export interface KernelInfo {
  name: string;
  bytesAdded: number;
  totalBytesSnapshot: number;
  tensorsAdded: number;
  totalTensorsSnapshot: number;
  inputShapes: number[][];
  outputShapes: number[][];
  kernelTimeMs: number | { error: string };
  extraInfo: string;
}

/** What {@link profile} resolves with (TF.js's `ProfileInfo`). */
export interface ProfileInfo<T = unknown> {
  /** Bytes of tensor values and model state that `f` left allocated (negative when it freed more than it made). */
  newBytes: number;
  /** Tensors that `f` left alive (negative when it disposed more than it made). */
  newTensors: number;
  /** The most bytes in use seen while profiling: before `f`, when it returned, and when its Promise settled. */
  peakBytes: number;
  /** Always empty: neurite keeps no per-kernel record. */
  kernels: KernelInfo[];
  /** Always empty, as `kernels`. */
  kernelNames: string[];
  /** What `f` returned (awaited when it is a Promise). */
  result: T;
}

/** @internal Milliseconds from a monotonic clock where there is one (`util.now`). */
export function now(): number {
  return typeof performance !== 'undefined' && typeof performance.now === 'function' ? performance.now() : Date.now();
}

/** The bytes TF.js's `numBytes` would count: tensor values and model state (its variables). */
function bytesInUse(): number {
  const m = memory();
  return m.numBytes + m.modelBytes;
}

/**
 * Runs `f` and resolves with how long it took, as TF.js `tf.time(f)`: `{ wallMs, kernelMs }`.
 * `kernelMs` equals `wallMs` here (every op runs synchronously inside `f`; TF.js's CPU backend
 * times the same call). What `f` returns is not kept: dispose any tensor it makes inside `f`.
 *
 * Difference from TF.js 4.22: when `f` returns a Promise, it is awaited and included (TF.js
 * times only the synchronous part).
 *
 * @example
 * const x = randomNormal([200, 200]);
 * const { wallMs } = await time(() => x.matMul(x).dispose());
 * @throws (the Promise rejects with) {@link InvalidArgumentError} when `f` is not a function,
 *   or with what `f` threw.
 */
export async function time(f: () => unknown): Promise<TimingInfo> {
  if (typeof f !== 'function') throw new InvalidArgumentError(`time: f must be a function, got ${describe(f)}`);
  const start = now();
  const r = f();
  if (isThenable(r)) await r;
  const wallMs = now() - start;
  return { wallMs, kernelMs: wallMs };
}

/**
 * Runs `f` (which may return a Promise) and resolves with its memory use, as TF.js
 * `tf.profile(f)`: `newTensors` and `newBytes` (what `f` left alive: its result, and anything it
 * did not dispose), `peakBytes`, and `result` (what `f` returned). Bytes count tensor values and
 * model state (weights, optimizer state: `memory().numBytes + memory().modelBytes`), as TF.js
 * counts its tensors and variables.
 *
 * Differences from TF.js 4.22: `kernels` and `kernelNames` are empty (neurite records no
 * kernels), and `peakBytes` is the most seen before `f`, when it returned and when its Promise
 * settled — a peak inside `f` that is freed before it returns is not seen (TF.js samples after
 * every kernel, and gives -Infinity when `f` runs none).
 *
 * @example
 * const info = await profile(() => tensor([1, 2, 3]).square());
 * info.newTensors;  // 2 (the tensor and its square are left alive)
 * dispose(info.result);
 * @throws (the Promise rejects with) {@link InvalidArgumentError} when `f` is not a function,
 *   or with what `f` threw.
 */
export async function profile<T>(f: () => T | Promise<T>): Promise<ProfileInfo<T>> {
  if (typeof f !== 'function') throw new InvalidArgumentError(`profile: f must be a function, got ${describe(f)}`);
  const startTensors = memory().numTensors;
  const startBytes = bytesInUse();
  let peak = startBytes;
  const r = f();
  peak = Math.max(peak, bytesInUse());
  const result = isThenable(r) ? await r : r;
  const endBytes = bytesInUse();
  peak = Math.max(peak, endBytes);
  return { newBytes: endBytes - startBytes, newTensors: memory().numTensors - startTensors, peakBytes: peak, kernels: [], kernelNames: [], result };
}

/**
 * A Promise that resolves on the next animation frame, as TF.js `tf.nextFrame()`: through
 * `requestAnimationFrame` where there is one (browsers), else `setImmediate` (Node, as TF.js),
 * else `setTimeout(0)` (TF.js resolves at once there). Lets a long loop of synchronous work
 * yield, so the page can repaint.
 *
 * @example
 * for (let i = 0; i < 100; i++) { step(); await nextFrame(); }
 */
export function nextFrame(): Promise<void> {
  const g = globalThis as { requestAnimationFrame?: (f: () => void) => unknown; setImmediate?: (f: () => void) => unknown };
  return new Promise<void>((resolve) => {
    if (typeof g.requestAnimationFrame === 'function') g.requestAnimationFrame(() => resolve());
    else if (typeof g.setImmediate === 'function' && !isEdge) g.setImmediate(() => resolve());
    else setTimeout(resolve, 0);
  });
}
