//! In-circuit circomlib Poseidon `P(a, b)` and the commitment chain (`docs/PROTOCOL.md` §1–2),
//! built on halo2-base's flex gate.
//!
//! Gadgets depend on the small [`Poseidon2Instructions`] trait, not on this implementation,
//! so a dedicated Poseidon chip (one row per round) can replace it without touching them.
//!
//! The permutation is the "optimized" form of the Poseidon paper (Supplementary Material B):
//! the same function as the plain rounds in `commit::poseidon::permute`, with constants
//! pre-multiplied by the inverse MDS and sparse matrices in the partial rounds. halo2-base
//! precomputes those from the same `poseidon-primitives` constants; the differential test below
//! pins this gadget to the native implementation.

use halo2_base::gates::{GateChip, GateInstructions};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use halo2_base::poseidon::hasher::spec::OptimizedPoseidonSpec;
use halo2_base::AssignedValue;
use halo2_base::Context;
use halo2_base::QuantumCell::Constant;

use crate::commit::poseidon::{FULL_ROUNDS, PARTIAL_ROUNDS, WIDTH};

/// What a gadget needs from a Poseidon implementation.
pub trait Poseidon2Instructions {
    /// `P(a, b)`: element 0 of the permutation of `[0, a, b]`.
    fn hash2(
        &self,
        ctx: &mut Context<Fr>,
        a: AssignedValue<Fr>,
        b: AssignedValue<Fr>,
    ) -> AssignedValue<Fr>;

    /// `Chain(tag, elems)` = `P(…P(P(tag, e_0), e_1)…, n)`.
    ///
    /// # Assumptions
    /// The caller constrains every element to be canonical and of the intended form (e.g. a
    /// packed, range-checked value); the chain itself accepts any field element.
    fn chain(
        &self,
        ctx: &mut Context<Fr>,
        tag: Fr,
        elems: &[AssignedValue<Fr>],
    ) -> AssignedValue<Fr> {
        let mut h = ctx.load_constant(tag);
        for e in elems {
            h = self.hash2(ctx, h, *e);
        }
        let n = ctx.load_constant(Fr::from(elems.len() as u64));
        self.hash2(ctx, h, n)
    }
}

/// circomlib Poseidon on halo2-base's flex gate.
#[derive(Clone, Debug)]
pub struct GatePoseidon {
    gate: GateChip<Fr>,
    spec: OptimizedPoseidonSpec<Fr, WIDTH, 2>,
}

impl Default for GatePoseidon {
    fn default() -> Self {
        Self::new()
    }
}

impl GatePoseidon {
    /// Builds the optimized spec (T = 3, R_F = 8, R_P = 57, the circomlib constants).
    pub fn new() -> Self {
        Self {
            gate: GateChip::default(),
            spec: OptimizedPoseidonSpec::<Fr, WIDTH, 2>::new::<FULL_ROUNDS, PARTIAL_ROUNDS, 0>(),
        }
    }

    fn sbox(&self, ctx: &mut Context<Fr>, x: AssignedValue<Fr>, constant: Fr) -> AssignedValue<Fr> {
        // x^5 + c: x2 = x·x, x4 = x2·x2, x5 + c = x·x4 + c.
        let x2 = self.gate.mul(ctx, x, x);
        let x4 = self.gate.mul(ctx, x2, x2);
        self.gate.mul_add(ctx, x, x4, Constant(constant))
    }

    fn full_mds(
        &self,
        ctx: &mut Context<Fr>,
        s: [AssignedValue<Fr>; WIDTH],
        m: &[[Fr; WIDTH]; WIDTH],
    ) -> [AssignedValue<Fr>; WIDTH] {
        m.map(|row| self.gate.inner_product(ctx, s, row.map(Constant)))
    }

