-- Messages and the earlier versions of edited ones.
--
-- A message goes with its sender's account (sender_id CASCADE) and with its conversation.
-- Replies to a deleted message are kept, as top-level messages: the parent link is set to NULL
-- (SET NULL on the parent column only, PostgreSQL 15+), because a reply belongs to whoever
-- wrote it, not to the author of the message it answered.
--
-- The parent must be in the same conversation: the foreign key covers
-- (parent_message_id, conversation_id), so the database refuses a cross-conversation reply
-- even if the service's check were bypassed.
CREATE TABLE messages (
    message_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id   uuid NOT NULL REFERENCES conversations (conversation_id) ON DELETE CASCADE,
    sender_id         uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    parent_message_id uuid,
    message_body      text NOT NULL,
    sent_at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    edited_at         timestamptz,
    UNIQUE (message_id, conversation_id),
    FOREIGN KEY (parent_message_id, conversation_id)
        REFERENCES messages (message_id, conversation_id) ON DELETE SET NULL (parent_message_id)
);

-- The message list, its keyset cursor ((sent_at, message_id) > (…)) and the unread count
-- all walk this index in either direction.
CREATE INDEX messages_conversation_sent_idx ON messages (conversation_id, sent_at, message_id);
-- The thread query's recursive step, and SET NULL when a parent is deleted.
CREATE INDEX messages_parent_idx ON messages (parent_message_id) WHERE parent_message_id IS NOT NULL;
-- The cascade from users, and the ?sender= filter across conversations.
CREATE INDEX messages_sender_idx ON messages (sender_id, sent_at);

CREATE TABLE message_edits (
    edit_id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    message_id uuid NOT NULL REFERENCES messages (message_id) ON DELETE CASCADE,
    old_body   text NOT NULL,
    edited_by  uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    edited_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX message_edits_message_idx ON message_edits (message_id, edited_at);
CREATE INDEX message_edits_edited_by_idx ON message_edits (edited_by);
