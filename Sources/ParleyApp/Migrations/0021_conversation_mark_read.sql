-- Marking a conversation read, in one place: the API's mark-read (always) and the conversation
-- page (only when something in it is unread, issue 12, and its notifications with it). It
-- replaces 0020's function, which served the page alone and repeated the mark that the API's
-- statement also spelled out. Like it, it checks the participant row first and runs the UPDATE
-- only then (why: 0020).
--
-- The unread counter is recounted rather than zeroed: only a message posted in this very instant
-- could be later than the mark, so it is one probe on messages_conversation_sent_idx. The
-- notifications are found through the viewer's participant row, so their plan is an index probe
-- whatever the statistics say.
DROP FUNCTION conversation_page_mark_read(uuid, uuid, boolean);

CREATE FUNCTION conversation_mark_read(
    p_conversation uuid, p_user uuid, p_only_if_unread boolean, p_notifications boolean,
    OUT marked_conversations bigint, OUT marked_notifications bigint, OUT marked_at timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
    marked_conversations := 0;
    marked_notifications := 0;
    IF NOT p_only_if_unread OR EXISTS (
        SELECT 1 FROM conversation_participants p
         WHERE p.conversation_id = p_conversation AND p.user_id = p_user AND p.unread_count > 0)
    THEN
        WITH mark AS (SELECT clock_timestamp() AS now)
        UPDATE conversation_participants p
           SET last_read_at = greatest(coalesce(p.last_read_at, '-infinity'::timestamptz), mark.now),
               unread_count = (SELECT count(*) FROM messages m
                                WHERE m.conversation_id = p.conversation_id AND m.sender_id <> p.user_id
                                  AND m.sent_at > greatest(coalesce(p.last_read_at, '-infinity'::timestamptz), mark.now))
          FROM mark
         WHERE p.conversation_id = p_conversation AND p.user_id = p_user
           AND (NOT p_only_if_unread OR p.unread_count > 0)
        RETURNING p.last_read_at INTO marked_at;
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
