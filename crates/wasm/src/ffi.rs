//! The call guard, the last-error buffer, the panic hook, the argument scratch area and the
//! bounds checks on every pointer TS passes.
//!
//! Every export is `guard(|| { ... })`: it turns the core's `Result` into an `i32` status and
//! keeps the error message where TS can read it (`nr_last_error_ptr`/`_len`). A panic is a bug;
//! with `panic = "abort"` it traps, but the hook first copies the message into a static buffer,
//! which TS reads straight from linear memory after catching the trap. The hook formats into
//! that buffer through a [`core::fmt::Write`] adapter and never allocates, so it also works
//! when the panic came from exhausted memory.
//!
//! # Pointer arguments
//! A pointer TS passes must lie in the scratch area ([`SCRATCH`]) or in one live block from
//! `nr_alloc`, and the whole `ptr .. ptr + len` range must fit inside that one region
//! ([`check_region`]); an export that writes a list also takes the list's capacity and checks
//! `len <= cap` first ([`write_slice`]). A bad pointer or length is an InvalidArgument error,
//! never a write outside what TS provided. Native test builds also accept pointers outside
//! every region (Rust tests pass their own stack buffers), but still reject a range that
//! starts in a region and runs past its end.

use core::cell::{RefCell, UnsafeCell};
use core::fmt;
use neurite_core::{Error, Result, Status};

const MSG_BYTES: usize = 2048;

/// A fixed-size message buffer at a static address (it never moves when memory grows).
pub struct MsgBuf {
    buf: UnsafeCell<[u8; MSG_BYTES]>,
    len: UnsafeCell<usize>,
}

// SAFETY: each buffer is written only by the thread that calls (native tests give every
// thread its own buffers, see `Msg`). In the threaded wasm build the statics are shared by
// all instances, but only the calling (main) instance writes them: pool workers send panic
// messages to `neurite_core::parallel::record_worker_panic` instead (see `record_panic`).
unsafe impl Sync for MsgBuf {}

impl MsgBuf {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    const fn new() -> Self {
        Self { buf: UnsafeCell::new([0; MSG_BYTES]), len: UnsafeCell::new(0) }
    }

    /// Stores `s`, cut at a UTF-8 boundary if longer than the buffer.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn set(&self, s: &str) {
        self.set_fmt(format_args!("{s}"));
    }

    /// Formats `args` into the buffer without allocating, cut at a UTF-8 boundary.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn set_fmt(&self, args: fmt::Arguments<'_>) {
        // SAFETY: single-threaded; no other borrow of the buffer is live while we write.
        let (buf, len) = unsafe { (&mut *self.buf.get(), &mut *self.len.get()) };
        let mut w = Cursor { buf, len: 0 };
        // Cursor never fails (it truncates), so the result carries no information.
        let _ = fmt::write(&mut w, args);
        *len = w.len;
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn ptr(&self) -> *const u8 {
        self.buf.get() as *const u8
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn len(&self) -> usize {
        // SAFETY: single-threaded read of a plain integer.
        unsafe { *self.len.get() }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[cfg(test)]
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn as_str(&self) -> &str {
        // SAFETY: set_fmt only stores whole UTF-8 prefixes.
        unsafe { core::str::from_utf8_unchecked(core::slice::from_raw_parts(self.ptr(), self.len())) }
    }
}

/// A `fmt::Write` over a fixed buffer: copies what fits, cut at a char boundary, then drops
/// the rest. It never allocates and never fails.
struct Cursor<'a> {
    buf: &'a mut [u8; MSG_BYTES],
    len: usize,
}

impl fmt::Write for Cursor<'_> {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = MSG_BYTES - self.len;
        let mut n = s.len().min(room);
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// One of the two message buffers. In the wasm build each is a static at a fixed address; in
/// native test builds each test thread has its own pair, so tests that read them run in
/// parallel without racing.
pub struct Msg(usize);

pub static LAST_ERROR: Msg = Msg(0);
pub static PANIC_MSG: Msg = Msg(1);

