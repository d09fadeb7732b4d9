/**
 * Radial-basis-function networks: `rbfFeatures` (the design matrix), `rbfWidths` (the
 * nearest-centers heuristic) and `rbfNetwork`, a Sequential `[rbf, dense]` with the classic
 * two-stage fit — seeded k-means++ centers, nearest-center widths, then the linear output
 * layer solved in closed form by regularized least squares — and optional end-to-end
 * fine-tuning by backpropagation.
 */
import { call, check, outPtr, readOut } from '../engine.js';
import { DisposedError, InvalidArgumentError, NeuriteError, ShapeError } from '../errors.js';
import { rbfKernelId, type RbfKernelName } from '../layers/rbf.js';
import { Dense } from '../layers/core.js';
import { RBF } from '../layers/rbf.js';
import { resolve, withTensors, type TensorLike } from '../ops/convert.js';
import { concat } from '../ops/joining.js';
import { ones } from '../ops/creation.js';
import { slice } from '../ops/slicing.js';
import { reshape } from '../ops/shape.js';
import { matMul } from '../ops/matmul.js';
import { tidy } from '../scope.js';
import { wrapHandle, type Tensor } from '../tensor.js';
import { Sequential } from '../models/sequential.js';
import type { CompileArgs } from '../models/compile.js';
import type { History } from '../models/fit.js';
import { adam } from '../optimizers.js';
import type { IOHandler, ModelArtifacts, SaveResult } from '../io/artifacts.js';
import { rbfNetworkConfig, rbfNetworkToArtifacts } from '../io/classic.js';
import { saveWith } from '../io/model.js';
import type { ModelConfig } from '../io/topology.js';
import { boolOption, checkKeys, intOption, numberOption, seedWords } from './common.js';
import { drawSeed } from '../ops/random.js';
import { kmeans, type KMeansResult } from './kmeans.js';
import { leastSquares } from './least_squares.js';
import type { WebURL } from '../web-types.js';

(Symbol as { dispose?: symbol }).dispose ??= Symbol.for('Symbol.dispose');

/**
 * The RBF design matrix `Φ[i, j] = φ(‖xᵢ − cⱼ‖ / σⱼ)` for `x: [n, features]`, centers
 * `[units, features]` and widths `[units]` → `[n, units]` (the output of an `rbf` layer; `x`
 * may have more leading axes, as the layer's input). Each argument may be a tensor or nested
 * arrays.
 *
 * Differentiable under `grad` with respect to `x`, the centers and the widths, by the `rbf`
 * layer's own backward rule.
 *
 * @example rbfFeatures([[0, 0], [1, 1]], [[0, 0]], [1]) // [[1], [0.3679]]
 */
export function rbfFeatures(x: TensorLike, centers: TensorLike, widths: TensorLike, args: { kernel?: RbfKernelName | undefined } = {}): Tensor {
  const op = 'rbfFeatures';
  const a = checkKeys(op, args, ['kernel']);
  const kernel = rbfKernelId(op, a.kernel ?? 'gaussian');
  return withTensors(op, { x, centers, widths }, (t) => {
    const hx = t.x.handleFor(op, 'x');
    const hc = t.centers.handleFor(op, 'centers');
    const hw = t.widths.handleFor(op, 'widths');
    // The kernel checks the shapes and widths (with its messages), computes Φ and records it
    // on the tape with the rbf layer's backward rule.
    return call((e) => {
      check(e.nr_rbf_features(hx, hc, hw, kernel, outPtr(0)));
      return wrapHandle(readOut(0));
    });
  });
}

/** Options of {@link rbfWidths}. */
export interface RbfWidthsArgs {
  /**
   * How many nearest other centers to average over, at most `units − 1`. Default 2, or the
   * one other center when there are only 2 (a lone center gets σ = `scale` whatever this is).
   */
  neighbors?: number | undefined;
  /** Multiplies every width. Default 1. */
  scale?: number | undefined;
}

/** The default number of neighbors for `units` centers: 2, fewer when there are not that many others. */
const defaultNeighbors = (units: number): number => Math.max(1, Math.min(2, units - 1));

/**
 * Widths `[units]` from centers `[units, features]` (a tensor or nested arrays): σᵢ = `scale`
 * × the root-mean-square distance from center `i` to its `neighbors` nearest other centers
 * (Moody & Darken 1989). A lone center gets σ = `scale`; coinciding centers get the smallest
 * positive width. More neighbors than there are other centers is an error. It has no gradient
 * under `grad` (the choice of neighbors is not recorded).
 */
