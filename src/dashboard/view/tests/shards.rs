//! A sharded contest in the view: entries part-way through their shards, the ranked one's gas
//! over all its shard transactions, and the page's shard table.

use super::*;

fn shard(who: Addr, shard: u64, correct: u64, shards_proved: u64) -> Event {
    Event::ShardProofAccepted {
        competitor: who,
        shard,
        correct,
        shards_proved,
    }
}

/// A two-shard contest: A proves shard 1 then shard 0 and is ranked with the sum (it leaves the
/// progress table); B proves only shard 0 — shown part-way while the window is open (a repeated
/// report of its shard counts once), incomplete after it; the page shows both.
#[test]
fn a_sharded_entry_shows_its_shards_until_it_is_ranked() {
    let mut cfg = config();
    cfg.layout.shards = 2;
    let events = vec![
        at(1, 0, created(cfg)),
        at(2, 0, commit(A, 1, false)),
        at(3, 0, commit(B, 2, false)),
        at(8, 0, chunk(6)),
        at(8, 1, revealed()),
        at(9, 0, shard(A, 1, 4, 1)),
        at(10, 0, shard(B, 0, 3, 1)),
        at(10, 1, shard(B, 0, 4, 1)),
        at(11, 0, shard(A, 0, 4, 2)),
        // The last shard's transaction also carries `ProofAccepted`.
        Logged {
            tx: at(11, 0, proof(A, 8)).tx,
            ..at(11, 1, proof(A, 8))
        },
    ];
    let upto_10: Vec<_> = events.iter().filter(|e| e.block <= 10).cloned().collect();
    let v = ledger_of(upto_10).view(&chain_at(10)).expect("created");
    assert_eq!(v.rules.shards, 2);
    let rows: Vec<_> = v
        .shard_progress
        .iter()
        .map(|r| {
            (
                r.competitor,
                r.proved.clone(),
                r.correct_so_far,
                r.incomplete,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [(A, vec![1], 4, false), (B, vec![0], 3, false)],
        "in order of the first shard proof"
    );
    assert!(v.leaderboard.is_empty());

    let l = ledger_of(events.clone());
    let v = l.view(&chain_at(11)).expect("created");
    assert_eq!(v.leaderboard.len(), 1);
    assert_eq!(
        (v.leaderboard[0].competitor, v.leaderboard[0].correct),
        (A, 8)
    );
    // Its gas is both shards' transactions' (500,000 each in these tests), once both are read.
    assert_eq!(v.leaderboard[0].gas, Some(1_000_000));
    let mut unread = Ledger::new(1);
    unread.add(events.clone());
    unread.set_gas(&events[8].tx, 500_000);
    let v2 = unread.view(&chain_at(11)).expect("created");
    assert_eq!(v2.leaderboard[0].gas, None, "shard 1's gas not read yet");
    assert_eq!(
        unread.proofs_without_gas().len(),
        3,
        "A's shard 1, B's shard 0 and its repeated report"
    );
    let b = &v.shard_progress;
    assert_eq!(b.len(), 1, "A is ranked: {b:?}");
    assert_eq!((b[0].competitor, b[0].of, b[0].incomplete), (B, 2, false));
    assert_eq!(b[0].tx, events[6].tx, "the first report of the shard");

    // Past the proof deadline (block 12 is at 3,100 > 3,000): B never proved.
    let v = l.view(&chain_at(12)).expect("created");
    assert!(v.shard_progress[0].incomplete);

    let feed = crate::dashboard::Feed {
        view: Some(v),
        ..crate::dashboard::Feed::new("http://127.0.0.1:1", Addr([1; 20]), Some(1))
    };
    let page = crate::dashboard::html::render(&crate::dashboard::html::ContestFragment::new(&feed));
    assert!(page.contains("N = 8 rows in 2 shards"), "{page}");
    assert!(page.contains("id=\"shards\""), "{page}");
    assert!(page.contains("<td class=\"proved\">1 / 2</td>"), "{page}");
    assert!(
        page.contains("never proved, bond to the bond pool"),
        "{page}"
    );

    // A one-shard contest has no shard table.
    let v = view_of(contest());
    let feed = crate::dashboard::Feed {
        view: Some(v),
        ..crate::dashboard::Feed::new("http://127.0.0.1:1", Addr([1; 20]), Some(1))
    };
    let page = crate::dashboard::html::render(&crate::dashboard::html::ContestFragment::new(&feed));
    assert!(!page.contains("id=\"shards\""), "{page}");
    assert!(!page.contains(" shards ·"), "{page}");
}

/// A contest with shared columns (PROTOCOL §14.2.1): its verifiers, and how many entries' model
/// proofs and shards' rows columns are in (a replaced commitment's second model proof and a
/// second test-set proof of one shard count once); the page shows them. Without the event the
/// panel is absent.
#[test]
fn shared_columns_show_the_model_and_test_set_proofs_in() {
    let mut cfg = config();
    cfg.layout.shards = 2;
    let (mv, tv) = (Addr([7; 20]), Addr([8; 20]));
    let model = |who: Addr| Event::ModelColumnOpened {
        competitor: who,
        commitment: Fr::from(5),
        column: [1; 32],
    };
    let rows = |shard: u64, by: Addr| Event::TestSetColumnOpened {
        shard,
        by,
        column: [2; 32],
    };
    let events = vec![
        at(1, 0, created(cfg)),
        at(
            1,
            1,
            Event::ColumnVerifiersFixed {
                model_verifier: mv,
                model_code_hash: [3; 32],
                testset_verifier: Some(tv),
                testset_code_hash: [4; 32],
            },
        ),
        at(2, 0, commit(A, 1, false)),
        at(3, 0, model(A)),
        at(4, 0, model(A)),
        at(8, 0, chunk(6)),
        at(8, 1, revealed()),
        at(9, 0, rows(1, B)),
        at(9, 1, rows(1, A)),
    ];
    let v = ledger_of(events.clone())
        .view(&chain_at(10))
        .expect("created");
    let c = v.columns.clone().expect("a contest with shared columns");
    assert_eq!(
        (
            c.model_verifier,
            c.testset_verifier,
            c.model_proofs,
            c.rows_opened
        ),
        (mv, Some(tv), 1, 1)
    );
    let feed = crate::dashboard::Feed {
        view: Some(v),
        ..crate::dashboard::Feed::new("http://127.0.0.1:1", Addr([1; 20]), Some(1))
    };
    let page = crate::dashboard::html::render(&crate::dashboard::html::ContestFragment::new(&feed));
    assert!(
        page.contains("model proofs from 1 entry") && page.contains("rows opened for 1 / 2 shards"),
        "{page}"
    );
    let plain: Vec<_> = events
        .into_iter()
        .filter(|e| e.block != 1 || e.log_index == 0)
        .collect();
    let v = ledger_of(plain).view(&chain_at(10)).expect("created");
    assert_eq!(v.columns, None);
}
