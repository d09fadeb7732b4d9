//! Shapes: dimensions, sizes, strides and NumPy broadcasting.
//!
//! A shape is a list of dimensions, outermost first; rank 0 (`[]`) is a scalar with one element.
//! Sizes are computed with overflow checks, so an absurd shape is an error, not a wrap-around.
//!
//! # Invariants of a [`Shape::new`] shape
//! - every dimension is at most [`MAX_DIM`] (the ABI hands dimensions to JS as `u32`);
//! - the product of the dimensions *with zeros counted as 1* fits the address space in bytes,
//!   so every partial product of a valid shape (`outer`, `inner`, strides) fits a `usize`, even
//!   for a zero-size tensor like `[0, 2³¹, 2³¹]`.
//!
//! Shape arithmetic (a tiled or concatenated dimension, an inferred `-1`, an index count) goes
//! through [`dim_mul`], [`dim_add`] and [`dim_from_i64`]: an overflow is an error naming the
//! op, never a saturated or wrapped dimension.

use crate::{Error, Result};
use core::fmt;

/// The largest rank any tensor may have.
pub const MAX_RANK: usize = 32;

/// The largest dimension: the ABI returns dimensions to JS as `u32`.
pub const MAX_DIM: usize = u32::MAX as usize;

/// The error of an overflowing shape computation.
fn overflow(op: &'static str, what: core::fmt::Arguments<'_>) -> Error {
    Error::invalid(op, format!("{what} overflows: a dimension must be at most {MAX_DIM}"))
}

/// `a · b` for a dimension, or an error if it exceeds [`MAX_DIM`]; `what` names the computation
/// in the message (e.g. "the output dimension 1 (3 × reps[1] = 2147483647)").
pub fn dim_mul(op: &'static str, a: usize, b: usize, what: impl FnOnce() -> String) -> Result<usize> {
    match a.checked_mul(b) {
        Some(v) if v <= MAX_DIM => Ok(v),
        _ => Err(overflow(op, format_args!("{} = {a} × {b}", what()))),
    }
}

/// `a + b` for a dimension, or an error if it exceeds [`MAX_DIM`].
pub fn dim_add(op: &'static str, a: usize, b: usize, what: impl FnOnce() -> String) -> Result<usize> {
    match a.checked_add(b) {
        Some(v) if v <= MAX_DIM => Ok(v),
        _ => Err(overflow(op, format_args!("{} = {a} + {b}", what()))),
    }
}

/// A non-negative `i64` from the ABI as a dimension, or an error naming `what` (never a
/// truncating `as usize`, which on wasm32 maps 2³² + 6 to 6).
pub fn dim_from_i64(op: &'static str, v: i64, what: impl FnOnce() -> String) -> Result<usize> {
    if v < 0 {
        return Err(Error::invalid(op, format!("{} = {v} is negative", what())));
    }
    match usize::try_from(v) {
        Ok(d) if d <= MAX_DIM => Ok(d),
        _ => Err(overflow(op, format_args!("{} = {v}", what()))),
    }
}

/// The product of `dims` as a dimension count, or an error (for sizes of index lists etc.).
pub fn dims_product(op: &'static str, dims: &[usize]) -> Result<usize> {
    let mut n: usize = 1;
    for &d in dims {
        n = n.checked_mul(d).ok_or(Error::OutOfMemory { op, bytes: u64::MAX })?;
    }
    Ok(n)
}

/// The dimensions of a tensor, outermost first.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Shape(Vec<usize>);

