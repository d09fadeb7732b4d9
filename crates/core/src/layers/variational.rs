//! `variational`: the sampling layer of a variational autoencoder (Kingma & Welling 2014).
//!
//! Two dense heads map the input to a mean `μ = x·Wμ + bμ` and a log-variance
//! `v = log σ² = x·Wv + bv` (`units` each). In training the output is the reparameterised
//! sample `z = μ + exp(½v)·ε`, `ε ~ N(0, I)` drawn per step from the seeded generator; at
//! inference it is `μ`. The layer adds `β·KL(N(μ, σ²) ‖ N(0, I))` to the loss, with
//! `KL = −½ Σ_units (1 + v − μ² − e^v)` per sample, averaged over the batch (the first axis; any
//! axes between the batch and the units are summed like units), and `β = klWeight`.
//!
//! # Shapes
//! `x: [batch, ..., in]` → `z: [batch, ..., units]`; `Wμ, Wv: [in, units]`, `bμ, bv: [units]`.
//!
//! # Backward
//! With `s = e^{½v}` and `B` the batch size: `∂L/∂μ = dz + β·μ/B`,
//! `∂L/∂v = dz·ε·½s + β·½(e^v − 1)/B`; then as two dense layers: `dWμ = xᵀ·∂μ`, `dbμ = Σ ∂μ`,
//! `dWv = xᵀ·∂v`, `dbv = Σ ∂v`, `dx = ∂μ·Wμᵀ + ∂v·Wvᵀ`.
//!
//! `log σ²` is not clamped: as in Keras's VAE example, a diverging variance shows up as a
//! non-finite loss, which `fit` reports.

use super::{rows_cols, step_seed, Init, Layer, Mode, Param};
use crate::config::Reader;
use crate::initializers::Initializer;
use crate::ops::affine;
use crate::model::shared::lock;
use crate::model::{LayerRef, Sequential};
use crate::rng::Philox;
use crate::{bail, Error, Result, Shape, Tensor};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VariationalConfig {
    pub units: usize,
    /// `β` (>= 0; 1 is the ELBO).
    pub kl_weight: f32,
}

impl VariationalConfig {
    /// Layout: `units, klWeight`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<VariationalConfig> {
        let mut r = Reader::new("variational", p);
        let units = r.usize("units")?;
        if units == 0 {
            bail!("variational", "units must be a positive integer, got 0");
        }
        let kl_weight = check_kl_weight(r.f32("klWeight")?)?;
        Ok(VariationalConfig { units, kl_weight })
    }
}

/// `w` when it is a finite number >= 0 (a KL weight `β`), else an error naming it.
fn check_kl_weight(w: f32) -> Result<f32> {
    if !(w.is_finite() && w >= 0.0) {
        return Err(super::out_of_range("variational", "klWeight", "a finite number >= 0", w));
    }
    Ok(w)
}

/// What a training forward keeps for backward.
struct Saved {
    x: Tensor,
    mean: Vec<f32>,
    log_var: Vec<f32>,
    eps: Vec<f32>,
    /// The `β` of the KL gradient backward adds: the layer's at this forward in training, 0
    /// otherwise (a replay, whose output is z), so a `β` set between them cannot mix two values.
    beta: f32,
}

pub struct Variational {
    cfg: VariationalConfig,
    /// `[Wμ, bμ, Wv, bv]` once built.
    params: Vec<Param>,
    stream: u32,
    saved: Option<Saved>,
    /// The input of a traced forward (`Mode::Trace`), whose output is the mean head.
    traced: Option<Tensor>,
    kl: f32,
    input_grad: bool,
}

