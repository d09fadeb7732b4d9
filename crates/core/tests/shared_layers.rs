//! Shared layers: one layer object in several models (`neurite_core::model::shared`).

mod common;

use neurite_core::layers::{self, Mode};
use neurite_core::losses::Loss;
use neurite_core::model::{shared, LayerRef, Sequential, Trainer};
use neurite_core::{Shape, Tensor};
use std::rc::Rc;

const TANH: f32 = 9.0;

/// A dense layer with `units` outputs and tanh.
fn dense(units: usize) -> LayerRef {
    let p = vec![units as f32, 1.0, TANH, 0.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0.0, 0.0];
    layers::from_abi(0, &p, 0).unwrap()
}

fn trainer() -> Trainer {
    common::trainer(Loss::MeanSquaredError)
}

fn x() -> Tensor {
    common::random(&[4, 3], 1)
}

fn values(m: &Sequential) -> Vec<Vec<f32>> {
    m.param_values().unwrap().iter().map(|(v, _)| v.data().to_vec()).collect()
}

#[test]
fn training_the_outer_model_trains_the_shared_inner_one() {
    let mut enc = Sequential::new(1);
    enc.add(dense(2)).unwrap();
    let enc = Rc::new(std::cell::RefCell::new(neurite_core::model::Node::new(enc)));
    enc.borrow_mut().build(&[3], neurite_core::layers::Init::seeded(0)).unwrap();
    let before = values(enc.borrow().layer());
    let mut ae = Sequential::new(2);
    ae.add(enc.clone()).unwrap();
    ae.add(dense(3)).unwrap();
    ae.build_all(&[3]).unwrap();
    assert_eq!(values(enc.borrow().layer()), before, "building the outer model does not rebuild a built inner one");
    trainer().train_on(&mut ae, x(), &x()).unwrap();
    let after = values(enc.borrow().layer());
    assert_ne!(after, before);
    assert_eq!(values(&ae)[..2], after[..], "one set of weights");
    // The inner model predicts with the trained weights.
    let p_inner = enc.borrow_mut().layer_mut().forward_all(x(), Mode::Infer).unwrap();
    let p_range = ae.predict_range(&x(), 0, 1, 32).unwrap();
    assert_eq!(p_inner.data(), p_range.data());
    drop(ae);
    assert_eq!(Rc::strong_count(&enc), 1, "the outer model released its reference");
}

#[test]
fn a_layer_in_two_models_has_one_set_of_weights() {
    let l = dense(2);
    let (mut a, mut b) = (Sequential::new(1), Sequential::new(2));
    a.add(l.clone()).unwrap();
    a.add(dense(1)).unwrap();
    b.add(l.clone()).unwrap();
    a.build_all(&[3]).unwrap();
    b.build_all(&[3]).unwrap();
    assert_eq!(values(&a)[..2], values(&b)[..], "b reuses the layer a built");
    trainer().train_on(&mut b, x(), &Tensor::zeros("t", Shape::from([4, 2])).unwrap()).unwrap();
    assert_eq!(values(&a)[..2], values(&b)[..]);
}

#[test]
fn bad_sharing_is_an_error_naming_the_problem() {
    let l = dense(2);
    let mut m = Sequential::new(1);
    m.add(l.clone()).unwrap();
    let e = m.add(l.clone()).unwrap_err().to_string();
    assert!(e.contains("a dense layer appears twice in one model"), "{e}");
    // Inside a nested model too.
    let mut inner = Sequential::new(2);
    inner.add(l.clone()).unwrap();
    let e = m.add(shared(inner)).unwrap_err().to_string();
    assert!(e.contains("appears twice"), "{e}");
    // A built layer placed where the shape differs: both shapes are named.
    m.build_all(&[3]).unwrap();
    let mut other = Sequential::new(3);
    other.add(l).unwrap();
    let e = other.build_all(&[5]).unwrap_err().to_string();
    assert!(e.contains("[3]") && e.contains("[5]"), "{e}");
    // A model inside itself.
    let me = shared(Sequential::new(4));
    let e = me.borrow_mut().layer_mut().as_sequential_mut().unwrap().add(me.clone()).unwrap_err().to_string();
    assert!(e.contains("cannot contain itself"), "{e}");
}

#[test]
fn gradients_through_a_shared_nested_model_match_finite_differences() {
    let mut inner = Sequential::new(5);
    inner.add(dense(4)).unwrap();
    let mut m = Sequential::new(6);
    m.add(shared(inner)).unwrap();
    m.add(dense(2)).unwrap();
    m.build_all(&[3]).unwrap();
    let y = Tensor::new("t", Shape::from([4, 2]), vec![0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8]).unwrap();
    common::check_gradients(&mut m, &mut trainer(), &x(), &y, 2e-3, 2e-2, "nested");
}
