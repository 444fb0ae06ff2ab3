//! The one generator of the workspace's generated files, from the transition table of
//! `nectar-lifecycle-core`.
//!
//! [`artifacts`] lists every generated file with what it must hold; `cargo xtask generate`
//! writes them and `cargo xtask check` fails when one is stale. Each generated file says it
//! is generated and names [`GENERATE`].
//!
//! # The SPIN comparison
//!
//! Among the generated files are two Promela models of one connection,
//! `docs/promela/connection-documented.pml` and `docs/promela/connection-operational.pml`
//! ([`promela`]): the transition table's cells as guarded commands, the overlays, their
//! history and the fresh-cycle flag written in Promela, the stateright model's invariants as
//! assertions. The test `cargo test -p xtask --test spin` checks each with SPIN
//! (`spin -o3 -a`, pan built with `gcc -O0 -DSAFETY -DNOREDUCE`, `./pan -m100000 -w16`) and
//! compares with `nectar_lifecycle_models::check_connection` on the same model: the same
//! number of states (68 under the documented rules, 84 under the operational rules) and of
//! steps (pan's transitions, stateright's generated states: 140 and 266), the same visible
//! statuses reached (under the documented rules both miss
//! `ADDITIONAL_CREDENTIALS_NEEDED` and `URL_INACCESSIBLE`), the same table edges never taken
//! (9 under the documented rules, none under the operational rules), and no assertion
//! failing; a broken variant of the model shows each assertion can fail. SPIN must be
//! installed (Debian package `spin`): the test fails without it. `bash scripts/spin-check.sh`
//! installs it when missing, runs SPIN on the generated models alone and prints pan's
//! figures. `docs/promela/README.md` explains the encoding and the figures.
//!
//! The system model is generated too (`docs/promela/system-CxK.pml`, [`promela::system`]),
//! for 1 connection x 1 account, 1 x 2 and 2 connections x 0: the tables' cells, the event
//! facts and the scheduler's policy (`next_check_due` in the week abstraction,
//! `Scheduled::collection`) as data from the core; the overlays, following the parent, the
//! scheduler's and the company's steps and the monitors in Promela. The same test compares
//! 1 x 2 and 2 x 0 with `nectar_lifecycle_models::check_system` on the unreduced model (SPIN
//! has no symmetry reduction): 203,520 and 16,200 states, 1,094,657 and 91,261 steps, the
//! same statuses reached and table edges taken (all of them), no assertion failing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{fs, io};

use nectar_lifecycle_core::render::{
    Diagram, Format, TABLE_LEGEND, account_table, connection_table, inferred_edges, status_table,
};
use nectar_lifecycle_core::{Enumerated, Rules};

pub mod promela;

/// The command that regenerates every generated file.
pub const GENERATE: &str = "cargo xtask generate";

/// What every generated file says of itself, in its format's comment syntax.
const NOTICE: &str = "Generated from the transition table by `cargo xtask generate`; do not edit.";

/// The markers around the README's generated block.
const README_START: &str = "<!-- documented-diagram:start -->";
const README_END: &str = "<!-- documented-diagram:end -->";

/// Where the rustdoc of `nectar-lifecycle-core` includes its diagrams from.
const RUSTDOC_DIAGRAMS: [(&str, Diagram); 3] = [
    (
        "core/doc/connection-documented.mmd",
        Diagram::ConnectionDocumented,
    ),
    (
        "core/doc/connection-overlays.mmd",
        Diagram::ConnectionOverlays,
    ),
    ("core/doc/account-overlays.mmd", Diagram::AccountOverlays),
];

/// The workspace's root directory: the parent of this crate's.
#[must_use]
pub fn workspace_root() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}

/// How much of its file an artifact generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extent {
    /// The whole file.
    Whole,
    /// Only the lines strictly between the line `start` and the line `end`; the rest of the
    /// file is written by hand.
    Between {
        /// The line that opens the block.
        start: &'static str,
        /// The line that closes it.
        end: &'static str,
    },
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// The path from the workspace root, with `/` separators.
    pub path: String,
    /// What the file, or its block, holds.
    pub contents: String,
    /// Whether `contents` is the whole file or a block of it.
    pub extent: Extent,
}

