//! Compiles the rendered verifier with solc-js through `scripts/solc` (standard JSON).
//!
//! Settings, checked on this machine with solc 0.8.19 (the version the rendered code pins):
//! the optimizer is on with its Yul optimizer off (`details.yul = false`): the full optimizer
//! fails with "Stack too deep" on the verifier's single assembly block. `viaIR` stays off: it
//! silently reduces the verifier to a 57-byte contract that always reverts.
//!
//! Optimizer runs: the verifier is first compiled for execution (`runs` = 1,000,000), which on
//! the digits verifier saves ≈ 4,000 gas per verification for ≈ 480 more bytes; if that
//! exceeds EIP-170 it is compiled again for size (`runs` = 1), and only then refused.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use super::{EvmError, Result};

/// EIP-170: the largest runtime code a contract may have.
pub const EIP170_LIMIT: usize = 24_576;
/// Below this, the runtime cannot be a verifier (a pairing check alone is larger).
const MIN_VERIFIER_RUNTIME: usize = 1_024;
/// The source file name given to solc.
pub const SOURCE_NAME: &str = "Verifier.sol";
/// The contract snark-verifier renders.
pub const CONTRACT_NAME: &str = "Halo2Verifier";

/// A solc executable that takes `--standard-json` (our solc-js wrapper, or native solc).
#[derive(Clone, Debug)]
pub struct Solc {
    path: PathBuf,
}

/// The compiled verifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compiled {
    /// Creation (deployment) code.
    pub creation: Vec<u8>,
    /// Runtime code, as it will be stored on chain.
    pub runtime: Vec<u8>,
    /// The optimizer's `runs` setting it was compiled with.
    pub optimizer_runs: u32,
}

/// `runs` when the verifier fits EIP-170 that way: cheaper verification.
pub const RUNS_FOR_GAS: u32 = 1_000_000;
/// `runs` otherwise: the smallest code.
pub const RUNS_FOR_SIZE: u32 = 1;

impl Solc {
    /// A solc executable at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The repository's solc-js wrapper, `<root>/scripts/solc`.
    pub fn in_repo(root: &Path) -> Self {
        Self::new(root.join("scripts").join("solc"))
    }

    /// The executable's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Compiles `source` (a rendered verifier) and checks the runtime size against EIP-170.
    pub fn compile_verifier(&self, source: &str) -> Result<Compiled> {
        let run = |runs| self.compile_contract(source, CONTRACT_NAME, runs);
        let mut compiled = run(RUNS_FOR_GAS)?;
        if compiled.runtime.len() > EIP170_LIMIT {
            compiled = run(RUNS_FOR_SIZE)?;
        }
        let size = compiled.runtime.len();
        if size > EIP170_LIMIT {
            return Err(EvmError::TooLarge {
                size,
                limit: EIP170_LIMIT,
            });
        }
        if size < MIN_VERIFIER_RUNTIME {
            return Err(EvmError::Degenerate { size });
        }
        Ok(compiled)
    }

    /// Compiles contract `name` of `source` with the verifier's settings and `runs`, without
    /// the verifier's size checks (for other contracts, such as the adversarial verifiers of the
    /// trust tests).
    pub fn compile_contract(&self, source: &str, name: &str, runs: u32) -> Result<Compiled> {
        extract(
            &self.standard_json(&input_json(source, name, runs))?,
            name,
            runs,
        )
    }

    /// Runs `solc --standard-json` on `input` and parses its output.
    fn standard_json(&self, input: &Value) -> Result<Value> {
        let path = self.path.display().to_string();
        let spawn_err = |source| EvmError::SolcSpawn {
            path: path.clone(),
            source,
        };
        let mut child = Command::new(&self.path)
            .arg("--standard-json")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(spawn_err)?;
        let body = input.to_string();
        // The wrapper reads all of stdin into a file before solc starts, so writing everything
        // before reading the output cannot deadlock.
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(body.as_bytes()).map_err(spawn_err)?;
        }
        let out = child.wait_with_output().map_err(spawn_err)?;
        let failed = |output: &[u8]| EvmError::SolcFailed {
            path: path.clone(),
            status: out.status.to_string(),
            output: String::from_utf8_lossy(output)
                .chars()
                .take(2_000)
                .collect(),
        };
        if !out.status.success() {
            let shown = if out.stderr.is_empty() {
                &out.stdout
            } else {
                &out.stderr
            };
            return Err(failed(shown));
        }
        serde_json::from_slice(&out.stdout).map_err(|_| failed(&out.stdout))
    }
}

