//! Outcomes, failures and their exit codes.

use std::process::ExitCode;

/// What a subcommand reports when it ran to completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The command did what was asked (exit 0).
    Success,
    /// The command ran, and the claim it checked does not hold (exit 1).
    ClaimFails,
}

/// A failure, with the exit code it maps to.
#[derive(Debug)]
pub enum Failure {
    /// Usage or input error (exit 2).
    Input(anyhow::Error),
    /// The environment failed: I/O, network, an external tool (exit 3).
    Environment(anyhow::Error),
}

impl Failure {
    /// An input error.
    pub fn input(e: impl Into<anyhow::Error>) -> Self {
        Self::Input(e.into())
    }

    /// An environment error.
    pub fn env(e: impl Into<anyhow::Error>) -> Self {
        Self::Environment(e.into())
    }
}

/// Prints a failure on stderr and turns the result into the process exit code.
pub(crate) fn finish(result: Result<Outcome, Failure>) -> ExitCode {
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::ClaimFails) => ExitCode::from(1),
        Err(Failure::Input(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(Failure::Environment(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(3)
        }
    }
}
