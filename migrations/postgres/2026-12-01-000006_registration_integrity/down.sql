DROP TRIGGER audit_events_no_truncate ON audit_events;
DROP INDEX cases_one_live_case_per_return;
DROP INDEX arrivals_one_per_number_and_date;
DROP INDEX arrivals_one_per_person_and_date;
ALTER TABLE arrivals DROP COLUMN need_medical_notes;
