//! The HTTP side: a hyper 1 server on 127.0.0.1 that hands each request to the pipeline
//! (`pipeline`: routing, faults, authentication, rate limits, conditional requests, logging)
//! and writes its answer back, or drops the connection. `routes` is the route table: which
//! REST or GraphQL handler answers which method and path.

pub mod moved;
pub mod pipeline;
pub mod routes;
pub mod slow;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

use crate::exchange::{resp_body, Outcome, Pace, Resp};
use crate::state::Shared;
use crate::util::{rfc3339, wall_now};
use slow::{AnswerBody, Throttled};

/// Why a connection is being dropped (hyper closes it when the service fails).
#[derive(Debug)]
pub struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

async fn serve_one(
    sh: Arc<Shared>,
    req: hyper::Request<hyper::body::Incoming>,
    drip: Arc<AtomicU64>,
) -> Result<hyper::Response<AnswerBody>, Dropped> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(_) => return Err(Dropped),
    };
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let method = parts.method.as_str().to_string();
    let sh2 = sh.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        pipeline::process(&sh2, &method, &path, &query, headers, body)
    })
    .await
    .map_err(|_| Dropped)?;
    let (resp, d, pace) = match outcome {
        Outcome::Drop(d) => {
            if !d.is_zero() {
                tokio::time::sleep(d).await;
            }
            return Err(Dropped);
        }
        Outcome::Huge(bytes, d) => {
            if !d.is_zero() {
                tokio::time::sleep(d).await;
            }
            let body = AnswerBody::Huge {
                left: bytes,
                first: true,
                sh,
            };
            return Ok(hyper::Response::builder()
                .status(200)
                .header("content-type", "application/json; charset=utf-8")
                .header("date", http_date(wall_now()))
                .body(body)
                .unwrap_or_else(|_| hyper::Response::new(AnswerBody::full(Bytes::new()))));
        }
        Outcome::Answer(resp, d) => (resp, d, None),
        Outcome::Paced(resp, d, pace) => (*resp, d, Some(pace)),
    };
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
    let body = Bytes::from(resp_body(&resp));
    let body = match pace {
        Some(Pace::Body(every)) => AnswerBody::Drip {
            data: body,
            every,
            sleep: None,
        },
        Some(Pace::Whole(every)) => {
            // From now on this connection drips every byte it writes, status line first.
            drip.store(every.as_millis().max(1) as u64, Ordering::Relaxed);
            AnswerBody::full(body)
        }
        None => AnswerBody::full(body),
    };
    Ok(response(&resp, body))
}

/// The HTTP answer for `resp` with `body`.
fn response(resp: &Resp, body: AnswerBody) -> hyper::Response<AnswerBody> {
    let mut b = hyper::Response::builder().status(resp.status);
    if resp.json.is_some() || resp.text.is_some() {
        b = b.header("content-type", "application/json; charset=utf-8");
    }
    b = b.header("date", http_date(wall_now()));
    for (k, v) in &resp.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    b.body(body).unwrap_or_else(|_| {
        hyper::Response::new(AnswerBody::full(Bytes::from_static(
            b"{\"message\":\"Server Error\"}",
        )))
    })
}

fn http_date(secs: i64) -> String {
    // RFC 7231 IMF-fixdate.
    let s = rfc3339(secs);
    let days = secs.div_euclid(86_400);
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let mon = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][s[5..7].parse::<usize>().unwrap_or(1) - 1];
    format!("{wd}, {} {mon} {} {} GMT", &s[8..10], &s[0..4], &s[11..19])
}

/// Accepts connections until `stop` fires.
pub async fn run(
    listener: tokio::net::TcpListener,
    sh: Arc<Shared>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let sh = sh.clone();
                tokio::spawn(async move {
                    let drip = Arc::new(AtomicU64::new(0));
                    let io = TokioIo::new(Throttled::new(stream, drip.clone()));
                    let svc = service_fn(move |req| serve_one(sh.clone(), req, drip.clone()));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(io, svc)
                        .await;
                });
            }
        }
    }
}

/// Binds the listener (so the port is known before the fleet is served).
pub fn bind(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let l = std::net::TcpListener::bind(addr)?;
    l.set_nonblocking(true)?;
    Ok(l)
}
