//! The watcher against a real anvil (no proofs: the registry itself stands in as the
//! "verifier", which `createContest` only checks has code): polls are idempotent, a dropped
//! endpoint keeps the last view, and a node that comes back without its chain is followed
//! (the lost rows go, nothing stale stays).

use std::path::Path;
use std::time::Duration;

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;

use super::*;
use crate::chain::anvil::{Anvil, DEV_ACCOUNTS};
use crate::chain::types::{ContestConfig, TestSetLayout};

fn anvil_at(port: Option<u16>) -> Anvil {
    let bin = Anvil::path_in_repo(Path::new(env!("CARGO_MANIFEST_DIR")));
    match port {
        None => Anvil::spawn(&bin),
        Some(p) => Anvil::spawn_at(&bin, p, &[]),
    }
    .expect("anvil (run scripts/setup.sh)")
}

/// A registry with contest 1 and `commits` commitments from dev accounts 1, 2, ….
async fn contest(url: &str, commits: usize) -> Registry {
    let org = Client::connect(url, DEV_ACCOUNTS[0].0)
        .await
        .expect("connect");
    let (reg, _) = Registry::deploy(&org).await.expect("deploy");
    let (_, now) = reg.head().await.expect("head");
    let config = ContestConfig {
        spec_hash: [1; 32],
        verifier: reg.address(),
        vk_digest: [2; 32],
        srs_digest: [3; 32],
        testset_commitment: Fr::from(3),
        test_set_size: 8,
        min_correct: 7,
        layout: TestSetLayout {
            features: 2,
            feature_span: 16,
            classes: 3,
        },
        payout_bps: vec![10_000],
        commit_bond: Wei(10),
        // Near the registry's shortest windows (an hour to commit and to reveal the test set, a
        // day to prove and to reveal a model); the extra minute covers the seconds between this
        // head and the block that mines the creation, which the registry counts against the
        // commit window.
        commit_deadline: now + 3_660,
        test_set_deadline: now + 7_260,
        proof_deadline: now + 7_260 + 86_400,
        reveal_window: 86_400,
    };
    let (id, _) = reg
        .create_contest(&config, Wei(1_000))
        .await
        .expect("create");
    assert_eq!(id, 1);
    for (i, (key, _)) in DEV_ACCOUNTS[1..=commits].iter().enumerate() {
        let c = Client::connect(url, key).await.expect("connect");
        let r = Registry::at(&c, reg.address()).await.expect("at");
        r.commit_model(1, Fr::from(i as u64 + 10), Wei(10))
            .await
            .expect("commit");
    }
    reg
}

fn watcher(url: &str, registry: Addr) -> Watcher {
    Watcher::new(WatchConfig {
        rpc_url: url.to_string(),
        registry,
        contest: None,
        from_block: None, // the contest's creation block, read from the registry
        poll: Duration::from_millis(100),
        max_range: 2, // several windows per poll
    })
}

fn commitments(w: &Watcher) -> usize {
    w.feed().view.as_ref().map_or(0, |v| v.commitments.len())
}

#[tokio::test]
async fn follows_a_node_that_drops_and_comes_back_without_its_chain() {
    let anvil = anvil_at(None);
    let url = anvil.url();
    let reg = contest(&url, 3).await;
    let mut w = watcher(&url, reg.address());

    w.poll().await.expect("poll");
    assert_eq!(w.feed().link, Link::Live);
    assert_eq!(w.feed().contest_id, Some(1), "the latest contest");
    assert_eq!(commitments(&w), 3);
    let version = w.feed().version;
    let view = w.feed().view.clone();
    w.poll().await.expect("poll");
    assert_eq!(
        w.feed().view,
        view,
        "a second poll over the same chain changes nothing"
    );
    assert_eq!(w.feed().version, version);

    // The node goes away: the last view stays, the link says so.
    let port = anvil.port();
    drop(anvil);
    assert!(w.poll().await.is_err());
    assert!(w.poll().await.is_err());
    match &w.feed().link {
        Link::Reconnecting {
            attempts, error, ..
        } => {
            assert_eq!(*attempts, 2);
            assert!(error.contains("eth_chainId"), "{error}");
        }
        other => panic!("expected reconnecting, got {other:?}"),
    }
    assert_eq!(w.feed().view, view, "the last view stays up");

    // It comes back with an empty chain: the contest is gone, so is its view.
    let anvil = anvil_at(Some(port));
    assert!(w.poll().await.is_err(), "no registry on the fresh chain");
    let again = contest(&anvil.url(), 1).await;
    assert_eq!(
        again.address(),
        reg.address(),
        "same deployer nonce, same address"
    );
    for _ in 0..2 {
        let _ = w.poll().await;
    }
    assert_eq!(w.feed().link, Link::Live);
    assert_eq!(commitments(&w), 1, "rows of the lost chain were dropped");
}

#[test]
fn errors_show_the_endpoint_without_its_key() {
    let w = watcher("https://node.example/v3/KEY123", Addr([1; 20]));
    let e = "eth_getLogs at https://node.example/v3/KEY123 failed: error sending request for \
             url (https://node.example/v3/KEY123/): timeout";
    let shown = w.redact(e);
    assert!(!shown.contains("KEY123"), "{shown}");
    assert!(shown.contains("https://node.example failed"), "{shown}");
}
