//! Convolutions checked by Freivalds' method over the im2col structure, at a cost that does not
//! grow with the kernel area.
//!
//! # The statement
//! `X: N×C×H×W` (NCHW, as ONNX lays it out), kernel `K: O×C×KH×KW`, bias `b: O`, stride `s`,
//! zero padding `p` on every side; `Z: N×O×H'×W'` with `H' = ⌊(H + 2p − KH)/s⌋ + 1` (and `W'`
//! alike) is claimed to be
//!
//! ```text
//! Z[n,o,y,x] = b[o] + Σ_{c,dy,dx} K[o,c,dy,dx] · X[n,c, s·y+dy−p, s·x+dx−p]
//! ```
//! (a term whose input position falls in the padding is 0: ONNX `Conv`, a cross-correlation).
//!
//! # The check
//! As for dense layers (`circuit::freivalds`), `A = Σ_k r^{M−1−k} Z_k` over `Z` in row-major
//! order (`M = N·O·H'·W'`), so with `ñ = N−1−n`, `õ = O−1−o`, `ỹ = H'−1−y`, `x̃ = W'−1−x` the
//! weight of `Z[n,o,y,x]` is `ρ_n^ñ ρ_o^õ ρ_y^ỹ r^x̃` with `ρ_y = r^{W'}`, `ρ_o = r^{H'W'}`,
//! `ρ_n = ρ_o^O`. If `Z` is the convolution, `A` equals the same weighted sum of the right-hand
//! side, which factors (exactly, by reordering sums):
//!
//! ```text
//! A = β·σ_n·σ_y·σ_x + Σ_{c,dy,dx} u[c,dy,dx] · Σ_{y,x valid} ρ_y^ỹ r^x̃ g[c, s·y+dy−p, s·x+dx−p]
//! β = Σ_o ρ_o^õ b[o]             u[c,dy,dx] = Σ_o ρ_o^õ K[o,c,dy,dx]
//! g[c,i,j] = Σ_n ρ_n^ñ X[n,c,i,j]   σ_n, σ_y, σ_x: the same weights summed over N, H', W' ones
//! ```
//! The inner sum is over a rectangle of inputs, and costs nothing per kernel tap once prefix
//! sums exist. Along one axis, a tap `d` reads the inputs `i = s·(y+q) + a` where
//! `d − p = s·q + a`, `0 ≤ a < s`: the inputs of *residue class* `a`, at class positions
//! `i' = y + q`, for `i'` in `[max(q, 0), min(H'−1+q, H_a−1)]` (`H_a` inputs in the class). Giving
//! the class's input `i'` the weight `ρ_y^{H_a−1−i'}`, the output weight is
//! `ρ_y^ỹ = ρ_y^{H_a−1−i'} · ρ_y^{δ(d)}` with `δ(d) = H' − H_a + q` — one factor per tap. `δ` can
//! be negative, so both sides are multiplied by `μ = ρ_y^{L_y} r^{L_x}` with
//! `L = max(0, −min_d δ(d))` per axis. With `P` the 2-D prefix sums of the weighted `g` in each
//! pair of classes (`P[i',j'] = Σ_{i''≤i', j''≤j'} ρ_y^{H_a−1−i''} r^{W_b−1−j''} g`), a
//! rectangle `[i0,i1]×[j0,j1]` sums to `P11 − P01 − P10 + P00` (`P01 = P[i0−1, j1]`,
//! `P10 = P[i1, j0−1]`, `P00 = P[i0−1, j0−1]`, absent terms 0), and the circuit constrains
//!
//! ```text
//! A·μ + Σ v·(P01 + P10) = β·σ_n·σ_y·σ_x·μ + Σ v·(P11 + P00),   v = u · ρ_y^{L_y+δ(dy)} r^{L_x+δ(dx)}
//! ```
//! over every channel and tap whose rectangle is not empty.
//!
//! # Soundness
//! Every cell of phase 1 is a gate-constrained function of the challenge `r` and of phase-0
//! cells (copies of the committed `X`, `K`, `b`, `Z`): Horner chains (powers, `β`, `u`, `g`,
//! `σ`, `A`), and dot-product chains whose partial sums are the prefix sums. So the constrained
//! equation is, as a polynomial identity in `r`, `μ(r)·E(r) = 0` with
//! `E(r) = Σ_k r^{M−1−k} E_k` and `E = Z − conv(X, K) − b`. If `E ≠ 0`, `μ·E` is a non-zero
//! polynomial of degree below `M + L_y·W' + L_x + 1 < 2^30`, so a challenge drawn after phase 0
//! satisfies it with probability below `2^30/|F| < 2^−223`. As for dense layers this gives
//! equality in the field; the callers range-check `X`, `K`, `b`, so the convolution is an integer
//! far below `p` and `Z` holds exactly those integers.
//!
//! # Cost
//! Rows: `N·(C·H·W + O·H'·W')` for the chains over `X` and `Z` (each entry once, as for a dense
//! layer: the im2col matrix, `KH·KW` times larger, is never formed), `O·C·KH·KW` for the kernel,
//! `2·C·H·W` for the prefix sums and `O(C·KH·KW + H' + W')` for the rest.

