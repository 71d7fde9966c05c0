//! The WebSocket connection: one hand-written future (one task) per
//! connection that reads frames, feeds the session and writes its queue.
//!
//! Memory while idle is the future itself (a few hundred bytes) plus the
//! socket: reads go into a buffer on the poll's stack, and only an
//! incomplete frame is copied into a heap buffer, which is freed as soon as
//! the frame is complete. Outgoing frames are taken from the session's queue
//! in batches and written with one vectored write per batch (coalescing
//! whatever was queued while the previous write was in flight).

use std::collections::VecDeque;
use std::future::Future;
use std::io::IoSlice;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use std::num::NonZeroU64;

use super::eio::{self, Frame, FrameKind, Packet};
use super::http::ConnCount;
use super::server::{CloseReason, EioHandler, Session, WsSync};
use super::tcp::SharedTcp;
use super::ws::{self, close_code, OpCode, WsError};

/// Bytes read per `read` call (on the stack of the poll, not in the future).
const READ_CHUNK: usize = 8 * 1024;
/// Reads per poll before yielding to other tasks.
const READS_PER_POLL: usize = 16;
/// Frames per vectored write.
const FRAMES_PER_WRITE: usize = 32;
/// Control frames (pongs to WebSocket pings) waiting to be written beyond which the peer is
/// taken for one that sends without reading, and dropped.
const MAX_CTL_PENDING: usize = 8 * 1024;
/// `3probe` answers waiting to be written on a probing WebSocket beyond which it is dropped.
const MAX_PROBE_REPLIES: usize = 16;
/// Time allowed to flush the close frame before the socket is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// A WebSocket's stream. A plain TCP stream can also be written by its session directly
/// (see `Session::send_direct`).
pub(crate) trait WsIo: AsyncRead + AsyncWrite + Unpin {
    /// A second handle to the stream for the session's direct writes, where it has one.
    fn direct(&self) -> Option<SharedTcp> {
        None
    }
}

impl WsIo for SharedTcp {
    fn direct(&self) -> Option<SharedTcp> {
        Some(self.clone())
    }
}

/// Upgraded streams that are not plain TCP (other embeddings): the task writes everything.
impl WsIo for hyper_util::rt::TokioIo<hyper::upgrade::Upgraded> {}

/// The connection's role towards its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The session's transport.
    Active,
    /// Attached to a polling session, waiting for `2probe` / `5` (the upgrade's token;
    /// tokens start at 1, so the role is 8 bytes).
    Probing(NonZeroU64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Open,
    /// Write what is pending, then the close frame, then shut down.
    Closing,
    Done,
}

/// A data message being reassembled from fragments.
struct Partial {
    opcode: OpCode,
    data: Vec<u8>,
}

/// What a read left unfinished: an incomplete frame, a fragmented message. Most reads end on
/// a frame boundary, so this is boxed and absent while the connection is idle.
#[derive(Default)]
struct Unfinished {
    /// Bytes of an incomplete frame.
    rbuf: Vec<u8>,
    /// A fragmented message in progress.
    partial: Option<Partial>,
}

/// The connection future. Every idle connection holds one, inside its tokio task cell (which is
/// aligned to 128 bytes): kept at ≤ 128 bytes so that the cell is 256 bytes, not 384 or 512
/// (a test pins it). Rarely used state is boxed.
pub(crate) struct WsConn<H: EioHandler, IO> {
    io: IO,
    session: Arc<Session<H>>,
    role: Role,
    /// Engine.IO frames being written.
    out: VecDeque<Frame>,
    /// Bytes of `out[0]` (header included) already written (a frame is < 4 GiB: the payload
    /// bound is a `usize` configured far below).
    out_pos: u32,
    phase: Phase,
    /// An incomplete frame or fragmented message (`None` when idle).
    unfinished: Option<Box<Unfinished>>,
    /// Control frames and closing state (rarely used, so boxed).
    ctl: Option<Box<Control>>,
    /// Keeps the connection counted by the guarded server while the WebSocket lives.
    _held: Option<ConnCount>,
}

