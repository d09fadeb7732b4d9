//! Classic networks from first principles: the single neuron, Rosenblatt's perceptron, and the
//! pieces of a radial-basis-function network's two-stage fit (k-means centers, nearest-center
//! widths, a regularized least-squares output layer). The RBF layer itself is
//! [`crate::layers::rbf`].
//!
//! Each file holds one concept with its math, its errors and its tests.

pub mod kmeans;
pub mod least_squares;
pub mod neuron;
pub mod perceptron;
pub mod widths;
