//! `contest-cli setup`: circuit sizing, SRS and keys for a contest spec.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use clap::Args;

use super::{Failure, Outcome};
use crate::prover::keys::{
    plan, plan_shared_model, setup, write_side_keys, CircuitFigures, ProofKind,
};
use crate::prover::ptau::{read_ptau, PtauInfo};
use crate::prover::srs::{
    dev_srs_file_name, generate_dev_srs, read_params, write_params, SrsKind, UNSAFE_WARNING,
};
use crate::spec::Spec;

/// Arguments of `contest-cli setup`.
#[derive(Debug, Args)]
pub struct SetupArgs {
    /// Contest spec (`contest.toml` or its folder).
    #[arg(long)]
    spec: PathBuf,
    /// Key directory to write (`circuit.json`, `vk.bin`, `pk.bin`, and a development SRS when
    /// `--srs` is not given).
    #[arg(long, required_unless_present = "plan_only")]
    out: Option<PathBuf>,
    /// Ceremony-derived params in halo2's `ParamsKZG` format. Without it a development SRS is
    /// generated locally (or reused from `--out`), which is UNSAFE for real contests.
    #[arg(long)]
    srs: Option<PathBuf>,
    /// Only size the circuit (k, columns, rows, cells per section) and print it; no SRS, no
    /// keys, nothing written. Takes seconds where keygen takes minutes.
    #[arg(long, conflicts_with_all = ["out", "srs"])]
    plan_only: bool,
    /// Keys for an entry that proves its model once (PROTOCOL §14.2): the shard circuit with the
    /// shared model column in `--out`, the model proof's keys in `--out`/model. Proofs made with
    /// them verify natively (`contest-cli verify`); the registry does not take them yet.
    #[arg(long, conflicts_with = "plan_only")]
    shared_model: bool,
    /// With `--shared-model`: the shard's rows in a shared column too, opened once per shard by
    /// a test-set proof (keys in `--out`/testset) instead of hashed in every entry's shard proof.
    #[arg(long, requires = "shared_model")]
    shared_rows: bool,
}

impl SetupArgs {
    /// Plans the circuit, gets an SRS, generates and writes the keys.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let spec = Spec::from_path(&self.spec).map_err(Failure::input)?;
        let started = Instant::now();
        let Some(out) = self.out else {
            let figures = plan(&spec).map_err(Failure::input)?;
            // Sharded specs: also the circuits of an entry that proves its model once, and with
            // the shard's rows shared too (PROTOCOL §14.2.1; the prover has them, the registry
            // does not take them yet).
            let (shared, shared_rows) = match spec.shards > 1 {
                true => (
                    Some(plan_shared_model(&spec, false).map_err(Failure::input)?),
                    Some(plan_shared_model(&spec, true).map_err(Failure::input)?),
                ),
                false => (None, None),
            };
            let secs = started.elapsed().as_secs_f64();
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "figures": figures, "seconds": secs,
                        "shards": spec.shards, "shard_rows": spec.shard_rows(),
                        "shared_model": shared, "shared_rows": shared_rows })
                );
            } else {
                println!("planned in {secs:.1} s (nothing written)");
                println!(
                    "{} shard(s) of {} rows, each proved on its own by this circuit",
                    spec.shards,
                    spec.shard_rows()
                );
                println!(
                    "{}",
                    serde_json::to_string_pretty(&figures).unwrap_or_default()
                );
                if let (Some(shared), Some(rows)) = (shared, shared_rows) {
                    println!(
                        "proving the model once per entry (PROTOCOL §14.2.1, not yet on chain): \
                         shards of {} rows at k = {}, the model proof at k = {}; with the rows \
                         shared too, shards at k = {}",
                        spec.shard_rows(),
                        shared.shard.k,
                        shared.model.k,
                        rows.shard.k
                    );
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&(shared, rows)).unwrap_or_default()
                    );
                }
            }
            return Ok(Outcome::Success);
        };
        let sharing = self.shared_model.then_some(self.shared_rows);
        let made = make_keys_with(&spec, &out, self.srs.as_deref(), sharing)?;
        let (figures, srs_path, kind) = (made.figures, made.srs_path, made.kind);
        let secs = started.elapsed().as_secs_f64();
        if json {
            println!(
                "{}",
                serde_json::json!({ "keys": out, "srs": srs_path, "srs_kind": kind, "figures": figures, "seconds": secs })
            );
        } else {
            println!("keys written to {} in {secs:.1} s", out.display());
            println!(
                "srs: {} ({})",
                srs_path.display(),
                if kind == SrsKind::UnsafeDev {
                    "UNSAFE development SRS"
                } else {
                    "ceremony"
                }
            );
            println!(
                "{}",
                serde_json::to_string_pretty(&figures).unwrap_or_default()
            );
        }
        Ok(Outcome::Success)
    }
}

