//! The on-chain verifier: render it from a contest's verifying key (`render`) and compile it
//! with solc-js (`compile`). Deploying and calling it is `crate::chain`'s job; nothing here
//! talks to a node.
//!
//! The rendered contract (snark-verifier's `EvmLoader`, KZG on BN254 with SHPLONK) has only a
//! fallback. Its calldata is the six public instances of docs/PROTOCOL.md §6 as 32-byte
//! big-endian words, then the proof; it returns nothing on success and reverts on failure.

pub mod compile;
pub mod render;

#[cfg(test)]
mod tests;

/// Errors of the evm module.
#[derive(Debug, thiserror::Error)]
pub enum EvmError {
    /// snark-verifier could not render a verifier for this key.
    #[error("rendering the verifier: {0}")]
    Render(String),
    /// The solc wrapper could not be started or did not finish.
    #[error("running {path}: {source} (run scripts/setup.sh to install solc-js)")]
    SolcSpawn {
        /// The solc executable.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// solc exited with an error status or printed something that is not standard JSON.
    #[error("{path} failed (exit {status}): {output}")]
    SolcFailed {
        /// The solc executable.
        path: String,
        /// Its exit status.
        status: String,
        /// The start of what it printed.
        output: String,
    },
    /// solc reported a compile error.
    #[error("solc: {contract}: {message}")]
    Solc {
        /// The source file and contract the error belongs to.
        contract: String,
        /// solc's formatted message.
        message: String,
    },
    /// solc's output lacks the bytecode for the contract.
    #[error("solc output has no {what} for {contract}")]
    MissingOutput {
        /// The contract.
        contract: String,
        /// What is missing ("creation bytecode", "runtime bytecode").
        what: &'static str,
    },
    /// The runtime code is larger than EIP-170 allows, so deploying it would fail.
    #[error("the verifier's runtime code is {size} bytes, over the EIP-170 limit of {limit}; use a spec with fewer advice columns or a larger k")]
    TooLarge {
        /// Runtime size in bytes.
        size: usize,
        /// The limit (24,576).
        limit: usize,
    },
    /// The runtime code is implausibly small (e.g. viaIR reduced the verifier to a revert).
    #[error("the verifier's runtime code is only {size} bytes; the compiler dropped the verifier (was viaIR on?)")]
    Degenerate {
        /// Runtime size in bytes.
        size: usize,
    },
}

/// `Result` with [`EvmError`].
pub type Result<T> = std::result::Result<T, EvmError>;
