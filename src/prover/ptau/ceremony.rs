//! A contest's own powers-of-tau ceremony on snarkjs `.ptau` files: [`contribute`] (what
//! `snarkjs powersoftau contribute` does) and [`verify_ceremony`] (what `snarkjs powersoftau
//! verify` checks of the powers and of every contribution).
//!
//! # Format of a contribution (section 7, snarkjs `src/powersoftau_utils.js`)
//! A count `u32`, then per contribution: its tauG1[1], tauG2[1], alphaG1, betaG1, betaG2
//! (Montgomery "LEM" points, as in the other sections); its public key: `g1_s, g1_sx` for tau,
//! alpha and beta, then `g2_spx` for tau, alpha and beta (LEM); the 216-byte blake2b state of
//! its response hash stopped before the key ([`super::partial_hash`]); the next challenge
//! (64 bytes); the type `u32` (0 a contribution, 1 a beacon); a parameters length `u32` and
//! the parameters (1: the name, at most 64 UTF-16 units, as length byte and UTF-8).
//!
//! # Hashes
//! The *response hash* of a contribution is blake2b-512 of the previous challenge, the new
//! points of sections 2–6 compressed, and the public key uncompressed: what snarkjs prints as
//! "Contribution Response Hash" and what a contributor looks for. The *next challenge* is
//! blake2b-512 of the response hash and the new points uncompressed. The first challenge is
//! the hash of the empty string followed by the untouched (tau = 1) points.
//!
//! The whole file is held in memory (about 320 bytes per power of two of the ceremony), so
//! [`MAX_CEREMONY_POWER`] bounds what is accepted.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use halo2_base::halo2_proofs::halo2curves::bn256::{G1Affine, G2Affine, G2};
use halo2_base::halo2_proofs::halo2curves::group::cofactor::CofactorGroup;
use halo2_base::halo2_proofs::halo2curves::serde::SerdeObject;

use super::partial_hash::{Blake2b512, PARTIAL_HASH_LEN};
use super::{
    contribution_name, key_uncompressed, unique_section, Cursor, Opened, ParseError,
    PtauContribution, Section, G1_BYTES, G2_BYTES,
};
use crate::prover::{io_err, write_atomic, ProverError, Result};

mod contribute;
mod verify;

pub use contribute::{contribute, format_hash, ContributionReceipt};
pub use verify::{
    verify_ceremony, verify_ceremony_cached, CeremonyProblem, CeremonyReport, ContributionCheck,
};

/// The largest ceremony power handled (the file is held in memory: 2^20 is about 340 MB).
pub const MAX_CEREMONY_POWER: u32 = 20;

/// Bytes of a contribution's points (tauG1, tauG2, alphaG1, betaG1, betaG2).
const RECORD_POINTS: usize = 3 * G1_BYTES + 2 * G2_BYTES;
/// Bytes of a public key (6 G1, 3 G2).
const KEY_BYTES: usize = 6 * G1_BYTES + 3 * G2_BYTES;
/// Offset of the partial hash in a record.
const PARTIAL_AT: usize = RECORD_POINTS + KEY_BYTES;
/// Offset of the next challenge in a record.
const CHALLENGE_AT: usize = PARTIAL_AT + PARTIAL_HASH_LEN;
/// Bytes of a record before its parameters.
const RECORD_FIXED: usize = CHALLENGE_AT + 64 + 4 + 4;

/// The names of the point sections 2–6, as errors and reports show them.
const SECTION_NAMES: [&str; 5] = [
    "section 2 (tauG1)",
    "section 3 (tauG2)",
    "section 4 (alphaTauG1)",
    "section 5 (betaTauG1)",
    "section 6 (betaG2)",
];

/// A `.ptau` file in memory: the header, the raw point sections 2–6 and the contributions.
struct PtauFile {
    power: u32,
    ceremony_power: u32,
    /// Sections 2..=6, raw (LEM points).
    sections: [Vec<u8>; 5],
    records: Vec<Record>,
    /// Whether it has the phase-2 (Lagrange) sections 12–15.
    prepared: bool,
}

/// The numbers of points in sections 2–6 at `power`.
fn section_points(power: u32) -> [usize; 5] {
    let n = 1usize << power;
    [2 * n - 1, n, n, n, 1]
}

/// One contribution record, raw, with what is read from it without curve checks.
pub(super) struct Record {
    raw: Vec<u8>,
    /// 0 a contribution, 1 a beacon.
    kind: u32,
    pub(super) name: String,
    /// The response hash, when the key's coordinates are field elements.
    pub(super) response_hash: Option<[u8; 64]>,
}

