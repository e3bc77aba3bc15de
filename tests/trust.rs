//! A malicious organiser against the competitors' audit, on a real anvil through the real
//! `contest-cli` binary and the real registry, verifiers and keys (mini contest, k = 15).
//!
//! One registry holds an honest contest and one contest per trick; `commit` runs the audit first
//! and must refuse each trick with exit 1, naming the check that caught it, and commit nothing:
//! - a development SRS without `--allow-unsafe-srs` (`srs_provenance`);
//! - an accept-everything verifier (`verifier_code`), shown to accept a junk proof on chain;
//! - a verifier rendered for another spec (`verifier_code`, `vk_digest` of the other keys);
//! - a verifier that forwards to the honest one until its owner flips a storage flag
//!   (`verifier_code`);
//! - on-chain `minCorrect` or `testSetSize` other than the spec's (`min_correct`,
//!   `test_set_size`).
//!
//! The honest contest passes the same audit, and `commit` then goes through.

mod common;

use std::path::PathBuf;

use common::{expect_exit, failed_checks, parse_addr, root, setup_keys};
use serde_json::Value;
use zkcontest::chain::client::CallOutcome;
use zkcontest::chain::registry::Registry;
use zkcontest::chain::types::{Addr, ContestConfig, TestSetLayout, Wei};
use zkcontest::contest::organiser::{key_digests, testset_layout};
use zkcontest::contest::spec_hash;
use zkcontest::evm::compile::{Solc, RUNS_FOR_SIZE};
use zkcontest::spec::{testset_commitment, Spec, TestSet};

fn spec_dir() -> PathBuf {
    root().join("tests/fixtures/mini-contest")
}

type World = common::ChainWorld;

fn as_strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Creation code that deploys `runtime` as is (CODECOPY it to memory, RETURN it).
fn deployer(runtime: &[u8]) -> Vec<u8> {
    let n = u16::try_from(runtime.len()).expect("small");
    let [hi, lo] = n.to_be_bytes();
    // PUSH2 n, PUSH1 14 (where the runtime starts: after these 14 bytes), PUSH1 0, CODECOPY,
    // PUSH2 n, PUSH1 0, RETURN
    let mut code = vec![
        0x61, hi, lo, 0x60, 14, 0x60, 0, 0x39, 0x61, hi, lo, 0x60, 0, 0xf3,
    ];
    code.extend_from_slice(runtime);
    code
}

/// A verifier that forwards every call to the honest one until its owner switches it off, the
/// trick of an organiser who lets its sybil qualify and then rejects everybody else.
const SWITCH_SOURCE: &str = r#"
pragma solidity 0.8.19;
contract Switch {
    address private immutable real;
    address private immutable owner;
    bool private off;
    constructor(address r) { real = r; owner = msg.sender; }
    function setOff(bool v) external { require(msg.sender == owner); off = v; }
    fallback(bytes calldata data) external returns (bytes memory) {
        require(!off);
        (bool ok, bytes memory ret) = real.staticcall(data);
        require(ok);
        return ret;
    }
}
"#;

/// `commit` as competitor `who` refuses with exit 1, naming `check` among the failed checks, and
/// sends nothing.
fn refuses(w: &World, who: usize, commit: &[&str], check: &str, registry: &Registry, id: u64) {
    w.refused(who, commit, check, &format!("commit to contest {id}"));
    let info = w.rt.block_on(registry.contest(id)).expect("contest");
    assert_eq!(info.committers, 0, "contest {id}: nothing may be committed");
}

