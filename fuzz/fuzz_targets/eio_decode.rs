//! Engine.IO decoding: a polling POST body (all its packets), one polling segment, and a
//! WebSocket text or binary message, through rtctl's real decoders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtctl::engine::eio;

/// The default `maxPayload` of a node (1 MB) is larger than any fuzz input; a small limit
/// also exercises the size check.
const MAX_PAYLOAD: usize = 1_000_000;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        // polling body: iteration stops at the first invalid packet
        0 => {
            if let Ok(iter) = eio::decode_payload(body, MAX_PAYLOAD) {
                for p in iter {
                    if let Ok(p) = p {
                        // what decodes re-encodes to a frame that decodes the same
                        let frame = p.to_frame();
                        let again = frame.decode().expect("a re-encoded packet decodes");
                        assert_eq!(again.packet_type(), p.packet_type());
                    }
                }
            }
            let _ = eio::decode_payload_vec(body, 64);
        }
        // WebSocket text message
        1 => {
            if let Ok(text) = std::str::from_utf8(body) {
                let _ = eio::decode_text(text);
                let _ = eio::decode_polling_packet(text);
                let _ = eio::Handshake::parse(text);
            }
        }
        // WebSocket binary message
        2 => {
            let p = eio::decode_binary(body);
            assert_eq!(p.packet_type(), eio::decode_binary(body).packet_type());
        }
        // a frame as the server queues it
        _ => {
            let frame = eio::Frame::Binary(bytes::Bytes::copy_from_slice(body));
            let _ = frame.decode();
            let mut out = Vec::new();
            frame.encode_polling(&mut out);
            let back =
                eio::decode_payload_vec(&out, usize::MAX).expect("own polling encoding decodes");
            assert_eq!(back.len(), 1);
        }
    }
});
