//! The wiring of a graph model (the functional API, `model({ inputs, outputs })` in TS): which
//! values each layer reads. Nodes `0..k` are the model's inputs and node `k + i` is the output
//! of layer `i`'s first use; a layer used more than once (a shared encoder applied to two
//! inputs) gives node `k + n + j` for the `j`-th further use, in layer order. Every use of layer
//! `i` reads nodes computed by the inputs or by layers before `i` (the layers are in a
//! topological order). A merge layer reads several nodes; a node read by several layers gets
//! the sum of their gradients. The model outputs the last layer's value, or the nodes
//! [`Wiring::set_io`] names.
//!
//! A [`Sequential`](super::Sequential) with a wiring runs its layers through it; everything
//! else (weights, freezing, sharing, training, the tape) is the sequential model's.
//!
//! The values run forward in layer order, each freed (or handed over without a copy) after its
//! last reader; backward runs the layers in reverse and adds the gradients of a node in that
//! fixed order, so the results do not depend on anything but the wiring. A layer with several
//! uses runs them as one batch (the uses' inputs stacked along the batch axis, its output split
//! back), so its forward cache serves every use and backward adds the weight gradients of all
//! uses in one pass. Uses at other per-sample shapes (a convolution shared by 28×28 and 32×32
//! images, an encoder on sequences of two lengths: see [`Layer::resize`]) run as one batch per
//! shape, in the order of their first use, each batch drawing its own masks and noise (batch 0
//! from the step's seed, batch `g` from it mixed with `g`: [`Mode::for_group`]); backward runs the last batch's backward on the
//! layer's cache, then for each batch before it the layer's forward again on the inputs kept
//! for it (the same mode, seed and step: the same values and masks) and its backward, adding
//! the weight gradients in that order. A layer whose result depends on the whole batch or adds
//! a loss term per call (batch normalization, a variational layer, an activity regularizer)
//! cannot be used twice.
//!
//! A layer applied with `training: false` ([`Wiring::hold`], Keras's `base(x, training=False)`)
//! runs every use in [`Mode::held`] of the model's mode: inference behaviour in `fit` and the
//! tape too, gradients flowing through it; a layer's uses share one mode (they run as a batch).
//!
//! A mask (an embedding's `maskZero`, a `masking` layer) runs beside each node's value. A
//! layer used more than once sees each use's own mask, as Keras 3 keeps a mask per call (the
//! siamese text model: one embedding and one pooling applied to two padded inputs): the uses'
//! masks are stacked as their inputs (1s for a use without one), the layer's rule runs on the
//! batch (a pooling averages each row over its own kept steps, and its backward spreads the
//! gradient over them), and each use's output mask follows from its own inputs' masks (a made
//! mask split back). A replayed batch gets its masks again.
//!
//! [`Layer::resize`]: crate::layers::Layer::resize

use std::borrow::Cow;

use super::shared::{lock, LayerRef, Node};
use crate::layers::{Init, Masking, Mode};
use crate::{Error, Result, Tensor};

pub struct Wiring {
    /// Per layer, the nodes its first use reads (see the module docs).
    inputs: Vec<Vec<usize>>,
    /// The further uses: the layer and the nodes that use reads; the `j`-th is node `k + n + j`.
    extra: Vec<(usize, Vec<usize>)>,
    /// Whether backward must produce `dL/dx` for the model's input (see
    /// [`Layer::set_input_grad`](crate::layers::Layer::set_input_grad)).
    input_grad: bool,
    /// With several model inputs, their per-sample shapes (see [`Wiring::set_io`]); empty for one.
    /// With unknown (null) sizes, the shapes of the call at hand (see [`Wiring::set_sources`]).
    sources: Vec<Vec<usize>>,
    /// With several model inputs of which some have unknown (null) axes, their shapes as
    /// declared (0 for each unknown axis); empty otherwise.
    free: Vec<Vec<usize>>,
    /// The nodes the model outputs; empty: the last layer's.
    outputs: Vec<usize>,
    /// The per-sample shape of each output, once built.
    out_shapes: Vec<Vec<usize>>,
    /// Per layer, its uses (indices into [`Wiring::uses_of`]) grouped by per-sample input
    /// shapes, in the order of each shape's first use; once built. One group: every use in
    /// one batch.
    groups: Vec<Vec<Vec<usize>>>,
    /// The stacked inputs of every batch but a layer's last (`(layer, group, inputs)`) and the
    /// mode of the forward that kept them, for backward to run them again (see the module
    /// docs); set by a forward that keeps values.
    /// With a mask, each kept batch's input masks (stacked as its inputs) ride along.
    replay: core::cell::RefCell<(Vec<(usize, usize, Vec<Tensor>, Vec<Option<Vec<f32>>>)>, Option<Mode>)>,
    /// The layers whose uses run with inference behaviour whatever the model's mode
    /// (`apply(x, { training: false })`: [`Mode::held`]); `held[i]` for layer `i`, none past the end.
    held: Vec<bool>,
}

impl Wiring {
    /// Frees the replay inputs of a borrow an abandoned call left (see
    /// [`Sequential::reset_borrows`](super::Sequential::reset_borrows)).
    ///
    /// # Safety
    /// As [`crate::interrupt::reset_borrow`].
    pub(crate) unsafe fn reset_replay(&self) -> bool {
        // SAFETY: the caller's contract.
        unsafe { crate::interrupt::reset_borrow(&self.replay) }
    }

    pub fn new() -> Wiring {
        Wiring { inputs: Vec::new(), extra: Vec::new(), input_grad: true, sources: Vec::new(), free: Vec::new(), outputs: Vec::new(), out_shapes: Vec::new(), groups: Vec::new(), replay: Default::default(), held: Vec::new() }
    }

