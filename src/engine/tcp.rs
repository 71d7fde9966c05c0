//! A WebSocket's TCP stream, shared between its connection task and its session.
//!
//! The connection task reads and writes through [`SharedTcp`] as through any stream. The
//! session keeps a second handle so that a broadcast can write a frame straight from the
//! fan-out loop when the connection has nothing in flight (one system call, no task wake);
//! only a write the socket does not take whole is queued for the task (see
//! `Session::send_direct`). Both sides write under the session's lock, so bytes never
//! interleave.
//!
//! Each side uses tokio's readiness (`poll_*_ready` + `try_*`), so a direct write that meets
//! `EAGAIN` clears the cached write readiness and the task, woken to finish the write, waits
//! for the socket to drain like any other writer.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A TCP stream behind an `Arc`, readable and writable through shared references.
#[derive(Clone, Debug)]
pub(crate) struct SharedTcp(pub(crate) Arc<TcpStream>);

impl SharedTcp {
    pub(crate) fn new(stream: TcpStream) -> Self {
        SharedTcp(Arc::new(stream))
    }
}

/// Retries `op` while tokio's cached readiness was stale (`WouldBlock` clears it, so the next
/// `poll_ready` registers the waker and returns `Pending`).
fn poll_io<T>(
    cx: &mut Context<'_>,
    mut poll_ready: impl FnMut(&mut Context<'_>) -> Poll<io::Result<()>>,
    mut op: impl FnMut() -> io::Result<T>,
) -> Poll<io::Result<T>> {
    loop {
        ready!(poll_ready(cx))?;
        match op() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            r => return Poll::Ready(r),
        }
    }
}

impl AsyncRead for SharedTcp {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let s = &*self.0;
        let n = ready!(poll_io(
            cx,
            |cx| s.poll_read_ready(cx),
            || s.try_read(buf.initialize_unfilled())
        ))?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for SharedTcp {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let s = &*self.0;
        poll_io(cx, |cx| s.poll_write_ready(cx), || s.try_write(buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let s = &*self.0;
        poll_io(
            cx,
            |cx| s.poll_write_ready(cx),
            || s.try_write_vectored(bufs),
        )
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(socket2::SockRef::from(&*self.0).shutdown(std::net::Shutdown::Write))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Both handles write to one socket, reads and shutdown go through the adapter.
    #[tokio::test]
    async fn reads_writes_and_shuts_down_through_either_handle() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = tokio::spawn(async move {
            let mut c = TcpStream::connect(addr).await.unwrap();
            c.write_all(b"ping").await.unwrap();
            let mut got = Vec::new();
            c.read_to_end(&mut got).await.unwrap();
            got
        });
        let (stream, _) = listener.accept().await.unwrap();
        let mut conn = SharedTcp::new(stream);
        let other = conn.clone();
        let mut buf = [0u8; 4];
        conn.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ping");
        other.0.writable().await.unwrap();
        assert_eq!(other.0.try_write(b"direct,").unwrap(), 7);
        conn.write_all(b"task").await.unwrap();
        conn.shutdown().await.unwrap();
        assert_eq!(client.await.unwrap(), b"direct,task");
    }
}
