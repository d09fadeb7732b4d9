//! `Sequential`: layers applied in order, `y = fₙ(…f₂(f₁(x)))`; backward runs them in reverse.
//! A `Sequential` is itself a [`Layer`], so models nest.
//!
//! # Shapes
//! The model is built for a per-sample input shape; inputs are `[batch, ...inputShape]`.

use crate::layers::{Layer, Mode, Param};
use crate::{bail_shape, Error, Result, Shape, Tensor};

pub struct Sequential {
    layers: Vec<Box<dyn Layer>>,
    /// Per-layer `trainable` switches (frozen layers get no updates).
    trainable: Vec<bool>,
    input_shape: Option<Vec<usize>>,
    output_shape: Option<Vec<usize>>,
    seed: u64,
}

/// A per-layer seed derived from the model seed (SplitMix64 finaliser), so that layers differ.
fn mix(seed: u64, i: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15u64.wrapping_mul(i + 1));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Sequential {
    pub fn new(seed: u64) -> Sequential {
        Sequential { layers: Vec::new(), trainable: Vec::new(), input_shape: None, output_shape: None, seed }
    }

    pub fn add(&mut self, layer: Box<dyn Layer>) -> Result<()> {
        if self.input_shape.is_some() {
            return Err(Error::invalid("add", "cannot add layers to a model that is already built"));
        }
        self.layers.push(layer);
        self.trainable.push(true);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.layers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    pub fn is_built(&self) -> bool {
        self.input_shape.is_some()
    }

    pub fn input_shape(&self) -> Option<&[usize]> {
        self.input_shape.as_deref()
    }

    pub fn output_shape(&self) -> Option<&[usize]> {
        self.output_shape.as_deref()
    }

    /// Builds every layer in turn; returns the per-sample output shape of each.
    pub fn build_all(&mut self, input: &[usize]) -> Result<Vec<Vec<usize>>> {
        if self.layers.is_empty() {
            return Err(Error::invalid("build", "the model has no layers"));
        }
        let mut shapes = Vec::with_capacity(self.layers.len());
        let mut s = input.to_vec();
        for (i, l) in self.layers.iter_mut().enumerate() {
            s = l.build(&s, mix(self.seed, i as u64))?;
            shapes.push(s.clone());
        }
        self.input_shape = Some(input.to_vec());
        self.output_shape = Some(s);
        Ok(shapes)
    }

    /// Freezes or unfreezes a layer by its depth-first index: the layers in order, each nested
    /// model followed by its own layers (without nesting, the plain layer index).
    pub fn set_trainable(&mut self, layer: usize, on: bool) -> Result<()> {
        match self.set_trainable_flat(layer, on) {
            Ok(()) => Ok(()),
            Err(_) => Err(Error::invalid("setTrainable", format!("layer index {layer} is out of range for {} layers (nested layers included)", self.flat_len()))),
        }
    }

    /// `Err(rest)`: the index was `rest` past this model's last (nested) layer.
    fn set_trainable_flat(&mut self, mut i: usize, on: bool) -> std::result::Result<(), usize> {
        for (l, t) in self.layers.iter_mut().zip(self.trainable.iter_mut()) {
            if i == 0 {
                *t = on;
                return Ok(());
            }
            i -= 1;
            if let Some(inner) = l.as_sequential_mut() {
                match inner.set_trainable_flat(i, on) {
                    Ok(()) => return Ok(()),
                    Err(rest) => i = rest,
                }
            }
        }
        Err(i)
    }

    /// The number of layers, nested ones included.
    pub fn flat_len(&self) -> usize {
        self.layers.iter().map(|l| 1 + l.as_sequential().map_or(0, |m| m.flat_len())).sum()
    }

    pub fn layer_trainable(&self, layer: usize) -> bool {
        self.trainable.get(layer).copied().unwrap_or(false)
    }

    /// For every parameter (in `params_all` order), whether training updates it: the parameter
    /// is trainable (not a moving statistic) and neither its layer nor an enclosing model is frozen.
    pub fn params_updated(&self) -> Vec<bool> {
        let mut v = Vec::new();
        for (l, &on) in self.layers.iter().zip(&self.trainable) {
            match l.as_sequential() {
                Some(inner) => v.extend(inner.params_updated().into_iter().map(|u| u && on)),
                None => v.extend(l.params().iter().map(|p| p.trainable && on)),
            }
        }
        v
    }

    /// Checks that `x` is `[batch, ...inputShape]`.
    pub fn check_input(&self, op: &'static str, x: &Tensor) -> Result<()> {
        let Some(inp) = &self.input_shape else {
            return Err(Error::invalid(op, "the model is not built yet"));
        };
        if x.rank() != inp.len() + 1 || &x.dims()[1..] != inp.as_slice() {
            let mut want = vec!["batch".to_string()];
            want.extend(inp.iter().map(|d| d.to_string()));
            bail_shape!(op, "expected input of shape [{}] (the first dimension is the batch), got {}", want.join(","), x.shape());
        }
        Ok(())
    }

    /// Runs every layer. In training mode the layers keep what backward needs.
    pub fn forward_all(&mut self, mut x: Tensor, mode: Mode) -> Result<Tensor> {
        for l in &mut self.layers {
            x = l.forward(x, mode)?;
        }
        Ok(x)
    }

    /// Backward through layers `0..end` (in reverse), starting from `dy` at the output of `end - 1`.
    pub fn backward_through(&mut self, end: usize, mut dy: Tensor) -> Result<Tensor> {
        for l in self.layers[..end].iter_mut().rev() {
            dy = l.backward(dy)?;
        }
        Ok(dy)
    }

    /// Whether backward must produce `dL/dx` for the model's input (see [`Layer::set_input_grad`]).
    pub fn set_input_grad_all(&mut self, on: bool) {
        if let Some(first) = self.layers.first_mut() {
            first.set_input_grad(on);
        }
    }

    pub fn last_layer_mut(&mut self) -> Option<&mut Box<dyn Layer>> {
        self.layers.last_mut()
    }

    /// Inference in batches of `batch_size` rows; the output has the same batch size as `x`.
    pub fn predict(&mut self, x: &Tensor, batch_size: usize) -> Result<Tensor> {
        Ok(self.predict_with_activity(x, batch_size)?.0)
    }

    /// [`Sequential::predict`], plus the activity-regularizer penalty and the variational KL
    /// term, each weighted by batch size: `Σ_batches term(batch)·b / n`, what `evaluate` adds
    /// to the loss.
    pub fn predict_with_activity(&mut self, x: &Tensor, batch_size: usize) -> Result<(Tensor, f32, f32)> {
        self.check_input("predict", x)?;
        let n = x.dims()[0];
        let out_per: usize = self.output_shape.as_ref().map(|s| s.iter().product()).unwrap_or(0);
        let mut dims = vec![n];
        dims.extend(self.output_shape.clone().unwrap_or_default());
        let shape = Shape::new("predict", &dims)?;
        let per: usize = x.dims()[1..].iter().product();
        let bs = batch_size.max(1);
        if n <= bs && n > 0 {
            // One batch: no copy of the input (tensors share their buffer copy-on-write).
            let y = self.forward_all(x.clone(), Mode::Infer)?;
            return Ok((y.with_shape(shape), self.activity_loss_all(), self.kl_loss_all()));
        }
        let mut out = Tensor::zeros("predict", shape)?;
        let mut start = 0;
        let (mut activity, mut kl) = (0.0f32, 0.0f32);
        while start < n {
            let b = bs.min(n - start);
            let mut bd = x.dims().to_vec();
            bd[0] = b;
            let chunk = Tensor::new("predict", Shape::new("predict", &bd)?, crate::tensor::copy_of("predict", &x.data()[start * per..(start + b) * per])?)?;
            let y = self.forward_all(chunk, Mode::Infer)?;
            out.data_mut()[start * out_per..(start + b) * out_per].copy_from_slice(y.data());
            activity += self.activity_loss_all() * b as f32;
            kl += self.kl_loss_all() * b as f32;
            start += b;
        }
        let per_sample = |v: f32| if n == 0 { 0.0 } else { v / n as f32 };
        Ok((out, per_sample(activity), per_sample(kl)))
    }

    /// Every parameter with the index of its layer, in a fixed order.
    pub fn params_with_layer(&mut self) -> Vec<(usize, &mut Param)> {
        let mut v = Vec::new();
        for (i, l) in self.layers.iter_mut().enumerate() {
            for p in l.params_mut() {
                v.push((i, p));
            }
        }
        v
    }

    /// Every parameter, read-only, in the same order.
    pub fn params_all(&self) -> Vec<&Param> {
        self.layers.iter().flat_map(|l| l.params()).collect()
    }

    /// Sum of the activity-regularizer losses of the last forward.
    pub fn activity_loss_all(&self) -> f32 {
        self.layers.iter().map(|l| l.activity_loss()).sum()
    }

    /// Sum of the variational layers' KL terms of the last forward.
    pub fn kl_loss_all(&self) -> f32 {
        self.layers.iter().filter_map(|l| l.kl_loss()).sum()
    }

    /// `(has a KL term, has a weight or activity penalty)`: which loss parts `fit` reports.
    pub fn loss_terms(&self) -> (bool, bool) {
        let kl = self.layers.iter().any(|l| l.kl_loss().is_some());
        let reg = self.layers.iter().any(|l| l.has_activity_regularizer()) || self.params_all().iter().any(|p| p.regularizer.is_some());
        (kl, reg)
    }

    /// The layers, in order (for walks such as `encodeDistribution`).
    pub fn layers_mut(&mut self) -> &mut [Box<dyn Layer>] {
        &mut self.layers
    }

    /// Layer kinds, for summaries and errors.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.layers.iter().map(|l| l.kind()).collect()
    }
}

