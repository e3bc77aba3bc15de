//! `contest-cli`: the zkcontest command line. All logic lives in `zkcontest::cli`.

fn main() -> std::process::ExitCode {
    zkcontest::cli::main()
}
