//! Copy kernels for the shape ops: strided blocks, interleaved rows, gathered rows, tiles and
//! one-hot rows. Plain functions over row-major slices; they never allocate and never validate
//! (the op in `ops/` has checked every index and size).
//!
//! Notation: a tensor of shape `[d0, ..., dn-1]` is a row-major slice of `d0·…·dn-1` values.
//!
//! ```
//! use neurite_core::kernels::copy::interleave;
//! // Two [2, 1] and [2, 2] blocks joined along axis 1: rows [a0 b0 b1], [a1 b2 b3].
//! let mut out = [0.0; 6];
//! interleave(&[&[1.0, 2.0], &[3.0, 4.0, 5.0, 6.0]], 2, &mut out);
//! assert_eq!(out, [1.0, 3.0, 4.0, 2.0, 5.0, 6.0]);
//! ```

/// `out = x[begin0 .. begin0+size0, begin1 .. begin1+size1, ...]` for `x` of shape `dims`.
///
/// `out.len()` is the product of `size`; every `begin[d] + size[d] <= dims[d]`.
pub fn slice_block(x: &[f32], dims: &[usize], begin: &[usize], size: &[usize], out: &mut [f32]) {
    if out.is_empty() {
        return;
    }
    let Some((_, rest_dims)) = dims.split_first() else {
        out.copy_from_slice(&x[..1]);
        return;
    };
    let stride: usize = rest_dims.iter().product();
    // When the rest of the axes are taken whole, the block is one contiguous run.
    if begin[1..].iter().all(|&b| b == 0) && size[1..] == *rest_dims {
        let start = begin[0] * stride;
        out.copy_from_slice(&x[start..start + out.len()]);
        return;
    }
    let out_stride = out.len() / size[0];
    let rows = x.chunks_exact(stride).skip(begin[0]).take(size[0]);
    for (src, dst) in rows.zip(out.chunks_exact_mut(out_stride)) {
        slice_block(src, rest_dims, &begin[1..], &size[1..], dst);
    }
}

/// The inverse of [`slice_block`]: writes `block` (shape `size`) into `out` (shape `dims`) at
/// `begin`, leaving the rest of `out` as it was. Every `begin[d] + size[d] <= dims[d]`.
pub fn place_block(block: &[f32], size: &[usize], dims: &[usize], begin: &[usize], out: &mut [f32]) {
    if block.is_empty() {
        return;
    }
    let Some((_, rest_dims)) = dims.split_first() else {
        out[..1].copy_from_slice(&block[..1]);
        return;
    };
    let stride: usize = rest_dims.iter().product();
    // When the rest of the axes are taken whole (always so on the last axis), the block is one
    // contiguous run of `out`.
    if begin[1..].iter().all(|&b| b == 0) && size[1..] == *rest_dims {
        let start = begin[0] * stride;
        copy_short(&mut out[start..start + block.len()], block);
        return;
    }
    let block_stride = block.len() / size[0];
    let rows = out.chunks_exact_mut(stride).skip(begin[0]).take(size[0]);
    for (src, dst) in block.chunks_exact(block_stride).zip(rows) {
        place_block(src, &size[1..], rest_dims, &begin[1..], dst);
    }
}

/// Runs up to this long are copied value by value by [`copy_short`] and [`fill_short`].
const SHORT: usize = 16;

/// `dst.copy_from_slice(src)` for runs that are often short (a convolution window's row of a few
/// values). In wasm with bulk memory, a copy of a length unknown at compile time is a
/// `memory.copy`, whose fixed cost (a call out of the compiled code) is many times that of
/// copying a few values; the volatile stores keep LLVM from turning the loop back into one.
#[inline]
pub fn copy_short(dst: &mut [f32], src: &[f32]) {
    debug_assert_eq!(dst.len(), src.len(), "copy_short: lengths differ");
    if dst.len() > SHORT {
        dst.copy_from_slice(src);
        return;
    }
    for (d, &s) in dst.iter_mut().zip(src) {
        // SAFETY: `d` is a valid, aligned, exclusive reference.
        unsafe { core::ptr::write_volatile(d, s) };
    }
}

/// `dst.fill(v)` for runs that are often short or empty, as [`copy_short`].
#[inline]
pub fn fill_short(dst: &mut [f32], v: f32) {
    if dst.len() > SHORT {
        dst.fill(v);
        return;
    }
    for d in dst.iter_mut() {
        // SAFETY: as in copy_short.
        unsafe { core::ptr::write_volatile(d, v) };
    }
}

/// Joins blocks row by row: with `outer` rows, `out` row `o` is row `o` of `parts[0]`, then
/// row `o` of `parts[1]`, and so on. Each part has `outer` rows of `part.len() / outer` values
/// (its own row length; zero-length parts are skipped).
pub fn interleave(parts: &[&[f32]], outer: usize, out: &mut [f32]) {
    if outer == 0 || out.is_empty() {
        return;
    }
    let row = out.len() / outer;
    let mut offset = 0;
    for part in parts {
        let len = part.len() / outer;
        if len == 0 {
            continue;
        }
        for (src, dst) in part.chunks_exact(len).zip(out.chunks_exact_mut(row)) {
            dst[offset..offset + len].copy_from_slice(src);
        }
        offset += len;
    }
}