impl Variational {
    /// Head `k`'s backward (0: mean, 1: log-variance; each an affine map) for `dL/dhead` =
    /// `dh` at input `x`: its weights' gradients, and its part of `dL/dx` when `need_dx`.
    fn head_backward(&mut self, k: usize, x: &Tensor, dh: &[f32], need_dx: bool) -> Result<Option<Vec<f32>>> {
        let (rows, inp) = rows_cols(x);
        let (w, b) = self.params.split_at_mut(2 * k + 1);
        let (value, grad) = w[2 * k].value_and_grad()?;
        affine::backward("variational", x.data(), rows, inp, self.cfg.units, value.data(), dh, Some(grad), Some(b[0].grad_mut()?), need_dx)
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(cfg: VariationalConfig, stream: u32) -> Variational {
        Variational { cfg, params: Vec::new(), stream, saved: None, traced: None, kl: 0.0, input_grad: true }
    }

    /// Sets `β` (`layer.klWeight = w`, KL annealing): the next forward's KL and its gradient
    /// use it. An error naming `w` unless it is a finite number >= 0 (`β` is then unchanged).
    pub fn set_kl_weight(&mut self, w: f32) -> Result<()> {
        self.cfg.kl_weight = check_kl_weight(w)?;
        Ok(())
    }

    /// `(μ, log σ²)` for `x`, as `[rows·units]` each.
    fn heads(&self, x: &Tensor) -> Result<(Vec<f32>, Vec<f32>)> {
        let [wm, bm, wv, bv] = &self.params[..] else {
            return Err(Error::Internal { msg: "variational used before build".into() });
        };
        let (rows, inp) = rows_cols(x);
        if inp != wm.value.dims()[0] {
            bail!("variational", "input has {inp} features on its last axis but the layer was built for {} (input shape {})", wm.value.dims()[0], x.shape());
        }
        let head = |w: &Param, b: &Param| affine::forward("variational", x.data(), rows, inp, self.cfg.units, w.value.data(), Some(b.value.data()), None);
        Ok((head(wm, bm)?, head(wv, bv)?))
    }

    /// `β·KL` averaged over `batch`.
    fn kl_of(&self, mean: &[f32], log_var: &[f32], batch: usize) -> f32 {
        let s: f64 = mean.iter().zip(log_var).map(|(&m, &v)| -0.5 * (1.0 + v as f64 - (m as f64).powi(2) - (v as f64).exp())).sum();
        (self.cfg.kl_weight as f64 * s / batch.max(1) as f64) as f32
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn out_shape(&self, x: &Tensor) -> Result<Shape> {
        let mut dims = x.dims().to_vec();
        *dims.last_mut().ok_or_else(|| Error::invalid("variational", "input must have at least one dimension"))? = self.cfg.units;
        Shape::new("variational", &dims)
    }

    /// The mean and log-variance heads for `x` (`layer.encodeDistribution`), at inference.
    pub fn distribution(&mut self, x: &Tensor) -> Result<(Tensor, Tensor)> {
        let (mean, log_var) = self.heads(x)?;
        let shape = self.out_shape(x)?;
        Ok((Tensor::new("variational", shape.clone(), mean)?, Tensor::new("variational", shape, log_var)?))
    }
}

impl Layer for Variational {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "variational"
    }

    /// Any input whose last axis has the heads' input features.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        let want = self.params.first()?.value.dims()[0];
        Some(super::last_axis_resize("variational", want, input, self.cfg.units))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], init: Init) -> Result<Vec<usize>> {
        let Some(&inp) = input.last() else {
            bail!("variational", "input must have at least one dimension per sample, got shape []");
        };
        let units = self.cfg.units;
        let mut params = Vec::with_capacity(4);
        for (i, (wname, bname)) in [("mean_kernel", "mean_bias"), ("log_var_kernel", "log_var_bias")].into_iter().enumerate() {
            let mut w = Tensor::zeros("variational", Shape::new("variational", &[inp, units])?)?;
            init.fill("variational", &Initializer::GlorotUniform.into(), &mut w, inp, units, 2 * i as u32)?;
            params.push(Param::new(wname, w, None)?);
            params.push(Param::new(bname, Tensor::zeros("variational", Shape::from([units]))?, None)?);
        }
        self.params = params;
        let mut out = input.to_vec();
        *out.last_mut().expect("non-empty") = units;
        Ok(out)
    }

    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let (mean, log_var) = self.heads(&x)?;
        let batch = x.dims().first().copied().unwrap_or(1);
        self.kl = self.kl_of(&mean, &log_var, batch);
        let shape = self.out_shape(&x)?;
        let random = mode.random();
        if random.is_none() && !mode.fitting() {
            if mode.keeps() {
                self.saved = None;
                self.traced = Some(x);
            }
            return Tensor::new("variational", shape, mean);
        }
        self.traced = None;
        // Held (fit through a `training: false` node): the mean, as a sample with ε = 0, so
        // backward adds the KL's gradient to both heads.
        let mut rng = random.map(|(seed, step)| Philox::new(step_seed(seed, step) ^ 0x7a5e_11ab, self.stream));
        let mut eps = crate::tensor::alloc("variational", mean.len())?;
        let mut z = crate::tensor::alloc("variational", mean.len())?;
        for (((zv, e), &m), &v) in z.iter_mut().zip(eps.iter_mut()).zip(&mean).zip(&log_var) {
            *zv = match &mut rng {
                Some(r) => {
                    *e = r.normal_f32();
                    m + (0.5 * v).exp() * *e
                }
                None => m,
            };
        }
        let beta = if mode.fitting() { self.cfg.kl_weight } else { 0.0 };
        self.saved = Some(Saved { x, mean, log_var, eps, beta });
        Tensor::new("variational", shape, z)
    }

    fn backward(&mut self, dz: Tensor) -> Result<Tensor> {
        if let Some(x) = self.traced.take() {
            // Inference outputs the mean head μ = x·Wμ + bμ: its backward, none for the
            // log-variance head (the KL is a loss term, not part of the output).
            let dx = self.head_backward(0, &x, dz.data(), self.input_grad)?;
            for p in &mut self.params[2..] {
                p.grad_mut()?.fill(0.0);
            }
            return match dx {
                Some(dx) => Tensor::new("variational", x.shape().clone(), dx),
                None => Ok(dz),
            };
        }
        let Saved { x, mean, log_var, eps, beta } = self.saved.take().ok_or_else(|| super::no_forward("variational"))?;
        let batch = x.dims().first().copied().unwrap_or(1).max(1) as f32;
        let mut dmean = crate::tensor::alloc("variational", mean.len())?;
        let mut dlv = crate::tensor::alloc("variational", mean.len())?;
        for i in 0..mean.len().min(dz.size()) {
            let (d, m, v, e) = (dz.data()[i], mean[i], log_var[i], eps[i]);
            dmean[i] = d + beta * m / batch;
            dlv[i] = d * e * 0.5 * (0.5 * v).exp() + beta * 0.5 * (v.exp() - 1.0) / batch;
        }
        // dx is the sum of the two heads' parts.
        let dx = self.head_backward(0, &x, &dmean, self.input_grad)?;
        let part = self.head_backward(1, &x, &dlv, self.input_grad)?;
        match (dx, part) {
            (Some(mut dx), Some(part)) => {
                for (a, &b) in dx.iter_mut().zip(&part) {
                    *a += b;
                }
                Tensor::new("variational", x.shape().clone(), dx)
            }
            _ => Ok(dz),
        }
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        self.params.iter_mut().collect()
    }

    fn params(&self) -> Vec<&Param> {
        self.params.iter().collect()
    }

    fn kl_loss(&self) -> Option<f32> {
        Some(self.kl)
    }

    fn set_input_grad(&mut self, on: bool) {
        self.input_grad = on;
    }

    fn as_variational_mut(&mut self) -> Option<&mut Variational> {
        Some(self)
    }
}

