//! A small HTTP/1.1 server on tokio's `TcpListener`, read-only, one request per connection:
//!
//! | path | what |
//! |---|---|
//! | `/` | redirect to `/contest/{id}` (or the waiting page before the contest is known) |
//! | `/contest/{id}` | the page |
//! | `/api/contest/{id}` | the [`Feed`] as JSON: link state, last block, the whole view |
//! | `/api/contest/{id}/stream`, `/api/stream` | server-sent events: `{version, html}` per change |
//! | `/ceremony/transcript.ptau` | the ceremony's latest transcript (`--transcript`: the file, or the newest `.ptau` in the folder), streamed from disk |

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::html;
use super::{DashboardError, Feed, Result};

/// How long a client may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request head accepted.
const MAX_HEAD: usize = 16 * 1024;
/// A comment line on idle event streams, so a closed tab is noticed and proxies keep the
/// connection.
const KEEPALIVE: Duration = Duration::from_secs(15);
/// Pause after a failed `accept` (e.g. out of file descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Where the ceremony's latest transcript is downloaded.
pub const TRANSCRIPT_PATH: &str = "/ceremony/transcript.ptau";

/// Binds the listener.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| DashboardError::Bind {
            addr: addr.to_string(),
            source,
        })
}

/// Serves `feed` on `listener` until the future is dropped, and the ceremony transcript at
/// `transcript` (a file, or a folder whose newest `.ptau` is served) if given. A failed `accept`
/// is retried: one bad connection must not stop the dashboard.
pub async fn serve(
    listener: TcpListener,
    feed: watch::Receiver<Arc<Feed>>,
    transcript: Option<PathBuf>,
) {
    let transcript = Arc::new(transcript);
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let feed = feed.clone();
                let transcript = Arc::clone(&transcript);
                tokio::spawn(async move {
                    // A client that goes away mid-response is not an error worth reporting.
                    let _ = handle(stream, feed, transcript.as_deref()).await;
                });
            }
            Err(_) => tokio::time::sleep(ACCEPT_BACKOFF).await,
        }
    }
}

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    Redirect(String),
    Page(u64),
    WaitingPage,
    Api,
    Stream,
    NotFound(String),
    NoContent,
    Transcript,
}

fn route(path: &str, watched: Option<u64>) -> Route {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let check = |id: &str, ok: Route| match (id.parse::<u64>(), watched) {
        (Ok(id), Some(w)) if id == w => ok,
        (Ok(_), None) => ok,
        (Ok(_), Some(w)) => Route::NotFound(format!("this dashboard watches contest {w}")),
        (Err(_), _) => Route::NotFound(format!("{id:?} is not a contest id")),
    };
    match parts.as_slice() {
        [] => match watched {
            Some(id) => Route::Redirect(format!("/contest/{id}")),
            None => Route::WaitingPage,
        },
        ["contest", id] => check(id, Route::Page(id.parse().unwrap_or(0))),
        ["api", "contest", id] => check(id, Route::Api),
        ["api", "contest", id, "stream"] => check(id, Route::Stream),
        ["api", "stream"] => Route::Stream,
        ["favicon.ico"] => Route::NoContent,
        ["ceremony", "transcript.ptau"] => Route::Transcript,
        _ => Route::NotFound(format!("no page at {path}")),
    }
}

async fn handle(
    mut stream: TcpStream,
    mut feed: watch::Receiver<Arc<Feed>>,
    transcript: Option<&Path>,
) -> std::io::Result<()> {
    let head = match tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream)).await {
        Ok(Ok(Some(head))) => head,
        _ => return Ok(()),
    };
    let mut words = head.lines().next().unwrap_or("").split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        let r = Response::text(405, "only GET and HEAD: the dashboard is read-only\n");
        return r
            .with_header("Allow: GET, HEAD")
            .send(&mut stream, false)
            .await;
    }
    let current = feed.borrow_and_update().clone();
    let response = match route(target, current.contest_id) {
        Route::Redirect(to) => Response::text(302, "").with_header(&format!("Location: {to}")),
        Route::Page(id) => Response::html(
            200,
            html::page(&current, id, &format!("/api/contest/{id}/stream")),
        ),
        Route::WaitingPage => Response::html(200, html::page(&current, 0, "/api/stream")),
        Route::Api => Response::json(200, &*current),
        Route::NotFound(why) => Response::html(404, html::message_page("Not found", &why)),
        Route::NoContent => Response::text(204, ""),
        Route::Stream => return stream_events(stream, feed, head_only).await,
        Route::Transcript => match latest_transcript(transcript) {
            Ok(path) => return send_file(stream, &path, head_only).await,
            Err(why) => Response::html(404, html::message_page("No transcript", &why)),
        },
    };
    response.send(&mut stream, head_only).await
}

