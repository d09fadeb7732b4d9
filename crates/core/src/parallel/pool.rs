//! The pool itself: one job at a time, published in statics, tasks claimed with one atomic
//! counter, workers woken through a bell word. See the module docs in `parallel/mod.rs`.
//!
//! ```text
//! calling thread                              worker (loops in worker_main)
//!   BUSY 0→1 (else run inline)                  seen = BELL
//!   JOB = task; DONE = 0                        loop: claim tasks from the back
//!   CLAIM = 0..n (release); BELL += 1; notify         i = back − 1 (CAS back → back−1)
//!   claim tasks from the front (i = front),           task(i); DONE += 1
//!     run them                                   spin a while, then wait32(BELL, seen)
//!   spin until DONE == n  (or FAULT ≠ 0: panic)   until STOP or a new epoch (configure)
//!   JOB = none; BUSY = 0
//! ```
//!
//! The calling thread takes tasks from the front and workers from the back, so with the
//! same cut the same thread tends to run the same tasks call after call: the rows of `C` a
//! GEMM band writes, or the chunk an element-wise op reads, are still in that core's cache.
//! Which thread runs a task never changes what it computes.
//!
//! Why this is safe: a thread reads `JOB` only after a successful claim (a CAS that shrank a
//! non-empty `CLAIM` range, acquiring the calling thread's release store of `0..n`), and
//! the calling thread replaces `JOB` only after every claimed task incremented `DONE`. So the
//! borrowed `task` is never used after `run` returns, even though workers see it as
//! `'static`. A worker that lost every claim never touches `JOB` at all.

use core::cell::{Cell, UnsafeCell};
use core::hint::spin_loop;
use core::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering::*};

use super::{fault, wait};

/// The most workers [`configure`] accepts.
pub const MAX_WORKERS: u32 = 64;

/// The default of [`min_work`]: a call whose work (≈ flops; elements for cheap element-wise
/// ops and sums, 16 per element for `exp`-like ones) is below this runs on the calling
/// thread. Measured 2026-11-30 in Node 20, threaded build, 1 worker + the calling thread, on
/// the 2-core machine while it was idle (split time / one-thread time): `add` of 128 Ki
/// elements 1.7× slower split, 256 Ki 1.8× faster; `sum` of 64 Ki no gain, 256 Ki 1.7×;
/// `exp` of 32 Ki (2 chunks, 512 Ki work) 1.8×; GEMM 128³ (4 Mflop) 1.4×, 512³ 1.9×.
/// (A GEMM counts 2 units per flop and is cut into tasks of at least `TASK_FLOPS`: see
/// `kernels::matmul`.)
pub const DEFAULT_MIN_WORK: usize = 1 << 18;

/// Spins a worker makes (bell checks) after a job before it sleeps: about 50–100 µs in wasm
/// (where `spin_loop` is no instruction), so back-to-back kernels (a training step) do not pay
/// a futex wake-up each. Natively (tests) `spin_loop` is a `pause` of tens of cycles: fewer.
#[cfg(target_arch = "wasm32")]
const WORKER_SPINS: u32 = 1 << 16;
#[cfg(not(target_arch = "wasm32"))]
const WORKER_SPINS: u32 = 1 << 10;

type Task = dyn Fn(usize) + Sync;

#[derive(Clone, Copy)]
struct Job {
    task: Option<&'static Task>,
}

struct Slot(UnsafeCell<Job>);

// SAFETY: written only by the thread holding BUSY while no claim is possible (CLAIM == 0 and
// every claimed task done), read only after a successful claim (see the module docs).
unsafe impl Sync for Slot {}

static JOB: Slot = Slot(UnsafeCell::new(Job { task: None }));
/// Helper threads the pool expects (0: everything runs on the calling thread).
static WORKERS: AtomicU32 = AtomicU32::new(0);
/// Bumped by every `configure`; a worker of an older epoch returns.
static EPOCH: AtomicU32 = AtomicU32::new(0);
/// Workers inside `worker_main` (of the current epoch).
static JOINED: AtomicU32 = AtomicU32::new(0);
/// Set to 1 by [`may_split`] when a call was large enough to split but no worker had joined
/// (see [`wanted_word`]); only the JS side clears it.
static WANTED: AtomicU32 = AtomicU32::new(0);
static STOP: AtomicU32 = AtomicU32::new(0);
/// Rung (incremented, then notified) for every job and on stop/configure. Workers wait on it,
/// and between jobs spin on it: it has a cache line of its own, so that a spinning worker does
/// not pull away the line the calling thread writes while it starts and ends a job (`BUSY`,
/// `JOB`, `DONE`, `CLAIM`, which were its neighbours).
static BELL: OwnLine<AtomicU32> = OwnLine(AtomicU32::new(0));

