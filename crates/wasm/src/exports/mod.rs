//! All `#[no_mangle]` exports, grouped by concept.

pub mod activations;
pub mod autoencoder;
pub mod classic;
pub mod compression;
pub mod constraints;
pub mod conv;
pub mod decomposition;
pub mod graph;
pub mod image;
pub mod linalg;
pub mod meta;
pub mod model;
pub mod ops;
pub mod random;
pub mod resize;
pub mod shape;
pub mod tape;
pub mod tensor;
pub mod threads;
pub mod train_fns;
