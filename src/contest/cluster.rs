//! `contest-cli shard plan`: what a cluster needs to prove one shard per worker (PROTOCOL
//! §14.1) — a directory holding the inputs every worker reads, the exact `contest-cli prove
//! --shard` command of each shard, and a Kubernetes Indexed Job (`batch/v1`) that runs them
//! against that directory on a shared volume. The finished proofs come back with
//! `contest-cli submit --collect DIR/proofs`, which checks each against the registry's
//! statement before sending.
//!
//! The directory holds the committed model and, in `salt` (mode 0600), the salt: both are
//! secret until the model is revealed, so the volume and cluster must be the competitor's own.
//! The Job reads the salt from a Kubernetes Secret (never from its own spec).

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::json;

use super::competitor::Competitor;
use super::{ContestError, Result};
use crate::commit::fr_to_hex;
use crate::spec::{shard_commitments, TestSet};

/// The Job's options.
#[derive(Clone, Debug)]
pub struct ClusterOptions {
    /// Shards proved at once (`spec.parallelism`).
    pub parallelism: u32,
    /// The container image holding `contest-cli`.
    pub image: String,
    /// The PersistentVolumeClaim the plan directory is copied to, mounted at `/contest`.
    pub claim: String,
    /// Memory requested per worker (a Kubernetes quantity, e.g. `6Gi`), if any.
    pub memory: Option<String>,
}

/// One shard of the plan.
#[derive(Clone, Debug, Serialize)]
pub struct PlannedShard {
    /// Its index.
    pub shard: u64,
    /// Its commitment `T_s`, `0x…`.
    pub testset_commitment: String,
    /// The rows the committed model gets right (computed natively; the proof proves it).
    pub correct: u64,
    /// The command that proves it, run in the plan directory (`CONTEST_SALT` set to the salt).
    pub command: Vec<String>,
}

/// What `shard plan` wrote.
#[derive(Clone, Debug, Serialize)]
pub struct ShardPlan {
    /// The plan directory.
    pub dir: PathBuf,
    /// Chain, contest and submitter the proofs are for.
    pub chain_id: u64,
    /// See `chain_id`.
    pub contest_id: u64,
    /// See `chain_id`, `0x…`.
    pub submitter: String,
    /// The entry's model commitment `C`, `0x…`.
    pub model_commitment: String,
    /// Every shard, in order.
    pub shards: Vec<PlannedShard>,
    /// The Kubernetes Indexed Job.
    pub job_manifest: PathBuf,
    /// The Secret the Job reads the salt from (create it from `salt`).
    pub salt_secret: String,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ContestError + '_ {
    move |e| ContestError::State(format!("{}: {e}", path.display()))
}

