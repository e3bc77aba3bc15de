//! `contest-cli srs import`: halo2 KZG parameters from a snarkjs powers-of-tau (`.ptau`) file,
//! e.g. the Hermez/Polygon ceremony's `powersOfTau28_hez_final_XX.ptau`.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::{Failure, Outcome};
use crate::prover::ptau::read_ptau;
use crate::prover::srs::{srs_digest, write_params, MAX_SRS_K};

/// Arguments of `contest-cli srs import`.
#[derive(Debug, Args)]
pub struct SrsImportArgs {
    /// The snarkjs powers-of-tau file (`.ptau`), e.g. powersOfTau28_hez_final_20.ptau; its
    /// power must be at least `--k`.
    #[arg(long)]
    ptau: PathBuf,
    /// log2 of the number of powers to keep: the circuit's k (`contest-cli setup --plan-only`
    /// prints it).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_SRS_K)))]
    k: u32,
    /// Where to write the parameters (halo2 `ParamsKZG`, as `setup --srs` reads them); written
    /// atomically.
    #[arg(long)]
    out: PathBuf,
}

impl SrsImportArgs {
    /// Imports, checks and writes the parameters; prints the file's hash, whether it is a
    /// published ceremony file, its contributions and the parameters' `srs_digest` (with
    /// `--json`: `{k, power, blake2b, recognised, contributions, srs_digest, out}`).
    /// Exit 2 for a file that is not a usable powers-of-tau file.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        if let Ok(meta) = std::fs::metadata(&self.ptau) {
            eprintln!(
                "reading {} ({:.1} MB: hashing all of it, checking the first 2^{} powers)…",
                self.ptau.display(),
                meta.len() as f64 / 1e6,
                self.k
            );
        }
        let started = Instant::now();
        let (params, info) = read_ptau(&self.ptau, self.k).map_err(Failure::input)?;
        eprintln!("checked in {:.1} s", started.elapsed().as_secs_f64());
        match &info.recognised {
            Some(name) => eprintln!(
                "blake2b matches the published hash of {name} (Hermez/Polygon ceremony, snarkjs README)"
            ),
            None => eprintln!(
                "note: not one of the published Hermez files; compare its blake2b with the hash \
                 its ceremony published before trusting it"
            ),
        }
        write_params(&params, &self.out).map_err(Failure::env)?;
        let digest = format!("0x{}", hex::encode(srs_digest(&params)));
        if json {
            let out = serde_json::json!({
                "k": info.k,
                "power": info.power,
                "blake2b": info.blake2b,
                "recognised": info.recognised,
                "contributions": info.contributions,
                "srs_digest": digest,
                "out": self.out,
            });
            println!("{out}");
        } else {
            println!(
                "wrote {} (k = {}) from {} (power {}, ceremony power {})",
                self.out.display(),
                info.k,
                self.ptau.display(),
                info.power,
                info.ceremony_power
            );
            println!("blake2b: {}", info.blake2b);
            println!(
                "recognised: {}",
                info.recognised
                    .as_deref()
                    .unwrap_or("no (not a published Hermez file)")
            );
            println!("contributions: {}", info.contributions.len());
            for c in &info.contributions {
                let name = if c.name.is_empty() {
                    "(no name)"
                } else {
                    &c.name
                };
                println!("  #{} {name}: {}", c.index, c.contribution_hash);
            }
            println!("srs_digest: {digest}");
        }
        Ok(Outcome::Success)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prover::ptau::tests::{ceremony, snarkjs};
    use crate::prover::srs::read_params;

    #[test]
    fn ptau_srs_import_writes_params_and_refuses_bad_files() {
        let Some(bin) = snarkjs() else { return };
        let dir = tempfile::tempdir().expect("temp dir");
        let (ptau, _) = ceremony(&bin, dir.path(), 5, &["Erin"]);
        let out = dir.path().join("k5.srs");
        let args = SrsImportArgs {
            ptau: ptau.clone(),
            k: 5,
            out: out.clone(),
        };
        assert_eq!(args.run(true).expect("import"), Outcome::Success);
        let params = read_params(&out, 5).expect("written params read back");
        let (imported, _) = read_ptau(&ptau, 5).expect("import");
        assert_eq!(srs_digest(&params), srs_digest(&imported));

        // A file that is not a .ptau is an input error (exit 2), and nothing is written.
        let junk = dir.path().join("junk.ptau");
        std::fs::write(&junk, b"not a powers-of-tau file at all").expect("write junk");
        let junk_out = dir.path().join("junk.srs");
        let args = SrsImportArgs {
            ptau: junk,
            k: 5,
            out: junk_out.clone(),
        };
        assert!(matches!(args.run(false), Err(Failure::Input(_))));
        assert!(!junk_out.exists());
    }
}
