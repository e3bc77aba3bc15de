//! `snarkjs powersoftau contribute` (`src/powersoftau_contribute.js`): a fresh tau, alpha and
//! beta applied to every point, and the contribution record appended.

use std::path::Path;

use halo2_base::halo2_proofs::arithmetic::parallelize;
use halo2_base::halo2_proofs::halo2curves::bn256::{Fr, G1Affine, G2Affine, G1};
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use halo2_base::halo2_proofs::halo2curves::group::prime::PrimeCurveAffine;
use halo2_base::halo2_proofs::halo2curves::group::{Curve, Group};
use halo2_base::halo2_proofs::halo2curves::serde::SerdeObject;
use rand::rngs::{OsRng, StdRng};
use rand::{RngCore, SeedableRng};

use super::super::keypair::{
    g1_compressed, g1_uncompressed, g2_compressed, g2_sp, g2_uncompressed,
};
use super::super::partial_hash::Blake2b512;
use super::{
    encode_record, first_challenge, load, snarkjs_name, write_ptau, KeyPart, RecordPoints,
    SECTION_NAMES,
};
use crate::prover::{ProverError, Result};

/// What a contribution produced: what the contributor keeps to find it later.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ContributionReceipt {
    /// 1-based position of this contribution in the ceremony.
    pub index: u32,
    /// The name recorded (snarkjs keeps the first 64 UTF-16 units).
    pub name: String,
    /// The ceremony's power.
    pub power: u32,
    /// The response hash, hex (blake2b-512): what `snarkjs powersoftau contribute` prints as
    /// "Contribution Response Hash" and `snarkjs powersoftau verify` lists.
    pub contribution_hash: String,
    /// The challenge the next contributor answers, hex.
    pub next_challenge: String,
    /// The input had phase-2 (Lagrange) sections, which the output drops (`snarkjs powersoftau
    /// prepare phase2` has to be run again at the end).
    pub dropped_phase2: bool,
}

/// Adds a contribution to the ceremony file `input` and writes the result to `output`
/// (atomically), as `snarkjs powersoftau contribute` does. The secrets come from the OS
/// random generator, mixed (blake2b-512) with `entropy`; they live only in memory.
///
/// Fails on a file reduced by `snarkjs powersoftau truncate` (power below the ceremony's), a
/// file above [`super::MAX_CEREMONY_POWER`], and points off their curves.
pub fn contribute(
    input: &Path,
    output: &Path,
    name: &str,
    entropy: &[u8],
) -> Result<ContributionReceipt> {
    let file = load(input)?;
    let shown = input.display().to_string();
    if file.power != file.ceremony_power {
        return Err(ProverError::CeremonyReduced {
            path: shown,
            power: file.power,
            ceremony_power: file.ceremony_power,
        });
    }
    let challenge = file
        .records
        .last()
        .map(|r| r.next_challenge())
        .unwrap_or_else(|| first_challenge(file.power));

    let mut rng = {
        let mut os = [0u8; 64];
        OsRng.fill_bytes(&mut os);
        let mut h = blake2b_simd::Params::new().hash_length(64).to_state();
        h.update(&os);
        h.update(entropy);
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&h.finalize().as_bytes()[..32]);
        StdRng::from_seed(seed)
    };
    let nonzero = |rng: &mut StdRng| loop {
        let x = Fr::random(&mut *rng);
        if !bool::from(x.is_zero()) {
            break x;
        }
    };
    let secrets = [nonzero(&mut rng), nonzero(&mut rng), nonzero(&mut rng)];
    let [tau, alpha, beta] = secrets;
    let mut key = [KeyPart {
        g1_s: G1Affine::generator(),
        g1_sx: G1Affine::generator(),
        g2_spx: G2Affine::generator(),
    }; 3];
    for (i, (part, x)) in key.iter_mut().zip(secrets).enumerate() {
        let g1_s = G1::random(&mut rng).to_affine();
        let g1_sx = (g1_s * x).to_affine();
        let sp = g2_sp(i as u8, &challenge, &g1_s, &g1_sx);
        *part = KeyPart {
            g1_s,
            g1_sx,
            g2_spx: (sp * x).to_affine(),
        };
    }

    let bad = |i: usize| {
        move |reason: String| ProverError::PtauPoints {
            path: input.display().to_string(),
            section: SECTION_NAMES[i],
            reason,
        }
    };
    let tau_g1 = apply_key(&parse_g1(&file.sections[0]).map_err(bad(0))?, Fr::ONE, tau);
    let tau_g2 = apply_key(&parse_g2(&file.sections[1]).map_err(bad(1))?, Fr::ONE, tau);
    let alpha_g1 = apply_key(&parse_g1(&file.sections[2]).map_err(bad(2))?, alpha, tau);
    let beta_g1 = apply_key(&parse_g1(&file.sections[3]).map_err(bad(3))?, beta, tau);
    let beta_g2 = apply_key(&parse_g2(&file.sections[4]).map_err(bad(4))?, beta, tau);
    let points = RecordPoints {
        tau_g1: tau_g1[1],
        tau_g2: tau_g2[1],
        alpha_g1: alpha_g1[0],
        beta_g1: beta_g1[0],
        beta_g2: beta_g2[0],
        key,
    };

    // The response hash: the challenge, the new points compressed, (saved state), the key.
    let mut response = Blake2b512::new();
    response.update(&challenge);
    response.update(&tau_g1.iter().flat_map(g1_compressed).collect::<Vec<u8>>());
    response.update(&tau_g2.iter().flat_map(g2_compressed).collect::<Vec<u8>>());
    response.update(&alpha_g1.iter().flat_map(g1_compressed).collect::<Vec<u8>>());
    response.update(&beta_g1.iter().flat_map(g1_compressed).collect::<Vec<u8>>());
    response.update(&beta_g2.iter().flat_map(g2_compressed).collect::<Vec<u8>>());
    let partial = response.to_partial();
    response.update(&key_uncompressed(&key));
    let response_hash = response.finalize();

    // The next challenge: the response hash, the new points uncompressed.
    let mut next = blake2b_simd::Params::new().hash_length(64).to_state();
    next.update(&response_hash);
    next.update(&tau_g1.iter().flat_map(g1_uncompressed).collect::<Vec<u8>>());
    next.update(&tau_g2.iter().flat_map(g2_uncompressed).collect::<Vec<u8>>());
    next.update(
        &alpha_g1
            .iter()
            .flat_map(g1_uncompressed)
            .collect::<Vec<u8>>(),
    );
    next.update(
        &beta_g1
            .iter()
            .flat_map(g1_uncompressed)
            .collect::<Vec<u8>>(),
    );
    next.update(
        &beta_g2
            .iter()
            .flat_map(g2_uncompressed)
            .collect::<Vec<u8>>(),
    );
    let mut next_challenge = [0u8; 64];
    next_challenge.copy_from_slice(next.finalize().as_bytes());

    let record = encode_record(&points, &partial, &next_challenge, name);
    let sections = [
        raw(&tau_g1),
        raw(&tau_g2),
        raw(&alpha_g1),
        raw(&beta_g1),
        raw(&beta_g2),
    ];
    let mut records: Vec<&[u8]> = file.records.iter().map(|r| r.raw.as_slice()).collect();
    records.push(&record);
    write_ptau(output, file.power, &sections, &records)?;
    Ok(ContributionReceipt {
        index: records.len() as u32,
        name: snarkjs_name(name),
        power: file.power,
        contribution_hash: hex::encode(response_hash),
        next_challenge: hex::encode(next_challenge),
        dropped_phase2: file.prepared,
    })
}

