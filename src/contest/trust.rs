//! The audit every competitor runs before putting in work (`contest-cli audit`; `commit` and
//! `submit` run it first): does this contest decide its outcome by the rules the competitor
//! read, with nobody able to forge a proof?
//!
//! It trusts nothing the organiser sent: from the spec file and an SRS the competitor chose, it
//! rebuilds the keys and the verifier and compares them, and the contest's parameters, with
//! what is on chain (docs/PROTOCOL.md §12):
//!
//! | check | what it rules out |
//! |---|---|
//! | `registry_code` | a look-alike registry that reports one thing and does another: its code must be what this binary's `ContestRegistry` artifact deploys, with the Poseidon address it reports |
//! | `registry_annex` | a registry whose runtime is genuine but whose annex (the code at `CREATE(registry, 1)` it DELEGATECALLs for challenges, forfeits, the ceremony and restarts) is not: it must be this binary's `RegistryAnnex` |
//! | `poseidon_code` | a hash contract that answers the known vector but not the rest |
//! | `spec_hash`, `test_set_size`, `min_correct`, `test_set_layout`, `payout_split`, `commit_bond`, `phases` | a contest whose on-chain rules differ from the spec competitors read (a wider layout would let a test set the circuit cannot prove against be revealed) |
//! | `srs_digest`, `vk_digest` | keys made from another SRS, spec or circuit |
//! | `verifier_code`, `verifier_code_hash` | an accept-everything verifier, one rendered for another spec, or one that can be switched off (its code would differ from the rebuilt one) |
//! | `model_verifier_code`, `model_verifier_code_hash`, `testset_verifier_code`, `testset_verifier_code_hash`, `keys_model`, `keys_testset` | (contests with shared columns, PROTOCOL §14.2.1) a model or test-set verifier that accepts what the circuit would not: a shard proof's `C` and `T_s` are binding only there, so those verifiers are what ties a shard to the committed model and the revealed rows |
//! | `ceremony_closed`, `ceremony_log`, `ceremony_transcript` | (ceremony contests) a verifier not fixed yet; a node hiding or inventing contribution records; keys made from a transcript other than the one the organiser recorded when it fixed the verifier |
//! | `srs_provenance` | an SRS whose tau someone may know: a recognised public ceremony passes, and so does a verified transcript of the contest's own ceremony that contains a contribution recorded on chain by an address the auditor trusts (its own, or `--trust-contributor`); `--allow-unsafe-srs` waives this check alone |
//!
//! The registry's code is compared with the runtime its creation code produces under
//! `eth_call`, so the comparison covers its immutables; the registry itself refuses to call a
//! verifier whose code hash changed after creation, so what the audit saw is what will judge.

use std::path::{Path, PathBuf};
use std::time::Instant;

use halo2_base::halo2_proofs::halo2curves::bn256::{Bn256, G1Affine};
use halo2_base::halo2_proofs::plonk::VerifyingKey;
use halo2_base::halo2_proofs::poly::kzg::commitment::ParamsKZG;
use serde::Serialize;
use sha3::{Digest, Keccak256};

mod code;

use super::ceremony::{ceremony_checks, MatchedContribution};
use super::{spec_hash, ContestError, Progress, Result};
use crate::chain::registry::Registry;
use crate::chain::types::{Addr, CeremonyRecord, ContestInfo};
use crate::evm::compile::Solc;
use crate::evm::render::render;
use crate::prover::keys::{
    plan, plan_shared_model, setup, side_verifying_key, verifying_key, vk_digest, write_side_keys,
    CircuitFigures, ContestKeys, ProofKind, SharedModelPlan, MODEL_KEYS_DIR, TESTSET_KEYS_DIR,
};
use crate::prover::ptau::{read_ptau_cached, PtauInfo};
use crate::prover::srs::{read_params, srs_digest, write_params, SrsKind};
use crate::spec::Spec;
use code::registry_checks;

/// How far the commit deadline may fall short of the spec's commit phase, counted from the
/// creation block's time: the organiser reads the head's time, and its transaction is mined
/// a few blocks later.
pub const COMMIT_SLACK_SECS: u64 = 15 * 60;

