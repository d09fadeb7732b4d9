//! The gradient tape across the ABI: `nr_tape_begin`, `nr_tape_gradient`, `nr_tape_end`, and
//! [`emit_rec`], which op exports call instead of `emit` so that a recording tape sees them.
//!
//! Only one tape records at a time (no nested `grad`). The tape keys tensors by the handle
//! table's unique 64-bit ids, never by handle values (a value can name another tensor later).
//!
//! While a tape records, every tensor an export stores is on the tape:
//! - ops with a backward rule record it ([`emit_rec`]);
//! - ops without a gradient by definition record [`Recorded::NoGradient`] (a constant);
//! - every other export that stores a tensor (through `emit`) records [`Recorded::Opaque`]
//!   with the tensors the call read as inputs ([`record_opaque`]), so a gradient that would
//!   have to flow through it is an error naming the op, never a silent zero.

use super::tensor::store;
use crate::ffi::{check_out, guard, read_u32s, write_slice};
use crate::handles;
use core::cell::RefCell;
use neurite_core::autodiff::{Recorded, Step, Sweep, Tape};
use neurite_core::{Error, Result, Tensor};

thread_local! {
    static TAPE: RefCell<Option<Tape>> = const { RefCell::new(None) };
    /// The first tensor id stored while the current tape records.
    static TAPE_FIRST_ID: core::cell::Cell<u64> = const { core::cell::Cell::new(0) };
    /// A sweep stopped at a `customGrad` function (`nr_tape_gradient`), with its number of
    /// sources: JS runs the function's gradient, then `nr_tape_custom_give` goes on. The tape
    /// records nothing meanwhile.
    static SWEEP: RefCell<Option<(Sweep, usize)>> = const { RefCell::new(None) };
}

/// Frees the tape of a borrow an abandoned call left (`nr_interrupt_recover`).
///
/// # Safety
/// As `neurite_core::interrupt::reset_borrow`.
pub(crate) unsafe fn reset_after_interrupt() -> bool {
    // SAFETY: the caller's contract.
    TAPE.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| unsafe { neurite_core::interrupt::reset_borrow(t) })
        // SAFETY: the caller's contract.
        & SWEEP.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| unsafe { neurite_core::interrupt::reset_borrow(t) })
}

/// Whether a tape is recording (not while its sweep waits for a `customGrad` gradient).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn recording() -> bool {
    TAPE.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| t.borrow().is_some()) && !sweeping()
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn sweeping() -> bool {
    SWEEP.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |s| s.borrow().is_some())
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn append(op: Recorded, inputs: Vec<(u64, Tensor)>, output: (u64, Tensor)) {
    TAPE.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |tp| {
        if let Some(tape) = tp.borrow_mut().as_mut() {
            tape.record(op, inputs, output);
        }
    });
}

/// Records the tensor just stored under `handle` as the output of `op`, an op without a
/// backward rule, whose inputs are the tensors this call read.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn record_opaque(op: &'static str, handle: u32, output: Tensor) -> Result<()> {
    let (id, inputs) = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| -> Result<_> { Ok((h.id(handle)?, h.reads())) })?;
    append(Recorded::Opaque { op }, inputs, (id, output));
    Ok(())
}

/// Stores `t` like `emit`; while a tape records, also appends `rec()` — the op and its input
/// handles — with the new tensor as the output.
///
/// # Safety
/// `out` must point to a writable u32.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) unsafe fn emit_rec(op: &'static str, t: Tensor, out: *mut u32, rec: impl FnOnce() -> (Recorded, Vec<u32>)) -> Result<()> {
    let mut rec = Some(rec);
    // One shared body instead of one inlined copy per export (the closure only builds the
    // record, and only while a tape records).
    // SAFETY: forwarded caller contract.
    unsafe { emit_rec_dyn(op, t, out, &mut || rec.take().map(|f| f()), Vec::new()) }
}

