//! The test set's features on the chips instead of halo2-base: each value range-checked by the
//! lookup and packed into the `T` chain by the Freivalds chip's dot-product gate, at no
//! halo2-base cell.
//!
//! On digits the features are 23,040 of the test set's 23,400 values, and halo2-base spent 11
//! cells on each (load, range check, packing term): half of its cells, and the reason it needed
//! a second advice column (one more commitment, `σ` and selector column for the on-chain
//! verifier). Here each value `u` costs two cells of the lookup column and two phase-1 rows.
//!
//! # Constraints (for a stream of offset values `u` in `[0, span]`, `lo = 0`)
//! - `u` is written to the lookup column: `u ∈ [0, 2^b)` (`b` = lookup bits).
//! - A dot-product row `acc = mul·aux` with `mul` a copy of the constant `c` and `aux` a copy of
//!   `u`; `acc` is copied to a second lookup cell: `c·u ∈ [0, 2^b)`. Both factors are below
//!   `2^b < 2^64`, so `c·u` is an integer far below `p` and the lookup bounds it as an integer:
//!   `u < 2^b / c ≤ span + 1` by the choice `c = ⌈2^b / (span + 1)⌉`, which is possible when
//!   `c·span < 2^b` (checked by [`scale`]). So `u ∈ [0, span]`, the declared range.
//! - Per packed element, a dot product `Σ_i 2^(w·i)·u_i` over its (at most `⌊248/w⌋`) values,
//!   each `mul` a copy of the constant `2^(w·i)` and each `aux` a copy of `u_i`, exactly as
//!   `commit::pack_stream` packs (`w` the stream's width, `span < 2^w`): the packing is
//!   injective and the element below `2^248`. The result cell is copied into the Poseidon
//!   chip's element column.
//! - The first layer's Freivalds chains copy the same `u` cells (`lo = 0`, so `u` is the
//!   feature itself).
//!
//! The constants (`c` and the powers) are halo2-base constants, so they sit on the public rows
//! (`circuit::public`), bound to the fixed `cst` column by a gate.
//!
//! # Layout
//! The value cells and the `c·u` cells alternate in the lookup column below halo2-base's
//! looked-up cells; the phase-1 rows (one `c·u` row per value, then one row per value in the
//! packing dot products) are below the Poseidon chip's rows.

use std::collections::BTreeMap;

use halo2_base::halo2_proofs::circuit::{Cell, Region, Value};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::plonk::{Advice, Column, Error};

use super::freivalds::FreivaldsConfig;
use super::{pow2, Operand};
use crate::commit::StreamRange;

/// The scale `c` of the range check `c·u < 2^lookup_bits ⟺ u ≤ span`, if the stream can be
/// checked this way (values from 0, and an integer `c` with `c·span < 2^b ≤ c·(span + 1)`).
pub fn scale(range: StreamRange, lookup_bits: usize) -> Option<u64> {
    if range.lo() != 0 || lookup_bits >= 63 {
        return None;
    }
    let top = 1u128 << lookup_bits;
    let span = u128::try_from(range.hi()).ok()?;
    let c = top.div_ceil(span + 1);
    (span < top && c * span < top).then_some(c as u64)
}

/// The features of a test set, laid out by the chip.
#[derive(Clone, Debug)]
pub struct FeatureJob {
    /// The values, row-major (offset values: `lo = 0`).
    values: Vec<u64>,
    range: StreamRange,
    /// `c` of the range check (see [`scale`]).
    scale: u64,
}

impl FeatureJob {
    /// A job for `values` in `range`, checked with the scale `c` that [`scale`] gave.
    pub fn new(values: Vec<u64>, range: StreamRange, scale: u64) -> Self {
        Self {
            values,
            range,
            scale,
        }
    }

    /// Tests only: the values, to forge.
    #[cfg(test)]
    pub(crate) fn values_mut(&mut self) -> &mut Vec<u64> {
        &mut self.values
    }

    /// Rows the job takes in the lookup column and in the phase-1 columns (the same number).
    pub fn rows(&self) -> usize {
        Self::rows_for(self.values.len())
    }

    /// Rows of a job of `values` values.
    pub fn rows_for(values: usize) -> usize {
        2 * values
    }

