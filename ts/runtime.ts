/**
 * Where neurite runs (Node, Deno, a browser page or Web Worker), asked in one place, and Node's
 * built-in modules, loaded where neurite runs in Node or Deno (files, the wasm's bytes, worker
 * threads, the core count). Internal: not part of the public API. (The pool worker's own code,
 * threads/worker.ts, asks again: it is stringified and must stay self-contained.)
 */

import { InvalidArgumentError } from './errors.js';

const g = globalThis as { Deno?: unknown; process?: { versions?: { node?: string } } };

/** Deno (also in its workers). */
export const isDeno = g.Deno !== undefined;

/** A Vercel/Next.js edge runtime (`EdgeRuntime`, a string, is its documented mark). */
export const isEdge = typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime === 'string';

/** Cloudflare Workers (workerd): its `navigator.userAgent` is documented as this string. */
export const isWorkers = (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent === 'Cloudflare-Workers';

/** Node, not Deno's Node compatibility (Deno also has `process.versions.node`). */
export const isNode = !isDeno && !!g.process?.versions?.node;

/**
 * Where this code runs, read at each call (for messages that say what to use instead of
 * a scheme this runtime lacks): Deno (also in its workers), a browser's Web Worker (dedicated,
 * shared or service: no `document`, no `localStorage`, but IndexedDB), a browser page (a
 * `document`), Node, or something else.
 */
export function runtimeKind(): 'deno' | 'worker' | 'node' | 'page' | 'other' {
  if (isDeno) return 'deno';
  const scope = (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope;
  if (typeof scope === 'function' && globalThis instanceof (scope as new () => unknown)) return 'worker';
  // A document first: Electron's renderer and jsdom are pages that also run in Node.
  if (typeof document !== 'undefined') return 'page';
  if (isNode) return 'node';
  return 'other';
}

/**
 * A Node built-in module (`fs/promises` → `node:fs/promises`), in Node and Deno. The specifier
 * is built at run time from `name`, so neither neurite's minifier nor an app's bundler can see
 * it: a browser build of an app neither resolves it nor warns that it externalized it
 * (test/bundler.test.ts). Node ≥ 20.16 and 22.3 hand it over without an import.
 */
export async function nodeBuiltin(name: string): Promise<unknown> {
  const id = `node:${name}`;
  const p = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process;
  return p?.getBuiltinModule?.(id) ?? import(/* webpackIgnore: true */ /* @vite-ignore */ id);
}

/**
 * The file system path of `file://` + `rest`, percent-decoded (the `file://` model handler's
 * and `data.csv`'s): an absolute one by Node's and Deno's `url.fileURLToPath` (with `?` and `#`
 * kept as part of the path), a relative one (TF.js's `file://./a`, which is no standard file
 * URL) by `decodeURIComponent`, as `fileURLToPath` decodes. A `%` that starts no UTF-8 escape
 * is an error, and so is a NUL (raw or `%00`), which no file system takes: the URL's fault,
 * shown escaped (`url` is the whole URL, for the messages).
 */
export async function filePath(op: string, url: string, rest: string): Promise<string> {
  const { fileURLToPath } = (await nodeBuiltin('url')) as typeof import('node:url');
  let path: string;
  try {
    path = rest.startsWith('/') ? fileURLToPath(`file://${rest.replace(/[?#]/g, encodeURIComponent)}`) : decodeURIComponent(rest);
  } catch (e) {
    throw new InvalidArgumentError(`${op}: '${url}': a file:// path is percent-decoded, and this one cannot be [${(e as Error)?.message}]; write % as %25 (url.pathToFileURL(path).href encodes a path)`);
  }
  if (path.includes('\0')) throw new InvalidArgumentError(`${op}: ${JSON.stringify(url)}: a file path cannot hold a NUL character (\\u0000 or %00)`);
  return path;
}

/** Whether `v` is a Promise or another thenable (a promise from another realm or library). */
export const isThenable = (v: unknown): v is PromiseLike<unknown> => v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';

/**
 * Whether `v` is an instance of the global class `name` (`'Blob'`, `'Response'`, `'ImageData'`
 * …), false where this runtime has no such global (Node has no `ImageData`).
 */
export function isA(v: unknown, name: string): boolean {
  const C = (globalThis as Record<string, unknown>)[name];
  return typeof C === 'function' && v instanceof (C as new () => unknown);
}

/** The timers neurite waits on (see {@link hostTimers}). */
interface Timers {
  setTimeout(f: () => void, ms?: number): unknown;
  setImmediate?: ((f: () => void) => unknown) | undefined;
}

/**
 * The runtime's own timers, not fakes put on `globalThis` later: a test's
 * `jest.useFakeTimers()` (or Sinon's, or Jest's `fakeTimers: { enableGlobally: true }`) replaces
 * the globals, and an `init()` waiting on them (the default entry unpacks its wasm between
 * yields; a thread pool's join polls) never settled, nor did the test file after it. Node's come
 * from its timers module (`process.getBuiltinModule`, Node ≥ 20.16 and 22.3; Jest's fakes
 * patch only the globals), else the globals, as they were when neurite loaded (Sinon's fakes
 * installed before that replace both: install them after importing neurite). TF.js's `ready()` waits on
 * none. `nextFrame()` keeps the globals: it is the caller's to pace.
 */
export const hostTimers: Timers = (() => {
  const p = g.process as { getBuiltinModule?: (id: string) => unknown } | undefined;
  // The specifier built at run time, as nodeBuiltin's: no bundler sees it.
  const t = isNode && typeof p?.getBuiltinModule === 'function' ? (p.getBuiltinModule(['node', 'timers'].join(':')) as Timers | undefined) : undefined;
  // The functions as they are now, not looked up at each call: @sinonjs/fake-timers 13+
  // (Sinon 19+) installed later patches the timers module's methods too.
  if (t && typeof t.setTimeout === 'function') return { setTimeout: t.setTimeout.bind(t), setImmediate: typeof t.setImmediate === 'function' ? t.setImmediate.bind(t) : undefined };
  const gt = globalThis as unknown as Timers;
  // Next.js's edge sandbox defines setImmediate (and MessageChannel) as functions that throw
  // "A Node.js API is used": a tidy, a load or a yield failed with it there.
  const im = isEdge ? undefined : gt.setImmediate;
  return { setTimeout: gt.setTimeout.bind(globalThis), setImmediate: typeof im === 'function' ? im.bind(globalThis) : undefined };
})();

/** Runs `f` as a microtask, by a promise: a fake `queueMicrotask` (Jest's modern timers fake it) would hold it until the test advances its clock. */
export function microtask(f: () => void): void {
  void Promise.resolve().then(f);
}

/** When {@link yieldNow} last took a timer turn (Deno). */
let lastTimerTurn = 0;

/**
 * Lets the event loop run (timers, I/O, rendering) and resumes at once: `setImmediate` in
 * Node, else a message to itself (`MessageChannel`), which browsers and Deno do not clamp as
 * they clamp nested timers (a `setTimeout(0)` chain waits 4 ms a turn after the fifth), else
 * `setTimeout(0)`. Deno polls network I/O (`Deno.serve`) only in a timer's turn, not in
 * `setImmediate`'s or a message's, and a timer turn costs it 1–2 ms: there every yield at least
 * 40 ms after the last timer turn takes one. Used by `fit`'s and the datasets' yields and by the
 * default entry's unpacking.
 */
export function yieldNow(): Promise<void> {
  // Cloudflare Workers refuse a timer in a module's global scope, or never run it there (the
  // default entry's unpacking then hung the first request instead of saying the runtime
  // compiles no wasm from bytes): a request there is its own task, with nothing to yield to.
  if (isWorkers) return Promise.resolve();
  // zone.js (Angular) counts the timers it patched as pending work, not a message to itself or
  // Node's own setImmediate: the app looked stable (whenStable(), SSR's render) in the middle
  // of an init or a fit. The yield is a macrotask of the current zone there.
  const zone = (globalThis as { Zone?: { current?: ZoneLike } }).Zone?.current;
  if (zone && typeof zone.scheduleMacroTask === 'function') {
    let scheduled = false;
    const p = new Promise<void>((resolve) => {
      try {
        zone.scheduleMacroTask('neurite.yield', resolve, {}, (task) => void turn().then(() => task.invoke()), () => {});
        scheduled = true;
      } catch {
        // A zone that refuses tasks it does not know (Angular's fakeAsync: "Unknown macroTask
        // scheduled in fake async test"): the plain turn, as without zone.js.
      }
    });
    return scheduled ? p : turn();
  }
  return turn();
}

/**
 * `run()`'s promise, held as one macrotask of the current zone until it settles, where zone.js
 * (Angular) runs: `init()`, `fit` and `fitDataset` also wait on what zone.js does not count —
 * a lazily imported chunk (train.js, data.js, the inline wasm), `WebAssembly.compile` — so a
 * first call left the app "stable" (whenStable(), SSR's render) while it ran. Elsewhere `run()`.
 */
export function zoneTask<T>(source: string, run: () => Promise<T>): Promise<T> {
  const zone = (globalThis as { Zone?: { current?: ZoneLike } }).Zone?.current;
  if (!zone || typeof zone.scheduleMacroTask !== 'function') return run();
  let done = (): void => {};
  try {
    // `data` an object: zone.js's own (fakeAsync's) writes into it.
    zone.scheduleMacroTask(source, () => {}, {}, (task) => void (done = () => task.invoke()), () => {});
  } catch {
    // Angular's fakeAsync refuses tasks it does not know: the call runs as without zone.js (it
    // threw synchronously from init() and fit()).
    return run();
  }
  const p = run();
  p.then(done, done);
  return p;
}

/** The part of zone.js's `Zone` that {@link yieldNow} and {@link zoneTask} use. */
interface ZoneLike {
  scheduleMacroTask(source: string, callback: () => void, data: object, customSchedule: (task: { invoke(): void }) => void, customCancel: () => void): unknown;
}

/** One turn of the event loop (see {@link yieldNow}). */
function turn(): Promise<void> {
  if (isDeno) {
    const now = performance.now();
    if (now - lastTimerTurn >= 40) {
      lastTimerTurn = now;
      return new Promise((resolve) => hostTimers.setTimeout(resolve, 0));
    }
  }
  const s = hostTimers.setImmediate;
  if (s) return new Promise((resolve) => s(resolve));
  if (typeof MessageChannel === 'function' && !isEdge) {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(0);
    });
  }
  return new Promise((resolve) => hostTimers.setTimeout(resolve, 0));
}
