//! The device registry (the guide's `DeviceRegistry`): what each device told the node at
//! `POST /api/v1/devices/register`, where it registered from, when it was last seen, and
//! (`GET /api/v1/devices`) whether it is connected now and on which node.
//!
//! Pure core: [`parse_registration`] (the body, camelCase as the guide's client sends it or the
//! entity's snake_case, checked against the entity's column limits) and [`merge`] (the upsert:
//! `registered_at` is kept from the first registration; an optional field the body leaves out
//! keeps its stored value). Thin I/O around it: [`Registry`].
//!
//! Storage:
//! - with `--redis`: a hash per device (`Keys::device`), a set of every device
//!   (`Keys::devices`) and a set per department (`Keys::department_devices`), all under the
//!   fleet's `{rtctl:NS}` hash tag (one Redis Cluster slot). Each node keeps a set of the
//!   devices connected to it (`Keys::online`), refreshed every heartbeat with the heartbeat's
//!   TTL, so any node answers for the whole fleet and a dead node's devices turn offline within
//!   `HEARTBEAT_TTL`.
//! - without Redis, with `--data-dir DIR`: [`DiskStore`], an append-only JSON-lines file
//!   `DIR/devices.jsonl` (records, and `{"removed": ID, "at": T}` lines for decommissioned
//!   devices), fsynced before the node answers (nothing acknowledged is lost, even
//!   to `kill -9` or a power cut), compacted at start and while running once it holds
//!   `COMPACT_RATIO` lines per device (one line per device, written to a temporary file,
//!   fsynced and renamed over the old one: a crash leaves the old file or the new one). Chosen over an embedded database
//!   (e.g. `redb`) because the registry is small (one ~400-byte record per device: 10,000
//!   devices are 4 MB, held in memory for reads), written rarely (an app start registers
//!   once), and a text file of JSON records can be read, grepped and repaired with ordinary
//!   tools; it adds no dependency. One node per data directory: the node holds an exclusive
//!   lock on `DIR/rtctl.lock` (which names it: node id, pid, start time) while it runs, and
//!   a second node started on the same directory exits with an error naming the holder.
//! - with neither: no registry; the endpoints answer 503 saying to start the node with
//!   `--data-dir` or `--redis`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::delivery::{device_room, DEVICE_ROOM};
use super::identity::check_id;
use super::redis_conn::Conn;
use crate::redis_schema::Keys;

/// Longest device id (`varchar(50)`).
pub const MAX_DEVICE_ID: usize = 50;
/// Longest device type (`varchar(20)`), e.g. `tablet-ios`.
pub const MAX_DEVICE_TYPE: usize = 20;
/// Longest device model (`varchar(100)`).
pub const MAX_DEVICE_MODEL: usize = 100;
/// Longest OS name (`varchar(50)`).
pub const MAX_OS: usize = 50;
/// Longest OS version (`varchar(20)`).
pub const MAX_OS_VERSION: usize = 20;
/// Longest department id (`varchar(20)`).
pub const MAX_DEPARTMENT_ID: usize = 20;
/// Longest app version (`varchar(50)`).
pub const MAX_APP_VERSION: usize = 50;
/// Longest recorded IP address (`varchar(39)`: a full IPv6 address).
pub const MAX_IP: usize = 39;

/// One registered device, as stored and as the API returns it (the entity's column names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRecord {
    pub device_id: String,
    pub device_type: String,
    pub device_model: String,
    pub os: String,
    pub os_version: String,
    /// The logged-in user (a UUID), if any.
    pub user_id: Option<String>,
    pub department_id: String,
    pub app_version: String,
    /// The client IP of the latest registration (the forwarded one only from a trusted gateway).
    pub last_ip_address: Option<String>,
    /// RFC 3339 UTC: the latest registration, or connect to a node.
    pub last_seen: String,
    /// RFC 3339 UTC: the first registration.
    pub registered_at: String,
}

/// A checked registration body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub device_id: String,
    pub device_type: String,
    pub device_model: String,
    pub os: String,
    pub os_version: String,
    /// The user to record; `None`: keep the stored one (unless `clear_user`).
    pub user_id: Option<String>,
    /// The body sent `userId: ""`: the device has no user any more (a logout).
    pub clear_user: bool,
    pub department_id: String,
    pub app_version: String,
}

/// A refused registration: the field (entity name) and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

fn field_error(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

/// `8-4-4-4-12` hexadecimal digits (any case).
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The body of `POST /api/v1/devices/register`: a JSON object with the guide client's names
/// (`id, type, model, os, osVersion, appVersion, departmentId`, optional `userId`;
/// `lastRegistered` is accepted and ignored: the node's clock is the record's) or the entity's
/// (`device_id, device_type, device_model, os, os_version, user_id, department_id,
/// app_version`). Unknown fields are ignored. Errors name the entity field.
pub fn parse_registration(body: &Value) -> Result<Registration, FieldError> {
    let obj = body.as_object().ok_or_else(|| {
        field_error(
            "body",
            "expected a JSON object with id, type, model, os, osVersion, appVersion, departmentId",
        )
    })?;
    // (entity name, client name, limit)
    let get = |field: &'static str, alias: &str| -> Result<Option<String>, FieldError> {
        let mut found: Option<(&str, &str)> = None;
        for name in [field, alias] {
            match obj.get(name) {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) => {
                    if let Some((other, prev)) = found {
                        if prev != s {
                            return Err(field_error(
                                field,
                                format!("{other} is {prev:?} but {name} is {s:?}: send one"),
                            ));
                        }
                    }
                    found = Some((name, s));
                }
                Some(other) => {
                    let kind = match other {
                        Value::Bool(_) => "a boolean",
                        Value::Number(_) => "a number",
                        Value::Array(_) => "an array",
                        _ => "an object",
                    };
                    return Err(field_error(
                        field,
                        format!("{name} must be a string, got {kind}"),
                    ));
                }
            }
        }
        Ok(found.map(|(_, s)| s.to_string()))
    };
    let text = |field: &'static str, alias: &str, max: usize| -> Result<String, FieldError> {
        let v = get(field, alias)?
            .ok_or_else(|| field_error(field, format!("missing {field} (or {alias})")))?;
        check_text(field, &v, max)?;
        Ok(v)
    };
    let device_id = text("device_id", "id", MAX_DEVICE_ID)?;
    check_id("device_id", &device_id).map_err(|m| field_error("device_id", m))?;
    let device_type = text("device_type", "type", MAX_DEVICE_TYPE)?;
    let device_model = text("device_model", "model", MAX_DEVICE_MODEL)?;
    let os = text("os", "os", MAX_OS)?;
    let os_version = text("os_version", "osVersion", MAX_OS_VERSION)?;
    let department_id = text("department_id", "departmentId", MAX_DEPARTMENT_ID)?;
    check_id("department_id", &department_id).map_err(|m| field_error("department_id", m))?;
    let app_version = text("app_version", "appVersion", MAX_APP_VERSION)?;
    let (user_id, clear_user) = match get("user_id", "userId")? {
        None => (None, false),
        Some(u) if u.is_empty() => (None, true),
        Some(u) => {
            check_user(&u)?;
            (Some(u.to_ascii_lowercase()), false)
        }
    };
    Ok(Registration {
        device_id,
        device_type,
        device_model,
        os,
        os_version,
        user_id,
        clear_user,
        department_id,
        app_version,
    })
}

