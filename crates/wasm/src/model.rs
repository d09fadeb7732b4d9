//! The object behind a model handle: the layer stack, the training state from `compile`, and
//! the current epoch's sample order.

use neurite_core::model::{Sequential, Trainer};

pub struct Model {
    pub net: Sequential,
    pub trainer: Option<Trainer>,
    pub seed: u64,
    /// Per-sample output shape of every layer, filled by build.
    pub layer_shapes: Vec<Vec<usize>>,
    /// Sample order of the current epoch (a seeded shuffle, or 0..n).
    pub order: Vec<u32>,
}

impl Model {
    pub fn new(seed: u64) -> Model {
        Model { net: Sequential::new(seed), trainer: None, seed, layer_shapes: Vec::new(), order: Vec::new() }
    }
}
