-- Counters the lists read instead of counting rows, kept by triggers so that every way a
-- message comes or goes (a post, a delete, the cascade of an account or conversation deletion)
-- keeps them right, in the same transaction:
--
-- conversations.message_count               the `count` of an unfiltered message list page;
--                                           count(*) over 1,000,000 messages took 160-200 ms.
-- conversation_participants.unread_count    messages from others sent after last_read_at; the
--                                           conversation list showed it by counting, 500 ms for
--                                           a participant with 500,000 unread messages.
--
-- The triggers are per statement, over transition tables: a post updates one conversation row
-- (which the post updates anyway, for last_message_at) and the other participants' rows.
-- The unread rule is re-checked against the participant row as it is when updated (its
-- last_read_at may have moved under a concurrent "mark read"), so the counter always means
-- "sent by someone else after last_read_at".
ALTER TABLE conversations ADD COLUMN message_count bigint NOT NULL DEFAULT 0 CHECK (message_count >= 0);
ALTER TABLE conversation_participants ADD COLUMN unread_count bigint NOT NULL DEFAULT 0 CHECK (unread_count >= 0);

UPDATE conversations c
   SET message_count = (SELECT count(*) FROM messages m WHERE m.conversation_id = c.conversation_id);
UPDATE conversation_participants p
   SET unread_count = (SELECT count(*) FROM messages m
                        WHERE m.conversation_id = p.conversation_id AND m.sender_id <> p.user_id
                          AND m.sent_at > coalesce(p.last_read_at, '-infinity'::timestamptz));

CREATE FUNCTION messages_counters_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversations c
       SET message_count = c.message_count + n.added
      FROM (SELECT conversation_id, count(*) AS added FROM changed GROUP BY conversation_id) n
     WHERE c.conversation_id = n.conversation_id;
    UPDATE conversation_participants p
       SET unread_count = p.unread_count + (
               SELECT count(*) FROM changed i
                WHERE i.conversation_id = p.conversation_id AND i.sender_id <> p.user_id
                  AND i.sent_at > coalesce(p.last_read_at, '-infinity'::timestamptz))
     WHERE p.conversation_id IN (SELECT conversation_id FROM changed)
       AND EXISTS (SELECT 1 FROM changed i
                    WHERE i.conversation_id = p.conversation_id AND i.sender_id <> p.user_id
                      AND i.sent_at > coalesce(p.last_read_at, '-infinity'::timestamptz));
    RETURN NULL;
END
$$;

CREATE FUNCTION messages_counters_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Rows of a conversation or participant being deleted by the same statement are already
    -- invisible here: those updates find nothing, which is what they should do.
    UPDATE conversations c
       SET message_count = greatest(c.message_count - n.removed, 0)
      FROM (SELECT conversation_id, count(*) AS removed FROM changed GROUP BY conversation_id) n
     WHERE c.conversation_id = n.conversation_id;
    UPDATE conversation_participants p
       SET unread_count = greatest(p.unread_count - (
               SELECT count(*) FROM changed d
                WHERE d.conversation_id = p.conversation_id AND d.sender_id <> p.user_id
                  AND d.sent_at > coalesce(p.last_read_at, '-infinity'::timestamptz)), 0)
     WHERE p.conversation_id IN (SELECT conversation_id FROM changed)
       AND EXISTS (SELECT 1 FROM changed d
                    WHERE d.conversation_id = p.conversation_id AND d.sender_id <> p.user_id
                      AND d.sent_at > coalesce(p.last_read_at, '-infinity'::timestamptz));
    RETURN NULL;
END
$$;

CREATE TRIGGER messages_counters_insert AFTER INSERT ON messages
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION messages_counters_after_insert();
CREATE TRIGGER messages_counters_delete AFTER DELETE ON messages
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION messages_counters_after_delete();
