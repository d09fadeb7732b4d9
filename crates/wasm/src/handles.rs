//! The generational handle table: every object TS holds is a `u32` handle, never a pointer.
//!
//! A handle packs a slot index (low 20 bits, stored +1 so that 0 is never issued) and the
//! slot's generation (high 12 bits). Freeing a slot bumps its generation, so a stale or
//! double-freed handle is reported as [`Error::InvalidHandle`] and never touches freed memory.

use core::cell::RefCell;
use crate::model::Model;
use neurite_core::{Error, Result, Tensor};

const INDEX_BITS: u32 = 20;
const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;
const GEN_MASK: u32 = (1 << (32 - INDEX_BITS)) - 1;
/// The most objects alive at once.
pub const MAX_LIVE: usize = INDEX_MASK as usize - 1;

/// What a handle can refer to.
pub enum Object {
    Tensor(Tensor),
    Model(Box<Model>),
    /// A perceptron and its weights (`crates/core/src/classic/perceptron.rs`).
    Perceptron(Box<neurite_core::classic::perceptron::Perceptron>),
}

impl Object {
    fn kind(&self) -> &'static str {
        match self {
            Object::Tensor(_) => "tensor",
            Object::Model(_) => "model",
            Object::Perceptron(_) => "perceptron",
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Object::Tensor(t) => t.byte_len(),
            Object::Model(_) => 0,
            Object::Perceptron(p) => p.weights.len() * 4,
        }
    }
}

struct Slot {
    generation: u32,
    object: Option<Object>,
}

/// The slot table with a free list, plus live counters for `memory()`.
#[derive(Default)]
pub struct Handles {
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
    live_tensors: usize,
    tensor_bytes: usize,
}

/// Counters reported by `nr_memory`.
pub struct Stats {
    pub live: usize,
    pub tensors: usize,
    pub tensor_bytes: usize,
}

impl Handles {
    /// Stores an object and returns its handle.
    pub fn insert(&mut self, object: Object) -> Result<u32> {
        let bytes = object.bytes();
        let is_tensor = matches!(object, Object::Tensor(_));
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                if self.slots.len() >= MAX_LIVE {
                    return Err(Error::invalid(
                        "handles",
                        format!("more than {MAX_LIVE} live objects; dispose tensors you no longer need"),
                    ));
                }
                self.slots
                    .try_reserve(1)
                    .map_err(|_| Error::OutOfMemory { op: "handles", bytes: 8 })?;
                self.slots.push(Slot { generation: 0, object: None });
                (self.slots.len() - 1) as u32
            }
        };
        let slot = &mut self.slots[index as usize];
        slot.object = Some(object);
        self.live += 1;
        if is_tensor {
            self.live_tensors += 1;
            self.tensor_bytes += bytes;
        }
        Ok((index + 1) | (slot.generation << INDEX_BITS))
    }

    fn slot(&self, handle: u32) -> Result<&Slot> {
        let index = (handle & INDEX_MASK).wrapping_sub(1) as usize;
        let generation = handle >> INDEX_BITS;
        match self.slots.get(index) {
            Some(s) if s.generation == generation && s.object.is_some() => Ok(s),
            _ => Err(stale(handle)),
        }
    }

    /// The tensor behind `handle`.
    pub fn tensor(&self, handle: u32) -> Result<&Tensor> {
        match self.slot(handle)?.object.as_ref() {
            Some(Object::Tensor(t)) => Ok(t),
            #[allow(unreachable_patterns)]
            Some(o) => Err(wrong_kind(handle, o.kind(), "tensor")),
            None => Err(stale(handle)),
        }
    }

    /// The tensor behind `handle`, mutably (for in-place updates such as optimizer steps;
    /// the size never changes, so the byte counters stay right).
    pub fn tensor_mut(&mut self, handle: u32) -> Result<&mut Tensor> {
        self.slot(handle)?;
        let index = (handle & INDEX_MASK) as usize - 1;
        match self.slots[index].object.as_mut() {
            Some(Object::Tensor(t)) => Ok(t),
            Some(o) => Err(wrong_kind(handle, o.kind(), "tensor")),
            None => Err(stale(handle)),
        }
    }

    /// Frees `handle`, returning its object.
    pub fn remove(&mut self, handle: u32) -> Result<Object> {
        self.slot(handle)?;
        let index = (handle & INDEX_MASK) as usize - 1;
        let slot = &mut self.slots[index];
        let object = slot.object.take().ok_or_else(|| stale(handle))?;
        slot.generation = (slot.generation + 1) & GEN_MASK;
        self.free.push(index as u32);
        self.live -= 1;
        match &object {
            Object::Tensor(t) => {
                self.live_tensors -= 1;
                self.tensor_bytes -= t.byte_len();
            }
            Object::Model(_) | Object::Perceptron(_) => {}
        }
        Ok(object)
    }

    /// Takes the model behind `handle` out of its slot (the handle stays reserved), so that
    /// it can be used together with tensors from the table; [`Handles::put_model`] returns it.
    pub fn take_model(&mut self, handle: u32) -> Result<Box<Model>> {
        let slot = self.slot(handle)?;
        if !matches!(slot.object, Some(Object::Model(_))) {
            let kind = slot.object.as_ref().map(|o| o.kind()).unwrap_or("?");
            return Err(wrong_kind(handle, kind, "model"));
        }
        let index = (handle & INDEX_MASK) as usize - 1;
        match self.slots[index].object.take() {
            Some(Object::Model(m)) => Ok(m),
            _ => Err(stale(handle)),
        }
    }

    /// Puts a model taken with [`Handles::take_model`] back.
    pub fn put_model(&mut self, handle: u32, model: Box<Model>) {
        let index = (handle & INDEX_MASK) as usize - 1;
        if let Some(slot) = self.slots.get_mut(index) {
            slot.object = Some(Object::Model(model));
        }
    }

    /// The perceptron behind `handle`, mutably.
    pub fn perceptron_mut(&mut self, handle: u32) -> Result<&mut neurite_core::classic::perceptron::Perceptron> {
        self.slot(handle)?;
        let index = (handle & INDEX_MASK) as usize - 1;
        match self.slots[index].object.as_mut() {
            Some(Object::Perceptron(p)) => Ok(p),
            Some(o) => Err(wrong_kind(handle, o.kind(), "perceptron")),
            None => Err(stale(handle)),
        }
    }

    pub fn stats(&self) -> Stats {
        Stats { live: self.live, tensors: self.live_tensors, tensor_bytes: self.tensor_bytes }
    }
}

