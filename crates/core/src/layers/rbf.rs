//! `rbf`: a layer of radial basis functions (Broomhead & Lowe 1988; Moody & Darken 1989).
//! Unit `j` outputs `φ(‖x − cⱼ‖ / σⱼ)` for a center `cⱼ` and a width `σⱼ`, both weights.
//!
//! # Kernels
//! With `u = r² = ‖x − c‖² / σ²`:
//! - `gaussian`: `φ = exp(−u/2)`, `dφ/du = −φ/2` (σ is the standard deviation);
//! - `multiquadric`: `φ = √(1 + u)`, `dφ/du = 1/(2φ)`;
//! - `inverseMultiquadric`: `φ = 1/√(1 + u)`, `dφ/du = −φ³/2`.
//!
//! Working in `u` rather than `r` keeps every derivative finite at `x = c`.
//!
//! # Range
//! `u` is formed in float32 from `‖x − c‖²` and `σ²`, in f64 where either leaves float32's
//! normal range. `u` overflows when `‖x − c‖/σ` passes ~1.8e19, though the multiquadric's
//! `φ ≈ ‖x − c‖/σ` and its inverse's `σ/‖x − c‖` are still float32 numbers (`r = 1e20, σ = 1`:
//! `φ = 1e20`, not ∞; `r = 1e19, σ = 1e-5`: `1e-24`, not 0): there `φ` comes from `u` in f64.
//! The backward of a row and unit runs in f64 (each term rounded once) where a step of its
//! float32 rule leaves float32's normal range: `u` (∞, subnormal, or 0 away from the center),
//! `σ²`, `dφ/du`, `g`, `2g/σ²`, `2g·u` or `2g·u/σ` overflows or underflows (below 2^-126:
//! subnormal, or 0 from nonzero factors). Everywhere else the float32 code is unchanged, bit for
//! bit. (The Gaussian's `g` is 0 in f64 too past `u = 1500`: there it stays 0.)
//!
//! # Shapes
//! `x: [batch, ..., d]` → `y: [batch, ..., units]` (over the last axis, as `dense`);
//! centers `[units, d]`, widths `[units]`.
//!
//! # Backward
//! With `g = dy ⊙ dφ/du` and `δ = x − cⱼ`: `du/dx = 2δ/σ²`, `du/dc = −2δ/σ²`,
//! `du/dσ = −2u/σ`, so `dx = Σⱼ g·2δ/σⱼ²`, `dcⱼ = −Σ_rows g·2δ/σⱼ²`, `dσⱼ = −Σ_rows g·2u/σⱼ`.
//! Widths should stay away from 0: a width that training drives to 0 makes `u` infinite. A
//! width enters squared, so one that training takes through 0 is negative and acts as its
//! absolute value (the gradient above holds for either sign): the layer's weights, `setWeights`,
//! a saved model and `features` take any finite width but 0; a configured width is > 0.

use super::{no_forward, Domain, Init, Layer, Mode, Param};
use crate::config::Reader;
use crate::initializers::WeightInit;
use crate::{bail, bail_shape, Error, Result, Shape, Tensor};
use crate::error::js_number;

const OP: &str = "rbf";

/// The radial function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RbfKernel {
    Gaussian,
    Multiquadric,
    InverseMultiquadric,
}

impl RbfKernel {
    /// ABI ids = index. Append-only.
    pub const NAMES: [&'static str; 3] = ["gaussian", "multiquadric", "inverseMultiquadric"];

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(id: u32) -> Result<RbfKernel> {
        Ok(match id {
            0 => RbfKernel::Gaussian,
            1 => RbfKernel::Multiquadric,
            2 => RbfKernel::InverseMultiquadric,
            _ => bail!(OP, "unknown kernel id {id}; valid kernels are {}", RbfKernel::NAMES.join(", ")),
        })
    }

    /// `φ(u)` with `u = r²`.
    #[inline]
    pub fn phi(self, u: f32) -> f32 {
        match self {
            RbfKernel::Gaussian => (-0.5 * u).exp(),
            RbfKernel::Multiquadric => (1.0 + u).sqrt(),
            RbfKernel::InverseMultiquadric => 1.0 / (1.0 + u).sqrt(),
        }
    }

    /// `dφ/du` given `φ`.
    #[inline]
    pub fn dphi_du(self, phi: f32) -> f32 {
        match self {
            RbfKernel::Gaussian => -0.5 * phi,
            RbfKernel::Multiquadric => 0.5 / phi,
            RbfKernel::InverseMultiquadric => -0.5 * phi * phi * phi,
        }
    }

    /// [`RbfKernel::phi`] in f64, for a `u` beyond float32's range (module docs, "Range").
    #[inline]
    fn phi_f64(self, u: f64) -> f64 {
        match self {
            RbfKernel::Gaussian => (-0.5 * u).exp(),
            RbfKernel::Multiquadric => (1.0 + u).sqrt(),
            RbfKernel::InverseMultiquadric => 1.0 / (1.0 + u).sqrt(),
        }
    }

    /// [`RbfKernel::dphi_du`] in f64.
    #[inline]
    fn dphi_du_f64(self, phi: f64) -> f64 {
        match self {
            RbfKernel::Gaussian => -0.5 * phi,
            RbfKernel::Multiquadric => 0.5 / phi,
            RbfKernel::InverseMultiquadric => -0.5 * phi * phi * phi,
        }
    }
}

/// `u = ‖x − c‖² / σ²` in f64, where the squares of every float32 distance and width fit
/// (`u` ≤ ~1e168 · features).
fn u_f64(x: &[f32], c: &[f32], s: f32) -> f64 {
    let r2: f64 = x.iter().zip(c).map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2)).sum();
    r2 / f64::from(s).powi(2)
}

