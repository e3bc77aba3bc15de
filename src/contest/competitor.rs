//! The competitor's flows: commit, submit, reveal, forfeit a late winner, withdraw.

use std::path::Path;

use halo2_base::halo2_proofs::halo2curves::bn256::{Bn256, Fr};
use halo2_base::halo2_proofs::poly::kzg::commitment::ParamsKZG;
use serde::Serialize;

use super::challenge::{first_fault, posted_chunks};
use super::columns::{open_model_column, open_rows_column, side_keys, ColumnReport};
use super::organiser::{post_chunks, SegmentedChunks};
use super::shards::{run_pool, statement_mismatch, ProofSource, ShardJob, WorkerInputs, WorkerRun};
use super::state::{Secret, StateDir};
use super::{read_file, spec_hash, ContestError, Progress, Result};
use crate::chain::registry::Registry;
use crate::chain::types::{Addr, EntryInfo, EntryStatus, OriginalInfo, Phase, Tx, Wei};
use crate::chain::ChainError;
use crate::circuit::accuracy::{AccuracyWitness, Statement};
use crate::commit::fr_to_hex;
use crate::model::commitment::{model_fingerprint, random_salt};
use crate::model::{correct, model_commitment, model_elements, quantise};
use crate::model::{OnnxFile, QuantizedModel};
use crate::prover::keys::ContestKeys;
use crate::prover::proof::{estimate, prove_in_stages, record_timings, ProveStage, ProveTimings};
use crate::prover::proof_dir::ProofDir;
use crate::prover::srs::read_params;
use crate::prover::ProverError;
use crate::spec::{shard_commitments, testset_commitment, testset_from_elements, Spec, TestSet};

/// ONNX → dense network → padded to the envelope → quantised: the one path every command
/// uses, so `commit`, `prove`, `submit` and `model evaluate` see the same integers.
pub fn quantised_model(
    spec: &Spec,
    model: &Path,
    calibration: Option<&Path>,
) -> Result<QuantizedModel> {
    let calibration = calibration
        .map(|p| TestSet::from_path_any_rows(p, spec))
        .transpose()
        .map_err(ContestError::input)?;
    let file = OnnxFile::read(model).map_err(ContestError::input)?;
    let net = file.dense_network().map_err(ContestError::input)?;
    let padded = net.padded(&spec.envelope).map_err(ContestError::input)?;
    quantise(&padded, spec, calibration.as_ref()).map_err(ContestError::input)
}

/// Everything a competitor's command needs to find its state.
#[derive(Clone, Copy, Debug)]
pub struct Competitor<'a> {
    /// The registry, with the competitor's signing key.
    pub registry: &'a Registry,
    /// The contest.
    pub contest_id: u64,
    /// The spec the contest was created for.
    pub spec: &'a Spec,
    /// The spec's path (its hash is checked against the contest's `specHash`).
    pub spec_path: &'a Path,
    /// Root of the state directories.
    pub state_root: &'a Path,
}

impl Competitor<'_> {
    pub(crate) fn me(&self) -> Addr {
        Addr(self.registry.client().address())
    }

    pub(crate) fn state(&self) -> StateDir {
        StateDir::new(
            self.state_root,
            self.registry.client().chain_id(),
            self.registry.address(),
            self.contest_id,
            self.me(),
        )
    }

    pub(crate) async fn check_spec(&self) -> Result<crate::chain::types::ContestInfo> {
        let info = self.registry.contest(self.contest_id).await?;
        if spec_hash(self.spec_path)? != info.config.spec_hash {
            return Err(ContestError::Input(format!(
                "contest {} was created for another spec (specHash 0x{}); {} differs",
                self.contest_id,
                hex::encode(info.config.spec_hash),
                self.spec_path.display()
            )));
        }
        Ok(info)
    }

    /// The stored secret matching the on-chain commitment, and its model.
    pub(crate) fn committed_model(&self, commitment: &Fr) -> Result<(Secret, QuantizedModel)> {
        let state = self.state();
        let secret = state.secret_for(commitment)?.ok_or_else(|| {
            ContestError::State(format!(
                "no secret for the on-chain commitment {} in {} (committed from another machine \
                 or state directory?)",
                fr_to_hex(commitment),
                state.path().display()
            ))
        })?;
        let cal = secret.calibration_file.as_ref().map(|f| state.file(f));
        let model = quantised_model(self.spec, &state.file(&secret.model_file), cal.as_deref())?;
        let c = model_commitment(&model, self.spec, secret.salt()?).map_err(ContestError::input)?;
        if c != *commitment {
            return Err(ContestError::State(format!(
                "the stored model and salt give {}, not the committed {}",
                fr_to_hex(&c),
                fr_to_hex(commitment)
            )));
        }
        Ok((secret, model))
    }
}

