/**
 * `pca`: principal component analysis, the linear baseline of dimensionality reduction. The
 * fit runs in WebAssembly in f64 (`crates/core/src/decomposition/pca.rs`, where the math and
 * the conventions are documented); this object holds one handle.
 */
import { call, check, outPtr, readOut } from '../engine.js';
import { InvalidArgumentError } from '../errors.js';
import { keep } from '../scope.js';
import { wrapHandle, type Tensor } from '../tensor.js';
import { boolOption, checkKeys, intOption, OwnedHandle, tensorArg } from '../classic/common.js';

(Symbol as { dispose?: symbol }).dispose ??= Symbol.for('Symbol.dispose');

/**
 * Options of {@link pca}: the number of components to keep, and whether to whiten the codes.
 *
 * @example const codes = pca({ components: 2, whiten: true }).fitTransform(x); // [samples, 2]
 */
export interface PCAArgs {
  /** `k`, the number of components to keep: `1 ≤ k ≤ min(samples, features)` (checked by `fit`). */
  components: number;
  /** Scale the codes to unit variance (divide by `√explainedVariance`). Default `false`. */
  whiten?: boolean | undefined;
}

/** The ABI ids of the fitted parts (`PcaPart` in Rust). */
const PART = { components: 0, mean: 1, explainedVariance: 2, explainedVarianceRatio: 3 } as const;

/**
 * Principal component analysis: `transform(x) = (x − mean)·componentsᵀ`, and
 * `inverseTransform(z) = z·components + mean`. Create it with {@link pca}, then `fit(x)`.
 *
 * Conventions (as scikit-learn's `PCA`): `explainedVariance` is `λ / (n − 1)`;
 * `explainedVarianceRatio` divides by the total variance of all features; each component is
 * signed so that its largest-magnitude entry is positive; components beyond the rank of the
 * data complete an orthonormal basis and explain 0 variance. When `n < d` the `n × n` Gram
 * matrix is decomposed instead of the `d × d` covariance (same result, less work).
 *
 * Free it with `dispose()` (or `using`); that also frees the `components` and `mean` tensors
 * it handed out.
 */
export class PCA {
  /** `k`, the number of components kept. */
  readonly nComponents: number;
  /** Whether the codes are whitened. */
  readonly whiten: boolean;
  readonly #h: OwnedHandle;
  #fit: { samples: number; features: number; variance: number[]; ratio: number[] } | null = null;
  #components: Tensor | null = null;
  #mean: Tensor | null = null;

  /** Use {@link pca}. */
  constructor(args: PCAArgs) {
    const a = checkKeys('pca', args, ['components', 'whiten'], true);
    this.nComponents = intOption('pca', 'components', a.components, 1, (1 << 24) - 1);
    this.whiten = boolOption('pca', 'whiten', a.whiten ?? false);
    const h = call((e) => {
      check(e.nr_pca_new(this.nComponents, this.whiten ? 1 : 0, outPtr(0)));
      return readOut(0);
    });
    this.#h = new OwnedHandle(this, h, 'pca', 'the PCA', (e, h) => e.nr_pca_free(h));
  }

  #fitted(op: string): { samples: number; features: number; variance: number[]; ratio: number[] } {
    this.#h.live(op);
    if (this.#fit === null) throw new InvalidArgumentError(`${op}: the PCA is not fitted yet; call fit(x) first`);
    return this.#fit;
  }

