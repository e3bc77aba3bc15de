//! The committed Poseidon vectors the contracts test against must be exactly what the Rust
//! native implementation produces today (regenerate with
//! `cargo run -- vectors --out contracts/test/vectors/poseidon.json`).

#[test]
fn committed_poseidon_vectors_are_up_to_date() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/contracts/test/vectors/poseidon.json"
    );
    let committed =
        std::fs::read_to_string(path).expect("contracts/test/vectors/poseidon.json exists");
    assert!(
        committed == zkcontest::commit::vectors_json(),
        "{path} differs from `contest-cli vectors`: regenerate it and rerun the forge tests"
    );
}

#[test]
fn cli_writes_the_same_vectors_to_stdout() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_contest-cli"))
        .arg("vectors")
        .output()
        .expect("contest-cli runs");
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).expect("utf-8"),
        zkcontest::commit::vectors_json()
    );
}

/// A reader that stopped early (`contest-cli … | head`) ends the command quietly with exit 3
/// (an environment failure), not with a panic.
#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_contest-cli"))
        .arg("vectors")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("contest-cli runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