#[cfg(not(test))]
static BUFS: [MsgBuf; 2] = [MsgBuf::new(), MsgBuf::new()];

#[cfg(test)]
thread_local! {
    static BUFS: &'static [MsgBuf; 2] = Box::leak(Box::new([MsgBuf::new(), MsgBuf::new()]));
}

impl Msg {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn buf(&self) -> &'static MsgBuf {
        #[cfg(not(test))]
        return &BUFS[self.0];
        #[cfg(test)]
        return BUFS.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |b| &b[self.0]);
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn set(&self, s: &str) {
        self.buf().set(s)
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn set_fmt(&self, args: fmt::Arguments<'_>) {
        self.buf().set_fmt(args)
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn ptr(&self) -> *const u8 {
        self.buf().ptr()
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn len(&self) -> usize {
        self.buf().len()
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[cfg(test)]
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn as_str(&self) -> &'static str {
        self.buf().as_str()
    }
}

/// Runs an export body: `Ok` → 0, `Err(e)` → `e.status()` with the message kept.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn guard(f: impl FnOnce() -> Result<()>) -> i32 {
    neurite_core::interrupt::begin_call();
    crate::handles::begin_call();
    let status = match f() {
        Ok(()) => Status::Ok as i32,
        Err(e) => fail(e),
    };
    neurite_core::interrupt::end_call();
    status
}

/// Records `e` as the last error and returns its status code.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[cold]
#[inline(never)]
pub fn fail(e: Error) -> i32 {
    LAST_ERROR.set_fmt(format_args!("{e}"));
    e.status() as i32
}

/// Installs the panic hook. Idempotent.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| record_panic(info.payload(), info.location())));
}

/// Writes `"<message> at <file>:<line>"` (the shipped wasm, built with `-Z location-detail=none`,
/// has no locations: `"<message>"`) to [`PANIC_MSG`] without allocating: the payload is
/// only borrowed and formatted straight into the static buffer. (For `panic!("{}", x)` std
/// itself formats the payload into a `String` before calling the hook; a static message, such
/// as a failed allocation's, needs no allocation anywhere.)
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn record_panic(payload: &(dyn core::any::Any + Send), location: Option<&core::panic::Location<'_>>) {
    let msg = match payload.downcast_ref::<&str>() {
        Some(s) => *s,
        None => payload.downcast_ref::<String>().map(|s| s.as_str()).unwrap_or("panic"),
    };
    // In the threaded build statics are shared by every instance: a worker must not write the
    // calling thread's PANIC_MSG. Its message goes to the pool's first-writer-wins buffer, and
    // the calling thread panics with "a worker thread trapped: <it>" (neurite_core::parallel).
    // The wasm build has no locations (-Z location-detail=none: line 0, file "<redacted>").
    let location = location.filter(|l| l.line() != 0);
    if neurite_core::parallel::is_worker() {
        match location {
            Some(l) => neurite_core::parallel::record_worker_panic(format_args!("{msg} at {}:{}", l.file(), l.line())),
            None => neurite_core::parallel::record_worker_panic(format_args!("{msg}")),
        };
        return;
    }
    match location {
        Some(l) => PANIC_MSG.set_fmt(format_args!("{msg} at {}:{}", l.file(), l.line())),
        None => PANIC_MSG.set(msg),
    }
}

/// A 4 KiB area at a static address through which TS passes small arguments (shapes, axes)
/// and receives small results (handles, ranks), so calls need no allocation.
#[repr(C, align(16))]
pub struct Scratch(pub UnsafeCell<[u8; SCRATCH_BYTES]>);

pub const SCRATCH_BYTES: usize = 4096;

// SAFETY: single-threaded module; TS writes the area only between calls.
unsafe impl Sync for Scratch {}

pub static SCRATCH: Scratch = Scratch(UnsafeCell::new([0; SCRATCH_BYTES]));

thread_local! {
    /// Live blocks from `nr_alloc` as `(address, bytes)`: the other place TS may point into.
    static BLOCKS: RefCell<Vec<(usize, usize)>> = const { RefCell::new(Vec::new()) };
}