/// A user id must be a UUID (`uuid` column).
pub fn check_user(u: &str) -> Result<(), FieldError> {
    if is_uuid(u) {
        Ok(())
    } else {
        let shown: String = u.chars().take(64).collect();
        Err(field_error(
            "user_id",
            format!("expected a UUID (8-4-4-4-12 hex digits), got {shown:?}"),
        ))
    }
}

fn check_text(field: &'static str, v: &str, max: usize) -> Result<(), FieldError> {
    let n = v.chars().count();
    if n == 0 || n > max {
        return Err(field_error(
            field,
            format!("expected 1 to {max} characters, got {n}"),
        ));
    }
    if let Some(c) = v.chars().find(|c| c.is_control()) {
        return Err(field_error(
            field,
            format!("contains the control character {c:?}"),
        ));
    }
    Ok(())
}

/// The upsert: the new registration over the old record. Required fields are replaced;
/// `registered_at` stays the first one; `user_id` absent (or `null`) keeps the stored user,
/// `""` clears it, a UUID replaces it; `last_ip_address` is kept when the request gives none.
pub fn merge(
    old: Option<&DeviceRecord>,
    reg: Registration,
    ip: Option<std::net::IpAddr>,
    now_ms: u64,
) -> DeviceRecord {
    let now = rfc3339(now_ms);
    DeviceRecord {
        device_id: reg.device_id,
        device_type: reg.device_type,
        device_model: reg.device_model,
        os: reg.os,
        os_version: reg.os_version,
        user_id: match (reg.user_id, reg.clear_user) {
            (Some(u), _) => Some(u),
            (None, true) => None,
            (None, false) => old.and_then(|o| o.user_id.clone()),
        },
        department_id: reg.department_id,
        app_version: reg.app_version,
        last_ip_address: ip
            .map(|ip| ip.to_canonical().to_string())
            .filter(|s| s.len() <= MAX_IP)
            .or_else(|| old.and_then(|o| o.last_ip_address.clone())),
        registered_at: old.map_or_else(|| now.clone(), |o| o.registered_at.clone()),
        last_seen: now,
    }
}

/// Unix milliseconds as RFC 3339 UTC with milliseconds (`2026-12-04T21:43:22.123Z`).
pub fn rfc3339(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms % 1000
    )
}

/// The filter of `GET /api/v1/devices`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub department: Option<String>,
    pub online: Option<bool>,
}

/// A record with where it is connected now (`GET` answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    #[serde(flatten)]
    pub record: DeviceRecord,
    pub online: bool,
    /// The node it is connected to (the first, by id, when it is on several).
    pub node: Option<String>,
    /// Every node it is connected to (a device with two tabs, or a stale connection, is on two).
    pub nodes: Vec<String>,
}

/// Records joined with the fleet's connections, filtered, sorted by device id.
pub fn views(
    records: Vec<DeviceRecord>,
    online: &HashMap<String, BTreeSet<String>>,
    filter: &Filter,
) -> Vec<DeviceView> {
    let mut v: Vec<DeviceView> = records
        .into_iter()
        .filter(|r| {
            filter
                .department
                .as_ref()
                .is_none_or(|d| &r.department_id == d)
        })
        .map(|record| {
            let nodes: Vec<String> = online
                .get(&record.device_id)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default();
            DeviceView {
                online: !nodes.is_empty(),
                node: nodes.first().cloned(),
                nodes,
                record,
            }
        })
        .filter(|v| filter.online.is_none_or(|o| v.online == o))
        .collect();
    v.sort_by(|a, b| a.record.device_id.cmp(&b.record.device_id));
    v
}

/// A failed read or write of the registry.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("device registry: redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("device registry: {path}: {message}")]
    Disk { path: PathBuf, message: String },
    #[error("device registry: stored record of {device:?} is unreadable: {message}")]
    Corrupt { device: String, message: String },
    #[error("device registry: {dir}: already in use by another node ({holder}): two nodes cannot share one --data-dir; give each node its own directory, or share a registry with --redis", dir = dir.display())]
    Locked { dir: PathBuf, holder: String },
}

/// The lock file in the data directory, held (exclusively) while the node runs.
pub const LOCK_FILE: &str = "rtctl.lock";

