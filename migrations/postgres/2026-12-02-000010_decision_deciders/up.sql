-- #10: a decision records its decider as a principal, a person (user) or an NGO system (API
-- client), never both. Decisions recorded before this, by systems, and the seeder's name none.
ALTER TABLE eligibility_decisions
    ADD COLUMN decided_by_client_id TEXT REFERENCES api_clients (id),
    ADD CONSTRAINT eligibility_decisions_one_decider
        CHECK (decided_by_user_id IS NULL OR decided_by_client_id IS NULL);
