//! The optimistic test-set reveal, from a competitor's (or anyone's) side (PROTOCOL §14.3): the
//! organiser posts chunks with claimed Poseidon states that the registry does not compute; in
//! the challenge window anyone recomputes them from the chain's events and challenges a chunk
//! whose claim is wrong or which holds an element that does not decode. One such chunk makes
//! the organiser default.

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use serde::Serialize;

use super::{ContestError, Result};
use crate::chain::registry::{Registry, LOG_WINDOW};
use crate::chain::types::{Event, Phase, Tx};
use crate::commit::{fr_from_hex, fr_to_hex, Chain, TESTSET_TAG};
use crate::spec::{first_malformed, Spec};

/// One test-set chunk as posted (after the last restart).
#[derive(Clone, Debug, PartialEq)]
pub struct PostedChunk {
    /// Its index.
    pub chunk: u64,
    /// Its first element's index in the test set.
    pub start: u64,
    /// The claim it starts from: the previous chunk's claim, or the tag for the first.
    pub state_before: Fr,
    /// The organiser's claim after it.
    pub state_after: Fr,
    /// Its elements.
    pub elems: Vec<Fr>,
}

/// What is wrong with a chunk: the grounds of a challenge.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Fault {
    /// Element `index` of the test set does not decode per the spec's layout.
    Malformed {
        /// Its index in the whole test set.
        index: u64,
    },
    /// The chunk's elements absorb to `computed`, not to the claimed state.
    WrongState {
        /// The state they absorb to, hex.
        computed: String,
        /// The organiser's claim, hex.
        claimed: String,
    },
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Malformed { index } => {
                write!(f, "element {index} does not decode per the spec's layout")
            }
            Self::WrongState { computed, claimed } => write!(
                f,
                "its elements absorb to {computed}, but the organiser claimed {claimed}"
            ),
        }
    }
}

/// The test-set chunks of contest `id` (created in block `created_block`) posted since the last
/// restart, in order, read from the registry's events; each chunk's `state_before` is the
/// previous chunk's claim, or the tag for a shard's first chunk (shards of `shard_len`
/// elements, [`crate::spec::shard_len`]; PROTOCOL §14.1), as the registry records it.
pub async fn posted_chunks(
    registry: &Registry,
    id: u64,
    created_block: u64,
    shard_len: usize,
) -> Result<Vec<PostedChunk>> {
    let shard_len = shard_len.max(1) as u64;
    let (head, _) = registry.head().await?;
    let tag = fr_from_hex(TESTSET_TAG).map_err(ContestError::input)?;
    let mut chunks: Vec<PostedChunk> = Vec::new();
    for logged in registry
        .events_paged(Some(id), created_block, head, LOG_WINDOW)
        .await?
    {
        match logged.event {
            Event::TestSetRevealRestarted { .. } => chunks.clear(),
            Event::TestSetChunkRevealed {
                chunk,
                start,
                state_after,
                elems,
            } => {
                let (next, mut state_before) = chunks.last().map_or((0, tag), |c| {
                    (c.start + c.elems.len() as u64, c.state_after)
                });
                if start % shard_len == 0 && !elems.is_empty() {
                    state_before = tag;
                }
                if start != next || chunk != chunks.len() as u64 {
                    return Err(ContestError::State(format!(
                        "test-set chunk {chunk} at block {} starts at element {start}; expected \
                         chunk {} at element {next}",
                        logged.block,
                        chunks.len()
                    )));
                }
                chunks.push(PostedChunk {
                    chunk,
                    start,
                    state_before,
                    state_after,
                    elems,
                });
            }
            _ => {}
        }
    }
    Ok(chunks)
}

/// The first chunk that can be challenged, and why: a chunk holding the set's first element
/// that does not decode, else the first chunk whose elements do not absorb to its claim from
/// the previous claim. `None`: every claim is right and the set decodes, so the posted data
/// is exactly what `T` commits to (the registry checked the final claim against `T`).
pub fn first_fault(spec: &Spec, chunks: &[PostedChunk]) -> Result<Option<(usize, Fault)>> {
    let elems: Vec<Fr> = chunks
        .iter()
        .flat_map(|c| c.elems.iter().copied())
        .collect();
    if let Some(index) = first_malformed(spec, &elems).map_err(ContestError::input)? {
        let at = chunks
            .iter()
            .position(|c| (index as u64) < c.start + c.elems.len() as u64);
        if let Some(i) = at {
            let index = index as u64;
            return Ok(Some((i, Fault::Malformed { index })));
        }
    }
    Ok(first_wrong_claim(chunks))
}

