//! `ContestRegistry` through its abigen bindings: deploy (PoseidonT3 + registry), every
//! transaction (simulated first, so a revert comes back as the contract's custom error, never
//! as raw hex and never as a paid failed transaction), views, and decoded events.

use ethers::abi::{AbiDecode, AbiEncode};
use ethers::contract::{ContractCall, ContractError, EthLogDecode, LogMeta};
use ethers::providers::Middleware;
use ethers::types::{Address, BlockNumber, Bytes, Filter, H256, U256};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;

use super::bindings::{
    self, ContestParams, ContestRegistryContract, ContestRegistryContractErrors,
    ContestRegistryContractEvents,
};
use super::client::{Client, Deployed, Inner};
use super::types::{
    ceremony_log_step, Addr, Blake2b, CeremonyInfo, CeremonyRecord, ContestConfig, ContestInfo,
    EntryInfo, EntryStatus, Event, Logged, OriginalInfo, Phase, TestSetLayout, Tx, Wei,
};
use super::{ChainError, Result};
use crate::commit::{fr_from_be_bytes, fr_to_be_bytes};

mod events;

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
    contract: ContestRegistryContract<Inner>,
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
        let mut creation = bindings::CONTESTREGISTRYCONTRACT_BYTECODE.to_vec();
        creation.extend_from_slice(&Address::from(poseidon.address).encode());
        let registry = client.deploy(&creation).await?;
        let this = Self::at(client, Addr(registry.address)).await?;
        Ok((this, RegistryDeployment { poseidon, registry }))
    }

    /// The registry at `address`; checks that code is there and answers `contestCount()`.
    pub async fn at(client: &Client, address: Addr) -> Result<Self> {
        let contract = ContestRegistryContract::new(Address::from(address.0), client.inner());
        let code = client
            .inner()
            .get_code(Address::from(address.0), None)
            .await
            .map_err(|e| client.rpc_err("eth_getCode", e))?;
        if code.is_empty() {
            return Err(ChainError::NoRegistry {
                address: address.to_string(),
                url: client.url().into(),
            });
        }
        let this = Self {
            client: client.clone(),
            contract,
        };
        this.view("contestCount", this.contract.contest_count())
            .await
            .map_err(|_| ChainError::NoRegistry {
                address: address.to_string(),
                url: client.url().into(),
            })?;
        Ok(this)
    }

    /// Its address.
    pub fn address(&self) -> Addr {
        Addr(self.contract.address().0)
    }

    /// The signing client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Creates a contest with `prize` in escrow; returns its id.
    pub async fn create_contest(&self, config: &ContestConfig, prize: Wei) -> Result<(u64, Tx)> {
        let call = self
            .contract
            .create_contest(params_of(config))
            .value(U256::from(prize.0));
        let (tx, receipt_logs) = self.send("createContest", call, None).await?;
        let id = receipt_logs
            .iter()
            .find_map(|log| match ContestRegistryContractEvents::decode_log(log) {
                Ok(ContestRegistryContractEvents::ContestCreatedFilter(e)) => {
                    Some(e.contest_id.as_u64())
                }
                _ => None,
            })
            .ok_or_else(|| ChainError::MissingEvent {
                event: "ContestCreated",
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
        let call = self
            .contract
            .create_ceremony_contest(params_of(config), ceremony_deadline)
            .value(U256::from(prize.0));
        let (tx, receipt_logs) = self.send("createCeremonyContest", call, None).await?;
        let id = receipt_logs
            .iter()
            .find_map(|log| match ContestRegistryContractEvents::decode_log(log) {
                Ok(ContestRegistryContractEvents::CeremonyOpenedFilter(e)) => {
                    Some(e.contest_id.as_u64())
                }
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
        let call = self
            .contract
            .contribute_to_ceremony(U256::from(id), halves(hash));
        Ok(self.send("contributeToCeremony", call, None).await?.0)
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
        let call = self.contract.fix_verifier(
            U256::from(id),
            Address::from(verifier.0),
            vk_digest,
            srs_digest,
            halves(transcript),
        );
        Ok(self.send("fixVerifier", call, None).await?.0)
    }

    /// Commits (or replaces) the sender's model commitment, paying `bond`.
    pub async fn commit_model(&self, id: u64, commitment: Fr, bond: Wei) -> Result<Tx> {
        let call = self
            .contract
            .commit_model(U256::from(id), u256_of_fr(&commitment))
            .value(U256::from(bond.0));
        Ok(self.send("commitModel", call, None).await?.0)
    }

    /// Posts one chunk of the test set.
    pub async fn reveal_test_set(&self, id: u64, elems: &[Fr], last: bool) -> Result<Tx> {
        let call = self.contract.reveal_test_set(
            U256::from(id),
            elems.iter().map(u256_of_fr).collect(),
            last,
        );
        Ok(self.send("revealTestSet", call, None).await?.0)
    }

    /// Discards a partial test-set reveal.
    pub async fn restart_test_set_reveal(&self, id: u64) -> Result<Tx> {
        let call = self.contract.restart_test_set_reveal(U256::from(id));
        Ok(self.send("restartTestSetReveal", call, None).await?.0)
    }

    /// Submits a proof of `correct` (below the threshold too: the entry is then scored, not
    /// ranked, and gets its bond back). The rank hint is computed from the ranking just before
    /// sending ([`Registry::rank_hint`]); a proof that lands after another the registry walks
    /// on from the hint.
    pub async fn submit_proof(&self, id: u64, correct: u64, proof: &[u8]) -> Result<Tx> {
        let me = Addr(self.client.address());
        let seq = self.entry(id, me).await?.commit_seq;
        let hint = rank_hint(&self.ranking(id).await?, correct, seq);
        let call = self.contract.submit_proof(
            U256::from(id),
            U256::from(correct),
            Bytes::from(proof.to_vec()),
            Address::from(hint.0),
        );
        Ok(self.send("submitProof", call, Some(SUBMIT_GAS)).await?.0)
    }

    /// Posts one chunk of the sender's model.
    pub async fn reveal_model(&self, id: u64, elems: &[Fr], last: bool) -> Result<Tx> {
        let call = self.contract.reveal_model(
            U256::from(id),
            elems.iter().map(u256_of_fr).collect(),
            last,
        );
        Ok(self.send("revealModel", call, None).await?.0)
    }

    /// Discards the sender's partial model reveal.
    pub async fn restart_model_reveal(&self, id: u64) -> Result<Tx> {
        let call = self.contract.restart_model_reveal(U256::from(id));
        Ok(self.send("restartModelReveal", call, None).await?.0)
    }

    /// Closes the ranking (after the proof deadline).
    pub async fn close_ranking(&self, id: u64) -> Result<Tx> {
        let call = self.contract.close_ranking(U256::from(id));
        Ok(self.send("closeRanking", call, None).await?.0)
    }

    /// Ends the current reveal round once its deadline has passed: forfeits every called entry
    /// that did not reveal and calls the next ones together.
    pub async fn forfeit(&self, id: u64) -> Result<Tx> {
        let call = self.contract.forfeit(U256::from(id));
        Ok(self.send("forfeit", call, None).await?.0)
    }

    /// Withdraws everything the sender is owed; returns the amount.
    pub async fn withdraw(&self, id: u64) -> Result<(Wei, Tx)> {
        let call = self.contract.withdraw(U256::from(id));
        let amount = wei_of(self.view("withdraw", call.clone()).await?);
        Ok((amount, self.send("withdraw", call, None).await?.0))
    }

    /// The PoseidonT3 library the registry hashes with.
    pub async fn poseidon(&self) -> Result<Addr> {
        Ok(Addr(
            self.view("poseidon", self.contract.poseidon()).await?.0,
        ))
    }

    /// The runtime code a genuine `ContestRegistry` built from this binary's artifact has when
    /// constructed with `poseidon`: the creation code run by `eth_call` (no transaction), so the
    /// node computes it exactly as a deployment would, immutables included.
    pub async fn genuine_runtime(client: &Client, poseidon: Addr) -> Result<Vec<u8>> {
        let mut creation = bindings::CONTESTREGISTRYCONTRACT_BYTECODE.to_vec();
        creation.extend_from_slice(&Address::from(poseidon.0).encode());
        client.call_creation(&creation).await
    }

    /// The runtime code of npm `poseidon-solidity`'s `PoseidonT3` as this binary deploys it
    /// (its bytes 1..21, the library's own address, depend on where it is deployed).
    pub async fn genuine_poseidon_runtime(client: &Client) -> Result<Vec<u8>> {
        client
            .call_creation(&artifact_bytecode(bindings::POSEIDON_T3_ARTIFACT)?)
            .await
    }

    /// Number of contests (the latest id).
    pub async fn contest_count(&self) -> Result<u64> {
        Ok(self
            .view("contestCount", self.contract.contest_count())
            .await?
            .as_u64())
    }

    /// A contest's configuration and progress; `ContestNotFound` for an unknown id.
    pub async fn contest(&self, id: u64) -> Result<ContestInfo> {
        let v = self
            .view("contest", self.contract.contest(U256::from(id)))
            .await?;
        Ok(ContestInfo {
            organiser: Addr(v.organiser.0),
            config: config_of(&v.params)?,
            prize: wei_of(v.prize),
            phase: Phase::from_u8(v.phase),
            held: wei_of(v.held),
            test_set_revealed_count: v.test_set_revealed_count.as_u64(),
            test_set_revealed: v.test_set_revealed,
            proof_ends: v.proof_ends,
            committers: v.committers.as_u64(),
            qualifiers: v.qualifiers.as_u64(),
            provers: v.provers.as_u64(),
            winners_paid: v.winners_paid.as_u64(),
            prize_paid: wei_of(v.prize_paid),
            created_block: v.created_block,
            verifier_code_hash: v.verifier_code_hash,
            bond_pool: wei_of(v.bond_pool),
            round_deadline: v.round_deadline,
        })
    }

    /// Contest `id`'s ceremony (all zero for a contest created with a finished SRS).
    pub async fn ceremony(&self, id: u64) -> Result<CeremonyInfo> {
        let v = self
            .view("ceremony", self.contract.ceremony(U256::from(id)))
            .await?;
        Ok(CeremonyInfo {
            deadline: v.deadline,
            contributions: u64::from(v.contributions),
            log: v.log,
            fixed_at: v.fixed_at,
            transcript_hash: joined(&v.transcript_hash),
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
                self.contract
                    .entry(U256::from(id), Address::from(competitor.0)),
            )
            .await?;
        Ok(EntryInfo {
            status: EntryStatus::from_u8(v.status),
            commitment: fr_of_u256(v.commitment)?,
            commit_seq: v.commit_seq.as_u64(),
            correct: v.correct.as_u64(),
            reveal_deadline: v.reveal_deadline.as_u64(),
            revealed_count: v.revealed_count.as_u64(),
            committed_at: v.committed_at.as_u64(),
        })
    }

    /// The earliest-committed revealed entry of model `fingerprint` (the model chain's state
    /// before the salt), registry-wide; `None` if no entry revealed it here.
    pub async fn original(&self, fingerprint: &Fr) -> Result<Option<OriginalInfo>> {
        let v = self
            .view("original", self.contract.original(u256_of_fr(fingerprint)))
            .await?;
        Ok((v.owner != Address::zero()).then(|| OriginalInfo {
            owner: Addr(v.owner.0),
            contest_id: v.contest_id.as_u64(),
            committed_at: v.committed_at.as_u64(),
        }))
    }

    /// The ranked entries, best first: address, `correct`, commit sequence number.
    pub async fn ranking(&self, id: u64) -> Result<Vec<(Addr, u64, u64)>> {
        let (who, correct, seq) = self
            .view("ranking", self.contract.ranking(U256::from(id)))
            .await?;
        Ok(who
            .into_iter()
            .zip(correct)
            .zip(seq)
            .map(|((a, c), s)| (Addr(a.0), c.as_u64(), s.as_u64()))
            .collect())
    }

    /// What `account` could withdraw now.
    pub async fn owed(&self, id: u64, account: Addr) -> Result<Wei> {
        let v = self
            .view(
                "owed",
                self.contract.owed(U256::from(id), Address::from(account.0)),
            )
            .await?;
        Ok(wei_of(v))
    }

    /// The latest block's number and timestamp.
    pub async fn head(&self) -> Result<(u64, u64)> {
        let block = self
            .client
            .inner()
            .get_block(BlockNumber::Latest)
            .await
            .map_err(|e| self.client.rpc_err("eth_getBlockByNumber", e))?
            .ok_or_else(|| {
                self.client
                    .rpc_err("eth_getBlockByNumber", "no latest block")
            })?;
        Ok((
            block.number.map(|n| n.as_u64()).unwrap_or(0),
            block.timestamp.as_u64(),
        ))
    }

    /// A block's timestamp.
    pub async fn block_timestamp(&self, number: u64) -> Result<u64> {
        let block = self
            .client
            .inner()
            .get_block(number)
            .await
            .map_err(|e| self.client.rpc_err("eth_getBlockByNumber", e))?
            .ok_or_else(|| self.client.rpc_err("eth_getBlockByNumber", "unknown block"))?;
        Ok(block.timestamp.as_u64())
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
            .address(self.contract.address())
            .from_block(from)
            .to_block(to);
        if let Some(id) = id {
            let mut topic = [0u8; 32];
            U256::from(id).to_big_endian(&mut topic);
            filter = filter.topic1(H256::from(topic));
        }
        let logs = self
            .client
            .inner()
            .get_logs(&filter)
            .await
            .map_err(|e| self.client.rpc_err("eth_getLogs", e))?;
        let mut out = Vec::with_capacity(logs.len());
        for log in logs {
            let meta = LogMeta::from(&log);
            let raw = ethers::abi::RawLog {
                topics: log.topics.clone(),
                data: log.data.to_vec(),
            };
            let Ok(decoded) = ContestRegistryContractEvents::decode_log(&raw) else {
                continue; // not one of ours (the registry emits nothing else today)
            };
            let (contest_id, event) = event_of(decoded)?;
            out.push(Logged {
                contest_id,
                block: meta.block_number.as_u64(),
                tx: format!("0x{}", hex::encode(meta.transaction_hash)),
                log_index: meta.log_index.as_u64(),
                event,
            });
        }
        Ok(out)
    }

    /// The `(contest id, correct, proof)` of a mined `submitProof` transaction.
    pub async fn submitted_proof(&self, tx: &str) -> Result<(u64, u64, Vec<u8>)> {
        let hash: H256 = tx.parse().map_err(|_| ChainError::Decode {
            what: "transaction hash",
            detail: format!("{tx:?} is not 0x + 64 hex digits"),
        })?;
        let t = self
            .client
            .inner()
            .get_transaction(hash)
            .await
            .map_err(|e| self.client.rpc_err("eth_getTransactionByHash", e))?
            .ok_or_else(|| {
                self.client
                    .rpc_err("eth_getTransactionByHash", "unknown transaction")
            })?;
        let call = bindings::SubmitProofCall::decode(&t.input).map_err(|e| ChainError::Decode {
            what: "submitProof calldata",
            detail: e.to_string(),
        })?;
        Ok((
            call.contest_id.as_u64(),
            call.correct.as_u64(),
            call.proof.to_vec(),
        ))
    }

    async fn view<T: ethers::abi::Detokenize>(
        &self,
        action: &'static str,
        call: ContractCall<Inner, T>,
    ) -> Result<T> {
        call.call().await.map_err(|e| self.error(action, e))
    }

    /// Simulates `call` (a revert is decoded and returned as an error, nothing is paid), then
    /// sends it with `gas` or the node's estimate plus a margin, and waits for the receipt.
    async fn send<T: ethers::abi::Detokenize>(
        &self,
        action: &'static str,
        call: ContractCall<Inner, T>,
        gas: Option<u64>,
    ) -> Result<(Tx, Vec<ethers::abi::RawLog>)> {
        let call = match gas {
            Some(g) => call.gas(g),
            None => {
                let estimate = call
                    .estimate_gas()
                    .await
                    .map_err(|e| self.error(action, e))?;
                call.gas(estimate.as_u64() + estimate.as_u64() / 4 + 10_000)
            }
        };
        call.call().await.map_err(|e| self.error(action, e))?;
        let mut call = call;
        self.client.price(&mut call.tx).await?;
        let pending = call.send().await.map_err(|e| self.error(action, e))?;
        let receipt = self.client.confirmed(pending).await?;
        let hash = format!("0x{}", hex::encode(receipt.transaction_hash));
        let tx = Tx {
            action: action.into(),
            explorer_url: self.client.explorer_url(&hash),
            hash,
            gas_used: receipt.gas_used.map(|g| g.as_u64()).unwrap_or(0),
            block: receipt.block_number.map(|b| b.as_u64()).unwrap_or(0),
        };
        if receipt.status.map(|s| s.as_u64()) != Some(1) {
            return Err(ChainError::Reverted {
                action,
                error: format!(
                    "mined but failed (transaction {}, {} gas used)",
                    tx.hash, tx.gas_used
                ),
            });
        }
        let logs = receipt
            .logs
            .into_iter()
            .map(|l| ethers::abi::RawLog {
                topics: l.topics,
                data: l.data.to_vec(),
            })
            .collect();
        Ok((tx, logs))
    }

    fn error(&self, action: &'static str, e: ContractError<Inner>) -> ChainError {
        if let Some(data) = e.as_revert() {
            return ChainError::Reverted {
                action,
                error: decode_revert(data),
            };
        }
        match e {
            ContractError::MiddlewareError { e } => self.client.rpc_err(action, e),
            ContractError::ProviderError { e } => self.client.rpc_err(action, e),
            other => self.client.rpc_err(action, other),
        }
    }

    // ---- Added for the dashboard (issue #5) -------------------------------------------------

    /// Gas used by a mined transaction (`eth_getTransactionReceipt`); `None` while the node has
    /// no receipt for it.
    pub async fn gas_used(&self, tx: &str) -> Result<Option<u64>> {
        let hash: H256 = tx.parse().map_err(|_| ChainError::Decode {
            what: "transaction hash",
            detail: format!("{tx:?} is not 0x + 64 hex digits"),
        })?;
        let receipt = self
            .client
            .inner()
            .get_transaction_receipt(hash)
            .await
            .map_err(|e| self.client.rpc_err("eth_getTransactionReceipt", e))?;
        Ok(receipt.and_then(|r| r.gas_used).map(|g| g.as_u64()))
    }
}

/// A revert's data as the registry's custom error (`BelowThreshold { correct: 300, … }`),
/// a `revert("…")` string, a panic code, or, for anything else, its hex.
pub fn decode_revert(data: &[u8]) -> String {
    if data.is_empty() {
        return "reverted without data".into();
    }
    match ContestRegistryContractErrors::decode(data) {
        Ok(ContestRegistryContractErrors::RevertString(s)) => format!("revert: {s}"),
        Ok(err) => {
            // `Debug` of the generated enum is `Name(Name { field: value, … })`; keep the inner
            // struct, which already names the error.
            let text = format!("{err:?}");
            match (text.find('('), text.ends_with(')')) {
                (Some(open), true) => text[open + 1..text.len() - 1].to_string(),
                _ => text,
            }
        }
        Err(_) => format!("unknown error 0x{}", hex::encode(data)),
    }
}

fn artifact_bytecode(json: &str) -> Result<Vec<u8>> {
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| ChainError::Decode {
        what: "contract artifact",
        detail: e.to_string(),
    })?;
    let code = v["bytecode"].as_str().unwrap_or_default();
    hex::decode(code.trim_start_matches("0x")).map_err(|e| ChainError::Decode {
        what: "contract artifact bytecode",
        detail: e.to_string(),
    })
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

fn params_of(c: &ContestConfig) -> ContestParams {
    ContestParams {
        spec_hash: c.spec_hash,
        verifier: Address::from(c.verifier.0),
        vk_digest: c.vk_digest,
        srs_digest: c.srs_digest,
        test_set_commitment: u256_of_fr(&c.testset_commitment),
        test_set_size: c.test_set_size,
        min_correct: c.min_correct,
        features: c.layout.features,
        feature_span: c.layout.feature_span,
        classes: c.layout.classes,
        payout_bps: c.payout_bps.clone(),
        commit_bond: U256::from(c.commit_bond.0),
        commit_deadline: c.commit_deadline,
        test_set_deadline: c.test_set_deadline,
        proof_deadline: c.proof_deadline,
        reveal_window: c.reveal_window,
    }
}

fn config_of(p: &ContestParams) -> Result<ContestConfig> {
    Ok(ContestConfig {
        spec_hash: p.spec_hash,
        verifier: Addr(p.verifier.0),
        vk_digest: p.vk_digest,
        srs_digest: p.srs_digest,
        testset_commitment: fr_of_u256(p.test_set_commitment)?,
        test_set_size: p.test_set_size,
        min_correct: p.min_correct,
        layout: TestSetLayout {
            features: p.features,
            feature_span: p.feature_span,
            classes: p.classes,
        },
        payout_bps: p.payout_bps.clone(),
        commit_bond: wei_of(p.commit_bond),
        commit_deadline: p.commit_deadline,
        test_set_deadline: p.test_set_deadline,
        proof_deadline: p.proof_deadline,
        reveal_window: p.reveal_window,
    })
}

/// A blake2b-512 hash as the registry takes it: two big-endian halves.
fn halves(h: &Blake2b) -> [[u8; 32]; 2] {
    let mut out = [[0u8; 32]; 2];
    out[0].copy_from_slice(&h.0[..32]);
    out[1].copy_from_slice(&h.0[32..]);
    out
}

fn joined(h: &[[u8; 32]; 2]) -> Blake2b {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&h[0]);
    out[32..].copy_from_slice(&h[1]);
    Blake2b(out)
}

fn u256_of_fr(x: &Fr) -> U256 {
    U256::from_big_endian(&fr_to_be_bytes(x))
}

/// The registry only stores canonical field elements (it checks), so this fails only on a
/// contract that is not ours.
fn fr_of_u256(x: U256) -> Result<Fr> {
    let mut be = [0u8; 32];
    x.to_big_endian(&mut be);
    fr_from_be_bytes(&be).map_err(|e| ChainError::Decode {
        what: "field element",
        detail: e.to_string(),
    })
}

/// Amounts above 2^128 wei (3.4e20 ETH) do not exist; saturate rather than panic.
fn wei_of(x: U256) -> Wei {
    Wei(if x > U256::from(u128::MAX) {
        u128::MAX
    } else {
        x.as_u128()
    })
}

fn frs(xs: Vec<U256>) -> Result<Vec<Fr>> {
    xs.into_iter().map(fr_of_u256).collect()
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
