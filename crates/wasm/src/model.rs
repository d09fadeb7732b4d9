//! The object behind a model handle: a shared reference to its layer stack (other models may
//! hold the same `Sequential` as a nested layer), its own training state from `compile`, and
//! the current epoch's sample order.
//!
//! Weights live in the shared `Sequential`, so freeing a handle frees them only when no other
//! model holds them; the trainer and the order are the handle's own.

use core::cell::RefMut;
use neurite_core::model::{LayerRef, Node, Sequential, Trainer};
use neurite_core::{Error, Result};
use std::cell::RefCell;
use std::rc::Rc;

pub struct Model {
    pub net: Rc<RefCell<Node<Sequential>>>,
    pub trainer: Option<Trainer>,
    pub seed: u64,
    /// Sample order of the current epoch (a seeded shuffle, or 0..n).
    pub order: Vec<u32>,
    /// Calls of `apply` with training so far: the step of the next one's random draws.
    pub apply_step: u64,
}

impl Model {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(seed: u64) -> Model {
        Model { net: Rc::new(RefCell::new(Node::new(Sequential::new(seed)))), trainer: None, seed, order: Vec::new(), apply_step: 0 }
    }

    /// A handle of its own on a model another model already holds (same layers and weights).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn sharing(net: Rc<RefCell<Node<Sequential>>>, seed: u64) -> Model {
        Model { net, trainer: None, seed, order: Vec::new(), apply_step: 0 }
    }

    /// The layer stack, borrowed for one call (exports never nest, so it is free).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn seq(&self) -> Result<RefMut<'_, Sequential>> {
        let node = self.net.try_borrow_mut().map_err(|_| Error::Internal { msg: "the model is already in use".into() })?;
        Ok(RefMut::map(node, |n| n.layer_mut()))
    }

    /// The model as a layer, to place in another model.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn as_layer(&self) -> LayerRef {
        self.net.clone()
    }

    /// Borrows the layers and the training state together.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn parts(&mut self) -> Result<(RefMut<'_, Sequential>, &mut Option<Trainer>, &mut Vec<u32>, u64)> {
        let node = self.net.try_borrow_mut().map_err(|_| Error::Internal { msg: "the model is already in use".into() })?;
        Ok((RefMut::map(node, |n| n.layer_mut()), &mut self.trainer, &mut self.order, self.seed))
    }
}
