//! Layers: config + parameters + forward/backward, one file per layer.
//!
//! A layer maps a batch `[batch, ...in]` to `[batch, ...out]`. `build` creates its parameters
//! from the per-sample input shape (the batch dimension is never part of it). `forward` takes
//! the input by value so the layer can keep what its backward pass needs without a copy;
//! `backward` takes `dL/dy` and returns `dL/dx`, writing parameter gradients into each
//! [`Param::grad`] (overwriting: one backward per step).
//!
//! Adding a layer: a file here with a `<Name>Config` (plain data, `from_abi`) and a struct that
//! implements [`Layer`]; a `LayerKind` arm in `from_abi` below; a TS class in `ts/layers/` (the full checklist: `CONTRIBUTING.md`, "Adding a layer").

pub mod activation;
pub mod alpha_dropout;
pub mod batch_norm;
pub mod border;
pub mod conv2d;
pub mod conv2d_transpose;
pub mod dense;
pub mod depthwise_conv2d;
pub mod dot;
pub mod dropout;
pub mod embedding;
pub mod gaussian_dropout;
pub mod gaussian_noise;
pub mod layer_norm;
pub mod masking;
pub mod merge;
pub mod normalization;
pub mod one_d;
pub mod permute;
pub mod pooling;
pub mod prelu;
pub mod rbf;
pub mod repeat_vector;
pub mod reshape;
pub mod salt_and_pepper;
pub mod spatial_dropout;
pub mod thresholded_relu;
pub mod up_sampling;
pub mod variational;

use crate::regularizers::Regularizer;
use crate::{Result, Tensor};

/// A trainable (or frozen) weight of a layer.
#[derive(Clone, Debug)]
pub struct Param {
    /// TF.js's and Keras's name of the weight (`kernel`, `bias`, `moving_mean`, `depthwise_kernel`,
    /// ...): the facade shows it as it is and saved files use it.
    pub name: &'static str,
    pub value: Tensor,
    /// `dL/dvalue` from the last backward pass: empty until the first backward (or update)
    /// needs it, then as long as `value` (allocated by [`Param::grad_mut`] only, so a model
    /// that only predicts holds its weights once).
    pub grad: Vec<f32>,
    /// Frozen parameters get no gradient update (batch-norm moving statistics are never trainable).
    pub trainable: bool,
    pub regularizer: Option<Regularizer>,
    /// The values the weight may hold (checked when weights are set or loaded).
    pub domain: Domain,
    /// The projection applied after each optimizer update of the weight (axes resolved for its
    /// shape); set by the layer's [`Node`](crate::model::shared::Node) when it is built.
    pub constraint: Option<crate::constraints::Constraint>,
}

/// The values a weight may hold besides being a number: an RBF width must not be 0 (the unit
/// divides by its square; training may take it through 0 to a negative width, which acts as
/// its absolute value), a moving variance >= 0 (batch normalization takes its square root).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    Any,
    NonZero,
    NonNegative,
}

impl Domain {
    /// The flat index of the first value outside the domain (NaN is left to the finiteness check).
    pub fn first_outside(self, values: &[f32]) -> Option<usize> {
        match self {
            Domain::Any => None,
            Domain::NonZero => values.iter().position(|&v| v == 0.0),
            Domain::NonNegative => values.iter().position(|&v| v < 0.0),
        }
    }

    /// The rule, for messages: `> 0`, `>= 0` (empty for `Any`).
    pub fn rule(self) -> &'static str {
        match self {
            Domain::Any => "",
            Domain::NonZero => "!= 0 (a width enters squared)",
            Domain::NonNegative => ">= 0",
        }
    }
}

impl Param {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(name: &'static str, value: Tensor, regularizer: Option<Regularizer>) -> Result<Param> {
        Ok(Param { name, value, grad: Vec::new(), trainable: true, regularizer, domain: Domain::Any, constraint: None })
    }

    /// The gradient to write, allocated (zeros, as long as `value`) on first use: the one place
    /// that allocates it. Every backward that fills a weight's gradient and every update that
    /// reads one goes through here; once allocated it is kept (and counted by `memory()`) for
    /// the life of the weight. Running out of memory is an [`Error::OutOfMemory`](crate::Error)
    /// naming the weight.
    #[inline(never)]
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn grad_mut(&mut self) -> Result<&mut [f32]> {
        if self.grad.len() != self.value.size() {
            self.grad = crate::tensor::alloc(self.name, self.value.size())?;
        }
        Ok(&mut self.grad)
    }

