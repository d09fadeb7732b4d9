//! A deterministic parallel-for: one pool of helper threads shared by every kernel.
//!
//! A kernel cuts its work into tasks whose boundaries depend only on the problem size (fixed
//! chunk sizes, never the number of threads), and hands `task(i)` for `i in 0..n_tasks` to
//! [`run`]. Every task writes its own part of the output (or its own partial of a reduction,
//! which the calling thread then combines in index order), in the same order of operations
//! whichever thread runs it. So results are bit-identical for 0, 1, 2, 3 or 8 workers; the
//! pool only decides *who* runs a task.
//!
//! # Threads
//! In the threaded wasm build the workers are JS workers (Node `worker_threads`, Deno and
//! browser Workers), each with its own instance of the module on the shared memory, each
//! calling [`worker_main`] (`nr_worker_main`). Natively (tests) they are `std::thread`s running
//! the same function. The calling thread never blocks on a futex (the browser main thread
//! traps on `memory.atomic.wait32`): it runs tasks itself, then spins until the job is done
//! or the fault word ([`fault_word`]) is set. Workers spin for a short while after a job, then
//! sleep with `memory.atomic.wait32` (natively a condvar) until the next one.
//!
//! # When work is split
//! A call is split when it has at least two tasks and its work (≈ flops; elements for
//! element-wise ops) is at least [`min_work`] (default [`DEFAULT_MIN_WORK`]), and some
//! worker has joined. Otherwise its tasks run on the calling thread, in index order, which is
//! the same computation.
//!
//! # Faults
//! A panicking task on a worker traps that worker's instance (wasm, `panic = "abort"`); the
//! panic hook stores its message with [`record_worker_panic`] (first writer wins), the JS
//! wrapper sets the fault word, and the calling thread panics with "a worker thread
//! trapped: <message>", so the call ends in `WasmPanicError` instead of hanging. Natively the
//! worker catches the panic and the calling thread panics with the same message after the
//! tasks in flight finish.
//!
//! ```
//! use neurite_core::parallel;
//! let mut out = vec![0.0f32; 10_000];
//! parallel::for_each_chunk_mut(&mut out, 4096, 10_000, |i, chunk| {
//!     for (j, x) in chunk.iter_mut().enumerate() {
//!         *x = (i * 4096 + j) as f32;
//!     }
//! });
//! assert_eq!(out[9_999], 9_999.0);
//! ```

mod fault;
mod pool;
mod wait;

pub use fault::{record_worker_panic, worker_panic_message};
pub use pool::{
    configure, fault_word, is_worker, joined, may_split, min_work, run, set_min_work, settle_abandoned, stop, wanted_word, worker_main, workers, PoolError,
    DEFAULT_MIN_WORK, MAX_WORKERS,
};
pub use wait::THREADS_SUPPORTED;

use core::marker::PhantomData;

/// `N` equally long slices handed out chunk by chunk to tasks (see [`for_each_chunks_mut`]).
struct Parts<'a, T, const N: usize> {
    ptrs: [*mut T; N],
    len: usize,
    _borrow: PhantomData<&'a mut [T]>,
}

// SAFETY: each task gets a disjoint chunk (its index is run exactly once), so sharing the
// pointers between threads is sharing `&mut` to disjoint parts, which needs `T: Send`.
unsafe impl<T: Send, const N: usize> Sync for Parts<'_, T, N> {}

impl<T, const N: usize> Parts<'_, T, N> {
    /// Chunk `i` of each slice.
    ///
    /// # Safety
    /// No two live results may come from the same `i`.
    // The `&mut` from `&self` is the point: the pool hands each index to one task only.
    #[allow(clippy::mut_from_ref)]
    unsafe fn chunk(&self, i: usize, size: usize) -> [&mut [T]; N] {
        let start = (i * size).min(self.len);
        let len = size.min(self.len - start);
        // SAFETY: in bounds; disjoint from every other chunk index (caller's contract).
        core::array::from_fn(|k| unsafe { core::slice::from_raw_parts_mut(self.ptrs[k].add(start), len) })
    }
}

