//! The system model's packed exploration: a state is one `u64` ([`SystemExplorer`]), or,
//! with one connection, one 96-bit code ([`SingleExplorer`]).
//!
//! Connections interact only through the week (`Tick` resets every connection) and the
//! company (its change reaches every connection); everything else one actor does changes
//! one connection. So the explorer numbers the distinct connection states it meets
//! ([`ConnectionSlot`]s, accounts included and, reduced, sorted) and packs a system state
//! as those numbers, the company's status and the monitors' flags:
//!
//! ```text
//! bits 0..5       the monitors' flags (Violations::bits)
//! bit  5          the company is inactive
//! bits 6..64      connection numbers, B = min(32, 58 / C) bits each for C connections
//!                 (C = 1: 32, C = 2: 29, C = 3: 19, C = 4: 14)
//! ```
//!
//! Reduced, the numbers are sorted in the order of the connection states they name (the
//! order [`SystemModel::step`] sorts by), so a path's connection indices mean the same in
//! both. What one connection does is computed once per connection state and memoised:
//! its moves (check, pull, act, track: each with the connection state it leads to and the
//! flags it raises), its week passing, its company change, and the bits it contributes to
//! the invariants broken, the statuses shown and recovery. The edges the memoised steps take
//! are recorded when they are computed, which happens only when a reachable state needs
//! them.
//!
//! This is exact, not an abstraction: a step of the packed state space is a step of
//! [`SystemModel::step`] (the tests compare the two, state count by state count, with
//! stateright's). It relies on one fact, checked on every connection state numbered: after
//! a step, the accounts of the connections the step did not touch already follow their
//! parent, so settling them changes nothing ([`ExploreError::Unsettled`] otherwise).
//!
//! With one connection nearly every system state holds a connection state of its own, so
//! memoising gains nothing and numbering costs a second table lookup per successor:
//! [`SingleExplorer`] keys a state by its connection state's code itself (with the flags
//! and the company bit) and applies each step to the connection state decoded from it.

use crate::graph::{EdgeSet, Explorable, ExploreError, Interner};
use crate::system::{
    CompanyStatus, ConnectionSlot, MAX_CONNECTIONS, SystemAction, SystemModel, SystemState,
    Violations, slot_faults,
};
use crate::{Analysed, Shown, StepEdge, Symmetry};
use nectar_lifecycle_core::{AccountStatus, ConnectionStatus, Enumerated};

/// The bit above the monitors' flags.
const COMPANY_BIT: u32 = 5;
/// Where the connection numbers start.
const SLOTS_AT: u32 = 6;
/// Not computed yet.
const UNKNOWN: u32 = u32::MAX;
/// Computed: the step is not possible.
const IMPOSSIBLE: u32 = u32::MAX - 1;

/// One memoised move of a connection state: the action's ordinal within
/// [`SystemModel::connection_actions`], where it leads, and the flags it raises.
#[derive(Debug, Clone, Copy)]
struct Move {
    ordinal: u32,
    slot: u32,
    violations: u8,
}

/// What a connection state contributes to a system state's bits.
#[derive(Debug, Clone, Copy)]
struct SlotBits {
    /// Invariants broken, with the company active and inactive.
    faults: [u64; 2],
    /// Statuses shown.
    shows: u64,
    /// Shows `CONNECTED`.
    connected: bool,
}

/// The system model's state space, packed (see the module documentation).
///
/// ```
/// use nectar_lifecycle_models::{Graph, SystemExplorer, SystemModel};
///
/// let model = SystemModel { connections: 2, accounts: 0, ..SystemModel::default() };
/// let mut explorer = SystemExplorer::new(&model);
/// let graph = Graph::explore(&mut explorer)?;
/// assert_eq!(graph.states.len(), 8_190);
/// assert_eq!(graph.unrecoverable, 0);
/// assert_eq!(explorer.connection_states(), 180);
/// # Ok::<(), nectar_lifecycle_models::graph::ExploreError>(())
/// ```
pub struct SystemExplorer<'a> {
    model: &'a SystemModel,
    connections: usize,
    /// Bits per connection number.
    slot_bits: u32,
    per_connection: Vec<SystemAction>,
    statuses: ShownBits,
    /// The connection states met, by [`ConnectionSlot::code`].
    slots: Interner<u128>,
    /// Accounts per connection.
    accounts: usize,
    /// For each connection state, its moves: `moves[start..start + len]`.
    local: Vec<(u32, u32)>,
    moves: Vec<Move>,
    tick: Vec<u32>,
    company: Vec<[u32; 2]>,
    bits: Vec<SlotBits>,
    edges: EdgeSet,
    /// Scratch: the moves of one connection state before they are numbered.
    pending: Vec<(u32, u128, ConnectionSlot, Violations)>,
}