    /// `(input j, layer i)` for each layer a use of which reads model input `j`, by input.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn input_readers(&self) -> Vec<(usize, usize)> {
        let mut readers = Vec::new();
        for j in 0..self.k() {
            let uses = self.inputs.iter().enumerate().map(|(i, ins)| (i, ins)).chain(self.extra.iter().map(|(l, ins)| (*l, ins)));
            for (i, ins) in uses {
                if ins.contains(&j) && !readers.contains(&(j, i)) {
                    readers.push((j, i));
                }
            }
        }
        readers
    }

    /// The per-sample shape of each input when there are several (empty with one).
    pub fn sources(&self) -> &[Vec<usize>] {
        &self.sources
    }

    /// The model's inputs: `x` itself for one, else `x` (packed, `[batch, Σ sizes]`) split into
    /// a tensor `[batch, ...shape]` per input.
    pub fn split_inputs(&self, op: &'static str, x: &Tensor) -> Result<Vec<Tensor>> {
        if self.k() == 1 {
            return Ok(vec![x.clone()]);
        }
        unpack(op, x, &self.sources)
    }

    /// The number of model inputs: nodes `0..k` are the inputs, node `k + i` layer `i`'s output.
    fn k(&self) -> usize {
        self.sources.len().max(1)
    }

    /// Several inputs and outputs: the model reads `sources.len()` inputs of those per-sample
    /// shapes and outputs the nodes `outputs`. With more than one of either, the model's input
    /// and output are packed: each sample's values of every input (output), flattened, one
    /// after the other — `[batch, Σ sizes]` — so that batching, shuffling and the training step
    /// treat them as one tensor; the wiring unpacks them.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn set_io(&mut self, sources: Vec<Vec<usize>>, outputs: Vec<usize>) -> Result<()> {
        if outputs.is_empty() {
            crate::bail!("model", "a model needs at least one output");
        }
        if let Some((i, &o)) = outputs.iter().enumerate().find(|(i, o)| outputs[..*i].contains(o)) {
            crate::bail!("model", "output {i} is node {o} again; each output must be a different value");
        }
        self.sources = if sources.len() > 1 { sources } else { Vec::new() };
        self.free = if self.sources.iter().any(|s| s.contains(&0)) { self.sources.clone() } else { Vec::new() };
        self.outputs = outputs;
        Ok(())
    }

    /// The declared shapes of several inputs when some have unknown (null) axes (0 there);
    /// empty otherwise.
    pub fn free_sources(&self) -> &[Vec<usize>] {
        &self.free
    }

    /// Sets the per-sample shapes of several inputs for the call at hand (a model with unknown
    /// axes, see [`super::varlen`]); the layers are built for them next.
    pub fn set_sources(&mut self, sources: Vec<Vec<usize>>) {
        self.sources = sources;
    }

    /// Whether the model has more than one input or output (packed, see [`Wiring::set_io`]).
    pub fn packed(&self) -> bool {
        self.sources.len() > 1 || self.outputs.len() > 1
    }

    /// Sets the nodes the first use of layer `layer` (of `n`) reads. Layers not set read the
    /// previous one (a chain).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn set(&mut self, layer: usize, inputs: &[usize], n: usize) -> Result<()> {
        if inputs.is_empty() {
            crate::bail!("model", "layer {layer} reads no input");
        }
        let k = self.k();
        // Nodes past the first uses (further uses) are checked when the wiring is complete.
        if let Some(&bad) = inputs.iter().find(|&&j| j >= layer + k && j < k + n) {
            crate::bail!("model", "layer {layer} reads node {bad}, which is not computed before it (nodes 0..{k} are the inputs, node {k} + i layer i's output)");
        }
        self.chain_to(layer + 1);
        self.inputs[layer] = inputs.to_vec();
        Ok(())
    }

    /// Wires the layers not set yet, up to `len` of them, as a chain: each reads the previous
    /// one's value (the first, the input).
    fn chain_to(&mut self, len: usize) {
        let k = self.k();
        while self.inputs.len() < len {
            let i = self.inputs.len();
            self.inputs.push(vec![(i + k).saturating_sub(1)]);
        }
    }

    /// Runs every use of layer `layer` with inference behaviour (`training: false`, see
    /// [`Mode::held`]) in whatever mode the model runs.
    pub fn hold(&mut self, layer: usize) {
        if self.held.len() <= layer {
            self.held.resize(layer + 1, false);
        }
        self.held[layer] = true;
    }

    /// The mode of layer `i`'s uses when the model runs in `mode`.
    fn mode_of(&self, i: usize, mode: Mode) -> Mode {
        if self.held.get(i) == Some(&true) {
            mode.held()
        } else {
            mode
        }
    }

    /// Adds a further use of layer `layer` reading `inputs`: its value is the next node after
    /// every first use and the further uses added before (see the module docs).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn add_use(&mut self, layer: usize, inputs: &[usize]) -> Result<()> {
        if inputs.is_empty() {
            crate::bail!("model", "a use of layer {layer} reads no input");
        }
        self.extra.push((layer, inputs.to_vec()));
        Ok(())
    }

    /// The nodes the first use of layer `i` reads.
    pub fn inputs(&self, i: usize) -> &[usize] {
        self.inputs.get(i).map_or(&[][..], |v| &v[..])
    }

    /// Every use of layer `i` of `n`: its node and the nodes it reads, the first use first.
    pub(super) fn uses_of(&self, i: usize, n: usize) -> Vec<(usize, &[usize])> {
        let k = self.k();
        let mut out = vec![(k + i, self.inputs(i))];
        out.extend(self.extra.iter().enumerate().filter(|(_, (l, _))| *l == i).map(|(j, (_, ins))| (k + n + j, &ins[..])));
        out
    }

    /// The number of nodes for `n` layers.
    pub(super) fn nodes(&self, n: usize) -> usize {
        self.k() + n + self.extra.len()
    }

    /// The layer that computes node `j` (`None` for a model input).
    fn producer(&self, j: usize, n: usize) -> Option<usize> {
        let k = self.k();
        match j {
            _ if j < k => None,
            _ if j < k + n => Some(j - k),
            _ => self.extra.get(j - k - n).map(|(l, _)| *l),
        }
    }

    /// The output nodes for `n` layers.
    pub(super) fn output_nodes(&self, n: usize) -> Vec<usize> {
        if self.outputs.is_empty() {
            vec![self.k() + n - 1]
        } else {
            self.outputs.clone()
        }
    }

    /// Completes the wiring for `n` layers and checks it: every use reads nodes computed
    /// before its layer, and every value but the outputs is read by some layer (a value nobody
    /// reads would get no gradient).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn check(&mut self, n: usize) -> Result<()> {
        if self.inputs.len() > n {
            crate::bail!("model", "the wiring names {} layers but the model has {n}", self.inputs.len());
        }
        let k = self.k();
        self.chain_to(n);
        let total = self.nodes(n);
        if let Some((l, _)) = self.extra.iter().find(|(l, _)| *l >= n) {
            crate::bail!("model", "a further use names layer {l} but the model has {n} layers");
        }
        for i in 0..n {
            for (_, ins) in self.uses_of(i, n) {
                if let Some(&bad) = ins.iter().find(|&&j| j >= total || self.producer(j, n).is_some_and(|p| p >= i)) {
                    crate::bail!("model", "layer {i} reads node {bad}, which is not computed before it (a layer's uses run together, so none can read a value computed from its own output)");
                }
            }
        }
        if let Some(&o) = self.outputs.iter().find(|&&o| o < k || o >= total) {
            crate::bail!("model", "output node {o} is not a layer's output (nodes {k}..{total} are)");
        }
        let uses = self.uses(n);
        if let Some(j) = (0..total).find(|&j| uses[j] == 0) {
            let what = match self.producer(j, n) {
                None => format!("the model's input {j}"),
                Some(l) if j < k + n => format!("the output of layer {l}"),
                Some(l) => format!("the output of a further use of layer {l}"),
            };
            crate::bail!("model", "{what} is read by no layer and is not an output of the model");
        }
        Ok(())
    }

    /// How many times each node is read, an output counting as a reader.
    fn uses(&self, n: usize) -> Vec<usize> {
        let mut uses = vec![0; self.nodes(n)];
        for &j in self.inputs.iter().flatten().chain(self.extra.iter().flat_map(|(_, ins)| ins)).chain(&self.output_nodes(n)) {
            uses[j] += 1;
        }
        uses
    }

    /// Builds every layer for the per-sample `input` shape (layer `i` with `init(i)`; with
    /// several inputs `input` is the packed `[Σ sizes]` of [`Wiring::set_io`]'s shapes);
    /// returns the per-sample input shape (the first) and output shape of each layer's first
    /// use and the model's output shape (packed with several outputs). A layer used more than
    /// once takes other shapes where its weights fit them ([`Layer::resize`]), and must not
    /// depend on the whole batch (see the module docs).
    ///
    /// [`Layer::resize`]: crate::layers::Layer::resize
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn build(&mut self, layers: &[LayerRef], input: &[usize], init: impl Fn(usize) -> Init, check: &dyn Fn(usize, &LayerRef, &[Vec<usize>]) -> Result<()>) -> Result<(Vec<Vec<usize>>, Vec<Vec<usize>>, Vec<usize>)> {
        let (k, n) = (self.k(), layers.len());
        let sources: Vec<Vec<usize>> = if self.sources.is_empty() { vec![input.to_vec()] } else { self.sources.clone() };
        let total: usize = sources.iter().map(|s| s.iter().product::<usize>()).sum();
        if k > 1 && input != [total] {
            crate::bail_shape!("model", "a model with {k} inputs takes them packed as [{total}] per sample, got {}", crate::Shape::from(input.to_vec()));
        }
        let mut nodes: Vec<Vec<usize>> = vec![Vec::new(); self.nodes(n)];
        nodes[..k].clone_from_slice(&sources);
        let mut shapes: Vec<Vec<usize>> = Vec::with_capacity(n);
        let mut firsts: Vec<Vec<usize>> = Vec::with_capacity(n);
        let mut groups = Vec::with_capacity(n);
        for (i, l) in layers.iter().enumerate() {
            let uses = self.uses_of(i, n);
            let ins: Vec<Vec<usize>> = uses[0].1.iter().map(|&j| nodes[j].clone()).collect();
            check(i, l, &ins)?;
            let out = lock(l)?.build_many(&ins, init(i))?;
            // Per use: its group (by input shapes) among `seen`.
            let mut seen = vec![ins.clone()];
            let mut grouped: Vec<Vec<usize>> = vec![vec![0]];
            for (u, &(node, others)) in uses.iter().enumerate().skip(1) {
                let theirs: Vec<Vec<usize>> = others.iter().map(|&j| nodes[j].clone()).collect();
                if let Some(why) = batch_bound(l)? {
                    crate::bail!("model", "layer {i} is used more than once but {why}; a layer used more than once runs its uses as one batch");
                }
                nodes[node] = if theirs == ins {
                    out.clone()
                } else {
                    lock(l)?.build_many(&theirs, init(i)).map_err(|e| Error::shape("model", format!("layer {i} is used with per-sample input shapes {ins} and {theirs}, which its weights do not both fit: {e}", ins = crate::error::ints(&ins), theirs = crate::error::ints(&theirs))))?
                };
                match seen.iter().position(|s| *s == theirs) {
                    Some(g) => grouped[g].push(u),
                    None => {
                        seen.push(theirs);
                        grouped.push(vec![u]);
                    }
                }
            }
            groups.push(grouped);
            nodes[k + i] = out.clone();
            firsts.push(ins.into_iter().next().unwrap_or_default());
            shapes.push(out);
        }
        self.groups = groups;
        self.out_shapes = self.output_nodes(n).iter().map(|&o| nodes[o].clone()).collect();
        let out = match &self.out_shapes[..] {
            [one] => one.clone(),
            many => vec![many.iter().map(|s| s.iter().product::<usize>()).sum()],
        };
        Ok((firsts, shapes, out))
    }

    /// The uses of layer `i` (of `count`) grouped by input shapes (see [`Wiring::groups`]).
    fn groups_of(&self, i: usize, count: usize) -> Vec<Vec<usize>> {
        match self.groups.get(i) {
            Some(g) if g.iter().map(Vec::len).sum::<usize>() == count => g.clone(),
            _ => vec![(0..count).collect()],
        }
    }

    /// The per-sample shape of each output, once built.
    pub fn output_shapes(&self) -> &[Vec<usize>] {
        &self.out_shapes
    }

    /// Which of the `n` layers the outputs `heads[o]` marks depend on: the producers of every
    /// node on a path from those outputs back to the inputs (for a gradient of some outputs
    /// only: a layer off those paths gets no gradient, not a zero one).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn layers_reached(&self, heads: &[bool], n: usize) -> Vec<bool> {
        let (k, mut reached, mut seen) = (self.k(), vec![false; n], vec![false; self.nodes(n)]);
        let mut stack: Vec<usize> = self.output_nodes(n).into_iter().zip(heads).filter(|(_, &on)| on).map(|(j, _)| j).collect();
        while let Some(j) = stack.pop() {
            if core::mem::replace(&mut seen[j], true) {
                continue;
            }
            let Some(l) = self.producer(j, n) else { continue };
            reached[l] = true;
            stack.extend_from_slice(if j < k + n { self.inputs(l) } else { &self.extra[j - k - n].1 });
        }
        reached
    }

    /// Whether every use of layer `i` reads the model's inputs and nothing else.
    pub fn reads_only_input(&self, i: usize) -> bool {
        let k = self.k();
        self.inputs(i).iter().chain(self.extra.iter().filter(|(l, _)| *l == i).flat_map(|(_, ins)| ins)).all(|&j| j < k)
    }

    /// Sets whether backward produces `dL/dx` for the model's input; the layers that read only
    /// the input may then skip it.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn set_input_grad(&mut self, layers: &[LayerRef], on: bool) -> Result<()> {
        self.input_grad = on;
        for (i, l) in layers.iter().enumerate() {
            if self.reads_only_input(i) {
                lock(l)?.layer_mut().set_input_grad(on);
            }
        }
        Ok(())
    }

    /// Runs the layers on `x`; the model's output (packed with several) and, with `masked`
    /// (a layer makes a mask: the model's `check_masks` passed), the mask that reaches it.
    /// Each node's mask runs beside its value by each layer's [`Masking`] rule (as a
    /// sequential model's forward); a layer used more than once gives each use the mask of
    /// its own inputs (Keras 3 keeps the mask per call), its uses' masks stacked as their
    /// inputs while they run as one batch.
    ///
    /// [`Masking`]: crate::layers::Masking
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn forward(&self, layers: &[LayerRef], x: Tensor, mode: Mode, masked: bool, in_mask: Option<Vec<f32>>) -> Result<(Tensor, Option<Vec<f32>>)> {
        let (k, n) = (self.k(), layers.len());
        let mut left = self.uses(n);
        let mut values: Vec<Option<Tensor>> = vec![None; self.nodes(n)];
        let mut masks: Vec<Option<Vec<f32>>> = vec![None; if masked { self.nodes(n) } else { 0 }];
        if k == 1 {
            values[0] = Some(x);
            // Nested: the mask that reaches the model's input from the enclosing model.
            if let Some(m) = masks.first_mut() {
                *m = in_mask;
            }
        } else {
            for (j, t) in unpack("predict", &x, &self.sources)?.into_iter().enumerate() {
                values[j] = Some(t);
            }
        }
        let mut take = |values: &mut Vec<Option<Tensor>>, j: usize| -> Result<Tensor> {
            left[j] -= 1;
            // The last reader takes the value (its buffer, without a copy).
            let v = if left[j] == 0 { values[j].take() } else { values[j].clone() };
            v.ok_or_else(|| Error::Internal { msg: format!("graph: node {j} has no value when it is read") })
        };
        let mut replay = self.replay.try_borrow_mut().map_err(|_| Error::Internal { msg: "graph: the replay inputs are in use".into() })?;
        replay.0.clear();
        replay.1 = mode.keeps().then_some(mode);
        for (i, l) in layers.iter().enumerate() {
            let mode = self.mode_of(i, mode);
            let uses = self.uses_of(i, n);
            let mut xs: Vec<Vec<Tensor>> = Vec::with_capacity(uses.len());
            for (_, ins) in &uses {
                xs.push(ins.iter().map(|&j| take(&mut values, j)).collect::<Result<_>>()?);
            }
            if uses.len() == 1 {
                let xs = xs.pop().unwrap_or_default();
                values[k + i] = Some(if masked {
                    let (y, m) = forward_masked(i, &mut lock(l)?, xs, uses[0].1.iter().map(|&j| masks[j].clone()).collect(), mode)?;
                    masks[k + i] = m;
                    y
                } else {
                    lock(l)?.forward_many(xs, mode)?
                });
                continue;
            }
            // The uses of each shape in one batch: each input position stacked over them.
            let groups = self.groups_of(i, uses.len());
            for (g, members) in groups.iter().enumerate() {
                let stacked = (0..xs[members[0]].len()).map(|p| stack_rows("predict", &members.iter().map(|&u| &xs[u][p]).collect::<Vec<_>>())).collect::<Result<Vec<_>>>()?;
                // With a mask, each use's own (Keras 3 keeps a mask per call): the input masks
                // stacked as the inputs, the output's split back per use.
                let per_use: Vec<Vec<Option<Vec<f32>>>> = if masked { members.iter().map(|&u| uses[u].1.iter().map(|&j| masks[j].clone()).collect()).collect() } else { Vec::new() };
                let ms = if masked { stack_masks(&members.iter().map(|&u| &xs[u][..]).collect::<Vec<_>>(), &per_use) } else { Vec::new() };
                if mode.keeps() && g + 1 < groups.len() {
                    // (Tensors share their buffers: a layer writing into its input copies it.)
                    replay.0.push((i, g, stacked.clone(), ms.clone()));
                }
                let mut node = lock(l)?;
                let (y, outs) = if masked { forward_uses_masked(i, &mut node, stacked, ms, &per_use, mode.for_group(g))? } else { (node.forward_many(stacked, mode.for_group(g))?, Vec::new()) };
                for (m, (&u, part)) in members.iter().zip(split_rows("predict", &y, members.len())?).enumerate() {
                    values[uses[u].0] = Some(part);
                    if masked {
                        masks[uses[u].0] = outs.get(m).cloned().flatten();
                    }
                }
            }
        }
        drop(replay);
        if n == 0 {
            return Err(Error::invalid("predict", "the model has no layers"));
        }
        let nodes = self.output_nodes(n);
        let mut ms: Vec<Option<Vec<f32>>> = nodes.iter().map(|&o| if masked { masks[o].take() } else { None }).collect();
        let outs = nodes.into_iter().map(|o| take(&mut values, o)).collect::<Result<Vec<_>>>()?;
        match outs.len() {
            1 => Ok((outs.into_iter().next().unwrap_or_else(|| unreachable!()), ms.pop().flatten())),
            _ => Ok((pack("predict", &outs)?, pack_masks(&outs, &ms))),
        }
    }

    /// For each output, the activation its layer ends in (see
    /// [`Layer::output_activation`](crate::layers::Layer::output_activation)) when backward may
    /// start at that activation's input: the output is read by no layer and its layer is used once.
    pub fn output_activations(&self, layers: &[LayerRef]) -> Vec<Option<crate::activations::Activation>> {
        let (k, n) = (self.k(), layers.len());
        let uses = self.uses(n);
        self.output_nodes(n).into_iter().map(|o| if uses[o] == 1 && o < k + n && self.uses_of(o - k, n).len() == 1 { layers[o - k].try_borrow().ok()?.layer().output_activation() } else { None }).collect()
    }

    /// Backward from `dy` at the output (packed with several); for each output `q` with
    /// `pre[q]` set, `dy` holds the gradient at the input of its layer's final activation (see
    /// [`Layer::backward_pre_activation`]; only for an output no layer reads, see
    /// [`Wiring::output_activations`]). `dL/dx` for the model's input (packed with several)
    /// when [`Wiring::set_input_grad`] left it on (else an empty tensor).
    ///
    /// [`Layer::backward_pre_activation`]: crate::layers::Layer::backward_pre_activation
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn backward(&self, layers: &[LayerRef], dy: Tensor, pre: &[bool]) -> Result<Tensor> {
        let (k, n) = (self.k(), layers.len());
        let batch = dy.dims().first().copied().unwrap_or(0);
        let outs = self.output_nodes(n);
        let mut grads: Vec<Option<Tensor>> = vec![None; self.nodes(n)];
        if outs.len() == 1 {
            grads[outs[0]] = Some(dy);
        } else {
            for (&o, g) in outs.iter().zip(unpack("fit", &dy, &self.out_shapes)?) {
                grads[o] = Some(g);
            }
        }
        let uses = self.uses(n);
        for (i, l) in layers.iter().enumerate().rev() {
            let calls = self.uses_of(i, n);
            let mut gs = Vec::with_capacity(calls.len());
            for (node, _) in &calls {
                gs.push(grads[*node].take().ok_or_else(|| Error::Internal { msg: format!("graph: no gradient reached node {node} of layer {i}") })?);
            }
            let from_pre = outs.iter().position(|&o| o == k + i).is_some_and(|q| pre.get(q) == Some(&true));
            if from_pre && (uses[k + i] != 1 || calls.len() != 1) {
                return Err(Error::Internal { msg: format!("graph: output {i} is read by a layer; its gradient cannot start at its activation") });
            }
            let groups = self.groups_of(i, calls.len());
            let mut results: Vec<(&[usize], Vec<Tensor>)> = Vec::with_capacity(groups.len());
            if let [members] = &groups[..] {
                let mut node = lock(l)?;
                let g = if gs.len() == 1 { gs.pop().unwrap_or_else(|| unreachable!()) } else { stack_rows("fit", &gs.iter().collect::<Vec<_>>())? };
                results.push((members, if from_pre { vec![node.backward_pre_activation(g)?] } else { node.backward_many(g)? }));
            } else {
                results = self.backward_groups(i, l, &groups, &gs)?;
            }
            for (members, dxs) in results {
                self.add_input_grads(i, &calls, members, dxs, &mut grads)?;
            }
        }
        if !self.input_grad {
            return Tensor::zeros("fit", crate::Shape::from(&[0][..]));
        }
        if k == 1 {
            return match grads[0].take() {
                Some(dx) => Ok(dx),
                None => Tensor::zeros("fit", crate::Shape::from(&[0][..])),
            };
        }
        let mut dxs = Vec::with_capacity(k);
        for (j, s) in self.sources.iter().enumerate() {
            dxs.push(match grads[j].take() {
                Some(dx) => dx,
                None => Tensor::zeros("fit", crate::Shape::from([&[batch][..], s].concat()))?,
            });
        }
        pack("fit", &dxs)
    }

    /// Backward of layer `i`'s uses at several shapes, `dy` of use `u` in `gs[u]`: the last
    /// group on the layer's cache, each one before it after its forward again on the inputs
    /// kept for it; the weight gradients added over the groups in that order. `dL/dx` of each
    /// input of each group.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn backward_groups<'g>(&self, i: usize, l: &LayerRef, groups: &'g [Vec<usize>], gs: &[Tensor]) -> Result<Vec<(&'g [usize], Vec<Tensor>)>> {
        let mut replay = self.replay.try_borrow_mut().map_err(|_| Error::Internal { msg: "graph: the replay inputs are in use".into() })?;
        let mode = self.mode_of(i, replay.1.ok_or_else(|| Error::Internal { msg: format!("graph: backward of layer {i} without a forward that kept its inputs") })?);
        let mut out = Vec::with_capacity(groups.len());
        let mut before: Option<Vec<Vec<f32>>> = None;
        for (g, members) in groups.iter().enumerate().rev() {
            let mut node = lock(l)?;
            if g + 1 < groups.len() {
                let at = replay.0.iter().position(|(li, gi, _, _)| (*li, *gi) == (i, g)).ok_or_else(|| Error::Internal { msg: format!("graph: no inputs kept for use group {g} of layer {i}") })?;
                let (_, _, xs, ms) = replay.0.swap_remove(at);
                // The batch's own masks again (a pooling's average over its kept steps).
                node.forward_masked(xs, ms, mode.for_group(g))?;
            }
            let dy = stack_rows("fit", &members.iter().map(|&u| &gs[u]).collect::<Vec<_>>())?;
            out.push((&members[..], node.backward_many(dy)?));
            let mut ps = node.layer_mut().params_mut();
            if let Some(prev) = before.take() {
                for (p, v) in ps.iter_mut().zip(prev) {
                    for (a, b) in p.grad.iter_mut().zip(v) {
                        *a += b;
                    }
                }
            }
            if g > 0 {
                before = Some(ps.iter().map(|p| crate::tensor::copy_of("fit", &p.grad)).collect::<Result<_>>()?);
            }
        }
        Ok(out)
    }

    /// Adds the gradients `dxs` (one per input, `[Σ b, ...]` over the uses `members` of layer
    /// `i`'s `calls`) to the nodes those uses read.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn add_input_grads(&self, i: usize, calls: &[(usize, &[usize])], members: &[usize], dxs: Vec<Tensor>, grads: &mut [Option<Tensor>]) -> Result<()> {
        let k = self.k();
        if dxs.len() != calls[0].1.len() {
            return Err(Error::Internal { msg: format!("graph: layer {i} gave {} gradients for {} inputs", dxs.len(), calls[0].1.len()) });
        }
        // Each use's part of each input's gradient, added to the node it read.
        let mut parts: Vec<Vec<Tensor>> = Vec::with_capacity(dxs.len());
        for dx in dxs {
            parts.push(if members.len() == 1 { vec![dx] } else if dx.size() == 0 { vec![dx; members.len()] } else { split_rows("fit", &dx, members.len())? });
        }
        for (m, &u) in members.iter().enumerate() {
            let ins = calls[u].1;
            for (p, &j) in ins.iter().enumerate() {
                if j < k && !self.input_grad {
                    continue;
                }
                let dx = parts[p][m].clone();
                grads[j] = Some(match grads[j].take() {
                    None => dx,
                    Some(mut acc) => {
                        if acc.shape() != dx.shape() {
                            return Err(Error::Internal { msg: format!("graph: gradients {} and {} of node {j}", acc.shape(), dx.shape()) });
                        }
                        for (a, d) in acc.try_data_mut("fit")?.iter_mut().zip(dx.data()) {
                            *a += d;
                        }
                        acc
                    }
                });
            }
        }
        Ok(())
    }
}

