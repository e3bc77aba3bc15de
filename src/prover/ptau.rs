//! Import of snarkjs powers-of-tau (`.ptau`) files as halo2 KZG parameters.
//!
//! The public ceremonies (the Hermez/Polygon `powersOfTau28_hez_final_XX.ptau` files, the
//! perpetual powers of tau converted to `.ptau`) publish their result in snarkjs's format.
//! Their tau is unknown to everyone as long as one contributor was honest, unlike the
//! development SRS of [`super::srs`], whose generating machine saw tau.
//!
//! # Format
//! (snarkjs `src/powersoftau_new.js`, `src/powersoftau_utils.js`, `@iden3/binfileutils`; all
//! integers little-endian): the magic `ptau`, version `u32` (1), a section count `u32`, then
//! each section as id `u32`, length `u64`, data. Section 1, the header: `n8` (32 for BN254),
//! the base field prime `q` (`n8` bytes), `power`, `ceremonyPower`. Section 2, tauG1:
//! `2^(power+1) - 1` G1 points `tau^i·G1`; section 3, tauG2: `2^power` G2 points `tau^i·G2`;
//! sections 4–6: alpha and beta powers (Groth16 only, unused here); section 7: the
//! contributions; sections 12–15 of a "prepared" (phase 2) file: Lagrange forms (unused).
//! Points are affine, each coordinate `n8` bytes in Montgomery form, little-endian (snarkjs's
//! "LEM"); G2 coordinates are `c0` then `c1`. That is exactly halo2curves' `SerdeObject` raw
//! form, which the tests confirm on the generators.
//!
//! # What is checked
//! Every length before anything is allocated; the curve (BN254's `q`); every point used lies on
//! its curve, and the two G2 points in the r-torsion subgroup; `tauG1[0]` and `tauG2[0]` are the
//! generators; the first `2^k` G1 points are consecutive powers of the tau in `tauG2[1]` (one
//! pairing equation on random linear combinations); tau is neither 0 nor 1 (a file straight
//! from `snarkjs powersoftau new` has tau = 1). The contribution chain itself is not re-verified
//! here (that is [`ceremony::verify_ceremony`], or `snarkjs powersoftau verify`); the file's
//! blake2b-512 is compared with the hashes the Hermez ceremony published instead.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use halo2_base::halo2_proofs::arithmetic::best_multiexp;
use halo2_base::halo2_proofs::halo2curves::bn256::{
    pairing, Bn256, Fq, Fr, G1Affine, G2Affine, G2,
};
use halo2_base::halo2_proofs::halo2curves::ff::{Field, PrimeField};
use halo2_base::halo2_proofs::halo2curves::group::cofactor::CofactorGroup;
use halo2_base::halo2_proofs::halo2curves::group::prime::PrimeCurveAffine;
use halo2_base::halo2_proofs::halo2curves::serde::SerdeObject;
use halo2_base::halo2_proofs::poly::kzg::commitment::ParamsKZG;
use rand::rngs::OsRng;

use super::srs::MAX_SRS_K;
use super::{io_err, ProverError, Result};

mod cache;
pub mod ceremony;
mod keypair;
mod partial_hash;

pub use cache::read_ptau_cached;

