//! What bench reads about the node and the machine: the node's resident memory (its `/metrics`,
//! else `/proc/PID`), its CPU time (`/proc/PID/stat`, for a node on this machine: found by the
//! port it listens on when no pid is given), and the machine's description.

use std::net::SocketAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The machine a run measured on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub cores: usize,
    pub cpu: String,
    pub memory_bytes: u64,
    pub kernel: String,
}

pub fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    Machine {
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu: cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|l| l.split_once(':'))
            .map_or_else(|| "unknown".into(), |(_, v)| v.trim().to_string()),
        memory_bytes: meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .map_or(0, |kib| kib * 1024),
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map_or_else(|_| "unknown".into(), |s| s.trim().to_string()),
    }
}

/// utime + stime of a process in seconds (USER_HZ 100).
pub fn cpu_secs(pid: u32) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

pub fn rss_bytes(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse::<u64>()
        .ok()
        .map(|k| k * 1024)
}

/// Whether the process has exited and waits for its parent (state `Z`). A thread-group leader
/// shows `Z` while its other threads may still be closing its descriptors.
pub fn is_zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rfind(')').map(|i| s[i + 2..].starts_with('Z')))
        .unwrap_or(false)
}

/// The inode of a local socket listening on `addr` (from /proc/net/tcp).
fn listening_inode(addr: SocketAddr) -> Option<String> {
    let SocketAddr::V4(a) = addr else { return None };
    let tcp = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let want_port = format!("{:04X}", a.port());
    tcp.lines().skip(1).find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        let (ip, port) = f.get(1)?.split_once(':')?;
        let ip = u32::from_str_radix(ip, 16).ok()?;
        let ip = std::net::Ipv4Addr::from(u32::from_be(ip));
        (port == want_port && f.get(3) == Some(&"0A") && (ip == *a.ip() || ip.is_unspecified()))
            .then(|| f.get(9).map(|s| s.to_string()))?
    })
}

/// Whether a local socket listens on `addr`.
pub fn is_listening(addr: SocketAddr) -> bool {
    listening_inode(addr).is_some()
}

/// The pid of the local process listening on `addr` (its socket inode in /proc/net/tcp, then
/// the process holding it); `None` for a remote node or without permission.
pub fn listening_pid(addr: SocketAddr) -> Option<u32> {
    let inode = listening_inode(addr)?;
    let needle = format!("socket:[{inode}]");
    for e in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if std::fs::read_link(fd.path()).is_ok_and(|l| l.to_string_lossy() == needle) {
                return Some(pid);
            }
        }
    }
    None
}

/// GET `path` on the node: (status, body).
pub async fn http_get(addr: SocketAddr, path: &str) -> Result<(u16, String), String> {
    http_get_with(addr, path, None).await
}

/// GET `path` with `Authorization: Bearer <key>` when a key is given (a node with
/// `--api-keys` wants one on `/metrics`).
pub async fn http_get_with(
    addr: SocketAddr,
    path: &str,
    api_key: Option<&str>,
) -> Result<(u16, String), String> {
    let auth = api_key.map_or(String::new(), |k| format!("Authorization: Bearer {k}\r\n"));
    let go = async {
        let mut tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect {addr}: {e}"))?;
        let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n");
        tcp.write_all(req.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut buf = Vec::new();
        tcp.read_to_end(&mut buf).await.map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&buf).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").ok_or("no response head")?;
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or("no status")?;
        Ok((status, body.to_string()))
    };
    tokio::time::timeout(Duration::from_secs(5), go)
        .await
        .unwrap_or_else(|_| Err(format!("GET {path}: no answer within 5 s")))
}

/// Connections each live node reports in its heartbeat (`rtctl serve` with Redis), read once
/// every node has written a fresh one (one heartbeat period plus a margin).
pub async fn heartbeat_connections(
    redis_url: &str,
    namespace: &str,
) -> Result<std::collections::BTreeMap<String, u64>, String> {
    let keys = crate::redis_schema::Keys::new(namespace)?;
    tokio::time::sleep(crate::redis_schema::HEARTBEAT_EVERY + Duration::from_millis(300)).await;
    let redis = crate::serve::redis_conn::Redis::detect(redis_url).await?;
    let mut con = redis
        .connect(Duration::from_secs(2))
        .await
        .map_err(|e| format!("redis {redis_url}: {e}"))?;
    let beats = crate::serve::presence::read_all(&mut con, &keys)
        .await
        .map_err(|e| format!("heartbeats in {redis_url}: {e}"))?;
    Ok(beats
        .into_iter()
        .map(|h| (h.node_id, h.connections))
        .collect())
}

/// A metric's value in Prometheus text (the first sample of that name).
pub fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| {
            l.strip_prefix(name)
                .is_some_and(|r| r.starts_with(' ') || r.starts_with('{'))
        })?
        .rsplit(' ')
        .next()?
        .parse()
        .ok()
}

/// The node's resident memory: `/metrics` when it has one, else `/proc/PID` for a local node.
pub async fn node_rss(addr: SocketAddr, pid: Option<u32>, api_key: Option<&str>) -> Option<u64> {
    if let Ok((200, body)) = http_get_with(addr, "/metrics", api_key).await {
        if let Some(v) = metric(&body, "process_resident_memory_bytes") {
            return Some(v as u64);
        }
    }
    pid.and_then(rss_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_read_by_name() {
        let text = "# HELP x\nprocess_resident_memory_bytes 123456\nsocket_io_active_connections{node=\"n1\"} 7\n";
        assert_eq!(
            metric(text, "process_resident_memory_bytes"),
            Some(123_456.0)
        );
        assert_eq!(metric(text, "socket_io_active_connections"), Some(7.0));
        assert_eq!(metric(text, "process_resident"), None);
    }

    #[test]
    fn this_process_is_found_by_its_listening_port() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        assert_eq!(listening_pid(addr), Some(std::process::id()));
        assert!(cpu_secs(std::process::id()).is_some());
        assert!(rss_bytes(std::process::id()).unwrap() > 0);
        assert!(machine().cores >= 1);
    }
}
