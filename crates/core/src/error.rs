//! The one error type of the core.
//!
//! Every fallible function returns [`Result`]. User mistakes (bad shapes, bad arguments,
//! absurd sizes) are errors, never panics: on `wasm32-unknown-unknown` a panic is a trap.
//! Each variant maps to a status code of the C ABI ([`Error::status`]), one-to-one but for
//! [`Error::OutOfHandles`] and [`Error::TooLarge`], which share [`Status::OutOfMemory`] (an
//! allocation that cannot be made); the codes are append-only.

use core::fmt;

pub mod number;
pub use number::{js_number, js_numbers, JsNumber};

/// What went wrong. Messages name the operation, the argument and the shapes or values.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// An argument is invalid on its own (a negative dimension, an unknown axis, NaN where a
    /// number is required, ...).
    InvalidArgument { op: &'static str, msg: String },
    /// Two or more shapes do not fit together.
    ShapeMismatch { op: &'static str, msg: String },
    /// A handle is unknown, stale or already freed (raised by the ABI crate).
    InvalidHandle { msg: String },
    /// An allocation failed or a size overflows the address space.
    OutOfMemory { op: &'static str, bytes: u64 },
    /// Every handle is in use: `live` objects (tensors, models, ...) are alive at once, the
    /// most the handle table holds (raised by the ABI crate). Status [`Status::OutOfMemory`]:
    /// the cure is the same, disposing what is no longer needed.
    OutOfHandles { live: usize },
    /// A bug: an invariant of the library did not hold.
    Internal { msg: String },
    /// A computation diverged: a training step's gradient is NaN or infinite (the step is
    /// refused and nothing changes). Not an argument error: the same call with a smaller
    /// learning rate or clipped gradients succeeds.
    NonFinite { op: &'static str, msg: String },
    /// Something the caller asked for would be one tensor beyond what one tensor may hold (a
    /// layer's weights for its input), said with what it is and the fix; no freeing helps.
    /// Status [`Status::OutOfMemory`], as the allocation it stands for.
    TooLarge { op: &'static str, msg: String },
}

/// The result type of the core.
pub type Result<T> = core::result::Result<T, Error>;

/// Status codes of the C ABI; `0` is success. Append-only: never renumber.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok = 0,
    InvalidArgument = 1,
    ShapeMismatch = 2,
    InvalidHandle = 3,
    OutOfMemory = 4,
    Internal = 5,
    /// The instance trapped (a Rust panic); only the TS side reports this one.
    Panic = 6,
    NonFinite = 7,
}

impl Status {
    /// Every status, in code order.
    pub const ALL: [Status; 8] = [
        Status::Ok,
        Status::InvalidArgument,
        Status::ShapeMismatch,
        Status::InvalidHandle,
        Status::OutOfMemory,
        Status::Internal,
        Status::Panic,
        Status::NonFinite,
    ];

    /// The stable name of the status, as the TS facade spells it.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "Ok",
            Status::InvalidArgument => "InvalidArgument",
            Status::ShapeMismatch => "ShapeMismatch",
            Status::InvalidHandle => "InvalidHandle",
            Status::OutOfMemory => "OutOfMemory",
            Status::Internal => "Internal",
            Status::Panic => "Panic",
            Status::NonFinite => "NonFinite",
        }
    }
}

impl Error {
    /// The ABI status code of this error.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn status(&self) -> Status {
        match self {
            Error::InvalidArgument { .. } => Status::InvalidArgument,
            Error::ShapeMismatch { .. } => Status::ShapeMismatch,
            Error::InvalidHandle { .. } => Status::InvalidHandle,
            Error::OutOfMemory { .. } | Error::OutOfHandles { .. } | Error::TooLarge { .. } => Status::OutOfMemory,
            Error::Internal { .. } => Status::Internal,
            Error::NonFinite { .. } => Status::NonFinite,
        }
    }

    /// An [`Error::InvalidArgument`] for `op`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[cold]
    #[inline(never)]
    pub fn invalid(op: &'static str, msg: impl Into<String>) -> Error {
        Error::InvalidArgument { op, msg: msg.into() }
    }

    /// An [`Error::ShapeMismatch`] for `op`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[cold]
    #[inline(never)]
    pub fn shape(op: &'static str, msg: impl Into<String>) -> Error {
        Error::ShapeMismatch { op, msg: msg.into() }
    }

    /// An [`Error::NonFinite`] for `op`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[cold]
    #[inline(never)]
    pub fn non_finite(op: &'static str, msg: impl Into<String>) -> Error {
        Error::NonFinite { op, msg: msg.into() }
    }

    /// This error as raised while `op` checked `what`: an argument or shape error of an inner
    /// operation (say a loss) becomes `{op}: {inner} on {what}: {msg}`, with the same variant,
    /// so that the message names the operation the user called. Other errors are unchanged.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn within(self, op: &'static str, what: &str) -> Error {
        match self {
            Error::InvalidArgument { op: inner, msg } if inner != op => Error::InvalidArgument { op, msg: format!("{inner} on {what}: {msg}") },
            Error::ShapeMismatch { op: inner, msg } if inner != op => Error::ShapeMismatch { op, msg: format!("{inner} on {what}: {msg}") },
            other => other,
        }
    }
}

