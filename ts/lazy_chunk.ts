/**
 * Code loaded on first use: a dynamic `import()` of a chunk (`io.js`, `data.js`) that an app
 * which never needs it does not download (`io/lazy.ts`, `data/lazy.ts`).
 */
import { NeuriteError } from './errors.js';

/**
 * @internal A loader of the chunk `load` imports, loaded once and shared by every caller. A
 * failed load (a missing `file` next to the bundle, a network error) rejects with a
 * {@link NeuriteError} naming the caller `op` and `what` the chunk holds, and the next call
 * tries again.
 */
export function lazyChunk<T>(load: () => Promise<T>, file: string, what: string): (op: string) => Promise<T> {
  let chunk: Promise<T> | undefined;
  return (op) =>
    (chunk ??= load().catch((err: unknown) => {
      chunk = undefined;
      throw new NeuriteError('Internal', `${op}: loading neurite's ${what} (${file} next to the neurite bundle) failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }));
}
