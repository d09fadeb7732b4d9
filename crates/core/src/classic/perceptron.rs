//! `perceptron`: Rosenblatt's perceptron (1958) and its learning rule, with Gallant's pocket
//! variant (1990) for data that is not linearly separable.
//!
//! # Model
//! `ŷ = hi` if `w·x + b > θ`, else `lo`, with `(lo, hi) = (−1, 1)` (bipolar) or `(0, 1)`
//! (binary) and `θ` the threshold (0 by default).
//!
//! # Learning rule (not gradient descent)
//! Samples are visited one at a time (in a seeded random order per epoch, or in order). When
//! `ŷ ≠ t`: `w ← w + η·(t − ŷ)·x`, `b ← b + η·(t − ŷ)`. An epoch without a mistake means the
//! data is separated and training stops (`converged`). The perceptron convergence theorem
//! (Novikoff 1962) bounds the number of mistakes on linearly separable data by `(R/γ)²`; on
//! data that is not separable (XOR) the rule cycles forever, so it stops after `maxEpochs`.
//!
//! # Pocket
//! With `pocket`, after every update the weights are scored on the whole training set and the
//! best seen (fewest mistakes) are kept "in the pocket"; fit ends with them. The cost is one
//! pass over the data per update.

use crate::rng::Philox;
use crate::{bail, bail_shape, Result, Shape, Tensor};
use crate::error::js_number;

const OP: &str = "perceptron";

/// The two output conventions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Convention {
    /// Outputs −1 or 1.
    Bipolar,
    /// Outputs 0 or 1.
    Binary,
}

impl Convention {
    /// The output below the threshold.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn low(self) -> f32 {
        match self {
            Convention::Bipolar => -1.0,
            Convention::Binary => 0.0,
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn name(self) -> &'static str {
        match self {
            Convention::Bipolar => "bipolar",
            Convention::Binary => "binary",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PerceptronConfig {
    pub inputs: usize,
    pub convention: Convention,
    /// η > 0. Default 1 (with zero initial weights its value only scales w and b).
    pub learning_rate: f32,
    /// θ: the output is high when `w·x + b > θ`. Default 0.
    pub threshold: f32,
    /// Seeds the per-epoch sample order.
    pub seed: u64,
}

/// Options of [`Perceptron::fit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FitOptions {
    /// At least 1; training never runs longer.
    pub max_epochs: usize,
    /// Visit samples in a seeded random order each epoch (else in order).
    pub shuffle: bool,
    /// Keep the best weights seen (see the module docs).
    pub pocket: bool,
}

/// What [`Perceptron::fit`] reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FitReport {
    /// Whether an epoch went by without a mistake.
    pub converged: bool,
    /// Epochs run (including the clean one when converged).
    pub epochs: usize,
    /// Mistakes (= updates) made during each epoch.
    pub errors_per_epoch: Vec<u32>,
    /// Training-set mistakes of the final weights.
    pub errors: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Perceptron {
    pub cfg: PerceptronConfig,
    /// `[inputs]`, zero initially.
    pub weights: Vec<f32>,
    pub bias: f32,
}

impl Perceptron {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(cfg: PerceptronConfig) -> Result<Perceptron> {
        if cfg.inputs == 0 {
            bail!(OP, "inputs must be a positive integer, got 0");
        }
        if !(cfg.learning_rate.is_finite() && cfg.learning_rate > 0.0) {
            bail!(OP, "learningRate must be a finite number > 0, got {}", js_number(cfg.learning_rate));
        }
        if !cfg.threshold.is_finite() {
            bail!(OP, "threshold must be a finite number, got {}", js_number(cfg.threshold));
        }
        Ok(Perceptron { cfg, weights: crate::tensor::alloc(OP, cfg.inputs)?, bias: 0.0 })
    }

    /// Replaces the weights and bias (e.g. with starting values).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn set_weights(&mut self, weights: &[f32], bias: f32) -> Result<()> {
        if weights.len() != self.cfg.inputs {
            bail_shape!(OP, "weights has {} values but the perceptron has {} inputs", weights.len(), self.cfg.inputs);
        }
        if let Some(i) = crate::kernels::finite::first_non_finite(weights) {
            bail!(OP, "weights[{i}] must be a finite number, got {}", js_number(weights[i]));
        }
        if !bias.is_finite() {
            bail!(OP, "bias must be a finite number, got {bias}", bias = js_number(bias));
        }
        self.weights.copy_from_slice(weights);
        self.bias = bias;
        Ok(())
    }

    /// `hi` if `w·x + b > θ`, else `lo`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn output(&self, x: &[f32]) -> f32 {
        let net: f32 = x.iter().zip(&self.weights).map(|(a, w)| a * w).sum::<f32>() + self.bias;
        if net > self.cfg.threshold {
            1.0
        } else {
            self.cfg.convention.low()
        }
    }

