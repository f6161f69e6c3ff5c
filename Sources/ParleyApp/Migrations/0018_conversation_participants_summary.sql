-- Each conversation carries its participants as the conversation list shows them (issue 12):
-- the list read them per page row through an ordered aggregate over conversation_participants
-- joined to users, which was a third of its statement's time; figures in
-- docs/decisions/0013-participants-on-the-conversation.md.
--
-- Triggers keep the copy in the transaction of the change: participant rows inserted or
-- deleted (members added, leaving, a conversation created, a user deleted), a participant's
-- join time changed (it orders them), and a user's name fields changed. Loads that switch
-- triggers off (session_replication_role = replica, as the bench's COPY does) must call
-- conversations_refresh_participants themselves; until then the column is empty.
CREATE TYPE participant_summary AS (user_id uuid, username text, first_name text, last_name text);

ALTER TABLE conversations ADD COLUMN participants participant_summary[] NOT NULL DEFAULT '{}';

-- Rebuilds the copy of the given conversations. They are locked first, in id order (two
-- renames sharing conversations cannot deadlock), and read by a statement of its own: in READ
-- COMMITTED its snapshot is taken after the locks, so the last of two concurrent changes to a
-- conversation's members or their names sees the other's, whichever committed first.
CREATE FUNCTION conversations_refresh_participants(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM conversations WHERE conversation_id = ANY(ids) ORDER BY conversation_id FOR NO KEY UPDATE;
    UPDATE conversations c
       SET participants = fresh.participants
      FROM (
          SELECT c2.conversation_id,
                 coalesce(array_agg((u.user_id, u.username, u.first_name, u.last_name)::participant_summary
                                    ORDER BY pp.joined_at, u.username) FILTER (WHERE u.user_id IS NOT NULL), '{}') AS participants
            FROM conversations c2
            LEFT JOIN conversation_participants pp ON pp.conversation_id = c2.conversation_id
            LEFT JOIN users u ON u.user_id = pp.user_id
           WHERE c2.conversation_id = ANY(ids)
           GROUP BY c2.conversation_id
      ) fresh
     WHERE c.conversation_id = fresh.conversation_id
       AND c.participants IS DISTINCT FROM fresh.participants;
END
$$;

SELECT conversations_refresh_participants(ARRAY(SELECT conversation_id FROM conversations));

-- One function for inserts and deletes: both triggers name their transition table `changed`.
CREATE FUNCTION conversation_participants_refresh_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM conversations_refresh_participants(ARRAY(SELECT DISTINCT conversation_id FROM changed));
    RETURN NULL;
END
$$;

CREATE TRIGGER conversation_participants_refresh_added
    AFTER INSERT ON conversation_participants
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION conversation_participants_refresh_changed();

CREATE TRIGGER conversation_participants_refresh_removed
    AFTER DELETE ON conversation_participants
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION conversation_participants_refresh_changed();

-- Row-level with a column list: the read marks, which update other columns of these rows on
-- every page view, do not fire it.
CREATE FUNCTION conversation_participants_refresh_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM conversations_refresh_participants(ARRAY[OLD.conversation_id, NEW.conversation_id]);
    RETURN NULL;
END
$$;

CREATE TRIGGER conversation_participants_refresh_moved
    AFTER UPDATE OF conversation_id, user_id, joined_at ON conversation_participants
    FOR EACH ROW
    WHEN (OLD.conversation_id IS DISTINCT FROM NEW.conversation_id OR OLD.user_id IS DISTINCT FROM NEW.user_id
          OR OLD.joined_at IS DISTINCT FROM NEW.joined_at)
    EXECUTE FUNCTION conversation_participants_refresh_moved();

-- Row-level with a column list and a condition: the notification counters, updated on users by
-- every post's fan-out, do not fire it.
CREATE FUNCTION users_refresh_participants() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM conversations_refresh_participants(ARRAY(
        SELECT conversation_id FROM conversation_participants WHERE user_id = NEW.user_id));
    RETURN NULL;
END
$$;

CREATE TRIGGER users_refresh_participants
    AFTER UPDATE OF username, first_name, last_name ON users
    FOR EACH ROW
    WHEN (OLD.username IS DISTINCT FROM NEW.username OR OLD.first_name IS DISTINCT FROM NEW.first_name
          OR OLD.last_name IS DISTINCT FROM NEW.last_name)
    EXECUTE FUNCTION users_refresh_participants();
