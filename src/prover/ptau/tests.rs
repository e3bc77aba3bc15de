//! `.ptau` import against files made by the pinned snarkjs (tools/node_modules, installed by
//! scripts/setup.sh): a two-contributor ceremony imports and its parameters prove and verify;
//! a file with no contribution, a tampered point, a truncated file, a wrong magic and a file
//! too small for k are refused, each with its own error.

use std::path::{Path, PathBuf};
use std::process::Command;

use halo2_base::gates::circuit::builder::BaseCircuitBuilder;
use halo2_base::gates::{GateChip, GateInstructions};
use halo2_base::halo2_proofs::halo2curves::bn256::{pairing, Bn256, Fr, G1Affine, G2Affine};
use halo2_base::halo2_proofs::halo2curves::serde::SerdeObject;
use halo2_base::halo2_proofs::plonk::{create_proof, keygen_pk, keygen_vk};
use halo2_base::halo2_proofs::poly::commitment::{Params, ParamsProver};
use halo2_base::halo2_proofs::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_base::halo2_proofs::poly::kzg::multiopen::ProverSHPLONK;
use halo2_base::halo2_proofs::transcript::TranscriptWriterBuffer;
use halo2_base::QuantumCell::Constant;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use snark_verifier::loader::native::NativeLoader;
use snark_verifier::system::halo2::transcript::evm::EvmTranscript;

use super::partial_hash::Blake2b512;
use super::*;
use crate::prover::proof::verify;
use crate::prover::srs::{read_params, srs_digest, write_params};

/// The pinned snarkjs, or `None` (with a message) when tools/node_modules is absent.
pub(crate) fn snarkjs() -> Option<PathBuf> {
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/node_modules");
    if !tools.is_dir() {
        eprintln!(
            "SKIPPED: {} is absent; run scripts/setup.sh to install the pinned snarkjs",
            tools.display()
        );
        return None;
    }
    let bin = tools.join(".bin/snarkjs");
    assert!(
        bin.exists(),
        "{} is missing although tools/node_modules exists: rerun scripts/setup.sh (npm ci)",
        bin.display()
    );
    Some(bin)
}

/// Runs snarkjs in `dir`; panics with its output if it fails. Returns stdout and stderr.
pub(crate) fn run_snarkjs(bin: &Path, dir: &Path, args: &[&str]) -> String {
    let out = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("running snarkjs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // snarkjs reports some failures (a bad argument) only as an [ERROR] line, with exit 0.
    assert!(
        out.status.success() && !text.contains("[ERROR]"),
        "snarkjs {args:?} failed:\n{text}"
    );
    text
}

/// `snarkjs powersoftau contribute`, returning the response hash it printed (hex).
pub(crate) fn contribute(bin: &Path, dir: &Path, from: &str, to: &str, name: &str) -> String {
    let out = run_snarkjs(
        bin,
        dir,
        &[
            "powersoftau",
            "contribute",
            from,
            to,
            &format!("--name={name}"),
            // Fixed entropy: snarkjs still mixes in its own random bytes, so tau differs from
            // run to run; the test reads the hash snarkjs prints.
            &format!("-e=fixed test entropy for {name}"),
        ],
    );
    // "Contribution Response Hash imported:" then four lines of four 8-digit groups.
    let mut lines = out.lines();
    lines
        .by_ref()
        .find(|l| l.contains("Contribution Response Hash"))
        .unwrap_or_else(|| panic!("no response hash in snarkjs output:\n{out}"));
    let hash: String = lines.take(4).flat_map(|l| l.split_whitespace()).collect();
    assert_eq!(hash.len(), 128, "response hash {hash:?} in:\n{out}");
    hash
}

/// A ceremony at `power` with the given contributors, in `dir`: returns the final file and the
/// response hash snarkjs printed for each contribution.
pub(crate) fn ceremony(
    bin: &Path,
    dir: &Path,
    power: u32,
    names: &[&str],
) -> (PathBuf, Vec<String>) {
    run_snarkjs(
        bin,
        dir,
        &[
            "powersoftau",
            "new",
            "bn128",
            &power.to_string(),
            "pot_0.ptau",
        ],
    );
    let mut hashes = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let (from, to) = (format!("pot_{i}.ptau"), format!("pot_{}.ptau", i + 1));
        hashes.push(contribute(bin, dir, &from, &to, name));
    }
    (dir.join(format!("pot_{}.ptau", names.len())), hashes)
}

/// The file's bytes with `edit` applied, written next to it as `name`.
fn edited(path: &Path, name: &str, edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(path).expect("read ptau");
    edit(&mut bytes);
    let out = path.with_file_name(name);
    std::fs::write(&out, bytes).expect("write edited ptau");
    out
}

