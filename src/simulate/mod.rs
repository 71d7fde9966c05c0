//! `rtctl simulate`: where real gateways send devices. Pure apart from reading id files.

pub mod assign;
pub mod ids;

/// The gateway model lives in `crate::gateway` (shared by fleet, plan, render, simulate and
/// top); re-exported here so `simulate::gateway` paths keep working.
pub use crate::gateway;
pub mod nat;

use crate::error::{Error, Result};
use gateway::{Balancer, GatewaySpec, Pick, RoundRobin};

/// Kong 3.8.0–3.9.x read a hash header whose name contains `-` as nil (Kong/kong#13063).
pub fn kong_header_bug(version: &str) -> bool {
    let mut parts = version.trim().trim_start_matches('v').split('.');
    let major = parts.next().and_then(|p| p.parse::<u32>().ok());
    let minor = parts.next().and_then(|p| p.parse::<u32>().ok());
    matches!((major, minor), (Some(3), Some(8 | 9)))
}

/// Build a balancer, naming the upstream in errors.
pub fn balancer(spec: &GatewaySpec, context: &str) -> Result<Box<dyn Balancer>> {
    gateway::build(spec).map_err(|source| Error::Gateway {
        context: context.to_string(),
        source,
    })
}

/// A balancer plus its round-robin fallback state: routes keys one request at a time, in order.
pub struct Router {
    bal: Box<dyn Balancer>,
    rr: RoundRobin,
}

impl Router {
    pub fn new(spec: &GatewaySpec, context: &str) -> Result<Router> {
        Ok(Router {
            bal: balancer(spec, context)?,
            rr: RoundRobin::from_spec(spec),
        })
    }

    /// The target index for one request with this key; `None` when nothing is available.
    pub fn route(&mut self, key: &[u8]) -> Option<usize> {
        self.resolve(self.bal.pick(key))
    }

    /// Resolve a pick, taking the next round-robin peer where the gateway falls back to it.
    pub fn resolve(&mut self, pick: Pick) -> Option<usize> {
        match pick {
            Pick::Target(i) => Some(i),
            Pick::RoundRobin => self.rr.next(),
            Pick::Unavailable => None,
        }
    }

    pub fn balancer(&self) -> &dyn Balancer {
        self.bal.as_ref()
    }
}

/// How many keys change target between two configurations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Moves {
    pub moved: u64,
    /// Keys that moved although their old target is still present and up afterwards.
    pub moved_from_others: u64,
}

/// Compare two configurations key by key (targets matched by address).
pub fn moves(before: &GatewaySpec, after: &GatewaySpec, keys: &[String]) -> Result<Moves> {
    let mut a = Router::new(before, "before")?;
    let mut b = Router::new(after, "after")?;
    let still_up: Vec<bool> = before
        .targets
        .iter()
        .map(|t| {
            after
                .targets
                .iter()
                .position(|u| u.addr == t.addr)
                .is_some_and(|j| !after.down.contains(&j))
        })
        .collect();
    let mut m = Moves::default();
    for k in keys {
        let x = a.route(k.as_bytes());
        let y = b.route(k.as_bytes());
        let ax = x.map(|i| before.targets[i].addr.as_str());
        let by = y.map(|i| after.targets[i].addr.as_str());
        if ax != by {
            m.moved += 1;
            if x.is_some_and(|i| still_up[i]) {
                m.moved_from_others += 1;
            }
        }
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kong_versions_with_the_header_bug() {
        for v in ["3.8", "3.8.0", "3.9.3", "v3.9"] {
            assert!(kong_header_bug(v), "{v}");
        }
        for v in ["3.7.1", "3.10.0", "2.8", "garbage"] {
            assert!(!kong_header_bug(v), "{v}");
        }
    }
}
