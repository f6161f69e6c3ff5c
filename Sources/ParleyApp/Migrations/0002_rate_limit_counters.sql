-- Rate-limit counters shared by every parley instance (RateLimiter). One row per key: the
-- current and previous fixed windows of a sliding-window estimate, written by one upsert per hit.
-- UNLOGGED: these counters are hot and disposable; after a PostgreSQL crash they start from zero
-- (nothing a user was told is saved lives here), and no WAL is spent on them.
CREATE UNLOGGED TABLE rate_limit_counters (
    key            text PRIMARY KEY,
    window_ms      bigint NOT NULL CHECK (window_ms > 0),
    limit_count    integer NOT NULL,
    -- floor(epoch milliseconds / window_ms) of the current window
    bucket         bigint NOT NULL,
    previous_count integer NOT NULL,
    current_count  integer NOT NULL,
    last_allowed   boolean NOT NULL,
    -- when the row no longer affects any decision (end of the window after the current one)
    expires_at     timestamptz NOT NULL
);

CREATE INDEX rate_limit_counters_expires_at_idx ON rate_limit_counters (expires_at);