/// The RBF map of `rows` rows of `d` values `x` through `units = widths.len()` centers
/// `[units, d]`: its forward and its backward, the one rule the layer and the `rbfFeatures` op
/// (on the tape) share.
struct Forward<'a> {
    x: &'a [f32],
    rows: usize,
    d: usize,
    centers: &'a [f32],
    widths: &'a [f32],
    kernel: RbfKernel,
}

impl Forward<'_> {
    /// `u[i, j] = ‖xᵢ − cⱼ‖² / σⱼ²` and `φ(u)`. Zero units write nothing; zero features give
    /// `u = 0` (every row is at every center).
    fn run(&self, u: &mut [f32], phi: &mut [f32]) {
        let (d, units) = (self.d, self.widths.len());
        if units == 0 {
            return;
        }
        for r in 0..self.rows {
            let xr = &self.x[r * d..(r + 1) * d];
            let (ur, pr) = (&mut u[r * units..(r + 1) * units], &mut phi[r * units..(r + 1) * units]);
            for (j, &s) in self.widths.iter().enumerate() {
                let c = &self.centers[j * d..(j + 1) * d];
                let r2: f32 = xr.iter().zip(c).map(|(a, b)| (a - b) * (a - b)).sum();
                let s2 = s * s;
                ur[j] = if r2 >= f32::MIN_POSITIVE && r2.is_finite() && s2 >= f32::MIN_POSITIVE && s2.is_finite() {
                    r2 / s2
                } else {
                    // A distance or width whose square leaves float32's normal range (|x − c|
                    // below ~1e-19 or above ~1.8e19: data in SI units, say): in f64, where the
                    // squares of every float32 fit. (Also a row at its center: 0 either way.)
                    u_f64(xr, c, s) as f32
                };
                // NOTE: a u beyond float32 (‖x − c‖/σ > ~1.8e19) is ∞ here, but φ need not be:
                // the multiquadric's √(1 + u) ≈ ‖x − c‖/σ, its inverse σ/‖x − c‖. φ comes from
                // u in f64 then (the Gaussian's is 0 either way); every finite u keeps φ(u).
                pr[j] = if ur[j].is_finite() { self.kernel.phi(ur[j]) } else { self.kernel.phi_f64(u_f64(xr, c, s)) as f32 };
            }
        }
    }

    /// Adds `dL/dx`, `dL/dc` and `dL/dσ` to `dx`, `dc`, `dw` for `dL/dφ` = `dy`, given the
    /// forward's `u` and `φ` (module docs: `g = dy ⊙ dφ/du`, `dx = Σⱼ g·2δ/σⱼ²`, …).
    #[allow(clippy::too_many_arguments)]
    fn backward(&self, u: &[f32], phi: &[f32], dy: &[f32], dx: &mut [f32], dc: &mut [f32], dw: &mut [f32]) {
        let (d, units) = (self.d, self.widths.len());
        let normal = |v: &[f32]| v.iter().all(|v| v.is_normal());
        for r in 0..self.rows {
            let xr = &self.x[r * d..(r + 1) * d];
            let dxr = &mut dx[r * d..(r + 1) * d];
            for j in 0..units {
                let (k, s) = (r * units + j, self.widths[j]);
                let c = &self.centers[j * d..(j + 1) * d];
                let dphi = self.kernel.dphi_du(phi[k]);
                let g = dy[k] * dphi;
                // NOTE: past u = 1500 the Gaussian's e^(−u/2) is 0 in f64 too (below 2^-1074).
                if g == 0.0 && (dy[k] == 0.0 || (self.kernel == RbfKernel::Gaussian && u[k] > 1500.0)) {
                    continue;
                }
                let (f, p) = (2.0 * g / (s * s), 2.0 * g * u[k]);
                // Every step of the float32 rule in float32's normal range, or the row and unit
                // in f64 (module docs, "Range"): a step that overflowed, or a nonzero one that
                // underflowed (u = 0 away from the center too), lost the gradient's digits.
                if !(normal(&[dphi, g, s * s, f]) && if u[k] == 0.0 { xr == c } else { normal(&[u[k], p, p / s]) }) {
                    self.backward_f64(xr, j, dy[k], dxr, dc, &mut dw[j]);
                    continue;
                }
                let dcj = &mut dc[j * d..(j + 1) * d];
                for ((dxv, dcv), (&a, &b)) in dxr.iter_mut().zip(dcj).zip(xr.iter().zip(c)) {
                    let t = f * (a - b);
                    *dxv += t;
                    *dcv -= t;
                }
                dw[j] -= p / s;
            }
        }
    }

    /// [`Forward::backward`]'s terms of row `xr` and unit `j` in f64 (where a float32 step left
    /// float32's normal range), rounded once to float32 per term.
    #[cold]
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn backward_f64(&self, xr: &[f32], j: usize, dy: f32, dxr: &mut [f32], dc: &mut [f32], dw: &mut f32) {
        let d = self.d;
        let s = self.widths[j];
        let c = &self.centers[j * d..(j + 1) * d];
        let u = u_f64(xr, c, s);
        let g = f64::from(dy) * self.kernel.dphi_du_f64(self.kernel.phi_f64(u));
        if g == 0.0 {
            return;
        }
        let (s, s2) = (f64::from(s), f64::from(s).powi(2));
        for ((dxv, dcv), (&a, &b)) in dxr.iter_mut().zip(&mut dc[j * d..(j + 1) * d]).zip(xr.iter().zip(c)) {
            let t = (2.0 * g * (f64::from(a) - f64::from(b)) / s2) as f32;
            *dxv += t;
            *dcv -= t;
        }
        *dw -= (2.0 * g * u / s) as f32;
    }
}

