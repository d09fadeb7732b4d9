//! `Sequential`: layers applied in order, `y = fₙ(…f₂(f₁(x)))`; backward runs them in reverse.
//! A `Sequential` is itself a [`Layer`], so models nest.
//!
//! The layers are [`LayerRef`]s (see [`super::shared`]): a layer or a whole model can sit in
//! several models at once with one set of weights. A nested model is a `LayerRef` to a
//! `Sequential` that the inner model's own handle also holds, so it stays usable on its own.
//!
//! # Shapes
//! The model is built for a per-sample input shape; inputs are `[batch, ...inputShape]`.

use super::graph::Wiring;
use super::shared::{check_disjoint, check_joins, lock, peek, LayerRef};
use crate::layers::{Init, Layer, Mode, Param};
use crate::{bail_shape, Error, Result, Shape, Tensor};
use core::ops::Range;

pub struct Sequential {
    pub(super) layers: Vec<LayerRef>,
    /// Per-layer `trainable` switches of this model (frozen layers get no updates when this
    /// model trains; another model holding the same layer has its own switch).
    trainable: Vec<bool>,
    pub(super) input_shape: Option<Vec<usize>>,
    pub(super) output_shape: Option<Vec<usize>>,
    /// Per layer, the per-sample input (the first, for a merge) and output shapes of its (first)
    /// use in this model, once built: a layer shared with another model may take other shapes
    /// there (see [`Layer::resize`]).
    pub(super) layer_shapes: Vec<(Vec<usize>, Vec<usize>)>,
    /// A model with unknown (`null`) per-sample axes (see [`super::varlen`]): its input and each
    /// layer's output with 0 for an unknown axis; empty for a model of one shape.
    pub(super) free: Vec<Vec<usize>>,
    seed: u64,
    /// Set for a graph model (the functional API): which values each layer reads.
    pub(super) wiring: Option<Wiring>,
    /// How messages name the layers (by index) and then the inputs: TS's names, set by
    /// [`Sequential::set_names`]; without them messages give indices.
    pub(super) names: Vec<String>,
    /// Whether a layer makes a mask (an embedding with `maskZero`): the forward then carries
    /// it ([`Sequential::output_mask`]), checked at build by [`Sequential::check_masks`].
    masked: bool,
    /// The mask of the last forward's output rows (1 counts, 0 masked), when a mask reaches it;
    /// with several outputs, packed (see [`Sequential::output_mask`]).
    pub(super) out_mask: Option<Vec<f32>>,
    /// Per output of a graph model with several, whether a mask reaches it (from the build).
    masked_outputs: Vec<bool>,
    /// The addresses of the layers and models inside this one, sorted, as `add` placed them
    /// (see [`check_joins`]).
    members: Vec<*const ()>,
}

/// A parameter during [`Sequential::with_params`]: its model-level layer index (the top-level
/// child it belongs to) and whether training updates it.
pub struct ParamSlot<'a> {
    pub layer: usize,
    pub updated: bool,
    pub param: &'a mut Param,
}

impl Sequential {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(seed: u64) -> Sequential {
        Sequential { layers: Vec::new(), trainable: Vec::new(), input_shape: None, output_shape: None, layer_shapes: Vec::new(), free: Vec::new(), seed, wiring: None, names: Vec::new(), masked: false, out_mask: None, masked_outputs: Vec::new(), members: Vec::new() }
    }

