-- Site statistics (/admin/stats, `parley stats`): messages per day and per hour of the last 30
-- days are range scans of this index (index-only once vacuumed) instead of reading every
-- message. The totals, average and p95 per conversation read conversations.message_count.
CREATE INDEX messages_sent_at_idx ON messages (sent_at);
