/**
 * Memory management: `tidy` scopes, `keep`, `memory()`, and the FinalizationRegistry that frees
 * (and, in debug mode, reports) tensors that were never disposed.
 *
 * Garbage collection is a safety net, not a strategy: it runs late or never, and the WASM
 * memory it would free is invisible to the JS engine's heuristics. Dispose what you create.
 */
import { deeperStacks, InvalidArgumentError } from './errors.js';
import { describe } from './ops/convert.js';
import { isThenable, microtask } from './runtime.js';
import { call, check, instanceId, isInitialized, MANY_LIVE_MODELS, MANY_LIVE_TENSORS, onReset, outPtr, raw, readOut, setModelCounter, threadsInfo } from './engine.js';

/**
 * What the finalizer needs to free a forgotten object, and where the object's registration
 * stands. The owner keeps it (from {@link track}) and passes it back to {@link untrack}.
 * @internal
 */
export interface Tracked {
  readonly handle: number;
  readonly owner: number;
  readonly kind: string;
  readonly stack?: string;
  /** {@link SCOPED}, {@link PENDING}, {@link REGISTERED}, {@link DONE} or {@link TIDIED}. */
  state: number;
  /** A model counted in {@link liveModelCount} until it is disposed or finalized. */
  counted?: boolean;
  /** Set when {@link TIDIED} by a scope neurite opened (see {@link tidyNoted}): what freed it, for messages. */
  freedIn?: string;
}

/** In a tidy scope, which frees it; it joins the finalizer only if it escapes. */
const SCOPED = 0;
/** Waiting in {@link pending} to join the finalizer (unless disposed first). */
const PENDING = 1;
/** Registered with the finalizer. */
const REGISTERED = 2;
/** Disposed, or left to a reset instance: nothing to do. */
const DONE = 3;
/** Disposed by the end of the tidy scope it was made in (DONE, with the reason for messages). */
const TIDIED = 4;

/** Anything with a handle that neurite tracks. */
export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

let debug = false;
let leaked = 0;
/**
 * Live models of the current instance: built (a model's handle is made by its build) and
 * neither disposed nor finalized. The core counts tensors; models are counted here, where
 * they are tracked.
 */
let liveModelCount = 0;

setModelCounter(() => liveModelCount);

/** Takes a model's record out of {@link liveModelCount} (once; a reset instance's records are not in it). */
function uncount(rec: Tracked): void {
  if (!rec.counted) return;
  rec.counted = false;
  if (rec.owner === instanceId()) liveModelCount--;
}

/** Frees an object the garbage collector found forgotten (the registry's callback). */
function finalize(held: Tracked): void {
  if (held.owner !== instanceId()) return; // its instance is gone already
  if (waiting !== null) return void waiting.push(held);
  uncount(held);
  leaked++;
  if (debug) reportLeak(held);
  try { raw().nr_tensor_free(held.handle); } catch { /* instance unusable: nothing to free */ }
}

const registry = typeof FinalizationRegistry === 'undefined' ? null : new FinalizationRegistry<Tracked>(finalize);

/** Objects finalized while {@link holdFinalizer} holds them; `null` when not holding. */
let waiting: Tracked[] | null = null;

/**
 * @internal Tests: while on, forgotten objects the garbage collector finalizes wait, and are
 * freed when it is turned off; a test's live counts then move only with its own calls (a GC
 * between two awaits freed what an earlier test forgot, and a comparison was off by that).
 */
export function holdFinalizer(on: boolean): void {
  if (on) waiting ??= [];
  else {
    const q = waiting ?? [];
    waiting = null;
    q.forEach(finalize);
  }
}

/**
 * How many objects made at each place (the first frame of their creation stack outside neurite)
 * were finalized without dispose(), in debug mode: a loop that forgets a tensor per step made
 * the same 12-line stack print once per tensor (1,200 stacks for 300 leaky copies).
 */
const leaksAt = new Map<string, number>();

/** A stack frame's file: V8's `    at f (url:1:2)` or `    at url:1:2`, SpiderMonkey's and JavaScriptCore's `f@url:1:2`. */
const FRAME_FILE = /\(?((?:file|https?):\/\/[^\s)]+?|\/[^\s)]+?):\d+:\d+\)?$/;

/**
 * @internal The lines of `stack` that are frames: without V8's `Error: message` header, which
 * Firefox's and Safari's stacks do not have (taking the header as line 0 there dropped a frame,
 * and named the file this code runs from '').
 */
export function frameLines(stack: string | undefined): string[] {
  const lines = (stack ?? '').split('\n').filter((l) => l.trim() !== '');
  return lines.length > 0 && !/@|^\s+at /.test(lines[0]) ? lines.slice(1) : lines;
}

