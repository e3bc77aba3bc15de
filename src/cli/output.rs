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

/// Makes a closed stdout (a reader such as `head` that stopped early) end the process quietly
/// with exit 3, the code of an environment failure, instead of a panic's backtrace: `println!`
/// panics when stdout is a closed pipe (Rust ignores `SIGPIPE`, and restoring its default would
/// also let a write to a closed socket kill the process). Every other panic is reported as
/// before.
pub(crate) fn quiet_on_closed_stdout() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout")
            && message.to_ascii_lowercase().contains("broken pipe")
        {
            std::process::exit(3);
        }
        report(info)
    }));
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
