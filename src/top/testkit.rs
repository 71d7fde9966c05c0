//! Fleets and heartbeat sequences for the state and rendering tests.

use std::collections::BTreeMap;

use crate::fleet::Fleet;
use crate::heartbeat::{FleetSample, LogSample};
use crate::redis_schema::Heartbeat;

use super::state::{Expectation, State};

/// 2024-12-04 10:00:00 UTC.
pub const T0: u64 = 1_733_306_400_000;

/// Three loopback nodes behind nginx consistent hashing (`sticky` = the first key source).
pub fn fleet(sticky: &str, algorithm: &str) -> Expectation {
    let text = format!(
        r#"
name = "test"
[gateway]
kind = "nginx"
algorithm = "{algorithm}"
sticky_keys = ["{sticky}"]
[[nodes]]
id = "n1"
host = "127.0.0.1"
port = 3101
[[nodes]]
id = "n2"
host = "127.0.0.1"
port = 3102
[[nodes]]
id = "n3"
host = "127.0.0.1"
port = 3103
[profile]
fd_limit = 2064
fd_reserve = 64
[workload]
devices = 3000
"#
    );
    let f = Fleet::parse(&text, std::path::Path::new("test.toml")).expect("fleet parses");
    Expectation::from_fleet(&f)
}

pub fn three() -> Expectation {
    fleet("query:deviceId", "consistent")
}

/// A heartbeat of node `id` (port 3100 + its digit) at `at_ms` with `conns` connections and
/// `out` deliveries so far.
pub fn hb(id: &str, at_ms: u64, conns: u64, out: u64) -> Heartbeat {
    let port = 3100 + id.trim_start_matches('n').parse::<u64>().unwrap_or(9);
    Heartbeat {
        node_id: id.into(),
        listen: format!("127.0.0.1:{port}"),
        version: "0.1.0".into(),
        at_ms,
        uptime_secs: at_ms.saturating_sub(T0) / 1000 + 600,
        connections: conns,
        rooms: BTreeMap::new(),
        messages_in: out / 10,
        messages_out: out,
        memory_bytes: 50_000_000 + conns * 30_000,
        sockets_behind: 0,
        log_offset: format!("{}-0", T0),
        draining: false,
        departments: 50,
        department_members: conns,
        client_ips: conns,
        top_client_ip_share: if conns > 0 { 1.0 / conns as f64 } else { 0.0 },
        recoveries: 0,
        gaps: 0,
        log_max_len: 100_000,
        log_max_age_secs: 86_400,
        // Fields added later (e.g. log-reader health) take their defaults here.
        ..Heartbeat::default()
    }
}

/// A sample at `now` of these heartbeats (all indexed at their own time) plus index-only
/// entries (`gone`: id and last seen).
pub fn sample(now: u64, hbs: &[Heartbeat], gone: &[(&str, u64)]) -> FleetSample {
    let mut s = FleetSample {
        now_ms: now,
        log: LogSample {
            length: 1_000,
            first: Some(format!("{}-0", T0 - 3_600_000)),
            recent: vec![format!("{}-0", T0)],
        },
        round_trips: 1,
        ..FleetSample::default()
    };
    for h in hbs {
        s.index.push((h.node_id.clone(), h.at_ms));
        s.heartbeats.insert(h.node_id.clone(), h.clone());
    }
    for (id, last) in gone {
        s.index.push((id.to_string(), *last));
    }
    s
}

/// A state fed with `n` one-second refreshes of a healthy three-node fleet (3,000 devices as
/// the gateway model predicts, 500 deliveries/s per node), ending at `T0 + n s`.
pub fn healthy(n: u64) -> State {
    let e = three();
    let p = e.shares(&[]).expect("model");
    let mut st = State::new("default", Some(e), 1000);
    for i in 0..n {
        let t = T0 + i * 1000;
        let at = |k: usize| (p[k] * 3000.0).round() as u64;
        let conns = [at(0) + i % 3, at(1), at(2) - i % 2];
        let hbs: Vec<Heartbeat> = (1..=3)
            .map(|k| hb(&format!("n{k}"), t, conns[k - 1], i * 500))
            .collect();
        st.apply(sample(t, &hbs, &[]));
    }
    st
}
