//! The ceremony against the pinned snarkjs (tools/node_modules): files contributed by snarkjs
//! and by us interleave, each side verifies the other's, and tampered files are refused with
//! the contribution or section named.

use std::path::{Path, PathBuf};
use std::time::Instant;

use halo2_base::halo2_proofs::halo2curves::bn256::G1Affine;
use halo2_base::halo2_proofs::halo2curves::serde::SerdeObject;

use super::super::tests::{contribute as snarkjs_contribute, run_snarkjs, snarkjs};
use super::*;
use crate::prover::ptau::read_ptau;

/// Offset of the data of section `id` in a `.ptau` file.
fn section_data(bytes: &[u8], id: u32) -> usize {
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    let mut pos = 12;
    for _ in 0..u32_at(8) {
        let size = u64::from_le_bytes(bytes[pos + 4..pos + 12].try_into().expect("8 bytes"));
        if u32_at(pos) == id {
            return pos + 12;
        }
        pos += 12 + size as usize;
    }
    panic!("no section {id}");
}

/// A copy of `path` named `name` with `edit` applied to its bytes.
fn edited(path: &Path, name: &str, edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(path).expect("read ptau");
    edit(&mut bytes);
    let out = path.with_file_name(name);
    std::fs::write(&out, bytes).expect("write edited ptau");
    out
}

/// Replaces the G1 point at `at` by its double: still on the curve, no longer the right one.
fn double_g1(bytes: &mut [u8], at: usize) {
    let p = G1Affine::from_raw_bytes(&bytes[at..at + G1_BYTES]).expect("a G1 point");
    let doubled: G1Affine = (p + p).into();
    bytes[at..at + G1_BYTES].copy_from_slice(&doubled.to_raw_bytes());
}

fn summary(report: &CeremonyReport) -> Vec<(u32, String, String, bool)> {
    report
        .contributions
        .iter()
        .map(|c| {
            (
                c.index,
                c.name.clone(),
                c.contribution_hash.clone(),
                c.verified,
            )
        })
        .collect()
}

#[test]
fn ceremony_snarkjs_and_ours_interleave_and_verify_both_ways() {
    let Some(bin) = snarkjs() else { return };
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    run_snarkjs(&bin, d, &["powersoftau", "new", "bn128", "8", "pot_0.ptau"]);
    let h1 = snarkjs_contribute(&bin, d, "pot_0.ptau", "pot_1.ptau", "Alice");

    // A file with only snarkjs's contribution verifies with ours.
    let report = verify_ceremony(&d.join("pot_1.ptau")).expect("verify pot_1");
    assert!(report.holds(), "{:?}", report.problems);

    let t = Instant::now();
    let ours = contribute(
        &d.join("pot_1.ptau"),
        &d.join("pot_2.ptau"),
        "Bob ünïcode",
        b"test entropy",
    )
    .expect("our contribution");
    eprintln!("our contribution (power 8): {:.1?}", t.elapsed());
    assert_eq!((ours.index, ours.power), (2, 8));
    assert!(!ours.dropped_phase2);

    // snarkjs verifies our contribution as the last one, and contributes on top of it.
    let out = run_snarkjs(&bin, d, &["powersoftau", "verify", "pot_2.ptau"]);
    let flat: String = out.split_whitespace().collect();
    assert!(
        flat.contains(&ours.contribution_hash),
        "snarkjs verify does not list our hash {}:\n{out}",
        ours.contribution_hash
    );
    let h3 = snarkjs_contribute(&bin, d, "pot_2.ptau", "pot_3.ptau", "Carol");
    let out = run_snarkjs(&bin, d, &["powersoftau", "verify", "pot_3.ptau"]);
    assert!(out.contains("Powers of Tau Ok!"), "{out}");

    let t = Instant::now();
    let report = verify_ceremony(&d.join("pot_3.ptau")).expect("verify pot_3");
    eprintln!("our verify (power 8, 3 contributions): {:.1?}", t.elapsed());
    assert!(report.holds(), "{:?}", report.problems);
    assert_eq!((report.power, report.ceremony_power), (8, 8));
    assert_eq!(
        summary(&report),
        [
            (1, "Alice".into(), h1.clone(), true),
            (
                2,
                "Bob ünïcode".into(),
                ours.contribution_hash.clone(),
                true
            ),
            (3, "Carol".into(), h3.clone(), true),
        ]
    );

    // The import reads the same contributions and accepts the powers.
    let (_, info) = read_ptau(&d.join("pot_3.ptau"), 8).expect("import");
    let hashes: Vec<&str> = info
        .contributions
        .iter()
        .map(|c| c.contribution_hash.as_str())
        .collect();
    assert_eq!(hashes, [&h1, &ours.contribution_hash, &h3]);
    eprintln!("whole test: {:.1?}", started.elapsed());
}

