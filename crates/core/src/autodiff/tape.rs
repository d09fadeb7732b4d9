//! The tape: recorded entries and the reverse sweep.

use super::id_map::IdMap;
use super::{elementwise, reduce, sum_to};
use crate::activations::{self, Activation};
use crate::losses::Loss;
use crate::ops::{binary::BinaryOp, reduce::ReduceOp, unary::UnaryOp};
use crate::ops::{affine, concat, conv, cumprod, cumsum, depthwise, gather, matmul, mirror_pad, pad, pool, resize, reverse, segment_sum, slice, tile, topk, transpose};
use crate::{Error, Result, Shape, Tensor};

/// What an entry computed, with the parameters its backward rule needs.
#[derive(Clone, Debug)]
pub enum Recorded {
    Unary(UnaryOp),
    Binary(BinaryOp),
    Reduce { op: ReduceOp, axes: Vec<i64>, keep_dims: bool },
    MatMul { transpose_a: bool, transpose_b: bool },
    /// reshape, squeeze, expandDims, clone: the values are unchanged.
    Reshape,
    Transpose { perm: Option<Vec<i64>> },
    Slice { begin: Vec<i64>, size: Vec<i64> },
    Concat { axis: i64 },
    Stack { axis: i64 },
    /// inputs: x, indices
    Gather { axis: i64 },
    Tile { reps: Vec<i64> },
    Reverse { axes: Vec<i64> },
    /// `linalg.bandPart(x, lower, upper)`; its backward is the same band of the gradient.
    BandPart { lower: i64, upper: i64 },
    Pad { paddings: Vec<[i64; 2]> },
    /// `compression.dct.{forward,inverse}{1d,2d}`: orthonormal, so its backward is the
    /// transform the other way. `block`: the block side (`None`: a 1-D transform of the whole
    /// last axis); `two_d`: blocks over the last two axes.
    Dct { block: Option<usize>, two_d: bool, inverse: bool },
    /// `compression.dwt.{forward,inverse}2d` with Haar or CDF 9/7 (linear): its backward is
    /// the transform's transpose (CDF 9/7 is biorthogonal: not its inverse). CDF 5/3 rounds:
    /// its rule is an error naming it and the differentiable wavelets.
    Dwt { wavelet: crate::compression::dwt::Wavelet, levels: usize, inverse: bool },
    MirrorPad { paddings: Vec<[i64; 2]>, symmetric: bool },
    Cumsum { axis: i64, exclusive: bool, reverse: bool },
    Cumprod { axis: i64, exclusive: bool, reverse: bool },
    /// inputs: x, segmentIds
    SegmentSum,
    /// topk's values; `indices` (its other output, a constant) says where each came from.
    TopK { indices: Tensor },
    Clip { min: f64, max: f64 },
    /// inputs: condition, a, b
    Where,
    /// `conv2d(x, filter)` over `win` (its size is the filter's). inputs: x, filter
    Conv2d { win: crate::ops::window::Window },
    /// `depthwiseConv2d(x, filter)` over `win` (its size is the filter's). inputs: x, filter
    DepthwiseConv2d { win: crate::ops::window::Window },
    /// `conv2dTranspose(x, filter)` to per-image output `out` over `win`. inputs: x, filter
    Conv2dTranspose { win: crate::ops::window::Window, out: [usize; 3] },
    /// `maxPool` (`max`, with the argmax its forward kept) or `avgPool` over `win`. input: x
    Pool2d { op: &'static str, max: bool, win: crate::ops::window::Window, arg: Vec<u32> },
    /// `resizeBilinear` / `resizeNearestNeighbor`. input: images
    Resize(resize::Resize),
    Activation { act: Activation, axis: i64 },
    /// inputs: x, alpha
    PRelu,
    /// `y = x·W + b` over the last axis of x (a variational layer's heads, recorded by
    /// `encodeDistribution`). inputs: x, W `[in, units]`, b `[units]`
    Affine,
    /// `rbfFeatures(x, centers, widths)` (the `rbf` layer's map). inputs: x, centers, widths
    RbfFeatures { kernel: crate::layers::rbf::RbfKernel },
    /// `regularizers.klSparsity(…).apply(y)`: the scalar penalty of a layer output. input: y
    KlSparsity(crate::regularizers::KlSparsity),
    /// inputs: pred, target (differentiable too, but for sparse categorical cross-entropy's
    /// class indices); output: the scalar loss, or under `Reduction::None` one loss per row
    /// (the prediction's shape without its last axis)
    Loss { loss: Loss, reduction: crate::losses::Reduction },
    /// Inference through a model's layers (`predict`, an autoencoder's `encode`/`decode`):
    /// inputs x, then the layers' trainable weights ([`Sequential::trace_sources`], keyed by
    /// [`weight_id`]). Its backward runs the layers' own backward rules (those `fit` uses) on
    /// the call's traced forward, or on a new one at x if the layers ran since
    /// ([`LayersRecord::primed`]).
    ///
    /// [`Sequential::trace_sources`]: crate::model::Sequential::trace_sources
    /// [`weight_id`]: crate::model::shared::weight_id
    Layers(Box<LayersRecord>),
    /// An op without a gradient by definition (`oneHot`, random ops): its result is a
    /// constant, as in TF.js.
    NoGradient { op: &'static str },
    /// An op with no backward rule (a model's `predict`, the `*Grad` ops, the classic
    /// algorithms). Its inputs are whatever tensors it read. A gradient that has to flow
    /// through it to a source is an error naming `op`, never a silent zero.
    Opaque { op: &'static str },
    /// A function whose gradient the caller gives (`customGrad`): the sweep stops at it
    /// ([`Step::Custom`]) and goes on once the caller gave its inputs' gradients
    /// ([`Tape::give`]). `key` is the caller's name for it. inputs: the function's arguments
    /// (the ops inside it are not differentiated: its output is a new tensor).
    Custom { key: u32 },
}

/// What [`Recorded::Layers`] needs: the model, the layers it ran, and its weights then.
#[derive(Clone)]
pub struct LayersRecord {
    pub op: &'static str,
    pub net: crate::model::LayerRef,
    pub range: core::ops::Range<usize>,
    /// How the layers ran: [`Mode::Trace`] (inference) or [`Mode::Replay`] of a training call.
    ///
    /// [`Mode::Trace`]: crate::layers::Mode::Trace
    /// [`Mode::Replay`]: crate::layers::Mode::Replay
    pub mode: crate::layers::Mode,
    /// The weights at the call (copy-on-write clones): the gradient is refused if they changed.
    pub weights: Vec<Tensor>,
    /// The layers' cache passes right after the call, when its forward kept what `mode`'s
    /// backward needs (`predict`'s [`Sequential::trace_forward`], `apply`'s `Mode::Apply`):
    /// the backward then runs on those caches if they are still the layers' own.
    ///
    /// [`Sequential::trace_forward`]: crate::model::Sequential::trace_forward
    pub primed: Option<Vec<u64>>,
}

impl core::fmt::Debug for LayersRecord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} through layers {}..{}", self.op, self.range.start, self.range.end)
    }
}

