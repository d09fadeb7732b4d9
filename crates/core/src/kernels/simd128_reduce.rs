//! The wasm32 simd128 twins of the reduction kernels in `reduce.rs`: same signatures, same
//! bits. `sum` keeps four `f32x4` accumulators, which is the 16-lane order documented there:
//!
//! ```text
//! part[k] += x[16j + 4k .. 16j + 4k + 4]         k < 4, for each whole 16-block j of a group of 32
//! acc[k] += part[k]                              after each group
//! l = (acc[0] + acc[1]) + (acc[2] + acc[3])      lane i = (a[i]+a[4+i]) + (a[8+i]+a[12+i])
//! sum = ((l0 + l1) + (l2 + l3)) + tail, in order
//! ```

use core::arch::wasm32::*;

use super::elementwise::{max_f32, min_f32};
use super::simd128_elementwise::{load, store};

#[inline(always)]
fn lanes(v: v128) -> [f32; 4] {
    [f32x4_extract_lane::<0>(v), f32x4_extract_lane::<1>(v), f32x4_extract_lane::<2>(v), f32x4_extract_lane::<3>(v)]
}

/// The 16-lane sum of `f(x)`; `s` is the same function on one value, for the tail.
#[inline(always)]
fn lanes16(v: &[f32], f: impl Fn(v128) -> v128, s: impl Fn(f32) -> f32) -> f32 {
    let (blocks, tail) = v.as_chunks::<16>();
    let mut acc = [f32x4_splat(0.0); 4];
    for group in blocks.chunks(super::reduce::LANE_BLOCK) {
        let mut part = [f32x4_splat(0.0); 4];
        for block in group {
            let (quads, _) = block.as_chunks::<4>();
            for (p, q) in part.iter_mut().zip(quads) {
                *p = f32x4_add(*p, f(load(q)));
            }
        }
        for (a, p) in acc.iter_mut().zip(part) {
            *a = f32x4_add(*a, p);
        }
    }
    let l = lanes(f32x4_add(f32x4_add(acc[0], acc[1]), f32x4_add(acc[2], acc[3])));
    let mut total = (l[0] + l[1]) + (l[2] + l[3]);
    for &x in tail {
        total += s(x);
    }
    total
}

/// The simd128 twin of `scalar::sum`.
pub fn sum(v: &[f32]) -> f32 {
    lanes16(v, |x| x, |x| x)
}

/// The simd128 twin of `scalar::sum_sq_dev`.
pub fn sum_sq_dev(v: &[f32], m: f32) -> f32 {
    let mv = f32x4_splat(m);
    lanes16(
        v,
        |x| {
            let d = f32x4_sub(x, mv);
            f32x4_mul(d, d)
        },
        |x| (x - m) * (x - m),
    )
}

/// The simd128 twin of `scalar::sum_dev`.
pub fn sum_dev(v: &[f32], m: f32) -> f32 {
    let mv = f32x4_splat(m);
    lanes16(v, |x| f32x4_sub(x, mv), |x| x - m)
}

/// Folds with a lane op `vf` and its scalar twin `s`, from `init`. Four accumulators keep
/// four independent chains in flight (`f32x4.max` is several instructions on x86).
#[inline(always)]
fn fold(v: &[f32], init: f32, vf: impl Fn(v128, v128) -> v128, s: impl Fn(f32, f32) -> f32) -> f32 {
    let (blocks, tail) = v.as_chunks::<16>();
    let mut acc = [f32x4_splat(init); 4];
    for block in blocks {
        let (quads, _) = block.as_chunks::<4>();
        for (a, q) in acc.iter_mut().zip(quads) {
            *a = vf(*a, load(q));
        }
    }
    let l = lanes(vf(vf(acc[0], acc[1]), vf(acc[2], acc[3])));
    let r = s(s(l[0], l[1]), s(l[2], l[3]));
    tail.iter().fold(r, |a, &x| s(a, x))
}

/// The simd128 twin of `scalar::max` (`f32x4.max` is NaN-propagating with `+0 > −0`).
pub fn max(v: &[f32]) -> f32 {
    fold(v, f32::NEG_INFINITY, |a, b| f32x4_max(a, b), max_f32)
}

/// The simd128 twin of `scalar::shift_max`.
pub fn shift_max(v: &[f32]) -> f32 {
    fold(v, f32::NEG_INFINITY, |a, b| f32x4_pmax(a, b), super::reduce::scalar::pmax)
}

