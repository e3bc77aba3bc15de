//! Folding events into the view: a whole contest (replacement, a restarted test-set reveal,
//! a tie, a scored entry below the threshold, a forfeit and the move-ups it causes, the bond
//! pool, payouts), replays from every block, overlapping
//! and repeated ranges, events of other contests, and a chain that goes back.

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;

use super::*;
use crate::chain::types::{Phase, TestSetLayout};

const ORG: Addr = Addr([0xee; 20]);
const A: Addr = Addr([0xaa; 20]);
const B: Addr = Addr([0xbb; 20]);
const C: Addr = Addr([0xcc; 20]);
const D: Addr = Addr([0xdd; 20]);

fn config() -> ContestConfig {
    ContestConfig {
        spec_hash: [7; 32],
        verifier: Addr([9; 20]),
        vk_digest: [3; 32],
        srs_digest: [4; 32],
        testset_commitment: Fr::from(5),
        test_set_size: 8,
        min_correct: 7,
        layout: TestSetLayout {
            features: 2,
            feature_span: 16,
            classes: 3,
            shards: 1,
        },
        payout_bps: vec![7000, 3000],
        commit_bond: Wei(10),
        commit_deadline: 1_000,
        test_set_deadline: 2_000,
        // A 2,200-second proof window: revealed at 800 (block 8), proofs end at 3,000.
        proof_deadline: 4_200,
        reveal_window: 500,
    }
}

fn at(block: u64, log_index: u64, event: Event) -> Logged {
    Logged {
        contest_id: 1,
        block,
        tx: format!("0x{block:04x}{log_index:04x}"),
        log_index,
        event,
    }
}

fn commit(who: Addr, seq: u64, replaced: bool) -> Event {
    Event::ModelCommitted {
        competitor: who,
        commitment: Fr::from(seq),
        commit_seq: seq,
        bond: Wei(if replaced { 0 } else { 10 }),
        replaced,
        committers: seq,
    }
}

fn proof(who: Addr, correct: u64) -> Event {
    Event::ProofAccepted {
        competitor: who,
        correct,
        ranked: correct >= 7,
        qualifiers: 0,
        provers: 0,
    }
}

/// `ContestCreated` by `ORG` with a prize of 1,000 wei.
fn created(config: ContestConfig) -> Event {
    Event::ContestCreated {
        organiser: ORG,
        prize: Wei(1_000),
        config,
        verifier_code_hash: [8; 32],
    }
}

/// `TestSetRevealed` of 6 elements at block 8: challenges until block 8's own second (a proof
/// at block 9 is after it), proofs until 3,000.
fn revealed() -> Event {
    Event::TestSetRevealed {
        count: 6,
        commitment: Fr::from(5),
        challenge_ends: 850,
        proof_ends: 3_000,
    }
}

fn chunk(n: usize) -> Event {
    Event::TestSetChunkRevealed {
        chunk: 0,
        start: 0,
        state_after: Fr::from(2),
        elems: vec![Fr::from(1); n],
    }
}