impl LayersRecord {
    /// The record of layers `range` of the model `net` run in `mode` (by `op`), and the inputs
    /// it reads besides its input x: the layers' trainable weights by weight id
    /// ([`Sequential::trace_sources`](crate::model::Sequential::trace_sources)).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn of(op: &'static str, net: crate::model::LayerRef, range: core::ops::Range<usize>, mode: crate::layers::Mode, primed: Option<Vec<u64>>) -> Result<(Recorded, Vec<(u64, Tensor)>)> {
        let (weights, sources) = {
            let node = crate::model::shared::lock(&net)?;
            let seq = node.layer().as_sequential().ok_or_else(|| Error::Internal { msg: format!("grad: {op} was recorded on a layer, not a model") })?;
            (seq.weight_snapshot(mode)?, seq.trace_sources(range.clone())?)
        };
        Ok((Recorded::Layers(Box::new(LayersRecord { op, net, range, mode, weights, primed })), sources))
    }

    /// `dL/dx` (when `need_dx`) and `dL/dw` for each weight input, for `dL/dy` = `g` at the
    /// output. `cols`: the output's columns a gradient came to (slices of a graph model's
    /// packed outputs; `None`: all): a weight no read output depends on gets `None`.
    #[inline(never)]
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn gradient(&self, x: &Tensor, g: Tensor, need_dx: bool, cols: Option<&[(usize, usize)]>) -> Result<(Option<Tensor>, Vec<Option<Tensor>>)> {
        let op = self.op;
        let mut node = crate::model::shared::lock(&self.net)?;
        let seq = node.layer_mut().as_sequential_mut().ok_or_else(|| Error::Internal { msg: format!("grad: {op} was recorded on a layer, not a model") })?;
        let now = seq.weight_snapshot(self.mode)?;
        if now.len() != self.weights.len() || now.iter().zip(&self.weights).any(|(a, b)| !a.same_values(b)) {
            return Err(Error::invalid(
                "grad",
                format!("the model's weights changed between {op} and the gradient (trainOnBatch, setWeights, an optimizer step, or apply with training, which updates moving statistics (run it before {op}), inside the function); the gradient of {op} is taken at the weights it ran with: change them outside grad"),
            ));
        }
        let reached = match cols {
            Some(c) => seq.sources_reached(self.range.clone(), c)?,
            None => None,
        };
        let (dx, dw) = seq.trace_gradient(x, g, self.range.clone(), self.mode, self.primed.as_deref(), need_dx)?;
        let on = |i: usize| reached.as_ref().map_or(true, |r| r.get(i).copied().unwrap_or(true));
        Ok((dx, dw.into_iter().enumerate().map(|(i, d)| on(i).then_some(d)).collect()))
    }
}

impl Recorded {
    /// Whether a gradient can flow from the output to input `i` (false for integer-valued
    /// inputs and piecewise-constant ops, which the backward rules answer with `None`).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn passes_gradient(&self, i: usize) -> bool {
        match self {
            Recorded::Unary(u) => !matches!(u, UnaryOp::Sign | UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round),
            // The comparisons are the piecewise-constant binary ops (`binary_backward`'s `None`).
            Recorded::Binary(b) => !matches!(
                b,
                BinaryOp::Equal | BinaryOp::NotEqual | BinaryOp::Greater | BinaryOp::GreaterEqual | BinaryOp::Less | BinaryOp::LessEqual
            ),
            Recorded::Reduce { op, .. } => !matches!(op, ReduceOp::ArgMax | ReduceOp::ArgMin),
            Recorded::Gather { .. } | Recorded::SegmentSum => i == 0,
            Recorded::Loss { loss, .. } => i == 0 || loss.target_has_gradient(),
            Recorded::Where => i != 0,
            Recorded::NoGradient { .. } => false,
            _ => true,
        }
    }
}

