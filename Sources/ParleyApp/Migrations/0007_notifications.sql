-- One notification per recipient per new message. They go with the recipient's account, the
-- message and the conversation.
CREATE TABLE notifications (
    notification_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    recipient_id    uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    message_id      uuid NOT NULL REFERENCES messages (message_id) ON DELETE CASCADE,
    conversation_id uuid NOT NULL REFERENCES conversations (conversation_id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    read_at         timestamptz,
    UNIQUE (recipient_id, message_id)
);

-- The list, newest first; the unread list (?unread=true) has a smaller partial index of its own.
CREATE INDEX notifications_recipient_created_idx ON notifications (recipient_id, created_at DESC, notification_id DESC);
CREATE INDEX notifications_recipient_unread_idx ON notifications (recipient_id, created_at DESC, notification_id DESC)
    WHERE read_at IS NULL;
-- The cascades from messages and conversations.
CREATE INDEX notifications_message_idx ON notifications (message_id);
CREATE INDEX notifications_conversation_idx ON notifications (conversation_id, recipient_id);