/** @internal The file of the first frame of `stack` that names one, or ''. */
export function firstFrameFile(stack: string | undefined): string {
  for (const line of frameLines(stack)) {
    const m = FRAME_FILE.exec(line);
    if (m) return m[1];
  }
  return '';
}

/** The file this code runs from (the bundle), whose frames a leak's place skips; '' where stacks name none. */
const OWN_FILE = firstFrameFile(new Error().stack);
const OWN_DIR = OWN_FILE.slice(0, OWN_FILE.lastIndexOf('/') + 1);

/**
 * Whether a stack frame is neurite's: its bundle, the chunks beside it (`train.js`, `io.js`…, as
 * a bundler names them: `neurite-<hash>.js`), its sources (`ts/…`, in its own tests), or a
 * built-in function it called (`Array.from (<anonymous>)`): none is the place a leak was made.
 */
function ownFrame(line: string): boolean {
  if (/\((?:<anonymous>|native|index \d+)\)$|node:internal|@\[native code\]$/.test(line)) return true;
  if (OWN_FILE === '') return false;
  if (line.includes(OWN_FILE)) return true;
  const i = line.indexOf(OWN_DIR);
  return i >= 0 && (OWN_DIR.endsWith('/ts/') || /^(?:neurite|train|io|data|wasm)(?:-[\w-]{8})?\.js:/.test(line.slice(i + OWN_DIR.length)));
}

/**
 * The stack where an object is made, in debug mode. V8 keeps 10 frames by default, and a
 * composed op (a loss, `moments`, `stack`, a metric) spends them all inside neurite, so the
 * warning named no line of the caller's: the limit is raised while the stack is taken.
 */
function creationStack(): string | undefined {
  const restore = deeperStacks();
  try {
    return new Error().stack;
  } finally {
    restore();
  }
}

/** The key in {@link leaksAt} of the objects made while debug mode was off (they have no stack). */
const BEFORE_DEBUG = '\0before setDebug(true)';

/**
 * Debug mode's warning for a finalized object: its stack the first time at its place, then
 * counts at powers of two. An object made before `setDebug(true)` has no stack (it printed
 * "(no stack)", which read as a bug): the warning says so, and these are counted together.
 */
function reportLeak(held: Tracked): void {
  const stack = held.stack;
  const frames = frameLines(stack);
  // The place is the first frame outside neurite; a stack of neurite's frames alone is its own
  // place (its first frame, shared by many ops, merged a leak of norm's with one of matMul's).
  const user = frames.find((l) => !ownFrame(l))?.trim();
  const at = stack === undefined ? BEFORE_DEBUG : user ?? stack;
  const n = (leaksAt.get(at) ?? 0) + 1;
  leaksAt.set(at, n);
  if (n === 1) {
    console.warn(
      stack === undefined
        ? `neurite: a ${held.kind} was garbage-collected without dispose(); it was created before setDebug(true), so no creation stack was recorded (call setDebug(true) before it is made, e.g. at startup, to see where)`
        : `neurite: a ${held.kind} was garbage-collected without dispose(); it was created at:\n${stack}`,
    );
  } else if ((n & (n - 1)) === 0) {
    console.warn(
      stack === undefined
        ? `neurite: ${n} objects created before setDebug(true) (so no creation stack was recorded) have been garbage-collected without dispose()`
        : `neurite: ${n} objects created at the same place (${user ?? `by the same stack, ${frames[0]?.trim() ?? ''} …`}; the whole stack was printed for the first) have been garbage-collected without dispose()`,
    );
  }
}

/** Stack of open tidy scopes; each holds what was created inside it. */
const scopes: Map<Disposable, Tracked>[] = [];

/**
 * Microtask turns since the module loaded, counted by a microtask that the outermost tidy
 * queues at its entry (one at a time), and the turn in which the outermost open tidy began.
 * tidy is synchronous, so a scope still open in a later turn was abandoned: JS stopped the
 * code inside it (Ctrl-C in the Node REPL, a `vm` timeout terminate it without running its
 * `finally`). The next scope operation ({@link track}, {@link tidy}, {@link keep}) then closes
 * it ({@link closeAbandoned}); without that, the dead scope would hold everything made
 * afterwards, which the finalizer then never frees.
 */
let turn = 0;
let turnQueued = false;
let outerTurn = 0;

function nextTurn(): void {
  turnQueued = false;
  turn++;
}

/**
 * @internal The current turn (see {@link turn}), queueing its end: synchronous code that is
 * still running in a later turn was stopped by JS (autodiff stamps its tape with it).
 */
