DROP TABLE login_known_addresses;
ALTER TABLE users DROP COLUMN token_generation;
ALTER TABLE api_clients DROP COLUMN token_generation;
ALTER TABLE organizations DROP COLUMN token_generation;
ALTER TABLE users ADD COLUMN tokens_valid_after TIMESTAMP;
ALTER TABLE api_clients ADD COLUMN tokens_valid_after TIMESTAMP;
ALTER TABLE organizations ADD COLUMN tokens_valid_after TIMESTAMP;