/// Outcome of `commit`.
#[derive(Clone, Debug, Serialize)]
pub struct CommitReport {
    /// The commitment `C`.
    pub commitment: String,
    /// Where the secret is kept.
    pub state_dir: String,
    /// The transaction (none if the chain already had this commitment).
    pub tx: Option<Tx>,
    /// Bond paid.
    pub bond: Wei,
    /// Whether this replaced an earlier commitment.
    pub replaced: bool,
    /// Whether a salt stored by an earlier (possibly interrupted) run was reused.
    pub salt_reused: bool,
}

/// Commits to a model: quantise, reuse the salt stored for exactly these bytes or draw and
/// store a new one (durably, before sending), then send the commitment unless the chain
/// already has it. `after_secret_stored` runs between storing and sending (a crash there must
/// be recoverable: the tests kill the process at this point).
pub async fn commit(
    c: &Competitor<'_>,
    model_path: &Path,
    calibration: Option<&Path>,
    after_secret_stored: &dyn Fn(),
    progress: Progress<'_>,
) -> Result<CommitReport> {
    let info = c.check_spec().await?;
    let model_bytes = read_file(model_path)?;
    let cal_bytes = calibration.map(read_file).transpose()?;
    let model = quantised_model(c.spec, model_path, calibration)?;
    // A model whose weights another address already revealed here would be disqualified at
    // its reveal (a copy): say so before the bond is locked.
    let fingerprint = model_fingerprint(&model, c.spec).map_err(ContestError::input)?;
    if let Some(o) = c.registry.original(&fingerprint).await? {
        if o.owner != c.me() {
            return Err(ContestError::Input(format!(
                "these weights were revealed by {} in contest {} (committed at {}): the registry \
                 disqualifies another address revealing the same weights from a later commitment, \
                 so this entry could never be paid (fingerprint {})",
                o.owner,
                o.contest_id,
                o.committed_at,
                fr_to_hex(&fingerprint)
            )));
        }
    }
    let state = c.state();
    let (secret, salt_reused) = match state.secret_for_model(&model_bytes, cal_bytes.as_deref())? {
        Some(s) => (s, true),
        None => {
            let salt = random_salt(rand::rngs::OsRng);
            let commitment = model_commitment(&model, c.spec, salt).map_err(ContestError::input)?;
            let (_, now) = c.registry.head().await?;
            let s = state.store(&commitment, &salt, &model_bytes, cal_bytes.as_deref(), now)?;
            progress.note(&format!("secret stored in {}", state.path().display()));
            (s, false)
        }
    };
    after_secret_stored();
    let commitment = secret.commitment()?;
    let entry = c.registry.entry(c.contest_id, c.me()).await?;
    let report = |tx, bond, replaced| CommitReport {
        commitment: secret.commitment.clone(),
        state_dir: state.path().display().to_string(),
        tx,
        bond,
        replaced,
        salt_reused,
    };
    if entry.status != EntryStatus::None && entry.commitment == commitment {
        progress.note("already committed on chain; nothing sent");
        return Ok(report(None, Wei(0), false));
    }
    if info.phase != Phase::Commit {
        return Err(ContestError::WrongPhase {
            action: "commit",
            phase: info.phase,
            detail: format!("commitments closed at {}", info.config.commit_deadline),
        });
    }
    let replaced = entry.status != EntryStatus::None;
    let bond = if replaced {
        Wei(0)
    } else {
        info.config.commit_bond
    };
    let tx = c
        .registry
        .commit_model(c.contest_id, commitment, bond)
        .await?;
    Ok(report(Some(tx), bond, replaced))
}

