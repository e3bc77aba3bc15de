//! `snarkjs powersoftau verify` (`src/powersoftau_verify.js`) for the powers: every
//! contribution's proof of knowledge and its link to the previous one, and the file's points
//! as consecutive powers of the last contribution's tau.
//!
//! Each "same ratio" check is `e(a, d) = e(b, c)`, i.e. b/a = d/c in the exponent. A section of
//! n points is checked with one such equation on random linear combinations:
//! `R1 = Σ ρ^i·P_i`, `R2 = Σ ρ^i·P_(i+1)` (i < n - 1, ρ random), so `R2 = tau·R1` fails for a
//! wrong point except for fewer than n of the ~2^254 values of ρ (snarkjs uses random 32-bit
//! scalars).

use std::path::Path;

use halo2_base::halo2_proofs::arithmetic::{best_multiexp, parallelize};
use halo2_base::halo2_proofs::halo2curves::bn256::{
    multi_miller_loop, Fr, G1Affine, G2Affine, G2Prepared, Gt, G2,
};
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use halo2_base::halo2_proofs::halo2curves::group::cofactor::CofactorGroup;
use halo2_base::halo2_proofs::halo2curves::group::prime::PrimeCurveAffine;
use halo2_base::halo2_proofs::halo2curves::pairing::MillerLoopResult;
use halo2_base::halo2_proofs::halo2curves::CurveAffine;
use rand::rngs::OsRng;

use super::super::keypair::{g1_uncompressed, g2_sp, g2_uncompressed};
use super::contribute::{parse_g1, parse_g2};
use super::{first_challenge, load, RecordPoints, SECTION_NAMES};
use crate::prover::Result;

/// The outcome of [`verify_ceremony`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CeremonyReport {
    /// The file's power.
    pub power: u32,
    /// The ceremony's power (above `power` for a file cut by `snarkjs powersoftau truncate`).
    pub ceremony_power: u32,
    /// The contributions, oldest first.
    pub contributions: Vec<ContributionCheck>,
    /// Every check that failed, in order; empty when the file verifies.
    pub problems: Vec<CeremonyProblem>,
}

impl CeremonyReport {
    /// Whether the file verifies: at least one contribution and no problem.
    pub fn holds(&self) -> bool {
        !self.contributions.is_empty() && self.problems.is_empty()
    }

    /// Each failed check as "location: reason".
    pub fn problem_lines(&self) -> Vec<String> {
        self.problems
            .iter()
            .map(|p| format!("{}: {}", p.location, p.reason))
            .collect()
    }
}

/// One contribution as verified.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ContributionCheck {
    /// 1-based position.
    pub index: u32,
    /// The name recorded; may be empty.
    pub name: String,
    /// Its response hash, hex: what `snarkjs powersoftau contribute` printed to the contributor.
    /// Empty when the key is unreadable.
    pub contribution_hash: String,
    /// A beacon (type 1): its key is checked like any other, but not re-derived from the
    /// beacon hash.
    pub beacon: bool,
    /// Its proof of knowledge and its link to the previous contribution hold.
    pub verified: bool,
}

/// A failed check.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CeremonyProblem {
    /// Where: "contribution #2 (Bob)", "section 2 (tauG1)", "section 7 (contributions)".
    pub location: String,
    /// What does not hold.
    pub reason: String,
}

/// The accumulated values a contribution starts from.
#[derive(Clone, Copy)]
struct Accumulated {
    tau_g1: G1Affine,
    tau_g2: G2Affine,
    alpha_g1: G1Affine,
    beta_g1: G1Affine,
    beta_g2: G2Affine,
    next_challenge: [u8; 64],
}

