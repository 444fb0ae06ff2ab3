//! One breadth-first exploration that answers everything the report needs: the `always`
//! invariants with shortest counterexamples, reachability with shortest witness paths,
//! edge coverage, and recoverability by reverse reachability.
//!
//! The explorer is generic over [`Explorable`]: what a state is (a key, stored once), its
//! successors in a fixed order, and per-state bits for the invariants broken and the
//! statuses shown. [`Plain`] adapts any stateright model with its own `actions` and
//! `next_state`; the system model has a packed explorer of its own
//! ([`crate::packed::SystemExplorer`]). Because the exploration is breadth-first, the first
//! state (in discovery order) that breaks an invariant or shows a status is at the least
//! depth, and its parent chain is a shortest path.
//!
//! The graph is recorded compactly: the states in discovery order, one `(parent, action
//! ordinal)` pair per state (the action is recomputed from the parent when a path is
//! shown), and the successor lists as one flat array, read by the reverse reachability and
//! then dropped.

use std::collections::HashSet;
use std::fmt;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use stateright::Model;

use nectar_lifecycle_core::Enumerated;

use crate::{Shown, StepEdge};

/// A model whose steps can report the lifecycle edges they take.
pub trait Observed: Model {
    /// Like `next_state`, reporting each edge taken to `log`.
    fn observe(
        &self,
        state: &Self::State,
        action: Self::Action,
        log: &mut dyn FnMut(StepEdge),
    ) -> Option<Self::State>;
}

/// Why an exploration stopped before the end.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExploreError {
    /// More states than the explorer's indices can number.
    #[error("more than {limit} {what}: the state space does not fit the explorer's indices")]
    TooMany {
        /// What overflowed: `"states"`, `"connection states"`.
        what: &'static str,
        /// The limit.
        limit: u64,
    },
    /// A connection state the packed explorer met does not round-trip through its code, or
    /// its accounts did not already follow it where the explorer relies on it (a bug in the
    /// model or the encoding, caught rather than explored wrongly).
    #[error("a connection state does not pack: it does not round-trip, or is not settled")]
    Unsettled,
    /// The memory for the explorer's tables could not be had.
    #[error("out of memory: the {what} did not fit")]
    OutOfMemory {
        /// What did not fit: `"states"`, `"table places"`, `"successors"`.
        what: &'static str,
    },
}

/// A state space the [`Graph`] explorer can walk.
pub trait Explorable {
    /// A state, as the explorer stores it (once).
    type Key: Clone + Eq + Hash;
    /// An action, as paths show it.
    type Action: fmt::Debug;

    /// The initial states.
    ///
    /// # Errors
    /// When the state does not fit the explorer's encoding.
    fn initial(&mut self) -> Result<Vec<Self::Key>, ExploreError>;

    /// The successors of `key`, each with the ordinal of its action in the model's action
    /// order, in that order.
    ///
    /// # Errors
    /// When a successor does not fit the explorer's encoding.
    fn successors(
        &mut self,
        key: &Self::Key,
        out: &mut Vec<(u32, Self::Key)>,
    ) -> Result<(), ExploreError>;

    /// The action with `ordinal` in `key`'s action order.
    fn action(&self, key: &Self::Key, ordinal: u32) -> Option<Self::Action>;

    /// The invariants `key` breaks, as bits (bit `i`: the model's `i`-th property).
    fn faults(&mut self, key: &Self::Key) -> u64;

    /// The statuses `key` shows, as bits (bit `i`: the `i`-th status reported).
    fn shows(&mut self, key: &Self::Key) -> u64;

    /// Whether `key` is recovered (every connection shows `CONNECTED`).
    fn recovered(&mut self, key: &Self::Key) -> bool;

    /// Every lifecycle edge the steps explored so far took, deduplicated and sorted.
    fn exercised(&self) -> Vec<StepEdge>;

    /// Whether the explorer's table should hold the states' numbers and hash bits rather
    /// than the states themselves: half the memory for keys wider than 8 bytes, for a
    /// second read on each state met again.
    const INDEXED: bool = false;
}

/// No parent: an initial state.
const ROOT: u32 = u32::MAX;

