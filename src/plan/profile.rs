//! A node profile measured by `rtctl bench calibrate`, and what `plan --profile` takes from it.
//! Pure: the file is parsed here, read and written at the edges.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fleet::Fleet;
use crate::units::Bytes;

/// What one node measured on one machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeProfile {
    pub rtctl_version: String,
    /// Unix time (s) of the measurement.
    pub measured_unix: u64,
    /// The node measured.
    pub url: String,
    pub machine: ProfileMachine,
    /// Devices held while measuring.
    pub devices: u64,
    /// Resident memory one idle subscribed connection adds.
    pub memory_per_connection_bytes: Option<f64>,
    /// Deliveries per second one core sustains (0 lost, p99 within the limit).
    pub deliveries_per_sec_per_core: Option<f64>,
    /// CPU time of one delivery, ms.
    pub cpu_ms_per_delivery: Option<f64>,
    /// Handshakes (connect + CONNECT + subscribe) per second during the connect phase.
    pub handshakes_per_sec: Option<f64>,
    /// Notifications lost during the calibration runs (anything but 0 makes it suspect).
    pub lost: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileMachine {
    pub cores: usize,
    pub cpu: String,
    pub memory_bytes: u64,
    pub kernel: String,
}

impl NodeProfile {
    pub fn parse(text: &str, path: &Path) -> Result<NodeProfile> {
        let p: NodeProfile = toml::from_str(text).map_err(|e| Error::Fleet {
            path: path.to_path_buf(),
            location: e.span().map(|s| crate::fleet::line_col(text, s.start)),
            message: format!("node profile: {}", e.message()),
        })?;
        for (field, v) in [
            ("memory_per_connection_bytes", p.memory_per_connection_bytes),
            ("deliveries_per_sec_per_core", p.deliveries_per_sec_per_core),
            ("cpu_ms_per_delivery", p.cpu_ms_per_delivery),
            ("handshakes_per_sec", p.handshakes_per_sec),
        ] {
            if let Some(v) = v {
                if !(v > 0.0 && v.is_finite()) {
                    return Err(Error::Fleet {
                        path: path.to_path_buf(),
                        location: None,
                        message: format!(
                            "node profile: {field}: expected a number above 0, got {v}"
                        ),
                    });
                }
            }
        }
        Ok(p)
    }

    pub fn load(path: &Path) -> Result<NodeProfile> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::ReadFile {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a profile serializes")
    }
}

/// Which planning figures came from a measurement, and which are still assumed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    pub file: String,
    pub measured_on: String,
    pub rtctl_version: String,
    /// `figure = value` taken from the profile.
    pub measured: Vec<String>,
    /// Figures the plan still assumes (fleet file, defaults or flags).
    pub assumed: Vec<String>,
}

/// Figures a flag set explicitly (they win over the profile).
#[derive(Debug, Clone, Copy, Default)]
pub struct Overrides {
    pub memory_per_connection: bool,
    pub cpu_ms_per_delivery: bool,
    /// `--fd-reserve` was given: keep it even when it is below what `rtctl serve` reserves.
    pub fd_reserve: bool,
}

