//! Tests of the `verify` feature: being written.
