//! `cargo lifecycle <command>`: model checking, the Stateright Explorer, and a scaling row.
//!
//! ```text
//! cargo lifecycle check [--connections C] [--accounts K] [--no-symmetry]
//! cargo lifecycle explore [--model documented|operational|system|delivery] [--addr 127.0.0.1:3000]
//! cargo lifecycle scale [--connections C] [--accounts K] [--no-symmetry] [--no-header]
//! ```

use std::process::ExitCode;
use std::time::Instant;

use nectar_lifecycle_core::Rules;
use nectar_lifecycle_models::{
    ConnectionModel, DeliveryModel, Symmetry, SystemModel, check_all, findings,
};
use stateright::{Checker, Model};

const USAGE: &str = "usage:
  lifecycle check [--connections C] [--accounts K] [--no-symmetry]
  lifecycle explore [--model documented|operational|system|delivery] [--addr HOST:PORT]
  lifecycle scale [--connections C] [--accounts K] [--no-symmetry] [--no-header]";

/// Flags as `--name value` pairs (and bare `--name` switches).
struct Args(Vec<String>);

impl Args {
    fn value(&self, name: &str) -> Option<&str> {
        let i = self.0.iter().position(|a| a == name)?;
        self.0.get(i + 1).map(String::as_str)
    }

    fn number(&self, name: &str, default: usize) -> Result<usize, String> {
        self.value(name).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| format!("{name} expects a number, got {v:?}"))
        })
    }

    fn switch(&self, name: &str) -> bool {
        self.0.iter().any(|a| a == name)
    }
}

fn main() -> ExitCode {
    let mut argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let command = argv.remove(0);
    let args = Args(argv);
    let result = match command.as_str() {
        "check" => check(&args),
        "explore" => explore(&args),
        "scale" => scale(&args),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(true)
        }
        other => Err(format!("unknown command {other:?}\n{USAGE}")),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn system_from(args: &Args) -> Result<SystemModel, String> {
    Ok(SystemModel {
        connections: args.number("--connections", 1)?.max(1),
        accounts: args.number("--accounts", 3)?,
        symmetry: if args.switch("--no-symmetry") {
            Symmetry::Unreduced
        } else {
            Symmetry::Reduced
        },
        bug: None,
    })
}

fn check(args: &Args) -> Result<bool, String> {
    let start = Instant::now();
    let reports = check_all(system_from(args)?, DeliveryModel::default());
    for r in &reports {
        println!("{r}");
    }
    println!("== findings about the published spec");
    print!("{}", findings(&reports));
    let passed = reports.iter().all(|r| r.passes());
    println!(
        "\n{} in {:.1} s",
        if passed {
            "ALL INVARIANTS HOLD"
        } else {
            "INVARIANT FAILED"
        },
        start.elapsed().as_secs_f64()
    );
    Ok(passed)
}

fn explore(args: &Args) -> Result<bool, String> {
    let addr = args.value("--addr").unwrap_or("127.0.0.1:3000").to_owned();
    let model = args.value("--model").unwrap_or("operational");
    println!("Stateright Explorer for the {model} model on http://{addr}/ (Ctrl-C to stop)");
    match model {
        "documented" => {
            ConnectionModel::new(Rules::Documented)
                .checker()
                .threads(1)
                .serve(addr);
        }
        "operational" => {
            ConnectionModel::new(Rules::Operational)
                .checker()
                .threads(1)
                .serve(addr);
        }
        "system" => {
            system_from(args)?.checker().threads(1).serve(addr);
        }
        "delivery" => {
            DeliveryModel::default().checker().threads(1).serve(addr);
        }
        other => {
            return Err(format!(
                "unknown model {other:?}: documented, operational, system or delivery"
            ));
        }
    }
    Ok(true)
}

fn scale(args: &Args) -> Result<bool, String> {
    let model = system_from(args)?;
    let start = Instant::now();
    let checker = model.checker().threads(1).spawn_bfs().join();
    if !args.switch("--no-header") {
        println!("| connections | accounts | symmetry | unique states | states | seconds |");
        println!("| --- | --- | --- | --- | --- | --- |");
    }
    println!(
        "| {} | {} | {} | {} | {} | {:.2} |",
        model.connections,
        model.accounts,
        match model.symmetry {
            Symmetry::Reduced => "reduced",
            Symmetry::Unreduced => "unreduced",
        },
        checker.unique_state_count(),
        checker.state_count(),
        start.elapsed().as_secs_f64()
    );
    Ok(true)
}
