//! A generation-checked slab: the handle a C caller holds is
//! `(generation << 32) | slot index`, and a slot's generation changes every
//! time it is freed, so a stale handle can never reach a newer occupant.

/// A slab of values addressed by generation-checked `u64` handles. 0 is never
/// a valid handle: generations start at 1.
#[derive(Debug)]
pub struct HandleTable<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    live: usize,
}

#[derive(Debug)]
struct Slot<T> {
    generation: u32,
    value: Option<T>,
}

/// The largest slot count; beyond it `insert` fails instead of growing.
pub const MAX_SLOTS: usize = 1 << 20;

impl<T> HandleTable<T> {
    /// An empty table (usable in a `static`).
    pub const fn new() -> Self {
        HandleTable {
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
        }
    }

    /// Stores `value` and returns its handle, or gives `value` back when the
    /// table is full.
    pub fn insert(&mut self, value: T) -> Result<u64, T> {
        let index = match self.free.pop() {
            Some(i) => i,
            None if self.slots.len() < MAX_SLOTS => {
                self.slots.push(Slot {
                    generation: 1,
                    value: None,
                });
                (self.slots.len() - 1) as u32
            }
            None => return Err(value),
        };
        let slot = &mut self.slots[index as usize];
        slot.value = Some(value);
        self.live += 1;
        Ok(encode(slot.generation, index))
    }

    /// The value behind `handle`, if it is live.
    pub fn get(&self, handle: u64) -> Option<&T> {
        let (generation, index) = decode(handle)?;
        let slot = self.slots.get(index as usize)?;
        (slot.generation == generation)
            .then_some(slot.value.as_ref())
            .flatten()
    }

    /// Removes and returns the value behind `handle`; the handle (and every
    /// copy of it) is invalid afterwards.
    pub fn remove(&mut self, handle: u64) -> Option<T> {
        let (generation, index) = decode(handle)?;
        let slot = self.slots.get_mut(index as usize)?;
        if slot.generation != generation {
            return None;
        }
        let value = slot.value.take()?;
        self.retire(index);
        Some(value)
    }

    /// Removes every value, invalidating every handle.
    pub fn drain(&mut self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.live);
        for index in 0..self.slots.len() {
            if let Some(v) = self.slots[index].value.take() {
                out.push(v);
                self.retire(index as u32);
            }
        }
        out
    }

    /// Handles of the live values, in slot order.
    pub fn handles(&self) -> impl Iterator<Item = u64> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.value.is_some())
            .map(|(i, s)| encode(s.generation, i as u32))
    }

    /// Number of live values.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether no value is live.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    fn retire(&mut self, index: u32) {
        self.live -= 1;
        let slot = &mut self.slots[index as usize];
        // A slot whose generation would wrap is never reused: reuse could
        // revive a handle issued 2^32 generations ago.
        if let Some(next) = slot.generation.checked_add(1) {
            slot.generation = next;
            self.free.push(index);
        } else {
            slot.generation = 0;
        }
    }
}

impl<T> Default for HandleTable<T> {
    fn default() -> Self {
        Self::new()
    }
}

fn encode(generation: u32, index: u32) -> u64 {
    (u64::from(generation) << 32) | u64::from(index)
}

fn decode(handle: u64) -> Option<(u32, u32)> {
    let generation = (handle >> 32) as u32;
    // Generation 0 never occurs on a live slot, which also makes handle 0 invalid.
    (generation != 0).then_some((generation, handle as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_never_issued_handles_are_invalid() {
        let mut t = HandleTable::new();
        assert!(t.get(0).is_none());
        let h = t.insert("a").expect("room");
        assert_ne!(h, 0);
        assert!(t.get(h + 1).is_none(), "neighbouring slot never issued");
        assert!(t.get(h ^ (1 << 40)).is_none(), "other generation");
        assert!(t.get(u64::MAX).is_none());
        assert!(t.remove(0).is_none());
    }

    #[test]
    fn a_freed_handle_is_stale_even_after_its_slot_is_reused() {
        let mut t = HandleTable::new();
        let old = t.insert(1).expect("room");
        assert_eq!(t.remove(old), Some(1));
        assert!(t.get(old).is_none());
        assert!(t.remove(old).is_none(), "double free");
        let new = t.insert(2).expect("room");
        assert_eq!(new as u32, old as u32, "slot reused");
        assert_ne!(new, old, "with a new generation");
        assert!(t.get(old).is_none());
        assert_eq!(t.get(new), Some(&2));
    }

    #[test]
    fn drain_invalidates_every_handle() {
        let mut t = HandleTable::new();
        let hs: Vec<u64> = (0..5).map(|i| t.insert(i).expect("room")).collect();
        assert_eq!(t.handles().collect::<Vec<_>>(), hs);
        let mut values = t.drain();
        values.sort_unstable();
        assert_eq!(values, vec![0, 1, 2, 3, 4]);
        assert!(t.is_empty());
        assert!(hs.iter().all(|&h| t.get(h).is_none()));
        assert_eq!(t.handles().count(), 0);
    }

    #[test]
    fn a_slot_at_the_last_generation_is_retired_not_reused() {
        let mut t = HandleTable::new();
        let h = t.insert(()).expect("room");
        t.slots[0].generation = u32::MAX;
        let last = encode(u32::MAX, 0);
        assert!(t.get(h).is_none());
        assert!(t.remove(last).is_some());
        let next = t.insert(()).expect("room");
        assert_eq!(next as u32, 1, "slot 0 retired; a fresh slot is used");
        assert!(t.get(last).is_none());
        assert_eq!(t.len(), 1);
    }
}
