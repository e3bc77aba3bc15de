//! The optimistic test-set reveal against a lying organiser (PROTOCOL §14.3), on a real anvil
//! through the real `contest-cli` binary and registry (mini contest, k = 14): the organiser
//! posts its test set with one element changed, keeping its claimed chain states such that the
//! final check against `T` passes. A competitor reading the set from the chain refuses to prove
//! on it and names the chunk; `challenge-testset` makes the organiser default; the committers
//! share the prize less the challenger's reward and get their bonds back. And an organiser's
//! resumed reveal checks what is already on chain.

mod common;

use std::path::PathBuf;

use common::{advance_past, expect_exit, parse_addr, root, setup_keys};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use zkcontest::chain::registry::Registry;
use zkcontest::commit::{fr_from_hex, fr_to_be_bytes, Chain, TESTSET_TAG};
use zkcontest::spec::{testset_elements, Spec, TestSet};

type World = common::ChainWorld;

const ETHER: u128 = 1_000_000_000_000_000_000;

/// The mini contest's files, keys made once, and a registry deployed by the first contest.
struct Mini {
    spec_path: PathBuf,
    spec: String,
    keys: String,
    testset: String,
    registry_s: String,
    registry: Registry,
}

impl Mini {
    /// Keys, then contest 1 created by the organiser (dev account 0) with 1 ETH.
    fn new(w: &World) -> (Self, u64) {
        let spec_path = root().join("tests/fixtures/mini-contest");
        let keys = w.path("keys");
        setup_keys(&spec_path, &keys);
        let spec = spec_path.display().to_string();
        let keys = keys.display().to_string();
        let testset = spec_path.join("mini-test.zkts").display().to_string();
        let (registry_s, id) = w.create(&spec, &testset, &keys, None);
        let registry =
            w.rt.block_on(Registry::at(&w.client(0), parse_addr(&registry_s)))
                .expect("registry");
        let mini = Self {
            spec_path,
            spec,
            keys,
            testset,
            registry_s,
            registry,
        };
        (mini, id)
    }

    /// Another mini contest on this registry; its id.
    fn create(&self, w: &World) -> u64 {
        let (_, id) = w.create(
            &self.spec,
            &self.testset,
            &self.keys,
            Some(&self.registry_s),
        );
        id
    }

    /// `extra`, then `--registry REG --contest ID`.
    fn on(&self, id: u64, extra: &[&str]) -> Vec<String> {
        let mut a: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        a.extend([
            "--registry".into(),
            self.registry_s.clone(),
            "--contest".into(),
            id.to_string(),
        ]);
        a
    }

    /// The committed test set's packed elements.
    fn elements(&self) -> Vec<Fr> {
        let spec = Spec::from_path(&self.spec_path).expect("spec");
        let set =
            TestSet::from_path(&self.spec_path.join("mini-test.zkts"), &spec).expect("test set");
        testset_elements(&spec, &set).expect("elements")
    }

    /// Moves the clock one second past contest `id`'s commit deadline.
    fn to_test_set_phase(&self, w: &World, id: u64) {
        let info = w.rt.block_on(self.registry.contest(id)).expect("contest");
        advance_past(
            &w.rt,
            &self.registry,
            info.config.commit_deadline,
            "the commit deadline",
        );
    }

    /// The organiser posts `elems` as one chunk of contest `id` claiming `claim` after it.
    fn post(&self, w: &World, id: u64, elems: &[Fr], claim: Fr, last: bool) {
        w.rt.block_on(self.registry.reveal_test_set(id, elems, claim, last))
            .expect("revealTestSet");
    }
}

/// The chain's state after `elems` from the test-set tag (an honest claim).
fn claim_after(elems: &[Fr]) -> Fr {
    let mut chain = Chain::new(fr_from_hex(TESTSET_TAG).expect("tag"));
    chain.absorb_all(elems);
    chain.state()
}

