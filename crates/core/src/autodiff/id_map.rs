//! [`IdMap`]: the tape's id sets and gradients, keyed by tensor id.
//!
//! An open-addressing hash table (linear probing, Fibonacci hashing, deletion by backward
//! shift), so every operation is O(1) whatever order the ids come in: a reverse sweep visits
//! ids from the largest down, and a sorted vector shifted its tail on every insert there
//! (O(n²) over a tape of n entries: 13 s for 160k entries). Not std's `HashMap`, whose hashing
//! code the wasm would then carry (hashbrown + SipHash: ~6 kB); ids are not attacker-chosen
//! keys, so a multiplicative hash is enough.

/// A map from tensor ids (see the module docs).
#[derive(Clone)]
pub(super) struct IdMap<T> {
    /// A power of two in length (or empty); at most half full.
    slots: Vec<Option<(u64, T)>>,
    len: usize,
}

impl<T> Default for IdMap<T> {
    fn default() -> Self {
        IdMap { slots: Vec::new(), len: 0 }
    }
}

impl IdMap<()> {
    pub(super) fn from_ids(ids: &[u64]) -> Self {
        let mut m = IdMap::default();
        for &id in ids {
            m.insert(id, ());
        }
        m
    }
}

impl<T> IdMap<T> {
    /// The slot `id` hashes to.
    fn home(&self, id: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        // The top `bits` bits of id·φ·2⁶⁴: consecutive ids spread over the table.
        (id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
    }

    /// `Ok(slot)` holding `id`, or `Err(slot)`: the empty slot where it would go. The table
    /// must not be empty.
    fn find(&self, id: u64) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(id);
        loop {
            match &self.slots[i] {
                None => return Err(i),
                Some((k, _)) if *k == id => return Ok(i),
                Some(_) => i = (i + 1) & mask,
            }
        }
    }

    fn slot(&self, id: u64) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        self.find(id).ok()
    }

    pub(super) fn contains(&self, id: u64) -> bool {
        self.slot(id).is_some()
    }

    pub(super) fn get(&self, id: u64) -> Option<&T> {
        let i = self.slot(id)?;
        self.slots[i].as_ref().map(|(_, v)| v)
    }

    pub(super) fn get_mut(&mut self, id: u64) -> Option<&mut T> {
        let i = self.slot(id)?;
        self.slots[i].as_mut().map(|(_, v)| v)
    }

    pub(super) fn insert(&mut self, id: u64, v: T) {
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        match self.find(id) {
            Ok(i) => self.slots[i] = Some((id, v)),
            Err(i) => {
                self.slots[i] = Some((id, v));
                self.len += 1;
            }
        }
    }

    pub(super) fn remove(&mut self, id: u64) -> Option<T> {
        let mut hole = self.slot(id)?;
        let (_, v) = self.slots[hole].take()?;
        self.len -= 1;
        // Backward shift: move each later entry of the probe run into the hole when the hole
        // lies on its probe path (cyclically in [home, its slot)), so no lookup stops early.
        let mask = self.slots.len() - 1;
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let Some((k, _)) = &self.slots[j] else { break };
            let h = self.home(*k);
            let stays = if hole <= j { hole < h && h <= j } else { hole < h || h <= j };
            if !stays {
                self.slots[hole] = self.slots[j].take();
                hole = j;
            }
        }
        Some(v)
    }

    /// Doubles the table (at least 8 slots) and re-inserts every entry.
    fn grow(&mut self) {
        let n = (self.slots.len() * 2).max(8);
        let old = core::mem::replace(&mut self.slots, (0..n).map(|_| None).collect());
        for (id, v) in old.into_iter().flatten() {
            let Err(i) = self.find(id) else { unreachable!("an id appears once") };
            self.slots[i] = Some((id, v));
        }
    }

    /// The entries, in no particular order (tests).
    #[cfg(test)]
    fn entries(&self) -> impl Iterator<Item = (u64, &T)> {
        self.slots.iter().flatten().map(|(k, v)| (*k, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_a_btree_map() {
        // Random inserts, overwrites and removals over a small id range (so ids repeat, and
        // probe runs wrap and collide).
        let mut ids = vec![0u32; 20000];
        crate::rng::fill_u32(9, 0, 0, &mut ids);
        let mut m: IdMap<u32> = IdMap::default();
        let mut reference = std::collections::BTreeMap::new();
        for (step, &r) in ids.iter().enumerate() {
            let id = u64::from(r % 97) << 40 | u64::from(r % 5);
            if r % 3 == 0 {
                assert_eq!(m.remove(id), reference.remove(&id), "step {step}");
            } else {
                m.insert(id, r);
                reference.insert(id, r);
            }
            assert_eq!(m.contains(id), reference.contains_key(&id));
            assert_eq!(m.get(id), reference.get(&id));
            assert_eq!(m.len, reference.len());
        }
        let mut all: Vec<(u64, u32)> = m.entries().map(|(k, v)| (k, *v)).collect();
        all.sort_unstable();
        assert_eq!(all, reference.into_iter().collect::<Vec<_>>());
        // Every id still found after the removals (no probe run broken by a hole).
        for (k, v) in &all {
            assert_eq!(m.get(*k), Some(v));
        }
    }

    #[test]
    fn dense_ids_in_any_order() {
        // The sweep's pattern: ids from the largest down, each removed soon after.
        let mut m: IdMap<u64> = IdMap::default();
        for id in (0..50_000u64).rev() {
            m.insert(id, id * 2);
            if id % 2 == 0 {
                assert_eq!(m.remove(id + 1), Some(id * 2 + 2));
            }
        }
        assert_eq!(m.len, 25_000);
        assert!((0..50_000u64).all(|id| m.contains(id) == (id % 2 == 0)));
        assert!(!m.contains(u64::MAX));
        assert_eq!(IdMap::<u8>::default().get(3), None);
        let mut empty = IdMap::<u8>::default();
        assert_eq!(empty.remove(3), None);
        assert!(empty.get_mut(3).is_none());
    }
}
