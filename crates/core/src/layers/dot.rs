//! `dot`: the dot products of two inputs along one axis of each (TF.js's and Keras's `Dot`, a
//! merge layer): a matrix-factorization recommender's user · item score, or with `normalize`
//! their cosine similarity. [`Merge`](super::merge::Merge) runs it with [`MergeOp::Dot`](super::merge::MergeOp::Dot).
//!
//! The inputs are `[batch, d]` or `[batch, n, d]` in any arrangement (TF.js's `batchDot`
//! has no other ranks). `axes` (one for both, or one per input) counts the batch axis as
//! TF.js's does, a negative axis from the end (TF.js adds the rank until it is ≥ 0); the
//! batch axis itself is refused. Per sample, with `X(k, i)` the first input's value at `k` on
//! its contracted axis and `i` on its other axis (none for `[batch, d]`) and `Y(k, j)` the
//! second's, `out(i, j) = Σ_k X(k, i)·Y(k, j)`: `[batch, n, m]`, `[batch, n]`, `[batch, m]`, or
//! `[batch, 1]` for two `[batch, d]` (TF.js's shapes). With `normalize`, each input is first
//! divided by its L2 norm along its axis, TF.js's `l2Normalize`: `x / sqrt(max(Σx², 1e-7))`.
//!
//! # Backward
//! `dX(k, i) = Σ_j dy(i, j)·Y(k, j)`, `dY(k, j) = Σ_i dy(i, j)·X(k, i)`; through the
//! normalization, per fiber with `s = Σx²` and `r = sqrt(max(s, ε))`:
//! `dx = dx̂/r − x·(Σ dx̂·x)/r³`, the second term only where `s ≥ ε` (TF.js's `maximum` sends the
//! gradient to its first argument on ties).

use super::no_forward;
use crate::config::Reader;
use crate::{bail, bail_shape, Error, Result, Shape, Tensor};

/// TF.js's `epsilon()`: the floor of the squared norm in `normalize`.
const EPSILON: f32 = 1e-7;

/// The options of a dot layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DotConfig {
    /// The axis of each input, counting the batch axis (negative from the end).
    pub axes: [i64; 2],
    /// Whether each input is L2-normalized along its axis first (cosine similarity).
    pub normalize: bool,
}

impl DotConfig {
    /// Layout: `axis0, axis1, normalize` (integers; a single TF.js `axes` is given twice).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<DotConfig> {
        let mut r = Reader::new("dot", p);
        let mut axes = [0i64; 2];
        for (i, a) in axes.iter_mut().enumerate() {
            let v = r.finite(["axes[0]", "axes[1]"][i])?;
            if v.fract() != 0.0 || v.abs() > 64.0 {
                return Err(super::out_of_range("dot", ["axes[0]", "axes[1]"][i], "an integer", v));
            }
            *a = v as i64;
        }
        Ok(DotConfig { axes, normalize: r.bool("normalize")? })
    }
}

/// How one input is read: value `(k, i)` of sample `b` sits at `b·size + k·sk + i·si`.
#[derive(Clone, Copy, Debug)]
struct View {
    d: usize,
    n: usize,
    sk: usize,
    si: usize,
    size: usize,
    /// Whether the input has an axis besides the contracted one.
    free: bool,
}

/// The view of per-sample `shape` contracted on its axis `axis` (0 or 1; rank 1 or 2).
fn view(shape: &[usize], axis: usize) -> View {
    match *shape {
        [a, b] if axis == 0 => View { d: a, n: b, sk: b, si: 1, size: a * b, free: true },
        [a, b] => View { d: b, n: a, sk: 1, si: b, size: a * b, free: true },
        _ => {
            let d = shape.first().copied().unwrap_or(0);
            View { d, n: 1, sk: 1, si: 0, size: d, free: false }
        }
    }
}

/// The per-sample shapes, for messages.
fn shown(inputs: &[Vec<usize>]) -> String {
    inputs.iter().map(|s| format!("{}", Shape::from(&s[..]))).collect::<Vec<_>>().join(", ")
}

