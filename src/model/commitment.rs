//! The model commitment `C` (`docs/PROTOCOL.md` §5).

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use halo2_base::halo2_proofs::halo2curves::ff::Field;
use rand::RngCore;

use super::{ModelError, QuantizedModel, Result};
use crate::commit::{fr_from_hex, pack_stream, Chain, StreamRange, MODEL_TAG};
use crate::spec::{QuantSpec, Spec};

/// The elements `C` absorbs: for each convolution `pack(K) ‖ pack(b)` (kernel flat in OIHW
/// order), then for each dense layer `pack(W_l) ‖ pack(b_l)`, then `pack(s)` (the
/// convolutions' shifts, then the dense layers'), then the salt. The model must already be
/// padded to the envelope. A winner reveals exactly these.
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
    for conv in model.convs() {
        let k: Vec<i128> = conv.weights().iter().map(|&v| i128::from(v)).collect();
        elems.extend(pack_stream(w_range, &k)?);
        let b: Vec<i128> = conv.biases().iter().map(|&v| i128::from(v)).collect();
        elems.extend(pack_stream(b_range, &b)?);
    }
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
    let shifts: Vec<i128> = model.shifts().into_iter().map(i128::from).collect();
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

/// The model's fingerprint: the chain's state after the packed weights, biases and shifts,
/// before the salt (`docs/PROTOCOL.md` §5) — the same for every salt. The registry records the
/// fingerprint of every revealed model and disqualifies another address revealing it from a
/// later commitment (a copy).
pub fn model_fingerprint(model: &QuantizedModel, spec: &Spec) -> Result<Fr> {
    let elems = model_elements(model, spec, Fr::ZERO)?;
    let mut c = Chain::new(fr_from_hex(MODEL_TAG)?);
    c.absorb_all(&elems[..elems.len() - 1]);
    Ok(c.state())
}

/// A salt drawn uniformly from the field.
pub fn random_salt(rng: impl RngCore) -> Fr {
    Fr::random(rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commit::chain;
    use crate::model::QuantizedLayer;

    /// The fingerprint is the chain before the salt: the same for every salt, and the commitment
    /// is that state's chain extended by the salt.
    #[test]
    fn fingerprint_is_the_chain_before_the_salt_for_any_salt() {
        let spec = Spec::from_toml_str(include_str!(
            "../../tests/fixtures/mini-contest/contest.toml"
        ))
        .expect("spec");
        // 64 -> 16 -> 10, the envelope's widths, small distinct weights.
        let layer = |inputs: usize, outputs: usize, k: i32| {
            let w = (0..inputs)
                .map(|i| {
                    (0..outputs)
                        .map(|j| ((i * 7 + j * 3) as i32 % 9 - 4 + k) as i8)
                        .collect()
                })
                .collect();
            QuantizedLayer::new(w, (0..outputs as i32).map(|j| j * 5 - k).collect(), 3)
                .expect("layer")
        };
        let model =
            QuantizedModel::new(&spec, vec![layer(64, 16, 1), layer(16, 10, 2)]).expect("model");
        let fp = model_fingerprint(&model, &spec).expect("fingerprint");
        for salt in [Fr::from(1), Fr::from(2), random_salt(rand::rngs::OsRng)] {
            let elems = model_elements(&model, &spec, salt).expect("elements");
            let mut c = Chain::new(fr_from_hex(MODEL_TAG).expect("tag"));
            c.absorb_all(&elems[..elems.len() - 1]);
            assert_eq!(c.state(), fp);
            c.absorb(salt);
            assert_eq!(
                c.finish(),
                model_commitment(&model, &spec, salt).expect("C")
            );
            assert_eq!(
                c.finish(),
                chain(fr_from_hex(MODEL_TAG).expect("tag"), &elems)
            );
        }
    }
}
