-- A post writes each row it changes once (issue 12). Before, one message into a conversation of
-- three gave the conversation row two new versions (the post's last activity, then the
-- counters' trigger) and each recipient's participant row two (the activity copy of 0017, then
-- the unread count): nine row versions for six rows, each non-HOT update with its index
-- entries, and dead versions that the next reads of the same rows step over.
--
-- Now the counters' trigger keeps the last activity too, for every message however it comes
-- (a post, a system line, a bulk INSERT): one UPDATE of the conversation (count and activity),
-- then one UPDATE of its participant rows (unread count and activity copy). The lock order is
-- the one every writer of a conversation keeps: the conversation row, then its participant
-- rows. The post and the membership changes no longer set last_message_at themselves.
--
-- conversations_spread_activity (0017) still copies a last activity set by a plain UPDATE of
-- conversations (the demo timeline); inside this trigger it steps aside, since the copy is made
-- in the same UPDATE as the unread counts.

CREATE OR REPLACE FUNCTION messages_counters_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversations c
       SET message_count = c.message_count + n.added,
           last_message_at = greatest(c.last_message_at, n.latest)
      FROM (SELECT conversation_id, count(*) AS added, max(sent_at) AS latest FROM changed GROUP BY conversation_id) n
     WHERE c.conversation_id = n.conversation_id;
    UPDATE conversation_participants p
       SET unread_count = p.unread_count + (
               SELECT count(*) FROM changed i
                WHERE i.conversation_id = p.conversation_id AND i.sender_id <> p.user_id
                  AND i.sent_at > coalesce(p.last_read_at, '-infinity'::timestamptz)),
           conversation_last_message_at = greatest(p.conversation_last_message_at, c.last_message_at)
      FROM conversations c
     WHERE c.conversation_id IN (SELECT conversation_id FROM changed)
       AND p.conversation_id = c.conversation_id
       AND (p.conversation_last_message_at < c.last_message_at
            OR EXISTS (SELECT 1 FROM changed i
                        WHERE i.conversation_id = p.conversation_id AND i.sender_id <> p.user_id
                          AND i.sent_at > coalesce(p.last_read_at, '-infinity'::timestamptz)));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION conversations_spread_activity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Fired by messages_counters_after_insert's UPDATE (depth 2): that trigger copies the
    -- activity itself, with the unread counts, so each participant row changes once.
    IF pg_trigger_depth() > 1 THEN
        RETURN NULL;
    END IF;
    UPDATE conversation_participants p
       SET conversation_last_message_at = NEW.last_message_at
     WHERE p.conversation_id = NEW.conversation_id
       AND p.conversation_last_message_at IS DISTINCT FROM NEW.last_message_at;
    RETURN NULL;
END
$$;
