//! Heartbeats: each node announces itself in Redis every second. Writing and reading live in
//! `crate::heartbeat` (readers such as `rtctl top` never import `serve`); this module keeps
//! what only a node knows: which client IPs its connections come from.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

pub use crate::heartbeat::{read_all, remove, write, write_detail};

/// Connections per client IP on this node, for the NAT-trap figures of the heartbeat (distinct
/// IPs and the largest one's share) and the detail (top IPs).
/// The address counted is the engine's client IP (`HandshakeRequest::client_ip`): the
/// forwarded address only when the peer is a `--trusted-proxy`.
#[derive(Debug, Default)]
pub struct ClientIps {
    counts: Mutex<HashMap<IpAddr, u64>>,
}

impl ClientIps {
    pub fn connected(&self, ip: Option<IpAddr>) {
        if let Some(ip) = ip {
            *self
                .counts
                .lock()
                .expect("client ips")
                .entry(ip)
                .or_insert(0) += 1;
        }
    }

    pub fn disconnected(&self, ip: Option<IpAddr>) {
        let Some(ip) = ip else { return };
        let mut c = self.counts.lock().expect("client ips");
        if let Some(n) = c.get_mut(&ip) {
            *n -= 1;
            if *n == 0 {
                c.remove(&ip);
            }
        }
    }

    /// Distinct IPs, the largest IP's share of the tracked connections (0 when none), and the
    /// `limit` largest IPs with their connections, largest first.
    pub fn summary(&self, limit: usize) -> (u64, f64, Vec<(String, u64)>) {
        let c = self.counts.lock().expect("client ips");
        let total: u64 = c.values().sum();
        let mut top: Vec<(IpAddr, u64)> = c.iter().map(|(ip, n)| (*ip, *n)).collect();
        drop(c);
        top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let share = match (top.first(), total) {
            (Some((_, n)), t) if t > 0 => *n as f64 / t as f64,
            _ => 0.0,
        };
        let distinct = top.len() as u64;
        top.truncate(limit);
        (
            distinct,
            share,
            top.into_iter().map(|(ip, n)| (ip.to_string(), n)).collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn counts_distinct_ips_and_the_largest_share() {
        let t = ClientIps::default();
        assert_eq!(t.summary(5), (0, 0.0, vec![]));
        for _ in 0..3 {
            t.connected(Some(ip("203.0.113.50")));
        }
        t.connected(Some(ip("198.51.100.1")));
        t.connected(None);
        let (n, share, top) = t.summary(1);
        assert_eq!((n, share), (2, 0.75));
        assert_eq!(top, vec![("203.0.113.50".to_string(), 3)]);
        t.disconnected(Some(ip("198.51.100.1")));
        t.disconnected(Some(ip("198.51.100.1")));
        t.disconnected(None);
        assert_eq!(t.summary(5).0, 1);
        assert_eq!(t.summary(5).1, 1.0);
    }
}
