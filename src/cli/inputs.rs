//! Parsing and loading shared by several subcommands.

use std::path::Path;

use anyhow::{anyhow, Context as _};
use halo2_base::halo2_proofs::halo2curves::bn256::Fr;

use super::Failure;
use crate::commit::fr_from_hex;
use crate::model::QuantizedModel;
use crate::spec::Spec;

/// ONNX → padded → quantised (`contest::competitor::quantised_model`), as a CLI input.
pub fn quantised_model(
    spec: &Spec,
    model: &Path,
    calibration: Option<&Path>,
) -> Result<QuantizedModel, Failure> {
    crate::contest::competitor::quantised_model(spec, model, calibration).map_err(Failure::input)
}

/// A `0x…` field element (a salt).
pub fn parse_fr(s: &str) -> Result<Fr, Failure> {
    fr_from_hex(s).map_err(|e| Failure::input(anyhow!("{e}")))
}

/// A `0x…` 20-byte address.
pub fn parse_address(s: &str) -> Result<[u8; 20], Failure> {
    let digits = s.strip_prefix("0x").unwrap_or(s);
    let mut out = [0u8; 20];
    hex::decode_to_slice(digits, &mut out)
        .with_context(|| format!("invalid address {s:?}: expected 0x followed by 40 hex digits"))
        .map_err(Failure::input)?;
    Ok(out)
}
