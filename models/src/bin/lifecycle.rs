//! `cargo lifecycle <command>`: model checking, the Stateright Explorer, and a scaling row.
//!
//! ```text
//! cargo lifecycle check [--connections C] [--accounts K] [--no-symmetry] [--threads 1|2 [--stateright-threads]]
//! cargo lifecycle explore [--model documented|operational|system|delivery|sweep|actions|decisions] [--addr 127.0.0.1:3000]
//! cargo lifecycle scale [--connections C] [--accounts K] [--no-symmetry] [--no-header] [--stateright [--checker-threads N]]
//! ```
//!
//! `check` without `--connections`/`--accounts` runs the default system models (1 x 3 and
//! 2 x 1); with either, the one system model they name; the delivery model, the two
//! sweep models and the two actions models (invitations, decisions) run either way.
//! `--threads 2`, the default, shares the models between two workers, the
//! delivery model first on one and the largest system model first on the other (measured
//! the fastest on the 2-core machine, see the README);
//! with `--stateright-threads` it instead runs everything in turn and gives stateright two
//! threads for the delivery and sweep models; `--threads 1` runs everything in turn. `scale` prints
//! one row of the
//! README's table: the one exploration `check` runs (or, with `--stateright`, stateright's
//! checker alone, for comparison), and the process's peak resident memory.

use std::process::ExitCode;
use std::time::Instant;

use nectar_lifecycle_core::Rules;
use nectar_lifecycle_models::{
    ActionsModel, ConnectionModel, DeliveryModel, MAX_ACCOUNTS, MAX_CONNECTIONS, SweepModel,
    Symmetry, SystemModel, Threads, check_all_with_actions, check_system_reporting,
    default_actions, default_sweeps, default_systems, findings,
};
use stateright::{Checker, Model};

const USAGE: &str = "usage:
  lifecycle check [--connections C] [--accounts K] [--no-symmetry] [--threads 1|2 [--stateright-threads]]
  lifecycle explore [--model documented|operational|system|delivery|sweep|actions|decisions] [--addr HOST:PORT]
  lifecycle scale [--connections C] [--accounts K] [--no-symmetry] [--no-header] [--stateright [--checker-threads N]]";

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
    let connections = args.number("--connections", 1)?;
    let accounts = args.number("--accounts", 3)?;
    if !(1..=MAX_CONNECTIONS).contains(&connections) || accounts > MAX_ACCOUNTS {
        return Err(format!(
            "the system model takes 1 to {MAX_CONNECTIONS} connections and 0 to \
             {MAX_ACCOUNTS} accounts per connection, got {connections} x {accounts}"
        ));
    }
    Ok(SystemModel {
        connections,
        accounts,
        symmetry: if args.switch("--no-symmetry") {
            Symmetry::Unreduced
        } else {
            Symmetry::Reduced
        },
        bug: None,
    })
}

fn check(args: &Args) -> Result<bool, String> {
    let systems = if args.value("--connections").is_some() || args.value("--accounts").is_some() {
        vec![system_from(args)?]
    } else {
        default_systems()
            .into_iter()
            .map(|m| SystemModel {
                symmetry: system_from(args).map_or(m.symmetry, |s| s.symmetry),
                ..m
            })
            .collect()
    };
    let threads = match (
        args.number("--threads", 2)?,
        args.switch("--stateright-threads"),
    ) {
        (1, _) => Threads::One,
        (2, false) => Threads::Two,
        (2, true) => Threads::TwoForStateright,
        (n, _) => return Err(format!("--threads expects 1 or 2, got {n}")),
    };
    let start = Instant::now();
    let reports = check_all_with_actions(
        &systems,
        DeliveryModel::default(),
        &default_sweeps(),
        &default_actions(),
        threads,
    );
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
        "sweep" => {
            SweepModel::default().checker().threads(1).serve(addr);
        }
        "actions" => {
            ActionsModel::default().checker().threads(1).serve(addr);
        }
        "decisions" => {
            ActionsModel::decisions().checker().threads(1).serve(addr);
        }
        other => {
            return Err(format!(
                "unknown model {other:?}: documented, operational, system, delivery, sweep, \
                 actions or decisions"
            ));
        }
    }
    Ok(true)
}

fn scale(args: &Args) -> Result<bool, String> {
    let model = system_from(args)?;
    let start = Instant::now();
    let (how, unique, generated, passed) = if args.switch("--stateright") {
        let threads = args.number("--checker-threads", 1)?.max(1);
        let checker = model.checker().threads(threads).spawn_bfs().join();
        let passed = model
            .properties()
            .iter()
            .all(|p| checker.discovery(p.name).is_none());
        (
            format!("stateright, {threads} thread(s)"),
            checker.unique_state_count(),
            checker.state_count(),
            passed,
        )
    } else {
        let report = check_system_reporting(model, &mut |states| {
            eprintln!(
                "{states} states found after {:.1} s, peak memory {}",
                start.elapsed().as_secs_f64(),
                peak_memory().unwrap_or_else(|| "?".to_owned())
            );
        });
        if let Some(why) = &report.incomplete {
            return Err(why.clone());
        }
        (
            "one exploration".to_owned(),
            report.unique_states,
            report.states,
            report.passes(),
        )
    };
    let seconds = start.elapsed().as_secs_f64();
    if !args.switch("--no-header") {
        println!(
            "| connections | accounts | symmetry | checker | unique states | states | seconds | unique states / s | peak memory | verdict |"
        );
        println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    }
    #[allow(
        clippy::cast_precision_loss,
        reason = "a rate shown to the nearest state"
    )]
    let rate = unique as f64 / seconds.max(f64::EPSILON);
    println!(
        "| {} | {} | {} | {how} | {unique} | {generated} | {seconds:.2} | {rate:.0} | {} | {} |",
        model.connections,
        model.accounts,
        match model.symmetry {
            Symmetry::Reduced => "reduced",
            Symmetry::Unreduced => "unreduced",
        },
        peak_memory().unwrap_or_else(|| "?".to_owned()),
        if passed { "pass" } else { "FAIL" },
    );
    Ok(passed)
}

/// The process's peak resident memory so far (`VmHWM`, Linux), e.g. `"128 MB"`.
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{} MB", kb / 1024))
}
