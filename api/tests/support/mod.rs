//! What the binary's tests share.

use std::io::{BufRead, BufReader};
use std::process::ChildStderr;
use std::sync::mpsc;

/// Drains the server's JSON log on a thread (so the pipe never fills) and sends the port of its
/// `listening` line.
pub fn listening_port(stderr: ChildStderr) -> mpsc::Receiver<u16> {
    let (port_tx, port_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(event) = serde_json::from_str::<serde_json::Value>(&line)
                && event["message"] == "listening"
                && let Some(port) = event["port"].as_u64()
            {
                let _ = port_tx.send(port as u16);
            }
        }
    });
    port_rx
}
