//! Separable 2-D discrete wavelet transforms in lifting form: Haar, CDF 5/3 (integer,
//! exactly reversible: the JPEG 2000 lossless filter) and CDF 9/7 (the JPEG 2000 lossy
//! filter), with whole-sample symmetric extension at the borders, on any size.
//!
//! A 1-D step splits a line of `n` samples into `⌈n/2⌉` low-pass then `⌊n/2⌋` high-pass
//! coefficients. A 2-D level transforms every row then every column of the current region;
//! the next level works on its low-pass (top-left, `⌈h/2⌉ × ⌈w/2⌉`) quadrant (the Mallat
//! layout, as in JPEG 2000). A line of one sample is left as it is.
//!
//! Scaling: Haar and CDF 9/7 have low-pass gain √2 at DC and high-pass gain √2 at Nyquist.
//! Haar is then exactly orthonormal at even sizes; the last sample of an odd line pairs with
//! its own mirror image (the symmetric extension the other two wavelets use, and PyWavelets'
//! `symmetric` and `periodization` modes), so its low-pass coefficient is the sample times √2
//! and a constant line has no detail at any level. (Until 0.1.0's session 42 it passed through
//! unscaled, which kept Haar orthonormal at odd sizes but gave a constant signal detail
//! coefficients from the second level on.) CDF 9/7 is biorthogonal, so only nearly so: on a line its singular values lie
//! within about 0.66..1.41 and its synthesis basis vectors have norms 0.75..1.23 at odd
//! lengths, 0.9..1.18 at even ones (2-D: the products, 0.55..1.25 at odd sizes, up to 1.66 at
//! the borders of even ones), so one quantisation step suits every subband.
//!
//! Energy is not preserved exactly: at an even length a constant line keeps its energy, but at an odd length `n` its `(n+1)/2` low-pass coefficients all
//! have gain √2 — both end samples are on the mirror axes of the symmetric extension, where a
//! coefficient stands for half a sample — so a constant or smooth image's energy grows by
//! `(n+1)/n` per odd side per level (7 × 7, one level: 1.31; 3 × 3: 1.78; 9 × 9 at three
//! levels: 3.16), while the synthesis vectors of those end coefficients shrink to match
//! (norm 0.75..0.9 on a line), so their quantisation errors cost less, not more. This is
//! JPEG 2000's transform (the filter bank of ITU-T T.800 Table F.4 with whole-sample symmetric extension;
//! see the tests). Rescaling the end coefficients to keep a constant's energy (as Haar's pass-
//! through does) makes a constant image leak into the next level's detail bands and, over
//! three levels, puts synthesis norms up to 1.8 (an error there costs 3.2× in MSE), so it is
//! not done.
//!
//! CDF 5/3 works on integers (`floor` in each lifting step) and is unscaled, so its inverse
//! restores integer input bit for bit.

use crate::{Error, Result, Shape, Tensor};
use crate::error::js_number;

/// Which wavelet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wavelet {
    Haar,
    Cdf53,
    Cdf97,
}

impl Wavelet {
    pub const NAMES: [&'static str; 3] = ["haar", "cdf53", "cdf97"];
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(id: u32, op: &'static str) -> Result<Wavelet> {
        match id {
            0 => Ok(Wavelet::Haar),
            1 => Ok(Wavelet::Cdf53),
            2 => Ok(Wavelet::Cdf97),
            _ => Err(Error::invalid(op, format!("unknown wavelet id {id} (haar = 0, cdf53 = 1, cdf97 = 2)"))),
        }
    }
}

const ALPHA: f32 = -1.586_134_3;
const BETA: f32 = -0.052_980_118;
const GAMMA: f32 = 0.882_911_1;
const DELTA: f32 = 0.443_506_87;
const K: f32 = 1.230_174_1;
const SQRT2: f32 = std::f32::consts::SQRT_2;

#[inline]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn lift_odd(x: &mut [f32], c: f32) {
    let n = x.len();
    let mut i = 1;
    while i < n {
        let right = if i + 1 < n { x[i + 1] } else { x[i - 1] };
        x[i] += c * (x[i - 1] + right);
        i += 2;
    }
}

#[inline]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn lift_even(x: &mut [f32], c: f32) {
    let n = x.len();
    let mut i = 0;
    while i < n {
        let left = if i > 0 { x[i - 1] } else { x[i + 1] };
        let right = if i + 1 < n { x[i + 1] } else { x[i - 1] };
        x[i] += c * (left + right);
        i += 2;
    }
}

