/**
 * neurite, loading `core.wasm` from next to this file (`new URL('./core.wasm', import.meta.url)`).
 * Bundlers such as Vite pick the asset up. Pass a source to `init()` for a CDN or custom layout.
 */
import { initFrom } from './init.js';
import type { WasmSource } from './wasm/load.js';

export * from './api.js';

/**
 * Loads the WebAssembly core; await it once before anything else. By default `core.wasm` next
 * to this module is fetched (read from disk in Node and Deno); pass bytes, a URL, a `Response`
 * or a `WebAssembly.Module` to use another.
 */
export function init(source?: WasmSource): Promise<void> {
  return initFrom(() => new URL('./core.wasm', import.meta.url), source, import.meta.url);
}
