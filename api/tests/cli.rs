//! The identity commands as an operator runs them: `admin create` reads the password from
//! standard input (never from a flag) and applies the password policy; `serve --demo` loads the
//! 2017 program with printed credentials, prints fresh ones on a restart, and refuses a
//! database that holds real data.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use persistence::DatabaseUrl;
use persistence::repo::users;

const BINARY: &str = env!("CARGO_BIN_EXE_reintegration");
const PASSWORD: &str = "correct horse battery staple 2017";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("reintegration-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn database_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("x.db").display())
}

/// The binary without anything from the caller's environment that would change what it does.
fn command() -> Command {
    let mut command = Command::new(BINARY);
    for name in ["DATABASE_URL", "REINTEGRATION_JWT_SIGNING_KEY_FILE", "REINTEGRATION_DEMO", "REINTEGRATION_LISTEN"] {
        command.env_remove(name);
    }
    command.env("REINTEGRATION_LOG_FORMAT", "json");
    command
}

fn admin_create(url: &str, username: &str, stdin: &str, extra: &[&str]) -> Output {
    let mut child = command()
        .args(["admin", "create", "--username", username, "--full-name", "Root Administrator", "--database-url", url])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command refused before it reads standard input (e.g. an unknown flag) may have exited
    // already: a broken pipe here is that answer, which the caller then checks.
    match child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => panic!("cannot write to the command: {e}"),
    }
    child.wait_with_output().unwrap()
}

fn find_user(url: &str, username: &str) -> Option<persistence::models::identity::User> {
    let mut conn = DatabaseUrl::parse(url).unwrap().connect().unwrap();
    users::find_for_login(&mut conn, username).unwrap().map(|(user, _, _)| user)
}

