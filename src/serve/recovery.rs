//! Catching a reconnecting device up from the log, in order, before live notifications.
//!
//! A device that connects with an offset (the official client sends `{pid, offset}` by itself
//! once the server gave it a `pid`; an app may send `auth.offset` after a restart) is marked
//! behind, so live broadcasts skip it; every entry after the offset that is addressed to it (its
//! device, the departments it names, broadcasts) is replayed in order; and the mark is cleared
//! only at a moment when the node's own delivery has not gone past the replay, so no entry is
//! missed and none is delivered twice. If retention already removed part of the gap, the device
//! is told so first with `notification:gap` — never a silent partial recovery.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::value::RawValue;

use super::log::{Entry, Log, Offset, Target};
use super::metrics::Metrics;
use super::node::NodeHandler;
use crate::engine::sio::EventBuilder;
use crate::engine::Socket;

/// The node's delivery position, shared by the delivery loop (which holds the lock while it
/// broadcasts an entry) and catch-ups (which take it to switch a socket to live delivery).
#[derive(Debug, Default)]
pub struct DeliveryPosition {
    /// The last entry broadcast.
    pub delivered: Mutex<Offset>,
    /// While an entry is being broadcast: the entry before it. A socket whose queue overflows
    /// during that broadcast is caught up from here.
    pub broadcasting_after: Mutex<Offset>,
}

impl DeliveryPosition {
    pub fn new(start: Offset) -> DeliveryPosition {
        DeliveryPosition {
            delivered: Mutex::new(start),
            broadcasting_after: Mutex::new(start),
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

fn socket_queue_bound(socket: &Socket<NodeHandler>) -> usize {
    socket.data().queue_bound.max(2)
}

/// Does the log end before `offset`? (A device that claims an offset beyond everything the
/// log holds has nothing to replay.)
async fn log_end_before(log: &Log, offset: Offset) -> bool {
    log.last().await.is_ok_and(|last| last < offset)
}

/// Is this entry addressed to a device with this id and these departments?
pub fn addressed_to(e: &Entry, device: &str, departments: &[Box<str>]) -> bool {
    match &e.target {
        Target::All => true,
        Target::Device(d) => d == device,
        Target::Department(d) => departments.iter().any(|x| **x == **d),
    }
}

/// The packet a device receives for a log entry: payload, then the offset as last argument.
pub fn packet(e: &Entry) -> Option<crate::engine::sio::Encoded> {
    let payload = serde_json::from_str::<&RawValue>(&e.payload).ok()?;
    Some(
        EventBuilder::new(super::event_name(&e.target))
            .arg_raw(payload)
            .build_with_offset(&e.offset.to_string()),
    )
}

const BATCH: usize = 512;

/// Replay everything after `from` that is addressed to the socket, then switch it to live.
pub async fn catch_up(
    socket: Socket<NodeHandler>,
    log: Log,
    position: Arc<DeliveryPosition>,
    metrics: Arc<Metrics>,
    from: Offset,
    why: Why,
) {
    let device = socket.data().device_id.clone();
    let departments = socket.data().departments();
    match why {
        Why::Reconnect => metrics.recoveries.fetch_add(1, Relaxed),
        Why::Overflow => metrics.overflow_catch_ups.fetch_add(1, Relaxed),
    };
    // Keep the socket's queue at most half full while replaying.
    let high_water = socket_queue_bound(&socket) / 2;
    // Part of the gap may be gone already: say so before replaying what is left.
    match log.gap_after(from).await {
        Ok(Some(gap)) => {
            metrics.gaps.fetch_add(1, Relaxed);
            if let Ok(b) = EventBuilder::new("notification:gap").arg(&gap.to_json()) {
                let _ = socket.emit(b);
                metrics.sent("notification:gap", 1);
            }
        }
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(device = %device, cause = %e, "catch-up: log unavailable; closing so the device retries");
            socket.close();
            return;
        }
    }
    let mut after = from;
    let mut replayed = 0u64;
    loop {
        if !socket.is_connected() {
            return;
        }
        let batch = match log.range_after(after, BATCH).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(device = %device, cause = %e, "catch-up: log unavailable; closing so the device retries");
                socket.close();
                return;
            }
        };
        let full = batch.len() == BATCH;
        for e in &batch {
            after = e.offset;
            if !addressed_to(e, &device, &departments) {
                continue;
            }
            let Some(p) = packet(e) else { continue };
            // Pace the replay to the socket's queue: a slow device is waited for, never
            // skipped; a stalled one is closed by its ping timeout and resumes on reconnect.
            loop {
                if !socket.is_connected() {
                    return;
                }
                if socket.queued_frames() > high_water {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                }
                match socket.send(&p) {
                    Ok(()) => break,
                    Err(crate::engine::SendError::Full) => {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                    Err(crate::engine::SendError::Closed) => return,
                }
            }
            replayed += 1;
            metrics.sent(super::event_name(&e.target), 1);
            metrics.deliveries.fetch_add(1, Relaxed);
        }
        if full {
            continue;
        }
        // Switch to live delivery only when the delivery loop stands exactly where the replay
        // ended: everything up to it was replayed, everything after will be broadcast to us.
        // The delivery loop holds this lock while it broadcasts, so the switch is atomic.
        let beyond_end = batch.is_empty() && log_end_before(&log, after).await;
        let delivered = {
            let guard = position.delivered.lock().expect("position lock");
            if *guard == after || (beyond_end && *guard < after) {
                socket.set_caught_up();
                None
            } else {
                Some(*guard)
            }
        };
        let Some(delivered) = delivered else { break };
        if delivered > after {
            if beyond_end {
                // The log lost what this node delivered after `after` (the gap was announced).
                after = delivered;
            }
            continue; // entries were broadcast while we read: replay them too
        }
        // The delivery loop is still behind the replay's end: wait for it.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    metrics.replayed.fetch_add(replayed, Relaxed);
    metrics.caught_up(replayed);
    tracing::debug!(device = %device, from = %from, to = %after, replayed, "device caught up");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(t: Target) -> Entry {
        Entry {
            offset: Offset { ms: 1, seq: 0 },
            target: t,
            payload: "{}".into(),
        }
    }

    #[test]
    fn addressing() {
        let depts: Vec<Box<str>> = vec!["D1".into()];
        assert!(addressed_to(&e(Target::All), "a", &depts));
        assert!(addressed_to(&e(Target::Device("a".into())), "a", &depts));
        assert!(!addressed_to(&e(Target::Device("b".into())), "a", &depts));
        assert!(addressed_to(
            &e(Target::Department("D1".into())),
            "a",
            &depts
        ));
        assert!(!addressed_to(
            &e(Target::Department("D2".into())),
            "a",
            &depts
        ));
    }

    #[test]
    fn packets_carry_the_offset_last() {
        let p = packet(&e(Target::Device("a".into()))).unwrap();
        let f = p.text_frame();
        let text = format!("{f:?}");
        assert!(
            text.contains(r#"42[\"notification:direct\",{},\"1-0\"]"#),
            "{text}"
        );
    }
}