export function turnNow(): number {
  if (!turnQueued) {
    turnQueued = true;
    microtask(nextTurn);
  }
  return turn;
}

/** Run when interrupted tidy scopes are closed (autodiff ends a tape its `grad` left recording). */
const abandonListeners: Array<() => void> = [];

/** @internal Registers a callback run when the scopes of an interrupted tidy are closed. */
export function onAbandoned(f: () => void): void {
  abandonListeners.push(f);
}

/**
 * Closes the scopes of an interrupted tidy (see {@link turn}) as tidy would have on a throw:
 * frees what they hold. Warns once for them.
 */
function closeAbandoned(): void {
  const dead = scopes.splice(0).reverse();
  for (const f of abandonListeners) f();
  let freed = 0;
  for (const scope of dead) {
    for (const [t, rec] of scope) {
      if (t.isDisposed) continue;
      try {
        t.dispose();
        freed++;
      } catch { /* its instance is gone */ }
      rec.state = TIDIED;
    }
  }
  console.warn(
    `neurite: a tidy() was interrupted (Ctrl-C or a vm timeout) and never finished; it is closed now, and the ${freed} tensor${freed === 1 ? '' : 's'} ` +
      'made inside it were disposed. Tensors made from now on are tracked as usual.',
  );
}

/**
 * Objects (with their records, at the same index) that join the finalizer at the end of the
 * current job (a microtask), or once {@link PENDING_MAX} are waiting. Registering and
 * unregistering cost more than the rest of a small op together, and most tensors made outside
 * tidy are disposed within the job that made them: those are never registered. A forgotten
 * object is held here until the flush, then registered as before, so the finalizer still
 * frees and counts it (one job later at most, or after PENDING_MAX more objects).
 */
const pending: Disposable[] = [];
const pendingRecords: Tracked[] = [];
const PENDING_MAX = 64;
let flushQueued = false;

/** Registers the pending objects that are still live. */
function flush(): void {
  let registered = 0;
  for (let i = 0; i < pending.length; i++) {
    const rec = pendingRecords[i];
    if (rec.state !== PENDING) continue;
    rec.state = REGISTERED;
    registry!.register(pending[i], rec, pending[i]);
    registered++;
  }
  pending.length = 0;
  pendingRecords.length = 0;
  if (registered > 0) {
    registeredSinceCount += registered;
    checkPressure();
  }
}

/**
 * Objects joined the finalizer since {@link checkLiveCount} last looked, and the live-tensor
 * count at which it next warns. Each live object holds one of the ~1 million handles whatever
 * its size, and a synchronous loop never lets the finalizer run (it runs between jobs): a loop
 * that forgets two small tensors a step runs out of handles at half a million steps with ~100
 * MB of memory, far below the memory warning. A server's request handler that forgets its
 * tensors yields between requests, but the collector, which sees only the small wrappers,
 * runs late: the warning names both.
 */
let registeredSinceCount = 0;
let liveWarnAt = 2 ** 17;

/**
 * The live-model count at which {@link checkLiveCount} warns. Small models never reach the
 * memory warnings: a 5-8-2 network holds 264 bytes of weights beside ~2.5 kB of bookkeeping,
 * and a neuroevolution loop that replaced its 500 brains each generation without disposing
 * them had 100,000 live models (288 MB) and no warning, only a game that slowed down.
 */
let modelWarnAt = 2 ** 14;

/** @internal Sets the live-tensor (and, when given, live-model) count that triggers the forgotten-tensors (models) warning (tests). */
export function setLiveTensorThreshold(n: number, models?: number): void {
  liveWarnAt = n;
  registeredSinceCount = 0;
  if (models !== undefined) modelWarnAt = models;
}

/**
 * Warns (then not again before the count doubles) when {@link liveWarnAt} tensors are live,
 * and likewise when {@link modelWarnAt} models are.
 */
