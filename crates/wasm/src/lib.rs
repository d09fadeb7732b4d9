//! neurite-wasm: the C ABI of neurite, the only crate with `extern "C"` and raw pointers.
//!
//! # Conventions (every export)
//! - Returns an `i32` status: `0` is OK; other codes are [`neurite_core::Status`]. On failure
//!   the message is in the last-error buffer (`nr_last_error_ptr` / `nr_last_error_len`).
//! - Results come back through out-pointers, usually into the scratch area (`nr_scratch_ptr`).
//! - Objects are generational `u32` handles ([`handles`]); `0` is never a valid handle.
//! - Expected failures never trap. A panic is a bug: the hook stores its message
//!   (`nr_panic_ptr` / `nr_panic_len`) and the instance traps; TS then replaces the instance.

pub mod exports;
pub mod ffi;
pub mod handles;
pub mod model;