/// A value alone on its (64-byte) cache line.
#[repr(align(64))]
struct OwnLine<T>(T);

impl<T> core::ops::Deref for OwnLine<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}
/// The tasks of the current job not yet claimed: indices `front .. back`, packed as
/// `back << 32 | front`. The calling thread claims from the front, workers from the back, so
/// the same thread tends to run the same part of every job (its rows of `C` stay in its cache).
static CLAIM: AtomicU64 = AtomicU64::new(0);
/// Tasks of the current job finished.
static DONE: AtomicU32 = AtomicU32::new(0);
/// 1 while a thread owns the pool (runs a job, or configures it).
static BUSY: AtomicU32 = AtomicU32::new(0);
/// The fault word: set to 1 by the JS wrapper of a worker whose instance trapped (wasm).
/// Sticky until `configure`: the pool has lost a worker.
static FAULT: AtomicU32 = AtomicU32::new(0);
/// Set when a task of the current job panicked on a worker that caught it (native builds,
/// which unwind); cleared when a job starts. The pool itself is fine afterwards.
static JOB_FAILED: AtomicU32 = AtomicU32::new(0);
/// Tasks of the current job, for [`settle_abandoned`] (the calling thread's count is on its stack).
static JOB_N: AtomicU32 = AtomicU32::new(0);
/// 1 while the calling thread runs a task it claimed (not yet counted in `DONE`).
static CALLER_IN_TASK: AtomicU32 = AtomicU32::new(0);
/// Tasks an abandoned job's [`settle_abandoned`] withdrew so far.
static WITHDRAWN: AtomicU32 = AtomicU32::new(0);
static MIN_WORK: AtomicUsize = AtomicUsize::new(DEFAULT_MIN_WORK);

thread_local! {
    /// True inside `worker_main`: a nested `run` stays inline, a panic is a worker's.
    static IS_WORKER: Cell<bool> = const { Cell::new(false) };
}

/// Why the pool refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolError {
    /// The build has no shared memory or atomics (the plain wasm build).
    Unsupported,
    /// More workers than [`MAX_WORKERS`].
    TooManyWorkers(u32),
    /// `worker_main(index)` with `index >= workers`.
    BadIndex { index: u32, workers: u32 },
}

impl core::fmt::Display for PoolError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PoolError::Unsupported => write!(f, "this build of neurite has no threads (use the threaded .wasm)"),
            PoolError::TooManyWorkers(n) => write!(f, "workers must be at most {MAX_WORKERS}, got {n}"),
            PoolError::BadIndex { index, workers } => write!(f, "worker index {index} is not below the {workers} configured workers"),
        }
    }
}

/// Sets how many helper threads the pool expects and resets it: a previous pool's workers
/// return from [`worker_main`], the fault word and the worker panic message are cleared.
/// `0` runs everything on the calling thread (the default). Waits for a running job to end.
pub fn configure(workers: u32) -> Result<(), PoolError> {
    if workers > MAX_WORKERS {
        return Err(PoolError::TooManyWorkers(workers));
    }
    if workers > 0 && !wait::THREADS_SUPPORTED {
        return Err(PoolError::Unsupported);
    }
    // In wasm only the main instance runs jobs, and it calls this between calls, so a held
    // BUSY is left over from a call that trapped: take the pool over. Natively another thread
    // may be running a job: wait for it.
    #[cfg(target_arch = "wasm32")]
    BUSY.store(1, Release);
    #[cfg(not(target_arch = "wasm32"))]
    while BUSY.compare_exchange_weak(0, 1, Acquire, Relaxed).is_err() {
        spin_loop();
    }
    EPOCH.fetch_add(1, AcqRel);
    JOINED.store(0, Release);
    STOP.store(0, Release);
    FAULT.store(0, Release);
    fault::clear();
    CLAIM.store(0, Release);
    DONE.store(0, Release);
    WORKERS.store(workers, Release);
    BELL.fetch_add(1, Release);
    wait::wake_all(&BELL);
    BUSY.store(0, Release);
    Ok(())
}

