//! The wasm32 simd128 twins of the normalization kernels in `norm.rs`: same signatures, the
//! same expression per feature 4 features at a time (separate `f32x4.mul` and `f32x4.add`),
//! the scalar reference on the tail, so the same bits.

use core::arch::wasm32::*;

use super::norm::scalar;
use super::simd128_elementwise::{load, store};

/// The 4-feature blocks of a row-long parameter.
#[inline(always)]
fn quads(v: &[f32]) -> &[[f32; 4]] {
    v.as_chunks::<4>().0
}

/// Where the tail starts (the features after the last whole block of 4).
#[inline(always)]
fn tail(len: usize) -> usize {
    len - len % 4
}

/// The simd128 twin of `scalar::normalize`.
pub fn normalize(x: &mut [f32], h: Option<&mut [f32]>, m: &[f32], s: &[f32], g: &[f32], b: &[f32]) {
    let t = tail(x.len());
    let (xc, _) = x.as_chunks_mut::<4>();
    let params = quads(m).iter().zip(quads(s)).zip(quads(g)).zip(quads(b));
    match h {
        Some(h) => {
            let (hc, _) = h.as_chunks_mut::<4>();
            for ((x, h), (((m, s), g), b)) in xc.iter_mut().zip(hc.iter_mut()).zip(params) {
                let hv = f32x4_mul(f32x4_sub(load(x), load(m)), load(s));
                store(h, hv);
                store(x, f32x4_add(f32x4_mul(load(g), hv), load(b)));
            }
            scalar::normalize(&mut x[t..], Some(&mut h[t..]), &m[t..], &s[t..], &g[t..], &b[t..]);
        }
        None => {
            for (x, (((m, s), g), b)) in xc.iter_mut().zip(params) {
                let hv = f32x4_mul(f32x4_sub(load(x), load(m)), load(s));
                store(x, f32x4_add(f32x4_mul(load(g), hv), load(b)));
            }
            scalar::normalize(&mut x[t..], None, &m[t..], &s[t..], &g[t..], &b[t..]);
        }
    }
}

/// The simd128 twin of `scalar::normalize_inference`.
pub fn normalize_inference(x: &mut [f32], m: &[f32], s: &[f32], g: &[f32], b: &[f32]) {
    let t = tail(x.len());
    let (xc, _) = x.as_chunks_mut::<4>();
    for (x, (((m, s), g), b)) in xc.iter_mut().zip(quads(m).iter().zip(quads(s)).zip(quads(g)).zip(quads(b))) {
        let v = f32x4_mul(f32x4_mul(load(g), f32x4_sub(load(x), load(m))), load(s));
        store(x, f32x4_add(v, load(b)));
    }
    scalar::normalize_inference(&mut x[t..], &m[t..], &s[t..], &g[t..], &b[t..]);
}

/// The simd128 twin of `scalar::standardize`.
pub fn standardize(h: &mut [f32], x: &[f32], m: &[f32], s: &[f32]) {
    let t = tail(h.len());
    let (hc, _) = h.as_chunks_mut::<4>();
    for (h, ((x, m), s)) in hc.iter_mut().zip(quads(x).iter().zip(quads(m)).zip(quads(s))) {
        store(h, f32x4_mul(f32x4_sub(load(x), load(m)), load(s)));
    }
    scalar::standardize(&mut h[t..], &x[t..], &m[t..], &s[t..]);
}

/// The simd128 twin of `scalar::acc_dot`.
pub fn acc_dot(acc: &mut [f32], a: &[f32], b: &[f32]) {
    let t = tail(acc.len());
    let (ac, _) = acc.as_chunks_mut::<4>();
    for (acc, (a, b)) in ac.iter_mut().zip(quads(a).iter().zip(quads(b))) {
        store(acc, f32x4_add(load(acc), f32x4_mul(load(a), load(b))));
    }
    scalar::acc_dot(&mut acc[t..], &a[t..], &b[t..]);
}

/// The simd128 twin of `scalar::input_grad`.
pub fn input_grad(o: &mut [f32], d: &[f32], h: &[f32], k: &[f32], n: f32, sd: &[f32], sdh: &[f32]) {
    let t = tail(o.len());
    let nv = f32x4_splat(n);
    let (oc, _) = o.as_chunks_mut::<4>();
    let ins = quads(d).iter().zip(quads(h)).zip(quads(k)).zip(quads(sd)).zip(quads(sdh));
    for (o, ((((d, h), k), sd), sdh)) in oc.iter_mut().zip(ins) {
        let inner = f32x4_sub(f32x4_sub(f32x4_mul(nv, load(d)), load(sd)), f32x4_mul(load(h), load(sdh)));
        store(o, f32x4_mul(load(k), inner));
    }
    scalar::input_grad(&mut o[t..], &d[t..], &h[t..], &k[t..], n, &sd[t..], &sdh[t..]);
}
