//! Shapes: dimensions, sizes, strides and NumPy broadcasting.
//!
//! A shape is a list of dimensions, outermost first; rank 0 (`[]`) is a scalar with one element.
//! Sizes are computed with overflow checks, so an absurd shape is an error, not a wrap-around.

use crate::{Error, Result};
use core::fmt;

/// The largest rank any tensor may have.
pub const MAX_RANK: usize = 32;

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
        let shape = Shape(dims.to_vec());
        shape.checked_size(op)?;
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
        let mut out = vec![0; rank];
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
        Ok(Shape(out))
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
        let e = b(&[2, 3], &[4]).unwrap_err();
        assert_eq!(e.to_string(), "t: shapes [2,3] and [4] cannot be broadcast together");
    }

    #[test]
    fn sizes_and_strides() {
        let s = Shape::from([2, 3, 4]);
        assert_eq!(s.size(), 24);
        assert_eq!(s.strides(), vec![12, 4, 1]);
        assert_eq!(Shape::scalar().size(), 1);
        assert!(Shape::new("t", &[1 << 40, 1 << 40]).is_err());
        assert_eq!(s.axis("t", -1).unwrap(), 2);
        assert!(s.axis("t", 3).is_err());
    }
}
