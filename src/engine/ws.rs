//! Hand-written RFC 6455 WebSocket framing (server side) for the engine.
//!
//! Only what an Engine.IO server needs: the opening handshake key, the
//! parsing of client frames (always masked) and the encoding of server frame
//! headers (never masked). No extension is negotiated (a `permessage-deflate`
//! offer is declined by not echoing it), so the RSV bits must be zero.
//!
//! Parsing works on a contiguous, mutable buffer and unmasks payloads in
//! place; it never allocates. The connection keeps incomplete frames in a
//! buffer that is released as soon as the frame is complete, so an idle
//! connection holds no read buffer at all (see the `conn` module).

use base64::Engine as _;
use sha1::{Digest, Sha1};

/// The GUID of RFC 6455 §1.3 used to compute `Sec-WebSocket-Accept`.
const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Largest frame header a server writes: 2 bytes + 8 bytes of length.
pub const MAX_HEADER: usize = 10;

/// Frame opcodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum OpCode {
    /// `0x0`: continuation of a fragmented message.
    Continuation = 0x0,
    /// `0x1`: text (UTF-8).
    Text = 0x1,
    /// `0x2`: binary.
    Binary = 0x2,
    /// `0x8`: close.
    Close = 0x8,
    /// `0x9`: ping.
    Ping = 0x9,
    /// `0xA`: pong.
    Pong = 0xA,
}

impl OpCode {
    fn from_u8(b: u8) -> Option<Self> {
        Some(match b {
            0x0 => OpCode::Continuation,
            0x1 => OpCode::Text,
            0x2 => OpCode::Binary,
            0x8 => OpCode::Close,
            0x9 => OpCode::Ping,
            0xA => OpCode::Pong,
            _ => return None,
        })
    }

    /// `true` for close, ping and pong.
    pub fn is_control(self) -> bool {
        (self as u8) & 0x8 != 0
    }
}

/// Close status codes used by the engine (RFC 6455 §7.4.1).
pub mod close_code {
    /// Normal closure.
    pub const NORMAL: u16 = 1000;
    /// The server is going away (shutdown).
    pub const GOING_AWAY: u16 = 1001;
    /// Protocol error (bad framing, unmasked frame, …).
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// Text that is not UTF-8.
    pub const INVALID_PAYLOAD: u16 = 1007;
    /// Policy violation (e.g. an Engine.IO protocol error).
    pub const POLICY: u16 = 1008;
    /// Message larger than the configured maximum.
    pub const TOO_BIG: u16 = 1009;
}

/// A framing error: the connection must be closed with [`WsError::close_code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WsError {
    /// Reserved bits set (no extension was negotiated).
    #[error("reserved bits set")]
    Reserved,
    /// Unknown opcode.
    #[error("unknown opcode {0:#x}")]
    UnknownOpCode(u8),
    /// A client frame without mask.
    #[error("unmasked client frame")]
    Unmasked,
    /// A control frame that is fragmented or longer than 125 bytes.
    #[error("invalid control frame")]
    BadControl,
    /// A 64-bit length with the most significant bit set.
    #[error("invalid frame length")]
    BadLength,
    /// A message (or frame) larger than the limit.
    #[error("message of {0} bytes exceeds the limit")]
    TooBig(u64),
    /// A continuation frame without a message in progress, or a new data
    /// frame while one is in progress.
    #[error("unexpected continuation")]
    BadContinuation,
    /// A text message that is not UTF-8.
    #[error("text message is not UTF-8")]
    InvalidUtf8,
}

impl WsError {
    /// The close status code to send for this error.
    pub fn close_code(self) -> u16 {
        match self {
            WsError::TooBig(_) => close_code::TOO_BIG,
            WsError::InvalidUtf8 => close_code::INVALID_PAYLOAD,
            _ => close_code::PROTOCOL_ERROR,
        }
    }
}

/// A parsed frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// Final fragment of a message.
    pub fin: bool,
    /// The opcode.
    pub opcode: OpCode,
    /// Size of the header (2–14 bytes).
    pub header_len: usize,
    /// Payload length.
    pub payload_len: u64,
    /// Masking key.
    pub mask: [u8; 4],
}

impl FrameHeader {
    /// Header plus payload length, saturating.
    pub fn frame_len(&self) -> u64 {
        (self.header_len as u64).saturating_add(self.payload_len)
    }
}

