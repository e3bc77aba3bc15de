//! `contest-cli prove`: proves that a model reaches `correct` on a test set.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use serde_json::json;

use super::chain_args::Terminal;
use super::inputs::{parse_address, parse_fr, quantised_model};
use super::{Failure, Outcome};
use crate::circuit::accuracy::{AccuracyWitness, Statement};
use crate::contest::competitor::prove_reporting;
use crate::model::{correct, model_commitment};
use crate::prover::keys::{ContestKeys, ProofKind};
use crate::prover::proof_dir::ProofDir;
use crate::prover::srs::{read_params, SrsKind, UNSAFE_WARNING};
use crate::spec::{shard_commitment, Spec, TestSet};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;

/// Arguments of `contest-cli prove`.
#[derive(Debug, Args)]
pub struct ProveArgs {
    /// Contest spec (`contest.toml` or its folder).
    #[arg(long)]
    spec: PathBuf,
    /// The competitor's ONNX model (not read for a test-set proof).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Calibration rows (`.zkts`) used when the model was committed, if any.
    #[arg(long)]
    calibration: Option<PathBuf>,
    /// The commitment salt (`0x…`, a BN254 field element). Secret until the model is revealed:
    /// prefer the environment variable to the command line, which other local users can see.
    #[arg(long, env = "CONTEST_SALT", hide_env_values = true)]
    salt: Option<String>,
    /// The revealed test set (`.zkts`, exactly N rows); not read for a model proof (keys made
    /// by `setup --shared-model`, in its `model/` directory).
    #[arg(long)]
    testset: Option<PathBuf>,
    /// Address that will submit the proof (`0x…`, 20 bytes).
    #[arg(long)]
    submitter: String,
    /// The contest's id in the registry.
    #[arg(long)]
    contest_id: u64,
    /// The chain id (31337 for a local anvil).
    #[arg(long)]
    chain_id: u64,
    /// Key directory written by `contest-cli setup`.
    #[arg(long)]
    keys: PathBuf,
    /// Directory to write `proof.bin`, `instances.json` and `calldata.hex` into.
    #[arg(long)]
    out: PathBuf,
    /// The shard to prove (from 0) of a sharded spec: its rows of the test set, against its
    /// commitment `T_s` (PROTOCOL §14.1). An unsharded spec has shard 0 only: the whole set.
    #[arg(long, default_value_t = 0)]
    shard: usize,
}

impl ProveArgs {
    /// Quantises the model, computes the statement natively, proves it and writes the proof.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let spec = Spec::from_path(&self.spec).map_err(Failure::input)?;
        let submitter = parse_address(&self.submitter)?;
        let keys = ContestKeys::read(&self.keys).map_err(Failure::input)?;
        if keys.manifest.spec_name != spec.name {
            return Err(Failure::input(anyhow::anyhow!(
                "the keys in {} were made for spec {:?}, not {:?}",
                self.keys.display(),
                keys.manifest.spec_name,
                spec.name
            )));
        }
        // With `setup --shared-model` keys (PROTOCOL §14.2.1): a model proof states only `C`
        // (no rows read), a test-set proof only `T_s` (no model read); `correct` is 0 in both.
        let kind = keys.manifest.proof_kind;
        let unused = || AccuracyWitness::dummy(&spec.shard_spec()).map_err(Failure::input);
        let missing = |what: &str| {
            Failure::input(anyhow::anyhow!(
                "{what} is required: the keys in {} make {kind:?} proofs",
                self.keys.display()
            ))
        };
        let (testset, testset_commitment) = match (&self.testset, kind) {
            (_, ProofKind::Model) => (unused()?.testset, Fr::from(0)),
            (None, _) => return Err(missing("--testset")),
            (Some(path), _) => {
                let full = TestSet::from_path(path, &spec).map_err(Failure::input)?;
                let commitment = shard_commitment(&spec, &full, self.shard);
                let Some(commitment) = commitment.map_err(Failure::input)? else {
                    return Err(Failure::input(anyhow::anyhow!(
                        "shard {} does not exist: the spec has {} (numbered from 0)",
                        self.shard,
                        spec.shards
                    )));
                };
                (full.shard(self.shard, spec.shard_rows()), commitment)
            }
        };
        let (model, salt, model_commitment) = match kind {
            ProofKind::TestSet => (unused()?.model, Fr::from(0), Fr::from(0)),
            _ => {
                let salt = parse_fr(self.salt.as_deref().ok_or_else(|| missing("--salt"))?)?;
                let path = self.model.as_deref().ok_or_else(|| missing("--model"))?;
                let model = quantised_model(&spec, path, self.calibration.as_deref())?;
                let c = model_commitment(&model, &spec, salt).map_err(Failure::input)?;
                (model, salt, c)
            }
        };
        if keys.manifest.srs_kind == SrsKind::UnsafeDev {
            eprintln!("{UNSAFE_WARNING}");
        }
        let params = read_params(&keys.manifest.srs_path, keys.manifest.figures.k)
            .map_err(Failure::input)?;

        let statement = Statement {
            chain_id: self.chain_id,
            contest_id: self.contest_id,
            submitter,
            model_commitment,
            testset_commitment,
            correct: match kind {
                ProofKind::Statement => correct(&model, &testset).map_err(Failure::input)? as u64,
                _ => 0,
            },
        };
        let k = keys.manifest.figures.k;
        match kind {
            ProofKind::Model => {
                eprintln!("statement: the model proof (the column opens C), k = {k}")
            }
            ProofKind::TestSet => eprintln!(
                "statement: the test-set proof of shard {} of {} (the column opens T_s), k = {k}",
                self.shard, spec.shards
            ),
            ProofKind::Statement => eprintln!(
                "statement: correct = {}/{} on shard {} of {} (min_correct {} over all), k = {k}",
                statement.correct,
                spec.shard_rows(),
                self.shard,
                spec.shards,
                spec.min_correct,
            ),
        }
        let witness = AccuracyWitness {
            model,
            salt,
            testset,
        };
        // A bar per stage on a terminal (not under --json), over the expected time.
        let term = Terminal::new(json);
        let started = Instant::now();
        let (proof, timings) = prove_reporting(
            &spec,
            (&keys, &self.keys),
            &params,
            &witness,
            &statement,
            &term,
        )
        .map_err(Failure::env)?;
        let secs = started.elapsed().as_secs_f64();
        let proof_bytes = proof.len();
        ProofDir { statement, proof }
            .write(&self.out)
            .map_err(Failure::env)?;
        if json {
            println!(
                "{}",
                json!({ "out": self.out, "proof_kind": kind,
                        "correct": statement.correct, "rows": spec.shard_rows(),
                        "shard": self.shard, "shards": spec.shards,
                        "min_correct": spec.min_correct, "proof_bytes": proof_bytes,
                        "prove_seconds": secs, "witness_seconds": timings.witness_seconds,
                        "proving_seconds": timings.proving_seconds })
            );
        } else {
            println!(
                "proof written to {} in {secs:.1} s (witness {:.1} s, proving {:.1} s): correct = {}/{}",
                self.out.display(),
                timings.witness_seconds,
                timings.proving_seconds,
                statement.correct,
                spec.shard_rows()
            );
        }
        Ok(Outcome::Success)
    }
}