/// Offset of the data of section `id` in a `.ptau` file.
fn section_start(bytes: &[u8], id: u32) -> usize {
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    let count = u32_at(8);
    let mut pos = 12;
    for _ in 0..count {
        let size = u64::from_le_bytes(bytes[pos + 4..pos + 12].try_into().expect("8 bytes"));
        if u32_at(pos) == id {
            return pos + 12;
        }
        pos += 12 + size as usize;
    }
    panic!("no section {id}");
}

/// A one-gate circuit with one public output, `x·x + 3`.
fn square_plus_three(k: u32, x: u64) -> (BaseCircuitBuilder<Fr>, Fr) {
    let mut builder = BaseCircuitBuilder::<Fr>::new(false)
        .use_k(k as usize)
        .use_instance_columns(1);
    let gate = GateChip::<Fr>::default();
    let ctx = builder.main(0);
    let x = ctx.load_witness(Fr::from(x));
    let out = gate.mul_add(ctx, x, x, Constant(Fr::from(3)));
    let value = *out.value();
    builder.assigned_instances[0].push(out);
    builder.calculate_params(Some(9));
    (builder, value)
}

/// Keygen, prove (SHPLONK, the EVM transcript) and verify with `params`: the parameters work
/// for KZG, and a wrong public input is refused.
fn prove_and_verify(params: &ParamsKZG<Bn256>) {
    let (circuit, out) = square_plus_three(params.k(), 7);
    assert_eq!(out, Fr::from(52));
    let vk = keygen_vk(params, &circuit).expect("keygen_vk");
    let pk = keygen_pk(params, vk, &circuit).expect("keygen_pk");
    let mut transcript =
        EvmTranscript::<G1Affine, NativeLoader, Vec<u8>, Vec<u8>>::init(Vec::new());
    create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
        params,
        &pk,
        &[circuit],
        &[&[&[out]]],
        StdRng::seed_from_u64(7),
        &mut transcript,
    )
    .expect("create_proof");
    let proof = transcript.finalize();
    assert!(
        verify(params, pk.get_vk(), &[out], &proof),
        "valid proof refused"
    );
    assert!(
        !verify(params, pk.get_vk(), &[out + Fr::ONE], &proof),
        "proof accepted for a wrong output"
    );
}

#[test]
fn ptau_two_contributions_import_and_prove() {
    let Some(bin) = snarkjs() else { return };
    let started = std::time::Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, hashes) = ceremony(&bin, dir.path(), 8, &["Alice", "Bob ünïcode"]);
    eprintln!(
        "snarkjs ceremony (power 8, 2 contributions): {:.1?}",
        started.elapsed()
    );

    let (params, info) = read_ptau(&path, 8).expect("import at k = 8");
    assert_eq!((info.power, info.ceremony_power, info.k), (8, 8, 8));
    assert_eq!(info.recognised, None);
    let bytes = std::fs::read(&path).expect("read ptau");
    assert_eq!(
        info.blake2b,
        blake2b_simd::Params::new()
            .hash_length(64)
            .hash(&bytes)
            .to_hex()
            .as_str()
    );
    let listed: Vec<(u32, &str, &str)> = info
        .contributions
        .iter()
        .map(|c| (c.index, c.name.as_str(), c.contribution_hash.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            (1, "Alice", hashes[0].as_str()),
            (2, "Bob ünïcode", hashes[1].as_str())
        ]
    );

    // The parameters are the file's powers: g[0..256] is section 2's start, and
    // e(g[1], G2) = e(G1, s·G2).
    assert_eq!(params.k(), 8);
    let g = params.get_g();
    let start = section_start(&bytes, 2);
    for (i, p) in g.iter().enumerate() {
        let raw = &bytes[start + 64 * i..start + 64 * (i + 1)];
        assert_eq!(p.to_raw_bytes(), raw, "g[{i}]");
    }
    assert_eq!(
        pairing(&g[1], &params.g2()),
        pairing(&G1Affine::generator(), &params.s_g2())
    );
    assert_ne!(g[1], G1Affine::generator());

    // At k = 6 the same points, and the Lagrange points halo2 would compute by downsizing.
    let (small, info6) = read_ptau(&path, 6).expect("import at k = 6");
    assert_eq!((info6.k, info6.power), (6, 8));
    assert_eq!(info6.contributions, info.contributions);
    let mut downsized = params.clone();
    downsized.downsize(6);
    assert_eq!(small.get_g(), downsized.get_g());
    // halo2 keeps the Lagrange points private; the digest covers them.
    assert_eq!(srs_digest(&small), srs_digest(&downsized));
    assert_eq!(small.s_g2(), params.s_g2());

    // The parameters survive halo2's file format, and the digest is keccak of that file.
    let out = dir.path().join("k6.srs");
    write_params(&small, &out).expect("write params");
    let back = read_params(&out, 6).expect("read params");
    assert_eq!(back.get_g(), small.get_g());
    let file_digest: [u8; 32] = {
        use sha3::{Digest, Keccak256};
        Keccak256::digest(std::fs::read(&out).expect("read srs")).into()
    };
    assert_eq!(srs_digest(&small), file_digest);

    // Cached: the first call imports and stores, the second reads the stored parameters; both
    // give the same parameters and the file's own hash and contributions. A changed file (other
    // hash) is imported afresh, never served from the cache.
    let cache = dir.path().join("cache");
    let (first, info_a) = read_ptau_cached(&path, 6, &cache).expect("cached import");
    let stored = cache.join(format!("ptau-{}-k6.srs", info.blake2b));
    assert!(stored.is_file(), "stored under the file's hash");
    let (second, info_b) = read_ptau_cached(&path, 6, &cache).expect("cache hit");
    assert_eq!(srs_digest(&first), srs_digest(&small));
    assert_eq!(srs_digest(&second), srs_digest(&small));
    assert_eq!(info_a, info6);
    assert_eq!(info_b, info6);
    let other = dir.path().join("pot_1.ptau");
    let (_, info_other) = read_ptau_cached(&other, 6, &cache).expect("the first contribution");
    assert_ne!(info_other.blake2b, info.blake2b);
    assert_eq!(info_other.contributions.len(), 1);

    let proving = std::time::Instant::now();
    prove_and_verify(&small);
    eprintln!(
        "k = 6 keygen, prove, verify: {:.1?}; whole test {:.1?}",
        proving.elapsed(),
        started.elapsed()
    );
}

