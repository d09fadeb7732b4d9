//! Unknown (`null`) per-sample axes: TF.js's `inputShape: [null]` for an embedding,
//! `[null, channels]` for a 1-D convolution, Keras's `batch_input_shape: [null, null]`.
//!
//! A model is built for an input shape with 0 for each unknown axis. Its weights cannot depend
//! on those axes, so it is built at a stand-in size for them ([`STAND_IN`]) and then checked at
//! another ([`CHECK`]), each layer's input compared with its first: a layer whose weights
//! depend on an unknown axis (dense on it) is an error naming the layer and the shape with
//! `null`, as is a flatten of one (TF.js: "The shape of the input to "Flatten" is not fully
//! defined"); a reshape with a -1 takes it in that axis, as TF.js's does. An output axis whose size differs between the two builds is unknown: the
//! shapes with 0 there ([`Sequential::free_shapes`]) are what summaries and saved files show.
//!
//! Each call then sets the model for its `x` ([`Sequential::fit_to`]): the layers are set for
//! the new shape as a shared layer is for another input ([`crate::layers::Layer::resize`]); the
//! weights never change, and a model of fixed shape is untouched by all of this.
//!
//! A graph model with several inputs takes them packed side by side per sample
//! ([`super::graph::Wiring::set_io`]), so `x`'s width alone does not say each input's sizes:
//! each call gives them (`parts`, the shapes TS packed), each input of any size on its own.
//! Inputs that meet in a layer that needs them alike (an `add`) must then have the same sizes,
//! else the call's error names every input and its shape.

use super::shared::{lock, peek, LayerRef};
use super::Sequential;
use crate::layers::Init;
use crate::{bail_shape, Error, Result, Shape, Tensor};

/// The size an unknown axis is built at. Large enough for stacks of valid convolutions and
/// pooling that a sequence model has (TF.js accepts any), small enough that a dense layer
/// wrongly placed on an unknown axis makes a small weight before the check refuses it.
pub const STAND_IN: usize = 512;

/// The second size, to tell which output axes follow the unknown ones: a prime, so no stride
/// below `CHECK - STAND_IN` maps both to one size.
pub const CHECK: usize = 1031;

/// `dims` with `null` for 0, as `{:?}` shows a shape (`[null, 4]`), or without spaces.
pub fn show(dims: &[usize], spaced: bool) -> String {
    let each: Vec<String> = dims.iter().map(|&d| if d == 0 { "null".into() } else { d.to_string() }).collect();
    format!("[{}]", each.join(if spaced { ", " } else { "," }))
}

/// Whether per-sample shape `per` fits `sym` (0 for an unknown axis, any size from 1 there).
fn fits(per: &[usize], sym: &[usize]) -> bool {
    per.len() == sym.len() && per.iter().zip(sym).all(|(&d, &s)| d != 0 && (s == 0 || d == s))
}

/// The usual slips of an input `x` that does not fit `sym` (0 for an unknown axis), as
/// `check_batch` in `sequential.rs` says them for a model of one shape: one sample without
/// its batch axis (`[16, 1]` for `[null, 1]`: `x.expandDims(0)`); samples of one channel
/// without that last axis of 1 (`[1, 16]` for `[null, 1]`: `x.expandDims(-1)`); one such
/// sample without either axis. Empty when none applies.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn free_hint(sym: &[usize], x: &[usize]) -> String {
    let dims = |lead: usize, rest: &[usize], last: &[usize]| {
        core::iter::once(lead).chain(rest.iter().copied()).chain(last.iter().copied()).map(|d| d.to_string()).collect::<Vec<_>>().join(",")
    };
    let what = if sym.len() == 1 { "feature" } else { "channel" };
    let without_last = sym.split_last().filter(|(&c, _)| c == 1).map(|(_, rest)| rest);
    if fits(x, sym) {
        format!("; for one sample, add the batch axis: x.reshape([{}]) or x.expandDims(0)", dims(1, x, &[]))
    } else if without_last.is_some_and(|rest| !rest.is_empty() && x.len() == sym.len() && fits(&x[1..], rest)) {
        let n = x[0];
        let samples = if n == 1 { "1 sample".to_string() } else { format!("{n} samples") };
        format!("; for {samples} of one {what}, x.reshape([{}]) or x.expandDims(-1)", dims(n, &x[1..], &[1]))
    } else if without_last.is_some_and(|rest| !rest.is_empty() && fits(x, rest)) {
        format!("; for one sample of one {what}, add the batch and {what} axes: x.reshape([{}])", dims(1, x, &[1]))
    } else {
        String::new()
    }
}