/// [`emit_rec`] for a record that can fail to build: it is built first (while a tape
/// records), so that a failure stores nothing. Besides its input handles, the record may
/// list inputs that are not tensors of the table (a model's weights, by their tape ids).
///
/// # Safety
/// `out` must point to a writable u32.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) unsafe fn emit_rec_fallible(op: &'static str, t: Tensor, out: *mut u32, rec: impl FnOnce() -> Result<Record>) -> Result<()> {
    let (mut built, more) = match recording() {
        true => {
            let (r, ins, more) = rec()?;
            (Some((r, ins)), more)
        }
        false => (None, Vec::new()),
    };
    // SAFETY: forwarded caller contract.
    unsafe { emit_rec_dyn(op, t, out, &mut || built.take(), more) }
}

/// What a call records: the op, its input handles, and inputs outside the table (id, value).
pub(crate) type Record = (Recorded, Vec<u32>, Vec<(u64, Tensor)>);

/// The body of the `emit_rec*` functions: `more` are inputs outside the table, after `rec`'s.
#[inline(never)]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
unsafe fn emit_rec_dyn(op: &'static str, t: Tensor, out: *mut u32, rec: &mut dyn FnMut() -> Option<(Recorded, Vec<u32>)>, more: Vec<(u64, Tensor)>) -> Result<()> {
    let kept = recording().then(|| t.clone());
    // SAFETY: forwarded caller contract.
    let handle = unsafe { store(op, t, out) }?;
    if let Some(output) = kept {
        let Some((r, ins)) = rec() else { return Ok(()) };
        let recorded = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| -> Result<_> {
            let mut inputs = ins.iter().map(|&i| Ok((h.id(i)?, h.tensor(i)?.clone()))).collect::<Result<Vec<_>>>()?;
            inputs.extend(more);
            Ok((h.id(handle)?, inputs))
        });
        match recorded {
            Ok((id, inputs)) => append(r, inputs, (id, output)),
            Err(e) => {
                // Leave the table as it was: the caller gets the error, not the tensor.
                let _ = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.remove(handle));
                return Err(e);
            }
        }
    }
    Ok(())
}

/// Records `pieces` (just stored) as slices of `x` along `axis` starting at `begin` (for
/// `split`). No-op when no tape records.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn record_slices(x: u32, axis: usize, mut begin: usize, pieces: &[u32]) -> Result<()> {
    if !recording() {
        return Ok(());
    }
    handles::with(|h| -> Result<()> {
        let xt = h.tensor(x)?.clone();
        let xid = h.id(x)?;
        for &p in pieces {
            let pt = h.tensor(p)?.clone();
            let mut b = vec![0i64; xt.rank()];
            b[axis] = begin as i64;
            let size: Vec<i64> = pt.dims().iter().map(|&d| d as i64).collect();
            begin += pt.dims()[axis];
            append(Recorded::Slice { begin: b, size }, vec![(xid, xt.clone())], (h.id(p)?, pt));
        }
        Ok(())
    })
}

/// Starts recording. Fails if a tape is already recording (gradients do not nest).
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_tape_begin() -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        TAPE.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| {
            let mut t = t.borrow_mut();
            if t.is_some() {
                return Err(Error::invalid("grad", "a gradient tape is already recording; grad/valueAndGrad/variableGrads cannot be nested, so higher-order gradients (a gradient of a gradient, such as a gradient penalty) are not supported yet; a derivative with respect to the inputs inside a loss (a physics-informed network's u' or u'') can be carried forward through the layers by hand beside the values, and that loss differentiated as usual (see grad's documentation)"));
            }
            *t = Some(Tape::new());
            let first = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| {
                h.set_logging(true);
                h.next_id()
            });
            TAPE_FIRST_ID.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |f| f.set(first));
            Ok(())
        })
    })
}

