//! The parts of snarkjs's contribution keys that must match it bit for bit: the point
//! encodings it hashes, and the G2 point it derives from a hash (`hashToG2`, `getG2sp` in
//! snarkjs `src/keypair.js`, with ffjavascript 0.3's `ChaCha` and `fromRng`).
//!
//! A contribution's proof of knowledge of x is `(g1_s, g1_sx = x·g1_s, g2_spx = x·g2_sp)`
//! where `g2_sp` is *derived* from the previous challenge and the two G1 points; a verifier
//! recomputes `g2_sp` and checks `e(g1_s, g2_spx) = e(g1_sx, g2_sp)`. Since `g2_sp` is fixed
//! only after `g1_s, g1_sx` are chosen, the contributor must know x. Both the contributing and
//! the verifying side therefore need snarkjs's exact derivation, which is here.

use halo2_base::halo2_proofs::halo2curves::bn256::{Fq, Fq2, G1Affine, G2Affine, G2};
use halo2_base::halo2_proofs::halo2curves::ff::{Field, PrimeField};
use halo2_base::halo2_proofs::halo2curves::group::prime::PrimeCurveAffine;
use halo2_base::halo2_proofs::halo2curves::group::{Curve, Group};
use halo2_base::halo2_proofs::halo2curves::serde::SerdeObject;
use halo2_base::halo2_proofs::halo2curves::CurveAffine;

/// ffjavascript's `ChaCha` (`src/chacha.js`): ChaCha20 block function, key = the 8 seed words,
/// counter in words 12..15 starting at 0, nonce zero; output words in order.
struct ChaCha {
    state: [u32; 16],
    buf: [u32; 16],
    idx: usize,
}

impl ChaCha {
    fn new(seed: [u32; 8]) -> Self {
        let mut state = [0u32; 16];
        state[..4].copy_from_slice(&[0x6170_7865, 0x3320_646E, 0x7962_2D32, 0x6B20_6574]);
        state[4..12].copy_from_slice(&seed);
        Self {
            state,
            buf: [0; 16],
            idx: 16,
        }
    }

    fn next_u32(&mut self) -> u32 {
        if self.idx == 16 {
            self.update();
        }
        let out = self.buf[self.idx];
        self.idx += 1;
        out
    }

    /// `nextU64`: the first word is the high half.
    fn next_u64(&mut self) -> u64 {
        let hi = u64::from(self.next_u32());
        (hi << 32) | u64::from(self.next_u32())
    }

    fn update(&mut self) {
        let mut x = self.state;
        for _ in 0..10 {
            quarter_round(&mut x, 0, 4, 8, 12);
            quarter_round(&mut x, 1, 5, 9, 13);
            quarter_round(&mut x, 2, 6, 10, 14);
            quarter_round(&mut x, 3, 7, 11, 15);
            quarter_round(&mut x, 0, 5, 10, 15);
            quarter_round(&mut x, 1, 6, 11, 12);
            quarter_round(&mut x, 2, 7, 8, 13);
            quarter_round(&mut x, 3, 4, 9, 14);
        }
        for (out, (x, s)) in self.buf.iter_mut().zip(x.iter().zip(self.state)) {
            *out = x.wrapping_add(s);
        }
        self.idx = 0;
        // The 128-bit block counter.
        for word in &mut self.state[12..16] {
            *word = word.wrapping_add(1);
            if *word != 0 {
                break;
            }
        }
    }
}

fn quarter_round(s: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(16);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(12);
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(8);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(7);
}

/// ffjavascript's `F1Field.fromRng` for the base field: four `nextU64` as little-endian limbs,
/// masked to 254 bits, rejected until below q. The bytes are taken *as the Montgomery form*
/// (ffjavascript does not convert them), which is also what `from_raw_bytes` reads.
fn fq_from_rng(rng: &mut ChaCha) -> Fq {
    loop {
        let mut bytes = [0u8; 32];
        for limb in bytes.chunks_exact_mut(8) {
            limb.copy_from_slice(&rng.next_u64().to_le_bytes());
        }
        bytes[31] &= 0x3f; // q has 254 bits
        if let Some(f) = Fq::from_raw_bytes(&bytes) {
            return f;
        }
    }
}

