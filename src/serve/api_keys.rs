//! Named, revocable API keys with scopes (`rtctl serve --api-keys FILE`).
//!
//! The file is TOML, one `[[key]]` table per key:
//!
//! ```toml
//! [[key]]
//! name = "billing"            # 1–50 of [A-Za-z0-9._~-], unique; logged with each publish
//! secret = "…"                # what the client sends as `Authorization: Bearer …`
//! scope = "publish"           # publish: POST publishes and read; read: only read
//!
//! [[key]]
//! name = "status-dashboard"
//! sha256 = "9f86d0…"          # instead of `secret`: the SHA-256 (hex) of the secret
//! scope = "read"
//! ```
//!
//! Revoking a key is removing its entry: the node re-reads the file when it changes (its
//! modification time, size or inode, polled every second, or at once on SIGHUP). A file that
//! no longer parses or validates keeps the previous keys, and the error names the file, line
//! and field. Every key is kept as the SHA-256 of its secret, so a lookup compares 32-byte
//! digests in constant time, whatever the length of what the client sent.
//!
//! Pure parsing and lookup here; the watcher is the only I/O.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// `GET /metrics`, `GET /health`, the read endpoints (`GET /api/v1/devices…`).
    Read,
    /// Everything `read` may, `POST /api/v1/notifications` and `DELETE /api/v1/devices/{id}`.
    Publish,
}

impl Scope {
    /// Whether a key of this scope may do what `need` requires.
    pub fn allows(self, need: Scope) -> bool {
        self >= need
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Publish => "publish",
        }
    }
}

/// One key: its name, scope and the SHA-256 of its secret.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub name: Arc<str>,
    pub scope: Scope,
    digest: [u8; 32],
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKey({}, {})", self.name, self.scope.as_str())
    }
}

impl ApiKey {
    /// A key from its secret in clear.
    pub fn from_secret(name: &str, secret: &str, scope: Scope) -> ApiKey {
        ApiKey {
            name: name.into(),
            scope,
            digest: Sha256::digest(secret.as_bytes()).into(),
        }
    }
}

/// The name of the single `--api-key` key.
pub const DEFAULT_KEY_NAME: &str = "default";

/// A file error: where, which field, what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {field}: {message}")]
pub struct KeysFileError {
    /// 1-based.
    pub line: usize,
    /// `key[2].scope`, or `file` for a syntax error.
    pub field: String,
    pub message: String,
}

/// A parsed keys file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySet {
    pub keys: Vec<ApiKey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    key: Vec<toml::Spanned<RawKey>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    name: Option<toml::Spanned<String>>,
    secret: Option<toml::Spanned<String>>,
    sha256: Option<toml::Spanned<String>>,
    scope: Option<toml::Spanned<String>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Key names: 1–50 characters of `[A-Za-z0-9._~-]` (the device id rule).
fn check_name(name: &str) -> Result<(), String> {
    crate::device_id::check("name", name)
}

