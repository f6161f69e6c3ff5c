-- live_outbox_notify() in PL/pgSQL, with the same rule as 0022's.
--
-- 0022's was a SQL function that the planner cannot inline (its SELECT has a WHERE), and
-- PostgreSQL parses and plans such a function's body again on every call. Every outbox trigger
-- calls it, so a post paid two parses and plans of it: `perf` of PostgreSQL during posts put
-- 11 % of its time there (bench/README.md, "The outbox's NOTIFY function"). PL/pgSQL plans
-- its statements once per connection and keeps the plans.
CREATE OR REPLACE FUNCTION live_outbox_notify() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- A lease more than a second ahead (the clock was set back) counts as run out.
    IF NOT EXISTS (SELECT 1 FROM live_publisher_lease
                   WHERE busy_until > clock_timestamp() AND busy_until < clock_timestamp() + interval '1 second') THEN
        PERFORM pg_notify('parley_live', txid_current()::text);
    END IF;
END
$$;
