//! Merge layers (TF.js `tf.layers.add`, `subtract`, `multiply`, `average`, `maximum`,
//! `minimum`, `concatenate`): several inputs, one output, no weights. They exist in graph
//! models (the functional API); in a sequential model, which feeds each layer one input, they
//! are an error.
//!
//! The element-wise merges run TF.js's fold with the tensor ops, `y = op(…op(op(x₀, x₁), x₂)…)`
//! (`average` then multiplies by `1/n`), so they give TF.js's bits, and their backward runs
//! each op's backward rule ([`binary_backward`]) in reverse: the rule of `fit`, the tape and
//! the ops is one. Inputs broadcast as TF.js's and Keras's `Merge` (merge.ts `call`,
//! `computeElementwiseOpOutputShape`): an input of a lower rank gets axes of 1 after the batch
//! axis until its rank is the highest (`[b, 4]` against `[b, 3, 4]` runs as `[b, 1, 4]`; its
//! gradient is summed back to `[b, 4]`), then a per-sample dim of 1 goes against any.
//! `concatenate` is [`concat`] along an axis of the sample
//! (`axis` counts the batch axis as TF.js's does; `-1`, the default, is the last), and its
//! backward is [`concat_backward`]. `dot` (two inputs, a dot product along an axis of each)
//! is [`super::dot`]'s forward and rule.
//!
//! In a graph model, a mask reaching a merge follows Keras 3 ([`super::Masking::Merge`]):
//! `multiply`, `maximum` and `minimum` also read their inputs' masks in their values
//! ([`Merge::forward_many_masked`]); `concatenate` along an axis other than the last concatenates the
//! masks along it ([`Merge::concat_masks`]); `dot` drops the mask (its values take every step).
//!
//! ```
//! use neurite_core::layers::{merge::{Merge, MergeOp}, Init, Layer, Mode};
//! use neurite_core::Tensor;
//! let mut add = Merge::new(MergeOp::Add, -1);
//! assert_eq!(add.build_many(&[vec![2], vec![2]], Init::seeded(0)).unwrap(), vec![2]);
//! let a = Tensor::new("doc", [1, 2].into(), vec![1., 2.]).unwrap();
//! let b = Tensor::new("doc", [1, 2].into(), vec![10., 20.]).unwrap();
//! assert_eq!(add.forward_many(vec![a, b], Mode::Infer).unwrap().data(), &[11., 22.]);
//! ```

use super::dot::{DotCache, DotConfig};
use super::{no_forward, Init, Layer, Mode};
use crate::autodiff::elementwise::binary_backward;
use crate::ops::binary::{binary, BinaryOp};
use crate::ops::concat::{concat, concat_backward};
use crate::ops::squeeze::expand_dims;
use crate::{bail, bail_shape, Error, Result, Shape, Tensor};

/// What a [`Merge`] computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeOp {
    Add,
    Subtract,
    Multiply,
    Average,
    Maximum,
    Minimum,
    Concatenate,
    Dot,
}

impl MergeOp {
    /// The layer kind (the TS name).
    pub fn kind(self) -> &'static str {
        match self {
            MergeOp::Add => "add",
            MergeOp::Subtract => "subtract",
            MergeOp::Multiply => "multiply",
            MergeOp::Average => "average",
            MergeOp::Maximum => "maximum",
            MergeOp::Minimum => "minimum",
            MergeOp::Concatenate => "concatenate",
            MergeOp::Dot => "dot",
        }
    }

    /// The binary op the element-wise merges fold with.
    fn fold(self) -> BinaryOp {
        match self {
            MergeOp::Subtract => BinaryOp::Sub,
            MergeOp::Multiply => BinaryOp::Mul,
            MergeOp::Maximum => BinaryOp::Maximum,
            MergeOp::Minimum => BinaryOp::Minimum,
            MergeOp::Add | MergeOp::Average | MergeOp::Concatenate | MergeOp::Dot => BinaryOp::Add,
        }
    }
}

pub struct Merge {
    op: MergeOp,
    /// `concatenate`'s axis, counting the batch axis (TF.js's).
    axis: i64,
    /// The inputs of the last forward that kept them, and the fold's partial results
    /// (`ys[k]` = the fold over `x₀..=x_{k+1}`; `average`'s last is the sum before `1/n`).
    cache: Option<(Vec<Tensor>, Vec<Tensor>)>,
    /// `dot`'s options and what its backward needs.
    dot: Option<(DotConfig, Option<DotCache>)>,
    /// The per-sample rank of the inputs, once built (`concatenate`'s axis against it).
    rank: usize,
    /// What the backward of the last masked forward that kept values needs: each input's row
    /// mask, the output's rows that count (multiply, when every input has a mask) and the input
    /// each value comes from (maximum, minimum).
    masked: Option<(Vec<Option<Vec<f32>>>, Option<Vec<f32>>, Vec<u32>)>,
    /// The input shapes of the last element-wise forward that kept values, when it expanded a
    /// lower-rank input (that input's gradient goes back to its own shape); empty otherwise.
    given: Vec<Shape>,
}

