//! `pca`: principal component analysis, the linear baseline of dimensionality reduction.
//!
//! # Math
//! For data `X: [n, d]` with column means `μ`, the centred data `Xc = X − μ` has the
//! scatter matrix `S = Xcᵀ·Xc` (`d × d`). Its eigenvectors, by decreasing eigenvalue `λᵢ`,
//! are the principal axes (the `components`, rows of `V: [k, d]`), and `λᵢ / (n − 1)` is the
//! variance of the data along axis `i` (`explainedVariance`, the unbiased estimate as in
//! scikit-learn). `explainedVarianceRatio = λᵢ / Σⱼ λⱼ` over *all* `d` axes (the total is
//! `‖Xc‖²`, computed directly).
//!
//! When `n < d` the `n × n` Gram matrix `Xc·Xcᵀ` is decomposed instead (same non-zero
//! eigenvalues; `vᵢ = Xcᵀ·uᵢ / ‖Xcᵀ·uᵢ‖`), whichever matrix is smaller. Everything runs in
//! f64: the scatter matrix is accumulated in f64 from the f32 data, and
//! [`super::eigen::symmetric_eigen`] is Householder + implicit QL in f64.
//!
//! - `transform(x) = (x − μ)·Vᵀ`, and divided by `√explainedVariance` per component when
//!   `whiten` is on (a component with zero variance then maps to 0).
//! - `inverseTransform(z) = z·V + μ` (times `√explainedVariance` first when whitened).
//!
//! `neurite`'s `transform` and `inverseTransform` are float32 tensor ops composed in TS
//! (`ts/decomposition/pca.ts`: `sub`, `matMul`, `mul`, `add` on the fitted constants rounded to
//! float32, after [`Pca::check_input`]), so they run on the SIMD, threaded matmul kernels and
//! the tape differentiates them in `x` (or `z`); [`Pca::transform`] and
//! [`Pca::inverse_transform`] here are the f64 references they are tested against.
//!
//! # Conventions
//! - **Rank.** An eigenvalue at most `max(n, d) · ε · λ₁` is treated as exactly 0 (the data
//!   has no variance along it). Asking for more components than the rank is allowed: the
//!   extra components complete an orthonormal basis (deterministically, from the standard
//!   basis by Gram–Schmidt) and explain 0 variance.
//! - **Sign.** Each component is flipped so that its entry of largest magnitude is positive
//!   (the first such entry on ties), so the result does not depend on the solver's signs.
//! - A data set with no variance at all has `explainedVarianceRatio` 0 everywhere (not NaN).
//! - `1 ≤ k ≤ min(n, d)` and `n ≥ 2`, as in scikit-learn; `x` must be finite.

use super::eigen::{dot, symmetric_eigen};
use crate::shape::dims_product;
use crate::tensor::{collect_n, try_vec};
use crate::{bail, bail_shape, Error, Result, Shape, Tensor};
use crate::error::js_number;

/// Rows per f64 block of the scatter-matrix accumulation (8 rank-1 updates per pass).
const BLOCK: usize = 8;

/// What to fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PcaConfig {
    /// `k`, the number of components to keep.
    pub components: usize,
    /// Scale the codes to unit variance.
    pub whiten: bool,
}

/// A fitted model: everything in f64.
#[derive(Debug, Clone)]
struct Fitted {
    samples: usize,
    features: usize,
    mean: Vec<f64>,
    /// `[k, d]`, row-major, orthonormal rows.
    components: Vec<f64>,
    /// `λᵢ / (n − 1)`.
    variance: Vec<f64>,
    ratio: Vec<f64>,
}

/// Principal component analysis; see the module docs.
#[derive(Debug, Clone)]
pub struct Pca {
    config: PcaConfig,
    fitted: Option<Fitted>,
}

/// Which fitted quantity [`Pca::get`] returns (the ABI id is the discriminant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PcaPart {
    Components = 0,
    Mean = 1,
    ExplainedVariance = 2,
    ExplainedVarianceRatio = 3,
}

