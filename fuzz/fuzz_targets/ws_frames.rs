//! The WebSocket frame parser: a byte stream from a client cut into frames as the node's
//! connection does (`parse_header`, unmasking, fragmented messages, close payloads), each
//! complete text message then decoded as Engine.IO.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtctl::engine::{eio, ws};

const MAX_PAYLOAD: u64 = 100_000;

fuzz_target!(|data: &[u8]| {
    let mut buf = data.to_vec();
    let mut pos = 0;
    let mut partial: Option<(ws::OpCode, Vec<u8>)> = None;
    loop {
        let header = match ws::parse_header(&buf[pos..], MAX_PAYLOAD) {
            Ok(Some(h)) => h,
            Ok(None) => break,
            Err(e) => {
                let _ = e.close_code();
                break;
            }
        };
        assert!(header.payload_len <= MAX_PAYLOAD);
        assert!((2..=14).contains(&header.header_len));
        let total = header.frame_len() as usize;
        if buf.len() - pos < total {
            break;
        }
        let payload = &mut buf[pos + header.header_len..pos + total];
        let original = payload.to_vec();
        // unmasking in two pieces (as bytes arrive) equals unmasking at once
        let cut = payload.len() / 3;
        let mut split = original.clone();
        let (a, b) = split.split_at_mut(cut);
        ws::apply_mask(a, header.mask, 0);
        ws::apply_mask(b, header.mask, cut);
        ws::apply_mask(payload, header.mask, 0);
        assert_eq!(&split[..], &payload[..]);
        let mut twice = payload.to_vec();
        ws::apply_mask(&mut twice, header.mask, 0);
        assert_eq!(twice, original, "masking is an involution");

        match header.opcode {
            ws::OpCode::Text | ws::OpCode::Binary => {
                if partial.is_some() {
                    break;
                }
                if header.fin {
                    message(header.opcode, payload);
                } else {
                    partial = Some((header.opcode, payload.to_vec()));
                }
            }
            ws::OpCode::Continuation => {
                let Some((op, mut data)) = partial.take() else {
                    break;
                };
                if (data.len() + payload.len()) as u64 > MAX_PAYLOAD {
                    break;
                }
                data.extend_from_slice(payload);
                if header.fin {
                    message(op, &data);
                } else {
                    partial = Some((op, data));
                }
            }
            ws::OpCode::Close => {
                if let Ok(code) = ws::parse_close(payload) {
                    let echo = ws::close_payload(code, "");
                    assert_eq!(ws::parse_close(&echo), Ok(code));
                }
                break;
            }
            ws::OpCode::Ping | ws::OpCode::Pong => {
                assert!(payload.len() <= 125);
            }
        }
        pos += total;
    }
});

fn message(op: ws::OpCode, data: &[u8]) {
    if op == ws::OpCode::Text {
        if let Ok(text) = std::str::from_utf8(data) {
            let _ = eio::decode_text(text);
        }
    } else {
        let _ = eio::decode_binary(data);
    }
}
