//! Tensor operations: validate → allocate → kernel. One file per concept.

pub mod affine;
pub mod binary;
pub mod broadcast;
pub mod clip;
pub mod concat;
pub mod conv;
pub mod cumprod;
pub mod cumsum;
pub mod depthwise;
pub mod gather;
pub mod matmul;
pub mod mirror_pad;
pub mod one_hot;
pub mod pad;
pub mod pool;
pub mod random;
pub mod reduce;
pub mod reshape;
pub mod resize;
pub mod reverse;
pub mod segment_sum;
pub mod select;
pub mod slice;
pub mod split;
pub mod squeeze;
pub mod tile;
pub mod topk;
pub mod transpose;
pub mod unary;
pub mod window;

/// Helpers shared by the ops' unit tests.
#[cfg(test)]
pub(crate) mod test_util {
    use crate::Tensor;

    /// A tensor of `dims` holding `v`.
    pub fn t(dims: &[usize], v: Vec<f32>) -> Tensor {
        Tensor::new("t", dims.into(), v).unwrap()
    }

    /// The row-major coordinates of flat index `i` in `dims`.
    pub fn coords(mut i: usize, dims: &[usize]) -> Vec<usize> {
        let mut c = vec![0; dims.len()];
        for (c, &d) in c.iter_mut().zip(dims).rev() {
            (*c, i) = (i % d, i / d);
        }
        c
    }

    /// The flat index of coordinates `c` in `dims`.
    pub fn flat(c: &[usize], dims: &[usize]) -> usize {
        c.iter().zip(dims).fold(0, |f, (&c, &d)| f * d + c)
    }

    /// Paddings for the copy paths of `pad` and `mirrorPad` on `dims`, each axis at most `max(d)`
    /// wide: none, all as wide as allowed, every axis but the last (whose rows are copied
    /// whole), and mixed with zeros.
    pub fn pad_cases(dims: &[usize], max: impl Fn(usize) -> usize) -> Vec<Vec<[i64; 2]>> {
        let last = dims.len() - 1;
        let case = |f: &dyn Fn(usize) -> [usize; 2]| dims.iter().enumerate().map(|(i, &d)| f(i).map(|p| p.min(max(d)) as i64)).collect();
        vec![
            case(&|_| [0, 0]),
            case(&|_| [usize::MAX, usize::MAX]),
            case(&|i| if i == last { [0, 0] } else { [1, 2] }),
            case(&|i| [i % 2, (i + 1) % 3]),
        ]
    }

    /// A tensor of `dims` holding 0, 1, 2, … (distinct values, so a misplaced one shows).
    pub fn iota(dims: &[usize]) -> Tensor {
        let n = dims.iter().product::<usize>();
        Tensor::new("t", dims.into(), (0..n).map(|v| v as f32).collect()).unwrap()
    }
}
