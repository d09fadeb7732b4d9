//! Weight constraints: projections applied to a weight right after each optimizer update of
//! it (Keras 3's semantics; TF.js 4.22 accepts the option but never applies it during training,
//! tensorflow/tfjs#3345 and #3979). The math is TF.js's `tfjs-layers/src/constraints.ts`
//! (Keras's `constraints.py`), with `n` the L2 norm of each slice of the weight along `axes`
//! (the elements that share every coordinate on the other axes) and TF.js's `ε = 1e-7`:
//!
//! - `maxNorm`: `w · clip(n, 0, maxValue) / (ε + n)`
//! - `minMaxNorm`: `w · (rate · clip(n, minValue, maxValue) + (1 − rate) · n) / (ε + n)`
//! - `nonNeg`: `max(w, 0)`
//! - `unitNorm`: `w / (ε + n)`
//!
//! For a dense kernel `[in, out]`, axis 0 (the default) constrains each unit's incoming weight
//! vector; for a convolution kernel `[kh, kw, cin, cout]` Keras recommends axes `[0, 1, 2]`
//! (each filter). The sums of squares, `n`, the factor and the product are computed in float64
//! and rounded to float32 once, so a weight whose norm overflows float32
//! (|w| ≳ 1.8e19) is still scaled to its norm; TF.js sums in float32, gets `n = ∞` and sets
//! such a slice to zero (maxNorm) or NaN.
//!
//! ```
//! use neurite_core::constraints::Constraint;
//! // maxNorm(maxValue 1, axis 0) on a [2, 2] kernel: column norms 5 and 0.5.
//! let c = Constraint::from_abi(0, &[1.0, 0.0]).unwrap().resolve("dense", "kernelConstraint", "kernel", &[2, 2]).unwrap();
//! let mut w = [3.0f32, 0.3, 4.0, 0.4];
//! c.project(&[2, 2], &mut w, &mut Vec::new());
//! assert!((w[0] - 0.6).abs() < 1e-6 && (w[2] - 0.8).abs() < 1e-6 && (w[1] - 0.3).abs() < 1e-6);
//! ```

use crate::error::js_number;
use core::fmt::Write;
use crate::{bail, Error, Result};

/// TF.js's `epsilon()` (float32 backends), added to every norm before dividing by it.
pub const EPSILON: f64 = 1e-7;

/// A constraint's rule (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    MaxNorm { max_value: f32 },
    MinMaxNorm { min_value: f32, max_value: f32, rate: f32 },
    NonNeg,
    UnitNorm,
}

/// A constraint and the axes its norms reduce over: as given (possibly negative) until
/// [`Constraint::resolve`] checks them against a weight's rank, sorted and non-negative after.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    pub kind: Kind,
    pub axes: Vec<i32>,
}

impl Constraint {
    /// The public names, indexed by ABI id (append-only; `ts/constraints.ts` `CONSTRAINTS`,
    /// compared by `test/codes.test.ts` through `nr_enum_name`).
    pub const KIND_NAMES: [&'static str; 4] = ["maxNorm", "minMaxNorm", "nonNeg", "unitNorm"];

    /// The scalar parameters of each kind, in ABI order (TF.js's option names); the axes
    /// follow them (none for nonNeg).
    pub const PARAMS: [&'static [&'static str]; 4] = [&["maxValue"], &["minValue", "maxValue", "rate"], &[], &[]];

    /// The layer options that take a constraint and the weight each constrains, indexed by
    /// ABI id (append-only; `ts/constraints.ts` `CONSTRAINT_OPTIONS`).
    pub const OPTIONS: [(&'static str, &'static str); 7] = [
        ("kernelConstraint", "kernel"),
        ("biasConstraint", "bias"),
        ("depthwiseConstraint", "depthwise_kernel"),
        ("pointwiseConstraint", "pointwise_kernel"),
        ("alphaConstraint", "alpha"),
        ("betaConstraint", "beta"),
        ("gammaConstraint", "gamma"),
    ];

