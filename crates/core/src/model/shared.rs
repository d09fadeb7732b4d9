//! Shared layers: a layer (or a whole model) placed in several models is one object with one
//! set of weights, as in Keras. Training any model that holds it trains it everywhere, and it
//! lives as long as some holder does.
//!
//! A [`LayerRef`] is `Rc<RefCell<Node>>`: the module is single-threaded (future worker threads
//! only run kernels), so reference counting replaces ownership. A [`Node`] wraps the layer with
//! the per-sample input and output shapes it was first built for: a built node is never built
//! again. Placed where another input shape arrives, a layer whose weights fit it (a convolution
//! on other image sizes, a dense layer on `[t, d]` at another `t`, an embedding on other
//! lengths, any weightless layer: [`Layer::resize`]) is set for that shape, as TF.js reuses a
//! layer; a layer whose weights do not fit, or one that keeps one input shape, is a shape error
//! naming both shapes. The node sets the layer for each forward's input shape
//! ([`Node::forward`]), so every model (and every use in a graph model) keeps its own shapes.
//!
//! Borrows are short: a model borrows one child at a time for its forward and backward, and
//! [`Sequential::with_params`](super::Sequential::with_params) borrows every leaf at once for
//! an optimizer step. The same node twice in one model (its forward cache would be
//! overwritten) and a model inside itself are rejected when the model is assembled
//! ([`check_disjoint`]), so a borrow never conflicts; if one did, it is an `Internal` error,
//! never a panic.
//!
//! A graph model (see [`super::graph`]) uses a layer several times through its wiring
//! instead: one node, its uses run as batches.

use crate::constraints::Constraint;
use crate::layers::{Init, Layer};
use crate::{Error, Result};
use core::cell::{Ref, RefCell, RefMut};
use std::rc::Rc;

/// A layer with the shapes it was built for. `L` is `dyn Layer` behind a [`LayerRef`]; a model
/// handle keeps the concrete `Node<Sequential>` so it needs no downcast.
pub struct Node<L: ?Sized = dyn Layer> {
    input: Option<Vec<usize>>,
    /// The per-sample input shape the layer is set for now (see [`Layer::resize`]): the first
    /// build's until another shape arrives.
    at: Option<Vec<usize>>,
    /// A merge layer's inputs after the first (see [`Node::build_many`]).
    rest: Vec<Vec<usize>>,
    output: Option<Vec<usize>>,
    /// The forward pass whose cache the layer holds ([`Node::forward`]), 0 after a backward
    /// (which may consume it): lets the tape differentiate a traced call without running it
    /// again when nothing ran the layer since (see [`Sequential::trace_forward`]).
    ///
    /// [`Sequential::trace_forward`]: super::Sequential::trace_forward
    pass: u64,
    /// The constraints of the layer's weights, by option id ([`Constraint::OPTIONS`]), as
    /// given: installed on the weights (axes checked against their shapes) when it is built.
    constraints: Vec<(usize, Constraint)>,
    /// The layer's name (TS's `layer.name`, one for every model that holds it; empty until a
    /// model names its layers, [`Sequential::set_names`]): its forward's errors name it.
    ///
    /// [`Sequential::set_names`]: super::Sequential::set_names
    name: String,
    /// How messages show the shape it was built for: a model with unknown axes builds its
    /// layers at a stand-in size for them, shown as `null` ([`super::varlen`]).
    shown: Option<String>,
    layer: L,
}

/// The source of [`Node`] pass ids: unique for the module's life (never 0).
static NEXT_PASS: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(1);

/// A shared reference to a layer (or model). Clone it to place the layer in another model.
pub type LayerRef = Rc<RefCell<Node>>;

/// Wraps a new (unbuilt) layer.
pub fn shared<L: Layer + 'static>(layer: L) -> LayerRef {
    Rc::new(RefCell::new(Node::new(layer)))
}

impl<L> Node<L> {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(layer: L) -> Node<L> {
        Node { input: None, at: None, rest: Vec::new(), output: None, pass: 0, constraints: Vec::new(), name: String::new(), shown: None, layer }
    }
}

