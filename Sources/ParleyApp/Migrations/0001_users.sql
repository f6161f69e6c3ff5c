-- Accounts. Usernames and emails are unique case-insensitively; only a password hash is kept.
CREATE TABLE users (
    user_id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username      text NOT NULL CHECK (length(username) BETWEEN 1 AND 150),
    email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    first_name    text NOT NULL DEFAULT '',
    last_name     text NOT NULL DEFAULT '',
    phone_number  text,
    password_hash text NOT NULL,
    role          text NOT NULL DEFAULT 'guest' CHECK (role IN ('guest', 'host', 'admin')),
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
