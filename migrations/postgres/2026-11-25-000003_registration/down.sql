DROP INDEX cases_status_registration_idx;
DROP INDEX arrivals_organization_idx;
DROP INDEX arrivals_personal_number_idx;
DROP INDEX persons_region_idx;
DROP INDEX persons_search_name_trgm_idx;
ALTER TABLE persons DROP COLUMN search_name;