/// A system state, unpacked into its parts.
#[derive(Debug, Clone, Copy)]
struct Parts {
    company: CompanyStatus,
    violations: u8,
    ids: [u32; MAX_CONNECTIONS],
}

const fn company_index(company: CompanyStatus) -> usize {
    match company {
        CompanyStatus::Active => 0,
        CompanyStatus::Inactive => 1,
    }
}

/// The status whose [`company_index`] is 1 when `set`, else 0.
const fn company_from_bit(set: bool) -> CompanyStatus {
    if set {
        CompanyStatus::Inactive
    } else {
        CompanyStatus::Active
    }
}

/// The bit of each visible status in the list of statuses reported.
struct ShownBits {
    /// By [`ConnectionStatus`] index.
    connection: Vec<u64>,
    /// By [`AccountStatus`] index.
    account: Vec<u64>,
}

impl ShownBits {
    fn new(statuses: &[Shown]) -> Self {
        let bit = |status: Shown| {
            statuses
                .iter()
                .position(|s| *s == status)
                .and_then(|i| 1u64.checked_shl(u32::try_from(i).ok()?))
                .unwrap_or(0)
        };
        Self {
            connection: ConnectionStatus::ALL
                .iter()
                .map(|&s| bit(Shown::Connection(s)))
                .collect(),
            account: AccountStatus::ALL
                .iter()
                .map(|&s| bit(Shown::Account(s)))
                .collect(),
        }
    }

    /// The statuses `slot` shows, as bits.
    fn of(&self, slot: &ConnectionSlot) -> u64 {
        let connection = self.connection.get(slot.connection.status().index());
        slot.accounts()
            .iter()
            .fold(connection.copied().unwrap_or(0), |b, a| {
                b | self.account.get(a.status().index()).copied().unwrap_or(0)
            })
    }
}

/// Whether `slot` shows `CONNECTED`.
fn connected(slot: &ConnectionSlot) -> bool {
    slot.connection.status() == ConnectionStatus::Connected
}

impl<'a> SystemExplorer<'a> {
    /// The explorer for `model` (its connections taken in `1..=MAX_CONNECTIONS`).
    #[must_use]
    pub fn new(model: &'a SystemModel) -> Self {
        let connections = model.initial().connections().len();
        let slot_bits = (64 - SLOTS_AT) / u32::try_from(connections.max(1)).unwrap_or(1);
        Self {
            model,
            connections,
            slot_bits: slot_bits.min(32),
            per_connection: model.connection_actions(),
            statuses: ShownBits::new(&model.statuses()),
            slots: Interner::new(),
            accounts: model.accounts.min(crate::MAX_ACCOUNTS),
            local: Vec::new(),
            moves: Vec::new(),
            tick: Vec::new(),
            company: Vec::new(),
            bits: Vec::new(),
            edges: EdgeSet::default(),
            pending: Vec::new(),
        }
    }

    /// Distinct connection states numbered so far.
    #[must_use]
    pub fn connection_states(&self) -> usize {
        self.slots.keys.len()
    }

    fn slot(&self, id: u32) -> ConnectionSlot {
        self.slots
            .keys
            .get(id as usize)
            .and_then(|&code| ConnectionSlot::from_code(code, self.accounts))
            .unwrap_or_else(|| ConnectionSlot::new(self.accounts))
    }

    /// The number of `slot`, numbering it (and checking it is settled) if it is new.
    fn intern(&mut self, slot: ConnectionSlot) -> Result<u32, ExploreError> {
        let code = slot.code();
        let (id, new) = self.slots.intern(code, "connection states")?;
        let limit = 1u64 << self.slot_bits;
        if u64::from(id) >= limit.min(u64::from(IMPOSSIBLE)) {
            return Err(ExploreError::TooMany {
                what: "connection states",
                limit,
            });
        }
        if new {
            if ConnectionSlot::from_code(code, self.accounts) != Some(slot) {
                return Err(ExploreError::Unsettled);
            }
            let mut settled = slot;
            self.model.settle(&mut settled, &mut |_| {});
            if settled != slot {
                return Err(ExploreError::Unsettled);
            }
            self.bits.push(SlotBits {
                faults: [
                    slot_faults(CompanyStatus::Active, &slot),
                    slot_faults(CompanyStatus::Inactive, &slot),
                ],
                shows: self.statuses.of(&slot),
                connected: connected(&slot),
            });
            self.local.push((UNKNOWN, 0));
            self.tick.push(UNKNOWN);
            self.company.push([UNKNOWN; 2]);
        }
        Ok(id)
    }

