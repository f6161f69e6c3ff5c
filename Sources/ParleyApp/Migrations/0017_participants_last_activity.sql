-- The conversation list at index speed (issue 12): each participant row carries a copy of its
-- conversation's last activity, and one index orders a user's rows by it, so a page of the
-- list is an index range scan cut by LIMIT. Before, the list joined every participant row of
-- the viewer to conversations (103 primary-key probes for the bench user) and sorted them to
-- show 20; figures in docs/decisions/0011-conversation-list.md.
--
-- Triggers keep the copy, in the transaction of the change, whatever changes
-- conversations.last_message_at (a post, a system line's touch, the demo timeline, any UPDATE):
-- after such an update every participant row of the conversation takes the new value; a new
-- participant row takes its conversation's value when inserted. A membership change locks the
-- conversation FOR NO KEY UPDATE before it inserts, as a post's update does, so a post and an
-- added member cannot both miss each other's change.
--
-- Loads that switch triggers off (session_replication_role = replica, as the bench's COPY
-- does) must set the column themselves; until then it is -infinity and the row sorts last.
ALTER TABLE conversation_participants
    ADD COLUMN conversation_last_message_at timestamptz NOT NULL DEFAULT '-infinity';

UPDATE conversation_participants p
   SET conversation_last_message_at = c.last_message_at
  FROM conversations c
 WHERE c.conversation_id = p.conversation_id;

-- "My conversations", newest activity first, with the list's tie-break; it also serves every
-- lookup by user_id (the cascade from users, /api/messages/), so it replaces the
-- (user_id, conversation_id) index of migration 0005 rather than adding a third index that
-- every participant write would maintain.
CREATE INDEX conversation_participants_user_activity_idx
    ON conversation_participants (user_id, conversation_last_message_at DESC, conversation_id DESC);
DROP INDEX conversation_participants_user_idx;

CREATE FUNCTION conversation_participants_copy_activity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- No row: the foreign key check refuses the insert right after this.
    SELECT c.last_message_at INTO NEW.conversation_last_message_at
      FROM conversations c WHERE c.conversation_id = NEW.conversation_id;
    NEW.conversation_last_message_at := coalesce(NEW.conversation_last_message_at, '-infinity');
    RETURN NEW;
END
$$;

CREATE TRIGGER conversation_participants_copy_activity
    BEFORE INSERT OR UPDATE OF conversation_id ON conversation_participants
    FOR EACH ROW EXECUTE FUNCTION conversation_participants_copy_activity();

CREATE FUNCTION conversations_spread_activity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversation_participants p
       SET conversation_last_message_at = NEW.last_message_at
     WHERE p.conversation_id = NEW.conversation_id
       AND p.conversation_last_message_at IS DISTINCT FROM NEW.last_message_at;
    RETURN NULL;
END
$$;

CREATE TRIGGER conversations_spread_activity
    AFTER UPDATE OF last_message_at ON conversations
    FOR EACH ROW WHEN (OLD.last_message_at IS DISTINCT FROM NEW.last_message_at)
    EXECUTE FUNCTION conversations_spread_activity();