impl Shape {
    /// A shape from its dimensions, checking the rank and that the element count fits in memory.
    pub fn new(op: &'static str, dims: &[usize]) -> Result<Shape> {
        if dims.len() > MAX_RANK {
            return Err(Error::invalid(
                op,
                format!("rank {} exceeds the maximum rank {MAX_RANK}", dims.len()),
            ));
        }
        if let Some(i) = dims.iter().position(|&d| d > MAX_DIM) {
            return Err(Error::invalid(
                op,
                format!("dimension {i} of shape {} is more than the largest dimension {MAX_DIM}", Shape(dims.to_vec())),
            ));
        }
        let shape = Shape(dims.to_vec());
        shape.checked_size(op)?;
        // Partial products must fit too, also when a zero makes the size 0.
        let mut n: u64 = 1;
        for &d in dims {
            n = n.checked_mul(d.max(1) as u64).filter(|&n| n <= isize::MAX as u64 / 4).ok_or_else(|| {
                Error::invalid(op, format!("shape {shape} is too large: the product of its non-zero dimensions overflows"))
            })?;
        }
        Ok(shape)
    }

    /// The shape of a scalar: rank 0, one element.
    pub fn scalar() -> Shape {
        Shape(Vec::new())
    }

    /// The dimensions.
    pub fn dims(&self) -> &[usize] {
        &self.0
    }

    /// The number of dimensions.
    pub fn rank(&self) -> usize {
        self.0.len()
    }

    /// The number of elements (1 for a scalar). Valid shapes never overflow.
    pub fn size(&self) -> usize {
        self.0.iter().product()
    }

    /// The number of elements, or an out-of-memory error if it or its byte size overflows.
    pub fn checked_size(&self, op: &'static str) -> Result<usize> {
        let mut n: u64 = 1;
        for &d in &self.0 {
            n = n.checked_mul(d as u64).ok_or(Error::OutOfMemory { op, bytes: u64::MAX })?;
        }
        let bytes = n.checked_mul(4).ok_or(Error::OutOfMemory { op, bytes: u64::MAX })?;
        if bytes > isize::MAX as u64 {
            return Err(Error::OutOfMemory { op, bytes });
        }
        Ok(n as usize)
    }

    /// Row-major strides in elements.
    pub fn strides(&self) -> Vec<usize> {
        let mut s = vec![1; self.0.len()];
        for i in (0..self.0.len().saturating_sub(1)).rev() {
            s[i] = s[i + 1] * self.0[i + 1];
        }
        s
    }

    /// Resolves a possibly negative axis (`-1` is the last) against this rank.
    pub fn axis(&self, op: &'static str, axis: i64) -> Result<usize> {
        let r = self.rank() as i64;
        let a = if axis < 0 { axis + r } else { axis };
        if a < 0 || a >= r.max(0) {
            return Err(Error::invalid(
                op,
                format!("axis {axis} is out of range for a tensor of rank {r} (shape {self})"),
            ));
        }
        Ok(a as usize)
    }

    /// The broadcast of two shapes under NumPy rules (trailing dimensions aligned; a 1 stretches).
    pub fn broadcast(op: &'static str, a: &Shape, b: &Shape) -> Result<Shape> {
        let rank = a.rank().max(b.rank());
        // The dims on the stack (Shape::new copies them): one allocation per call, not two.
        let mut buf = [0; MAX_RANK];
        let mut heap = Vec::new();
        let out: &mut [usize] = match buf.get_mut(..rank) {
            Some(out) => out,
            None => {
                heap.resize(rank, 0);
                &mut heap
            }
        };
        for i in 0..rank {
            let da = dim_from_end(a, rank - 1 - i);
            let db = dim_from_end(b, rank - 1 - i);
            out[i] = match (da, db) {
                (x, y) if x == y => x,
                (1, y) => y,
                (x, 1) => x,
                _ => {
                    return Err(Error::shape(
                        op,
                        format!("shapes {a} and {b} cannot be broadcast together"),
                    ))
                }
            };
        }
        // [1, n] with [n, 1] is [n, n]: the broadcast of two valid shapes can be too large.
        Shape::new(op, out)
    }
}

