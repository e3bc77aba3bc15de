//! Circuit sizing and keys. Keys depend on the spec alone (the circuit is built from
//! `AccuracyWitness::dummy`), so one verifying key serves every competitor of a contest.
//!
//! A key directory holds:
//! - `circuit.json`: the pinning (halo2-base params, break points and the circuit's constants,
//!   which the prover lays out in `val`: `circuit::public`), k, lookup bits, the SRS
//!   kind, circuit figures and the digest of the constraint system that made the keys (keys
//!   from a build with another circuit are refused when read);
//! - `vk.bin`, `pk.bin`: halo2 keys (`SerdeFormat::RawBytes`);
//! - the SRS itself is referenced by path (`srs_path` in `circuit.json`).

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use halo2_base::gates::circuit::CircuitBuilderStage;
use halo2_base::halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_base::halo2_proofs::plonk::{keygen_pk, keygen_vk_custom, ProvingKey, VerifyingKey};
use halo2_base::halo2_proofs::poly::kzg::commitment::ParamsKZG;
use halo2_base::halo2_proofs::SerdeFormat;
use serde::{Deserialize, Serialize};

use super::srs::SrsKind;
use super::{io_err, write_atomic, ProverError, Result};
use crate::circuit::accuracy::{
    build, build_model, build_testset, freivalds_rows, model_chain_rows, pinning, requant_rows,
    testset_chain_rows, AccuracyWitness, Pinning, Shape, Statement, MINIMUM_ROWS,
};
use crate::circuit::model_column::{MASK_ROWS, TAIL_ROWS};
use crate::circuit::two_phase::{RowBudget, TwoPhaseCircuit, TwoPhaseParams};
use crate::circuit::CircuitError;
use crate::spec::Spec;

/// Smallest and largest circuit sizes `plan` considers.
pub const K_RANGE: std::ops::RangeInclusive<u32> = 10..=22;
/// Most halo2-base advice columns `plan` accepts before trying a larger k: every column adds
/// commitments and openings to the proof, ≈ 1.3 KB to the on-chain verifier and gas to every
/// verification. With the requantisation chip the digits verifier with 3 columns is 24,262
/// bytes, 314 under EIP-170 (24,576), so a fourth column would not fit: a spec that needs one
/// gets a larger k instead.
pub const MAX_BASE_ADVICE: usize = 3;

/// Whether keygen compresses selectors (see `setup`). It shapes the verifying key beyond what
/// `configure` declares, so it is part of the circuit digest.
const COMPRESS_SELECTORS: bool = true;

/// Figures of a circuit (for `circuit.json` and the benchmarks).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CircuitFigures {
    /// log2 of the number of rows.
    pub k: u32,
    /// Bits of the range lookup table.
    pub lookup_bits: usize,
    /// halo2-base advice columns (phase 0).
    pub base_advice_columns: usize,
    /// Lookup advice columns.
    pub lookup_advice_columns: usize,
    /// Fixed columns for constants: `circuit::public`'s `cst` (halo2-base has none of its own;
    /// the Poseidon chip shares it).
    pub fixed_columns: usize,
    /// Advice columns of the Freivalds chip (1 in phase 0, 3 in phase 1).
    pub freivalds_columns: usize,
    /// Total halo2-base advice cells.
    pub base_advice_cells: usize,
    /// Cells sent to the range lookup.
    pub lookup_cells: usize,
    /// Rows at the top of the Freivalds chip's `val` column holding the public instances and
    /// the circuit's distinct constants (`circuit::public`).
    #[serde(default)]
    pub public_rows: usize,
    /// Rows used by the Freivalds chip (below the public rows).
    pub freivalds_rows: usize,
    /// Rows used by the Poseidon chip (in the Freivalds chip's phase-1 columns, below its rows;
    /// round constants in `cst` and one more fixed column).
    #[serde(default)]
    pub poseidon_rows: usize,
    /// Rows used by the requantisation chip (in the Freivalds chip's phase-0 column and the
    /// lookup advice column, at the bottom of the usable rows).
    #[serde(default)]
    pub requant_rows: usize,
    /// Rows used by the pooled-requantisation chip (`circuit::pooled`: its own advice column and
    /// the lookup advice column, just above the requantisation rows); 0 without it.
    #[serde(default)]
    pub pooled_rows: usize,
    /// Rows used by the features chip (`circuit::features`): as many cells of the lookup
    /// column (below halo2-base's looked-up cells) and rows of the phase-1 columns (below the
    /// Poseidon rows); 0 when halo2-base checks and packs the features.
    #[serde(default)]
    pub feature_rows: usize,
    /// Rows of the shared model column (`circuit::model_column`: the parameters and the masks,
    /// from row 0; its tail is below the usable rows); 0 without it.
    #[serde(default)]
    pub model_column_rows: usize,
    /// Rows of the shard's rows in a shared column (features, then labels, from row 0); 0
    /// without it.
    #[serde(default)]
    pub testset_column_rows: usize,
    /// halo2-base advice cells per section of the statement.
    pub sections: Vec<(String, usize)>,
}

