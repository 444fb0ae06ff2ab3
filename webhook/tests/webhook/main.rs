//! The webhook layer on the fixtures: parsing, verdicts, reconciliation, bad input.

mod decisions;
