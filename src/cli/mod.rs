//! The `contest-cli` command line: one file per subcommand.
//!
//! Exit codes (documented in the README):
//! - 0: success;
//! - 1: the claim does not hold (e.g. accuracy below the threshold, an invalid proof);
//! - 2: usage or input error (bad flags, malformed or out-of-range files);
//! - 3: the environment failed (I/O, an unreachable RPC endpoint).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod audit;
mod ceremony;
mod chain_args;
mod challenge_testset;
mod commit;
mod create;
mod dashboard;
mod demo;
mod events;
mod forfeit;
mod inputs;
mod model_evaluate;
mod model_inspect;
mod output;
mod prove;
mod reveal;
mod reveal_testset;
mod setup;
mod shard_plan;
mod spec_init;
mod srs;
mod status;
mod submit;
mod testset_commit;
mod testset_import;
mod vectors;
mod verifier;
mod verify;
mod withdraw;

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
    /// Organiser: scaffold a contest spec from training data.
    #[command(subcommand)]
    Spec(SpecCommand),
    /// Organiser's test-set tools.
    #[command(subcommand)]
    Testset(TestsetCommand),
    /// Size the circuit for a spec, get an SRS and write the contest's keys.
    Setup(setup::SetupArgs),
    /// Structured reference strings from public ceremonies.
    #[command(subcommand)]
    Srs(SrsCommand),
    /// The contest's own powers-of-tau ceremony: contribute to and verify `.ptau` files.
    #[command(subcommand)]
    Ceremony(ceremony::CeremonyCommand),
    /// Prove that a committed model gets `correct` rows right on the committed test set.
    Prove(prove::ProveArgs),
    /// Check a proof directory natively (exit 0 valid, 1 invalid).
    Verify(verify::VerifyArgs),
    /// Render and compile the contest's Solidity verifier (source, creation code, sizes).
    Verifier(verifier::VerifierArgs),
    /// A whole contest on a local anvil: create, commit, reveal, prove, pay (the main job).
    Demo(demo::DemoArgs),
    /// Organiser: deploy the verifier (and a registry), create and fund a contest.
    Create(create::CreateArgs),
    /// Organiser: post the committed test set on chain (resumable).
    RevealTestset(reveal_testset::RevealTestsetArgs),
    /// Competitor: commit to a model (the salt is stored before anything is sent).
    Commit(commit::CommitArgs),
    /// Competitor: prove the committed model's accuracy and submit the proof.
    Submit(submit::SubmitArgs),
    /// Competitor: shards of a sharded contest proved elsewhere (a cluster's plan).
    #[command(subcommand)]
    Shard(ShardCommand),
    /// Competitor: reveal the committed model when called (resumable).
    Reveal(reveal::RevealArgs),
    /// Anyone: check a contest against its spec — registry, verifier rebuilt from the spec and
    /// SRS, parameters, SRS provenance (exit 0 all hold, 1 one fails).
    Audit(audit::AuditArgs),
    /// Anyone: check the organiser's test-set chunks and challenge a wrong one in the challenge
    /// window (the organiser then defaults).
    ChallengeTestset(challenge_testset::ChallengeTestsetArgs),
    /// Anyone: record that a called winner missed its reveal deadline.
    Forfeit(forfeit::ForfeitArgs),
    /// Collect what this account is owed (prize, bond, refunds).
    Withdraw(withdraw::WithdrawArgs),
    /// A contest's phase, deadlines, escrow and ranking.
    Status(status::StatusArgs),
    /// A contest's decoded events (`--follow` to watch).
    Events(events::EventsArgs),
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
    /// Quantise a CSV or NumPy test set by the spec into a `.zkts` file (summary on stderr).
    Import(testset_import::TestsetImportArgs),
}

#[derive(Debug, Subcommand)]
enum SpecCommand {
    /// Scaffold a schema-2 spec (per-column quantisation, class labels, a dense envelope) from
    /// a training CSV.
    Init(spec_init::SpecInitArgs),
}

#[derive(Debug, Subcommand)]
enum ShardCommand {
    /// Write what a cluster needs to prove one shard per worker: the inputs, each shard's
    /// `prove --shard` command and a Kubernetes Indexed Job (`submit --collect` sends the proofs).
    Plan(shard_plan::ShardPlanArgs),
}

#[derive(Debug, Subcommand)]
enum SrsCommand {
    /// Import a snarkjs powers-of-tau file (e.g. the Hermez powersOfTau28_hez_final_XX.ptau)
    /// as halo2 KZG parameters for `setup --srs`, after checking its points.
    Import(srs::SrsImportArgs),
}

/// Parses the command line, runs the subcommand and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    output::quiet_on_closed_stdout();
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
    if let Err(e) = crate::prover::require_cpu_features() {
        return output::finish(Err(Failure::env(anyhow::anyhow!(e))));
    }
    let result = match cli.command {
        Command::Vectors(args) => args.run(json),
        Command::Model(ModelCommand::Inspect(args)) => args.run(json),
        Command::Model(ModelCommand::Evaluate(args)) => args.run(json),
        Command::Testset(TestsetCommand::Commit(args)) => args.run(json),
        Command::Testset(TestsetCommand::Import(args)) => args.run(json),
        Command::Spec(SpecCommand::Init(args)) => args.run(json),
        Command::Setup(args) => args.run(json),
        Command::Srs(SrsCommand::Import(args)) => args.run(json),
        Command::Ceremony(cmd) => cmd.run(json),
        Command::Prove(args) => args.run(json),
        Command::Verify(args) => args.run(json),
        Command::Verifier(args) => args.run(json),
        Command::Demo(args) => args.run(json),
        Command::Create(args) => args.run(json),
        Command::RevealTestset(args) => args.run(json),
        Command::Commit(args) => args.run(json),
        Command::Submit(args) => args.run(json),
        Command::Shard(ShardCommand::Plan(args)) => args.run(json),
        Command::Reveal(args) => args.run(json),
        Command::Audit(args) => args.run(json),
        Command::ChallengeTestset(args) => args.run(json),
        Command::Forfeit(args) => args.run(json),
        Command::Withdraw(args) => args.run(json),
        Command::Status(args) => args.run(json),
        Command::Events(args) => args.run(json),
        Command::Dashboard(args) => args.run(json),
    };
    output::finish(result)
}
