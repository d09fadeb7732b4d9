//! The gradient tape across the ABI: `nr_tape_begin`, `nr_tape_gradient`, `nr_tape_end`, and
//! [`emit_rec`], which op exports call instead of `emit` so that a recording tape sees them.
//!
//! Only one tape records at a time (no nested `grad`); handles are the tape's ids.

use super::tensor::emit;
use crate::ffi::{guard, read_u32s};
use crate::handles;
use core::cell::RefCell;
use neurite_core::autodiff::{Recorded, Tape};
use neurite_core::{Error, Result, Tensor};

thread_local! {
    static TAPE: RefCell<Option<Tape>> = const { RefCell::new(None) };
}

fn recording() -> bool {
    TAPE.with(|t| t.borrow().is_some())
}

/// Stores `t` like [`emit`]; while a tape records, also appends `rec()` — the op and its input
/// handles — with the new handle as the output.
///
/// # Safety
/// `out` must point to a writable u32.
pub(crate) unsafe fn emit_rec(op: &'static str, t: Tensor, out: *mut u32, rec: impl FnOnce() -> (Recorded, Vec<u32>)) -> Result<()> {
    let kept = recording().then(|| t.clone());
    // SAFETY: forwarded caller contract.
    unsafe { emit(op, t, out) }?;
    if let Some(output) = kept {
        let (r, ins) = rec();
        // SAFETY: emit succeeded, so `out` holds the new handle.
        let handle = unsafe { *out };
        let inputs = handles::with(|h| ins.iter().map(|&i| h.tensor(i).map(|t| (i, t.clone()))).collect::<Result<Vec<_>>>())?;
        TAPE.with(|tp| {
            if let Some(tape) = tp.borrow_mut().as_mut() {
                tape.record(r, inputs, (handle, output));
            }
        });
    }
    Ok(())
}

/// Starts recording. Fails if a tape is already recording (gradients do not nest).
#[no_mangle]
pub extern "C" fn nr_tape_begin() -> i32 {
    guard(|| {
        TAPE.with(|t| {
            let mut t = t.borrow_mut();
            if t.is_some() {
                return Err(Error::invalid("grad", "a gradient tape is already recording; grad/valueAndGrad/variableGrads cannot be nested"));
            }
            *t = Some(Tape::new());
            Ok(())
        })
    })
}

/// Stops recording and drops the tape (and its references to tensors).
#[no_mangle]
pub extern "C" fn nr_tape_end() -> i32 {
    TAPE.with(|t| *t.borrow_mut() = None);
    0
}

/// Gradients of `y` w.r.t. the `n` handles in `sources`, seeded with `dy` (0 = ones). Writes
/// one handle per source to `out`, or 0 where `y` does not depend on that source.
///
/// # Safety
/// `sources` points to `n` u32s; `out` to `n` writable u32s.
#[no_mangle]
pub unsafe extern "C" fn nr_tape_gradient(y: u32, dy: u32, sources: *const u32, n: usize, out: *mut u32) -> i32 {
    guard(|| {
        // SAFETY: forwarded caller contract.
        let src = unsafe { read_u32s("grad", sources, n) }?;
        if out.is_null() {
            return Err(Error::invalid("grad", "null output pointer"));
        }
        let seed = handles::with(|h| -> Result<Tensor> {
            let yt = h.tensor(y)?;
            if dy == 0 {
                Tensor::full("grad", yt.shape().clone(), 1.0)
            } else {
                let d = h.tensor(dy)?;
                if d.shape() != yt.shape() {
                    return Err(Error::shape("grad", format!("dy has shape {} but the result has shape {}", d.shape(), yt.shape())));
                }
                Ok(d.clone())
            }
        })?;
        let grads = TAPE.with(|t| match t.borrow().as_ref() {
            Some(tape) => tape.gradient(y, seed, &src),
            None => Err(Error::invalid("grad", "no gradient tape is recording")),
        })?;
        let mut made = Vec::new();
        for (i, g) in grads.into_iter().enumerate() {
            let h = match g {
                Some(t) => {
                    let r = handles::with(|h| h.insert(handles::Object::Tensor(t)));
                    match r {
                        Ok(h) => {
                            made.push(h);
                            h
                        }
                        Err(e) => {
                            handles::with(|hs| made.iter().for_each(|&m| drop(hs.remove(m))));
                            return Err(e);
                        }
                    }
                }
                None => 0,
            };
            // SAFETY: `out` has room for `n` u32s by contract.
            unsafe { out.add(i).write(h) };
        }
        Ok(())
    })
}
