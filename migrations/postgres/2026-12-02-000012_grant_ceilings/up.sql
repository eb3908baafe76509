-- #11: a grant may cap what it pays for each service type (an optional ceiling per type, within
-- the grant). `committed_tetri` will hold what approvals of that type have taken of the ceiling,
-- raised in the same conditional UPDATE that checks it, like the year's total (R9, R10).
CREATE TABLE grant_ceilings (
    grant_id        TEXT NOT NULL REFERENCES grants (id),
    service_type    TEXT NOT NULL REFERENCES service_types (code),
    amount_tetri    BIGINT NOT NULL CHECK (amount_tetri > 0),
    committed_tetri BIGINT NOT NULL DEFAULT 0 CHECK (committed_tetri >= 0 AND committed_tetri <= amount_tetri),
    PRIMARY KEY (grant_id, service_type)
);
