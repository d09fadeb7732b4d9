//! Backward rules of the reductions (`ops/reduce.rs`).
//!
//! With `ĝ` the output gradient reshaped to keep the reduced axes (size 1) and broadcast
//! back over them: `sum` → `ĝ`; `mean` → `ĝ / n`; `max`/`min` → `ĝ` where `x` equals the
//! result (every tie receives it, as in TF.js); `prod` → `ĝ · y / x` (computed without
//! dividing by zero: the product of the other elements); `variance` → `ĝ · 2(x − μ)/n`;
//! `argMax`/`argMin` → none.

use crate::ops::binary::{binary, BinaryOp};
use crate::ops::reduce::{reduce, ReduceOp};
use crate::{Result, Shape, Tensor};

/// The shape of the output with reduced axes kept as 1.
fn kept_shape(x: &Tensor, axes: &[i64]) -> Result<Shape> {
    let mut dims = x.dims().to_vec();
    for &a in axes {
        let ax = x.shape().axis("grad", a)?;
        dims[ax] = 1;
    }
    Shape::new("grad", &dims)
}

/// `dx` for `y = op(x, axes, keep_dims)` given `g = dL/dy`.
pub fn reduce_backward(op: ReduceOp, x: &Tensor, y: &Tensor, g: &Tensor, axes: &[i64], _keep_dims: bool) -> Result<Option<Tensor>> {
    let kept = kept_shape(x, axes)?;
    let n: usize = axes.iter().map(|&a| x.shape().axis("grad", a).map(|ax| x.dims()[ax])).collect::<Result<Vec<usize>>>()?.iter().product();
    let gk = g.clone().with_shape(kept.clone());
    let yk = y.clone().with_shape(kept);
    let zeros = Tensor::zeros("grad", x.shape().clone())?;
    let gb = binary(BinaryOp::Add, &zeros, &gk)?; // ĝ broadcast to x's shape
    let out = match op {
        ReduceOp::Sum => gb,
        ReduceOp::Mean => {
            let mut t = gb;
            t.data_mut().iter_mut().for_each(|v| *v /= n.max(1) as f32);
            t
        }
        ReduceOp::Max | ReduceOp::Min => {
            let yb = binary(BinaryOp::Add, &zeros, &yk)?;
            let mut t = gb;
            for ((o, &xv), &yv) in t.data_mut().iter_mut().zip(x.data()).zip(yb.data()) {
                if xv != yv {
                    *o = 0.0;
                }
            }
            t
        }
        ReduceOp::Prod => {
            // ∂/∂xᵢ Πx = Π_{j≠i} xⱼ, computed per element by leave-one-out products so zeros
            // are handled exactly.
            let others = leave_one_out_products(x, axes)?;
            binary(BinaryOp::Mul, &gb, &others)?
        }
        ReduceOp::Variance => {
            // ∂var/∂xᵢ = 2(xᵢ − μ)/n with the exact mean μ: the float32 mean μ̂ is off by the
            // mean of x − μ̂ (the forward's correction term), which is taken off again here, so
            // the gradients sum to 0 (x = [2^24, 2^24 + 2, 2^24 + 2] gave [0, 4/3, 4/3], not
            // [−8/9, 4/9, 4/9], where μ̂ = 2^24 is 4/3 below μ).
            let mean = reduce(ReduceOp::Mean, x, axes, true)?;
            let centered = binary(BinaryOp::Sub, x, &mean)?;
            let off = reduce(ReduceOp::Mean, &centered, axes, true)?;
            let centered = binary(BinaryOp::Sub, &centered, &off)?;
            let mut t = binary(BinaryOp::Mul, &gb, &centered)?;
            t.data_mut().iter_mut().for_each(|v| *v *= 2.0 / n.max(1) as f32);
            t
        }
        ReduceOp::ArgMax | ReduceOp::ArgMin => return Ok(None),
    };
    Ok(Some(out))
}

