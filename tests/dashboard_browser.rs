//! The dashboard in a real browser: Debian's Chromium (headless, driven over the DevTools
//! protocol) loads `contest-cli dashboard` while a mini digits contest (k = 15, N = 8) runs on a
//! real anvil with the real rendered verifier and two real proofs. The page is loaded once and
//! never reloaded; every assertion reads the live DOM:
//! - before the contest exists: "waiting for contest #1";
//! - commit phase, four commitments (one replaced), a test-set reveal in two chunks;
//! - proof A (8/8) on the leaderboard with its gas;
//! - anvil stopped (SIGTERM writes its `--state` file): the page says "reconnecting"; anvil
//!   started again on the same port from that file: "live" again, resumed from the last block
//!   seen, not one row duplicated;
//! - proof B (7/8), the ranking closed, B reveals, A misses its window and the round is ended
//!   (A forfeited), B moves up and is paid, with the bond pool (A's forfeited bond and C's, who
//!   never proved), withdrawals; the organiser is owed nothing of it;
//! - the JSON API agrees, a fresh `--dump-dom` load shows the same rows, and a full-page
//!   screenshot is saved as `target/dashboard-screenshot.png` (and one of the reconnecting
//!   page as `target/dashboard-reconnecting.png`).
//!
//! Needs /usr/bin/chromium: `scripts/setup-browser.sh` installs it (scripts/test.sh runs it).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use halo2_base::halo2_proofs::halo2curves::bn256::{Bn256, Fr};
use halo2_base::halo2_proofs::poly::kzg::commitment::ParamsKZG;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::{json, Value};
use sha3::{Digest, Keccak256};
use tungstenite::{Message, WebSocket};
use zkcontest::chain::anvil::{Anvil, DEV_ACCOUNTS};
use zkcontest::chain::client::Client;
use zkcontest::chain::registry::Registry;
use zkcontest::chain::types::{format_ether, Addr, ContestConfig, Wei};
use zkcontest::circuit::accuracy::{AccuracyWitness, Statement};
use zkcontest::commit::{fr_from_hex, Chain, TESTSET_TAG};
use zkcontest::contest::organiser::testset_layout;
use zkcontest::evm::compile::Solc;
use zkcontest::evm::render::render;
use zkcontest::model::commitment::random_salt;
use zkcontest::model::{
    correct, model_commitment, model_elements, quantise, OnnxFile, QuantizedModel,
};
use zkcontest::prover::keys::{plan, setup};
use zkcontest::prover::proof::prove;
use zkcontest::prover::srs::SrsKind;
use zkcontest::spec::{testset_commitment, testset_elements, Spec, TestSet};

const CHROMIUM: &str = "/usr/bin/chromium";
/// How long the page may take to show a change (the dashboard polls every 200 ms).
const UI_TIMEOUT: Duration = Duration::from_secs(60);
const HOUR: u64 = 3_600;
const DAY: u64 = 24 * HOUR;
/// Seconds added to the commit window for the time the creation takes to be mined.
const SLACK: u64 = 60;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn addr(hex_addr: &str) -> Addr {
    let mut a = [0u8; 20];
    hex::decode_to_slice(hex_addr.trim_start_matches("0x"), &mut a).expect("dev address");
    Addr(a)
}

fn model(spec: &Spec, name: &str) -> QuantizedModel {
    let path = root().join("contest-specs/digits/models").join(name);
    let net = OnnxFile::read(&path)
        .and_then(|f| f.dense_network())
        .expect("onnx");
    quantise(&net.padded(&spec.envelope).expect("fits"), spec, None).expect("quantise")
}

