//! Batched matrix products by Freivalds' check: one challenge proves `Z = X·W + 1·bᵀ` for a
//! whole test set at once, at a cost linear in the number of entries.
//!
//! # The check
//! With `X: N×d_in`, `W: d_in×d_out`, `b: d_out`, `Z: N×d_out` committed in the first phase
//! and a challenge `r` drawn after that commitment, let `ρ = r^d_out` and
//!
//! ```text
//! A = Σ_{n,j} ρ^{N−1−n} r^{d_out−1−j} Z[n][j]       (Horner in r over Z, row-major)
//! u_i = Σ_j r^{d_out−1−j} W[i][j]                    (Horner in r over row i of W)
//! β = Σ_j r^{d_out−1−j} b[j]                         (Horner in r over b)
//! t_i = Σ_n ρ^{N−1−n} X[n][i]                        (Horner in ρ over column i of X)
//! σ = Σ_n ρ^{N−1−n}                                  (Horner in ρ over N ones)
//! ```
//! The circuit constrains `A = Σ_i u_i·t_i + β·σ`, i.e. `E(r) = 0` for the polynomial
//! `E(r) = Σ_k r^{K−1−k} E_k` whose coefficients are the entries of `E = Z − X·W − 1·bᵀ`
//! in row-major order (`K = N·d_out`; distinct entries get distinct powers of `r`).
//!
//! # Soundness
//! If `E ≠ 0` then `E(r)` is a non-zero polynomial of degree `< K`, so a challenge drawn after
//! `X, W, b, Z` are committed satisfies `E(r) = 0` with probability at most `(K − 1)/|F|`
//! (Schwartz–Zippel; `|F| ≈ 2^254`, `K < 2^24` here, so below `2^−230`). This gives equality of
//! field elements; the callers range-check every entry of `X`, `W`, `b`, so `X·W + b` is an
//! integer matrix with entries below `2^50 ≪ p`, and `Z`, equal to it in the field, holds
//! exactly those integers (the requantisation chip relies on this bound for `z`).
//!
//! # Layout
//! All columns are used from the same absolute row `start` (halo2-axiom's floor planner starts
//! every region at row 0; the rows above `start` hold the public values and constants of
//! `circuit::public`), so the phase-0 `val` column and the phase-1 columns of this chip line up
//! row for row even though they are assigned in two regions, before and after the challenge:
//!
//! | column | phase | holds |
//! |---|---|---|
//! | `val` | 0 | copies of the entries of X, W, b, Z and the constants 0/1 |
//! | `acc` | 1 | running Horner value / dot-product accumulator |
//! | `mul` | 1 | the Horner multiplier (`r` or `ρ`) / the first dot-product factor |
//! | `aux` | 1 | the second dot-product factor |

use halo2_base::halo2_proofs::circuit::{Cell, Region, Value};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use halo2_base::halo2_proofs::plonk::{
    Advice, Challenge, Column, ConstraintSystem, Error, FirstPhase, Fixed, Instance, SecondPhase,
    Selector,
};
use halo2_base::halo2_proofs::poly::Rotation;
use halo2_base::AssignedValue;

use super::conv::ConvProduct;
use super::public::PublicLayout;
use super::Operand;

/// One dense layer's product, as cells assigned in phase 0 (halo2-base's, and for the first
/// layer's inputs possibly the features chip's value cells, as [`Operand::Raw`]).
#[derive(Clone, Debug)]
pub struct MatrixProduct {
    /// `N × d_in` inputs.
    pub x: Vec<Vec<Operand>>,
    /// `d_in × d_out` weights.
    pub w: Vec<Vec<AssignedValue<Fr>>>,
    /// `d_out` biases.
    pub b: Vec<AssignedValue<Fr>>,
    /// `N × d_out` claimed products `X·W + 1·bᵀ`.
    pub z: Vec<Vec<AssignedValue<Fr>>>,
}