export function rbfWidths(centers: TensorLike, args: RbfWidthsArgs = {}): Tensor {
  const op = 'rbfWidths';
  const a = checkKeys(op, args, ['neighbors', 'scale']);
  const given = a.neighbors === undefined ? undefined : intOption(op, 'neighbors', a.neighbors, 1);
  const scale = numberOption(op, 'scale', a.scale ?? 1, (v) => v > 0, 'a finite number > 0');
  return withTensors(op, { centers }, (t) => {
    const hc = t.centers.handleFor(op, 'centers');
    const units = t.centers.rank === 2 ? t.centers.shape[0] : 0; // other shapes: the kernel's error
    if (given !== undefined && units >= 2 && given > units - 1) {
      throw new InvalidArgumentError(`${op}: neighbors is ${given}, but there are ${units} centers (shape [${t.centers.shape}]), so each has only ${units - 1} other${units === 2 ? '' : 's'} to average over; use neighbors <= ${units - 1}`);
    }
    const neighbors = given ?? defaultNeighbors(units);
    return call((e) => {
      check(e.nr_rbf_widths(hc, neighbors, scale, outPtr(0)));
      return wrapHandle(readOut(0));
    });
  });
}

/** Options of {@link rbfNetwork}: the number of centers, the kernel, the widths, the ridge penalty and the k-means settings. */
export interface RBFNetworkArgs {
  /** The number of radial units, found by k-means (1 ≤ centers ≤ the distinct rows of `x`). */
  centers: number;
  /** Default `'gaussian'`. */
  kernel?: RbfKernelName | undefined;
  /**
   * Seeds k-means++, and the shuffling of fine-tuning. Default: drawn from the global
   * generator when the network is made (see `setSeed`): two unseeded networks pick other
   * centers, the same program after the same `setSeed` repeats them, and `seed` tells the
   * one drawn (saved with the network).
   */
  seed?: number | undefined;
  /** Nearest centers averaged for each width, at most `centers − 1` (with one center, unused: its width is `widthScale`). Default 2 (1 with 2 centers). */
  neighbors?: number | undefined;
  /** Multiplies every width. Default 1. */
  widthScale?: number | undefined;
  /** Ridge penalty λ on the output weights (and bias). Default 1e-6. */
  l2?: number | undefined;
  /** Upper bound on k-means iterations. Default 300. */
  maxIterations?: number | undefined;
}

/** Options of {@link RBFNetwork.fit}. */
export interface RBFNetworkFitArgs {
  /**
   * Epochs of end-to-end fine-tuning by backpropagation after the two-stage fit. Default 0 (none).
   * Its optimizer's steps are in the weights' own units (Adam's about `learningRate` each), so
   * give `x` of about unit scale (standardize it): on `x` spanning 3e-3 a few epochs move the
   * centers far outside the data and the fit ends near the mean (MSE 0.1 where the closed form
   * had 1e-8). The network keeps the fine-tuned weights: compare the history's last `loss` with
   * {@link RBFNetworkFitResult.leastSquaresLoss}, and refit without `epochs` if it is worse.
   */
  epochs?: number | undefined;
  /** Optimizer of the fine-tuning. Default `optimizers.adam({ learningRate: 0.01 })`. */
  optimizer?: CompileArgs['optimizer'] | undefined;
  /** Loss of the fine-tuning. Default `'meanSquaredError'` (the loss the closed form minimises). */
  loss?: CompileArgs['loss'] | undefined;
  /** Default 32. */
  batchSize?: number | undefined;
  /** Default `true`. */
  shuffle?: boolean | undefined;
  /** 0 silent, 1 progress bar. Default 0. */
  verbose?: 0 | 1 | undefined;
}

/** What {@link RBFNetwork.fit} reports. */
export interface RBFNetworkFitResult {
  /** k-means inertia (sum of squared distances to the centers). */
  inertia: number;
  /** k-means (Lloyd) iterations. */
  kmeansIterations: number;
  /** Mean squared error of the closed-form solution on the training data. */
  leastSquaresLoss: number;
  /** The fine-tuning history, when `epochs > 0`. */
  history?: History | undefined;
}

/** `err` with `fit: ` before its message when it names another function (a NeuriteError). */
function inFit(err: unknown): unknown {
  if (err instanceof NeuriteError && !err.message.startsWith('fit: ')) err.message = `fit: ${err.message}`;
  return err;
}

