//! A sharded contest end to end (PROTOCOL §14.1) on a real anvil through the real `contest-cli`
//! binary and registry: the mini contest's 8 rows split into 2 shards of 4, each proved on its
//! own by one shard circuit against the registry's `T_s`. One entry proves both shards in a pool
//! of worker processes and is ranked with their sum; another proves one shard offline and
//! submits it from a directory (a proof of another shard is refused), is not ranked, and loses
//! its bond; a rerun never proves a shard the registry already holds. In a second contest the organiser tampers
//! with the second shard keeping its claims honest, and a challenge makes it default.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{
    advance_past, cli_as, expect_exit, parse_addr, path_str, root, setup_keys, setup_keys_with,
};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use zkcontest::chain::registry::Registry;
use zkcontest::chain::types::{Addr, EntryStatus};
use zkcontest::commit::{fr_from_hex, fr_to_be_bytes, Chain, TESTSET_TAG};
use zkcontest::contest::state::{Secret, StateDir};
use zkcontest::spec::{shard_len, testset_elements, Spec, TestSet};

type World = common::ChainWorld;

/// The mini contest's spec with `shards = 2` added, written into `dir`.
fn sharded_spec(dir: &Path) -> PathBuf {
    let mini = root().join("tests/fixtures/mini-contest/contest.toml");
    let text = std::fs::read_to_string(mini).expect("mini spec");
    let text = text.replace("[test_set]\n", "[test_set]\nshards = 2\n");
    assert!(
        text.contains("shards = 2"),
        "the mini spec has a [test_set] table"
    );
    std::fs::create_dir_all(dir).expect("spec dir");
    std::fs::write(dir.join("contest.toml"), text).expect("write spec");
    dir.to_path_buf()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// `extra`, then `--registry REG --contest ID`.
fn on(registry: &str, id: u64, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    a.extend([
        "--registry".into(),
        registry.to_string(),
        "--contest".into(),
        id.to_string(),
    ]);
    a
}

/// A two-shard mini contest on anvil whose test set is revealed and whose challenge window is
/// over; `models` committed by (dev account, sample model of `contest-specs/digits/models`).
struct Revealed {
    spec_s: String,
    keys: String,
    testset: String,
    reg: String,
    id: u64,
    registry: Registry,
}

fn revealed_contest(w: &World, models: &[(usize, &str)]) -> Revealed {
    revealed_contest_with(w, models, &[])
}

/// [`revealed_contest`] with keys made by `setup` with `setup_extra` (`--shared-model`: a
/// contest with shared columns).
fn revealed_contest_with(w: &World, models: &[(usize, &str)], setup_extra: &[&str]) -> Revealed {
    let spec_dir = sharded_spec(&w.path("spec"));
    let spec_s = spec_dir.display().to_string();
    let keys = w.path_s("keys");
    setup_keys_with(&spec_dir, Path::new(&keys), setup_extra);
    let testset = root()
        .join("tests/fixtures/mini-contest/mini-test.zkts")
        .display()
        .to_string();
    let (reg, id) = w.create(&spec_s, &testset, &keys, None);
    let registry =
        w.rt.block_on(Registry::at(&w.client(0), parse_addr(&reg)))
            .expect("registry");
    for &(who, model) in models {
        let model = root()
            .join("contest-specs/digits/models")
            .join(model)
            .display()
            .to_string();
        let commit = on(
            &reg,
            id,
            &[
                "commit",
                "--spec",
                &spec_s,
                "--model",
                &model,
                "--keys",
                &keys,
                "--allow-unsafe-srs",
            ],
        );
        w.ok(who, &strs(&commit));
    }
    let info = w.rt.block_on(registry.contest(id)).expect("contest");
    assert_eq!(info.config.layout.shards, 2, "{info:?}");
    advance_past(
        &w.rt,
        &registry,
        info.config.commit_deadline,
        "the commit deadline",
    );
    // The organiser's reveal posts one chunk per shard; a competitor finds nothing to challenge.
    let reveal = on(
        &reg,
        id,
        &["reveal-testset", "--spec", &spec_s, "--testset", &testset],
    );
    let revealed = w.ok(0, &strs(&reveal));
    assert_eq!(
        revealed["txs"].as_array().map(Vec::len),
        Some(2),
        "{revealed}"
    );
    let check = w.ok(
        3,
        &strs(&on(&reg, id, &["challenge-testset", "--spec", &spec_s])),
    );
    assert_eq!(check["fault"], serde_json::Value::Null, "{check}");
    assert_eq!(check["chunks"], 2, "{check}");
    w.past_challenges(&reg, id);
    Revealed {
        spec_s,
        keys,
        testset,
        reg,
        id,
        registry,
    }
}

#[test]
fn a_two_shard_contest_ranks_only_entries_with_every_shard() {
    let w = World::new();
    // Competitor 1: mlp-h16 (8 of 8); competitor 2: weak-h12 (7 of 8).
    let Revealed {
        spec_s,
        keys,
        testset,
        reg,
        id,
        registry,
    } = revealed_contest(&w, &[(1, "mlp-h16.onnx"), (2, "weak-h12.onnx")]);
    let spec = Spec::from_path(Path::new(&spec_s)).expect("sharded spec");
    assert_eq!((spec.shards, spec.shard_rows()), (2, 4));
    let plan = w.ok(0, &["setup", "--spec", &spec_s, "--plan-only"]);
    assert_eq!(plan["shards"], 2, "{plan}");
    assert_eq!(plan["shard_rows"], 4, "{plan}");

    let submit_args = |extra: &[&str]| {
        let mut a = on(
            &reg,
            id,
            &[
                "submit",
                "--spec",
                &spec_s,
                "--keys",
                &keys,
                "--allow-unsafe-srs",
            ],
        );
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let submit = |who: usize, extra: &[&str]| w.ok(who, &strs(&submit_args(extra)));
    // A worker's memory that is no quantity is refused before anything is read from the chain.
    let bad = w.cli(
        1,
        &strs(&submit_args(&[
            "--workers",
            "2",
            "--worker-memory",
            "1.5Gi",
        ])),
    );
    expect_exit(&bad, 2, "a fractional --worker-memory");
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("6Gi"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    // Competitor 1 proves both shards in a pool of 2 worker processes, each said to reach 1 TiB:
    // no machine here has room for a second one beside the first, so the second shard waits for
    // the first to finish (memory bounds the pool, not only the count). Ranked with the sum;
    // each worker's peak reported.
    let out = w.cli(
        1,
        &strs(&submit_args(&["--workers", "2", "--worker-memory", "1Ti"])),
    );
    expect_exit(&out, 0, "a pool bounded by memory");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("shard 1 waits for memory"), "{stderr}");
    let one: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the report");
    assert_eq!(one["shard_count"], 2, "{one}");
    assert_eq!(one["shards_proved"], 2, "{one}");
    assert_eq!(one["correct"], 8, "{one}");
    assert_eq!(one["workers"].as_array().map(Vec::len), Some(2), "{one}");
    for worker in one["workers"].as_array().expect("workers") {
        let peak = worker["peak_rss_bytes"].as_u64().expect("a peak");
        assert!(peak > 10 << 20 && peak < 1 << 30, "{worker}");
    }
    let per_shard: Vec<u64> = one["shards"]
        .as_array()
        .expect("shards")
        .iter()
        .map(|s| s["correct"].as_u64().expect("correct"))
        .collect();
    assert_eq!(per_shard.iter().sum::<u64>(), 8, "{one}");

    // Competitor 2 proves shard 1 alone, offline (`prove --shard`, the unit a cluster job runs,
    // the salt in the environment), and `submit --collect` sends what it finds.
    let (c2, state, secret) = committed(&w, &reg, id, 2);
    let collected = w.path("collected");
    let model = state.file(&secret.model_file).display().to_string();
    let prove = |shard: &str, out: &Path| {
        let args = [
            "prove",
            "--spec",
            &spec_s,
            "--model",
            &model,
            "--testset",
            &testset,
            "--submitter",
            &c2.to_string(),
            "--contest-id",
            &id.to_string(),
            "--chain-id",
            "31337",
            "--keys",
            &keys,
            "--shard",
            shard,
            "--out",
            path_str(out),
        ];
        let o = cli_as(
            &w.anvil.url(),
            w.dir.path(),
            2,
            &args,
            &[("CONTEST_SALT", &secret.salt)],
        );
        expect_exit(&o, 0, "prove --shard");
    };
    prove("1", &collected.join("shard-1"));
    // A proof of shard 1 offered as shard 0 is refused before anything is sent.
    let wrong = w.path("wrong");
    prove("1", &wrong.join("shard-0"));
    let refused = submit_args(&["--collect", path_str(&wrong)]);
    let o = w.cli(2, &strs(&refused));
    expect_exit(&o, 2, "a proof of another shard");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("test-set commitment"), "{err}");
    let two = submit(2, &["--collect", path_str(&collected)]);
    assert_eq!(two["shards_proved"], 1, "{two}");
    let sent: Vec<&serde_json::Value> = two["shards"].as_array().expect("shards").iter().collect();
    assert_eq!(
        sent.len(),
        1,
        "shard 0 has no proof in the directory: {two}"
    );
    assert_eq!(sent[0]["shard"], 1, "{two}");
    assert_eq!(sent[0]["already"], false, "{two}");
    // A rerun does not prove it again.
    let again = submit(2, &["--shard", "1"]);
    assert_eq!(again["shards"][0]["already"], true, "{again}");
    assert_eq!(again["prove_seconds"], 0.0, "{again}");
    let e2 = w.rt.block_on(registry.entry(id, c2)).expect("entry");
    assert_eq!(e2.status, EntryStatus::Committed, "{e2:?}");
    assert_eq!(e2.shards_proved, 1, "{e2:?}");
    // `status` lists it as part-way (competitor 1, complete and ranked, is not).
    let status = w.ok(3, &strs(&on(&reg, id, &["status"])));
    let part_way = status["shard_progress"].as_array().expect("shard_progress");
    assert_eq!(part_way.len(), 1, "{status}");
    assert_eq!(
        part_way[0]["shards_proved"],
        serde_json::json!([1]),
        "{status}"
    );
    assert_eq!(part_way[0]["incomplete"], false, "{status}");

    // After the proof window only competitor 1 is ranked, and competitor 2's bond is lost.
    let info = w.rt.block_on(registry.contest(id)).expect("contest");
    assert_eq!(info.provers, 1, "{info:?}");
    advance_past(&w.rt, &registry, info.proof_ends, "the proof window");
    let ranking = w.rt.block_on(registry.ranking(id)).expect("ranking");
    assert_eq!(ranking.len(), 1, "{ranking:?}");
    assert_eq!(ranking[0].1, 8, "{ranking:?}");
    let owed = w.rt.block_on(registry.owed(id, c2)).expect("owed");
    assert_eq!(owed.0, 0, "competitor 2 is owed nothing");
    let status = w.ok(3, &strs(&on(&reg, id, &["status"])));
    assert_eq!(status["shard_progress"][0]["incomplete"], true, "{status}");
}

#[test]
fn a_tampered_second_shard_is_challenged_and_the_organiser_defaults() {
    let w = World::new();
    let spec_dir = sharded_spec(&w.path("spec"));
    let spec = Spec::from_path(&spec_dir).expect("sharded spec");
    let spec_s = spec_dir.display().to_string();
    let keys = w.path_s("keys");
    setup_keys(&spec_dir, Path::new(&keys));
    let testset_path = root().join("tests/fixtures/mini-contest/mini-test.zkts");
    let testset = testset_path.display().to_string();
    let (reg, id) = w.create(&spec_s, &testset, &keys, None);
    let registry =
        w.rt.block_on(Registry::at(&w.client(0), parse_addr(&reg)))
            .expect("registry");
    let info = w.rt.block_on(registry.contest(id)).expect("contest");
    advance_past(
        &w.rt,
        &registry,
        info.config.commit_deadline,
        "the commit deadline",
    );

    // Shard 0 honest; shard 1 with its first element changed, claiming the state of the
    // committed data (each shard's chain starts from the tag), so the root still matches T.
    let set = TestSet::from_path(&testset_path, &spec).expect("test set");
    let elems = testset_elements(&spec, &set).expect("elements");
    let per = shard_len(&spec).expect("shard length");
    assert_eq!(elems.len(), 2 * per);
    let claim = |part: &[Fr]| {
        let mut c = Chain::new(fr_from_hex(TESTSET_TAG).expect("tag"));
        c.absorb_all(part);
        c.state()
    };
    let mut tampered = elems[per..].to_vec();
    // Row 0's first pixel moved by one, staying in 0..=16 so that the element still decodes.
    let one = fr_from_hex("0x1").expect("one");
    if fr_to_be_bytes(&tampered[0])[31] & 31 < 16 {
        tampered[0] += one;
    } else {
        tampered[0] -= one;
    }
    w.rt.block_on(registry.reveal_test_set(id, &elems[..per], claim(&elems[..per]), false))
        .expect("shard 0");
    w.rt.block_on(registry.reveal_test_set(id, &tampered, claim(&elems[per..]), true))
        .expect("shard 1: the final check passes");

    let challenged = w.ok(
        3,
        &strs(&on(&reg, id, &["challenge-testset", "--spec", &spec_s])),
    );
    assert_eq!(challenged["chunk"], 1, "{challenged}");
    assert_eq!(challenged["fault"]["kind"], "wrong_state", "{challenged}");
    let status = w.ok(3, &strs(&on(&reg, id, &["status"])));
    assert_eq!(status["contest"]["phase"], "test_set_missed", "{status}");
}

/// A contest with shared columns (PROTOCOL §14.2.1) on anvil: `create` deploys the shard, model
/// and test-set verifiers from `setup --shared-model --shared-rows` keys, and `commit` audits all
/// three. Competitor 1's `submit` sends its model proof, a test-set proof per shard and both
/// shard proofs, and is ranked. Competitor 2 (attack) proves shard 0 with another model's weights
/// than it committed to: the shard verifier accepts that proof (its `C` is binding only), and the
/// registry refuses it because its model column is not the one competitor 2's model proof opened.
/// Its honest shards then go in, reusing competitor 1's test-set proofs.
#[test]
fn a_shared_column_contest_holds_each_shard_to_the_opened_columns() {
    use zkcontest::chain::types::model_column_key;
    use zkcontest::circuit::accuracy::{AccuracyWitness, Statement};
    use zkcontest::contest::competitor::quantised_model;
    use zkcontest::model::correct;
    use zkcontest::prover::keys::ContestKeys;
    use zkcontest::prover::proof::{prove_in_stages, verify};
    use zkcontest::prover::srs::read_params;

    let w = World::new();
    let shared = ["--shared-model", "--shared-rows"];
    let k = revealed_contest_with(&w, &[(1, "mlp-h16.onnx"), (2, "weak-h12.onnx")], &shared);
    let cols =
        w.rt.block_on(k.registry.column_verifiers(k.id))
            .expect("view");
    let cols = cols.expect("a contest with shared columns");
    assert!(cols.testset.is_some(), "{cols:?}");
    let status = w.ok(3, &strs(&on(&k.reg, k.id, &["status"])));
    assert_eq!(
        status["columns"]["model"],
        serde_json::to_value(cols.model).expect("address"),
        "{status}"
    );
    let audit = w.ok(
        3,
        &strs(&on(
            &k.reg,
            k.id,
            &[
                "audit",
                "--spec",
                &k.spec_s,
                "--keys",
                &k.keys,
                "--allow-unsafe-srs",
            ],
        )),
    );
    for name in [
        "model_verifier_code",
        "testset_verifier_code_hash",
        "keys_model",
    ] {
        let found = audit["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["name"] == name);
        assert_eq!(
            found.map(|c| c["ok"].clone()),
            Some(true.into()),
            "{name}: {audit}"
        );
    }

    let submit = |who: usize, extra: &[&str]| w.ok(who, &strs(&submit_args(&k, extra)));
    let one = submit(1, &[]);
    assert_eq!(
        (one["shards_proved"].as_u64(), one["correct"].as_u64()),
        (Some(2), Some(8)),
        "{one}"
    );
    let sent: Vec<(serde_json::Value, bool)> = one["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| (c["shard"].clone(), c["tx"].is_object()))
        .collect();
    assert_eq!(
        sent,
        vec![
            (serde_json::Value::Null, true),
            (0.into(), true),
            (1.into(), true)
        ],
        "the model proof, then each shard's test-set proof: {one}"
    );

    // Competitor 2 opens its own model column (committed weak-h12) with shard 1, whose rows
    // column competitor 1's test-set proof already opened.
    let two = submit(2, &["--shard", "1"]);
    assert_eq!(two["shards_proved"], 1, "{two}");
    assert_eq!(two["columns"][0]["proof"], "model", "{two}");
    assert_eq!(two["columns"][1]["already"], true, "{two}");
    // The attack: shard 0 proved with mlp-h16's weights under competitor 2's salt, its public
    // `C` competitor 2's commitment (to weak-h12). The shard circuit copies the weights from its
    // model column without hashing them: `C` is binding only there.
    let (c2, _, secret) = committed(&w, &k.reg, k.id, 2);
    let spec = Spec::from_path(Path::new(&k.spec_s)).expect("spec");
    let other = root().join("contest-specs/digits/models/mlp-h16.onnx");
    let other = quantised_model(&spec, &other, None).expect("mlp-h16");
    let set = TestSet::from_path(Path::new(&k.testset), &spec).expect("test set");
    let rows = set.shard(0, spec.shard_rows());
    let entry = w.rt.block_on(k.registry.entry(k.id, c2)).expect("entry");
    let (t0, _) =
        w.rt.block_on(k.registry.shard_info(k.id, 0, c2))
            .expect("T_0");
    let statement = Statement {
        chain_id: 31337,
        contest_id: k.id,
        submitter: c2.0,
        model_commitment: entry.commitment,
        testset_commitment: t0,
        correct: correct(&other, &rows).expect("count") as u64,
    };
    let keys = ContestKeys::read(Path::new(&k.keys)).expect("keys");
    let params = read_params(&keys.manifest.srs_path, keys.manifest.figures.k).expect("srs");
    let witness = AccuracyWitness {
        model: other,
        salt: fr_from_hex(&secret.salt).expect("salt"),
        testset: rows,
    };
    let (forged, _) = prove_in_stages(&spec, &keys, &params, &witness, &statement, &|_| {})
        .expect("a proof over other weights");
    // The shard verifier alone accepts it for the registry's very instances…
    assert!(
        verify(&params, keys.vk(), &statement.instances(), &forged),
        "the shard verifier accepts it"
    );
    assert!(
        !w.rt
            .block_on(
                k.registry
                    .column_opened(k.id, model_column_key(c2, &entry.commitment, &forged[..64]))
            )
            .expect("view"),
        "another model's column"
    );
    // …and the registry refuses it: its model column was never opened to competitor 2's C.
    let registry2 =
        w.rt.block_on(Registry::at(&w.client(2), parse_addr(&k.reg)))
            .expect("registry");
    let refused =
        w.rt.block_on(registry2.submit_shard_proof(k.id, 0, statement.correct, &forged))
            .expect_err("a shard proof over another model's column");
    assert!(refused.to_string().contains("ColumnNotOpened"), "{refused}");
    // Its honest shard 0 goes in; the entry is scored with weak-h12's own count.
    let rest = submit(2, &[]);
    assert_eq!(rest["shards_proved"], 2, "{rest}");
    assert_eq!(rest["columns"][0]["already"], true, "{rest}");
    let e2 = w.rt.block_on(k.registry.entry(k.id, c2)).expect("entry");
    assert_eq!((e2.shards_proved, e2.correct), (2, 7), "{e2:?}");
}

/// Competitor 1's `shard plan --out dir` with `extra` options; its JSON.
fn shard_plan(w: &World, k: &Revealed, dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "shard", "plan", "--spec", &k.spec_s, "--keys", &k.keys, "--out",
    ];
    args.push(path_str(dir));
    args.extend(extra);
    w.ok(1, &strs(&on(&k.reg, k.id, &args)))
}

/// Dev account `who`'s address, its state directory in contest `id` and its secret (it committed
/// once).
fn committed(w: &World, reg: &str, id: u64, who: usize) -> (Addr, StateDir, Secret) {
    let me = Addr(w.client(who).address());
    let dir = w.path(&format!("state-{who}"));
    let state = StateDir::new(&dir, w.client(who).chain_id(), parse_addr(reg), id, me);
    let secret = state
        .load()
        .expect("state")
        .secrets
        .pop()
        .expect("a secret");
    (me, state, secret)
}

/// `submit --spec … --keys … --allow-unsafe-srs` on `k`'s contest, then `extra`.
fn submit_args(k: &Revealed, extra: &[&str]) -> Vec<String> {
    let mut a = on(
        &k.reg,
        k.id,
        &[
            "submit",
            "--spec",
            &k.spec_s,
            "--keys",
            &k.keys,
            "--allow-unsafe-srs",
        ],
    );
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

/// Competitor 1's `submit --collect dir/proofs`: both shards sent, 8 correct, ranked.
fn collected_and_ranked(w: &World, k: &Revealed, dir: &Path) {
    let submit = submit_args(k, &["--collect", path_str(&dir.join("proofs"))]);
    let sent = w.ok(1, &strs(&submit));
    assert_eq!(sent["shards_proved"], 2, "{sent}");
    assert_eq!(sent["correct"], 8, "{sent}");
    let ranking = w.rt.block_on(k.registry.ranking(k.id)).expect("ranking");
    assert_eq!(ranking.len(), 1, "{ranking:?}");
}

/// `shard plan` writes what a cluster runs: its Kubernetes Indexed Job is a valid `batch/v1` Job
/// by Kubernetes' published schema (strict), and each shard's command, run in the plan directory
/// as a pod would (salt from the Secret's file), proves its shard; `submit --collect` sends them
/// and the entry is ranked.
#[test]
fn a_cluster_plan_proves_shard_by_shard_and_is_collected() {
    let w = World::new();
    let k = revealed_contest(&w, &[(1, "mlp-h16.onnx")]);
    let dir = w.path("plan");
    let plan = shard_plan(&w, &k, &dir, &["--memory", "2Gi"]);
    let shards = plan["shards"].as_array().expect("shards");
    assert_eq!(shards.len(), 2, "{plan}");

    let check = |manifest: &Path| {
        Command::new("python3")
            .arg(root().join("scripts/check_k8s_manifest.py"))
            .arg(manifest)
            .output()
            .expect("check_k8s_manifest.py runs")
    };
    let job = dir.join("indexed-job.json");
    expect_exit(&check(&job), 0, "the Job against Kubernetes' schema");
    // The check can fail: a field of the wrong type is refused.
    let mut broken: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&job).expect("job")).expect("json");
    assert_eq!(broken["spec"]["completions"], 2, "{broken}");
    broken["spec"]["completions"] = serde_json::json!("two");
    let broken_path = w.path("broken-job.json");
    std::fs::write(&broken_path, broken.to_string()).expect("write");
    expect_exit(&check(&broken_path), 1, "a broken Job");

    let salt = std::fs::read_to_string(dir.join("salt")).expect("salt");
    for s in shards {
        let args: Vec<&str> = s["command"]
            .as_array()
            .expect("command")
            .iter()
            .map(|a| a.as_str().expect("arg"))
            .collect();
        let o = Command::new(env!("CARGO_BIN_EXE_contest-cli"))
            .current_dir(&dir)
            .args(&args)
            .env("CONTEST_SALT", salt.trim())
            .output()
            .expect("prove runs");
        expect_exit(&o, 0, &format!("shard {}'s command", s["shard"]));
    }
    collected_and_ranked(&w, &k, &dir);
}

/// The plan's Ray driver on a real local Ray cluster (Ray from PyPI, pinned in `.venv-ray`):
/// a shard whose `prove` fails is reported with its log and leaves no proof; after the cause is
/// mended both shards are proved as Ray tasks; a rerun proves nothing again; `submit --collect`
/// sends what the tasks proved and the entry is ranked.
#[test]
fn a_ray_job_proves_the_shards_on_a_local_ray_cluster() {
    let w = World::new();
    let k = revealed_contest(&w, &[(1, "mlp-h16.onnx")]);
    let dir = w.path("plan");
    let plan = shard_plan(&w, &k, &dir, &["--memory", "1Gi", "--cpus", "1"]);
    assert_eq!(plan["ray"]["memory_bytes"], 1u64 << 30, "{plan}");
    assert_eq!(plan["ray"]["num_cpus"], 1, "{plan}");
    let driver = dir.join("ray-job.py");
    assert_eq!(
        Path::new(plan["ray_job"].as_str().expect("ray_job")),
        driver
    );

    let venv = Command::new("python3")
        .arg(root().join("scripts/pinned_venv.py"))
        .arg("ray")
        .output()
        .expect("pinned_venv.py runs");
    expect_exit(&venv, 0, "the Ray venv");
    let python = String::from_utf8_lossy(&venv.stdout).trim().to_string();
    let ray = |extra: &[&str]| {
        let o = Command::new(&python)
            .arg(&driver)
            .args(["--cli", env!("CARGO_BIN_EXE_contest-cli")])
            .args(extra)
            .env_remove("RAY_ADDRESS")
            .output()
            .expect("ray-job.py runs");
        let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
            panic!(
                "ray-job.py's summary ({e}); stderr:\n{}",
                String::from_utf8_lossy(&o.stderr)
            )
        });
        (o, summary)
    };

    // Shard 1 cannot be proved without the test set: reported, with its log, and no proof.
    let testset = dir.join("testset.zkts");
    let aside = w.path("testset.aside");
    std::fs::rename(&testset, &aside).expect("move the test set aside");
    let (o, failed) = ray(&["--shards", "1"]);
    expect_exit(&o, 1, "a failing shard");
    assert_eq!(failed["failed"][0]["shard"], 1, "{failed}");
    assert_eq!(failed["proved"], serde_json::json!([]), "{failed}");
    let log = std::fs::read_to_string(failed["failed"][0]["log"].as_str().expect("log"))
        .expect("the shard's log");
    assert!(log.contains("testset.zkts"), "{log}");
    assert!(!dir.join("proofs/shard-1/calldata.hex").exists());

    std::fs::rename(&aside, &testset).expect("restore the test set");
    let (o, done) = ray(&[]);
    expect_exit(&o, 0, "both shards on Ray");
    assert_eq!(done["proved"], serde_json::json!([0, 1]), "{done}");
    let (o, again) = ray(&[]);
    expect_exit(&o, 0, "a rerun");
    assert_eq!(again["proved"], serde_json::json!([]), "{again}");
    assert_eq!(
        again["already_proved"],
        serde_json::json!([0, 1]),
        "{again}"
    );

    collected_and_ranked(&w, &k, &dir);
}
