//! `ContestRegistry` through its `sol!` bindings: deploy (PoseidonT3 + registry), every
//! transaction (simulated first, so a revert comes back as the contract's custom error, never
//! as raw hex and never as a paid failed transaction), views, and decoded events.

use alloy::consensus::Transaction as _;
use alloy::primitives::{Address, B256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::{BlockNumberOrTag, Filter, Log};
use alloy::sol_types::{SolCall, SolEventInterface};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;

use super::bindings::{
    self,
    ContestRegistry::{self as abi, ContestRegistryEvents},
};
use super::client::{CallOutcome, Client, Deployed};
use super::types::{Addr, Blake2b, ContestConfig, Logged, Tx, Wei};
use super::{ChainError, Result};

mod convert;
mod events;
mod views;

pub use convert::decode_revert;
use convert::{
    annex_address, annex_creation, artifact_bytecode, halves, params_of, registry_creation,
    reverted, tx_hash, u256_of_fr, u64_of, wei_of,
};
use events::event_of;

/// Gas for `submitProof`: the registry forwards 3,000,000 to the verifier and needs that much
/// left (EIP-150 keeps 1/64 back), plus its own bookkeeping (~64k measured).
pub const SUBMIT_GAS: u64 = 3_400_000;

/// Test-set or model elements per reveal transaction: 19.4k gas per element (measured), so a
/// chunk stays near 5M gas, well inside any block.
pub const REVEAL_CHUNK: usize = 256;

/// Blocks per `eth_getLogs` request when a contest's whole history is read.
pub const LOG_WINDOW: u64 = 10_000;

/// The registry, bound to a signing client.
#[derive(Clone, Debug)]
pub struct Registry {
    client: Client,
    address: Addr,
}

/// What deploying a registry cost.
#[derive(Clone, Copy, Debug)]
pub struct RegistryDeployment {
    /// The PoseidonT3 library.
    pub poseidon: Deployed,
    /// The registry.
    pub registry: Deployed,
}

impl Registry {
    /// Deploys PoseidonT3 and a `ContestRegistry` using it.
    pub async fn deploy(client: &Client) -> Result<(Self, RegistryDeployment)> {
        let poseidon_code = artifact_bytecode(bindings::POSEIDON_T3_ARTIFACT)?;
        let poseidon = client.deploy(&poseidon_code).await?;
        let registry = client
            .deploy(&registry_creation(Addr(poseidon.address))?)
            .await?;
        let this = Self::at(client, Addr(registry.address)).await?;
        Ok((this, RegistryDeployment { poseidon, registry }))
    }

    /// The registry at `address`; checks that code is there and answers `contestCount()`.
    pub async fn at(client: &Client, address: Addr) -> Result<Self> {
        let code = client.code(address.0).await?;
        if code.is_empty() {
            return Err(ChainError::NoRegistry {
                address: address.to_string(),
                url: client.url().into(),
            });
        }
        let this = Self {
            client: client.clone(),
            address,
        };
        this.view("contestCount", abi::contestCountCall {})
            .await
            .map_err(|_| ChainError::NoRegistry {
                address: address.to_string(),
                url: client.url().into(),
            })?;
        Ok(this)
    }

    /// Its address.
    pub fn address(&self) -> Addr {
        self.address
    }

    /// The signing client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Creates a contest with `prize` in escrow; returns its id.
    pub async fn create_contest(&self, config: &ContestConfig, prize: Wei) -> Result<(u64, Tx)> {
        let call = abi::createContestCall {
            p: params_of(config),
        };
        let (tx, events) = self.send("createContest", call, prize.0, None).await?;
        let id = events
            .iter()
            .find_map(|e| match e {
                ContestRegistryEvents::ContestCreated(e) => Some(u64_of(e.contestId)),
                _ => None,
            })
            .ok_or_else(|| ChainError::MissingEvent {
                event: "ContestCreated",
                tx: tx.hash.clone(),
            })?;
        Ok((id, tx))
    }

    /// Creates a contest whose shard proofs share columns (PROTOCOL §14.2.1): `config.verifier`
    /// checks shard proofs, `model_verifier` model proofs, `testset_verifier` (if any) test-set
    /// proofs; returns its id.
    pub async fn create_shared_contest(
        &self,
        config: &ContestConfig,
        prize: Wei,
        model_verifier: Addr,
        testset_verifier: Option<Addr>,
    ) -> Result<(u64, Tx)> {
        let call = abi::createSharedContestCall {
            p: params_of(config),
            modelVerifier: Address::from(model_verifier.0),
            testSetVerifier: Address::from(testset_verifier.unwrap_or(Addr([0; 20])).0),
        };
        let (tx, events) = self
            .send("createSharedContest", call, prize.0, None)
            .await?;
        let id = events
            .iter()
            .find_map(|e| match e {
                ContestRegistryEvents::ColumnVerifiersFixed(e) => Some(u64_of(e.contestId)),
                _ => None,
            })
            .ok_or_else(|| ChainError::MissingEvent {
                event: "ColumnVerifiersFixed",
                tx: tx.hash.clone(),
            })?;
        Ok((id, tx))
    }

    /// Creates a ceremony contest (no verifier yet: `config.verifier` and the digests must be
    /// zero) whose ceremony takes contributions until `ceremony_deadline`; returns its id.
    pub async fn create_ceremony_contest(
        &self,
        config: &ContestConfig,
        prize: Wei,
        ceremony_deadline: u64,
    ) -> Result<(u64, Tx)> {
        let call = abi::createCeremonyContestCall {
            p: params_of(config),
            ceremonyDeadline: ceremony_deadline,
        };
        let (tx, events) = self
            .send("createCeremonyContest", call, prize.0, None)
            .await?;
        let id = events
            .iter()
            .find_map(|e| match e {
                ContestRegistryEvents::CeremonyOpened(e) => Some(u64_of(e.contestId)),
                _ => None,
            })
            .ok_or_else(|| ChainError::MissingEvent {
                event: "CeremonyOpened",
                tx: tx.hash.clone(),
            })?;
        Ok((id, tx))
    }

    /// Records the sender's contribution (its contribution hash) to contest `id`'s ceremony.
    pub async fn contribute_to_ceremony(&self, id: u64, hash: &Blake2b) -> Result<Tx> {
        let call = abi::contributeToCeremonyCall {
            contestId: U256::from(id),
            contributionHash: halves(hash),
        };
        Ok(self.send("contributeToCeremony", call, 0, None).await?.0)
    }

    /// Fixes a ceremony contest's verifier (organiser, after the ceremony's deadline).
    pub async fn fix_verifier(
        &self,
        id: u64,
        verifier: Addr,
        vk_digest: [u8; 32],
        srs_digest: [u8; 32],
        transcript: &Blake2b,
    ) -> Result<Tx> {
        let call = abi::fixVerifierCall {
            contestId: U256::from(id),
            verifier: Address::from(verifier.0),
            vkDigest: B256::from(vk_digest),
            srsDigest: B256::from(srs_digest),
            transcriptHash: halves(transcript),
        };
        Ok(self.send("fixVerifier", call, 0, None).await?.0)
    }

    /// Commits (or replaces) the sender's model commitment, paying `bond`.
    pub async fn commit_model(&self, id: u64, commitment: Fr, bond: Wei) -> Result<Tx> {
        let call = abi::commitModelCall {
            contestId: U256::from(id),
            commitment: u256_of_fr(&commitment),
        };
        Ok(self.send("commitModel", call, bond.0, None).await?.0)
    }

    /// Posts one chunk of the test set with the claimed chain state after it (PROTOCOL §14.3).
    pub async fn reveal_test_set(
        &self,
        id: u64,
        elems: &[Fr],
        state_after: Fr,
        last: bool,
    ) -> Result<Tx> {
        let call = abi::revealTestSetCall {
            contestId: U256::from(id),
            elems: elems.iter().map(u256_of_fr).collect(),
            stateAfter: u256_of_fr(&state_after),
            last,
        };
        Ok(self.send("revealTestSet", call, 0, None).await?.0)
    }

    /// Challenges chunk `chunk` of a revealed test set, given as posted: its first element's
    /// index, the claimed states before and after it, and its elements.
    pub async fn challenge_test_set(
        &self,
        id: u64,
        chunk: u64,
        start: u64,
        state_before: &Fr,
        state_after: &Fr,
        elems: &[Fr],
    ) -> Result<Tx> {
        let call = abi::challengeTestSetCall {
            contestId: U256::from(id),
            chunk: U256::from(chunk),
            start: U256::from(start),
            stateBefore: u256_of_fr(state_before),
            stateAfter: u256_of_fr(state_after),
            elems: elems.iter().map(u256_of_fr).collect(),
        };
        Ok(self.send("challengeTestSet", call, 0, None).await?.0)
    }

    /// Discards a partial test-set reveal.
    pub async fn restart_test_set_reveal(&self, id: u64) -> Result<Tx> {
        let call = abi::restartTestSetRevealCall {
            contestId: U256::from(id),
        };
        Ok(self.send("restartTestSetReveal", call, 0, None).await?.0)
    }

    /// Submits a proof of `correct` (below the threshold too: the entry is then scored, not
    /// ranked, and gets its bond back). The rank hint is computed from the ranking just before
    /// sending ([`Registry::rank_hint`]); a proof that lands after another the registry walks
    /// on from the hint.
    pub async fn submit_proof(&self, id: u64, correct: u64, proof: &[u8]) -> Result<Tx> {
        let hint = self.own_rank_hint(id, correct).await?;
        let call = abi::submitProofCall {
            contestId: U256::from(id),
            correct: U256::from(correct),
            proof: proof.to_vec().into(),
            rankHint: Address::from(hint.0),
        };
        Ok(self.send("submitProof", call, 0, Some(SUBMIT_GAS)).await?.0)
    }

    /// Submits the proof of shard `shard` (PROTOCOL §14.1): `correct` rows of that shard. The
    /// rank hint is for the entry's sum with this shard (used only with its last shard).
    pub async fn submit_shard_proof(
        &self,
        id: u64,
        shard: u64,
        correct: u64,
        proof: &[u8],
    ) -> Result<Tx> {
        let hint = self.own_rank_hint(id, correct).await?;
        let call = abi::submitShardProofCall {
            contestId: U256::from(id),
            shard: U256::from(shard),
            correct: U256::from(correct),
            proof: proof.to_vec().into(),
            rankHint: Address::from(hint.0),
        };
        Ok(self
            .send("submitShardProof", call, 0, Some(SUBMIT_GAS))
            .await?
            .0)
    }

    /// Submits the sender's model proof (PROTOCOL §14.2.1): the registry records its first
    /// point as the sender's model column for its commitment.
    pub async fn submit_model_proof(&self, id: u64, proof: &[u8]) -> Result<Tx> {
        let call = abi::submitModelProofCall {
            contestId: U256::from(id),
            proof: proof.to_vec().into(),
        };
        Ok(self
            .send("submitModelProof", call, 0, Some(SUBMIT_GAS))
            .await?
            .0)
    }

    /// Submits a test-set proof of shard `shard`: the registry records its first point as a rows
    /// column of the shard, for every entry.
    pub async fn submit_testset_proof(&self, id: u64, shard: u64, proof: &[u8]) -> Result<Tx> {
        let call = abi::submitTestSetProofCall {
            contestId: U256::from(id),
            shard: U256::from(shard),
            proof: proof.to_vec().into(),
        };
        Ok(self
            .send("submitTestSetProof", call, 0, Some(SUBMIT_GAS))
            .await?
            .0)
    }

    /// The hint for the sender's entry once `correct` more rows are added to what it proved.
    async fn own_rank_hint(&self, id: u64, correct: u64) -> Result<Addr> {
        let me = Addr(self.client.address());
        let e = self.entry(id, me).await?;
        Ok(rank_hint(
            &self.ranking(id).await?,
            e.correct + correct,
            e.commit_seq,
        ))
    }

    /// Posts one chunk of the sender's model.
    pub async fn reveal_model(&self, id: u64, elems: &[Fr], last: bool) -> Result<Tx> {
        let call = abi::revealModelCall {
            contestId: U256::from(id),
            elems: elems.iter().map(u256_of_fr).collect(),
            last,
        };
        Ok(self.send("revealModel", call, 0, None).await?.0)
    }

    /// Discards the sender's partial model reveal.
    pub async fn restart_model_reveal(&self, id: u64) -> Result<Tx> {
        let call = abi::restartModelRevealCall {
            contestId: U256::from(id),
        };
        Ok(self.send("restartModelReveal", call, 0, None).await?.0)
    }

    /// Closes the ranking (after the proof deadline).
    pub async fn close_ranking(&self, id: u64) -> Result<Tx> {
        let call = abi::closeRankingCall {
            contestId: U256::from(id),
        };
        Ok(self.send("closeRanking", call, 0, None).await?.0)
    }

    /// Ends the current reveal round once its deadline has passed: forfeits every called entry
    /// that did not reveal and calls the next ones together.
    pub async fn forfeit(&self, id: u64) -> Result<Tx> {
        let call = abi::forfeitCall {
            contestId: U256::from(id),
        };
        Ok(self.send("forfeit", call, 0, None).await?.0)
    }

    /// Withdraws everything the sender is owed; returns the amount.
    pub async fn withdraw(&self, id: u64) -> Result<(Wei, Tx)> {
        let call = abi::withdrawCall {
            contestId: U256::from(id),
        };
        let amount = wei_of(self.view("withdraw", call.clone()).await?);
        Ok((amount, self.send("withdraw", call, 0, None).await?.0))
    }

    /// The PoseidonT3 library the registry hashes with.
    pub async fn poseidon(&self) -> Result<Addr> {
        Ok(Addr(
            self.view("poseidon", abi::poseidonCall {})
                .await?
                .into_array(),
        ))
    }

    /// The runtime code a genuine `ContestRegistry` built from this binary's artifact has when
    /// constructed with `poseidon`: the creation code run by `eth_call` (no transaction), so the
    /// node computes it exactly as a deployment would, immutables included.
    pub async fn genuine_runtime(client: &Client, poseidon: Addr) -> Result<Vec<u8>> {
        client.call_creation(&registry_creation(poseidon)?).await
    }

    /// Where this registry's constructor created its `RegistryAnnex` (`CREATE(registry, 1)`): the
    /// registry DELEGATECALLs that address, whatever code it holds.
    pub fn annex_address(&self) -> Addr {
        annex_address(self.address())
    }

    /// The runtime code a genuine `RegistryAnnex` built from this binary's artifact has when
    /// constructed with `poseidon` (as a genuine registry's constructor creates it).
    pub async fn genuine_annex_runtime(client: &Client, poseidon: Addr) -> Result<Vec<u8>> {
        client.call_creation(&annex_creation(poseidon)?).await
    }

    /// The runtime code of npm `poseidon-solidity`'s `PoseidonT3` as this binary deploys it
    /// (its bytes 1..21, the library's own address, depend on where it is deployed).
    pub async fn genuine_poseidon_runtime(client: &Client) -> Result<Vec<u8>> {
        client
            .call_creation(&artifact_bytecode(bindings::POSEIDON_T3_ARTIFACT)?)
            .await
    }

    /// The latest block's number and timestamp.
    pub async fn head(&self) -> Result<(u64, u64)> {
        let block = self
            .client
            .provider()
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await
            .map_err(|e| self.client.rpc_err("eth_getBlockByNumber", e))?
            .ok_or_else(|| {
                self.client
                    .rpc_err("eth_getBlockByNumber", "no latest block")
            })?;
        Ok((block.header.number, block.header.timestamp))
    }

    /// A block's timestamp.
    pub async fn block_timestamp(&self, number: u64) -> Result<u64> {
        let block = self
            .client
            .provider()
            .get_block_by_number(BlockNumberOrTag::Number(number))
            .await
            .map_err(|e| self.client.rpc_err("eth_getBlockByNumber", e))?
            .ok_or_else(|| self.client.rpc_err("eth_getBlockByNumber", "unknown block"))?;
        Ok(block.header.timestamp)
    }

    /// The events of contest `id` (or of every contest) in blocks `from ..= to`, in log order,
    /// read in windows of at most `window` blocks per `eth_getLogs` request (hosted endpoints
    /// cap the range of one request; 10,000 blocks is a common cap).
    pub async fn events_paged(
        &self,
        id: Option<u64>,
        from: u64,
        to: u64,
        window: u64,
    ) -> Result<Vec<Logged>> {
        let mut out = Vec::new();
        let mut start = from;
        while start <= to {
            let end = to.min(start.saturating_add(window.max(1) - 1));
            out.extend(self.events(id, start, end).await?);
            match end.checked_add(1) {
                Some(next) => start = next,
                None => break,
            }
        }
        Ok(out)
    }

    /// The events of contest `id` (or of every contest) in blocks `from ..= to`, in log order.
    pub async fn events(&self, id: Option<u64>, from: u64, to: u64) -> Result<Vec<Logged>> {
        let mut filter = Filter::new()
            .address(Address::from(self.address.0))
            .from_block(from)
            .to_block(to);
        if let Some(id) = id {
            filter = filter.topic1(B256::from(U256::from(id)));
        }
        let logs = self
            .client
            .provider()
            .get_logs(&filter)
            .await
            .map_err(|e| self.client.rpc_err("eth_getLogs", e))?;
        let mut out = Vec::with_capacity(logs.len());
        for log in logs {
            let Some(decoded) = self.decode_event(&log) else {
                continue; // not one of ours (the registry emits nothing else today)
            };
            let (contest_id, event) = event_of(decoded)?;
            out.push(Logged {
                contest_id,
                block: log.block_number.unwrap_or(0),
                tx: format!(
                    "0x{}",
                    hex::encode(log.transaction_hash.unwrap_or_default())
                ),
                log_index: log.log_index.unwrap_or(0),
                event,
            });
        }
        Ok(out)
    }

    /// The `(contest id, correct, proof)` of a mined `submitProof` transaction.
    pub async fn submitted_proof(&self, tx: &str) -> Result<(u64, u64, Vec<u8>)> {
        let hash = tx_hash(tx)?;
        let t = self
            .client
            .provider()
            .get_transaction_by_hash(hash)
            .await
            .map_err(|e| self.client.rpc_err("eth_getTransactionByHash", e))?
            .ok_or_else(|| {
                self.client
                    .rpc_err("eth_getTransactionByHash", "unknown transaction")
            })?;
        let call = abi::submitProofCall::abi_decode(t.input()).map_err(|e| ChainError::Decode {
            what: "submitProof calldata",
            detail: e.to_string(),
        })?;
        Ok((
            u64_of(call.contestId),
            u64_of(call.correct),
            call.proof.to_vec(),
        ))
    }

    /// Calls view `call` (from the signer, latest block) and decodes what it returns; a revert
    /// is the registry's decoded error.
    async fn view<C: SolCall>(&self, action: &'static str, call: C) -> Result<C::Return> {
        let tx = self
            .client
            .request(self.address.0, &call.abi_encode(), 0, None);
        match self.client.eth_call(tx).await? {
            CallOutcome::Returned(out) => {
                C::abi_decode_returns(&out).map_err(|e| ChainError::Decode {
                    what: action,
                    detail: e.to_string(),
                })
            }
            CallOutcome::Reverted(r) => Err(reverted(action, &r)),
        }
    }

    /// Simulates `call` with `value` wei (a revert is decoded and returned as an error, nothing
    /// is paid), then sends it with `gas` or the node's estimate plus a margin, waits for the
    /// receipt, and returns the transaction and the registry events it emitted.
    async fn send<C: SolCall>(
        &self,
        action: &'static str,
        call: C,
        value: u128,
        gas: Option<u64>,
    ) -> Result<(Tx, Vec<ContestRegistryEvents>)> {
        let data = call.abi_encode();
        let gas = match gas {
            Some(g) => g,
            None => {
                let tx = self.client.request(self.address.0, &data, value, None);
                match self.client.estimate_gas(tx).await? {
                    Ok(estimate) => estimate + estimate / 4 + 10_000,
                    Err(r) => return Err(reverted(action, &r)),
                }
            }
        };
        let tx = self.client.request(self.address.0, &data, value, Some(gas));
        if let CallOutcome::Reverted(r) = self.client.eth_call(tx.clone()).await? {
            return Err(reverted(action, &r));
        }
        let receipt = self
            .client
            .transact(tx, action)
            .await?
            .map_err(|r| reverted(action, &r))?;
        let hash = format!("0x{}", hex::encode(receipt.transaction_hash));
        let tx = Tx {
            action: action.into(),
            explorer_url: self.client.explorer_url(&hash),
            hash,
            gas_used: receipt.gas_used,
            block: receipt.block_number.unwrap_or(0),
        };
        if !receipt.status() {
            return Err(ChainError::Reverted {
                action,
                error: format!(
                    "mined but failed (transaction {}, {} gas used)",
                    tx.hash, tx.gas_used
                ),
            });
        }
        let events = receipt
            .logs()
            .iter()
            .filter_map(|l| self.decode_event(l))
            .collect();
        Ok((tx, events))
    }

    /// `log` as a registry event, if this registry emitted it (an event with the same
    /// signature from another contract, say a verifier called in the same transaction, is not
    /// the registry's).
    fn decode_event(&self, log: &Log) -> Option<ContestRegistryEvents> {
        if log.address() != Address::from(self.address.0) {
            return None;
        }
        ContestRegistryEvents::decode_log(&log.inner)
            .ok()
            .map(|l| l.data)
    }

    // ---- Added for the dashboard (issue #5) -------------------------------------------------

    /// Gas used by a mined transaction (`eth_getTransactionReceipt`); `None` while the node has
    /// no receipt for it.
    pub async fn gas_used(&self, tx: &str) -> Result<Option<u64>> {
        let receipt = self
            .client
            .provider()
            .get_transaction_receipt(tx_hash(tx)?)
            .await
            .map_err(|e| self.client.rpc_err("eth_getTransactionReceipt", e))?;
        Ok(receipt.map(|r| r.gas_used))
    }
}

/// The ranked entry a new entry with `correct` and commit sequence `seq` goes after, given the
/// ranking best first (the zero address: it goes first). Mirrors the registry's
/// order: more `correct` first, then the lower sequence number.
pub fn rank_hint(ranking: &[(Addr, u64, u64)], correct: u64, seq: u64) -> Addr {
    ranking
        .iter()
        .take_while(|(_, c, s)| *c > correct || (*c == correct && *s < seq))
        .last()
        .map_or(Addr([0; 20]), |(a, _, _)| *a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(n: u8) -> Addr {
        Addr([n; 20])
    }

    #[test]
    fn rank_hint_is_the_last_entry_that_ranks_before() {
        let ranking = [(a(1), 9, 5), (a(2), 8, 2), (a(3), 8, 7), (a(4), 6, 1)];
        // Nobody ranks before a better entry: insert at the head.
        assert_eq!(rank_hint(&ranking, 10, 1), Addr([0; 20]));
        assert_eq!(rank_hint(&[], 3, 1), Addr([0; 20]));
        // Ties: the lower commit sequence number ranks first.
        assert_eq!(rank_hint(&ranking, 8, 1), a(1));
        assert_eq!(rank_hint(&ranking, 8, 4), a(2));
        assert_eq!(rank_hint(&ranking, 8, 9), a(3));
        assert_eq!(rank_hint(&ranking, 7, 1), a(3));
        // Below everyone: after the last.
        assert_eq!(rank_hint(&ranking, 6, 2), a(4));
        assert_eq!(rank_hint(&ranking, 0, 2), a(4));
    }
}
