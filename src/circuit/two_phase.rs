//! A two-phase halo2 circuit: halo2-base's gates in phase 0 and a range lookup of our own (one
//! column whose every cell is looked up, shared by halo2-base's range chip and the chips), the
//! public instances and constants bound to the first rows of the Freivalds chip's `val` column by
//! a gate (`circuit::public`; halo2-base is configured without its own constants, instance and
//! lookup columns), plus the Freivalds chip whose second-phase columns use a challenge drawn after
//! phase 0, plus the Poseidon chip in the same three second-phase columns, below the Freivalds
//! rows, plus the features chip (`circuit::features`: the test set's features in the lookup
//! column below halo2-base's looked-up cells, its dot products below the Poseidon rows), plus
//! the requantisation chip in two phase-0 columns it shares (`val` and the lookup column), at the
//! bottom of the usable rows, plus, when a convolution is max-pooled, the pooled-requantisation
//! chip (`circuit::pooled`: a phase-0 column of its own and the lookup column, just above), plus,
//! in the shard, model and test-set proofs of a spec whose entries share them, the shared columns
//! (`circuit::model_column`: the model's, a shard's rows'), created before every other column.
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
use halo2_base::gates::circuit::{BaseCircuitParams, BaseConfig};
use halo2_base::halo2_proofs::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::plonk::{
    Advice, Circuit, Column, ConstraintSystem, Error, TableColumn,
};
use halo2_base::halo2_proofs::poly::Rotation;
use halo2_base::virtual_region::manager::VirtualRegionManager;
use halo2_base::AssignedValue;

use super::features::FeatureJob;
use super::freivalds::{FreivaldsConfig, Product};
use super::model_column::SharedColumn;
use super::pooled::{PooledConfig, PooledJob, PooledShape};
use super::poseidon::{PoseidonChain, PoseidonConfig};
use super::public::recorded_constants;
use super::requant::{BlockShape, RequantBounds, RequantConfig, RequantJob};

/// The range lookup: every cell of `look` is in `[0, 2^bits)`, the values of `table`.
#[derive(Clone, Copy, Debug)]
pub struct RangeLookup {
    /// The looked-up advice column (halo2-base's range-checked cells, the chips' limbs).
    pub look: Column<Advice>,
    /// The table: `0, 1, …, 2^bits − 1`.
    pub table: TableColumn,
    /// Lookup bits.
    pub bits: usize,
}

/// The rows each part of the circuit needs, in the columns they share: where they go is fixed
/// (`TwoPhaseCircuit::synthesize`), so whether they fit is one rule, for the planner too.
#[derive(Clone, Copy, Debug)]
pub struct RowBudget {
    /// The public rows and the Freivalds rows (`val` and the phase-1 columns, from row 0).
    pub head: usize,
    /// The Poseidon chip's rows (phase-1 columns, below `head`).
    pub poseidon: usize,
    /// The features chip's rows (phase-1 columns below the Poseidon rows, and as many cells of
    /// the lookup column below halo2-base's looked-up cells).
    pub features: usize,
    /// The requantisation blocks' rows (`val` and the lookup column, at the bottom).
    pub requant: usize,
    /// The pooled-requantisation blocks' rows (their own column and the lookup column, just
    /// above the requantisation blocks).
    pub pooled: usize,
    /// halo2-base's looked-up cells (the lookup column, from row 0).
    pub lookups: usize,
}

impl RowBudget {
    /// The first row of the requantisation blocks, if everything fits in `usable` rows (rows
    /// past them hold the blinding factors); the pooled blocks start `pooled` rows above it.
    pub fn requant_start(&self, usable: usize) -> Option<usize> {
        let start = usable.checked_sub(self.requant)?;
        let pooled_start = start.checked_sub(self.pooled)?;
        let fits = start >= self.head
            && pooled_start >= self.lookups + self.features
            && self.head + self.poseidon + self.features <= usable;
        fits.then_some(start)
    }
}

