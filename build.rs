//! Finds the tools the integration tests drive (redis-server, node and the pinned npm packages,
//! nginx, HAProxy, promtool, python-socketio, …) and tells the compiler which are present, so a
//! test that needs a missing one is compiled as `#[ignore = "<tool> not found"]` and cargo's
//! summary counts it as ignored, never as passed. See the top of tests/integration/support.rs.
//!
//! Emits, for each tool, `cfg(have_<tool>)` when it is present, and `RTCTL_TESTS_MISSING` (the
//! missing tools, `; `-separated) for the test that fails a run under `CI=true`. Nothing here
//! changes the binary, and the script writes no file (not even to OUT_DIR).
//!
//! Reruns when PATH or PYTHONPATH change, when a directory on PATH (or /usr/sbin) changes (an
//! `apt-get install`), and when tests/node/node_modules or tests/python/site change (`npm ci`,
//! `pip install --target`), so a tool that appears is picked up by the next `cargo test`.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Probe {
    /// The cfg name, `have_<tool>`.
    cfg: &'static str,
    /// What is missing and how to get it, for the warning and the CI failure.
    missing: &'static str,
    found: bool,
}

fn main() {
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let node_dir = root.join("tests/node");
    let python_site = root.join("tests/python/site");

    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=PYTHONPATH");
    watch(&node_dir.join("node_modules"), &node_dir);
    watch(&python_site, &root.join("tests/python"));
    let path = env::var_os("PATH").unwrap_or_default();
    let mut bin_dirs: Vec<PathBuf> = env::split_paths(&path).collect();
    for extra in ["/usr/sbin", "/usr/local/sbin", "/sbin"] {
        bin_dirs.push(PathBuf::from(extra));
    }
    bin_dirs.sort();
    bin_dirs.dedup();
    for d in bin_dirs.iter().filter(|d| d.is_absolute() && d.is_dir()) {
        println!("cargo::rerun-if-changed={}", d.display());
    }

    let has = |name: &str, arg: &str| runs(&bin_dirs, name, arg);
    let node_pkgs = ["socket.io-client", "engine.io-client", "pm2"]
        .iter()
        .all(|p| {
            node_dir
                .join("node_modules")
                .join(p)
                .join("package.json")
                .is_file()
        });
    let python = |modules: &str| python_imports(&python_site, modules);
    let probes = [
        Probe {
            cfg: "have_redis",
            missing: "redis-server not found (apt-get install redis-server)",
            found: has("redis-server", "--version") && has("redis-cli", "--version"),
        },
        Probe {
            cfg: "have_node_modules",
            missing: "node or tests/node/node_modules not found (tests/fetch)",
            found: node_pkgs && has("node", "--version"),
        },
        Probe {
            cfg: "have_nginx",
            missing: "nginx not found (apt-get install nginx-light)",
            found: has("nginx", "-v"),
        },
        Probe {
            cfg: "have_haproxy",
            missing: "haproxy not found (apt-get install haproxy)",
            found: has("haproxy", "-v"),
        },
        Probe {
            cfg: "have_promtool",
            missing: "promtool not found (apt-get install prometheus)",
            found: has("promtool", "--version"),
        },
        Probe {
            cfg: "have_python_socketio",
            missing: "python-socketio not found (tests/fetch)",
            found: python("socketio, aiohttp"),
        },
        Probe {
            cfg: "have_pyyaml",
            missing: "PyYAML not found (tests/fetch)",
            found: python("yaml"),
        },
        Probe {
            cfg: "have_ss",
            missing: "ss not found (apt-get install iproute2)",
            found: has("ss", "-V"),
        },
        Probe {
            cfg: "have_tmux",
            missing: "tmux not found (apt-get install tmux)",
            found: has("tmux", "-V"),
        },
        Probe {
            cfg: "have_systemd_analyze",
            missing: "systemd-analyze not found (apt-get install systemd)",
            found: has("systemd-analyze", "--version"),
        },
    ];
    let mut missing = Vec::new();
    for p in &probes {
        println!("cargo::rustc-check-cfg=cfg({})", p.cfg);
        if p.found {
            println!("cargo::rustc-cfg={}", p.cfg);
        } else {
            missing.push(p.missing);
        }
    }
    println!(
        "cargo::rustc-env=RTCTL_TESTS_MISSING={}",
        missing.join("; ")
    );
    if !missing.is_empty() {
        println!(
            "cargo::warning=tests needing these are ignored: {}",
            missing.join("; ")
        );
    }
}

/// Rerun when `path` changes, or when `parent` changes while `path` does not exist yet (a
/// missing path would make cargo rerun the script on every build).
fn watch(path: &Path, parent: &Path) {
    let target = if path.exists() { path } else { parent };
    println!("cargo::rerun-if-changed={}", target.display());
}

/// `name` is on PATH (or in /usr/sbin, …) and runs.
fn runs(dirs: &[PathBuf], name: &str, arg: &str) -> bool {
    dirs.iter()
        .map(|d| d.join(name))
        .filter(|p| p.is_file())
        .any(|p| {
            Command::new(&p)
                .arg(arg)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
}

/// `python3 -c "import <modules>"` succeeds with tests/python/site first on PYTHONPATH (where
/// tests/fetch installs the pinned packages), as the tests run it.
fn python_imports(site: &Path, modules: &str) -> bool {
    let mut paths = vec![site.to_path_buf()];
    if let Some(p) = env::var_os("PYTHONPATH") {
        paths.extend(env::split_paths(&p));
    }
    let Ok(pythonpath) = env::join_paths(paths) else {
        return false;
    };
    Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .env("PYTHONPATH", pythonpath)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
