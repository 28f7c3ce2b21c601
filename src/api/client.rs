//! The WebSocket connection to the relay: one socket per page, request IDs, the pending map,
//! notification listeners, reconnect with backoff, and a per-call timeout.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::pin;
use std::rc::{Rc, Weak};
use std::time::Duration;

use futures::channel::oneshot;
use futures::future::{Either, select};
use leptos::logging::{debug_warn, log, warn};
use leptos::prelude::*;
use tna_types::protocol::{Method, Notification, encode_params, request_frame};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

use super::ApiError;
use super::backoff::{countdown_secs, next_tick_ms, retry_delay_ms};
use super::gate::{Gate, MAX_IN_FLIGHT_PER_SOCKET};
use super::routing::{Pending, Reply, Routed, route_binary};
use crate::js::error_text;

/// How long a call may take, from the moment it is made until its answer arrives.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The state of the socket to the relay, for the header's indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// Opening the socket (first load, or a retry in progress).
    Connecting,
    /// Open: calls go out at once.
    Connected,
    /// Closed; the next attempt starts in `retry_in_secs` seconds. Calls fail at once.
    Disconnected {
        /// Seconds until the next connection attempt.
        retry_in_secs: u32,
    },
}

/// A registered notification listener, for [`ApiClient::remove_listener`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListenerId(u64);

/// The handle to the relay connection. Cheap to copy; provided to every page through Leptos
/// context (see [`crate::api::use_api`]). Lives as long as the reactive owner that created it
/// (the app root).
#[derive(Clone, Copy)]
pub struct ApiClient {
    inner: StoredValue<Rc<Inner>, LocalStorage>,
    state: RwSignal<ConnectionState>,
    epoch: RwSignal<u64>,
    /// Set when the relay says this session has ended (`-32006` with `signIn`).
    session_ended: RwSignal<bool>,
}

/// `ws://` or `wss://` (matching the page's `http:`/`https:`) + the page's host + `/ws`.
pub fn ws_url(page_protocol: &str, page_host: &str) -> String {
    let scheme = if page_protocol == "https:" {
        "wss"
    } else {
        "ws"
    };
    format!("{scheme}://{page_host}/ws")
}

/// The relay's socket URL for the page the console was loaded from.
pub fn page_ws_url() -> Option<String> {
    let location = web_sys::window()?.location();
    Some(ws_url(&location.protocol().ok()?, &location.host().ok()?))
}

/// Reads a JSON text frame from the relay (`routing::route_frame`).
pub type TextReader = fn(&str) -> Routed;

impl ApiClient {
    /// Connects to the relay that served this page (`ws(s)://<page host>/ws`); `text` reads
    /// its JSON text frames (see [`ApiClient::new`]).
    pub fn for_page(text: Option<TextReader>) -> Self {
        let url = page_ws_url().unwrap_or_else(|| "ws://127.0.0.1/ws".to_string());
        Self::new(url, CALL_TIMEOUT, text)
    }

    /// Connects to `url`; every call fails with [`ApiError::Timeout`] after `timeout`.
    /// Must run inside a reactive owner (the connection state lives in signals).
    ///
    /// The socket speaks the binary subprotocol (`tna_types::binary`): results of the methods
    /// marked `binary`, errors and pushes come as binary frames. `text` reads the JSON text
    /// frames, the results of every other method; `None` (the kiosk, whose every method
    /// answers in binary) leaves the JSON reader out of the WASM, and a text frame is logged
    /// as one this client cannot read.
    pub fn new(url: impl Into<String>, timeout: Duration, text: Option<TextReader>) -> Self {
        let state = RwSignal::new(ConnectionState::Connecting);
        let epoch = RwSignal::new(0);
        let url = url.into();
        let inner = Rc::new_cyclic(|weak| Inner {
            url,
            timeout,
            text,
            state,
            epoch,
            socket: RefCell::new(None),
            pending: RefCell::new(Pending::new()),
            gate: Gate::new(MAX_IN_FLIGHT_PER_SOCKET),
            waiters: RefCell::new(Vec::new()),
            listeners: RefCell::new(Vec::new()),
            next_listener: Cell::new(0),
            failures: Cell::new(0),
            retry_generation: Cell::new(0),
            handlers: Handlers::new(weak),
        });
        inner.connect();
        Self {
            inner: StoredValue::new_local(inner),
            state,
            epoch,
            session_ended: RwSignal::new(false),
        }
    }