  #part(h: number, part: number): Tensor {
    return call((e) => {
      check(e.nr_pca_get(h, part, outPtr(0)));
      return wrapHandle(readOut(0));
    });
  }

  #dropCached(): void {
    this.#components?.dispose();
    this.#mean?.dispose();
    this.#components = null;
    this.#mean = null;
  }

  /**
   * Fits to `x` (`[samples, features]`, finite, at least 2 samples): centres it, decomposes
   * its covariance (or Gram) matrix in f64 and keeps the top `k` components. Returns `this`.
   * Refitting replaces the previous fit; a failed fit keeps it.
   */
  fit(x: Tensor | ArrayLike<number>[]): this {
    const h = this.#h.live('pca.fit');
    const xs = tensorArg('pca.fit', 'x', x);
    try {
      call((e) => check(e.nr_pca_fit(h, xs.t.handleFor('pca.fit', 'x'))));
      const [samples, features] = xs.t.shape;
      const v = this.#part(h, PART.explainedVariance);
      const r = this.#part(h, PART.explainedVarianceRatio);
      const variance = Array.from(v.data());
      const ratio = Array.from(r.data());
      v.dispose();
      r.dispose();
      this.#dropCached();
      this.#fit = { samples, features, variance, ratio };
      return this;
    } finally {
      if (xs.temp) xs.t.dispose();
    }
  }

  /** Fits to `x` and returns its codes: `fit(x)` then `transform(x)`. */
  fitTransform(x: Tensor | ArrayLike<number>[]): Tensor {
    const xs = tensorArg('pca.fit', 'x', x);
    try {
      return this.fit(xs.t).transform(xs.t);
    } finally {
      if (xs.temp) xs.t.dispose();
    }
  }

  #apply(op: string, inverse: number, x: Tensor | ArrayLike<number> | ArrayLike<number>[]): Tensor {
    const h = this.#h.live(op);
    this.#fitted(op);
    const xs = tensorArg(op, inverse ? 'z' : 'x', x);
    try {
      return call((e) => {
        check(e.nr_pca_transform(h, xs.t.handleFor(op, inverse ? 'z' : 'x'), inverse, outPtr(0)));
        return wrapHandle(readOut(0));
      });
    } finally {
      if (xs.temp) xs.t.dispose();
    }
  }

  /**
   * The codes `(x − mean)·componentsᵀ` (divided by `√explainedVariance` when whitened):
   * `x: [m, features]` → `[m, k]`, one sample `[features]` → `[k]`. A new tensor.
   */
  transform(x: Tensor | ArrayLike<number> | ArrayLike<number>[]): Tensor {
    return this.#apply('pca.transform', 0, x);
  }

  /**
   * The reconstruction `z·components + mean` (codes un-whitened first when whitened):
   * `z: [m, k]` → `[m, features]`, `[k]` → `[features]`. Exact when `k = features`.
   */
  inverseTransform(z: Tensor | ArrayLike<number> | ArrayLike<number>[]): Tensor {
    return this.#apply('pca.inverseTransform', 1, z);
  }

  /**
   * The principal axes, `[k, features]`, orthonormal rows by decreasing variance. Owned by
   * the PCA (freed by `dispose()` or the next `fit`): `clone()` it to keep it longer.
   */
  get components(): Tensor {
    const h = this.#h.live('pca.components');
    this.#fitted('pca.components');
    if (this.#components === null || this.#components.isDisposed) this.#components = keep(this.#part(h, PART.components));
    return this.#components;
  }

  /** The per-feature mean of the training data, `[features]`. Owned by the PCA, like `components`. */
  get mean(): Tensor {
    const h = this.#h.live('pca.mean');
    this.#fitted('pca.mean');
    if (this.#mean === null || this.#mean.isDisposed) this.#mean = keep(this.#part(h, PART.mean));
    return this.#mean;
  }

  /** The variance of the training data along each component, `λ / (n − 1)`, decreasing. */
  get explainedVariance(): number[] {
    return this.#fitted('pca.explainedVariance').variance.slice();
  }

  /** The fraction of the total variance along each component (sums to 1 when `k = features`). */
  get explainedVarianceRatio(): number[] {
    return this.#fitted('pca.explainedVarianceRatio').ratio.slice();
  }

  /** Whether `fit` has succeeded. */
  get isFitted(): boolean {
    return this.#fit !== null;
  }

  /** The number of features seen by `fit` (`undefined` before). */
  get nFeatures(): number | undefined {
    return this.#fit?.features;
  }

  /** The number of samples seen by `fit` (`undefined` before). */
  get nSamples(): number | undefined {
    return this.#fit?.samples;
  }

  /** Whether `dispose()` was called. */
  get isDisposed(): boolean {
    return this.#h.isDisposed;
  }

  /** Frees the PCA and the `components`/`mean` tensors it handed out. Idempotent. */
  dispose(): void {
    if (this.#h.isDisposed) return;
    this.#dropCached();
    this.#h.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * Creates a principal component analysis keeping `components` components; call `fit(x)`.
 *
 * @example
 * using p = pca({ components: 2 }).fit(x);         // x: [samples, features]
 * const codes = p.transform(x);                     // [samples, 2]
 * const back = p.inverseTransform(codes);           // [samples, features]
 * p.explainedVarianceRatio;                         // e.g. [0.91, 0.06]
 */
export function pca(args: PCAArgs): PCA {
  return new PCA(args);
}
