//! Building without the initializers (`Sequential::build_unfilled`, what `loadModel` does
//! through `nr_model_build`) leaves the drawn weights zero, and once every weight is set, the
//! model trains and predicts bit-identically to one built with them and given the same
//! weights: skipping the draws shifts no random stream (dropout, noise, variational sampling).

use neurite_core::layers::{self, Mode};
use neurite_core::losses::Loss;
use neurite_core::model::{shared, Sequential, TrainConfig, Trainer};
use neurite_core::optim::{LrSchedule, Optimizer};
use neurite_core::{Shape, Tensor};

const TANH: f32 = 9.0;
const GLOROT_UNIFORM: f32 = 6.0;
const RANDOM_UNIFORM: f32 = 3.0;
const RANDOM_NORMAL: f32 = 4.0;

/// `dense` parameters: a glorot kernel and a randomNormal(0, 0.05) bias, so both are drawn.
fn dense(units: usize) -> Vec<f32> {
    vec![units as f32, 1.0, TANH, 0.0, GLOROT_UNIFORM, 0.0, 0.0, RANDOM_NORMAL, 0.0, 0.05, 0., 0., 0., 0., 0.0, 0.0]
}

/// `dense(6) → [nested: dense(5)] → prelu → batchNorm → gaussianNoise → dropout → layerNorm
/// → rbf(4, drawn centers) → variational(3) → dense(2)` on 3 inputs: every layer that draws
/// initial values or random masks.
fn model(seed: u64) -> Sequential {
    let mut inner = Sequential::new(9);
    inner.add(layers::from_abi(0, &dense(5), 0).unwrap()).unwrap();
    let specs: [(u32, Vec<f32>); 8] = [
        (2, vec![RANDOM_UNIFORM, 0.1, 0.3, 0.0, 0.0, 0.0]),
        (5, vec![0.9, 1e-3, 1.0, 1.0]),
        (4, vec![0.2]),
        (3, vec![0.3]),
        (6, vec![1e-3, 1.0, 1.0]),
        (9, vec![4.0, 0.0, 0.0, 1.0, 1.5, RANDOM_UNIFORM, -1.0, 1.0]),
        (11, vec![3.0, 0.5]),
        (0, dense(2)),
    ];
    let mut m = Sequential::new(seed);
    m.add(layers::from_abi(0, &dense(6), 0).unwrap()).unwrap();
    m.add(shared(inner)).unwrap();
    for (i, (kind, p)) in specs.iter().enumerate() {
        m.add(layers::from_abi(*kind, p, 2 + i as u32).unwrap()).unwrap();
    }
    m
}

fn bits(m: &Sequential) -> Vec<Vec<u32>> {
    m.param_values().unwrap().iter().map(|(v, _)| v.data().iter().map(|x| x.to_bits()).collect()).collect()
}

fn t(shape: &[usize], v: Vec<f32>) -> Tensor {
    Tensor::new("t", Shape::from(shape), v).unwrap()
}

/// Five Adam steps with the trainer's seed 3 (the masks draw from it), then a prediction.
fn train(m: &mut Sequential) -> (Vec<u32>, Vec<u32>) {
    let optimizer = Optimizer::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weight_decay: 0.0 };
    let cfg = TrainConfig { loss: Loss::MeanSquaredError, reduction: Default::default(), optimizer, schedule: LrSchedule::constant(0.05), clip: None, metrics: vec![], weighted: vec![], heads: vec![] };
    let mut tr = Trainer::new(cfg, 3);
    let x = t(&[8, 3], (0..24).map(|i| ((i * 7 % 11) as f32 - 5.0) / 5.0).collect());
    let y = t(&[8, 2], (0..16).map(|i| ((i * 5 % 7) as f32) / 7.0).collect());
    let losses = (0..5).map(|_| tr.train_on(m, x.clone(), &y).unwrap().loss.to_bits()).collect();
    let p = m.forward_all(x, Mode::Infer).unwrap();
    (losses, p.data().iter().map(|v| v.to_bits()).collect())
}

#[test]
fn unfilled_build_is_zero_where_initializers_draw_and_trains_bit_identically_once_set() {
    let mut drawn = model(5);
    drawn.build_all(&[3]).unwrap();
    let mut unfilled = model(5);
    let shapes = unfilled.build_unfilled(&[3]).unwrap();
    assert_eq!(shapes, model(5).build_all(&[3]).unwrap(), "same output shapes");

    let (a, b) = (bits(&drawn), bits(&unfilled));
    assert_eq!(a.iter().map(Vec::len).collect::<Vec<_>>(), b.iter().map(Vec::len).collect::<Vec<_>>());
    // Drawn weights are zero; a layer's own constants (batch norm γ and moving variance,
    // layer norm γ, the rbf widths) are set as always.
    let zeroed: Vec<usize> = (0..a.len()).filter(|&i| b[i].iter().all(|&v| v == 0) && a[i] != b[i]).collect();
    // kernel+bias of both denses and of the last, alpha, rbf centers, the variational kernels.
    assert_eq!(zeroed.len(), 10, "zeroed: {zeroed:?}");
    assert!((0..a.len()).all(|i| zeroed.contains(&i) || a[i] == b[i]));

    let values: Vec<Tensor> = drawn.param_values().unwrap().into_iter().map(|(v, _)| v).collect();
    unfilled.with_params(|ps| ps.iter_mut().zip(&values).for_each(|(p, v)| p.param.value = v.clone())).unwrap();
    assert_eq!(bits(&unfilled), bits(&drawn));

    assert_eq!(train(&mut unfilled), train(&mut drawn), "same losses and predictions");
    assert_eq!(bits(&unfilled), bits(&drawn), "same weights after training");
}
