//! A small cache of freed blocks in front of the system allocator (dlmalloc), for the many
//! small, short-lived allocations of a call: a result's buffer, its `Arc`, a shape, an
//! argument list, a tape record. A block of up to [`MAX_CACHED`] bytes (alignment up to 8)
//! freed while its size class holds fewer than [`PER_CLASS`] blocks (and the cache fewer than
//! [`MAX_BYTES`] bytes) is kept on that class's list; the next allocation of the class takes it
//! back without entering dlmalloc. Everything else goes to dlmalloc as before.
//!
//! - **Bounded**: at most [`MAX_BYTES`] bytes are held, so memory does not grow with the run,
//!   and what `memory()` reports (the handles' tensor bytes, the model bytes, the linear
//!   memory) is what it was.
//! - **Thread-safe without waiting**: one cache for every thread, behind a flag taken with a
//!   compare-and-swap; a thread that finds it taken goes to dlmalloc instead (it never spins
//!   or waits: a browser's main thread must not wait). No thread-local storage, so it works
//!   before a thread's TLS is set up (the main thread allocates its TLS block through it) and
//!   holds nothing a worker's exit could leak.
//! - **Exact classes**: sizes are rounded up to 16 bytes and a class's blocks are allocated at
//!   that size, so a block taken back always fits; a block's contents are not cleared (as any
//!   freed memory dlmalloc hands out again), except through `alloc_zeroed`.
//!
//! On wasm32 it is the global allocator (`lib.rs`); the tests below drive a local instance.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

/// Class width in bytes.
const GRAIN: usize = 16;
/// The largest block kept (8 KiB: a [32, 64] f32 tensor).
pub const MAX_CACHED: usize = 8192;
const CLASSES: usize = MAX_CACHED / GRAIN;
/// Blocks kept per class.
pub const PER_CLASS: u8 = 8;
/// Bytes kept in all.
pub const MAX_BYTES: usize = 256 * 1024;
/// The alignment every cached block is allocated with (dlmalloc's own on wasm32).
const ALIGN: usize = 8;

struct Lists {
    /// Per class: the first free block (each block's first word points to the next), or null.
    heads: [*mut u8; CLASSES],
    counts: [u8; CLASSES],
    bytes: usize,
}

/// The cache over allocator `A` (the system allocator in the build).
pub struct Cache<A> {
    inner: A,
    busy: AtomicBool,
    lists: UnsafeCell<Lists>,
}

// SAFETY: `lists` is only touched while `busy` is held (taken with Acquire, released with
// Release), and the blocks on it belong to no one else.
unsafe impl<A: Sync> Sync for Cache<A> {}

/// The class of a layout the cache serves, if it does.
#[inline]
fn class(l: &Layout) -> Option<usize> {
    (l.size() <= MAX_CACHED && l.align() <= ALIGN && l.size() > 0).then(|| (l.size() - 1) / GRAIN)
}

/// The layout blocks of class `c` are allocated with.
#[inline]
fn class_layout(c: usize) -> Layout {
    // SAFETY: a size of at most MAX_CACHED and a power-of-two alignment are valid.
    unsafe { Layout::from_size_align_unchecked((c + 1) * GRAIN, ALIGN) }
}

impl<A: GlobalAlloc> Cache<A> {
    pub const fn new(inner: A) -> Cache<A> {
        Cache { inner, busy: AtomicBool::new(false), lists: UnsafeCell::new(Lists { heads: [core::ptr::null_mut(); CLASSES], counts: [0; CLASSES], bytes: 0 }) }
    }

