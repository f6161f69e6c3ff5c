import Postgres

/// ``StatisticsRepository`` on PostgreSQL. The message total, average and p95 read the
/// maintained `conversations.message_count` (migration 0009); the per-day and per-hour figures
/// scan `messages_sent_at_idx` (migration 0014) over their window only.
struct PostgresStatisticsRepository: StatisticsRepository {
    let database: PostgresDatabase

    func totals() throws -> (users: Int, conversations: Int, messages: Int) {
        try database.read { connection in
            let row = try connection.query("""
                SELECT (SELECT count(*) FROM users),
                       (SELECT count(*) FROM conversations),
                       (SELECT coalesce(sum(message_count), 0)::bigint FROM conversations)
                """)[0]
            let (users, conversations, messages) = try row.decode((Int64, Int64, Int64).self)
            return (Int(users), Int(conversations), Int(messages))
        }
    }

    func messagesPerDay(days: Int) throws -> [SiteStatisticsReport.Day] {
        try database.read { connection in
            try connection.query("""
                WITH window_start AS (SELECT (now() AT TIME ZONE 'UTC')::date - (\(days)::int - 1) AS first_day)
                SELECT to_char(d, 'YYYY-MM-DD'), coalesce(m.messages, 0)
                FROM window_start w
                CROSS JOIN generate_series(w.first_day, w.first_day + (\(days)::int - 1), interval '1 day') AS d
                LEFT JOIN (
                    SELECT (sent_at AT TIME ZONE 'UTC')::date AS day, count(*) AS messages
                    FROM messages, window_start w
                    WHERE sent_at >= w.first_day::timestamp AT TIME ZONE 'UTC'
                    GROUP BY 1
                ) m ON m.day = d::date
                ORDER BY d
                """).decode((String, Int64).self).map { SiteStatisticsReport.Day(date: $0.0, messages: Int($0.1)) }
        }
    }

    func messagesPerConversation() throws -> (average: Double, p95: Double) {
        try database.read { connection in
            let row = try connection.query("""
                SELECT coalesce(avg(message_count), 0)::float8,
                       coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY message_count), 0)::float8
                FROM conversations
                """)[0]
            return try row.decode((Double, Double).self)
        }
    }

    func activeHours(days: Int) throws -> [SiteStatisticsReport.Hour] {
        try database.read { connection in
            try connection.query("""
                SELECT extract(hour FROM sent_at AT TIME ZONE 'UTC')::int, count(*)
                FROM messages
                WHERE sent_at >= ((now() AT TIME ZONE 'UTC')::date - (\(days)::int - 1))::timestamp AT TIME ZONE 'UTC'
                GROUP BY 1 ORDER BY 2 DESC, 1
                """).decode((Int32, Int64).self).map { SiteStatisticsReport.Hour(hour: Int($0.0), messages: Int($0.1)) }
        }
    }
}
