//! One shared timer wheel for every session of a server.
//!
//! Heartbeats (ping / pong deadline), the Socket.IO connect timeout and the
//! upgrade timeout are entries in a hashed timing wheel driven by a single
//! ticker task, instead of a timer (and often a task) per connection. An
//! entry is 16 bytes and holds only a `Weak` reference, so a session that
//! closes is not kept alive by its pending timers.

use std::sync::{Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

/// What a timer entry is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimerKind {
    /// Time to send the next ping.
    Ping,
    /// The pong deadline of the ping just sent.
    PongCheck,
    /// The upper layer's timeout (the Socket.IO connect timeout).
    Upper,
    /// The polling → WebSocket upgrade deadline.
    Upgrade,
}

struct Entry<T> {
    target: Weak<T>,
    kind: TimerKind,
    rounds: u32,
}

struct Inner<T> {
    slots: Vec<Vec<Entry<T>>>,
    /// Last tick processed.
    current: u64,
}

/// A hashed timing wheel of `Weak<T>` targets.
pub(crate) struct Wheel<T> {
    inner: Mutex<Inner<T>>,
    tick: Duration,
    start: Instant,
}

const SLOTS: usize = 512;

impl<T> Wheel<T> {
    /// A wheel advancing every `tick` (at least 1 ms).
    pub(crate) fn new(tick: Duration) -> Self {
        let mut slots = Vec::with_capacity(SLOTS);
        slots.resize_with(SLOTS, Vec::new);
        Wheel {
            inner: Mutex::new(Inner { slots, current: 0 }),
            tick: tick.max(Duration::from_millis(1)),
            start: Instant::now(),
        }
    }

    /// The tick duration.
    pub(crate) fn tick(&self) -> Duration {
        self.tick
    }

    fn lock(&self) -> MutexGuard<'_, Inner<T>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn tick_of(&self, at: Instant) -> u64 {
        let nanos = at.saturating_duration_since(self.start).as_nanos();
        (nanos / self.tick.as_nanos().max(1)) as u64
    }

    /// Fires `kind` for `target` after `delay` (rounded up to the next tick).
    pub(crate) fn schedule(&self, target: Weak<T>, kind: TimerKind, delay: Duration) {
        let due = Instant::now() + delay;
        let nanos = due.saturating_duration_since(self.start).as_nanos();
        let tick_nanos = self.tick.as_nanos().max(1);
        let due_tick = nanos.div_ceil(tick_nanos) as u64;
        let mut inner = self.lock();
        let due_tick = due_tick.max(inner.current + 1);
        let ahead = due_tick - inner.current - 1;
        let rounds = u32::try_from(ahead / SLOTS as u64).unwrap_or(u32::MAX);
        let slot = (due_tick % SLOTS as u64) as usize;
        inner.slots[slot].push(Entry {
            target,
            kind,
            rounds,
        });
    }

    /// Advances to `now` and returns the entries that are due, in order.
    pub(crate) fn advance(&self, now: Instant) -> Vec<(Weak<T>, TimerKind)> {
        let target = self.tick_of(now);
        let mut fired = Vec::new();
        let mut inner = self.lock();
        while inner.current < target {
            inner.current += 1;
            let slot = (inner.current % SLOTS as u64) as usize;
            if inner.slots[slot].is_empty() {
                continue;
            }
            let entries = std::mem::take(&mut inner.slots[slot]);
            let mut keep = Vec::new();
            for mut e in entries {
                if e.rounds > 0 {
                    e.rounds -= 1;
                    keep.push(e);
                } else if e.target.strong_count() > 0 {
                    fired.push((e.target, e.kind));
                }
            }
            inner.slots[slot] = keep;
        }
        fired
    }

    /// When the tick after the last processed one is due.
    pub(crate) fn next_deadline(&self) -> Instant {
        let current = self.lock().current;
        self.start + self.tick * u32::try_from(current + 1).unwrap_or(u32::MAX)
    }

    /// Number of pending entries (for tests and statistics).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().slots.iter().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn fires_in_order_and_not_early() {
        let w: Wheel<u32> = Wheel::new(Duration::from_millis(10));
        let a = Arc::new(1u32);
        let b = Arc::new(2u32);
        w.schedule(
            Arc::downgrade(&a),
            TimerKind::Ping,
            Duration::from_millis(25),
        );
        w.schedule(
            Arc::downgrade(&b),
            TimerKind::PongCheck,
            Duration::from_millis(5),
        );
        assert_eq!(w.len(), 2);
        let t0 = w.start;
        assert!(w.advance(t0).is_empty());
        let fired = w.advance(t0 + Duration::from_millis(12));
        assert_eq!(fired.len(), 1);
        assert_eq!(fired[0].1, TimerKind::PongCheck);
        assert_eq!(*fired[0].0.upgrade().unwrap(), 2);
        let fired = w.advance(t0 + Duration::from_millis(40));
        assert_eq!(fired.len(), 1);
        assert_eq!(*fired[0].0.upgrade().unwrap(), 1);
        assert_eq!(w.len(), 0);
    }

    #[test]
    fn long_delays_take_rounds() {
        let w: Wheel<u32> = Wheel::new(Duration::from_millis(1));
        let a = Arc::new(1u32);
        w.schedule(
            Arc::downgrade(&a),
            TimerKind::Upper,
            Duration::from_millis(1500),
        );
        let t0 = w.start;
        assert!(w.advance(t0 + Duration::from_millis(1400)).is_empty());
        assert_eq!(w.advance(t0 + Duration::from_millis(1600)).len(), 1);
    }

    #[test]
    fn dropped_targets_are_skipped() {
        let w: Wheel<u32> = Wheel::new(Duration::from_millis(1));
        let a = Arc::new(1u32);
        w.schedule(
            Arc::downgrade(&a),
            TimerKind::Ping,
            Duration::from_millis(1),
        );
        drop(a);
        assert!(w.advance(w.start + Duration::from_millis(10)).is_empty());
        assert!(w.next_deadline() > w.start);
    }
}
