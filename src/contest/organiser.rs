//! The organiser's flows: deploy the contest's verifier, create and fund the contest, and
//! reveal the test set.

use std::path::{Path, PathBuf};

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use serde::Serialize;

use super::challenge::{first_wrong_claim, posted_chunks};
use super::{ContestError, Progress, Result};
use crate::chain::client::Client;
use crate::chain::registry::{Registry, REVEAL_CHUNK};
use crate::chain::types::{Addr, ContestConfig, Phase, TestSetLayout, Tx, Wei};
use crate::commit::{fr_from_hex, Chain, TESTSET_TAG};
use crate::evm::compile::Solc;
use crate::evm::render::render;
use crate::prover::keys::{vk_digest, ContestKeys, ProofKind, MODEL_KEYS_DIR, TESTSET_KEYS_DIR};
use crate::prover::srs::{read_params, srs_digest};
use crate::spec::{testset_commitment, testset_elements, Spec, TestSet};

/// A deployed verifier.
#[derive(Clone, Debug, Serialize)]
pub struct VerifierDeployment {
    /// Its address.
    pub address: Addr,
    /// Runtime code size in bytes (EIP-170 limit: 24,576).
    pub runtime_bytes: usize,
    /// Gas of the creation transaction.
    pub deploy_gas: u64,
}

/// The shared columns of the (shard) keys in `keys_dir` (PROTOCOL §14.2.1), and with them the
/// model proof's keys directory and, with shared rows, the test-set proof's; checked to be made
/// for the same spec, k and SRS as the shard keys, so that each column is committed over the
/// same domain in every proof.
pub fn side_key_dirs(keys_dir: &Path) -> Result<Option<(PathBuf, Option<PathBuf>)>> {
    let (shard, _) = ContestKeys::read_verifier(keys_dir).map_err(ContestError::input)?;
    let sharing = shard.sharing();
    if !sharing.model {
        return Ok(None);
    }
    let side = |name: &str, kind: ProofKind| -> Result<PathBuf> {
        let dir = keys_dir.join(name);
        let (m, _) = ContestKeys::read_verifier(&dir).map_err(|e| {
            ContestError::Input(format!(
                "the keys in {} share the model column, but its {kind:?} proof's keys are not \
                 in {} ({e}): `setup --shared-model` writes them there",
                keys_dir.display(),
                dir.display()
            ))
        })?;
        let same = m.proof_kind == kind
            && m.spec_name == shard.spec_name
            && m.figures.k == shard.figures.k
            && m.srs_path == shard.srs_path;
        if !same {
            return Err(ContestError::Input(format!(
                "the keys in {} are not {kind:?} keys for spec {:?} at k = {} with {} beside {}",
                dir.display(),
                shard.spec_name,
                shard.figures.k,
                shard.srs_path.display(),
                keys_dir.display()
            )));
        }
        Ok(dir)
    };
    let model = side(MODEL_KEYS_DIR, ProofKind::Model)?;
    let testset = match sharing.rows {
        true => Some(side(TESTSET_KEYS_DIR, ProofKind::TestSet)?),
        false => None,
    };
    Ok(Some((model, testset)))
}

/// Renders the verifier for the keys in `keys_dir`, which must make `kind` proofs (a shard's
/// statement, or a model or test-set proof of a contest with shared columns), compiles it with
/// `solc` and deploys it.
pub async fn deploy_verifier(
    client: &Client,
    (keys_dir, kind): (&Path, ProofKind),
    solc: &Solc,
    progress: Progress<'_>,
) -> Result<VerifierDeployment> {
    let (manifest, vk) = ContestKeys::read_verifier(keys_dir).map_err(ContestError::input)?;
    if manifest.proof_kind != kind {
        return Err(ContestError::Input(format!(
            "the keys in {} make {:?} proofs, not {kind:?} proofs",
            keys_dir.display(),
            manifest.proof_kind
        )));
    }
    let params =
        read_params(&manifest.srs_path, manifest.figures.k).map_err(ContestError::input)?;
    progress.note(&format!(
        "rendering and compiling the {kind:?} verifier (k = {})…",
        manifest.figures.k
    ));
    let source = render(&params, &vk).map_err(ContestError::input)?;
    let compiled = solc
        .compile_verifier(&source)
        .map_err(ContestError::input)?;
    let deployed = client.deploy(&compiled.creation).await?;
    Ok(VerifierDeployment {
        address: Addr(deployed.address),
        runtime_bytes: deployed.code_size,
        deploy_gas: deployed.gas_used,
    })
}

