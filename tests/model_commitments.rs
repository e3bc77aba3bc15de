//! The test-set file format and the commitments `T` and `C` (docs/PROTOCOL.md §4, §5, §8).

use std::path::PathBuf;

use halo2_base::halo2_proofs::halo2curves::bn256::Fr;
use zkcontest::commit::{
    chain, fr_from_hex, fr_to_hex, pack_stream, StreamRange, MODEL_TAG, TESTSET_TAG,
};
use zkcontest::model::{model_commitment, model_elements, quantise, OnnxFile};
use zkcontest::spec::{
    read_testset, testset_commitment, testset_elements, write_testset, Spec, TestSet, TestSetError,
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn spec() -> Spec {
    Spec::from_path(&root().join("contest-specs/digits/contest.toml")).unwrap()
}

fn test_set(spec: &Spec) -> TestSet {
    TestSet::from_path(&root().join("contest-specs/digits/digits-test.zkts"), spec).unwrap()
}

#[test]
fn digits_test_set_has_360_rows_and_477_elements() {
    let spec = spec();
    let set = test_set(&spec);
    assert_eq!((set.len(), set.features()), (360, 64));
    assert_eq!(testset_elements(&spec, &set).unwrap().len(), 471 + 6);
}

#[test]
fn t_is_the_chain_of_packed_streams() {
    let spec = spec();
    let set = test_set(&spec);
    // Recompute from the PROTOCOL text with the low-level helpers only.
    let x: Vec<i128> = set.x().iter().map(|&v| v.into()).collect();
    let y: Vec<i128> = set.labels().iter().map(|&v| v as i128).collect();
    let mut elems = pack_stream(StreamRange::new(0, 16).unwrap(), &x).unwrap();
    elems.extend(pack_stream(StreamRange::new(0, 9).unwrap(), &y).unwrap());
    let t = chain(fr_from_hex(TESTSET_TAG).unwrap(), &elems);
    assert_eq!(testset_commitment(&spec, &set).unwrap(), t);
    // Regression pin: changes only if the committed test set or the protocol changes.
    assert_eq!(fr_to_hex(&t), include_str!("fixtures/digits-test.T").trim());
}

#[test]
fn t_changes_with_any_label() {
    let spec = spec();
    let set = test_set(&spec);
    let mut y = set.labels().to_vec();
    y[359] = (y[359] + 1) % 10;
    let other = TestSet::new(&spec, set.x().to_vec(), y).unwrap();
    assert_ne!(
        testset_commitment(&spec, &set).unwrap(),
        testset_commitment(&spec, &other).unwrap()
    );
}

fn bytes_of(spec: &Spec, set: &TestSet) -> Vec<u8> {
    let mut out = Vec::new();
    write_testset(&mut out, spec, set).unwrap();
    out
}

#[test]
fn testset_round_trips_and_matches_the_committed_bytes() {
    let spec = spec();
    let set = test_set(&spec);
    let bytes = bytes_of(&spec, &set);
    assert_eq!(
        bytes,
        std::fs::read(root().join("contest-specs/digits/digits-test.zkts")).unwrap()
    );
    assert_eq!(read_testset(bytes.as_slice(), &spec).unwrap(), set);
}

#[test]
fn testset_reader_names_row_and_column() {
    let spec = spec();
    let set = test_set(&spec);
    let bytes = bytes_of(&spec, &set);
    let row_len = 64 + 2;
    // Truncated inside row 5, column 3.
    let cut = &bytes[..28 + 5 * row_len + 3];
    let e = read_testset(cut, &spec).unwrap_err();
    assert!(
        matches!(&e, TestSetError::Truncated { at, .. } if at == "row 5, column 3"),
        "{e}"
    );
    // Truncated before a label.
    let e = read_testset(&bytes[..28 + 64], &spec).unwrap_err();
    assert!(e.to_string().contains("row 0, label"), "{e}");
    // Trailing bytes.
    let mut long = bytes.clone();
    long.push(0);
    assert!(matches!(
        read_testset(long.as_slice(), &spec),
        Err(TestSetError::TrailingBytes { rows: 360 })
    ));
    // Feature 17 at row 2, column 10.
    let mut bad = bytes.clone();
    bad[28 + 2 * row_len + 10] = 17;
    let e = read_testset(bad.as_slice(), &spec).unwrap_err();
    assert!(
        matches!(
            e,
            TestSetError::FeatureOutOfRange {
                row: 2,
                column: 10,
                value: 17,
                ..
            }
        ),
        "{e}"
    );
    // Label 10 at row 7.
    let mut bad = bytes.clone();
    bad[28 + 7 * row_len + 64] = 10;
    let e = read_testset(bad.as_slice(), &spec).unwrap_err();
    assert!(
        matches!(
            e,
            TestSetError::LabelOutOfRange {
                row: 7,
                value: 10,
                ..
            }
        ),
        "{e}"
    );
    // Row length 63 in the header.
    let mut bad = bytes.clone();
    bad[12] = 63;
    let e = read_testset(bad.as_slice(), &spec).unwrap_err();
    assert!(
        matches!(
            e,
            TestSetError::RowLength {
                found: 63,
                expected: 64
            }
        ),
        "{e}"
    );
    // Empty, wrong magic, short header.
    assert!(matches!(
        read_testset(&[][..], &spec),
        Err(TestSetError::Empty)
    ));
    assert!(matches!(
        read_testset(&b"PK\x03\x04rest"[..], &spec),
        Err(TestSetError::BadMagic { .. })
    ));
    assert!(matches!(
        read_testset(&bytes[..10], &spec),
        Err(TestSetError::Truncated { .. })
    ));
}

#[test]
fn c_covers_every_weight_bias_shift_and_the_salt() {
    let spec = spec();
    let net = OnnxFile::read(&root().join("contest-specs/digits/models/mlp-h16.onnx"))
        .unwrap()
        .dense_network()
        .unwrap();
    let small = quantise(&net, &spec, None).unwrap();
    let model = quantise(&net.padded(&spec.envelope).unwrap(), &spec, None).unwrap();
    let salt = Fr::from(0x5a17u64);
    // Unpadded models cannot be committed.
    assert!(model_elements(&small, &spec, salt).is_err());
    let elems = model_elements(&model, &spec, salt).unwrap();
    // W1: 64·64/31 → 133, b1: 64/7 → 10, W2: 640/31 → 21, b2: 10/7 → 2, shifts 1, salt 1.
    assert_eq!(elems.len(), 133 + 10 + 21 + 2 + 1 + 1);
    assert_eq!(elems.last(), Some(&salt));
    let c = model_commitment(&model, &spec, salt).unwrap();
    assert_eq!(c, chain(fr_from_hex(MODEL_TAG).unwrap(), &elems));
    assert_ne!(
        c,
        model_commitment(&model, &spec, salt + Fr::one()).unwrap()
    );
    // A different quantisation (other shifts or weights) gives another C.
    let cal = TestSet::from_path_any_rows(
        &root().join("contest-specs/digits/digits-calibration.zkts"),
        &spec,
    )
    .unwrap();
    let other = quantise(&net.padded(&spec.envelope).unwrap(), &spec, Some(&cal)).unwrap();
    if other != model {
        assert_ne!(c, model_commitment(&other, &spec, salt).unwrap());
    }
}
