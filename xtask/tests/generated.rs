//! Golden test: every generated file on disk is what the generator makes now.

use xtask::{GENERATE, artifacts, workspace_root};

#[test]
fn every_generated_file_is_current() {
    let root = workspace_root();
    let stale: Vec<String> = artifacts()
        .iter()
        .filter_map(|artifact| match artifact.is_current(&root) {
            Ok(true) => None,
            Ok(false) => Some(format!("{} is stale", artifact.path)),
            Err(error) => Some(error),
        })
        .collect();
    assert!(
        stale.is_empty(),
        "{}; regenerate with `{GENERATE}`",
        stale.join("; ")
    );
}

#[test]
fn every_generated_file_says_so_and_names_the_command() {
    for artifact in artifacts() {
        assert!(
            artifact.contents.contains(&format!("`{GENERATE}`")),
            "{} does not name `{GENERATE}`",
            artifact.path
        );
    }
}

#[test]
fn a_block_replaces_only_what_is_between_its_markers() {
    let readme = artifacts()
        .into_iter()
        .find(|a| a.path == "README.md")
        .expect("the README block is an artifact");
    let before = "# Title\n\n<!-- documented-diagram:start -->\nold\n<!-- documented-diagram:end -->\n\nmore\n";
    let after = readme.expected(Some(before)).expect("markers present");
    assert!(after.starts_with("# Title\n\n<!-- documented-diagram:start -->\n<!-- Generated"));
    assert!(after.ends_with("```\n<!-- documented-diagram:end -->\n\nmore\n"));
    assert!(!after.contains("old"));
    assert!(readme.expected(Some("no markers\n")).is_err());
    assert!(readme.expected(None).is_err());
}
