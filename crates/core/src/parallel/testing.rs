//! Test support: run a closure with `n` native worker threads in the pool.

use std::cell::Cell;
use std::sync::Mutex;

use super::{configure, joined, set_min_work, stop, worker_main, DEFAULT_MIN_WORK};

/// Serialises the tests that configure the pool (it is one global).
static LOCK: Mutex<()> = Mutex::new(());

thread_local! {
    /// True on the thread running `with_workers`' closure: only it may use the pool, so the
    /// other tests (running in parallel) neither take the workers nor see a fault set here.
    static OWNER: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread may use the pool (see `OWNER`).
pub fn owns_pool() -> bool {
    OWNER.with(Cell::get)
}

/// Runs `f` with `workers` native workers joined and the split threshold at `min_work`, then
/// stops them and restores the defaults (0 workers, [`DEFAULT_MIN_WORK`]).
pub fn with_workers<R>(workers: u32, min_work: usize, f: impl FnOnce() -> R) -> R {
    let _l = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    configure(workers).unwrap();
    let handles: Vec<_> = (0..workers).map(|i| std::thread::spawn(move || worker_main(i))).collect();
    while joined() < workers {
        std::thread::yield_now();
    }
    set_min_work(min_work);
    OWNER.with(|o| o.set(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    OWNER.with(|o| o.set(false));
    stop();
    for h in handles {
        h.join().expect("worker thread").expect("worker_main");
    }
    set_min_work(DEFAULT_MIN_WORK);
    configure(0).unwrap();
    r.unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// The worker counts every determinism test runs with.
pub const WORKER_COUNTS: [u32; 5] = [0, 1, 2, 3, 8];

/// `f()` with each of [`WORKER_COUNTS`] (threshold 0, so everything with two tasks splits);
/// asserts the results are bit-identical and returns the one with 0 workers.
pub fn same_bits_for_all_counts(what: &str, f: impl Fn() -> Vec<f32>) -> Vec<f32> {
    let base = with_workers(0, 0, &f);
    for &w in &WORKER_COUNTS[1..] {
        let got = with_workers(w, 0, &f);
        assert_eq!(got.len(), base.len(), "{what}: length with {w} workers");
        for (i, (g, b)) in got.iter().zip(&base).enumerate() {
            assert_eq!(g.to_bits(), b.to_bits(), "{what}: element {i} differs with {w} workers: {g} vs {b}");
        }
    }
    base
}
