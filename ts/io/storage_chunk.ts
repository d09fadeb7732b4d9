/**
 * The loader of the storage chunk (`io.js`: `store.ts` and what only it uses), in a module of
 * its own that imports nothing of the models, so that the optimizers (whose `getWeights` and
 * `setWeights` live there) share it without importing `lazy.ts`, which imports the models.
 */
import type { NeuriteError } from '../errors.js';
import { lazyChunk } from '../lazy_chunk.js';

/** @internal The storage chunk's exports. */
export type StorageChunk = typeof import('./store.js');

/**
 * @internal The storage chunk, loaded once; `op` names the caller if loading fails (a missing
 * file next to the bundle, a network error), which is a {@link NeuriteError} and can be retried.
 */
export const storage = lazyChunk((): Promise<StorageChunk> => import('./store.js'), 'io.js', 'storage code');
