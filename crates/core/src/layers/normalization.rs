//! `normalization`: Keras 3's `keras.layers.Normalization`, feature standardization carried in
//! the model (keras/src/layers/preprocessing/normalization.py).
//!
//! One mean `m` and variance `v` per index of the kept axes (Keras's `axis`, batch axis 0 not
//! allowed here; none kept: one scalar pair), broadcast over the other axes:
//! `y = (x − m) / max(√v, ε)`, or with `invert` `y = m + x·max(√v, ε)`, ε = 1e-7 (Keras's
//! `backend.epsilon()`, in that exact form). The statistics are non-trainable weights (`mean`,
//! `variance`, Keras's names) that the facade fills (`adapt`, or the `mean`/`variance` options);
//! until then they are NaN and a forward is an error saying to call `adapt`.
//!
//! # Backward
//! `dx = dy / max(√v, ε)` (`dy·max(√v, ε)` inverted); the statistics get no gradient.

use super::{Domain, Init, Layer, Mode, Param};
use crate::config::Reader;
use crate::error::ints;
use crate::{bail, Result, Shape, Tensor};

const OP: &str = "normalization";
/// Keras's `backend.epsilon()`.
const EPSILON: f32 = 1e-7;

pub struct Normalization {
    invert: bool,
    /// Keras's axes (batch axis 0, negative from the end), as given.
    axes: Vec<i64>,
    /// The kept per-sample axes (sorted), resolved by `build`.
    keep: Vec<usize>,
    mean: Option<Param>,
    variance: Option<Param>,
}

impl Normalization {
    /// Layout: `invert, n, axes[n]` (Keras's axis numbers, the batch axis 0; `n = 0`: `axis: null`).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<Normalization> {
        let mut r = Reader::new(OP, p);
        let invert = r.bool("invert")?;
        let n = r.usize("axis count")?;
        let mut axes = Vec::with_capacity(n.min(32));
        for &a in r.slice(n, "axis")? {
            if a.fract() != 0.0 || a.abs() > 64.0 {
                return Err(super::out_of_range(OP, "axis", "an integer", a));
            }
            axes.push(a as i64);
        }
        Ok(Normalization { invert, axes, keep: Vec::new(), mean: None, variance: None })
    }

    /// The kept per-sample axes for a per-sample `input` shape, sorted, each once, and the
    /// statistics' shape (their sizes).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resolve(&self, input: &[usize]) -> Result<(Vec<usize>, Vec<usize>)> {
        let ndim = input.len() as i64 + 1;
        let mut keep = Vec::with_capacity(self.axes.len());
        for &a in &self.axes {
            let k = if a < 0 { a + ndim } else { a };
            if k < 0 || k >= ndim {
                bail!(OP, "axis {a} is out of range for inputs of per-sample shape {} (rank {ndim} with the batch axis 0): axes {} to {}", ints(input), -ndim, ndim - 1);
            }
            if k == 0 {
                bail!(OP, "axis {a} is the batch axis: neurite keeps statistics per feature, not per sample; use the feature axes (e.g. -1) or axis null for one mean and variance");
            }
            let k = (k - 1) as usize;
            if keep.contains(&k) {
                bail!(OP, "axis lists axis {a} twice");
            }
            keep.push(k);
        }
        keep.sort_unstable();
        let dims: Vec<usize> = keep.iter().map(|&k| input[k]).collect();
        if let Some(i) = dims.iter().position(|&d| d == 0) {
            bail!(OP, "kept axis {} of the input shape {} has no fixed size: the statistics need one per index (Keras: a known shape)", keep[i] + 1, ints(input));
        }
        Ok((keep, dims))
    }

    /// For each value of one sample of per-sample shape `dims`, the flat index of its statistic.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn stat_index(&self, dims: &[usize]) -> Result<Vec<u32>> {
        let size: usize = dims.iter().product();
        let mut idx = crate::tensor::try_vec(OP, size, 0u32)?;
        if self.keep.is_empty() || size == 0 {
            return Ok(idx);
        }
        // Strides of each axis in the statistics (0 for a reduced axis), then a mixed-radix counter.
        let mut strides = vec![0usize; dims.len()];
        let mut s = 1;
        for &k in self.keep.iter().rev() {
            strides[k] = s;
            s *= dims[k];
        }
        let mut pos = vec![0usize; dims.len()];
        let mut cur = 0usize;
        for slot in idx.iter_mut() {
            *slot = cur as u32;
            for a in (0..dims.len()).rev() {
                pos[a] += 1;
                cur += strides[a];
                if pos[a] < dims[a] {
                    break;
                }
                cur -= strides[a] * pos[a];
                pos[a] = 0;
            }
        }
        Ok(idx)
    }

    /// What one pass over `x` (`[batch, ...]`) needs: each value's statistic index, the means,
    /// and per statistic `max(√v, ε)`. Errors: `x` without the statistics' sizes on the kept
    /// axes, or statistics never set (NaN: call `adapt`).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    fn prepare(&self, x: &Tensor) -> Result<(Vec<u32>, &[f32], Vec<f32>)> {
        let (Some(m), Some(v)) = (&self.mean, &self.variance) else {
            bail!(OP, "the layer is not built");
        };
        let dims = x.dims().get(1..).unwrap_or_default();
        let want = m.value.dims();
        if self.keep.iter().any(|&k| k >= dims.len()) || !self.keep.iter().map(|&k| dims[k]).eq(want.iter().copied()) {
            bail!(OP, "input has shape {} but the layer's statistics have shape {} on its kept axes", x.shape(), ints(want));
        }
        if m.value.data().iter().chain(v.value.data()).any(|x| x.is_nan()) {
            bail!(OP, "the layer has no mean and variance yet: call layer.adapt(data) on the training data (or give mean and variance when making it) before predict, fit or evaluate");
        }
        let s = v.value.data().iter().map(|&v| v.sqrt().max(EPSILON)).collect();
        Ok((self.stat_index(dims)?, m.value.data(), s))
    }

    /// `t` through the layer (`forward`: `(x − m)/s`, inverted `m + x·s`) or its slope
    /// (`backward`, `m` unused: `dy/s`, inverted `dy·s`).
    fn pass(&self, mut t: Tensor, shift: bool) -> Result<Tensor> {
        let (idx, m, s) = self.prepare(&t)?;
        let n = idx.len();
        if n == 0 {
            return Ok(t);
        }
        let invert = self.invert;
        for row in t.try_data_mut(OP)?.chunks_exact_mut(n) {
            for (v, &i) in row.iter_mut().zip(&idx) {
                let (m, s) = (if shift { m[i as usize] } else { 0.0 }, s[i as usize]);
                *v = if invert { m + *v * s } else { (*v - m) / s };
            }
        }
        Ok(t)
    }
}

