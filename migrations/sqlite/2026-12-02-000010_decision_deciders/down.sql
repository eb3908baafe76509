ALTER TABLE eligibility_decisions DROP COLUMN decided_by_client_id;
