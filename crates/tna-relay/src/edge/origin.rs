//! Origins: which web pages may sign in and open `/ws`, and what follows from the origin the
//! console is reached at (`--public-origin`).
//!
//! Behind a TLS proxy the relay itself speaks plain HTTP, so it cannot tell from the connection
//! that users reach it over `https://`; `--public-origin https://tna.example.com` says so. Then:
//! - a page's `Origin` must be exactly that origin (scheme, host and port; `https://tna.example.com`
//!   and `https://tna.example.com:443` are the same origin) or one of `--allow-origin`;
//! - the session cookie is `Secure` and named `__Host-tna_session` (the browser then refuses it
//!   from plain HTTP and from other hosts or subdomains);
//! - every response carries `Strict-Transport-Security`.
//!
//! Without a public origin the relay's own origin is its scheme (`https` when it serves TLS) and
//! the `Host` the browser addressed; that is compared exactly too (an `http://` page may not drive
//! an `https://` relay on the same host, nor a page on another port).

use axum::http::{HeaderMap, HeaderValue, header};

/// `Strict-Transport-Security` whenever the console is reached over https: one year, as
/// browsers' preload lists expect; no `includeSubDomains` (other hosts are not ours to pin).
pub const HSTS: HeaderValue = HeaderValue::from_static("max-age=31536000");

/// An origin as browsers send it: scheme, host, port (always explicit here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

/// A `--public-origin` / `--allow-origin` value that is not `scheme://host[:port]`.
#[derive(Debug, thiserror::Error)]
#[error(
    "{given:?} is not an origin: {why} (write scheme://host[:port], e.g. https://tna.example.com)"
)]
pub struct BadOrigin {
    /// What was given.
    pub given: String,
    /// What is wrong with it.
    pub why: &'static str,
}

impl Origin {
    /// Parses `http(s)://host[:port]` (a trailing `/` is allowed, nothing else after the host).
    pub fn parse(s: &str) -> Result<Origin, BadOrigin> {
        let bad = |why| BadOrigin {
            given: s.to_string(),
            why,
        };
        let (scheme, rest) = s.trim().split_once("://").ok_or(bad("no scheme"))?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "https" => 443,
            "http" => 80,
            _ => return Err(bad("the scheme must be http or https")),
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        Self::from_authority(scheme, default_port, rest).ok_or(bad("bad host or port"))
    }

