/**
 * The engine: the one live WebAssembly instance, the call guard that turns statuses and traps
 * into errors, and helpers to pass small arguments through the scratch area.
 * Internal: not part of the public API.
 */
import { DisposedError, errorFromStatus, InvalidArgumentError, isNodeDenial, NeuriteError, OutOfMemoryError, WasmPanicError } from './errors.js';
import type { RawExports } from './wasm/exports.js';
import { otherCopyInitialised, uninitialisedCopy } from './brand.js';
import { isDeno } from './runtime.js';
import { isThreadedModule } from './threads/detect.js';
import { Pool, type PoolExports, type Spawner, type WorkerBlocks } from './threads/pool.js';
import type { WebAssemblyModule } from './web-types.js';

/**
 * Whether the last instance ended by `shutdown()` and no init has made another since: a call
 * then (an op awaited across the shutdown, a loadModel that was reading its files) says so.
 */
let shutDown = false;

/**
 * The error of a call made while no instance runs: before `init()` (naming another copy that
 * was initialised instead), or after `shutdown()`.
 */
function notInitialised(): NeuriteError {
  // A call after an init() that failed (one whose promise was not awaited, say) names that failure.
  const failed = initFailure === null ? '' : `, and the init() after that failed (${initFailure})`;
  if (shutDown) return new NeuriteError('NotInitialized', `neurite was shut down (shutdown() was called)${failed}; call \`await init()\` again to start it`);
  if (initFailure !== null) return new NeuriteError('NotInitialized', `neurite is not initialised: init() failed (${initFailure}); call \`await init()\` again once that is fixed`);
  return new NeuriteError('NotInitialized', `neurite is not initialised: call \`await init()\` first (or TF.js's \`await ready()\`, the same)${otherCopyInitialised()}`);
}

/** The message of the last init() that failed while no instance ran, until an instance runs or shutdown(). */
let initFailure: string | null = null;