    /// Applies `action` to connection state `id` and settles it: the resulting number
    /// (or `IMPOSSIBLE`) and the flags raised.
    fn apply(
        &mut self,
        id: u32,
        action: SystemAction,
        due: Option<bool>,
    ) -> Result<(u32, u8), ExploreError> {
        let mut slot = self.slot(id);
        let mut violations = Violations::default();
        let edges = &mut self.edges;
        let mut log = |e| {
            edges.insert(e);
        };
        if self
            .model
            .act_on_slot(&mut slot, &mut violations, action, due, &mut log)
            .is_none()
        {
            return Ok((IMPOSSIBLE, 0));
        }
        self.model.settle(&mut slot, &mut log);
        Ok((self.intern(slot)?, violations.bits()))
    }

    fn moves_of(&mut self, id: u32) -> Result<(u32, u32), ExploreError> {
        let known = self.local.get(id as usize).copied().unwrap_or((UNKNOWN, 0));
        if known.0 != UNKNOWN {
            return Ok(known);
        }
        let from = self.slot(id);
        let due = Some(self.model.connection_due(&from));
        // Every move first, then their numbers: the lookups of the new connection states
        // miss the cache, and touching them all first lets the misses overlap.
        let mut pending = std::mem::take(&mut self.pending);
        pending.clear();
        let edges = &mut self.edges;
        let mut log = |e| {
            edges.insert(e);
        };
        for (ordinal, &action) in self.per_connection.iter().enumerate() {
            let mut slot = from;
            let mut violations = Violations::default();
            if self
                .model
                .act_on_slot(&mut slot, &mut violations, action, due, &mut log)
                .is_some()
            {
                self.model.settle(&mut slot, &mut log);
                pending.push((
                    u32::try_from(ordinal).unwrap_or(UNKNOWN),
                    slot.code(),
                    slot,
                    violations,
                ));
            }
        }
        std::hint::black_box(
            pending
                .iter()
                .fold(0, |x, (_, code, _, _)| x ^ self.slots.touch(code)),
        );
        let start = self.moves.len();
        for &(ordinal, _, slot, violations) in &pending {
            let slot = self.intern(slot)?;
            self.moves.push(Move {
                ordinal,
                slot,
                violations: violations.bits(),
            });
        }
        self.pending = pending;
        let range = (
            u32::try_from(start).map_err(|_| too_many_moves())?,
            u32::try_from(self.moves.len() - start).map_err(|_| too_many_moves())?,
        );
        if let Some(known) = self.local.get_mut(id as usize) {
            *known = range;
        }
        Ok(range)
    }

    fn tick_of(&mut self, id: u32) -> Result<u32, ExploreError> {
        match self.tick.get(id as usize).copied() {
            Some(UNKNOWN) | None => {
                let (next, _) = self.apply(id, SystemAction::Tick, None)?;
                if let Some(known) = self.tick.get_mut(id as usize) {
                    *known = next;
                }
                Ok(next)
            }
            Some(next) => Ok(next),
        }
    }

    fn company_of(&mut self, id: u32, status: CompanyStatus) -> Result<u32, ExploreError> {
        let c = company_index(status);
        let known = self
            .company
            .get(id as usize)
            .and_then(|k| k.get(c))
            .copied();
        match known {
            Some(UNKNOWN) | None => {
                let (next, _) = self.apply(id, SystemAction::Company(status), None)?;
                if let Some(k) = self.company.get_mut(id as usize).and_then(|k| k.get_mut(c)) {
                    *k = next;
                }
                Ok(next)
            }
            Some(next) => Ok(next),
        }
    }

    /// Sorts the first `connections` numbers by the connection states they name, when
    /// reduced.
    fn canonical(&self, ids: &mut [u32; MAX_CONNECTIONS]) {
        if self.model.symmetry == Symmetry::Unreduced {
            return;
        }
        let keys = &self.slots.keys;
        if let Some(used) = ids.get_mut(..self.connections) {
            used.sort_unstable_by_key(|id| keys.get(*id as usize).copied());
        }
    }