/// The public ceremony files whose blake2b-512 hashes are published, as (file name, power,
/// hash). Copied from the snarkjs README (iden3/snarkjs, "7. Prepare phase 2": "Prepared
/// (phase2) Ptau files for bn128 with 54 contributions and a beacon"; the same table in the
/// README of the pinned npm package, tools/node_modules/snarkjs/README.md, version 0.7.6).
/// These are the Hermez/Polygon zkEVM files, served from storage.googleapis.com/zkevm/ptau/.
pub const HERMEZ_PTAU_HASHES: [(&str, u32, &str); 21] = [
    ("powersOfTau28_hez_final_08.ptau", 8, "d6a8fb3a04feb600096c3b791f936a578c4e664d262e4aa24beed1b7a9a96aa5eb72864d628db247e9293384b74b36ffb52ca8d148d6e1b8b51e279fdf57b583"),
    ("powersOfTau28_hez_final_09.ptau", 9, "94f108a80e81b5d932d8e8c9e8fd7f46cf32457e31462deeeef37af1b71c2c1b3c71fb0d9b59c654ec266b042735f50311f9fd1d4cadce47ab234ad163157cb5"),
    ("powersOfTau28_hez_final_10.ptau", 10, "6cfeb8cda92453099d20120bdd0e8a5c4e7706c2da9a8f09ccc157ed2464d921fd0437fb70db42104769efd7d6f3c1f964bcf448c455eab6f6c7d863e88a5849"),
    ("powersOfTau28_hez_final_11.ptau", 11, "47c282116b892e5ac92ca238578006e31a47e7c7e70f0baa8b687f0a5203e28ea07bbbec765a98dcd654bad618475d4661bfaec3bd9ad2ed12e7abc251d94d33"),
    ("powersOfTau28_hez_final_12.ptau", 12, "ded2694169b7b08e898f736d5de95af87c3f1a64594013351b1a796dbee393bd825f88f9468c84505ddd11eb0b1465ac9b43b9064aa8ec97f2b73e04758b8a4a"),
    ("powersOfTau28_hez_final_13.ptau", 13, "58efc8bf2834d04768a3d7ffcd8e1e23d461561729beaac4e3e7a47829a1c9066d5320241e124a1a8e8aa6c75be0ba66f65bc8239a0542ed38e11276f6fdb4d9"),
    ("powersOfTau28_hez_final_14.ptau", 14, "eeefbcf7c3803b523c94112023c7ff89558f9b8e0cf5d6cdcba3ade60f168af4a181c9c21774b94fbae6c90411995f7d854d02ebd93fb66043dbb06f17a831c1"),
    ("powersOfTau28_hez_final_15.ptau", 15, "982372c867d229c236091f767e703253249a9b432c1710b4f326306bfa2428a17b06240359606cfe4d580b10a5a1f63fbed499527069c18ae17060472969ae6e"),
    ("powersOfTau28_hez_final_16.ptau", 16, "6a6277a2f74e1073601b4f9fed6e1e55226917efb0f0db8a07d98ab01df1ccf43eb0e8c3159432acd4960e2f29fe84a4198501fa54c8dad9e43297453efec125"),
    ("powersOfTau28_hez_final_17.ptau", 17, "6247a3433948b35fbfae414fa5a9355bfb45f56efa7ab4929e669264a0258976741dfbe3288bfb49828e5df02c2e633df38d2245e30162ae7e3bcca5b8b49345"),
    ("powersOfTau28_hez_final_18.ptau", 18, "7e6a9c2e5f05179ddfc923f38f917c9e6831d16922a902b0b4758b8e79c2ab8a81bb5f29952e16ee6c5067ed044d7857b5de120a90704c1d3b637fd94b95b13e"),
    ("powersOfTau28_hez_final_19.ptau", 19, "bca9d8b04242f175189872c42ceaa21e2951e0f0f272a0cc54fc37193ff6648600eaf1c555c70cdedfaf9fb74927de7aa1d33dc1e2a7f1a50619484989da0887"),
    ("powersOfTau28_hez_final_20.ptau", 20, "89a66eb5590a1c94e3f1ee0e72acf49b1669e050bb5f93c73b066b564dca4e0c7556a52b323178269d64af325d8fdddb33da3a27c34409b821de82aa2bf1a27b"),
    ("powersOfTau28_hez_final_21.ptau", 21, "9aef0573cef4ded9c4a75f148709056bf989f80dad96876aadeb6f1c6d062391f07a394a9e756d16f7eb233198d5b69407cca44594c763ab4a5b67ae73254678"),
    ("powersOfTau28_hez_final_22.ptau", 22, "0d64f63dba1a6f11139df765cb690da69d9b2f469a1ddd0de5e4aa628abb28f787f04c6a5fb84a235ec5ea7f41d0548746653ecab0559add658a83502d1cb21b"),
    ("powersOfTau28_hez_final_23.ptau", 23, "3063a0bd81d68711197c8820a92466d51aeac93e915f5136d74f63c394ee6d88c5e8016231ea6580bec02e25d491f319d92e77f5c7f46a9caa8f3b53c0ea544f"),
    ("powersOfTau28_hez_final_24.ptau", 24, "fa404d140d5819d39984833ca5ec3632cd4995f81e82db402371a4de7c2eae8687c62bc632a95b0c6aadba3fb02680a94e09174b7233ccd26d78baca2647c733"),
    ("powersOfTau28_hez_final_25.ptau", 25, "0377d860cdb09a8a31ea1b0b8c04335614c8206357181573bf294c25d5ca7dff72387224fbd868897e6769f7805b3dab02854aec6d69d7492883b5e4e5f35eeb"),
    ("powersOfTau28_hez_final_26.ptau", 26, "418dee4a74b9592198bd8fd02ad1aea76f9cf3085f206dfd7d594c9e264ae919611b1459a1cc920c2f143417744ba9edd7b8d51e44be9452344a225ff7eead19"),
    ("powersOfTau28_hez_final_27.ptau", 27, "10ffd99837c512ef99752436a54b9810d1ac8878d368fb4b806267bdd664b4abf276c9cd3c4b9039a1fa4315a0c326c0e8e9e8fe0eb588ffd4f9021bf7eae1a1"),
    ("powersOfTau28_hez_final.ptau", 28, "55c77ce8562366c91e7cda394cf7b7c15a06c12d8c905e8b36ba9cf5e13eb37d1a429c589e8eaba4c591bc4b88a0e2828745a53e170eac300236f5c1a326f41a"),
];