impl KeySet {
    /// Parse and validate a keys file. An empty file (no `[[key]]`) is valid: no key works.
    pub fn parse(text: &str) -> Result<KeySet, KeysFileError> {
        let file: File = toml::from_str(text).map_err(|e| KeysFileError {
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            field: "file".into(),
            message: e.message().trim().to_string(),
        })?;
        let mut keys: Vec<ApiKey> = Vec::with_capacity(file.key.len());
        for (i, entry) in file.key.iter().enumerate() {
            let at = |span: std::ops::Range<usize>, field: &str, message: String| KeysFileError {
                line: line_of(text, span.start),
                field: format!("key[{i}].{field}"),
                message,
            };
            let raw = entry.get_ref();
            let missing = |field: &str, what: &str| KeysFileError {
                line: line_of(text, entry.span().start),
                field: format!("key[{i}].{field}"),
                message: format!("missing: expected {what}"),
            };
            let name = raw
                .name
                .as_ref()
                .ok_or_else(|| missing("name", "a name (1–50 of [A-Za-z0-9._~-])"))?;
            check_name(name.get_ref()).map_err(|m| at(name.span(), "name", m))?;
            if let Some(first) = keys.iter().position(|k| &*k.name == name.get_ref()) {
                return Err(at(
                    name.span(),
                    "name",
                    format!(
                        "duplicate name {:?} (already key[{first}]): names must be unique",
                        name.get_ref()
                    ),
                ));
            }
            let scope = raw
                .scope
                .as_ref()
                .ok_or_else(|| missing("scope", "\"publish\" or \"read\""))?;
            let scope_v = match scope.get_ref().as_str() {
                "publish" => Scope::Publish,
                "read" => Scope::Read,
                other => {
                    return Err(at(
                        scope.span(),
                        "scope",
                        format!("unknown scope {other:?}: expected \"publish\" or \"read\""),
                    ))
                }
            };
            let digest = match (&raw.secret, &raw.sha256) {
                (Some(s), None) => {
                    let v = s.get_ref();
                    if v.is_empty() {
                        return Err(at(s.span(), "secret", "empty: a secret is required".into()));
                    }
                    if !v.bytes().all(|b| b.is_ascii_graphic()) {
                        return Err(at(
                            s.span(),
                            "secret",
                            "expected visible ASCII only (it is sent in an HTTP header)".into(),
                        ));
                    }
                    Sha256::digest(v.as_bytes()).into()
                }
                (None, Some(h)) => parse_hex32(h.get_ref()).ok_or_else(|| {
                    at(
                        h.span(),
                        "sha256",
                        format!(
                            "expected 64 hex digits (the SHA-256 of the secret), got {} characters",
                            h.get_ref().len()
                        ),
                    )
                })?,
                (Some(_), Some(h)) => {
                    return Err(at(
                        h.span(),
                        "sha256",
                        "give either secret or sha256, not both".into(),
                    ))
                }
                (None, None) => {
                    return Err(missing(
                        "secret",
                        "secret = \"…\" or sha256 = \"<64 hex digits>\"",
                    ))
                }
            };
            keys.push(ApiKey {
                name: name.get_ref().as_str().into(),
                scope: scope_v,
                digest,
            });
        }
        Ok(KeySet { keys })
    }

    /// The key whose secret is `given`. Every key is compared (in constant time), whichever
    /// matches.
    pub fn lookup(&self, given: &str) -> Option<&ApiKey> {
        let d: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        let mut found = None;
        for k in &self.keys {
            if constant_time_eq(&k.digest, &d) && found.is_none() {
                found = Some(k);
            }
        }
        found
    }

    /// Add the `--api-key` key (named `default`, scope publish); refused if the file has one
    /// of that name.
    fn with_default(mut self, default: Option<&ApiKey>) -> Result<KeySet, KeysFileError> {
        if let Some(d) = default {
            if self.keys.iter().any(|k| k.name == d.name) {
                return Err(KeysFileError {
                    line: 1,
                    field: "name".into(),
                    message: format!(
                        "{:?} is the name of the --api-key key; rename this key",
                        &*d.name
                    ),
                });
            }
            self.keys.push(d.clone());
        }
        Ok(self)
    }
}

fn parse_hex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Why a request was refused (the metric's `reason` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization: Bearer …` header: 401.
    Missing,
    /// A key no entry has (or had, before a revocation): 401.
    Unknown,
    /// A read key on a publish: 403.
    Scope,
}

impl Refusal {
    pub const ALL: [Refusal; 3] = [Refusal::Missing, Refusal::Unknown, Refusal::Scope];

    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Missing => "missing",
            Refusal::Unknown => "unknown",
            Refusal::Scope => "scope",
        }
    }
}

/// The node's live keys: swapped whole when the file changes.
pub struct ApiKeys {
    current: RwLock<Arc<KeySet>>,
    /// The file, when keys come from `--api-keys` (then reads need a key too).
    path: Option<PathBuf>,
    default: Option<ApiKey>,
    refused: [AtomicU64; 3],
    reloads: AtomicU64,
    reload_errors: AtomicU64,
}