const NET_KEYS = ['centers', 'kernel', 'seed', 'neighbors', 'widthScale', 'l2', 'maxIterations'] as const;
const FIT_KEYS = ['epochs', 'optimizer', 'loss', 'batchSize', 'shuffle', 'verbose'] as const;

/**
 * A radial-basis-function network: `y = Φ(x)·W + b` with `Φ` an `rbf` layer. The weights live
 * in {@link RBFNetwork.model} (a Sequential `[rbf, dense]`) once `fit` has run; free them with
 * `dispose()`.
 */
export class RBFNetwork {
  /** The number of radial units (`centers`). */
  readonly units: number;
  /** The radial function. */
  readonly kernel: RbfKernelName;
  /** Seeds k-means++ and the fine-tuning's shuffling. */
  readonly seed: number;
  /** Nearest centers averaged for each width. */
  readonly neighbors: number;
  /** Multiplies every width. */
  readonly widthScale: number;
  /** Ridge penalty λ on the output weights. */
  readonly l2: number;
  /** Upper bound on k-means iterations. */
  readonly maxIterations: number;
  #model: Sequential | null = null;
  #disposed = false;

  constructor(args: RBFNetworkArgs) {
    const a = checkKeys('rbfNetwork', args, NET_KEYS, true);
    this.units = intOption('rbfNetwork', 'centers', a.centers, 1, (1 << 24) - 1);
    this.kernel = (a.kernel ?? 'gaussian') as RbfKernelName;
    rbfKernelId('rbfNetwork', this.kernel);
    if (a.seed !== undefined) seedWords('rbfNetwork', a.seed);
    this.neighbors = a.neighbors === undefined ? defaultNeighbors(this.units) : intOption('rbfNetwork', 'neighbors', a.neighbors, 1);
    if (this.units >= 2 && this.neighbors > this.units - 1) {
      throw new InvalidArgumentError(`rbfNetwork: neighbors is ${this.neighbors}, but the network has ${this.units} centers, so each has only ${this.units - 1} other${this.units === 2 ? '' : 's'} to average over; use neighbors <= ${this.units - 1}, or more centers`);
    }
    this.widthScale = numberOption('rbfNetwork', 'widthScale', a.widthScale ?? 1, (v) => v > 0, 'a finite number > 0');
    this.l2 = numberOption('rbfNetwork', 'l2', a.l2 ?? 1e-6, (v) => v >= 0, 'a finite number >= 0');
    this.maxIterations = intOption('rbfNetwork', 'maxIterations', a.maxIterations ?? 300, 1);
    // Drawn once the options are checked: a bad option leaves the global generator as it was.
    this.seed = a.seed === undefined ? drawSeed('rbfNetwork') : a.seed as number;
  }

  /** The underlying model `[rbf, dense]` (after `fit`): use it to `evaluate`, `summary`, `getWeights`, … */
  get model(): Sequential {
    return this.#fitted('model');
  }

  /** The fitted model, or an error naming `op`: `DisposedError` after `dispose()`, else "call fit". */
  #fitted(op: string): Sequential {
    this.#check(op);
    if (!this.#model) throw new InvalidArgumentError(`${op}: call fit(x, y) first; the RBF network has no weights yet`);
    return this.#model;
  }

  #check(op: string): void {
    if (this.#disposed) throw new DisposedError(`${op}: the RBF network is disposed`);
  }

  /**
   * The two-stage fit on `x: [n, features]`, `y: [n, outputs]` (or `[n]`): k-means centers,
   * nearest-center widths, least-squares output weights; then, if `epochs > 0`, end-to-end
   * fine-tuning of all weights (centers and widths included) by backpropagation.
   * Refitting starts over. `x` and `y` may be tensors or nested arrays. Errors name `fit` and
   * its argument: NaN or ±Infinity in `x` or `y`, and fewer distinct rows of `x` than
   * `centers` (two centers cannot share a point), are errors.
   */
  async fit(x: TensorLike, y: TensorLike, args: RBFNetworkFitArgs = {}): Promise<RBFNetworkFitResult> {
    this.#check('fit');
    // Arrays become temporary tensors, freed when the fit (fine-tuning included) settles.
    const temps: Tensor[] = [];
    const tensorOf = (arg: string, v: TensorLike): Tensor => {
      const r = resolve('fit', arg, v);
      if (r.temp) temps.push(r.temp);
      return r.temp ?? (v as Tensor);
    };
    try {
      return await this.#fit(tensorOf('x', x), tensorOf('y', y), args);
    } finally {
      for (const t of temps) t.dispose();
    }
  }

