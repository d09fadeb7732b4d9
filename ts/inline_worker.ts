/**
 * neurite bundled into an inline worker (Vite's `?worker&inline`): the worker's code runs from
 * a `blob:` URL (or a `data:` URL where a Blob is refused), which has no folder, so nothing
 * next to it can be found: not `core.wasm` and `worker.js` (`new URL('./core.wasm',
 * import.meta.url)` throws "Invalid URL"), nor the chunks neurite imports on first use
 * (`wasm.js`, `train.js`, `io.js`, `data.js`: "Failed to resolve module specifier"), unless the
 * bundler inlined them too (Vite's `worker.format: 'iife'`). These say so, and what works.
 */

/**
 * @internal The `blob:` or `data:` URL this code runs from, or `undefined`: `base` when given
 * (`neurite/url`'s `import.meta.url`), else the realm's location (a Worker's is its script's
 * URL), read rather than `import.meta.url` in the code both entries share because webpack
 * would write its build machine's path there.
 */
export function inlineUrl(base?: string): string | undefined {
  const url = base ?? (globalThis as { location?: { href?: string } }).location?.href;
  return typeof url === 'string' && /^(blob|data):/i.test(url) ? url : undefined;
}

/** A `blob:` URL in full, a `data:` URL's start (it holds the whole script). */
function shown(url: string): string {
  return url.startsWith('blob:') ? url : `${url.slice(0, 30)}…`;
}

/**
 * @internal What to append to the message of a chunk that neurite imports on first use and that
 * failed to load: why, and what works, when this code runs from an inline worker's URL; nothing
 * elsewhere.
 */
export function inlineChunkAdvice(): string {
  const url = inlineUrl();
  if (!url) return '';
  return (
    `: neurite runs from a ${url.slice(0, url.indexOf(':') + 1)} URL here (${shown(url)}), an inline worker (Vite's ?worker&inline with worker.format 'es'), ` +
    `so the chunks neurite imports on first use (train.js, io.js, data.js, and the default entry's wasm.js) cannot be found next to it. ` +
    "Start the worker from its file (Vite: import MyWorker from './worker.ts?worker', without &inline), " +
    "or set Vite's worker.format to 'iife' (its default), which inlines them into the worker (see the README's Training in a Web Worker)"
  );
}

/**
 * @internal Why `neurite/url` cannot find `file` (`core.wasm`) next to a module run from the
 * inline worker URL `url`, and what works.
 */
export function inlineModuleAdvice(url: string, file: string): string {
  return (
    `init: neurite/url finds ${file} next to its module through import.meta.url, which is a ${url.slice(0, url.indexOf(':') + 1)} URL here (${shown(url)}): ` +
    'the module runs as an inline worker (Vite\'s ?worker&inline), so no file next to it can be found. ' +
    "Start the worker from its file (Vite: import MyWorker from './worker.ts?worker', without &inline); " +
    "or, with Vite's worker.format 'iife' (which inlines neurite's chunks into the worker), import 'neurite' (its wasm inline) or pass this entry the wasm's absolute URL: " +
    "import wasmUrl from 'neurite/core.wasm?url'; await init({ source: new URL(wasmUrl, self.location.origin) }) (see the README's Training in a Web Worker)"
  );
}
