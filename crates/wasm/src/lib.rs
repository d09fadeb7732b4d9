//! neurite-wasm: the C ABI of neurite, the only crate with `extern "C"` and raw pointers.
//!
//! # Conventions (every export)
//! - Returns an `i32` status: `0` is OK; other codes are [`neurite_core::Status`]. On failure
//!   the message is in the last-error buffer (`nr_last_error_ptr` / `nr_last_error_len`).
//! - **A failed call changes nothing**: no handle is created, freed or emptied, and no
//!   out-pointer is written past what the call checked (models taken out of the table for a
//!   call are always put back; outputs are checked before anything is stored).
//! - Results come back through out-pointers, usually into the scratch area (`nr_scratch_ptr`).
//! - **Every pointer is bounds-checked** ([`ffi::check_region`]): it must lie in the 4 KiB
//!   scratch area or in a live block from `nr_alloc`, with its whole length inside that one
//!   region. Lists longer than the scratch go through `nr_alloc`/`nr_dealloc`. An export that
//!   writes a list takes its capacity and checks `len <= cap` before writing
//!   ([`ffi::write_slice`]); fixed-size outputs (`nr_tensor_shape`: 33 words) are checked
//!   the same way. A bad pointer or length is an InvalidArgument error, never a stray write.
//! - Objects are generational `u32` handles ([`handles`]); `0` is never a valid handle. A
//!   handle value is not issued twice within an instance (see the limits in [`handles`]),
//!   handles are salted per instance (`nr_init(salt)`), and anything that must tell objects
//!   apart over time (the gradient tape) keys on the table's 64-bit ids, never on handles.
//! - While a gradient tape records, every stored tensor is on it: ops record their backward
//!   rule, ops without a gradient are explicit constants, and any other export is recorded as
//!   opaque, so a gradient through it is an error naming it ([`exports::tape`]).
//! - Expected failures never trap. A panic is a bug: the hook stores its message
//!   (`nr_panic_ptr` / `nr_panic_len`) without allocating and the instance traps; TS then
//!   replaces the instance.

// Cold code (codecs, PCA, classic models, image metrics, configs, the C ABI's glue) is
// compiled for size with `#[cfg_attr(target_arch = "wasm32", optimize(size))]` while the
// kernels and the training step keep opt-level 3 (see Cargo.toml; nightly feature, built
// with RUSTC_BOOTSTRAP like the rest of the wasm build).
#![cfg_attr(target_arch = "wasm32", feature(optimize_attribute))]
pub mod alloc;
pub mod exports;
pub mod ffi;
pub mod handles;
pub mod model;

/// The allocator: dlmalloc behind a small cache of freed blocks ([`alloc`]).
#[cfg(all(target_arch = "wasm32", not(test)))]
#[global_allocator]
static ALLOCATOR: alloc::Cache<std::alloc::System> = alloc::Cache::new(std::alloc::System);