/// [`verify_ceremony`], remembered: a report that holds is stored in `cache_dir` under the
/// file's blake2b-512 (`blake2b`, hex, which the caller computed from the file's bytes), and a
/// later call for a file with the same hash reads it instead of verifying again (at power 15
/// verification takes ~30 s; `commit` and then `submit` audit the same transcript). The cache
/// is the caller's own directory: whoever can write to it could also replace the keys there.
/// Failing reports are never stored; an unreadable or unwritable cache is ignored.
pub fn verify_ceremony_cached(
    path: &Path,
    blake2b: &str,
    cache_dir: &Path,
) -> Result<CeremonyReport> {
    let valid_hash = blake2b.len() == 128 && blake2b.bytes().all(|b| b.is_ascii_hexdigit());
    let cached = cache_dir.join(format!("ceremony-verified-{blake2b}.json"));
    if valid_hash {
        if let Some(report) = std::fs::read(&cached)
            .ok()
            .and_then(|b| serde_json::from_slice::<CeremonyReport>(&b).ok())
            .filter(CeremonyReport::holds)
        {
            return Ok(report);
        }
    }
    let report = verify_ceremony(path)?;
    if valid_hash && report.holds() {
        if let Ok(json) = serde_json::to_vec_pretty(&report) {
            let _ = std::fs::create_dir_all(cache_dir);
            let _ = std::fs::write(&cached, json);
        }
    }
    Ok(report)
}

/// Verifies the ceremony file at `path` (see the module documentation). `Err` only when the
/// file cannot be read or is not a `.ptau` file at all; every failed check is in the report.
pub fn verify_ceremony(path: &Path) -> Result<CeremonyReport> {
    let file = load(path)?;
    let mut problems = Vec::new();
    let mut contributions = Vec::with_capacity(file.records.len());
    let mut prev = Some(Accumulated {
        tau_g1: G1Affine::generator(),
        tau_g2: G2Affine::generator(),
        alpha_g1: G1Affine::generator(),
        beta_g1: G1Affine::generator(),
        beta_g2: G2Affine::generator(),
        next_challenge: first_challenge(file.ceremony_power),
    });
    let mut last_points = None;
    for (i, record) in file.records.iter().enumerate() {
        let index = i as u32 + 1;
        let location = if record.name.is_empty() {
            format!("contribution #{index}")
        } else {
            format!("contribution #{index} ({})", record.name)
        };
        let before = problems.len();
        let mut report = |reason: String| {
            problems.push(CeremonyProblem {
                location: location.clone(),
                reason,
            })
        };
        if record.response_hash.is_none() {
            report("its public key has a coordinate not below q (no response hash)".into());
        }
        let points = match record.points() {
            Ok(points) => Some(points),
            Err(e) => {
                report(e);
                None
            }
        };
        match (prev, points) {
            (Some(prev), Some(cur)) => {
                for reason in check_contribution(&prev, &cur) {
                    report(reason);
                }
            }
            (None, Some(_)) => {
                report("cannot be checked: the previous contribution is unreadable".into())
            }
            _ => {}
        }
        prev = points.map(|p| Accumulated {
            tau_g1: p.tau_g1,
            tau_g2: p.tau_g2,
            alpha_g1: p.alpha_g1,
            beta_g1: p.beta_g1,
            beta_g2: p.beta_g2,
            next_challenge: record.next_challenge(),
        });
        last_points = points;
        contributions.push(ContributionCheck {
            index,
            name: record.name.clone(),
            contribution_hash: record.response_hash.map(hex::encode).unwrap_or_default(),
            beacon: record.kind == 1,
            verified: problems.len() == before,
        });
    }

    match (file.records.last(), last_points) {
        (None, _) => problems.push(CeremonyProblem {
            location: "section 7 (contributions)".into(),
            reason: "the file has no contribution: tau = 1, known to everyone".into(),
        }),
        (Some(_), None) => problems.push(CeremonyProblem {
            location: "sections 2-6".into(),
            reason: "not checked: the last contribution's record is unreadable".into(),
        }),
        (Some(record), Some(last)) => {
            let mut report = |i: usize, reason: String| {
                problems.push(CeremonyProblem {
                    location: SECTION_NAMES[i].into(),
                    reason,
                })
            };
            let hashed = check_sections(&file.sections, &last, &mut report);
            // The challenge hash covers every point; a file cut from a larger ceremony keeps
            // the challenge of the full one (snarkjs skips this check too).
            if let (Some(points), Some(response), true) = (
                hashed,
                record.response_hash,
                file.power == file.ceremony_power,
            ) {
                let mut h = blake2b_simd::Params::new().hash_length(64).to_state();
                h.update(&response);
                h.update(&points);
                if h.finalize().as_bytes() != record.next_challenge() {
                    problems.push(CeremonyProblem {
                        location: "sections 2-7".into(),
                        reason: "the hash of the points does not match the next challenge of \
                                 the last contribution"
                            .into(),
                    });
                }
            }
        }
    }
    Ok(CeremonyReport {
        power: file.power,
        ceremony_power: file.ceremony_power,
        contributions,
        problems,
    })
}

