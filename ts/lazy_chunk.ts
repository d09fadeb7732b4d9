/**
 * Code loaded on first use: a dynamic `import()` of a chunk (`io.js`, `data.js`) that an app
 * which never needs it does not download (`io/lazy.ts`, `data/lazy.ts`).
 */
import { IOError } from './errors.js';

/**
 * @internal A loader of the chunk `load` imports, loaded once and shared by every caller. A
 * failed load (a missing `file` next to the bundle, a network error) rejects with an
 * {@link IOError} naming the caller `op` and `what` the chunk holds, and the next call
 * tries again. Its `loaded` is the chunk once loaded: a caller that must not wait a turn when
 * it need not (a save, whose place in a folder's queue of saves and loads is its call's) uses it.
 */
export function lazyChunk<T>(load: () => Promise<T>, file: string, what: string): ((op: string) => Promise<T>) & { readonly loaded: T | undefined } {
  let chunk: Promise<T> | undefined;
  let loaded: T | undefined;
  const get = (op: string): Promise<T> =>
    (chunk ??= load().then(
      (m) => (loaded = m),
      (err: unknown) => {
        chunk = undefined;
        throw new IOError(`${op}: loading neurite's ${what} (${file} next to the neurite bundle) failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
      },
    ));
  return Object.defineProperty(get, 'loaded', { get: () => loaded }) as typeof get & { readonly loaded: T | undefined };
}
