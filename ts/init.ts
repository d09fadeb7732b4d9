/** `init()`: compiles and instantiates the core once; both entries build on this. */
import { initialisedThrough, moduleFile } from './brand.js';
import { version } from './version.js';
import { isDeno, isNode, zoneTask } from './runtime.js';
import { initFailed, instantiate, isInitialized, rethread, shutdown, threadsInfo, training, workersDeferred, type ThreadConfig } from './engine.js';
import { DisposedError, InvalidArgumentError, IOError, isDenoDenial, NeuriteError, thrownDetail } from './errors.js';
import { didYouMean, optionKeys } from './options.js';
import { DEFAULT_THREADS_CAP, MAX_THREADS, hasRelaxedSimd, hasWorkerThreads, reportedCores, workersUnavailable } from './threads/detect.js';
import { nodeSpawner, nodeWorkerCtor, webSpawner, type Spawner } from './threads/pool.js';
import { compileError, compileFrom, cspRefusal, denoDenial, isResponseLike, isWasmModule, SOURCES, type WasmSource } from './wasm/load.js';
import type { WebURL, WebWorker } from './web-types.js';

/** Options of `init`. */
export interface InitOptions {
  /**
   * Threads to compute on, the calling thread included. Defaults to the cores the runtime
   * reports (`os.availableParallelism()` in Node, `navigator.hardwareConcurrency` in Deno and
   * browsers), at most 8. `1` runs everything on the calling thread. Results are bit-identical
   * for any value. Browsers need a cross-origin-isolated page for more than one. Given to a
   * later `init`, it changes the running instance's threads in place (its tensors and models
   * stay valid).
   *
   * Given, `init` starts the workers and resolves once they joined. Not given, it starts none:
   * the workers start at the first call large enough to split (a training step, a large
   * batch or product), which itself runs on the calling thread, so a program of small calls
   * (a serverless function predicting a few rows) never pays for them. `threads()` reports
   * what runs; {@link threadsReady} starts them at once and waits.
   */
  threads?: number | undefined;
  /**
   * Use the relaxed-SIMD module (fused multiply-add in the matMul kernel) when the runtime
   * supports it (`neurite/url` only). Faster, but results then differ in the last bits between
   * machines; `threads()` says whether it is in use. Default `false`.
   */
  relaxedSimd?: boolean | undefined;
  /** Where the `.wasm` comes from (as `init(source)`). */
  source?: WasmSource | undefined;
}

const INIT_KEYS = ['threads', 'relaxedSimd', 'source'] as const;

/** How an entry finds its modules and starts its workers (internal: used by the two entries). */
export interface Entry {
  /** The entry's import specifier (`'neurite'`, `'neurite/url'`), to name it when two copies meet. */
  name: string;
  /** The module to use when `init()` is given none (the default entry imports it on first use). */
  defaultSource: () => WasmSource | Promise<WasmSource>;
  /** How errors name {@link Entry.defaultSource}'s module (the default entry's: "neurite's inline wasm"; else its URL). */
  defaultName?: string;
  /**
   * Appended to a Deno permission error for {@link Entry.defaultSource}'s file, after the flag
   * to pass: what else would do (`neurite/url`: import 'neurite', whose wasm is inline).
   */
  denoAdvice?: string;
  /** Appended when {@link Entry.defaultSource}'s file is missing (no such file, HTTP 404): where it belongs. */
  missingAdvice?: string;
  /** The relaxed-SIMD module, or `null` if the entry has none. */
  relaxedSource: (() => WasmSource) | null;
  /**
   * The worker: its source text (`code`: Node and Deno start it as an `eval` worker, which
   * needs no file permission; browsers from a Blob URL), or for browsers a worker file next
   * to the bundle (`web`), which bundlers see; `web` returns `null` where that file cannot
   * start a worker (another origin than the page's: neurite from a CDN), and the code runs
   * from a Blob URL instead.
   */
  worker: { code: () => string; web?: () => WebWorker | null };
}

