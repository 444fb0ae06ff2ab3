#![doc = include_str!("../README.md")]

pub use nectar_lifecycle_core::*;

/// Nectar's `connection.*.v2` webhooks: payloads, verdicts and reconciliation (the
/// `nectar-lifecycle-webhook` crate).
pub use nectar_lifecycle_webhook as webhook;

/// Svix / Standard Webhooks signature verification (the `nectar-lifecycle-verify` crate,
/// behind the `verify` feature).
#[cfg(feature = "verify")]
pub use nectar_lifecycle_verify as verify;
