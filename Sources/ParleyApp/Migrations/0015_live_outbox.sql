-- Live updates (issue 14): a transactional outbox of what subscribers should hear about.
--
-- Triggers write it in the transaction of the change itself, so an event exists exactly when
-- its change committed: a rolled-back post leaves nothing here, and a committed one is not lost
-- if nginx is down when it commits (the publisher keeps the row until Nchan has taken it).
-- The triggers are per statement over transition tables, like the counters of migration 0009:
-- a post stays one statement and one round trip, and COPY or a bulk INSERT pays one trigger
-- call per statement. Each statement that writes here also NOTIFYs `parley_live` (PostgreSQL
-- delivers it at COMMIT, never after a rollback, and folds repeats within a transaction), which
-- wakes the publisher on whichever host listens.
--
-- A row names what changed, not its JSON: the publisher reads the message as it is when it
-- publishes (an event never shows an older text than the database), and the row stays small.
CREATE TABLE live_outbox (
    event_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- 'conversation' (Nchan channel conv-<id>) or 'user' (channel user-<id>).
    channel_kind    text NOT NULL CHECK (channel_kind IN ('conversation', 'user')),
    channel_id      uuid NOT NULL,
    event           text NOT NULL CHECK (event IN ('message.created', 'message.edited', 'message.deleted',
                                                   'notification.created', 'unread.changed')),
    conversation_id uuid NOT NULL,
    message_id      uuid,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE FUNCTION live_outbox_notify() RETURNS void LANGUAGE sql AS $$ SELECT pg_notify('parley_live', '') $$;

CREATE FUNCTION live_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO live_outbox (channel_kind, channel_id, event, conversation_id, message_id)
    SELECT 'conversation', n.conversation_id, 'message.created', n.conversation_id, n.message_id FROM changed n;
    IF FOUND THEN PERFORM live_outbox_notify(); END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION live_messages_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO live_outbox (channel_kind, channel_id, event, conversation_id, message_id)
    SELECT 'conversation', n.conversation_id, 'message.edited', n.conversation_id, n.message_id
    FROM changed n JOIN previous o ON o.message_id = n.message_id
    WHERE n.message_body IS DISTINCT FROM o.message_body OR n.edited_at IS DISTINCT FROM o.edited_at;
    IF FOUND THEN PERFORM live_outbox_notify(); END IF;
    RETURN NULL;
END
$$;

-- A message deleted with its whole conversation (the cascade) is news to nobody: the
-- conversation row is already gone when this runs, so only single deletions are published.
CREATE FUNCTION live_messages_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO live_outbox (channel_kind, channel_id, event, conversation_id, message_id)
    SELECT 'conversation', d.conversation_id, 'message.deleted', d.conversation_id, d.message_id
    FROM changed d WHERE EXISTS (SELECT 1 FROM conversations c WHERE c.conversation_id = d.conversation_id);
    IF FOUND THEN PERFORM live_outbox_notify(); END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION live_notifications_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO live_outbox (channel_kind, channel_id, event, conversation_id, message_id)
    SELECT 'user', n.recipient_id, 'notification.created', n.conversation_id, n.message_id FROM changed n;
    IF FOUND THEN PERFORM live_outbox_notify(); END IF;
    RETURN NULL;
END
$$;

-- Unread counts that went down (a conversation read, notifications marked read): the user's
-- other tabs update their badges. Counts that go up come with notification.created.
CREATE FUNCTION live_notifications_read() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO live_outbox (channel_kind, channel_id, event, conversation_id)
    SELECT DISTINCT 'user', n.recipient_id, 'unread.changed', n.conversation_id
    FROM changed n JOIN previous o ON o.notification_id = n.notification_id
    WHERE o.read_at IS NULL AND n.read_at IS NOT NULL;
    IF FOUND THEN PERFORM live_outbox_notify(); END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION live_participants_read() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO live_outbox (channel_kind, channel_id, event, conversation_id)
    SELECT 'user', n.user_id, 'unread.changed', n.conversation_id
    FROM changed n JOIN previous o ON o.conversation_id = n.conversation_id AND o.user_id = n.user_id
    WHERE n.unread_count < o.unread_count;
    IF FOUND THEN PERFORM live_outbox_notify(); END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER live_messages_insert AFTER INSERT ON messages
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION live_messages_inserted();
CREATE TRIGGER live_messages_update AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS previous NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION live_messages_updated();
CREATE TRIGGER live_messages_delete AFTER DELETE ON messages
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION live_messages_deleted();
CREATE TRIGGER live_notifications_insert AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION live_notifications_inserted();
CREATE TRIGGER live_notifications_update AFTER UPDATE ON notifications
    REFERENCING OLD TABLE AS previous NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION live_notifications_read();
CREATE TRIGGER live_participants_update AFTER UPDATE ON conversation_participants
    REFERENCING OLD TABLE AS previous NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION live_participants_read();
