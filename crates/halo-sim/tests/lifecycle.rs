//! Stopping a sim: dropping the `SimHandle` or awaiting `shutdown()` makes its port stop answering.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use halo_sim::{SimConfig, SimServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a dropped sim may take to close its port (the accept loop ends on its own task).
const STOP_WITHIN: Duration = Duration::from_secs(5);

async fn authinfo_status(addr: SocketAddr) -> Result<u16, reqwest::Error> {
    // No connection pool: every call opens a new connection.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let r = http
        .get(format!("http://{addr}/api/authinfo"))
        .send()
        .await?;
    Ok(r.status().as_u16())
}

async fn answers(addr: SocketAddr) -> bool {
    authinfo_status(addr).await.is_ok()
}

/// Wait until a new connection to `addr` is refused; `false` if it is still accepted after `STOP_WITHIN`.
async fn port_closes(addr: SocketAddr) -> bool {
    let deadline = Instant::now() + STOP_WITHIN;
    while Instant::now() < deadline {
        if TcpStream::connect(addr).await.is_err() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let sim = SimServer::start(SimConfig::default()).await.unwrap();
    let addr = sim.addr();
    assert_eq!(
        authinfo_status(addr).await.unwrap(),
        200,
        "serves before the drop"
    );
    drop(sim);
    assert!(
        port_closes(addr).await,
        "{addr} still accepts connections {STOP_WITHIN:?} after the handle was dropped"
    );
    assert!(!answers(addr).await, "a request after the drop must fail");
}

#[tokio::test]
async fn shutdown_stops_the_server_before_it_returns() {
    let sim = SimServer::start(SimConfig::default()).await.unwrap();
    let addr = sim.addr();
    assert_eq!(
        authinfo_status(addr).await.unwrap(),
        200,
        "serves before shutdown"
    );
    sim.shutdown().await;
    // No waiting: shutdown() returns only once the accept loop (and with it the listener) is gone.
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "{addr} still accepts connections after shutdown().await returned"
    );
    assert!(!answers(addr).await, "a request after shutdown must fail");
}

#[tokio::test]
async fn shutdown_closes_an_open_keep_alive_connection() {
    let sim = SimServer::start(SimConfig::default()).await.unwrap();
    let addr = sim.addr();
    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(b"GET /api/authinfo HTTP/1.1\r\nHost: sim\r\nConnection: keep-alive\r\n\r\n")
        .await
        .unwrap();
    let first = tokio::time::timeout(STOP_WITHIN, read_response(&mut conn))
        .await
        .expect("a response before shutdown");
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    sim.shutdown().await;
    let mut buf = vec![0u8; 4096];
    // The kept-alive connection is closed by the server: the next read sees end of stream (or a reset),
    // and a request written on it gets no response.
    let _ = conn
        .write_all(b"GET /api/authinfo HTTP/1.1\r\nHost: sim\r\n\r\n")
        .await;
    let read = tokio::time::timeout(STOP_WITHIN, conn.read(&mut buf))
        .await
        .expect("the server closes the connection instead of leaving it open");
    match read {
        Ok(0) | Err(_) => {}
        Ok(n) => panic!(
            "the connection still answered after shutdown: {}",
            String::from_utf8_lossy(&buf[..n])
        ),
    }
}

/// Read one whole HTTP/1.1 response (headers and a `Content-Length` body) so nothing of it is left unread.
async fn read_response(conn: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let len = text[..end]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if got.len() >= end + 4 + len {
                return text;
            }
        }
        let n = conn.read(&mut buf).await.unwrap();
        assert!(n > 0, "connection closed mid-response: {text}");
        got.extend_from_slice(&buf[..n]);
    }
}
