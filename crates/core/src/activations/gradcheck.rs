//! Finite-difference checks of every activation's backward pass against its forward pass,
//! plus the conventions at kinks and at extreme inputs. Iterates `Activation::all_defaults()`
//! and non-default parameters, so a new activation is checked without touching this file.
//!
//! Central differences: `f` is evaluated in f32 at `x ± h` with `h = 2⁻⁸`, and the quotient
//! is formed in f64 over the exact distance between the two f32 arguments. Error budget:
//! rounding `≈ ε₃₂·|f|/h ≈ 1.5e-5·|f|` plus truncation `h²·|f'''|/6 < 1e-5`, so the tolerance
//! is `2e-4·(1 + |f| + |f'|)` per unit of `|dy|`.

use super::Activation;

const H: f32 = 1.0 / 256.0;

/// A small deterministic generator (xorshift32), uniform in `[lo, hi)`.
struct Rand(u32);

impl Rand {
    fn next(&mut self, lo: f32, hi: f32) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        lo + (hi - lo) * (self.0 >> 8) as f32 / (1u32 << 24) as f32
    }
}

/// Whether `x` is within `2h` of a point where `f` or `f'` jumps.
fn near_kink(a: &Activation, x: f32) -> bool {
    let near = |k: f32| (x - k).abs() < 2.0 * H;
    match *a {
        Activation::Relu | Activation::LeakyRelu { .. } | Activation::Elu { .. } | Activation::Selu => near(0.0),
        Activation::Heaviside { .. } | Activation::Sign { .. } => near(0.0),
        Activation::UnitStep { threshold, .. } => near(threshold),
        Activation::StairStep { step, .. } => near((x / step).round() * step),
        Activation::HardSigmoid => near(-2.5) || near(2.5),
        Activation::Relu6 => near(0.0) || near(6.0),
        Activation::CappedRelu { max_value } => near(0.0) || near(max_value),
        Activation::HardSilu => near(-3.0) || near(3.0),
        _ => false,
    }
}

fn straight_through(a: &Activation) -> bool {
    matches!(
        *a,
        Activation::StairStep { straight_through: true, .. }
            | Activation::UnitStep { straight_through: true, .. }
            | Activation::Heaviside { straight_through: true, .. }
            | Activation::Sign { straight_through: true, .. }
    )
}

/// Every default activation and a set with non-default parameters.
fn cases() -> Vec<Activation> {
    let mut all = Activation::all_defaults();
    all.extend([
        Activation::Linear { slope: -2.0, intercept: 3.0 },
        Activation::LeakyRelu { alpha: 0.01 },
        Activation::Elu { alpha: 0.5 },
        Activation::StairStep { step: 0.25, straight_through: false },
        Activation::StairStep { step: 0.25, straight_through: true },
        Activation::UnitStep { threshold: 0.3, straight_through: false },
        Activation::UnitStep { threshold: 0.3, straight_through: true },
        Activation::Heaviside { at_zero: 1.0, straight_through: true },
        Activation::Sign { straight_through: true, at_zero: 1.0 },
        Activation::Sign { straight_through: false, at_zero: -1.0 },
        Activation::CappedRelu { max_value: 1.5 },
        Activation::CappedRelu { max_value: 0.0 },
    ]);
    all
}

fn eval(a: &Activation, x: &[f32], cols: usize) -> Vec<f32> {
    let mut y = vec![0.0; x.len()];
    a.forward(x, &mut y, cols);
    y
}

fn vjp(a: &Activation, x: &[f32], dy: &[f32], cols: usize) -> Vec<f32> {
    let y = eval(a, x, cols);
    let mut dx = vec![0.0; x.len()];
    a.backward(x, &y, dy, &mut dx, cols);
    dx
}