/// The dimension `k` places from the end (0 is the last), or 1 past the front.
fn dim_from_end(s: &Shape, k: usize) -> usize {
    if k < s.rank() {
        s.0[s.rank() - 1 - k]
    } else {
        1
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[")?;
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                write!(f, ",")?;
            }
            write!(f, "{d}")?;
        }
        write!(f, "]")
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl From<&[usize]> for Shape {
    fn from(d: &[usize]) -> Shape {
        Shape(d.to_vec())
    }
}

impl<const N: usize> From<[usize; N]> for Shape {
    fn from(d: [usize; N]) -> Shape {
        Shape(d.to_vec())
    }
}

impl From<Vec<usize>> for Shape {
    fn from(d: Vec<usize>) -> Shape {
        Shape(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_follows_numpy() {
        let b = |x: &[usize], y: &[usize]| Shape::broadcast("t", &x.into(), &y.into());
        assert_eq!(b(&[2, 3], &[3]).unwrap(), Shape::from([2, 3]));
        assert_eq!(b(&[4, 1, 3], &[5, 1]).unwrap(), Shape::from([4, 5, 3]));
        assert_eq!(b(&[], &[2]).unwrap(), Shape::from([2]));
        assert_eq!(b(&[0, 3], &[1, 3]).unwrap(), Shape::from([0, 3]));
        let big = 1usize << 31;
        let e = b(&[1, big], &[big, 1]).unwrap_err();
        assert_eq!(e.status(), crate::Status::OutOfMemory, "{e}");
        let e = b(&[2, 3], &[4]).unwrap_err();
        assert_eq!(e.to_string(), "t: shapes [2,3] and [4] cannot be broadcast together");
        // Ranks past MAX_RANK (only unchecked `From` shapes have them) take the heap path and
        // get Shape::new's error, not a panic.
        let long = vec![1; MAX_RANK + 1];
        let e = b(&long, &[2]).unwrap_err();
        assert_eq!(e.to_string(), format!("t: rank {} exceeds the maximum rank {MAX_RANK}", MAX_RANK + 1));
        let mut full = vec![1; MAX_RANK];
        full[MAX_RANK - 1] = 2;
        assert_eq!(b(&vec![1; MAX_RANK], &[2]).unwrap().dims(), &full[..]);
    }

    #[test]
    fn sizes_and_strides() {
        let s = Shape::from([2, 3, 4]);
        assert_eq!(s.size(), 24);
        assert_eq!(s.strides(), vec![12, 4, 1]);
        assert_eq!(Shape::scalar().size(), 1);
        assert!(Shape::new("t", &[1 << 40, 1 << 40]).is_err());
        assert!(Shape::new("t", &[0, MAX_DIM, MAX_DIM]).is_err(), "partial products overflow");
        assert!(Shape::new("t", &[0, MAX_DIM]).is_ok());
        let e = Shape::new("t", &[0, MAX_DIM + 1]).unwrap_err();
        assert_eq!(e.to_string(), "t: dimension 1 of shape [0,4294967296] is more than the largest dimension 4294967295");
        assert_eq!(s.axis("t", -1).unwrap(), 2);
        assert!(s.axis("t", 3).is_err());
    }

    #[test]
    fn dimension_arithmetic_is_checked() {
        assert_eq!(dim_mul("t", 3, 4, || "x".into()).unwrap(), 12);
        let e = dim_mul("tile", 3, (1 << 31) - 1, || "output dimension 1".into()).unwrap_err();
        assert_eq!(e.to_string(), "tile: output dimension 1 = 3 × 2147483647 overflows: a dimension must be at most 4294967295");
        assert!(dim_mul("t", usize::MAX, 2, || "x".into()).is_err());
        assert!(dim_add("t", MAX_DIM, 1, || "x".into()).is_err());
        assert_eq!(dim_add("t", MAX_DIM - 1, 1, || "x".into()).unwrap(), MAX_DIM);
        assert!(dim_from_i64("t", (1 << 32) + 6, || "shape[0]".into()).unwrap_err().to_string().contains("shape[0] = 4294967302 overflows"));
        assert!(dim_from_i64("t", -2, || "shape[0]".into()).unwrap_err().to_string().contains("shape[0] = -2 is negative"));
        assert!(dims_product("t", &[usize::MAX, 2]).is_err());
    }
}