/// One recorded op. Ids are the caller's unique tensor ids (the ABI uses the handle table's
/// 64-bit ids, never handle values, which are reused).
#[derive(Clone, Debug)]
pub struct Entry {
    pub op: Recorded,
    pub inputs: Vec<(u64, Tensor)>,
    pub output: (u64, Tensor),
}

/// A recording of ops, newest last.
#[derive(Default)]
pub struct Tape {
    entries: Vec<Entry>,
}

impl Tape {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new() -> Tape {
        Tape::default()
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Appends an entry.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn record(&mut self, op: Recorded, inputs: Vec<(u64, Tensor)>, output: (u64, Tensor)) {
        self.entries.push(Entry { op, inputs, output });
    }

    /// Gradients of `y` (seeded with `dy`, same shape as `y`) with respect to each id in
    /// `sources`: zeros for a source `y` depends on only through constants (`round`,
    /// `oneHot` …), `None` for a source no op leads from to `y`.
    ///
    /// Only entries whose output depends on a source (through inputs that pass a gradient)
    /// are differentiated. Reaching an [`Recorded::Opaque`] entry that depends on a source is
    /// an error naming its op.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn gradient(&self, y: u64, dy: Tensor, sources: &[u64]) -> Result<Vec<Option<Tensor>>> {
        Ok(self.gradient_flagged(y, dy, sources)?.into_iter().map(|(g, _)| g).collect())
    }

