DROP TRIGGER users_username_lowercase_update;
DROP TRIGGER users_username_lowercase_insert;
ALTER TABLE users DROP COLUMN must_change_password;
DROP TABLE login_throttle;
