//! The `contest-cli` command line: one file per subcommand.
//!
//! Exit codes (documented in the README):
//! - 0: success;
//! - 1: the claim does not hold (e.g. accuracy below the threshold, an invalid proof);
//! - 2: usage or input error (bad flags, malformed or out-of-range files);
//! - 3: the environment failed (I/O, an unreachable RPC endpoint).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod dashboard;
mod inputs;
mod model_evaluate;
mod model_inspect;
mod output;
mod prove;
mod setup;
mod testset_commit;
mod vectors;
mod verifier;
mod verify;

pub use output::{Failure, Outcome};

/// Provably fair ML contests: zero-knowledge accuracy proofs verified on an EVM chain.
#[derive(Debug, Parser)]
#[command(name = "contest-cli", version, about, propagate_version = true)]
pub struct Cli {
    /// Print the result as JSON on stdout (progress and warnings still go to stderr).
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the shared Poseidon test vectors (Rust ↔ Solidity ↔ circuit) as JSON.
    Vectors(vectors::VectorsArgs),
    /// Inspect and evaluate competitor models.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Organiser's test-set tools.
    #[command(subcommand)]
    Testset(TestsetCommand),
    /// Size the circuit for a spec, get an SRS and write the contest's keys.
    Setup(setup::SetupArgs),
    /// Prove that a committed model gets `correct` rows right on the committed test set.
    Prove(prove::ProveArgs),
    /// Check a proof directory natively (exit 0 valid, 1 invalid).
    Verify(verify::VerifyArgs),
    /// Render and compile the contest's Solidity verifier (source, creation code, sizes).
    Verifier(verifier::VerifierArgs),
    /// Organiser dashboard: a local web page of a contest, live from chain events (read-only).
    Dashboard(dashboard::DashboardArgs),
}

#[derive(Debug, Subcommand)]
enum ModelCommand {
    /// Ops, shapes, parameter count of an ONNX model, and its envelope fit with `--spec`.
    Inspect(model_inspect::ModelInspectArgs),
    /// Float (tract) vs quantised accuracy, agreement and confusion on a test set.
    Evaluate(model_evaluate::ModelEvaluateArgs),
}

#[derive(Debug, Subcommand)]
enum TestsetCommand {
    /// Print the test-set commitment `T` (docs/PROTOCOL.md §4).
    Commit(testset_commit::TestsetCommitArgs),
}

/// Parses the command line, runs the subcommand and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let json = cli.json;
    let result = match cli.command {
        Command::Vectors(args) => args.run(json),
        Command::Model(ModelCommand::Inspect(args)) => args.run(json),
        Command::Model(ModelCommand::Evaluate(args)) => args.run(json),
        Command::Testset(TestsetCommand::Commit(args)) => args.run(json),
        Command::Setup(args) => args.run(json),
        Command::Prove(args) => args.run(json),
        Command::Verify(args) => args.run(json),
        Command::Verifier(args) => args.run(json),
        Command::Dashboard(args) => args.run(json),
    };
    output::finish(result)
}