/// ffjavascript's `isNegative` on Fq: the canonical value is above (q - 1)/2, i.e. above its
/// negation.
fn fq_is_negative(f: &Fq) -> bool {
    let be = |x: Fq| {
        let mut b = [0u8; 32];
        b.copy_from_slice(x.to_repr().as_ref());
        b.reverse();
        b
    };
    be(*f) > be(-*f)
}

/// wasmcurves' `f2m_isNegative` (and `f2m_sign`): the sign of `c1`, or of `c0` when `c1 = 0`.
fn fq2_is_negative(f: &Fq2) -> bool {
    if bool::from(f.c1.is_zero()) {
        fq_is_negative(&f.c0)
    } else {
        fq_is_negative(&f.c1)
    }
}

/// BN254's G2 cofactor as ffjavascript multiplies by it (`cofactorG2` in `bn128.js`), big-endian.
const G2_COFACTOR: [u8; 32] = [
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5e,
    0x06, 0xce, 0xec, 0xda, 0x57, 0x2a, 0x24, 0x89, 0x34, 0x5f, 0x22, 0x99, 0xc0, 0xf9, 0xfa, 0x8d,
];

/// snarkjs `hashToG2`: a ChaCha seeded with the first 32 bytes of `hash` (big-endian words),
/// then ffjavascript's `G2.fromRng`: x from the rng (c0 then c1), one bit for the sign of y,
/// repeat until x³ + b is a square; y its root of that sign; times the cofactor.
pub(super) fn hash_to_g2(hash: &[u8; 64]) -> G2Affine {
    let mut seed = [0u32; 8];
    for (word, chunk) in seed.iter_mut().zip(hash.chunks_exact(4)) {
        *word = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    let mut rng = ChaCha::new(seed);
    let (x, y) = loop {
        let x = Fq2 {
            c0: fq_from_rng(&mut rng),
            c1: fq_from_rng(&mut rng),
        };
        let greatest = rng.next_u32() & 1 == 1;
        let rhs = x.square() * x + G2Affine::b();
        if let Some(y) = Option::<Fq2>::from(rhs.sqrt()) {
            let y = if greatest != fq2_is_negative(&y) {
                -y
            } else {
                y
            };
            break (x, y);
        }
    };
    let p = G2::from(G2Affine { x, y });
    // Plain double-and-add by the integer: a faster cofactor clearing (endomorphism based)
    // would land on another multiple of the point.
    let mut acc = G2::identity();
    for byte in G2_COFACTOR {
        for bit in (0..8).rev() {
            acc = acc.double();
            if (byte >> bit) & 1 == 1 {
                acc += p;
            }
        }
    }
    acc.to_affine()
}

/// snarkjs `getG2sp`: `hashToG2(blake2b-512(personalization ‖ challenge ‖ U(g1_s) ‖ U(g1_sx)))`,
/// personalization 0 for tau, 1 for alpha, 2 for beta.
pub(super) fn g2_sp(
    personalization: u8,
    challenge: &[u8; 64],
    g1_s: &G1Affine,
    g1_sx: &G1Affine,
) -> G2Affine {
    let mut h = blake2b_simd::Params::new().hash_length(64).to_state();
    h.update(&[personalization]);
    h.update(challenge);
    h.update(&g1_uncompressed(g1_s));
    h.update(&g1_uncompressed(g1_sx));
    let mut hash = [0u8; 64];
    hash.copy_from_slice(h.finalize().as_bytes());
    hash_to_g2(&hash)
}

/// A base field element in normal form, big-endian.
fn fq_be(f: &Fq) -> [u8; 32] {
    let mut b = [0u8; 32];
    b.copy_from_slice(f.to_repr().as_ref());
    b.reverse();
    b
}

/// An Fq2 element as ffjavascript writes it uncompressed: `c1` then `c0`, each big-endian (the
/// 64 little-endian bytes reversed as a whole).
fn fq2_be(f: &Fq2) -> [u8; 64] {
    let mut b = [0u8; 64];
    b[..32].copy_from_slice(&fq_be(&f.c1));
    b[32..].copy_from_slice(&fq_be(&f.c0));
    b
}

/// ffjavascript `toRprUncompressed` for G1 (`LEMtoU`): x ‖ y big-endian; infinity as zeros.
pub(super) fn g1_uncompressed(p: &G1Affine) -> [u8; 64] {
    let mut out = [0u8; 64];
    if !bool::from(p.is_identity()) {
        out[..32].copy_from_slice(&fq_be(&p.x));
        out[32..].copy_from_slice(&fq_be(&p.y));
    }
    out
}

/// ffjavascript `toRprUncompressed` for G2.
pub(super) fn g2_uncompressed(p: &G2Affine) -> [u8; 128] {
    let mut out = [0u8; 128];
    if !bool::from(p.is_identity()) {
        out[..64].copy_from_slice(&fq2_be(&p.x));
        out[64..].copy_from_slice(&fq2_be(&p.y));
    }
    out
}

/// ffjavascript `toRprCompressed` for G1 (`LEMtoC`): x big-endian, top bit set when y is
/// "negative"; infinity as zeros with 0x40 in the first byte.
pub(super) fn g1_compressed(p: &G1Affine) -> [u8; 32] {
    if bool::from(p.is_identity()) {
        let mut out = [0u8; 32];
        out[0] = 0x40;
        return out;
    }
    let mut out = fq_be(&p.x);
    if fq_is_negative(&p.y) {
        out[0] |= 0x80;
    }
    out
}

/// ffjavascript `toRprCompressed` for G2.
pub(super) fn g2_compressed(p: &G2Affine) -> [u8; 64] {
    if bool::from(p.is_identity()) {
        let mut out = [0u8; 64];
        out[0] = 0x40;
        return out;
    }
    let mut out = fq2_be(&p.x);
    if fq2_is_negative(&p.y) {
        out[0] |= 0x80;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceremony_chacha_matches_rfc7539_block_function() {
        // RFC 7539 A.1, test vector #1: zero key, zero nonce, block counter 0; the keystream
        // starts 76 b8 e0 ad a0 f1 3d 90, i.e. the words 0xade0b876, 0x903df1a0.
        let mut rng = ChaCha::new([0; 8]);
        assert_eq!(rng.next_u32(), 0xade0_b876);
        assert_eq!(rng.next_u32(), 0x903d_f1a0);
    }

    #[test]
    fn ceremony_hash_to_g2_lands_in_the_subgroup() {
        let p = hash_to_g2(&[7u8; 64]);
        assert!(bool::from(p.is_on_curve()));
        use halo2_base::halo2_proofs::halo2curves::group::cofactor::CofactorGroup;
        assert!(bool::from(G2::from(p).is_torsion_free()));
        assert_eq!(p, hash_to_g2(&[7u8; 64]));
        assert_ne!(p, hash_to_g2(&[8u8; 64]));
    }

    #[test]
    fn ceremony_encodings_of_the_generator() {
        // G1 = (1, 2).
        let u = g1_uncompressed(&G1Affine::generator());
        assert_eq!(u[31], 1);
        assert_eq!(u[63], 2);
        assert!(u[..31].iter().all(|b| *b == 0));
        let c = g1_compressed(&G1Affine::generator());
        assert_eq!(c[31], 1);
        assert_eq!(c[0], 0); // 2 is "positive"
    }
}