    /// Checks `x` (`[n, inputs]`, or `[inputs]` for one sample when `allow_vector`) and returns `n`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn check_x(&self, op: &'static str, x: &Tensor, allow_vector: bool) -> Result<usize> {
        let d = self.cfg.inputs;
        let n = match x.dims() {
            [len] if allow_vector => {
                if *len != d {
                    bail_shape!(op, "x has {len} values but the perceptron has {d} inputs");
                }
                1
            }
            [n, len] => {
                if *len != d {
                    bail_shape!(op, "x has {len} features per sample (shape {}) but the perceptron has {d} inputs", x.shape());
                }
                *n
            }
            _ => bail_shape!(op, "x must have shape [samples, {d}], got {}", x.shape()),
        };
        if let Some(i) = crate::kernels::finite::first_non_finite(x.data()) {
            bail!(op, "x contains {} at flat index {i}; clean the data first", js_number(x.data()[i]));
        }
        Ok(n)
    }

    /// Predicted labels: `[n, inputs]` → `[n]`, `[inputs]` → a scalar.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn predict(&self, x: &Tensor) -> Result<Tensor> {
        let n = self.check_x("predict", x, true)?;
        let d = self.cfg.inputs;
        let mut out = crate::tensor::alloc("predict", n)?;
        for (o, row) in out.iter_mut().zip(x.data().chunks_exact(d)) {
            *o = self.output(row);
        }
        let shape = if x.rank() == 1 { Shape::scalar() } else { Shape::from([n]) };
        Tensor::new("predict", shape, out)
    }

    /// Training-set mistakes of the current weights.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn mistakes(&self, x: &[f32], y: &[f32]) -> usize {
        x.chunks_exact(self.cfg.inputs).zip(y).filter(|(row, &t)| self.output(row) != t).count()
    }

    /// Checks that `y` holds `n` labels of the convention.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn check_y(&self, y: &Tensor, n: usize) -> Result<()> {
        let ok_shape = matches!(y.dims(), [m] if *m == n) || matches!(y.dims(), [m, 1] if *m == n);
        if !ok_shape {
            bail_shape!("fit", "y must hold one label per sample, shape [{n}] or [{n},1], got {}", y.shape());
        }
        let conv = self.cfg.convention;
        let lo = conv.low();
        if let Some(i) = y.data().iter().position(|&t| t != lo && t != 1.0) {
            if let Some(j) = y.data().iter().position(|&t| t != -1.0 && t != 0.0 && t != 1.0) {
                // Not a whole number (1.0000001 from arithmetic, 0.98 from a probability, NaN):
                // the labels are compared exactly, so say that rather than "another class".
                let t = y.data()[j];
                if t.round() != t || !t.is_finite() {
                    bail!(
                        "fit",
                        "y[{j}] = {} is not a {} label: labels must be exactly {} or 1, compared exactly (round the labels first, e.g. round(y))",
                        js_number(t),
                        conv.name(),
                        js_number(lo)
                    );
                }
                // A third class (iris's 2) is not fixed by the other convention: say so.
                bail!(
                    "fit",
                    "y[{j}] = {} is not a {} label: a perceptron separates two classes (labels {} or 1); for more classes train one perceptron per class on labels y == class (one-vs-rest), or use a softmax model",
                    js_number(y.data()[j]),
                    conv.name(),
                    js_number(lo)
                );
            }
            let hint = match conv {
                Convention::Bipolar => "labels must be -1 or 1 (use output: 'binary' for 0/1 labels)",
                Convention::Binary => "labels must be 0 or 1 (use output: 'bipolar' for -1/1 labels)",
            };
            bail!("fit", "y[{i}] = {} is not a {} label; {hint}", js_number(y.data()[i]), conv.name());
        }
        Ok(())
    }

    /// Trains with the perceptron rule; see the module docs.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn fit(&mut self, x: &Tensor, y: &Tensor, opts: FitOptions) -> Result<FitReport> {
        if opts.max_epochs == 0 {
            bail!("fit", "maxEpochs must be a positive integer, got 0");
        }
        if x.rank() != 2 {
            bail_shape!("fit", "x must have shape [samples, {}], got {}", self.cfg.inputs, x.shape());
        }
        let n = self.check_x("fit", x, false)?;
        if n == 0 {
            bail!("fit", "x has no samples");
        }
        self.check_y(y, n)?;
        let (xs, ys, d) = (x.data(), y.data(), self.cfg.inputs);
        let eta = self.cfg.learning_rate;
        let mut order: Vec<usize> = crate::tensor::collect_n("fit", n, 0..n)?;
        let mut pocket = if opts.pocket { Some((self.mistakes(xs, ys), crate::tensor::copy_of("fit", &self.weights)?, self.bias)) } else { None };
        let mut errors_per_epoch = Vec::new();
        let mut converged = false;
        // Restored if an update overflows f32, so that a failed fit changes nothing.
        let start = (crate::tensor::copy_of("fit", &self.weights)?, self.bias);
        for epoch in 0..opts.max_epochs {
            if opts.shuffle {
                Philox::new(self.cfg.seed, epoch as u32).shuffle(&mut order);
            }
            let mut errors = 0u32;
            for &i in &order {
                let row = &xs[i * d..(i + 1) * d];
                let e = ys[i] - self.output(row);
                if e == 0.0 {
                    continue;
                }
                errors += 1;
                for (w, &a) in self.weights.iter_mut().zip(row) {
                    *w += eta * e * a;
                }
                self.bias += eta * e;
                if !(self.bias.is_finite() && self.weights.iter().all(|w| w.is_finite())) {
                    let big = row.iter().fold(0.0f32, |m, a| m.max(a.abs()));
                    (self.weights, self.bias) = start;
                    bail!(
                        "fit",
                        "the weights overflowed float32 at epoch {} on sample {i} (learningRate {}, largest |x| in the sample {}); scale the inputs or lower learningRate. The perceptron is unchanged",
                        epoch + 1,
                        js_number(eta),
                        js_number(big)
                    );
                }
                if let Some((best, w, b)) = pocket.as_mut() {
                    let m = self.mistakes(xs, ys);
                    if m < *best {
                        *best = m;
                        w.copy_from_slice(&self.weights);
                        *b = self.bias;
                    }
                }
            }
            errors_per_epoch.try_reserve(1).map_err(|_| crate::Error::OutOfMemory { op: "fit", bytes: 4 * (epoch as u64 + 1) })?;
            errors_per_epoch.push(errors);
            if errors == 0 {
                converged = true;
                break;
            }
        }
        if let Some((best, w, b)) = pocket {
            if best < self.mistakes(xs, ys) {
                self.weights = w;
                self.bias = b;
            }
        }
        let epochs = errors_per_epoch.len();
        Ok(FitReport { converged, epochs, errors_per_epoch, errors: self.mistakes(xs, ys) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(dims: &[usize], v: Vec<f32>) -> Tensor {
        Tensor::new("t", Shape::from(dims), v).unwrap()
    }

    fn p(conv: Convention) -> Perceptron {
        Perceptron::new(PerceptronConfig { inputs: 2, convention: conv, learning_rate: 1.0, threshold: 0.0, seed: 1 }).unwrap()
    }

    const OPTS: FitOptions = FitOptions { max_epochs: 100, shuffle: false, pocket: false };

    #[test]
    fn and_by_hand() {
        // Binary AND, zero start, η = 1, in order. Epoch 1:
        //   (0,0) t0: net 0 → 0 ok; (0,1) t0 ok; (1,0) t0 ok; (1,1) t1: net 0 → 0, e=1: w=(1,1), b=1.
        // Epoch 2: (0,0): net 1 → 1, e=−1: b=0. (0,1): net 1 → 1, e=−1: w=(1,0), b=−1.
        //   (1,0): net 0 → 0 ok. (1,1): net 0 → 0, e=1: w=(2,1), b=0.
        let mut pc = p(Convention::Binary);
        let x = t(&[4, 2], vec![0., 0., 0., 1., 1., 0., 1., 1.]);
        let y = t(&[4], vec![0., 0., 0., 1.]);
        let r = pc.fit(&x, &y, FitOptions { max_epochs: 1, ..OPTS }).unwrap();
        assert_eq!((pc.weights.as_slice(), pc.bias, r.converged, r.errors_per_epoch.as_slice()), (&[1.0, 1.0][..], 1.0, false, &[1][..]));
        let r = pc.fit(&x, &y, FitOptions { max_epochs: 1, ..OPTS }).unwrap();
        assert_eq!((pc.weights.as_slice(), pc.bias, r.errors_per_epoch.as_slice()), (&[2.0, 1.0][..], 0.0, &[3][..]));
        let r = pc.fit(&x, &y, OPTS).unwrap();
        assert!(r.converged);
        assert_eq!(r.errors, 0);
        assert_eq!(pc.predict(&x).unwrap().data(), y.data());
    }

    #[test]
    fn xor_stops_at_max_epochs_and_pocket_keeps_the_best() {
        let x = t(&[4, 2], vec![0., 0., 0., 1., 1., 0., 1., 1.]);
        let y = t(&[4], vec![-1., 1., 1., -1.]);
        let mut pc = p(Convention::Bipolar);
        let r = pc.fit(&x, &y, FitOptions { max_epochs: 50, shuffle: true, pocket: false }).unwrap();
        assert!(!r.converged);
        assert_eq!((r.epochs, r.errors_per_epoch.len()), (50, 50));
        assert!(r.errors_per_epoch.iter().all(|&e| e > 0));
        let mut pc = p(Convention::Bipolar);
        let r = pc.fit(&x, &y, FitOptions { max_epochs: 200, shuffle: true, pocket: true }).unwrap();
        assert!(!r.converged);
        assert_eq!(r.errors, 1, "the best a line can do on XOR is 3 of 4");
    }

    #[test]
    fn threshold_shifts_the_decision() {
        let mut pc = p(Convention::Binary);
        pc.cfg.threshold = 1.5;
        pc.set_weights(&[1.0, 1.0], 0.0).unwrap();
        let x = t(&[4, 2], vec![0., 0., 0., 1., 1., 0., 1., 1.]);
        assert_eq!(pc.predict(&x).unwrap().data(), &[0., 0., 0., 1.]);
        let one = pc.predict(&t(&[2], vec![1., 1.])).unwrap();
        assert_eq!((one.rank(), one.data()), (0, &[1.0][..]));
    }

    #[test]
    fn bad_input_is_named() {
        let mut pc = p(Convention::Bipolar);
        let x = t(&[2, 2], vec![0.0; 4]);
        let e = |r: Result<FitReport>| r.unwrap_err().to_string();
        assert_eq!(
            e(pc.fit(&x, &t(&[2], vec![0., 1.]), OPTS)),
            "fit: y[0] = 0 is not a bipolar label; labels must be -1 or 1 (use output: 'binary' for 0/1 labels)"
        );
        let mut pb = p(Convention::Binary);
        assert!(e(pb.fit(&x, &t(&[2], vec![-1., 1.]), OPTS)).starts_with("fit: y[0] = -1 is not a binary label"));
        // Several classes: the other convention would not help (iris's labels 0, 1, 2).
        assert_eq!(
            e(pc.fit(&x, &t(&[2], vec![0., 2.]), OPTS)),
            "fit: y[1] = 2 is not a bipolar label: a perceptron separates two classes (labels -1 or 1); for more classes train one perceptron per class on labels y == class (one-vs-rest), or use a softmax model"
        );
        // A label off a valid one by rounding is not another class.
        assert_eq!(
            e(pb.fit(&x, &t(&[2], vec![0., 1.000_000_1]), OPTS)),
            "fit: y[1] = 1.0000001 is not a binary label: labels must be exactly 0 or 1, compared exactly (round the labels first, e.g. round(y))"
        );
        assert!(e(pc.fit(&x, &t(&[2], vec![-1., 0.98]), OPTS)).starts_with("fit: y[1] = 0.98 is not a bipolar label: labels must be exactly -1 or 1"));
        assert!(e(pc.fit(&x, &t(&[2], vec![f32::NAN, 1.]), OPTS)).starts_with("fit: y[0] = NaN is not a bipolar label: labels must be exactly -1 or 1"));
        assert!(e(pc.fit(&x, &t(&[2], vec![1., 2.5]), OPTS)).contains("labels must be exactly -1 or 1"));
        assert!(e(pc.fit(&x, &t(&[3], vec![1.; 3]), OPTS)).contains("shape [2] or [2,1], got [3]"));
        assert!(e(pc.fit(&t(&[2, 3], vec![0.; 6]), &t(&[2], vec![1.; 2]), OPTS)).contains("3 features per sample"));
        assert!(e(pc.fit(&x, &t(&[2], vec![1.; 2]), FitOptions { max_epochs: 0, ..OPTS })).contains("maxEpochs"));
        assert!(e(pc.fit(&t(&[2, 2], vec![f32::NAN, 0., 0., 0.]), &t(&[2], vec![1.; 2]), OPTS)).contains("NaN"));
        let bad = |lr: f32, th: f32, inputs: usize| {
            Perceptron::new(PerceptronConfig { inputs, convention: Convention::Binary, learning_rate: lr, threshold: th, seed: 0 }).unwrap_err().to_string()
        };
        assert_eq!(bad(0.0, 0.0, 2), "perceptron: learningRate must be a finite number > 0, got 0");
        assert!(bad(1.0, f32::NAN, 2).contains("threshold"));
        assert!(bad(1.0, 0.0, 0).contains("inputs"));
        assert!(pc.set_weights(&[1.0], 0.0).unwrap_err().to_string().contains("1 values but the perceptron has 2 inputs"));
    }

    #[test]
    fn an_overflowing_update_is_an_error_and_changes_nothing() {
        let mut pc = Perceptron::new(PerceptronConfig { inputs: 2, convention: Convention::Bipolar, learning_rate: 1e20, threshold: 0.0, seed: 1 }).unwrap();
        pc.set_weights(&[-0.5, 0.25], -0.125).unwrap();
        let (x, y) = (t(&[2, 2], vec![1e20, 1.0, -1e20, 1.0]), t(&[2], vec![1.0, -1.0]));
        let e = pc.fit(&x, &y, FitOptions { max_epochs: 10, shuffle: false, pocket: false }).unwrap_err().to_string();
        assert!(e.contains("overflowed float32 at epoch 1") && e.contains("learningRate 100000000000000000000") && e.contains("unchanged"), "{e}");
        assert_eq!((pc.weights.as_slice(), pc.bias), (&[-0.5, 0.25][..], -0.125));
    }
}
