//! Registry events, decoded from the `sol!` types into `chain::types::Event`.

use super::convert::{config_of, fr_of_u256, frs, joined, u64_of, wei_of};
use super::Result;
use crate::chain::bindings::ContestRegistry::ContestRegistryEvents;
use crate::chain::types::{Addr, Event};
use alloy::primitives::U256;

/// The contest id and the decoded event.
pub(super) fn event_of(e: ContestRegistryEvents) -> Result<(u64, Event)> {
    use ContestRegistryEvents as E;
    Ok(match e {
        E::ContestCreated(e) => (
            u64_of(e.contestId),
            Event::ContestCreated {
                organiser: Addr(e.organiser.into_array()),
                prize: wei_of(e.prize),
                config: config_of(&e.params)?,
                verifier_code_hash: e.verifierCodeHash.0,
            },
        ),
        E::CeremonyOpened(e) => (
            u64_of(e.contestId),
            Event::CeremonyOpened {
                ceremony_deadline: u64_of(e.ceremonyDeadline),
            },
        ),
        E::CeremonyContribution(e) => (
            u64_of(e.contestId),
            Event::CeremonyContribution {
                contributor: Addr(e.contributor.into_array()),
                index: u64_of(e.index),
                contribution_hash: joined(&e.contributionHash),
            },
        ),
        E::VerifierFixed(e) => (
            u64_of(e.contestId),
            Event::VerifierFixed {
                verifier: Addr(e.verifier.into_array()),
                verifier_code_hash: e.verifierCodeHash.0,
                transcript_hash: joined(&e.transcriptHash),
                contributions: u64_of(e.contributions),
            },
        ),
        E::ModelCommitted(e) => (
            u64_of(e.contestId),
            Event::ModelCommitted {
                competitor: Addr(e.competitor.into_array()),
                commitment: fr_of_u256(e.commitment)?,
                commit_seq: u64_of(e.commitSeq),
                bond: wei_of(e.bond),
                replaced: e.replaced,
                committers: u64_of(e.committers),
            },
        ),
        E::TestSetChunkRevealed(e) => (
            u64_of(e.contestId),
            Event::TestSetChunkRevealed {
                chunk: u64_of(e.chunk),
                start: u64_of(e.start),
                state_after: fr_of_u256(e.stateAfter)?,
                elems: frs(e.elems)?,
            },
        ),
        E::TestSetRevealed(e) => (
            u64_of(e.contestId),
            Event::TestSetRevealed {
                count: u64_of(e.count),
                commitment: fr_of_u256(e.testSetCommitment)?,
                challenge_ends: u64_of(e.challengeEnds),
                proof_ends: u64_of(e.proofEnds),
            },
        ),
        E::TestSetChallenged(e) => (
            u64_of(e.contestId),
            Event::TestSetChallenged {
                chunk: u64_of(e.chunk),
                challenger: Addr(e.challenger.into_array()),
                malformed: (e.malformed != U256::MAX).then(|| u64_of(e.malformed)),
                reward: wei_of(e.reward),
            },
        ),
        E::TestSetRevealRestarted(e) => (
            u64_of(e.contestId),
            Event::TestSetRevealRestarted {
                discarded: u64_of(e.discarded),
            },
        ),
        E::ProofAccepted(e) => (
            u64_of(e.contestId),
            Event::ProofAccepted {
                competitor: Addr(e.competitor.into_array()),
                correct: u64_of(e.correct),
                ranked: e.ranked,
                qualifiers: u64_of(e.qualifiers),
                provers: u64_of(e.provers),
            },
        ),
        E::ShardProofAccepted(e) => (
            u64_of(e.contestId),
            Event::ShardProofAccepted {
                competitor: Addr(e.competitor.into_array()),
                shard: u64_of(e.shard),
                correct: u64_of(e.correct),
                shards_proved: u64_of(e.shardsProved),
            },
        ),
        E::ColumnVerifiersFixed(e) => (
            u64_of(e.contestId),
            Event::ColumnVerifiersFixed {
                model_verifier: Addr(e.modelVerifier.into_array()),
                model_code_hash: e.modelCodeHash.0,
                testset_verifier: (!e.testSetVerifier.is_zero())
                    .then(|| Addr(e.testSetVerifier.into_array())),
                testset_code_hash: e.testSetCodeHash.0,
            },
        ),
        E::ModelColumnOpened(e) => (
            u64_of(e.contestId),
            Event::ModelColumnOpened {
                competitor: Addr(e.competitor.into_array()),
                commitment: fr_of_u256(e.commitment)?,
                column: e.column.0,
            },
        ),
        E::TestSetColumnOpened(e) => (
            u64_of(e.contestId),
            Event::TestSetColumnOpened {
                shard: u64_of(e.shard),
                by: Addr(e.by.into_array()),
                column: e.column.0,
            },
        ),
        E::WinnerCalled(e) => (
            u64_of(e.contestId),
            Event::WinnerCalled {
                competitor: Addr(e.competitor.into_array()),
                position: u64_of(e.position),
                reveal_deadline: u64_of(e.revealDeadline),
            },
        ),
        E::ModelChunkRevealed(e) => (
            u64_of(e.contestId),
            Event::ModelChunkRevealed {
                competitor: Addr(e.competitor.into_array()),
                start: u64_of(e.start),
                count: e.elems.len() as u64,
            },
        ),
        E::ModelRevealed(e) => (
            u64_of(e.contestId),
            Event::ModelRevealed {
                competitor: Addr(e.competitor.into_array()),
                count: u64_of(e.count),
                bond_returned: wei_of(e.bondReturned),
            },
        ),
        E::ModelRevealRestarted(e) => (
            u64_of(e.contestId),
            Event::ModelRevealRestarted {
                competitor: Addr(e.competitor.into_array()),
                discarded: u64_of(e.discarded),
            },
        ),
        E::ModelDisqualified(e) => (
            u64_of(e.contestId),
            Event::ModelDisqualified {
                competitor: Addr(e.competitor.into_array()),
                fingerprint: fr_of_u256(e.fingerprint)?,
                owner: Addr(e.owner.into_array()),
                original_contest: u64_of(e.originalContest),
                original_committed_at: u64_of(e.originalCommittedAt),
                bond: wei_of(e.bond),
            },
        ),
        E::ModelForfeited(e) => (
            u64_of(e.contestId),
            Event::ModelForfeited {
                competitor: Addr(e.competitor.into_array()),
                reveal_deadline: u64_of(e.revealDeadline),
                bond: wei_of(e.bond),
            },
        ),
        E::BondPoolAwarded(e) => (
            u64_of(e.contestId),
            Event::BondPoolAwarded {
                to: Addr(e.to.into_array()),
                amount: wei_of(e.amount),
            },
        ),
        E::PrizeAwarded(e) => (
            u64_of(e.contestId),
            Event::PrizeAwarded {
                winner: Addr(e.winner.into_array()),
                place: u64_of(e.place),
                amount: wei_of(e.amount),
            },
        ),
        E::ContestSettled(e) => (
            u64_of(e.contestId),
            Event::ContestSettled {
                winners_paid: u64_of(e.winnersPaid),
                remainder: wei_of(e.remainder),
                remainder_to: Addr(e.remainderTo.into_array()),
            },
        ),
        E::Withdrawn(e) => (
            u64_of(e.contestId),
            Event::Withdrawn {
                account: Addr(e.account.into_array()),
                amount: wei_of(e.amount),
            },
        ),
    })
}
