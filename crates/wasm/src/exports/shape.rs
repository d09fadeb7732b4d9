//! Shape ops: slice, concat/stack, split, squeeze/expandDims, gather, oneHot, tile, reverse, pad,
//! cumsum, cumprod, unsortedSegmentSum and topk.
//!
//! Lists (begin, sizes, axes, reps, input handles) arrive as i32/u32 arrays, usually in the
//! scratch argument area. `nr_split` returns many handles through an out-array; every other
//! export writes one handle to `out`.

use super::tape::{emit_rec, record_slices};
use neurite_core::autodiff::Recorded;
use crate::ffi::{check_out, guard, read_i64s, read_u32s, write_out, write_slice};
use crate::handles::{self, Object};
use neurite_core::ops::{concat, cumprod, cumsum, gather, mirror_pad, one_hot, pad, reverse, segment_sum, slice, split, squeeze, tile, topk};
use neurite_core::{Error, Result, Tensor};

/// Runs `f` on the tensors behind `n` handles read from `list`.
///
/// # Safety
/// `list` points to `n` u32s.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
unsafe fn with_tensors(op: &'static str, list: *const u32, n: usize, f: impl FnOnce(&[&Tensor]) -> Result<Tensor>) -> Result<Tensor> {
    // SAFETY: forwarded caller contract.
    let hs = unsafe { read_u32s(op, list, n) }?;
    handles::with(|h| {
        let ts = hs.iter().map(|&x| h.tensor(x)).collect::<Result<Vec<&Tensor>>>()?;
        f(&ts)
    })
}

/// The block of `x` at `begin` (`n_begin` i32s) spanning `size` (`n_size` i32s, -1 = to the
/// end); short lists are padded as in TF.js.
///
/// # Safety
/// `begin`/`size` point to `n_begin`/`n_size` i32s; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_slice(x: u32, begin: *const i32, n_begin: usize, size: *const i32, n_size: usize, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        const OP: &str = "slice";
        // SAFETY: forwarded caller contract.
        let (b, s) = unsafe { (read_i64s(OP, begin, n_begin)?, read_i64s(OP, size, n_size)?) };
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| slice::slice(h.tensor(x)?, &b, &s))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec(OP, t, out, || (Recorded::Slice { begin: b.clone(), size: s.clone() }, vec![x])) }
    })
}

/// Concatenates the `n` tensors whose handles are in `list` along `axis`.
///
/// # Safety
/// `list` points to `n` u32s; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_concat(list: *const u32, n: usize, axis: i32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let t = unsafe { with_tensors("concat", list, n, |ts| concat::concat(ts, axis.into())) }?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("concat", t, out, || (Recorded::Concat { axis: axis.into() }, list_handles(list, n))) }
    })
}

/// Stacks the `n` equally shaped tensors whose handles are in `list` along a new `axis`.
///
/// # Safety
/// `list` points to `n` u32s; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_stack(list: *const u32, n: usize, axis: i32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let t = unsafe { with_tensors("stack", list, n, |ts| concat::stack(ts, axis.into())) }?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("stack", t, out, || (Recorded::Stack { axis: axis.into() }, list_handles(list, n))) }
    })
}

