/**
 * Where model artifacts go and come from: a URL string (`file://`, `indexeddb://`,
 * `localstorage://`, `downloads://`, `http(s)://`) or a `{ save, load }` object is turned into
 * an {@link IOHandler}. The types are those of TF.js's `tf.io`, so handlers written for TF.js
 * work here and the stored forms interoperate (see `ts/io/handlers/`).
 *
 * What a URL needs (a file system, IndexedDB, a page, fetch) and the arguments are checked here,
 * at once; the handler classes that read and write (`ts/io/handlers/`) are loaded on the
 * handler's first save or load (see `lazy.ts`), so `import`ing neurite does not download them.
 */
import { InvalidArgumentError } from '../errors.js';
import { describe } from '../ops/convert.js';
import { didYouMean, unknownOption, optionKeys } from '../options.js';
import { storage, type StorageChunk } from './storage_chunk.js';
import { isDeno, isNode, runtimeKind } from '../runtime.js';
import type { WebRequestInit, WebResponse, WebURL } from '../web-types.js';

import type { IOHandler, ModelArtifacts, SaveResult, TrainingConfig, WeightsManifestEntry } from './artifacts.js';
export type { IOHandler, ModelArtifacts, SaveResult, WeightsManifestEntry as WeightSpec } from './artifacts.js';

/** Options of {@link http}, as the matching fields of TF.js's `tf.io.LoadOptions`. */
export interface HttpOptions {
  /**
   * Passed to every request (headers, credentials, `method` for saving: `POST` by default). It
   * must not have a `body`: the handler sets it.
   */
  requestInit?: WebRequestInit | undefined;
  /** Used instead of the global `fetch` (e.g. to add authentication or to test). */
  fetchFunc?: ((input: string, init?: WebRequestInit) => Promise<WebResponse>) | undefined;
  /**
   * Loading: what each weight file's manifest path is appended to instead of the model.json's
   * folder, as is (as TF.js: end it with `/`); the model.json URL's query string is kept.
   */
  weightPathPrefix?: string | undefined;
  /**
   * Loading: called with the fraction loaded, as TF.js: after each weight file's response
   * arrives (0 to 0.5), then after each one is read (0.5 to 1).
   */
  onProgress?: ((fraction: number) => void) | undefined;
}

/** The options of {@link HttpOptions}. */
const HTTP_KEYS = ['requestInit', 'fetchFunc', 'weightPathPrefix', 'onProgress'] as const;

/** The URL schemes, and which of save/load each supports. */
const SCHEMES = ['file://', 'indexeddb://', 'localstorage://', 'downloads://', 'http://', 'https://'];

/**
 * Whether `v` is a WHATWG `URL` object (`new URL(…)`, `url.pathToFileURL(path)`), also one
 * from another realm (a `vm` context, an iframe), which `instanceof` misses.
 */
const isURLObject = (v: unknown): v is WebURL =>
  typeof v === 'object' && v !== null && ((typeof URL !== 'undefined' && v instanceof URL) || Object.prototype.toString.call(v) === '[object URL]');

/**
 * @internal `where` as a model URL string: a `URL` object's `href` (`pathToFileURL('/tmp/m')`
 * is `'file:///tmp/m'`); anything else as is, for the caller's own checks.
 */
export function urlString<T>(where: T | WebURL): T | string {
  return isURLObject(where) ? String(where.href) : where;
}

/**
 * The handler that saves to `target`: a URL (`file://path`, `indexeddb://name`,
 * `localstorage://name`, `downloads://name`, `http(s)://…` which POSTs as TF.js does), as a
 * string or a `URL` object (its `href` is read), or an object with a `save` method, returned as
 * is. `op` names the caller in error messages. An unknown scheme, a scheme this runtime lacks
 * (`indexeddb://` in Node, `file://` in a browser) or an object without `save` is an
 * {@link InvalidArgumentError}.
 */
export function getSaveHandler(target: string | WebURL | IOHandler, op = 'save'): IOHandler {
  return route(target, op, 'save');
}

/**
 * The handler that loads from `source`: a URL (`file://path` to a folder or its `model.json`,
 * `indexeddb://name`, `localstorage://name`, `http(s)://…/model.json`), as a string or a `URL`
 * object (its `href` is read), or an object with a `load` method, returned as is; in a page or
 * a worker served over http(s), a path without a scheme is an `http(s)://` URL relative to it
 * (TF.js's fallback). `op` names the caller in error messages.
 */
