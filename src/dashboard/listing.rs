//! The registry page's data: every contest of a registry (newest first) with its phase, prize,
//! entries and the end of its current phase, read from the registry's view functions
//! (`contestCount`, `contest(id)`, and `ceremony(id)` for a contest still in its ceremony).
//! Nothing here is folded from events: each poll reads the state afresh, so a restarted or
//! rewound node is followed without bookkeeping.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;

use super::view::Deadline;
use super::watch::{poll_source, run_source, Source};
use super::{redact_url, Link};
use crate::chain::client::Client;
use crate::chain::registry::Registry;
use crate::chain::types::{Addr, ContestInfo, Phase, Wei};
use crate::chain::ChainError;

/// Most contests listed (the newest); each costs one `contest(id)` call per poll.
pub const MAX_LISTED: u64 = 200;

/// One contest's line on the registry page.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContestSummary {
    /// The contest's id (its page is `/contest/{id}`).
    pub id: u64,
    /// Its organiser.
    pub organiser: Addr,
    /// The phase at the head block.
    pub phase: Phase,
    /// The phase's human name.
    pub phase_name: &'static str,
    /// The prize deposited at creation.
    pub prize: Wei,
    /// ETH of this contest the registry still holds.
    pub held: Wei,
    /// `N`.
    pub test_set_size: u32,
    /// Smallest qualifying `correct`.
    pub min_correct: u32,
    /// Addresses that committed.
    pub committers: u64,
    /// Accepted proofs.
    pub provers: u64,
    /// Entries in the ranking.
    pub qualifiers: u64,
    /// When the current phase ends (none once settled or missed).
    pub phase_end: Option<Deadline>,
}

impl ContestSummary {
    /// The line of contest `id`; `ceremony_deadline` is read only for a contest in its ceremony.
    pub fn of(id: u64, info: &ContestInfo, ceremony_deadline: Option<u64>, now: u64) -> Self {
        let c = &info.config;
        let end = match info.phase {
            Phase::Ceremony => ceremony_deadline.map(|at| ("ceremony", at)),
            Phase::Commit => Some(("commit", c.commit_deadline)),
            Phase::TestSetReveal => Some(("test-set reveal", c.test_set_deadline)),
            Phase::TestSetChallenge => Some(("test-set challenge", info.challenge_ends)),
            Phase::Proof => Some(("proof", info.proof_end())),
            Phase::ModelReveal if info.round_deadline > 0 => {
                Some(("model reveal round", info.round_deadline))
            }
            Phase::ModelReveal => Some((
                "model reveal",
                info.proof_end().saturating_add(c.reveal_window),
            )),
            Phase::Settled | Phase::TestSetMissed | Phase::None => None,
        };
        Self {
            id,
            organiser: info.organiser,
            phase: info.phase,
            phase_name: info.phase.name(),
            prize: info.prize,
            held: info.held,
            test_set_size: c.test_set_size,
            min_correct: c.min_correct,
            committers: info.committers,
            provers: info.provers,
            qualifiers: info.qualifiers,
            phase_end: end.map(|(name, at)| Deadline {
                name,
                at,
                left: at as i64 - now as i64,
            }),
        }
    }
}

/// What the registry page shows and `/api/registry` returns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegistryFeed {
    /// Increases with every change.
    pub version: u64,
    /// The RPC endpoint's scheme, host and port.
    pub rpc: String,
    /// The registry.
    pub registry: Addr,
    /// The link to the node.
    pub link: Link,
    /// The head block at the last successful poll.
    pub head_block: Option<u64>,
    /// Its timestamp.
    pub head_time: Option<u64>,
    /// Contests the registry holds.
    pub count: u64,
    /// The newest [`MAX_LISTED`] of them, newest first.
    pub contests: Vec<ContestSummary>,
}

impl RegistryFeed {
    /// The feed before the first poll.
    pub fn new(rpc_url: &str, registry: Addr) -> Self {
        Self {
            version: 0,
            rpc: redact_url(rpc_url),
            registry,
            link: Link::Connecting,
            head_block: None,
            head_time: None,
            count: 0,
            contests: Vec::new(),
        }
    }
}

/// Polls a registry's contests and keeps a [`RegistryFeed`].
#[derive(Debug)]
pub struct Lister {
    rpc_url: String,
    poll: Duration,
    registry: Option<Registry>,
    feed: RegistryFeed,
}

impl Lister {
    /// A lister that has not polled yet.
    pub fn new(rpc_url: &str, registry: Addr, poll: Duration) -> Self {
        Self {
            rpc_url: rpc_url.to_string(),
            poll,
            registry: None,
            feed: RegistryFeed::new(rpc_url, registry),
        }
    }

    /// The current feed.
    pub fn feed(&self) -> &RegistryFeed {
        &self.feed
    }

    /// One poll (see `Watcher::poll`).
    pub async fn poll(&mut self) -> Result<(), ChainError> {
        poll_source(self).await
    }

    /// Polls every `poll` interval and publishes each changed feed, until every receiver is gone.
    pub async fn run(self, tx: watch::Sender<Arc<RegistryFeed>>) {
        let period = self.poll;
        run_source(self, period, tx).await
    }

    async fn read(&mut self) -> Result<(), ChainError> {
        let reg = match &self.registry {
            Some(r) => r.clone(),
            None => {
                let client = Client::connect_read_only(&self.rpc_url).await?;
                let r = Registry::at(&client, self.feed.registry).await?;
                self.registry = Some(r.clone());
                r
            }
        };
        let (head, now) = reg.head().await?;
        let count = reg.contest_count().await?;
        let mut contests = Vec::new();
        for id in (count.saturating_sub(MAX_LISTED) + 1..=count).rev() {
            let info = reg.contest(id).await?;
            let ceremony = match info.phase {
                Phase::Ceremony => Some(reg.ceremony(id).await?.deadline),
                _ => None,
            };
            contests.push(ContestSummary::of(id, &info, ceremony, now));
        }
        self.feed.head_block = Some(head);
        self.feed.head_time = Some(now);
        self.feed.count = count;
        self.feed.contests = contests;
        Ok(())
    }
}

impl Source for Lister {
    type Feed = RegistryFeed;

    fn rpc_url(&self) -> &str {
        &self.rpc_url
    }

    fn feed(&self) -> &RegistryFeed {
        &self.feed
    }

    fn status(&mut self) -> (&mut u64, &mut Link) {
        (&mut self.feed.version, &mut self.feed.link)
    }

    fn step(&mut self) -> impl Future<Output = Result<(), ChainError>> + Send {
        self.read()
    }

    fn disconnect(&mut self) {
        self.registry = None;
    }
}
