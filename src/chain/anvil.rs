//! A local anvil for tests and the demo: started on a free loopback port, ready once it
//! answers `eth_chainId` (polled, with an overall timeout), and killed when dropped.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{ChainError, Result};

/// anvil's first dev accounts as `(private key, address)`: derived from the public test
/// mnemonic "test test … junk" that every anvil uses by default. Public knowledge, worthless
/// outside a local dev chain; never use them anywhere else.
pub const DEV_ACCOUNTS: [(&str, &str); 5] = [
    (
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
    ),
    (
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
    ),
    (
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
        "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc",
    ),
    (
        "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
        "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
    ),
    (
        "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
        "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65",
    ),
];

/// How long anvil may take to answer its first request.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// Pause between readiness probes (a poll, not a guess at the startup time).
const PROBE_INTERVAL: Duration = Duration::from_millis(20);
/// Attempts when the chosen port was taken between picking and binding it.
const PORT_ATTEMPTS: usize = 3;
/// How much of anvil's stderr is kept for error messages.
const STDERR_TAIL: usize = 2_000;

/// A running anvil; dropping it kills the process.
#[derive(Debug)]
pub struct Anvil {
    child: Child,
    port: u16,
    chain_id: u64,
    /// The end of anvil's stderr, drained by a thread so a chatty anvil never blocks on a
    /// full pipe.
    stderr: Arc<Mutex<String>>,
    drain: Option<JoinHandle<()>>,
}

impl Anvil {
    /// The anvil the repository's `scripts/setup.sh` installs under `root`.
    pub fn path_in_repo(root: &Path) -> PathBuf {
        root.join("tools/node_modules/.bin/anvil")
    }

    /// Starts `bin` on a free loopback port and waits until it answers.
    pub fn spawn(bin: &Path) -> Result<Self> {
        Self::spawn_with(bin, &[])
    }

    /// [`Anvil::spawn`] with extra anvil arguments (`--block-time 1`, `--base-fee …`).
    pub fn spawn_with(bin: &Path, extra: &[&str]) -> Result<Self> {
        let mut last = None;
        for _ in 0..PORT_ATTEMPTS {
            match Self::spawn_at(bin, free_port()?, extra) {
                // Another process may take the port between our probe and anvil's bind.
                Err(e @ ChainError::AnvilExited { .. }) => last = Some(e),
                other => return other,
            }
        }
        Err(last.unwrap_or(ChainError::NoPort(std::io::Error::other("no attempt made"))))
    }

    /// Polls `eth_chainId` until it answers, anvil exits, or `STARTUP_TIMEOUT` passes.
    fn wait_ready(&mut self) -> Result<u64> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().ok().flatten() {
                // The pipe closed with the process: the drain thread ends after its last read.
                if let Some(drain) = self.drain.take() {
                    let _ = drain.join();
                }
                let stderr = self.stderr.lock().map(|s| s.clone()).unwrap_or_default();
                return Err(ChainError::AnvilExited {
                    port: self.port,
                    status: status.to_string(),
                    stderr,
                });
            }
            if let Some(id) = probe_chain_id(self.port) {
                return Ok(id);
            }
            if start.elapsed() > STARTUP_TIMEOUT {
                return Err(ChainError::AnvilTimeout {
                    port: self.port,
                    waited_ms: start.elapsed().as_millis(),
                });
            }
            std::thread::sleep(PROBE_INTERVAL);
        }
    }

    /// The HTTP RPC URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port anvil listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The chain id anvil reported.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(drain) = self.drain.take() {
            let _ = drain.join();
        }
    }
}

/// Reads `pipe` to its end, keeping the last `STDERR_TAIL` bytes (lossy UTF-8) in `tail`.
fn drain_tail(mut pipe: impl Read, tail: &Mutex<String>) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = pipe.read(&mut buf) {
        if n == 0 {
            break;
        }
        if let Ok(mut t) = tail.lock() {
            t.push_str(&String::from_utf8_lossy(&buf[..n]));
            if t.len() > STDERR_TAIL {
                let mut cut = t.len() - STDERR_TAIL;
                while !t.is_char_boundary(cut) {
                    cut += 1;
                }
                t.drain(..cut);
            }
        }
    }
}