/// What a key directory's `circuit.json` holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeyManifest {
    /// Spec name the keys were made for.
    pub spec_name: String,
    /// Figures.
    pub figures: CircuitFigures,
    /// The circuit shape the prover must reproduce.
    pub pinning: Pinning,
    /// The SRS file used.
    pub srs_path: PathBuf,
    /// Where the SRS came from.
    pub srs_kind: SrsKind,
    /// `circuit_digest` of the build that made the keys. Keys from a build whose circuit differs
    /// (other gates, columns or degree with the same figures) would prove or verify nothing, so
    /// they are refused when read; manifests older than this field read as "" and are refused too.
    #[serde(default)]
    pub circuit_digest: String,
    /// Which proof the keys make: a (shard's) statement, or with `setup --shared-model` an
    /// entry's model proof or a shard's test-set proof (PROTOCOL §14.2.1).
    #[serde(default)]
    pub proof_kind: ProofKind,
}

/// Keccak-256 of this build's constraint system for `params` (gates, columns, queries, lookups,
/// degree; before selector compression) and the key-generation options, as hex.
pub fn circuit_digest(params: &TwoPhaseParams) -> String {
    use halo2_base::halo2_proofs::plonk::{Circuit, ConstraintSystem};
    use sha3::{Digest, Keccak256};
    let mut cs = ConstraintSystem::<Fr>::default();
    let _config = TwoPhaseCircuit::configure_with_params(&mut cs, params.clone());
    let text = format!("compress_selectors={COMPRESS_SELECTORS}\n{:?}", cs.pinned());
    hex::encode(Keccak256::digest(text.as_bytes()))
}

/// A keygen circuit for `spec` at size `k`, with the features chip where it can be used if
/// `features_chip`.
fn keygen_circuit(spec: &Spec, k: u32, features_chip: bool) -> Result<TwoPhaseCircuit> {
    keygen_circuit_with(spec, k, features_chip, Sharing::default())
}

/// Which shared columns (`circuit::model_column`) a shard circuit has: the model's, the shard's
/// rows'.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sharing {
    /// The model in the shared model column (proved once per entry).
    pub model: bool,
    /// The shard's rows in a shared column (opened once per shard and contest).
    pub rows: bool,
}

/// [`keygen_circuit`], with the shared columns `sharing` says.
fn keygen_circuit_with(
    spec: &Spec,
    k: u32,
    features_chip: bool,
    sharing: Sharing,
) -> Result<TwoPhaseCircuit> {
    // One shard's circuit (the whole set's for an unsharded spec, PROTOCOL §14.1).
    let spec = &spec.shard_spec();
    let dummy = AccuracyWitness::dummy(spec)?;
    let statement = keygen_statement();
    Ok(build(
        spec,
        CircuitBuilderStage::Keygen,
        k,
        k as usize - 1,
        &dummy,
        &statement,
        Shape::Plan {
            features_chip,
            shared_model: sharing.model,
            shared_testset: sharing.rows,
        },
    )?)
}

/// The all-zero statement keygen circuits are built with (only their shape matters).
fn keygen_statement() -> Statement {
    Statement {
        chain_id: 0,
        contest_id: 0,
        submitter: [0; 20],
        model_commitment: Fr::from(0),
        testset_commitment: Fr::from(0),
        correct: 0,
    }
}