/// Rows of `x` over its last axis: the product of every dim before it (correct also when the
/// last axis is 0, where `size / cols` is not).
fn rows_of(x: &Tensor) -> usize {
    x.dims()[..x.rank().saturating_sub(1)].iter().product()
}

/// `Φ = φ(‖x − c‖/σ)` for a batch `x: [n, d]` (the RBF design matrix `[n, units]`), with the
/// shapes checked. Used by the layer and by the two-stage fit of an RBF network.
pub fn features(x: &Tensor, centers: &Tensor, widths: &Tensor, kernel: RbfKernel) -> Result<Tensor> {
    let (phi, _) = features_with_u(x, centers, widths, kernel)?;
    Ok(phi)
}

/// The gradients of [`features`] with respect to `x`, the centers and the widths, for `dL/dΦ` =
/// `dy`: the `rbf` layer's backward rule (the tape's rule for `rbfFeatures`).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn features_backward(x: &Tensor, centers: &Tensor, widths: &Tensor, kernel: RbfKernel, dy: &Tensor) -> Result<[Tensor; 3]> {
    const OP: &str = "rbfFeatures";
    let (phi, u) = features_with_u(x, centers, widths, kernel)?;
    if dy.shape() != phi.shape() {
        bail_shape!(OP, "the gradient at the output must have shape {}, got {}", phi.shape(), dy.shape());
    }
    let mut dx = Tensor::zeros(OP, x.shape().clone())?;
    let mut dc = Tensor::zeros(OP, centers.shape().clone())?;
    let mut dw = Tensor::zeros(OP, widths.shape().clone())?;
    let fwd = Forward { x: x.data(), rows: rows_of(x), d: centers.dims()[1], centers: centers.data(), widths: widths.data(), kernel };
    fwd.backward(&u, phi.data(), dy.data(), dx.data_mut(), dc.data_mut(), dw.data_mut());
    Ok([dx, dc, dw])
}

/// [`features`] and its `u = ‖x − c‖²/σ²`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn features_with_u(x: &Tensor, centers: &Tensor, widths: &Tensor, kernel: RbfKernel) -> Result<(Tensor, Vec<f32>)> {
    const OP: &str = "rbfFeatures";
    let [units, d] = centers.dims() else {
        bail_shape!(OP, "centers must have shape [units, features], got {}", centers.shape());
    };
    if widths.dims() != [*units] {
        bail_shape!(OP, "widths must have shape [{units}] (one per center), got {}", widths.shape());
    }
    if x.rank() == 0 || x.dims()[x.rank() - 1] != *d {
        bail_shape!(OP, "x must have {d} features on its last axis (centers have shape {}), got shape {}", centers.shape(), x.shape());
    }
    if let Some(i) = widths.data().iter().position(|w| !(w.is_finite() && *w != 0.0)) {
        bail!(OP, "widths[{i}] must be a finite number other than 0 (a width enters squared), got {}", js_number(widths.data()[i]));
    }
    let rows = rows_of(x);
    let mut dims = x.dims().to_vec();
    *dims.last_mut().expect("rank >= 1") = *units;
    let mut phi = Tensor::zeros(OP, Shape::new(OP, &dims)?)?;
    let mut u = crate::tensor::alloc(OP, phi.size())?;
    Forward { x: x.data(), rows, d: *d, centers: centers.data(), widths: widths.data(), kernel }.run(&mut u, phi.data_mut());
    Ok((phi, u))
}