use halo2_base::halo2_proofs::circuit::{Cell, Region, Value};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use halo2_base::halo2_proofs::plonk::Error;
use halo2_base::AssignedValue;

use super::freivalds::{FreivaldsConfig, ValWriter};
use super::Operand;

/// The shape of a convolution (square stride and padding, any kernel).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvGeometry {
    /// Batch: test rows.
    pub n: usize,
    /// Input channels.
    pub c_in: usize,
    /// Input height.
    pub h: usize,
    /// Input width.
    pub w: usize,
    /// Output channels.
    pub c_out: usize,
    /// Kernel height.
    pub kh: usize,
    /// Kernel width.
    pub kw: usize,
    /// Stride (both axes).
    pub stride: usize,
    /// Zero padding on every side.
    pub pad: usize,
}

impl ConvGeometry {
    /// Whether the shape is a convolution with at least one output.
    pub fn is_valid(&self) -> bool {
        let positive = [
            self.n, self.c_in, self.h, self.w, self.c_out, self.kh, self.kw,
        ];
        positive.iter().all(|&d| d > 0)
            && self.stride > 0
            && self.kh <= self.h + 2 * self.pad
            && self.kw <= self.w + 2 * self.pad
    }

    fn rows_axis(&self) -> Axis {
        Axis {
            len: self.h,
            k: self.kh,
            s: self.stride,
            p: self.pad,
        }
    }

    fn cols_axis(&self) -> Axis {
        Axis {
            len: self.w,
            k: self.kw,
            s: self.stride,
            p: self.pad,
        }
    }

    /// Output height `H'`.
    pub fn out_h(&self) -> usize {
        self.rows_axis().out()
    }

    /// Output width `W'`.
    pub fn out_w(&self) -> usize {
        self.cols_axis().out()
    }

    /// Entries of `X`.
    pub fn input_len(&self) -> usize {
        self.n * self.c_in * self.h * self.w
    }

    /// Entries of the kernel.
    pub fn kernel_len(&self) -> usize {
        self.c_out * self.c_in * self.kh * self.kw
    }

    /// Entries of `Z`.
    pub fn output_len(&self) -> usize {
        self.n * self.c_out * self.out_h() * self.out_w()
    }

    /// The reference semantics: `Z` from `X`, the kernel and the bias (all flat, row-major).
    pub fn convolve(&self, x: &[i64], k: &[i64], b: &[i64]) -> Vec<i64> {
        let (ho, wo) = (self.out_h(), self.out_w());
        let (s, p) = (self.stride as i64, self.pad as i64);
        let mut z = Vec::with_capacity(self.output_len());
        for n in 0..self.n {
            for (o, &bias) in b.iter().enumerate().take(self.c_out) {
                for y in 0..ho as i64 {
                    for xo in 0..wo as i64 {
                        let mut acc = bias;
                        for c in 0..self.c_in {
                            for dy in 0..self.kh {
                                let i = s * y + dy as i64 - p;
                                if i < 0 || i >= self.h as i64 {
                                    continue;
                                }
                                for dx in 0..self.kw {
                                    let j = s * xo + dx as i64 - p;
                                    if j < 0 || j >= self.w as i64 {
                                        continue;
                                    }
                                    let xi = ((n * self.c_in + c) * self.h + i as usize) * self.w
                                        + j as usize;
                                    let ki = ((o * self.c_in + c) * self.kh + dy) * self.kw + dx;
                                    acc += k[ki] * x[xi];
                                }
                            }
                        }
                        z.push(acc);
                    }
                }
            }
        }
        z
    }

