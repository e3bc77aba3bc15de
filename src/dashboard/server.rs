//! The dashboard's HTTP server (axum on hyper), read-only:
//!
//! | path | what |
//! |---|---|
//! | `/` | the registry page: every contest with phase, prize, entries, phase end and a link |
//! | `/contest/{id}` | a contest's page |
//! | `/api/registry` | the registry listing as JSON |
//! | `/api/contest/{id}` | the contest's [`Feed`] as JSON: link state, last block, the whole view |
//! | `/api/registry/stream`, `/api/contest/{id}/stream` | server-sent events: `{version, html}` per change |
//! | `/api/stream` | the default contest's events |
//! | `/ceremony/transcript.ptau` | the ceremony's latest transcript (`--transcript`: the file, or the newest `.ptau` in the folder), streamed from disk |
//!
//! Only GET and HEAD (405 otherwise, with `Allow`); request bodies over 16 KiB are refused;
//! a request head must arrive within 10 s (hyper's header read timeout, so a slow-header
//! client cannot hold a connection); a response that has not started within 10 s is answered
//! 408 (event streams and downloads are bodies, not covered once their headers are sent); every
//! response says `Cache-Control: no-store` and `X-Content-Type-Options: nosniff`. On shutdown
//! (the hub's token) the listener stops accepting, event streams end, and the server returns
//! once every connection closed (or after 5 s).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::Stream;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_util::io::ReaderStream;
use tokio_util::sync::CancellationToken;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use super::html::{
    self, ContestFragment, ContestPage, MessagePage, RegistryFragment, RegistryPage,
};
use super::hub::{Hub, Refusal};
use super::listing::RegistryFeed;
use super::{DashboardError, Feed, Link, Result};

/// How long a handler may take to start its response.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request body accepted (the dashboard takes none).
const MAX_BODY: usize = 16 * 1024;
/// A comment line on idle event streams, so a closed tab is noticed and proxies keep the
/// connection.
const KEEPALIVE: Duration = Duration::from_secs(15);

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

#[derive(Clone)]
struct App {
    hub: Hub,
    transcript: Arc<Option<PathBuf>>,
}

/// The routes, with their limits and headers.
pub fn router(hub: Hub, transcript: Option<PathBuf>) -> Router {
    let app = App {
        hub,
        transcript: Arc::new(transcript),
    };
    Router::new()
        .route("/", get(registry_page))
        .route("/contest/{id}", get(contest_page))
        .route("/api/registry", get(registry_json))
        .route("/api/registry/stream", get(registry_stream))
        .route("/api/contest/{id}", get(contest_json))
        .route("/api/contest/{id}/stream", get(contest_stream))
        .route("/api/stream", get(default_stream))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route(TRANSCRIPT_PATH, get(transcript_download))
        .fallback(not_found)
        .method_not_allowed_fallback(read_only)
        .with_state(app)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            RESPONSE_TIMEOUT,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

/// Serves `hub`'s feeds on `listener` (and the ceremony transcript at `transcript`, a file or
/// a folder whose newest `.ptau` is served, if given) until the hub's shutdown token is
/// cancelled and every connection has closed.
pub async fn serve(listener: TcpListener, hub: Hub, transcript: Option<PathBuf>) {
    let shutdown = hub.shutdown().clone();
    serve_with(listener, router(hub, transcript), shutdown, HEAD_TIMEOUT).await
}

/// How long a client may take to send a request head (a slow-header client must not hold a
/// connection for ever).
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for open responses before dropping them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// Pause after a failed `accept` (e.g. out of file descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// The accept loop: each connection served by hyper's HTTP/1.1 server with `head_timeout` for
/// every request head, watched for graceful shutdown.
async fn serve_with(
    listener: TcpListener,
    app: Router,
    shutdown: CancellationToken,
    head_timeout: Duration,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(head_timeout);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // One bad connection must not stop the dashboard.
                Err(_) => {
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            _ = shutdown.cancelled() => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let conn = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A client that goes away mid-response is not an error worth reporting.
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
}

fn message(status: StatusCode, title: &str, text: &str) -> Response {
    let body = html::render(&MessagePage::new(title, text));
    (status, Html(body)).into_response()
}

async fn not_found(uri: axum::http::Uri) -> Response {
    message(
        StatusCode::NOT_FOUND,
        "Not found",
        &format!("no page at {}", uri.path()),
    )
}

async fn read_only() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(header::ALLOW, "GET, HEAD")],
        "only GET and HEAD: the dashboard is read-only\n",
    )
        .into_response()
}

fn json(value: &impl Serialize) -> Response {
    match serde_json::to_vec_pretty(value) {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("serialising the view: {e}\n"),
        )
            .into_response(),
    }
}

/// Why a contest page is not served: status, title, text.
type Refused = (StatusCode, &'static str, String);

fn refused((status, title, text): Refused) -> Response {
    message(status, title, &text)
}

/// The feed of the contest in the path, or why not.
fn contest_feed(app: &App, id: &str) -> std::result::Result<watch::Receiver<Arc<Feed>>, Refused> {
    let Ok(id) = id.parse::<u64>() else {
        return Err((
            StatusCode::NOT_FOUND,
            "Not found",
            format!("{id:?} is not a contest id"),
        ));
    };
    app.hub.contest(id).map_err(|r| match r {
        Refusal::NotFound(why) => (StatusCode::NOT_FOUND, "Not found", why),
        Refusal::Busy => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Too many contests",
            "this dashboard already watches as many contests as it may; start another \
             dashboard with --contest for this one"
                .into(),
        ),
    })
}