/// Polls `probe` every 50 ms until it returns `Some`, or panics after `timeout`.
fn poll<T>(what: &str, timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A child process killed on drop.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `contest-cli dashboard` on a free port.
fn start_dashboard(rpc: &str, registry: Addr) -> (Proc, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_contest-cli"))
        .args(["--json", "dashboard", "--rpc-url", rpc, "--registry"])
        .arg(registry.to_string())
        .args(["--contest", "1", "--port", "0", "--poll-ms", "200"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("contest-cli runs");
    let stdout = child.stdout.take().expect("stdout");
    let proc = Proc(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the dashboard prints its URL");
    let v: Value = serde_json::from_str(&line).expect("one JSON line on stdout");
    let url = v["url"].as_str().expect("url").to_string();
    assert!(url.ends_with("/contest/1"), "{url}");
    (proc, url)
}

fn http_get(url: &str) -> String {
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut s = TcpStream::connect(host).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

/// Headless Chromium with one page, driven over the DevTools protocol.
struct Browser {
    proc: Proc,
    ws: WebSocket<TcpStream>,
    session: String,
    next: u64,
}

fn chromium(profile: &Path) -> Command {
    let mut c = Command::new(CHROMIUM);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--window-size=1280,1000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    c
}

impl Browser {
    fn open(profile: &Path, url: &str) -> Self {
        assert!(
            Path::new(CHROMIUM).exists(),
            "{CHROMIUM} is missing: run scripts/setup-browser.sh"
        );
        let child = chromium(profile)
            .args(["--remote-debugging-port=0", "about:blank"])
            .spawn()
            .expect("chromium starts");
        let mut proc = Proc(child);
        // Chromium writes the port it picked and the browser's endpoint into the profile.
        let port_file = profile.join("DevToolsActivePort");
        let (port, path) = poll("DevToolsActivePort", Duration::from_secs(30), || {
            if let Ok(Some(status)) = proc.0.try_wait() {
                panic!("chromium exited early: {status}");
            }
            let text = std::fs::read_to_string(&port_file).ok()?;
            let mut lines = text.lines();
            Some((lines.next()?.to_string(), lines.next()?.to_string()))
        });
        let stream = TcpStream::connect(format!("127.0.0.1:{port}")).expect("devtools port");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        let (ws, _) = tungstenite::client(format!("ws://127.0.0.1:{port}{path}"), stream)
            .expect("devtools websocket");
        let mut b = Self {
            proc,
            ws,
            session: String::new(),
            next: 0,
        };
        let target = b.call(None, "Target.createTarget", json!({ "url": url }));
        let target_id = target["targetId"].as_str().expect("targetId").to_string();
        let attached = b.call(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        );
        b.session = attached["sessionId"]
            .as_str()
            .expect("sessionId")
            .to_string();
        b
    }

    fn try_call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, String> {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws
            .send(Message::Text(msg.to_string()))
            .map_err(|e| e.to_string())?;
        loop {
            let reply = match self.ws.read().map_err(|e| e.to_string())? {
                Message::Text(t) => t,
                _ => continue,
            };
            let v: Value = serde_json::from_str(&reply).map_err(|e| e.to_string())?;
            if v["id"].as_u64() != Some(id) {
                continue; // an event
            }
            if let Some(err) = v.get("error") {
                return Err(format!("{method}: {err}"));
            }
            return Ok(v["result"].clone());
        }
    }

    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.try_call(session, method, params)
            .unwrap_or_else(|e| panic!("devtools {e}"))
    }

    /// Evaluates `expr` in the page; `None` if it threw or the page is between documents.
    fn eval(&mut self, expr: &str) -> Option<Value> {
        let session = self.session.clone();
        let r = self
            .try_call(
                Some(&session),
                "Runtime.evaluate",
                json!({ "expression": expr, "returnByValue": true }),
            )
            .ok()?;
        if r.get("exceptionDetails").is_some() {
            return None;
        }
        r["result"].get("value").cloned()
    }

    /// Waits until `expr` is `true` in the page.
    fn wait(&mut self, what: &str, expr: &str) {
        let start = Instant::now();
        while self.eval(expr) != Some(Value::Bool(true)) {
            if start.elapsed() > UI_TIMEOUT {
                let text = self.eval("document.body.innerText").unwrap_or_default();
                panic!("timed out waiting for {what} ({expr}); the page shows:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        println!(
            "[{:>6.1} s in wait] page shows {what}",
            start.elapsed().as_secs_f64()
        );
    }

    /// Loads `url` in the page (a new document).
    fn navigate(&mut self, url: &str) {
        let session = self.session.clone();
        self.call(Some(&session), "Page.navigate", json!({ "url": url }));
    }

    fn text(&mut self, selector: &str) -> String {
        let expr = format!("(document.querySelector({selector:?})||{{}}).textContent||''");
        self.eval(&expr)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// Each `tr[data-address]` of a table as `[address, standing, cell texts…]`.
    fn rows(&mut self, table: &str) -> Vec<Vec<String>> {
        let expr = format!(
            "JSON.stringify([...document.querySelectorAll('#{table} tbody tr[data-address]')]\
             .map(r => [r.dataset.address, r.dataset.standing || '', ...[...r.cells].map(c => c.textContent)]))"
        );
        let json = self
            .eval(&expr)
            .and_then(|v| v.as_str().map(str::to_string));
        serde_json::from_str(&json.unwrap_or_default()).unwrap_or_default()
    }

    fn screenshot(&mut self, path: &Path) {
        let session = self.session.clone();
        let m = self.call(Some(&session), "Page.getLayoutMetrics", json!({}));
        let (w, h) = (
            m["cssContentSize"]["width"].as_f64().unwrap_or(1280.0),
            m["cssContentSize"]["height"].as_f64().unwrap_or(1000.0),
        );
        let shot = self.call(
            Some(&session),
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true,
                    "clip": { "x": 0, "y": 0, "width": w, "height": h, "scale": 1 } }),
        );
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("png data"))
            .expect("base64");
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        if let Some(dir) = path.parent() {
            // `target/` is absent when CARGO_TARGET_DIR points elsewhere.
            std::fs::create_dir_all(dir).expect("screenshot directory");
        }
        std::fs::write(path, &png).expect("write screenshot");
        println!(
            "screenshot: {} ({} bytes, {w}x{h})",
            path.display(),
            png.len()
        );
    }

    fn close(mut self) {
        let _ = self.try_call(None, "Browser.close", json!({}));
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.proc.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A fresh Chromium's `--dump-dom` of `url` (the server-rendered page, as a new visitor gets it).
fn dump_dom(profile: &Path, url: &str) -> String {
    let child = chromium(profile)
        .args(["--dump-dom", url])
        .stdout(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let mut proc = Proc(child);
    let mut out = proc.0.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        let _ = tx.send(s);
    });
    let dom = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("--dump-dom output");
    drop(proc);
    dom
}

/// What the prover thread sends: the verifier's creation code first, then each proof.
enum Proven {
    Verifier(Vec<u8>),
    Proof(Vec<u8>),
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

#[test]
fn dashboard_follows_a_contest_through_an_rpc_restart() {
    let started = Instant::now();
    let lap = |what: &str| println!("[{:>6.1} s] {what}", started.elapsed().as_secs_f64());
    let root = root();
    let fixture = root.join("tests/fixtures/mini-contest");
    let spec_path = fixture.join("contest.toml");
    let spec = Spec::from_path(&spec_path).expect("mini spec");
    let testset = TestSet::from_path(&fixture.join("mini-test.zkts"), &spec).expect("test set");
    let (a_key, a_addr) = (DEV_ACCOUNTS[1].0, addr(DEV_ACCOUNTS[1].1));
    let (b_key, b_addr) = (DEV_ACCOUNTS[2].0, addr(DEV_ACCOUNTS[2].1));
    let (c_key, c_addr) = (DEV_ACCOUNTS[3].0, addr(DEV_ACCOUNTS[3].1));
    let org_addr = addr(DEV_ACCOUNTS[0].1);
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let entries = [
        (a_addr, model(&spec, "mlp-h16.onnx"), random_salt(&mut rng)),
        (b_addr, model(&spec, "weak-h12.onnx"), random_salt(&mut rng)),
    ];
    let commitment = |i: usize| model_commitment(&entries[i].1, &spec, entries[i].2).expect("C");
    let t = testset_commitment(&spec, &testset).expect("T");
    let correct_of = |i: usize| correct(&entries[i].1, &testset).expect("correct") as u64;
    assert_eq!(
        (correct_of(0), correct_of(1)),
        (8, 7),
        "fixture models changed"
    );

    // Keys, verifier and both proofs on another thread while the chain and browser start.
    // Contest 1 of a fresh registry on anvil (chain 31337): the statements are known now.
    let (tx, rx) = mpsc::channel();
    let prover = {
        let (spec, testset, entries) = (spec.clone(), testset.clone(), entries.clone());
        let (root, statements) = (
            root.clone(),
            [0, 1].map(|i| Statement {
                chain_id: 31_337,
                contest_id: 1,
                submitter: entries[i].0 .0,
                model_commitment: commitment(i),
                testset_commitment: t,
                correct: correct_of(i),
            }),
        );
        std::thread::spawn(move || {
            let figures = plan(&spec).expect("plan");
            // UNSAFE: a seeded tau, for tests only.
            let params = ParamsKZG::<Bn256>::setup(figures.k, StdRng::seed_from_u64(15));
            let keys = setup(
                &spec,
                figures,
                &params,
                "test-only.UNSAFE.srs".into(),
                SrsKind::UnsafeDev,
            )
            .expect("keys");
            let source = render(&params, keys.vk()).expect("render");
            let compiled = Solc::in_repo(&root)
                .compile_verifier(&source)
                .expect("solc");
            let _ = tx.send(Proven::Verifier(compiled.creation));
            for (i, (_, model, salt)) in entries.into_iter().enumerate() {
                let witness = AccuracyWitness {
                    model,
                    salt,
                    testset: testset.clone(),
                };
                let (proof, _) =
                    prove(&spec, &keys, &params, &witness, &statements[i]).expect("prove");
                let _ = tx.send(Proven::Proof(proof));
            }
        })
    };
    let next_from_prover = |what: &str| {
        let r = rx
            .recv_timeout(Duration::from_secs(900))
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        lap(&format!("prover: {what} ready"));
        r
    };

    // Chain: anvil on a port we can come back to, keeping its chain in a state file.
    let tmp = tempfile::tempdir().expect("temp dir");
    let state = tmp.path().join("anvil-state.json");
    let state_arg = state.to_str().expect("utf-8").to_string();
    let bin = Anvil::path_in_repo(&root);
    let port = free_port();
    let anvil = Anvil::spawn_at(&bin, port, &["--state", &state_arg])
        .expect("anvil (run scripts/setup.sh)");
    let rpc = anvil.url();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let connect = |key: &str| rt.block_on(Client::connect(&rpc, key)).expect("connect");
    let org = connect(DEV_ACCOUNTS[0].0);
    let (reg, _) = rt.block_on(Registry::deploy(&org)).expect("registry");
    let at = |key: &str| {
        rt.block_on(Registry::at(&connect(key), reg.address()))
            .expect("registry")
    };
    let (reg_a, mut reg_b, reg_c) = (at(a_key), at(b_key), at(c_key));
    lap("anvil and registry up");

    // The dashboard and the browser, before the contest exists.
    let (_dashboard, url) = start_dashboard(&rpc, reg.address());
    let profile = tmp.path().join("chromium-live");
    let mut page = Browser::open(&profile, &url);
    page.wait(
        "the waiting page",
        "document.querySelector('#phase')?.textContent.includes('waiting for contest #1')",
    );
    // Set on the loaded document: still there at the end means the page was never reloaded.
    page.eval("window.__loadedOnce = true");
    lap("dashboard and browser up");

    // Organiser creates the contest once the verifier is compiled.
    let Proven::Verifier(creation) = next_from_prover("verifier") else {
        panic!("verifier first")
    };
    let verifier = rt.block_on(org.deploy(&creation)).expect("deploy verifier");
    let (_, now) = rt.block_on(reg.head()).expect("head");
    let config = ContestConfig {
        spec_hash: Keccak256::digest(std::fs::read(&spec_path).expect("spec")).into(),
        verifier: Addr(verifier.address),
        vk_digest: [0; 32],
        srs_digest: [0; 32],
        testset_commitment: t,
        test_set_size: spec.test_rows as u32,
        min_correct: spec.min_correct as u32,
        layout: testset_layout(&spec).expect("layout"),
        payout_bps: spec.payout.split_bps.iter().map(|b| *b as u16).collect(),
        commit_bond: Wei(spec.payout.commit_bond_wei),
        // Near the registry's shortest windows (an hour to commit and to reveal the test set, a
        // day to prove and to reveal a model); SLACK covers the seconds between this head and
        // the block that mines the creation, which the registry counts against the commit
        // window (without it the creation reverts whenever that block lands a second later).
        commit_deadline: now + SLACK + HOUR,
        test_set_deadline: now + SLACK + 2 * HOUR,
        proof_deadline: now + SLACK + 2 * HOUR + DAY,
        reveal_window: DAY,
    };
    let bond = config.commit_bond;
    let (id, _) = rt
        .block_on(reg.create_contest(&config, Wei::ETHER))
        .expect("create");
    assert_eq!(id, 1);
    page.wait(
        "the commit phase",
        "document.querySelector('#phase')?.textContent === 'commit'",
    );
    assert!(
        page.text("#link").contains("live"),
        "{}",
        page.text("#link")
    );

    // Commit phase: A, B, C, then C replaces its commitment.
    rt.block_on(reg_a.commit_model(id, commitment(0), bond))
        .expect("commit A");
    rt.block_on(reg_b.commit_model(id, commitment(1), bond))
        .expect("commit B");
    rt.block_on(reg_c.commit_model(id, Fr::from(12_345), bond))
        .expect("commit C");
    rt.block_on(reg_c.commit_model(id, Fr::from(54_321), Wei(0)))
        .expect("replace C");
    page.wait(
        "four commitments, one replaced",
        "document.querySelectorAll('#commitments tbody tr').length === 4 && \
         document.querySelectorAll('#commitments tr.replaced').length === 1",
    );
    let rows = page.rows("commitments");
    assert_eq!(rows[2][0], c_addr.to_string());
    assert_eq!(rows[2][6], "replaced");

    // Test set, in two chunks.
    rt.block_on(org.dev_advance_time(SLACK + HOUR + 1))
        .expect("time");
    let elems = testset_elements(&spec, &testset).expect("elements");
    let half = elems.len() / 2;
    let tag = fr_from_hex(TESTSET_TAG).expect("tag");
    let mut chain = Chain::new(tag);
    chain.absorb_all(&elems[..half]);
    let first_claim = chain.state();
    chain.absorb_all(&elems[half..]);
    rt.block_on(reg.reveal_test_set(id, &elems[..half], first_claim, false))
        .expect("chunk 1");
    page.wait(
        "one test-set chunk",
        "document.querySelector('#testset')?.textContent.includes('1 chunk(s)')",
    );
    rt.block_on(reg.reveal_test_set(id, &elems[half..], chain.state(), true))
        .expect("chunk 2");
    page.wait(
        "the challenge window",
        "document.querySelector('#phase')?.textContent === 'test-set challenge window'",
    );
    let challenge_ends = rt
        .block_on(reg.contest(id))
        .expect("contest")
        .challenge_ends;
    let (_, now) = rt.block_on(reg.head()).expect("head");
    rt.block_on(org.dev_advance_time(challenge_ends + 1 - now))
        .expect("time");
    page.wait(
        "the proof phase",
        "document.querySelector('#phase')?.textContent === 'proof'",
    );
    assert!(
        page.text("#testset").contains("verified"),
        "{}",
        page.text("#testset")
    );
    lap("commit and test-set reveal shown");

    // A's proof.
    let Proven::Proof(proof_a) = next_from_prover("proof A") else {
        panic!("proof")
    };
    let tx_a = rt
        .block_on(reg_a.submit_proof(id, 8, &proof_a))
        .expect("submit A");
    page.wait(
        "A on the leaderboard",
        "document.querySelectorAll('#leaderboard tbody tr[data-address]').length === 1",
    );
    let rows = page.rows("leaderboard");
    assert_eq!(rows[0][0], a_addr.to_string());
    assert_eq!(
        (rows[0][5].as_str(), rows[0][6].as_str()),
        ("8 / 8", "100.00%")
    );
    assert_eq!(
        rows[0][7].replace(',', ""),
        tx_a.gas_used.to_string(),
        "gas column"
    );
    println!("submitProof A: {} gas", tx_a.gas_used);

    // The RPC endpoint drops: anvil exits cleanly (writing its state file).
    let before: Value =
        serde_json::from_str(&http_get(&url.replace("/contest/", "/api/contest/"))).expect("json");
    let last_block = before["last_block"].as_u64().expect("last block");
    assert!(
        anvil.terminate(Duration::from_secs(20)),
        "anvil did not exit on SIGTERM"
    );
    page.wait(
        "the reconnecting banner",
        "document.querySelector('#link')?.classList.contains('reconnecting')",
    );
    assert!(state.exists(), "anvil wrote no state file");
    page.screenshot(&root.join("target/dashboard-reconnecting.png"));
    lap("anvil stopped; page says reconnecting");

    // ... and returns on the same port with its chain.
    let anvil = Anvil::spawn_at(&bin, port, &["--state", &state_arg]).expect("anvil restarts");
    page.wait(
        "the link live again",
        "document.querySelector('#link')?.classList.contains('live')",
    );
    let after: Value =
        serde_json::from_str(&http_get(&url.replace("/contest/", "/api/contest/"))).expect("json");
    assert_eq!(
        after["last_block"].as_u64(),
        Some(last_block),
        "resumed from the last block seen"
    );
    assert_eq!(
        after["view"]["events"], before["view"]["events"],
        "no event folded twice"
    );
    assert_eq!(
        page.eval("window.__loadedOnce === true"),
        Some(Value::Bool(true)),
        "the page reloaded"
    );
    assert_eq!(
        page.rows("leaderboard").len(),
        1,
        "leaderboard row duplicated"
    );
    assert_eq!(
        page.rows("commitments").len(),
        4,
        "commitment rows duplicated"
    );
    // anvil 1.7.1 restores blocks, logs and receipts from --state but not the time offset
    // of evm_increaseTime: without this, the next block would be an hour older than the last.
    let org = connect(DEV_ACCOUNTS[0].0);
    let reg = Registry::at(&org, reg.address());
    let reg = rt.block_on(reg).expect("registry after restart");
    reg_b = at(b_key);
    let (_, last_time) = rt.block_on(reg.head()).expect("head");
    let behind = last_time.saturating_sub(unix_now());
    rt.block_on(org.dev_advance_time(behind + 2))
        .expect("realign clock");
    lap(&format!(
        "anvil back at block {last_block}; clock realigned by {} s",
        behind + 2
    ));

    // B's proof after the restart.
    let Proven::Proof(proof_b) = next_from_prover("proof B") else {
        panic!("proof")
    };
    rt.block_on(reg_b.submit_proof(id, 7, &proof_b))
        .expect("submit B");
    page.wait(
        "B on the leaderboard",
        "document.querySelectorAll('#leaderboard tbody tr[data-address]').length === 2",
    );
    let rows = page.rows("leaderboard");
    assert_eq!(
        (rows[0][0].as_str(), rows[1][0].as_str()),
        (a_addr.to_string().as_str(), b_addr.to_string().as_str())
    );
    assert_eq!(
        (rows[1][5].as_str(), rows[1][6].as_str()),
        ("7 / 8", "87.50%")
    );
    prover.join().expect("prover thread");

    // Proof window over: both paid places must reveal; the ranking closes and calls them.
    rt.block_on(org.dev_advance_time(DAY + HOUR)).expect("time");
    page.wait(
        "model-reveal phase",
        "document.querySelector('#phase')?.textContent === 'model reveal'",
    );
    page.wait(
        "must reveal",
        "document.querySelectorAll('#leaderboard tr[data-standing=\"must-reveal\"]').length === 2",
    );
    rt.block_on(reg.close_ranking(id)).expect("close ranking");
    page.wait(
        "both called",
        "document.querySelectorAll('#leaderboard tr[data-standing=\"called\"]').length === 2",
    );
    assert!(
        page.rows("leaderboard")[0][9].contains("must reveal by"),
        "{:?}",
        page.rows("leaderboard")
    );

    // B reveals (two chunks); A never does, is forfeited, and B moves up to first place.
    let b_elems = model_elements(&entries[1].1, &spec, entries[1].2).expect("model elements");
    let half = b_elems.len() / 2;
    rt.block_on(reg_b.reveal_model(id, &b_elems[..half], false))
        .expect("reveal B 1");
    rt.block_on(reg_b.reveal_model(id, &b_elems[half..], true))
        .expect("reveal B 2");
    page.wait(
        "B revealed",
        "document.querySelectorAll('#leaderboard tr[data-standing=\"revealed\"]').length === 1",
    );
    rt.block_on(org.dev_advance_time(DAY + 1)).expect("time");
    page.wait(
        "A overdue",
        "document.querySelectorAll('#leaderboard tr[data-standing=\"overdue\"]').length === 1",
    );
    rt.block_on(reg.forfeit(id))
        .expect("end the round: A forfeited");
    page.wait(
        "settled",
        "document.querySelector('#phase')?.textContent === 'settled'",
    );
    let (paid, _) = rt.block_on(reg_b.withdraw(id)).expect("withdraw B");
    let org_owed = rt.block_on(reg.owed(id, org_addr)).expect("owed");
    assert_eq!(
        org_owed,
        Wei(0),
        "forfeits and non-provers' bonds never reach the organiser"
    );
    page.wait(
        "B's share of the bond pool",
        &format!("(document.querySelector('#payouts tr[data-address=\"{b_addr}\"]')?.cells[4].textContent||'') === '{} ETH'",
            format_ether(2 * bond.0)),
    );
    page.wait(
        "B's withdrawal",
        &format!("(document.querySelector('#payouts tr[data-address=\"{b_addr}\"]')?.cells[6].textContent||'') === '{} ETH'",
            format_ether(paid.0)),
    );
    lap("forfeit, move-up and payouts shown");

    // The final page, as the browser has it.
    let rows = page.rows("leaderboard");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        (rows[0][0].as_str(), rows[0][1].as_str()),
        (a_addr.to_string().as_str(), "forfeited")
    );
    assert_eq!(
        (
            rows[1][0].as_str(),
            rows[1][1].as_str(),
            rows[1][3].as_str()
        ),
        (b_addr.to_string().as_str(), "revealed", "1")
    );
    assert!(rows[1][9].contains("moved up from rank 2"), "{:?}", rows[1]);
    assert_eq!(page.rows("commitments").len(), 4);
    let reveals = page.rows("reveals");
    assert_eq!(
        (reveals.len(), reveals[0][0].as_str()),
        (1, b_addr.to_string().as_str())
    );
    assert!(reveals[0][5].contains("matches C"), "{reveals:?}");
    assert_eq!(
        page.eval("document.querySelectorAll('#accuracy-chart rect.bar').length"),
        Some(json!(2))
    );
    assert_eq!(
        page.eval("document.querySelectorAll('#submissions-chart polyline').length"),
        Some(json!(2))
    );
    assert_eq!(
        page.eval("window.__loadedOnce === true"),
        Some(Value::Bool(true)),
        "the page reloaded"
    );
    assert!(
        page.text("#settlement").contains("remainder"),
        "{}",
        page.text("#settlement")
    );
    let payouts = page.rows("payouts");
    assert_eq!(
        (payouts[0][0].as_str(), payouts[0][3].as_str()),
        (org_addr.to_string().as_str(), "organiser")
    );
    let target = root.join("target");
    page.screenshot(&target.join("dashboard-screenshot.png"));

    // The registry page at `/`: contest 1 settled; a second contest created while the page is
    // open appears without a reload, and its link leads to its own live page.
    let base = url.trim_end_matches("/contest/1").to_string();
    page.navigate(&format!("{base}/"));
    page.wait(
        "the registry page with contest 1",
        "document.querySelectorAll('#contests tr[data-contest]').length === 1 && \
         document.querySelector('#contests tr[data-contest=\"1\"] td.phase-cell')?.textContent === 'settled'",
    );
    page.eval("window.__registryLoadedOnce = true");
    let (_, now) = rt.block_on(reg.head()).expect("head");
    let second = ContestConfig {
        commit_deadline: now + SLACK + HOUR,
        test_set_deadline: now + SLACK + 2 * HOUR,
        proof_deadline: now + SLACK + 2 * HOUR + DAY,
        ..config.clone()
    };
    let (id2, _) = rt
        .block_on(reg.create_contest(&second, Wei(Wei::ETHER.0 / 2)))
        .expect("create contest 2");
    assert_eq!(id2, 2);
    page.wait(
        "contest 2 listed, newest first",
        "document.querySelectorAll('#contests tr[data-contest]').length === 2 && \
         document.querySelector('#contests tbody tr').dataset.contest === '2'",
    );
    let listed = page.eval(
        "JSON.stringify([...document.querySelectorAll('#contests tr[data-contest]')]\
         .map(r => [...r.cells].map(c => c.textContent)))",
    );
    let listed: Vec<Vec<String>> =
        serde_json::from_str(listed.as_ref().and_then(Value::as_str).unwrap_or("[]"))
            .expect("rows");
    assert_eq!(listed[0][0], "Contest #2");
    assert_eq!(listed[0][1], "commit");
    assert_eq!(listed[0][2], "0.5 ETH");
    assert_eq!(listed[0][4], "0", "no entries yet: {listed:?}");
    assert!(listed[0][8].starts_with("commit: "), "{listed:?}");
    assert_eq!(listed[1][0], "Contest #1");
    assert_eq!(
        (listed[1][4].as_str(), listed[1][5].as_str()),
        ("3", "2"),
        "{listed:?}"
    );
    assert_eq!(
        page.eval("window.__registryLoadedOnce === true"),
        Some(Value::Bool(true)),
        "the registry page reloaded"
    );
    page.screenshot(&target.join("dashboard-registry.png"));
    page.eval("document.querySelector('#contests a[href=\"/contest/2\"]').click()");
    page.wait(
        "contest 2's page after following its link",
        "document.querySelector('h1')?.textContent === 'Contest #2' && \
         document.querySelector('#phase')?.textContent === 'commit' && \
         document.querySelector('#held')?.textContent === '0.5 ETH'",
    );
    page.close();

    // The JSON API and a fresh visitor agree.
    let api: Value =
        serde_json::from_str(&http_get(&url.replace("/contest/", "/api/contest/"))).expect("json");
    assert_eq!(api["link"]["state"], "live");
    assert_eq!(api["view"]["phase"], "settled");
    assert_eq!(api["view"]["leaderboard"].as_array().map(Vec::len), Some(2));
    assert_eq!(api["view"]["leaderboard"][1]["moved_up_from"], 2);
    assert_eq!(api["view"]["commitments"].as_array().map(Vec::len), Some(4));
    let dom = dump_dom(&tmp.path().join("chromium-dump"), &url);
    assert!(
        dom.contains("id=\"phase\" class=\"phase phase-Settled\">settled<"),
        "{dom}"
    );
    assert_eq!(dom.matches("data-standing=").count(), 2, "{dom}");
    drop(anvil);
    lap("done");
}
