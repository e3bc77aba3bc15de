//! The verifier round trip on the tiny spec, as one test: keys (seeded, UNSAFE SRS) → render
//! → compile → deploy on a real anvil → call with a real proof → accepted; the same call with
//! a flipped proof byte, a changed instance, or another sender's instances → rejected.
//! Prints the runtime size, deploy gas and verification gas.

use std::path::Path;

use super::compile::{Solc, EIP170_LIMIT};
use super::render::{render, shape};
use crate::chain::anvil::{Anvil, DEV_ACCOUNTS};
use crate::chain::client::{CallOutcome, Client};
use crate::circuit::accuracy::tests::{honest_statement, random_witness};
use crate::circuit::accuracy::Statement;
use crate::prover::proof::tests::tiny_keys;
use crate::prover::proof::{prove, verify};
use crate::prover::proof_dir::ProofDir;

/// Gas cap for verifier calls: well above a verification (< 1M), and bounded, because a
/// corrupt G1 point makes the verifier burn everything it is given.
const VERIFY_GAS_CAP: u64 = 2_000_000;

fn address(hex_addr: &str) -> [u8; 20] {
    let mut a = [0u8; 20];
    hex::decode_to_slice(hex_addr.trim_start_matches("0x"), &mut a).expect("dev address");
    a
}

#[test]
fn verifier_round_trip_on_anvil() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (spec, params, keys) = tiny_keys();
    let figures = keys.manifest.figures.clone();

    // Render and compile.
    let source = render(&params, keys.vk()).expect("render");
    assert!(source.contains("pragma solidity 0.8.19"), "pragma changed");
    let compiled = Solc::in_repo(root)
        .compile_verifier(&source)
        .expect("compile (run scripts/setup.sh)");
    let runtime = compiled.runtime.len();
    assert!(runtime < EIP170_LIMIT, "runtime {runtime} B over EIP-170");

    // Chain.
    let anvil = Anvil::spawn(&Anvil::path_in_repo(root)).expect("anvil (run scripts/setup.sh)");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let client = rt
        .block_on(Client::connect(&anvil.url(), DEV_ACCOUNTS[0].0))
        .expect("connect");
    assert_eq!(client.address(), address(DEV_ACCOUNTS[0].1));

    // One real proof, bound to this chain and this sender.
    let witness = random_witness(&spec, 99);
    let st = Statement {
        chain_id: client.chain_id(),
        submitter: client.address(),
        ..honest_statement(&spec, &witness)
    };
    let (proof, _) = prove(&spec, &keys, &params, &witness, &st).expect("prove");
    assert!(
        verify(&params, keys.vk(), &st.instances(), &proof),
        "natively rejected"
    );
    let honest = ProofDir {
        statement: st,
        proof: proof.clone(),
    }
    .calldata();

    let deployed = rt
        .block_on(client.deploy(&compiled.creation))
        .expect("deploy");
    assert_eq!(
        deployed.code_size, runtime,
        "on-chain code differs from solc's"
    );

    // Accepted: the simulation returns nothing, and a real transaction succeeds.
    let sim = rt
        .block_on(client.call(deployed.address, &honest, VERIFY_GAS_CAP))
        .expect("eth_call");
    assert_eq!(sim, CallOutcome::Returned(vec![]), "honest proof rejected");
    let mined = rt
        .block_on(client.send(deployed.address, &honest, VERIFY_GAS_CAP))
        .expect("send");
    assert!(mined.success, "honest verification transaction reverted");

    // Rejected. Each variant differs from the accepted calldata, so a revert here is the
    // verifier's answer to the change, not an artefact of the setup.
    let tampered = |st: Statement, proof: &[u8]| {
        ProofDir {
            statement: st,
            proof: proof.to_vec(),
        }
        .calldata()
    };
    let mut flipped_point = proof.clone();
    flipped_point[31] ^= 0x01; // x of the first commitment: off the curve
    let mut flipped_mid = proof.clone();
    flipped_mid[proof.len() / 3] ^= 0x01;
    let mut flipped_eval = proof.clone();
    let last = flipped_eval.len() - 1;
    flipped_eval[last - 200] ^= 0x01; // inside the evaluations and final openings
    let cases = [
        ("flipped proof byte (G1 x)", tampered(st, &flipped_point)),
        ("flipped proof byte (middle)", tampered(st, &flipped_mid)),
        ("flipped proof byte (end)", tampered(st, &flipped_eval)),
        (
            "correct + 1",
            tampered(
                Statement {
                    correct: st.correct + 1,
                    ..st
                },
                &proof,
            ),
        ),
        (
            "another sender's instances",
            tampered(
                Statement {
                    submitter: address(DEV_ACCOUNTS[1].1),
                    ..st
                },
                &proof,
            ),
        ),
        ("truncated proof", honest[..honest.len() - 32].to_vec()),
    ];
    for (name, data) in &cases {
        assert_ne!(data, &honest, "{name}: calldata unchanged");
        let out = rt
            .block_on(client.call(deployed.address, data, VERIFY_GAS_CAP))
            .unwrap_or_else(|e| panic!("{name}: eth_call failed: {e}"));
        match out {
            CallOutcome::Reverted(r) => println!("{name}: rejected ({})", r.message),
            CallOutcome::Returned(_) => panic!("{name}: the verifier accepted it"),
        }
    }
    // A mined tampered transaction reverts too (the registry relies on the revert).
    let bad = rt
        .block_on(client.send(deployed.address, &cases[3].1, VERIFY_GAS_CAP))
        .expect("send");
    assert!(!bad.success, "tampered verification transaction succeeded");

    let shape = shape(&params, keys.vk()).expect("shape");
    println!("verifier shape: {shape:?}");
    println!(
        "verifier (tiny spec, k = {}, {} base + {} lookup + {} Freivalds advice columns, {} fixed): \
         runtime {runtime} B, creation {} B, proof {} B, calldata {} B, deploy gas {}, \
         verification tx gas {} (rejected tx: {} gas)",
        figures.k,
        figures.base_advice_columns,
        figures.lookup_advice_columns,
        figures.freivalds_columns,
        figures.fixed_columns,
        compiled.creation.len(),
        proof.len(),
        honest.len(),
        deployed.gas_used,
        mined.gas_used,
        bad.gas_used,
    );
}