export function getLoadHandler(source: string | WebURL | IOHandler, op = 'loadModel', read: HttpOptions = {}): IOHandler {
  return route(source, op, 'load', 'source', read);
}

/**
 * @internal The handler for `to` (a `URL` object is read as its `href`); `arg` names it in
 * messages. `read` (loading) are the options of `loadModel` that say how a URL is read: all of
 * them for `http(s)://`, `onProgress` for `file://`; given for another source, each is an
 * error that says where it applies.
 */
export function route(to: string | WebURL | IOHandler, op: string, method: 'save' | 'load', arg = method === 'save' ? 'target' : 'source', read: HttpOptions = {}): IOHandler {
  const where = urlString<string | IOHandler>(to);
  const given = HTTP_KEYS.filter((k) => read[k] !== undefined);
  const misplaced = (k: string, what: string): InvalidArgumentError =>
    new InvalidArgumentError(`${op}: ${k} applies ${k === 'onProgress' ? 'where weight files are fetched or read (an http(s):// or file:// URL)' : 'to an http(s):// URL (it is how the files are fetched)'}, not to ${what}`);
  if (typeof where === 'object' && where !== null && !Array.isArray(where)) {
    if (given.length > 0) throw misplaced(given[0], `a handler object, which loads on its own (give it to the handler: io.http(url, { ${given[0]} }))`);
    if (typeof (where as IOHandler)[method] !== 'function') {
      const has = (['save', 'load'] as const).filter((m) => typeof (where as IOHandler)[m] === 'function');
      throw new InvalidArgumentError(
        `${op}: the ${arg} handler has no ${method}() method` +
          (has.length ? ` (it has ${has.map((m) => `${m}()`).join(' and ')})` : ` (it has neither save() nor load())`) +
          `; pass an object with ${method}() or a URL such as ${SCHEMES.slice(0, 3).map((s) => `'${s}…'`).join(', ')}`,
      );
    }
    return where;
  }
  if (typeof where !== 'string') {
    throw new InvalidArgumentError(`${op}: ${arg} must be a URL (${SCHEMES.join(', ')}; a string or a URL object) or an object with ${method}(), got ${describe(where)}`);
  }
  const page = pageURL();
  // As TF.js's loadLayersModel: in a page or a worker, a load path without a scheme
  // ('/models/m/model.json', 'model.json') is fetched relative to the page (or worker) URL.
  if (method === 'load' && page !== undefined && !SCHEME.test(where) && !/^file:/i.test(where) && where.length > 0) {
    return http(new URL(where, page).href, given.length > 0 ? read : undefined, op);
  }
  // An absolute path (a CLI's argument) is suggested as its own file:// URL.
  const example = page !== undefined ? `'indexeddb://my-model'` : where.startsWith('/') && !where.startsWith('//') ? `'file://${where}'` : `'file://./my-model'`;
  const { scheme, rest } = splitURL(where, op, arg, ` (e.g. ${example}), or pass an object with ${method}()`);
  const notHttp = scheme !== 'http' && scheme !== 'https' ? given.find((k) => k !== 'onProgress' || scheme !== 'file') : undefined;
  if (notHttp !== undefined) throw misplaced(notHttp, `'${where}'`);
  switch (scheme) {
    case 'file': return fileSystem(rest, where, op, progressArg(op, read.onProgress));
    case 'indexeddb': return browserIndexedDB(rest, where, op);
    case 'localstorage': return browserLocalStorage(rest, where, op);
    case 'downloads':
      if (method === 'load') {
        throw new InvalidArgumentError(`${op}: '${where}': downloads:// can only save (a page cannot read the user's downloads); load from indexeddb://, localstorage://, http(s):// or a { load } handler`);
      }
      return browserDownloads(rest, where, op);
    case 'http':
    case 'https':
      return http(where, given.length > 0 ? read : undefined, op);
    default:
      throw unknownScheme(op, arg, where, SCHEMES);
  }
}

/** The URL a relative path is fetched from: the page's base URL or the worker's; `undefined` elsewhere (Node, Deno without `--location`). */
function pageURL(): string | undefined {
  const kind = runtimeKind();
  if (kind !== 'page' && kind !== 'worker') return undefined;
  const g = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  const base = kind === 'page' ? (g.document?.baseURI ?? g.location?.href) : g.location?.href;
  return typeof base === 'string' && /^https?:/i.test(base) ? base : undefined;
}

