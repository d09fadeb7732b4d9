//! Finding NaN and infinities fast: the data checks that run on every `fit` call and every
//! training step (inputs, targets, gradients).
//!
//! A scalar `iter().position(|v| !v.is_finite())` stops at the first hit, so the compiler
//! cannot vectorize it: it ran at about one element per cycle, 0.1 ms per step on the MNIST
//! MLP's gradients. Here each block of [`BLOCK`] values is tested with integer operations
//! (all exponent bits set means infinite or NaN) OR-ed together, which vectorizes; only a
//! block with a hit is searched element by element.
//!
//! ```
//! use neurite_core::kernels::finite::first_non_finite;
//! let mut x = vec![1.0f32; 1000];
//! assert_eq!(first_non_finite(&x), None);
//! x[777] = f32::NEG_INFINITY;
//! x[900] = f32::NAN;
//! assert_eq!(first_non_finite(&x), Some(777));
//! ```

/// Values tested per block.
pub const BLOCK: usize = 256;

const EXPONENT: u32 = 0x7f80_0000;

/// Whether any value of `block` is NaN or infinite (no early exit: vectorizes).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline]
fn any_non_finite(block: &[f32]) -> bool {
    block.iter().fold(0u32, |acc, v| acc | u32::from(v.to_bits() & EXPONENT == EXPONENT)) != 0
}

/// The simd128 twin: 16 values per step, the exponent tests OR-ed into one vector.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn any_non_finite(block: &[f32]) -> bool {
    use core::arch::wasm32::*;
    let mask = u32x4_splat(EXPONENT);
    let mut hit = u32x4_splat(0);
    let (quads, rest) = block.as_chunks::<16>();
    for q in quads {
        // SAFETY: `q` is 16 readable f32s; wasm loads need no alignment.
        let v: [v128; 4] = core::array::from_fn(|k| unsafe { v128_load(q.as_ptr().add(4 * k).cast()) });
        for x in v {
            hit = v128_or(hit, i32x4_eq(v128_and(x, mask), mask));
        }
    }
    v128_any_true(hit) || rest.iter().any(|v| v.to_bits() & EXPONENT == EXPONENT)
}

/// Values per task when a long input is searched on the thread pool.
pub const TASK: usize = 64 * BLOCK;

/// The index of the first NaN or infinity in `x`, if any.
///
/// Inputs longer than [`TASK`] are tested in tasks of `TASK` values on the thread pool (fit's
/// check of a whole data set); the first task with a hit, in index order, is then searched,
/// so the answer is the same for any number of threads.
pub fn first_non_finite(x: &[f32]) -> Option<usize> {
    let search = |x: &[f32]| x.chunks(BLOCK).enumerate().find(|(_, b)| any_non_finite(b)).and_then(|(i, b)| b.iter().position(|v| !v.is_finite()).map(|j| i * BLOCK + j));
    if x.len() <= TASK {
        return search(x);
    }
    // Groups of tasks bound the flag buffer (no allocation) and stop at the first group with a hit.
    const GROUP: usize = 64;
    let tasks = x.len().div_ceil(TASK);
    let mut hits = [false; GROUP];
    for g0 in (0..tasks).step_by(GROUP) {
        let hits = &mut hits[..GROUP.min(tasks - g0)];
        let part = |i: usize| &x[(g0 + i) * TASK..x.len().min((g0 + i + 1) * TASK)];
        crate::parallel::map_tasks(hits, hits.len() * TASK, |i| part(i).chunks(BLOCK).any(any_non_finite));
        if let Some(i) = hits.iter().position(|&h| h) {
            return search(part(i)).map(|j| (g0 + i) * TASK + j);
        }
    }
    None
}

/// Whether every value of `x` is finite.
pub fn all_finite(x: &[f32]) -> bool {
    first_non_finite(x).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_answer_for_any_number_of_workers() {
        use crate::parallel::testing::same_bits_for_all_counts;
        let n = 70 * TASK + 3; // more than one group of 64 tasks
        for i in [5 * TASK + 1, 66 * TASK + 9, n - 1] {
            let mut x = vec![-2.5f32; n];
            x[i] = f32::NEG_INFINITY;
            x[n - 1] = f32::NAN;
            let got = same_bits_for_all_counts("first_non_finite", || vec![first_non_finite(&x).map_or(-1.0, |j| j as f32)]);
            assert_eq!(got, [i as f32]);
        }
    }

    #[test]
    fn finds_the_first_nan_or_infinity_at_every_position_and_block_edge() {
        for n in [0usize, 1, 2, 255, 256, 257, 511, 512, 513, 1000] {
            assert_eq!(first_non_finite(&vec![0.5; n]), None, "n = {n}");
            for i in (0..n).filter(|&i| i < 3 || i + 3 > n || i % BLOCK < 2 || i % BLOCK > BLOCK - 3) {
                for bad in [f32::NAN, -f32::NAN, f32::INFINITY, f32::NEG_INFINITY, f32::from_bits(0x7f80_0001)] {
                    let mut x: Vec<f32> = (0..n).map(|k| (k as f32 - 300.0) * 1e30).collect();
                    x[i] = bad;
                    if i + 1 < n {
                        x[n - 1] = f32::NAN;
                    }
                    assert_eq!(first_non_finite(&x), Some(i), "n = {n}, i = {i}, {bad}");
                    assert!(!all_finite(&x));
                }
            }
        }
        // Long inputs (searched in tasks, on the pool when it has workers; see
        // `same_bits_for_all_counts` in the thread tests): the first hit of the first task.
        let n = 5 * TASK + 77;
        assert_eq!(first_non_finite(&vec![1.0f32; n]), None);
        for i in [0, TASK - 1, TASK, 3 * TASK + 5, n - 1] {
            let mut x = vec![1.0f32; n];
            x[i] = f32::NAN;
            x[n - 1] = f32::INFINITY;
            assert_eq!(first_non_finite(&x), Some(i), "n = {n}, i = {i}");
        }
        // The largest finite values, subnormals and zeros are finite.
        assert!(all_finite(&[f32::MAX, f32::MIN, f32::MIN_POSITIVE / 4.0, -0.0, 0.0]));
    }
}
