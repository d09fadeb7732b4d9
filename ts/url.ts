/**
 * neurite, loading `core.wasm` from next to this file (`new URL('./core.wasm', import.meta.url)`).
 * Bundlers such as Vite pick the asset up. Pass a source to `init()` for a CDN or custom layout.
 */
import { registerInit } from './backend.js';
import { InvalidArgumentError } from './errors.js';
import { foreignOrigin, initFrom, type InitOptions } from './init.js';
import { inlineModuleAdvice, inlineUrl } from './inline_worker.js';
import { workerSource } from './threads/worker.js';
import { EDGE_ADVICE, type WasmSource } from './wasm/load.js';

export * from './api.js';

/**
 * Loads the WebAssembly core; await it once before anything else. By default `core.wasm` next
 * to this module is fetched (read from disk in Node and Deno); pass bytes, a URL, a `Response`
 * or a `WebAssembly.Module` to use another, or {@link InitOptions} (`threads`, `relaxedSimd`,
 * `source`). Browser workers run `worker.js` from next to this module; without `threads`, they
 * start only after the first call large enough to split (see `threadsReady()`), so `init()`
 * itself starts none. A later call with the same options, or the very source the instance was
 * made from (the same `Module` or bytes object, or URL), returns at once: an edge handler may call
 * `init(wasm)` in every request; another source replaces the instance.
 */
export function init(source?: WasmSource | InitOptions): Promise<void> {
  return initFrom(
    {
      name: 'neurite/url',
      defaultSource: () => {
        if (typeof import.meta.url !== 'string') throw noModuleUrl();
        return besideModule(() => new URL('./core.wasm', import.meta.url), 'core.wasm');
      },
      missingAdvice:
        "; neurite/url loads core.wasm from next to its own module: copy node_modules/neurite/dist/url/core.wasm (and worker.js) next to the bundle (Vite, webpack 5, and Rollup with @web/rollup-plugin-import-meta-assets emit them from new URL(…, import.meta.url); esbuild does not), pass the wasm to init(), or import 'neurite', whose wasm is inline",
      denoAdvice: ", pass the wasm to init() yourself, or import 'neurite' (the wasm inline, no permission needed) instead of 'neurite/url'",
      relaxedSource: () => {
        if (typeof import.meta.url !== 'string') throw noModuleUrl();
        return besideModule(() => new URL('./core-relaxed.wasm', import.meta.url), 'core-relaxed.wasm');
      },
      // Browsers start worker.js, written out so that bundlers (Vite, webpack, Parcel) see and
      // emit it; Node and Deno start the same code from its text (no file access, so no Deno
      // permission), and so do browsers from a Blob URL when this bundle and its worker.js come
      // from another origin (a CDN), which they would refuse. The origin asked is core.wasm's,
      // emitted next to worker.js: not import.meta.url's, which webpack and Parcel replace with
      // the build machine's file:// path (it would also ship in the bundle), nor a second
      // `new URL('./worker.js', import.meta.url)`'s, which Vite inlines as a data: URL (assets
      // under 4 kB; test/bundler.test.ts). An inline worker (Vite's ?worker&inline: this module
      // runs from a blob: URL, against which no relative URL resolves) has no worker.js next to
      // it either, so its workers start from the code too.
      worker: {
        code: workerSource,
        web: () => {
          let wasm: URL;
          try {
            wasm = new URL('./core.wasm', import.meta.url);
          } catch (err) {
            if (inlineUrl(import.meta.url)) return null;
            throw err;
          }
          return foreignOrigin(wasm) ? null : new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
        },
      },
    },
    source,
  );
}

/**
 * The URL of `file` next to this module (`make` writes `new URL('./file', import.meta.url)` out,
 * which bundlers rewrite to the emitted asset's), or, when that throws because this module runs
 * from a `blob:` or `data:` URL (an inline worker), an error that says so and what works.
 */
function besideModule(make: () => URL, file: string): URL {
  try {
    return make();
  } catch (err) {
    const inline = inlineUrl(import.meta.url);
    if (inline) throw new InvalidArgumentError(inlineModuleAdvice(inline, file));
    throw err;
  }
}

/**
 * No `import.meta.url` to find the wasm from: a CommonJS bundle of this entry (esbuild
 * --format=cjs), or a runtime whose modules have no URL (Cloudflare Workers), which also
 * compiles no wasm from bytes, so the inline entry is no way out there.
 */
function noModuleUrl(): InvalidArgumentError {
  return new InvalidArgumentError(
    "init: neurite/url finds core.wasm next to its module through import.meta.url, which this module does not have (a CommonJS bundle, or an edge runtime such as Cloudflare Workers): " +
      `on an edge runtime, ${EDGE_ADVICE.replace("import 'neurite/url' and pass", 'pass')}; with a CommonJS bundle, import 'neurite' instead (the wasm inline), or bundle as ESM and copy core.wasm and worker.js next to the bundle; or pass the wasm to init({ source })`,
  );
}

registerInit(() => init());