/// Gathers rows along the middle axis: `x` is viewed as `[outer, dim, inner]` and
/// `out[o, j, :] = x[o, idx[j], :]` (shape `[outer, idx.len(), inner]`). Every `idx[j] < dim`.
pub fn gather_rows(x: &[f32], dim: usize, inner: usize, idx: &[usize], out: &mut [f32]) {
    if out.is_empty() || inner == 0 {
        return;
    }
    let block = dim * inner;
    let out_block = idx.len() * inner;
    for (o, dst_block) in out.chunks_exact_mut(out_block).enumerate() {
        let src = &x[o * block..(o + 1) * block];
        for (dst, &j) in dst_block.chunks_exact_mut(inner).zip(idx) {
            dst.copy_from_slice(&src[j * inner..(j + 1) * inner]);
        }
    }
}

/// Tiles `x` of shape `dims`: `out[i0, i1, ...] = x[i0 % d0, i1 % d1, ...]`, with output
/// shape `[d0·reps0, d1·reps1, ...]`. Whole repeats are copied with `copy_within` (memcpy).
pub fn tile(x: &[f32], dims: &[usize], reps: &[usize], out: &mut [f32]) {
    if out.is_empty() {
        return;
    }
    let (Some((&d0, rest_dims)), Some((&r0, rest_reps))) = (dims.split_first(), reps.split_first()) else {
        out.copy_from_slice(&x[..1]);
        return;
    };
    // One repeat of axis 0 is `d0` tiled sub-blocks; the other `r0 - 1` repeats copy it.
    let block = out.len() / r0;
    let sub = block / d0;
    let stride = x.len() / d0;
    for (src, dst) in x.chunks_exact(stride).zip(out[..block].chunks_exact_mut(sub)) {
        tile(src, rest_dims, rest_reps, dst);
    }
    for r in 1..r0 {
        out.copy_within(0..block, r * block);
    }
}

/// One-hot rows: `out[i, k] = on` if `idx[i] == k`, else `off`, for `k < depth`. An index
/// outside `0..depth` gives a row of `off` (TF.js semantics). `idx` holds integer values.
pub fn one_hot(idx: &[f32], depth: usize, on: f32, off: f32, out: &mut [f32]) {
    out.fill(off);
    one_hot_on(idx, depth, on, out);
}

/// [`one_hot`] on rows already filled with `off`: writes only the `on` values.
pub fn one_hot_on(idx: &[f32], depth: usize, on: f32, out: &mut [f32]) {
    if depth == 0 {
        return;
    }
    for (row, &v) in out.chunks_exact_mut(depth).zip(idx) {
        if v >= 0.0 && (v as usize) < depth {
            row[v as usize] = on;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iota(n: usize) -> Vec<f32> {
        (0..n).map(|v| v as f32).collect()
    }

    #[test]
    fn slice_block_matches_index_arithmetic() {
        // x: [3, 4, 5], block begin [1, 1, 2] size [2, 3, 2].
        let x = iota(60);
        let mut out = vec![0.0; 12];
        slice_block(&x, &[3, 4, 5], &[1, 1, 2], &[2, 3, 2], &mut out);
        let mut want = Vec::new();
        for i in 1..3 {
            for j in 1..4 {
                for k in 2..4 {
                    want.push((i * 20 + j * 5 + k) as f32);
                }
            }
        }
        assert_eq!(out, want);
        // Contiguous fast path: whole trailing axes.
        let mut out = vec![0.0; 20];
        slice_block(&x, &[3, 4, 5], &[2, 0, 0], &[1, 4, 5], &mut out);
        assert_eq!(out, iota(60)[40..].to_vec());
        // Rank 0 and empty blocks.
        let mut out = [0.0];
        slice_block(&[7.0], &[], &[], &[], &mut out);
        assert_eq!(out, [7.0]);
        slice_block(&x, &[3, 4, 5], &[0, 0, 0], &[3, 0, 5], &mut []);
    }

    #[test]
    fn gather_and_interleave() {
        // x: [2, 3, 2]; gather axis 1 with [2, 0, 2].
        let x = iota(12);
        let mut out = vec![0.0; 12];
        gather_rows(&x, 3, 2, &[2, 0, 2], &mut out);
        assert_eq!(out, vec![4., 5., 0., 1., 4., 5., 10., 11., 6., 7., 10., 11.]);
        let mut out = vec![0.0; 5];
        interleave(&[&[1.0], &[], &[2.0, 3.0, 4.0, 5.0]], 1, &mut out);
        assert_eq!(out, vec![1., 2., 3., 4., 5.]);
    }

    #[test]
    fn tile_and_one_hot() {
        // [2, 2] tiled [2, 3] → [4, 6].
        let mut out = vec![0.0; 24];
        tile(&[1., 2., 3., 4.], &[2, 2], &[2, 3], &mut out);
        let row1 = [1., 2., 1., 2., 1., 2.];
        let row2 = [3., 4., 3., 4., 3., 4.];
        assert_eq!(out, [row1, row2, row1, row2].concat());
        let mut out = vec![0.0; 9];
        one_hot(&[2., -1., 3.], 3, 5., 0.5, &mut out);
        assert_eq!(out, vec![0.5, 0.5, 5., 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    }
}
