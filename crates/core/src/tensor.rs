//! The dense `f32` tensor: a [`Shape`] and a row-major buffer of exactly `shape.size()` values.
//!
//! This file is deliberately small: operations live in `ops/`, one file per concept.
//!
//! The values are shared copy-on-write (`Arc`): `clone` and reshapes are O(1), and a write
//! through [`Tensor::data_mut`] copies only when the buffer is shared.

use crate::{Error, Result, Shape};
use core::mem::ManuallyDrop;
use std::sync::Arc;

/// A dense, row-major `f32` tensor of any rank (rank 0 is a scalar).
// The fields are dropped by `Drop::drop`, one out-of-line function: the drop glue of two
// fields (the shape's buffer, the Arc's count and its slow path) was inlined at each of the
// places a tensor is dropped (333 calls of the Arc's slow path): -14.0 kB raw, -3.9 kB gzipped.
#[derive(Clone, PartialEq)]
pub struct Tensor {
    shape: ManuallyDrop<Shape>,
    data: ManuallyDrop<Arc<Vec<f32>>>,
}

impl core::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tensor").field("shape", &*self.shape).field("data", &*self.data).finish()
    }
}

impl Drop for Tensor {
    #[inline(never)]
    fn drop(&mut self) {
        // SAFETY: the fields are dropped here only, once; `into_parts` forgets the tensor
        // after taking them.
        unsafe {
            ManuallyDrop::drop(&mut self.shape);
            ManuallyDrop::drop(&mut self.data);
        }
    }
}

/// Allocates `n` zeroed floats, or returns [`Error::OutOfMemory`] instead of aborting.
pub fn alloc(op: &'static str, n: usize) -> Result<Vec<f32>> {
    let mut v: Vec<f32> = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| Error::OutOfMemory { op, bytes: (n as u64).saturating_mul(4) })?;
    v.resize(n, 0.0);
    Ok(v)
}

/// `n` copies of `value` (any element type: indices, counts, f64 sums), or
/// [`Error::OutOfMemory`] instead of aborting. The fallible `vec![value; n]`.
pub fn try_vec<T: Clone>(op: &'static str, n: usize, value: T) -> Result<Vec<T>> {
    let mut v: Vec<T> = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| Error::OutOfMemory { op, bytes: (n as u64).saturating_mul(core::mem::size_of::<T>() as u64) })?;
    v.resize(n, value);
    Ok(v)
}

/// A copy of `src`, or [`Error::OutOfMemory`]. The fallible `src.to_vec()`.
pub fn copy_of<T: Clone>(op: &'static str, src: &[T]) -> Result<Vec<T>> {
    let mut v: Vec<T> = Vec::new();
    v.try_reserve_exact(src.len())
        .map_err(|_| Error::OutOfMemory { op, bytes: (src.len() as u64).saturating_mul(core::mem::size_of::<T>() as u64) })?;
    v.extend_from_slice(src);
    Ok(v)
}

/// The items of `it` (at most `n` of them) collected into a vector reserved fallibly. The
/// fallible `collect()` for user-sized data.
pub fn collect_n<T>(op: &'static str, n: usize, it: impl IntoIterator<Item = T>) -> Result<Vec<T>> {
    let mut v: Vec<T> = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| Error::OutOfMemory { op, bytes: (n as u64).saturating_mul(core::mem::size_of::<T>() as u64) })?;
    v.extend(it.into_iter().take(n));
    Ok(v)
}

/// An empty buffer with room for `n` floats, to be filled by `extend` (no zero-fill first), or
/// [`Error::OutOfMemory`].
pub fn alloc_empty(op: &'static str, n: usize) -> Result<Vec<f32>> {
    let mut v: Vec<f32> = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| Error::OutOfMemory { op, bytes: (n as u64).saturating_mul(4) })?;
    Ok(v)
}

impl Tensor {
    fn from_parts(shape: Shape, data: Arc<Vec<f32>>) -> Tensor {
        Tensor { shape: ManuallyDrop::new(shape), data: ManuallyDrop::new(data) }
    }

    /// The shape and the values, moved out (a tensor's fields are dropped by its `Drop`).
    fn into_parts(self) -> (Shape, Arc<Vec<f32>>) {
        let mut t = ManuallyDrop::new(self);
        // SAFETY: each field is taken once, and `t` is never dropped.
        unsafe { (ManuallyDrop::take(&mut t.shape), ManuallyDrop::take(&mut t.data)) }
    }

    /// A tensor from a shape and its values; the value count must equal the shape's size.
    pub fn new(op: &'static str, shape: Shape, data: Vec<f32>) -> Result<Tensor> {
        let n = shape.checked_size(op)?;
        if data.len() != n {
            return Err(Error::shape(
                op,
                format!(
                    "{} values do not fill shape {shape}, which needs {n}",
                    data.len()
                ),
            ));
        }
        Ok(Tensor::from_parts(shape, Arc::new(data)))
    }

