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
//!   each center to the mean of its samples (a center without samples takes the sample farthest
//!   from its own center, as scikit-learn's Lloyd relocates empty clusters), until
//!   no assignment changes, the largest center move is at most `tolerance`, or `max_iterations`.
//! - The returned labels and inertia (`Σ D(x)²`) are those of the returned centers.
//! - `n_init` runs (scikit-learn's `n_init`), each seeded from its own Philox stream (`0..n_init`,
//!   so one run is the first of several), keep the one of least inertia (ties: the first).
//! - `Random` seeding (scikit-learn's `init='random'`) takes `k` distinct rows in a seeded
//!   random order instead of the `D(x)²` draws; [`kmeans_from`] starts from given centers.
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
    /// Runs from different seedings, the best kept. At least 1.
    pub n_init: usize,
    pub init: KMeansInit,
}

/// How a run chooses its first centers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KMeansInit {
    /// k-means++: rows drawn with probability proportional to `D(x)²`.
    PlusPlus,
    /// `k` distinct rows drawn uniformly.
    Random,
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

/// `k` distinct rows of `x` (by value) in a seeded uniform order: a partial Fisher–Yates
/// shuffle of the row indices, skipping rows equal to a center already taken.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn random_centers(x: &[f32], n: usize, d: usize, k: usize, rng: &mut Philox) -> Result<Vec<f32>> {
    let mut centers = crate::tensor::alloc_empty(OP, k * d)?;
    let mut order: Vec<u32> = crate::tensor::collect_n(OP, n, 0..n as u32)?;
    for i in 0..n {
        let j = i + rng.below((n - i) as u64) as usize;
        order.swap(i, j);
        let r = &x[order[i] as usize * d..][..d];
        if !centers.chunks_exact(d).any(|c| c == r) {
            centers.extend_from_slice(r);
            if centers.len() == k * d {
                return Ok(centers);
            }
        }
    }
    let j = centers.len() / d;
    bail!(OP, "k = {k} is more than the {j} distinct rows of x (shape [{n},{d}]); identical rows cannot be in different clusters: use k <= {j}");
}

/// The number of distinct rows of `x` (`d` > 0 values each), as k-means tells rows apart: by
/// value, −0 equal to +0.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn distinct_rows(x: &[f32], d: usize) -> Result<usize> {
    let n = x.len() / d;
    let row = |i: u32| x[i as usize * d..][..d].iter().map(|v| v + 0.0);
    let mut order: Vec<u32> = crate::tensor::collect_n(OP, n, 0..n as u32)?;
    order.sort_unstable_by(|&a, &b| row(a).zip(row(b)).map(|(p, q)| p.total_cmp(&q)).find(|o| o.is_ne()).unwrap_or(core::cmp::Ordering::Equal));
    Ok(order.windows(2).filter(|w| row(w[0]).zip(row(w[1])).any(|(p, q)| p.total_cmp(&q).is_ne())).count() + usize::from(n > 0))
}

/// Checks `x` and `cfg`; `x`'s `[n, d]`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn check(x: &Tensor, cfg: &KMeansConfig) -> Result<(usize, usize)> {
    let [n, d] = x.dims() else {
        bail_shape!(OP, "x must have shape [samples, features], got {}", x.shape());
    };
    let (n, d) = (*n, *d);
    if cfg.k == 0 {
        bail!(OP, "k must be a positive integer, got 0");
    }
    if d == 0 {
        bail_shape!(OP, "x has no features (shape {})", x.shape());
    }
    if n == 0 {
        bail!(OP, "x has no samples (shape {}), so there is nothing to cluster", x.shape());
    }
    if cfg.k > n {
        // The bound to give is the distinct rows' (fewer samples than k: n is small), so that
        // the fix is not followed by the next error.
        let j = distinct_rows(x.data(), d)?;
        if j < n {
            bail!(OP, "k = {} is more than the {j} distinct rows of x (shape {}, {n} samples); identical rows cannot be in different clusters: use k <= {j}", cfg.k, x.shape());
        }
        bail!(OP, "k = {} is more than the {n} samples of x (shape {}): use k <= {n}", cfg.k, x.shape());
    }
    if cfg.max_iterations == 0 {
        bail!(OP, "maxIterations must be a positive integer, got 0");
    }
    if !(cfg.tolerance.is_finite() && cfg.tolerance >= 0.0) {
        bail!(OP, "tolerance must be a finite number >= 0, got {}", js_number(cfg.tolerance));
    }
    if cfg.n_init == 0 {
        bail!(OP, "nInit must be a positive integer, got 0");
    }
    let xs = x.data();
    if let Some(i) = crate::kernels::finite::first_non_finite(xs) {
        bail!(OP, "x contains {} at flat index {i}; clean the data first", js_number(xs[i]));
    }
    Ok((n, d))
}

