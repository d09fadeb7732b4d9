//! Finite-difference gradient checks for every layer, through the real training path
//! (`Trainer::gradients`): parameter gradients and `dL/dx` against central differences of
//! the loss, for smooth activations, the fused softmax/sigmoid + cross-entropy paths,
//! regularized activity, dropout (fixed mask per step) and the normalization layers.

mod common;

use common::{check_gradients, random, trainer};
use neurite_core::layers;
use neurite_core::losses::Loss;
use neurite_core::model::Sequential;
use neurite_core::optim::{LrSchedule, Optimizer};
use neurite_core::Tensor;

const LINEAR: f32 = 0.0;
const SIGMOID: f32 = 8.0;
const TANH: f32 = 9.0;
const SOFTMAX: f32 = 10.0;
const ELU: f32 = 12.0;
const RANDOM_NORMAL: f32 = 4.0;
const GLOROT_UNIFORM: f32 = 6.0;

/// `dense` parameters: units, useBias, activation, kernel/bias initializers, no weight
/// regularizers, activity regularizer (l1, l2).
fn dense(units: usize, act: f32, activity: [f32; 2]) -> Vec<f32> {
    vec![units as f32, 1.0, act, 0.0, GLOROT_UNIFORM, 0.0, 0.0, RANDOM_NORMAL, 0.0, 0.3, 0., 0., 0., 0., activity[0], activity[1]]
}

/// Builds a model from `(kind, params)` layers for per-sample input `input`.
fn model(spec: &[(u32, Vec<f32>)], input: &[usize]) -> Sequential {
    let mut m = Sequential::new(11);
    for (i, (kind, p)) in spec.iter().enumerate() {
        m.add(layers::from_abi(*kind, p, i as u32).unwrap()).unwrap();
    }
    m.build_all(input).unwrap();
    m
}

/// Checks analytic gradients against central differences for every parameter entry and
/// every input entry.
fn check(spec: &[(u32, Vec<f32>)], loss: Loss, x: Tensor, y: Tensor) {
    let input = x.dims()[1..].to_vec();
    let mut m = model(spec, &input);
    check_gradients(&mut m, &mut trainer(loss), &x, &y, 3e-3, 3e-2, "layers");
}

#[test]
fn dense_stack_with_smooth_activations_and_mse() {
    let spec = [(0, dense(5, TANH, [0.0, 0.0])), (0, dense(4, ELU, [0.0, 0.0])), (0, dense(3, LINEAR, [0.0, 0.0]))];
    check(&spec, Loss::MeanSquaredError, random(&[4, 3], 1), random(&[4, 3], 2));
}

#[test]
fn fused_softmax_categorical_crossentropy() {
    let y = Tensor::new("t", [3, 4].into(), vec![1., 0., 0., 0., 0., 0., 1., 0., 0., 1., 0., 0.]).unwrap();
    let spec = [(0, dense(6, TANH, [0.0, 0.0])), (0, dense(4, SOFTMAX, [0.0, 0.0]))];
    check(&spec, Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.1 }, random(&[3, 5], 3), y);
    let sparse = Tensor::new("t", [3].into(), vec![2., 0., 3.]).unwrap();
    check(&spec, Loss::SparseCategoricalCrossentropy { from_logits: false }, random(&[3, 5], 4), sparse);
}

#[test]
fn fused_sigmoid_binary_crossentropy() {
    let y = Tensor::new("t", [4, 2].into(), vec![1., 0., 0., 1., 1., 1., 0., 0.]).unwrap();
    let spec = [(0, dense(3, TANH, [0.0, 0.0])), (0, dense(2, SIGMOID, [0.0, 0.0]))];
    check(&spec, Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 }, random(&[4, 3], 5), y);
}

#[test]
fn activity_regularizer_and_activation_layer() {
    let spec = [(0, dense(4, LINEAR, [0.0, 0.05])), (1, vec![TANH, 0.0]), (0, dense(2, LINEAR, [0.0, 0.0]))];
    check(&spec, Loss::MeanSquaredError, random(&[3, 3], 6), random(&[3, 2], 7));
}

#[test]
fn prelu_layer() {
    // alpha initialised to constant 0.25; inputs away from the kink at 0.
    let spec = [(0, dense(4, LINEAR, [0.0, 0.0])), (2, vec![2.0, 0.25, 0.0, 0.0, 0.0]), (0, dense(2, LINEAR, [0.0, 0.0]))];
    check(&spec, Loss::MeanSquaredError, random(&[3, 3], 8), random(&[3, 2], 9));
}

#[test]
fn dropout_uses_a_fixed_mask_within_a_step() {
    let spec = [(0, dense(6, TANH, [0.0, 0.0])), (3, vec![0.4]), (0, dense(2, LINEAR, [0.0, 0.0]))];
    check(&spec, Loss::MeanSquaredError, random(&[3, 3], 10), random(&[3, 2], 11));
}

#[test]
fn batch_and_layer_normalization() {
    let bn = [(0, dense(4, LINEAR, [0.0, 0.0])), (5, vec![0.9, 1e-3, 1.0, 1.0]), (0, dense(2, TANH, [0.0, 0.0]))];
    check(&bn, Loss::MeanSquaredError, random(&[5, 3], 12), random(&[5, 2], 13));
    let ln = [(0, dense(4, LINEAR, [0.0, 0.0])), (6, vec![1e-3, 1.0, 1.0]), (0, dense(2, TANH, [0.0, 0.0]))];
    check(&ln, Loss::MeanSquaredError, random(&[3, 3], 14), random(&[3, 2], 15));
}

#[test]
fn reshape_and_flatten_are_transparent() {
    let spec = [(8, vec![2.0, 2.0, 3.0]), (7, vec![]), (0, dense(2, TANH, [0.0, 0.0]))];
    check(&spec, Loss::MeanSquaredError, random(&[2, 6], 16), random(&[2, 2], 17));
}

#[test]
fn xor_trains_to_zero_error() {
    let x = Tensor::new("x", [4, 2].into(), vec![0., 0., 0., 1., 1., 0., 1., 1.]).unwrap();
    let y = Tensor::new("y", [4, 1].into(), vec![0., 1., 1., 0.]).unwrap();
    let mut m = model(&[(0, dense(8, TANH, [0.0, 0.0])), (0, dense(1, SIGMOID, [0.0, 0.0]))], &[2]);
    let mut tr = trainer(Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 });
    tr.cfg.optimizer = Optimizer::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false };
    tr.cfg.schedule = LrSchedule::constant(0.05);
    let idx = [0u32, 1, 2, 3];
    for _ in 0..400 {
        tr.train_batch(&mut m, &x, &y, &idx).unwrap();
    }
    let p = m.predict(&x, 4).unwrap();
    for (pv, t) in p.data().iter().zip([0., 1., 1., 0.]) {
        assert!((pv - t).abs() < 0.2, "prediction {pv} for target {t}");
    }
}
