//! Setup, proving and native verification of the accuracy circuit (KZG on BN254, SHPLONK,
//! keccak transcript in snark-verifier's EVM form so the same proof verifies on chain).
//!
//! - `ptau`: import of snarkjs powers-of-tau files (the public Hermez / perpetual ceremonies)
//!   as halo2 KZG parameters;
//! - `srs`: the structured reference string: a locally generated development SRS (**UNSAFE**:
//!   whoever generated it may know tau and can forge proofs) or a ceremony file in halo2's
//!   `ParamsKZG` format;
//! - `keys`: circuit sizing (`plan`), keys from the spec alone, and the key directory;
//! - `proof`: proving and verifying, and the proof directory.

pub mod keys;
pub mod proof;
pub mod proof_dir;
pub mod ptau;
pub mod srs;

/// Errors of the prover module.
#[derive(Debug, thiserror::Error)]
pub enum ProverError {
    /// Reading or writing a file failed.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done ("reading", "writing").
        what: &'static str,
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A file exists but its content is not what was expected.
    #[error("{path}: {reason}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The circuit could not be built.
    #[error(transparent)]
    Circuit(#[from] crate::circuit::CircuitError),
    /// halo2 failed (keygen or proving).
    #[error("halo2: {0}")]
    Halo2(String),
    /// The spec is too large for any supported circuit size.
    #[error("the circuit for this spec needs more than 2^{max_k} rows (Freivalds and Poseidon chip rows: {rows}); reduce N or the envelope")]
    TooLarge {
        /// Largest k tried.
        max_k: u32,
        /// Rows the Freivalds and Poseidon chips need.
        rows: usize,
    },
    /// The SRS has too few points.
    #[error("the SRS {path} has 2^{have} points; this circuit needs 2^{need}")]
    SrsTooSmall {
        /// The file.
        path: String,
        /// Its k.
        have: u32,
        /// The circuit's k.
        need: u32,
    },
    /// A powers-of-tau file is malformed: a field or a section differs from what snarkjs writes.
    #[error("{path}: not a usable snarkjs powers-of-tau (.ptau) file: {what}: expected {expected}, got {got}")]
    PtauFormat {
        /// The file.
        path: String,
        /// The field or section ("magic", "section 2 (tauG1) size").
        what: String,
        /// What snarkjs writes there.
        expected: String,
        /// What the file holds.
        got: String,
    },
    /// A powers-of-tau file is well formed, but its points do not make a usable SRS.
    #[error("{path}: {section}: {reason}")]
    PtauPoints {
        /// The file.
        path: String,
        /// Where the bad points are ("section 2 (tauG1)").
        section: &'static str,
        /// What is wrong with them.
        reason: String,
    },
    /// A powers-of-tau file nobody contributed to: tau = 1, known to everyone.
    #[error("{path}: tau = 1, so this file has no contribution (it is what `snarkjs powersoftau new` writes) and anyone could forge proofs with it; import a ceremony's file instead (e.g. the Hermez powersOfTau28_hez_final_XX.ptau listed in the snarkjs README)")]
    PtauNoContribution {
        /// The file.
        path: String,
    },
    /// A powers-of-tau file has fewer powers than the circuit needs.
    #[error("{path} holds 2^{power} powers of tau (power {power}), but k = {k} needs power >= {k}: use a larger file (the Hermez file powersOfTau28_hez_final_XX.ptau has power XX)")]
    PtauTooSmall {
        /// The file.
        path: String,
        /// Its power.
        power: u32,
        /// The k asked for.
        k: u32,
    },
    /// A powers-of-tau file too large for the ceremony tools, which hold it in memory.
    #[error("{path} has power {power}; `ceremony` commands handle powers up to {max} (they hold the whole file in memory): contribute with `snarkjs powersoftau contribute` instead")]
    CeremonyTooLarge {
        /// The file.
        path: String,
        /// Its power (or ceremony power, the larger).
        power: u32,
        /// The largest supported.
        max: u32,
    },
    /// A contribution asked into a file cut from a larger ceremony.
    #[error("{path} holds power {power} cut from a ceremony of power {ceremony_power} (`snarkjs powersoftau truncate`): contributions go into the ceremony's full file")]
    CeremonyReduced {
        /// The file.
        path: String,
        /// Its power.
        power: u32,
        /// The power of the ceremony it was cut from.
        ceremony_power: u32,
    },
    /// A circuit size outside what KZG on BN254 supports.
    #[error("k = {k} is out of range: BN254's FFT domains allow 1 <= k <= {max}")]
    UnsupportedK {
        /// The k asked for.
        k: u32,
        /// The largest supported k.
        max: u32,
    },
}

/// Checks that this CPU has what the BN254 field arithmetic was compiled for.
///
/// The build enables halo2curves' `asm` feature (Cargo.toml): Montgomery multiplication in
/// x86-64 assembly with MULX (BMI2) and ADCX/ADOX (ADX), without a run-time fallback. On a CPU
/// without them the first field multiplication would die of SIGILL; this turns that into an
/// error that names the missing features. Every x86-64 server CPU since 2015 has both.
pub fn require_cpu_features() -> std::result::Result<(), String> {
    let missing: Vec<&str> = [
        ("bmi2", std::arch::is_x86_feature_detected!("bmi2")),
        ("adx", std::arch::is_x86_feature_detected!("adx")),
    ]
    .into_iter()
    .filter(|(_, present)| !present)
    .map(|(name, _)| name)
    .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "this CPU lacks {}, which the build's BN254 field arithmetic (halo2curves `asm`) \
             needs; rebuild without the `asm` feature of halo2curves-axiom in Cargo.toml",
            missing.join(" and ")
        ))
    }
}

/// `Result` with [`ProverError`].
pub type Result<T> = std::result::Result<T, ProverError>;

pub(crate) fn io_err<'a>(
    what: &'static str,
    path: &'a std::path::Path,
) -> impl FnOnce(std::io::Error) -> ProverError + 'a {
    move |source| ProverError::Io {
        what,
        path: path.display().to_string(),
        source,
    }
}

/// Writes through a temp file, fsyncs and renames, so a crash never leaves a half file.
pub(crate) fn write_atomic(
    path: &std::path::Path,
    f: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let file = std::fs::File::create(&tmp).map_err(io_err("creating", &tmp))?;
    let mut w = std::io::BufWriter::new(file);
    f(&mut w).map_err(io_err("writing", &tmp))?;
    std::io::Write::flush(&mut w).map_err(io_err("writing", &tmp))?;
    w.get_ref().sync_all().map_err(io_err("syncing", &tmp))?;
    std::fs::rename(&tmp, path).map_err(io_err("renaming into", path))
}