  async #fit(x: Tensor, y: Tensor, args: RBFNetworkFitArgs): Promise<RBFNetworkFitResult> {
    const a = checkKeys('fit', args, FIT_KEYS);
    const epochs = intOption('fit', 'epochs', a.epochs ?? 0, 0);
    const batchSize = intOption('fit', 'batchSize', a.batchSize ?? 32, 1);
    const shuffle = boolOption('fit', 'shuffle', a.shuffle ?? true);
    if (x.rank !== 2) throw new ShapeError(`fit: x must have shape [samples, features], got [${x.shape}]`);
    if ((y.rank !== 1 && y.rank !== 2) || y.shape[0] !== x.shape[0]) {
      throw new ShapeError(`fit: y must have shape [${x.shape[0]}] or [${x.shape[0]}, outputs] (one row per sample of x, shape [${x.shape}]), got [${y.shape}]`);
    }
    const [n, d] = x.shape;
    // Checked here so that the message names fit and its argument, not kmeans' x or leastSquares' b.
    for (const [name, t] of [['x', x], ['y', y]] as const) {
      const h = t.handleFor('fit', name);
      const at = call((e) => {
        check(e.nr_tensor_first_non_finite(h, outPtr(0)));
        return readOut(0) === 1 ? readOut(1) : -1;
      });
      if (at >= 0) throw new InvalidArgumentError(`fit: ${name} contains ${String(t.dataSync()[at])} at flat index ${at} (shape [${t.shape}]); clean the data first`);
    }
    const m = y.rank === 2 ? y.shape[1] : 1;
    const y2 = y.rank === 2 ? y : reshape(y, [n, 1]);
    try {
      const km = this.#kmeans(x);
      km.labels.dispose();
      let stage2: { weights: Tensor[]; loss: number };
      try {
        stage2 = tidy(() => {
          const widths = rbfWidths(km.centers, { neighbors: this.neighbors, scale: this.widthScale });
          const phi = rbfFeatures(x, km.centers, widths, { kernel: this.kernel });
          const design = concat([phi, ones([n, 1])], 1);
          const w = this.#solve(design, y2);
          const loss = matMul(design, w).sub(y2).square().mean().item();
          const kernel = slice(w, [0, 0], [this.units, m]);
          const bias = reshape(slice(w, [this.units, 0], [1, m]), [m]);
          return { weights: [km.centers, widths, kernel, bias], loss };
        });
      } catch (err) {
        km.centers.dispose();
        // x is finite (checked above): a non-finite feature is float32 overflow of a squared distance.
        if (err instanceof NeuriteError && /^(fit: )?leastSquares: a contains/.test(err.message)) {
          err.message = `fit: the RBF features overflowed float32 (squared distances between x's rows and the centers beyond 3.4e38: x of shape [${x.shape}] holds values too large, |x| up to about 1e19); scale x first (e.g. layers.normalization, or divide by its range)`;
        }
        throw inFit(err);
      }
      const { weights, loss } = stage2;
      this.#model?.dispose();
      this.#model = null;
      this.#model = new Sequential({
        seed: this.seed,
        layers: [
          new RBF({ inputShape: [d], units: this.units, kernel: this.kernel }),
          new Dense({ units: m }),
        ],
      });
      try {
        // Every weight comes from the two stages: no initial values drawn to be overwritten.
        this.#model.buildWithWeights([d], weights);
      } catch (err) {
        this.#model.dispose();
        this.#model = null;
        throw err;
      } finally {
        for (const t of weights) t.dispose();
      }
      const result: RBFNetworkFitResult = { inertia: km.inertia, kmeansIterations: km.iterations, leastSquaresLoss: loss };
      if (epochs > 0) {
        this.#model.compile({ optimizer: a.optimizer as CompileArgs['optimizer'] ?? adam({ learningRate: 0.01 }), loss: a.loss as CompileArgs['loss'] ?? 'meanSquaredError' });
        result.history = await this.#model.fit(x, y2, { epochs, batchSize, shuffle, verbose: (a.verbose as 0 | 1 | undefined) ?? 0 });
      }
      return result;
    } finally {
      if (y2 !== y) y2.dispose();
    }
  }

  /**
   * The k-means stage; more centers than distinct rows of `x` is an error in fit's terms.
   * Other errors of the inner functions (not expected once fit has checked its arguments)
   * keep their message after `fit: `, so that they still name the call the user made.
   */
  #kmeans(x: Tensor): KMeansResult {
    try {
      return kmeans(x, { k: this.units, seed: this.seed, maxIterations: this.maxIterations });
    } catch (err) {
      const few = err instanceof NeuriteError ? /is more than the (\d+) (distinct rows|samples) of x/.exec(err.message) : null;
      if (few) {
        const [, j, rows] = few, distinct = rows === 'samples' ? '' : 'distinct ';
        (err as NeuriteError).message = `fit: the network has ${this.units} centers but x has only ${j} ${rows} (shape [${x.shape}]); k-means needs a ${distinct}sample per center: use centers <= ${j}`;
      }
      throw inFit(err);
    }
  }

  /**
   * The output weights `[units + 1, outputs]` (the bias last) by ridge least squares on the
   * design matrix `[Φ, 1]`; a singular system is an error that says which column is the bias.
   */
  #solve(design: Tensor, y: Tensor): Tensor {
    try {
      return leastSquares(design, y, { l2: this.l2 });
    } catch (err) {
      const col = err instanceof NeuriteError ? /column (\d+) of a is a linear combination/.exec(err.message) : null;
      if (!col) throw inFit(err);
      const j = Number(col[1]);
      const [n, p] = design.shape;
      const which = j === this.units ? `column ${j}, the bias column,` : `column ${j}, center ${j}'s,`;
      const few = n < p ? `, as must happen with fewer samples (${n}) than unknowns (${p}: ${this.units} centers and the bias)` : '';
      const fewer = n < p ? `fewer centers (at most ${n - 1} for ${n} samples)` : 'fewer centers';
      (err as NeuriteError).message = `fit: the output weights have no unique least-squares solution with l2 = ${this.l2}: the design matrix is [Φ, 1] (a column per center, then ones for the bias), and ${which} is a linear combination of the others${few}; use ${this.l2 > 0 ? 'a larger l2' : 'l2 > 0'} (the default is 1e-6) or ${fewer}`;
      throw err;
    }
  }

  /** Outputs `[n, outputs]` for `x: [n, features]` (a tensor or nested arrays). */
  predict(x: TensorLike, args: { batchSize?: number | undefined } = {}): Tensor {
    const model = this.#fitted('predict');
    return withTensors('predict', { x }, (t) => model.predict(t.x, args));
  }

  /** A copy of the centers `[units, features]`. */
  centers(): Tensor {
    const w = this.#fitted('centers').getWeights();
    for (const t of w.slice(1)) t.dispose();
    return w[0];
  }

  /** A copy of the widths `[units]`. */
  widths(): Tensor {
    const w = this.#fitted('widths').getWeights();
    w[0].dispose();
    for (const t of w.slice(2)) t.dispose();
    return w[1];
  }

  /**
   * The network's config as a Keras-style object `{ class_name: 'neurite>RBFNetwork', config:
   * { centers, kernel, seed, neighbors, width_scale, l2, max_iterations, model } }`, where
   * `model` is the fitted `[rbf, dense]` model's config (`null` before `fit`).
   */
  getConfig(): ModelConfig {
    this.#check('getConfig');
    return rbfNetworkConfig(this, this.#model);
  }

  /**
   * The network as artifacts in TF.js's format: its config and the weights of the fitted
   * model (`rbf_1/centers`, `rbf_1/widths`, `dense_1/kernel`, `dense_1/bias`). Load with `loadModel`.
   */
  toArtifacts(): Promise<ModelArtifacts> {
    this.#check('toArtifacts');
    return rbfNetworkToArtifacts(this, this.#model);
  }

  /** Saves {@link RBFNetwork.toArtifacts} through a storage handler (a URL or `{ save }`). */
  save(target: string | WebURL | IOHandler): Promise<SaveResult> {
    return saveWith('save', target, async () => {
      this.#check('save');
      return rbfNetworkToArtifacts(this, this.#model);
    });
  }

  /** @internal Gives a loaded network its fitted model (which it then owns). */
  adoptModel(model: Sequential): void {
    this.#model?.dispose();
    this.#model = model;
  }

  /** Whether `dispose()` was called. */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** Frees the model and its weights. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#model?.dispose();
    this.#model = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * Creates a radial-basis-function network with `centers` Gaussian (or other) units.
 *
 * @example
 * using net = rbfNetwork({ centers: 12, kernel: 'gaussian', seed: 1 });
 * await net.fit(x, y);                 // k-means + widths + least squares
 * await net.fit(x, y, { epochs: 50 }); // the same, then backprop fine-tuning
 * const yHat = net.predict(xTest);
 */
export function rbfNetwork(args: RBFNetworkArgs): RBFNetwork {
  return new RBFNetwork(args);
}