/// Frees the block list of a borrow an abandoned call left (`nr_interrupt_recover`).
///
/// # Safety
/// As `neurite_core::interrupt::reset_borrow`.
pub unsafe fn reset_after_interrupt() -> bool {
    // SAFETY: the caller's contract.
    BLOCKS.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |b| unsafe { neurite_core::interrupt::reset_borrow(b) })
}

/// Remembers a block from `nr_alloc`; false if the list itself cannot grow.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn track_block(addr: usize, bytes: usize) -> bool {
    BLOCKS.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |b| {
        let mut b = b.borrow_mut();
        if b.try_reserve(1).is_err() {
            return false;
        }
        b.push((addr, bytes));
        true
    })
}

/// Forgets a block (on `nr_dealloc`); returns whether it was live with that size.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn untrack_block(addr: usize, bytes: usize) -> bool {
    BLOCKS.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |b| {
        let mut b = b.borrow_mut();
        match b.iter().position(|&blk| blk == (addr, bytes)) {
            Some(i) => {
                b.swap_remove(i);
                true
            }
            None => false,
        }
    })
}

/// Checks that `bytes` bytes at `ptr` (aligned to `align`) lie inside one region TS may
/// pass: the scratch area or a live `nr_alloc` block. `what` names the argument.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn check_region(op: &'static str, what: &str, ptr: usize, bytes: usize, align: usize) -> Result<()> {
    if bytes == 0 {
        return Ok(());
    }
    if ptr == 0 {
        return Err(Error::invalid(op, format!("{what}: null pointer for {bytes} bytes")));
    }
    if ptr % align != 0 {
        return Err(Error::invalid(op, format!("{what}: pointer {ptr:#x} is not aligned to {align} bytes")));
    }
    let Some(end) = ptr.checked_add(bytes) else {
        return Err(Error::invalid(op, format!("{what}: {bytes} bytes at {ptr:#x} run past the end of memory")));
    };
    let scratch = SCRATCH.0.get() as usize;
    let contains = |&(start, len): &(usize, usize)| ptr >= start && ptr < start + len;
    let started_in = if contains(&(scratch, SCRATCH_BYTES)) {
        Some((scratch, SCRATCH_BYTES))
    } else {
        BLOCKS.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |b| b.borrow().iter().copied().find(|r| contains(r)))
    };
    if let Some((start, len)) = started_in {
        if end <= start + len {
            return Ok(());
        }
    }
    match started_in {
        Some((start, len)) => Err(Error::invalid(
            op,
            format!("{what}: {bytes} bytes at {ptr:#x} overrun the {len}-byte argument area at {start:#x}; pass large lists through nr_alloc"),
        )),
        None if cfg!(target_arch = "wasm32") => Err(Error::invalid(
            op,
            format!("{what}: pointer {ptr:#x} is neither in the scratch area nor in a live nr_alloc block"),
        )),
        None => Ok(()),
    }
}

/// The "last result" record `[handle, rank, dims…]` that `emit` leaves for TS, which then
/// needs no second call to learn a new tensor's shape. It has its own static address (not in
/// [`SCRATCH`], whose argument area can hold long handle lists).
pub struct ResultInfo(pub UnsafeCell<[u32; 2 + neurite_core::shape::MAX_RANK]>);

// SAFETY: single-threaded module; TS reads it only between calls.
unsafe impl Sync for ResultInfo {}

pub static RESULT_INFO: ResultInfo = ResultInfo(UnsafeCell::new([0; 2 + neurite_core::shape::MAX_RANK]));

/// Writes the last-result record with handle 0 (set once the tensor is stored).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn set_result_info(dims: &[usize]) {
    let rank = dims.len().min(neurite_core::shape::MAX_RANK);
    // SAFETY: single-threaded; no other reference to the record is live.
    let r = unsafe { &mut *RESULT_INFO.0.get() };
    r[0] = 0;
    r[1] = rank as u32;
    for (slot, &d) in r[2..].iter_mut().zip(dims.iter().take(rank)) {
        *slot = d as u32;
    }
}