/// Control frames waiting for a frame boundary, and the closing handshake.
#[derive(Default)]
struct Control {
    /// Encoded control frames (pongs; the close frame last).
    buf: Vec<u8>,
    pos: usize,
    /// The close frame, written once everything else is.
    close_frame: Option<Vec<u8>>,
    /// The close frame was moved to `buf`.
    close_written: bool,
    /// Our side of the TCP connection is shut down; reading until the peer
    /// closes (so that unread data does not turn the close into a reset).
    draining: bool,
    /// Deadline of the closing handshake.
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<H: EioHandler, IO: WsIo> WsConn<H, IO> {
    /// A connection over `io`.
    pub(crate) fn new(io: IO, session: Arc<Session<H>>, role: Role) -> Self {
        if role == Role::Active {
            if let Some(w) = io.direct() {
                session.attach_writer(w);
            }
        }
        WsConn {
            io,
            session,
            role,
            out: VecDeque::new(),
            out_pos: 0,
            phase: Phase::Open,
            unfinished: None,
            ctl: None,
            _held: None,
        }
    }

    /// Keeps `held` (the guarded server's count of this connection) until the WebSocket ends.
    pub(crate) fn holding(mut self, held: Option<ConnCount>) -> Self {
        self._held = held;
        self
    }

    fn max_payload(&self) -> u64 {
        self.session.shared.config.max_payload as u64
    }

    fn control(&mut self) -> &mut Control {
        self.ctl.get_or_insert_with(Box::default)
    }

    /// Control bytes still to write.
    fn ctl_pending(&self) -> bool {
        self.ctl.as_ref().is_some_and(|c| c.pos < c.buf.len())
    }

    /// A connection over `io`; `pre` holds bytes already read past the HTTP
    /// request (copied out of hyper's buffer, which is released).
    pub(crate) fn with_pre(io: IO, mut pre: Vec<u8>, session: Arc<Session<H>>, role: Role) -> Self {
        let mut conn = WsConn::new(io, session, role);
        if !pre.is_empty() {
            conn.on_bytes(&mut pre);
        }
        conn
    }

    /// Starts the closing handshake with `code` (once).
    fn start_close(&mut self, code: u16, reason: &str) {
        if self.phase != Phase::Open {
            return;
        }
        self.phase = Phase::Closing;
        self.unfinished = None;
        let mut frame = Vec::new();
        encode_control(&mut frame, OpCode::Close, &ws::close_payload(code, reason));
        self.control().close_frame = Some(frame);
    }

    /// Like [`Self::start_close`], but nothing queued is written first
    /// (except the rest of a partly written frame).
    fn abort_with_close(&mut self, code: u16, reason: &str) {
        if self.out_pos > 0 {
            self.out.truncate(1);
        } else {
            self.out.clear();
        }
        self.start_close(code, reason);
    }

    fn push_ctl(&mut self, op: OpCode, payload: &[u8]) {
        let ctl = self.control();
        if ctl.buf.len() - ctl.pos > MAX_CTL_PENDING {
            return self.control_overflow();
        }
        encode_control(&mut self.control().buf, op, payload);
    }

    /// The peer keeps asking for replies it does not read: drop the connection (its memory
    /// would otherwise grow with every request).
    fn control_overflow(&mut self) {
        tracing::info!(sid = %self.session.sid(), "websocket replies not read: closing");
        self.session
            .shared
            .stats
            .control_overflow_total
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.lost(CloseReason::SendQueueFull);
    }

    /// The transport failed or closed under us.
    fn lost(&mut self, reason: CloseReason) {
        match self.role {
            Role::Active => self.session.close(reason),
            Role::Probing(token) => self.session.abort_upgrade(token.get()),
        }
        self.phase = Phase::Done;
    }

    /// A framing or protocol error from the client.
    fn protocol_error(&mut self, err: WsError) {
        tracing::debug!(sid = %self.session.sid(), %err, "websocket protocol error");
        match self.role {
            Role::Active => self.session.close(CloseReason::TransportError),
            Role::Probing(token) => self.session.abort_upgrade(token.get()),
        }
        self.abort_with_close(err.close_code(), "");
    }

    /// Parses and handles the frames at the start of `buf`; returns the
    /// number of bytes consumed (the rest is an incomplete frame).
    fn parse(&mut self, buf: &mut [u8]) -> usize {
        let mut pos = 0;
        while self.phase == Phase::Open {
            let header = match ws::parse_header(&buf[pos..], self.max_payload()) {
                Ok(Some(h)) => h,
                Ok(None) => break,
                Err(e) => {
                    self.protocol_error(e);
                    return buf.len();
                }
            };
            let total = header.frame_len() as usize;
            if buf.len() - pos < total {
                break;
            }
            let payload = &mut buf[pos + header.header_len..pos + total];
            ws::apply_mask(payload, header.mask, 0);
            self.on_frame(header.fin, header.opcode, payload);
            pos += total;
        }
        pos
    }

    /// Feeds bytes read from the socket.
    fn on_bytes(&mut self, data: &mut [u8]) {
        let pending = self
            .unfinished
            .as_mut()
            .map(|u| std::mem::take(&mut u.rbuf));
        match pending {
            Some(mut buf) if !buf.is_empty() => {
                buf.extend_from_slice(data);
                let used = self.parse(&mut buf);
                if self.phase == Phase::Open && used < buf.len() {
                    buf.drain(..used);
                    // reserve exactly the frame in progress, nothing more
                    if let Ok(Some(h)) = ws::parse_header(&buf, self.max_payload()) {
                        let total = h.frame_len() as usize;
                        buf.reserve_exact(total.saturating_sub(buf.len()));
                    }
                    self.unfinished().rbuf = buf;
                }
            }
            _ => {
                let used = self.parse(data);
                if used < data.len() && self.phase == Phase::Open {
                    self.unfinished().rbuf = data[used..].to_vec();
                }
            }
        }
        self.release_unfinished();
    }

    fn unfinished(&mut self) -> &mut Unfinished {
        self.unfinished.get_or_insert_with(Box::default)
    }

    /// Frees the read state once nothing is unfinished.
    fn release_unfinished(&mut self) {
        if self
            .unfinished
            .as_ref()
            .is_some_and(|u| u.rbuf.is_empty() && u.partial.is_none())
        {
            self.unfinished = None;
        }
    }

    fn partial(&mut self) -> Option<&mut Partial> {
        self.unfinished.as_mut().and_then(|u| u.partial.as_mut())
    }

    fn on_frame(&mut self, fin: bool, op: OpCode, payload: &mut [u8]) {
        match op {
            OpCode::Text | OpCode::Binary => {
                if self.partial().is_some() {
                    return self.protocol_error(WsError::BadContinuation);
                }
                if fin {
                    self.on_message(op, payload);
                } else {
                    self.unfinished().partial = Some(Partial {
                        opcode: op,
                        data: payload.to_vec(),
                    });
                }
            }
            OpCode::Continuation => {
                let max = self.max_payload();
                let Some(p) = self.partial() else {
                    return self.protocol_error(WsError::BadContinuation);
                };
                let len = p.data.len() + payload.len();
                if len as u64 > max {
                    return self.protocol_error(WsError::TooBig(len as u64));
                }
                p.data.extend_from_slice(payload);
                if fin {
                    if let Some(mut p) = self.unfinished.as_mut().and_then(|u| u.partial.take()) {
                        self.on_message(p.opcode, &mut p.data);
                    }
                }
            }
            OpCode::Close => {
                let code = match ws::parse_close(payload) {
                    Ok(c) => c,
                    Err(e) => return self.protocol_error(e),
                };
                tracing::trace!(sid = %self.session.sid(), code, "client close frame");
                self.lost(CloseReason::TransportClose);
                // lost() marked us done; echo the close frame before leaving
                self.phase = Phase::Open;
                self.start_close(code, "");
            }
            OpCode::Ping => self.push_ctl(OpCode::Pong, payload),
            OpCode::Pong => {}
        }
    }

    fn on_message(&mut self, op: OpCode, data: &mut [u8]) {
        let packet = if op == OpCode::Text {
            let Ok(text) = std::str::from_utf8(data) else {
                return self.protocol_error(WsError::InvalidUtf8);
            };
            match eio::decode_text(text) {
                Ok(p) => p,
                Err(err) => {
                    tracing::debug!(sid = %self.session.sid(), %err, "invalid engine.io packet");
                    match self.role {
                        Role::Active => self.session.close(CloseReason::ParseError),
                        Role::Probing(token) => self.session.abort_upgrade(token.get()),
                    }
                    return self.abort_with_close(close_code::POLICY, "parse error");
                }
            }
        } else {
            Packet::Binary(std::borrow::Cow::Borrowed(&*data))
        };
        match self.role {
            Role::Active => {
                self.session.on_packet(packet);
            }
            Role::Probing(token) => self.on_probe_packet(token.get(), packet),
        }
    }

    /// Packets on a WebSocket that is not the transport yet.
    fn on_probe_packet(&mut self, token: u64, packet: Packet<'_>) {
        match packet {
            Packet::Ping(data) if data == "probe" => {
                if self.out.len() >= MAX_PROBE_REPLIES {
                    self.control_overflow();
                } else if self.session.upgrade_probed(token) {
                    self.out.push_back(Frame::PONG_PROBE);
                } else {
                    self.start_close(close_code::NORMAL, "");
                }
            }
            Packet::Upgrade => {
                // the real waker is registered at the next sync
                match self
                    .session
                    .complete_upgrade(token, std::task::Waker::noop())
                {
                    Some(frames) => {
                        self.role = Role::Active;
                        self.out.extend(frames);
                        if let Some(w) = self.io.direct() {
                            self.session.attach_writer(w);
                        }
                    }
                    None => self.start_close(close_code::NORMAL, ""),
                }
            }
            Packet::Noop => {}
            _ => {
                // the official server closes the probing transport
                self.session.abort_upgrade(token);
                self.start_close(close_code::POLICY, "unexpected packet during upgrade");
            }
        }
    }

    /// Writes control bytes and frames; `Ready(Err)` on I/O failure,
    /// `Ready(Ok)` when everything pending is written.
    fn poll_write_out(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        loop {
            // control frames go out at frame boundaries
            if self.out_pos == 0 && self.ctl_pending() {
                let Some(ctl) = self.ctl.as_mut() else {
                    continue;
                };
                let n = match Pin::new(&mut self.io).poll_write(cx, &ctl.buf[ctl.pos..]) {
                    Poll::Ready(Ok(0)) => {
                        return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()))
                    }
                    Poll::Ready(Ok(n)) => n,
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => return Poll::Pending,
                };
                ctl.pos += n;
                if ctl.pos == ctl.buf.len() {
                    ctl.buf = Vec::new();
                    ctl.pos = 0;
                    if self.phase == Phase::Open {
                        self.ctl = None;
                    }
                }
                continue;
            }
            if self.out.is_empty() {
                self.out = VecDeque::new();
                if self.phase != Phase::Closing || self.ctl_pending() {
                    return Poll::Ready(Ok(()));
                }
                let ctl = self.control();
                let Some(frame) = ctl.close_frame.take() else {
                    return Poll::Ready(Ok(()));
                };
                // the close frame goes last, through the control buffer
                ctl.buf = frame;
                ctl.pos = 0;
                ctl.close_written = true;
                continue;
            }
            let batch = Batch::new(self.out.iter());
            let mut slices = [IoSlice::new(&[]); FRAMES_PER_WRITE * 2];
            let n_slices = batch.slices(self.out.iter(), self.out_pos as usize, &mut slices);
            let n = match Pin::new(&mut self.io).poll_write_vectored(cx, &slices[..n_slices]) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()))
                }
                Poll::Ready(Ok(n)) => n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            };
            let (whole, pos) = batch.advance(self.out.iter(), self.out_pos, n);
            self.out.drain(..whole);
            self.out_pos = pos;
        }
    }

    /// Reads and discards until the peer closes; `Pending` while it has not.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        for _ in 0..READS_PER_POLL {
            let mut buf = [0u8; READ_CHUNK];
            let mut rb = ReadBuf::new(&mut buf);
            match Pin::new(&mut self.io).poll_read(cx, &mut rb) {
                Poll::Ready(Ok(())) if !rb.filled().is_empty() => {}
                Poll::Ready(_) => return Poll::Ready(()),
                Poll::Pending => return Poll::Pending,
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    /// Picks up frames from the session (when nothing is being written) and
    /// notices a closed session or a cancelled upgrade.
    fn sync(&mut self, cx: &mut Context<'_>) {
        if self.phase != Phase::Open {
            return;
        }
        let take = self.out.is_empty() && self.out_pos == 0;
        let idle = take && !self.ctl_pending();
        let r = match self.role {
            Role::Active => self.session.ws_sync(cx.waker(), take, idle),
            Role::Probing(token) => self.session.upgrade_sync(token.get(), cx.waker()),
        };
        match r {
            WsSync::Frames(t) => {
                if !t.frames.is_empty() {
                    self.out = t.frames;
                    self.out_pos = t.head_pos;
                }
            }
            WsSync::Closed(reason, rest) => {
                if !rest.frames.is_empty() && self.out.is_empty() {
                    self.out_pos = rest.head_pos;
                }
                self.out.extend(rest.frames);
                let code = if reason == CloseReason::ServerShutdown {
                    close_code::GOING_AWAY
                } else {
                    close_code::NORMAL
                };
                self.start_close(code, "");
            }
            WsSync::Detached => self.start_close(close_code::NORMAL, ""),
        }
    }
}