/// Splits `x` along `axis` into `count` equal pieces (`by_count != 0`) or into pieces of the
/// `n_sizes` sizes in `sizes` (one may be -1). Writes the total piece count to `out_n` and the
/// handles of pieces `first .. first + out_cap` to `out`; call again with a larger `first` to
/// get the rest. On any error no piece of this call stays alive.
///
/// # Safety
/// `sizes` points to `n_sizes` i32s; `out` to `out_cap` writable u32s (it may alias `sizes`,
/// which is read first); `out_n` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_split(
    x: u32,
    by_count: u32,
    count: i32,
    sizes: *const i32,
    n_sizes: usize,
    axis: i32,
    first: usize,
    out: *mut u32,
    out_cap: usize,
    out_n: *mut u32,
) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        const OP: &str = "split";
        let spec = if by_count != 0 {
            split::SplitSpec::Count(count.into())
        } else {
            // SAFETY: forwarded caller contract.
            split::SplitSpec::Sizes(unsafe { read_i64s(OP, sizes, n_sizes) }?)
        };
        check_out(OP, out_n, 1)?;
        let (total, pieces, ax, begin) = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| -> Result<_> {
            let xt = h.tensor(x)?;
            let (total, pieces) = split::split_range(xt, &spec, axis.into(), first, out_cap)?;
            // Where the first returned piece starts along the axis (for the tape).
            let ax = xt.shape().axis(OP, axis.into())?;
            let sizes = split::split_sizes(OP, &spec, xt.dims()[ax], ax, xt.shape())?;
            let begin: usize = sizes[..first.min(sizes.len())].iter().sum();
            Ok((total, pieces, ax, begin))
        })?;
        if !pieces.is_empty() {
            check_out(OP, out, out_cap)?;
        }
        let total = u32::try_from(total).map_err(|_| Error::invalid(OP, format!("{total} pieces are too many")))?;
        let ids = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| {
            let mut ids = Vec::with_capacity(pieces.len());
            for t in pieces {
                match h.insert(Object::Tensor(t)) {
                    Ok(id) => ids.push(id),
                    Err(e) => {
                        for &id in &ids {
                            let _ = h.remove(id);
                        }
                        return Err(e);
                    }
                }
            }
            Ok(ids)
        })?;
        // Each piece is a slice of x: recorded as such, so gradients flow through split.
        // SAFETY: `out_n` and `out` (room for out_cap >= ids.len()) were checked above.
        let written = record_slices(x, ax, begin, &ids)
            .and_then(|()| unsafe { write_out(OP, out_n, total) })
            .and_then(|()| if ids.is_empty() { Ok(()) } else { unsafe { write_slice(OP, out, out_cap, &ids) } });
        if let Err(e) = written {
            handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| ids.iter().for_each(|&id| drop(h.remove(id))));
            return Err(e);
        }
        Ok(())
    })
}

/// Removes size-1 axes: all of them if `has_axes == 0` (or `n_axes == 0`), else the `n_axes`
/// listed in `axes`, each of which must have size 1.
///
/// # Safety
/// `axes` points to `n_axes` i32s; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_squeeze(x: u32, axes: *const i32, n_axes: usize, has_axes: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let a = unsafe { read_i64s("squeeze", axes, n_axes) }?;
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| squeeze::squeeze(h.tensor(x)?, (has_axes != 0).then_some(&a[..])))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("squeeze", t, out, || (Recorded::Reshape, vec![x])) }
    })
}

/// Inserts a size-1 axis at `axis` (in `-(rank+1)..=rank`).
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_expand_dims(x: u32, axis: i32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| squeeze::expand_dims(h.tensor(x)?, axis.into()))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("expandDims", t, out, || (Recorded::Reshape, vec![x])) }
    })
}

/// Gathers slices of `x` along `axis` at the integer values of the tensor `indices`.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_gather(x: u32, indices: u32, axis: i32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| gather::gather(h.tensor(x)?, h.tensor(indices)?, axis.into()))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("gather", t, out, || (Recorded::Gather { axis: axis.into() }, vec![x, indices])) }
    })
}

/// Sums of the slices of `x` by the integer values of `segment_ids` (a tensor whose shape is a
/// prefix of `x`'s) into `num_segments` rows; ids outside `[0, num_segments)` are dropped.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_unsorted_segment_sum(x: u32, segment_ids: u32, num_segments: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| segment_sum::unsorted_segment_sum(h.tensor(x)?, h.tensor(segment_ids)?, num_segments as usize))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("unsortedSegmentSum", t, out, || (Recorded::SegmentSum, vec![x, segment_ids])) }
    })
}

