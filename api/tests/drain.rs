//! #8.18: on SIGTERM the real binary drains: `/health/ready` answers 503 `shutting_down` at once,
//! ordinary requests are still served (new connections too, with `Connection: close`) for
//! `--drain-seconds`, and then the process stops and exits 0.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_reintegration");

/// The server process; killed if the test fails before it exits.
struct Server {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn serve(drain_seconds: u32) -> Server {
    let dir = std::env::temp_dir().join(format!("reintegration-drain-{}-{drain_seconds}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("drain.db").display());
    let mut command = Command::new(BINARY);
    for name in ["DATABASE_URL", "REINTEGRATION_JWT_SIGNING_KEY_FILE", "REINTEGRATION_DEMO", "REINTEGRATION_LISTEN"] {
        command.env_remove(name);
    }
    let mut child = command
        .env("REINTEGRATION_LOG_FORMAT", "json")
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url])
        .args(["--drain-seconds", &drain_seconds.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let port_rx = support::listening_port(child.stderr.take().unwrap());
    let port = port_rx.recv_timeout(Duration::from_secs(60)).expect("the server logged no `listening` line");
    Server { child, port, dir }
}

/// One HTTP/1.1 request on a new connection, keep-alive as clients do by default; the whole
/// answer as text (the server must close the connection for this to return).
fn get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut response = Vec::new();
    let mut buffer = [0; 8192];
    // Read until the headers and the announced body are in, or the server closes.
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&buffer[..n]),
            Err(error) => panic!("GET {path}: {error} after {:?}", String::from_utf8_lossy(&response)),
        }
        let text = String::from_utf8_lossy(&response);
        if let Some((head, body)) = text.split_once("\r\n\r\n")
            && let Some(length) = header_value(head, "content-length").and_then(|v| v.parse::<usize>().ok())
            && body.len() >= length
        {
            break;
        }
    }
    String::from_utf8_lossy(&response).into_owned()
}

fn header_value<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

fn status(response: &str) -> u16 {
    response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn terminate(server: &Server) {
    let killed = Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status().unwrap();
    assert!(killed.success());
}

#[test]
fn on_sigterm_the_server_turns_not_ready_keeps_serving_for_the_drain_and_exits_0() {
    let mut server = serve(2);
    let before = get(server.port, "/health/ready");
    assert_eq!(status(&before), 200, "{before}");
    assert_ne!(header_value(&before, "connection"), Some("close"), "no close before the drain: {before}");

    terminate(&server);
    let signalled = Instant::now();
    // Readiness turns at once (allowing for the signal's delivery).
    let ready = loop {
        let response = get(server.port, "/health/ready");
        if status(&response) != 200 || signalled.elapsed() > Duration::from_secs(1) {
            break response;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status(&ready), 503, "{ready}");
    assert!(ready.contains("\"code\":\"shutting_down\""), "{ready}");
    assert_eq!(header_value(&ready, "retry-after"), Some("1"), "{ready}");

    // Still serving, on new connections, for the drain; each answer closes its connection.
    std::thread::sleep(Duration::from_millis(800));
    for path in ["/api/v1/regions", "/health/live"] {
        let response = get(server.port, path);
        assert_eq!(status(&response), 200, "{path} during the drain: {response}");
        assert_eq!(header_value(&response, "connection"), Some("close"), "{response}");
    }
    assert!(server.child.try_wait().unwrap().is_none(), "the process left before the drain was over");

    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "the process did not stop after the drain");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(signalled.elapsed() >= Duration::from_millis(1900), "stopped after {:?}", signalled.elapsed());
    assert_eq!(exit.code(), Some(0), "{exit:?}");
    assert!(TcpStream::connect(("127.0.0.1", server.port)).is_err(), "still accepting after the stop");
}

#[test]
fn a_second_signal_ends_the_drain_early() {
    let mut server = serve(60);
    assert_eq!(status(&get(server.port, "/health/ready")), 200);
    terminate(&server);
    let signalled = Instant::now();
    while status(&get(server.port, "/health/ready")) == 200 {
        assert!(signalled.elapsed() < Duration::from_secs(5), "the first signal did not start the drain");
        std::thread::sleep(Duration::from_millis(20));
    }
    terminate(&server);
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "a second signal did not end the 60 s drain");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(exit.code(), Some(0), "{exit:?}");
}
