//! The phase words an interrupted call leaves for JS to read.
//!
//! JS can stop a running export without unwinding it: Ctrl-C in the Node REPL and
//! `vm.runInContext(code, ctx, { timeout })` terminate the script (V8's TerminateExecution),
//! inside wasm too, and no Rust code runs afterwards (no `Drop`, no `RefCell` borrow given back).
//! Three words in memory at a fixed address ([`state_ptr`]) tell the next call what the
//! stopped one was doing:
//!
//! - `in_call`: 1 from the start of an export ([`begin_call`], in `ffi::guard`) to its return;
//!   still 1 at the next call means the previous one never returned.
//! - `abandonable`: how many [`Abandonable`] sections the calling thread is in. One is open
//!   while a kernel computes into memory that only it writes (a result nobody sees yet, or
//!   weights updated in place): [`crate::parallel::run`] opens it, so every kernel that cuts its
//!   work into tasks (GEMM, convolutions, element-wise ops, reductions) runs in it. Stopped
//!   there, the call can be abandoned: its result is lost, the objects it held stay as they were
//!   (or half-updated, for weights), and the structures around it (the allocator, the handle
//!   table, a model's layers) are consistent, only their borrows are left set.
//! - `allocating`: allocations (and frees) in progress, on any thread. The allocator's lists
//!   are mid-change while it is above 0, so an abandonable section is not abandonable then.
//!
//! The words are plain atomics: the build without threads reads and writes them as memory,
//! and the compiler fences keep a section's stores inside it.

use core::sync::atomic::{compiler_fence, AtomicU32, Ordering::SeqCst};

/// The three words, in this order, at [`state_ptr`].
#[repr(C)]
pub struct State {
    pub in_call: AtomicU32,
    pub abandonable: AtomicU32,
    pub allocating: AtomicU32,
}

/// The phase words of the instance (one set: only the calling thread runs exports).
pub static STATE: State = State { in_call: AtomicU32::new(0), abandonable: AtomicU32::new(0), allocating: AtomicU32::new(0) };

/// The address of [`STATE`] (three u32 words) for JS.
pub fn state_ptr() -> *const u32 {
    &STATE as *const State as *const u32
}

/// An export begins (`ffi::guard`).
#[inline]
pub fn begin_call() {
    STATE.in_call.store(1, SeqCst);
    compiler_fence(SeqCst);
}

/// An export returns normally.
#[inline]
pub fn end_call() {
    compiler_fence(SeqCst);
    STATE.in_call.store(0, SeqCst);
}

/// A section in which the calling thread may be stopped and its call abandoned (see the module
/// docs); closes when dropped. On a worker thread it is nothing (JS stops the calling thread only).
pub struct Abandonable(bool);

/// Opens an [`Abandonable`] section.
#[inline]
pub fn abandonable() -> Abandonable {
    if crate::parallel::is_worker() {
        return Abandonable(false);
    }
    STATE.abandonable.fetch_add(1, SeqCst);
    compiler_fence(SeqCst);
    Abandonable(true)
}

impl Drop for Abandonable {
    #[inline]
    fn drop(&mut self) {
        if self.0 {
            compiler_fence(SeqCst);
            STATE.abandonable.fetch_sub(1, SeqCst);
        }
    }
}

/// The allocator starts changing its lists (any thread).
#[inline]
pub fn enter_alloc() {
    STATE.allocating.fetch_add(1, SeqCst);
    compiler_fence(SeqCst);
}

/// The allocator's lists are consistent again.
#[inline]
pub fn leave_alloc() {
    compiler_fence(SeqCst);
    STATE.allocating.fetch_sub(1, SeqCst);
}

/// Whether a call stopped now could be abandoned: inside an abandonable section, outside the
/// allocator.
pub fn may_abandon() -> bool {
    STATE.abandonable.load(SeqCst) > 0 && STATE.allocating.load(SeqCst) == 0
}

