//! `contest-cli vectors`: writes the commitment test vectors shared with the contracts.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use super::{Failure, Outcome};
use crate::commit::vectors_json;

/// Arguments of `contest-cli vectors`.
#[derive(Debug, Args)]
pub struct VectorsArgs {
    /// Where to write the JSON (`-` for stdout). The contracts' tests read
    /// `contracts/test/vectors/poseidon.json`.
    #[arg(long, default_value = "-")]
    out: PathBuf,
}

impl VectorsArgs {
    /// Writes the vectors.
    pub fn run(self, _json: bool) -> Result<Outcome, Failure> {
        let text = vectors_json();
        if self.out.as_os_str() == "-" {
            print!("{text}");
        } else {
            std::fs::write(&self.out, text)
                .with_context(|| format!("writing {}", self.out.display()))
                .map_err(Failure::env)?;
            eprintln!("wrote {}", self.out.display());
        }
        Ok(Outcome::Success)
    }
}
