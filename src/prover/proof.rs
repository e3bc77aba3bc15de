//! Proving and native verification (SHPLONK, snark-verifier's keccak `EvmTranscript`, so the
//! bytes are exactly what the on-chain verifier reads after the instances).

use halo2_base::gates::circuit::CircuitBuilderStage;
use halo2_base::halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_base::halo2_proofs::plonk::{create_proof, verify_proof, ProvingKey, VerifyingKey};
use halo2_base::halo2_proofs::poly::commitment::ParamsProver;
use halo2_base::halo2_proofs::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_base::halo2_proofs::poly::kzg::multiopen::{ProverSHPLONK, VerifierSHPLONK};
use halo2_base::halo2_proofs::poly::kzg::strategy::SingleStrategy;
use halo2_base::halo2_proofs::transcript::{TranscriptReadBuffer, TranscriptWriterBuffer};
use std::path::Path;
use std::time::Instant;

use rand::rngs::OsRng;
use rand::RngCore;
use snark_verifier::loader::native::NativeLoader;
use snark_verifier::system::halo2::transcript::evm::EvmTranscript;

use super::keys::{CircuitFigures, ContestKeys, ProofKind};
use super::{ProverError, Result};
use crate::circuit::accuracy::{
    build, build_model, build_testset, AccuracyWitness, Shape, Statement,
};
use crate::circuit::two_phase::TwoPhaseCircuit;
use crate::spec::Spec;

/// Wall time of the two halves of proving.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProveTimings {
    /// Building the circuit: reference trace, witness generation, halo2-base layout.
    pub witness_seconds: f64,
    /// `create_proof`: commitments, quotient, openings.
    pub proving_seconds: f64,
}

/// The stages of proving a user can watch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProveStage {
    /// Building the circuit: the reference trace, witness generation and layout.
    Witness,
    /// halo2's `create_proof` (one call: commitments, quotient, openings).
    Proof,
}

impl ProveStage {
    /// What the stage is called on a progress bar.
    pub fn label(self) -> &'static str {
        match self {
            ProveStage::Witness => "proving 1/2: witness",
            ProveStage::Proof => "proving 2/2: create_proof",
        }
    }
}

/// How long proving with a key directory is expected to take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProveEstimate {
    /// The expected times.
    pub timings: ProveTimings,
    /// `true`: measured by an earlier proof with the same keys on this machine (the key
    /// directory's `timings.json`); `false`: a rough figure from the circuit plan.
    pub measured: bool,
}

impl ProveEstimate {
    /// Expected seconds of `stage`.
    pub fn seconds(&self, stage: ProveStage) -> f64 {
        match stage {
            ProveStage::Witness => self.timings.witness_seconds,
            ProveStage::Proof => self.timings.proving_seconds,
        }
    }

    /// Where the figure comes from, for the user.
    pub fn source(&self) -> &'static str {
        if self.measured {
            "as the last proof with these keys"
        } else {
            "rough estimate from the circuit plan"
        }
    }
}

/// The key directory's record of the last proof's timings.
pub const TIMINGS_FILE: &str = "timings.json";

/// Seconds per (row · k · column) of `create_proof`: a value between the two per-unit costs
/// implied by docs/BENCHMARKS.md's proving times (digits at k = 18, the MNIST-shaped spec at
/// k = 20; they differ by about 2×). Only a first estimate, replaced by a measurement after one
/// proof; on the mini test spec (k = 14) it said 1.5 s for a proof that took 3.0 s.
const PROOF_SECONDS_PER_ROW_K_COLUMN: f64 = 5.5e-7;
/// Seconds per halo2-base cell or chip row of the witness stage (same caveat; the stage is
/// a small part of proving).
const WITNESS_SECONDS_PER_CELL: f64 = 1e-6;

/// The expected timings of proving with `keys` (in `dir`): the last measured ones if the
/// directory records them, else an estimate from the circuit plan.
pub fn estimate(dir: &Path, keys: &ContestKeys) -> ProveEstimate {
    let recorded = std::fs::read(dir.join(TIMINGS_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice::<ProveTimings>(&b).ok())
        .filter(|t| t.witness_seconds >= 0.0 && t.proving_seconds > 0.0);
    match recorded {
        Some(timings) => ProveEstimate {
            timings,
            measured: true,
        },
        None => ProveEstimate {
            timings: plan_estimate(&keys.manifest.figures),
            measured: false,
        },
    }
}

/// A rough estimate from the circuit's figures alone (see the constants above).
pub fn plan_estimate(f: &CircuitFigures) -> ProveTimings {
    let pooled_columns = usize::from(f.pooled_rows > 0);
    let columns = f.base_advice_columns
        + f.lookup_advice_columns
        + f.freivalds_columns
        + f.fixed_columns
        + pooled_columns;
    let rows = (1u64 << f.k) as f64;
    let cells =
        f.base_advice_cells + f.freivalds_rows + f.poseidon_rows + f.requant_rows + f.pooled_rows;
    ProveTimings {
        witness_seconds: cells as f64 * WITNESS_SECONDS_PER_CELL,
        proving_seconds: rows * f64::from(f.k) * columns as f64 * PROOF_SECONDS_PER_ROW_K_COLUMN,
    }
}

/// Records `timings` in the key directory for the next estimate.
pub fn record_timings(dir: &Path, timings: &ProveTimings) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(timings).map_err(std::io::Error::other)?;
    std::fs::write(dir.join(TIMINGS_FILE), json)
}

