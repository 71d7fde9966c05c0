use super::*;
use crate::top::testkit::{fleet, hb, healthy, sample, three, T0};

#[test]
fn healthy_fleet_rows_rates_and_no_alerts() {
    let st = healthy(5);
    assert_eq!(st.rows.len(), 3);
    assert!(st.rows.iter().all(|r| r.state == NodeState::Live));
    let predicted = three().shares(&[]).unwrap();
    for (r, p) in st.rows.iter().zip(&predicted) {
        assert_eq!(r.out_per_sec, Some(500.0), "{r:?}");
        assert_eq!(r.in_per_sec, Some(50.0));
        assert_eq!(r.predicted, Some(*p));
        assert!(r.sd_distance.unwrap().abs() < 1.0, "{r:?}");
        // fd ceiling 2064 − 64 = 2000 (the binding one in this profile).
        let c = r.connections.unwrap() as f64;
        assert!((r.capacity_pct.unwrap() - c / 20.0).abs() < 1e-9);
    }
    assert_eq!(st.totals.out_per_sec, 1500.0);
    assert_eq!(
        st.totals.connections,
        st.rows.iter().map(|r| r.connections.unwrap()).sum::<u64>()
    );
    assert_eq!(st.totals.log_length, 1000);
    assert_eq!(st.totals.log_age_secs, Some(3_604.0));
    assert!(st.alerts.is_empty(), "{:?}", st.alerts);
    assert_eq!(st.series("n1").1, vec![0, 500, 500, 500, 500]);
    assert_eq!(st.known(), ["n1", "n2", "n3"]);
}

#[test]
fn first_sample_has_no_rates_and_a_counter_reset_gives_none() {
    let mut st = State::new("default", None, 1000);
    st.apply(sample(T0, &[hb("n1", T0, 10, 100)], &[]));
    assert_eq!(st.rows[0].out_per_sec, None);
    // Restarted: uptime went down, counters from zero.
    let mut h = hb("n1", T0 + 1000, 10, 5);
    h.uptime_secs = 1;
    st.apply(sample(T0 + 1000, &[h], &[]));
    assert_eq!(st.rows[0].out_per_sec, None);
}

#[test]
fn stale_then_gone_with_times_and_alerts_newest_first() {
    let mut st = healthy(3);
    let last = T0 + 2000;
    // n3 stops beating: its heartbeat ages, then expires (index entry kept).
    let mk = |t: u64, with_n3: bool| {
        let mut hbs = vec![hb("n1", t, 1000, 0), hb("n2", t, 1000, 0)];
        if with_n3 {
            hbs.push(hb("n3", last, 1000, 0));
        }
        let gone = [("n3", last)];
        sample(t, &hbs, if with_n3 { &[] } else { &gone })
    };
    st.apply(mk(last + 2000, true));
    assert_eq!(
        st.rows[2].state,
        NodeState::Live,
        "2 s old is not stale yet"
    );
    st.apply(mk(last + 3000, true));
    assert_eq!(st.rows[2].state, NodeState::Stale { since_ms: last });
    assert_eq!(st.rows[2].state.label(), "stale 10:00:02");
    st.apply(mk(last + 6000, false));
    assert_eq!(st.rows[2].state, NodeState::Gone { since_ms: last });
    assert_eq!(st.rows[2].state.label(), "gone 10:00:02");
    assert_eq!(st.rows[2].connections, None);
    // Still on screen ten minutes later, as gone since the same time.
    st.apply(mk(last + 600_000, false));
    assert_eq!(st.rows[2].state, NodeState::Gone { since_ms: last });
    // Shares now split over the two survivors, predicted with n3 down.
    let p = three().shares(&[2]).unwrap();
    assert_eq!(st.rows[0].predicted, Some(p[0]));
    assert_eq!(st.rows[2].predicted, Some(0.0));
    assert_eq!(st.totals.nodes_up, 2);
    let kinds: Vec<(&str, &AlertKind)> = st
        .alerts
        .iter()
        .map(|a| (a.node.as_str(), &a.kind))
        .collect();
    assert_eq!(kinds, [("n3", &AlertKind::Gone), ("n3", &AlertKind::Stale)]);
    assert_eq!(st.alerts[0].at_ms, last + 6000);
    assert_eq!(st.active_alerts().len(), 1, "stale is over once gone");
}