impl DotConfig {
    /// Each input's contracted axis within its sample (0 or 1), with TF.js's build checks.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn sample_axes(&self, inputs: &[Vec<usize>]) -> Result<[usize; 2]> {
        if inputs.len() != 2 {
            let hint = if inputs.len() == 1 { "; in a sequential model each layer has one input: dot needs a graph model (model({ inputs, outputs }))" } else { "" };
            bail!("dot", "takes exactly 2 inputs, got {} (per-sample shapes {}){hint}", inputs.len(), shown(inputs));
        }
        let mut out = [0usize; 2];
        for (i, s) in inputs.iter().enumerate() {
            if s.is_empty() || s.len() > 2 {
                bail_shape!("dot", "input {i} must be [batch, d] or [batch, n, d] (per-sample rank 1 or 2, as TF.js's Dot), got per-sample shapes {}", shown(inputs));
            }
            let full = s.len() as i64 + 1;
            let given = self.axes[i];
            let a = if given < 0 { given.rem_euclid(full) } else { given };
            if a == 0 {
                bail!("dot", "axes[{i}] = {given} is the batch axis of input {i} (of rank {full}, batch included); the dot product is per sample: use an axis from 1 to {} (per-sample shapes {})", full - 1, shown(inputs));
            }
            if a >= full {
                bail!("dot", "axes[{i}] = {given} is out of range for input {i}, of rank {full} (batch included): use 1 to {} or -1 to {} (per-sample shapes {})", full - 1, -(full - 1), shown(inputs));
            }
            out[i] = (a - 1) as usize;
        }
        let (d0, d1) = (inputs[0][out[0]], inputs[1][out[1]]);
        if d0 != d1 {
            bail_shape!("dot", "the axes must have the same size: input 0 has {d0} on axis {} and input 1 has {d1} on axis {} (batch included; per-sample shapes {})", out[0] + 1, out[1] + 1, shown(inputs));
        }
        Ok(out)
    }

    /// The per-sample output shape (TF.js's `computeOutputShape`).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn output_shape(&self, inputs: &[Vec<usize>]) -> Result<Vec<usize>> {
        let axes = self.sample_axes(inputs)?;
        let (a, b) = (view(&inputs[0], axes[0]), view(&inputs[1], axes[1]));
        let mut out: Vec<usize> = [(a.free, a.n), (b.free, b.n)].iter().filter(|f| f.0).map(|f| f.1).collect();
        if out.is_empty() {
            out.push(1);
        }
        Shape::new("dot", &out)?;
        Ok(out)
    }
}

/// What backward needs: per input, its values, the values multiplied (normalized or the same)
/// and each fiber's squared norm (normalize only).
pub struct DotCache {
    views: [View; 2],
    xs: [Tensor; 2],
    used: [Tensor; 2],
    sums: [Vec<f32>; 2],
}

/// `x` divided by its L2 norm along the view's axis (TF.js's `l2Normalize`: squares in f32,
/// summed, floored at ε, square root, division), and each fiber's sum of squares.
fn normalized(v: View, batch: usize, x: &Tensor) -> Result<(Tensor, Vec<f32>)> {
    let mut y = Tensor::zeros("dot", x.shape().clone())?;
    let mut sums = crate::tensor::alloc("dot", batch * v.n)?;
    let (src, dst) = (x.data(), y.data_mut());
    for b in 0..batch {
        for i in 0..v.n {
            let at = |k: usize| b * v.size + k * v.sk + i * v.si;
            let s = (0..v.d).map(|k| f64::from(src[at(k)] * src[at(k)])).sum::<f64>() as f32;
            let r = s.max(EPSILON).sqrt();
            for k in 0..v.d {
                dst[at(k)] = src[at(k)] / r;
            }
            sums[b * v.n + i] = s;
        }
    }
    Ok((y, sums))
}