/// What an imported `.ptau` file was.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PtauInfo {
    /// The file's power: it holds `2^power` powers of tau usable as an SRS.
    pub power: u32,
    /// The power of the ceremony it was cut from (`snarkjs powersoftau truncate`).
    pub ceremony_power: u32,
    /// The k of the parameters built from it.
    pub k: u32,
    /// blake2b-512 of the whole file, hex: the hash ceremonies publish (`b2sum FILE`).
    pub blake2b: String,
    /// The contributions recorded in the file, oldest first.
    pub contributions: Vec<PtauContribution>,
    /// The published ceremony file with this exact hash ([`HERMEZ_PTAU_HASHES`]), if any.
    pub recognised: Option<String>,
}

/// One contribution recorded in a `.ptau` file (section 7).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PtauContribution {
    /// 1-based position in the ceremony.
    pub index: u32,
    /// The name the contributor gave (`--name`); may be empty.
    pub name: String,
    /// The contribution's response hash, hex (blake2b-512): what `snarkjs powersoftau
    /// contribute` printed to the contributor, who can look for it here.
    pub contribution_hash: String,
}

/// A `.ptau` file opened for reading: its section table (lengths checked against the file's)
/// and its header (section 1, checked to be BN254's), shared by the import and the ceremony.
struct Opened {
    file: File,
    /// The file's length.
    len: u64,
    sections: Vec<Section>,
    header: Header,
}

/// What the sections hold, as errors show them.
fn section_name(id: u32) -> &'static str {
    match id {
        1 => "header",
        2 => "tauG1",
        3 => "tauG2",
        4 => "alphaTauG1",
        5 => "betaTauG1",
        6 => "betaG2",
        7 => "contributions",
        _ => "unknown",
    }
}

impl Opened {
    fn open(path: &Path, malformed: &FormatErr<'_>) -> Result<Self> {
        let mut file = File::open(path).map_err(io_err("opening", path))?;
        let len = file.metadata().map_err(io_err("reading", path))?.len();
        let sections = scan_sections(&mut BufReader::new(&mut file), len, malformed)
            .map_err(|e| e.into_error(path))?;
        let header_section = unique_section(&sections, 1, malformed)?;
        file.seek(SeekFrom::Start(header_section.start))
            .map_err(io_err("reading", path))?;
        let header = read_header(&mut file, header_section.size, malformed)
            .map_err(|e| e.into_error(path))?;
        Ok(Self {
            file,
            len,
            sections,
            header,
        })
    }