let pending: Promise<void> | null = null;
/** How many times `shutdown()` ran: an init running across one gives up (the last call wins). */
let shutdowns = 0;
/** {@link shutdowns} when {@link pending} began: a later `init()` reuses it only if no shutdown came since. */
let pendingGen = 0;

/** @internal Called by `shutdown()`: an init in progress stops there, and neurite stays shut down. */
export function noteShutdown(): void {
  shutdowns++;
}

/** @internal Whether an `init` is running. */
export function initPending(): boolean {
  return pending !== null;
}

/** What a source is, for error messages. */
function what(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v === 'string' ? 'a string' : `${typeof v} ${String(v)}`;
  const name = (v as object).constructor?.name;
  return Array.isArray(v) ? 'an array' : `an object${name && name !== 'Object' ? ` (${name})` : ` with keys ${JSON.stringify(Object.keys(v))}`}`;
}

/**
 * Checks that `src` is a source `init` understands. A promise is checked once it settles (it
 * must give a `Response`, bytes or a module). Anything else is an {@link InvalidArgumentError},
 * never a fetch of `[object Object]`.
 */
async function checkedSource(src: unknown): Promise<WasmSource> {
  const direct = (v: unknown) => isWasmModule(v) || v instanceof ArrayBuffer || ArrayBuffer.isView(v) || v instanceof URL || typeof v === 'string' || isResponseLike(v);
  if (direct(src)) return src as WasmSource;
  if (src instanceof Promise || (src !== null && typeof src === 'object' && typeof (src as { then?: unknown }).then === 'function')) {
    let v: unknown;
    try {
      v = await (src as PromiseLike<unknown>);
    } catch (err) {
      throw sourceRejected(err);
    }
    if (isWasmModule(v) || v instanceof ArrayBuffer || ArrayBuffer.isView(v) || isResponseLike(v)) return v as WasmSource;
    throw new InvalidArgumentError(`init: the promise passed as the source resolved to ${what(v)}; expected a Response (e.g. fetch(url)), bytes or a WebAssembly.Module`);
  }
  throw new InvalidArgumentError(`init: source must be ${SOURCES} (or an options object with threads, relaxedSimd, source), got ${what(src)}`);
}

/**
 * The error for a source promise that rejected (`init(fetch(url))` with the network down): an
 * {@link IOError}, as when init fetches a URL itself, so that retry logic sees one class;
 * a Deno permission denial is the caller's to fix (an {@link InvalidArgumentError} naming the
 * flag), never worth a retry.
 */
function sourceRejected(err: unknown): InvalidArgumentError | IOError {
  if (err instanceof InvalidArgumentError || err instanceof IOError) return err;
  const detail = thrownDetail(err);
  if (isDenoDenial(err)) {
    return new InvalidArgumentError(`init: the promise passed as the source was refused by Deno's permissions: run with --allow-net (or --allow-read for a file) ${detail}`);
  }
  return new IOError(`init: the promise passed as the source (a fetch of the wasm?) rejected ${detail}`, { cause: err });
}

/** A plain object that is not a Response: an options object. */
function isOptions(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  return !isResponseLike(v) && typeof (v as { then?: unknown }).then !== 'function';
}

/** Checked options, with `threads` still undefined when not given. */
function readInitOptions(o: Record<string, unknown>): InitOptions {
  for (const k of optionKeys('init', o)) {
    if (!(INIT_KEYS as readonly string[]).includes(k)) {
      throw new InvalidArgumentError(`init: unknown option '${k}'${didYouMean(k, INIT_KEYS)} (known: ${INIT_KEYS.join(', ')}; or pass the source itself)`);
    }
  }
  const { threads, relaxedSimd, source } = o;
  if (threads !== undefined && (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS)) {
    throw new InvalidArgumentError(`init: threads must be an integer from 1 to ${MAX_THREADS}, got ${typeof threads === 'number' ? threads : what(threads)}`);
  }
  if (relaxedSimd !== undefined && typeof relaxedSimd !== 'boolean') {
    throw new InvalidArgumentError(`init: relaxedSimd must be true or false, got ${what(relaxedSimd)}`);
  }
  if (relaxedSimd === true && source !== undefined) {
    throw new InvalidArgumentError('init: pass either source or relaxedSimd: true, not both (relaxedSimd picks the relaxed module of this entry; to load one from elsewhere, check support yourself and pass it as source)');
  }
  return { threads: threads as number | undefined, relaxedSimd: relaxedSimd as boolean | undefined, source: source as WasmSource | undefined };
}