    /// Appends a layer, new or shared with other models. Rejects a layer already inside this
    /// model (the same object twice) and, when this model is borrowed through its own
    /// `LayerRef`, a layer that contains this model.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn add(&mut self, layer: LayerRef) -> Result<()> {
        if self.input_shape.is_some() {
            return Err(Error::invalid("add", "cannot add layers to a model that is already built"));
        }
        // (A layer already borrowed is this model itself, which check_joins names.)
        if layer.try_borrow().is_ok_and(|n| n.layer().as_sequential().is_some_and(Sequential::packed)) {
            return Err(Error::invalid("add", "a model with several inputs or outputs cannot be nested in another model yet"));
        }
        check_joins("add", &mut self.members, &layer)?;
        self.layers.push(layer);
        self.trainable.push(true);
        Ok(())
    }

    /// Makes this a graph model, or rewires one: layer `layer` reads the values `inputs` (node
    /// 0 the model's input, node `i + 1` layer `i`'s output; see [`Wiring`]). Before `build`.
    pub fn wire(&mut self, layer: usize, inputs: &[usize]) -> Result<()> {
        let n = self.layers.len();
        self.wiring_before_build(Some(layer))?.set(layer, inputs, n)
    }

    /// Runs every use of layer `layer` of a graph model with inference behaviour
    /// (`apply(x, { training: false })`, see [`Mode::held`]). Before `build`.
    pub fn hold(&mut self, layer: usize) -> Result<()> {
        self.wiring_before_build(Some(layer))?.hold(layer);
        Ok(())
    }

    /// A further use of layer `layer` in a graph model, reading `inputs` (see [`Wiring`]: its
    /// value is the next node after the first uses and the further uses added before). Before
    /// `build`.
    pub fn wire_use(&mut self, layer: usize, inputs: &[usize]) -> Result<()> {
        self.wiring_before_build(Some(layer))?.add_use(layer, inputs)
    }

    /// A graph model with several inputs or outputs (see [`Wiring::set_io`]): the per-sample
    /// shapes of its inputs and the nodes it outputs. Before `build`.
    pub fn set_io(&mut self, sources: Vec<Vec<usize>>, outputs: Vec<usize>) -> Result<()> {
        self.wiring_before_build(None)?.set_io(sources, outputs)
    }

    /// The wiring to change (made on first use), checking that the model is not built yet and
    /// that `layer`, when given, is one of its layers.
    fn wiring_before_build(&mut self, layer: Option<usize>) -> Result<&mut Wiring> {
        if self.input_shape.is_some() {
            return Err(Error::invalid("model", "cannot rewire a model that is already built"));
        }
        if let Some(layer) = layer.filter(|&l| l >= self.layers.len()) {
            return Err(Error::invalid("model", format!("layer index {layer} is out of range for {} layers", self.layers.len())));
        }
        Ok(self.wiring.get_or_insert_with(Wiring::new))
    }

    /// The per-sample shape of each output of a graph model with several (whose output is
    /// packed, see [`Wiring::set_io`]); `None` for one output.
    pub fn output_shapes(&self) -> Option<&[Vec<usize>]> {
        self.wiring.as_ref().filter(|w| w.output_shapes().len() > 1).map(|w| w.output_shapes())
    }

    /// Whether this is a graph model with several inputs or outputs.
    fn packed(&self) -> bool {
        self.wiring.as_ref().is_some_and(Wiring::packed)
    }

    /// The values layer `i` reads when this is a graph model (see [`Sequential::wire`]).
    pub fn layer_inputs(&self, i: usize) -> Option<&[usize]> {
        self.wiring.as_ref().map(|w| w.inputs(i))
    }

    /// A graph model runs as a whole: `range` must be all its layers.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn whole(&self, op: &'static str, range: &Range<usize>) -> Result<()> {
        if self.wiring.is_some() && *range != (0..self.layers.len()) {
            return Err(Error::invalid(op, format!("layers {}..{} of a graph model (model({{ inputs, outputs }})) cannot run on their own; it runs as a whole", range.start, range.end)));
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.layers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// After JS abandoned a call inside this model ([`crate::interrupt`]): frees the borrows its
    /// frames left on the layers (with everything inside nested models) and on a graph's replay
    /// inputs. Returns whether every one is free afterwards.
    ///
    /// # Safety
    /// Only for borrows held by the frames of the abandoned call (see
    /// [`crate::interrupt::reset_borrow`]): no `Ref`/`RefMut` of this model's layers is live.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub unsafe fn reset_borrows(&self) -> bool {
        // SAFETY: the caller's contract, for every cell below.
        let mut free = self.wiring.as_ref().is_none_or(|w| unsafe { w.reset_replay() });
        for c in &self.layers {
            // SAFETY: as above.
            free &= unsafe { crate::interrupt::reset_borrow(&**c) };
            if let Ok(n) = c.try_borrow() {
                // SAFETY: as above (a nested model's layers).
                free &= n.layer().as_sequential().is_none_or(|s| unsafe { s.reset_borrows() });
            }
        }
        free
    }

    /// The layers, in order.
    pub fn children(&self) -> &[LayerRef] {
        &self.layers
    }

    pub fn is_built(&self) -> bool {
        self.input_shape.is_some()
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn input_shape(&self) -> Option<&[usize]> {
        self.input_shape.as_deref()
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn output_shape(&self) -> Option<&[usize]> {
        self.output_shape.as_deref()
    }

    /// Builds every layer in turn (a layer that is already built, shared with another model,
    /// only checks that its weights fit the shape it gets here, see [`Layer::resize`]); returns
    /// the per-sample output shape of each.
    pub fn build_all(&mut self, input: &[usize]) -> Result<Vec<Vec<usize>>> {
        self.build_layers(input, true)
    }

    /// [`Sequential::build_all`] without running the initializers (`fill` off, see [`Init`]):
    /// every new weight is zero, for a caller that sets all of them next (loading).
    pub fn build_unfilled(&mut self, input: &[usize]) -> Result<Vec<Vec<usize>>> {
        self.build_layers(input, false)
    }

    fn build_layers(&mut self, input: &[usize], fill: bool) -> Result<Vec<Vec<usize>>> {
        if input.contains(&0) || self.wiring.as_ref().is_some_and(|w| !w.free_sources().is_empty()) {
            return self.build_free(input, fill);
        }
        self.build_pass(input, fill, &|_, _, _| Ok(()))
    }

    /// One build of every layer for `input`, `check` run before each layer's (first) build
    /// with its index, node and input shape.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    pub(super) fn build_pass(&mut self, input: &[usize], fill: bool, check: &dyn Fn(usize, &LayerRef, &[Vec<usize>]) -> Result<()>) -> Result<Vec<Vec<usize>>> {
        if self.layers.is_empty() {
            return Err(Error::invalid("build", "the model has no layers"));
        }
        // Layers added to a nested model after it was nested are checked here too.
        check_disjoint("build", &self.layers)?;
        let seed = self.seed;
        // A per-layer seed derived from the model seed, so that layers differ.
        let init = |i: usize| Init { seed: crate::rng::mix(seed, i as u64), fill };
        let (ins, shapes, out) = match &mut self.wiring {
            Some(w) => {
                w.check(self.layers.len())?;
                w.build(&self.layers, input, init, check)?
            }
            None => {
                let mut ins: Vec<Vec<usize>> = Vec::with_capacity(self.layers.len());
                let mut shapes: Vec<Vec<usize>> = Vec::with_capacity(self.layers.len());
                for (i, l) in self.layers.iter().enumerate() {
                    let at = shapes.last().map_or(input, |s| &s[..]).to_vec();
                    check(i, l, core::slice::from_ref(&at))?;
                    let s = lock(l)?.build(&at, init(i))?;
                    ins.push(at);
                    shapes.push(s);
                }
                let out = shapes.last().cloned().unwrap_or_default();
                (ins, shapes, out)
            }
        };
        self.layer_shapes = ins.into_iter().zip(shapes.iter().cloned()).collect();
        self.input_shape = Some(input.to_vec());
        self.output_shape = Some(out);
        self.check_masks()?;
        Ok(shapes)
    }

    /// Keras 3's masks through the layers: an embedding with `maskZero` or a `masking` layer
    /// makes one, the layers that support masking pass it on (batchNormalization takes its
    /// training statistics over the unmasked rows), `globalAveragePooling1d` uses it up, the
    /// merge layers of a graph model combine their inputs' masks ([`Masking::Merge`]); any
    /// other layer a mask reaches is an error naming both (Keras 3 warns and drops the mask at
    /// a layer without mask support, and trains on the padding). In a graph model the walk is
    /// over the wiring's nodes, each carrying the layer that made its mask; with several
    /// outputs, each output's loss and metrics see its own mask; a layer used more than once,
    /// each use's own; a nested model, its layers' rules ([`Sequential::mask_walk`] goes in).
    ///
    /// [`Masking::Merge`]: crate::layers::Masking::Merge
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    fn check_masks(&mut self) -> Result<()> {
        let makers = self.mask_walk(None)?;
        let outs = match &self.wiring {
            Some(w) => w.output_nodes(self.layers.len()),
            None => vec![self.layers.len()],
        };
        self.masked_outputs = outs.iter().map(|&o| makers[o].is_some()).collect();
        self.masked = makers.iter().any(Option::is_some);
        Ok(())
    }

    /// The walk of [`Sequential::check_masks`]: per node (a sequential model's: node i is layer
    /// i's input, i + 1 its output), the layer that made the mask it carries (its index and
    /// kind), with `input` the mask that reaches the model's input from an enclosing model
    /// (index `usize::MAX`, the kind of the layer that made it there).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    fn mask_walk(&self, input: Option<(usize, &'static str)>) -> Result<Vec<Option<(usize, &'static str)>>> {
        use crate::layers::Masking;
        let name = |i: usize, kind: &str| match self.names.get(i) {
            _ if i == usize::MAX => format!("the {kind} before the nested model"),
            Some(n) => format!("layer '{n}' ({kind})"),
            None => format!("layer {i} ({kind})"),
        };
        let n = self.layers.len();
        let total = self.wiring.as_ref().map_or(n + 1, |w| w.nodes(n));
        let mut makers: Vec<Option<(usize, &'static str)>> = vec![None; total];
        makers[0] = input;
        // What makes the mask, and how to do without it, for the messages.
        let made = |kind: &str| match kind {
            "embedding" => (" (maskZero)", "build the embedding with maskZero: false"),
            "sequential" => (" (an embedding with maskZero or a masking layer inside it)", "remove the mask inside it"),
            _ => ("", "remove the masking layer"),
        };
        for (i, l) in self.layers.iter().enumerate() {
            let node = peek(l)?;
            let layer = node.layer();
            let uses: Vec<(usize, Vec<usize>)> = match &self.wiring {
                Some(w) => w.uses_of(i, n).into_iter().map(|(o, ins)| (o, ins.to_vec())).collect(),
                None => vec![(i + 1, vec![i])],
            };
            let masking = layer.masking();
            // A layer used more than once: each use by its own inputs' masks (Keras 3's per call).
            for (o, ins) in uses {
                let first = ins.iter().find_map(|&j| makers[j]);
                makers[o] = match masking {
                    Masking::Make => Some((i, layer.kind())),
                    Masking::Pass | Masking::Use => first,
                    Masking::Consume => None,
                    // Keras 3: concatenate keeps a mask if any input has one, the element-wise
                    // merges only if every input has one.
                    Masking::Merge if layer.kind() == "concatenate" || ins.iter().all(|&j| makers[j].is_some()) => first,
                    Masking::Merge => None,
                    // A nested model: its own walk, from the mask that reaches it.
                    Masking::Model => {
                        let Some(inner) = layer.as_sequential() else { return Err(Error::Internal { msg: format!("mask_walk: layer {i} is not a model") }) };
                        let walk = inner.mask_walk(first.map(|(_, kind)| (usize::MAX, kind))).map_err(|e| match e {
                            Error::InvalidArgument { op, msg } => Error::InvalidArgument { op, msg: format!("{}, a nested model: {msg}", name(i, "sequential")) },
                            other => other,
                        })?;
                        let out = match &inner.wiring {
                            Some(w) => w.output_nodes(inner.layers.len())[0],
                            None => inner.layers.len(),
                        };
                        match walk[out] {
                            Some((usize::MAX, _)) => first,
                            Some(_) => Some((i, "sequential")),
                            None => None,
                        }
                    }
                    Masking::Refuse => {
                        if let Some((j, kind)) = first {
                            let (how, fix) = made(kind);
                            let merges = if self.wiring.is_some() { ", and the merge layers (dot drops it)" } else { "" };
                            return Err(Error::invalid("build", format!("{} cannot take the mask that {} makes{how} yet, and would treat the padding as data there (Keras 3 drops a mask with a warning at a layer without mask support); put a layer that uses it first (globalAveragePooling1d) or {fix}. Layers that pass a mask on: dense, activation, dropout and the noise layers, batchNormalization, layerNormalization, normalization, prelu, rescaling, thresholdedReLU, nested models{merges}", name(i, layer.kind()), name(j, kind))));
                        }
                        None
                    }
                };
            }
        }
        Ok(makers)
    }

    /// The mask of the last forward's output rows (every axis but the last), 1 where a row
    /// counts and 0 where it is masked, when a mask reaches the output (Keras 3's `_keras_mask`).
    /// With several outputs, when a mask reaches any: packed per sample, each output's rows
    /// one after the other (1s for an output without a mask; see [`Sequential::masked_outputs`]).
    pub fn output_mask(&self) -> Option<&[f32]> {
        self.out_mask.as_deref()
    }

    /// Per output of a graph model with several, whether a mask reaches it (empty otherwise).
    pub fn masked_outputs(&self) -> &[bool] {
        if self.masked_outputs.len() > 1 { &self.masked_outputs } else { &[] }
    }

    /// Per-sample output shape of layer `i` in this model (once built).
    pub fn layer_output_shape(&self, i: usize) -> Option<Vec<usize>> {
        self.layer_shapes.get(i).map(|s| s.1.clone())
    }

    /// Per-sample input shape of layer `i` in this model (once built).
    pub fn layer_input_shape(&self, i: usize) -> Option<Vec<usize>> {
        self.layer_shapes.get(i).map(|s| s.0.clone())
    }

    /// Freezes or unfreezes a layer by its depth-first index: the layers in order, each nested
    /// model followed by its own layers (without nesting, the plain layer index).
    pub fn set_trainable(&mut self, layer: usize, on: bool) -> Result<()> {
        match self.set_trainable_flat(layer, on)? {
            None => Ok(()),
            Some(_) => Err(Error::invalid("setTrainable", format!("layer index {layer} is out of range for {} layers (nested layers included)", self.flat_len()))),
        }
    }

    /// `Some(rest)`: the index was `rest` past this model's last (nested) layer.
    fn set_trainable_flat(&mut self, mut i: usize, on: bool) -> Result<Option<usize>> {
        for (l, t) in self.layers.iter().zip(self.trainable.iter_mut()) {
            if i == 0 {
                *t = on;
                return Ok(None);
            }
            i -= 1;
            let mut node = lock(l)?;
            if let Some(inner) = node.layer_mut().as_sequential_mut() {
                match inner.set_trainable_flat(i, on)? {
                    None => return Ok(None),
                    Some(rest) => i = rest,
                }
            }
        }
        Ok(Some(i))
    }

    /// The number of layers, nested ones included.
    pub fn flat_len(&self) -> usize {
        self.layers.iter().map(|l| 1 + l.try_borrow().ok().and_then(|n| n.layer().as_sequential().map(|m| m.flat_len())).unwrap_or(0)).sum()
    }

    pub fn layer_trainable(&self, layer: usize) -> bool {
        self.trainable.get(layer).copied().unwrap_or(false)
    }

    /// The leaf layers (nested models expanded), each with its top-level index and whether
    /// this model and every enclosing one leave it trainable.
    fn leaves(&self, top: Option<usize>, on: bool, out: &mut Vec<(usize, bool, LayerRef)>) -> Result<()> {
        for (i, (l, &t)) in self.layers.iter().zip(&self.trainable).enumerate() {
            let idx = top.unwrap_or(i);
            let node = peek(l)?;
            match node.layer().as_sequential() {
                Some(inner) => inner.leaves(Some(idx), on && t, out)?,
                None => out.push((idx, on && t, l.clone())),
            }
        }
        Ok(())
    }

    /// The leaf layers (nested models expanded) of the top-level layers `range`, in order.
    fn leaves_in(&self, range: Range<usize>) -> Result<Vec<LayerRef>> {
        let mut leaves = Vec::new();
        self.leaves(None, true, &mut leaves)?;
        Ok(leaves.into_iter().filter(|(top, ..)| range.contains(top)).map(|(_, _, l)| l).collect())
    }

    /// Runs `f` on every parameter (and non-trainable state), in a fixed order: the layers in
    /// order, nested models expanded. `updated` says whether training updates the parameter:
    /// it is trainable (not a moving statistic) and neither its layer nor an enclosing model
    /// is frozen in this model.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn with_params<R>(&self, f: impl FnOnce(&mut [ParamSlot<'_>]) -> R) -> Result<R> {
        let (mut f, mut r) = (Some(f), None);
        self.params_dyn(&mut |ps| r = f.take().map(|f| f(ps)))?;
        r.ok_or_else(|| Error::Internal { msg: "with_params: the callback did not run".into() })
    }

    /// The body of [`Sequential::with_params`], compiled once (not once per callback).
    #[inline(never)]
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn params_dyn(&self, f: &mut dyn FnMut(&mut [ParamSlot<'_>])) -> Result<()> {
        let mut leaves = Vec::new();
        self.leaves(None, true, &mut leaves)?;
        let mut guards = Vec::with_capacity(leaves.len());
        for (_, _, l) in &leaves {
            guards.push(lock(l)?);
        }
        let mut slots = Vec::new();
        for ((layer, on, _), g) in leaves.iter().zip(guards.iter_mut()) {
            for p in g.layer_mut().params_mut() {
                slots.push(ParamSlot { layer: *layer, updated: p.trainable && *on, param: p });
            }
        }
        f(&mut slots);
        Ok(())
    }

    /// Appends, for each of this model's leaf layers, the layer's identity and the bytes its
    /// parameters hold (values and gradients). A layer shared by several models, or a model
    /// nested in another, appears once per model: [`unique_param_bytes`] sums each layer once.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn param_bytes(&self, out: &mut Vec<(usize, usize)>) -> Result<()> {
        let mut leaves = Vec::new();
        self.leaves(None, true, &mut leaves)?;
        for (_, _, l) in leaves {
            let id = std::rc::Rc::as_ptr(&l) as *const () as usize;
            out.push((id, peek(&l)?.layer().params().iter().map(|p| p.value.byte_len() + 4 * p.grad.len()).sum::<usize>()));
        }
        Ok(())
    }

    /// For every parameter (in `with_params` order), whether training updates it.
    pub fn params_updated(&self) -> Result<Vec<bool>> {
        self.with_params(|ps| ps.iter().map(|s| s.updated).collect())
    }

    /// Runs `f` on the parameters of `node`, a model or a single layer: a model's as
    /// [`Sequential::with_params`]; a layer's own, each slot with layer index 0 and `updated`
    /// the parameter's own `trainable` (whether a model freezes the layer is that model's
    /// switch, not the layer's).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn with_node_params<R>(node: &LayerRef, f: impl FnOnce(&mut [ParamSlot<'_>]) -> R) -> Result<R> {
        let (mut f, mut r) = (Some(f), None);
        Self::node_params_dyn(node, &mut |ps| r = f.take().map(|f| f(ps)))?;
        r.ok_or_else(|| Error::Internal { msg: "with_params: the callback did not run".into() })
    }

    #[inline(never)]
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn node_params_dyn(node: &LayerRef, f: &mut dyn FnMut(&mut [ParamSlot<'_>])) -> Result<()> {
        let mut g = lock(node)?;
        if let Some(m) = g.layer().as_sequential() {
            return m.params_dyn(f);
        }
        let mut slots: Vec<ParamSlot<'_>> = g.layer_mut().params_mut().into_iter().map(|p| ParamSlot { layer: 0, updated: p.trainable, param: p }).collect();
        f(&mut slots);
        Ok(())
    }

    /// Every parameter's value (sharing the buffers copy-on-write) and its last gradient.
    pub fn param_values(&self) -> Result<Vec<(Tensor, Vec<f32>)>> {
        self.with_params(|ps| ps.iter().map(|s| (s.param.value.clone(), s.param.grad.clone())).collect())
    }

    /// Checks that `x` is `[batch, ...inputShape]`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn check_input(&self, op: &'static str, x: &Tensor) -> Result<()> {
        let Some(inp) = &self.input_shape else {
            return Err(Error::invalid(op, "the model is not built yet"));
        };
        check_batch(op, inp, x)?;
        self.check_data(op, "x", x)
    }

    /// Sets the names messages give the layers (`names[i]` layer `i`) and then the inputs; each
    /// layer also keeps its own, for the errors of its forward ([`Node::set_name`](super::shared::Node::set_name)).
    pub fn set_names(&mut self, names: Vec<String>) {
        for (l, n) in self.layers.iter().zip(&names) {
            if let Ok(mut node) = l.try_borrow_mut() {
                node.set_name(n);
            }
        }
        self.names = names;
    }

    /// `x` as the caller gave it, for messages: `shape [0,4]`, or with several inputs (packed in
    /// `x`) each input's name and shape, `user [0,1], item [0,1]`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn describe_inputs(&self, x: &Tensor) -> String {
        let sources = self.wiring.as_ref().map_or(&[][..], |w| w.sources());
        if sources.len() < 2 {
            return format!("shape {}", x.shape());
        }
        let batch = x.dims().first().copied().unwrap_or(0);
        let each = sources.iter().enumerate().map(|(j, s)| {
            let name = self.names.get(self.layers.len() + j).map_or_else(|| format!("input {j}"), |n| n.clone());
            format!("{name} {}", Shape::from([&[batch][..], s].concat()))
        });
        each.collect::<Vec<_>>().join(", ")
    }

    /// [`Layer::check_data`] of the layers that read the model's inputs, each on its input as
    /// the caller gave it (`arg` for one input, else the input's name), so positions are the
    /// caller's; an error names the layer and, with several inputs, the input.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn check_data(&self, op: &'static str, arg: &str, x: &Tensor) -> Result<()> {
        let checks = |i: usize| self.layers.get(i).is_some_and(|l| peek(l).is_ok_and(|n| n.layer().checks_data()));
        let (readers, xs) = match &self.wiring {
            Some(w) => {
                // Only the readers that check something: a packed x is split (copied) for them alone.
                let readers: Vec<(usize, usize)> = w.input_readers().into_iter().filter(|&(_, i)| checks(i)).collect();
                if readers.is_empty() {
                    return Ok(());
                }
                (readers, w.split_inputs(op, x)?)
            }
            None => (vec![(0, 0)], vec![x.clone()]),
        };
        let layer = |i: usize| self.names.get(i).map_or_else(|| format!("layer {i}"), |n| format!("layer '{n}'"));
        for (j, i) in readers {
            let (Some(l), Some(xj)) = (self.layers.get(i), xs.get(j)) else { continue };
            let (input, on) = match (xs.len() > 1, self.names.get(self.layers.len() + j)) {
                (false, _) => (arg.to_string(), String::new()),
                (true, Some(n)) => (n.clone(), format!(" on input '{n}'")),
                (true, None) => (format!("input {j}"), format!(" on input {j}")),
            };
            peek(l)?.layer().check_data(&input, xj).map_err(|e| match e {
                Error::InvalidArgument { op: inner, msg } => Error::InvalidArgument { op, msg: format!("{} ({inner}){on}: {msg}", layer(i)) },
                Error::ShapeMismatch { op: inner, msg } => Error::ShapeMismatch { op, msg: format!("{} ({inner}){on}: {msg}", layer(i)) },
                other => other,
            })?;
        }
        Ok(())
    }

    /// Runs every layer. In training mode the layers keep what backward needs.
    pub fn forward_all(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        self.forward_range(x, mode, 0..self.layers.len())
    }

    fn forward_range(&mut self, x: Tensor, mode: Mode, range: Range<usize>) -> Result<Tensor> {
        self.forward_range_masked(x, None, mode, range)
    }

    /// [`Sequential::forward_range`] of an input whose rows carry `in_mask` (nested: the mask
    /// the enclosing model gives this forward, [`Layer::forward_with_mask`]). Each layer gets
    /// the mask that reaches it as an argument of its forward, never as state left for later.
    fn forward_range_masked(&mut self, mut x: Tensor, in_mask: Option<Vec<f32>>, mode: Mode, range: Range<usize>) -> Result<Tensor> {
        self.out_mask = None;
        self.whole("predict", &range)?;
        let masked = self.masked || in_mask.is_some();
        if let Some(w) = &self.wiring {
            let (y, mask) = w.forward(&self.layers, x, mode, masked, in_mask)?;
            self.out_mask = mask;
            return Ok(y);
        }
        if masked {
            return self.forward_masked(x, mode, range, in_mask);
        }
        for l in &self.layers[range] {
            x = lock(l)?.forward(x, mode)?;
        }
        Ok(x)
    }

    /// The forward of a model whose layers make a mask: each layer's [`Masking`] rule carries
    /// it from the layer that makes it to the output ([`Sequential::output_mask`]) or to the
    /// layer that uses it.
    ///
    /// [`Masking`]: crate::layers::Masking
    // Once per layer and batch (the layers' work is in their own forward).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    fn forward_masked(&mut self, mut x: Tensor, mode: Mode, range: Range<usize>, in_mask: Option<Vec<f32>>) -> Result<Tensor> {
        use crate::layers::Masking;
        let mut mask: Option<Vec<f32>> = in_mask;
        for l in &self.layers[range] {
            let mut node = lock(l)?;
            match node.layer().masking() {
                Masking::Make => {
                    let m = node.layer().compute_mask(&x);
                    x = node.forward(x, mode)?;
                    mask = m;
                }
                Masking::Consume => x = node.forward_with_mask(x, mask.take(), mode)?,
                Masking::Use => x = node.forward_with_mask(x, mask.clone(), mode)?,
                // A nested model carries it through its own layers.
                Masking::Model => {
                    x = node.forward_with_mask(x, mask.take(), mode)?;
                    mask = node.layer().as_sequential().and_then(Sequential::output_mask).map(<[f32]>::to_vec);
                }
                // A merge layer has several inputs: not in a sequential model.
                Masking::Pass | Masking::Merge => x = node.forward(x, mode)?,
                // Checked at build: no mask reaches such a layer.
                Masking::Refuse => {
                    mask = None;
                    x = node.forward(x, mode)?;
                }
            }
        }
        self.out_mask = mask;
        Ok(x)
    }

    /// Backward through layers `0..end` (in reverse), starting from `dy` at the output of `end - 1`.
    pub fn backward_through(&mut self, end: usize, dy: Tensor) -> Result<Tensor> {
        self.backward_range(0..end, dy)
    }

    /// Backward through layers `range` (in reverse), starting from `dy` at the output of its last.
    fn backward_range(&mut self, range: Range<usize>, mut dy: Tensor) -> Result<Tensor> {
        self.whole("grad", &range)?;
        if let Some(w) = &self.wiring {
            return w.backward(&self.layers, dy, &[]);
        }
        for l in self.layers[range].iter().rev() {
            dy = lock(l)?.backward(dy)?;
        }
        Ok(dy)
    }

    /// `dL/dx` of the layers `range` at `x`, given `dL/dy` = `dy` at their output, and `dL/dw`
    /// for each weight of [`Sequential::trace_sources`]`(range)`, in that order: the gradient
    /// tape's rule for `predict` (`mode` [`Mode::Trace`]: inference) and for `apply` with
    /// training ([`Mode::Replay`] of the call's draws). The layers run again in `mode` over the
    /// whole batch, keeping what backward needs, then backward.
    ///
    /// `primed`: the [`Sequential::cache_passes`] right after the call's own forward, when it
    /// kept what backward needs for `mode`'s function ([`Sequential::trace_forward`] for
    /// [`Mode::Trace`]; [`Mode::Apply`] for a [`Mode::Replay`] of it). While every layer still
    /// holds that forward's cache (nothing ran them since), backward uses it and the layers
    /// do not run again.
    ///
    /// Without `need_dx` (only the weights are differentiated, as in a training loop) the
    /// first layer skips `dL/dx`, as in `fit`, and it is `None`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn trace_gradient(&mut self, x: &Tensor, dy: Tensor, range: Range<usize>, mode: Mode, primed: Option<&[u64]>, need_dx: bool) -> Result<(Option<Tensor>, Vec<Tensor>)> {
        let first = self.layers.get(range.start).ok_or_else(|| Error::invalid("grad", "the model has no layers"))?.clone();
        let cached = match primed {
            Some(p) => self.cache_passes(range.clone())? == p,
            None => false,
        };
        if !cached {
            let y = self.forward_range(x.clone(), mode, range.clone())?;
            if y.shape() != dy.shape() {
                return Err(Error::Internal { msg: format!("grad: predict's gradient has shape {} for an output of shape {}", dy.shape(), y.shape()) });
            }
        }
        self.whole("grad", &range)?;
        let graph = self.wiring.is_some();
        let set = |m: &mut Sequential, on: bool| if graph { m.set_input_grad_all(on) } else { lock(&first).map(|mut n| n.layer_mut().set_input_grad(on)) };
        set(self, need_dx)?;
        let dx = self.backward_range(range.clone(), dy);
        // On by default (a `fit` step turns it off for its own backward only).
        set(self, true)?;
        let dx = dx?;
        let dw = self.traced_params(range, &mut |p| Tensor::new("grad", p.value.shape().clone(), p.grad_copy("grad")?))?;
        Ok((need_dx.then_some(dx), dw.into_iter().map(|(_, g)| g).collect()))
    }

    /// Layers `range` at `x` in [`Mode::Trace`] — inference values, keeping what backward
    /// needs — as `predict` while a tape records: the output, and the
    /// [`Sequential::cache_passes`] that let [`Sequential::trace_gradient`] use this forward
    /// instead of running the layers again (a custom training loop's step then runs the
    /// layers once forward and once backward, as `fit`'s does). Checks `range` and `x` as
    /// [`Sequential::predict_range`].
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn trace_forward(&mut self, x: &Tensor, range: Range<usize>) -> Result<(Tensor, Vec<u64>)> {
        self.check_range(x, range.clone())?;
        let y = self.forward_range(x.clone(), Mode::Trace, range.clone())?;
        Ok((y, self.cache_passes(range)?))
    }

    /// The pass id ([`Node::pass`](super::shared::Node::pass)) of every leaf layer in `range`
    /// (nested models expanded): equal before and after something only if no leaf ran
    /// forward or backward in between.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn cache_passes(&self, range: Range<usize>) -> Result<Vec<u64>> {
        let leaves = self.leaves_in(range)?;
        let mut passes = Vec::with_capacity(leaves.len());
        for l in &leaves {
            passes.push(peek(l)?.pass());
        }
        Ok(passes)
    }

    /// The tape id ([`weight_id`](super::shared::weight_id)) of weight `i` of `node`: a layer's
    /// own weight `i`, or a model's `i`-th in [`Sequential::with_params`] order; `None` past
    /// the last.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn node_weight_id(node: &LayerRef, i: usize) -> Result<Option<u64>> {
        Ok(Self::node_weight_ids(node)?.get(i).copied())
    }

    /// [`Sequential::node_weight_id`] of every weight of `node`, in order (one walk of its
    /// leaves, for a caller that asks for all of them).
    pub fn node_weight_ids(node: &LayerRef) -> Result<Vec<u64>> {
        let n = peek(node)?;
        let leaves = match n.layer().as_sequential() {
            Some(m) => m.leaves_in(0..m.len())?,
            None => vec![node.clone()],
        };
        drop(n);
        let mut ids = Vec::new();
        for l in &leaves {
            let count = peek(l)?.layer().params().len();
            ids.extend((0..count).map(|i| super::shared::weight_id(l, i)));
        }
        Ok(ids)
    }

    /// The trainable weights (moving statistics left out) of the leaf layers in `range`, in
    /// `with_params` order, each with its [`weight_id`](super::shared::weight_id): what a
    /// traced call reads besides its input (the tape's sources for a model's weights).
    pub fn trace_sources(&self, range: Range<usize>) -> Result<Vec<(u64, Tensor)>> {
        self.traced_params(range, &mut |p| Ok(p.value.clone()))
    }

    /// Which of [`Sequential::trace_sources`]'s weights of layers `range` the columns `cols`
    /// (`[begin, end)` ranges) of the packed output of a graph model with several outputs
    /// depend on; `None` when they all do (one output, or every output read). A gradient of
    /// some outputs only leaves the other weights without one (not zeros), as TF.js and Keras
    /// do for the variables a loss does not reach.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn sources_reached(&self, range: Range<usize>, cols: &[(usize, usize)]) -> Result<Option<Vec<bool>>> {
        let Some(w) = self.wiring.as_ref().filter(|w| w.output_shapes().len() > 1) else { return Ok(None) };
        let mut at = 0;
        let heads: Vec<bool> = w
            .output_shapes()
            .iter()
            .map(|s| {
                let end = at + s.iter().product::<usize>();
                let used = cols.iter().any(|&(a, b)| a < end && b > at);
                at = end;
                used
            })
            .collect();
        if heads.iter().all(|&u| u) {
            return Ok(None);
        }
        let reached = w.layers_reached(&heads, self.layers.len());
        let mut leaves = Vec::new();
        self.leaves(None, true, &mut leaves)?;
        // The leaves reached, by their weights' tape ids without the weight index (a leaf
        // counts as reached if any of its places is: a layer shared with a nested model).
        let on: Vec<u64> = leaves.iter().filter(|(top, ..)| reached[*top]).map(|(.., l)| super::shared::weight_id(l, 0) >> 6).collect();
        let out: Vec<bool> = self.trace_sources(range)?.iter().map(|(id, _)| on.contains(&(id >> 6))).collect();
        Ok((!out.iter().all(|&h| h)).then_some(out))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn traced_params(&self, range: Range<usize>, f: &mut dyn FnMut(&Param) -> Result<Tensor>) -> Result<Vec<(u64, Tensor)>> {
        let mut out = Vec::new();
        for l in &self.leaves_in(range)? {
            let node = peek(l)?;
            for (i, p) in node.layer().params().into_iter().enumerate() {
                if p.trainable {
                    out.push((super::shared::weight_id(l, i), f(p)?));
                }
            }
        }
        Ok(out)
    }

    /// The values `mode` reads, sharing the buffers (copy-on-write): a snapshot that tells
    /// whether they changed since (see [`Tensor::same_values`]). Every parameter for inference;
    /// for training behaviour (a replay) the trainable ones only, since it normalizes with the
    /// batch's statistics (so two training calls in one loss, each updating the moving
    /// statistics, are fine).
    pub fn weight_snapshot(&self, mode: Mode) -> Result<Vec<Tensor>> {
        let all = !mode.training();
        self.with_params(|ps| ps.iter().filter(|s| all || s.param.trainable).map(|s| s.param.value.clone()).collect())
    }

    /// Whether backward must produce `dL/dx` for the model's input (see [`Layer::set_input_grad`]).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    pub fn set_input_grad_all(&mut self, on: bool) -> Result<()> {
        if let Some(w) = &mut self.wiring {
            return w.set_input_grad(&self.layers, on);
        }
        if let Some(first) = self.layers.first() {
            lock(first)?.layer_mut().set_input_grad(on);
        }
        Ok(())
    }

    /// For each output of a graph model with several, the activation its layer ends in when
    /// backward may start at that activation's input (see [`Wiring::output_activations`]).
    pub fn output_activations(&self) -> Vec<Option<crate::activations::Activation>> {
        self.wiring.as_ref().map_or_else(|| vec![self.last_activation()], |w| w.output_activations(&self.layers))
    }

    /// Backward from `dy` at the model's (packed) outputs, output `q`'s part at the input of
    /// its layer's final activation when `pre[q]` (see [`Wiring::backward`]).
    pub fn backward_outputs(&mut self, dy: Tensor, pre: &[bool]) -> Result<Tensor> {
        match &self.wiring {
            Some(w) => w.backward(&self.layers, dy, pre),
            None if pre.first() == Some(&true) => self.backward_from_pre_activation(dy),
            None => self.backward_through(self.layers.len(), dy),
        }
    }

    /// The activation the last layer ends in (see [`Layer::output_activation`]).
    pub fn last_activation(&self) -> Option<crate::activations::Activation> {
        self.layers.last()?.try_borrow().ok()?.layer().output_activation()
    }

    /// Backward from `dL/dz` at the input of the last layer's final activation.
    pub fn backward_from_pre_activation(&mut self, dz: Tensor) -> Result<Tensor> {
        let n = self.layers.len();
        if let Some(w) = &self.wiring {
            return w.backward(&self.layers, dz, &[true]);
        }
        let last = self.layers.last().ok_or_else(|| Error::invalid("fit", "the model has no layers"))?;
        let dx = lock(last)?.backward_pre_activation(dz)?;
        self.backward_through(n - 1, dx)
    }

    /// Inference in batches of `batch_size` rows; the output has the same batch size as `x`.
    #[inline(never)]
    pub fn predict(&mut self, x: &Tensor, batch_size: usize) -> Result<Tensor> {
        Ok(self.predict_with_activity(x, batch_size)?.0)
    }

    /// Inference through layers `start..end` only (e.g. the encoder half of an autoencoder):
    /// `x` must fit layer `start`'s input.
    #[inline(never)]
    pub fn predict_range(&mut self, x: &Tensor, start: usize, end: usize, batch_size: usize) -> Result<Tensor> {
        let out = self.check_range(x, start..end)?;
        Ok(self.predict_impl(x, start..end, &out, batch_size)?.0)
    }

    /// Checks that `range` is a non-empty range of built layers and that `x` fits the first;
    /// returns the per-sample output shape of the last.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn check_range(&self, x: &Tensor, range: Range<usize>) -> Result<Vec<usize>> {
        self.whole("predict", &range)?;
        let (start, end, n) = (range.start, range.end, self.layers.len());
        if start >= end || end > n {
            return Err(Error::invalid("predict", format!("layer range {start}..{end} is empty or outside the model's {n} layers")));
        }
        let whole = start == 0 && end == n;
        let (inp, out) = if whole { (self.input_shape.clone(), self.output_shape.clone()) } else { (self.layer_input_shape(start), self.layer_output_shape(end - 1)) };
        let (Some(inp), Some(out)) = (inp, out) else {
            return Err(Error::invalid("predict", "the model is not built yet"));
        };
        match self.free.get(start) {
            Some(sym) if self.wiring.is_none() && x.dims().get(1..) != Some(&inp[..]) => self.range_at(x, range, sym),
            _ => check_batch("predict", &inp, x).map(|_| out),
        }
    }

    /// [`Sequential::predict`], plus the activity-regularizer penalty and the variational KL
    /// term, each weighted by batch size: `Σ_batches term(batch)·b / n`, what `evaluate` adds
    /// to the loss.
    #[inline(never)]
    pub fn predict_with_activity(&mut self, x: &Tensor, batch_size: usize) -> Result<(Tensor, f32, f32)> {
        self.check_input("predict", x)?;
        let out = self.output_shape.clone().unwrap_or_default();
        self.predict_impl(x, 0..self.layers.len(), &out, batch_size)
    }

    fn predict_impl(&mut self, x: &Tensor, range: Range<usize>, out_shape: &[usize], batch_size: usize) -> Result<(Tensor, f32, f32)> {
        let n = x.dims()[0];
        let out_per: usize = out_shape.iter().product();
        let mut dims = vec![n];
        dims.extend(out_shape);
        let shape = Shape::new("predict", &dims)?;
        let per: usize = x.dims()[1..].iter().product();
        let bs = batch_size.max(1);
        if n <= bs && n > 0 {
            // One batch: no copy of the input (tensors share their buffer copy-on-write).
            let y = self.forward_range(x.clone(), Mode::Infer, range.clone())?;
            return Ok((y.with_shape(shape), self.activity_loss_range(range.clone()), self.kl_loss_range(range)));
        }
        let mut out = Tensor::zeros("predict", shape)?;
        let mut start = 0;
        let (mut activity, mut kl) = (0.0f32, 0.0f32);
        // The output's mask over all of x, batch after batch.
        let mut masks: Option<Vec<f32>> = None;
        while start < n {
            let b = bs.min(n - start);
            let mut bd = x.dims().to_vec();
            bd[0] = b;
            let chunk = Tensor::new("predict", Shape::new("predict", &bd)?, crate::tensor::copy_of("predict", &x.data()[start * per..(start + b) * per])?)?;
            let y = self.forward_range(chunk, Mode::Infer, range.clone())?;
            out.data_mut()[start * out_per..(start + b) * out_per].copy_from_slice(y.data());
            if let Some(m) = self.out_mask.take() {
                masks.get_or_insert_with(Vec::new).extend(m);
            }
            activity += self.activity_loss_range(range.clone()) * b as f32;
            kl += self.kl_loss_range(range.clone()) * b as f32;
            start += b;
        }
        self.out_mask = masks;
        let per_sample = |v: f32| if n == 0 { 0.0 } else { v / n as f32 };
        Ok((out, per_sample(activity), per_sample(kl)))
    }

    /// The number of parameters of layer `i` (nested models: all of theirs).
    pub fn layer_param_count(&self, i: usize) -> Result<usize> {
        // Layer `i`'s own parameters (nested models expanded), not a walk of the whole model:
        // `summary` and every build ask it for each layer.
        let Some(l) = self.layers.get(i) else { return Ok(0) };
        Self::with_node_params(l, |ps| ps.iter().map(|s| s.param.value.size()).sum())
    }

    /// Sum of the activity-regularizer losses of the last forward.
    pub fn activity_loss_all(&self) -> f32 {
        self.activity_loss_range(0..self.layers.len())
    }

    fn activity_loss_range(&self, range: Range<usize>) -> f32 {
        self.layers[range].iter().filter_map(|l| l.try_borrow().ok().map(|n| n.layer().activity_loss())).sum()
    }

    /// Sum of the variational layers' KL terms of the last forward.
    pub fn kl_loss_all(&self) -> f32 {
        self.kl_loss_range(0..self.layers.len())
    }

    fn kl_loss_range(&self, range: Range<usize>) -> f32 {
        self.layers[range].iter().filter_map(|l| l.try_borrow().ok().and_then(|n| n.layer().kl_loss())).sum()
    }

    /// Whether some layer (nested models included) adds a KL term.
    fn has_kl(&self) -> bool {
        self.layers.iter().any(|l| l.try_borrow().is_ok_and(|n| n.layer().kl_loss().is_some()))
    }

    /// `(has a KL term, has a weight or activity penalty)`: which loss parts `fit` reports.
    pub fn loss_terms(&self) -> Result<(bool, bool)> {
        let weights = self.with_params(|ps| ps.iter().any(|s| s.param.regularizer.is_some()))?;
        Ok((self.has_kl(), weights || Layer::has_activity_regularizer(self)))
    }

    /// Layer kinds, for summaries and errors.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.layers.iter().map(|l| l.try_borrow().map_or("layer", |n| n.layer().kind())).collect()
    }
}