/// One-hot rows of length `depth` for the integer values of `indices`.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_one_hot(indices: u32, depth: u32, on: f32, off: f32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| one_hot::one_hot(h.tensor(indices)?, depth as usize, on, off))?;
        // No gradient by definition (integer indices): a constant on the tape, as in TF.js.
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("oneHot", t, out, || (Recorded::NoGradient { op: "oneHot" }, vec![indices])) }
    })
}

/// Repeats `x` `reps[i]` times along axis `i` (`n_reps` i32s, one per axis).
///
/// # Safety
/// `reps` points to `n_reps` i32s; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_tile(x: u32, reps: *const i32, n_reps: usize, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let r = unsafe { read_i64s("tile", reps, n_reps) }?;
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| tile::tile(h.tensor(x)?, &r))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("tile", t, out, || (Recorded::Tile { reps: r.clone() }, vec![x])) }
    })
}

/// `x` reversed along the `n_axes` axes in `axes` (i32s; negative counts from the end).
///
/// # Safety
/// `axes` points to `n_axes` i32s; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_reverse(x: u32, axes: *const i32, n_axes: usize, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let a = unsafe { read_i64s("reverse", axes, n_axes) }?;
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| reverse::reverse(h.tensor(x)?, &a))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("reverse", t, out, || (Recorded::Reverse { axes: a.clone() }, vec![x])) }
    })
}

/// `n_pairs` `[before, after]` pairs of i32s at `ptr` (pad's and mirrorPad's `paddings`).
///
/// # Safety
/// `ptr` points to `2·n_pairs` i32s.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
unsafe fn read_pairs(op: &'static str, ptr: *const i32, n_pairs: usize) -> Result<Vec<[i64; 2]>> {
    // SAFETY: forwarded caller contract.
    let flat = unsafe { read_i64s(op, ptr, n_pairs.saturating_mul(2)) }?;
    Ok(flat.chunks_exact(2).map(|c| [c[0], c[1]]).collect())
}

/// `x` padded with `value`: `paddings` holds `2·n_pairs` i32s, `[before, after]` per axis.
///
/// # Safety
/// `paddings` points to `2·n_pairs` i32s; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_pad(x: u32, paddings: *const i32, n_pairs: usize, value: f32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let p = unsafe { read_pairs("pad", paddings, n_pairs) }?;
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| pad::pad(h.tensor(x)?, &p, value))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("pad", t, out, || (Recorded::Pad { paddings: p.clone() }, vec![x])) }
    })
}

/// `mirrorPad(x, paddings, mode)`: `symmetric` 1 repeats the edge, 0 (`reflect`) does not.
///
/// # Safety
/// `paddings` points to `2·n_pairs` i32s; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_mirror_pad(x: u32, paddings: *const i32, n_pairs: usize, symmetric: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let p = unsafe { read_pairs("mirrorPad", paddings, n_pairs) }?;
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| mirror_pad::mirror_pad(h.tensor(x)?, &p, symmetric != 0))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("mirrorPad", t, out, || (Recorded::MirrorPad { paddings: p.clone(), symmetric: symmetric != 0 }, vec![x])) }
    })
}

/// Running sums of `x` along `axis` (`exclusive`, `reverse`: 0 or 1), as TF.js `cumsum`.
///
/// # Safety
/// `out` points to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_cumsum(x: u32, axis: i32, exclusive: i32, reverse: i32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let (ex, rev) = (exclusive != 0, reverse != 0);
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| cumsum::cumsum(h.tensor(x)?, axis.into(), ex, rev))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("cumsum", t, out, || (Recorded::Cumsum { axis: axis.into(), exclusive: ex, reverse: rev }, vec![x])) }
    })
}

