//! The notification node's Socket.IO handler: identity at CONNECT, device and department
//! rooms, department subscriptions, and the metrics of it all.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::identity::{check_id, identify, Handshake as Ids};
use super::metrics::Metrics;
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
}

/// Per-socket data.
pub struct Device {
    pub device_id: Box<str>,
    pub department: Option<Box<str>>,
    pub user: Option<Box<str>>,
    /// Departments this socket is in (joined at connect or by `subscribe-department`).
    departments: Mutex<Vec<Box<str>>>,
}

/// The node's handler.
pub struct NodeHandler {
    pub metrics: Arc<Metrics>,
    pub draining: Arc<AtomicBool>,
    /// Local member count of each department room (for heartbeats).
    departments: Mutex<HashMap<Box<str>, u64>>,
}

impl NodeHandler {
    pub fn new(metrics: Arc<Metrics>, draining: Arc<AtomicBool>) -> NodeHandler {
        NodeHandler {
            metrics,
            draining,
            departments: Mutex::new(HashMap::new()),
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
        Ok(Device {
            device_id: id.device_id.into(),
            department: id.department.map(Into::into),
            user: id.user.map(Into::into),
            departments: Mutex::new(Vec::new()),
        })
    }

    fn connected(&self, socket: &Socket<Self>) {
        let d = socket.data();
        socket.join(&device_room(&d.device_id));
        if let Some(dept) = d.department.clone() {
            self.join_department(socket, &dept);
        }
        self.metrics.connections.fetch_add(1, Relaxed);
        self.metrics.connects.fetch_add(1, Relaxed);
        tracing::debug!(device = %d.device_id, department = ?d.department, user = ?d.user, "device connected");
    }

    fn event(&self, socket: &Socket<Self>, ev: sio::Event, ack: Option<AckSender<Self>>) {
        self.metrics.messages_in.fetch_add(1, Relaxed);
        match ev.name().as_ref() {
            "subscribe-department" => match department_arg(&ev) {
                Ok(dept) => {
                    self.join_department(socket, &dept);
                    reply(
                        ack,
                        json!({"status": "subscribed", "room": department_room(&dept)}),
                    );
                }
                Err(m) => reply(ack, json!({"status": "error", "message": m})),
            },
            "unsubscribe-department" => match department_arg(&ev) {
                Ok(dept) => {
                    self.leave_department(socket, &dept);
                    reply(
                        ack,
                        json!({"status": "unsubscribed", "room": department_room(&dept)}),
                    );
                }
                Err(m) => reply(ack, json!({"status": "error", "message": m})),
            },
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
        self.metrics.disconnected(reason.as_str());
    }

    fn behind(&self, _socket: &Socket<Self>) {
        self.metrics.sockets_behind.fetch_add(1, Relaxed);
    }
}