/** A URL's scheme and its `://` at the start of a string. */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** A scheme and its colon without `//` after it (`file:/tmp/m`, `indexeddb:m`, `C:\\models`). */
const BARE_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):(?!\/\/)/;

/**
 * @internal A URL's scheme (lower case) and what follows `://`. A `file:` URL without `//` is
 * read as Node's `URL` reads it where that is what it plainly means: `file:/tmp/m` (and
 * `file:C:/m`) name the absolute path, as `file:///tmp/m`; `rest` is then that path. A
 * relative one (`file:./m`, `file:m`) is an error: Node's `URL` and `fileURLToPath` read it
 * from the root (`/m`), which is not what it looks like, and tfjs-node reads only `file://`. A
 * known scheme without its `//`, a Windows path, or a string without a scheme is an error
 * ending with `hint`.
 */
export function splitURL(where: string, op: string, arg: string, hint: string): { scheme: string; rest: string } {
  const m = SCHEME.exec(where);
  if (m) return { scheme: m[1].toLowerCase(), rest: where.slice(m[0].length) };
  const bare = BARE_SCHEME.exec(where);
  const scheme = bare?.[1].toLowerCase();
  const after = bare ? where.slice(bare[0].length) : '';
  if (scheme === 'file') return { scheme, rest: bareFilePath(where, after, op, arg) };
  if (scheme?.length === 1 && /^[\\/]/.test(after)) {
    throw new InvalidArgumentError(`${op}: ${arg} '${where}' is a Windows path, not a URL; write url.pathToFileURL(path) (a URL object, or its href: 'file:///${where.replace(/\\/g, '/')}')`);
  }
  if (scheme !== undefined && SCHEMES.includes(`${scheme}://`)) {
    throw new InvalidArgumentError(`${op}: ${arg} '${where}' lacks the '//' of '${scheme}://'; write '${scheme}://${after.replace(/^\/+/, '')}'`);
  }
  throw new InvalidArgumentError(`${op}: ${arg} '${where}' has no URL scheme; use one of ${SCHEMES.join(', ')}${hint}`);
}

/**
 * The path of `file:` + `after` (no `//`): `after` itself when absolute (`/tmp/m`, as
 * `file:///tmp/m`; a drive `C:/m` as `/C:/m`, which `fileURLToPath` reads as `C:\m` on
 * Windows), `''` for a bare `file:` (the handler says it names no path); a relative path is an
 * error saying how Node would read it and what to write for either meaning.
 */
function bareFilePath(where: string, after: string, op: string, arg: string): string {
  // '~' goes on to the handler's own message (it is not expanded).
  if (after === '' || after.startsWith('/') || after.startsWith('~')) return after;
  if (/^[A-Za-z]:[\\/]/.test(after)) return `/${after}`;
  let fromRoot = `/${after}`;
  try {
    fromRoot = new URL(where).pathname;
  } catch { /* no URL class here: the plain join */ }
  const rel = after.startsWith('.') ? after : `./${after}`;
  throw new InvalidArgumentError(
    `${op}: ${arg} '${where}' is a relative path in a file: URL without '//': Node's URL and fileURLToPath read it from the root ` +
      `(file://${fromRoot}), and tfjs-node reads only file://; write 'file://${rel}' for ${rel} in the working directory (as TF.js), ` +
      `or 'file://${fromRoot}' for ${fromRoot}`,
  );
}