/// Whether `model` holds a variational layer (nested models included).
pub fn contains_variational(model: &Sequential) -> bool {
    model.kl_loss().is_some()
}

/// What [`encode_distribution`] ran, for the gradient tape: per model level from the outside
/// in, the model, how many of its layers ran before the one holding the variational layer, and
/// their input; then the variational layer and its input.
pub struct DistributionTrail {
    pub prefixes: Vec<(LayerRef, usize, Tensor)>,
    pub layer: LayerRef,
    pub input: Tensor,
}

/// Runs `model` (whose shared reference is `net`) at inference up to and including its first
/// variational layer (looking into nested models) and returns that layer's `(mean, logVar)`
/// for `x`, and what ran; an error naming the model's layers when it has none.
pub fn encode_distribution(model: &mut Sequential, net: &LayerRef, x: &Tensor) -> Result<(Tensor, Tensor, DistributionTrail)> {
    // A model of unknown (null) size is first set for x's.
    model.fit_to("encodeDistribution", x, None)?;
    model.check_input("encodeDistribution", x)?;
    let mut prefixes = Vec::new();
    match walk(model, net, x.clone(), &mut prefixes)? {
        Some((mean, log_var, layer, input)) => Ok((mean, log_var, DistributionTrail { prefixes, layer, input })),
        None => Err(Error::invalid("encodeDistribution", format!("the model has no variational layer (its layers: {}); add layers.variational({{ units }}) to the encoder", model.kinds().join(", ")))),
    }
}

/// `(mean, logVar, the variational layer, its input)`; `prefixes` gets each level's part of
/// [`DistributionTrail::prefixes`].
type Found = (Tensor, Tensor, LayerRef, Tensor);

fn walk(model: &mut Sequential, net: &LayerRef, x0: Tensor, prefixes: &mut Vec<(LayerRef, usize, Tensor)>) -> Result<Option<Found>> {
    let mut x = x0.clone();
    for (i, l) in model.children().iter().enumerate() {
        let mut node = lock(l)?;
        let layer = node.layer_mut();
        if let Some(v) = layer.as_variational_mut() {
            prefixes.push((net.clone(), i, x0));
            let (mean, log_var) = v.distribution(&x)?;
            return Ok(Some((mean, log_var, l.clone(), x)));
        }
        if let Some(inner) = layer.as_sequential_mut() {
            if contains_variational(inner) {
                prefixes.push((net.clone(), i, x0));
                return walk(inner, l, x, prefixes);
            }
        }
        x = node.forward(x, Mode::Infer)?;
    }
    Ok(None)
}