impl Artifact {
    fn whole(path: impl Into<String>, contents: String) -> Self {
        Self {
            path: path.into(),
            contents,
            extent: Extent::Whole,
        }
    }

    /// What the file must hold, given what it holds now (`None` when it does not exist).
    ///
    /// # Errors
    /// A block artifact whose file is missing, or lacks either marker line.
    pub fn expected(&self, current: Option<&str>) -> Result<String, String> {
        match self.extent {
            Extent::Whole => Ok(self.contents.clone()),
            Extent::Between { start, end } => {
                let current = current.ok_or_else(|| format!("{} does not exist", self.path))?;
                let missing = |marker: &str| format!("{} lacks the line {marker}", self.path);
                let (head, rest) = split_at_line(current, start).ok_or_else(|| missing(start))?;
                let (_, tail) = split_at_line(rest, end).ok_or_else(|| missing(end))?;
                Ok(format!("{head}{start}\n{}{end}\n{tail}", self.contents))
            }
        }
    }

    /// Whether the file under `root` holds what it must.
    ///
    /// # Errors
    /// The file cannot be read, or see [`Artifact::expected`].
    pub fn is_current(&self, root: &Path) -> Result<bool, String> {
        let current = read(&root.join(&self.path))?;
        let expected = self.expected(current.as_deref())?;
        Ok(current.as_deref() == Some(expected.as_str()))
    }

    /// Writes the file under `root` if it is stale; returns whether it was.
    ///
    /// # Errors
    /// The file cannot be read or written, or see [`Artifact::expected`].
    pub fn write(&self, root: &Path) -> Result<bool, String> {
        let path = root.join(&self.path);
        let current = read(&path)?;
        let expected = self.expected(current.as_deref())?;
        if current.as_deref() == Some(expected.as_str()) {
            return Ok(false);
        }
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        fs::write(&path, expected).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(true)
    }
}

/// `(before, after)` the first line that is exactly `line`; `before` keeps its newline.
fn split_at_line<'a>(text: &'a str, line: &str) -> Option<(&'a str, &'a str)> {
    let mut offset = 0;
    for l in text.split_inclusive('\n') {
        if l.trim_end_matches(['\n', '\r']) == line {
            return Some((&text[..offset], &text[offset + l.len()..]));
        }
        offset += l.len();
    }
    None
}

fn read(path: &Path) -> Result<Option<String>, String> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// A diagram as a file of its format: the notice, then the diagram.
fn diagram_file(diagram: Diagram, format: Format) -> String {
    format!("{}{}", format.comment(NOTICE), diagram.render(format))
}

fn fenced(language: &str, text: &str) -> String {
    format!("```{language}\n{text}```\n")
}

/// Every generated file, in a stable order.
#[must_use]
pub fn artifacts() -> Vec<Artifact> {
    let mut out = vec![Artifact::whole("docs/transitions.md", transitions())];
    // Each diagram in every format, side by side: `.mmd`, `.dot` and the self-contained
    // `.svg` (laid out by the core, no Graphviz).
    for &diagram in Diagram::ALL {
        for &format in Format::ALL {
            let path = format!("docs/diagrams/{}.{}", diagram.name(), format.extension());
            out.push(Artifact::whole(path, diagram_file(diagram, format)));
        }
    }
    for (path, diagram) in RUSTDOC_DIAGRAMS {
        out.push(Artifact::whole(
            path,
            diagram_file(diagram, Format::Mermaid),
        ));
    }
    for &rules in Rules::ALL {
        out.push(Artifact::whole(
            promela::path(rules),
            promela::connection_model(rules, NOTICE),
        ));
    }
    for (connections, accounts) in promela::system::GENERATED {
        out.push(Artifact::whole(
            promela::system::path(connections, accounts),
            promela::system::model(connections, accounts, NOTICE),
        ));
    }
    out.push(Artifact {
        path: "README.md".to_owned(),
        contents: format!(
            "<!-- {NOTICE} -->\n{}",
            fenced(
                "mermaid",
                &Diagram::ConnectionDocumented.render(Format::Mermaid)
            )
        ),
        extent: Extent::Between {
            start: README_START,
            end: README_END,
        },
    });
    out
}