/// Columns of the two-phase circuit.
#[derive(Clone, Debug)]
pub struct TwoPhaseConfig {
    /// halo2-base flex gate (no constants, instance or lookup column of its own).
    pub base: BaseConfig<Fr>,
    /// The range lookup, which halo2-base's range chip and the chips share.
    pub range: Option<RangeLookup>,
    /// Freivalds chip.
    pub freivalds: FreivaldsConfig,
    /// Poseidon chip (in the Freivalds chip's phase-1 columns).
    pub poseidon: PoseidonConfig,
    /// Requantisation chip (in `val` and the lookup column); absent without lookups.
    pub requant: Option<RequantConfig>,
    /// Pooled-requantisation chip (its own column and the lookup column); only with lookups and
    /// a max-pooled convolution (`RequantBounds::pool_window`).
    pub pooled: Option<PooledConfig>,
    /// Rows usable for witnesses once every gate is known (halo2-base's own figure is taken
    /// before the chips add queries, and more queries per column mean more blinding rows).
    pub usable_rows: usize,
    /// The shared columns (`circuit::model_column`: the first advice columns; the model's,
    /// then a shard's rows', each if the circuit has it) and the first of halo2's unusable rows,
    /// which the prover's RNG fills.
    pub shared: (Vec<Column<Advice>>, usize),
}

/// The circuit's parameters: halo2-base's, and the spec bounds the requantisation gates are
/// built from.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct TwoPhaseParams {
    /// halo2-base configuration (k, columns, lookup bits).
    pub base: BaseCircuitParams,
    /// Sizes the requantisation blocks.
    pub requant: RequantBounds,
    /// Whether the circuit has the shared model column (`circuit::model_column`).
    #[serde(default)]
    pub shared_model: bool,
    /// Whether the circuit has a shard's rows in a shared column (`circuit::model_column`).
    #[serde(default)]
    pub shared_testset: bool,
}

/// Phase-0 witnesses (in `builder`) and the matrix products to check in phase 1.
#[derive(Clone, Debug)]
pub struct TwoPhaseCircuit {
    /// Every phase-0 cell, assigned through halo2-base contexts.
    pub builder: BaseCircuitBuilder<Fr>,
    /// The products (`Z = X·W + 1·bᵀ`, convolutions) to check, over cells of `builder`.
    pub products: Vec<Product>,
    /// The Poseidon chains (`C`, `T`) to prove, over cells of `builder`.
    pub chains: Vec<PoseidonChain>,
    /// The requantisations to prove, over cells of `builder`.
    pub requants: Vec<RequantJob>,
    /// The max-pooled values to prove (`circuit::pooled`), over cells of `builder`.
    pub pooled: Vec<PooledJob>,
    /// The test set's features, when the features chip range-checks and packs them
    /// (`circuit::features`); `None` when they are halo2-base cells.
    pub features: Option<FeatureJob>,
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
    /// The shared model column's content and links, in a shard or model proof of a spec whose
    /// entries prove the model once (`circuit::model_column`).
    pub model_column: Option<SharedColumn>,
    /// The shard's rows in a shared column, in a shard or test-set proof of a spec whose shards'
    /// rows are opened once per contest (`circuit::model_column`); a shard proof's first layer
    /// reads its features from the column's cells.
    pub testset_column: Option<SharedColumn>,
}

impl TwoPhaseCircuit {
    /// Rows of `val` above the Freivalds chip: the public instances, then the constants.
    pub fn public_rows(&self) -> usize {
        let instances = self.builder.assigned_instances.first().map_or(0, Vec::len);
        instances + self.constants.len()
    }

    /// Rows the Freivalds chip needs (the circuit needs at least this many usable rows).
    pub fn freivalds_rows(&self) -> usize {
        self.products.iter().map(Product::rows).sum()
    }

    /// Rows the requantisation chip needs (at the bottom of the usable rows).
    pub fn requant_rows(&self) -> usize {
        let bits = self.builder.config_params.lookup_bits.unwrap_or(1);
        self.requants.len() * BlockShape::new(bits, self.requant_bounds).rows()
    }

    /// Rows the pooled-requantisation chip needs (above the requantisation chip's).
    pub fn pooled_rows(&self) -> usize {
        let bits = self.builder.config_params.lookup_bits.unwrap_or(1);
        let shape = PooledShape {
            block: BlockShape::new(bits, self.requant_bounds),
            window: self.requant_bounds.pool_window,
        };
        self.pooled.len() * shape.rows()
    }

    /// Rows the Poseidon chip needs (below the Freivalds rows).
    pub fn poseidon_rows(&self) -> usize {
        self.chains.iter().map(PoseidonChain::rows).sum()
    }

