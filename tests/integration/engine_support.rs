//! Shared helpers for the engine tests: the conformance example server run
//! in-process, a raw HTTP/1.1 client, WebSocket clients (tokio-tungstenite and
//! raw frames). Every wait is bounded.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use rtctl::engine::{Config, EioServer, SocketIo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

#[path = "../../examples/sio-conformance.rs"]
#[allow(dead_code)]
pub mod conformance;

/// Upper bound of any single wait in these tests.
pub const WAIT: Duration = Duration::from_secs(5);

/// The conformance server, in-process on 127.0.0.1 and a free port.
pub struct TestServer {
    pub addr: SocketAddr,
    pub eio: EioServer<conformance::Echo>,
    pub sio: SocketIo<conformance::Conformance>,
    pub token: CancellationToken,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.token.cancel();
    }
}

/// Starts the conformance server with its own settings.
pub async fn start() -> TestServer {
    start_with(conformance::config()).await
}

/// Logs to the test output when `RUST_LOG` is set.
pub fn init_tracing() {
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
    }
}

/// Starts the conformance server with `config`.
pub async fn start_with(config: Config) -> TestServer {
    init_tracing();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (eio, sio) = conformance::build(config);
    let token = CancellationToken::new();
    tokio::spawn(conformance::run(
        listener,
        token.clone(),
        eio.clone(),
        sio.clone(),
    ));
    TestServer {
        addr,
        eio,
        sio,
        token,
    }
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`).
pub async fn http(addr: SocketAddr, method: &str, target: &str, body: &[u8]) -> HttpResponse {
    tokio::time::timeout(WAIT, http_inner(addr, method, target, body, &[]))
        .await
        .unwrap_or_else(|_| panic!("{method} {target}: no response within {WAIT:?}"))
}

/// Like [`http`] with extra headers.
pub async fn http_with(
    addr: SocketAddr,
    method: &str,
    target: &str,
    body: &[u8],
    headers: &[(&str, &str)],
) -> HttpResponse {
    tokio::time::timeout(WAIT, http_inner(addr, method, target, body, headers))
        .await
        .unwrap_or_else(|_| panic!("{method} {target}: no response within {WAIT:?}"))
}

async fn http_inner(
    addr: SocketAddr,
    method: &str,
    target: &str,
    body: &[u8],
    headers: &[(&str, &str)],
) -> HttpResponse {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let mut req = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.expect("write head");
    // write the body while reading: the server may answer (413) before
    // reading all of a large body
    let (mut rd, mut wr) = s.into_split();
    let body = body.to_vec();
    let writer = tokio::spawn(async move {
        let _ = wr.write_all(&body).await;
        wr
    });
    let mut raw = Vec::new();
    let _ = rd.read_to_end(&mut raw).await;
    drop(writer.await);
    parse_response(&raw)
}

/// Parses a response head and a `Content-Length` body.
pub fn parse_response(raw: &[u8]) -> HttpResponse {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("incomplete response: {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if let Some(len) = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        body.truncate(len);
    }
    HttpResponse {
        status,
        headers,
        body,
    }
}

/// Opens a polling session on `path` and returns its sid.
pub async fn polling_session(addr: SocketAddr, path: &str) -> String {
    let r = http(addr, "GET", &format!("{path}?EIO=4&transport=polling"), b"").await;
    assert_eq!(r.status, 200, "handshake: {}", r.text());
    open_sid(&r.text())
}

/// The sid of an open packet `0{…}`.
pub fn open_sid(open: &str) -> String {
    let json = open
        .strip_prefix('0')
        .unwrap_or_else(|| panic!("not an open packet: {open:?}"));
    let v: serde_json::Value = serde_json::from_str(json).expect("open json");
    v["sid"].as_str().expect("sid").to_owned()
}

/// `GET` of a polling session.
pub async fn poll(addr: SocketAddr, path: &str, sid: &str) -> HttpResponse {
    http(
        addr,
        "GET",
        &format!("{path}?EIO=4&transport=polling&sid={sid}"),
        b"",
    )
    .await
}

/// `POST` to a polling session.
pub async fn post(addr: SocketAddr, path: &str, sid: &str, body: &[u8]) -> HttpResponse {
    http(
        addr,
        "POST",
        &format!("{path}?EIO=4&transport=polling&sid={sid}"),
        body,
    )
    .await
}

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens a WebSocket to `path_query` (e.g. `/socket.io/?EIO=4&transport=websocket`).
pub async fn ws_connect(addr: SocketAddr, path_query: &str) -> Ws {
    let url = format!("ws://{addr}{path_query}");
    let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
        .await
        .expect("ws connect timeout")
        .expect("ws connect");
    ws
}

/// What a WebSocket client saw next.
#[derive(Debug, PartialEq, Eq)]
pub enum Got {
    Text(String),
    Binary(Vec<u8>),
    /// A close frame (code) or the end of the stream (`None`).
    Closed(Option<u16>),
}

/// The next message, within `within`; `None` on timeout.
pub async fn ws_next_within(ws: &mut Ws, within: Duration) -> Option<Got> {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let msg = tokio::time::timeout(left, ws.next()).await.ok()?;
        return Some(match msg {
            None | Some(Err(_)) => Got::Closed(None),
            Some(Ok(WsMessage::Text(t))) => Got::Text(t.to_string()),
            Some(Ok(WsMessage::Binary(b))) => Got::Binary(b.to_vec()),
            Some(Ok(WsMessage::Close(c))) => Got::Closed(c.map(|c| u16::from(c.code))),
            Some(Ok(_)) => continue,
        });
    }
}

/// The next message (panics after [`WAIT`]).
pub async fn ws_next(ws: &mut Ws) -> Got {
    ws_next_within(ws, WAIT)
        .await
        .expect("no websocket message in time")
}

/// The next text message that is not a ping (pings are answered).
pub async fn ws_text(ws: &mut Ws) -> String {
    loop {
        match ws_next(ws).await {
            Got::Text(t) if t == "2" => ws_send(ws, "3").await,
            Got::Text(t) => return t,
            other => panic!("expected text, got {other:?}"),
        }
    }
}

/// The next binary message (pings are answered).
pub async fn ws_binary(ws: &mut Ws) -> Vec<u8> {
    loop {
        match ws_next(ws).await {
            Got::Text(t) if t == "2" => ws_send(ws, "3").await,
            Got::Binary(b) => return b,
            other => panic!("expected binary, got {other:?}"),
        }
    }
}

/// Sends a text frame.
pub async fn ws_send(ws: &mut Ws, text: &str) {
    ws.send(WsMessage::text(text)).await.expect("ws send");
}

/// Sends a binary frame.
pub async fn ws_send_binary(ws: &mut Ws, data: &[u8]) {
    ws.send(WsMessage::binary(data.to_vec()))
        .await
        .expect("ws send");
}

/// Waits for the server to close the connection (answering pings meanwhile
/// unless `answer_pings` is false); returns the elapsed time.
pub async fn ws_expect_close(ws: &mut Ws, within: Duration, answer_pings: bool) -> Duration {
    let start = Instant::now();
    loop {
        let left = within.saturating_sub(start.elapsed());
        match ws_next_within(ws, left).await {
            None => panic!("connection still open after {within:?}"),
            Some(Got::Closed(_)) => return start.elapsed(),
            Some(Got::Text(t)) if t == "2" && answer_pings => {
                let _ = ws.send(WsMessage::text("3")).await;
            }
            Some(_) => {}
        }
    }
}

/// Answers pings for `d` and fails if anything else arrives or the
/// connection closes.
pub async fn ws_idle(ws: &mut Ws, d: Duration) {
    let start = Instant::now();
    while start.elapsed() < d {
        match ws_next_within(ws, d.saturating_sub(start.elapsed())).await {
            None => return,
            Some(Got::Text(t)) if t == "2" => ws_send(ws, "3").await,
            Some(other) => panic!("unexpected {other:?} while idle"),
        }
    }
}

/// The Engine.IO open packet of a fresh WebSocket session.
pub async fn ws_open(addr: SocketAddr, path: &str) -> (Ws, String) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut ws = ws_connect(addr, &format!("{path}{sep}EIO=4&transport=websocket")).await;
    let open = match ws_next(&mut ws).await {
        Got::Text(t) => t,
        other => panic!("expected open packet, got {other:?}"),
    };
    let sid = open_sid(&open);
    (ws, sid)
}

/// A Socket.IO WebSocket client connected to `/` (CONNECT reply and `auth`
/// event consumed); returns the socket id.
pub async fn sio_connect(addr: SocketAddr) -> (Ws, String) {
    let (mut ws, _) = ws_open(addr, "/socket.io/").await;
    ws_send(&mut ws, "40").await;
    let reply = ws_text(&mut ws).await;
    let sid = connect_reply_sid(&reply, "");
    assert_eq!(ws_text(&mut ws).await, r#"42["auth",{}]"#);
    (ws, sid)
}

/// Checks a CONNECT reply `40<ns,>{"sid":"…"}` (sid the only key) and returns the sid.
pub fn connect_reply_sid(reply: &str, ns_prefix: &str) -> String {
    let json = reply
        .strip_prefix("40")
        .and_then(|r| r.strip_prefix(ns_prefix))
        .unwrap_or_else(|| panic!("not a CONNECT reply: {reply:?}"));
    let v: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(json).expect("connect reply json");
    assert_eq!(v.len(), 1, "sid must be the only key: {reply}");
    let sid = v["sid"].as_str().expect("sid").to_owned();
    assert_eq!(sid.len(), 20);
    sid
}

// ----- raw WebSocket frames ------------------------------------------------

/// A raw WebSocket client: the stream and what was read but not consumed.
pub struct RawWs {
    pub s: TcpStream,
    buf: Vec<u8>,
}

impl RawWs {
    /// Writes raw bytes.
    pub async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.s.write_all(bytes).await
    }

    /// Reads server frames until one with `opcode` arrives; returns its
    /// payload (heartbeat pings `2` are skipped). `None` when the connection
    /// ends first or nothing comes in time.
    pub async fn read_until(&mut self, opcode: u8) -> Option<Vec<u8>> {
        let deadline = Instant::now() + WAIT;
        loop {
            while self.buf.len() >= 2 {
                let buf = &self.buf;
                let (len, hl) = match buf[1] & 0x7f {
                    126 if buf.len() >= 4 => (u16::from_be_bytes([buf[2], buf[3]]) as usize, 4),
                    127 if buf.len() >= 10 => {
                        let mut b = [0u8; 8];
                        b.copy_from_slice(&buf[2..10]);
                        (u64::from_be_bytes(b) as usize, 10)
                    }
                    126 | 127 => break,
                    n => (n as usize, 2),
                };
                if buf.len() < hl + len {
                    break;
                }
                let op = buf[0] & 0x0f;
                let payload = buf[hl..hl + len].to_vec();
                self.buf.drain(..hl + len);
                if op == opcode && !(op == 0x1 && payload == b"2") {
                    return Some(payload);
                }
            }
            let mut chunk = [0u8; 4096];
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.s.read(&mut chunk)).await {
                Ok(Ok(n)) if n > 0 => self.buf.extend_from_slice(&chunk[..n]),
                _ => return None,
            }
        }
    }
}

/// A raw WebSocket upgrade; returns the client after a 101, or the response.
pub async fn raw_ws(addr: SocketAddr, path_query: &str) -> Result<RawWs, HttpResponse> {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let req = format!(
        "GET {path_query} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.expect("write");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    let read_head = async {
        while !head.ends_with(b"\r\n\r\n") {
            if s.read(&mut byte).await.unwrap_or(0) == 0 {
                break;
            }
            head.push(byte[0]);
        }
    };
    tokio::time::timeout(WAIT, read_head)
        .await
        .expect("upgrade response timeout");
    let res = parse_response(&head);
    if res.status == 101 {
        assert_eq!(
            res.header("sec-websocket-accept"),
            Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        );
        Ok(RawWs { s, buf: Vec::new() })
    } else {
        // read the body too (the connection may stay open)
        let len = res
            .header("content-length")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; len];
        let _ = tokio::time::timeout(WAIT, s.read_exact(&mut body)).await;
        Err(HttpResponse { body, ..res })
    }
}

/// A masked client frame.
pub fn client_frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [0x11, 0x22, 0x33, 0x44];
    let mut v = vec![if fin { 0x80 } else { 0 } | opcode];
    let n = payload.len();
    if n < 126 {
        v.push(0x80 | n as u8);
    } else if n <= 0xffff {
        v.push(0x80 | 126);
        v.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        v.push(0x80 | 127);
        v.extend_from_slice(&(n as u64).to_be_bytes());
    }
    v.extend_from_slice(&mask);
    v.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    v
}

/// The status code of a close frame payload.
pub fn close_code(payload: &[u8]) -> Option<u16> {
    (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]))
}

/// Asserts that the echo endpoint still works for a fresh session.
pub async fn assert_echo_works(addr: SocketAddr) {
    let (mut ws, _) = ws_open(addr, "/engine.io/").await;
    ws_send(&mut ws, "4still-up").await;
    assert_eq!(ws_text(&mut ws).await, "4still-up");
}