/// What to audit and with what.
#[derive(Clone, Copy, Debug)]
pub struct AuditRequest<'a> {
    /// The registry (any key: the audit only reads).
    pub registry: &'a Registry,
    /// The contest.
    pub contest_id: u64,
    /// The spec the competitor read.
    pub spec: &'a Spec,
    /// Its file (its keccak-256 must be the contest's `specHash`).
    pub spec_path: &'a Path,
    /// Key directory: the keys are rebuilt and compared with the ones there, or written there
    /// when it holds none (so the competitor can prove with keys it made itself).
    pub keys_dir: &'a Path,
    /// The SRS: a powers-of-tau `.ptau` file (its provenance can be established) or a halo2
    /// params file; `None` takes the key directory's.
    pub srs: Option<&'a Path>,
    /// solc for the verifier rebuild (the same compiler the organiser's `create` uses).
    pub solc: &'a Solc,
    /// Pass the `srs_provenance` check even when the SRS is not a recognised ceremony's.
    pub allow_unsafe_srs: bool,
    /// Addresses whose contributions to the contest's own ceremony the auditor trusts (a
    /// competitor's own address first): one of their recorded contributions in the verified
    /// final transcript makes the SRS trusted.
    pub trusted_contributors: &'a [Addr],
}

/// One check and its outcome.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Check {
    /// Stable name (see the module docs).
    pub name: &'static str,
    /// Whether it holds.
    pub ok: bool,
    /// What was compared, or why it failed.
    pub detail: String,
}

/// One contribution to a powers-of-tau file.
pub type Contribution = crate::prover::ptau::PtauContribution;

/// Where the SRS came from, as far as the auditor can establish it.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SrsProvenance {
    /// The final file of a public ceremony, recognised by its published blake2b-512 hash.
    PublicCeremony {
        /// The ceremony file's name.
        ceremony: String,
        /// The file read.
        file: PathBuf,
        /// Its blake2b-512.
        blake2b: String,
        /// Contributions recorded in the file.
        contributions: Vec<Contribution>,
    },
    /// A powers-of-tau file that is not a recognised ceremony's: its contributions are listed,
    /// but nothing shows any of them was honest (UNSAFE unless you contributed yourself).
    UnrecognisedPtau {
        /// The file read.
        file: PathBuf,
        /// Its blake2b-512.
        blake2b: String,
        /// Contributions recorded in the file.
        contributions: Vec<Contribution>,
    },
    /// The final transcript of the contest's own ceremony (its blake2b-512 is the one the
    /// organiser recorded when fixing the verifier), its contributions matched with the
    /// registry's records. Sound if any one contribution was honest; trusted by this auditor if
    /// the transcript verifies and holds a contribution recorded by an address it trusts.
    ContestCeremony {
        /// The file read.
        file: PathBuf,
        /// Its blake2b-512.
        blake2b: String,
        /// Whether every contribution and the powers verify.
        verified: bool,
        /// What does not verify.
        problems: Vec<String>,
        /// The published ceremony file it is, if any (then it is trusted as such).
        recognised: Option<String>,
        /// The transcript's contributions, with who recorded each on chain.
        contributions: Vec<MatchedContribution>,
        /// Records whose hash is in no contribution of the transcript.
        missing: Vec<CeremonyRecord>,
    },
    /// A ceremony contest whose verifier is not fixed yet: nothing to audit.
    CeremonyRunning {
        /// Last second for contributions.
        deadline: u64,
        /// Contributions recorded so far.
        contributions: u64,
    },
    /// A development SRS generated on one machine (UNSAFE: that machine saw tau).
    UnsafeDevelopment {
        /// The file read.
        file: PathBuf,
    },
    /// A halo2 params file: it records no origin (UNSAFE unless established otherwise; pass
    /// the ceremony's `.ptau` to `--srs` to establish it).
    Unknown {
        /// The file read.
        file: PathBuf,
    },
}