/// `e`, a shape or argument error of a build for the input `x`, as the one error of an input
/// that does not fit: `x … does not fit the model: why`, `x` described by `what` (its shape,
/// per-sample shape and the model's input shape; or its inputs); any other error as it is.
fn not_fitting(op: &'static str, what: &str, e: Error) -> Error {
    match e {
        Error::ShapeMismatch { msg, .. } | Error::InvalidArgument { msg, .. } => Error::shape(op, format!("x {what} does not fit the model: {msg}")),
        other => other,
    }
}

/// `a` with 0 where `b` differs.
fn unknown(a: &[usize], b: &[usize]) -> Vec<usize> {
    a.iter().zip(b).map(|(&x, &y)| if x == y { x } else { 0 }).collect()
}

impl Sequential {
    /// Builds a model whose `input` has unknown axes (0), or a graph model with several inputs
    /// some of which do ([`Wiring::free_sources`](super::graph::Wiring::free_sources); `input` is then ignored): see the module docs.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    pub(super) fn build_free(&mut self, input: &[usize], fill: bool) -> Result<Vec<Vec<usize>>> {
        let several = self.wiring.as_ref().map(|w| w.free_sources().to_vec()).unwrap_or_default();
        let shown = if several.is_empty() { format!("input shape {}", show(input, false)) } else { format!("input shapes {}", several.iter().map(|s| show(s, false)).collect::<Vec<_>>().join(", ")) };
        self.stand_in(input, &several, STAND_IN, fill, &|_, _, _| Ok(())).map_err(|e| e.within("build", &format!("the unknown (null) axes of {shown} at {STAND_IN}")))?;
        let first = self.layer_shapes.clone();
        let names = self.names.clone();
        let check = |i: usize, l: &LayerRef, ins: &[Vec<usize>]| -> Result<()> {
            let (Some((was, _)), Some(inp)) = (first.get(i), ins.first()) else { return Ok(()) };
            let sym = unknown(was, inp);
            if !sym.contains(&0) {
                return Ok(());
            }
            let kind = peek(l)?.layer().kind();
            let name = names.get(i).map_or_else(|| format!("layer {i}"), |n| format!("layer '{n}'"));
            if kind == "flatten" {
                bail_shape!(
                    "build",
                    "The shape of the input to \"Flatten\" ({name}) is not fully defined (got {}): it cannot flatten an axis of unknown (null) size; give the model's input a size on that axis, or pool it away first (globalAveragePooling1d, globalMaxPooling1d)",
                    show(&sym, false)
                );
            }
            lock(l)?.build_many(ins, Init { seed: 0, fill: false }).map(|_| ()).map_err(|_| {
                Error::shape("build", format!("{name} ({kind}) cannot take per-sample input shape {}: its weights depend on the size of the unknown (null) axis; give the model's input a size there, or pool the axis away first (globalAveragePooling1d, globalMaxPooling1d)", show(&sym, false)))
            })
        };
        let shapes = self.stand_in(input, &several, CHECK, fill, &check)?;
        let mut free = vec![input.to_vec()];
        for (i, ((i1, o1), (i2, o2))) in first.iter().zip(&self.layer_shapes).enumerate() {
            free.push(unknown(o1, o2));
            lock(&self.layers[i])?.show_input_as(show(&unknown(i1, i2), true));
        }
        self.free = free;
        Ok(shapes)
    }

    /// One build with every unknown axis at `size`: of `input`, or of each of `several` inputs
    /// (packed, see [`Wiring::set_io`](super::graph::Wiring::set_io)).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn stand_in(&mut self, input: &[usize], several: &[Vec<usize>], size: usize, fill: bool, check: &dyn Fn(usize, &LayerRef, &[Vec<usize>]) -> Result<()>) -> Result<Vec<Vec<usize>>> {
        let at = |s: &[usize]| s.iter().map(|&d| if d == 0 { size } else { d }).collect::<Vec<_>>();
        let input = match self.wiring.as_mut() {
            Some(w) if !several.is_empty() => {
                let each: Vec<Vec<usize>> = several.iter().map(|s| at(s)).collect();
                let total = each.iter().map(|s| s.iter().product::<usize>()).sum();
                w.set_sources(each);
                vec![total]
            }
            _ => at(input),
        };
        self.build_pass(&input, fill, check)
    }

    /// The per-sample shapes with 0 for unknown axes, a model with such axes: its input's,
    /// then each layer's output; empty for a model of one shape.
    pub fn free_shapes(&self) -> &[Vec<usize>] {
        &self.free
    }

    /// Sets a model with unknown axes for `x`'s per-sample shape (`x` as `op`'s argument):
    /// its known axes must match, each unknown one is any size from 1. A model of one shape,
    /// or one already set for `x`, is left as it is (its checks follow). A graph model with
    /// several inputs of unknown sizes takes `parts`, the per-sample shape of each input packed
    /// in `x`; without them, `x` must be packed as the call before (a slice of its `x`).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    pub fn fit_to(&mut self, op: &'static str, x: &Tensor, parts: Option<&[Vec<usize>]>) -> Result<()> {
        let Some(sym) = self.free.first() else { return Ok(()) };
        let per = x.dims().get(1..).unwrap_or_default();
        let several = self.wiring.as_ref().map(|w| w.free_sources().to_vec()).unwrap_or_default();
        if !several.is_empty() {
            return self.fit_sources(op, x, &several, parts);
        }
        if self.input_shape.as_deref() == Some(per) {
            return Ok(());
        }
        if !fits(per, sym) {
            bail_shape!(op, "expected input of shape [batch,{} (the first dimension is the batch; null: any size from 1), got {}{}", show(sym, false).get(1..).unwrap_or_default(), x.shape(), free_hint(sym, x.dims()));
        }
        let what = format!("of shape {} (per-sample {}, input shape {})", x.shape(), Shape::from(per), show(sym, false));
        let per = per.to_vec();
        self.build_pass(&per, true, &|_, _, _| Ok(())).map_err(|e| not_fitting(op, &what, e))?;
        Ok(())
    }

    /// This model nested in another (a layer of it) set for per-sample `input`, which must fit
    /// `sym` (its input shape, 0 for an unknown axis); its output shape there.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    pub(super) fn resize_free(&mut self, input: &[usize], sym: &[usize]) -> Result<Vec<usize>> {
        if input == sym {
            // The outer model asks with its own unknown axes: the output's unknown axes.
            return Ok(self.free.last().cloned().unwrap_or_default());
        }
        if !fits(input, sym) {
            bail_shape!("build", "a model of input shape {} cannot take {}", show(sym, true), show(input, true));
        }
        if self.input_shape.as_deref() == Some(input) {
            return Ok(self.output_shape.clone().unwrap_or_default());
        }
        Ok(self.build_pass(input, true, &|_, _, _| Ok(()))?.pop().unwrap_or_default())
    }

    /// The per-sample output of layers `range` (an autoencoder's encoder or decoder) of a model
    /// with unknown axes for `x`, whose per-sample shape must fit `sym` (their input's shape, 0
    /// for an unknown axis). Each layer is asked its output there ([`Node::build`] leaves it
    /// set for the shape it had; its forward sets it for `x`): the model's own shapes stay.
    ///
    /// [`Node::build`]: super::shared::Node::build
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    pub(super) fn range_at(&self, x: &Tensor, range: core::ops::Range<usize>, sym: &[usize]) -> Result<Vec<usize>> {
        let per = x.dims().get(1..).unwrap_or_default();
        if !fits(per, sym) {
            bail_shape!("predict", "expected input of shape [batch,{} (the first dimension is the batch; null: any size from 1), got {}{}", show(sym, false).get(1..).unwrap_or_default(), x.shape(), free_hint(sym, x.dims()));
        }
        let what = format!("of shape {} (per-sample {}, input shape {})", x.shape(), Shape::from(per), show(sym, false));
        let mut at = per.to_vec();
        for l in &self.layers[range] {
            at = lock(l)?.build(&at, Init { seed: 0, fill: false }).map_err(|e| not_fitting("predict", &what, e))?;
        }
        Ok(at)
    }

    /// [`Sequential::fit_to`] for several inputs (declared as `several`, 0 for unknown axes).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    fn fit_sources(&mut self, op: &'static str, x: &Tensor, several: &[Vec<usize>], parts: Option<&[Vec<usize>]>) -> Result<()> {
        let per = x.dims().get(1..).unwrap_or_default().to_vec();
        let batch = x.dims().first().copied().unwrap_or(0);
        let k = self.layers.len();
        let names = self.names.get(k..).unwrap_or_default().to_vec();
        let name = |j: usize| names.get(j).map_or_else(|| format!("input {j}"), |n| n.clone());
        let sources = self.wiring.as_ref().map(|w| w.sources().to_vec()).unwrap_or_default();
        let Some(parts) = parts.filter(|p| p.len() == several.len()) else {
            // A slice of a packed x (fit's validationSplit): packed as the call before.
            if self.input_shape.as_deref() == Some(&per[..]) {
                return Ok(());
            }
            bail_shape!(op, "x of shape {} does not hold the model's {} inputs packed for this call (their sizes are unknown until each call gives them)", x.shape(), several.len());
        };
        for (j, (p, s)) in parts.iter().zip(several).enumerate() {
            if !fits(p, s) {
                bail_shape!(op, "input {} expected shape [batch,{} (the first dimension is the batch; null: any size from 1), got per-sample {}", name(j), show(s, false).get(1..).unwrap_or_default(), show(p, false));
            }
        }
        let total: usize = parts.iter().map(|p| p.iter().product::<usize>()).sum();
        if per != [total] {
            bail_shape!(op, "x of shape {} does not hold inputs of per-sample shapes {} packed ([batch,{total}])", x.shape(), parts.iter().map(|p| show(p, false)).collect::<Vec<_>>().join(", "));
        }
        if self.input_shape.as_deref() == Some(&per[..]) && sources == parts {
            return Ok(());
        }
        if let Some(w) = self.wiring.as_mut() {
            w.set_sources(parts.to_vec());
        }
        let built = self.build_pass(&per, true, &|_, _, _| Ok(()));
        let Err(e) = built else { return Ok(()) };
        if let Some(w) = self.wiring.as_mut() {
            w.set_sources(sources);
        }
        let given = parts.iter().enumerate().map(|(j, p)| format!("{} {}", name(j), Shape::from([&[batch][..], p].concat()))).collect::<Vec<_>>().join(", ");
        Err(not_fitting(op, &format!("(inputs {given})"), e))
    }
}