/// Outcome of `submit`.
#[derive(Clone, Debug, Serialize)]
pub struct SubmitReport {
    /// Correct rows (computed natively, then proved).
    pub correct: u64,
    /// Rows.
    pub rows: u64,
    /// The contest's threshold.
    pub min_correct: u64,
    /// Whether `correct >= min_correct`: the entry is ranked. Below it the proof is sent all
    /// the same: the entry is scored, not ranked, and gets its bond back after the proof
    /// window (an entry that never proves loses its bond to the bond pool).
    pub qualifies: bool,
    /// Seconds spent proving, witness generation included (0 if a stored proof was reused
    /// or nothing was proved).
    pub prove_seconds: f64,
    /// Of which: building the witness (halo2-base's builder and the phase-1 values).
    pub witness_seconds: f64,
    /// Proof size in bytes.
    pub proof_bytes: usize,
    /// The transaction (none if already accepted).
    pub tx: Option<Tx>,
    /// Whether the chain already had an accepted proof.
    pub already: bool,
    /// The shards this run handled (one for an unsharded contest), in order.
    pub shards: Vec<ShardReport>,
    /// The contest's shard count `M`.
    pub shard_count: u64,
    /// Shards of this entry the registry holds after this run; the entry is ranked or scored
    /// once it is `shard_count`.
    pub shards_proved: u64,
    /// The worker processes this run started (`--workers`), one per shard proved.
    pub workers: Vec<WorkerRun>,
    /// In a contest with shared columns (PROTOCOL §14.2.1): the model proof and the test-set
    /// proofs this run needed, in order (each sent only if the registry lacked its column).
    pub columns: Vec<ColumnReport>,
}

/// One shard of a `submit` (PROTOCOL §14.1).
#[derive(Clone, Debug, Serialize)]
pub struct ShardReport {
    /// Its index.
    pub shard: u64,
    /// Its correct rows.
    pub correct: u64,
    /// The transaction that submitted its proof (none if the registry already had one).
    pub tx: Option<Tx>,
    /// Whether the registry already held its proof (never proved again).
    pub already: bool,
}

/// Proves with a bar per prover stage on `progress`, timed against the keys' estimate
/// (`prover::proof::estimate`), and records the timings in the key directory `keys_dir` for
/// the next estimate (a failure to record is reported, not fatal).
pub fn prove_reporting(
    spec: &Spec,
    (keys, keys_dir): (&ContestKeys, &Path),
    params: &ParamsKZG<Bn256>,
    witness: &AccuracyWitness,
    statement: &Statement,
    progress: Progress<'_>,
) -> std::result::Result<(Vec<u8>, ProveTimings), ProverError> {
    let expected = estimate(keys_dir, keys);
    let on_stage = |stage: ProveStage| {
        progress.stage(stage.label(), expected.seconds(stage), expected.source())
    };
    let proved = prove_in_stages(spec, keys, params, witness, statement, &on_stage);
    progress.stage_done();
    let (proof, timings) = proved?;
    if let Err(e) = record_timings(keys_dir, &timings) {
        progress.note(&format!(
            "(the proving time was not recorded in {}: {e})",
            keys_dir.display()
        ));
    }
    Ok((proof, timings))
}

