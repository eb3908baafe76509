DROP TRIGGER audit_chain_head_forward ON audit_chain_head;
DROP FUNCTION audit_chain_head_forward_only();
DROP TABLE audit_chain_head;
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only (R13)';
END;
$$;
DROP INDEX audit_events_organization_idx;
DROP INDEX audit_events_chain_idx;
ALTER TABLE audit_events
    DROP COLUMN redacted_at,
    DROP COLUMN hash,
    DROP COLUMN canonical,
    DROP COLUMN content_digest,
    DROP COLUMN chain_seq;
