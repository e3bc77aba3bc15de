//! The registry's views: a contest, its ceremony and its records, an entry and its shards, a
//! model's original, the ranking, what an account is owed.

use alloy::primitives::{Address, U256};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;

use super::convert::{config_of, fr_of_u256, joined, u256_of_fr, u64_of, wei_of};
use super::{abi, Registry, Result, LOG_WINDOW};
use crate::chain::types::{
    ceremony_log_step, Addr, CeremonyInfo, CeremonyRecord, ColumnVerifiers, ContestInfo, EntryInfo,
    EntryStatus, Event, OriginalInfo, Phase, Wei,
};
use crate::chain::ChainError;

impl Registry {
    /// Number of contests (the latest id).
    pub async fn contest_count(&self) -> Result<u64> {
        Ok(u64_of(
            self.view("contestCount", abi::contestCountCall {}).await?,
        ))
    }

    /// A contest's configuration and progress; `ContestNotFound` for an unknown id.
    pub async fn contest(&self, id: u64) -> Result<ContestInfo> {
        let v = self
            .view(
                "contest",
                abi::contestCall {
                    contestId: U256::from(id),
                },
            )
            .await?;
        Ok(ContestInfo {
            organiser: Addr(v.organiser.into_array()),
            config: config_of(&v.params)?,
            prize: wei_of(v.prize),
            phase: Phase::from_u8(v.phase),
            held: wei_of(v.held),
            test_set_revealed_count: u64_of(v.testSetRevealedCount),
            test_set_revealed: v.testSetRevealed,
            proof_ends: v.proofEnds,
            challenge_ends: v.challengeEnds,
            committers: u64_of(v.committers),
            qualifiers: u64_of(v.qualifiers),
            provers: u64_of(v.provers),
            winners_paid: u64_of(v.winnersPaid),
            prize_paid: wei_of(v.prizePaid),
            created_block: v.createdBlock,
            verifier_code_hash: v.verifierCodeHash.0,
            bond_pool: wei_of(v.bondPool),
            round_deadline: v.roundDeadline,
        })
    }

    /// Contest `id`'s ceremony (all zero for a contest created with a finished SRS).
    pub async fn ceremony(&self, id: u64) -> Result<CeremonyInfo> {
        let v = self
            .view(
                "ceremony",
                abi::ceremonyCall {
                    contestId: U256::from(id),
                },
            )
            .await?;
        Ok(CeremonyInfo {
            deadline: v.deadline,
            contributions: u64::from(v.contributions),
            log: v.log.0,
            fixed_at: v.fixedAt,
            transcript_hash: joined(&v.transcriptHash),
        })
    }

    /// Every contribution recorded in contest `id`'s ceremony, in order, read from its events
    /// and checked against the registry's running digest (so a node that leaves one out, or
    /// makes one up, is caught).
    pub async fn ceremony_records(&self, id: u64) -> Result<Vec<CeremonyRecord>> {
        let info = self.ceremony(id).await?;
        if info.contributions == 0 {
            return Ok(Vec::new());
        }
        let created = self.contest(id).await?.created_block;
        let (head, _) = self.head().await?;
        let records: Vec<CeremonyRecord> = self
            .events_paged(Some(id), created, head, LOG_WINDOW)
            .await?
            .into_iter()
            .filter_map(|l| match l.event {
                Event::CeremonyContribution {
                    contributor,
                    index,
                    contribution_hash,
                } => Some(CeremonyRecord {
                    index,
                    contributor,
                    contribution_hash,
                }),
                _ => None,
            })
            .collect();
        let log = records.iter().fold([0u8; 32], |log, r| {
            ceremony_log_step(&log, r.contributor, &r.contribution_hash)
        });
        let in_order = records.iter().enumerate().all(|(i, r)| r.index == i as u64);
        if !in_order || records.len() as u64 != info.contributions || log != info.log {
            return Err(ChainError::Decode {
                what: "ceremony contributions",
                detail: format!(
                    "the node returned {} contribution events whose digest is 0x{}; the registry \
                     records {} with digest 0x{} (events missing or made up)",
                    records.len(),
                    hex::encode(log),
                    info.contributions,
                    hex::encode(info.log)
                ),
            });
        }
        Ok(records)
    }

