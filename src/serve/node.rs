//! The notification node's Socket.IO handler: identity at CONNECT, device and department
//! rooms, department subscriptions, and the metrics of it all.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::delivery::{catch_up, department_room, device_room, DeliveryPosition, Why};
use super::identity::{check_id, identify, Handshake as Ids};
use super::log::{Log, Offset};
use super::metrics::Metrics;
use super::presence::ClientIps;
use super::session::{in_order, new_session, Device, Membership, Named, PidSigner, Store};
use crate::engine::sio;
use crate::engine::{
    AckSender, ConnectError, ConnectRequest, DisconnectReason, Handler, HandshakeRequest,
    Rejection, Socket,
};

/// What the node keeps from the Engine.IO handshake: the identity hints, until a CONNECT has
/// used them (every open connection holds this, so the hints are not kept for its life).
pub struct HandshakeIds {
    hints: Mutex<Option<Box<Hints>>>,
    /// The client's address (for the heartbeat's client-IP figures).
    client_ip: Option<std::net::IpAddr>,
}

/// The handshake's identity hints.
struct Hints {
    header_device: Option<Box<str>>,
    query_device: Option<Box<str>>,
    header_department: Option<Box<str>>,
}

/// The node's handler.
pub struct NodeHandler {
    shared: Arc<Shared>,
    /// Connections per client IP (for heartbeats).
    pub client_ips: Arc<ClientIps>,
}

/// What the handler and the tasks it spawns share.
struct Shared {
    metrics: Arc<Metrics>,
    draining: Arc<AtomicBool>,
    log: Log,
    position: Arc<DeliveryPosition>,
    store: Store,
    pids: PidSigner,
    /// Local member count of each department room (for heartbeats).
    departments: Mutex<HashMap<Box<str>, u64>>,
}

/// The parts a node's handler is built from.
pub struct NodeParts {
    pub metrics: Arc<Metrics>,
    pub draining: Arc<AtomicBool>,
    pub log: Log,
    pub position: Arc<DeliveryPosition>,
    /// Where subscriptions outlive connections.
    pub store: Store,
    /// Signs and checks recovery `pid`s.
    pub pids: PidSigner,
}

impl NodeHandler {
    pub fn new(p: NodeParts) -> NodeHandler {
        NodeHandler {
            shared: Arc::new(Shared {
                metrics: p.metrics,
                draining: p.draining,
                log: p.log,
                position: p.position,
                store: p.store,
                pids: p.pids,
                departments: Mutex::new(HashMap::new()),
            }),
            client_ips: Arc::default(),
        }
    }

    /// Department rooms and their local member counts.
    pub fn department_counts(&self) -> Vec<(String, u64)> {
        let d = self.shared.departments.lock().expect("departments lock");
        let mut v: Vec<(String, u64)> = d.iter().map(|(k, n)| (department_room(k), *n)).collect();
        v.sort();
        v
    }
}

impl Shared {
    /// Put the socket in `dept` for entries after `since` (an existing membership keeps the
    /// older offset). Call between two broadcasts (`DeliveryPosition::between`) so live
    /// delivery starts exactly after `since`.
    fn join(&self, socket: &Socket<NodeHandler>, dept: &str, since: Offset) -> Result<(), String> {
        let d = socket.data();
        if let Some(granted) = d.granted() {
            if !granted.iter().any(|g| &**g == dept) {
                return Err(format!("department {dept:?} is not granted by the token"));
            }
        }
        let mut mine = d.departments.lock().expect("socket departments");
        if let Some(m) = mine.iter_mut().find(|(d, _)| &**d == dept) {
            m.1 = m.1.min(since);
            return Ok(());
        }
        socket
            .try_join(&department_room(dept))
            .map_err(|e| e.to_string())?;
        // exactly one more: most devices are in one department, and the vector lives as long
        // as the connection (amortized growth would keep room for four)
        mine.reserve_exact(1);
        mine.push((dept.into(), since));
        *self
            .departments
            .lock()
            .expect("departments lock")
            .entry(dept.into())
            .or_insert(0) += 1;
        Ok(())
    }