/** @internal Records that an init() failed (`message`) while no instance ran, for the calls after it. */
export function initFailed(message: string): void {
  if (!current) initFailure = message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

interface Instance {
  readonly exports: RawExports;
  /** Increments each time an instance is created; tensors remember theirs. */
  readonly id: number;
  readonly scratch: number;
  /** Address of the last-result record `[handle, rank, dims…]`. */
  readonly resultInfo: number;
  /** Word index of the interrupt phase words `[in_call, abandonable, allocating]`. */
  readonly phase: number;
  /** The shadow stack pointer while no call runs (restored after an interrupted call), if exported. */
  readonly stackTop: number | null;
}

/** Scratch layout: 16 u32 out-slots, then 1008 u32 of arguments. */
const OUT_SLOTS = 16;
const ARG_WORDS = 1024 - OUT_SLOTS;

let module: WebAssembly.Module | null = null;
let view: Uint32Array | null = null;
let current: Instance | null = null;
let nextId = 1;
/** Called after a new instance replaces a trapped one (the scope module resets its books). */
const resetListeners: Array<() => void> = [];

/** How many threads to run and how to start workers; set by `init` (internal). */
export interface ThreadConfig {
  /** Threads wanted, the calling thread included (≥ 1). */
  threads: number;
  /** Starts a worker; `null` when the runtime cannot share memory with workers. */
  spawner: Spawner | null;
  /** Why fewer threads than wanted run, when known before starting (e.g. no cross-origin isolation). */
  reason: string | null;
  /** Whether the module is the relaxed-SIMD build, and why not if it was asked for. */
  relaxedSimd: boolean;
  relaxedReason: string | null;
  /**
   * Start the workers only once a call is large enough to split (the default `init()`), not
   * with the instance. Unset: at once.
   */
  defer?: boolean | undefined;
  /** Called when workers started later (see `defer`) fail to start: one thread runs then. */
  onFallback?: (() => void) | undefined;
}

/** What `threads()` reports. */
export interface ThreadsInfo {
  /** Threads computing now: the calling thread plus the workers that joined the pool. */
  count: number;
  /** Threads asked for (the `threads` option, or its default). */
  requested: number;
  /** Why `count` is below `requested`, or `null`. */
  reason: string | null;
  /** Whether the relaxed-SIMD module is in use. */
  relaxedSimd: boolean;
  /** Why `relaxedSimd: true` fell back to the plain module, or `null`. */
  relaxedReason: string | null;
}

let config: ThreadConfig = { threads: 1, spawner: null, reason: null, relaxedSimd: false, relaxedReason: null };
let pool: Pool | null = null;
/** Stacks and TLS blocks of workers that exited, for the next pool on this instance's memory. */
let spare: WorkerBlocks[] = [];
/** Why the last pool failed to start (then the instance runs on one thread). */
let poolFailure: string | null = null;
/** The current pool's `ready`, its failure handled (see {@link startWorkers}). */
let poolReady: Promise<void> | null = null;
/**
 * Whether the workers wait for the first call large enough to split ({@link ThreadConfig.defer}):
 * then every call checks the core's wanted word (at u32 index {@link wantedIndex}) afterwards.
 */
let deferred = false;
let wantedIndex = 0;
/** Whether the current module is the threaded build. */
let threadedModule = false;
/** The instance's memory: imported and shared for the threaded build, else its export. */
let linear: WebAssembly.Memory | null = null;

/** Pages of the shared memory's maximum: 4 GiB, as `--max-memory` in scripts/build-wasm.mjs. */
const MAX_PAGES = 65536;

/**
 * A shared memory the threaded `mod` accepts. The module declares its minimum size, which
 * JS cannot read from a compiled module, so sizes double from 32 pages until it links.
 */
function instantiateShared(mod: WebAssembly.Module): { instance: WebAssembly.Instance; memory: WebAssembly.Memory } {
  for (let pages = 32; ; pages *= 2) {
    let memory: WebAssembly.Memory;
    try {
      memory = new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
    } catch (err) {
      // The runtime reserves the whole 4 GiB of address space up front (V8: ~10 GB of virtual memory).
      if (!(err instanceof RangeError)) throw err;
      throw new OutOfMemoryError(`init: the runtime could not reserve neurite's WebAssembly memory (${err.message}): is the process's address space limited (ulimit -v)? A shared WebAssembly memory of up to 4 GiB reserves about 10 GB of virtual memory in V8`);
    }
    try {
      return { instance: new WebAssembly.Instance(mod, { env: { memory } }), memory };
    } catch (err) {
      if (!(err instanceof WebAssembly.LinkError) || pages >= 16384) throw err;
    }
  }
}

/** Whether Deno's `unload` event stops the pool (hooked once, at the first pool). */
let unloadHooked = false;

/** Stops and terminates the workers of the current instance, if any. */
function stopPool(): void {
  deferred = false;
  if (pool) {
    pool.terminate(current?.exports as { nr_threads_stop(): number } | undefined);
    pool = null;
  }
}

/**
 * Instantiates `mod` (the threaded build on a fresh shared memory, or the plain build) and
 * makes it the current instance; starts the workers `cfg` asks for without waiting for them
 * (until they join, kernels run on the calling thread). Synchronous, because a trapped
 * instance is replaced inside the failed call. Returns the pool's `ready` promise, if any.
 */
/**
 * Why each ended instance ended, by id (`shutdown() was called`, …), for the messages about its
 * tensors and models: instances are few (one per `init`, shutdown or panic).
 */
const endings = new Map<number, string>();

/**
 * @internal The models whose `fit` or `fitDataset` runs: an `init()` that would replace the
 * instance under them (its models' weights would go with it) refuses meanwhile.
 */
export const training = new Set<{ readonly name: string }>();

/** Records why the current instance ends (before it is dropped or replaced). */
function ending(cause: string): void {
  if (current && !endings.has(current.id)) endings.set(current.id, cause);
}

/**
 * @internal How instance `id` ended, for a message about something it held: `was shut down
 * (shutdown() was called)`, `was replaced by a new init()`, `was replaced after a panic`; a
 * generic phrase for an id never seen.
 */
export function endedHow(id: number): string {
  return endings.get(id) ?? 'was reset (after a panic, a new init() or shutdown())';
}

function create(mod: WebAssembly.Module): Promise<void> | null {
  // Another module (a wasm that is not neurite's core) is refused before anything changes:
  // the running instance, its workers and its tensors stay as they are.
  const names = new Set(WebAssembly.Module.exports(mod).map((e) => e.name));
  const missing = ['nr_init', 'nr_scratch_ptr', 'nr_result_info_ptr', 'nr_alloc', 'nr_interrupt_state_ptr'].find((n) => !names.has(n));
  if (missing !== undefined) {
    throw new InvalidArgumentError(`init: the WebAssembly module given is not neurite's core (it has no ${missing} export); give init neurite's core.wasm (the package's 'neurite/core.wasm', dist/url/core.wasm) or its bytes, or nothing for the bundled one`);
  }
  let instance: WebAssembly.Instance;
  let memory: WebAssembly.Memory;
  const threaded = isThreadedModule(mod);
  if (threaded) {
    ({ instance, memory } = instantiateShared(mod));
  } else {
    instance = new WebAssembly.Instance(mod, {});
    memory = (instance.exports as { memory: WebAssembly.Memory }).memory;
  }
  // `memory` is not an export of the threaded build; the rest of the facade reads it here.
  const exports = { ...instance.exports, memory } as unknown as RawExports;
  if (threaded) {
    // __tls_base starts at 0 and the start function does not set it (TOOLCHAIN.md §4).
    // The block comes from nr_alloc_tls, which (unlike nr_alloc) uses no thread-local itself.
    const t = exports as unknown as PoolExports & { __wasm_init_tls(p: number): void; nr_alloc_tls(bytes: number, align: number): number };
    t.__wasm_init_tls(t.nr_alloc_tls(Math.max(Number(t.__tls_size.value), 1), Math.max(Number(t.__tls_align.value), 1)));
  }
  const id = nextId++;
  // The instance id salts the handles, so an old instance's handles are not live here.
  if (exports.nr_init(id) !== 0) throw new NeuriteError('Internal', 'neurite: nr_init failed on a fresh instance');
  // The new instance is ready: the old one (and its workers) goes.
  ending('was replaced by a new init()');
  stopPool();
  spare = [];
  poolFailure = null;
  threadedModule = threaded;
  linear = memory;
  module = mod;
  const sp = (exports as unknown as { __stack_pointer?: WebAssembly.Global }).__stack_pointer;
  shutDown = false;
  initFailure = null;
  current = {
    exports, id, scratch: exports.nr_scratch_ptr(), resultInfo: exports.nr_result_info_ptr(),
    phase: exports.nr_interrupt_state_ptr() >>> 2, stackTop: sp ? Number(sp.value) : null,
  };
  view = null;
  for (const f of resetListeners) f();
  return startWorkers(mod, exports);
}

/**
 * Starts the workers {@link config} asks for on the current instance (`exports`, on
 * {@link linear}), or with {@link ThreadConfig.defer} (unless `now`) arranges for them to
 * start at the first call large enough to split; the pool's `ready` promise, or `null` when
 * none started. `late`: started after `init` resolved, so a failure is reported through
 * {@link ThreadConfig.onFallback} (`init` reports its own).
 */
function startWorkers(mod: WebAssembly.Module, exports: RawExports, now = !config.defer, late = false): Promise<void> | null {
  deferred = false;
  poolReady = null;
  const workers = threadedModule && config.spawner ? config.threads - 1 : 0;
  const pe = exports as unknown as PoolExports;
  if (workers === 0) {
    if (threadedModule) pe.nr_threads_configure(0);
    return null;
  }
  // A core without the wanted word (an older core.wasm given as the source) starts them now.
  if (!now && typeof exports.nr_threads_wanted_ptr === 'function') {
    pe.nr_threads_configure(0);
    wantedIndex = exports.nr_threads_wanted_ptr() >>> 2;
    u32()[wantedIndex] = 0;
    deferred = true;
    return null;
  }
  /** The instance goes on with the calling thread alone, and `threads()` says why. */
  const oneThread = (err: unknown): void => {
    // Node's permission model (--permission without --allow-worker) refuses Worker.
    const denied = isNodeDenial(err) ? ' (Node\'s permission model: run with --allow-worker, or init({ threads: 1 }) for one thread without this notice)' : '';
    const message = (err as Error)?.message ?? String(err);
    // A helper a bundler put into the worker's source text (which runs with nothing around it).
    const helper = /\b(__\w+) is not defined/.exec(message)?.[1];
    const rebundled = helper ? ` (${helper} is a helper that a bundler or loader added to neurite's worker code, which runs on its own: esbuild's keepNames, as tsx and CDK's keepNames set, adds __name, and a target below ES2020 adds others; bundle without that option, or import neurite from outside the bundle)` : '';
    poolFailure = `the workers failed to start: ${message}${denied}${rebundled}`;
    try { pe.nr_threads_configure(0); } catch { /* instance gone */ }
    if (late) config.onFallback?.();
  };
  let p: Pool;
  try {
    p = new Pool(mod, linear!, pe, workers, config.spawner!, (message) => workerLost(p, message), spare);
  } catch (err) {
    // A worker that cannot even be constructed (a permission, a policy).
    oneThread(err);
    return null;
  }
  pool = p;
  // Deno leaves workers parked in Atomics.wait running when the program (or the Web Worker it
  // runs in) ends: a terminated Web Worker, or each `deno run --watch` restart, kept two
  // threads and ~14 MB. Its unload event stops them.
  if (isDeno && !unloadHooked) {
    unloadHooked = true;
    (globalThis as { addEventListener?: (t: string, f: () => void) => void }).addEventListener?.('unload', stopPool);
  }
  poolReady = p.ready.catch((err: Error) => {
    // Workers that cannot start (a Content-Security-Policy without blob:, a missing worker.js…).
    if (pool !== p) return;
    p.terminate(pe);
    pool = null;
    oneThread(err);
  });
  return poolReady;
}

/**
 * A worker of the live pool `p` died on its own between calls (terminated from outside, or its
 * thread ended): the pool is replaced by a new one on the same memory, so the instance keeps
 * its threads and its tensors, and the console says so (`message`: which worker, and how).
 * (A worker that traps inside a call makes that call a WasmPanicError, whose new instance has
 * a new pool: `p` is no longer live.) The dead worker's stack is not reused.
 */
function workerLost(p: Pool, message: string): void {
  // Before the pool joined, its ready promise fails and one thread runs (startWorkers).
  if (pool !== p || !p.joined || !current || !module) return;
  pool = null;
  p.terminate(); // not nr_threads_stop: the new pool's configure sends the old workers home
  console.warn(`neurite: ${message}; its pool was replaced by new workers (threads() counts them once they joined)`);
  void startWorkers(module, current.exports, true, true);
}

/**
 * After a call while the workers wait ({@link deferred}): starts them if the call was large
 * enough to split (the core raised its wanted word). That call ran on the calling thread;
 * later ones split as soon as a worker joins.
 */
function startIfWanted(): void {
  if (u32()[wantedIndex] === 0 || !current || !module) return;
  void startWorkers(module, current.exports, true, true);
}

/**
 * Starts the workers now if they wait for a large call, and resolves once they joined (or
 * failed to start: then one thread runs and `threads()` says why).
 */
export async function workersReady(): Promise<void> {
  if (!current) throw notInitialised();
  if (deferred && module) startWorkers(module, current.exports, true, true);
  await poolReady;
}

/** Whether the workers wait for the first call large enough to split. */
export function workersDeferred(): boolean {
  return deferred;
}

/**
 * Instantiates `mod` with `cfg` and makes it the current instance; resolves once the workers
 * joined (or failed to start: then one thread runs and `threads()` says why).
 */
export async function instantiate(mod: WebAssemblyModule, cfg?: ThreadConfig): Promise<void> {
  const was = config;
  if (cfg) config = cfg;
  let ready: Promise<void> | null;
  try {
    ready = create(mod);
  } catch (err) {
    config = was; // the running instance keeps its threads
    throw err;
  }
  await ready;
}

/**
 * Gives the live instance the threads of `cfg` in place (its workers stopped, new ones started
 * on the same memory), so its tensors and models stay valid; resolves once they joined (or
 * failed to start). `false` (nothing done) when the instance is not the threaded build.
 */
export async function rethread(cfg: ThreadConfig): Promise<boolean> {
  if (!current || !threadedModule || !module) return false;
  // The workers asked for already run, or start later as asked: nothing to stop.
  if (cfg.threads === config.threads && cfg.spawner && config.spawner && (pool || deferred)) {
    config = cfg;
    if (deferred && !cfg.defer) startWorkers(module, current.exports, true);
    else if (pool === null && cfg.defer) startWorkers(module, current.exports);
    await poolReady;
    return true;
  }
  const [old, id] = [pool, current.id];
  deferred = false;
  pool = null;
  // The old workers' stacks go to the new ones once every old worker has left the core.
  const clean = old ? await old.stop(current.exports as unknown as PoolExports) : false;
  if (current?.id !== id) return false; // shut down or replaced meanwhile: its memory is gone
  if (old && clean) spare.push(...old.blocks);
  poolFailure = null;
  config = cfg;
  // Workers that had started (a large call ran) start again at once.
  await startWorkers(module as WebAssembly.Module, current.exports, old !== null || !cfg.defer);
  return true;
}

/** Stops the workers and drops the instance; `init()` starts again. */
export function shutdown(): void {
  ending('was shut down (shutdown() was called)');
  stopPool();
  const had = current !== null;
  shutDown ||= had;
  initFailure = null;
  current = null;
  uninitialisedCopy();
  linear = null;
  view = null;
  if (had) for (const f of resetListeners) f();
}

/** What `threads()` reports. */
export function threadsInfo(): ThreadsInfo {
  if (!current) return { count: 0, requested: config.threads, reason: 'neurite is not initialised: call `await init()`', relaxedSimd: false, relaxedReason: null };
  const count = 1 + (pool ? (current.exports as unknown as PoolExports).nr_threads_joined() : 0);
  let reason = config.reason ?? poolFailure;
  if (!reason && !threadedModule && config.threads > 1) reason = 'this build of neurite has no thread support (the plain .wasm: see README, Threads)';
  if (!reason && pool && count < config.threads) reason = `${count - 1} of ${config.threads - 1} workers have joined so far`;
  if (!reason && deferred) reason = 'the workers start at the first call large enough to split (none has run yet); await threadsReady() to start them now';
  return { count, requested: config.threads, reason: count < config.threads ? reason : null, relaxedSimd: config.relaxedSimd, relaxedReason: config.relaxedReason };
}

/** Registers a callback run whenever a new instance is created. */
export function onReset(f: () => void): void {
  resetListeners.push(f);
}

export function isInitialized(): boolean {
  return current !== null;
}

/** The id of the live instance (0 before `init`). */
export function instanceId(): number {
  return current?.id ?? 0;
}

function live(): Instance {
  if (!current) throw notInitialised();
  // A call that began and never returned: JS stopped it (see afterInterrupt).
  if (viewOf(current)[current.phase] !== 0) afterInterrupt(current);
  return current;
}

/** The function the last {@link call}/{@link callOp} ran, to name an interrupted call. */
let lastCall: ((e: RawExports, out: number) => unknown) | null = null;

/** How long an interrupted call's workers may take to finish its job before the instance is replaced. */
const SETTLE_MS = 2000;

/** The export a wrapper's function called (`nr_matmul`), for messages; `a neurite call` if unknown. */
function callName(f: ((e: RawExports, out: number) => unknown) | null): string {
  const m = f ? /\b(nr_\w+)\s*\(/.exec(String(f)) : null;
  return m ? m[1] : 'a neurite call';
}

/** Calls recovered after an interrupt in this process (see {@link afterInterrupt}). */
let recovered = 0;

/** @internal The calls recovered after an interrupt so far (tests). */
export function interruptsRecovered(): number {
  return recovered;
}

/**
 * The previous call never returned: JS stopped it (Ctrl-C in the Node REPL, a `vm` timeout:
 * V8 terminates the script inside wasm, and no `finally` and no Rust code runs after). The
 * core's phase words (`neurite_core::interrupt`) tell whether it can be abandoned: inside a
 * kernel's tasks, out of the allocator. Then, once the workers finished the job it left, the
 * shadow stack pointer is restored, the borrows its frames held are freed, and the instance
 * goes on (its tensors and models stay valid) with a warning. Otherwise the instance is
 * replaced, and the error says why.
 */
function afterInterrupt(inst: Instance): void {
  const e = inst.exports;
  const name = callName(lastCall);
  const words = () => viewOf(inst).subarray(inst.phase, inst.phase + 3);
  let why: string | null = null;
  if (words()[1] === 0) why = "while neurite's memory was being changed";
  else if (inst.stackTop === null) why = 'and this build of the core does not export its stack pointer';
  else {
    const until = Date.now() + SETTLE_MS;
    while (e.nr_interrupt_settle() === 0) {
      if (Date.now() > until) {
        why = `and the worker threads did not finish its job within ${SETTLE_MS / 1000} s (or one trapped)`;
        break;
      }
    }
    if (why === null && words()[2] !== 0) why = "while neurite's memory was being changed (an allocation)";
  }
  if (why === null) {
    (e as unknown as { __stack_pointer: WebAssembly.Global }).__stack_pointer.value = inst.stackTop;
    if (e.nr_interrupt_recover() === 1) {
      recovered++;
      console.warn(
        `neurite: the previous call (${name}) was interrupted (Ctrl-C or a vm timeout) while it computed; neurite recovered and ` +
          'its tensors and models are valid, but the result of that call was discarded (the memory it had allocated stays in use ' +
          'until shutdown() or a new init()), and a training step stopped mid-way may have updated some weights and not others.',
      );
      return;
    }
    why = 'and a layer it was using could not be released';
  }
  const cause = `the call ${name} was interrupted (Ctrl-C or a vm timeout) ${why}`;
  ending(`was replaced after ${cause}`);
  if (module) void create(module);
  throw new WasmPanicError(
    `neurite: the previous call (${name}) was interrupted (Ctrl-C or a vm timeout) ${why}; the instance was replaced: ` +
      'tensors and models created before are no longer valid.',
  );
}

/** The raw exports of the live instance. */
export function raw(): RawExports {
  return live().exports;
}

/**
 * A u32 view of linear memory that covers the static areas (the scratch area and the result
 * record), which is all it is used for. Reading `memory.buffer` costs a call into the runtime,
 * so the view is only recreated when memory growth has emptied it: growth detaches a
 * non-shared memory's buffer (the view's length drops to 0), while a shared memory's old
 * buffer stays valid with its old length, which still covers the static areas.
 */
function u32(): Uint32Array {
  return viewOf(live());
}

/** {@link u32} of `inst` (the current instance), without {@link live}'s check. */
function viewOf(inst: Instance): Uint32Array {
  if (view === null || view.length === 0) view = new Uint32Array(inst.exports.memory.buffer);
  return view;
}

/** The shape {@link lastResultShape} returned last: the next result of the same shape shares it. */
let lastShape: readonly number[] = Object.freeze([]);

/**
 * The shape of `handle` if it is the tensor the last call created, else `null`. Frozen, and
 * shared with the previous result when the dims are the same (a loop of one op makes no arrays).
 */
export function lastResultShape(handle: number): readonly number[] | null {
  const m = u32();
  const base = current!.resultInfo >>> 2;
  if (m[base] !== handle) return null;
  const rank = m[base + 1];
  let same = rank === lastShape.length;
  for (let i = 0; same && i < rank; i++) same = m[base + 2 + i] === lastShape[i];
  if (same) return lastShape;
  const dims = new Array<number>(rank);
  for (let i = 0; i < rank; i++) dims[i] = m[base + 2 + i];
  lastShape = Object.freeze(dims);
  return lastShape;
}

/** One decoder for every {@link readString} (making one per call was a third of its time). */
let decoder: TextDecoder | null = null;

/** Decodes UTF-8 from linear memory. A copy: browsers refuse to decode views of a SharedArrayBuffer. */
export function readString(ptr: number, len: number): string {
  return stringIn(live(), ptr, len);
}

/** {@link readString} from `inst`'s memory, whatever state its call left (a trap's panic message). */
function stringIn(inst: Instance, ptr: number, len: number): string {
  const bytes = new Uint8Array(inst.exports.memory.buffer, ptr, len).slice();
  // Jest's jsdom environment has no TextDecoder: every message read from the core was a
  // ReferenceError there (a ShapeError's among them).
  if (typeof TextDecoder !== 'function') return utf8(bytes);
  decoder ??= new TextDecoder();
  return decoder.decode(bytes);
}

/** UTF-8 to a string, where the runtime has no `TextDecoder`: the core's strings are Rust's, valid UTF-8. */
function utf8(bytes: Uint8Array): string {
  const points: number[] = [];
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i++];
    const more = b < 0x80 ? 0 : b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
    let c = more === 0 ? b : b & (0x3f >> more);
    for (let k = 0; k < more; k++) c = (c << 6) | (bytes[i++] & 0x3f);
    points.push(c);
  }
  let s = '';
  for (let i = 0; i < points.length; i += 4096) s += String.fromCodePoint(...points.slice(i, i + 4096));
  return s;
}