/// The figures of `spec`'s circuit at size `k` (not necessarily the planned one), with the
/// features chip if `features_chip`.
pub fn figures_at(spec: &Spec, k: u32, features_chip: bool) -> Result<CircuitFigures> {
    Ok(figures(&keygen_circuit(spec, k, features_chip)?, k))
}

fn figures(c: &TwoPhaseCircuit, k: u32) -> CircuitFigures {
    let p = &c.builder.config_params;
    let stats = c.builder.statistics();
    CircuitFigures {
        k,
        lookup_bits: p.lookup_bits.unwrap_or(0),
        base_advice_columns: p.num_advice_per_phase.iter().sum(),
        lookup_advice_columns: p.num_lookup_advice_per_phase.iter().sum(),
        fixed_columns: 1,
        freivalds_columns: 4,
        base_advice_cells: stats.gate.total_advice_per_phase.iter().sum(),
        lookup_cells: stats.total_lookup_advice_per_phase.iter().sum(),
        public_rows: c.public_rows(),
        freivalds_rows: c.freivalds_rows(),
        poseidon_rows: c.poseidon_rows(),
        requant_rows: c.requant_rows(),
        pooled_rows: c.pooled_rows(),
        feature_rows: c.feature_rows(),
        model_column_rows: c.model_column.as_ref().map_or(0, |m| m.body.len()),
        testset_column_rows: c.testset_column.as_ref().map_or(0, |m| m.body.len()),
        sections: c.sections.clone(),
    }
}

/// Chooses the smallest k whose circuit fits: in the usable rows, the Poseidon chip's rows and
/// then the features chip's below the Freivalds rows (phase-1 columns), and the requantisation
/// blocks below both the Freivalds rows (`val`) and, in the lookup column, halo2-base's
/// looked-up cells and the features chip's cells; halo2-base needs at most `MAX_BASE_ADVICE`
/// advice columns and one lookup column.
///
/// The features chip (`circuit::features`) takes halo2-base cells off (on digits half of them,
/// and an advice column) but adds two phase-1 rows per feature, where the Poseidon chip may
/// already need nearly all of them (MNIST-shaped specs: 784 features a row). So each k is tried
/// with the chip first, then without it; the keys record which (`Pinning::features_chip`).
///
/// Building a keygen circuit costs seconds at digits size, so the scan starts near the answer:
/// the chips' rows give an exact lower bound, and the halo2-base cell count at that bound
/// gives an estimate. Cells only shrink as k grows (wider lookups, fewer range-check limbs), and
/// by far less than half, so the smallest fitting k is at least the estimate minus one.
pub fn plan(spec: &Spec) -> Result<CircuitFigures> {
    plan_with(spec, Sharing::default())
}

