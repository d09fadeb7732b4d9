//! The wasm32 simd128 twins of the bilinear passes in `lerp.rs`: same signatures, the same
//! expressions two f64 lanes at a time (`f32x4.promote`/`demote` are the exact conversions of
//! `as f64`/`as f32`; separate `f64x2.sub`, `mul`, `add`), the scalar reference on the tail, so
//! the same bits (checked from JS against TF.js's CPU kernel by `test/resize.test.ts`).

use core::arch::wasm32::*;

use super::lerp::scalar;

/// Two f32 (`p[0..2]`) as two f64 lanes.
#[inline(always)]
fn load2(p: &[f32; 2]) -> v128 {
    // SAFETY: `p` is 8 readable bytes; wasm loads need no alignment.
    f64x2_promote_low_f32x4(unsafe { v128_load64_zero(p.as_ptr().cast()) })
}

/// The simd128 twin of `scalar::lerp_cols`: the channels two at a time (one pixel's), the odd
/// channel by the scalar rule.
pub fn lerp_cols(row: &[f32], cols: &[(usize, usize, f64)], c: usize, out: &mut [f64]) {
    let t = c - c % 2;
    for (out, &(x0, x1, fx)) in out.chunks_exact_mut(c).zip(cols) {
        let (a, b) = (&row[x0 * c..][..c], &row[x1 * c..][..c]);
        let f = f64x2_splat(fx);
        let (oc, _) = out.as_chunks_mut::<2>();
        for ((o, a), b) in oc.iter_mut().zip(a.as_chunks::<2>().0).zip(b.as_chunks::<2>().0) {
            let a = load2(a);
            let v = f64x2_add(a, f64x2_mul(f64x2_sub(load2(b), a), f));
            // SAFETY: `o` is 16 writable bytes; wasm stores need no alignment.
            unsafe { v128_store(o.as_mut_ptr().cast(), v) };
        }
        if t < c {
            let a = a[t] as f64;
            out[t] = a + (b[t] as f64 - a) * fx;
        }
    }
}

/// The simd128 twin of `scalar::lerp_rows`: four values at a time (two f64 pairs, demoted and
/// joined into one f32x4).
pub fn lerp_rows(top: &[f64], bottom: &[f64], f: f64, out: &mut [f32]) {
    let n = out.len().min(top.len()).min(bottom.len());
    let t = n - n % 4;
    let fv = f64x2_splat(f);
    let (oc, _) = out[..t].as_chunks_mut::<4>();
    for ((o, tp), bt) in oc.iter_mut().zip(top[..t].as_chunks::<4>().0).zip(bottom[..t].as_chunks::<4>().0) {
        // SAFETY: `tp` and `bt` are 32 readable bytes, `o` 16 writable; no alignment needed.
        unsafe {
            let (t0, t1) = (v128_load(tp.as_ptr().cast()), v128_load(tp.as_ptr().add(2).cast()));
            let (b0, b1) = (v128_load(bt.as_ptr().cast()), v128_load(bt.as_ptr().add(2).cast()));
            let r0 = f32x4_demote_f64x2_zero(f64x2_add(t0, f64x2_mul(f64x2_sub(b0, t0), fv)));
            let r1 = f32x4_demote_f64x2_zero(f64x2_add(t1, f64x2_mul(f64x2_sub(b1, t1), fv)));
            v128_store(o.as_mut_ptr().cast(), i64x2_shuffle::<0, 2>(r0, r1));
        }
    }
    scalar::lerp_rows(&top[t..], &bottom[t..], f, &mut out[t..]);
}