    /// The value and the gradient to write ([`Param::grad_mut`]), borrowed together for a
    /// backward that reads the one and fills the other.
    #[inline(never)]
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn value_and_grad(&mut self) -> Result<(&Tensor, &mut [f32])> {
        self.grad_mut()?;
        Ok((&self.value, &mut self.grad))
    }

    /// A copy of the last gradient, zeros if no backward has written it yet.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn grad_copy(&self, op: &'static str) -> Result<Vec<f32>> {
        if self.grad.len() == self.value.size() {
            crate::tensor::copy_of(op, &self.grad)
        } else {
            crate::tensor::alloc(op, self.value.size())
        }
    }

    /// A non-trainable state tensor (e.g. a moving mean).
    pub fn state(name: &'static str, value: Tensor) -> Param {
        Param { name, value, grad: Vec::new(), trainable: false, regularizer: None, domain: Domain::Any, constraint: None }
    }

    /// Applies the weight's constraint, if any, to its value (after an optimizer update);
    /// `norms` is scratch reserved with [`Constraint::reserve`](crate::constraints::Constraint::reserve).
    /// The value must be unshared already (`try_data_mut`), as before an update.
    pub fn constrain(&mut self, norms: &mut Vec<f64>) {
        if let Some(c) = &self.constraint {
            let dims = self.value.dims().to_vec();
            c.project(&dims, self.value.data_mut(), norms);
        }
    }

    /// The same weight, restricted to `domain` when set or loaded.
    pub fn within(mut self, domain: Domain) -> Param {
        self.domain = domain;
        self
    }
}

/// What [`Layer::build`] puts in the weights it creates.
///
/// NOTE: skipping the initializers changes nothing else. Each initializer draws from its own
/// counter-based Philox stream `(seed, stream)` (see [`crate::rng`]), made for that one weight
/// and dropped after it: no generator state is shared with the dropout and noise masks (keyed
/// by the trainer's seed, the step and the layer's construction index) or the shuffles (keyed
/// by the model handle's seed and the epoch). So a model built without them and then given
/// every weight is bit-identical, in every later use, to one built with them and given the
/// same weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Init {
    /// The layer's seed (its model's seed mixed with the layer's index).
    pub seed: u64,
    /// `false` skips the initializers: the weights stay as allocated, zeros (a layer's own
    /// constants, such as a batch norm's γ = 1 or an RBF layer's configured widths, are set
    /// as always). For a caller that sets every weight right after (loading a saved model),
    /// to which the random draws are wasted work: they were most of `loadModel`'s time.
    pub fill: bool,
}

impl Init {
    /// The initializers run, seeded with `seed`.
    pub fn seeded(seed: u64) -> Init {
        Init { seed, fill: true }
    }

    /// Fills the weight `w` with `init`'s values for the given fans, from stream `stream` of
    /// the layer's seed, or from the initializer's own seed when it has one (TF.js's `seed`:
    /// see [`WeightInit`](crate::initializers::WeightInit)); leaves `w` as it is (zeros) when
    /// `fill` is off. An initializer that does not fit the weight's shape (`orthogonal` on a
    /// bias, `identity` on a non-square kernel) is an error naming `op`, even when `fill` is
    /// off (a loaded model keeps its config, which must stay buildable).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn fill(self, op: &'static str, init: &crate::initializers::WeightInit, w: &mut crate::Tensor, fan_in: usize, fan_out: usize, stream: u32) -> Result<()> {
        init.kind.check_shape(op, w.dims())?;
        if self.fill {
            let (seed, stream) = init.seed.map_or((self.seed, stream), |own| (own, 0));
            let shape = w.dims().to_vec();
            init.kind.fill(op, w.try_data_mut(op)?, &shape, fan_in, fan_out, seed, stream)?;
        }
        Ok(())
    }
}

/// Whether a forward pass is part of training (dropout active, batch statistics used, the
/// layer keeps what backward needs), inference, or inference that keeps what backward needs
/// (the gradient tape's rule for `predict`: `dL/dx` of the inference function).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Train {
        /// Seed of the run and the global step, for per-step random masks.
        seed: u64,
        step: u64,
    },
    Infer,
    /// Inference values (no noise, moving statistics, a variational layer's mean); the layer
    /// keeps what `backward` needs to differentiate exactly that function.
    Trace,
    /// `apply(x, { training: true })`: training values (masks, noise and samples drawn from
    /// the seed and step, batch statistics) and the moving statistics updated, as `fit`'s
    /// forward; the layer keeps what `backward` needs for the function of [`Mode::Replay`]
    /// (the output has no loss terms), so the tape can differentiate the call on its caches.
    Apply { seed: u64, step: u64 },
    /// Training values again — the masks, noise and samples of the `Mode::Apply` call with the
    /// same seed and step, batch statistics — without updating any state (moving statistics):
    /// the gradient tape's rule for `apply(x, { training: true })` differentiates that
    /// function, whose output has no loss terms (no activity penalty or KL in `backward`).
    Replay { seed: u64, step: u64 },
    /// `fit`'s forward through a graph model's node applied with `training: false` (Keras's
    /// `base(x, training=False)`): inference values (no noise, moving statistics read and not
    /// updated, a variational layer's mean) kept for backward, which differentiates that
    /// function and, as in `Mode::Train`, adds the gradients of the layer's loss terms (an
    /// activity penalty, a variational KL): Keras adds a layer's losses whatever `training` says.
    Held,
}

