import FoundationEssentials
import Postgres

/// Moves the freshly seeded demo rows back in time, so that the pages show a conversation
/// that happened over days rather than within one second. Demo data only: nothing else ever
/// rewrites times.
struct PostgresDemoTimelineRepository: DemoTimelineRepository {
    let database: PostgresDatabase

    func spread(_ timeline: DemoTimeline) throws {
        try database.transaction { connection in
            for (id, minutes) in timeline.conversations {
                try connection.execute("""
                    UPDATE conversations SET created_at = now() - make_interval(secs => \(Double(minutes * 60))),
                                             last_message_at = now() - make_interval(secs => \(Double(minutes * 60)))
                    WHERE conversation_id = \(id)
                    """)
                try connection.execute("""
                    UPDATE conversation_participants SET joined_at = now() - make_interval(secs => \(Double(minutes * 60)))
                    WHERE conversation_id = \(id)
                    """)
            }
            for (id, minutes) in timeline.messages {
                try connection.execute("UPDATE messages SET sent_at = now() - make_interval(secs => \(Double(minutes * 60))) WHERE message_id = \(id)")
                try connection.execute("UPDATE notifications SET created_at = now() - make_interval(secs => \(Double(minutes * 60))) WHERE message_id = \(id)")
            }
            for (id, minutes) in timeline.edits {
                try connection.execute("UPDATE messages SET edited_at = now() - make_interval(secs => \(Double(minutes * 60))) WHERE message_id = \(id)")
                try connection.execute("UPDATE message_edits SET edited_at = now() - make_interval(secs => \(Double(minutes * 60))) WHERE message_id = \(id)")
            }
            try connection.execute("""
                UPDATE conversations c SET last_message_at = m.latest
                FROM (SELECT conversation_id, max(sent_at) AS latest FROM messages GROUP BY conversation_id) m
                WHERE m.conversation_id = c.conversation_id AND c.conversation_id = ANY(\(timeline.conversations.map(\.0)))
                """)
        }
    }
}
