//! `contest-cli dashboard`: serves the dashboard of a registry's contests on a local port until
//! Ctrl-C: the registry page at `/`, each contest's page at `/contest/{id}`. Read-only: it
//! takes no key and sends no transaction.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::anyhow;
use clap::Args;
use serde_json::json;

use super::inputs::parse_address;
use super::{Failure, Outcome};
use crate::chain::registry::LOG_WINDOW;
use crate::chain::types::Addr;
use crate::chain::ChainError;
use crate::dashboard::{self, Hub, WatchConfig, Watcher};

/// Arguments of `contest-cli dashboard`.
#[derive(Debug, Args)]
pub struct DashboardArgs {
    /// JSON-RPC endpoint of the chain.
    #[arg(long, env = "CONTEST_RPC_URL", default_value = "http://127.0.0.1:8545")]
    rpc_url: String,
    /// Address of the ContestRegistry.
    #[arg(long, env = "CONTEST_REGISTRY")]
    registry: String,
    /// The contest whose page is printed and watched from the start (default: the registry's
    /// latest contest when the dashboard starts). Every contest of the registry is served.
    #[arg(long)]
    contest: Option<u64>,
    /// Port to serve on (0: any free port; the URL is printed).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Address to listen on. The page has no authentication: keep it on loopback unless the
    /// network in between is trusted.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Milliseconds between polls of the node.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(50..=600_000))]
    poll_ms: u64,
    /// First block to read events from (default: the block the contest was created in, which
    /// the registry stores).
    #[arg(long)]
    from_block: Option<u64>,
    /// Most blocks per `eth_getLogs` request (hosted nodes limit the range).
    #[arg(long, default_value_t = LOG_WINDOW, value_parser = clap::value_parser!(u64).range(1..))]
    max_range: u64,
    /// A ceremony contest's transcript to offer for download at `/ceremony/transcript.ptau`:
    /// a `.ptau` file, or a folder whose most recently modified `.ptau` is served (drop each
    /// new contribution's output in). Read at every request, never held in memory whole.
    #[arg(long, value_name = "FILE|DIR")]
    transcript: Option<PathBuf>,
}

impl DashboardArgs {
    /// Serves until Ctrl-C. Exit 2 if the registry address is malformed or, when the node
    /// answers, has no registry; exit 3 if the port cannot be bound. An unreachable node is
    /// not fatal: the page says "reconnecting" until it answers.
    pub fn run(self, json: bool) -> Result<Outcome, Failure> {
        let registry = Addr(parse_address(&self.registry)?);
        let cfg = WatchConfig {
            rpc_url: self.rpc_url.clone(),
            registry,
            contest: self.contest,
            from_block: self.from_block,
            poll: Duration::from_millis(self.poll_ms),
            max_range: self.max_range,
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| Failure::env(anyhow!("starting the async runtime: {e}")))?;
        rt.block_on(serve(
            cfg,
            SocketAddr::new(self.bind, self.port),
            self.transcript,
            json,
        ))
    }
}

async fn serve(
    cfg: WatchConfig,
    addr: SocketAddr,
    transcript: Option<PathBuf>,
    json: bool,
) -> Result<Outcome, Failure> {
    let listener = dashboard::bind(addr).await.map_err(Failure::env)?;
    let local = listener.local_addr().map_err(Failure::env)?;
    let mut watcher = Watcher::new(cfg.clone());
    match watcher.poll().await {
        Ok(()) => {}
        Err(e @ ChainError::NoRegistry { .. }) => return Err(Failure::input(e)),
        Err(e) => eprintln!(
            "warning: {e}\n         serving anyway; the page shows \"reconnecting\" until the \
             node answers"
        ),
    }
    let feed = watcher.feed().clone();
    let path = match feed.contest_id {
        Some(id) => format!("/contest/{id}"),
        None => "/".into(),
    };
    let url = format!("http://{local}{path}");
    eprintln!(
        "dashboard: {url} (registry {}, RPC {}, polling every {} ms; Ctrl-C to stop)",
        cfg.registry,
        feed.rpc,
        cfg.poll.as_millis()
    );
    if json {
        println!(
            "{}",
            json!({ "url": url, "registry": cfg.registry, "contest": feed.contest_id,
                    "rpc": feed.rpc })
        );
    }
    let hub = Hub::start(cfg, watcher).await;
    let shutdown = hub.shutdown().clone();
    let server = tokio::spawn(dashboard::serve(listener, hub, transcript));
    let stopped = tokio::signal::ctrl_c().await;
    // Graceful: no new connections, event streams end, open responses finish.
    shutdown.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
    stopped.map_err(|e| Failure::env(anyhow!("waiting for Ctrl-C: {e}")))?;
    eprintln!("dashboard: stopped");
    Ok(Outcome::Success)
}