impl Layer for Normalization {
    /// Keras 3's `supports_masking`: an element-wise map, so the mask passes on.
    fn masking(&self) -> super::Masking {
        super::Masking::Pass
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        OP
    }

    /// Any input with the statistics' sizes on the kept axes (the others may differ).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        let want = self.mean.as_ref()?.value.dims().to_vec();
        Some(self.resolve(input).and_then(|(keep, dims)| {
            if dims != want {
                bail!(OP, "its statistics have shape {} on the kept axes, the input {} has {}; a layer keeps its weights wherever it is used", ints(&want), ints(input), ints(&dims));
            }
            self.keep = keep;
            Ok(input.to_vec())
        }))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], _init: Init) -> Result<Vec<usize>> {
        let (keep, dims) = self.resolve(input)?;
        let shape = Shape::new(OP, &dims)?;
        // NaN until the facade sets them (adapt, or the mean/variance options): a forward before
        // is an error, never a silent identity.
        self.mean = Some(Param::state("mean", Tensor::full(OP, shape.clone(), f32::NAN)?));
        self.variance = Some(Param::state("variance", Tensor::full(OP, shape, f32::NAN)?).within(Domain::NonNegative));
        self.keep = keep;
        Ok(input.to_vec())
    }

    fn forward(&mut self, x: Tensor, _mode: Mode) -> Result<Tensor> {
        self.pass(x, true)
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        self.pass(dy, false)
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        [&mut self.mean, &mut self.variance].into_iter().filter_map(|p| p.as_mut()).collect()
    }

    fn params(&self) -> Vec<&Param> {
        [&self.mean, &self.variance].into_iter().filter_map(|p| p.as_ref()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(invert: bool, axes: &[f32], input: &[usize], mean: &[f32], var: &[f32]) -> Normalization {
        let mut p = vec![if invert { 1.0 } else { 0.0 }, axes.len() as f32];
        p.extend_from_slice(axes);
        let mut l = Normalization::from_abi(&p).unwrap();
        l.build(input, Init::seeded(0)).unwrap();
        l.mean.as_mut().unwrap().value.data_mut().copy_from_slice(mean);
        l.variance.as_mut().unwrap().value.data_mut().copy_from_slice(var);
        l
    }

    fn t(dims: &[usize], v: Vec<f32>) -> Tensor {
        Tensor::new("t", Shape::new("t", dims).unwrap(), v).unwrap()
    }

    #[test]
    fn standardizes_per_feature_and_inverts() {
        let mut l = layer(false, &[-1.0], &[3], &[1.0, 2.0, 3.0], &[4.0, 0.0, 1.0]);
        let y = l.forward(t(&[2, 3], vec![3.0, 2.0, 3.0, -1.0, 2.5, 5.0]), Mode::Infer).unwrap();
        // A zero variance divides by ε = 1e-7 (Keras's max(√v, ε)).
        assert_eq!(y.data(), &[1.0, 0.0, 0.0, -1.0, 0.5 / 1e-7, 2.0]);
        let mut inv = layer(true, &[-1.0], &[3], &[1.0, 2.0, 3.0], &[4.0, 0.0, 1.0]);
        let back = inv.forward(t(&[1, 3], vec![1.0, 0.0, 2.0]), Mode::Infer).unwrap();
        assert_eq!(back.data(), &[3.0, 2.0, 5.0]);
        let dx = l.backward(t(&[1, 3], vec![2.0, 1.0, 1.0])).unwrap();
        assert_eq!(dx.data(), &[1.0, 1.0 / 1e-7, 1.0]);
    }

    #[test]
    fn kept_axes_index_the_statistics() {
        // [2, 3] samples keeping axis 1 (the rows): statistic by row.
        let mut l = layer(false, &[1.0], &[2, 3], &[10.0, 20.0], &[1.0, 4.0]);
        let y = l.forward(t(&[1, 2, 3], vec![10.0, 11.0, 12.0, 20.0, 22.0, 24.0]), Mode::Infer).unwrap();
        assert_eq!(y.data(), &[0.0, 1.0, 2.0, 0.0, 1.0, 2.0]);
        // No kept axis: one scalar pair.
        let mut s = layer(false, &[], &[2, 2], &[1.0], &[4.0]);
        let y = s.forward(t(&[1, 2, 2], vec![1.0, 3.0, 5.0, -1.0]), Mode::Infer).unwrap();
        assert_eq!(y.data(), &[0.0, 1.0, 2.0, -1.0]);
        // Both axes of [2, 2]: one statistic per value.
        let mut b = layer(false, &[2.0, 1.0], &[2, 2], &[0.0, 1.0, 2.0, 3.0], &[1.0; 4]);
        let y = b.forward(t(&[1, 2, 2], vec![0.0, 0.0, 0.0, 0.0]), Mode::Infer).unwrap();
        assert_eq!(y.data(), &[0.0, -1.0, -2.0, -3.0]);
    }

    #[test]
    fn refuses_unadapted_use_and_the_batch_axis() {
        let mut l = Normalization::from_abi(&[0.0, 1.0, -1.0]).unwrap();
        l.build(&[2], Init::seeded(0)).unwrap();
        let err = l.forward(t(&[1, 2], vec![0.0, 1.0]), Mode::Infer).unwrap_err().to_string();
        assert!(err.contains("adapt"), "{err}");
        let mut b = Normalization::from_abi(&[0.0, 1.0, 0.0]).unwrap();
        assert!(b.build(&[2], Init::seeded(0)).unwrap_err().to_string().contains("batch axis"));
        let mut o = Normalization::from_abi(&[0.0, 1.0, 3.0]).unwrap();
        assert!(o.build(&[2], Init::seeded(0)).unwrap_err().to_string().contains("out of range"));
    }
}
