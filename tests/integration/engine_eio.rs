//! Engine.IO behaviour of the engine, driven with raw HTTP and WebSocket
//! against the conformance example (`/engine.io/` echo endpoint unless noted).

use std::time::{Duration, Instant};

use rtctl::engine::CloseReason;
use tokio::io::AsyncWriteExt;

use super::engine_support::*;

const EIO: &str = "/engine.io/";

#[tokio::test]
async fn polling_handshake_is_exact() {
    let srv = start().await;
    let r = http(srv.addr, "GET", "/engine.io/?EIO=4&transport=polling", b"").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/plain; charset=UTF-8"));
    let body = r.text();
    let sid = open_sid(&body);
    assert_eq!(
        body,
        format!(
            r#"0{{"sid":"{sid}","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}}"#
        )
    );
    // the Socket.IO endpoint answers the same way
    let r = http(srv.addr, "GET", "/socket.io/?EIO=4&transport=polling", b"").await;
    assert!(r.text().ends_with(
        r#"","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}"#
    ));
}

#[tokio::test]
async fn websocket_handshake_is_exact() {
    let srv = start().await;
    for path in [EIO, "/socket.io/"] {
        let mut ws = ws_connect(srv.addr, &format!("{path}?EIO=4&transport=websocket")).await;
        let Got::Text(open) = ws_next(&mut ws).await else {
            panic!("no open packet")
        };
        let sid = open_sid(&open);
        assert_eq!(
            open,
            format!(
                r#"0{{"sid":"{sid}","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}}"#
            )
        );
    }
}

#[tokio::test]
async fn bad_requests_get_http_400() {
    let srv = start().await;
    let a = srv.addr;
    let cases: &[(&str, &str, u8)] = &[
        ("GET", "/engine.io/?transport=polling", 5),
        ("GET", "/engine.io/?EIO=abc&transport=polling", 5),
        ("GET", "/engine.io/?EIO=3&transport=polling", 5),
        ("GET", "/engine.io/?EIO=4", 0),
        ("GET", "/engine.io/?EIO=4&transport=abc", 0),
        ("GET", "/engine.io/", 0),
        // a handshake must be a GET
        ("POST", "/engine.io/?EIO=4&transport=polling", 2),
        ("PUT", "/engine.io/?EIO=4&transport=polling", 2),
        // unknown sid
        (
            "GET",
            "/engine.io/?EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA",
            1,
        ),
        (
            "POST",
            "/engine.io/?EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA",
            1,
        ),
        (
            "GET",
            "/engine.io/?EIO=4&transport=polling&sid=not-a-sid",
            1,
        ),
        (
            "GET",
            "/socket.io/?EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA",
            1,
        ),
    ];
    for (method, target, code) in cases {
        let r = http(a, method, target, b"4x").await;
        assert_eq!(r.status, 400, "{method} {target}");
        let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json error body");
        assert_eq!(v["code"], *code, "{method} {target}: {}", r.text());
    }
    // WebSocket: refused before the upgrade
    for target in [
        "/engine.io/?transport=websocket",
        "/engine.io/?EIO=abc&transport=websocket",
        "/engine.io/?EIO=4",
        "/engine.io/?EIO=4&transport=websocket&sid=AAAAAAAAAAAAAAAAAAAA",
    ] {
        let r = raw_ws(a, target).await.err().expect("no upgrade");
        assert_eq!(r.status, 400, "{target}");
    }
    // a websocket query without the upgrade headers
    let r = http(a, "GET", "/engine.io/?EIO=4&transport=websocket", b"").await;
    assert_eq!(r.status, 400);
    // a polling sid used as websocket without upgrade headers, and vice versa
    let (_ws, ws_sid) = ws_open(a, EIO).await;
    let r = poll(a, EIO, &ws_sid).await;
    assert_eq!(r.status, 400, "polling request on a websocket session");
    assert_echo_works(a).await;
}

#[tokio::test]
async fn polling_echo_sends_all_queued_packets_in_one_response() {
    let srv = start().await;
    let sid = polling_session(srv.addr, EIO).await;
    let body = "4hello\u{1e}4test2\u{1e}bAQIDBA==\u{1e}4é€";
    let r = post(srv.addr, EIO, &sid, body.as_bytes()).await;
    assert_eq!((r.status, r.text().as_str()), (200, "ok"));
    let r = poll(srv.addr, EIO, &sid).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), body);
}