/// The proof of knowledge of each exponent and the link from `prev` to `cur`
/// (`verifyContribution`); returns what fails.
fn check_contribution(prev: &Accumulated, cur: &RecordPoints) -> Vec<String> {
    let mut failed = Vec::new();
    let names = ["tau", "alpha", "beta"];
    let mut sp = [G2Affine::generator(); 3];
    for (i, part) in cur.key.iter().enumerate() {
        sp[i] = g2_sp(i as u8, &prev.next_challenge, &part.g1_s, &part.g1_sx);
        if !same_ratio(part.g1_s, part.g1_sx, sp[i], part.g2_spx) {
            failed.push(format!(
                "key {}: no proof of knowledge of its exponent (e(g1_s, g2_spx) ≠ e(g1_sx, g2_sp))",
                names[i]
            ));
        }
    }
    let [tau, alpha, beta] = cur.key;
    let links = [
        (
            same_ratio(prev.tau_g1, cur.tau_g1, sp[0], tau.g2_spx),
            "tau·G1 does not follow the previous contribution",
        ),
        (
            same_ratio(tau.g1_s, tau.g1_sx, prev.tau_g2, cur.tau_g2),
            "tau·G2 does not follow the previous contribution",
        ),
        (
            same_ratio(prev.alpha_g1, cur.alpha_g1, sp[1], alpha.g2_spx),
            "alpha·G1 does not follow the previous contribution",
        ),
        (
            same_ratio(prev.beta_g1, cur.beta_g1, sp[2], beta.g2_spx),
            "beta·G1 does not follow the previous contribution",
        ),
        (
            same_ratio(beta.g1_s, beta.g1_sx, prev.beta_g2, cur.beta_g2),
            "beta·G2 does not follow the previous contribution",
        ),
    ];
    failed.extend(
        links
            .into_iter()
            .filter(|(ok, _)| !ok)
            .map(|(_, what)| what.to_string()),
    );
    failed
}