/// Clusters the rows of `x` (`[n, d]`) into `cfg.k` groups; see the module docs.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn kmeans(x: &Tensor, cfg: KMeansConfig) -> Result<KMeans> {
    let (n, d) = check(x, &cfg)?;
    let xs = x.data();
    let mut best: Option<KMeans> = None;
    for r in 0..cfg.n_init {
        let mut rng = Philox::new(cfg.seed, r as u32);
        let centers = match cfg.init {
            KMeansInit::PlusPlus => seed_centers(xs, n, d, cfg.k, &mut rng)?,
            KMeansInit::Random => random_centers(xs, n, d, cfg.k, &mut rng)?,
        };
        let next = lloyd(xs, d, centers, &cfg)?;
        if best.as_ref().map_or(true, |b| next.inertia < b.inertia) {
            best = Some(next);
        }
    }
    match best {
        Some(b) => Ok(b),
        None => bail!(OP, "nInit must be a positive integer, got 0"),
    }
}

/// One run of Lloyd's iterations from `centers` (`[k, d]`, `cfg.n_init` and `cfg.init` unused).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn kmeans_from(x: &Tensor, centers: &Tensor, cfg: KMeansConfig) -> Result<KMeans> {
    let (_, d) = check(x, &cfg)?;
    if centers.dims() != [cfg.k, d] {
        bail_shape!(OP, "init must be the {} starting centers, shape [{},{d}] (k, the features of x), got {}", cfg.k, cfg.k, centers.shape());
    }
    let c = centers.data();
    if let Some(i) = crate::kernels::finite::first_non_finite(c) {
        bail!(OP, "init contains {} at flat index {i}", js_number(c[i]));
    }
    lloyd(x.data(), d, crate::tensor::collect_n(OP, c.len(), c.iter().copied())?, &cfg)
}

/// Gives each empty cluster (`counts[j] == 0`) the sample farthest from its own center (the
/// largest first, ties to the lower index; each sample once), moved out of its cluster's sums,
/// as scikit-learn's Lloyd relocates empty clusters; the labels follow at the next assignment.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
fn relocate_empty(xs: &[f32], d: usize, centers: &[f32], labels: &[u32], sums: &mut [f64], counts: &mut [usize]) {
    let mut taken: Vec<usize> = Vec::new();
    for j in 0..counts.len() {
        if counts[j] != 0 {
            continue;
        }
        let mut far: Option<(usize, f64)> = None;
        for (i, (row, &l)) in xs.chunks_exact(d).zip(labels).enumerate() {
            let s = dist2(row, &centers[l as usize * d..][..d]);
            if !taken.contains(&i) && far.map_or(true, |(_, b)| s > b) {
                far = Some((i, s));
            }
        }
        let Some((i, _)) = far else { return };
        taken.push(i);
        let from = labels[i] as usize;
        counts[from] -= 1;
        counts[j] = 1;
        for (q, &v) in xs[i * d..][..d].iter().enumerate() {
            sums[from * d + q] -= f64::from(v);
            sums[j * d + q] = f64::from(v);
        }
    }
}

