/** `init()`: compiles and instantiates the core once; both entries build on this. */
import { instantiate, isInitialized } from './engine.js';
import { compileFrom, type WasmSource } from './wasm/load.js';

let pending: Promise<void> | null = null;

/**
 * Loads the WebAssembly core. Call once and await it before any other function; later calls
 * return at once. `source` overrides where the `.wasm` comes from.
 */
export function initFrom(defaultSource: () => WasmSource, source?: WasmSource, base?: string): Promise<void> {
  if (isInitialized() && source === undefined) return Promise.resolve();
  if (pending && source === undefined) return pending;
  const p = (async () => {
    const mod = await compileFrom(source ?? defaultSource(), base);
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
