//! Everything that talks to a chain, and the only module that uses alloy (the chain library
//! is a detail of this module):
//! - `anvil`: a local anvil on a free loopback port, killed on drop (tests and the demo);
//! - `client`: a small signing client: deploy bytecode, `eth_call`, send a transaction and
//!   report its gas, and surface reverts as data, never as a transport error;
//! - `registry`: `ContestRegistry` through `sol!` bindings (`bindings`, private): deploy,
//!   transactions simulated first so reverts come back as the contract's custom errors,
//!   views and decoded events, all in the plain types of `types`.

pub mod anvil;
mod bindings;
pub mod client;
pub mod network;
pub mod registry;
pub mod types;

/// Errors of the chain module. None of them ever contains a private key.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// anvil could not be started.
    #[error("starting {path}: {source} (run scripts/setup.sh to install anvil)")]
    AnvilSpawn {
        /// The anvil executable.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// anvil exited before it answered.
    #[error("anvil on port {port} exited before answering ({status}): {stderr}")]
    AnvilExited {
        /// The port it was given.
        port: u16,
        /// Its exit status.
        status: String,
        /// The end of what it printed on stderr.
        stderr: String,
    },
    /// anvil did not answer `eth_chainId` in time.
    #[error("anvil on port {port} did not answer eth_chainId within {waited_ms} ms")]
    AnvilTimeout {
        /// The port.
        port: u16,
        /// How long we waited.
        waited_ms: u128,
    },
    /// No free loopback port could be found.
    #[error("finding a free loopback port: {0}")]
    NoPort(#[source] std::io::Error),
    /// The RPC URL is malformed.
    #[error("bad RPC URL {url:?}: {reason}")]
    Url {
        /// The URL.
        url: String,
        /// Why it is bad.
        reason: String,
    },
    /// The private key is malformed (the key itself is never shown).
    #[error("bad private key: {0}")]
    Key(String),
    /// An RPC call failed for a reason other than a revert.
    #[error("{method} at {url} failed: {message} (is the node running and reachable at {url}?)")]
    Rpc {
        /// The endpoint.
        url: String,
        /// The JSON-RPC method or the action ("deploy").
        method: &'static str,
        /// The error.
        message: String,
    },
    /// `--max-fee-gwei` is below the chain's current base fee (or the chain has none).
    #[error("{}", fee_cap_message(*cap_wei, *base_wei))]
    FeeCap {
        /// The cap, in wei.
        cap_wei: u128,
        /// The latest block's base fee, in wei (`None`: the chain has no EIP-1559 base fee).
        base_wei: Option<u128>,
    },
    /// A transaction was sent but no receipt came back.
    #[error("transaction 0x{tx} was dropped from the node's pool without a receipt")]
    NoReceipt {
        /// Transaction hash (hex).
        tx: String,
    },
    /// The registry rejected a call or transaction: `error` is its decoded custom error.
    #[error("{action} rejected by the registry: {error}")]
    Reverted {
        /// The function (`commitModel`, …).
        action: &'static str,
        /// The decoded error, e.g. `BelowThreshold { correct: 300, min_correct: 324 }`.
        error: String,
    },
    /// No registry at this address.
    #[error("no ContestRegistry at {address} on {url} (wrong --registry, or another chain?)")]
    NoRegistry {
        /// The address.
        address: String,
        /// The endpoint.
        url: String,
    },
    /// A transaction succeeded without the event it must emit.
    #[error("transaction {tx} emitted no {event} event")]
    MissingEvent {
        /// The event.
        event: &'static str,
        /// The transaction.
        tx: String,
    },
    /// Chain data could not be decoded.
    #[error("decoding {what}: {detail}")]
    Decode {
        /// What.
        what: &'static str,
        /// Why.
        detail: String,
    },
    /// A contract creation was mined but failed (reverted, out of gas, or code too large).
    #[error("deploying: transaction 0x{tx} failed after using {gas_used} gas (is the runtime code over EIP-170's 24,576 bytes?)")]
    DeployFailed {
        /// Transaction hash (hex).
        tx: String,
        /// Gas used.
        gas_used: u64,
    },
}

/// `Result` with [`ChainError`].
pub type Result<T> = std::result::Result<T, ChainError>;

fn fee_cap_message(cap: u128, base: Option<u128>) -> String {
    let gwei = |w: u128| format!("{} gwei", w as f64 / 1e9);
    match base {
        Some(b) => format!(
            "the latest base fee is {}, at or above --max-fee-gwei {}: a transaction would not be \
             mined at that price; nothing was sent (raise the cap or wait for lower fees)",
            gwei(b),
            gwei(cap)
        ),
        None => format!(
            "--max-fee-gwei {} needs EIP-1559, and the node's latest block has no base fee; \
             nothing was sent",
            gwei(cap)
        ),
    }
}