#[test]
fn ptau_without_contribution_is_rejected() {
    let Some(bin) = snarkjs() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, _) = ceremony(&bin, dir.path(), 6, &[]);

    // snarkjs's "LEM" points are halo2curves' raw bytes: the first powers are the generators.
    let bytes = std::fs::read(&path).expect("read ptau");
    let g1 = section_start(&bytes, 2);
    assert_eq!(bytes[g1..g1 + 64], G1Affine::generator().to_raw_bytes());
    let g2 = section_start(&bytes, 3);
    assert_eq!(bytes[g2..g2 + 128], G2Affine::generator().to_raw_bytes());

    let err = read_ptau(&path, 6).expect_err("tau = 1 accepted");
    assert!(
        matches!(err, ProverError::PtauNoContribution { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("no contribution"), "{err}");
}

#[test]
fn ptau_tampered_files_are_rejected() {
    let Some(bin) = snarkjs() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, _) = ceremony(&bin, dir.path(), 6, &["Carol"]);
    let bytes = std::fs::read(&path).expect("read ptau");
    let g1 = section_start(&bytes, 2);

    // One power replaced by another valid point (2·g_5): on the curve, not tau^5·G1.
    let twice = edited(&path, "twice.ptau", |b| {
        let at = g1 + 64 * 5;
        let p = G1Affine::from_raw_bytes(&b[at..at + 64]).expect("point");
        let doubled: G1Affine = (p + p).into();
        b[at..at + 64].copy_from_slice(&doubled.to_raw_bytes());
    });
    let err = read_ptau(&twice, 6).expect_err("tampered power accepted");
    assert!(
        matches!(err, ProverError::PtauPoints { .. })
            && err.to_string().contains("not consecutive powers"),
        "{err}"
    );
    // Beyond the first 2^k points, the same change is not looked at.
    let (_, info) = read_ptau(&twice, 2).expect("points past 2^k are unused");
    assert_eq!(info.k, 2);

    // A point off the curve.
    let off = edited(&path, "off.ptau", |b| b[g1 + 64 * 3] ^= 1);
    let err = read_ptau(&off, 6).expect_err("point off the curve accepted");
    assert!(err.to_string().contains("point 3 is not on"), "{err}");

    // Truncated: the last section claims more bytes than remain.
    let cut = edited(&path, "cut.ptau", |b| b.truncate(b.len() - 100));
    let err = read_ptau(&cut, 6).expect_err("truncated file accepted");
    assert!(
        matches!(&err, ProverError::PtauFormat { got, .. } if got.contains("truncated")),
        "{err}"
    );
    // Cut inside the preamble.
    let stub = edited(&path, "stub.ptau", |b| b.truncate(7));
    assert!(matches!(
        read_ptau(&stub, 6),
        Err(ProverError::PtauFormat { .. })
    ));

    // Wrong magic.
    let magic = edited(&path, "magic.ptau", |b| b[..4].copy_from_slice(b"zkey"));
    let err = read_ptau(&magic, 6).expect_err("wrong magic accepted");
    assert!(
        matches!(&err, ProverError::PtauFormat { what, .. } if what == "magic"),
        "{err}"
    );

    // Another curve's prime in the header.
    let header = section_start(&bytes, 1);
    let prime = edited(&path, "prime.ptau", |b| b[header + 4] ^= 2);
    let err = read_ptau(&prime, 6).expect_err("wrong prime accepted");
    assert!(
        err.to_string().contains("BN254's base field modulus"),
        "{err}"
    );

    // Trailing bytes after the last section.
    let trailing = edited(&path, "trailing.ptau", |b| b.extend_from_slice(&[0; 5]));
    let err = read_ptau(&trailing, 6).expect_err("trailing bytes accepted");
    assert!(err.to_string().contains("5 trailing bytes"), "{err}");

    // power < k, and k out of range.
    let err = read_ptau(&path, 7).expect_err("k above the power accepted");
    assert!(
        matches!(err, ProverError::PtauTooSmall { power: 6, k: 7, .. }),
        "{err}"
    );
    assert!(matches!(
        read_ptau(&path, 0),
        Err(ProverError::UnsupportedK { k: 0, .. })
    ));
}