function checkLiveCount(): void {
  if (liveModelCount >= modelWarnAt) {
    modelWarnAt = 2 * liveModelCount;
    console.warn(
      `neurite: ${liveModelCount} models are live (each holds a handle and ~2.5 kB of WebAssembly memory beside its weights, and memory() walks them all). ` +
        'A model dropped without model.dispose() is freed only when the garbage collector finalizes it, which happens between jobs of the event loop, ' +
        'not during a synchronous loop: dispose() the models you replace (a population\'s losers, last run\'s model), or keep a fixed pool and write new ' +
        'weights into it (model.setWeights); memory().numModels counts them.',
    );
  }
  if (registeredSinceCount < Math.min(4096, liveWarnAt / 4)) return;
  registeredSinceCount = 0;
  // The tensor count alone, from the core's counters: memory() also sums every live model's
  // bytes, a walk over all of them (16 ms at 20,000 models, here every 4,096 new objects).
  const n = liveTensorCount();
  if (n < liveWarnAt) return;
  liveWarnAt = 2 * n;
  console.warn(
    `neurite: ${n} tensors are live, of at most about a million (each tensor and model holds one handle, whatever its size). ` +
      'A tensor dropped without dispose() is freed only when the garbage collector finalizes it, which happens between jobs of the event loop: ' +
      'never during a synchronous loop, and late in a server whose request handler forgets them (the collector sees only their small JS wrappers). ' +
      'dispose() what you no longer need, or compute each step or request inside tidy(). memory() counts what is live; ' +
      'setDebug(true) reports where forgotten tensors were made.',
  );
}

/** Live tensors, as `memory().numTensors`, from the core's counters (`nr_live_counts`); 0 before `init`. */
function liveTensorCount(): number {
  if (!isInitialized()) return 0;
  return call((e) => {
    check(e.nr_live_counts(outPtr(0)));
    return readOut(1);
  });
}

/**
 * The size of WebAssembly memory at which {@link checkPressure} next looks at what is live.
 * The garbage collector that runs the finalizer sees only the small JS wrappers, never the
 * WebAssembly memory they hold, so a loop that forgets to dispose can fill memory before it
 * runs: a warning says so once live tensors hold a lot, and again each time memory doubles.
 */
let pressureAt = 2 ** 30;

/**
 * The same for live models ({@link checkPressure}): a program that makes a model per
 * experiment and never disposes one (a brain.js habit: its networks are plain JS objects)
 * filled 1.47 GB with 3,000 forgotten models of ~1 MB before the collector ran.
 */
let modelPressureAt = 2 ** 30;

/** @internal Sets the memory size that triggers the forgotten-tensors and forgotten-models warnings (tests). */
export function setPressureThreshold(bytes: number): void {
  pressureAt = bytes;
  modelPressureAt = bytes;
}

/**
 * Warns (then not again before memory doubles) when many live tensors hold at least half of a
 * memory past {@link pressureAt}, and likewise for many live models and {@link modelPressureAt}.
 */
function checkPressure(): void {
  checkLiveCount();
  let size: number;
  try {
    size = raw().memory.buffer.byteLength;
  } catch {
    return;
  }
  if (size < pressureAt && size < modelPressureAt) return;
  // Too few objects holding too little to blame: look again at the next flush (one call).
  const m = memory();
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
  if (size >= modelPressureAt && m.modelBytes >= size / 2 && m.numModels >= MANY_LIVE_MODELS) {
    modelPressureAt = 2 * size;
    console.warn(
      `neurite: WebAssembly memory has grown to ${mb(size)}, and ${m.numModels} live models hold ${mb(m.modelBytes)} of it (weights, gradients, optimizer state). ` +
        'A model dropped without model.dispose() is freed only when the garbage collector finalizes it, which happens between jobs of the event loop ' +
        '(never during a synchronous loop), and the collector does not see WebAssembly memory, so it may not run before memory runs out (and ' +
        'WebAssembly memory never shrinks): call model.dispose() when you are done with a model (a new model per experiment or run, a model ' +
        'replaced by a better one), or declare it with `using`. memory() counts them (numModels, modelBytes).',
    );
  }
  if (size < pressureAt || m.numBytes < size / 2 || m.numTensors < MANY_LIVE_TENSORS) return;
  pressureAt = 2 * size;
  console.warn(
    `neurite: WebAssembly memory has grown to ${mb(size)}, and ${m.numTensors} live tensors hold ${mb(m.numBytes)} of it. ` +
      'A tensor dropped without dispose() is freed only when the garbage collector finalizes it, and the collector does not see ' +
      'WebAssembly memory, so it may not run before memory runs out (and WebAssembly memory never shrinks): dispose() what you ' +
      'no longer need, or compute each step inside tidy(). memory() counts what is live; setDebug(true) reports where forgotten tensors were made.',
  );
}

/** The microtask queued by {@link enqueue} (one at a time). */
function flushAtEndOfJob(): void {
  flushQueued = false;
  flush();
}

/** Queues `obj` to join the finalizer (see {@link pending}). */
function enqueue(obj: Disposable, rec: Tracked): void {
  if (!registry) {
    rec.state = DONE;
    return;
  }
  // A full queue is flushed before `obj` joins it: in a loop that makes and disposes a
  // tensor, everything queued before is disposed already, and nothing is registered.
  if (pending.length >= PENDING_MAX) flush();
  if (!flushQueued) {
    flushQueued = true;
    microtask(flushAtEndOfJob);
  }
  rec.state = PENDING;
  pending.push(obj);
  pendingRecords.push(rec);
}