/// The explored graph: every reachable state, a breadth-first tree for shortest paths, and
/// what each invariant and status first met.
#[derive(Debug)]
pub struct Graph<K> {
    /// The states, in breadth-first order (index 0.. are the initial states).
    pub states: Vec<K>,
    /// For each state, its parent's index and the ordinal of the action from the parent
    /// (`u32::MAX` for an initial state).
    parent: Vec<(u32, u32)>,
    /// States generated, repeats included.
    pub generated: u64,
    /// Transitions between distinct state pairs (self-loops included).
    pub transitions: u64,
    /// For each invariant bit, the first state (breadth-first) that breaks it.
    first_fault: [Option<u32>; 64],
    /// For each status bit, the first state (breadth-first) that shows it.
    first_shown: [Option<u32>; 64],
    /// The states from which no path reaches a recovered state.
    pub unrecoverable: usize,
}

/// A fast, deterministic hasher for the explorer's table (a folded multiply; the keys are
/// the model's own states, not attacker input).
#[derive(Default)]
pub(crate) struct Fold(u64);

/// The set of edges the steps took. The steps log an edge at every move, nearly always one
/// already in the set, so a direct-mapped cache of edges seen answers first, one place per
/// machine, source, event and target (for up to 32 statuses and events; the few edges
/// that differ only in their provenance share a place).
pub(crate) struct EdgeSet {
    set: HashSet<StepEdge, BuildHasherDefault<Fold>>,
    recent: Vec<Option<StepEdge>>,
}

/// Places in the [`EdgeSet`]'s cache.
const RECENT: usize = 2 * 32 * 32 * 32;

impl Default for EdgeSet {
    fn default() -> Self {
        Self {
            set: HashSet::default(),
            recent: vec![None; RECENT],
        }
    }
}

impl EdgeSet {
    /// Adds `edge`.
    pub(crate) fn insert(&mut self, edge: StepEdge) {
        let place = match edge {
            StepEdge::Connection(t) => (t.from.index() * 32 + t.event.index()) * 32 + t.to.index(),
            StepEdge::Account(t) => {
                RECENT / 2 + (t.from.index() * 32 + t.event.index()) * 32 + t.to.index()
            }
        } % RECENT;
        if let Some(seen) = self.recent.get_mut(place) {
            if *seen == Some(edge) {
                return;
            }
            *seen = Some(edge);
        }
        self.set.insert(edge);
    }

    /// The edges, sorted.
    pub(crate) fn sorted(&self) -> Vec<StepEdge> {
        let mut edges: Vec<StepEdge> = self.set.iter().copied().collect();
        edges.sort_unstable();
        edges
    }
}

const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

impl Fold {
    fn mix(&mut self, v: u64) {
        let full = u128::from(self.0 ^ v) * u128::from(MULTIPLIER);
        self.0 = (full as u64) ^ ((full >> 64) as u64);
    }
}

impl Hasher for Fold {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            for (to, from) in word.iter_mut().zip(chunk) {
                *to = *from;
            }
            self.mix(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }
    fn write_u128(&mut self, i: u128) {
        self.mix(i as u64);
        self.mix((i >> 64) as u64);
    }
    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }
    fn finish(&self) -> u64 {
        let full = u128::from(self.0) * u128::from(MULTIPLIER);
        (full as u64) ^ ((full >> 64) as u64)
    }
}

/// The hash the explorer's tables use.
pub(crate) fn hash_of<K: Hash>(key: &K) -> u64 {
    let mut h = Fold::default();
    key.hash(&mut h);
    h.finish()
}

/// An empty place in an [`Interner`]'s table.
const EMPTY: u32 = u32::MAX;

/// A set of keys, numbered from 0 in insertion order: an open-addressing table (linear
/// probing, at most 70 % full) that holds each key with its number, so a lookup reads one
/// place in memory (a packed system state is one `u64`: 16 bytes a place). The keys are
/// kept in order as well, for the breadth-first walk and the paths.
///
/// An [`indexed`](Self::indexed) interner's places hold a key's number and 32 bits of its
/// hash instead (8 bytes a place, whatever the key): a lookup reads the key itself only
/// where the hash bits agree. That is a second read for a key already met, for half the
/// memory of a 12-byte key's places.
///
/// The table grows by doubling. An indexed table is rebuilt from the keys in order, the old
/// one dropped before the new one is allocated, so the two never take memory at once.
///
/// At millions of states every lookup misses the cache; [`touch`](Self::touch) loads a
/// key's place ahead, so the misses of one state's successors overlap instead of queueing.
pub(crate) struct Interner<K> {
    /// The keys, by number.
    pub(crate) keys: Vec<K>,
    /// `(key, number)`, `number == EMPTY` for an empty place (its key is a filler).
    table: Vec<(K, u32)>,
    /// Indexed: `hash >> 32 << 32 | number`, `number == EMPTY` for an empty place.
    places: Vec<u64>,
    /// Whether the places hold numbers and hash bits, not keys.
    indexed: bool,
}

