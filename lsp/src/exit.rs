//! Watching the messages for `shutdown` and `exit`, so that the process can end as soon
//! as the client says `exit`, with the status LSP asks for.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::Notify;
use tower::Service;
use tower_lsp::jsonrpc::Request;

/// A service that passes every message on, and notes `shutdown` and `exit` on the way.
pub struct Watch<S> {
    inner: S,
    exited: Arc<Notify>,
    clean: Arc<AtomicBool>,
}

impl<S> Watch<S> {
    pub fn new(inner: S) -> Self {
        Watch { inner, exited: Arc::new(Notify::new()), clean: Arc::new(AtomicBool::new(false)) }
    }

    /// Notified once `exit` has arrived.
    pub fn exited(&self) -> Arc<Notify> {
        self.exited.clone()
    }

    /// Whether `shutdown` came before `exit`.
    pub fn clean(&self) -> Arc<AtomicBool> {
        self.clean.clone()
    }
}

impl<S: Service<Request>> Service<Request> for Watch<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match request.method() {
            "shutdown" => self.clean.store(true, Ordering::Relaxed),
            // A permit is stored if nobody waits yet, so this cannot be missed.
            "exit" => self.exited.notify_one(),
            _ => {}
        }
        self.inner.call(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    async fn send(watch: &mut Watch<impl Service<Request, Response = (), Error = ()>>, method: &'static str) {
        let _ = watch.ready().await;
        let _ = watch.call(Request::build(method).finish()).await;
    }

    #[tokio::test]
    async fn exit_after_shutdown_is_clean() {
        let mut watch = Watch::new(tower::service_fn(|_: Request| async { Ok::<(), ()>(()) }));
        let (exited, clean) = (watch.exited(), watch.clean());
        send(&mut watch, "shutdown").await;
        send(&mut watch, "exit").await;
        exited.notified().await;
        assert!(clean.load(Ordering::Relaxed));
    }

    #[tokio::test]
    async fn exit_without_shutdown_is_not_clean() {
        let mut watch = Watch::new(tower::service_fn(|_: Request| async { Ok::<(), ()>(()) }));
        let (exited, clean) = (watch.exited(), watch.clean());
        send(&mut watch, "exit").await;
        exited.notified().await;
        assert!(!clean.load(Ordering::Relaxed));
    }
}