/** Address of out-slot `i` (u32). */
export function outPtr(i = 0): number {
  return live().scratch + 4 * i;
}

/** Reads out-slot `i`. */
export function readOut(i = 0): number {
  const m = u32();
  return m[(current!.scratch >>> 2) + i];
}

/** Address of the argument area. */
export function argPtr(): number {
  return live().scratch + 4 * OUT_SLOTS;
}

/** Writes integers (u32 or i32 bit patterns) into the argument area and returns its address. */
export function writeArgs(op: string, values: ArrayLike<number>): number {
  if (values.length > ARG_WORDS) {
    throw new NeuriteError('InvalidArgument', `${op}: too many values (${values.length}) for one call`);
  }
  const mem = u32();
  const base = argPtr() >>> 2;
  for (let i = 0; i < values.length; i++) mem[base + i] = values[i] >>> 0;
  return argPtr();
}

/**
 * Runs `f` with a u32 list of room for `words` words: the scratch argument area when it fits,
 * else a block from `nr_alloc` (freed afterwards, whatever happens). `f` gets the address
 * and the capacity in words, which exports that write lists take and check.
 */
export function withWords<T>(op: string, words: number, f: (ptr: number, cap: number) => T): T {
  if (words <= ARG_WORDS) return f(argPtr(), ARG_WORDS);
  const e = live().exports;
  const bytes = 4 * words;
  const ptr = e.nr_alloc(bytes, 4) >>> 0;
  if (ptr === 0) throw new OutOfMemoryError(`${op}: out of memory allocating ${bytes} bytes for a list of ${words} values`);
  try {
    return f(ptr, words);
  } finally {
    e.nr_dealloc(ptr, bytes, 4);
  }
}

