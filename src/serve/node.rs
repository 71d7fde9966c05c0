//! The notification node's Socket.IO handler: identity at CONNECT, device and department
//! rooms, department subscriptions, and the metrics of it all.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::identity::{check_id, identify, Handshake as Ids};
use super::log::{Log, Offset};
use super::metrics::Metrics;
use super::presence::ClientIps;
use super::recovery::{catch_up, DeliveryPosition, Why};
use crate::engine::sio;
use crate::engine::{
    AckSender, ConnectError, ConnectRequest, DisconnectReason, Handler, HandshakeRequest,
    Rejection, Socket,
};

/// Room of one device: a direct notification is one room lookup.
pub fn device_room(id: &str) -> String {
    format!("device:{id}")
}

/// Room of one department.
pub fn department_room(id: &str) -> String {
    format!("department:{id}")
}

/// What the node keeps from the Engine.IO handshake: only the identity hints.
pub struct HandshakeIds {
    header_device: Option<Box<str>>,
    query_device: Option<Box<str>>,
    header_department: Option<Box<str>>,
    /// The client's address (for the heartbeat's client-IP figures).
    client_ip: Option<std::net::IpAddr>,
}

/// Per-socket data.
pub struct Device {
    pub device_id: Box<str>,
    pub department: Option<Box<str>>,
    pub user: Option<Box<str>>,
    /// Departments named at connect (header or `auth.departmentId`, plus `auth.departments`).
    named_departments: Vec<Box<str>>,
    /// Where to resume from: `auth.offset` (sent by socket.io-client ≥ 4.6 itself on reconnect).
    resume_from: Option<Offset>,
    /// Departments this socket is in (joined at connect or by `subscribe-department`).
    departments: Mutex<Vec<Box<str>>>,
    /// The engine's send-queue bound in frames (for pacing replays).
    pub queue_bound: usize,
}

impl Device {
    /// The departments this socket is in now.
    pub fn departments(&self) -> Vec<Box<str>> {
        self.departments.lock().expect("socket departments").clone()
    }
}

/// The node's handler.
pub struct NodeHandler {
    pub metrics: Arc<Metrics>,
    pub draining: Arc<AtomicBool>,
    log: Log,
    position: Arc<DeliveryPosition>,
    queue_bound: usize,
    /// Local member count of each department room (for heartbeats).
    departments: Mutex<HashMap<Box<str>, u64>>,
    /// Connections per client IP (for heartbeats).
    pub client_ips: Arc<ClientIps>,
}

impl NodeHandler {
    pub fn new(
        metrics: Arc<Metrics>,
        draining: Arc<AtomicBool>,
        log: Log,
        position: Arc<DeliveryPosition>,
        queue_bound: usize,
    ) -> NodeHandler {
        NodeHandler {
            metrics,
            draining,
            log,
            position,
            queue_bound,
            departments: Mutex::new(HashMap::new()),
            client_ips: Arc::default(),
        }
    }

    /// Department rooms and their local member counts.
    pub fn department_counts(&self) -> Vec<(String, u64)> {
        let d = self.departments.lock().expect("departments lock");
        let mut v: Vec<(String, u64)> = d.iter().map(|(k, n)| (department_room(k), *n)).collect();
        v.sort();
        v
    }

    fn join_department(&self, socket: &Socket<Self>, dept: &str) -> bool {
        let mut mine = socket
            .data()
            .departments
            .lock()
            .expect("socket departments");
        if mine.iter().any(|d| &**d == dept) {
            return false;
        }
        mine.push(dept.into());
        socket.join(&department_room(dept));
        *self
            .departments
            .lock()
            .expect("departments lock")
            .entry(dept.into())
            .or_insert(0) += 1;
        true
    }

    fn leave_department(&self, socket: &Socket<Self>, dept: &str) -> bool {
        let mut mine = socket
            .data()
            .departments
            .lock()
            .expect("socket departments");
        let Some(i) = mine.iter().position(|d| &**d == dept) else {
            return false;
        };
        mine.swap_remove(i);
        socket.leave(&department_room(dept));
        let mut all = self.departments.lock().expect("departments lock");
        if let Some(n) = all.get_mut(dept) {
            *n -= 1;
            if *n == 0 {
                all.remove(dept);
            }
        }
        true
    }
}

fn header(req: &HandshakeRequest<'_>, name: &str) -> Option<Box<str>> {
    req.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().into())
}

fn department_arg(ev: &sio::Event) -> Result<String, String> {
    let arg = ev
        .args()
        .get(0)
        .ok_or("expected {\"departmentId\": ID} as the first argument")?;
    let v: Value = serde_json::from_str(arg.get()).map_err(|e| e.to_string())?;
    let d = v
        .get("departmentId")
        .and_then(Value::as_str)
        .ok_or("expected {\"departmentId\": ID} with a string id")?;
    check_id("department id", d)?;
    Ok(d.to_string())
}

fn reply(ack: Option<AckSender<NodeHandler>>, body: Value) {
    if let Some(ack) = ack {
        if let Ok(b) = ack.builder().arg(&body) {
            let _ = ack.send(b);
        }
    }
}

impl Handler for NodeHandler {
    type Handshake = HandshakeIds;
    type Data = Device;

    fn handshake(&self, req: &HandshakeRequest<'_>) -> Result<HandshakeIds, Rejection> {
        if self.draining.load(Relaxed) {
            return Err(Rejection::new(
                "node is draining: reconnect to another node",
            ));
        }
        Ok(HandshakeIds {
            header_device: header(req, "x-device-id"),
            query_device: req.query.get("deviceId").map(|s| s.as_ref().into()),
            header_department: header(req, "x-department-id"),
            client_ip: self
                .client_ips
                .resolve(req.remote_addr.map(|a| a.ip()), req.headers),
        })
    }

