-- #12, S5/R7: an arrival keeps the running total of its shelter nights; a stay raises it in one
-- conditional UPDATE (`... WHERE shelter_nights + n <= 4`; SQLite's writers take turns), and the
-- CHECK refuses anything past 4.
ALTER TABLE arrivals ADD COLUMN shelter_nights INTEGER NOT NULL DEFAULT 0 CHECK (shelter_nights BETWEEN 0 AND 4);

-- A stay is booked, then checked out (early: its nights shrink) or cancelled (its nights and
-- cost are freed). Its cost is recorded against the program year of its first night, under
-- state program direction N0100, apart from the NGOs' grants.
ALTER TABLE shelter_stays ADD COLUMN status TEXT NOT NULL DEFAULT 'booked'
    CHECK (status IN ('booked', 'checked_out', 'cancelled'));
ALTER TABLE shelter_stays ADD COLUMN program_year INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shelter_stays ADD COLUMN planned_check_out DATE NOT NULL DEFAULT '2015-01-01'
    CHECK (check_out <= planned_check_out);
-- (SQLite cannot add a referencing column with a default: the recording organisation may be NULL
-- here, and the application always sets it.)
ALTER TABLE shelter_stays ADD COLUMN organization_id TEXT REFERENCES organizations (id);
ALTER TABLE shelter_stays ADD COLUMN reason TEXT;
UPDATE shelter_stays SET
    program_year = CAST(strftime('%Y', check_in) AS INTEGER),
    planned_check_out = check_out,
    organization_id = (SELECT organization_id FROM arrivals WHERE arrivals.id = shelter_stays.arrival_id);
UPDATE arrivals SET shelter_nights = COALESCE((
    SELECT SUM(julianday(check_out) - julianday(check_in)) FROM shelter_stays
    WHERE shelter_stays.arrival_id = arrivals.id AND status <> 'cancelled'), 0);
CREATE INDEX shelter_stays_region_idx ON shelter_stays (region_code, check_in);
CREATE INDEX shelter_stays_check_in_idx ON shelter_stays (check_in, id);

-- S5: a year may set an allocation for shelter (direction N0100); stays never take it below
-- zero, in the same kind of conditional UPDATE on the year's running total of shelter costs.
ALTER TABLE program_years ADD COLUMN shelter_allocation_tetri BIGINT;
ALTER TABLE program_years ADD COLUMN shelter_spent_tetri BIGINT NOT NULL DEFAULT 0 CHECK (
    shelter_spent_tetri >= 0 AND (shelter_allocation_tetri IS NULL OR shelter_spent_tetri <= shelter_allocation_tetri)
);
UPDATE program_years SET shelter_spent_tetri = COALESCE((
    SELECT SUM(cost_tetri) FROM shelter_stays
    WHERE shelter_stays.program_year = program_years.year AND status <> 'cancelled'), 0);

-- S4: the Migration and Repatriation Division's feed. Each referral takes the next position of a
-- counter row inside its transaction: positions are handed out in commit order (SQLite's writers
-- take turns), without gaps, so a poller that reads `position > cursor` cannot skip one.
CREATE TABLE feed_counters (
    feed          TEXT PRIMARY KEY,
    last_position BIGINT NOT NULL CHECK (last_position >= 0)
);
ALTER TABLE service_vocational_details ADD COLUMN feed_position BIGINT;
UPDATE service_vocational_details SET feed_position = (
    SELECT COUNT(*) FROM service_vocational_details AS earlier
    WHERE earlier.service_id <= service_vocational_details.service_id);
CREATE UNIQUE INDEX service_vocational_details_feed_idx ON service_vocational_details (feed_position);
INSERT INTO feed_counters (feed, last_position)
    SELECT 'vocational_referrals', COALESCE(MAX(feed_position), 0) FROM service_vocational_details;
