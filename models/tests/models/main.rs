//! The models: their verdicts and state counts, every property shown able to fail by a
//! broken variant, and the Explorer.

mod broken_variants;
mod delivery;
mod explorer;
mod explorers;
mod sweep;
mod verdicts;
