/** Turning a user-supplied source into a compiled `WebAssembly.Module`. */
import { isDeno, isNode, nodeBuiltin } from '../runtime.js';
import { InvalidArgumentError, IOError, isDenoDenial, isNodeDenial, NeuriteError } from '../errors.js';
import { HTML_FALLBACK, htmlPageStart, httpError } from '../http_error.js';
import type { InitOptions } from '../init.js';
import type { ArrayBufferBytes, WebAssemblyModule, WebResponse, WebURL } from '../web-types.js';

/**
 * A compiled `WebAssembly.Module`, as TypeScript sees it. The DOM library declares
 * `WebAssembly.Module` as an empty interface, which every object matches; the `never` keys
 * make an object literal that looks like misspelt {@link InitOptions} (`init({ thread: 2 })`,
 * `init({ threads: 'auto' })`, `init({ threads: 2, foo: 1 })`) a type error, while a real
 * module (which has none of these keys) still fits; `object` keeps numbers and booleans out.
 */
export type WasmModule = WebAssemblyModule & object & { readonly threads?: never; readonly relaxedSimd?: never; readonly source?: never };

/** Where the `.wasm` can come from: bytes, a URL (or string URL), a `Response`, or a compiled module. */
export type WasmSource =
  | WasmModule
  | ArrayBuffer
  | ArrayBufferView
  | WebURL
  | string
  | WebResponse
  | Promise<WebResponse>;

/** What Deno refused: the flag that allows it, and the file or host. */
export interface DenoDenial {
  /** `'read access to'` or `'net access to'`. */
  what: string;
  /** `'read'` or `'net'` (as in `--allow-read`). */
  flag: string;
  /** The file's path or the host. */
  target: string;
}

/** The Deno refusal an error of {@link compileFrom} came from, if it came from one. */
const denials = new WeakMap<object, DenoDenial>();

/** @internal The Deno refusal behind `err` (a failed {@link compileFrom}), or `undefined`. */
export function denoDenial(err: unknown): DenoDenial | undefined {
  return typeof err === 'object' && err !== null ? denials.get(err) : undefined;
}

/**
 * Deno needs read permission for a file: URL and net permission for an http(s) one (the
 * `neurite/url` bundle imported from a server); a denial says which flag to pass, then
 * `advice` (what else would do, which depends on where the URL came from).
 */
async function denoFetch(url: URL, advice: string): Promise<Response> {
  try {
    return await fetch(url);
  } catch (e) {
    if (!isDenoDenial(e)) throw e;
    const name = (e as { name?: string }).name;
    const [what, flag] = url.protocol === 'file:' ? ['read access to', 'read'] : ['net access to', 'net'];
    const target = url.protocol === 'file:' ? decodeURIComponent(url.pathname) : url.host;
    const err = new InvalidArgumentError(
      `init: Deno denied ${what} ${target}: run with --allow-${flag}=${target} (or --allow-${flag})${advice} [${name}: ${(e as Error).message}]`,
    );
    denials.set(err, { what, flag, target });
    throw err;
  }
}

/** How {@link compileFrom} names the source in its errors, when the source is not the user's. */
export interface SourceLabel {
  /** What the module is, for errors (`"neurite's inline wasm"`); by default the URL or "the bytes given". */
  name?: string;
  /** Appended to a Deno permission error after the flag to pass (`", or import 'neurite' …"`). */
  denoAdvice?: string;
  /** Appended when the file is not there (no such file, HTTP 404): where it should be. */
  missingAdvice?: string;
  /** The entry's own `new URL('./core.wasm', import.meta.url)`, not the caller's source. */
  own?: boolean;
}

/**
 * Compiles `src`; `base` resolves relative URL strings. A source that yields no module — an
 * HTTP error status, a failed fetch, bytes that are not WebAssembly — is an
 * {@link InvalidArgumentError} naming `init` and the URL/status (never a plain `Error`); a
 * Content-Security-Policy that forbids compiling WebAssembly is a {@link NeuriteError} that
 * says which directive to add, and a runtime that compiles no WebAssembly from bytes (an edge
 * runtime) one that says to pass the module (see {@link compileError}). `label` names a module that the
 * entry chose (the user gave none).
 */