/// How the centers start.
#[derive(Clone, Debug, PartialEq)]
pub enum CenterInit {
    /// Drawn by an initializer (fan-in = features, fan-out = units).
    Random(WeightInit),
    /// Given values, `units × features` row-major (the feature count is checked at build).
    Values(Vec<f32>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct RbfConfig {
    pub units: usize,
    pub kernel: RbfKernel,
    pub centers: CenterInit,
    /// One width for all units, or one per unit. All finite and > 0.
    pub widths: Vec<f32>,
}

impl RbfConfig {
    /// Layout: `units, kernel, nCenters, centers…, nWidths, widths…, centersInitializer(kind,
    /// p0, p1)`. `nCenters = 0` draws the centers with the initializer; `nWidths` is 1 (shared
    /// start value) or `units`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<RbfConfig> {
        let mut r = Reader::new(OP, p);
        let units = r.usize("units")?;
        if units == 0 {
            bail!(OP, "units must be a positive integer, got 0");
        }
        let kernel = RbfKernel::from_abi(r.usize("kernel")? as u32)?;
        let nc = r.usize("center count")?;
        let given = r.slice(nc, "centers")?.to_vec();
        let nw = r.usize("width count")?;
        let widths = r.slice(nw, "widths")?.to_vec();
        if nw != 1 && nw != units {
            bail_shape!(OP, "widths must be one number or {units} (one per unit), got {nw} values");
        }
        if let Some(i) = widths.iter().position(|w| !(w.is_finite() && *w > 0.0)) {
            bail!(OP, "widths[{i}] must be a finite number > 0, got {}", js_number(widths[i]));
        }
        if let Some(i) = crate::kernels::finite::first_non_finite(&given) {
            bail!(OP, "centers contains {} at flat index {i}", js_number(given[i]));
        }
        let init = r.initializer("centersInitializer")?;
        let centers = if nc == 0 { CenterInit::Random(init) } else { CenterInit::Values(given) };
        Ok(RbfConfig { units, kernel, centers, widths })
    }
}

pub struct Rbf {
    cfg: RbfConfig,
    centers: Option<Param>,
    widths: Option<Param>,
    /// Saved by a training forward: the input, `u` and `φ`.
    saved: Option<(Tensor, Vec<f32>, Vec<f32>)>,
}

impl Rbf {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(cfg: RbfConfig) -> Rbf {
        Rbf { cfg, centers: None, widths: None, saved: None }
    }

    fn built(&self) -> Result<(&Param, &Param)> {
        match (&self.centers, &self.widths) {
            (Some(c), Some(w)) => Ok((c, w)),
            _ => Err(Error::Internal { msg: "rbf used before build".into() }),
        }
    }
}

impl Layer for Rbf {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "rbf"
    }

