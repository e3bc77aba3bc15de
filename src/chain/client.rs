//! A small signing client over alloy: deploy bytecode, simulate a call, send a transaction
//! and report the gas it used. Reverts are results ([`CallOutcome::Reverted`]), not errors:
//! for a verifier, "rejected" is an answer.

use std::sync::Once;
use std::time::Duration;

use alloy::network::{EthereumWallet, TransactionBuilder};
use alloy::primitives::{Address, Bytes, TxHash, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::client::ClientBuilder;
use alloy::rpc::types::{BlockNumberOrTag, TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::transports::layers::RetryBackoffLayer;
use alloy::transports::{RpcError, TransportErrorKind};

use super::{ChainError, Result};

/// The first wait between two receipt polls; it doubles up to [`MAX_POLL_INTERVAL`]. anvil
/// mines each transaction at once, so the first poll usually finds it.
pub const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// The longest wait between two receipt polls (a public chain's blocks come every 2–12 s).
pub const MAX_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// Polls in a row that must find the node without the transaction (neither mined nor pending)
/// before it counts as dropped.
const DROPPED_AFTER: u32 = 5;

/// How long one HTTP request to the node may take (connecting: [`CONNECT_TIMEOUT`]).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Hosted endpoints answer a burst of requests with "429 Too Many Requests" (or their JSON-RPC
/// equivalents): such a request is sent again, up to this many times, after the wait the
/// server asks for or [`RATE_LIMIT_BACKOFF_MS`]. alloy's `RateLimitRetryPolicy` decides what
/// counts: HTTP 429 and 503, the rate-limit codes and messages of the big hosted providers, and
/// a load balancer's "header not found" — answers the server gives without having acted. A
/// revert, a refused transaction or a connection that fails are not retried.
pub const RATE_LIMIT_RETRIES: u32 = 10;
/// The wait before resending a rate-limited request when the server names none.
pub const RATE_LIMIT_BACKOFF_MS: u64 = 1_000;
/// The request budget the retry layer paces itself by (compute units per second; 330 is a
/// common free-tier allowance).
const COMPUTE_UNITS_PER_SECOND: u64 = 330;

/// A client bound to one RPC endpoint and one signing key.
#[derive(Clone, Debug)]
pub struct Client {
    provider: DynProvider,
    address: Address,
    url: String,
    chain_id: u64,
    policy: TxPolicy,
}

/// How this client's transactions are priced and confirmed (`--max-fee-gwei`,
/// `--confirmations`, the `--chain` preset's explorer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxPolicy {
    /// Cap on the EIP-1559 `maxFeePerGas`, in wei. `None`: the node's estimate as it comes.
    /// With a cap every transaction is EIP-1559, its max fee the estimate or the cap, whichever
    /// is lower; a base fee at or above the cap is an error before anything is sent.
    pub max_fee_per_gas: Option<u128>,
    /// Blocks that must hold the transaction before it counts as done (1: the mining block).
    pub confirmations: usize,
    /// Block explorer base URL (`https://sepolia.etherscan.io`) for links to transactions.
    pub explorer: Option<String>,
}

impl Default for TxPolicy {
    fn default() -> Self {
        Self {
            max_fee_per_gas: None,
            confirmations: 1,
            explorer: None,
        }
    }
}

/// A deployed contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deployed {
    /// Its address.
    pub address: [u8; 20],
    /// Gas used by the creation transaction.
    pub gas_used: u64,
    /// Size of the runtime code now stored at `address`.
    pub code_size: usize,
}

/// Why a call or transaction was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revert {
    /// The node's message (e.g. "execution reverted", or an out-of-gas halt).
    pub message: String,
    /// The revert data (empty for `revert(0, 0)` and for halts).
    pub data: Vec<u8>,
}

impl Revert {
    /// An exceptional halt (out of gas, say) rather than a revert: no data, and the node's
    /// message names the halt (anvil: "EVM error MemoryOOG", "EVM error OutOfGas", …; geth:
    /// "out of gas").
    pub fn is_halt(&self) -> bool {
        let m = self.message.to_ascii_lowercase();
        self.data.is_empty()
            && (m.contains("out of gas") || m.contains("oog") || m.starts_with("evm error"))
    }
}

/// The result of a simulated call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallOutcome {
    /// The call returned (with its return data).
    Returned(Vec<u8>),
    /// The call reverted or halted.
    Reverted(Revert),
}

/// A mined transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mined {
    /// Transaction hash.
    pub tx: [u8; 32],
    /// Gas used.
    pub gas_used: u64,
    /// `false` if it reverted.
    pub success: bool,
}