impl Mode {
    /// Training semantics: random masks and noise, batch statistics.
    pub fn training(self) -> bool {
        matches!(self, Mode::Train { .. } | Mode::Apply { .. } | Mode::Replay { .. })
    }

    /// Whether the forward updates the layers' state (batch norm's moving statistics).
    pub fn updates_state(self) -> bool {
        matches!(self, Mode::Train { .. } | Mode::Apply { .. })
    }

    /// The seed and step of the random draws (masks, noise, samples), when there are any.
    pub fn random(self) -> Option<(u64, u64)> {
        match self {
            Mode::Train { seed, step } | Mode::Apply { seed, step } | Mode::Replay { seed, step } => Some((seed, step)),
            _ => None,
        }
    }

    /// Whether the output is a training loss's input (`fit`): the layer's loss terms (activity
    /// penalties, a variational KL) add their gradients in `backward`.
    pub fn fitting(self) -> bool {
        matches!(self, Mode::Train { .. } | Mode::Held)
    }

    /// The mode of a node applied with `training: false` in a graph model run in this mode:
    /// inference behaviour that keeps what this mode keeps (`fit`: [`Mode::Held`]; the tape's
    /// training call and its replay: [`Mode::Trace`]).
    pub fn held(self) -> Mode {
        match self {
            Mode::Train { .. } | Mode::Held => Mode::Held,
            Mode::Infer => Mode::Infer,
            _ => Mode::Trace,
        }
    }

    /// Whether the layer keeps what `backward` needs (training or tracing).
    pub fn keeps(self) -> bool {
        !matches!(self, Mode::Infer)
    }

    /// The mode of batch `group` of a layer whose uses in a graph model run as one batch per
    /// input shape ([`crate::model::graph`]): batch 0 keeps the seed, so a layer used at one
    /// shape draws what it always drew; each later batch draws from the seed mixed with its
    /// index. NOTE: with one seed for all, the noise of a use at `[48]` was the first values of
    /// the noise of a use at `[64]` (correlation 1 between the two uses' streams).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn for_group(self, group: usize) -> Mode {
        let Some((seed, step)) = self.random().filter(|_| group > 0) else { return self };
        let seed = crate::rng::mix(seed, group as u64);
        match self {
            Mode::Train { .. } => Mode::Train { seed, step },
            Mode::Apply { .. } => Mode::Apply { seed, step },
            _ => Mode::Replay { seed, step },
        }
    }
}

/// What a layer does with a mask over its input's rows (every axis but the last: the steps of
/// `[batch, steps, features]`), Keras 3's `supports_masking` and `compute_mask`. A mask is made
/// by an embedding with `maskZero` or a `masking` layer, carried by a model's forward beside
/// each value ([`crate::model::Sequential`], and a graph model's wiring node by node) and used
/// by the loss and metrics of the output it reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Masking {
    /// The layer cannot take a mask (Keras 3 warns and drops it; neurite refuses the model).
    Refuse,
    /// The output's rows are the input's, and so is the mask (dense, activations, dropout, …).
    Pass,
    /// The layer uses the mask and its output has none (`globalAveragePooling1d`; `dot`, as
    /// Keras 3's, drops it unused).
    Consume,
    /// The layer makes a new mask from its input ([`Layer::compute_mask`]).
    Make,
    /// The layer uses the mask and passes it on (batchNormalization's training statistics):
    /// its forward is [`Layer::forward_with_mask`].
    Use,
    /// A merge layer of a graph model: Keras 3's `compute_mask` of its inputs' masks. The
    /// element-wise merges (add, subtract, multiply, average, maximum, minimum) OR them, and
    /// have none when an input has none; `concatenate` along the last axis ORs them with an
    /// unmasked input's rows counted as kept (any mask in: a mask out), and along another
    /// axis concatenates them there. Multiply, maximum and minimum read the masks in their
    /// values too (see `merge.rs`).
    Merge,
    /// A nested model: its layers carry the mask that reaches its input (given to
    /// [`Layer::forward_with_mask`]) by their own rules, and its output carries what reaches it there
    /// (Keras 3 keeps the mask the nested model's last layer set), as if its layers were in
    /// the enclosing model.
    Model,
}