/// A whole contest. B and A both get 8/8; B committed earlier (A replaced its commitment, which
/// gave it a later sequence number), so B ranks first. D proves 2/8, below the threshold: scored,
/// not ranked. B is called and forfeits, A and C move up; B's bond is the bond pool, split 70/30.
fn contest() -> Vec<Logged> {
    vec![
        at(1, 0, created(config())),
        at(2, 0, commit(A, 1, false)),
        at(3, 0, commit(B, 2, false)),
        at(3, 1, commit(C, 3, false)),
        at(4, 0, commit(A, 4, true)),
        at(5, 0, commit(D, 5, false)),
        at(6, 0, chunk(3)),
        at(7, 0, Event::TestSetRevealRestarted { discarded: 3 }),
        at(8, 0, chunk(4)),
        at(8, 1, chunk(2)),
        at(8, 2, revealed()),
        at(9, 0, proof(B, 8)),
        at(10, 0, proof(A, 8)),
        at(11, 0, proof(C, 7)),
        at(11, 1, proof(D, 2)),
        at(
            12,
            0,
            Event::WinnerCalled {
                competitor: B,
                position: 0,
                reveal_deadline: 3_500,
            },
        ),
        at(
            12,
            1,
            Event::WinnerCalled {
                competitor: A,
                position: 1,
                reveal_deadline: 3_500,
            },
        ),
        at(
            13,
            0,
            Event::ModelChunkRevealed {
                competitor: A,
                start: 0,
                count: 5,
            },
        ),
        at(
            13,
            1,
            Event::ModelRevealed {
                competitor: A,
                count: 5,
                bond_returned: Wei(10),
            },
        ),
        at(
            14,
            0,
            Event::ModelForfeited {
                competitor: B,
                reveal_deadline: 3_500,
                bond: Wei(10),
            },
        ),
        at(
            14,
            1,
            Event::WinnerCalled {
                competitor: C,
                position: 2,
                reveal_deadline: 4_100,
            },
        ),
        at(
            14,
            2,
            Event::PrizeAwarded {
                winner: A,
                place: 0,
                amount: Wei(700),
            },
        ),
        at(
            15,
            0,
            Event::ModelRevealed {
                competitor: C,
                count: 5,
                bond_returned: Wei(10),
            },
        ),
        at(
            15,
            1,
            Event::PrizeAwarded {
                winner: C,
                place: 1,
                amount: Wei(300),
            },
        ),
        at(
            15,
            2,
            Event::ContestSettled {
                winners_paid: 2,
                remainder: Wei(0),
                remainder_to: A,
            },
        ),
        at(
            15,
            3,
            Event::BondPoolAwarded {
                to: A,
                amount: Wei(7),
            },
        ),
        at(
            15,
            4,
            Event::BondPoolAwarded {
                to: C,
                amount: Wei(3),
            },
        ),
        at(
            16,
            0,
            Event::Withdrawn {
                account: A,
                amount: Wei(710),
            },
        ),
    ]
}

/// Block timestamps: 100 s apart, with the proof deadline (3,000) between blocks 11 and 12
/// and the first reveal deadline (3,500) between blocks 13 and 14.
fn time_of(block: u64) -> u64 {
    match block {
        0..=11 => block * 100,
        12 | 13 => 3_000 + (block - 11) * 100,
        _ => 3_600 + (block - 14) * 100,
    }
}

fn ledger_of(events: impl IntoIterator<Item = Logged>) -> Ledger {
    let mut l = Ledger::new(1);
    l.add(events);
    timed(&mut l);
    l
}

fn timed(l: &mut Ledger) {
    for b in l.blocks_without_time() {
        l.set_block_time(b, time_of(b));
    }
    for tx in l.proofs_without_gas() {
        l.set_gas(&tx, 500_000);
    }
}

fn chain_at(block: u64) -> ChainState {
    ChainState {
        head_block: block,
        head_time: time_of(block),
        info: None,
        owed: BTreeMap::new(),
    }
}

fn view_of(events: Vec<Logged>) -> ContestView {
    let head = events.last().map(|e| e.block).unwrap_or(0);
    ledger_of(events).view(&chain_at(head)).expect("created")
}