    fn pack(&self, mut parts: Parts) -> u64 {
        self.canonical(&mut parts.ids);
        let ids = parts
            .ids
            .iter()
            .take(self.connections)
            .enumerate()
            .fold(0u64, |k, (p, &id)| {
                k | u64::from(id) << (SLOTS_AT + self.slot_bits * u32::try_from(p).unwrap_or(0))
            });
        ids | (company_index(parts.company) as u64) << COMPANY_BIT | u64::from(parts.violations)
    }

    fn unpack(&self, key: u64) -> Parts {
        let mut ids = [0u32; MAX_CONNECTIONS];
        let mask = (1u64 << self.slot_bits) - 1;
        for (p, id) in ids.iter_mut().take(self.connections).enumerate() {
            let at = SLOTS_AT + self.slot_bits * u32::try_from(p).unwrap_or(0);
            *id = u32::try_from(key >> at & mask).unwrap_or(0);
        }
        Parts {
            company: company_from_bit(key >> COMPANY_BIT & 1 == 1),
            violations: u8::try_from(key & 0x1f).unwrap_or(0),
            ids,
        }
    }

    /// The system state `key` packs.
    #[must_use]
    pub fn state(&self, key: u64) -> SystemState {
        let parts = self.unpack(key);
        let slots: Vec<ConnectionSlot> = parts
            .ids
            .iter()
            .take(self.connections)
            .map(|&id| self.slot(id))
            .collect();
        SystemState::from_parts(
            parts.company,
            &slots,
            Violations::from_bits(parts.violations),
        )
    }

    fn used(&self, parts: &Parts) -> impl Iterator<Item = u32> {
        parts.ids.into_iter().take(self.connections)
    }
}

const fn too_many_moves() -> ExploreError {
    ExploreError::TooMany {
        what: "connection moves",
        limit: u32::MAX as u64,
    }
}

impl Explorable for SystemExplorer<'_> {
    type Key = u64;
    type Action = SystemAction;

    fn initial(&mut self) -> Result<Vec<u64>, ExploreError> {
        let state = self.model.initial();
        let mut ids = [0u32; MAX_CONNECTIONS];
        for (id, slot) in ids.iter_mut().zip(state.connections()) {
            *id = self.intern(*slot)?;
        }
        Ok(vec![self.pack(Parts {
            company: state.company,
            violations: state.violations.bits(),
            ids,
        })])
    }

    fn successors(&mut self, key: &u64, out: &mut Vec<(u32, u64)>) -> Result<(), ExploreError> {
        let parts = self.unpack(*key);
        // Tick: ordinal 0.
        let mut ids = parts.ids;
        for p in 0..self.connections {
            if let Some(id) = ids.get_mut(p) {
                *id = self.tick_of(*id)?;
            }
        }
        if ids.iter().all(|&id| id != IMPOSSIBLE) {
            out.push((0, self.pack(Parts { ids, ..parts })));
        }
        // Each connection's moves.
        let per_connection = u32::try_from(self.per_connection.len()).unwrap_or(UNKNOWN);
        for p in 0..self.connections {
            let Some(&id) = parts.ids.get(p) else {
                continue;
            };
            let (start, len) = self.moves_of(id)?;
            let base = 1 + per_connection * u32::try_from(p).unwrap_or(0);
            for m in self
                .moves
                .get(start as usize..(start + len) as usize)
                .unwrap_or_default()
            {
                let mut ids = parts.ids;
                if let Some(at) = ids.get_mut(p) {
                    *at = m.slot;
                }
                out.push((
                    base + m.ordinal,
                    self.pack(Parts {
                        ids,
                        violations: parts.violations | m.violations,
                        company: parts.company,
                    }),
                ));
            }
        }
        // The company's change: the last ordinal.
        let company = parts.company.toggled();
        let mut ids = parts.ids;
        let mut possible = true;
        for p in 0..self.connections {
            if let Some(id) = ids.get_mut(p) {
                *id = self.company_of(*id, company)?;
                possible &= *id != IMPOSSIBLE;
            }
        }
        if possible {
            let ordinal = 1 + per_connection * u32::try_from(self.connections).unwrap_or(0);
            out.push((
                ordinal,
                self.pack(Parts {
                    ids,
                    company,
                    ..parts
                }),
            ));
        }
        Ok(())
    }

    fn action(&self, key: &u64, ordinal: u32) -> Option<SystemAction> {
        let mut actions = Vec::new();
        stateright::Model::actions(self.model, &self.state(*key), &mut actions);
        actions.into_iter().nth(ordinal as usize)
    }

    fn faults(&mut self, key: &u64) -> u64 {
        let parts = self.unpack(*key);
        let c = company_index(parts.company);
        self.used(&parts)
            .fold(u64::from(parts.violations), |f, id| {
                f | self
                    .bits
                    .get(id as usize)
                    .and_then(|b| b.faults.get(c))
                    .copied()
                    .unwrap_or(0)
            })
    }

    fn shows(&mut self, key: &u64) -> u64 {
        let parts = self.unpack(*key);
        self.used(&parts).fold(0, |s, id| {
            s | self.bits.get(id as usize).map_or(0, |b| b.shows)
        })
    }

    fn recovered(&mut self, key: &u64) -> bool {
        let parts = self.unpack(*key);
        self.used(&parts)
            .all(|id| self.bits.get(id as usize).is_some_and(|b| b.connected))
    }

    fn exercised(&self) -> Vec<StepEdge> {
        self.edges.sorted()
    }
}

