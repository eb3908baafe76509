DROP TRIGGER arrivals_copy_to_cases ON arrivals;
DROP FUNCTION cases_copy_arrival();
DROP TRIGGER persons_copy_to_cases ON persons;
DROP FUNCTION cases_copy_person();
DROP INDEX cases_search_name_trgm_idx;
DROP INDEX cases_personal_number_idx;
DROP INDEX cases_arrival_date_idx;
DROP INDEX cases_region_registration_idx;
DROP INDEX cases_arrival_idx;
DROP INDEX cases_registration_idx;
CREATE INDEX cases_registration_idx ON cases (registration_date, id);
ALTER TABLE cases
    DROP COLUMN need_shelter,
    DROP COLUMN arrival_date,
    DROP COLUMN search_name,
    DROP COLUMN personal_number,
    DROP COLUMN residence_region;
