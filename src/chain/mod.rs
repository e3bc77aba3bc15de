//! Everything that talks to a chain, and the only module that uses ethers (so moving to
//! alloy changes one module):
//! - `anvil`: a local anvil on a free loopback port, killed on drop (tests and the demo);
//! - `client`: a small signing client: deploy bytecode, `eth_call`, send a transaction and
//!   report its gas, and surface reverts as data, never as a transport error.

pub mod anvil;
pub mod client;

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
    /// A transaction was sent but no receipt came back.
    #[error("transaction 0x{tx} was dropped from the node's pool without a receipt")]
    NoReceipt {
        /// Transaction hash (hex).
        tx: String,
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
