ALTER TABLE organizations DROP COLUMN tokens_valid_after;
ALTER TABLE api_clients DROP COLUMN tokens_valid_after;
ALTER TABLE users DROP COLUMN tokens_valid_after;
