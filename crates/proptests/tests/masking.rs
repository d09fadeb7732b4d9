//! Masks (Keras 3's rules) under random shapes, padding and values: a masking layer (a step of
//! zeros is padding) before
//! - globalAveragePooling1d: the average over the kept steps, equal to the pooling of only
//!   those steps (0 for a row all padding); globalMaxPooling1d refuses a mask (as every layer
//!   Keras 3 does not mask: neurite names it rather than pool the padding);
//! - a per-step dense layer whose loss is masked: `evaluate`'s loss is the loss of the same
//!   layer over the kept steps only;
//! - a dense layer and a pooling shared by two inputs: the values and masks of two copies with
//!   the same weights, bit for bit;
//! and a forward that fails after the mask was made leaves no mask on the layers it reached.

use neurite_core::layers::{from_abi, Mode};
use neurite_core::losses::{Loss, Reduction};
use neurite_core::model::{LayerRef, Sequential, TrainConfig, Trainer};
use neurite_core::optim::{LrSchedule, Optimizer};
use neurite_core::{Shape, Tensor};
use proptest::prelude::*;

const DENSE: u32 = 0;
const GLOBAL_MAX_1D: u32 = 31;
const GLOBAL_AVERAGE_1D: u32 = 32;
const MASKING: u32 = 45;

/// `PROPTEST_CASES` from the environment (for longer runs), else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A linear dense layer of `units` (its weights set later).
fn dense(units: usize, index: u32) -> LayerRef {
    from_abi(DENSE, &[units as f32, 1.0, 0.0, 0.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0.0, 0.0], index).unwrap()
}

fn layer(kind: u32, p: &[f32], index: u32) -> LayerRef {
    from_abi(kind, p, index).unwrap()
}

fn model(layers: Vec<LayerRef>, input: &[usize]) -> neurite_core::Result<Sequential> {
    let mut m = Sequential::new(7);
    for l in layers {
        m.add(l)?;
    }
    m.build_all(input)?;
    Ok(m)
}

/// Sets every parameter of `m` (in order) from `w`, cycling.
fn set_weights(m: &Sequential, w: &[f32]) {
    m.with_params(|ps| {
        let mut k = 0;
        for s in ps.iter_mut() {
            for v in s.param.value.data_mut() {
                *v = w[k % w.len()];
                k += 1;
            }
        }
    })
    .unwrap();
}

/// `b` samples of `t` steps of `c` features: kept steps (`keep[b·t + s]`) nonzero values from
/// `vals` (magnitudes from 1e-3 to 1e3), padded steps all 0.
fn steps(b: usize, t: usize, c: usize, keep: &[bool], vals: &[f32]) -> Tensor {
    let data = (0..b * t * c).map(|i| if keep[i / c] { vals[i % vals.len()] } else { 0.0 }).collect();
    Tensor::new("x", Shape::from([b, t, c]), data).unwrap()
}