/// A layer of a model.
pub trait Layer {
    /// What the layer does with a mask over its input's rows (see [`Masking`]).
    fn masking(&self) -> Masking {
        Masking::Refuse
    }

    /// For [`Masking::Make`]: 1 for each row of the output that counts, 0 for a masked one, from
    /// the input `x` (an embedding's indices: 0 is masked).
    fn compute_mask(&self, _x: &Tensor) -> Option<Vec<f32>> {
        None
    }

    /// For [`Masking::Consume`], [`Masking::Use`] and [`Masking::Model`]: the forward with
    /// `mask` over the input's rows (`None`: none), as [`Layer::forward`] otherwise. The mask is
    /// an argument, never state: it lives for this one forward, so a forward that fails (or is
    /// abandoned) cannot leave it for the next call of the layer, in this model or another.
    fn forward_with_mask(&mut self, x: Tensor, mask: Option<Vec<f32>>, mode: Mode) -> Result<Tensor> {
        let _ = mask;
        self.forward(x, mode)
    }

    /// The layer type, as the TS API names it (`dense`, `dropout`, ...).
    fn kind(&self) -> &'static str;

    /// Creates parameters for the per-sample `input` shape and returns the per-sample output
    /// shape; `init` says whether the initializers fill them (see [`Init`]).
    fn build(&mut self, input: &[usize], init: Init) -> Result<Vec<usize>>;

    /// Sets a built layer for another per-sample `input` shape, keeping its weights, and
    /// returns the output shape: TF.js reuses a layer at any shape its weights fit (a dense
    /// layer's last axis, a convolution's channels, an embedding's anything). `None`: the layer
    /// keeps the one shape it was built for (the default; a nested model, a layer whose weights
    /// span the whole sample). An input the weights do not fit is an error naming both shapes,
    /// and leaves the layer as it was. [`Node`](crate::model::shared::Node) calls it before a
    /// forward at another shape (a backward uses the geometry of its forward's shape).
    fn resize(&mut self, _input: &[usize]) -> Option<Result<Vec<usize>>> {
        None
    }

    /// `y = f(x)`. In `Mode::Train` the layer keeps what `backward` needs.
    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor>;

    /// Given `dL/dy` for the last forward that kept its values (`Mode::Train` or `Mode::Trace`,
    /// whose function it differentiates), fills parameter gradients and returns `dL/dx`.
    fn backward(&mut self, dy: Tensor) -> Result<Tensor>;

    /// Checks a whole input `x` (`[samples, ...]`, the argument `x` of `fit`, `evaluate` or
    /// `predict`) before it is cut into batches, for a layer that reads the model's input:
    /// values it refuses (an embedding's indices) are then named by their position in that
    /// argument, which messages call `arg`: `x` or a model input's name.
    fn check_data(&self, _arg: &str, _x: &Tensor) -> Result<()> {
        Ok(())
    }

    /// Whether [`Layer::check_data`] checks anything: a model of several inputs then skips
    /// splitting its packed input for it (a copy of the whole `x`).
    fn checks_data(&self) -> bool {
        false
    }

    /// Visits the parameters (and non-trainable state) in a fixed order.
    fn params_mut(&mut self) -> Vec<&mut Param> {
        Vec::new()
    }

    fn params(&self) -> Vec<&Param> {
        Vec::new()
    }

    /// Loss added by an activity regularizer during the last forward (already divided by the
    /// batch size).
    fn activity_loss(&self) -> f32 {
        0.0
    }

    /// Whether the layer has an activity regularizer (so `fit` reports a `regularization` part).
    fn has_activity_regularizer(&self) -> bool {
        false
    }

    /// The extra loss of a layer that adds one to the objective, `None` for the others: a
    /// variational layer's weighted KL divergence from its last forward (mean over the batch).
    /// As with [`Layer::activity_loss`], the trainer adds the value to the loss and the layer
    /// adds its gradient itself in `backward`.
    fn kl_loss(&self) -> Option<f32> {
        None
    }

    /// The activation applied last, when the layer ends in one (used to fuse softmax with
    /// cross-entropy: the gradient w.r.t. the logits is then simply `p − y`).
    fn output_activation(&self) -> Option<crate::activations::Activation> {
        None
    }

    /// Whether `backward` must return `dL/dx`. The first layer of a model being trained does
    /// not: its input is data. When off, a layer may skip that work and return any tensor.
    fn set_input_grad(&mut self, _on: bool) {}

