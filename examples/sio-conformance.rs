//! The engine set up the way the official Engine.IO and Socket.IO protocol
//! test suites expect (socketio/engine.io-protocol and
//! socketio/socket.io-protocol `test-suite/`).
//!
//! ```text
//! cargo run --example sio-conformance -- --port 3000
//! ```
//!
//! - `/engine.io/`: a bare Engine.IO endpoint echoing every text or binary
//!   message to the same session.
//! - `/socket.io/`: Socket.IO with namespaces `/` and `/custom` (any other is
//!   refused with `44<ns>,{"message":"Invalid namespace"}`), no identity
//!   check, no connection state recovery (the CONNECT reply is `{"sid":…}`).
//!   After each CONNECT the server emits `auth` with the CONNECT payload
//!   (`{}` when there is none); `message` is answered with `message-back` and
//!   the same arguments, `message-with-ack` is acknowledged with the same
//!   arguments, and `emit-with-ack` is sent back with an ack request whose
//!   answer is emitted as `emit-with-ack` (binary attachments included
//!   everywhere; JSON is echoed byte for byte).
//! - ping interval 300 ms, ping timeout 200 ms, max payload 1,000,000 bytes,
//!   connect timeout 1 s.
//!
//! Flags: `--port P` (default 3000), `--host H` (default 127.0.0.1).
//! This file is also compiled into the integration tests (`engine_support`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rtctl::engine::eio::Frame;
use rtctl::engine::sio::{self, EventBuilder};
use rtctl::engine::{
    route, serve, AckSender, Body, CloseReason, Config, ConnectError, ConnectRequest, EioHandler,
    EioServer, Handler, HandshakeRequest, Message, Rejection, Session, Socket, SocketIo,
};
use serde_json::value::RawValue;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The bare Engine.IO echo handler of `/engine.io/`.
pub struct Echo;

impl EioHandler for Echo {
    type Meta = ();
    type State = ();

    fn open(&self, _req: &HandshakeRequest<'_>) -> Result<((), ()), Rejection> {
        Ok(((), ()))
    }

    fn message(
        &self,
        session: &Arc<Session<Self>>,
        _state: &mut (),
        message: Message<'_>,
    ) -> Result<(), CloseReason> {
        let frame = match message {
            Message::Text(t) => Frame::message(t),
            Message::Binary(b) => Frame::Binary(b),
        };
        // a full queue closes the session: the echo is never dropped silently
        if session.send(&[frame]).is_err() {
            return Err(CloseReason::SendQueueFull);
        }
        Ok(())
    }

    fn closed(&self, _session: &Arc<Session<Self>>, _state: (), _reason: CloseReason) {}
}

/// The Socket.IO handler of `/socket.io/`.
pub struct Conformance;

/// Socket data: the CONNECT payload, echoed in the `auth` event.
pub struct Auth(Box<RawValue>);

/// Echoes an event's arguments and attachments into `b`.
fn echo_args(b: EventBuilder, ev: &sio::Event) -> EventBuilder {
    ev.attachments()
        .iter()
        .fold(b.args(ev.args()), |b, a| b.attach(a.clone()))
}

impl Handler for Conformance {
    type Handshake = ();
    type Data = Auth;

    fn handshake(&self, _req: &HandshakeRequest<'_>) -> Result<(), Rejection> {
        Ok(())
    }

    fn connect(&self, req: &ConnectRequest<'_, Self>) -> Result<Auth, ConnectError> {
        let auth = match req.auth {
            Some(a) => a.as_raw().to_owned(),
            None => RawValue::from_string("{}".to_owned())
                .map_err(|e| ConnectError::new(e.to_string()))?,
        };
        Ok(Auth(auth))
    }

    fn connected(&self, socket: &Socket<Self>) {
        let _ = socket.emit(EventBuilder::new("auth").arg_raw(&socket.data().0));
    }

    fn event(&self, socket: &Socket<Self>, ev: sio::Event, ack: Option<AckSender<Self>>) {
        match ev.name().as_ref() {
            "message" => {
                let _ = socket.emit(echo_args(EventBuilder::new("message-back"), &ev));
            }
            "message-with-ack" => {
                if let Some(ack) = ack {
                    let b = ev
                        .attachments()
                        .iter()
                        .fold(ack.builder().args(ev.args()), |b, a| b.attach(a.clone()));
                    let _ = ack.send(b);
                }
            }
            "emit-with-ack" => {
                let Ok(reply) =
                    socket.emit_with_ack(echo_args(EventBuilder::new("emit-with-ack"), &ev))
                else {
                    return;
                };
                let socket = socket.clone();
                tokio::spawn(async move {
                    let Ok(Ok(a)) = tokio::time::timeout(Duration::from_secs(5), reply).await
                    else {
                        return;
                    };
                    let b = a
                        .attachments()
                        .iter()
                        .fold(EventBuilder::new("emit-with-ack").args(a.args()), |b, x| {
                            b.attach(x.clone())
                        });
                    let _ = socket.emit(b);
                });
            }
            _ => {}
        }
    }
}

/// The settings the protocol test suites expect.
pub fn config() -> Config {
    Config {
        ping_interval: Duration::from_millis(300),
        ping_timeout: Duration::from_millis(200),
        max_payload: 1_000_000,
        connect_timeout: Duration::from_secs(1),
        ..Config::default()
    }
}

/// Both servers. Must be called inside a Tokio runtime.
pub fn build(config: Config) -> (EioServer<Echo>, SocketIo<Conformance>) {
    let eio = EioServer::new(config.clone(), Echo);
    let sio = SocketIo::new(config, ["/", "/custom"], Conformance)
        .unwrap_or_else(|e| unreachable!("static namespaces are valid: {e}"));
    (eio, sio)
}

/// Serves `/engine.io/` and `/socket.io/` until `shutdown` is cancelled.
pub async fn run(
    listener: TcpListener,
    shutdown: CancellationToken,
    eio: EioServer<Echo>,
    sio: SocketIo<Conformance>,
) -> std::io::Result<()> {
    let eio_route = route("/engine.io/", eio.clone());
    let sio_route = route("/socket.io/", sio.engine().clone());
    let service = move |req: hyper::Request<hyper::body::Incoming>| {
        let fut: std::pin::Pin<
            Box<dyn std::future::Future<Output = hyper::Response<Body>> + Send>,
        > = if req.uri().path().starts_with("/engine.io/") {
            eio_route(req)
        } else {
            sio_route(req)
        };
        fut
    };
    let res = serve(listener, shutdown, service).await;
    eio.close_all(CloseReason::ServerShutdown);
    sio.close_all(CloseReason::ServerShutdown);
    res
}

fn parse_args() -> Result<SocketAddr, String> {
    let mut host = "127.0.0.1".to_owned();
    let mut port = 3000u16;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => {
                port = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or("--port needs a port number")?;
            }
            "--host" => host = args.next().ok_or("--host needs an address")?,
            "-h" | "--help" => {
                return Err("usage: sio-conformance [--host H] [--port P]".to_owned());
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    format!("{host}:{port}")
        .parse()
        .map_err(|e| format!("bad address: {e}"))
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let addr = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let listener = TcpListener::bind(addr).await?;
    tracing::info!(addr = %listener.local_addr()?, "sio-conformance listening");
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        stop.cancel();
    });
    let (eio, sio) = build(config());
    run(listener, shutdown, eio, sio).await
}
