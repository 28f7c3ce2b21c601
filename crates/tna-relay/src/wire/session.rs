//! One WebSocket session: a reader loop, a writer task fed by the socket's [`Outbox`] (bounded in
//! bytes), and one task per request, so a slow device call never holds up the other requests of
//! the same socket. At most [`MAX_IN_FLIGHT_PER_SOCKET`] requests run at once; more are answered
//! with `limitExceeded`.
//!
//! A client that sends requests and never reads cannot pin memory: the reader loop never waits
//! for the outbox (a reply that does not fit becomes a `limitExceeded` error, and a socket whose
//! outbox cannot even take that is closed), every frame must be written within
//! [`WRITE_TIMEOUT`], and a socket that sends nothing (not even a
//! pong to the relay's pings) for [`IDLE_TIMEOUT`] is closed. So the
//! sign-out close (every [`SESSION_RECHECK`]) happens whether or not the client reads.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::{Sink, SinkExt, Stream, StreamExt};
use tna_types::limits::{MAX_FRAME_BYTES, MAX_IN_FLIGHT_PER_SOCKET, MAX_OUTBOX_BYTES};
use tna_types::protocol::{ErrorCode, RpcError, decode_request};
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;

use crate::dispatch::{self, AppState};
use crate::fanout::{self, SocketEvents};
pub use crate::outbox::Encoding;
use crate::outbox::{
    CLOSE_GRACE, Frame, IDLE_TIMEOUT, Outbox, OutboxReceiver, PING_INTERVAL, WRITE_TIMEOUT,
    outbox_in,
};
use crate::signin::{Caller, SESSION_RECHECK, authorize, still_signed_in};
use crate::status;

/// Close code sent when the socket's outbox overflowed (RFC 6455 1008: policy violation).
pub const CLOSE_OUTBOX_FULL: u16 = 1008;
/// Close code sent when the session behind the socket ended (signed out, expired).
pub const CLOSE_SIGNED_OUT: u16 = 1008;
/// Close code sent to an idle socket (1001: going away).
pub const CLOSE_IDLE: u16 = 1001;

/// Serves one socket until the client leaves, the relay shuts down, or `kick` changes (the relay
/// closes every socket: used by tests to break connections).
pub async fn run(
    socket: WebSocket,
    state: AppState,
    caller: Caller,
    encoding: Encoding,
    shutdown: watch::Receiver<bool>,
    kick: watch::Receiver<u64>,
) {
    let (sink, stream) = socket.split();
    serve(sink, stream, state, caller, encoding, shutdown, kick).await
}

/// Why the reader loop ended.
enum End {
    /// The client closed or the connection broke.
    Client,
    /// The relay stops, or tests kicked the socket.
    Relay,
    /// The session ended.
    SignedOut,
    /// Nothing arrived for [`IDLE_TIMEOUT`].
    Idle,
    /// A frame could not even be queued.
    OutboxFull,
    /// The writer gave up: a write did not finish within [`WRITE_TIMEOUT`] or failed.
    WriterDone,
    /// The live-event forwarder found the client too slow.
    TooSlow,
}

