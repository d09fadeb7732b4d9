/**
 * `kmeans`: seeded k-means clustering (k-means++ seeding, then Lloyd iterations), run in
 * WebAssembly (`crates/core/src/classic/kmeans.rs`, where the algorithm is documented).
 */
import { argPtr, call, check, outPtr, readOut } from '../engine.js';
import { withTensors, type TensorLike } from '../ops/convert.js';
import { wrapHandle, type Tensor } from '../tensor.js';
import { InvalidArgumentError } from '../errors.js';
import { checkKeys, intOption, numberOption, seedWords } from './common.js';
import { drawSeed } from '../ops/random.js';

/** Options of {@link kmeans}. */
export interface KMeansArgs {
  /** The number of clusters: 1 ≤ k ≤ the number of distinct rows of `x` (more is an error). */
  k: number;
  /**
   * Seeds the k-means++ (or random) draws; the same seed gives the same clusters. Default:
   * the next seed of the global generator (see `setSeed`), as the random ops without a seed:
   * each call draws other centers, and the same program after the same `setSeed` repeats them.
   */
  seed?: number | undefined;
  /** Upper bound on Lloyd iterations. Default 300. */
  maxIterations?: number | undefined;
  /** Stop once no center moves farther than this. Default 0 (until no label changes). */
  tolerance?: number | undefined;
  /**
   * How a run picks its first centers (scikit-learn's `init`): `'k-means++'` (default: rows
   * drawn with probability ∝ their squared distance to the centers so far), `'random'` (`k`
   * distinct rows drawn uniformly), or the starting centers themselves (`[k, features]`, a
   * tensor or nested arrays: one run from there).
   */
  init?: 'k-means++' | 'random' | TensorLike | undefined;
  /**
   * Runs from different seedings; the one of least inertia is returned (ties: the first).
   * Default 1, or 10 for `init: 'random'` (scikit-learn's `n_init='auto'`); must be 1 with given
   * centers, at most 10,000 (each run is a whole k-means). Run `r` is seeded by `seed` and `r`,
   * so `nInit: 1` is the first run of several.
   */
  nInit?: number | undefined;
}

/** The clustering {@link kmeans} returns; dispose `centers` and `labels` when done. */
export interface KMeansResult {
  /** `[k, features]`. */
  centers: Tensor;
  /** `[samples]`: the index of each sample's nearest center (as float32). */
  labels: Tensor;
  /** Sum of squared distances from the samples to their centers (summed in f64, as scikit-learn's `inertia_`). */
  inertia: number;
  /**
   * Lloyd iterations that changed the clustering. scikit-learn's `n_iter_` is one more: it
   * counts the pass that finds no label changed, which `converged` reports here.
   */
  iterations: number;
  /** Whether it stopped before `maxIterations`. */
  converged: boolean;
}

/**
 * Clusters the rows of `x` (`[samples, features]`, a tensor or nested arrays) into `k` groups.
 * `k` above the number of distinct rows is an `InvalidArgumentError` that says how many there
 * are (the extra centers could only duplicate others and own no sample; scikit-learn warns
 * and returns them), as are NaN and ±Infinity in `x`. A center that no sample is nearest to
 * during the iterations takes the sample farthest from its own center (scikit-learn's rule).
 *
 * @example
 * const { centers, labels, inertia } = kmeans(x, { k: 3, seed: 1 });
 * kmeans(x, { k: 3, seed: 1, nInit: 10 }); // the best of 10 k-means++ runs
 * kmeans([[0, 0], [0, 1], [5, 5]], { k: 2 });
 */
export function kmeans(x: TensorLike, args: KMeansArgs): KMeansResult {
  const a = checkKeys('kmeans', args, ['k', 'seed', 'maxIterations', 'tolerance', 'init', 'nInit'], true);
  const k = intOption('kmeans', 'k', a.k, 1);
  const maxIterations = intOption('kmeans', 'maxIterations', a.maxIterations ?? 300, 1);
  const tolerance = numberOption('kmeans', 'tolerance', a.tolerance ?? 0, (v) => v >= 0, 'a finite number >= 0');
  const given = a.seed === undefined ? undefined : seedWords('kmeans', a.seed);
  const init = a.init ?? 'k-means++';
  const named = init === 'k-means++' || init === 'random';
  if (typeof init === 'string' && !named) throw new InvalidArgumentError(`kmeans: init must be 'k-means++', 'random' or the starting centers [k, features], got ${JSON.stringify(init)}`);
  const nInit = intOption('kmeans', 'nInit', a.nInit ?? (init === 'random' ? 10 : 1), 1, 10_000);
  if (!named && nInit !== 1) throw new InvalidArgumentError(`kmeans: nInit is ${nInit}, but init gives the starting centers, so there is one run: leave nInit out`);
  // Drawn once the options are checked (given centers draw nothing).
  const [lo, hi] = given ?? (named ? seedWords('kmeans', drawSeed('kmeans')) : [0, 0]);
  return withTensors('kmeans', named ? { x } : { x, init: init as TensorLike }, (t) => {
    const hx = t.x.handleFor('kmeans', 'x');
    const hInit = named ? 0 : (t as { init: Tensor }).init.handleFor('kmeans', 'init');
    return call((e) => {
      check(e.nr_kmeans(hx, k, maxIterations, tolerance, lo, hi, nInit, init === 'random' ? 1 : 0, hInit, outPtr(0), argPtr()));
      const [inertia, iterations, converged] = new Float64Array(e.memory.buffer, argPtr(), 3);
      const centers = wrapHandle(readOut(0));
      const labels = wrapHandle(readOut(1));
      return { centers, labels, inertia, iterations, converged: converged === 1 };
    });
  });
}
