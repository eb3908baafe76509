ALTER TABLE eligibility_decisions
    DROP CONSTRAINT eligibility_decisions_one_decider,
    DROP COLUMN decided_by_client_id;
