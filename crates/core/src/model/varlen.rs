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

/// `a` with 0 where `b` differs.
fn unknown(a: &[usize], b: &[usize]) -> Vec<usize> {
    a.iter().zip(b).map(|(&x, &y)| if x == y { x } else { 0 }).collect()
}

impl Sequential {
    /// Builds a model whose `input` has unknown axes (0): see the module docs.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    pub(super) fn build_free(&mut self, input: &[usize], fill: bool) -> Result<Vec<Vec<usize>>> {
        if self.wiring.as_ref().is_some_and(super::graph::Wiring::packed) {
            return Err(Error::invalid("build", format!("input shape {}: a model with several inputs or outputs cannot have unknown (null) axes yet; give every axis a size", show(input, false))));
        }
        let at = |p: usize| input.iter().map(|&d| if d == 0 { p } else { d }).collect::<Vec<_>>();
        self.build_pass(&at(STAND_IN), fill, &|_, _, _| Ok(())).map_err(|e| e.within("build", &format!("the unknown (null) axes of input shape {} at {STAND_IN}", show(input, false))))?;
        let first = self.layer_shapes.clone();
        let names = self.names.clone();
        let check = |i: usize, l: &LayerRef, inp: &[usize]| -> Result<()> {
            let Some((was, _)) = first.get(i) else { return Ok(()) };
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
            lock(l)?.build(inp, Init { seed: 0, fill: false }).map(|_| ()).map_err(|_| {
                Error::shape("build", format!("{name} ({kind}) cannot take per-sample input shape {}: its weights depend on the size of the unknown (null) axis; give the model's input a size there, or pool the axis away first (globalAveragePooling1d, globalMaxPooling1d)", show(&sym, false)))
            })
        };
        let shapes = self.build_pass(&at(CHECK), fill, &check)?;
        let mut free = vec![input.to_vec()];
        for (i, ((i1, o1), (i2, o2))) in first.iter().zip(&self.layer_shapes).enumerate() {
            free.push(unknown(o1, o2));
            lock(&self.layers[i])?.show_input_as(show(&unknown(i1, i2), true));
        }
        self.free = free;
        Ok(shapes)
    }

    /// The per-sample shapes with 0 for unknown axes, a model with such axes: its input's,
    /// then each layer's output; empty for a model of one shape.
    pub fn free_shapes(&self) -> &[Vec<usize>] {
        &self.free
    }

    /// Sets a model with unknown axes for `x`'s per-sample shape (`x` as `op`'s argument):
    /// its known axes must match, each unknown one is any size from 1. A model of one shape,
    /// or one already set for `x`, is left as it is (its checks follow).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    pub fn fit_to(&mut self, op: &'static str, x: &Tensor) -> Result<()> {
        let Some(sym) = self.free.first() else { return Ok(()) };
        let per = x.dims().get(1..).unwrap_or_default();
        if self.input_shape.as_deref() == Some(per) {
            return Ok(());
        }
        if per.len() != sym.len() || per.iter().zip(sym).any(|(&d, &s)| d == 0 || (s != 0 && d != s)) {
            bail_shape!(op, "expected input of shape [batch,{} (the first dimension is the batch; null: any size from 1), got {}", &show(sym, false)[1..], x.shape());
        }
        let want = show(sym, false);
        let per = per.to_vec();
        self.build_pass(&per, true, &|_, _, _| Ok(())).map_err(|e| {
            let msg = match e {
                Error::ShapeMismatch { msg, .. } | Error::InvalidArgument { msg, .. } => msg,
                other => return other,
            };
            Error::shape(op, format!("x of shape {} (per-sample {}, input shape {want}) does not fit the model: {msg}", x.shape(), Shape::from(&per[..])))
        })?;
        Ok(())
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
            free.fit_to("predict", &x).unwrap();
            let mut fixed = model(&layers);
            fixed.build_all(&[len, 3]).unwrap();
            let (a, b) = (free.predict(&x, 32).unwrap(), fixed.predict(&x, 32).unwrap());
            assert_eq!(a.dims(), [2, 2]);
            assert_eq!(a.data(), b.data(), "length {len}");
        }
        let e = free.fit_to("predict", &ramp(&[2, 4, 2])).unwrap_err().to_string();
        assert_eq!(e, "predict: expected input of shape [batch,null,3] (the first dimension is the batch; null: any size from 1), got [2,4,2]");
        let e = free.fit_to("predict", &ramp(&[2, 0, 3])).unwrap_err().to_string();
        assert!(e.contains("got [2,0,3]"), "{e}");
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
}