    /// Rows the check occupies in the Freivalds chip's columns.
    pub fn rows(&self) -> usize {
        let (ay, ax) = (self.rows_axis(), self.cols_axis());
        let (ho, wo) = (ay.out(), ax.out());
        let (n, c, o) = (self.n, self.c_in, self.c_out);
        let taps = self.kh * self.kw;
        let chains = (ho * wo + 2)               // ρ_o
            + (o + 2)                            // ρ_n
            + (wo + 2)                           // ρ_y
            + (self.output_len() + 1)            // A
            + c * taps * (o + 1)                 // u
            + (o + 1)                            // β
            + c * self.h * self.w * (n + 1)      // g
            + (n + 1) + (ho + 1) + (wo + 1)      // σ_n, σ_y, σ_x
            + (ay.max_power() + 2)               // powers of ρ_y
            + (ax.max_power() + 2); // powers of r
        let (mut lhs, mut rhs) = (1, 1);
        for dy in 0..self.kh {
            for dx in 0..self.kw {
                if let (Some((i0, _)), Some((j0, _))) = (ay.tap(dy).range, ax.tap(dx).range) {
                    lhs += c * (usize::from(i0 > 0) + usize::from(j0 > 0));
                    rhs += c * (1 + usize::from(i0 > 0 && j0 > 0));
                }
            }
        }
        let dots = 2 * c * self.h * self.w  // prefix sums
            + 3 + 1                         // β·σ_n·σ_y·σ_x, μ
            + taps + c * taps               // tap factors, v
            + lhs + rhs;
        chains + dots
    }
}

/// One spatial axis of a convolution.
#[derive(Clone, Copy, Debug)]
struct Axis {
    len: usize,
    k: usize,
    s: usize,
    p: usize,
}

/// What a kernel tap reads along one axis.
#[derive(Clone, Copy, Debug)]
struct Tap {
    /// The residue class of the inputs it reads.
    class: usize,
    /// The class positions it reads (`None`: only padding).
    range: Option<(usize, usize)>,
    /// `δ`: the exponent relating its output weights to the class's input weights.
    delta: i64,
}

impl Axis {
    fn out(&self) -> usize {
        (self.len + 2 * self.p - self.k) / self.s + 1
    }

    /// Inputs in residue class `a` (positions `s·i' + a`).
    fn class_len(&self, a: usize) -> usize {
        if a >= self.len {
            0
        } else {
            (self.len - a).div_ceil(self.s)
        }
    }

    fn tap(&self, d: usize) -> Tap {
        let (t, s) = (d as i64 - self.p as i64, self.s as i64);
        let (a, q) = (t.rem_euclid(s) as usize, t.div_euclid(s));
        let (len, out) = (self.class_len(a) as i64, self.out() as i64);
        let (lo, hi) = (q.max(0), (out - 1 + q).min(len - 1));
        Tap {
            class: a,
            range: (lo <= hi).then_some((lo as usize, hi as usize)),
            delta: out - len + q,
        }
    }

    /// `L`: added to every tap's exponent so that none is negative.
    fn lift(&self) -> usize {
        let min = (0..self.k).map(|d| self.tap(d).delta).min().unwrap_or(0);
        (-min).max(0) as usize
    }

    /// The exponent of tap `d`'s factor, `L + δ(d) ≥ 0`.
    fn exponent(&self, d: usize) -> usize {
        (self.lift() as i64 + self.tap(d).delta) as usize
    }

    /// The largest power of the axis's multiplier the check uses.
    fn max_power(&self) -> usize {
        let taps = (0..self.k).map(|d| self.exponent(d)).max().unwrap_or(0);
        let classes = (0..self.s).map(|a| self.class_len(a)).max().unwrap_or(1);
        taps.max(classes.saturating_sub(1)).max(self.lift())
    }
}

/// One convolution's product, as phase-0 cells (all flat, row-major).
#[derive(Clone, Debug)]
pub struct ConvProduct {
    /// The shape.
    pub geometry: ConvGeometry,
    /// `N×C×H×W` inputs.
    pub x: Vec<Operand>,
    /// `O×C×KH×KW` kernel.
    pub k: Vec<AssignedValue<Fr>>,
    /// `O` biases.
    pub b: Vec<AssignedValue<Fr>>,
    /// `N×O×H'×W'` claimed outputs.
    pub z: Vec<AssignedValue<Fr>>,
}

