//! Publishing through the notification API (`POST /api/v1/notifications`) over kept-alive
//! HTTP/1.1 connections: a minimal client, enough for the JSON answers of `rtctl serve` and the
//! Node reference server (both send `content-length`).

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::stats::{department_name, Audience};

pub struct Publisher {
    addr: SocketAddr,
    path: String,
    api_key: Option<String>,
    idle: Mutex<Vec<TcpStream>>,
    pub ids: Vec<String>,
}

impl Publisher {
    pub fn new(addr: SocketAddr, api_key: Option<String>, ids: Vec<String>) -> Publisher {
        Publisher {
            addr,
            path: "/api/v1/notifications".into(),
            api_key,
            idle: Mutex::new(Vec::new()),
            ids,
        }
    }

    /// The request body of a publish to `to`.
    pub fn body(&self, to: &Audience, payload: &str) -> String {
        let target = match to {
            Audience::All => json!({"all": true}),
            Audience::Department(d) => json!({"department": department_name(*d)}),
            Audience::Device(i) => json!({"device": self.ids[*i]}),
        };
        format!("{{\"target\":{target},\"payload\":{payload}}}")
    }

    /// Publishes; `Ok` when the server accepted it (202).
    pub async fn publish(&self, to: &Audience, payload: &str) -> Result<(), String> {
        let body = self.body(to, payload);
        let mut req = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            self.path,
            self.addr,
            body.len()
        );
        if let Some(k) = &self.api_key {
            req.push_str(&format!("authorization: Bearer {k}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(&body);
        // a kept-alive connection may have been closed by the server: one retry on a new one
        for fresh in [false, true] {
            let pooled = if fresh {
                None
            } else {
                self.idle.lock().expect("pool").pop()
            };
            let reused = pooled.is_some();
            let mut tcp = match pooled {
                Some(t) => t,
                None => {
                    let t = TcpStream::connect(self.addr)
                        .await
                        .map_err(|e| format!("publish: connect {}: {e}", self.addr))?;
                    let _ = t.set_nodelay(true);
                    t
                }
            };
            let answer =
                tokio::time::timeout(Duration::from_secs(10), exchange(&mut tcp, req.as_bytes()))
                    .await
                    .unwrap_or_else(|_| Err("no answer within 10 s".into()));
            match answer {
                Ok((status, keep)) => {
                    if keep {
                        self.idle.lock().expect("pool").push(tcp);
                    }
                    return if status == 202 {
                        Ok(())
                    } else {
                        Err(format!("publish answered {status}"))
                    };
                }
                Err(e) if !reused => return Err(format!("publish: {e}")),
                Err(_) => continue,
            }
        }
        Err("publish: no answer".into())
    }
}

/// Writes one request, reads one response: (status, connection reusable).
async fn exchange(tcp: &mut TcpStream, req: &[u8]) -> Result<(u16, bool), String> {
    tcp.write_all(req).await.map_err(|e| e.to_string())?;
    let mut buf = Vec::with_capacity(512);
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        if buf.len() > 16 << 10 || tcp.read_buf(&mut buf).await.map_err(|e| e.to_string())? == 0 {
            return Err("connection closed before the answer".into());
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no status line")?;
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or("answer without content-length")?;
    while buf.len() < head_end + len {
        if tcp.read_buf(&mut buf).await.map_err(|e| e.to_string())? == 0 {
            return Err("connection closed in the answer's body".into());
        }
    }
    Ok((status, !head.contains("connection: close")))
}
