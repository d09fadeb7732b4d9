/** The public thread functions: what runs (`threads()`) and stopping it all (`shutdown()`). */
import { shutdown as stop, threadsInfo, type ThreadsInfo } from '../engine.js';

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
 * Terminates the workers and drops the WebAssembly instance with everything in it (tensors,
 * models). `init()` starts afresh. A script does not need it to exit: workers never keep Node
 * or Deno alive.
 */
export function shutdown(): void {
  stop();
}
