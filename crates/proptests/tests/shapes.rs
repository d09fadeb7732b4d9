//! Shape inference, broadcasting and the shape ops against simple reference loops: results
//! agree element by element, round trips return the input, and absurd sizes are errors (never
//! a panic, a wrapped or a saturated dimension).

use neurite_core::ops::binary::{binary, BinaryOp};
use neurite_core::ops::concat::concat;
use neurite_core::ops::cumsum::cumsum;
use neurite_core::ops::mirror_pad::{mirror_pad, mirror_pad_backward};
use neurite_core::ops::pad::{pad, pad_backward};
use neurite_core::ops::reverse::reverse;
use neurite_core::ops::reshape::reshape;
use neurite_core::ops::resize::{resize, resize_backward, Resize};
use neurite_core::ops::slice::slice;
use neurite_core::ops::tile::tile;
use neurite_core::ops::transpose::transpose;
use neurite_core::shape::MAX_DIM;
use neurite_core::{Shape, Status, Tensor};
use proptest::prelude::*;

/// Row-major strides.
fn strides(dims: &[usize]) -> Vec<usize> {
    let mut s = vec![1; dims.len()];
    for i in (0..dims.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * dims[i + 1];
    }
    s
}

/// The multi-index of flat index `k` in `dims`.
fn unravel(mut k: usize, dims: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; dims.len()];
    for i in (0..dims.len()).rev() {
        idx[i] = k % dims[i];
        k /= dims[i];
    }
    idx
}

fn flat(idx: &[usize], dims: &[usize]) -> usize {
    idx.iter().zip(strides(dims)).map(|(i, s)| i * s).sum()
}

/// A tensor of `dims` holding 0, 1, 2, … (distinct values, so misplaced elements show).
fn iota(dims: &[usize]) -> Tensor {
    let n: usize = dims.iter().product();
    Tensor::new("t", Shape::from(dims), (0..n).map(|v| v as f32).collect()).unwrap()
}

fn dims_strategy(max_rank: usize, max_dim: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..=max_dim, 0..=max_rank)
}

/// NumPy broadcasting, written out directly.
fn broadcast_ref(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let r = a.len().max(b.len());
    let mut out = vec![0; r];
    for i in 0..r {
        let da = if i < r - a.len() { 1 } else { a[i - (r - a.len())] };
        let db = if i < r - b.len() { 1 } else { b[i - (r - b.len())] };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return None;
        };
    }
    Some(out)
}

/// Two shapes that broadcast about half of the time: `b` is `a`'s tail with some dims set to 1
/// and some replaced at random.
fn broadcast_pair() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    dims_strategy(5, 4).prop_flat_map(|a| {
        let n = a.len();
        (Just(a), 0..=n, prop::collection::vec(0u8..4, n))
    })
    .prop_map(|(a, keep, how)| {
        let tail = &a[a.len() - keep..];
        let b = tail.iter().zip(&how[a.len() - keep..]).map(|(&d, &h)| match h {
            0 => 1,
            1 => (d + 1) % 4,
            _ => d,
        });
        (a.clone(), b.collect())
    })
}