impl Merge {
    pub fn new(op: MergeOp, axis: i64) -> Merge {
        Merge { op, axis, cache: None, dot: None, rank: 0, masked: None, given: Vec::new() }
    }

    /// A `dot` layer.
    pub fn dot(cfg: DotConfig) -> Merge {
        Merge { op: MergeOp::Dot, axis: -1, cache: None, dot: Some((cfg, None)), rank: 0, masked: None, given: Vec::new() }
    }

    /// The per-sample output shape for per-sample `inputs` (the checks TF.js's build runs).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn output_shape(&self, inputs: &[Vec<usize>]) -> Result<Vec<usize>> {
        if let Some((cfg, _)) = &self.dot {
            return cfg.output_shape(inputs);
        }
        let op = self.op.kind();
        let shown = || inputs.iter().map(|s| format!("{}", Shape::from(&s[..]))).collect::<Vec<_>>().join(", ");
        if self.op == MergeOp::Subtract && inputs.len() != 2 {
            bail!(op, "takes exactly 2 inputs, got {} (per-sample shapes {})", inputs.len(), shown());
        }
        if inputs.len() < 2 {
            bail!(op, "a merge layer takes a list of at least 2 inputs, got {}{}", inputs.len(), if inputs.is_empty() { String::new() } else { format!(" (per-sample shape {}); in a sequential model each layer has one input: merge layers need a graph model (model({{ inputs, outputs }}))", shown()) });
        }
        let rank = inputs[0].len();
        if self.op == MergeOp::Concatenate {
            if inputs.iter().any(|s| s.len() != rank) {
                bail_shape!(op, "inputs must have the same rank, got per-sample shapes {}", shown());
            }
            // The axis counts the batch: -1 is the sample's last, 0 is the batch itself.
            let full = rank as i64 + 1;
            let a = if self.axis < 0 { self.axis + full } else { self.axis };
            if a == 0 || rank == 0 {
                bail!(op, "cannot concatenate along the batch axis (axis {}, per-sample shapes {}); use an axis of the sample, -1 (the default) for the last", self.axis, shown());
            }
            if a < 0 || a >= full {
                bail!(op, "axis {} is out of range [{}, {}] for inputs of rank {full} (batch included; per-sample shapes {})", self.axis, -full, full - 1, shown());
            }
            let ax = (a - 1) as usize;
            let mut out = inputs[0].clone();
            for s in &inputs[1..] {
                if s.iter().enumerate().any(|(i, &d)| i != ax && d != out[i]) {
                    bail_shape!(op, "inputs must match except on the concatenation axis {} (batch included), got per-sample shapes {}", self.axis, shown());
                }
                out[ax] += s[ax];
            }
            return Ok(out);
        }
        // TF.js's computeElementwiseOpOutputShape: the shapes meet at their last axes (a
        // lower-rank input runs with axes of 1 after the batch axis), 1 against any.
        let mut out = Shape::from(&inputs[0][..]);
        for s in &inputs[1..] {
            out = Shape::broadcast(op, &out, &Shape::from(&s[..])).map_err(|_| Error::shape(op, format!("inputs must have the same per-sample shape (or 1 where they differ; shapes of other ranks meet at their last axes), got {}", shown())))?;
        }
        Ok(out.dims().to_vec())
    }
}

impl Layer for Merge {
    /// Keras 3's merge masks ([`super::Masking::Merge`]; `concatenate` along an axis other than
    /// the last concatenates its inputs' masks, [`Merge::concat_masks`]); `dot`'s Keras 3
    /// output drops the mask (keras/src/layers/merging/dot.py `compute_mask` returns None, and
    /// its values take every step, the padding's too), as TF.js's.
    fn masking(&self) -> super::Masking {
        match self.op {
            MergeOp::Dot => super::Masking::Consume,
            _ => super::Masking::Merge,
        }
    }

    fn kind(&self) -> &'static str {
        self.op.kind()
    }

    fn build(&mut self, input: &[usize], _init: Init) -> Result<Vec<usize>> {
        self.output_shape(&[input.to_vec()])
    }

    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        self.forward_many(vec![x], mode)
    }

    fn backward(&mut self, _dy: Tensor) -> Result<Tensor> {
        Err(no_forward(self.op.kind()))
    }

    fn as_merge_mut(&mut self) -> Option<&mut Merge> {
        Some(self)
    }
}

