-- The conversation page shows a keyset page of top-level messages (newest page first, read
-- oldest first) with every reply under them. Its first step walks the top-level messages of
-- one conversation backwards from a cursor; this partial index holds exactly those, so the
-- walk never steps over replies.
CREATE INDEX messages_conversation_roots_idx ON messages (conversation_id, sent_at, message_id)
    WHERE parent_message_id IS NULL;