/// Writes 1 to `out` if tensor `h` was stored while the current tape records (made inside the
/// taped function), else 0. TS disposes `f`'s result only when `f` made it.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_tape_made(h: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let first = TAPE_FIRST_ID.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |f| f.get());
        let id = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| t.id(h))?;
        if !recording() {
            return Err(Error::invalid("grad", "no gradient tape is recording"));
        }
        // SAFETY: forwarded caller contract.
        unsafe { crate::ffi::write_out("grad", out, u32::from(id >= first)) }
    })
}

/// Stops recording and drops the tape (and its references to tensors). Through `guard`, as
/// every export that frees memory: JS stopping it mid-drop (a vm timeout) leaves `in_call`
/// set, so the next call sees it (it was unguarded, and the next `nr_tape_begin` found the
/// tape's cell still borrowed: a trap).
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_tape_end() -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        SWEEP.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |s| *s.borrow_mut() = None);
        TAPE.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| *t.borrow_mut() = None);
        handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.set_logging(false));
        Ok(())
    })
}

/// Records a `customGrad` function's result: stores a new tensor with the values of `value`
/// in `out`, recorded as the output of [`Recorded::Custom`] `key` (the caller's name for the
/// function and its gradient) of the `n` tensors at `inputs`. Only while a tape records.
///
/// # Safety
/// `inputs` points to `n` u32s; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_tape_custom(key: u32, inputs: *const u32, n: usize, value: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        const OP: &str = "customGrad";
        if !recording() {
            return Err(Error::invalid(OP, "no gradient tape is recording"));
        }
        // SAFETY: forwarded caller contract (the region is checked inside).
        let ins = unsafe { read_u32s(OP, inputs, n) }?;
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.tensor(value).cloned())?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec(OP, t, out, || (Recorded::Custom { key }, ins)) }
    })
}

/// Gradients of `y` w.r.t. the `n` sources in `sources`, seeded with `dy` (0 = ones). Each
/// source is two u32 words (low, high) of a u64: a tensor handle (high word 0), or a model
/// weight's id from `nr_model_weight_id` (high bit set). Writes one handle per source to `out`
/// (room for `out_cap` u32s, at least `n`), or 0 where `y` does not depend on that source;
/// with room for `2n`, then one flag per source: 1 where its gradient is zeros because `y`
/// depends on it only through ops with no gradient (`round`, comparisons, `argMax` …).
/// `sources` and `out` may overlap (the sources are read first); longer lists than the scratch
/// holds go through `nr_alloc`. On any error no gradient tensor stays alive and nothing is
/// written to `out`.
///
/// `custom` receives two u32s: `0, 0` when the gradients were written, or, when the sweep
/// reached a `customGrad` function ([`nr_tape_custom`]), its key and a new handle holding the
/// gradient of its output (the caller's to free), and nothing is written to `out`: the caller
/// computes the gradients of the function's inputs and passes them to
/// [`nr_tape_custom_give`], which goes on from there (with the same meaning of `out` and
/// `custom`). The tape records nothing until then; `nr_tape_end` abandons the sweep.
///
/// # Safety
/// `sources` points to `2n` u32s; `out` to `out_cap` writable u32s; `custom` to 2.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_tape_gradient(y: u32, dy: u32, sources: *const u32, n: usize, out: *mut u32, out_cap: usize, custom: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        const OP: &str = "grad";
        if n > out_cap {
            return Err(Error::invalid(OP, format!("{n} sources need {n} output slots, but the output list has room for {out_cap}")));
        }
        check_out(OP, out, n)?;
        check_out(OP, custom, 2)?;
        if sweeping() {
            return Err(Error::invalid(OP, "a gradient is already being computed (a customGrad gradient function cannot compute another)"));
        }
        // SAFETY: forwarded caller contract (the region is checked inside).
        let src = unsafe { read_u32s(OP, sources, 2 * n) }?;
        let (yid, seed, ids) = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| -> Result<_> {
            let yt = h.tensor(y)?;
            let seed = if dy == 0 {
                Tensor::full(OP, yt.shape().clone(), 1.0)?
            } else {
                let d = h.tensor(dy)?;
                if d.shape() != yt.shape() {
                    return Err(Error::shape(OP, format!("dy has shape {} but the result has shape {}", d.shape(), yt.shape())));
                }
                d.clone()
            };
            let ids = src
                .chunks_exact(2)
                .map(|w| match w[1] {
                    0 => h.id(w[0]),
                    hi if hi & 0x8000_0000 != 0 => Ok(u64::from(hi) << 32 | u64::from(w[0])),
                    _ => Err(Error::invalid(OP, "a source is neither a tensor handle (high word 0) nor a weight id (high bit set)")),
                })
                .collect::<Result<Vec<u64>>>()?;
            Ok((h.id(y)?, seed, ids))
        })?;
        let sweep = TAPE.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| match t.borrow().as_ref() {
            Some(tape) => Ok(tape.sweep(yid, seed, &ids)),
            None => Err(Error::invalid(OP, "no gradient tape is recording")),
        })?;
        // SAFETY: forwarded caller contract.
        unsafe { advance(sweep, n, out, out_cap, custom) }
    })
}