fn strs_vec(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn a_tampered_chunk_is_challenged_and_the_organiser_defaults() {
    let w = World::new();
    let (m, id) = Mini::new(&w);
    let run = |who: usize, v: Vec<String>| w.cli(who, &strs_vec(&v));
    let model = root()
        .join("contest-specs/digits/models/mlp-h16.onnx")
        .display()
        .to_string();
    for who in [1, 2] {
        let mut commit = m.on(id, &["commit", "--spec", &m.spec]);
        commit.extend([
            "--model".into(),
            model.clone(),
            "--keys".into(),
            m.keys.clone(),
            "--allow-unsafe-srs".into(),
        ]);
        expect_exit(&run(who, commit), 0, "commit");
    }

    // The organiser's lie: row 0's first pixel (element 0's lowest 5 bits) moved by one, staying
    // in 0..=16 so that it decodes; chunk 0 claims the state of the *committed* data, chunk 1 is
    // honest from there. The final claim is the true one, so `P(claim, n) = T` holds and the
    // registry accepts the reveal.
    let elems = m.elements();
    assert!(elems.len() >= 2, "{} elements", elems.len());
    let mut tampered = elems.clone();
    let one = fr_from_hex("0x1").expect("one");
    if fr_to_be_bytes(&elems[0])[31] & 31 < 16 {
        tampered[0] += one;
    } else {
        tampered[0] -= one;
    }
    m.to_test_set_phase(&w, id);
    m.post(&w, id, &tampered[..1], claim_after(&elems[..1]), false);
    m.post(&w, id, &tampered[1..], claim_after(&elems), true);
    let status = w.ok(3, &strs_vec(&m.on(id, &["status"])));
    assert_eq!(status["contest"]["phase"], "test_set_challenge", "{status}");

    // A competitor reading the set from the chain names the bad chunk instead of proving.
    let mut submit = m.on(id, &["submit", "--spec", &m.spec, "--keys", &m.keys]);
    submit.push("--allow-unsafe-srs".into());
    expect_exit(&run(1, submit), 2, "submit in the challenge window");

    // Anyone (here competitor 2) challenges: the organiser defaults at once.
    let challenged = run(2, m.on(id, &["challenge-testset", "--spec", &m.spec]));
    expect_exit(&challenged, 0, "challenge-testset");
    let report: serde_json::Value =
        serde_json::from_slice(&challenged.stdout).expect("challenge --json");
    assert_eq!(report["chunk"], 0, "{report}");
    assert_eq!(report["fault"]["kind"], "wrong_state", "{report}");
    let status = w.ok(3, &strs_vec(&m.on(id, &["status"])));
    assert_eq!(status["contest"]["phase"], "test_set_missed", "{status}");
    assert_eq!(status["contest"]["test_set_revealed"], false, "{status}");
    // A second challenge finds the contest over.
    let again = run(3, m.on(id, &["challenge-testset", "--spec", &m.spec]));
    expect_exit(&again, 2, "a challenge after the default");

    // The prize less the 10 % reward is shared by the two committers, bonds back; the
    // challenger also gets the reward; the organiser nothing.
    let info = w.rt.block_on(m.registry.contest(id)).expect("contest");
    let bond = info.config.commit_bond.0;
    let reward = ETHER / 10;
    let share = (ETHER - reward) / 2;
    let w1 = w.ok(1, &strs_vec(&m.on(id, &["withdraw"])));
    assert_eq!(w1["amount_wei"], (share + bond).to_string(), "{w1}");
    let w2 = w.ok(2, &strs_vec(&m.on(id, &["withdraw"])));
    assert_eq!(
        w2["amount_wei"],
        (ETHER - reward - share + bond + reward).to_string(),
        "{w2}"
    );
    expect_exit(
        &run(0, m.on(id, &["withdraw"])),
        2,
        "the organiser is owed nothing",
    );
}

/// An organiser resuming a reveal whose chunks on chain are not this test set's (or whose claims
/// do not chain) is stopped before finishing a reveal that a challenge would overturn; with
/// `--restart` the chunks are discarded and the reveal goes through, unchallengeable. A reveal
/// stopped after an honest chunk resumes after it.
#[test]
fn a_resumed_reveal_refuses_a_foreign_prefix_and_restarts_on_request() {
    let w = World::new();
    let (m, id) = Mini::new(&w);
    m.to_test_set_phase(&w, id);
    // A first chunk of something else, with an honest claim for it.
    let other = [fr_from_hex("0x5").expect("five")];
    m.post(&w, id, &other, claim_after(&other), false);

    let reveal = m.on(
        id,
        &["reveal-testset", "--spec", &m.spec, "--testset", &m.testset],
    );
    let o = w.cli(0, &strs_vec(&reveal));
    expect_exit(&o, 2, "resuming after a foreign chunk");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--restart"), "{err}");
    let mut restart = reveal.clone();
    restart.push("--restart".into());
    let done = w.ok(0, &strs_vec(&restart));
    assert_eq!(done["resumed_from"], 0, "{done}");
    let info = w.rt.block_on(m.registry.contest(id)).expect("contest");
    assert!(
        info.challenge_ends > 0 && info.challenge_ends < info.proof_ends,
        "{info:?}"
    );
    assert_eq!(done["challenge_ends"], info.challenge_ends, "{done}");
    assert_eq!(done["proof_ends"], info.proof_ends, "{done}");
    let check = w.ok(
        3,
        &strs_vec(&m.on(id, &["challenge-testset", "--spec", &m.spec])),
    );
    assert_eq!(check["fault"], serde_json::Value::Null, "{check}");
    assert_eq!(check["tx"], serde_json::Value::Null, "{check}");

    // A second contest whose reveal stopped after an honest first chunk resumes after it.
    let id2 = m.create(&w);
    m.to_test_set_phase(&w, id2);
    let elems = m.elements();
    m.post(&w, id2, &elems[..1], claim_after(&elems[..1]), false);
    let reveal2 = m.on(
        id2,
        &["reveal-testset", "--spec", &m.spec, "--testset", &m.testset],
    );
    let resumed = w.ok(0, &strs_vec(&reveal2));
    assert_eq!(resumed["resumed_from"], 1, "{resumed}");
    let check = w.ok(
        3,
        &strs_vec(&m.on(id2, &["challenge-testset", "--spec", &m.spec])),
    );
    assert_eq!(check["fault"], serde_json::Value::Null, "{check}");
    assert_eq!(check["chunks"], 2, "{check}");
}
