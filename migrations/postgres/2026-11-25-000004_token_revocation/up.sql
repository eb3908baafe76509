-- Tokens issued before these instants are dead: set when a user or client is deactivated or
-- revoked, a password changes or is reset, a role changes, or an organisation is deactivated,
-- so reactivating later does not revive old tokens.
ALTER TABLE users ADD COLUMN tokens_valid_after TIMESTAMP;
ALTER TABLE api_clients ADD COLUMN tokens_valid_after TIMESTAMP;
ALTER TABLE organizations ADD COLUMN tokens_valid_after TIMESTAMP;