/// Gives the gradients of the inputs of the `customGrad` function the sweep stopped at
/// (`m` handles at `grads`, one per input, each of its input's shape; 0: none) and goes on as
/// [`nr_tape_gradient`] does (same `out`, `out_cap` and `custom`). The handles stay the
/// caller's. On an error the sweep is abandoned (the tape stays: `nr_tape_end` ends it).
///
/// # Safety
/// `grads` points to `m` u32s; `out` to `out_cap` writable u32s; `custom` to 2.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_tape_custom_give(grads: *const u32, m: usize, out: *mut u32, out_cap: usize, custom: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        const OP: &str = "customGrad";
        let Some((mut sweep, n)) = SWEEP.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |s| s.borrow_mut().take()) else {
            return Err(Error::invalid(OP, "no gradient is waiting for a customGrad function"));
        };
        if n > out_cap {
            return Err(Error::invalid(OP, format!("{n} sources need {n} output slots, but the output list has room for {out_cap}")));
        }
        check_out(OP, out, n)?;
        check_out(OP, custom, 2)?;
        // SAFETY: forwarded caller contract (the region is checked inside).
        let hs = unsafe { read_u32s(OP, grads, m) }?;
        let dins = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| hs.iter().map(|&k| if k == 0 { Ok(None) } else { h.tensor(k).map(|t| Some(t.clone())) }).collect::<Result<Vec<_>>>())?;
        TAPE.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| match t.borrow().as_ref() {
            Some(tape) => tape.give(&mut sweep, dins),
            None => Err(Error::invalid(OP, "no gradient tape is recording")),
        })?;
        // SAFETY: forwarded caller contract.
        unsafe { advance(sweep, n, out, out_cap, custom) }
    })
}

