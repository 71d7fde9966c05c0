//! `rtctl serve`: the notification node (work in progress: the durable log is built; the
//! Socket.IO engine, API, health, metrics and heartbeats are being wired in).

pub mod api;
pub mod identity;
pub mod log;
pub mod metrics;
pub mod presence;