impl<L: ?Sized + Layer> Node<L> {
    pub fn layer(&self) -> &L {
        &self.layer
    }

    /// The layer's forward, its cache stamped with a new pass id. A built layer that can take
    /// other input shapes ([`Layer::resize`]) is first set for `x`'s per-sample shape. An error
    /// the layer raises names it ([`Node::named`]).
    pub fn forward(&mut self, x: crate::Tensor, mode: crate::layers::Mode) -> Result<crate::Tensor> {
        self.pass = NEXT_PASS.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        self.set_for(x.dims().get(1..).unwrap_or_default())?;
        self.layer.forward(x, mode).map_err(|e| self.named(e))
    }

    /// Sets the layer's name for messages.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn set_name(&mut self, name: &str) {
        name.clone_into(&mut self.name);
    }

    /// `e`, an argument or shape error the layer raised (its op is the layer's kind), as the
    /// errors of [`Layer::check_data`] read: `layer 'emb' (embedding): input[0,2] = 4 is out of
    /// range…`, with no op of its own ([`Error::InvalidArgument`]'s `op` empty): the model method
    /// that ran the forward (`predict`, `fit`) begins the message. An embedding that does not
    /// read a model input (after a `rescaling`, in a nested model) is checked here only.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[cold]
    #[inline(never)]
    fn named(&self, e: Error) -> Error {
        let kind = self.layer.kind();
        let named = |msg: String| format!("layer '{}' ({kind}): {msg}", self.name);
        match e {
            Error::InvalidArgument { op, msg } if op == kind && !self.name.is_empty() => Error::InvalidArgument { op: "", msg: named(msg) },
            Error::ShapeMismatch { op, msg } if op == kind && !self.name.is_empty() => Error::ShapeMismatch { op: "", msg: named(msg) },
            other => other,
        }
    }

    /// Sets the built layer for per-sample input `input` when it is set for another shape and
    /// can take it ([`Layer::resize`]); a layer that cannot is left as it is (its forward names
    /// the shape it was built for).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    fn set_for(&mut self, input: &[usize]) -> Result<()> {
        match &self.at {
            Some(at) if at.as_slice() != input => {
                if let Some(r) = self.layer.resize(input) {
                    r?;
                    self.at = Some(input.to_vec());
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The layer's backward, after which its cache is no one's.
    pub fn backward(&mut self, dy: crate::Tensor) -> Result<crate::Tensor> {
        self.pass = 0;
        self.layer.backward(dy)
    }

    /// [`Layer::backward_pre_activation`], after which its cache is no one's.
    pub fn backward_pre_activation(&mut self, dz: crate::Tensor) -> Result<crate::Tensor> {
        self.pass = 0;
        self.layer.backward_pre_activation(dz)
    }

    /// The pass id of the forward whose cache the layer holds (0: none).
    pub fn pass(&self) -> u64 {
        self.pass
    }

    pub fn layer_mut(&mut self) -> &mut L {
        &mut self.layer
    }

    /// Shows the shape it was built for as `shown` in messages (see [`Node::shown`]).
    pub fn show_input_as(&mut self, shown: String) {
        self.shown = Some(shown);
    }

    /// The per-sample input shape it was built for.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn input_shape(&self) -> Option<&[usize]> {
        self.input.as_deref()
    }

    /// The per-sample output shape, once built.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn output_shape(&self) -> Option<&[usize]> {
        self.output.as_deref()
    }

    /// Builds the layer for `input` (first time), or returns its output shape for `input`: the
    /// shape it was built for, or another that its weights fit ([`Layer::resize`]; `init` does
    /// not touch the weights). The layer stays set for the shape it had (a model between a
    /// forward and its backward keeps its caches' geometry). An input its weights do not fit,
    /// or any other shape for a layer that keeps one, is an error naming both shapes.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn build(&mut self, input: &[usize], init: Init) -> Result<Vec<usize>> {
        if let (Some(was), Some(out)) = (&self.input, &self.output) {
            if was.as_slice() == input {
                return Ok(out.clone());
            }
            let was = self.shown.clone().unwrap_or_else(|| crate::error::ints(was.as_slice()).to_string());
            let Some(r) = self.layer.resize(input) else {
                return Err(Error::shape(
                    "build",
                    format!("{} was already built for per-sample input shape {was}, but here it receives {input}; a built layer keeps the input shape its weights were made for (also when it is shared between models)", self.layer.kind(), input = crate::error::ints(input)),
                ));
            };
            let out = r.map_err(|e| match e {
                // A layer with an unknown (null) size takes other sizes: say what this one lacks.
                Error::ShapeMismatch { msg, .. } | Error::InvalidArgument { msg, .. } if self.shown.is_some() => {
                    let kind = self.layer.kind();
                    let who = if self.name.is_empty() { format!("{kind} (") } else { format!("layer '{}' ({kind}, ", self.name) };
                    Error::shape("build", format!("{who}per-sample input shape {was}) cannot take {input}: {msg}", input = crate::error::ints(input)))
                }
                Error::ShapeMismatch { msg, .. } | Error::InvalidArgument { msg, .. } => {
                    Error::shape("build", format!("{} was built for per-sample input shape {was}, but here it receives {input}: {msg}", self.layer.kind(), input = crate::error::ints(input)))
                }
                other => other,
            })?;
            if let Some(at) = self.at.clone().filter(|at| at.as_slice() != input) {
                self.layer.resize(&at).unwrap_or(Ok(Vec::new()))?;
            } else {
                self.at = Some(input.to_vec());
            }
            return Ok(out);
        }
        let out = self.layer.build(input, init).map_err(|e| match e {
            // A weight beyond one tensor (2^29 - 1 float32 values on wasm32): the layer is too
            // large for this input, whatever is freed; said of the layer, not of "the result".
            Error::OutOfMemory { bytes, .. } if bytes > isize::MAX as u64 => {
                let kind = self.layer.kind();
                let values = if bytes == u64::MAX { String::from("more float32 values than a size can count") } else { format!("{} float32 values ({bytes} bytes)", bytes / 4) };
                // Named by its model: the name leads, as in its forward errors (`named`).
                let (op, who) = if self.name.is_empty() { (kind, String::new()) } else { ("", format!("layer '{}' ({kind}): ", self.name)) };
                Error::TooLarge {
                    op,
                    msg: format!(
                        "{who}its weights for per-sample input shape {input} would need a tensor of {values}, more than one tensor may hold (2^29 - 1 float32 values, 2 GiB): make the layer smaller (fewer units or filters, a smaller kernel or vocabulary) or its input",
                        input = crate::error::ints(input)
                    ),
                }
            }
            other => other,
        })?;
        self.install_constraints()?;
        self.input = Some(input.to_vec());
        self.at = Some(input.to_vec());
        self.output = Some(out.clone());
        Ok(out)
    }
}

