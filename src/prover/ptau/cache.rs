//! The contest's `.ptau` import, remembered in the auditor's key directory (see
//! [`read_ptau_cached`]).

use std::fs::File;
use std::io::{self, BufReader};
use std::path::Path;

use halo2_base::halo2_proofs::halo2curves::bn256::Bn256;
use halo2_base::halo2_proofs::poly::kzg::commitment::ParamsKZG;

use super::{ceremony, read_ptau, recognised, HashingReader, Opened, PtauInfo};
use crate::prover::{io_err, ProverError, Result};

/// [`read_ptau`], remembered: the parameters built from a file are written to `cache_dir` under
/// the file's blake2b-512 and `k`, and a later call for a file with the same hash reads them
/// from there instead of importing again (at power 15 the import takes ~38 s, most of it
/// halo2's Lagrange basis; every `commit`, `submit` and `audit` imports the contest's
/// transcript). The hash is computed from the file's bytes at every call, and the contributions
/// are read from the file itself; only the points' checks and the basis are skipped on a hit,
/// for bytes that passed them before. The cache is the caller's own key directory: whoever can
/// write there could also replace the keys.
pub fn read_ptau_cached(
    path: &Path,
    k: u32,
    cache_dir: &Path,
) -> Result<(ParamsKZG<Bn256>, PtauInfo)> {
    let blake2b = file_blake2b(path)?;
    let cached = cache_dir.join(format!("ptau-{blake2b}-k{k}.srs"));
    if cached.is_file() {
        if let Ok(params) = crate::prover::srs::read_params(&cached, k) {
            let contributions = ceremony::list_contributions(path)?;
            let shown = path.display().to_string();
            let malformed = |what: &str, expected: String, got: String| ProverError::PtauFormat {
                path: shown.clone(),
                what: what.to_string(),
                expected,
                got,
            };
            let header = Opened::open(path, &malformed)?.header;
            let recognised = recognised(&blake2b);
            let info = PtauInfo {
                power: header.power,
                ceremony_power: header.ceremony_power,
                k,
                blake2b,
                contributions,
                recognised,
            };
            return Ok((params, info));
        }
    }
    let (params, info) = read_ptau(path, k)?;
    // Only if the file did not change between the two reads.
    if info.blake2b == blake2b && std::fs::create_dir_all(cache_dir).is_ok() {
        let _ = crate::prover::srs::write_params(&params, &cached);
    }
    Ok((params, info))
}

/// blake2b-512 of the file at `path`, hex.
fn file_blake2b(path: &Path) -> Result<String> {
    let file = File::open(path).map_err(io_err("opening", path))?;
    let mut reader = HashingReader::new(BufReader::with_capacity(1 << 20, file));
    io::copy(&mut reader, &mut io::sink()).map_err(io_err("reading", path))?;
    Ok(reader.state.finalize().to_hex().to_string())
}