impl std::fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ApiKeys({:?}, {} keys)",
            self.path,
            self.snapshot().keys.len()
        )
    }
}

impl ApiKeys {
    /// Only `--api-key`: one key named `default`, scope publish; reads stay open.
    pub fn single(secret: &str) -> ApiKeys {
        let k = ApiKey::from_secret(DEFAULT_KEY_NAME, secret, Scope::Publish);
        ApiKeys::new(KeySet { keys: vec![k] }, None, None)
    }

    /// From `--api-keys FILE` (already read), plus the `--api-key` key when given.
    pub fn from_file(
        path: &Path,
        text: &str,
        default_secret: Option<&str>,
    ) -> Result<ApiKeys, KeysFileError> {
        let default =
            default_secret.map(|s| ApiKey::from_secret(DEFAULT_KEY_NAME, s, Scope::Publish));
        let set = KeySet::parse(text)?.with_default(default.as_ref())?;
        Ok(ApiKeys::new(set, Some(path.to_path_buf()), default))
    }

    fn new(set: KeySet, path: Option<PathBuf>, default: Option<ApiKey>) -> ApiKeys {
        ApiKeys {
            current: RwLock::new(Arc::new(set)),
            path,
            default,
            refused: Default::default(),
            reloads: AtomicU64::new(0),
            reload_errors: AtomicU64::new(0),
        }
    }

    pub fn snapshot(&self) -> Arc<KeySet> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Whether `GET /metrics` and `GET /health` need a key: only with a keys file.
    pub fn guards_reads(&self) -> bool {
        self.path.is_some()
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Check a request's `Authorization` header for `need`: the key's name, or why not.
    pub fn check(&self, authorization: Option<&[u8]>, need: Scope) -> Result<Arc<str>, Refusal> {
        let r = self.check_inner(authorization, need);
        if let Err(why) = r {
            self.refused[why as usize].fetch_add(1, Relaxed);
        }
        r
    }

    fn check_inner(&self, authorization: Option<&[u8]>, need: Scope) -> Result<Arc<str>, Refusal> {
        let given = authorization
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| {
                let (scheme, rest) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            })
            .filter(|k| !k.is_empty())
            .ok_or(Refusal::Missing)?;
        let set = self.snapshot();
        let key = set.lookup(given).ok_or(Refusal::Unknown)?;
        if key.scope.allows(need) {
            Ok(key.name.clone())
        } else {
            Err(Refusal::Scope)
        }
    }

    /// Re-read the file: `Ok(number of keys)` after a swap, `Err` (logged by the caller) keeps
    /// the previous keys.
    pub fn reload(&self) -> Result<usize, String> {
        let Some(path) = &self.path else {
            return Ok(self.snapshot().keys.len());
        };
        let r = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))
            .and_then(|text| {
                KeySet::parse(&text)
                    .and_then(|s| s.with_default(self.default.as_ref()))
                    .map_err(|e| {
                        format!("{}:{}: {}: {}", path.display(), e.line, e.field, e.message)
                    })
            });
        match r {
            Ok(set) => {
                let n = set.keys.len();
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(set);
                self.reloads.fetch_add(1, Relaxed);
                Ok(n)
            }
            Err(m) => {
                self.reload_errors.fetch_add(1, Relaxed);
                Err(m)
            }
        }
    }

    /// Prometheus text: refusals by reason, keys by scope, reloads.
    pub fn render(&self, out: &mut String) {
        use std::fmt::Write as _;
        out.push_str("# HELP rtctl_api_key_refused_total Requests refused for their API key, by reason (missing, unknown: 401; scope: 403).\n# TYPE rtctl_api_key_refused_total counter\n");
        for r in Refusal::ALL {
            let _ = writeln!(
                out,
                "rtctl_api_key_refused_total{{reason=\"{}\"}} {}",
                r.as_str(),
                self.refused[r as usize].load(Relaxed)
            );
        }
        let set = self.snapshot();
        out.push_str(
            "# HELP rtctl_api_keys API keys in force, by scope.\n# TYPE rtctl_api_keys gauge\n",
        );
        for s in [Scope::Read, Scope::Publish] {
            let n = set.keys.iter().filter(|k| k.scope == s).count();
            let _ = writeln!(out, "rtctl_api_keys{{scope=\"{}\"}} {n}", s.as_str());
        }
        let _ = write!(
            out,
            "# HELP rtctl_api_keys_reloads_total Keys file re-reads, by result (an error keeps the previous keys).\n# TYPE rtctl_api_keys_reloads_total counter\nrtctl_api_keys_reloads_total{{result=\"ok\"}} {}\nrtctl_api_keys_reloads_total{{result=\"error\"}} {}\n",
            self.reloads.load(Relaxed),
            self.reload_errors.load(Relaxed)
        );
    }
}