/// Layer `i`'s forward (used once) on `xs` whose masks are `ms`, by its [`Masking`] rule (the
/// model's `check_masks` refused a mask at a layer that cannot take one): its output and the
/// output's mask. An output whose rows (every axis but the last) are not the mask's (an
/// element-wise merge broadcasting a masked input) is an error.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
fn forward_masked(i: usize, node: &mut Node, xs: Vec<Tensor>, ms: Vec<Option<Vec<f32>>>, mode: Mode) -> Result<(Tensor, Option<Vec<f32>>)> {
    let mut made = match node.layer().masking() {
        Masking::Make => xs.first().and_then(|x| node.layer().compute_mask(x)),
        // Concatenate along the steps: the masks concatenated there.
        Masking::Merge => node.layer_mut().as_merge_mut().and_then(|m| m.concat_masks(&xs.iter().map(Tensor::dims).collect::<Vec<_>>(), &ms)),
        _ => None,
    };
    let y = node.forward_masked(xs, ms.clone(), mode)?;
    if node.layer().masking() == Masking::Model {
        made = node.layer().as_sequential().and_then(super::Sequential::output_mask).map(<[f32]>::to_vec);
    }
    let mask = out_mask(node, &ms, made);
    check_mask_rows(i, node, &y, &ms, &mask)?;
    Ok((y, mask))
}

/// The mask of a layer's output by its [`Masking`] rule, from its inputs' masks `ms` (`made`:
/// what a [`Masking::Make`] layer computed from its input, or the mask a nested model's
/// forward left on its output). Keras 3's `compute_mask`: an
/// element-wise merge has a mask only if every input has one; concatenate counts an unmasked
/// input's rows kept (along the steps, `made` holds the masks concatenated there).
fn out_mask(node: &Node, ms: &[Option<Vec<f32>>], made: Option<Vec<f32>>) -> Option<Vec<f32>> {
    let first = ms.iter().flatten().next().cloned();
    match node.layer().masking() {
        Masking::Make | Masking::Model => made,
        Masking::Use | Masking::Pass => first,
        Masking::Merge if node.layer().kind() == "concatenate" => made.or_else(|| merge_masks(ms)),
        Masking::Merge if ms.iter().all(Option::is_some) => merge_masks(ms),
        Masking::Merge | Masking::Consume | Masking::Refuse => None,
    }
}

/// The uses `per_use` of layer `i` run as one batch (`xs` their inputs stacked, `ms` their
/// input masks stacked: [`stack_masks`]): its output and each use's output mask, by the
/// layer's [`Masking`] rule on that use's own masks (a mask made from the stacked input is
/// split back per use).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
fn forward_uses_masked(i: usize, node: &mut Node, xs: Vec<Tensor>, ms: Vec<Option<Vec<f32>>>, per_use: &[Vec<Option<Vec<f32>>>], mode: Mode) -> Result<(Tensor, Vec<Option<Vec<f32>>>)> {
    // Concatenate along the steps: its mask is not its inputs' rows, so it is split as made.
    let concat_steps = node.layer_mut().as_merge_mut().is_some_and(|m| m.concat_masks(&xs.iter().map(Tensor::dims).collect::<Vec<_>>(), &ms).is_some());
    let (y, made) = forward_masked(i, node, xs, ms, mode)?;
    let n = per_use.len().max(1);
    let outs = per_use.iter().enumerate().map(|(u, ms)| {
        // A made mask over the stacked rows: use u's share, in order.
        let own = matches!(node.layer().masking(), Masking::Make | Masking::Model) || concat_steps;
        let part = made.as_ref().filter(|_| own).map(|m| m[u * m.len() / n..(u + 1) * m.len() / n].to_vec());
        out_mask(node, ms, part)
    });
    Ok((y, outs.collect()))
}

/// The masks of the uses of a layer run as one batch, stacked per input position as
/// `stack_rows` stacks the inputs `xs` (use `u`'s inputs in `xs[u]`, their masks in
/// `per_use[u]`): a use without a mask there keeps every row (1s: what an unmasked input
/// means to every masking rule); `None` where no use has one.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn stack_masks(xs: &[&[Tensor]], per_use: &[Vec<Option<Vec<f32>>>]) -> Vec<Option<Vec<f32>>> {
    let inputs = per_use.first().map_or(0, Vec::len);
    (0..inputs)
        .map(|p| {
            per_use.iter().any(|ms| ms[p].is_some()).then(|| {
                let mut out = Vec::new();
                for (x, ms) in xs.iter().zip(per_use) {
                    match &ms[p] {
                        Some(m) => out.extend_from_slice(m),
                        None => {
                            let x = &x[p];
                            let rows = x.size().checked_div(x.dims().last().copied().unwrap_or(1)).unwrap_or(0);
                            out.extend(core::iter::repeat_n(1.0, rows));
                        }
                    }
                }
                out
            })
        })
        .collect()
}

/// A layer's output mask must cover its output's rows (every axis but the last) and agree
/// with the masks that reach it; an element-wise merge broadcasting a masked input is an error.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn check_mask_rows(i: usize, node: &Node, y: &Tensor, ms: &[Option<Vec<f32>>], mask: &Option<Vec<f32>>) -> Result<()> {
    if let Some(m) = mask {
        let rows = y.size().checked_div(y.dims().last().copied().unwrap_or(1)).unwrap_or(0);
        // (Concatenate along the steps has more rows than each input.)
        let steps = node.layer().kind() == "concatenate" && ms.iter().flatten().any(|a| a.len() != m.len());
        if m.len() != rows || (!steps && ms.iter().flatten().any(|a| a.len() != m.len())) {
            let kind = node.layer().kind();
            return Err(Error::shape("predict", format!("layer {i} ({kind}): its output {} has {rows} rows (every axis but the last) and the masks that reach it {}: a mask over inputs whose rows differ (a broadcast) is not supported yet", y.shape(), crate::error::ints(&ms.iter().flatten().map(Vec::len).collect::<Vec<_>>()))));
        }
    }
    Ok(())
}

/// The masks of several outputs `outs` packed per sample (each output's rows one after the
/// other, 1s for an output without a mask), as [`Sequential::output_mask`] holds them; `None`
/// when no output has one.
///
/// [`Sequential::output_mask`]: super::Sequential::output_mask
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn pack_masks(outs: &[Tensor], ms: &[Option<Vec<f32>>]) -> Option<Vec<f32>> {
    ms.iter().any(Option::is_some).then(|| {
        let n = outs[0].dims().first().copied().unwrap_or(0);
        // Each output's rows per sample (every axis but the batch and the last).
        let ks: Vec<usize> = outs.iter().map(|t| t.dims().get(1..t.dims().len().saturating_sub(1)).map_or(1, |d| d.iter().product::<usize>())).collect();
        let mut out = Vec::with_capacity(n * ks.iter().sum::<usize>());
        for b in 0..n {
            for (m, &k) in ms.iter().zip(&ks) {
                match m {
                    Some(m) => out.extend_from_slice(&m[b * k..(b + 1) * k]),
                    None => out.extend(core::iter::repeat_n(1.0, k)),
                }
            }
        }
        out
    })
}

/// Keras 3's merge of masks (1 kept, 0 masked): a row is kept where any input keeps it; an
/// input without a mask keeps every row. `None` when no input has one.
fn merge_masks(ms: &[Option<Vec<f32>>]) -> Option<Vec<f32>> {
    if ms.iter().any(Option::is_none) {
        // An unmasked input keeps every row: the OR is all ones.
        let len = ms.iter().flatten().next()?.len();
        return Some(vec![1.0; len]);
    }
    let mut it = ms.iter().flatten();
    let mut out = it.next()?.clone();
    for m in it {
        for (a, b) in out.iter_mut().zip(m) {
            *a = if *a != 0.0 || *b != 0.0 { 1.0 } else { 0.0 };
        }
    }
    Some(out)
}

/// Why `layer` cannot run several uses as one batch, if it cannot: its result depends on the
/// whole batch or it adds a loss term per call (looking into nested models).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn batch_bound(layer: &LayerRef) -> Result<Option<String>> {
    let node = lock(layer)?;
    let l = node.layer();
    if let Some(m) = l.as_sequential() {
        for c in m.children() {
            if let Some(why) = batch_bound(c)? {
                return Ok(Some(why));
            }
        }
        return Ok(None);
    }
    Ok(match l.kind() {
        "batchNormalization" => Some("it is (or holds) a batchNormalization layer, whose statistics are per batch".into()),
        "variational" => Some("it is (or holds) a variational layer, which adds a KL term per call".into()),
        kind if l.has_activity_regularizer() => Some(format!("it is (or holds) a {kind} layer with an activity regularizer, a loss term per call")),
        _ => None,
    })
}

