//! A minimal keep-alive HTTP/1.1 client for plain `http://` (the sandbox), GET only: the
//! baseline's client, and how a scenario reads its budgets from `GET /rate_limit`.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A minimal keep-alive HTTP/1.1 client for plain `http://` (the sandbox): GET only.
pub struct Http {
    host: String,
    base_path: String,
    token: String,
    conn: Option<BufReader<TcpStream>>,
}

impl Http {
    pub fn new(api: &str, token: &str) -> Result<Http, String> {
        let rest = api
            .strip_prefix("http://")
            .ok_or_else(|| format!("{api}: only http:// is supported"))?;
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
            None => (rest, ""),
        };
        Ok(Http {
            host: host.to_string(),
            base_path: path.to_string(),
            token: token.to_string(),
            conn: None,
        })
    }

    pub fn get(&mut self, path: &str) -> Result<(u16, Vec<u8>), String> {
        // A kept-alive connection the server closed meanwhile gets one fresh attempt.
        let mut last = String::new();
        for _ in 0..2 {
            match self.try_get(path) {
                Ok(r) => return Ok(r),
                Err(e) => {
                    self.conn = None;
                    last = e.to_string();
                }
            }
        }
        Err(format!("GET {path}: {last}"))
    }

    fn try_get(&mut self, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
        if self.conn.is_none() {
            let s = TcpStream::connect(&self.host)?;
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(Duration::from_secs(60)))?;
            self.conn = Some(BufReader::new(s));
        }
        let conn = self.conn.as_mut().expect("connected");
        write!(
            conn.get_mut(),
            "GET {}{path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nAccept: application/vnd.github+json\r\nUser-Agent: fleet-bench-baseline\r\n\r\n",
            self.base_path, self.host, self.token
        )?;
        conn.get_mut().flush()?;
        let (status, body, close) = read_response(conn)?;
        if close {
            self.conn = None;
        }
        Ok((status, body))
    }
}

fn bad(msg: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.to_string())
}

/// Reads one response: status, body (content-length or chunked) and whether the server will
/// close the connection.
pub fn read_response<R: BufRead>(r: &mut R) -> std::io::Result<(u16, Vec<u8>, bool)> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(bad("connection closed"));
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("bad status line"))?;
    let (mut length, mut chunked, mut close) = (None, false, false);
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Err(bad("headers cut short"));
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase());
            match k.as_str() {
                "content-length" => length = v.parse::<usize>().ok(),
                "transfer-encoding" => chunked = v.contains("chunked"),
                "connection" => close = v == "close",
                _ => {}
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            r.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| bad("bad chunk size"))?;
            if size == 0 {
                // Trailers, then the blank line.
                loop {
                    line.clear();
                    if r.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
                        break;
                    }
                }
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            r.read_exact(&mut body[start..])?;
            line.clear();
            r.read_line(&mut line)?;
        }
    } else if let Some(n) = length {
        body.resize(n, 0);
        r.read_exact(&mut body)?;
    } else if status != 204 && status != 304 {
        r.read_to_end(&mut body)?;
        close = true;
    }
    Ok((status, body, close))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_with_length_chunks_and_close() {
        let mut r = BufReader::new(
            &b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n"[..],
        );
        assert_eq!(read_response(&mut r).unwrap(), (200, b"{}".to_vec(), false));
        assert_eq!(
            read_response(&mut r).unwrap(),
            (404, b"abcde".to_vec(), false)
        );
        let mut r = BufReader::new(&b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nrest"[..]);
        assert_eq!(
            read_response(&mut r).unwrap(),
            (200, b"rest".to_vec(), true)
        );
        assert!(read_response(&mut BufReader::new(&b""[..])).is_err());
    }
}
