/**
 * The body of a pool worker, the same in every runtime and both entries. It must stay
 * self-contained (no imports, no outer names): the default entry starts it from its source
 * text (`String(workerMain)`, in a Blob URL or Node's `eval` worker), and `neurite/url` ships it
 * as `dist/url/worker.js` (see `worker-entry.ts`).
 *
 * Protocol: the main thread posts one {@link WorkerStart}; the worker instantiates the shared
 * module on the shared memory, sets its own stack pointer and TLS block, posts `started`, and
 * calls `nr_worker_main(index)`, which blocks (memory.atomic.wait32) between jobs and returns
 * after `nr_threads_stop()`. If the instance traps, the worker stores 1 in the pool's fault word
 * and notifies it, so the calling thread's wait ends in a panic (WasmPanicError) instead of a
 * hang, then posts `fault`.
 * Internal: not part of the public API.
 */
// A type-only import (erased): the body itself names nothing outside it.
import type { WebAssemblyMemory, WebAssemblyModule } from '../web-types.js';

/** The message that starts a worker. */
export interface WorkerStart {
  type: 'start';
  module: WebAssemblyModule;
  memory: WebAssemblyMemory;
  /** Top of this worker's 1 MiB stack (from `nr_alloc` on the main instance). */
  stackTop: number;
  /** This worker's TLS block (from `nr_alloc(__tls_size, __tls_align)`). */
  tls: number;
  /** Worker index, `0 .. workers - 1`. */
  index: number;
  /** Address of the pool's fault word (`nr_threads_fault_ptr()`). */
  faultPtr: number;
}

/** What a worker reports. */
export type WorkerReport =
  | { type: 'started'; index: number }
  | { type: 'exit'; index: number; status: number }
  | { type: 'fault'; index: number; message: string };

/**
 * The built `dist/url/worker.js` as a string, put in by the bundle's build (rollup.config.js):
 * a user's bundler leaves a string alone, where it rewrites a function's code (esbuild's
 * keepNames adds `__name(fn, 'name')` calls inside it, and with minify names that helper `l`,
 * neither of which exists in the worker). Undefined when the sources run unbundled (tests).
 */
declare const __NEURITE_WORKER_SCRIPT__: string | undefined;

/**
 * The worker's source text for the entries that start it from text: the built worker script,
 * or unbundled, {@link workerText} of {@link workerMain}.
 */
export function workerSource(): string {
  return typeof __NEURITE_WORKER_SCRIPT__ === 'string' ? __NEURITE_WORKER_SCRIPT__ : workerText(String(workerMain));
}

/**
 * @internal A worker script from a function's text: the function called, after a `__name` that
 * returns its function (tsx's loader runs esbuild with keepNames on the sources, which calls
 * `__name(fn, 'name')` inside it).
 */
export function workerText(text: string): string {
  return `var __name=(f)=>f;(${text})()`;
}

/** Runs in the worker. Self-contained: see the file comment. */
export async function workerMain(): Promise<void> {
  type Port = { postMessage(m: unknown): void; on?(ev: string, f: (d: unknown) => void): void };
  type WT = { parentPort: Port | null };
  const g = globalThis as unknown as {
    Deno?: unknown;
    process?: { versions?: { node?: string }; getBuiltinModule?: (n: string) => unknown };
    postMessage?: (m: unknown) => void;
    addEventListener?: (ev: string, f: (e: { data: unknown }) => void) => void;
  };
  let post: (m: unknown) => void;
  let listen: (f: (d: unknown) => void) => void;
  let port: Port | null = null;
  if (g.Deno !== undefined || g.process?.versions?.node) {
    // Node and Deno run pool workers with worker_threads (an `eval` worker, or the ESM
    // worker.js). getBuiltinModule (Node ≥ 20.16, Deno) first: an import() here would be
    // rewritten by some tools that transform this function's source; the name is hidden from bundlers.
    const name = 'node:worker_threads';
    const wt = (g.process?.getBuiltinModule?.(name) ?? (await import(/* webpackIgnore: true */ /* @vite-ignore */ name))) as WT;
    port = wt.parentPort;
  }
  if (port) {
    const p = port;
    post = (m) => p.postMessage(m);
    listen = (f) => p.on!('message', f);
  } else {
    post = (m) => g.postMessage!(m);
    listen = (f) => g.addEventListener!('message', (e) => f(e.data));
  }
  const fault = (d: { memory: WebAssembly.Memory; faultPtr: number; index: number }, err: unknown) => {
    try {
      const words = new Int32Array(d.memory.buffer);
      Atomics.store(words, d.faultPtr >>> 2, 1);
      Atomics.notify(words, d.faultPtr >>> 2);
    } catch { /* the memory is gone: the pool is being torn down */ }
    post({ type: 'fault', index: d.index, message: String((err as Error)?.message ?? err) });
  };
  let started = false;
  listen(async (data) => {
    const d = data as { type?: string; module: WebAssembly.Module; memory: WebAssembly.Memory; stackTop: number; tls: number; index: number; faultPtr: number };
    if (!d || d.type !== 'start' || started) return;
    started = true;
    type E = { __stack_pointer: WebAssembly.Global; __wasm_init_tls(p: number): void; nr_worker_main(i: number): number };
    let e: E;
    try {
      const inst = await WebAssembly.instantiate(d.module, { env: { memory: d.memory } });
      e = inst.exports as unknown as E;
      e.__stack_pointer.value = d.stackTop;
      e.__wasm_init_tls(d.tls);
    } catch (err) {
      fault(d, err);
      return;
    }
    post({ type: 'started', index: d.index });
    try {
      const status = e.nr_worker_main(d.index);
      post({ type: 'exit', index: d.index, status });
    } catch (err) {
      fault(d, err);
    }
  });
}