/// [`plan`] for the shard circuit with the shared columns `sharing` says.
fn plan_with(spec: &Spec, sharing: Sharing) -> Result<CircuitFigures> {
    // Every shard is the same circuit: a sharded spec is planned for one shard.
    let spec = &spec.shard_spec();
    let fits = |f: &CircuitFigures| {
        let rows = RowBudget {
            head: f.public_rows + f.freivalds_rows,
            poseidon: f.poseidon_rows,
            features: f.feature_rows,
            requant: f.requant_rows,
            pooled: f.pooled_rows,
            lookups: f.lookup_cells,
        };
        rows.requant_start((1usize << f.k) - MINIMUM_ROWS).is_some()
            && shared_columns_fit(f)
            && f.base_advice_columns <= MAX_BASE_ADVICE
            && f.lookup_advice_columns <= 1
    };
    // The fitting figures at `k` (with the chip if they fit, else without), and the figures
    // with the chip (the fewest halo2-base cells) for the estimate.
    let probe = |k: u32| -> Result<(Option<CircuitFigures>, CircuitFigures)> {
        let with = figures(&keygen_circuit_with(spec, k, true, sharing)?, k);
        if fits(&with) {
            return Ok((Some(with.clone()), with));
        }
        if with.feature_rows == 0 {
            return Ok((None, with));
        }
        let without = figures(&keygen_circuit_with(spec, k, false, sharing)?, k);
        Ok((fits(&without).then_some(without), with))
    };
    let log2_ceil = |n: usize| usize::BITS - n.saturating_sub(1).leading_zeros();

    // A lower bound: without the features chip's rows.
    let chip_rows = |k: u32| -> Result<usize> {
        let requant = requant_rows(spec, k as usize - 1);
        let model_chain = if sharing.model {
            0
        } else {
            model_chain_rows(spec)?
        };
        let rows_chain = if sharing.rows {
            0
        } else {
            testset_chain_rows(spec)?
        };
        let poseidon = rows_chain + model_chain;
        Ok(freivalds_rows(spec) + poseidon.max(requant))
    };
    let mut k_rows = *K_RANGE.start();
    while chip_rows(k_rows)? + MINIMUM_ROWS > 1usize << k_rows {
        if k_rows == *K_RANGE.end() {
            return Err(ProverError::TooLarge {
                max_k: *K_RANGE.end(),
                rows: chip_rows(k_rows)?,
            });
        }
        k_rows += 1;
    }
    let (found, at_rows) = probe(k_rows)?;
    if let Some(f) = found {
        return Ok(f);
    }
    let k_cells = log2_ceil(at_rows.base_advice_cells.div_ceil(MAX_BASE_ADVICE) + MINIMUM_ROWS);
    for k in (k_rows + 1).max(k_cells.saturating_sub(1))..=*K_RANGE.end() {
        if let (Some(f), _) = probe(k)? {
            return Ok(f);
        }
    }
    Err(ProverError::TooLarge {
        max_k: *K_RANGE.end(),
        rows: chip_rows(*K_RANGE.end())?,
    })
}

/// Whether both shared columns of `f` fit its usable rows above their tails.
fn shared_columns_fit(f: &CircuitFigures) -> bool {
    let usable = (1usize << f.k) - MINIMUM_ROWS;
    f.model_column_rows + TAIL_ROWS <= usable && f.testset_column_rows + TAIL_ROWS <= usable
}

/// The circuits of an entry that proves its model once (commit-and-prove, `docs/PROTOCOL.md`
/// §14.2.1): the shard circuit with the shared model column (and with `rows`, the shard's rows in
/// a shared column too), the model proof's circuit and with `rows` the test-set proof's, all at
/// the same `k` (each column must be committed over the same domain).
#[derive(Clone, Debug, Serialize)]
pub struct SharedModelPlan {
    /// One shard's circuit: the model (and the rows) copied from the shared columns, neither
    /// range-checked nor hashed.
    pub shard: CircuitFigures,
    /// The model proof's circuit: the column range-checked and hashed to `C`.
    pub model: CircuitFigures,
    /// The test-set proof's circuit (one per shard and contest): the rows range-checked and
    /// hashed to `T_s`.
    pub testset: Option<CircuitFigures>,
}

/// Which proof a set of keys makes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProofKind {
    /// A (shard's) accuracy statement.
    #[default]
    Statement,
    /// An entry's model proof (`accuracy::build_model`).
    Model,
    /// A shard's test-set proof (`accuracy::build_testset`).
    TestSet,
}

