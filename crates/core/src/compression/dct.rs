//! The orthonormal 2-D discrete cosine transform on N×N blocks: DCT-II forward, DCT-III
//! (its transpose, hence its inverse) backward.
//!
//! `X[u][v] = a(u) a(v) Σᵢ Σⱼ x[i][j] cos((2i+1)uπ/2N) cos((2j+1)vπ/2N)` with
//! `a(0) = √(1/N)`, `a(k) = √(2/N)`: energy is preserved (Parseval), and for N = 8 this is
//! exactly the DCT of JPEG. Computed separably as `C · x · Cᵀ` with the cosine matrix `C`.
//!
//! On tensors: the last two axes `[…, H, W]` are the image; `H` and `W` must be multiples of
//! N and every N×N block is transformed in place of itself (block `(bi, bj)` covers rows
//! `bi·N..` and columns `bj·N..`).
//!
//! The 1-D transform ([`dct1d`]) runs over the last axis, in blocks of any length N (by
//! default the whole axis: scipy's `dct(x, norm='ortho')`), `X[k] = a(k) Σᵢ x[i]
//! cos((2i+1)kπ/2N)`. It is computed in `f64` from one complex FFT of length N (Makhoul's
//! reordering, [`super::fft`]), so it costs O(N log N) for every N.

use crate::{Error, Result, Shape, Tensor};

/// The N×N orthonormal DCT-II matrix, row `k` = basis function `k`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn matrix(n: usize) -> Vec<f32> {
    let mut c = vec![0f32; n * n];
    for k in 0..n {
        let a = if k == 0 { (1.0 / n as f64).sqrt() } else { (2.0 / n as f64).sqrt() };
        for i in 0..n {
            c[k * n + i] = (a * (std::f64::consts::PI * (2 * i + 1) as f64 * k as f64 / (2 * n) as f64).cos()) as f32;
        }
    }
    c
}

/// Transforms one N×N block (row-major `x`, `n*n` values) into `y`; `tmp` holds `n*n` values.
/// `inverse` applies `Cᵀ · x · C` instead of `C · x · Cᵀ`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn block(c: &[f32], n: usize, x: &[f32], y: &mut [f32], tmp: &mut [f32], inverse: bool) {
    // tmp = M · x, with M = C (forward) or Cᵀ (inverse).
    for r in 0..n {
        for col in 0..n {
            let mut s = 0f32;
            for k in 0..n {
                let m = if inverse { c[k * n + r] } else { c[r * n + k] };
                s += m * x[k * n + col];
            }
            tmp[r * n + col] = s;
        }
    }
    // y = tmp · Mᵀ.
    for r in 0..n {
        for col in 0..n {
            let mut s = 0f32;
            for k in 0..n {
                let m = if inverse { c[k * n + col] } else { c[col * n + k] };
                s += tmp[r * n + k] * m;
            }
            y[r * n + col] = s;
        }
    }
}

/// Transforms every N×N block of an `h × w` plane (both multiples of `n`) in place.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn plane(data: &mut [f32], h: usize, w: usize, n: usize, inverse: bool) {
    let c = matrix(n);
    let (mut x, mut y, mut tmp) = (vec![0f32; n * n], vec![0f32; n * n], vec![0f32; n * n]);
    for bi in (0..h).step_by(n) {
        for bj in (0..w).step_by(n) {
            for r in 0..n {
                x[r * n..(r + 1) * n].copy_from_slice(&data[(bi + r) * w + bj..(bi + r) * w + bj + n]);
            }
            block(&c, n, &x, &mut y, &mut tmp, inverse);
            for r in 0..n {
                data[(bi + r) * w + bj..(bi + r) * w + bj + n].copy_from_slice(&y[r * n..(r + 1) * n]);
            }
        }
    }
}