    /// Runs `f` on the lists if no other thread holds them, else returns `None`.
    #[inline]
    fn try_with<R>(&self, f: impl FnOnce(&mut Lists) -> R) -> Option<R> {
        if self.busy.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
            return None;
        }
        // SAFETY: `busy` is ours until the store below.
        let r = f(unsafe { &mut *self.lists.get() });
        self.busy.store(false, Ordering::Release);
        Some(r)
    }

    /// A block of class `c`: a cached one, or a new one from the inner allocator.
    #[inline]
    unsafe fn take(&self, c: usize) -> *mut u8 {
        let cached = self.try_with(|ls| {
            let p = ls.heads[c];
            if !p.is_null() {
                // SAFETY: a cached block holds the next pointer in its first word (blocks are
                // at least 16 bytes and 8-aligned).
                ls.heads[c] = unsafe { p.cast::<*mut u8>().read() };
                ls.counts[c] -= 1;
                ls.bytes -= (c + 1) * GRAIN;
            }
            p
        });
        match cached {
            Some(p) if !p.is_null() => p,
            // SAFETY: a valid non-zero layout.
            _ => unsafe { self.inner.alloc(class_layout(c)) },
        }
    }

    /// Returns a block of class `c` to the cache, or to the inner allocator when it is full.
    #[inline]
    unsafe fn give(&self, p: *mut u8, c: usize) {
        let kept = self.try_with(|ls| {
            let size = (c + 1) * GRAIN;
            if ls.counts[c] >= PER_CLASS || ls.bytes + size > MAX_BYTES {
                return false;
            }
            // SAFETY: the block is ours (being freed) and has room for a pointer.
            unsafe { p.cast::<*mut u8>().write(ls.heads[c]) };
            ls.heads[c] = p;
            ls.counts[c] += 1;
            ls.bytes += size;
            true
        });
        if kept != Some(true) {
            // SAFETY: allocated by the inner allocator with this layout.
            unsafe { self.inner.dealloc(p, class_layout(c)) }
        }
    }

    /// Returns every cached block to the inner allocator; whether any was held. Called when an
    /// allocation fails: a cached block is in use as far as the inner allocator knows, so
    /// freed blocks on each side of it cannot merge (a tester filled 3.75 GiB with 256 MiB
    /// tensors and freed them all, and then one of 768 MiB did not fit: each had been kept
    /// apart by a small cached block of its own tensor).
    fn drain(&self) -> bool {
        let taken = self.try_with(|ls| {
            let heads = ls.heads;
            ls.heads = [core::ptr::null_mut(); CLASSES];
            ls.counts = [0; CLASSES];
            let had = ls.bytes > 0;
            ls.bytes = 0;
            (heads, had)
        });
        let Some((heads, had)) = taken else { return false };
        for (c, mut p) in heads.into_iter().enumerate() {
            while !p.is_null() {
                // SAFETY: a cached block holds the next one in its first word, and was
                // allocated by the inner allocator with its class's layout.
                unsafe {
                    let next = p.cast::<*mut u8>().read();
                    self.inner.dealloc(p, class_layout(c));
                    p = next;
                }
            }
        }
        had
    }

    /// `inner.alloc(l)` (zeroed when `zeroed`), tried again once the cache is drained when it fails.
    #[inline]
    unsafe fn alloc_large(&self, l: Layout, zeroed: bool) -> *mut u8 {
        // SAFETY: forwarded.
        let get = || unsafe { if zeroed { self.inner.alloc_zeroed(l) } else { self.inner.alloc(l) } };
        let p = get();
        if p.is_null() && self.drain() { get() } else { p }
    }

    /// Bytes held now (tests).
    pub fn held(&self) -> usize {
        self.try_with(|ls| ls.bytes).unwrap_or(0)
    }
}

/// Counts an allocator call in progress in `neurite_core::interrupt` (any thread): a call that
/// JS stops while the lists are mid-change cannot be abandoned.
struct Allocating;

impl Allocating {
    #[inline]
    fn enter() -> Allocating {
        neurite_core::interrupt::enter_alloc();
        Allocating
    }
}

impl Drop for Allocating {
    #[inline]
    fn drop(&mut self) {
        neurite_core::interrupt::leave_alloc();
    }
}

