//! A two-phase halo2 circuit: halo2-base's gates and range lookups in phase 0, the public
//! instances and constants bound to the first rows of the Freivalds chip's `val` column by a gate
//! (`circuit::public`; halo2-base is configured without its own constants and instance columns),
//! plus the Freivalds chip whose second-phase columns use a challenge drawn after phase 0, plus the
//! Poseidon chip in the same three second-phase columns, below the Freivalds rows, plus the
//! requantisation chip in two phase-0 columns it shares (the Freivalds chip's `val` and
//! halo2-base's lookup advice column), at the bottom of the usable rows.
//!
//! halo2-base's own `BaseCircuitBuilder` only synthesizes phase 0, so this circuit owns the
//! `Circuit` impl: it assigns halo2-base's virtual region, then the Freivalds chip's phase-0
//! column, then calls `next_phase()` **before** reading the challenge (the real prover panics
//! otherwise; MockProver does not notice), then assigns the phase-1 columns (Freivalds checks,
//! then the Poseidon chains), and last all copy constraints (halo2-base's own and the links of
//! both chips to halo2-base cells; copy constraints belong to the keys, not to a phase).
//!
//! halo2-axiom's floor planner starts every region at row 0, so the Freivalds checks and the
//! Poseidon chains share one phase-1 region and are placed one after the other by hand.

use halo2_base::gates::circuit::builder::BaseCircuitBuilder;
use halo2_base::gates::circuit::{BaseCircuitParams, BaseConfig, MaybeRangeConfig};
use halo2_base::halo2_proofs::circuit::{Layouter, SimpleFloorPlanner};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::plonk::{Circuit, ConstraintSystem, Error};
use halo2_base::virtual_region::manager::VirtualRegionManager;
use halo2_base::AssignedValue;

use super::freivalds::{FreivaldsConfig, MatrixProduct};
use super::poseidon::{PoseidonChain, PoseidonConfig};
use super::public::recorded_constants;
use super::requant::{BlockShape, RequantBounds, RequantConfig, RequantJob};

/// Columns of the two-phase circuit.
#[derive(Clone, Debug)]
pub struct TwoPhaseConfig {
    /// halo2-base flex gate and range lookups (no constants or instance column of its own).
    pub base: BaseConfig<Fr>,
    /// Freivalds chip.
    pub freivalds: FreivaldsConfig,
    /// Poseidon chip (in the Freivalds chip's phase-1 columns).
    pub poseidon: PoseidonConfig,
    /// Requantisation chip (in `val` and the lookup advice column); absent without lookups.
    pub requant: Option<RequantConfig>,
    /// Rows usable for witnesses once every gate is known (halo2-base's own figure is taken
    /// before the chips add queries, and more queries per column mean more blinding rows).
    pub usable_rows: usize,
}

/// The circuit's parameters: halo2-base's, and the spec bounds the requantisation gates are
/// built from.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct TwoPhaseParams {
    /// halo2-base configuration (k, columns, lookup bits).
    pub base: BaseCircuitParams,
    /// Sizes the requantisation blocks.
    pub requant: RequantBounds,
}

/// Phase-0 witnesses (in `builder`) and the matrix products to check in phase 1.
#[derive(Clone, Debug)]
pub struct TwoPhaseCircuit {
    /// Every phase-0 cell, assigned through halo2-base contexts.
    pub builder: BaseCircuitBuilder<Fr>,
    /// The products `Z = X·W + 1·bᵀ` to check, over cells of `builder`.
    pub products: Vec<MatrixProduct>,
    /// The Poseidon chains (`C`, `T`) to prove, over cells of `builder`.
    pub chains: Vec<PoseidonChain>,
    /// The requantisations to prove, over cells of `builder`.
    pub requants: Vec<RequantJob>,
    /// The spec bounds that size the requantisation blocks.
    pub requant_bounds: RequantBounds,
    /// The distinct constants of `builder`, sorted: [`recorded_constants`] when building for
    /// keygen or the mock prover, the keygen's (pinned) list when proving.
    pub constants: Vec<Fr>,
    /// Constant cells 1 and 0 of `builder` (loaded with `load_constant`).
    pub one: AssignedValue<Fr>,
    /// See `one`.
    pub zero: AssignedValue<Fr>,
    /// halo2-base advice cells per named section of the statement (figures only).
    pub sections: Vec<(String, usize)>,
}

