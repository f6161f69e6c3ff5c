-- Opening a conversation page marks the conversation (and its notifications) read only when
-- something in it is unread (issue 12). The statement that did so was one WITH whose UPDATEs
-- matched no row on most views, yet PostgreSQL opened their tables and indexes for every view:
-- with pgbench, one client, it took 90-110 µs more than a bare round trip; this function takes
-- 6-22 µs when there is nothing to mark (bench/README.md, "One form per conversation page").
-- It checks the participant row first and runs the UPDATE only then.
--
-- The read mark is the one of PostgresConversationRepository.readMark (the API's mark-read):
-- keep the two in step. The notifications are found through the viewer's participant row, as
-- before, so their plan is an index probe whatever the statistics say.
CREATE FUNCTION conversation_page_mark_read(
    p_conversation uuid, p_user uuid, p_notifications boolean,
    OUT marked_conversations bigint, OUT marked_notifications bigint)
LANGUAGE plpgsql AS $$
BEGIN
    marked_conversations := 0;
    marked_notifications := 0;
    IF EXISTS (SELECT 1 FROM conversation_participants p
                WHERE p.conversation_id = p_conversation AND p.user_id = p_user AND p.unread_count > 0) THEN
        WITH mark AS (SELECT clock_timestamp() AS now)
        UPDATE conversation_participants p
           SET last_read_at = greatest(coalesce(p.last_read_at, '-infinity'::timestamptz), mark.now),
               unread_count = (SELECT count(*) FROM messages m
                                WHERE m.conversation_id = p.conversation_id AND m.sender_id <> p.user_id
                                  AND m.sent_at > greatest(coalesce(p.last_read_at, '-infinity'::timestamptz), mark.now))
          FROM mark
         WHERE p.conversation_id = p_conversation AND p.user_id = p_user AND p.unread_count > 0;
        GET DIAGNOSTICS marked_conversations = ROW_COUNT;
    END IF;
    IF p_notifications THEN
        WITH viewer AS MATERIALIZED (
            SELECT p.conversation_id, p.user_id FROM conversation_participants p
             WHERE p.conversation_id = p_conversation AND p.user_id = p_user
        )
        UPDATE notifications n SET read_at = clock_timestamp()
          FROM viewer v
         WHERE n.conversation_id = v.conversation_id AND n.recipient_id = v.user_id AND n.read_at IS NULL;
        GET DIAGNOSTICS marked_notifications = ROW_COUNT;
    END IF;
END
$$;