/// `docs/transitions.md`: every diagram, then the exhaustive tables.
fn transitions() -> String {
    let mut out = String::new();
    let diagram = |out: &mut String, diagram: Diagram, intro: &str| {
        let _ = write!(
            out,
            "\n### {}\n\n{intro}\n\n{}",
            diagram.title(),
            fenced("mermaid", &diagram.render(Format::Mermaid))
        );
    };
    let _ = write!(
        out,
        "# Allowed transitions\n\n<!-- {NOTICE} -->\n\n\
         Every edge a `Connection` or an `Account` allows, drawn and tabulated from the \
         transition table the machines run on. The diagrams are below in Mermaid; their \
         Mermaid and Graphviz sources, and an SVG of each, are in [diagrams/](diagrams/).\n\n\
         How to read the diagrams: each status is coloured by its category (green healthy, \
         red credential or parent errors, amber provider or collection errors, grey \
         terminal), and grouped in a box of its category in the Graphviz sources. A dashed \
         box such as *UNDER_INVESTIGATION or any provider error* stands for each status it \
         names: an edge from it leaves each of them with the same event, and a loop on it \
         keeps each of them where it is. Edges between the same two statuses are merged, \
         their events separated by commas. An event marked `[inferred]` is not in the \
         published diagram but follows from the status tables and check rules (dashed in \
         the Graphviz sources); see [the inferred edges](#inferred-edges). The tables \
         below the diagrams list every cell.\n\n\
         ## Connections\n"
    );
    diagram(
        &mut out,
        Diagram::ConnectionDocumented,
        "Exactly Nectar's published diagram: `Rules::Documented` allows these 22 edges, plus \
         the overlays.",
    );
    diagram(
        &mut out,
        Diagram::ConnectionOperational,
        "`Rules::Operational`, the default: the published diagram plus the edges the status \
         tables and check rules imply, plus the overlays.",
    );
    diagram(
        &mut out,
        Diagram::ConnectionOverlays,
        "`DEACTIVATED` and `COMPANY_INACTIVE` are layers over the operational status, the same \
         under both rule sets. Raising one leaves its layer and shows the overlay's status; \
         lifting it returns into the layer where it was left (history), so the status it \
         covered shows again. While an overlay shows, no lifecycle event is accepted.",
    );
    let _ = write!(
        out,
        "\n### Status x event, documented rules\n\n{TABLE_LEGEND}\n\n{}\
         \n### Status x event, operational rules\n\n{}\
         \n### Inferred edges\n\nThe edges `Rules::Operational` adds to the published \
         diagram, each with the principle it follows.\n\n{}\
         \n## Accounts\n",
        connection_table(Rules::Documented),
        connection_table(Rules::Operational),
        inferred_edges(),
    );
    diagram(
        &mut out,
        Diagram::AccountLifecycle,
        "Between the account's own statuses. Nectar publishes no account diagram: every edge \
         is inferred from the account status table and Nectar's account docs.",
    );
    diagram(
        &mut out,
        Diagram::AccountOverlays,
        "`WORKFLOW_NOT_ACCESSIBLE` (the parent connection is in a credential error), \
         `CUSTOMER_NOT_TRACKED` (tracking is `DISABLED`) and `COMPANY_INACTIVE`, lowest first, \
         each a layer with history like the connection's overlays.",
    );
    let _ = write!(
        out,
        "\n### Status x event\n\n{TABLE_LEGEND}\n\n{}\
         \n## Check policy and remediation\n\n{}",
        account_table(),
        status_table(),
    );
    out
}
