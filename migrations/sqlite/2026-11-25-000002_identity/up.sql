-- Identity and access: login throttling kept in the database, so it holds across API nodes.

CREATE TABLE login_throttle (
    throttle_key     TEXT PRIMARY KEY,             -- 'username:<name>' or 'address:<ip>'
    failures         INTEGER NOT NULL CHECK (failures >= 0),
    first_failure_at TIMESTAMP NOT NULL,
    locked_until     TIMESTAMP,
    updated_at       TIMESTAMP NOT NULL
);

-- An administrator's reset hands out a password the user must replace.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

-- Usernames are stored lower-case (SQLite cannot add a CHECK to an existing table: triggers do it).
CREATE TRIGGER users_username_lowercase_insert BEFORE INSERT ON users
WHEN NEW.username <> lower(NEW.username)
BEGIN
    SELECT RAISE(ABORT, 'users_username_lowercase');
END;
CREATE TRIGGER users_username_lowercase_update BEFORE UPDATE OF username ON users
WHEN NEW.username <> lower(NEW.username)
BEGIN
    SELECT RAISE(ABORT, 'users_username_lowercase');
END;
