//! The server over a real socket, with feeds set by hand (no node: contests other than the
//! default one get watchers that only ever say "connecting").

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::*;
use crate::chain::types::Addr;
use crate::dashboard::listing::RegistryFeed;
use crate::dashboard::WatchConfig;

struct Running {
    addr: SocketAddr,
    hub: Hub,
    server: tokio::task::JoinHandle<()>,
    contest_tx: watch::Sender<Arc<Feed>>,
    registry_tx: watch::Sender<Arc<RegistryFeed>>,
}

fn cfg() -> WatchConfig {
    WatchConfig {
        rpc_url: "http://127.0.0.1:9/key".into(),
        registry: Addr([1; 20]),
        contest: Some(1),
        from_block: None,
        poll: Duration::from_millis(200),
        max_range: 1_000,
    }
}

async fn start(transcript: Option<PathBuf>, count: u64) -> Running {
    start_with(transcript, count, HEAD_TIMEOUT).await
}

async fn start_with(transcript: Option<PathBuf>, count: u64, head_timeout: Duration) -> Running {
    let listener = bind("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let feed = Feed::new("http://127.0.0.1:9/key", Addr([1; 20]), Some(1));
    let (contest_tx, contest_rx) = watch::channel(Arc::new(feed));
    let registry = RegistryFeed {
        count,
        ..RegistryFeed::new("http://127.0.0.1:9/key", Addr([1; 20]))
    };
    let (registry_tx, registry_rx) = watch::channel(Arc::new(registry));
    let hub = Hub::new(cfg(), registry_rx, contest_rx);
    let server = tokio::spawn(serve_with(
        listener,
        router(hub.clone(), transcript),
        hub.shutdown().clone(),
        head_timeout,
    ));
    Running {
        addr,
        hub,
        server,
        contest_tx,
        registry_tx,
    }
}

/// One request on its own connection; the whole response.
async fn request(addr: SocketAddr, method: &str, path: &str) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let req = format!("{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out))
        .await
        .expect("a response within 10 s")
        .expect("read");
    out
}

async fn get(addr: SocketAddr, path: &str) -> String {
    String::from_utf8_lossy(&request(addr, "GET", path).await).into_owned()
}

/// Reads the event stream at `path` until `until` is in it, calling `then` once when `first`
/// appears.
async fn stream_until(
    addr: SocketAddr,
    path: &str,
    first: &str,
    until: &str,
    then: impl FnOnce(),
) -> String {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .expect("write");
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    let mut then = Some(then);
    while !seen.contains(until) {
        let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf))
            .await
            .expect("an event within 10 s")
            .expect("read");
        assert!(n > 0, "stream closed: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        if seen.contains(first) {
            if let Some(f) = then.take() {
                f();
            }
        }
    }
    seen
}

/// The newest `.ptau` of the folder, byte for byte, as an attachment; a folder with none
/// and a dashboard without `--transcript` answer 404.
#[tokio::test]
async fn serves_the_latest_transcript() {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = start(Some(dir.path().to_path_buf()), 1).await;
    let got = get(r.addr, TRANSCRIPT_PATH).await;
    assert!(got.starts_with("HTTP/1.1 404"), "no .ptau yet: {got}");
    std::fs::write(dir.path().join("pot_1.ptau"), b"first").expect("write");
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(dir.path().join("notes.txt"), b"not a transcript").expect("write");
    std::fs::write(dir.path().join("pot_2.ptau"), b"second transcript").expect("write");
    let out = request(r.addr, "GET", TRANSCRIPT_PATH).await;
    let text = String::from_utf8_lossy(&out).to_lowercase();
    assert!(text.starts_with("http/1.1 200 ok"), "{text}");
    assert!(text.contains("filename=\"pot_2.ptau\""), "{text}");
    assert!(text.contains("content-length: 17"), "{text}");
    assert!(out.ends_with(b"\r\n\r\nsecond transcript"), "{text}");
    r.server.abort();

    let r = start(None, 1).await;
    assert!(get(r.addr, TRANSCRIPT_PATH)
        .await
        .starts_with("HTTP/1.1 404"));
    r.server.abort();
}

/// The contest page, its JSON, refusals, a streamed change; the registry page at `/`; only
/// GET and HEAD; the headers every response carries.
#[tokio::test]
async fn serves_pages_json_and_events() {
    let r = start(None, 1).await;
    let page = get(r.addr, "/contest/1").await;
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(page.contains("waiting for contest #1"), "{page}");
    assert!(!page.contains("/key"), "the RPC URL's path leaked");
    let lower = page.to_lowercase();
    assert!(lower.contains("cache-control: no-store"), "{page}");
    assert!(lower.contains("x-content-type-options: nosniff"), "{page}");
    let api = get(r.addr, "/api/contest/1").await;
    assert!(api.contains("\"state\": \"connecting\""), "{api}");
    for (path, why) in [
        ("/api/contest/2", "no contest #2"),
        ("/contest/0", "no contest #0"),
        ("/contest/x", "\"x\" is not a contest id"),
        ("/etc/passwd", "no page at /etc/passwd"),
        ("/ceremony/../secret.ptau", "no page at"),
    ] {
        let got = get(r.addr, path).await;
        assert!(got.starts_with("HTTP/1.1 404"), "{path}: {got}");
        assert!(
            got.contains(&why.replace('"', "&#34;")) || got.contains(why),
            "{path}: {got}"
        );
    }
    let root = get(r.addr, "/").await;
    assert!(root.starts_with("HTTP/1.1 200 OK"), "{root}");
    assert!(root.contains("id=\"contests\""), "{root}");
    assert!(
        root.contains("data-stream=\"/api/registry/stream\""),
        "{root}"
    );
    let post = get_with(r.addr, "POST", "/contest/1").await;
    assert!(post.starts_with("HTTP/1.1 405"), "{post}");
    assert!(
        post.to_lowercase().contains("allow: get,head")
            || post.to_lowercase().contains("allow: get, head"),
        "{post}"
    );
    let head = get_with(r.addr, "HEAD", "/contest/1").await;
    assert!(
        head.starts_with("HTTP/1.1 200 OK") && !head.contains("<html"),
        "{head}"
    );

    let tx = r.contest_tx.clone();
    let seen = stream_until(
        r.addr,
        "/api/contest/1/stream",
        "\"version\":0",
        "\"version\":7",
        || {
            tx.send_modify(|f| {
                *f = Arc::new(Feed {
                    version: 7,
                    link: Link::Live,
                    ..(**f).clone()
                })
            });
        },
    )
    .await;
    assert!(seen.contains("text/event-stream"), "{seen}");
    assert!(seen.contains("retry: 1000"), "{seen}");
    r.server.abort();
}