const said = new Set<string>();

/**
 * One notice per reason and JS realm, the documented channel besides `threads()`: `console.warn`
 * in Node and Deno (stderr: a script's stdout stays its own), `console.info` in browsers.
 */
function notice(reason: string, message: string): void {
  if (said.has(reason)) return;
  said.add(reason);
  (isNode || isDeno ? console.warn : console.info)(`neurite: ${message}`);
}

let blobUrl: string | null = null;

/** The spawner for this runtime and entry, or why workers are unavailable. */
async function spawnerFor(worker: Entry['worker']): Promise<Spawner | string> {
  const why = workersUnavailable();
  if (why) return why;
  if (hasWorkerThreads) return nodeSpawner(await nodeWorkerCtor(), worker.code());
  // Where the worker script came from, for the reason when it cannot load.
  let source = '';
  const fromBlob = () => {
    blobUrl ??= URL.createObjectURL(new Blob([worker.code()], { type: 'text/javascript' }));
    source = "from a Blob URL: a Content-Security-Policy must allow it with worker-src blob: (or script-src blob: without a worker-src)";
    return new Worker(blobUrl, { type: 'module' });
  };
  const web = worker.web;
  const fromFile = (): WebWorker => {
    const w = web?.();
    if (!w) return fromBlob();
    source = `worker.js from next to the bundle, worker-<hash>.js among a bundler's assets: is it served there, does a Content-Security-Policy allow it (worker-src)${(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated ? ', and is it served with Cross-Origin-Embedder-Policy: require-corp (on a cross-origin-isolated page a worker script needs the header too, not just the page)' : ''}?`;
    return w;
  };
  return webSpawner(fromFile, () => source);
}

/**
 * Whether a worker script at `url` is of another origin than the realm's (a page, or a Worker
 * running neurite): browsers refuse `new Worker(url)` for it (neurite loaded from a CDN).
 */
export function foreignOrigin(url: WebURL): boolean {
  const here = (globalThis as { location?: { origin?: string } }).location?.origin;
  return here !== undefined && url.origin !== here;
}

/** Why this entry cannot run the relaxed-SIMD module here, or `null` when it can. */
function relaxedUnavailable(entry: Entry): string | null {
  if (!entry.relaxedSource) return "the default entry does not carry the relaxed-SIMD module: import 'neurite/url' for it";
  // The flag that adds it is Node's (a browser's reason said so to Safari users).
  if (!hasRelaxedSimd()) return `this runtime does not support relaxed SIMD${isNode ? ' (Node 20 needs --experimental-wasm-relaxed-simd)' : ''}`;
  return null;
}

/** The spawner of `threads > 1` workers for this entry, or why there are none. */
async function workersFor(entry: Entry, threads: number): Promise<{ spawner: Spawner | null; reason: string | null }> {
  if (threads <= 1) return { spawner: null, reason: null };
  const s = await spawnerFor(entry.worker);
  return typeof s === 'string' ? { spawner: null, reason: s } : { spawner: s, reason: null };
}

/**
 * What the last `init` resolved its options to (to tell a repeated `init(options)` from a new
 * one); `defer` when its threads were the default (workers wait for a large call).
 */
const last: { threads: number; relaxedSimd: boolean; defer: boolean; source: WasmSource | undefined } = { threads: 0, relaxedSimd: false, defer: false, source: undefined };

/**
 * Whether `given` is the source the running instance was made from: the same object (a
 * `WebAssembly.Module`, bytes, a URL, a promise), or a URL with the same text. An edge runtime
 * hands the same imported module to every request's `init(wasm)`, which must keep the instance.
 */
