//! The lifecycle: every table cell against the spec, the machines, the overlays, accounts,
//! and persisted state.

mod accounts;
mod deactivation;
mod documented_diagram;
mod machine_consistency;
mod observed;
mod observed_knowledge;
mod render;
mod serde_round_trip;
mod spec_tables;
mod table_cells;