impl MatrixProduct {
    fn dims(&self) -> (usize, usize, usize) {
        (self.x.len(), self.w.len(), self.b.len())
    }

    /// Rows this product occupies in the chip's columns.
    pub fn rows(&self) -> usize {
        let (n, d_in, d_out) = self.dims();
        Self::rows_for(n, d_in, d_out)
    }

    /// Rows a product of these dimensions occupies (known before any witness exists).
    pub fn rows_for(n: usize, d_in: usize, d_out: usize) -> usize {
        // W rows, b, Z, ρ chain (d_out + 1), X columns, σ, dot product (d_in + 1), and the
        // leading zero row of each of the 2·d_in + 4 chains.
        d_in * d_out + d_out + n * d_out + (d_out + 1) + n * d_in + n + (d_in + 1) + 2 * d_in + 4
    }
}

/// Columns, selectors and the challenge of the Freivalds chip.
#[derive(Clone, Debug)]
pub struct FreivaldsConfig {
    val: Column<Advice>,
    /// Constants (on their public rows; 0 on the chip's rows).
    cst: Column<Fixed>,
    acc: Column<Advice>,
    mul: Column<Advice>,
    aux: Column<Advice>,
    /// `acc = val = cst + instance`: a chain's leading zero, or a public value or constant
    /// (`circuit::public`).
    q_first: Selector,
    /// `acc = acc_prev·mul + val`: a Horner step.
    q_horner: Selector,
    /// `mul = r`: ties the multiplier to the challenge.
    q_r: Selector,
    /// `acc = mul·aux`: the first term of a dot product.
    q_dot_first: Selector,
    /// `acc = acc_prev + mul·aux`: a dot-product step.
    q_dot: Selector,
    r: Challenge,
}

/// What phase 0 assigned: raw `val` cells paired with the halo2-base cells they copy.
#[derive(Clone, Debug, Default)]
pub struct Phase0Layout {
    /// `(halo2-base cell, raw val cell)` pairs that the caller must constrain equal (through
    /// halo2-base's copy manager, which owns the physical location of its cells).
    pub links: Vec<(AssignedValue<Fr>, Cell)>,
    rows: usize,
}

impl FreivaldsConfig {
    /// Creates the columns, gates and the challenge (drawn after phase 0); `cst` and `instance`
    /// (neither with equality) are read on `q_first` rows (see `circuit::public`).
    pub fn configure(
        meta: &mut ConstraintSystem<Fr>,
        cst: Column<Fixed>,
        instance: Column<Instance>,
    ) -> Self {
        let val = meta.advice_column_in(FirstPhase);
        let acc = meta.advice_column_in(SecondPhase);
        let mul = meta.advice_column_in(SecondPhase);
        let aux = meta.advice_column_in(SecondPhase);
        for c in [val, acc, mul, aux] {
            meta.enable_equality(c);
        }
        let r = meta.challenge_usable_after(FirstPhase);
        let [q_first, q_horner, q_r, q_dot_first, q_dot] = [(); 5].map(|_| meta.selector());

        meta.create_gate("freivalds: horner chains", |m| {
            let q_first = m.query_selector(q_first);
            let q_horner = m.query_selector(q_horner);
            let q_r = m.query_selector(q_r);
            let val = m.query_advice(val, Rotation::cur());
            let acc_prev = m.query_advice(acc, Rotation::prev());
            let acc = m.query_advice(acc, Rotation::cur());
            let mul = m.query_advice(mul, Rotation::cur());
            let r = m.query_challenge(r);
            let constant = m.query_fixed(cst, Rotation::cur());
            let instance = m.query_instance(instance, Rotation::cur());
            vec![
                // A chain starts at 0 (`cst` and `instance` are 0 on its first row): without it
                // the prover could seed any offset. The same rows at the top of the chip hold
                // the public values and the constants, which this binds to `val`.
                q_first.clone() * (acc.clone() - val.clone()),
                q_first * (val.clone() - constant - instance),
                // Each step folds one committed value into the chain.
                q_horner * (acc - acc_prev * mul.clone() - val),
                // The multiplier of an r-chain is the verifier's challenge, not a prover choice.
                q_r * (mul - r),
            ]
        });
        meta.create_gate("freivalds: dot product", |m| {
            let q_dot_first = m.query_selector(q_dot_first);
            let q_dot = m.query_selector(q_dot);
            let acc_prev = m.query_advice(acc, Rotation::prev());
            let acc = m.query_advice(acc, Rotation::cur());
            let mul = m.query_advice(mul, Rotation::cur());
            let aux = m.query_advice(aux, Rotation::cur());
            vec![
                q_dot_first * (acc.clone() - mul.clone() * aux.clone()),
                q_dot * (acc - acc_prev - mul * aux),
            ]
        });
        Self {
            val,
            cst,
            acc,
            mul,
            aux,
            q_first,
            q_horner,
            q_r,
            q_dot_first,
            q_dot,
            r,
        }
    }

