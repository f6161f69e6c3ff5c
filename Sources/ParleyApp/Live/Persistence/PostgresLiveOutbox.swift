import FoundationEssentials
import Postgres

/// The outbox of migration 0015, as the publisher drains it on its own connection (not a
/// request's): claim a batch, publish it, delete what was published, in one transaction.
/// `FOR UPDATE SKIP LOCKED` lets several publishers (processes, hosts) drain it at once without
/// taking the same rows.
enum PostgresLiveOutbox {
    /// The channel every outbox insert NOTIFYs (migration 0015).
    static let notifyChannel = "parley_live"

    static func listen(_ connection: PostgresConnection) throws {
        try connection.execute("LISTEN parley_live")
    }

    /// Events per claim (one transaction); also bounds how long the claimed rows stay locked.
    static let batchSize = 100

    /// Up to ``batchSize`` of the oldest unclaimed events, locked until the transaction ends,
    /// with their messages and counts as they are now.
    ///
    /// The statement has no parameters, so PostgreSQL plans it once per connection: with the
    /// limit bound as a parameter, the generic plan assumed thousands of rows and every claim
    /// was planned afresh. The counts and names are per-row index lookups (subqueries), so no
    /// plan can scan a whole table for them (bench/README.md, "The live publisher's claim").
    static func claim(_ connection: PostgresConnection) throws -> [LiveEvent] {
        let rows = try connection.query("""
            WITH o AS (
                SELECT * FROM live_outbox ORDER BY event_id LIMIT \(unsafeRaw: String(batchSize)) FOR UPDATE SKIP LOCKED
            )
            SELECT o.event_id, o.channel_kind, o.channel_id, o.event, o.conversation_id, o.message_id,
                   CASE WHEN o.channel_kind = 'user' THEN (SELECT p.unread_count FROM conversation_participants p
                        WHERE p.conversation_id = o.conversation_id AND p.user_id = o.channel_id) END AS unread_count,
                   CASE WHEN o.channel_kind = 'user' THEN (SELECT ru.unread_notification_count FROM users ru WHERE ru.user_id = o.channel_id) END
                       AS unread_notification_count,
                   \(unsafeRaw: MessageRow.columnsLookingUpSender.description)
            FROM o
            LEFT JOIN messages m ON m.message_id = o.message_id AND o.event <> 'message.deleted'
            ORDER BY o.event_id
            """)
        return try rows.compactMap { row in
            guard let channel = LiveChannel(kind: try row.decode(String.self, at: 1), id: try row.decode(UUID.self, at: 2)) else { return nil }
            let hasMessage = try row.decode(UUID?.self, at: 8) != nil
            return LiveEvent(
                eventID: try row.decode(Int64.self, at: 0), channel: channel, name: try row.decode(String.self, at: 3),
                conversationID: try row.decode(UUID.self, at: 4), messageID: try row.decode(UUID?.self, at: 5),
                message: hasMessage ? try MessageRow.message(row, from: 8) : nil,
                unreadCount: try row.decode(Int64?.self, at: 6).map(Int.init),
                unreadNotifications: try row.decode(Int64?.self, at: 7).map(Int.init))
        }
    }

    /// Holds the publisher's lease for `duration` from now, in the claim's transaction: until it
    /// runs out, writers send no NOTIFY (migration 0022).
    static func renewLease(_ connection: PostgresConnection, for duration: Duration) throws {
        try connection.execute("UPDATE live_publisher_lease SET busy_until = clock_timestamp() + \(duration.wholeMilliseconds) * interval '1 millisecond'")
    }

    static func delete(_ connection: PostgresConnection, eventIDs: [Int64]) throws {
        guard !eventIDs.isEmpty else { return }
        try connection.execute("DELETE FROM live_outbox WHERE event_id = ANY(\(eventIDs))")
    }
}