impl SrsProvenance {
    /// Whether nobody can be assumed to know tau.
    pub fn trusted(&self) -> bool {
        match self {
            Self::PublicCeremony { .. } => true,
            Self::ContestCeremony {
                verified,
                recognised,
                contributions,
                ..
            } => *verified && (recognised.is_some() || contributions.iter().any(|c| c.trusted)),
            _ => false,
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::PublicCeremony {
                ceremony,
                contributions,
                ..
            } => format!(
                "public ceremony {ceremony} ({} contributions; sound if any one was honest)",
                contributions.len()
            ),
            Self::UnrecognisedPtau {
                file,
                contributions,
                ..
            } => format!(
                "UNSAFE: {} is not a recognised ceremony's file ({} contributions listed, none \
                 known to be honest)",
                file.display(),
                contributions.len()
            ),
            Self::ContestCeremony {
                verified: false,
                problems,
                ..
            } => format!(
                "UNSAFE: the contest's ceremony transcript does not verify: {}",
                problems.join("; ")
            ),
            Self::ContestCeremony {
                contributions,
                missing,
                recognised,
                ..
            } => {
                let recorded = contributions
                    .iter()
                    .filter(|c| !c.recorded_by.is_empty())
                    .count();
                let trusted: Vec<String> = contributions
                    .iter()
                    .filter(|c| c.trusted)
                    .map(|c| format!("#{} by {}", c.index, join_addrs(&c.recorded_by)))
                    .collect();
                let missing = if missing.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} recorded contribution(s) are NOT in it: {}",
                        missing.len(),
                        missing
                            .iter()
                            .map(|r| format!("#{} by {}", r.index, r.contributor))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                let head = format!(
                    "this contest's ceremony: {} contributions verified, {recorded} recorded on \
                     chain{missing}",
                    contributions.len()
                );
                match (recognised, trusted.is_empty()) {
                    (Some(name), _) => format!("{head}; the file is public ceremony {name}"),
                    (None, false) => format!(
                        "{head}; includes {} recorded by an address you trust: sound unless \
                         that contributor kept its secret",
                        trusted.join(", ")
                    ),
                    (None, true) => format!(
                        "UNSAFE for you: {head}, none recorded by an address you trust \
                         (contribute yourself, or pass --trust-contributor ADDR)"
                    ),
                }
            }
            Self::CeremonyRunning {
                deadline,
                contributions,
            } => format!(
                "the contest's ceremony is not finished: {contributions} contributions recorded, \
                 open until {deadline}, verifier not fixed"
            ),
            Self::UnsafeDevelopment { file } => format!(
                "UNSAFE development SRS {}: whoever generated it may know tau and forge proofs",
                file.display()
            ),
            Self::Unknown { file } => format!(
                "UNSAFE: {} is a halo2 params file, which records no origin; pass the ceremony's \
                 .ptau with --srs to establish it",
                file.display()
            ),
        }
    }
}

/// The audit's outcome.
#[derive(Clone, Debug, Serialize)]
pub struct AuditReport {
    /// The registry.
    pub registry: Addr,
    /// The contest.
    pub contest_id: u64,
    /// The contest's verifier.
    pub verifier: Addr,
    /// Whether every check holds.
    pub ok: bool,
    /// Every check, in order.
    pub checks: Vec<Check>,
    /// Where the SRS came from.
    pub srs: SrsProvenance,
    /// Circuit size the spec plans to.
    pub k: u32,
    /// Whether keys were written to the key directory (it held none).
    pub keys_written: bool,
    /// Wall time of the audit.
    pub seconds: f64,
}

impl AuditReport {
    /// The checks that failed.
    pub fn failed(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.ok)
    }
}

fn join_addrs(addrs: &[Addr]) -> String {
    addrs
        .iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(" and ")
}

pub(super) fn check(name: &'static str, ok: bool, detail: String) -> Check {
    Check { name, ok, detail }
}

fn hex32(h: &[u8; 32]) -> String {
    format!("0x{}", hex::encode(h))
}

fn keccak(bytes: &[u8]) -> [u8; 32] {
    Keccak256::digest(bytes).into()
}

