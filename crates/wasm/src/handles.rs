//! The generational handle table: every object TS holds is a `u32` handle, never a pointer.
//!
//! A handle packs a slot index (low 20 bits, stored +1 so that 0 is never issued) and the
//! slot's generation (high 12 bits). Freeing a slot bumps its generation, so a stale or
//! double-freed handle is reported as [`Error::InvalidHandle`] and never touches freed memory.
//!
//! # Uniqueness
//! - **Within an instance a handle value is not issued twice** (until the 32-bit space is
//!   used up, below). Free slots are reused first-in first-out, and a slot whose generation
//!   would come back to its first value is *retired* instead of reused, so each slot issues
//!   at most 4096 values. A new slot is added when no free slot is left.
//! - **Across instances** the first generation of every slot comes from the salt TS passes to
//!   `nr_init` (its instance id), so the handles of an old instance are, with high
//!   probability, not live handles of a new one. TS rejects them before any call anyway
//!   (tensors remember their instance); the salt is a second line of defence.
//! - **Identity is not a handle value.** Every stored object also gets a 64-bit id, counting up
//!   from 1 and never reused within an instance ([`Handles::id`]). The gradient tape keys on
//!   ids, so it can never mix two tensors that had the same handle at different times.
//!
//! # Limits
//! - At most [`MAX_LIVE`] (2²⁰ − 2) objects alive at once; one more is
//!   [`Error::OutOfHandles`] (status OutOfMemory: the program frees something and goes on).
//! - 2²⁰ − 1 slots × 4096 generations ≈ 4.29·10⁹ handles per instance before values repeat.
//!   When every slot is retired or live, the retired slots are put back in service (a new
//!   cycle); a raw handle number kept across 4.29·10⁹ allocations could then name another
//!   object. TS never keeps raw numbers that long (disposed tensors forget their handle).
//! - A retired slot keeps its few bytes (about 64), so the table grows by one slot per 4096
//!   allocations: 64 MiB after the full 4.29·10⁹.

use crate::model::Model;
use core::cell::{Cell, RefCell};
use neurite_core::{Error, Result, Tensor};
use std::collections::VecDeque;

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
    /// A principal component analysis (`crates/core/src/decomposition/pca.rs`).
    Pca(Box<neurite_core::decomposition::pca::Pca>),
}

impl Object {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        match self {
            Object::Tensor(_) => "tensor",
            Object::Model(_) => "model",
            Object::Perceptron(_) => "perceptron",
            Object::Pca(_) => "pca",
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn bytes(&self) -> usize {
        match self {
            Object::Tensor(t) => t.byte_len(),
            Object::Model(_) => 0,
            Object::Perceptron(p) => p.weights.len() * 4,
            Object::Pca(p) => p.len_f64() * 8,
        }
    }
}

struct Slot {
    generation: u32,
    /// The generation this slot started at (salted); reaching it again retires the slot.
    first: u32,
    /// The id of the object stored now (0 when empty).
    id: u64,
    object: Option<Object>,
    /// A model taken out with [`Handles::take_model`]: the slot is reserved, not free.
    lent: bool,
    /// Where the lent model is (its box's address), to put it back after an abandoned call.
    lent_at: usize,
}

/// The slot table with a FIFO free list, plus live counters for `memory()`.
#[derive(Default)]
pub struct Handles {
    slots: Vec<Slot>,
    free: VecDeque<u32>,
    retired: Vec<u32>,
    salt: u32,
    /// The id of the next stored object (ids start at 1).
    next_id: u64,
    live: usize,
    live_tensors: usize,
    live_models: usize,
    /// While a tape records: the tensors each call reads, as `(id, tensor)`, so that
    /// an output made by an op without a gradient rule knows its inputs (`exports::tape`).
    reads: RefCell<Vec<(u64, Tensor)>>,
    logging: Cell<bool>,
    /// The slot limit, [`MAX_LIVE`] (0 means that; tests lower it).
    max_slots: usize,
    /// By tensor id: the per-sample shapes of the inputs a tensor packs for a graph model whose
    /// input sizes are unknown (null) until each call (`nr_tensor_set_parts`).
    parts: Vec<(u64, Vec<Vec<usize>>)>,
}

/// Counters reported by `nr_memory`.
pub struct Stats {
    pub live: usize,
    pub tensors: usize,
    /// Bytes of the live tensors' buffers, each buffer once (copy-on-write copies share one).
    pub tensor_bytes: usize,
    /// Bytes held by the other objects: models' weights and gradients (a layer shared by
    /// several models, or a nested model, once) and optimizer state, perceptrons and PCAs.
    pub model_bytes: usize,
    /// The live tensors' distinct buffers (TF.js's `numDataBuffers`).
    pub buffers: usize,
}

/// A slot's first generation for `salt` (a bit mixer, so neighbouring salts differ widely).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn first_generation(salt: u32, index: u32) -> u32 {
    let mut x = (u64::from(salt) << 32 | u64::from(index)).wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    ((x ^ (x >> 31)) as u32) & GEN_MASK
}