impl<L: ?Sized + Layer> Node<L> {
    /// Sets the constraint of option `option` (an index of [`Constraint::OPTIONS`]), replacing
    /// one set before; on a built layer it is installed (and checked) at once.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn constrain(&mut self, option: usize, c: Constraint) -> Result<()> {
        if option >= Constraint::OPTIONS.len() {
            return Err(Error::invalid("constraint", format!("unknown constraint option id {option}")));
        }
        self.constraints.retain(|(o, _)| *o != option);
        self.constraints.push((option, c));
        if self.input.is_some() {
            self.install_constraints()?;
        }
        Ok(())
    }

    /// Puts each constraint on the weight its option names, its axes resolved for the weight's
    /// shape (TF.js's shapes, a PReLU's alpha included: a sample's shape with 1s on the shared
    /// axes). A layer without that
    /// weight (a dense layer with `useBias: false` given a `biasConstraint`) or an axis out of
    /// range is an error naming the option and the weight.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    fn install_constraints(&mut self) -> Result<()> {
        let kind = self.layer.kind();
        for (o, c) in &self.constraints {
            let (option, weight) = Constraint::OPTIONS[*o];
            let mut params = self.layer.params_mut();
            let Some(p) = params.iter_mut().find(|p| p.name == weight) else {
                return Err(Error::invalid(kind, format!("{option}: this {kind} layer has no `{weight}` weight to constrain")));
            };
            p.constraint = Some(c.resolve(kind, option, weight, p.value.dims())?);
        }
        Ok(())
    }
}

