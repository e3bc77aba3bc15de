//! Proving and native verification (SHPLONK, snark-verifier's keccak `EvmTranscript`, so the
//! bytes are exactly what the on-chain verifier reads after the instances).

use halo2_base::gates::circuit::CircuitBuilderStage;
use halo2_base::halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_base::halo2_proofs::plonk::{create_proof, verify_proof, VerifyingKey};
use halo2_base::halo2_proofs::poly::commitment::ParamsProver;
use halo2_base::halo2_proofs::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_base::halo2_proofs::poly::kzg::multiopen::{ProverSHPLONK, VerifierSHPLONK};
use halo2_base::halo2_proofs::poly::kzg::strategy::SingleStrategy;
use halo2_base::halo2_proofs::transcript::{TranscriptReadBuffer, TranscriptWriterBuffer};
use std::time::Instant;

use rand::rngs::OsRng;
use snark_verifier::loader::native::NativeLoader;
use snark_verifier::system::halo2::transcript::evm::EvmTranscript;

use super::keys::ContestKeys;
use super::{ProverError, Result};
use crate::circuit::accuracy::{build, AccuracyWitness, Shape, Statement};
use crate::spec::Spec;

/// Wall time of the two halves of proving.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct ProveTimings {
    /// Building the circuit: reference trace, witness generation, halo2-base layout.
    pub witness_seconds: f64,
    /// `create_proof`: commitments, quotient, openings.
    pub proving_seconds: f64,
}

/// Proves `statement` for `witness` with the contest's keys. The caller computes the
/// statement (C, T and `correct` natively); a statement the witness does not satisfy yields a
/// proof that does not verify.
pub fn prove(
    spec: &Spec,
    keys: &ContestKeys,
    params: &ParamsKZG<Bn256>,
    witness: &AccuracyWitness,
    statement: &Statement,
) -> Result<(Vec<u8>, ProveTimings)> {
    let f = &keys.manifest.figures;
    let started = Instant::now();
    let circuit = build(
        spec,
        CircuitBuilderStage::Prover,
        f.k,
        f.lookup_bits,
        witness,
        statement,
        Shape::Pinned(&keys.manifest.pinning),
    )?;
    let witness_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let instances = statement.instances();
    let mut transcript =
        EvmTranscript::<G1Affine, NativeLoader, Vec<u8>, Vec<u8>>::init(Vec::new());
    create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
        params,
        &keys.pk,
        &[circuit],
        &[&[&instances]],
        OsRng,
        &mut transcript,
    )
    .map_err(|e| ProverError::Halo2(format!("create_proof: {e}")))?;
    let timings = ProveTimings {
        witness_seconds,
        proving_seconds: started.elapsed().as_secs_f64(),
    };
    Ok((transcript.finalize(), timings))
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
pub(crate) mod tests;