/// A peer that went away (reset, broken pipe) is a transport close; other
/// I/O errors are transport errors.
fn io_close_reason(e: &std::io::Error) -> CloseReason {
    use std::io::ErrorKind::*;
    match e.kind() {
        ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => {
            CloseReason::TransportClose
        }
        _ => CloseReason::TransportError,
    }
}

/// The WebSocket headers (unmasked, final) of the first [`FRAMES_PER_WRITE`] frames of a
/// queue, for one vectored write: by the connection's task and by a direct write.
struct Batch {
    headers: [[u8; ws::MAX_HEADER]; FRAMES_PER_WRITE],
    lens: [usize; FRAMES_PER_WRITE],
    count: usize,
}

impl Batch {
    fn new<'a>(frames: impl Iterator<Item = &'a Frame>) -> Batch {
        let mut b = Batch {
            headers: [[0u8; ws::MAX_HEADER]; FRAMES_PER_WRITE],
            lens: [0; FRAMES_PER_WRITE],
            count: 0,
        };
        for (i, f) in frames.take(FRAMES_PER_WRITE).enumerate() {
            let op = match f.kind() {
                FrameKind::Text => OpCode::Text,
                FrameKind::Binary => OpCode::Binary,
            };
            b.lens[i] = ws::write_header(&mut b.headers[i], op, f.bytes().len());
            b.count = i + 1;
        }
        b
    }

    /// Fills `out` with the batch's headers and payloads (the same `frames`), from byte `pos`
    /// of the first frame; returns how many slices it used.
    fn slices<'a>(
        &'a self,
        frames: impl Iterator<Item = &'a Frame>,
        pos: usize,
        out: &mut [IoSlice<'a>; FRAMES_PER_WRITE * 2],
    ) -> usize {
        let mut n = 0;
        for (i, f) in frames.take(self.count).enumerate() {
            let h = &self.headers[i][..self.lens[i]];
            let p: &Bytes = f.bytes();
            let skip = if i == 0 { pos } else { 0 };
            if skip < h.len() {
                out[n] = IoSlice::new(&h[skip..]);
                out[n + 1] = IoSlice::new(p);
                n += 2;
            } else {
                out[n] = IoSlice::new(&p[skip - h.len()..]);
                n += 1;
            }
        }
        n
    }

    /// After `n` bytes were written from byte `pos` of the first frame: how many frames went
    /// out whole, and how many bytes of the next one (a frame is far below 4 GiB).
    fn advance<'a>(
        &self,
        frames: impl Iterator<Item = &'a Frame>,
        pos: u32,
        mut n: usize,
    ) -> (usize, u32) {
        let mut pos = pos as usize;
        for (i, f) in frames.take(self.count).enumerate() {
            let left = self.lens[i] + f.bytes().len() - pos;
            if n < left {
                return (i, (pos + n) as u32);
            }
            n -= left;
            pos = 0;
        }
        (self.count, 0)
    }
}

