//! Training-state invariants of `Sequential` + `Trainer`: frozen layers (nested ones too) are
//! not updated, optimizer state follows its parameter when layers are frozen between steps, a
//! non-finite gradient updates nothing, and `evaluate` reports activity penalties as Keras does.

use neurite_core::layers;
use neurite_core::losses::Loss;
use neurite_core::model::{Sequential, TrainConfig, Trainer};
use neurite_core::optim::{LrSchedule, Optimizer};
use neurite_core::{Shape, Tensor};

const LINEAR: f32 = 0.0;
const TANH: f32 = 9.0;
const GLOROT_UNIFORM: f32 = 6.0;

/// `dense` parameters: units, bias, activation, glorot kernel, zero bias, no weight
/// regularizers, activity regularizer (l1, l2).
fn dense(units: usize, act: f32, activity: [f32; 2]) -> Vec<f32> {
    vec![units as f32, 1.0, act, 0.0, GLOROT_UNIFORM, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., activity[0], activity[1]]
}

fn t(shape: &[usize], v: Vec<f32>) -> Tensor {
    Tensor::new("t", Shape::from(shape), v).unwrap()
}

fn data() -> (Tensor, Tensor) {
    let x = t(&[4, 2], vec![0.5, -1.0, 1.5, 0.2, -0.3, 0.8, 1.0, 1.0]);
    let y = t(&[4, 2], vec![0.1, 0.9, -0.5, 0.3, 0.7, -0.2, 0.0, 0.4]);
    (x, y)
}

fn trainer(optimizer: Optimizer, lr: f32) -> Trainer {
    Trainer::new(TrainConfig { loss: Loss::MeanSquaredError, reduction: Default::default(), optimizer, schedule: LrSchedule::constant(lr), clip: None, metrics: vec![], weighted: vec![], heads: vec![] }, 3)
}

fn stack(n: usize, act: f32, activity: [f32; 2]) -> Sequential {
    let mut m = Sequential::new(5);
    for i in 0..n {
        m.add(layers::from_abi(0, &dense(2, act, activity), i as u32).unwrap()).unwrap();
    }
    m
}

fn values(m: &Sequential) -> Vec<Vec<f32>> {
    m.param_values().unwrap().iter().map(|(v, _)| v.data().to_vec()).collect()
}

#[test]
fn frozen_layers_inside_a_nested_model_are_not_updated() {
    let inner = stack(2, TANH, [0.0; 2]);
    let mut m = Sequential::new(1);
    m.add(neurite_core::model::shared(inner)).unwrap();
    m.add(layers::from_abi(0, &dense(2, TANH, [0.0; 2]), 1).unwrap()).unwrap();
    m.build_all(&[2]).unwrap();
    // Depth-first indices: 0 the nested model, 1 and 2 its layers, 3 the last dense.
    m.set_trainable(1, false).unwrap();
    assert_eq!(m.params_updated().unwrap(), [false, false, true, true, true, true]);
    assert_eq!(m.flat_len(), 4);
    assert!(m.set_trainable(4, false).unwrap_err().to_string().contains("layer index 4 is out of range for 4 layers"));
    let (x, y) = data();
    let mut tr = trainer(Optimizer::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weight_decay: 0.0 }, 0.1);
    let before = values(&m);
    tr.train_on(&mut m, x.clone(), &y).unwrap();
    let after = values(&m);
    let moved: Vec<bool> = before.iter().zip(&after).map(|(a, b)| a != b).collect();
    assert_eq!(moved, [false, false, true, true, true, true]);
    // Freezing the nested model as a whole.
    m.set_trainable(1, true).unwrap();
    m.set_trainable(0, false).unwrap();
    assert_eq!(m.params_updated().unwrap(), [false, false, false, false, true, true]);
}

#[test]
fn optimizer_state_stays_with_its_parameter_when_a_layer_is_frozen_between_steps() {
    // Two layers with equal shapes: a state indexed by position among the *updated* parameters
    // would hand layer 0's momentum to layer 1 once layer 0 is frozen.
    let mut m = stack(2, TANH, [0.0; 2]);
    m.build_all(&[2]).unwrap();
    let (x, y) = data();
    let (lr, mu) = (0.1f32, 0.9f32);
    let mut tr = trainer(Optimizer::Sgd { momentum: mu, nesterov: false, weight_decay: 0.0 }, lr);
    tr.train_on(&mut m, x.clone(), &y).unwrap();
    let g1 = m.param_values().unwrap()[2].1.clone();
    m.set_trainable(0, false).unwrap();
    let w1 = m.param_values().unwrap()[2].0.data().to_vec();
    tr.train_on(&mut m, x.clone(), &y).unwrap();
    let g2 = m.param_values().unwrap()[2].1.clone();
    let w2 = m.param_values().unwrap()[2].0.data().to_vec();
    for k in 0..w1.len() {
        // TF.js momentum: a ← μ·a + g, p ← p − η·a.
        let want = w1[k] - lr * (mu * g1[k] + g2[k]);
        assert!((w2[k] - want).abs() < 1e-6, "kernel[{k}]: {} vs {want}", w2[k]);
    }
}

#[test]
fn a_non_finite_gradient_updates_nothing() {
    let mut m = stack(2, LINEAR, [0.0; 2]);
    m.build_all(&[2]).unwrap();
    let mut tr = trainer(Optimizer::Sgd { momentum: 0.0, nesterov: false, weight_decay: 0.0 }, 0.1);
    let before = values(&m);
    let x = t(&[1, 2], vec![1.0, f32::MAX]);
    let y = t(&[1, 2], vec![0.0, 0.0]);
    let err = tr.train_on(&mut m, x, &y).unwrap_err();
    assert_eq!(err.status(), neurite_core::Status::NonFinite, "its own status, not an argument error");
    let err = err.to_string();
    assert!(err.contains("is not finite (NaN or Infinity) at step 1"), "{err}");
    assert_eq!(values(&m), before);
    assert_eq!(tr.step, 0);
}

#[test]
fn evaluate_reports_the_activity_penalty_beside_the_loss() {
    let (l1, l2) = (0.05f32, 0.02f32);
    let mut m = stack(2, TANH, [l1, l2]);
    m.build_all(&[2]).unwrap();
    let (x, y) = data();
    let tr = trainer(Optimizer::Sgd { momentum: 0.0, nesterov: false, weight_decay: 0.0 }, 0.1);
    // Without dropout a training forward equals inference, so the losses agree: training's
    // is the data loss plus the penalty; evaluate's (as TF.js's) the data loss, with the
    // penalty reported as regularization.
    let mut tr2 = trainer(Optimizer::Sgd { momentum: 0.0, nesterov: false, weight_decay: 0.0 }, 0.1);
    let (train, _) = tr2.gradients(&mut m, x.clone(), &y).unwrap();
    let pred = m.predict(&x, 4).unwrap();
    let data_loss = Loss::MeanSquaredError.forward(pred.data(), y.data(), 4, 2);
    for bs in [1, 3, 4] {
        let eval = tr.evaluate(&mut m, &x, &y, bs).unwrap();
        assert!((eval.loss - data_loss).abs() < 1e-5, "batch size {bs}: {} vs {}", eval.loss, data_loss);
        assert!((eval.loss + eval.regularization - train.loss).abs() < 1e-5, "batch size {bs}: {} + {} vs {}", eval.loss, eval.regularization, train.loss);
    }
    assert!(train.loss > data_loss + 1e-3);
}
