-- Refresh tokens, for rotation and RFC 9700 reuse detection. Only a SHA-256 of each token's
-- jti is stored. Every log-in starts a family; each refresh marks its token used and issues
-- the next one in the same family; a used token presented again revokes the whole family.
CREATE TABLE refresh_tokens (
    token_hash text PRIMARY KEY CHECK (length(token_hash) = 64),
    user_id    uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    family_id  uuid NOT NULL,
    issued_at  timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    revoked_at timestamptz
);

-- Revoking a family; the per-request "is this access token's family revoked" check.
CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id);
-- ON DELETE CASCADE from users without a sequential scan.
CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id);
-- Purging expired rows.
CREATE INDEX refresh_tokens_expires_at_idx ON refresh_tokens (expires_at);
