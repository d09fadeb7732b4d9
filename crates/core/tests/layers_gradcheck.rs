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
    check(&spec, Loss::SparseCategoricalCrossentropy { from_logits: false, ignore_class: None }, random(&[3, 5], 4), sparse);
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
    let spec = [(0, dense(4, LINEAR, [0.0, 0.0])), (2, vec![2.0, 0.25, 0.0, 0.0, 0.0, 0.0]), (0, dense(2, LINEAR, [0.0, 0.0]))];
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
    tr.cfg.optimizer = Optimizer::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weight_decay: 0.0 };
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

/// `dense` parameters with the `klSparsity(target, weight)` activity regularizer appended.
fn dense_kl(units: usize, act: f32, target: f32, weight: f32) -> Vec<f32> {
    let mut p = dense(units, act, [0.0, 0.0]);
    p.extend([target, weight]);
    p
}

#[test]
fn kl_sparsity_activity_regularizer() {
    const HARD_SIGMOID: f32 = 16.0;
    let spec = [(0, dense_kl(4, SIGMOID, 0.2, 1.5)), (0, dense(2, LINEAR, [0.0, 0.0]))];
    check(&spec, Loss::MeanSquaredError, random(&[5, 3], 20), random(&[5, 2], 21));
    // With the fused sigmoid + BCE on the regularized layer itself (the fused path used to skip
    // activity-regularizer gradients, also L1/L2), and softmax codes.
    let y = Tensor::new("t", [3, 3].into(), vec![1., 0., 1., 0., 1., 0., 0.5, 0.5, 1.]).unwrap();
    let bce = Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 };
    check(&[(0, dense_kl(3, SIGMOID, 0.1, 3.0))], bce, random(&[3, 4], 22), y.clone());
    check(&[(0, dense(3, SIGMOID, [0.02, 0.05]))], bce, random(&[3, 4], 22), y);
    let spec = [(0, dense_kl(3, SOFTMAX, 0.3, 0.5)), (0, dense(2, LINEAR, [0.0, 0.0]))];
    check(&spec, Loss::MeanSquaredError, random(&[4, 3], 23), random(&[4, 2], 24));
    let spec = [(0, dense_kl(3, HARD_SIGMOID, 0.3, 0.5)), (0, dense(2, LINEAR, [0.0, 0.0]))];
    let mut x = random(&[4, 3], 25);
    x.data_mut().iter_mut().for_each(|v| *v *= 0.3);
    check(&spec, Loss::MeanSquaredError, x, random(&[4, 2], 26));
}

#[test]
fn kl_sparsity_on_an_unbounded_activation_is_an_error() {
    const RELU: f32 = 5.0;
    for (act, name) in [(RELU, "relu"), (LINEAR, "linear"), (TANH, "tanh")] {
        let e = layers::from_abi(0, &dense_kl(3, act, 0.05, 3.0), 0).err().unwrap().to_string();
        assert_eq!(e, format!("dense: activityRegularizer klSparsity needs activations in (0, 1), but the activation is {name}; use 'sigmoid', 'hardSigmoid' or 'softmax'"));
    }
    let e = layers::from_abi(0, &dense_kl(3, SIGMOID, 0.05, -1.0), 0).err().unwrap().to_string();
    assert_eq!(e, "klSparsity: weight must be a finite number >= 0, got -1");
}

/// ε is fixed by the seed and step, which `Trainer::gradients` does not advance, so the loss
/// is a smooth function of the weights and the input through the reparameterisation.
#[test]
fn variational_layer_through_the_sample_and_the_kl() {
    let spec = [(0, dense(4, TANH, [0.0, 0.0])), (11, vec![3.0, 0.7]), (0, dense(2, LINEAR, [0.0, 0.0]))];
    check(&spec, Loss::MeanSquaredError, random(&[4, 3], 30), random(&[4, 2], 31));
    // First layer (dL/dx through both heads) and a sigmoid decoder with summed BCE.
    let y = Tensor::new("t", [3, 4].into(), vec![1., 0., 1., 0., 0., 1., 0.5, 0.2, 1., 1., 0., 0.]).unwrap();
    let spec = [(11, vec![2.0, 1.0]), (0, dense(4, SIGMOID, [0.0, 0.0]))];
    let mut m = model(&spec, &[3]);
    let mut tr = trainer(Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 });
    tr.cfg.reduction = neurite_core::losses::Reduction::SumOverFeatures;
    check_gradients(&mut m, &mut tr, &random(&[3, 3], 32), &y, 3e-3, 3e-2, "vae");
    // The reported parts add up: total = data + kl.
    let (r, _) = tr.gradients(&mut m, random(&[3, 3], 32), &y).unwrap();
    assert!(r.kl > 0.0 && r.regularization == 0.0);
}

#[test]
fn salt_and_pepper_passes_gradients_only_through_kept_inputs() {
    let spec = [(10, vec![0.4, 0.0, 1.0]), (0, dense(3, TANH, [0.0, 0.0])), (0, dense(2, LINEAR, [0.0, 0.0]))];
    check(&spec, Loss::MeanSquaredError, random(&[4, 5], 40), random(&[4, 2], 41));
}

#[test]
fn sum_over_features_reduction_scales_every_path() {
    use neurite_core::losses::Reduction;
    type Case = (Vec<(u32, Vec<f32>)>, Loss, Tensor);
    let cases: Vec<Case> = vec![
        // Fused sigmoid + BCE.
        (vec![(0, dense(3, TANH, [0.0, 0.0])), (0, dense(4, SIGMOID, [0.0, 0.0]))], Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.1 }, Tensor::new("t", [3, 4].into(), vec![1., 0., 1., 0., 0., 1., 0.5, 0.2, 1., 1., 0., 0.]).unwrap()),
        // Unfused MSE.
        (vec![(0, dense(4, LINEAR, [0.0, 0.0]))], Loss::MeanSquaredError, random(&[3, 4], 50)),
        // Fused softmax + CCE (already a sum over classes).
        (vec![(0, dense(4, SOFTMAX, [0.0, 0.0]))], Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 }, Tensor::new("t", [3, 4].into(), vec![1., 0., 0., 0., 0., 1., 0., 0., 0., 0., 0.5, 0.5]).unwrap()),
    ];
    for (spec, loss, y) in cases {
        let x = random(&[3, 3], 51);
        let mut m = model(&spec, &[3]);
        let mut tr = trainer(loss);
        let mean = tr.gradients(&mut m, x.clone(), &y).unwrap().0.loss;
        tr.cfg.reduction = Reduction::SumOverFeatures;
        let sum = tr.gradients(&mut m, x.clone(), &y).unwrap().0.loss;
        let factor = if matches!(loss, Loss::CategoricalCrossentropy { .. }) { 1.0 } else { 4.0 };
        assert!((sum - factor * mean).abs() < 1e-5 * sum.abs().max(1.0), "{}: {sum} vs {factor}·{mean}", loss.name());
        check_gradients(&mut m, &mut tr, &x, &y, 3e-3, 3e-2, loss.name());
    }
}
