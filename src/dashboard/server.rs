//! A small HTTP/1.1 server on tokio's `TcpListener`, read-only, one request per connection:
//!
//! | path | what |
//! |---|---|
//! | `/` | redirect to `/contest/{id}` (or the waiting page before the contest is known) |
//! | `/contest/{id}` | the page |
//! | `/api/contest/{id}` | the [`Feed`] as JSON: link state, last block, the whole view |
//! | `/api/contest/{id}/stream`, `/api/stream` | server-sent events: `{version, html}` per change |

use std::net::SocketAddr;
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

/// Binds the listener.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| DashboardError::Bind {
            addr: addr.to_string(),
            source,
        })
}

/// Serves `feed` on `listener` until the future is dropped. A failed `accept` is retried: one
/// bad connection must not stop the dashboard.
pub async fn serve(listener: TcpListener, feed: watch::Receiver<Arc<Feed>>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let feed = feed.clone();
                tokio::spawn(async move {
                    // A client that goes away mid-response is not an error worth reporting.
                    let _ = handle(stream, feed).await;
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
        _ => Route::NotFound(format!("no page at {path}")),
    }
}

async fn handle(
    mut stream: TcpStream,
    mut feed: watch::Receiver<Arc<Feed>>,
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
    };
    response.send(&mut stream, head_only).await
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
        let server = tokio::spawn(serve(listener, rx));

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