/// Plans [`SharedModelPlan`] (`rows`: with the shard's rows shared too): the smallest `k` at
/// which every circuit fits.
pub fn plan_shared_model(spec: &Spec, rows: bool) -> Result<SharedModelPlan> {
    // Each published proof of an entry opens the column once; its random rows hide the model
    // for at most that many openings (`circuit::model_column`).
    let openings = spec.shards + 1;
    if openings > MASK_ROWS + TAIL_ROWS {
        return Err(CircuitError::Shape(format!(
            "{} shards and the model proof would open the shared model column {openings} times; \
             its masks hide the model for at most {} (docs/PROTOCOL.md §14.2.1)",
            spec.shards,
            MASK_ROWS + TAIL_ROWS
        ))
        .into());
    }
    let sharing = Sharing { model: true, rows };
    let mut shard = plan_with(spec, sharing)?;
    let spec = &spec.shard_spec();
    let fits = |f: &CircuitFigures| {
        let rows = RowBudget {
            head: f.public_rows,
            poseidon: f.poseidon_rows,
            features: 0,
            requant: 0,
            pooled: 0,
            lookups: f.lookup_cells,
        };
        rows.requant_start((1usize << f.k) - MINIMUM_ROWS).is_some()
            && shared_columns_fit(f)
            && f.base_advice_columns <= MAX_BASE_ADVICE
            && f.lookup_advice_columns <= 1
    };
    for k in shard.k..=*K_RANGE.end() {
        let model = figures(&side_keygen_circuit(spec, k, ProofKind::Model)?, k);
        let testset = match rows {
            true => Some(figures(
                &side_keygen_circuit(spec, k, ProofKind::TestSet)?,
                k,
            )),
            false => None,
        };
        if fits(&model) && testset.as_ref().is_none_or(fits) {
            if k > shard.k {
                let circuit = keygen_circuit_with(spec, k, shard.feature_rows > 0, sharing)?;
                shard = figures(&circuit, k);
            }
            return Ok(SharedModelPlan {
                shard,
                model,
                testset,
            });
        }
    }
    Err(ProverError::TooLarge {
        max_k: *K_RANGE.end(),
        rows: model_chain_rows(spec)?,
    })
}

/// The keygen circuit of a model proof or a test-set proof for one shard of `spec` at size `k`.
fn side_keygen_circuit(spec: &Spec, k: u32, kind: ProofKind) -> Result<TwoPhaseCircuit> {
    let dummy = AccuracyWitness::dummy(spec)?;
    let statement = keygen_statement();
    let stage = CircuitBuilderStage::Keygen;
    let size = (k, k as usize - 1);
    Ok(match kind {
        ProofKind::TestSet => build_testset(spec, stage, size, &dummy, &statement, None)?,
        _ => build_model(spec, stage, size, &dummy, &statement, None)?,
    })
}

/// Keys for a spec: circuit, and the proving key, which holds the verifying key.
///
/// The verifying key is not kept a second time: each copy carries its evaluation domain's FFT
/// twiddles for `2^k`, `2^(k+1)` and `2^(k+2)` points, and dropping the second copy lowered the
/// digits-cnn prover's peak (k = 19) by 243 MiB (`docs/BENCHMARKS.md`).
pub struct ContestKeys {
    /// Circuit shape.
    pub manifest: KeyManifest,
    /// Proving key.
    pub pk: ProvingKey<G1Affine>,
}

/// Generates the keys for `spec` at the planned size with `params` (of exactly that k).
pub fn setup(
    spec: &Spec,
    figures: CircuitFigures,
    params: &ParamsKZG<Bn256>,
    srs_path: PathBuf,
    srs_kind: SrsKind,
) -> Result<ContestKeys> {
    let sharing = Sharing {
        model: figures.model_column_rows > 0,
        rows: figures.testset_column_rows > 0,
    };
    let circuit = keygen_circuit_with(spec, figures.k, figures.feature_rows > 0, sharing)?;
    keys_of(
        spec,
        circuit,
        figures,
        params,
        (srs_path, srs_kind),
        ProofKind::Statement,
    )
}

/// Generates the keys of an entry's model proof or a shard's test-set proof (`kind`, PROTOCOL
/// §14.2.1) at `figures` ([`SharedModelPlan`]) with `params` (of exactly that k).
pub fn setup_side(
    spec: &Spec,
    kind: ProofKind,
    figures: CircuitFigures,
    params: &ParamsKZG<Bn256>,
    (srs_path, srs_kind): (PathBuf, SrsKind),
) -> Result<ContestKeys> {
    let circuit = side_keygen_circuit(&spec.shard_spec(), figures.k, kind)?;
    keys_of(spec, circuit, figures, params, (srs_path, srs_kind), kind)
}

fn keys_of(
    spec: &Spec,
    circuit: TwoPhaseCircuit,
    figures: CircuitFigures,
    params: &ParamsKZG<Bn256>,
    (srs_path, srs_kind): (PathBuf, SrsKind),
    kind: ProofKind,
) -> Result<ContestKeys> {
    let pk = proving_key(&circuit, params)?;
    let manifest = KeyManifest {
        spec_name: spec.name.clone(),
        figures,
        pinning: pinning(&circuit),
        srs_path,
        srs_kind,
        circuit_digest: circuit_digest(&pinning(&circuit).circuit_params()),
        proof_kind: kind,
    };
    Ok(ContestKeys { manifest, pk })
}

