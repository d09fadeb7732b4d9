//! `rbfWidths`: the width of each RBF unit from its nearest centers — σᵢ is the root mean
//! square distance from center `i` to its `p` nearest other centers, times `scale` (the
//! p-nearest-neighbour heuristic of Moody & Darken 1989, "Fast learning in networks of
//! locally-tuned processing units").
//!
//! A single center has no neighbours and gets σ = `scale`. A center that coincides with its
//! neighbours (σ = 0) gets the smallest positive width of the others (or `scale` if none), so
//! no unit has a zero width.
//!
//! # Shapes
//! centers `[k, d]` → widths `[k]`.

use crate::{bail, bail_shape, Result, Shape, Tensor};
use crate::error::js_number;

const OP: &str = "rbfWidths";

#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn nearest_center_widths(centers: &Tensor, neighbors: usize, scale: f32) -> Result<Tensor> {
    let [k, d] = centers.dims() else {
        bail_shape!(OP, "centers must have shape [units, features], got {}", centers.shape());
    };
    let (k, d) = (*k, *d);
    if k == 0 || d == 0 {
        bail_shape!(OP, "centers must hold at least one center with at least one feature, got shape {}", centers.shape());
    }
    if neighbors == 0 {
        bail!(OP, "neighbors must be a positive integer, got 0");
    }
    if !(scale.is_finite() && scale > 0.0) {
        bail!(OP, "scale must be a finite number > 0, got {scale}", scale = js_number(scale));
    }
    let c = centers.data();
    if let Some(i) = crate::kernels::finite::first_non_finite(c) {
        bail!(OP, "centers contains {} at flat index {i}", js_number(c[i]));
    }
    let p = neighbors.min(k.saturating_sub(1));
    let mut widths = crate::tensor::try_vec(OP, k, scale)?;
    if p > 0 {
        let mut d2: Vec<f64> = crate::tensor::try_vec(OP, k - 1, 0.0)?;
        for (i, w) in widths.iter_mut().enumerate() {
            d2.clear();
            let ci = &c[i * d..(i + 1) * d];
            for (j, cj) in c.chunks_exact(d).enumerate() {
                if j != i {
                    d2.push(ci.iter().zip(cj).map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2)).sum::<f64>());
                }
            }
            // Equal distances are the same number, so any sort gives these sums.
            crate::sort::heapsort_by(&mut d2, |a, b| a.total_cmp(b).is_lt());
            *w = scale * (d2[..p].iter().sum::<f64>() / p as f64).sqrt() as f32;
        }
        let floor = widths.iter().copied().filter(|&w| w > 0.0).fold(f32::INFINITY, f32::min);
        let floor = if floor.is_finite() { floor } else { scale };
        for w in widths.iter_mut().filter(|w| **w <= 0.0) {
            *w = floor;
        }
    }
    Tensor::new(OP, Shape::from([k]), widths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rms_distance_to_the_nearest_centers() {
        // Centers on a line at 0, 1, 3, 7.
        let c = Tensor::new("t", Shape::from([4, 1]), vec![0., 1., 3., 7.]).unwrap();
        let w = nearest_center_widths(&c, 1, 1.0).unwrap();
        assert_eq!(w.data(), &[1., 1., 2., 4.]);
        let w = nearest_center_widths(&c, 2, 2.0).unwrap();
        let want = [2.0 * ((1.0f32 + 9.0) / 2.0).sqrt(), 2.0 * ((1.0f32 + 4.0) / 2.0).sqrt(), 2.0 * ((4.0f32 + 9.0) / 2.0).sqrt(), 2.0 * ((16.0f32 + 36.0) / 2.0).sqrt()];
        for (g, e) in w.data().iter().zip(want) {
            assert!((g - e).abs() < 1e-5);
        }
        // More neighbours than exist: all the others.
        assert_eq!(nearest_center_widths(&c, 10, 1.0).unwrap(), nearest_center_widths(&c, 3, 1.0).unwrap());
    }

    #[test]
    fn degenerate_centers_get_positive_widths() {
        let one = Tensor::new("t", Shape::from([1, 2]), vec![1., 1.]).unwrap();
        assert_eq!(nearest_center_widths(&one, 2, 0.5).unwrap().data(), &[0.5]);
        let dup = Tensor::new("t", Shape::from([3, 1]), vec![0., 0., 2.]).unwrap();
        assert_eq!(nearest_center_widths(&dup, 1, 1.0).unwrap().data(), &[2., 2., 2.]);
        let e = |c: &Tensor, p: usize, s: f32| nearest_center_widths(c, p, s).unwrap_err().to_string();
        assert_eq!(e(&dup, 0, 1.0), "rbfWidths: neighbors must be a positive integer, got 0");
        assert_eq!(e(&dup, 1, 0.0), "rbfWidths: scale must be a finite number > 0, got 0");
        assert!(e(&Tensor::scalar(1.0), 1, 1.0).contains("got []"));
    }
}