/// `ts` (each `[b, ...]`, the same trailing shape) as one `[Σ b, ...]` tensor, in order.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn stack_rows(op: &'static str, ts: &[&Tensor]) -> Result<Tensor> {
    let first = ts.first().ok_or_else(|| Error::Internal { msg: "graph: nothing to stack".into() })?;
    let mut dims = first.dims().to_vec();
    let mut data = crate::tensor::alloc(op, ts.iter().map(|t| t.size()).sum())?;
    let mut at = 0;
    for t in ts {
        if t.dims().get(1..) != first.dims().get(1..) {
            return Err(Error::Internal { msg: format!("graph: stacking {} on {}", t.shape(), first.shape()) });
        }
        data[at..at + t.size()].copy_from_slice(t.data());
        at += t.size();
    }
    if let Some(d) = dims.first_mut() {
        *d = ts.iter().map(|t| t.dims().first().copied().unwrap_or(0)).sum();
    }
    Tensor::new(op, crate::Shape::new(op, &dims)?, data)
}

/// `t` (`[parts·b, ...]`) as `parts` tensors `[b, ...]`, in order.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn split_rows(op: &'static str, t: &Tensor, parts: usize) -> Result<Vec<Tensor>> {
    let rows = t.dims().first().copied().unwrap_or(0);
    if parts == 0 || rows % parts != 0 {
        return Err(Error::Internal { msg: format!("graph: splitting {} into {parts} parts", t.shape()) });
    }
    let mut dims = t.dims().to_vec();
    dims[0] = rows / parts;
    let size = t.size() / parts;
    let mut out = Vec::with_capacity(parts);
    for chunk in t.data().chunks_exact(size.max(1)).take(parts) {
        out.push(Tensor::new(op, crate::Shape::new(op, &dims)?, crate::tensor::copy_of(op, chunk)?)?);
    }
    while out.len() < parts {
        out.push(Tensor::zeros(op, crate::Shape::new(op, &dims)?)?);
    }
    Ok(out)
}

/// Splits `x`, `[batch, Σ sizes]`, into a tensor per shape of `shapes`: `[batch, ...shape]`
/// from each row's next `size` values.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn unpack(op: &'static str, x: &Tensor, shapes: &[Vec<usize>]) -> Result<Vec<Tensor>> {
    let sizes: Vec<usize> = shapes.iter().map(|s| s.iter().product()).collect();
    let batch = x.dims().first().copied().unwrap_or(0);
    if x.rank() != 2 {
        crate::bail_shape!(op, "expected packed values of shape [batch, {}], got {}", sizes.iter().sum::<usize>(), x.shape());
    }
    let mut out = Vec::with_capacity(shapes.len());
    for (s, data) in shapes.iter().zip(columns(op, x, &sizes)?) {
        out.push(Tensor::new(op, crate::Shape::new(op, &[&[batch][..], s].concat())?, data.into_owned())?);
    }
    Ok(out)
}

/// Joins tensors `[batch, ...]` into `[batch, Σ sizes]`: each row the rows of every tensor in turn.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn pack(op: &'static str, ts: &[Tensor]) -> Result<Tensor> {
    let batch = ts.first().and_then(|t| t.dims().first().copied()).unwrap_or(0);
    if let Some(t) = ts.iter().find(|t| t.dims().first() != Some(&batch)) {
        return Err(Error::Internal { msg: format!("graph: packing {} with a batch of {batch}", t.shape()) });
    }
    join_columns(op, batch, &ts.iter().map(Tensor::data).collect::<Vec<_>>())
}

/// The columns of `t`, `[batch, Σ sizes]` (a packed model input, output or target), as one
/// flat `[batch, size]` buffer per size; with one size, `t`'s values themselves, not copied.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(super) fn columns<'t>(op: &'static str, t: &'t Tensor, sizes: &[usize]) -> Result<Vec<Cow<'t, [f32]>>> {
    let total: usize = sizes.iter().sum();
    let n = t.dims().first().copied().unwrap_or(0);
    if t.size() != n * total {
        crate::bail_shape!(op, "expected packed values of shape [{n}, {total}], got {}", t.shape());
    }
    if sizes.len() == 1 {
        return Ok(vec![Cow::Borrowed(t.data())]);
    }
    let mut out = Vec::with_capacity(sizes.len());
    let mut at = 0;
    for &size in sizes {
        let mut v = crate::tensor::alloc(op, n * size)?;
        for (dst, row) in v.chunks_exact_mut(size.max(1)).zip(t.data().chunks_exact(total.max(1))) {
            dst.copy_from_slice(&row[at..at + size]);
        }
        out.push(Cow::Owned(v));
        at += size;
    }
    Ok(out)
}

/// The inverse of [`columns`]: `[n, Σ sizes]` from one `[n, size]` buffer per part.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(super) fn join_columns(op: &'static str, n: usize, parts: &[&[f32]]) -> Result<Tensor> {
    let sizes: Vec<usize> = parts.iter().map(|p| p.len().checked_div(n).unwrap_or(0)).collect();
    let total: usize = sizes.iter().sum();
    let mut data = crate::tensor::alloc(op, n * total)?;
    let mut at = 0;
    for (p, &size) in parts.iter().zip(&sizes) {
        for (row, src) in data.chunks_exact_mut(total.max(1)).zip(p.chunks_exact(size.max(1))) {
            row[at..at + size].copy_from_slice(src);
        }
        at += size;
    }
    Tensor::new(op, crate::Shape::new(op, &[n, total])?, data)
}

impl Default for Wiring {
    fn default() -> Wiring {
        Wiring::new()
    }
}

#[cfg(test)]
mod tests {
    use crate::layers::{from_abi, Mode};
    use crate::model::Sequential;
    use crate::{Shape, Tensor};

    /// dense(units, tanh | softmax) as the ABI lays it out (glorot kernel, zero bias).
    fn dense(units: f32, activation: f32) -> Vec<f32> {
        vec![units, 1.0, activation, 0.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0., 0.]
    }

    /// x → h = dense₀(x) → add(h, dense₁(h)) → concatenate(·, x) → dense₃ softmax: a residual
    /// block and a skip connection, each value read twice.
    fn residual(seed: u64) -> Sequential {
        let mut m = Sequential::new(seed);
        for (i, (kind, p)) in [(0, dense(3.0, 9.0)), (0, dense(3.0, 9.0)), (21, vec![]), (27, vec![-1.0]), (0, dense(2.0, 10.0))].into_iter().enumerate() {
            m.add(from_abi(kind, &p, i as u32).unwrap()).unwrap();
        }
        for (i, ins) in [&[0][..], &[1], &[1, 2], &[3, 0], &[4]].into_iter().enumerate() {
            m.wire(i, ins).unwrap();
        }
        m
    }

    fn x() -> Tensor {
        Tensor::new("t", Shape::from([2, 4]), vec![0.2, -1.0, 0.7, 1.5, 0.1, -0.4, 2.0, -0.3]).unwrap()
    }

    #[test]
    fn runs_each_layer_on_the_values_it_reads() {
        let mut m = residual(5);
        assert_eq!(m.build_all(&[4]).unwrap(), vec![vec![3], vec![3], vec![3], vec![7], vec![2]]);
        let y = m.predict(&x(), 32).unwrap();
        // The same layers run by hand.
        let run = |i: usize, xs: Vec<Tensor>| m.children()[i].borrow_mut().forward_many(xs, Mode::Infer).unwrap();
        let h = run(0, vec![x()]);
        let f = run(1, vec![h.clone()]);
        let s = run(2, vec![h, f]);
        let c = run(3, vec![s, x()]);
        assert_eq!(run(4, vec![c]).data(), y.data());
        assert_eq!(m.layer_inputs(2), Some(&[1, 2][..]));
    }

    /// dL/dx and dL/dw of the graph against central differences of `predict`; the weights'
    /// gradients are the same bits when the input's gradient is skipped (as `fit` does).
    #[test]
    fn gradients_add_over_every_reader() {
        let mut m = residual(7);
        m.build_all(&[4]).unwrap();
        let dy = Tensor::new("t", Shape::from([2, 2]), vec![0.7, -1.3, 0.4, 0.9]).unwrap();
        check_gradients(&mut m, x(), dy);
    }

    /// dL/dx and dL/dw of the whole of `m` at `x` for `dL/dy` = `dy` against central
    /// differences of `predict`; the weights' gradients are the same bits when the input's
    /// gradient is skipped (as `fit` does).
    fn check_gradients(m: &mut Sequential, x: Tensor, dy: Tensor) {
        let shape = x.shape().clone();
        let f = |m: &mut Sequential, xs: &[f32]| -> f64 {
            let y = m.predict(&Tensor::new("t", shape.clone(), xs.to_vec()).unwrap(), 32).unwrap();
            y.data().iter().zip(dy.data()).map(|(&a, &b)| a as f64 * b as f64).sum()
        };
        let n = m.len();
        let (dx, dw) = m.trace_gradient(&x, dy.clone(), 0..n, Mode::Trace, None, true).unwrap();
        let dx = dx.unwrap();
        assert_eq!(dx.shape(), x.shape());
        let (none, again) = m.trace_gradient(&x, dy.clone(), 0..n, Mode::Trace, None, false).unwrap();
        assert!(none.is_none());
        let bits = |ts: &[Tensor]| ts.iter().flat_map(|t| t.data().iter().map(|v| v.to_bits())).collect::<Vec<_>>();
        assert_eq!(bits(&again), bits(&dw));
        let xs = x.data().to_vec();
        for i in 0..xs.len() {
            let (mut a, mut b) = (xs.clone(), xs.clone());
            a[i] += 1e-2;
            b[i] -= 1e-2;
            let fd = (f(m, &a) - f(m, &b)) / 2e-2;
            assert!((dx.data()[i] as f64 - fd).abs() < 2e-3 * (1.0 + fd.abs()), "x[{i}]: {} vs {fd}", dx.data()[i]);
        }
        for (k, d) in dw.iter().enumerate() {
            for j in 0..d.size() {
                let nudge = |m: &mut Sequential, by: f32| m.with_params(|ps| ps.iter_mut().filter(|s| s.param.trainable).nth(k).unwrap().param.value.data_mut()[j] += by).unwrap();
                nudge(m, 1e-2);
                let up = f(m, &xs);
                nudge(m, -2e-2);
                let down = f(m, &xs);
                nudge(m, 1e-2);
                let fd = (up - down) / 2e-2;
                assert!((d.data()[j] as f64 - fd).abs() < 3e-3 * (1.0 + fd.abs()), "weight {k}[{j}]: {} vs {fd}", d.data()[j]);
            }
        }
    }

