/**
 * Memory management: `tidy` scopes, `keep`, `memory()`, and the FinalizationRegistry that frees
 * (and, in debug mode, reports) tensors that were never disposed.
 *
 * Garbage collection is a safety net, not a strategy: it runs late or never, and the WASM
 * memory it would free is invisible to the JS engine's heuristics. Dispose what you create.
 */
import { InvalidArgumentError } from './errors.js';
import { call, check, instanceId, isInitialized, onReset, outPtr, raw, readOut, threadsInfo } from './engine.js';

/** What the finalizer needs to free a forgotten object. */
interface Held {
  handle: number;
  owner: number;
  kind: string;
  stack?: string;
}

/** Anything with a handle that neurite tracks. */
export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

let debug = false;
let leaked = 0;

const registry =
  typeof FinalizationRegistry === 'undefined'
    ? null
    : new FinalizationRegistry<Held>((held) => {
        if (held.owner !== instanceId()) return; // its instance is gone already
        leaked++;
        if (debug) {
          console.warn(`neurite: a ${held.kind} was garbage-collected without dispose(); it was created at:\n${held.stack ?? '(no stack)'}`);
        }
        try { raw().nr_tensor_free(held.handle); } catch { /* instance unusable: nothing to free */ }
      });

/** Stack of open tidy scopes; each holds what was created inside it. */
const scopes: Set<Disposable>[] = [];

onReset(() => {
  scopes.length = 0;
});

/**
 * Turns debug mode on or off. In debug mode every tensor records where it was created, and a
 * tensor that is garbage-collected without `dispose()` prints a warning with that stack.
 */
export function setDebug(on: boolean): void {
  if (typeof on !== 'boolean') throw new InvalidArgumentError(`setDebug: on must be true or false, got ${on === null ? 'null' : typeof on}`);
  debug = on;
}

/**
 * Registers a new object with the finalizer and (unless `scoped: false`, as for models, whose
 * weights outlive any scope) with the innermost tidy scope. @internal
 */
export function track(obj: Disposable, handle: number, kind: string, opts: { scoped?: boolean } = {}): void {
  const held: Held = { handle, owner: instanceId(), kind, stack: debug ? new Error().stack : undefined };
  const scope = opts.scoped === false ? undefined : scopes[scopes.length - 1];
  if (scope) {
    // NOTE: inside a tidy scope the scope frees the object, so it joins the finalizer only if
    // it escapes (returned from the outermost scope, or kept). Registration is the most
    // expensive part of creating a tensor; most tensors in tidy code never need it.
    scope.add(obj);
    unregistered.set(obj, held);
  } else {
    registry?.register(obj, held, obj);
  }
}

/** Objects created in a scope and not (yet) registered with the finalizer. */
const unregistered = new WeakMap<Disposable, Held>();

/** Registers an object that leaves every scope alive. */
function escape(obj: Disposable): void {
  const held = unregistered.get(obj);
  if (held) {
    unregistered.delete(obj);
    if (!obj.isDisposed) registry?.register(obj, held, obj);
  }
}

/** Removes an object from the finalizer (on dispose). @internal */
export function untrack(obj: Disposable): void {
  if (unregistered.has(obj)) unregistered.delete(obj);
  else registry?.unregister(obj);
}

/**
 * Runs `fn` and disposes every tensor created inside it, except those it returns (alone, or
 * inside arrays and plain objects) and those passed to {@link keep}. Scopes nest: returned
 * tensors belong to the enclosing scope. `fn` must be synchronous.
 *
 * @example
 * const y = tidy(() => x.mul(2).add(1)); // the intermediate x.mul(2) is freed
 */
