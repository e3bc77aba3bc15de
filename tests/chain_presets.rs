//! `--chain`, `--max-fee-gwei` and `--confirmations` against a real anvil that mines a block
//! every second with an EIP-1559 base fee (issue #21): a preset refuses a node on another chain,
//! a cap below the base fee sends nothing, and a capped transaction is an EIP-1559 one whose
//! max fee respects the cap and that returns only once the requested blocks hold it.

mod common;

use std::process::Command;

use common::{cli_as, expect_exit, root};
use serde_json::Value;
use zkcontest::chain::anvil::{Anvil, DEV_ACCOUNTS};

/// anvil's starting base fee here: 100 gwei (it decays by 1/8 per empty block).
const BASE_FEE_WEI: u128 = 100_000_000_000;

fn cast(args: &[&str]) -> String {
    let o = Command::new(root().join("tools/node_modules/.bin/cast"))
        .args(args)
        .output()
        .expect("cast (scripts/setup.sh installs it)");
    expect_exit(&o, 0, &format!("cast {args:?}"));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn gwei(wei: u128) -> String {
    format!("{}.{:09}", wei / 1_000_000_000, wei % 1_000_000_000)
}

#[test]
fn presets_fee_caps_and_confirmations_on_a_chain_with_block_time_and_base_fee() {
    let base = BASE_FEE_WEI.to_string();
    let anvil = Anvil::spawn_with(
        &Anvil::path_in_repo(&root()),
        &["--block-time", "1", "--base-fee", &base],
    )
    .expect("anvil (scripts/setup.sh)");
    let url = anvil.url();
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = root().join("tests/fixtures/mini-contest");
    let testset = spec.join("mini-test.zkts");
    let create = |extra: &[&str]| {
        let mut a = vec![
            "create",
            "--spec",
            spec.to_str().expect("utf-8"),
            "--testset",
            testset.to_str().expect("utf-8"),
            "--prize",
            "1",
            "--ceremony-secs",
            "3600",
        ];
        a.extend_from_slice(extra);
        cli_as(&url, dir.path(), 0, &a, &[])
    };
    let me = DEV_ACCOUNTS[0].1.to_string();
    let nonce = || cast(&["nonce", &me, "--rpc-url", &url]);

    // A preset for another chain: refused before anything is sent.
    let o = create(&["--chain", "sepolia"]);
    expect_exit(&o, 2, "--chain sepolia against anvil");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("expects chain id 11155111") && err.contains("reports 31337"),
        "{err}"
    );

    // A cap well below the current base fee: refused, nothing sent.
    let now: u128 = cast(&["base-fee", "--rpc-url", &url])
        .parse()
        .expect("base fee");
    assert!(
        now > 1_000_000_000,
        "base fee {now} wei: the chain has EIP-1559 fees"
    );
    let o = create(&["--max-fee-gwei", &gwei(now / 4)]);
    expect_exit(&o, 2, "a cap below the base fee");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nothing was sent"), "{err}");
    assert_eq!(nonce(), "0", "no transaction left the client");

    // A cap above it, two confirmations, the anvil preset (no explorer).
    let cap = 4 * BASE_FEE_WEI;
    let o = create(&[
        "--chain",
        "anvil",
        "--max-fee-gwei",
        &gwei(cap),
        "--confirmations",
        "2",
    ]);
    expect_exit(&o, 0, "create with a cap and two confirmations");
    let head: u64 = cast(&["block-number", "--rpc-url", &url])
        .parse()
        .expect("block number");
    let out: Value = serde_json::from_slice(&o.stdout).expect("json");
    let tx = &out["tx"];
    assert!(
        tx.get("explorer_url").is_none(),
        "anvil has no explorer: {tx}"
    );
    let mined = tx["block"].as_u64().expect("block");
    assert!(
        head > mined,
        "returned after a second block held it: head {head}, mined in {mined}"
    );
    let hash = tx["hash"].as_str().expect("hash");
    let t: Value =
        serde_json::from_str(&cast(&["tx", hash, "--json", "--rpc-url", &url])).expect("tx json");
    assert_eq!(t["type"], "0x2", "an EIP-1559 transaction: {t}");
    let max_fee = u128::from_str_radix(
        t["maxFeePerGas"]
            .as_str()
            .expect("maxFeePerGas")
            .trim_start_matches("0x"),
        16,
    )
    .expect("hex");
    assert!(max_fee <= cap, "max fee {max_fee} above the cap {cap}");
}