/// Clears the words after the abandoned call's state was put right.
pub fn clear() {
    STATE.abandonable.store(0, SeqCst);
    STATE.allocating.store(0, SeqCst);
    STATE.in_call.store(0, SeqCst);
}

/// Clears the borrow flag of `c` if it is left set; returns whether `c` is free afterwards.
///
/// A `RefCell` is its borrow flag (a `Cell<isize>`: 0 free, −1 borrowed mutably, n > 0 with n
/// shared borrows) and its value (an `UnsafeCell`); the flag is the word before the value, or
/// (for a sized value the compiler placed first) the word after it. The word found there must
/// look like a flag left set, and the cell must be free once it is cleared, or nothing is done
/// and the answer is `false`.
///
/// # Safety
/// No `Ref` or `RefMut` of `c` may be live: call it only for cells whose borrows were held by
/// the frames of an abandoned call, which no longer exist and never run again (so nothing
/// gives the borrow back, or uses the reference it held).
pub unsafe fn reset_borrow<T: ?Sized>(c: &core::cell::RefCell<T>) -> bool {
    if c.try_borrow_mut().is_ok() {
        return true;
    }
    let base = c as *const core::cell::RefCell<T> as *const u8;
    let value = c.as_ptr() as *const u8;
    let word = core::mem::size_of::<isize>();
    let at = if value as usize >= base as usize + word {
        base
    } else {
        // SAFETY: the value is initialised; its only other reference was the abandoned frame's.
        let size = core::mem::size_of_val(unsafe { &*c.as_ptr() });
        // SAFETY: within the cell (its size covers the value and the flag after it).
        unsafe { value.add(size.next_multiple_of(core::mem::align_of::<isize>())) }
    };
    if at as usize + word > base as usize + core::mem::size_of_val(c) {
        return false;
    }
    // SAFETY: inside the cell, aligned for an isize; every byte of a RefCell is in a Cell or an
    // UnsafeCell, so it may be read and written through a shared reference.
    let flag = unsafe { &*(at as *const core::cell::Cell<isize>) };
    let left = flag.get();
    if left != -1 && !(1..=1 << 16).contains(&left) {
        return false;
    }
    flag.set(0);
    if c.try_borrow_mut().is_ok() {
        return true;
    }
    flag.set(left);
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::RefCell;

    fn left_borrows_are_reset_in<T: ?Sized + PartialEq + core::fmt::Debug>(c: &RefCell<T>, v: &T) {
        core::mem::forget(c.borrow_mut());
        assert!(c.try_borrow().is_err());
        // SAFETY: the forgotten RefMut is never used.
        assert!(unsafe { reset_borrow(c) });
        assert_eq!(&*c.borrow(), v);
        core::mem::forget((c.borrow(), c.borrow()));
        assert!(c.try_borrow_mut().is_err());
        // SAFETY: the forgotten Refs are never used.
        assert!(unsafe { reset_borrow(c) });
        assert!(c.try_borrow_mut().is_ok());
        assert_eq!(&*c.borrow(), v);
    }

    #[test]
    fn left_borrows_are_reset() {
        left_borrows_are_reset_in(&RefCell::new(vec![1, 2, 3]), &vec![1, 2, 3]);
        left_borrows_are_reset_in(&RefCell::new((7u8, 9u64)), &(7u8, 9u64));
        left_borrows_are_reset_in(&RefCell::new(1u8), &1u8);
        let boxed: Box<RefCell<[u16]>> = Box::new(RefCell::new([4u16, 5, 6]));
        left_borrows_are_reset_in(&*boxed, &[4u16, 5, 6][..]);
        let node: crate::model::LayerRef = crate::model::shared(crate::model::Sequential::new(0));
        core::mem::forget(node.borrow_mut());
        // SAFETY: the forgotten RefMut is never used.
        assert!(unsafe { reset_borrow(&*node) });
        assert!(node.try_borrow_mut().is_ok());
        // A free cell is left alone.
        // SAFETY: nothing is borrowed.
        assert!(unsafe { reset_borrow(&*node) });
    }
}
