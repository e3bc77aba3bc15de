//! `contest-cli verifier`: renders and compiles the contest's on-chain verifier.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use serde_json::json;

use super::{Failure, Outcome};
use crate::evm::compile::{Solc, EIP170_LIMIT};
use crate::evm::render::{render, shape};
use crate::evm::EvmError;
use crate::prover::keys::ContestKeys;
use crate::prover::srs::{read_params, SrsKind, UNSAFE_WARNING};
use crate::prover::write_atomic;

/// Arguments of `contest-cli verifier`.
#[derive(Debug, Args)]
pub struct VerifierArgs {
    /// Key directory written by `contest-cli setup` (only the verifying key and the SRS are read).
    #[arg(long)]
    keys: PathBuf,
    /// Directory to write `Verifier.sol`, `verifier.bin` (creation code, hex) and
    /// `verifier.json` (sizes) into; created if missing.
    #[arg(long)]
    out: PathBuf,
    /// solc executable taking `--standard-json` (solc 0.8.19: the version the code pins).
    #[arg(long, env = "ZKCONTEST_SOLC", default_value = "scripts/solc")]
    solc: PathBuf,
}

impl VerifierArgs {
    /// Renders, compiles and writes the verifier; exit 2 if it is over EIP-170's size limit.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let (manifest, vk) = ContestKeys::read_verifier(&self.keys).map_err(Failure::input)?;
        if manifest.srs_kind == SrsKind::UnsafeDev {
            eprintln!("{UNSAFE_WARNING}");
        }
        let k = manifest.figures.k;
        let params = read_params(&manifest.srs_path, k).map_err(Failure::input)?;
        eprintln!("rendering the verifier (k = {k})…");
        let source = render(&params, &vk).map_err(Failure::input)?;
        write(&self.out.join("Verifier.sol"), source.as_bytes())?;
        eprintln!("compiling with {}…", self.solc.display());
        let compiled = Solc::new(&self.solc)
            .compile_verifier(&source)
            .map_err(|e| match e {
                EvmError::TooLarge { .. } => Failure::input(e),
                e => Failure::env(e),
            })?;
        let shape = shape(&params, &vk).map_err(Failure::input)?;
        let hex_code = format!("0x{}\n", hex::encode(&compiled.creation));
        write(&self.out.join("verifier.bin"), hex_code.as_bytes())?;
        let figures = json!({
            "spec_name": manifest.spec_name,
            "k": k,
            "runtime_bytes": compiled.runtime.len(),
            "creation_bytes": compiled.creation.len(),
            "optimizer_runs": compiled.optimizer_runs,
            "eip170_limit": EIP170_LIMIT,
            "source_bytes": source.len(),
            "shape": shape,
        });
        let text = serde_json::to_vec_pretty(&figures).context("encoding verifier.json");
        write(
            &self.out.join("verifier.json"),
            &text.map_err(Failure::env)?,
        )?;
        if json {
            println!("{figures}");
        } else {
            println!(
                "verifier for {:?} (k = {k}): runtime {} bytes (EIP-170 limit {EIP170_LIMIT}), \
                 creation {} bytes; written to {}",
                manifest.spec_name,
                compiled.runtime.len(),
                compiled.creation.len(),
                self.out.display()
            );
        }
        Ok(Outcome::Success)
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating {}", dir.display()))
            .map_err(Failure::env)?;
    }
    write_atomic(path, |w| std::io::Write::write_all(w, bytes)).map_err(Failure::env)
}
