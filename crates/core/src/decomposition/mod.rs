//! Linear dimensionality reduction: principal component analysis on a symmetric eigen-solver,
//! both in f64. The linear baseline the autoencoders of issue 9 are compared against.

pub mod eigen;
pub mod pca;