    /// The values, as field elements.
    pub fn values(&self) -> impl Iterator<Item = Fr> + '_ {
        self.values.iter().map(|&v| Fr::from(v))
    }

    /// The constants the chip copies: `c` and the packing powers `2^(w·i)`.
    pub fn constants(&self) -> Vec<Fr> {
        let per = self.range.per_element().min(self.values.len());
        std::iter::once(Fr::from(self.scale))
            .chain((0..per).map(|i| self.power(i)))
            .collect()
    }

    fn power(&self, i: usize) -> Fr {
        pow2(self.range.width() * i as u32)
    }

    /// The values as the first layer's `N × d_in` input matrix: each the `i`-th value cell of
    /// [`Self::assign_lookups`].
    pub fn matrix(&self, d_in: usize) -> Vec<Vec<Operand>> {
        let operands: Vec<Operand> = self
            .values()
            .enumerate()
            .map(|(index, value)| Operand::Raw { index, value })
            .collect();
        operands.chunks(d_in).map(<[Operand]>::to_vec).collect()
    }

    /// The packed elements as the `T` chain's first elements: each the `i`-th cell returned by
    /// [`Self::assign_checks`].
    pub fn chain_elements(&self) -> Vec<Operand> {
        let elements = self.elements().into_iter().enumerate();
        elements
            .map(|(index, value)| Operand::Raw { index, value })
            .collect()
    }

    /// The packed elements as the chip's dot products compute them: `commit::pack_stream`'s
    /// elements for values in range; in the field, so that forged values still reach the
    /// lookup instead of failing here.
    pub fn elements(&self) -> Vec<Fr> {
        self.values
            .chunks(self.range.per_element())
            .map(|chunk| {
                chunk
                    .iter()
                    .enumerate()
                    .map(|(i, &u)| self.power(i) * Fr::from(u))
                    .sum()
            })
            .collect()
    }

    /// Phase 0: each value and its scaled copy `c·u` in the lookup column from row `start`;
    /// returns the value cells and the scaled cells.
    pub fn assign_lookups(
        &self,
        region: &mut Region<Fr>,
        look: Column<Advice>,
        start: usize,
    ) -> (Vec<Cell>, Vec<Cell>) {
        let c = Fr::from(self.scale);
        let mut values = Vec::with_capacity(self.values.len());
        let mut scaled = Vec::with_capacity(self.values.len());
        for (i, u) in self.values().enumerate() {
            let row = start + 2 * i;
            values.push(region.assign_advice(look, row, Value::known(u)).cell());
            scaled.push(
                region
                    .assign_advice(look, row + 1, Value::known(c * u))
                    .cell(),
            );
        }
        (values, scaled)
    }

    /// Phase 1: the range checks' products and the packing dot products in the Freivalds
    /// chip's phase-1 columns from row `start`; `values` and `scaled` are the cells of
    /// [`Self::assign_lookups`], `constants` the public rows' constant cells. Returns the
    /// packed elements' cells.
    pub fn assign_checks(
        &self,
        chip: &FreivaldsConfig,
        region: &mut Region<Fr>,
        start: usize,
        (values, scaled): (&[Cell], &[Cell]),
        constants: &BTreeMap<Fr, Cell>,
    ) -> Result<Vec<Cell>, Error> {
        let constant = |v: Fr| {
            constants
                .get(&v)
                .map(|cell| (*cell, Value::known(v)))
                .ok_or(Error::Synthesis)
        };
        if values.len() != self.values.len() || scaled.len() != self.values.len() {
            return Err(Error::Synthesis);
        }
        let mut row = start;
        let c = constant(Fr::from(self.scale))?;
        for (u, (value, scaled)) in self.values().zip(values.iter().zip(scaled)) {
            // c·u, bound to the lookup cell holding it: u ≤ span.
            let (product, _) =
                chip.dot_product(region, &mut row, [(c, (*value, Value::known(u)))])?;
            region.constrain_equal(product, *scaled);
        }
        let per = self.range.per_element();
        let mut elements = Vec::with_capacity(self.values.len().div_ceil(per));
        for (chunk, cells) in self.values.chunks(per).zip(values.chunks(per)) {
            let factors = chunk
                .iter()
                .zip(cells)
                .enumerate()
                .map(|(i, (&u, cell))| {
                    Ok((constant(self.power(i))?, (*cell, Value::known(Fr::from(u)))))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            let (element, _) = chip.dot_product(region, &mut row, factors)?;
            elements.push(element);
        }
        Ok(elements)
    }
}

#[cfg(test)]
mod tests {
    use super::scale;
    use crate::commit::StreamRange;

    /// `c·u < 2^b ⟺ u ≤ span` for every `u < 2^b`, for every span the scale accepts at
    /// b = 10, and the spans it refuses are exactly those with no such `c`.
    #[test]
    fn scaled_lookup_is_exactly_the_declared_range() {
        let bits = 10;
        let top = 1u64 << bits;
        for span in 0..top + 2 {
            let range = StreamRange::new(0, span.into()).expect("range");
            // u = span passes and u = span + 1 fails, for some c (then every u does, by
            // monotonicity).
            let exists = (1..=top).any(|c| c * span < top && c * (span + 1) >= top);
            match scale(range, bits) {
                Some(c) => {
                    assert!(
                        (0..top).all(|u| (c * u < top) == (u <= span)),
                        "span {span}"
                    );
                }
                None => assert!(!exists, "span {span}: a scale exists but was refused"),
            }
        }
        // Streams that do not start at 0 stay with halo2-base.
        assert_eq!(scale(StreamRange::new(-1, 3).expect("range"), bits), None);
    }
}