#[test]
fn missing_and_unexpected_against_the_fleet_file() {
    let mut st = State::new("default", Some(three()), 1000);
    let mut stray = hb("n9", T0, 5, 0);
    stray.listen = "127.0.0.1:4000".into();
    st.apply(sample(
        T0,
        &[hb("n1", T0, 10, 0), hb("n2", T0, 10, 0), stray],
        &[],
    ));
    let states: Vec<(&str, NodeState)> = st.rows.iter().map(|r| (r.id.as_str(), r.state)).collect();
    assert_eq!(
        states,
        [
            ("n1", NodeState::Live),
            ("n2", NodeState::Live),
            ("n3", NodeState::Missing),
            ("n9", NodeState::Unexpected)
        ]
    );
    // A node known by its address (node id defaulted to the listen address) is not unexpected.
    let mut st = State::new("default", Some(three()), 1000);
    let mut by_addr = hb("n3", T0, 10, 0);
    by_addr.node_id = "127.0.0.1:3103".into();
    let mut s = sample(T0, &[], &[]);
    s.index.push((by_addr.node_id.clone(), T0));
    s.heartbeats.insert(by_addr.node_id.clone(), by_addr);
    st.apply(s);
    assert_eq!(st.rows.len(), 3, "{:?}", st.rows);
    assert!(st
        .rows
        .iter()
        .any(|r| r.id == "127.0.0.1:3103" && r.state == NodeState::Live));
}

#[test]
fn skew_outside_the_p99_band_and_over_capacity() {
    let mut st = State::new("default", Some(three()), 1000);
    st.apply(sample(
        T0,
        &[
            hb("n1", T0, 2100, 0),
            hb("n2", T0, 450, 0),
            hb("n3", T0, 450, 0),
        ],
        &[],
    ));
    let n1 = &st.rows[0];
    let p = n1.predicted.unwrap();
    let sd = (3000.0 * p * (1.0 - p)).sqrt();
    assert!((n1.sd_distance.unwrap() - (2100.0 - 3000.0 * p) / sd).abs() < 1e-9);
    assert_eq!(n1.capacity_pct, Some(105.0));
    let kinds: BTreeSet<(&str, AlertKind)> = st
        .alerts
        .iter()
        .map(|a| (a.node.as_str(), a.kind.clone()))
        .collect();
    assert!(kinds.contains(&("n1", AlertKind::Skewed)));
    assert!(kinds.contains(&("n1", AlertKind::OverCapacity)));
    assert!(!kinds
        .iter()
        .any(|(n, k)| *n != "n1" && *k == AlertKind::OverCapacity));
    // Raised once, not every refresh.
    let before = st.alerts.len();
    st.apply(sample(
        T0 + 1000,
        &[
            hb("n1", T0 + 1000, 2100, 0),
            hb("n2", T0 + 1000, 450, 0),
            hb("n3", T0 + 1000, 450, 0),
        ],
        &[],
    ));
    assert_eq!(st.alerts.len(), before);
}

#[test]
fn nat_trap_only_when_the_gateway_hashes_on_the_ip() {
    let trap = |e: Expectation| {
        let mut st = State::new("default", Some(e), 1000);
        let mut h = hb("n1", T0, 2900, 0);
        h.client_ips = 3;
        h.top_client_ip_share = 0.98;
        st.apply(sample(
            T0,
            &[h, hb("n2", T0, 50, 0), hb("n3", T0, 50, 0)],
            &[],
        ));
        st.alerts
            .iter()
            .any(|a| a.kind == AlertKind::NatTrap && a.node == "n1")
    };
    assert!(trap(fleet("ip", "consistent")));
    assert!(trap(fleet("query:deviceId", "ip-hash")));
    assert!(!trap(fleet("query:deviceId", "consistent")));
}

#[test]
fn lag_in_entries_and_seconds_from_the_log_head() {
    let mut st = State::new("default", None, 1000);
    let mut s = sample(T0, &[hb("n1", T0, 1, 0), hb("n2", T0, 1, 0)], &[]);
    s.heartbeats.get_mut("n1").unwrap().log_offset = format!("{}-0", T0 - 8000);
    s.log.recent = (0..3).map(|i| format!("{}-0", T0 - i * 1000)).collect();
    st.apply(s);
    assert_eq!(
        st.rows[0].lag,
        Some(Lag {
            entries: 3,
            at_least: false
        })
    );
    assert_eq!(st.rows[0].lag_secs, Some(8.0));
    assert_eq!(st.rows[1].lag_secs, Some(0.0));
    // Entries appended after a heartbeat was written are not its lag.
    let mut s = sample(T0, &[hb("n1", T0 - 2000, 1, 0)], &[]);
    s.heartbeats.get_mut("n1").unwrap().log_offset = format!("{}-0", T0 - 2000);
    s.log.recent = (0..3).map(|i| format!("{}-0", T0 - i * 1000)).collect();
    st.apply(s);
    assert_eq!(
        st.rows[0].lag,
        Some(Lag {
            entries: 0,
            at_least: false
        })
    );
    assert!(st
        .alerts
        .iter()
        .any(|a| a.kind == AlertKind::Lagging && a.node == "n1"));
    // Beyond the newest RECENT offsets: "at least".
    let mut s = sample(T0, &[hb("n1", T0, 1, 0)], &[]);
    s.heartbeats.get_mut("n1").unwrap().log_offset = "1-0".into();
    s.log.recent = (0..RECENT as u64)
        .map(|i| format!("{}-0", T0 - i))
        .collect();
    st.apply(s);
    assert_eq!(
        st.rows[0].lag,
        Some(Lag {
            entries: RECENT as u64,
            at_least: true
        })
    );
}

