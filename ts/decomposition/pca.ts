/**
 * `pca`: principal component analysis, the linear baseline of dimensionality reduction. The
 * fit runs in WebAssembly in f64 (`crates/core/src/decomposition/pca.rs`, where the math and
 * the conventions are documented); this object holds one handle.
 */
import { call, check, outPtr, readOut } from '../engine.js';
import { InvalidArgumentError, OutOfMemoryError } from '../errors.js';
import { keep, tidy } from '../scope.js';
import { wrapHandle, type Tensor } from '../tensor.js';
import { add, mul, sub } from '../ops/binary.js';
import { divNoNan } from '../ops/arithmetic.js';
import { matMul } from '../ops/matmul.js';
import { reshape } from '../ops/shape.js';
import { fromFlat } from '../ops/convert.js';
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
 * `transform` and `inverseTransform` are float32 tensor ops (`sub`, `matMul`, `mul`, `add` on
 * the fitted `mean`, `components` and whitening scales rounded to float32), so they run on the
 * SIMD, threaded matmul kernels and are differentiable in their argument under `grad`. Against
 * the same maps in float64 rounded once, they differ by float32 accumulation: about
 * `√features · 2⁻²⁴` relative to `‖x − mean‖` per code (measured: at most 6.7e-8 of
 * `‖x − mean‖`, 4.6e-7 absolute, on 20000 × 784 MNIST-like data to 32 components). The fit
 * itself, and `explainedVariance` and `explainedVarianceRatio`, are float64.
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
  /** The codes' scale when whitened: `√explainedVariance` (codes are divided by it, 0 without variance). */
  #scales: { uncode: Tensor } | null = null;

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

  /** A fitted part in float64 (`nr_pca_get_f64`), `n` values. */
  #partF64(h: number, part: number, n: number): number[] {
    return call((e) => {
      const bytes = 8 * Math.max(n, 1);
      const ptr = e.nr_alloc(bytes, 8) >>> 0;
      if (ptr === 0) throw new OutOfMemoryError(`pca.fit: out of memory reading ${n} float64 values`);
      try {
        check(e.nr_pca_get_f64(h, part, ptr, n));
        return Array.from(new Float64Array(e.memory.buffer, ptr, n));
      } finally {
        e.nr_dealloc(ptr, bytes, 8);
      }
    });
  }

  #dropCached(): void {
    this.#components?.dispose();
    this.#mean?.dispose();
    this.#scales?.uncode.dispose();
    this.#components = null;
    this.#mean = null;
    this.#scales = null;
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
      // In float64, as the fit computed them (through float32, 4.4e38 was Infinity and 1e-44
      // a subnormal 25 % off).
      const variance = this.#partF64(h, PART.explainedVariance, this.nComponents);
      const ratio = this.#partF64(h, PART.explainedVarianceRatio, this.nComponents);
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
    const fit = this.#fitted(op);
    const arg = inverse ? 'z' : 'x';
    const xs = tensorArg(op, arg, x);
    try {
      // The core's checks and messages (shape, finite values); then float32 tensor ops, which
      // the tape records (the fitted parts are constants).
      call((e) => check(e.nr_pca_check(h, xs.t.handleFor(op, arg), inverse)));
      const components = this.#cachedComponents(h);
      const mean = this.#cachedMean(h);
      const scales = this.whiten ? this.#cachedScales(fit.variance) : null;
      const one = xs.t.rank === 1;
      return tidy(() => {
        const rows = one ? reshape(xs.t, [1, xs.t.shape[0]]) : xs.t;
        let y: Tensor;
        if (inverse) {
          // z·V + μ, the codes un-whitened first.
          y = add(matMul(scales === null ? rows : mul(rows, scales.uncode), components), mean);
        } else {
          // (x − μ)·Vᵀ, whitened after.
          y = matMul(sub(rows, mean), components, false, true);
          // Divided by √variance (not times 1/√variance, which leaves float32 for a variance
          // below ~1e-77: ±Infinity codes); 0 for a component without variance.
          if (scales !== null) y = divNoNan(y, scales.uncode);
        }
        return one ? reshape(y, [y.shape[1]]) : y;
      });
    } finally {
      if (xs.temp) xs.t.dispose();
    }
  }

  #cachedComponents(h: number): Tensor {
    if (this.#components === null || this.#components.isDisposed) this.#components = keep(this.#part(h, PART.components));
    return this.#components;
  }

  #cachedMean(h: number): Tensor {
    if (this.#mean === null || this.#mean.isDisposed) this.#mean = keep(this.#part(h, PART.mean));
    return this.#mean;
  }

  #cachedScales(variance: readonly number[]): { uncode: Tensor } {
    if (this.#scales === null || this.#scales.uncode.isDisposed) {
      this.#scales?.uncode.dispose();
      // √variance from the float64 variances, rounded once.
      this.#scales = { uncode: keep(fromFlat('pca.transform', variance.map((v) => Math.sqrt(Math.max(v, 0))), [variance.length])) };
    }
    return this.#scales;
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
    return this.#cachedComponents(h);
  }

  /** The per-feature mean of the training data, `[features]`. Owned by the PCA, like `components`. */
  get mean(): Tensor {
    const h = this.#h.live('pca.mean');
    this.#fitted('pca.mean');
    return this.#cachedMean(h);
  }

  /** The variance of the training data along each component, `λ / (n − 1)`, decreasing (float64). */
  get explainedVariance(): number[] {
    return this.#fitted('pca.explainedVariance').variance.slice();
  }

  /** The fraction of the total variance along each component (sums to 1 when `k = features`; float64). */
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