    /// The one section `id`; a file with none or several is malformed.
    fn unique(&self, id: u32, malformed: &FormatErr<'_>) -> Result<Section> {
        unique_section(&self.sections, id, malformed)
    }
}

fn unique_section(sections: &[Section], id: u32, malformed: &FormatErr<'_>) -> Result<Section> {
    let found: Vec<&Section> = sections.iter().filter(|s| s.id == id).collect();
    match found.as_slice() {
        [one] => Ok(**one),
        _ => Err(malformed(
            &format!("section {id} ({})", section_name(id)),
            "exactly one".into(),
            format!("{} of them", found.len()),
        )),
    }
}

/// Reads the `.ptau` file at `path` and builds halo2 KZG parameters of size `2^k` from its
/// first `2^k` powers of tau, after the checks listed in the module documentation.
///
/// The whole file is read once (to hash it); at most `2^k` G1 points are kept.
pub fn read_ptau(path: &Path, k: u32) -> Result<(ParamsKZG<Bn256>, PtauInfo)> {
    if !(1..=MAX_SRS_K).contains(&k) {
        return Err(ProverError::UnsupportedK { k, max: MAX_SRS_K });
    }
    let shown = path.display().to_string();
    let malformed = |what: &str, expected: String, got: String| ProverError::PtauFormat {
        path: shown.clone(),
        what: what.to_string(),
        expected,
        got,
    };

    let opened = Opened::open(path, &malformed)?;
    let tau_g1 = opened.unique(2, &malformed)?;
    let tau_g2 = opened.unique(3, &malformed)?;
    let contributions_section = opened.unique(7, &malformed)?;
    let Opened {
        mut file,
        len,
        header,
        ..
    } = opened;
    if header.power < k {
        return Err(ProverError::PtauTooSmall {
            path: shown,
            power: header.power,
            k,
        });
    }
    // Section lengths as snarkjs writes them (`powersoftau_new.js`, `powersoftau_truncate.js`).
    // power <= 63 (checked by `read_header`), so these fit in u128.
    let g1_expected = ((1u128 << (header.power + 1)) - 1) * G1_BYTES as u128;
    let g2_expected = (1u128 << header.power) * G2_BYTES as u128;
    if u128::from(tau_g1.size) != g1_expected {
        return Err(malformed(
            "section 2 (tauG1) length",
            format!(
                "{g1_expected} bytes (2^{} - 1 points of {G1_BYTES} bytes)",
                header.power + 1
            ),
            format!("{} bytes", tau_g1.size),
        ));
    }
    if u128::from(tau_g2.size) != g2_expected {
        return Err(malformed(
            "section 3 (tauG2) length",
            format!(
                "{g2_expected} bytes (2^{} points of {G2_BYTES} bytes)",
                header.power
            ),
            format!("{} bytes", tau_g2.size),
        ));
    }
    if contributions_section.size > MAX_CONTRIBUTIONS_BYTES {
        return Err(malformed(
            "section 7 (contributions) length",
            format!("at most {MAX_CONTRIBUTIONS_BYTES} bytes"),
            format!("{} bytes", contributions_section.size),
        ));
    }

    // One sequential pass over the whole file: hash everything, keep what is used.
    file.seek(SeekFrom::Start(0))
        .map_err(io_err("reading", path))?;
    let mut reader = HashingReader::new(BufReader::with_capacity(1 << 20, file));
    let mut wanted = [tau_g1, tau_g2, contributions_section];
    wanted.sort_by_key(|s| s.start);
    let n = 1usize << k;
    let (mut g, mut g2_points, mut contributions_bytes) = (Vec::new(), Vec::new(), Vec::new());
    for section in wanted {
        reader
            .skip_to(section.start)
            .map_err(io_err("reading", path))?;
        match section.id {
            2 => g = read_g1_points(&mut reader, n, &shown)?,
            3 => g2_points = read_g2_points(&mut reader, &shown)?,
            _ => {
                // Bounded by MAX_CONTRIBUTIONS_BYTES above.
                contributions_bytes = vec![0u8; section.size as usize];
                reader
                    .read_exact(&mut contributions_bytes)
                    .map_err(io_err("reading", path))?;
            }
        }
    }
    reader.skip_to(len).map_err(io_err("reading", path))?;
    let blake2b = reader.state.finalize().to_hex().to_string();

    let contributions =
        parse_contributions(&contributions_bytes).map_err(|e| e.into_error(path))?;
    let [g2, s_g2] = [g2_points[0], g2_points[1]];
    check_powers(&g, g2, s_g2, &shown)?;

    let recognised = recognised(&blake2b);
    let info = PtauInfo {
        power: header.power,
        ceremony_power: header.ceremony_power,
        k,
        blake2b,
        contributions,
        recognised,
    };
    Ok((params_from_parts(k, g, g2, s_g2), info))
}