/// Checks sections 2–6 against the last contribution; returns the points uncompressed (for
/// the challenge hash) when every section parses.
fn check_sections(
    sections: &[Vec<u8>; 5],
    last: &RecordPoints,
    report: &mut impl FnMut(usize, String),
) -> Option<Vec<u8>> {
    let g1 = G1Affine::generator();
    let g2 = G2Affine::generator();
    let mut hashed = Vec::new();
    let mut complete = true;

    // Section 2: tauG1[i] = tau^i·G1.
    match parse_g1(&sections[0]) {
        Ok(p) => {
            let (r1, r2) = consecutive(&p);
            if !same_ratio(r1, r2, g2, last.tau_g2) {
                report(0, "the points are not consecutive powers of the last contribution's tau (random linear combination check failed)".into());
            }
            if p[0] != g1 {
                report(0, "point 0 is not the generator of G1".into());
            }
            if p.get(1) != Some(&last.tau_g1) {
                report(
                    0,
                    "point 1 differs from the last contribution's tauG1".into(),
                );
            }
            hashed.extend(p.iter().flat_map(g1_uncompressed));
        }
        Err(e) => {
            report(0, e);
            complete = false;
        }
    }
    // Section 3: tauG2[i] = tau^i·G2.
    match parse_g2(&sections[1]).and_then(torsion_free) {
        Ok(p) => {
            let (r1, r2) = consecutive(&p);
            if !same_ratio(g1, last.tau_g1, r1, r2) {
                report(1, "the points are not consecutive powers of the last contribution's tau (random linear combination check failed)".into());
            }
            if p[0] != g2 {
                report(1, "point 0 is not the generator of G2".into());
            }
            if p.get(1) != Some(&last.tau_g2) {
                report(
                    1,
                    "point 1 differs from the last contribution's tauG2".into(),
                );
            }
            hashed.extend(p.iter().flat_map(g2_uncompressed));
        }
        Err(e) => {
            report(1, e);
            complete = false;
        }
    }
    // Sections 4 and 5: alpha·tau^i·G1, beta·tau^i·G1.
    for (i, first, what) in [(2, last.alpha_g1, "alphaG1"), (3, last.beta_g1, "betaG1")] {
        match parse_g1(&sections[i]) {
            Ok(p) => {
                let (r1, r2) = consecutive(&p);
                if !same_ratio(r1, r2, g2, last.tau_g2) {
                    report(i, "the points are not consecutive powers of the last contribution's tau times its first point (random linear combination check failed)".into());
                }
                if p[0] != first {
                    report(
                        i,
                        format!("point 0 differs from the last contribution's {what}"),
                    );
                }
                hashed.extend(p.iter().flat_map(g1_uncompressed));
            }
            Err(e) => {
                report(i, e);
                complete = false;
            }
        }
    }
    // Section 6: betaG2.
    match parse_g2(&sections[4]).and_then(torsion_free) {
        Ok(p) => {
            if p[0] != last.beta_g2 {
                report(
                    4,
                    "betaG2 differs from the last contribution's betaG2".into(),
                );
            }
            hashed.extend(p.iter().flat_map(g2_uncompressed));
        }
        Err(e) => {
            report(4, e);
            complete = false;
        }
    }
    complete.then_some(hashed)
}

/// Refuses G2 points outside the order-r subgroup (the pairing checks assume it).
fn torsion_free(points: Vec<G2Affine>) -> std::result::Result<Vec<G2Affine>, String> {
    let mut ok = vec![false; points.len()];
    parallelize(&mut ok, |chunk, start| {
        for (i, ok) in chunk.iter_mut().enumerate() {
            *ok = bool::from(G2::from(points[start + i]).is_torsion_free());
        }
    });
    match ok.iter().position(|ok| !ok) {
        Some(i) => Err(format!("point {i} is not in the order-r subgroup of G2")),
        None => Ok(points),
    }
}

/// `(Σ ρ^i·P_i, Σ ρ^i·P_(i+1))` over i < n - 1 for a random ρ.
fn consecutive<C: CurveAffine<ScalarExt = Fr>>(points: &[C]) -> (C, C) {
    if points.len() < 2 {
        return (C::identity(), C::identity());
    }
    let rho = Fr::random(OsRng);
    let mut coeffs = Vec::with_capacity(points.len() - 1);
    let mut power = Fr::ONE;
    for _ in 1..points.len() {
        coeffs.push(power);
        power *= rho;
    }
    let n = points.len();
    let r1 = best_multiexp(&coeffs, &points[..n - 1]);
    let r2 = best_multiexp(&coeffs, &points[1..]);
    (r1.into(), r2.into())
}

/// snarkjs `sameRatio`: none of the points is the identity and `e(a, d) = e(b, c)`.
fn same_ratio(a: G1Affine, b: G1Affine, c: G2Affine, d: G2Affine) -> bool {
    if [
        a.is_identity(),
        b.is_identity(),
        c.is_identity(),
        d.is_identity(),
    ]
    .into_iter()
    .any(bool::from)
    {
        return false;
    }
    let (c, d) = (G2Prepared::from(c), G2Prepared::from(d));
    let neg_b = -b;
    multi_miller_loop(&[(&a, &d), (&neg_b, &c)]).final_exponentiation() == Gt::identity()
}
