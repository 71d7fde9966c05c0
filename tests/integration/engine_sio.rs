//! Socket.IO behaviour: the conformance example at `/socket.io/`, and
//! in-process servers with custom handlers for the engine API (connect
//! middleware, ordering, rooms, fan-out, overflow policies).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rtctl::engine::sio::{self, EventBuilder};
use rtctl::engine::{
    AckSender, CloseReason, Config, ConnectError, ConnectRequest, DisconnectReason, Handler,
    HandshakeRequest, OverflowPolicy, Rejection, Socket, SocketIo,
};
use serde_json::value::RawValue;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::engine_support::*;

const SIO: &str = "/socket.io/";

#[tokio::test]
async fn connect_replies_with_sid_only_then_auth_event() {
    let srv = start().await;
    let (mut ws, eio_sid) = ws_open(srv.addr, SIO).await;
    ws_send(&mut ws, "40").await;
    let sid = connect_reply_sid(&ws_text(&mut ws).await, "");
    assert_ne!(sid, eio_sid, "the socket id is not the Engine.IO sid");
    assert_eq!(ws_text(&mut ws).await, r#"42["auth",{}]"#);
    // with a payload: echoed byte for byte, key order kept
    let (mut ws, _) = ws_open(srv.addr, SIO).await;
    ws_send(
        &mut ws,
        r#"40{"token":"123","b":[1,{"z":0,"a":null}],"a":"é"}"#,
    )
    .await;
    connect_reply_sid(&ws_text(&mut ws).await, "");
    assert_eq!(
        ws_text(&mut ws).await,
        r#"42["auth",{"token":"123","b":[1,{"z":0,"a":null}],"a":"é"}]"#
    );
}

#[tokio::test]
async fn custom_namespace_and_unknown_namespace() {
    let srv = start().await;
    let (mut ws, _) = ws_open(srv.addr, SIO).await;
    ws_send(&mut ws, "40/custom,").await;
    connect_reply_sid(&ws_text(&mut ws).await, "/custom,");
    assert_eq!(ws_text(&mut ws).await, r#"42/custom,["auth",{}]"#);
    ws_send(&mut ws, r#"40/custom,{"token":"abc"}"#).await;
    connect_reply_sid(&ws_text(&mut ws).await, "/custom,");
    assert_eq!(
        ws_text(&mut ws).await,
        r#"42/custom,["auth",{"token":"abc"}]"#
    );
    // unknown namespaces, with and without a trailing comma
    for connect in ["40/random", "40/random,", r#"40/random,{"x":1}"#] {
        ws_send(&mut ws, connect).await;
        assert_eq!(
            ws_text(&mut ws).await,
            r#"44/random,{"message":"Invalid namespace"}"#
        );
    }
    // the connection is still usable
    ws_send(&mut ws, r#"42/custom,["message","x"]"#).await;
    assert_eq!(ws_text(&mut ws).await, r#"42/custom,["message-back","x"]"#);
    ws_send(&mut ws, "40").await;
    connect_reply_sid(&ws_text(&mut ws).await, "");
    assert_eq!(ws_text(&mut ws).await, r#"42["auth",{}]"#);
}

#[tokio::test]
async fn events_and_acks_are_echoed_exactly() {
    let srv = start().await;
    let (mut ws, _) = sio_connect(srv.addr).await;
    ws_send(&mut ws, r#"42["message",1,"2",{"3":[true]}]"#).await;
    assert_eq!(
        ws_text(&mut ws).await,
        r#"42["message-back",1,"2",{"3":[true]}]"#
    );
    ws_send(&mut ws, r#"42["message"]"#).await;
    assert_eq!(ws_text(&mut ws).await, r#"42["message-back"]"#);
    ws_send(&mut ws, r#"42456["message-with-ack",1,"2",{"3":[false]}]"#).await;
    assert_eq!(ws_text(&mut ws).await, r#"43456[1,"2",{"3":[false]}]"#);
    // unknown events are ignored
    ws_send(&mut ws, r#"42["whatever",1]"#).await;
    ws_send(&mut ws, r#"421["message-with-ack"]"#).await;
    assert_eq!(ws_text(&mut ws).await, "431[]");
}

#[tokio::test]
async fn binary_events_and_acks() {
    let srv = start().await;
    let (mut ws, _) = sio_connect(srv.addr).await;
    ws_send(
        &mut ws,
        r#"452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
    )
    .await;
    ws_send_binary(&mut ws, &[1, 2, 3]).await;
    ws_send_binary(&mut ws, &[4, 5, 6]).await;
    assert_eq!(
        ws_text(&mut ws).await,
        r#"452-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#
    );
    assert_eq!(ws_binary(&mut ws).await, [1, 2, 3]);
    assert_eq!(ws_binary(&mut ws).await, [4, 5, 6]);
    ws_send(
        &mut ws,
        r#"452-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1},"test"]"#,
    )
    .await;
    ws_send_binary(&mut ws, &[1, 2, 3]).await;
    ws_send_binary(&mut ws, &[4, 5, 6]).await;
    assert_eq!(
        ws_text(&mut ws).await,
        r#"462-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1},"test"]"#
    );
    assert_eq!(ws_binary(&mut ws).await, [1, 2, 3]);
    assert_eq!(ws_binary(&mut ws).await, [4, 5, 6]);
}

#[tokio::test]
async fn server_to_client_acks() {
    let srv = start().await;
    let (mut ws, _) = sio_connect(srv.addr).await;
    ws_send(&mut ws, r#"42["emit-with-ack",1,"2",{"3":[true]}]"#).await;
    let ask = ws_text(&mut ws).await;
    let rest = ask.strip_prefix("42").expect("event");
    let id_len = rest.find('[').expect("array");
    let id = &rest[..id_len];
    assert!(!id.is_empty(), "an ack id is requested: {ask}");
    assert_eq!(&rest[id_len..], r#"["emit-with-ack",1,"2",{"3":[true]}]"#);
    ws_send(&mut ws, &format!(r#"43{id}[{{"ok":true}},7]"#)).await;
    assert_eq!(
        ws_text(&mut ws).await,
        r#"42["emit-with-ack",{"ok":true},7]"#
    );
    // an ack for an id the server never sent is ignored
    ws_send(&mut ws, r#"4399[1]"#).await;
    ws_send(&mut ws, r#"42["message",1]"#).await;
    assert_eq!(ws_text(&mut ws).await, r#"42["message-back",1]"#);
}

#[tokio::test]
async fn malformed_socket_io_packets_close_the_connection() {
    let srv = start().await;
    let (mut bystander, _) = sio_connect(srv.addr).await;
    let bad = [
        "4abc",
        "42{}",
        r#"42abc["message-with-ack",1,"2",{"3":[false]}]"#,
        r#"42["connect"]"#,
        "42[]",
        "43[1]",
        r#"44{"message":"x"}"#,
        "41x",
        "451-[\"message\",{\"_placeholder\":true,\"num\":3}]",
        "4",
    ];
    for packet in bad {
        let (mut ws, _) = sio_connect(srv.addr).await;
        ws_send(&mut ws, packet).await;
        ws_expect_close(&mut ws, Duration::from_secs(2), true).await;
    }
    // a binary message that no binary packet announced
    let (mut ws, _) = sio_connect(srv.addr).await;
    ws_send_binary(&mut ws, &[4, 132, 23, 2]).await;
    ws_expect_close(&mut ws, Duration::from_secs(2), true).await;
    // a packet for a namespace the client did not join
    let (mut ws, _) = sio_connect(srv.addr).await;
    ws_send(&mut ws, r#"42/custom,["message"]"#).await;
    ws_expect_close(&mut ws, Duration::from_secs(2), true).await;
    // an event before any CONNECT
    let (mut ws, _) = ws_open(srv.addr, SIO).await;
    ws_send(&mut ws, r#"42["message"]"#).await;
    ws_expect_close(&mut ws, Duration::from_secs(2), true).await;
    assert!(srv.sio.stats().closed(CloseReason::ParseError) >= 13);
    // the bystander was not affected
    ws_send(&mut bystander, r#"42["message","ok"]"#).await;
    assert_eq!(ws_text(&mut bystander).await, r#"42["message-back","ok"]"#);
}

#[tokio::test]
async fn no_connect_within_the_timeout_closes_the_connection() {
    let srv = start().await;
    let (mut ws, _) = ws_open(srv.addr, SIO).await;
    let took = ws_expect_close(&mut ws, Duration::from_secs(3), true).await;
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(2000),
        "closed after {took:?}"
    );
    // polling too (pings answered, so only the connect timeout can close it)
    let sid = polling_session(srv.addr, SIO).await;
    let start = std::time::Instant::now();
    loop {
        assert!(start.elapsed() < Duration::from_secs(3), "still open");
        let r = poll(srv.addr, SIO, &sid).await;
        if r.status == 400 || r.text().ends_with('1') {
            break;
        }
        assert_eq!(r.text(), "2");
        assert_eq!(post(srv.addr, SIO, &sid, b"3").await.status, 200);
    }
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(800), "closed after {took:?}");
    assert_eq!(srv.sio.stats().closed(CloseReason::ConnectTimeout), 2);
    assert_eq!(srv.sio.stats().closed(CloseReason::PingTimeout), 0);
}

#[tokio::test]
async fn leaving_the_main_namespace_keeps_the_session() {
    let srv = start().await;
    let (mut ws, _) = sio_connect(srv.addr).await;
    ws_send(&mut ws, "41").await;
    // past the connect timeout, still open (pings answered)
    ws_idle(&mut ws, Duration::from_millis(1300)).await;
    ws_send(&mut ws, "40/custom,").await;
    connect_reply_sid(&ws_text(&mut ws).await, "/custom,");
    assert_eq!(ws_text(&mut ws).await, r#"42/custom,["auth",{}]"#);
    // leaving /custom and sending to / (left) closes, as the official server
    ws_send(&mut ws, "41/custom,").await;
    ws_send(&mut ws, r#"42["message"]"#).await;
    ws_expect_close(&mut ws, Duration::from_secs(2), true).await;
}

#[tokio::test]
async fn polling_gets_every_queued_packet_in_one_response() {
    let srv = start().await;
    let sid = polling_session(srv.addr, SIO).await;
    let body = "40\u{1e}42[\"message\",1]\u{1e}421[\"message-with-ack\",\"a\"]";
    assert_eq!(post(srv.addr, SIO, &sid, body.as_bytes()).await.status, 200);
    let r = poll(srv.addr, SIO, &sid).await;
    let text = r.text();
    let parts: Vec<&str> = text.split('\u{1e}').collect();
    assert_eq!(parts.len(), 4, "{text:?}");
    connect_reply_sid(parts[0], "");
    assert_eq!(parts[1], r#"42["auth",{}]"#);
    assert_eq!(parts[2], r#"42["message-back",1]"#);
    assert_eq!(parts[3], r#"431["a"]"#);
    // binary over polling: base64 attachments
    let body = "451-[\"message\",{\"_placeholder\":true,\"num\":0}]\u{1e}bAQID";
    assert_eq!(post(srv.addr, SIO, &sid, body.as_bytes()).await.status, 200);
    assert_eq!(
        poll(srv.addr, SIO, &sid).await.text(),
        "451-[\"message-back\",{\"_placeholder\":true,\"num\":0}]\u{1e}bAQID"
    );
}

// ---------------------------------------------------------------------------
// In-process servers with custom handlers

/// What the test handler saw.
#[derive(Default)]
struct Seen {
    disconnects: Mutex<Vec<(String, DisconnectReason)>>,
    behind: AtomicUsize,
    handshakes: AtomicUsize,
}

/// A handler like an application's: identity from the handshake, a connect
/// middleware, rooms joined in `connected`.
struct App(Arc<Seen>);

struct Ident {
    device: Option<Box<str>>,
}

impl Handler for App {
    type Handshake = Ident;
    type Data = Box<str>;

    fn handshake(&self, req: &HandshakeRequest<'_>) -> Result<Ident, Rejection> {
        self.0.handshakes.fetch_add(1, Ordering::Relaxed);
        if req.query.get("deny").is_some() {
            return Err(Rejection::new("denied by policy"));
        }
        let device = req
            .headers
            .get("x-device-id")
            .and_then(|v| v.to_str().ok())
            .map(Box::from)
            .or_else(|| req.query.get("deviceId").map(|d| d.as_ref().into()));
        Ok(Ident { device })
    }

    fn connect(&self, req: &ConnectRequest<'_, Self>) -> Result<Box<str>, ConnectError> {
        #[derive(serde::Deserialize)]
        struct Auth {
            token: Option<String>,
        }
        let token = req
            .auth
            .and_then(|a| a.deserialize::<Auth>().ok())
            .and_then(|a| a.token);
        if token.as_deref() != Some("ok") {
            return Err(ConnectError {
                message: "Not authorized".into(),
                data: Some(RawValue::from_string(r#"{"code":401}"#.into()).expect("json")),
            });
        }
        req.handshake
            .device
            .clone()
            .ok_or_else(|| ConnectError::new("missing device id"))
    }

    fn connected(&self, socket: &Socket<Self>) {
        socket.join(&format!("device:{}", socket.data()));
        socket.join("all-devices");
        let _ = socket.emit(EventBuilder::new("hello").arg_str(socket.data()));
    }

    fn event(&self, socket: &Socket<Self>, ev: sio::Event, ack: Option<AckSender<Self>>) {
        match ev.name().as_ref() {
            "ping" => {
                let _ = socket.emit(EventBuilder::new("pong"));
            }
            "rooms" => {
                if let Some(ack) = ack {
                    let mut rooms = socket.rooms();
                    rooms.sort();
                    let b = ack.builder().arg(&rooms).expect("serialize");
                    let _ = ack.send(b);
                }
            }
            "leave" => socket.leave("all-devices"),
            "kick" => socket.disconnect(),
            _ => {}
        }
    }

    fn disconnected(&self, socket: &Socket<Self>, reason: DisconnectReason) {
        self.0
            .disconnects
            .lock()
            .expect("lock")
            .push((socket.data().to_string(), reason));
    }

    fn connect_pid(&self, socket: &Socket<Self>) -> Option<String> {
        (socket.data().as_ref() == "csr").then(|| "pid-1".to_owned())
    }

    fn connect_behind(&self, data: &Self::Data) -> bool {
        data.as_ref() == "resuming"
    }

    fn behind(&self, _socket: &Socket<Self>) {
        self.0.behind.fetch_add(1, Ordering::Relaxed);
    }
}

struct AppServer {
    addr: std::net::SocketAddr,
    io: SocketIo<App>,
    seen: Arc<Seen>,
    token: CancellationToken,
}

impl Drop for AppServer {
    fn drop(&mut self) {
        self.token.cancel();
    }
}

async fn start_app(config: Config) -> AppServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(Seen::default());
    let io = SocketIo::new(config, ["/"], App(seen.clone())).expect("namespaces");
    let token = CancellationToken::new();
    let srv = io.clone();
    let t = token.clone();
    tokio::spawn(async move { srv.serve(listener, t).await });
    AppServer {
        addr,
        io,
        seen,
        token,
    }
}

fn app_config() -> Config {
    Config {
        ping_interval: Duration::from_millis(300),
        ping_timeout: Duration::from_millis(200),
        connect_timeout: Duration::from_secs(2),
        ..Config::default()
    }
}

async fn app_connect(addr: std::net::SocketAddr, device: &str) -> Ws {
    let (mut ws, _) = ws_open(addr, &format!("/socket.io/?deviceId={device}")).await;
    ws_send(&mut ws, r#"40{"token":"ok"}"#).await;
    connect_reply_sid(&ws_text(&mut ws).await, "");
    assert_eq!(ws_text(&mut ws).await, format!(r#"42["hello","{device}"]"#));
    ws
}

#[tokio::test]
async fn connect_middleware_and_handshake_rejection() {
    let app = start_app(app_config()).await;
    // handshake refused: HTTP 403 with the message
    let r = http(
        app.addr,
        "GET",
        "/socket.io/?EIO=4&transport=polling&deny=1",
        b"",
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.text(), r#"{"code":4,"message":"denied by policy"}"#);
    // CONNECT refused with message and data; the session stays
    let (mut ws, _) = ws_open(app.addr, "/socket.io/?deviceId=d1").await;
    ws_send(&mut ws, r#"40{"token":"bad"}"#).await;
    assert_eq!(
        ws_text(&mut ws).await,
        r#"44{"message":"Not authorized","data":{"code":401}}"#
    );
    ws_send(&mut ws, "40").await;
    assert_eq!(
        ws_text(&mut ws).await,
        r#"44{"message":"Not authorized","data":{"code":401}}"#
    );
    ws_send(&mut ws, r#"40{"token":"ok"}"#).await;
    connect_reply_sid(&ws_text(&mut ws).await, "");
    assert_eq!(ws_text(&mut ws).await, r#"42["hello","d1"]"#);
    // missing identity
    let (mut ws, _) = ws_open(app.addr, SIO).await;
    ws_send(&mut ws, r#"40{"token":"ok"}"#).await;
    assert_eq!(
        ws_text(&mut ws).await,
        r#"44{"message":"missing device id"}"#
    );
    // the header wins over the query (only what the handler kept is stored)
    let r = http_with(
        app.addr,
        "GET",
        "/socket.io/?EIO=4&transport=polling&deviceId=from-query",
        b"",
        &[("x-device-id", "from-header")],
    )
    .await;
    let sid = open_sid(&r.text());
    assert_eq!(
        post(app.addr, SIO, &sid, br#"40{"token":"ok"}"#)
            .await
            .status,
        200
    );
    let got = poll(app.addr, SIO, &sid).await.text();
    assert!(got.ends_with(r#"42["hello","from-header"]"#), "{got}");
    assert_eq!(app.seen.handshakes.load(Ordering::Relaxed), 4);
}

#[tokio::test]
async fn handlers_are_ready_before_the_connect_reply() {
    let app = start_app(app_config()).await;
    // websocket: CONNECT and an event in one burst
    let (mut ws, _) = ws_open(app.addr, "/socket.io/?deviceId=w1").await;
    ws_send(&mut ws, r#"40{"token":"ok"}"#).await;
    ws_send(&mut ws, r#"42["ping"]"#).await;
    connect_reply_sid(&ws_text(&mut ws).await, "");
    assert_eq!(ws_text(&mut ws).await, r#"42["hello","w1"]"#);
    assert_eq!(ws_text(&mut ws).await, r#"42["pong"]"#);
    // polling: CONNECT and an event in one POST, a GET waiting meanwhile
    let r = http(
        app.addr,
        "GET",
        "/socket.io/?EIO=4&transport=polling&deviceId=p1",
        b"",
    )
    .await;
    let sid = open_sid(&r.text());
    let (a, s2) = (app.addr, sid.clone());
    let pending = tokio::spawn(async move { poll(a, SIO, &s2).await });
    tokio::time::sleep(Duration::from_millis(30)).await;
    let body = "40{\"token\":\"ok\"}\u{1e}42[\"ping\"]";
    assert_eq!(post(app.addr, SIO, &sid, body.as_bytes()).await.status, 200);
    let mut got = pending.await.expect("poll").text();
    if got.split('\u{1e}').count() < 3 {
        got.push('\u{1e}');
        got.push_str(&poll(app.addr, SIO, &sid).await.text());
    }
    let parts: Vec<&str> = got.split('\u{1e}').collect();
    connect_reply_sid(parts[0], "");
    assert_eq!(&parts[1..3], [r#"42["hello","p1"]"#, r#"42["pong"]"#]);
    // the rooms joined in `connected` are in place
    let root = app.io.of("/").expect("ns");
    assert_eq!(root.room_len("device:p1"), 1);
    assert_eq!(root.room_len("all-devices"), 2);
}

#[tokio::test]
async fn rooms_and_broadcasts() {
    let app = start_app(app_config()).await;
    let mut a = app_connect(app.addr, "a").await;
    let mut b = app_connect(app.addr, "b").await;
    let mut c = app_connect(app.addr, "c").await;
    let root = app.io.of("/").expect("ns");
    assert_eq!(root.len(), 3);
    assert_eq!(root.room_len("all-devices"), 3);
    // rooms of a socket
    ws_send(&mut a, r#"421["rooms"]"#).await;
    assert_eq!(ws_text(&mut a).await, r#"431[["all-devices","device:a"]]"#);
    // one encoded packet to a room
    let packet = root
        .event("notification")
        .arg_raw(&RawValue::from_string(r#"{"id":"n1","b":1,"a":2}"#.into()).expect("json"))
        .build();
    let d = root.broadcast("device:b", &packet);
    assert_eq!(
        (d.delivered, d.behind, d.disconnected, d.closed),
        (1, 0, 0, 0)
    );
    assert_eq!(
        ws_text(&mut b).await,
        r#"42["notification",{"id":"n1","b":1,"a":2}]"#
    );
    // with a binary attachment, to everyone
    let packet = root.event("blob").binary(vec![7u8, 8]).build();
    let d = root.broadcast("all-devices", &packet);
    assert_eq!(d.delivered, 3);
    for ws in [&mut a, &mut b, &mut c] {
        assert_eq!(
            ws_text(ws).await,
            r#"451-["blob",{"_placeholder":true,"num":0}]"#
        );
        assert_eq!(ws_binary(ws).await, [7, 8]);
    }
    // leave, then broadcast again
    ws_send(&mut c, r#"42["leave"]"#).await;
    ws_send(&mut c, r#"422["rooms"]"#).await;
    assert_eq!(ws_text(&mut c).await, r#"432[["device:c"]]"#);
    let d = root.broadcast("all-devices", &root.event("x").build());
    assert_eq!(d.delivered, 2);
    assert_eq!(
        root.broadcast("nobody", &root.event("x").build()).delivered,
        0
    );
    assert_eq!(root.broadcast_all(&root.event("y").build()).delivered, 3);
    // server-side namespace disconnect: `41`, rooms cleaned, session kept
    ws_send(&mut b, r#"42["kick"]"#).await;
    loop {
        let t = ws_text(&mut b).await;
        if t == "41" {
            break;
        }
        assert!(t.starts_with("42"), "{t}");
    }
    assert_eq!(root.room_len("device:b"), 0);
    assert_eq!(root.len(), 2);
    ws_send(&mut b, r#"40{"token":"ok"}"#).await;
    connect_reply_sid(&ws_text(&mut b).await, "");
    // closing a client: disconnect reported with the transport reason
    drop(a);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let seen = app.seen.disconnects.lock().expect("lock").clone();
    assert!(seen.contains(&("b".into(), DisconnectReason::ServerNamespaceDisconnect)));
    assert!(seen.contains(&(
        "a".into(),
        DisconnectReason::Transport(CloseReason::TransportClose)
    )));
    assert_eq!(root.room_len("all-devices"), 1);
}

/// A polling client that connected and then stopped polling: its queue fills.
async fn stalled_polling_socket(addr: std::net::SocketAddr, device: &str) -> String {
    let r = http(
        addr,
        "GET",
        &format!("/socket.io/?EIO=4&transport=polling&deviceId={device}"),
        b"",
    )
    .await;
    let sid = open_sid(&r.text());
    assert_eq!(
        post(addr, SIO, &sid, br#"40{"token":"ok"}"#).await.status,
        200
    );
    let got = poll(addr, SIO, &sid).await.text();
    assert!(got.starts_with("40"), "{got}");
    sid
}

#[tokio::test]
async fn overflow_marks_sockets_behind_and_never_skips_silently() {
    let config = Config {
        max_queue_frames: 3,
        overflow: OverflowPolicy::MarkBehind,
        ping_interval: Duration::from_secs(20),
        ping_timeout: Duration::from_secs(20),
        ..app_config()
    };
    let app = start_app(config).await;
    let mut live = app_connect(app.addr, "live").await;
    let sid = stalled_polling_socket(app.addr, "slow").await;
    let root = app.io.of("/").expect("ns");
    let mut total = rtctl::engine::Delivery::default();
    for i in 0..6 {
        let d = root.broadcast(
            "all-devices",
            &root.event("n").arg_str(&i.to_string()).build(),
        );
        total.delivered += d.delivered;
        total.behind += d.behind;
        total.disconnected += d.disconnected;
        assert_eq!(d.delivered + d.behind + d.disconnected + d.closed, 2);
        assert_eq!(ws_text(&mut live).await, format!(r#"42["n","{i}"]"#));
    }
    // 3 fit in the slow socket's queue, then it is behind (counted, told once)
    assert_eq!(total.delivered, 6 + 3);
    assert_eq!(total.behind, 3);
    assert_eq!(total.disconnected, 0);
    assert_eq!(app.seen.behind.load(Ordering::Relaxed), 1);
    let stats = app.io.stats();
    assert_eq!(stats.behind_total.load(Ordering::Relaxed), 1);
    assert_eq!(stats.behind.load(Ordering::Relaxed), 1);
    assert_eq!(stats.behind_skipped_total.load(Ordering::Relaxed), 2);
    let slow = root.sockets_in("device:slow").pop().expect("slow socket");
    assert!(slow.is_behind());
    // the client drains; the application catches up and clears the mark
    let got = poll(app.addr, SIO, &sid).await.text();
    assert_eq!(got.split('\u{1e}').count(), 3, "{got}");
    assert!(slow
        .emit(EventBuilder::new("replayed").arg_str("3"))
        .is_ok());
    slow.set_caught_up();
    assert_eq!(stats.behind.load(Ordering::Relaxed), 0);
    let d = root.broadcast("device:slow", &root.event("n").arg_str("6").build());
    assert_eq!(d.delivered, 1);
    assert_eq!(
        poll(app.addr, SIO, &sid).await.text(),
        "42[\"replayed\",\"3\"]\u{1e}42[\"n\",\"6\"]"
    );
}

#[tokio::test]
async fn overflow_disconnects_under_the_default_policy() {
    let config = Config {
        max_queue_frames: 3,
        ping_interval: Duration::from_secs(20),
        ping_timeout: Duration::from_secs(20),
        ..app_config()
    };
    assert_eq!(config.overflow, OverflowPolicy::Disconnect);
    let app = start_app(config).await;
    let mut live = app_connect(app.addr, "live").await;
    let sid = stalled_polling_socket(app.addr, "slow").await;
    let root = app.io.of("/").expect("ns");
    let mut disconnected = 0;
    let mut closed = 0;
    for i in 0..6 {
        let d = root.broadcast(
            "all-devices",
            &root.event("n").arg_str(&i.to_string()).build(),
        );
        disconnected += d.disconnected;
        closed += d.closed;
        assert_eq!(ws_text(&mut live).await, format!(r#"42["n","{i}"]"#));
    }
    assert_eq!(disconnected, 1);
    assert_eq!(closed, 0, "the closed socket left the room at once");
    let stats = app.io.stats();
    assert_eq!(stats.overflow_disconnects_total.load(Ordering::Relaxed), 1);
    assert_eq!(stats.closed(CloseReason::SendQueueFull), 1);
    assert_eq!(poll(app.addr, SIO, &sid).await.status, 400);
    let seen = app.seen.disconnects.lock().expect("lock").clone();
    assert_eq!(
        seen,
        vec![(
            "slow".to_string(),
            DisconnectReason::Transport(CloseReason::SendQueueFull)
        )]
    );
}

#[tokio::test]
async fn connect_reply_carries_a_pid_when_the_handler_gives_one() {
    let app = start_app(app_config()).await;
    let (mut ws, _) = ws_open(app.addr, "/socket.io/?deviceId=csr").await;
    ws_send(&mut ws, r#"40{"token":"ok"}"#).await;
    let reply = ws_text(&mut ws).await;
    let v: serde_json::Value =
        serde_json::from_str(reply.strip_prefix("40").expect("connect reply")).expect("json");
    assert_eq!(v["pid"], "pid-1", "{reply}");
    assert_eq!(v["sid"].as_str().map(str::len), Some(20));
    let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
    assert_eq!(keys.len(), 2);
}

#[tokio::test]
async fn a_socket_that_starts_behind_gets_no_broadcast_until_caught_up() {
    let app = start_app(app_config()).await;
    let (mut ws, _) = ws_open(app.addr, "/socket.io/?deviceId=resuming").await;
    ws_send(&mut ws, r#"40{"token":"ok"}"#).await;
    let reply = ws_text(&mut ws).await;
    assert!(reply.starts_with("40{"), "{reply}");
    let root = app.io.of("/").expect("ns");
    // behind from the start: never a window in which a broadcast reaches it
    let d = root.broadcast_all(&root.event("early").build());
    assert_eq!((d.delivered, d.behind), (0, 1));
    assert_eq!(app.io.stats().behind.load(Ordering::Relaxed), 1);
    for s in root.sockets_in("device:resuming") {
        s.set_caught_up();
    }
    let d = root.broadcast_all(&root.event("live").build());
    assert_eq!((d.delivered, d.behind), (1, 0));
    let mut got = ws_text(&mut ws).await;
    while !got.contains("live") {
        assert!(!got.contains("early"), "{got}");
        got = ws_text(&mut ws).await;
    }
}

/// A broadcast writes an idle WebSocket straight from the fan-out; what the socket does not
/// take (the client stopped reading and the buffers filled) is finished by the connection's
/// task. Mixed with queued emits, every frame arrives whole and in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_writes_the_socket_does_not_take_arrive_whole_and_in_order() {
    let config = Config {
        max_queue_frames: 100_000,
        max_queue_bytes: 256 << 20,
        ping_interval: Duration::from_secs(20),
        ping_timeout: Duration::from_secs(20),
        ..app_config()
    };
    let app = start_app(config).await;
    let mut ws = app_connect(app.addr, "slow").await;
    let root = app.io.of("/").expect("ns");
    let socket = root.sockets_in("device:slow").pop().expect("socket");
    let pad = "x".repeat(32 * 1024);
    // Broadcasts alone (each written directly) until the socket refuses part of one: how
    // much the kernel buffers depends on the machine (net.ipv4.tcp_rmem's maximum alone is
    // 32 MB on some), bounded at 4,000 (128 MB, within the queue limits above). Then 300
    // more, every tenth a queued emit.
    const MAX: usize = 4000;
    let stats = app.io.stats();
    let mut n = 0;
    let mut deferred_at = None;
    while n < MAX && deferred_at.is_none_or(|at| n < at + 300) {
        let i = n;
        if deferred_at.is_some() && i % 10 == 9 {
            let event = EventBuilder::new("n").arg_str(&format!("{i}:{pad}"));
            socket.emit(event).expect("queued");
        } else {
            let d = root.broadcast(
                "device:slow",
                &root.event("n").arg_str(&format!("{i}:{pad}")).build(),
            );
            assert_eq!(d.delivered, 1, "broadcast {i}");
        }
        n += 1;
        if deferred_at.is_none() && stats.direct_deferred_total.load(Ordering::Relaxed) > 0 {
            deferred_at = Some(n);
        }
        if i % 100 == 0 {
            // let the connection's task run now and then (it drains, then goes idle again)
            tokio::task::yield_now().await;
        }
    }
    assert!(stats.direct_writes_total.load(Ordering::Relaxed) > 0);
    assert!(
        deferred_at.is_some(),
        "the socket took all {n} direct writes whole: the test did not fill its buffers"
    );
    for i in 0..n {
        let got = ws_text(&mut ws).await;
        assert!(
            got == format!(r#"42["n","{i}:{pad}"]"#),
            "message {i}: got {} bytes starting {:?}",
            got.len(),
            &got[..got.len().min(24)]
        );
    }
}

/// A broadcast to more sockets than `fan_out_per_thread` is written from several threads
/// (one per core): every socket gets it once, and the delivery counts add up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_split_over_threads_reaches_every_socket_once() {
    let config = Config {
        fan_out_per_thread: 2,
        ping_interval: Duration::from_secs(20),
        ping_timeout: Duration::from_secs(20),
        ..app_config()
    };
    let app = start_app(config).await;
    let mut clients = Vec::new();
    for i in 0..12 {
        clients.push(app_connect(app.addr, &format!("d{i}")).await);
    }
    let root = app.io.of("/").expect("ns");
    for round in 0..3 {
        let d = root.broadcast_all(&root.event("n").arg_str(&round.to_string()).build());
        assert_eq!(
            (d.delivered, d.behind, d.disconnected, d.closed),
            (12, 0, 0, 0)
        );
    }
    for ws in &mut clients {
        for round in 0..3 {
            assert_eq!(ws_text(ws).await, format!(r#"42["n","{round}"]"#));
        }
        assert!(ws_next_within(ws, Duration::from_millis(100))
            .await
            .is_none());
    }
    assert!(app.io.stats().direct_writes_total.load(Ordering::Relaxed) >= 36);
}
