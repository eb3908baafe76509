-- #9.7, R12 for systems too: a service is requested by a principal, a user or an NGO system
-- (API client), never by nobody; it is decided by at most one; and the database refuses a
-- decision by the principal who requested it, person or system. Before, the CHECK passed
-- whenever requested_by_user_id was NULL, which is every request an NGO system makes.
ALTER TABLE services
    ADD COLUMN requested_by_client_id TEXT REFERENCES api_clients (id),
    ADD COLUMN decided_by_client_id   TEXT REFERENCES api_clients (id),
    ADD CONSTRAINT services_one_requester CHECK ((requested_by_user_id IS NULL) <> (requested_by_client_id IS NULL)),
    ADD CONSTRAINT services_one_decider CHECK (decided_by_user_id IS NULL OR decided_by_client_id IS NULL),
    ADD CONSTRAINT services_four_eyes_client CHECK (
        decided_by_client_id IS NULL OR requested_by_client_id IS NULL OR decided_by_client_id <> requested_by_client_id
    );
