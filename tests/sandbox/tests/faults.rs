//! The hostile-server faults (issue 13): an answer whose body drips a byte at a time, one
//! whose status line and headers drip, a huge answer streamed without a length (and never
//! held by the sandbox), and an answer replaced by one carrying hostile text. Read with a raw
//! socket, so what is on the wire is what is asserted.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{small, start};
use github_sandbox::{FaultAction, FaultRule, Sandbox};
use serde_json::json;

/// Sends `GET path` on a new connection and returns it, the request written.
fn get(sb: &Sandbox, path: &str) -> TcpStream {
    let addr = sb.api_url().trim_start_matches("http://").to_string();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nhost: sandbox\r\nauthorization: Bearer {}\r\nuser-agent: t\r\n\r\n",
        sb.token()
    )
    .unwrap();
    s
}

/// Reads until the end of the headers; returns them.
fn headers(s: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut b = [0u8; 1];
    while !got.ends_with(b"\r\n\r\n") {
        assert_eq!(
            s.read(&mut b).unwrap(),
            1,
            "{}",
            String::from_utf8_lossy(&got)
        );
        got.push(b[0]);
    }
    String::from_utf8(got).unwrap()
}

#[test]
fn a_dripped_body_comes_one_byte_per_read_after_whole_headers() {
    let sb = start("drip-body", small(3), false);
    sb.add_fault_rule(FaultRule::on(
        "GET",
        "/repos/heyns1000/omnigrid",
        1,
        FaultAction::DripBody {
            every: Duration::from_millis(20),
        },
    ));
    let mut s = get(&sb, "/repos/heyns1000/omnigrid");
    let h = headers(&mut s);
    assert!(h.starts_with("HTTP/1.1 200 OK"), "{h}");
    let len: usize = h
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_string)
        })
        .expect("the length is declared")
        .trim()
        .parse()
        .unwrap();
    assert!(len > 100, "{len}");
    // Every read brings one byte: a client's per-read timeout would never fire.
    let mut buf = [0u8; 4096];
    for _ in 0..5 {
        assert_eq!(s.read(&mut buf).unwrap(), 1);
    }
    assert_eq!(sb.counters().dripped, 1);
}

#[test]
fn dripped_headers_come_one_byte_per_read_from_the_status_line() {
    let sb = start("drip-headers", small(3), false);
    sb.add_fault_rule(FaultRule::on(
        "GET",
        "/repos/heyns1000/omnigrid",
        1,
        FaultAction::DripHeaders {
            every: Duration::from_millis(20),
        },
    ));
    let mut s = get(&sb, "/repos/heyns1000/omnigrid");
    let mut buf = [0u8; 4096];
    let mut got = Vec::new();
    for _ in 0..8 {
        let n = s.read(&mut buf).unwrap();
        assert_eq!(n, 1, "one byte per read");
        got.push(buf[0]);
    }
    assert_eq!(got, b"HTTP/1.1");
    assert_eq!(sb.counters().dripped, 1);
}

#[test]
fn a_huge_body_is_streamed_without_a_length_and_never_held_whole() {
    let sb = start("huge-body", small(3), false);
    let size = 8u64 << 30; // 8 GiB: more than this machine would buffer.
    sb.add_fault_rule(FaultRule::on(
        "GET",
        "/repos/heyns1000/omnigrid",
        1,
        FaultAction::HugeBody { bytes: size },
    ));
    let mut s = get(&sb, "/repos/heyns1000/omnigrid");
    let h = headers(&mut s).to_ascii_lowercase();
    assert!(h.starts_with("http/1.1 200 ok"), "{h}");
    assert!(h.contains("transfer-encoding: chunked"), "{h}");
    assert!(!h.contains("content-length"), "{h}");
    // Read 4 MiB of it, then hang up: the sandbox stops generating.
    let mut left = 4usize << 20;
    let mut buf = vec![0u8; 64 * 1024];
    let mut first = Vec::new();
    while left > 0 {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0);
        if first.len() < 64 {
            first.extend_from_slice(&buf[..n.min(64)]);
        }
        left = left.saturating_sub(n);
    }
    assert!(
        String::from_utf8_lossy(&first).contains(r#"{"data":{"padding":"aaa"#),
        "{}",
        String::from_utf8_lossy(&first)
    );
    drop(s);
    // Give the server a moment to notice the closed connection.
    let mut sent = 0;
    for _ in 0..100 {
        std::thread::sleep(Duration::from_millis(20));
        let now = sb.counters().huge_bytes_sent;
        if now == sent {
            break;
        }
        sent = now;
    }
    assert_eq!(sb.counters().huge, 1);
    assert!(
        sent < 64 << 20,
        "the sandbox kept generating after the client left: {sent} bytes"
    );
}

#[test]
fn an_answer_can_be_replaced_by_a_hostile_one() {
    let sb = start("replaced-answer", small(3), false);
    let body = json!({
        "message": "<!channel> @everyone",
        "documentation_url": "https://docs.github.com/rest",
        "status": "403"
    });
    sb.add_fault_rule(FaultRule::on(
        "GET",
        "/repos/heyns1000/omnigrid",
        1,
        FaultAction::Answer {
            status: 403,
            body: body.clone(),
        },
    ));
    let c = common::Client::for_sb(&sb);
    let r = c.get("/repos/heyns1000/omnigrid");
    assert_eq!(r.status, 403);
    assert_eq!(r.json, body);
    assert_eq!(c.get("/repos/heyns1000/omnigrid").status, 200, "once");
    assert_eq!(sb.counters().replaced, 1);
}