impl Merge {
    /// Checks the per-sample input shapes (as TF.js's build) and returns the output's.
    pub fn build_many(&mut self, inputs: &[Vec<usize>], _init: Init) -> Result<Vec<usize>> {
        let out = self.output_shape(inputs)?;
        self.rank = inputs.first().map_or(0, Vec::len);
        Ok(out)
    }

    /// The merge of `xs`; keeps what `backward_many` needs unless `mode` is inference.
    pub fn forward_many(&mut self, xs: Vec<Tensor>, mode: Mode) -> Result<Tensor> {
        self.forward_many_masked(xs, Vec::new(), mode)
    }

    /// [`Merge::forward_many`] with the row masks of the inputs (every axis but the last; 1
    /// kept, 0 masked; `None` for an unmasked one, or no masks at all): a graph model gives
    /// them to a masked merge. Keras 3's `Multiply`, `Maximum` and `Minimum` read them in their
    /// values (the other merges' values ignore them). The masks are this forward's argument,
    /// never kept for a later one.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn forward_many_masked(&mut self, mut xs: Vec<Tensor>, mut masks: Vec<Option<Vec<f32>>>, mode: Mode) -> Result<Tensor> {
        let op = self.op.kind();
        if let Some((cfg, cache)) = &mut self.dot {
            if xs.len() != 2 {
                bail!(op, "takes exactly 2 inputs, got {}", xs.len());
            }
            let (y, kept) = super::dot::forward(cfg, xs, mode.keeps())?;
            *cache = kept;
            return Ok(y);
        }
        if xs.len() < 2 {
            bail!(op, "a merge layer takes at least 2 inputs, got {}", xs.len());
        }
        if self.op == MergeOp::Concatenate {
            let y = concat(&xs.iter().collect::<Vec<_>>(), self.axis).map_err(|e| e.within(op, "its inputs"))?;
            self.cache = mode.keeps().then(|| (xs, Vec::new()));
            return Ok(y);
        }
        self.masked = None;
        // TF.js's and Keras's `Merge.call`: axes of 1 at axis 1 (after the batch) on each input
        // of a lower rank, until every rank is the highest.
        // The shapes are kept only when an input is expanded (the backward reshapes its gradient).
        let top = xs.iter().map(Tensor::rank).max().unwrap_or(0);
        let given: Vec<Shape> = if xs.iter().any(|x| x.rank() < top) { xs.iter().map(|x| x.shape().clone()).collect() } else { Vec::new() };
        for (i, x) in xs.iter_mut().enumerate() {
            if x.rank() < top {
                // Keras 3: the expanded tensor no longer carries its mask into the values.
                if let Some(m) = masks.get_mut(i) {
                    *m = None;
                }
                while x.rank() < top {
                    *x = expand_dims(x, 1)?;
                }
            }
        }
        if mode.keeps() {
            self.given = given;
        }
        if matches!(self.op, MergeOp::Multiply | MergeOp::Maximum | MergeOp::Minimum) && masks.iter().any(Option::is_some) {
            // Maximum and minimum: their value; multiply: its inputs made ready for the fold.
            if let Some(y) = self.forward_masked(&mut xs, masks, mode)? {
                return Ok(y);
            }
        }
        let f = self.op.fold();
        let mut ys = Vec::with_capacity(xs.len() - 1);
        let mut y = binary(f, &xs[0], &xs[1])?;
        for x in &xs[2..] {
            let next = binary(f, &y, x)?;
            ys.push(core::mem::replace(&mut y, next));
        }
        let mut out = match self.op {
            // TF.js: mul(1 / n, sum), the scalar rounded to f32.
            MergeOp::Average => binary(BinaryOp::Mul, &y, &scale(xs.len())?)?,
            _ => y.clone(),
        };
        if let Some((_, Some(rows), _)) = &self.masked {
            // Masked multiply: a row no input keeps is 0.
            zero_rows(op, &mut out, rows)?;
        }
        if !mode.keeps() {
            self.masked = None;
        } else {
            ys.push(y);
            self.cache = Some((xs, ys));
        }
        Ok(out)
    }

    /// `dL/dx` for each input of the last forward that kept them.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn backward_many(&mut self, dy: Tensor) -> Result<Vec<Tensor>> {
        if let Some((cfg, cache)) = &mut self.dot {
            let c = cache.take().ok_or_else(|| no_forward("dot"))?;
            return super::dot::backward(cfg.normalize, c, &dy);
        }
        let (xs, ys) = self.cache.take().ok_or_else(|| no_forward(self.op.kind()))?;
        if self.op == MergeOp::Concatenate {
            return concat_backward(&xs.iter().collect::<Vec<_>>(), self.axis, &dy);
        }
        let mut dxs = match self.masked.take() {
            Some((masks, rows, from)) => self.backward_masked(xs, ys, masks, rows, from, dy)?,
            None => self.fold_backward(&xs, &ys, dy)?,
        };
        // An expanded input's gradient back to its own shape (the same values).
        for (d, s) in dxs.iter_mut().zip(&self.given) {
            if d.shape() != s && d.size() == s.size() {
                *d = d.clone().with_shape(s.clone());
            }
        }
        Ok(dxs)
    }

    /// The fold's backward from `dy`: `dL/dx` of each of `xs` (`ys` the fold's partial results).
    fn fold_backward(&self, xs: &[Tensor], ys: &[Tensor], dy: Tensor) -> Result<Vec<Tensor>> {
        let mut g = dy;
        if self.op == MergeOp::Average {
            // Mul's rule for the sum: dy · (1/n) (the forward's output is not needed).
            g = binary(BinaryOp::Mul, &g, &scale(xs.len())?)?;
        }
        let f = self.op.fold();
        let mut dxs = vec![None; xs.len()];
        // ys[k - 1] = fold(x₀..=x_k) = f(ys[k - 2] or x₀, x_k).
        for k in (1..xs.len()).rev() {
            let a = if k == 1 { &xs[0] } else { &ys[k - 2] };
            let (da, db) = binary_backward(f, a, &xs[k], &ys[k - 1], &g)?;
            dxs[k] = db;
            g = da.ok_or_else(|| no_forward(self.op.kind()))?;
        }
        dxs[0] = Some(g);
        dxs.into_iter().map(|d| d.ok_or_else(|| no_forward(self.op.kind()))).collect()
    }
}

