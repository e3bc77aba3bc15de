//! circomlib's two-input Poseidon `P(a, b)` and the chain `Chain(tag, e…)`.
//!
//! `P(a, b)` = element 0 of the Poseidon permutation (T = 3, x^5, R_F = 8, R_P = 57,
//! Grain-LFSR constants) applied to `[0, a, b]`. The constants come from the
//! `poseidon-primitives` crate, the same source halo2-base uses, so the in-circuit
//! permutation and this one cannot drift apart.

use std::sync::OnceLock;

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use poseidon_primitives::poseidon::primitives::Spec;

/// Width of the permutation state.
pub const WIDTH: usize = 3;
/// Full rounds (half before, half after the partial rounds).
pub const FULL_ROUNDS: usize = 8;
/// Partial rounds.
pub const PARTIAL_ROUNDS: usize = 57;

/// `zkcontest/testset/v1` as a big-endian integer: the initial chain value of `T`.
pub const TESTSET_TAG: &str = "0x7a6b636f6e746573742f746573747365742f7631";
/// Domain tag of a sharded test set's root `Chain(TESTSET_ROOT_TAG, T_0 … T_{M−1})`: ASCII
/// "zkcontest/testset-root/v1" (`docs/PROTOCOL.md` §14.1).
pub const TESTSET_ROOT_TAG: &str = "0x7a6b636f6e746573742f746573747365742d726f6f742f7631";
/// `zkcontest/model/v1` as a big-endian integer: the initial chain value of `C`.
pub const MODEL_TAG: &str = "0x7a6b636f6e746573742f6d6f64656c2f7631";

/// Zero-sized marker that lets `poseidon-primitives` generate the T = 3 constants.
#[derive(Debug)]
struct CircomT3;

impl Spec<Fr, WIDTH, 2> for CircomT3 {
    fn full_rounds() -> usize {
        FULL_ROUNDS
    }
    fn partial_rounds() -> usize {
        PARTIAL_ROUNDS
    }
    fn sbox(val: Fr) -> Fr {
        val.pow_vartime([5])
    }
    fn secure_mds() -> usize {
        0
    }
}

/// Round constants (one row per round) and the MDS matrix.
pub struct Constants {
    /// `FULL_ROUNDS + PARTIAL_ROUNDS` rows of `WIDTH` constants.
    pub round_constants: Vec<[Fr; WIDTH]>,
    /// The MDS matrix, `state' = MDS · state`.
    pub mds: [[Fr; WIDTH]; WIDTH],
}

/// The permutation's constants, generated once per process.
pub fn constants() -> &'static Constants {
    static CONSTANTS: OnceLock<Constants> = OnceLock::new();
    CONSTANTS.get_or_init(|| {
        let (round_constants, mds, _mds_inv) = CircomT3::constants();
        Constants {
            round_constants,
            mds,
        }
    })
}

/// The Poseidon permutation, in place.
pub fn permute(state: &mut [Fr; WIDTH]) {
    let c = constants();
    let half = FULL_ROUNDS / 2;
    for (round, rc) in c.round_constants.iter().enumerate() {
        for (s, k) in state.iter_mut().zip(rc) {
            *s += k;
        }
        let full = round < half || round >= half + PARTIAL_ROUNDS;
        if full {
            for s in state.iter_mut() {
                *s = s.pow_vartime([5]);
            }
        } else {
            state[0] = state[0].pow_vartime([5]);
        }
        let old = *state;
        for (s, row) in state.iter_mut().zip(&c.mds) {
            *s = row.iter().zip(&old).map(|(m, x)| *m * x).sum();
        }
    }
}

/// circomlib's `poseidon2([a, b])`.
pub fn poseidon2(a: Fr, b: Fr) -> Fr {
    let mut state = [Fr::ZERO, a, b];
    permute(&mut state);
    state[0]
}

/// Incremental `Chain(tag, e_0 … e_{n−1})` (`docs/PROTOCOL.md` §2): the contract keeps the
/// same `(h, count)` pair between reveal transactions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    h: Fr,
    count: u64,
}

impl Chain {
    /// Starts a chain at `tag`.
    pub fn new(tag: Fr) -> Self {
        Self { h: tag, count: 0 }
    }

    /// Absorbs one element: `h ← P(h, e)`.
    pub fn absorb(&mut self, e: Fr) {
        self.h = poseidon2(self.h, e);
        self.count += 1;
    }

    /// Absorbs a sequence of elements.
    pub fn absorb_all<'a>(&mut self, elems: impl IntoIterator<Item = &'a Fr>) {
        for e in elems {
            self.absorb(*e);
        }
    }

    /// The running value `h` (what the contract stores between chunks).
    pub fn state(&self) -> Fr {
        self.h
    }

    /// Elements absorbed so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// `P(h_n, n)`: the commitment.
    pub fn finish(&self) -> Fr {
        poseidon2(self.h, Fr::from(self.count))
    }
}

/// `Chain(tag, elems)` in one call.
pub fn chain(tag: Fr, elems: &[Fr]) -> Fr {
    let mut c = Chain::new(tag);
    c.absorb_all(elems);
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commit::{fr_from_hex, fr_to_hex};

    /// Published circomlib / poseidon-lite vectors.
    #[test]
    fn matches_circomlib_vectors() {
        assert_eq!(
            fr_to_hex(&poseidon2(Fr::from(1), Fr::from(2))),
            "0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a"
        );
        assert_eq!(
            fr_to_hex(&poseidon2(Fr::ZERO, Fr::ZERO)),
            "0x2098f5fb9e239eab3ceac3f27b81e481dc3124d55ffed523a839ee8446b64864"
        );
    }

    #[test]
    fn tags_are_the_ascii_strings() {
        let as_int = |s: &str| {
            let mut be = [0u8; 32];
            be[32 - s.len()..].copy_from_slice(s.as_bytes());
            crate::commit::fr_from_be_bytes(&be).unwrap()
        };
        assert_eq!(
            fr_from_hex(TESTSET_TAG).unwrap(),
            as_int("zkcontest/testset/v1")
        );
        assert_eq!(
            fr_from_hex(MODEL_TAG).unwrap(),
            as_int("zkcontest/model/v1")
        );
    }

    #[test]
    fn chain_is_length_strengthened_and_order_sensitive() {
        let tag = fr_from_hex(TESTSET_TAG).unwrap();
        let e = [Fr::from(7), Fr::from(9)];
        let manual = poseidon2(poseidon2(poseidon2(tag, e[0]), e[1]), Fr::from(2));
        assert_eq!(chain(tag, &e), manual);
        assert_ne!(chain(tag, &e), chain(tag, &[e[1], e[0]]));
        // Appending a zero changes the commitment (length is absorbed).
        assert_ne!(chain(tag, &e), chain(tag, &[e[0], e[1], Fr::ZERO]));
        // Chunked absorption equals one-shot.
        let mut c = Chain::new(tag);
        c.absorb(e[0]);
        c.absorb_all(&e[1..]);
        assert_eq!((c.finish(), c.count()), (chain(tag, &e), 2));
        // Different tags separate domains.
        assert_ne!(chain(tag, &e), chain(fr_from_hex(MODEL_TAG).unwrap(), &e));
    }
}
