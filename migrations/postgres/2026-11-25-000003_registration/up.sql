-- Registration workflow: name search and the indexes of the lists.

-- Every name part in one lower-case string (Latin lower-cased; Georgian has no case), for search.
ALTER TABLE persons ADD COLUMN search_name TEXT NOT NULL DEFAULT '';

CREATE INDEX persons_region_idx ON persons (residence_region);
CREATE INDEX arrivals_personal_number_idx ON arrivals (personal_number);
CREATE INDEX arrivals_organization_idx ON arrivals (organization_id, id);
CREATE INDEX cases_status_registration_idx ON cases (status, registration_date, id);