impl Node {
    /// [`Node::build`] for the inputs of a graph model's layer: a merge layer takes several
    /// (the first time builds it, later checks that they are the shapes it was built for),
    /// every other layer one.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn build_many(&mut self, inputs: &[Vec<usize>], init: Init) -> Result<Vec<usize>> {
        let kind = self.layer.kind();
        let Some(merge) = self.layer.as_merge_mut() else {
            return match inputs {
                [one] => self.build(one, init),
                _ => Err(Error::invalid("build", format!("{kind} takes one input, got {} (only merge layers such as add or concatenate take a list)", inputs.len()))),
            };
        };
        if let (Some(was), Some(out)) = (&self.input, &self.output) {
            if inputs.first() == Some(was) && self.rest[..] == *inputs.get(1..).unwrap_or_default() {
                return Ok(out.clone());
            }
            // A merge has no weights and reads its shapes from its inputs: TF.js merges other
            // shapes with the same layer too.
            let out = merge.build_many(inputs, init);
            return out.map_err(|e| self.named(e));
        }
        let out = merge.build_many(inputs, init)?;
        self.install_constraints()?;
        self.input = inputs.first().cloned();
        self.rest = inputs.get(1..).unwrap_or_default().to_vec();
        self.output = Some(out.clone());
        Ok(out)
    }

    /// The layer's forward on `x` whose rows carry `mask` (see [`Node::forward_masked`]).
    pub fn forward_with_mask(&mut self, x: crate::Tensor, mask: Option<Vec<f32>>, mode: crate::layers::Mode) -> Result<crate::Tensor> {
        self.forward_masked(vec![x], vec![mask], mode)
    }

    /// The layer's forward on its inputs `xs` whose rows carry the masks `ms` (one per input,
    /// `None` for an unmasked one; empty: none), stamped as [`Node::forward`]'s: a layer that
    /// reads a mask ([`Masking::Consume`], [`Masking::Use`], [`Masking::Model`]: its first
    /// input's; [`Masking::Merge`]: all of them) gets it as an argument of this forward
    /// ([`Layer::forward_with_mask`], [`Merge::forward_many_masked`]), every other layer runs
    /// as [`Node::forward_many`]. No layer keeps a mask for a later forward: one that fails, or
    /// that JS abandons, leaves none behind for the next call of the layer.
    ///
    /// [`Masking::Consume`]: crate::layers::Masking::Consume
    /// [`Masking::Use`]: crate::layers::Masking::Use
    /// [`Masking::Model`]: crate::layers::Masking::Model
    /// [`Masking::Merge`]: crate::layers::Masking::Merge
    /// [`Layer::forward_with_mask`]: crate::layers::Layer::forward_with_mask
    /// [`Merge::forward_many_masked`]: crate::layers::merge::Merge::forward_many_masked
    pub fn forward_masked(&mut self, mut xs: Vec<crate::Tensor>, ms: Vec<Option<Vec<f32>>>, mode: crate::layers::Mode) -> Result<crate::Tensor> {
        use crate::layers::Masking;
        // Every merge (dot, whose rule is Consume, too) takes all of its inputs' masks.
        if let Some(m) = self.layer.as_merge_mut() {
            self.pass = NEXT_PASS.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
            return m.forward_many_masked(xs, ms, mode);
        }
        match self.layer.masking() {
            Masking::Consume | Masking::Use | Masking::Model => match (xs.pop(), xs.is_empty()) {
                (Some(x), true) => {
                    self.pass = NEXT_PASS.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
                    self.set_for(x.dims().get(1..).unwrap_or_default())?;
                    let mask = ms.into_iter().flatten().next();
                    self.layer.forward_with_mask(x, mask, mode).map_err(|e| self.named(e))
                }
                _ => Err(Error::Internal { msg: format!("{} takes one input", self.layer.kind()) }),
            },
            _ => self.forward_many(xs, mode),
        }
    }

    /// The layer's forward on its inputs (several for a merge layer), stamped as [`Node::forward`]'s.
    pub fn forward_many(&mut self, mut xs: Vec<crate::Tensor>, mode: crate::layers::Mode) -> Result<crate::Tensor> {
        if let Some(m) = self.layer.as_merge_mut() {
            self.pass = NEXT_PASS.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
            return m.forward_many(xs, mode);
        }
        match (xs.pop(), xs.is_empty()) {
            (Some(x), true) => self.forward(x, mode),
            _ => Err(Error::Internal { msg: format!("{} takes one input", self.layer.kind()) }),
        }
    }

    /// The layer's backward: `dL/dx` for each input of [`Node::forward_many`].
    pub fn backward_many(&mut self, dy: crate::Tensor) -> Result<Vec<crate::Tensor>> {
        if let Some(m) = self.layer.as_merge_mut() {
            self.pass = 0;
            return m.backward_many(dy);
        }
        Ok(vec![self.backward(dy)?])
    }
}

