//! `topk(x, k)`: the `k` largest entries of each row (the last axis) and their indices, as
//! TF.js `topk`.
//!
//! Each row's entries are ordered largest first; equal values keep their order in the row
//! (the lower index first, as TF.js). The order is that of `max`: NaN ranks above every
//! number, and +0 above −0. Indices are float32 values (neurite's tensors are float32).
//!
//! # Shapes
//! `x: [..., n]` (rank ≥ 1), `0 <= k <= n` → values and indices `[..., k]`.
//!
//! # Backward
//! Of the values: `dx` is zero except at each row's chosen indices, where it is `dy`. The
//! indices are a constant (no gradient, as in TF.js).
//!
//! ```
//! use neurite_core::{ops::topk::topk, Tensor};
//! let x = Tensor::new("doc", [2, 3].into(), vec![1., 5., 3., 2., 2., 0.]).unwrap();
//! let (v, i) = topk(&x, 2).unwrap();
//! assert_eq!((v.data(), i.data()), (&[5., 3., 2., 2.][..], &[1., 2., 0., 1.][..]));
//! ```

use crate::sort::{heapsort_by, sift_down};
use crate::{bail, Result, Shape, Tensor};

/// A sort key of `v` at `index`: larger keys rank first. The high half orders the values as
/// `max` does (the sign-magnitude bits made monotonic: +0 above −0; every NaN above +∞), the low
/// half puts the lower index first among equal values.
#[inline]
fn key(v: f32, index: usize) -> u64 {
    let b = v.to_bits();
    let order = if v.is_nan() { u32::MAX } else if b >> 31 == 1 { !b } else { b | 1 << 31 };
    (u64::from(order) << 32) | u64::from(u32::MAX - index as u32)
}

/// The order of the keys, largest first (one function, so the heap and the sort share code).
fn greater(a: &u64, b: &u64) -> bool {
    a > b
}

/// The `k` largest entries of each row of `x` (largest first) and their indices.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn topk(x: &Tensor, k: i64) -> Result<(Tensor, Tensor)> {
    const OP: &str = "topk";
    let Some(&n) = x.dims().last() else {
        bail!(OP, "x is a scalar (shape []); topk takes the k largest entries along the last axis of a tensor of rank >= 1");
    };
    // Indices live in the low 32 bits of the sort keys (a dimension is at most u32::MAX).
    if k < 0 || k as u64 > n as u64 {
        bail!(OP, "k must be in [0, {n}] (the last axis of x, shape {}), got {k}", x.shape());
    }
    let k = k as usize;
    let mut dims = x.dims().to_vec();
    *dims.last_mut().unwrap_or(&mut 0) = k;
    let shape = Shape::new(OP, &dims)?;
    let (mut values, mut indices) = (Tensor::zeros(OP, shape.clone())?, Tensor::zeros(OP, shape)?);
    if k == 0 {
        return Ok((values, indices));
    }
    // The k largest keys of a row are kept in a heap whose root is the smallest of them (a
    // max-heap by `greater`): each further key either is below the root (one compare) or
    // replaces it. O(n log k) at worst (an ascending row), about n compares on a random one;
    // the whole row is never sorted. Then the k keys are sorted, largest first.
    // With k at least half the row, sorting the whole row is cheaper (the bounded heap would
    // be built, then sorted: two heapifications of most of the row; a reviewer measured k = n
    // at 1.7x the plain sort).
    let whole = 2 * k >= n;
    let cap = if whole { n } else { k };
    let mut heap: Vec<u64> = Vec::new();
    heap.try_reserve_exact(cap).map_err(|_| crate::Error::OutOfMemory { op: OP, bytes: (cap as u64).saturating_mul(8) })?;
    for ((src, v), i) in x.data().chunks_exact(n).zip(values.data_mut().chunks_exact_mut(k)).zip(indices.data_mut().chunks_exact_mut(k)) {
        heap.clear();
        heap.extend(src[..cap].iter().enumerate().map(|(j, &x)| key(x, j)));
        if !whole {
            for start in (0..k / 2).rev() {
                sift_down(&mut heap, start, k, &greater);
            }
            for (j, &x) in src.iter().enumerate().skip(k) {
                let kj = key(x, j);
                if kj > heap[0] {
                    heap[0] = kj;
                    sift_down(&mut heap, 0, k, &greater);
                }
            }
        }
        // Distinct keys (the index is part of each), so the unstable sort is the stable one,
        // and these k keys are exactly the first k of the whole row sorted.
        heapsort_by(&mut heap, greater);
        for ((val, idx), &r) in v.iter_mut().zip(i.iter_mut()).zip(&heap) {
            let j = (u32::MAX - r as u32) as usize;
            *val = src[j];
            *idx = j as f32;
        }
    }
    Ok((values, indices))
}