impl fmt::Display for Error {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // An empty op: the message names where it arose (a layer, `Node::named`) and the
            // caller's method begins it.
            Error::InvalidArgument { op: "", msg } | Error::ShapeMismatch { op: "", msg } | Error::TooLarge { op: "", msg } => write!(f, "{msg}"),
            Error::InvalidArgument { op, msg } | Error::ShapeMismatch { op, msg } | Error::NonFinite { op, msg } | Error::TooLarge { op, msg } => {
                write!(f, "{op}: {msg}")
            }
            Error::InvalidHandle { msg } => write!(f, "{msg}"),
            Error::OutOfMemory { op, bytes } => {
                write!(f, "{op}: out of memory allocating {bytes} bytes")
            }
            Error::OutOfHandles { live } => write!(
                f,
                "out of handles: {live} objects (tensors, models, ...) are live, the most at once (each holds one handle, whatever its size); \
                 dispose() the tensors and models you no longer need, or compute each step inside tidy() (a tensor dropped without dispose() \
                 is freed only when the garbage collector finalizes it: never during a synchronous loop, and in Node often not for a long while in a loop that awaits)"
            ),
            Error::Internal { msg } => write!(f, "internal error (a neurite bug): {msg}"),
        }
    }
}

/// A list of integers (or of shapes) for a message, printed as `{:?}` prints it:
/// `[1, -1, 3]`, `[[2, 3], [4]]`. Debug's list builders (`DebugList`, `PadAdapter`) and the
/// integers' `Debug` (with its hex paths) are then not linked into the wasm: messages use
/// `format!("shape {req}", req = ints(req))`, never `{req:?}`.
pub fn ints<T: IntList + ?Sized>(v: &T) -> Ints<'_> {
    v.ints()
}

/// What [`ints`] prints: one `Display` body for every list type.
#[derive(Clone, Copy)]
pub enum Ints<'a> {
    Usize(&'a [usize]),
    I64(&'a [i64]),
    U32(&'a [u32]),
    Shapes(&'a [Vec<usize>]),
}

/// A list [`ints`] prints: a slice or vector of `usize`, `i64` or `u32`, or of shapes.
pub trait IntList {
    fn ints(&self) -> Ints<'_>;
}

impl IntList for [usize] {
    fn ints(&self) -> Ints<'_> {
        Ints::Usize(self)
    }
}

impl IntList for [i64] {
    fn ints(&self) -> Ints<'_> {
        Ints::I64(self)
    }
}

impl IntList for [u32] {
    fn ints(&self) -> Ints<'_> {
        Ints::U32(self)
    }
}

impl IntList for [Vec<usize>] {
    fn ints(&self) -> Ints<'_> {
        Ints::Shapes(self)
    }
}

impl<T> IntList for Vec<T>
where
    [T]: IntList,
{
    fn ints(&self) -> Ints<'_> {
        self.as_slice().ints()
    }
}