/** A u32 view of `n` words at `ptr` (valid until memory grows). */
export function words(ptr: number, n: number): Uint32Array {
  // Within the cached view (the scratch area, usually) without reading `memory.buffer`.
  const m = u32();
  const i = ptr >>> 2;
  if ((ptr & 3) === 0 && i + n <= m.length) return m.subarray(i, i + n);
  return new Uint32Array(live().exports.memory.buffer, ptr, n);
}

/** Reads `n` u32s from the argument area (where some calls leave results). */
export function readArgs(n: number): Uint32Array {
  const base = argPtr() >>> 2;
  return u32().slice(base, base + n);
}

/**
 * The dims `[rank, d0, d1, …]` that `nr_tensor_shape` left in the argument area, as an array
 * (read in place: no copy of the area first).
 */
export function readArgDims(): number[] {
  const m = u32();
  const base = argPtr() >>> 2;
  const rank = m[base];
  const dims = new Array<number>(rank);
  for (let i = 0; i < rank; i++) dims[i] = m[base + 1 + i];
  return dims;
}

/** Scratch for {@link floatBits}: a float32 and its bits. */
const f32 = new Float32Array(1);
const f32u = new Uint32Array(f32.buffer);

/** @internal The bit pattern of `v` rounded to float32, as the core reads an `f32` argument. */
export function floatBits(v: number): number {
  f32[0] = v;
  return f32u[0];
}