    /// One competitor's entry.
    pub async fn entry(&self, id: u64, competitor: Addr) -> Result<EntryInfo> {
        let v = self
            .view(
                "entry",
                abi::entryCall {
                    contestId: U256::from(id),
                    competitor: Address::from(competitor.0),
                },
            )
            .await?;
        Ok(EntryInfo {
            status: EntryStatus::from_u8(v.status),
            commitment: fr_of_u256(v.commitment)?,
            commit_seq: u64_of(v.commitSeq),
            correct: u64_of(v.correct),
            reveal_deadline: u64_of(v.revealDeadline),
            revealed_count: u64_of(v.revealedCount),
            committed_at: u64_of(v.committedAt),
            shards_proved: u64_of(v.shardsProved),
        })
    }

    /// Shard `index`'s commitment `T_s` as the registry recorded it (zero until the shard is
    /// revealed; `T` for a one-shard contest), and `competitor`'s accepted count on it, if any.
    pub async fn shard_info(
        &self,
        id: u64,
        index: u64,
        competitor: Addr,
    ) -> Result<(Fr, Option<u64>)> {
        let v = self
            .view(
                "shardInfo",
                abi::shardInfoCall {
                    contestId: U256::from(id),
                    index: U256::from(index),
                    competitor: Address::from(competitor.0),
                },
            )
            .await?;
        Ok((
            fr_of_u256(v.testSetCommitment)?,
            v.proved.then(|| u64_of(v.correct)),
        ))
    }

    /// The contest's shared-column verifiers (none for a contest created without).
    pub async fn column_verifiers(&self, id: u64) -> Result<Option<ColumnVerifiers>> {
        let v = self
            .view(
                "columnVerifiers",
                abi::columnVerifiersCall {
                    contestId: U256::from(id),
                },
            )
            .await?;
        Ok((!v.modelVerifier.is_zero()).then(|| ColumnVerifiers {
            model: Addr(v.modelVerifier.into_array()),
            model_code_hash: v.modelCodeHash.0,
            testset: (!v.testSetVerifier.is_zero()).then(|| Addr(v.testSetVerifier.into_array())),
            testset_code_hash: v.testSetCodeHash.0,
        }))
    }

    /// Whether a model or test-set proof opened the column of `key`
    /// ([`crate::chain::types::model_column_key`], [`crate::chain::types::rows_column_key`]).
    pub async fn column_opened(&self, id: u64, key: [u8; 32]) -> Result<bool> {
        self.view(
            "columnOpened",
            abi::columnOpenedCall {
                contestId: U256::from(id),
                key: key.into(),
            },
        )
        .await
    }

    /// The earliest-committed revealed entry of model `fingerprint` (the model chain's state
    /// before the salt), registry-wide; `None` if no entry revealed it here.
    pub async fn original(&self, fingerprint: &Fr) -> Result<Option<OriginalInfo>> {
        let v = self
            .view(
                "original",
                abi::originalCall {
                    fingerprint: u256_of_fr(fingerprint),
                },
            )
            .await?;
        Ok((v.owner != Address::ZERO).then(|| OriginalInfo {
            owner: Addr(v.owner.into_array()),
            contest_id: u64_of(v.contestId),
            committed_at: u64_of(v.committedAt),
        }))
    }

    /// The ranked entries, best first: address, `correct`, commit sequence number.
    pub async fn ranking(&self, id: u64) -> Result<Vec<(Addr, u64, u64)>> {
        let r = self
            .view(
                "ranking",
                abi::rankingCall {
                    contestId: U256::from(id),
                },
            )
            .await?;
        Ok(r.competitors
            .into_iter()
            .zip(r.correct)
            .zip(r.commitSeq)
            .map(|((a, c), s)| (Addr(a.into_array()), u64_of(c), u64_of(s)))
            .collect())
    }

    /// What `account` could withdraw now.
    pub async fn owed(&self, id: u64, account: Addr) -> Result<Wei> {
        let v = self
            .view(
                "owed",
                abi::owedCall {
                    contestId: U256::from(id),
                    account: Address::from(account.0),
                },
            )
            .await?;
        Ok(wei_of(v))
    }
}
