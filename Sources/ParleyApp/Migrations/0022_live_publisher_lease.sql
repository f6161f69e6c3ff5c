-- No NOTIFY while the live publisher is busy (bench/README.md, "NOTIFY only when the publisher
-- is idle").
--
-- Every transaction that wrote the outbox NOTIFYed `parley_live` (0015). PostgreSQL serializes
-- the commits of notifying transactions (a lock on the database, taken before the commit
-- record and held to its end, WAL flush included) and wakes each listener for each of them;
-- with posts streaming in, that cost the post scenario 12–20 % of its throughput, while the
-- publisher, busy, was claiming a batch every 10 ms anyway and needed none of the wake-ups.
--
-- The publisher now holds a lease while busy: each batch it claims renews `busy_until` in the
-- batch's own transaction, and it keeps claiming (without waiting for a NOTIFY) until a claim
-- comes back empty after the lease has run out. Only then does it wait, and from then on
-- writers NOTIFY again. A writer that saw the lease just before it ran out, and committed only
-- after that last claim, is published at the next poll (at most a second later).
CREATE TABLE live_publisher_lease (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    busy_until timestamptz NOT NULL
);
INSERT INTO live_publisher_lease (busy_until) VALUES ('-infinity');

-- The payload is the writer's transaction id: PostgreSQL still folds one transaction's
-- NOTIFYs into one, and a listener can tell whose it is (the publisher ignores it; a test
-- reads it).
-- A lease more than a second ahead (the clock was set back) counts as run out.
CREATE OR REPLACE FUNCTION live_outbox_notify() RETURNS void LANGUAGE sql AS $$
    SELECT pg_notify('parley_live', txid_current()::text)
    WHERE NOT EXISTS (SELECT 1 FROM live_publisher_lease
                      WHERE busy_until > clock_timestamp() AND busy_until < clock_timestamp() + interval '1 second')
$$;
