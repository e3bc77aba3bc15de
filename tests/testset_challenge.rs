//! The optimistic test-set reveal against a lying organiser (PROTOCOL §14.3), on a real anvil
//! through the real `contest-cli` binary and registry (mini contest, k = 14): the organiser
//! posts its test set with one element changed, keeping its claimed chain states such that the
//! final check against `T` passes. A competitor reading the set from the chain refuses to prove
//! on it and names the chunk; `challenge-testset` makes the organiser default; the committers
//! share the prize less the challenger's reward and get their bonds back.

mod common;

use common::{expect_exit, root, setup_keys};
use zkcontest::chain::registry::Registry;
use zkcontest::chain::types::Addr;
use zkcontest::commit::{fr_from_hex, fr_to_be_bytes, Chain, TESTSET_TAG};
use zkcontest::spec::{testset_elements, Spec, TestSet};

type World = common::ChainWorld;

const ETHER: u128 = 1_000_000_000_000_000_000;

#[test]
fn a_tampered_chunk_is_challenged_and_the_organiser_defaults() {
    let w = World::new();
    let spec_path = root().join("tests/fixtures/mini-contest");
    let spec_s = spec_path.display().to_string();
    let keys = w.path("keys");
    let keys_s = keys.display().to_string();
    setup_keys(&spec_path, &keys);
    let ts_path = spec_path.join("mini-test.zkts");
    let ts = ts_path.display().to_string();
    let created = w.ok(
        0,
        &[
            "create",
            "--spec",
            &spec_s,
            "--testset",
            &ts,
            "--keys",
            &keys_s,
            "--prize",
            "1",
        ],
    );
    let reg_s = created["registry"].as_str().expect("registry").to_string();
    let id = created["contest_id"].as_u64().expect("id");
    let run = |who: usize, v: Vec<String>| w.cli(who, &strs_vec(&v));
    let model = root()
        .join("contest-specs/digits/models/mlp-h16.onnx")
        .display()
        .to_string();
    for who in [1, 2] {
        let mut commit = on(&reg_s, id, &["commit", "--spec", &spec_s]);
        commit.extend([
            "--model".into(),
            model.clone(),
            "--keys".into(),
            keys_s.clone(),
            "--allow-unsafe-srs".into(),
        ]);
        expect_exit(&run(who, commit), 0, "commit");
    }

    // The organiser's lie: element 1 changed (a value still in range, so it decodes), chunk 0
    // claiming the state of the *committed* data, chunk 1 honest from there. The final claim is
    // the true one, so `P(claim, n) = T` holds and the registry accepts the reveal.
    let spec = Spec::from_path(&spec_path).expect("spec");
    let set = TestSet::from_path(&ts_path, &spec).expect("test set");
    let elems = testset_elements(&spec, &set).expect("elements");
    assert!(elems.len() >= 2, "{} elements", elems.len());
    // Row 0's first pixel (the element's lowest 5 bits) moves by one, staying in 0..=16.
    let mut tampered = elems.clone();
    let first = fr_to_be_bytes(&elems[0])[31] & 31;
    let one = fr_from_hex("0x1").expect("one");
    if first < 16 {
        tampered[0] += one;
    } else {
        tampered[0] -= one;
    }
    let cut = 1;
    let mut chain = Chain::new(fr_from_hex(TESTSET_TAG).expect("tag"));
    chain.absorb_all(&elems[..cut]);
    let claim0 = chain.state();
    chain.absorb_all(&elems[cut..]);
    let claim1 = chain.state();
    let org = w.client(0);
    let mut a = [0u8; 20];
    hex::decode_to_slice(reg_s.trim_start_matches("0x"), &mut a).expect("address");
    let registry =
        w.rt.block_on(Registry::at(&org, Addr(a)))
            .expect("registry");
    let info = w.rt.block_on(registry.contest(id)).expect("contest");
    let (_, now) = w.rt.block_on(registry.head()).expect("head");
    w.rt.block_on(org.dev_advance_time(info.config.commit_deadline + 1 - now))
        .expect("time");
    w.rt.block_on(registry.reveal_test_set(id, &tampered[..cut], claim0, false))
        .expect("chunk 0, tampered");
    w.rt.block_on(registry.reveal_test_set(id, &tampered[cut..], claim1, true))
        .expect("chunk 1: the final claim finishes to T, so the registry takes it");
    let status = w.ok(3, &strs_vec(&on(&reg_s, id, &["status"])));
    assert_eq!(status["contest"]["phase"], "test_set_challenge", "{status}");

    // A competitor reading the set from the chain names the bad chunk instead of proving.
    let mut submit = on(
        &reg_s,
        id,
        &["submit", "--spec", &spec_s, "--keys", &keys_s],
    );
    submit.push("--allow-unsafe-srs".into());
    let o = run(1, submit);
    expect_exit(&o, 2, "submit in the challenge window");

    // Anyone (here competitor 2) challenges: the organiser defaults at once.
    let challenged = run(2, on(&reg_s, id, &["challenge-testset", "--spec", &spec_s]));
    expect_exit(&challenged, 0, "challenge-testset");
    let report: serde_json::Value =
        serde_json::from_slice(&challenged.stdout).expect("challenge --json");
    assert_eq!(report["chunk"], 0, "{report}");
    assert_eq!(report["fault"]["kind"], "wrong_state", "{report}");
    let status = w.ok(3, &strs_vec(&on(&reg_s, id, &["status"])));
    assert_eq!(status["contest"]["phase"], "test_set_missed", "{status}");
    assert_eq!(status["contest"]["test_set_revealed"], false, "{status}");
    // A second challenge finds the contest over.
    let again = run(3, on(&reg_s, id, &["challenge-testset", "--spec", &spec_s]));
    expect_exit(&again, 2, "a challenge after the default");

    // The prize less the 10 % reward is shared by the two committers, bonds back; the
    // challenger also gets the reward; the organiser nothing.
    let bond = info.config.commit_bond.0;
    let reward = ETHER / 10;
    let share = (ETHER - reward) / 2;
    let w1 = w.ok(1, &strs_vec(&on(&reg_s, id, &["withdraw"])));
    assert_eq!(w1["amount_wei"], (share + bond).to_string(), "{w1}");
    let w2 = w.ok(2, &strs_vec(&on(&reg_s, id, &["withdraw"])));
    assert_eq!(
        w2["amount_wei"],
        (ETHER - reward - share + bond + reward).to_string(),
        "{w2}"
    );
    let o = run(0, on(&reg_s, id, &["withdraw"]));
    expect_exit(&o, 2, "the organiser is owed nothing");
}

/// `extra`, then `--registry REG --contest ID`.
fn on(reg: &str, id: u64, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    a.extend([
        "--registry".into(),
        reg.to_string(),
        "--contest".into(),
        id.to_string(),
    ]);
    a
}

fn strs_vec(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}
