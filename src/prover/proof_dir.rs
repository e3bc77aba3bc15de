//! The proof directory: `proof.bin` (raw proof), `instances.json` (the statement and its six
//! public instances) and `calldata.hex` (instances as 32-byte big-endian words, then the
//! proof: exactly the calldata the on-chain verifier takes).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{io_err, write_atomic, ProverError, Result};
use crate::circuit::accuracy::Statement;
use crate::commit::{fr_from_hex, fr_to_be_bytes, fr_to_hex};

/// A proof and the statement it proves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofDir {
    /// The public statement.
    pub statement: Statement,
    /// Raw proof bytes.
    pub proof: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct InstancesJson {
    chain_id: u64,
    contest_id: u64,
    submitter: String,
    model_commitment: String,
    testset_commitment: String,
    correct: u64,
    /// `[chainid, contestId, submitter, C, T, correct]` as field elements.
    instances: Vec<String>,
}

impl ProofDir {
    /// The verifier calldata: instances (32-byte big-endian words) then the proof.
    pub fn calldata(&self) -> Vec<u8> {
        let mut out: Vec<u8> = self
            .statement
            .instances()
            .iter()
            .flat_map(fr_to_be_bytes)
            .collect();
        out.extend_from_slice(&self.proof);
        out
    }

    /// Writes the three files into `dir` (created if missing), each atomically.
    pub fn write(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(io_err("creating", dir))?;
        let st = &self.statement;
        let j = InstancesJson {
            chain_id: st.chain_id,
            contest_id: st.contest_id,
            submitter: format!("0x{}", hex::encode(st.submitter)),
            model_commitment: fr_to_hex(&st.model_commitment),
            testset_commitment: fr_to_hex(&st.testset_commitment),
            correct: st.correct,
            instances: st.instances().iter().map(fr_to_hex).collect(),
        };
        let text = serde_json::to_vec_pretty(&j).map_err(|e| ProverError::Format {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })?;
        write_atomic(&dir.join("proof.bin"), |w| {
            std::io::Write::write_all(w, &self.proof)
        })?;
        write_atomic(&dir.join("instances.json"), |w| {
            std::io::Write::write_all(w, &text)
        })?;
        let hex = format!("0x{}\n", hex::encode(self.calldata()));
        write_atomic(&dir.join("calldata.hex"), |w| {
            std::io::Write::write_all(w, hex.as_bytes())
        })
    }

    /// Reads a proof directory; the instances listed must match the statement's fields.
    pub fn read(dir: &Path) -> Result<Self> {
        let ipath = dir.join("instances.json");
        let bad = |reason: String| ProverError::Format {
            path: ipath.display().to_string(),
            reason,
        };
        let text = std::fs::read(&ipath).map_err(io_err("reading", &ipath))?;
        let j: InstancesJson = serde_json::from_slice(&text).map_err(|e| bad(e.to_string()))?;
        let mut submitter = [0u8; 20];
        hex::decode_to_slice(
            j.submitter.strip_prefix("0x").unwrap_or(&j.submitter),
            &mut submitter,
        )
        .map_err(|e| bad(format!("submitter {:?}: {e}", j.submitter)))?;
        let fr = |name: &str, s: &str| fr_from_hex(s).map_err(|e| bad(format!("{name}: {e}")));
        let statement = Statement {
            chain_id: j.chain_id,
            contest_id: j.contest_id,
            submitter,
            model_commitment: fr("model_commitment", &j.model_commitment)?,
            testset_commitment: fr("testset_commitment", &j.testset_commitment)?,
            correct: j.correct,
        };
        let listed: Vec<String> = statement.instances().iter().map(fr_to_hex).collect();
        if listed != j.instances {
            return Err(bad(
                "the `instances` list does not match the statement's fields".into(),
            ));
        }
        let ppath = dir.join("proof.bin");
        let proof = std::fs::read(&ppath).map_err(io_err("reading", &ppath))?;
        if proof.is_empty() {
            return Err(ProverError::Format {
                path: ppath.display().to_string(),
                reason: "empty proof".into(),
            });
        }
        Ok(Self { statement, proof })
    }
}
