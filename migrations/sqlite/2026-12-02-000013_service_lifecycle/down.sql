ALTER TABLE service_vocational_details DROP COLUMN division_informed_on;
ALTER TABLE service_vocational_details DROP COLUMN education;
DROP TABLE service_psychosocial_details;
ALTER TABLE service_medical_details DROP COLUMN provider;
CREATE TABLE services_old (
    id                     TEXT PRIMARY KEY,
    case_id                TEXT NOT NULL REFERENCES cases (id),
    service_type           TEXT NOT NULL REFERENCES service_types (code),
    grant_id               TEXT REFERENCES grants (id),
    status                 TEXT NOT NULL CHECK (status IN ('requested','approved','rejected','delivered','cancelled')),
    requested_amount_tetri BIGINT NOT NULL DEFAULT 0 CHECK (requested_amount_tetri >= 0),
    approved_amount_tetri  BIGINT CHECK (approved_amount_tetri >= 0),
    delivered_amount_tetri BIGINT CHECK (delivered_amount_tetri >= 0),
    requested_by_user_id   TEXT REFERENCES users (id),
    requested_at           TIMESTAMP NOT NULL,
    decided_by_user_id     TEXT REFERENCES users (id),
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
INSERT INTO services_old (id, case_id, service_type, grant_id, status, requested_amount_tetri, approved_amount_tetri, delivered_amount_tetri, requested_by_user_id, requested_at, decided_by_user_id, decided_at, delivered_on, closed_reason, version, created_at, updated_at, requested_by_client_id, decided_by_client_id)
    SELECT id, case_id, service_type, grant_id, status, requested_amount_tetri, approved_amount_tetri, delivered_amount_tetri, requested_by_user_id, requested_at, decided_by_user_id, decided_at, delivered_on, closed_reason, version, created_at, updated_at, requested_by_client_id, decided_by_client_id FROM services;
DROP TABLE services;
ALTER TABLE services_old RENAME TO services;
CREATE INDEX services_case_idx ON services (case_id);
CREATE INDEX services_grant_status_idx ON services (grant_id, status);
ALTER TABLE grants DROP COLUMN committed_tetri;