/// Puts the measured figures into the fleet's node profile.
pub fn apply(fleet: &mut Fleet, p: &NodeProfile, file: &Path, flags: Overrides) -> Calibration {
    let mut measured = Vec::new();
    let mut assumed = Vec::new();
    let t = &mut fleet.profile;
    match p.memory_per_connection_bytes {
        Some(m) if !flags.memory_per_connection => {
            t.memory_per_connection = Bytes(m.round() as u64);
            measured.push(format!("memory_per_connection = {} B", m.round()));
        }
        _ => assumed.push(format!(
            "memory_per_connection = {} B",
            t.memory_per_connection.0
        )),
    }
    match p.cpu_ms_per_delivery {
        Some(c) if !flags.cpu_ms_per_delivery => {
            t.cpu_ms_per_delivery = c;
            measured.push(format!("cpu_ms_per_delivery = {c:.6}"));
        }
        _ => assumed.push(format!("cpu_ms_per_delivery = {}", t.cpu_ms_per_delivery)),
    }
    if let Some(d) = p.deliveries_per_sec_per_core {
        measured.push(format!(
            "deliveries_per_sec_per_core = {d:.0} (for reference)"
        ));
    }
    if let Some(h) = p.handshakes_per_sec {
        measured.push(format!("handshakes_per_sec = {h:.0} (for reference)"));
    }
    assumed.push(format!("cpu_cores = {}", t.cpu_cores));
    assumed.push(format!("cpu_target = {}", t.cpu_target));
    assumed.push(format!("memory = {} B", t.memory.0));
    assumed.push(format!("reserved_memory = {} B", t.reserved_memory.0));
    assumed.push(format!("fd_limit = {}", t.fd_limit));
    // The profile is of an `rtctl serve` node, which keeps SERVE_FD_RESERVE descriptors back
    // from Socket.IO by default: planning with less over-states its ceiling (2.3% at 20,000).
    if !flags.fd_reserve && t.fd_reserve < crate::fleet::SERVE_FD_RESERVE {
        t.fd_reserve = crate::fleet::SERVE_FD_RESERVE;
        assumed.push(format!(
            "fd_reserve = {} (what rtctl serve keeps back by default)",
            t.fd_reserve
        ));
    } else {
        assumed.push(format!("fd_reserve = {}", t.fd_reserve));
    }
    Calibration {
        file: file.display().to_string(),
        measured_on: format!(
            "{} cores, {}, {} B memory, kernel {}",
            p.machine.cores, p.machine.cpu, p.machine.memory_bytes, p.machine.kernel
        ),
        rtctl_version: p.rtctl_version.clone(),
        measured,
        assumed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> NodeProfile {
        NodeProfile {
            rtctl_version: "0.1.0".into(),
            measured_unix: 1,
            url: "http://127.0.0.1:3000".into(),
            machine: ProfileMachine {
                cores: 2,
                cpu: "x".into(),
                memory_bytes: 8 << 30,
                kernel: "6".into(),
            },
            devices: 50,
            memory_per_connection_bytes: Some(4100.0),
            deliveries_per_sec_per_core: Some(200_000.0),
            cpu_ms_per_delivery: Some(0.004),
            handshakes_per_sec: Some(900.0),
            lost: 0,
        }
    }

    #[test]
    fn profiles_round_trip_through_toml() {
        let p = sample();
        let back = NodeProfile::parse(&p.to_toml(), Path::new("p.toml")).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn bad_profiles_name_the_file_and_field() {
        let text = sample()
            .to_toml()
            .replace("cpu_ms_per_delivery = 0.004", "cpu_ms_per_delivery = -1.0");
        let e = NodeProfile::parse(&text, Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("p.toml") && e.contains("cpu_ms_per_delivery"),
            "{e}"
        );
        let e = NodeProfile::parse("bogus = 1", Path::new("q.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("q.toml"), "{e}");
    }

    #[test]
    fn measured_figures_replace_assumed_ones_unless_a_flag_set_them() {
        let mut f = crate::fleet::default_fleet();
        let c = apply(&mut f, &sample(), Path::new("p.toml"), Overrides::default());
        assert_eq!(f.profile.memory_per_connection, Bytes(4100));
        assert_eq!(f.profile.cpu_ms_per_delivery, 0.004);
        assert!(c
            .measured
            .iter()
            .any(|m| m.starts_with("memory_per_connection")));
        assert!(c.assumed.iter().any(|m| m.starts_with("cpu_cores")));
        let mut f = crate::fleet::default_fleet();
        let c = apply(
            &mut f,
            &sample(),
            Path::new("p.toml"),
            Overrides {
                memory_per_connection: true,
                cpu_ms_per_delivery: false,
                fd_reserve: false,
            },
        );
        assert_eq!(f.profile.memory_per_connection, Bytes(30_000));
        assert!(c
            .assumed
            .iter()
            .any(|m| m.starts_with("memory_per_connection")));
    }

    #[test]
    fn a_profile_plans_with_the_descriptors_rtctl_serve_keeps_back() {
        // The 10% check (BENCHMARKS.md): 20,000 descriptors, serve holds 20,000 - 512.
        let mut f = crate::fleet::default_fleet();
        f.profile.fd_limit = 20_000;
        let c = apply(&mut f, &sample(), Path::new("p.toml"), Overrides::default());
        assert_eq!(f.profile.fd_reserve, crate::fleet::SERVE_FD_RESERVE);
        assert_eq!(f.profile.fd_limit - f.profile.fd_reserve, 19_488);
        assert!(c.assumed.iter().any(|m| m.starts_with("fd_reserve = 512")));
        // --fd-reserve wins, even below serve's reserve.
        let mut f = crate::fleet::default_fleet();
        f.profile.fd_reserve = 100;
        apply(
            &mut f,
            &sample(),
            Path::new("p.toml"),
            Overrides {
                fd_reserve: true,
                ..Overrides::default()
            },
        );
        assert_eq!(f.profile.fd_reserve, 100);
    }
}