impl Merge {
    /// Keras 3's mask of `concatenate` along an axis of the sample other than the last
    /// (keras/src/layers/merging/concatenate.py `compute_mask`): the inputs' row masks
    /// (every axis but the last; all 1 for an unmasked input) concatenated along that axis, for
    /// inputs of shapes `dims` (batch first) with masks `ms`. `None` along the last axis (the
    /// masks are ORed there: the graph's rule) or when no input has a mask.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn concat_masks(&self, dims: &[&[usize]], ms: &[Option<Vec<f32>>]) -> Option<Vec<f32>> {
        let rank = dims.first()?.len();
        let full = rank as i64;
        let a = if self.axis < 0 { self.axis + full } else { self.axis };
        if self.op != MergeOp::Concatenate || a <= 0 || a >= full - 1 || ms.iter().all(Option::is_none) {
            return None;
        }
        let a = a as usize;
        // Per input: the rows before the axis (batch included) and each one's run of mask values.
        let runs: Vec<usize> = dims.iter().map(|d| d[a..rank - 1].iter().product()).collect();
        let outer: usize = dims[0][..a].iter().product();
        let mut out = Vec::with_capacity(outer * runs.iter().sum::<usize>());
        for o in 0..outer {
            for (m, &run) in ms.iter().zip(&runs) {
                match m {
                    Some(m) => out.extend_from_slice(m.get(o * run..(o + 1) * run)?),
                    None => out.extend(core::iter::repeat_n(1.0, run)),
                }
            }
        }
        Some(out)
    }

    /// Keras 3's masked `Multiply` (keras/src/layers/merging/multiply.py): a masked input's
    /// values count as 1, and when every input has a mask, a row that none keeps is 0; and
    /// `Maximum`/`Minimum` (base_merge.py `_apply_merge_op_and_or_mask`): the max (min) of the
    /// inputs that keep the row (an unmasked input keeps every row), the first input's value
    /// where none does. Inputs of one shape (no broadcasting), masks over their rows. Returns
    /// maximum's and minimum's value; for multiply, sets the masked rows of `xs` to 1 and
    /// leaves the fold to [`Merge::forward_many`] (`None`).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    fn forward_masked(&mut self, xs: &mut [Tensor], masks: Vec<Option<Vec<f32>>>, mode: Mode) -> Result<Option<Tensor>> {
        let op = self.op.kind();
        let dims = xs[0].dims().to_vec();
        let c = dims.last().copied().unwrap_or(1).max(1);
        let (n, rows) = (xs[0].size(), xs[0].size() / c);
        if xs.iter().any(|x| x.dims() != &dims[..]) || masks.len() != xs.len() || masks.iter().flatten().any(|m| m.len() != rows) {
            let shapes = xs.iter().map(|x| format!("{}", x.shape())).collect::<Vec<_>>().join(", ");
            bail_shape!(op, "with a mask, its inputs must have one shape (no broadcasting) and masks of their rows, got {shapes} and masks of {} rows", crate::error::ints(&masks.iter().map(|m| m.as_ref().map_or(0, Vec::len)).collect::<Vec<_>>()));
        }
        let kept = |i: usize, r: usize| masks[i].as_ref().is_none_or(|m| m[r] != 0.0);
        if self.op == MergeOp::Multiply {
            for (x, m) in xs.iter_mut().zip(&masks) {
                if let Some(m) = m {
                    // 1 on the masked rows (an input other layers read too is copied first).
                    for (row, &k) in x.try_data_mut(op)?.chunks_exact_mut(c).zip(m) {
                        if k == 0.0 {
                            row.fill(1.0);
                        }
                    }
                }
            }
            let out_rows = masks.iter().all(Option::is_some).then(|| (0..rows).map(|r| if (0..xs.len()).any(|i| kept(i, r)) { 1.0 } else { 0.0 }).collect());
            self.masked = Some((masks, out_rows, Vec::new()));
            return Ok(None);
        }
        let max = self.op == MergeOp::Maximum;
        let (mut out, mut from) = (vec![0.0f32; n], vec![0u32; n]);
        for e in 0..n {
            let r = e / c;
            let mut w: Option<usize> = None;
            for (i, x) in xs.iter().enumerate() {
                if !kept(i, r) {
                    continue;
                }
                let v = x.data()[e];
                w = match w {
                    Some(j) => {
                        let u = xs[j].data()[e];
                        Some(if v.is_nan() || (max && v > u) || (!max && v < u) { i } else { j })
                    }
                    None => Some(i),
                };
            }
            let w = w.unwrap_or(0);
            (out[e], from[e]) = (xs[w].data()[e], w as u32);
        }
        if mode.keeps() {
            self.cache = Some((Vec::new(), Vec::new()));
            self.masked = Some((masks, None, from));
        }
        Tensor::new(op, Shape::from(&dims[..]), out).map(Some)
    }

    /// The backward of [`Merge::forward_masked`]: multiply's fold backward on the substituted
    /// inputs, with no gradient to a row the output zeroed or to a masked input's rows; a max
    /// (min) value's gradient to the input it came from.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    #[allow(clippy::type_complexity)]
    fn backward_masked(&self, xs: Vec<Tensor>, ys: Vec<Tensor>, masks: Vec<Option<Vec<f32>>>, rows: Option<Vec<f32>>, from: Vec<u32>, mut dy: Tensor) -> Result<Vec<Tensor>> {
        let op = self.op.kind();
        if self.op == MergeOp::Multiply {
            if let Some(o) = &rows {
                zero_rows(op, &mut dy, o)?;
            }
            let mut dxs = self.fold_backward(&xs, &ys, dy)?;
            for (dx, m) in dxs.iter_mut().zip(&masks) {
                if let Some(m) = m {
                    zero_rows(op, dx, m)?;
                }
            }
            return Ok(dxs);
        }
        let mut dxs = Vec::with_capacity(masks.len());
        for i in 0..masks.len() {
            let mut d = Tensor::zeros(op, dy.shape().clone())?;
            for ((g, &w), &v) in d.data_mut().iter_mut().zip(&from).zip(dy.data()) {
                if w as usize == i {
                    *g = v;
                }
            }
            dxs.push(d);
        }
        Ok(dxs)
    }
}

