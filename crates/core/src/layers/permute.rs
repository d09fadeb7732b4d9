//! `permute`: the non-batch axes of each sample reordered (TF.js's and Keras's `Permute`):
//! `dims` is a permutation of `1..=rank` (1-based, the batch axis stays first), and output
//! axis `i` (from 1) is input axis `dims[i − 1]`.
//!
//! The `transpose` op with the permutation `[0, dims…]`; backward is transpose's rule (`dy`
//! transposed by the inverse permutation).

use super::{no_forward, Init, Layer, Mode};
use crate::config::Reader;
use crate::ops::transpose::{permute, transpose_backward};
use crate::{bail, Result, Shape, Tensor};

pub struct Permute {
    /// The permutation of the whole batch, `[0, dims…]` (0-based).
    perm: Vec<usize>,
    /// Per-sample input shape, once built.
    input: Option<Vec<usize>>,
    kept: bool,
}

impl Permute {
    /// Layout: `rank, dims…` (a permutation of `1..=rank`, 1 ≤ rank ≤ 31).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<Permute> {
        let mut r = Reader::new("permute", p);
        let n = r.usize("rank")?;
        if n == 0 || n > 31 {
            bail!("permute", "dims must list 1 to 31 axes, got {n}");
        }
        let dims = r.slice(n, "dims")?;
        let mut perm = vec![0usize];
        for &d in dims {
            let ok = d.fract() == 0.0 && d >= 1.0 && d <= n as f32;
            if !ok || perm.contains(&(d as usize)) {
                bail!("permute", "dims {} must be a permutation of 1..{n} (the non-batch axes, counted from 1)", crate::error::js_numbers(dims));
            }
            perm.push(d as usize);
        }
        Ok(Permute { perm, input: None, kept: false })
    }
}

impl Layer for Permute {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "permute"
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        Some(self.build(input, Init { seed: 0, fill: false }))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], _init: Init) -> Result<Vec<usize>> {
        let n = self.perm.len() - 1;
        if input.len() != n {
            bail!("permute", "dims has {n} entries but the per-sample input shape {} has {} axes; dims needs one per non-batch axis", Shape::from(input), input.len());
        }
        self.input = Some(input.to_vec());
        Ok(self.perm[1..].iter().map(|&d| input[d - 1]).collect())
    }

    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let input = self.input.as_deref().ok_or_else(|| no_forward("permute"))?;
        if x.rank() != input.len() + 1 || &x.dims()[1..] != input {
            bail!("permute", "input has shape {} but the layer was built for per-sample shape {}", x.shape(), Shape::from(input));
        }
        self.kept = mode.keeps();
        permute("permute", &x, &self.perm)
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        if !std::mem::take(&mut self.kept) {
            return Err(no_forward("permute"));
        }
        let perm: Vec<i64> = self.perm.iter().map(|&p| p as i64).collect();
        transpose_backward(Some(&perm), perm.len(), &dy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_the_sample_axes_and_back() {
        let mut l = Permute::from_abi(&[3.0, 3.0, 1.0, 2.0]).unwrap();
        assert_eq!(l.build(&[2, 3, 4], Init::seeded(0)).unwrap(), vec![4, 2, 3]);
        let x = Tensor::new("t", Shape::from([2, 2, 3, 4]), (0..48).map(|i| i as f32).collect()).unwrap();
        let y = l.forward(x.clone(), Mode::Trace).unwrap();
        assert_eq!(y.dims(), &[2, 4, 2, 3]);
        // By the definition: y[b, k, i, j] = x[b, i, j, k].
        for b in 0..2 {
            for i in 0..2 {
                for j in 0..3 {
                    for k in 0..4 {
                        assert_eq!(y.data()[((b * 4 + k) * 2 + i) * 3 + j], x.data()[((b * 2 + i) * 3 + j) * 4 + k]);
                    }
                }
            }
        }
        // Backward of a permutation is its inverse: dL/dx of Σ g·y puts g back in x's layout.
        assert_eq!(l.backward(y).unwrap().data(), x.data());
    }

    #[test]
    fn dims_must_be_a_permutation_of_the_sample_axes() {
        for bad in [&[2.0, 1.0, 1.0][..], &[2.0, 0.0, 1.0], &[2.0, 1.0, 3.0], &[2.0, 1.5, 2.0]] {
            let e = Permute::from_abi(bad).err().unwrap().to_string();
            assert!(e.starts_with("permute: dims [") && e.contains("must be a permutation of 1..2"), "{e}");
        }
        let e = Permute::from_abi(&[2.0, 2.0, 1.0]).unwrap().build(&[3], Init::seeded(0)).unwrap_err().to_string();
        assert_eq!(e, "permute: dims has 2 entries but the per-sample input shape [3] has 1 axes; dims needs one per non-batch axis");
    }
}
