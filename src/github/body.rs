//! Reading one answer's body within limits: a size cap, checked against the declared length
//! before reading and counted while reading (reading stops at the cap: a huge answer is never
//! buffered), and the request's deadline, which covers the whole body (a server that sends
//! its headers and then drips the body a byte at a time cannot hold the run: a per-read
//! timeout never fires on it).

use bytes::Buf;
use http_body::Body;
use http_body_util::BodyExt;
use tokio::time::Instant;

/// 1 MiB.
const MIB: u64 = 1024 * 1024;

/// The largest answer read for anything but a file: generous for real data. A metadata batch
/// of 100 repositories, each with its sync pull request's body (at most 65,536 characters),
/// is a few MB even at worst; a compare lists at most 300 files and 250 commits.
pub const ANSWER_CAP: u64 = 64 * MIB;

/// The largest answer read for a file (`/contents/…`, `/git/blobs/…`): a blob may be up to
/// GitHub's 100 MB limit, which arrives base64-encoded in JSON (4/3 the size, plus a line
/// break every 60 characters): about 138 MB.
pub const FILE_ANSWER_CAP: u64 = 160 * MIB;

/// The cap for an answer to `url`: files get [`FILE_ANSWER_CAP`], everything else
/// [`ANSWER_CAP`].
pub fn cap_for(url: &str) -> u64 {
    let path = url.split('?').next().unwrap_or(url);
    if path.contains("/contents/") || path.contains("/git/blobs/") {
        FILE_ANSWER_CAP
    } else {
        ANSWER_CAP
    }
}

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// Larger than the cap (declared so, or found so while reading); reading stopped.
    TooLarge { cap: u64 },
    /// The request's deadline passed before the body was complete.
    Deadline { received: u64 },
    /// The connection failed while reading.
    Failed(String),
}

impl BodyError {
    /// A sentence for the repository's or batch's error.
    pub fn message(&self) -> String {
        match self {
            BodyError::TooLarge { cap } => format!(
                "the answer is larger than {} MiB, the most priority-sync reads for one request; it was not read",
                cap / MIB
            ),
            BodyError::Deadline { received } => format!(
                "the answer did not arrive within the request's deadline ({received} bytes of its body came)"
            ),
            BodyError::Failed(m) => m.clone(),
        }
    }
}

/// Reads `body` whole, unless it is larger than `cap` bytes or `deadline` passes first.
/// `declared` is the answer's `content-length`, when it has one.
pub async fn read_within<B>(
    mut body: B,
    declared: Option<u64>,
    cap: u64,
    deadline: Instant,
) -> Result<Vec<u8>, BodyError>
where
    B: Body + Unpin,
    B::Error: std::error::Error,
{
    let hinted = body.size_hint().lower();
    if declared.unwrap_or(0).max(hinted) > cap {
        return Err(BodyError::TooLarge { cap });
    }
    let mut out: Vec<u8> = Vec::with_capacity(declared.unwrap_or(0) as usize);
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => {
                return Err(BodyError::Deadline {
                    received: out.len() as u64,
                })
            }
            Ok(None) => return Ok(out),
            Ok(Some(Err(e))) => return Err(BodyError::Failed(with_causes(&e))),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(mut data) = frame.into_data() else {
            continue; // trailers
        };
        if out.len() as u64 + data.remaining() as u64 > cap {
            return Err(BodyError::TooLarge { cap });
        }
        while data.has_remaining() {
            let chunk = data.chunk();
            out.extend_from_slice(chunk);
            let n = chunk.len();
            data.advance(n);
        }
    }
}

/// An error with its chain of causes, on one line.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::Duration;

    use bytes::Bytes;
    use http_body::{Frame, SizeHint};
    use http_body_util::Full;

    use super::*;

    /// A body of `chunks` chunks of `size` bytes, one every `every`, never declaring its size.
    struct Drip {
        chunks: u64,
        size: usize,
        every: Duration,
        sleep: Option<Pin<Box<tokio::time::Sleep>>>,
        sent: u64,
    }

    impl Drip {
        fn new(chunks: u64, size: usize, every: Duration) -> Self {
            Self {
                chunks,
                size,
                every,
                sleep: None,
                sent: 0,
            }
        }
    }

    impl Body for Drip {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            if self.sent == self.chunks {
                return Poll::Ready(None);
            }
            let every = self.every;
            let sleep = self
                .sleep
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(every)));
            if sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.sleep = None;
            self.sent += 1;
            Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![b'a'; self.size])))))
        }

        fn size_hint(&self) -> SizeHint {
            SizeHint::default()
        }
    }

    fn later(secs: u64) -> Instant {
        Instant::now() + Duration::from_secs(secs)
    }

    #[tokio::test]
    async fn a_body_within_the_cap_is_read_whole() {
        let body = Full::new(Bytes::from_static(b"{\"ok\":true}"));
        let got = read_within(body, Some(11), 64, later(5)).await.unwrap();
        assert_eq!(got, b"{\"ok\":true}");
    }

    #[tokio::test]
    async fn a_declared_length_over_the_cap_is_refused_before_reading() {
        let body = Full::new(Bytes::from(vec![b'x'; 100]));
        assert_eq!(
            read_within(body, Some(100), 99, later(5)).await,
            Err(BodyError::TooLarge { cap: 99 })
        );
        // The body's own size hint counts too, when no header said it.
        let body = Full::new(Bytes::from(vec![b'x'; 100]));
        assert_eq!(
            read_within(body, None, 99, later(5)).await,
            Err(BodyError::TooLarge { cap: 99 })
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_undeclared_stream_stops_at_the_cap() {
        // 1,000 chunks of 1 KiB, cap 10 KiB: refused on the 11th chunk, never read further.
        let body = Drip::new(1000, 1024, Duration::from_millis(1));
        let err = read_within(body, None, 10 * 1024, later(3600)).await;
        assert_eq!(err, Err(BodyError::TooLarge { cap: 10 * 1024 }));
    }

    #[tokio::test(start_paused = true)]
    async fn a_dripping_body_is_cut_at_the_deadline() {
        // A byte a second for an hour: each read is quick, the whole is not.
        let body = Drip::new(3600, 1, Duration::from_secs(1));
        let err = read_within(body, None, ANSWER_CAP, later(5)).await;
        assert!(
            matches!(err, Err(BodyError::Deadline { received }) if (4..=5).contains(&received)),
            "{err:?}"
        );
    }

    #[test]
    fn files_get_room_for_a_100_mb_blob() {
        assert_eq!(
            cap_for("https://api.github.com/repos/o/r/git/blobs/abc"),
            FILE_ANSWER_CAP
        );
        assert_eq!(
            cap_for("https://ghe.example/api/v3/repos/o/r/contents/audit/sync-state.json?ref=main"),
            FILE_ANSWER_CAP
        );
        assert_eq!(cap_for("https://api.github.com/graphql"), ANSWER_CAP);
        assert_eq!(
            cap_for("https://api.github.com/repos/o/r/compare/a...b?x=/contents/"),
            ANSWER_CAP
        );
        // 100 MB in base64 (4/3) with a line break every 60 characters, escaped in JSON.
        let blob_json = 100_000_000u64 * 4 / 3 * 62 / 60;
        assert!(blob_json < FILE_ANSWER_CAP, "{blob_json}");
    }
}
