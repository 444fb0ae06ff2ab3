//! Webhook signature verification (the `verify` feature): being written.
