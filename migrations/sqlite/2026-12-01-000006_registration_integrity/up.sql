-- Issue #8: what testing from outside found in the registration workflow.

-- R11: a medical need seen at the point of arrival is medical detail. Its text has its own
-- column, read only by the NGO holding the person (everyone else learns that one was recorded);
-- need_other keeps non-medical notes.
ALTER TABLE arrivals ADD COLUMN need_medical_notes TEXT;

-- R5 by return, not by record: a return is the person and the return date. One arrival record
-- per person (or personal number) and date, and one live case per person and return date,
-- whichever arrival record it names.
CREATE UNIQUE INDEX arrivals_one_per_person_and_date ON arrivals (person_id, arrival_date)
    WHERE person_id IS NOT NULL;
CREATE UNIQUE INDEX arrivals_one_per_number_and_date ON arrivals (personal_number, arrival_date)
    WHERE personal_number IS NOT NULL;
CREATE UNIQUE INDEX cases_one_live_case_per_return ON cases (person_id, arrival_date)
    WHERE status <> 'closed';

-- R13: SQLite has no TRUNCATE; DELETE (also without WHERE) is refused by audit_events_no_delete.