/// Places a new table starts with.
const FIRST_PLACES: usize = 1024;

/// Makes room in `v` for `more` elements, growing it by an eighth at least (not by
/// doubling: the explorer's largest arrays take most of the memory).
///
/// # Errors
/// When the memory cannot be had.
pub(crate) fn reserve<T>(
    v: &mut Vec<T>,
    more: usize,
    what: &'static str,
) -> Result<(), ExploreError> {
    if v.capacity() - v.len() >= more {
        return Ok(());
    }
    let extra = more.max(v.len() / 8).max(1024);
    v.try_reserve_exact(extra)
        .map_err(|_| ExploreError::OutOfMemory { what })
}

/// A table of `size` copies of `place`, or an error when the memory cannot be had.
fn table_of<T: Clone>(size: usize, place: T, what: &'static str) -> Result<Vec<T>, ExploreError> {
    let mut table = Vec::new();
    table
        .try_reserve_exact(size)
        .map_err(|_| ExploreError::OutOfMemory { what })?;
    table.resize(size, place);
    Ok(table)
}

impl<K: Clone + Eq + Hash> Interner<K> {
    pub(crate) const fn new() -> Self {
        Self::with_indexing(false)
    }

    /// An empty interner; `indexed`, its places hold numbers and hash bits (see the type's
    /// documentation), else the keys themselves.
    const fn with_indexing(indexed: bool) -> Self {
        Self {
            keys: Vec::new(),
            table: Vec::new(),
            places: Vec::new(),
            indexed,
        }
    }

    /// The number of places.
    fn size(&self) -> usize {
        if self.indexed {
            self.places.len()
        } else {
            self.table.len()
        }
    }

    fn mask(&self) -> usize {
        self.size().saturating_sub(1)
    }

    /// Reads `key`'s first place, to bring it into the cache; returns what it read, for
    /// the caller to fold into a [`std::hint::black_box`].
    pub(crate) fn touch(&self, key: &K) -> u32 {
        let at = hash_of(key) as usize & self.mask();
        if self.indexed {
            self.places.get(at).map_or(0, |p| *p as u32)
        } else {
            self.table.get(at).map_or(0, |(_, i)| *i)
        }
    }

    /// Where `key` is (its number) or would go (`None`), with `hash` its hash.
    fn find(&self, key: &K, hash: u64) -> (usize, Option<u32>) {
        let mask = self.mask();
        let mut at = hash as usize & mask;
        if self.indexed {
            let tag = hash >> 32;
            loop {
                let Some(&place) = self.places.get(at) else {
                    return (at, None);
                };
                let i = place as u32;
                if i == EMPTY {
                    return (at, None);
                }
                if place >> 32 == tag && self.keys.get(i as usize) == Some(key) {
                    return (at, Some(i));
                }
                at = (at + 1) & mask;
            }
        }
        loop {
            match self.table.get(at) {
                Some((_, EMPTY)) | None => return (at, None),
                Some((k, i)) if k == key => return (at, Some(*i)),
                Some(_) => at = (at + 1) & mask,
            }
        }
    }

    /// Puts `key` (number `i`, hash `hash`) at place `at`.
    fn put(&mut self, at: usize, key: &K, hash: u64, i: u32) {
        if self.indexed {
            if let Some(place) = self.places.get_mut(at) {
                *place = hash >> 32 << 32 | u64::from(i);
            }
        } else if let Some(place) = self.table.get_mut(at) {
            *place = (key.clone(), i);
        }
    }

