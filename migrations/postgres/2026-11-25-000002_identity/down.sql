ALTER TABLE users DROP CONSTRAINT users_username_lowercase;
ALTER TABLE users DROP COLUMN must_change_password;
DROP TABLE login_throttle;