    fn permute(
        &self,
        ctx: &mut Context<Fr>,
        mut s: [AssignedValue<Fr>; WIDTH],
    ) -> [AssignedValue<Fr>; WIDTH] {
        let consts = self.spec.constants();
        let mats = self.spec.mds_matrices();
        let mds = mats.mds().as_ref();
        let half = self.spec.r_f() / 2;
        let start = consts.start(); // half + 1 rows: round 0's constants, then pre-constants
                                    // Round 0's constants are added up front; each S-box then adds the (inverse-MDS
                                    // transformed) constants of the following round.
        for (x, c) in s.iter_mut().zip(start[0]) {
            *x = self.gate.add(ctx, *x, Constant(c));
        }
        for c in &start[1..half] {
            s = core::array::from_fn(|i| self.sbox(ctx, s[i], c[i]));
            s = self.full_mds(ctx, s, mds);
        }
        s = core::array::from_fn(|i| self.sbox(ctx, s[i], start[half][i]));
        s = self.full_mds(ctx, s, mats.pre_sparse_mds().as_ref());
        // Partial rounds: S-box on element 0 only, then a sparse matrix
        // (s0' = row·s, s_i' = s0·col_hat[i−1] + s_i).
        for (c, sparse) in consts.partial().iter().zip(mats.sparse_matrices()) {
            s[0] = self.sbox(ctx, s[0], *c);
            let first = self.gate.inner_product(ctx, s, sparse.row().map(Constant));
            let rest: [AssignedValue<Fr>; WIDTH - 1] = core::array::from_fn(|i| {
                self.gate
                    .mul_add(ctx, s[0], Constant(sparse.col_hat()[i]), s[i + 1])
            });
            s = [first, rest[0], rest[1]];
        }
        for c in consts.end() {
            s = core::array::from_fn(|i| self.sbox(ctx, s[i], c[i]));
            s = self.full_mds(ctx, s, mds);
        }
        s = core::array::from_fn(|i| self.sbox(ctx, s[i], Fr::ZERO));
        self.full_mds(ctx, s, mds)
    }
}

impl Poseidon2Instructions for GatePoseidon {
    fn hash2(
        &self,
        ctx: &mut Context<Fr>,
        a: AssignedValue<Fr>,
        b: AssignedValue<Fr>,
    ) -> AssignedValue<Fr> {
        let zero = ctx.load_zero();
        self.permute(ctx, [zero, a, b])[0]
    }
}

#[cfg(test)]
mod tests {
    use halo2_base::gates::circuit::builder::BaseCircuitBuilder;
    use halo2_base::gates::circuit::CircuitBuilderStage;
    use halo2_base::halo2_proofs::dev::MockProver;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::*;
    use crate::commit::{chain, fr_from_hex, poseidon2, MODEL_TAG};

    const K: u32 = 12;

    /// Builds a mock circuit that hashes `inputs` with `f` and exposes the result publicly.
    fn run(
        f: impl FnOnce(&GatePoseidon, &mut Context<Fr>, Vec<AssignedValue<Fr>>) -> AssignedValue<Fr>,
        inputs: &[Fr],
        claimed: Fr,
    ) -> Result<(), Vec<halo2_base::halo2_proofs::dev::VerifyFailure>> {
        let mut builder =
            BaseCircuitBuilder::from_stage(CircuitBuilderStage::Mock).use_k(K as usize);
        builder.set_instance_columns(1);
        let ctx = builder.main(0);
        let loaded = ctx.assign_witnesses(inputs.iter().copied());
        let out = f(&GatePoseidon::new(), ctx, loaded);
        builder.assigned_instances[0].push(out);
        builder.calculate_params(Some(9));
        MockProver::run(K, &builder, vec![vec![claimed]])
            .expect("mock prover runs")
            .verify()
    }

    #[test]
    fn hash2_matches_native_and_circomlib() {
        let mut rng = StdRng::seed_from_u64(1);
        for (a, b) in [
            (Fr::from(1), Fr::from(2)),
            (Fr::random(&mut rng), Fr::random(&mut rng)),
        ] {
            let want = poseidon2(a, b);
            assert_eq!(
                run(|p, ctx, x| p.hash2(ctx, x[0], x[1]), &[a, b], want),
                Ok(())
            );
            // Negative: a different claimed output fails the instance copy constraint.
            assert!(run(
                |p, ctx, x| p.hash2(ctx, x[0], x[1]),
                &[a, b],
                want + Fr::ONE
            )
            .is_err());
        }
    }

    #[test]
    fn chain_matches_native() {
        let mut rng = StdRng::seed_from_u64(2);
        let tag = fr_from_hex(MODEL_TAG).expect("tag is canonical");
        let elems: Vec<Fr> = (0..3).map(|_| Fr::random(&mut rng)).collect();
        let want = chain(tag, &elems);
        assert_eq!(run(|p, ctx, x| p.chain(ctx, tag, &x), &elems, want), Ok(()));
        // Negative: one changed element changes the commitment.
        let mut tampered = elems.clone();
        tampered[1] += Fr::ONE;
        assert!(run(|p, ctx, x| p.chain(ctx, tag, &x), &tampered, want).is_err());
    }
}
