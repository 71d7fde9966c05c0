//! The delivery path: every log entry reaches every socket it is addressed to, exactly once, in
//! order — live, or from the log when the socket was away or fell behind.
//!
//! A publish crosses api → log → delivery → engine. This module owns:
//! - the event and room names a device sees ([`event_name`], [`device_room`],
//!   [`department_room`]) and the packet of an entry ([`packet`]: payload, then the offset);
//! - the node's delivery position ([`DeliveryPosition`]), which the live loop holds while it
//!   broadcasts one entry, so joins and switches to live happen exactly between two entries;
//! - live fan-out ([`deliver`]): each entry encoded once, one write per socket;
//! - catch-up ([`catch_up`]) of a socket that reconnected with an offset or whose send queue
//!   overflowed: it is marked behind (live broadcasts skip it), everything after its offset that
//!   is addressed to it (its device, each department it is in after the offset it joined at,
//!   broadcasts) is replayed in order, and it is switched to live at a moment when the live loop
//!   has not gone past the replay, so no entry is missed and none is delivered twice. If
//!   retention already removed part of the gap, the device is told with `notification:gap`
//!   first — never a silent partial recovery.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::value::RawValue;
use tokio::sync::{mpsc, watch};

use super::log::{Entry, Log, Offset, Target};
use super::metrics::Metrics;
use super::session::{Device, Membership};
use crate::engine::sio::{Encoded, EventBuilder};
use crate::engine::{Handler, SendError, Socket, SocketIo, Write};

/// Room of one device: a direct notification is one room lookup.
pub fn device_room(id: &str) -> String {
    format!("{DEVICE_ROOM}{id}")
}

/// The prefix of a device's room.
pub const DEVICE_ROOM: &str = "device:";

/// Room of one department.
pub fn department_room(id: &str) -> String {
    format!("department:{id}")
}

/// The event name devices receive for each target kind.
pub fn event_name(t: &Target) -> &'static str {
    match t {
        Target::Department(_) => "notification",
        Target::Device(_) => "notification:direct",
        Target::All => "notification:broadcast",
    }
}

/// The packet a device receives for a log entry: payload, then the offset as last argument.
pub fn packet(e: &Entry) -> Option<Encoded> {
    let payload = serde_json::from_str::<&RawValue>(&e.payload).ok()?;
    Some(
        EventBuilder::new(event_name(&e.target))
            .arg_raw(payload)
            .build_with_offset(&e.offset.to_string()),
    )
}

/// Is this entry addressed to this device, given the departments it is in (each with the offset
/// it joined after)?
pub fn addressed_to(e: &Entry, device: &str, departments: &[Membership]) -> bool {
    match &e.target {
        Target::All => true,
        Target::Device(d) => d == device,
        Target::Department(d) => departments
            .iter()
            .any(|(x, since)| **x == **d && e.offset > *since),
    }
}

/// The node's delivery position, shared by the live loop (which holds the lock while it
/// broadcasts an entry) and by joins and catch-ups (which take it to act between two entries).
#[derive(Debug)]
pub struct DeliveryPosition {
    /// The last entry broadcast.
    delivered: Mutex<Offset>,
    /// While an entry is being broadcast: the entry before it. A socket whose queue overflows
    /// during that broadcast is caught up from here.
    broadcasting_after: Mutex<Offset>,
    /// Announces each new `delivered` to catch-ups waiting for the live loop.
    moved: watch::Sender<Offset>,
    /// The entries broadcast most recently, in order: a catch-up after an offset they cover
    /// is served from here instead of the log (a reconnect avalanche reads memory, not Redis).
    recent: Mutex<Recent>,
    /// Catch-ups reading the log (or the subscription store) at once: an avalanche of
    /// reconnects queues here instead of piling thousands of requests onto the Redis
    /// connection, where they would time out and send the devices round again.
    pub log_reads: tokio::sync::Semaphore,
}

/// How many catch-ups may read the log (or the subscription store) at the same time.
pub const CONCURRENT_LOG_READS: usize = 256;

/// Every entry the live loop broadcast after `floor`, up to the last one (at most `cap`).
#[derive(Debug)]
struct Recent {
    floor: Offset,
    entries: std::collections::VecDeque<Entry>,
    cap: usize,
}

impl Recent {
    fn push(&mut self, e: &Entry) {
        if self.entries.len() == self.cap {
            if let Some(old) = self.entries.pop_front() {
                self.floor = old.offset;
            }
        }
        self.entries.push_back(e.clone());
    }