/// The file to serve for `--transcript PATH`: PATH itself, or the most recently modified
/// `.ptau` file in the folder PATH (so a ceremony's coordinator drops each new transcript in).
fn latest_transcript(configured: Option<&Path>) -> std::result::Result<PathBuf, String> {
    let Some(path) = configured else {
        return Err(
            "this dashboard serves no ceremony transcript (start it with --transcript)".into(),
        );
    };
    if !path.is_dir() {
        return if path.is_file() {
            Ok(path.to_path_buf())
        } else {
            Err("the ceremony transcript is not available right now".into())
        };
    }
    let newest = std::fs::read_dir(path)
        .map_err(|_| "the ceremony transcript folder cannot be read".to_string())?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "ptau"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max();
    newest
        .map(|(_, p)| p)
        .ok_or_else(|| "no transcript has been published yet".into())
}

/// Streams the file at `path` as a download (never held in memory whole: transcripts of large
/// ceremonies are gigabytes).
async fn send_file(mut stream: TcpStream, path: &Path, head_only: bool) -> std::io::Result<()> {
    let mut file = tokio::fs::File::open(path).await?;
    let len = file.metadata().await?.len();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().replace(['"', '\\', '\r', '\n'], "_"))
        .unwrap_or_else(|| "transcript.ptau".into());
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {len}\r\n\
         Content-Disposition: attachment; filename=\"{name}\"\r\nCache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await?;
    if !head_only {
        tokio::io::copy(&mut file, &mut stream).await?;
    }
    stream.shutdown().await
}

/// Reads up to the blank line that ends the request head; `None` if the client closed first
/// or sent more than `MAX_HEAD` bytes.
async fn read_head(stream: &mut TcpStream) -> std::io::Result<Option<String>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            return Ok(Some(String::from_utf8_lossy(&buf[..end]).into_owned()));
        }
        if buf.len() > MAX_HEAD {
            return Ok(None);
        }
    }
}

/// One server-sent event per feed change: `data: {"version": …, "html": …}`.
async fn stream_events(
    mut stream: TcpStream,
    mut feed: watch::Receiver<Arc<Feed>>,
    head_only: bool,
) -> std::io::Result<()> {
    stream
        .write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
              Connection: keep-alive\r\nX-Content-Type-Options: nosniff\r\n\r\n",
        )
        .await?;
    if head_only {
        return Ok(());
    }
    // The browser reconnects after 1 s if the dashboard itself goes away.
    stream.write_all(b"retry: 1000\n\n").await?;
    loop {
        let message = event_message(&feed.borrow_and_update());
        stream.write_all(message.as_bytes()).await?;
        loop {
            tokio::select! {
                changed = feed.changed() => {
                    if changed.is_err() {
                        return Ok(()); // the watcher stopped: the dashboard is shutting down
                    }
                    break;
                }
                _ = tokio::time::sleep(KEEPALIVE) => stream.write_all(b": keepalive\n\n").await?,
            }
        }
    }
}

fn event_message(feed: &Feed) -> String {
    #[derive(Serialize)]
    struct Message<'a> {
        version: u64,
        link: &'a super::Link,
        last_block: Option<u64>,
        html: String,
    }
    let m = Message {
        version: feed.version,
        link: &feed.link,
        last_block: feed.last_block,
        html: html::fragment(feed),
    };
    // JSON escapes newlines, so the whole message is one `data:` line.
    let json = serde_json::to_string(&m).unwrap_or_else(|_| "{}".into());
    format!("id: {}\ndata: {json}\n\n", feed.version)
}

/// A complete response with a body.
struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    extra: Vec<String>,
}