onReset(() => {
  // What the old instance made needs no freeing; a queued flush finds nothing.
  for (const scope of scopes) for (const rec of scope.values()) rec.state = DONE;
  for (const rec of pendingRecords) rec.state = DONE;
  scopes.length = 0;
  pending.length = 0;
  pendingRecords.length = 0;
  liveModelCount = 0;
});

/**
 * Turns debug mode on or off. In debug mode every tensor records where it was created, and a
 * tensor that is garbage-collected without `dispose()` prints a warning with that stack. A
 * tensor made before debug mode was turned on has no stack: its warning says it was created
 * before `setDebug(true)`, so turn it on at startup to see every place.
 */
export function setDebug(on: boolean): void {
  if (typeof on !== 'boolean') throw new InvalidArgumentError(`setDebug: on must be true or false, got ${on === null ? 'null' : typeof on}`);
  debug = on;
}

/** Whether debug mode is on (see {@link setDebug}). @internal */
export function isDebug(): boolean {
  return debug;
}

/**
 * Tracks a new object: the innermost tidy scope frees it (unless `scoped` is false, as for
 * models, whose weights outlive any scope), else the finalizer frees it if it is forgotten.
 * Returns the record that {@link untrack} takes on dispose. @internal
 */
export function track(obj: Disposable, handle: number, kind: string, scoped = true): Tracked {
  const rec: Tracked = { handle, owner: instanceId(), kind, stack: debug ? creationStack() : undefined, state: SCOPED };
  if (kind === 'model') {
    rec.counted = true;
    liveModelCount++;
  }
  if (scopes.length !== 0 && outerTurn !== turn) closeAbandoned();
  const scope = scoped ? scopes[scopes.length - 1] : undefined;
  // Inside a tidy scope the scope frees the object: it joins the finalizer only if it
  // escapes (returned from the outermost scope, or kept).
  if (scope) scope.set(obj, rec);
  else enqueue(obj, rec);
  return rec;
}

/** Registers an object that leaves every scope alive. */
function escape(obj: Disposable, rec: Tracked): void {
  if (rec.state === SCOPED && !obj.isDisposed) enqueue(obj, rec);
}

/** Takes a disposed object off the finalizer (`rec` from {@link track}). @internal */
export function untrack(obj: Disposable, rec: Tracked | undefined): void {
  if (!rec) return;
  uncount(rec);
  if (rec.state === REGISTERED) registry?.unregister(obj);
  rec.state = DONE;
}

/**
 * Runs `fn` and disposes every tensor created inside it, except those it returns (alone, or
 * inside arrays, plain objects or class instances, at any depth, as TF.js) and those passed to
 * {@link keep}. Scopes nest: returned
 * tensors belong to the enclosing scope. `fn` must be synchronous, and a Map or Set holding
 * tensors made inside it is an error (they would be freed): return an array or plain object.
 *
 * @example
 * const y = tidy(() => x.mul(2).add(1)); // the intermediate x.mul(2) is freed
 */
export function tidy<T>(fn: () => T): T;
/**
 * {@link tidy} with a scope name, TF.js's `tf.tidy(name, fn)`: the same as `tidy(fn)` (the
 * name is accepted for ported code and not used).
 *
 * @example
 * const loss = tidy('loss', () => pred.sub(y).square().mean());
 */
export function tidy<T>(name: string, fn: () => T): T;
export function tidy<T>(nameOrFn: string | (() => T), maybeFn?: () => T): T {
  const fn = typeof nameOrFn === 'function' ? nameOrFn : maybeFn;
  if (typeof fn !== 'function') {
    // Name what was passed: tidy(fn) or tidy(name, fn).
    const got = typeof nameOrFn === 'string' ? `a name and ${describe(maybeFn)}` : describe(nameOrFn);
    throw new InvalidArgumentError(`tidy: expected a function (tidy(fn) or tidy(name, fn)), got ${got}`);
  }
  if (scopes.length !== 0 && outerTurn !== turn) closeAbandoned();
  if (scopes.length === 0) outerTurn = turnNow();
  const scope = new Map<Disposable, Tracked>();
  if (nextNote !== undefined) {
    scopeNotes.set(scope, nextNote);
    nextNote = undefined;
  }
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    closeScope(scope, NOTHING);
    throw e;
  }
  try {
    return finish(scope, result);
  } catch (e) {
    // Reading the result threw (a getter, a Proxy trap): the scope still closes.
    closeScope(scope, NOTHING);
    throw e;
  }
}

