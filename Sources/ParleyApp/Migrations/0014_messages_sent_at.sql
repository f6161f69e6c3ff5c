-- Site statistics (/admin/stats, `parley stats`): messages per day and per hour of the last 30
-- days are range scans of this index (index-only once vacuumed) instead of reading every
-- message. The totals, average and p95 per conversation read conversations.message_count.
-- On the UTC wall time, the expression those figures group by, not on sent_at itself: a plain
-- sent_at index was a candidate for the message lists' keyset queries too, and on a table
-- where one conversation holds most messages the planner chose it (a filter and a sort)
-- over messages_conversation_sent_idx.
CREATE INDEX messages_sent_utc_idx ON messages ((sent_at AT TIME ZONE 'UTC'));
