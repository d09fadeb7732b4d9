//! The thread pool's C ABI (see `neurite_core::parallel`). The JS side builds the threaded
//! `.wasm` (shared memory, atomics), spawns the workers, and on each worker instantiates the
//! module on the shared memory, sets `__stack_pointer`, calls `__wasm_init_tls` and then
//! [`nr_worker_main`]. Every kernel call on the calling (main) instance then splits its work
//! over the workers that have joined; results do not depend on how many joined.
//!
//! Every instance, the main one included, must have called `__wasm_init_tls` with its own
//! block before any other call: the pool keeps per-thread state in thread-locals (whether
//! this thread is a worker; each thread's GEMM packing buffer), and without it all instances
//! would share the block at address 0.
//!
//! Order of calls from JS:
//! 1. main instance: `nr_threads_configure(workers)`;
//! 2. each worker `i < workers`: `nr_worker_main(i)` (returns only when the pool stops);
//! 3. main: poll `nr_threads_joined()` until the workers are in (optional: jobs run with
//!    whoever has joined);
//! 4. teardown: `nr_threads_stop()`, then let the workers' `nr_worker_main` return (or
//!    terminate them); `nr_threads_configure(0)` returns to one thread.
//!
//! Faults: when a worker's instance traps, its JS wrapper stores 1 at `nr_threads_fault_ptr()`
//! (`Atomics.store` + `Atomics.notify`). A call waiting for a job on the main instance then
//! panics with "a worker thread trapped: <the worker's panic message>" (a `WasmPanicError`
//! for TS), and the pool must be rebuilt: the fault stays set until the next
//! `nr_threads_configure`, and the surviving workers may still be finishing tasks of the
//! abandoned job, writing into its output. So after any trap (main or worker), terminate
//! every worker before reusing the memory; the safe recovery is a new `WebAssembly.Memory`,
//! a new main instance and new workers. (`nr_threads_configure` on the old memory does take
//! the pool back from the trapped call, so it does not hang.)

use crate::ffi;
use neurite_core::parallel;
use neurite_core::Error;

/// Sets how many worker threads the pool expects (`0`: everything on the calling thread, the
/// default) and resets the pool: workers of a previous pool return from `nr_worker_main`,
/// the fault word and any recorded worker panic are cleared. Call it on the main instance
/// before spawning workers. InvalidArgument for more than 64 workers, or for `workers > 0` in
/// a build without threads (the plain `.wasm`).
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_threads_configure(workers: u32) -> i32 {
    ffi::guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || parallel::configure(workers).map_err(|e| Error::invalid("threads", e.to_string())))
}

/// The body of worker `index` (`< workers`), run on the worker's own instance: joins the
/// pool, runs tasks (sleeping with `memory.atomic.wait32` between jobs) and returns 0 after
/// `nr_threads_stop` (or a new `nr_threads_configure`). InvalidArgument (message in the
/// last-error buffer, which is shared with the main instance) for a bad index or a build
/// without threads.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_worker_main(index: u32) -> i32 {
    match parallel::worker_main(index) {
        Ok(()) => 0,
        Err(e) => ffi::fail(Error::invalid("threads", e.to_string())),
    }
}

/// How many workers are inside `nr_worker_main` now.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_threads_joined() -> u32 {
    parallel::joined()
}

/// Asks every worker to return from `nr_worker_main` and wakes them; waits for nothing. Until
/// the next `nr_threads_configure`, calls run on the calling thread alone. Always 0.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_threads_stop() -> i32 {
    parallel::stop();
    0
}

/// Address of the fault word (a u32 in shared memory, 0 while healthy): a worker's JS wrapper
/// stores 1 there (`Atomics.store`, then `Atomics.notify`) when its instance trapped.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_threads_fault_ptr() -> *mut u32 {
    parallel::fault_word()
}

/// Address of the wanted word (a u32 in shared memory): 1 once a call on the calling thread was
/// large enough to split while no worker had joined, else 0. JS starts the workers of the
/// default `init()` when it reads 1 there (and stores 0), so that a program of small calls
/// never starts them.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_threads_wanted_ptr() -> *mut u32 {
    parallel::wanted_word()
}

/// Sets the split threshold: a kernel call whose work (≈ flops, or elements for element-wise
/// ops) is below `n` runs on the calling thread. `0` splits every call with two or more
/// tasks (tests use it to force splitting at tiny sizes).
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_threads_set_min_work(n: u32) {
    parallel::set_min_work(n as usize);
}

/// The split threshold (see `nr_threads_set_min_work`; default
/// `neurite_core::parallel::DEFAULT_MIN_WORK`).
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_threads_min_work() -> u32 {
    parallel::min_work().min(u32::MAX as usize) as u32
}

/// Test-only (like `nr_debug_panic`; never called by the library): runs a job of `n_tasks`
/// (at least 2) tasks in which every task that runs on a worker panics. The calling thread's
/// own tasks wait (bounded) for the fault word, so the workers get to claim some. Ends in a
/// trap ("a worker thread trapped: nr_debug_panic_in_worker: task … panicked on purpose")
/// once the JS wrapper reports the worker's trap; returns 0 if no task ran on a worker (no
/// worker had joined).
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_debug_panic_in_worker(n_tasks: u32) -> i32 {
    let fault = parallel::fault_word() as usize;
    let task = move |i: usize| {
        if parallel::is_worker() {
            panic!("nr_debug_panic_in_worker: task {i} panicked on purpose");
        }
        // SAFETY: the fault word is a live, aligned u32 static, only accessed atomically.
        let word = unsafe { &*(fault as *const core::sync::atomic::AtomicU32) };
        for _ in 0..1u32 << 24 {
            if word.load(core::sync::atomic::Ordering::Acquire) != 0 {
                break;
            }
            core::hint::spin_loop();
        }
    };
    parallel::run((n_tasks as usize).max(2), usize::MAX, &task);
    0
}
