//! Tensor operations: validate → allocate → kernel. One file per concept.

pub mod binary;
pub mod matmul;
pub mod reduce;
pub mod reshape;
pub mod transpose;
pub mod unary;