/** What the scopes neurite opens for a user's function free their tensors at the end of (see {@link tidyNoted}). */
const scopeNotes = new WeakMap<Map<Disposable, Tracked>, string>();
/** The note of the next scope {@link tidy} opens (set by {@link tidyNoted}). */
let nextNote: string | undefined;

/**
 * @internal {@link tidy} for a scope neurite opens around a user's function (`grad`'s `f`):
 * a tensor it frees says so as `note` ("freed at the end of grad's f, …"), not as a tidy the
 * user never wrote.
 */
export function tidyNoted<T>(note: string, fn: () => T): T {
  nextNote = note;
  try {
    return tidy(fn);
  } finally {
    nextNote = undefined;
  }
}

/** The rest of {@link tidy} once `fn` returned `result`: keeps what it returns, frees the rest. */
function finish<T>(scope: Map<Disposable, Tracked>, result: T): T {
  if (isThenable(result)) {
    closeScope(scope, NOTHING);
    // NOTE: the caller gets the error below, never the promise, so its rejection (it goes on
    // to use the tensors just freed) would be unhandled and end a Node process: it is dropped.
    if (typeof (result as { catch?: unknown }).catch === 'function') (result as unknown as Promise<unknown>).catch(() => {});
    else result.then(undefined, () => {});
    throw new InvalidArgumentError(
      'tidy: fn must not return a Promise (an async function returns one): tidy scopes are synchronous, so the tensors fn made were freed ' +
        'when it returned, before the code after its first await ran. await outside tidy and tidy only the synchronous part: ' +
        'const v = await load(); const y = tidy(() => f(v));',
    );
  }
  // The usual results, without collect's sets: nothing to keep (a number, undefined), or one
  // tensor (or other disposable) returned alone.
  if (result === null || typeof result !== 'object') {
    closeScope(scope, NOTHING);
    return result;
  }
  if (isDisposable(result)) {
    closeScope(scope, NOTHING, result);
    const rec = scope.get(result);
    if (rec) {
      const parent = scopes[scopes.length - 1];
      if (parent) parent.set(result, rec);
      else escape(result, rec);
    }
    return result;
  }
  const escaping = new Set<Disposable>();
  const boxed = new Map<Disposable, Map<unknown, unknown> | Set<unknown>>();
  collect(result, escaping, boxed);
  for (const [t, box] of boxed) {
    if (!scope.has(t) || escaping.has(t)) continue;
    // A tensor made here that the caller would get back freed: free what fn made, as when
    // it throws (the caller's own tensors, made before tidy, are untouched), and say why.
    closeScope(scope, NOTHING);
    const kind = box instanceof Map ? 'Map' : 'Set';
    const at = containerPath(result, box, 'result', new Set());
    throw new InvalidArgumentError(
      `tidy: fn returned a ${kind} holding tensors made inside it${at === 'result' || at === '' ? '' : ` (at ${at})`}; tidy keeps the tensors fn returns ` +
        `directly or inside arrays and other objects, and would free those in a ${kind}: return an array or a plain object instead ` +
        `(${kind === 'Map' ? 'Object.fromEntries(map) or [...map]' : '[...set]'}), or keep() each tensor`,
    );
  }
  closeScope(scope, escaping);
  const parent = scopes[scopes.length - 1];
  for (const t of escaping) {
    const rec = scope.get(t);
    if (!rec) continue;
    if (parent) parent.set(t, rec);
    else escape(t, rec);
  }
  return result;
}

/** The empty set of escaping objects of {@link closeScope}. */
const NOTHING: ReadonlySet<Disposable> = new Set();

/** Ends `scope`: frees what it holds but `escaping` (and `one`, if given). */
function closeScope(scope: Map<Disposable, Tracked>, escaping: ReadonlySet<Disposable>, one?: Disposable): void {
  if (scopes[scopes.length - 1] === scope) scopes.pop();
  else {
    const i = scopes.lastIndexOf(scope);
    if (i >= 0) scopes.splice(i, 1);
  }
  const note = scopeNotes.get(scope);
  for (const [t, rec] of scope) {
    if (t === one || escaping.has(t) || t.isDisposed) continue;
    t.dispose();
    rec.state = TIDIED;
    if (note !== undefined) rec.freedIn = note;
  }
}

/**
 * @internal Why a disposed object is gone, for its {@link DisposedError}: the end of the tidy
 * it was made in, or `''` (its own `dispose()`, or a reset). `rec` from {@link track}.
 */