#[test]
fn commit_refuses_every_organiser_trick_and_accepts_the_honest_contest() {
    let w = World::new();
    let spec_path = spec_dir();
    let spec_s = spec_path.display().to_string();
    let keys = w.path("keys");
    let keys_s = keys.display().to_string();
    setup_keys(&spec_path, &keys);
    let testset = spec_path.join("mini-test.zkts").display().to_string();
    let create = |extra: &[&str]| -> Value {
        let mut a = vec![
            "create",
            "--spec",
            &spec_s,
            "--testset",
            &testset,
            "--keys",
            &keys_s,
            "--prize",
            "1",
        ];
        a.extend_from_slice(extra);
        w.ok(0, &a)
    };

    // The honest contest: the audit passes once the development SRS is accepted knowingly.
    let created = create(&[]);
    let reg_s = created["registry"].as_str().expect("registry").to_string();
    let honest_verifier = parse_addr(created["verifier"]["address"].as_str().expect("verifier"));
    let registry =
        w.rt.block_on(Registry::at(&w.client(1), parse_addr(&reg_s)))
            .expect("registry");
    let audit = |id: &str, unsafe_ok: bool| {
        let mut a = vec![
            "audit",
            "--spec",
            &spec_s,
            "--keys",
            &keys_s,
            "--registry",
            &reg_s,
            "--contest",
            id,
        ];
        if unsafe_ok {
            a.push("--allow-unsafe-srs");
        }
        w.cli(1, &a)
    };
    let o = audit("1", true);
    expect_exit(&o, 0, "audit of the honest contest");
    let report: Value = serde_json::from_slice(&o.stdout).expect("audit --json");
    let checks = report["checks"].as_array().expect("checks");
    assert!(checks.len() >= 14, "{report}");
    assert!(checks.iter().all(|c| c["ok"] == true), "{report}");
    assert_eq!(report["srs"]["kind"], "unsafe_development");
    // Without the flag the same audit fails on the SRS alone.
    let o = audit("1", false);
    expect_exit(&o, 1, "audit without --allow-unsafe-srs");
    let report: Value = serde_json::from_slice(&o.stdout).expect("audit --json");
    let failed = failed_checks(&report);
    assert_eq!(failed, ["srs_provenance"], "{report}");

    let model = root()
        .join("contest-specs/digits/models/mlp-h16.onnx")
        .display()
        .to_string();
    let commit_to = |id: &'static str, unsafe_ok: bool| -> Vec<String> {
        let mut a: Vec<String> = [
            "commit",
            "--spec",
            &spec_s,
            "--model",
            &model,
            "--keys",
            &keys_s,
            "--registry",
            &reg_s,
            "--contest",
            id,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if unsafe_ok {
            a.push("--allow-unsafe-srs".into());
        }
        a
    };

    // A development SRS without --allow-unsafe-srs: refused.
    refuses(
        &w,
        1,
        &as_strs(&commit_to("1", false)),
        "srs_provenance",
        &registry,
        1,
    );

    // An accept-everything verifier (runtime: STOP). The registry would take a junk proof.
    let org = w.client(0);
    let yes =
        w.rt.block_on(org.deploy(&deployer(&[0x00])))
            .expect("deploy");
    let id = create(&[
        "--registry",
        &reg_s,
        "--verifier",
        &Addr(yes.address).to_string(),
    ])["contest_id"]
        .as_u64()
        .expect("id");
    assert_eq!(id, 2);
    let junk = vec![0u8; 64];
    let data = [vec![0u8; 6 * 32], junk].concat();
    assert_eq!(
        w.rt.block_on(org.call(yes.address, &data, 100_000))
            .expect("call"),
        CallOutcome::Returned(vec![]),
        "the accept-everything verifier accepts junk"
    );
    refuses(
        &w,
        1,
        &as_strs(&commit_to("2", true)),
        "verifier_code",
        &registry,
        2,
    );

    // A verifier rendered for another spec (hidden layer 12 wide instead of 16).
    let other_dir = w.path("other-spec");
    std::fs::create_dir_all(&other_dir).expect("dir");
    let toml = std::fs::read_to_string(spec_path.join("contest.toml")).expect("spec");
    assert!(toml.contains("max_width = 16"));
    std::fs::write(
        other_dir.join("contest.toml"),
        toml.replace("max_width = 16", "max_width = 12"),
    )
    .expect("write");
    let other_keys = w.path("other-keys");
    setup_keys(&other_dir, &other_keys);
    let other = w.ok(
        0,
        &[
            "create",
            "--spec",
            &other_dir.display().to_string(),
            "--testset",
            &testset,
            "--keys",
            &other_keys.display().to_string(),
            "--prize",
            "1",
            "--registry",
            &reg_s,
        ],
    );
    assert_eq!(other["contest_id"], 3);
    let other_verifier = other["verifier"]["address"].as_str().expect("verifier");
    assert_eq!(
        create(&["--registry", &reg_s, "--verifier", other_verifier])["contest_id"],
        4
    );
    refuses(
        &w,
        1,
        &as_strs(&commit_to("4", true)),
        "verifier_code",
        &registry,
        4,
    );

    // A verifier that forwards to the honest one until its owner flips a storage flag.
    let compiled = Solc::in_repo(&root())
        .compile_contract(SWITCH_SOURCE, "Switch", RUNS_FOR_SIZE)
        .expect("solc");
    let mut creation = compiled.creation.clone();
    creation.extend_from_slice(&[0u8; 12]);
    creation.extend_from_slice(&honest_verifier.0);
    let switch = w.rt.block_on(org.deploy(&creation)).expect("deploy switch");
    assert_eq!(
        create(&[
            "--registry",
            &reg_s,
            "--verifier",
            &Addr(switch.address).to_string()
        ])["contest_id"],
        5
    );
    refuses(
        &w,
        1,
        &as_strs(&commit_to("5", true)),
        "verifier_code",
        &registry,
        5,
    );

    // The honest verifier, but on-chain minCorrect, N or layout other than the spec's (created through
    // the library: `create` always copies the spec).
    let spec = Spec::from_path(&spec_path).expect("spec");
    let ts = TestSet::from_path(&spec_path.join("mini-test.zkts"), &spec).expect("test set");
    let (vk_digest, srs_digest) = key_digests(&keys).expect("digests");
    let org_reg =
        w.rt.block_on(Registry::at(&org, parse_addr(&reg_s)))
            .expect("registry");
    let (_, now) = w.rt.block_on(org_reg.head()).expect("head");
    let p = spec.phases;
    let honest = ContestConfig {
        spec_hash: spec_hash(&spec_path).expect("spec hash"),
        verifier: honest_verifier,
        vk_digest,
        srs_digest,
        testset_commitment: testset_commitment(&spec, &ts).expect("T"),
        test_set_size: spec.test_rows as u32,
        min_correct: spec.min_correct as u32,
        layout: testset_layout(&spec).expect("layout"),
        payout_bps: spec.payout.split_bps.iter().map(|&b| b as u16).collect(),
        commit_bond: Wei(spec.payout.commit_bond_wei),
        commit_deadline: now + p.commit_secs,
        test_set_deadline: now + p.commit_secs + p.test_set_reveal_secs,
        proof_deadline: now + p.commit_secs + p.test_set_reveal_secs + p.prove_secs,
        reveal_window: p.model_reveal_secs,
    };
    let lax = ContestConfig {
        min_correct: 1,
        ..honest.clone()
    };
    let bigger = ContestConfig {
        test_set_size: spec.test_rows as u32 + 1,
        ..honest.clone()
    };
    // One more class on chain than in the spec: the registry would accept a revealed label the
    // circuit refuses, so nobody could prove and the organiser would get the prize back.
    let wider = ContestConfig {
        layout: TestSetLayout {
            classes: honest.layout.classes + 1,
            ..honest.layout
        },
        ..honest.clone()
    };
    for (config, want) in [(&lax, 6), (&bigger, 7), (&wider, 8), (&honest, 9)] {
        let (id, _) =
            w.rt.block_on(org_reg.create_contest(config, Wei::ETHER))
                .expect("create");
        assert_eq!(id, want);
    }
    refuses(
        &w,
        1,
        &as_strs(&commit_to("6", true)),
        "min_correct",
        &registry,
        6,
    );
    refuses(
        &w,
        1,
        &as_strs(&commit_to("7", true)),
        "test_set_size",
        &registry,
        7,
    );
    refuses(
        &w,
        1,
        &as_strs(&commit_to("8", true)),
        "test_set_layout",
        &registry,
        8,
    );

    // The honest contests accept the commitment.
    for id in ["1", "9"] {
        let done = w.ok(1, &as_strs(&commit_to(id, true)));
        assert!(done["tx"].is_object(), "{done}");
    }
    let info = w.rt.block_on(registry.contest(1)).expect("contest");
    assert_eq!(info.committers, 1);
}

