-- Browser sessions of the server-rendered pages. The cookie holds a random token (256 bits);
-- only its SHA-256 (hex) is stored, so a copy of this table logs no one in. A session ends
-- when it has been idle too long (last_seen_at), at its absolute expiry (expires_at), at
-- log-out, at a password change (all of the user's sessions but the new one) and with the
-- account (CASCADE).
CREATE TABLE web_sessions (
    token_hash   text PRIMARY KEY CHECK (length(token_hash) = 64),
    user_id      uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);

-- "End every session of this user" (password change) and the cascade from users.
CREATE INDEX web_sessions_user_id_idx ON web_sessions (user_id);
-- Purging expired rows.
CREATE INDEX web_sessions_expires_at_idx ON web_sessions (expires_at);