    /// [`Tape::gradient`], each gradient with whether it is zeros because `y` depends on that
    /// source only through ops with no gradient (`round`, comparisons, `argMax` …): a training
    /// step on such gradients changes nothing (`minimize` refuses it when every source is so).
    /// A [`Recorded::Custom`] entry on the way is an error: its gradient needs the caller
    /// (see [`Tape::sweep`]).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn gradient_flagged(&self, y: u64, dy: Tensor, sources: &[u64]) -> Result<Vec<(Option<Tensor>, bool)>> {
        let mut sweep = self.sweep(y, dy, sources);
        match self.advance(&mut sweep)? {
            Step::Done(grads) => Ok(grads),
            Step::Custom { .. } => Err(Error::invalid("grad", "a customGrad function lies between the result and a source, and its gradient function is not here to run")),
        }
    }

    /// Starts the reverse sweep from `y` (seeded with `dy`) to `sources`; [`Tape::advance`]
    /// runs it. Entries recorded after this call are not part of it.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn sweep(&self, y: u64, dy: Tensor, sources: &[u64]) -> Sweep {
        let wanted = IdMap::from_ids(sources);
        // Forward pass: which ids depend on a source.
        let mut dep = wanted.clone();
        for e in &self.entries {
            if e.inputs.iter().enumerate().any(|(i, (id, _))| e.op.passes_gradient(i) && dep.contains(*id)) {
                dep.insert(e.output.0, ());
            }
        }
        let mut grads: IdMap<Tensor> = IdMap::default();
        grads.insert(y, dy);
        // The outputs of models' layers, whose gradient may come to some columns only (some
        // outputs of a graph model): the result itself has a gradient everywhere.
        let mut cover: IdMap<Option<Vec<(usize, usize)>>> = IdMap::default();
        for e in &self.entries {
            if matches!(e.op, Recorded::Layers(_)) && dep.contains(e.output.0) {
                cover.insert(e.output.0, Some(Vec::new()));
            }
        }
        if cover.contains(y) {
            cover.insert(y, None);
        }
        Sweep { y, sources: sources.to_vec(), wanted, dep, grads, cover, cut: Vec::new(), next: self.entries.len(), waiting: None }
    }

    /// Runs `sweep` down the tape until it is done, or until it reaches a
    /// [`Recorded::Custom`] entry whose output has a gradient: then the caller computes that
    /// entry's input gradients, passes them to [`Tape::give`] and calls this again.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn advance(&self, sweep: &mut Sweep) -> Result<Step> {
        if let Some(i) = sweep.waiting {
            let Recorded::Custom { key } = self.entries[i].op else { unreachable!("a sweep waits only at a custom entry") };
            return Err(Error::invalid("grad", format!("the gradients of customGrad function {key} were not given before the sweep went on")));
        }
        while sweep.next > 0 {
            sweep.next -= 1;
            let e = &self.entries[sweep.next];
            if !sweep.dep.contains(e.output.0) {
                continue;
            }
            let Some(g) = sweep.grads.remove(e.output.0) else { continue };
            // Keep the gradient of the output visible if it is itself a source.
            if sweep.wanted.contains(e.output.0) {
                sweep.grads.insert(e.output.0, g.clone());
            }
            match e.op {
                Recorded::Opaque { op } => {
                    return Err(Error::invalid(
                        "grad",
                        format!("{op} has no gradient rule, and the result depends on it through a tensor being differentiated; compute {op} outside grad, or on values that do not depend on the sources"),
                    ))
                }
                Recorded::Custom { key } => {
                    sweep.waiting = Some(sweep.next);
                    return Ok(Step::Custom { key, dy: g });
                }
                _ => {}
            }
            let ins: Vec<&Tensor> = e.inputs.iter().map(|(_, t)| t).collect();
            let need: Vec<bool> = e.inputs.iter().enumerate().map(|(i, (id, _))| e.op.passes_gradient(i) && sweep.dep.contains(*id)).collect();
            // An op's rule only reads the tape and makes new tensors, and the sweep is the
            // caller's own: a call JS stops here can be abandoned (crate::interrupt), the sweep
            // left as it is (never used again) and the tape whole. Not a model's rule, which
            // changes its layers' caches.
            let _abandonable = (!matches!(e.op, Recorded::Layers(_))).then(crate::interrupt::abandonable);
            let cols = match sweep.cover.get(e.output.0) {
                Some(Some(c)) => Some(&c[..]),
                _ => None,
            };
            let dins = backward(&e.op, &ins, &e.output.1, g, &need, cols)?;
            if matches!(e.op, Recorded::Layers(_)) {
                // Weights no read output depends on: not connected (see `finish`).
                sweep.cut.extend(e.inputs.iter().zip(&dins).skip(1).filter(|(_, d)| d.is_none()).map(|((id, _), _)| (e.output.0, *id)));
            }
            sweep.accumulate(e, dins)?;
        }
        self.finish(sweep).map(Step::Done)
    }

    /// Gives the gradients of the inputs of the custom entry `sweep` waits at (one per input,
    /// each of its input's shape; `None`: no gradient). Errors name `customGrad`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn give(&self, sweep: &mut Sweep, dins: Vec<Option<Tensor>>) -> Result<()> {
        const OP: &str = "customGrad";
        let Some(i) = sweep.waiting else { return Err(Error::invalid(OP, "no customGrad function is waiting for its gradients")) };
        let e = &self.entries[i];
        if dins.len() != e.inputs.len() {
            return Err(Error::invalid(OP, format!("gradFunc must return one gradient per input of f ({}), got {}", e.inputs.len(), dins.len())));
        }
        for (k, (d, (_, x))) in dins.iter().zip(&e.inputs).enumerate() {
            if let Some(d) = d {
                if d.shape() != x.shape() {
                    return Err(Error::shape(OP, format!("gradFunc returned a gradient of shape {} for input {k}, whose shape is {}", d.shape(), x.shape())));
                }
            }
        }
        sweep.waiting = None;
        sweep.accumulate(e, dins)
    }

    /// The sweep's answer once every entry was visited: a gradient per source (see
    /// [`Tape::gradient_flagged`]).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn finish(&self, sweep: &Sweep) -> Result<Vec<(Option<Tensor>, bool)>> {
        // Which ids the result depends on through any op, constants (`round`, `argMax` …)
        // included, with the shape of each source met: a source among them that got no
        // gradient gets zeros (its gradient is 0, as TF.js gives through those ops); a source
        // outside them is not connected to the result at all (`None`).
        let mut reach: IdMap<()> = IdMap::default();
        reach.insert(sweep.y, ());
        let mut met: IdMap<Shape> = IdMap::default();
        for e in self.entries.iter().rev() {
            if !reach.contains(e.output.0) {
                continue;
            }
            for (id, t) in &e.inputs {
                if sweep.cut.contains(&(e.output.0, *id)) {
                    continue;
                }
                reach.insert(*id, ());
                if sweep.wanted.contains(*id) && !met.contains(*id) {
                    met.insert(*id, t.shape().clone());
                }
            }
        }
        sweep.sources
            .iter()
            .map(|&s| match (sweep.grads.get(s), met.get(s)) {
                (Some(g), _) => Ok((Some(g.clone()), false)),
                (None, Some(shape)) => Tensor::zeros("grad", shape.clone()).map(|z| (Some(z), true)),
                (None, None) => Ok((None, false)),
            })
            .collect()
    }
}

/// A reverse sweep in progress (see [`Tape::sweep`]): the gradients so far, and where it is.
pub struct Sweep {
    y: u64,
    sources: Vec<u64>,
    wanted: IdMap<()>,
    dep: IdMap<()>,
    grads: IdMap<Tensor>,
    /// Per output of a model's layers, the column ranges (`[begin, end)` of a rank-2 tensor)
    /// slices of it sent a gradient to so far; `None` once another op sent one (every column).
    cover: IdMap<Option<Vec<(usize, usize)>>>,
    /// `(entry output, input)`: a model's weight its entry gave no gradient, as no output the
    /// result reads depends on it; `finish` does not count it as connected through that entry.
    cut: Vec<(u64, u64)>,
    /// Entries `0..next` are still to visit, from the last down.
    next: usize,
    /// The custom entry waiting for its input gradients.
    waiting: Option<usize>,
}