/// The digests a contest records next to its verifier's code hash (docs/PROTOCOL.md §12):
/// keccak-256 of the verifying key (`vk.bin`) and of the SRS at the circuit's k. Anyone who
/// rebuilds the keys from the spec and the SRS gets the same two values (`contest::trust`).
pub fn key_digests(keys_dir: &Path) -> Result<([u8; 32], [u8; 32])> {
    let (manifest, vk) = ContestKeys::read_verifier(keys_dir).map_err(ContestError::input)?;
    if let Some(why) = manifest.registry_refusal(keys_dir) {
        return Err(ContestError::Input(why));
    }
    let params =
        read_params(&manifest.srs_path, manifest.figures.k).map_err(ContestError::input)?;
    Ok((vk_digest(&vk), srs_digest(&params)))
}

/// What `create` needs beyond the spec.
#[derive(Clone, Debug)]
pub struct CreateRequest<'a> {
    /// The spec.
    pub spec: &'a Spec,
    /// keccak-256 of the spec file.
    pub spec_hash: [u8; 32],
    /// The hidden test set (only `T` goes on chain now).
    pub testset: &'a TestSet,
    /// The deployed verifier (of a shard's statement).
    pub verifier: Addr,
    /// A contest with shared columns (PROTOCOL §14.2.1): the model proof's verifier and the
    /// test-set proof's, if the rows are shared too.
    pub columns: Option<(Addr, Option<Addr>)>,
    /// keccak-256 of the verifying key the verifier was rendered from (`key_digests`).
    pub vk_digest: [u8; 32],
    /// keccak-256 of the SRS at the circuit's k (`key_digests`).
    pub srs_digest: [u8; 32],
    /// The prize to escrow.
    pub prize: Wei,
    /// A ceremony contest: its own powers-of-tau ceremony takes contributions for this many
    /// seconds, then the organiser fixes the verifier (`verifier` and the digests must be
    /// zero) and the commit phase (the spec's length) follows the ceremony's deadline.
    pub ceremony_secs: Option<u64>,
}

/// The test-set layout the registry checks the revealed test set against (`docs/PROTOCOL.md`
/// §4): `F`, the span of the feature range (the columns' hull) and `K`.
pub fn testset_layout(spec: &Spec) -> Result<TestSetLayout> {
    let span = spec
        .input
        .max
        .checked_sub(spec.input.min)
        .and_then(|d| u64::try_from(d).ok())
        .ok_or_else(|| {
            ContestError::input(format!(
                "feature range [{}, {}]",
                spec.input.min, spec.input.max
            ))
        })?;
    Ok(TestSetLayout {
        features: u32::try_from(spec.input.features).map_err(ContestError::input)?,
        feature_span: span,
        classes: u32::try_from(spec.classes).map_err(ContestError::input)?,
        shards: u32::try_from(spec.shards).map_err(ContestError::input)?,
    })
}

/// Seconds added to a ceremony's requested length for the creating transaction to be mined.
pub const INCLUSION_SLACK_SECS: u64 = 120;

/// Creates and funds a contest with the spec's phases, payout split, bond and threshold,
/// deadlines counted from the latest block's time. Returns the id and the configuration.
pub async fn create(
    registry: &Registry,
    req: &CreateRequest<'_>,
) -> Result<(u64, ContestConfig, Tx)> {
    let spec = req.spec;
    let t = testset_commitment(spec, req.testset).map_err(ContestError::input)?;
    let (_, now) = registry.head().await?;
    let p = spec.phases;
    // A ceremony's deadline is counted from the latest block plus the time the creating
    // transaction may wait to be mined, so the registry (which measures the window from the
    // mining block) never sees less than the requested seconds.
    let opens = req
        .ceremony_secs
        .map_or(now, |secs| now + secs + INCLUSION_SLACK_SECS);
    let commit_deadline = opens + p.commit_secs;
    let test_set_deadline = commit_deadline + p.test_set_reveal_secs;
    let proof_deadline = test_set_deadline + p.prove_secs;
    let payout_bps = spec
        .payout
        .split_bps
        .iter()
        .map(|&b| {
            u16::try_from(b).map_err(|_| ContestError::input(format!("payout share {b} bps")))
        })
        .collect::<Result<Vec<u16>>>()?;
    let config = ContestConfig {
        spec_hash: req.spec_hash,
        verifier: req.verifier,
        vk_digest: req.vk_digest,
        srs_digest: req.srs_digest,
        testset_commitment: t,
        test_set_size: u32::try_from(spec.test_rows).map_err(ContestError::input)?,
        min_correct: u32::try_from(spec.min_correct).map_err(ContestError::input)?,
        layout: testset_layout(spec)?,
        payout_bps,
        commit_bond: Wei(spec.payout.commit_bond_wei),
        commit_deadline,
        test_set_deadline,
        proof_deadline,
        reveal_window: p.model_reveal_secs,
    };
    let (id, tx) =
        match (req.ceremony_secs, req.columns) {
            (Some(_), Some(_)) => return Err(ContestError::Input(
                "a ceremony contest cannot share columns yet: its verifiers are fixed after the \
                 ceremony, and the registry fixes only the shard verifier then"
                    .into(),
            )),
            (Some(_), None) => {
                registry
                    .create_ceremony_contest(&config, req.prize, opens)
                    .await?
            }
            (None, Some((model, testset))) => {
                registry
                    .create_shared_contest(&config, req.prize, model, testset)
                    .await?
            }
            (None, None) => registry.create_contest(&config, req.prize).await?,
        };
    Ok((id, config, tx))
}