/// How often the keys file is checked for a change.
pub const POLL_EVERY: Duration = Duration::from_secs(1);

fn stamp(path: &Path) -> Option<(SystemTime, u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len(), m.ino()))
}

/// Follow the keys file until `cancel`: re-read it when its modification time, size or inode
/// changes (checked every `POLL_EVERY`), and at once on SIGHUP.
pub async fn watch(keys: Arc<ApiKeys>, cancel: CancellationToken) {
    let Some(path) = keys.path().map(Path::to_path_buf) else {
        return;
    };
    let mut last = stamp(&path);
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    let mut tick = tokio::time::interval(POLL_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let forced = tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => false,
            Some(()) = async { match hup.as_mut() { Some(h) => h.recv().await, None => std::future::pending().await } } => true,
        };
        let now = stamp(&path);
        if !forced && now == last {
            continue;
        }
        last = now;
        match keys.reload() {
            Ok(n) => tracing::info!(file = %path.display(), keys = n, "API keys reloaded"),
            Err(m) => tracing::error!(
                file = %path.display(),
                "API keys file not reloaded, the previous keys stay in force: {m}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[[key]]
name = "billing"
secret = "billing-secret-1"
scope = "publish"

[[key]]
name = "dash"
sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
scope = "read"
"#;

    #[test]
    fn keys_parse_and_scopes_apply() {
        let set = KeySet::parse(FILE).unwrap();
        assert_eq!(set.keys.len(), 2);
        assert_eq!(&*set.lookup("billing-secret-1").unwrap().name, "billing");
        // sha256("test")
        let dash = set.lookup("test").unwrap();
        assert_eq!((&*dash.name, dash.scope), ("dash", Scope::Read));
        assert!(set.lookup("billing-secret-2").is_none());
        assert!(set.lookup("").is_none());
        assert!(Scope::Publish.allows(Scope::Read) && Scope::Publish.allows(Scope::Publish));
        assert!(Scope::Read.allows(Scope::Read) && !Scope::Read.allows(Scope::Publish));
        assert_eq!(KeySet::parse("").unwrap().keys.len(), 0);
    }

    #[test]
    fn checks_say_why_and_count_refusals() {
        let k = ApiKeys::from_file(Path::new("k.toml"), FILE, Some("legacy")).unwrap();
        let h = |s: &'static str| Some(s.as_bytes());
        assert_eq!(
            &*k.check(h("Bearer billing-secret-1"), Scope::Publish)
                .unwrap(),
            "billing"
        );
        assert_eq!(&*k.check(h("bearer  test"), Scope::Read).unwrap(), "dash");
        assert_eq!(
            &*k.check(h("Bearer legacy"), Scope::Publish).unwrap(),
            "default"
        );
        assert_eq!(
            k.check(h("Bearer test"), Scope::Publish),
            Err(Refusal::Scope)
        );
        assert_eq!(
            k.check(h("Bearer nope"), Scope::Read),
            Err(Refusal::Unknown)
        );
        assert_eq!(k.check(None, Scope::Read), Err(Refusal::Missing));
        assert_eq!(
            k.check(h("Basic dGVzdA=="), Scope::Read),
            Err(Refusal::Missing)
        );
        assert_eq!(k.check(h("Bearer "), Scope::Read), Err(Refusal::Missing));
        let mut text = String::new();
        k.render(&mut text);
        assert!(
            text.contains("rtctl_api_key_refused_total{reason=\"missing\"} 3"),
            "{text}"
        );
        assert!(text.contains("rtctl_api_key_refused_total{reason=\"unknown\"} 1"));
        assert!(text.contains("rtctl_api_key_refused_total{reason=\"scope\"} 1"));
        assert!(text.contains("rtctl_api_keys{scope=\"publish\"} 2"));
        assert!(k.guards_reads());
        assert!(!ApiKeys::single("x").guards_reads());
    }

    #[test]
    fn bad_files_name_the_line_and_field() {
        let cases = [
            (
                "[[key]]\nname = \"a\"\nsecret = \"s\"\nscope = \"publish\"\n[[key]]\nname = \"a\"\nsecret = \"t\"\nscope = \"read\"\n",
                6,
                "key[1].name",
                "duplicate name",
            ),
            ("[[key]]\nname = \"a\"\nsecret = \"\"\nscope = \"read\"\n", 3, "key[0].secret", "empty"),
            ("[[key]]\nname = \"a\"\nsecret = \"s\"\nscope = \"admin\"\n", 4, "key[0].scope", "unknown scope \"admin\""),
            ("[[key]]\nname = \"a\"\nscope = \"read\"\n", 1, "key[0].secret", "missing"),
            ("[[key]]\nname = \"a\"\nsha256 = \"abc\"\nscope = \"read\"\n", 3, "key[0].sha256", "64 hex digits"),
            ("[[key]]\nname = \"a b\"\nsecret = \"s\"\nscope = \"read\"\n", 2, "key[0].name", "name"),
            ("[[key]]\nname = \"a\"\nsecret = \"s\"\nscope = \"read\"\nrole = \"x\"\n", 5, "file", "unknown field"),
            ("[[key]\n", 1, "file", ""),
            ("[[key]]\nname = \"a\"\nsecret = \"s t\"\nscope = \"read\"\n", 3, "key[0].secret", "visible ASCII"),
        ];
        for (text, line, field, msg) in cases {
            let e = KeySet::parse(text).unwrap_err();
            assert_eq!((e.line, e.field.as_str()), (line, field), "{text}: {e}");
            assert!(e.message.contains(msg), "{text}: {e}");
        }
        let e = ApiKeys::from_file(
            Path::new("k"),
            "[[key]]\nname = \"default\"\nsecret = \"s\"\nscope = \"read\"\n",
            Some("x"),
        )
        .unwrap_err();
        assert!(e.message.contains("--api-key"), "{e}");
    }

    #[test]
    fn a_reload_swaps_or_keeps_the_previous_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.toml");
        std::fs::write(&path, FILE).unwrap();
        let k = ApiKeys::from_file(&path, FILE, None).unwrap();
        std::fs::write(
            &path,
            "[[key]]\nname = \"dash\"\nsecret = \"new\"\nscope = \"read\"\n",
        )
        .unwrap();
        assert_eq!(k.reload(), Ok(1));
        assert_eq!(
            k.check(Some(b"Bearer billing-secret-1"), Scope::Read),
            Err(Refusal::Unknown)
        );
        std::fs::write(&path, "[[key]]\nname = \"x\"\nscope = \"read\"\n").unwrap();
        let e = k.reload().unwrap_err();
        assert!(e.contains("keys.toml:1: key[0].secret: missing"), "{e}");
        assert_eq!(&*k.check(Some(b"Bearer new"), Scope::Read).unwrap(), "dash");
    }
}