    /// Up to `limit` entries after `after`, if every entry after it is here.
    fn after(&self, after: Offset, limit: usize) -> Option<Vec<Entry>> {
        if after < self.floor {
            return None;
        }
        let i = self.entries.partition_point(|e| e.offset <= after);
        Some(self.entries.range(i..).take(limit).cloned().collect())
    }
}

/// How many recently broadcast entries a node keeps for catch-ups.
pub const RECENT_ENTRIES: usize = 16_384;

impl DeliveryPosition {
    pub fn new(start: Offset) -> DeliveryPosition {
        Self::with_recent(start, RECENT_ENTRIES)
    }

    /// A position that keeps the last `cap` entries broadcast for catch-ups.
    pub fn with_recent(start: Offset, cap: usize) -> DeliveryPosition {
        DeliveryPosition {
            delivered: Mutex::new(start),
            broadcasting_after: Mutex::new(start),
            moved: watch::Sender::new(start),
            recent: Mutex::new(Recent {
                floor: start,
                entries: std::collections::VecDeque::with_capacity(cap.min(1024)),
                cap: cap.max(1),
            }),
            log_reads: tokio::sync::Semaphore::new(CONCURRENT_LOG_READS),
        }
    }

    /// Up to `limit` entries after `after` from those broadcast recently, or `None` when they
    /// do not cover everything after it (read the log instead).
    pub fn recent_after(&self, after: Offset, limit: usize) -> Option<Vec<Entry>> {
        self.recent.lock().expect("recent lock").after(after, limit)
    }

    /// The live loop moved to `e` (called with the position lock held).
    fn advance(&self, pos: &mut Offset, e: &Entry) {
        *pos = e.offset;
        self.recent.lock().expect("recent lock").push(e);
    }

    /// The last entry broadcast.
    pub fn delivered(&self) -> Offset {
        *self.delivered.lock().expect("position lock")
    }

    /// Where a socket that overflowed during the current broadcast resumes.
    pub fn broadcasting_after(&self) -> Offset {
        *self.broadcasting_after.lock().expect("position lock")
    }