    /// The three phase-1 columns; the Poseidon chip uses them below the chip's rows.
    pub fn phase1_columns(&self) -> [Column<Advice>; 3] {
        [self.acc, self.mul, self.aux]
    }

    /// The phase-0 `val` column; the requantisation chip uses it below the chip's rows.
    pub fn value_column(&self) -> Column<Advice> {
        self.val
    }

    /// The challenge, for callers that need it elsewhere.
    pub fn challenge(&self) -> Challenge {
        self.r
    }

    /// Phase 0: the public values (rows `0..I`) and the constants (rows `I..I + K`) in `val`,
    /// on `q_first` rows, each constant also in `cst` (see `circuit::public`).
    pub fn assign_public(
        &self,
        region: &mut Region<Fr>,
        instances: &[AssignedValue<Fr>],
        constants: &[Fr],
    ) -> Result<PublicLayout, Error> {
        let mut layout = PublicLayout::default();
        for (row, v) in instances.iter().enumerate() {
            self.q_first.enable(region, row)?;
            let cell = region.assign_advice(self.val, row, Value::known(*v.value()));
            layout.instance_links.push((*v, cell.cell()));
        }
        for (i, c) in constants.iter().enumerate() {
            let row = instances.len() + i;
            self.q_first.enable(region, row)?;
            region.assign_fixed(self.cst, row, *c);
            let cell = region.assign_advice(self.val, row, Value::known(*c));
            if layout.constant_cells.insert(*c, cell.cell()).is_some() {
                // A repeated constant would leave halo2-base cells linked to only one of them.
                return Err(Error::Synthesis);
            }
        }
        Ok(layout)
    }

    /// Phase 1: `acc = val` on the public rows (the same `instances` and `constants` as given
    /// to `assign_public`).
    pub fn assign_public_acc(
        &self,
        region: &mut Region<Fr>,
        instances: &[AssignedValue<Fr>],
        constants: &[Fr],
    ) {
        let values = instances
            .iter()
            .map(|v| *v.value())
            .chain(constants.iter().copied());
        for (row, v) in values.enumerate() {
            region.assign_advice(self.acc, row, Value::known(v));
        }
    }

