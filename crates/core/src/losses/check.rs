//! Validation of targets against predictions, shared by every loss (see [`super::Loss::check`]).
//!
//! Predictions `[..., cols]` are `rows × cols`. Dense targets have the prediction's shape, up
//! to a trailing axis of size 1 (Keras `squeeze_or_expand_to_same_rank`: `[n]` against
//! `[n, 1]` is accepted either way). Sparse targets have the prediction's shape without its
//! last axis (or with it as 1) and hold class indices.

use super::Loss;
use crate::shape::Shape;
use crate::{bail, bail_shape, Result};
use crate::error::js_number;

/// `(rows, cols)` of a prediction shape: cols is the last axis, rows every axis before it (also
/// when the last axis is 0: `[2, 0]` is two rows of no values); a 0-d prediction is one row of
/// one value. The per-row losses (reduction `none`) have shape `pred_shape[..rank − 1]`.
pub fn rows_cols(pred_shape: &[usize]) -> (usize, usize) {
    match pred_shape.split_last() {
        Some((&cols, lead)) => (lead.iter().product(), cols),
        None => (1, 1),
    }
}

/// How many rows of [`rows_cols`] make one sample of a prediction of shape `pred_shape`: the
/// values of the axes between the batch and the last (`h·w` for images `[batch, h, w, c]`; 1
/// for `[batch, features]`, a vector or a scalar).
pub fn rows_per_sample(pred_shape: &[usize]) -> usize {
    match pred_shape {
        [_, middle @ .., _] => middle.iter().product::<usize>().max(1),
        _ => 1,
    }
}