impl Response {
    fn text(status: u16, body: &str) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.as_bytes().to_vec(),
            extra: Vec::new(),
        }
    }

    fn html(status: u16, body: String) -> Self {
        Self {
            status,
            content_type: "text/html; charset=utf-8",
            body: body.into_bytes(),
            extra: Vec::new(),
        }
    }

    fn json(status: u16, value: &impl Serialize) -> Self {
        let body = serde_json::to_vec_pretty(value).unwrap_or_else(|e| {
            format!("{{\"error\": \"serialising the view: {e}\"}}").into_bytes()
        });
        Self {
            status,
            content_type: "application/json",
            body,
            extra: Vec::new(),
        }
    }

    fn with_header(mut self, header: &str) -> Self {
        self.extra.push(header.to_string());
        self
    }

    async fn send(self, stream: &mut TcpStream, head_only: bool) -> std::io::Result<()> {
        let reason = match self.status {
            200 => "OK",
            204 => "No Content",
            302 => "Found",
            404 => "Not Found",
            405 => "Method Not Allowed",
            _ => "Error",
        };
        let mut head = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
             Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
            self.status,
            self.content_type,
            self.body.len()
        );
        for h in &self.extra {
            head.push_str(h);
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await?;
        if !head_only {
            stream.write_all(&self.body).await?;
        }
        stream.shutdown().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::types::Addr;

    #[test]
    fn routes() {
        assert_eq!(route("/", Some(3)), Route::Redirect("/contest/3".into()));
        assert_eq!(route("/", None), Route::WaitingPage);
        assert_eq!(route("/contest/3?x=1", Some(3)), Route::Page(3));
        assert_eq!(route("/contest/4", None), Route::Page(4));
        assert!(matches!(route("/contest/4", Some(3)), Route::NotFound(_)));
        assert!(matches!(route("/contest/x", Some(3)), Route::NotFound(_)));
        assert_eq!(route("/api/contest/3", Some(3)), Route::Api);
        assert_eq!(route("/api/contest/3/stream", Some(3)), Route::Stream);
        assert_eq!(route("/api/stream", Some(3)), Route::Stream);
        assert!(matches!(route("/etc/passwd", Some(3)), Route::NotFound(_)));
        assert_eq!(route(TRANSCRIPT_PATH, Some(3)), Route::Transcript);
        assert!(matches!(
            route("/ceremony/../secret.ptau", Some(3)),
            Route::NotFound(_)
        ));
    }

    /// The newest `.ptau` of the folder, byte for byte, as an attachment; a folder with none
    /// and a dashboard without `--transcript` answer 404.
    #[tokio::test]
    async fn serves_the_latest_transcript() {
        let dir = tempfile::tempdir().expect("temp dir");
        let feed = Feed::new("http://127.0.0.1:9", Addr([1; 20]), Some(1));
        let start = |transcript: Option<PathBuf>| {
            let feed = feed.clone();
            async move {
                let listener = bind("127.0.0.1:0".parse().expect("addr"))
                    .await
                    .expect("bind");
                let addr = listener.local_addr().expect("addr");
                let (_tx, rx) = watch::channel(Arc::new(feed));
                let server = tokio::spawn(serve(listener, rx, transcript));
                (addr, server, _tx)
            }
        };
        let get = |addr: SocketAddr| async move {
            let mut s = TcpStream::connect(addr).await.expect("connect");
            s.write_all(format!("GET {TRANSCRIPT_PATH} HTTP/1.1\r\n\r\n").as_bytes())
                .await
                .expect("write");
            let mut out = Vec::new();
            s.read_to_end(&mut out).await.expect("read");
            out
        };
        let (addr, server, _tx) = start(Some(dir.path().to_path_buf())).await;
        assert!(get(addr).await.starts_with(b"HTTP/1.1 404"), "no .ptau yet");
        std::fs::write(dir.path().join("pot_1.ptau"), b"first").expect("write");
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(dir.path().join("notes.txt"), b"not a transcript").expect("write");
        std::fs::write(dir.path().join("pot_2.ptau"), b"second transcript").expect("write");
        let out = get(addr).await;
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
        assert!(text.contains("filename=\"pot_2.ptau\""), "{text}");
        assert!(text.contains("Content-Length: 17"), "{text}");
        assert!(out.ends_with(b"\r\n\r\nsecond transcript"), "{text}");
        server.abort();

        let (addr, server, _tx) = start(None).await;
        assert!(get(addr).await.starts_with(b"HTTP/1.1 404"));
        server.abort();
    }

    /// Over a real socket: the page, the JSON, a 404, and a streamed change.
    #[tokio::test]
    async fn serves_page_json_and_events() {
        let listener = bind("127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let feed = Feed {
            contest_id: Some(1),
            ..Feed::new("http://127.0.0.1:9/key", Addr([1; 20]), Some(1))
        };
        let (tx, rx) = watch::channel(Arc::new(feed.clone()));
        let server = tokio::spawn(serve(listener, rx, None));

        let get = |path: &'static str| async move {
            let mut s = TcpStream::connect(addr).await.expect("connect");
            let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
            s.write_all(req.as_bytes()).await.expect("write");
            let mut out = String::new();
            s.read_to_string(&mut out).await.expect("read");
            out
        };
        let page = get("/contest/1").await;
        assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
        assert!(page.contains("waiting for contest #1"), "{page}");
        assert!(!page.contains("/key"), "the RPC URL's path leaked");
        let api = get("/api/contest/1").await;
        assert!(api.contains("\"state\": \"connecting\""), "{api}");
        assert!(get("/api/contest/2").await.starts_with("HTTP/1.1 404"));
        assert!(get("/").await.contains("Location: /contest/1"));

        let mut s = TcpStream::connect(addr).await.expect("connect");
        s.write_all(b"GET /api/contest/1/stream HTTP/1.1\r\n\r\n")
            .await
            .expect("write");
        let mut seen = String::new();
        let mut buf = [0u8; 4096];
        let mut sent = false;
        while !seen.contains("\"version\":7") {
            let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf))
                .await
                .expect("an event within 10 s")
                .expect("read");
            assert!(n > 0, "stream closed: {seen}");
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
            if !sent && seen.contains("\"version\":0") {
                tx.send_replace(Arc::new(Feed {
                    version: 7,
                    link: super::super::Link::Live,
                    ..feed.clone()
                }));
                sent = true;
            }
        }
        assert!(seen.contains("text/event-stream"), "{seen}");
        server.abort();
    }
}