    /// Phase 0: copies every entry into `val` from row `start` on, each chain after a leading
    /// 0 (bound by the `q_first` gate, not by a copy); `one` and `zero` are halo2-base constant
    /// cells that the fixed parts of the chains (the `ρ` and `σ` chains) copy, and `features`
    /// the features chip's value cells that [`Operand::Raw`] entries copy.
    pub fn assign_values(
        &self,
        region: &mut Region<Fr>,
        start: usize,
        products: &[Product],
        (one, zero): (&AssignedValue<Fr>, &AssignedValue<Fr>),
        features: &[Cell],
    ) -> Result<Phase0Layout, Error> {
        let mut out = ValWriter {
            val: self.val,
            region,
            start,
            features,
            layout: Phase0Layout::default(),
        };
        let base = |v: &AssignedValue<Fr>| Operand::Base(*v);
        for p in products {
            let p = match p {
                Product::Dense(p) => p,
                Product::Conv(c) => {
                    c.assign_values(&mut out, (one, zero))?;
                    continue;
                }
            };
            let (n, d_in, d_out) = p.dims();
            for row in &p.w {
                out.chain(row.iter().map(base))?;
            }
            out.chain(p.b.iter().map(base))?;
            out.chain(p.z.iter().flatten().map(base))?;
            // ρ chain: 1, 0, …, 0 (d_out zeros) evaluates to r^d_out.
            out.chain(std::iter::once(base(one)).chain(std::iter::repeat_n(base(zero), d_out)))?;
            for i in 0..d_in {
                out.chain((0..n).map(|k| p.x[k][i]))?;
            }
            out.chain(std::iter::repeat_n(base(one), n))?;
            // The dot-product rows use no `val` cell.
            out.skip(d_in + 1);
        }
        Ok(out.layout)
    }

    /// Phase 1: runs every chain with the challenge and constrains each product.
    ///
    /// `start` and `products` must be the same, in the same order, as given to `assign_values`.
    pub fn assign_checks(
        &self,
        region: &mut Region<Fr>,
        start: usize,
        products: &[Product],
    ) -> Result<(), Error> {
        let r = region.get_challenge(self.r);
        let mut row = start;
        for p in products {
            let p = match p {
                Product::Dense(p) => p,
                Product::Conv(c) => {
                    let from = row;
                    c.assign_checks(self, region, &mut row, r)?;
                    if row - from != c.rows() {
                        return Err(Error::Synthesis);
                    }
                    continue;
                }
            };
            let (n, d_in, d_out) = p.dims();
            let vals = |v: &AssignedValue<Fr>| Value::known(*v.value());
            let mut us = Vec::with_capacity(d_in);
            for wi in &p.w {
                us.push(self.horner_r(region, &mut row, wi.iter().map(vals), r)?);
            }
            let beta = self.horner_r(region, &mut row, p.b.iter().map(vals), r)?;
            let a = self.horner_r(region, &mut row, p.z.iter().flatten().map(vals), r)?;
            let ones_then_zeros = std::iter::once(Value::known(Fr::ONE))
                .chain(std::iter::repeat_n(Value::known(Fr::ZERO), d_out));
            let rho = self.horner_r(region, &mut row, ones_then_zeros, r)?;
            let mut ts = Vec::with_capacity(d_in);
            for i in 0..d_in {
                ts.push(self.horner_cell(
                    region,
                    &mut row,
                    (0..n).map(|k| Value::known(p.x[k][i].value())),
                    &rho,
                )?);
            }
            let sigma = self.horner_cell(
                region,
                &mut row,
                std::iter::repeat_n(Value::known(Fr::ONE), n),
                &rho,
            )?;
            // A = β·σ + Σ u_i·t_i
            let factors = std::iter::once((beta, sigma)).chain(us.into_iter().zip(ts));
            let (acc_cell, _) = self.dot_product(region, &mut row, factors)?;
            // The claim of this layer: the Horner sum over Z equals the one over X·W + b.
            region.constrain_equal(acc_cell, a.0);
        }
        Ok(())
    }

    /// Phase 1: `Σ x_i·y_i` over `factors` in rows `*row…` (one row each), every factor a copy
    /// of the given cell (`mul` copies `x_i`, `aux` copies `y_i`); returns the result cell.
    pub fn dot_product(
        &self,
        region: &mut Region<Fr>,
        row: &mut usize,
        factors: impl IntoIterator<Item = ((Cell, Value<Fr>), (Cell, Value<Fr>))>,
    ) -> Result<(Cell, Value<Fr>), Error> {
        self.dot_product_steps(region, row, factors, None)
    }

