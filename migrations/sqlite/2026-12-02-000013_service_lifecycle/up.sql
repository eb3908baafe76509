-- #11, R10: a grant keeps the running total of what its services hold — approved and not
-- cancelled (the approval with its supplements) plus delivered (the delivered cost). An approval
-- raises it in one conditional UPDATE (`... WHERE committed_tetri + amount <= amount_tetri`; SQLite's
-- writers take turns), and the CHECK refuses any write that would take it past the grant. The
-- total is derivable from the services (a test compares).
ALTER TABLE grants ADD COLUMN committed_tetri BIGINT NOT NULL DEFAULT 0
    CHECK (committed_tetri >= 0 AND committed_tetri <= amount_tetri);

-- A service belongs to its case's NGO (copied: cases never move, and the lists filter on it);
-- it is requested on a Tbilisi date, optionally with a document reference; an approval is dated
-- (its year picks the grant, R10); a delivered cost above the approval needs a supplementary
-- approval of the difference, under the same four eyes (R12); a delivery may name its document.
-- SQLite cannot add NOT NULL columns or CHECKs to a table: the table is rebuilt.
CREATE TABLE services_new (
    id                        TEXT PRIMARY KEY,
    case_id                   TEXT NOT NULL REFERENCES cases (id),
    service_type              TEXT NOT NULL REFERENCES service_types (code),
    grant_id                  TEXT REFERENCES grants (id),                  -- R10: the grant it is paid from
    status                    TEXT NOT NULL CHECK (status IN ('requested','approved','rejected','delivered','cancelled')),
    requested_amount_tetri    BIGINT NOT NULL DEFAULT 0 CHECK (requested_amount_tetri >= 0),
    approved_amount_tetri     BIGINT CHECK (approved_amount_tetri >= 0),
    delivered_amount_tetri    BIGINT CHECK (delivered_amount_tetri >= 0),
    requested_by_user_id      TEXT REFERENCES users (id),
    requested_at              TIMESTAMP NOT NULL,
    decided_by_user_id        TEXT REFERENCES users (id),                   -- R12: never the requester
    decided_at                TIMESTAMP,
    delivered_on              DATE,
    closed_reason             TEXT,
    version                   INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at                TIMESTAMP NOT NULL,
    updated_at                TIMESTAMP NOT NULL,
    requested_by_client_id    TEXT REFERENCES api_clients (id),
    decided_by_client_id      TEXT REFERENCES api_clients (id),
    organization_id           TEXT NOT NULL REFERENCES organizations (id),
    requested_on              DATE NOT NULL,
    reference                 TEXT,
    decided_on                DATE,
    supplementary_tetri       BIGINT NOT NULL DEFAULT 0,
    supplemented_by_user_id   TEXT REFERENCES users (id),
    supplemented_by_client_id TEXT REFERENCES api_clients (id),
    delivery_reference        TEXT,
    CONSTRAINT services_one_requester CHECK ((requested_by_user_id IS NULL) <> (requested_by_client_id IS NULL)),
    CONSTRAINT services_one_decider CHECK (decided_by_user_id IS NULL OR decided_by_client_id IS NULL),
    CONSTRAINT services_four_eyes_client CHECK (
        decided_by_client_id IS NULL OR requested_by_client_id IS NULL OR decided_by_client_id <> requested_by_client_id
    ),
    CHECK (decided_by_user_id IS NULL OR requested_by_user_id IS NULL OR decided_by_user_id <> requested_by_user_id),
    CONSTRAINT services_supplementary CHECK (supplementary_tetri >= 0),
    CONSTRAINT services_approved_within_requested CHECK (approved_amount_tetri IS NULL OR approved_amount_tetri <= requested_amount_tetri),
    CONSTRAINT services_delivered_within_approval CHECK (
        delivered_amount_tetri IS NULL OR delivered_amount_tetri <= COALESCE(approved_amount_tetri, 0) + supplementary_tetri
    ),
    CONSTRAINT services_approval_recorded CHECK (
        status NOT IN ('approved', 'delivered') OR (approved_amount_tetri IS NOT NULL AND decided_on IS NOT NULL)
    ),
    CONSTRAINT services_delivery_recorded CHECK (
        status <> 'delivered' OR (delivered_amount_tetri IS NOT NULL AND delivered_on IS NOT NULL)
    ),
    CONSTRAINT services_paid_from_a_grant CHECK (
        status NOT IN ('approved', 'delivered') OR grant_id IS NOT NULL OR approved_amount_tetri + supplementary_tetri = 0
    ),
    CONSTRAINT services_one_supplementer CHECK (supplemented_by_user_id IS NULL OR supplemented_by_client_id IS NULL),
    CONSTRAINT services_four_eyes_supplement CHECK (
        (supplemented_by_user_id IS NULL OR requested_by_user_id IS NULL OR supplemented_by_user_id <> requested_by_user_id)
        AND (supplemented_by_client_id IS NULL OR requested_by_client_id IS NULL OR supplemented_by_client_id <> requested_by_client_id)
    )
);
INSERT INTO services_new (id, case_id, service_type, grant_id, status, requested_amount_tetri, approved_amount_tetri, delivered_amount_tetri, requested_by_user_id, requested_at, decided_by_user_id, decided_at, delivered_on, closed_reason, version, created_at, updated_at, requested_by_client_id, decided_by_client_id, organization_id, requested_on, decided_on)
    SELECT id, case_id, service_type, grant_id, status, requested_amount_tetri, approved_amount_tetri, delivered_amount_tetri, requested_by_user_id, requested_at, decided_by_user_id, decided_at, delivered_on, closed_reason, version, created_at, updated_at, requested_by_client_id, decided_by_client_id,
        (SELECT organization_id FROM cases WHERE cases.id = services.case_id), date(requested_at), date(decided_at)
    FROM services;
DROP TABLE services;
ALTER TABLE services_new RENAME TO services;
CREATE INDEX services_case_idx ON services (case_id);
CREATE INDEX services_grant_status_idx ON services (grant_id, status);
CREATE INDEX services_organization_idx ON services (organization_id, id);
CREATE INDEX services_status_idx ON services (status, id);

UPDATE grants SET committed_tetri = COALESCE((
    SELECT SUM(CASE status WHEN 'approved' THEN approved_amount_tetri + supplementary_tetri
                           WHEN 'delivered' THEN delivered_amount_tetri ELSE 0 END)
    FROM services WHERE services.grant_id = grants.id), 0);
UPDATE grant_ceilings SET committed_tetri = COALESCE((
    SELECT SUM(CASE status WHEN 'approved' THEN approved_amount_tetri + supplementary_tetri
                           WHEN 'delivered' THEN delivered_amount_tetri ELSE 0 END)
    FROM services WHERE services.grant_id = grant_ceilings.grant_id AND services.service_type = grant_ceilings.service_type), 0);

-- S1: the provider (a clinic, a pharmacy) is where the money goes: not medical detail (R11).
ALTER TABLE service_medical_details ADD COLUMN provider TEXT;
-- S2: the planned sessions.
CREATE TABLE service_psychosocial_details (
    service_id       TEXT PRIMARY KEY REFERENCES services (id),
    planned_sessions INTEGER NOT NULL CHECK (planned_sessions BETWEEN 1 AND 200)
);
-- S4: the beneficiary's education, and when the Migration and Repatriation Division was informed.
ALTER TABLE service_vocational_details ADD COLUMN education TEXT;
ALTER TABLE service_vocational_details ADD COLUMN division_informed_on DATE;
