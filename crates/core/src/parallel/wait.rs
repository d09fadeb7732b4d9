//! How a worker sleeps between jobs and how the calling thread wakes it, per platform.
//!
//! * wasm32 with `atomics` (the threaded build): `memory.atomic.wait32` on the bell word and
//!   `memory.atomic.notify`. Only workers wait; the calling thread only notifies (the browser
//!   main thread traps on a wait, even one that would return at once).
//! * native (tests): a `Mutex` + `Condvar` pair; the bell is checked under the lock, so a
//!   ring between the check and the wait is never lost.
//! * wasm32 without `atomics` (the plain build): there are no workers, so neither is called
//!   (`pool::worker_main` refuses to run there).

use core::sync::atomic::AtomicU32;
#[cfg(any(not(target_arch = "wasm32"), not(target_feature = "atomics")))]
use core::sync::atomic::Ordering;

/// Blocks until `bell` no longer holds `seen` (spurious returns are allowed; callers loop).
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
pub fn wait(bell: &AtomicU32, seen: u32) {
    // SAFETY: the address is a live, aligned u32 static; a wait only reads it.
    unsafe {
        core::arch::wasm32::memory_atomic_wait32(bell.as_ptr().cast::<i32>(), seen as i32, -1);
    }
}

/// Wakes every thread waiting on `bell` (after the caller changed it).
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
pub fn wake_all(bell: &AtomicU32) {
    // SAFETY: as in `wait`; notify never blocks, so the main thread may call it.
    unsafe {
        core::arch::wasm32::memory_atomic_notify(bell.as_ptr().cast::<i32>(), u32::MAX);
    }
}

#[cfg(not(target_arch = "wasm32"))]
static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
#[cfg(not(target_arch = "wasm32"))]
static CVAR: std::sync::Condvar = std::sync::Condvar::new();

#[cfg(not(target_arch = "wasm32"))]
pub fn wait(bell: &AtomicU32, seen: u32) {
    let mut g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    while bell.load(Ordering::Acquire) == seen {
        g = CVAR.wait(g).unwrap_or_else(|e| e.into_inner());
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub fn wake_all(_bell: &AtomicU32) {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    CVAR.notify_all();
}

/// The plain wasm build has no workers: nothing waits, nothing to wake.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
pub fn wait(bell: &AtomicU32, seen: u32) {
    while bell.load(Ordering::Acquire) == seen {
        core::hint::spin_loop();
    }
}

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
pub fn wake_all(_bell: &AtomicU32) {}

/// Whether this build can run workers at all.
pub const THREADS_SUPPORTED: bool = cfg!(any(not(target_arch = "wasm32"), target_feature = "atomics"));