/// The transpose of [`lift_odd`]: each odd sample adds `c ×` itself to the even samples it was
/// lifted from (twice to its left neighbour at the end of an even-length line).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn lift_odd_t(x: &mut [f32], c: f32) {
    let n = x.len();
    let mut i = 1;
    while i < n {
        let v = c * x[i];
        x[i - 1] += v;
        x[if i + 1 < n { i + 1 } else { i - 1 }] += v;
        i += 2;
    }
}

/// The transpose of [`lift_even`].
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn lift_even_t(x: &mut [f32], c: f32) {
    let n = x.len();
    let mut i = 0;
    while i < n {
        let v = c * x[i];
        x[if i > 0 { i - 1 } else { i + 1 }] += v;
        x[if i + 1 < n { i + 1 } else { i - 1 }] += v;
        i += 2;
    }
}

/// What a pass of [`plane`] applies: a transform, or the transpose (adjoint) of one, which is
/// its gradient (the wavelets are linear; CDF 9/7 is not orthogonal, so its adjoint is not
/// its inverse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    Forward,
    Inverse,
    /// The transpose of the forward transform (the gradient of `forward2d`).
    ForwardT,
    /// The transpose of the inverse transform (the gradient of `inverse2d`).
    InverseT,
}

/// The 1-D step of `pass` on `line` (n ≥ 2, overwritten), result in `out`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn apply_line(pass: Pass, w: Wavelet, line: &mut [f32], out: &mut [f32], exact: &mut bool) {
    match pass {
        Pass::Forward => forward_line(w, line, out, exact),
        Pass::Inverse => inverse_line(w, line, out, exact),
        Pass::ForwardT => forward_line_t(w, line, out),
        Pass::InverseT => inverse_line_t(w, line, out),
    }
}

/// Fᵀ for the forward step F = scale · split · lifts: the scales, the interleave (the split's
/// transpose, its inverse), then the lifts transposed in reverse order. `y` is `[low…, high…]`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn forward_line_t(w: Wavelet, y: &[f32], x: &mut [f32]) {
    let n = y.len();
    let (ks, kd) = if w == Wavelet::Cdf97 { (SQRT2 / K, K / SQRT2) } else { (1.0, 1.0) };
    interleave(y, x, ks, kd);
    if w == Wavelet::Haar {
        // Each pair's rotation is orthogonal (its transpose is its inverse); the odd end's
        // scaling by √2 is its own transpose.
        haar_pairs(x, true);
        if n % 2 == 1 {
            x[n - 1] *= SQRT2;
        }
    } else {
        lift_even_t(x, DELTA);
        lift_odd_t(x, GAMMA);
        lift_even_t(x, BETA);
        lift_odd_t(x, ALPHA);
    }
}

/// Iᵀ for the inverse step I = lifts⁻¹ · interleave · scale: the inverse lifts transposed in
/// reverse order, the split, then the scales. Returns `[low…, high…]` in `y`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn inverse_line_t(w: Wavelet, x: &mut [f32], y: &mut [f32]) {
    let n = x.len();
    let (ks, kd) = if w == Wavelet::Cdf97 {
        lift_odd_t(x, -ALPHA);
        lift_even_t(x, -BETA);
        lift_odd_t(x, -GAMMA);
        lift_even_t(x, -DELTA);
        (K / SQRT2, SQRT2 / K)
    } else {
        haar_pairs(x, false);
        if n % 2 == 1 {
            x[n - 1] /= SQRT2;
        }
        (1.0, 1.0)
    };
    split(x, y, ks, kd);
}

/// `x`'s even samples times `ks`, then its odd ones times `kd`, into `out` (`[low…, high…]`).
fn split(x: &[f32], out: &mut [f32], ks: f32, kd: f32) {
    let ns = x.len().div_ceil(2);
    for (k, p) in x.chunks(2).enumerate() {
        out[k] = p[0] * ks;
        if let Some(&d) = p.get(1) {
            out[ns + k] = d * kd;
        }
    }
}

/// The transpose (and inverse) of [`split`]'s reordering: `y = [low…, high…]` back to
/// alternating samples in `x`, the low ones times `ks`, the high ones times `kd`.
fn interleave(y: &[f32], x: &mut [f32], ks: f32, kd: f32) {
    let ns = y.len().div_ceil(2);
    for (k, p) in x.chunks_mut(2).enumerate() {
        p[0] = y[k] * ks;
        if let Some(d) = p.get_mut(1) {
            *d = y[ns + k] * kd;
        }
    }
}