impl PcaPart {
    /// The part with ABI id `id`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(id: u32) -> Result<PcaPart> {
        Ok(match id {
            0 => PcaPart::Components,
            1 => PcaPart::Mean,
            2 => PcaPart::ExplainedVariance,
            3 => PcaPart::ExplainedVarianceRatio,
            _ => bail!("pca", "unknown part id {id} (0 components, 1 mean, 2 explainedVariance, 3 explainedVarianceRatio)"),
        })
    }
}

/// Rejects non-finite values of `t`, naming `op` and `name`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn check_finite(op: &'static str, name: &str, t: &Tensor) -> Result<()> {
    if let Some(i) = crate::kernels::finite::first_non_finite(t.data()) {
        bail!(op, "{name} contains {} at flat index {i} (shape {})", js_number(t.data()[i]), t.shape());
    }
    Ok(())
}

/// Adds `blockᵀ·block` (block: `rows × p`, row-major) to the lower triangle of `g` (`p × p`).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn add_scatter(g: &mut [f64], p: usize, block: &[f64], rows: usize) {
    if rows == BLOCK {
        let r: [&[f64]; BLOCK] = core::array::from_fn(|k| &block[k * p..(k + 1) * p]);
        for i in 0..p {
            let a: [f64; BLOCK] = core::array::from_fn(|k| r[k][i]);
            if a.iter().all(|&v| v == 0.0) {
                continue;
            }
            let gi = &mut g[i * p..i * p + i + 1];
            for (j, gv) in gi.iter_mut().enumerate() {
                *gv += a[0] * r[0][j] + a[1] * r[1][j] + a[2] * r[2][j] + a[3] * r[3][j]
                    + a[4] * r[4][j] + a[5] * r[5][j] + a[6] * r[6][j] + a[7] * r[7][j];
            }
        }
    } else {
        for row in block[..rows * p].chunks_exact(p) {
            for i in 0..p {
                let a = row[i];
                if a == 0.0 {
                    continue;
                }
                for (gv, &b) in g[i * p..i * p + i + 1].iter_mut().zip(row) {
                    *gv += a * b;
                }
            }
        }
    }
}

/// `v ← v − (v·u)·u` for every row `u` of `basis` (modified Gram–Schmidt, `passes` times);
/// returns `‖v‖`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn orthogonalize(v: &mut [f64], basis: &[f64], d: usize, passes: usize) -> f64 {
    for _ in 0..passes {
        for u in basis.chunks_exact(d) {
            let dot: f64 = v.iter().zip(u).map(|(a, b)| a * b).sum();
            for (a, b) in v.iter_mut().zip(u) {
                *a -= dot * b;
            }
        }
    }
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

