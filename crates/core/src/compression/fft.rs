//! A complex FFT of any length on `f64`, for the 1-D DCT of any length ([`super::dct`]).
//!
//! Powers of two run the iterative radix-2 Cooley–Tukey transform; every other length runs
//! Bluestein's chirp-z algorithm, a convolution done with three radix-2 transforms of a
//! power of two `m ≥ 2n − 1`. Both cost O(n log n) and both are exact up to rounding, in the
//! same order of operations on every machine and thread count.
//!
//! `forward` computes `X[k] = Σⱼ x[j] e^{−2πi jk/n}` (no scaling), `inverse` its inverse
//! (with the `1/n`), in place on separate real and imaginary slices.

use std::f64::consts::PI;

/// A planned transform of length `n` (its twiddle factors and, for Bluestein, its chirp).
pub struct Fft {
    n: usize,
    plan: Plan,
}

enum Plan {
    /// `n` is a power of two: `e^{−2πi k/n}` for `k < n/2`.
    Radix2 { tw_re: Vec<f64>, tw_im: Vec<f64> },
    /// Any other `n`: the chirp `w[k] = e^{−πi k²/n}` (`k < n`), the radix-2 plan of length
    /// `m`, and the transform of the convolution kernel `conj(w)` wrapped to length `m`.
    Bluestein { w_re: Vec<f64>, w_im: Vec<f64>, inner: Box<Fft>, b_re: Vec<f64>, b_im: Vec<f64> },
}

impl Fft {
    /// Plans a transform of length `n ≥ 1`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(n: usize) -> Fft {
        assert!(n > 0, "Fft::new: n must be > 0");
        if n.is_power_of_two() {
            let half = n / 2;
            let (tw_re, tw_im) = (0..half).map(|k| angle(-2.0 * PI * k as f64 / n as f64)).unzip();
            return Fft { n, plan: Plan::Radix2 { tw_re, tw_im } };
        }
        let m = (2 * n - 1).next_power_of_two();
        // k² mod 2n keeps the angle small (and exact) for large k.
        let (w_re, w_im): (Vec<f64>, Vec<f64>) = (0..n).map(|k| angle(-PI * ((k as u128 * k as u128) % (2 * n as u128)) as f64 / n as f64)).unzip();
        let inner = Box::new(Fft::new(m));
        let (mut b_re, mut b_im) = (vec![0.0; m], vec![0.0; m]);
        for k in 0..n {
            b_re[k] = w_re[k];
            b_im[k] = -w_im[k];
            if k > 0 {
                b_re[m - k] = w_re[k];
                b_im[m - k] = -w_im[k];
            }
        }
        inner.forward(&mut b_re, &mut b_im, &mut []);
        Fft { n, plan: Plan::Bluestein { w_re, w_im, inner, b_re, b_im } }
    }

    /// The length this plan transforms.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false: a plan has at least one point.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The scratch values [`Fft::forward`] and [`Fft::inverse`] need: Bluestein's two padded
    /// buffers (`2m`), none for a power of two. Allocated once by the caller for many rows.
    pub fn work_len(&self) -> usize {
        match &self.plan {
            Plan::Radix2 { .. } => 0,
            Plan::Bluestein { inner, .. } => 2 * inner.n,
        }
    }

    /// The forward transform of `(re, im)` in place (both `n` long); `work` holds at least
    /// [`Fft::work_len`] values (their contents do not matter).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn forward(&self, re: &mut [f64], im: &mut [f64], work: &mut [f64]) {
        assert!(re.len() == self.n && im.len() == self.n, "Fft::forward: slices must be {} long", self.n);
        match &self.plan {
            Plan::Radix2 { tw_re, tw_im } => radix2(re, im, tw_re, tw_im),
            Plan::Bluestein { w_re, w_im, inner, b_re, b_im } => {
                let m = inner.n;
                let (a_re, a_im) = work[..2 * m].split_at_mut(m);
                for k in 0..self.n {
                    (a_re[k], a_im[k]) = mul(re[k], im[k], w_re[k], w_im[k]);
                }
                a_re[self.n..].fill(0.0);
                a_im[self.n..].fill(0.0);
                inner.forward(a_re, a_im, &mut []);
                for k in 0..m {
                    (a_re[k], a_im[k]) = mul(a_re[k], a_im[k], b_re[k], b_im[k]);
                }
                inner.inverse(a_re, a_im, &mut []);
                for k in 0..self.n {
                    (re[k], im[k]) = mul(a_re[k], a_im[k], w_re[k], w_im[k]);
                }
            }
        }
    }

    /// The inverse transform of `(re, im)` in place, scaled by `1/n`; `work` as in [`Fft::forward`].
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn inverse(&self, re: &mut [f64], im: &mut [f64], work: &mut [f64]) {
        // ifft(x) = conj(fft(conj(x))) / n
        for v in im.iter_mut() {
            *v = -*v;
        }
        self.forward(re, im, work);
        let s = 1.0 / self.n as f64;
        for (r, i) in re.iter_mut().zip(im.iter_mut()) {
            *r *= s;
            *i *= -s;
        }
    }
}