/// Runs every check of the module docs on contest `req.contest_id`.
pub async fn audit(req: &AuditRequest<'_>, progress: Progress<'_>) -> Result<AuditReport> {
    let started = Instant::now();
    let info = req.registry.contest(req.contest_id).await?;
    let mut checks = registry_checks(req.registry).await?;
    checks.push(match spec_hash(req.spec_path) {
        Ok(h) => check(
            "spec_hash",
            h == info.config.spec_hash,
            format!(
                "{} hashes to {}; the contest records {}",
                req.spec_path.display(),
                hex32(&h),
                hex32(&info.config.spec_hash)
            ),
        ),
        Err(e) => check("spec_hash", false, e.to_string()),
    });
    let created_at = req.registry.block_timestamp(info.created_block).await?;
    let ceremony = req.registry.ceremony(req.contest_id).await?;
    // A ceremony contest's commit window follows its ceremony.
    let opens_at = if ceremony.deadline != 0 {
        ceremony.deadline
    } else {
        created_at
    };
    checks.extend(parameter_checks(req.spec, &info, opens_at));

    progress.note("audit: sizing the circuit from the spec…");
    // A contest with shared columns (PROTOCOL §14.2.1) is proved by three circuits at one k.
    let cols = req.registry.column_verifiers(req.contest_id).await?;
    let shared = cols
        .map(|c| plan_shared_model(req.spec, c.testset.is_some()))
        .transpose()
        .map_err(ContestError::input)?;
    let figures = match &shared {
        Some(p) => p.shard.clone(),
        None => plan(req.spec).map_err(ContestError::input)?,
    };
    if ceremony.deadline != 0 && ceremony.fixed_at == 0 {
        let provenance = SrsProvenance::CeremonyRunning {
            deadline: ceremony.deadline,
            contributions: ceremony.contributions,
        };
        checks.push(check("ceremony_closed", false, provenance.describe()));
        return Ok(AuditReport {
            registry: req.registry.address(),
            contest_id: req.contest_id,
            verifier: info.config.verifier,
            ok: false,
            checks,
            srs: provenance,
            k: figures.k,
            keys_written: false,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    let (params, mut provenance, srs_file) = load_srs(req, &figures)?;
    if ceremony.deadline != 0 {
        progress.note("audit: verifying the ceremony's transcript and matching its records…");
        checks.push(check(
            "ceremony_closed",
            ceremony.fixed_at > ceremony.deadline,
            format!(
                "contributions closed at {}; the verifier was fixed at {}",
                ceremony.deadline, ceremony.fixed_at
            ),
        ));
        let (ceremony_checks, contest_provenance) =
            ceremony_checks(req, &ceremony, &provenance).await?;
        checks.extend(ceremony_checks);
        if let Some(p) = contest_provenance {
            provenance = p;
        }
    }
    let digest = srs_digest(&params);
    checks.push(check(
        "srs_digest",
        digest == info.config.srs_digest,
        format!(
            "the SRS at k = {} hashes to {}; the contest records {}",
            figures.k,
            hex32(&digest),
            hex32(&info.config.srs_digest)
        ),
    ));

    progress.note("audit: rebuilding the verifying key…");
    let (vk, keys_written) = match ContestKeys::read_verifier(req.keys_dir) {
        Ok((_, theirs)) => {
            let vk = verifying_key(req.spec, &figures, &params).map_err(ContestError::input)?;
            checks.push(keys_check("keys", req.keys_dir, &vk, &theirs));
            (vk, false)
        }
        Err(_) if !req.keys_dir.join("circuit.json").exists() => {
            progress.note(&format!(
                "audit: no keys in {}; generating them from the spec and SRS…",
                req.keys_dir.display()
            ));
            let keys = write_keys(
                req,
                (&figures, shared.as_ref()),
                &params,
                &provenance,
                &srs_file,
            )?;
            (keys.vk().clone(), true)
        }
        Err(e) => {
            return Err(ContestError::Input(format!(
                "{}: {e} (delete the directory to have the audit write fresh keys)",
                req.keys_dir.display()
            )))
        }
    };
    let digest = vk_digest(&vk);
    checks.push(check(
        "vk_digest",
        digest == info.config.vk_digest,
        format!(
            "the rebuilt verifying key hashes to {}; the contest records {}",
            hex32(&digest),
            hex32(&info.config.vk_digest)
        ),
    ));

    progress.note("audit: rendering and compiling the verifier…");
    let verifier = info.config.verifier;
    let recorded = (verifier, info.verifier_code_hash);
    let names = ("verifier_code", "verifier_code_hash");
    checks.extend(verifier_checks(req, &params, &vk, recorded, names).await?);
    if let (Some(cols), Some(plan)) = (cols, &shared) {
        let sides = [
            (
                ProofKind::Model,
                MODEL_KEYS_DIR,
                Some(&plan.model),
                cols.model,
                cols.model_code_hash,
            ),
            (
                ProofKind::TestSet,
                TESTSET_KEYS_DIR,
                plan.testset.as_ref(),
                cols.testset.unwrap_or(Addr([0; 20])),
                cols.testset_code_hash,
            ),
        ];
        for (kind, dir, figures, address, code_hash) in sides {
            let Some(figures) = figures else { continue };
            progress.note(&format!("audit: rebuilding the {kind:?} proof's verifier…"));
            let vk = side_verifying_key(req.spec, kind, figures, &params)
                .map_err(ContestError::input)?;
            let (keys_name, names) = match kind {
                ProofKind::Model => (
                    "keys_model",
                    ("model_verifier_code", "model_verifier_code_hash"),
                ),
                _ => (
                    "keys_testset",
                    ("testset_verifier_code", "testset_verifier_code_hash"),
                ),
            };
            let keys_dir = req.keys_dir.join(dir);
            if let Ok((_, theirs)) = ContestKeys::read_verifier(&keys_dir) {
                checks.push(keys_check(keys_name, &keys_dir, &vk, &theirs));
            }
            checks.extend(verifier_checks(req, &params, &vk, (address, code_hash), names).await?);
        }
    }
    checks.push(check(
        "srs_provenance",
        provenance.trusted() || req.allow_unsafe_srs,
        if !provenance.trusted() && req.allow_unsafe_srs {
            format!("{} (accepted: --allow-unsafe-srs)", provenance.describe())
        } else {
            provenance.describe()
        },
    ));
    let ok = checks.iter().all(|c| c.ok);
    Ok(AuditReport {
        registry: req.registry.address(),
        contest_id: req.contest_id,
        verifier,
        ok,
        checks,
        srs: provenance,
        k: figures.k,
        keys_written,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Check `name`: the verifying key in `dir` (`theirs`) is the one rebuilt from the spec and SRS.
fn keys_check(
    name: &'static str,
    dir: &Path,
    rebuilt: &VerifyingKey<G1Affine>,
    theirs: &VerifyingKey<G1Affine>,
) -> Check {
    let same = vk_digest(rebuilt) == vk_digest(theirs);
    check(
        name,
        same,
        format!(
            "{}'s verifying key {} the one rebuilt from the spec and SRS",
            dir.display(),
            if same { "is" } else { "is NOT" }
        ),
    )
}

/// The verifier at `address` (its code hash recorded at creation `recorded`) against the one
/// rendered from `vk`: its code (`names.0`) and the recorded hash (`names.1`).
async fn verifier_checks(
    req: &AuditRequest<'_>,
    params: &ParamsKZG<Bn256>,
    vk: &VerifyingKey<G1Affine>,
    (verifier, recorded): (Addr, [u8; 32]),
    names: (&'static str, &'static str),
) -> Result<Vec<Check>> {
    let source = render(params, vk).map_err(ContestError::input)?;
    let compiled = req
        .solc
        .compile_verifier(&source)
        .map_err(ContestError::input)?;
    let on_chain = req.registry.client().code(verifier.0).await?;
    let rebuilt_hash = keccak(&compiled.runtime);
    Ok(vec![
        check(
            names.0,
            on_chain == compiled.runtime,
            if on_chain == compiled.runtime {
                format!(
                    "{verifier}'s {} bytes of code are the verifier rebuilt from the spec and SRS",
                    on_chain.len()
                )
            } else {
                format!(
                    "{verifier} holds {} bytes of code (keccak {}), not the {} bytes rebuilt from \
                     the spec and SRS (keccak {})",
                    on_chain.len(),
                    hex32(&keccak(&on_chain)),
                    compiled.runtime.len(),
                    hex32(&rebuilt_hash)
                )
            },
        ),
        check(
            names.1,
            rebuilt_hash == recorded,
            format!(
                "the registry recorded code hash {} at creation; the rebuilt verifier's is {}",
                hex32(&recorded),
                hex32(&rebuilt_hash)
            ),
        ),
    ])
}

/// Threshold, size, split, bond and phases on chain against the spec.
/// `opens_at`: when commits could start (creation, or a ceremony contest's ceremony deadline).
fn parameter_checks(spec: &Spec, info: &ContestInfo, opens_at: u64) -> Vec<Check> {
    let c = &info.config;
    let p = spec.phases;
    let split: Vec<u32> = c.payout_bps.iter().map(|&b| u32::from(b)).collect();
    let commit_window = c.commit_deadline.saturating_sub(opens_at);
    let windows = [
        (
            "test-set reveal",
            c.test_set_deadline.checked_sub(c.commit_deadline),
            p.test_set_reveal_secs,
        ),
        (
            "proof",
            c.proof_deadline.checked_sub(c.test_set_deadline),
            p.prove_secs,
        ),
        ("model reveal", Some(c.reveal_window), p.model_reveal_secs),
    ];
    let mut phase_problems: Vec<String> = windows
        .iter()
        .filter(|(_, got, want)| *got != Some(*want))
        .map(|(name, got, want)| match got {
            Some(g) => format!("{name} window {g} s, the spec says {want} s"),
            None => format!("{name} deadline before the previous one"),
        })
        .collect();
    if commit_window > p.commit_secs || commit_window + COMMIT_SLACK_SECS < p.commit_secs {
        phase_problems.push(format!(
            "commit window {commit_window} s from creation, the spec says {} s",
            p.commit_secs
        ));
    }
    vec![
        check(
            "test_set_size",
            u64::from(c.test_set_size) == spec.test_rows as u64,
            format!(
                "on chain N = {}, the spec says {}",
                c.test_set_size, spec.test_rows
            ),
        ),
        check(
            "min_correct",
            u64::from(c.min_correct) == spec.min_correct as u64,
            format!(
                "on chain minCorrect = {}, the spec says {}",
                c.min_correct, spec.min_correct
            ),
        ),
        match super::organiser::testset_layout(spec) {
            Ok(layout) => check(
                "test_set_layout",
                c.layout == layout,
                format!(
                    "on chain {} features in 0..={}, {} classes, {} shard(s); the spec says {} in \
                     0..={}, {}, {}",
                    c.layout.features,
                    c.layout.feature_span,
                    c.layout.classes,
                    c.layout.shards,
                    layout.features,
                    layout.feature_span,
                    layout.classes,
                    layout.shards
                ),
            ),
            Err(e) => check("test_set_layout", false, e.to_string()),
        },
        check(
            "payout_split",
            split == spec.payout.split_bps,
            format!(
                "on chain {:?} bps, the spec says {:?}",
                split, spec.payout.split_bps
            ),
        ),
        check(
            "commit_bond",
            c.commit_bond.0 == spec.payout.commit_bond_wei,
            format!(
                "on chain {} wei, the spec says {}",
                c.commit_bond.0, spec.payout.commit_bond_wei
            ),
        ),
        check(
            "phases",
            phase_problems.is_empty(),
            if phase_problems.is_empty() {
                format!(
                    "commit {commit_window} s from creation (spec {}), test-set reveal {} s, \
                     proofs {} s, model reveal {} s",
                    p.commit_secs, p.test_set_reveal_secs, p.prove_secs, p.model_reveal_secs
                )
            } else {
                phase_problems.join("; ")
            },
        ),
    ]
}

/// The SRS at the planned k, where it came from, and the file it was read from.
fn load_srs(
    req: &AuditRequest<'_>,
    figures: &CircuitFigures,
) -> Result<(ParamsKZG<Bn256>, SrsProvenance, PathBuf)> {
    let k = figures.k;
    let (path, kind) = match req.srs {
        Some(p) => (p.to_path_buf(), None),
        None => {
            let (manifest, _) = ContestKeys::read_verifier(req.keys_dir).map_err(|e| {
                ContestError::Input(format!(
                    "no SRS to audit with: pass --srs FILE (the contest's ceremony .ptau or \
                     halo2 params file), or --keys DIR holding keys with their SRS ({e})"
                ))
            })?;
            (manifest.srs_path, Some(manifest.srs_kind))
        }
    };
    if is_ptau(&path)? {
        let (params, info) =
            read_ptau_cached(&path, k, req.keys_dir).map_err(ContestError::input)?;
        return Ok((params, ptau_provenance(&path, info), path));
    }
    let params = read_params(&path, k).map_err(ContestError::input)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let provenance = if kind == Some(SrsKind::UnsafeDev) || name.contains("UNSAFE") {
        SrsProvenance::UnsafeDevelopment { file: path.clone() }
    } else {
        SrsProvenance::Unknown { file: path.clone() }
    };
    Ok((params, provenance, path))
}

fn ptau_provenance(path: &Path, info: PtauInfo) -> SrsProvenance {
    match info.recognised {
        Some(ceremony) => SrsProvenance::PublicCeremony {
            ceremony,
            file: path.to_path_buf(),
            blake2b: info.blake2b,
            contributions: info.contributions,
        },
        None => SrsProvenance::UnrecognisedPtau {
            file: path.to_path_buf(),
            blake2b: info.blake2b,
            contributions: info.contributions,
        },
    }
}

/// Whether `path` is a snarkjs powers-of-tau file (its magic), not a halo2 params file.
fn is_ptau(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut head = [0u8; 4];
    let mut f = std::fs::File::open(path).map_err(|source| ContestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(f.read_exact(&mut head).is_ok() && &head == b"ptau")
}

/// Writes keys for the spec into the key directory; an SRS read from a `.ptau` is written there
/// too as a halo2 params file, so later commands can prove without importing it again.
fn write_keys(
    req: &AuditRequest<'_>,
    (figures, shared): (&CircuitFigures, Option<&SharedModelPlan>),
    params: &ParamsKZG<Bn256>,
    provenance: &SrsProvenance,
    srs_file: &Path,
) -> Result<ContestKeys> {
    std::fs::create_dir_all(req.keys_dir).map_err(|source| ContestError::Io {
        path: req.keys_dir.to_path_buf(),
        source,
    })?;
    let (srs_path, kind) = match provenance {
        SrsProvenance::PublicCeremony { .. }
        | SrsProvenance::UnrecognisedPtau { .. }
        | SrsProvenance::ContestCeremony { .. } => {
            let out = req
                .keys_dir
                .join(format!("kzg_bn254_k{}.from-ptau.srs", figures.k));
            write_params(params, &out).map_err(ContestError::input)?;
            (out, SrsKind::Ceremony)
        }
        SrsProvenance::UnsafeDevelopment { .. } => (srs_file.to_path_buf(), SrsKind::UnsafeDev),
        SrsProvenance::Unknown { .. } | SrsProvenance::CeremonyRunning { .. } => {
            (srs_file.to_path_buf(), SrsKind::Ceremony)
        }
    };
    let keys = setup(req.spec, figures.clone(), params, srs_path.clone(), kind)
        .map_err(|e| ContestError::Prover(e.to_string()))?;
    keys.write(req.keys_dir).map_err(ContestError::input)?;
    if let Some(plan) = shared {
        let out = req.keys_dir;
        write_side_keys(req.spec, plan, params, (&srs_path, kind), out, &|_, _| {})
            .map_err(|e| ContestError::Prover(e.to_string()))?;
    }
    Ok(keys)
}
