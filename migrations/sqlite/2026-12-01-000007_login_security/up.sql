-- #8.4: a token carries the generation of its user or client and of its organisation; a
-- deactivation, revocation, password change or reset, or role change adds one, so every token
-- issued before it is dead, also one issued in the same second (a timestamp in whole seconds let
-- those survive).
ALTER TABLE users DROP COLUMN tokens_valid_after;
ALTER TABLE api_clients DROP COLUMN tokens_valid_after;
ALTER TABLE organizations DROP COLUMN tokens_valid_after;
ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_clients ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;

-- #8.6: the addresses an account has logged in from. Failures spread over many addresses lock
-- the account only for addresses not listed here, so a stranger cannot lock out its owner.
CREATE TABLE login_known_addresses (
    account_key     TEXT NOT NULL,  -- 'username:<name>' or 'client:<client_id>'
    address         TEXT NOT NULL,
    last_success_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_key, address)
);

-- Throttle keys are now per account and address, per address and per account; the old keys
-- mean something else.
DELETE FROM login_throttle;
