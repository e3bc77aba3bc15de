//! `contest-cli create`: deploy the contest's verifier (and a registry if none is given),
//! then create and fund the contest.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::chain_args::{
    block_on, chain_failure, connect, contest_failure, parse_ether, progress, KeyArgs, RpcArgs,
};
use super::inputs::parse_address;
use super::{Failure, Outcome};
use crate::chain::registry::Registry;
use crate::chain::types::Addr;
use crate::contest::organiser::{
    create, deploy_verifier, key_digests, side_key_dirs, CreateRequest, VerifierDeployment,
};
use crate::contest::spec_hash;
use crate::evm::compile::Solc;
use crate::prover::keys::ProofKind;
use crate::spec::{Spec, TestSet};

/// Arguments of `contest-cli create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Contest spec (`contest.toml` or its folder): envelope, threshold, phases, payout, bond.
    #[arg(long)]
    spec: PathBuf,
    /// The hidden test set (`.zkts`, exactly N rows); only its commitment `T` is published.
    #[arg(long)]
    testset: PathBuf,
    /// Key directory written by `contest-cli setup` for this spec (not with `--ceremony-secs`:
    /// the keys are made from the ceremony's final transcript by `ceremony finish`). Keys made
    /// with `setup --shared-model` create a contest with shared columns (docs/PROTOCOL.md
    /// §14.2.1): the model proof's verifier (from `KEYS/model`) and with `--shared-rows` the
    /// test-set proof's (`KEYS/testset`) are deployed too.
    #[arg(long, required_unless_present = "ceremony_secs")]
    keys: Option<PathBuf>,
    /// Run the contest's own powers-of-tau ceremony first: anyone may record contributions
    /// for at least this many seconds (at least 3600; two minutes are added for the transaction
    /// to be mined); then `contest-cli ceremony finish` builds the keys
    /// from the final transcript and fixes the verifier, and only then may anyone commit. The
    /// spec's commit phase follows the ceremony.
    #[arg(long, value_name = "SECS", conflicts_with_all = ["keys", "verifier"])]
    ceremony_secs: Option<u64>,
    /// Prize in ether, escrowed by the registry.
    #[arg(long)]
    prize: String,
    /// An existing ContestRegistry; without it a new one (and its PoseidonT3) is deployed.
    #[arg(long, env = "CONTEST_REGISTRY")]
    registry: Option<String>,
    /// A verifier you deployed yourself (rendered from `--keys`); without it one is rendered,
    /// compiled and deployed. The registry records its code hash either way, and every
    /// competitor's audit compares that code with the verifier it rebuilds from the spec and SRS.
    /// Not with shared-column keys (all three verifiers are deployed).
    #[arg(long)]
    verifier: Option<String>,
    /// solc executable taking `--standard-json` (solc 0.8.19).
    #[arg(long, env = "ZKCONTEST_SOLC", default_value = "scripts/solc")]
    solc: PathBuf,
    #[command(flatten)]
    rpc: RpcArgs,
    #[command(flatten)]
    key: KeyArgs,
}

