//! The message of the first worker panic, kept where the calling thread can read it.
//!
//! In the threaded wasm build every instance shares linear memory, so a `static` is one buffer
//! for all threads while a `thread_local!` is one per instance. The worker's panic hook
//! (`crates/wasm/src/ffi.rs`) writes here instead of its own panic buffer; the calling thread,
//! which sees the fault word set, then panics with "a worker thread trapped: <this message>".
//! First writer wins: later panics (another worker hit by the same bug) leave it alone.
//! It never allocates (the hook may run after memory ran out).

use core::cell::UnsafeCell;
use core::fmt;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

const BYTES: usize = 1024;

const EMPTY: u32 = 0;
const WRITING: u32 = 1;
const WRITTEN: u32 = 2;

struct Buf {
    state: AtomicU32,
    len: AtomicUsize,
    bytes: UnsafeCell<[u8; BYTES]>,
}

// SAFETY: `bytes` is written only by the thread that moved `state` from EMPTY to WRITING, and
// read only after `state` is WRITTEN (release/acquire), or reset while no worker runs.
unsafe impl Sync for Buf {}

static MSG: Buf = Buf { state: AtomicU32::new(EMPTY), len: AtomicUsize::new(0), bytes: UnsafeCell::new([0; BYTES]) };

/// Stores a worker's panic message unless one is already stored (cut to 1 KiB at a char
/// boundary). Returns whether this call stored it.
pub fn record_worker_panic(args: fmt::Arguments<'_>) -> bool {
    if MSG.state.compare_exchange(EMPTY, WRITING, Ordering::Acquire, Ordering::Relaxed).is_err() {
        return false;
    }
    // SAFETY: we own the buffer until we publish WRITTEN (see the Sync impl).
    let bytes = unsafe { &mut *MSG.bytes.get() };
    let mut w = Cursor { bytes, len: 0 };
    // Cursor truncates and never fails.
    let _ = fmt::write(&mut w, args);
    MSG.len.store(w.len, Ordering::Relaxed);
    MSG.state.store(WRITTEN, Ordering::Release);
    true
}

/// The stored message, if a worker recorded one.
pub fn worker_panic_message() -> Option<&'static str> {
    if MSG.state.load(Ordering::Acquire) != WRITTEN {
        return None;
    }
    let len = MSG.len.load(Ordering::Relaxed);
    // SAFETY: WRITTEN is final until `clear`, and only whole UTF-8 prefixes are stored.
    Some(unsafe { core::str::from_utf8_unchecked(&(&*MSG.bytes.get())[..len]) })
}

/// Forgets the stored message (when the pool is configured again, or a job starts on a pool
/// that has lost no worker).
pub fn clear() {
    MSG.state.store(EMPTY, Ordering::Release);
}

struct Cursor<'a> {
    bytes: &'a mut [u8; BYTES],
    len: usize,
}

impl fmt::Write for Cursor<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut n = s.len().min(BYTES - self.len);
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        self.bytes[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}