/// Writes `frames` to `w` now, with one non-blocking vectored write. Returns how many frames
/// went out whole and how many bytes of the next one (header included). The caller holds
/// the session's lock and has checked that nothing else is being written.
pub(crate) fn write_direct(w: &SharedTcp, frames: &[Frame]) -> (usize, u32) {
    if frames.len() > FRAMES_PER_WRITE {
        return (0, 0);
    }
    let batch = Batch::new(frames.iter());
    let mut slices = [IoSlice::new(&[]); FRAMES_PER_WRITE * 2];
    let n_slices = batch.slices(frames.iter(), 0, &mut slices);
    // WouldBlock (or an error, which the task meets again and handles): nothing written
    let n = w.0.try_write_vectored(&slices[..n_slices]).unwrap_or(0);
    batch.advance(frames.iter(), 0, n)
}

/// Appends an unmasked control frame.
fn encode_control(out: &mut Vec<u8>, op: OpCode, payload: &[u8]) {
    let mut h = [0u8; ws::MAX_HEADER];
    let n = ws::write_header(&mut h, op, payload.len());
    out.extend_from_slice(&h[..n]);
    out.extend_from_slice(payload);
}

impl<H: EioHandler, IO: WsIo> Future for WsConn<H, IO> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            let mut reads = 0;
            while this.phase == Phase::Open {
                if reads == READS_PER_POLL {
                    cx.waker().wake_by_ref();
                    break;
                }
                reads += 1;
                let mut buf = [0u8; READ_CHUNK];
                let mut rb = ReadBuf::new(&mut buf);
                match Pin::new(&mut this.io).poll_read(cx, &mut rb) {
                    Poll::Pending => break,
                    Poll::Ready(Err(e)) => {
                        tracing::debug!(sid = %this.session.sid(), error = %e, "websocket read error");
                        this.lost(io_close_reason(&e));
                    }
                    Poll::Ready(Ok(())) => {
                        let n = rb.filled().len();
                        if n == 0 {
                            this.lost(CloseReason::TransportClose);
                        } else {
                            this.on_bytes(&mut buf[..n]);
                        }
                    }
                }
            }
            if this.phase == Phase::Done {
                return Poll::Ready(());
            }
            this.sync(cx);
            match this.poll_write_out(cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(e)) => {
                    tracing::debug!(sid = %this.session.sid(), error = %e, "websocket write error");
                    if this.phase == Phase::Open {
                        this.lost(io_close_reason(&e));
                    }
                    return Poll::Ready(());
                }
                Poll::Pending if this.phase == Phase::Closing => break,
                Poll::Pending => return Poll::Pending,
            }
            if this.phase == Phase::Closing {
                if this.ctl.as_ref().is_some_and(|c| c.close_written) && !this.ctl_pending() {
                    if !this.control().draining {
                        let _ = Pin::new(&mut this.io).poll_shutdown(cx);
                        this.control().draining = true;
                    }
                    if this.poll_drain(cx).is_ready() {
                        return Poll::Ready(());
                    }
                    break;
                }
                continue;
            }
            // Everything written. Frames queued while we were writing were not taken (and
            // their send may have consumed our waker), so look again before sleeping: `sync`
            // takes them, or registers the waker for the next send.
            this.sync(cx);
            if !this.out.is_empty() && this.phase == Phase::Open {
                continue;
            }
            return Poll::Pending;
        }
        // closing and the peer does not read: bounded wait
        let timer = this
            .control()
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(CLOSE_GRACE)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(()),
            Poll::Pending => Poll::Pending,
        }
    }
}