/**
 * Writes `values` as float32 bit patterns into the argument area (at word `offset`) and returns
 * the address of the first; the same words as `writeArgs(op, f32Bits(values))`, without the
 * three arrays that makes.
 */
export function writeF32Args(op: string, values: ArrayLike<number>, offset = 0): number {
  if (offset + values.length > ARG_WORDS) {
    throw new NeuriteError('InvalidArgument', `${op}: too many values (${offset + values.length}) for one call`);
  }
  const mem = u32();
  const base = (argPtr() >>> 2) + offset;
  for (let i = 0; i < values.length; i++) mem[base + i] = floatBits(values[i]);
  return argPtr() + 4 * offset;
}

/** Live tensors from which an out-of-memory error points at `dispose()`/`tidy()`. */
export const MANY_LIVE_TENSORS = 100;

/**
 * Live models from which an out-of-memory error and the memory warning blame them: a program
 * may well keep a few large models (an ensemble, a GAN's pair, a hot swap's old and new) that
 * fill memory on purpose; forgotten ones (a new model per experiment) pile up by the dozen.
 */
export const MANY_LIVE_MODELS = 16;

/** Counts the live models (scope.ts tracks them and sets this; it imports this module). */
let countModels: () => number = () => 0;

/** @internal Sets how {@link check} counts live models for its out-of-memory hint. */
export function setModelCounter(f: () => number): void {
  countModels = f;
}