/// One of the three keys of a contribution: `g1_sx = x·g1_s`, `g2_spx = x·g2_sp`.
#[derive(Clone, Copy)]
struct KeyPart {
    g1_s: G1Affine,
    g1_sx: G1Affine,
    g2_spx: G2Affine,
}

/// The points of a contribution record.
#[derive(Clone, Copy)]
struct RecordPoints {
    tau_g1: G1Affine,
    tau_g2: G2Affine,
    alpha_g1: G1Affine,
    beta_g1: G1Affine,
    beta_g2: G2Affine,
    /// tau, alpha, beta.
    key: [KeyPart; 3],
}

impl Record {
    fn next_challenge(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out.copy_from_slice(&self.raw[CHALLENGE_AT..CHALLENGE_AT + 64]);
        out
    }

    /// The record's points, each on its curve and the G2 ones in the order-r subgroup.
    fn points(&self) -> std::result::Result<RecordPoints, String> {
        let raw = &self.raw;
        let g1 = |at: usize, what: &str| {
            G1Affine::from_raw_bytes(&raw[at..at + G1_BYTES])
                .ok_or_else(|| format!("{what} is not a point of BN254's G1"))
        };
        let g2 = |at: usize, what: &str| {
            let p = G2Affine::from_raw_bytes(&raw[at..at + G2_BYTES])
                .ok_or_else(|| format!("{what} is not a point of BN254's G2 twist"))?;
            if bool::from(G2::from(p).is_torsion_free()) {
                Ok(p)
            } else {
                Err(format!("{what} is not in the order-r subgroup of G2"))
            }
        };
        let k = RECORD_POINTS;
        let names = ["tau", "alpha", "beta"];
        let mut key = [KeyPart {
            g1_s: G1Affine::default(),
            g1_sx: G1Affine::default(),
            g2_spx: G2Affine::default(),
        }; 3];
        for (i, part) in key.iter_mut().enumerate() {
            let at = k + 2 * i * G1_BYTES;
            part.g1_s = g1(at, &format!("key {}.g1_s", names[i]))?;
            part.g1_sx = g1(at + G1_BYTES, &format!("key {}.g1_sx", names[i]))?;
            part.g2_spx = g2(
                k + 6 * G1_BYTES + i * G2_BYTES,
                &format!("key {}.g2_spx", names[i]),
            )?;
        }
        Ok(RecordPoints {
            tau_g1: g1(0, "tauG1")?,
            tau_g2: g2(G1_BYTES, "tauG2")?,
            alpha_g1: g1(G1_BYTES + G2_BYTES, "alphaG1")?,
            beta_g1: g1(2 * G1_BYTES + G2_BYTES, "betaG1")?,
            beta_g2: g2(3 * G1_BYTES + G2_BYTES, "betaG2")?,
            key,
        })
    }
}

/// snarkjs `writeContribution` for a new contribution (type 0).
fn encode_record(
    points: &RecordPoints,
    partial: &[u8; PARTIAL_HASH_LEN],
    next_challenge: &[u8; 64],
    name: &str,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(RECORD_FIXED + 2 + 256);
    out.extend_from_slice(&points.tau_g1.to_raw_bytes());
    out.extend_from_slice(&points.tau_g2.to_raw_bytes());
    out.extend_from_slice(&points.alpha_g1.to_raw_bytes());
    out.extend_from_slice(&points.beta_g1.to_raw_bytes());
    out.extend_from_slice(&points.beta_g2.to_raw_bytes());
    out.extend_from_slice(&key_lem(&points.key));
    out.extend_from_slice(partial);
    out.extend_from_slice(next_challenge);
    out.extend_from_slice(&0u32.to_le_bytes());
    let name = snarkjs_name(name);
    if name.is_empty() {
        out.extend_from_slice(&0u32.to_le_bytes());
    } else {
        // At most 64 UTF-16 units of at most 3 UTF-8 bytes each (a surrogate pair, 2 units,
        // takes 4): the length fits in its byte.
        out.extend_from_slice(&(2 + name.len() as u32).to_le_bytes());
        out.push(1);
        out.push(name.len() as u8);
        out.extend_from_slice(name.as_bytes());
    }
    out
}

/// The public key in the record's (Montgomery) layout.
fn key_lem(key: &[KeyPart; 3]) -> Vec<u8> {
    let mut out = Vec::with_capacity(KEY_BYTES);
    for part in key {
        out.extend_from_slice(&part.g1_s.to_raw_bytes());
        out.extend_from_slice(&part.g1_sx.to_raw_bytes());
    }
    for part in key {
        out.extend_from_slice(&part.g2_spx.to_raw_bytes());
    }
    out
}

