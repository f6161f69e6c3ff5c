-- Each user's notification counts, kept by triggers like migration 0009's message counters, so
-- the badge, the list's `count` and the live events' `unread_notifications` read one row instead
-- of counting: counting grew with the unread backlog, and the live publisher counted once per
-- event (decision 0010 has the figures).
--
-- users.notification_count              all of the user's notifications;
-- users.unread_notification_count       those with read_at IS NULL.
--
-- The triggers are per statement over transition tables. Each first locks the users rows it
-- will change in user_id order: two posts in different conversations with recipients in common
-- would otherwise lock them in whatever order their plans chose, and could deadlock
-- (NotificationCounterTests).
ALTER TABLE users
    ADD COLUMN notification_count bigint NOT NULL DEFAULT 0 CHECK (notification_count >= 0),
    ADD COLUMN unread_notification_count bigint NOT NULL DEFAULT 0 CHECK (unread_notification_count >= 0);

UPDATE users u
   SET notification_count = n.total, unread_notification_count = n.unread
  FROM (SELECT recipient_id, count(*) AS total, count(*) FILTER (WHERE read_at IS NULL) AS unread
          FROM notifications GROUP BY recipient_id) n
 WHERE u.user_id = n.recipient_id;

-- Each trigger sums, per recipient, +1 for every new row and -1 for every old one (all rows, and
-- unread rows), locks those recipients in order, and adds the sums. A statement that changed no
-- row (a page view's mark-read with nothing unread) returns at once.
CREATE FUNCTION notification_counters_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM changed) THEN RETURN NULL; END IF;
    PERFORM 1 FROM users WHERE user_id IN (SELECT recipient_id FROM changed) ORDER BY user_id FOR NO KEY UPDATE;
    UPDATE users u
       SET notification_count = u.notification_count + d.total,
           unread_notification_count = u.unread_notification_count + d.unread
      FROM (SELECT recipient_id, count(*) AS total, count(*) FILTER (WHERE read_at IS NULL) AS unread
              FROM changed GROUP BY recipient_id) d
     WHERE u.user_id = d.recipient_id;
    RETURN NULL;
END
$$;

CREATE FUNCTION notification_counters_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM changed) THEN RETURN NULL; END IF;
    PERFORM 1 FROM users
      WHERE user_id IN (SELECT recipient_id FROM changed UNION SELECT recipient_id FROM previous)
      ORDER BY user_id FOR NO KEY UPDATE;
    UPDATE users u
       SET notification_count = u.notification_count + d.total,
           unread_notification_count = greatest(u.unread_notification_count + d.unread, 0)
      FROM (SELECT recipient_id, sum(total) AS total, sum(unread) AS unread
              FROM (SELECT recipient_id, 1 AS total, (read_at IS NULL)::int AS unread FROM changed
                    UNION ALL
                    SELECT recipient_id, -1, -(read_at IS NULL)::int FROM previous) rows
             GROUP BY recipient_id
            HAVING sum(total) <> 0 OR sum(unread) <> 0) d
     WHERE u.user_id = d.recipient_id;
    RETURN NULL;
END
$$;

-- A user's own deletion cascades to their notifications after their row is gone: the UPDATE
-- finds no row then, which is right. greatest() keeps a count that drifted (it never should)
-- from failing the CHECK and with it the deletion.
CREATE FUNCTION notification_counters_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM previous) THEN RETURN NULL; END IF;
    PERFORM 1 FROM users WHERE user_id IN (SELECT recipient_id FROM previous) ORDER BY user_id FOR NO KEY UPDATE;
    UPDATE users u
       SET notification_count = greatest(u.notification_count - d.total, 0),
           unread_notification_count = greatest(u.unread_notification_count - d.unread, 0)
      FROM (SELECT recipient_id, count(*) AS total, count(*) FILTER (WHERE read_at IS NULL) AS unread
              FROM previous GROUP BY recipient_id) d
     WHERE u.user_id = d.recipient_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER notification_counters_insert AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notification_counters_after_insert();
CREATE TRIGGER notification_counters_update AFTER UPDATE ON notifications
    REFERENCING OLD TABLE AS previous NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notification_counters_after_update();
CREATE TRIGGER notification_counters_delete AFTER DELETE ON notifications
    REFERENCING OLD TABLE AS previous FOR EACH STATEMENT EXECUTE FUNCTION notification_counters_after_delete();
