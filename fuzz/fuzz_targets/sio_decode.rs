//! Socket.IO decoding with binary-attachment reassembly: the input is a sequence of
//! Engine.IO messages (text headers and binary attachments) fed to one per-connection
//! `Decoder`, as a node does, plus the one-shot `decode` of each text message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtctl::engine::sio::{self, Decoder, PacketData};

fuzz_target!(|data: &[u8]| {
    // Messages are separated by 0x1e (the polling separator); a message starting with
    // 0x00 is binary, anything else is text.
    let mut decoder = Decoder::with_limits(4, 4096);
    for msg in data.split(|&b| b == 0x1e) {
        let result = match msg.split_first() {
            Some((0, bin)) => decoder.decode_binary(bytes::Bytes::copy_from_slice(bin)),
            _ => match std::str::from_utf8(msg) {
                Ok(text) => {
                    let one = sio::decode(text);
                    if let Ok(p) = &one {
                        check(p);
                    }
                    decoder.decode_text(text)
                }
                Err(_) => continue,
            },
        };
        match result {
            Ok(Some(p)) => {
                assert!(!decoder.is_reassembling());
                check(&p);
            }
            Ok(None) => {}
            Err(_) => decoder.reset(),
        }
    }
});

/// What decodes is consistent: its accessors do not panic, and its encoding decodes to
/// the same packet.
fn check(p: &sio::Packet) {
    match &p.data {
        PacketData::Event(e) => {
            let _ = e.name();
            let _ = e.csr_offset();
            let args = e.args();
            let _ = (args.len(), args.get(0), args.as_str());
        }
        PacketData::Ack(a) => {
            let args = a.args();
            let _ = (args.len(), args.get(0), args.as_str());
        }
        _ => {}
    }
    let enc = p.encode();
    let mut d = Decoder::with_limits(usize::MAX, usize::MAX);
    let mut back = d.decode_text(enc.sio_str()).expect("own encoding decodes");
    for a in &enc.attachments {
        assert!(back.is_none());
        back = d.decode_binary(a.clone()).expect("own attachment decodes");
    }
    assert_eq!(back.as_ref(), Some(p), "encode/decode round trip");
}