fn value() -> impl Strategy<Value = f32> {
    (prop_oneof![Just(1e-3f32), Just(1.0f32), Just(1e3f32)], 0.1f32..2.0, any::<bool>()).prop_map(|(s, v, neg)| if neg { -s * v } else { s * v })
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(128), failure_persistence: None, ..ProptestConfig::default() })]

    /// Masked globalAveragePooling1d is the average over the kept steps (f64, and the pooling
    /// of a model fed only those steps), 0 for a row all padding; globalMaxPooling1d refuses.
    #[test]
    fn masked_global_pooling_is_pooling_over_the_kept_steps(b in 0usize..5, t in 1usize..7, c in 1usize..4, keep in prop::collection::vec(any::<bool>(), 36), vals in prop::collection::vec(value(), 1..24)) {
        let x = steps(b, t, c, &keep, &vals);
        let mut m = model(vec![layer(MASKING, &[0.0], 0), layer(GLOBAL_AVERAGE_1D, &[], 1)], &[t, c]).unwrap();
        let y = m.predict(&x, 32).unwrap();
        prop_assert_eq!(y.dims(), &[b, c][..]);
        for r in 0..b {
            let kept: Vec<usize> = (0..t).filter(|&s| keep[r * t + s]).collect();
            let row = &y.data()[r * c..(r + 1) * c];
            if kept.is_empty() {
                prop_assert!(row.iter().all(|&v| v == 0.0 && v.is_sign_positive()), "row {} all padding: {:?}", r, row);
                continue;
            }
            // The model fed only the kept steps, unmasked.
            let only: Vec<f32> = kept.iter().flat_map(|&s| x.data()[(r * t + s) * c..(r * t + s + 1) * c].to_vec()).collect();
            let mut p = model(vec![layer(GLOBAL_AVERAGE_1D, &[], 0)], &[kept.len(), c]).unwrap();
            let short = p.predict(&Tensor::new("x", Shape::from([1, kept.len(), c]), only).unwrap(), 32).unwrap();
            for j in 0..c {
                let want = kept.iter().map(|&s| x.data()[(r * t + s) * c + j] as f64).sum::<f64>() / kept.len() as f64;
                prop_assert!(close(row[j] as f64, want, 1e-5), "row {} feature {}: {} vs {}", r, j, row[j], want);
                prop_assert!(close(row[j] as f64, short.data()[j] as f64, 1e-5), "row {} feature {}: {} vs the kept steps alone {}", r, j, row[j], short.data()[j]);
            }
        }
        let e = model(vec![layer(MASKING, &[0.0], 0), layer(GLOBAL_MAX_1D, &[], 1)], &[t, c]).err().map(|e| e.to_string()).unwrap_or_default();
        prop_assert!(e.contains("globalMaxPooling1d") && e.contains("cannot take the mask"), "{}", e);
    }

    /// A per-step dense layer's masked mean squared error (`evaluate`) is the loss of the same
    /// layer evaluated on the kept steps alone (each a sample of one step), and the mean over
    /// them in f64; 0 with no step kept.
    #[test]
    fn masked_loss_is_the_loss_over_the_kept_steps(b in 1usize..5, t in 1usize..6, c in 1usize..4, u in 1usize..4, keep in prop::collection::vec(any::<bool>(), 30), vals in prop::collection::vec(value(), 1..24), w in prop::collection::vec(-1.0f32..1.0, 1..16), ys in prop::collection::vec(-2.0f32..2.0, 1..16)) {
        let x = steps(b, t, c, &keep, &vals);
        let d = dense(u, 1);
        let mut m = model(vec![layer(MASKING, &[0.0], 0), d.clone()], &[t, c]).unwrap();
        set_weights(&m, &w);
        let y = Tensor::new("y", Shape::from([b, t, u]), (0..b * t * u).map(|i| ys[i % ys.len()]).collect()).unwrap();
        let cfg = TrainConfig { loss: Loss::MeanSquaredError, reduction: Reduction::Mean, optimizer: Optimizer::Sgd { momentum: 0.0, nesterov: false, weight_decay: 0.0 }, schedule: LrSchedule::constant(0.1), clip: None, metrics: vec![], weighted: vec![], heads: vec![] };
        let tr = Trainer::new(cfg, 1);
        let loss = tr.evaluate(&mut m, &x, &y, b).unwrap().loss as f64;
        let pred = m.predict(&x, 32).unwrap();
        let kept: Vec<usize> = (0..b * t).filter(|&i| keep[i]).collect();
        let want = if kept.is_empty() { 0.0 } else {
            kept.iter().map(|&i| (0..u).map(|j| (pred.data()[i * u + j] as f64 - y.data()[i * u + j] as f64).powi(2)).sum::<f64>() / u as f64).sum::<f64>() / kept.len() as f64
        };
        prop_assert!(close(loss, want, 1e-4), "masked loss {} vs the mean over the kept steps {}", loss, want);
        if !kept.is_empty() {
            // The same dense layer, unmasked, on the kept steps as samples of one step.
            let mut one = model(vec![d], &[1, c]).unwrap();
            let xk = Tensor::new("x", Shape::from([kept.len(), 1, c]), kept.iter().flat_map(|&i| x.data()[i * c..(i + 1) * c].to_vec()).collect()).unwrap();
            let yk = Tensor::new("y", Shape::from([kept.len(), 1, u]), kept.iter().flat_map(|&i| y.data()[i * u..(i + 1) * u].to_vec()).collect()).unwrap();
            let alone = Trainer::new(tr_cfg(), 1).evaluate(&mut one, &xk, &yk, kept.len()).unwrap().loss as f64;
            prop_assert!(close(loss, alone, 1e-5), "masked loss {} vs the kept steps alone {}", loss, alone);
        }
    }

    /// A dense layer and a pooling applied to two masked inputs (one layer object each, used
    /// twice: one batch) give the values of a graph with a copy per input, same weights, bit for
    /// bit; and of a second call after a failed one.
    #[test]
    fn a_shared_layer_is_two_copies_with_the_same_weights(b in 0usize..4, t in 1usize..5, c in 1usize..4, u in 1usize..4, keep in prop::collection::vec(any::<bool>(), 32), vals in prop::collection::vec(value(), 1..24), w in prop::collection::vec(-1.0f32..1.0, 1..16)) {
        // Nodes: 0 a, 1 b; shared: 2 masking(a), 3 dense(2), 4 pool(3), 5 masking(b), 6 dense(5), 7 pool(6).
        let mut shared = Sequential::new(7);
        shared.set_io(vec![vec![t, c], vec![t, c]], vec![4, 7]).unwrap();
        for (i, l) in [layer(MASKING, &[0.0], 0), dense(u, 1), layer(GLOBAL_AVERAGE_1D, &[], 2)].into_iter().enumerate() {
            shared.add(l).unwrap();
            shared.wire(i, &[if i == 0 { 0 } else { 1 + i }]).unwrap();
            shared.wire_use(i, &[if i == 0 { 1 } else { 4 + i }]).unwrap();
        }
        shared.build_all(&[2 * t * c]).unwrap();
        set_weights(&shared, &w);
        // Copies: 2 masking(a), 3 masking(b), 4 dense(2), 5 dense(3), 6 pool(4), 7 pool(5).
        let mut copies = Sequential::new(7);
        copies.set_io(vec![vec![t, c], vec![t, c]], vec![6, 7]).unwrap();
        let ls = [layer(MASKING, &[0.0], 0), layer(MASKING, &[0.0], 1), dense(u, 2), dense(u, 3), layer(GLOBAL_AVERAGE_1D, &[], 4), layer(GLOBAL_AVERAGE_1D, &[], 5)];
        for (i, l) in ls.into_iter().enumerate() {
            copies.add(l).unwrap();
            copies.wire(i, &[i]).unwrap();
        }
        copies.build_all(&[2 * t * c]).unwrap();
        // The same kernel and bias in both copies.
        let kb: Vec<f32> = (0..c * u + u).map(|i| w[i % w.len()]).collect();
        copies.with_params(|ps| {
            for s in ps.iter_mut() {
                let off = if s.param.name == "kernel" { 0 } else { c * u };
                for (k, v) in s.param.value.data_mut().iter_mut().enumerate() {
                    *v = kb[off + k];
                }
            }
        }).unwrap();
        // a's and b's steps side by side per sample.
        let (xa, xb) = (steps(b, t, c, &keep, &vals), steps(b, t, c, &keep[keep.len() / 2..], &vals[vals.len() / 2..]));
        let packed: Vec<f32> = (0..b).flat_map(|r| [&xa.data()[r * t * c..(r + 1) * t * c], &xb.data()[r * t * c..(r + 1) * t * c]].concat()).collect();
        let x = Tensor::new("x", Shape::from([b, 2 * t * c]), packed).unwrap();
        let bits = |t: &Tensor| t.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        let ys = shared.predict(&x, 32).unwrap();
        let yc = copies.predict(&x, 32).unwrap();
        prop_assert_eq!(bits(&ys), bits(&yc));
        // A forward that fails (the input's width) leaves no mask behind: the same values after.
        let bad = Tensor::new("x", Shape::from([1, 2 * t * c + 1]), vec![1.0; 2 * t * c + 1]).unwrap();
        prop_assert!(shared.forward_all(bad, Mode::Infer).is_err());
        prop_assert_eq!(bits(&shared.predict(&x, 32).unwrap()), bits(&yc));
    }
}

/// The configuration of [`masked_loss_is_the_loss_over_the_kept_steps`]'s trainers.
fn tr_cfg() -> TrainConfig {
    TrainConfig { loss: Loss::MeanSquaredError, reduction: Reduction::Mean, optimizer: Optimizer::Sgd { momentum: 0.0, nesterov: false, weight_decay: 0.0 }, schedule: LrSchedule::constant(0.1), clip: None, metrics: vec![], weighted: vec![], heads: vec![] }
}