impl Client {
    /// Connects to `url` and signs with `private_key` (hex, with or without `0x`).
    pub async fn connect(url: &str, private_key: &str) -> Result<Self> {
        // Never include the key (or the parser's message, which might echo it) in the error.
        let signer: PrivateKeySigner = private_key
            .trim_start_matches("0x")
            .parse()
            .map_err(|_| ChainError::Key("expected 32 bytes of hex (64 hex digits)".into()))?;
        Self::connect_signer(url, signer).await
    }

    /// Connects to `url` and signs with the key of an encrypted JSON keystore (geth/foundry
    /// format). A wrong password and a malformed file are both `ChainError::Key`.
    pub async fn connect_keystore(
        url: &str,
        keystore: &std::path::Path,
        password: &str,
    ) -> Result<Self> {
        let signer = PrivateKeySigner::decrypt_keystore(keystore, password).map_err(|e| {
            ChainError::Key(format!(
                "cannot decrypt keystore {}: {e} (wrong password or not a keystore)",
                keystore.display()
            ))
        })?;
        Self::connect_signer(url, signer).await
    }

    /// Connects for reading only (views, logs, blocks): the signer is a fresh random key that
    /// holds nothing and is never asked to sign.
    pub async fn connect_read_only(url: &str) -> Result<Self> {
        Self::connect_signer(url, PrivateKeySigner::random()).await
    }

