-- #11, R9: the grants of a year never add up to more than its budget, also when two awards race.
-- The year keeps the running total of its grants; an award raises it in one conditional UPDATE
-- (`... WHERE granted_tetri + amount <= budget_tetri`), and the CHECK refuses any write that would
-- take it past the budget. A grant runs for a period within its year.
ALTER TABLE program_years ADD COLUMN granted_tetri BIGINT NOT NULL DEFAULT 0
    CHECK (granted_tetri >= 0 AND granted_tetri <= budget_tetri);
UPDATE program_years SET granted_tetri = COALESCE((SELECT SUM(amount_tetri) FROM grants WHERE grants.program_year = program_years.year), 0);

ALTER TABLE grants ADD COLUMN period_start DATE NOT NULL DEFAULT '2015-01-01'
    CHECK (CAST(strftime('%Y', period_start) AS INTEGER) = program_year);
ALTER TABLE grants ADD COLUMN period_end DATE NOT NULL DEFAULT '2015-12-31'
    CHECK (period_end >= period_start AND CAST(strftime('%Y', period_end) AS INTEGER) = program_year);
UPDATE grants SET period_start = printf('%04d-01-01', program_year), period_end = printf('%04d-12-31', program_year);
CREATE INDEX grants_organization_idx ON grants (organization_id, program_year);
