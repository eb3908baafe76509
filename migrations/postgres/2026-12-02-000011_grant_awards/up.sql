-- #11, R9: the grants of a year never add up to more than its budget, also when two awards race.
-- The year keeps the running total of its grants; an award raises it in one conditional UPDATE
-- (`... WHERE granted_tetri + amount <= budget_tetri`), and the CHECK refuses any write that would
-- take it past the budget. A grant runs for a period within its year.
ALTER TABLE program_years
    ADD COLUMN granted_tetri BIGINT NOT NULL DEFAULT 0,
    ADD CONSTRAINT program_years_granted_within_budget CHECK (granted_tetri >= 0 AND granted_tetri <= budget_tetri);
UPDATE program_years SET granted_tetri = COALESCE((SELECT SUM(amount_tetri) FROM grants WHERE grants.program_year = program_years.year), 0);

ALTER TABLE grants
    ADD COLUMN period_start DATE,
    ADD COLUMN period_end DATE;
UPDATE grants SET period_start = make_date(program_year, 1, 1), period_end = make_date(program_year, 12, 31);
ALTER TABLE grants
    ALTER COLUMN period_start SET NOT NULL,
    ALTER COLUMN period_end SET NOT NULL,
    ADD CONSTRAINT grants_period CHECK (
        period_end >= period_start
        AND EXTRACT(YEAR FROM period_start) = program_year
        AND EXTRACT(YEAR FROM period_end) = program_year
    ),
    ADD CONSTRAINT grants_positive CHECK (amount_tetri > 0);
CREATE INDEX grants_organization_idx ON grants (organization_id, program_year);