    fn leave(&self, socket: &Socket<NodeHandler>, dept: &str) {
        let mut mine = socket
            .data()
            .departments
            .lock()
            .expect("socket departments");
        let Some(i) = mine.iter().position(|(d, _)| &**d == dept) else {
            return;
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
    }

    fn store_failed(&self, device: &str, e: &dyn std::fmt::Display) {
        self.metrics.redis_errors.fetch_add(1, Relaxed);
        tracing::warn!(device = %device, cause = %e, "subscriptions not stored");
    }

    /// A connected socket's session. A device that resumes with its `pid` gets that session's
    /// departments back; one that resumes with only an offset (an app restart) continues its
    /// latest session under a new id; one that does neither begins a new session. Then the
    /// replay starts. Runs first in the socket's order of changes.
    async fn begin(self: Arc<Self>, socket: Socket<NodeHandler>, named: Vec<Membership>) {
        let d = socket.data();
        let (device, session) = (&*d.device_id, &*d.session);
        let Some(from) = d.resume_from else {
            if let Err(e) = self.store.begin(device, session, &named).await {
                self.store_failed(device, &e);
            }
            return;
        };
        let restored = {
            let _permit = self.position.log_reads.acquire().await;
            if d.recovered_pid().is_some() {
                self.store.load(device, session).await
            } else {
                match self.store.latest(device).await {
                    Ok(Some(latest)) => self.store.load(device, &latest).await,
                    Ok(None) => Ok(Vec::new()),
                    Err(e) => Err(e),
                }
            }
        };
        let stored = match restored {
            Ok(s) => s,
            Err(e) => {
                // Without its departments a replay would skip entries: let it retry.
                self.store_failed(device, &e);
                socket.close();
                return;
            }
        };
        self.position.between(|_| {
            for (dept, since) in &stored {
                if let Err(e) = self.join(&socket, dept, *since) {
                    tracing::info!(device = %device, department = %dept, "stored department not restored: {e}");
                }
            }
        });
        let kept = if d.recovered_pid().is_some() {
            self.store.add(device, session, &named).await
        } else {
            self.store.begin(device, session, &d.departments()).await
        };
        if let Err(e) = kept {
            self.store_failed(device, &e);
        }
        tracing::debug!(device = %device, from = %from, restored = stored.len(), recovered = d.recovered_pid().is_some(), "session restored");
        tokio::spawn(catch_up(
            socket.clone(),
            self.log.clone(),
            self.position.clone(),
            self.metrics.clone(),
            from,
            Why::Reconnect,
        ));
    }

    /// `subscribe-department` / `unsubscribe-department`: change the socket's rooms, record
    /// the change, then ack.
    async fn change(
        self: Arc<Self>,
        socket: Socket<NodeHandler>,
        dept: String,
        subscribe: bool,
        ack: Option<AckSender<NodeHandler>>,
    ) {
        let (device, session) = (&*socket.data().device_id, &*socket.data().session);
        let stored = if subscribe {
            let joined = self
                .position
                .between(|pos| self.join(&socket, &dept, pos).map(|()| pos));
            match joined {
                Ok(since) => self.store.subscribe(device, session, &dept, since).await,
                Err(m) => {
                    reply(
                        ack,
                        json!({"status": "error", "room": department_room(&dept), "message": m}),
                    );
                    return;
                }
            }
        } else {
            self.leave(&socket, &dept);
            self.store.unsubscribe(device, session, &dept).await
        };
        let body = match stored {
            Ok(()) => json!({
                "status": if subscribe { "subscribed" } else { "unsubscribed" },
                "room": department_room(&dept),
            }),
            Err(e) => {
                self.store_failed(device, &e);
                json!({
                    "status": "error",
                    "room": department_room(&dept),
                    "message": format!("{e}: the change applies to this connection but was not recorded, so a reconnect would not restore it; send it again"),
                })
            }
        };
        reply(ack, body);
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
        if self.shared.draining.load(Relaxed) {
            return Err(Rejection::new(
                "node is draining: reconnect to another node",
            ));
        }
        Ok(HandshakeIds {
            hints: Mutex::new(Some(Box::new(Hints {
                header_device: header(req, "x-device-id"),
                query_device: req.query.get("deviceId").map(|s| s.as_ref().into()),
                header_department: header(req, "x-department-id"),
            }))),
            client_ip: req.client_ip,
        })
    }

    fn connect(&self, req: &ConnectRequest<'_, Self>) -> Result<Device, ConnectError> {
        let auth: Option<Value> = match req.auth {
            Some(a) => match serde_json::from_str(a.as_raw().get()) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.shared.metrics.connect_errors.fetch_add(1, Relaxed);
                    return Err(ConnectError::new(format!("auth is not valid JSON: {e}")));
                }
            },
            None => None,
        };
        let id = {
            let hints = req.handshake.hints.lock().expect("handshake hints");
            let h = hints.as_deref();
            identify(&Ids {
                header_device: h.and_then(|h| h.header_device.as_deref()),
                header_department: h.and_then(|h| h.header_department.as_deref()),
                query_device: h.and_then(|h| h.query_device.as_deref()),
                auth: auth.as_ref(),
            })
        }
        .map_err(|m| {
            self.shared.metrics.connect_errors.fetch_add(1, Relaxed);
            ConnectError::new(m)
        })?;
        if let Some(m) = &id.mismatch {
            tracing::warn!(device = %id.device_id, "identity sources disagree: {m}");
        }
        let refuse = |m: String| {
            self.shared.metrics.connect_errors.fetch_add(1, Relaxed);
            ConnectError::new(m)
        };
        let offset = match auth.as_ref().and_then(|a| a.get("offset")) {
            None | Some(Value::Null) => None,
            Some(Value::String(o)) => Some(
                o.parse::<Offset>()
                    .map_err(|m| refuse(format!("auth.{m}")))?,
            ),
            Some(other) => {
                return Err(refuse(format!("auth.offset must be a string, got {other}")))
            }
        };
        // Connection state recovery: a `pid` this fleet issued to this device, not expired.
        let claim = match auth.as_ref().and_then(|a| a.get("pid")) {
            Some(Value::String(pid)) => {
                match self.shared.pids.verify(pid, &id.device_id, now_ms()) {
                    Some(c) => Some((pid.as_str(), c)),
                    None => {
                        self.shared.metrics.pids_refused.fetch_add(1, Relaxed);
                        tracing::info!(device = %id.device_id, "recovery pid refused (not issued to this device, altered or expired)");
                        None
                    }
                }
            }
            _ => None,
        };
        let resume_from = offset.or(claim.as_ref().map(|(_, c)| c.start));
        let mut named: Vec<Box<str>> = id.department.iter().map(|d| d.as_str().into()).collect();
        match auth.as_ref().and_then(|a| a.get("departments")) {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                for d in list {
                    let d = d.as_str().ok_or_else(|| {
                        refuse("auth.departments must be an array of strings".into())
                    })?;
                    check_id("department id", d).map_err(refuse)?;
                    if id
                        .granted
                        .as_ref()
                        .is_some_and(|g| !g.iter().any(|x| x == d))
                    {
                        return Err(refuse(format!(
                            "auth.departments: department {d:?} is not granted by the token"
                        )));
                    }
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
            resume_from,
            session: claim
                .as_ref()
                .map_or_else(new_session, |(_, c)| c.session.clone()),
            named: Named {
                department: id.department.map(Into::into),
                user: id.user.map(Into::into),
                departments: named,
                granted: id
                    .granted
                    .map(|g| g.into_iter().map(String::into_boxed_str).collect()),
                recovered_pid: claim.map(|(pid, _)| pid.into()),
            }
            .boxed(),
            departments: Mutex::new(Vec::new()),
            pending: Mutex::default(),
        })
    }

    /// A device that resumes from an offset starts behind: live broadcasts skip it until the
    /// replay has caught it up (decided before any broadcast can see the socket).
    fn connect_behind(&self, data: &Device) -> bool {
        data.resume_from.is_some()
    }

    fn connected(&self, socket: &Socket<Self>) {
        let sh = &self.shared;
        let d = socket.data();
        // the hints served their CONNECT (a failed CONNECT keeps them for the client's retry)
        drop(
            socket
                .handshake()
                .hints
                .lock()
                .expect("handshake hints")
                .take(),
        );
        socket.join(&device_room(&d.device_id));
        // Named departments: a resuming device was in them all along (replayed from its
        // offset); a new session is in them from now on.
        let named: Vec<Membership> = sh.position.between(|pos| {
            let since = if d.resume_from.is_some() {
                Offset::ZERO
            } else {
                pos
            };
            for dept in d.named_departments() {
                if let Err(e) = sh.join(socket, dept, since) {
                    tracing::info!(device = %d.device_id, department = %dept, "named department not joined: {e}");
                }
            }
            socket
                .data()
                .departments()
                .into_iter()
                .filter(|(dept, _)| d.named_departments().contains(dept))
                .collect()
        });
        in_order(socket, sh.clone().begin(socket.clone(), named));
        sh.metrics.connections.fetch_add(1, Relaxed);
        sh.metrics.connects.fetch_add(1, Relaxed);
        self.client_ips.connected(socket.handshake().client_ip);
        let named = d.named.as_deref();
        tracing::debug!(device = %d.device_id, department = ?named.and_then(|n| n.department.as_deref()), user = ?named.and_then(|n| n.user.as_deref()), "device connected");
    }

    /// Connection state recovery: a `pid` makes socket.io-client send `{pid, offset}` back on
    /// every reconnect, to any node. A valid one is returned unchanged (the client then reports
    /// `socket.recovered`); otherwise a new one is signed for this device.
    fn connect_pid(&self, socket: &Socket<Self>) -> Option<String> {
        let d = socket.data();
        Some(match d.recovered_pid() {
            Some(pid) => pid.to_string(),
            None => {
                let start = self.shared.position.delivered();
                self.shared
                    .pids
                    .issue(&d.device_id, &d.session, start, now_ms())
            }
        })
    }

    fn event(&self, socket: &Socket<Self>, ev: sio::Event, ack: Option<AckSender<Self>>) {
        self.shared.metrics.messages_in.fetch_add(1, Relaxed);
        match ev.name().as_ref() {
            name @ ("subscribe-department" | "unsubscribe-department") => {
                let subscribe = name == "subscribe-department";
                match department_arg(&ev) {
                    Ok(dept) => in_order(
                        socket,
                        self.shared
                            .clone()
                            .change(socket.clone(), dept, subscribe, ack),
                    ),
                    Err(m) => reply(ack, json!({"status": "error", "message": m})),
                }
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
        for (d, _) in socket.data().departments() {
            self.shared.leave(socket, &d);
        }
        self.client_ips.disconnected(socket.handshake().client_ip);
        self.shared.metrics.connections.fetch_sub(1, Relaxed);
        self.shared.metrics.disconnected(reason.as_str());
    }

    /// The socket's queue overflowed during a broadcast: it is skipped from now on and caught
    /// up from the log, starting at the entry it missed, instead of losing anything.
    fn behind(&self, socket: &Socket<Self>) {
        let sh = &self.shared;
        let from = sh.position.broadcasting_after();
        tracing::info!(device = %socket.data().device_id, from = %from, "send queue full: catching the device up from the log");
        tokio::spawn(catch_up(
            socket.clone(),
            sh.log.clone(),
            sh.position.clone(),
            sh.metrics.clone(),
            from,
            Why::Overflow,
        ));
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