    /// [`Self::dot_product`], also pushing every partial sum's cell to `steps` (the prefix
    /// sums `x_0·y_0`, `x_0·y_0 + x_1·y_1`, …).
    pub(crate) fn dot_product_steps(
        &self,
        region: &mut Region<Fr>,
        row: &mut usize,
        factors: impl IntoIterator<Item = ((Cell, Value<Fr>), (Cell, Value<Fr>))>,
        mut steps: Option<&mut Vec<(Cell, Value<Fr>)>>,
    ) -> Result<(Cell, Value<Fr>), Error> {
        let mut acc: Option<(Cell, Value<Fr>)> = None;
        for ((xc, xv), (yc, yv)) in factors {
            let m = region.assign_advice(self.mul, *row, xv);
            let au = region.assign_advice(self.aux, *row, yv);
            region.constrain_equal(m.cell(), xc);
            region.constrain_equal(au.cell(), yc);
            let next = match acc {
                None => {
                    self.q_dot_first.enable(region, *row)?;
                    xv * yv
                }
                Some((_, prev)) => {
                    self.q_dot.enable(region, *row)?;
                    prev + xv * yv
                }
            };
            let cell = region.assign_advice(self.acc, *row, next).cell();
            acc = Some((cell, next));
            if let Some(steps) = steps.as_deref_mut() {
                steps.push((cell, next));
            }
            *row += 1;
        }
        acc.ok_or(Error::Synthesis)
    }

    /// A Horner chain in `r` over `values`, starting at `*row`; returns the result cell.
    pub(crate) fn horner_r(
        &self,
        region: &mut Region<Fr>,
        row: &mut usize,
        values: impl Iterator<Item = Value<Fr>>,
        r: Value<Fr>,
    ) -> Result<(Cell, Value<Fr>), Error> {
        self.horner(region, row, values, None, |region, row| {
            self.r_multiplier(region, row, r)
        })
    }

    /// A Horner chain whose multiplier is a copy of the phase-1 cell `m` (used for `ρ`).
    pub(crate) fn horner_cell(
        &self,
        region: &mut Region<Fr>,
        row: &mut usize,
        values: impl Iterator<Item = Value<Fr>>,
        m: &(Cell, Value<Fr>),
    ) -> Result<(Cell, Value<Fr>), Error> {
        self.horner(region, row, values, None, |region, row| {
            Ok(self.cell_multiplier(region, row, m))
        })
    }

    /// The powers `m^0 … m^max` of `r` (`m = None`) or of the phase-1 cell `m`: the steps of a
    /// Horner chain over `1, 0, …, 0`, whose phase-0 values must be copies of the constants 1
    /// and 0 (`max + 1` values after the leading 0).
    pub(crate) fn powers(
        &self,
        region: &mut Region<Fr>,
        row: &mut usize,
        max: usize,
        (r, m): (Value<Fr>, Option<&(Cell, Value<Fr>)>),
    ) -> Result<Vec<(Cell, Value<Fr>)>, Error> {
        let values = std::iter::once(Value::known(Fr::ONE))
            .chain(std::iter::repeat_n(Value::known(Fr::ZERO), max));
        let mut steps = Vec::with_capacity(max + 2);
        self.horner(
            region,
            row,
            values,
            Some(&mut steps),
            |region, row| match m {
                None => self.r_multiplier(region, row, r),
                Some(m) => Ok(self.cell_multiplier(region, row, m)),
            },
        )?;
        // The leading 0 is not a power.
        steps.remove(0);
        Ok(steps)
    }

    /// `mul = r` on `row`, tied to the challenge by `q_r`.
    fn r_multiplier(
        &self,
        region: &mut Region<Fr>,
        row: usize,
        r: Value<Fr>,
    ) -> Result<(Cell, Value<Fr>), Error> {
        self.q_r.enable(region, row)?;
        Ok((region.assign_advice(self.mul, row, r).cell(), r))
    }

