//! `rtctl top`: the live view of the fleet, from the heartbeats in Redis.
//!
//! Split as ratatui's templates and oha are: `state` is the pure model (samples + fleet →
//! rows, rates, alerts; key handling), `ui` renders it, and this module does the I/O: a Redis
//! poller publishing each sample on a `watch` channel, and one loop `select!`ing over a
//! redraw tick, the terminal's key events and new samples. Off a terminal, or with `--once`,
//! it prints one snapshot table and exits.

pub mod fmt;
pub mod state;
pub mod table;
pub mod ui;

#[cfg(test)]
mod testkit;

use std::io::IsTerminal;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use tokio::sync::watch;

use crate::error::{Error, Result};
use crate::heartbeat::{self, FleetSample};
use crate::redis_conn::{Conn, Redis};
use crate::redis_schema::Keys;
use state::{Action, Expectation, Key, State};

/// What `top` and `status` watch.
#[derive(Debug, Clone)]
pub struct Watch {
    pub redis_url: String,
    pub namespace: String,
    pub keys: Keys,
    pub expectation: Option<Expectation>,
}

/// Resolve `--redis`, `--fleet` and `--namespace`.
pub fn watch_from(args: &crate::cli::WatchArgs) -> Result<Watch> {
    let keys = Keys::new(&args.namespace).map_err(|m| Error::flag("--namespace", m))?;
    let fleet = match &args.fleet {
        Some(p) => Some(crate::fleet::Fleet::load(p)?),
        None => None,
    };
    let redis_url = args
        .redis
        .clone()
        .or_else(|| {
            fleet
                .as_ref()
                .and_then(|f| f.redis.as_ref().map(|r| r.url.clone()))
        })
        .ok_or_else(|| {
            Error::flag(
                "--redis",
                "expected a Redis URL (--redis, RTCTL_REDIS_URL, or [redis] url in the fleet file)",
            )
        })?;
    // One server, several comma-separated seed nodes of a cluster, or Sentinel (as `serve`).
    crate::redis_conn::check_url(&redis_url).map_err(|m| Error::flag("--redis", m))?;
    Ok(Watch {
        redis_url,
        namespace: args.namespace.clone(),
        keys,
        expectation: fleet.as_ref().map(Expectation::from_fleet),
    })
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A connection to one server or a cluster (as `serve` finds out), with bounded connect and
/// response times: a dead Redis must not hang `top`.
pub async fn connect(url: &str) -> Result<Conn, String> {
    let redis = Redis::detect(url).await?;
    redis
        .dedicated(Duration::from_secs(2))
        .await
        .map_err(|e| e.to_string())
}

fn unreachable(w: &Watch, e: impl std::fmt::Display) -> Error {
    Error::Unreachable {
        service: "redis",
        addr: crate::redis_conn::redact(&w.redis_url),
        message: e.to_string(),
    }
}

/// Take `samples` samples `interval` apart (two give rates) into a fresh state.
pub async fn snapshot(w: &Watch, samples: u32, interval: Duration) -> Result<State> {
    let mut st = State::new(
        &w.namespace,
        w.expectation.clone(),
        interval.as_millis() as u64,
    );
    let mut con = connect(&w.redis_url).await.map_err(|e| unreachable(w, e))?;
    for i in 0..samples.max(1) {
        if i > 0 {
            tokio::time::sleep(interval).await;
        }
        let s = heartbeat::sample(&mut con, &w.keys, &st.known(), None)
            .await
            .map_err(|e| unreachable(w, e))?;
        st.apply(s);
    }
    Ok(st)
}

/// What the UI asks the poller for.
#[derive(Debug, Clone, Default, PartialEq)]
struct Want {
    known: Vec<String>,
    detail: Option<String>,
}

/// What the poller publishes.
#[derive(Debug, Clone)]
enum Polled {
    Sample(FleetSample),
    Failed {
        at_ms: u64,
        error: String,
        retry_in: Duration,
    },
}

/// Backoff after a failed refresh: 0.5 s doubling to 10 s.
fn backoff(failures: u32) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1 << failures.min(5)).min(10_000))
}