#[cfg(test)]
mod tests {
    use crate::layers::from_abi;
    use crate::model::Sequential;
    use crate::{Shape, Tensor};

    /// dense(units, tanh) as the ABI lays it out (glorot kernel, zero bias).
    fn dense(units: f32) -> Vec<f32> {
        vec![units, 1.0, 9.0, 0.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0., 0.]
    }

    fn model(layers: &[(u32, Vec<f32>)]) -> Sequential {
        let mut m = Sequential::new(4);
        for (i, (kind, p)) in layers.iter().enumerate() {
            m.add(from_abi(*kind, p, i as u32).unwrap()).unwrap();
        }
        m
    }

    fn ramp(dims: &[usize]) -> Tensor {
        let n: usize = dims.iter().product();
        Tensor::new("t", Shape::from(dims), (0..n).map(|i| (i as f32 * 0.37).sin()).collect()).unwrap()
    }

    /// dense on [t, 3] then global average pooling over t: the shapes with `null`, each length
    /// its own output, and each row the mean over time of the dense layer's rows, which the
    /// same model at a fixed length computes (same seed, same weights).
    #[test]
    fn any_length_per_call_and_the_same_values_as_a_model_of_that_length() {
        let layers = [(0, dense(2.0)), (32, vec![])];
        let mut free = model(&layers);
        free.build_all(&[0, 3]).unwrap();
        assert_eq!(free.free_shapes(), &[vec![0, 3], vec![0, 2], vec![2]]);
        for len in [1, 5, 2, 700] {
            let x = ramp(&[2, len, 3]);
            free.fit_to("predict", &x, None).unwrap();
            let mut fixed = model(&layers);
            fixed.build_all(&[len, 3]).unwrap();
            let (a, b) = (free.predict(&x, 32).unwrap(), fixed.predict(&x, 32).unwrap());
            assert_eq!(a.dims(), [2, 2]);
            assert_eq!(a.data(), b.data(), "length {len}");
        }
        let e = free.fit_to("predict", &ramp(&[2, 4, 2]), None).unwrap_err().to_string();
        assert_eq!(e, "predict: expected input of shape [batch,null,3] (the first dimension is the batch; null: any size from 1), got [2,4,2]");
        let e = free.fit_to("predict", &ramp(&[2, 0, 3]), None).unwrap_err().to_string();
        assert!(e.contains("got [2,0,3]"), "{e}");
    }

