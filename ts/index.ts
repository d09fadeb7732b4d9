/**
 * neurite — deep learning on a Rust core compiled to SIMD WebAssembly.
 *
 * This default entry carries the `.wasm` inline (LZMA-packed, basE91), so it works in Node,
 * browsers and Deno with no permissions and no asset to copy. `neurite/url` loads `core.wasm`
 * instead.
 *
 * @example
 * import { init, tensor } from 'neurite';
 * await init();
 * const y = tensor([[1, 2], [3, 4]]).matMul(tensor([[1], [1]]));
 */
import { IOError } from './errors.js';
import { registerInit } from './backend.js';
import { initFrom, type InitOptions } from './init.js';
import { inlineChunkAdvice } from './inline_worker.js';
import { workerSource } from './threads/worker.js';
import type { ArrayBufferBytes } from './web-types.js';
import type { WasmSource } from './wasm/load.js';

export * from './api.js';

/** The inline module once unpacked (kept: init() may run again, e.g. to change threads). */
let unpacked: Promise<ArrayBufferBytes> | undefined;

/**
 * The module this entry carries: its text is a chunk of its own (ts/wasm/inline.ts,
 * `dist/wasm.js`), imported on the first `init()` that needs it. A failed import (a file
 * missing next to the bundle, a network error, an inline worker's `blob:` URL) is an
 * {@link IOError} and can be retried.
 */
function inlineWasm(): Promise<ArrayBufferBytes> {
  if (!unpacked) {
    unpacked = import('./wasm/inline.js').then(
      (m) => m.inlineModuleSliced(),
      (err: unknown) => {
        throw new IOError(`init: loading neurite's inline wasm (wasm.js next to the neurite bundle) failed: ${(err as Error)?.message ?? String(err)}${inlineChunkAdvice()}`, { cause: err });
      },
    );
    unpacked.catch(() => (unpacked = undefined));
  }
  return unpacked;
}

/**
 * Loads the WebAssembly core; await it once before anything else. By default the module
 * inlined in this bundle is used; pass bytes, a URL, a `Response` or a `WebAssembly.Module`
 * to use another, or {@link InitOptions} (`threads`, `source`; `relaxedSimd` needs
 * `neurite/url`). Workers start from source text inlined here (a Blob URL in browsers, an
 * `eval` worker in Node and Deno); without `threads`, only after the first call large enough
 * to split (see `threadsReady()`), so `init()` itself starts none. A later call with the same options, or the very source the instance was
 * made from (the same `Module` or bytes object, or URL), returns at once: an edge handler may call
 * `init(wasm)` in every request; another source replaces the instance.
 */
export function init(source?: WasmSource | InitOptions): Promise<void> {
  return initFrom(
    { name: 'neurite', defaultSource: inlineWasm, defaultName: "neurite's inline wasm", relaxedSource: null, worker: { code: workerSource } },
    source,
  );
}

registerInit(() => init());