/// Whether two shapes are equal once a trailing axis of size 1 is dropped from either.
pub fn same_up_to_trailing_one(a: &[usize], b: &[usize]) -> bool {
    let strip = |s: &[usize]| -> Vec<usize> {
        match s.split_last() {
            Some((1, rest)) => rest.to_vec(),
            _ => s.to_vec(),
        }
    };
    a == b || strip(a) == b || a == strip(b)
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn check(loss: &Loss, pred_shape: &[usize], target_shape: &[usize], target: &[f32]) -> Result<()> {
    let op = loss.name();
    let (rows, cols) = rows_cols(pred_shape);
    let ps = Shape::from(pred_shape.to_vec());
    let ts = Shape::from(target_shape.to_vec());
    // Predictions of no values are a loss of nothing (Loss::forward); a row with no classes
    // has no class index.
    if cols == 0 && rows > 0 && matches!(loss, Loss::SparseCategoricalCrossentropy { .. }) {
        bail_shape!(op, "predictions are empty (shape {ps}): a class index needs at least one class");
    }
    if target.len() != target_shape.iter().product::<usize>() {
        bail_shape!(op, "{} target values do not fill the target shape {ts}", target.len());
    }
    if let Some(i) = crate::kernels::finite::first_non_finite(target) {
        bail!(op, "target[{i}] is {}; targets must be finite numbers", js_number(target[i]));
    }
    if let Loss::SparseCategoricalCrossentropy { ignore_class, .. } = *loss {
        let lead = &pred_shape[..pred_shape.len().saturating_sub(1)];
        if !(target_shape == lead || same_up_to_trailing_one(target_shape, lead)) || target.len() != rows {
            bail_shape!(
                op,
                "targets must be class indices of shape {} (the prediction shape {ps} without its last axis), got shape {ts}",
                Shape::from(lead.to_vec())
            );
        }
        let ignored = |v: f32| super::sparse_categorical_crossentropy::ignored(v, ignore_class);
        if let Some((i, &v)) = target.iter().enumerate().find(|(_, &v)| !ignored(v) && (v < 0.0 || v.fract() != 0.0 || v >= cols as f32)) {
            let or = ignore_class.map_or(String::new(), |c| format!(" (or the ignored class {c})"));
            // A negative integer is most often a padding label (Keras's -1, PyTorch's -100).
            let pad = if ignore_class.is_none() && v < 0.0 && v.fract() == 0.0 {
                format!("; a padding label is skipped with compile({{ loss: {{ name: 'sparseCategoricalCrossentropy', ignoreClass: {v} }} }}), or pad the labels of masked steps with 0", v = js_number(v))
            } else {
                String::new()
            };
            bail!(op, "target[{i}] = {v} is not a class index: targets must be integers in [0, {cols}) for {cols} classes{or}{pad}", v = js_number(v));
        }
        return Ok(());
    }
    if !same_up_to_trailing_one(target_shape, pred_shape) {
        bail_shape!(op, "targets of shape {ts} do not match predictions of shape {ps}");
    }
    match loss {
        Loss::BinaryCrossentropy { .. } | Loss::CategoricalCrossentropy { .. } | Loss::KullbackLeiblerDivergence => {
            if let Some((i, &v)) = target.iter().enumerate().find(|(_, &v)| !(0.0..=1.0).contains(&v)) {
                bail!(op, "target[{i}] = {v} is not a probability: targets must be in [0, 1]", v = js_number(v));
            }
        }
        Loss::Hinge | Loss::SquaredHinge => {
            let pm1 = target.iter().all(|&v| v == -1.0 || v == 1.0);
            let zo = target.iter().all(|&v| v == 0.0 || v == 1.0);
            if !pm1 && !zo {
                let bad = target
                    .iter()
                    .enumerate()
                    .find(|(_, &v)| v != -1.0 && v != 0.0 && v != 1.0)
                    .or_else(|| target.iter().enumerate().find(|(_, &v)| v == 0.0));
                let (i, v) = bad.map(|(i, &v)| (i, v)).unwrap_or((0, target[0]));
                bail!(op, "target[{i}] = {v}: hinge targets must be all in {{-1, 1}} or all in {{0, 1}}", v = js_number(v));
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(loss: Loss, p: &[usize], t: &[usize], v: &[f32]) -> String {
        check(&loss, p, t, v).unwrap_err().to_string()
    }

    #[test]
    fn shapes() {
        let mse = Loss::MeanSquaredError;
        assert!(check(&mse, &[2, 3], &[2, 3], &[0.0; 6]).is_ok());
        assert!(check(&mse, &[4, 1], &[4], &[0.0; 4]).is_ok());
        assert!(check(&mse, &[4], &[4, 1], &[0.0; 4]).is_ok());
        assert!(check(&mse, &[], &[], &[0.0]).is_ok());
        assert_eq!(err(mse, &[2, 3], &[3, 2], &[0.0; 6]), "meanSquaredError: targets of shape [3,2] do not match predictions of shape [2,3]");
        // Empty predictions are checked like others: the loss of nothing is Loss::forward's.
        assert!(check(&mse, &[0, 3], &[0, 3], &[]).is_ok() && check(&mse, &[2, 0], &[2, 0], &[]).is_ok());
        assert_eq!(err(mse, &[0, 2], &[0, 3], &[]), "meanSquaredError: targets of shape [0,3] do not match predictions of shape [0,2]");
        assert_eq!(rows_cols(&[2, 0]), (2, 0));
        assert_eq!(rows_cols(&[]), (1, 1));
        assert_eq!(err(mse, &[2], &[2], &[0.0, f32::NAN]), "meanSquaredError: target[1] is NaN; targets must be finite numbers");
    }

    #[test]
    fn sparse_targets() {
        let s = Loss::SparseCategoricalCrossentropy { from_logits: true, ignore_class: None };
        assert!(check(&s, &[3, 4], &[3], &[0.0, 3.0, 1.0]).is_ok());
        assert!(check(&s, &[3, 4], &[3, 1], &[0.0, 3.0, 1.0]).is_ok());
        assert!(check(&s, &[2, 5, 4], &[2, 5], &[1.0; 10]).is_ok());
        assert_eq!(
            err(s, &[3, 4], &[3, 4], &[0.0; 12]),
            "sparseCategoricalCrossentropy: targets must be class indices of shape [3] (the prediction shape [3,4] without its last axis), got shape [3,4]"
        );
        assert_eq!(
            err(s, &[3, 4], &[3], &[0.0, 4.0, 1.5]),
            "sparseCategoricalCrossentropy: target[1] = 4 is not a class index: targets must be integers in [0, 4) for 4 classes"
        );
        assert!(err(s, &[3, 4], &[3], &[0.0, 1.5, -1.0]).contains("target[1] = 1.5"));
        assert!(err(s, &[3, 4], &[3], &[-1.0, 1.0, 1.0]).contains("target[0] = -1"));
        // A negative integer (a padding label) points at ignoreClass; a fraction does not.
        assert!(err(s, &[3, 4], &[3], &[0.0, -100.0, 1.0]).ends_with("for 4 classes; a padding label is skipped with compile({ loss: { name: 'sparseCategoricalCrossentropy', ignoreClass: -100 } }), or pad the labels of masked steps with 0"));
        assert!(!err(s, &[3, 4], &[3], &[0.0, -0.5, 1.0]).contains("padding"));
        assert!(check(&s, &[0, 4], &[0], &[]).is_ok());
        assert_eq!(err(s, &[2, 0], &[2], &[0.0; 2]), "sparseCategoricalCrossentropy: predictions are empty (shape [2,0]): a class index needs at least one class");
    }

    #[test]
    fn probabilities_and_hinge_labels() {
        let b = Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 };
        assert!(check(&b, &[2], &[2], &[0.0, 1.0]).is_ok());
        assert_eq!(err(b, &[3], &[3], &[0.0, 1.0, 2.0]), "binaryCrossentropy: target[2] = 2 is not a probability: targets must be in [0, 1]");
        let k = Loss::KullbackLeiblerDivergence;
        assert!(err(k, &[2], &[2], &[-0.1, 1.0]).contains("target[0] = -0.1"));
        let h = Loss::Hinge;
        assert!(check(&h, &[3], &[3], &[-1.0, 1.0, 1.0]).is_ok());
        assert!(check(&h, &[3], &[3], &[0.0, 1.0, 1.0]).is_ok());
        assert_eq!(err(h, &[3], &[3], &[-1.0, 0.0, 1.0]), "hinge: target[1] = 0: hinge targets must be all in {-1, 1} or all in {0, 1}");
        assert!(err(h, &[3], &[3], &[1.0, 0.5, 1.0]).contains("target[1] = 0.5"));
        assert!(err(Loss::SquaredHinge, &[3], &[3], &[-1.0, 0.0, 1.0]).starts_with("squaredHinge: target[1] = 0: hinge targets"));
        // The other losses take any finite target, as TF.js (negative counts for poisson, values
        // at or below 0 for MSLE, which clips them to ε); NaN and ±Infinity stay errors.
        for l in [Loss::MeanAbsolutePercentageError, Loss::MeanSquaredLogarithmicError, Loss::Logcosh, Loss::Poisson, Loss::CategoricalHinge, Loss::CosineProximity] {
            assert!(check(&l, &[3], &[3], &[-2.0, 0.0, 1e30]).is_ok(), "{}", l.name());
            assert!(err(l, &[3], &[3], &[1.0, f32::INFINITY, 0.0]).ends_with("target[1] is Infinity; targets must be finite numbers"));
        }
    }
}