/// A loopback port that was free a moment ago (the OS picks it; the listener is dropped).
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(ChainError::NoPort)?;
    Ok(listener.local_addr().map_err(ChainError::NoPort)?.port())
}

/// One `eth_chainId` over plain HTTP/1.1; `None` until the node answers with a result.
fn probe_chain_id(port: u16) -> Option<u64> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let timeout = Duration::from_millis(500);
    let mut stream = TcpStream::connect_timeout(&addr, timeout).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.set_write_timeout(Some(timeout)).ok()?;
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#;
    let request = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (_, json) = response.split_once("\r\n\r\n")?;
    let value: serde_json::Value = serde_json::from_str(json.trim()).ok()?;
    let hex_id = value.get("result")?.as_str()?;
    u64::from_str_radix(hex_id.trim_start_matches("0x"), 16).ok()
}

// ---- Starting on a given port (what `spawn` uses), and stopping cleanly so that a node can
// come back at the same URL with its chain (the dashboard's browser test). ---------------

impl Anvil {
    /// Starts `bin` on the given loopback `port` with `extra` arguments (e.g.
    /// `["--state", path]`, which loads the chain from `path` if it exists and writes it there
    /// on a clean exit) and waits until it answers. For tests that stop a node and start it
    /// again at the same URL; everything else should use [`Anvil::spawn`].
    pub fn spawn_at(bin: &Path, port: u16, extra: &[&str]) -> Result<Self> {
        let port_arg = port.to_string();
        let mut args = vec!["--host", "127.0.0.1", "--port", &port_arg, "--quiet"];
        args.extend_from_slice(extra);
        let child = Command::new(bin)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| ChainError::AnvilSpawn {
                path: bin.display().to_string(),
                source,
            })?;
        // From here on, Drop kills the process on every error path.
        let mut anvil = Self {
            child,
            port,
            chain_id: 0,
            stderr: Arc::default(),
            drain: None,
        };
        if let Some(pipe) = anvil.child.stderr.take() {
            let tail = Arc::clone(&anvil.stderr);
            anvil.drain = Some(std::thread::spawn(move || drain_tail(pipe, &tail)));
        }
        anvil.chain_id = anvil.wait_ready()?;
        Ok(anvil)
    }

    /// Stops anvil cleanly with SIGTERM (sent by `kill`), so that `--state`/`--dump-state`
    /// write the chain, and waits up to `timeout` for it to exit; kills it after that.
    /// Returns whether it exited by itself.
    pub fn terminate(mut self, timeout: Duration) -> bool {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let start = Instant::now();
        while sent && start.elapsed() < timeout {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(PROBE_INTERVAL);
        }
        false // Drop kills it.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anvil_starts_answers_and_stops() {
        let bin = Anvil::path_in_repo(Path::new(env!("CARGO_MANIFEST_DIR")));
        let anvil = Anvil::spawn(&bin).expect("anvil starts (run scripts/setup.sh)");
        assert_eq!(anvil.chain_id(), 31337);
        let port = anvil.port();
        assert_eq!(probe_chain_id(port), Some(31337));
        drop(anvil);
        assert_eq!(probe_chain_id(port), None, "anvil still answers after drop");
    }

    #[test]
    fn an_anvil_that_exits_reports_its_stderr() {
        // /bin/sh given anvil's arguments exits at once with "Illegal option" on stderr.
        match Anvil::spawn(Path::new("/bin/sh")).map(|_| ()) {
            Err(ChainError::AnvilExited { stderr, .. }) => assert!(!stderr.is_empty()),
            other => panic!("expected AnvilExited, got {other:?}"),
        }
    }

    #[test]
    fn missing_binary_is_a_spawn_error() {
        let err = Anvil::spawn(Path::new("/nonexistent/anvil")).expect_err("no binary");
        assert!(matches!(err, ChainError::AnvilSpawn { .. }), "{err}");
    }
}
