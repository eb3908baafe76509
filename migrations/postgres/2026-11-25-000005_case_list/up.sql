-- The case list filters and sorts on one table. What it filters on from the person (region,
-- personal number, name) and from the arrival (date, shelter need) is copied onto the case when
-- it is created, and kept current by the triggers below, so that every filter has an index that
-- also gives the list's order (registration date, then id) and a page never joins before it
-- limits.
ALTER TABLE cases
    ADD COLUMN residence_region TEXT,
    ADD COLUMN personal_number  TEXT,
    ADD COLUMN search_name      TEXT NOT NULL DEFAULT '',
    ADD COLUMN arrival_date     DATE,
    ADD COLUMN need_shelter     BOOLEAN NOT NULL DEFAULT FALSE;

UPDATE cases SET
    residence_region = p.residence_region,
    personal_number = p.personal_number,
    search_name = p.search_name
FROM persons p WHERE p.id = cases.person_id;
UPDATE cases SET
    arrival_date = a.arrival_date,
    need_shelter = a.need_shelter
FROM arrivals a WHERE a.id = cases.arrival_id;
ALTER TABLE cases ALTER COLUMN arrival_date SET NOT NULL;

CREATE FUNCTION cases_copy_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cases SET
        residence_region = NEW.residence_region,
        personal_number = NEW.personal_number,
        search_name = NEW.search_name
    WHERE person_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER persons_copy_to_cases AFTER UPDATE OF residence_region, personal_number, search_name ON persons
    FOR EACH ROW EXECUTE FUNCTION cases_copy_person();

CREATE FUNCTION cases_copy_arrival() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cases SET arrival_date = NEW.arrival_date, need_shelter = NEW.need_shelter WHERE arrival_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER arrivals_copy_to_cases AFTER UPDATE OF arrival_date, need_shelter ON arrivals
    FOR EACH ROW EXECUTE FUNCTION cases_copy_arrival();

-- The list's order, with the name beside it: a name search walks this index alone (an index-only
-- scan once vacuumed) and reads rows only for the page.
DROP INDEX cases_registration_idx;
CREATE INDEX cases_registration_idx ON cases (registration_date, id) INCLUDE (search_name);
CREATE INDEX cases_arrival_idx ON cases (arrival_id);
CREATE INDEX cases_region_registration_idx ON cases (residence_region, registration_date, id);
CREATE INDEX cases_arrival_date_idx ON cases (arrival_date, registration_date, id);
CREATE INDEX cases_personal_number_idx ON cases (personal_number);
CREATE INDEX cases_search_name_trgm_idx ON cases USING gin (search_name gin_trgm_ops);
-- Names repeat: a larger sample lets the planner tell a rare name (trigram index, then sort)
-- from a common one (walk the list's order and stop at the page).
ALTER TABLE cases ALTER COLUMN search_name SET STATISTICS 1000;
