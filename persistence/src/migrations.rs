//! Migrations embedded in the binary, one folder per backend with mirrored names.

use diesel::RunQueryDsl;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::{DbConnection, StoreError};

pub const SQLITE: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// An arbitrary, fixed key: API nodes starting together take turns migrating.
const MIGRATION_LOCK_KEY: i64 = 0x5245_494E_5447; // "REINTG"

/// Applies every pending migration and returns the names of those applied.
pub fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE)
            .map(|versions| versions.iter().map(ToString::to_string).collect())
            .map_err(|e| StoreError::Corrupt(format!("migration failed: {e}"))),
        DbConnection::Postgresql(c) => {
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")).execute(c)?;
            let result = c
                .run_pending_migrations(POSTGRES)
                .map(|versions| versions.iter().map(ToString::to_string).collect())
                .map_err(|e| StoreError::Corrupt(format!("migration failed: {e}")));
            diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")).execute(c)?;
            result
        }
    }?;
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    fn entries(dir: &Path) -> BTreeSet<String> {
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
    }

    /// STYLE.md: both backends carry the same migrations, folder for folder and file for file.
    #[test]
    fn sqlite_and_postgres_migrations_are_mirrored() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
        let sqlite = entries(&root.join("sqlite"));
        let postgres = entries(&root.join("postgres"));
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, postgres, "migrations/sqlite and migrations/postgres differ");
        for name in &sqlite {
            assert_eq!(
                entries(&root.join("sqlite").join(name)),
                entries(&root.join("postgres").join(name)),
                "files of migration {name} differ"
            );
        }
    }
}