    /// An input that does not fit a model with unknown steps gets the hints a model of one
    /// shape gives: the batch axis for one sample, the channel axis for samples of one channel.
    #[test]
    fn unknown_steps_errors_suggest_the_usual_fixes() {
        let mut free = model(&[(0, dense(2.0)), (32, vec![])]);
        free.build_all(&[0, 1]).unwrap();
        let msg = |m: &mut Sequential, x: &[usize]| m.fit_to("predict", &ramp(x), None).unwrap_err().to_string();
        let head = "predict: expected input of shape [batch,null,1] (the first dimension is the batch; null: any size from 1), got";
        assert_eq!(msg(&mut free, &[16, 1]), format!("{head} [16,1]; for one sample, add the batch axis: x.reshape([1,16,1]) or x.expandDims(0)"));
        assert_eq!(msg(&mut free, &[1, 16]), format!("{head} [1,16]; for 1 sample of one channel, x.reshape([1,16,1]) or x.expandDims(-1)"));
        assert_eq!(msg(&mut free, &[4, 16]), format!("{head} [4,16]; for 4 samples of one channel, x.reshape([4,16,1]) or x.expandDims(-1)"));
        assert_eq!(msg(&mut free, &[16]), format!("{head} [16]; for one sample of one channel, add the batch and channel axes: x.reshape([1,16,1])"));
        // Not one of those slips: no hint.
        assert_eq!(msg(&mut free, &[2, 16, 3]), format!("{head} [2,16,3]"));
        assert_eq!(super::free_hint(&[0, 2], &[4, 16]), "");
        assert_eq!(super::free_hint(&[0, 0], &[4, 16, 1, 1]), "");
    }

