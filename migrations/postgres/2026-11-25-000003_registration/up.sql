-- Registration workflow: name search and the indexes of the lists.

-- Every name part in one lower-case string (Latin lower-cased; Georgian has no case), for search.
ALTER TABLE persons ADD COLUMN search_name TEXT NOT NULL DEFAULT '';

-- Substring search in either script (LIKE '%…%') through trigrams. pg_trgm is a trusted
-- extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX persons_search_name_trgm_idx ON persons USING gin (search_name gin_trgm_ops);

CREATE INDEX persons_region_idx ON persons (residence_region);
CREATE INDEX arrivals_personal_number_idx ON arrivals (personal_number);
CREATE INDEX arrivals_organization_idx ON arrivals (organization_id, id);
CREATE INDEX cases_status_registration_idx ON cases (status, registration_date, id);
