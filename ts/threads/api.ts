/**
 * The public thread functions: what runs (`threads()`), starting the workers now and waiting
 * for them (`threadsReady()`), and stopping it all (`shutdown()`).
 */
import { shutdown as stop, threadsInfo, workersReady, type ThreadsInfo } from '../engine.js';
import { initPending, initSettled, noteShutdown } from '../init.js';

export type { ThreadsInfo };

/**
 * The threads in use: `count` (the calling thread plus the workers that joined), `requested`
 * (the `threads` option or its default), `reason` when `count` is lower (for example a page
 * that is not cross-origin isolated, or a build without threads), and whether the
 * relaxed-SIMD module runs (`relaxedSimd`, and `relaxedReason` when it was asked for but not
 * available). `count` is 0 before `init`.
 *
 * @example
 * await init({ threads: 2 });
 * threads().count; // 2 where workers can share memory, else 1 (and `reason` says why)
 */
export function threads(): ThreadsInfo {
  return threadsInfo();
}

/**
 * Starts the workers now if they have not started (the default `init()` leaves them for the
 * first call large enough to split), and resolves with {@link threads} once every worker
 * joined, or failed to start (then one thread runs and `reason` says why; it never rejects for
 * that). Waits for an `init` in progress first; rejects with a `NeuriteError`
 * (`NotInitialized`) when neurite is not initialised. Not needed for correctness: results are
 * the same bits whenever the workers join. For a benchmark, or to pay the start-up before a
 * server takes requests.
 *
 * @example
 * await init();
 * threads().count;              // 1: no call large enough to split has run yet
 * (await threadsReady()).count; // 2 on a 2-core machine
 */
export async function threadsReady(): Promise<ThreadsInfo> {
  // An init({ threads }) made meanwhile replaces the pool waited for: wait for its pool then.
  do {
    await initSettled();
    await workersReady();
  } while (initPending());
  return threadsInfo();
}

/**
 * Terminates the workers and drops the WebAssembly instance with everything in it (tensors,
 * models). `init()` starts afresh. A script does not need it to exit: workers never keep Node
 * or Deno alive.
 */
export function shutdown(): void {
  noteShutdown();
  stop();
}
