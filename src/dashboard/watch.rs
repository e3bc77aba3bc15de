//! Polls the node and keeps the [`Feed`] current.
//!
//! Each poll reads the head, folds the contest's events from the block after the last one
//! folded up to the head (in windows of at most `max_range` blocks, advancing the cursor after
//! each window), then the block times, proof gas and contract state the view needs. When a
//! poll fails the link becomes `Reconnecting`, the last view stays up, and the next poll
//! connects afresh and resumes from the cursor: nothing is refolded twice, and the ledger's
//! keys would absorb it if it were. A chain that went back (head below the cursor, or the
//! contest gone or different) is followed: the lost blocks are forgotten.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::view::{ChainState, Ledger};
use super::{redact_url, Feed, Link};
use crate::chain::client::Client;
use crate::chain::registry::Registry;
use crate::chain::types::{Addr, Phase, Wei};
use crate::chain::ChainError;

/// A poll that takes longer than this counts as failed (a node that accepts connections but
/// never answers must not freeze the dashboard).
pub const POLL_TIMEOUT: Duration = Duration::from_secs(20);

/// `owed()` is re-read at least every this many polls even without new events: some amounts
/// become withdrawable by time alone (bonds after the proof deadline).
const OWED_EVERY: u64 = 15;

/// What to watch and how often.
#[derive(Clone, Debug)]
pub struct WatchConfig {
    /// The node's JSON-RPC URL.
    pub rpc_url: String,
    /// The registry.
    pub registry: Addr,
    /// The contest (`None`: the latest at the first successful poll).
    pub contest: Option<u64>,
    /// First block to read events from (`None`: the contest's creation block, as the registry
    /// stores it).
    pub from_block: Option<u64>,
    /// Time between polls.
    pub poll: Duration,
    /// Most blocks per `eth_getLogs` (hosted nodes cap the range).
    pub max_range: u64,
}

/// Polls a registry and publishes the contest's [`Feed`].
#[derive(Debug)]
pub struct Watcher {
    cfg: WatchConfig,
    registry: Option<Registry>,
    ledger: Option<Ledger>,
    /// The last block whose events are all in the ledger.
    cursor: Option<u64>,
    owed: BTreeMap<Addr, Wei>,
    owed_at: Option<(u64, Phase, usize)>,
    polls: u64,
    feed: Feed,
}

impl Watcher {
    /// A watcher that has not polled yet.
    pub fn new(cfg: WatchConfig) -> Self {
        let feed = Feed::new(&cfg.rpc_url, cfg.registry, cfg.contest);
        Self {
            cfg,
            registry: None,
            ledger: None,
            cursor: None,
            owed: BTreeMap::new(),
            owed_at: None,
            polls: 0,
            feed,
        }
    }

    /// The current feed.
    pub fn feed(&self) -> &Feed {
        &self.feed
    }

    /// One poll. Updates the feed (its version goes up when anything changed) and returns the
    /// error if the poll failed; the caller decides whether that is fatal (the CLI does so
    /// only for the first poll's `NoRegistry`).
    pub async fn poll(&mut self) -> Result<(), ChainError> {
        self.polls += 1;
        poll_source(self).await
    }

    /// Polls every `cfg.poll` and publishes each changed feed, until every receiver is gone.
    pub async fn run(self, tx: watch::Sender<Arc<Feed>>) {
        let period = self.cfg.poll;
        run_source(self, period, tx).await
    }