/// The number of workers [`configure`] set.
pub fn workers() -> u32 {
    WORKERS.load(Acquire)
}

/// How many workers are inside [`worker_main`] now.
pub fn joined() -> u32 {
    JOINED.load(Acquire)
}

/// Asks every worker to return from [`worker_main`] and wakes them; waits for nothing.
/// Until the next [`configure`], jobs run on the calling thread alone.
pub fn stop() {
    STOP.store(1, Release);
    BELL.fetch_add(1, Release);
    wait::wake_all(&BELL);
}

/// The fault word: the JS wrapper of a worker stores 1 there (and notifies) when its instance
/// trapped. The calling thread checks it while it waits for a job.
pub fn fault_word() -> *mut u32 {
    FAULT.as_ptr()
}

/// The wanted word: 0 until a call on the calling thread is large enough to split (at least
/// two tasks, work of at least [`min_work`]) while no worker has joined; then 1, until the JS
/// side stores 0. The JS side starts its workers only once a program runs such a call, so a
/// program of small calls never pays for starting them (`ts/engine.ts`).
pub fn wanted_word() -> *mut u32 {
    WANTED.as_ptr()
}

/// The split threshold: calls with less work stay on the calling thread.
pub fn min_work() -> usize {
    MIN_WORK.load(Relaxed)
}

/// Sets [`min_work`] (0 splits everything that has at least two tasks; tests use it).
pub fn set_min_work(n: usize) {
    MIN_WORK.store(n, Relaxed);
}

/// True on a pool worker (inside [`worker_main`]).
pub fn is_worker() -> bool {
    IS_WORKER.with(Cell::get)
}

/// The body of worker `index`: joins the pool, runs tasks of every job, sleeps between jobs,
/// and returns `Ok` after [`stop`] (or a new [`configure`]).
pub fn worker_main(index: u32) -> Result<(), PoolError> {
    if !wait::THREADS_SUPPORTED {
        return Err(PoolError::Unsupported);
    }
    let workers = WORKERS.load(Acquire);
    if index >= workers {
        return Err(PoolError::BadIndex { index, workers });
    }
    let epoch = EPOCH.load(Acquire);
    IS_WORKER.with(|w| w.set(true));
    JOINED.fetch_add(1, AcqRel);
    let mut seen = BELL.load(Acquire);
    while STOP.load(Acquire) == 0 && EPOCH.load(Acquire) == epoch {
        while let Some((task, i)) = claim(true) {
            run_on_worker(task, i);
        }
        let mut spins = 0;
        loop {
            let b = BELL.load(Acquire);
            if b != seen {
                seen = b;
                break;
            }
            if spins < WORKER_SPINS {
                spins += 1;
                spin_loop();
            } else {
                wait::wait(&BELL, seen);
            }
        }
    }
    // The kernels' per-thread buffers, before the thread leaves: on wasm nothing frees them
    // after (no thread-local destructors, and the next pool's workers get fresh thread-local
    // blocks), so each init({ threads }) that changed the pool lost them (~0.2 MB a switch).
    crate::kernels::matmul::free_thread_buffers();
    crate::ops::conv::free_thread_buffers();
    if EPOCH.load(Acquire) == epoch {
        // Saturating: a `configure` may have reset the count while we were leaving.
        let _ = JOINED.fetch_update(AcqRel, Acquire, |j| Some(j.saturating_sub(1)));
    }
    IS_WORKER.with(|w| w.set(false));
    Ok(())
}

/// Runs one claimed task on a worker. On wasm a panic traps the instance (the hook recorded
/// the message, JS sets the fault word); natively it is caught, recorded and flagged for this
/// job only, and the task still counts as done so the caller's wait ends.
fn run_on_worker(task: &Task, i: usize) {
    if let Err(payload) = std::panic::catch_unwind(core::panic::AssertUnwindSafe(|| task(i))) {
        let msg = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("panic");
        fault::record_worker_panic(format_args!("{msg}"));
        JOB_FAILED.store(1, Release);
    }
    DONE.fetch_add(1, Release);
}

