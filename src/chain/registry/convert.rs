//! The registry's ABI types and ours: calls' arguments and views' results converted between
//! the `sol!` bindings and `chain::types`, revert data decoded to the registry's errors, and
//! the creation code from the committed artifacts.

use alloy::primitives::{Address, TxHash, B256, U256};
use alloy::sol_types::{ContractError, SolInterface};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;

use crate::chain::bindings::{
    self,
    ContestRegistry::{ContestParams, ContestRegistryErrors},
};
use crate::chain::client::Revert;
use crate::chain::types::{Addr, Blake2b, ContestConfig, TestSetLayout, Wei};
use crate::chain::{ChainError, Result};
use crate::commit::{fr_from_be_bytes, fr_to_be_bytes};

/// A revert's data as the registry's custom error (`BelowThreshold { correct: 300, … }`),
/// a `revert("…")` string, a panic code, or, for anything else, its hex.
pub fn decode_revert(data: &[u8]) -> String {
    if data.is_empty() {
        return "reverted without data".into();
    }
    match ContractError::<ContestRegistryErrors>::abi_decode(data) {
        Ok(ContractError::Revert(r)) => format!("revert: {}", r.reason),
        Ok(ContractError::Panic(p)) => format!("panic: {p}"),
        Ok(ContractError::CustomError(err)) => {
            // `Debug` of the generated enum is `Name(Name { field: value, … })` (or
            // `Name(Name)` for an error without fields); keep the inner part, which already
            // names the error.
            let text = format!("{err:?}");
            match (text.find('('), text.ends_with(')')) {
                (Some(open), true) => text[open + 1..text.len() - 1].to_string(),
                _ => text,
            }
        }
        Err(_) => format!("unknown error 0x{}", hex::encode(data)),
    }
}

/// A decoded revert as the error of `action`.
pub(super) fn reverted(action: &'static str, r: &Revert) -> ChainError {
    let error = if r.is_halt() {
        // The node's words are all there is.
        format!("halted: {}", r.message)
    } else {
        decode_revert(&r.data)
    };
    ChainError::Reverted { action, error }
}

pub(super) fn tx_hash(tx: &str) -> Result<TxHash> {
    tx.parse().map_err(|_| ChainError::Decode {
        what: "transaction hash",
        detail: format!("{tx:?} is not 0x + 64 hex digits"),
    })
}

/// The registry's creation code with its constructor argument, the PoseidonT3 library.
pub(super) fn registry_creation(poseidon: Addr) -> Result<Vec<u8>> {
    with_poseidon(bindings::CONTEST_REGISTRY_ARTIFACT, poseidon)
}

/// `RegistryAnnex`'s creation code with its constructor argument (the Poseidon library).
pub(super) fn annex_creation(poseidon: Addr) -> Result<Vec<u8>> {
    with_poseidon(bindings::REGISTRY_ANNEX_ARTIFACT, poseidon)
}

/// An artifact's creation code followed by its one constructor argument, the Poseidon library's
/// address (ABI-encoded: a left-padded word).
fn with_poseidon(artifact: &str, poseidon: Addr) -> Result<Vec<u8>> {
    let mut creation = artifact_bytecode(artifact)?;
    creation.extend_from_slice(&[0u8; 12]);
    creation.extend_from_slice(&poseidon.0);
    Ok(creation)
}

/// Where a registry at `registry` created its annex: its first contract creation, at
/// `CREATE(registry, 1)` (a contract's nonce starts at 1): the last 20 bytes of
/// `keccak256(rlp([registry, 1])) = keccak256(0xd6 0x94 ‖ registry ‖ 0x01)`.
pub(super) fn annex_address(registry: Addr) -> Addr {
    let mut rlp = Vec::with_capacity(23);
    rlp.extend_from_slice(&[0xd6, 0x94]);
    rlp.extend_from_slice(&registry.0);
    rlp.push(0x01);
    let h = alloy::primitives::keccak256(&rlp);
    let mut a = [0u8; 20];
    a.copy_from_slice(&h[12..]);
    Addr(a)
}