/// What `make_keys` produced.
pub(super) struct MadeKeys {
    pub figures: crate::prover::keys::CircuitFigures,
    pub srs_path: PathBuf,
    pub kind: SrsKind,
}

/// Imports `ptau` at the spec's circuit size into `dir` and makes the keys from it (every run:
/// the transcript may have grown since). Returns what the transcript was.
pub(super) fn keys_from_ptau(
    spec: &Spec,
    ptau: &Path,
    dir: &Path,
    say: &dyn Fn(&str),
) -> Result<PtauInfo, Failure> {
    let figures = plan(spec).map_err(Failure::input)?;
    say(&format!(
        "importing {} at k = {} (points checked, contributions read)…",
        ptau.display(),
        figures.k
    ));
    let (params, info) = read_ptau(ptau, figures.k).map_err(Failure::input)?;
    for c in &info.contributions {
        say(&format!(
            "  contribution {} {:?}: {}",
            c.index, c.name, c.contribution_hash
        ));
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating {}", dir.display()))
        .map_err(Failure::env)?;
    let srs = dir.join(format!("kzg_bn254_k{}.from-ptau.srs", figures.k));
    write_params(&params, &srs).map_err(Failure::env)?;
    let made = make_keys(spec, dir, Some(&srs))?;
    say(&format!(
        "keys written to {} (k = {}) from {}",
        dir.display(),
        made.figures.k,
        srs.display()
    ));
    Ok(info)
}

/// Plans the circuit for `spec`, gets an SRS (`srs`, or an UNSAFE development one generated
/// in or reused from `out`), generates the keys and writes them to `out`.
pub(super) fn make_keys(spec: &Spec, out: &Path, srs: Option<&Path>) -> Result<MadeKeys, Failure> {
    make_keys_with(spec, out, srs, None)
}

/// [`make_keys`]; with `shared` (`Some(rows)`), the shard keys with the shared model column (and
/// with `rows`, the shard's rows in a shared column) in `out`, the model proof's keys (same k,
/// same SRS) in `out/model`, and with `rows` the test-set proof's in `out/testset`.
fn make_keys_with(
    spec: &Spec,
    out: &Path,
    srs: Option<&Path>,
    shared: Option<bool>,
) -> Result<MadeKeys, Failure> {
    eprintln!(
        "sizing the circuit for spec {:?} (N = {} in {} shard(s), envelope {:?})…",
        spec.name,
        spec.test_rows,
        spec.shards,
        spec.envelope.dims()
    );
    let (figures, sides) = match shared {
        Some(rows) => {
            let shared = plan_shared_model(spec, rows).map_err(Failure::input)?;
            (shared.shard.clone(), Some(shared))
        }
        None => (plan(spec).map_err(Failure::input)?, None),
    };
    eprintln!(
        "k = {}, {} halo2-base advice columns, {} Freivalds rows, {} Poseidon rows, {} requantisation rows, {} pooled-requantisation rows",
        figures.k,
        figures.base_advice_columns,
        figures.freivalds_rows,
        figures.poseidon_rows,
        figures.requant_rows,
        figures.pooled_rows
    );
    std::fs::create_dir_all(out)
        .with_context(|| format!("creating {}", out.display()))
        .map_err(Failure::env)?;
    let (params, srs_path, kind) = match srs {
        Some(path) => (
            read_params(path, figures.k).map_err(Failure::input)?,
            path.to_path_buf(),
            SrsKind::Ceremony,
        ),
        None => {
            eprintln!("{UNSAFE_WARNING}");
            let path = out.join(dev_srs_file_name(figures.k));
            if path.exists() {
                eprintln!("reusing {}", path.display());
                (
                    read_params(&path, figures.k).map_err(Failure::env)?,
                    path,
                    SrsKind::UnsafeDev,
                )
            } else {
                eprintln!("generating a development SRS at k = {} …", figures.k);
                let (params, path) = generate_dev_srs(figures.k, out).map_err(Failure::env)?;
                (params, path, SrsKind::UnsafeDev)
            }
        }
    };
    eprintln!("generating keys…");
    let keys =
        setup(spec, figures.clone(), &params, srs_path.clone(), kind).map_err(Failure::env)?;
    keys.write(out).map_err(Failure::env)?;
    drop(keys);
    if let Some(plan) = sides {
        let on_side = |kind: ProofKind, side: &CircuitFigures| {
            eprintln!(
                "generating the {kind:?} proof's keys ({} halo2-base cells, {} Poseidon rows)…",
                side.base_advice_cells, side.poseidon_rows
            )
        };
        write_side_keys(spec, &plan, &params, (&srs_path, kind), out, &on_side)
            .map_err(Failure::env)?;
    }
    Ok(MadeKeys {
        figures,
        srs_path,
        kind,
    })
}
