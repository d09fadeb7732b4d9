//! Classic networks: the single neuron, the perceptron (a handle of its own), k-means,
//! nearest-center RBF widths, RBF features and regularized least squares.
//! The math lives in `neurite_core::classic` and `neurite_core::layers::rbf`.

use super::tape::emit_rec;
use super::tensor::emit;
use neurite_core::autodiff::Recorded;
use crate::ffi::{guard, read_u32s_as, write_out};
use crate::handles::{self, Object};
use neurite_core::classic::kmeans::{kmeans, kmeans_from, KMeansConfig, KMeansInit};
use neurite_core::classic::least_squares::least_squares;
use neurite_core::classic::neuron::Neuron;
use neurite_core::classic::perceptron::{Convention, FitOptions, Perceptron, PerceptronConfig};
use neurite_core::classic::widths::nearest_center_widths;
use neurite_core::config::Reader;
use neurite_core::layers::rbf::{features, RbfKernel};
use neurite_core::{Result, Shape, Tensor};

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn seed(lo: u32, hi: u32) -> u64 {
    (u64::from(hi) << 32) | u64::from(lo)
}

/// Stores two tensors and writes their handles to `out[0]`, `out[1]`; on failure none is left.
///
/// # Safety
/// `out` must point to two writable u32 values.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
unsafe fn emit_pair(op: &'static str, a: Tensor, b: Tensor, out: *mut u32) -> Result<()> {
    // SAFETY: forwarded caller contract.
    unsafe { emit(op, a, out) }?;
    // SAFETY: out[0] was just written; out[1] is writable by contract.
    let first = unsafe { out.read() };
    if let Err(e) = unsafe { emit(op, b, out.add(1)) } {
        let _ = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.remove(first));
        return Err(e);
    }
    Ok(())
}

/// `out = f(x·w + b)` for one neuron; `act` is the activation as `[kind, n, params…]`.
/// `x: [inputs]` gives a scalar, `x: [batch, inputs]` a `[batch]` tensor.
///
/// # Safety
/// `act` points to `n_act` f32 values; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_neuron_forward(weights: u32, bias: f32, act: *const f32, n_act: usize, x: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract (f32 and u32 share a layout).
        let p: Vec<f32> = unsafe { read_u32s_as("neuron", act as *const u32, n_act, f32::from_bits) }?;
        let activation = Reader::new("neuron", &p).activation()?;
        let y = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| {
            let n = Neuron::new(neurite_core::tensor::copy_of("neuron", h.tensor(weights)?.data())?, bias, activation)?;
            n.forward(h.tensor(x)?)
        })?;
        // SAFETY: forwarded caller contract.
        unsafe { emit("neuron", y, out) }
    })
}

/// Creates a perceptron with zero weights; `binary` selects 0/1 outputs (else −1/1).
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_perceptron_new(inputs: u32, binary: u32, learning_rate: f32, threshold: f32, seed_lo: u32, seed_hi: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let convention = if binary != 0 { Convention::Binary } else { Convention::Bipolar };
        let cfg = PerceptronConfig { inputs: inputs as usize, convention, learning_rate, threshold, seed: seed(seed_lo, seed_hi) };
        let p = Perceptron::new(cfg)?;
        crate::ffi::check_out("perceptron", out, 1)?; // before storing: a failed call stores nothing
        let h = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| t.insert(Object::Perceptron(Box::new(p))))?;
        // SAFETY: forwarded caller contract.
        unsafe { write_out("perceptron", out, h) }
    })
}

/// Replaces the weights (a `[inputs]` tensor) and the bias.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_perceptron_set_weights(p: u32, weights: u32, bias: f32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| {
            let w = t.tensor(weights)?.clone();
            if w.rank() != 1 {
                return Err(neurite_core::Error::shape("perceptron", format!("weights must be a 1-d tensor, got shape {}", w.shape())));
            }
            t.perceptron_mut(p)?.set_weights(w.data(), bias)
        })
    })
}

/// Copies the weights into a new `[inputs]` tensor (`out`) and the bias into `out_bias`.
///
/// # Safety
/// `out` points to a writable u32, `out_bias` to a writable f32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_perceptron_weights(p: u32, out: *mut u32, out_bias: *mut f32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let (w, b) = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| {
            let pc = t.perceptron_mut(p)?;
            Ok::<_, neurite_core::Error>((Tensor::new("weights", Shape::from([pc.weights.len()]), neurite_core::tensor::copy_of("weights", &pc.weights)?)?, pc.bias))
        })?;
        // SAFETY: forwarded caller contract.
        unsafe {
            write_out("weights", out_bias, b)?;
            emit("weights", w, out)
        }
    })
}

