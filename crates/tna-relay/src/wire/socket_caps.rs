//! Caps on open WebSockets: per signed-in session ([`MAX_SOCKETS_PER_SESSION`]), per client
//! address ([`MAX_SOCKETS_PER_CLIENT`]; the address the sign-in limit counts, so
//! `X-Forwarded-For` only from a `--trusted-proxy`) and in total
//! ([`MAX_SOCKETS_TOTAL`](crate::outbox::MAX_SOCKETS_TOTAL)). Checked at the upgrade; a refused
//! upgrade is answered `429` (session, client) or `503` (total) with a body that says which.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
pub use tna_types::limits::{MAX_SOCKETS_PER_CLIENT, MAX_SOCKETS_PER_SESSION};

/// The three caps.
#[derive(Clone, Copy, Debug)]
pub struct Caps {
    /// Per session (sockets of a relay without sign-in have no session).
    pub per_session: usize,
    /// Per client address.
    pub per_client: usize,
    /// Every socket.
    pub total: usize,
}

impl Default for Caps {
    fn default() -> Self {
        Caps {
            per_session: MAX_SOCKETS_PER_SESSION,
            per_client: MAX_SOCKETS_PER_CLIENT,
            total: crate::outbox::MAX_SOCKETS_TOTAL,
        }
    }
}

#[derive(Default)]
struct Counts {
    total: usize,
    sessions: HashMap<String, usize>,
    clients: HashMap<IpAddr, usize>,
}

/// The open sockets, counted against [`Caps`] (cheap to clone).
#[derive(Clone)]
pub struct SocketCaps {
    caps: Caps,
    counts: Arc<Mutex<Counts>>,
}

/// An upgrade refused by a cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// 429 or 503.
    pub status: StatusCode,
    /// The metric's reason (`cap_session`, `cap_client`, `cap_total`).
    pub reason: &'static str,
    /// What the client is told.
    pub message: String,
}

/// One admitted socket; dropping it frees its place.
pub struct Admitted {
    counts: Arc<Mutex<Counts>>,
    session: Option<String>,
    client: IpAddr,
}

impl SocketCaps {
    /// Caps as given.
    pub fn new(caps: Caps) -> Self {
        SocketCaps {
            caps,
            counts: Arc::default(),
        }
    }

    /// Counts a new socket of `session` (its token; `None` without sign-in) from `client`, or
    /// says which cap refuses it.
    pub fn admit(&self, session: Option<&str>, client: IpAddr) -> Result<Admitted, Refused> {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if c.total >= self.caps.total {
            return Err(Refused {
                status: StatusCode::SERVICE_UNAVAILABLE,
                reason: "cap_total",
                message: format!(
                    "the relay serves {} sockets, its limit: try again later",
                    self.caps.total
                ),
            });
        }
        if let Some(s) = session
            && c.sessions.get(s).copied().unwrap_or(0) >= self.caps.per_session
        {
            return Err(Refused {
                status: StatusCode::TOO_MANY_REQUESTS,
                reason: "cap_session",
                message: format!(
                    "this session already has {} open sockets, its limit: close a tab or window",
                    self.caps.per_session
                ),
            });
        }
        if c.clients.get(&client).copied().unwrap_or(0) >= self.caps.per_client {
            return Err(Refused {
                status: StatusCode::TOO_MANY_REQUESTS,
                reason: "cap_client",
                message: format!(
                    "{} sockets are already open from {client}, the limit per client address",
                    self.caps.per_client
                ),
            });
        }
        c.total += 1;
        if let Some(s) = session {
            *c.sessions.entry(s.to_string()).or_default() += 1;
        }
        *c.clients.entry(client).or_default() += 1;
        Ok(Admitted {
            counts: self.counts.clone(),
            session: session.map(str::to_string),
            client,
        })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        c.total = c.total.saturating_sub(1);
        if let Some(s) = &self.session
            && let Some(n) = c.sessions.get_mut(s)
        {
            *n -= 1;
            if *n == 0 {
                c.sessions.remove(s);
            }
        }
        if let Some(n) = c.clients.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                c.clients.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cap_refuses_the_next_socket_and_frees_on_drop() {
        let caps = SocketCaps::new(Caps {
            per_session: 2,
            per_client: 3,
            total: 4,
        });
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let s1 = caps.admit(Some("s"), a).unwrap();
        let _s2 = caps.admit(Some("s"), a).unwrap();
        let r = caps.admit(Some("s"), b).err().unwrap();
        assert_eq!(
            (r.status, r.reason),
            (StatusCode::TOO_MANY_REQUESTS, "cap_session")
        );
        let _t = caps.admit(Some("t"), a).unwrap();
        let r = caps.admit(Some("u"), a).err().unwrap();
        assert_eq!(r.reason, "cap_client");
        let _u = caps.admit(None, b).unwrap();
        let r = caps.admit(None, b).err().unwrap();
        assert_eq!(
            (r.status, r.reason),
            (StatusCode::SERVICE_UNAVAILABLE, "cap_total")
        );
        drop(s1);
        assert!(caps.admit(Some("s"), b).is_ok());
    }
}
