//! Limits of the HTTP server loop ([`super::http::serve_guarded`]) against clients that
//! hold resources without finishing their requests: a ceiling on open connections (with a
//! reserve for the application's own endpoints), a deadline on request bodies, and a cap
//! on unfinished requests per client IP, where the client IP is taken from
//! `X-Forwarded-For` only when the peer is a trusted gateway.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};

use super::server::lock;

/// An IP address or network (`10.0.0.0/8`, `::1`), e.g. a trusted gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpPrefix {
    addr: IpAddr,
    len: u8,
}

impl IpPrefix {
    /// `true` when `ip` is inside this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(a), IpAddr::V4(b)) => prefix_eq(&a.octets(), &b.octets(), self.len),
            (IpAddr::V6(a), IpAddr::V6(b)) => prefix_eq(&a.octets(), &b.octets(), self.len),
            (IpAddr::V6(a), IpAddr::V4(b)) => a.to_ipv4_mapped().is_some_and(|a| {
                self.len >= 96 && prefix_eq(&a.octets(), &b.octets(), self.len - 96)
            }),
            (IpAddr::V4(_), IpAddr::V6(b)) => {
                b.to_ipv4_mapped().is_some_and(|b| self.contains(b.into()))
            }
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], len: u8) -> bool {
    let full = usize::from(len / 8);
    let rest = len % 8;
    if a[..full] != b[..full] {
        return false;
    }
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        a[full] & mask == b[full] & mask
    }
}

impl FromStr for IpPrefix {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (ip, len) = match s.split_once('/') {
            Some((ip, len)) => (ip, Some(len)),
            None => (s, None),
        };
        let addr: IpAddr = ip
            .trim()
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or network (e.g. 10.0.0.0/8)"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let len = match len {
            None => max,
            Some(l) => match l.trim().parse::<u8>() {
                Ok(l) if l <= max => l,
                _ => return Err(format!("{s:?}: prefix length must be 0 to {max}")),
            },
        };
        Ok(IpPrefix { addr, len })
    }
}

impl fmt::Display for IpPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// The client's IP: the peer, or, when the peer is a trusted gateway, the right-most
/// `X-Forwarded-For` entry that is not itself trusted (entries further left are written by
/// the client and cannot be believed).
pub fn client_ip(peer: IpAddr, headers: &hyper::HeaderMap, trusted: &[IpPrefix]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let mut client = peer;
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect::<Vec<_>>();
    for hop in hops.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

/// The client IP of a request, as [`super::http::serve_guarded`] resolved it (a request
/// extension; the Engine.IO handshake counts its unfinished handshakes by it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The HTTP server loop's limits.
#[derive(Debug, Clone)]
pub struct HttpLimits {
    /// Open connections served normally (default 10,000).
    pub max_connections: usize,
    /// Further connections kept for the application's own endpoints (health, metrics, API):
    /// each serves one request that is not Engine.IO and is closed (default 64). Beyond
    /// both, a new connection gets `503` and is closed at once.
    pub reserved_connections: usize,
    /// Time to receive a request head (default 30 s).
    pub header_timeout: Duration,
    /// Largest request head (request line and headers), in bytes (default 32 KiB, at
    /// least 8 KiB); larger ones get `431`.
    pub max_header_bytes: usize,
    /// Time to receive a request body, from its head (default 10 s).
    pub body_timeout: Duration,
    /// Requests whose body is still being received, per client IP (default 1,024).
    pub max_unfinished_per_ip: usize,
    /// Gateways whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpPrefix>,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            max_connections: 10_000,
            reserved_connections: 64,
            header_timeout: Duration::from_secs(30),
            max_header_bytes: 32 << 10,
            body_timeout: Duration::from_secs(10),
            max_unfinished_per_ip: 1024,
            trusted_proxies: Vec::new(),
        }
    }
}

/// What the HTTP limits refused (all monotonic but `connections`).
#[derive(Debug, Default)]
pub struct HttpStats {
    /// Open connections (gauge).
    pub connections: AtomicUsize,
    /// Connections refused with 503: over `max_connections + reserved_connections`.
    pub connections_refused_total: AtomicU64,
    /// Engine.IO requests refused with 503 on a reserved connection.
    pub reserved_refused_total: AtomicU64,
    /// Requests refused with 429: their IP already had `max_unfinished_per_ip` bodies open.
    pub unfinished_refused_total: AtomicU64,
    /// Request bodies not received within `body_timeout`.
    pub body_timeouts_total: AtomicU64,
    /// Connections that had sent no request, closed at the ceiling to make room.
    pub idle_evicted_total: AtomicU64,
}

/// Requests with a body still arriving, per client IP.
#[derive(Debug, Default)]
pub(crate) struct Unfinished {
    by_ip: Mutex<HashMap<IpAddr, usize>>,
}

