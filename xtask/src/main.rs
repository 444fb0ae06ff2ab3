//! `cargo xtask generate` writes every generated file of the workspace; `cargo xtask check`
//! fails, listing them, if any is stale.

use std::process::ExitCode;

use xtask::{GENERATE, artifacts, workspace_root};

const USAGE: &str = "usage: cargo xtask <command>

  generate   write every generated file that is stale
  check      fail if a generated file is stale (list them)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["generate"] => generate(),
        ["check"] => check(),
        ["help" | "-h" | "--help"] => {
            println!("{USAGE}");
            Ok(true)
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn generate() -> Result<bool, String> {
    let root = workspace_root();
    let artifacts = artifacts();
    let mut written = 0;
    for artifact in &artifacts {
        if artifact.write(&root)? {
            println!("wrote   {}", artifact.path);
            written += 1;
        }
    }
    println!(
        "{written} of {} generated files written, the others were current",
        artifacts.len()
    );
    Ok(true)
}

fn check() -> Result<bool, String> {
    let root = workspace_root();
    let artifacts = artifacts();
    let mut stale = Vec::new();
    for artifact in &artifacts {
        if !artifact.is_current(&root)? {
            stale.push(artifact.path.as_str());
        }
    }
    if stale.is_empty() {
        println!("all {} generated files are current", artifacts.len());
        return Ok(true);
    }
    eprintln!("stale generated files (run `{GENERATE}`):");
    for path in stale {
        eprintln!("  {path}");
    }
    Ok(false)
}