type Acc = (Cell, Value<Fr>);

impl ConvProduct {
    /// Rows this product occupies in the chip's columns.
    pub fn rows(&self) -> usize {
        self.geometry.rows()
    }

    fn check_lengths(&self) -> Result<(), Error> {
        let g = &self.geometry;
        let ok = g.is_valid()
            && self.x.len() == g.input_len()
            && self.k.len() == g.kernel_len()
            && self.b.len() == g.c_out
            && self.z.len() == g.output_len();
        if ok {
            Ok(())
        } else {
            Err(Error::Synthesis)
        }
    }

    /// Phase 0: the copies the chains of [`Self::assign_checks`] fold, in the same order.
    pub(crate) fn assign_values(
        &self,
        out: &mut ValWriter<'_, '_>,
        (one, zero): (&AssignedValue<Fr>, &AssignedValue<Fr>),
    ) -> Result<(), Error> {
        self.check_lengths()?;
        let g = &self.geometry;
        let from = out.rows();
        let (ho, wo) = (g.out_h(), g.out_w());
        let base = |v: &AssignedValue<Fr>| Operand::Base(*v);
        let (one, zero) = (base(one), base(zero));
        let power = |count: usize| std::iter::once(one).chain(std::iter::repeat_n(zero, count));
        out.chain(power(ho * wo))?; // ρ_o
        out.chain(power(g.c_out))?; // ρ_n
        out.chain(power(wo))?; // ρ_y
        out.chain(self.z.iter().map(base))?; // A
        let taps = g.kh * g.kw;
        for t in 0..g.c_in * taps {
            out.chain((0..g.c_out).map(|o| base(&self.k[o * g.c_in * taps + t])))?;
            // u
        }
        out.chain(self.b.iter().map(base))?; // β
        let plane = g.c_in * g.h * g.w;
        for e in 0..plane {
            out.chain((0..g.n).map(|n| self.x[n * plane + e]))?; // g
        }
        for len in [g.n, ho, wo] {
            out.chain(std::iter::repeat_n(one, len))?; // σ_n, σ_y, σ_x
        }
        out.chain(power(g.rows_axis().max_power()))?;
        out.chain(power(g.cols_axis().max_power()))?;
        // The dot products use no `val` cell.
        let used = out.rows() - from;
        out.skip(self.rows().checked_sub(used).ok_or(Error::Synthesis)?);
        Ok(())
    }