/// Sets the handle of the last-result record once the tensor is stored.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn set_result_info_handle(handle: u32) {
    // SAFETY: as in `set_result_info`.
    unsafe { (*RESULT_INFO.0.get())[0] = handle };
}

/// Reads `n` u32 values from a pointer TS gave us, after [`check_region`].
///
/// # Safety
/// If `ptr` passes [`check_region`] it must point to `n` readable u32 values (TS writes them
/// just before); in the wasm build the check itself guarantees that.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub unsafe fn read_u32s(op: &'static str, ptr: *const u32, n: usize) -> Result<Vec<u32>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let bytes = n.checked_mul(4).ok_or_else(|| Error::invalid(op, format!("{n} values are too many")))?;
    check_region(op, "argument list", ptr as usize, bytes, 4)?;
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| Error::OutOfMemory { op, bytes: bytes as u64 })?;
    // SAFETY: the region was checked above; guaranteed by the caller.
    v.extend_from_slice(unsafe { core::slice::from_raw_parts(ptr, n) });
    Ok(v)
}

/// Reads `n` u32 values from a pointer TS gave us and converts each with `f`. The copy is
/// allocated fallibly ([`Error::OutOfMemory`]), never with `collect`, which aborts on OOM.
///
/// # Safety
/// As [`read_u32s`].
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe fn read_u32s_as<T>(op: &'static str, ptr: *const u32, n: usize, f: impl Fn(u32) -> T) -> Result<Vec<T>> {
    // SAFETY: guaranteed by the caller.
    let words = unsafe { read_u32s(op, ptr, n) }?;
    let mut v = Vec::new();
    v.try_reserve_exact(words.len())
        .map_err(|_| Error::OutOfMemory { op, bytes: (words.len() as u64).saturating_mul(core::mem::size_of::<T>() as u64) })?;
    v.extend(words.into_iter().map(f));
    Ok(v)
}

/// Reads `n` i32 values (axes, offsets) from a pointer TS gave us.
///
/// # Safety
/// As [`read_u32s`].
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe fn read_i32s(op: &'static str, ptr: *const i32, n: usize) -> Result<Vec<i32>> {
    // SAFETY: same layout as u32; guaranteed by the caller.
    unsafe { read_u32s_as(op, ptr as *const u32, n, |w| w as i32) }
}

/// Reads `n` i32 values widened to i64 (axes, permutations, shapes with -1).
///
/// # Safety
/// As [`read_u32s`].
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe fn read_i64s(op: &'static str, ptr: *const i32, n: usize) -> Result<Vec<i64>> {
    // SAFETY: same layout as u32; guaranteed by the caller.
    unsafe { read_u32s_as(op, ptr as *const u32, n, |w| i64::from(w as i32)) }
}

/// Writes a result through an out-pointer, after [`check_region`].
///
/// # Safety
/// `ptr` must be null or point to a writable `T`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe fn write_out<T>(op: &'static str, ptr: *mut T, value: T) -> Result<()> {
    check_out::<T>(op, ptr, 1)?;
    // SAFETY: non-null, in bounds (checked) and writable by the caller's contract.
    unsafe { ptr.write(value) };
    Ok(())
}

/// Checks an output pointer for `n` values of `T` (null is an error even for `n == 0`).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn check_out<T>(op: &'static str, ptr: *mut T, n: usize) -> Result<()> {
    if ptr.is_null() {
        return Err(Error::invalid(op, "null output pointer"));
    }
    let bytes = n.checked_mul(core::mem::size_of::<T>()).ok_or_else(|| Error::invalid(op, format!("{n} results are too many")))?;
    check_region(op, "output", ptr as usize, bytes, core::mem::align_of::<T>())
}