/// Claims a task of the current job, the last unclaimed one if `from_back` (workers), else the
/// first (the calling thread): `(task, index)`, or `None` when none is left.
fn claim(from_back: bool) -> Option<(&'static Task, usize)> {
    let mut c = CLAIM.load(Relaxed);
    loop {
        let (front, back) = (c as u32, (c >> 32) as u32);
        if front >= back {
            return None;
        }
        let (next, i) = if from_back { (c - (1 << 32), back - 1) } else { (c + 1, front) };
        match CLAIM.compare_exchange_weak(c, next, Acquire, Relaxed) {
            Ok(_) => {
                // SAFETY: the claim succeeded, so the job is current and stays so until this
                // task is counted done (module docs).
                let job = unsafe { *JOB.0.get() };
                let task = job.task.expect("a claimed task belongs to a published job");
                return Some((task, i as usize));
            }
            Err(now) => c = now,
        }
    }
}

/// Runs `task(i)` for every `i` in `0..n_tasks`, each exactly once, on the calling thread and
/// whichever workers have joined, and returns when all are done. `work` is the size of the
/// whole call (≈ flops, or elements); below [`min_work`], with fewer than two tasks, without
/// joined workers, from inside a task or while another thread owns the pool, the tasks run
/// here in index order. Which thread runs a task never changes what it computes.
///
/// # Panics
/// If a task panics (on this thread, or on a worker: "a worker thread trapped: …"); natively,
/// only after every task that had started has finished.
pub fn run<'a>(n_tasks: usize, work: usize, task: &'a (dyn Fn(usize) + Sync + 'a)) {
    // The tasks write only their own outputs: a call stopped here by JS can be abandoned
    // (crate::interrupt), once the workers finished its tasks (settle_abandoned).
    let _abandonable = crate::interrupt::abandonable();
    let inline = !may_split(n_tasks, work);
    if inline || BUSY.compare_exchange(0, 1, Acquire, Relaxed).is_err() {
        (0..n_tasks).for_each(task);
        return;
    }
    let n = n_tasks as u32;
    let mut job = JobGuard { n, armed: false };
    if FAULT.load(Acquire) != 0 {
        fault_panic();
    }
    // No worker has trapped (FAULT is 0) and no task runs: forget an old caught panic.
    JOB_FAILED.store(0, Relaxed);
    fault::clear();
    // SAFETY: we hold BUSY and CLAIM is 0, so no thread reads JOB now; the 'static is a lie
    // that JobGuard makes harmless (nothing uses the task after it is dropped).
    unsafe {
        *JOB.0.get() = Job { task: Some(core::mem::transmute::<&'a (dyn Fn(usize) + Sync + 'a), &'static Task>(task)) };
    }
    DONE.store(0, Relaxed);
    JOB_N.store(n, Relaxed);
    WITHDRAWN.store(0, Relaxed);
    job.armed = true;
    CLAIM.store(u64::from(n) << 32, Release);
    BELL.fetch_add(1, Release);
    wait::wake_all(&BELL);
    while let Some((t, i)) = claim(false) {
        CALLER_IN_TASK.store(1, Relaxed);
        let _count = CountDone;
        t(i);
    }
    while DONE.load(Acquire) != n {
        if FAULT.load(Acquire) != 0 {
            fault_panic();
        }
        spin_loop();
    }
    if JOB_FAILED.load(Acquire) != 0 {
        fault_panic();
    }
}

/// After JS stopped the calling thread inside [`run`] (an interrupt, see [`crate::interrupt`]):
/// withdraws the job's unclaimed tasks and reports whether the workers have finished the ones
/// they claimed, and then ends the job as [`JobGuard`] would have (the pool is free again).
/// `false`: still running (call again), or a worker trapped. Called only on the calling thread,
/// between calls; `true` at once when no job was running.
pub fn settle_abandoned() -> bool {
    if BUSY.load(Acquire) == 0 {
        return true;
    }
    if FAULT.load(Acquire) != 0 {
        return false;
    }
    let left = CLAIM.swap(0, AcqRel);
    WITHDRAWN.fetch_add(((left >> 32) as u32).saturating_sub(left as u32), AcqRel);
    let counted = DONE.load(Acquire) + WITHDRAWN.load(Acquire) + CALLER_IN_TASK.load(Acquire);
    if counted < JOB_N.load(Acquire) {
        return false;
    }
    // SAFETY: no claim is possible (CLAIM is 0) and every claimed task is done or was the
    // calling thread's own, which never resumes.
    unsafe { *JOB.0.get() = Job { task: None } };
    CALLER_IN_TASK.store(0, Relaxed);
    WITHDRAWN.store(0, Relaxed);
    BUSY.store(0, Release);
    true
}

/// Whether [`run`] would hand `n_tasks` tasks of `work` to the workers now (a hint: another
/// thread may take the pool first, and then `run` runs them here). Kernels whose one-thread
/// form is faster as a single loop use it to pick that form.
///
/// A call large enough to split while no worker has joined raises [`wanted_word`].
pub fn may_split(n_tasks: usize, work: usize) -> bool {
    let large = n_tasks >= 2 && work >= min_work() && n_tasks <= u32::MAX as usize;
    let joined = large && JOINED.load(Relaxed) != 0;
    if large && !joined && WANTED.load(Relaxed) == 0 && !is_worker() {
        WANTED.store(1, Relaxed);
    }
    let split = joined
        && STOP.load(Relaxed) == 0
        && BUSY.load(Relaxed) == 0
        && !is_worker();
    // Unit tests run in parallel: only the test that set up the workers uses them.
    #[cfg(test)]
    let split = split && super::testing::owns_pool();
    split
}

#[cold]
fn fault_panic() -> ! {
    match fault::worker_panic_message() {
        Some(m) => panic!("a worker thread trapped: {m}"),
        None => panic!("a worker thread trapped (it recorded no panic message)"),
    }
}

/// Counts a task of the calling thread as done, also when it unwinds (native).
struct CountDone;

impl Drop for CountDone {
    fn drop(&mut self) {
        // Cleared first: stopped between the two, the task counts nowhere and
        // settle_abandoned waits in vain (then JS replaces the instance), never too little.
        CALLER_IN_TASK.store(0, Relaxed);
        DONE.fetch_add(1, Release);
    }
}

/// Ends the job: withdraws unclaimed tasks, waits (natively, when unwinding) for the claimed
/// ones, clears the job and releases the pool.
struct JobGuard {
    n: u32,
    armed: bool,
}

impl Drop for JobGuard {
    fn drop(&mut self) {
        if self.armed {
            let left = CLAIM.swap(0, AcqRel);
            let withdrawn = ((left >> 32) as u32).saturating_sub(left as u32);
            // On the normal path DONE is already n. After a panic (native: unwinding) this
            // waits for the tasks other threads started. A wasm panic never gets here (it
            // traps), and a trapped worker would never finish: JS rebuilds the pool then.
            while DONE.load(Acquire) + withdrawn < self.n {
                spin_loop();
            }
            // SAFETY: no claim is possible (CLAIM is 0) and every claimed task is done.
            unsafe { *JOB.0.get() = Job { task: None } };
        }
        BUSY.store(0, Release);
    }
}

#[cfg(test)]
mod layout_tests {
    use super::*;

    /// The bell a spinning worker reads shares its cache line with none of the words the
    /// calling thread writes to start and end a job.
    #[test]
    fn the_bell_has_a_cache_line_of_its_own() {
        let line = |p: usize| p / 64;
        let bell = &*BELL as *const AtomicU32 as usize;
        assert_eq!(bell % 64, 0);
        let others = [
            BUSY.as_ptr() as usize,
            DONE.as_ptr() as usize,
            CLAIM.as_ptr() as usize,
            JOB.0.get() as usize,
            STOP.as_ptr() as usize,
            FAULT.as_ptr() as usize,
        ];
        for (i, &o) in others.iter().enumerate() {
            assert_ne!(line(o), line(bell), "pool word {i} shares the bell's cache line");
        }
        assert!(core::mem::size_of_val(&BELL) >= 64);
    }
}