/// Trains with the perceptron rule. Writes the errors of each epoch as a new `[epochs]`
/// tensor to `out_errors` and `[converged, epochs, final training errors]` to `out_info`.
///
/// # Safety
/// `out_errors` points to a writable u32, `out_info` to three.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_perceptron_fit(p: u32, x: u32, y: u32, max_epochs: u32, shuffle: u32, pocket: u32, out_errors: *mut u32, out_info: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let opts = FitOptions { max_epochs: max_epochs as usize, shuffle: shuffle != 0, pocket: pocket != 0 };
        let r = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| {
            let (xt, yt) = (t.tensor(x)?.clone(), t.tensor(y)?.clone());
            t.perceptron_mut(p)?.fit(&xt, &yt, opts)
        })?;
        let errs: Vec<f32> = neurite_core::tensor::collect_n("fit", r.errors_per_epoch.len(), r.errors_per_epoch.iter().map(|&e| e as f32))?;
        let errs = Tensor::new("fit", Shape::from([errs.len()]), errs)?;
        // SAFETY: forwarded caller contract.
        unsafe {
            write_out("fit", out_info, r.converged as u32)?;
            write_out("fit", out_info.add(1), r.epochs as u32)?;
            write_out("fit", out_info.add(2), r.errors as u32)?;
            emit("fit", errs, out_errors)
        }
    })
}

/// Predicted labels for `x` (`[n, inputs]` → `[n]`, `[inputs]` → a scalar).
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_perceptron_predict(p: u32, x: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let y = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| {
            let xt = t.tensor(x)?.clone();
            t.perceptron_mut(p)?.predict(&xt)
        })?;
        // SAFETY: forwarded caller contract.
        unsafe { emit("predict", y, out) }
    })
}

/// Frees a perceptron.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_perceptron_free(p: u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| {
            t.perceptron_mut(p)?;
            t.remove(p).map(|_| ())
        })
    })
}

/// k-means on `x: [n, d]`: `n_init` runs seeded by k-means++ (`random` 0) or by distinct random
/// rows (`random` 1), the best kept, or one run from the centers `init` (`[k, d]`; 0: none).
/// Writes the handles of centers `[k, d]` and labels `[n]` to `out[0..2]` and
/// `[inertia, iterations, converged]` as f32 to `info`.
///
/// # Safety
/// `out` points to two writable u32, `info` to three writable f64 (the inertia in f64, as the
/// core sums it: a float32 would round it and overflow beyond 3.4e38).
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_kmeans(x: u32, k: u32, max_iterations: u32, tolerance: f32, seed_lo: u32, seed_hi: u32, n_init: u32, random: u32, init: u32, out: *mut u32, info: *mut f64) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let how = if random == 0 { KMeansInit::PlusPlus } else { KMeansInit::Random };
        let cfg = KMeansConfig { k: k as usize, max_iterations: max_iterations as usize, tolerance, seed: seed(seed_lo, seed_hi), n_init: n_init as usize, init: how };
        let (r, d) = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| {
            let xt = t.tensor(x)?;
            let r = if init == 0 { kmeans(xt, cfg)? } else { kmeans_from(xt, t.tensor(init)?, cfg)? };
            Ok::<_, neurite_core::Error>((r, xt.dims()[1]))
        })?;
        let n = r.labels.len();
        let centers = Tensor::new("kmeans", Shape::from([cfg.k, d]), r.centers)?;
        let labels = Tensor::new("kmeans", Shape::from([n]), neurite_core::tensor::collect_n("kmeans", n, r.labels.iter().map(|&l| l as f32))?)?;
        // SAFETY: forwarded caller contract.
        unsafe {
            write_out("kmeans", info, r.inertia)?;
            write_out("kmeans", info.add(1), r.iterations as f64)?;
            write_out("kmeans", info.add(2), if r.converged { 1.0 } else { 0.0 })?;
            emit_pair("kmeans", centers, labels, out)
        }
    })
}

/// Widths `[k]` of RBF units from their `neighbors` nearest centers, times `scale`.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_rbf_widths(centers: u32, neighbors: u32, scale: f32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let w = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| nearest_center_widths(t.tensor(centers)?, neighbors as usize, scale))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit("rbfWidths", w, out) }
    })
}

/// The RBF design matrix `φ(‖x − c‖/σ)`: `x: [n, d]`, centers `[k, d]`, widths `[k]` → `[n, k]`,
/// recorded on the tape with the `rbf` layer's backward rule.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_rbf_features(x: u32, centers: u32, widths: u32, kernel: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let kernel = RbfKernel::from_abi(kernel)?;
        let y = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| features(t.tensor(x)?, t.tensor(centers)?, t.tensor(widths)?, kernel))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("rbfFeatures", y, out, || (Recorded::RbfFeatures { kernel }, vec![x, centers, widths])) }
    })
}

/// `argmin ‖a·X − b‖² + l2·‖X‖²` by Cholesky on the normal equations.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_least_squares(a: u32, b: u32, l2: f32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let x = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| least_squares(t.tensor(a)?, t.tensor(b)?, l2))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit("leastSquares", x, out) }
    })
}
