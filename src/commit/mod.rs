//! Commitments: circomlib's two-input Poseidon, the length-strengthened chain, and the
//! packing of bounded integers into field elements (`docs/PROTOCOL.md` §1–3).
//!
//! Everything here is native Rust over the BN254 scalar field. The circuit recomputes the
//! same values in-circuit and the contracts recompute them on chain; all three share the
//! test vectors written by `contest-cli vectors` (see `contracts/test/vectors/`).

mod pack;
pub mod poseidon;
mod vectors;

pub use pack::{pack_stream, packed_len, unpack_stream, StreamRange};
pub use poseidon::{chain, permute, poseidon2, Chain, MODEL_TAG, TESTSET_ROOT_TAG, TESTSET_TAG};
pub use vectors::vectors_json;

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::PrimeField;

/// Errors from commitment helpers.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CommitError {
    /// A 32-byte big-endian word was not below the field modulus.
    #[error("0x{0} is not a canonical BN254 field element (it is not below the modulus)")]
    NonCanonical(String),
    /// A value lies outside the range its stream declares.
    #[error("value {value} at index {index} is outside the stream's range [{lo}, {hi}]")]
    OutOfRange {
        /// Position in the stream.
        index: usize,
        /// The offending value.
        value: i128,
        /// Lower bound (inclusive).
        lo: i128,
        /// Upper bound (inclusive).
        hi: i128,
    },
    /// A stream range that cannot be packed.
    #[error("invalid stream range [{lo}, {hi}]: need lo <= hi and a width of at most 64 bits")]
    BadRange {
        /// Lower bound.
        lo: i128,
        /// Upper bound.
        hi: i128,
    },
    /// Packed elements that no stream of the declared length and range packs to.
    #[error("packed element {index} is malformed: {reason}")]
    Malformed {
        /// Position of the element.
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// A hex string that is not a 32-byte word.
    #[error("invalid field element {0:?}: expected 0x followed by up to 64 hex digits")]
    BadHex(String),
}

/// `Result` with this module's error.
pub type Result<T> = std::result::Result<T, CommitError>;

/// Field element from 32 big-endian bytes; rejects values `>= p` rather than reducing them
/// (reduction would give one commitment two encodings).
pub fn fr_from_be_bytes(bytes: &[u8; 32]) -> Result<Fr> {
    let mut le = *bytes;
    le.reverse();
    Option::<Fr>::from(Fr::from_repr(le))
        .ok_or_else(|| CommitError::NonCanonical(hex::encode(bytes)))
}

/// The 32 big-endian bytes of a field element (the EVM word form).
pub fn fr_to_be_bytes(x: &Fr) -> [u8; 32] {
    let mut out = x.to_repr();
    out.reverse();
    out
}

/// `0x`-prefixed, 64-digit lower-case hex of a field element.
pub fn fr_to_hex(x: &Fr) -> String {
    format!("0x{}", hex::encode(fr_to_be_bytes(x)))
}

/// Parses `0x…` hex (at most 64 digits, big-endian) into a canonical field element.
pub fn fr_from_hex(s: &str) -> Result<Fr> {
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    if digits.is_empty() || digits.len() > 64 {
        return Err(CommitError::BadHex(s.to_string()));
    }
    let padded = format!("{digits:0>64}");
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(&padded, &mut bytes).map_err(|_| CommitError::BadHex(s.to_string()))?;
    fr_from_be_bytes(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_rejects_non_canonical() {
        let x = Fr::from(0x1234_5678u64);
        assert_eq!(fr_from_hex(&fr_to_hex(&x)), Ok(x));
        assert_eq!(fr_from_hex("0x01"), Ok(Fr::one()));
        // p itself is not canonical.
        let p = "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
        assert!(matches!(fr_from_hex(p), Err(CommitError::NonCanonical(_))));
        // p - 1 is.
        let p1 = "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000";
        assert_eq!(fr_from_hex(p1), Ok(-Fr::one()));
        assert!(matches!(fr_from_hex("0x"), Err(CommitError::BadHex(_))));
        assert!(matches!(fr_from_hex("0xzz"), Err(CommitError::BadHex(_))));
        assert!(matches!(
            fr_from_hex(&format!("0x{}", "1".repeat(65))),
            Err(CommitError::BadHex(_))
        ));
    }
}