/// Haar's rotation of each pair: `(a, b) → ((a + b)/√2, (b − a)/√2)`, or its inverse (and
/// transpose) `(s, d) → ((s − d)/√2, (s + d)/√2)` when `back`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn haar_pairs(x: &mut [f32], back: bool) {
    for p in x.chunks_exact_mut(2) {
        let (a, b) = (p[0], p[1]);
        if back {
            p[0] = (a - b) / SQRT2;
            p[1] = (a + b) / SQRT2;
        } else {
            p[0] = (a + b) / SQRT2;
            p[1] = (b - a) / SQRT2;
        }
    }
}

/// One forward 1-D step on `x` (n ≥ 2), result `[low…, high…]` in `out`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn forward_line(w: Wavelet, x: &mut [f32], out: &mut [f32], exact: &mut bool) {
    let n = x.len();
    let (ks, kd) = match w {
        Wavelet::Cdf97 => {
            lift_odd(x, ALPHA);
            lift_even(x, BETA);
            lift_odd(x, GAMMA);
            lift_even(x, DELTA);
            (SQRT2 / K, K / SQRT2)
        }
        Wavelet::Haar => {
            haar_pairs(x, false);
            if n % 2 == 1 {
                // The last sample and its mirror image: (a + a)/√2, no detail.
                x[n - 1] *= SQRT2;
            }
            (1.0, 1.0)
        }
        Wavelet::Cdf53 => {
            let mut xi: Vec<i64> = x.iter().map(|&v| v as i64).collect();
            forward53(&mut xi);
            store53(&xi, x, exact);
            (1.0, 1.0)
        }
    };
    split(x, out, ks, kd);
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn inverse_line(w: Wavelet, y: &[f32], x: &mut [f32], exact: &mut bool) {
    let n = y.len();
    let (ks, kd) = match w {
        Wavelet::Cdf97 => (K / SQRT2, SQRT2 / K),
        _ => (1.0, 1.0),
    };
    interleave(y, x, ks, kd);
    match w {
        Wavelet::Cdf97 => {
            lift_even(x, -DELTA);
            lift_odd(x, -GAMMA);
            lift_even(x, -BETA);
            lift_odd(x, -ALPHA);
        }
        Wavelet::Haar => {
            haar_pairs(x, true);
            if n % 2 == 1 {
                x[n - 1] /= SQRT2;
            }
        }
        Wavelet::Cdf53 => {
            let mut xi: Vec<i64> = x.iter().map(|&v| v as i64).collect();
            inverse53(&mut xi);
            store53(&xi, x, exact);
        }
    }
}

/// Stores integer lifting results as float32, clearing `exact` if one has no exact float32
/// (an odd integer past 2^24): then the transform would be rounded, hence not reversible.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn store53(xi: &[i64], x: &mut [f32], exact: &mut bool) {
    for (o, &v) in x.iter_mut().zip(xi) {
        *o = v as f32;
        *exact &= *o as i64 == v;
    }
}

/// CDF 5/3 integer lifting, in place on interleaved samples (n ≥ 2).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn forward53(x: &mut [i64]) {
    let n = x.len();
    let mut i = 1;
    while i < n {
        let right = if i + 1 < n { x[i + 1] } else { x[i - 1] };
        x[i] -= (x[i - 1] + right) >> 1;
        i += 2;
    }
    let mut i = 0;
    while i < n {
        let left = if i > 0 { x[i - 1] } else { x[i + 1] };
        let right = if i + 1 < n { x[i + 1] } else { x[i - 1] };
        x[i] += (left + right + 2) >> 2;
        i += 2;
    }
}

/// Inverse of [`forward53`].
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn inverse53(x: &mut [i64]) {
    let n = x.len();
    let mut i = 0;
    while i < n {
        let left = if i > 0 { x[i - 1] } else { x[i + 1] };
        let right = if i + 1 < n { x[i + 1] } else { x[i - 1] };
        x[i] -= (left + right + 2) >> 2;
        i += 2;
    }
    let mut i = 1;
    while i < n {
        let right = if i + 1 < n { x[i + 1] } else { x[i - 1] };
        x[i] += (x[i - 1] + right) >> 1;
        i += 2;
    }
}

/// The region sizes `(h, w)` of each level: level 0 is the whole plane.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn level_sizes(h: usize, w: usize, levels: usize) -> Vec<(usize, usize)> {
    let mut v = Vec::with_capacity(levels);
    let (mut a, mut b) = (h, w);
    for _ in 0..levels {
        v.push((a, b));
        a = a.div_ceil(2);
        b = b.div_ceil(2);
    }
    v
}