/// The verifying key alone for `spec` at the planned size with `params`: what an auditor
/// rebuilds to check a contest's verifier (`contest::trust`), without the proving key's cost.
pub fn verifying_key(
    spec: &Spec,
    figures: &CircuitFigures,
    params: &ParamsKZG<Bn256>,
) -> Result<VerifyingKey<G1Affine>> {
    let sharing = Sharing {
        model: figures.model_column_rows > 0,
        rows: figures.testset_column_rows > 0,
    };
    verifying_key_of(
        &keygen_circuit_with(spec, figures.k, figures.feature_rows > 0, sharing)?,
        params,
    )
}

/// keccak-256 of a verifying key in the bytes `vk.bin` holds (halo2 `RawBytes`): the
/// `vkDigest` a contest records. keygen is deterministic, so anyone with the spec and the SRS
/// gets the same digest.
pub fn vk_digest(vk: &VerifyingKey<G1Affine>) -> [u8; 32] {
    use sha3::{Digest, Keccak256};
    Keccak256::digest(vk.to_bytes(SerdeFormat::RawBytes)).into()
}

/// The proving key of a keygen circuit (`params` of the circuit's k).
pub fn proving_key(
    circuit: &TwoPhaseCircuit,
    params: &ParamsKZG<Bn256>,
) -> Result<ProvingKey<G1Affine>> {
    let vk = verifying_key_of(circuit, params)?;
    keygen_pk(params, vk, circuit).map_err(|e| ProverError::Halo2(format!("keygen_pk: {e}")))
}

fn verifying_key_of(
    circuit: &TwoPhaseCircuit,
    params: &ParamsKZG<Bn256>,
) -> Result<VerifyingKey<G1Affine>> {
    // Selector compression: halo2-axiom's plain `keygen_vk` turns every simple selector into
    // its own fixed column, and each fixed column is one more commitment the on-chain verifier
    // multiplies (≈ 6k gas) and evaluates. Compression merges selectors that are never on in
    // the same row into one fixed column without raising the constraint system's degree, so
    // the prover's extended domain is unchanged. The flag is stored in `vk.bin`.
    keygen_vk_custom(params, circuit, COMPRESS_SELECTORS)
        .map_err(|e| ProverError::Halo2(format!("keygen_vk: {e}")))
}

impl KeyManifest {
    /// Why keys with this manifest (in `dir`) cannot be a contest's (shard) keys, if they
    /// cannot: they make a model or test-set proof (PROTOCOL §14.2.1), which `setup
    /// --shared-model` writes in `model/` and `testset/` beside the shard keys.
    pub fn registry_refusal(&self, dir: &Path) -> Option<String> {
        (self.proof_kind != ProofKind::Statement).then(|| {
            format!(
                "the keys in {} make {:?} proofs (docs/PROTOCOL.md §14.2.1): give the shard keys' \
                 directory, where `setup --shared-model` wrote them in {MODEL_KEYS_DIR}/ and \
                 {TESTSET_KEYS_DIR}/",
                dir.display(),
                self.proof_kind
            )
        })
    }

    /// The columns (shard) keys with this manifest share (none: a plain statement).
    pub fn sharing(&self) -> Sharing {
        Sharing {
            model: self.pinning.shared_model,
            rows: self.pinning.shared_testset,
        }
    }
}

/// Where `setup --shared-model` writes the model proof's keys, beside (under) the shard keys.
pub const MODEL_KEYS_DIR: &str = "model";
/// Where `setup --shared-model --shared-rows` writes the test-set proof's keys.
pub const TESTSET_KEYS_DIR: &str = "testset";

