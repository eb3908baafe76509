DROP TRIGGER audit_chain_head_no_delete;
DROP TRIGGER audit_chain_head_backward;
DROP TABLE audit_chain_head;
DROP TRIGGER audit_events_no_update;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only (R13)');
END;
DROP INDEX audit_events_organization_idx;
DROP INDEX audit_events_chain_idx;
ALTER TABLE audit_events DROP COLUMN redacted_at;
ALTER TABLE audit_events DROP COLUMN hash;
ALTER TABLE audit_events DROP COLUMN canonical;
ALTER TABLE audit_events DROP COLUMN content_digest;
ALTER TABLE audit_events DROP COLUMN chain_seq;
