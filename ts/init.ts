/** `init()`: compiles and instantiates the core once; both entries build on this. */
import { instantiate, isInitialized } from './engine.js';
import { InvalidArgumentError } from './errors.js';
import { compileFrom, type WasmSource } from './wasm/load.js';

let pending: Promise<void> | null = null;

/** What a source is, for error messages. */
function what(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v === 'string' ? 'a string' : `${typeof v} ${String(v)}`;
  const name = (v as object).constructor?.name;
  return Array.isArray(v) ? 'an array' : `an object${name && name !== 'Object' ? ` (${name})` : ` with keys ${JSON.stringify(Object.keys(v))}`}`;
}

const SOURCES = 'a WebAssembly.Module, bytes (an ArrayBuffer or a typed array), a URL or URL string, a Response, or a Promise of a Response';

/**
 * Checks that `src` is a source `init` understands. A promise is checked once it settles (it
 * must give a `Response`, bytes or a module). Anything else — notably an options object, which
 * `init` does not take — is an {@link InvalidArgumentError}, never a fetch of `[object Object]`.
 */
async function checkedSource(src: unknown): Promise<WasmSource> {
  // A Response, or one from a fetch polyfill or another realm (it has `ok` and `arrayBuffer()`).
  const isResponse = (v: unknown) =>
    (typeof Response !== 'undefined' && v instanceof Response) ||
    (v !== null && typeof v === 'object' && 'ok' in v && typeof (v as { arrayBuffer?: unknown }).arrayBuffer === 'function');
  const direct = (v: unknown) =>
    v instanceof WebAssembly.Module || v instanceof ArrayBuffer || ArrayBuffer.isView(v) || v instanceof URL || typeof v === 'string' || isResponse(v);
  if (direct(src)) return src as WasmSource;
  if (src instanceof Promise || (src !== null && typeof src === 'object' && typeof (src as { then?: unknown }).then === 'function')) {
    const v: unknown = await (src as PromiseLike<unknown>);
    if (v instanceof WebAssembly.Module || v instanceof ArrayBuffer || ArrayBuffer.isView(v) || isResponse(v)) return v as WasmSource;
    throw new InvalidArgumentError(`init: the promise passed as the source resolved to ${what(v)}; expected a Response (e.g. fetch(url)), bytes or a WebAssembly.Module`);
  }
  throw new InvalidArgumentError(`init: source must be ${SOURCES}, got ${what(src)}${src !== null && typeof src === 'object' ? '; init takes no options object' : ''}`);
}

/**
 * Loads the WebAssembly core. Call once and await it before any other function; later calls
 * return at once. `source` overrides where the `.wasm` comes from; anything that is not a
 * {@link WasmSource} is rejected with an {@link InvalidArgumentError}.
 */
export function initFrom(defaultSource: () => WasmSource, source?: WasmSource, base?: string): Promise<void> {
  if (isInitialized() && source === undefined) return Promise.resolve();
  if (pending && source === undefined) return pending;
  const p = (async () => {
    const src = source === undefined ? defaultSource() : await checkedSource(source);
    const mod = await compileFrom(src, base);
    instantiate(mod);
  })();
  // Forget the attempt when it settles, so that a failed init() can be retried. The handler
  // also marks the rejection as handled here; the caller still receives it through `p`.
  const clear = () => {
    if (pending === p) pending = null;
  };
  pending = p;
  p.then(clear, clear);
  return p;
}