/// The dot layer's forward on `xs` (two inputs checked by the graph's build); the cache for
/// backward when `keep`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn forward(cfg: &DotConfig, xs: Vec<Tensor>, keep: bool) -> Result<(Tensor, Option<DotCache>)> {
    let per: Vec<Vec<usize>> = xs.iter().map(|x| x.dims().get(1..).unwrap_or_default().to_vec()).collect();
    let axes = cfg.sample_axes(&per)?;
    let batch = xs[0].dims()[0];
    if xs[1].dims()[0] != batch {
        bail_shape!("dot", "the inputs have different batch sizes: {} and {}", xs[0].shape(), xs[1].shape());
    }
    let views = [view(&per[0], axes[0]), view(&per[1], axes[1])];
    let mut out_dims = vec![batch];
    out_dims.extend(cfg.output_shape(&per)?);
    let mut xs = xs.into_iter();
    let (x0, x1) = (xs.next().ok_or_else(|| no_forward("dot"))?, xs.next().ok_or_else(|| no_forward("dot"))?);
    let ((u0, s0), (u1, s1)) = if cfg.normalize {
        (normalized(views[0], batch, &x0)?, normalized(views[1], batch, &x1)?)
    } else {
        ((x0.clone(), Vec::new()), (x1.clone(), Vec::new()))
    };
    let (a, b) = (views[0], views[1]);
    let mut y = Tensor::zeros("dot", Shape::new("dot", &out_dims)?)?;
    let (p, q, o) = (u0.data(), u1.data(), y.data_mut());
    // Two [batch, d]: TF.js's sum of the products rounded to f32; otherwise a matrix product.
    let rounded = !a.free && !b.free;
    for s in 0..batch {
        for i in 0..a.n {
            for j in 0..b.n {
                let mut acc = 0f64;
                for k in 0..a.d {
                    let (u, v) = (p[s * a.size + k * a.sk + i * a.si], q[s * b.size + k * b.sk + j * b.si]);
                    acc += if rounded { f64::from(u * v) } else { f64::from(u) * f64::from(v) };
                }
                o[(s * a.n + i) * b.n + j] = acc as f32;
            }
        }
    }
    let cache = keep.then(|| DotCache { views, xs: [x0, x1], used: [u0, u1], sums: [s0, s1] });
    Ok((y, cache))
}