    /// Run `f` between two broadcasts, with the last entry broadcast: a room joined inside `f`
    /// receives live exactly the entries after that offset.
    pub fn between<R>(&self, f: impl FnOnce(Offset) -> R) -> R {
        let pos = self.delivered.lock().expect("position lock");
        f(*pos)
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Fan-outs to fewer sockets than this are written directly whenever no entry waits.
const SMALL_FAN_OUT: usize = 256;
/// A large direct fan-out needs this many times its own (estimated) duration of idle time
/// since the previous large fan-out: room for the connections' own work and for the devices.
const DIRECT_HEADROOM: u32 = 2;
/// And at least this much: at ten or more large fan-outs a second, always queue. The estimate
/// comes from one fan-out and reads low when sockets deferred their writes (`EAGAIN` is cheap).
const DIRECT_MIN_IDLE: Duration = Duration::from_millis(100);

/// How each log entry is written to the sockets: directly from the fan-out ([`Write::Now`]:
/// the lowest latency, one system call per socket) while the node has room for it, queued
/// ([`Write::Queued`]: each connection writes what piled up with one write, far fewer system
/// calls per delivery under load) when entries come faster. A large fan-out is written
/// directly only when no entry waits and the time since the previous large fan-out ended is
/// at least twice what this one would take directly (measured on the last large direct one): an
/// occasional broadcast gets the latency, a stream gets the coalescing. Measured in
/// BENCHMARKS.md: a leaky bucket that let direct fan-outs take half of the time halved the
/// sustained rate (each direct fan-out occupies both cores and writes without coalescing).
/// Pure: the caller passes the clock.
#[derive(Debug, Default)]
pub struct WritePolicy {
    /// Duration of one direct delivery, measured on the last large direct fan-out.
    per_socket: Duration,
    /// When the previous large fan-out ended (small ones do not count).
    last_end: Option<Instant>,
}

impl WritePolicy {
    /// The write for a fan-out to `sockets` sockets starting `now`; `backlog`: more entries
    /// are waiting.
    pub fn choose(&self, backlog: bool, sockets: usize, now: Instant) -> Write {
        if backlog {
            return Write::Queued;
        }
        if sockets < SMALL_FAN_OUT {
            return Write::Now;
        }
        let cost = self
            .per_socket
            .saturating_mul(u32::try_from(sockets).unwrap_or(u32::MAX))
            .saturating_mul(DIRECT_HEADROOM)
            .max(DIRECT_MIN_IDLE);
        let idle = self
            .last_end
            .map_or(Duration::MAX, |t| now.saturating_duration_since(t));
        if idle >= cost {
            Write::Now
        } else {
            Write::Queued
        }
    }

    /// A fan-out written with `write` reached `sockets` sockets between `started` and `ended`.
    pub fn done(&mut self, write: Write, sockets: usize, started: Instant, ended: Instant) {
        if sockets < SMALL_FAN_OUT {
            return;
        }
        self.last_end = Some(ended);
        if write == Write::Now {
            self.per_socket = ended.saturating_duration_since(started) / sockets as u32;
        }
    }
}

/// Deliver each log entry to the local sockets: one encoding, one write per socket.
pub async fn deliver<H: Handler>(
    io: SocketIo<H>,
    position: Arc<DeliveryPosition>,
    metrics: Arc<Metrics>,
    mut rx: mpsc::Receiver<Entry>,
) {
    let ns = io.of("/").expect("namespace / exists");
    let m = &metrics;
    let mut policy = WritePolicy::default();
    while let Some(e) = rx.recv().await {
        let Some(packet) = packet(&e) else {
            tracing::error!(offset = %e.offset, "log entry payload is not JSON; skipped");
            position.advance(&mut position.delivered.lock().expect("position lock"), &e);
            position.moved.send_replace(e.offset);
            continue;
        };
        let event = event_name(&e.target);
        // The position lock is held while broadcasting so a catch-up switches to live
        // delivery exactly between two entries.
        let d = {
            let mut pos = position.delivered.lock().expect("position lock");
            *position.broadcasting_after.lock().expect("position lock") = *pos;
            let room = match &e.target {
                Target::Department(id) => Some(department_room(id)),
                Target::Device(id) => Some(device_room(id)),
                Target::All => None,
            };
            let sockets = room.as_deref().map_or_else(|| ns.len(), |r| ns.room_len(r));
            let started = Instant::now();
            let write = policy.choose(!rx.is_empty(), sockets, started);
            let d = ns.broadcast_with(room.as_deref(), &packet, write);
            policy.done(write, d.delivered, started, Instant::now());
            position.advance(&mut pos, &e);
            d
        };
        position.moved.send_replace(e.offset);
        m.sent(event, d.delivered as u64);
        m.deliveries.fetch_add(d.delivered as u64, Relaxed);
        m.log_lag_ms
            .store(now_ms().saturating_sub(e.offset.ms) as i64, Relaxed);
        m.sockets_behind
            .store(io.stats().behind.load(Relaxed) as i64, Relaxed);
        if d.behind > 0 {
            tracing::debug!(offset = %e.offset, sockets = d.behind, "sockets behind: being caught up from the log");
        }
    }
}

/// Why a socket is being caught up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// It connected with an offset (connection state recovery or `auth.offset`).
    Reconnect,
    /// Its send queue overflowed: it missed live broadcasts and is replayed instead.
    Overflow,
}

const BATCH: usize = 512;

/// Replay everything after `from` that is addressed to the socket, then switch it to live.
pub async fn catch_up<H: Handler<Data = Device>>(
    socket: Socket<H>,
    log: Log,
    position: Arc<DeliveryPosition>,
    metrics: Arc<Metrics>,
    from: Offset,
    why: Why,
) {
    let device = socket.data().device_id.clone();
    match why {
        Why::Reconnect => metrics.recoveries.fetch_add(1, Relaxed),
        Why::Overflow => metrics.overflow_catch_ups.fetch_add(1, Relaxed),
    };
    // Keep the socket's queue at most half full while replaying.
    let high_water = socket.queue_bound().max(2) / 2;
    // Part of the gap may be gone already: say so before replaying what is left. What follows
    // is then exactly what the log still holds (recent entries in memory are not used to fill
    // a gap the device was told about).
    let mut after = from;
    let mut use_recent = true;
    let gap = {
        let _permit = position.log_reads.acquire().await;
        log.gap_after(from).await
    };
    match gap {
        Ok(Some(gap)) => {
            metrics.gaps.fetch_add(1, Relaxed);
            if let Ok(b) = EventBuilder::new("notification:gap").arg(&gap.to_json()) {
                let _ = socket.emit(b);
                metrics.sent("notification:gap", 1);
            }
            match gap.to {
                Some(to) => after = after.max(to),
                None => use_recent = false,
            }
        }
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(device = %device, cause = %e, "catch-up: log unavailable; closing so the device retries");
            socket.close();
            return;
        }
    }
    let mut moved = position.moved.subscribe();
    let mut replayed = 0u64;
    loop {
        if !socket.is_connected() {
            return;
        }
        let recent = use_recent
            .then(|| position.recent_after(after, BATCH))
            .flatten();
        let (batch, from_recent) = match recent {
            Some(b) => (b, true),
            None => match async {
                let _permit = position.log_reads.acquire().await;
                log.range_after(after, BATCH).await
            }
            .await
            {
                Ok(b) => (b, false),
                Err(e) => {
                    tracing::warn!(device = %device, cause = %e, "catch-up: log unavailable; closing so the device retries");
                    socket.close();
                    return;
                }
            },
        };
        let full = batch.len() == BATCH;
        for e in &batch {
            after = e.offset;
            let Some(p) = packet(e) else { continue };
            // Pace the replay to the socket's queue: a slow device is waited for, never
            // skipped; a stalled one is closed by its ping timeout and resumes on reconnect.
            let sent = loop {
                if !socket.is_connected() {
                    return;
                }
                if socket.queued_frames() > high_water {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                }
                // Checked and queued under the socket's department lock: an
                // `unsubscribe-department` acked after this point sees nothing more from it.
                let r = {
                    let guard = socket
                        .data()
                        .departments
                        .lock()
                        .expect("socket departments");
                    if addressed_to(e, &device, &guard) {
                        socket.send(&p).map(|()| true)
                    } else {
                        Ok(false)
                    }
                };
                match r {
                    Ok(sent) => break sent,
                    Err(SendError::Full) => tokio::time::sleep(Duration::from_millis(5)).await,
                    Err(SendError::Closed) => return,
                }
            };
            if sent {
                replayed += 1;
                metrics.sent(event_name(&e.target), 1);
                metrics.deliveries.fetch_add(1, Relaxed);
            }
        }
        if full {
            continue;
        }
        // Switch to live delivery only when the live loop stands exactly where the replay
        // ended: everything up to it was replayed, everything after will be broadcast to us.
        // The live loop holds this lock while it broadcasts, so the switch is atomic.
        // (Served from memory up to the live loop's position, the log can only end before
        // `after` when the device claims more than this node delivered.)
        let beyond_end = batch.is_empty()
            && (!from_recent || position.delivered() < after)
            && log.last().await.is_ok_and(|last| last < after);
        let delivered = position.between(|delivered| {
            if delivered == after || (beyond_end && delivered < after) {
                socket.set_caught_up();
                None
            } else {
                Some(delivered)
            }
        });
        let Some(delivered) = delivered else { break };
        if delivered > after {
            if beyond_end {
                // The log lost what this node delivered after `after` (the gap was announced).
                after = delivered;
            }
            continue; // entries were broadcast while we read: replay them too
        }
        // The live loop is still behind the replay's end: wait until it moves.
        moved.mark_unchanged();
        let _ = tokio::time::timeout(Duration::from_secs(1), moved.changed()).await;
    }
    metrics.replayed.fetch_add(replayed, Relaxed);
    metrics.caught_up(replayed);
    tracing::debug!(device = %device, from = %from, to = %after, replayed, "device caught up");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(t: Target, ms: u64) -> Entry {
        Entry {
            offset: Offset { ms, seq: 0 },
            target: t,
            payload: "{}".into(),
        }
    }