#[test]
fn ceremony_tampered_files_fail_naming_the_contribution_or_section() {
    let Some(bin) = snarkjs() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    run_snarkjs(&bin, d, &["powersoftau", "new", "bn128", "5", "pot_0.ptau"]);

    // No contribution: tau = 1.
    let report = verify_ceremony(&d.join("pot_0.ptau")).expect("verify pot_0");
    assert!(!report.holds());
    assert!(report.problems[0].reason.contains("no contribution"));

    contribute(&d.join("pot_0.ptau"), &d.join("pot_1.ptau"), "Ann", b"").expect("first");
    let receipt =
        contribute(&d.join("pot_1.ptau"), &d.join("pot_2.ptau"), "Ben", b"x").expect("second");
    let good = d.join("pot_2.ptau");
    let report = verify_ceremony(&good).expect("verify");
    assert!(report.holds(), "{:?}", report.problems);
    assert_eq!(
        report.contributions[1].contribution_hash,
        receipt.contribution_hash
    );
    // Ours on top of ours verifies with snarkjs too.
    run_snarkjs(&bin, d, &["powersoftau", "verify", "pot_2.ptau"]);

    let bytes = std::fs::read(&good).expect("read");
    let file = load(&good).expect("load");
    let second = section_data(&bytes, 7) + 4 + file.records[0].raw.len();
    let key = second + RECORD_POINTS;
    let failing = |path: &Path| {
        let report = verify_ceremony(path).expect("verify runs");
        assert!(!report.holds(), "tampered file verified");
        report
    };

    // One byte of the last contribution's key (tau.g1_sx's x coordinate).
    let flipped = edited(&good, "flipped.ptau", |b| b[key + G1_BYTES + 3] ^= 0x10);
    let report = failing(&flipped);
    assert_eq!(report.problems[0].location, "contribution #2 (Ben)");
    assert!(!report.contributions[1].verified);
    assert!(report.contributions[0].verified);

    // A key point replaced by another valid point: the proof of knowledge fails.
    let doubled = edited(&good, "key.ptau", |b| double_g1(b, key + 3 * G1_BYTES));
    let report = failing(&doubled);
    assert_eq!(report.problems[0].location, "contribution #2 (Ben)");
    assert!(
        report.problems[0].reason.contains("key alpha"),
        "{:?}",
        report.problems
    );

    // One power replaced (alpha·tau^5·G1): the section's check fails, and the challenge hash.
    let alpha_5 = section_data(&bytes, 4) + 5 * G1_BYTES;
    let power = edited(&good, "power.ptau", |b| double_g1(b, alpha_5));
    let report = failing(&power);
    assert!(report.contributions.iter().all(|c| c.verified));
    let locations: Vec<&str> = report
        .problems
        .iter()
        .map(|p| p.location.as_str())
        .collect();
    assert_eq!(locations, ["section 4 (alphaTauG1)", "sections 2-7"]);

    // The same in tauG1, past what a small SRS import would look at.
    let tau_40 = section_data(&bytes, 2) + 40 * G1_BYTES;
    let tau = edited(&good, "tau.ptau", |b| double_g1(b, tau_40));
    let report = failing(&tau);
    assert_eq!(report.problems[0].location, "section 2 (tauG1)");
    assert!(report.problems[0].reason.contains("not consecutive powers"));
}

#[test]
fn ceremony_names_are_cut_as_snarkjs_cuts_them() {
    assert_eq!(snarkjs_name(&"a".repeat(70)), "a".repeat(64));
    assert_eq!(snarkjs_name("Bob"), "Bob");
    // 63 units, then a surrogate pair straddling the 64th: half of it is a lone surrogate,
    // which TextEncoder writes as U+FFFD.
    let name = format!("{}😀x", "a".repeat(63));
    assert_eq!(snarkjs_name(&name), format!("{}\u{FFFD}", "a".repeat(63)));
}

#[test]
fn ceremony_format_hash_is_snarkjs_layout() {
    let mut hash = [0u8; 64];
    for (i, b) in hash.iter_mut().enumerate() {
        *b = i as u8;
    }
    let text = format_hash(&hash);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0], "\t\t00010203 04050607 08090a0b 0c0d0e0f");
}
