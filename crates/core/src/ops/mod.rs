//! Tensor operations: validate → allocate → kernel. One file per concept.

pub mod affine;
pub mod binary;
pub mod broadcast;
pub mod clip;
pub mod concat;
pub mod cumsum;
pub mod gather;
pub mod matmul;
pub mod one_hot;
pub mod pad;
pub mod random;
pub mod reduce;
pub mod reshape;
pub mod reverse;
pub mod select;
pub mod slice;
pub mod split;
pub mod squeeze;
pub mod tile;
pub mod transpose;
pub mod unary;