    async fn step(&mut self) -> Result<(), ChainError> {
        let reg = match &self.registry {
            Some(r) => r.clone(),
            None => {
                let client = Client::connect_read_only(&self.cfg.rpc_url).await?;
                let r = Registry::at(&client, self.cfg.registry).await?;
                self.registry = Some(r.clone());
                r
            }
        };
        let (head, head_time) = reg.head().await?;
        let id = match self.feed.contest_id {
            Some(id) => id,
            None => match reg.contest_count().await? {
                0 => {
                    self.feed.last_block = Some(head);
                    return Ok(());
                }
                n => n,
            },
        };
        self.feed.contest_id = Some(id);
        let ledger = self.ledger.get_or_insert_with(|| Ledger::new(id));

        if let Some(c) = self.cursor.filter(|c| *c > head) {
            // The chain went back (a node restarted without its state, or a reorganisation).
            ledger.forget_after(head);
            self.cursor = Some(head.min(c));
        }
        let mut from = match (self.cursor, self.cfg.from_block) {
            (Some(c), _) => c + 1,
            (None, Some(b)) => b,
            (None, None) => match reg.contest(id).await {
                Ok(info) => info.created_block,
                // ContestNotFound: not created (yet); nothing to read until it is.
                Err(ChainError::Reverted { .. }) => head.saturating_add(1),
                Err(e) => return Err(e),
            },
        };
        let mut added = 0;
        while from <= head {
            let to = head.min(from.saturating_add(self.cfg.max_range.max(1) - 1));
            added += ledger.add(reg.events(Some(id), from, to).await?);
            self.cursor = Some(to);
            from = to + 1;
        }
        for b in ledger.blocks_without_time() {
            ledger.set_block_time(b, reg.block_timestamp(b).await?);
        }
        for tx in ledger.proofs_without_gas() {
            if let Some(gas) = reg.gas_used(&tx).await? {
                ledger.set_gas(&tx, gas);
            }
        }

        let info = match reg.contest(id).await {
            Ok(info) => Some(info),
            Err(ChainError::Reverted { .. }) => None, // ContestNotFound: not created (yet)
            Err(e) => return Err(e),
        };
        let created = ledger.organiser();
        let replaced = match (&info, created) {
            (None, Some(_)) => true,
            (Some(i), Some(org)) => i.organiser != org,
            _ => false,
        };
        if replaced {
            // The events we hold describe a contest this chain no longer has: start over.
            *ledger = Ledger::new(id);
            self.cursor = None;
            self.owed.clear();
            self.owed_at = None;
            self.feed.view = None;
            self.feed.last_block = Some(head);
            return Ok(());
        }

        if let Some(i) = &info {
            let accounts = ledger.accounts();
            let key = (ledger.len() as u64, i.phase, accounts.len());
            if added > 0 || self.owed_at != Some(key) || self.polls.is_multiple_of(OWED_EVERY) {
                let mut owed = BTreeMap::new();
                for a in accounts {
                    owed.insert(a, reg.owed(id, a).await?);
                }
                self.owed = owed;
                self.owed_at = Some(key);
            }
        }
        let chain = ChainState {
            head_block: head,
            head_time,
            owed: if info.is_some() {
                self.owed.clone()
            } else {
                BTreeMap::new()
            },
            info,
        };
        self.feed.view = ledger.view(&chain);
        self.feed.last_block = self.cursor;
        Ok(())
    }
}

impl Source for Watcher {
    type Feed = Feed;

    fn rpc_url(&self) -> &str {
        &self.cfg.rpc_url
    }

    fn feed(&self) -> &Feed {
        &self.feed
    }

    fn status(&mut self) -> (&mut u64, &mut Link) {
        (&mut self.feed.version, &mut self.feed.link)
    }

    fn step(&mut self) -> impl Future<Output = Result<(), ChainError>> + Send {
        Watcher::step(self)
    }

    fn disconnect(&mut self) {
        self.registry = None;
    }
}

/// Something that polls the node and keeps a feed (one contest's, or the registry's listing).
pub(super) trait Source: Send {
    /// What it publishes.
    type Feed: Clone + PartialEq + Send + Sync + 'static;
    /// The node's URL (redacted out of error messages).
    fn rpc_url(&self) -> &str;
    /// The feed being kept.
    fn feed(&self) -> &Self::Feed;
    /// The feed's version and link state.
    fn status(&mut self) -> (&mut u64, &mut Link);
    /// One read of the node into the feed (never its version or link).
    fn step(&mut self) -> impl Future<Output = Result<(), ChainError>> + Send;
    /// Forgets the connection: the next step connects afresh (the node may have restarted).
    fn disconnect(&mut self);
}

/// One poll of `source` with [`POLL_TIMEOUT`]: the link becomes live or reconnecting, and the
/// feed's version goes up when anything changed.
pub(super) async fn poll_source<S: Source>(source: &mut S) -> Result<(), ChainError> {
    let before = source.feed().clone();
    let result = match tokio::time::timeout(POLL_TIMEOUT, source.step()).await {
        Ok(r) => r,
        Err(_) => Err(ChainError::Rpc {
            url: source.rpc_url().to_string(),
            method: "poll",
            message: format!("no answer within {} s", POLL_TIMEOUT.as_secs()),
        }),
    };
    let error = result.as_ref().err().map(|e| {
        source.disconnect();
        redact_error(source.rpc_url(), &e.to_string())
    });
    let (_, link) = source.status();
    *link = link.after(error);
    if *source.feed() != before {
        *source.status().0 += 1;
    }
    result
}

/// Polls `source` every `period` and publishes each changed feed, until every receiver is gone.
pub(super) async fn run_source<S: Source>(
    mut source: S,
    period: Duration,
    tx: watch::Sender<Arc<S::Feed>>,
) {
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let _ = poll_source(&mut source).await;
        let feed = source.feed().clone();
        tx.send_if_modified(|old| {
            if **old == feed {
                return false;
            }
            *old = Arc::new(feed);
            true
        });
        if tx.is_closed() {
            return;
        }
    }
}

/// `text` with the RPC URL (which may hold an API key) replaced by its scheme, host and port.
fn redact_error(rpc_url: &str, text: &str) -> String {
    let url = rpc_url.trim_end_matches('/');
    if url.is_empty() {
        return text.to_string();
    }
    let shown = redact_url(rpc_url);
    text.replace(&format!("{url}/"), &shown)
        .replace(url, &shown)
}

#[cfg(test)]
mod tests;