/// Multi-level 2-D transform (`pass`) of an `h × w` plane in place. CDF 5/3 computes each step
/// on integers exactly; false when one of its results (every level's, rows and columns) had no
/// exact float32, so the plane is not exact (always true for the other wavelets).
///
/// The forward transform runs the levels from the whole plane down, rows then columns; the
/// inverse undoes them in the opposite order. A transpose runs in the order of the transform
/// it transposes undone: `ForwardT` as the inverse, `InverseT` as the forward.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn plane(wv: Wavelet, data: &mut [f32], h: usize, w: usize, levels: usize, pass: Pass) -> bool {
    let mut exact = true;
    let m = h.max(w);
    let (mut line, mut out) = (vec![0f32; m], vec![0f32; m]);
    let sizes = level_sizes(h, w, levels);
    let down = matches!(pass, Pass::Forward | Pass::InverseT);
    let order: Vec<&(usize, usize)> = if down { sizes.iter().collect() } else { sizes.iter().rev().collect() };
    for &(lh, lw) in order {
        let rows = |data: &mut [f32], line: &mut [f32], out: &mut [f32], exact: &mut bool| {
            if lw < 2 {
                return;
            }
            for r in 0..lh {
                let row = &mut data[r * w..r * w + lw];
                line[..lw].copy_from_slice(row);
                apply_line(pass, wv, &mut line[..lw], &mut out[..lw], exact);
                row.copy_from_slice(&out[..lw]);
            }
        };
        let cols = |data: &mut [f32], line: &mut [f32], out: &mut [f32], exact: &mut bool| {
            if lh < 2 {
                return;
            }
            for c in 0..lw {
                for r in 0..lh {
                    line[r] = data[r * w + c];
                }
                apply_line(pass, wv, &mut line[..lh], &mut out[..lh], exact);
                for r in 0..lh {
                    data[r * w + c] = out[r];
                }
            }
        };
        if down {
            rows(data, &mut line, &mut out, &mut exact);
            cols(data, &mut line, &mut out, &mut exact);
        } else {
            cols(data, &mut line, &mut out, &mut exact);
            rows(data, &mut line, &mut out, &mut exact);
        }
    }
    exact
}

/// 2-D DWT of a tensor `[…, H, W]` (every `H × W` image separately, Mallat layout).
/// CDF 5/3 takes integers of magnitude below 2^31 and lifts them exactly; every result (and
/// every intermediate, stored as float32 between steps) must be exact in float32 (any integer
/// below 2^24 is), else the call is an error rather than a rounded, irreversible result.
/// Inputs below 2^20 always fit at one level (a 2-D step at most quadruples magnitudes), and
/// then `inverse2d(forward2d(x))` is `x`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn dwt2d(x: &Tensor, wv: Wavelet, levels: usize, inverse: bool) -> Result<Tensor> {
    let op = if inverse { "compression.dwt.inverse2d" } else { "compression.dwt.forward2d" };
    let dims = x.shape().dims();
    if dims.len() < 2 {
        return Err(Error::invalid(op, format!("x must have rank >= 2 ([..., height, width]), got shape {}", crate::error::ints(dims))));
    }
    if levels > 16 {
        return Err(Error::invalid(op, format!("levels must be in 0..=16, got {levels}")));
    }
    if wv == Wavelet::Cdf53 {
        let limit = 2_147_483_648f32; // 2^31
        if let Some(v) = x.data().iter().find(|v| !(v.fract() == 0.0 && v.abs() < limit)) {
            // An integral value in full (2^31 is 2147483648, not float32's shortest 2147483600),
            // as an integer: f64's Display would pull core's float formatting in (+22 kB).
            let v = if v.fract() == 0.0 && v.abs() < 9.0e18 { format!("{}", *v as i64) } else { js_number(*v).to_string() };
            return Err(Error::invalid(op, format!("cdf53 is an integer transform: values must be integers of magnitude below 2^31 = 2147483648, and every result an integer float32 holds exactly (all below 2^24, only some past it: else an error; inputs below 2^20 always fit at one level), found {v}")));
        }
    }
    images(op, x, wv, levels, if inverse { Pass::Inverse } else { Pass::Forward })
}