function sameSource(given: WasmSource | undefined, running: WasmSource | undefined): boolean {
  if (given === undefined) return true;
  if (running === undefined) return false;
  if (given === running) return true;
  const text = (s: WasmSource): string | undefined => (typeof s === 'string' ? s : s instanceof URL ? s.href : undefined);
  const a = text(given);
  return a !== undefined && a === text(running);
}

/**
 * Warns once (`console.warn`) when another copy of neurite was initialised in this program
 * before this one: `'neurite'` and `'neurite/url'` both imported (a library and its app on
 * different entries), or two installs. Each copy has its own instance, so tensors do not cross
 * between them, and the app carries the code and the wasm twice.
 */
function warnOtherCopies(name: string): void {
  const where = moduleFile();
  const others = initialisedThrough(name, version, where);
  if (others.length === 0 || said.has('copies')) return;
  said.add('copies');
  // A file's URL without a reload's query (Vite's ?t=…) or hash.
  const file = (u: string | undefined): string | undefined => u?.replace(/[?#].*$/, '');
  const elsewhere = [...new Set(others.map((o) => file(o.where)).filter((w) => w !== undefined && w !== file(where)))];
  if (others.every((o) => o.entry === name && o.version === version) && elsewhere.length > 0 && where !== undefined) {
    // The same entry and version from another file: two installs (a library linked with npm
    // link or a file: dependency keeps its own node_modules), not a reload.
    console.warn(
      `neurite: '${name}' ${version} is installed twice in this program, and both copies were initialised: this one at ${file(where)}, the first at ${elsewhere.join(' and ')}. ` +
        "Each copy has its own WebAssembly instance, so tensors and models do not cross between them (a library's tensors are refused by the app's ops). A library linked for development (npm link, a file: or workspace dependency) loads neurite from its own node_modules: make neurite a peerDependency of the library (a devDependency too, for its own tests) and let the app install it, run npm dedupe, or alias neurite to one path in the bundler",
    );
    return;
  }
  // The same entry of the same version, from the same file (or one not known): this module was
  // most likely evaluated again; the advice to import one entry would not apply.
  if (others.every((o) => o.entry === name && o.version === version)) {
    console.warn(
      `neurite: '${name}' ${version} was initialised again in this program, by a second evaluation of its module (a dev server's reload such as Next.js's next dev, jest.isolateModules or vi.resetModules; else two installs of one version): ` +
        "each evaluation has its own WebAssembly instance, so the earlier one's tensors and models do not work with this one, and its memory and worker threads stay while it runs: shut it down from the reloaded module (globalThis.__stopNeurite?.(); globalThis.__stopNeurite = shutdown;), or keep neurite out of what is reloaded (Next.js: serverExternalPackages: ['neurite'])",
    );
    return;
  }
  const before = [...new Set(others.map((o) => o.entry))].map((e) => `'${e}'`).join(' and ');
  console.warn(
    `neurite: a second copy of neurite was initialised in this program (this one imported as '${name}', the first as ${before}): ` +
      "each copy has its own WebAssembly instance, so tensors and models do not cross between them, and the app ships the code twice; import one entry everywhere (a library and its app both from 'neurite', or alias 'neurite' to 'neurite/url' in the bundler, e.g. webpack's resolve.alias { 'neurite$': 'neurite/url' }) and install one version",
  );
}

/**
 * Says once (per reason) that fewer threads run than asked, when `threads()` gives a reason;
 * nothing once `shutdown()` ended the instance (an init it interrupted rejects, saying so).
 */
function noticeThreads(): void {
  if (!isInitialized()) return;
  const info = threadsInfo();
  if (info.reason && !workersDeferred()) notice(info.reason, `running on ${info.count} of ${info.requested} threads: ${info.reason}`);
}

/** @internal Resolves when no `init` is running (whether the last one succeeded or not). */
export function initSettled(): Promise<void> {
  return pending ? pending.then(() => undefined, () => undefined) : Promise.resolve();
}

/**
 * Loads the WebAssembly core. Call once and await it before any other function; later calls
 * without arguments, with the same options or with the source the instance came from return at once. `arg` is a source (where the
 * `.wasm` comes from) or {@link InitOptions}; anything else is an {@link InvalidArgumentError}.
 */
export function initFrom(entry: Entry, arg?: WasmSource | InitOptions): Promise<void> {
  // One zone.js macrotask for the whole call: its chunk import and wasm compile are promises
  // zone.js does not count (Angular's whenStable() resolved 10 ms into a 164 ms first init).
  return zoneTask('neurite.init', () => initFromNow(entry, arg));
}

/** {@link initFrom}'s body. */
function initFromNow(entry: Entry, arg?: WasmSource | InitOptions): Promise<void> {
  if (typeof WebAssembly === 'undefined') {
    // Node's and Deno's --jitless; a browser with WebAssembly turned off (Safari's Lockdown
    // Mode, Edge's enhanced security, an enterprise policy).
    return Promise.reject(new NeuriteError('Internal', "init: this runtime has no WebAssembly (Node's or Deno's --jitless, or a browser where it is turned off: Safari's Lockdown Mode, Edge's enhanced security), which neurite's core runs on; run without --jitless, or allow WebAssembly for this site"));
  }
  let opts: InitOptions;
  try {
    opts = isOptions(arg) ? readInitOptions(arg) : { source: arg as WasmSource | undefined };
  } catch (err) {
    return Promise.reject(err);
  }
  // Options that ask for what already runs keep the instance; options not given keep theirs.
  // A thread count given where the default's workers wait for a large call starts them.
  const same = () =>
    sameSource(opts.source, last.source) && (opts.threads === undefined || (opts.threads === last.threads && !last.defer)) && (opts.relaxedSimd === undefined || opts.relaxedSimd === last.relaxedSimd);
  const unspecified = opts.source === undefined && opts.threads === undefined && opts.relaxedSimd === undefined;
  // An init() without options joins the one running, unless shutdown() came after that one
  // began: it gives up (see `cancelled`), and this call starts neurite again after it. That
  // one's failure (another source's HTTP 503) is not this call's while an instance still runs:
  // it asked for neurite, which is there.
  if (pending && unspecified && pendingGen === shutdowns) {
    return pending.catch((err: unknown) => {
      if (!isInitialized()) throw err;
    });
  }
  if (!pending && isInitialized() && same()) return Promise.resolve();
  // One init at a time: a call made while another runs starts when that one has settled, and
  // then compares its options with what that one set up (so concurrent calls with different
  // options end on the last call's, never on whichever instantiation finished last).
  const before = pending;
  const gen = shutdowns;
  /** A shutdown() since this call: the instance this call may have made goes too. */
  const cancelled = (): void => {
    if (shutdowns === gen) return;
    shutdown();
    throw new DisposedError('init: shutdown() was called while this init was running, so neurite stays shut down; call init() again to start it');
  };
  const body = async (): Promise<void> => {
    if (isInitialized() && same()) return;
    // Only the thread count changes: the running instance takes it in place, so the tensors and
    // models made so far (another library's too) stay valid.
    // So does a relaxedSimd that would load the module already running (the relaxed one is not
    // there or not supported): an option not given keeps its value.
    const now = threadsInfo();
    const unusable = relaxedUnavailable(entry);
    const wantRelaxed = (opts.relaxedSimd ?? last.relaxedSimd) && unusable === null;
    if (isInitialized() && sameSource(opts.source, last.source) && wantRelaxed === now.relaxedSimd) {
      const threads = opts.threads ?? last.threads;
      const defer = opts.threads === undefined && last.defer;
      const relaxedReason = opts.relaxedSimd === undefined ? now.relaxedReason : opts.relaxedSimd ? unusable : null;
      if (await rethread({ threads, ...(await workersFor(entry, threads)), relaxedSimd: now.relaxedSimd, relaxedReason, defer, onFallback: noticeThreads })) {
        last.threads = threads;
        last.relaxedSimd = opts.relaxedSimd ?? last.relaxedSimd;
        last.defer = defer;
        noticeThreads();
        if (relaxedReason && opts.relaxedSimd) notice(relaxedReason, `relaxedSimd: using the plain SIMD module: ${relaxedReason}`);
        return;
      }
    }
    // A new instance ends the running one with its models: not under a fit, which would end
    // in silence with its weights gone (the thread count alone changed in place above).
    const busy = isInitialized() ? [...training][0] : undefined;
    if (busy) {
      const why = opts.source !== undefined ? 'another wasm source' : 'relaxedSimd';
      throw new InvalidArgumentError(`init: ${why} needs a new neurite instance, which would end the running one and its models while model ${busy.name} trains (its fit has not finished): await the fit first (init({ threads }) alone changes threads in place, also during a fit)`);
    }
    let src: WasmSource | undefined;
    let relaxed = false;
    let relaxedReason: string | null = null;
    if (opts.source !== undefined) src = await checkedSource(opts.source);
    else if (opts.relaxedSimd) {
      relaxedReason = relaxedUnavailable(entry);
      relaxed = relaxedReason === null;
    }
    let mod: WebAssembly.Module | undefined;
    if (relaxed) {
      // A runtime that refuses the relaxed module's file (Deno with --allow-read for core.wasm
      // only) gets the plain module, as where relaxed SIMD is unsupported, with the flag to add;
      // so does a bundle that left the file out (esbuild and plain Rollup copy no assets: the
      // README's list was core.wasm and worker.js), with the file to copy.
      try {
        mod = await compileFrom(entry.relaxedSource!());
      } catch (err) {
        const denied = denoDenial(err);
        relaxed = false;
        if (denied) relaxedReason = `Deno denied ${denied.what} ${denied.target}: run with --allow-${denied.flag}=${denied.target} (or --allow-${denied.flag}) to use it`;
        else {
          const why = ((err as Error)?.message ?? String(err)).replace(/^init: /, '');
          relaxedReason = `core-relaxed.wasm could not be loaded (${why}): to use it, copy node_modules/neurite/dist/url/core-relaxed.wasm next to core.wasm`;
        }
      }
    }
    const own = src === undefined;
    if (!mod) {
      src ??= await entry.defaultSource();
      // A URL string given resolves against the page (in a browser or a worker), in both entries;
      // so does the entry's own, which a bundler may have made relative (Next.js sets webpack's
      // `javascript.url: 'relative'`: `/_next/static/media/core.….wasm`).
      const page = (globalThis as { location?: { href?: string } }).location?.href;
      mod = await compileFrom(src, page, own ? { name: entry.defaultName, denoAdvice: entry.denoAdvice, missingAdvice: entry.missingAdvice, own: true } : {});
    }
    const threads = opts.threads ?? Math.min(await reportedCores(), DEFAULT_THREADS_CAP);
    const defer = opts.threads === undefined;
    const cfg: ThreadConfig = { threads, ...(await workersFor(entry, threads)), relaxedSimd: relaxed, relaxedReason, defer, onFallback: noticeThreads };
    try {
      await instantiate(mod, cfg);
    } catch (err) {
      // WebKit compiles under a CSP without 'wasm-unsafe-eval' and refuses the instance.
      if (!cspRefusal(err)) throw err;
      const source = relaxed ? entry.relaxedSource!() : src;
      throw compileError(own ? (entry.defaultName ?? (source instanceof URL ? source.href : 'the neurite wasm')) : 'the WebAssembly given', err, own);
    }
    last.threads = threads;
    last.relaxedSimd = opts.relaxedSimd ?? false;
    last.defer = defer;
    last.source = opts.source;
    warnOtherCopies(entry.name);
    noticeThreads();
    if (relaxedReason) notice(relaxedReason, `relaxedSimd: using the plain SIMD module: ${relaxedReason}`);
  };
  const p = (async () => {
    if (before) await before.catch(() => undefined);
    cancelled();
    try {
      await body();
    } catch (err) {
      cancelled(); // the shutdown, not what it broke, is the error
      initFailed((err as Error)?.message ?? String(err));
      throw err;
    }
    cancelled();
  })();
  // Forget the attempt when it settles, so that a failed init() can be retried. The handler
  // also marks the rejection as handled here; the caller still receives it through `p`.
  const clear = () => {
    if (pending === p) pending = null;
  };
  pending = p;
  pendingGen = gen;
  p.then(clear, clear);
  return p;
}
