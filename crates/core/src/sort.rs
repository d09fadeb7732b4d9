//! A small in-place sort for cold code.
//!
//! `slice::sort*` instantiates std's driftsort or ipnsort for every element type and
//! comparison: 3–7 kB of wasm each (17.6 kB for the three the wasm had: Huffman's leaves, RBF
//! distances, the handles of `optimizer.apply`). [`heapsort_by`] is a few hundred bytes per
//! use, O(n log n) with no allocation, and not stable, so callers sort by a total order (ties
//! broken by an index), or by one where equal elements are indistinguishable: then the result
//! is exactly what a stable sort gives. It is slower than std's: 256 `u64` keys (Huffman's
//! leaves for random bytes) take ~4 µs more, which shows only on inputs of a few kB.
//!
//! ```
//! let mut v = [5, 1, 4, 1, 3];
//! neurite_core::sort::heapsort_by(&mut v, |a, b| a < b);
//! assert_eq!(v, [1, 1, 3, 4, 5]);
//! ```

/// Sorts `v` ascending by `less` (a strict weak order: `less(a, b)` means `a` goes first).
pub fn heapsort_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let n = v.len();
    // Build a max-heap, then move the largest to the end, one at a time.
    for start in (0..n / 2).rev() {
        sift_down(v, start, n, &less);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift_down(v, 0, end, &less);
    }
}

/// Restores the heap below `root` within `v[..end]` (a max-heap by `less`: no child goes
/// before its parent).
#[inline]
pub(crate) fn sift_down<T>(v: &mut [T], mut root: usize, end: usize, less: &impl Fn(&T, &T) -> bool) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&v[child], &v[child + 1]) {
            child += 1;
        }
        if !less(&v[root], &v[child]) {
            return;
        }
        v.swap(root, child);
        root = child;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Agrees with std's stable sort on every length up to 70 and on larger random inputs,
    /// with many ties (by a total order, so the results must be equal).
    #[test]
    fn sorts_like_std() {
        let mut rng = crate::rng::Philox::new(12345, 0);
        let mut next = move || rng.next_u32();
        for n in (0..=70).chain([255, 256, 257, 1000, 4097]) {
            for modulus in [1, 3, 1000, u32::MAX] {
                let v: Vec<(u32, usize)> = (0..n).map(|i| (next() % modulus, i)).collect();
                let mut want = v.clone();
                want.sort();
                let mut got = v.clone();
                heapsort_by(&mut got, |a, b| a < b);
                assert_eq!(got, want, "n={n} modulus={modulus}");
            }
        }
        let mut f: Vec<f64> = (0..500).map(|i| f64::from(next()) / f64::from(u32::MAX) - if i % 7 == 0 { 0.5 } else { 0.0 }).collect();
        f.extend([0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, 1.0, 1.0]);
        let mut want = f.clone();
        want.sort_by(f64::total_cmp);
        heapsort_by(&mut f, |a, b| a.total_cmp(b).is_lt());
        assert_eq!(f.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), want.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
    }
}