impl TwoPhaseCircuit {
    /// Rows of `val` above the Freivalds chip: the public instances, then the constants.
    pub fn public_rows(&self) -> usize {
        let instances = self.builder.assigned_instances.first().map_or(0, Vec::len);
        instances + self.constants.len()
    }

    /// Rows the Freivalds chip needs (the circuit needs at least this many usable rows).
    pub fn freivalds_rows(&self) -> usize {
        self.products.iter().map(MatrixProduct::rows).sum()
    }

    /// Rows the requantisation chip needs (at the bottom of the usable rows).
    pub fn requant_rows(&self) -> usize {
        let bits = self.builder.config_params.lookup_bits.unwrap_or(1);
        self.requants.len() * BlockShape::new(bits, self.requant_bounds).rows()
    }

    /// Rows the Poseidon chip needs (below the Freivalds rows).
    pub fn poseidon_rows(&self) -> usize {
        self.chains.iter().map(PoseidonChain::rows).sum()
    }
}

impl Circuit<Fr> for TwoPhaseCircuit {
    type Config = TwoPhaseConfig;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = TwoPhaseParams;

    fn params(&self) -> Self::Params {
        TwoPhaseParams {
            base: self.builder.config_params.clone(),
            requant: self.requant_bounds,
        }
    }

    fn without_witnesses(&self) -> Self {
        // Key generation runs on a circuit built from the spec with placeholder witnesses;
        // halo2's own witness-free path is not used.
        self.clone()
    }

    fn configure_with_params(
        meta: &mut ConstraintSystem<Fr>,
        params: Self::Params,
    ) -> Self::Config {
        // Constraint-system degree 5 instead of the 4 the gates and lookups need. halo2's
        // extended domain is the smallest power of two ≥ (degree − 1)·n, which is 4n for both
        // degrees, so the prover's quotient work stays the same size; but the permutation
        // argument packs `degree − 2` columns per grand product, so our 11 equality columns need
        // 4 grand products instead of 6 (the quotient gains one piece). Measured on digits:
        // prove 112.8 → 85.3 s, verification 557,245 → 537,843 gas (docs/BENCHMARKS.md).
        // Degree 6 would double the extended domain.
        meta.set_minimum_degree(5);
        let TwoPhaseParams {
            base: params,
            requant: bounds,
        } = params;
        let (k, lookup_bits) = (params.k, params.lookup_bits);
        // halo2-base without its constants and instance columns: they would take part in the
        // permutation argument (`circuit::public` binds both with a gate instead).
        let base = BaseConfig::configure(
            meta,
            BaseCircuitParams {
                num_fixed: 0,
                num_instance_columns: 0,
                ..params
            },
        );
        let (cst, instance) = (meta.fixed_column(), meta.instance_column());
        let freivalds = FreivaldsConfig::configure(meta, cst, instance);
        let poseidon = PoseidonConfig::configure(meta, freivalds.phase1_columns(), cst);
        let requant = match (&base.base, lookup_bits) {
            (MaybeRangeConfig::WithRange(range), Some(bits)) => range
                .lookup_advice
                .first()
                .and_then(|cols| cols.first())
                .map(|look| {
                    let shape = BlockShape::new(bits, bounds);
                    RequantConfig::configure(meta, freivalds.value_column(), *look, shape)
                }),
            _ => None,
        };
        TwoPhaseConfig {
            base,
            freivalds,
            poseidon,
            requant,
            usable_rows: (1usize << k).saturating_sub(meta.minimum_rows()),
        }
    }

    fn configure(_: &mut ConstraintSystem<Fr>) -> Self::Config {
        unreachable!("TwoPhaseCircuit is configured with configure_with_params")
    }

