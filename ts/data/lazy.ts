/**
 * The dataset code that runs only once a dataset is iterated or trained on (`run.ts`: the
 * stages' iterators, batching, the element walkers, the shuffle's generator, `data.csv`'s
 * reader, and `fitDataset`/`evaluateDataset` with their options' checks), loaded on first use with a dynamic
 * `import()`, as the storage code is (`../io/lazy.ts`): both entries carry it as a chunk of
 * its own (`data.js`), which an app that never iterates a dataset does not download. What is
 * synchronous stays in the main bundle: `data.array`, `generator`, `zip` and `csv`'s argument
 * checks, the `Dataset` class and its chainable stages (they only record the pipeline and
 * check their arguments) and the `LazyIterator` base class. `fitDataset` and `evaluateDataset`
 * check their options once the chunk is loaded (they return promises: the error is a rejection
 * either way).
 */
import { lazyChunk } from '../lazy_chunk.js';

/** @internal The dataset chunk's exports. */
export type DataChunk = typeof import('./run.js');

/**
 * @internal The dataset chunk, loaded once; `op` names the caller if loading fails (a missing
 * file next to the bundle, a network error), which is a `NeuriteError` and can be retried.
 */
export const dataChunk = lazyChunk((): Promise<DataChunk> => import('./run.js'), 'data.js', 'dataset code');
