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
//! # Shapes
//! `x: [batch, ..., d]` → `y: [batch, ..., units]` (over the last axis, as `dense`);
//! centers `[units, d]`, widths `[units]`.
//!
//! # Backward
//! With `g = dy ⊙ dφ/du` and `δ = x − cⱼ`: `du/dx = 2δ/σ²`, `du/dc = −2δ/σ²`,
//! `du/dσ = −2u/σ`, so `dx = Σⱼ g·2δ/σⱼ²`, `dcⱼ = −Σ_rows g·2δ/σⱼ²`, `dσⱼ = −Σ_rows g·2u/σⱼ`.
//! Widths should stay away from 0: a width that training drives to 0 makes `u` infinite.

use super::{no_forward, Domain, Init, Layer, Mode, Param};
use crate::config::Reader;
use crate::initializers::Initializer;
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
}

/// `u[i, j] = ‖xᵢ − cⱼ‖² / σⱼ²` for `rows` rows of `d` values, and `φ(u)`. Zero units write
/// nothing; zero features give `u = 0` (every row is at every center).
#[allow(clippy::too_many_arguments)]
fn forward_rows(x: &[f32], rows: usize, d: usize, centers: &[f32], widths: &[f32], kernel: RbfKernel, u: &mut [f32], phi: &mut [f32]) {
    let units = widths.len();
    if units == 0 {
        return;
    }
    for r in 0..rows {
        let xr = &x[r * d..(r + 1) * d];
        let (ur, pr) = (&mut u[r * units..(r + 1) * units], &mut phi[r * units..(r + 1) * units]);
        for (j, &s) in widths.iter().enumerate() {
            let c = &centers[j * d..(j + 1) * d];
            let r2: f32 = xr.iter().zip(c).map(|(a, b)| (a - b) * (a - b)).sum();
            ur[j] = r2 / (s * s);
            pr[j] = kernel.phi(ur[j]);
        }
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
    if let Some(i) = widths.data().iter().position(|w| !(w.is_finite() && *w > 0.0)) {
        bail!(OP, "widths[{i}] must be a finite number > 0, got {}", js_number(widths.data()[i]));
    }
    let rows = rows_of(x);
    let mut dims = x.dims().to_vec();
    *dims.last_mut().expect("rank >= 1") = *units;
    let mut phi = Tensor::zeros(OP, Shape::new(OP, &dims)?)?;
    let mut u = crate::tensor::alloc(OP, phi.size())?;
    forward_rows(x.data(), rows, *d, centers.data(), widths.data(), kernel, &mut u, phi.data_mut());
    Ok(phi)
}

/// How the centers start.
#[derive(Clone, Debug, PartialEq)]
pub enum CenterInit {
    /// Drawn by an initializer (fan-in = features, fan-out = units).
    Random(Initializer),
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

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], init: Init) -> Result<Vec<usize>> {
        let Some(&d) = input.last() else {
            bail!(OP, "input must have at least one dimension per sample, got shape []");
        };
        let units = self.cfg.units;
        let mut c = Tensor::zeros(OP, Shape::new(OP, &[units, d])?)?;
        match &self.cfg.centers {
            CenterInit::Random(centers) => init.fill(centers, c.data_mut(), d, units, 0),
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
        self.widths = Some(Param::new("widths", w, None)?.within(Domain::Positive));
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
        forward_rows(x.data(), rows, d, c.value.data(), w.value.data(), self.cfg.kernel, &mut u, y.data_mut());
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
        cp.grad.fill(0.0);
        wp.grad.fill(0.0);
        let mut dx = Tensor::zeros(OP, x.shape().clone())?;
        let (cv, wv) = (cp.value.data(), wp.value.data());
        let rows = rows_of(&x);
        for r in 0..rows {
            let xr = &x.data()[r * d..(r + 1) * d];
            let dxr = &mut dx.data_mut()[r * d..(r + 1) * d];
            for j in 0..units {
                let k = r * units + j;
                let g = dy.data()[k] * kernel.dphi_du(phi[k]);
                if g == 0.0 {
                    continue;
                }
                let s = wv[j];
                let f = 2.0 * g / (s * s);
                let c = &cv[j * d..(j + 1) * d];
                let dc = &mut cp.grad[j * d..(j + 1) * d];
                for ((dxv, dcv), (&a, &b)) in dxr.iter_mut().zip(dc).zip(xr.iter().zip(c)) {
                    let t = f * (a - b);
                    *dxv += t;
                    *dcv -= t;
                }
                wp.grad[j] -= 2.0 * g * u[k] / s;
            }
        }
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
        assert_eq!(e, "rbfFeatures: widths[1] must be a finite number > 0, got 0");
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
