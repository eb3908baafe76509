-- The case list filters and sorts on one table. What it filters on from the person (region,
-- personal number, name) and from the arrival (date, shelter need) is copied onto the case when
-- it is created, and kept current by the triggers below, so that every filter has an index that
-- also gives the list's order (registration date, then id) and a page never joins before it
-- limits. (SQLite adds a NOT NULL column only with a default; every row is filled at once.)
ALTER TABLE cases ADD COLUMN residence_region TEXT;
ALTER TABLE cases ADD COLUMN personal_number TEXT;
ALTER TABLE cases ADD COLUMN search_name TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN arrival_date DATE NOT NULL DEFAULT '0001-01-01';
ALTER TABLE cases ADD COLUMN need_shelter BOOLEAN NOT NULL DEFAULT FALSE;

UPDATE cases SET
    residence_region = (SELECT p.residence_region FROM persons p WHERE p.id = cases.person_id),
    personal_number = (SELECT p.personal_number FROM persons p WHERE p.id = cases.person_id),
    search_name = (SELECT p.search_name FROM persons p WHERE p.id = cases.person_id),
    arrival_date = (SELECT a.arrival_date FROM arrivals a WHERE a.id = cases.arrival_id),
    need_shelter = (SELECT a.need_shelter FROM arrivals a WHERE a.id = cases.arrival_id);

CREATE TRIGGER persons_copy_to_cases AFTER UPDATE OF residence_region, personal_number, search_name ON persons
FOR EACH ROW BEGIN
    UPDATE cases SET
        residence_region = NEW.residence_region,
        personal_number = NEW.personal_number,
        search_name = NEW.search_name
    WHERE person_id = NEW.id;
END;

CREATE TRIGGER arrivals_copy_to_cases AFTER UPDATE OF arrival_date, need_shelter ON arrivals
FOR EACH ROW BEGIN
    UPDATE cases SET arrival_date = NEW.arrival_date, need_shelter = NEW.need_shelter WHERE arrival_id = NEW.id;
END;

-- The list's order, with the name beside it: a name search tests each name in this index and
-- reads rows only for the page.
DROP INDEX cases_registration_idx;
CREATE INDEX cases_registration_idx ON cases (registration_date, id, search_name);
CREATE INDEX cases_arrival_idx ON cases (arrival_id);
CREATE INDEX cases_region_registration_idx ON cases (residence_region, registration_date, id);
CREATE INDEX cases_arrival_date_idx ON cases (arrival_date, registration_date, id);
CREATE INDEX cases_personal_number_idx ON cases (personal_number);
