//! The model commitment `C` (`docs/PROTOCOL.md` §5).

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use rand::RngCore;

use super::{ModelError, QuantizedModel, Result};
use crate::commit::{fr_from_hex, pack_stream, Chain, StreamRange, MODEL_TAG};
use crate::spec::{QuantSpec, Spec};

/// The elements `C` absorbs: for each layer `pack(W_l) ‖ pack(b_l)`, then `pack(s)`, then the
/// salt. The model must already be padded to the envelope. A winner reveals exactly these.
pub fn model_elements(model: &QuantizedModel, spec: &Spec, salt: Fr) -> Result<Vec<Fr>> {
    if !model.fits_envelope(spec) {
        return Err(ModelError::Envelope(format!(
            "the committed model must be padded to the envelope {:?}, it has widths {:?}",
            spec.envelope.dims(),
            model.dims()
        )));
    }
    let w_range = StreamRange::new(
        i128::from(QuantSpec::WEIGHT_MIN),
        i128::from(QuantSpec::WEIGHT_MAX),
    )?;
    let b_range = StreamRange::new(
        i128::from(QuantSpec::BIAS_MIN),
        i128::from(QuantSpec::BIAS_MAX),
    )?;
    let s_range = StreamRange::new(0, i128::from(spec.quant.shift_max))?;
    let mut elems = Vec::new();
    for layer in model.layers() {
        let w: Vec<i128> = layer
            .weights()
            .iter()
            .flatten()
            .map(|&v| i128::from(v))
            .collect();
        elems.extend(pack_stream(w_range, &w)?);
        let b: Vec<i128> = layer.biases().iter().map(|&v| i128::from(v)).collect();
        elems.extend(pack_stream(b_range, &b)?);
    }
    let shifts: Vec<i128> = model
        .layers()
        .iter()
        .map(|l| i128::from(l.shift()))
        .collect();
    elems.extend(pack_stream(s_range, &shifts)?);
    elems.push(salt);
    Ok(elems)
}

/// `C = Chain(MODEL_TAG, model_elements(model, salt))`.
pub fn model_commitment(model: &QuantizedModel, spec: &Spec, salt: Fr) -> Result<Fr> {
    let mut c = Chain::new(fr_from_hex(MODEL_TAG)?);
    c.absorb_all(&model_elements(model, spec, salt)?);
    Ok(c.finish())
}

/// A salt drawn uniformly from the field.
pub fn random_salt(rng: impl RngCore) -> Fr {
    Fr::random(rng)
}
