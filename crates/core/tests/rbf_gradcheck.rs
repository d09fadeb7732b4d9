//! Finite-difference gradient checks for the `rbf` layer through the real training path
//! (`Trainer::gradients`): centers, widths, the dense output layer after it and `dL/dx`,
//! against central differences of the loss, for each of the three kernels.

use neurite_core::layers::dense::{Dense, DenseConfig};
use neurite_core::layers::rbf::{Rbf, RbfConfig};
use neurite_core::losses::Loss;
use neurite_core::model::{Sequential, TrainConfig, Trainer};
use neurite_core::optim::{LrSchedule, Optimizer};
use neurite_core::rng::Philox;
use neurite_core::{Shape, Tensor};

fn random(shape: &[usize], seed: u64) -> Tensor {
    let mut rng = Philox::new(seed, 0);
    let n: usize = shape.iter().product();
    Tensor::new("t", Shape::from(shape), (0..n).map(|_| rng.normal_f32()).collect()).unwrap()
}

/// `[rbf(units, kernel, random-uniform centers in [-1, 1], widths 0.8..1.6), dense(2)]`.
fn model(kernel: u32, units: usize, input: usize) -> Sequential {
    let mut p = vec![units as f32, kernel as f32, 0.0, units as f32];
    p.extend((0..units).map(|j| 0.8 + 0.8 * j as f32 / units as f32));
    p.extend_from_slice(&[3.0, -1.0, 1.0]);
    // dense: units 2, bias, linear, glorotUniform kernel, randomNormal(0, 0.3) bias, no regularizers.
    let dense = [2.0, 1.0, 0.0, 0.0, 6.0, 0.0, 0.0, 4.0, 0.0, 0.3, 0., 0., 0., 0., 0., 0.];
    let mut m = Sequential::new(5);
    m.add(Box::new(Rbf::new(RbfConfig::from_abi(&p).unwrap()))).unwrap();
    m.add(Box::new(Dense::new(DenseConfig::from_abi(&dense).unwrap()))).unwrap();
    m.build_all(&[input]).unwrap();
    m
}

fn check(kernel: u32) {
    let x = random(&[4, 3], 1 + u64::from(kernel));
    let y = random(&[4, 2], 10 + u64::from(kernel));
    let mut m = model(kernel, 5, 3);
    let cfg = TrainConfig {
        loss: Loss::MeanSquaredError,
        optimizer: Optimizer::Sgd { momentum: 0.0, nesterov: false },
        schedule: LrSchedule::constant(0.1),
        clip: None,
        metrics: vec![],
    };
    let mut tr = Trainer::new(cfg, 7);
    let (_, dx) = tr.gradients(&mut m, x.clone(), &y).unwrap();
    let analytic: Vec<Vec<f32>> = m.params_with_layer().iter().map(|(_, p)| p.grad.clone()).collect();
    assert_eq!(analytic.len(), 4, "centers, widths, kernel, bias");
    let eps = 1e-2f32;
    let close = |a: f32, n: f32, what: &str| {
        assert!((a - n).abs() <= 2e-3 + 2e-2 * n.abs(), "kernel {kernel}, {what}: analytic {a} vs numeric {n}");
    };
    let mut loss_at = |m: &mut Sequential, x: &Tensor| tr.gradients(m, x.clone(), &y).unwrap().0.loss;
    for (pi, grads) in analytic.iter().enumerate() {
        for (i, &g) in grads.iter().enumerate() {
            let bump = |m: &mut Sequential, d: f32| m.params_with_layer()[pi].1.value.data_mut()[i] += d;
            bump(&mut m, eps);
            let up = loss_at(&mut m, &x);
            bump(&mut m, -2.0 * eps);
            let down = loss_at(&mut m, &x);
            bump(&mut m, eps);
            close(g, (up - down) / (2.0 * eps), &format!("param {pi}[{i}]"));
        }
    }
    for i in 0..x.size() {
        let mut xp = x.clone();
        xp.data_mut()[i] += eps;
        let up = loss_at(&mut m, &xp);
        xp.data_mut()[i] -= 2.0 * eps;
        let down = loss_at(&mut m, &xp);
        close(dx.data()[i], (up - down) / (2.0 * eps), &format!("x[{i}]"));
    }
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
