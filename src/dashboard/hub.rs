//! What the server reads from: the registry listing's feed and one feed per contest page
//! asked for. The contest given at start-up (or the registry's latest) is watched from the
//! start; any other contest of the registry gets its own watcher the first time its page or
//! API is requested, up to [`MAX_WATCHED`] contests.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::listing::{Lister, RegistryFeed};
use super::watch::{WatchConfig, Watcher};
use super::Feed;

/// Most contests watched at once by one dashboard (each polls the node on its own).
pub const MAX_WATCHED: usize = 64;

/// Shortest interval between polls of the registry listing: each reads every listed
/// contest (up to `MAX_LISTED` calls), too many for a hosted node at the contest page's pace.
pub const LIST_POLL: Duration = Duration::from_secs(5);

/// Why a contest's feed is not served.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No such contest (as far as the last poll of the registry knows).
    NotFound(String),
    /// [`MAX_WATCHED`] contests are watched already.
    Busy,
}

/// The feeds the server serves, and the watchers behind them (stopped when the hub's last
/// clone is dropped or its shutdown token is cancelled).
#[derive(Clone, Debug)]
pub struct Hub(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    cfg: WatchConfig,
    registry: watch::Receiver<Arc<RegistryFeed>>,
    default: watch::Receiver<Arc<Feed>>,
    contests: Mutex<BTreeMap<u64, Watched>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    shutdown: CancellationToken,
}

/// A contest watched on request: its feed and its watcher's task.
#[derive(Debug)]
struct Watched {
    feed: watch::Receiver<Arc<Feed>>,
    task: tokio::task::AbortHandle,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Ok(tasks) = self.tasks.get_mut() {
            tasks.drain(..).for_each(|t| t.abort());
        }
    }
}

impl Hub {
    /// Starts watching: `first` (already polled by the caller, who reports its first error)
    /// for the default contest and a [`Lister`] for the registry page (polled once here, so
    /// the first page served lists the contests). Must run inside a tokio runtime.
    pub async fn start(cfg: WatchConfig, first: Watcher) -> Self {
        let mut lister = Lister::new(&cfg.rpc_url, cfg.registry, cfg.poll.max(LIST_POLL));
        // A failure shows on the page as "reconnecting"; the lister keeps polling.
        let _ = lister.poll().await;
        let (registry_tx, registry) = watch::channel(Arc::new(lister.feed().clone()));
        let (default_tx, default) = watch::channel(Arc::new(first.feed().clone()));
        let hub = Self::new(cfg, registry, default);
        hub.spawn(lister.run(registry_tx));
        hub.spawn(first.run(default_tx));
        hub
    }

    /// A hub over feeds kept by someone else (tests): contests other than `default`'s get
    /// watchers configured from `cfg`.
    pub fn new(
        cfg: WatchConfig,
        registry: watch::Receiver<Arc<RegistryFeed>>,
        default: watch::Receiver<Arc<Feed>>,
    ) -> Self {
        Self(Arc::new(Inner {
            cfg,
            registry,
            default,
            contests: Mutex::new(BTreeMap::new()),
            tasks: Mutex::new(Vec::new()),
            shutdown: CancellationToken::new(),
        }))
    }

    fn spawn(
        &self,
        task: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::AbortHandle {
        let handle = tokio::spawn(task);
        let abort = handle.abort_handle();
        if let Ok(mut tasks) = self.0.tasks.lock() {
            tasks.retain(|t| !t.is_finished());
            tasks.push(handle);
        }
        abort
    }

    /// Cancelled when the dashboard shuts down: event streams end, so connections close.
    pub fn shutdown(&self) -> &CancellationToken {
        &self.0.shutdown
    }

    /// The registry listing's feed.
    pub fn registry(&self) -> watch::Receiver<Arc<RegistryFeed>> {
        self.0.registry.clone()
    }

    /// The default contest's feed (its contest id may be unknown while the registry is empty).
    pub fn default_contest(&self) -> watch::Receiver<Arc<Feed>> {
        self.0.default.clone()
    }

    /// The feed of contest `id`, watching it from now on if it is not watched yet. Refused for
    /// ids the registry does not have (as of its last poll; the default contest is always
    /// served, even before it is created).
    pub fn contest(&self, id: u64) -> Result<watch::Receiver<Arc<Feed>>, Refusal> {
        // The map stays consistent even if a holder panicked: every change is one call.
        let mut contests = self.0.contests.lock().unwrap_or_else(|e| e.into_inner());
        if self.0.default.borrow().contest_id == Some(id) {
            // The default watcher follows the latest contest and may adopt one that was asked
            // for (and so watched on its own) before it saw it: one watcher is enough.
            if let Some(extra) = contests.remove(&id) {
                extra.task.abort();
            }
            return Ok(self.0.default.clone());
        }
        let count = self.0.registry.borrow().count;
        if id == 0 || id > count {
            return Err(Refusal::NotFound(format!(
                "the registry has {count} contest(s) (as of its last poll): no contest #{id}"
            )));
        }
        if let Some(w) = contests.get(&id) {
            return Ok(w.feed.clone());
        }
        if contests.len() >= MAX_WATCHED {
            return Err(Refusal::Busy);
        }
        let watcher = Watcher::new(WatchConfig {
            contest: Some(id),
            from_block: None,
            ..self.0.cfg.clone()
        });
        let (tx, rx) = watch::channel(Arc::new(watcher.feed().clone()));
        let task = self.spawn(watcher.run(tx));
        contests.insert(
            id,
            Watched {
                feed: rx.clone(),
                task,
            },
        );
        Ok(rx)
    }
}