pub(super) fn artifact_bytecode(json: &str) -> Result<Vec<u8>> {
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

pub(super) fn params_of(c: &ContestConfig) -> ContestParams {
    ContestParams {
        specHash: B256::from(c.spec_hash),
        verifier: Address::from(c.verifier.0),
        vkDigest: B256::from(c.vk_digest),
        srsDigest: B256::from(c.srs_digest),
        testSetCommitment: u256_of_fr(&c.testset_commitment),
        testSetSize: c.test_set_size,
        minCorrect: c.min_correct,
        features: c.layout.features,
        featureSpan: c.layout.feature_span,
        classes: c.layout.classes,
        shards: c.layout.shards,
        payoutBps: c.payout_bps.clone(),
        commitBond: U256::from(c.commit_bond.0),
        commitDeadline: c.commit_deadline,
        testSetDeadline: c.test_set_deadline,
        proofDeadline: c.proof_deadline,
        revealWindow: c.reveal_window,
    }
}

pub(super) fn config_of(p: &ContestParams) -> Result<ContestConfig> {
    Ok(ContestConfig {
        spec_hash: p.specHash.0,
        verifier: Addr(p.verifier.into_array()),
        vk_digest: p.vkDigest.0,
        srs_digest: p.srsDigest.0,
        testset_commitment: fr_of_u256(p.testSetCommitment)?,
        test_set_size: p.testSetSize,
        min_correct: p.minCorrect,
        layout: TestSetLayout {
            features: p.features,
            feature_span: p.featureSpan,
            classes: p.classes,
            shards: p.shards,
        },
        payout_bps: p.payoutBps.clone(),
        commit_bond: wei_of(p.commitBond),
        commit_deadline: p.commitDeadline,
        test_set_deadline: p.testSetDeadline,
        proof_deadline: p.proofDeadline,
        reveal_window: p.revealWindow,
    })
}

/// A blake2b-512 hash as the registry takes it: two big-endian halves.
pub(super) fn halves(h: &Blake2b) -> [B256; 2] {
    [B256::from_slice(&h.0[..32]), B256::from_slice(&h.0[32..])]
}

pub(super) fn joined(h: &[B256; 2]) -> Blake2b {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(h[0].as_slice());
    out[32..].copy_from_slice(h[1].as_slice());
    Blake2b(out)
}

pub(super) fn u256_of_fr(x: &Fr) -> U256 {
    U256::from_be_bytes(fr_to_be_bytes(x))
}

/// The registry only stores canonical field elements (it checks), so this fails only on a
/// contract that is not ours.
pub(super) fn fr_of_u256(x: U256) -> Result<Fr> {
    fr_from_be_bytes(&x.to_be_bytes::<32>()).map_err(|e| ChainError::Decode {
        what: "field element",
        detail: e.to_string(),
    })
}

/// Amounts above 2^128 wei (3.4e20 ETH) do not exist; saturate rather than panic.
pub(super) fn wei_of(x: U256) -> Wei {
    Wei(x.saturating_to())
}

/// Counts and ids the registry keeps in `uint256` never reach 2^64; a node that claims more
/// gets the largest `u64` rather than a panic.
pub(super) fn u64_of(x: U256) -> u64 {
    x.saturating_to()
}

pub(super) fn frs(xs: Vec<U256>) -> Result<Vec<Fr>> {
    xs.into_iter().map(fr_of_u256).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::bindings::ContestRegistry as abi;

    #[test]
    fn reverts_decode_to_the_registrys_errors() {
        use alloy::sol_types::{Panic, Revert as RevertString, SolError};
        let custom = abi::WrongBond {
            sent: U256::from(5u64),
            expected: U256::from(1_000u64),
        }
        .abi_encode();
        assert_eq!(
            decode_revert(&custom),
            "WrongBond { sent: 5, expected: 1000 }"
        );
        let with_address = abi::NotCommitted {
            contestId: U256::from(7u64),
            account: Address::from([0xab; 20]),
        }
        .abi_encode();
        let text = decode_revert(&with_address);
        assert!(
            text.starts_with("NotCommitted { contestId: 7, account: 0x")
                && text.to_ascii_lowercase().contains(&"ab".repeat(20)),
            "{text}"
        );
        let string = RevertString::from("no").abi_encode();
        assert_eq!(decode_revert(&string), "revert: no");
        let panic = Panic::from(0x11u64).abi_encode();
        assert!(
            decode_revert(&panic).starts_with("panic: "),
            "{}",
            decode_revert(&panic)
        );
        assert_eq!(decode_revert(&[]), "reverted without data");
        // Another contract's error (or garbage) is shown as hex, never misnamed.
        assert_eq!(
            decode_revert(&[0xde, 0xad, 0xbe, 0xef, 1]),
            "unknown error 0xdeadbeef01"
        );
        let mut truncated = custom.clone();
        truncated.truncate(20);
        assert!(decode_revert(&truncated).starts_with("unknown error 0x"));
        // A halt carries no data: the node's message is the error.
        let halt = Revert {
            message: "EVM error OutOfGas".into(),
            data: Vec::new(),
        };
        match reverted("submitProof", &halt) {
            ChainError::Reverted { action, error } => {
                assert_eq!(action, "submitProof");
                assert_eq!(error, "halted: EVM error OutOfGas");
            }
            other => panic!("{other}"),
        }
    }
}