export function tidy<T>(fn: () => T): T;
export function tidy<T>(name: string, fn: () => T): T;
export function tidy<T>(nameOrFn: string | (() => T), maybeFn?: () => T): T {
  const fn = typeof nameOrFn === 'function' ? nameOrFn : maybeFn;
  if (typeof fn !== 'function') throw new InvalidArgumentError(`tidy: fn must be a function, got ${typeof fn}`);
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    closeScope(scope, new Set());
    throw e;
  }
  if (result instanceof Promise) {
    closeScope(scope, new Set());
    throw new InvalidArgumentError('tidy: fn must not return a Promise; tidy scopes are synchronous');
  }
  const escaping = new Set<Disposable>();
  collect(result, escaping, 0);
  closeScope(scope, escaping);
  const parent = scopes[scopes.length - 1];
  for (const t of escaping) {
    if (!scope.has(t)) continue;
    if (parent) parent.add(t);
    else escape(t);
  }
  return result;
}

function closeScope(scope: Set<Disposable>, escaping: Set<Disposable>): void {
  const i = scopes.lastIndexOf(scope);
  if (i >= 0) scopes.splice(i, 1);
  for (const t of scope) if (!escaping.has(t)) t.dispose();
}

function collect(v: unknown, into: Set<Disposable>, depth: number): void {
  if (depth > 16 || v === null || typeof v !== 'object') return;
  if (isDisposable(v)) {
    into.add(v);
  } else if (Array.isArray(v)) {
    for (const x of v) collect(x, into, depth + 1);
  } else if (Object.getPrototypeOf(v) === Object.prototype) {
    for (const x of Object.values(v)) collect(x, into, depth + 1);
  }
}

function isDisposable(v: object): v is Disposable {
  return typeof (v as Disposable).dispose === 'function' && 'isDisposed' in v;
}

/** Keeps `t` alive past the end of the enclosing tidy scopes. Returns `t`. */
export function keep<T extends Disposable>(t: T): T {
  if (t === null || typeof t !== 'object' || !isDisposable(t)) {
    throw new InvalidArgumentError(`keep: t must be a Tensor or another disposable neurite object, got ${t === null ? 'null' : typeof t}`);
  }
  for (const s of scopes) s.delete(t);
  escape(t);
  return t;
}

/**
 * Disposes every tensor (and other disposable neurite object: model, optimizer, layer) in
 * `container`: one of them, or arrays and plain objects of them, nested up to 16 levels, as
 * TF.js's `tf.dispose`. Other values inside the container are skipped, and disposing twice
 * is harmless.
 *
 * @example
 * const [a, b] = [tensor([1, 2]), tensor([3, 4])];
 * dispose([a, { b }]); // a.isDisposed && b.isDisposed
 */
export function dispose(container: unknown): void {
  if (container === null || typeof container !== 'object') {
    throw new InvalidArgumentError(`dispose: container must be a Tensor, or an array or plain object of tensors, got ${container === null ? 'null' : typeof container}`);
  }
  const found = new Set<Disposable>();
  collect(container, found, 0);
  for (const t of found) t.dispose();
}

/** Memory in use, as `memory()` reports it. */
export interface MemoryInfo {
  /** Live tensors (created and not yet disposed). */
  numTensors: number;
  /** Bytes held by live tensors' values. */
  numBytes: number;
  /** Size of the WebAssembly linear memory. It grows on demand and never shrinks. */
  wasmBytes: number;
  /** All live handles (tensors and, later, models and optimizers). */
  numHandles: number;
  /** Tensors freed by the garbage collector because nobody called `dispose()`. */
  numLeaked: number;
  /** Threads computing (the calling thread plus joined workers; 0 before `init`), as `threads().count`. */
  threads: number;
}

/** Reports live tensors and memory. A loop that creates and disposes tensors keeps these flat. */
export function memory(): MemoryInfo {
  if (!isInitialized()) return { numTensors: 0, numBytes: 0, wasmBytes: 0, numHandles: 0, numLeaked: leaked, threads: 0 };
  return call((e) => {
    check(e.nr_memory(outPtr(0)));
    return { numHandles: readOut(0), numTensors: readOut(1), numBytes: readOut(2), wasmBytes: readOut(3), numLeaked: leaked, threads: threadsInfo().count };
  });
}