/// Where a [`SingleExplorer`] state keeps the monitors' flags.
const FLAGS_AT: u32 = 76;
/// Where a [`SingleExplorer`] state keeps the company bit.
const COMPANY_AT: u32 = 81;
/// The connection state's code in a [`SingleExplorer`] state.
const SLOT_MASK: u128 = (1 << FLAGS_AT) - 1;

/// A [`SingleExplorer`] state, 82 bits, in three words: 12 bytes in the explorer's list of
/// states, where a `u128` would take 16. The explorer's table holds the states' numbers
/// (and hash bits), not the states ([`Explorable::INDEXED`]): with one connection the
/// states are many, and a place holding a state and its number would take 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SingleKey([u32; 3]);

impl SingleKey {
    /// The low 96 bits of `code`.
    const fn new(code: u128) -> Self {
        Self([code as u32, (code >> 32) as u32, (code >> 64) as u32])
    }

    /// The code as one integer.
    const fn wide(self) -> u128 {
        let [a, b, c] = self.0;
        a as u128 | (b as u128) << 32 | (c as u128) << 64
    }
}

impl std::hash::Hash for SingleKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let [a, b, c] = self.0;
        state.write_u64(u64::from(a) | u64::from(b) << 32);
        state.write_u32(c);
    }
}

/// The system model's state space with one connection, packed without a table of
/// connection states: a state is its connection state's code ([`ConnectionSlot::code`],
/// bits 0..76), the monitors' flags (bits 76..81) and the company bit (bit 81).
///
/// With one connection nearly every system state holds a connection state of its own, so
/// the numbering and memoising of [`SystemExplorer`] would only add a lookup per successor:
/// this explorer applies each step to the connection state decoded from the key, with the
/// same steps in the same order (the same graph, state for state). It relies on the code
/// being one to one, which [`SystemExplorer`] checks on every connection state it numbers
/// (and the tests compare both with stateright's counts); a key that does not decode stops
/// the exploration with [`ExploreError::Unsettled`].
///
/// ```
/// use nectar_lifecycle_models::{Graph, SystemModel, packed::SingleExplorer};
///
/// let model = SystemModel { connections: 1, accounts: 1, ..SystemModel::default() };
/// let graph = Graph::explore(&mut SingleExplorer::new(&model))?;
/// assert_eq!(graph.states.len(), 6_000);
/// assert_eq!(graph.unrecoverable, 0);
/// # Ok::<(), nectar_lifecycle_models::graph::ExploreError>(())
/// ```
pub struct SingleExplorer<'a> {
    model: &'a SystemModel,
    per_connection: Vec<SystemAction>,
    statuses: ShownBits,
    accounts: usize,
    edges: EdgeSet,
    /// The last state decoded, with its connection state: the explorer asks for a
    /// state's faults, statuses, recovery and successors one after the other.
    last: Option<(SingleKey, ConnectionSlot)>,
}

impl<'a> SingleExplorer<'a> {
    /// The explorer for `model`, its first connection alone.
    #[must_use]
    pub fn new(model: &'a SystemModel) -> Self {
        Self {
            model,
            per_connection: model.connection_actions(),
            statuses: ShownBits::new(&model.statuses()),
            accounts: model.accounts.min(crate::MAX_ACCOUNTS),
            edges: EdgeSet::default(),
            last: None,
        }
    }