async fn registry_page(State(app): State<App>) -> Response {
    let feed = app.hub.registry().borrow().clone();
    Html(html::render(&RegistryPage::new(
        &feed,
        "/api/registry/stream",
    )))
    .into_response()
}

async fn registry_json(State(app): State<App>) -> Response {
    let feed = app.hub.registry().borrow().clone();
    json(&*feed)
}

async fn registry_stream(State(app): State<App>) -> Response {
    events(
        app.hub.registry(),
        app.hub.shutdown().clone(),
        registry_event,
    )
    .into_response()
}

async fn contest_page(State(app): State<App>, UrlPath(id): UrlPath<String>) -> Response {
    match contest_feed(&app, &id) {
        Ok(rx) => {
            let feed = rx.borrow().clone();
            let id = feed.contest_id.unwrap_or(0);
            let stream = format!("/api/contest/{id}/stream");
            Html(html::render(&ContestPage::new(&feed, id, &stream))).into_response()
        }
        Err(r) => refused(r),
    }
}

async fn contest_json(State(app): State<App>, UrlPath(id): UrlPath<String>) -> Response {
    match contest_feed(&app, &id) {
        Ok(rx) => {
            let feed = rx.borrow().clone();
            json(&*feed)
        }
        Err(r) => refused(r),
    }
}

async fn contest_stream(State(app): State<App>, UrlPath(id): UrlPath<String>) -> Response {
    match contest_feed(&app, &id) {
        Ok(rx) => events(rx, app.hub.shutdown().clone(), contest_event).into_response(),
        Err(r) => refused(r),
    }
}

async fn default_stream(State(app): State<App>) -> Response {
    events(
        app.hub.default_contest(),
        app.hub.shutdown().clone(),
        contest_event,
    )
    .into_response()
}

/// One server-sent event per change of `rx` (the current value first, with a 1 s reconnect
/// delay), until the feed's sender or the dashboard stops.
fn events<F: Send + Sync + 'static>(
    rx: watch::Receiver<Arc<F>>,
    shutdown: CancellationToken,
    render: fn(&F) -> Event,
) -> Sse<impl Stream<Item = std::result::Result<Event, Infallible>>> {
    let stream = futures_util::stream::unfold(
        (rx, shutdown, true),
        move |(mut rx, shutdown, first)| async move {
            if !first {
                tokio::select! {
                    changed = rx.changed() => changed.ok()?,
                    _ = shutdown.cancelled() => return None,
                }
            }
            let feed = Arc::clone(&rx.borrow_and_update());
            let mut event = render(&feed);
            if first {
                // The browser reconnects after 1 s if the dashboard itself goes away.
                event = event.retry(Duration::from_secs(1));
            }
            Some((Ok(event), (rx, shutdown, false)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEPALIVE).text("keepalive"))
}

/// One event: `{version, link, html}` and the feed's own `extra` field. JSON escapes
/// newlines, so the whole message is one `data:` line.
fn event(
    version: u64,
    link: &Link,
    (key, value): (&str, serde_json::Value),
    html: String,
) -> Event {
    let mut m = serde_json::json!({ "version": version, "link": link, "html": html });
    m[key] = value;
    Event::default().id(version.to_string()).data(m.to_string())
}

fn contest_event(feed: &Feed) -> Event {
    let html = html::render(&ContestFragment::new(feed));
    let last_block = ("last_block", serde_json::json!(feed.last_block));
    event(feed.version, &feed.link, last_block, html)
}

fn registry_event(feed: &RegistryFeed) -> Event {
    let html = html::render(&RegistryFragment::new(feed));
    event(
        feed.version,
        &feed.link,
        ("count", serde_json::json!(feed.count)),
        html,
    )
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

/// Streams the latest transcript as a download (never held in memory whole: transcripts of
/// large ceremonies are gigabytes).
async fn transcript_download(State(app): State<App>) -> Response {
    let path = match latest_transcript(app.transcript.as_deref()) {
        Ok(p) => p,
        Err(why) => return message(StatusCode::NOT_FOUND, "No transcript", &why),
    };
    let opened = async {
        let file = tokio::fs::File::open(&path).await?;
        let len = file.metadata().await?.len();
        std::io::Result::Ok((file, len))
    };
    let (file, len) = match opened.await {
        Ok(f) => f,
        Err(_) => {
            return message(
                StatusCode::NOT_FOUND,
                "No transcript",
                "the ceremony transcript is not available right now",
            )
        }
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().replace(['"', '\\', '\r', '\n'], "_"))
        .unwrap_or_else(|| "transcript.ptau".into());
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            ),
            (header::CONTENT_LENGTH, HeaderValue::from(len)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(ReaderStream::new(file)),
    )
        .into_response()
}

#[cfg(test)]
mod tests;