impl CreateArgs {
    /// Deploys what is missing and creates the contest.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let spec = Spec::from_path(&self.spec).map_err(Failure::input)?;
        let testset = TestSet::from_path(&self.testset, &spec).map_err(Failure::input)?;
        let prize = parse_ether(&self.prize)?;
        let hash = spec_hash(&self.spec).map_err(contest_failure)?;
        let registry_addr = self.registry.as_deref().map(parse_address).transpose()?;
        let own_verifier = self.verifier.as_deref().map(parse_address).transpose()?;
        let (vk_digest, srs_digest) = match &self.keys {
            Some(keys) => key_digests(keys).map_err(contest_failure)?,
            None => ([0; 32], [0; 32]),
        };
        let sides = match &self.keys {
            Some(keys) => side_key_dirs(keys).map_err(contest_failure)?,
            None => None,
        };
        if sides.is_some() && own_verifier.is_some() {
            return Err(Failure::input(anyhow::anyhow!(
                "--verifier cannot be combined with shared-column keys: create deploys the shard, \
                 model and test-set verifiers together"
            )));
        }
        block_on(async {
            let client = connect(&self.rpc, &self.key).await?;
            let (registry, deployed) = match registry_addr {
                Some(a) => (
                    Registry::at(&client, Addr(a))
                        .await
                        .map_err(chain_failure)?,
                    None,
                ),
                None => {
                    progress("deploying PoseidonT3 and a ContestRegistry…");
                    let (r, d) = Registry::deploy(&client).await.map_err(chain_failure)?;
                    (r, Some(d))
                }
            };
            let verifier = match (own_verifier, &self.keys) {
                (_, None) => VerifierDeployment {
                    address: Addr([0; 20]),
                    runtime_bytes: 0,
                    deploy_gas: 0,
                },
                (Some(a), Some(_)) => {
                    let code = client.code(a).await.map_err(chain_failure)?;
                    VerifierDeployment {
                        address: Addr(a),
                        runtime_bytes: code.len(),
                        deploy_gas: 0,
                    }
                }
                (None, Some(keys)) => deploy_verifier(
                    &client,
                    (keys, ProofKind::Statement),
                    &Solc::new(&self.solc),
                    &progress,
                )
                .await
                .map_err(contest_failure)?,
            };
            let mut side_deployments = (None, None);
            if let Some((model, testset)) = &sides {
                let solc = Solc::new(&self.solc);
                let deploy = async |dir: &PathBuf, kind: ProofKind| {
                    let d = deploy_verifier(&client, (dir, kind), &solc, &progress)
                        .await
                        .map_err(contest_failure)?;
                    progress(&format!(
                        "{kind:?}-proof verifier at {} ({} bytes runtime, {} gas)",
                        d.address, d.runtime_bytes, d.deploy_gas
                    ));
                    Ok::<_, Failure>(d)
                };
                side_deployments.0 = Some(deploy(model, ProofKind::Model).await?);
                if let Some(dir) = testset {
                    side_deployments.1 = Some(deploy(dir, ProofKind::TestSet).await?);
                }
            }
            if self.ceremony_secs.is_none() {
                progress(&format!(
                    "verifier at {} ({} bytes runtime, {} gas)",
                    verifier.address, verifier.runtime_bytes, verifier.deploy_gas
                ));
            }
            let req = CreateRequest {
                spec: &spec,
                spec_hash: hash,
                testset: &testset,
                verifier: verifier.address,
                columns: side_deployments
                    .0
                    .as_ref()
                    .map(|m| (m.address, side_deployments.1.as_ref().map(|t| t.address))),
                vk_digest,
                srs_digest,
                prize,
                ceremony_secs: self.ceremony_secs,
            };
            let (id, config, tx) = create(&registry, &req).await.map_err(contest_failure)?;
            if json {
                println!(
                    "{}",
                    json!({
                        "registry": registry.address(),
                        "contest_id": id,
                        "verifier": self.ceremony_secs.is_none().then_some(&verifier),
                        "model_verifier": side_deployments.0,
                        "testset_verifier": side_deployments.1,
                        "ceremony_deadline": self.ceremony_secs
                            .map(|_| config.commit_deadline - spec.phases.commit_secs),
                        "registry_deployment": deployed.map(|d| json!({
                            "poseidon": Addr(d.poseidon.address), "poseidon_gas": d.poseidon.gas_used,
                            "registry_gas": d.registry.gas_used, "registry_runtime_bytes": d.registry.code_size })),
                        "config": config,
                        "prize_wei": prize,
                        "tx": tx,
                    })
                );
            } else {
                println!(
                    "contest {id} created in registry {} (prize {prize}, createContest {} gas)",
                    registry.address(),
                    tx.gas_used
                );
                if let Some(url) = &tx.explorer_url {
                    println!("  {url}");
                }
                if let Some(secs) = self.ceremony_secs {
                    println!(
                        "its ceremony takes contributions for {secs} s (`contest-cli ceremony \
                         contribute|record --contest {id}`); then `contest-cli ceremony finish` \
                         fixes the verifier and commits open"
                    );
                }
                println!(
                    "commit until {}, test set by {}, proofs by {}; threshold {}/{}",
                    config.commit_deadline,
                    config.test_set_deadline,
                    config.proof_deadline,
                    config.min_correct,
                    config.test_set_size
                );
            }
            Ok(Outcome::Success)
        })?
    }
}