/// Take the exclusive lock on `DIR/rtctl.lock` and write who holds it (`node=ID pid=N
/// started=T`); the lock goes with the returned file (and with the process). Another holder:
/// [`RegistryError::Locked`] with what it wrote.
fn lock_dir(dir: &Path, node_id: &str, now_ms: u64) -> Result<File, RegistryError> {
    let path = dir.join(LOCK_FILE);
    let err = |message: String| RegistryError::Disk {
        path: path.clone(),
        message,
    };
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| err(format!("cannot open the lock file: {e}")))?;
    match f.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut f, &mut text);
            let text = text.trim();
            return Err(RegistryError::Locked {
                dir: dir.to_path_buf(),
                holder: if text.is_empty() {
                    "holder unknown".to_string()
                } else {
                    text.chars().take(200).collect()
                },
            });
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(err(format!("cannot lock: {e}")));
        }
    }
    let holder = format!(
        "node={node_id} pid={} started={}\n",
        std::process::id(),
        rfc3339(now_ms)
    );
    f.set_len(0)
        .and_then(|()| f.write_all(holder.as_bytes()))
        .and_then(|()| f.sync_data())
        .map_err(|e| err(format!("cannot write: {e}")))?;
    Ok(f)
}

/// The embedded store: `DIR/devices.jsonl`, one JSON record per line, the last line of a
/// device wins.
pub struct DiskStore {
    path: PathBuf,
    inner: Mutex<DiskInner>,
    /// [`COMPACT_MIN_LINES`] (smaller in tests).
    compact_min_lines: usize,
    /// The exclusive lock on `DIR/rtctl.lock`, released when the store is dropped.
    _lock: File,
}

struct DiskInner {
    records: BTreeMap<String, DeviceRecord>,
    file: File,
    /// Lines in the file (compaction leaves one per device).
    lines: usize,
}

/// The file is compacted while the node runs once it has this many lines per device...
pub const COMPACT_RATIO: usize = 4;
/// ... and at least this many lines.
pub const COMPACT_MIN_LINES: usize = 10_000;

/// One line per device, written to a temporary file, fsynced, renamed over `path` (and the
/// directory fsynced): a crash at any point leaves the old file or the new one. Returns the
/// new file opened for appending.
fn compact(
    dir: &Path,
    path: &Path,
    records: &BTreeMap<String, DeviceRecord>,
) -> Result<File, String> {
    let tmp = dir.join("devices.jsonl.tmp");
    let e = |e: std::io::Error| format!("compaction: {e}");
    {
        let mut f = std::io::BufWriter::new(File::create(&tmp).map_err(e)?);
        for r in records.values() {
            serde_json::to_writer(&mut f, r).expect("record serializes");
            f.write_all(b"\n").map_err(e)?;
        }
        let f = f.into_inner().map_err(|x| e(x.into_error()))?;
        f.sync_all().map_err(e)?;
    }
    std::fs::rename(&tmp, path).map_err(e)?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open for appending: {e}"))
}

/// One line of `devices.jsonl`.
enum Line {
    Record(Box<DeviceRecord>),
    /// `{"removed": ID, "at": T}`: the device was decommissioned (`DELETE`).
    Removed(String),
}

fn parse_line(line: &str) -> Result<Line, serde_json::Error> {
    let v: Value = serde_json::from_str(line)?;
    if let (Some(Value::String(id)), None) = (v.get("removed"), v.get("device_id")) {
        return Ok(Line::Removed(id.clone()));
    }
    serde_json::from_value(v).map(|r| Line::Record(Box::new(r)))
}