/**
 * The hint an out-of-memory error gets when many tensors or models are live (a leak is the
 * usual cause): how many and how much they hold, and what frees them. Empty otherwise.
 */
export function oomHint(numTensors: number, numBytes: number, numModels = 0, modelBytes = 0, memoryBytes = 0, requested = 0): string {
  // Clones share their values (memory() counts a buffer once), so a million tensors may hold a few bytes.
  const mb = (b: number) => (b < 1024 ? `${b} bytes` : b < 2 ** 20 ? `${(b / 1024).toPrecision(2)} kB` : `${b / 2 ** 20 >= 10 ? (b / 2 ** 20).toFixed(0) : (b / 2 ** 20).toPrecision(2)} MB`);
  const parts: string[] = [];
  if (numTensors >= MANY_LIVE_TENSORS) parts.push(`${numTensors} tensors are live, holding ${mb(numBytes)}: dispose() the ones you no longer need, or compute temporaries inside tidy()`);
  if (numModels >= MANY_LIVE_MODELS) parts.push(`${numModels} models are live, holding ${mb(modelBytes)}: model.dispose() the ones you no longer need (one dropped without it is freed only when the garbage collector finalizes it, between jobs of the event loop)`);
  if (parts.length) return ` (${parts.join('; ')}; memory() counts them)`;
  // Little is live in a large memory: the rest is free, but not as one block this large (freed
  // blocks are reused, yet small live ones between them keep them apart).
  const live = numBytes + modelBytes;
  if (memoryBytes >= 2 ** 30 && live < memoryBytes / 2) {
    return ` (only ${mb(live)} of the ${mb(memoryBytes)} of WebAssembly memory are live in tensors and models: the rest is free, but not in one block this large; make the largest tensors first, or shutdown() then init() to start from an empty memory)`;
  }
  // What is live and this call's block together pass wasm32's end: say so (it said nothing).
  if (requested > 0 && live + requested > 2 ** 32 - 2 ** 26) {
    return ` (${mb(live)} are live in tensors and models, and this needs ${mb(requested)} more: WebAssembly memory ends at 4 GiB (wasm32), and training also holds each weight's gradient and the optimizer's slots beside it (Adam: 4× the weights in all): dispose what you no longer need, or make the model smaller)`;
  }
  return '';
}