    /// A constraint from its ABI id and values: the kind's [`Constraint::PARAMS`], then its
    /// axes (integers, at least one for the norm constraints, none for nonNeg). Values must be
    /// finite and >= 0, `minValue <= maxValue`, `rate` in [0, 1].
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(kind: u32, p: &[f32]) -> Result<Constraint> {
        let Some(&name) = Constraint::KIND_NAMES.get(kind as usize) else {
            bail!("constraint", "unknown constraint id {kind} (known ids are 0..{})", Constraint::KIND_NAMES.len());
        };
        let names = Constraint::PARAMS[kind as usize];
        if p.len() < names.len() {
            bail!(name, "takes {} parameters, got {}", names.len(), p.len());
        }
        for (&field, &v) in names.iter().zip(p) {
            if !(v.is_finite() && v >= 0.0) {
                return Err(crate::layers::out_of_range(name, field, "a finite number >= 0", v));
            }
        }
        let kind_of = match kind {
            0 => Kind::MaxNorm { max_value: p[0] },
            1 => {
                let (min_value, max_value, rate) = (p[0], p[1], p[2]);
                if min_value > max_value {
                    bail!(name, "minValue ({}) must not exceed maxValue ({})", js_number(min_value), js_number(max_value));
                }
                if rate > 1.0 {
                    return Err(crate::layers::out_of_range(name, "rate", "in [0, 1]", rate));
                }
                Kind::MinMaxNorm { min_value, max_value, rate }
            }
            2 => Kind::NonNeg,
            _ => Kind::UnitNorm,
        };
        let axes = &p[names.len()..];
        if kind_of == Kind::NonNeg && !axes.is_empty() {
            bail!(name, "takes no axis (it clips every value), got {} axes", axes.len());
        }
        if kind_of != Kind::NonNeg && axes.is_empty() {
            bail!(name, "needs an axis");
        }
        let mut out = Vec::with_capacity(axes.len());
        for &a in axes {
            if a.fract() != 0.0 || a.abs() > 64.0 {
                return Err(crate::layers::out_of_range(name, "axis", "an integer", a));
            }
            out.push(a as i32);
        }
        Ok(Constraint { kind: kind_of, axes: out })
    }

