/**
 * The JS half of the thread pool: starting workers (Node/Deno `worker_threads`, browser module
 * Workers), waiting until they joined the core's pool, and tearing them down. The Rust half
 * (`crates/core/src/parallel`) splits the kernels; the calling thread takes part in every job
 * and spins while workers finish theirs, the workers sleep in `memory.atomic.wait32`.
 * Internal: not part of the public API.
 */
import { hostTimers, nodeBuiltin } from '../runtime.js';
import type { WorkerReport, WorkerStart } from './worker.js';
import type { WebAssemblyGlobal, WebAssemblyMemory, WebAssemblyModule, WebWorker } from '../web-types.js';

/** A started worker, whatever the runtime. */
export interface WorkerHandle {
  post(m: WorkerStart): void;
  /**
   * Reports from the worker; `error` for a worker that failed to load or died (a Node/Deno
   * worker that exited: terminated from outside, out of memory under `resourceLimits`).
   */
  listen(onReport: (r: WorkerReport) => void, onError: (message: string) => void): void;
  terminate(): void;
}

/** Starts one worker (synchronously: the pool is rebuilt inside a failed call). */
export type Spawner = () => WorkerHandle;

/** The exports the pool needs from the main instance. */
export interface PoolExports {
  nr_alloc(bytes: number, align: number): number;
  nr_threads_configure(workers: number): number;
  nr_threads_joined(): number;
  nr_threads_stop(): number;
  nr_threads_fault_ptr(): number;
  __tls_size: WebAssemblyGlobal;
  __tls_align: WebAssemblyGlobal;
}

const STACK_BYTES = 1 << 20;
/** How long `ready` waits for every worker to join before giving up on threads. */
const JOIN_TIMEOUT_MS = 30_000;

/** Every pool not yet terminated (tests count them: nothing may leak). */
const live = new Set<Pool>();

/** Workers of all live pools (tests count them). */
export function liveWorkers(): number {
  let n = 0;
  for (const p of live) n += p.size;
  return n;
}

/** A worker's stack and thread-local block in the shared memory (reused by a later pool, see {@link Pool.stop}). */
export interface WorkerBlocks {
  stack: number;
  tls: number;
}

export class Pool {
  readonly #workers: WorkerHandle[] = [];
  /** Each worker's stack and TLS block. */
  readonly blocks: WorkerBlocks[] = [];
  /** Workers that returned from `nr_worker_main` (after `nr_threads_stop`). */
  #exited = 0;
  #failure: string | null = null;
  #terminated = false;
  #joined = false;
  #wake: (() => void) | null = null;
  /** Resolves when every worker joined; rejects (with the reason) if one failed or the wait timed out. */
  readonly ready: Promise<void>;

  /**
   * Configures the core for `workers` helpers and starts them on `memory`. Does not wait:
   * until they join, jobs run on the calling thread alone (the core counts joined workers).
   * Stacks and TLS blocks come from `spare` (those of an earlier pool on this memory whose
   * workers all exited) before new ones are allocated. `onLost` hears of a worker that died
   * (failed or exited on its own), with which and how.
   */
  constructor(module: WebAssemblyModule, memory: WebAssemblyMemory, e: PoolExports, workers: number, spawn: Spawner, onLost: (message: string) => void, spare: WorkerBlocks[] = []) {
    live.add(this);
    const status = e.nr_threads_configure(workers);
    if (status !== 0) throw new Error(`nr_threads_configure(${workers}) failed with status ${status}`);
    const faultPtr = e.nr_threads_fault_ptr();
    const tlsSize = Math.max(Number(e.__tls_size.value), 1);
    const tlsAlign = Math.max(Number(e.__tls_align.value), 1);
    try {
      for (let index = 0; index < workers; index++) {
        const { stack, tls } = spare.pop() ?? { stack: e.nr_alloc(STACK_BYTES, 16) >>> 0, tls: e.nr_alloc(tlsSize, tlsAlign) >>> 0 };
        if (stack === 0 || tls === 0) throw new Error('out of memory allocating a worker stack');
        this.blocks.push({ stack, tls });
        const w = spawn();
        this.#workers.push(w);
        let left = false;
        w.listen(
          (r) => {
            if (r.type === 'exit') {
              left = true;
              this.#exited++;
              this.#wake?.();
            }
            // A trap fails the call it happened in (the fault word), whose instance is replaced.
            if (r.type === 'fault') this.#fail(`worker ${r.index} trapped: ${r.message}`);
          },
          (message) => {
            // A worker that left the pool, or one this pool terminated, may end as it likes.
            if (left || this.#terminated) return;
            const why = `worker ${index} failed: ${message}`;
            this.#fail(why);
            // A worker that died while it held a task would never finish it: raise the fault
            // word so the calling thread stops waiting.
            try {
              const words = new Int32Array(memory.buffer);
              Atomics.store(words, faultPtr >>> 2, 1);
            } catch { /* memory gone */ }
            onLost(why);
          },
        );
        w.post({ type: 'start', module, memory, stackTop: stack + STACK_BYTES, tls, index, faultPtr });
      }
    } catch (err) {
      this.terminate(e);
      throw err;
    }
    this.ready = this.#join(e, workers);
    this.ready.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
  }

  /** Whether every worker joined ({@link Pool.ready} resolved). */
  get joined(): boolean {
    return this.#joined;
  }

  /** Workers started (and not terminated). */
  get size(): number {
    return this.#terminated ? 0 : this.#workers.length;
  }

  #fail(reason: string): void {
    this.#failure ??= reason;
    this.#wake?.();
  }

