//! Packing bounded integers into field elements (`docs/PROTOCOL.md` §3).
//!
//! A stream of values in `[lo, hi]` is stored offset (`u = v − lo`) in `b` bits each,
//! `⌊248 / b⌋` per element, least significant first. Elements stay below `2^248 < p`, so
//! no reduction ever happens and packing is injective for a fixed stream length.

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::PrimeField;

use super::{CommitError, Result};

/// Bits available per field element (31 bytes: always below the modulus).
pub const BITS_PER_ELEMENT: u32 = 248;

/// The declared range of a stream and the packing it implies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamRange {
    lo: i128,
    hi: i128,
    width: u32,
}

impl StreamRange {
    /// A stream range `[lo, hi]`; its width must be at most 64 bits.
    pub fn new(lo: i128, hi: i128) -> Result<Self> {
        if lo > hi {
            return Err(CommitError::BadRange { lo, hi });
        }
        let span = (hi - lo) as u128; // lo <= hi, both i128: fits in u128.
        let width = (128 - span.leading_zeros()).max(1);
        if width > 64 {
            return Err(CommitError::BadRange { lo, hi });
        }
        Ok(Self { lo, hi, width })
    }

    /// Lower bound (inclusive).
    pub fn lo(&self) -> i128 {
        self.lo
    }

    /// Upper bound (inclusive).
    pub fn hi(&self) -> i128 {
        self.hi
    }

    /// Bits per value: the smallest `b` with `hi − lo < 2^b` (at least 1).
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Values per field element.
    pub fn per_element(&self) -> usize {
        (BITS_PER_ELEMENT / self.width) as usize
    }
}

/// Number of field elements a stream of `len` values packs into.
pub fn packed_len(range: StreamRange, len: usize) -> usize {
    len.div_ceil(range.per_element())
}

/// Packs a stream; every value must lie in `range`.
pub fn pack_stream(range: StreamRange, values: &[i128]) -> Result<Vec<Fr>> {
    let per = range.per_element();
    let width = range.width();
    let mut out = Vec::with_capacity(packed_len(range, values.len()));
    for (chunk_index, chunk) in values.chunks(per).enumerate() {
        // Accumulate the element as 4 little-endian u64 limbs (248 bits fit in 256).
        let mut limbs = [0u64; 4];
        for (i, &v) in chunk.iter().enumerate() {
            if v < range.lo || v > range.hi {
                return Err(CommitError::OutOfRange {
                    index: chunk_index * per + i,
                    value: v,
                    lo: range.lo,
                    hi: range.hi,
                });
            }
            let u = (v - range.lo) as u128; // < 2^width <= 2^64
            let bit = i as u32 * width;
            let (limb, shift) = ((bit / 64) as usize, bit % 64);
            let wide = u << shift; // < 2^128: spans at most two limbs
            limbs[limb] |= wide as u64;
            if limb + 1 < 4 {
                limbs[limb + 1] |= (wide >> 64) as u64;
            }
        }
        let mut repr = [0u8; 32];
        for (i, limb) in limbs.iter().enumerate() {
            repr[i * 8..i * 8 + 8].copy_from_slice(&limb.to_le_bytes());
        }
        // Below 2^248 < p, so this is always canonical.
        let fe = Option::<Fr>::from(Fr::from_repr(repr))
            .ok_or_else(|| CommitError::NonCanonical(hex::encode(repr)))?;
        out.push(fe);
    }
    Ok(out)
}