/// Generates and writes the model proof's keys (and with `plan.testset`, the test-set proof's)
/// of `plan` into `out/model` (and `out/testset`), with `params` at the plan's k;
/// `on_side(kind, figures)` is told before each.
pub fn write_side_keys(
    spec: &Spec,
    plan: &SharedModelPlan,
    params: &ParamsKZG<Bn256>,
    (srs_path, srs_kind): (&Path, SrsKind),
    out: &Path,
    on_side: &dyn Fn(ProofKind, &CircuitFigures),
) -> Result<()> {
    let sides = [
        (ProofKind::Model, MODEL_KEYS_DIR, Some(&plan.model)),
        (ProofKind::TestSet, TESTSET_KEYS_DIR, plan.testset.as_ref()),
    ];
    for (kind, dir, figures) in sides {
        let Some(figures) = figures else { continue };
        on_side(kind, figures);
        let keys = setup_side(
            spec,
            kind,
            figures.clone(),
            params,
            (srs_path.to_path_buf(), srs_kind),
        )?;
        keys.write(&out.join(dir))?;
    }
    Ok(())
}

/// The verifying key alone of a model or test-set proof (`kind`) at `figures`: what an auditor
/// rebuilds to check a contest's model or test-set verifier.
pub fn side_verifying_key(
    spec: &Spec,
    kind: ProofKind,
    figures: &CircuitFigures,
    params: &ParamsKZG<Bn256>,
) -> Result<VerifyingKey<G1Affine>> {
    verifying_key_of(
        &side_keygen_circuit(&spec.shard_spec(), figures.k, kind)?,
        params,
    )
}

impl ContestKeys {
    /// The verifying key (the proving key's).
    pub fn vk(&self) -> &VerifyingKey<G1Affine> {
        self.pk.get_vk()
    }

    /// Writes `circuit.json`, `vk.bin`, `pk.bin` into `dir` (created if missing).
    pub fn write(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(io_err("creating", dir))?;
        let json = serde_json::to_vec_pretty(&self.manifest).map_err(|e| ProverError::Format {
            path: dir.join("circuit.json").display().to_string(),
            reason: e.to_string(),
        })?;
        write_atomic(&dir.join("circuit.json"), |w| w.write_all(&json))?;
        write_atomic(&dir.join("vk.bin"), |w| {
            self.vk().write(w, SerdeFormat::RawBytes)
        })?;
        write_atomic(&dir.join("pk.bin"), |w| {
            self.pk.write(w, SerdeFormat::RawBytes)
        })?;
        Ok(())
    }

    /// Reads the manifest and the verifying key (no proving key: verification needs none).
    pub fn read_verifier(dir: &Path) -> Result<(KeyManifest, VerifyingKey<G1Affine>)> {
        let manifest = read_manifest(dir)?;
        let params = manifest.pinning.circuit_params();
        let vk = read_key(&dir.join("vk.bin"), |r| {
            VerifyingKey::read::<_, TwoPhaseCircuit>(r, SerdeFormat::RawBytes, params)
        })?;
        Ok((manifest, vk))
    }

    /// Reads everything a prover needs: the manifest and the proving key (`vk.bin` is for
    /// verifiers; the proving key holds the same verifying key).
    pub fn read(dir: &Path) -> Result<Self> {
        let manifest = read_manifest(dir)?;
        let params = manifest.pinning.circuit_params();
        let pk = read_key(&dir.join("pk.bin"), |r| {
            ProvingKey::read::<_, TwoPhaseCircuit>(r, SerdeFormat::RawBytes, params)
        })?;
        Ok(Self { manifest, pk })
    }
}