/// Blockwise 2-D DCT of a tensor `[…, H, W]` (forward DCT-II, or DCT-III when `inverse`).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn dct2d(x: &Tensor, n: usize, inverse: bool) -> Result<Tensor> {
    let op = if inverse { "compression.dct.inverse2d" } else { "compression.dct.forward2d" };
    let dims = x.shape().dims();
    if dims.len() < 2 {
        return Err(Error::invalid(op, format!("x must have rank >= 2 ([..., height, width]), got shape {}", crate::error::ints(dims))));
    }
    if !(1..=MAX_BLOCK_2D).contains(&n) {
        return Err(Error::invalid(op, format!("blockSize must be in 1..={MAX_BLOCK_2D}, got {n}")));
    }
    let (h, w) = (dims[dims.len() - 2], dims[dims.len() - 1]);
    if h % n != 0 || w % n != 0 {
        return Err(Error::invalid(op, format!("height {h} and width {w} must be multiples of blockSize {n} (shape {})", crate::error::ints(dims))));
    }
    let mut data = crate::tensor::copy_of(op, x.data())?;
    if h * w > 0 {
        for img in data.chunks_exact_mut(h * w) {
            plane(img, h, w, n, inverse);
        }
    }
    Tensor::new(op, Shape::from(dims.to_vec()), data)
}

/// The largest block side [`dct2d`] takes.
pub const MAX_BLOCK_2D: usize = 64;

/// The limits the facade checks before calling, as `(name, value)`: the C ABI lists them
/// (`nr_enum_name`'s `Limit` family) and `test/codes.test.ts` compares them with the facade's.
pub const LIMITS: [(&str, usize); 2] = [("dct2dMaxBlock", MAX_BLOCK_2D), ("dct1dMaxBlock", MAX_BLOCK_1D)];

/// The longest block [`dct1d`] takes: 2^18 values (Bluestein's transform of a block that
/// long, not a power of two, works on 2^20-point buffers, 16 MiB each).
pub const MAX_BLOCK_1D: usize = 1 << 18;

/// A planned orthonormal 1-D DCT of length `n`: the FFT, the twiddles `e^{−iπk/2n}` and the
/// scales `a(0) = √(1/n)`, `a(k) = √(2/n)`.
struct Dct1 {
    fft: super::fft::Fft,
    cos: Vec<f64>,
    sin: Vec<f64>,
    a0: f64,
    a: f64,
}

impl Dct1 {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn new(n: usize) -> Dct1 {
        let (cos, sin) = (0..n).map(|k| {
            let a = std::f64::consts::PI * k as f64 / (2 * n) as f64;
            (a.cos(), a.sin())
        }).unzip();
        let m = n as f64;
        Dct1 { fft: super::fft::Fft::new(n), cos, sin, a0: (1.0 / m).sqrt(), a: (2.0 / m).sqrt() }
    }

    /// `a(k)`.
    fn scale(&self, k: usize) -> f64 {
        if k == 0 { self.a0 } else { self.a }
    }

    /// Transforms `x` (`n` values) in place; `re` and `im` are `n`-long scratch, `work` the
    /// FFT's ([`super::fft::Fft::work_len`]).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn run(&self, x: &mut [f32], re: &mut [f64], im: &mut [f64], work: &mut [f64], inverse: bool) {
        let n = x.len();
        if inverse {
            // V[k] = (X[k] − i·X[n−k]) e^{iπk/2n} with X = y / a (X[n] = 0); v = ifft(V).
            for k in 0..n {
                let xr = f64::from(x[k]) / self.scale(k);
                let xi = if k == 0 { 0.0 } else { -f64::from(x[n - k]) / self.scale(n - k) };
                re[k] = xr * self.cos[k] - xi * self.sin[k];
                im[k] = xr * self.sin[k] + xi * self.cos[k];
            }
            self.fft.inverse(re, im, work);
            for k in 0..n.div_ceil(2) {
                x[2 * k] = re[k] as f32;
            }
            for k in 0..n / 2 {
                x[2 * k + 1] = re[n - 1 - k] as f32;
            }
        } else {
            // v = x's even samples, then its odd ones reversed; X[k] = Re(e^{−iπk/2n} V[k]).
            for k in 0..n.div_ceil(2) {
                re[k] = f64::from(x[2 * k]);
            }
            for k in 0..n / 2 {
                re[n - 1 - k] = f64::from(x[2 * k + 1]);
            }
            im.fill(0.0);
            self.fft.forward(re, im, work);
            for k in 0..n {
                x[k] = ((re[k] * self.cos[k] + im[k] * self.sin[k]) * self.scale(k)) as f32;
            }
        }
    }
}

