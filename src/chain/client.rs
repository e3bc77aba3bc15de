//! A small signing client over ethers: deploy bytecode, simulate a call, send a transaction
//! and report the gas it used. Reverts are results ([`CallOutcome::Reverted`]), not errors:
//! for a verifier, "rejected" is an answer.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use ethers::middleware::SignerMiddleware;
use ethers::providers::PendingTransaction;
use ethers::providers::{Http, Middleware, MiddlewareError, Provider};
use ethers::signers::{LocalWallet, Signer};
use ethers::types::transaction::eip2718::TypedTransaction;
use ethers::types::{
    Address, BlockNumber, Bytes, Eip1559TransactionRequest, TransactionReceipt, TransactionRequest,
    U256,
};

use super::{ChainError, Result};

/// How often the provider polls for receipts. ethers' default (7 s) makes every receipt on
/// anvil wait 7 s; anvil mines each transaction at once.
pub const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// The ethers middleware stack every registry call goes through.
pub(crate) type Inner = SignerMiddleware<Provider<Http>, LocalWallet>;

/// A client bound to one RPC endpoint and one signing key.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
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
        // Never include the key (or ethers' message, which might echo it) in the error.
        let wallet = LocalWallet::from_str(private_key.trim_start_matches("0x"))
            .map_err(|_| ChainError::Key("expected 32 bytes of hex (64 hex digits)".into()))?;
        Self::connect_wallet(url, wallet).await
    }

    /// Connects to `url` and signs with the key of an encrypted JSON keystore (geth/foundry
    /// format). A wrong password and a malformed file are both `ChainError::Key`.
    pub async fn connect_keystore(
        url: &str,
        keystore: &std::path::Path,
        password: &str,
    ) -> Result<Self> {
        let wallet = LocalWallet::decrypt_keystore(keystore, password).map_err(|e| {
            ChainError::Key(format!(
                "cannot decrypt keystore {}: {e} (wrong password or not a keystore)",
                keystore.display()
            ))
        })?;
        Self::connect_wallet(url, wallet).await
    }

    /// Connects for reading only (views, logs, blocks): the signer is a fresh random key that
    /// holds nothing and is never asked to sign.
    pub async fn connect_read_only(url: &str) -> Result<Self> {
        Self::connect_wallet(url, LocalWallet::new(&mut rand::rngs::OsRng)).await
    }

    async fn connect_wallet(url: &str, wallet: LocalWallet) -> Result<Self> {
        let provider = Provider::<Http>::try_from(url)
            .map_err(|e| ChainError::Url {
                url: url.into(),
                reason: e.to_string(),
            })?
            .interval(POLL_INTERVAL);
        let chain_id = provider
            .get_chainid()
            .await
            .map_err(|e| rpc_err(url, "eth_chainId", e))?
            .as_u64();
        let inner = SignerMiddleware::new(provider, wallet.with_chain_id(chain_id));
        Ok(Self {
            inner: Arc::new(inner),
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
    /// transaction would wait in the pool, perhaps for ever.
    pub(crate) async fn price(&self, tx: &mut TypedTransaction) -> Result<()> {
        let Some(cap) = self.policy.max_fee_per_gas else {
            return Ok(());
        };
        let block = self
            .inner
            .get_block(BlockNumber::Latest)
            .await
            .map_err(|e| rpc_err(&self.url, "eth_getBlockByNumber", e))?
            .ok_or_else(|| rpc_err(&self.url, "eth_getBlockByNumber", "no latest block"))?;
        let base = block.base_fee_per_gas.ok_or(ChainError::FeeCap {
            cap_wei: cap,
            base_wei: None,
        })?;
        let cap_u = U256::from(cap);
        if base >= cap_u {
            return Err(ChainError::FeeCap {
                cap_wei: cap,
                base_wei: Some(base.as_u128()),
            });
        }
        let (max_fee, priority) = self
            .inner
            .estimate_eip1559_fees(None)
            .await
            .map_err(|e| rpc_err(&self.url, "eth_feeHistory", e))?;
        let max_fee = max_fee.min(cap_u);
        let priority = priority.min(max_fee - base);
        let mut req = match &*tx {
            TypedTransaction::Eip1559(r) => r.clone(),
            other => {
                let mut r = Eip1559TransactionRequest::new();
                r.from = other.from().copied();
                r.to = other.to().cloned();
                r.gas = other.gas().copied();
                r.value = other.value().copied();
                r.data = other.data().cloned();
                r.nonce = other.nonce().copied();
                r.chain_id = other.chain_id();
                r
            }
        };
        req.max_fee_per_gas = Some(max_fee);
        req.max_priority_fee_per_gas = Some(priority);
        *tx = TypedTransaction::Eip1559(req);
        Ok(())
    }

    /// Waits for `pending`'s receipt and the policy's confirmations.
    pub(crate) async fn confirmed(
        &self,
        pending: PendingTransaction<'_, Http>,
    ) -> Result<TransactionReceipt> {
        let hash = pending.tx_hash();
        pending
            .confirmations(self.policy.confirmations.max(1))
            .await
            .map_err(|e| rpc_err(&self.url, "eth_getTransactionReceipt", e))?
            .ok_or_else(|| ChainError::NoReceipt {
                tx: hex::encode(hash),
            })
    }

    /// The signer's address.
    pub fn address(&self) -> [u8; 20] {
        self.inner.address().0
    }

    /// The chain id the node reported.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The RPC URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn inner(&self) -> Arc<Inner> {
        self.inner.clone()
    }

    pub(crate) fn rpc_err(&self, method: &'static str, e: impl std::fmt::Display) -> ChainError {
        rpc_err(&self.url, method, e)
    }

    /// The signer's balance in wei.
    pub async fn balance(&self) -> Result<u128> {
        let b = self
            .inner
            .get_balance(self.inner.address(), None)
            .await
            .map_err(|e| rpc_err(&self.url, "eth_getBalance", e))?;
        Ok(b.min(ethers::types::U256::from(u128::MAX)).as_u128())
    }

    /// Development chains only (anvil): moves the clock forward by `seconds` and mines a block
    /// with the new time, so the demo and tests can pass deadlines without waiting.
    pub async fn dev_advance_time(&self, seconds: u64) -> Result<()> {
        let p = self.inner.provider();
        p.request::<_, serde_json::Value>("evm_increaseTime", [seconds])
            .await
            .map_err(|e| rpc_err(&self.url, "evm_increaseTime", e))?;
        p.request::<_, serde_json::Value>("evm_mine", ())
            .await
            .map_err(|e| rpc_err(&self.url, "evm_mine", e))?;
        Ok(())
    }

    /// Deploys `creation` code (gas estimated by the node) and checks code landed.
    pub async fn deploy(&self, creation: &[u8]) -> Result<Deployed> {
        let tx = TransactionRequest::new().data(Bytes::from(creation.to_vec()));
        let receipt = self.send_and_wait(tx.into(), "deploy").await?;
        let tx_hex = hex::encode(receipt.transaction_hash);
        let gas_used = gas_used_of(&receipt);
        let address = match (receipt.status.map(|s| s.as_u64()), receipt.contract_address) {
            (Some(1), Some(a)) => a,
            _ => {
                return Err(ChainError::DeployFailed {
                    tx: tx_hex,
                    gas_used,
                })
            }
        };
        let code = self
            .inner
            .get_code(address, None)
            .await
            .map_err(|e| rpc_err(&self.url, "eth_getCode", e))?;
        if code.is_empty() {
            return Err(ChainError::DeployFailed {
                tx: tx_hex,
                gas_used,
            });
        }
        Ok(Deployed {
            address: address.0,
            gas_used,
            code_size: code.len(),
        })
    }

    /// The runtime code at `address` (empty for an account without code).
    pub async fn code(&self, address: [u8; 20]) -> Result<Vec<u8>> {
        Ok(self
            .inner
            .get_code(Address::from(address), None)
            .await
            .map_err(|e| rpc_err(&self.url, "eth_getCode", e))?
            .to_vec())
    }

    /// Runs `creation` code as a contract creation in `eth_call` (nothing is sent) and returns
    /// the runtime code it would deploy; a creation that reverts is an error.
    pub async fn call_creation(&self, creation: &[u8]) -> Result<Vec<u8>> {
        let tx: TypedTransaction = TransactionRequest::new()
            .from(self.inner.address())
            .data(Bytes::from(creation.to_vec()))
            .into();
        self.inner
            .call(&tx, None)
            .await
            .map(|out| out.to_vec())
            .map_err(|e| rpc_err(&self.url, "eth_call (creation)", e))
    }

    /// Simulates a call from the signer with at most `gas` gas (`eth_call`, latest block).
    pub async fn call(&self, to: [u8; 20], data: &[u8], gas: u64) -> Result<CallOutcome> {
        let tx: TypedTransaction = self.request(to, data, gas).into();
        match self.inner.call(&tx, None).await {
            Ok(out) => Ok(CallOutcome::Returned(out.to_vec())),
            Err(e) => match revert_of(&e) {
                Some(r) => Ok(CallOutcome::Reverted(r)),
                None => Err(rpc_err(&self.url, "eth_call", e)),
            },
        }
    }

    /// Sends a transaction with a gas cap of `gas` and waits for its receipt. A mined revert
    /// is `Mined { success: false, .. }`, not an error.
    pub async fn send(&self, to: [u8; 20], data: &[u8], gas: u64) -> Result<Mined> {
        let receipt = self
            .send_and_wait(self.request(to, data, gas).into(), "eth_sendTransaction")
            .await?;
        Ok(Mined {
            tx: receipt.transaction_hash.0,
            gas_used: gas_used_of(&receipt),
            success: receipt.status.map(|s| s.as_u64()) == Some(1),
        })
    }

    fn request(&self, to: [u8; 20], data: &[u8], gas: u64) -> TransactionRequest {
        TransactionRequest::new()
            .from(self.inner.address())
            .to(Address::from(to))
            .data(Bytes::from(data.to_vec()))
            .gas(gas)
    }

    async fn send_and_wait(
        &self,
        mut tx: TypedTransaction,
        method: &'static str,
    ) -> Result<TransactionReceipt> {
        self.price(&mut tx).await?;
        let pending = self
            .inner
            .send_transaction(tx, None)
            .await
            .map_err(|e| rpc_err(&self.url, method, e))?;
        self.confirmed(pending).await
    }
}

fn gas_used_of(receipt: &TransactionReceipt) -> u64 {
    receipt.gas_used.map(|g| g.as_u64()).unwrap_or(0)
}

/// A JSON-RPC error response that means the EVM rejected the call: a revert (with its data)
/// or an exceptional halt such as running out of gas (a corrupt G1 point makes the
/// verifier's precompile call consume everything it was given).
fn revert_of<E: MiddlewareError>(e: &E) -> Option<Revert> {
    let resp = e.as_error_response()?;
    let halted = {
        let m = resp.message.to_ascii_lowercase();
        // anvil: "EVM error MemoryOOG", "EVM error OutOfGas", …; geth: "out of gas".
        m.contains("out of gas") || m.contains("oog") || m.starts_with("evm error")
    };
    let data = resp.as_revert_data();
    if data.is_none() && !halted {
        return None;
    }
    Some(Revert {
        message: resp.message.clone(),
        data: data.map(|d| d.to_vec()).unwrap_or_default(),
    })
}

fn rpc_err(url: &str, method: &'static str, e: impl std::fmt::Display) -> ChainError {
    ChainError::Rpc {
        url: url.into(),
        method,
        message: e.to_string(),
    }
}
