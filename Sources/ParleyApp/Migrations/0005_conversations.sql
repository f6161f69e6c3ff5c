-- Conversations and who takes part in them.
--
-- Deleting a user (one DELETE FROM users) removes their participations (CASCADE) and leaves
-- the conversations they created to the other participants (created_by SET NULL).
-- last_message_at is the conversation's last activity: its creation time until the first
-- message, then the newest message's sent_at. The conversation list orders by it.
CREATE TABLE conversations (
    conversation_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title           text NOT NULL DEFAULT '' CHECK (char_length(title) <= 255),
    created_by      uuid REFERENCES users (user_id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_message_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- For ON DELETE SET NULL when a user is deleted.
CREATE INDEX conversations_created_by_idx ON conversations (created_by) WHERE created_by IS NOT NULL;

CREATE TABLE conversation_participants (
    conversation_id uuid NOT NULL REFERENCES conversations (conversation_id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    joined_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Messages sent after this instant by someone else are unread; NULL: nothing read yet.
    last_read_at    timestamptz,
    PRIMARY KEY (conversation_id, user_id)
);

-- "My conversations" (the list endpoint starts here) and the cascade from users.
CREATE INDEX conversation_participants_user_idx ON conversation_participants (user_id, conversation_id);

-- A conversation nobody takes part in any more (its last participant's account was deleted)
-- belongs to no one: it goes too, in the same statement, with its messages.
CREATE FUNCTION conversations_delete_abandoned() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM conversations c
    WHERE c.conversation_id IN (SELECT DISTINCT conversation_id FROM gone)
      AND NOT EXISTS (SELECT 1 FROM conversation_participants p WHERE p.conversation_id = c.conversation_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER conversation_participants_delete_abandoned
    AFTER DELETE ON conversation_participants
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION conversations_delete_abandoned();