/// Sets to 0 each row of `t` (every axis but the last) whose entry of `m` is 0.
fn zero_rows(op: &'static str, t: &mut Tensor, m: &[f32]) -> Result<()> {
    let c = t.dims().last().copied().unwrap_or(1).max(1);
    for (row, &k) in t.try_data_mut(op)?.chunks_exact_mut(c).zip(m) {
        if k == 0.0 {
            row.fill(0.0);
        }
    }
    Ok(())
}

/// `1 / n` as TF.js's `average` computes it (in f64, then a float32 scalar).
fn scale(n: usize) -> Result<Tensor> {
    Tensor::new("average", Shape::from(&[][..]), vec![(1.0 / n as f64) as f32])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(dims: &[usize], v: Vec<f32>) -> Tensor {
        Tensor::new("t", dims.into(), v).unwrap()
    }

    fn built(op: MergeOp, axis: i64, shapes: &[Vec<usize>]) -> Merge {
        let mut m = Merge::new(op, axis);
        m.build_many(shapes, Init::seeded(0)).unwrap();
        m
    }

    /// Σ w·y at xs, for central differences.
    fn objective(op: MergeOp, axis: i64, xs: &[Tensor], w: &Tensor) -> f64 {
        let mut m = Merge::new(op, axis);
        let y = m.forward_many(xs.to_vec(), Mode::Infer).unwrap();
        y.data().iter().zip(w.data()).map(|(&a, &b)| a as f64 * b as f64).sum()
    }

    #[test]
    fn values_by_hand() {
        let a = t(&[2, 2], vec![1., 5., -2., 0.5]);
        let b = t(&[2, 2], vec![3., 1., -1., 4.]);
        let c = t(&[2, 2], vec![2., 2., 2., 2.]);
        let run = |op: MergeOp, xs: Vec<Tensor>| built(op, -1, &vec![vec![2]; xs.len()]).forward_many(xs, Mode::Infer).unwrap().data().to_vec();
        assert_eq!(run(MergeOp::Add, vec![a.clone(), b.clone(), c.clone()]), vec![6., 8., -1., 6.5]);
        assert_eq!(run(MergeOp::Subtract, vec![a.clone(), b.clone()]), vec![-2., 4., -1., -3.5]);
        assert_eq!(run(MergeOp::Multiply, vec![a.clone(), b.clone(), c.clone()]), vec![6., 10., 4., 4.]);
        assert_eq!(run(MergeOp::Average, vec![a.clone(), b.clone()]), vec![2., 3., -1.5, 2.25]);
        assert_eq!(run(MergeOp::Maximum, vec![a.clone(), b.clone(), c.clone()]), vec![3., 5., 2., 4.]);
        assert_eq!(run(MergeOp::Minimum, vec![a.clone(), b.clone(), c.clone()]), vec![1., 1., -2., 0.5]);
        assert_eq!(run(MergeOp::Concatenate, vec![a, b]), vec![1., 5., 3., 1., -2., 0.5, -1., 4.]);
    }

    /// Keras 3's masked Multiply (multiply.py) and Maximum / Minimum (base_merge.py
    /// `_apply_merge_op_and_or_mask`), by hand: 3 rows of 2 values, a keeps row 0, b row 1.
    #[test]
    fn masked_values_by_hand() {
        let a = t(&[1, 3, 2], vec![1., 5., -2., 0.5, 3., -1.]);
        let b = t(&[1, 3, 2], vec![3., 1., -1., 4., 2., 2.]);
        let (ma, mb) = (vec![1., 0., 0.], vec![0., 1., 0.]);
        let run = |op: MergeOp, masks: Vec<Option<Vec<f32>>>| {
            let mut m = built(op, -1, &[vec![3, 2], vec![3, 2]]);
            m.forward_many_masked(vec![a.clone(), b.clone()], masks, Mode::Infer).unwrap().data().to_vec()
        };
        let both = || vec![Some(ma.clone()), Some(mb.clone())];
        // A masked input counts as 1; a row no input keeps is 0 when every input has a mask.
        assert_eq!(run(MergeOp::Multiply, both()), vec![1., 5., -1., 4., 0., 0.]);
        assert_eq!(run(MergeOp::Multiply, vec![Some(ma.clone()), None]), vec![3., 5., -1., 4., 2., 2.]);
        // The max (min) of the inputs that keep the row; the first input's where none does.
        assert_eq!(run(MergeOp::Maximum, both()), vec![1., 5., -1., 4., 3., -1.]);
        assert_eq!(run(MergeOp::Minimum, both()), vec![1., 5., -1., 4., 3., -1.]);
        assert_eq!(run(MergeOp::Maximum, vec![Some(ma.clone()), None]), vec![3., 5., -1., 4., 2., 2.]);
        assert_eq!(run(MergeOp::Minimum, vec![None, Some(mb.clone())]), vec![1., 5., -2., 0.5, 3., -1.]);
        // Every row kept: the plain merge's values.
        for op in [MergeOp::Multiply, MergeOp::Maximum, MergeOp::Minimum] {
            assert_eq!(run(op, vec![Some(vec![1.; 3]), Some(vec![1.; 3])]), run(op, vec![]), "{op:?}");
        }
        // Masks are per forward: the next one without any is the plain merge.
        let mut m = built(MergeOp::Multiply, -1, &[vec![3, 2], vec![3, 2]]);
        m.forward_many_masked(vec![a.clone(), b.clone()], both(), Mode::Infer).unwrap();
        assert_eq!(m.forward_many(vec![a.clone(), b.clone()], Mode::Infer).unwrap().data(), &[3., 5., 2., 2., 6., -2.]);
        // Shapes that broadcast, or a mask of other rows, are errors.
        assert!(m.forward_many_masked(vec![a.clone(), b.clone()], vec![Some(vec![1.; 2]), None], Mode::Infer).unwrap_err().to_string().contains("masks of [2, 0] rows"));
        // A lower-rank input runs expanded (axes of 1 after the batch) and, as Keras 3's, its
        // mask no longer reaches the values; the other input's still does.
        // (Both masked, a row neither keeps would be 0.)
        let (c, d) = (t(&[1, 2], vec![2., 3.]), t(&[1, 1, 2], vec![1., 5.]));
        let mut m = built(MergeOp::Multiply, -1, &[vec![2], vec![1, 2]]);
        let y = m.forward_many_masked(vec![c, d], vec![Some(vec![0.]), Some(vec![0.])], Mode::Infer).unwrap();
        assert_eq!((y.dims(), y.data()), (&[1, 1, 2][..], &[2., 3.][..]));
    }

    /// The masked merges' backward against central differences of their forward (3 inputs,
    /// some rows kept by none, one input unmasked).
    #[test]
    fn masked_gradients_match_central_differences() {
        let x = |seed: u32| t(&[2, 3, 2], (0..12).map(|i| ((i as u32 * 7919 + seed * 104_729) % 97) as f32 / 13.0 - 3.5).collect());
        let xs = vec![x(1), x(2), x(3)];
        let w = x(9);
        let cases: Vec<Vec<Option<Vec<f32>>>> = vec![
            vec![Some(vec![1., 0., 0., 1., 0., 0.]), Some(vec![0., 1., 0., 1., 1., 0.]), Some(vec![0., 0., 0., 1., 0., 1.])],
            vec![Some(vec![1., 0., 0., 1., 0., 0.]), None, Some(vec![0., 0., 1., 1., 0., 1.])],
        ];
        for op in [MergeOp::Multiply, MergeOp::Maximum, MergeOp::Minimum] {
            for masks in &cases {
                let f = |xs: &[Tensor], keep: bool| -> (f64, Merge) {
                    let mut m = built(op, -1, &[vec![3, 2], vec![3, 2], vec![3, 2]]);
                    let y = m.forward_many_masked(xs.to_vec(), masks.clone(), if keep { Mode::Trace } else { Mode::Infer }).unwrap();
                    (y.data().iter().zip(w.data()).map(|(&a, &b)| a as f64 * b as f64).sum(), m)
                };
                let (_, mut m) = f(&xs, true);
                let dxs = m.backward_many(w.clone()).unwrap();
                for (i, dx) in dxs.iter().enumerate() {
                    for j in 0..12 {
                        let at = |d: f32| {
                            let mut p = xs.clone();
                            p[i].data_mut()[j] += d;
                            f(&p, false).0
                        };
                        let num = (at(1e-2) - at(-1e-2)) / 2e-2;
                        assert!((num - dx.data()[j] as f64).abs() < 1e-2 * (1.0 + num.abs()), "{op:?} {masks:?} dx{i}[{j}]: {num} vs {}", dx.data()[j]);
                    }
                }
            }
        }
    }

    #[test]
    fn gradients_match_central_differences() {
        let x = |seed: u32, dims: &[usize]| {
            let n: usize = dims.iter().product();
            t(dims, (0..n).map(|i| ((i as u32 * 7919 + seed * 104_729) % 97) as f32 / 13.0 - 3.5).collect())
        };
        let cases: Vec<(MergeOp, i64, Vec<Vec<usize>>)> = vec![
            (MergeOp::Add, -1, vec![vec![3, 2, 4], vec![3, 2, 4], vec![3, 2, 4]]),
            (MergeOp::Add, -1, vec![vec![3, 2, 4], vec![3, 1, 4]]),
            (MergeOp::Subtract, -1, vec![vec![3, 5], vec![3, 1]]),
            (MergeOp::Multiply, -1, vec![vec![2, 3], vec![2, 3], vec![2, 3], vec![2, 3]]),
            (MergeOp::Average, -1, vec![vec![2, 3], vec![2, 3], vec![2, 3]]),
            (MergeOp::Maximum, -1, vec![vec![2, 5], vec![2, 5], vec![2, 5]]),
            (MergeOp::Minimum, -1, vec![vec![2, 5], vec![2, 5]]),
            (MergeOp::Concatenate, -1, vec![vec![2, 3, 1], vec![2, 3, 2], vec![2, 3, 4]]),
            (MergeOp::Concatenate, 1, vec![vec![2, 1, 2], vec![2, 3, 2]]),
            // Ranks differ: axes of 1 after the batch axis.
            (MergeOp::Multiply, -1, vec![vec![2, 4], vec![2, 1, 4]]),
            (MergeOp::Add, -1, vec![vec![2, 4], vec![2, 3, 4]]),
            (MergeOp::Subtract, -1, vec![vec![2, 3, 4], vec![2, 1]]),
            (MergeOp::Average, -1, vec![vec![2, 3], vec![2, 2, 3], vec![2, 5, 1, 3]]),
            (MergeOp::Maximum, -1, vec![vec![2, 2, 3], vec![2, 3]]),
            (MergeOp::Minimum, -1, vec![vec![2, 3], vec![2, 2, 1], vec![2, 2, 3]]),
        ];
        for (op, axis, dims) in cases {
            let xs: Vec<Tensor> = dims.iter().enumerate().map(|(i, d)| x(i as u32 + 1, d)).collect();
            let mut m = built(op, axis, &dims.iter().map(|d| d[1..].to_vec()).collect::<Vec<_>>());
            let y = m.forward_many(xs.clone(), Mode::Trace).unwrap();
            let w = x(9, y.dims());
            let dxs = m.backward_many(w.clone()).unwrap();
            assert_eq!(dxs.len(), xs.len());
            for (i, dx) in dxs.iter().enumerate() {
                assert_eq!(dx.shape(), xs[i].shape(), "{op:?} dx{i}");
                for j in 0..xs[i].size() {
                    let eps = 1e-2;
                    let at = |d: f32| {
                        let mut p = xs.clone();
                        p[i].data_mut()[j] += d;
                        objective(op, axis, &p, &w)
                    };
                    let num = (at(eps) - at(-eps)) / (2.0 * eps as f64);
                    assert!((num - dx.data()[j] as f64).abs() < 1e-2 * (1.0 + num.abs()), "{op:?} dx{i}[{j}]: {num} vs {}", dx.data()[j]);
                }
            }
        }
    }

    #[test]
    fn ties_go_to_the_first_input_as_tfjs_chains_them() {
        let a = t(&[1, 2], vec![1., 2.]);
        let mut m = built(MergeOp::Maximum, -1, &[vec![2], vec![2], vec![2]]);
        m.forward_many(vec![a.clone(), a.clone(), a], Mode::Trace).unwrap();
        let d = m.backward_many(t(&[1, 2], vec![1., 1.])).unwrap();
        assert_eq!([d[0].data(), d[1].data(), d[2].data()], [&[1., 1.][..], &[0., 0.], &[0., 0.]]);
    }

    #[test]
    fn shape_errors_name_the_inputs() {
        let err = |op: MergeOp, axis: i64, shapes: &[Vec<usize>]| Merge::new(op, axis).build_many(shapes, Init::seeded(0)).unwrap_err().to_string();
        assert!(err(MergeOp::Add, -1, &[vec![3]]).contains("at least 2 inputs, got 1 (per-sample shape [3]); in a sequential model"), "{}", err(MergeOp::Add, -1, &[vec![3]]));
        assert!(err(MergeOp::Subtract, -1, &[vec![3], vec![3], vec![3]]).contains("exactly 2 inputs, got 3"));
        assert!(err(MergeOp::Add, -1, &[vec![3], vec![4]]).contains("same per-sample shape (or 1 where they differ; shapes of other ranks meet at their last axes), got [3], [4]"));
        // Ranks differ: shapes meet at their last axes (TF.js's computeElementwiseOpOutputShape).
        assert!(err(MergeOp::Multiply, -1, &[vec![3], vec![2, 4]]).contains("(or 1 where they differ; shapes of other ranks meet at their last axes), got [3], [2,4]"), "{}", err(MergeOp::Multiply, -1, &[vec![3], vec![2, 4]]));
        assert_eq!(Merge::new(MergeOp::Multiply, -1).build_many(&[vec![3], vec![3, 1]], Init::seeded(0)).unwrap(), vec![3, 3]);
        assert_eq!(Merge::new(MergeOp::Multiply, -1).build_many(&[vec![4], vec![1, 4]], Init::seeded(0)).unwrap(), vec![1, 4]);
        assert_eq!(Merge::new(MergeOp::Add, -1).build_many(&[vec![3], vec![2, 1, 1], vec![5, 1]], Init::seeded(0)).unwrap(), vec![2, 5, 3]);
        assert!(err(MergeOp::Concatenate, -1, &[vec![3], vec![2, 3]]).contains("same rank"));
        assert!(err(MergeOp::Concatenate, 0, &[vec![3], vec![3]]).contains("batch axis"));
        assert!(err(MergeOp::Concatenate, 2, &[vec![3], vec![3]]).contains("axis 2 is out of range [-2, 1]"));
        assert!(err(MergeOp::Concatenate, -1, &[vec![2, 3], vec![3, 3]]).contains("match except on the concatenation axis -1"));
        assert_eq!(Merge::new(MergeOp::Concatenate, 1).build_many(&[vec![2, 3], vec![3, 3]], Init::seeded(0)).unwrap(), vec![5, 3]);
        assert!(Merge::new(MergeOp::Add, -1).build(&[3], Init::seeded(0)).is_err(), "one input (a sequential model) is an error");
    }
}