    /// The connection state of `key`, if its code is one.
    fn decode(&self, key: SingleKey) -> Option<ConnectionSlot> {
        ConnectionSlot::from_code(key.wide() & SLOT_MASK, self.accounts)
    }

    /// [`decode`](Self::decode), remembering the last state decoded.
    fn slot(&mut self, key: SingleKey) -> Option<ConnectionSlot> {
        if let Some((last, slot)) = self.last
            && last == key
        {
            return Some(slot);
        }
        let slot = self.decode(key)?;
        self.last = Some((key, slot));
        Some(slot)
    }

    /// The company's status and the monitors' flags of `key`.
    fn parts(key: SingleKey) -> (CompanyStatus, u8) {
        let wide = key.wide();
        let company = company_from_bit(wide >> COMPANY_AT & 1 == 1);
        (company, (wide >> FLAGS_AT) as u8 & 0x1f)
    }

    /// The key of `slot` with `violations` under `company`.
    fn pack(slot: &ConnectionSlot, violations: u8, company: CompanyStatus) -> SingleKey {
        SingleKey::new(
            slot.code()
                | u128::from(violations & 0x1f) << FLAGS_AT
                | (company_index(company) as u128) << COMPANY_AT,
        )
    }

    /// The system state `key` packs.
    fn state(&self, key: SingleKey) -> Option<SystemState> {
        let slot = self.decode(key)?;
        let (company, violations) = Self::parts(key);
        Some(SystemState::from_parts(
            company,
            &[slot],
            Violations::from_bits(violations),
        ))
    }
}

impl Explorable for SingleExplorer<'_> {
    type Key = SingleKey;
    type Action = SystemAction;

    const INDEXED: bool = true;

    fn initial(&mut self) -> Result<Vec<SingleKey>, ExploreError> {
        let state = self.model.initial();
        let slot = state.connections().first().ok_or(ExploreError::Unsettled)?;
        Ok(vec![Self::pack(
            slot,
            state.violations.bits(),
            state.company,
        )])
    }

    fn successors(
        &mut self,
        key: &SingleKey,
        out: &mut Vec<(u32, SingleKey)>,
    ) -> Result<(), ExploreError> {
        let from = self.slot(*key).ok_or(ExploreError::Unsettled)?;
        let (company, violations) = Self::parts(*key);
        let model = self.model;
        let edges = &mut self.edges;
        // One step of the connection: the flags it raises are kept for its own moves only
        // (the week and the company raise none, as in `SystemModel::step`).
        let mut step = |ordinal: u32, action: SystemAction, due: Option<bool>| {
            let mut log = |e| {
                edges.insert(e);
            };
            let mut slot = from;
            let mut raised = Violations::default();
            model.act_on_slot(&mut slot, &mut raised, action, due, &mut log)?;
            model.settle(&mut slot, &mut log);
            let (flags, company) = match action {
                SystemAction::Tick => (violations, company),
                SystemAction::Company(status) => (violations, status),
                _ => (violations | raised.bits(), company),
            };
            Some((ordinal, Self::pack(&slot, flags, company)))
        };
        out.extend(step(0, SystemAction::Tick, None));
        let due = Some(model.connection_due(&from));
        let mut ordinal = 1;
        for &action in &self.per_connection {
            out.extend(step(ordinal, action, due));
            ordinal += 1;
        }
        out.extend(step(
            ordinal,
            SystemAction::Company(company.toggled()),
            None,
        ));
        Ok(())
    }

    fn action(&self, key: &SingleKey, ordinal: u32) -> Option<SystemAction> {
        let mut actions = Vec::new();
        stateright::Model::actions(self.model, &self.state(*key)?, &mut actions);
        actions.into_iter().nth(ordinal as usize)
    }

    fn faults(&mut self, key: &SingleKey) -> u64 {
        let (company, violations) = Self::parts(*key);
        let slot = self.slot(*key);
        slot.map_or(0, |s| slot_faults(company, &s)) | u64::from(violations)
    }

    fn shows(&mut self, key: &SingleKey) -> u64 {
        self.slot(*key).map_or(0, |s| self.statuses.of(&s))
    }

    fn recovered(&mut self, key: &SingleKey) -> bool {
        self.slot(*key).is_some_and(|s| connected(&s))
    }

    fn exercised(&self) -> Vec<StepEdge> {
        self.edges.sorted()
    }
}