/**
 * The most float32 values one tensor can hold: 2^29 − 1, i.e. 2 GiB − 4 bytes, the largest
 * allocation a 32-bit WebAssembly instance can make (`isize::MAX` bytes in the core). Every
 * function that creates a tensor from a size (`zeros`, `range`, `linspace`, `randomNormal`,
 * `oneHot`, `eye`, `tile`, …) checks its element count against this before allocating
 * anything, in JS or in WebAssembly, and throws an {@link OutOfMemoryError} above it. (A
 * smaller tensor can still fail with that error when the instance's memory is exhausted.)
 */
export const MAX_ELEMENTS = 2 ** 29 - 1;

/**
 * For the core's "out of memory allocating N bytes" beyond what one tensor may hold: no amount
 * of freeing helps, so say that the result itself is too large (the shape is the op's to know).
 * `''` for a message that says so already (the core's `TooLarge`), `null` for an allocation
 * that freeing may cure.
 */
function tooLarge(message: string): string | null {
  if (message.includes('one tensor')) return '';
  const m = /out of memory allocating (\d+) bytes/.exec(message);
  if (!m || Number(m[1]) <= 4 * MAX_ELEMENTS) return null;
  // The byte codecs' outputs are bytes, not tensors: one block of memory all the same.
  if (/^(compression|codecs)\./.test(message)) return ', more than one block of WebAssembly memory may hold (2 GiB): the output of this call is too large, whatever is freed';
  const rows = /^(predict|evaluate)\b/.test(message) ? `; ${message.slice(0, message.indexOf(':'))}'s result for every row is one tensor: pass fewer rows per call` : '';
  return `, more than one tensor may hold (2^29 - 1 float32 values, 2 GiB): the result of this call is too large, whatever is freed${rows}`;
}