/// The name as snarkjs stores it: `name.substring(0, 64)` (64 UTF-16 units; a surrogate pair
/// cut in half becomes U+FFFD, as `TextEncoder` writes a lone surrogate).
fn snarkjs_name(name: &str) -> String {
    let mut out = String::new();
    let mut units = 0;
    for c in name.chars() {
        let n = c.len_utf16();
        if units + n <= 64 {
            out.push(c);
        } else if units < 64 {
            out.push('\u{FFFD}');
        }
        units += n;
        if units >= 64 {
            break;
        }
    }
    out
}

/// Parses the contributions section into records (`readContributions`).
pub(super) fn parse_records(bytes: &[u8]) -> std::result::Result<Vec<Record>, ParseError> {
    let bad = |what: String| ParseError::Contributions(what);
    let mut cur = Cursor { bytes, pos: 0 };
    let count = cur
        .u32()
        .ok_or_else(|| bad("no contribution count".into()))?;
    if count as usize > bytes.len() / RECORD_FIXED {
        return Err(bad(format!(
            "{count} contributions in {} bytes (each takes at least {RECORD_FIXED})",
            bytes.len()
        )));
    }
    let mut out = Vec::with_capacity(count as usize);
    for index in 1..=count {
        let short = || bad(format!("contribution {index} is cut short"));
        let start = cur.pos;
        let fixed = cur.take(RECORD_FIXED).ok_or_else(short)?;
        let word = |at: usize| {
            u32::from_le_bytes([fixed[at], fixed[at + 1], fixed[at + 2], fixed[at + 3]])
        };
        let kind = word(CHALLENGE_AT + 64);
        let params_len = word(CHALLENGE_AT + 68) as usize;
        let params = cur.take(params_len).ok_or_else(short)?;
        let name =
            contribution_name(params).map_err(|e| bad(format!("contribution {index}: {e}")))?;
        let raw = bytes[start..cur.pos].to_vec();
        let mut partial = [0u8; PARTIAL_HASH_LEN];
        partial.copy_from_slice(&raw[PARTIAL_AT..CHALLENGE_AT]);
        let response_hash = Blake2b512::from_partial(&partial).and_then(|mut h| {
            let key = key_uncompressed(&raw[RECORD_POINTS..PARTIAL_AT]).ok()?;
            h.update(&key);
            Some(h.finalize())
        });
        out.push(Record {
            raw,
            kind,
            name,
            response_hash,
        });
    }
    if cur.pos != bytes.len() {
        return Err(bad(format!(
            "{} bytes after the last of {count} contributions",
            bytes.len() - cur.pos
        )));
    }
    Ok(out)
}

/// The contributions listed in the ceremony file at `path`, oldest first, read from section 7
/// alone: cheap at any power, and nothing is checked but the format (`verify_ceremony` checks
/// the contributions). A contribution whose key is not on the curve has an empty hash.
pub fn list_contributions(path: &Path) -> Result<Vec<PtauContribution>> {
    let shown = path.display().to_string();
    let malformed = |what: &str, expected: String, got: String| ProverError::PtauFormat {
        path: shown.clone(),
        what: what.to_string(),
        expected,
        got,
    };
    let Opened {
        mut file, sections, ..
    } = Opened::open(path, &malformed)?;
    Ok(read_records(&mut file, &sections, path, &malformed)?
        .iter()
        .enumerate()
        .map(|(i, r)| PtauContribution {
            index: i as u32 + 1,
            name: r.name.clone(),
            contribution_hash: r.response_hash.map(hex::encode).unwrap_or_default(),
        })
        .collect())
}

/// The contribution records of section 7 (bounded in size), parsed.
fn read_records(
    file: &mut File,
    sections: &[Section],
    path: &Path,
    malformed: &super::FormatErr<'_>,
) -> Result<Vec<Record>> {
    let section = unique_section(sections, 7, malformed)?;
    if section.size > super::MAX_CONTRIBUTIONS_BYTES {
        return Err(malformed(
            "section 7 (contributions) length",
            format!("at most {} bytes", super::MAX_CONTRIBUTIONS_BYTES),
            format!("{} bytes", section.size),
        ));
    }
    parse_records(&read_at(file, section, path)?).map_err(|e| e.into_error(path))
}