/// Outcome of a test-set reveal.
#[derive(Clone, Debug, Serialize)]
pub struct RevealReport {
    /// Elements in all.
    pub elements: usize,
    /// Elements already on chain before this run (a resumed reveal).
    pub resumed_from: u64,
    /// The transactions sent by this run.
    pub txs: Vec<Tx>,
    /// Whether it was already complete before this run.
    pub already: bool,
    /// Last second of the challenge window (anyone may challenge a chunk; no proofs yet), and
    /// of the proof window after it.
    pub challenge_ends: u64,
    /// See `challenge_ends`.
    pub proof_ends: u64,
}

/// Posts the test set in chunks, resuming after the elements already absorbed. Checks `T`
/// locally first, so a wrong file is refused before any gas is spent.
pub async fn reveal_testset(
    registry: &Registry,
    id: u64,
    spec: &Spec,
    testset: &TestSet,
    progress: Progress<'_>,
) -> Result<RevealReport> {
    let info = registry.contest(id).await?;
    let elems = testset_elements(spec, testset).map_err(ContestError::input)?;
    let t = testset_commitment(spec, testset).map_err(ContestError::input)?;
    if t != info.config.testset_commitment {
        return Err(ContestError::Input(format!(
            "this test set hashes to T = {}, but contest {id} committed to {}: wrong file or spec",
            crate::commit::fr_to_hex(&t),
            crate::commit::fr_to_hex(&info.config.testset_commitment)
        )));
    }
    if info.test_set_revealed {
        return Ok(RevealReport {
            elements: elems.len(),
            resumed_from: info.test_set_revealed_count,
            txs: vec![],
            already: true,
            challenge_ends: info.challenge_ends,
            proof_ends: info.proof_ends,
        });
    }
    if info.phase != Phase::TestSetReveal {
        return Err(ContestError::WrongPhase {
            action: "reveal-testset",
            phase: info.phase,
            detail: format!(
                "the test set is revealed after the commit deadline ({}) and until {}",
                info.config.commit_deadline, info.config.test_set_deadline
            ),
        });
    }
    let me = Addr(registry.client().address());
    if me != info.organiser {
        return Err(ContestError::Input(format!(
            "only the organiser {} can reveal the test set (this key is {me})",
            info.organiser
        )));
    }
    let start = info.test_set_revealed_count;
    let shard_len = crate::spec::shard_len(spec)
        .map_err(ContestError::input)?
        .max(1);
    if start > 0 {
        check_posted_prefix(registry, id, info.created_block, shard_len, &elems).await?;
    }
    // Each chunk carries the chain's state after it (PROTOCOL §14.3): computed here over every
    // element of its shard before the chunk's end (each shard is its own chain from the tag,
    // §14.1), so a resumed reveal claims what a fresh one would.
    let tag = fr_from_hex(TESTSET_TAG).map_err(ContestError::input)?;
    let first = usize::try_from(start)
        .unwrap_or(usize::MAX)
        .min(elems.len());
    let mut chain = Chain::new(tag);
    chain.absorb_all(&elems[first - first % shard_len..first]);
    let segments = SegmentedChunks { segment: shard_len };
    let txs = post_chunks(
        &elems,
        start,
        segments,
        progress,
        "test set",
        |at, chunk, last| {
            if at % shard_len == 0 {
                chain = Chain::new(tag);
            }
            chain.absorb_all(chunk);
            registry.reveal_test_set(id, chunk, chain.state(), last)
        },
    )
    .await?;
    let after = registry.contest(id).await?;
    Ok(RevealReport {
        elements: elems.len(),
        resumed_from: start,
        txs,
        already: false,
        challenge_ends: after.challenge_ends,
        proof_ends: after.proof_ends,
    })
}