#[tokio::test]
async fn first_ping_comes_after_the_interval() {
    let srv = start().await;
    // polling: the first GET after the handshake waits for the ping
    let sid = polling_session(srv.addr, EIO).await;
    let t0 = Instant::now();
    let r = poll(srv.addr, EIO, &sid).await;
    let waited = t0.elapsed();
    assert_eq!(r.text(), "2");
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_millis(1000),
        "first ping after {waited:?}"
    );
    // websocket: nothing but the open packet for ~300 ms
    let t0 = Instant::now();
    let (mut ws, _) = ws_open(srv.addr, EIO).await;
    assert_eq!(ws_next(&mut ws).await, Got::Text("2".into()));
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_millis(1000),
        "first ping after {waited:?}"
    );
}

#[tokio::test]
async fn answered_pings_keep_sessions_alive() {
    let srv = start().await;
    let sid = polling_session(srv.addr, EIO).await;
    for _ in 0..3 {
        assert_eq!(poll(srv.addr, EIO, &sid).await.text(), "2");
        assert_eq!(post(srv.addr, EIO, &sid, b"3").await.text(), "ok");
    }
    assert_eq!(post(srv.addr, EIO, &sid, b"4alive").await.status, 200);
    assert_eq!(poll(srv.addr, EIO, &sid).await.text(), "4alive");
    assert_eq!(post(srv.addr, EIO, &sid, b"1").await.status, 200);
    let (mut ws, _) = ws_open(srv.addr, EIO).await;
    for _ in 0..3 {
        assert_eq!(ws_next(&mut ws).await, Got::Text("2".into()));
        ws_send(&mut ws, "3").await;
    }
    ws_send(&mut ws, "4alive").await;
    assert_eq!(ws_text(&mut ws).await, "4alive");
    assert_eq!(srv.eio.stats().closed(CloseReason::PingTimeout), 0);
}

#[tokio::test]
async fn unanswered_ping_closes_the_session() {
    let srv = start().await;
    // polling: take the ping, never answer
    let sid = polling_session(srv.addr, EIO).await;
    assert_eq!(poll(srv.addr, EIO, &sid).await.text(), "2");
    tokio::time::sleep(Duration::from_millis(550)).await;
    let r = poll(srv.addr, EIO, &sid).await;
    assert!(
        r.status == 400 || (r.status == 200 && r.text() == "1"),
        "{} {}",
        r.status,
        r.text()
    );
    assert_eq!(post(srv.addr, EIO, &sid, b"3").await.status, 400);
    // websocket: closed about pingInterval + pingTimeout after the open
    let (mut ws, _) = ws_open(srv.addr, EIO).await;
    let took = ws_expect_close(&mut ws, Duration::from_secs(3), false).await;
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_millis(1500),
        "closed after {took:?}"
    );
    assert!(srv.eio.stats().closed(CloseReason::PingTimeout) >= 2);
}