/// Proves `statement` for `witness` with the contest's keys. The caller computes the
/// statement (C, T and `correct` natively); a statement the witness does not satisfy yields a
/// proof that does not verify. The keys' `KeyManifest::proof_kind` says which circuit: with
/// model-proof keys the entry's model proof (the test set is not read), with test-set-proof keys
/// a shard's test-set proof (the model is not read).
pub fn prove(
    spec: &Spec,
    keys: &ContestKeys,
    params: &ParamsKZG<Bn256>,
    witness: &AccuracyWitness,
    statement: &Statement,
) -> Result<(Vec<u8>, ProveTimings)> {
    prove_in_stages(spec, keys, params, witness, statement, &|_| {})
}

/// [`prove`], calling `on_stage` as each stage begins.
pub fn prove_in_stages(
    spec: &Spec,
    keys: &ContestKeys,
    params: &ParamsKZG<Bn256>,
    witness: &AccuracyWitness,
    statement: &Statement,
    on_stage: &dyn Fn(ProveStage),
) -> Result<(Vec<u8>, ProveTimings)> {
    // The keys are one shard's (`keys::plan`); `witness` holds that shard's rows.
    let spec = &spec.shard_spec();
    let f = &keys.manifest.figures;
    on_stage(ProveStage::Witness);
    let started = Instant::now();
    let pinning = &keys.manifest.pinning;
    let (stage, size) = (CircuitBuilderStage::Prover, (f.k, f.lookup_bits));
    let circuit = match keys.manifest.proof_kind {
        ProofKind::Model => build_model(spec, stage, size, witness, statement, Some(pinning))?,
        ProofKind::TestSet => build_testset(spec, stage, size, witness, statement, Some(pinning))?,
        ProofKind::Statement => {
            let shape = Shape::Pinned(pinning);
            build(spec, stage, f.k, f.lookup_bits, witness, statement, shape)?
        }
    };
    let witness_seconds = started.elapsed().as_secs_f64();
    on_stage(ProveStage::Proof);
    let started = Instant::now();
    let proof = prove_circuit(params, &keys.pk, circuit, &statement.instances())?;
    let timings = ProveTimings {
        witness_seconds,
        proving_seconds: started.elapsed().as_secs_f64(),
    };
    Ok((proof, timings))
}

/// `create_proof` for a built circuit: SHPLONK, the EVM transcript, fresh randomness from the
/// OS, except that a circuit with shared columns gets an RNG whose first words fill those
/// columns' blinding rows with the columns' own values (the model's salt-derived masks, zeros
/// for a shard's rows; [`crate::circuit::model_column::SharedColumn::blinding_words`]), so that
/// each one's commitment is the same in every proof.
pub fn prove_circuit(
    params: &ParamsKZG<Bn256>,
    pk: &ProvingKey<G1Affine>,
    circuit: TwoPhaseCircuit,
    instances: &[Fr],
) -> Result<Vec<u8>> {
    let n = 1usize << pk.get_vk().get_domain().k();
    let unusable_start = n - (pk.get_vk().cs().blinding_factors() + 1);
    // The shared columns are the first advice columns, the model's before the rows'.
    let shared = circuit.model_column.iter().chain(&circuit.testset_column);
    let words = shared
        .flat_map(|c| c.blinding_words(n, unusable_start))
        .collect();
    let rng = ScriptedRng::new(words, OsRng);
    let mut transcript =
        EvmTranscript::<G1Affine, NativeLoader, Vec<u8>, Vec<u8>>::init(Vec::new());
    create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
        params,
        pk,
        &[circuit],
        &[&[instances]],
        rng,
        &mut transcript,
    )
    .map_err(|e| ProverError::Halo2(format!("create_proof: {e}")))?;
    Ok(transcript.finalize())
}

/// The shared model column's commitment in a proof of a circuit that has it: the first point
/// the transcript writes (phase 0's advice commitments come first, the column is the first of
/// them), as the 64 bytes `x ‖ y` (big-endian) the on-chain verifier reads.
pub fn model_column_commitment(proof: &[u8]) -> Option<[u8; 64]> {
    shared_column_commitment(proof, 0)
}

/// The commitment of the `i`-th shared column (the `i`-th point the transcript writes).
pub fn shared_column_commitment(proof: &[u8], i: usize) -> Option<[u8; 64]> {
    proof.get(64 * i..64 * (i + 1))?.try_into().ok()
}

/// An RNG that returns `words` from `next_u64` first, then `rest`'s output (halo2 draws a
/// field element as eight `next_u64`; nothing else is drawn before the first phase-0 column's
/// blinding rows).
struct ScriptedRng<R> {
    words: std::vec::IntoIter<u64>,
    rest: R,
}

impl<R> ScriptedRng<R> {
    fn new(words: Vec<u64>, rest: R) -> Self {
        Self {
            words: words.into_iter(),
            rest,
        }
    }
}

impl<R: RngCore> RngCore for ScriptedRng<R> {
    fn next_u32(&mut self) -> u32 {
        self.rest.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.words.next().unwrap_or_else(|| self.rest.next_u64())
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.rest.fill_bytes(dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> std::result::Result<(), rand::Error> {
        self.rest.try_fill_bytes(dest)
    }
}

/// Verifies a proof natively; `Ok(false)` means the proof is invalid for these instances.
pub fn verify(
    params: &ParamsKZG<Bn256>,
    vk: &VerifyingKey<G1Affine>,
    instances: &[Fr],
    proof: &[u8],
) -> bool {
    let mut transcript = EvmTranscript::<G1Affine, NativeLoader, &[u8], Vec<u8>>::init(proof);
    verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
        params.verifier_params(),
        vk,
        SingleStrategy::new(params),
        &[&[instances]],
        &mut transcript,
    )
    .is_ok()
}

#[cfg(test)]
mod shared_model_tests;
#[cfg(test)]
pub(crate) mod tests;