/// Checks that `x` is `[batch, ...inp]`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn check_batch(op: &'static str, inp: &[usize], x: &Tensor) -> Result<()> {
    if x.rank() != inp.len() + 1 || &x.dims()[1..] != inp {
        let dims = |lead: String| core::iter::once(lead).chain(inp.iter().map(|d| d.to_string())).collect::<Vec<_>>().join(",");
        // The usual slips: one sample without its batch axis; samples of a one-feature or
        // one-channel input without that last axis of 1 (tensor1d([1, 2, 3]) for inputShape
        // [1]; windows [32, 256] for [256, 1]); one such sample without either axis.
        let what = if inp.len() == 1 { "feature" } else { "channel" };
        let without_last = inp.split_last().filter(|(&c, _)| c == 1).map(|(_, rest)| rest);
        let hint = if x.dims() == inp {
            format!("; for one sample, add the batch axis: x.reshape([{}]) or x.expandDims(0)", dims("1".into()))
        } else if let Some(rest) = without_last.filter(|rest| x.rank() == inp.len() && &x.dims()[1..] == *rest) {
            let n = x.dims()[0];
            let more = if rest.is_empty() { String::new() } else { " or x.expandDims(-1)".into() };
            let samples = if n == 1 { "1 sample".to_string() } else { format!("{n} samples") };
            format!("; for {samples} of one {what}, x.reshape([{}]){more}", dims(n.to_string()))
        } else if without_last.is_some_and(|rest| !rest.is_empty() && x.dims() == rest) {
            format!("; for one sample of one {what}, add the batch and {what} axes: x.reshape([{}])", dims("1".into()))
        } else if inp.len() == 3 && x.rank() == 4 && x.dims()[1..] == [inp[2], inp[0], inp[1]] && inp[2] != inp[0] {
            // Images channels first (PyTorch's NCHW) where the model reads [h, w, c] (NHWC).
            "; x looks channels-first ([batch, channels, height, width], PyTorch's layout): neurite reads images as [batch, height, width, channels]: x.transpose([0, 2, 3, 1])".to_string()
        } else if x.rank() >= 2 && inp.len() >= 2 && x.rank() != inp.len() + 1 && x.dims()[1..].iter().product::<usize>() == inp.iter().product::<usize>() {
            // The values of each sample in another rank (MNIST's flat rows of 784 for [28, 28, 1]);
            // at the same rank the axes may be swapped, which reshape would not undo.
            let n = x.dims()[0];
            format!("; each sample has the {} values of one in another layout: x.reshape([{}])", inp.iter().product::<usize>(), dims(n.to_string()))
        } else {
            String::new()
        };
        bail_shape!(op, "expected input of shape [{}] (the first dimension is the batch), got {}{hint}", dims("batch".into()), x.shape());
    }
    Ok(())
}

