/**
 * `data`: TF.js's `tf.data` — lazy datasets made with {@link array}, {@link generator},
 * {@link zip} and {@link csv} (the rows of a CSV file), transformed with `map`, `filter`,
 * `shuffle`, `batch`, …, and trained on with `model.fitDataset`. Shuffling is seeded (without
 * a seed, by the global generator that `setSeed` restarts), so a program gives the same order
 * on every run.
 *
 * @example
 * import { data } from 'neurite';
 * const ds = data.zip({ xs: data.array(xs), ys: data.array(ys) }).shuffle(100).batch(32);
 * await model.fitDataset(ds, { epochs: 5 });
 */
export { Dataset, array, generator, zip, type Batched, type DatasetContainer, type Zipped, type ZipTuple } from './dataset.js';
export {
  CSVDataset, csv, type ColumnConfig, type CSVByteStream, type CSVConfig, type CSVDtype, type CSVElement, type CSVElementOf, type CSVInput, type CSVLabeledRow, type CSVRow,
  type CSVSource, type CSVValue,
} from './csv.js';
export { LazyIterator, type Next, type IteratorLike } from './iterator.js';
