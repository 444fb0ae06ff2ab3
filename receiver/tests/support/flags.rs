//! The command-line flags of the benches: `--name value` pairs.

use core::future::Future;
use core::str::FromStr;
use std::process::ExitCode;

/// The values given for the flags a bench knows.
#[derive(Debug, Default)]
pub struct Flags(Vec<(String, String)>);

impl Flags {
    /// Reads `--name value` for each name in `known` from the command line; other arguments
    /// are skipped (`cargo bench` adds `--bench`). `--help` prints `usage` and exits.
    ///
    /// # Errors
    /// A message, with `usage`, for a flag without its value.
    pub fn from_args(known: &[&str], usage: &str) -> Result<Self, String> {
        let mut flags = Self::default();
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            if arg == "--help" || arg == "-h" {
                println!("{usage}");
                std::process::exit(0);
            }
            if known.contains(&arg.as_str()) {
                let value = args
                    .next()
                    .ok_or(format!("{arg} takes a value\n\n{usage}"))?;
                flags.0.push((arg, value));
            }
        }
        Ok(flags)
    }

    /// The last value of `name`, if given.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(flag, _)| flag == name)
            .map(|(_, value)| value.as_str())
    }

    /// The value of `name` read as a `T`, or `default` if not given.
    ///
    /// # Errors
    /// A message naming the flag and the value.
    pub fn value<T: FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        match self.text(name) {
            None => Ok(default),
            Some(value) => value
                .parse()
                .map_err(|_| format!("{name}: `{value}` is not a valid value")),
        }
    }
}

/// A bench's `main`: runs `bench` with the `flags` read, on a multi-threaded runtime; a flag
/// error is printed and fails.
pub fn main<F, B: Future<Output = ()>>(
    flags: Result<F, String>,
    bench: impl FnOnce(F) -> B,
) -> ExitCode {
    let flags = match flags {
        Ok(flags) => flags,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(bench(flags));
    ExitCode::SUCCESS
}