/// [`run`] over any message sink and stream (tests drive it without a network).
pub async fn serve<W, R>(
    sink: W,
    mut stream: R,
    state: AppState,
    caller: Caller,
    encoding: Encoding,
    mut shutdown: watch::Receiver<bool>,
    mut kick: watch::Receiver<u64>,
) where
    W: Sink<Message> + Unpin + Send + 'static,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    // Only kicks after this socket opened count (the receiver was cloned from the router's).
    kick.borrow_and_update();
    let _counted = state.metrics.socket_opened(caller.role);
    let (tx, rx) = outbox_in(
        MAX_OUTBOX_BYTES,
        state.outbox_budget.clone(),
        state.metrics.clone(),
    );
    let (close_tx, close_rx) = watch::channel(None::<CloseFrame>);
    let mut writer = tokio::spawn(write_loop(sink, rx, close_rx));
    let overflow = Arc::new(Notify::new());
    let (events, events_rx) = SocketEvents::new();
    let forwarder = tokio::spawn(fanout::forward(
        events.clone(),
        events_rx,
        tx.clone(),
        encoding,
    ));
    let status_forwarder = tokio::spawn(status::forward(
        state.status.subscribe(),
        tx.clone(),
        encoding,
    ));
    let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT_PER_SOCKET));
    let mut tasks = JoinSet::new();
    let mut recheck = tokio::time::interval(SESSION_RECHECK);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let idle = tokio::time::sleep(IDLE_TIMEOUT);
    tokio::pin!(idle);
    let end = loop {
        tokio::select! {
            _ = recheck.tick() => {
                if !still_signed_in(state.auth.as_ref(), &caller) {
                    tracing::info!(user = ?caller.username, "session ended: closing its socket");
                    break End::SignedOut;
                }
            }
            frame = stream.next() => {
                idle.as_mut().reset(tokio::time::Instant::now() + IDLE_TIMEOUT);
                match frame {
                    Some(Ok(Message::Text(text))) => {
                        let ctx = Ctx {
                            state: &state,
                            caller: &caller,
                            events: &events,
                            tx: &tx,
                            overflow: &overflow,
                            encoding,
                        };
                        if !on_text(text.as_str(), ctx, &in_flight, &mut tasks) {
                            break End::OutboxFull;
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        let err = RpcError::new(
                            ErrorCode::InvalidRequest,
                            "Binary frames are not supported: send JSON-RPC as text frames.",
                        );
                        if tx.push(encoding.error(None, err)).is_err() {
                            break End::OutboxFull;
                        }
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break End::Client,
                }
            }
            () = &mut idle => break End::Idle,
            () = overflow.notified() => break End::OutboxFull,
            _ = &mut writer => break End::WriterDone,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            _ = events.closed_as_too_slow() => break End::TooSlow,
            _ = shutdown.changed() => break End::Relay,
            _ = kick.changed() => break End::Relay,
        }
    };
    state.fanout.drop_socket(&events);
    forwarder.abort();
    status_forwarder.abort();
    tasks.abort_all();
    let (reason, close) = match end {
        End::Client | End::Relay => (None, None),
        End::SignedOut => (
            Some("signed_out"),
            Some((CLOSE_SIGNED_OUT, "the session ended: sign in again")),
        ),
        End::Idle => (Some("idle"), Some((CLOSE_IDLE, "nothing received: idle"))),
        End::OutboxFull => (
            Some("outbox_full"),
            Some((
                CLOSE_OUTBOX_FULL,
                "too many bytes waiting: read your socket",
            )),
        ),
        End::WriterDone => (Some("write_timeout"), None),
        End::TooSlow => {
            tracing::warn!(
                "closing a socket whose client read nothing for {:?}: it re-reads from its cursors after reconnecting",
                fanout::SLOW_SOCKET_LIMIT
            );
            (
                Some("outbox_full"),
                Some((CLOSE_OUTBOX_FULL, "live events could not be delivered")),
            )
        }
    };
    if let Some(reason) = reason {
        state.metrics.socket_closed(reason);
        tracing::info!(user = ?caller.username, reason, "the relay closed a socket");
    }
    if let Some((code, why)) = close {
        let _ = close_tx.send(Some(CloseFrame {
            code,
            reason: why.into(),
        }));
    }
    drop(tx);
    // The writer sends what is queued and the close frame, but never for longer than the grace:
    // a client that reads nothing must not hold its socket open.
    if !writer.is_finished()
        && tokio::time::timeout(CLOSE_GRACE, &mut writer)
            .await
            .is_err()
    {
        writer.abort();
    }
}

/// Writes the outbox's frames, each within [`WRITE_TIMEOUT`], and pings every
/// [`PING_INTERVAL`]. Ends when a write fails or times out, or when the outbox's senders are
/// gone (then it sends the close frame given on `close`, if any).
async fn write_loop<W>(
    mut sink: W,
    mut rx: OutboxReceiver,
    mut close: watch::Receiver<Option<CloseFrame>>,
) where
    W: Sink<Message> + Unpin,
{
    let mut ping = tokio::time::interval(PING_INTERVAL);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ping.tick().await;
    loop {
        let message = tokio::select! {
            frame = rx.recv() => match frame {
                Some(frame) => {
                    let len = frame.len();
                    let message = match frame {
                        Frame::Text(text) => Message::Text(text.into()),
                        Frame::Binary(bytes) => Message::Binary(bytes.into()),
                    };
                    let sent = tokio::time::timeout(WRITE_TIMEOUT, sink.send(message)).await;
                    rx.written(len);
                    match sent {
                        Ok(Ok(())) => continue,
                        Ok(Err(_)) => return,
                        Err(_) => {
                            tracing::info!(timeout = ?WRITE_TIMEOUT, "a frame was not written in time: closing the socket");
                            return;
                        }
                    }
                }
                None => break,
            },
            _ = ping.tick() => Message::Ping(Vec::new().into()),
        };
        match tokio::time::timeout(WRITE_TIMEOUT, sink.send(message)).await {
            Ok(Ok(())) => {}
            _ => return,
        }
    }
    let frame = close.borrow_and_update().clone();
    let _ = tokio::time::timeout(CLOSE_GRACE, async {
        if let Some(frame) = frame {
            let _ = sink.send(Message::Close(Some(frame))).await;
        }
        let _ = sink.close().await;
    })
    .await;
}

/// What a request needs of its socket.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    state: &'a AppState,
    caller: &'a Caller,
    events: &'a Arc<SocketEvents>,
    tx: &'a Outbox,
    /// Told when a reply could not be queued at all: the reader loop closes the socket.
    overflow: &'a Arc<Notify>,
    encoding: Encoding,
}