/// Running products of `x` along `axis` (`exclusive`, `reverse`: 0 or 1), as TF.js `cumprod`.
///
/// # Safety
/// `out` points to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_cumprod(x: u32, axis: i32, exclusive: i32, reverse: i32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let (ex, rev) = (exclusive != 0, reverse != 0);
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| cumprod::cumprod(h.tensor(x)?, axis.into(), ex, rev))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("cumprod", t, out, || (Recorded::Cumprod { axis: axis.into(), exclusive: ex, reverse: rev }, vec![x])) }
    })
}

/// The `k` largest entries of each row of `x` (its last axis) to `out_values`, and their
/// indices (float32) to `out_indices`. On the tape the values record their backward rule; the
/// indices are a constant.
///
/// # Safety
/// `out_values` and `out_indices` point to writable u32s.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_topk(x: u32, k: i32, out_values: *mut u32, out_indices: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let (v, i) = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| topk::topk(h.tensor(x)?, k.into()))?;
        let kept = i.clone();
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("topk", v, out_values, || (Recorded::TopK { indices: kept }, vec![x])) }?;
        // SAFETY: out_values was just written.
        let hv = unsafe { out_values.read() };
        // SAFETY: forwarded caller contract.
        if let Err(e) = unsafe { emit_rec("topk", i, out_indices, || (Recorded::NoGradient { op: "topk" }, vec![x])) } {
            let _ = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.remove(hv));
            return Err(e);
        }
        Ok(())
    })
}

/// The handles in a caller's list, for the tape (the list was already read once).
///
/// # Safety
/// `list` points to `n` u32s.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
unsafe fn list_handles(list: *const u32, n: usize) -> Vec<u32> {
    // SAFETY: forwarded caller contract.
    unsafe { read_u32s("concat", list, n) }.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_tensor(dims: &[usize], v: Vec<f32>) -> u32 {
        let t = Tensor::new("t", dims.into(), v).unwrap();
        handles::with(|h| h.insert(Object::Tensor(t))).unwrap()
    }

    #[test]
    fn split_pages_through_the_pieces() {
        let x = new_tensor(&[5], vec![1., 2., 3., 4., 5.]);
        let before = handles::with(|h| h.stats().tensors);
        let mut out = [0u32; 4];
        let mut n = 0u32;
        let sizes = [1i32, -1, 2];
        // SAFETY: sizes holds 3 i32s; out has room for 2 handles; n is writable.
        let code = unsafe { nr_split(x, 0, 0, sizes.as_ptr(), 3, 0, 1, out.as_mut_ptr(), 2, &mut n) };
        assert_eq!((code, n), (0, 3));
        assert_eq!(handles::with(|h| h.tensor(out[0]).unwrap().data().to_vec()), vec![2., 3.]);
        assert_eq!(handles::with(|h| h.tensor(out[1]).unwrap().data().to_vec()), vec![4., 5.]);
        for &h in &out[..2] {
            assert_eq!(crate::exports::tensor::nr_tensor_free(h), 0);
        }
        // A bad count is an error, and nothing stays alive.
        // SAFETY: as above.
        let code = unsafe { nr_split(x, 1, 2, core::ptr::null(), 0, 0, 0, out.as_mut_ptr(), 4, &mut n) };
        assert_eq!(code, neurite_core::Status::ShapeMismatch as i32);
        assert_eq!(handles::with(|h| h.stats().tensors), before);
    }

    #[test]
    fn concat_reads_handles() {
        let a = new_tensor(&[1], vec![1.]);
        let b = new_tensor(&[2], vec![2., 3.]);
        let list = [a, b, a];
        let mut out = 0u32;
        // SAFETY: list holds 3 handles; out is writable.
        assert_eq!(unsafe { nr_concat(list.as_ptr(), 3, 0, &mut out) }, 0);
        assert_eq!(handles::with(|h| h.tensor(out).unwrap().data().to_vec()), vec![1., 2., 3., 1.]);
        let bad = [a, 12345];
        // SAFETY: as above.
        assert_eq!(unsafe { nr_stack(bad.as_ptr(), 2, 0, &mut out) }, neurite_core::Status::InvalidHandle as i32);
    }
}
