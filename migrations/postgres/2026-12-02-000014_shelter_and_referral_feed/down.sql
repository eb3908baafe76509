DROP INDEX service_vocational_details_feed_idx;
ALTER TABLE service_vocational_details DROP COLUMN feed_position;
DROP TABLE feed_counters;
ALTER TABLE program_years DROP CONSTRAINT program_years_shelter_spent, DROP COLUMN shelter_spent_tetri, DROP COLUMN shelter_allocation_tetri;
DROP INDEX shelter_stays_check_in_idx;
DROP INDEX shelter_stays_region_idx;
ALTER TABLE shelter_stays
    DROP CONSTRAINT shelter_stays_within_plan,
    DROP CONSTRAINT shelter_stays_status,
    DROP COLUMN reason,
    DROP COLUMN organization_id,
    DROP COLUMN planned_check_out,
    DROP COLUMN program_year,
    DROP COLUMN status;
ALTER TABLE arrivals DROP CONSTRAINT arrivals_shelter_nights, DROP COLUMN shelter_nights;