/** Throws the error for `status` if it is not OK. */
export function check(status: number): void {
  if (status !== 0) {
    const e = live().exports;
    let message = readString(e.nr_last_error_ptr(), e.nr_last_error_len());
    const big = status === 4 ? tooLarge(message) : null;
    // Beyond one tensor, freeing does not help: no count of live tensors then.
    if (big !== null) message += big;
    else if (status === 4 && e.nr_memory(outPtr(0)) === 0) message += oomHint(readOut(1), readOut(2), countModels(), readOut(4), e.memory.buffer.byteLength, Number(/out of memory allocating (\d+) bytes/.exec(message)?.[1] ?? 0));
    throw errorFromStatus(status, message);
  }
}

/**
 * Runs `f` (which calls exports) and converts a trap into a {@link WasmPanicError} carrying
 * the Rust panic message. The trapped instance is replaced at once from the same module, so
 * later calls work; tensors from before report that their instance was reset.
 */
export function call<T>(f: (e: RawExports) => T): T {
  const inst = live();
  lastCall = f;
  try {
    const r = f(inst.exports);
    if (deferred) startIfWanted();
    return r;
  } catch (err) {
    rethrow(inst, err);
  }
}

/**
 * {@link call} for an op: runs `f` with the exports and the address of out-slot 0, checks the
 * status it returns and passes the handle left in out-slot 0 to `wrap`, all under the same
 * trap handling (without the closures `call` would need per op).
 */
export function callOp<T>(f: (e: RawExports, out: number) => number, wrap: (handle: number) => T): T {
  const inst = live();
  lastCall = f;
  try {
    check(f(inst.exports, inst.scratch));
    const r = wrap(u32()[inst.scratch >>> 2]);
    if (deferred) startIfWanted();
    return r;
  } catch (err) {
    rethrow(inst, err);
  }
}

/** The error handling of {@link call}: a trap becomes a {@link WasmPanicError} (and a new instance). */
function rethrow(inst: Instance, err: unknown): never {
  if (err instanceof WebAssembly.RuntimeError) {
    const e = inst.exports;
    let msg = '';
    // Read from the trapped instance as it is: through live() the phase word the trap left set
    // would be taken for an interrupted call (the message lost, the instance replaced twice).
    try { msg = stringIn(inst, e.nr_panic_ptr(), e.nr_panic_len()); } catch { /* memory unreadable */ }
    ending('was replaced after a panic (a WasmPanicError)');
    if (module) void create(module);
    throw new WasmPanicError(
      `neurite's WebAssembly instance trapped (a bug in neurite; please report it): ${msg || err.message}. ` +
        'The instance was replaced; tensors created before are no longer valid.',
      err,
    );
  }
  throw err;
}

/** Checks that a handle from instance `owner` may be used now. */
export function assertLive(owner: number, what: string): void {
  // Kept after shutdown(): "call init() first" would not bring it back.
  if (!current && !endings.has(owner)) throw notInitialised();
  if (owner !== current?.id) {
    throw new DisposedError(`${what} belongs to a neurite instance that ${endedHow(owner)}; it is no longer valid`);
  }
}
