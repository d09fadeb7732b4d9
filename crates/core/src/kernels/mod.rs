//! Kernels: plain functions over slices. They never allocate and never validate shapes.

pub mod elementwise;
pub mod matmul;
