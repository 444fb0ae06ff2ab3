//! The design decisions of the crate, each written once. (Documentation only.)
//!
//! # Overlays
//! TODO
//!
//! # Inferred edges
//! TODO
//!
//! # Persistence
//! TODO
//!
//! # Time
//! TODO