/// Before resuming a test-set reveal: the chunks already on chain must hold this test set's
/// first elements with the right claimed states. Resuming after anything else (another file,
/// or chunks whose claims do not chain) would finish a reveal that a challenge overturns, and
/// the organiser would default.
async fn check_posted_prefix(
    registry: &Registry,
    id: u64,
    created_block: u64,
    shard_len: usize,
    elems: &[Fr],
) -> Result<()> {
    let posted = posted_chunks(registry, id, created_block, shard_len).await?;
    let mut at = 0usize;
    let foreign = posted.iter().position(|c| {
        let ours = elems.get(at..at + c.elems.len());
        at += c.elems.len();
        ours != Some(c.elems.as_slice())
    });
    let Some(i) = foreign.or_else(|| first_wrong_claim(&posted).map(|(i, _)| i)) else {
        return Ok(());
    };
    let c = &posted[i];
    Err(ContestError::State(format!(
        "test-set chunk {} on chain (elements {}..{}) is not this test set's, or its claimed \
         state does not chain: restart the reveal (`contest-cli reveal-testset --restart`) rather \
         than finish one that a challenge would overturn",
        c.chunk,
        c.start,
        c.start + c.elems.len() as u64
    )))
}

/// Where a reveal's chunks must end besides every [`REVEAL_CHUNK`] elements: at every multiple
/// of `segment` (a test set's shards, PROTOCOL §14.1; a model is one segment).
#[derive(Clone, Copy, Debug)]
pub(crate) struct SegmentedChunks {
    /// Elements per segment (≥ 1).
    pub segment: usize,
}

impl SegmentedChunks {
    /// `(start, chunk)` for every chunk of `elems[from..]`: at most [`REVEAL_CHUNK`] elements,
    /// none crossing a multiple of `segment`.
    fn split<'a>(&self, elems: &'a [Fr], from: usize) -> Vec<(usize, &'a [Fr])> {
        let segment = self.segment.max(1);
        let mut out = Vec::new();
        let mut at = from;
        while at < elems.len() {
            let end = (at + REVEAL_CHUNK)
                .min((at / segment + 1) * segment)
                .min(elems.len());
            out.push((at, &elems[at..end]));
            at = end;
        }
        out
    }
}

/// Sends `elems[start..]` in chunks (see [`SegmentedChunks`]), the final one marked `last`;
/// `send` gets each chunk's start index.
pub(crate) async fn post_chunks<'a, F, Fut>(
    elems: &'a [Fr],
    start: u64,
    segments: SegmentedChunks,
    progress: Progress<'_>,
    what: &str,
    mut send: F,
) -> Result<Vec<Tx>>
where
    F: FnMut(usize, &'a [Fr], bool) -> Fut,
    Fut: std::future::Future<Output = crate::chain::Result<Tx>>,
{
    let start = usize::try_from(start).unwrap_or(usize::MAX);
    if start > elems.len() {
        return Err(ContestError::State(format!(
            "the chain holds {start} {what} elements but there are only {}; restart the reveal",
            elems.len()
        )));
    }
    let rest = &elems[start..];
    if rest.is_empty() {
        // The final chunk is never empty (a model's holds at least the salt, so the registry
        // refuses an empty one), and a final chunk ends the reveal: all elements on chain
        // without it is a reveal this client did not make.
        return Err(ContestError::State(format!(
            "all {} {what} elements are on chain but the reveal is not finished; restart the \
             reveal",
            elems.len()
        )));
    }
    let mut txs = Vec::new();
    let chunks = segments.split(elems, start);
    let n = chunks.len();
    let mut done = start;
    for (i, (at, chunk)) in chunks.into_iter().enumerate() {
        let last = i + 1 == n;
        let tx = send(at, chunk, last).await?;
        done += chunk.len();
        progress.chunk(what, done, elems.len(), tx.gas_used);
        txs.push(tx);
    }
    Ok(txs)
}