// SAFETY: every block handed out is either the inner allocator's, allocated with a layout at
// least as large and as aligned as the request (a class's exact layout), or such a block
// returned earlier and not handed out since; blocks go back to the inner allocator with the
// layout they were allocated with.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Cache<A> {
    // Not inlined into the callers (every allocation site would grow the module).
    #[inline(never)]
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let _lists = Allocating::enter();
        match class(&l) {
            // SAFETY: forwarded.
            Some(c) => unsafe { self.take(c) },
            // SAFETY: forwarded.
            None => unsafe { self.alloc_large(l, false) },
        }
    }

    #[inline(never)]
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        let _lists = Allocating::enter();
        match class(&l) {
            // SAFETY: forwarded: `p` came from `alloc` with this layout, so from class `c`.
            Some(c) => unsafe { self.give(p, c) },
            // SAFETY: forwarded.
            None => unsafe { self.inner.dealloc(p, l) },
        }
    }

    #[inline(never)]
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let _lists = Allocating::enter();
        match class(&l) {
            Some(c) => {
                // SAFETY: forwarded; the block has room for `l.size()` bytes.
                let p = unsafe { self.take(c) };
                if !p.is_null() {
                    // SAFETY: as above.
                    unsafe { p.write_bytes(0, l.size()) };
                }
                p
            }
            // SAFETY: forwarded.
            None => unsafe { self.alloc_large(l, true) },
        }
    }

    #[inline(never)]
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
        let _lists = Allocating::enter();
        // SAFETY: the caller guarantees that `new_size` rounded up to `l.align()` fits.
        let nl = unsafe { Layout::from_size_align_unchecked(new_size, l.align()) };
        match (class(&l), class(&nl)) {
            // SAFETY: forwarded; a failed realloc leaves `p` as it was, so it may be tried again.
            (None, None) => unsafe {
                let q = self.inner.realloc(p, l, new_size);
                if q.is_null() && self.drain() { self.inner.realloc(p, l, new_size) } else { q }
            },
            // The block already has room (its class is the new size's).
            (Some(a), Some(b)) if a == b => p,
            _ => {
                // SAFETY: forwarded: a new block, the common prefix copied, the old one freed.
                unsafe {
                    let q = self.alloc(nl);
                    if !q.is_null() {
                        core::ptr::copy_nonoverlapping(p, q, l.size().min(new_size));
                        self.dealloc(p, l);
                    }
                    q
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::System;

    fn lay(n: usize, a: usize) -> Layout {
        Layout::from_size_align(n, a).unwrap()
    }

    #[test]
    fn a_freed_block_is_taken_back_by_its_class_only() {
        let c = Cache::new(System);
        unsafe {
            let p = c.alloc(lay(100, 4));
            p.write_bytes(7, 100);
            c.dealloc(p, lay(100, 4));
            assert_eq!(c.held(), 112);
            // 97..=112 bytes share the class; another size does not get the block.
            let q = c.alloc(lay(200, 4));
            assert_ne!(q, p);
            let r = c.alloc(lay(112, 8));
            assert_eq!(r, p);
            assert_eq!(c.held(), 0);
            // alloc_zeroed clears a reused block.
            c.dealloc(r, lay(112, 8));
            let z = c.alloc_zeroed(lay(104, 4));
            assert_eq!(z, p);
            assert!(core::slice::from_raw_parts(z, 104).iter().all(|&b| b == 0));
            c.dealloc(z, lay(104, 4));
            c.dealloc(q, lay(200, 4));
        }
    }

    #[test]
    fn large_and_over_aligned_blocks_are_not_cached_and_the_cache_is_bounded() {
        let c = Cache::new(System);
        unsafe {
            let big = c.alloc(lay(MAX_CACHED + 1, 4));
            c.dealloc(big, lay(MAX_CACHED + 1, 4));
            let simd = c.alloc(lay(64, 16));
            c.dealloc(simd, lay(64, 16));
            assert_eq!(c.held(), 0);
            // Per class at most PER_CLASS blocks.
            let ps: Vec<*mut u8> = (0..20).map(|_| c.alloc(lay(48, 4))).collect();
            for &p in &ps {
                c.dealloc(p, lay(48, 4));
            }
            assert_eq!(c.held(), PER_CLASS as usize * 48);
            // In all at most MAX_BYTES.
            let ps: Vec<(*mut u8, usize)> = (0..CLASSES).flat_map(|k| (0..PER_CLASS).map(move |_| (k + 1) * GRAIN)).map(|n| (c.alloc(lay(n, 4)), n)).collect();
            for &(p, n) in &ps {
                c.dealloc(p, lay(n, 4));
            }
            assert!(c.held() <= MAX_BYTES && c.held() > MAX_BYTES - MAX_CACHED, "{}", c.held());
        }
    }

    #[test]
    fn realloc_keeps_the_values_across_classes_and_to_large_sizes() {
        let c = Cache::new(System);
        unsafe {
            let mut p = c.alloc(lay(20, 4));
            for k in 0..20u8 {
                p.add(k as usize).write(k);
            }
            // Same class: the same block.
            assert_eq!(c.realloc(p, lay(20, 4), 30), p);
            let mut size = 30;
            for next in [200, MAX_CACHED * 3, 64, 10] {
                p = c.realloc(p, lay(size, 4), next);
                size = next;
                let n = size.min(20);
                assert!((0..n).all(|k| *p.add(k) == k as u8), "after realloc to {size}");
            }
            c.dealloc(p, lay(size, 4));
        }
    }

    #[test]
    fn a_failed_large_allocation_drains_the_cache_and_tries_again() {
        /// System, failing every large allocation until it has freed a block.
        struct Tight(core::sync::atomic::AtomicUsize);
        unsafe impl GlobalAlloc for Tight {
            unsafe fn alloc(&self, l: Layout) -> *mut u8 {
                if l.size() > MAX_CACHED && self.0.load(Ordering::SeqCst) == 0 { core::ptr::null_mut() } else { unsafe { System.alloc(l) } }
            }
            unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
                self.0.fetch_add(1, Ordering::SeqCst);
                unsafe { System.dealloc(p, l) }
            }
        }
        let c = Cache::new(Tight(core::sync::atomic::AtomicUsize::new(0)));
        unsafe {
            // An empty cache: the failure stands.
            assert!(c.alloc(lay(MAX_CACHED * 4, 8)).is_null());
            let small = c.alloc(lay(64, 8));
            c.dealloc(small, lay(64, 8));
            assert_eq!(c.held(), 64);
            // The cached block goes back to the inner allocator, which then succeeds.
            let big = c.alloc_zeroed(lay(MAX_CACHED * 4, 8));
            assert!(!big.is_null());
            assert_eq!((c.held(), c.inner.0.load(Ordering::SeqCst)), (0, 1));
            c.dealloc(big, lay(MAX_CACHED * 4, 8));
        }
    }

    #[test]
    fn threads_share_it_without_losing_blocks() {
        static C: Cache<System> = Cache::new(System);
        let hs: Vec<_> = (0..4)
            .map(|t| {
                std::thread::spawn(move || unsafe {
                    for i in 0..20_000usize {
                        let n = 16 + (i * 7 + t) % 400;
                        let p = C.alloc(lay(n, 4));
                        assert!(!p.is_null());
                        p.write_bytes(t as u8, n);
                        assert!(core::slice::from_raw_parts(p, n).iter().all(|&b| b == t as u8));
                        C.dealloc(p, lay(n, 4));
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert!(C.held() <= MAX_BYTES);
    }
}
