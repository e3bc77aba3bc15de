//! A competitor's secrets for one contest, kept on disk before anything is sent.
//!
//! `<state root>/<chain id>/<registry>/<contest id>/<competitor>/` holds `state.json` (every
//! salt ever committed with, newest last, and the commitment each gives), a copy of each
//! committed ONNX model (and calibration file) so a later edit of the user's file cannot
//! strand a commitment, and the proof directory once proved. Every write is atomic (temp file,
//! fsync, rename) and happens *before* the transaction that depends on it: a process killed
//! at any point leaves either no secret (nothing was sent) or a secret that a rerun reuses.
//! Entries are only ever appended, never removed (no data lost).

use std::path::{Path, PathBuf};

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use serde::{Deserialize, Serialize};
use sha3::{Digest, Keccak256};

use super::{ContestError, Result};
use crate::chain::types::Addr;
use crate::commit::{fr_from_hex, fr_to_hex};
use crate::prover::write_atomic;

/// Format version of `state.json`.
pub const STATE_VERSION: u32 = 1;

/// Which contest a state directory belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContestRef {
    /// Chain id.
    pub chain_id: u64,
    /// Registry address, `0x…`.
    pub registry: String,
    /// Contest id.
    pub contest_id: u64,
    /// The competitor's address, `0x…`.
    pub competitor: String,
}

/// One commitment's secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secret {
    /// `C`, `0x…`.
    pub commitment: String,
    /// The salt, `0x…`. Secret until the model is revealed.
    pub salt: String,
    /// The committed ONNX file, copied into the state directory (file name).
    pub model_file: String,
    /// keccak-256 of the ONNX bytes, `0x…`.
    pub model_keccak: String,
    /// The calibration rows used for quantisation, copied (file name), if any.
    pub calibration_file: Option<String>,
    /// keccak-256 of the calibration file, if any.
    pub calibration_keccak: Option<String>,
    /// Unix time when stored.
    pub stored_at: u64,
}

impl Secret {
    /// The salt as a field element.
    pub fn salt(&self) -> Result<Fr> {
        fr_from_hex(&self.salt).map_err(|e| ContestError::State(format!("bad salt: {e}")))
    }

    /// The commitment as a field element.
    pub fn commitment(&self) -> Result<Fr> {
        fr_from_hex(&self.commitment)
            .map_err(|e| ContestError::State(format!("bad commitment: {e}")))
    }
}

/// `state.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateFile {
    /// [`STATE_VERSION`].
    pub version: u32,
    /// The contest.
    pub contest: ContestRef,
    /// Every secret committed with, oldest first.
    pub secrets: Vec<Secret>,
}

/// A competitor's state directory for one contest.
#[derive(Clone, Debug)]
pub struct StateDir {
    dir: PathBuf,
    contest: ContestRef,
}