/// Sample Redis every `interval` (at once when the UI asks for something new) until the UI
/// hangs up. Errors are published, never raised: the loop retries with backoff.
async fn poll(
    url: String,
    keys: Keys,
    interval: Duration,
    mut want: watch::Receiver<Want>,
    out: watch::Sender<Option<Polled>>,
) {
    let mut con: Option<Conn> = None;
    let mut failures = 0u32;
    loop {
        let w = want.borrow_and_update().clone();
        let result = async {
            if con.is_none() {
                con = Some(connect(&url).await?);
            }
            let c = con.as_mut().expect("connected");
            heartbeat::sample(c, &keys, &w.known, w.detail.as_deref())
                .await
                .map_err(|e| e.to_string())
        }
        .await;
        let wait = match result {
            Ok(s) => {
                failures = 0;
                out.send_replace(Some(Polled::Sample(s)));
                interval
            }
            Err(e) => {
                con = None;
                let retry_in = backoff(failures);
                failures += 1;
                out.send_replace(Some(Polled::Failed {
                    at_ms: now_ms(),
                    error: e,
                    retry_in,
                }));
                retry_in
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            r = want.changed() => if r.is_err() { return },
            _ = out.closed() => return,
        }
    }
}

/// Restores the terminal when dropped: on `q`, on an error, and on unwinding. (ratatui's
/// `try_init` also installs a panic hook that restores before the panic message prints.)
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

fn key_of(k: crossterm::event::KeyEvent) -> Option<Key> {
    use crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
    if k.kind != KeyEventKind::Press {
        return None;
    }
    Some(match k.code {
        KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => Key::CtrlC,
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        _ => return None,
    })
}

/// `rtctl top`.
pub fn run(
    args: &crate::cli::TopArgs,
    format: crate::cli::OutputFormat,
    style: &crate::output::Style,
    out: &mut dyn std::io::Write,
) -> Result<()> {
    let w = watch_from(&args.watch)?;
    if !(args.interval >= 0.1 && args.interval <= 3600.0) {
        return Err(Error::flag(
            "--interval",
            format!("expected seconds in [0.1, 3600], got {}", args.interval),
        ));
    }
    let interval = Duration::from_secs_f64(args.interval);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("tokio runtime: {e}")))?;
    let tty = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    if args.once || !tty {
        let st = rt.block_on(snapshot(&w, 2, interval))?;
        let snap = table::Snapshot::of(&st, &Default::default());
        return crate::output::emit(&snap, format, style, out);
    }
    rt.block_on(tui(w, interval))
}

async fn tui(w: Watch, interval: Duration) -> Result<()> {
    let mut st = State::new(
        &w.namespace,
        w.expectation.clone(),
        interval.as_millis() as u64,
    );
    let (want_tx, want_rx) = watch::channel(Want::default());
    let (snap_tx, mut snap_rx) = watch::channel(None);
    let poller = tokio::spawn(poll(
        w.redis_url.clone(),
        w.keys.clone(),
        interval,
        want_rx,
        snap_tx,
    ));
    let mut terminal = ratatui::try_init()
        .map_err(|e| Error::Internal(format!("cannot set up the terminal: {e}")))?;
    let _guard = TerminalGuard;
    let mut events = crossterm::event::EventStream::new();
    // Redraws between samples keep the Redis-down countdown and the filter prompt live.
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    // SIGTERM and SIGHUP (terminal closed) end the loop like `q`, so the guard restores.
    use tokio::signal::unix::{signal, SignalKind};
    let signal_err = |e: std::io::Error| Error::Internal(format!("signal handler: {e}"));
    let mut term = signal(SignalKind::terminate()).map_err(signal_err)?;
    let mut hup = signal(SignalKind::hangup()).map_err(signal_err)?;
    let draw_err = |e: std::io::Error| Error::Output {
        target: "terminal".into(),
        source: e,
    };
    loop {
        terminal
            .draw(|f| f.render_widget(&st, f.area()))
            .map_err(draw_err)?;
        tokio::select! {
            _ = tick.tick() => {}
            _ = term.recv() => break,
            _ = hup.recv() => break,
            ev = events.next() => match ev {
                Some(Ok(crossterm::event::Event::Key(k))) => {
                    if let Some(key) = key_of(k) {
                        if st.on_key(key) == Some(Action::Quit) {
                            break;
                        }
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(draw_err(e)),
                None => break,
            },
            changed = snap_rx.changed() => {
                if changed.is_err() {
                    break;
                }
                let polled = snap_rx.borrow_and_update().clone();
                if !st.paused {
                    match polled {
                        Some(Polled::Sample(s)) => st.apply(s),
                        Some(Polled::Failed { at_ms, error, retry_in }) => {
                            st.apply_error(at_ms, &error, retry_in.as_millis() as u64)
                        }
                        None => {}
                    }
                }
            }
        }
        let want = Want {
            known: st.known(),
            detail: st.wanted_detail(),
        };
        want_tx.send_if_modified(|w| {
            let new = *w != want;
            if new {
                *w = want.clone();
            }
            new
        });
    }
    poller.abort();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_ten_seconds() {
        let b: Vec<u64> = (0..8).map(|i| backoff(i).as_millis() as u64).collect();
        assert_eq!(b, [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    }

    #[test]
    fn keys_map_from_the_terminal() {
        use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
        let k = |code, m| KeyEvent::new(code, m);
        assert_eq!(
            key_of(k(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Key::CtrlC)
        );
        assert_eq!(
            key_of(k(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Key::Char('q'))
        );
        assert_eq!(
            key_of(k(KeyCode::Enter, KeyModifiers::NONE)),
            Some(Key::Enter)
        );
        let mut release = k(KeyCode::Char('q'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(key_of(release), None);
    }
}