    /// A graph wired as a chain runs the graph's code and gives the sequential model's bits:
    /// predictions, and weights after training steps with dropout (random masks) and a fused
    /// softmax + cross-entropy head.
    #[test]
    fn a_chain_wired_as_a_graph_is_the_sequential_model() {
        use crate::losses::{Loss, Reduction};
        use crate::model::{TrainConfig, Trainer};
        use crate::optim::{LrSchedule, Optimizer};
        let make = |graph: bool| {
            let mut m = Sequential::new(4);
            for (i, (kind, p)) in [(0, dense(5.0, 9.0)), (3, vec![0.3]), (0, dense(3.0, 10.0))].into_iter().enumerate() {
                m.add(from_abi(kind, &p, i as u32).unwrap()).unwrap();
                if graph {
                    m.wire(i, &[i]).unwrap();
                }
            }
            m.build_all(&[4]).unwrap();
            m
        };
        let x = Tensor::new("t", Shape::from([6, 4]), (0..24).map(|i| (i as f32 * 0.37).sin()).collect()).unwrap();
        let y = Tensor::new("t", Shape::from([6, 3]), (0..18).map(|i| ((i * 7) % 5) as f32 / 4.0).collect()).unwrap();
        let run = |graph: bool| {
            let mut m = make(graph);
            assert_eq!(m.layer_inputs(0).is_some(), graph);
            let cfg = TrainConfig { loss: Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 }, reduction: Reduction::Mean, optimizer: Optimizer::Sgd { momentum: 0.0, nesterov: false, weight_decay: 0.0 }, schedule: LrSchedule::constant(0.5), clip: None, metrics: vec![], weighted: vec![], heads: vec![] };
            let mut t = Trainer::new(cfg, 9);
            let losses: Vec<u32> = (0..3).map(|_| t.train_on(&mut m, x.clone(), &y).unwrap().loss.to_bits()).collect();
            let p = m.predict(&x, 4).unwrap().data().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            let w = m.param_values().unwrap().iter().flat_map(|(t, _)| t.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>()).collect::<Vec<_>>();
            (losses, p, w)
        };
        assert_eq!(run(true), run(false));
    }

    /// Two inputs a [3] and b [2, 2], two outputs: p = dense₀(a) (2 units), and
    /// q = dense₂(concatenate(p, flatten(b))) softmax (3 units). Nodes: 0 a, 1 b, 2 p,
    /// 3 flatten(b), 4 concatenation, 5 q.
    fn two_by_two(seed: u64) -> Sequential {
        let mut m = Sequential::new(seed);
        for (i, (kind, p)) in [(0, dense(2.0, 9.0)), (7, vec![]), (27, vec![-1.0]), (0, dense(3.0, 10.0))].into_iter().enumerate() {
            m.add(from_abi(kind, &p, i as u32).unwrap()).unwrap();
        }
        m.set_io(vec![vec![3], vec![2, 2]], vec![2, 5]).unwrap();
        for (i, ins) in [&[0][..], &[1], &[2, 3], &[4]].into_iter().enumerate() {
            m.wire(i, ins).unwrap();
        }
        m
    }

    /// `[2 samples, 3 + 4]`: a then b per row.
    fn packed_x() -> Tensor {
        Tensor::new("t", Shape::from([2, 7]), vec![0.3, -0.8, 1.1, 0.5, -0.2, 0.9, 1.4, -1.2, 0.4, 0.25, -0.6, 0.1, 0.75, -0.35]).unwrap()
    }

    #[test]
    fn several_inputs_and_outputs_are_packed_per_sample() {
        let mut m = two_by_two(3);
        assert_eq!(m.build_all(&[7]).unwrap(), vec![vec![2], vec![4], vec![6], vec![3]]);
        assert_eq!(m.output_shape(), Some(&[5][..]));
        assert_eq!(m.output_shapes(), Some(&[vec![2], vec![3]][..]));
        let y = m.predict(&packed_x(), 32).unwrap();
        assert_eq!(y.dims(), [2, 5]);
        let x = packed_x();
        let a = Tensor::new("t", Shape::from([2, 3]), x.data().chunks(7).flat_map(|r| r[..3].to_vec()).collect()).unwrap();
        let b = Tensor::new("t", Shape::from([2, 2, 2]), x.data().chunks(7).flat_map(|r| r[3..].to_vec()).collect()).unwrap();
        let run = |i: usize, xs: Vec<Tensor>| m.children()[i].borrow_mut().forward_many(xs, Mode::Infer).unwrap();
        let p = run(0, vec![a]);
        let f = run(1, vec![b]);
        let c = run(2, vec![p.clone(), f]);
        let q = run(3, vec![c]);
        let by_hand: Vec<f32> = (0..2).flat_map(|r| [&p.data()[2 * r..2 * r + 2], &q.data()[3 * r..3 * r + 3]].concat()).collect();
        assert_eq!(y.data(), &by_hand[..]);
        // Batches of one give the same bits.
        assert_eq!(m.predict(&packed_x(), 1).unwrap().data(), y.data());
        // A shape other than the packed one is refused.
        assert!(m.predict(&Tensor::zeros("t", Shape::from([2, 6])).unwrap(), 32).unwrap_err().to_string().contains("expected input of shape [batch,7]"));
    }

    /// The packed dL/dx and dL/dw against central differences, the output p also read by a layer.
    #[test]
    fn gradients_of_several_inputs_and_outputs() {
        let mut m = two_by_two(11);
        m.build_all(&[7]).unwrap();
        let dy = Tensor::new("t", Shape::from([2, 5]), vec![0.7, -1.3, 0.4, 0.9, -0.2, 0.3, 1.1, -0.8, 0.6, 0.5]).unwrap();
        check_gradients(&mut m, packed_x(), dy);
    }

    /// The weights a gradient of some outputs reaches: output 0 (columns 0..2, the first dense)
    /// reads layer 0 only; output 1 (2..5) reads every layer, as do both.
    #[test]
    fn a_gradient_of_some_outputs_reaches_the_layers_they_read() {
        let mut m = two_by_two(11);
        m.build_all(&[7]).unwrap();
        // Two dense layers, a kernel and a bias each.
        assert_eq!(m.trace_sources(0..4).unwrap().len(), 4);
        assert_eq!(m.sources_reached(0..4, &[(0, 2)]).unwrap(), Some(vec![true, true, false, false]));
        assert_eq!(m.sources_reached(0..4, &[(1, 2)]).unwrap(), Some(vec![true, true, false, false]));
        assert_eq!(m.sources_reached(0..4, &[(2, 5)]).unwrap(), None);
        assert_eq!(m.sources_reached(0..4, &[(0, 1), (4, 5)]).unwrap(), None);
        assert_eq!(m.sources_reached(0..4, &[]).unwrap(), Some(vec![false; 4]));
    }

    /// A training step with a loss per output: the logged losses are each output's loss and
    /// their weighted sum, and the step moves the weights by the SGD step on that sum's
    /// gradient (central differences of the total).
    #[test]
    fn a_loss_per_output_trains_their_weighted_sum() {
        use crate::losses::{Loss, Reduction};
        use crate::model::{Head, Metric, TrainConfig, Trainer};
        use crate::optim::{LrSchedule, Optimizer};
        let heads = vec![
            Head { loss: Loss::MeanSquaredError, reduction: Reduction::Mean, weight: 0.5, metrics: vec![Metric::MeanAbsoluteError], weighted: vec![] },
            Head { loss: Loss::SparseCategoricalCrossentropy { from_logits: false, ignore_class: None }, reduction: Reduction::Mean, weight: 2.0, metrics: vec![], weighted: vec![] },
        ];
        let cfg = TrainConfig { loss: Loss::MeanSquaredError, reduction: Reduction::Mean, optimizer: Optimizer::Sgd { momentum: 0.0, nesterov: false, weight_decay: 0.0 }, schedule: LrSchedule::constant(0.1), clip: None, metrics: vec![], weighted: vec![], heads };
        // Targets: p's 2 values, then q's class index.
        let y = Tensor::new("t", Shape::from([2, 3]), vec![0.5, -1.0, 2.0, 1.5, 0.25, 0.0]).unwrap();
        let total = |m: &mut Sequential| -> (f64, f64, f64) {
            let out = m.predict(&packed_x(), 32).unwrap();
            let d = out.data();
            let mse = (0..2).flat_map(|r| (0..2).map(move |c| (r, c))).map(|(r, c)| (d[5 * r + c] as f64 - y.data()[3 * r + c] as f64).powi(2)).sum::<f64>() / 4.0;
            let ce = (0..2).map(|r| -(d[5 * r + 2 + y.data()[3 * r + 2] as usize] as f64).ln()).sum::<f64>() / 2.0;
            (0.5 * mse + 2.0 * ce, mse, ce)
        };
        let mut m = two_by_two(5);
        m.build_all(&[7]).unwrap();
        let mut tr = Trainer::new(cfg, 1);
        tr.check_targets(&m, "fit", &packed_x(), &y).unwrap();
        let before = m.param_values().unwrap();
        let (want, mse, ce) = total(&mut m);
        let r = tr.train_on(&mut m, packed_x(), &y).unwrap();
        assert!((r.loss as f64 - want).abs() < 1e-5 && (r.heads[0] as f64 - mse).abs() < 1e-5 && (r.heads[1] as f64 - ce).abs() < 1e-5, "{r:?} vs {want} {mse} {ce}");
        assert_eq!(r.metrics.len(), 1);
        let after = m.param_values().unwrap();
        // Back to the weights before, then central differences of the total.
        let mut m2 = two_by_two(5);
        m2.build_all(&[7]).unwrap();
        for (k, ((b, _), (a, _))) in before.iter().zip(&after).enumerate() {
            for j in 0..b.size() {
                let nudge = |m: &mut Sequential, by: f32| m.with_params(|ps| ps[k].param.value.data_mut()[j] += by).unwrap();
                nudge(&mut m2, 1e-2);
                let up = total(&mut m2).0;
                nudge(&mut m2, -2e-2);
                let down = total(&mut m2).0;
                nudge(&mut m2, 1e-2);
                let step = -0.1 * (up - down) / 2e-2;
                let moved = a.data()[j] as f64 - b.data()[j] as f64;
                assert!((moved - step).abs() < 1e-4 * (1.0 + step.abs() * 10.0), "weight {k}[{j}]: moved {moved}, expected {step}");
            }
        }
        // evaluate reports the same parts; targets are checked per output.
        let e = tr.evaluate(&mut m, &packed_x(), &y, 1).unwrap();
        assert_eq!(e.heads.len(), 2);
        let bad = Tensor::new("t", Shape::from([2, 3]), vec![0.5, -1.0, 3.0, 1.5, 0.25, 0.0]).unwrap();
        let err = tr.check_targets(&m, "fit", &packed_x(), &bad).unwrap_err().to_string();
        assert!(err.contains("y[1] (output 1)") && err.contains("not a class index"), "{err}");
        let err = tr.check_targets(&m, "fit", &packed_x(), &Tensor::zeros("t", Shape::from([2, 5])).unwrap()).unwrap_err().to_string();
        assert!(err.contains("packed as [2, 3]"), "{err}");
    }

    /// A softmax head with sparse cross-entropy beside a head weighted 0 trains as the same
    /// head alone: each output's activation fuses with its loss as `fit` fuses one output's,
    /// and a zero weight sends nothing back. Same bits, losses and weights.
    #[test]
    fn a_head_weighted_zero_leaves_the_other_as_if_alone() {
        use crate::losses::{Loss, Reduction};
        use crate::model::{Head, TrainConfig, Trainer};
        use crate::optim::{LrSchedule, Optimizer};
        let sparse = Loss::SparseCategoricalCrossentropy { from_logits: false, ignore_class: None };
        let cfg = |heads: Vec<Head>| TrainConfig { loss: sparse, reduction: Reduction::Mean, optimizer: Optimizer::Sgd { momentum: 0.0, nesterov: false, weight_decay: 0.0 }, schedule: LrSchedule::constant(0.5), clip: None, metrics: vec![], weighted: vec![], heads };
        let x = Tensor::new("t", Shape::from([4, 4]), (0..16).map(|i| (i as f32 * 0.61).cos()).collect()).unwrap();
        let labels = [2.0, 0.0, 1.0, 2.0];
        // Alone: dense(3, softmax).
        let mut alone = Sequential::new(8);
        alone.add(from_abi(0, &dense(3.0, 10.0), 0).unwrap()).unwrap();
        alone.build_all(&[4]).unwrap();
        let mut t1 = Trainer::new(cfg(vec![]), 1);
        let y1 = Tensor::new("t", Shape::from([4, 1]), labels.to_vec()).unwrap();
        // With a second head (dense(2), mse weighted 0) on the same input.
        let two_heads = || {
            let mut m = Sequential::new(8);
            for (i, p) in [dense(3.0, 10.0), dense(2.0, 9.0)].iter().enumerate() {
                m.add(from_abi(0, p, i as u32).unwrap()).unwrap();
            }
            m.set_io(vec![vec![4]], vec![1, 2]).unwrap();
            m.wire(1, &[0]).unwrap();
            m.build_all(&[4]).unwrap();
            m
        };
        let mut both = two_heads();
        let heads = vec![Head { loss: sparse, reduction: Reduction::Mean, weight: 1.0, metrics: vec![], weighted: vec![] }, Head { loss: Loss::MeanSquaredError, reduction: Reduction::Mean, weight: 0.0, metrics: vec![], weighted: vec![] }];
        let mut t2 = Trainer::new(cfg(heads), 1);
        let y2 = Tensor::new("t", Shape::from([4, 3]), labels.iter().flat_map(|&l| [l, 0.5, -0.5]).collect()).unwrap();
        for _ in 0..3 {
            let (a, b) = (t1.train_on(&mut alone, x.clone(), &y1).unwrap(), t2.train_on(&mut both, x.clone(), &y2).unwrap());
            assert_eq!(a.loss.to_bits(), b.loss.to_bits());
            assert_eq!(b.heads[0].to_bits(), a.loss.to_bits());
        }
        let bits = |m: &Sequential, n: usize| m.param_values().unwrap().iter().take(n).flat_map(|(t, _)| t.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>()).collect::<Vec<_>>();
        assert_eq!(bits(&alone, 2), bits(&both, 2));
        // The zero-weighted head's weights did not move; the model still reports its loss.
        let fresh = two_heads();
        assert_eq!(bits(&both, 4)[bits(&both, 2).len()..], bits(&fresh, 4)[bits(&fresh, 2).len()..]);
        assert_eq!(both.output_activations(), vec![Some(crate::activations::Activation::Softmax), Some(crate::activations::Activation::Tanh)]);
    }

    /// A siamese pair: an encoder dense₀(tanh) applied to a and to b, subtract, dense₂ head.
    /// Nodes: 0 a, 1 b, 2 enc(a), 3 subtract, 4 head, 5 enc(b) (the encoder's further use).
    fn siamese(seed: u64) -> Sequential {
        let mut m = Sequential::new(seed);
        for (i, (kind, p)) in [(0, dense(4.0, 9.0)), (22, vec![]), (0, dense(2.0, 9.0))].into_iter().enumerate() {
            m.add(from_abi(kind, &p, i as u32).unwrap()).unwrap();
        }
        m.set_io(vec![vec![3], vec![3]], vec![4]).unwrap();
        for (i, ins) in [&[0][..], &[2, 5], &[3]].into_iter().enumerate() {
            m.wire(i, ins).unwrap();
        }
        m.wire_use(0, &[1]).unwrap();
        m
    }

    /// `[2 samples, a (3) then b (3)]`.
    fn pair_x() -> Tensor {
        Tensor::new("t", Shape::from([2, 6]), vec![0.3, -0.8, 1.1, 0.5, -0.2, 0.9, 1.4, -1.2, 0.4, 0.25, -0.6, 0.1]).unwrap()
    }

    #[test]
    fn a_layer_used_twice_runs_both_uses_with_one_set_of_weights() {
        let mut m = siamese(2);
        assert_eq!(m.build_all(&[6]).unwrap(), vec![vec![4], vec![4], vec![2]]);
        let y = m.predict(&pair_x(), 32).unwrap();
        let x = pair_x();
        let half = |off: usize| Tensor::new("t", Shape::from([2, 3]), x.data().chunks(6).flat_map(|r| r[off..off + 3].to_vec()).collect()).unwrap();
        let run = |i: usize, xs: Vec<Tensor>| m.children()[i].borrow_mut().forward_many(xs, Mode::Infer).unwrap();
        let (ea, eb) = (run(0, vec![half(0)]), run(0, vec![half(3)]));
        let d = run(1, vec![ea, eb]);
        assert_eq!(run(2, vec![d]).data(), y.data());
        // The same inputs swapped give the negated difference: the weights are shared.
        let swapped = Tensor::new("t", Shape::from([2, 6]), x.data().chunks(6).flat_map(|r| [&r[3..], &r[..3]].concat()).collect()).unwrap();
        assert_ne!(m.predict(&swapped, 32).unwrap().data(), y.data());
        // Batches of one give the same bits.
        assert_eq!(m.predict(&pair_x(), 1).unwrap().data(), y.data());
        assert_eq!(m.output_activations(), vec![Some(crate::activations::Activation::Tanh)]);
    }

    #[test]
    fn gradients_of_a_layer_used_twice_add_over_its_uses() {
        let mut m = siamese(4);
        m.build_all(&[6]).unwrap();
        let dy = Tensor::new("t", Shape::from([2, 2]), vec![0.7, -1.3, 0.4, 0.9]).unwrap();
        check_gradients(&mut m, pair_x(), dy);
        // Three uses (on a, b and a again), their values added.
        let mut m = Sequential::new(6);
        for (i, (kind, p)) in [(0, dense(3.0, 9.0)), (21, vec![]), (0, dense(2.0, 0.0))].into_iter().enumerate() {
            m.add(from_abi(kind, &p, i as u32).unwrap()).unwrap();
        }
        // Nodes: 0 a, 1 b, 2 enc(a), 3 add, 4 head, 5 enc(b), 6 enc(a) again.
        m.set_io(vec![vec![3], vec![3]], vec![4]).unwrap();
        for (i, ins) in [&[0][..], &[2, 5, 6], &[3]].into_iter().enumerate() {
            m.wire(i, ins).unwrap();
        }
        m.wire_use(0, &[1]).unwrap();
        m.wire_use(0, &[0]).unwrap();
        m.build_all(&[6]).unwrap();
        check_gradients(&mut m, pair_x(), Tensor::new("t", Shape::from([2, 2]), vec![0.3, 1.1, -0.8, 0.5]).unwrap());
    }

    /// conv2d(filters, k×k, activation), valid padding, glorot kernel, zero bias.
    fn conv(filters: f32, k: f32, activation: f32) -> Vec<f32> {
        vec![filters, k, k, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, activation, 0.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    }

    /// Values of a packed `[rows, cols]` input.
    fn wave(rows: usize, cols: usize, phase: f32) -> Tensor {
        Tensor::new("t", Shape::from([rows, cols]), (0..rows * cols).map(|i| (i as f32 * 0.73 + phase).sin()).collect()).unwrap()
    }

    /// A text encoder on two lengths: dense₀(tanh) on `[3, 2]` and on `[5, 2]` (the kernel
    /// sees the last axis only), globalAveragePooling1d₁ on both, subtract, dense₃ head.
    /// Nodes: 0 a, 1 b, 2 enc(a), 3 pool(enc a), 4 subtract, 5 head, 6 enc(b), 7 pool(enc b).
    fn two_lengths(seed: u64) -> Sequential {
        let mut m = Sequential::new(seed);
        for (i, (kind, p)) in [(0, dense(4.0, 9.0)), (32, vec![]), (22, vec![]), (0, dense(2.0, 9.0))].into_iter().enumerate() {
            m.add(from_abi(kind, &p, i as u32).unwrap()).unwrap();
        }
        m.set_io(vec![vec![3, 2], vec![5, 2]], vec![5]).unwrap();
        for (i, ins) in [&[0][..], &[2], &[3, 7], &[4]].into_iter().enumerate() {
            m.wire(i, ins).unwrap();
        }
        m.wire_use(0, &[1]).unwrap();
        m.wire_use(1, &[6]).unwrap();
        m
    }

    #[test]
    fn a_layer_used_at_two_shapes_runs_each_on_its_own() {
        let mut m = two_lengths(3);
        assert_eq!(m.build_all(&[16]).unwrap(), vec![vec![3, 4], vec![4], vec![4], vec![2]]);
        let x = wave(3, 16, 0.4);
        let y = m.predict(&x, 32).unwrap();
        // By hand: each input through the same layers.
        let part = |off: usize, steps: usize| Tensor::new("t", Shape::from([3, steps, 2]), x.data().chunks(16).flat_map(|r| r[off..off + 2 * steps].to_vec()).collect()).unwrap();
        let run = |i: usize, xs: Vec<Tensor>| m.children()[i].borrow_mut().forward_many(xs, Mode::Infer).unwrap();
        let (ea, eb) = (run(0, vec![part(0, 3)]), run(0, vec![part(6, 5)]));
        assert_eq!((ea.dims(), eb.dims()), (&[3, 3, 4][..], &[3, 5, 4][..]));
        let (pa, pb) = (run(1, vec![ea]), run(1, vec![eb]));
        let d = run(2, vec![pa, pb]);
        assert_eq!(run(3, vec![d]).data(), y.data());
        // Batches of one give the same bits; gradients from both uses add into one kernel.
        assert_eq!(m.predict(&x, 1).unwrap().data(), y.data());
        check_gradients(&mut m, wave(2, 16, 1.1), Tensor::new("t", Shape::from([2, 2]), vec![0.7, -1.3, 0.4, 0.9]).unwrap());
    }

    /// A convolution on 4×4 and 5×3 images (one channel), each pooled globally, then
    /// concatenated: two shapes, with a third use at the first shape (batched with it).
    #[test]
    fn a_convolution_used_at_two_image_sizes() {
        let mut m = Sequential::new(7);
        for (i, (kind, p)) in [(12, conv(2.0, 2.0, 9.0)), (16, vec![]), (27, vec![-1.0]), (0, dense(1.0, 0.0))].into_iter().enumerate() {
            m.add(from_abi(kind, &p, i as u32).unwrap()).unwrap();
        }
        // Nodes: 0 a, 1 b, 2 conv(a), 3 gap(conv a), 4 concat, 5 head, 6 conv(b), 7 conv(a) again,
        // 8 gap(conv b), 9 gap(conv a again).
        m.set_io(vec![vec![4, 4, 1], vec![5, 3, 1]], vec![5]).unwrap();
        for (i, ins) in [&[0][..], &[2], &[3, 8, 9], &[4]].into_iter().enumerate() {
            m.wire(i, ins).unwrap();
        }
        m.wire_use(0, &[1]).unwrap();
        m.wire_use(0, &[0]).unwrap();
        m.wire_use(1, &[6]).unwrap();
        m.wire_use(1, &[7]).unwrap();
        assert_eq!(m.build_all(&[31]).unwrap(), vec![vec![3, 3, 2], vec![2], vec![6], vec![1]]);
        let x = wave(2, 31, 0.2);
        assert_eq!(m.predict(&x, 1).unwrap().data(), m.predict(&x, 8).unwrap().data());
        check_gradients(&mut m, x, Tensor::new("t", Shape::from([2, 1]), vec![0.8, -0.6]).unwrap());
    }

    /// A layer shared by two sequential models at two shapes: each model keeps its own shapes
    /// (its summary, its checks), the layer one kernel; running one model, then the other,
    /// then the first again gives the first's bits.
    #[test]
    fn a_layer_shared_by_models_at_two_shapes() {
        let shared = from_abi(12, &conv(3.0, 3.0, 9.0), 0).unwrap();
        let (mut a, mut b) = (Sequential::new(1), Sequential::new(2));
        a.add(shared.clone()).unwrap();
        a.add(from_abi(16, &[], 1).unwrap()).unwrap();
        b.add(shared.clone()).unwrap();
        b.add(from_abi(7, &[], 1).unwrap()).unwrap();
        assert_eq!(a.build_all(&[6, 6, 2]).unwrap(), vec![vec![4, 4, 3], vec![3]]);
        assert_eq!(b.build_all(&[5, 8, 2]).unwrap(), vec![vec![3, 6, 3], vec![54]]);
        assert_eq!((a.layer_output_shape(0), b.layer_output_shape(0)), (Some(vec![4, 4, 3]), Some(vec![3, 6, 3])));
        let xa = Tensor::new("t", Shape::from([2, 6, 6, 2]), wave(2, 72, 0.1).data().to_vec()).unwrap();
        let xb = Tensor::new("t", Shape::from([1, 5, 8, 2]), wave(1, 80, 0.9).data().to_vec()).unwrap();
        let ya = a.predict(&xa, 32).unwrap();
        assert_eq!(b.predict(&xb, 32).unwrap().dims(), &[1, 54]);
        assert_eq!(a.predict(&xa, 32).unwrap().data(), ya.data());
        // The channels are the kernel's: 3 channels anywhere is an error naming both shapes.
        let mut c = Sequential::new(3);
        c.add(shared).unwrap();
        let e = c.build_all(&[6, 6, 3]).unwrap_err().to_string();
        assert_eq!(e, "build: conv2d was built for per-sample input shape [6, 6, 2], but here it receives [6, 6, 3]: its weights fit 2 on the channels (last axis), not 3; a layer keeps its weights wherever it is used (shared between models or used twice), so only the other axes may differ");
        // A window larger than the image.
        let e = c.build_all(&[2, 6, 2]).unwrap_err().to_string();
        assert!(e.starts_with("build: conv2d was built for per-sample input shape [6, 6, 2], but here it receives [2, 6, 2]: "), "{e}");
    }

    /// `training: false` on a node (`Sequential::hold`): in a training step (and the tape's
    /// training call) the held batch normalization and dropout run as at inference (moving
    /// statistics read and left as they were, no mask), and backward differentiates that
    /// function: the bits of the same model traced at inference (the tape's rule for `predict`).
    #[test]
    fn a_held_node_runs_with_inference_behaviour_in_training() {
        let make = |hold: bool| {
            let mut m = Sequential::new(3);
            for (i, (kind, p)) in [(0, dense(4.0, 9.0)), (5, vec![0.9, 1e-3, 1.0, 1.0]), (3, vec![0.5]), (0, dense(2.0, 9.0))].into_iter().enumerate() {
                m.add(from_abi(kind, &p, i as u32).unwrap()).unwrap();
                m.wire(i, &[i]).unwrap();
                if hold && (i == 1 || i == 2) {
                    m.hold(i).unwrap();
                }
            }
            m.build_all(&[4]).unwrap();
            m.with_params(|ps| {
                for s in ps.iter_mut() {
                    let v = match s.param.name {
                        "moving_mean" => 0.3,
                        "moving_variance" => 2.5,
                        "gamma" => 1.5,
                        _ => continue,
                    };
                    s.param.value.data_mut().fill(v);
                }
            })
            .unwrap();
            m
        };
        let state = |m: &Sequential| m.with_params(|ps| ps.iter().flat_map(|s| s.param.value.data().iter().map(|v| v.to_bits())).collect::<Vec<_>>()).unwrap();
        let grads = |m: &Sequential| m.with_params(|ps| ps.iter().filter(|s| s.param.trainable).flat_map(|s| s.param.grad.iter().map(|v| v.to_bits())).collect::<Vec<_>>()).unwrap();
        let bits = |t: &Tensor| t.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        let dy = Tensor::new("t", Shape::from([2, 2]), vec![0.7, -1.3, 0.4, 0.9]).unwrap();
        let mut want = make(false);
        let y = want.forward_all(x(), Mode::Trace).unwrap();
        let dx = want.backward_through(4, dy.clone()).unwrap();
        for mode in [Mode::Train { seed: 1, step: 0 }, Mode::Apply { seed: 1, step: 0 }, Mode::Replay { seed: 1, step: 0 }] {
            let mut m = make(true);
            let before = state(&m);
            assert_eq!(bits(&m.forward_all(x(), mode).unwrap()), bits(&y), "{mode:?}");
            assert_eq!(bits(&m.backward_through(4, dy.clone()).unwrap()), bits(&dx), "{mode:?}");
            assert_eq!(grads(&m), grads(&want), "{mode:?}");
            assert_eq!(state(&m), before, "{mode:?}");
        }
        // Not held: the step normalizes with the batch's statistics and updates the moving ones.
        let mut m = make(false);
        let before = state(&m);
        assert_ne!(bits(&m.forward_all(x(), Mode::Train { seed: 1, step: 0 }).unwrap()), bits(&y));
        assert_ne!(state(&m), before);
        assert_eq!(Mode::Infer.held(), Mode::Infer);
    }

    /// One dropout layer (rate 0.5) applied to two inputs of shapes [3, 2] and [2, 2], each
    /// flattened, then concatenated. Nodes: 0 a, 1 b, 2 drop(a), 3 flat(drop a), 4 concat,
    /// 5 drop(b), 6 flat(drop b).
    fn dropout_at_two_shapes() -> Sequential {
        let mut m = Sequential::new(9);
        for (i, (kind, p)) in [(3, vec![0.5]), (7, vec![]), (27, vec![-1.0])].into_iter().enumerate() {
            m.add(from_abi(kind, &p, i as u32).unwrap()).unwrap();
        }
        m.set_io(vec![vec![3, 2], vec![2, 2]], vec![4]).unwrap();
        for (i, ins) in [&[0][..], &[2], &[3, 6]].into_iter().enumerate() {
            m.wire(i, ins).unwrap();
        }
        m.wire_use(0, &[1]).unwrap();
        m.wire_use(1, &[5]).unwrap();
        m.build_all(&[10]).unwrap();
        m
    }

    /// A dropout layer used at two shapes in a training step: backward runs the first shape's
    /// forward again, with the same mask (`dx = dy·mask/(1 − rate)` matches the output).
    #[test]
    fn a_replayed_use_draws_the_masks_of_its_forward() {
        let mut m = dropout_at_two_shapes();
        let x = Tensor::new("t", Shape::from([4, 10]), (0..40).map(|i| i as f32 + 1.0).collect()).unwrap();
        let y = m.forward_all(x.clone(), Mode::Train { seed: 5, step: 2 }).unwrap();
        let dx = m.backward_through(3, Tensor::new("t", Shape::from([4, 10]), vec![1.0; 40]).unwrap()).unwrap();
        assert!(y.data().iter().any(|&v| v == 0.0) && y.data().iter().any(|&v| v != 0.0));
        for ((&yi, &xi), &di) in y.data().iter().zip(x.data()).zip(dx.data()) {
            assert_eq!(yi, xi * di);
        }
    }

    /// The same dropout layer used at [3, 2] and [2, 2] draws a mask per shape: the second
    /// use's mask is not the first values of the first use's (one stream for both, before
    /// `Mode::for_group`), and a replay gives each batch its own mask again.
    #[test]
    fn uses_at_two_shapes_draw_their_own_masks() {
        let mut m = dropout_at_two_shapes();
        let batch = 16;
        let ones = Tensor::new("t", Shape::from([batch, 10]), vec![1.0; batch * 10]).unwrap();
        let y = m.forward_all(ones.clone(), Mode::Train { seed: 5, step: 2 }).unwrap();
        // Row s: use a's 6 values, then use b's 4; each 0 or 2 (rate 0.5).
        let (a, b): (Vec<f32>, Vec<f32>) = (y.data().chunks(10).flat_map(|r| r[..6].to_vec()).collect(), y.data().chunks(10).flat_map(|r| r[6..].to_vec()).collect());
        assert!(a.iter().chain(&b).all(|&v| v == 0.0 || v == 2.0));
        assert_ne!(b[..], a[..b.len()], "use b's mask is use a's stream again");
        let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
        assert!((16..=48).contains(&same), "{same} of 64 mask values agree (independent: 32 ± 4)");
        // Use a (the first shape) draws what a layer used once draws: the step's seed itself.
        let once = from_abi(3, &[0.5], 0).unwrap();
        let ya = once.borrow_mut().forward_many(vec![Tensor::new("t", Shape::from([batch, 3, 2]), vec![1.0; batch * 6]).unwrap()], Mode::Train { seed: 5, step: 2 }).unwrap();
        assert_eq!(ya.data(), &a[..]);
        // Backward replays use a's batch with its own mask: dx = mask / (1 − rate) · dy = y.
        let dx = m.backward_through(3, Tensor::new("t", Shape::from([batch, 10]), vec![1.0; batch * 10]).unwrap()).unwrap();
        assert_eq!(dx.data(), y.data());
    }

    #[test]
    fn reuse_errors_name_the_layer() {
        // A use reading its own layer's output.
        let mut m = siamese(1);
        m.wire_use(0, &[2]).unwrap();
        let e = m.build_all(&[6]).unwrap_err().to_string();
        assert!(e.contains("layer 0 reads node 2, which is not computed before it"), "{e}");
        // Uses with other input shapes: the encoder on a [3] and on a [2] input.
        let mut m = Sequential::new(1);
        for (i, (kind, p)) in [(0, dense(3.0, 9.0)), (0, dense(3.0, 9.0))].into_iter().enumerate() {
            m.add(from_abi(kind, &p, i as u32).unwrap()).unwrap();
        }
        m.set_io(vec![vec![3], vec![2]], vec![3, 4]).unwrap();
        m.wire(0, &[0]).unwrap();
        m.wire(1, &[2]).unwrap();
        m.wire_use(1, &[1]).unwrap();
        let e = m.build_all(&[5]).unwrap_err().to_string();
        assert!(e.contains("layer 1 is used with per-sample input shapes [[3]] and [[2]], which its weights do not both fit: build: dense was built for per-sample input shape [3], but here it receives [2]: its weights fit 3 on the last axis, not 2"), "{e}");
        // Batch normalization used twice.
        let mut m = Sequential::new(1);
        m.add(from_abi(5, &[0.99, 1e-3, 1.0, 1.0], 0).unwrap()).unwrap();
        m.add(from_abi(21, &[], 1).unwrap()).unwrap();
        m.set_io(vec![vec![3], vec![3]], vec![3]).unwrap();
        m.wire(0, &[0]).unwrap();
        m.wire(1, &[2, 4]).unwrap();
        m.wire_use(0, &[1]).unwrap();
        let e = m.build_all(&[6]).unwrap_err().to_string();
        assert!(e.contains("layer 0 is used more than once but it is (or holds) a batchNormalization layer"), "{e}");
    }

    /// Sample weights of a model with several outputs are `[n, outputs]`: each output's loss
    /// is weighted by its own column. Constant columns (2, 0.5) train as loss weights (2, 0.5).
    #[test]
    fn sample_weights_are_per_output() {
        use crate::losses::{Loss, Reduction};
        use crate::model::{Head, TrainConfig, Trainer};
        use crate::optim::{LrSchedule, Optimizer};
        let heads = |w: [f32; 2]| vec![Head { loss: Loss::MeanSquaredError, reduction: Reduction::Mean, weight: w[0], metrics: vec![], weighted: vec![] }, Head { loss: Loss::SparseCategoricalCrossentropy { from_logits: false, ignore_class: None }, reduction: Reduction::Mean, weight: w[1], metrics: vec![], weighted: vec![] }];
        let cfg = |w| TrainConfig { loss: Loss::MeanSquaredError, reduction: Reduction::Mean, optimizer: Optimizer::Sgd { momentum: 0.0, nesterov: false, weight_decay: 0.0 }, schedule: LrSchedule::constant(0.1), clip: None, metrics: vec![], weighted: vec![], heads: heads(w) };
        let y = Tensor::new("t", Shape::from([2, 3]), vec![0.5, -1.0, 2.0, 1.5, 0.25, 0.0]).unwrap();
        let w = Tensor::new("t", Shape::from([2, 2]), vec![2.0, 0.5, 2.0, 0.5]).unwrap();
        let (mut a, mut b) = (two_by_two(5), two_by_two(5));
        a.build_all(&[7]).unwrap();
        b.build_all(&[7]).unwrap();
        let (mut ta, mut tb) = (Trainer::new(cfg([1.0, 1.0]), 1), Trainer::new(cfg([2.0, 0.5]), 1));
        let ra = ta.train_batch_weighted(&mut a, &packed_x(), &y, Some(&w), &[0, 1]).unwrap();
        let rb = tb.train_on(&mut b, packed_x(), &y).unwrap();
        assert!((ra.loss - rb.loss).abs() < 1e-6 && (ra.heads[0] - 2.0 * rb.heads[0]).abs() < 1e-6 && (ra.heads[1] - 0.5 * rb.heads[1]).abs() < 1e-6, "{ra:?} vs {rb:?}");
        for ((wa, _), (wb, _)) in a.param_values().unwrap().iter().zip(&b.param_values().unwrap()) {
            for (p, q) in wa.data().iter().zip(wb.data()) {
                assert!((p - q).abs() < 1e-6, "{p} vs {q}");
            }
        }
        let one = Tensor::new("t", Shape::from([2]), vec![1.0, 1.0]).unwrap();
        let e = ta.train_batch_weighted(&mut a, &packed_x(), &y, Some(&one), &[0, 1]).unwrap_err().to_string();
        assert!(e.contains("the sample weights have 2 values for 2 samples; give 2 per sample (one per output)"), "{e}");
    }

    #[test]
    fn io_errors_name_the_node() {
        let mut m = two_by_two(1);
        assert!(m.build_all(&[6]).unwrap_err().to_string().contains("a model with 2 inputs takes them packed as [7] per sample"));
        let mut m = two_by_two(1);
        m.set_io(vec![vec![3], vec![2, 2]], vec![1, 5]).unwrap();
        assert!(m.build_all(&[7]).unwrap_err().to_string().contains("output node 1 is not a layer's output"));
        let mut m = two_by_two(1);
        m.set_io(vec![vec![3], vec![2, 2]], vec![5]).unwrap();
        m.wire(2, &[3, 3]).unwrap();
        assert!(m.build_all(&[7]).unwrap_err().to_string().contains("the output of layer 0 is read by no layer and is not an output"));
        let mut m = two_by_two(1);
        m.wire(0, &[1]).unwrap();
        assert!(m.build_all(&[7]).unwrap_err().to_string().contains("the model's input 0 is read by no layer"));
        assert!(two_by_two(1).set_io(vec![vec![3]], vec![5, 5]).unwrap_err().to_string().contains("each output must be a different value"));
        // A model with several outputs is not a layer of another model.
        let inner = crate::model::shared(two_by_two(1));
        assert!(Sequential::new(1).add(inner).unwrap_err().to_string().contains("cannot be nested"));
    }

    #[test]
    fn wiring_errors_name_the_layer() {
        let mut m = residual(1);
        assert!(m.wire(1, &[2]).unwrap_err().to_string().contains("layer 1 reads node 2, which is not computed before it"));
        assert!(m.wire(9, &[0]).unwrap_err().to_string().contains("layer index 9 is out of range for 5 layers"));
        assert!(m.wire(1, &[]).unwrap_err().to_string().contains("reads no input"));
        // Layer 1's output read by nobody.
        m.wire(2, &[1, 1]).unwrap();
        assert!(m.build_all(&[4]).unwrap_err().to_string().contains("the output of layer 1 is read by no layer"));
        // A merge layer in a chain, and a layer given two inputs.
        let mut m = residual(1);
        m.wire(2, &[2]).unwrap();
        assert!(m.build_all(&[4]).unwrap_err().to_string().contains("add: a merge layer takes a list of at least 2 inputs, got 1"));
        let mut m = residual(1);
        m.wire(1, &[0, 1]).unwrap();
        assert!(m.build_all(&[4]).unwrap_err().to_string().contains("dense takes one input, got 2"));
        // A graph runs as a whole.
        let mut m = residual(1);
        m.build_all(&[4]).unwrap();
        assert!(m.predict_range(&x(), 0, 2, 32).unwrap_err().to_string().contains("layers 0..2 of a graph model"));
    }

    /// Two masked inputs (masking layers: a step whose features are all 0 is masked), the
    /// layers at `kinds` (ABI id, parameters) wired as `ins`, the model outputting `outs`.
    fn masked_graph(kinds: &[(u32, Vec<f32>)], ins: &[&[usize]], outs: Vec<usize>) -> crate::Result<Sequential> {
        let mut m = Sequential::new(3);
        m.set_io(vec![vec![3, 2], vec![3, 2]], outs)?;
        for (i, (kind, p)) in kinds.iter().enumerate() {
            m.add(from_abi(*kind, p, i as u32)?)?;
        }
        for (i, ins) in ins.iter().enumerate() {
            m.wire(i, ins)?;
        }
        m.build_all(&[12])?;
        Ok(m)
    }

    /// Two samples of two inputs `[3, 2]` packed side by side: input 0's step masks [1, 0, 1]
    /// and [0, 0, 1], input 1's [0, 1, 0] and [0, 0, 0].
    fn two_inputs() -> Tensor {
        let a = [[1., 2., 0., 0., 3., 0.], [0., 0., 0., 0., 5., 5.]];
        let b = [[0., 0., 4., 4., 0., 0.], [0.; 6]];
        Tensor::new("t", Shape::from([2, 12]), [a[0], b[0], a[1], b[1]].concat()).unwrap()
    }

    /// Keras 3's merge masks (keras/src/layers/merging/base_merge.py and concatenate.py
    /// `compute_mask`): the element-wise merges OR their inputs' masks and have none when an
    /// input has none; concatenate ORs them, an unmasked input keeping every step. Each node's
    /// mask runs beside its value through the layers that pass it on.
    #[test]
    fn masks_run_beside_the_values_and_merge_as_keras_3() {
        let (mask, dense, add, concat) = ((45, vec![0.0]), (0, dense(2.0, 9.0)), (21, vec![]), (27, vec![-1.0]));
        // add(masking(a), dense(masking(b))): both masked, OR.
        let mut m = masked_graph(&[mask.clone(), mask.clone(), dense.clone(), add.clone()], &[&[0], &[1], &[3], &[2, 4]], vec![5]).unwrap();
        m.predict(&two_inputs(), 32).unwrap();
        assert_eq!(m.output_mask(), Some(&[1., 1., 1., 0., 0., 1.][..]));
        // add(masking(a), dense(b)): one input unmasked, so no mask.
        let mut m = masked_graph(&[mask.clone(), dense.clone(), add.clone()], &[&[0], &[1], &[2, 3]], vec![4]).unwrap();
        m.predict(&two_inputs(), 32).unwrap();
        assert_eq!(m.output_mask(), None);
        // concatenate(masking(a), dense(b)): the unmasked input keeps every step.
        let mut m = masked_graph(&[mask.clone(), dense.clone(), concat.clone()], &[&[0], &[1], &[2, 3]], vec![4]).unwrap();
        m.predict(&two_inputs(), 32).unwrap();
        assert_eq!(m.output_mask(), Some(&[1.; 6][..]));
        // concatenate(masking(a), masking(b)) → dense: OR, passed on; batches of 1 give the same.
        let mut m = masked_graph(&[mask.clone(), mask.clone(), concat.clone(), dense.clone()], &[&[0], &[1], &[2, 3], &[4]], vec![5]).unwrap();
        m.predict(&two_inputs(), 1).unwrap();
        assert_eq!(m.output_mask(), Some(&[1., 1., 1., 0., 0., 1.][..]));
        // Several outputs: each one's mask packed per sample, 1s for an output without one.
        let mut m = masked_graph(&[mask.clone(), dense.clone()], &[&[0], &[1]], vec![2, 3]).unwrap();
        m.predict(&two_inputs(), 1).unwrap();
        assert_eq!(m.output_mask(), Some(&[1., 0., 1., 1., 1., 1., 0., 0., 1., 1., 1., 1.][..]));
        assert_eq!(m.masked_outputs(), &[true, false]);
        // masking(a) alone: a's own mask.
        let mut m = masked_graph(&[mask.clone(), dense.clone(), add.clone()], &[&[0], &[2], &[3, 1]], vec![4]).unwrap();
        m.predict(&two_inputs(), 32).unwrap();
        assert_eq!(m.output_mask(), None);
    }

    /// What a mask cannot reach yet is an error naming the layer.
    #[test]
    fn masks_where_they_cannot_go_are_errors() {
        let (mask, dense, flatten) = ((45, vec![0.0]), (0, dense(3.0, 9.0)), (7, vec![]));
        let err = |r: crate::Result<Sequential>| r.err().map(|e| e.to_string()).unwrap_or_default();
        let e = err(masked_graph(&[mask.clone(), flatten.clone(), dense.clone()], &[&[0], &[2], &[1]], vec![3, 4]));
        assert!(e.contains("layer 1 (flatten) cannot take the mask that layer 0 (masking) makes yet"), "{e}");
        // Concatenate along the steps: Keras 3 concatenates the masks (a's steps, then b's).
        let mut m = masked_graph(&[mask.clone(), mask.clone(), (27, vec![1.0])], &[&[0], &[1], &[2, 3]], vec![4]).unwrap();
        m.predict(&two_inputs(), 32).unwrap();
        assert_eq!(m.output_mask(), Some(&[1., 0., 1., 0., 1., 0., 0., 0., 1., 0., 0., 0.][..]));
        // With an unmasked input, its steps all count; batches of 1 give the same.
        let mut m = masked_graph(&[mask.clone(), (27, vec![1.0])], &[&[0], &[2, 1]], vec![3]).unwrap();
        m.predict(&two_inputs(), 1).unwrap();
        assert_eq!(m.output_mask(), Some(&[1., 0., 1., 1., 1., 1., 0., 0., 1., 1., 1., 1.][..]));
        // A layer used twice, one use fed a mask, refusing it there.
        let mut m = Sequential::new(3);
        m.set_io(vec![vec![3, 2], vec![3, 2]], vec![4]).unwrap();
        for (i, (kind, p)) in [mask.clone(), flatten.clone(), (21, vec![])].iter().enumerate() {
            m.add(from_abi(*kind, p, i as u32).unwrap()).unwrap();
        }
        for (i, ins) in [&[0][..], &[1], &[3, 5]].iter().enumerate() {
            m.wire(i, ins).unwrap();
        }
        m.wire_use(1, &[2]).unwrap();
        let e = m.build_all(&[12]).unwrap_err().to_string();
        assert!(e.contains("layer 1 (flatten) cannot take the mask that layer 0 (masking) makes yet"), "{e}");
    }

    /// masking → dense(tanh) → globalAveragePooling1d applied to inputs a `[3, 2]` and b
    /// `[lb, 2]`, then added: `shared` uses one layer of each (used twice), else a layer per
    /// input. Shared nodes: 0 a, 1 b, 2 mask(a), 3 dense, 4 pool, 5 add, 6 mask(b), 7 dense,
    /// 8 pool; separate: 2 + i for layer i. `steps`: only masking → dense, outputting both
    /// dense values (per step, each with its own mask).
    fn siamese_masked(shared: bool, lb: usize, steps: bool) -> Sequential {
        let (mask, dense, pool, add) = ((45, vec![0.0]), (0, dense(3.0, 9.0)), (32, vec![]), (21, vec![]));
        let mut m = Sequential::new(6);
        let (mut kinds, mut ins, outs): (Vec<(u32, Vec<f32>)>, Vec<&[usize]>, Vec<usize>) = match (shared, steps) {
            (true, false) => (vec![mask, dense, pool, add], vec![&[0], &[2], &[3], &[4, 8]], vec![5]),
            // 0 a, 1 b, 2 mask(a), 3 dense, 4 mask(b), 5 dense.
            (true, true) => (vec![mask, dense], vec![&[0], &[2]], vec![3, 5]),
            (false, _) => (vec![mask.clone(), mask, dense.clone(), dense, pool.clone(), pool, add], vec![&[0], &[1], &[2], &[3], &[4], &[5], &[6, 7]], if steps { vec![4, 5] } else { vec![8] }),
        };
        if steps && !shared {
            kinds.truncate(4);
            ins.truncate(4);
        }
        m.set_io(vec![vec![3, 2], vec![lb, 2]], outs).unwrap();
        for (i, (kind, p)) in kinds.iter().enumerate() {
            m.add(from_abi(*kind, p, i as u32).unwrap()).unwrap();
        }
        for (i, ins) in ins.iter().enumerate() {
            m.wire(i, ins).unwrap();
        }
        match (shared, steps) {
            (true, false) => {
                m.wire_use(0, &[1]).unwrap();
                m.wire_use(1, &[6]).unwrap();
                m.wire_use(2, &[7]).unwrap();
            }
            (true, true) => {
                m.wire_use(0, &[1]).unwrap();
                m.wire_use(1, &[4]).unwrap();
            }
            _ => {}
        }
        m.build_all(&[6 + 2 * lb]).unwrap();
        m
    }

    /// A shared masking → dense → pooling sees each use's own mask: the same values, masks and
    /// gradients as a layer per input with the same weights (the shared weights' gradient the
    /// sum of the two), with b as long as a (one batch) or longer (a batch per length, the
    /// first replayed with its own masks in backward). b's rows: one all padding.
    #[test]
    fn a_shared_layer_sees_each_uses_own_mask() {
        for (lb, steps) in [(3, false), (4, false), (3, true), (4, true)] {
            let (mut sh, mut sep) = (siamese_masked(true, lb, steps), siamese_masked(false, lb, steps));
            let w = sh.param_values().unwrap();
            sep.with_params(|ps| {
                for (k, s) in ps.iter_mut().enumerate() {
                    s.param.value = w[k % 2].0.clone();
                }
            })
            .unwrap();
            // Row 0: a masks [1, 0, 1], b [0, 1, 0, (1)]; row 1: a [0, 0, 1], b all padding.
            let a = [[1., -2., 0., 0., 3., 0.5], [0., 0., 0., 0., -5., 5.]];
            let b = [[0., 0., 4., -4., 0., 0., 0.25, 1.], [0.; 8]];
            let x = Tensor::new("t", Shape::from([2, 6 + 2 * lb]), [&a[0][..], &b[0][..2 * lb], &a[1], &b[1][..2 * lb]].concat()).unwrap();
            let mode = Mode::Train { seed: 1, step: 0 };
            let (ys, yp) = (sh.forward_all(x.clone(), mode).unwrap(), sep.forward_all(x.clone(), mode).unwrap());
            assert_eq!(ys.data(), yp.data(), "lb {lb} steps {steps}: values");
            assert_eq!(sh.output_mask(), sep.output_mask(), "lb {lb} steps {steps}: masks");
            if steps {
                let want: Vec<f32> = [&[1., 0., 1.][..], &[0., 1., 0., 1.][..lb], &[0., 0., 1.], &[0.; 4][..lb]].concat();
                assert_eq!(sh.output_mask(), Some(&want[..]));
            } else {
                assert_eq!(sh.output_mask(), None);
            }
            let dy = Tensor::new("t", ys.shape().clone(), (0..ys.size()).map(|i| 0.5 - 0.125 * i as f32).collect()).unwrap();
            let (dxs, dxp) = (sh.backward_through(sh.len(), dy.clone()).unwrap(), sep.backward_through(sep.len(), dy).unwrap());
            assert_eq!(dxs.data(), dxp.data(), "lb {lb} steps {steps}: dx");
            let (gs, gp) = (sh.param_values().unwrap(), sep.param_values().unwrap());
            for k in 0..2 {
                for (j, &g) in gs[k].1.iter().enumerate() {
                    let want = gp[k].1[j] + gp[k + 2].1[j];
                    assert!((g - want).abs() <= 1e-6 * (1.0 + want.abs()), "lb {lb} steps {steps}: weight {k}[{j}]: {g} vs {want}");
                }
            }
            // The padding moves nothing: a step a masks gets no gradient through the pooling.
            if !steps {
                assert_eq!(&dxs.data()[2..4], &[0., 0.]);
            }
        }
    }

    /// A nested model carries the mask that reaches it by its own layers' rules (Keras 3 keeps
    /// the mask its last layer set): passed through a dense layer, used up by a pooling; used
    /// twice, each use its own; a layer inside that cannot take it is named with the model.
    #[test]
    fn a_nested_model_carries_the_mask_through_its_layers() {
        let nested = |kinds: &[(u32, Vec<f32>)]| {
            let mut m = Sequential::new(2);
            for (i, (kind, p)) in kinds.iter().enumerate() {
                m.add(from_abi(*kind, p, i as u32).unwrap()).unwrap();
            }
            crate::model::shared(m)
        };
        // 0 a, 1 b, 2 masking(a), 3 inner(2), 4 inner(b).
        let graph = |inner: crate::model::LayerRef| {
            let mut m = Sequential::new(3);
            m.set_io(vec![vec![3, 2], vec![3, 2]], vec![3, 4])?;
            m.add(from_abi(45, &[0.0], 0)?)?;
            m.add(inner)?;
            m.wire(0, &[0])?;
            m.wire(1, &[2])?;
            m.wire_use(1, &[1])?;
            m.build_all(&[12]).map(|_| m)
        };
        let mut m = graph(nested(&[(0, dense(2.0, 9.0))])).unwrap();
        m.predict(&two_inputs(), 32).unwrap();
        assert_eq!(m.output_mask(), Some(&[1., 0., 1., 1., 1., 1., 0., 0., 1., 1., 1., 1.][..]));
        assert_eq!(m.masked_outputs(), &[true, false]);
        let mut m = graph(nested(&[(0, dense(2.0, 9.0)), (32, vec![])])).unwrap();
        m.predict(&two_inputs(), 32).unwrap();
        assert_eq!(m.output_mask(), None);
        let e = graph(nested(&[(0, dense(2.0, 9.0)), (7, vec![])])).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("layer 1 (sequential), a nested model: layer 1 (flatten) cannot take the mask that the masking before the nested model makes yet"), "{e}");
    }

    /// dot takes its two masked inputs (its rule drops the masks, as Keras 3's: Consume, yet
    /// two inputs) and gives the unmasked dot of the values.
    #[test]
    fn dot_takes_two_masked_inputs_and_drops_their_masks() {
        // Nodes: 0 a, 1 b, 2 masking(a), 3 masking(b), 4 dot(2, 3) along the features.
        let mut m = Sequential::new(1);
        m.set_io(vec![vec![3, 2], vec![3, 2]], vec![4]).unwrap();
        for (i, (kind, p)) in [(45, vec![0.0]), (45, vec![0.0]), (39, vec![2.0, 2.0, 0.0])].iter().enumerate() {
            m.add(from_abi(*kind, p, i as u32).unwrap()).unwrap();
        }
        m.wire(0, &[0]).unwrap();
        m.wire(1, &[1]).unwrap();
        m.wire(2, &[2, 3]).unwrap();
        m.build_all(&[12]).unwrap();
        let x = two_inputs();
        let y = m.predict(&x, 32).unwrap();
        assert_eq!(y.dims(), &[2, 3, 3]);
        assert_eq!(m.output_mask(), None);
        for r in 0..2 {
            let (a, b) = (&x.data()[r * 12..r * 12 + 6], &x.data()[r * 12 + 6..r * 12 + 12]);
            for s in 0..3 {
                for t in 0..3 {
                    assert_eq!(y.data()[r * 9 + s * 3 + t], a[2 * s] * b[2 * t] + a[2 * s + 1] * b[2 * t + 1]);
                }
            }
        }
    }

    /// Keras 3's per-call masks through a shared merge: each use ORs its own inputs' masks,
    /// and a use with an unmasked input has none, while the other use keeps its mask.
    #[test]
    fn a_shared_merge_merges_each_uses_masks() {
        // Nodes: 0 a, 1 b, 2 mask(a), 3 add(mask a, mask a), 4 add(mask a, b).
        let mut m = Sequential::new(1);
        m.set_io(vec![vec![3, 2], vec![3, 2]], vec![3, 4]).unwrap();
        for (i, (kind, p)) in [(45, vec![0.0]), (21, vec![])].iter().enumerate() {
            m.add(from_abi(*kind, p, i as u32).unwrap()).unwrap();
        }
        m.wire(0, &[0]).unwrap();
        m.wire(1, &[2, 2]).unwrap();
        m.wire_use(1, &[2, 1]).unwrap();
        m.build_all(&[12]).unwrap();
        m.predict(&two_inputs(), 32).unwrap();
        assert_eq!(m.output_mask(), Some(&[1., 0., 1., 1., 1., 1., 0., 0., 1., 1., 1., 1.][..]));
        assert_eq!(m.masked_outputs(), &[true, false]);
    }
}