/// `layer.encodeDistribution(x)`: the `(mean, logVar)` of the variational layer `layer` (a
/// layer shared by every model that holds it) for `x`, the input of that layer.
pub fn layer_distribution(layer: &LayerRef, x: &Tensor) -> Result<(Tensor, Tensor)> {
    let mut node = lock(layer)?;
    let kind = node.layer().kind();
    match node.layer_mut().as_variational_mut() {
        Some(v) => v.distribution(x),
        None => Err(Error::invalid("encodeDistribution", format!("the layer is a {kind} layer, not a variational layer"))),
    }
}

/// `layer.klWeight = w`: sets `β` of the variational layer `layer`, one object shared by every
/// model holding it, so each uses `w` from its next forward on.
pub fn set_kl_weight(layer: &LayerRef, w: f32) -> Result<()> {
    // (TS sets it on variational layers only: a plain message, no formatting code.)
    match lock(layer)?.layer_mut().as_variational_mut() {
        Some(v) => v.set_kl_weight(w),
        None => Err(Error::invalid("klWeight", "the layer is not a variational layer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(units: usize, beta: f32, inp: usize) -> Variational {
        let mut l = Variational::new(VariationalConfig::from_abi(&[units as f32, beta]).unwrap(), 0);
        l.build(&[inp], Init::seeded(5)).unwrap();
        l
    }

    #[test]
    fn inference_outputs_the_mean_and_training_samples_around_it() {
        let mut l = layer(3, 1.0, 2);
        let x = Tensor::new("t", Shape::from([2, 2]), vec![0.5, -1.0, 1.5, 0.2]).unwrap();
        let (mean, lv) = l.distribution(&x).unwrap();
        assert_eq!(l.forward(x.clone(), Mode::Infer).unwrap().data(), mean.data());
        let z1 = l.forward(x.clone(), Mode::Train { seed: 1, step: 0 }).unwrap();
        let z2 = l.forward(x.clone(), Mode::Train { seed: 1, step: 0 }).unwrap();
        let z3 = l.forward(x, Mode::Train { seed: 1, step: 1 }).unwrap();
        assert_eq!(z1.data(), z2.data(), "seeded");
        assert_ne!(z1.data(), z3.data(), "a new ε per step");
        // KL: −½Σ(1 + v − μ² − e^v) / batch.
        let want: f64 = mean.data().iter().zip(lv.data()).map(|(&m, &v)| -0.5 * (1.0 + v as f64 - (m as f64).powi(2) - (v as f64).exp())).sum::<f64>() / 2.0;
        assert!((l.kl_loss().unwrap() as f64 - want).abs() < 1e-6);
    }

    /// A `β` set after build gives what a layer made with it gives (the KL and every gradient)
    /// from the next forward on; a backward keeps the `β` of its forward.
    #[test]
    fn kl_weight_set_after_build_acts_from_the_next_forward() {
        let x = Tensor::new("t", Shape::from([2, 2]), vec![0.5, -1.0, 1.5, 0.2]).unwrap();
        let dz = Tensor::new("t", Shape::from([2, 3]), vec![0.1, -0.2, 0.3, 0.0, 0.5, -0.4]).unwrap();
        let step = |l: &mut Variational, set_between: Option<f32>| {
            l.forward(x.clone(), Mode::Train { seed: 1, step: 0 }).unwrap();
            if let Some(w) = set_between {
                l.set_kl_weight(w).unwrap();
            }
            let dx = l.backward(dz.clone()).unwrap().data().to_vec();
            (l.kl_loss().unwrap(), dx, l.params().iter().map(|p| p.grad.clone()).collect::<Vec<_>>())
        };
        let (mut a, mut b) = (layer(3, 0.25, 2), layer(3, 2.0, 2));
        let quarter = step(&mut a, None);
        a.set_kl_weight(2.0).unwrap();
        assert_eq!(step(&mut a, None), step(&mut b, None), "as made with β = 2");
        assert_eq!(step(&mut a, Some(0.25)), step(&mut b, None), "set between forward and backward: the forward's β");
        assert_eq!(step(&mut a, None), quarter);
        for w in [-1.0, f32::NAN, f32::INFINITY] {
            let e = a.set_kl_weight(w).unwrap_err().to_string();
            assert!(e.starts_with("variational: klWeight must be a finite number >= 0, got "), "{e}");
        }
        assert_eq!(step(&mut a, None), quarter, "a refused β leaves the layer's");
    }

    #[test]
    fn bad_options_are_named() {
        let e = |p: &[f32]| VariationalConfig::from_abi(p).unwrap_err().to_string();
        assert_eq!(e(&[0.0, 1.0]), "variational: units must be a positive integer, got 0");
        assert_eq!(e(&[2.0, -1.0]), "variational: klWeight must be a finite number >= 0, got -1");
        assert_eq!(e(&[2.0]), "variational: config is missing `klWeight` (parameter 1)");
    }

    #[test]
    fn encode_distribution_needs_a_variational_layer() {
        let mut m = Sequential::new(1);
        m.add(crate::model::shared(super::super::reshape::Reshape::flatten())).unwrap();
        m.build_all(&[2]).unwrap();
        let x = Tensor::new("t", Shape::from([1, 2]), vec![1.0, 2.0]).unwrap();
        assert_eq!(
            encode_distribution(&mut m, &crate::model::shared(Sequential::new(0)), &x).err().unwrap().to_string(),
            "encodeDistribution: the model has no variational layer (its layers: flatten); add layers.variational({ units }) to the encoder"
        );
    }

    /// A VAE `[encoder [dense, variational], dense]`: the outer model finds the variational
    /// layer inside the nested encoder and reports its KL; the shared layer itself (as
    /// `layer.encodeDistribution` finds it by path) gives the same distribution.
    #[test]
    fn nested_encoders_are_searched() {
        use crate::layers::from_abi;
        let dense = |units: f32| vec![units, 1.0, 9.0, 0.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0.0, 0.0];
        let mut enc = Sequential::new(2);
        enc.add(from_abi(0, &dense(3.0), 0).unwrap()).unwrap();
        enc.add(from_abi(11, &[2.0, 1.0], 1).unwrap()).unwrap();
        let mut vae = Sequential::new(3);
        vae.add(crate::model::shared(enc)).unwrap();
        vae.add(from_abi(0, &dense(4.0), 1).unwrap()).unwrap();
        vae.build_all(&[4]).unwrap();
        assert_eq!(vae.loss_terms().unwrap(), (true, false));
        let x = Tensor::new("t", Shape::from([2, 4]), vec![0.1, 0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8]).unwrap();
        let outer = crate::model::shared(Sequential::new(0)); // stands for vae's own reference
        let (mean, log_var, trail) = encode_distribution(&mut vae, &outer, &x).unwrap();
        assert_eq!(mean.dims(), &[2, 2]);
        // What ran: the outer model's first child holds the variational layer (no layer before
        // it), inside it one dense layer ran; the variational layer's input is that output.
        assert_eq!(trail.prefixes.iter().map(|(_, end, t)| (*end, t.dims().to_vec())).collect::<Vec<_>>(), vec![(0, vec![2, 4]), (1, vec![2, 4])]);
        assert_eq!(trail.input.dims(), &[2, 3]);
        assert!(std::rc::Rc::ptr_eq(&trail.layer, &vae.children()[0].borrow().layer().as_sequential().unwrap().children()[1]));
        let (_, activity, kl) = vae.predict_with_activity(&x, 32).unwrap();
        assert_eq!(activity, 0.0);
        let want: f32 = mean.data().iter().zip(log_var.data()).map(|(&m, &v)| -0.5 * (1.0 + v - m * m - v.exp())).sum::<f32>() / 2.0;
        assert!((kl - want).abs() < 1e-5, "{kl} vs {want}");
        // The dense output, then the layer on its own: the same distribution.
        let h = {
            let mut enc = lock(&vae.children()[0]).unwrap();
            let inner = enc.layer_mut().as_sequential_mut().unwrap();
            let h = lock(&inner.children()[0]).unwrap().layer_mut().forward(x.clone(), Mode::Infer).unwrap();
            h
        };
        let (var, dense) = {
            let enc = lock(&vae.children()[0]).unwrap();
            let inner = enc.layer().as_sequential().unwrap();
            (inner.children()[1].clone(), inner.children()[0].clone())
        };
        let (m2, v2) = layer_distribution(&var, &h).unwrap();
        assert_eq!((m2.data(), v2.data()), (mean.data(), log_var.data()));
        assert_eq!(layer_distribution(&dense, &h).unwrap_err().to_string(), "encodeDistribution: the layer is a dense layer, not a variational layer");
    }
}
