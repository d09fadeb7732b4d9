//! `kmeans`: Lloyd's algorithm with k-means++ seeding (Arthur & Vassilvitskii 2007), seeded.
//!
//! # Algorithm
//! - Seeding: the first center is a uniformly random sample; each next one is a sample drawn
//!   with probability proportional to `D(x)²`, its squared distance to the nearest center so
//!   far. A sample with `D(x) = 0` is never drawn, so the centers are distinct rows of `x`, and
//!   when every `D(x)` is 0 after `j < k` draws, `x` has exactly `j` distinct rows: that is an
//!   error saying so (k-means cannot make `k` clusters of them: the extra centers would be
//!   duplicates with empty clusters; scikit-learn warns and returns them).
//! - Lloyd iterations: assign each sample to its nearest center (ties to the lower index), move
//!   each center to the mean of its samples (a center without samples stays where it is), until
//!   no assignment changes, the largest center move is at most `tolerance`, or `max_iterations`.
//! - The returned labels and inertia (`Σ D(x)²`) are those of the returned centers.
//!
//! Distances and sums are accumulated in f64; with the same seed the result is the same on
//! every runtime.
//!
//! # Shapes
//! `x: [n, d]` → centers `[k, d]`, labels `[n]`.

use crate::rng::Philox;
use crate::tensor::try_vec;
use crate::{bail, bail_shape, Result, Tensor};
use crate::error::js_number;

const OP: &str = "kmeans";

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KMeansConfig {
    pub k: usize,
    /// At least 1.
    pub max_iterations: usize,
    /// Stop when no center moves farther than this (Euclidean). `0` waits for stable labels.
    pub tolerance: f32,
    pub seed: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct KMeans {
    /// `[k, d]`, row-major.
    pub centers: Vec<f32>,
    /// The nearest center of each sample.
    pub labels: Vec<u32>,
    /// Sum of squared distances of the samples to their centers.
    pub inertia: f64,
    /// Lloyd iterations run.
    pub iterations: usize,
    /// Whether it stopped before `max_iterations`.
    pub converged: bool,
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn dist2(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(&p, &q)| (f64::from(p) - f64::from(q)).powi(2)).sum()
}

/// The nearest center of `row` and the squared distance to it.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn nearest(row: &[f32], centers: &[f32], d: usize) -> (u32, f64) {
    let mut best = (0u32, f64::INFINITY);
    for (j, c) in centers.chunks_exact(d).enumerate() {
        let s = dist2(row, c);
        if s < best.1 {
            best = (j as u32, s);
        }
    }
    best
}

/// k-means++ seeding: `k` rows of `x` chosen as described in the module docs.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn seed_centers(x: &[f32], n: usize, d: usize, k: usize, rng: &mut Philox) -> Result<Vec<f32>> {
    // k ≤ n, so k·d ≤ n·d (the size of x) cannot overflow.
    let mut centers = crate::tensor::alloc_empty(OP, k * d)?;
    let first = rng.below(n as u64) as usize;
    centers.extend_from_slice(&x[first * d..(first + 1) * d]);
    let mut d2: Vec<f64> = crate::tensor::collect_n(OP, n, x.chunks_exact(d).map(|r| dist2(r, &centers[..d])))?;
    for j in 1..k {
        let total: f64 = d2.iter().sum();
        if total == 0.0 {
            bail!(OP, "k = {k} is more than the {j} distinct rows of x (shape [{n},{d}]); identical rows cannot be in different clusters: use k <= {j}");
        }
        let pick = {
            // 53 random bits → a uniform in [0, total).
            let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
            let mut acc = 0.0;
            let mut pick = n - 1;
            for (i, &w) in d2.iter().enumerate() {
                acc += w;
                if u < acc && w > 0.0 {
                    pick = i;
                    break;
                }
            }
            // NOTE: rounding can leave `u` at the very end; take the last sample with weight.
            if d2[pick] == 0.0 {
                pick = d2.iter().rposition(|&w| w > 0.0).unwrap_or(pick);
            }
            pick
        };
        let c = &x[pick * d..(pick + 1) * d];
        centers.extend_from_slice(c);
        for (v, r) in d2.iter_mut().zip(x.chunks_exact(d)) {
            *v = v.min(dist2(r, c));
        }
    }
    Ok(centers)
}

