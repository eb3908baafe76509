//! The identity commands as an operator runs them: `admin create` reads the password from
//! standard input (never from a flag) and applies the password policy; `serve --demo` loads the
//! 2017 program with printed credentials, prints fresh ones on a restart, and refuses a
//! database that holds real data. The demo's tests run on SQLite and, with
//! `TEST_DATABASE=postgres`, on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use persistence::DatabaseUrl;
use persistence::repo::users;
use serde_json::Value;

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

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The database of a demo test: a SQLite file in the test's directory or, with
/// `TEST_DATABASE=postgres`, a database of its own on `TEST_POSTGRES_URL` (made and dropped with
/// `psql`, as `tests/fuzz/run.sh` does), where the server needs a signing key of its own (it
/// generates one only for a local SQLite demo).
struct DemoDatabase {
    url: String,
    /// The server's further arguments for it.
    args: Vec<String>,
    /// PostgreSQL: the administrator's URL and the database's name, to drop it.
    postgres: Option<(String, String)>,
}

fn psql(admin_url: &str, sql: &str) -> Output {
    Command::new("psql").args([admin_url, "-qtAc", sql]).output().expect("psql (PostgreSQL's client) is not installed")
}

impl DemoDatabase {
    fn create(dir: &Path) -> Self {
        match std::env::var("TEST_DATABASE").as_deref() {
            Ok("postgres") => {
                let admin = std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
                // As the other tests do: no TLS on loopback unless the URL asks for it.
                let admin = if admin.contains("sslmode=") {
                    admin
                } else {
                    format!("{admin}{}sslmode=disable", if admin.contains('?') { '&' } else { '?' })
                };
                let name = format!("reintegration_cli_{}", uuid::Uuid::now_v7().simple());
                let created = psql(&admin, &format!("CREATE DATABASE {name}"));
                assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
                let (path, query) = admin.split_once('?').unwrap_or((&admin, ""));
                let base = path.rsplit_once('/').map_or(path, |(base, _)| base);
                let url = format!("{base}/{name}?{query}");
                let key = command().arg("generate-key").output().unwrap();
                assert!(key.status.success(), "{}", String::from_utf8_lossy(&key.stderr));
                let key_file = dir.join("signing-key.pem");
                std::fs::write(&key_file, key.stdout).unwrap();
                let args = vec!["--jwt-signing-key-file".to_owned(), key_file.display().to_string()];
                DemoDatabase { url, args, postgres: Some((admin, name)) }
            }
            Ok("sqlite") | Err(_) => DemoDatabase { url: database_url(dir), args: Vec::new(), postgres: None },
            Ok(other) => panic!("TEST_DATABASE must be sqlite or postgres, not {other}"),
        }
    }
}

impl Drop for DemoDatabase {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.postgres {
            let _ = psql(admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
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

fn serve_demo(database: &DemoDatabase) -> Demo {
    let mut child = command()
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--database-url", &database.url])
        .args(&database.args)
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

    /// Every item of a list, page by page (`next_cursor` → `cursor`), two at a time.
    fn all_pages(&self, path: &str, token: &str) -> Vec<Value> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let after = cursor.as_deref().map(|c| format!("&cursor={c}")).unwrap_or_default();
            let page = self.get_json(&format!("{path}{separator}limit=2{after}"), token);
            items.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return items,
            }
            assert!(items.len() < 1_000, "{path}: the pages do not end");
        }
    }