/// The published ceremony file whose blake2b-512 (hex) is `blake2b`, if any.
fn recognised(blake2b: &str) -> Option<String> {
    HERMEZ_PTAU_HASHES
        .iter()
        .find(|(_, _, hash)| *hash == blake2b)
        .map(|(name, _, _)| (*name).to_string())
}

/// Bytes of an affine G1 point (two base field elements).
const G1_BYTES: usize = 64;
/// Bytes of an affine G2 point (two elements of the quadratic extension).
const G2_BYTES: usize = 128;
/// Bytes of a header section for BN254: n8, q, power, ceremonyPower.
const HEADER_BYTES: u64 = 4 + 32 + 4 + 4;
/// Upper bound on the contributions section (a contribution takes about 1.5 kB; the Hermez
/// ceremony has 54 and a beacon).
const MAX_CONTRIBUTIONS_BYTES: u64 = 16 << 20;

/// A section of the file: its id and where its data lies.
#[derive(Clone, Copy, Debug)]
struct Section {
    id: u32,
    start: u64,
    size: u64,
}

/// The header (section 1).
struct Header {
    power: u32,
    ceremony_power: u32,
}

/// An error found while parsing, before the path is attached.
enum ParseError {
    Io(io::Error),
    Done(ProverError),
    /// A contribution record that does not parse.
    Contributions(String),
}

impl ParseError {
    fn into_error(self, path: &Path) -> ProverError {
        match self {
            ParseError::Io(e) => io_err("reading", path)(e),
            ParseError::Done(e) => e,
            ParseError::Contributions(got) => ProverError::PtauFormat {
                path: path.display().to_string(),
                what: "section 7 (contributions)".into(),
                expected: "contribution records as snarkjs writes them (`writeContribution`)"
                    .into(),
                got,
            },
        }
    }
}

impl From<io::Error> for ParseError {
    fn from(e: io::Error) -> Self {
        ParseError::Io(e)
    }
}

impl From<ProverError> for ParseError {
    fn from(e: ProverError) -> Self {
        ParseError::Done(e)
    }
}

type FormatErr<'a> = dyn Fn(&str, String, String) -> ProverError + 'a;

fn read_u32(r: &mut impl Read) -> io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_u64(r: &mut impl Read) -> io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

/// Reads the preamble and the section table (`readBinFile` in @iden3/binfileutils), checking
/// that every section lies inside the file and that nothing follows the last one.
fn scan_sections(
    r: &mut (impl Read + Seek),
    len: u64,
    malformed: &FormatErr<'_>,
) -> std::result::Result<Vec<Section>, ParseError> {
    if len < 12 {
        return Err(malformed(
            "length",
            "at least 12 bytes (magic, version, section count)".into(),
            format!("{len} bytes"),
        )
        .into());
    }
    let mut magic = [0u8; 4];
    r.read_exact(&mut magic)?;
    if &magic != b"ptau" {
        return Err(malformed(
            "magic",
            "\"ptau\"".into(),
            format!(
                "{:?} (hex {})",
                String::from_utf8_lossy(&magic),
                hex::encode(magic)
            ),
        )
        .into());
    }
    let version = read_u32(r)?;
    if version != 1 {
        return Err(malformed("version", "1".into(), version.to_string()).into());
    }
    let count = read_u32(r)?;
    // Each section takes at least its 12-byte heading.
    if u64::from(count) > (len - 12) / 12 {
        return Err(malformed(
            "section count",
            format!("at most {} for a file of {len} bytes", (len - 12) / 12),
            count.to_string(),
        )
        .into());
    }
    let mut sections = Vec::with_capacity(count as usize);
    let mut pos = 12u64;
    for i in 0..count {
        if len - pos < 12 {
            return Err(malformed(
                &format!("heading of section #{i}"),
                "12 bytes (id, length)".into(),
                format!("{} bytes left in the file", len - pos),
            )
            .into());
        }
        let id = read_u32(r)?;
        let size = read_u64(r)?;
        let start = pos + 12;
        if size > len - start {
            return Err(malformed(
                &format!("length of section #{i} (id {id})"),
                format!("at most {} bytes (the rest of the file)", len - start),
                format!("{size} bytes: the file is truncated or corrupt"),
            )
            .into());
        }
        sections.push(Section { id, start, size });
        pos = start + size;
        r.seek(SeekFrom::Start(pos))?;
    }
    if pos != len {
        return Err(malformed(
            "end of the last section",
            format!("the end of the file ({len} bytes)"),
            format!("{} trailing bytes", len - pos),
        )
        .into());
    }
    Ok(sections)
}