impl fmt::Display for Ints<'_> {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = match *self {
            Ints::Usize(v) => v.len(),
            Ints::I64(v) => v.len(),
            Ints::U32(v) => v.len(),
            Ints::Shapes(v) => v.len(),
        };
        f.write_str("[")?;
        for i in 0..n {
            if i > 0 {
                f.write_str(", ")?;
            }
            match *self {
                Ints::Usize(v) => write!(f, "{}", v[i] as i64)?,
                Ints::I64(v) => write!(f, "{}", v[i])?,
                Ints::U32(v) => write!(f, "{}", i64::from(v[i]))?,
                Ints::Shapes(v) => write!(f, "{}", Ints::Usize(&v[i]))?,
            }
        }
        f.write_str("]")
    }
}

/// Returns early with an [`Error::InvalidArgument`]: `bail!(op, "axis {axis} is out of range")`.
#[macro_export]
macro_rules! bail {
    ($op:expr, $($arg:tt)*) => {
        return Err($crate::Error::invalid($op, format!($($arg)*)))
    };
}

/// Returns early with an [`Error::ShapeMismatch`].
#[macro_export]
macro_rules! bail_shape {
    ($op:expr, $($arg:tt)*) => {
        return Err($crate::Error::shape($op, format!($($arg)*)))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ints` prints what `{:?}` prints, for every list type messages use.
    #[test]
    fn ints_print_as_debug() {
        let u: Vec<usize> = vec![3, 0, usize::MAX >> 1];
        let i: Vec<i64> = vec![-1, 0, i64::MIN, i64::MAX];
        let w: Vec<u32> = vec![u32::MAX, 7];
        let s: Vec<Vec<usize>> = vec![vec![2, 3], vec![], vec![4]];
        assert_eq!(ints(&u).to_string(), format!("{u:?}"));
        assert_eq!(ints(&u[..]).to_string(), format!("{:?}", &u[..]));
        assert_eq!(ints(&i).to_string(), format!("{i:?}"));
        assert_eq!(ints(&w[..]).to_string(), format!("{w:?}"));
        assert_eq!(ints(&s).to_string(), format!("{s:?}"));
        assert_eq!(ints(&Vec::<i64>::new()).to_string(), "[]");
        assert_eq!(ints(&[7usize][..]).to_string(), "[7]");
    }

    #[test]
    fn messages_name_the_op() {
        let e = Error::shape("matMul", "inner dimensions differ: a is [2,3], b is [4,5]");
        assert_eq!(e.to_string(), "matMul: inner dimensions differ: a is [2,3], b is [4,5]");
        assert_eq!(e.status(), Status::ShapeMismatch);
        let e = Error::OutOfMemory { op: "zeros", bytes: 1 << 40 };
        assert!(e.to_string().contains("1099511627776 bytes"));
    }

    #[test]
    fn within_names_the_caller_and_keeps_the_variant() {
        let e = Error::shape("meanSquaredError", "targets of shape [8,2] do not match predictions of shape [8,1]").within("fit", "y");
        assert_eq!(e.to_string(), "fit: meanSquaredError on y: targets of shape [8,2] do not match predictions of shape [8,1]");
        assert_eq!(e.status(), Status::ShapeMismatch);
        let e = Error::invalid("hinge", "target[1] = 0").within("evaluate", "y");
        assert_eq!((e.to_string().as_str(), e.status()), ("evaluate: hinge on y: target[1] = 0", Status::InvalidArgument));
        // Already the caller's own error, or not an argument error: unchanged.
        assert_eq!(Error::invalid("fit", "x").within("fit", "y").to_string(), "fit: x");
        assert_eq!(Error::OutOfMemory { op: "zeros", bytes: 4 }.within("fit", "y").to_string(), "zeros: out of memory allocating 4 bytes");
    }

    #[test]
    fn status_codes_are_dense_and_named() {
        for (i, s) in Status::ALL.iter().enumerate() {
            assert_eq!(*s as i32, i as i32);
            assert!(!s.name().is_empty());
        }
    }
}
