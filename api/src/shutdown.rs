//! Draining before a stop (#8.18). On the first SIGTERM or SIGINT the server turns not-ready
//! (`/health/ready` answers 503 `shutting_down`) but keeps accepting and serving for the drain
//! period, answering with `Connection: close` so clients open their next connection elsewhere;
//! a load balancer that polls readiness moves traffic away meanwhile. Then the listener closes
//! and in-flight requests get the shutdown timeout to finish. A second signal ends the drain
//! at once. actix-web's own signal handling is disabled (`HttpServer::disable_signals`): it
//! would stop accepting on the first signal.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actix_web::dev::ServerHandle;

/// Whether this node is draining; shared by the readiness check and the envelope.
#[derive(Debug, Clone, Default)]
pub struct Draining(Arc<AtomicBool>);

impl Draining {
    pub fn is_draining(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    pub fn start(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Waits for SIGTERM or SIGINT, drains for `drain`, then stops the server gracefully.
pub async fn on_signal(server: ServerHandle, draining: Draining, drain: Duration) {
    let mut signals = match Signals::new() {
        Ok(signals) => signals,
        Err(error) => {
            // Without our handlers the signals keep their default action: the process ends.
            tracing::error!(%error, "cannot listen for shutdown signals");
            return;
        }
    };
    let signal = signals.next().await;
    draining.start();
    tracing::info!(signal, drain_seconds = drain.as_secs_f64(), "draining: not ready, still serving");
    tokio::select! {
        () = tokio::time::sleep(drain) => tracing::info!("drain over: stopping"),
        signal = signals.next() => tracing::info!(signal, "second signal: ending the drain early"),
    }
    server.stop(true).await;
}

#[cfg(unix)]
struct Signals {
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self { terminate: signal(SignalKind::terminate())?, interrupt: signal(SignalKind::interrupt())? })
    }

    /// The next signal's name.
    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.terminate.recv() => "SIGTERM",
            _ = self.interrupt.recv() => "SIGINT",
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> std::io::Result<Self> {
        Ok(Self)
    }

    async fn next(&mut self) -> &'static str {
        let _ = tokio::signal::ctrl_c().await;
        "ctrl-c"
    }
}