    fn synthesize(
        &self,
        config: Self::Config,
        mut layouter: impl Layouter<Fr>,
    ) -> Result<(), Error> {
        let witness_gen_only = self.builder.witness_gen_only();
        config.base.initialize(&mut layouter);
        let gate = config.base.gate();
        let usable_rows = gate.max_rows.min(config.usable_rows);
        let head = self.public_rows();
        let freivalds_end = head + self.freivalds_rows();
        if freivalds_end + self.poseidon_rows() > usable_rows {
            // Rows past `usable_rows` hold the blinding factors; using them would break zero
            // knowledge and completeness.
            return Err(Error::NotEnoughRowsAvailable {
                current_k: self.builder.config_params.k as u32,
            });
        }

        // Phase 0: halo2-base's virtual region and its lookups.
        layouter.assign_region(
            || "halo2-base (phase 0)",
            |mut region| {
                self.builder.core().phase_manager[0]
                    .assign_raw(&(gate.basic_gates[0].clone(), usable_rows), &mut region);
                if let MaybeRangeConfig::WithRange(range) = &config.base.base {
                    self.builder.assign_lookups_in_phase(range, &mut region, 0);
                }
                Ok(())
            },
        )?;
        // Phase 0: the public values and the constants at the top of `val`. The constants must
        // be the ones halo2-base recorded (checked where it records them: keygen, mock).
        if !witness_gen_only && recorded_constants(&self.builder) != self.constants {
            return Err(Error::Synthesis);
        }
        let instances = self
            .builder
            .assigned_instances
            .first()
            .map_or(&[][..], Vec::as_slice);
        let public = layouter.assign_region(
            || "public instances and constants (phase 0)",
            |mut region| {
                config
                    .freivalds
                    .assign_public(&mut region, instances, &self.constants)
            },
        )?;
        // Phase 0: the chip's copies of the matrix entries.
        let layout = layouter.assign_region(
            || "freivalds values (phase 0)",
            |mut region| {
                config.freivalds.assign_values(
                    &mut region,
                    head,
                    &self.products,
                    &self.one,
                    &self.zero,
                )
            },
        )?;
        // Phase 0: the requantisation blocks, at the bottom of the usable rows (their place
        // depends only on k and the spec, never on a witness), below both the Freivalds rows in
        // `val` and halo2-base's lookup cells in the lookup column.
        let requant_links = match (&config.requant, self.requants.is_empty()) {
            (_, true) => Vec::new(),
            (None, false) => return Err(Error::Synthesis),
            (Some(chip), false) => {
                let rows = self.requant_rows();
                let lookups = self.builder.lookup_manager()[0].total_rows();
                let start = usable_rows.checked_sub(rows);
                match start {
                    Some(start) if start >= freivalds_end && start >= lookups => layouter
                        .assign_region(
                            || "requantisation (phase 0)",
                            |mut region| chip.assign(&mut region, start, &self.requants),
                        )?,
                    _ => {
                        return Err(Error::NotEnoughRowsAvailable {
                            current_k: self.builder.config_params.k as u32,
                        })
                    }
                }
            }
        };
        // Phase 1: the challenge exists only after the phase-0 advice is committed.
        layouter.next_phase();
        let poseidon_links = layouter.assign_region(
            || "freivalds checks and poseidon chains (phase 1)",
            |mut region| {
                config
                    .freivalds
                    .assign_public_acc(&mut region, instances, &self.constants);
                config
                    .freivalds
                    .assign_checks(&mut region, head, &self.products)?;
                config
                    .poseidon
                    .assign(&mut region, freivalds_end, &self.chains, &self.zero)
            },
        )?;

        // Copy constraints: halo2-base's own, plus chip cell == halo2-base cell for every link
        // (without these the chips would check products and hashes of values unrelated to the
        // ones that are range-checked, packed, requantised and made public), plus each
        // halo2-base constant cell == the `val` cell of its constant (in place of halo2-base's
        // copies to a fixed column, which has no equality here).
        if !witness_gen_only {
            let copy_manager = &self.builder.core().copy_manager;
            let constants = {
                let mut cm = copy_manager.lock().map_err(|_| Error::Synthesis)?;
                let links = layout.links.iter().chain(&poseidon_links);
                let links = links.chain(&requant_links).chain(&public.instance_links);
                for (value, raw) in links {
                    let external = cm.load_external_cell(*raw);
                    let cell = value.cell.ok_or(Error::Synthesis)?;
                    cm.advice_equalities.push((cell, external));
                }
                let constants = std::mem::take(&mut cm.constant_equalities);
                for (c, cell) in &constants {
                    let Some(raw) = public.constant_cells.get(c) else {
                        cm.constant_equalities = constants;
                        return Err(Error::Synthesis);
                    };
                    let external = cm.load_external_cell(*raw);
                    cm.advice_equalities.push((*cell, external));
                }
                constants
            };
            // With the constants taken out, halo2-base's manager needs no fixed column.
            let assigned = layouter.assign_region(
                || "copy constraints",
                |mut region| {
                    copy_manager.assign_raw(&Vec::new(), &mut region);
                    Ok(())
                },
            );
            // Keygen synthesizes twice (vk, then pk): the next pass needs the constants again.
            copy_manager
                .lock()
                .map_err(|_| Error::Synthesis)?
                .constant_equalities = constants;
            assigned?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
