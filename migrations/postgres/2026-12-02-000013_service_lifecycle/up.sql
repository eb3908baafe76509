-- #11, R10: a grant keeps the running total of what its services hold — approved and not
-- cancelled (the approval with its supplements) plus delivered (the delivered cost). An approval
-- raises it in one conditional UPDATE (`... WHERE committed_tetri + amount <= amount_tetri`), and
-- the CHECK refuses any write that would take it past the grant: never overspent, also when
-- approvals race on several API nodes. The total is derivable from the services (a test compares).
ALTER TABLE grants
    ADD COLUMN committed_tetri BIGINT NOT NULL DEFAULT 0,
    ADD CONSTRAINT grants_committed_within_amount CHECK (committed_tetri >= 0 AND committed_tetri <= amount_tetri);

-- A service belongs to its case's NGO (copied: cases never move, and the lists filter on it);
-- it is requested on a Tbilisi date, optionally with a document reference; an approval is dated
-- (its year picks the grant, R10); a delivered cost above the approval needs a supplementary
-- approval of the difference, under the same four eyes (R12); a delivery may name its document.
ALTER TABLE services
    ADD COLUMN organization_id           TEXT REFERENCES organizations (id),
    ADD COLUMN requested_on              DATE,
    ADD COLUMN reference                 TEXT,
    ADD COLUMN decided_on                DATE,
    ADD COLUMN supplementary_tetri       BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN supplemented_by_user_id   TEXT REFERENCES users (id),
    ADD COLUMN supplemented_by_client_id TEXT REFERENCES api_clients (id),
    ADD COLUMN delivery_reference        TEXT;
UPDATE services SET
    organization_id = (SELECT organization_id FROM cases WHERE cases.id = services.case_id),
    requested_on = CAST(requested_at AS DATE);
ALTER TABLE services
    ALTER COLUMN organization_id SET NOT NULL,
    ALTER COLUMN requested_on SET NOT NULL,
    ADD CONSTRAINT services_supplementary CHECK (supplementary_tetri >= 0),
    ADD CONSTRAINT services_approved_within_requested CHECK (approved_amount_tetri IS NULL OR approved_amount_tetri <= requested_amount_tetri),
    ADD CONSTRAINT services_delivered_within_approval CHECK (
        delivered_amount_tetri IS NULL OR delivered_amount_tetri <= COALESCE(approved_amount_tetri, 0) + supplementary_tetri
    ),
    ADD CONSTRAINT services_approval_recorded CHECK (
        status NOT IN ('approved', 'delivered') OR (approved_amount_tetri IS NOT NULL AND decided_on IS NOT NULL)
    ),
    ADD CONSTRAINT services_delivery_recorded CHECK (
        status <> 'delivered' OR (delivered_amount_tetri IS NOT NULL AND delivered_on IS NOT NULL)
    ),
    ADD CONSTRAINT services_paid_from_a_grant CHECK (
        status NOT IN ('approved', 'delivered') OR grant_id IS NOT NULL OR approved_amount_tetri + supplementary_tetri = 0
    ),
    ADD CONSTRAINT services_one_supplementer CHECK (supplemented_by_user_id IS NULL OR supplemented_by_client_id IS NULL),
    ADD CONSTRAINT services_four_eyes_supplement CHECK (
        (supplemented_by_user_id IS NULL OR requested_by_user_id IS NULL OR supplemented_by_user_id <> requested_by_user_id)
        AND (supplemented_by_client_id IS NULL OR requested_by_client_id IS NULL OR supplemented_by_client_id <> requested_by_client_id)
    );
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
ALTER TABLE service_vocational_details
    ADD COLUMN education TEXT,
    ADD COLUMN division_informed_on DATE;
