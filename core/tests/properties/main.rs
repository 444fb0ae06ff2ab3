//! Property tests: the machines against an independent reference of the spec, and the
//! invariants on random event sequences.

mod differential;
mod properties;
