//! The `contest-cli` command line: one file per subcommand.
//!
//! Exit codes (documented in the README):
//! - 0: success;
//! - 1: the claim does not hold (e.g. accuracy below the threshold, an invalid proof);
//! - 2: usage or input error (bad flags, malformed or out-of-range files);
//! - 3: the environment failed (I/O, an unreachable RPC endpoint).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod output;
mod vectors;

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
    };
    output::finish(result)
}