export async function compileFrom(src: WasmSource, base?: string, label: SourceLabel = {}): Promise<WebAssemblyModule> {
  if (isWasmModule(src)) return src as WebAssemblyModule;
  if (src instanceof ArrayBuffer || ArrayBuffer.isView(src)) return compileBytes(src as BufferSource, label.name ?? 'the bytes given', label.name !== undefined);
  let where = label.name ?? 'the Response given';
  if (typeof src === 'string' || src instanceof URL) {
    const url = urlOf(src, base, label.own === true);
    where = label.name ? `${label.name} (${url.href})` : url.href;
    if (url.protocol === 'file:' && isNode) {
      const fs = (await nodeBuiltin('fs/promises')) as typeof import('node:fs/promises');
      let data: Uint8Array;
      try {
        data = await fs.readFile(url);
      } catch (err) {
        const missing = (err as { code?: unknown })?.code === 'ENOENT' ? (label.missingAdvice ?? '') : '';
        const denied = isNodeDenial(err) ? ` (Node's permission model: run with --allow-fs-read=${decodeURIComponent(url.pathname)}, or pass init() the wasm's bytes)` : '';
        throw new InvalidArgumentError(`init: reading the neurite wasm from ${where} failed: ${(err as Error)?.message ?? String(err)}${missing}${denied}`);
      }
      return compileBytes(data as BufferSource, where, label.name !== undefined);
    }
    src = isDeno ? denoFetch(url, label.denoAdvice ?? '') : fetch(url);
  }
  let res: Response;
  try {
    res = (await src) as Response;
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw err;
    throw new IOError(`init: fetching the neurite wasm from ${where} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
  if (res.url) where = label.name ? `${label.name} (${res.url})` : res.url;
  if (!res.ok) {
    const err = await httpError(`init: fetching the neurite wasm from ${where}`, res);
    if (res.status === 404 && label.missingAdvice) err.message += label.missingAdvice;
    throw err;
  }
  try {
    return await WebAssembly.compileStreaming(res.clone());
  } catch {
    // A server that does not send Content-Type: application/wasm (a CSP refusal comes back
    // from compiling the bytes too, and is reported there).
    const bytes = await res.arrayBuffer();
    const page = htmlPageStart(new TextDecoder().decode(new Uint8Array(bytes, 0, Math.min(64, bytes.byteLength))));
    if (page !== null) {
      throw new InvalidArgumentError(
        `init: ${where} is an HTML page, not WebAssembly (the server sent ${res.headers.get('content-type') ?? 'no Content-Type'}, starting ${JSON.stringify(page)}): ` +
          `${HTML_FALLBACK}${label.missingAdvice ?? ''}`,
      );
    }
    return compileBytes(bytes, where, label.name !== undefined);
  }
}

/**
 * @internal Whether `v` is a compiled `WebAssembly.Module`, from this realm or another: an edge
 * sandbox (Vercel's edge-runtime, a `vm` context) may hand over a module its host compiled,
 * which `instanceof` does not see but every engine instantiates.
 */
export function isWasmModule(v: unknown): boolean {
  return v instanceof WebAssembly.Module || Object.prototype.toString.call(v) === '[object WebAssembly.Module]';
}

/**
 * @internal Whether `v` is a `Response`, or one from a fetch polyfill or another realm: an
 * object with `ok` and `arrayBuffer()` (a `Response` has both). It never reads the global
 * `Response`: in Node that loads its fetch (undici, which compiles a wasm of its own), which
 * cost `init({ threads: 1 })` 20–50 ms of a cold start over `init()`.
 */
export function isResponseLike(v: unknown): boolean {
  return v !== null && typeof v === 'object' && 'ok' in v && typeof (v as { arrayBuffer?: unknown }).arrayBuffer === 'function';
}

/** @internal What `init`'s source may be, for its messages. */
export const SOURCES = 'a WebAssembly.Module, bytes (an ArrayBuffer or a typed array), a URL or URL string, a Response, or a Promise of a Response';

/**
 * `src` as a URL, relative strings resolved against `base` (the page). A string that makes no
 * URL — a relative path where there is no page (Node, Deno), a bare word — is an
 * {@link InvalidArgumentError} that says what a source may be (`new URL` throws a bare
 * `TypeError: Invalid URL`).
 */
function urlOf(src: string | WebURL, base: string | undefined, own = false): URL {
  try {
    return new URL(String(src), base);
  } catch {
    const shown = JSON.stringify(String(src).length > 60 ? `${String(src).slice(0, 60)}…` : String(src));
    if (own) {
      // The entry's new URL('./core.wasm', import.meta.url) came out relative: a bundler's doing.
      throw new InvalidArgumentError(
        `init: neurite/url's own core.wasm URL is ${shown}, relative, with no page to resolve it against: a bundler rewrote its new URL('./core.wasm', import.meta.url) (Next.js sets webpack's module.parser.javascript.url to 'relative'); ` +
          `on a server leave neurite out of the bundle (Next.js: serverExternalPackages: ['neurite']), import 'neurite' (its wasm is inline), or pass the wasm to init() (its bytes, or a module)`,
      );
    }
    const why = base === undefined ? 'there is no page to resolve a relative URL against' : `not even relative to ${base}`;
    throw new InvalidArgumentError(
      `init: source ${shown} is not a URL (${why}): a string source is the URL of the .wasm file, absolute (https://…, file:///…) or relative ` +
        `to the page; from a file in Node or Deno pass new URL('./core.wasm', import.meta.url), or its bytes (fs.readFileSync(path)). ` +
        `source may be ${SOURCES}; init() with no source uses the module this entry carries`,
    );
  }
}