/// `PROPTEST_CASES` from the environment (for longer runs), else `default`. Failures print
/// their minimal input and are not persisted to files.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn broadcasting_matches_numpy((a, b) in broadcast_pair(), swap in any::<bool>()) {
        let (a, b) = if swap { (b, a) } else { (a, b) };
        let got = Shape::broadcast("t", &Shape::from(a.clone()), &Shape::from(b.clone()));
        match broadcast_ref(&a, &b) {
            Some(want) => prop_assert_eq!(got.unwrap().dims().to_vec(), want),
            None => prop_assert_eq!(got.unwrap_err().status(), Status::ShapeMismatch),
        }
    }

    /// `a + b` under broadcasting equals the reference loop over the output index.
    #[test]
    fn broadcast_add_matches_reference((a, b) in broadcast_pair()) {
        let Some(out) = broadcast_ref(&a, &b) else { return Ok(()) };
        let (ta, tb) = (iota(&a), iota(&b));
        let tb = binary(BinaryOp::Mul, &tb, &Tensor::scalar(1000.0)).unwrap();
        let y = binary(BinaryOp::Add, &ta, &tb).unwrap();
        prop_assert_eq!(y.dims(), &out[..]);
        let r = out.len();
        for k in 0..y.size() {
            let idx = unravel(k, &out);
            let pick = |d: &[usize]| -> usize {
                let off = r - d.len();
                let i: Vec<usize> = d.iter().enumerate().map(|(j, &dj)| if dj == 1 { 0 } else { idx[off + j] }).collect();
                flat(&i, d)
            };
            let want = ta.data()[pick(&a)] + tb.data()[pick(&b)];
            prop_assert_eq!(y.data()[k], want);
        }
    }

    /// A shape is valid exactly when every dim fits u32 and the product of the non-zero dims
    /// fits the address space in bytes; otherwise an error, never a panic.
    #[test]
    fn shape_validity(dims in prop::collection::vec(prop_oneof![0usize..5, Just(MAX_DIM), Just(MAX_DIM + 1), 1usize << 20..1usize << 34], 0..6)) {
        let fits = dims.iter().all(|&d| d <= MAX_DIM)
            && dims.iter().try_fold(1u128, |n, &d| Some(n * d.max(1) as u128).filter(|&n| n * 4 <= isize::MAX as u128)).is_some();
        prop_assert_eq!(Shape::new("t", &dims).is_ok(), fits, "dims {:?}", dims);
    }

    #[test]
    fn tile_matches_reference(dims in dims_strategy(4, 3), reps in prop::collection::vec(0i64..4, 4)) {
        let x = iota(&dims);
        let reps = &reps[..dims.len()];
        let y = tile(&x, reps).unwrap();
        let want: Vec<usize> = dims.iter().zip(reps).map(|(&d, &r)| d * r as usize).collect();
        prop_assert_eq!(y.dims(), &want[..]);
        for k in 0..y.size() {
            let idx: Vec<usize> = unravel(k, &want).iter().zip(&dims).map(|(i, d)| i % d).collect();
            prop_assert_eq!(y.data()[k], x.data()[flat(&idx, &dims)]);
        }
    }

    /// Tiling a zero-size tensor past the largest dimension is an error (it returned a
    /// saturated dimension); within it, the result is the tiled zero-size shape. (Zero-size
    /// inputs only, so no case allocates gigabytes.)
    #[test]
    fn tile_overflow_is_an_error(dims in prop::collection::vec(0usize..=3, 1..=3), zero in any::<prop::sample::Index>(), big in (1i64 << 28)..(1i64 << 40)) {
        let mut dims = dims;
        let z = zero.index(dims.len());
        dims[z] = 0;
        let x = iota(&dims);
        let reps: Vec<i64> = dims.iter().map(|_| big).collect();
        let want: Vec<u128> = dims.iter().map(|&d| d as u128 * big as u128).collect();
        // A repetition count is itself a dimension-sized number: past u32 it is an error.
        let fits = big as u128 <= MAX_DIM as u128
            && want.iter().all(|&d| d <= MAX_DIM as u128)
            && want.iter().map(|&d| d.max(1)).product::<u128>() * 4 <= isize::MAX as u128;
        match tile(&x, &reps) {
            Ok(y) => {
                prop_assert!(fits, "dims {:?} reps {} gave {:?}", dims, big, y.dims());
                prop_assert_eq!(y.dims().iter().map(|&d| d as u128).collect::<Vec<_>>(), want);
                prop_assert_eq!(y.size(), 0);
            }
            Err(e) => prop_assert!(!fits, "dims {:?} reps {}: {}", dims, big, e),
        }
    }

    /// concat equals the reference interleaving, and slicing each piece back out of the
    /// result returns it.
    #[test]
    fn concat_then_slice_round_trips(base in prop::collection::vec(0usize..=3, 1..=4), axis_pick in any::<prop::sample::Index>(), lens in prop::collection::vec(0usize..4, 1..4)) {
        let ax = axis_pick.index(base.len());
        let mut parts = Vec::new();
        for (i, &l) in lens.iter().enumerate() {
            let mut d = base.clone();
            d[ax] = l;
            let t = binary(BinaryOp::Add, &iota(&d), &Tensor::scalar(1000.0 * i as f32)).unwrap();
            parts.push(t);
        }
        let refs: Vec<&Tensor> = parts.iter().collect();
        let y = concat(&refs, ax as i64).unwrap();
        let mut want = base.clone();
        want[ax] = lens.iter().sum();
        prop_assert_eq!(y.dims(), &want[..]);
        let mut begin = vec![0i64; base.len()];
        for p in &parts {
            let size: Vec<i64> = p.dims().iter().map(|&d| d as i64).collect();
            let s = slice(&y, &begin, &size).unwrap();
            prop_assert_eq!(s.data(), p.data());
            begin[ax] += p.dims()[ax] as i64;
        }
    }

    #[test]
    fn slice_matches_reference(dims in dims_strategy(4, 4), picks in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 4)) {
        let x = iota(&dims);
        let (mut begin, mut size) = (Vec::new(), Vec::new());
        for (&d, (b, s)) in dims.iter().zip(&picks) {
            let b = b.index(d + 1);
            begin.push(b as i64);
            size.push(s.index(d - b + 1) as i64);
        }
        let y = slice(&x, &begin, &size).unwrap();
        let out: Vec<usize> = size.iter().map(|&s| s as usize).collect();
        prop_assert_eq!(y.dims(), &out[..]);
        for k in 0..y.size() {
            let idx: Vec<usize> = unravel(k, &out).iter().zip(&begin).map(|(i, &b)| i + b as usize).collect();
            prop_assert_eq!(y.data()[k], x.data()[flat(&idx, &dims)]);
        }
    }

    /// reverse flips exactly the listed axes, and twice is the identity.
    #[test]
    fn reverse_matches_reference(dims in dims_strategy(4, 4), mask in 0u32..16) {
        let x = iota(&dims);
        let axes: Vec<i64> = (0..dims.len() as i64).filter(|a| mask & (1 << a) != 0).collect();
        let y = reverse(&x, &axes).unwrap();
        prop_assert_eq!(y.dims(), &dims[..]);
        for k in 0..y.size() {
            let idx: Vec<usize> = unravel(k, &dims).iter().enumerate().map(|(a, &i)| if axes.contains(&(a as i64)) { dims[a] - 1 - i } else { i }).collect();
            prop_assert_eq!(y.data()[k], x.data()[flat(&idx, &dims)]);
        }
        prop_assert_eq!(reverse(&y, &axes).unwrap(), x);
    }

    /// pad places x at `before` in a field of the value; its backward takes x back out.
    #[test]
    fn pad_matches_reference(dims in dims_strategy(4, 3), p in prop::collection::vec((0i64..3, 0i64..3), 4)) {
        let x = iota(&dims);
        let paddings: Vec<[i64; 2]> = p[..dims.len()].iter().map(|&(b, a)| [b, a]).collect();
        let y = pad(&x, &paddings, -1.0).unwrap();
        let out: Vec<usize> = dims.iter().zip(&paddings).map(|(&d, p)| d + (p[0] + p[1]) as usize).collect();
        prop_assert_eq!(y.dims(), &out[..]);
        for k in 0..y.size() {
            let idx = unravel(k, &out);
            let inside: Option<Vec<usize>> = idx.iter().zip(&paddings).zip(&dims).map(|((&i, p), &d)| i.checked_sub(p[0] as usize).filter(|&j| j < d)).collect();
            let want = inside.map_or(-1.0, |j| x.data()[flat(&j, &dims)]);
            prop_assert_eq!(y.data()[k], want);
        }
        prop_assert_eq!(pad_backward(x.shape(), &paddings, &y).unwrap(), x);
    }

    /// cumsum of integers (exact in float32) against running sums written out, every mode.
    #[test]
    fn cumsum_matches_reference(dims in prop::collection::vec(0usize..=4, 1..=4), pick in any::<prop::sample::Index>(), exclusive in any::<bool>(), rev in any::<bool>()) {
        let x = iota(&dims);
        let axis = pick.index(dims.len());
        let y = cumsum(&x, axis as i64, exclusive, rev).unwrap();
        for k in 0..y.size() {
            let idx = unravel(k, &dims);
            let j = idx[axis];
            let range: Vec<usize> = match (exclusive, rev) {
                (false, false) => (0..=j).collect(),
                (true, false) => (0..j).collect(),
                (false, true) => (j..dims[axis]).collect(),
                (true, true) => (j + 1..dims[axis]).collect(),
            };
            let want: f32 = range.iter().map(|&t| { let mut i = idx.clone(); i[axis] = t; x.data()[flat(&i, &dims)] }).sum();
            prop_assert_eq!(y.data()[k], want);
        }
    }

    /// reshape to a random regrouping (with or without a −1) and back is the identity.
    #[test]
    fn reshape_round_trips(dims in dims_strategy(4, 4), infer in any::<bool>()) {
        let x = iota(&dims);
        let n = x.size();
        let target: Vec<i64> = if n == 0 { vec![0, 3] } else if infer { vec![-1, 1] } else { vec![n as i64] };
        let y = reshape(&x, &target).unwrap();
        prop_assert_eq!(y.size(), n);
        let back: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
        let z = reshape(&y, &back).unwrap();
        prop_assert_eq!(z, x);
    }

    /// transpose agrees with the index mapping, and the inverse permutation undoes it.
    #[test]
    fn transpose_matches_reference_and_inverts(dims in dims_strategy(5, 3), seed in any::<u64>()) {
        let x = iota(&dims);
        let r = dims.len();
        // A permutation from the seed (Fisher–Yates).
        let mut p: Vec<usize> = (0..r).collect();
        let mut s = seed | 1;
        for i in (1..r).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            p.swap(i, (s >> 33) as usize % (i + 1));
        }
        let pi: Vec<i64> = p.iter().map(|&v| v as i64).collect();
        let y = transpose(&x, Some(&pi)).unwrap();
        let out: Vec<usize> = p.iter().map(|&a| dims[a]).collect();
        prop_assert_eq!(y.dims(), &out[..]);
        for k in 0..y.size() {
            let oi = unravel(k, &out);
            let mut xi = vec![0; r];
            for (j, &a) in p.iter().enumerate() {
                xi[a] = oi[j];
            }
            prop_assert_eq!(y.data()[k], x.data()[flat(&xi, &dims)]);
        }
        let mut inv = vec![0i64; r];
        for (j, &a) in p.iter().enumerate() {
            inv[a] = j as i64;
        }
        prop_assert_eq!(transpose(&y, Some(&inv)).unwrap(), x);
    }

    /// Requested shapes past u32 or whose product overflows are errors (on wasm32 a
    /// truncating cast turned 2³² + 6 into 6).
    #[test]
    fn reshape_rejects_absurd_targets(d in (1i64 << 32)..(1i64 << 40), extra in 0i64..4) {
        let x = iota(&[6]);
        prop_assert!(reshape(&x, &[d + extra]).is_err());
        let e = iota(&[0]);
        prop_assert!(reshape(&e, &[0, d, d]).is_err());
        prop_assert!(reshape(&e, &[-1, d]).is_err());
    }

    /// Resizing to the same size is the identity for every option (each source lands on a
    /// pixel with weight 0); nearest resizing by whole factors repeats each pixel as a block;
    /// and backward is the adjoint of forward (⟨dy, f(x)⟩ = ⟨f*(dy), x⟩) at any sizes.
    #[test]
    fn resize_identity_blocks_and_adjoint(n in 0usize..3, h in 1usize..6, w in 1usize..6, c in 1usize..3, a in 1usize..4, b in 1usize..4,
                                          nh in 0usize..9, nw in 0usize..9, bilinear in any::<bool>(), opt in 0u8..3) {
        let (align_corners, half_pixel_centers) = [(false, false), (true, false), (false, true)][opt as usize];
        let x = iota(&[n, h, w, c]);
        let same = Resize { size: [h, w], bilinear, align_corners, half_pixel_centers };
        prop_assert_eq!(resize(&x, same).unwrap(), x.clone());
        let blocks = resize(&x, Resize { size: [h * a, w * b], bilinear: false, align_corners: false, half_pixel_centers: false }).unwrap();
        for (k, &v) in blocks.data().iter().enumerate() {
            let [s, i, j, ch] = unravel(k, blocks.dims())[..] else { unreachable!() };
            prop_assert_eq!(v, x.data()[flat(&[s, i / a, j / b, ch], &[n, h, w, c])]);
        }
        let r = Resize { size: [nh, nw], bilinear, align_corners, half_pixel_centers };
        let xs: Vec<f32> = (0..x.size()).map(|i| ((i as f32) * 0.73).sin()).collect();
        let x = Tensor::new("t", x.shape().clone(), xs).unwrap();
        let y = resize(&x, r).unwrap();
        let g = Tensor::new("t", y.shape().clone(), (0..y.size()).map(|i| ((i as f32) * 0.41).cos()).collect()).unwrap();
        let dx = resize_backward(x.shape(), r, &g).unwrap();
        let dot = |p: &[f32], q: &[f32]| p.iter().zip(q).map(|(&u, &v)| u as f64 * v as f64).sum::<f64>();
        let (lhs, rhs) = (dot(g.data(), y.data()), dot(dx.data(), x.data()));
        prop_assert!((lhs - rhs).abs() < 1e-4 * (1.0 + lhs.abs()), "{:?}: {} vs {}", r, lhs, rhs);
    }

    /// mirrorPad keeps x in the middle (the slice at `before`), every output entry is an entry
    /// of x, and backward is the adjoint, for both modes at any valid paddings.
    #[test]
    fn mirror_pad_middle_entries_and_adjoint(dims in prop::collection::vec(1usize..5, 1..4), symmetric in any::<bool>(), seed in any::<u64>()) {
        let mut s = seed;
        let mut next = |n: usize| { s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); ((s >> 33) as usize) % n };
        let p: Vec<[i64; 2]> = dims.iter().map(|&d| { let m = if symmetric { d } else { d - 1 }; [next(m + 1) as i64, next(m + 1) as i64] }).collect();
        let x = iota(&dims);
        let y = mirror_pad(&x, &p, symmetric).unwrap();
        let before: Vec<i64> = p.iter().map(|q| q[0]).collect();
        let size: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
        prop_assert_eq!(slice(&y, &before, &size).unwrap(), x.clone());
        prop_assert!(y.data().iter().all(|&v| v >= 0.0 && (v as usize) < x.size() && v.fract() == 0.0));
        let g = Tensor::new("t", y.shape().clone(), (0..y.size()).map(|i| ((i as f32) * 0.41).cos()).collect()).unwrap();
        let dx = mirror_pad_backward(x.shape(), &p, symmetric, &g).unwrap();
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(&u, &v)| u as f64 * v as f64).sum::<f64>();
        let (lhs, rhs) = (dot(g.data(), y.data()), dot(dx.data(), x.data()));
        prop_assert!((lhs - rhs).abs() < 1e-3 * (1.0 + lhs.abs()), "{:?} {:?}: {} vs {}", dims, p, lhs, rhs);
    }
}
