//! Finite-difference gradient checks for the `rbf` layer through the real training path
//! (`Trainer::gradients`): centers, widths, the dense output layer after it and `dL/dx`,
//! against central differences of the loss, for each of the three kernels.

use neurite_core::layers::dense::{Dense, DenseConfig};
use neurite_core::layers::rbf::{Rbf, RbfConfig};
mod common;

use common::{check_gradients, random, trainer};
use neurite_core::losses::Loss;
use neurite_core::model::Sequential;

/// `[rbf(units, kernel, random-uniform centers in [-1, 1], widths 0.8..1.6), dense(2)]`.
fn model(kernel: u32, units: usize, input: usize) -> Sequential {
    let mut p = vec![units as f32, kernel as f32, 0.0, units as f32];
    p.extend((0..units).map(|j| 0.8 + 0.8 * j as f32 / units as f32));
    p.extend_from_slice(&[3.0, -1.0, 1.0]);
    // dense: units 2, bias, linear, glorotUniform kernel, randomNormal(0, 0.3) bias, no regularizers.
    let dense = [2.0, 1.0, 0.0, 0.0, 6.0, 0.0, 0.0, 4.0, 0.0, 0.3, 0., 0., 0., 0., 0., 0.];
    let mut m = Sequential::new(5);
    m.add(neurite_core::model::shared(Rbf::new(RbfConfig::from_abi(&p).unwrap()))).unwrap();
    m.add(neurite_core::model::shared(Dense::new(DenseConfig::from_abi(&dense).unwrap()))).unwrap();
    m.build_all(&[input]).unwrap();
    m
}

fn check(kernel: u32) {
    let x = random(&[4, 3], 1 + u64::from(kernel));
    let y = random(&[4, 2], 10 + u64::from(kernel));
    let mut m = model(kernel, 5, 3);
    assert_eq!(m.param_values().unwrap().len(), 4, "centers, widths, kernel, bias");
    check_gradients(&mut m, &mut trainer(Loss::MeanSquaredError), &x, &y, 2e-3, 2e-2, &format!("kernel {kernel}"));
}

#[test]
fn gaussian() {
    check(0);
}

#[test]
fn multiquadric() {
    check(1);
}

#[test]
fn inverse_multiquadric() {
    check(2);
}