/// Borrows `node` mutably; a conflicting borrow (a bug: see the module docs) is an error.
pub fn lock(node: &LayerRef) -> Result<RefMut<'_, Node>> {
    node.try_borrow_mut().map_err(|_| in_use())
}

/// Borrows `node` to read it; a conflicting borrow (a bug, as for [`lock`]) is an error.
pub fn peek(node: &LayerRef) -> Result<Ref<'_, Node>> {
    node.try_borrow().map_err(|_| in_use())
}

fn in_use() -> Error {
    Error::Internal { msg: "a shared layer is already in use (the same layer twice in one model?)".into() }
}

/// The identity of a node (its address; the kind's vtable is not part of it).
pub fn addr<T: ?Sized>(node: &Rc<RefCell<T>>) -> *const () {
    Rc::as_ptr(node) as *const ()
}

/// The tape id of weight `i` (in the layer's parameter order) of the leaf layer `node`: the
/// top bit set, so that it never equals a tensor id of the handle table (a counter from 1),
/// and the node's address, unique among live nodes (a tape record holds its nodes alive).
pub fn weight_id(node: &LayerRef, i: usize) -> u64 {
    WEIGHT_ID | (addr(node) as usize as u64) << 6 | (i as u64 & 63)
}

/// The bit that marks a [`weight_id`].
pub const WEIGHT_ID: u64 = 1 << 63;

/// Appends `node` and every node inside it (nested models, depth-first) to `out`. A node that
/// is mutably borrowed is the model being assembled itself: `op` reports the cycle.
pub fn collect(op: &'static str, node: &LayerRef, out: &mut Vec<*const ()>) -> Result<()> {
    out.push(addr(node));
    let n = node.try_borrow().map_err(|_| Error::invalid(op, "a model cannot contain itself (directly or through a nested model)"))?;
    if let Some(seq) = n.layer().as_sequential() {
        for c in seq.children() {
            collect(op, c, out)?;
        }
    }
    Ok(())
}

/// Checks that no node appears twice in `nodes` (each with everything inside it): the
/// addresses sorted, then each compared with the next (O(n log n), once per build; a scan per
/// node was O(n²), 18 million compares for a chain of 6000 layers).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn check_disjoint(op: &'static str, nodes: &[LayerRef]) -> Result<()> {
    let mut all = Vec::new();
    for n in nodes {
        collect(op, n, &mut all)?;
    }
    all.sort_unstable();
    match all.windows(2).find(|w| w[0] == w[1]) {
        Some(w) => Err(twice(op, nodes, w[0])),
        None => Ok(()),
    }
}

/// The error for node `a` found twice in `nodes`.
fn twice(op: &'static str, nodes: &[LayerRef], a: *const ()) -> Error {
    let kind = nodes.iter().find_map(|n| nodes_kind(n, a)).unwrap_or("layer");
    Error::invalid(op, format!("a {kind} layer appears twice in one model (directly or inside a nested model); one layer object can be used once per model for now"))
}