/// Proves the committed model's accuracy on the revealed test set and submits the proof, below
/// the threshold too (every committed entry must prove its score to recover its bond).
/// The proof is stored before sending and reused by a rerun; the transaction is simulated
/// first, so a rejected proof costs nothing.
pub async fn submit(
    c: &Competitor<'_>,
    keys_dir: &Path,
    testset_path: Option<&Path>,
    only: Option<u64>,
    source: ProofSource<'_>,
    progress: Progress<'_>,
) -> Result<SubmitReport> {
    let info = c.check_spec().await?;
    let me = c.me();
    let entry = c.registry.entry(c.contest_id, me).await?;
    let rows = u64::from(info.config.test_set_size);
    let min_correct = u64::from(info.config.min_correct);
    if entry.status >= EntryStatus::Qualified {
        progress.note("a proof of this entry was already accepted; nothing sent");
        return Ok(SubmitReport {
            correct: entry.correct,
            rows,
            min_correct,
            qualifies: entry.status != EntryStatus::Scored,
            prove_seconds: 0.0,
            witness_seconds: 0.0,
            proof_bytes: 0,
            tx: None,
            already: true,
            shards: Vec::new(),
            shard_count: u64::from(info.config.layout.shards),
            shards_proved: entry.shards_proved,
            workers: Vec::new(),
            columns: Vec::new(),
        });
    }
    if entry.status == EntryStatus::None {
        return Err(ContestError::Input(format!(
            "{me} has not committed to contest {}",
            c.contest_id
        )));
    }
    if info.phase == Phase::TestSetChallenge {
        return Err(ContestError::WrongPhase {
            action: "submit",
            phase: info.phase,
            detail: format!(
                "proofs are accepted after the test set's challenge window, which ends at {} \
                 (meanwhile `contest-cli challenge-testset` checks the organiser's chunks), \
                 until {}",
                info.challenge_ends, info.proof_ends
            ),
        });
    }
    if info.phase != Phase::Proof {
        return Err(ContestError::WrongPhase {
            action: "submit",
            phase: info.phase,
            detail: format!(
                "proofs are accepted once the test set is revealed and its challenge window is \
                 over, until {}",
                info.proof_end()
            ),
        });
    }
    let (secret, model) = c.committed_model(&entry.commitment)?;
    // A contest with shared columns takes shard keys that share the same ones, and the model
    // and test-set proofs' keys beside them (checked before anything is proved).
    let cols = c.registry.column_verifiers(c.contest_id).await?;
    let (manifest, _) = ContestKeys::read_verifier(keys_dir).map_err(ContestError::input)?;
    let sides = side_keys(c.contest_id, cols.as_ref(), (&manifest, keys_dir))?;
    let mut model_opened = false;
    let testset =
        contest_testset(c, &info.config.testset_commitment, testset_path, progress).await?;
    let correct = correct(&model, &testset).map_err(ContestError::input)? as u64;
    let mut report = SubmitReport {
        correct,
        rows,
        min_correct,
        qualifies: correct >= min_correct,
        prove_seconds: 0.0,
        witness_seconds: 0.0,
        proof_bytes: 0,
        tx: None,
        already: false,
        shards: Vec::new(),
        shard_count: u64::from(info.config.layout.shards),
        shards_proved: entry.shards_proved,
        workers: Vec::new(),
        columns: Vec::new(),
    };
    if !report.qualifies {
        progress.note(&format!(
            "{correct}/{rows} correct is below the threshold of {min_correct}: proving it all the \
             same (a scored entry gets its bond back; one that never proves loses it)"
        ));
    }
    let shard_spec = c.spec.shard_spec();
    let commitments = shard_commitments(c.spec, &testset).map_err(ContestError::input)?;
    let shards = commitments.len() as u64;
    let chosen: Vec<u64> = match only {
        Some(s) if s >= shards => {
            return Err(ContestError::Input(format!(
                "shard {s} does not exist: contest {} has {shards} (numbered from 0)",
                c.contest_id
            )))
        }
        Some(s) => vec![s],
        None => (0..shards).collect(),
    };
    // First what each chosen shard needs: nothing (the registry holds its proof), or a proof
    // of its statement, stored in its proof directory (or, collecting, in `DIR/shard-<s>`).
    let state = c.state();
    let mut todo: Vec<ShardJob> = Vec::new();
    for s in chosen {
        let (recorded, proved) = c.registry.shard_info(c.contest_id, s, me).await?;
        let index = usize::try_from(s).map_err(ContestError::input)?;
        if let Some(done) = proved {
            // Never proved again (a rerun after a crash).
            report.shards.push(ShardReport {
                shard: s,
                correct: done,
                tx: None,
                already: true,
            });
            continue;
        }
        let t_s = commitments[index];
        if recorded != t_s {
            return Err(ContestError::State(format!(
                "the registry holds {} for shard {s}, but the test set gives {}",
                fr_to_hex(&recorded),
                fr_to_hex(&t_s)
            )));
        }
        let rows_s = testset.shard(index, shard_spec.test_rows);
        let statement = Statement {
            chain_id: c.registry.client().chain_id(),
            contest_id: c.contest_id,
            submitter: me.0,
            model_commitment: entry.commitment,
            testset_commitment: t_s,
            correct: crate::model::correct(&model, &rows_s).map_err(ContestError::input)? as u64,
        };
        let out = match source {
            ProofSource::Collect(dir) => dir.join(format!("shard-{s}")),
            _ if shards > 1 => state
                .proof_dir(&entry.commitment)
                .join(format!("shard-{s}")),
            _ => state.proof_dir(&entry.commitment),
        };
        todo.push(ShardJob {
            shard: s,
            statement,
            out,
        });
    }
    if let ProofSource::Workers(pool) = source {
        let missing: Vec<ShardJob> = todo
            .iter()
            .filter(|j| !ProofDir::read(&j.out).is_ok_and(|p| p.statement == j.statement))
            .cloned()
            .collect();
        if !missing.is_empty() {
            let inputs = worker_inputs(c, &secret, &testset, keys_dir)?;
            let started = std::time::Instant::now();
            report.workers = run_pool(&inputs, &missing, pool, progress)?;
            report.prove_seconds += started.elapsed().as_secs_f64();
        }
    }
    let mut keys: Option<(ContestKeys, ParamsKZG<Bn256>)> = None;
    for job in todo {
        let (s, statement, proof_dir) = (job.shard, job.statement, job.out);
        let correct_s = statement.correct;
        let proof = match ProofDir::read(&proof_dir) {
            Ok(stored) if stored.statement == statement => {
                progress.note(&format!("reusing the proof in {}", proof_dir.display()));
                stored.proof
            }
            Ok(stored) if matches!(source, ProofSource::Collect(_)) => {
                return Err(statement_mismatch(
                    s,
                    &stored.statement,
                    &statement,
                    &proof_dir,
                ));
            }
            _ if matches!(source, ProofSource::Collect(_)) => {
                progress.note(&format!(
                    "no proof of shard {s} in {}: not submitted",
                    proof_dir.display()
                ));
                continue;
            }
            _ => {
                let loaded = match keys.take() {
                    Some(k) => k,
                    None => read_keys(c.spec, keys_dir)?,
                };
                let (keys, params) = &*keys.insert(loaded);
                progress.note(&format!(
                    "proving {correct_s}/{} correct{} (k = {})…",
                    shard_spec.test_rows,
                    if shards > 1 {
                        format!(" on shard {s} of {shards}")
                    } else {
                        String::new()
                    },
                    keys.manifest.figures.k
                ));
                let witness = AccuracyWitness {
                    model: model.clone(),
                    salt: secret.salt()?,
                    testset: testset.shard(
                        usize::try_from(s).map_err(ContestError::input)?,
                        shard_spec.test_rows,
                    ),
                };
                let (proof, timings) = prove_reporting(
                    c.spec,
                    (keys, keys_dir),
                    params,
                    &witness,
                    &statement,
                    progress,
                )
                .map_err(|e| ContestError::Prover(e.to_string()))?;
                report.prove_seconds += timings.witness_seconds + timings.proving_seconds;
                report.witness_seconds += timings.witness_seconds;
                ProofDir {
                    statement,
                    proof: proof.clone(),
                }
                .write(&proof_dir)
                .map_err(|e| ContestError::State(e.to_string()))?;
                proof
            }
        };
        report.proof_bytes = proof.len();
        if let Some((model_keys, testset_keys)) = &sides {
            if !model_opened {
                let salt = secret.salt()?;
                let opened = (entry.commitment, &model, salt);
                let r = open_model_column(c, opened, model_keys, &proof, progress).await?;
                report.prove_seconds += r.prove_seconds;
                report.columns.push(r);
                model_opened = true;
            }
            if let Some(dir) = testset_keys {
                let index = usize::try_from(s).map_err(ContestError::input)?;
                let rows_s = testset.shard(index, shard_spec.test_rows);
                let t_s = statement.testset_commitment;
                let opened = (s, t_s, rows_s);
                let r =
                    open_rows_column(c, opened, (dir, entry.commitment), &proof, progress).await?;
                report.prove_seconds += r.prove_seconds;
                report.columns.push(r);
            }
        }
        let tx = if shards == 1 {
            c.registry
                .submit_proof(c.contest_id, correct_s, &proof)
                .await?
        } else {
            c.registry
                .submit_shard_proof(c.contest_id, s, correct_s, &proof)
                .await?
        };
        report.shards.push(ShardReport {
            shard: s,
            correct: correct_s,
            tx: Some(tx.clone()),
            already: false,
        });
        report.tx = Some(tx);
    }
    report.shards_proved = c.registry.entry(c.contest_id, me).await?.shards_proved;
    Ok(report)
}