    /// A bearer token for a printed demo user.
    fn login(&self, username: &str) -> String {
        let secret = self.secret_of(username);
        let answer = self.token_request(&format!("grant_type=password&username={username}&password={secret}"));
        assert!(answer.starts_with("HTTP/1.1 200"), "{username} does not log in: {answer}");
        let body = answer.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
        let token: Value = serde_json::from_str(body).unwrap();
        token["access_token"].as_str().unwrap().to_owned()
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
    let database = DemoDatabase::create(&dir);
    let first = serve_demo(&database);
    let text = first.block.join("\n");
    assert!(text.contains("DEMO DATA"), "{text}");
    for login in ["demo-admin", "demo-officer", "demo-auditor", "demo-manager", "demo-caseworker"] {
        assert!(first.secret_of(login).len() >= 32, "{login}");
    }
    // R12: every NGO has a manager to decide what its system requests.
    for n in 2..=5 {
        assert!(first.secret_of(&format!("demo-manager-{n}")).len() >= 32, "demo-manager-{n}");
    }
    first.login("demo-manager-4");
    let services = first.all_pages("/api/v1/services", &first.login("demo-auditor")).len();
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

    let second = serve_demo(&database);
    assert!(second.block.join("\n").contains("DEMO DATA"));
    let renewed = second.secret_of("demo-admin");
    assert_ne!(renewed, admin_secret, "a restart prints the same password");
    let answer = second.token_request(&format!("grant_type=password&username=demo-admin&password={renewed}"));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let answer = second.token_request(&format!("grant_type=password&username=demo-admin&password={admin_secret}"));
    assert!(answer.starts_with("HTTP/1.1 400"), "the old demo password still works: {answer}");
    assert_ne!(second.secret_of("demo-ngo-3"), client_secret);
    let again = second.all_pages("/api/v1/services", &second.login("demo-auditor")).len();
    assert_eq!(again, services, "a restart records the year's work again");
    drop(second);
    drop(database);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn serve_demo_awards_the_whole_2017_budget_to_the_five_ngos_r9() {
    let dir = temp_dir("demo-grants");
    let database = DemoDatabase::create(&dir);
    let demo = serve_demo(&database);
    let token = demo.login("demo-admin");
    let year = demo.get_json("/api/v1/program-years/2017", &token);
    assert_eq!((year["budget_tetri"].clone(), year["granted_tetri"].clone()), (59_000_000.into(), 59_000_000.into()));
    assert_eq!(year["remaining_tetri"], 0);
    let grants = demo.get_json("/api/v1/grants?program_year=2017", &token);
    let items = grants["items"].as_array().unwrap();
    assert_eq!(items.len(), 5, "one grant per NGO");
    let total: i64 = items.iter().map(|g| g["amount_tetri"].as_i64().unwrap()).sum();
    assert_eq!(total, 59_000_000, "the grants add up to the budget, to the tetri");
    drop(demo);
    drop(database);
    std::fs::remove_dir_all(dir).unwrap();
}

fn tetri(service: &Value, field: &str) -> i64 {
    service[field].as_i64().unwrap_or_else(|| panic!("{field} of {service}"))
}

/// Issue #11's done-criterion: for the demo year, what each NGO's grant reports as approved and
/// delivered is the sum over the services charged to it, to the tetri (R10) — read as an
/// auditor reads it, through the API.
#[test]
fn serve_demo_grant_balances_are_the_sums_over_their_services_to_the_tetri_r10() {
    let dir = temp_dir("demo-services");
    let database = DemoDatabase::create(&dir);
    let demo = serve_demo(&database);
    let token = demo.login("demo-auditor");
    let grants = demo.get_json("/api/v1/grants?program_year=2017", &token);
    let grants = grants["items"].as_array().unwrap();
    assert_eq!(grants.len(), 5, "one grant per NGO");
    for grant in grants {
        let services = demo.all_pages(&format!("/api/v1/services?grant_id={}", grant["id"].as_str().unwrap()), &token);
        assert!(!services.is_empty(), "the demo charges nothing to {grant}");
        for service in &services {
            assert_eq!(service["grant_id"], grant["id"], "{service}");
            assert_eq!(service["organization_id"], grant["organization_id"], "R10: another NGO's grant: {service}");
        }
        let sum = |status: &str, amount: &dyn Fn(&Value) -> i64| -> i64 {
            services.iter().filter(|s| s["status"] == status).map(amount).sum()
        };
        let approved = sum("approved", &|s| tetri(s, "approved_amount_tetri") + tetri(s, "supplementary_tetri"));
        let delivered = sum("delivered", &|s| tetri(s, "delivered_amount_tetri"));
        let cancelled = sum("cancelled", &|s| tetri(s, "approved_amount_tetri") + tetri(s, "supplementary_tetri"));
        let balance = &grant["balance"];
        let organization = &grant["organization_id"];
        assert_eq!(balance["approved_tetri"], approved, "approved, NGO {organization}");
        assert_eq!(balance["delivered_tetri"], delivered, "delivered, NGO {organization}");
        assert_eq!(balance["cancelled_tetri"], cancelled, "cancelled, NGO {organization}");
        let remaining = tetri(grant, "amount_tetri") - approved - delivered;
        assert_eq!(balance["remaining_tetri"], remaining, "remaining, NGO {organization}");
    }

    // What the sums run over: every status, every type S1–S4, services at every NGO.
    let services = demo.all_pages("/api/v1/services", &token);
    let seen = |field: &str| services.iter().map(|s| s[field].as_str().unwrap().to_owned()).collect::<BTreeSet<_>>();
    let statuses = ["approved", "cancelled", "delivered", "rejected", "requested"];
    assert_eq!(seen("status"), statuses.map(str::to_owned).into(), "every service status");
    assert_eq!(seen("category"), ["S1", "S2", "S3", "S4"].map(str::to_owned).into(), "every service type S1–S4");
    assert_eq!(seen("organization_id").len(), 5, "services at every NGO");
    let delivered: Vec<_> = services.iter().filter(|s| s["status"] == "delivered").collect();
    assert!(
        delivered.iter().any(|s| tetri(s, "delivered_amount_tetri") < tetri(s, "approved_amount_tetri")),
        "a delivery below its approval"
    );
    assert!(delivered.iter().any(|s| tetri(s, "supplementary_tetri") > 0), "a delivery after a supplement");
    for service in &services {
        // R12: nobody decided what they requested.
        assert_ne!(service["decided_by"], service["requested_by"], "{service}");
        // R11: the auditor sees that medical details exist, never what they say.
        let medical = &service["medical"];
        assert!(medical.is_null() || (medical["icd10_code"].is_null() && medical["notes"].is_null()), "{service}");
    }
    assert!(services.iter().any(|s| s["medical"]["details_withheld"] == true), "an S1 service with an ICD-10 code");

    // S5: stays in each covered region (R6), none past 4 nights per return (R7), one checked out
    // early and one cancelled; S4: the division's feed holds the year's referrals.
    let stays = demo.all_pages("/api/v1/shelter-stays", &token);
    let mut regions: Vec<&str> = stays.iter().map(|s| s["region_code"].as_str().unwrap()).collect();
    regions.sort_unstable();
    regions.dedup();
    assert_eq!(regions, ["GE-KK", "GE-MM", "GE-TB"], "a stay in each covered region");
    let mut nights: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for stay in &stays {
        *nights.entry(stay["arrival_id"].as_str().unwrap()).or_default() += stay["nights"].as_i64().unwrap();
    }
    assert!(nights.values().all(|n| *n <= 4), "{nights:?}");
    for status in ["booked", "checked_out", "cancelled"] {
        assert!(stays.iter().any(|s| s["status"] == status), "a {status} stay");
    }
    let division = demo.login("demo-officer");
    let feed = demo.get_json("/api/v1/referrals/vocational", &division);
    let referrals = services.iter().filter(|s| s["service_type"] == "vocational_referral").count();
    assert!(referrals > 0);
    assert_eq!(feed["items"].as_array().unwrap().len(), referrals, "every S4 referral in the feed");
    drop(demo);
    drop(database);
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

/// #13: `reintegration audit verify` walks the chain and succeeds on an untouched one;
/// `reintegration audit redact` clears one event's content, and the chain still verifies.
#[test]
fn audit_verify_and_redact_from_the_command_line() {
    let dir = temp_dir("audit");
    let url = database_url(&dir);
    let created = admin_create(&url, "chief", "correct horse battery staple 42\n", &[]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let verify = || command().args(["audit", "verify", "--database-url", &url]).output().unwrap();
    let output = verify();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let found: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(found["intact"], true, "{found}");
    let event_id = {
        let mut conn = persistence::DatabaseUrl::parse(&url).unwrap().connect().unwrap();
        persistence::repo::audit::for_entity(&mut conn, "user", &find_user(&url, "chief").unwrap().id).unwrap()[0]
            .id
            .clone()
    };
    let output = command()
        .args(["audit", "redact", "--event-id", &event_id, "--reason", "Erasure request", "--database-url", &url])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let output = verify();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let found: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (found["intact"].as_bool(), found["redacted"].as_array().map(Vec::len)),
        (Some(true), Some(1)),
        "{found}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