#[test]
fn elementwise_gradients_match_central_differences() {
    let mut r = Rand(0x9e37_79b9);
    for a in cases().iter().filter(|a| !a.is_row_wise()) {
        let mut x: Vec<f32> = (0..400).map(|_| r.next(-6.0, 6.0)).collect();
        x.extend([0.1, -0.1, 1.0, -1.0, 3.0, -3.0, 5.5, -5.5]);
        let dy: Vec<f32> = x.iter().map(|_| r.next(-2.0, 2.0)).collect();
        let dx = vjp(a, &x, &dy, 1);
        let mut checked = 0;
        for i in 0..x.len() {
            if straight_through(a) {
                assert_eq!(dx[i], dy[i], "{a:?}: straight-through must pass dy at x = {}", x[i]);
                continue;
            }
            if near_kink(a, x[i]) {
                continue;
            }
            let (xp, xm) = (x[i] + H, x[i] - H);
            let f = eval(a, &[xp, xm, x[i]], 1);
            let slope = (f64::from(f[0]) - f64::from(f[1])) / (f64::from(xp) - f64::from(xm));
            let want = f64::from(dy[i]) * slope;
            let tol = 2e-4 * f64::from(dy[i].abs()) * (1.0 + f64::from(f[2].abs()) + slope.abs());
            assert!(
                (f64::from(dx[i]) - want).abs() <= tol,
                "{a:?} at x = {}: backward gives {} but central differences give {want} (dy = {})",
                x[i],
                dx[i],
                dy[i]
            );
            checked += 1;
        }
        assert!(straight_through(a) || checked > 350, "{a:?}: only {checked} points checked");
    }
}

#[test]
fn row_wise_gradients_match_central_differences() {
    let mut r = Rand(12345);
    for a in [Activation::Softmax, Activation::LogSoftmax] {
        for cols in [1usize, 2, 3, 7, 16] {
            let rows = 3;
            let x: Vec<f32> = (0..rows * cols).map(|_| r.next(-4.0, 4.0)).collect();
            let dy: Vec<f32> = x.iter().map(|_| r.next(-1.0, 1.0)).collect();
            let dx = vjp(&a, &x, &dy, cols);
            // L(x) = Σ dy ⊙ f(x); dx must be ∂L/∂x.
            let loss = |x: &[f32]| -> f64 {
                eval(&a, x, cols).iter().zip(&dy).map(|(&f, &g)| f64::from(f) * f64::from(g)).sum()
            };
            for j in 0..x.len() {
                let (mut xp, mut xm) = (x.clone(), x.clone());
                xp[j] += H;
                xm[j] -= H;
                let want = (loss(&xp) - loss(&xm)) / (f64::from(xp[j]) - f64::from(xm[j]));
                assert!(
                    (f64::from(dx[j]) - want).abs() <= 2e-4 * (1.0 + want.abs()) * cols as f64,
                    "{a:?} cols {cols}, index {j}: backward {} vs central differences {want}",
                    dx[j]
                );
            }
        }
    }
}

#[test]
fn softmax_jacobian_entries_match_central_differences() {
    let x = [0.4f32, -1.1, 2.3, 0.0, -0.6];
    let n = x.len();
    for a in [Activation::Softmax, Activation::LogSoftmax] {
        for i in 0..n {
            // Row i of J from the backward pass: the VJP with dy = e_i.
            let mut e = vec![0.0; n];
            e[i] = 1.0;
            let row = vjp(&a, &x, &e, n);
            for j in 0..n {
                let (mut xp, mut xm) = (x.to_vec(), x.to_vec());
                xp[j] += H;
                xm[j] -= H;
                let num = (f64::from(eval(&a, &xp, n)[i]) - f64::from(eval(&a, &xm, n)[i])) / (f64::from(xp[j]) - f64::from(xm[j]));
                assert!((f64::from(row[j]) - num).abs() < 2e-4, "{a:?}: J[{i}][{j}] = {} vs {num}", row[j]);
            }
        }
    }
}