/// What `contest-cli prove --shard` workers read: the committed model and salt from the state
/// directory, the revealed test set written there as a file, the keys.
fn worker_inputs(
    c: &Competitor<'_>,
    secret: &Secret,
    testset: &TestSet,
    keys_dir: &Path,
) -> Result<WorkerInputs> {
    let state = c.state();
    let file = state.file("revealed-testset.zkts");
    testset
        .write_to(&file, c.spec)
        .map_err(|e| ContestError::State(e.to_string()))?;
    Ok(WorkerInputs {
        spec: c.spec_path.to_path_buf(),
        model: state.file(&secret.model_file),
        calibration: secret.calibration_file.as_ref().map(|f| state.file(f)),
        salt: secret.salt.clone(),
        testset: file,
        keys: keys_dir.to_path_buf(),
    })
}

/// The contest's keys in `keys_dir` (one shard's circuit) and the SRS they were made with.
fn read_keys(spec: &Spec, keys_dir: &Path) -> Result<(ContestKeys, ParamsKZG<Bn256>)> {
    let keys = ContestKeys::read(keys_dir).map_err(ContestError::input)?;
    if let Some(why) = keys.manifest.registry_refusal(keys_dir) {
        return Err(ContestError::Input(why));
    }
    if keys.manifest.spec_name != spec.name {
        return Err(ContestError::Input(format!(
            "the keys in {} are for spec {:?}, not {:?}",
            keys_dir.display(),
            keys.manifest.spec_name,
            spec.name
        )));
    }
    let params = read_params(&keys.manifest.srs_path, keys.manifest.figures.k)
        .map_err(ContestError::input)?;
    Ok((keys, params))
}

