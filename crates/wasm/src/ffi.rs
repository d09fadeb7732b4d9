//! The call guard, the last-error buffer, the panic hook and the argument scratch area.
//!
//! Every export is `guard(|| { ... })`: it turns the core's `Result` into an `i32` status and
//! keeps the error message where TS can read it (`nr_last_error_ptr`/`_len`). A panic is a bug;
//! with `panic = "abort"` it traps, but the hook first copies the message into a static buffer,
//! which TS reads straight from linear memory after catching the trap.

use core::cell::UnsafeCell;
use neurite_core::{Error, Result, Status};

/// A fixed-size message buffer at a static address (it never moves when memory grows).
pub struct MsgBuf {
    buf: UnsafeCell<[u8; 2048]>,
    len: UnsafeCell<usize>,
}

// SAFETY: the module is single-threaded; each buffer is written only by the thread that calls.
unsafe impl Sync for MsgBuf {}

impl MsgBuf {
    const fn new() -> Self {
        Self { buf: UnsafeCell::new([0; 2048]), len: UnsafeCell::new(0) }
    }

    /// Stores `s`, cut at a UTF-8 boundary if longer than the buffer.
    pub fn set(&self, s: &str) {
        let mut n = s.len().min(2048);
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        // SAFETY: n <= 2048 bytes are copied into the 2048-byte buffer; no other borrow is live.
        unsafe {
            core::ptr::copy_nonoverlapping(s.as_ptr(), self.buf.get() as *mut u8, n);
            *self.len.get() = n;
        }
    }

    pub fn ptr(&self) -> *const u8 {
        self.buf.get() as *const u8
    }

    pub fn len(&self) -> usize {
        // SAFETY: single-threaded read of a plain integer.
        unsafe { *self.len.get() }
    }

    #[cfg(test)]
    pub fn as_str(&self) -> &str {
        // SAFETY: set() only stores whole UTF-8 prefixes.
        unsafe { core::str::from_utf8_unchecked(core::slice::from_raw_parts(self.ptr(), self.len())) }
    }
}

pub static LAST_ERROR: MsgBuf = MsgBuf::new();
pub static PANIC_MSG: MsgBuf = MsgBuf::new();

/// Runs an export body: `Ok` → 0, `Err(e)` → `e.status()` with the message kept.
pub fn guard(f: impl FnOnce() -> Result<()>) -> i32 {
    match f() {
        Ok(()) => Status::Ok as i32,
        Err(e) => fail(e),
    }
}

/// Records `e` as the last error and returns its status code.
pub fn fail(e: Error) -> i32 {
    LAST_ERROR.set(&e.to_string());
    e.status() as i32
}

/// Installs the panic hook. Idempotent.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = match info.payload().downcast_ref::<&str>() {
            Some(s) => (*s).to_string(),
            None => match info.payload().downcast_ref::<String>() {
                Some(s) => s.clone(),
                None => "panic".to_string(),
            },
        };
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        PANIC_MSG.set(&format!("{msg}{at}"));
    }));
}

/// A 4 KiB area at a static address through which TS passes small arguments (shapes, axes)
/// and receives small results (handles, ranks), so calls need no allocation.
#[repr(C, align(16))]
pub struct Scratch(pub UnsafeCell<[u8; SCRATCH_BYTES]>);

pub const SCRATCH_BYTES: usize = 4096;

// SAFETY: single-threaded module; TS writes the area only between calls.
unsafe impl Sync for Scratch {}

pub static SCRATCH: Scratch = Scratch(UnsafeCell::new([0; SCRATCH_BYTES]));

/// The "last result" record `[handle, rank, dims…]` that `emit` leaves for TS, which then
/// needs no second call to learn a new tensor's shape. It has its own static address (not in
/// [`SCRATCH`], whose argument area can hold long handle lists).
pub struct ResultInfo(pub UnsafeCell<[u32; 2 + neurite_core::shape::MAX_RANK]>);

// SAFETY: single-threaded module; TS reads it only between calls.
unsafe impl Sync for ResultInfo {}

pub static RESULT_INFO: ResultInfo = ResultInfo(UnsafeCell::new([0; 2 + neurite_core::shape::MAX_RANK]));

/// Writes the last-result record with handle 0 (set once the tensor is stored).
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
pub fn set_result_info_handle(handle: u32) {
    // SAFETY: as in `set_result_info`.
    unsafe { (*RESULT_INFO.0.get())[0] = handle };
}

/// Reads `n` u32 values from a pointer TS gave us, checking it for null.
///
/// # Safety
/// `ptr` must point to `n` readable u32 values in linear memory (TS writes them just before).
pub unsafe fn read_u32s(op: &'static str, ptr: *const u32, n: usize) -> Result<Vec<u32>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    if ptr.is_null() {
        return Err(Error::invalid(op, "null argument pointer"));
    }
    // SAFETY: guaranteed by the caller.
    Ok(unsafe { core::slice::from_raw_parts(ptr, n) }.to_vec())
}

/// Reads `n` i32 values (axes, offsets) from a pointer TS gave us.
///
/// # Safety
/// As [`read_u32s`].
pub unsafe fn read_i32s(op: &'static str, ptr: *const i32, n: usize) -> Result<Vec<i32>> {
    // SAFETY: same layout as u32; guaranteed by the caller.
    Ok(unsafe { read_u32s(op, ptr as *const u32, n) }?.into_iter().map(|v| v as i32).collect())
}

/// Writes a result through an out-pointer, checking it for null.
///
/// # Safety
/// `ptr` must be null or point to a writable `T`.
pub unsafe fn write_out<T>(op: &'static str, ptr: *mut T, value: T) -> Result<()> {
    if ptr.is_null() {
        return Err(Error::invalid(op, "null output pointer"));
    }
    // SAFETY: non-null and writable by the caller's contract.
    unsafe { ptr.write(value) };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_keeps_the_message() {
        let code = guard(|| Err(Error::invalid("add", "bad")));
        assert_eq!(code, Status::InvalidArgument as i32);
        assert_eq!(LAST_ERROR.as_str(), "add: bad");
        assert_eq!(guard(|| Ok(())), 0);
    }

    #[test]
    fn long_messages_are_cut_on_char_boundaries() {
        let s = "é".repeat(2000);
        PANIC_MSG.set(&s);
        assert!(PANIC_MSG.len() <= 2048);
        assert!(PANIC_MSG.as_str().chars().all(|c| c == 'é'));
    }
}