/// A nested model is a layer.
impl Layer for Sequential {
    fn kind(&self) -> &'static str {
        "sequential"
    }

    fn build(&mut self, input: &[usize], seed: u64) -> Result<Vec<usize>> {
        self.seed ^= seed;
        Ok(self.build_all(input)?.pop().unwrap_or_else(|| input.to_vec()))
    }

    fn set_input_grad(&mut self, on: bool) {
        self.set_input_grad_all(on);
    }

    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        self.forward_all(x, mode)
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        self.backward_through(self.layers.len(), dy)
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        self.layers.iter_mut().flat_map(|l| l.params_mut()).collect()
    }

    fn params(&self) -> Vec<&Param> {
        self.params_all()
    }

    fn activity_loss(&self) -> f32 {
        self.activity_loss_all()
    }

    fn kl_loss(&self) -> Option<f32> {
        self.layers.iter().any(|l| l.kl_loss().is_some()).then(|| self.kl_loss_all())
    }

    fn has_activity_regularizer(&self) -> bool {
        self.layers.iter().any(|l| l.has_activity_regularizer())
    }

    fn as_sequential(&self) -> Option<&Sequential> {
        Some(self)
    }

    fn as_sequential_mut(&mut self) -> Option<&mut Sequential> {
        Some(self)
    }
}