/// Opens `path` and decodes a key from it, naming the file in any error.
fn read_key<T>(
    path: &Path,
    read: impl FnOnce(&mut BufReader<File>) -> std::io::Result<T>,
) -> Result<T> {
    let file = File::open(path).map_err(io_err("opening", path))?;
    read(&mut BufReader::new(file)).map_err(|e| ProverError::Format {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

fn read_manifest(dir: &Path) -> Result<KeyManifest> {
    let path = dir.join("circuit.json");
    let text = std::fs::read(&path).map_err(io_err("reading", &path))?;
    let manifest: KeyManifest = serde_json::from_slice(&text).map_err(|e| ProverError::Format {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let expected = circuit_digest(&manifest.pinning.circuit_params());
    if manifest.circuit_digest != expected {
        return Err(ProverError::Format {
            path: path.display().to_string(),
            reason: format!(
                "these keys were made for a different circuit (digest {:?}; this build's is \
                 {expected}): a newer or older contest-cli made them. Run `contest-cli setup` \
                 again (a contest already deployed keeps the verifier its keys produced)",
                manifest.circuit_digest
            ),
        });
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::{model_chain_rows, plan, plan_shared_model, MASK_ROWS};
    use crate::spec::Spec;

    /// On digits the features chip takes halo2-base down to one column at k = 18; on the
    /// MNIST-shaped spec its rows would not fit k = 20 beside the Poseidon chip's, so the plan
    /// leaves the features to halo2-base there rather than doubling the circuit.
    /// The shared-column plans of the 10,000-row MNIST-shaped spec (PROTOCOL §14.2.1's figures):
    /// a 100-row shard without the model's 1.2M halo2-base cells and 3,304 permutations, and a
    /// model proof at the shard's k; with the rows shared too, no chain at all and k = 19; more
    /// shards than the column's masks hide are refused.
    #[test]
    fn shared_model_plan_drops_the_model_from_shards() {
        let text = include_str!("../../contest-specs/mnist-synth-10000/contest.toml");
        let spec = Spec::from_toml_str(text).expect("MNIST-shaped spec");
        let whole = plan(&spec).expect("plan");
        let shared = plan_shared_model(&spec, false).expect("shared plan");
        assert_eq!((whole.k, shared.shard.k, shared.model.k), (20, 20, 20));
        let model_cells = 1_215_226;
        assert!(shared.shard.base_advice_cells < whole.base_advice_cells - model_cells);
        let model_chain = model_chain_rows(&spec.shard_spec()).expect("rows");
        assert_eq!(
            shared.shard.poseidon_rows,
            whole.poseidon_rows - model_chain
        );
        assert_eq!(shared.model.poseidon_rows, model_chain);
        assert_eq!(shared.model.freivalds_rows, 0);
        // 784·128 + 128 + 128·10 + 10 weights and biases, 2 shifts, then the masks.
        let params = 784 * 128 + 128 + 128 * 10 + 10 + 2;
        assert_eq!(shared.shard.model_column_rows, params + MASK_ROWS);
        assert_eq!(shared.model.model_column_rows, params + MASK_ROWS);
        assert!(shared.testset.is_none());
        // With the rows shared too: no chain left in the shard, which fits k = 19 with the model
        // and test-set proofs; 100 rows of 784 features and a label in the rows column.
        let rows = plan_shared_model(&spec, true).expect("rows plan");
        let testset = rows.testset.expect("test-set proof");
        assert_eq!((rows.shard.k, rows.model.k, testset.k), (19, 19, 19));
        assert_eq!(rows.shard.poseidon_rows, 0);
        assert_eq!(rows.shard.testset_column_rows, 100 * 785);
        assert_eq!(testset.testset_column_rows, 100 * 785);
        assert_eq!(testset.poseidon_rows, whole.poseidon_rows - model_chain);
        assert_eq!(testset.model_column_rows, 0);

        let many = text
            .replace("rows = 10000", "rows = 300")
            .replace("shards = 100", "shards = 300");
        let spec = Spec::from_toml_str(&many).expect("300 shards");
        let err = plan_shared_model(&spec, false).expect_err("300 shards refused");
        assert!(
            err.to_string()
                .contains("open the shared model column 301 times"),
            "{err}"
        );
    }

    #[test]
    fn plan_uses_the_features_chip_where_it_fits() {
        let digits = Spec::from_toml_str(include_str!("../../contest-specs/digits/contest.toml"))
            .expect("digits spec");
        let f = plan(&digits).expect("plan");
        assert_eq!((f.k, f.base_advice_columns), (18, 1));
        assert_eq!(f.feature_rows, 2 * digits.test_rows * digits.input.features);
        let mnist = Spec::from_toml_str(include_str!(
            "../../contest-specs/mnist-synth-100/contest.toml"
        ))
        .expect("MNIST-shaped spec");
        let f = plan(&mnist).expect("plan");
        assert_eq!((f.k, f.feature_rows), (20, 0));
    }
}
