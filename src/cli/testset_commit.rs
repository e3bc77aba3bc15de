//! `contest-cli testset commit`: the test-set commitment `T` (`docs/PROTOCOL.md` §4).

use std::path::PathBuf;

use clap::Args;

use super::{Failure, Outcome};
use crate::commit::{chain, fr_from_hex, fr_to_hex, TESTSET_TAG};
use crate::spec::{testset_elements, Spec, TestSet};

/// Arguments of `contest-cli testset commit`.
#[derive(Debug, Args)]
pub struct TestsetCommitArgs {
    /// The contest spec (`contest.toml`, or its directory).
    #[arg(long)]
    spec: PathBuf,
    /// The test-set file (`.zkts`, docs/PROTOCOL.md §8); its row count must be the spec's
    /// `test_set.rows`.
    #[arg(long)]
    testset: PathBuf,
}

impl TestsetCommitArgs {
    /// Prints `T` as 0x-prefixed hex (with `--json`: `{"T", "rows", "elements"}`).
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let spec = Spec::from_path(&self.spec).map_err(Failure::input)?;
        let set = TestSet::from_path(&self.testset, &spec).map_err(Failure::input)?;
        let elems = testset_elements(&spec, &set).map_err(Failure::input)?;
        let t = chain(fr_from_hex(TESTSET_TAG).map_err(Failure::input)?, &elems);
        if json {
            let out = serde_json::json!({ "T": fr_to_hex(&t), "rows": set.len(), "elements": elems.len() });
            println!("{out}");
        } else {
            println!("{}", fr_to_hex(&t));
        }
        Ok(Outcome::Success)
    }
}
