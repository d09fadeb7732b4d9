//! neurite-core: dense `f32` tensors, kernels and (later) autodiff, layers, losses and
//! optimizers, in pure safe Rust. It is tested natively with `cargo test`; the C ABI over it
//! lives in `crates/wasm`.
//!
//! ```
//! use neurite_core::{ops::matmul::matmul, Shape, Tensor};
//! let a = Tensor::new("doc", Shape::from([1, 2]), vec![1.0, 2.0]).unwrap();
//! let b = Tensor::new("doc", Shape::from([2, 1]), vec![3.0, 4.0]).unwrap();
//! assert_eq!(matmul(&a, &b, false, false).unwrap().data(), &[11.0]);
//! ```

// Cold code (codecs, PCA, classic models, image metrics, configs, the C ABI's glue) is
// compiled for size with `#[cfg_attr(target_arch = "wasm32", optimize(size))]` while the
// kernels and the training step keep opt-level 3 (see Cargo.toml; nightly feature, built
// with RUSTC_BOOTSTRAP like the rest of the wasm build).
#![cfg_attr(target_arch = "wasm32", feature(optimize_attribute))]
// The wasm wait/notify intrinsics (threaded build only; built with RUSTC_BOOTSTRAP).
#![cfg_attr(all(target_arch = "wasm32", target_feature = "atomics"), feature(stdarch_wasm_atomic_wait))]

pub mod activations;
pub mod autodiff;
pub mod classic;
pub mod compression;
pub mod config;
pub mod constraints;
pub mod decomposition;
pub mod error;
pub mod image;
pub mod initializers;
pub mod interrupt;
pub mod kernels;
pub mod layers;
pub mod linalg;
pub mod losses;
pub mod model;
pub mod ops;
pub mod optim;
pub mod parallel;
pub mod regularizers;
pub mod rng;
pub mod shape;
pub mod sort;
pub mod tensor;

pub use error::{Error, Result, Status};
pub use shape::Shape;
pub use tensor::Tensor;