    /// A flatten or a dense layer on an unknown axis is refused, naming the layer and the shape.
    #[test]
    fn layers_that_need_the_size_are_named() {
        let mut m = model(&[(0, dense(2.0)), (7, vec![])]);
        m.set_names(vec!["d".into(), "flat".into()]);
        let e = m.build_all(&[0, 3]).unwrap_err().to_string();
        assert!(e.starts_with("build: The shape of the input to \"Flatten\" (layer 'flat') is not fully defined (got [null,2])"), "{e}");
        let mut m = model(&[(0, dense(2.0))]);
        let e = m.build_all(&[4, 0]).unwrap_err().to_string();
        assert_eq!(e, "build: layer 0 (dense) cannot take per-sample input shape [4,null]: its weights depend on the size of the unknown (null) axis; give the model's input a size there, or pool the axis away first (globalAveragePooling1d, globalMaxPooling1d)");
    }

    /// A sequence too short for a named conv1d's 'valid' kernel: the error names the layer and
    /// says the length its kernel needs.
    #[test]
    fn a_too_short_sequence_names_the_layer_and_the_length_it_needs() {
        // conv1d filters 2, kernel 5, valid (no bias, linear), then global max pooling.
        let conv = vec![0., 2., 1., 5., 1., 1., 1., 1., 0., 0., 0., 0., 6., 0., 0., 0., 0., 0., 0., 0., 0., 0.];
        let mut m = model(&[(28, conv), (31, vec![])]);
        m.set_names(vec!["conv_c".into(), "pool".into()]);
        m.build_all(&[0, 3]).unwrap();
        m.fit_to("predict", &ramp(&[1, 5, 3]), None).unwrap();
        let e = m.fit_to("predict", &ramp(&[1, 3, 3]), None).unwrap_err().to_string();
        assert_eq!(e, "predict: x of shape [1,3,3] (per-sample [3,3], input shape [null,3]) does not fit the model: layer 'conv_c' (conv1d, per-sample input shape [null, 3]) cannot take [3, 3]: kernelSize 5 needs sequences of at least 5 steps with padding 'valid', got 3 (per-sample input [3, 3]); use padding 'same' or 'causal', a smaller kernelSize or longer sequences");
    }