#[test]
fn admin_create_reads_the_password_from_stdin() {
    let dir = temp_dir("admin");
    let url = database_url(&dir);
    let output = admin_create(&url, "root", &format!("{PASSWORD}\n"), &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("created administrator root"), "{stdout}");
    assert!(!stdout.contains(PASSWORD) && !String::from_utf8_lossy(&output.stderr).contains(PASSWORD));

    let user = find_user(&url, "root").expect("the administrator was not stored");
    assert_eq!(user.role, domain::role::Role::Admin);
    assert_eq!(user.full_name, "Root Administrator");
    assert!(user.active && !user.must_change_password);
    assert!(user.password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", user.password_hash);
    assert!(api::auth::password::verify(PASSWORD, &user.password_hash).unwrap(), "the newline was not stripped");

    // The same username again is refused.
    let again = admin_create(&url, "root", &format!("{PASSWORD}\n"), &[]);
    assert!(!again.status.success());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn admin_create_refuses_a_weak_password_and_has_no_password_flag() {
    let dir = temp_dir("weak");
    let url = database_url(&dir);
    for weak in ["password1234\n", "short\n", "root-is-my-password\n", "\n"] {
        let output = admin_create(&url, "root", weak, &[]);
        assert!(!output.status.success(), "{weak:?} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("password"), "{weak:?}: {stderr}");
    }
    if dir.join("x.db").exists() {
        assert!(find_user(&url, "root").is_none(), "a refused administrator was stored");
    }

    // There is no way to put the password on the command line (it would land in shell history
    // and the process list).
    let output = admin_create(&url, "root", &format!("{PASSWORD}\n"), &["--password", PASSWORD]);
    assert!(!output.status.success(), "--password was accepted");
    assert_eq!(output.status.code(), Some(2), "a usage error");
    assert!(String::from_utf8_lossy(&output.stderr).contains("--password"));
    if dir.join("x.db").exists() {
        assert!(find_user(&url, "root").is_none());
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// A running `serve --demo`: the credentials block it printed and its port.
struct Demo {
    child: Child,
    block: Vec<String>,
    port: u16,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve_demo(url: &str) -> Demo {
    let mut child = command()
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--database-url", url])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The log (stderr) is drained on a thread; it reports the port.
    let port_rx = support::listening_port(child.stderr.take().unwrap());
    let mut block = Vec::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in stdout.by_ref().map_while(Result::ok) {
        let rule = line.starts_with("=====");
        if rule || !block.is_empty() {
            block.push(line);
        }
        if rule && block.len() > 1 {
            break;
        }
    }
    let mut demo = Demo { child, block, port: 0 };
    assert!(demo.block.len() > 2, "no credentials block on stdout: {:?}", demo.block);
    demo.port = port_rx.recv_timeout(Duration::from_secs(30)).expect("the server logged no `listening` line");
    demo
}

impl Demo {
    /// The secret printed for a login (the last word of its line).
    fn secret_of(&self, login: &str) -> String {
        let line = self
            .block
            .iter()
            .find(|l| l.split_whitespace().any(|w| w == login))
            .unwrap_or_else(|| panic!("{login} not in {:?}", self.block));
        line.split_whitespace().last().unwrap().to_owned()
    }

    /// `GET path` with a bearer token; the answer's body as JSON.
    fn get_json(&self, path: &str, token: &str) -> serde_json::Value {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        assert!(response.starts_with("HTTP/1.1 200"), "GET {path}: {response}");
        let body = response.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
        serde_json::from_str(body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }

    fn token_request(&self, body: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            stream,
            "POST /api/v1/auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }
}

#[test]
fn serve_demo_prints_marked_credentials_and_fresh_ones_on_a_restart() {
    let dir = temp_dir("demo");
    let url = database_url(&dir);
    let first = serve_demo(&url);
    let text = first.block.join("\n");
    assert!(text.contains("DEMO DATA"), "{text}");
    for login in ["demo-admin", "demo-officer", "demo-auditor", "demo-manager", "demo-caseworker"] {
        assert!(first.secret_of(login).len() >= 32, "{login}");
    }
    for n in 1..=5 {
        assert!(text.contains(&format!("demo-ngo-{n}")), "demo-ngo-{n} missing: {text}");
    }
    let admin_secret = first.secret_of("demo-admin");
    let answer = first.token_request(&format!("grant_type=password&username=demo-admin&password={admin_secret}"));
    assert!(answer.starts_with("HTTP/1.1 200"), "the printed password does not log in: {answer}");
    let client_secret = first.secret_of("demo-ngo-3");
    let answer = first
        .token_request(&format!("grant_type=client_credentials&client_id=demo-ngo-3&client_secret={client_secret}"));
    assert!(answer.starts_with("HTTP/1.1 200"), "the printed client secret does not work: {answer}");
    drop(first);

    let second = serve_demo(&url);
    assert!(second.block.join("\n").contains("DEMO DATA"));
    let renewed = second.secret_of("demo-admin");
    assert_ne!(renewed, admin_secret, "a restart prints the same password");
    let answer = second.token_request(&format!("grant_type=password&username=demo-admin&password={renewed}"));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let answer = second.token_request(&format!("grant_type=password&username=demo-admin&password={admin_secret}"));
    assert!(answer.starts_with("HTTP/1.1 400"), "the old demo password still works: {answer}");
    assert_ne!(second.secret_of("demo-ngo-3"), client_secret);
    drop(second);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn serve_demo_awards_the_whole_2017_budget_to_the_five_ngos_r9() {
    let dir = temp_dir("demo-grants");
    let demo = serve_demo(&database_url(&dir));
    let secret = demo.secret_of("demo-admin");
    let answer = demo.token_request(&format!("grant_type=password&username=demo-admin&password={secret}"));
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    let token: serde_json::Value = serde_json::from_str(body).unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let year = demo.get_json("/api/v1/program-years/2017", &token);
    assert_eq!((year["budget_tetri"].clone(), year["granted_tetri"].clone()), (59_000_000.into(), 59_000_000.into()));
    assert_eq!(year["remaining_tetri"], 0);
    let grants = demo.get_json("/api/v1/grants?program_year=2017", &token);
    let items = grants["items"].as_array().unwrap();
    assert_eq!(items.len(), 5, "one grant per NGO");
    let total: i64 = items.iter().map(|g| g["amount_tetri"].as_i64().unwrap()).sum();
    assert_eq!(total, 59_000_000, "the grants add up to the budget, to the tetri");
    drop(demo);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn serve_demo_refuses_a_database_with_a_real_administrator() {
    let dir = temp_dir("real");
    let url = database_url(&dir);
    let created = admin_create(&url, "root", &format!("{PASSWORD}\n"), &[]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));

    let mut child = command()
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--database-url", &url])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut waited = 0;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if waited > 300 {
            let _ = child.kill();
            let _ = child.wait();
            panic!("serve --demo kept running on a database with a real user");
        }
        std::thread::sleep(Duration::from_millis(100));
        waited += 1;
    };
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(!status.success(), "serve --demo succeeded");
    assert!(stderr.contains("refusing"), "{stderr}");
    assert!(!stdout.contains("DEMO DATA"), "{stdout}");
    // The real administrator is untouched.
    let user = find_user(&url, "root").unwrap();
    assert!(api::auth::password::verify(PASSWORD, &user.password_hash).unwrap());
    assert!(find_user(&url, "demo-admin").is_none());
    std::fs::remove_dir_all(dir).unwrap();
}
