//! Shared by the integration tests: seeded random tensors, a plain SGD trainer, and the
//! finite-difference check of a model's gradients through the real training path.

use neurite_core::losses::Loss;
use neurite_core::model::{Sequential, TrainConfig, Trainer};
use neurite_core::optim::{LrSchedule, Optimizer};
use neurite_core::rng::Philox;
use neurite_core::{Shape, Tensor};

/// Standard normals of `shape` from `seed`.
pub fn random(shape: &[usize], seed: u64) -> Tensor {
    let mut rng = Philox::new(seed, 0);
    let n: usize = shape.iter().product();
    Tensor::new("t", Shape::from(shape), (0..n).map(|_| rng.normal_f32()).collect()).unwrap()
}

/// A trainer with `loss` and plain SGD (the checks never update).
pub fn trainer(loss: Loss) -> Trainer {
    let cfg = TrainConfig { loss, reduction: Default::default(), optimizer: Optimizer::Sgd { momentum: 0.0, nesterov: false, weight_decay: 0.0 }, schedule: LrSchedule::constant(0.1), clip: None, metrics: vec![], weighted: vec![], heads: vec![] };
    Trainer::new(cfg, 7)
}

/// Compares `Trainer::gradients` — every trainable parameter entry and every entry of
/// `dL/dx` — with central differences of the loss (step 1e-2), within `atol + rtol·|numeric|`.
/// `what` prefixes failure messages.
pub fn check_gradients(m: &mut Sequential, tr: &mut Trainer, x: &Tensor, y: &Tensor, atol: f32, rtol: f32, what: &str) {
    let (r0, dx) = tr.gradients(m, x.clone(), y).unwrap();
    assert!(r0.loss.is_finite(), "{what}: loss {}", r0.loss);
    let analytic: Vec<Vec<f32>> = m.with_params(|ps| ps.iter().filter(|s| s.param.trainable).map(|s| s.param.grad.clone()).collect()).unwrap();
    let eps = 1e-2f32;
    let close = |a: f32, n: f32, at: &str| {
        assert!((a - n).abs() <= atol + rtol * n.abs(), "{what}, {at}: analytic {a} vs numeric {n}");
    };
    let mut loss_at = |m: &mut Sequential, x: &Tensor| tr.gradients(m, x.clone(), y).unwrap().0.loss;
    for (pi, grads) in analytic.iter().enumerate() {
        for (i, &g) in grads.iter().enumerate() {
            let bump = |m: &mut Sequential, d: f32| {
                m.with_params(|ps| {
                    let mut ps: Vec<_> = ps.iter_mut().filter(|s| s.param.trainable).collect();
                    ps[pi].param.value.data_mut()[i] += d;
                })
                .unwrap();
            };
            bump(m, eps);
            let up = loss_at(m, x);
            bump(m, -2.0 * eps);
            let down = loss_at(m, x);
            bump(m, eps);
            close(g, (up - down) / (2.0 * eps), &format!("param {pi}[{i}]"));
        }
    }
    for i in 0..x.size() {
        let mut xp = x.clone();
        xp.data_mut()[i] += eps;
        let up = loss_at(m, &xp);
        xp.data_mut()[i] -= 2.0 * eps;
        let down = loss_at(m, &xp);
        close(dx.data()[i], (up - down) / (2.0 * eps), &format!("x[{i}]"));
    }
}