/// The contest's test set: the file at `path`, which must hash to the contest's `T`, or (no
/// path) the one revealed on chain ([`revealed_testset`]).
pub async fn contest_testset(
    c: &Competitor<'_>,
    t: &Fr,
    path: Option<&Path>,
    progress: Progress<'_>,
) -> Result<TestSet> {
    let Some(path) = path else {
        progress.note("reading the revealed test set from the chain's events");
        return revealed_testset(c.registry, c.contest_id, c.spec).await;
    };
    let set = TestSet::from_path(path, c.spec).map_err(ContestError::input)?;
    let found = testset_commitment(c.spec, &set).map_err(ContestError::input)?;
    if found != *t {
        return Err(ContestError::Input(format!(
            "{} is not the contest's test set (T = {}, committed {})",
            path.display(),
            fr_to_hex(&found),
            fr_to_hex(t)
        )));
    }
    Ok(set)
}

/// The test set the organiser revealed, rebuilt from the `TestSetChunkRevealed` events (after
/// the last restart) and checked chunk by chunk (PROTOCOL §14.3: every claimed state, and the
/// decoding) and against `T`: competitors need no file from the organiser. A chunk that could
/// be challenged is an error naming it: proving against such a set is pointless, and
/// `contest-cli challenge-testset` makes the organiser default instead.
pub async fn revealed_testset(registry: &Registry, id: u64, spec: &Spec) -> Result<TestSet> {
    let info = registry.contest(id).await?;
    if !info.test_set_revealed {
        return Err(ContestError::WrongPhase {
            action: "read the test set",
            phase: info.phase,
            detail: "the organiser has not finished revealing it".into(),
        });
    }
    let shard_len = crate::spec::shard_len(spec).map_err(ContestError::input)?;
    let chunks = posted_chunks(registry, id, info.created_block, shard_len).await?;
    if let Some((i, fault)) = first_fault(spec, &chunks)? {
        return Err(ContestError::State(format!(
            "test-set chunk {} is wrong: {fault}; challenge it with `contest-cli challenge-testset \
             --contest {id}` before {} (the organiser then defaults)",
            chunks[i].chunk, info.challenge_ends
        )));
    }
    let elems: Vec<Fr> = chunks.into_iter().flat_map(|c| c.elems).collect();
    let set = testset_from_elements(spec, &elems).map_err(ContestError::input)?;
    let t = testset_commitment(spec, &set).map_err(ContestError::input)?;
    if t != info.config.testset_commitment {
        return Err(ContestError::State(format!(
            "the revealed elements hash to {}, not T = {}",
            fr_to_hex(&t),
            fr_to_hex(&info.config.testset_commitment)
        )));
    }
    Ok(set)
}

/// Outcome of `reveal`.
#[derive(Clone, Debug, Serialize)]
pub struct ModelRevealReport {
    /// Model elements (packed weights, then the salt).
    pub elements: usize,
    /// Elements already on chain before this run.
    pub resumed_from: u64,
    /// Late winners above this entry forfeited by this run.
    pub forfeited: Vec<Addr>,
    /// Transactions sent.
    pub txs: Vec<Tx>,
    /// Whether the model was already revealed.
    pub already: bool,
    /// Set when the registry disqualified the reveal as a copy: the original it copies.
    pub disqualified: Option<OriginalInfo>,
}

