//! The models: their verdicts and state counts, every property shown able to fail by a
//! broken variant, and the Explorer.

mod actions;
mod broken_variants;
mod delivery;
mod explorer;
mod explorers;
mod sweep;
mod verdicts;

/// The counterexample `report` found for `property`; a test fails without one.
fn counterexample<'r>(report: &'r nectar_lifecycle_models::ModelReport, property: &str) -> &'r str {
    report
        .counterexample(property)
        .unwrap_or_else(|| panic!("no counterexample for {property:?}:\n{report}"))
}
