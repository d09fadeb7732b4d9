//! Reverse-mode automatic differentiation over tensor ops, for user code: custom losses and
//! training loops written with the tensor API (`grad`, `valueAndGrad`, `variableGrads` in TS).
//!
//! While a [`Tape`] is recording, every op appends an [`Entry`]: what ran ([`Recorded`]), its
//! inputs and its output, each with the caller's id (the ABI uses handles). Tensors are
//! copy-on-write, so keeping them costs no copy. [`Tape::gradient`] walks the entries in
//! reverse, calling each op's backward rule (defined next to the op's forward where the op
//! has its own file; element-wise and reduction rules are in [`elementwise`] and [`reduce`])
//! and summing the contributions per id.
//!
//! Models do not use the tape: their layers run forward/backward directly (`layers/`). A
//! model's inference on the tape ([`Recorded::Layers`]) is differentiated with those same
//! layer backward rules, on the caches of the call's own forward (run keeping what backward
//! needs while a tape records) when no other call has run the layers since.

pub mod elementwise;
mod id_map;
pub mod reduce;
mod tape;

pub use tape::{Entry, LayersRecord, Recorded, Step, Sweep, Tape};

use crate::ops::reduce::{reduce as reduce_op, ReduceOp};
use crate::{Result, Shape, Tensor};

/// Sums `g` down to `shape` (the inverse of broadcasting `shape` up to `g`'s shape).
pub fn sum_to(g: Tensor, shape: &Shape) -> Result<Tensor> {
    if g.shape() == shape {
        return Ok(g);
    }
    let (gr, r) = (g.rank(), shape.rank());
    let mut axes = Vec::new();
    for i in 0..gr {
        if i < gr - r {
            axes.push(i as i64);
        } else if shape.dims()[i - (gr - r)] == 1 && g.dims()[i] != 1 {
            axes.push(i as i64);
        }
    }
    let summed = reduce_op(ReduceOp::Sum, &g, &axes, false)?;
    Ok(summed.with_shape(shape.clone()))
}