/// Parses a client frame header at the start of `buf`.
///
/// Returns `Ok(None)` when more bytes are needed. `max_payload` bounds the
/// payload length of a data frame (checked from the header, before anything
/// is buffered).
pub fn parse_header(buf: &[u8], max_payload: u64) -> Result<Option<FrameHeader>, WsError> {
    if buf.len() < 2 {
        return Ok(None);
    }
    let b0 = buf[0];
    let b1 = buf[1];
    if b0 & 0x70 != 0 {
        return Err(WsError::Reserved);
    }
    let fin = b0 & 0x80 != 0;
    let opcode = OpCode::from_u8(b0 & 0x0f).ok_or(WsError::UnknownOpCode(b0 & 0x0f))?;
    if b1 & 0x80 == 0 {
        return Err(WsError::Unmasked);
    }
    let (len, mut pos) = match b1 & 0x7f {
        126 => {
            if buf.len() < 4 {
                return Ok(None);
            }
            (u64::from(u16::from_be_bytes([buf[2], buf[3]])), 4)
        }
        127 => {
            if buf.len() < 10 {
                return Ok(None);
            }
            let mut b = [0u8; 8];
            b.copy_from_slice(&buf[2..10]);
            let n = u64::from_be_bytes(b);
            if n >> 63 != 0 {
                return Err(WsError::BadLength);
            }
            (n, 10)
        }
        n => (u64::from(n), 2),
    };
    if opcode.is_control() && (!fin || len > 125) {
        return Err(WsError::BadControl);
    }
    if len > max_payload {
        return Err(WsError::TooBig(len));
    }
    if buf.len() < pos + 4 {
        return Ok(None);
    }
    let mut mask = [0u8; 4];
    mask.copy_from_slice(&buf[pos..pos + 4]);
    pos += 4;
    Ok(Some(FrameHeader {
        fin,
        opcode,
        header_len: pos,
        payload_len: len,
        mask,
    }))
}

/// Unmasks (or masks) `data` in place; `offset` is the position of `data[0]`
/// within the frame payload.
pub fn apply_mask(data: &mut [u8], mask: [u8; 4], offset: usize) {
    // rotate the key so that the loop can start at index 0
    let m = u32::from_ne_bytes([
        mask[offset % 4],
        mask[(offset + 1) % 4],
        mask[(offset + 2) % 4],
        mask[(offset + 3) % 4],
    ]);
    let mut chunks = data.chunks_exact_mut(4);
    for c in &mut chunks {
        let v = u32::from_ne_bytes([c[0], c[1], c[2], c[3]]) ^ m;
        c.copy_from_slice(&v.to_ne_bytes());
    }
    let key = m.to_ne_bytes();
    for (i, b) in chunks.into_remainder().iter_mut().enumerate() {
        *b ^= key[i];
    }
}

/// Writes an unmasked server frame header into `out`; returns its length.
pub fn write_header(out: &mut [u8; MAX_HEADER], opcode: OpCode, payload_len: usize) -> usize {
    out[0] = 0x80 | opcode as u8;
    if payload_len < 126 {
        out[1] = payload_len as u8;
        2
    } else if let Ok(n) = u16::try_from(payload_len) {
        out[1] = 126;
        out[2..4].copy_from_slice(&n.to_be_bytes());
        4
    } else {
        out[1] = 127;
        out[2..10].copy_from_slice(&(payload_len as u64).to_be_bytes());
        10
    }
}

/// The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key`.
pub fn accept_key(key: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(key);
    h.update(GUID);
    base64::engine::general_purpose::STANDARD.encode(h.finalize())
}

/// The payload of a close frame: status code and an optional reason.
pub fn close_payload(code: u16, reason: &str) -> Vec<u8> {
    let reason = &reason.as_bytes()[..reason.len().min(123)];
    let mut v = Vec::with_capacity(2 + reason.len());
    v.extend_from_slice(&code.to_be_bytes());
    v.extend_from_slice(reason);
    v
}

