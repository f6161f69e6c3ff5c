-- A participant's unread count that went down is news to the user's other tabs
-- (`unread.changed`, 0015). The trigger was a statement trigger over the UPDATE's transition
-- tables, so it ran its INSERT … SELECT (a join of the old and new rows) after every post too,
-- whose counters raise the recipients' counts and never lower them: about 4 % of PostgreSQL's
-- work per post (bench/README.md, "The outbox's NOTIFY function"). As a row trigger with a
-- WHEN, it runs only for the rows whose count went down; PostgreSQL checks the WHEN itself.
DROP TRIGGER live_participants_update ON conversation_participants;

CREATE OR REPLACE FUNCTION live_participants_read() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO live_outbox (channel_kind, channel_id, event, conversation_id)
    VALUES ('user', NEW.user_id, 'unread.changed', NEW.conversation_id);
    PERFORM live_outbox_notify();
    RETURN NULL;
END
$$;

CREATE TRIGGER live_participants_update AFTER UPDATE OF unread_count ON conversation_participants
    FOR EACH ROW WHEN (NEW.unread_count < OLD.unread_count) EXECUTE FUNCTION live_participants_read();
