//! Instance setup, error buffers, memory management and enum names.

use crate::ffi::{self, guard, LAST_ERROR, PANIC_MSG, SCRATCH};
use crate::handles;
use neurite_core::ops::{binary::BinaryOp, reduce::ReduceOp, unary::UnaryOp};
use neurite_core::{Error, Status};
use std::alloc::{alloc, dealloc, Layout};

/// Installs the panic hook and salts the handle table with `salt` (TS passes its instance id,
/// so handles differ between instances; see `handles`). Call once after instantiation, before
/// any handle is issued; a later call with another salt is an InvalidArgument error.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_init(salt: u32) -> i32 {
    ffi::install_panic_hook();
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        if handles::set_salt(salt) {
            Ok(())
        } else {
            Err(Error::invalid("init", "nr_init must be called before any handle is issued"))
        }
    })
}

/// Address of the last error message (UTF-8, `nr_last_error_len` bytes).
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_last_error_ptr() -> *const u8 {
    LAST_ERROR.ptr()
}

#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_last_error_len() -> usize {
    LAST_ERROR.len()
}

/// Address of the last panic message, readable after a trap without calling in again.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_panic_ptr() -> *const u8 {
    PANIC_MSG.ptr()
}

#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_panic_len() -> usize {
    PANIC_MSG.len()
}

/// Address of the 4 KiB scratch area for small arguments and results.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_scratch_ptr() -> *mut u8 {
    SCRATCH.0.get() as *mut u8
}

/// Allocates the calling thread's TLS block before `__wasm_init_tls` has run (threaded build:
/// `__tls_base` is 0 until then). Unlike [`nr_alloc`] it touches no thread-local: tracking the
/// block would write the block list through `__tls_base` 0, i.e. into low linear memory, and
/// read a thread-local's state from whatever is there (in an opt-level "s" build a trap on the
/// first call). The block lives as long as the instance and is never given to `nr_dealloc`.
/// Returns 0 when memory is exhausted.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_alloc_tls(bytes: usize, align: usize) -> *mut u8 {
    match Layout::from_size_align(bytes.max(1), align.max(1)) {
        // SAFETY: the layout has a non-zero size.
        Ok(l) => unsafe { alloc(l) },
        Err(_) => core::ptr::null_mut(),
    }
}

/// Allocates `bytes` with `align` (a power of two) for an argument or result list too long for
/// the scratch area; returns 0 when memory is exhausted. While the block is live, exports
/// accept pointers into it (and only into it or the scratch, see `ffi::check_region`).
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_alloc(bytes: usize, align: usize) -> *mut u8 {
    // A call, for the interrupt words: JS stopping it inside the allocator must see it.
    neurite_core::interrupt::begin_call();
    let p = alloc_block(bytes, align);
    neurite_core::interrupt::end_call();
    p
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn alloc_block(bytes: usize, align: usize) -> *mut u8 {
    match Layout::from_size_align(bytes.max(1), align.max(1)) {
        Ok(l) => {
            // SAFETY: the layout has a non-zero size.
            let p = unsafe { alloc(l) };
            if !p.is_null() && !ffi::track_block(p as usize, bytes) {
                // SAFETY: just allocated with this layout.
                unsafe { dealloc(p, l) };
                return core::ptr::null_mut();
            }
            p
        }
        Err(_) => core::ptr::null_mut(),
    }
}

/// Frees memory from `nr_alloc` with the same `bytes` and `align`. A pointer that is not a
/// live block of that size is ignored (never a double free).
///
/// # Safety
/// `align` must be the one given to `nr_alloc`.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_dealloc(ptr: *mut u8, bytes: usize, align: usize) {
    neurite_core::interrupt::begin_call();
    if let Ok(l) = Layout::from_size_align(bytes.max(1), align.max(1)) {
        if !ptr.is_null() && ffi::untrack_block(ptr as usize, bytes) {
            // SAFETY: a live block from nr_alloc with this size (tracked until now).
            unsafe { dealloc(ptr, l) }
        }
    }
    neurite_core::interrupt::end_call();
}

/// Writes `[live objects, live tensors, tensor bytes, linear memory bytes, model bytes, tensor
/// buffers]` as u32 to `out` (see [`crate::handles::Stats`]).
///
/// # Safety
/// `out` must point to 6 writable u32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_memory(out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let s = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.stats());
        #[cfg(target_arch = "wasm32")]
        let wasm_bytes = core::arch::wasm32::memory_size(0) as u64 * 65536;
        #[cfg(not(target_arch = "wasm32"))]
        let wasm_bytes = 0u64;
        // 4 GiB (65,536 pages) is one more than a u32 holds: saturated (it wrapped to 0; the
        // facade reads the size from JS, exact).
        let vals = [s.live as u32, s.tensors as u32, s.tensor_bytes as u32, wasm_bytes.min(u64::from(u32::MAX)) as u32, s.model_bytes as u32, s.buffers as u32];
        // SAFETY: write_slice checks that `out` has room for 6 u32s.
        unsafe { ffi::write_slice("memory", out, 6, &vals) }
    })
}