/// Creation code that first creates a contract whose runtime is a single STOP (so it lands at
/// `CREATE(self, 1)`, where a genuine registry's constructor puts its annex), then deploys
/// `runtime` as is. With the genuine registry runtime, the registry's own code passes a code
/// comparison while every call it DELEGATECALLs to its annex "succeeds" doing nothing.
fn deployer_with_fake_annex(runtime: &[u8]) -> Vec<u8> {
    let fake = deployer(&[0x00]);
    let n = u16::try_from(runtime.len()).expect("small");
    let [hi, lo] = n.to_be_bytes();
    let fake_len = u8::try_from(fake.len()).expect("small");
    // 0: PUSH1 1, PUSH1 1, SSTORE: the reentrancy lock's resting value, which the genuine
    //    constructor's initialiser sets (`_lock`, slot 1)                 (5 bytes)
    // 5: PUSH1 fake_len, PUSH1 fake_at, PUSH1 0, CODECOPY                  (7 bytes)
    // 12: PUSH1 fake_len, PUSH1 0, PUSH1 0, CREATE, POP                    (8 bytes)
    // 20: PUSH2 n, PUSH1 runtime_at, PUSH1 0, CODECOPY, PUSH2 n, PUSH1 0, RETURN (14 bytes)
    // 34: one padding byte, then the fake annex's creation code, then the runtime.
    let fake_at = 35u8;
    let runtime_at = fake_at + fake_len;
    let mut code = vec![
        0x60, 1, 0x60, 1, 0x55, //
        0x60, fake_len, 0x60, fake_at, 0x60, 0, 0x39, //
        0x60, fake_len, 0x60, 0, 0x60, 0, 0xf0, 0x50, //
        0x61, hi, lo, 0x60, runtime_at, 0x60, 0, 0x39, 0x61, hi, lo, 0x60, 0, 0xf3,
    ];
    assert_eq!(code.len(), usize::from(fake_at) - 1);
    // One JUMPDEST of padding keeps the offsets above honest (never executed: RETURN precedes).
    code.push(0x5b);
    code.extend_from_slice(&fake);
    code.extend_from_slice(runtime);
    code
}