/// A nested model is a layer.
impl Layer for Sequential {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "sequential"
    }

    /// Nested, its layers carry a mask by their own rules ([`Masking::Model`]).
    ///
    /// [`Masking::Model`]: crate::layers::Masking::Model
    fn masking(&self) -> crate::layers::Masking {
        crate::layers::Masking::Model
    }


    fn check_data(&self, arg: &str, x: &Tensor) -> Result<()> {
        Sequential::check_data(self, "sequential", arg, x)
    }

    fn checks_data(&self) -> bool {
        self.layers.iter().any(|l| peek(l).is_ok_and(|n| n.layer().checks_data()))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], init: Init) -> Result<Vec<usize>> {
        self.seed ^= init.seed;
        Ok(self.build_layers(input, init.fill)?.pop().unwrap_or_else(|| input.to_vec()))
    }

    /// A nested model with unknown (null) axes takes any size there (see [`super::varlen`]).
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        let sym = self.free.first()?.clone();
        Some(self.resize_free(input, &sym))
    }

    fn set_input_grad(&mut self, on: bool) {
        let _ = self.set_input_grad_all(on);
    }

    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        self.forward_all(x, mode)
    }

    fn forward_with_mask(&mut self, x: Tensor, mask: Option<Vec<f32>>, mode: Mode) -> Result<Tensor> {
        self.forward_range_masked(x, mask, mode, 0..self.layers.len())
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        self.backward_through(self.layers.len(), dy)
    }

    // `params`/`params_mut` stay empty: parameters of a model are reached through its leaves
    // (`with_params`), which borrows each shared layer.

    fn activity_loss(&self) -> f32 {
        self.activity_loss_all()
    }

    fn kl_loss(&self) -> Option<f32> {
        self.has_kl().then(|| self.kl_loss_all())
    }

    fn has_activity_regularizer(&self) -> bool {
        self.layers.iter().any(|l| l.try_borrow().is_ok_and(|n| n.layer().has_activity_regularizer()))
    }

    fn output_activation(&self) -> Option<crate::activations::Activation> {
        self.last_activation()
    }

    fn backward_pre_activation(&mut self, dz: Tensor) -> Result<Tensor> {
        self.backward_from_pre_activation(dz)
    }

    fn as_sequential(&self) -> Option<&Sequential> {
        Some(self)
    }

    fn as_sequential_mut(&mut self) -> Option<&mut Sequential> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zeros(dims: &[usize]) -> Tensor {
        Tensor::new("t", Shape::from(dims), vec![0.0; dims.iter().product()]).unwrap()
    }

    /// The bit patterns of `t`'s values (for bit-for-bit comparisons).
    fn bits(t: &Tensor) -> Vec<u32> {
        t.data().iter().map(|v| v.to_bits()).collect()
    }

    /// Checks `g` = d`f`/dx at `xs` against central differences (step 1e-2) to `tol` (relative
    /// to 1 + |difference|), and that it is not all zeros; `what` names the gradient.
    fn assert_matches_differences(m: &mut Sequential, f: impl Fn(&mut Sequential, &[f32]) -> f64, xs: &[f32], g: &Tensor, tol: f64, what: &str) {
        for i in 0..xs.len() {
            let (mut a, mut b) = (xs.to_vec(), xs.to_vec());
            a[i] += 1e-2;
            b[i] -= 1e-2;
            let fd = (f(m, &a) - f(m, &b)) / (a[i] - b[i]) as f64;
            assert!((g.data()[i] as f64 - fd).abs() < tol * (1.0 + fd.abs()), "x[{i}]: {what} {} vs differences {fd}", g.data()[i]);
        }
        assert!(g.data().iter().any(|&v| v != 0.0));
    }

    /// A model of seed `seed` with layers `(ABI kind, ABI parameters)`, built for `input`.
    fn built(seed: u64, layers: &[(u32, &[f32])], input: &[usize]) -> Sequential {
        let mut m = Sequential::new(seed);
        for (i, &(kind, p)) in layers.iter().enumerate() {
            m.add(crate::layers::from_abi(kind, p, i as u32).unwrap()).unwrap();
        }
        m.build_all(input).unwrap();
        m
    }

    /// The tape's rule for `predict`: dx of the inference function (dropout off, moving
    /// statistics, a variational layer's mean), against central differences of `predict`.
    #[test]
    fn trace_gradient_is_the_gradient_of_inference() {
        // With an activity penalty (l1 0.5, l2 2) and klSparsity (0.1, weight 3): terms of the
        // training loss, not of the output, so not in the gradient of inference.
        let dense_sigmoid = [4.0, 1.0, 8.0, 0.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0.5, 2.0, 0.1, 3.0];
        let mut m = built(3, &[(0, &dense_sigmoid), (3, &[0.5]), (5, &[0.9, 1e-3, 1.0, 1.0]), (11, &[2.0, 1.0])], &[3]);
        m.with_params(|ps| {
            for s in ps.iter_mut() {
                let fill = match s.param.name {
                    "moving_mean" => 0.3,
                    "moving_variance" => 2.5,
                    "gamma" => 1.7,
                    _ => continue,
                };
                s.param.value = Tensor::full("t", s.param.value.shape().clone(), fill).unwrap();
            }
        })
        .unwrap();
        let xs = [0.2f32, -1.0, 0.7, 1.5, 0.1, -0.4];
        let w = [0.7f64, -1.3];
        let f = |m: &mut Sequential, xs: &[f32]| -> f64 {
            let y = m.predict(&Tensor::new("t", Shape::from([2, 3]), xs.to_vec()).unwrap(), 32).unwrap();
            y.data().chunks(2).map(|r| r[0] as f64 * w[0] + r[1] as f64 * w[1]).sum()
        };
        let dy = Tensor::new("t", Shape::from([2, 2]), vec![0.7, -1.3, 0.7, -1.3]).unwrap();
        let x = Tensor::new("t", Shape::from([2, 3]), xs.to_vec()).unwrap();
        let (g, dw) = m.trace_gradient(&x, dy, 0..4, Mode::Trace, None, true).map(|(g, w)| (g.unwrap(), w)).unwrap();
        assert_eq!(g.dims(), &[2, 3]);
        assert_matches_differences(&mut m, f, &xs, &g, 2e-3, "traced");
        // The weights' gradients, one per trainable parameter in order (moving statistics left
        // out), against differences of predict with one weight value moved.
        let sources = m.trace_sources(0..4).unwrap();
        let names: Vec<&str> = m.with_params(|ps| ps.iter().filter(|s| s.param.trainable).map(|s| s.param.name).collect()).unwrap();
        assert_eq!(names.len(), dw.len());
        assert_eq!(sources.len(), dw.len());
        assert!(names.contains(&"gamma") && !names.contains(&"moving_mean"), "{names:?}");
        let nudge = |m: &mut Sequential, k: usize, j: usize, by: f32| {
            m.with_params(|ps| {
                let p = ps.iter_mut().filter(|s| s.param.trainable).nth(k).unwrap();
                p.param.value.data_mut()[j] += by;
            })
            .unwrap()
        };
        for (k, d) in dw.iter().enumerate() {
            assert_eq!(d.shape(), sources[k].1.shape());
            for j in 0..d.size() {
                nudge(&mut m, k, j, 1e-2);
                let up = f(&mut m, &xs);
                nudge(&mut m, k, j, -2e-2);
                let down = f(&mut m, &xs);
                nudge(&mut m, k, j, 1e-2);
                let fd = (up - down) / 2e-2;
                assert!((d.data()[j] as f64 - fd).abs() < 3e-3 * (1.0 + fd.abs()), "{}[{j}]: traced {} vs differences {fd}", names[k], d.data()[j]);
            }
        }
    }

    /// A traced forward's caches serve the gradient while they are the layers' own: the same
    /// bits as running the layers again, and after anything ran a layer in between (another
    /// call, a nested model run on its own, a backward) the gradient runs them again and is
    /// still the one at the traced call's input.
    #[test]
    fn a_traced_forward_serves_its_gradient_only_while_its_caches_are_the_layers_own() {
        let dense = [5.0, 1.0, 7.0, 0.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0.0, 0.0];
        let inner = {
            let mut e = Sequential::new(9);
            e.add(crate::layers::from_abi(0, &[4.0, 1.0, 8.0, 0.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0.0, 0.0], 0).unwrap()).unwrap();
            e.add(crate::layers::from_abi(5, &[0.9, 1e-3, 1.0, 1.0], 1).unwrap()).unwrap();
            crate::model::shared::shared(e)
        };
        let mut m = Sequential::new(4);
        m.add(crate::layers::from_abi(0, &dense, 0).unwrap()).unwrap();
        m.add(inner.clone()).unwrap();
        m.build_all(&[3]).unwrap();
        let x = Tensor::new("t", Shape::from([3, 3]), vec![0.2, -1.0, 0.7, 1.5, 0.1, -0.4, 0.9, 0.3, -0.8]).unwrap();
        let other = Tensor::new("t", Shape::from([2, 3]), vec![1.0, 2.0, -3.0, 0.5, 0.5, 0.5]).unwrap();
        let dy = Tensor::new("t", Shape::from([3, 4]), (0..12).map(|i| i as f32 * 0.25 - 1.0).collect()).unwrap();
        let (want_dx, want_dw) = m.trace_gradient(&x, dy.clone(), 0..2, Mode::Trace, None, true).unwrap();
        let want_dx = want_dx.unwrap();
        let same = |(dx, dw): (Option<Tensor>, Vec<Tensor>)| {
            assert_eq!(bits(&dx.unwrap()), bits(&want_dx));
            assert_eq!(dw.iter().map(bits).collect::<Vec<_>>(), want_dw.iter().map(bits).collect::<Vec<_>>());
        };
        // Its output is predict's, bit for bit (predict runs in batches of 2 here).
        let (y, _) = m.trace_forward(&x, 0..2).unwrap();
        assert_eq!(bits(&y), bits(&m.predict(&x, 2).unwrap()));
        let (_, passes) = m.trace_forward(&x, 0..2).unwrap();
        assert!(passes.len() == 3 && passes.iter().all(|&p| p != 0), "{passes:?}");
        assert_eq!(m.cache_passes(0..2).unwrap(), passes);
        same(m.trace_gradient(&x, dy.clone(), 0..2, Mode::Trace, Some(&passes), true).unwrap());
        // A backward leaves no one's cache behind.
        assert!(m.cache_passes(0..2).unwrap().iter().all(|&p| p == 0));
        // Each way of running a layer in between: the caches are not used, the gradient is
        // still the one at x.
        let between: [&dyn Fn(&mut Sequential); 3] = [
            &|m| drop(m.trace_forward(&other, 0..2).unwrap()),
            &|m| drop(m.predict(&other, 32).unwrap()),
            &|_| drop(crate::model::shared::lock(&inner).unwrap().layer_mut().as_sequential_mut().unwrap().predict(&Tensor::zeros("t", Shape::from([1, 5])).unwrap(), 32).unwrap()),
        ];
        for (i, run) in between.iter().enumerate() {
            let (_, passes) = m.trace_forward(&x, 0..2).unwrap();
            run(&mut m);
            assert_ne!(m.cache_passes(0..2).unwrap(), passes, "case {i}");
            same(m.trace_gradient(&x, dy.clone(), 0..2, Mode::Trace, Some(&passes), true).unwrap());
        }
        // The same caches twice: the second gradient runs the layers again.
        let (_, passes) = m.trace_forward(&x, 0..2).unwrap();
        same(m.trace_gradient(&x, dy.clone(), 0..2, Mode::Trace, Some(&passes), true).unwrap());
        same(m.trace_gradient(&x, dy.clone(), 0..2, Mode::Trace, Some(&passes), true).unwrap());
        // Only the weights (a training loop): dx is skipped, the weights' gradients are the
        // same bits, and the first layer computes dx again for the next caller.
        let (_, passes) = m.trace_forward(&x, 0..2).unwrap();
        let (dx, dw) = m.trace_gradient(&x, dy.clone(), 0..2, Mode::Trace, Some(&passes), false).unwrap();
        assert!(dx.is_none());
        assert_eq!(dw.iter().map(bits).collect::<Vec<_>>(), want_dw.iter().map(bits).collect::<Vec<_>>());
        same(m.trace_gradient(&x, dy, 0..2, Mode::Trace, None, true).unwrap());
    }

    /// The tape's rule for `apply` with training: the call (`Mode::Apply`) computes and updates
    /// what `fit`'s forward (`Mode::Train`) does; `Mode::Replay` draws what it drew, updates no
    /// state, and its gradient (batch statistics, dropout masks, a variational layer's
    /// samples; no KL) matches differences of the replayed function, and is the gradient on
    /// the call's own caches bit for bit.
    #[test]
    fn replay_repeats_a_training_call_and_its_gradient_is_exact() {
        let dense = [5.0, 1.0, 0.0, 0.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0.0, 0.0];
        let layers: [(u32, &[f32]); 4] = [(0, &dense), (3, &[0.4]), (5, &[0.9, 1e-3, 1.0, 1.0]), (11, &[2.0, 1.0])];
        let mut m = built(4, &layers, &[3]);
        let xs = [0.2f32, -1.0, 0.7, 1.5, 0.1, -0.4, 0.9, 0.3, -0.8];
        let x = Tensor::new("t", Shape::from([3, 3]), xs.to_vec()).unwrap();
        let stats = |m: &Sequential| m.with_params(|ps| ps.iter().filter(|s| !s.param.trainable).flat_map(|s| s.param.value.data().to_vec()).collect::<Vec<f32>>()).unwrap();
        let (seed, step) = (11, 5);
        let before_call = stats(&m);
        let y = m.forward_all(x.clone(), Mode::Apply { seed, step }).unwrap();
        let primed = m.cache_passes(0..4).unwrap();
        let after_call = stats(&m);
        assert_ne!(after_call, before_call, "the call updates the moving statistics");
        let mut fitted = built(4, &layers, &[3]);
        assert_eq!(fitted.forward_all(x.clone(), Mode::Train { seed, step }).unwrap().data(), y.data(), "apply computes fit's forward");
        assert_eq!(stats(&fitted), after_call);
        let replay = Mode::Replay { seed, step };
        let dy = Tensor::new("t", Shape::from([3, 2]), [0.7, -1.3].repeat(3)).unwrap();
        let on_call = m.trace_gradient(&x, dy.clone(), 0..4, replay, Some(&primed), true).unwrap();
        let again = m.forward_all(x.clone(), replay).unwrap();
        assert_eq!(again.data(), y.data(), "a replay draws what the call drew");
        assert_eq!(stats(&m), after_call, "a replay updates no moving statistic");
        let w = [0.7f64, -1.3];
        let f = |m: &mut Sequential, xs: &[f32]| -> f64 {
            let y = m.forward_all(Tensor::new("t", Shape::from([3, 3]), xs.to_vec()).unwrap(), replay).unwrap();
            y.data().chunks(2).map(|r| r[0] as f64 * w[0] + r[1] as f64 * w[1]).sum()
        };
        let (g, dw) = m.trace_gradient(&x, dy, 0..4, replay, None, true).map(|(g, w)| (g.unwrap(), w)).unwrap();
        assert_eq!(bits(&on_call.0.unwrap()), bits(&g), "the gradient on the call's caches is the replay's");
        assert_eq!(on_call.1.iter().map(bits).collect::<Vec<_>>(), dw.iter().map(bits).collect::<Vec<_>>());
        assert_matches_differences(&mut m, f, &xs, &g, 3e-3, "replayed");
        assert_eq!(stats(&m), after_call);
    }

    #[test]
    fn batch_errors_suggest_the_usual_fixes() {
        let msg = |inp: &[usize], x: &[usize]| check_batch("predict", inp, &zeros(x)).unwrap_err().to_string();
        assert_eq!(msg(&[4], &[4]), "predict: expected input of shape [batch,4] (the first dimension is the batch), got [4]; for one sample, add the batch axis: x.reshape([1,4]) or x.expandDims(0)");
        assert_eq!(msg(&[2, 3], &[2, 3]), "predict: expected input of shape [batch,2,3] (the first dimension is the batch), got [2,3]; for one sample, add the batch axis: x.reshape([1,2,3]) or x.expandDims(0)");
        assert_eq!(msg(&[1], &[5]), "predict: expected input of shape [batch,1] (the first dimension is the batch), got [5]; for 5 samples of one feature, x.reshape([5,1])");
        assert_eq!(msg(&[28, 28, 1], &[2, 1, 28, 28]), "predict: expected input of shape [batch,28,28,1] (the first dimension is the batch), got [2,1,28,28]; x looks channels-first ([batch, channels, height, width], PyTorch's layout): neurite reads images as [batch, height, width, channels]: x.transpose([0, 2, 3, 1])");
        assert_eq!(msg(&[32, 32, 3], &[4, 3, 32, 32]), "predict: expected input of shape [batch,32,32,3] (the first dimension is the batch), got [4,3,32,32]; x looks channels-first ([batch, channels, height, width], PyTorch's layout): neurite reads images as [batch, height, width, channels]: x.transpose([0, 2, 3, 1])");
        assert_eq!(msg(&[4], &[5, 3]), "predict: expected input of shape [batch,4] (the first dimension is the batch), got [5,3]");
        assert_eq!(msg(&[28, 28, 1], &[2, 784]), "predict: expected input of shape [batch,28,28,1] (the first dimension is the batch), got [2,784]; each sample has the 784 values of one in another layout: x.reshape([2,28,28,1])");
        // A signal engineer's windows without their channel axis.
        assert_eq!(msg(&[256, 1], &[32, 256]), "predict: expected input of shape [batch,256,1] (the first dimension is the batch), got [32,256]; for 32 samples of one channel, x.reshape([32,256,1]) or x.expandDims(-1)");
        assert_eq!(msg(&[256, 1], &[256]), "predict: expected input of shape [batch,256,1] (the first dimension is the batch), got [256]; for one sample of one channel, add the batch and channel axes: x.reshape([1,256,1])");
        assert_eq!(msg(&[16, 1], &[1, 16]), "predict: expected input of shape [batch,16,1] (the first dimension is the batch), got [1,16]; for 1 sample of one channel, x.reshape([1,16,1]) or x.expandDims(-1)");
        assert_eq!(msg(&[1], &[1]), "predict: expected input of shape [batch,1] (the first dimension is the batch), got [1]; for one sample, add the batch axis: x.reshape([1,1]) or x.expandDims(0)");
        assert_eq!(msg(&[8, 8, 1], &[2, 8, 8]), "predict: expected input of shape [batch,8,8,1] (the first dimension is the batch), got [2,8,8]; for 2 samples of one channel, x.reshape([2,8,8,1]) or x.expandDims(-1)");
        assert_eq!(msg(&[256, 2], &[32, 256]), "predict: expected input of shape [batch,256,2] (the first dimension is the batch), got [32,256]");
        assert!(check_batch("predict", &[4], &zeros(&[5, 4])).is_ok());
    }
}

