//! The Socket.IO engine (Engine.IO v4 / Socket.IO v5), written to become a crate of its own.
