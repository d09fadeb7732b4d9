//! All `#[no_mangle]` exports, grouped by concept.

pub mod meta;
pub mod ops;
pub mod tensor;
