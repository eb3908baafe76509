ALTER TABLE services
    DROP CONSTRAINT services_four_eyes_client,
    DROP CONSTRAINT services_one_decider,
    DROP CONSTRAINT services_one_requester,
    DROP COLUMN decided_by_client_id,
    DROP COLUMN requested_by_client_id;