/** @internal The error for a scheme not among `known`. */
export function unknownScheme(op: string, arg: string, where: string, known: readonly string[]): InvalidArgumentError {
  const scheme = /^[^:]*/.exec(where)![0];
  return new InvalidArgumentError(`${op}: unknown URL scheme '${scheme}://' in ${arg} '${where}'${didYouMean(`${scheme.toLowerCase()}://`, known)} (known: ${known.join(', ')})`);
}

/**
 * A handler whose class is loaded from the storage chunk on its first `save` or `load`; `make`
 * builds it from that chunk. It has the methods the class has (`downloads://` saves only,
 * picked files only load).
 */
function deferred(op: string, make: (s: StorageChunk) => IOHandler, methods: 'both' | 'save' | 'load' = 'both'): IOHandler {
  let real: Promise<IOHandler> | undefined;
  const get = () => (real ??= storage(op).then(make));
  const h: IOHandler = {};
  if (methods !== 'load') h.save = async (a) => (await get()).save!(a);
  if (methods !== 'save') h.load = async () => (await get()).load!();
  return h;
}

/** @internal The error for `file://` where there is no file system. */
export function noFiles(op: string, url: string): InvalidArgumentError {
  const instead = runtimeKind() === 'worker'
    ? 'in a Web Worker use indexeddb:// (the page can load what the worker saves there; localstorage:// and downloads:// need the page)'
    : 'in a browser use indexeddb://, localstorage:// or downloads://';
  return new InvalidArgumentError(`${op}: '${url}': file:// needs Node or Deno (this runtime has no file system); ${instead}`);
}

/** The `file://` handler for `path` (what follows `file://`); throws at once in a runtime without files (a browser). */
function fileSystem(path: string, url: string, op: string, onProgress?: (fraction: number) => void): IOHandler {
  if (!isDeno && !isNode) throw noFiles(op, url);
  if (path.length === 0) throw new InvalidArgumentError(`${op}: '${url}' names no path; write file://./my-model or file:///absolute/folder`);
  // Shells expand ~, file systems do not: it would be a folder named '~' here.
  if (path === '~' || path.startsWith('~/')) throw new InvalidArgumentError(`${op}: '${url}': ~ is not expanded in a file:// path (it would name a folder called '~' in the working directory); write the absolute path, e.g. file://\${os.homedir()}/${path.slice(2) || 'my-model'} in a template`);
  return deferred(op, (s) => new s.FileSystemHandler(path, url, op, onProgress));
}

/** `onProgress` checked: a function or undefined. */
function progressArg(op: string, f: unknown): ((fraction: number) => void) | undefined {
  if (f !== undefined && typeof f !== 'function') throw new InvalidArgumentError(`${op}: onProgress must be a function (fraction) => void, got ${describe(f)}`);
  return f as ((fraction: number) => void) | undefined;
}

/** @internal This runtime's IndexedDB (`undefined` in Node and Deno). */
export const indexedDBOrNone = (): IDBFactory | undefined => (globalThis as { indexedDB?: IDBFactory }).indexedDB;

/** @internal IndexedDB, or the error for a runtime without it; `name` must be non-empty. */
export function needIndexedDB(name: string, url: string, op: string): IDBFactory {
  const factory = indexedDBOrNone();
  if (!factory) {
    const rt = runtimeKind();
    const why = rt === 'worker' || rt === 'page'
      ? `IndexedDB, which this ${rt === 'worker' ? 'worker' : 'page'} cannot use (a private window or blocked site data can hide it); ${rt === 'worker' ? 'send the artifacts to the page (io.withSaveHandler) and save them there' : 'use localstorage:// or downloads://'}`
      : `a browser with IndexedDB (this runtime has none); ${rt === 'other' ? 'use file:// in Node and Deno' : 'in Node and Deno use file://'}`;
    throw new InvalidArgumentError(`${op}: '${url}': indexeddb:// needs ${why}`);
  }
  if (name.length === 0) throw new InvalidArgumentError(`${op}: '${url}' names no model; write indexeddb://my-model`);
  return factory;
}

/** The `indexeddb://` handler for model `name`; throws at once where there is no IndexedDB (Node, Deno). */
function browserIndexedDB(name: string, url: string, op: string): IOHandler {
  const factory = needIndexedDB(name, url, op);
  return deferred(op, (s) => new s.BrowserIndexedDB(factory, name, url, op));
}

/** @internal `localStorage`, or `undefined` where it is missing or throws on access (e.g. storage disabled). */
export function localStorageOrNone(): Storage | undefined {
  try {
    const ls = (globalThis as { localStorage?: Storage }).localStorage;
    return ls && typeof ls.getItem === 'function' ? ls : undefined;
  } catch {
    return undefined;
  }
}

/** @internal `localStorage`, or the error for a runtime without it; `name` must be non-empty. */
export function needLocalStorage(name: string, url: string, op: string): Storage {
  const ls = localStorageOrNone();
  if (!ls) throw new InvalidArgumentError(`${op}: '${url}': localstorage:// needs localStorage ${NO_LOCAL_STORAGE[runtimeKind()]}`);
  if (name.length === 0) throw new InvalidArgumentError(`${op}: '${url}' names no model; write localstorage://my-model`);
  return ls;
}

/** Why there is no `localStorage`, and what to use instead, per runtime. */
const NO_LOCAL_STORAGE = {
  node: '(a browser or Deno; this runtime has none); in Node use file://',
  deno: '(this Deno has none); in Deno use file://',
  worker: '(a page\'s; Web Workers have none); in a worker use indexeddb:// (IndexedDB works in workers, and the page can load what the worker saves there)',
  page: '(this page cannot use it: storage disabled or blocked, e.g. by privacy settings or a sandboxed iframe); use indexeddb:// or downloads://',
  other: '(a browser or Deno; this runtime has none); use file:// in Node and Deno',
} as const;

/** The `localstorage://` handler for model `name`; throws at once where there is no `localStorage` (Node). */
function browserLocalStorage(name: string, url: string, op: string): IOHandler {
  const ls = needLocalStorage(name, url, op);
  return deferred(op, (s) => new s.BrowserLocalStorage(ls, name, url, op));
}

/** The `downloads://` handler saving `<prefix>.json` and `<prefix>.weights.bin`; throws at once outside a browser page. */
function browserDownloads(prefix: string, url: string, op: string): IOHandler {
  if (typeof document === 'undefined' || typeof URL.createObjectURL !== 'function') {
    const instead = runtimeKind() === 'worker'
      ? '(a Web Worker has no document to start a download from); in a worker save to indexeddb:// (IndexedDB works in workers) and load or download the model from the page, or send the artifacts to the page with io.withSaveHandler'
      : '(this runtime has no document); in Node and Deno use file://';
    throw new InvalidArgumentError(`${op}: '${url}': downloads:// needs a browser page ${instead}`);
  }
  return deferred(op, (s) => new s.BrowserDownloads(prefix.length > 0 ? prefix : 'model', url, op), 'save');
}

/**
 * A handler that loads a model from `url` (its `model.json`; a string or a `URL` object, whose
 * `href` is read) or saves to it (a multipart POST),
 * as TF.js's `tf.io.http`: `options.requestInit` is passed to every request,
 * `options.fetchFunc` replaces `fetch`, and loading takes `weightPathPrefix` and `onProgress`
 * (see {@link HttpOptions}). Passing an `http(s)://` string to `loadModel` or `save` uses this,
 * with `loadModel`'s options of the same names.
 *
 * @example
 * const model = await loadModel(io.http('https://example.com/m/model.json', { requestInit: { headers: { Authorization: 'Bearer …' } } }));
 */
export function http(to: string | WebURL, options?: HttpOptions, op = 'http'): IOHandler {
  const url = urlString<string>(to);
  if (typeof url !== 'string' || url.length === 0) throw new InvalidArgumentError(`${op}: url must be a non-empty string (the model.json URL), got ${describe(url)}`);
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidArgumentError(`${op}: options must be an object { requestInit, fetchFunc, weightPathPrefix, onProgress }, got ${describe(options)}`);
  }
  const o = options ?? {};
  for (const k of optionKeys(op, o)) {
    if (!(HTTP_KEYS as readonly string[]).includes(k)) throw unknownOption(op, k, HTTP_KEYS);
  }
  if (o.fetchFunc !== undefined && typeof o.fetchFunc !== 'function') throw new InvalidArgumentError(`${op}: options.fetchFunc must be a function like fetch, got ${describe(o.fetchFunc)}`);
  if (o.requestInit !== undefined && (o.requestInit === null || typeof o.requestInit !== 'object')) throw new InvalidArgumentError(`${op}: options.requestInit must be an object (fetch's init: headers, credentials, …), got ${describe(o.requestInit)}`);
  if (o.requestInit?.body != null) throw new InvalidArgumentError(`${op}: options.requestInit must not have a body (the handler sets it)`);
  if (o.weightPathPrefix !== undefined && (typeof o.weightPathPrefix !== 'string' || o.weightPathPrefix === '')) throw new InvalidArgumentError(`${op}: options.weightPathPrefix must be a non-empty string (the URL the weight files' paths are appended to), got ${describe(o.weightPathPrefix)}`);
  progressArg(op, o.onProgress);
  if (o.fetchFunc === undefined && typeof fetch !== 'function') throw new InvalidArgumentError(`${op}: this runtime has no fetch; pass options.fetchFunc`);
  return deferred(op, (s) => new s.HTTPRequest(url, o, op));
}