    /// A tensor of zeros.
    pub fn zeros(op: &'static str, shape: Shape) -> Result<Tensor> {
        let n = shape.checked_size(op)?;
        Ok(Tensor::from_parts(shape, Arc::new(alloc(op, n)?)))
    }

    /// A tensor filled with `value`.
    pub fn full(op: &'static str, shape: Shape, value: f32) -> Result<Tensor> {
        let mut t = Tensor::zeros(op, shape)?;
        t.data_mut().fill(value);
        Ok(t)
    }

    /// A rank-0 tensor.
    pub fn scalar(v: f32) -> Tensor {
        Tensor::from_parts(Shape::scalar(), Arc::new(vec![v]))
    }

    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    pub fn dims(&self) -> &[usize] {
        self.shape.dims()
    }

    pub fn rank(&self) -> usize {
        self.shape.rank()
    }

    pub fn size(&self) -> usize {
        self.data.len()
    }

    pub fn data(&self) -> &[f32] {
        &self.data
    }

    /// Mutable values; copies them first if another tensor shares the buffer. That copy is an
    /// infallible allocation: where the tensor may be shared (a layer's input, a weight the
    /// user also holds), use [`Tensor::try_data_mut`].
    pub fn data_mut(&mut self) -> &mut [f32] {
        Arc::make_mut(&mut self.data).as_mut_slice()
    }

    /// Mutable values; if another tensor shares the buffer, copies it first with a fallible
    /// allocation ([`Error::OutOfMemory`] for `op` instead of an abort).
    pub fn try_data_mut(&mut self, op: &'static str) -> Result<&mut [f32]> {
        if Arc::get_mut(&mut self.data).is_none() {
            *self.data = Arc::new(copy_of(op, &self.data)?);
        }
        Ok(Arc::make_mut(&mut self.data).as_mut_slice())
    }

    /// Whether no other tensor shares the values (a write will not copy them).
    pub fn is_unique(&mut self) -> bool {
        Arc::get_mut(&mut self.data).is_some()
    }

    /// Whether `other` shares this tensor's buffer (a copy-on-write clone never written since).
    pub fn same_values(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.data, &other.data)
    }

    /// The address of the values' buffer: equal for tensors that share it (see [`Tensor::same_values`]).
    pub fn buffer_id(&self) -> usize {
        Arc::as_ptr(&self.data) as usize
    }

    /// Bytes held by the values.
    pub fn byte_len(&self) -> usize {
        self.data.len() * 4
    }

    /// The same values under a new shape of equal size (the caller checked the size).
    pub fn with_shape(self, shape: Shape) -> Tensor {
        debug_assert_eq!(shape.size(), self.data.len());
        Tensor::from_parts(shape, self.into_parts().1)
    }

    pub fn into_data(self) -> Vec<f32> {
        Arc::try_unwrap(self.into_parts().1).unwrap_or_else(|shared| (*shared).clone())
    }

    /// The values, copied with a fallible allocation if they are shared.
    pub fn try_into_data(self, op: &'static str) -> Result<Vec<f32>> {
        match Arc::try_unwrap(self.into_parts().1) {
            Ok(v) => Ok(v),
            Err(shared) => copy_of(op, &shared),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_count_must_match() {
        let e = Tensor::new("tensor", Shape::from([2, 3]), vec![0.0; 5]).unwrap_err();
        assert_eq!(e.to_string(), "tensor: 5 values do not fill shape [2,3], which needs 6");
        let s = Tensor::scalar(3.0);
        assert_eq!((s.rank(), s.size()), (0, 1));
    }

    #[test]
    fn fallible_allocations_report_out_of_memory() {
        // Far past any address space: an error naming the op and the bytes, not an abort.
        let e = try_vec("kmeans", usize::MAX / 8, 0f64).unwrap_err();
        assert_eq!(e.status(), crate::Status::OutOfMemory);
        assert!(e.to_string().starts_with("kmeans: out of memory allocating"), "{e}");
        assert!(alloc("t", usize::MAX / 2).is_err());
        assert!(alloc_empty("t", usize::MAX / 2).is_err());
        assert_eq!(copy_of("t", &[1u32, 2]).unwrap(), [1, 2]);
        assert_eq!(collect_n("t", 3, (0..10).map(|i| i * 2)).unwrap(), [0, 2, 4]);
        // try_data_mut copies a shared buffer (and leaves the other tensor as it was).
        let a = Tensor::new("t", Shape::from([2]), vec![1.0, 2.0]).unwrap();
        let mut b = a.clone();
        assert!(!b.is_unique());
        b.try_data_mut("t").unwrap()[0] = 5.0;
        assert_eq!((a.data(), b.data()), (&[1.0, 2.0][..], &[5.0, 2.0][..]));
        assert!(b.is_unique());
        assert_eq!(a.clone().try_into_data("t").unwrap(), [1.0, 2.0]);
    }

    #[test]
    fn absurd_sizes_are_errors() {
        let e = Tensor::zeros("zeros", Shape::from([usize::MAX / 2, 4])).unwrap_err();
        assert_eq!(e.status(), crate::Status::OutOfMemory);
    }
}