impl Handles {
    /// An empty table whose handles are salted with `salt` (see the module docs).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn with_salt(salt: u32) -> Handles {
        Handles { salt, ..Handles::default() }
    }

    /// Whether any handle was ever issued (the salt can no longer change).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn is_pristine(&self) -> bool {
        self.slots.is_empty()
    }

    /// Stores an object and returns its handle.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn insert(&mut self, object: Object) -> Result<u32> {
        let index = self.free_slot()?;
        let is_tensor = matches!(object, Object::Tensor(_));
        let is_model = matches!(object, Object::Model(_));
        self.next_id += 1;
        let slot = &mut self.slots[index as usize];
        slot.object = Some(object);
        slot.id = self.next_id;
        self.live += 1;
        self.live_tensors += usize::from(is_tensor);
        self.live_models += usize::from(is_model);
        Ok((index + 1) | (slot.generation << INDEX_BITS))
    }

    /// A free slot index: the oldest free slot, else a new slot, else (once every slot is
    /// live or retired) a retired slot, starting a new cycle of handle values.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn free_slot(&mut self) -> Result<u32> {
        if let Some(i) = self.free.pop_front() {
            return Ok(i);
        }
        let limit = if self.max_slots == 0 { MAX_LIVE } else { self.max_slots };
        if self.slots.len() < limit {
            // Room for this slot in every list it can join, so freeing never allocates.
            let oom = |_| Error::OutOfMemory { op: "handles", bytes: 64 };
            self.slots.try_reserve(1).map_err(oom)?;
            self.free.try_reserve(self.slots.len() + 1 - self.free.len()).map_err(oom)?;
            self.retired.try_reserve(self.slots.len() + 1 - self.retired.len()).map_err(oom)?;
            let index = self.slots.len() as u32;
            let first = first_generation(self.salt, index);
            self.slots.push(Slot { generation: first, first, id: 0, object: None, lent: false, lent_at: 0 });
            return Ok(index);
        }
        if self.retired.is_empty() {
            return Err(Error::OutOfHandles { live: self.live });
        }
        self.free.try_reserve(self.retired.len()).map_err(|_| Error::OutOfMemory { op: "handles", bytes: 4 * self.retired.len() as u64 })?;
        self.free.extend(self.retired.drain(..));
        Ok(self.free.pop_front().unwrap_or(0))
    }

    /// The slot index of a live `handle`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn index(&self, handle: u32) -> Result<usize> {
        let index = (handle & INDEX_MASK).wrapping_sub(1) as usize;
        let generation = handle >> INDEX_BITS;
        match self.slots.get(index) {
            Some(s) if s.generation == generation && (s.object.is_some() || s.lent) => Ok(index),
            _ => Err(stale(handle)),
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn object(&self, handle: u32) -> Result<&Object> {
        let i = self.index(handle)?;
        self.slots[i].object.as_ref().ok_or_else(|| lent(handle))
    }

    /// The unique id of the object behind `handle` (never reused within an instance).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn id(&self, handle: u32) -> Result<u64> {
        let i = self.index(handle)?;
        Ok(self.slots[i].id)
    }

    /// Records the per-sample shapes of the inputs that tensor `handle` packs (see `parts`);
    /// they go with the tensor.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn set_parts(&mut self, handle: u32, parts: Vec<Vec<usize>>) -> Result<()> {
        let i = self.index(handle)?;
        let Some(Object::Tensor(_)) = self.slots[i].object else {
            return Err(Error::invalid("model", format!("handle {handle} is not a tensor")));
        };
        let id = self.slots[i].id;
        self.parts.retain(|(t, _)| *t != id);
        self.parts.push((id, parts));
        Ok(())
    }

    /// The shapes [`Handles::set_parts`] recorded for tensor `handle`, if any.
    pub fn parts(&self, handle: u32) -> Option<&[Vec<usize>]> {
        let id = self.id(handle).ok()?;
        self.parts.iter().find(|(t, _)| *t == id).map(|(_, p)| &p[..])
    }

    /// A new unique id for a value that is not stored (an intermediate on the gradient tape).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn reserve_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The id the next stored object will get.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn next_id(&self) -> u64 {
        self.next_id + 1
    }

    /// The tensor behind `handle`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn tensor(&self, handle: u32) -> Result<&Tensor> {
        let i = self.index(handle)?;
        match self.slots[i].object.as_ref() {
            Some(Object::Tensor(t)) => {
                if self.logging.get() {
                    let mut r = self.reads.borrow_mut();
                    if r.try_reserve(1).is_ok() {
                        r.push((self.slots[i].id, t.clone()));
                    }
                }
                Ok(t)
            }
            Some(o) => Err(wrong_kind(handle, o.kind(), "tensor")),
            None => Err(lent(handle)),
        }
    }

    /// The tensor behind `handle`, mutably (for in-place updates such as optimizer steps;
    /// the size never changes, so the byte counters stay right).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn tensor_mut(&mut self, handle: u32) -> Result<&mut Tensor> {
        let i = self.index(handle)?;
        match self.slots[i].object.as_mut() {
            Some(Object::Tensor(t)) => Ok(t),
            Some(o) => Err(wrong_kind(handle, o.kind(), "tensor")),
            None => Err(lent(handle)),
        }
    }

    /// Frees `handle`, returning its object. A lent model cannot be freed.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn remove(&mut self, handle: u32) -> Result<Object> {
        let index = self.index(handle)?;
        let slot = &mut self.slots[index];
        let object = slot.object.take().ok_or_else(|| lent(handle))?;
        if !self.parts.is_empty() {
            let id = slot.id;
            self.parts.retain(|(t, _)| *t != id);
        }
        let slot = &mut self.slots[index];
        slot.id = 0;
        slot.generation = (slot.generation + 1) & GEN_MASK;
        if slot.generation == slot.first {
            self.retired.push(index as u32);
        } else {
            self.free.push_back(index as u32);
        }
        self.live -= 1;
        match &object {
            Object::Tensor(_) => self.live_tensors -= 1,
            Object::Model(_) => self.live_models -= 1,
            Object::Perceptron(_) | Object::Pca(_) => {}
        }
        Ok(object)
    }

    /// The model behind `handle`, for checks before anything is moved.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn model(&self, handle: u32) -> Result<&Model> {
        match self.object(handle)? {
            Object::Model(m) => Ok(m),
            o => Err(wrong_kind(handle, o.kind(), "model")),
        }
    }

    /// Takes the model behind `handle` out of its slot (the handle stays reserved), so that
    /// it can be used together with tensors from the table; [`Handles::put_model`] returns it.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn take_model(&mut self, handle: u32) -> Result<Box<Model>> {
        self.model(handle)?;
        let index = self.index(handle)?;
        let slot = &mut self.slots[index];
        match slot.object.take() {
            Some(Object::Model(m)) => {
                slot.lent = true;
                slot.lent_at = &*m as *const Model as usize;
                Ok(m)
            }
            other => {
                slot.object = other;
                Err(stale(handle))
            }
        }
    }

    /// Puts a model taken with [`Handles::take_model`] back.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn put_model(&mut self, handle: u32, model: Box<Model>) {
        let index = (handle & INDEX_MASK).wrapping_sub(1) as usize;
        if let Some(slot) = self.slots.get_mut(index) {
            if slot.lent && slot.generation == handle >> INDEX_BITS {
                slot.object = Some(Object::Model(model));
                slot.lent = false;
                slot.lent_at = 0;
            }
        }
    }

    /// The perceptron behind `handle`, mutably.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn perceptron_mut(&mut self, handle: u32) -> Result<&mut neurite_core::classic::perceptron::Perceptron> {
        let i = self.index(handle)?;
        match self.slots[i].object.as_mut() {
            Some(Object::Perceptron(p)) => Ok(p),
            Some(o) => Err(wrong_kind(handle, o.kind(), "perceptron")),
            None => Err(lent(handle)),
        }
    }

    /// The PCA behind `handle`, mutably.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn pca_mut(&mut self, handle: u32) -> Result<&mut neurite_core::decomposition::pca::Pca> {
        let i = self.index(handle)?;
        match self.slots[i].object.as_mut() {
            Some(Object::Pca(p)) => Ok(p),
            Some(o) => Err(wrong_kind(handle, o.kind(), "pca")),
            None => Err(lent(handle)),
        }
    }

    /// `[live objects, live tensors, live models]`: counters kept as objects come and go, so
    /// this is O(1), unlike [`Handles::stats`], which walks every live model for its bytes.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn counts(&self) -> [usize; 3] {
        [self.live, self.live_tensors, self.live_models]
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn stats(&self) -> Stats {
        let mut layers = Vec::new();
        let mut model_bytes = 0;
        // Each buffer once: copy-on-write copies (getWeights, clone) share theirs, as TF.js's
        // clones share a data id and its numBytes counts it once.
        let mut buffers: Vec<(usize, usize)> = Vec::new();
        for object in self.slots.iter().filter_map(|s| s.object.as_ref()) {
            model_bytes += match object {
                Object::Tensor(t) => {
                    buffers.push((t.buffer_id(), t.byte_len()));
                    0
                }
                // A model in use by another call cannot be read; memory() is a call of its own.
                Object::Model(m) => {
                    if let Ok(n) = m.net.try_borrow() {
                        let before = layers.len();
                        if n.layer().param_bytes(&mut layers).is_err() {
                            layers.truncate(before);
                        }
                    }
                    m.trainer.as_ref().map_or(0, |t| t.state_bytes())
                }
                other => other.bytes(),
            };
        }
        model_bytes += neurite_core::model::sequential::unique_param_bytes(&mut layers);
        neurite_core::sort::heapsort_by(&mut buffers, |a, b| a.0 < b.0);
        buffers.dedup_by_key(|b| b.0);
        let tensor_bytes = buffers.iter().map(|b| b.1).sum();
        Stats { live: self.live, tensors: self.live_tensors, tensor_bytes, model_bytes, buffers: buffers.len() }
    }

    /// Turns the read log on (while a tape records) or off (clearing it).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn set_logging(&mut self, on: bool) {
        self.logging.set(on);
        self.reads.get_mut().clear();
    }

    /// The tensors the current call has read (while a tape records), each once, by id.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn reads(&self) -> Vec<(u64, Tensor)> {
        let mut out: Vec<(u64, Tensor)> = Vec::new();
        for (id, t) in self.reads.borrow().iter() {
            if !out.iter().any(|(i, _)| i == id) {
                out.push((*id, t.clone()));
            }
        }
        out
    }
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn stale(handle: u32) -> Error {
    Error::InvalidHandle {
        msg: format!("handle {handle:#x} is not live: it was disposed, or belongs to another instance"),
    }
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn lent(handle: u32) -> Error {
    Error::InvalidHandle { msg: format!("handle {handle:#x} is a model in use by the current call") }
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn wrong_kind(handle: u32, is: &str, want: &str) -> Error {
    Error::InvalidHandle { msg: format!("handle {handle:#x} is a {is}, not a {want}") }
}

thread_local! {
    /// The table. Only the main instance's thread touches handles (workers, later, run kernels).
    static TABLE: RefCell<Handles> = RefCell::new(Handles::default());
}

/// Runs `f` with the table. Exports never nest, so the borrow is never contended.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn with<R>(f: impl FnOnce(&mut Handles) -> R) -> R {
    TABLE.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| f(&mut t.borrow_mut()))
}