    /// The ABI name of the kind.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn name(&self) -> &'static str {
        Constraint::KIND_NAMES[match self.kind {
            Kind::MaxNorm { .. } => 0,
            Kind::MinMaxNorm { .. } => 1,
            Kind::NonNeg => 2,
            Kind::UnitNorm => 3,
        }]
    }

    /// This constraint for a weight of shape `dims`: the axes checked against its rank
    /// (negative ones count from the end) and made non-negative and sorted. Errors name the
    /// layer kind `op`, the option, the weight, its shape and the axis.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn resolve(&self, op: &'static str, option: &str, weight: &str, dims: &[usize]) -> Result<Constraint> {
        let rank = dims.len() as i32;
        let mut axes = Vec::with_capacity(self.axes.len());
        for &a in &self.axes {
            let d = if a < 0 { a + rank } else { a };
            let out = !(0..rank).contains(&d);
            if out || axes.contains(&d) {
                // The shape as `3, 5` by a plain loop (no Vec<String> and join), only here.
                let mut shape = String::new();
                for (i, n) in dims.iter().enumerate() {
                    let _ = write!(shape, "{}{n}", if i > 0 { ", " } else { "" });
                }
                let what = if out { format!("out of range for weight `{weight}` of shape [{shape}] (rank {rank}: axes {} to {})", -rank, rank - 1) } else { format!("given twice for weight `{weight}` of shape [{shape}]") };
                bail!(op, "{option} ({}): axis {a} is {what}", self.name());
            }
            axes.push(d);
        }
        // Sorted by a pass over the axes (no sort routine linked into the wasm for this).
        let axes = (0..rank).filter(|d| axes.contains(d)).collect();
        Ok(Constraint { kind: self.kind, axes })
    }

    /// The number of norms (slices) of a weight of shape `dims`: the product of the axes not
    /// reduced.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn groups(&self, dims: &[usize]) -> usize {
        dims.iter().enumerate().filter(|(d, _)| !self.axes.contains(&(*d as i32))).map(|(_, &n)| n).product()
    }

    /// Reserves `norms` for [`Constraint::project`] on a weight of shape `dims`, so that the
    /// projection itself never allocates (the trainer reserves before any weight changes).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn reserve(&self, op: &'static str, dims: &[usize], norms: &mut Vec<f64>) -> Result<()> {
        let n = if self.kind == Kind::NonNeg { 0 } else { self.groups(dims) };
        norms.clear();
        norms.try_reserve_exact(n).map_err(|_| Error::OutOfMemory { op, bytes: n as u64 * 8 })
    }

    /// Projects `w` (of shape `dims`, axes resolved) in place; `norms` is scratch (see
    /// [`Constraint::reserve`]). One copy for its three callers (the trainer, `setWeights` in
    /// update mode, `apply`).
    #[inline(never)]
    pub fn project(&self, dims: &[usize], w: &mut [f32], norms: &mut Vec<f64>) {
        let (lo, hi, rate) = match self.kind {
            Kind::NonNeg => {
                for v in w.iter_mut() {
                    if *v < 0.0 {
                        *v = 0.0;
                    }
                }
                return;
            }
            Kind::MaxNorm { max_value } => (0.0, max_value as f64, 1.0),
            Kind::MinMaxNorm { min_value, max_value, rate } => (min_value as f64, max_value as f64, rate as f64),
            Kind::UnitNorm => (0.0, 0.0, 0.0),
        };
        norms.clear();
        norms.resize(self.groups(dims), 0.0);
        self.walk(dims, w, norms, false);
        for s in norms.iter_mut() {
            let n = s.sqrt();
            // max/min, not `clamp`: clamp's assertion prints floats (core::fmt's float
            // printing, ~8 kB gzipped of wasm); lo <= hi holds by construction.
            let desired = if self.kind == Kind::UnitNorm { 1.0 } else { rate * n.max(lo).min(hi) + (1.0 - rate) * n };
            *s = desired / (EPSILON + n);
        }
        self.walk(dims, w, norms, true);
    }

    /// Walks every element of a weight `w` of shape `dims` in order with the index `g` of its
    /// slice (an odometer over the coordinates: no division per element): adds its square to
    /// `norms[g]` (the first pass), or with `scale` multiplies it by `norms[g]` (the second).
    /// One body for both passes (two closures over a generic walk compiled it twice), compiled
    /// for size so that the loop is not unswitched into two copies again.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    fn walk(&self, dims: &[usize], w: &mut [f32], norms: &mut [f64], scale: bool) {
        let size: usize = dims.iter().product();
        if size == 0 {
            return;
        }
        // The slice index's stride of each axis: 0 on the reduced axes.
        let mut stride = vec![0usize; dims.len()];
        let mut s = 1;
        for d in (0..dims.len()).rev() {
            if !self.axes.contains(&(d as i32)) {
                stride[d] = s;
                s *= dims[d];
            }
        }
        let mut coord = vec![0usize; dims.len()];
        let mut g = 0;
        for v in w[..size].iter_mut() {
            if scale {
                *v = (*v as f64 * norms[g]) as f32;
            } else {
                norms[g] += *v as f64 * *v as f64;
            }
            for d in (0..dims.len()).rev() {
                coord[d] += 1;
                g += stride[d];
                if coord[d] < dims[d] {
                    break;
                }
                g -= stride[d] * dims[d];
                coord[d] = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(kind: u32, p: &[f32], dims: &[usize], w: &[f32]) -> Vec<f32> {
        let c = Constraint::from_abi(kind, p).unwrap().resolve("t", "c", "w", dims).unwrap();
        let mut w = w.to_vec();
        let mut norms = Vec::new();
        c.reserve("t", dims, &mut norms).unwrap();
        c.project(dims, &mut w, &mut norms);
        w
    }

    /// The definition, written out per slice in float64.
    fn reference(kind: u32, p: &[f32], dims: &[usize], axes: &[usize], w: &[f32]) -> Vec<f32> {
        let rank = dims.len();
        let coords = |mut i: usize| -> Vec<usize> {
            let mut c = vec![0; rank];
            for d in (0..rank).rev() {
                c[d] = i % dims[d];
                i /= dims[d];
            }
            c
        };
        let key = |i: usize| -> Vec<usize> { coords(i).into_iter().enumerate().filter(|(d, _)| !axes.contains(d)).map(|(_, c)| c).collect() };
        (0..w.len())
            .map(|i| {
                if kind == 2 {
                    return w[i].max(0.0);
                }
                let n = (0..w.len()).filter(|&j| key(j) == key(i)).map(|j| (w[j] as f64).powi(2)).sum::<f64>().sqrt();
                let desired = match kind {
                    0 => n.clamp(0.0, p[0] as f64),
                    1 => p[2] as f64 * n.clamp(p[0] as f64, p[1] as f64) + (1.0 - p[2] as f64) * n,
                    _ => 1.0,
                };
                (w[i] as f64 * desired / (1e-7 + n)) as f32
            })
            .collect()
    }

    fn wave(n: usize) -> Vec<f32> {
        (0..n).map(|i| ((i as f32) * 0.731 + 0.2).sin() * 3.0).collect()
    }

    #[test]
    fn every_kind_matches_the_definition_on_odd_shapes_and_axes() {
        let cases: [(&[usize], &[f32], &[usize]); 7] = [
            (&[3, 5], &[0.0], &[0]),
            (&[3, 5], &[1.0], &[1]),
            (&[1, 1], &[0.0], &[0]),
            (&[3, 3, 2, 4], &[0.0, 1.0, 2.0], &[0, 1, 2]),
            (&[3, 3, 2, 4], &[3.0], &[3]),
            (&[2, 3, 4], &[-1.0, -3.0], &[0, 2]),
            (&[7], &[0.0], &[0]),
        ];
        for (dims, axes_abi, axes) in cases {
            let w = wave(dims.iter().product());
            for (kind, p) in [(0u32, vec![1.5f32]), (1, vec![0.5, 1.2, 0.7]), (1, vec![2.0, 3.0, 1.0]), (3, vec![]), (0, vec![0.0])] {
                let got = project(kind, &[&p[..], axes_abi].concat(), dims, &w);
                let want = reference(kind, &p, dims, axes, &w);
                for (g, r) in got.iter().zip(&want) {
                    assert!((g - r).abs() <= 2e-7 * r.abs().max(1e-30) + 1e-30, "kind {kind} {p:?} dims {dims:?} axes {axes:?}: {got:?} vs {want:?}");
                }
            }
            assert_eq!(project(2, &[], dims, &w), reference(2, &[], dims, axes, &w));
        }
    }

    #[test]
    fn closed_forms() {
        // maxNorm 2 on a column of norm 5 gives norm 2·5/(5 + ε); one of norm 1 only shrinks by ε.
        let w = project(0, &[2.0, 0.0], &[2, 2], &[3.0, 0.6, 4.0, 0.8]);
        assert!((w[0] - 1.2).abs() < 1e-6 && (w[2] - 1.6).abs() < 1e-6);
        assert!((w[1] - 0.6 / (1.0 + 1e-7)).abs() < 1e-7, "{w:?}");
        // unitNorm: every row of a [2, 3] kernel along axis 1 has norm 1 (up to ε).
        let w = project(3, &[1.0], &[2, 3], &[1.0, 2.0, 2.0, 0.0, 0.0, -5.0]);
        assert!((w[0] - 1.0 / 3.0).abs() < 1e-6 && (w[5] + 1.0).abs() < 1e-6);
        // A zero slice stays zero (ε keeps it finite), and nonNeg clips.
        assert_eq!(project(3, &[0.0], &[2, 2], &[0.0, 1.0, 0.0, 0.0]), [0.0, (1.0f64 / (1.0 + 1e-7)) as f32, 0.0, 0.0]);
        assert_eq!(project(2, &[], &[4], &[-1.0, 0.5, -0.0, 2.0]), [0.0, 0.5, -0.0, 2.0]);
        // minMaxNorm with rate 0 only divides by n + ε.
        let w = project(1, &[5.0, 6.0, 0.0, 0.0], &[1], &[2.0]);
        assert!((w[0] - 2.0).abs() < 1e-6);
        // No axes (a PReLU alpha's slices of one value): each value is its own slice.
        let c = Constraint { kind: Kind::UnitNorm, axes: Vec::new() };
        let mut w = [2.0f32, -0.5, 0.0];
        c.project(&[3], &mut w, &mut Vec::new());
        assert!((w[0] - 1.0).abs() < 1e-6 && (w[1] + 1.0).abs() < 1e-6 && w[2] == 0.0, "{w:?}");
        // Empty weights: nothing to do, no panic.
        assert!(project(0, &[1.0, 0.0], &[0, 3], &[]).is_empty());
        assert!(project(3, &[1.0], &[3, 0], &[]).is_empty());
    }

    #[test]
    fn huge_and_tiny_values() {
        // The norm of 1e20 overflows float32 (TF.js: ∞, the weight becomes 0); here it is 1e20·√2.
        let w = project(0, &[2.0, 0.0], &[2, 1], &[1e20, -1e20]);
        assert!((w[0] - 2f32.sqrt()).abs() < 1e-6 && (w[1] + 2f32.sqrt()).abs() < 1e-6, "{w:?}");
        // Tiny values: n ≪ ε, so unitNorm scales by about 1/ε, as TF.js.
        let w = project(3, &[0.0], &[1], &[1e-30]);
        assert!((w[0] - 1e-23).abs() < 1e-28, "{w:?}");
        let w = project(0, &[2.0, 0.0], &[1], &[f32::MAX]);
        assert!((w[0] - 2.0).abs() < 1e-6, "{w:?}");
    }

    #[test]
    fn bad_configs_are_named() {
        let msg = |k, p: &[f32]| Constraint::from_abi(k, p).unwrap_err().to_string();
        assert_eq!(msg(4, &[]), "constraint: unknown constraint id 4 (known ids are 0..4)");
        assert_eq!(msg(0, &[-1.0, 0.0]), "maxNorm: maxValue must be a finite number >= 0, got -1");
        assert_eq!(msg(0, &[f32::NAN, 0.0]), "maxNorm: maxValue must be a finite number >= 0, got NaN");
        assert_eq!(msg(1, &[0.0, 1.0, 1.5, 0.0]), "minMaxNorm: rate must be in [0, 1], got 1.5");
        assert_eq!(msg(1, &[2.0, 1.0, 1.0, 0.0]), "minMaxNorm: minValue (2) must not exceed maxValue (1)");
        assert_eq!(msg(3, &[0.5]), "unitNorm: axis must be an integer, got 0.5");
        assert_eq!(msg(3, &[]), "unitNorm: needs an axis");
        assert_eq!(msg(2, &[0.0]), "nonNeg: takes no axis (it clips every value), got 1 axes");
        assert_eq!(msg(1, &[0.0]), "minMaxNorm: takes 3 parameters, got 1");
        let c = Constraint::from_abi(0, &[2.0, 2.0]).unwrap();
        assert_eq!(c.resolve("dense", "kernelConstraint", "kernel", &[3, 5]).unwrap_err().to_string(), "dense: kernelConstraint (maxNorm): axis 2 is out of range for weight `kernel` of shape [3, 5] (rank 2: axes -2 to 1)");
        let c = Constraint::from_abi(3, &[0.0, -2.0]).unwrap();
        assert_eq!(c.resolve("dense", "kernelConstraint", "kernel", &[3, 5]).unwrap_err().to_string(), "dense: kernelConstraint (unitNorm): axis -2 is given twice for weight `kernel` of shape [3, 5]");
    }
}