    /// The number of `key`, and whether it is new.
    ///
    /// # Errors
    /// When there are more keys than numbers, or the memory for them cannot be had.
    pub(crate) fn intern(
        &mut self,
        key: K,
        what: &'static str,
    ) -> Result<(u32, bool), ExploreError> {
        if self.size() == 0 {
            self.rebuild(FIRST_PLACES, &key)?;
        }
        let hash = hash_of(&key);
        let (at, found) = self.find(&key, hash);
        if let Some(i) = found {
            return Ok((i, false));
        }
        let i = u32::try_from(self.keys.len())
            .ok()
            .filter(|&i| i < EMPTY - 1)
            .ok_or(ExploreError::TooMany {
                what,
                limit: u64::from(EMPTY - 1),
            })?;
        reserve(&mut self.keys, 1, what)?;
        self.put(at, &key, hash, i);
        self.keys.push(key);
        if self.keys.len() * 10 > self.size() * 7 {
            let (size, filler) = (self.size() * 2, self.keys.first().cloned());
            if let Some(filler) = filler {
                self.rebuild(size, &filler)?;
            }
        }
        Ok((i, true))
    }

    /// Replaces the table by one of `size` places holding the keys (`filler` fills the
    /// empty places of a table of keys). An indexed table is dropped before the new one is
    /// allocated, and rebuilt from the keys; a table of keys is rebuilt from the old table,
    /// read in order (its places nearly in the order of the new one's, which the cache
    /// prefers), so the two are allocated at once.
    fn rebuild(&mut self, size: usize, filler: &K) -> Result<(), ExploreError> {
        if self.indexed {
            self.places = Vec::new();
            self.places = table_of(size, u64::from(EMPTY), "table places")?;
            for (n, key) in self.keys.iter().enumerate() {
                let hash = hash_of(key);
                let at = free_place(&self.places, hash, |p| *p as u32 == EMPTY);
                if let Some(place) = self.places.get_mut(at) {
                    *place = hash >> 32 << 32 | n as u64;
                }
            }
            return Ok(());
        }
        let new = table_of(size, (filler.clone(), EMPTY), "table places")?;
        let old = std::mem::replace(&mut self.table, new);
        for (key, i) in old.into_iter().filter(|(_, i)| *i != EMPTY) {
            let at = free_place(&self.table, hash_of(&key), |(_, j)| *j == EMPTY);
            if let Some(place) = self.table.get_mut(at) {
                *place = (key, i);
            }
        }
        Ok(())
    }
}

/// The first free place (as `free` says) from `hash`'s in `table` (its length a power of
/// two, not full).
fn free_place<T>(table: &[T], hash: u64, free: impl Fn(&T) -> bool) -> usize {
    let mask = table.len().saturating_sub(1);
    let mut at = hash as usize & mask;
    while table.get(at).is_some_and(|p| !free(p)) {
        at = (at + 1) & mask;
    }
    at
}

impl<K: Clone + Eq + Hash> Graph<K> {
    /// Explores `explorer`'s state space completely, breadth-first.
    ///
    /// # Errors
    /// When the state space does not fit the explorer's indices or encoding.
    pub fn explore<E: Explorable<Key = K>>(explorer: &mut E) -> Result<Self, ExploreError> {
        Self::explore_reporting(explorer, &mut |_| {})
    }