#[test]
fn recoveries_and_gaps_per_minute_and_gap_alerts() {
    let mut st = State::new("default", None, 1000);
    for i in 0..=30u64 {
        let t = T0 + i * 1000;
        let mut h = hb("n1", t, 10, 0);
        h.recoveries = i * 2;
        h.gaps = if i >= 30 { 1 } else { 0 };
        st.apply(sample(t, &[h], &[]));
    }
    assert_eq!(st.rows[0].recoveries_per_min, Some(120.0));
    assert_eq!(st.rows[0].gaps_per_min, Some(2.0));
    assert_eq!(st.alerts.len(), 1);
    assert_eq!(st.alerts[0].kind, AlertKind::Gaps);
}

#[test]
fn redis_down_keeps_rows_and_alerts_once_then_recovers() {
    let mut st = healthy(2);
    st.apply_error(T0 + 5000, "connection refused", 2000);
    st.apply_error(T0 + 7000, "connection refused", 4000);
    assert_eq!(
        st.redis,
        RedisStatus::Down {
            since_ms: T0 + 5000,
            error: "connection refused".into(),
            retry_in_ms: 4000
        }
    );
    assert_eq!(st.rows.len(), 3, "last rows kept");
    assert_eq!(st.alerts.len(), 1);
    assert_eq!(st.alerts[0].kind, AlertKind::RedisDown);
    let t = T0 + 9000;
    st.apply(sample(
        t,
        &[hb("n1", t, 1, 0), hb("n2", t, 1, 0), hb("n3", t, 1, 0)],
        &[],
    ));
    assert_eq!(st.redis, RedisStatus::Up { round_trips: 1 });
    assert!(st.active_alerts().is_empty());
}

#[test]
fn keys_select_sort_filter_open_pause_help_quit() {
    let mut st = healthy(3);
    assert_eq!(st.on_key(Key::Char('j')), None);
    assert_eq!(st.on_key(Key::Down), None);
    assert_eq!(st.on_key(Key::Down), None);
    assert_eq!(st.selected, 2, "stops at the last row");
    st.on_key(Key::Char('k'));
    assert_eq!(st.selected_row().unwrap().id, "n2");
    st.on_key(Key::Enter);
    assert_eq!(st.wanted_detail().as_deref(), Some("n2"));
    assert_eq!(st.on_key(Key::Esc), None, "Esc closes the drill-down first");
    assert_eq!(st.open, None);
    st.on_key(Key::Char('s'));
    assert_eq!(st.sort, Sort::Connections);
    let top = st.visible()[0].connections;
    assert_eq!(top, st.rows.iter().filter_map(|r| r.connections).max());
    st.on_key(Key::Char('p'));
    assert!(st.paused);
    st.on_key(Key::Char('/'));
    for c in "n3".chars() {
        st.on_key(Key::Char(c));
    }
    st.on_key(Key::Enter);
    assert_eq!(st.visible().len(), 1);
    assert_eq!(st.on_key(Key::Char('q')), Some(Action::Quit));
    st.on_key(Key::Char('?'));
    assert!(st.help);
    assert_eq!(st.on_key(Key::Char('x')), None);
    assert!(!st.help);
    assert_eq!(st.on_key(Key::Esc), Some(Action::Quit));
    assert_eq!(st.on_key(Key::CtrlC), Some(Action::Quit));
}

#[test]
fn detail_is_kept_only_for_the_open_node() {
    let mut st = healthy(1);
    st.on_key(Key::Enter);
    let mut s = sample(T0 + 1000, &[hb("n1", T0 + 1000, 1, 0)], &[]);
    s.detail = Some(NodeDetail {
        node_id: "n1".into(),
        ..NodeDetail::default()
    });
    st.apply(s.clone());
    assert!(st.detail.is_some());
    st.on_key(Key::Enter);
    st.apply(s);
    assert!(st.detail.is_none());
}

#[test]
fn clock_is_utc_hh_mm_ss() {
    assert_eq!(clock(T0), "10:00:00");
    assert_eq!(clock(T0 + 3_661_000), "11:01:01");
}
