//! Kernels: plain functions over slices. They never allocate and never validate shapes.

pub mod broadcast_rows;
pub mod copy;
pub mod elementwise;
pub mod finite;
pub mod lerp;
pub mod matmul;
pub mod norm;
pub mod pow;
mod matmul_pack;
mod matmul_stream;
mod matmul_tile;
pub mod reduce;
pub mod reduce_columns;
pub mod reduce_rows;
pub mod transcendental;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128_matmul;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128_broadcast_rows;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128_elementwise;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128_lerp;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128_norm;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128_reduce;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128_reduce_rows;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128_transcendental;