/// The bytes of the layers [`Sequential::param_bytes`] listed, each layer counted once
/// (sorted by identity, so `memory()` over many models is O(n log n): a linear search per
/// layer made it quadratic, 0.8 s for 20,000 small models).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn unique_param_bytes(layers: &mut [(usize, usize)]) -> usize {
    crate::sort::heapsort_by(layers, |a, b| a.0 < b.0);
    let mut n = 0;
    for (i, &(id, bytes)) in layers.iter().enumerate() {
        if i == 0 || layers[i - 1].0 != id {
            n += bytes;
        }
    }
    n
}

/// The parameters (weights and moving statistics) that dropping one reference to a model's
/// node frees, for `dispose()`'s `numDisposedVariables`: `children` are the model's layers and
/// `holders` the strong references to its node before the drop. A node is freed when every
/// reference to it comes from nodes being freed: the model's own node when the dropped
/// reference was its last, then, level by level, the layers (and nested models) that no live
/// model or handle holds besides. A layer shared with another live model, or a nested model
/// with a handle of its own, keeps its weights (and its layers theirs). Only models are looked
/// into (`as_sequential`): a layer holding other layers keeps them alive.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn params_freed(children: &[LayerRef], holders: usize) -> Result<usize> {
    if holders != 1 {
        return Ok(0);
    }
    /// One node reached from the model: its identity, strong references, children (by index
    /// in the list) and own parameters.
    struct Reached {
        id: usize,
        strong: usize,
        children: Vec<usize>,
        params: usize,
    }
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn visit(l: &LayerRef, seen: &mut Vec<Reached>) -> Result<usize> {
        let id = std::rc::Rc::as_ptr(l) as *const () as usize;
        if let Some(i) = seen.iter().position(|r| r.id == id) {
            return Ok(i);
        }
        let node = peek(l)?;
        let i = seen.len();
        seen.push(Reached { id, strong: std::rc::Rc::strong_count(l), children: Vec::new(), params: 0 });
        match node.layer().as_sequential() {
            Some(m) => {
                for c in m.children() {
                    let j = visit(c, seen)?;
                    seen[i].children.push(j);
                }
            }
            None => seen[i].params = node.layer().params().len(),
        }
        Ok(i)
    }
    let mut seen = Vec::new();
    // References from nodes being freed: first the model's own node (freed: `holders` is 1).
    let mut refs = Vec::new();
    for c in children {
        let j = visit(c, &mut seen)?;
        refs.resize(seen.len(), 0);
        refs[j] += 1;
    }
    refs.resize(seen.len(), 0);
    let mut freed = vec![false; seen.len()];
    // A node joins once all its references come from freed nodes; parents before children,
    // so a pass per level of nesting (models nest a few levels deep).
    loop {
        let mut changed = false;
        for j in 0..seen.len() {
            if !freed[j] && refs[j] == seen[j].strong {
                freed[j] = true;
                changed = true;
                for k in 0..seen[j].children.len() {
                    refs[seen[j].children[k]] += 1;
                }
            }
        }
        if !changed {
            break;
        }
    }
    Ok(seen.iter().zip(&freed).filter(|(_, &f)| f).map(|(r, _)| r.params).sum())
}