/// The gradient of topk's values: `dy` (`[..., k]`) scattered to the chosen `indices` (row by
/// row, as topk's indices output holds them) of a tensor of `x_shape`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn topk_backward(x_shape: &Shape, indices: &[f32], dy: &Tensor) -> Result<Tensor> {
    let mut dx = Tensor::zeros("topk", x_shape.clone())?;
    let (n, k) = (x_shape.dims().last().copied().unwrap_or(0), dy.dims().last().copied().unwrap_or(0));
    if n == 0 || k == 0 || dy.size() != indices.len() {
        return Ok(dx);
    }
    for ((row, idx), g) in dx.data_mut().chunks_exact_mut(n).zip(indices.chunks_exact(k)).zip(dy.data().chunks_exact(k)) {
        for (&i, &gv) in idx.iter().zip(g) {
            row[i as usize] += gv;
        }
    }
    Ok(dx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_ties_nan_and_signed_zeros() {
        let x = Tensor::new("t", [2, 5].into(), vec![3., 1., 3., f32::NAN, -1., 0., -0., -0., 0., -5.]).unwrap();
        let (v, i) = topk(&x, 5).unwrap();
        assert_eq!(i.data(), &[3., 0., 2., 1., 4., 0., 3., 1., 2., 4.]);
        assert!(v.data()[0].is_nan());
        assert_eq!(&v.data()[1..5], &[3., 3., 1., -1.]);
        assert_eq!(v.data()[5..].iter().map(|z| z.to_bits()).collect::<Vec<_>>(), [0, 0, 0x8000_0000, 0x8000_0000, (-5f32).to_bits()]);
        let (v2, i2) = topk(&x, 2).unwrap();
        assert_eq!(v2.dims(), &[2, 2]);
        assert_eq!(i2.data(), &[3., 0., 0., 3.]);
    }

    /// The bounded heap gives exactly the first k of the whole row sorted by (value as `max`
    /// orders it, lower index first): every k from 1 to n on short rows, and the edges of k on
    /// long ones, with ties, NaN, ±0 and ±∞, on random, ascending, descending and constant rows.
    #[test]
    fn selects_the_first_k_of_the_sorted_row() {
        let mut rng = crate::rng::Philox::new(7, 0);
        let specials = [f32::NAN, 0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, -f32::NAN];
        let mut rows: Vec<Vec<f32>> = Vec::new();
        for n in [1, 2, 3, 5, 8, 17, 64, 257, 1001] {
            rows.push((0..n).map(|_| (rng.next_u32() % 5) as f32 - 2.0).collect());
            rows.push((0..n).map(|_| { let r = rng.next_u32(); if r % 7 == 0 { specials[(r / 7) as usize % 6] } else { (r % 1000) as f32 / 7.0 - 70.0 } }).collect());
            rows.push((0..n).map(|i| i as f32).collect());
            rows.push((0..n).map(|i| -(i as f32)).collect());
            rows.push(vec![1.5; n]);
        }
        for row in &rows {
            let n = row.len();
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| key(row[b], b).cmp(&key(row[a], a)));
            let ks: Vec<usize> = if n <= 17 { (0..=n).collect() } else { vec![0, 1, 2, 3, n / 2, n - 2, n - 1, n] };
            for k in ks {
                // Two identical rows: each row's heap starts afresh.
                let x = Tensor::new("t", [2, n].into(), [row.as_slice(), row.as_slice()].concat()).unwrap();
                let (v, i) = topk(&x, k as i64).unwrap();
                let want: Vec<f32> = order[..k].iter().map(|&j| j as f32).collect();
                assert_eq!(i.data(), [want.as_slice(), want.as_slice()].concat(), "n={n} k={k} row={row:?}");
                let bits: Vec<u32> = order[..k].iter().map(|&j| row[j].to_bits()).collect();
                assert_eq!(v.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>(), [bits.as_slice(), bits.as_slice()].concat());
            }
        }
    }

    #[test]
    fn backward_scatters_to_the_chosen_indices() {
        let x = Tensor::new("t", [2, 3].into(), vec![1., 5., 3., 2., 2., 0.]).unwrap();
        let (_, i) = topk(&x, 2).unwrap();
        let dy = Tensor::new("t", [2, 2].into(), vec![10., 20., 30., 40.]).unwrap();
        assert_eq!(topk_backward(x.shape(), i.data(), &dy).unwrap().data(), &[0., 10., 20., 30., 40., 0.]);
    }

    #[test]
    fn empty_k_rows_and_errors() {
        let x = Tensor::zeros("t", [3, 4].into()).unwrap();
        assert_eq!(topk(&x, 0).unwrap().0.dims(), &[3, 0]);
        let e = Tensor::zeros("t", [0, 4].into()).unwrap();
        assert_eq!(topk(&e, 2).unwrap().1.dims(), &[0, 2]);
        assert_eq!(topk(&x, 5).unwrap_err().to_string(), "topk: k must be in [0, 4] (the last axis of x, shape [3,4]), got 5");
        assert_eq!(topk(&x, -1).unwrap_err().to_string(), "topk: k must be in [0, 4] (the last axis of x, shape [3,4]), got -1");
        assert!(topk(&Tensor::scalar(1.), 1).unwrap_err().to_string().starts_with("topk: x is a scalar"));
    }
}
