//! Errors and the one place that maps them to documented exit codes.
//!
//! | code | meaning |
//! |-----:|---------|
//! | 0 | success |
//! | 1 | internal error (a bug in rtctl) |
//! | 2 | usage error (bad flags; printed by clap) |
//! | 3 | bad input: a fleet file, keys file or flag value that is invalid |
//! | 4 | a service (Redis, a node) could not be reached |
//! | 5 | an output could not be written (disk full, closed pipe, permissions) |
//! | 6 | `status`: the fleet is degraded (a node gone, missing, stale, draining, unexpected or not ready) |
//! | 7 | `publish`, `devices`: the node refused the request (HTTP 4xx: bad request, unauthorized, too large, unknown device) |
//! | 8 | `publish`, `devices`: the node failed (HTTP 5xx, e.g. 503 when the log or the registry is unavailable) |

use std::path::PathBuf;
use std::process::ExitCode;

use crate::gateway::GatewayError;

/// Exit codes, documented in README.md and in `rtctl --help`.
pub mod code {
    pub const OK: u8 = 0;
    pub const INTERNAL: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const BAD_INPUT: u8 = 3;
    pub const UNREACHABLE: u8 = 4;
    pub const OUTPUT: u8 = 5;
    pub const DEGRADED: u8 = 6;
    pub const REJECTED: u8 = 7;
    pub const SERVER_ERROR: u8 = 8;
}

/// Every error rtctl reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("{path}: cannot read: {source}")]
    ReadFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A fleet file (or other TOML input) does not parse or validate.
    #[error("{path}{}: {message}", location.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
    Fleet {
        path: PathBuf,
        /// 1-based line and column, when the parser knows them.
        location: Option<(usize, usize)>,
        message: String,
    },
    /// A flag or combination of flags has an invalid value.
    #[error("{flag}: {message}")]
    BadFlag { flag: String, message: String },
    /// A keys / device-id file has an invalid line.
    #[error("{path}:{line}: {message}")]
    BadLine {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// The gateway model refuses the configuration.
    #[error("{context}: {source}")]
    Gateway {
        context: String,
        #[source]
        source: GatewayError,
    },
    /// A service could not be reached.
    #[error("{service} at {addr}: unreachable: {message}")]
    Unreachable {
        service: &'static str,
        addr: String,
        message: String,
    },
    /// Writing results failed.
    #[error("cannot write {target}: {source}")]
    Output {
        target: String,
        #[source]
        source: std::io::Error,
    },
    /// `status`: reachable, but not healthy (the report was printed).
    #[error("fleet degraded: {0}")]
    Degraded(String),
    /// An HTTP request was refused (4xx).
    #[error("{url}: HTTP {status}: {message}")]
    Rejected {
        url: String,
        status: u16,
        message: String,
    },
    /// An HTTP request failed on the server (5xx).
    #[error("{url}: HTTP {status}: {message}")]
    ServerError {
        url: String,
        status: u16,
        message: String,
    },
    /// A bug: something that should not happen.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The documented exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::ReadFile { .. }
            | Error::Fleet { .. }
            | Error::BadFlag { .. }
            | Error::BadLine { .. }
            | Error::Gateway { .. } => code::BAD_INPUT,
            Error::Unreachable { .. } => code::UNREACHABLE,
            Error::Output { .. } => code::OUTPUT,
            Error::Degraded(_) => code::DEGRADED,
            Error::Rejected { .. } => code::REJECTED,
            Error::ServerError { .. } => code::SERVER_ERROR,
            Error::Internal(_) => code::INTERNAL,
        }
    }

    /// Shorthand for a bad flag value.
    pub fn flag(flag: impl Into<String>, message: impl Into<String>) -> Self {
        Error::BadFlag {
            flag: flag.into(),
            message: message.into(),
        }
    }

    /// Shorthand for a failed write to stdout.
    pub fn stdout(source: std::io::Error) -> Self {
        Error::Output {
            target: "stdout".into(),
            source,
        }
    }

    /// `ExitCode` for `main`.
    pub fn to_exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit_code())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