/// Writes the plan for the sender's entry into `out`: `spec/contest.toml`, `model.onnx` (and
/// `calibration.zkts`), `testset.zkts`, `salt`, `keys/` (the keys, with the SRS they name),
/// `plan.json`, `indexed-job.json`. `testset` is the revealed test set (read from the chain
/// or a checked file by the caller).
pub async fn plan_shards(
    c: &Competitor<'_>,
    keys_dir: &Path,
    testset: &TestSet,
    out: &Path,
    options: &ClusterOptions,
) -> Result<ShardPlan> {
    let info = c.check_spec().await?;
    let me = c.me();
    let entry = c.registry.entry(c.contest_id, me).await?;
    let (secret, model) = c.committed_model(&entry.commitment)?;
    if u64::from(info.config.layout.shards) != c.spec.shards as u64 {
        return Err(ContestError::State(format!(
            "contest {} has {} shard(s), the spec {}",
            c.contest_id, info.config.layout.shards, c.spec.shards
        )));
    }
    let commitments = shard_commitments(c.spec, testset).map_err(ContestError::input)?;
    let rows = c.spec.shard_rows();
    let state = c.state();

    std::fs::create_dir_all(out.join("spec")).map_err(io(out))?;
    let spec_file = if c.spec_path.is_dir() {
        c.spec_path.join("contest.toml")
    } else {
        c.spec_path.to_path_buf()
    };
    copy(&spec_file, &out.join("spec/contest.toml"))?;
    copy(&state.file(&secret.model_file), &out.join("model.onnx"))?;
    if let Some(cal) = &secret.calibration_file {
        copy(&state.file(cal), &out.join("calibration.zkts"))?;
    }
    testset
        .write_to(&out.join("testset.zkts"), c.spec)
        .map_err(|e| ContestError::State(e.to_string()))?;
    write_secret(&out.join("salt"), &secret.salt)?;
    copy_keys(keys_dir, &out.join("keys"))?;

    let chain_id = c.registry.client().chain_id();
    let base = |shard: &str| -> Vec<String> {
        let mut a: Vec<String> = ["prove", "--spec", "spec", "--model", "model.onnx"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        if secret.calibration_file.is_some() {
            a.extend(["--calibration".into(), "calibration.zkts".into()]);
        }
        a.extend(
            [
                "--testset",
                "testset.zkts",
                "--keys",
                "keys",
                "--submitter",
                &me.to_string(),
                "--contest-id",
                &c.contest_id.to_string(),
                "--chain-id",
                &chain_id.to_string(),
                "--shard",
                shard,
                "--out",
                &format!("proofs/shard-{shard}"),
            ]
            .iter()
            .map(|s| s.to_string()),
        );
        a
    };
    let mut shards = Vec::new();
    for (s, t_s) in commitments.iter().enumerate() {
        let correct = crate::model::correct(&model, &testset.shard(s, rows))
            .map_err(ContestError::input)? as u64;
        shards.push(PlannedShard {
            shard: s as u64,
            testset_commitment: fr_to_hex(t_s),
            correct,
            command: base(&s.to_string()),
        });
    }
    let salt_secret = format!("zkcontest-salt-{}", c.contest_id);
    let manifest = job_manifest(
        c.contest_id,
        commitments.len(),
        &base("$(SHARD)"),
        &salt_secret,
        options,
    );
    let job_manifest = out.join("indexed-job.json");
    write_json(&job_manifest, &manifest)?;
    let plan = ShardPlan {
        dir: out.to_path_buf(),
        chain_id,
        contest_id: c.contest_id,
        submitter: me.to_string(),
        model_commitment: fr_to_hex(&entry.commitment),
        shards,
        job_manifest,
        salt_secret,
    };
    write_json(&out.join("plan.json"), &plan)?;
    Ok(plan)
}

/// The Kubernetes Indexed Job (`batch/v1`): `shards` completions, each pod proving the shard of
/// its completion index (from the pod's `batch.kubernetes.io/job-completion-index` annotation,
/// by the downward API) with `command` (`contest-cli` prepended), in the plan directory mounted
/// from `options.claim` at `/contest`; the salt from Secret `salt_secret`, key `salt`.
pub fn job_manifest(
    contest_id: u64,
    shards: usize,
    command: &[String],
    salt_secret: &str,
    options: &ClusterOptions,
) -> serde_json::Value {
    let mut cmd = vec!["contest-cli".to_string(), "--json".to_string()];
    cmd.extend(command.iter().cloned());
    let mut container = json!({
        "name": "prove",
        "image": options.image,
        "workingDir": "/contest",
        "command": cmd,
        "env": [
            {
                "name": "SHARD",
                "valueFrom": {"fieldRef": {
                    "fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']"
                }}
            },
            {
                "name": "CONTEST_SALT",
                "valueFrom": {"secretKeyRef": {"name": salt_secret, "key": "salt"}}
            }
        ],
        "volumeMounts": [{"name": "contest", "mountPath": "/contest"}]
    });
    if let Some(memory) = &options.memory {
        container["resources"] =
            json!({"requests": {"memory": memory}, "limits": {"memory": memory}});
    }
    json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": format!("zkcontest-{contest_id}-shards"),
            "labels": {"app.kubernetes.io/name": "zkcontest"}
        },
        "spec": {
            "completionMode": "Indexed",
            "completions": shards,
            "parallelism": options.parallelism.max(1),
            "backoffLimit": shards,
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": "zkcontest"}},
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [container],
                    "volumes": [
                        {"name": "contest", "persistentVolumeClaim": {"claimName": options.claim}}
                    ]
                }
            }
        }
    })
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to).map(|_| ()).map_err(|e| {
        ContestError::State(format!(
            "copying {} to {}: {e}",
            from.display(),
            to.display()
        ))
    })
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_vec_pretty(value).map_err(|e| ContestError::State(e.to_string()))?;
    std::fs::write(path, text).map_err(io(path))
}

/// Writes `text` readable by its owner only.
fn write_secret(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(io(path))?;
    f.write_all(text.as_bytes()).map_err(io(path))
}

/// Copies the key files into `to`, with the SRS the keys name, and points `circuit.json` at that
/// copy by a path relative to the plan directory (workers run there).
fn copy_keys(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(io(to))?;
    for name in ["vk.bin", "pk.bin"] {
        copy(&from.join(name), &to.join(name))?;
    }
    let manifest_path = from.join("circuit.json");
    let text = std::fs::read(&manifest_path).map_err(io(&manifest_path))?;
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| ContestError::State(e.to_string()))?;
    let srs = PathBuf::from(manifest["srs_path"].as_str().unwrap_or_default());
    let name = srs
        .file_name()
        .ok_or_else(|| ContestError::State(format!("{}: no srs_path", manifest_path.display())))?;
    // A relative `srs_path` is relative to where `setup` ran; the SRS usually sits in the keys.
    let srs = if srs.exists() {
        srs.clone()
    } else {
        from.join(name)
    };
    copy(&srs, &to.join(name))?;
    manifest["srs_path"] = json!(Path::new("keys").join(name));
    write_json(&to.join("circuit.json"), &manifest)
}