    async fn connect_signer(url: &str, signer: PrivateKeySigner) -> Result<Self> {
        let bad_url = |reason: String| ChainError::Url {
            url: url.into(),
            reason,
        };
        let parsed: reqwest::Url = url.parse().map_err(|e| bad_url(format!("{e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad_url(format!(
                "scheme {:?}: only http and https endpoints are supported",
                parsed.scheme()
            )));
        }
        install_tls_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| bad_url(format!("building the HTTP client: {e}")))?;
        let address = signer.address();
        let rpc = ClientBuilder::default()
            .layer(RetryBackoffLayer::new(
                RATE_LIMIT_RETRIES,
                RATE_LIMIT_BACKOFF_MS,
                COMPUTE_UNITS_PER_SECOND,
            ))
            .http_with_client(http, parsed);
        // Fillers: gas limit and fees (EIP-1559 where the node has a base fee), the nonce read
        // from the node's pending count for every transaction (several clients may sign with
        // one key: a cached nonce would collide), the chain id (fetched once).
        let provider = ProviderBuilder::new()
            .disable_recommended_fillers()
            .with_gas_estimation()
            .with_simple_nonce_management()
            .fetch_chain_id()
            .wallet(EthereumWallet::from(signer))
            .connect_client(rpc)
            .erased();
        let chain_id = provider
            .get_chain_id()
            .await
            .map_err(|e| rpc_err(url, "eth_chainId", e))?;
        Ok(Self {
            provider,
            address,
            url: url.into(),
            chain_id,
            policy: TxPolicy::default(),
        })
    }

    /// This client with transactions priced and confirmed by `policy`.
    pub fn with_policy(mut self, policy: TxPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// How this client prices and confirms transactions.
    pub fn policy(&self) -> &TxPolicy {
        &self.policy
    }

    /// The explorer link of transaction `hash` (`0x…`), if the chain has an explorer.
    pub fn explorer_url(&self, hash: &str) -> Option<String> {
        let base = self.policy.explorer.as_deref()?;
        Some(format!("{}/tx/{hash}", base.trim_end_matches('/')))
    }

    /// Applies the fee cap (if any) to `tx`: an EIP-1559 transaction whose max fee is the
    /// node's estimate capped at `max_fee_per_gas` and whose priority fee fits under it.
    /// Refuses (nothing is sent) when the latest base fee already reaches the cap: such a
    /// transaction would wait in the pool, perhaps for ever. Without a cap the provider's
    /// filler prices the transaction (EIP-1559 where the chain has a base fee).
    async fn price(&self, tx: &mut TransactionRequest) -> Result<()> {
        let Some(cap) = self.policy.max_fee_per_gas else {
            return Ok(());
        };
        let block = self
            .provider
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await
            .map_err(|e| self.rpc_err("eth_getBlockByNumber", e))?
            .ok_or_else(|| self.rpc_err("eth_getBlockByNumber", "no latest block"))?;
        let base = u128::from(block.header.base_fee_per_gas.ok_or(ChainError::FeeCap {
            cap_wei: cap,
            base_wei: None,
        })?);
        if base >= cap {
            return Err(ChainError::FeeCap {
                cap_wei: cap,
                base_wei: Some(base),
            });
        }
        let estimate = self
            .provider
            .estimate_eip1559_fees()
            .await
            .map_err(|e| self.rpc_err("eth_feeHistory", e))?;
        let max_fee = estimate.max_fee_per_gas.min(cap);
        let priority = estimate.max_priority_fee_per_gas.min(max_fee - base);
        tx.gas_price = None;
        tx.set_max_fee_per_gas(max_fee);
        tx.set_max_priority_fee_per_gas(priority);
        Ok(())
    }

    /// Waits for transaction `hash`'s receipt and the policy's confirmations: the receipt is
    /// read again on every poll, so a transaction that a reorganisation moves is followed to
    /// its new block. A transaction the node no longer knows (neither mined nor pending) for
    /// [`DROPPED_AFTER`] polls in a row is `NoReceipt`.
    async fn confirmed(&self, hash: TxHash) -> Result<TransactionReceipt> {
        let need = self.policy.confirmations.max(1) as u64;
        let mut wait = POLL_INTERVAL;
        let mut unknown = 0;
        loop {
            let receipt = self
                .provider
                .get_transaction_receipt(hash)
                .await
                .map_err(|e| self.rpc_err("eth_getTransactionReceipt", e))?;
            match receipt {
                Some(r) => {
                    unknown = 0;
                    let mined = r.block_number.unwrap_or(0);
                    let head = self
                        .provider
                        .get_block_number()
                        .await
                        .map_err(|e| self.rpc_err("eth_blockNumber", e))?;
                    if head.saturating_add(1) >= mined.saturating_add(need) {
                        return Ok(r);
                    }
                }
                None => {
                    let pending = self
                        .provider
                        .get_transaction_by_hash(hash)
                        .await
                        .map_err(|e| self.rpc_err("eth_getTransactionByHash", e))?;
                    unknown = if pending.is_some() { 0 } else { unknown + 1 };
                    if unknown >= DROPPED_AFTER {
                        return Err(ChainError::NoReceipt {
                            tx: hex::encode(hash),
                        });
                    }
                }
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(MAX_POLL_INTERVAL);
        }
    }

    /// The signer's address.
    pub fn address(&self) -> [u8; 20] {
        self.address.0 .0
    }

    /// The chain id the node reported.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The RPC URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The provider, for reads (blocks, logs, transactions) by `chain::registry`.
    pub(crate) fn provider(&self) -> &DynProvider {
        &self.provider
    }

    pub(crate) fn rpc_err(&self, method: &'static str, e: impl std::fmt::Display) -> ChainError {
        rpc_err(&self.url, method, e)
    }

    /// The signer's balance in wei.
    pub async fn balance(&self) -> Result<u128> {
        let b = self
            .provider
            .get_balance(self.address)
            .await
            .map_err(|e| self.rpc_err("eth_getBalance", e))?;
        Ok(b.saturating_to())
    }

    /// Development chains only (anvil): moves the clock forward by `seconds` and mines a block
    /// with the new time, so the demo and tests can pass deadlines without waiting.
    pub async fn dev_advance_time(&self, seconds: u64) -> Result<()> {
        self.provider
            .raw_request::<_, serde_json::Value>("evm_increaseTime".into(), [seconds])
            .await
            .map_err(|e| self.rpc_err("evm_increaseTime", e))?;
        self.provider
            .raw_request::<_, serde_json::Value>("evm_mine".into(), ())
            .await
            .map_err(|e| self.rpc_err("evm_mine", e))?;
        Ok(())
    }

    /// Deploys `creation` code (gas estimated by the node) and checks code landed.
    pub async fn deploy(&self, creation: &[u8]) -> Result<Deployed> {
        let tx = TransactionRequest::default()
            .with_from(self.address)
            .with_deploy_code(creation.to_vec());
        let receipt = self.send_and_wait(tx, "deploy").await?;
        let tx_hex = hex::encode(receipt.transaction_hash);
        let gas_used = receipt.gas_used;
        let address = match (receipt.status(), receipt.contract_address) {
            (true, Some(a)) => a,
            _ => {
                return Err(ChainError::DeployFailed {
                    tx: tx_hex,
                    gas_used,
                })
            }
        };
        let code = self.code(address.0 .0).await?;
        if code.is_empty() {
            return Err(ChainError::DeployFailed {
                tx: tx_hex,
                gas_used,
            });
        }
        Ok(Deployed {
            address: address.0 .0,
            gas_used,
            code_size: code.len(),
        })
    }

    /// The runtime code at `address` (empty for an account without code).
    pub async fn code(&self, address: [u8; 20]) -> Result<Vec<u8>> {
        Ok(self
            .provider
            .get_code_at(Address::from(address))
            .await
            .map_err(|e| self.rpc_err("eth_getCode", e))?
            .to_vec())
    }

    /// Runs `creation` code as a contract creation in `eth_call` (nothing is sent) and returns
    /// the runtime code it would deploy; a creation that reverts is an error.
    pub async fn call_creation(&self, creation: &[u8]) -> Result<Vec<u8>> {
        let tx = TransactionRequest::default()
            .with_from(self.address)
            .with_deploy_code(creation.to_vec());
        self.provider
            .call(tx)
            .await
            .map(|out| out.to_vec())
            .map_err(|e| self.rpc_err("eth_call (creation)", e))
    }

    /// Simulates a call from the signer with at most `gas` gas (`eth_call`, latest block).
    pub async fn call(&self, to: [u8; 20], data: &[u8], gas: u64) -> Result<CallOutcome> {
        self.eth_call(self.request(to, data, 0, Some(gas))).await
    }

    /// Sends a transaction with a gas cap of `gas` and waits for its receipt. A mined revert
    /// is `Mined { success: false, .. }`, not an error.
    pub async fn send(&self, to: [u8; 20], data: &[u8], gas: u64) -> Result<Mined> {
        let receipt = self
            .send_and_wait(self.request(to, data, 0, Some(gas)), "eth_sendTransaction")
            .await?;
        Ok(Mined {
            tx: receipt.transaction_hash.0,
            gas_used: receipt.gas_used,
            success: receipt.status(),
        })
    }

    /// A call or transaction from the signer to `to` with `data` and `value` wei; `gas: None`
    /// leaves the limit to the node's estimate.
    pub(crate) fn request(
        &self,
        to: [u8; 20],
        data: &[u8],
        value: u128,
        gas: Option<u64>,
    ) -> TransactionRequest {
        let tx = TransactionRequest::default()
            .with_from(self.address)
            .with_to(Address::from(to))
            .with_input(data.to_vec())
            .with_value(U256::from(value));
        match gas {
            Some(g) => tx.with_gas_limit(g),
            None => tx,
        }
    }

    /// `eth_call` of `tx` at the latest block: its return data, or the revert.
    pub(crate) async fn eth_call(&self, tx: TransactionRequest) -> Result<CallOutcome> {
        match self.provider.call(tx).await {
            Ok(out) => Ok(CallOutcome::Returned(out.to_vec())),
            Err(e) => match revert_of(&e) {
                Some(r) => Ok(CallOutcome::Reverted(r)),
                None => Err(self.rpc_err("eth_call", e)),
            },
        }
    }

    /// The node's gas estimate for `tx`, or the revert that makes it fail.
    pub(crate) async fn estimate_gas(
        &self,
        tx: TransactionRequest,
    ) -> Result<std::result::Result<u64, Revert>> {
        match self.provider.estimate_gas(tx).await {
            Ok(gas) => Ok(Ok(gas)),
            Err(e) => match revert_of(&e) {
                Some(r) => Ok(Err(r)),
                None => Err(self.rpc_err("eth_estimateGas", e)),
            },
        }
    }

    /// Prices `tx` by the policy, signs and sends it, and waits for its receipt and
    /// confirmations. A node that refuses it with revert data gives `Err(Ok(revert))`.
    pub(crate) async fn transact(
        &self,
        mut tx: TransactionRequest,
        method: &'static str,
    ) -> Result<std::result::Result<TransactionReceipt, Revert>> {
        self.price(&mut tx).await?;
        let pending = match self.provider.send_transaction(tx).await {
            Ok(p) => p,
            Err(e) => {
                return match revert_of(&e) {
                    Some(r) => Ok(Err(r)),
                    None => Err(self.rpc_err(method, e)),
                }
            }
        };
        Ok(Ok(self.confirmed(*pending.tx_hash()).await?))
    }

    async fn send_and_wait(
        &self,
        tx: TransactionRequest,
        method: &'static str,
    ) -> Result<TransactionReceipt> {
        self.transact(tx, method)
            .await?
            .map_err(|r| ChainError::Rpc {
                url: self.url.clone(),
                method,
                message: format!("rejected: {}", r.message),
            })
    }
}

/// rustls needs a process-wide crypto provider before the first HTTPS client is built; ours is
/// ring (alloy's default, aws-lc-rs, is a large C build).
fn install_tls_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Err: another part of the process installed one first, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A JSON-RPC error response that means the EVM rejected the call: a revert (with its data)
/// or an exceptional halt such as running out of gas (a corrupt G1 point makes the
/// verifier's precompile call consume everything it was given).
fn revert_of(e: &RpcError<TransportErrorKind>) -> Option<Revert> {
    let resp = e.as_error_resp()?;
    let data: Option<Bytes> = resp.as_revert_data();
    let revert = Revert {
        message: resp.message.to_string(),
        data: data.as_ref().map(|d| d.to_vec()).unwrap_or_default(),
    };
    (data.is_some() || revert.is_halt()).then_some(revert)
}

fn rpc_err(url: &str, method: &'static str, e: impl std::fmt::Display) -> ChainError {
    ChainError::Rpc {
        url: url.into(),
        method,
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests;
