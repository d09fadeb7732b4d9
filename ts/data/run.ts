/**
 * The dataset code that is loaded on first use (see `lazy.ts`): what runs once a dataset is
 * iterated or trained on — the stages' iterators (with batching, the element walkers and the
 * shuffle's generator behind them), the loop that reads a pass (`toArray`, `forEachAsync`),
 * `data.csv`'s reader, and `model.fitDataset` and `evaluateDataset` (their options' checks and loops).
 * The bundles put it, and what only it uses, in a chunk of its own (`data.js`).
 */
export {
  arrayPass, BatchIterator, ChainIterator, FilterIterator, generatorPass, MapIterator, PrefetchIterator, ShuffleIterator,
  SkipIterator, SourceIterator, TakeIterator, zipPass,
} from './stages.js';
export { disposeAll } from './tree.js';
export { consume } from './consume.js';
export { csvColumnNames, csvPass } from './csv_parse.js';
export { evaluateOnDataset, fitOnDataset } from '../models/fit-dataset-loop.js';
export { evaluateDatasetLoop, fitDatasetLoop } from '../models/fit-dataset.js';
// This copy's mark, which the loader checks (lazy_chunk.ts).
export { COPY } from '../brand.js';