    /// Turns true once the relay has answered that this session ended (signed out elsewhere,
    /// expired, or the account changed): the app then shows the sign-in page.
    pub fn session_ended(self) -> Signal<bool> {
        self.session_ended.into()
    }

    /// The connection state (reactive).
    pub fn state(self) -> Signal<ConnectionState> {
        self.state.into()
    }

    /// Counts successful connections (reactive): 0 until the first socket opens. Pages reload
    /// their data when it changes, so a view recovers by itself after the relay comes back.
    pub fn epoch(self) -> Signal<u64> {
        self.epoch.into()
    }

    /// The socket URL.
    pub fn url(self) -> String {
        self.inner.with_value(|i| i.url.clone())
    }

    /// Skips the rest of the backoff and connects now (when disconnected).
    pub fn reconnect_now(self) {
        if let Some(inner) = self.inner.try_get_value()
            && matches!(
                inner.state.get_untracked(),
                ConnectionState::Disconnected { .. }
            )
        {
            inner.connect();
        }
    }

    /// Calls method `M` and waits for its result.
    ///
    /// Fails at once with [`ApiError::NotConnected`] while disconnected; while connecting, waits
    /// for the socket (within the timeout). Fails with [`ApiError::ConnectionLost`] if the socket
    /// drops before the answer, and [`ApiError::Timeout`] after the client's timeout.
    pub async fn call<M: Method>(self, params: M::Params) -> Result<M::Result, ApiError> {
        // Only encoding the params and decoding the result depend on `M`; the call itself is
        // one non-generic function (it was compiled once per method: ~40 copies in the WASM).
        let params = encode_params::<M>(&params).map_err(|e| ApiError::Protocol(e.to_string()))?;
        self.call_json(M::NAME, params).await?.into_result::<M>()
    }

    /// Sends `method` with params that are JSON text already and waits for the reply.
    async fn call_json(self, method: &'static str, params: String) -> Result<Reply, ApiError> {
        let Some(inner) = self.inner.try_get_value() else {
            return Err(ApiError::NotConnected);
        };
        let timeout = inner.timeout;
        // The timeout starts once the call has a slot under the relay's in-flight limit: a page
        // that queues hundreds of calls must not see the last ones "time out" unsent. The wait
        // for a slot is bounded too: every call holding one ends within its own timeout.
        let _permit = inner.gate.acquire().await;
        let work = async {
            inner.ready().await?;
            let (_forget_on_drop, answer) = inner.send(method, &params)?;
            answer.await.map_err(|_| ApiError::ConnectionLost)?
        };
        match select(pin!(work), pin!(sleep(timeout))).await {
            Either::Left((Ok(reply), _)) => {
                if let Some(e) = reply.error()
                    && e.code == tna_types::protocol::ErrorCode::PermissionDenied as i32
                    && e.data.as_ref().is_some_and(|d| d["signIn"] == true)
                {
                    self.session_ended.try_set(true);
                }
                Ok(reply)
            }
            Either::Left((Err(e), _)) => Err(e),
            Either::Right(((), _)) => Err(ApiError::Timeout {
                after_ms: u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX),
            }),
        }
    }

    /// Calls `listener` with every notification the relay pushes, until removed.
    pub fn on_notification(self, listener: impl Fn(&Notification) + 'static) -> ListenerId {
        self.inner.with_value(|inner| {
            let id = inner.next_listener.get() + 1;
            inner.next_listener.set(id);
            inner.listeners.borrow_mut().push((id, Rc::new(listener)));
            ListenerId(id)
        })
    }

    /// Stops a listener registered with [`ApiClient::on_notification`].
    pub fn remove_listener(self, id: ListenerId) {
        if let Some(inner) = self.inner.try_get_value() {
            inner.listeners.borrow_mut().retain(|(l, _)| *l != id.0);
        }
    }
}

type Listener = Rc<dyn Fn(&Notification)>;

/// The socket's event handlers: made once per client and reused by every socket it opens, so no
/// closure is ever dropped while the browser may still call it.
struct Handlers {
    open: Closure<dyn FnMut(Event)>,
    message: Closure<dyn FnMut(MessageEvent)>,
    close: Closure<dyn FnMut(CloseEvent)>,
    error: Closure<dyn FnMut(Event)>,
}