/// Orthonormal 1-D DCT of a tensor `[…, L]` over its last axis, in blocks of `block` values
/// (`None`: the whole axis): DCT-II forward, DCT-III when `inverse` (its inverse and its
/// transpose, so each is the other's gradient).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn dct1d(x: &Tensor, block: Option<usize>, inverse: bool) -> Result<Tensor> {
    let op = if inverse { "compression.dct.inverse1d" } else { "compression.dct.forward1d" };
    let dims = x.shape().dims();
    let Some(&len) = dims.last() else {
        return Err(Error::invalid(op, "x must have rank >= 1 ([..., length]), got a scalar (shape [])".to_string()));
    };
    let n = block.unwrap_or(len);
    if block.is_some() && !(1..=MAX_BLOCK_1D).contains(&n) {
        return Err(Error::invalid(op, format!("blockSize must be in 1..={MAX_BLOCK_1D}, got {n}")));
    }
    if n > MAX_BLOCK_1D {
        return Err(Error::invalid(op, format!("the last axis has {len} values, more than the longest block ({MAX_BLOCK_1D}); give a blockSize that divides it, or frame the signal (signal.frame)")));
    }
    if n > 0 && len % n != 0 {
        return Err(Error::invalid(op, format!("the last axis ({len} values, shape {}) must be a multiple of blockSize {n}", crate::error::ints(dims))));
    }
    let mut data = crate::tensor::copy_of(op, x.data())?;
    if n > 1 && !data.is_empty() {
        let plan = Dct1::new(n);
        // Tasks of whole blocks, about 16 Ki values each (fixed by n, not by the thread count).
        let per_task = (16_384 / n).max(1) * n;
        let work = data.len().saturating_mul(8 * (usize::BITS - n.leading_zeros()) as usize);
        crate::parallel::for_each_chunk_mut(&mut data, per_task, work, |_, chunk| {
            let (mut re, mut im, mut work) = (vec![0f64; n], vec![0f64; n], vec![0f64; plan.fft.work_len()]);
            for b in chunk.chunks_exact_mut(n) {
                plan.run(b, &mut re, &mut im, &mut work, inverse);
            }
        });
    }
    Tensor::new(op, Shape::from(dims.to_vec()), data)
}