export function freedNote(rec: Tracked): string {
  if (rec.state !== TIDIED) return '';
  return rec.freedIn !== undefined ? ` (freed at the end of ${rec.freedIn})` : ' (freed at the end of the tidy() it was made in; return it from the function or keep() it)';
}

/**
 * Adds to `into` the disposables in `v`: `v` itself, or inside arrays and plain objects
 * (null-prototype and another realm's too) at any depth (each object once: cycles end). With
 * `boxed` (tidy's result) it also looks inside class instances, as TF.js's tidy keeps the
 * tensors of any container, and those inside a Map or Set (its keys and values, and what those
 * hold) go to `boxed` instead, with their container, for tidy's error. Typed arrays and buffers
 * hold no tensors and are skipped.
 */
function collect(v: unknown, into: Set<Disposable>, boxed?: Map<Disposable, Map<unknown, unknown> | Set<unknown>>): void {
  const seen = new Set<object>();
  const todo: Array<[object, Map<unknown, unknown> | Set<unknown> | undefined]> = [];
  /** Queues `y` if it is an object (a million numbers in an array are skipped here, not queued). */
  const add = (y: unknown, b: Map<unknown, unknown> | Set<unknown> | undefined): void => {
    if (y !== null && typeof y === 'object' && !seen.has(y)) todo.push([y, b]);
  };
  add(v, undefined);
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    const [x, box] = next;
    if (seen.has(x)) continue;
    seen.add(x);
    if (isDisposable(x)) {
      if (box) boxed!.set(x, box);
      else into.add(x);
    } else if (x instanceof Map || x instanceof Set) {
      if (!boxed) continue;
      const b = box ?? x;
      if (x instanceof Map) for (const [k, y] of x) (add(k, b), add(y, b));
      else for (const y of x) add(y, b);
    } else if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) add(x[i], box);
      // Named keys too, as TF.js's for…in (tfjs-examples' cart-pole keeps gradients in
      // `const all = []; all[name] = …`); not on a large array, which is data, not a container.
      // Index keys come first, in order, named ones after them: a last key that is the last
      // index means none (one comparison instead of a RegExp per element).
      if (x.length <= 65536) {
        const keys = Object.keys(x);
        if (keys.length !== x.length || (keys.length > 0 && keys[keys.length - 1] !== String(x.length - 1))) for (const k of keys) if (!/^\d+$/.test(k)) add((x as unknown as Record<string, unknown>)[k], box);
      }
    } else if (!ArrayBuffer.isView(x) && !(x instanceof ArrayBuffer) && (boxed !== undefined || isPlain(x))) {
      for (const k of Object.keys(x)) add((x as Record<string, unknown>)[k], box);
    }
  }
}

/**
 * A plain object: `{}`, `Object.create(null)`, or another realm's `{}`. `dispose()` looks only
 * inside those (and arrays): a class instance may hold a model it does not own (a callback's
 * `model`), which tidy may keep but dispose must not free.
 */
function isPlain(x: object): boolean {
  const p = Object.getPrototypeOf(x) as object | null;
  return p === null || p === Object.prototype || Object.getPrototypeOf(p) === null;
}

/** Where `box` sits in tidy's result `v` (`result.weights[1]`), for its error; only on that error path. */
function containerPath(v: unknown, box: object, path: string, seen: Set<object>): string {
  if (v === box) return path;
  if (v === null || typeof v !== 'object' || seen.has(v) || v instanceof Map || v instanceof Set || ArrayBuffer.isView(v)) return '';
  seen.add(v);
  for (const k of Object.keys(v)) {
    const found = containerPath((v as Record<string, unknown>)[k], box, Array.isArray(v) ? `${path}[${k}]` : `${path}.${k}`, seen);
    if (found) return found;
  }
  return '';
}

function isDisposable(v: object): v is Disposable {
  return typeof (v as Disposable).dispose === 'function' && 'isDisposed' in v;
}

/**
 * @internal Closes the tidy scopes an interrupted call left open in an earlier turn (and runs
 * the abandon listeners: a gradient's tape ends), as every scope operation does first; for
 * calls that must see that before anything else (a gradient's `nr_tape_begin`).
 */
export function settleAbandoned(): void {
  if (scopes.length !== 0 && outerTurn !== turn) closeAbandoned();
}