/// For each element, the product of the other elements in its reduction group: the product
/// of the members before it times the product of those after it (index order), each
/// accumulated left to right from 1, as TF.js's prod gradient (an exclusive `cumprod` forward
/// times one reversed). O(n) per group, exact with zeros, no division. The partial products
/// are float32, as TF.js's `cumprod`, so the gradients keep TF.js's bits; where one leaves
/// float32's range (x = [1e30, 1e30, 1e-30, 1e-30]: ∂/∂x₃ = 1e30) the gradient is ±∞ or 0 in
/// both, although the forward, multiplied in f64, is finite.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn leave_one_out_products(x: &Tensor, axes: &[i64]) -> Result<Tensor> {
    let mut out = Tensor::zeros("grad", x.shape().clone())?;
    let mut reduced = vec![false; x.rank()];
    for &a in axes {
        reduced[x.shape().axis("grad", a)?] = true;
    }
    // The flat offsets over the reduced axes (a group's members, in index order) and over the
    // kept axes (each group's first member).
    let (dims, strides) = (x.dims(), x.shape().strides());
    let offsets = |want: bool| -> Vec<usize> {
        let mut v = vec![0usize];
        for d in (0..dims.len()).filter(|&d| reduced[d] == want) {
            let (len, stride) = (dims[d], strides[d]);
            v = v.iter().flat_map(|&o| (0..len).map(move |c| o + c * stride)).collect();
        }
        v
    };
    if x.size() == 0 {
        return Ok(out);
    }
    let (members, groups) = (offsets(true), offsets(false));
    let (xd, od) = (x.data(), out.data_mut());
    for base in groups {
        let mut before = 1.0f32;
        for &m in &members {
            od[base + m] = before;
            before *= xd[base + m];
        }
        let mut after = 1.0f32;
        for &m in members.iter().rev() {
            od[base + m] *= after;
            after *= xd[base + m];
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_finite_differences() {
        let x = Tensor::new("t", [2, 3].into(), vec![0.5, 1.5, -0.7, 2.0, 0.0, 1.2]).unwrap();
        let g = Tensor::new("t", [2].into(), vec![1.0, -2.0]).unwrap();
        for op in [ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max, ReduceOp::Min, ReduceOp::Prod, ReduceOp::Variance] {
            let y = reduce(op, &x, &[1], false).unwrap();
            let d = reduce_backward(op, &x, &y, &g, &[1], false).unwrap().unwrap();
            let f = |t: &Tensor| -> f32 { reduce(op, t, &[1], false).unwrap().data().iter().zip(g.data()).map(|(a, b)| a * b).sum() };
            for i in 0..6 {
                let eps = 1e-3;
                let mut p = x.clone();
                p.data_mut()[i] += eps;
                let mut m = x.clone();
                m.data_mut()[i] -= eps;
                let num = (f(&p) - f(&m)) / (2.0 * eps);
                assert!((num - d.data()[i]).abs() < 1e-2 * (1.0 + num.abs()), "{op:?}[{i}]: {num} vs {}", d.data()[i]);
            }
        }
    }

    /// The variance's gradient uses the exact mean, not the rounded float32 one: against the
    /// float64 rule 2(xᵢ − μ)/n where μ is far from a float32 (huge mean, small spread), and
    /// each group's gradients sum to 0 (a shift changes no variance).
    #[test]
    fn variance_gradient_uses_the_exact_mean() {
        for (v, dims, axes) in [
            (vec![16777216.0f32, 16777218.0, 16777218.0], vec![3], vec![0i64]),
            (vec![1e4, 1e4 + 3e-3, 1e4 + 7e-3], vec![3], vec![0]),
            ((0..34).map(|i| 1e6 + (i % 17) as f32 * 0.37 - (i / 17) as f32 * 0.11).collect(), vec![2, 17], vec![1]),
        ] {
            let x = Tensor::new("t", dims.as_slice().into(), v.clone()).unwrap();
            let y = reduce(ReduceOp::Variance, &x, &axes, false).unwrap();
            let groups = y.data().len();
            let g = Tensor::new("t", y.shape().clone(), vec![1.0; groups]).unwrap();
            let d = reduce_backward(ReduceOp::Variance, &x, &y, &g, &axes, false).unwrap().unwrap();
            let n = v.len() / groups;
            for k in 0..groups {
                let xs: Vec<f64> = v[k * n..(k + 1) * n].iter().map(|&a| f64::from(a)).collect();
                let mu = xs.iter().sum::<f64>() / n as f64;
                let scale = xs.iter().map(|a| (a - mu).abs()).fold(0.0, f64::max) * 2.0 / n as f64;
                for (i, &a) in xs.iter().enumerate() {
                    let want = 2.0 * (a - mu) / n as f64;
                    let got = f64::from(d.data()[k * n + i]);
                    assert!((got - want).abs() <= 1e-3 * scale, "{v:?}[{i}]: {got} vs {want}");
                }
                let sum: f64 = d.data()[k * n..(k + 1) * n].iter().map(|&a| f64::from(a)).sum();
                assert!(sum.abs() <= 1e-3 * scale, "the gradients sum to {sum}");
            }
        }
    }

    /// The product of the others as prefix × suffix: against float64 leave-one-out products
    /// on odd and long groups, with no, one and two zeros and negative values, over one axis,
    /// several (not adjacent, negative) and none; and bit for bit against TF.js's recipe
    /// (exclusive cumprod forward times reversed, float32) on one axis.
    #[test]
    fn prod_gradient_is_the_product_of_the_others() {
        let mut rng = crate::rng::Philox::new(3, 0);
        for (dims, axes) in [
            (vec![1], vec![0i64]),
            (vec![7], vec![0]),
            (vec![3, 1001], vec![1]),
            (vec![5, 4, 3], vec![0, 2]),
            (vec![2, 3, 5], vec![-1, -3]),
            (vec![3, 5], vec![]),
            (vec![2, 3, 4], vec![0, 1, 2]),
            (vec![0, 5], vec![1]),
        ] {
            let shape: Shape = dims.as_slice().into();
            for zeros in 0..3 {
                let mut v: Vec<f32> = (0..shape.size()).map(|_| 0.8 + (rng.next_u32() % 4001) as f32 / 10000.0).collect();
                v.iter_mut().step_by(3).for_each(|a| *a = -*a);
                // Zeros at the start and in the middle of the data (of the first group at least).
                for z in 0..zeros.min(v.len()) {
                    let at = z * v.len() / 2;
                    v[at] = 0.0;
                }
                let x = Tensor::new("t", shape.clone(), v.clone()).unwrap();
                let got = leave_one_out_products(&x, &axes).unwrap();
                // float64 reference: the product of the others, for each element of each group.
                let strides = shape.strides();
                let red: Vec<bool> = (0..dims.len()).map(|d| axes.iter().any(|&a| shape.axis("t", a).unwrap() == d)).collect();
                let group = |i: usize| -> Vec<usize> { (0..dims.len()).map(|d| if red[d] { 0 } else { i / strides[d] % dims[d] }).collect() };
                for i in 0..v.len() {
                    let want: f64 = (0..v.len()).filter(|&j| j != i && group(j) == group(i)).map(|j| f64::from(v[j])).product();
                    let g = f64::from(got.data()[i]);
                    let n = (0..v.len()).filter(|&j| group(j) == group(i)).count() as f64;
                    assert!((g - want).abs() <= want.abs() * n * 1.2e-7, "{dims:?} {axes:?} zeros={zeros} [{i}]: {g} vs {want}");
                    assert!(want != 0.0 || g == 0.0);
                }
                if axes.len() == 1 && dims.len() == 2 {
                    let n = dims[1];
                    for (r, row) in v.chunks(n).enumerate() {
                        let mut before = vec![1f32; n];
                        let mut after = vec![1f32; n];
                        for j in 1..n {
                            before[j] = before[j - 1] * row[j - 1];
                            after[n - 1 - j] = after[n - j] * row[n - j];
                        }
                        let want: Vec<u32> = (0..n).map(|j| (before[j] * after[j]).to_bits()).collect();
                        let got: Vec<u32> = got.data()[r * n..(r + 1) * n].iter().map(|a| a.to_bits()).collect();
                        assert_eq!(got, want);
                    }
                }
            }
        }
    }
}
