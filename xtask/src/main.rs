//! `cargo xtask generate`: writes every generated file of the workspace (stub).

fn main() {}
