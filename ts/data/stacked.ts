/**
 * The batches `batch()` stacked from elements that are arrays of 2 or 3 arrays — a
 * `[features, label]` pair of equal-length rows becomes one tensor `[n, 2, …]`, as in TF.js —
 * for a reader that would take such a batch for inputs alone (`normalization.adapt`) to say so.
 * Its own module, small: the main bundle's adapt reads it without loading the dataset code.
 */

/** @internal Tensors that `batch()` stacked from pair-like elements ({@link pairLike}). */
export const stackedPairs = new WeakSet<object>();

/** @internal Whether `v` is an array of 2 or 3 arrays (or typed arrays): a `[xs, ys]` pair of rows, or one sample of 2–3 rows. */
export function pairLike(v: unknown): boolean {
  return Array.isArray(v) && (v.length === 2 || v.length === 3) && v.every((e) => Array.isArray(e) || ArrayBuffer.isView(e));
}