/// Sets the salt of a table that has not issued a handle yet; false otherwise.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn set_salt(salt: u32) -> bool {
    with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| {
        if !t.is_pristine() {
            return t.salt == salt;
        }
        t.salt = salt;
        true
    })
}

/// Called at the start of every export: forgets the tensors the previous call read.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn begin_call() {
    TABLE.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| {
        if let Ok(mut t) = t.try_borrow_mut() {
            if t.logging.get() {
                t.reads.get_mut().clear();
            }
        }
    });
}

/// After JS abandoned a call ([`neurite_core::interrupt`]): frees the table, and every model
/// and layer in it, of the borrows the call's frames left, and puts back the models lent to
/// it. Returns whether everything is free afterwards (else the instance must go).
///
/// # Safety
/// Only after an abandoned call, before any other: the `Ref`/`RefMut`s left are those of
/// its frames, which no longer exist and never run again, and a lent model's box was owned
/// by one of them (never dropped), so it is taken back exactly once.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe fn reset_after_interrupt() -> bool {
    TABLE.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| {
        // SAFETY: the caller's contract, for each cell below.
        if !unsafe { neurite_core::interrupt::reset_borrow(t) } {
            return false;
        }
        let mut t = t.borrow_mut();
        // SAFETY: as above (the tape's read list, borrowed by a tensor lookup).
        let mut free = unsafe { neurite_core::interrupt::reset_borrow(&t.reads) };
        for slot in t.slots.iter_mut() {
            if slot.lent && slot.lent_at != 0 {
                // SAFETY: the address of the box take_model lent; its owner frame is gone.
                slot.object = Some(Object::Model(unsafe { Box::from_raw(slot.lent_at as *mut Model) }));
                slot.lent = false;
                slot.lent_at = 0;
            }
        }
        for slot in &t.slots {
            if let Some(Object::Model(m)) = &slot.object {
                // SAFETY: as above (a model's layer stack, borrowed for the call).
                free &= unsafe { neurite_core::interrupt::reset_borrow(&*m.net) };
                // SAFETY: as above (its layers, nested models and graph replay inputs).
                free &= m.net.try_borrow().is_ok_and(|n| unsafe { n.layer().reset_borrows() });
            }
        }
        free
    })
}

