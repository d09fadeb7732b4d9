/**
 * `data`: TF.js's `tf.data`, the in-memory part — lazy datasets made with {@link array},
 * {@link generator} and {@link zip}, transformed with `map`, `filter`, `shuffle`, `batch`, …,
 * and trained on with `model.fitDataset`. Shuffling is seeded (a default seed when none is
 * given), so a program gives the same order on every run.
 *
 * @example
 * import { data } from 'neurite';
 * const ds = data.zip({ xs: data.array(xs), ys: data.array(ys) }).shuffle(100).batch(32);
 * await model.fitDataset(ds, { epochs: 5 });
 */
export { Dataset, array, generator, zip, type Batched, type DatasetContainer, type Zipped } from './dataset.js';
export { LazyIterator, type Next, type IteratorLike } from './iterator.js';
export { DEFAULT_SHUFFLE_SEED } from './random.js';