/// An organiser's registry whose runtime is byte for byte this release's `ContestRegistry` but
/// whose annex (the code it DELEGATECALLs for challenges, forfeits, the ceremony and restarts)
/// is not: `registry_code` passes, `registry_annex` catches it, and `commit` refuses.
#[test]
fn commit_refuses_a_genuine_registry_runtime_with_a_fake_annex() {
    let w = World::new();
    let spec_path = spec_dir();
    let spec_s = spec_path.display().to_string();
    let keys = w.path("keys");
    let keys_s = keys.display().to_string();
    setup_keys(&spec_path, &keys);
    let testset = spec_path.join("mini-test.zkts").display().to_string();
    // An honest registry first: its Poseidon library is reused by the fake.
    let honest = w.ok(
        0,
        &[
            "create",
            "--spec",
            &spec_s,
            "--testset",
            &testset,
            "--keys",
            &keys_s,
            "--prize",
            "1",
        ],
    );
    let honest_reg = parse_addr(honest["registry"].as_str().expect("registry"));
    let org = w.client(0);
    let honest_registry =
        w.rt.block_on(Registry::at(&org, honest_reg))
            .expect("registry");
    let poseidon = w.rt.block_on(honest_registry.poseidon()).expect("poseidon");
    let runtime =
        w.rt.block_on(Registry::genuine_runtime(&org, poseidon))
            .expect("genuine runtime");
    let fake =
        w.rt.block_on(org.deploy(&deployer_with_fake_annex(&runtime)))
            .expect("deploy the fake");
    let fake_s = format!("0x{}", hex::encode(fake.address));
    let fake_registry =
        w.rt.block_on(Registry::at(&org, Addr(fake.address)))
            .expect("registry");
    let annex_code =
        w.rt.block_on(org.code(fake_registry.annex_address().0))
            .expect("annex code");
    assert_eq!(
        annex_code,
        vec![0x00],
        "the fake annex sits where the registry looks for it"
    );

    let created = w.ok(
        0,
        &[
            "create",
            "--spec",
            &spec_s,
            "--testset",
            &testset,
            "--keys",
            &keys_s,
            "--prize",
            "1",
            "--registry",
            &fake_s,
        ],
    );
    let id = created["contest_id"].as_u64().expect("id").to_string();
    let o = w.cli(
        1,
        &[
            "audit",
            "--spec",
            &spec_s,
            "--keys",
            &keys_s,
            "--registry",
            &fake_s,
            "--contest",
            &id,
            "--allow-unsafe-srs",
        ],
    );
    expect_exit(&o, 1, "audit of the fake-annex registry");
    let report: Value = serde_json::from_slice(&o.stdout).expect("audit --json");
    let failed = failed_checks(&report);
    assert_eq!(failed, ["registry_annex"], "{report}");
    let model = root()
        .join("contest-specs/digits/models/mlp-h16.onnx")
        .display()
        .to_string();
    refuses(
        &w,
        1,
        &[
            "commit",
            "--spec",
            &spec_s,
            "--model",
            &model,
            "--keys",
            &keys_s,
            "--registry",
            &fake_s,
            "--contest",
            &id,
            "--allow-unsafe-srs",
        ],
        "registry_annex",
        &fake_registry,
        id.parse().expect("id"),
    );
}