#[test]
fn a_whole_contest_folds_into_the_expected_rows() {
    let v = view_of(contest());
    assert_eq!(v.phase, Phase::Settled, "derived from events and time");
    assert_eq!(
        v.created,
        Stamp {
            block: 1,
            time: Some(100)
        }
    );

    // Commitments: A's first one is marked replaced by its second.
    let c: Vec<_> = v
        .commitments
        .iter()
        .map(|r| (r.competitor, r.seq, r.replaces, r.replaced))
        .collect();
    assert_eq!(
        c,
        [
            (A, 1, false, true),
            (B, 2, false, false),
            (C, 3, false, false),
            (A, 4, true, false),
            (D, 5, false, false)
        ]
    );
    assert_eq!(v.escrow.bonds_paid, Wei(40));
    assert_eq!(v.escrow.by_events, Wei(1_000 + 40 - 710));

    // Test set: the restart discards the first chunk.
    assert_eq!(
        (v.test_set.chunks, v.test_set.elements, v.test_set.restarts),
        (2, 6, 1)
    );
    assert!(v.test_set.verified);

    // Leaderboard: tie on 8/8 broken by commit sequence; B forfeits, A and C move up.
    let rows: Vec<_> = v
        .leaderboard
        .iter()
        .map(|r| (r.rank, r.place, r.competitor, r.correct, r.standing))
        .collect();
    assert_eq!(
        rows,
        [
            (1, None, B, 8, Standing::Forfeited),
            (2, Some(1), A, 8, Standing::Revealed),
            (3, Some(2), C, 7, Standing::Revealed),
            (4, None, D, 2, Standing::Scored),
        ]
    );
    assert_eq!(v.leaderboard[0].moved_up_from, None);
    assert_eq!(v.leaderboard[1].moved_up_from, Some(2));
    assert_eq!(v.leaderboard[2].moved_up_from, Some(3));
    assert_eq!(v.leaderboard[2].reveal_by, Some(4_100));
    assert_eq!(v.leaderboard[1].prize, Some(Wei(700)));
    assert_eq!(v.leaderboard[2].accuracy_pct, 87.5);
    assert_eq!(v.leaderboard[0].gas, Some(500_000));

    // Reveals and payouts.
    let r: Vec<_> = v
        .reveals
        .iter()
        .map(|r| (r.competitor, r.chunks, r.verified, r.size))
        .collect();
    assert_eq!(r, [(A, 1, true, Some(5)), (C, 0, true, Some(5))]);
    let p: Vec<_> = v
        .payouts
        .iter()
        .map(|p| (p.account, p.role, p.prize, p.bond_pool, p.withdrawn))
        .collect();
    // The forfeited bond goes to the paid places, never to the organiser.
    assert_eq!(
        p,
        [
            (ORG, "organiser", Wei(0), Wei(0), Wei(0)),
            (A, "competitor", Wei(700), Wei(7), Wei(710)),
            (B, "competitor", Wei(0), Wei(0), Wei(0)),
            (C, "competitor", Wei(300), Wei(3), Wei(0)),
            (D, "competitor", Wei(0), Wei(0), Wei(0)),
        ]
    );
    assert_eq!(v.payouts[1].bond_returned, Wei(10));
    assert_eq!(v.settlement.as_ref().map(|s| s.remainder_to), Some(A));
    assert_eq!(v.recent.len(), RECENT);
    assert_eq!(v.recent[0].event, "Withdrawn");
}

/// B's entry revealed a copy instead of missing its window: the same rows, B disqualified.
#[test]
fn a_disqualified_copy_loses_its_place_like_a_forfeit() {
    let events: Vec<Logged> = contest()
        .into_iter()
        .map(|mut l| {
            if let Event::ModelForfeited {
                competitor, bond, ..
            } = l.event
            {
                l.event = Event::ModelDisqualified {
                    competitor,
                    fingerprint: Fr::from(77),
                    owner: D,
                    original_contest: 9,
                    original_committed_at: 50,
                    bond,
                };
            }
            l
        })
        .collect();
    let v = view_of(events);
    let rows: Vec<_> = v
        .leaderboard
        .iter()
        .map(|r| (r.rank, r.place, r.competitor, r.standing))
        .collect();
    assert_eq!(
        rows,
        [
            (1, None, B, Standing::Disqualified),
            (2, Some(1), A, Standing::Revealed),
            (3, Some(2), C, Standing::Revealed),
            (4, None, D, Standing::Scored),
        ]
    );
}

#[test]
fn replaying_from_any_block_gives_the_same_view() {
    let all = contest();
    let last = all.last().map(|e| e.block).unwrap_or(0);
    let want = view_of(all.clone());
    // A watcher that folded up to block `seen`, then (after a reconnect) replays from any
    // block `from <= seen + 1`: overlapping ranges, never a gap.
    for seen in 0..=last {
        for from in 0..=seen + 1 {
            let mut l = Ledger::new(1);
            l.add(all.iter().filter(|e| e.block <= seen).cloned());
            timed(&mut l);
            let before = l.len();
            let added = l.add(all.iter().filter(|e| e.block >= from).cloned());
            timed(&mut l);
            assert_eq!(before + added, all.len(), "seen {seen}, from {from}");
            assert_eq!(
                l.view(&chain_at(last)),
                Some(want.clone()),
                "seen {seen}, from {from}"
            );
        }
    }
}

#[test]
fn folding_in_windows_of_any_size_gives_the_same_view() {
    let all = contest();
    let last = all.last().map(|e| e.block).unwrap_or(0);
    let want = view_of(all.clone());
    for window in 1..=last + 1 {
        let mut l = Ledger::new(1);
        let mut from = 0;
        while from <= last {
            let to = from + window - 1;
            l.add(
                all.iter()
                    .filter(|e| (from..=to).contains(&e.block))
                    .cloned(),
            );
            timed(&mut l);
            from = to + 1;
        }
        assert_eq!(
            l.view(&chain_at(last)),
            Some(want.clone()),
            "window {window}"
        );
    }
}

