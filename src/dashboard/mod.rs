//! The organiser dashboard (`contest-cli dashboard`): read-only local web pages of a registry's
//! contests, built only from the registry's events and view functions.
//!
//! - `view`: the [`Ledger`] of a contest's events, folded into a [`ContestView`] (pure; replays
//!   and repeated ranges give the same view);
//! - `watch`: the [`Watcher`] polls the node, resumes from the last block it folded after the
//!   endpoint drops and returns, and publishes a [`Feed`];
//! - `listing`: the [`Lister`] reads every contest's phase, prize and entries for the registry
//!   page;
//! - `hub`: the feeds the server reads: the listing, the default contest, and a watcher per
//!   other contest asked for;
//! - `server`: axum routes with tower-http's limits: the registry page (`/`), each contest's
//!   page, the JSON API (`/api/registry`, `/api/contest/{id}`) and server-sent events;
//! - `html`, `svg`: server-side rendering from askama templates (`templates/dashboard/`; no
//!   JavaScript build: a few lines of inline script apply the streamed updates and tick the
//!   countdowns).

mod html;
mod hub;
pub mod listing;
mod server;
mod svg;
pub mod view;
mod watch;

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

pub use hub::{Hub, Refusal, MAX_WATCHED};
pub use listing::{Lister, RegistryFeed};
pub use server::{bind, router, serve};
pub use view::{ChainState, ContestView, Ledger};
pub use watch::{WatchConfig, Watcher};

use crate::chain::types::Addr;

/// Errors of the dashboard. Chain errors are not among them: the watcher shows them on the
/// page and keeps polling.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// The HTTP listener could not be bound.
    #[error("listening on {addr}: {source} (is the port in use? --port 0 picks a free one)")]
    Bind {
        /// The address asked for.
        addr: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// `Result` with [`DashboardError`].
pub type Result<T> = std::result::Result<T, DashboardError>;

/// The state of the link to the RPC endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Link {
    /// Not connected yet.
    Connecting,
    /// The last poll succeeded.
    Live,
    /// Polls fail; the view is the last one built, and polling goes on.
    Reconnecting {
        /// The latest error (the RPC URL replaced by its host).
        error: String,
        /// When the link dropped (unix seconds, wall clock).
        since: u64,
        /// Failed polls since then.
        attempts: u64,
    },
}

impl Link {
    /// The link after a poll that failed with `error` (redacted), or succeeded: reconnecting
    /// counts the failed polls since the first one.
    pub fn after(&self, error: Option<String>) -> Link {
        let Some(error) = error else {
            return Link::Live;
        };
        match self {
            Link::Reconnecting {
                since, attempts, ..
            } => Link::Reconnecting {
                error,
                since: *since,
                attempts: attempts + 1,
            },
            _ => Link::Reconnecting {
                error,
                since: unix_now(),
                attempts: 1,
            },
        }
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// What the watcher publishes and the server shows: the link state and the latest view.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Feed {
    /// Increases with every change.
    pub version: u64,
    /// The RPC endpoint's scheme, host and port (never its path or query, which may hold a key).
    pub rpc: String,
    /// The registry.
    pub registry: Addr,
    /// The contest shown, once known.
    pub contest_id: Option<u64>,
    /// The link to the node.
    pub link: Link,
    /// The last block folded.
    pub last_block: Option<u64>,
    /// The view, once the contest's creation has been seen.
    pub view: Option<ContestView>,
}

impl Feed {
    /// The feed before the first poll.
    pub fn new(rpc_url: &str, registry: Addr, contest_id: Option<u64>) -> Self {
        Self {
            version: 0,
            rpc: redact_url(rpc_url),
            registry,
            contest_id,
            link: Link::Connecting,
            last_block: None,
            view: None,
        }
    }
}

/// `scheme://host:port` of a URL: hosted RPC URLs carry API keys in the path or query, and
/// the dashboard must not publish them.
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or(authority);
    if scheme.is_empty() {
        host.to_string()
    } else {
        format!("{scheme}://{host}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_keys() {
        assert_eq!(redact_url("http://127.0.0.1:8545"), "http://127.0.0.1:8545");
        assert_eq!(
            redact_url("https://mainnet.example.io/v3/SECRETKEY?x=1"),
            "https://mainnet.example.io"
        );
        assert_eq!(
            redact_url("https://user:pw@node.example:443/path"),
            "https://node.example:443"
        );
        assert_eq!(redact_url("localhost:8545/k"), "localhost:8545");
    }
}