    fn connect(&self, req: &ConnectRequest<'_, Self>) -> Result<Device, ConnectError> {
        let auth: Option<Value> = match req.auth {
            Some(a) => match serde_json::from_str(a.as_raw().get()) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.metrics.connect_errors.fetch_add(1, Relaxed);
                    return Err(ConnectError::new(format!("auth is not valid JSON: {e}")));
                }
            },
            None => None,
        };
        let h = req.handshake;
        let id = identify(&Ids {
            header_device: h.header_device.as_deref(),
            header_department: h.header_department.as_deref(),
            query_device: h.query_device.as_deref(),
            auth: auth.as_ref(),
        })
        .map_err(|m| {
            self.metrics.connect_errors.fetch_add(1, Relaxed);
            ConnectError::new(m)
        })?;
        if let Some(m) = &id.mismatch {
            tracing::warn!(device = %id.device_id, "identity sources disagree: {m}");
        }
        let refuse = |m: String| {
            self.metrics.connect_errors.fetch_add(1, Relaxed);
            ConnectError::new(m)
        };
        let resume_from = match auth.as_ref().and_then(|a| a.get("offset")) {
            None | Some(Value::Null) => None,
            Some(Value::String(o)) => Some(
                o.parse::<Offset>()
                    .map_err(|m| refuse(format!("auth.{m}")))?,
            ),
            Some(other) => {
                return Err(refuse(format!("auth.offset must be a string, got {other}")))
            }
        };
        let mut named: Vec<Box<str>> = id.department.iter().map(|d| d.as_str().into()).collect();
        match auth.as_ref().and_then(|a| a.get("departments")) {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                for d in list {
                    let d = d.as_str().ok_or_else(|| {
                        refuse("auth.departments must be an array of strings".into())
                    })?;
                    check_id("department id", d).map_err(refuse)?;
                    if !named.iter().any(|n| &**n == d) {
                        named.push(d.into());
                    }
                }
            }
            Some(_) => {
                return Err(refuse(
                    "auth.departments must be an array of strings".into(),
                ))
            }
        }
        Ok(Device {
            device_id: id.device_id.into(),
            department: id.department.map(Into::into),
            user: id.user.map(Into::into),
            named_departments: named,
            resume_from,
            departments: Mutex::new(Vec::new()),
            queue_bound: self.queue_bound,
        })
    }

    fn connected(&self, socket: &Socket<Self>) {
        let d = socket.data();
        if d.resume_from.is_some() {
            // Live broadcasts skip the socket until the replay has caught it up.
            socket.mark_behind();
        }
        socket.join(&device_room(&d.device_id));
        for dept in d.named_departments.clone() {
            self.join_department(socket, &dept);
        }
        if let Some(from) = d.resume_from {
            tokio::spawn(catch_up(
                socket.clone(),
                self.log.clone(),
                self.position.clone(),
                self.metrics.clone(),
                from,
                Why::Reconnect,
            ));
        }
        self.metrics.connections.fetch_add(1, Relaxed);
        self.client_ips.connected(socket.handshake().client_ip);
        self.metrics.connects.fetch_add(1, Relaxed);
        tracing::debug!(device = %d.device_id, department = ?d.department, user = ?d.user, "device connected");
    }

    /// Connection state recovery: a `pid` makes socket.io-client send `{pid, offset}` back on
    /// every reconnect, to any node. It is derived from the device id, so any node can honour it.
    fn connect_pid(&self, socket: &Socket<Self>) -> Option<String> {
        Some(format!("rtctl-{}", socket.data().device_id))
    }

    fn event(&self, socket: &Socket<Self>, ev: sio::Event, ack: Option<AckSender<Self>>) {
        self.metrics.messages_in.fetch_add(1, Relaxed);
        match ev.name().as_ref() {
            name @ ("subscribe-department" | "unsubscribe-department") => {
                let subscribe = name == "subscribe-department";
                let body = match department_arg(&ev) {
                    Ok(dept) => {
                        if subscribe {
                            self.join_department(socket, &dept);
                        } else {
                            self.leave_department(socket, &dept);
                        }
                        let status = if subscribe {
                            "subscribed"
                        } else {
                            "unsubscribed"
                        };
                        json!({"status": status, "room": department_room(&dept)})
                    }
                    Err(m) => json!({"status": "error", "message": m}),
                };
                reply(ack, body);
            }
            other => {
                tracing::debug!(event = other, "ignored event");
                reply(
                    ack,
                    json!({"status": "error", "message": format!("unknown event {other:?}")}),
                );
            }
        }
    }

    fn disconnected(&self, socket: &Socket<Self>, reason: DisconnectReason) {
        let depts: Vec<Box<str>> = socket
            .data()
            .departments
            .lock()
            .expect("socket departments")
            .clone();
        for d in depts {
            self.leave_department(socket, &d);
        }
        self.metrics.connections.fetch_sub(1, Relaxed);
        self.client_ips.disconnected(socket.handshake().client_ip);
        self.metrics.disconnected(reason.as_str());
    }

    /// The socket's queue overflowed during a broadcast: it is skipped from now on and caught
    /// up from the log, starting at the entry it missed, instead of losing anything.
    fn behind(&self, socket: &Socket<Self>) {
        let from = *self
            .position
            .broadcasting_after
            .lock()
            .expect("position lock");
        tracing::info!(device = %socket.data().device_id, from = %from, "send queue full: catching the device up from the log");
        tokio::spawn(catch_up(
            socket.clone(),
            self.log.clone(),
            self.position.clone(),
            self.metrics.clone(),
            from,
            Why::Overflow,
        ));
    }
}