/// The DCT the ABI and the tape name by `(block, two_d, inverse)`: [`dct2d`] in `block`-sided
/// blocks when `two_d`, else [`dct1d`]. Each is orthonormal, so the gradient of one call is
/// the same call with `!inverse` on the output's gradient.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn dct(x: &Tensor, block: Option<usize>, two_d: bool, inverse: bool) -> Result<Tensor> {
    match (two_d, block) {
        (true, Some(n)) => dct2d(x, n, inverse),
        _ => dct1d(x, block, inverse),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orthonormal_and_invertible() {
        for n in [1, 2, 4, 8, 16] {
            let (h, w) = (2 * n, 3 * n);
            let x: Vec<f32> = (0..h * w).map(|i| ((i * 37 % 101) as f32) - 50.0).collect();
            let mut y = x.clone();
            plane(&mut y, h, w, n, false);
            let ex: f32 = x.iter().map(|v| v * v).sum();
            let ey: f32 = y.iter().map(|v| v * v).sum();
            assert!((ex - ey).abs() <= 1e-4 * ex, "Parseval n={n}");
            plane(&mut y, h, w, n, true);
            for (a, b) in x.iter().zip(&y) {
                assert!((a - b).abs() < 1e-3, "n={n}");
            }
        }
        // A constant 8×8 block has only a DC term, 8 × value.
        let mut b = vec![3f32; 64];
        plane(&mut b, 8, 8, 8, false);
        assert!((b[0] - 24.0).abs() < 1e-4 && b[1..].iter().all(|v| v.abs() < 1e-4));
    }

    #[test]
    fn tensor_shapes_are_checked() {
        let t = Tensor::new("t", Shape::from([2, 8, 16]), vec![1.0; 256]).unwrap();
        assert_eq!(dct2d(&t, 8, false).unwrap().shape().dims(), &[2, 8, 16]);
        assert!(dct2d(&t, 3, false).unwrap_err().to_string().contains("multiples"));
        let v = Tensor::new("t", Shape::from([8]), vec![1.0; 8]).unwrap();
        assert!(dct2d(&v, 8, false).unwrap_err().to_string().contains("rank"));
    }

    /// The definition in f64, O(n²).
    fn dct_direct(x: &[f64]) -> Vec<f64> {
        let n = x.len();
        (0..n).map(|k| {
            let a = if k == 0 { (1.0 / n as f64).sqrt() } else { (2.0 / n as f64).sqrt() };
            a * x.iter().enumerate().map(|(i, v)| v * (std::f64::consts::PI * ((2 * i + 1) * k) as f64 / (2 * n) as f64).cos()).sum::<f64>()
        }).collect()
    }

    #[test]
    fn one_d_matches_the_definition_and_inverts_at_any_length() {
        for n in [1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 64, 100, 127, 128, 257, 1000] {
            let x: Vec<f32> = (0..n).map(|i| (((i * 37) % 101) as f32 - 50.0) * 0.125 + if i % 5 == 0 { 1e3 } else { 0.0 }).collect();
            let want = dct_direct(&x.iter().map(|&v| f64::from(v)).collect::<Vec<_>>());
            let t = Tensor::new("t", Shape::from([1, n]), x.clone()).unwrap();
            let y = dct1d(&t, None, false).unwrap();
            let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
            for (k, (a, b)) in y.data().iter().zip(&want).enumerate() {
                assert!((f64::from(*a) - b).abs() <= 1e-6 * scale, "n={n} k={k}: {a} vs {b}");
            }
            let back = dct1d(&y, None, true).unwrap();
            for (a, b) in back.data().iter().zip(&x) {
                assert!((a - b).abs() <= 1e-5 * scale as f32, "round trip n={n}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn one_d_blocks_transform_alone_and_shapes_are_checked() {
        let x: Vec<f32> = (0..24).map(|i| (i * i % 13) as f32).collect();
        let t = Tensor::new("t", Shape::from([2, 12]), x.clone()).unwrap();
        let y = dct1d(&t, Some(4), false).unwrap();
        for (b, chunk) in x.chunks(4).enumerate() {
            let want = dct_direct(&chunk.iter().map(|&v| f64::from(v)).collect::<Vec<_>>());
            for k in 0..4 {
                assert!((f64::from(y.data()[b * 4 + k]) - want[k]).abs() < 1e-5, "block {b}");
            }
        }
        assert!(dct1d(&t, Some(5), false).unwrap_err().to_string().contains("multiple of blockSize 5"));
        assert!(dct1d(&t, Some(0), false).unwrap_err().to_string().contains("blockSize must be in 1..="));
        let s = Tensor::new("t", Shape::from(Vec::<usize>::new()), vec![1.0]).unwrap();
        assert!(dct1d(&s, None, false).unwrap_err().to_string().contains("rank >= 1"));
        let e = Tensor::new("t", Shape::from([3, 0]), vec![]).unwrap();
        assert_eq!(dct1d(&e, None, false).unwrap().shape().dims(), &[3, 0]);
    }
}
