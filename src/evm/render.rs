//! Renders the Solidity verifier (Solidity with one assembly block) for a verifying key.

use std::rc::Rc;

use halo2_base::halo2_proofs::halo2curves::bn256::{Bn256, Fq, Fr, G1Affine};
use halo2_base::halo2_proofs::plonk::VerifyingKey;
use halo2_base::halo2_proofs::poly::commitment::{Params, ParamsProver};
use halo2_base::halo2_proofs::poly::kzg::commitment::ParamsKZG;
use snark_verifier::cost::CostEstimation;
use snark_verifier::loader::evm::{estimate_gas, EvmLoader};
use snark_verifier::loader::native::NativeLoader;
use snark_verifier::pcs::kzg::{Bdfg21, KzgAs, KzgDecidingKey};
use snark_verifier::system::halo2::transcript::evm::EvmTranscript;
use snark_verifier::system::halo2::{compile, Config};
use snark_verifier::verifier::plonk::PlonkProtocol;
use snark_verifier::verifier::plonk::PlonkVerifier;
use snark_verifier::verifier::SnarkVerifier;

use super::{EvmError, Result};

/// Public instances of the accuracy circuit: `chainid, contestId, submitter, C, T, correct`
/// (docs/PROTOCOL.md §6), all in its one instance column.
pub const NUM_INSTANCES: usize = 6;

/// KZG with SHPLONK (Bdfg21), matching `prover::proof`'s `ProverSHPLONK`.
type Shplonk = PlonkVerifier<KzgAs<Bn256, Bdfg21>>;

/// What the verifier reads and computes, by snark-verifier's cost model (for the benchmarks:
/// every advice column adds a commitment, evaluations and a scalar multiplication).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct VerifierShape {
    /// G1 commitments in the proof.
    pub commitments: usize,
    /// Field evaluations in the proof.
    pub evaluations: usize,
    /// Scalar multiplications (ecMul precompile calls).
    pub msm: usize,
    /// Pairings.
    pub pairings: usize,
    /// snark-verifier's gas estimate (intrinsic + calldata + precompiles; excludes the
    /// field arithmetic, so the measured figure is higher).
    pub estimated_gas: usize,
}

/// The protocol snark-verifier derives from the key (after checking the SRS matches it).
fn protocol(
    params: &ParamsKZG<Bn256>,
    vk: &VerifyingKey<G1Affine>,
) -> Result<PlonkProtocol<G1Affine>> {
    if vk.get_domain().k() != params.k() {
        // snark-verifier asserts this; say it as an error instead of panicking.
        return Err(EvmError::Render(format!(
            "the SRS has k = {} but the verifying key was made for k = {}",
            params.k(),
            vk.get_domain().k()
        )));
    }
    Ok(compile(
        params,
        vk,
        Config::kzg().with_num_instance(vec![NUM_INSTANCES]),
    ))
}

/// The verifier's shape and estimated gas for `vk`.
pub fn shape(params: &ParamsKZG<Bn256>, vk: &VerifyingKey<G1Affine>) -> Result<VerifierShape> {
    let cost = <Shplonk as CostEstimation<(G1Affine, NativeLoader)>>::estimate_cost(&protocol(
        params, vk,
    )?);
    Ok(VerifierShape {
        commitments: cost.num_commitment,
        evaluations: cost.num_evaluation,
        msm: cost.num_msm,
        pairings: cost.num_pairing,
        estimated_gas: estimate_gas(cost),
    })
}

/// Renders the verifier for `vk` under `params` (the SRS the keys were made with, at the
/// circuit's k: only `g[0]`, `g2` and `s·g2` end up in the contract).
pub fn render(params: &ParamsKZG<Bn256>, vk: &VerifyingKey<G1Affine>) -> Result<String> {
    let protocol = protocol(params, vk)?;
    let dk: KzgDecidingKey<Bn256> = (params.get_g()[0], params.g2(), params.s_g2()).into();

    let loader = EvmLoader::new::<Fq, Fr>();
    let protocol = protocol.loaded(&loader);
    let mut transcript = EvmTranscript::<_, Rc<EvmLoader>, _, _>::new(&loader);
    let instances = transcript.load_instances(vec![NUM_INSTANCES]);
    let proof = Shplonk::read_proof(&dk, &protocol, &instances, &mut transcript)
        .map_err(|e| EvmError::Render(format!("reading the proof layout: {e:?}")))?;
    Shplonk::verify(&dk, &protocol, &instances, &proof)
        .map_err(|e| EvmError::Render(format!("emitting the check: {e:?}")))?;
    Ok(loader.solidity_code())
}