/** Keeps `t` alive past the end of the enclosing tidy scopes. Returns `t`. */
export function keep<T extends Disposable>(t: T): T {
  if (t === null || typeof t !== 'object' || !isDisposable(t)) {
    throw new InvalidArgumentError(`keep: t must be a Tensor or another disposable neurite object, got ${t === null ? 'null' : typeof t}`);
  }
  if (scopes.length !== 0 && outerTurn !== turn) closeAbandoned();
  let rec: Tracked | undefined;
  for (const s of scopes) {
    rec ??= s.get(t);
    s.delete(t);
  }
  if (rec) escape(t, rec);
  return t;
}

/**
 * Disposes every tensor (and other disposable neurite object: model, optimizer, variable) in
 * `container`: one of them, or arrays and plain objects of them at any depth, as TF.js's
 * `tf.dispose`. Other values are skipped, the container itself too when it is not an object
 * (`undefined`, a number: as TF.js), and class instances are not looked into (one may hold a
 * model it does not own); disposing twice is harmless. A function is an error (a call's
 * parentheses left out).
 *
 * @example
 * const [a, b] = [tensor([1, 2]), tensor([3, 4])];
 * dispose([a, { b }]); // a.isDisposed && b.isDisposed
 */
export function dispose(container: unknown): void {
  if (typeof container === 'function') throw new InvalidArgumentError('dispose: container must be a Tensor, or an array or plain object of tensors, got a function');
  if (container === null || typeof container !== 'object') return;
  const found = new Set<Disposable>();
  collect(container, found);
  for (const t of found) t.dispose();
}

/** Memory in use, as `memory()` reports it. */
export interface MemoryInfo {
  /**
   * Live tensors (created and not yet disposed). An optimizer stepping plain `variable`s
   * (not the weights of a model compiled with it) keeps its state for each as a tensor,
   * counted here and in `numBytes` until `optimizer.dispose()` (TF.js's optimizers count
   * theirs as tensors too).
   */
  numTensors: number;
  /** The live tensors' distinct buffers (TF.js's `numDataBuffers`): tensors sharing storage (`clone`, `getWeights()` copies) count once. */
  numDataBuffers: number;
  /**
   * Bytes of live tensors' values (model weights are counted in `modelBytes`), each buffer
   * once, as TF.js counts a data id once: tensors that share storage — `getWeights()` copies
   * share the model's until either is written, `clone(t)` shares `t`'s — count it once between
   * them (a `getWeights()` copy counts here as well as in `modelBytes`, as long as both hold it).
   */
  numBytes: number;
  /**
   * Bytes held by live models and the other stateful objects: weights (a layer shared by
   * several models, or a model nested in another, counted once), their gradients once a
   * backward pass has reached them (the first training step or tape `grad`; a model used only
   * for `predict` and `evaluate` has none), optimizer state (Adam's moments, ...), perceptrons
   * and PCAs. TF.js counts its variables in `numBytes`.
   */
  modelBytes: number;
  /**
   * Live models: built (a model gets its WebAssembly state when it is built, by `compile`,
   * `fit`, `predict` or `build`) and not yet disposed, each nested model counted too. A model
   * dropped without `dispose()` stays counted until the garbage collector finalizes it (between
   * jobs of the event loop, never during a synchronous loop); neurite warns once many of them
   * hold half of a large memory.
   */
  numModels: number;
  /** Size of the WebAssembly linear memory. It grows on demand and never shrinks. */
  wasmBytes: number;
  /** All live handles: tensors, models, optimizers and the other objects that hold WebAssembly memory. */
  numHandles: number;
  /** Tensors and models freed by the garbage collector because nobody called `dispose()`. */
  numLeaked: number;
  /** Threads computing (the calling thread plus joined workers; 0 before `init`), as `threads().count`. */
  threads: number;
}

/**
 * Reports live tensors and memory. A loop that creates and disposes tensors keeps these flat.
 * It walks the live handles: ~2 µs with none, ~1 ms with 2,000 models and 4,000 tensors, so
 * read it now and then rather than every frame of a game loop.
 */
export function memory(): MemoryInfo {
  if (!isInitialized()) return { numTensors: 0, numDataBuffers: 0, numBytes: 0, modelBytes: 0, numModels: 0, wasmBytes: 0, numHandles: 0, numLeaked: leaked, threads: 0 };
  return call((e) => {
    check(e.nr_memory(outPtr(0)));
    // The memory's size from JS: the core's u32 wrapped to 0 at 4 GiB (65,536 pages), the very
    // moment a health check reading it should fire.
    return { numHandles: readOut(0), numTensors: readOut(1), numDataBuffers: readOut(5), numBytes: readOut(2), modelBytes: readOut(4), numModels: liveModelCount, wasmBytes: e.memory.buffer.byteLength, numLeaked: leaked, threads: threadsInfo().count };
  });
}
