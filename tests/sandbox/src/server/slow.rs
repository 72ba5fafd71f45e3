//! Answers that are not simply sent: a body dripped a byte at a time, a huge body generated as
//! it is streamed (never held whole), and a connection whose every byte, status line and
//! headers included, is dripped (`Throttled`). The drip and huge-body faults use them.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

use crate::state::Shared;

/// One chunk of a huge body.
const HUGE_CHUNK: usize = 64 * 1024;

/// The body of an answer.
pub enum AnswerBody {
    /// All of it at once.
    Full(Option<Bytes>),
    /// One byte every `every` (its length is declared).
    Drip {
        data: Bytes,
        every: Duration,
        sleep: Option<Pin<Box<Sleep>>>,
    },
    /// `left` more bytes of `{"data":{"padding":"aaaa…`, generated chunk by chunk; what is
    /// handed to the connection is counted in `counters.huge_bytes_sent`.
    Huge {
        left: u64,
        first: bool,
        sh: Arc<Shared>,
    },
}

impl AnswerBody {
    /// A whole body.
    pub fn full(bytes: Bytes) -> Self {
        AnswerBody::Full((!bytes.is_empty()).then_some(bytes))
    }
}

impl Body for AnswerBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            AnswerBody::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            AnswerBody::Drip { data, every, sleep } => {
                if data.is_empty() {
                    return Poll::Ready(None);
                }
                let every = *every;
                let pause = sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep(every)));
                if pause.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                *sleep = None;
                Poll::Ready(Some(Ok(Frame::data(data.split_to(1)))))
            }
            AnswerBody::Huge { left, first, sh } => {
                if *left == 0 {
                    return Poll::Ready(None);
                }
                let n = (*left).min(HUGE_CHUNK as u64) as usize;
                let mut chunk = vec![b'a'; n];
                if *first {
                    let head = br#"{"data":{"padding":""#;
                    let k = head.len().min(n);
                    chunk[..k].copy_from_slice(&head[..k]);
                    *first = false;
                }
                *left -= n as u64;
                sh.log().counters.huge_bytes_sent += n as u64;
                Poll::Ready(Some(Ok(Frame::data(Bytes::from(chunk)))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            AnswerBody::Full(d) => d.is_none(),
            AnswerBody::Drip { data, .. } => data.is_empty(),
            AnswerBody::Huge { left, .. } => *left == 0,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            AnswerBody::Full(d) => SizeHint::with_exact(d.as_ref().map_or(0, |d| d.len() as u64)),
            AnswerBody::Drip { data, .. } => SizeHint::with_exact(data.len() as u64),
            // Streamed: no content-length.
            AnswerBody::Huge { .. } => SizeHint::default(),
        }
    }
}

/// A connection whose writes drip one byte every `drip` milliseconds once it is set (0: at
/// full speed). A drip-headers fault sets it for the rest of the connection.
pub struct Throttled<S> {
    inner: S,
    drip: Arc<AtomicU64>,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl<S> Throttled<S> {
    /// `inner`, at full speed until `drip` is set.
    pub fn new(inner: S, drip: Arc<AtomicU64>) -> Self {
        Self {
            inner,
            drip,
            sleep: None,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Throttled<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Throttled<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let me = self.get_mut();
        let ms = me.drip.load(Ordering::Relaxed);
        if ms == 0 || buf.is_empty() {
            return Pin::new(&mut me.inner).poll_write(cx, buf);
        }
        let pause = me
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(ms))));
        if pause.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        me.sleep = None;
        Pin::new(&mut me.inner).poll_write(cx, &buf[..1])
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
