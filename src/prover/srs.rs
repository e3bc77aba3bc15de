//! The structured reference string.
//!
//! A development SRS is generated here from a random tau. It is **UNSAFE** for real contests:
//! the machine that generated it saw tau and could forge any proof. Its file name says
//! `UNSAFE`, and `SrsKind::UnsafeDev` travels with it so every user-facing command can warn.
//! Real contests load ceremony-derived parameters in halo2's `ParamsKZG` format.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use halo2_base::halo2_proofs::halo2curves::bn256::Bn256;
use halo2_base::halo2_proofs::poly::commitment::Params;
use halo2_base::halo2_proofs::poly::kzg::commitment::ParamsKZG;
use halo2_base::halo2_proofs::SerdeFormat;
use rand::rngs::OsRng;

use super::{io_err, write_atomic, ProverError, Result};

/// Where an SRS came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SrsKind {
    /// Generated locally with a random tau: anyone who had the tau can forge proofs.
    UnsafeDev,
    /// Loaded from a ceremony-derived file.
    Ceremony,
}

/// The warning every command prints when it uses a development SRS.
pub const UNSAFE_WARNING: &str = "WARNING: using an UNSAFE development SRS generated locally \
     (known-tau risk: whoever generated it can forge proofs). Fine for tests and demos, never \
     for a contest with real value; load ceremony parameters with --srs.";

/// File name of a development SRS for `k`.
pub fn dev_srs_file_name(k: u32) -> String {
    format!("kzg_bn254_k{k}.UNSAFE-dev.srs")
}

/// Generates a development SRS with a random tau (UNSAFE) and writes it under `dir`.
pub fn generate_dev_srs(k: u32, dir: &Path) -> Result<(ParamsKZG<Bn256>, PathBuf)> {
    let params = ParamsKZG::<Bn256>::setup(k, OsRng);
    let path = dir.join(dev_srs_file_name(k));
    write_params(&params, &path)?;
    Ok((params, path))
}

/// Writes params in halo2's `ParamsKZG` format (atomically: temp file, then rename).
pub fn write_params(params: &ParamsKZG<Bn256>, path: &Path) -> Result<()> {
    write_atomic(path, |w| params.write(w))
}

/// Keccak-256 of `params` serialised exactly as [`write_params`] writes them (halo2's
/// `ParamsKZG::write`: k, the monomial and Lagrange G1 points, g2, s·g2, as `RawBytes`): the
/// `srsDigest` a contest records. Streamed through the hasher, never held as bytes.
pub fn srs_digest(params: &ParamsKZG<Bn256>) -> [u8; 32] {
    use sha3::{Digest, Keccak256};
    /// An `io::Write` that feeds a Keccak-256 hasher; it never fails.
    struct KeccakWriter(Keccak256);
    impl std::io::Write for KeccakWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut w = KeccakWriter(Keccak256::new());
    // `write` fails only when its writer does, and this one never does.
    if let Err(e) = params.write(&mut w) {
        unreachable!("writing params into a hasher failed: {e}");
    }
    w.0.finalize().into()
}

/// Largest k accepted from a file (2^28 points is the size of the public ceremonies).
pub const MAX_SRS_K: u32 = 28;

/// Reads params in halo2's `ParamsKZG` format (as written by `Params::write`: `RawBytes`)
/// and downsizes them to `k` if they are larger.
///
/// The header and the file length are checked before anything is allocated (halo2 would
/// allocate `2^k` points for any `k` it reads), and every point is checked to lie on the curve.
pub fn read_params(path: &Path, k: u32) -> Result<ParamsKZG<Bn256>> {
    let bad = |reason: String| ProverError::Format {
        path: path.display().to_string(),
        reason,
    };
    let file = File::open(path).map_err(io_err("opening", path))?;
    let len = file.metadata().map_err(io_err("reading", path))?.len();
    let mut reader = BufReader::new(file);
    let mut head = [0u8; 4];
    std::io::Read::read_exact(&mut reader, &mut head)
        .map_err(|_| bad(format!("{len} bytes: too short for a halo2 ParamsKZG file")))?;
    let file_k = u32::from_le_bytes(head);
    if file_k > MAX_SRS_K {
        return Err(bad(format!("not a halo2 ParamsKZG (BN254) file: its header says k = {file_k} (at most {MAX_SRS_K})")));
    }
    // k, then 2·2^k G1 points (64 bytes each, RawBytes), then two G2 points (128 bytes each).
    let expected = 4 + 128 * (1u64 << file_k) + 256;
    if len != expected {
        return Err(bad(format!(
            "not a halo2 ParamsKZG (BN254, RawBytes) file: k = {file_k} needs {expected} bytes, the file has {len}"
        )));
    }
    if file_k < k {
        return Err(ProverError::SrsTooSmall {
            path: path.display().to_string(),
            have: file_k,
            need: k,
        });
    }
    let file = File::open(path).map_err(io_err("opening", path))?;
    let mut params =
        ParamsKZG::<Bn256>::read_custom(&mut BufReader::new(file), SerdeFormat::RawBytes)
            .map_err(|e| bad(format!("not a valid halo2 ParamsKZG (BN254) file: {e}")))?;
    if params.k() > k {
        params.downsize(k);
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use halo2_base::halo2_proofs::poly::commitment::ParamsProver;

    use super::*;

    #[test]
    fn dev_srs_is_labelled_and_round_trips() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (params, path) = generate_dev_srs(5, dir.path()).expect("generate");
        assert!(path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains("UNSAFE")));
        let back = read_params(&path, 5).expect("read");
        assert_eq!(back.k(), 5);
        assert_eq!(back.get_g()[3], params.get_g()[3]);
        let small = read_params(&path, 4).expect("downsize");
        assert_eq!(small.k(), 4);
        assert!(matches!(
            read_params(&path, 6),
            Err(ProverError::SrsTooSmall {
                have: 5,
                need: 6,
                ..
            })
        ));
    }

    #[test]
    fn srs_digest_is_keccak_of_the_params_file() {
        use sha3::{Digest, Keccak256};
        let dir = tempfile::tempdir().expect("temp dir");
        let (params, path) = generate_dev_srs(4, dir.path()).expect("generate");
        let file: [u8; 32] = Keccak256::digest(std::fs::read(&path).expect("read")).into();
        assert_eq!(srs_digest(&params), file);
        let other = ParamsKZG::<Bn256>::setup(4, OsRng);
        assert_ne!(srs_digest(&other), file);
    }

    #[test]
    fn garbage_params_file_is_rejected() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("junk.srs");
        for junk in [
            &b"definitely not params"[..],
            &[4, 0, 0, 0, 1, 2, 3][..],
            &[0xff; 3][..],
        ] {
            std::fs::write(&path, junk).expect("write");
            assert!(
                matches!(read_params(&path, 4), Err(ProverError::Format { .. })),
                "{junk:?} accepted"
            );
        }
        // A right-sized file whose points are not on the curve.
        let mut bytes = vec![0u8; 4 + 128 * 16 + 256];
        bytes[..4].copy_from_slice(&4u32.to_le_bytes());
        bytes[4..].iter_mut().for_each(|b| *b = 0x5a);
        std::fs::write(&path, bytes).expect("write");
        assert!(matches!(
            read_params(&path, 4),
            Err(ProverError::Format { .. })
        ));
    }
}
