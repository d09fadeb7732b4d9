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

    /// A tensor of `dims` holding 0, 1, 2, … (distinct values, so a misplaced one shows).
    pub fn iota(dims: &[usize]) -> Tensor {
        let n = dims.iter().product::<usize>();
        Tensor::new("t", dims.into(), (0..n).map(|v| v as f32).collect()).unwrap()
    }
}