/// Checks that `new` (with everything inside it) can join a model whose nodes' addresses are
/// `members` (sorted): no node of `new` is among them, and none is in `new` twice; then adds
/// them. O(k log n) for k nodes in `new` (1 for a layer), where a walk of the model's nodes per
/// add made a model of n layers O(n²) to assemble. `members` holds the nodes as they were
/// added: a nested model that gained a layer since is checked when the model is built
/// ([`check_disjoint`]).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn check_joins(op: &'static str, members: &mut Vec<*const ()>, new: &LayerRef) -> Result<()> {
    check_disjoint(op, std::slice::from_ref(new))?;
    let mut mine = Vec::new();
    collect(op, new, &mut mine)?;
    if let Some(&a) = mine.iter().find(|a| members.binary_search(a).is_ok()) {
        return Err(twice(op, std::slice::from_ref(new), a));
    }
    for a in mine {
        if let Err(i) = members.binary_search(&a) {
            members.insert(i, a);
        }
    }
    Ok(())
}

/// The kind of the node at address `a` inside `n` (for messages).
fn nodes_kind(n: &LayerRef, a: *const ()) -> Option<&'static str> {
    let b = n.try_borrow().ok()?;
    if addr(n) == a {
        return Some(b.layer().kind());
    }
    b.layer().as_sequential()?.children().iter().find_map(|c| nodes_kind(c, a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::embedding::Embedding;
    use crate::layers::{Init, Mode};
    use crate::{Shape, Tensor};

    #[test]
    fn a_layer_whose_weights_are_beyond_one_tensor_says_so_of_its_weights() {
        use crate::activations::Activation;
        use crate::initializers::Initializer;
        use crate::layers::dense::{Dense, DenseConfig};
        // A kernel of [2^32 - 1, 2^32 - 1] float32 values: its byte size overflows a u64 (on
        // wasm32 a kernel beyond 2 GiB takes the same path with its byte count).
        let units = u32::MAX as usize;
        let mut node = Node::new(Dense::new(DenseConfig {
            units,
            activation: Activation::Linear { slope: 1.0, intercept: 0.0 },
            use_bias: true,
            kernel_initializer: Initializer::GlorotUniform.into(),
            bias_initializer: Initializer::Zeros.into(),
            kernel_regularizer: None,
            bias_regularizer: None,
            activity_regularizer: None,
            kl_sparsity: None,
        }));
        let e = node.build(&[units], Init::seeded(1)).unwrap_err();
        assert!(matches!(e, Error::TooLarge { op: "dense", .. }), "{e:?}");
        assert_eq!(e.status(), crate::error::Status::OutOfMemory);
        assert_eq!(
            e.to_string(),
            "dense: its weights for per-sample input shape [4294967295] would need a tensor of more float32 values than a size can count, more than one tensor may hold (2^29 - 1 float32 values, 2 GiB): make the layer smaller (fewer units or filters, a smaller kernel or vocabulary) or its input"
        );
        assert!(node.input.is_none() && node.output.is_none(), "left unbuilt");
        node.set_name("wide");
        assert!(node.build(&[units], Init::seeded(1)).unwrap_err().to_string().starts_with("layer 'wide' (dense): its weights for per-sample input shape [4294967295] would need"));
    }

    #[test]
    fn a_layer_named_by_its_model_names_itself_in_its_forward_errors() {
        // inputDim 4, outputDim 2, initializer kind 0, no regularizer.
        let mut node = Node::new(Embedding::from_abi(&[4.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0]).unwrap());
        node.build(&[3], Init::seeded(1)).unwrap();
        let bad = || Tensor::new("t", Shape::new("t", &[1, 3]).unwrap(), vec![0.0, 1.0, 4.0]).unwrap();
        // Unnamed (not in a model yet): the layer's own op.
        let e = node.forward(bad(), Mode::Infer).unwrap_err();
        assert_eq!(e.to_string(), "embedding: input[0,2] = 4 is out of range [0, 4) of the embedding's rows (inputDim 4; input has shape [1,3])");
        node.set_name("ids");
        let e = node.forward(bad(), Mode::Infer).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { op: "", .. }));
        assert_eq!(e.to_string(), "layer 'ids' (embedding): input[0,2] = 4 is out of range [0, 4) of the embedding's rows (inputDim 4; input has shape [1,3])");
        // An error of another op (an inner one) is left as it is.
        assert_eq!(node.named(Error::invalid("gather", "x")), Error::invalid("gather", "x"));
    }
}
