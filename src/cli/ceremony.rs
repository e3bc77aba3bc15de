//! `contest-cli ceremony contribute | verify`: the contest's own powers-of-tau ceremony on
//! snarkjs `.ptau` files, so a competitor who contributes needs to trust nobody.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Subcommand};

use super::{Failure, Outcome};
use crate::prover::ptau::ceremony::{contribute, format_hash, verify_ceremony};
use crate::prover::ProverError;

/// `contest-cli ceremony …`.
#[derive(Debug, Subcommand)]
pub enum CeremonyCommand {
    /// Add a random contribution to a ceremony file, as `snarkjs powersoftau contribute` does;
    /// prints the contribution hash to look for later.
    Contribute(CeremonyContributeArgs),
    /// Verify every contribution and the powers of a ceremony file (exit 0 all hold, 1 one
    /// fails), as `snarkjs powersoftau verify` does.
    Verify(CeremonyVerifyArgs),
}

impl CeremonyCommand {
    /// Runs the subcommand.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        match self {
            CeremonyCommand::Contribute(args) => args.run(json),
            CeremonyCommand::Verify(args) => args.run(json),
        }
    }
}

/// Arguments of `contest-cli ceremony contribute`.
#[derive(Debug, Args)]
pub struct CeremonyContributeArgs {
    /// The ceremony file to contribute to (the previous contributor's output, or the output of
    /// `snarkjs powersoftau new bn128 POWER`).
    #[arg(long = "in", value_name = "PREV.ptau")]
    input: PathBuf,
    /// Where to write the file with this contribution added (written atomically).
    #[arg(long, value_name = "NEXT.ptau")]
    out: PathBuf,
    /// The name recorded with the contribution (snarkjs keeps its first 64 UTF-16 units).
    #[arg(long, default_value = "")]
    name: String,
    /// Extra entropy mixed into the operating system's randomness (optional: the OS random
    /// generator alone suffices).
    #[arg(long)]
    entropy: Option<String>,
}

impl CeremonyContributeArgs {
    /// Contributes and prints the contribution hash as snarkjs does (with `--json`:
    /// `{index, name, power, contribution_hash, next_challenge, dropped_phase2, out}`).
    /// Exit 2 for an unusable input file.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        eprintln!(
            "contributing to {} (the secrets are never written anywhere)…",
            self.input.display()
        );
        let started = Instant::now();
        let entropy = self.entropy.unwrap_or_default();
        let receipt =
            contribute(&self.input, &self.out, &self.name, entropy.as_bytes()).map_err(failure)?;
        eprintln!("done in {:.1} s", started.elapsed().as_secs_f64());
        if receipt.dropped_phase2 {
            eprintln!(
                "warning: the input had phase-2 sections; the output does not: run `snarkjs \
                 powersoftau prepare phase2` again at the end of the ceremony"
            );
        }
        if json {
            let mut value = serde_json::to_value(&receipt).map_err(Failure::env)?;
            value["out"] = serde_json::json!(self.out);
            println!("{value}");
        } else {
            let mut hash = [0u8; 64];
            hex::decode_to_slice(&receipt.contribution_hash, &mut hash).map_err(Failure::env)?;
            println!(
                "wrote {} (contribution #{} to a power-{} ceremony)",
                self.out.display(),
                receipt.index,
                receipt.power
            );
            println!("Contribution Response Hash:");
            println!("{}", format_hash(&hash));
            println!("contribution_hash: {}", receipt.contribution_hash);
            println!("next_challenge: {}", receipt.next_challenge);
        }
        Ok(Outcome::Success)
    }
}

/// Arguments of `contest-cli ceremony verify`.
#[derive(Debug, Args)]
pub struct CeremonyVerifyArgs {
    /// The ceremony file (`.ptau`) to verify.
    #[arg(long)]
    ptau: PathBuf,
}

impl CeremonyVerifyArgs {
    /// Verifies and lists the contributions (with `--json`: the report: `{power,
    /// ceremony_power, contributions: [{index, name, contribution_hash, beacon, verified}],
    /// problems: [{location, reason}], verified}`). Exit 0 when everything holds, 1 when a
    /// check fails, 2 for a file that is not a `.ptau` file.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        eprintln!("verifying {}…", self.ptau.display());
        let started = Instant::now();
        let report = verify_ceremony(&self.ptau).map_err(failure)?;
        eprintln!("checked in {:.1} s", started.elapsed().as_secs_f64());
        let holds = report.holds();
        if json {
            let mut value = serde_json::to_value(&report).map_err(Failure::env)?;
            value["verified"] = serde_json::json!(holds);
            println!("{value}");
        } else {
            println!(
                "{}: power {} (ceremony power {}), {} contributions",
                self.ptau.display(),
                report.power,
                report.ceremony_power,
                report.contributions.len()
            );
            for c in &report.contributions {
                let name = if c.name.is_empty() {
                    "(no name)"
                } else {
                    &c.name
                };
                let beacon = if c.beacon { " [beacon]" } else { "" };
                let verified = if c.verified { "yes" } else { "NO" };
                println!(
                    "  #{} {name}{beacon}: {} verified: {verified}",
                    c.index, c.contribution_hash
                );
            }
            for p in &report.problems {
                println!("FAILED {}: {}", p.location, p.reason);
            }
            println!("verified: {}", if holds { "yes" } else { "no" });
        }
        Ok(if holds {
            Outcome::Success
        } else {
            Outcome::ClaimFails
        })
    }
}

/// I/O failures are the environment's (exit 3); anything else is the input's (exit 2).
fn failure(e: ProverError) -> Failure {
    match e {
        ProverError::Io { .. } => Failure::env(e),
        other => Failure::input(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prover::ptau::tests::{run_snarkjs, snarkjs};

    #[test]
    fn ceremony_cli_contributes_and_verifies() {
        let Some(bin) = snarkjs() else { return };
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        run_snarkjs(&bin, d, &["powersoftau", "new", "bn128", "4", "pot_0.ptau"]);
        let args = CeremonyContributeArgs {
            input: d.join("pot_0.ptau"),
            out: d.join("pot_1.ptau"),
            name: "Cli".into(),
            entropy: Some("some words".into()),
        };
        assert_eq!(args.run(false).expect("contribute"), Outcome::Success);
        let verify = |name: &str| CeremonyVerifyArgs { ptau: d.join(name) }.run(true);
        assert_eq!(verify("pot_1.ptau").expect("verify"), Outcome::Success);
        // The fresh file has no contribution: the claim fails (exit 1).
        assert_eq!(verify("pot_0.ptau").expect("verify"), Outcome::ClaimFails);
        // Not a ptau file: an input error (exit 2).
        std::fs::write(d.join("junk.ptau"), b"junk").expect("write");
        assert!(matches!(verify("junk.ptau"), Err(Failure::Input(_))));
    }
}