impl Unfinished {
    /// Counts one more unfinished request of `ip`, unless it has `max` already.
    pub(crate) fn try_begin(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<UnfinishedGuard> {
        let mut m = lock(&self.by_ip);
        let n = m.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(UnfinishedGuard {
            set: self.clone(),
            ip,
        })
    }
}

/// One unfinished request; counted until its body ends or is dropped.
#[derive(Debug)]
pub(crate) struct UnfinishedGuard {
    set: Arc<Unfinished>,
    ip: IpAddr,
}

impl Drop for UnfinishedGuard {
    fn drop(&mut self) {
        let mut m = lock(&self.set.by_ip);
        if let Some(n) = m.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
    }
}

/// A request body must be complete within this time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("request body not received within {0:?}")]
pub struct BodyTimeout(pub Duration);

/// The request body handed to a guarded service: hyper's body with a deadline, counted
/// as unfinished for its client IP until it ends.
pub struct RequestBody {
    inner: Incoming,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    timeout: Duration,
    guard: Option<UnfinishedGuard>,
    stats: Option<Arc<HttpStats>>,
    /// Set when the deadline passed (the server then answers 408 whatever the handler said).
    timed_out: Arc<std::sync::atomic::AtomicBool>,
}

impl fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBody")
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl RequestBody {
    pub(crate) fn new(
        inner: Incoming,
        timeout: Duration,
        guard: Option<UnfinishedGuard>,
        stats: Arc<HttpStats>,
        timed_out: Arc<std::sync::atomic::AtomicBool>,
    ) -> Self {
        let done = inner.is_end_stream();
        RequestBody {
            inner,
            deadline: (!done).then(|| Box::pin(tokio::time::sleep(timeout))),
            timeout,
            guard: if done { None } else { guard },
            stats: Some(stats),
            timed_out,
        }
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(None) => {
                this.guard = None;
                this.deadline = None;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(e))) => {
                this.guard = None;
                Poll::Ready(Some(Err(e.into())))
            }
            Poll::Ready(Some(Ok(f))) => Poll::Ready(Some(Ok(f))),
            Poll::Pending => {
                let Some(d) = this.deadline.as_mut() else {
                    return Poll::Pending;
                };
                match d.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        this.guard = None;
                        this.deadline = None;
                        if let Some(s) = this.stats.take() {
                            s.body_timeouts_total.fetch_add(1, Ordering::Relaxed);
                        }
                        this.timed_out.store(true, Ordering::Release);
                        Poll::Ready(Some(Err(Box::new(BodyTimeout(this.timeout)))))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> IpPrefix {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn prefixes_match_their_networks() {
        assert!(p("10.0.0.0/8").contains(ip("10.200.3.4")));
        assert!(!p("10.0.0.0/8").contains(ip("11.0.0.1")));
        assert!(p("192.168.1.0/25").contains(ip("192.168.1.127")));
        assert!(!p("192.168.1.0/25").contains(ip("192.168.1.128")));
        assert!(p("127.0.0.1").contains(ip("127.0.0.1")));
        assert!(!p("127.0.0.1").contains(ip("127.0.0.2")));
        assert!(p("0.0.0.0/0").contains(ip("8.8.8.8")));
        assert!(p("fd00::/8").contains(ip("fd12::1")));
        assert!(p("10.0.0.0/8").contains(ip("::ffff:10.1.2.3")));
        assert_eq!(p("10.0.0.1").to_string(), "10.0.0.1/32");
        for bad in ["", "10.0.0.0/33", "x", "::1/129", "10.0.0.0/-1"] {
            assert!(bad.parse::<IpPrefix>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_gateways() {
        let mut h = hyper::HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "6.6.6.6, 203.0.113.7, 10.0.0.2".parse().unwrap(),
        );
        let trusted = [p("10.0.0.0/8")];
        // from the gateway: the right-most untrusted hop
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &trusted), ip("203.0.113.7"));
        // from anyone else: the peer, whatever the header says
        assert_eq!(
            client_ip(ip("198.51.100.1"), &h, &trusted),
            ip("198.51.100.1")
        );
        // no header: the gateway itself
        assert_eq!(
            client_ip(ip("10.0.0.1"), &hyper::HeaderMap::new(), &trusted),
            ip("10.0.0.1")
        );
        // garbage stops the walk
        h.insert("x-forwarded-for", "nonsense".parse().unwrap());
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &trusted), ip("10.0.0.1"));
    }

    #[test]
    fn unfinished_requests_are_counted_per_ip() {
        let u = Arc::new(Unfinished::default());
        let a = ip("1.1.1.1");
        let g1 = u.try_begin(a, 2).expect("first");
        let _g2 = u.try_begin(a, 2).expect("second");
        assert!(u.try_begin(a, 2).is_none());
        assert!(u.try_begin(ip("2.2.2.2"), 2).is_some());
        drop(g1);
        assert!(u.try_begin(a, 2).is_some());
    }
}
