-- #13, R13: a tamper-evident audit trail. Every event gets a gapless place in one chain
-- (`chain_seq`), its canonical bytes (RFC 8785 JSON of its ids, codes and the SHA-256 digest of
-- its before/after content — never the personal data itself), and
-- `hash = SHA-256(previous hash ‖ canonical bytes)`. Appends take turns under SQLite's write
-- lock, after the chain's head row. The events written before this migration are chained by the
-- server at start-up (SQL cannot compute SHA-256 here), oldest first.
ALTER TABLE audit_events ADD COLUMN chain_seq BIGINT;
ALTER TABLE audit_events ADD COLUMN content_digest TEXT;
ALTER TABLE audit_events ADD COLUMN canonical TEXT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
ALTER TABLE audit_events ADD COLUMN redacted_at TIMESTAMP;
CREATE UNIQUE INDEX audit_events_chain_idx ON audit_events (chain_seq);
CREATE INDEX audit_events_organization_idx ON audit_events (organization_id, chain_seq);

CREATE TABLE audit_chain_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL CHECK (seq >= 0),
    hash TEXT NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Still append-only through the system; two updates pass, each changing nothing it must not:
-- chaining an unchained event (once), and redacting a chained event's content for a lawful
-- erasure (R14: before/after cleared, the digest and the chain kept).
DROP TRIGGER audit_events_no_update;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
WHEN NOT (
    NEW.seq = OLD.seq AND NEW.id = OLD.id AND NEW.occurred_at = OLD.occurred_at
    AND NEW.actor_kind = OLD.actor_kind AND NEW.actor_id IS OLD.actor_id
    AND NEW.organization_id IS OLD.organization_id AND NEW.request_id IS OLD.request_id
    AND NEW.client_request_id IS OLD.client_request_id
    AND NEW.action = OLD.action AND NEW.entity_type = OLD.entity_type AND NEW.entity_id = OLD.entity_id
    AND (
        (OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL AND NEW.redacted_at IS NULL
            AND NEW.before IS OLD.before AND NEW.after IS OLD.after)
        OR (OLD.chain_seq IS NOT NULL AND OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
            AND NEW.chain_seq = OLD.chain_seq AND NEW.content_digest = OLD.content_digest
            AND NEW.canonical = OLD.canonical AND NEW.hash = OLD.hash
            AND NEW.before IS NULL AND NEW.after IS NULL)
    )
)
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only (R13)');
END;

CREATE TRIGGER audit_chain_head_backward BEFORE UPDATE ON audit_chain_head WHEN NEW.seq < OLD.seq
BEGIN
    SELECT RAISE(ABORT, 'the audit chain only grows (R13)');
END;
CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head
BEGIN
    SELECT RAISE(ABORT, 'the audit chain only grows (R13)');
END;
