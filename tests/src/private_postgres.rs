//! A PostgreSQL server of one test's own (#8.16, #8.17): its own data directory in a temporary
//! directory and a free port, so the test can stop and start it without disturbing the shared
//! server other tests use. Built with the `initdb` and `pg_ctl` of the installed PostgreSQL
//! (`/usr/lib/postgresql/<version>/bin`, or `TEST_POSTGRES_BINDIR`). As root, they run as the
//! `postgres` user (initdb refuses root).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A private PostgreSQL server; stopped and removed when dropped.
pub struct PrivatePostgres {
    bindir: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl PrivatePostgres {
    /// Initialises a data directory and starts the server on a free loopback port.
    pub fn start() -> Self {
        let bindir = bindir();
        let dir = std::env::temp_dir().join(format!("reintegration-pg-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let as_postgres = is_root();
        if as_postgres {
            run(Command::new("chown").arg("postgres:postgres").arg(&dir));
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap_or_else(|e| panic!("no free port: {e}"))
            .port();
        let server = Self { bindir, dir, port, as_postgres };
        run(server
            .command("initdb")
            .args(["--username=postgres", "--auth=trust", "--encoding=UTF8", "--no-sync", "--pgdata"])
            .arg(server.data()));
        server.start_again();
        server
    }

    /// The URL of the `postgres` database, for creating test databases.
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres?sslmode=disable", self.port)
    }

    /// `pg_ctl stop -m fast`: every connection is closed, as in a restart or a failover.
    pub fn stop(&self) {
        run(self.command("pg_ctl").args(["stop", "--wait", "--mode=fast", "--pgdata"]).arg(self.data()));
    }

    /// Starts the stopped server on the same port and data, and waits until it accepts TCP.
    pub fn start_again(&self) {
        let options = format!(
            "-c port={} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off",
            self.port,
            self.dir.display()
        );
        run(self
            .command("pg_ctl")
            .args(["start", "--wait", "--pgdata"])
            .arg(self.data())
            .arg("--log")
            .arg(self.dir.join("server.log"))
            .args(["-o", &options]));
        self.wait_for_tcp(Duration::from_secs(30));
    }

    /// Polls until the server accepts a TCP connection (no query is sent).
    pub fn wait_for_tcp(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "PostgreSQL on port {} does not accept connections", self.port);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bindir.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ =
            self.command("pg_ctl").args(["stop", "--wait", "--mode=immediate", "--pgdata"]).arg(self.data()).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The newest installed PostgreSQL's programs.
fn bindir() -> PathBuf {
    if let Ok(dir) = std::env::var("TEST_POSTGRES_BINDIR") {
        return PathBuf::from(dir);
    }
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("no PostgreSQL under {} ({e}); set TEST_POSTGRES_BINDIR", root.display()))
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).unwrap_or_else(|| panic!("no initdb under {}", root.display()))
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

fn run(command: &mut Command) {
    let output = command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
