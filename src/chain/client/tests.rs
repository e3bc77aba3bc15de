//! The client against loopback stand-ins (bad input, TLS, rate limits) and a real anvil.

use super::*;

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

#[test]
fn bad_urls_and_keys_are_refused_before_any_request() {
    let key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    for url in ["not a url", "ws://127.0.0.1:8545", "file:///tmp/x"] {
        match run(Client::connect(url, key)) {
            Err(ChainError::Url { url: u, .. }) => assert_eq!(u, url),
            other => panic!("{url}: expected a URL error, got {other:?}"),
        }
    }
    let short = &key[..40];
    match run(Client::connect("http://127.0.0.1:1", short)) {
        Err(e @ ChainError::Key(_)) => {
            assert!(!e.to_string().contains(&short[2..]), "the key leaked: {e}")
        }
        other => panic!("expected a key error, got {other:?}"),
    }
}

/// A minimal JSON-RPC endpoint on loopback: answers `eth_chainId` (31337) after refusing
/// the first `refusals` requests with HTTP 429. Returns its URL and the request count.
fn rate_limited_node(refusals: usize) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let count = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut out = stream;
                loop {
                    let mut length = 0usize;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return; // connection closed
                        }
                        if line == "\r\n" {
                            break;
                        }
                        let lower = line.to_ascii_lowercase();
                        if let Some(v) = lower.strip_prefix("content-length:") {
                            length = v.trim().parse().expect("length");
                        }
                    }
                    let mut body = vec![0u8; length];
                    reader.read_exact(&mut body).expect("body");
                    let n = seen.fetch_add(1, Ordering::SeqCst);
                    let response = if n < refusals {
                        "HTTP/1.1 429 Too Many Requests\r\ncontent-length: 0\r\n\r\n".to_string()
                    } else {
                        let req: serde_json::Value =
                            serde_json::from_slice(&body).expect("JSON-RPC request");
                        let reply = serde_json::json!({
                            "jsonrpc": "2.0", "id": req["id"], "result": "0x7a69"
                        })
                        .to_string();
                        format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                             content-length: {}\r\n\r\n{reply}",
                            reply.len()
                        )
                    };
                    if out.write_all(response.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, count)
}

#[test]
fn rate_limited_requests_are_sent_again() {
    use std::sync::atomic::Ordering;
    let (url, count) = rate_limited_node(2);
    let client = run(Client::connect_read_only(&url)).expect("answered on the third try");
    assert_eq!(client.chain_id(), 31337);
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[test]
fn a_node_that_always_rate_limits_is_an_error_in_the_end() {
    use std::sync::atomic::Ordering;
    let (url, count) = rate_limited_node(usize::MAX);
    let started = std::time::Instant::now();
    match run(Client::connect_read_only(&url)) {
        Err(ChainError::Rpc {
            method, message, ..
        }) => {
            assert_eq!(method, "eth_chainId");
            assert!(message.contains("429"), "{message}");
        }
        other => panic!(
            "expected a transport error, got {:?}",
            other.map(|c| c.chain_id())
        ),
    }
    assert_eq!(
        count.load(Ordering::SeqCst),
        RATE_LIMIT_RETRIES as usize + 1
    );
    assert!(started.elapsed() >= Duration::from_millis(RATE_LIMIT_BACKOFF_MS) * RATE_LIMIT_RETRIES);
}

/// An https endpoint goes through rustls (ring): a server that answers the handshake with
/// plain text is a transport error naming the request, not a panic for want of a crypto
/// provider and not a hang.
#[test]
fn https_endpoints_use_tls() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().expect("accept");
        let mut hello = [0u8; 5];
        s.read_exact(&mut hello).expect("read the client hello");
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        hello
    });
    let url = format!("https://127.0.0.1:{port}");
    let err = run(Client::connect_read_only(&url)).expect_err("not a TLS server");
    match &err {
        ChainError::Rpc { method, .. } => assert_eq!(*method, "eth_chainId"),
        other => panic!("expected a transport error, got {other:?}"),
    }
    // 0x16 0x03: a TLS handshake record, the client hello.
    let hello = server.join().expect("server");
    assert_eq!(&hello[..2], &[0x16, 0x03], "{hello:?}");
}

/// Against a real anvil that mines only when told to: the receipt loop waits for the policy's
/// confirmations, and a transaction the node drops is `NoReceipt`, not a hang.
mod anvil {
    use std::path::Path;

    use super::super::*;
    use crate::chain::anvil::{Anvil, DEV_ACCOUNTS};

    async fn rpc(client: &Client, method: &'static str) {
        client
            .provider()
            .raw_request::<_, serde_json::Value>(method.into(), ())
            .await
            .unwrap_or_else(|e| panic!("{method}: {e}"));
    }

    #[test]
    fn receipts_wait_for_confirmations_and_dropped_transactions_end() {
        let bin = Anvil::path_in_repo(Path::new(env!("CARGO_MANIFEST_DIR")));
        let anvil = Anvil::spawn_with(&bin, &["--no-mining"]).expect("anvil (scripts/setup.sh)");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let url = anvil.url();
            let miner = Client::connect(&url, DEV_ACCOUNTS[1].0)
                .await
                .expect("connect");
            let sender = Client::connect(&url, DEV_ACCOUNTS[0].0)
                .await
                .expect("connect")
                .with_policy(TxPolicy {
                    confirmations: 3,
                    ..TxPolicy::default()
                });
            let to = [0x11; 20];

            // Three confirmations: not done after the mining block, done after two more.
            let send = tokio::spawn({
                let sender = sender.clone();
                async move { sender.send(to, &[], 30_000).await }
            });
            tokio::time::sleep(Duration::from_millis(300)).await;
            rpc(&miner, "evm_mine").await;
            tokio::time::sleep(Duration::from_millis(1_500)).await;
            assert!(!send.is_finished(), "returned with one block of three");
            rpc(&miner, "evm_mine").await;
            tokio::time::sleep(Duration::from_millis(1_500)).await;
            assert!(!send.is_finished(), "returned with two blocks of three");
            rpc(&miner, "evm_mine").await;
            let mined = tokio::time::timeout(Duration::from_secs(10), send)
                .await
                .expect("returns once three blocks hold it")
                .expect("task")
                .expect("mined");
            assert!(mined.success);
            assert_eq!(mined.gas_used, 21_000);

            // Dropped from the pool before any block: an error, within a few seconds.
            let send = tokio::spawn({
                let sender = sender.clone();
                async move { sender.send(to, &[], 30_000).await }
            });
            tokio::time::sleep(Duration::from_millis(300)).await;
            rpc(&miner, "anvil_dropAllTransactions").await;
            match tokio::time::timeout(Duration::from_secs(15), send)
                .await
                .expect("no hang")
                .expect("task")
            {
                Err(ChainError::NoReceipt { tx }) => assert_eq!(tx.len(), 64, "{tx}"),
                other => panic!("expected NoReceipt, got {other:?}"),
            }
        });
    }
}
