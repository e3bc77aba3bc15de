//! The contest's flows, shared by `contest-cli`'s subcommands and `contest-cli demo`:
//! - `organiser`: deploy the verifier (and a registry), create and fund a contest, reveal
//!   the test set in resumable chunks;
//! - `competitor`: commit (secret stored before the transaction), submit (prove, simulate,
//!   send), reveal the model (resumable), forfeit a late winner, withdraw;
//! - `audit`: check every accepted proof of a contest from chain data alone;
//! - `ceremony`: a contest's own powers-of-tau ceremony on chain (records, final transcript);
//! - `columns`: a competitor's model and test-set proofs in a contest with shared columns
//!   (PROTOCOL §14.2.1);
//! - `challenge`: check the organiser's optimistic test-set reveal chunk by chunk and challenge
//!   a wrong chunk (PROTOCOL §14.3);
//! - `trust`: the audit a competitor runs before committing or submitting: registry, verifier
//!   rebuilt from the spec and SRS, parameters against the spec, SRS provenance;
//! - `state`: the competitor's on-disk secrets.
//!
//! Every step first reads what already happened on chain, so rerunning any command after a
//! crash, a killed process or a dropped connection continues instead of repeating or failing.
//! Progress goes through a caller-supplied callback (only `cli` touches the terminal).

pub mod audit;
pub mod ceremony;
pub mod challenge;
pub mod cluster;
pub mod columns;
pub mod competitor;
pub mod organiser;
pub mod shards;
pub mod state;
pub mod trust;

use std::path::{Path, PathBuf};

use sha3::{Digest, Keccak256};

use crate::chain::types::Phase;
use crate::chain::ChainError;

/// Where a long contest flow reports how it goes (the CLI: lines on stderr, and progress bars
/// for chunked reveals and proving stages on a terminal).
pub trait Report {
    /// A line for the user.
    fn note(&self, msg: &str);

    /// `done` of `total` elements of `what` ("test set", "model") are on chain; the last chunk
    /// used `gas`. By default, a line.
    fn chunk(&self, what: &str, done: usize, total: usize, gas: u64) {
        self.note(&format!(
            "{what}: {done}/{total} elements on chain ({gas} gas)"
        ));
    }

    /// A stage of `what` begins that should take about `seconds` (`source`: where that figure
    /// comes from); it lasts until the next stage or [`Report::stage_done`]. By default, a line.
    fn stage(&self, what: &str, seconds: f64, source: &str) {
        self.note(&stage_line(what, seconds, source));
    }

    /// The last stage ended.
    fn stage_done(&self) {}
}

/// The line for a stage when no bar is drawn.
pub fn stage_line(what: &str, seconds: f64, source: &str) -> String {
    format!("{what} (about {seconds:.1} s, {source})")
}

/// Any `Fn(&str)` takes every report as a line.
impl<F: Fn(&str)> Report for F {
    fn note(&self, msg: &str) {
        self(msg)
    }
}

/// Progress reports for the user.
pub type Progress<'a> = &'a dyn Report;

/// Errors of the contest flows.
#[derive(Debug, thiserror::Error)]
pub enum ContestError {
    /// A chain call failed or the registry rejected it.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An input (spec, model, test set, keys) is unusable.
    #[error("{0}")]
    Input(String),
    /// The step is not possible in the contest's current phase.
    #[error("{action}: the contest is in its {} phase; {detail}", .phase.name())]
    WrongPhase {
        /// What was attempted.
        action: &'static str,
        /// The phase.
        phase: Phase,
        /// What to do.
        detail: String,
    },
    /// The competitor state directory is unusable.
    #[error("competitor state: {0}")]
    State(String),
    /// The prover failed.
    #[error("proving: {0}")]
    Prover(String),
}

impl ContestError {
    pub(crate) fn input(e: impl std::fmt::Display) -> Self {
        Self::Input(e.to_string())
    }

    /// Whether the registry (or verifier) rejected a proof: the claim does not hold.
    pub fn is_proof_rejection(&self) -> bool {
        matches!(self, Self::Chain(ChainError::Reverted { error, .. }) if error.starts_with("ProofRejected"))
    }
}

/// `Result` with [`ContestError`].
pub type Result<T> = std::result::Result<T, ContestError>;

/// The spec file of a spec path (a folder means its `contest.toml`).
pub fn spec_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("contest.toml")
    } else {
        path.to_path_buf()
    }
}

/// keccak-256 of the spec file's bytes: the `specHash` a contest records, so everyone can
/// check which spec (envelope, quantisation, ranges) its verifier was generated for.
pub fn spec_hash(path: &Path) -> Result<[u8; 32]> {
    let file = spec_file(path);
    let bytes = std::fs::read(&file).map_err(|source| ContestError::Io { path: file, source })?;
    Ok(Keccak256::digest(&bytes).into())
}

/// Reads a whole file, naming it on failure.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| ContestError::Io {
        path: path.to_path_buf(),
        source,
    })
}