    /// Rows the features chip needs, in the lookup column (below halo2-base's lookups) and in
    /// the phase-1 columns (below the Poseidon rows).
    pub fn feature_rows(&self) -> usize {
        self.features.as_ref().map_or(0, FeatureJob::rows)
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
            shared_model: self.model_column.is_some(),
            shared_testset: self.testset_column.is_some(),
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
            shared_model,
            shared_testset,
        } = params;
        let (k, lookup_bits) = (params.k, params.lookup_bits);
        // The shared columns are created first: they must be the first phase-0 advice columns,
        // whose blinding rows halo2 draws first (`circuit::model_column`).
        let shared: Vec<Column<Advice>> = [shared_model, shared_testset]
            .into_iter()
            .filter(|&on| on)
            .map(|_| {
                let column = meta.advice_column();
                meta.enable_equality(column);
                column
            })
            .collect();
        // halo2-base without its constants and instance columns: they would take part in the
        // permutation argument (`circuit::public` binds both with a gate instead). Nor with its
        // range config: with a single advice column halo2-base looks that column up behind a
        // selector and makes no lookup column, but the chips need a column whose every cell is
        // looked up. So the lookup is ours, and halo2-base's range chip (which only records the
        // cells to look up) is laid out into it in `synthesize`.
        let base = BaseConfig::configure(
            meta,
            BaseCircuitParams {
                num_fixed: 0,
                num_instance_columns: 0,
                num_lookup_advice_per_phase: Vec::new(),
                lookup_bits: None,
                ..params
            },
        );
        let range = lookup_bits.map(|bits| {
            let table = meta.lookup_table_column();
            let look = meta.advice_column();
            meta.enable_equality(look);
            meta.lookup("range", |m| {
                vec![(m.query_advice(look, Rotation::cur()), table)]
            });
            RangeLookup { look, table, bits }
        });
        let (cst, instance) = (meta.fixed_column(), meta.instance_column());
        let freivalds = FreivaldsConfig::configure(meta, cst, instance);
        let poseidon = PoseidonConfig::configure(meta, freivalds.phase1_columns(), cst);
        // With pooled blocks, both kinds of block share a phase-0 column of their own, whose
        // rotations they share (each opening is verifier code, which EIP-170 caps); `val` then
        // keeps only the Freivalds chip's rows. Without, the requantisation blocks use `val`.
        let blocks = range.filter(|_| bounds.pool_window > 0).map(|_| {
            let column = meta.advice_column();
            meta.enable_equality(column);
            column
        });
        let block_column = blocks.unwrap_or(freivalds.value_column());
        let requant = range.map(|r| {
            let shape = BlockShape::new(r.bits, bounds);
            RequantConfig::configure(meta, block_column, r.look, shape)
        });
        let pooled = range.zip(blocks).map(|(r, column)| {
            let shape = PooledShape {
                block: BlockShape::new(r.bits, bounds),
                window: bounds.pool_window,
            };
            PooledConfig::configure(meta, column, r.look, shape, bounds.activation_max)
        });
        TwoPhaseConfig {
            base,
            range,
            freivalds,
            poseidon,
            requant,
            pooled,
            usable_rows: (1usize << k).saturating_sub(meta.minimum_rows()),
            shared: (shared, (1usize << k) - (meta.blinding_factors() + 1)),
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
        let gate = config.base.gate();
        let usable_rows = gate.max_rows.min(config.usable_rows);
        let head = self.public_rows();
        let freivalds_end = head + self.freivalds_rows();
        let lookups = self.builder.lookup_manager()[0].total_rows();
        // Rows past `usable_rows` hold the blinding factors; using them would break zero
        // knowledge and completeness. The requantisation blocks go at the bottom of the usable
        // rows (their place depends only on k and the spec, never on a witness), below both the
        // Freivalds rows in `val` and, in the lookup column, halo2-base's looked-up cells and
        // the features chip's cells; the features chip's phase-1 rows go below the Poseidon
        // chip's.
        let rows = RowBudget {
            head: freivalds_end,
            poseidon: self.poseidon_rows(),
            features: self.feature_rows(),
            requant: self.requant_rows(),
            pooled: self.pooled_rows(),
            lookups,
        };
        let Some(requant_start) = rows.requant_start(usable_rows) else {
            return Err(Error::NotEnoughRowsAvailable {
                current_k: self.builder.config_params.k as u32,
            });
        };
        if (lookups > 0 || self.features.is_some() || !self.requants.is_empty())
            && config.range.is_none()
        {
            return Err(Error::Synthesis);
        }
        let pooled_start = requant_start - rows.pooled;

        // Phase 0: the range table, halo2-base's virtual region and the cells it looks up.
        if let Some(range) = config.range {
            layouter.assign_table(
                || "range table",
                |mut table| {
                    for i in 0..1usize << range.bits {
                        table.assign_cell(
                            || "range table",
                            range.table,
                            i,
                            || Value::known(Fr::from(i as u64)),
                        )?;
                    }
                    Ok(())
                },
            )?;
        }
        layouter.assign_region(
            || "halo2-base (phase 0)",
            |mut region| {
                self.builder.core().phase_manager[0]
                    .assign_raw(&(gate.basic_gates[0].clone(), usable_rows), &mut region);
                if let Some(range) = config.range {
                    self.builder.lookup_manager()[0].assign_raw(&vec![[range.look]], &mut region);
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
        // Phase 0: the features and their scaled copies, below halo2-base's looked-up cells.
        let features = match (&self.features, config.range) {
            (Some(job), Some(range)) => layouter.assign_region(
                || "features (phase 0)",
                |mut region| Ok(job.assign_lookups(&mut region, range.look, lookups)),
            )?,
            _ => Default::default(),
        };
        // Phase 0: the shared columns (the model's, a shard's rows'), in the order configure made
        // them; a shard's features are then the cells the first layer's products copy.
        let (columns, unusable_start) = &config.shared;
        let shared: Vec<&SharedColumn> = self
            .model_column
            .iter()
            .chain(&self.testset_column)
            .collect();
        if shared.len() != columns.len() {
            return Err(Error::Synthesis);
        }
        let mut shared_links = Vec::new();
        let mut testset_cells = Vec::new();
        for (content, column) in shared.into_iter().zip(columns) {
            let (links, cells) = layouter.assign_region(
                || "shared column (phase 0)",
                |mut region| {
                    let n = 1usize << self.builder.config_params.k;
                    content.assign(&mut region, *column, n, *unusable_start)
                },
            )?;
            shared_links.extend(links);
            testset_cells = cells;
        }
        let raw_features = match (&self.features, &self.testset_column) {
            (Some(_), Some(_)) => return Err(Error::Synthesis),
            (Some(_), None) => &features.0,
            (None, Some(_)) => &testset_cells,
            (None, None) => &features.0,
        };
        // Phase 0: the chip's copies of the matrix entries.
        let layout = layouter.assign_region(
            || "freivalds values (phase 0)",
            |mut region| {
                config.freivalds.assign_values(
                    &mut region,
                    head,
                    &self.products,
                    (&self.one, &self.zero),
                    raw_features,
                )
            },
        )?;
        // Phase 0: the requantisation blocks.
        let requant_links = match (&config.requant, self.requants.is_empty()) {
            (_, true) => Vec::new(),
            (None, false) => return Err(Error::Synthesis),
            (Some(chip), false) => layouter.assign_region(
                || "requantisation (phase 0)",
                |mut region| chip.assign(&mut region, requant_start, &self.requants),
            )?,
        };
        // Phase 0: the pooled-requantisation blocks.
        let pooled_links = match (&config.pooled, self.pooled.is_empty()) {
            (_, true) => Vec::new(),
            (None, false) => return Err(Error::Synthesis),
            (Some(chip), false) => layouter.assign_region(
                || "pooled requantisation (phase 0)",
                |mut region| chip.assign(&mut region, pooled_start, &self.pooled),
            )?,
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
                let poseidon_end = freivalds_end + self.poseidon_rows();
                let packed = match &self.features {
                    Some(job) => job.assign_checks(
                        &config.freivalds,
                        &mut region,
                        poseidon_end,
                        (&features.0, &features.1),
                        &public.constant_cells,
                    )?,
                    None => Vec::new(),
                };
                config.poseidon.assign(
                    &mut region,
                    freivalds_end,
                    &self.chains,
                    &self.zero,
                    &packed,
                )
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
                let links = links.chain(&requant_links).chain(&pooled_links);
                let links = links.chain(&shared_links);
                let links = links.chain(&public.instance_links);
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
pub(crate) mod tests;