#[test]
fn derivatives_at_kinks_follow_the_documented_convention() {
    // (activation, kink, f'(kink)): one-sided choices, matching TF.js.
    let table = [
        (Activation::Relu, 0.0, 0.0),
        (Activation::LeakyRelu { alpha: 0.2 }, 0.0, 0.2),
        (Activation::Elu { alpha: 1.0 }, 0.0, 1.0),
        (Activation::Elu { alpha: 0.5 }, 0.0, 0.5),
        (Activation::Selu, 0.0, 1.050_701 * 1.673_263_2),
        (Activation::HardSigmoid, 2.5, 0.2),
        (Activation::HardSigmoid, -2.5, 0.2),
        // Keras's (JAX's and TF's relu6 pass no gradient at 0 and 6): the outer side's slope.
        (Activation::HardSilu, -3.0, 0.0),
        (Activation::HardSilu, 3.0, 1.0),
        // TF.js's ReLU layer (relu's step(x) times clipByValue's inclusive mask): 0 at 0, 1 at the cap.
        (Activation::CappedRelu { max_value: 1.5 }, 0.0, 0.0),
        (Activation::CappedRelu { max_value: 1.5 }, 1.5, 1.0),
        (Activation::CappedRelu { max_value: 0.0 }, 0.0, 0.0),
        (Activation::Heaviside { at_zero: 0.5, straight_through: false }, 0.0, 0.0),
        (Activation::Sign { straight_through: false, at_zero: 1.0 }, 0.0, 0.0),
        (Activation::Sign { straight_through: false, at_zero: -1.0 }, 0.0, 0.0),
        (Activation::UnitStep { threshold: 0.0, straight_through: false }, 0.0, 0.0),
        (Activation::StairStep { step: 1.0, straight_through: false }, 2.0, 0.0),
    ];
    for (a, k, want) in table {
        let d = vjp(&a, &[k], &[1.0], 1)[0];
        assert!((d - want).abs() < 1e-6, "{a:?}: f'({k}) = {d}, documented {want}");
    }
    // Away from the kink, each side matches its one-sided derivative.
    for a in [Activation::Relu, Activation::LeakyRelu { alpha: 0.2 }, Activation::Selu] {
        let d = vjp(&a, &[-1e-6, 1e-6], &[1.0, 1.0], 1);
        let left = vjp(&a, &[0.0], &[1.0], 1)[0];
        assert!((d[0] - left).abs() < 1e-5, "{a:?}: left derivative {} vs value at the kink {left}", d[0]);
        assert!(d[1] > d[0] || matches!(a, Activation::Selu), "{a:?}: right side must be steeper");
    }
}

#[test]
fn extreme_inputs_give_finite_outputs_and_nan_propagates() {
    let x = [0.0, -0.0, 1e-30, -1e-30, 1.0, -1.0, 100.0, -100.0, 1e30, -1e30, f32::MAX, f32::MIN];
    for a in cases().iter().filter(|a| !a.is_row_wise()) {
        let y = eval(a, &x, 1);
        let dx = vjp(a, &x, &[1.0; 12], 1);
        for i in 0..x.len() {
            let unbounded = matches!(a, Activation::Linear { .. } | Activation::StairStep { .. } | Activation::Selu | Activation::Gelu);
            assert!(!y[i].is_nan(), "{a:?}({}) is NaN", x[i]);
            assert!(y[i].is_finite() || unbounded && x[i].abs() > 1e30, "{a:?}({}) = {}", x[i], y[i]);
            assert!(dx[i].is_finite(), "{a:?}'({}) = {}", x[i], dx[i]);
        }
        let y = eval(a, &[f32::NAN], 1);
        let dx = vjp(a, &[f32::NAN], &[1.0], 1);
        assert!(y[0].is_nan() && dx[0].is_nan(), "{a:?}: NaN must propagate, got f = {}, f' = {}", y[0], dx[0]);
    }
    // Bounded activations stay in their ranges even at the extremes.
    for (a, lo, hi) in [
        (Activation::Sigmoid, 0.0, 1.0),
        (Activation::Tanh, -1.0, 1.0),
        (Activation::Softsign, -1.0, 1.0),
        (Activation::HardSigmoid, 0.0, 1.0),
        (Activation::Relu6, 0.0, 6.0),
        (Activation::CappedRelu { max_value: 1.5 }, 0.0, 1.5),
    ] {
        assert!(eval(&a, &x, 1).iter().all(|&v| (lo..=hi).contains(&v)), "{a:?} left [{lo}, {hi}]");
    }
}

#[test]
fn row_wise_extremes() {
    for a in [Activation::Softmax, Activation::LogSoftmax] {
        let y = eval(&a, &[1e30, -1e30, 0.0, 100.0, -100.0, 0.0], 3);
        assert!(y.iter().all(|v| v.is_finite()), "{a:?}: {y:?}");
        let dx = vjp(&a, &[1e30, -1e30, 0.0], &[1.0, 2.0, 3.0], 3);
        assert!(dx.iter().all(|v| v.is_finite()), "{a:?}: {dx:?}");
    }
}