/// The standard-JSON input: one source, optimizer on with the Yul optimizer off, no viaIR,
/// `runs` as given (see the module docs).
fn input_json(source: &str, name: &str, runs: u32) -> Value {
    json!({
        "language": "Solidity",
        "sources": { SOURCE_NAME: { "content": source } },
        "settings": {
            "viaIR": false,
            "optimizer": { "enabled": true, "runs": runs, "details": { "yul": false } },
            "outputSelection": {
                SOURCE_NAME: { name: ["evm.bytecode.object", "evm.deployedBytecode.object"] }
            }
        }
    })
}

/// Takes the bytecodes out of solc's output; the first error-severity message is an error.
fn extract(output: &Value, name: &str, runs: u32) -> Result<Compiled> {
    if let Some(errors) = output.get("errors").and_then(Value::as_array) {
        if let Some(e) = errors
            .iter()
            .find(|e| e.get("severity").and_then(Value::as_str) == Some("error"))
        {
            let text = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_owned);
            let file = e
                .pointer("/sourceLocation/file")
                .and_then(Value::as_str)
                .unwrap_or(SOURCE_NAME);
            return Err(EvmError::Solc {
                contract: format!("{file}:{name}"),
                message: text("formattedMessage")
                    .or_else(|| text("message"))
                    .unwrap_or_else(|| e.to_string()),
            });
        }
    }
    let contract = output.pointer(&format!("/contracts/{SOURCE_NAME}/{name}"));
    let code = |ptr: &str, what: &'static str| -> Result<Vec<u8>> {
        let missing = || EvmError::MissingOutput {
            contract: name.into(),
            what,
        };
        let hex_code = contract
            .and_then(|c| c.pointer(ptr))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(missing)?;
        hex::decode(hex_code).map_err(|_| missing())
    };
    Ok(Compiled {
        creation: code("/evm/bytecode/object", "creation bytecode")?,
        runtime: code("/evm/deployedBytecode/object", "runtime bytecode")?,
        optimizer_runs: runs,
    })
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn solc_errors_name_the_contract() {
        let out = json!({"errors": [
            {"severity": "warning", "message": "w"},
            {"severity": "error", "formattedMessage": "CompilerError: Stack too deep.",
             "sourceLocation": {"file": "Verifier.sol"}}
        ]});
        match extract(&out, CONTRACT_NAME, RUNS_FOR_SIZE) {
            Err(EvmError::Solc { contract, message }) => {
                assert_eq!(contract, "Verifier.sol:Halo2Verifier");
                assert!(message.contains("Stack too deep"), "{message}");
            }
            other => panic!("expected a solc error, got {other:?}"),
        }
    }

    fn repo_solc() -> Solc {
        Solc::in_repo(Path::new(env!("CARGO_MANIFEST_DIR")))
    }

    #[test]
    fn real_solc_reports_a_syntax_error() {
        let err = repo_solc()
            .compile_verifier("pragma solidity 0.8.19; contract Halo2Verifier { oops }")
            .expect_err("does not compile");
        match err {
            EvmError::Solc { contract, message } => {
                assert_eq!(contract, "Verifier.sol:Halo2Verifier");
                assert!(message.contains("ParserError"), "{message}");
            }
            other => panic!("expected a solc error, got {other}"),
        }
    }

    #[test]
    fn runtime_over_eip170_is_too_large() {
        // A 25,000-byte constant returned by the fallback lands in the runtime code.
        let blob = "ab".repeat(25_000);
        let source = format!(
            "pragma solidity 0.8.19; contract Halo2Verifier {{ \
             bytes constant B = hex\"{blob}\"; \
             fallback(bytes calldata) external returns (bytes memory) {{ return B; }} }}"
        );
        match repo_solc().compile_verifier(&source) {
            Err(EvmError::TooLarge { size, limit }) => {
                assert!(size > 25_000, "{size}");
                assert_eq!(limit, EIP170_LIMIT);
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn a_trivial_contract_is_degenerate() {
        // What viaIR made of the verifier: a few bytes that can only revert.
        let source =
            "pragma solidity 0.8.19; contract Halo2Verifier { fallback() external { revert(); } }";
        assert!(matches!(
            repo_solc().compile_verifier(source),
            Err(EvmError::Degenerate { .. })
        ));
    }

    #[test]
    fn missing_bytecode_is_an_error() {
        let out = json!({"contracts": {"Verifier.sol": {"Halo2Verifier": {"evm": {
            "bytecode": {"object": "6000"}, "deployedBytecode": {"object": ""}}}}}});
        assert!(matches!(
            extract(&out, CONTRACT_NAME, RUNS_FOR_SIZE),
            Err(EvmError::MissingOutput {
                what: "runtime bytecode",
                ..
            })
        ));
    }
}