    #[test]
    fn direct_writes_while_the_node_has_room_queued_under_load() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut p = WritePolicy::default();
        // nothing measured yet: direct; a backlog always queues
        assert_eq!(p.choose(false, 10_000, t0), Write::Now);
        assert_eq!(p.choose(true, 10_000, t0), Write::Queued);
        assert_eq!(p.choose(true, 1, t0), Write::Queued);
        // a direct fan-out to 10k took 50 ms (5 µs a socket)
        p.done(Write::Now, 10_000, t0, t0 + ms(50));
        // the next large one needs 2 × 50 ms of idle time before it; twice the sockets, 200 ms
        assert_eq!(p.choose(false, 10_000, t0 + ms(149)), Write::Queued);
        assert_eq!(p.choose(false, 10_000, t0 + ms(150)), Write::Now);
        assert_eq!(p.choose(false, 20_000, t0 + ms(249)), Write::Queued);
        assert_eq!(p.choose(false, 20_000, t0 + ms(250)), Write::Now);
        // small fan-outs are direct whenever nothing waits, and do not move the clock (a
        // department and a device notification between two broadcasts)
        assert_eq!(p.choose(false, 255, t0 + ms(51)), Write::Now);
        p.done(Write::Now, 200, t0 + ms(60), t0 + ms(149));
        assert_eq!(p.choose(false, 10_000, t0 + ms(150)), Write::Now);
        // a queued large fan-out moves the clock but keeps the estimate
        p.done(Write::Queued, 10_000, t0 + ms(150), t0 + ms(160));
        assert_eq!(p.choose(false, 10_000, t0 + ms(259)), Write::Queued);
        assert_eq!(p.choose(false, 10_000, t0 + ms(260)), Write::Now);
        // fast fan-outs still need 100 ms of idle time
        let mut q = WritePolicy::default();
        q.done(Write::Now, 10_000, t0, t0 + ms(10));
        assert_eq!(q.choose(false, 10_000, t0 + ms(99)), Write::Queued);
        assert_eq!(q.choose(false, 10_000, t0 + ms(110)), Write::Now);
        // a stream every 62 ms: once queued (10 ms), the gap (52 ms) stays under 100 ms
        let mut t = t0 + ms(300);
        let mut direct = 0;
        for _ in 0..20 {
            let w = p.choose(false, 10_000, t);
            let took = if w == Write::Now { ms(50) } else { ms(10) };
            direct += usize::from(w == Write::Now);
            p.done(w, 10_000, t, t + took);
            t += ms(62);
        }
        assert!(direct <= 1, "{direct} of 20 direct");
    }

    #[test]
    fn addressing_respects_when_a_department_was_joined() {
        let dev: &[Membership] = &[("D1".into(), Offset { ms: 10, seq: 0 })];
        let to = |t, ms| addressed_to(&e(t, ms), "a", dev);
        assert!(to(Target::All, 1));
        assert!(to(Target::Device("a".into()), 1));
        assert!(!to(Target::Device("b".into()), 1));
        assert!(to(Target::Department("D1".into()), 11));
        assert!(
            !to(Target::Department("D1".into()), 10),
            "an entry from before the device joined is not its"
        );
        assert!(!to(Target::Department("D2".into()), 11));
    }

    #[test]
    fn packets_carry_the_offset_last() {
        let p = packet(&e(Target::Device("a".into()), 1)).unwrap();
        let f = p.text_frame();
        let text = format!("{f:?}");
        assert!(
            text.contains(r#"42[\"notification:direct\",{},\"1-0\"]"#),
            "{text}"
        );
    }

    #[test]
    fn recent_entries_serve_catch_ups_they_cover() {
        let p = DeliveryPosition::with_recent(Offset { ms: 10, seq: 0 }, 3);
        assert_eq!(p.recent_after(Offset { ms: 10, seq: 0 }, 10), Some(vec![]));
        assert_eq!(
            p.recent_after(Offset { ms: 9, seq: 0 }, 10),
            None,
            "before the floor"
        );
        for ms in 11..=15 {
            let e = e(Target::All, ms);
            p.advance(&mut p.delivered.lock().unwrap(), &e);
        }
        assert_eq!(p.delivered(), Offset { ms: 15, seq: 0 });
        // only 13, 14, 15 are kept: after 12 is covered, after 11 is not
        let ms =
            |v: Option<Vec<Entry>>| v.map(|v| v.iter().map(|e| e.offset.ms).collect::<Vec<_>>());
        assert_eq!(
            ms(p.recent_after(Offset { ms: 12, seq: 0 }, 10)),
            Some(vec![13, 14, 15])
        );
        assert_eq!(
            ms(p.recent_after(Offset { ms: 13, seq: 0 }, 1)),
            Some(vec![14])
        );
        assert_eq!(
            ms(p.recent_after(Offset { ms: 15, seq: 0 }, 10)),
            Some(vec![])
        );
        assert_eq!(ms(p.recent_after(Offset { ms: 11, seq: 0 }, 10)), None);
    }

    #[tokio::test]
    async fn the_position_announces_each_move() {
        let p = DeliveryPosition::new(Offset::ZERO);
        let mut rx = p.moved.subscribe();
        p.moved.send_replace(Offset { ms: 5, seq: 0 });
        rx.changed().await.unwrap();
        assert_eq!(*rx.borrow(), Offset { ms: 5, seq: 0 });
        assert_eq!(p.between(|o| o), Offset::ZERO);
    }
}