    /// An autoencoder of unknown length (a conv1d encoder and decoder, nested): its encoder and
    /// decoder halves run at any length (`predict_range`, as `encode` and `decode`), the same
    /// values as the whole model and as the encoder on its own, and leave the whole model
    /// working at the length it was set for.
    #[test]
    fn the_halves_of_a_model_of_unknown_length_run_at_any_length() {
        use crate::model::shared::shared;
        // conv1d filters f, kernel k, valid, tanh, bias zeros.
        let conv = |f: f32, k: f32| vec![0., f, 1., k, 1., 1., 1., 1., 0., 1., 9., 0., 6., 0., 0., 0., 0., 0., 0., 0., 0., 0.];
        let half = |k: f32, f: f32, seed: u64| {
            let mut m = Sequential::new(seed);
            m.add(from_abi(28, &conv(f, k), 0).unwrap()).unwrap();
            m.build_all(&[0, if k == 3.0 { 1 } else { 2 }]).unwrap();
            shared(m)
        };
        let enc = half(3.0, 2.0, 1);
        let mut ae = Sequential::new(3);
        ae.add(enc.clone()).unwrap();
        ae.add(half(2.0, 1.0, 2)).unwrap();
        ae.build_all(&[0, 1]).unwrap();
        assert_eq!(ae.free_shapes(), &[vec![0, 1], vec![0, 2], vec![0, 1]]);
        for len in [4, 9, 20, 5] {
            let x = ramp(&[2, len, 1]);
            let code = ae.predict_range(&x, 0, 1, 32).unwrap();
            assert_eq!(code.dims(), [2, len - 2, 2]);
            let alone = enc.borrow_mut().layer_mut().as_sequential_mut().unwrap().forward_all(x.clone(), crate::layers::Mode::Infer).unwrap();
            assert_eq!(code.data(), alone.data(), "encode at {len}");
            let back = ae.predict_range(&code, 1, 2, 32).unwrap();
            assert_eq!(back.dims(), [2, len - 3, 1]);
            ae.fit_to("predict", &x, None).unwrap();
            assert_eq!(ae.predict(&x, 32).unwrap().data(), back.data(), "decode(encode(x)) at {len}");
        }
        let e = ae.predict_range(&ramp(&[2, 1, 2]), 1, 2, 32).unwrap_err().to_string();
        assert!(e.starts_with("predict: x of shape [2,1,2] (per-sample [1,2], input shape [null,2]) does not fit the model: "), "{e}");
        assert!(e.ends_with("kernelSize 2 needs sequences of at least 2 steps with padding 'valid', got 1 (per-sample input [1, 2]); use padding 'same' or 'causal', a smaller kernelSize or longer sequences"), "{e}");
        let e = ae.predict_range(&ramp(&[2, 2, 1]), 0, 1, 32).unwrap_err().to_string();
        assert!(e.contains("kernelSize 3 needs sequences of at least 3 steps with padding 'valid', got 2"), "{e}");
        let e = ae.predict_range(&ramp(&[2, 5, 3]), 1, 2, 32).unwrap_err().to_string();
        assert_eq!(e, "predict: expected input of shape [batch,null,2] (the first dimension is the batch; null: any size from 1), got [2,5,3]");
    }

    /// Merge layers have no weights: on a one-input graph with an unknown length (a residual
    /// add, a concatenation on either axis, dot products over the channels) they build, and
    /// their outputs follow the unknown axis (dot over axis 2 of [t, c] with itself: [t, t]).
    #[test]
    fn merges_take_an_unknown_axis() {
        // (kind, options, free output shape, output at length t)
        let cases: [(u32, Vec<f32>, Vec<usize>, fn(usize) -> Vec<usize>); 5] = [
            (21, vec![], vec![0, 3], |t| vec![t, 3]),
            (23, vec![], vec![0, 3], |t| vec![t, 3]),
            (27, vec![-1.0], vec![0, 6], |t| vec![t, 6]),
            (27, vec![1.0], vec![0, 3], |t| vec![2 * t, 3]),
            (39, vec![2.0, 2.0, 0.0], vec![0, 0], |t| vec![t, t]),
        ];
        for (kind, p, out, at) in cases {
            let mut m = model(&[(0, dense(3.0)), (kind, p)]);
            m.wire(0, &[0]).unwrap();
            m.wire(1, &[0, 1]).unwrap();
            m.build_all(&[0, 3]).unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_eq!(m.free_shapes().last(), Some(&out), "{kind}");
            for len in [1, 4, 9] {
                let x = ramp(&[2, len, 3]);
                m.fit_to("predict", &x, None).unwrap();
                let y = m.predict(&x, 32).unwrap();
                assert_eq!(&y.dims()[1..], &at(len)[..], "{kind} at {len}");
            }
        }
    }
}
