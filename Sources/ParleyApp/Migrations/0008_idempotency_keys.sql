-- Idempotency-Key replay store: the first successful response to a (user, key) pair, kept for
-- 24 hours. The fingerprint is a hash of the request (endpoint and normalised input), so the
-- same key with a different request is recognised and refused.
CREATE TABLE idempotency_keys (
    user_id             uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    idempotency_key     text NOT NULL CHECK (char_length(idempotency_key) BETWEEN 1 AND 255),
    request_fingerprint text NOT NULL,
    response_status     integer NOT NULL,
    response_body       bytea NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, idempotency_key)
);

-- Expiry sweeps (DELETE … WHERE created_at < now() - interval '24 hours').
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