/// Runs `sweep` on: to its end (the gradients written to `out` as `nr_tape_gradient` says), or
/// to a custom entry (kept in [`SWEEP`], its key and output gradient written to `custom`).
///
/// # Safety
/// `out` points to `out_cap >= n` writable u32s (checked), `custom` to 2 (checked).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
unsafe fn advance(mut sweep: Sweep, n: usize, out: *mut u32, out_cap: usize, custom: *mut u32) -> Result<()> {
    const OP: &str = "grad";
    let step = TAPE.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| match t.borrow().as_ref() {
        Some(tape) => tape.advance(&mut sweep),
        None => Err(Error::invalid(OP, "no gradient tape is recording")),
    })?;
    let grads = match step {
        Step::Done(grads) => grads,
        Step::Custom { key, dy } => {
            let h = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.insert(handles::Object::Tensor(dy)))?;
            // SAFETY: checked by the caller: `custom` has room for 2 u32s.
            if let Err(e) = unsafe { write_slice(OP, custom, 2, &[key, h]) } {
                let _ = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| t.remove(h));
                return Err(e);
            }
            SWEEP.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |s| *s.borrow_mut() = Some((sweep, n)));
            return Ok(());
        }
    };
    // SAFETY: as above.
    unsafe { write_slice(OP, custom, 2, &[0, 0]) }?;
    handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| {
        let mut made = Vec::new();
        made.try_reserve_exact(2 * n).map_err(|_| Error::OutOfMemory { op: OP, bytes: 8 * n as u64 })?;
        let mut result = Ok(());
        let flags: Vec<u32> = grads.iter().map(|(_, only_constants)| u32::from(*only_constants)).collect();
        for (g, _) in grads {
            match g.map(|t| h.insert(handles::Object::Tensor(t))) {
                Some(Ok(k)) => made.push(k),
                Some(Err(e)) => {
                    result = Err(e);
                    break;
                }
                None => made.push(0),
            }
        }
        if result.is_ok() && out_cap >= 2 * n {
            made.extend_from_slice(&flags);
        }
        // SAFETY: checked by the caller: `out` has room for out_cap >= n u32s (2n when the flags go too).
        let result = result.and_then(|()| unsafe { write_slice(OP, out, out_cap, &made) });
        if result.is_err() {
            made.iter().take(n).filter(|&&k| k != 0).for_each(|&k| drop(h.remove(k)));
        }
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::SCRATCH;
    use crate::handles::Object;
    use neurite_core::Status;

    fn new_tensor(v: Vec<f32>) -> u32 {
        let n = v.len();
        handles::with(|h| h.insert(Object::Tensor(Tensor::new("t", [n].into(), v).unwrap()))).unwrap()
    }

    fn data(h: u32) -> Vec<f32> {
        handles::with(|t| t.tensor(h).unwrap().data().to_vec())
    }

    /// Room for `nr_tape_gradient`'s two `custom` words.
    fn cust() -> *mut u32 {
        Box::leak(Box::new([0u32; 2])).as_mut_ptr()
    }

    /// The scratch area as u32 words (TS's view of it).
    fn scratch() -> *mut u32 {
        SCRATCH.0.get() as *mut u32
    }

    /// y = Σ x·x over `count` sources made in the scratch: the gradient list must fit in the
    /// capacity the caller names, else nothing happens; within it, every gradient is right.
    #[test]
    fn gradient_lists_are_bounds_checked() {
        let before = handles::with(|h| h.stats().live);
        let xs: Vec<u32> = (0..400).map(|i| new_tensor(vec![i as f32])).collect();
        assert_eq!(nr_tape_begin(), 0);
        let mut terms = Vec::new();
        for &x in &xs {
            let mut sq = 0u32;
            // SAFETY: sq is writable.
            assert_eq!(unsafe { super::super::ops::nr_binary(2, x, x, &mut sq) }, 0);
            terms.push(sq);
        }
        let mut y = terms[0];
        let mut sums = Vec::new();
        for &t in &terms[1..] {
            let mut s = 0u32;
            // SAFETY: s is writable.
            assert_eq!(unsafe { super::super::ops::nr_binary(0, y, t, &mut s) }, 0);
            y = s;
            sums.push(s);
        }
        // 400 sources (two words each: handle, 0) and 400 results need 1200 words; the
        // scratch holds 1024.
        let words: Vec<u32> = xs.iter().flat_map(|&x| [x, 0]).collect();
        // SAFETY: 800 u32s are written into the 1024-word scratch.
        unsafe { core::ptr::copy_nonoverlapping(words.as_ptr(), scratch(), words.len()) };
        let live = handles::with(|h| h.stats().live);
        // SAFETY: the call checks `out + 400 words` against the scratch and fails.
        let code = unsafe { nr_tape_gradient(y, 0, scratch(), 400, scratch().add(800), 400, cust()) };
        assert_eq!(code, Status::InvalidArgument as i32);
        assert!(crate::ffi::LAST_ERROR.as_str().contains("overrun"), "{}", crate::ffi::LAST_ERROR.as_str());
        assert_eq!(handles::with(|h| h.stats().live), live, "no gradient stays alive");
        // A capacity smaller than n is refused before anything is computed.
        // SAFETY: as above.
        let code = unsafe { nr_tape_gradient(y, 0, scratch(), 400, scratch(), 399, cust()) };
        assert_eq!(code, Status::InvalidArgument as i32);
        // In place (out = sources) fits.
        // SAFETY: 800 words in, 400 out, in the scratch.
        assert_eq!(unsafe { nr_tape_gradient(y, 0, scratch(), 400, scratch(), 1008, cust()) }, 0);
        let mut out = vec![0u32; 400];
        // SAFETY: reads back 400 words.
        unsafe { core::ptr::copy_nonoverlapping(scratch(), out.as_mut_ptr(), 400) };
        for (i, &g) in out.iter().enumerate() {
            assert_eq!(data(g), vec![2.0 * i as f32]);
        }
        assert_eq!(nr_tape_end(), 0);
        for h in xs.into_iter().chain(terms).chain(sums).chain(out) {
            let _ = handles::with(|t| t.remove(h));
        }
        assert_eq!(handles::with(|h| h.stats().live), before);
    }

    /// A source used twice along a chain: the contributions are summed per tensor id.
    #[test]
    fn fan_out_sums_per_id() {
        let x = new_tensor(vec![3.0]);
        assert_eq!(nr_tape_begin(), 0);
        let mut sq = 0u32;
        // SAFETY: sq is writable.
        assert_eq!(unsafe { super::super::ops::nr_binary(2, x, x, &mut sq) }, 0);
        let mut y = 0u32;
        // SAFETY: y is writable.
        assert_eq!(unsafe { super::super::ops::nr_binary(2, sq, x, &mut y) }, 0);
        let dx = {
            let mut out = [0u32; 1];
            // SAFETY: one source in, one handle out.
            assert_eq!(unsafe { nr_tape_gradient(y, 0, [x, 0].as_ptr(), 1, out.as_mut_ptr(), 1, cust()) }, 0);
            out[0]
        };
        assert_eq!(data(dx), vec![27.0]); // d(x³)/dx = 3x²
        nr_tape_end();
        for h in [x, sq, y, dx] {
            let _ = handles::with(|t| t.remove(h));
        }
    }

    /// An export without a backward rule on the path from a source to y makes `grad` fail with
    /// its name (here `lossGrad`), instead of a zero gradient.
    #[test]
    fn an_unrecorded_op_on_the_path_is_an_error() {
        let x = new_tensor(vec![0.2, 0.7]);
        let t = new_tensor(vec![0.0, 1.0]);
        assert_eq!(nr_tape_begin(), 0);
        let mut g = 0u32;
        // SAFETY: null params with n = 0; g is writable.
        assert_eq!(unsafe { super::super::train_fns::nr_loss_grad(0, core::ptr::null(), 0, x, t, &mut g) }, 0);
        let mut out = [0u32; 1];
        // SAFETY: one source in, one handle out.
        let code = unsafe { nr_tape_gradient(g, 0, [x, 0].as_ptr(), 1, out.as_mut_ptr(), 1, cust()) };
        assert_eq!(code, Status::InvalidArgument as i32);
        assert!(crate::ffi::LAST_ERROR.as_str().contains("lossGrad has no gradient rule"), "{}", crate::ffi::LAST_ERROR.as_str());
        // With respect to the target (no path through a rule-less op to x): fine, as before.
        nr_tape_end();
        for h in [x, t, g] {
            let _ = handles::with(|tb| tb.remove(h));
        }
    }
}