    /// [`explore`](Self::explore), calling `progress` with the number of states found after
    /// every 2^22 states explored.
    ///
    /// # Errors
    /// When the state space does not fit the explorer's indices or encoding.
    pub fn explore_reporting<E: Explorable<Key = K>>(
        explorer: &mut E,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Self, ExploreError> {
        let mut seen: Interner<K> = Interner::with_indexing(E::INDEXED);
        for key in explorer.initial()? {
            seen.intern(key, "states")?;
        }
        let mut graph = Self {
            states: Vec::new(),
            parent: vec![(ROOT, ROOT); seen.keys.len()],
            generated: seen.keys.len() as u64,
            transitions: 0,
            first_fault: [None; 64],
            first_shown: [None; 64],
            unrecoverable: 0,
        };
        // Successor lists, flat: state i's are successors[offsets[i]..offsets[i + 1]].
        let mut offsets: Vec<u32> = vec![0];
        let mut successors: Vec<u32> = Vec::new();
        let mut recovered = Bits::default();
        let mut out = Vec::new();
        let mut at = 0usize;
        while let Some(key) = seen.keys.get(at).cloned() {
            let index = u32::try_from(at).unwrap_or(ROOT);
            mark_first(&mut graph.first_fault, explorer.faults(&key), index);
            mark_first(&mut graph.first_shown, explorer.shows(&key), index);
            recovered.push(explorer.recovered(&key), "recovery marks")?;
            out.clear();
            explorer.successors(&key, &mut out)?;
            graph.generated += out.len() as u64;
            std::hint::black_box(out.iter().fold(0, |x, (_, k)| x ^ seen.touch(k)));
            reserve(&mut successors, out.len(), "successors")?;
            let start = successors.len();
            for (ordinal, next) in out.drain(..) {
                let (j, new) = seen.intern(next, "states")?;
                if new {
                    reserve(&mut graph.parent, 1, "parents")?;
                    graph.parent.push((index, ordinal));
                }
                successors.push(j);
            }
            if let Some(mine) = successors.get_mut(start..) {
                mine.sort_unstable();
            }
            dedup_from(&mut successors, start);
            let end = u32::try_from(successors.len()).map_err(|_| ExploreError::TooMany {
                what: "transitions",
                limit: u64::from(u32::MAX),
            })?;
            reserve(&mut offsets, 1, "successor offsets")?;
            offsets.push(end);
            at += 1;
            if at.is_multiple_of(1 << 22) {
                progress(seen.keys.len());
            }
        }
        graph.transitions = successors.len() as u64;
        graph.states = seen.keys;
        drop(seen.table);
        drop(seen.places);
        graph.unrecoverable = unrecoverable(&offsets, &successors, &recovered);
        Ok(graph)
    }

    /// The path of actions from an initial state to state `target`: a shortest one.
    pub fn path_to<E: Explorable<Key = K>>(&self, explorer: &E, target: u32) -> Vec<E::Action> {
        let mut actions = Vec::new();
        let mut at = target;
        while let Some(&(p, ordinal)) = self.parent.get(at as usize) {
            if p == ROOT {
                break;
            }
            if let Some(a) = self
                .states
                .get(p as usize)
                .and_then(|s| explorer.action(s, ordinal))
            {
                actions.push(a);
            }
            at = p;
        }
        actions.reverse();
        actions
    }

    /// The first state (breadth-first) that breaks invariant `bit`, if any.
    #[must_use]
    pub fn first_fault(&self, bit: usize) -> Option<u32> {
        self.first_fault.get(bit).copied().flatten()
    }

    /// The first state (breadth-first) that shows status `bit`, if any.
    #[must_use]
    pub fn first_shown(&self, bit: usize) -> Option<u32> {
        self.first_shown.get(bit).copied().flatten()
    }
}

/// Records `index` as the first state for each bit of `bits` that has none yet.
fn mark_first(firsts: &mut [Option<u32>; 64], mut bits: u64, index: u32) {
    while bits != 0 {
        let bit = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        if let Some(first @ None) = firsts.get_mut(bit) {
            *first = Some(index);
        }
    }
}

/// A growing set of bits, numbered from 0.
#[derive(Default)]
struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    /// Adds `bit` at the end.
    fn push(&mut self, bit: bool, what: &'static str) -> Result<(), ExploreError> {
        if self.len.is_multiple_of(64) {
            reserve(&mut self.words, 1, what)?;
            self.words.push(0);
        }
        if bit && let Some(w) = self.words.last_mut() {
            *w |= 1 << (self.len % 64);
        }
        self.len += 1;
        Ok(())
    }
}

/// Removes consecutive repeats from `v[start..]` (sorted), in place.
fn dedup_from(v: &mut Vec<u32>, start: usize) {
    let mut write = start;
    for read in start..v.len() {
        let x = v.get(read).copied();
        if write == start || v.get(write - 1).copied() != x {
            if let (Some(x), Some(slot)) = (x, v.get_mut(write)) {
                *slot = x;
            }
            write += 1;
        }
    }
    v.truncate(write);
}

