import Logging
import Postgres

/// The figures of `/admin/stats` and `parley stats`.
public struct SiteStatistics {
    let repository: any StatisticsRepository

    /// The window of the per-day and per-hour figures.
    public static let days = 30

    public func report() throws -> SiteStatisticsReport {
        var report = SiteStatisticsReport()
        (report.users, report.conversations, report.messages) = try repository.totals()
        report.messagesPerDay = try repository.messagesPerDay(days: Self.days)
        (report.averagePerConversation, report.p95PerConversation) = try repository.messagesPerConversation()
        report.activeHours = try repository.activeHours(days: Self.days)
        return report
    }

    /// For `parley stats`.
    public static func report(database: PostgresDatabase) throws -> SiteStatisticsReport {
        try SiteStatistics(repository: ParleyApplication.repositories.statistics(database)).report()
    }
}
