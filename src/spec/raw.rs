//! The spec as written: every field optional so that a missing one is reported with its full
//! path by `validate`, unknown fields rejected by serde.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSpec {
    pub schema_version: Option<i64>,
    pub name: Option<String>,
    pub task: Option<String>,
    pub classes: Option<i64>,
    pub class_labels: Option<Vec<String>>,
    pub input: Option<RawInput>,
    pub envelope: Option<RawEnvelope>,
    pub quantisation: Option<RawQuant>,
    pub test_set: Option<RawTestSet>,
    pub payout: Option<RawPayout>,
    pub phases: Option<RawPhases>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInput {
    pub features: Option<i64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub scale: Option<f64>,
    pub columns: Option<Vec<RawColumn>>,
    pub shape: Option<Vec<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawColumn {
    pub name: Option<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub scale: Option<f64>,
    pub zero_point: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEnvelope {
    pub layers: Option<Vec<RawLayer>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLayer {
    pub kind: Option<String>,
    pub max_width: Option<i64>,
    pub activation: Option<String>,
    pub channels: Option<i64>,
    pub kernel: Option<i64>,
    pub stride: Option<i64>,
    pub padding: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuant {
    pub weight_bits: Option<i64>,
    pub bias_bits: Option<i64>,
    pub shift_max: Option<i64>,
    pub activation_max: Option<i64>,
    pub logit_bits: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTestSet {
    pub rows: Option<i64>,
    pub threshold_bps: Option<i64>,
    pub shards: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPayout {
    pub split_bps: Option<Vec<i64>>,
    pub commit_bond_wei: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPhases {
    pub commit_secs: Option<i64>,
    pub test_set_reveal_secs: Option<i64>,
    pub prove_secs: Option<i64>,
    pub model_reveal_secs: Option<i64>,
}