/// Clusters the rows of `x` (`[n, d]`) into `cfg.k` groups; see the module docs.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn kmeans(x: &Tensor, cfg: KMeansConfig) -> Result<KMeans> {
    let [n, d] = x.dims() else {
        bail_shape!(OP, "x must have shape [samples, features], got {}", x.shape());
    };
    let (n, d) = (*n, *d);
    if cfg.k == 0 {
        bail!(OP, "k must be a positive integer, got 0");
    }
    if cfg.k > n {
        bail!(OP, "k = {} is more than the {n} samples of x (shape {})", cfg.k, x.shape());
    }
    if d == 0 {
        bail_shape!(OP, "x has no features (shape {})", x.shape());
    }
    if cfg.max_iterations == 0 {
        bail!(OP, "maxIterations must be a positive integer, got 0");
    }
    if !(cfg.tolerance.is_finite() && cfg.tolerance >= 0.0) {
        bail!(OP, "tolerance must be a finite number >= 0, got {}", js_number(cfg.tolerance));
    }
    let xs = x.data();
    if let Some(i) = crate::kernels::finite::first_non_finite(xs) {
        bail!(OP, "x contains {} at flat index {i}; clean the data first", js_number(xs[i]));
    }
    let k = cfg.k;
    let mut rng = Philox::new(cfg.seed, 0);
    let mut centers = seed_centers(xs, n, d, k, &mut rng)?;
    let mut labels = try_vec(OP, n, u32::MAX)?;
    let mut sums = try_vec(OP, k * d, 0f64)?;
    let mut counts = try_vec(OP, k, 0usize)?;
    let mut old = try_vec(OP, d, 0f32)?;
    let (mut iterations, mut converged) = (0, false);
    while iterations < cfg.max_iterations {
        let mut changed = false;
        for (l, row) in labels.iter_mut().zip(xs.chunks_exact(d)) {
            let (j, _) = nearest(row, &centers, d);
            changed |= *l != j;
            *l = j;
        }
        if !changed {
            converged = true;
            break;
        }
        iterations += 1;
        sums.fill(0.0);
        counts.fill(0);
        for (&l, row) in labels.iter().zip(xs.chunks_exact(d)) {
            counts[l as usize] += 1;
            for (s, &v) in sums[l as usize * d..][..d].iter_mut().zip(row) {
                *s += f64::from(v);
            }
        }
        let mut max_move = 0f64;
        for j in 0..k {
            if counts[j] == 0 {
                continue;
            }
            let c = &mut centers[j * d..(j + 1) * d];
            old.copy_from_slice(c);
            for (cv, &s) in c.iter_mut().zip(&sums[j * d..(j + 1) * d]) {
                *cv = (s / counts[j] as f64) as f32;
            }
            max_move = max_move.max(dist2(&old, c));
        }
        if max_move.sqrt() <= f64::from(cfg.tolerance) {
            converged = true;
            break;
        }
    }
    let mut inertia = 0.0;
    for (l, row) in labels.iter_mut().zip(xs.chunks_exact(d)) {
        let (j, s) = nearest(row, &centers, d);
        *l = j;
        inertia += s;
    }
    Ok(KMeans { centers, labels, inertia, iterations, converged })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Shape;

    /// Three tight blobs around (0,0), (10,0), (0,10).
    fn blobs(seed: u64) -> Tensor {
        let mut rng = Philox::new(seed, 9);
        let mut v = Vec::new();
        for (cx, cy) in [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)] {
            for _ in 0..20 {
                v.push(cx + 0.5 * rng.normal_f32());
                v.push(cy + 0.5 * rng.normal_f32());
            }
        }
        Tensor::new("t", Shape::from([60, 2]), v).unwrap()
    }

    fn cfg(k: usize, seed: u64) -> KMeansConfig {
        KMeansConfig { k, max_iterations: 100, tolerance: 0.0, seed }
    }

    #[test]
    fn finds_the_blobs_deterministically() {
        let x = blobs(1);
        let a = kmeans(&x, cfg(3, 7)).unwrap();
        assert_eq!(a, kmeans(&x, cfg(3, 7)).unwrap(), "same seed, same result");
        assert!(a.converged);
        // Every blob is one cluster.
        for b in 0..3 {
            let l = &a.labels[b * 20..(b + 1) * 20];
            assert!(l.iter().all(|&v| v == l[0]), "blob {b}: {l:?}");
        }
        let mut firsts: Vec<u32> = (0..3).map(|b| a.labels[b * 20]).collect();
        firsts.sort();
        assert_eq!(firsts, [0, 1, 2]);
        assert!(a.inertia < 60.0 * 2.0 * 0.25 * 2.0, "inertia {}", a.inertia);
        // Other seeds reach the same partition here, possibly with other center numbers.
        let b = kmeans(&x, cfg(3, 8)).unwrap();
        assert!((a.inertia - b.inertia).abs() < 1e-6);
    }

    #[test]
    fn seeding_differs_by_seed_and_handles_duplicates() {
        let x = blobs(2);
        let s1 = seed_centers(x.data(), 60, 2, 3, &mut Philox::new(1, 0)).unwrap();
        let s2 = seed_centers(x.data(), 60, 2, 3, &mut Philox::new(2, 0)).unwrap();
        assert_ne!(s1, s2);
        // Four identical points: one cluster is fine, three are an error.
        let same = Tensor::new("t", Shape::from([4, 1]), vec![2.0; 4]).unwrap();
        let r = kmeans(&same, cfg(1, 1)).unwrap();
        assert_eq!((r.centers.as_slice(), r.inertia), (&[2.0][..], 0.0));
        assert_eq!(kmeans(&same, cfg(3, 1)).unwrap_err().to_string(), "kmeans: k = 3 is more than the 1 distinct rows of x (shape [4,1]); identical rows cannot be in different clusters: use k <= 1");
    }

    /// k above the number of distinct rows is an error on every seed (the seeding never draws
    /// a row twice); k equal to it gives each distinct row its own center, inertia 0.
    #[test]
    fn more_clusters_than_distinct_rows_is_an_error() {
        let x = Tensor::new("t", Shape::from([5, 2]), vec![0., 0., 0., 0., 0., 0., 1., 1., 0., 0.]).unwrap();
        for seed in 0..20 {
            let e = kmeans(&x, cfg(3, seed)).unwrap_err();
            assert_eq!(e.status(), crate::Status::InvalidArgument);
            assert_eq!(e.to_string(), "kmeans: k = 3 is more than the 2 distinct rows of x (shape [5,2]); identical rows cannot be in different clusters: use k <= 2");
            let r = kmeans(&x, cfg(2, seed)).unwrap();
            assert_eq!((r.inertia, r.converged), (0.0, true));
        }
    }

    #[test]
    fn bad_input_is_named() {
        let x = blobs(1);
        let e = |x: &Tensor, c: KMeansConfig| kmeans(x, c).unwrap_err().to_string();
        assert_eq!(e(&x, cfg(61, 0)), "kmeans: k = 61 is more than the 60 samples of x (shape [60,2])");
        assert_eq!(e(&x, cfg(0, 0)), "kmeans: k must be a positive integer, got 0");
        assert!(e(&Tensor::scalar(1.0), cfg(1, 0)).contains("got []"));
        assert!(e(&x, KMeansConfig { max_iterations: 0, ..cfg(2, 0) }).contains("maxIterations"));
        assert!(e(&x, KMeansConfig { tolerance: -1.0, ..cfg(2, 0) }).contains("tolerance"));
        let nan = Tensor::new("t", Shape::from([2, 1]), vec![1.0, f32::NAN]).unwrap();
        assert!(e(&nan, cfg(1, 0)).contains("NaN at flat index 1"));
    }
}