#[test]
fn ptau_prepared_phase2_file_with_beacon_imports() {
    // The published ceremony files are `prepare phase2` outputs (extra Lagrange sections) and
    // end with a beacon (contribution parameters 2 and 3).
    let Some(bin) = snarkjs() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, hashes) = ceremony(&bin, dir.path(), 4, &["Dave"]);
    let beacon_hash = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";
    let p = |name: &str| dir.path().join(name).display().to_string();
    run_snarkjs(
        &bin,
        dir.path(),
        &[
            "powersoftau",
            "beacon",
            &path.display().to_string(),
            &p("beacon.ptau"),
            beacon_hash,
            "10",
            "-n=Final Beacon",
        ],
    );
    run_snarkjs(
        &bin,
        dir.path(),
        &[
            "powersoftau",
            "prepare",
            "phase2",
            &p("beacon.ptau"),
            &p("final.ptau"),
        ],
    );
    let (params, info) = read_ptau(&dir.path().join("final.ptau"), 4).expect("import");
    assert_eq!(params.k(), 4);
    let names: Vec<&str> = info.contributions.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Dave", "Final Beacon"]);
    assert_eq!(info.contributions[0].contribution_hash, hashes[0]);
}

#[test]
fn ptau_params_from_parts_match_halo2_setup() {
    // UNSAFE seeded tau, test only: the Lagrange points computed from g are halo2's own.
    let params = ParamsKZG::<Bn256>::setup(5, StdRng::seed_from_u64(3));
    let rebuilt = params_from_parts(5, params.get_g().to_vec(), params.g2(), params.s_g2());
    // halo2 keeps the Lagrange points private; the digest covers them.
    assert_eq!(srs_digest(&rebuilt), srs_digest(&params));
    check_powers(params.get_g(), params.g2(), params.s_g2(), "seeded").expect("powers");
    // The same powers against another tau in G2 fail the check.
    let other = ParamsKZG::<Bn256>::setup(1, StdRng::seed_from_u64(4));
    assert!(matches!(
        check_powers(params.get_g(), params.g2(), other.s_g2(), "seeded"),
        Err(ProverError::PtauPoints { .. })
    ));
}

#[test]
fn ptau_partial_hash_matches_blake2b() {
    let mut rng = StdRng::seed_from_u64(11);
    for len in [0usize, 1, 127, 128, 129, 255, 256, 257, 1000] {
        let mut data = vec![0u8; len];
        rng.fill_bytes(&mut data);
        let want = blake2b_simd::Params::new().hash_length(64).hash(&data);
        for split in [0, len / 3, len] {
            // Hash a prefix, save the state as snarkjs would, resume and finish.
            let mut h = Blake2b512::new();
            h.update(&data[..split]);
            let mut resumed =
                Blake2b512::from_partial(&h.to_partial()).expect("state within a block");
            resumed.update(&data[split..]);
            assert_eq!(
                resumed.finalize()[..],
                *want.as_bytes(),
                "len {len}, split {split}"
            );
        }
    }
}