/// Handles one text frame without waiting for the outbox. `false`: its error reply did not fit
/// (the socket is to be closed).
fn on_text(text: &str, ctx: Ctx<'_>, in_flight: &Arc<Semaphore>, tasks: &mut JoinSet<()>) -> bool {
    let Ctx {
        state,
        caller,
        events,
        tx,
        overflow,
        encoding,
    } = ctx;
    if text.len() > MAX_FRAME_BYTES {
        let err = RpcError::limit_exceeded(
            tna_types::protocol::Limit::FrameBytes,
            MAX_FRAME_BYTES as u64,
            text.len() as u64,
        );
        return tx.push(encoding.error(None, err)).is_ok();
    }
    let (id, request) = match decode_request(text) {
        Ok(ok) => ok,
        Err(e) => return tx.push(encoding.error(e.id, e.error)).is_ok(),
    };
    // Signed out, expired or the wrong role: refused before anything reaches a device.
    if let Err(err) = authorize(state.auth.as_ref(), caller, request.method()) {
        tracing::info!(method = request.method(), user = ?caller.username, "refused: {}", err.message);
        state.metrics.request(request.method(), Err(err.code));
        return tx.push(encoding.error(Some(id), err)).is_ok();
    }
    let Ok(permit) = in_flight.clone().try_acquire_owned() else {
        let err = RpcError::limit_exceeded(
            tna_types::protocol::Limit::InFlight,
            MAX_IN_FLIGHT_PER_SOCKET as u64,
            MAX_IN_FLIGHT_PER_SOCKET as u64 + 1,
        );
        state.metrics.request(request.method(), Err(err.code));
        return tx.push(encoding.error(Some(id), err)).is_ok();
    };
    let state = state.clone();
    let events = events.clone();
    let tx = tx.clone();
    let caller = caller.clone();
    let overflow = overflow.clone();
    tasks.spawn(async move {
        let method = request.method();
        let started = Instant::now();
        let outcome = dispatch::handle(&state, request, &events, &caller)
            .await
            .and_then(|reply| reply.into_frame(method, id.clone(), encoding));
        // A reply that does not fit in the outbox is not buffered: the request gets
        // `limitExceeded` (and the socket is closed if not even that fits).
        let outcome = match outcome {
            Ok(frame) => match tx.push(frame) {
                Ok(()) => Ok(()),
                Err(full) if full.relay_wide => Err(RpcError::because(
                    ErrorCode::LimitExceeded,
                    "relayOutbox",
                    "The relay holds too many unsent replies for slow clients right now; read \
                     your replies and try again.",
                    serde_json::json!({ "relayWide": true }),
                )),
                Err(full) => Err(RpcError::limit_exceeded(
                    tna_types::protocol::Limit::SocketOutbox,
                    full.limit as u64,
                    (full.buffered + full.frame.len()) as u64,
                )),
            },
            Err(err) => Err(err),
        };
        state
            .metrics
            .request(method, outcome.as_ref().map(|_| ()).map_err(|e| e.code));
        match &outcome {
            Ok(_) => tracing::debug!(method, ms = started.elapsed().as_millis() as u64, "ok"),
            Err(e) => tracing::info!(method, code = e.code, message = %e.message, "request failed"),
        }
        if let Err(err) = outcome
            && tx.push(encoding.error(Some(id), err)).is_err()
        {
            overflow.notify_one();
        }
        drop(permit);
    });
    true
}