  async #join(e: PoolExports, workers: number): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      if (this.#terminated) throw new Error('the pool was shut down while its workers were starting');
      if (this.#failure) throw new Error(this.#failure);
      if (e.nr_threads_joined() >= workers) {
        this.#joined = true;
        return;
      }
      if (Date.now() - t0 > JOIN_TIMEOUT_MS) throw new Error(`only ${e.nr_threads_joined()} of ${workers} workers started within ${JOIN_TIMEOUT_MS / 1000} s`);
      await new Promise<void>((r) => {
        this.#wake = r;
        hostTimers.setTimeout(r, 2);
      });
      this.#wake = null;
    }
  }

  /**
   * Stops the workers and waits (at most `timeoutMs`) until each returned from
   * `nr_worker_main`, so that their stacks are no longer in use, then terminates them. Whether
   * all of them did: only then may {@link Pool.blocks} go to a new pool on the same memory.
   */
  async stop(e: { nr_threads_stop(): number }, timeoutMs = 2000): Promise<boolean> {
    if (this.#terminated) return false;
    try { e.nr_threads_stop(); } catch { /* trapped instance */ }
    const t0 = Date.now();
    while (this.#exited < this.#workers.length && !this.#failure && Date.now() - t0 < timeoutMs) {
      await new Promise<void>((r) => {
        this.#wake = r;
        hostTimers.setTimeout(r, 2);
      });
      this.#wake = null;
    }
    const clean = this.#exited === this.#workers.length && !this.#failure;
    this.terminate(e);
    return clean;
  }

  /** Stops the workers (they return from `nr_worker_main`) and terminates them. Idempotent. */
  terminate(e?: { nr_threads_stop(): number }): void {
    if (this.#terminated) return;
    this.#terminated = true;
    live.delete(this);
    try { e?.nr_threads_stop(); } catch { /* trapped instance: termination below is enough */ }
    for (const w of this.#workers) {
      try { w.terminate(); } catch { /* already gone */ }
    }
    this.#wake?.();
  }
}

/** `node:worker_threads`' Worker, as much of it as the spawners use. */
interface NodeWorker {
  postMessage(m: unknown): void;
  on(ev: 'message' | 'error' | 'exit', f: (d: unknown) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}
type NodeWorkerCtor = new (src: string, opts: { eval: boolean; execArgv: string[]; env: Record<string, string> }) => NodeWorker;

/** `node:worker_threads`' Worker (Node and Deno). */
export async function nodeWorkerCtor(): Promise<NodeWorkerCtor> {
  return ((await nodeBuiltin('worker_threads')) as { Worker: NodeWorkerCtor }).Worker;
}

/**
 * A spawner over `worker_threads` (Node, Deno): an `eval` worker from the source text `code`.
 * Workers are unref'd, so they never keep the process alive.
 */
export function nodeSpawner(Ctor: NodeWorkerCtor, code: string): Spawner {
  return () => {
    // No execArgv: the worker needs no Node options, and some the main process was started
    // with break a worker (`--input-type` fails it). V8 flags are per process anyway.
    // An empty env: the worker reads none, and copying the process's (the default) makes Deno
    // ask for env access at the first init() in a terminal.
    const w = new Ctor(code, { eval: true, execArgv: [], env: {} });
    w.unref();
    return {
      post: (m) => w.postMessage(m),
      listen(onReport, onError) {
        w.on('message', (d) => onReport(d as WorkerReport));
        w.on('error', (err) => onError(String((err as Error)?.message ?? err)));
        w.on('exit', (code) => onError(`exited (code ${String(code)})`));
        // A 'message' listener refs the worker's port again: unref after adding it.
        w.unref();
      },
      terminate: () => void w.terminate(),
    };
  };
}

/** A spawner over browser (module) Workers; `make` creates one, `source` says where its script came from. */
export function webSpawner(make: () => WebWorker, source: () => string = () => ''): Spawner {
  return () => {
    const w = make();
    return {
      post: (m) => w.postMessage(m),
      listen(onReport, onError) {
        w.addEventListener('message', (ev) => onReport(ev.data as WorkerReport));
        w.addEventListener('error', (ev) => {
          ev.preventDefault?.();
          onError(ev.message || `the worker script failed to load${source() ? ` (${source()})` : ''}`);
        });
      },
      terminate: () => w.terminate(),
    };
  };
}