/// The simd128 twin of `scalar::min`.
pub fn min(v: &[f32]) -> f32 {
    fold(v, f32::INFINITY, |a, b| f32x4_min(a, b), min_f32)
}

/// The simd128 twin of `scalar::first_of`: 16 values at a time tested for any match, the
/// matching block then searched by the reference.
pub fn first_of(v: &[f32], m: f32) -> usize {
    let nan = m.is_nan();
    let mv = f32x4_splat(m);
    let hit = |q: &[f32; 4]| {
        let x = load(q);
        if nan { f32x4_ne(x, x) } else { f32x4_eq(x, mv) }
    };
    let (blocks, _) = v.as_chunks::<16>();
    for (b, block) in blocks.iter().enumerate() {
        let (q, _) = block.as_chunks::<4>();
        if v128_any_true(v128_or(v128_or(hit(&q[0]), hit(&q[1])), v128_or(hit(&q[2]), hit(&q[3])))) {
            return b * 16 + super::reduce::scalar::first_of(block, m);
        }
    }
    let done = blocks.len() * 16;
    match v[done..].iter().position(|&x| x == m || (nan && x.is_nan())) {
        Some(i) => done + i,
        None => 0,
    }
}

/// `acc = f(acc, x)` in place, 4 lanes at a time.
#[inline(always)]
fn update(acc: &mut [f32], x: &[f32], vf: impl Fn(v128, v128) -> v128, s: impl Fn(f32, f32) -> f32) {
    let (ac, at) = acc.as_chunks_mut::<4>();
    let (xc, xt) = x.as_chunks::<4>();
    // Four 4-lane chunks per iteration (unrolled here, as `simd128_elementwise::zip`).
    let m = ac.len().min(xc.len());
    let ((a4, a1), (x4, x1)) = (ac[..m].as_chunks_mut::<4>(), xc[..m].as_chunks::<4>());
    a4.iter_mut().zip(x4).for_each(|(a, x)| (0..4).for_each(|i| {
        let v = vf(load(&a[i]), load(&x[i]));
        store(&mut a[i], v)
    }));
    a1.iter_mut().zip(x1).for_each(|(a, x)| store(a, vf(load(a), load(x))));
    at.iter_mut().zip(xt).for_each(|(a, &x)| *a = s(*a, x));
}

/// The simd128 twin of `scalar::acc_add`.
pub fn acc_add(acc: &mut [f32], x: &[f32]) {
    update(acc, x, |a, b| f32x4_add(a, b), |a, b| a + b)
}

/// The simd128 twin of `scalar::acc_mul`.
pub fn acc_mul(acc: &mut [f32], x: &[f32]) {
    update(acc, x, |a, b| f32x4_mul(a, b), |a, b| a * b)
}

/// The simd128 twin of `scalar::acc_max`.
pub fn acc_max(acc: &mut [f32], x: &[f32]) {
    update(acc, x, |a, b| f32x4_max(a, b), max_f32)
}

/// The simd128 twin of `scalar::acc_min`.
pub fn acc_min(acc: &mut [f32], x: &[f32]) {
    update(acc, x, |a, b| f32x4_min(a, b), min_f32)
}

/// The simd128 twin of `scalar::acc_sq_dev`.
pub fn acc_sq_dev(acc: &mut [f32], x: &[f32], m: &[f32]) {
    let (ac, at) = acc.as_chunks_mut::<4>();
    let ((xc, xt), (mc, mt)) = (x.as_chunks::<4>(), m.as_chunks::<4>());
    for ((a, x), m) in ac.iter_mut().zip(xc).zip(mc) {
        let d = f32x4_sub(load(x), load(m));
        store(a, f32x4_add(load(a), f32x4_mul(d, d)));
    }
    for ((a, &x), &m) in at.iter_mut().zip(xt).zip(mt) {
        *a += (x - m) * (x - m);
    }
}

/// The simd128 twin of `scalar::acc_dev`.
pub fn acc_dev(acc: &mut [f32], x: &[f32], m: &[f32]) {
    let (ac, at) = acc.as_chunks_mut::<4>();
    let ((xc, xt), (mc, mt)) = (x.as_chunks::<4>(), m.as_chunks::<4>());
    for ((a, x), m) in ac.iter_mut().zip(xc).zip(mc) {
        store(a, f32x4_add(load(a), f32x4_sub(load(x), load(m))));
    }
    for ((a, &x), &m) in at.iter_mut().zip(xt).zip(mt) {
        *a += x - m;
    }
}