    /// Phase 1: the chains and dot products of the check, from `*row` on, and the final equality.
    pub(crate) fn assign_checks(
        &self,
        chip: &FreivaldsConfig,
        region: &mut Region<Fr>,
        row: &mut usize,
        r: Value<Fr>,
    ) -> Result<(), Error> {
        self.check_lengths()?;
        let g = &self.geometry;
        let (ay, ax) = (g.rows_axis(), g.cols_axis());
        let (ho, wo) = (ay.out(), ax.out());
        let known = |v: Fr| Value::known(v);
        let val = |v: &AssignedValue<Fr>| Value::known(*v.value());
        let power = |count: usize| {
            std::iter::once(known(Fr::ONE)).chain(std::iter::repeat_n(known(Fr::ZERO), count))
        };
        let ones = |count: usize| std::iter::repeat_n(known(Fr::ONE), count);

        let rho_o = chip.horner_r(region, row, power(ho * wo), r)?;
        let rho_n = chip.horner_cell(region, row, power(g.c_out), &rho_o)?;
        let rho_y = chip.horner_r(region, row, power(wo), r)?;
        let a = chip.horner_r(region, row, self.z.iter().map(val), r)?;
        let taps = g.kh * g.kw;
        let mut u = Vec::with_capacity(g.c_in * taps);
        for t in 0..g.c_in * taps {
            let column = (0..g.c_out).map(|o| val(&self.k[o * g.c_in * taps + t]));
            u.push(chip.horner_cell(region, row, column, &rho_o)?);
        }
        let beta = chip.horner_cell(region, row, self.b.iter().map(val), &rho_o)?;
        let plane = g.c_in * g.h * g.w;
        let mut gs = Vec::with_capacity(plane);
        for e in 0..plane {
            let column = (0..g.n).map(|n| known(self.x[n * plane + e].value()));
            gs.push(chip.horner_cell(region, row, column, &rho_n)?);
        }
        let sigma_n = chip.horner_cell(region, row, ones(g.n), &rho_n)?;
        let sigma_y = chip.horner_cell(region, row, ones(ho), &rho_y)?;
        let sigma_x = chip.horner_r(region, row, ones(wo), r)?;
        // Index e holds the e-th power.
        let pow_y = chip.powers(region, row, ay.max_power(), (r, Some(&rho_y)))?;
        let pow_x = chip.powers(region, row, ax.max_power(), (r, None))?;

        // Prefix sums per channel and pair of residue classes, at the absolute input positions.
        let mut prefix: Vec<Option<Acc>> = vec![None; plane];
        let at = |c: usize, i: usize, j: usize| (c * g.h + i) * g.w + j;
        for c in 0..g.c_in {
            for a in 0..g.stride {
                for b in 0..g.stride {
                    let (len_a, len_b) = (ay.class_len(a), ax.class_len(b));
                    if len_a == 0 || len_b == 0 {
                        continue;
                    }
                    let pos = |i: usize, j: usize| at(c, g.stride * i + a, g.stride * j + b);
                    let mut rows_acc: Vec<Vec<Acc>> = Vec::with_capacity(len_a);
                    for i in 0..len_a {
                        let mut steps = Vec::with_capacity(len_b);
                        let factors = (0..len_b).map(|j| (gs[pos(i, j)], pow_x[len_b - 1 - j]));
                        chip.dot_product_steps(region, row, factors, Some(&mut steps))?;
                        rows_acc.push(steps);
                    }
                    for j in 0..len_b {
                        let mut steps = Vec::with_capacity(len_a);
                        let factors = (0..len_a).map(|i| (pow_y[len_a - 1 - i], rows_acc[i][j]));
                        chip.dot_product_steps(region, row, factors, Some(&mut steps))?;
                        for (i, p) in steps.into_iter().enumerate() {
                            prefix[pos(i, j)] = Some(p);
                        }
                    }
                }
            }
        }
        let p_at = |c: usize, (ty, i): (Tap, usize), (tx, j): (Tap, usize)| {
            prefix[at(c, g.stride * i + ty.class, g.stride * j + tx.class)].ok_or(Error::Synthesis)
        };

        let t1 = chip.dot_product(region, row, [(beta, sigma_n)])?;
        let t2 = chip.dot_product(region, row, [(t1, sigma_y)])?;
        let bias = chip.dot_product(region, row, [(t2, sigma_x)])?;
        let mu = chip.dot_product(region, row, [(pow_y[ay.lift()], pow_x[ax.lift()])])?;
        let mut factor = Vec::with_capacity(taps);
        for dy in 0..g.kh {
            for dx in 0..g.kw {
                let f = (pow_y[ay.exponent(dy)], pow_x[ax.exponent(dx)]);
                factor.push(chip.dot_product(region, row, [f])?);
            }
        }
        let mut v = Vec::with_capacity(g.c_in * taps);
        for (t, ut) in u.iter().enumerate() {
            v.push(chip.dot_product(region, row, [(*ut, factor[t % taps])])?);
        }
        let (mut lhs, mut rhs) = (vec![(a, mu)], vec![(bias, mu)]);
        for c in 0..g.c_in {
            for dy in 0..g.kh {
                for dx in 0..g.kw {
                    let (ty, tx) = (ay.tap(dy), ax.tap(dx));
                    let (Some((i0, i1)), Some((j0, j1))) = (ty.range, tx.range) else {
                        continue;
                    };
                    let vt = v[c * taps + dy * g.kw + dx];
                    rhs.push((vt, p_at(c, (ty, i1), (tx, j1))?));
                    if i0 > 0 {
                        lhs.push((vt, p_at(c, (ty, i0 - 1), (tx, j1))?));
                    }
                    if j0 > 0 {
                        lhs.push((vt, p_at(c, (ty, i1), (tx, j0 - 1))?));
                    }
                    if i0 > 0 && j0 > 0 {
                        rhs.push((vt, p_at(c, (ty, i0 - 1), (tx, j0 - 1))?));
                    }
                }
            }
        }
        let left = chip.dot_product(region, row, lhs)?;
        let right = chip.dot_product(region, row, rhs)?;
        // The claim of this convolution: A·μ + Σ v·(P01 + P10) = bias·μ + Σ v·(P11 + P00).
        region.constrain_equal(left.0, right.0);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