async fn get_with(addr: SocketAddr, method: &str, path: &str) -> String {
    String::from_utf8_lossy(&request(addr, method, path).await).into_owned()
}

/// A contest created after the dashboard started: its row reaches the registry page's stream,
/// and its page is then served by a watcher of its own.
#[tokio::test]
async fn registry_stream_and_new_contests() {
    let r = start(None, 1).await;
    assert!(get(r.addr, "/contest/2").await.starts_with("HTTP/1.1 404"));
    let tx = r.registry_tx.clone();
    let seen = stream_until(
        r.addr,
        "/api/registry/stream",
        "\"count\":1",
        "\"count\":2",
        || {
            tx.send_modify(|f| {
                *f = Arc::new(RegistryFeed {
                    version: 3,
                    count: 2,
                    ..(**f).clone()
                })
            });
        },
    )
    .await;
    assert!(seen.contains("\"version\":3"), "{seen}");
    let page = get(r.addr, "/contest/2").await;
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(page.contains("<h1>Contest #2</h1>"), "{page}");
    assert!(
        page.contains("data-stream=\"/api/contest/2/stream\""),
        "{page}"
    );
    r.server.abort();
}

/// Shutdown ends open event streams and the server returns.
#[tokio::test]
async fn shuts_down_gracefully_with_open_streams() {
    let r = start(None, 1).await;
    let mut s = TcpStream::connect(r.addr).await.expect("connect");
    s.write_all(b"GET /api/registry/stream HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut buf = [0u8; 4096];
    let n = s.read(&mut buf).await.expect("read");
    assert!(String::from_utf8_lossy(&buf[..n]).contains("200 OK"));
    r.hub.shutdown().cancel();
    tokio::time::timeout(Duration::from_secs(5), r.server)
        .await
        .expect("the server returns within 5 s of shutdown")
        .expect("no panic");
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut rest))
        .await
        .expect("the stream ends")
        .expect("read");
}

/// A client that never finishes its request head is disconnected after the head timeout.
#[tokio::test]
async fn slow_request_heads_are_cut_off() {
    let r = start_with(None, 1, Duration::from_millis(300)).await;
    let (addr, shutdown, server) = (r.addr, r.hub.shutdown().clone(), r.server);
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut rest)).await;
    assert!(
        closed.is_ok(),
        "the connection stayed open past the head timeout"
    );
    // A complete request on a fresh connection is still served.
    let page = String::from_utf8_lossy(&request(addr, "GET", "/").await).into_owned();
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("shutdown")
        .expect("no panic");
}

/// At most `MAX_WATCHED` contests besides the default get watchers; the next is refused with
/// 503, while contests already watched and the default one are still served.
#[tokio::test]
async fn watched_contests_are_capped() {
    let r = start(None, 200).await;
    for id in 2..2 + crate::dashboard::MAX_WATCHED as u64 {
        assert!(r.hub.contest(id).is_ok(), "contest {id}");
    }
    let over = 2 + crate::dashboard::MAX_WATCHED as u64;
    assert_eq!(r.hub.contest(over).err(), Some(Refusal::Busy));
    let page = get(r.addr, &format!("/contest/{over}")).await;
    assert!(page.starts_with("HTTP/1.1 503"), "{page}");
    assert!(get(r.addr, "/contest/2").await.starts_with("HTTP/1.1 200"));
    assert!(get(r.addr, "/contest/1").await.starts_with("HTTP/1.1 200"));
    r.server.abort();
}

/// The default watcher follows the latest contest: when it adopts a contest that a request
/// had already given a watcher of its own, that watcher is stopped and the default served.
#[tokio::test]
async fn a_contest_adopted_by_the_default_watcher_is_watched_once() {
    let r = start(None, 2).await;
    r.contest_tx
        .send(Arc::new(Feed::new(
            "http://127.0.0.1:9/key",
            Addr([1; 20]),
            None,
        )))
        .expect("send");
    let mut extra = r.hub.contest(2).expect("contest 2 gets its own watcher");
    assert!(!extra.same_channel(&r.hub.default_contest()));
    r.contest_tx
        .send(Arc::new(Feed::new(
            "http://127.0.0.1:9/key",
            Addr([1; 20]),
            Some(2),
        )))
        .expect("send");
    let served = r.hub.contest(2).expect("contest 2");
    assert!(served.same_channel(&r.hub.default_contest()));
    // The extra watcher's task is stopped: its feed's sender is gone.
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while extra.changed().await.is_ok() {}
    })
    .await;
    assert!(ended.is_ok(), "the extra watcher still runs");
    r.server.abort();
}
