-- Each conversation carries a copy of its last message, as the conversation list shows it
-- (issue 12). The list found it per page row with a backward step on
-- messages_conversation_sent_idx: 80 of the statement's 160 buffer hits for a page of 20, and
-- a third of its PostgreSQL time (docs/decisions/0020-last-message-on-the-conversation.md).
--
-- The copy is kept in the transaction of every change, and each writer locks the conversation
-- row before it decides anything, so two concurrent changes see each other:
-- - inserts: the counters' UPDATE of the conversation (0019), which a post makes anyway, takes
--   the newest inserted row when it is newer than the copy (one row version per post still);
-- - deletes: a statement trigger rebuilds the copy of conversations that lost theirs;
-- - updates (an edit, a parent deleted under a reply, the demo seed's timeline): a row trigger
--   rebuilds the copy when the updated message is the copy, or when its time or conversation
--   moved.
-- Usernames are not copied (they change); the list joins them. Loads that switch triggers off
-- (session_replication_role = replica, as the bench's COPY does) must call
-- conversations_refresh_last_message themselves.
CREATE TYPE message_summary AS (
    message_id uuid, sender_id uuid, parent_message_id uuid, message_body text,
    sent_at timestamptz, edited_at timestamptz, kind text, member_id uuid
);

-- NULL while the conversation has no message.
ALTER TABLE conversations ADD COLUMN last_message message_summary;

-- Rebuilds the copy of the given conversations: locked first, in id order, then read by a
-- statement of its own, whose READ COMMITTED snapshot is taken after the locks (as 0018's).
CREATE FUNCTION conversations_refresh_last_message(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM conversations WHERE conversation_id = ANY(ids) ORDER BY conversation_id FOR NO KEY UPDATE;
    UPDATE conversations c
       SET last_message = fresh.last_message
      FROM (
          SELECT i.conversation_id,
                 (SELECT ROW(m.message_id, m.sender_id, m.parent_message_id, m.message_body,
                             m.sent_at, m.edited_at, m.kind, m.member_id)::message_summary
                    FROM messages m WHERE m.conversation_id = i.conversation_id
                   ORDER BY m.sent_at DESC, m.message_id DESC LIMIT 1) AS last_message
            FROM (SELECT DISTINCT unnest(ids) AS conversation_id) i
      ) fresh
     WHERE c.conversation_id = fresh.conversation_id
       AND c.last_message IS DISTINCT FROM fresh.last_message;
END
$$;

SELECT conversations_refresh_last_message(ARRAY(SELECT conversation_id FROM conversations));

-- 0019's function, with the copy set in the same UPDATE. The newest inserted row of each
-- conversation (the list's order: sent_at, then message_id) replaces the copy only if newer; the
-- comparison runs against the row as locked, so of two concurrent posts the later one wins.
CREATE OR REPLACE FUNCTION messages_counters_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversations c
       SET message_count = c.message_count + n.added,
           last_message_at = greatest(c.last_message_at, n.sent_at),
           last_message = CASE
               WHEN c.last_message IS NULL
                 OR (n.sent_at, n.message_id) > ((c.last_message).sent_at, (c.last_message).message_id)
               THEN ROW(n.message_id, n.sender_id, n.parent_message_id, n.message_body,
                        n.sent_at, n.edited_at, n.kind, n.member_id)::message_summary
               ELSE c.last_message
           END
      FROM (SELECT DISTINCT ON (conversation_id) conversation_id,
                   count(*) OVER (PARTITION BY conversation_id) AS added,
                   message_id, sender_id, parent_message_id, message_body, sent_at, edited_at, kind, member_id
              FROM changed
             ORDER BY conversation_id, sent_at DESC, message_id DESC) n
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

-- Deletes: a statement trigger of its own beside 0009's counters. It locks the conversations
-- first, in id order, and checks in a statement of its own, whose snapshot then sees any delete
-- that committed before; a conversation whose copy is one of the deleted rows is rebuilt.
CREATE FUNCTION messages_refresh_last_message_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM conversations WHERE conversation_id IN (SELECT conversation_id FROM changed)
      ORDER BY conversation_id FOR NO KEY UPDATE;
    PERFORM conversations_refresh_last_message(ARRAY(
        SELECT DISTINCT c.conversation_id FROM conversations c JOIN changed d ON d.conversation_id = c.conversation_id
         WHERE (c.last_message).message_id = d.message_id));
    RETURN NULL;
END
$$;

CREATE TRIGGER messages_last_message_delete AFTER DELETE ON messages
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION messages_refresh_last_message_deleted();

-- Row-level: edits are one row, and a parent's deletion sets parent_message_id on its replies.
-- The lock comes before the check, as for deletes.
CREATE FUNCTION messages_refresh_last_message() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM conversations WHERE conversation_id IN (OLD.conversation_id, NEW.conversation_id)
      ORDER BY conversation_id FOR NO KEY UPDATE;
    PERFORM conversations_refresh_last_message(ARRAY(
        SELECT c.conversation_id FROM conversations c
         WHERE c.conversation_id IN (OLD.conversation_id, NEW.conversation_id)
           AND ((c.last_message).message_id = NEW.message_id
                OR OLD.sent_at IS DISTINCT FROM NEW.sent_at
                OR OLD.conversation_id IS DISTINCT FROM NEW.conversation_id)));
    RETURN NULL;
END
$$;

CREATE TRIGGER messages_last_message_update
    AFTER UPDATE OF conversation_id, sender_id, parent_message_id, message_body, sent_at, edited_at, kind, member_id
    ON messages FOR EACH ROW
    WHEN ((OLD.conversation_id, OLD.sender_id, OLD.parent_message_id, OLD.message_body, OLD.sent_at, OLD.edited_at, OLD.kind, OLD.member_id)
          IS DISTINCT FROM
          (NEW.conversation_id, NEW.sender_id, NEW.parent_message_id, NEW.message_body, NEW.sent_at, NEW.edited_at, NEW.kind, NEW.member_id))
    EXECUTE FUNCTION messages_refresh_last_message();