    /// Backward from `dL/dz`, the gradient w.r.t. the input of the final activation.
    fn backward_pre_activation(&mut self, _dz: Tensor) -> Result<Tensor> {
        Err(no_fused_backward(self.kind()))
    }

    /// The nested model, when this layer is one (its layers can be frozen one by one).
    fn as_sequential(&self) -> Option<&crate::model::Sequential> {
        None
    }

    fn as_sequential_mut(&mut self) -> Option<&mut crate::model::Sequential> {
        None
    }

    /// The variational layer, when this layer is one (`encodeDistribution`).
    fn as_variational_mut(&mut self) -> Option<&mut variational::Variational> {
        None
    }

    /// The merge layer, when this layer is one: the only layers with several inputs (graph
    /// models call its `build_many`, `forward_many` and `backward_many`).
    fn as_merge_mut(&mut self) -> Option<&mut merge::Merge> {
        None
    }
}

/// The rows × columns view of a batch over its last axis: `[.., n]` → `(size / n, n)`.
pub fn rows_cols(t: &Tensor) -> (usize, usize) {
    let cols = t.dims().last().copied().unwrap_or(1);
    let rows = if cols == 0 { 0 } else { t.size() / cols };
    (rows, cols)
}

/// A copy of an optional per-feature parameter (a normalisation's γ or β), or `c` copies of
/// `default` when the layer has none (`scale` or `center` off).
pub(crate) fn values_or(op: &'static str, p: &Option<Param>, c: usize, default: f32) -> crate::Result<Vec<f32>> {
    match p {
        Some(p) => crate::tensor::copy_of(op, p.value.data()),
        None => crate::tensor::try_vec(op, c, default),
    }
}

/// `act(z)` as a new tensor beside `z`, for a forward that keeps both for backward; the
/// identity shares `z`'s buffer.
pub(crate) fn activated(op: &'static str, act: &crate::activations::Activation, z: &Tensor, cols: usize) -> Result<Tensor> {
    if is_identity(act) {
        return Ok(z.clone());
    }
    let mut y = Tensor::zeros(op, z.shape().clone())?;
    act.forward(z.data(), y.data_mut(), cols);
    Ok(y)
}

/// dL/dz from dL/dy through the output activation (`y = act(z)`); the identity passes `dy` on.
pub(crate) fn activation_backward(op: &'static str, act: &crate::activations::Activation, z: &Tensor, y: &Tensor, dy: Tensor, cols: usize) -> Result<Tensor> {
    if is_identity(act) {
        return Ok(dy);
    }
    let mut dz = Tensor::zeros(op, z.shape().clone())?;
    act.backward(z.data(), y.data(), dy.data(), dz.data_mut(), cols);
    Ok(dz)
}

/// The batch size of an image batch `x` that a layer built for per-sample `[h, w, c]` receives;
/// an error naming `op` and both shapes when `x` is not `[batch, h, w, c]`.
pub(crate) fn image_batch(op: &'static str, x: &Tensor, [h, w, c]: [usize; 3]) -> Result<usize> {
    if x.dims().len() != 4 || x.dims()[1..] != [h, w, c] {
        crate::bail!(op, "input has shape {} but the layer was built for [batch, {h}, {w}, {c}]", x.shape());
    }
    Ok(x.dims()[0])
}

/// The error of [`Layer::resize`] for an input whose `what` (e.g. `last axis`) the weights do
/// not fit: `op` was built for `want` there, and the input has `got`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub(crate) fn refit_error(op: &'static str, what: &str, want: usize, got: usize) -> crate::Error {
    crate::Error::shape(op, format!("its weights fit {want} on the {what}, not {got}; a layer keeps its weights wherever it is used (shared between models or used twice), so only the other axes may differ"))
}

/// [`Layer::resize`] of a layer whose weights fit only `want` values on the last axis (dense,
/// the normalisations, prelu): `input` itself, which the output keeps but for `units` there.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub(crate) fn last_axis_resize(op: &'static str, want: usize, input: &[usize], units: usize) -> Result<Vec<usize>> {
    match input.last() {
        Some(&got) if got == want => {
            let mut out = input.to_vec();
            *out.last_mut().unwrap_or_else(|| unreachable!()) = units;
            Ok(out)
        }
        got => Err(refit_error(op, "last axis", want, got.copied().unwrap_or(0))),
    }
}

/// Whether `a` is the identity (`linear` with slope 1 and intercept 0), which layers skip.
pub fn is_identity(a: &crate::activations::Activation) -> bool {
    matches!(a, crate::activations::Activation::Linear { slope, intercept } if *slope == 1.0 && *intercept == 0.0)
}