impl StateDir {
    /// The directory for `contest` under `root` (not created yet).
    pub fn new(root: &Path, chain_id: u64, registry: Addr, contest_id: u64, who: Addr) -> Self {
        let contest = ContestRef {
            chain_id,
            registry: registry.to_string(),
            contest_id,
            competitor: who.to_string(),
        };
        let dir = root
            .join(chain_id.to_string())
            .join(&contest.registry)
            .join(contest_id.to_string())
            .join(&contest.competitor);
        Self { dir, contest }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Where the proof for `commitment` is kept.
    pub fn proof_dir(&self, commitment: &Fr) -> PathBuf {
        self.dir.join(format!("proof-{}", short(commitment)))
    }

    /// Reads `state.json`; an empty state if there is none. A file for another contest, of
    /// another version, or unparsable is an error (never silently replaced).
    pub fn load(&self) -> Result<StateFile> {
        let path = self.dir.join("state.json");
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(StateFile {
                    version: STATE_VERSION,
                    contest: self.contest.clone(),
                    secrets: Vec::new(),
                })
            }
            Err(source) => return Err(ContestError::Io { path, source }),
        };
        let state: StateFile = serde_json::from_slice(&bytes).map_err(|e| {
            ContestError::State(format!("{} is not a valid state file: {e}", path.display()))
        })?;
        if state.version != STATE_VERSION || state.contest != self.contest {
            return Err(ContestError::State(format!(
                "{} belongs to {:?} (version {}), not to {:?}",
                path.display(),
                state.contest,
                state.version,
                self.contest
            )));
        }
        Ok(state)
    }

    /// The secret whose commitment is `c`.
    pub fn secret_for(&self, c: &Fr) -> Result<Option<Secret>> {
        let hex = fr_to_hex(c);
        Ok(self
            .load()?
            .secrets
            .into_iter()
            .rev()
            .find(|s| s.commitment == hex))
    }

    /// A stored secret for exactly these model (and calibration) bytes, if any.
    pub fn secret_for_model(
        &self,
        model: &[u8],
        calibration: Option<&[u8]>,
    ) -> Result<Option<Secret>> {
        let mk = keccak_hex(model);
        let ck = calibration.map(keccak_hex);
        Ok(self
            .load()?
            .secrets
            .into_iter()
            .rev()
            .find(|s| s.model_keccak == mk && s.calibration_keccak == ck))
    }

    /// Copies the model (and calibration) bytes in and appends a secret, durably, before the
    /// caller sends anything that depends on it.
    pub fn store(
        &self,
        commitment: &Fr,
        salt: &Fr,
        model: &[u8],
        calibration: Option<&[u8]>,
        now: u64,
    ) -> Result<Secret> {
        create_private_dir(&self.dir)?;
        let tag = short(commitment);
        let model_file = format!("model-{tag}.onnx");
        self.write(&model_file, model)?;
        let calibration_file = match calibration {
            Some(bytes) => {
                let name = format!("calibration-{tag}.zkts");
                self.write(&name, bytes)?;
                Some(name)
            }
            None => None,
        };
        let secret = Secret {
            commitment: fr_to_hex(commitment),
            salt: fr_to_hex(salt),
            model_file,
            model_keccak: keccak_hex(model),
            calibration_file,
            calibration_keccak: calibration.map(keccak_hex),
            stored_at: now,
        };
        let mut state = self.load()?;
        state.secrets.push(secret.clone());
        let text = serde_json::to_vec_pretty(&state)
            .map_err(|e| ContestError::State(format!("encoding state: {e}")))?;
        self.write("state.json", &text)?;
        Ok(secret)
    }

    /// The path of a file named in a secret.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(name);
        write_atomic(&path, |w| std::io::Write::write_all(w, bytes))
            .map_err(|e| ContestError::State(format!("writing {}: {e}", path.display())))?;
        restrict(&path)?;
        // The rename is durable only once the directory entry is.
        if let Ok(d) = std::fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// keccak-256 as `0x…`.
pub fn keccak_hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(Keccak256::digest(bytes)))
}

fn short(c: &Fr) -> String {
    fr_to_hex(c)[2..14].to_string()
}

fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| ContestError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    restrict_mode(dir, 0o700)
}

fn restrict(path: &Path) -> Result<()> {
    restrict_mode(path, 0o600)
}

#[cfg(unix)]
fn restrict_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|source| {
        ContestError::Io {
            path: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(not(unix))]
fn restrict_mode(_: &Path, _: u32) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(root: &Path, id: u64) -> StateDir {
        StateDir::new(root, 31337, Addr([1; 20]), id, Addr([2; 20]))
    }

    #[test]
    fn secrets_are_appended_found_and_never_lost() {
        let tmp = tempfile::tempdir().expect("tmp");
        let s = dir(tmp.path(), 1);
        assert!(s.load().expect("empty").secrets.is_empty());
        let (c1, c2) = (Fr::from(11), Fr::from(22));
        s.store(&c1, &Fr::from(5), b"model one", None, 100)
            .expect("store 1");
        s.store(&c2, &Fr::from(6), b"model two", Some(b"cal"), 200)
            .expect("store 2");
        let st = s.load().expect("load");
        assert_eq!(st.secrets.len(), 2);
        assert_eq!(
            s.secret_for(&c1)
                .expect("ok")
                .expect("c1")
                .salt()
                .expect("salt"),
            Fr::from(5)
        );
        let two = s
            .secret_for_model(b"model two", Some(b"cal"))
            .expect("ok")
            .expect("found");
        assert_eq!(two.commitment().expect("c"), c2);
        assert_eq!(
            std::fs::read(s.file(&two.model_file)).expect("copy"),
            b"model two"
        );
        // Same model bytes, different calibration: not the same secret.
        assert!(s
            .secret_for_model(b"model two", None)
            .expect("ok")
            .is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(s.path().join("state.json"))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "the salt file must be private");
        }
    }

    #[test]
    fn a_foreign_or_corrupt_state_file_is_refused() {
        let tmp = tempfile::tempdir().expect("tmp");
        let s = dir(tmp.path(), 1);
        s.store(&Fr::from(1), &Fr::from(2), b"m", None, 1)
            .expect("store");
        // Another contest's file moved here.
        let other = dir(tmp.path(), 2);
        std::fs::create_dir_all(other.path()).expect("mkdir");
        std::fs::copy(s.path().join("state.json"), other.path().join("state.json")).expect("cp");
        assert!(matches!(other.load(), Err(ContestError::State(_))));
        std::fs::write(s.path().join("state.json"), b"{ not json").expect("corrupt");
        let err = s.load().expect_err("corrupt");
        assert!(err.to_string().contains("state.json"), "{err}");
    }
}
