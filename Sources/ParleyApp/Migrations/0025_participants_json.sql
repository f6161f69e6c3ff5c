-- The conversation row's participants also as the JSON the API writes for them (decision 0018).
--
-- The conversation list decoded each row's participant_summary[] into Swift values and encoded
-- them back as JSON: for the bench's 20 rows of three participants, about 40 % of parley's work
-- on the list (bench/README.md, "Participants as JSON"). The same rebuild that keeps the array
-- (0018) now keeps this text too, so the list copies it into its response as it is.
--
-- The text is exactly what ParticipantJSON writes: members in the array's order, keys in its
-- order, no spaces, strings escaped by to_json (as parley's JSONString escapes: `"` `\`, \b \f
-- \n \r \t, other control characters as \u00xx), ids as lowercase text. A test compares the two.
ALTER TABLE conversations ADD COLUMN participants_json text NOT NULL DEFAULT '[]';

CREATE OR REPLACE FUNCTION conversations_refresh_participants(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM conversations WHERE conversation_id = ANY(ids) ORDER BY conversation_id FOR NO KEY UPDATE;
    UPDATE conversations c
       SET participants = fresh.participants,
           participants_json = fresh.participants_json
      FROM (
          SELECT c2.conversation_id,
                 coalesce(array_agg((u.user_id, u.username, u.first_name, u.last_name)::participant_summary
                                    ORDER BY pp.joined_at, u.username) FILTER (WHERE u.user_id IS NOT NULL), '{}') AS participants,
                 '[' || coalesce(string_agg(
                     '{"user_id":"' || u.user_id::text || '","username":' || to_json(u.username)::text
                         || ',"first_name":' || to_json(u.first_name)::text || ',"last_name":' || to_json(u.last_name)::text || '}',
                     ',' ORDER BY pp.joined_at, u.username) FILTER (WHERE u.user_id IS NOT NULL), '') || ']' AS participants_json
            FROM conversations c2
            LEFT JOIN conversation_participants pp ON pp.conversation_id = c2.conversation_id
            LEFT JOIN users u ON u.user_id = pp.user_id
           WHERE c2.conversation_id = ANY(ids)
           GROUP BY c2.conversation_id
      ) fresh
     WHERE c.conversation_id = fresh.conversation_id
       AND (c.participants IS DISTINCT FROM fresh.participants OR c.participants_json IS DISTINCT FROM fresh.participants_json);
END
$$;

SELECT conversations_refresh_participants(ARRAY(SELECT conversation_id FROM conversations));
