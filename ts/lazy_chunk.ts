/**
 * Code loaded on first use: a dynamic `import()` of a chunk (`io.js`, `data.js`) that an app
 * which never needs it does not download (`io/lazy.ts`, `data/lazy.ts`).
 */
import { IOError, NeuriteError } from './errors.js';
import { COPY } from './brand.js';
import { inlineChunkAdvice } from './inline_worker.js';

/**
 * @internal A loader of the chunk `load` imports, loaded once and shared by every caller. A
 * failed load (a missing `file` next to the bundle, a network error, an inline worker's
 * `blob:` URL with nothing next to it) rejects with an {@link IOError} naming the caller `op`
 * and `what` the chunk holds, and the next call tries again. Its `loaded` is the chunk once loaded: a caller that must not wait a turn when
 * it need not (a save, whose place in a folder's queue of saves and loads is its call's) uses it.
 *
 * Each chunk re-exports this copy's {@link COPY}. A chunk bound to another copy means that a
 * loader turned this copy into CommonJS (tsx in a `"type": "commonjs"` project, ts-node) while
 * the chunk came in as an ES module with a second, uninitialised copy of the shared code: that
 * is refused here, with the fix, rather than failing later on tensors "from another copy".
 */
export function lazyChunk<T extends { COPY: object }>(load: () => Promise<T>, file: string, what: string): ((op: string) => Promise<T>) & { readonly loaded: T | undefined } {
  let chunk: Promise<T> | undefined;
  let loaded: T | undefined;
  const get = (op: string): Promise<T> =>
    (chunk ??= load().then(
      (m) => {
        if (m.COPY !== COPY) {
          chunk = undefined;
          throw new NeuriteError(
            'NotInitialized',
            `${op}: neurite's ${what} (${file}) loaded a second copy of neurite: your loader turned neurite into CommonJS (tsx or ts-node running a file of a "type": "commonjs" package) but loads its chunks as ES modules. neurite is ESM only: run the program as an ES module (name the file .mts, or set "type": "module" in package.json), or load neurite with a dynamic import instead`,
          );
        }
        return (loaded = m);
      },
      (err: unknown) => {
        chunk = undefined;
        throw new IOError(`${op}: loading neurite's ${what} (${file} next to the neurite bundle) failed: ${(err as Error)?.message ?? String(err)}${inlineChunkAdvice()}`, { cause: err });
      },
    ));
  return Object.defineProperty(get, 'loaded', { get: () => loaded }) as typeof get & { readonly loaded: T | undefined };
}
