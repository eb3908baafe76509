DROP INDEX grants_organization_idx;
ALTER TABLE grants DROP COLUMN period_end;
ALTER TABLE grants DROP COLUMN period_start;
ALTER TABLE program_years DROP COLUMN granted_tetri;