/// A hash as snarkjs prints it (`formatHash`): four lines of four big-endian 32-bit words in
/// hex, each line indented by two tabs.
pub fn format_hash(hash: &[u8; 64]) -> String {
    hash.chunks_exact(16)
        .map(|line| {
            let words: Vec<String> = line.chunks_exact(4).map(hex::encode).collect();
            format!("\t\t{}", words.join(" "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The public key uncompressed, in record order (`toPtauPubKeyRpr(.., false)`).
pub(super) fn key_uncompressed(key: &[KeyPart; 3]) -> Vec<u8> {
    let mut out = Vec::with_capacity(super::KEY_BYTES);
    for part in key {
        out.extend_from_slice(&g1_uncompressed(&part.g1_s));
        out.extend_from_slice(&g1_uncompressed(&part.g1_sx));
    }
    for part in key {
        out.extend_from_slice(&g2_uncompressed(&part.g2_spx));
    }
    out
}

/// Point i times `first·inc^i` (ffjavascript `batchApplyKey`).
fn apply_key<C>(points: &[C], first: Fr, inc: Fr) -> Vec<C>
where
    C: PrimeCurveAffine<Scalar = Fr> + Send + Sync,
    C::Curve: Curve<AffineRepr = C> + Send + Sync,
{
    let mut scalars = Vec::with_capacity(points.len());
    let mut t = first;
    for _ in 0..points.len() {
        scalars.push(t);
        t *= inc;
    }
    let mut projective = vec![C::Curve::identity(); points.len()];
    parallelize(&mut projective, |chunk, start| {
        for (i, out) in chunk.iter_mut().enumerate() {
            *out = points[start + i] * scalars[start + i];
        }
    });
    let mut affine = vec![C::identity(); points.len()];
    C::Curve::batch_normalize(&projective, &mut affine);
    affine
}

fn raw<C: SerdeObject>(points: &[C]) -> Vec<u8> {
    points.iter().flat_map(|p| p.to_raw_bytes()).collect()
}

/// The G1 points of a section, each on the curve (cofactor 1: in the group).
pub(super) fn parse_g1(bytes: &[u8]) -> std::result::Result<Vec<G1Affine>, String> {
    bytes
        .chunks_exact(super::G1_BYTES)
        .enumerate()
        .map(|(i, raw)| {
            G1Affine::from_raw_bytes(raw).ok_or_else(|| {
                format!("point {i} is not on BN254's G1 (or a coordinate is not below q)")
            })
        })
        .collect()
}

/// The G2 points of a section, each on the twist (the subgroup is checked by the verifier).
pub(super) fn parse_g2(bytes: &[u8]) -> std::result::Result<Vec<G2Affine>, String> {
    bytes
        .chunks_exact(super::G2_BYTES)
        .enumerate()
        .map(|(i, raw)| {
            G2Affine::from_raw_bytes(raw).ok_or_else(|| {
                format!("point {i} is not on BN254's G2 twist (or a coordinate is not below q)")
            })
        })
        .collect()
}