    /// `mul` = a copy of the phase-1 cell `m` on `row`.
    fn cell_multiplier(
        &self,
        region: &mut Region<Fr>,
        row: usize,
        m: &(Cell, Value<Fr>),
    ) -> (Cell, Value<Fr>) {
        let cell = region.assign_advice(self.mul, row, m.1).cell();
        // The multiplier of a ρ-chain is the one computed from the challenge.
        region.constrain_equal(cell, m.0);
        (cell, m.1)
    }

    fn horner(
        &self,
        region: &mut Region<Fr>,
        row: &mut usize,
        values: impl Iterator<Item = Value<Fr>>,
        mut steps: Option<&mut Vec<(Cell, Value<Fr>)>>,
        mut multiplier: impl FnMut(&mut Region<Fr>, usize) -> Result<(Cell, Value<Fr>), Error>,
    ) -> Result<(Cell, Value<Fr>), Error> {
        let mut acc: Option<(Cell, Value<Fr>)> = None;
        let mut values = values.peekable();
        if values.peek().is_none() {
            return Err(Error::Synthesis);
        }
        // The leading 0 (`q_first` row), then one Horner step per value.
        for v in std::iter::once(Value::known(Fr::ZERO)).chain(values) {
            let next = match acc {
                None => {
                    self.q_first.enable(region, *row)?;
                    v
                }
                Some((_, prev)) => {
                    self.q_horner.enable(region, *row)?;
                    let (_, m) = multiplier(region, *row)?;
                    prev * m + v
                }
            };
            let cell = region.assign_advice(self.acc, *row, next).cell();
            acc = Some((cell, next));
            if let Some(steps) = steps.as_deref_mut() {
                steps.push((cell, next));
            }
            *row += 1;
        }
        acc.ok_or(Error::Synthesis)
    }
}

impl Phase0Layout {
    /// Rows used by the chip.
    pub fn rows(&self) -> usize {
        self.rows
    }
}

/// A product the chip checks: a dense layer's `X·W + 1·bᵀ`, or a convolution
/// (`circuit::conv`).
#[derive(Clone, Debug)]
pub enum Product {
    /// `Z = X·W + 1·bᵀ`.
    Dense(MatrixProduct),
    /// `Z = conv(X, W) + b`.
    Conv(ConvProduct),
}

impl Product {
    /// Rows this product occupies in the chip's columns.
    pub fn rows(&self) -> usize {
        match self {
            Product::Dense(p) => p.rows(),
            Product::Conv(c) => c.rows(),
        }
    }
}

/// Phase 0: writes a product's copies into `val`, row after row from `start`.
pub(crate) struct ValWriter<'w, 'r> {
    val: Column<Advice>,
    region: &'w mut Region<'r, Fr>,
    start: usize,
    features: &'w [Cell],
    layout: Phase0Layout,
}

impl ValWriter<'_, '_> {
    /// One `val` cell; `None` is a chain's leading 0.
    fn put(&mut self, v: Option<Operand>) -> Result<(), Error> {
        let value = v.map_or(Fr::ZERO, |v| v.value());
        let cell = self
            .region
            .assign_advice(self.val, self.start + self.layout.rows, Value::known(value))
            .cell();
        match v {
            Some(Operand::Base(v)) => self.layout.links.push((v, cell)),
            Some(Operand::Raw { index, .. }) => {
                let feature = self.features.get(index).ok_or(Error::Synthesis)?;
                self.region.constrain_equal(cell, *feature);
            }
            None => {}
        }
        self.layout.rows += 1;
        Ok(())
    }

    /// A Horner chain's values, after its leading 0.
    pub(crate) fn chain(&mut self, values: impl IntoIterator<Item = Operand>) -> Result<(), Error> {
        self.put(None)?;
        for v in values {
            self.put(Some(v))?;
        }
        Ok(())
    }

    /// Rows whose `val` cell is unused (dot products).
    pub(crate) fn skip(&mut self, rows: usize) {
        self.layout.rows += rows;
    }

    /// Rows written or skipped so far.
    pub(crate) fn rows(&self) -> usize {
        self.layout.rows
    }
}