impl DiskStore {
    /// Open (creating `dir` if needed), read and compact. A torn last line (a write that was
    /// never acknowledged) is dropped with a warning; any other unreadable line is an error
    /// naming the file and line. `node_id` is written into the lock file, for the error a
    /// second node gets.
    pub fn open(dir: &Path, node_id: &str) -> Result<DiskStore, RegistryError> {
        let path = dir.join("devices.jsonl");
        let err = |message: String| RegistryError::Disk {
            path: path.clone(),
            message,
        };
        std::fs::create_dir_all(dir).map_err(|e| RegistryError::Disk {
            path: dir.to_path_buf(),
            message: format!("cannot create the data directory: {e}"),
        })?;
        let lock = lock_dir(dir, node_id, super::now_ms())?;
        let mut records = BTreeMap::new();
        match File::open(&path) {
            Ok(f) => {
                let lines: Vec<String> = BufReader::new(f)
                    .split(b'\n')
                    .map(|l| l.map(|b| String::from_utf8_lossy(&b).into_owned()))
                    .collect::<Result<_, _>>()
                    .map_err(|e| err(format!("cannot read: {e}")))?;
                let n = lines.len();
                for (i, line) in lines.iter().enumerate() {
                    if line.trim().is_empty() {
                        continue;
                    }
                    match parse_line(line) {
                        Ok(Line::Record(r)) => {
                            records.insert(r.device_id.clone(), *r);
                        }
                        Ok(Line::Removed(id)) => {
                            records.remove(&id);
                        }
                        Err(e) if i + 1 == n => {
                            tracing::warn!(path = %path.display(), line = i + 1, cause = %e, "torn last line dropped (a registration that was never acknowledged)");
                        }
                        Err(e) => {
                            return Err(err(format!(
                                "line {}: not a device record: {e} (fix or remove the line)",
                                i + 1
                            )))
                        }
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(err(format!("cannot open: {e}"))),
        }
        let file = compact(dir, &path, &records).map_err(err)?;
        tracing::info!(path = %path.display(), devices = records.len(), "device registry opened");
        Ok(DiskStore {
            path,
            inner: Mutex::new(DiskInner {
                lines: records.len(),
                records,
                file,
            }),
            compact_min_lines: COMPACT_MIN_LINES,
            _lock: lock,
        })
    }

    /// Rewrite the file once it holds more than [`COMPACT_RATIO`] lines per device (and at
    /// least [`COMPACT_MIN_LINES`]): registrations and connects only append.
    fn maybe_compact(&self, inner: &mut DiskInner) -> Result<(), RegistryError> {
        if inner.lines < self.compact_min_lines || inner.lines < COMPACT_RATIO * inner.records.len()
        {
            return Ok(());
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        inner.file =
            compact(dir, &self.path, &inner.records).map_err(|message| RegistryError::Disk {
                path: self.path.clone(),
                message,
            })?;
        inner.lines = inner.records.len();
        Ok(())
    }

    fn append(&self, inner: &mut DiskInner, recs: &[DeviceRecord]) -> Result<(), RegistryError> {
        let mut buf = String::new();
        for r in recs {
            buf.push_str(&serde_json::to_string(r).expect("record serializes"));
            buf.push('\n');
        }
        self.write_lines(inner, &buf, recs.len())
    }

    /// Append `lines` whole lines and fsync them.
    fn write_lines(
        &self,
        inner: &mut DiskInner,
        buf: &str,
        lines: usize,
    ) -> Result<(), RegistryError> {
        inner
            .file
            .write_all(buf.as_bytes())
            .and_then(|()| inner.file.sync_data())
            .map_err(|e| RegistryError::Disk {
                path: self.path.clone(),
                message: format!("cannot write: {e}"),
            })?;
        inner.lines += lines;
        Ok(())
    }

    /// Upsert, on disk (fsynced) before it returns. `(record, created)`.
    pub fn upsert(
        &self,
        reg: Registration,
        ip: Option<std::net::IpAddr>,
        now_ms: u64,
    ) -> Result<(DeviceRecord, bool), RegistryError> {
        let mut inner = self.inner.lock().expect("registry lock");
        let old = inner.records.get(&reg.device_id);
        let created = old.is_none();
        let rec = merge(old, reg, ip, now_ms);
        self.append(&mut inner, std::slice::from_ref(&rec))?;
        inner.records.insert(rec.device_id.clone(), rec.clone());
        if let Err(e) = self.maybe_compact(&mut inner) {
            // Acknowledged already (fsynced); the next append or start compacts again.
            tracing::warn!(cause = %e, "device registry not compacted");
        }
        Ok((rec, created))
    }

    /// Decommission: the record is gone (a `removed` line, fsynced, before it returns; the
    /// next compaction drops both). `None`: no such device (nothing written).
    pub fn remove(&self, id: &str, now_ms: u64) -> Result<Option<DeviceRecord>, RegistryError> {
        let mut inner = self.inner.lock().expect("registry lock");
        let Some(old) = inner.records.get(id).cloned() else {
            return Ok(None);
        };
        let line = serde_json::json!({"removed": id, "at": rfc3339(now_ms)}).to_string() + "\n";
        self.write_lines(&mut inner, &line, 1)?;
        inner.records.remove(id);
        if let Err(e) = self.maybe_compact(&mut inner) {
            tracing::warn!(cause = %e, "device registry not compacted");
        }
        Ok(Some(old))
    }

    pub fn get(&self, id: &str) -> Option<DeviceRecord> {
        self.inner
            .lock()
            .expect("registry lock")
            .records
            .get(id)
            .cloned()
    }

    pub fn all(&self) -> Vec<DeviceRecord> {
        self.inner
            .lock()
            .expect("registry lock")
            .records
            .values()
            .cloned()
            .collect()
    }

    /// `last_seen` of these registered devices becomes `now_ms` (unregistered ones are skipped).
    pub fn touch(&self, ids: &[String], now_ms: u64) -> Result<(), RegistryError> {
        let mut inner = self.inner.lock().expect("registry lock");
        let now = rfc3339(now_ms);
        let recs: Vec<DeviceRecord> = ids
            .iter()
            .filter_map(|id| inner.records.get(id))
            .map(|r| DeviceRecord {
                last_seen: now.clone(),
                ..r.clone()
            })
            .collect();
        if recs.is_empty() {
            return Ok(());
        }
        self.append(&mut inner, &recs)?;
        for r in recs {
            inner.records.insert(r.device_id.clone(), r);
        }
        if let Err(e) = self.maybe_compact(&mut inner) {
            tracing::warn!(cause = %e, "device registry not compacted");
        }
        Ok(())
    }
}

/// Where the registry lives.
pub enum Registry {
    Disk(Arc<DiskStore>),
    Redis { con: Conn, keys: Keys },
}

const FIELDS: [&str; 11] = [
    "device_id",
    "device_type",
    "device_model",
    "os",
    "os_version",
    "user_id",
    "department_id",
    "app_version",
    "last_ip_address",
    "last_seen",
    "registered_at",
];

fn from_hash(id: &str, h: HashMap<String, String>) -> Result<DeviceRecord, RegistryError> {
    let corrupt = |m: String| RegistryError::Corrupt {
        device: id.to_string(),
        message: m,
    };
    let take = |k: &str| h.get(k).cloned();
    let req = |k: &str| take(k).ok_or_else(|| corrupt(format!("missing field {k}")));
    Ok(DeviceRecord {
        device_id: req("device_id")?,
        device_type: req("device_type")?,
        device_model: req("device_model")?,
        os: req("os")?,
        os_version: req("os_version")?,
        department_id: req("department_id")?,
        app_version: req("app_version")?,
        last_seen: req("last_seen")?,
        registered_at: req("registered_at")?,
        user_id: take("user_id"),
        last_ip_address: take("last_ip_address"),
    })
}

fn to_pairs(r: &DeviceRecord) -> Vec<(&'static str, String)> {
    let v = serde_json::to_value(r).expect("record serializes");
    FIELDS
        .iter()
        .filter_map(|f| {
            v.get(*f)
                .and_then(Value::as_str)
                .map(|s| (*f, s.to_string()))
        })
        .collect()
}

impl Registry {
    fn blocking<T: Send + 'static>(
        store: &Arc<DiskStore>,
        f: impl FnOnce(&DiskStore) -> T + Send + 'static,
    ) -> impl std::future::Future<Output = T> {
        let s = store.clone();
        async move {
            tokio::task::spawn_blocking(move || f(&s))
                .await
                .expect("registry task")
        }
    }

    /// Upsert one registration: `(record, created)`.
    pub async fn upsert(
        &self,
        reg: Registration,
        ip: Option<std::net::IpAddr>,
        now_ms: u64,
    ) -> Result<(DeviceRecord, bool), RegistryError> {
        match self {
            Registry::Disk(s) => Self::blocking(s, move |s| s.upsert(reg, ip, now_ms)).await,
            Registry::Redis { con, keys } => {
                let mut con = con.clone();
                let old = self.get(&reg.device_id).await?;
                let mut rec = merge(old.as_ref(), reg, ip, now_ms);
                let key = keys.device(&rec.device_id);
                // A plain pipeline (each command atomic, all keys in one slot): it also runs on
                // a Cluster. Two first registrations racing on two nodes: HSETNX keeps the
                // first `registered_at`, and only its writer answers 201.
                let mut p = redis::pipe();
                p.cmd("HSETNX")
                    .arg(&key)
                    .arg("registered_at")
                    .arg(&rec.registered_at);
                p.cmd("HSET").arg(&key);
                for (f, v) in to_pairs(&rec)
                    .into_iter()
                    .filter(|(f, _)| *f != "registered_at")
                {
                    p.arg(f).arg(v);
                }
                p.ignore();
                if rec.user_id.is_none() {
                    p.cmd("HDEL").arg(&key).arg("user_id").ignore();
                }
                if let Some(o) = old.filter(|o| o.department_id != rec.department_id) {
                    p.cmd("SREM")
                        .arg(keys.department_devices(&o.department_id))
                        .arg(&rec.device_id)
                        .ignore();
                }
                p.cmd("SADD")
                    .arg(keys.devices())
                    .arg(&rec.device_id)
                    .ignore()
                    .cmd("SADD")
                    .arg(keys.department_devices(&rec.department_id))
                    .arg(&rec.device_id)
                    .ignore();
                p.cmd("HGET").arg(&key).arg("registered_at");
                let (created, first): (bool, String) = p.query_async(&mut con).await?;
                rec.registered_at = first;
                Ok((rec, created))
            }
        }
    }

    pub async fn get(&self, id: &str) -> Result<Option<DeviceRecord>, RegistryError> {
        match self {
            Registry::Disk(s) => {
                let id = id.to_string();
                Ok(Self::blocking(s, move |s| s.get(&id)).await)
            }
            Registry::Redis { con, keys } => {
                let mut con = con.clone();
                let h: HashMap<String, String> = redis::cmd("HGETALL")
                    .arg(keys.device(id))
                    .query_async(&mut con)
                    .await?;
                if h.is_empty() {
                    return Ok(None);
                }
                from_hash(id, h).map(Some)
            }
        }
    }

    /// Decommission a device: its record, and its place in the department index, are gone.
    /// `None`: it was not registered. A device still connected stays connected (a later
    /// registration records it again).
    pub async fn remove(
        &self,
        id: &str,
        now_ms: u64,
    ) -> Result<Option<DeviceRecord>, RegistryError> {
        match self {
            Registry::Disk(s) => {
                let id = id.to_string();
                Self::blocking(s, move |s| s.remove(&id, now_ms)).await
            }
            Registry::Redis { con, keys } => {
                let Some(old) = self.get(id).await? else {
                    return Ok(None);
                };
                let mut con = con.clone();
                // One slot ({rtctl:NS}): MULTI/EXEC also runs on a Cluster. The department
                // is the one read just before: a registration racing with this removal that
                // moves the device can leave its id in the new department's set, where reads
                // skip it (no record) until it registers again.
                let mut p = redis::pipe();
                p.atomic()
                    .cmd("DEL")
                    .arg(keys.device(id))
                    .cmd("SREM")
                    .arg(keys.devices())
                    .arg(id)
                    .ignore()
                    .cmd("SREM")
                    .arg(keys.department_devices(&old.department_id))
                    .arg(id)
                    .ignore();
                let (deleted,): (u64,) = p.query_async(&mut con).await?;
                Ok((deleted > 0).then_some(old))
            }
        }
    }

    /// Every record (of one department when given).
    pub async fn list(&self, department: Option<&str>) -> Result<Vec<DeviceRecord>, RegistryError> {
        match self {
            Registry::Disk(s) => Ok(Self::blocking(s, |s| s.all()).await),
            Registry::Redis { con, keys } => {
                let mut con = con.clone();
                let set = department.map_or_else(|| keys.devices(), |d| keys.department_devices(d));
                let ids: Vec<String> = redis::cmd("SMEMBERS")
                    .arg(set)
                    .query_async(&mut con)
                    .await?;
                let mut out = Vec::with_capacity(ids.len());
                for chunk in ids.chunks(500) {
                    let mut p = redis::pipe();
                    for id in chunk {
                        p.cmd("HGETALL").arg(keys.device(id));
                    }
                    let hs: Vec<HashMap<String, String>> = p.query_async(&mut con).await?;
                    for (id, h) in chunk.iter().zip(hs) {
                        if !h.is_empty() {
                            out.push(from_hash(id, h)?);
                        }
                    }
                }
                Ok(out)
            }
        }
    }

    /// `last_seen` of the registered devices among `ids` becomes `now_ms`.
    pub async fn touch(&self, ids: Vec<String>, now_ms: u64) -> Result<(), RegistryError> {
        if ids.is_empty() {
            return Ok(());
        }
        match self {
            Registry::Disk(s) => Self::blocking(s, move |s| s.touch(&ids, now_ms)).await,
            Registry::Redis { con, keys } => {
                let mut con = con.clone();
                let mut p = redis::pipe();
                for id in &ids {
                    p.cmd("EXISTS").arg(keys.device(id));
                }
                let exists: Vec<bool> = p.query_async(&mut con).await?;
                let registered: Vec<&String> = ids
                    .iter()
                    .zip(exists)
                    .filter_map(|(id, e)| e.then_some(id))
                    .collect();
                if registered.is_empty() {
                    // none of them registered (yet): an empty pipeline is an error in Redis
                    return Ok(());
                }
                let now = rfc3339(now_ms);
                let mut p = redis::pipe();
                for id in registered {
                    p.cmd("HSET")
                        .arg(keys.device(id))
                        .arg("last_seen")
                        .arg(&now)
                        .ignore();
                }
                p.query_async::<()>(&mut con).await?;
                Ok(())
            }
        }
    }
}

/// Which node each device of the fleet is connected to, from the nodes' online sets (nodes
/// whose heartbeat is younger than `HEARTBEAT_TTL`).
pub async fn fleet_online(
    con: &Conn,
    keys: &Keys,
    now_ms: u64,
) -> Result<HashMap<String, BTreeSet<String>>, redis::RedisError> {
    let mut con = con.clone();
    let since = now_ms.saturating_sub(crate::redis_schema::HEARTBEAT_TTL.as_millis() as u64);
    let nodes: Vec<String> = redis::cmd("ZRANGEBYSCORE")
        .arg(keys.nodes())
        .arg(since)
        .arg("+inf")
        .query_async(&mut con)
        .await?;
    let mut out: HashMap<String, BTreeSet<String>> = HashMap::new();
    if nodes.is_empty() {
        return Ok(out);
    }
    let mut p = redis::pipe();
    for n in &nodes {
        p.cmd("SMEMBERS").arg(keys.online(n));
    }
    let sets: Vec<Vec<String>> = p.query_async(&mut con).await?;
    for (node, devices) in nodes.into_iter().zip(sets) {
        for d in devices {
            out.entry(d).or_default().insert(node.clone());
        }
    }
    Ok(out)
}

/// The changes between two snapshots of the local devices: `(added, removed)`.
/// A device connected to this node, held as the name of its room (`device:<id>`): the string
/// is the room index's own, so the set of a node's devices that presence keeps from one
/// heartbeat to the next costs a reference count per device, not a copy of every id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDevice(Arc<str>);

impl LocalDevice {
    /// The device of room `room`, if it is a device room.
    pub fn from_room(room: Arc<str>) -> Option<LocalDevice> {
        room.starts_with(DEVICE_ROOM).then_some(LocalDevice(room))
    }

    /// The device `id` (a fresh string; for tests and callers without a room index).
    pub fn new(id: &str) -> LocalDevice {
        LocalDevice(device_room(id).into())
    }

    /// The device id.
    pub fn id(&self) -> &str {
        &self.0[DEVICE_ROOM.len()..]
    }
}

/// The devices connected to this node now.
pub type LocalDevices = Arc<dyn Fn() -> BTreeSet<LocalDevice> + Send + Sync>;

/// Devices connected since `before` and gone since, as ids.
pub fn diff(
    before: &BTreeSet<LocalDevice>,
    now: &BTreeSet<LocalDevice>,
) -> (Vec<String>, Vec<String>) {
    let ids = |d: &LocalDevice| d.id().to_string();
    (
        now.difference(before).map(ids).collect(),
        before.difference(now).map(ids).collect(),
    )
}

/// Every `every`: publish this node's connected devices to its online set in Redis (only the
/// changes; the whole set again after an error), refresh the set's TTL, and bring `last_seen`
/// of newly connected registered devices to now. At cancel the set is removed.
pub async fn presence(
    node_id: String,
    local: LocalDevices,
    registry: Option<Arc<Registry>>,
    redis: Option<(Conn, Keys)>,
    every: Duration,
    ttl: Duration,
    cancel: tokio_util::sync::CancellationToken,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // What the last tick saw. One copy of the node's device ids (not a second one for what is
    // published): after a successful publish the online set is exactly `seen`.
    let mut seen: BTreeSet<LocalDevice> = BTreeSet::new();
    let mut published = false;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = cancel.cancelled() => break,
        }
        let now = local();
        let (added, removed) = diff(&seen, &now);
        if let Some(reg) = &registry {
            if let Err(e) = reg.touch(added.clone(), super::now_ms()).await {
                tracing::warn!(cause = %e, "last_seen not updated");
            }
        }
        let Some((con, keys)) = &redis else {
            seen = now;
            continue;
        };
        let key = keys.online(&node_id);
        let mut p = redis::pipe();
        if published {
            if !added.is_empty() {
                p.cmd("SADD").arg(&key).arg(&added).ignore();
            }
            if !removed.is_empty() {
                p.cmd("SREM").arg(&key).arg(&removed).ignore();
            }
        } else {
            p.cmd("DEL").arg(&key).ignore();
            if !now.is_empty() {
                p.cmd("SADD")
                    .arg(&key)
                    .arg(now.iter().map(LocalDevice::id).collect::<Vec<_>>())
                    .ignore();
            }
        }
        drop((added, removed));
        p.cmd("PEXPIRE")
            .arg(&key)
            .arg(ttl.as_millis() as u64)
            .ignore();
        seen = now;
        let mut c = con.clone();
        match p.query_async::<()>(&mut c).await {
            Ok(()) => published = true,
            Err(e) => {
                published = false;
                tracing::warn!(cause = %e, "online devices not published");
            }
        }
    }
    if let Some((con, keys)) = &redis {
        let mut c = con.clone();
        let mut cmd = redis::cmd("DEL");
        cmd.arg(keys.online(&node_id));
        let del = cmd.query_async::<()>(&mut c);
        let _ = tokio::time::timeout(Duration::from_secs(1), del).await;
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn guide_body() -> Value {
        json!({
            "id": "tablet-ios_a1b2c3d4",
            "type": "tablet-ios",
            "model": "iPad13,1",
            "os": "iOS",
            "osVersion": "17.2",
            "appVersion": "2.4.1",
            "departmentId": "ER",
            "lastRegistered": "2026-12-04T21:00:00.000Z",
        })
    }

    #[test]
    fn the_guide_body_and_the_entity_names_both_parse() {
        let r = parse_registration(&guide_body()).unwrap();
        assert_eq!(r.device_id, "tablet-ios_a1b2c3d4");
        assert_eq!(r.os_version, "17.2");
        assert_eq!(r.user_id, None);
        let snake = json!({
            "device_id": "tablet-ios_a1b2c3d4", "device_type": "tablet-ios",
            "device_model": "iPad13,1", "os": "iOS", "os_version": "17.2",
            "app_version": "2.4.1", "department_id": "ER",
            "user_id": "3F2504E0-4F89-11D3-9A0C-0305E82C3301",
        });
        let s = parse_registration(&snake).unwrap();
        assert_eq!(
            s.user_id.as_deref(),
            Some("3f2504e0-4f89-11d3-9a0c-0305e82c3301")
        );
        assert_eq!(Registration { user_id: None, ..s }, r);
        let mut b = guide_body();
        b["userId"] = json!("");
        let c = parse_registration(&b).unwrap();
        assert_eq!((c.user_id, c.clear_user), (None, true));
        b["userId"] = Value::Null;
        let c = parse_registration(&b).unwrap();
        assert_eq!((c.user_id, c.clear_user), (None, false));
    }

    #[test]
    fn a_register_without_a_user_keeps_the_stored_one_and_an_empty_one_clears_it() {
        let user = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
        let mut with_user = guide_body();
        with_user["userId"] = json!(user);
        let first = merge(None, parse_registration(&with_user).unwrap(), None, 0);
        assert_eq!(first.user_id.as_deref(), Some(user));
        // absent, and null: kept
        let kept = merge(
            Some(&first),
            parse_registration(&guide_body()).unwrap(),
            None,
            1,
        );
        assert_eq!(kept.user_id.as_deref(), Some(user));
        let mut null = guide_body();
        null["userId"] = Value::Null;
        let kept = merge(Some(&kept), parse_registration(&null).unwrap(), None, 2);
        assert_eq!(kept.user_id.as_deref(), Some(user));
        // another user: replaced
        let other = "00000000-0000-4000-8000-000000000001";
        let mut b = guide_body();
        b["user_id"] = json!(other);
        let replaced = merge(Some(&kept), parse_registration(&b).unwrap(), None, 3);
        assert_eq!(replaced.user_id.as_deref(), Some(other));
        // "": cleared, and stays cleared
        let mut b = guide_body();
        b["userId"] = json!("");
        let cleared = merge(Some(&replaced), parse_registration(&b).unwrap(), None, 4);
        assert_eq!(cleared.user_id, None);
        let still = merge(
            Some(&cleared),
            parse_registration(&guide_body()).unwrap(),
            None,
            5,
        );
        assert_eq!(still.user_id, None);
        // the disk store applies the same merge
        let dir = tempfile::tempdir().unwrap();
        let s = DiskStore::open(dir.path(), "t").unwrap();
        s.upsert(parse_registration(&with_user).unwrap(), None, 0)
            .unwrap();
        let (r, created) = s
            .upsert(parse_registration(&guide_body()).unwrap(), None, 1)
            .unwrap();
        assert!(!created);
        assert_eq!(r.user_id.as_deref(), Some(user));
    }

    #[test]
    fn every_bad_field_is_named() {
        let long = |n: usize| Value::String("x".repeat(n));
        let cases: Vec<(&str, Value, &str, &str)> = vec![
            ("id", long(51), "device_id", "1 to 50"),
            ("id", json!("a b"), "device_id", "contains"),
            ("id", json!(7), "device_id", "must be a string"),
            ("type", long(21), "device_type", "1 to 20"),
            ("type", json!(""), "device_type", "1 to 20"),
            ("model", long(101), "device_model", "1 to 100"),
            ("os", long(51), "os", "1 to 50"),
            ("osVersion", long(21), "os_version", "1 to 20"),
            ("osVersion", json!("1\n2"), "os_version", "control"),
            ("departmentId", long(21), "department_id", "1 to 20"),
            ("departmentId", json!("a/b"), "department_id", "contains"),
            ("appVersion", long(51), "app_version", "1 to 50"),
            ("userId", json!("not-a-uuid"), "user_id", "UUID"),
            ("device_id", json!("other"), "device_id", "send one"),
        ];
        for (k, v, field, msg) in cases {
            let mut b = guide_body();
            b[k] = v.clone();
            let e = parse_registration(&b).unwrap_err();
            assert_eq!(e.field, field, "{k}={v}");
            assert!(e.message.contains(msg), "{k}={v}: {}", e.message);
        }
        let mut b = guide_body();
        b.as_object_mut().unwrap().remove("appVersion");
        let e = parse_registration(&b).unwrap_err();
        assert_eq!(
            (e.field, e.message.as_str()),
            ("app_version", "missing app_version (or appVersion)")
        );
        assert_eq!(parse_registration(&json!([1])).unwrap_err().field, "body");
        // limits count characters, as varchar does
        let mut b = guide_body();
        b["model"] = json!("é".repeat(100));
        assert!(parse_registration(&b).is_ok());
    }

    #[test]
    fn an_upsert_keeps_the_first_registration_time() {
        let reg = parse_registration(&guide_body()).unwrap();
        let ip: std::net::IpAddr = "::ffff:203.0.113.50".parse().unwrap();
        let first = merge(None, reg.clone(), Some(ip), 1_000);
        assert_eq!(first.registered_at, "1970-01-01T00:00:01.000Z");
        assert_eq!(first.last_seen, first.registered_at);
        assert_eq!(first.last_ip_address.as_deref(), Some("203.0.113.50"));
        let mut again = reg;
        again.app_version = "2.5.0".into();
        let second = merge(Some(&first), again, None, 86_400_000 + 1_234);
        assert_eq!(second.registered_at, first.registered_at);
        assert_eq!(second.last_seen, "1970-01-02T00:00:01.234Z");
        assert_eq!(second.app_version, "2.5.0");
        assert_eq!(second.last_ip_address, first.last_ip_address);
        let v6: std::net::IpAddr = "2001:db8:85a3:1234:5678:8a2e:370:7334".parse().unwrap();
        let third = merge(
            Some(&second),
            parse_registration(&guide_body()).unwrap(),
            Some(v6),
            0,
        );
        assert!(third.last_ip_address.unwrap().len() <= MAX_IP);
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339(1_796_420_602_005), "2026-12-04T21:43:22.005Z");
    }

    #[test]
    fn views_join_and_filter() {
        let reg = parse_registration(&guide_body()).unwrap();
        let a = merge(None, reg.clone(), None, 0);
        let b = merge(
            None,
            Registration {
                device_id: "pc-1".into(),
                department_id: "ICU".into(),
                ..reg
            },
            None,
            0,
        );
        let mut online = HashMap::new();
        online.insert(
            "pc-1".to_string(),
            BTreeSet::from(["n2".to_string(), "n1".to_string()]),
        );
        let all = views(vec![a.clone(), b.clone()], &online, &Filter::default());
        assert_eq!(all[0].record.device_id, "pc-1");
        assert_eq!(all[0].node.as_deref(), Some("n1"));
        assert_eq!(all[0].nodes, ["n1", "n2"]);
        assert!(!all[1].online);
        let f = Filter {
            online: Some(false),
            ..Default::default()
        };
        assert_eq!(views(vec![a.clone(), b.clone()], &online, &f).len(), 1);
        let f = Filter {
            department: Some("ICU".into()),
            online: Some(true),
        };
        assert_eq!(views(vec![a, b], &online, &f)[0].record.device_id, "pc-1");
        let j = serde_json::to_value(&all[0]).unwrap();
        assert_eq!(j["device_id"], "pc-1");
        assert_eq!(j["online"], true);
    }

    #[test]
    fn the_disk_store_survives_reopening_and_drops_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let s = DiskStore::open(dir.path(), "t").unwrap();
        let reg = parse_registration(&guide_body()).unwrap();
        let (r1, created) = s.upsert(reg.clone(), None, 1_000).unwrap();
        assert!(created);
        let (r2, created) = s.upsert(reg, None, 2_000).unwrap();
        assert!(!created);
        assert_eq!(r2.registered_at, r1.registered_at);
        s.touch(&["tablet-ios_a1b2c3d4".into(), "unknown".into()], 3_000)
            .unwrap();
        drop(s);
        let path = dir.path().join("devices.jsonl");
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"device_id\":\"torn").unwrap();
        drop(f);
        let s = DiskStore::open(dir.path(), "t").unwrap();
        let r = s.get("tablet-ios_a1b2c3d4").unwrap();
        assert_eq!(r.registered_at, r1.registered_at);
        assert_eq!(r.last_seen, rfc3339(3_000));
        assert_eq!(s.all().len(), 1);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap().lines().count(),
            1,
            "compacted"
        );
        drop(s);
        std::fs::write(&path, "garbage\n{}\n").unwrap();
        let e = DiskStore::open(dir.path(), "t").err().unwrap().to_string();
        assert!(e.contains("line 1"), "{e}");
    }

    #[test]
    fn the_disk_store_compacts_while_running() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = DiskStore::open(dir.path(), "t").unwrap();
        s.compact_min_lines = 50;
        let reg = parse_registration(&guide_body()).unwrap();
        for i in 0..55 {
            s.upsert(reg.clone(), None, i).unwrap();
        }
        let path = dir.path().join("devices.jsonl");
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        assert!(lines <= 6, "compacted while running: {lines} lines");
        drop(s);
        let s = DiskStore::open(dir.path(), "t").unwrap();
        let r = s.get("tablet-ios_a1b2c3d4").unwrap();
        assert_eq!(r.last_seen, rfc3339(54));
        assert_eq!(r.registered_at, rfc3339(0));
    }

    #[test]
    fn one_store_per_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let s = DiskStore::open(dir.path(), "n1").unwrap();
        let e = DiskStore::open(dir.path(), "n2").err().unwrap().to_string();
        assert!(
            e.contains(&dir.path().display().to_string())
                && e.contains("node=n1")
                && e.contains(&format!("pid={}", std::process::id()))
                && e.contains("--data-dir"),
            "{e}"
        );
        drop(s);
        let s = DiskStore::open(dir.path(), "n2").unwrap();
        drop(s);
        let held = std::fs::read_to_string(dir.path().join(LOCK_FILE)).unwrap();
        assert!(held.starts_with("node=n2 pid="), "{held}");
    }

    #[test]
    fn a_removed_device_stays_removed_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let s = DiskStore::open(dir.path(), "t").unwrap();
        let reg = parse_registration(&guide_body()).unwrap();
        s.upsert(reg.clone(), None, 0).unwrap();
        let other = Registration {
            device_id: "pc-1".into(),
            ..reg.clone()
        };
        s.upsert(other, None, 0).unwrap();
        let gone = s.remove("tablet-ios_a1b2c3d4", 1).unwrap().unwrap();
        assert_eq!(gone.device_id, "tablet-ios_a1b2c3d4");
        assert_eq!(s.remove("tablet-ios_a1b2c3d4", 2).unwrap(), None);
        assert_eq!(s.remove("never", 2).unwrap(), None);
        assert!(s.get("tablet-ios_a1b2c3d4").is_none());
        drop(s);
        let path = dir.path().join("devices.jsonl");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("\"removed\":\"tablet-ios_a1b2c3d4\""),
            "{text}"
        );
        // reading a file with the removed line (before any compaction)
        let mut lines: Vec<&str> = text.lines().collect();
        lines.insert(0, lines[0]);
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        let s = DiskStore::open(dir.path(), "t").unwrap();
        assert!(s.get("tablet-ios_a1b2c3d4").is_none());
        assert_eq!(s.all().len(), 1);
        // registering again makes a new record (a new registered_at)
        let (r, created) = s.upsert(reg, None, 5_000).unwrap();
        assert!(created);
        assert_eq!(r.registered_at, rfc3339(5_000));
    }

    #[test]
    fn diffs() {
        let a: BTreeSet<LocalDevice> = ["x", "y"].into_iter().map(LocalDevice::new).collect();
        let b: BTreeSet<LocalDevice> = ["y", "z"].into_iter().map(LocalDevice::new).collect();
        assert_eq!(diff(&a, &b), (vec!["z".to_string()], vec!["x".to_string()]));
        assert_eq!(LocalDevice::new("tablet-1").id(), "tablet-1");
        assert!(LocalDevice::from_room("department:x".into()).is_none());
        let d = LocalDevice::from_room("device:tablet-1".into()).expect("a device room");
        assert_eq!(d.id(), "tablet-1");
    }
}