/// Writes `values` to an output list with room for `cap` values: fails (writing nothing) when
/// `values.len() > cap` or the `cap` values do not fit in the region `out` points into.
///
/// # Safety
/// `out` must point to `cap` writable `T`s.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe fn write_slice<T: Copy>(op: &'static str, out: *mut T, cap: usize, values: &[T]) -> Result<()> {
    if values.len() > cap {
        return Err(Error::invalid(op, format!("{} results do not fit in an output list of capacity {cap}", values.len())));
    }
    check_out(op, out, cap)?;
    // SAFETY: checked above: `out` has room for `cap >= values.len()` values.
    unsafe { core::ptr::copy_nonoverlapping(values.as_ptr(), out, values.len()) };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    /// Counts allocations per thread, so a test can assert that a path allocates nothing.
    struct Counting;

    thread_local! {
        static ALLOCS: Cell<usize> = const { Cell::new(0) };
        /// When non-zero, allocations of more bytes than this fail (return null) on this thread.
        static FAIL_ABOVE: Cell<usize> = const { Cell::new(0) };
    }

    // SAFETY: forwards to the system allocator unchanged (or fails, which the contract allows).
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, l: Layout) -> *mut u8 {
            let limit = FAIL_ABOVE.try_with(|c| c.get()).unwrap_or(0);
            if limit != 0 && l.size() > limit {
                return core::ptr::null_mut();
            }
            let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
            // SAFETY: forwarded.
            unsafe { System.alloc(l) }
        }
        unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
            // SAFETY: forwarded.
            unsafe { System.dealloc(p, l) }
        }
        unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
            let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
            // SAFETY: forwarded.
            unsafe { System.realloc(p, l, n) }
        }
    }

    #[global_allocator]
    static A: Counting = Counting;

    fn allocs() -> usize {
        ALLOCS.with(|c| c.get())
    }

    #[test]
    fn guard_keeps_the_message() {
        let code = guard(|| Err(Error::invalid("add", "bad")));
        assert_eq!(code, Status::InvalidArgument as i32);
        assert_eq!(LAST_ERROR.as_str(), "add: bad");
        assert_eq!(guard(|| Ok(())), 0);
    }

    #[test]
    fn message_buffers_are_per_thread_in_tests() {
        LAST_ERROR.set("main thread");
        std::thread::spawn(|| {
            LAST_ERROR.set("other thread");
            assert_eq!(LAST_ERROR.as_str(), "other thread");
        })
        .join()
        .unwrap();
        assert_eq!(LAST_ERROR.as_str(), "main thread");
    }

    #[test]
    fn long_messages_are_cut_on_char_boundaries() {
        let s = "é".repeat(2000);
        PANIC_MSG.set(&s);
        assert!(PANIC_MSG.len() <= 2048 && PANIC_MSG.len() >= 2046);
        assert!(PANIC_MSG.as_str().chars().all(|c| c == 'é'));
        // Formatted pieces are cut the same way.
        LAST_ERROR.set_fmt(format_args!("{}{}", "a", "é".repeat(1100)));
        assert_eq!(LAST_ERROR.len(), 2047);
        assert!(LAST_ERROR.as_str().starts_with("aé"));
    }

    #[test]
    fn the_panic_hook_does_not_allocate() {
        let owned = String::from("index out of bounds: the len is 3 but the index is 7");
        let loc = core::panic::Location::caller();
        let _ = PANIC_MSG.len(); // the per-thread buffer exists before counting
        let before = allocs();
        record_panic(&"a static message", Some(loc));
        let static_msg_allocs = allocs() - before;
        assert!(PANIC_MSG.as_str().starts_with("a static message at "), "{}", PANIC_MSG.as_str());
        assert!(PANIC_MSG.as_str().contains("ffi.rs:"));
        let before = allocs();
        record_panic(&owned, None);
        record_panic(&42u32, Some(loc));
        assert_eq!((static_msg_allocs, allocs() - before), (0, 0), "the hook allocated");
        assert!(PANIC_MSG.as_str().starts_with("panic at "));
    }

    #[test]
    fn a_real_panic_reaches_the_buffer() {
        install_panic_hook();
        let r = std::panic::catch_unwind(|| {
            let v = [1, 2, 3];
            let i = std::hint::black_box(7);
            v[i]
        });
        let _ = std::panic::take_hook();
        assert!(r.is_err());
        assert!(PANIC_MSG.as_str().starts_with("index out of bounds"), "{}", PANIC_MSG.as_str());
    }

    #[test]
    fn pointers_must_stay_inside_the_scratch_or_an_alloc_block() {
        let base = SCRATCH.0.get() as usize;
        assert!(check_region("t", "list", base, SCRATCH_BYTES, 4).is_ok());
        assert!(check_region("t", "list", base + 64, SCRATCH_BYTES - 64, 4).is_ok());
        let e = check_region("t", "list", base + 64, SCRATCH_BYTES - 60, 4).unwrap_err().to_string();
        assert!(e.contains("overrun the 4096-byte argument area"), "{e}");
        assert!(check_region("t", "list", base + 2, 4, 4).unwrap_err().to_string().contains("aligned"));
        assert!(check_region("t", "list", 0, 4, 4).unwrap_err().to_string().contains("null"));
        assert!(check_region("t", "list", 0, 0, 4).is_ok());
        assert!(check_region("t", "list", usize::MAX - 3, 8, 4).is_err());
        // A tracked block works like the scratch; once untracked, an overrun is not caught
        // natively (it is outside every region), but in the wasm build any pointer outside
        // the regions is rejected.
        let block = vec![0u32; 100];
        let addr = block.as_ptr() as usize;
        assert!(track_block(addr, 400));
        assert!(check_region("t", "list", addr, 400, 4).is_ok());
        assert!(check_region("t", "list", addr + 4, 400, 4).is_err());
        assert!(untrack_block(addr, 400));
        assert!(!untrack_block(addr, 400));
        assert_eq!(check_region("t", "list", addr + 4, 400, 4).is_err(), cfg!(target_arch = "wasm32"));
    }

    #[test]
    fn argument_lists_are_copied_fallibly() {
        let src = vec![u32::MAX; 1000]; // -1 as i32
        // SAFETY: src holds 1000 u32s (natively any pointer outside the regions passes the check).
        let v = unsafe { read_i64s("transpose", src.as_ptr() as *const i32, 1000) }.unwrap();
        assert!(v.len() == 1000 && v.iter().all(|&x| x == -1));
        // The widened copy (8000 bytes) cannot be allocated: an error, not an abort (collect
        // used to allocate it infallibly).
        FAIL_ABOVE.with(|c| c.set(4000));
        // SAFETY: as above.
        let r = unsafe { read_i64s("transpose", src.as_ptr() as *const i32, 1000) };
        // SAFETY: as above.
        let r32 = unsafe { read_u32s_as("dims", src.as_ptr(), 1000, |w| w as u64) };
        FAIL_ABOVE.with(|c| c.set(3999));
        // SAFETY: as above.
        let ru = unsafe { read_u32s("list", src.as_ptr(), 1000) };
        FAIL_ABOVE.with(|c| c.set(0));
        assert_eq!(r.unwrap_err().to_string(), "transpose: out of memory allocating 8000 bytes");
        assert_eq!(r32.unwrap_err().to_string(), "dims: out of memory allocating 8000 bytes");
        assert_eq!(ru.unwrap_err().to_string(), "list: out of memory allocating 4000 bytes");
    }

    #[test]
    fn write_slice_checks_the_capacity_first() {
        let mut out = [0u32; 4];
        // SAFETY: out has room for 4 values.
        let e = unsafe { write_slice("grad", out.as_mut_ptr(), 2, &[1, 2, 3]) }.unwrap_err();
        assert!(e.to_string().contains("capacity 2"), "{e}");
        assert_eq!(out, [0; 4]);
        // SAFETY: as above.
        unsafe { write_slice("grad", out.as_mut_ptr(), 4, &[1, 2, 3]) }.unwrap();
        assert_eq!(out, [1, 2, 3, 0]);
        let scratch = SCRATCH.0.get() as *mut u32;
        // SAFETY: the scratch holds 1024 u32s; 1025 fail the check before any write.
        let e = unsafe { write_slice("grad", scratch, 1025, &[7]) }.unwrap_err();
        assert!(e.to_string().contains("overrun"), "{e}");
    }
}