/// The error of [`Layer::backward_pre_activation`] on a layer without a fused activation: one
/// out-of-line body instead of a `format!` in every layer's copy of the default method.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
fn no_fused_backward(kind: &str) -> crate::Error {
    crate::Error::Internal { msg: format!("{kind} has no fused activation backward") }
}

/// `{op}: {field} must be {rule}, got {v}`: the range error of a layer option (and of a
/// constraint's), one out-of-line body instead of a `format!` inlined into `from_abi` per layer.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[cold]
#[inline(never)]
pub(crate) fn out_of_range(op: &'static str, field: &str, rule: &str, v: f32) -> crate::Error {
    crate::Error::invalid(op, format!("{field} must be {rule}, got {}", crate::error::js_number(v)))
}

/// The dropout family's `rate` (dropout, gaussianDropout, alphaDropout, spatialDropout1d):
/// in [0, 1), else the error naming the layer.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub(crate) fn dropout_rate(op: &'static str, rate: f32) -> Result<f32> {
    if !(0.0..1.0).contains(&rate) {
        return Err(out_of_range(op, "rate", "in [0, 1)", rate));
    }
    Ok(rate)
}

/// A layer's output length `n·k + add` (up-sampling, zero padding), or an error naming `what`
/// when it is more than a dimension holds (computed in u64: it wrapped around on wasm32).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub(crate) fn out_len(op: &'static str, n: usize, k: usize, add: usize, what: &str) -> Result<usize> {
    let v = n as u64 * k as u64 + add as u64;
    if v > crate::shape::MAX_DIM as u64 {
        crate::bail!(op, "{what} is {v}, more than a dimension holds ({})", crate::shape::MAX_DIM);
    }
    Ok(v as usize)
}

/// The "used before a training forward" bug error.
pub(crate) fn no_forward(kind: &str) -> crate::Error {
    crate::Error::Internal { msg: format!("{kind}: backward called without a training forward") }
}

/// The backward of a layer that scaled each value by a factor it kept from its forward
/// (dropout's mask, Gaussian dropout's noise, alpha dropout's `a` or 0): `dy ⊙ factors`. An
/// empty list is the identity (a traced forward, an empty batch, rate 0); none kept is the
/// "used before a training forward" bug error.
#[inline(never)]
pub(crate) fn scale_by_kept(kind: &'static str, kept: Option<Vec<f32>>, mut dy: Tensor) -> Result<Tensor> {
    let factors = kept.ok_or_else(|| no_forward(kind))?;
    if factors.is_empty() {
        return Ok(dy);
    }
    for (d, f) in dy.try_data_mut(kind)?.iter_mut().zip(&factors) {
        *d *= f;
    }
    Ok(dy)
}