    /// Any input whose last axis has the centers' features.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        let want = self.centers.as_ref()?.value.dims()[1];
        Some(super::last_axis_resize(OP, want, input, self.cfg.units))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], init: Init) -> Result<Vec<usize>> {
        let Some(&d) = input.last() else {
            bail!(OP, "input must have at least one dimension per sample, got shape []");
        };
        let units = self.cfg.units;
        let mut c = Tensor::zeros(OP, Shape::new(OP, &[units, d])?)?;
        match &self.cfg.centers {
            CenterInit::Random(centers) => init.fill(OP, centers, &mut c, d, units, 0)?,
            CenterInit::Values(v) => {
                if v.len() != units * d {
                    bail_shape!(OP, "centers has {} values but {units} units × {d} input features need {}", v.len(), units * d);
                }
                c.data_mut().copy_from_slice(v);
            }
        }
        let mut w = Tensor::zeros(OP, Shape::new(OP, &[units])?)?;
        if self.cfg.widths.len() == 1 {
            w.data_mut().fill(self.cfg.widths[0]);
        } else {
            w.data_mut().copy_from_slice(&self.cfg.widths);
        }
        self.centers = Some(Param::new("centers", c, None)?);
        self.widths = Some(Param::new("widths", w, None)?.within(Domain::NonZero));
        let mut out = input.to_vec();
        *out.last_mut().expect("non-empty") = units;
        Ok(out)
    }

    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let (c, w) = self.built()?;
        let d = c.value.dims()[1];
        let (rows, inp) = (rows_of(&x), x.dims().last().copied().unwrap_or(1));
        if inp != d {
            bail_shape!(OP, "input has {inp} features on its last axis but the layer was built for {d} (input shape {})", x.shape());
        }
        let units = self.cfg.units;
        let mut dims = x.dims().to_vec();
        *dims.last_mut().expect("rank >= 1") = units;
        let mut y = Tensor::zeros(OP, Shape::new(OP, &dims)?)?;
        let mut u = crate::tensor::alloc(OP, y.size())?;
        Forward { x: x.data(), rows, d, centers: c.value.data(), widths: w.value.data(), kernel: self.cfg.kernel }.run(&mut u, y.data_mut());
        if mode.keeps() {
            let mut phi = crate::tensor::alloc_empty(OP, y.size())?;
            phi.extend_from_slice(y.data());
            self.saved = Some((x, u, phi));
        }
        Ok(y)
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        let (x, u, phi) = self.saved.take().ok_or_else(|| no_forward(OP))?;
        let kernel = self.cfg.kernel;
        let units = self.cfg.units;
        let (Some(cp), Some(wp)) = (self.centers.as_mut(), self.widths.as_mut()) else {
            return Err(no_forward(OP));
        };
        let d = cp.value.dims()[1];
        cp.grad_mut()?.fill(0.0);
        wp.grad_mut()?.fill(0.0);
        let mut dx = Tensor::zeros(OP, x.shape().clone())?;
        let fwd = Forward { x: x.data(), rows: rows_of(&x), d, centers: cp.value.data(), widths: wp.value.data(), kernel };
        debug_assert_eq!(fwd.widths.len(), units);
        fwd.backward(&u, &phi, dy.data(), dx.data_mut(), &mut cp.grad, &mut wp.grad);
        Ok(dx)
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        self.centers.iter_mut().chain(self.widths.iter_mut()).collect()
    }

    fn params(&self) -> Vec<&Param> {
        self.centers.iter().chain(self.widths.iter()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(dims: &[usize], v: Vec<f32>) -> Tensor {
        Tensor::new("t", Shape::from(dims), v).unwrap()
    }

    fn layer(kernel: u32, centers: &[f32], widths: &[f32]) -> Rbf {
        let mut p = vec![(widths.len().max(centers.len() / 2)) as f32, kernel as f32, centers.len() as f32];
        p.extend_from_slice(centers);
        p.push(widths.len() as f32);
        p.extend_from_slice(widths);
        p.extend_from_slice(&[3.0, -1.0, 1.0]);
        Rbf::new(RbfConfig::from_abi(&p).unwrap())
    }

    #[test]
    fn forward_by_hand() {
        // Two units in 2-D: c0 = (0,0) σ 1, c1 = (1,2) σ 2; x = (1,0): ‖x−c0‖² = 1, ‖x−c1‖² = 4.
        for (k, u0, u1) in [(0u32, 1.0f32, 1.0f32), (1, 1.0, 1.0), (2, 1.0, 1.0)] {
            let mut l = layer(k, &[0., 0., 1., 2.], &[1., 2.]);
            l.build(&[2], Init::seeded(0)).unwrap();
            let y = l.forward(t(&[1, 2], vec![1., 0.]), Mode::Infer).unwrap();
            let kern = RbfKernel::from_abi(k).unwrap();
            assert_eq!(y.data(), &[kern.phi(u0), kern.phi(u1)]);
        }
        assert_eq!(RbfKernel::Gaussian.phi(2.0), (-1.0f32).exp());
        assert_eq!(RbfKernel::Multiquadric.phi(3.0), 2.0);
        assert_eq!(RbfKernel::InverseMultiquadric.phi(3.0), 0.5);
    }

    #[test]
    fn a_width_whose_square_underflows_keeps_its_quotients() {
        // σ = 1e-23: σ² is 0 in float32, and a point at its center gave 0 / 0 = NaN for φ = 1.
        let c = t(&[1, 2], vec![0., 0.]);
        let w = t(&[1], vec![1e-23]);
        let x = t(&[2, 2], vec![0., 0., 1e-23, 0.]);
        let phi = features(&x, &c, &w, RbfKernel::Gaussian).unwrap();
        assert_eq!(phi.data()[0], 1.0);
        // A distance that small underflows its square too: taken in f64, φ is e^-0.5 (it was 1).
        assert_eq!(phi.data()[1], (-0.5f32).exp());
        let [dx, _, _] = features_backward(&x, &c, &w, RbfKernel::Gaussian, &t(&[2, 1], vec![1., 1.])).unwrap();
        assert!(dx.data().iter().all(|v| v.is_finite()), "{:?}", dx.data());
    }

    #[test]
    fn distances_and_widths_at_every_float32_scale() {
        // x = c + σ/2 on one axis of two: u = 1/4 and φ = e^-1/8 whatever the scale, though
        // ‖x − c‖² and σ² leave float32 below ~1e-19 and above ~1.8e19 (it gave 1 at 1e-23 and
        // NaN at 1e20). The gradients against their closed forms (φ = e^(−u/2), δ = σ/2):
        // dφ/dx = −φ·δ/σ² = −φ/(2σ), dφ/dσ = φ·u/σ = φ/(4σ).
        let want = (-0.125f64).exp();
        for scale in [1e-30f32, 1e-25, 1e-21, 1e-19, 1e-6, 1.0, 1e6, 1e19, 1e20, 1e25, 1e30] {
            let (c, s) = (3.0 * scale, 2.0 * scale);
            let x = t(&[1, 2], vec![c + s / 2.0, -scale]);
            let phi = features(&x, &t(&[1, 2], vec![c, -scale]), &t(&[1], vec![s]), RbfKernel::Gaussian).unwrap();
            assert!((f64::from(phi.data()[0]) - want).abs() < 1e-6, "scale {scale:e}: φ {}", phi.data()[0]);
            let [dx, dc, dw] = features_backward(&x, &t(&[1, 2], vec![c, -scale]), &t(&[1], vec![s]), RbfKernel::Gaussian, &t(&[1, 1], vec![1.0])).unwrap();
            let (gx, gw) = (-want / (2.0 * f64::from(s)), want / (4.0 * f64::from(s)));
            assert!((f64::from(dx.data()[0]) / gx - 1.0).abs() < 1e-5 && dx.data()[1] == 0.0, "scale {scale:e}: dx {:?}, want {gx:e}", dx.data());
            assert!((f64::from(dc.data()[0]) / -gx - 1.0).abs() < 1e-5, "scale {scale:e}: dc {:?}", dc.data());
            assert!((f64::from(dw.data()[0]) / gw - 1.0).abs() < 1e-5, "scale {scale:e}: dw {:?}, want {gw:e}", dw.data());
        }
    }

    #[test]
    fn multiquadrics_past_float32s_u_keep_their_values_and_gradients() {
        // u = r²/σ² beyond float32 (r/σ > ~1.8e19): φ was ∞ (multiquadric, true ≈ r/σ) or 0
        // (inverse, true ≈ σ/r), and the gradients ∞, NaN or 0. Against closed forms in f64 with
        // r = |x₀ − c₀| on one axis (t = r/σ): φ = √(1 + t²) or its inverse,
        // dφ/dx = (dφ/du)·2r/σ², dφ/dσ = −(dφ/du)·2t²/σ.
        let close = |got: f32, want: f64, what: &str| {
            // 1e-6 relative, or float32's subnormal spacing 2^-149 (a gradient of 1e-43).
            assert!(want.is_finite() && (f64::from(got) - want).abs() <= 1e-6 * want.abs() + 2f64.powi(-149), "{what}: got {got:e}, want {want:e}");
        };
        for (kernel, r, s) in [
            (RbfKernel::Multiquadric, 1e20f32, 1f32),
            (RbfKernel::Multiquadric, 1e25, 1e-5),
            (RbfKernel::InverseMultiquadric, 1e19, 1e-5),
            (RbfKernel::InverseMultiquadric, 1e20, 1.0),
            (RbfKernel::InverseMultiquadric, 1e13, 1e-1), // u = 1e28 finite, but φ³ = 1e-42 subnormal
        ] {
            let x = t(&[1, 2], vec![r, 0.]);
            let (c, w) = (t(&[1, 2], vec![0., 0.]), t(&[1], vec![s]));
            let phi = features(&x, &c, &w, kernel).unwrap();
            let (r64, s64) = (f64::from(r), f64::from(s));
            let t2 = (r64 / s64).powi(2);
            let phi64 = kernel.phi_f64(t2);
            close(phi.data()[0], phi64, &format!("{kernel:?} φ at r {r:e}, σ {s:e}"));
            let g = kernel.dphi_du_f64(phi64);
            let [dx, dc, dw] = features_backward(&x, &c, &w, kernel, &t(&[1, 1], vec![1.0])).unwrap();
            close(dx.data()[0], g * 2.0 * r64 / (s64 * s64), &format!("{kernel:?} dφ/dx at r {r:e}, σ {s:e}"));
            close(dc.data()[0], -g * 2.0 * r64 / (s64 * s64), &format!("{kernel:?} dφ/dc at r {r:e}, σ {s:e}"));
            close(dw.data()[0], -g * 2.0 * t2 / s64, &format!("{kernel:?} dφ/dσ at r {r:e}, σ {s:e}"));
            assert_eq!((dx.data()[1], dc.data()[1]), (0.0, 0.0));
        }
        // Where every float32 step stays normal, nothing changed: φ(u) and the float32 rule, bit
        // for bit.
        for kernel in [RbfKernel::Gaussian, RbfKernel::Multiquadric, RbfKernel::InverseMultiquadric] {
            for (r, s, dy) in [(3.0f32, 0.5f32, 1.0f32), (1e6, 1.0, 1.0), (1e-3, 7.0, 1.0), (1e-3, 1e-9, -2.5), (2.5, 3e4, 1e-20), (1e10, 1e9, 3e20), (0.3, -0.2, 0.7)] {
                let x = t(&[1, 2], vec![r, 0.]);
                let (c, w) = (t(&[1, 2], vec![0., 0.]), t(&[1], vec![s]));
                let u = (r * r) / (s * s);
                assert_eq!(features(&x, &c, &w, kernel).unwrap().data()[0], kernel.phi(u));
                let [dx, dc, dw] = features_backward(&x, &c, &w, kernel, &t(&[1, 1], vec![dy])).unwrap();
                let g = dy * kernel.dphi_du(kernel.phi(u));
                assert_eq!((dx.data()[0], dc.data()[0]), (2.0 * g / (s * s) * r, -(2.0 * g / (s * s) * r)), "{kernel:?} r {r:e} σ {s:e}");
                assert_eq!(dw.data()[0], -(2.0 * g * u / s), "{kernel:?} r {r:e} σ {s:e}");
            }
        }
    }

    /// Gradients where a float32 step of the backward under- or overflows though `u` and `φ` are
    /// finite (they were 0 or off by 1–3 %), against closed forms in f64: `δ = x` (c = 0, one
    /// feature), `u = δ²/σ²`, `q = √(1 + u)`, `dφ/dx = −dφ/dc = dy·φ'(u)·2δ/σ²`,
    /// `dφ/dσ = −dy·φ'(u)·2u/σ` with `φ'(u)` = `−e^(−u/2)/2`, `1/(2q)`, `−1/(2q³)`.
    #[test]
    fn gradients_whose_float32_steps_leave_the_normal_range() {
        let check = |kernel: RbfKernel, x: f32, s: f32, dy: f32| {
            let (xt, c, w) = (t(&[1, 1], vec![x]), t(&[1, 1], vec![0.]), t(&[1], vec![s]));
            let phi = features(&xt, &c, &w, kernel).unwrap().data()[0];
            let [dx, dc, dw] = features_backward(&xt, &c, &w, kernel, &t(&[1, 1], vec![dy])).unwrap();
            let (d, s64) = (f64::from(x), f64::from(s));
            let u = (d / s64).powi(2);
            let q = (1.0 + u).sqrt();
            let (want, dphi) = match kernel {
                RbfKernel::Gaussian => ((-0.5 * u).exp(), -0.5 * (-0.5 * u).exp()),
                RbfKernel::Multiquadric => (q, 0.5 / q),
                RbfKernel::InverseMultiquadric => (1.0 / q, -0.5 / (q * q * q)),
            };
            let g = f64::from(dy) * dphi;
            let gx = g * 2.0 * d / (s64 * s64);
            for (what, got, want) in [("φ", phi, want), ("dφ/dx", dx.data()[0], gx), ("dφ/dc", dc.data()[0], -gx), ("dφ/dσ", dw.data()[0], -g * 2.0 * u / s64)] {
                // Where the true value is a normal float32.
                if want.abs() >= f64::from(f32::MIN_POSITIVE) && want.abs() <= f64::from(f32::MAX) {
                    let e = (f64::from(got) / want - 1.0).abs();
                    assert!(e < 1e-6, "{kernel:?} {what} at x {x:e}, σ {s:e}, dy {dy:e}: got {got:e}, want {want:e}");
                }
            }
        };
        // The reported cases (dφ/dx of the first: 0, want −4.142; of the second −4.0037e6, want
        // −4.1420e6; dφ/dσ of the last 0).
        for (kernel, x, s) in [
            (RbfKernel::InverseMultiquadric, 1.3e-13f32, 7e-26f32),
            (RbfKernel::InverseMultiquadric, 1.3e-16, 7e-26),
            (RbfKernel::InverseMultiquadric, 1e-8, 1e-20),
            (RbfKernel::InverseMultiquadric, 1.3e17, 7e4),
            (RbfKernel::Multiquadric, 1.3e29, 7e16),
            (RbfKernel::Multiquadric, 1.3e26, 7e16),
            (RbfKernel::Gaussian, 1.3e-37, 7e-14),
            (RbfKernel::Multiquadric, 1.3e-37, 7e-14),
            (RbfKernel::InverseMultiquadric, 1.3e-37, 7e-14),
            // u = 200: φ = e^-100 is subnormal in float32, dφ/dx ≈ 5e-28 is not.
            (RbfKernel::Gaussian, 1.4142135e-14, 1e-15),
        ] {
            check(kernel, x, s, 1.0);
        }
        // x = 1.3·10^i, σ = 0.7·10^j over float32's range, and a subnormal and a large dy.
        for kernel in [RbfKernel::Gaussian, RbfKernel::Multiquadric, RbfKernel::InverseMultiquadric] {
            for i in (-37..=38).step_by(3) {
                for j in (-37..=38).step_by(3) {
                    let (x, s) = ((1.3 * 10f64.powi(i)) as f32, (0.7 * 10f64.powi(j)) as f32);
                    for dy in [1.0f32, 1e-40, -3e30] {
                        check(kernel, x, s, dy);
                    }
                }
            }
        }
    }

    #[test]
    fn features_match_the_layer_and_check_shapes() {
        let mut l = layer(0, &[0., 0., 1., 2.], &[1., 2.]);
        l.build(&[2], Init::seeded(0)).unwrap();
        let x = t(&[3, 2], vec![1., 0., 0.5, 0.5, -1., 2.]);
        let y = l.forward(x.clone(), Mode::Infer).unwrap();
        let f = features(&x, &t(&[2, 2], vec![0., 0., 1., 2.]), &t(&[2], vec![1., 2.]), RbfKernel::Gaussian).unwrap();
        assert_eq!(y, f);
        let e = features(&x, &t(&[2, 3], vec![0.; 6]), &t(&[2], vec![1.; 2]), RbfKernel::Gaussian).unwrap_err().to_string();
        assert_eq!(e, "rbfFeatures: x must have 3 features on its last axis (centers have shape [2,3]), got shape [3,2]");
        let e = features(&x, &t(&[2, 2], vec![0.; 4]), &t(&[3], vec![1.; 3]), RbfKernel::Gaussian).unwrap_err().to_string();
        assert_eq!(e, "rbfFeatures: widths must have shape [2] (one per center), got [3]");
        let e = features(&x, &t(&[2, 2], vec![0.; 4]), &t(&[2], vec![1., 0.]), RbfKernel::Gaussian).unwrap_err().to_string();
        assert_eq!(e, "rbfFeatures: widths[1] must be a finite number other than 0 (a width enters squared), got 0");
    }

    #[test]
    fn bad_configs_are_named() {
        let e = |p: &[f32]| RbfConfig::from_abi(p).map(|_| ()).unwrap_err().to_string();
        assert_eq!(e(&[0.0, 0.0, 0.0, 1.0, 1.0, 3.0, -1.0, 1.0]), "rbf: units must be a positive integer, got 0");
        assert!(e(&[2.0, 7.0]).starts_with("rbf: unknown kernel id 7"));
        assert_eq!(e(&[2.0, 0.0, 0.0, 3.0, 1.0, 1.0, 1.0]), "rbf: widths must be one number or 2 (one per unit), got 3 values");
        assert_eq!(e(&[2.0, 0.0, 0.0, 1.0, -1.0, 3.0, -1.0, 1.0]), "rbf: widths[0] must be a finite number > 0, got -1");
        let mut l = layer(0, &[0., 0., 1., 2.], &[1.]);
        let e = l.build(&[3], Init::seeded(0)).unwrap_err().to_string();
        assert_eq!(e, "rbf: centers has 4 values but 2 units × 3 input features need 6");
    }

    /// `features_backward` (the tape's rule) is the layer's backward, and both match central
    /// differences of `Σ dy ⊙ Φ` in x, the centers and the widths, for every kernel, with x on
    /// a center (`u = 0`) and more than one leading axis.
    #[test]
    fn features_backward_is_the_layers_rule() {
        let x = t(&[2, 2, 3], vec![0.5, -1., 2., 1., 0., 0.5, 0.2, 0.3, -0.4, 1., 1., 1.]);
        let c = t(&[2, 3], vec![0.5, -1., 2., 0., 1., -0.5]);
        let w = t(&[2], vec![1.5, 0.8]);
        let dy = t(&[2, 2, 2], vec![1., -2., 0.5, 3., -1., 0.25, 2., -0.5]);
        for k in 0..3 {
            let kern = RbfKernel::from_abi(k).unwrap();
            let [dx, dc, dw] = features_backward(&x, &c, &w, kern, &dy).unwrap();
            let mut p = vec![2.0, k as f32, 6.0];
            p.extend_from_slice(c.data());
            p.extend_from_slice(&[2.0, 1.5, 0.8, 3.0, -1.0, 1.0]);
            let mut l = Rbf::new(RbfConfig::from_abi(&p).unwrap());
            l.build(&[3], Init::seeded(0)).unwrap();
            l.forward(x.clone(), Mode::Train { seed: 0, step: 0 }).unwrap();
            let ldx = l.backward(dy.clone()).unwrap();
            assert_eq!(ldx.data(), dx.data());
            assert_eq!(l.params()[0].grad, dc.data());
            assert_eq!(l.params()[1].grad, dw.data());
            let objective = |x: &Tensor, c: &Tensor, w: &Tensor| -> f64 {
                let f = features(x, c, w, kern).unwrap();
                f.data().iter().zip(dy.data()).map(|(&a, &b)| a as f64 * b as f64).sum()
            };
            let h = 1e-2f32;
            let check = |which: usize, got: &Tensor| {
                for i in 0..got.size() {
                    let bump = |d: f32| {
                        let mut ts = [x.clone(), c.clone(), w.clone()];
                        let mut v = ts[which].data().to_vec();
                        v[i] += d;
                        ts[which] = Tensor::new("t", ts[which].shape().clone(), v).unwrap();
                        objective(&ts[0], &ts[1], &ts[2])
                    };
                    let fd = (bump(h) - bump(-h)) / (2.0 * h as f64);
                    let g = got.data()[i] as f64;
                    assert!((fd - g).abs() <= 1e-2 * (1.0 + fd.abs()), "kernel {k}, input {which}[{i}]: {g} vs {fd}");
                }
            };
            check(0, &dx);
            check(1, &dc);
            check(2, &dw);
        }
        let e = features_backward(&x, &c, &w, RbfKernel::Gaussian, &t(&[2, 2], vec![0.; 4])).unwrap_err().to_string();
        assert_eq!(e, "rbfFeatures: the gradient at the output must have shape [2,2,2], got [2,2]");
    }

    /// Zero centers give an `[n, 0]` result for every kernel; zero features put every row at
    /// every center (`u = 0`). Neither panics (they used to: `chunk size must be non-zero`).
    #[test]
    fn zero_centers_or_zero_features() {
        let x = t(&[3, 2], vec![1., 0., 0.5, 0.5, -1., 2.]);
        for k in 0..3 {
            let kern = RbfKernel::from_abi(k).unwrap();
            let f = features(&x, &t(&[0, 2], vec![]), &t(&[0], vec![]), kern).unwrap();
            assert_eq!(f.dims(), &[3, 0]);
            let f = features(&t(&[3, 0], vec![]), &t(&[2, 0], vec![]), &t(&[2], vec![1., 2.]), kern).unwrap();
            assert_eq!((f.dims(), f.data()), (&[3, 2][..], &[kern.phi(0.0); 6][..]));
            let f = features(&t(&[0, 2], vec![]), &t(&[2, 2], vec![0.; 4]), &t(&[2], vec![1., 2.]), kern).unwrap();
            assert_eq!(f.dims(), &[0, 2]);
        }
        // The layer on inputs with no features: forward and backward run, dx is empty.
        let mut l = layer(1, &[], &[1., 2.]);
        l.build(&[0], Init::seeded(0)).unwrap();
        let y = l.forward(t(&[3, 0], vec![]), Mode::Train { seed: 0, step: 0 }).unwrap();
        assert_eq!(y.data(), &[1.0; 6]);
        let dx = l.backward(t(&[3, 2], vec![1.0; 6])).unwrap();
        assert_eq!(dx.dims(), &[3, 0]);
    }
}