/// The first chunk whose elements do not absorb, from the claim before it, to its own claim.
/// `None` means (by induction over the chunks) that every claim is the chain's true state.
pub fn first_wrong_claim(chunks: &[PostedChunk]) -> Option<(usize, Fault)> {
    chunks.iter().enumerate().find_map(|(i, c)| {
        let mut chain = Chain::new(c.state_before);
        chain.absorb_all(&c.elems);
        (chain.state() != c.state_after).then(|| {
            let fault = Fault::WrongState {
                computed: fr_to_hex(&chain.state()),
                claimed: fr_to_hex(&c.state_after),
            };
            (i, fault)
        })
    })
}

/// Outcome of `challenge-testset`.
#[derive(Clone, Debug, Serialize)]
pub struct ChallengeReport {
    /// Chunks checked.
    pub chunks: usize,
    /// The chunk challenged, if any.
    pub chunk: Option<u64>,
    /// Why.
    pub fault: Option<Fault>,
    /// The challenge transaction.
    pub tx: Option<Tx>,
}

/// Checks every posted chunk of contest `id` against the spec and, if one is wrong, challenges
/// it (the organiser defaults and the sender is credited the reward). Nothing is sent when
/// every chunk checks out; outside the challenge window a wrong chunk is an error.
pub async fn challenge_testset(
    registry: &Registry,
    id: u64,
    spec: &Spec,
) -> Result<ChallengeReport> {
    let info = registry.contest(id).await?;
    let shard_len = crate::spec::shard_len(spec).map_err(ContestError::input)?;
    let chunks = posted_chunks(registry, id, info.created_block, shard_len).await?;
    let Some((i, fault)) = first_fault(spec, &chunks)? else {
        return Ok(ChallengeReport {
            chunks: chunks.len(),
            chunk: None,
            fault: None,
            tx: None,
        });
    };
    let c = &chunks[i];
    if info.phase != Phase::TestSetChallenge {
        return Err(ContestError::WrongPhase {
            action: "challenge the test set",
            phase: info.phase,
            detail: format!(
                "test-set chunk {} is wrong ({fault}), but chunks can be challenged only in the \
                 challenge window, after the final chunk and until {}",
                c.chunk, info.challenge_ends
            ),
        });
    }
    let tx = registry
        .challenge_test_set(
            id,
            c.chunk,
            c.start,
            &c.state_before,
            &c.state_after,
            &c.elems,
        )
        .await?;
    Ok(ChallengeReport {
        chunks: chunks.len(),
        chunk: Some(c.chunk),
        fault: Some(fault),
        tx: Some(tx),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{testset_elements, TestSet};
    use std::path::Path;

    fn mini() -> (Spec, Vec<Fr>) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let spec = Spec::from_path(&root.join("tests/fixtures/mini-contest")).expect("spec");
        let set = TestSet::from_path(
            &root.join("tests/fixtures/mini-contest/mini-test.zkts"),
            &spec,
        )
        .expect("test set");
        let elems = testset_elements(&spec, &set).expect("elements");
        (spec, elems)
    }

    /// Chunks of `size` elements with honest claims.
    fn honest(elems: &[Fr], size: usize) -> Vec<PostedChunk> {
        let mut chain = Chain::new(fr_from_hex(TESTSET_TAG).expect("tag"));
        let mut out = Vec::new();
        for (i, part) in elems.chunks(size).enumerate() {
            let state_before = chain.state();
            chain.absorb_all(part);
            out.push(PostedChunk {
                chunk: i as u64,
                start: (i * size) as u64,
                state_before,
                state_after: chain.state(),
                elems: part.to_vec(),
            });
        }
        out
    }

    #[test]
    fn honest_chunks_have_no_fault_and_each_tampering_is_found_in_its_chunk() {
        let (spec, elems) = mini();
        assert!(elems.len() >= 3, "the fixture has {} elements", elems.len());
        let chunks = honest(&elems, 2);
        assert_eq!(first_fault(&spec, &chunks).expect("check"), None);

        // A wrong claim in the last chunk.
        let mut wrong = chunks.clone();
        let last = wrong.len() - 1;
        wrong[last].state_after = Fr::from(7);
        match first_fault(&spec, &wrong).expect("check") {
            Some((i, Fault::WrongState { claimed, .. })) => {
                assert_eq!(i, last);
                assert_eq!(claimed, fr_to_hex(&Fr::from(7)));
            }
            other => panic!("expected a wrong state in chunk {last}, got {other:?}"),
        }

        // An element that does not decode (bit 250 set: past any value), chain kept honest
        // from there on so that only the decoding can tell.
        let mut bad = elems.clone();
        bad[1] += (0..250).fold(Fr::from(1), |acc, _| acc + acc);
        let tampered = honest(&bad, 2);
        assert_eq!(
            first_fault(&spec, &tampered).expect("check"),
            Some((0, Fault::Malformed { index: 1 }))
        );
    }
}