impl Sweep {
    /// Adds the input gradients `dins` of entry `e` to the gradients so far.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn accumulate(&mut self, e: &Entry, dins: Vec<Option<Tensor>>) -> Result<()> {
        for (i, ((id, _), d)) in e.inputs.iter().zip(dins).enumerate() {
            let Some(d) = d else { continue };
            if !e.op.passes_gradient(i) || !self.dep.contains(*id) {
                continue;
            }
            if let Some(c) = self.cover.get_mut(*id) {
                match (&e.op, c.as_mut()) {
                    (Recorded::Slice { begin, size }, Some(ranges)) if begin.len() == 2 && size[1] >= 0 => ranges.push((begin[1] as usize, (begin[1] + size[1]) as usize)),
                    _ => *c = None,
                }
            }
            match self.grads.remove(*id) {
                Some(prev) => {
                    let sum = crate::ops::binary::binary(BinaryOp::Add, &prev, &d)?;
                    self.grads.insert(*id, sum);
                }
                None => {
                    self.grads.insert(*id, d);
                }
            }
        }
        Ok(())
    }
}

/// What [`Tape::advance`] reached.
pub enum Step {
    /// The sweep is done: a gradient per source, as [`Tape::gradient_flagged`].
    Done(Vec<(Option<Tensor>, bool)>),
    /// A [`Recorded::Custom`] entry: `dy` is the gradient of its output.
    Custom { key: u32, dy: Tensor },
}

