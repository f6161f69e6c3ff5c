-- Participants now come and go after creation, and the thread says so in system lines
-- ("alice added carol", "bob left", "alice removed carol"). A system line is a messages row:
-- `kind` says what happened, the sender is who did it, `member_id` who joined or went. As a
-- row it takes its place in every list, keyset page and thread page, and a notification can
-- point at it (the added member's). The service writes it in the same transaction as the
-- membership change, and refuses to edit, delete or reply to it.
--
-- Counters (migration 0009, triggers unchanged): a system line counts in
-- conversations.message_count, which is the `count` of the message list it appears in, and in
-- the other participants' unread_count ("lines from someone else after your read mark"): a
-- membership change is news to them. It never counts for whoever made it.
--
-- The last participant leaving deletes the conversation with its messages and notifications:
-- migration 0005's statement trigger on conversation_participants already does, in the
-- leaving statement's transaction.
ALTER TABLE messages
    ADD COLUMN kind text NOT NULL DEFAULT 'message'
        CHECK (kind IN ('message', 'member_added', 'member_removed', 'member_left')),
    -- A line goes with the account it names, as a message goes with its sender's.
    ADD COLUMN member_id uuid REFERENCES users (user_id) ON DELETE CASCADE;

-- A system line names its member and answers nothing; a message names no member.
ALTER TABLE messages ADD CONSTRAINT messages_system_line_shape CHECK (
    (kind = 'message') = (member_id IS NULL) AND (kind = 'message' OR parent_message_id IS NULL)
);

-- The cascade from users.
CREATE INDEX messages_member_idx ON messages (member_id) WHERE member_id IS NOT NULL;
