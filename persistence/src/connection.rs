//! One connection type over both backends, chosen explicitly from the URL's scheme.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};

use crate::StoreError;

/// A connection to either backend. Queries written against `crate::schema` run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

impl DbConnection {
    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Postgresql(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A database URL whose scheme has been checked. `sqlite://reintegration.db` (relative),
/// `sqlite:///var/lib/x.db` (absolute), `postgres://…` or `postgresql://…`; anything else is
/// refused, so a typo never silently creates a SQLite file.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    backend: Backend,
    /// What the driver receives: a file path for SQLite, the whole URL for PostgreSQL.
    target: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DatabaseUrlError {
    #[error("the database URL has no scheme: use sqlite://FILE or postgres://…")]
    MissingScheme,
    #[error("unsupported database URL scheme `{0}`: use sqlite://FILE or postgres://…")]
    UnknownScheme(String),
    #[error("the sqlite:// URL names no file")]
    EmptySqlitePath,
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, DatabaseUrlError> {
        let url = url.trim();
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(DatabaseUrlError::MissingScheme);
        };
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => {
                let path = rest.split('?').next().unwrap_or_default();
                if path.is_empty() {
                    return Err(DatabaseUrlError::EmptySqlitePath);
                }
                Ok(Self { backend: Backend::Sqlite, target: path.to_owned() })
            }
            "postgres" | "postgresql" => Ok(Self { backend: Backend::Postgres, target: url.to_owned() }),
            other => Err(DatabaseUrlError::UnknownScheme(other.to_owned())),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The SQLite file path, or the PostgreSQL URL.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Opens one connection to the backend the scheme names, with the real driver error.
    pub fn connect(&self) -> ConnectionResult<DbConnection> {
        match self.backend {
            Backend::Postgres => diesel::PgConnection::establish(&self.target).map(DbConnection::Postgresql),
            Backend::Sqlite => {
                let mut conn = diesel::SqliteConnection::establish(&self.target)?;
                // Per connection: enforce foreign keys, let readers and a writer work side by side,
                // and wait for a busy writer instead of failing at once.
                conn.batch_execute(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                )
                .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

/// Never prints a PostgreSQL password.
impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.redacted())
    }
}

impl DatabaseUrl {
    /// The URL with any password replaced by `***`, fit for logs.
    pub fn redacted(&self) -> String {
        match self.backend {
            Backend::Sqlite => format!("sqlite://{}", self.target),
            Backend::Postgres => match (self.target.find("://"), self.target.rfind('@')) {
                (Some(scheme_end), Some(at)) if at > scheme_end => {
                    let userinfo = &self.target[scheme_end + 3..at];
                    match userinfo.split_once(':') {
                        Some((user, _)) => {
                            format!("{}{user}:***{}", &self.target[..scheme_end + 3], &self.target[at..])
                        }
                        None => self.target.clone(),
                    }
                }
                _ => self.target.clone(),
            },
        }
    }
}

/// r2d2 manager that opens connections through [`DatabaseUrl::connect`].
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        self.url.connect().map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        r2d2::R2D2Connection::is_broken(conn)
    }
}

pub type PooledConnection = r2d2::PooledConnection<Manager>;

#[derive(Debug, Clone)]
pub struct PoolConfig {
    pub max_size: u32,
    pub connection_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self { max_size: 10, connection_timeout: Duration::from_secs(2) }
    }
}

/// The connection pool; cheap to clone. Holds no state beyond connections, so several API nodes
/// can share one PostgreSQL.
#[derive(Clone)]
pub struct Pool {
    inner: r2d2::Pool<Manager>,
    backend: Backend,
}

impl Pool {
    /// Builds the pool without connecting yet: the server can start while the database is down
    /// and report it through `/health/ready`.
    pub fn new(url: &DatabaseUrl, config: &PoolConfig) -> Self {
        // SQLite allows one writer at a time; a small pool avoids piling writers on the busy lock.
        let max_size = match url.backend() {
            Backend::Sqlite => config.max_size.min(4),
            Backend::Postgres => config.max_size,
        };
        let inner = r2d2::Pool::builder()
            .max_size(max_size.max(1))
            .min_idle(Some(0))
            .connection_timeout(config.connection_timeout)
            // #8.16: after a PostgreSQL restart or failover every idle connection is dead, and
            // nothing tells the pool until it is used. A `SELECT 1` on checkout (one round trip)
            // finds it and the pool opens a fresh one, so the first request after the restart
            // succeeds. An SQLite connection is a file handle with no server to lose.
            .test_on_check_out(url.backend() == Backend::Postgres)
            .build_unchecked(Manager { url: url.clone() });
        Self { inner, backend: url.backend() }
    }

    /// The most connections the pool opens.
    pub fn max_size(&self) -> u32 {
        self.inner.max_size()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn get(&self) -> Result<PooledConnection, StoreError> {
        Ok(self.inner.get()?)
    }

    pub fn get_timeout(&self, timeout: Duration) -> Result<PooledConnection, StoreError> {
        Ok(self.inner.get_timeout(timeout)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_and_postgres_schemes_are_recognised() {
        let sqlite = DatabaseUrl::parse("sqlite://reintegration.db").unwrap();
        assert_eq!((sqlite.backend(), sqlite.target()), (Backend::Sqlite, "reintegration.db"));
        let absolute = DatabaseUrl::parse("sqlite:///var/lib/r.db").unwrap();
        assert_eq!(absolute.target(), "/var/lib/r.db");
        for url in ["postgres://u@h/db", "postgresql://u@h/db", "POSTGRES://u@h/db"] {
            assert_eq!(DatabaseUrl::parse(url).unwrap().backend(), Backend::Postgres);
        }
    }

    #[test]
    fn an_unknown_or_missing_scheme_is_an_error_never_a_new_file() {
        assert_eq!(DatabaseUrl::parse("mysql://x/y"), Err(DatabaseUrlError::UnknownScheme("mysql".into())));
        assert_eq!(DatabaseUrl::parse("reintegration.db"), Err(DatabaseUrlError::MissingScheme));
        assert_eq!(DatabaseUrl::parse("sqlite://"), Err(DatabaseUrlError::EmptySqlitePath));
    }

    #[test]
    fn the_password_never_reaches_a_log() {
        let url = DatabaseUrl::parse("postgres://app:s3cret@db:5432/r").unwrap();
        assert_eq!(url.redacted(), "postgres://app:***@db:5432/r");
        assert!(!format!("{url:?}").contains("s3cret"));
    }
}