/// Writes `[live objects, live tensors, live models]` as u32 to `out`: the counts of
/// [`nr_memory`] without its bytes, read from counters (O(1)), where `nr_memory` walks every
/// live model to sum its weights (16 ms at 20,000 models). For checks that run often: the
/// facade's live-count warning looks every 4,096 new objects. A nested model with a handle of
/// its own counts once per handle.
///
/// # Safety
/// `out` must point to 3 writable u32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_live_counts(out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let [live, tensors, models] = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.counts());
        // SAFETY: write_slice checks that `out` has room for 3 u32s.
        unsafe { ffi::write_slice("liveCounts", out, 3, &[live as u32, tensors as u32, models as u32]) }
    })
}

/// Enum families whose names TS checks against its own tables (one source of truth).
#[repr(u32)]
pub enum EnumKind {
    Status = 0,
    UnaryOp = 1,
    BinaryOp = 2,
    ReduceOp = 3,
    /// `neurite_core::activations::Activation::KIND_NAMES`.
    Activation = 4,
    /// Activation parameters as `"<kind>.<param>=<default>"` (see `exports::activations`).
    ActivationParam = 5,
    /// Loss, optimizer and schedule kinds (10..=12; 4..=9 are left for other families).
    Loss = 10,
    Optimizer = 11,
    Schedule = 12,
    /// `neurite_core::layers::LAYER_KINDS`.
    LayerKind = 20,
    /// `neurite_core::model::Metric::ABI_NAMES`.
    Metric = 21,
    /// `neurite_core::initializers::Initializer::KIND_NAMES`.
    Initializer = 22,
    /// `neurite_core::layers::rbf::RbfKernel::NAMES`.
    RbfKernel = 23,
    /// `neurite_core::optim::Clip::MODE_NAMES`.
    ClipMode = 24,
    /// Optimizer parameters in ABI order, as `"<optimizer>.<param>"`.
    OptimizerParam = 25,
    /// Loss parameters in ABI order, as `"<loss>.<param>"`.
    LossParam = 26,
    /// Learning-rate schedule parameters in ABI order, as `"<schedule>.<param>"`.
    ScheduleParam = 27,
    /// `neurite_core::losses::Reduction::NAMES`.
    Reduction = 28,
    /// `exports::compression::CODECS`.
    Codec = 29,
    /// `neurite_core::compression::dwt::Wavelet::NAMES`.
    Wavelet = 30,
    /// `neurite_core::constraints::Constraint::KIND_NAMES`, parameters as `"<kind>.<param>"`, options.
    Constraint = 31,
    ConstraintParam = 32,
    ConstraintOption = 33,
    /// Numeric limits the facade checks before calling, as `"<name>=<value>"`
    /// (`neurite_core::compression::dct::LIMITS`).
    Limit = 34,
}

/// Member `id` of the flattened `"<kind>.<param>"` list of `names` × `params`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn param_entry(names: &[&str], params: &[&[&str]], id: u32) -> Option<String> {
    names.iter().zip(params).flat_map(|(k, ps)| ps.iter().map(move |p| format!("{k}.{p}"))).nth(id as usize)
}