impl Pca {
    /// An unfitted PCA keeping `config.components` components (`≥ 1`).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(config: PcaConfig) -> Result<Pca> {
        if config.components == 0 {
            bail!("pca", "components must be a positive integer, got 0");
        }
        Ok(Pca { config, fitted: None })
    }

    /// The configuration.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn config(&self) -> PcaConfig {
        self.config
    }

    /// Whether [`Pca::fit`] has succeeded.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn is_fitted(&self) -> bool {
        self.fitted.is_some()
    }

    /// The number of f64 values held (for memory accounting).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn len_f64(&self) -> usize {
        self.fitted.as_ref().map_or(0, |f| f.mean.len() + f.components.len() + 2 * f.variance.len())
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn fitted(&self, op: &'static str) -> Result<&Fitted> {
        self.fitted.as_ref().ok_or_else(|| Error::invalid(op, "the PCA is not fitted yet; call fit(x) first"))
    }

    /// Fits to `x: [n, d]`. On failure the previous fit (if any) is kept.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn fit(&mut self, x: &Tensor) -> Result<()> {
        const OP: &str = "pca.fit";
        let k = self.config.components;
        let [n, d] = x.dims() else {
            bail_shape!(OP, "x must be a matrix [samples, features], got shape {}", x.shape());
        };
        let (n, d) = (*n, *d);
        if n < 2 {
            bail_shape!(OP, "x must have at least 2 samples to estimate a variance, got shape {}", x.shape());
        }
        if d == 0 {
            bail_shape!(OP, "x has no features (shape {})", x.shape());
        }
        if k > n.min(d) {
            bail!(OP, "components ({k}) must be at most min(samples, features) = min({n}, {d}) = {} (x has shape {})", n.min(d), x.shape());
        }
        check_finite(OP, "x", x)?;
        let xd = x.data();
        // Column means in f64.
        let mut mean = try_vec(OP, d, 0f64)?;
        for row in xd.chunks_exact(d) {
            for (m, &v) in mean.iter_mut().zip(row) {
                *m += f64::from(v);
            }
        }
        for m in &mut mean {
            *m /= n as f64;
        }
        // Scatter (d ≤ n) or Gram (n < d) matrix, p × p.
        let gram = n < d;
        let p = n.min(d);
        let mut g = try_vec(OP, dims_product(OP, &[p, p])?, 0f64)?;
        let mut block = try_vec(OP, BLOCK * p, 0f64)?;
        let mut total = 0f64;
        if !gram {
            // Shift each column by its mean only when the mean is large next to the spread
            // (|μ| > 4σ); otherwise by 0, which keeps zeros zero (MNIST is ~80% zeros, and
            // a block row that is zero in all BLOCK samples is skipped), and subtract
            // n·(μ − c)(μ − c)ᵀ afterwards. The cancellation this costs is bounded: every
            // term is at most (1 + 4²)·n·σᵢσⱼ, so the error stays ~17·ε relative in f64.
            let mut var = try_vec(OP, d, 0f64)?;
            for row in xd.chunks_exact(d) {
                for ((s, &v), &m) in var.iter_mut().zip(row).zip(&mean) {
                    let c = f64::from(v) - m;
                    *s += c * c;
                }
            }
            total = var.iter().sum();
            let shift = collect_n(OP, d, mean.iter().zip(&var).map(|(&m, &s)| if m * m <= 16.0 * s / n as f64 { 0.0 } else { m }))?;
            for chunk in xd.chunks(BLOCK * d) {
                let rows = chunk.len() / d;
                for (dst, (&v, &c)) in block.iter_mut().zip(chunk.iter().zip(shift.iter().cycle())) {
                    *dst = f64::from(v) - c;
                }
                add_scatter(&mut g, p, &block, rows);
            }
            let nf = n as f64;
            for i in 0..p {
                let mi = mean[i] - shift[i];
                if mi != 0.0 {
                    for j in 0..=i {
                        g[i * p + j] -= nf * mi * (mean[j] - shift[j]);
                    }
                }
            }
        } else {
            // Rows of the block are columns of Xc.
            let mut j0 = 0;
            while j0 < d {
                let rows = BLOCK.min(d - j0);
                for r in 0..rows {
                    let (j, m) = (j0 + r, mean[j0 + r]);
                    for (s, dst) in block[r * p..(r + 1) * p].iter_mut().enumerate() {
                        *dst = f64::from(xd[s * d + j]) - m;
                        total += *dst * *dst;
                    }
                }
                add_scatter(&mut g, p, &block, rows);
                j0 += rows;
            }
        }
        for i in 0..p {
            for j in 0..i {
                g[j * p + i] = g[i * p + j];
            }
        }
        drop(block);
        let lambda = symmetric_eigen(&mut g, p)?;
        // Below this an eigenvalue is rounding: the solver's (ε·λ₁ per dimension) and the
        // scatter's sums over n rows (~√n·ε·λ₁ for data of exact rank below k). It was
        // ε·λ₁·max(n, d), a singular-value bound applied to eigenvalues: at n = 60,000 it
        // dropped a real component of λ/λ₁ = 3e-12 (income beside a rate, unscaled) and put a
        // basis vector in its place.
        let tol = lambda.first().copied().unwrap_or(0.0).max(0.0) * f64::EPSILON * (p as f64 + 8.0 * (n as f64).sqrt());
        let mut components = try_vec(OP, dims_product(OP, &[k, d])?, 0f64)?;
        let mut eig = try_vec(OP, k, 0f64)?;
        let mut found = 0; // components filled so far (a prefix, by decreasing λ)
        for c in 0..k {
            if lambda[c] <= tol {
                break;
            }
            let v = &mut components[found * d..(found + 1) * d];
            if gram {
                // v = Xcᵀ·u
                let u = &g[c * p..(c + 1) * p];
                for (s, row) in xd.chunks_exact(d).enumerate() {
                    let us = u[s];
                    for ((vj, &xv), &m) in v.iter_mut().zip(row).zip(&mean) {
                        *vj += us * (f64::from(xv) - m);
                    }
                }
            } else {
                v.copy_from_slice(&g[c * p..(c + 1) * p]);
            }
            let (done, rest) = components.split_at_mut(found * d);
            let v = &mut rest[..d];
            // The solver's eigenvectors are orthonormal to rounding; those rebuilt from the
            // Gram matrix lose orthogonality as λ shrinks, so they are re-orthogonalised.
            let norm = if gram { orthogonalize(v, done, d, 1) } else { v.iter().map(|a| a * a).sum::<f64>().sqrt() };
            if norm.is_nan() || norm <= 0.0 {
                break;
            }
            v.iter_mut().for_each(|a| *a /= norm);
            eig[found] = lambda[c];
            found += 1;
        }
        // Complete with standard basis vectors orthogonal to what was found.
        let mut t = 0;
        while found < k && t < d {
            let (done, rest) = components.split_at_mut(found * d);
            let v = &mut rest[..d];
            v.fill(0.0);
            v[t] = 1.0;
            let norm = orthogonalize(v, done, d, 2);
            if norm > 0.5 {
                v.iter_mut().for_each(|a| *a /= norm);
                found += 1;
            }
            t += 1;
        }
        if found < k {
            return Err(Error::Internal { msg: format!("pca: could only build {found} of {k} orthonormal components") });
        }
        for v in components.chunks_exact_mut(d) {
            let mut best = 0;
            for j in 1..d {
                if v[j].abs() > v[best].abs() {
                    best = j;
                }
            }
            if v[best] < 0.0 {
                v.iter_mut().for_each(|a| *a = -*a);
            }
        }
        let variance = collect_n(OP, k, eig.iter().map(|l| l / (n - 1) as f64))?;
        let ratio = collect_n(OP, k, eig.iter().map(|l| if total > 0.0 { l / total } else { 0.0 }))?;
        self.fitted = Some(Fitted { samples: n, features: d, mean, components, variance, ratio });
        Ok(())
    }

    /// The number of samples and features seen by the last fit.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn fitted_shape(&self) -> Option<(usize, usize)> {
        self.fitted.as_ref().map(|f| (f.samples, f.features))
    }

    /// A fitted quantity as a new f32 tensor: components `[k, d]`, mean `[d]`, explained
    /// variance and ratio `[k]`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn get(&self, part: PcaPart) -> Result<Tensor> {
        let f = self.fitted("pca")?;
        let (k, d) = (self.config.components, f.features);
        let (shape, src) = match part {
            PcaPart::Components => (Shape::from([k, d]), &f.components),
            PcaPart::Mean => (Shape::from([d]), &f.mean),
            PcaPart::ExplainedVariance => (Shape::from([k]), &f.variance),
            PcaPart::ExplainedVarianceRatio => (Shape::from([k]), &f.ratio),
        };
        Tensor::new("pca", shape, collect_n("pca", src.len(), src.iter().map(|&v| v as f32))?)
    }

    /// A fitted quantity in f64, as the fit computed it (the explained variances can lie beyond
    /// float32's range or in its subnormals: 4.4e38 and 1e-44 from data scaled by 1e19 or
    /// 1e-22): components `k·d`, mean `d`, explained variance and ratio `k` values.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn get_f64(&self, part: PcaPart) -> Result<&[f64]> {
        let f = self.fitted("pca")?;
        Ok(match part {
            PcaPart::Components => &f.components,
            PcaPart::Mean => &f.mean,
            PcaPart::ExplainedVariance => &f.variance,
            PcaPart::ExplainedVarianceRatio => &f.ratio,
        })
    }

    /// Checks the argument of `transform` (`inverse` false: `x: [m, d]` or `[d]`, finite) or
    /// `inverseTransform` (`z: [m, k]` or `[k]`) as they do, with their messages; returns the
    /// rows `m` (1 for one sample). TS composes the two maps from tensor ops after this check
    /// (so they run on the matmul kernels and the tape differentiates them).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn check_input(&self, x: &Tensor, inverse: bool) -> Result<usize> {
        let (op, arg): (&'static str, &str) = if inverse { ("pca.inverseTransform", "z") } else { ("pca.transform", "x") };
        let f = self.fitted(op)?;
        let (k, d) = (self.config.components, f.features);
        let m = if inverse {
            match x.dims() {
                [kk] if *kk == k => 1,
                [m, kk] if *kk == k => *m,
                [.., kk] if x.rank() <= 2 => bail_shape!(op, "z has {kk} components (shape {}) but the PCA keeps {k} (z must be [samples, {k}] or [{k}])", x.shape()),
                _ => bail_shape!(op, "z must be [samples, {k}] or [{k}], got shape {}", x.shape()),
            }
        } else {
            match x.dims() {
                [dd] if *dd == d => 1,
                [m, dd] if *dd == d => *m,
                [.., dd] if x.rank() <= 2 => bail_shape!(op, "x has {dd} features (shape {}) but the PCA was fitted on {d} (x must be [samples, {d}] or [{d}])", x.shape()),
                _ => bail_shape!(op, "x must be [samples, {d}] or [{d}], got shape {}", x.shape()),
            }
        };
        check_finite(op, arg, x)?;
        Ok(m)
    }

    /// The scale of component `c` in the codes: `1/√variance` when whitening (0 for a
    /// component without variance), else 1.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn code_scale(&self, f: &Fitted, c: usize) -> f64 {
        if !self.config.whiten {
            1.0
        } else if f.variance[c] > 0.0 {
            1.0 / f.variance[c].sqrt()
        } else {
            0.0
        }
    }

    /// `(x − μ)·Vᵀ` (whitened if configured): `x: [m, d]` → `[m, k]`, `x: [d]` → `[k]`, in
    /// f64 rounded once (the reference; TS computes it with float32 tensor ops, see the
    /// module docs).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn transform(&self, x: &Tensor) -> Result<Tensor> {
        const OP: &str = "pca.transform";
        let m = self.check_input(x, false)?;
        let f = self.fitted(OP)?;
        let (k, d) = (self.config.components, f.features);
        let shape = if x.rank() == 1 { Shape::from([k]) } else { Shape::from([m, k]) };
        let scale = collect_n(OP, k, (0..k).map(|c| self.code_scale(f, c)))?;
        let mut out = crate::tensor::alloc_empty(OP, dims_product(OP, &[m, k])?)?;
        let mut xc = try_vec(OP, d, 0f64)?;
        for row in x.data().chunks_exact(d) {
            for ((c, &v), &mu) in xc.iter_mut().zip(row).zip(&f.mean) {
                *c = f64::from(v) - mu;
            }
            for (v, s) in f.components.chunks_exact(d).zip(&scale) {
                out.push((dot(&xc, v) * s) as f32);
            }
        }
        Tensor::new(OP, shape, out)
    }

    /// `z·V + μ` (un-whitened first if configured): `z: [m, k]` → `[m, d]`, `z: [k]` → `[d]`,
    /// in f64 rounded once (the reference, as [`Pca::transform`]).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn inverse_transform(&self, z: &Tensor) -> Result<Tensor> {
        const OP: &str = "pca.inverseTransform";
        let m = self.check_input(z, true)?;
        let f = self.fitted(OP)?;
        let (k, d) = (self.config.components, f.features);
        let shape = if z.rank() == 1 { Shape::from([d]) } else { Shape::from([m, d]) };
        let scale = collect_n(OP, k, (0..k).map(|c| if self.config.whiten { f.variance[c].max(0.0).sqrt() } else { 1.0 }))?;
        let mut out = crate::tensor::alloc_empty(OP, dims_product(OP, &[m, d])?)?;
        let mut acc = try_vec(OP, d, 0f64)?;
        for code in z.data().chunks_exact(k) {
            acc.copy_from_slice(&f.mean);
            for ((&zc, s), v) in code.iter().zip(&scale).zip(f.components.chunks_exact(d)) {
                let a = f64::from(zc) * s;
                for (o, &b) in acc.iter_mut().zip(v) {
                    *o += a * b;
                }
            }
            out.extend(acc.iter().map(|&v| v as f32));
        }
        Tensor::new(OP, shape, out)
    }
}

#[cfg(test)]
#[path = "pca_tests.rs"]
mod tests;
