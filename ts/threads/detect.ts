/**
 * What the runtime offers for threads and relaxed SIMD.
 * Internal: not part of the public API.
 */

/** The default of `init({ threads })` never exceeds this (an explicit `threads` may, up to {@link MAX_THREADS}). */
export const DEFAULT_THREADS_CAP = 8;
/** The most threads `init` accepts: the calling thread + 64 workers (the core's pool limit). */
export const MAX_THREADS = 65;

import { isDeno, isNode, nodeBuiltin } from '../runtime.js';

type G = {
  navigator?: { hardwareConcurrency?: number };
  crossOriginIsolated?: boolean;
  Worker?: unknown;
  SharedArrayBuffer?: unknown;
};
const g = globalThis as unknown as G;

/** Node and Deno run workers through `node:worker_threads` (unref'd, so a script still exits). */
export const hasWorkerThreads = isDeno || isNode;

/** The number of cores the runtime reports (1 if it reports none). */
export async function reportedCores(): Promise<number> {
  if (isNode) {
    const os = (await nodeBuiltin('os')) as { availableParallelism?: () => number; cpus(): unknown[] };
    return os.availableParallelism?.() ?? os.cpus().length ?? 1;
  }
  const n = g.navigator?.hardwareConcurrency;
  return typeof n === 'number' && n >= 1 ? Math.floor(n) : 1;
}

/**
 * Why workers cannot share memory here, or `null` if they can. Browsers need a
 * cross-origin-isolated page (COOP `same-origin` + COEP `require-corp` or `credentialless`),
 * and some (WebKitGTK) do not share memory with workers even then: no `SharedArrayBuffer`.
 */
export function workersUnavailable(): string | null {
  if (hasWorkerThreads) return null;
  if (typeof g.Worker === 'undefined') return 'this runtime has no Worker';
  if (g.crossOriginIsolated !== true) {
    // Browsers ignore COOP on an insecure origin (http:// other than localhost), headers or not.
    if ((g as { isSecureContext?: boolean }).isSecureContext === false) {
      return 'the page is not cross-origin isolated because it is not a secure context (http:// from an address other than localhost, where browsers ignore Cross-Origin-Opener-Policy), so its workers cannot share memory: serve it over https, or open it as http://localhost, with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (or init({ threads: 1 }) to run on one thread without this notice)';
    }
    return 'the page is not cross-origin isolated, so its workers cannot share memory (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, or init({ threads: 1 }) to run on one thread without this notice)';
  }
  if (typeof g.SharedArrayBuffer === 'undefined') {
    return 'this browser does not let workers share memory (it has no SharedArrayBuffer, although the page is cross-origin isolated)';
  }
  return null;
}

// (func (result v128) v128.const 0 v128.const 0 v128.const 0 f32x4.relaxed_madd), TOOLCHAIN.md §5.
const RELAXED_PROBE = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0, 253, 12, ...new Array<number>(16).fill(0), 253, 12, ...new Array<number>(16).fill(0), 253, 12, ...new Array<number>(16).fill(0), 253, 133, 2, 11];

/** Whether the runtime validates relaxed-SIMD code (Chromium, Firefox, Deno; Node 20 only with `--experimental-wasm-relaxed-simd`). */
export function hasRelaxedSimd(): boolean {
  try {
    return WebAssembly.validate(new Uint8Array(RELAXED_PROBE));
  } catch {
    return false;
  }
}

/** Whether `mod` is the threaded build (it imports its memory, shared). */
export function isThreadedModule(mod: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(mod).some((i) => i.module === 'env' && i.name === 'memory' && i.kind === 'memory');
}
