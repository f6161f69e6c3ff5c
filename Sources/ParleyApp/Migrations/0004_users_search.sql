-- Finding people to talk to: GET /api/users/?search= matches every term as a substring of
-- "username first_name last_name", case-insensitively. pg_trgm (a trusted extension since
-- PostgreSQL 13, so the database owner may create it) lets a GIN index answer LIKE '%term%'.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX users_search_trgm_idx ON users
    USING gin (lower(username || ' ' || first_name || ' ' || last_name) gin_trgm_ops);