/// `dL/dx` for both inputs of the forward that made `c`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn backward(normalize: bool, c: DotCache, dy: &Tensor) -> Result<Vec<Tensor>> {
    let [a, b] = c.views;
    let batch = c.xs[0].dims()[0];
    if dy.size() != batch * a.n * b.n {
        return Err(Error::shape("dot", format!("dL/dy has shape {} but the output has {} values", dy.shape(), batch * a.n * b.n)));
    }
    let (p, q, g) = (c.used[0].data(), c.used[1].data(), dy.data());
    let mut d0 = Tensor::zeros("dot", c.xs[0].shape().clone())?;
    let mut d1 = Tensor::zeros("dot", c.xs[1].shape().clone())?;
    {
        let (o0, o1) = (d0.data_mut(), d1.data_mut());
        for s in 0..batch {
            let gi = |i: usize, j: usize| f64::from(g[(s * a.n + i) * b.n + j]);
            for k in 0..a.d {
                for i in 0..a.n {
                    let acc: f64 = (0..b.n).map(|j| gi(i, j) * f64::from(q[s * b.size + k * b.sk + j * b.si])).sum();
                    o0[s * a.size + k * a.sk + i * a.si] = acc as f32;
                }
                for j in 0..b.n {
                    let acc: f64 = (0..a.n).map(|i| gi(i, j) * f64::from(p[s * a.size + k * a.sk + i * a.si])).sum();
                    o1[s * b.size + k * b.sk + j * b.si] = acc as f32;
                }
            }
        }
    }
    if normalize {
        for (v, (d, (x, sums))) in [a, b].into_iter().zip([&mut d0, &mut d1].into_iter().zip(c.xs.iter().zip(&c.sums))) {
            let (dx, x) = (d.data_mut(), x.data());
            for s in 0..batch {
                for i in 0..v.n {
                    let at = |k: usize| s * v.size + k * v.sk + i * v.si;
                    let sum = sums[s * v.n + i];
                    let r = f64::from(sum.max(EPSILON).sqrt());
                    let through = sum >= EPSILON;
                    let proj: f64 = (0..v.d).map(|k| f64::from(dx[at(k)]) * f64::from(x[at(k)])).sum();
                    for k in 0..v.d {
                        let mut t = f64::from(dx[at(k)]) / r;
                        if through {
                            t -= f64::from(x[at(k)]) * proj / (r * r * r);
                        }
                        dx[at(k)] = t as f32;
                    }
                }
            }
        }
    }
    Ok(vec![d0, d1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(dims: &[usize], seed: u32) -> Tensor {
        let n: usize = dims.iter().product();
        Tensor::new("t", dims.into(), (0..n).map(|i| ((i as u32 * 7919 + seed * 104_729) % 97) as f32 / 13.0 - 3.5).collect()).unwrap()
    }

    fn cfg(a: i64, b: i64, normalize: bool) -> DotConfig {
        DotConfig { axes: [a, b], normalize }
    }

    /// Σ_k X(k, i)·Y(k, j) by the definition, on the full (batch-included) index.
    fn by_definition(x: &Tensor, y: &Tensor, ax: usize, ay: usize) -> Vec<f64> {
        let get = |t: &Tensor, idx: &[usize]| {
            let dims = t.dims();
            let mut flat = 0;
            for (d, i) in dims.iter().zip(idx) {
                flat = flat * d + i;
            }
            f64::from(t.data()[flat])
        };
        let (xd, yd) = (x.dims(), y.dims());
        let free = |dims: &[usize], a: usize| (1..dims.len()).find(|&q| q != a);
        let (fx, fy) = (free(xd, ax), free(yd, ay));
        let mut out = Vec::new();
        for b in 0..xd[0] {
            for i in 0..fx.map_or(1, |q| xd[q]) {
                for j in 0..fy.map_or(1, |q| yd[q]) {
                    let mut s = 0.0;
                    for k in 0..xd[ax] {
                        let mut ix = vec![b, 0, 0][..xd.len()].to_vec();
                        ix[ax] = k;
                        if let Some(q) = fx {
                            ix[q] = i;
                        }
                        let mut iy = vec![b, 0, 0][..yd.len()].to_vec();
                        iy[ay] = k;
                        if let Some(q) = fy {
                            iy[q] = j;
                        }
                        s += get(x, &ix) * get(y, &iy);
                    }
                    out.push(s);
                }
            }
        }
        out
    }

    #[test]
    fn shapes_and_values_follow_the_definition() {
        // (x dims, y dims, axes, output dims)
        let cases: Vec<(Vec<usize>, Vec<usize>, [i64; 2], Vec<usize>)> = vec![
            (vec![3, 5], vec![3, 5], [1, 1], vec![3, 1]),
            (vec![3, 5], vec![3, 5], [-1, -1], vec![3, 1]),
            (vec![2, 4, 3], vec![2, 5, 3], [2, 2], vec![2, 4, 5]),
            (vec![2, 3, 4], vec![2, 3, 5], [1, 1], vec![2, 4, 5]),
            (vec![2, 4, 3], vec![2, 3, 5], [2, 1], vec![2, 4, 5]),
            (vec![2, 3, 4], vec![2, 5, 3], [1, -1], vec![2, 4, 5]),
            (vec![2, 4, 3], vec![2, 3], [-1, 1], vec![2, 4]),
            (vec![2, 3], vec![2, 3, 5], [1, 1], vec![2, 5]),
            (vec![1, 7], vec![1, 7], [1, 1], vec![1, 1]),
        ];
        for (xd, yd, axes, want) in cases {
            let (x, y) = (t(&xd, 1), t(&yd, 2));
            let c = cfg(axes[0], axes[1], false);
            assert_eq!(c.output_shape(&[xd[1..].to_vec(), yd[1..].to_vec()]).unwrap(), want[1..].to_vec(), "{xd:?} {yd:?} {axes:?}");
            let (out, _) = forward(&c, vec![x.clone(), y.clone()], false).unwrap();
            assert_eq!(out.dims(), &want[..]);
            let full = |a: i64, r: usize| if a < 0 { (a + r as i64) as usize } else { a as usize };
            let def = by_definition(&x, &y, full(axes[0], xd.len()), full(axes[1], yd.len()));
            for (g, w) in out.data().iter().zip(&def) {
                assert!((f64::from(*g) - w).abs() <= 1e-5 * (1.0 + w.abs()), "{xd:?} {yd:?} {axes:?}: {g} vs {w}");
            }
        }
    }

    #[test]
    fn normalize_gives_the_cosine_similarity() {
        let (x, y) = (t(&[4, 6], 3), t(&[4, 6], 4));
        let (out, _) = forward(&cfg(1, 1, true), vec![x.clone(), y.clone()], false).unwrap();
        for b in 0..4 {
            let (u, v) = (&x.data()[b * 6..b * 6 + 6], &y.data()[b * 6..b * 6 + 6]);
            let dot: f64 = u.iter().zip(v).map(|(a, b)| f64::from(*a) * f64::from(*b)).sum();
            let n = |w: &[f32]| w.iter().map(|a| f64::from(*a).powi(2)).sum::<f64>().sqrt();
            let cos = dot / (n(u) * n(v));
            assert!((f64::from(out.data()[b]) - cos).abs() < 1e-6, "{} vs {cos}", out.data()[b]);
        }
        // A zero vector is divided by sqrt(1e-7), not NaN.
        let z = Tensor::new("t", [1, 3].into(), vec![0.; 3]).unwrap();
        let (out, _) = forward(&cfg(-1, -1, true), vec![z.clone(), t(&[1, 3], 1)], false).unwrap();
        assert_eq!(out.data(), &[0.0]);
    }

    #[test]
    fn gradients_match_central_differences() {
        let cases: Vec<(Vec<usize>, Vec<usize>, [i64; 2], bool)> = vec![
            (vec![3, 5], vec![3, 5], [1, 1], false),
            (vec![3, 5], vec![3, 5], [1, 1], true),
            (vec![2, 4, 3], vec![2, 5, 3], [2, 2], true),
            (vec![2, 3, 4], vec![2, 3, 5], [1, 1], false),
            (vec![2, 4, 3], vec![2, 3, 5], [2, 1], true),
            (vec![2, 3, 4], vec![2, 5, 3], [1, 2], false),
            (vec![2, 4, 3], vec![2, 3], [2, 1], true),
            (vec![2, 3], vec![2, 3, 5], [1, 1], false),
        ];
        for (xd, yd, axes, norm) in cases {
            let c = cfg(axes[0], axes[1], norm);
            let xs = vec![t(&xd, 1), t(&yd, 2)];
            let (out, cache) = forward(&c, xs.clone(), true).unwrap();
            let w = t(out.dims(), 9);
            let grads = backward(norm, cache.unwrap(), &w).unwrap();
            let objective = |p: &[Tensor]| -> f64 {
                let (o, _) = forward(&c, p.to_vec(), false).unwrap();
                o.data().iter().zip(w.data()).map(|(a, b)| f64::from(*a) * f64::from(*b)).sum()
            };
            for (i, g) in grads.iter().enumerate() {
                assert_eq!(g.dims(), xs[i].dims());
                for j in 0..xs[i].size() {
                    let eps = 1e-2f32;
                    let at = |d: f32| {
                        let mut p = xs.clone();
                        p[i].data_mut()[j] += d;
                        objective(&p)
                    };
                    let num = (at(eps) - at(-eps)) / (2.0 * f64::from(eps));
                    let got = f64::from(g.data()[j]);
                    assert!((num - got).abs() < 2e-3 * (1.0 + num.abs()), "{xd:?} {yd:?} {axes:?} {norm} d{i}[{j}]: {num} vs {got}");
                }
            }
        }
    }

    #[test]
    fn errors_name_the_shapes() {
        let err = |a: i64, b: i64, s: &[Vec<usize>]| cfg(a, b, false).output_shape(s).unwrap_err().to_string();
        assert!(err(1, 1, &[vec![3]]).contains("exactly 2 inputs, got 1 (per-sample shapes [3]); in a sequential model"));
        assert!(err(1, 1, &[vec![3], vec![3], vec![3]]).contains("exactly 2 inputs, got 3"));
        let e = err(1, 1, &[vec![3], vec![4]]);
        assert!(e.contains("input 0 has 3 on axis 1 and input 1 has 4 on axis 1") && e.contains("[3], [4]"), "{e}");
        assert!(err(0, 0, &[vec![3], vec![3]]).contains("axes[0] = 0 is the batch axis"));
        assert!(err(-2, -2, &[vec![3], vec![3]]).contains("axes[0] = -2 is the batch axis"));
        assert!(err(1, 3, &[vec![3], vec![3, 3]]).contains("axes[1] = 3 is out of range for input 1, of rank 3"));
        assert!(err(1, 1, &[vec![3, 2, 2], vec![3]]).contains("input 0 must be [batch, d] or [batch, n, d]"));
        assert!(err(1, 1, &[vec![], vec![3]]).contains("input 0 must be"));
    }
}
