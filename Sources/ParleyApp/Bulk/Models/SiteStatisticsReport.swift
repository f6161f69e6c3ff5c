/// How the site is used, each figure computed by one aggregate query in PostgreSQL.
/// "Messages" are the rows of the threads, membership lines included, as each conversation's
/// message count has them.
public struct SiteStatisticsReport: Sendable {
    public struct Day: Sendable, Equatable {
        /// `YYYY-MM-DD`, UTC.
        public let date: String
        public let messages: Int
    }

    public struct Hour: Sendable, Equatable {
        /// 0-23, UTC.
        public let hour: Int
        public let messages: Int
    }

    public var users = 0
    public var conversations = 0
    public var messages = 0
    /// The last 30 days (UTC), oldest first, days without messages included.
    public var messagesPerDay: [Day] = []
    public var averagePerConversation = 0.0
    /// The 95th percentile (interpolated) of messages per conversation.
    public var p95PerConversation = 0.0
    /// Hours of the day (UTC) by messages sent in the last 30 days, busiest first; hours
    /// without messages are left out.
    public var activeHours: [Hour] = []
}