/// The seed of training step `step`: random layers draw a fresh mask per step from it.
pub fn step_seed(seed: u64, step: u64) -> u64 {
    seed ^ step.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Layer kind ids of the C ABI (append-only) and their TS names (`ts/layers/layer.ts`
/// `LAYER_KINDS`, checked against this list by `test/codes.test.ts` through `nr_enum_name`).
pub const LAYER_KINDS: [&str; 50] = [
    "dense",
    "activation",
    "prelu",
    "dropout",
    "gaussianNoise",
    "batchNormalization",
    "layerNormalization",
    "flatten",
    "reshape",
    "rbf",
    "saltAndPepper",
    "variational",
    "conv2d",
    "maxPooling2d",
    "averagePooling2d",
    "globalMaxPooling2d",
    "globalAveragePooling2d",
    "upSampling2d",
    "conv2dTranspose",
    "zeroPadding2d",
    "cropping2d",
    "add",
    "subtract",
    "multiply",
    "average",
    "maximum",
    "minimum",
    "concatenate",
    "conv1d",
    "maxPooling1d",
    "averagePooling1d",
    "globalMaxPooling1d",
    "globalAveragePooling1d",
    "depthwiseConv2d",
    "separableConv2d",
    "embedding",
    "repeatVector",
    "permute",
    "rescaling",
    "dot",
    "thresholdedReLU",
    "gaussianDropout",
    "alphaDropout",
    "spatialDropout1d",
    "normalization",
    "masking",
    "conv1dTranspose",
    "upSampling1d",
    "zeroPadding1d",
    "cropping1d",
];

/// Creates a layer (unbuilt, not yet shared) from its ABI kind id and parameter list; `index` (its position in the
/// model) separates the random streams of random layers.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn from_abi(kind: u32, p: &[f32], index: u32) -> Result<crate::model::LayerRef> {
    use crate::config::Reader;
    use crate::model::shared;
    Ok(match kind {
        0 => shared(dense::Dense::new(dense::DenseConfig::from_abi(p)?)),
        1 => shared(activation::ActivationLayer::new(Reader::new("activation", p).activation()?)),
        2 => shared(prelu::PRelu::from_abi(p)?),
        3 => shared(dropout::Dropout::new(Reader::new("dropout", p).finite("rate")?, index)?),
        4 => shared(gaussian_noise::GaussianNoise::new(Reader::new("gaussianNoise", p).f32("stddev")?, index)?),
        5 => shared(batch_norm::BatchNorm::from_abi(p)?),
        6 => shared(layer_norm::LayerNorm::from_abi(p)?),
        7 => shared(reshape::Reshape::flatten()),
        8 => {
            let mut r = Reader::new("reshape", p);
            let n = r.usize("rank")?;
            let dims = r.slice(n, "targetShape")?;
            let mut target = Vec::with_capacity(n);
            for &d in dims {
                if !(d == -1.0 || (d >= 0.0 && d.fract() == 0.0)) {
                    return Err(out_of_range("reshape", "targetShape entries", "non-negative integers or -1", d));
                }
                target.push(d as i64);
            }
            shared(reshape::Reshape::reshape(target))
        }
        9 => shared(rbf::Rbf::new(rbf::RbfConfig::from_abi(p)?)),
        10 => shared(salt_and_pepper::SaltAndPepper::new(salt_and_pepper::SaltAndPepperConfig::from_abi(p)?, index)),
        11 => shared(variational::Variational::new(variational::VariationalConfig::from_abi(p)?, index)),
        12 => shared(conv2d::Conv2d::new(conv2d::Conv2dConfig::from_abi(p)?)),
        13 => shared(pooling::Pooling::from_abi("maxPooling2d", true, p)?),
        14 => shared(pooling::Pooling::from_abi("averagePooling2d", false, p)?),
        15 => shared(pooling::Pooling::global("globalMaxPooling2d", true)),
        16 => shared(pooling::Pooling::global("globalAveragePooling2d", false)),
        17 => shared(up_sampling::UpSampling::from_abi(p)?),
        // `hasOutputPadding, outputPadding(2)`, then conv2d's layout (Keras 3's output_padding).
        18 => shared(conv2d::Conv2d::transpose_from_abi("conv2dTranspose", p)?),
        19 => shared(border::Border2d::from_abi(false, p)?),
        20 => shared(border::Border2d::from_abi(true, p)?),
        21..=26 => {
            use merge::MergeOp::*;
            let op = [Add, Subtract, Multiply, Average, Maximum, Minimum][kind as usize - 21];
            shared(merge::Merge::new(op, -1))
        }
        27 => {
            let axis = Reader::new("concatenate", p).f32("axis")?;
            if axis.fract() != 0.0 || axis.abs() > 64.0 {
                return Err(out_of_range("concatenate", "axis", "an integer", axis));
            }
            shared(merge::Merge::new(merge::MergeOp::Concatenate, axis as i64))
        }
        // The 1-D layers: the 2-D ones on [1, steps, channels] (conv1d: `causal` first).
        28 => {
            let causal = Reader::new("conv1d", p).bool("padding")?;
            let cfg = conv2d::Conv2dConfig::read("conv1d", p.get(1..).unwrap_or_default())?;
            let pad = if causal { (cfg.window.size[1] - 1) * cfg.window.dilation[1] } else { 0 };
            let window = Some(cfg.window);
            shared(one_d::OneD::new("conv1d", Box::new(conv2d::Conv2d::new(cfg)), pad, window))
        }
        29 | 30 => {
            let (kind, max) = if kind == 29 { ("maxPooling1d", true) } else { ("averagePooling1d", false) };
            let pool = pooling::Pooling::from_abi(kind, max, p)?;
            let window = pool.window();
            shared(one_d::OneD::new(kind, Box::new(pool), 0, window))
        }
        31 => shared(one_d::OneD::new("globalMaxPooling1d", Box::new(pooling::Pooling::global("globalMaxPooling1d", true)), 0, None)),
        32 => shared(one_d::OneD::new("globalAveragePooling1d", Box::new(pooling::Pooling::global("globalAveragePooling1d", false)), 0, None)),
        33 | 34 => shared(depthwise_conv2d::DepthwiseConv2d::new(depthwise_conv2d::DepthwiseConv2dConfig::from_abi(kind == 34, p)?)),
        35 => shared(embedding::Embedding::from_abi(p)?),
        36 => shared(repeat_vector::RepeatVector::from_abi(p)?),
        37 => shared(permute::Permute::from_abi(p)?),
        38 => shared(activation::ActivationLayer::rescaling(p)?),
        39 => shared(merge::Merge::dot(dot::DotConfig::from_abi(p)?)),
        40 => shared(thresholded_relu::ThresholdedRelu::from_abi(p)?),
        41 => shared(gaussian_dropout::GaussianDropout::new(Reader::new("gaussianDropout", p).f32("rate")?, index)?),
        42 => shared(alpha_dropout::AlphaDropout::new(Reader::new("alphaDropout", p).f32("rate")?, index)?),
        43 => shared(spatial_dropout::SpatialDropout1d::new(Reader::new("spatialDropout1d", p).f32("rate")?, index)?),
        44 => shared(normalization::Normalization::from_abi(p)?),
        45 => shared(masking::MaskingLayer::from_abi(p)?),
        // Keras 3's Conv1DTranspose: conv2dTranspose's layout on [1, steps] (kernel, strides,
        // dilation and output padding as [1, n], [0, op]).
        46 => shared(one_d::OneD::new("conv1dTranspose", Box::new(conv2d::Conv2d::transpose_from_abi("conv1dTranspose", p)?), 0, None)),
        // Keras 3's UpSampling1D (`size`), ZeroPadding1D and Cropping1D (`start, end`): the
        // 2-D layers along the steps of [1, steps, channels].
        47 => shared(one_d::OneD::new("upSampling1d", Box::new(up_sampling::UpSampling::one_d(p)?), 0, None)),
        48 | 49 => {
            let inner = border::Border2d::one_d(kind == 49, p)?;
            shared(one_d::OneD::new(if kind == 49 { "cropping1d" } else { "zeroPadding1d" }, Box::new(inner), 0, None))
        }
        _ => crate::bail!("layer", "unknown layer kind id {kind}"),
    })
}

#[cfg(test)]
mod tests {
    use super::conv2d::{Conv2d, Conv2dConfig};
    use super::dense::{Dense, DenseConfig};
    use super::*;
    use crate::activations::Activation;
    use crate::initializers::Initializer;
    use crate::ops::window::Window;
    use crate::Shape;

    /// Inference applies a dense or convolution layer's activation on the GEMM's bands
    /// (`ops::affine::forward_into`); a forward that keeps values applies it after. Both give
    /// the same bits, for every activation, with rows too long for the in-place buffer
    /// (softmax over 1,500 units runs after the GEMM).
    #[test]
    fn inference_activates_with_the_bits_of_a_keeping_forward() {
        let wave = |n: usize, phase: f32| -> Vec<f32> { (0..n).map(|i| (i as f32 * 0.37 + phase).sin() * 3.0).collect() };
        let same = |a: &Tensor, b: &Tensor| a.data().iter().zip(b.data()).all(|(x, y)| x.to_bits() == y.to_bits());
        for act in Activation::all_defaults() {
            for units in [1, 13, 1500] {
                let mut l = Dense::new(DenseConfig {
                    units,
                    activation: act,
                    use_bias: true,
                    kernel_initializer: Initializer::GlorotUniform.into(),
                    bias_initializer: Initializer::RandomNormal { mean: 0.0, stddev: 1.0 }.into(),
                    kernel_regularizer: None,
                    bias_regularizer: None,
                    activity_regularizer: None,
                    kl_sparsity: None,
                });
                l.build(&[7], Init::seeded(3)).unwrap();
                let x = Tensor::new("t", Shape::new("t", &[9, 7]).unwrap(), wave(9 * 7, 0.5)).unwrap();
                let kept = l.forward(x.clone(), Mode::Trace).unwrap();
                assert!(same(&l.forward(x, Mode::Infer).unwrap(), &kept), "dense {} units {units}", act.name());
            }
            let mut c = Conv2d::new(Conv2dConfig {
                filters: 5,
                window: Window::new("conv2d", [3, 2], [1, 2], [1, 1], true).unwrap(),
                use_bias: true,
                activation: act,
                kernel_initializer: Initializer::GlorotUniform.into(),
                bias_initializer: Initializer::RandomNormal { mean: 0.0, stddev: 1.0 }.into(),
                kernel_regularizer: None,
                bias_regularizer: None,
                activity_regularizer: None,
            });
            c.build(&[6, 5, 3], Init::seeded(4)).unwrap();
            let x = Tensor::new("t", Shape::new("t", &[2, 6, 5, 3]).unwrap(), wave(2 * 6 * 5 * 3, 1.5)).unwrap();
            let kept = c.forward(x.clone(), Mode::Trace).unwrap();
            assert!(same(&c.forward(x, Mode::Infer).unwrap(), &kept), "conv2d {}", act.name());
        }
    }
}