impl Handlers {
    fn new(weak: &Weak<Inner>) -> Self {
        let w = weak.clone();
        let open = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
            if let Some(inner) = w.upgrade().filter(|i| i.is_current(&ev)) {
                inner.on_open();
            }
        });
        let w = weak.clone();
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(inner) = w.upgrade().filter(|i| i.is_current(&ev)) {
                inner.on_message(&ev);
            }
        });
        let w = weak.clone();
        let close = Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| {
            if let Some(inner) = w.upgrade().filter(|i| i.is_current(&ev)) {
                inner.on_close(ev.code(), &ev.reason());
            }
        });
        let w = weak.clone();
        let error = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            if let Some(inner) = w.upgrade() {
                // A `close` event always follows; it does the work.
                debug_warn!("relay socket error on {}", inner.url);
            }
        });
        Self {
            open,
            message,
            close,
            error,
        }
    }
}

struct Inner {
    url: String,
    timeout: Duration,
    /// Reads JSON text frames (`None`: binary frames only).
    text: Option<TextReader>,
    state: RwSignal<ConnectionState>,
    epoch: RwSignal<u64>,
    socket: RefCell<Option<WebSocket>>,
    pending: RefCell<Pending>,
    /// Keeps calls on the socket under the relay's in-flight limit.
    gate: Rc<Gate>,
    /// Calls made while connecting, waiting for the socket to open.
    waiters: RefCell<Vec<oneshot::Sender<Result<(), ApiError>>>>,
    listeners: RefCell<Vec<(u64, Listener)>>,
    next_listener: Cell<u64>,
    /// Failed connection attempts since the last open socket (drives the backoff).
    failures: Cell<u32>,
    /// Bumped to cancel a running retry countdown.
    retry_generation: Cell<u64>,
    handlers: Handlers,
}

impl Inner {
    /// Whether an event comes from the current socket (not from one already replaced).
    fn is_current(&self, ev: &Event) -> bool {
        let Some(target) = ev.target() else {
            return false;
        };
        let target: JsValue = target.into();
        self.socket
            .borrow()
            .as_ref()
            .is_some_and(|ws| AsRef::<JsValue>::as_ref(ws) == &target)
    }

    fn connect(self: &Rc<Self>) {
        self.retry_generation.set(self.retry_generation.get() + 1);
        self.state.set(ConnectionState::Connecting);
        // The binary subprotocol: results, errors and pushes come as binary frames, far cheaper
        // to decode than JSON (`tna_types::binary`); results without a binary form stay JSON.
        // A relay that does not answer with it fails the handshake (the browser's rule for a
        // socket opened with a subprotocol), so an open socket always speaks it.
        match WebSocket::new_with_str(&self.url, tna_types::binary::SUBPROTOCOL) {
            Ok(ws) => {
                ws.set_binary_type(BinaryType::Arraybuffer);
                ws.set_onopen(Some(self.handlers.open.as_ref().unchecked_ref()));
                ws.set_onmessage(Some(self.handlers.message.as_ref().unchecked_ref()));
                ws.set_onclose(Some(self.handlers.close.as_ref().unchecked_ref()));
                ws.set_onerror(Some(self.handlers.error.as_ref().unchecked_ref()));
                *self.socket.borrow_mut() = Some(ws);
            }
            Err(e) => {
                warn!("cannot open a socket to {}: {}", self.url, error_text(&e));
                self.on_close(0, "the browser refused the socket URL");
            }
        }
    }

    fn on_open(&self) {
        log!("connected to the relay at {}", self.url);
        self.failures.set(0);
        self.state.set(ConnectionState::Connected);
        self.epoch.update(|e| *e += 1);
        let waiters = std::mem::take(&mut *self.waiters.borrow_mut());
        for w in waiters {
            let _ = w.send(Ok(()));
        }
    }

    fn on_message(&self, ev: &MessageEvent) {
        let data = ev.data();
        let routed = match data.as_string() {
            Some(text) => match self.text {
                Some(read) => read(&text),
                None => {
                    Routed::Unroutable("a JSON text frame, which this client does not read".into())
                }
            },
            None => match data.dyn_ref::<js_sys::ArrayBuffer>() {
                Some(buffer) => route_binary(&js_sys::Uint8Array::new(buffer).to_vec()),
                None => Routed::Unroutable("a frame that is neither text nor binary".into()),
            },
        };
        match routed {
            Routed::Response(id, response) => {
                if !self.pending.borrow_mut().resolve(id, Ok(response)) {
                    debug_warn!("late or unknown response id {id} (the call gave up)");
                }
            }
            Routed::Notification(n) => {
                let listeners: Vec<Listener> = self
                    .listeners
                    .borrow()
                    .iter()
                    .map(|(_, l)| Rc::clone(l))
                    .collect();
                for l in listeners {
                    l(&n);
                }
            }
            Routed::Unroutable(why) => warn!("unroutable frame from the relay: {why}"),
        }
    }

