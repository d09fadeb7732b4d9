/**
 * neurite, loading `core.wasm` from next to this file (`new URL('./core.wasm', import.meta.url)`).
 * Bundlers such as Vite pick the asset up. Pass a source to `init()` for a CDN or custom layout.
 */
import { initFrom, type InitOptions } from './init.js';
import type { WasmSource } from './wasm/load.js';

export * from './api.js';

/**
 * Loads the WebAssembly core; await it once before anything else. By default `core.wasm` next
 * to this module is fetched (read from disk in Node and Deno); pass bytes, a URL, a `Response`
 * or a `WebAssembly.Module` to use another, or {@link InitOptions} (`threads`, `relaxedSimd`,
 * `source`). Workers run `worker.js` from next to this module.
 */
export function init(source?: WasmSource | InitOptions): Promise<void> {
  return initFrom(
    {
      defaultSource: () => new URL('./core.wasm', import.meta.url),
      relaxedSource: () => new URL('./core-relaxed.wasm', import.meta.url),
      base: import.meta.url,
      // Written out so that bundlers (Vite) see the worker and the wasm files and emit them.
      worker: {
        url: () => new URL('./worker.js', import.meta.url),
        web: () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }),
      },
    },
    source,
  );
}