/// The gradient of [`dwt2d`] (`inverse` as that call ran) given its output's gradient `g`:
/// the transpose of the transform, image by image. Haar and CDF 9/7 are linear; CDF 5/3
/// rounds (`floor`) and has no gradient: asked for one (the tape reached a CDF 5/3 entry
/// that a differentiated result depends on), this is the `grad` error naming the wavelet
/// and the differentiable ones.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn dwt2d_backward(g: &Tensor, wv: Wavelet, levels: usize, inverse: bool) -> Result<Tensor> {
    let op = if inverse { "compression.dwt.inverse2d" } else { "compression.dwt.forward2d" };
    if wv == Wavelet::Cdf53 {
        return Err(Error::invalid(
            "grad",
            format!("{op} with wavelet 'cdf53' has no gradient (an integer transform: its lifting steps round down), and the result depends on it through a tensor being differentiated; use wavelet 'haar' or 'cdf97' (linear, with gradients), or compute the cdf53 transform outside grad"),
        ));
    }
    images(op, g, wv, levels, if inverse { Pass::InverseT } else { Pass::ForwardT })
}

/// `pass` on every `H × W` image of `x` (rank ≥ 2, checked by the caller).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn images(op: &'static str, x: &Tensor, wv: Wavelet, levels: usize, pass: Pass) -> Result<Tensor> {
    let dims = x.shape().dims();
    let (h, w) = (dims[dims.len() - 2], dims[dims.len() - 1]);
    let mut data = crate::tensor::copy_of(op, x.data())?;
    if h * w > 0 {
        for (i, img) in data.chunks_exact_mut(h * w).enumerate() {
            if !plane(wv, img, h, w, levels, pass) {
                return Err(Error::invalid(op, format!("cdf53: image {i} has {} past 2^24 that float32 cannot hold exactly, so the result would be rounded, not exact; scale the values down (below 2^20 they always fit at one level)", if pass == Pass::Inverse { "values" } else { "coefficients" })));
            }
        }
    }
    Tensor::new(op, Shape::from(dims.to_vec()), data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wavelet_ids_build_the_named_wavelet() {
        // NAMES is what TS checks its list against (nr_enum_name family 30).
        for (id, name) in Wavelet::NAMES.iter().enumerate() {
            assert_eq!(format!("{:?}", Wavelet::from_abi(id as u32, "t").unwrap()).to_lowercase(), *name);
        }
        assert!(Wavelet::from_abi(Wavelet::NAMES.len() as u32, "t").is_err());
    }

    fn img(h: usize, w: usize) -> Vec<f32> {
        (0..h * w).map(|i| (i * 7919 % 256) as f32).collect()
    }

    #[test]
    fn cdf53_is_exactly_reversible_on_any_size() {
        for (h, w) in [(1, 1), (1, 7), (5, 3), (17, 31), (32, 32), (2, 9)] {
            let x = img(h, w);
            let mut y = x.clone();
            plane(Wavelet::Cdf53, &mut y, h, w, 4, Pass::Forward);
            assert!(y.iter().all(|v| v.fract() == 0.0));
            plane(Wavelet::Cdf53, &mut y, h, w, 4, Pass::Inverse);
            assert_eq!(x, y, "{h}x{w}");
        }
    }

    #[test]
    fn cdf97_and_haar_invert_and_nearly_preserve_energy() {
        for wv in [Wavelet::Cdf97, Wavelet::Haar] {
            for (h, w) in [(16, 16), (13, 22), (1, 9), (64, 48)] {
                let x = img(h, w);
                let mut y = x.clone();
                plane(wv, &mut y, h, w, 3, Pass::Forward);
                let ex: f32 = x.iter().map(|v| v * v).sum();
                let ey: f32 = y.iter().map(|v| v * v).sum();
                assert!(h.min(w) < 8 || (ey / ex - 1.0).abs() < 0.3, "{wv:?} {h}x{w}: energy ratio {}", ey / ex);
                plane(wv, &mut y, h, w, 3, Pass::Inverse);
                for (a, b) in x.iter().zip(&y) {
                    assert!((a - b).abs() < 2e-2, "{wv:?} {h}x{w}: {a} vs {b}");
                }
            }
        }
        // A constant image: all energy in LL, scaled by 2 per level (√2 per axis).
        let mut c = vec![10f32; 64];
        plane(Wavelet::Cdf97, &mut c, 8, 8, 1, Pass::Forward);
        assert!((c[0] - 20.0).abs() < 1e-3, "{}", c[0]);
        assert!(c[4].abs() < 1e-3 && c[32].abs() < 1e-3);
    }

    /// A user's report: Haar on odd lengths gave a constant signal detail coefficients from the
    /// second level on (the last sample passed through unscaled, so the next level paired √2·c
    /// with c). Now every wavelet keeps a constant in the low-pass band at every level and size,
    /// and Haar's coefficients are PyWavelets' `wavedec(…, 'haar', mode='periodization')` on a
    /// line of 7 (its last pair is the sample and its repeat).
    #[test]
    fn constants_have_no_detail_at_any_level_or_length() {
        for wv in [Wavelet::Haar, Wavelet::Cdf97] {
            for n in [1usize, 2, 3, 5, 7, 8, 11, 101, 255] {
                for levels in 1..=4 {
                    let mut c = vec![1f32; n];
                    plane(wv, &mut c, 1, n, levels, Pass::Forward);
                    let sizes = level_sizes(1, n, levels);
                    let low = sizes.last().map_or(n, |s| s.1.div_ceil(2));
                    assert!(c[low..].iter().all(|v| v.abs() < 1e-5), "{wv:?} n {n} L{levels}: {c:?}");
                    let mut back = c.clone();
                    plane(wv, &mut back, 1, n, levels, Pass::Inverse);
                    assert!(back.iter().all(|v| (v - 1.0).abs() < 1e-5), "{wv:?} n {n} L{levels}: inverse {back:?}");
                }
            }
        }
        // pywt.wavedec([1, 2, 3, 4, 5, 6, 7], 'haar', mode='periodization', level=1):
        // cA = [2.1213203, 4.9497475, 7.7781746, 9.8994949], cD = [0.7071068, 0.7071068, 0.7071068, 0]
        // (pywt's detail is (a − b)/√2; neurite's (b − a)/√2, as FORMATS.md says).
        let mut x: Vec<f32> = (1..=7).map(|v| v as f32).collect();
        plane(Wavelet::Haar, &mut x, 1, 7, 1, Pass::Forward);
        let want = [2.1213203, 4.9497475, 7.7781746, 9.899495, 0.70710677, 0.70710677, 0.70710677];
        for (g, w) in x.iter().zip(want) {
            assert!((g - w).abs() < 1e-5, "{x:?}");
        }
    }

    /// A user's report: coefficients of inputs at 2^18..2^20 reach 4·2^20, which inverse2d
    /// refused (its input check was the forward one), so forward2d's output could not be inverted.
    #[test]
    fn cdf53_inverts_whatever_forward_gives_and_refuses_inexact_results() {
        for a in [262_144f32, 300_000.0, 1_048_575.0] {
            let x: Vec<f32> = (0..8).map(|i| if (i + i / 4) % 2 == 0 { -a } else { a }).collect();
            let t = Tensor::new("t", Shape::from([2, 4]), x.clone()).unwrap();
            let c = dwt2d(&t, Wavelet::Cdf53, 1, false).unwrap();
            assert!(c.data().iter().any(|v| v.abs() >= 1_048_576.0), "{a}: {:?}", c.data());
            assert_eq!(dwt2d(&c, Wavelet::Cdf53, 1, true).unwrap().data(), &x[..], "{a}");
        }
        // A high-pass coefficient of 18,000,001 (odd, past 2^24) has no float32: refused, not rounded.
        let t = Tensor::new("t", Shape::from([1, 2]), vec![-9_000_001.0, 9_000_000.0]).unwrap();
        let e = dwt2d(&t, Wavelet::Cdf53, 1, false).unwrap_err().to_string();
        assert_eq!(e, "compression.dwt.forward2d: cdf53: image 0 has coefficients past 2^24 that float32 cannot hold exactly, so the result would be rounded, not exact; scale the values down (below 2^20 they always fit at one level)");
        // Exact ones past 2^24 (multiples of 4 up to 2^26) are kept.
        let x: Vec<f32> = (0..16).map(|i| if (i + i / 4) % 2 == 0 { -8_388_607.0 } else { 8_388_607.0 }).collect();
        let t = Tensor::new("t", Shape::from([4, 4]), x.clone()).unwrap();
        let c = dwt2d(&t, Wavelet::Cdf53, 2, false).unwrap();
        assert_eq!(dwt2d(&c, Wavelet::Cdf53, 2, true).unwrap().data(), &x[..]);
        // Random integers below 2^20 at 16 levels on odd sizes: exact both ways.
        let mut s = 12345u64;
        for (h, w) in [(9, 13), (1, 31), (17, 1), (33, 17)] {
            let x: Vec<f32> = (0..h * w)
                .map(|_| {
                    s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    ((s >> 33) % (1 << 21)) as f32 - 1_048_575.0
                })
                .collect();
            let t = Tensor::new("t", Shape::from([h, w]), x.clone()).unwrap();
            let c = dwt2d(&t, Wavelet::Cdf53, 16, false).unwrap();
            assert_eq!(dwt2d(&c, Wavelet::Cdf53, 16, true).unwrap().data(), &x[..], "{h}x{w}");
        }
    }

    /// A tester's report: a gradient through cdf53 was "compression.dwt.forward2d has no
    /// gradient rule", as if no wavelet had one; the error names cdf53 and points to the
    /// differentiable ones, and cdf53 on a constant is still fine.
    #[test]
    fn cdf53_gradient_error_names_the_wavelet() {
        use crate::autodiff::{Recorded, Tape};
        use crate::ops::reduce::{reduce, ReduceOp};
        let x = Tensor::new("t", Shape::from([2, 4]), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]).unwrap();
        for inverse in [false, true] {
            let y = dwt2d(&x, Wavelet::Cdf53, 1, inverse).unwrap();
            let s = reduce(ReduceOp::Sum, &y, &[0, 1], false).unwrap();
            let mut tape = Tape::new();
            tape.record(Recorded::Dwt { wavelet: Wavelet::Cdf53, levels: 1, inverse }, vec![(1, x.clone())], (2, y.clone()));
            tape.record(Recorded::Reduce { op: ReduceOp::Sum, axes: vec![0, 1], keep_dims: false }, vec![(2, y.clone())], (3, s));
            let e = tape.gradient(3, Tensor::scalar(1.0), &[1]).unwrap_err().to_string();
            let op = if inverse { "inverse2d" } else { "forward2d" };
            assert!(e.starts_with(&format!("grad: compression.dwt.{op} with wavelet 'cdf53' has no gradient (an integer transform")), "{e}");
            assert!(e.contains("use wavelet 'haar' or 'cdf97'"), "{e}");
            // Not differentiated (the source 7 is not reached): no error.
            assert!(tape.gradient(3, Tensor::scalar(1.0), &[7]).unwrap()[0].is_none());
        }
    }

    #[test]
    fn cdf53_rejects_non_integers() {
        let t = Tensor::new("t", Shape::from([2, 2]), vec![0.5, 1.0, 2.0, 3.0]).unwrap();
        // The message gives both limits: the 2^31 checked here, and the exactness past 2^24
        // the lifting checks (a tester read "below 2^31" and met the 2^24 error).
        let e = dwt2d(&t, Wavelet::Cdf53, 1, false).unwrap_err().to_string();
        assert_eq!(e, "compression.dwt.forward2d: cdf53 is an integer transform: values must be integers of magnitude below 2^31 = 2147483648, and every result an integer float32 holds exactly (all below 2^24, only some past it: else an error; inputs below 2^20 always fit at one level), found 0.5");
        // 2^31 in full (float32's shortest form is 2147483600, which looks below the limit).
        let big = Tensor::new("t", Shape::from([1, 1]), vec![2_147_483_648.0]).unwrap();
        assert!(dwt2d(&big, Wavelet::Cdf53, 1, false).unwrap_err().to_string().ends_with("found 2147483648"));
        assert!(dwt2d(&t, Wavelet::Cdf97, 17, false).is_err());
    }

    /// One level on a line through [`plane`] (a 1 × n image), in f64.
    fn line97(x: &[f64]) -> Vec<f64> {
        let mut v: Vec<f32> = x.iter().map(|&a| a as f32).collect();
        plane(Wavelet::Cdf97, &mut v, 1, x.len(), 1, Pass::Forward);
        v.into_iter().map(f64::from).collect()
    }

    /// JPEG 2000's irreversible 9/7 analysis filters (ITU-T T.800 Table F.4: low-pass DC gain 1,
    /// high-pass Nyquist gain 2) on the whole-sample symmetric extension, in f64, scaled to
    /// neurite's gains (low ×√2, high ÷√2): an independent definition of one level.
    fn filter_bank(x: &[f64]) -> Vec<f64> {
        const H: [f64; 5] = [0.602_949_018_236, 0.266_864_118_443, -0.078_223_266_529, -0.016_864_118_443, 0.026_748_757_411];
        const G: [f64; 4] = [1.115_087_052_457, -0.591_271_763_114, -0.057_543_526_229, 0.091_271_763_114];
        let n = x.len() as i64;
        let at = |i: i64| {
            let p = 2 * (n - 1);
            let i = i.rem_euclid(p);
            x[if i < n { i } else { p - i } as usize]
        };
        let s2 = std::f64::consts::SQRT_2;
        let low = (0..n).step_by(2).map(|k| s2 * (-4..=4i64).map(|j| H[j.unsigned_abs() as usize] * at(k + j)).sum::<f64>());
        let high = (1..n).step_by(2).map(|k| (-3..=3i64).map(|j| G[j.unsigned_abs() as usize] * at(k + j)).sum::<f64>() / s2);
        low.chain(high).collect()
    }

    #[test]
    fn cdf97_is_the_jpeg2000_filter_bank_on_any_length() {
        for n in [2usize, 3, 4, 5, 7, 8, 9, 16, 17, 33] {
            let x: Vec<f64> = (0..n).map(|i| ((i * 7919 % 97) as f64) / 9.7 - 5.0).collect();
            let (got, want) = (line97(&x), filter_bank(&x));
            for (k, (g, w)) in got.iter().zip(&want).enumerate() {
                assert!((g - w).abs() < 2e-5 * (1.0 + w.abs()), "n {n} coefficient {k}: {g} vs {w}");
            }
        }
    }

    /// The documented energy of a constant image: `∏ (n+1)/n` over the odd sides of every
    /// level's region (exactly 1 with even sides), against that closed form.
    #[test]
    fn cdf97_constant_energy_gain_is_n_plus_1_over_n_per_odd_side() {
        for (h, w, levels) in [(8, 8, 1), (7, 7, 1), (3, 3, 1), (7, 5, 2), (5, 1, 2), (9, 9, 3), (33, 17, 16), (64, 48, 3)] {
            let mut c = vec![3f32; h * w];
            plane(Wavelet::Cdf97, &mut c, h, w, levels, Pass::Forward);
            let gain = c.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / (9.0 * (h * w) as f64);
            let mut want = 1.0;
            for (lh, lw) in level_sizes(h, w, levels) {
                for n in [lh, lw] {
                    if n > 1 && n % 2 == 1 {
                        want *= (n + 1) as f64 / n as f64;
                    }
                }
            }
            assert!((gain / want - 1.0).abs() < 1e-4, "{h}x{w} L{levels}: gain {gain} vs {want}");
        }
    }

    /// What makes one quantisation step suit every coefficient: the synthesis basis vectors
    /// (the inverse of a unit coefficient) have norms near 1 over several levels, and odd sizes
    /// are no worse than even ones: measured 0.55..1.25 on the odd sizes below, 0.64..1.66 on
    /// 16 × 16 (the boundary coefficients of even lines are the largest).
    #[test]
    fn cdf97_synthesis_norms_are_near_one_at_odd_sizes() {
        for (h, w, levels) in [(9, 9, 3), (7, 5, 2), (33, 17, 4), (13, 21, 3), (16, 16, 3)] {
            let (mut lo, mut hi) = (f32::MAX, 0f32);
            for i in 0..h * w {
                let mut e = vec![0f32; h * w];
                e[i] = 1.0;
                plane(Wavelet::Cdf97, &mut e, h, w, levels, Pass::Inverse);
                let norm = e.iter().map(|v| v * v).sum::<f32>().sqrt();
                (lo, hi) = (lo.min(norm), hi.max(norm));
            }
            let odd = h % 2 == 1 || w % 2 == 1;
            assert!(lo > 0.5 && hi < if odd { 1.3 } else { 1.7 }, "{h}x{w} L{levels}: synthesis norms {lo}..{hi}");
        }
    }

    /// ⟨T x, y⟩ = ⟨x, Tᵀ y⟩ for every pass pair, in f64 sums of f32 results, on odd, even and
    /// unequal sizes at 1 to 3 levels (deeper than the smaller side allows, too).
    #[test]
    fn transposes_are_adjoint_to_their_transforms() {
        let rnd = |n: usize, seed: u64| -> Vec<f32> {
            let mut s = seed;
            (0..n).map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            }).collect()
        };
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(&u, &v)| f64::from(u) * f64::from(v)).sum::<f64>();
        for wv in [Wavelet::Haar, Wavelet::Cdf97] {
            for (h, w) in [(1, 2), (2, 2), (1, 7), (3, 3), (5, 8), (8, 8), (7, 12), (16, 9)] {
                for levels in 1..=3 {
                    for (pass, t) in [(Pass::Forward, Pass::ForwardT), (Pass::Inverse, Pass::InverseT)] {
                        let x = rnd(h * w, (h * 31 + w * 7 + levels) as u64);
                        let y = rnd(h * w, (h * 13 + w * 17 + levels) as u64 + 99);
                        let mut tx = x.clone();
                        plane(wv, &mut tx, h, w, levels, pass);
                        let mut ty = y.clone();
                        plane(wv, &mut ty, h, w, levels, t);
                        let (l, r) = (dot(&tx, &y), dot(&x, &ty));
                        assert!((l - r).abs() <= 1e-5 * (h * w) as f64, "{wv:?} {h}x{w} levels {levels} {pass:?}: {l} vs {r}");
                    }
                }
            }
        }
    }
}