/// Validates a received close frame payload (RFC 6455 §5.5.1, §7.4) and
/// returns the code to echo back.
pub fn parse_close(payload: &[u8]) -> Result<u16, WsError> {
    match payload.len() {
        0 => Ok(close_code::NORMAL),
        1 => Err(WsError::BadControl),
        _ => {
            let code = u16::from_be_bytes([payload[0], payload[1]]);
            let valid = matches!(code, 1000..=1003 | 1007..=1011 | 3000..=4999);
            if !valid {
                return Err(WsError::BadControl);
            }
            std::str::from_utf8(&payload[2..]).map_err(|_| WsError::InvalidUtf8)?;
            Ok(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(opcode: u8, fin: bool, payload: &[u8], mask: [u8; 4]) -> Vec<u8> {
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
        let mut p = payload.to_vec();
        apply_mask(&mut p, mask, 0);
        v.extend_from_slice(&p);
        v
    }

    #[test]
    fn rfc_accept_key() {
        // RFC 6455 §1.3 example
        assert_eq!(
            accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn parse_small_medium_large() {
        for n in [0usize, 5, 125, 126, 300, 65535, 65536, 70000] {
            let payload: Vec<u8> = (0..n).map(|i| i as u8).collect();
            let mut frame = masked(0x2, true, &payload, [1, 2, 3, 4]);
            // incomplete headers need more bytes
            for cut in 0..2 {
                assert_eq!(parse_header(&frame[..cut], 1 << 20).unwrap(), None);
            }
            let h = parse_header(&frame, 1 << 20).unwrap().unwrap();
            assert_eq!(h.payload_len, n as u64);
            assert_eq!(h.opcode, OpCode::Binary);
            assert!(h.fin);
            assert_eq!(h.frame_len() as usize, frame.len());
            let body = &mut frame[h.header_len..];
            apply_mask(body, h.mask, 0);
            assert_eq!(body, &payload[..]);
        }
    }

    #[test]
    fn mask_in_pieces_matches_whole() {
        let data: Vec<u8> = (0..37u8).collect();
        let mask = [9, 8, 7, 6];
        let mut whole = data.clone();
        apply_mask(&mut whole, mask, 0);
        let mut pieces = data.clone();
        let (a, b) = pieces.split_at_mut(5);
        apply_mask(a, mask, 0);
        apply_mask(b, mask, 5);
        assert_eq!(whole, pieces);
    }

    #[test]
    fn header_errors() {
        // unmasked
        assert_eq!(
            parse_header(&[0x81, 0x01, b'a'], 100),
            Err(WsError::Unmasked)
        );
        // rsv1 (compressed)
        assert_eq!(
            parse_header(&[0xc1, 0x81, 0, 0, 0, 0, b'a'], 100),
            Err(WsError::Reserved)
        );
        // unknown opcode
        assert_eq!(
            parse_header(&[0x83, 0x80, 0, 0, 0, 0], 100),
            Err(WsError::UnknownOpCode(3))
        );
        // fragmented ping
        assert_eq!(
            parse_header(&[0x09, 0x80, 0, 0, 0, 0], 100),
            Err(WsError::BadControl)
        );
        // control frame too long
        assert_eq!(
            parse_header(&[0x89, 0x80 | 126, 0, 126, 0, 0, 0, 0], 1000),
            Err(WsError::BadControl)
        );
        // too big, detected from the header alone
        assert_eq!(
            parse_header(&[0x82, 0x80 | 127, 0, 0, 0, 0, 0, 1, 0, 0], 1000),
            Err(WsError::TooBig(65536))
        );
        // 64-bit length with MSB set
        assert_eq!(
            parse_header(&[0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0], u64::MAX),
            Err(WsError::BadLength)
        );
        assert_eq!(WsError::TooBig(1).close_code(), 1009);
        assert_eq!(WsError::InvalidUtf8.close_code(), 1007);
        assert_eq!(WsError::Unmasked.close_code(), 1002);
    }

    #[test]
    fn server_headers() {
        let mut h = [0u8; MAX_HEADER];
        assert_eq!(write_header(&mut h, OpCode::Text, 5), 2);
        assert_eq!(&h[..2], &[0x81, 5]);
        assert_eq!(write_header(&mut h, OpCode::Binary, 126), 4);
        assert_eq!(&h[..4], &[0x82, 126, 0, 126]);
        assert_eq!(write_header(&mut h, OpCode::Binary, 65536), 10);
        assert_eq!(&h[..10], &[0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
    }

    #[test]
    fn close_payloads() {
        assert_eq!(parse_close(&[]), Ok(1000));
        assert_eq!(parse_close(&[3]), Err(WsError::BadControl));
        assert_eq!(parse_close(&close_payload(1001, "bye")), Ok(1001));
        assert_eq!(
            parse_close(&close_payload(1005, "")),
            Err(WsError::BadControl)
        );
        assert_eq!(parse_close(&[0x03, 0xe8, 0xff]), Err(WsError::InvalidUtf8));
        assert_eq!(close_payload(1000, &"x".repeat(200)).len(), 125);
    }
}