/// The name of member `id` of enum family `kind`, left in the last-error buffer (read it with
/// `nr_last_error_ptr`/`_len`). Returns InvalidArgument past the last member.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_enum_name(kind: u32, id: u32) -> i32 {
    let name = match kind {
        0 => Status::ALL.get(id as usize).map(|s| s.name()),
        1 => UnaryOp::from_id(id).map(|o| o.name()),
        2 => BinaryOp::from_id(id).map(|o| o.name()),
        3 => ReduceOp::from_id(id).map(|o| o.name()),
        4 => neurite_core::activations::Activation::KIND_NAMES.get(id as usize).copied(),
        5 => return super::activations::param_name_status(id),
        10 => neurite_core::losses::Loss::KIND_NAMES.get(id as usize).copied(),
        11 => neurite_core::optim::Optimizer::KIND_NAMES.get(id as usize).copied(),
        12 => neurite_core::optim::LrSchedule::KIND_NAMES.get(id as usize).copied(),
        20 => neurite_core::layers::LAYER_KINDS.get(id as usize).copied(),
        21 => neurite_core::model::Metric::ABI_NAMES.get(id as usize).copied(),
        22 => neurite_core::initializers::Initializer::KIND_NAMES.get(id as usize).copied(),
        23 => neurite_core::layers::rbf::RbfKernel::NAMES.get(id as usize).copied(),
        24 => neurite_core::optim::Clip::MODE_NAMES.get(id as usize).copied(),
        28 => neurite_core::losses::Reduction::NAMES.get(id as usize).copied(),
        29 => super::compression::CODECS.get(id as usize).copied(),
        30 => neurite_core::compression::dwt::Wavelet::NAMES.get(id as usize).copied(),
        31 => neurite_core::constraints::Constraint::KIND_NAMES.get(id as usize).copied(),
        33 => neurite_core::constraints::Constraint::OPTIONS.get(id as usize).map(|o| o.0),
        25..=27 | 32 | 34 => {
            use neurite_core::{constraints::Constraint, losses::Loss, optim::LrSchedule, optim::Optimizer};
            let entry = match kind {
                34 => neurite_core::compression::dct::LIMITS.get(id as usize).map(|(n, v)| format!("{n}={v}")),
                25 => param_entry(&Optimizer::KIND_NAMES, &Optimizer::PARAMS, id),
                26 => param_entry(&Loss::KIND_NAMES, &Loss::PARAMS, id),
                32 => param_entry(&Constraint::KIND_NAMES, &Constraint::PARAMS, id),
                _ => param_entry(&LrSchedule::KIND_NAMES, &LrSchedule::PARAMS, id),
            };
            return match entry {
                Some(e) => {
                    LAST_ERROR.set(&e);
                    0
                }
                None => ffi::fail(Error::invalid("enumName", format!("no member {id} in enum kind {kind}"))),
            };
        }
        _ => None,
    };
    match name {
        Some(n) => {
            LAST_ERROR.set(n);
            0
        }
        None => ffi::fail(Error::invalid("enumName", format!("no member {id} in enum kind {kind}"))),
    }
}

/// Panics on purpose, to test the panic path end to end. Never called by the library. It marks
/// itself in a call as every export does (`ffi::guard`), so a panic leaves the phase word set,
/// as a real export's panic does.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_debug_panic(n: u32) -> i32 {
    neurite_core::interrupt::begin_call();
    let v: Vec<u32> = vec![1, 2, 3];
    // Index out of bounds for n >= 3: a real panic with a real message.
    let r = v[n as usize] as i32;
    neurite_core::interrupt::end_call();
    r
}

/// Address of the last-result record `[handle, rank, dims…]` (see `ffi::RESULT_INFO`).
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_result_info_ptr() -> *const u32 {
    crate::ffi::RESULT_INFO.0.get() as *const u32
}

/// Address of the interrupt phase words `[in_call, abandonable, allocating]`
/// (`neurite_core::interrupt`), which TS reads before each call.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_interrupt_state_ptr() -> *const u32 {
    neurite_core::interrupt::state_ptr()
}

/// After JS stopped a call (`in_call` still 1): whether the pool's workers have finished the
/// tasks of the job it left (then the pool is free); 0 means not yet (TS calls again, for a
/// bounded time) or a worker trapped. Not through `guard`: it leaves `in_call` as it is.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_interrupt_settle() -> u32 {
    u32::from(neurite_core::parallel::settle_abandoned())
}

/// After JS stopped a call in an abandonable phase, the pool settled and `__stack_pointer`
/// restored: frees every borrow the call's frames left (the handle table, the models and their
/// layers, the tape, the block list, the GEMM buffers), puts back the models lent to it and
/// clears the phase words. 1 when done; 0 when a layer stayed borrowed (TS replaces the
/// instance). What the call had allocated (its result) stays allocated: a leak, reported by TS.
///
/// TS calls it only when the phase words said the call was abandonable (see
/// `neurite_core::interrupt`): none of the structures was mid-change, only borrowed.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_interrupt_recover() -> u32 {
    if neurite_core::interrupt::STATE.in_call.load(core::sync::atomic::Ordering::SeqCst) == 0 {
        return 1;
    }
    // SAFETY: TS calls this first after a stopped call (in_call is still 1): the borrows left
    // are those of the call's frames, which never run again (see each function's contract).
    let free = unsafe {
        ffi::reset_after_interrupt() & super::tape::reset_after_interrupt() & neurite_core::kernels::matmul::reset_after_interrupt() & handles::reset_after_interrupt()
    };
    neurite_core::interrupt::clear();
    u32::from(free)
}
