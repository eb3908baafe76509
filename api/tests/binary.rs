//! The `reintegration` binary as an operator runs it: starts with defaults on SQLite, answers,
//! stops cleanly on SIGTERM, and refuses a database URL it does not understand.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

const BINARY: &str = env!("CARGO_BIN_EXE_reintegration");

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("reintegration-bin-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn http_get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn serve_runs_with_the_default_database_in_the_working_directory_and_stops_on_sigterm() {
    let dir = temp_dir("serve");
    let mut child = Command::new(BINARY)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("DATABASE_URL")
        .env("REINTEGRATION_LOG_FORMAT", "json")
        .current_dir(&dir)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let port = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            let event: serde_json::Value = serde_json::from_str(&line).ok()?;
            (event["message"] == "listening").then(|| event["port"].as_u64())?
        })
        .expect("the server logged no `listening` line") as u16;

    let ready = http_get(port, "/health/ready");
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    assert!(ready.contains(r#""database":"sqlite""#), "{ready}");
    assert!(dir.join("reintegration.db").exists(), "the default database is reintegration.db in the working directory");

    // A request in flight when SIGTERM arrives: its headers and half its body are sent first.
    let body = b"grant_type=password&username=nobody&password=not-the-password";
    let mut in_flight = TcpStream::connect(("127.0.0.1", port)).unwrap();
    in_flight.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        in_flight,
        "POST /api/v1/auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    in_flight.write_all(&body[..10]).unwrap();
    in_flight.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(300));
    in_flight.write_all(&body[10..]).unwrap();
    let mut answer = String::new();
    in_flight.read_to_string(&mut answer).unwrap();
    // It was answered in full (an unknown user: invalid_grant), after SIGTERM.
    assert!(answer.starts_with("HTTP/1.1 400"), "the in-flight request did not finish: {answer}");
    assert!(answer.contains(r#""error":"invalid_grant""#), "{answer}");

    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let exit = child.wait().unwrap();
    assert!(exit.success(), "exit status {exit:?}; log: {rest:?}");
    assert!(rest.iter().any(|l| l.contains("\"stopped\"")), "no `stopped` line: {rest:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_unknown_database_scheme_is_refused_and_creates_no_file() {
    let dir = temp_dir("scheme");
    for url in ["mysql://localhost/reintegration", "reintegration.db"] {
        let output = Command::new(BINARY).args(["migrate", "--database-url", url]).current_dir(&dir).output().unwrap();
        assert!(!output.status.success(), "{url} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("scheme"), "{url}: {stderr}");
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "a file was created");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn openapi_prints_the_committed_document() {
    let output = Command::new(BINARY).arg("openapi").output().unwrap();
    assert!(output.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let committed: serde_json::Value =
        serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json"))).unwrap();
    assert!(
        printed == committed,
        "openapi/openapi.json is stale: run `cargo run --bin reintegration -- openapi > openapi/openapi.json`"
    );
}