/// Lloyd's iterations from `centers` until stable, within `cfg.tolerance`, or `cfg.max_iterations`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
fn lloyd(xs: &[f32], d: usize, mut centers: Vec<f32>, cfg: &KMeansConfig) -> Result<KMeans> {
    let (n, k) = (xs.len() / d, cfg.k);
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
        relocate_empty(xs, d, &centers, &labels, &mut sums, &mut counts);
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
        KMeansConfig { k, max_iterations: 100, tolerance: 0.0, seed, n_init: 1, init: KMeansInit::PlusPlus }
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
        // More clusters than samples: the bound given is the distinct rows', where fewer.
        let dup = Tensor::new("t", Shape::from([2, 2]), vec![1.0, -0.0, 1.0, 0.0]).unwrap();
        assert_eq!(kmeans(&dup, cfg(3, 1)).unwrap_err().to_string(), "kmeans: k = 3 is more than the 1 distinct rows of x (shape [2,2], 2 samples); identical rows cannot be in different clusters: use k <= 1");
        let rows = Tensor::new("t", Shape::from([3, 1]), vec![2.0, 1.0, 2.0]).unwrap();
        assert_eq!(kmeans(&rows, cfg(5, 1)).unwrap_err().to_string(), "kmeans: k = 5 is more than the 2 distinct rows of x (shape [3,1], 3 samples); identical rows cannot be in different clusters: use k <= 2");
        let none = Tensor::new("t", Shape::from([0, 2]), vec![]).unwrap();
        assert_eq!(kmeans(&none, cfg(1, 1)).unwrap_err().to_string(), "kmeans: x has no samples (shape [0,2]), so there is nothing to cluster");
        let all = Tensor::new("t", Shape::from([3, 1]), vec![2.0, 1.0, 3.0]).unwrap();
        assert_eq!(kmeans(&all, cfg(5, 1)).unwrap_err().to_string(), "kmeans: k = 5 is more than the 3 samples of x (shape [3,1]): use k <= 3");
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

    /// Several runs keep the least inertia; the first run is the one-run result, so nInit = 1
    /// is unchanged; random seeding takes distinct rows; given centers start Lloyd there.
    #[test]
    fn several_runs_random_seeding_and_given_centers() {
        // Two tight pairs far apart and a lone point: some seedings end in a worse optimum.
        let x = Tensor::new("t", Shape::from([5, 1]), vec![0.0, 0.1, 10.0, 10.1, 20.0]).unwrap();
        let runs: Vec<KMeans> = (0..10).map(|s| kmeans(&x, KMeansConfig { n_init: 1, ..cfg(3, s) }).unwrap()).collect();
        for s in 0..10u64 {
            let many = kmeans(&x, KMeansConfig { n_init: 6, ..cfg(3, s) }).unwrap();
            let firsts: Vec<f64> = (0..6).map(|r| lloyd(x.data(), 1, seed_centers(x.data(), 5, 1, 3, &mut Philox::new(s, r)).unwrap(), &cfg(3, s)).unwrap().inertia).collect();
            let least = firsts.iter().copied().fold(f64::INFINITY, f64::min);
            assert_eq!(many.inertia, least, "seed {s}: {firsts:?}");
            assert_eq!(firsts[0], runs[s as usize].inertia);
        }
        let r = kmeans(&x, KMeansConfig { init: KMeansInit::Random, n_init: 10, ..cfg(3, 4) }).unwrap();
        assert!((r.inertia - 0.01).abs() < 1e-6, "{}", r.inertia);
        // Random seeding draws distinct rows, and counts them when there are too few.
        let same = Tensor::new("t", Shape::from([4, 1]), vec![2.0, 2.0, 3.0, 2.0]).unwrap();
        for seed in 0..20 {
            let c = random_centers(same.data(), 4, 1, 2, &mut Philox::new(seed, 0)).unwrap();
            assert!(c == [2.0, 3.0] || c == [3.0, 2.0], "{c:?}");
            let e = kmeans(&same, KMeansConfig { init: KMeansInit::Random, ..cfg(3, seed) }).unwrap_err();
            assert_eq!(e.to_string(), "kmeans: k = 3 is more than the 2 distinct rows of x (shape [4,1]); identical rows cannot be in different clusters: use k <= 2");
        }
        // A starting center no sample is nearest to takes the farthest sample (scikit-learn):
        // 30 starts empty, moves to 20 (the farthest from its center 10.05), and every cluster
        // ends with samples.
        let lone = Tensor::new("t", Shape::from([3, 1]), vec![0.0, 10.0, 30.0]).unwrap();
        let far = Tensor::new("t", Shape::from([6, 1]), vec![0.0, 0.1, 10.0, 10.1, 20.0, 0.2]).unwrap();
        let r = kmeans_from(&far, &lone, cfg(3, 0)).unwrap();
        assert_eq!((r.labels.clone(), r.converged), (vec![0, 0, 1, 1, 2, 0], true));
        assert_eq!(r.centers[2], 20.0);
        let start = Tensor::new("t", Shape::from([3, 1]), vec![0.0, 5.0, 20.0]).unwrap();
        let g = kmeans_from(&x, &start, cfg(3, 0)).unwrap();
        assert_eq!((g.centers.clone(), g.labels.clone()), (vec![0.05, 10.05, 20.0], vec![0, 0, 1, 1, 2]));
        let e = |c: &Tensor| kmeans_from(&x, c, cfg(3, 0)).unwrap_err().to_string();
        assert_eq!(e(&Tensor::new("t", Shape::from([2, 1]), vec![0.0, 1.0]).unwrap()), "kmeans: init must be the 3 starting centers, shape [3,1] (k, the features of x), got [2,1]");
        assert_eq!(e(&Tensor::new("t", Shape::from([3, 1]), vec![0.0, f32::INFINITY, 1.0]).unwrap()), "kmeans: init contains Infinity at flat index 1");
        assert!(kmeans(&x, KMeansConfig { n_init: 0, ..cfg(1, 0) }).unwrap_err().to_string().contains("nInit"));
    }

    #[test]
    fn bad_input_is_named() {
        let x = blobs(1);
        let e = |x: &Tensor, c: KMeansConfig| kmeans(x, c).unwrap_err().to_string();
        assert_eq!(e(&x, cfg(61, 0)), "kmeans: k = 61 is more than the 60 samples of x (shape [60,2]): use k <= 60");
        assert_eq!(e(&x, cfg(0, 0)), "kmeans: k must be a positive integer, got 0");
        assert!(e(&Tensor::scalar(1.0), cfg(1, 0)).contains("got []"));
        assert!(e(&x, KMeansConfig { max_iterations: 0, ..cfg(2, 0) }).contains("maxIterations"));
        assert!(e(&x, KMeansConfig { tolerance: -1.0, ..cfg(2, 0) }).contains("tolerance"));
        let nan = Tensor::new("t", Shape::from([2, 1]), vec![1.0, f32::NAN]).unwrap();
        assert!(e(&nan, cfg(1, 0)).contains("NaN at flat index 1"));
    }
}
