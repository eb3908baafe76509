-- #13, R13: a tamper-evident audit trail. Every event gets a gapless place in one chain
-- (`chain_seq`), its canonical bytes (RFC 8785 JSON of its ids, codes and the SHA-256 digest of
-- its before/after content — never the personal data itself), and
-- `hash = SHA-256(previous hash ‖ canonical bytes)`. The head of the chain is one row, locked by
-- each appending transaction until it commits, so appends are strictly ordered across writers
-- and API nodes. The events written before this migration are chained by the server at start-up
-- (SQL cannot compute SHA-256 on SQLite), oldest first.
ALTER TABLE audit_events
    ADD COLUMN chain_seq      BIGINT,
    ADD COLUMN content_digest TEXT,
    ADD COLUMN canonical      TEXT,
    ADD COLUMN hash           TEXT,
    ADD COLUMN redacted_at    TIMESTAMP;
CREATE UNIQUE INDEX audit_events_chain_idx ON audit_events (chain_seq);
CREATE INDEX audit_events_organization_idx ON audit_events (organization_id, chain_seq);

CREATE TABLE audit_chain_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL CHECK (seq >= 0),
    hash TEXT NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, repeat('0', 64));

-- Still append-only through the system; two updates pass, each changing nothing it must not:
-- chaining an unchained event (once), and redacting a chained event's content for a lawful
-- erasure (R14: before/after cleared, the digest and the chain kept).
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND NEW.seq = OLD.seq AND NEW.id = OLD.id AND NEW.occurred_at = OLD.occurred_at
        AND NEW.actor_kind = OLD.actor_kind AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
        AND NEW.organization_id IS NOT DISTINCT FROM OLD.organization_id
        AND NEW.request_id IS NOT DISTINCT FROM OLD.request_id
        AND NEW.client_request_id IS NOT DISTINCT FROM OLD.client_request_id
        AND NEW.action = OLD.action AND NEW.entity_type = OLD.entity_type AND NEW.entity_id = OLD.entity_id
    THEN
        IF OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL AND NEW.redacted_at IS NULL
            AND NEW.before IS NOT DISTINCT FROM OLD.before AND NEW.after IS NOT DISTINCT FROM OLD.after
        THEN
            RETURN NEW;
        END IF;
        IF OLD.chain_seq IS NOT NULL AND OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
            AND NEW.chain_seq = OLD.chain_seq AND NEW.content_digest = OLD.content_digest
            AND NEW.canonical = OLD.canonical AND NEW.hash = OLD.hash
            AND NEW.before IS NULL AND NEW.after IS NULL
        THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only (R13)';
END;
$$;

CREATE FUNCTION audit_chain_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.seq >= OLD.seq THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit chain only grows (R13)';
END;
$$;
CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE OR DELETE ON audit_chain_head
    FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward_only();