#[test]
fn folding_the_same_range_twice_duplicates_no_row() {
    let all = contest();
    let mut l = ledger_of(all.clone());
    let once = l.view(&chain_at(16)).expect("created");
    assert_eq!(l.add(all.clone()), 0, "nothing new the second time");
    assert_eq!(l.add(all.iter().rev().cloned()), 0, "nor in reverse order");
    let twice = l.view(&chain_at(16)).expect("created");
    assert_eq!(once, twice);
    assert_eq!(twice.commitments.len(), 5);
    assert_eq!(twice.leaderboard.len(), 4);
    assert_eq!(twice.reveals.len(), 2);
    assert_eq!(twice.events, all.len());
}

#[test]
fn events_of_other_contests_are_ignored() {
    let mut other = contest();
    for e in &mut other {
        e.contest_id = 2;
        e.log_index += 10;
    }
    let mut l = ledger_of(contest());
    assert_eq!(l.add(other), 0);
    assert_eq!(l.view(&chain_at(16)), Some(view_of(contest())));
}

#[test]
fn a_chain_that_goes_back_forgets_the_lost_blocks_then_resumes() {
    let all = contest();
    let mut l = ledger_of(all.clone());
    l.forget_after(10);
    assert_eq!(l.view(&chain_at(10)), Some(view_of(all[..13].to_vec())));
    assert!(l.blocks_without_time().is_empty());
    l.add(all.clone());
    timed(&mut l);
    assert_eq!(l.view(&chain_at(16)), Some(view_of(all)));
}

#[test]
fn no_view_before_the_contest_is_created() {
    let l = ledger_of(contest().into_iter().skip(1));
    assert_eq!(l.view(&chain_at(16)), None);
    assert!(Ledger::new(1).view(&chain_at(0)).is_none());
}

#[test]
fn paid_places_must_reveal_once_the_proof_window_closes() {
    let all = contest();
    // Up to the proofs: still in the proof window, nobody has to reveal yet.
    let proofs: Vec<_> = all.iter().filter(|e| e.block <= 11).cloned().collect();
    let l = ledger_of(proofs);
    let v = l.view(&chain_at(11)).expect("created");
    assert_eq!(v.phase, Phase::Proof);
    assert!(v.leaderboard.iter().all(|r| r.reveal_by.is_none()));
    let s: Vec<_> = v.leaderboard.iter().map(|r| r.standing).collect();
    assert_eq!(
        s,
        [
            Standing::Qualified,
            Standing::Qualified,
            Standing::Qualified,
            Standing::Scored
        ]
    );

    // After the proof window, before anyone closes the ranking: the two paid places must
    // reveal by proofEnds + revealWindow; the third need not, nor the scored entry.
    let v = l.view(&chain_at(12)).expect("created");
    assert_eq!(v.phase, Phase::ModelReveal);
    let s: Vec<_> = v
        .leaderboard
        .iter()
        .map(|r| (r.standing, r.reveal_by, r.reveal_left))
        .collect();
    assert_eq!(
        s,
        [
            (Standing::MustReveal, Some(3_500), Some(400)),
            (Standing::MustReveal, Some(3_500), Some(400)),
            (Standing::Qualified, None, None),
            (Standing::Scored, None, None),
        ]
    );

    // Called, then past the deadline without a reveal: overdue.
    let upto_13: Vec<_> = all.iter().filter(|e| e.block <= 13).cloned().collect();
    let mut l = ledger_of(upto_13);
    let v = l.view(&chain_at(14)).expect("created");
    assert_eq!(v.leaderboard[0].standing, Standing::Overdue);
    assert_eq!(v.leaderboard[0].reveal_left, Some(-100));
    assert_eq!(v.leaderboard[1].standing, Standing::Revealed);

    // The contract's phase wins over the derived one when it could be read.
    l.set_block_time(14, time_of(14));
    let info = ContestInfo {
        organiser: ORG,
        config: config(),
        prize: Wei(1_000),
        phase: Phase::Settled,
        held: Wei(5),
        test_set_revealed_count: 6,
        test_set_revealed: true,
        proof_ends: 3_000,
        challenge_ends: 850,
        committers: 4,
        qualifiers: 3,
        provers: 4,
        winners_paid: 0,
        prize_paid: Wei(0),
        created_block: 1,
        verifier_code_hash: [8; 32],
        bond_pool: Wei(10),
        round_deadline: 4_100,
    };
    let v = l
        .view(&ChainState {
            info: Some(info),
            ..chain_at(14)
        })
        .expect("created");
    assert_eq!((v.phase, v.escrow.held), (Phase::Settled, Some(Wei(5))));
}