#[cfg(test)]
mod params_freed_tests {
    use super::*;

    fn dense(units: f32) -> LayerRef {
        crate::layers::from_abi(0, &[units, 1.0, 0.0, 0.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0.0, 0.0], 0).unwrap()
    }

    fn model(layers: &[&LayerRef], input: &[usize]) -> LayerRef {
        let mut m = Sequential::new(1);
        for l in layers {
            m.add((*l).clone()).unwrap();
        }
        m.build_all(input).unwrap();
        crate::model::shared::shared(m)
    }

    /// What dropping `m` (held by the caller alone, or not) frees, counted before the drop.
    fn freed(m: &LayerRef) -> usize {
        let node = peek(m).unwrap();
        params_freed(node.layer().as_sequential().unwrap().children(), std::rc::Rc::strong_count(m)).unwrap()
    }

    #[test]
    fn counts_what_no_other_holder_keeps() {
        // A plain model: two dense layers, a kernel and a bias each.
        let (a, b) = (dense(3.0), dense(2.0));
        let m = model(&[&a, &b], &[4]);
        drop((a, b));
        assert_eq!(freed(&m), 4);
        // Two models sharing a layer: the first frees its own layer's two, the second all four.
        let (a, s, c) = (dense(3.0), dense(2.0), dense(3.0));
        let m1 = model(&[&a, &s], &[4]);
        let m2 = model(&[&c, &s], &[4]);
        drop((a, s, c));
        assert_eq!(freed(&m1), 2);
        drop(m1);
        assert_eq!(freed(&m2), 4);
        // A nested model: held by its outer model too, dropping its own reference frees
        // nothing; the outer model frees its own layer and, once it holds the inner model
        // alone, the inner model's layer too.
        let (x, y) = (dense(3.0), dense(2.0));
        let inner = model(&[&x], &[4]);
        let outer = model(&[&inner, &y], &[4]);
        drop((x, y));
        assert_eq!(freed(&inner), 0);
        assert_eq!(freed(&outer), 2, "the inner model has another holder");
        drop(inner);
        assert_eq!(freed(&outer), 4);
        // A model held elsewhere (nested in a live model) frees nothing.
        let z = dense(1.0);
        let held = model(&[&z], &[2]);
        let keep = held.clone();
        assert_eq!(freed(&held), 0);
        drop((keep, z));
        assert_eq!(freed(&held), 2);
    }
    /// A mask lives for one forward: a forward that fails after the masking layer made its
    /// mask (here the batch normalization refuses 3 features for its 4) leaves nothing on the
    /// layers it reached, so another model holding the same batch normalization (no mask in
    /// it) trains on every row as before.
    #[test]
    fn a_failed_forward_leaves_no_mask_behind() {
        let bn = crate::layers::from_abi(5, &[0.9, 1e-3, 1.0, 1.0], 1).unwrap();
        let mut a = Sequential::new(1);
        a.add(crate::layers::from_abi(45, &[0.0], 0).unwrap()).unwrap();
        a.add(bn.clone()).unwrap();
        a.build_all(&[5, 4]).unwrap();
        let mut b = Sequential::new(2);
        b.add(bn).unwrap();
        b.build_all(&[5, 4]).unwrap();
        let x = Tensor::new("t", Shape::from([2, 5, 4]), (0..40).map(|i| (i as f32 * 0.37).sin()).collect()).unwrap();
        let train = Mode::Train { seed: 1, step: 0 };
        let before = b.forward_all(x.clone(), train).unwrap();
        // Two samples of 5 steps of 3 features, steps 1 and 3 padding: a mask of 10 rows.
        let bad = Tensor::new("t", Shape::from([2, 5, 3]), (0..30).map(|i| if (i / 3) % 2 == 1 { 0.0 } else { 1.0 + i as f32 }).collect()).unwrap();
        let e = a.forward_all(bad, train).unwrap_err().to_string();
        assert!(e.contains("batchNormalization"), "{e}");
        let bits = |t: &Tensor| t.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&b.forward_all(x, train).unwrap()), bits(&before));
    }
}

#[cfg(test)]
mod unique_param_bytes_tests {
    use super::unique_param_bytes;

    #[test]
    fn each_layer_counts_once_whatever_the_order() {
        assert_eq!(unique_param_bytes(&mut []), 0);
        // Layer 7 shared by three models, layer 3 by two: 40 + 12 + 5.
        let mut v = vec![(7, 40), (3, 12), (9, 5), (7, 40), (3, 12), (7, 40)];
        assert_eq!(unique_param_bytes(&mut v), 57);
        let mut many: Vec<(usize, usize)> = (0..10_000).map(|i| ((i * 7919) % 5_000, 1)).collect();
        assert_eq!(unique_param_bytes(&mut many), 5_000);
    }
}