/** Compiles bytes; a failure is reported by {@link compileError}. */
async function compileBytes(bytes: BufferSource, where: string, ours: boolean): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes);
  } catch (err) {
    throw compileError(where, err, ours);
  }
}

/**
 * A Content-Security-Policy refusal, as engines word it: Chromium "Refused to compile or
 * instantiate WebAssembly module because 'unsafe-eval' is not an allowed source of script in
 * the following Content Security Policy directive…" (newer ones also name 'wasm-unsafe-eval'),
 * WebKit "Refused to create a WebAssembly object because 'unsafe-eval' or 'wasm-unsafe-eval' is
 * not an allowed source of script…" (WebKit compiles, and refuses `new WebAssembly.Instance`),
 * Firefox "call to WebAssembly.compile() blocked by CSP".
 */
const CSP_REFUSAL = /Content[ -]Security[ -]Policy|\bCSP\b|wasm-unsafe-eval|'unsafe-eval'/i;

/**
 * A runtime that never compiles WebAssembly from bytes: V8 embedders that turn it off (Cloudflare
 * Workers, Vercel Edge Functions, a Node `vm` context with `codeGeneration: { wasm: false }`)
 * say "Wasm code generation disallowed by embedder". Their platform compiles the `.wasm` when
 * the code is deployed, and hands it to the code as an imported module.
 */
const EMBEDDER_REFUSAL = /code generation disallowed|disallowed by embedder/i;

/** @internal What to do where the runtime compiles no WebAssembly from bytes, for messages. */
export const EDGE_ADVICE =
  "import 'neurite/url' and pass init() the module the platform compiles at deploy time: import wasm from 'neurite/core.wasm'; await init(wasm) (see the README's Edge and serverless runtimes)";

/** @internal Whether `err` is a Content-Security-Policy refusal (of compiling, or of instantiating as WebKit words it). */
export function cspRefusal(err: unknown): boolean {
  return CSP_REFUSAL.test(String((err as Error)?.message ?? err));
}

/**
 * @internal The error for `where` failing to compile (`err`, what `WebAssembly.compile`
 * threw). A CSP refusal says so and names the directive to add, whatever the source; bytes
 * that are not a module are the user's {@link InvalidArgumentError}, or, for a module the
 * entry chose (`ours`: the default entry's inline wasm), a {@link NeuriteError} that names
 * both likely causes.
 */
export function compileError(where: string, err: unknown, ours: boolean): NeuriteError {
  const detail = `[${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}]`;
  if (cspRefusal(err)) {
    return new NeuriteError(
      'Internal',
      `init: this page's Content-Security-Policy does not allow WebAssembly, so ${where} cannot be compiled or instantiated: ` +
        `add 'wasm-unsafe-eval' to its script-src directive, keeping the sources it has (script-src 'self' … 'wasm-unsafe-eval': an inline import map still needs its hash) ${detail}`,
      { cause: err },
    );
  }
  if (EMBEDDER_REFUSAL.test(String((err as Error)?.message ?? err))) {
    return new NeuriteError(
      'Internal',
      `init: this runtime does not compile WebAssembly from bytes (Cloudflare Workers and other edge runtimes compile it only when the code is deployed), so ${where} cannot be used: ` +
        `${EDGE_ADVICE} ${detail}`,
      { cause: err },
    );
  }
  if (ours) {
    return new NeuriteError(
      'Internal',
      `init: cannot compile ${where} as WebAssembly (a Content-Security-Policy whose script-src lacks 'wasm-unsafe-eval' blocks it; ` +
        `otherwise the bundle is damaged) ${detail}`,
      { cause: err },
    );
  }
  return new InvalidArgumentError(`init: cannot compile ${where} as WebAssembly: ${(err as Error)?.message ?? String(err)}`);
}

/** Decodes base64 to bytes without Node's Buffer, so it runs in every runtime. */
export function decodeBase64(b64: string): ArrayBufferBytes {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