/// Reads the header section (`readPTauHeader`): BN254 (`n8 = 32`, `q` its base field
/// modulus), power and ceremony power.
fn read_header(
    r: &mut impl Read,
    size: u64,
    malformed: &FormatErr<'_>,
) -> std::result::Result<Header, ParseError> {
    if size < 4 {
        return Err(malformed(
            "section 1 (header) length",
            format!("{HEADER_BYTES} bytes"),
            format!("{size} bytes"),
        )
        .into());
    }
    let n8 = read_u32(r)?;
    if n8 != 32 {
        return Err(malformed(
            "header n8 (bytes per base field element)",
            "32 (BN254, which snarkjs calls bn128)".into(),
            format!("{n8}: the file is for another curve"),
        )
        .into());
    }
    if size != HEADER_BYTES {
        return Err(malformed(
            "section 1 (header) length",
            format!("{HEADER_BYTES} bytes"),
            format!("{size} bytes"),
        )
        .into());
    }
    let mut q = [0u8; 32];
    r.read_exact(&mut q)?;
    q.reverse();
    let got_q = format!("0x{}", hex::encode(q));
    if got_q != Fq::MODULUS {
        return Err(malformed(
            "header prime q",
            format!("BN254's base field modulus {}", Fq::MODULUS),
            format!("{got_q}: the file is for another curve"),
        )
        .into());
    }
    let power = read_u32(r)?;
    let ceremony_power = read_u32(r)?;
    if power == 0 || power > 63 {
        return Err(malformed("header power", "1 to 63".into(), power.to_string()).into());
    }
    Ok(Header {
        power,
        ceremony_power,
    })
}

/// A reader that hashes (blake2b-512) everything read through it.
struct HashingReader<R> {
    inner: R,
    state: blake2b_simd::State,
    pos: u64,
}