#[tokio::test]
async fn duplicate_get_closes_the_session() {
    let srv = start().await;
    let sid = polling_session(srv.addr, EIO).await;
    let (a, s2) = (srv.addr, sid.clone());
    let first = tokio::spawn(async move { poll(a, EIO, &s2).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let second = poll(srv.addr, EIO, &sid).await;
    assert_eq!(second.status, 400);
    let first = first.await.expect("first poll");
    assert_eq!((first.status, first.text().as_str()), (200, "1"));
    assert_eq!(poll(srv.addr, EIO, &sid).await.status, 400);
    assert!(srv.eio.session(&sid).is_none());
}

#[tokio::test]
async fn client_close_answers_the_pending_get_with_noop() {
    let srv = start().await;
    let sid = polling_session(srv.addr, EIO).await;
    let (a, s2) = (srv.addr, sid.clone());
    let pending = tokio::spawn(async move { poll(a, EIO, &s2).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(post(srv.addr, EIO, &sid, b"1").await.status, 200);
    let r = pending.await.expect("poll");
    assert_eq!((r.status, r.text().as_str()), (200, "6"));
    assert_eq!(poll(srv.addr, EIO, &sid).await.status, 400);
    // websocket: a close packet closes the connection
    let (mut ws, _) = ws_open(srv.addr, EIO).await;
    ws_send(&mut ws, "1").await;
    ws_expect_close(&mut ws, Duration::from_secs(2), false).await;
    assert_eq!(srv.eio.stats().closed(CloseReason::TransportClose), 2);
}

#[tokio::test]
async fn malformed_packets_close_the_session() {
    let srv = start().await;
    let sid = polling_session(srv.addr, EIO).await;
    let other = polling_session(srv.addr, EIO).await;
    for body in [&b"abc"[..], b"4ok\x1e9", b"bAQ!D", b"4a\x1e", b"\xff\xfe"] {
        let sid = polling_session(srv.addr, EIO).await;
        let r = post(srv.addr, EIO, &sid, body).await;
        assert_eq!(r.status, 400, "{body:?}");
        assert_eq!(poll(srv.addr, EIO, &sid).await.status, 400, "{body:?}");
    }
    let r = post(srv.addr, EIO, &sid, b"abc").await;
    assert_eq!(r.status, 400);
    // binary POST bodies are not Engine.IO v4
    let r = http_with(
        srv.addr,
        "POST",
        &format!("/engine.io/?EIO=4&transport=polling&sid={other}"),
        b"4x",
        &[("Content-Type", "application/octet-stream")],
    )
    .await;
    assert_eq!(r.status, 400);
    for frame in ["abc", "", "7", "0{}"] {
        let (mut ws, _) = ws_open(srv.addr, EIO).await;
        ws_send(&mut ws, frame).await;
        ws_expect_close(&mut ws, Duration::from_secs(2), false).await;
    }
    assert!(srv.eio.stats().closed(CloseReason::ParseError) >= 9);
    assert_echo_works(srv.addr).await;
}

#[tokio::test]
async fn oversize_polling_body_is_refused() {
    let srv = start().await;
    let sid = polling_session(srv.addr, EIO).await;
    let bystander = polling_session(srv.addr, EIO).await;
    let mut big = vec![b'x'; 1_000_001];
    big[0] = b'4';
    let r = post(srv.addr, EIO, &sid, &big).await;
    assert_eq!(r.status, 413);
    assert_eq!(poll(srv.addr, EIO, &sid).await.status, 400);
    // exactly maxPayload is fine
    let mut max = vec![b'y'; 1_000_000];
    max[0] = b'4';
    assert_eq!(post(srv.addr, EIO, &bystander, &max).await.status, 200);
    let r = poll(srv.addr, EIO, &bystander).await;
    assert_eq!(r.body, max);
    assert_echo_works(srv.addr).await;
}

#[tokio::test]
async fn oversize_websocket_message_is_refused() {
    let srv = start().await;
    let (mut bystander, _) = ws_open(srv.addr, EIO).await;
    // announced length over maxPayload: refused from the header alone
    let mut s = raw_ws(srv.addr, "/engine.io/?EIO=4&transport=websocket")
        .await
        .expect("upgrade");
    let mut header = vec![0x82, 0x80 | 127];
    header.extend_from_slice(&1_000_001u64.to_be_bytes());
    header.extend_from_slice(&[1, 2, 3, 4]);
    s.write(&header).await.expect("write");
    let close = s.read_until(0x8).await.expect("close frame");
    assert_eq!(close_code(&close), Some(1009));
    // fragments adding up to more than maxPayload
    let mut s = raw_ws(srv.addr, "/engine.io/?EIO=4&transport=websocket")
        .await
        .expect("upgrade");
    let part = vec![b'a'; 600_000];
    let mut first = part.clone();
    first[0] = b'4';
    s.write(&client_frame(false, 0x1, &first))
        .await
        .expect("write");
    let _ = s.write(&client_frame(true, 0x0, &part)).await;
    let close = s.read_until(0x8).await.expect("close frame");
    assert_eq!(close_code(&close), Some(1009));
    // a message of exactly maxPayload is accepted and echoed
    let mut max = vec![b'z'; 1_000_000];
    max[0] = b'4';
    let text = String::from_utf8(max).expect("ascii");
    ws_send(&mut bystander, &text).await;
    assert_eq!(ws_text(&mut bystander).await, text);
}

#[tokio::test]
async fn invalid_websocket_frames_close_the_connection() {
    let srv = start().await;
    let cases: Vec<(Vec<u8>, u16)> = vec![
        // unmasked
        (vec![0x81, 0x02, b'4', b'x'], 1002),
        // RSV1 set (no compression was negotiated)
        (
            [0xc1]
                .iter()
                .chain(&client_frame(true, 0x1, b"4x")[1..])
                .copied()
                .collect(),
            1002,
        ),
        // unknown opcode
        (client_frame(true, 0x3, b""), 1002),
        // text that is not UTF-8
        (client_frame(true, 0x1, b"4\xff\xfe"), 1007),
        // continuation without a message
        (client_frame(true, 0x0, b"4x"), 1002),
        // fragmented ping
        (client_frame(false, 0x9, b""), 1002),
    ];
    for (bytes, code) in cases {
        let mut s = raw_ws(srv.addr, "/engine.io/?EIO=4&transport=websocket")
            .await
            .expect("upgrade");
        s.read_until(0x1).await.expect("open packet");
        s.write(&bytes).await.expect("write");
        let close = s.read_until(0x8).await.expect("close frame");
        assert_eq!(close_code(&close), Some(code), "{bytes:?}");
    }
    assert_echo_works(srv.addr).await;
}

#[tokio::test]
async fn fragmented_messages_and_control_frames() {
    let srv = start().await;
    let mut s = raw_ws(srv.addr, "/engine.io/?EIO=4&transport=websocket")
        .await
        .expect("upgrade");
    s.read_until(0x1).await.expect("open packet");
    // text in three fragments with a ping in the middle, all in one write
    let mut bytes = client_frame(false, 0x1, b"4hel");
    bytes.extend(client_frame(true, 0x9, b"pp"));
    bytes.extend(client_frame(false, 0x0, b"lo "));
    bytes.extend(client_frame(true, 0x0, "wörld".as_bytes()));
    bytes.extend(client_frame(true, 0x2, &[9, 8, 7]));
    s.write(&bytes).await.expect("write");
    assert_eq!(s.read_until(0xA).await.as_deref(), Some(&b"pp"[..]));
    assert_eq!(
        s.read_until(0x1).await.as_deref(),
        Some("4hello wörld".as_bytes())
    );
    assert_eq!(s.read_until(0x2).await.as_deref(), Some(&[9u8, 8, 7][..]));
    // a frame split across many writes
    let frame = client_frame(true, 0x1, b"4split");
    for b in frame {
        s.write(&[b]).await.expect("write");
        s.s.flush().await.expect("flush");
    }
    assert_eq!(s.read_until(0x1).await.as_deref(), Some(&b"4split"[..]));
    // a client close frame is echoed
    s.write(&client_frame(true, 0x8, &1000u16.to_be_bytes()))
        .await
        .expect("write");
    let close = s.read_until(0x8).await.expect("close echo");
    assert_eq!(close_code(&close), Some(1000));
}

#[tokio::test]
async fn upgrade_from_polling_to_websocket() {
    let srv = start().await;
    let a = srv.addr;
    let sid = polling_session(a, EIO).await;
    let s2 = sid.clone();
    let pending = tokio::spawn(async move { poll(a, EIO, &s2).await });
    tokio::time::sleep(Duration::from_millis(30)).await;
    let mut ws = ws_connect(
        a,
        &format!("/engine.io/?EIO=4&transport=websocket&sid={sid}"),
    )
    .await;
    // a second websocket for the same sid while upgrading is accepted, then closed with
    // a close frame, as engine.io does (issue 8)
    let mut second = raw_ws(
        a,
        &format!("/engine.io/?EIO=4&transport=websocket&sid={sid}"),
    )
    .await
    .expect("accepted");
    assert_eq!(second.read_until(0x8).await, Some(Vec::new()));
    ws_send(&mut ws, "2probe").await;
    assert_eq!(ws_next(&mut ws).await, Got::Text("3probe".into()));
    // the pending GET is released with a noop
    let r = pending.await.expect("pending poll");
    assert_eq!((r.status, r.text().as_str()), (200, "6"));
    // data sent over polling before the upgrade completes is echoed on the websocket
    assert_eq!(post(a, EIO, &sid, b"4before").await.status, 200);
    assert_eq!(poll(a, EIO, &sid).await.text(), "6");
    ws_send(&mut ws, "5").await;
    assert_eq!(ws_text(&mut ws).await, "4before");
    ws_send(&mut ws, "4hello").await;
    assert_eq!(ws_text(&mut ws).await, "4hello");
    // the sid is now websocket-only
    assert_eq!(poll(a, EIO, &sid).await.status, 400);
    assert_eq!(post(a, EIO, &sid, b"4x").await.status, 400);
    let mut third = raw_ws(
        a,
        &format!("/engine.io/?EIO=4&transport=websocket&sid={sid}"),
    )
    .await
    .expect("accepted");
    assert_eq!(third.read_until(0x8).await, Some(Vec::new()));
    // heartbeats continue on the websocket
    for _ in 0..2 {
        assert_eq!(ws_next(&mut ws).await, Got::Text("2".into()));
        ws_send(&mut ws, "3").await;
    }
    assert_eq!(
        srv.eio
            .stats()
            .upgrades_total
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
}

#[tokio::test]
async fn failed_upgrade_keeps_polling() {
    let srv = start().await;
    let a = srv.addr;
    let sid = polling_session(a, EIO).await;
    // probe, then the websocket goes away before `5`
    let mut ws = ws_connect(
        a,
        &format!("/engine.io/?EIO=4&transport=websocket&sid={sid}"),
    )
    .await;
    ws_send(&mut ws, "2probe").await;
    assert_eq!(ws_next(&mut ws).await, Got::Text("3probe".into()));
    drop(ws);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(post(a, EIO, &sid, b"4still").await.status, 200);
    let r = poll(a, EIO, &sid).await;
    assert_eq!(r.text(), "4still");
    // an unexpected packet on the probing websocket closes only that websocket
    let mut ws = ws_connect(
        a,
        &format!("/engine.io/?EIO=4&transport=websocket&sid={sid}"),
    )
    .await;
    ws_send(&mut ws, "4nope").await;
    ws_expect_close(&mut ws, Duration::from_secs(2), false).await;
    assert_eq!(post(a, EIO, &sid, b"4again").await.status, 200);
    assert_eq!(poll(a, EIO, &sid).await.text(), "4again");
}

#[tokio::test]
async fn shutdown_closes_every_session() {
    let srv = start().await;
    let a = srv.addr;
    let (mut ws, _) = ws_open(a, EIO).await;
    let sid = polling_session(a, EIO).await;
    let pending = tokio::spawn(async move { poll(a, EIO, &sid).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    srv.token.cancel();
    let r = pending.await.expect("poll");
    assert_eq!(r.text(), "1");
    match ws_next(&mut ws).await {
        Got::Closed(code) => assert!(code.is_none() || code == Some(1001), "{code:?}"),
        other => panic!("expected close, got {other:?}"),
    }
    assert!(srv.eio.is_empty());
    // the listener is gone
    assert!(tokio::net::TcpStream::connect(a).await.is_err());
}

#[tokio::test]
async fn garbage_on_the_port_does_not_hurt() {
    let srv = start().await;
    for junk in [
        &b"\x16\x03\x01\x02\x00garbage"[..],
        b"GET / HTTP/1.1\r\n\r\n",
        b"\r\n\r\n",
    ] {
        let mut s = tokio::net::TcpStream::connect(srv.addr)
            .await
            .expect("connect");
        let _ = s.write_all(junk).await;
    }
    let r = http(srv.addr, "GET", "/nothing-here", b"").await;
    assert_eq!(r.status, 404);
    assert_echo_works(srv.addr).await;
}

#[tokio::test]
async fn upgrade_packet_without_probe_completes_the_upgrade() {
    let srv = start().await;
    let a = srv.addr;
    let sid = polling_session(a, EIO).await;
    let s2 = sid.clone();
    let pending = tokio::spawn(async move { poll(a, EIO, &s2).await });
    tokio::time::sleep(Duration::from_millis(30)).await;
    let mut ws = ws_connect(
        a,
        &format!("/engine.io/?EIO=4&transport=websocket&sid={sid}"),
    )
    .await;
    ws_send(&mut ws, "5").await;
    ws_send(&mut ws, "4direct").await;
    assert_eq!(ws_text(&mut ws).await, "4direct");
    assert_eq!(pending.await.expect("poll").text(), "6");
    assert_eq!(poll(a, EIO, &sid).await.status, 400);
}