/// The inverse of [`pack_stream`] for a stream of `len` values: strict, so exactly the
/// outputs of `pack_stream` are accepted — the element count must be `packed_len(len)`, every
/// value must lie in the range, and every bit past the last value (padding, and bits 248–255)
/// must be zero.
pub fn unpack_stream(range: StreamRange, elems: &[Fr], len: usize) -> Result<Vec<i128>> {
    let per = range.per_element();
    let width = range.width();
    if elems.len() != packed_len(range, len) {
        return Err(CommitError::Malformed {
            index: elems.len().min(packed_len(range, len)),
            reason: format!(
                "{} elements, but {len} values of width {width} pack into {}",
                elems.len(),
                packed_len(range, len)
            ),
        });
    }
    let span = (range.hi - range.lo) as u128;
    let mut out = Vec::with_capacity(len);
    for (index, fe) in elems.iter().enumerate() {
        let repr = fe.to_repr();
        let mut limbs = [0u64; 4];
        for (i, limb) in limbs.iter_mut().enumerate() {
            *limb = u64::from_le_bytes(repr[i * 8..i * 8 + 8].try_into().unwrap_or_default());
        }
        let here = per.min(len - index * per);
        for i in 0..here {
            let bit = i as u32 * width;
            let (limb, shift) = ((bit / 64) as usize, bit % 64);
            let lo_part = u128::from(limbs[limb]) >> shift;
            let hi_part = if limb + 1 < 4 && shift > 0 {
                u128::from(limbs[limb + 1]) << (64 - shift)
            } else {
                0
            };
            let u = (lo_part | hi_part) & ((1u128 << width) - 1);
            if u > span {
                return Err(CommitError::Malformed {
                    index,
                    reason: format!(
                        "value {i} is {} above the range's top {}",
                        u - span,
                        range.hi
                    ),
                });
            }
            out.push(range.lo + u as i128);
        }
        // Nothing may be set past the last value.
        let used = here as u32 * width;
        let stray = limbs.iter().enumerate().any(|(i, &l)| {
            let start = i as u32 * 64;
            if used >= start + 64 {
                false
            } else if used <= start {
                l != 0
            } else {
                l >> (used - start) != 0
            }
        });
        if stray {
            return Err(CommitError::Malformed {
                index,
                reason: format!("bits set past the {here} packed values"),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(x: &Fr) -> u128 {
        let r = x.to_repr();
        assert!(
            r[16..].iter().all(|&b| b == 0),
            "test helper only reads 128 bits"
        );
        u128::from_le_bytes(r[..16].try_into().unwrap())
    }

    #[test]
    fn widths_and_per_element() {
        let digits = StreamRange::new(0, 16).unwrap();
        assert_eq!((digits.width(), digits.per_element()), (5, 49));
        let labels = StreamRange::new(0, 9).unwrap();
        assert_eq!((labels.width(), labels.per_element()), (4, 62));
        let w = StreamRange::new(-128, 127).unwrap();
        assert_eq!((w.width(), w.per_element()), (8, 31));
        let b = StreamRange::new(-(1 << 31), (1 << 31) - 1).unwrap();
        assert_eq!((b.width(), b.per_element()), (32, 7));
        assert_eq!(StreamRange::new(3, 3).unwrap().width(), 1);
        assert_eq!(packed_len(digits, 360 * 64), 471);
        assert_eq!(packed_len(labels, 360), 6);
        assert!(StreamRange::new(1, 0).is_err());
        assert!(StreamRange::new(0, 1 << 64).is_err());
    }

    #[test]
    fn packs_little_endian_with_offset() {
        let r = StreamRange::new(-128, 127).unwrap();
        let e = pack_stream(r, &[-128, -127, 127]).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(big(&e[0]), (1 << 8) | (255 << 16));
        // A value straddling a 64-bit limb boundary (width 5: value 12 sits at bits 60..65).
        let r = StreamRange::new(0, 16).unwrap();
        let mut v = vec![0i128; 13];
        v[12] = 31 - 15; // 16 = 0b10000: bit 64 set
        let e = pack_stream(r, &v).unwrap();
        let repr = e[0].to_repr();
        assert_eq!(repr[8], 1, "bit 64 lands in the second limb");
        assert!(repr[..8].iter().all(|&b| b == 0));
    }

    #[test]
    fn full_elements_split_and_stay_below_2_248() {
        let r = StreamRange::new(0, 255).unwrap();
        let e = pack_stream(r, &vec![255; 32]).unwrap();
        assert_eq!(e.len(), 2);
        let repr = e[0].to_repr();
        assert!(repr[..31].iter().all(|&b| b == 0xff) && repr[31] == 0);
        assert_eq!(e[1], Fr::from(255));
    }

    #[test]
    fn rejects_out_of_range_with_index() {
        let r = StreamRange::new(0, 16).unwrap();
        assert_eq!(
            pack_stream(r, &[0, 17]),
            Err(CommitError::OutOfRange {
                index: 1,
                value: 17,
                lo: 0,
                hi: 16
            })
        );
        assert!(pack_stream(r, &[-1]).is_err());
    }

    #[test]
    fn unpack_inverts_pack_and_rejects_everything_else() {
        for (lo, hi, len) in [
            (0, 16, 100),
            (-128, 127, 31),
            (0, 9, 62),
            (0, 1, 249),
            (-5, 5, 0),
        ] {
            let r = StreamRange::new(lo, hi).unwrap();
            let vals: Vec<i128> = (0..len as i128)
                .map(|i| lo + (i * 7919) % (hi - lo + 1))
                .collect();
            let packed = pack_stream(r, &vals).unwrap();
            assert_eq!(
                unpack_stream(r, &packed, len).unwrap(),
                vals,
                "[{lo},{hi}] x{len}"
            );
            if len > 0 {
                // One element too many or too few.
                assert!(unpack_stream(r, &packed, len + r.per_element()).is_err());
                assert!(unpack_stream(r, &packed[..packed.len() - 1], len).is_err());
            }
        }
        let r = StreamRange::new(0, 16).unwrap(); // width 5: 17..31 do not occur
        let too_big = Fr::from(31);
        assert!(unpack_stream(r, &[too_big], 1).is_err(), "a value above hi");
        let stray = Fr::from(1u64 << 5); // a second value where only one is declared
        assert!(unpack_stream(r, &[stray], 1).is_err(), "padding bits set");
        let high = Fr::from_repr({
            let mut b = [0u8; 32];
            b[31] = 1; // bit 248
            b
        })
        .unwrap();
        assert!(unpack_stream(r, &[high], 49).is_err(), "bits past 248");
    }
}
