import ArgumentParser
import Foundation
import Logging
import ParleyApp
import Postgres

/// `parley stats`: the figures of `/admin/stats` on the terminal.
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show how the site is used: totals, messages per day and per conversation, the busiest hours.",
        discussion: """
            Each figure is one aggregate query in PostgreSQL. Days and hours are UTC; the per-day \
            and per-hour figures cover the last 30 days. Uses DATABASE_URL.

            Example:
              parley stats
              parley stats --json | jq .messages_per_day
            """
    )

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        let logger = try common.bootstrapLogging()
        let database = PostgresDatabase(configuration: try PostgresConfiguration.forBulkCommand(), logger: logger)
        let report = try SiteStatistics.report(database: database)
        print(json ? Self.json(report) : Self.text(report))
    }

    static func text(_ report: SiteStatisticsReport) -> String {
        var lines = [
            "Users:          \(report.users)",
            "Conversations:  \(report.conversations)",
            "Messages:       \(report.messages)",
            String(format: "Per conversation: average %.1f, p95 %.1f", report.averagePerConversation, report.p95PerConversation),
            "",
            "Most active hours (UTC, last \(SiteStatistics.days) days):",
        ]
        lines += report.activeHours.isEmpty ? ["  no messages"] : report.activeHours.prefix(5).map { String(format: "  %02d:00  %d", $0.hour, $0.messages) }
        lines += ["", "Messages per day (UTC):"]
        lines += report.messagesPerDay.map { "  \($0.date)  \($0.messages)" }
        return lines.joined(separator: "\n")
    }

    static func json(_ report: SiteStatisticsReport) -> String {
        let object: [String: Any] = [
            "users": report.users, "conversations": report.conversations, "messages": report.messages,
            "average_per_conversation": report.averagePerConversation, "p95_per_conversation": report.p95PerConversation,
            "messages_per_day": report.messagesPerDay.map { ["date": $0.date, "messages": $0.messages] as [String: Any] },
            "active_hours": report.activeHours.map { ["hour": $0.hour, "messages": $0.messages] },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
