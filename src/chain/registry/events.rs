//! Registry events, decoded from the abigen types into `chain::types::Event`.

use super::{config_of, fr_of_u256, frs, joined, wei_of, Result};
use crate::chain::bindings::ContestRegistryContractEvents;
use crate::chain::types::{Addr, Event};

/// The contest id and the decoded event.
pub(super) fn event_of(e: ContestRegistryContractEvents) -> Result<(u64, Event)> {
    use ContestRegistryContractEvents as E;
    Ok(match e {
        E::ContestCreatedFilter(e) => (
            e.contest_id.as_u64(),
            Event::ContestCreated {
                organiser: Addr(e.organiser.0),
                prize: wei_of(e.prize),
                config: config_of(&e.params)?,
                verifier_code_hash: e.verifier_code_hash,
            },
        ),
        E::CeremonyOpenedFilter(e) => (
            e.contest_id.as_u64(),
            Event::CeremonyOpened {
                ceremony_deadline: e.ceremony_deadline.as_u64(),
            },
        ),
        E::CeremonyContributionFilter(e) => (
            e.contest_id.as_u64(),
            Event::CeremonyContribution {
                contributor: Addr(e.contributor.0),
                index: e.index.as_u64(),
                contribution_hash: joined(&e.contribution_hash),
            },
        ),
        E::VerifierFixedFilter(e) => (
            e.contest_id.as_u64(),
            Event::VerifierFixed {
                verifier: Addr(e.verifier.0),
                verifier_code_hash: e.verifier_code_hash,
                transcript_hash: joined(&e.transcript_hash),
                contributions: e.contributions.as_u64(),
            },
        ),
        E::ModelCommittedFilter(e) => (
            e.contest_id.as_u64(),
            Event::ModelCommitted {
                competitor: Addr(e.competitor.0),
                commitment: fr_of_u256(e.commitment)?,
                commit_seq: e.commit_seq.as_u64(),
                bond: wei_of(e.bond),
                replaced: e.replaced,
                committers: e.committers.as_u64(),
            },
        ),
        E::TestSetChunkRevealedFilter(e) => (
            e.contest_id.as_u64(),
            Event::TestSetChunkRevealed {
                start: e.start.as_u64(),
                elems: frs(e.elems)?,
            },
        ),
        E::TestSetRevealedFilter(e) => (
            e.contest_id.as_u64(),
            Event::TestSetRevealed {
                count: e.count.as_u64(),
                commitment: fr_of_u256(e.test_set_commitment)?,
                proof_ends: e.proof_ends.as_u64(),
            },
        ),
        E::TestSetRevealRestartedFilter(e) => (
            e.contest_id.as_u64(),
            Event::TestSetRevealRestarted {
                discarded: e.discarded.as_u64(),
            },
        ),
        E::ProofAcceptedFilter(e) => (
            e.contest_id.as_u64(),
            Event::ProofAccepted {
                competitor: Addr(e.competitor.0),
                correct: e.correct.as_u64(),
                ranked: e.ranked,
                qualifiers: e.qualifiers.as_u64(),
                provers: e.provers.as_u64(),
            },
        ),
        E::WinnerCalledFilter(e) => (
            e.contest_id.as_u64(),
            Event::WinnerCalled {
                competitor: Addr(e.competitor.0),
                position: e.position.as_u64(),
                reveal_deadline: e.reveal_deadline.as_u64(),
            },
        ),
        E::ModelChunkRevealedFilter(e) => (
            e.contest_id.as_u64(),
            Event::ModelChunkRevealed {
                competitor: Addr(e.competitor.0),
                start: e.start.as_u64(),
                count: e.elems.len() as u64,
            },
        ),
        E::ModelRevealedFilter(e) => (
            e.contest_id.as_u64(),
            Event::ModelRevealed {
                competitor: Addr(e.competitor.0),
                count: e.count.as_u64(),
                bond_returned: wei_of(e.bond_returned),
            },
        ),
        E::ModelRevealRestartedFilter(e) => (
            e.contest_id.as_u64(),
            Event::ModelRevealRestarted {
                competitor: Addr(e.competitor.0),
                discarded: e.discarded.as_u64(),
            },
        ),
        E::ModelDisqualifiedFilter(e) => (
            e.contest_id.as_u64(),
            Event::ModelDisqualified {
                competitor: Addr(e.competitor.0),
                fingerprint: fr_of_u256(e.fingerprint)?,
                owner: Addr(e.owner.0),
                original_contest: e.original_contest.as_u64(),
                original_committed_at: e.original_committed_at.as_u64(),
                bond: wei_of(e.bond),
            },
        ),
        E::ModelForfeitedFilter(e) => (
            e.contest_id.as_u64(),
            Event::ModelForfeited {
                competitor: Addr(e.competitor.0),
                reveal_deadline: e.reveal_deadline.as_u64(),
                bond: wei_of(e.bond),
            },
        ),
        E::BondPoolAwardedFilter(e) => (
            e.contest_id.as_u64(),
            Event::BondPoolAwarded {
                to: Addr(e.to.0),
                amount: wei_of(e.amount),
            },
        ),
        E::PrizeAwardedFilter(e) => (
            e.contest_id.as_u64(),
            Event::PrizeAwarded {
                winner: Addr(e.winner.0),
                place: e.place.as_u64(),
                amount: wei_of(e.amount),
            },
        ),
        E::ContestSettledFilter(e) => (
            e.contest_id.as_u64(),
            Event::ContestSettled {
                winners_paid: e.winners_paid.as_u64(),
                remainder: wei_of(e.remainder),
                remainder_to: Addr(e.remainder_to.0),
            },
        ),
        E::WithdrawnFilter(e) => (
            e.contest_id.as_u64(),
            Event::Withdrawn {
                account: Addr(e.account.0),
                amount: wei_of(e.amount),
            },
        ),
    })
}
