//! SIGKILL: the receiver binary killed in the middle of a load run, restarted on the same
//! database; Svix's redelivery of the unanswered requests leaves nothing lost and nothing
//! doubled.

use core::time::Duration;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::{Arc, PoisonError};

use nectar_receiver::{DatabaseUrl, Engine, WEBHOOK_PATH};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

use crate::support::load::{Background, Disorder, Faults, Load, LoadPlan, seed, verify};
use crate::support::{API_KEY, NectarDouble, ROTATED_SECRET, SECRET, TestDb};

/// The receiver binary as a child process (killed if dropped).
pub(crate) struct Receiver {
    process: Child,
    addr: SocketAddr,
}

impl Receiver {
    /// Starts `nectar-receiver` on `database`, listening on `listen` (port 0: any), polling
    /// the double at `nectar`, configured by the environment as an integrator would; returns
    /// once it listens.
    async fn start(database: &DatabaseUrl, nectar: SocketAddr, listen: SocketAddr) -> Self {
        Self::start_with(database, nectar, listen, &[]).await
    }

    /// As [`Receiver::start`], with the variables `env` set too (after the others, so they
    /// win).
    pub(crate) async fn start_with(
        database: &DatabaseUrl,
        nectar: SocketAddr,
        listen: SocketAddr,
        env: &[(&str, &str)],
    ) -> Self {
        let mut process = Command::new(env!("CARGO_BIN_EXE_nectar-receiver"));
        process
            .env("DATABASE_URL", database.expose())
            .env(
                "NECTAR_WEBHOOK_SECRETS",
                format!("{SECRET} {ROTATED_SECRET}"),
            )
            .env("NECTAR_API_BASE_URL", format!("http://{nectar}"))
            .env("NECTAR_API_KEY", API_KEY)
            .env("LISTEN_ADDR", listen.to_string())
            // The start-up line (with the address), not a line per delivery.
            .env(
                "RUST_LOG",
                "warn,nectar_receiver=info,nectar_receiver::http=warn",
            )
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let mut process = process.spawn().expect("the receiver binary starts");
        let stdout = process.stdout.take().expect("stdout is piped");
        let (found, listening) = oneshot::channel::<SocketAddr>();
        let log = Arc::new(std::sync::Mutex::new(VecDeque::new()));
        // Reads its log until it says where it listens, keeping its last lines.
        let kept = log.clone();
        tokio::spawn(async move {
            let mut found = Some(found);
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let addr = line
                    .split_whitespace()
                    .find_map(|word| word.strip_prefix("addr=")?.parse().ok());
                if let Some(addr) = addr
                    && let Some(found) = found.take()
                {
                    let _test_gone = found.send(addr);
                }
                let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
                if kept.len() == 40 {
                    kept.pop_front();
                }
                kept.push_back(line);
            }
        });
        let listening = tokio::time::timeout(Duration::from_secs(20), listening)
            .await
            .expect("the receiver listens within 20 s");
        let Ok(addr) = listening else {
            let status = tokio::time::timeout(Duration::from_secs(5), process.wait()).await;
            let log = log.lock().unwrap_or_else(PoisonError::into_inner);
            let log = Vec::from(log.clone()).join("\n");
            panic!("the receiver exited before listening ({status:?}):\n{log}");
        };
        Self { process, addr }
    }

    /// Where it listens.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub(crate) fn webhook_url(&self) -> String {
        format!("http://{}{WEBHOOK_PATH}", self.addr)
    }

    /// SIGKILL (what `Child::kill` sends on Unix), and wait for it to be gone.
    pub(crate) async fn kill(&mut self) {
        tokio::time::timeout(Duration::from_secs(10), self.process.kill())
            .await
            .expect("the receiver dies within 10 s")
            .expect("the receiver is killed");
    }
}

/// The run is killed once this share of its requests has been answered.
const KILL_AT: f64 = 0.4;
/// How long the receiver stays dead.
const DEAD_FOR: Duration = Duration::from_millis(400);

async fn killed_and_restarted(engine: Engine) {
    let _shared = crate::POSTGRES.read().await;
    let Some(db) = TestDb::create(engine).await else {
        return;
    };
    let nectar = NectarDouble::start().await;
    let any_port = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut receiver = Receiver::start(db.url(), nectar.addr, any_port).await;
    let store = db.open().await;

    // No gaps: a poll job claimed by the killed receiver would wait out its lease (60 s).
    let plan = Arc::new(LoadPlan::new("conn", 60, 3..=6, Disorder::NO_GAPS, seed()));
    let mut load = Load::new(vec![receiver.webhook_url()], store.clone(), &nectar);
    load.faults = Faults::Injected {
        give_up_after: Duration::from_secs(20),
    };
    let run = Background::start(&plan, load, Duration::from_secs(40));

    run.until_answered(KILL_AT).await;
    receiver.kill().await;
    let killed_after = run.answered();
    tokio::time::sleep(DEAD_FOR).await;
    // The same database, the same address: Svix's endpoint does not change.
    let mut receiver = Receiver::start(db.url(), nectar.addr, receiver.addr).await;

    let report = run.finish().await;
    eprintln!(
        "{engine}: SIGKILL after {killed_after} of {} requests answered; {}",
        plan.deliveries(),
        report.summary()
    );
    assert!(report.failures.is_empty(), "{:#?}", report.failures);
    assert!(
        report.unanswered > 0,
        "the kill left requests unanswered: {report:?}"
    );
    assert!(report.redelivered > 0, "{report:?}");
    assert_eq!(report.server_errors(), 0, "{report:?}");
    let notifications = verify(&plan, &store).await;
    eprintln!(
        "{engine}: after the restart, {} records and {notifications} notifications exact",
        plan.connections.len()
    );

    receiver.kill().await;
    store.close().await;
    nectar.stop();
    db.remove().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    killed_and_restarted(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    killed_and_restarted(Engine::Postgres).await;
}
