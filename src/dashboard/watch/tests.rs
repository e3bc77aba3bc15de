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
            shards: 1,
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
    let e = "eth_getLogs at https://node.example/v3/KEY123 failed: error sending request for \
             url (https://node.example/v3/KEY123/): timeout";
    let shown = redact_error("https://node.example/v3/KEY123", e);
    assert!(!shown.contains("KEY123"), "{shown}");
    assert!(shown.contains("https://node.example failed"), "{shown}");
}

/// The registry page's listing: every contest, newest first, with its phase, prize, entries
/// and the end of its phase; a dropped node keeps the last listing up.
#[tokio::test]
async fn lists_every_contest_newest_first() {
    use crate::dashboard::listing::Lister;
    let anvil = anvil_at(None);
    let url = anvil.url();
    let reg = contest(&url, 2).await;
    let mut lister = Lister::new(&url, reg.address(), Duration::from_millis(100));
    lister.poll().await.expect("poll");
    assert_eq!(lister.feed().link, Link::Live);
    assert_eq!(lister.feed().count, 1);
    let version = lister.feed().version;

    let config = reg.contest(1).await.expect("contest 1").config;
    let (id, _) = reg
        .create_contest(&config, Wei(2_000))
        .await
        .expect("create 2");
    assert_eq!(id, 2);
    lister.poll().await.expect("poll");
    let feed = lister.feed().clone();
    assert!(feed.version > version);
    assert_eq!(feed.count, 2);
    let ids: Vec<u64> = feed.contests.iter().map(|c| c.id).collect();
    assert_eq!(ids, [2, 1], "newest first");
    let (two, one) = (&feed.contests[0], &feed.contests[1]);
    assert_eq!(
        (two.phase, two.prize, two.committers),
        (Phase::Commit, Wei(2_000), 0)
    );
    assert_eq!(
        (one.phase, one.prize, one.committers, one.held),
        (Phase::Commit, Wei(1_000), 2, Wei(1_020))
    );
    let end = one.phase_end.as_ref().expect("the commit phase ends");
    assert_eq!((end.name, end.at), ("commit", config.commit_deadline));
    assert!(end.left > 0, "{end:?}");

    drop(anvil);
    assert!(lister.poll().await.is_err());
    assert!(matches!(lister.feed().link, Link::Reconnecting { .. }));
    assert_eq!(
        lister.feed().contests,
        feed.contests,
        "the last listing stays up"
    );
}