/// Reads the whole file: header, sections 2–7 (each exactly once, of the lengths snarkjs
/// writes), the contributions.
fn load(path: &Path) -> Result<PtauFile> {
    let shown = path.display().to_string();
    let malformed = |what: &str, expected: String, got: String| ProverError::PtauFormat {
        path: shown.clone(),
        what: what.to_string(),
        expected,
        got,
    };
    let Opened {
        mut file,
        sections,
        header,
        ..
    } = Opened::open(path, &malformed)?;
    let unique = |id: u32| unique_section(&sections, id, &malformed);
    if header.power > MAX_CEREMONY_POWER || header.ceremony_power > MAX_CEREMONY_POWER {
        return Err(ProverError::CeremonyTooLarge {
            path: shown,
            power: header.power.max(header.ceremony_power),
            max: MAX_CEREMONY_POWER,
        });
    }
    let sizes = section_points(header.power);
    let mut data: [Vec<u8>; 5] = Default::default();
    for (i, out) in data.iter_mut().enumerate() {
        let section = unique(i as u32 + 2)?;
        let point = if i == 1 || i == 4 { G2_BYTES } else { G1_BYTES };
        let expected = (sizes[i] * point) as u64;
        if section.size != expected {
            return Err(malformed(
                &format!("{} length", SECTION_NAMES[i]),
                format!("{expected} bytes ({} points of {point} bytes)", sizes[i]),
                format!("{} bytes", section.size),
            ));
        }
        *out = read_at(&mut file, section, path)?;
    }
    let records = read_records(&mut file, &sections, path, &malformed)?;
    Ok(PtauFile {
        power: header.power,
        ceremony_power: header.ceremony_power,
        sections: data,
        records,
        prepared: sections.iter().any(|s| s.id == 12),
    })
}

/// Reads a section's bytes (its size was checked against the file's length).
fn read_at(file: &mut File, section: Section, path: &Path) -> Result<Vec<u8>> {
    file.seek(SeekFrom::Start(section.start))
        .map_err(io_err("reading", path))?;
    let mut out = vec![0u8; section.size as usize];
    file.read_exact(&mut out).map_err(io_err("reading", path))?;
    Ok(out)
}

/// Writes a ptau file as `snarkjs powersoftau contribute` does: sections 1 to 7 in order.
fn write_ptau(path: &Path, power: u32, sections: &[Vec<u8>; 5], records: &[&[u8]]) -> Result<()> {
    write_atomic(path, |w| {
        w.write_all(b"ptau")?;
        w.write_all(&1u32.to_le_bytes())?;
        w.write_all(&7u32.to_le_bytes())?;
        // Header: n8, q, power, ceremonyPower (= power: one cannot contribute to a reduced file).
        w.write_all(&1u32.to_le_bytes())?;
        w.write_all(&super::HEADER_BYTES.to_le_bytes())?;
        w.write_all(&32u32.to_le_bytes())?;
        w.write_all(&BN254_Q_LE)?;
        w.write_all(&power.to_le_bytes())?;
        w.write_all(&power.to_le_bytes())?;
        for (i, data) in sections.iter().enumerate() {
            w.write_all(&(i as u32 + 2).to_le_bytes())?;
            w.write_all(&(data.len() as u64).to_le_bytes())?;
            w.write_all(data)?;
        }
        let size = 4 + records.iter().map(|r| r.len()).sum::<usize>();
        w.write_all(&7u32.to_le_bytes())?;
        w.write_all(&(size as u64).to_le_bytes())?;
        w.write_all(&(records.len() as u32).to_le_bytes())?;
        for r in records {
            w.write_all(r)?;
        }
        Ok(())
    })
}

/// BN254's base field modulus q, little-endian.
const BN254_Q_LE: [u8; 32] = {
    // 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47
    let be: [u8; 32] = [
        0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58,
        0x5d, 0x97, 0x81, 0x6a, 0x91, 0x68, 0x71, 0xca, 0x8d, 0x3c, 0x20, 0x8c, 0x16, 0xd8, 0x7c,
        0xfd, 0x47,
    ];
    let mut le = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        le[i] = be[31 - i];
        i += 1;
    }
    le
};

/// snarkjs `calculateFirstChallengeHash`: blake2b-512 of blake2b-512(""), then the points of a
/// fresh file (every power is the generator) uncompressed.
fn first_challenge(ceremony_power: u32) -> [u8; 64] {
    use super::keypair::{g1_uncompressed, g2_uncompressed};
    let g1 = g1_uncompressed(&G1Affine::generator());
    let g2 = g2_uncompressed(&G2Affine::generator());
    let empty = blake2b_simd::Params::new().hash_length(64).hash(b"");
    let mut h = blake2b_simd::Params::new().hash_length(64).to_state();
    h.update(empty.as_bytes());
    let n = section_points(ceremony_power);
    for (count, point) in n.iter().zip([&g1[..], &g2[..], &g1[..], &g1[..], &g2[..]]) {
        for _ in 0..*count {
            h.update(point);
        }
    }
    let mut out = [0u8; 64];
    out.copy_from_slice(h.finalize().as_bytes());
    out
}

#[cfg(test)]
mod tests;
