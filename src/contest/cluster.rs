//! `contest-cli shard plan`: what a cluster needs to prove one shard per worker (PROTOCOL
//! §14.1) — a directory holding the inputs every worker reads, the exact `contest-cli prove
//! --shard` command of each shard, a Kubernetes Indexed Job (`batch/v1`) that runs them
//! against that directory on a shared volume, and a Ray driver (`ray-job.py`, from
//! `ray_job.py` here) that runs them as Ray tasks. The finished proofs come back with
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
    /// CPUs per worker (Kubernetes request, Ray `num_cpus`, the prover's threads), if any.
    pub cpus: Option<u32>,
}

/// What the Ray driver asks of the cluster (`plan.json`'s `ray`).
#[derive(Clone, Debug, Serialize)]
pub struct RayResources {
    /// Shards in flight at once.
    pub parallelism: u32,
    /// CPUs each shard's task holds (and the prover's thread count).
    pub num_cpus: u32,
    /// Bytes of Ray's `memory` resource each task holds, if `--memory` was given.
    pub memory_bytes: Option<u64>,
}

/// The Ray driver written into every plan as `ray-job.py`.
pub const RAY_JOB: &str = include_str!("ray_job.py");

/// Bytes in a Kubernetes memory quantity: an integer with an optional suffix `k`, `M`, `G`, `T`
/// (powers of 1000) or `Ki`, `Mi`, `Gi`, `Ti` (powers of 1024). Anything else (fractions,
/// exponents, `m`) is refused: a quantity the plan cannot turn into bytes for Ray.
pub fn memory_bytes(quantity: &str) -> Result<u64> {
    let split = quantity
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(quantity.len());
    let (digits, suffix) = quantity.split_at(split);
    let unit: u64 = match suffix {
        "" => 1,
        "k" => 1000,
        "M" => 1000_u64.pow(2),
        "G" => 1000_u64.pow(3),
        "T" => 1000_u64.pow(4),
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        _ => 0,
    };
    let n: Option<u64> = digits.parse().ok();
    match n.and_then(|n| n.checked_mul(unit)) {
        Some(bytes) if bytes > 0 => Ok(bytes),
        _ => Err(ContestError::Input(format!(
            "memory {quantity:?}: expected a positive whole quantity such as 6Gi, 512Mi or \
             8000000000"
        ))),
    }
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
    /// The Ray driver (`python ray-job.py`; a local Ray without `RAY_ADDRESS`).
    pub ray_job: PathBuf,
    /// What each Ray task holds.
    pub ray: RayResources,
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
    let memory_bytes = options.memory.as_deref().map(memory_bytes).transpose()?;
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
    let ray_job = out.join("ray-job.py");
    write_file(&ray_job, RAY_JOB, 0o755)?;
    let plan = ShardPlan {
        dir: out.to_path_buf(),
        chain_id,
        contest_id: c.contest_id,
        submitter: me.to_string(),
        model_commitment: fr_to_hex(&entry.commitment),
        shards,
        job_manifest,
        salt_secret,
        ray_job,
        ray: RayResources {
            parallelism: options.parallelism.max(1),
            num_cpus: options.cpus.unwrap_or(1).max(1),
            memory_bytes,
        },
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
    let mut env = vec![
        json!({
            "name": "SHARD",
            "valueFrom": {"fieldRef": {
                "fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']"
            }}
        }),
        json!({
            "name": "CONTEST_SALT",
            "valueFrom": {"secretKeyRef": {"name": salt_secret, "key": "salt"}}
        }),
    ];
    let mut requests = serde_json::Map::new();
    if let Some(memory) = &options.memory {
        requests.insert("memory".into(), json!(memory));
    }
    if let Some(cpus) = options.cpus {
        requests.insert("cpu".into(), json!(cpus.to_string()));
        env.push(json!({"name": "RAYON_NUM_THREADS", "value": cpus.to_string()}));
    }
    let mut container = json!({
        "name": "prove",
        "image": options.image,
        "workingDir": "/contest",
        "command": cmd,
        "env": env,
        "volumeMounts": [{"name": "contest", "mountPath": "/contest"}]
    });
    if !requests.is_empty() {
        container["resources"] = json!({"requests": requests, "limits": requests});
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
    write_file(path, text, 0o600)
}

/// Writes `text` with permissions `mode` (also when the file existed).
fn write_file(path: &Path, text: &str, mode: u32) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(path)
        .map_err(io(path))?;
    f.set_permissions(std::fs::Permissions::from_mode(mode))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_quantities_become_bytes_or_are_refused() {
        assert_eq!(memory_bytes("6Gi").ok(), Some(6 << 30));
        assert_eq!(memory_bytes("512Mi").ok(), Some(512 << 20));
        assert_eq!(memory_bytes("2G").ok(), Some(2_000_000_000));
        assert_eq!(memory_bytes("8000000000").ok(), Some(8_000_000_000));
        for bad in [
            "", "0", "0Gi", "1.5Gi", "6gi", "6 Gi", "Gi", "-1Gi", "1e9", "500m",
        ] {
            let e = memory_bytes(bad).expect_err(bad).to_string();
            assert!(e.contains("6Gi"), "{bad}: {e}");
        }
        assert!(
            memory_bytes("99999999999Ti").is_err(),
            "overflow is refused"
        );
    }

    #[test]
    fn cpus_are_requested_and_set_the_provers_threads() {
        let options = ClusterOptions {
            parallelism: 3,
            image: "img".into(),
            claim: "pvc".into(),
            memory: Some("2Gi".into()),
            cpus: Some(2),
        };
        let job = job_manifest(7, 4, &["prove".into()], "salt", &options);
        let container = &job["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["resources"]["requests"]["cpu"], "2", "{job}");
        assert_eq!(container["resources"]["limits"]["memory"], "2Gi", "{job}");
        let env = container["env"].as_array().expect("env");
        assert!(env
            .iter()
            .any(|e| e["name"] == "RAYON_NUM_THREADS" && e["value"] == "2"));
        let bare = ClusterOptions {
            memory: None,
            cpus: None,
            ..options
        };
        let job = job_manifest(7, 4, &["prove".into()], "salt", &bare);
        let container = &job["spec"]["template"]["spec"]["containers"][0];
        assert!(container.get("resources").is_none(), "{job}");
        assert_eq!(container["env"].as_array().map(Vec::len), Some(2));
    }
}