/// Runs `f(i, chunk)` for every `chunk`-long piece of `out` (the last may be shorter), `i`
/// being the piece's index, through [`run`]. `work` as in [`run`].
pub fn for_each_chunk_mut<T: Send>(out: &mut [T], chunk: usize, work: usize, f: impl Fn(usize, &mut [T]) + Sync) {
    for_each_chunks_mut([out], chunk, work, |i, [c]| f(i, c));
}

/// [`for_each_chunk_mut`] over `N` slices of equal length, cut alike (an optimizer's
/// parameter and its state slots).
///
/// # Panics
/// If the slices differ in length or `chunk` is 0.
pub fn for_each_chunks_mut<T: Send, const N: usize>(outs: [&mut [T]; N], chunk: usize, work: usize, f: impl Fn(usize, [&mut [T]; N]) + Sync) {
    assert!(chunk > 0, "for_each_chunks_mut: chunk must be > 0");
    let len = outs.first().map_or(0, |s| s.len());
    assert!(outs.iter().all(|s| s.len() == len), "for_each_chunks_mut: slices of different lengths");
    let parts = Parts::<T, N> { ptrs: outs.map(|s| s.as_mut_ptr()), len, _borrow: PhantomData };
    let task = |i: usize| {
        // SAFETY: `run` calls each index once.
        f(i, unsafe { parts.chunk(i, chunk) })
    };
    run(len.div_ceil(chunk), work, &task);
}

/// `out[i] = f(i)` for every `i`, one task per element (for per-chunk partials of a reduction,
/// which the caller then combines in index order).
pub fn map_tasks<T: Send>(out: &mut [T], work: usize, f: impl Fn(usize) -> T + Sync) {
    for_each_chunk_mut(out, 1, work, |i, o| o[0] = f(i));
}

/// Appends `n` values to `out` (which must have room for them), chunk `i` (of `chunk`
/// values) written by `f(i, chunk)` on the thread pool. Each task first fills its chunk with
/// `init` in place (cheap: the lines are about to be written anyway), so `f` gets plain
/// `&mut [T]` and can be a SIMD kernel; no zero-fill pass over the whole output runs first.
///
/// # Panics
/// If `out` lacks the capacity.
pub fn extend_with<T: Copy + Send + Sync>(out: &mut Vec<T>, n: usize, chunk: usize, work: usize, init: T, f: impl Fn(usize, &mut [T]) + Sync) {
    assert!(out.capacity() - out.len() >= n, "extend_with: no room for {n} values");
    let spare = &mut out.spare_capacity_mut()[..n];
    for_each_chunk_mut(spare, chunk, work, |i, dst| {
        for d in dst.iter_mut() {
            d.write(init);
        }
        // SAFETY: every element of `dst` was initialised just above.
        let dst = unsafe { &mut *(dst as *mut [core::mem::MaybeUninit<T>] as *mut [T]) };
        f(i, dst);
    });
    // SAFETY: every chunk of the n spare slots was initialised by its task (the chunks cover
    // 0..n, each run once; a panic would have unwound before this line).
    unsafe { out.set_len(out.len() + n) };
}

/// A slice that tasks write in parts they choose (for layouts that `for_each_chunks_mut`
/// cannot cut, such as an optimizer's slot-major state). Each part must be written by one
/// task only.
pub struct SharedMut<'a, T> {
    ptr: *mut T,
    len: usize,
    _borrow: PhantomData<&'a mut [T]>,
}

// SAFETY: as `Parts`: disjoint `&mut` parts handed to other threads need `T: Send`.
unsafe impl<T: Send> Sync for SharedMut<'_, T> {}

impl<'a, T> SharedMut<'a, T> {
    pub fn new(s: &'a mut [T]) -> Self {
        SharedMut { ptr: s.as_mut_ptr(), len: s.len(), _borrow: PhantomData }
    }

    /// The part `range` (panics if out of bounds).
    ///
    /// # Safety
    /// No two live results may overlap.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn part(&self, range: core::ops::Range<usize>) -> &mut [T] {
        assert!(range.start <= range.end && range.end <= self.len, "SharedMut::part: {range:?} out of 0..{}", self.len);
        // SAFETY: in bounds (checked); exclusive by the caller's contract.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.add(range.start), range.end - range.start) }
    }
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests;