impl<R: Read> HashingReader<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            state: blake2b_simd::Params::new().hash_length(64).to_state(),
            pos: 0,
        }
    }

    /// Reads (and hashes) up to offset `to`; fails if the file ends first.
    fn skip_to(&mut self, to: u64) -> io::Result<()> {
        let want = to.saturating_sub(self.pos);
        let copied = io::copy(&mut self.by_ref().take(want), &mut io::sink())?;
        if copied != want {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file got shorter while it was read",
            ));
        }
        Ok(())
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.state.update(&buf[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

/// Reads the first `n` tauG1 points, each checked to lie on the curve (BN254's G1 has
/// cofactor 1, so that is also subgroup membership).
fn read_g1_points(r: &mut impl Read, n: usize, path: &str) -> Result<Vec<G1Affine>> {
    let bad = |reason: String| ProverError::PtauPoints {
        path: path.to_string(),
        section: "section 2 (tauG1)",
        reason,
    };
    let mut points = Vec::with_capacity(n);
    let mut chunk = vec![0u8; G1_BYTES * 4096];
    while points.len() < n {
        let count = (n - points.len()).min(4096);
        let bytes = &mut chunk[..count * G1_BYTES];
        r.read_exact(bytes).map_err(|e| ProverError::Io {
            what: "reading",
            path: path.to_string(),
            source: e,
        })?;
        for raw in bytes.chunks_exact(G1_BYTES) {
            let i = points.len();
            let p = G1Affine::from_raw_bytes(raw).ok_or_else(|| {
                bad(format!(
                    "point {i} is not on BN254's G1 (or a coordinate is not below q): the file is corrupt"
                ))
            })?;
            points.push(p);
        }
    }
    if points[0] != G1Affine::generator() {
        return Err(bad(format!(
            "point 0 must be the generator of G1 (tau^0·G1), got {:?}",
            points[0]
        )));
    }
    Ok(points)
}

/// Reads tauG2[0] and tauG2[1]: on the twist, in the r-torsion subgroup, and the first one the
/// generator.
fn read_g2_points(r: &mut impl Read, path: &str) -> Result<Vec<G2Affine>> {
    let bad = |reason: String| ProverError::PtauPoints {
        path: path.to_string(),
        section: "section 3 (tauG2)",
        reason,
    };
    let mut bytes = [0u8; 2 * G2_BYTES];
    r.read_exact(&mut bytes).map_err(|e| ProverError::Io {
        what: "reading",
        path: path.to_string(),
        source: e,
    })?;
    let mut points = Vec::with_capacity(2);
    for (i, raw) in bytes.chunks_exact(G2_BYTES).enumerate() {
        let p = G2Affine::from_raw_bytes(raw).ok_or_else(|| {
            bad(format!(
                "point {i} is not on BN254's G2 twist (or a coordinate is not below q)"
            ))
        })?;
        // The twist has a large cofactor: a point off the order-r subgroup would break the
        // pairing check below.
        if !bool::from(G2::from(p).is_torsion_free()) {
            return Err(bad(format!(
                "point {i} is not in the order-r subgroup of G2"
            )));
        }
        points.push(p);
    }
    if points[0] != G2Affine::generator() {
        return Err(bad(format!(
            "point 0 must be the generator of G2 (tau^0·G2), got {:?}",
            points[0]
        )));
    }
    Ok(points)
}

/// Checks that `g` (with `g[0]` the generator) holds `tau^i·G1` for the tau of
/// `s_g2 = tau·G2`, and that tau is neither 0 nor 1.
///
/// With a random ρ, A = Σ_{i<n-1} ρ^i·g_i and B = Σ_{i<n-1} ρ^i·g_{i+1}: if every
/// g_{i+1} = tau·g_i then B = tau·A, so e(A, tau·G2) = e(B, G2). If some g_{i+1} ≠ tau·g_i, the
/// difference of the two sides' discrete logs is a non-zero polynomial in ρ of degree < n, zero
/// for at most n - 1 of the r ≈ 2^254 values of ρ.
fn check_powers(g: &[G1Affine], g2: G2Affine, s_g2: G2Affine, path: &str) -> Result<()> {
    let bad = |reason: String| ProverError::PtauPoints {
        path: path.to_string(),
        section: "sections 2 and 3 (tauG1, tauG2)",
        reason,
    };
    if bool::from(g[1].is_identity()) {
        return Err(bad(
            "tau = 0 (tauG1[1] is the point at infinity): not a powers-of-tau SRS".into(),
        ));
    }
    if g[1] == G1Affine::generator() {
        return Err(ProverError::PtauNoContribution {
            path: path.to_string(),
        });
    }
    let n = g.len();
    let rho = Fr::random(OsRng);
    let mut coeffs = Vec::with_capacity(n - 1);
    let mut power = Fr::ONE;
    for _ in 0..n - 1 {
        coeffs.push(power);
        power *= rho;
    }
    let a = best_multiexp(&coeffs, &g[..n - 1]);
    let b = best_multiexp(&coeffs, &g[1..]);
    let (a, b): (G1Affine, G1Affine) = (a.into(), b.into());
    if pairing(&a, &s_g2) != pairing(&b, &g2) {
        return Err(bad(format!(
            "the first 2^{} tauG1 points are not consecutive powers of the tau in tauG2[1] \
             (powers check e(Σρ^i·g_i, τG2) = e(Σρ^i·g_(i+1), G2) failed): the file is corrupt \
             or forged",
            n.trailing_zeros()
        )));
    }
    Ok(())
}

/// Builds the parameters from their parts; the Lagrange points are computed from `g`.
fn params_from_parts(k: u32, g: Vec<G1Affine>, g2: G2Affine, s_g2: G2Affine) -> ParamsKZG<Bn256> {
    // halo2-axiom offers `from_parts` only as a method; it ignores the receiver, so any
    // instance will do. This one (k = 1, random tau) is discarded at once.
    let receiver = ParamsKZG::<Bn256>::setup(1, OsRng);
    receiver.from_parts(k, g, None, g2, s_g2)
}

/// The contributions section as the import reports it: each record's name and response hash
/// (parsed once, by the ceremony's reader: `ceremony::parse_records`).
fn parse_contributions(bytes: &[u8]) -> std::result::Result<Vec<PtauContribution>, ParseError> {
    ceremony::parse_records(bytes)?
        .into_iter()
        .zip(1..)
        .map(|(record, index)| {
            let hash = record.response_hash.ok_or_else(|| {
                ParseError::Contributions(format!(
                    "contribution {index}: its key is not made of field elements, or its saved \
                     hash state counts more than a block in its buffer"
                ))
            })?;
            Ok(PtauContribution {
                index,
                name: record.name,
                contribution_hash: hex::encode(hash),
            })
        })
        .collect()
}

/// The name among a contribution's parameters: (type, data) pairs in increasing type order,
/// 1 the name (length byte, UTF-8), 2 the beacon's iteration exponent (one byte), 3 the beacon
/// hash (length byte, bytes).
fn contribution_name(params: &[u8]) -> std::result::Result<String, String> {
    let mut cur = Cursor {
        bytes: params,
        pos: 0,
    };
    let mut name = String::new();
    let mut last = 0u8;
    while cur.pos < params.len() {
        let kind = cur.take(1).ok_or("parameters cut short")?[0];
        if kind <= last {
            return Err(format!(
                "parameter {kind} after parameter {last} (they must be sorted)"
            ));
        }
        last = kind;
        match kind {
            1 | 3 => {
                let len = cur.take(1).ok_or("parameters cut short")?[0];
                let data = cur.take(len as usize).ok_or("parameters cut short")?;
                if kind == 1 {
                    name = String::from_utf8_lossy(data).into_owned();
                }
            }
            2 => {
                cur.take(1).ok_or("parameters cut short")?;
            }
            other => return Err(format!("unknown parameter type {other}")),
        }
    }
    Ok(name)
}

/// A contribution's public key as snarkjs hashes it (`toPtauPubKeyRpr(.., false)`, i.e.
/// ffjavascript's `toRprUncompressed`): each coordinate out of Montgomery form and big-endian
/// (for G2, the 64 bytes `c0 ‖ c1` reversed as a whole: `c1` then `c0`, each big-endian); the
/// point at infinity as zeros.
fn key_uncompressed(key: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(key.len());
    let g1s = key[..6 * G1_BYTES].chunks_exact(G1_BYTES);
    let g2s = key[6 * G1_BYTES..].chunks_exact(G2_BYTES);
    for (point, coordinate_len) in g1s.map(|p| (p, 32)).chain(g2s.map(|p| (p, 64))) {
        if point.iter().all(|b| *b == 0) {
            out.extend_from_slice(point);
            continue;
        }
        for coordinate in point.chunks_exact(coordinate_len) {
            let mut normal = Vec::with_capacity(coordinate_len);
            for limbs in coordinate.chunks_exact(32) {
                let fq =
                    Fq::from_raw_bytes(limbs).ok_or("a public-key coordinate is not below q")?;
                normal.extend_from_slice(&fq.to_repr());
            }
            normal.reverse();
            out.extend_from_slice(&normal);
        }
    }
    Ok(out)
}

/// A cursor over a byte slice.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
    }
}

#[cfg(test)]
pub(crate) mod tests;