/// The number of states from which no path reaches a recovered state, by reverse
/// reachability to a fixpoint: a state reaches one if it is recovered or a successor
/// reaches one. Each pass walks the states from the last discovered to the first, so it
/// follows any chain of edges to later-discovered states at once (most edges of a
/// breadth-first graph); a pass that changes nothing ends it. The successor lists are read
/// in order, and the marks are a bit set, so the passes stay in cache where the graph does
/// not.
fn unrecoverable(offsets: &[u32], successors: &[u32], recovered: &Bits) -> usize {
    let n = recovered.len;
    let mut reaches = recovered.words.clone();
    let get = |bits: &[u64], i: usize| bits.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1);
    loop {
        let mut changed = false;
        for i in (0..n).rev() {
            if get(&reaches, i) {
                continue;
            }
            let range = offsets.get(i).copied().unwrap_or(0) as usize
                ..offsets.get(i + 1).copied().unwrap_or(0) as usize;
            let succ = successors.get(range).unwrap_or_default();
            if succ.iter().any(|&j| get(&reaches, j as usize)) {
                if let Some(w) = reaches.get_mut(i / 64) {
                    *w |= 1 << (i % 64);
                }
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    n - reaches
        .iter()
        .map(|w| w.count_ones() as usize)
        .sum::<usize>()
}

/// A stateright model explored with its own `init_states`, `actions` and `next_state`
/// (through [`Observed::observe`], to record the edges), its invariants read from its
/// `properties`.
pub struct Plain<'a, M: Observed> {
    model: &'a M,
    conditions: Vec<fn(&M, &M::State) -> bool>,
    statuses: Vec<Shown>,
    shows: Option<fn(&M::State, Shown) -> bool>,
    recovered: Option<fn(&M::State) -> bool>,
    edges: EdgeSet,
    actions: Vec<M::Action>,
}

impl<'a, M: Observed> Plain<'a, M> {
    /// `model`, its `properties` all `always` invariants; no statuses and every state
    /// recovered until [`with_statuses`](Self::with_statuses) says otherwise.
    pub fn new(model: &'a M) -> Self {
        Self {
            model,
            conditions: model.properties().iter().map(|p| p.condition).collect(),
            statuses: Vec::new(),
            shows: None,
            recovered: None,
            edges: EdgeSet::default(),
            actions: Vec::new(),
        }
    }

    /// Reports `statuses` (at most 64) as `shows` finds them, and recovery as `recovered`
    /// says.
    #[must_use]
    pub fn with_statuses(
        mut self,
        statuses: Vec<Shown>,
        shows: fn(&M::State, Shown) -> bool,
        recovered: fn(&M::State) -> bool,
    ) -> Self {
        self.statuses = statuses;
        self.shows = Some(shows);
        self.recovered = Some(recovered);
        self
    }
}

impl<M> Explorable for Plain<'_, M>
where
    M: Observed,
    M::State: Clone + Eq + Hash,
    M::Action: Clone + fmt::Debug,
{
    type Key = M::State;
    type Action = M::Action;

    fn initial(&mut self) -> Result<Vec<M::State>, ExploreError> {
        Ok(self.model.init_states())
    }

    fn successors(
        &mut self,
        key: &M::State,
        out: &mut Vec<(u32, M::State)>,
    ) -> Result<(), ExploreError> {
        self.actions.clear();
        self.model.actions(key, &mut self.actions);
        let edges = &mut self.edges;
        for (ordinal, action) in self.actions.drain(..).enumerate() {
            if let Some(next) = self.model.observe(key, action, &mut |e| {
                edges.insert(e);
            }) {
                out.push((u32::try_from(ordinal).unwrap_or(ROOT), next));
            }
        }
        Ok(())
    }

    fn action(&self, key: &M::State, ordinal: u32) -> Option<M::Action> {
        let mut actions = Vec::new();
        self.model.actions(key, &mut actions);
        actions.into_iter().nth(ordinal as usize)
    }

    fn faults(&mut self, key: &M::State) -> u64 {
        self.conditions
            .iter()
            .enumerate()
            .filter(|(_, holds)| !holds(self.model, key))
            .fold(0, |bits, (i, _)| {
                bits | 1u64.checked_shl(i as u32).unwrap_or(0)
            })
    }

    fn shows(&mut self, key: &M::State) -> u64 {
        let Some(shows) = self.shows else { return 0 };
        self.statuses
            .iter()
            .enumerate()
            .filter(|(_, s)| shows(key, **s))
            .fold(0, |bits, (i, _)| {
                bits | 1u64.checked_shl(i as u32).unwrap_or(0)
            })
    }

    fn recovered(&mut self, key: &M::State) -> bool {
        self.recovered.is_none_or(|r| r(key))
    }

    fn exercised(&self) -> Vec<StepEdge> {
        self.edges.sorted()
    }
}