/// The gradient of each input, given the gradient `g` of the output. `need[i]`: whether input
/// `i`'s gradient is used (it depends on a source); rules whose work splits by input (a
/// product, a model's layers) skip the rest and may answer `None` there.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn backward(op: &Recorded, x: &[&Tensor], y: &Tensor, g: Tensor, need: &[bool], cols: Option<&[(usize, usize)]>) -> Result<Vec<Option<Tensor>>> {
    let needs = |i: usize| need.get(i).copied().unwrap_or(true);
    let bad = |what: &str| Error::Internal { msg: format!("tape: {what}") };
    Ok(match op {
        Recorded::Unary(u) => vec![elementwise::unary_backward(*u, x[0], y, &g)?],
        Recorded::Binary(b) => {
            let (da, db) = elementwise::binary_backward(*b, x[0], x[1], y, &g)?;
            vec![da, db]
        }
        Recorded::Reduce { op, axes, keep_dims } => vec![reduce::reduce_backward(*op, x[0], y, &g, axes, *keep_dims)?],
        Recorded::MatMul { transpose_a, transpose_b } => {
            let (da, db) = matmul::matmul_backward(x[0], x[1], *transpose_a, *transpose_b, &g, [needs(0), needs(1)])?;
            vec![da, db]
        }
        Recorded::Reshape => vec![Some(g.with_shape(x[0].shape().clone()))],
        Recorded::Transpose { perm } => vec![Some(transpose::transpose_backward(perm.as_deref(), x[0].rank(), &g)?)],
        Recorded::Slice { begin, size } => vec![Some(slice::slice_backward(x[0].shape(), begin, size, &g)?)],
        Recorded::Concat { axis } => concat::concat_backward(x, *axis, &g)?.into_iter().map(Some).collect(),
        Recorded::Stack { axis } => concat::stack_backward(x, *axis, &g)?.into_iter().map(Some).collect(),
        Recorded::Gather { axis } => vec![Some(gather::gather_backward(x[0].shape(), x[1], *axis, &g)?), None],
        Recorded::Tile { reps } => vec![Some(tile::tile_backward(x[0].shape(), reps, &g)?)],
        Recorded::Reverse { axes } => vec![Some(reverse::reverse(&g, axes)?)],
        Recorded::BandPart { lower, upper } => vec![Some(crate::linalg::band_part::band_part(&g, *lower, *upper)?)],
        Recorded::Pad { paddings } => vec![Some(pad::pad_backward(x[0].shape(), paddings, &g)?)],
        Recorded::Dct { block, two_d, inverse } => vec![Some(crate::compression::dct::dct(&g, *block, *two_d, !*inverse)?)],
        Recorded::Dwt { wavelet, levels, inverse } => vec![Some(crate::compression::dwt::dwt2d_backward(&g, *wavelet, *levels, *inverse)?)],
        Recorded::MirrorPad { paddings, symmetric } => vec![Some(mirror_pad::mirror_pad_backward(x[0].shape(), paddings, *symmetric, &g)?)],
        Recorded::Cumsum { axis, exclusive, reverse } => vec![Some(cumsum::cumsum(&g, *axis, *exclusive, !*reverse)?)],
        Recorded::Cumprod { axis, exclusive, reverse } => vec![Some(cumprod::cumprod_backward(x[0], *axis, *exclusive, *reverse, &g)?)],
        Recorded::SegmentSum => vec![Some(segment_sum::unsorted_segment_sum_backward(x[0].shape(), x[1], &g)?), None],
        Recorded::TopK { indices } => vec![Some(topk::topk_backward(x[0].shape(), indices.data(), &g)?)],
        Recorded::Clip { min, max } => vec![Some(crate::ops::clip::clip_by_value_backward(x[0], &g, *min, *max)?)],
        Recorded::Where => {
            let (da, db) = elementwise::where_backward(x[0], x[1], x[2], &g)?;
            vec![None, Some(da), Some(db)]
        }
        Recorded::Conv2d { win } => {
            let (dx, df) = conv::conv2d_backward(x[0], x[1], *win, &g, [needs(0), needs(1)])?;
            vec![dx, df]
        }
        Recorded::DepthwiseConv2d { win } => {
            let (dx, df) = depthwise::depthwise_conv2d_backward(x[0], x[1], *win, &g, [needs(0), needs(1)])?;
            vec![dx, df]
        }
        Recorded::Conv2dTranspose { win, out } => {
            let (dx, df) = conv::conv2d_transpose_backward(x[0], x[1], *out, *win, &g, [needs(0), needs(1)])?;
            vec![dx, df]
        }
        Recorded::Pool2d { op, max, win, arg } => vec![Some(pool::pool2d_backward(op, x[0], *max, *win, arg, &g)?)],
        Recorded::Resize(r) => vec![Some(resize::resize_backward(x[0].shape(), *r, &g)?)],
        Recorded::Activation { act, axis } => vec![Some(activations::activation_grad(act, x[0], &g, *axis)?)],
        Recorded::Affine => {
            let (rows, inp) = crate::layers::rows_cols(x[0]);
            let units = x[1].dims().get(1).copied().ok_or_else(|| bad("affine weight is not a matrix"))?;
            if x[1].dims() != [inp, units] || x[2].dims() != [units] || g.size() != rows * units {
                return Err(bad("affine shapes"));
            }
            let mut dw = needs(1).then(|| Tensor::zeros("grad", x[1].shape().clone())).transpose()?;
            let mut db = needs(2).then(|| Tensor::zeros("grad", x[2].shape().clone())).transpose()?;
            let dx = affine::backward("grad", x[0].data(), rows, inp, units, x[1].data(), g.data(), dw.as_mut().map(|t| t.data_mut()), db.as_mut().map(|t| t.data_mut()), needs(0))?;
            vec![dx.map(|d| Tensor::new("grad", x[0].shape().clone(), d)).transpose()?, dw, db]
        }
        Recorded::PRelu => {
            let (dx, da) = activations::prelu::prelu_grad(x[0], x[1], &g)?;
            vec![Some(dx), Some(sum_to(da, x[1].shape())?)]
        }
        Recorded::RbfFeatures { kernel } => {
            let [dx, dc, dw] = crate::layers::rbf::features_backward(x[0], x[1], x[2], *kernel, &g)?;
            vec![Some(dx), Some(dc), Some(dw)]
        }
        Recorded::KlSparsity(reg) => vec![Some(reg.apply_backward(x[0], &g)?)],
        Recorded::Loss { loss, reduction: crate::losses::Reduction::None } => {
            // One loss per row: g holds a gradient per row.
            let pred = x[0];
            let (rows, cols) = crate::losses::check::rows_cols(pred.dims());
            let mut d = Tensor::zeros("grad", pred.shape().clone())?;
            let mut dt = if needs(1) { Some(Tensor::zeros("grad", x[1].shape().clone())?) } else { None };
            crate::losses::Reduction::None.per_row_backward(loss, pred.data(), x[1].data(), rows, cols, g.data(), d.data_mut(), dt.as_mut().map(|t| t.data_mut()));
            vec![Some(d), dt]
        }
        Recorded::Loss { loss, reduction } => {
            let pred = x[0];
            let (rows, cols) = crate::losses::check::rows_cols(pred.dims());
            let k = crate::losses::check::rows_per_sample(pred.dims());
            let s = *g.data().first().ok_or_else(|| bad("loss gradient is empty"))?;
            let mut d = Tensor::zeros("grad", pred.shape().clone())?;
            reduction.backward(loss, pred.data(), x[1].data(), rows, cols, k, d.data_mut());
            d.data_mut().iter_mut().for_each(|v| *v *= s);
            let dt = if needs(1) {
                let mut dt = Tensor::zeros("grad", x[1].shape().clone())?;
                reduction.backward_target(loss, pred.data(), x[1].data(), rows, cols, k, dt.data_mut());
                dt.data_mut().iter_mut().for_each(|v| *v *= s);
                Some(dt)
            } else {
                None
            };
            vec![Some(d), dt]
        }
        Recorded::Layers(r) => {
            let (dx, dw) = r.gradient(x[0], g, needs(0), cols)?;
            if dw.len() + 1 != x.len() {
                return Err(bad("a model's weights changed in number since the call"));
            }
            core::iter::once(dx).chain(dw).collect()
        }
        Recorded::NoGradient { .. } => x.iter().map(|_| None).collect(),
        Recorded::Opaque { op } => return Err(bad(&format!("{op} has no backward rule"))),
        Recorded::Custom { .. } => return Err(bad("a customGrad entry is differentiated by its caller")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::binary::binary;
    use crate::ops::unary::unary;

    /// The element-wise ops the tape lets a gradient through are those with a backward rule.
    #[test]
    fn passes_gradient_agrees_with_the_rules() {
        use crate::autodiff::elementwise::{binary_backward, unary_backward};
        let x = Tensor::new("t", [2].into(), vec![0.4, 1.3]).unwrap();
        for op in UnaryOp::ALL {
            let y = unary(op, &x).unwrap();
            let rule = unary_backward(op, &x, &y, &x).unwrap().is_some();
            assert_eq!(Recorded::Unary(op).passes_gradient(0), rule, "{op:?}");
        }
        for op in BinaryOp::ALL {
            let y = binary(op, &x, &x).unwrap();
            let rule = binary_backward(op, &x, &x, &y, &x).unwrap().0.is_some();
            assert_eq!(Recorded::Binary(op).passes_gradient(0), rule, "{op:?}");
        }
    }

    #[test]
    fn chain_and_fan_out() {
        // y = sum(x * x + exp(x)) → dy/dx = 2x + exp(x)
        let x = Tensor::new("t", [3].into(), vec![0.5, -1.0, 2.0]).unwrap();
        let mut tape = Tape::new();
        let sq = binary(BinaryOp::Mul, &x, &x).unwrap();
        tape.record(Recorded::Binary(BinaryOp::Mul), vec![(1, x.clone()), (1, x.clone())], (2, sq.clone()));
        let ex = unary(UnaryOp::Exp, &x).unwrap();
        tape.record(Recorded::Unary(UnaryOp::Exp), vec![(1, x.clone())], (3, ex.clone()));
        let s = binary(BinaryOp::Add, &sq, &ex).unwrap();
        tape.record(Recorded::Binary(BinaryOp::Add), vec![(2, sq), (3, ex)], (4, s.clone()));
        let y = crate::ops::reduce::reduce(ReduceOp::Sum, &s, &[0], false).unwrap();
        tape.record(Recorded::Reduce { op: ReduceOp::Sum, axes: vec![0], keep_dims: false }, vec![(4, s)], (5, y));
        let g = tape.gradient(5, Tensor::scalar(1.0), &[1, 99]).unwrap();
        let gx = g[0].as_ref().unwrap();
        for (v, &xv) in gx.data().iter().zip(x.data()) {
            assert!((v - (2.0 * xv + xv.exp())).abs() < 1e-5);
        }
        assert!(g[1].is_none());
    }

    /// y = Σ (x·W + b) ⊙ c over a [2, 3]·[3, 2] affine: dx = c·Wᵀ, dW = xᵀ·c, db = Σ_rows c.
    #[test]
    fn a_custom_entry_stops_the_sweep_until_its_gradients_are_given() {
        // c = custom(x, w) (the caller's gradient: dx = 3·dc, dw = dc), y = sum(c · x)
        // → dy/dx = 3·x + c (c·x's own x term), dy/dw = x. The ops inside the custom function
        // (here: a product recorded before it, from id 2) are not differentiated.
        let x = Tensor::new("t", [3].into(), vec![0.5, -1.0, 2.0]).unwrap();
        let w = Tensor::new("t", [3].into(), vec![1.0, 2.0, 3.0]).unwrap();
        let inner = binary(BinaryOp::Mul, &x, &w).unwrap();
        let mut tape = Tape::new();
        tape.record(Recorded::Binary(BinaryOp::Mul), vec![(1, x.clone()), (10, w.clone())], (2, inner.clone()));
        tape.record(Recorded::Custom { key: 7 }, vec![(1, x.clone()), (10, w.clone())], (3, inner.clone()));
        let p = binary(BinaryOp::Mul, &inner, &x).unwrap();
        tape.record(Recorded::Binary(BinaryOp::Mul), vec![(3, inner.clone()), (1, x.clone())], (4, p.clone()));
        let y = crate::ops::reduce::reduce(ReduceOp::Sum, &p, &[0], false).unwrap();
        tape.record(Recorded::Reduce { op: ReduceOp::Sum, axes: vec![0], keep_dims: false }, vec![(4, p)], (5, y));
        // Without the caller, an error.
        assert!(tape.gradient(5, Tensor::scalar(1.0), &[1]).unwrap_err().to_string().contains("customGrad"));
        let mut sweep = tape.sweep(5, Tensor::scalar(1.0), &[1, 10]);
        let Step::Custom { key, dy } = tape.advance(&mut sweep).unwrap() else { panic!("expected the custom entry") };
        assert_eq!(key, 7);
        assert_eq!(dy.data(), x.data()); // d(sum(c·x))/dc = x
        // Going on before giving, or giving the wrong number or shape: errors.
        assert!(tape.advance(&mut sweep).is_err());
        assert!(tape.give(&mut sweep, vec![None]).unwrap_err().to_string().contains("one gradient per input"));
        let bad = Tensor::new("t", [2].into(), vec![0.0, 0.0]).unwrap();
        assert!(tape.give(&mut sweep, vec![Some(bad), None]).unwrap_err().to_string().contains("shape [2] for input 0"));
        let dx = binary(BinaryOp::Mul, &dy, &Tensor::scalar(3.0)).unwrap();
        tape.give(&mut sweep, vec![Some(dx), Some(dy.clone())]).unwrap();
        let Step::Done(g) = tape.advance(&mut sweep).unwrap() else { panic!("expected the end") };
        let gx = g[0].0.as_ref().unwrap();
        for ((v, &xv), &cv) in gx.data().iter().zip(x.data()).zip(inner.data()) {
            assert_eq!(*v, 3.0 * xv + cv);
        }
        assert_eq!(g[1].0.as_ref().unwrap().data(), x.data());
        // A source reached only through the custom function's inside gets nothing from it.
        let mut sweep = tape.sweep(5, Tensor::scalar(1.0), &[2]);
        let Step::Done(g) = tape.advance(&mut sweep).unwrap() else { panic!("the inside is not swept") };
        assert!(g[0].0.is_none());
    }

    #[test]
    fn affine_gradients_are_the_closed_form() {
        let t = |d: &[usize], v: &[f32]| Tensor::new("t", crate::Shape::from(d), v.to_vec()).unwrap();
        let (x, w, b) = (t(&[2, 3], &[1., 2., 3., -1., 0.5, 2.]), t(&[3, 2], &[0.1, -0.2, 0.3, 0.4, -0.5, 0.6]), t(&[2], &[0.7, -0.8]));
        let c = t(&[2, 2], &[1., -2., 3., 0.5]);
        let z = matmul::matmul(&x, &w, false, false).unwrap();
        let z = binary(BinaryOp::Add, &z, &b).unwrap();
        let mut tape = Tape::new();
        tape.record(Recorded::Affine, vec![(1, x.clone()), (2, w.clone()), (3, b.clone())], (4, z.clone()));
        let p = binary(BinaryOp::Mul, &z, &c).unwrap();
        tape.record(Recorded::Binary(BinaryOp::Mul), vec![(4, z), (5, c.clone())], (6, p.clone()));
        let y = crate::ops::reduce::reduce(ReduceOp::Sum, &p, &[0, 1], false).unwrap();
        tape.record(Recorded::Reduce { op: ReduceOp::Sum, axes: vec![0, 1], keep_dims: false }, vec![(6, p)], (7, y));
        let g = tape.gradient(7, Tensor::scalar(1.0), &[1, 2, 3]).unwrap();
        let close = |a: &Tensor, want: &[f32]| a.data().iter().zip(want).all(|(u, v)| (u - v).abs() < 1e-6);
        assert!(close(g[0].as_ref().unwrap(), matmul::matmul(&c, &w, false, true).unwrap().data()));
        assert!(close(g[1].as_ref().unwrap(), matmul::matmul(&x, &c, true, false).unwrap().data()));
        assert!(close(g[2].as_ref().unwrap(), &[4.0, -1.5]));
        assert_eq!(g[1].as_ref().unwrap().dims(), &[3, 2]);
    }

    /// y = sum(opaque(x)) — an op without a rule between a source and y is an error naming it;
    /// the same op on a constant is fine, and a no-gradient op is a constant.
    #[test]
    fn gaps_are_errors_and_constants_are_explicit() {
        let x = Tensor::new("t", [2].into(), vec![1.0, 2.0]).unwrap();
        let c = Tensor::new("t", [2].into(), vec![3.0, 4.0]).unwrap();
        let sum = |t: &Tensor| crate::ops::reduce::reduce(ReduceOp::Sum, t, &[0], false).unwrap();
        let rsum = Recorded::Reduce { op: ReduceOp::Sum, axes: vec![0], keep_dims: false };
        let mut tape = Tape::new();
        tape.record(Recorded::Opaque { op: "predict" }, vec![(1, x.clone())], (2, x.clone()));
        tape.record(rsum.clone(), vec![(2, x.clone())], (3, sum(&x)));
        let e = tape.gradient(3, Tensor::scalar(1.0), &[1]).unwrap_err().to_string();
        assert!(e.contains("predict has no gradient rule"), "{e}");
        // The opaque op on a constant (id 10) is not differentiated.
        let mut tape = Tape::new();
        tape.record(Recorded::Opaque { op: "predict" }, vec![(10, c.clone())], (11, c.clone()));
        let prod = binary(BinaryOp::Mul, &x, &c).unwrap();
        tape.record(Recorded::Binary(BinaryOp::Mul), vec![(1, x.clone()), (11, c.clone())], (12, prod.clone()));
        tape.record(rsum.clone(), vec![(12, prod.clone())], (13, sum(&prod)));
        let g = tape.gradient(13, Tensor::scalar(1.0), &[1]).unwrap();
        assert_eq!(g[0].as_ref().unwrap().data(), &[3.0, 4.0]);
        // A no-gradient op on the source gives a zero gradient (a constant), without error; a
        // source the result does not reach at all (id 7) gets none.
        let mut tape = Tape::new();
        tape.record(Recorded::NoGradient { op: "oneHot" }, vec![(1, x.clone())], (2, c.clone()));
        tape.record(rsum, vec![(2, c.clone())], (3, sum(&c)));
        let g = tape.gradient(3, Tensor::scalar(1.0), &[1, 7]).unwrap();
        assert_eq!((g[0].as_ref().unwrap().data(), g[0].as_ref().unwrap().dims()), (&[0.0, 0.0][..], &[2][..]));
        assert!(g[1].is_none());
        // Flagged: those zeros come from ops with no gradient only; a real gradient and an
        // unreached source are not flagged.
        let flags: Vec<bool> = tape.gradient_flagged(3, Tensor::scalar(1.0), &[1, 7]).unwrap().into_iter().map(|(_, f)| f).collect();
        assert_eq!(flags, [true, false]);
        tape.record(Recorded::Binary(BinaryOp::Mul), vec![(1, x.clone()), (3, sum(&c))], (4, prod.clone()));
        let flags: Vec<bool> = tape.gradient_flagged(4, prod.clone(), &[1]).unwrap().into_iter().map(|(_, f)| f).collect();
        assert_eq!(flags, [false], "reached through mul as well: a real gradient");
    }
}
