//! `--workers K`: the coordinator re-executes this binary K times (`rtctl bench worker`), each
//! child holding every K-th device from its own 127.0.0.x source addresses, and drives them
//! over stdin/stdout with one JSON line per command and per answer.

use std::process::Stdio;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

use super::device::{DeviceSet, Spec, Status};
use super::stats::{DeviceTotals, Histogram, Published};

/// A command from the coordinator.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum Command {
    Status,
    /// Every delivery's latency so far (cumulative).
    Latency,
    DropAll,
    Cut {
        fraction: f64,
        seed: u64,
    },
    Finish {
        pubs: Vec<Published>,
    },
}

/// One process's devices: here, or in a child process.
pub enum Holder {
    Local(Option<DeviceSet>),
    Remote(Box<Remote>),
}

/// A worker process and its pipes.
pub struct Remote {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Holder {
    /// Starts the devices of `spec` in this process, or in a child when `remote`.
    pub async fn start(spec: Spec, remote: bool) -> Result<Holder, String> {
        if !remote {
            return Ok(Holder::Local(Some(DeviceSet::start(spec))));
        }
        let exe = std::env::current_exe().map_err(|e| format!("own executable: {e}"))?;
        let mut child = tokio::process::Command::new(exe)
            .args(["bench", "worker"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("starting worker {}: {e}", spec.index))?;
        let mut stdin = child.stdin.take().ok_or("worker stdin")?;
        let stdout = child.stdout.take().ok_or("worker stdout")?;
        let line = serde_json::to_string(&spec).map_err(|e| e.to_string())? + "\n";
        stdin
            .write_all(line.as_bytes())
            .await
            .map_err(|e| format!("worker {}: {e}", spec.index))?;
        Ok(Holder::Remote(Box::new(Remote {
            child,
            stdin,
            lines: BufReader::new(stdout).lines(),
        })))
    }

    async fn ask<T: for<'de> Deserialize<'de>>(&mut self, cmd: &Command) -> Result<T, String> {
        let Holder::Remote(r) = self else {
            return Err("not a worker".into());
        };
        let Remote { stdin, lines, .. } = r.as_mut();
        let line = serde_json::to_string(cmd).map_err(|e| e.to_string())? + "\n";
        stdin
            .write_all(line.as_bytes())
            .await
            .map_err(|e| format!("worker: {e}"))?;
        let answer = lines
            .next_line()
            .await
            .map_err(|e| format!("worker: {e}"))?
            .ok_or("worker exited")?;
        serde_json::from_str(&answer).map_err(|e| format!("worker answer {answer:?}: {e}"))
    }

    pub async fn status(&mut self) -> Result<Status, String> {
        match self {
            Holder::Local(Some(d)) => Ok(d.status()),
            Holder::Local(None) => Err("finished".into()),
            Holder::Remote(_) => self.ask(&Command::Status).await,
        }
    }

    pub async fn latency(&mut self) -> Result<Histogram, String> {
        match self {
            Holder::Local(Some(d)) => Ok(d.latency()),
            Holder::Local(None) => Err("finished".into()),
            Holder::Remote(_) => self.ask(&Command::Latency).await,
        }
    }

    pub async fn drop_all(&mut self) -> Result<u64, String> {
        match self {
            Holder::Local(Some(d)) => Ok(d.drop_all()),
            Holder::Local(None) => Err("finished".into()),
            Holder::Remote(_) => self.ask(&Command::DropAll).await,
        }
    }

    pub async fn cut(&mut self, fraction: f64, seed: u64) -> Result<u64, String> {
        match self {
            Holder::Local(Some(d)) => Ok(d.cut(fraction, seed)),
            Holder::Local(None) => Err("finished".into()),
            Holder::Remote(_) => self.ask(&Command::Cut { fraction, seed }).await,
        }
    }

    pub async fn finish(&mut self, pubs: &[Published]) -> Result<DeviceTotals, String> {
        match self {
            Holder::Local(d) => Ok(d.take().ok_or("finished")?.finish(pubs)),
            Holder::Remote(_) => {
                let t = self
                    .ask(&Command::Finish {
                        pubs: pubs.to_vec(),
                    })
                    .await?;
                if let Holder::Remote(r) = self {
                    let _ = r.child.wait().await;
                }
                Ok(t)
            }
        }
    }
}

/// `rtctl bench worker`: reads its spec, then answers commands until `finish` (answers are
/// written to `out`, the process's locked stdout: one short line each).
pub async fn serve_stdin(out: &mut dyn std::io::Write) -> Result<(), String> {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let first = lines
        .next_line()
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no spec on stdin")?;
    let spec: Spec = serde_json::from_str(&first).map_err(|e| format!("worker spec: {e}"))?;
    let set = DeviceSet::start(spec);
    while let Some(line) = lines.next_line().await.map_err(|e| e.to_string())? {
        let cmd: Command =
            serde_json::from_str(&line).map_err(|e| format!("worker command {line:?}: {e}"))?;
        let answer = match cmd {
            Command::Status => serde_json::to_string(&set.status()),
            Command::Latency => serde_json::to_string(&set.latency()),
            Command::DropAll => serde_json::to_string(&set.drop_all()),
            Command::Cut { fraction, seed } => serde_json::to_string(&set.cut(fraction, seed)),
            Command::Finish { pubs } => {
                let t = set.finish(&pubs);
                let s = serde_json::to_string(&t).map_err(|e| e.to_string())? + "\n";
                out.write_all(s.as_bytes()).map_err(|e| e.to_string())?;
                out.flush().map_err(|e| e.to_string())?;
                return Ok(());
            }
        }
        .map_err(|e| e.to_string())?
            + "\n";
        out.write_all(answer.as_bytes())
            .map_err(|e| e.to_string())?;
        out.flush().map_err(|e| e.to_string())?;
    }
    Ok(())
}
