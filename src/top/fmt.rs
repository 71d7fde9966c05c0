//! Short, fixed-width figures shared by the terminal view and the snapshot table.

use super::state::{Lag, Row};
pub use crate::output::pct;
use crate::output::{fmt_f, fmt_int};

/// `—` for an unknown figure.
pub const NONE: &str = "—";

pub fn opt<T>(v: Option<T>, f: impl Fn(T) -> String) -> String {
    v.map_or_else(|| NONE.to_string(), f)
}

/// 1.2k, 3.4M for large counts; plain below 10,000.
pub fn count(n: u64) -> String {
    match n {
        0..=9_999 => fmt_int(n),
        10_000..=999_999 => format!("{}k", fmt_f(n as f64 / 1e3, 1)),
        _ => format!("{}M", fmt_f(n as f64 / 1e6, 1)),
    }
}

pub fn rate(r: f64) -> String {
    if r >= 10_000.0 {
        count(r.round() as u64)
    } else if r >= 100.0 {
        format!("{r:.0}")
    } else {
        fmt_f(r, 1)
    }
}

/// Bytes in binary units.
pub fn bytes(b: u64) -> String {
    const K: f64 = 1024.0;
    let f = b as f64;
    if f < K {
        format!("{b} B")
    } else if f < K * K {
        format!("{} KiB", fmt_f(f / K, 1))
    } else if f < K * K * K {
        format!("{} MiB", fmt_f(f / K / K, 1))
    } else {
        format!("{} GiB", fmt_f(f / K / K / K, 2))
    }
}

/// 45s, 12m03s, 5h02m, 3d04h.
pub fn duration(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m{:02}s", secs / 60, secs % 60),
        3600..=86_399 => format!("{}h{:02}m", secs / 3600, secs / 60 % 60),
        _ => format!("{}d{:02}h", secs / 86_400, secs / 3600 % 24),
    }
}

pub fn lag(l: Option<Lag>, secs: Option<f64>) -> String {
    match (l, secs) {
        (Some(l), Some(s)) if l.entries == 0 => {
            if s > 0.0 {
                format!("0 / {}s", fmt_f(s, 1))
            } else {
                "0".into()
            }
        }
        (Some(l), Some(s)) => format!(
            "{}{} / {}s",
            if l.at_least { "≥" } else { "" },
            l.entries,
            fmt_f(s, 1)
        ),
        _ => NONE.into(),
    }
}

pub fn sd(z: f64) -> String {
    // No "-0.0": a node on its prediction reads +0.0.
    let z = if z.abs() < 0.05 { 0.0 } else { z };
    format!("{z:+.1}")
}

/// The figures of one row, in the column order of `HEADER`.
pub const HEADER: [&str; 18] = [
    "node", "address", "state", "conns", "share", "pred", "sd", "% plan", "in/s", "out/s", "lag",
    "behind", "rec/min", "gaps/min", "mem", "mem/conn", "uptime", "version",
];

pub fn cells(r: &Row) -> [String; 18] {
    [
        r.id.clone(),
        r.addr.clone(),
        r.state.label(),
        opt(r.connections, count),
        opt(r.share, pct),
        opt(r.predicted, pct),
        opt(r.sd_distance, sd),
        opt(r.capacity_pct, |p| format!("{p:.0}%")),
        opt(r.in_per_sec, rate),
        opt(r.out_per_sec, rate),
        lag(r.lag, r.lag_secs),
        opt(r.sockets_behind, count),
        opt(r.recoveries_per_min, rate),
        opt(r.gaps_per_min, rate),
        opt(r.memory_bytes, bytes),
        opt(r.memory_per_connection, bytes),
        opt(r.uptime_secs, duration),
        r.version.clone().unwrap_or_else(|| NONE.into()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures() {
        assert_eq!(count(9_999), "9,999");
        assert_eq!(count(12_345), "12.3k");
        assert_eq!(count(2_500_000), "2.5M");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(30 * 1024), "30 KiB");
        assert_eq!(bytes(3 * 1024 * 1024 * 1024), "3 GiB");
        assert_eq!(duration(59), "59s");
        assert_eq!(duration(723), "12m03s");
        assert_eq!(duration(18_120), "5h02m");
        assert_eq!(duration(273_600), "3d04h");
        assert_eq!(rate(0.24), "0.2");
        assert_eq!(rate(1234.4), "1234");
        assert_eq!(
            lag(
                Some(Lag {
                    entries: 64,
                    at_least: true
                }),
                Some(2.5)
            ),
            "≥64 / 2.5s"
        );
        assert_eq!(
            lag(
                Some(Lag {
                    entries: 0,
                    at_least: false
                }),
                Some(0.0)
            ),
            "0"
        );
        assert_eq!(lag(None, None), "—");
        assert_eq!(sd(-0.01), "+0.0");
        assert_eq!(sd(-2.66), "-2.7");
    }
}