/// Runs `f` with the model behind `h` and the rest of the table (for its tensor arguments).
/// The model is always put back, whatever `f` returns.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn with_model<R>(h: u32, f: impl FnOnce(&mut Model, &mut Handles) -> Result<R>) -> Result<R> {
    with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| {
        let mut m = t.take_model(h)?;
        let r = f(&mut m, t);
        t.put_model(h, m);
        r
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn scalar(v: f32) -> Object {
        Object::Tensor(Tensor::scalar(v))
    }

    fn value(h: &Handles, handle: u32) -> Result<f32> {
        h.tensor(handle).map(|t| t.data()[0])
    }

    /// A small deterministic PRNG (SplitMix64), since the workspace takes no crates.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn stale_handles_are_rejected() {
        let mut h = Handles::default();
        let a = h.insert(scalar(1.0)).unwrap();
        assert_ne!(a, 0);
        assert_eq!(value(&h, a).unwrap(), 1.0);
        h.remove(a).unwrap();
        assert!(h.tensor(a).is_err());
        assert!(h.remove(a).is_err());
        let b = h.insert(scalar(2.0)).unwrap();
        assert_ne!(a, b, "a reused slot gets a new generation");
        assert!(h.tensor(a).is_err());
        assert!(h.tensor(0).is_err());
        assert!(h.tensor(u32::MAX).is_err());
        assert_eq!(h.stats().tensors, 1);
        assert_eq!(h.stats().tensor_bytes, 4);
        // A copy-on-write copy shares its buffer: counted once, until the last holder goes.
        let t = neurite_core::Tensor::new("t", neurite_core::Shape::new("t", &[3]).unwrap(), vec![1.0, 2.0, 3.0]).unwrap();
        let c = h.insert(Object::Tensor(t.clone())).unwrap();
        let d = h.insert(Object::Tensor(t)).unwrap();
        assert_eq!((h.stats().tensors, h.stats().tensor_bytes), (3, 4 + 12));
        h.remove(c).unwrap();
        assert_eq!(h.stats().tensor_bytes, 4 + 12);
        h.remove(d).unwrap();
        assert_eq!(h.stats().tensor_bytes, 4);
    }

    /// Random alloc/free/lookup sequences against a model of the table: live handles give
    /// their own value, freed handles are rejected, no handle value and no id is ever issued
    /// twice, ids count up, and the counters match.
    #[test]
    fn random_sequences_match_a_model() {
        for seed in 0..20u64 {
            let mut rng = Rng(seed);
            let mut h = Handles::with_salt(seed as u32);
            h.max_slots = 1 + rng.below(40);
            let mut live: HashMap<u32, (u64, f32)> = HashMap::new();
            let mut order: Vec<u32> = Vec::new();
            let mut dead: Vec<u32> = Vec::new();
            let mut issued: HashSet<u32> = HashSet::new();
            let mut last_id = 0u64;
            for step in 0..20_000 {
                match rng.below(10) {
                    0..=4 => {
                        let v = step as f32;
                        match h.insert(scalar(v)) {
                            Ok(k) => {
                                assert!(issued.insert(k), "seed {seed} step {step}: handle {k:#x} issued twice");
                                let id = h.id(k).unwrap();
                                assert!(id > last_id, "ids count up");
                                last_id = id;
                                live.insert(k, (id, v));
                                order.push(k);
                            }
                            Err(e) => {
                                assert_eq!(live.len(), h.max_slots, "seed {seed}: insert failed below the limit: {e}");
                            }
                        }
                    }
                    5..=7 if !order.is_empty() => {
                        let k = order.swap_remove(rng.below(order.len()));
                        let (id, v) = live.remove(&k).unwrap();
                        assert_eq!(h.id(k).unwrap(), id);
                        let Object::Tensor(t) = h.remove(k).unwrap() else { panic!("not a tensor") };
                        assert_eq!(t.data()[0], v);
                        dead.push(k);
                    }
                    8 if !dead.is_empty() => {
                        let k = dead[rng.below(dead.len())];
                        assert!(h.tensor(k).is_err(), "seed {seed}: freed handle {k:#x} still resolves");
                        assert!(h.remove(k).is_err());
                        assert!(h.id(k).is_err());
                    }
                    _ => {
                        for (&k, &(id, v)) in &live {
                            assert_eq!(value(&h, k).unwrap(), v);
                            assert_eq!(h.id(k).unwrap(), id);
                        }
                    }
                }
                assert_eq!(h.stats().live, live.len());
                assert_eq!(h.stats().tensors, live.len());
                assert_eq!(h.counts(), [live.len(), live.len(), 0]);
            }
        }
    }

    /// One slot reused over and over retires after 4096 values instead of repeating one.
    #[test]
    fn a_slot_retires_before_its_generation_wraps() {
        let mut h = Handles::with_salt(7);
        let mut seen = HashSet::new();
        for i in 0..10_000 {
            let k = h.insert(scalar(i as f32)).unwrap();
            assert!(seen.insert(k), "handle {k:#x} came back after {i} allocations");
            h.remove(k).unwrap();
        }
        assert_eq!(h.slots.len(), 3, "10000 allocations use ceil(10000 / 4096) slots");
    }

    /// When every slot is live or retired, retired slots serve again (a new cycle).
    #[test]
    fn retired_slots_return_when_the_space_is_used_up() {
        let mut h = Handles::with_salt(3);
        h.max_slots = 2;
        let keep = h.insert(scalar(1.0)).unwrap();
        for i in 0..4096 {
            let k = h.insert(scalar(i as f32)).unwrap();
            h.remove(k).unwrap();
        }
        assert_eq!(h.retired.len(), 1);
        let k = h.insert(scalar(5.0)).unwrap();
        assert_eq!(value(&h, k).unwrap(), 5.0);
        assert_eq!(value(&h, keep).unwrap(), 1.0);
        let e = h.insert(scalar(6.0)).unwrap_err();
        assert_eq!(e, Error::OutOfHandles { live: 2 }, "two live objects fill two slots");
        assert_eq!(e.status(), neurite_core::Status::OutOfMemory);
        assert!(e.to_string().starts_with("out of handles: 2 objects (tensors, models, ...) are live"), "{e}");
    }

    #[test]
    fn salts_give_other_handles() {
        let mut a = Handles::with_salt(1);
        let mut b = Handles::with_salt(2);
        let ha = a.insert(scalar(1.0)).unwrap();
        let hb = b.insert(scalar(2.0)).unwrap();
        assert_ne!(ha, hb);
        assert!(b.tensor(ha).is_err(), "a handle of instance 1 is not live in instance 2");
        assert!(a.tensor(hb).is_err());
    }

    #[test]
    fn a_lent_model_keeps_its_slot() {
        let mut h = Handles::default();
        let m = h.insert(Object::Model(Box::new(Model::new(1)))).unwrap();
        assert_eq!(h.counts(), [1, 0, 1]);
        let model = h.take_model(m).unwrap();
        assert_eq!(h.counts(), [1, 0, 1], "a lent model is still live");
        assert!(h.remove(m).is_err(), "a model in use cannot be freed");
        assert!(h.take_model(m).is_err());
        let t = h.insert(scalar(1.0)).unwrap();
        assert_ne!(t & INDEX_MASK, m & INDEX_MASK, "the lent slot is not reused");
        h.put_model(m, model);
        assert!(h.model(m).is_ok());
        assert!(h.remove(m).is_ok());
        assert_eq!(h.stats().live, 1);
        assert_eq!(h.counts(), [1, 1, 0]);
    }
}
