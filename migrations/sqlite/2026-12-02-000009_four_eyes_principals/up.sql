-- #9.7, R12 for systems too: a service is requested by a principal, a user or an NGO system
-- (API client), never by nobody; it is decided by at most one; and the database refuses a
-- decision by the principal who requested it, person or system. Before, the CHECK passed
-- whenever requested_by_user_id was NULL, which is every request an NGO system makes.
-- SQLite cannot add a CHECK to a table: the table is rebuilt (its details tables refer to it by
-- name, so they follow the new one).
CREATE TABLE services_new (
    id                     TEXT PRIMARY KEY,
    case_id                TEXT NOT NULL REFERENCES cases (id),
    service_type           TEXT NOT NULL REFERENCES service_types (code),
    grant_id               TEXT REFERENCES grants (id),                  -- R10: the grant it is paid from
    status                 TEXT NOT NULL CHECK (status IN ('requested','approved','rejected','delivered','cancelled')),
    requested_amount_tetri BIGINT NOT NULL DEFAULT 0 CHECK (requested_amount_tetri >= 0),
    approved_amount_tetri  BIGINT CHECK (approved_amount_tetri >= 0),
    delivered_amount_tetri BIGINT CHECK (delivered_amount_tetri >= 0),
    requested_by_user_id   TEXT REFERENCES users (id),
    requested_at           TIMESTAMP NOT NULL,
    decided_by_user_id     TEXT REFERENCES users (id),                   -- R12: never the requester
    decided_at             TIMESTAMP,
    delivered_on           DATE,
    closed_reason          TEXT,
    version                INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    requested_by_client_id TEXT REFERENCES api_clients (id),
    decided_by_client_id   TEXT REFERENCES api_clients (id),
    CONSTRAINT services_one_requester CHECK ((requested_by_user_id IS NULL) <> (requested_by_client_id IS NULL)),
    CONSTRAINT services_one_decider CHECK (decided_by_user_id IS NULL OR decided_by_client_id IS NULL),
    CONSTRAINT services_four_eyes_client CHECK (
        decided_by_client_id IS NULL OR requested_by_client_id IS NULL OR decided_by_client_id <> requested_by_client_id
    ),
    CHECK (decided_by_user_id IS NULL OR requested_by_user_id IS NULL OR decided_by_user_id <> requested_by_user_id)
);
INSERT INTO services_new (id, case_id, service_type, grant_id, status, requested_amount_tetri, approved_amount_tetri, delivered_amount_tetri, requested_by_user_id, requested_at, decided_by_user_id, decided_at, delivered_on, closed_reason, version, created_at, updated_at)
    SELECT id, case_id, service_type, grant_id, status, requested_amount_tetri, approved_amount_tetri, delivered_amount_tetri, requested_by_user_id, requested_at, decided_by_user_id, decided_at, delivered_on, closed_reason, version, created_at, updated_at FROM services;
DROP TABLE services;
ALTER TABLE services_new RENAME TO services;
CREATE INDEX services_case_idx ON services (case_id);
CREATE INDEX services_grant_status_idx ON services (grant_id, status);