    fn on_close(self: &Rc<Self>, code: u16, reason: &str) {
        if let Some(ws) = self.socket.borrow_mut().take() {
            ws.set_onopen(None);
            ws.set_onmessage(None);
            ws.set_onclose(None);
            ws.set_onerror(None);
        }
        let failed = self
            .pending
            .borrow_mut()
            .fail_all(&ApiError::ConnectionLost);
        let waiters = std::mem::take(&mut *self.waiters.borrow_mut());
        for w in waiters {
            let _ = w.send(Err(ApiError::ConnectFailed));
        }
        let failures = self.failures.get();
        self.failures.set(failures.saturating_add(1));
        let delay = retry_delay_ms(failures);
        warn!(
            "relay socket closed (code {code}{}{reason}); {failed} call(s) failed; retrying in {delay} ms",
            if reason.is_empty() { "" } else { ": " }
        );
        self.retry_generation.set(self.retry_generation.get() + 1);
        self.countdown(self.retry_generation.get(), delay);
    }

    /// Shows the seconds left, one tick per second, then connects (unless cancelled).
    fn countdown(self: &Rc<Self>, generation: u64, remaining_ms: u32) {
        if generation != self.retry_generation.get() {
            return;
        }
        if remaining_ms == 0 {
            self.connect();
            return;
        }
        self.state.set(ConnectionState::Disconnected {
            retry_in_secs: countdown_secs(remaining_ms),
        });
        let step = next_tick_ms(remaining_ms);
        let weak = Rc::downgrade(self);
        set_timeout(
            move || {
                if let Some(inner) = weak.upgrade() {
                    inner.countdown(generation, remaining_ms - step);
                }
            },
            Duration::from_millis(step.into()),
        );
    }

    /// Resolves when the socket is open: at once when connected, after the open while
    /// connecting; fails at once while disconnected.
    async fn ready(&self) -> Result<(), ApiError> {
        match self.state.get_untracked() {
            ConnectionState::Connected => Ok(()),
            ConnectionState::Disconnected { .. } => Err(ApiError::NotConnected),
            ConnectionState::Connecting => {
                let (tx, rx) = oneshot::channel();
                self.waiters.borrow_mut().push(tx);
                rx.await.unwrap_or(Err(ApiError::ConnectFailed))
            }
        }
    }

    /// Registers a request ID and sends the frame; the guard forgets the ID when the call ends
    /// without an answer (timeout, or the caller dropped the future).
    fn send(
        self: &Rc<Self>,
        method: &str,
        params_json: &str,
    ) -> Result<(ForgetOnDrop, oneshot::Receiver<super::routing::Answer>), ApiError> {
        let (id, answer) = self.pending.borrow_mut().register();
        let guard = ForgetOnDrop {
            inner: Rc::clone(self),
            id,
        };
        let frame = request_frame(id, method, params_json);
        let socket = self.socket.borrow();
        let ws = socket.as_ref().ok_or(ApiError::NotConnected)?;
        ws.send_with_str(&frame)
            .map_err(|e| ApiError::Protocol(error_text(&e)))?;
        Ok((guard, answer))
    }
}

struct ForgetOnDrop {
    inner: Rc<Inner>,
    id: i64,
}

impl Drop for ForgetOnDrop {
    fn drop(&mut self) {
        if let Ok(mut pending) = self.inner.pending.try_borrow_mut() {
            pending.forget(self.id);
        }
    }
}

/// Resolves after `duration`; clears its browser timer when dropped early.
fn sleep(duration: Duration) -> impl Future<Output = ()> {
    struct ClearOnDrop(Option<TimeoutHandle>);
    impl Drop for ClearOnDrop {
        fn drop(&mut self) {
            if let Some(h) = self.0.take() {
                h.clear();
            }
        }
    }
    let (tx, rx) = oneshot::channel::<()>();
    let timer = ClearOnDrop(
        set_timeout_with_handle(
            move || {
                let _ = tx.send(());
            },
            duration,
        )
        .ok(),
    );
    async move {
        let _timer = timer;
        let _ = rx.await;
    }
}

#[cfg(test)]
mod tests {
    use super::ws_url;

    #[test]
    fn socket_url_follows_the_page() {
        assert_eq!(ws_url("http:", "127.0.0.1:8080"), "ws://127.0.0.1:8080/ws");
        assert_eq!(ws_url("https:", "tna.example"), "wss://tna.example/ws");
    }
}