    /// `host[:port]` (IPv6 in brackets) under `scheme`.
    fn from_authority(scheme: String, default_port: u16, authority: &str) -> Option<Origin> {
        if authority.is_empty()
            || authority
                .chars()
                .any(|c| c.is_whitespace() || matches!(c, '/' | '?' | '#' | '@' | ';' | ','))
        {
            return None;
        }
        let (host, port) = match authority.rsplit_once(':') {
            // `[::1]` alone: the colon is inside the brackets.
            Some((h, p)) if !p.contains(']') => (h, Some(p)),
            _ => (authority, None),
        };
        if host.is_empty() {
            return None;
        }
        let port = match port {
            Some(p) => p.parse::<u16>().ok().filter(|&p| p != 0)?,
            None => default_port,
        };
        Some(Origin {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// The port browsers leave out for this scheme.
    fn default_port(&self) -> u16 {
        if self.is_https() { 443 } else { 80 }
    }

    /// Whether pages of this origin are served over https.
    pub fn is_https(&self) -> bool {
        self.scheme == "https"
    }
}

/// As a browser writes it: `https://tna.example.com`, the port only when it is not the default.
impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        if self.port != self.default_port() {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

/// Which pages may sign in and open `/ws`.
#[derive(Debug, Clone)]
pub struct OriginPolicy {
    /// `--public-origin`: the console's own origin behind a proxy.
    public: Option<Origin>,
    /// `--allow-origin`: other origins whose pages may use the relay.
    allowed: Vec<Origin>,
    /// The relay serves TLS itself.
    tls: bool,
}

impl OriginPolicy {
    /// The policy from the relay's settings; a malformed origin stops the start.
    pub fn new(public: Option<&str>, allowed: &[String], tls: bool) -> Result<Self, BadOrigin> {
        Ok(OriginPolicy {
            public: public.map(Origin::parse).transpose()?,
            allowed: allowed
                .iter()
                .map(|a| Origin::parse(a))
                .collect::<Result<_, _>>()?,
            tls,
        })
    }

    /// The `--allow-origin` origins, for CSP `frame-ancestors`.
    pub fn frame_ancestors(&self) -> Vec<String> {
        self.allowed.iter().map(Origin::to_string).collect()
    }

    /// Users reach the console over https (the relay's TLS, or an https public origin): cookies
    /// are `Secure` + `__Host-`, responses carry HSTS.
    pub fn https(&self) -> bool {
        self.public.as_ref().map_or(self.tls, Origin::is_https)
    }

    /// A browser always sends `Origin` on a WebSocket upgrade and a sign-in `fetch`; a page from
    /// another site must not be able to drive the relay with the user's network position
    /// (cross-site WebSocket hijacking, sign-in CSRF). Clients that send no `Origin` (scripts,
    /// `tnactl`) are not browsers and are let through.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), String> {
        let Some(origin) = headers.get(header::ORIGIN) else {
            return Ok(());
        };
        let origin = origin
            .to_str()
            .map_err(|_| "the Origin header is not text".to_string())?;
        let refused = |own: &str| {
            format!("a page from {origin:?} may not use this relay: only pages served at {own} may")
        };
        let Ok(theirs) = Origin::parse(origin) else {
            // `null` (sandboxed frames, file:// pages) and anything else that is no origin.
            return Err(refused(&self.own_description(headers)));
        };
        if self.allowed.contains(&theirs) {
            return Ok(());
        }
        let own = match &self.public {
            Some(public) => Some(public.clone()),
            None => self.own_by_host(headers),
        };
        if own.as_ref() == Some(&theirs) {
            Ok(())
        } else {
            Err(refused(&self.own_description(headers)))
        }
    }

    /// The relay's own origin from the `Host` the browser addressed (no public origin set).
    fn own_by_host(&self, headers: &HeaderMap) -> Option<Origin> {
        let host = headers.get(header::HOST)?.to_str().ok()?;
        let (scheme, port) = if self.tls {
            ("https", 443)
        } else {
            ("http", 80)
        };
        Origin::from_authority(scheme.to_string(), port, host)
    }

    /// The own origin in words, for the refusal.
    fn own_description(&self, headers: &HeaderMap) -> String {
        match (&self.public, &self.own_by_host(headers)) {
            (Some(p), _) | (None, Some(p)) => p.to_string(),
            (None, None) => "this relay's own address (the request has no Host)".to_string(),
        }
    }
}

/// The session cookie's name: `__Host-` whenever it is `Secure` (the browser then keeps it to
/// this exact host, path `/`, https only).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-tna_session"
    } else {
        "tna_session"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        if let Some(x) = host {
            h.insert(header::HOST, HeaderValue::from_str(x).unwrap());
        }
        h
    }

    fn open(tls: bool) -> OriginPolicy {
        OriginPolicy::new(None, &[], tls).unwrap()
    }

    #[test]
    fn origins_parse_with_explicit_default_ports() {
        let a = Origin::parse("https://TNA.example.com").unwrap();
        assert_eq!(a, Origin::parse("https://tna.example.com:443/").unwrap());
        assert_ne!(a, Origin::parse("http://tna.example.com").unwrap());
        assert_ne!(a, Origin::parse("https://tna.example.com:8443").unwrap());
        assert_eq!(
            Origin::parse("http://[::1]:8080").unwrap().host,
            "[::1]".to_string()
        );
        for bad in [
            "tna.example.com",
            "ftp://tna.example.com",
            "https://",
            "https://tna.example.com/console",
            "https://tna.example.com:0",
            "https://tna.example.com:99999",
            "https://a.example; script-src *",
            "https://user@tna.example.com",
        ] {
            assert!(Origin::parse(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn without_public_origin_the_own_origin_is_scheme_and_host() {
        let p = open(false);
        assert!(
            p.check(&headers(None, Some("127.0.0.1:8080"))).is_ok(),
            "not a browser"
        );
        assert!(
            p.check(&headers(
                Some("http://127.0.0.1:8080"),
                Some("127.0.0.1:8080")
            ))
            .is_ok()
        );
        assert!(
            p.check(&headers(Some("http://TNA.example"), Some("tna.example:80")))
                .is_ok(),
            "the default port is the same origin"
        );
        assert!(
            p.check(&headers(
                Some("https://127.0.0.1:8080"),
                Some("127.0.0.1:8080")
            ))
            .is_err(),
            "another scheme is another origin"
        );
        assert!(
            p.check(&headers(
                Some("http://127.0.0.1:9999"),
                Some("127.0.0.1:8080")
            ))
            .is_err()
        );
        assert!(
            p.check(&headers(
                Some("http://evil.example"),
                Some("127.0.0.1:8080")
            ))
            .is_err()
        );
        assert!(
            p.check(&headers(Some("null"), Some("127.0.0.1:8080")))
                .is_err()
        );
        assert!(
            p.check(&headers(Some("http://127.0.0.1:8080"), None))
                .is_err()
        );
        let tls = open(true);
        assert!(
            tls.check(&headers(Some("https://tna.example"), Some("tna.example")))
                .is_ok()
        );
        assert!(
            tls.check(&headers(Some("http://tna.example"), Some("tna.example")))
                .is_err()
        );
    }

    #[test]
    fn a_public_origin_is_compared_exactly_and_the_host_header_no_longer_counts() {
        let p = OriginPolicy::new(Some("https://tna.example.com"), &[], false).unwrap();
        assert!(p.https());
        // The proxy forwards to 127.0.0.1:8080, so Host may be anything; the origin decides.
        let ok = p.check(&headers(
            Some("https://tna.example.com"),
            Some("127.0.0.1:8080"),
        ));
        assert!(ok.is_ok());
        for other in [
            "http://tna.example.com",
            "https://tna.example.com:8443",
            "https://evil.tna.example.com",
            "https://tna.example.com.evil.example",
            "http://127.0.0.1:8080",
        ] {
            let why = p
                .check(&headers(Some(other), Some("127.0.0.1:8080")))
                .expect_err(other);
            assert!(why.contains("at https://tna.example.com may"), "{why}");
        }
        let plain = OriginPolicy::new(Some("http://tna.lan:8080"), &[], false).unwrap();
        assert!(!plain.https());
        assert_eq!(
            Origin::parse("https://TNA.example.com:443")
                .unwrap()
                .to_string(),
            "https://tna.example.com"
        );
        assert_eq!(
            Origin::parse("http://tna.lan:8080/").unwrap().to_string(),
            "http://tna.lan:8080"
        );
    }

    #[test]
    fn allowed_origins_are_compared_exactly_too() {
        let p = OriginPolicy::new(None, &["https://intranet.example/".to_string()], false).unwrap();
        let h = |o| headers(Some(o), Some("10.0.0.5:8080"));
        assert!(p.check(&h("https://intranet.example")).is_ok());
        assert!(p.check(&h("https://intranet.example:443")).is_ok());
        assert!(p.check(&h("http://intranet.example")).is_err());
        assert!(p.check(&h("https://other.example")).is_err());
        assert!(OriginPolicy::new(None, &["*".to_string()], false).is_err());
    }

    #[test]
    fn secure_cookies_carry_the_host_prefix() {
        assert_eq!(cookie_name(true), "__Host-tna_session");
        assert_eq!(cookie_name(false), "tna_session");
    }
}