/// Reveals the committed model once the entry is called, resuming a partial reveal; first
/// ends a reveal round whose deadline has passed with called entries above this one still
/// unrevealed (anyone may: they are forfeited together and the next entries called together),
/// so a runner-up moves up by itself.
pub async fn reveal(c: &Competitor<'_>, progress: Progress<'_>) -> Result<ModelRevealReport> {
    let info = c.check_spec().await?;
    let me = c.me();
    let mut report = ModelRevealReport {
        elements: 0,
        resumed_from: 0,
        forfeited: vec![],
        txs: vec![],
        already: false,
        disqualified: None,
    };
    let mut entry = c.registry.entry(c.contest_id, me).await?;
    if matches!(
        entry.status,
        EntryStatus::Revealed | EntryStatus::Disqualified
    ) {
        report.already = true;
        report.disqualified = disqualified_by(c, &entry).await?;
        return Ok(report);
    }
    if !matches!(info.phase, Phase::ModelReveal) {
        return Err(ContestError::WrongPhase {
            action: "reveal",
            phase: info.phase,
            detail: format!(
                "models are revealed after the proof window ({})",
                info.proof_end()
            ),
        });
    }
    if entry.status == EntryStatus::Qualified {
        let (_, now) = c.registry.head().await?;
        for (who, _, _) in c.registry.ranking(c.contest_id).await? {
            if who == me {
                break;
            }
            let e = c.registry.entry(c.contest_id, who).await?;
            if e.status == EntryStatus::Called && e.reveal_deadline < now {
                progress.note(&format!("{who} missed its reveal deadline"));
                report.forfeited.push(who);
            }
        }
        if !report.forfeited.is_empty() {
            progress.note("ending the reveal round: its non-revealers are forfeited together");
            report.txs.push(c.registry.forfeit(c.contest_id).await?);
        } else {
            match c.registry.close_ranking(c.contest_id).await {
                Ok(tx) => report.txs.push(tx),
                // Closed by someone else already (a reveal, forfeit or withdrawal closes it).
                Err(ChainError::Reverted { error, .. })
                    if error.starts_with("RankingAlreadyClosed") => {}
                Err(e) => return Err(e.into()),
            }
        }
        entry = c.registry.entry(c.contest_id, me).await?;
    }
    if entry.status != EntryStatus::Called {
        return Err(ContestError::Input(format!(
            "{me} is not called to reveal (status {:?}): only the paid ranks reveal, and a \
             runner-up is called when a winner above it forfeits",
            entry.status
        )));
    }
    let (secret, model) = c.committed_model(&entry.commitment)?;
    let elems = model_elements(&model, c.spec, secret.salt()?).map_err(ContestError::input)?;
    report.elements = elems.len();
    report.resumed_from = entry.revealed_count;
    let id = c.contest_id;
    let registry = c.registry;
    let whole = SegmentedChunks {
        segment: elems.len(),
    };
    let sent = post_chunks(
        &elems,
        entry.revealed_count,
        whole,
        progress,
        "model",
        |_, chunk, last| registry.reveal_model(id, chunk, last),
    )
    .await?;
    report.txs.extend(sent);
    let entry = c.registry.entry(c.contest_id, me).await?;
    report.disqualified = disqualified_by(c, &entry).await?;
    Ok(report)
}

/// For a disqualified entry, the original its model copies (by the committed model's
/// fingerprint); `None` otherwise.
async fn disqualified_by(c: &Competitor<'_>, entry: &EntryInfo) -> Result<Option<OriginalInfo>> {
    if entry.status != EntryStatus::Disqualified {
        return Ok(None);
    }
    let (_, model) = c.committed_model(&entry.commitment)?;
    let fingerprint = model_fingerprint(&model, c.spec).map_err(ContestError::input)?;
    Ok(c.registry.original(&fingerprint).await?)
}

/// Withdraws everything the signer is owed; an error if nothing is.
pub async fn withdraw(registry: &Registry, id: u64) -> Result<(Wei, Tx)> {
    let me = Addr(registry.client().address());
    let owed = registry.owed(id, me).await?;
    if owed.0 == 0 {
        return Err(ContestError::Input(format!(
            "{me} is owed nothing in contest {id} (yet)"
        )));
    }
    Ok(registry.withdraw(id).await?)
}