#[test]
fn deadlines_count_down_from_the_head_block() {
    let v = view_of(contest()[..2].to_vec());
    let d: Vec<_> = v.deadlines.iter().map(|d| (d.name, d.at, d.left)).collect();
    assert_eq!(
        d,
        [
            ("commit", 1_000, 800),
            ("test-set reveal", 2_000, 1_800),
            // Before the test-set reveal: the latest the challenge window (the proof window's
            // first quarter: 2,200 / 4) and the proof window can end.
            ("test-set challenge", 2_550, 2_350),
            ("proof", 4_200, 4_000),
            ("model reveal", 4_700, 4_500),
        ]
    );
    // After it: the window runs from the reveal (`TestSetRevealed.proof_ends`).
    let v = view_of(contest()[..11].to_vec());
    let d: Vec<_> = v.deadlines.iter().map(|d| (d.name, d.at)).collect();
    assert_eq!(
        &d[2..],
        [
            ("test-set challenge", 850),
            ("proof", 3_000),
            ("model reveal", 3_500)
        ]
    );
    assert_eq!(v.phase, Phase::Commit);
    assert_eq!(Ledger::new(1).accounts(), []);
    assert_eq!(ledger_of(contest()).accounts(), [ORG, A, B, C, D]);
}

/// A ceremony contest: the ceremony's deadline among the deadlines, the phase derived from
/// events (no commits before the verifier is fixed), contributions in order, then the fix.
#[test]
fn a_ceremony_folds_into_its_panel() {
    use crate::chain::types::Blake2b;
    let created = at(
        1,
        0,
        Event::ContestCreated {
            organiser: ORG,
            prize: Wei(1_000),
            config: ContestConfig {
                verifier: Addr([0; 20]),
                ..config()
            },
            verifier_code_hash: [0; 32],
        },
    );
    let mut events = vec![
        created,
        at(
            1,
            1,
            Event::CeremonyOpened {
                ceremony_deadline: 500,
            },
        ),
        at(
            2,
            0,
            Event::CeremonyContribution {
                contributor: A,
                index: 0,
                contribution_hash: Blake2b([0xa1; 64]),
            },
        ),
        at(
            3,
            0,
            Event::CeremonyContribution {
                contributor: B,
                index: 1,
                contribution_hash: Blake2b([0xb2; 64]),
            },
        ),
    ];
    let v = view_of(events.clone());
    assert_eq!(v.phase, Phase::Ceremony, "not fixed: no commits yet");
    assert_eq!(v.deadlines[0].name, "ceremony");
    assert_eq!(v.deadlines[0].at, 500);
    let panel = v.ceremony.expect("a ceremony");
    assert_eq!(panel.contributions.len(), 2);
    assert_eq!(panel.contributions[1].contributor, B);
    assert_eq!(panel.contributions[1].contribution_hash, "b2".repeat(64));
    assert!(panel.fixed.is_none());

    events.push(at(
        6,
        0,
        Event::VerifierFixed {
            verifier: Addr([9; 20]),
            verifier_code_hash: [8; 32],
            transcript_hash: Blake2b([0xcc; 64]),
            contributions: 2,
        },
    ));
    let v = view_of(events);
    assert_eq!(v.phase, Phase::Commit, "fixed: commits open");
    let fixed = v
        .ceremony
        .clone()
        .expect("a ceremony")
        .fixed
        .expect("fixed");
    assert_eq!(fixed.verifier, Addr([9; 20]));
    assert_eq!(fixed.contributions, 2);
    let feed = crate::dashboard::Feed {
        view: Some(v),
        ..crate::dashboard::Feed::new("http://127.0.0.1:8545", Addr([1; 20]), Some(1))
    };
    let html = crate::dashboard::html::render(&crate::dashboard::html::ContestFragment::new(&feed));
    assert!(html.contains("id=\"contributions\""), "{html}");
    assert!(
        html.contains(&"cc".repeat(64)),
        "the transcript's hash is shown"
    );
    assert!(
        html.contains("/ceremony/transcript.ptau"),
        "the download link"
    );
}

mod shards;