/**
 * A file as {@link browserFiles} reads it: a DOM `File` (or any `Blob` with a `name`), as an
 * `<input type="file">`, a drop or `new File([bytes], 'model.json')` gives.
 */
export interface FileLike {
  readonly name: string;
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

const isFileLike = (f: unknown): f is FileLike =>
  typeof f === 'object' && f !== null && typeof (f as FileLike).name === 'string' && typeof (f as FileLike).size === 'number' && typeof (f as FileLike).arrayBuffer === 'function';

/**
 * A handler that loads a model from files the user picked, as TF.js's `tf.io.browserFiles`:
 * one is the `model.json`, the rest are the weight files its `weightsManifest` names, matched by
 * file name (in any order). The `model.json` is the one file whose name ends in `.json` when
 * exactly one does (so `[weights, json]`, as a multiple-file picker may order them, works);
 * otherwise it is `files[0]`, as in TF.js. Every size is checked against the manifest before a
 * weight byte is read; a weight file missing, given twice or not named by the manifest is an
 * error (TF.js loads the topology alone when no weight files are given; neurite refuses, since
 * that model would have fresh random weights).
 *
 * @example
 * // two <input type="file">s: one for model.json, one (multiple) for its weight files
 * const model = await loadModel(io.browserFiles([jsonInput.files[0], ...weightsInput.files]));
 */
export function browserFiles(files: ArrayLike<FileLike> | Iterable<FileLike>, op = 'browserFiles'): IOHandler {
  const iterable = typeof files === 'object' && files !== null && (typeof (files as ArrayLike<FileLike>).length === 'number' || Symbol.iterator in files);
  if (!iterable) throw new InvalidArgumentError(`${op}: files must be an array or FileList of File objects, the model.json first, got ${describe(files)}`);
  const list = Array.from(files as ArrayLike<unknown>);
  if (list.length === 0) throw new InvalidArgumentError(`${op}: files is empty; pass [modelJson, ...weightFiles], the model.json first`);
  for (const [i, f] of list.entries()) {
    if (!isFileLike(f)) throw new InvalidArgumentError(`${op}: files[${i}] must be a File (from an <input type="file">, a drop, or new File([bytes], name)), got ${describe(f)}`);
  }
  const picked = list as FileLike[];
  const named = picked.flatMap((f, i) => (/\.json$/i.test(f.name) ? [i] : []));
  const at = named.length === 1 ? named[0] : 0;
  const weights = picked.flatMap((file, index) => (index === at ? [] : [{ file, index }]));
  return deferred(op, (s) => new s.BrowserFiles({ file: picked[at], index: at }, weights, op), 'load');
}

/**
 * A handler whose `load()` returns `artifacts`, as TF.js's `tf.io.fromMemory` (also its older
 * positional form `fromMemory(modelTopology, weightSpecs, weightData, trainingConfig)`).
 * `loadModel(artifacts)` does the same without the wrapper.
 */
export function fromMemory(artifacts: ModelArtifacts | object, weightSpecs?: WeightsManifestEntry[], weightData?: ArrayBuffer, trainingConfig?: TrainingConfig): IOHandler {
  if (typeof artifacts !== 'object' || artifacts === null || Array.isArray(artifacts)) {
    throw new InvalidArgumentError(`fromMemory: artifacts must be an object { modelTopology, weightSpecs, weightData } (or a model topology), got ${describe(artifacts)}`);
  }
  const whole = weightSpecs === undefined && weightData === undefined && trainingConfig === undefined && ('modelTopology' in artifacts || 'weightSpecs' in artifacts);
  const a = (whole ? artifacts : { modelTopology: artifacts, weightSpecs, weightData, trainingConfig }) as ModelArtifacts;
  return { load: async () => a };
}

/**
 * A handler whose `save(artifacts)` calls `save`, as TF.js's `tf.io.withSaveHandler`: for
 * `model.save(io.withSaveHandler(async (artifacts) => { …; return { modelArtifactsInfo } }))`.
 */
export function withSaveHandler(save: (artifacts: ModelArtifacts) => Promise<SaveResult>): IOHandler {
  if (typeof save !== 'function') throw new InvalidArgumentError(`withSaveHandler: save must be a function (artifacts) => Promise<SaveResult>, got ${describe(save)}`);
  return { save: (a) => save(a) };
}