fn angle(a: f64) -> (f64, f64) {
    (a.cos(), a.sin())
}

#[inline]
fn mul(ar: f64, ai: f64, br: f64, bi: f64) -> (f64, f64) {
    (ar * br - ai * bi, ar * bi + ai * br)
}

/// Iterative radix-2 FFT: bit-reversal permutation, then butterflies of growing span.
fn radix2(re: &mut [f64], im: &mut [f64], tw_re: &[f64], tw_im: &[f64]) {
    let n = re.len();
    if n < 2 {
        return;
    }
    let bits = n.trailing_zeros();
    for i in 0..n {
        let j = i.reverse_bits() >> (usize::BITS - bits);
        if j > i {
            re.swap(i, j);
            im.swap(i, j);
        }
    }
    let mut span = 1;
    while span < n {
        let stride = n / (2 * span);
        for start in (0..n).step_by(2 * span) {
            for k in 0..span {
                let (wr, wi) = (tw_re[k * stride], tw_im[k * stride]);
                let (a, b) = (start + k, start + k + span);
                let (tr, ti) = mul(re[b], im[b], wr, wi);
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
            }
        }
        span *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The O(n²) definition, for reference.
    fn dft(re: &[f64], im: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let n = re.len();
        (0..n)
            .map(|k| {
                (0..n).fold((0.0, 0.0), |(sr, si), j| {
                    let (c, s) = angle(-2.0 * PI * ((j * k) % n) as f64 / n as f64);
                    let (pr, pi) = mul(re[j], im[j], c, s);
                    (sr + pr, si + pi)
                })
            })
            .unzip()
    }

    #[test]
    fn matches_the_definition_at_every_length_kind() {
        for n in [1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 17, 31, 64, 97, 100, 128, 255] {
            let re: Vec<f64> = (0..n).map(|i| ((i * 37 % 23) as f64) - 11.0 + 0.25 * i as f64).collect();
            let im: Vec<f64> = (0..n).map(|i| ((i * 11 % 7) as f64) * 0.5 - 1.0).collect();
            let (er, ei) = dft(&re, &im);
            let (mut r, mut i) = (re.clone(), im.clone());
            let f = Fft::new(n);
            let mut work = vec![f64::NAN; f.work_len()];
            f.forward(&mut r, &mut i, &mut work);
            let scale = er.iter().chain(&ei).fold(1.0f64, |m, v| m.max(v.abs()));
            for k in 0..n {
                assert!((r[k] - er[k]).abs() <= 1e-12 * scale && (i[k] - ei[k]).abs() <= 1e-12 * scale, "n={n} k={k}: {} {} vs {} {}", r[k], i[k], er[k], ei[k]);
            }
            f.inverse(&mut r, &mut i, &mut work);
            for k in 0..n {
                assert!((r[k] - re[k]).abs() <= 1e-12 * scale && (i[k] - im[k]).abs() <= 1e-12 * scale, "round trip n={n} k={k}");
            }
        }
    }

    #[test]
    fn an_impulse_transforms_to_a_constant() {
        for n in [1000, 1024] {
            let (mut r, mut i) = (vec![0.0; n], vec![0.0; n]);
            r[0] = 1.0;
            let f = Fft::new(n);
            f.forward(&mut r, &mut i, &mut vec![0.0; f.work_len()]);
            assert!(r.iter().all(|v| (v - 1.0).abs() < 1e-12) && i.iter().all(|v| v.abs() < 1e-12), "n={n}");
        }
    }
}
