//! One WebSocket session: a reader loop, a writer task fed by a bounded channel, and one task per
//! request, so a slow device call never holds up the other requests of the same socket. At most
//! [`MAX_IN_FLIGHT_PER_SOCKET`] requests run at once; more are answered with `limitExceeded`.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{Message, WebSocket};
use futures::{SinkExt, StreamExt};
use tna_types::limits::{MAX_FRAME_BYTES, MAX_IN_FLIGHT_PER_SOCKET};
use tna_types::protocol::{ErrorCode, Outcome, Response, RpcError, decode_request};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;

use crate::dispatch::{self, AppState};
use crate::fanout::{self, SocketEvents};
use crate::signin::{Caller, SESSION_RECHECK, authorize, still_signed_in};
use crate::status;

/// Frames waiting for the writer. Responses are bounded by the in-flight limit; the margin is
/// for error replies to frames that never become requests.
const OUTBOX_CAPACITY: usize = MAX_IN_FLIGHT_PER_SOCKET * 2;

/// Serves one socket until the client leaves, the relay shuts down, or `kick` changes (the relay
/// closes every socket: used by tests to break connections).
pub async fn run(
    socket: WebSocket,
    state: AppState,
    caller: Caller,
    mut shutdown: watch::Receiver<bool>,
    mut kick: watch::Receiver<u64>,
) {
    // Only kicks after this socket opened count (the receiver was cloned from the router's).
    kick.borrow_and_update();
    let _counted = state.metrics.socket_opened(caller.role);
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::channel::<String>(OUTBOX_CAPACITY);
    let writer = tokio::spawn(async move {
        while let Some(text) = rx.recv().await {
            if sink.send(Message::Text(text.into())).await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let (events, events_rx) = SocketEvents::new();
    let forwarder = tokio::spawn(fanout::forward(events.clone(), events_rx, tx.clone()));
    let status_forwarder = tokio::spawn(status::forward(state.status.subscribe(), tx.clone()));
    let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT_PER_SOCKET));
    let mut tasks = JoinSet::new();
    let mut recheck = tokio::time::interval(SESSION_RECHECK);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = recheck.tick() => {
                if !still_signed_in(state.auth.as_ref(), &caller) {
                    tracing::info!(user = ?caller.username, "session ended: closing its socket");
                    break;
                }
            }
            frame = stream.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let ctx = Ctx { state: &state, caller: &caller, events: &events, tx: &tx };
                    on_text(text.as_str(), ctx, &in_flight, &mut tasks).await;
                }
                Some(Ok(Message::Binary(_))) => {
                    let err = RpcError::new(
                        ErrorCode::InvalidRequest,
                        "Binary frames are not supported: send JSON-RPC as text frames.",
                    );
                    let _ = tx.send(Response::error(None, err).to_text()).await;
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
            },
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            _ = events.closed_as_too_slow() => {
                tracing::warn!(
                    "closing a socket whose client read nothing for {:?}: it re-reads from its cursors after reconnecting",
                    fanout::SLOW_SOCKET_LIMIT
                );
                // The writer is stuck on a full connection: drop it rather than wait for it.
                writer.abort();
                break;
            }
            _ = shutdown.changed() => break,
            _ = kick.changed() => break,
        }
    }
    state.fanout.drop_socket(&events);
    forwarder.abort();
    status_forwarder.abort();
    tasks.abort_all();
    drop(tx);
    let _ = writer.await;
}

/// What a request needs of its socket.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    state: &'a AppState,
    caller: &'a Caller,
    events: &'a Arc<SocketEvents>,
    tx: &'a mpsc::Sender<String>,
}

async fn on_text(text: &str, ctx: Ctx<'_>, in_flight: &Arc<Semaphore>, tasks: &mut JoinSet<()>) {
    let Ctx {
        state,
        caller,
        events,
        tx,
    } = ctx;
    if text.len() > MAX_FRAME_BYTES {
        let err = RpcError::limit_exceeded(
            "bytes in one frame",
            MAX_FRAME_BYTES as u64,
            text.len() as u64,
        );
        let _ = tx.send(Response::error(None, err).to_text()).await;
        return;
    }
    let (id, request) = match decode_request(text) {
        Ok(ok) => ok,
        Err(e) => {
            let _ = tx.send(Response::error(e.id, e.error).to_text()).await;
            return;
        }
    };
    // Signed out, expired or the wrong role: refused before anything reaches a device.
    if let Err(err) = authorize(state.auth.as_ref(), caller, request.method()) {
        tracing::info!(method = request.method(), user = ?caller.username, "refused: {}", err.message);
        state.metrics.request(request.method(), Err(err.code));
        let _ = tx.send(Response::error(Some(id), err).to_text()).await;
        return;
    }
    let Ok(permit) = in_flight.clone().try_acquire_owned() else {
        let err = RpcError::limit_exceeded(
            "requests in flight on this socket",
            MAX_IN_FLIGHT_PER_SOCKET as u64,
            MAX_IN_FLIGHT_PER_SOCKET as u64 + 1,
        );
        state.metrics.request(request.method(), Err(err.code));
        let _ = tx.send(Response::error(Some(id), err).to_text()).await;
        return;
    };
    let state = state.clone();
    let events = events.clone();
    let tx = tx.clone();
    let caller = caller.clone();
    tasks.spawn(async move {
        let method = request.method();
        let started = Instant::now();
        let outcome = dispatch::handle(&state, request, &events, &caller).await;
        state
            .metrics
            .request(method, outcome.as_ref().map(|_| ()).map_err(|e| e.code));
        match &outcome {
            Ok(_) => tracing::debug!(method, ms = started.elapsed().as_millis() as u64, "ok"),
            Err(e) => tracing::info!(method, code = e.code, message = %e.message, "request failed"),
        }
        let response = match outcome {
            Ok(result) => Response {
                id: Some(id),
                outcome: Outcome::Result(result),
            },
            Err(err) => Response::error(Some(id), err),
        };
        let _ = tx.send(response.to_text()).await;
        drop(permit);
    });
}