fn stale(handle: u32) -> Error {
    Error::InvalidHandle {
        msg: format!("handle {handle:#x} is not live: it was disposed, or belongs to another instance"),
    }
}

fn wrong_kind(handle: u32, is: &str, want: &str) -> Error {
    Error::InvalidHandle { msg: format!("handle {handle:#x} is a {is}, not a {want}") }
}

thread_local! {
    /// The table. Only the main instance's thread touches handles (workers, later, run kernels).
    static TABLE: RefCell<Handles> = RefCell::new(Handles::default());
}

/// Runs `f` with the table. Exports never nest, so the borrow is never contended.
pub fn with<R>(f: impl FnOnce(&mut Handles) -> R) -> R {
    TABLE.with(|t| f(&mut t.borrow_mut()))
}

/// Runs `f` with the model behind `h` and the rest of the table (for its tensor arguments).
pub fn with_model<R>(h: u32, f: impl FnOnce(&mut Model, &mut Handles) -> Result<R>) -> Result<R> {
    with(|t| {
        let mut m = t.take_model(h)?;
        let r = f(&mut m, t);
        t.put_model(h, m);
        r
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_handles_are_rejected() {
        let mut h = Handles::default();
        let a = h.insert(Object::Tensor(Tensor::scalar(1.0))).unwrap();
        assert_ne!(a, 0);
        assert_eq!(h.tensor(a).unwrap().data(), &[1.0]);
        h.remove(a).unwrap();
        assert!(h.tensor(a).is_err());
        assert!(h.remove(a).is_err());
        let b = h.insert(Object::Tensor(Tensor::scalar(2.0))).unwrap();
        assert_ne!(a, b, "a reused slot gets a new generation");
        assert!(h.tensor(a).is_err());
        assert!(h.tensor(0).is_err());
        assert!(h.tensor(u32::MAX).is_err());
        assert_eq!(h.stats().tensors, 1);
        assert_eq!(h.stats().tensor_bytes, 4);
    }
}
